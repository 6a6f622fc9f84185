//! What `servq sql` checks of a file before an engine's CSV reader gets it: the engine
//! would read it differently from servq, so the script is refused with the reason
//! instead of giving other figures (SPEC §13).

use std::io::Read;
use std::path::Path;

use anyhow::{Context, Result, bail};

use super::dialect::Dialect;

/// The first bytes of `path` (up to `n`).
fn head(path: &Path, n: usize) -> Result<Vec<u8>> {
    let mut bytes = Vec::with_capacity(n);
    let file = std::fs::File::open(path).with_context(|| format!("{}: cannot open", path.display()))?;
    file.take(n as u64).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// The delimiter servq's reader would use (sniffed from the header line).
pub fn sniffed_delimiter(path: &Path) -> Result<u8> {
    let bytes = head(path, 1 << 16)?;
    let line = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    Ok(crate::input::source::sniff_delimiter(line))
}

/// Refuses a file the engines read otherwise than servq: Parquet, gzip, UTF-16, text
/// that is not UTF-8, lines ended by CR alone or by both CRLF and LF (one pass over the
/// file), a path the engine would expand as a glob; and for PostgreSQL's `COPY`, a
/// quote inside an unquoted field, a blank line or a line `\.`.
pub fn check(path: &Path, dialect: Dialect, delimiter: u8) -> Result<()> {
    let name = path.display().to_string();
    let bytes = head(path, 1 << 16)?;
    let load = "load it into a table and give --table";
    if bytes.starts_with(b"PAR1") {
        bail!("{name}: servq sql reads CSV files; {load}");
    }
    if bytes.starts_with(&[0x1f, 0x8b]) {
        bail!("{name}: a gzip file: decompress it for servq sql, or {load}");
    }
    if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) {
        bail!("{name}: UTF-16 text: servq sql reads UTF-8 files only; convert it, or {load}");
    }
    if let Err(e) = std::str::from_utf8(&bytes)
        && (e.error_len().is_some() || bytes.len() < (1 << 16))
    {
        bail!("{name}: not UTF-8 (byte {}): servq sql reads UTF-8 files only; convert it, or {load}", e.valid_up_to());
    }
    if !bytes.contains(&b'\n') && bytes.contains(&b'\r') {
        bail!("{name}: lines end with CR alone (old Mac): convert the line ends to LF, or {load}");
    }
    if dialect != Dialect::Postgres && name.contains(['*', '?', '[', ']', '{', '}']) {
        bail!("{name}: {} would read the path as a pattern (* ? [ ] {{ }}): rename the file", dialect.as_str());
    }
    // servq report stops at a file of only a header; the engines would read it as no rows.
    if let Some(end) = bytes.iter().position(|&b| b == b'\n')
        && bytes.len() < (1 << 16)
        && bytes[end..].iter().all(u8::is_ascii_whitespace)
    {
        bail!("{name}: no data rows (the file has only a header)");
    }
    let file = std::fs::File::open(path).with_context(|| format!("{name}: cannot open"))?;
    let reader = std::io::BufReader::with_capacity(1 << 20, file);
    let copy = dialect == Dialect::Postgres;
    if let Some((line, what)) = hazard(reader, delimiter, copy)? {
        let engine = if what == MIXED || !copy { "the engines read it" } else { "PostgreSQL's COPY reads it" };
        bail!(
            "{name}: line {line}: {what}: {engine} otherwise than servq; fix the line, or load the file into a table yourself and give --table"
        );
    }
    Ok(())
}

/// Lines ended by CRLF and by LF in one file (Spark glues such lines together; DuckDB
/// and PostgreSQL stop).
const MIXED: &str = "the line ends change between CRLF and LF";

/// The first line where the engines' CSV readers part from servq's: line ends that
/// change between CRLF and LF, a quote after spaces at the start of a field (` "web"`);
/// with `copy`, PostgreSQL's: any quote inside an unquoted field (`27" TV`), a blank
/// line (a row of one empty field there) or a line `\.` (the end of the data there).
fn hazard(mut reader: impl Read, delimiter: u8, copy: bool) -> Result<Option<(u64, &'static str)>> {
    #[derive(PartialEq)]
    enum State {
        Field { start: bool },
        Quoted,
        QuoteInQuoted,
    }
    let mut state = State::Field { start: true };
    // Whether the field so far is spaces or tabs only.
    let mut blank = true;
    let (mut line, mut line_start) = (1u64, 1u64);
    // The bytes of the current record outside quotes, up to 3 (for `\.` and blanks).
    let mut record: Vec<u8> = Vec::with_capacity(4);
    let mut buffer = vec![0u8; 1 << 20];
    // Whether the first line ended with CRLF.
    let mut crlf: Option<bool> = None;
    let mut last = 0u8;
    loop {
        let n = reader.read(&mut buffer)?;
        if n == 0 {
            return Ok(None);
        }
        for &b in &buffer[..n] {
            let before = last;
            last = b;
            if state == State::QuoteInQuoted {
                state = if b == b'"' { State::Quoted } else { State::Field { start: false } };
                if state == State::Quoted {
                    continue;
                }
            }
            match state {
                State::Quoted => {
                    if b == b'"' {
                        state = State::QuoteInQuoted;
                    }
                    if b == b'\n' {
                        line += 1;
                    }
                    record.push(b'x');
                }
                State::Field { start } => match b {
                    b'"' if start => {
                        state = State::Quoted;
                        record.push(b'"');
                    }
                    // COPY opens a quoted section there; after nothing but spaces, DuckDB
                    // drops them and reads the quoted text: servq keeps the field as written.
                    b'"' if copy || blank => return Ok(Some((line, "a quote inside an unquoted field"))),
                    b'\n' => {
                        let ends_crlf = before == b'\r';
                        if *crlf.get_or_insert(ends_crlf) != ends_crlf {
                            return Ok(Some((line, MIXED)));
                        }
                        let text: &[u8] = record.strip_suffix(b"\r").unwrap_or(&record);
                        if copy && text.is_empty() {
                            return Ok(Some((line_start, "a blank line")));
                        }
                        if copy && text == b"\\." {
                            return Ok(Some((line_start, "a line \\.")));
                        }
                        record.clear();
                        line += 1;
                        line_start = line;
                        state = State::Field { start: true };
                        blank = true;
                    }
                    _ if b == delimiter => {
                        record.push(b);
                        state = State::Field { start: true };
                        blank = true;
                    }
                    _ => {
                        blank &= b == b' ' || b == b'\t';
                        if record.len() < 3 {
                            record.push(b);
                        } else {
                            record[2] = b'x';
                        }
                        state = State::Field { start: false };
                    }
                },
                State::QuoteInQuoted => unreachable!("handled above"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hazard(text: &str) -> Option<(u64, &'static str)> {
        super::hazard(text.as_bytes(), b',', true).unwrap()
    }

    #[test]
    fn copy_hazards_are_found_on_their_line() {
        assert_eq!(hazard("a,b\n1,\"x\"\"y\"\n2,\"multi\nline\"\n"), None);
        assert_eq!(hazard("a,b\r\n1,2\r\n"), None);
        assert_eq!(hazard("date,channel\n2025-01-01,27\" TV\n"), Some((2, "a quote inside an unquoted field")));
        assert_eq!(hazard("a\n1\n\n2\n"), Some((3, "a blank line")));
        assert_eq!(hazard("a\r\n1\r\n\r\n"), Some((3, "a blank line")));
        assert_eq!(hazard("a\n\\.\n2\n"), Some((2, "a line \\.")));
        assert_eq!(hazard("a,b\n\"q\nq\",\\.\n\\.x\n"), None);
        // A line that is `\.` inside a quoted field is data.
        assert_eq!(hazard("a\n\"x\n\\.\ny\"\n"), None);
        // Line ends: CRLF or LF throughout (LF inside quotes is data), not both.
        assert_eq!(hazard("a\r\n\"x\ny\"\r\n"), None);
        assert_eq!(hazard("a\r\n1\n2\r\n"), Some((2, MIXED)));
        // Without COPY a blank line is no hazard; a quote inside an unquoted field is
        // (DuckDB reads ` "web"` as `web`: h18f-5).
        assert_eq!(super::hazard("a\n27 TV\n\n".as_bytes(), b',', false).unwrap(), None);
        let quoted = super::hazard("a\n \"web\"\n".as_bytes(), b',', false).unwrap();
        assert_eq!(quoted, Some((2, "a quote inside an unquoted field")));
    }
}
