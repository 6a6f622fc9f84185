//! `--date-format` in SQL (SPEC §13): a chrono `strftime` format turned into one
//! anchored regular expression that reads what chrono's parser reads, with one capturing
//! group per numeric field.
//!
//! chrono reads a format's items in order, without going back: a numeric field skips
//! white space, then takes up to its width of digits (a year with a sign, any number);
//! a space skips white space; a literal must follow as written; nothing may be left.
//! A regular expression may go back and split a run of digits otherwise, which it can do
//! only where two numeric fields meet: there the first takes exactly its width of digits,
//! or fewer followed by white space (what chrono needs to read the next one), so both
//! read each text alike. The formats translated are those of numeric fields (`%Y`, `%y`,
//! `%m`, `%d`, `%e`, `%H`, `%M`, `%S`), literals and spaces, with a year, a month and a
//! day, and with an hour and a minute or no time; the others are refused with a reason.

use chrono::format::{Item, Numeric, StrftimeItems};

/// White space as the engines' patterns name it (ASCII; chrono skips Unicode white
/// space too, as the engines' trimming does not).
pub const SPACE: &str = r"[ \t\n\r\f\x0B]";

/// A field a numeric item sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// `%Y`: the year, signed beyond four digits.
    Year,
    /// `%y`: the year within its century (69 and below: 20xx; 70 and above: 19xx).
    YearOfCentury,
    /// `%m`.
    Month,
    /// `%d`, `%e`.
    Day,
    /// `%H`.
    Hour,
    /// `%M`.
    Minute,
    /// `%S` (60 is a leap second).
    Second,
}

/// A translated format: the pattern, and the field of each capturing group in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateFormat {
    /// An anchored regular expression (`^…$`).
    pub pattern: String,
    /// The field each group `1..` holds.
    pub fields: Vec<Field>,
}

impl DateFormat {
    /// The group of `field` (1-based), if the format has it.
    pub fn group(&self, field: Field) -> Option<usize> {
        self.fields.iter().position(|f| *f == field).map(|i| i + 1)
    }
}

/// Translates `format`, or says why it cannot be.
pub fn translate(format: &str) -> Result<DateFormat, String> {
    let items: Vec<Item> = StrftimeItems::new(format).collect();
    let numeric = |item: &Item| matches!(item, Item::Numeric(..));
    let mut pattern = String::from("^");
    let mut fields = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match item {
            Item::Literal(text) => pattern.push_str(&literal(text)?),
            Item::OwnedLiteral(text) => pattern.push_str(&literal(text)?),
            Item::Space(_) | Item::OwnedSpace(_) => pattern.push_str(&format!("{SPACE}*")),
            Item::Numeric(spec, _) => {
                let (field, width) = match spec {
                    Numeric::Year => (Field::Year, 4),
                    Numeric::YearMod100 => (Field::YearOfCentury, 2),
                    Numeric::Month => (Field::Month, 2),
                    Numeric::Day => (Field::Day, 2),
                    Numeric::Hour => (Field::Hour, 2),
                    Numeric::Minute => (Field::Minute, 2),
                    Numeric::Second => (Field::Second, 2),
                    other => {
                        return Err(format!("its field {other:?} is not translated (only %Y %y %m %d %e %H %M %S)"));
                    }
                };
                if fields.contains(&field) || (field == Field::Year && fields.contains(&Field::YearOfCentury)) {
                    return Err("it gives a field twice".to_string());
                }
                if field == Field::YearOfCentury && fields.contains(&Field::Year) {
                    return Err("it gives a field twice".to_string());
                }
                // The next item that is not a space is a numeric field: the digits must end
                // where chrono ends them.
                let next = items[i + 1..].iter().find(|n| !matches!(n, Item::Space(_) | Item::OwnedSpace(_)));
                let meets = next.is_some_and(numeric);
                pattern.push_str(&format!("{SPACE}*("));
                if field == Field::Year {
                    // A sign: any number of digits (beyond 9 no year chrono takes).
                    pattern.push_str(if meets { "[+-][0-9]{1,9}" } else { "[+-][0-9]{1,9}|" });
                    if meets {
                        pattern.push_str(&format!("{SPACE}|"));
                    }
                }
                if meets {
                    pattern.push_str(&format!("[0-9]{{{width}}}|[0-9]{{1,{}}}{SPACE}", width - 1));
                } else {
                    pattern.push_str(&format!("[0-9]{{1,{width}}}"));
                }
                pattern.push(')');
                fields.push(field);
            }
            Item::Fixed(fixed) => {
                return Err(format!("its field {fixed:?} is not translated (only %Y %y %m %d %e %H %M %S)"));
            }
            Item::Error => return Err("it is not a valid strftime format".to_string()),
        }
    }
    pattern.push('$');
    let has = |f: Field| fields.contains(&f);
    if !(has(Field::Year) || has(Field::YearOfCentury)) || !has(Field::Month) || !has(Field::Day) {
        return Err("it lacks a year, a month or a day".to_string());
    }
    let time = [Field::Hour, Field::Minute, Field::Second].map(has);
    if time != [false; 3] && !(time[0] && time[1]) {
        return Err("it has a time without an hour and a minute".to_string());
    }
    Ok(DateFormat { pattern, fields })
}

/// A literal as a pattern: each character in brackets (no backslash needed), digits
/// and the characters brackets do not take refused.
fn literal(text: &str) -> Result<String, String> {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() || c.is_whitespace() || matches!(c, '[' | ']' | '\\' | '^' | '\'') {
            return Err(format!("its literal {c:?} is not translated"));
        }
        out.push_str(&format!("[{c}]"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_become_patterns_with_a_group_per_field() {
        let f = translate("%d/%m/%Y").unwrap();
        let s = SPACE;
        assert_eq!(
            f.pattern,
            format!("^{s}*([0-9]{{1,2}})[/]{s}*([0-9]{{1,2}})[/]{s}*([+-][0-9]{{1,9}}|[0-9]{{1,4}})$")
        );
        assert_eq!(f.fields, [Field::Day, Field::Month, Field::Year]);
        assert_eq!(f.group(Field::Year), Some(3));
        // Fields that meet: exactly their width, or fewer before white space.
        let f = translate("%Y%m%d").unwrap();
        assert_eq!(
            f.pattern,
            format!(
                "^{s}*([+-][0-9]{{1,9}}{s}|[0-9]{{4}}|[0-9]{{1,3}}{s}){s}*([0-9]{{2}}|[0-9]{{1,1}}{s}){s}*([0-9]{{1,2}})$"
            )
        );
        let f = translate("%d-%m-%Y %H:%M").unwrap();
        assert_eq!(f.fields, [Field::Day, Field::Month, Field::Year, Field::Hour, Field::Minute]);
        assert!(f.pattern.contains(&format!("){s}*{s}*(")), "{}", f.pattern);
        assert_eq!(translate("%Y年%m月%d日").unwrap().pattern.matches("[年]").count(), 1);
    }

    #[test]
    fn formats_it_cannot_read_alike_are_refused() {
        for (format, why) in [
            ("%d/%b/%Y", "not translated"),
            ("%m/%d/%Y %I:%M %p", "not translated"),
            ("%Y-%m-%d %H:%M:%S%z", "not translated"),
            ("%Y-%m", "lacks a year, a month or a day"),
            ("%Y-%m-%d %H", "without an hour and a minute"),
            ("%Y-%m-%d-%d", "twice"),
            ("%y %Y-%m-%d", "twice"),
            ("%Y-%m-%dT1", "literal '1'"),
            ("%Y-%m-%d%Q", "not a valid strftime format"),
        ] {
            let error = translate(format).unwrap_err();
            assert!(error.contains(why), "{format}: {error}");
        }
    }
}
