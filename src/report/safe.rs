//! Making values safe for where they are shown (SPEC §9): CSV cells that a
//! spreadsheet would run as formulas, control characters that a terminal would obey,
//! Markdown that would become HTML, characters XML forbids.

use std::borrow::Cow;

/// Neutralises a CSV text cell against formula injection (OWASP): a cell that begins
/// with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`. Numbers
/// (`-3.5`, `+4`) never change.
pub fn safe_cell(text: &str) -> Cow<'_, str> {
    let risky = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if !risky || text.trim().parse::<f64>().is_ok_and(f64::is_finite) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(format!("'{text}"))
}

/// Writes one CSV record with every cell through [`safe_cell`].
pub fn write_csv_record<W: std::io::Write, S: AsRef<str>>(
    writer: &mut csv::Writer<W>,
    cells: impl IntoIterator<Item = S>,
) -> csv::Result<()> {
    writer.write_record(cells.into_iter().map(|c| safe_cell(c.as_ref()).into_owned()))
}

/// Shows control characters escaped (`\u{1b}`), so that a value printed to a
/// terminal or to stderr cannot move the cursor, retitle the window or hide text.
pub fn terminal(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars().map(|c| if c.is_control() { c.escape_unicode().to_string() } else { c.to_string() }).collect(),
    )
}

/// Escapes a Markdown table cell: `|`, `&`, `<`, `>` and line breaks (as `<br>`), and
/// control characters as for [`terminal`].
pub fn markdown(text: &str) -> String {
    let text = text.replace("\r\n", "\n");
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\n' => out.push_str("<br>"),
            c if c.is_control() => out.push_str(&c.escape_unicode().to_string()),
            c => out.push(c),
        }
    }
    out
}

/// Replaces characters XML 1.0 cannot hold (most C0 controls, U+FFFE, U+FFFF) with
/// their escaped form, so a JUnit file always parses.
pub fn xml(text: &str) -> Cow<'_, str> {
    let allowed = |c: char| matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{fffe}' && c != '\u{ffff}');
    if text.chars().all(allowed) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.chars().map(|c| if allowed(c) { c.to_string() } else { c.escape_unicode().to_string() }).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_that_start_a_formula_get_a_quote_and_numbers_do_not() {
        assert_eq!(safe_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(safe_cell("+cmd|' /C calc'!A0"), "'+cmd|' /C calc'!A0");
        assert_eq!(safe_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(safe_cell("\t=1+1"), "'\t=1+1");
        assert_eq!(safe_cell("-"), "'-");
        assert_eq!(safe_cell("-3.5"), "-3.5");
        assert_eq!(safe_cell("+4"), "+4");
        assert_eq!(safe_cell("chat"), "chat");
        assert_eq!(safe_cell(""), "");
    }

    #[test]
    fn terminal_text_shows_control_characters_escaped() {
        assert_eq!(terminal("a\u{1b}]0;pwned\u{7}b"), "a\\u{1b}]0;pwned\\u{7}b");
        assert_eq!(terminal("\u{9b}2J"), "\\u{9b}2J");
        assert_eq!(terminal("café"), "café");
    }

    #[test]
    fn markdown_cells_hold_no_html_and_no_line_break() {
        assert_eq!(markdown("<script>a|b</script>"), "&lt;script&gt;a\\|b&lt;/script&gt;");
        assert_eq!(markdown("x\r\ny"), "x<br>y");
        assert_eq!(markdown("&lt;b&gt;"), "&amp;lt;b&amp;gt;");
    }

    #[test]
    fn xml_text_has_no_forbidden_character() {
        assert_eq!(xml("a\u{fffe}b\u{1}c\td"), "a\\u{fffe}b\\u{1}c\td");
        assert_eq!(xml("ok"), "ok");
    }
}
