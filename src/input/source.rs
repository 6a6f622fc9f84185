//! Opening input files: glob expansion, gzip, text encodings and the CSV dialect.
//! No other module opens an input file by hand.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
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

/// Target size of a block of CSV text parsed in one piece.
const BLOCK_BYTES: usize = 4 << 20;

/// The rows of one input file.
pub enum Source {
    /// CSV text, cut into blocks at record boundaries (parsed in parallel).
    Csv(Blocks),
    /// A Parquet file read into memory, every column as text.
    Parquet(ParquetRows),
}

/// CSV text after the header, cut into blocks that end at a record boundary.
pub struct Blocks {
    reader: Box<dyn Read + Send>,
    carry: Vec<u8>,
    /// Buffers of parsed blocks, reused (fresh 4 MiB buffers cost page faults).
    spare: Vec<Vec<u8>>,
    next_line: u64,
    done: bool,
    /// The field delimiter.
    pub delimiter: u8,
}

/// A run of whole CSV records and the line number of its first byte.
pub struct Block {
    /// The text.
    pub bytes: Vec<u8>,
    /// The original line number where the block starts (header = line 1).
    pub first_line: u64,
}

/// Returns the end of the last complete record in `bytes`: one past the last line feed
/// that is outside quotes. `None` when there is none.
pub fn last_record_end(bytes: &[u8]) -> Option<usize> {
    // Without quotes every line feed ends a record.
    if memchr::memchr(b'"', bytes).is_none() {
        return memchr::memrchr(b'\n', bytes).map(|i| i + 1);
    }
    let mut quoted = false;
    let mut end = None;
    for i in memchr::memchr2_iter(b'"', b'\n', bytes) {
        if bytes[i] == b'"' {
            quoted = !quoted;
        } else if !quoted {
            end = Some(i + 1);
        }
    }
    end
}

impl Blocks {
    /// Reads the next block, or `None` at the end of the file.
    pub fn next_block(&mut self) -> Result<Option<Block>> {
        let mut buffer = self.spare.pop().unwrap_or_default();
        buffer.clear();
        buffer.extend_from_slice(&self.carry);
        self.carry.clear();
        // Read until the buffer holds a full block with a record end in it, or the input ends.
        while !self.done && (buffer.len() < BLOCK_BYTES || last_record_end(&buffer).is_none()) {
            let start = buffer.len();
            buffer.resize(start + BLOCK_BYTES, 0);
            let read = read_full(&mut self.reader, &mut buffer[start..])?;
            buffer.truncate(start + read);
            self.done = read < BLOCK_BYTES;
        }
        if buffer.is_empty() {
            self.spare.push(buffer);
            return Ok(None);
        }
        let end = if self.done { buffer.len() } else { last_record_end(&buffer).unwrap_or(buffer.len()) };
        self.carry.extend_from_slice(&buffer[end..]);
        buffer.truncate(end);
        let first_line = self.next_line;
        self.next_line += memchr::memchr_iter(b'\n', &buffer).count() as u64;
        Ok(Some(Block { bytes: buffer, first_line }))
    }

    /// Gives back the buffer of a block that has been parsed, for the next blocks.
    pub fn recycle(&mut self, block: Block) {
        if self.spare.len() < 32 {
            self.spare.push(block.bytes);
        }
    }
}

/// Reads until `buffer` is full or the input ends; returns the bytes read.
fn read_full(reader: &mut dyn Read, buffer: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match reader.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// The rows of a Parquet file, as text.
pub struct ParquetRows {
    columns: Vec<polars::prelude::StringChunked>,
    row: usize,
    height: usize,
}

impl ParquetRows {
    /// Reads the next row into `record`; returns its row number + 1 (as if there were
    /// a header line), or `None` at the end.
    pub fn next(&mut self, record: &mut csv::ByteRecord) -> Option<u64> {
        if self.row >= self.height {
            return None;
        }
        record.clear();
        for column in &self.columns {
            record.push_field(column.get(self.row).unwrap_or("").as_bytes());
        }
        self.row += 1;
        Some(self.row as u64 + 1)
    }
}

/// Returns a CSV reader over one block of whole records.
pub fn block_reader(block: &Block, delimiter: u8) -> csv::Reader<&[u8]> {
    // Records end at '\n' only: with the default CRLF terminator the csv crate's line
    // numbers fall behind on CRLF files (rust-csv#395). A trailing '\r' stays in the
    // last field, and every value is trimmed before use.
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .terminator(csv::Terminator::Any(b'\n'))
        .flexible(true)
        .has_headers(false)
        .from_reader(&block.bytes[..])
}

/// Opens an input file: Parquet (by its magic bytes), else CSV (gzip-compressed or
/// not, in the given or detected encoding, with its delimiter sniffed or given).
/// Returns the header names and the rows.
pub fn open(path: &Path, options: &ReadOptions) -> Result<(Vec<String>, Source)> {
    let file = File::open(path).with_context(|| format!("{}: cannot open", path.display()))?;
    let mut raw = BufReader::with_capacity(1 << 20, file);
    let head = raw.fill_buf().with_context(|| format!("{}: cannot read", path.display()))?;
    if head.starts_with(b"PAR1") {
        return open_parquet(path);
    }
    open_csv(raw, path, options)
}

/// Returns only the header names of an input file (a Parquet file's schema is read,
/// not its data).
pub fn headers(path: &Path, options: &ReadOptions) -> Result<Vec<String>> {
    let file = File::open(path).with_context(|| format!("{}: cannot open", path.display()))?;
    let mut raw = BufReader::with_capacity(1 << 16, file);
    if raw.fill_buf().with_context(|| format!("{}: cannot read", path.display()))?.starts_with(b"PAR1") {
        use polars::prelude::{ParquetReader, SerReader};
        let file = File::open(path).with_context(|| format!("{}: cannot open", path.display()))?;
        let schema = ParquetReader::new(file)
            .schema()
            .map_err(|err| anyhow::anyhow!("{}: not a readable Parquet file: {err}", path.display()))?;
        return Ok(schema.iter_names().map(|n| n.to_string()).collect());
    }
    open_csv(raw, path, options).map(|(names, _)| names)
}

fn open_parquet(path: &Path) -> Result<(Vec<String>, Source)> {
    use polars::prelude::*;
    let file = File::open(path).with_context(|| format!("{}: cannot open", path.display()))?;
    let frame = ParquetReader::new(file)
        .finish()
        .map_err(|err| anyhow::anyhow!("{}: not a readable Parquet file: {err}", path.display()))?;
    let headers = frame.get_column_names().iter().map(|n| n.to_string()).collect();
    let mut columns = Vec::with_capacity(frame.width());
    for column in frame.columns() {
        let text = column.cast(&DataType::String).map_err(|err| {
            anyhow::anyhow!("{}: column {} cannot be read as text: {err}", path.display(), column.name())
        })?;
        columns.push(text.str()?.clone());
    }
    Ok((headers, Source::Parquet(ParquetRows { columns, row: 0, height: frame.height() })))
}

/// Picks the encoding: the given one; else UTF-8 (a BOM, UTF-8 or UTF-16, is honoured
/// later) unless the first block is not valid UTF-8 but decodes cleanly as GB18030.
fn detect_encoding(head: &[u8], given: Option<&'static Encoding>) -> Option<&'static Encoding> {
    if given.is_some()
        || head.starts_with(&[0xef, 0xbb, 0xbf])
        || head.starts_with(&[0xff, 0xfe])
        || head.starts_with(&[0xfe, 0xff])
    {
        return given;
    }
    // Judge whole lines only, so a character cut at the block's end does not count.
    let complete = head.iter().rposition(|&b| b == b'\n').map_or(head, |i| &head[..=i]);
    if std::str::from_utf8(complete).is_ok() {
        return None;
    }
    let gb18030 = encoding_rs::GB18030;
    gb18030.decode_without_bom_handling_and_without_replacement(complete).map(|_| gb18030)
}

fn open_csv(raw: BufReader<File>, path: &Path, options: &ReadOptions) -> Result<(Vec<String>, Source)> {
    let gzip = raw.buffer().starts_with(&[0x1f, 0x8b]);
    let bytes: Box<dyn Read + Send> =
        if gzip { Box::new(flate2::read::MultiGzDecoder::new(raw)) } else { Box::new(raw) };
    let mut bytes = BufReader::with_capacity(1 << 20, bytes);
    let head = bytes.fill_buf().with_context(|| format!("{}: cannot read", path.display()))?;
    let encoding = detect_encoding(head, options.encoding);
    let bom = [&[0xef, 0xbb, 0xbf][..], &[0xff, 0xfe], &[0xfe, 0xff]].iter().any(|b| head.starts_with(b));
    // Plain UTF-8 needs no decoding: blocks are then read straight from the file.
    let mut text: Box<dyn BufRead + Send> = if encoding.is_none() && !bom {
        Box::new(bytes)
    } else {
        let decoded =
            DecodeReaderBytesBuilder::new().encoding(encoding).bom_sniffing(true).strip_bom(true).build(bytes);
        Box::new(BufReader::with_capacity(1 << 20, decoded))
    };
    let mut first_line = Vec::new();
    text.read_until(b'\n', &mut first_line).with_context(|| format!("{}: cannot read", path.display()))?;
    let delimiter = options.delimiter.unwrap_or_else(|| sniff_delimiter(&first_line));
    let header_block = Block { bytes: first_line, first_line: 1 };
    let mut header = csv::ByteRecord::new();
    block_reader(&header_block, delimiter)
        .read_byte_record(&mut header)
        .with_context(|| format!("{}: cannot read the header", path.display()))?;
    let names = header.iter().map(|h| String::from_utf8_lossy(h).trim_end_matches('\r').to_string()).collect();
    let blocks = Blocks { reader: text, carry: Vec::new(), spare: Vec::new(), next_line: 2, done: false, delimiter };
    Ok((names, Source::Csv(blocks)))
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
    fn record_ends_skip_newlines_inside_quotes() {
        assert_eq!(last_record_end(b"a,b\nc,d\ne"), Some(8));
        assert_eq!(last_record_end(b"a,\"x\ny\"\nb"), Some(8));
        assert_eq!(last_record_end(b"a,\"x\ny"), None);
        assert_eq!(last_record_end(b"a,\"\"\"q\"\"\"\n"), Some(10));
    }

    #[test]
    fn blocks_cover_the_text_and_count_lines() {
        let text = "1,\"a\nb\"\n2,c\n3,d\n".repeat(600_000);
        let mut blocks = Blocks {
            reader: Box::new(std::io::Cursor::new(text.clone().into_bytes())),
            carry: Vec::new(),
            spare: Vec::new(),
            next_line: 2,
            done: false,
            delimiter: b',',
        };
        let mut total = 0;
        let mut expected_line = 2;
        let mut count = 0;
        let mut joined = Vec::new();
        while let Some(block) = blocks.next_block().unwrap() {
            assert_eq!(block.first_line, expected_line);
            assert!(block.bytes.ends_with(b"\n"));
            expected_line += block.bytes.iter().filter(|&&b| b == b'\n').count() as u64;
            total += block.bytes.len();
            joined.extend_from_slice(&block.bytes);
            // Reused buffers must not carry old text into later blocks.
            blocks.recycle(block);
            count += 1;
        }
        assert_eq!(total, text.len());
        assert!(joined == text.as_bytes(), "the blocks are the text, in order");
        assert!(count > 1, "several blocks");
    }

    #[test]
    fn delimiter_flag_values() {
        assert_eq!(parse_delimiter("tab"), Ok(b'\t'));
        assert_eq!(parse_delimiter(";"), Ok(b';'));
        assert!(parse_delimiter(";;").is_err());
    }

    #[test]
    fn gb18030_is_detected_only_when_utf8_fails() {
        let (gbk, _, _) = encoding_rs::GB18030.encode("日期,满意度\n2025-01-01,5\n");
        assert_eq!(detect_encoding(&gbk, None).map(|e| e.name()), Some("gb18030"));
        assert_eq!(detect_encoding("日期,满意度\n".as_bytes(), None), None);
        assert_eq!(detect_encoding(b"\xff\xfed\x00", None), None);
        let given = encoding_rs::UTF_16LE;
        assert_eq!(detect_encoding(&gbk, Some(given)), Some(given));
    }

    #[test]
    fn encodings_by_label() {
        assert_eq!(parse_encoding("GBK").unwrap().name(), "GBK");
        assert_eq!(parse_encoding("gb18030").unwrap().name(), "gb18030");
        assert!(parse_encoding("klingon").is_err());
    }
}
