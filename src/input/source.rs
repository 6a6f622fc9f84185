//! Opening input files: glob expansion, gzip, text encodings and the CSV dialect.
//! No other module opens an input file by hand.

use std::fs::File;
use std::io::{BufRead, BufReader, Cursor, Read};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use encoding_rs::Encoding;
use encoding_rs_io::DecodeReaderBytesBuilder;

/// How files are read: the CSV delimiter and the text encoding.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// The field delimiter; sniffed from the header line when `None`.
    pub delimiter: Option<u8>,
    /// The text encoding; UTF-8 (BOMs of UTF-8 and UTF-16 honoured) when `None`.
    pub encoding: Option<&'static Encoding>,
}

/// Parses an `--encoding` label (`utf-8`, `gbk`, `gb18030`, `utf-16le`, …).
pub fn parse_encoding(label: &str) -> Result<&'static Encoding> {
    Encoding::for_label(label.trim().as_bytes())
        .with_context(|| format!("--encoding {label}: unknown encoding (try utf-8, gb18030, gbk, utf-16le, utf-16be)"))
}

/// Parses a `--delimiter` value: one ASCII character, or `tab` / `\t`.
pub fn parse_delimiter(value: &str) -> Result<u8, String> {
    match value {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        v if v.len() == 1 && v.is_ascii() => Ok(v.as_bytes()[0]),
        _ => Err(format!("'{value}' is not a single ASCII character (use tab for a tab)")),
    }
}

/// Expands paths and glob patterns into files. A pattern that matches nothing and
/// a path that does not exist are errors naming them.
pub fn expand(patterns: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for pattern in patterns {
        let text = pattern.to_string_lossy();
        if !text.contains(['*', '?', '[']) {
            if !pattern.exists() {
                bail!("{}: no such file", pattern.display());
            }
            files.push(pattern.clone());
            continue;
        }
        let matches = glob::glob(&text).with_context(|| format!("{text}: not a valid glob pattern"))?;
        let mut found: Vec<PathBuf> = matches.filter_map(Result::ok).filter(|p| p.is_file()).collect();
        if found.is_empty() {
            bail!("{text}: no file matches this pattern");
        }
        found.sort();
        files.append(&mut found);
    }
    Ok(files)
}

/// Opens a CSV file (gzip-compressed or not, in the given encoding) with its
/// delimiter sniffed or given. Records may have any number of fields: the loader
/// rejects ragged rows itself, with their line numbers.
pub fn open_csv(path: &Path, options: &ReadOptions) -> Result<csv::Reader<Box<dyn Read>>> {
    let file = File::open(path).with_context(|| format!("{}: cannot open", path.display()))?;
    let mut raw = BufReader::with_capacity(1 << 20, file);
    let head = raw.fill_buf().with_context(|| format!("{}: cannot read", path.display()))?;
    let gzip = head.starts_with(&[0x1f, 0x8b]);
    let bytes: Box<dyn Read> = if gzip { Box::new(flate2::read::MultiGzDecoder::new(raw)) } else { Box::new(raw) };
    let decoded =
        DecodeReaderBytesBuilder::new().encoding(options.encoding).bom_sniffing(true).strip_bom(true).build(bytes);
    let mut text = BufReader::with_capacity(1 << 20, decoded);
    let mut first_line = Vec::new();
    text.read_until(b'\n', &mut first_line).with_context(|| format!("{}: cannot read", path.display()))?;
    let delimiter = options.delimiter.unwrap_or_else(|| sniff_delimiter(&first_line));
    let rest: Box<dyn Read> = Box::new(Cursor::new(first_line).chain(text));
    Ok(csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).has_headers(true).from_reader(rest))
}

/// Picks the delimiter among `,` `;` tab `|` that occurs most often, outside quotes,
/// in the header line; `,` when none does.
pub fn sniff_delimiter(header: &[u8]) -> u8 {
    const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];
    let mut counts = [0usize; 4];
    let mut quoted = false;
    for &b in header {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted && let Some(i) = CANDIDATES.iter().position(|&c| c == b) {
            counts[i] += 1;
        }
    }
    let best = (0..4).max_by_key(|&i| (counts[i], std::cmp::Reverse(i))).unwrap_or(0);
    if counts[best] == 0 { b',' } else { CANDIDATES[best] }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_the_most_common_delimiter_outside_quotes() {
        assert_eq!(sniff_delimiter(b"a,b,c\n"), b',');
        assert_eq!(sniff_delimiter(b"a;b;c\n"), b';');
        assert_eq!(sniff_delimiter(b"a\tb\tc\n"), b'\t');
        assert_eq!(sniff_delimiter(b"\"x,y,z\"|b|c\n"), b'|');
        assert_eq!(sniff_delimiter(b"single\n"), b',');
    }

    #[test]
    fn delimiter_flag_values() {
        assert_eq!(parse_delimiter("tab"), Ok(b'\t'));
        assert_eq!(parse_delimiter(";"), Ok(b';'));
        assert!(parse_delimiter(";;").is_err());
    }

    #[test]
    fn encodings_by_label() {
        assert_eq!(parse_encoding("GBK").unwrap().name(), "GBK");
        assert_eq!(parse_encoding("gb18030").unwrap().name(), "gb18030");
        assert!(parse_encoding("klingon").is_err());
    }
}
