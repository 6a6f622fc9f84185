//! What a column holds, guessed from a sample of its values (`servq init`, SPEC §10):
//! dates and their format, times of day, booleans, whole numbers on a scale (with
//! missing codes such as `-99` apart), other numbers, durations, and text. Each guess
//! keeps what it was made from, for the `# guessed from …` comments.

use chrono::{NaiveDate, NaiveDateTime};

use super::parse::{DateParser, parse_bool, parse_duration, parse_time_of_day};

/// Tokens that mean "no answer" in exports (compared case-insensitively).
const MISSING_TOKENS: [&str; 9] = ["na", "n/a", "#n/a", "null", "none", "-", "--", "nan", "missing"];

/// Whole numbers used as missing codes (SPSS, Stata, survey tools) when they fall
/// outside an otherwise clean 0–10 scale.
const MISSING_CODES: [i64; 13] = [-9999, -999, -99, -98, -97, -9, -8, -1, 97, 98, 99, 999, 9999];

/// Date formats tried after ISO, as written in `[inputs] date_format`; day-first before
/// month-first (a value with a day above 12 decides).
pub const DATE_FORMATS: [&str; 21] = [
    "%Y%m%d",
    "%Y年%m月%d日",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%d/%m/%Y %I:%M:%S %p",
    "%d/%m/%Y %I:%M %p",
    "%d-%m-%Y",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%d.%m.%Y",
    "%Y/%m/%d",
    "%d-%m-%Y %H:%M",
    "%d/%m/%Y %H:%M",
    "%m/%d/%Y %H:%M",
    "%d.%m.%Y %H:%M",
    "%Y/%m/%d %H:%M",
    "%d-%m-%Y %H:%M:%S",
    "%d/%m/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M:%S",
    "%d.%m.%Y %H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
];

/// The standard score scales a range is snapped to, smallest first.
const SCALES: [(i64, i64); 4] = [(1, 5), (1, 7), (1, 10), (0, 10)];

/// The share of values a reading must fit: the rest are bad values (rejected when
/// read, and said so), not a reason to give up the guess.
const FIT: f64 = 0.95;

/// The share of whole numbers a scale must hold: a stray 6 on a 1–5 item is a bad
/// value, not a 1–7 scale.
const SCALE_FIT: f64 = 0.99;

/// What the sampled values of one column are.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Profile {
    /// Non-empty values seen (missing tokens and codes included).
    pub values: usize,
    /// Missing tokens (`NA`) then codes (`-99`) seen, each in order of first sight.
    pub missing: Vec<String>,
    /// Every other value is a date: `Some("")` for ISO, else the `date_format`.
    pub date_format: Option<&'static str>,
    /// Some date values carry a time of day.
    pub datetime: bool,
    /// Every other value is a time of day (`HH:MM[:SS]`, `AM`/`PM`).
    pub time_of_day: bool,
    /// Every other value is a boolean (`Y`/`N`, yes/no, true/false, 1/0).
    pub boolean: bool,
    /// Every other value is a whole number: the lowest and highest.
    pub integers: Option<(i64, i64)>,
    /// The standard scale holding the whole numbers (all but a stray 1%).
    pub scale: Option<(i32, i32)>,
    /// Distinct values off the scale (up to 5, for notes).
    pub odd: Vec<String>,
    /// Every other value is a number: the lowest and highest.
    pub numbers: Option<(f64, f64)>,
    /// Every other value is a clock duration (`H:MM:SS` or `MM:SS`; `09:30` is both a
    /// clock and a time of day).
    pub clock: bool,
    /// Distinct other values.
    pub distinct: usize,
    /// Two date readings fit (day-first and month-first): the one taken is day-first.
    pub ambiguous_date: bool,
    /// A few of the values, for comments.
    pub examples: Vec<String>,
}

impl Profile {
    /// True when the column had no value at all.
    pub fn is_empty(&self) -> bool {
        self.values == self.missing.len() && self.distinct == 0
    }

    /// The standard scale (1–5, 1–7, 1–10, 0–10) of the whole numbers, smallest first.
    pub fn scale(&self) -> Option<(i32, i32)> {
        self.scale
    }
}

/// Profiles a column from its sampled values.
pub fn profile(values: &[&str]) -> Profile {
    let mut out = Profile::default();
    let mut kept: Vec<&str> = Vec::new();
    for raw in values {
        let value = raw.trim();
        if value.is_empty() {
            continue;
        }
        out.values += 1;
        if MISSING_TOKENS.iter().any(|t| value.eq_ignore_ascii_case(t)) {
            if !out.missing.iter().any(|m| m == value) {
                out.missing.push(value.to_string());
            }
            continue;
        }
        kept.push(value);
    }
    // Whole numbers: codes outside an otherwise clean 0–10 range are missing codes.
    let whole: Option<Vec<i64>> = kept.iter().map(|v| whole_number(v)).collect();
    if let Some(whole) = &whole {
        let clean = whole.iter().filter(|x| (0..=10).contains(*x)).count();
        let codes: Vec<i64> = whole.iter().copied().filter(|x| !(0..=10).contains(x)).collect();
        if clean > 0 && !codes.is_empty() && codes.iter().all(|c| MISSING_CODES.contains(c)) {
            for code in codes {
                let text = code.to_string();
                if !out.missing.contains(&text) {
                    out.missing.push(text);
                }
            }
            kept.retain(|v| whole_number(v).is_some_and(|x| (0..=10).contains(&x)));
        }
    }
    let mut distinct: Vec<&str> = kept.clone();
    distinct.sort_unstable();
    distinct.dedup();
    out.distinct = distinct.len();
    out.examples = distinct.iter().take(3).map(|s| s.to_string()).collect();
    if kept.is_empty() {
        return out;
    }
    let enough = |fitting: usize| fitting as f64 >= FIT * kept.len() as f64;
    let whole: Vec<i64> = kept.iter().filter_map(|v| whole_number(v)).collect();
    if enough(whole.len()) {
        out.integers = Some((whole.iter().copied().min().unwrap_or(0), whole.iter().copied().max().unwrap_or(0)));
        out.scale = scale_of(&whole, kept.len());
        if let Some((a, b)) = out.scale {
            let odd =
                kept.iter().filter(|v| !v.parse::<i64>().is_ok_and(|x| (i64::from(a)..=i64::from(b)).contains(&x)));
            for value in odd {
                if out.odd.len() < 5 && !out.odd.iter().any(|o| o == value) {
                    out.odd.push(value.to_string());
                }
            }
        }
    }
    let numbers: Vec<f64> = kept.iter().filter_map(|v| v.parse::<f64>().ok().filter(|x| x.is_finite())).collect();
    if enough(numbers.len()) {
        out.numbers = Some(numbers.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(*x), b.max(*x))));
    }
    out.boolean = enough(kept.iter().filter(|v| parse_bool(v).is_ok()).count());
    out.time_of_day = enough(kept.iter().filter(|v| v.contains(':') && parse_time_of_day(v).is_ok()).count());
    // `00:02:23` is both: the field it is mapped to decides.
    out.clock = enough(kept.iter().filter(|v| v.contains(':') && parse_duration(v, 60).is_ok()).count());
    let (format, ambiguous) = date_format_of(&kept);
    out.date_format = format;
    out.ambiguous_date = ambiguous;
    out.datetime = format.is_some_and(|f| f.contains("%H") || (f.is_empty() && kept.iter().any(|v| v.len() > 10)));
    out
}

/// A whole number, written so or with a zero fraction (`3.0`, as SPEC §2 reads scores).
fn whole_number(value: &str) -> Option<i64> {
    value
        .parse::<i64>()
        .ok()
        .or_else(|| value.parse::<f64>().ok().filter(|x| x.fract() == 0.0 && x.abs() < 1e15).map(|x| x as i64))
}

/// The standard scale of whole numbers (of `total` values): the smallest holding all but
/// a stray 1%; or all but 5% when the wider scale's own top answer never occurs (a few
/// 6s on a 1–5 item with no 7 are bad values, not a 1–7 scale).
fn scale_of(whole: &[i64], total: usize) -> Option<(i32, i32)> {
    let within = |(a, b): (i64, i64)| whole.iter().filter(|x| (a..=b).contains(*x)).count() as f64;
    let next_top_absent = |i: usize| SCALES.get(i + 1).is_some_and(|&(_, top)| !whole.contains(&top));
    SCALES
        .into_iter()
        .enumerate()
        .find(|&(i, scale)| {
            within(scale) >= SCALE_FIT * total as f64 || (within(scale) >= FIT * total as f64 && next_top_absent(i))
        })
        .map(|(_, (a, b))| (a as i32, b as i32))
}

/// The date format (nearly) every value reads with: `""` for ISO, else the first of
/// [`DATE_FORMATS`]; and whether the month-first reading fits too (day-first taken).
fn date_format_of(values: &[&str]) -> (Option<&'static str>, bool) {
    let iso = DateParser::default();
    let enough = |fitting: usize| fitting as f64 >= FIT * values.len() as f64;
    if enough(values.iter().filter(|v| iso.parse(v).is_ok_and(|d| d.is_some())).count()) {
        return (Some(""), false);
    }
    let reads = |format: &str| {
        enough(
            values
                .iter()
                .filter(|v| {
                    if format == "%Y%m%d" {
                        return v.len() == 8
                            && NaiveDate::parse_from_str(v, format)
                                .is_ok_and(|d| (1900..=2100).contains(&chrono::Datelike::year(&d)));
                    }
                    NaiveDate::parse_from_str(v, format).is_ok() || NaiveDateTime::parse_from_str(v, format).is_ok()
                })
                .count(),
        )
    };
    let Some(format) = DATE_FORMATS.into_iter().find(|f| reads(f)) else { return (None, false) };
    let month_first = format.replace("%d/%m", "%m/%d").replace("%d-%m", "%m-%d").replace("%d.%m", "%m.%d");
    let ambiguous = month_first != format && reads(&month_first);
    (Some(format), ambiguous)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seven_point_scale_with_minus_99_codes() {
        let p = profile(&["7", "6", "-99", "1", "", "4", "-99", "NA"]);
        assert_eq!(p.integers, Some((1, 7)));
        assert_eq!(p.scale(), Some((1, 7)));
        assert_eq!(p.missing, ["NA", "-99"]);
        assert!(p.date_format.is_none());
        // 0–10 recommend item; 1–10 item; 1–5.
        assert_eq!(profile(&["0", "10", "9"]).scale(), Some((0, 10)));
        assert_eq!(profile(&["1", "10", "9"]).scale(), Some((1, 10)));
        assert_eq!(profile(&["1", "5", "3"]).scale(), Some((1, 5)));
        // A code that is not a known missing code is a value: no scale.
        assert_eq!(profile(&["1", "5", "50"]).scale(), None);
        // `3.0` is 3; 999 is a missing code.
        assert_eq!(profile(&["3.0", "5.0", "1"]).scale(), Some((1, 5)));
        assert_eq!(profile(&["3", "999", "5"]).missing, ["999"]);
        // 2 stray 6s in 100 answers and no 7: 1–5 (the 6s are rejected as bad values).
        let mut answers: Vec<&str> = vec!["4"; 98];
        answers.extend(["6", "6"]);
        assert_eq!(profile(&answers).scale(), Some((1, 5)));
        answers[0] = "7";
        assert_eq!(profile(&answers).scale(), Some((1, 7)));
    }

    #[test]
    fn dates_in_their_formats() {
        assert_eq!(profile(&["2025-01-02", "2025-01-03T10:00:00"]).date_format, Some(""));
        assert_eq!(profile(&["20101201", "20110109"]).date_format, Some("%Y%m%d"));
        assert_eq!(profile(&["12345678"]).date_format, None);
        let p = profile(&["01-06-2023 12:15", "22-03-2021 09:00"]);
        assert_eq!((p.date_format, p.datetime, p.ambiguous_date), (Some("%d-%m-%Y %H:%M"), true, false));
        // Day 13 decides day-first; all days ≤ 12: day-first, said to be a guess.
        assert_eq!(profile(&["13/02/2024"]).date_format, Some("%d/%m/%Y"));
        assert_eq!(profile(&["02/13/2024"]).date_format, Some("%m/%d/%Y"));
        assert!(profile(&["02/03/2024"]).ambiguous_date);
        assert_eq!(profile(&["2024/03/05"]).date_format, Some("%Y/%m/%d"));
        assert_eq!(profile(&["2024年1月10日", "2024年12月3日"]).date_format, Some("%Y年%m月%d日"));
        assert_eq!(
            profile(&["03/15/2024 10:22:13 AM", "03/16/2024 01:05:00 PM"]).date_format,
            Some("%m/%d/%Y %I:%M:%S %p")
        );
    }

    #[test]
    fn booleans_times_clocks_and_text() {
        assert!(profile(&["Y", "N", "y"]).boolean);
        assert!(profile(&["9:12:58", "17:00:01"]).time_of_day);
        let clock = profile(&["00:02:23", "0:05:10", "26:00:00"]);
        assert!(clock.clock && !clock.time_of_day);
        let text = profile(&["billing", "delivery", "billing"]);
        assert_eq!((text.distinct, text.integers, text.boolean), (2, None, false));
        assert!(profile(&["", " "]).is_empty());
        assert_eq!(profile(&["12.5", "3"]).numbers, Some((3.0, 12.5)));
    }
}
