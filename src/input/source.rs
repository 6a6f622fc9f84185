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
    /// The longest record (line, or lines joined by a quoted field) read; a longer one
    /// is rejected with its line, so memory stays bounded. `None` means
    /// [`DEFAULT_MAX_RECORD_BYTES`].
    pub max_record_bytes: Option<usize>,
    /// Missing codes (`-99`, `N/A`, …): a value equal to one of them, after trimming,
    /// is missing (in no denominator), not rejected.
    pub missing: Vec<String>,
}

/// The default longest record: 64 MiB.
pub const DEFAULT_MAX_RECORD_BYTES: usize = 64 << 20;

impl ReadOptions {
    /// The longest record read, in bytes.
    pub fn max_record(&self) -> usize {
        self.max_record_bytes.unwrap_or(DEFAULT_MAX_RECORD_BYTES)
    }
}

/// Parses an `--encoding` label (`utf-8`, `gbk`, `gb18030`, `utf-16le`, …).
pub fn parse_encoding(label: &str) -> Result<&'static Encoding> {
    Encoding::for_label(label.trim().as_bytes())
        .with_context(|| format!("unknown encoding {label:?} (try utf-8, gb18030, gbk, utf-16le, utf-16be)"))
}

/// Parses a `--delimiter` value: one ASCII character, or `tab` / `\t`.
pub fn parse_delimiter(value: &str) -> Result<u8, String> {
    match value {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        "\"" | "\n" | "\r" => Err(format!("{value:?} cannot be the delimiter (it is the quote or a line end)")),
        v if v.len() == 1 && v.is_ascii() => Ok(v.as_bytes()[0]),
        _ => Err(format!("'{value}' is not a single ASCII character (use tab for a tab)")),
    }
}

/// Expands paths and glob patterns into files. A pattern that matches nothing and
/// a path that does not exist are errors naming them. A file named twice (by two
/// patterns, or two spellings of one path) is listed once.
pub fn expand(patterns: &[PathBuf]) -> Result<Vec<PathBuf>> {
    expand_unique(patterns).map(|(files, _)| files)
}

/// [`expand`], with a note for each file that was named more than once.
pub fn expand_unique(patterns: &[PathBuf]) -> Result<(Vec<PathBuf>, Vec<String>)> {
    let mut files: Vec<PathBuf> = Vec::new();
    let mut seen: Vec<PathBuf> = Vec::new();
    let mut notes = Vec::new();
    for pattern in patterns {
        let text = pattern.to_string_lossy();
        // A path that exists is that file, even with glob characters in its name.
        let found = if pattern.exists() || !text.contains(['*', '?', '[']) {
            if !pattern.exists() {
                bail!("{}: no such file", pattern.display());
            }
            vec![pattern.clone()]
        } else {
            let matches = glob::glob(&text).with_context(|| format!("{text}: not a valid glob pattern"))?;
            let mut found: Vec<PathBuf> = matches.filter_map(Result::ok).filter(|p| p.is_file()).collect();
            if found.is_empty() {
                bail!("{text}: no file matches this pattern");
            }
            found.sort();
            found
        };
        for file in found {
            let real = std::fs::canonicalize(&file).unwrap_or_else(|_| file.clone());
            match seen.iter().position(|s| *s == real) {
                Some(i) if files[i] == file => {
                    notes.push(format!("{} is named more than once: read once", file.display()))
                }
                Some(i) => notes.push(format!(
                    "{} is named more than once (as {}): read once",
                    files[i].display(),
                    file.display()
                )),
                None => {
                    seen.push(real);
                    files.push(file);
                }
            }
        }
    }
    Ok((files, notes))
}

/// Target size of a block of CSV text parsed in one piece.
pub(crate) const BLOCK_BYTES: usize = 4 << 20;

/// Buffers of parsed blocks, kept for the next blocks of any file: a fresh buffer costs a
/// page fault and the zeroing of every page it touches (about a third of the reading's
/// kernel time when each file had buffers of its own).
static SPARE: std::sync::Mutex<Vec<Vec<u8>>> = std::sync::Mutex::new(Vec::new());

/// The most buffers kept (two batches of blocks are in flight at once).
const SPARE_BUFFERS: usize = 32;

/// A buffer for a block: a kept one, else a new one of a block's size and some room for
/// the record carried over from the block before.
fn spare_buffer() -> Vec<u8> {
    let kept = SPARE.lock().unwrap_or_else(|e| e.into_inner()).pop();
    kept.unwrap_or_else(|| Vec::with_capacity(BLOCK_BYTES + (64 << 10)))
}

/// Keeps a block's buffer for the next blocks.
fn recycle_buffer(buffer: Vec<u8>) {
    let mut spare = SPARE.lock().unwrap_or_else(|e| e.into_inner());
    if spare.len() < SPARE_BUFFERS {
        spare.push(buffer);
    }
}

/// Frees the kept buffers (once the inputs are read: they would add to the peak memory
/// of what follows).
pub fn release_buffers() {
    SPARE.lock().unwrap_or_else(|e| e.into_inner()).clear();
}

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
    next_line: u64,
    done: bool,
    /// The field delimiter.
    pub delimiter: u8,
    /// The longest record read (see [`ReadOptions::max_record_bytes`]).
    limit: usize,
}

/// A run of whole CSV records and the line number of its first byte.
pub struct Block {
    /// The text.
    pub bytes: Vec<u8>,
    /// The original line number where the block starts (header = line 1).
    pub first_line: u64,
    /// A record that could not be read, right after `bytes`.
    pub bad: Option<BadRecord>,
    /// The number of line feeds in `bytes`.
    pub lines: u64,
    /// Whether `bytes` may hold a quote (false: they surely hold none).
    pub quoted: bool,
}

impl Block {
    /// A block of `bytes` starting on line `first_line`, counted and searched here.
    pub fn of(bytes: Vec<u8>, first_line: u64) -> Self {
        let (lines, quoted) = (count_lines(&bytes), memchr::memchr(b'"', &bytes).is_some());
        Block { bytes, first_line, bad: None, lines, quoted }
    }
}

/// A record rejected before parsing: a quote that never closes, or a record over the
/// size limit.
#[derive(Debug, Clone, PartialEq)]
pub struct BadRecord {
    /// The original line number where it starts.
    pub line: u64,
    /// Why it was rejected.
    pub reason: String,
    /// Its first bytes (at most [`BAD_TEXT`]).
    pub text: Vec<u8>,
}

/// How much of a bad record's text is kept for `--rejects`.
const BAD_TEXT: usize = 200;

impl BadRecord {
    /// A line over the size limit of `limit` bytes.
    pub fn too_long(line: u64, text: &[u8], limit: usize) -> Self {
        let mib = limit as f64 / f64::from(1 << 20);
        BadRecord::new(line, format!("line longer than the limit of {mib} MiB (--max-record-mib)"), text)
    }

    fn new(line: u64, reason: String, text: &[u8]) -> Self {
        let text = &text[..text.len().min(BAD_TEXT)];
        let text = text.strip_suffix(b"\n").unwrap_or(text);
        BadRecord { line, reason, text: text.strip_suffix(b"\r").unwrap_or(text).to_vec() }
    }
}

/// Where the records of a text end, read as the csv crate reads them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordScan {
    /// One past the last line feed outside quotes; `None` when there is none.
    pub last_end: Option<usize>,
    /// When the text ends inside a quoted field: where its opening quote is.
    pub open_quote: Option<usize>,
    /// A quoted field that runs over a line end and closes with text right after its
    /// closing quote (`"oops,4⏎…⏎x,"quoted"…`): almost surely a stray quote that
    /// swallowed the lines in between. Where its opening quote is; the scan stops there.
    pub stray_quote: Option<usize>,
    /// Whether the text holds a quote at all.
    pub quoted: bool,
}

/// Scans `bytes`, which start at a record boundary, as the csv crate parses them: a
/// quote opens a quoted field only at the start of a field (elsewhere it is a plain
/// character), `""` inside a quoted field is a quote, and a line feed outside quotes
/// ends the record.
pub fn scan_records(bytes: &[u8], delimiter: u8) -> RecordScan {
    let mut last_end = None;
    let mut i = 0;
    // Without quotes every line feed ends a record.
    if memchr::memchr(b'"', bytes).is_none() {
        return RecordScan {
            last_end: memchr::memrchr(b'\n', bytes).map(|i| i + 1),
            open_quote: None,
            stray_quote: None,
            quoted: false,
        };
    }
    while let Some(offset) = memchr::memchr2(b'"', b'\n', &bytes[i..]) {
        let at = i + offset;
        i = at + 1;
        if bytes[at] == b'\n' {
            last_end = Some(at + 1);
            continue;
        }
        let starts_field = at == 0 || bytes[at - 1] == delimiter || bytes[at - 1] == b'\n';
        if !starts_field {
            continue;
        }
        // A quoted field: up to the quote that is not doubled.
        loop {
            let Some(offset) = memchr::memchr(b'"', &bytes[i..]) else {
                return RecordScan { last_end, open_quote: Some(at), stray_quote: None, quoted: true };
            };
            let quote = i + offset;
            i = quote + 1;
            match bytes.get(quote + 1) {
                Some(b'"') => i += 1,
                Some(&next) if next != delimiter && next != b'\n' && next != b'\r' => {
                    if memchr::memchr(b'\n', &bytes[at..quote]).is_some() {
                        return RecordScan { last_end, open_quote: None, stray_quote: Some(at), quoted: true };
                    }
                    break;
                }
                _ => break,
            }
        }
    }
    RecordScan { last_end, open_quote: None, stray_quote: None, quoted: true }
}

/// Returns the end of the last complete record in `bytes` (see [`scan_records`]).
pub fn last_record_end(bytes: &[u8], delimiter: u8) -> Option<usize> {
    scan_records(bytes, delimiter).last_end
}

impl Blocks {
    /// Reads the next block, or `None` at the end of the file.
    ///
    /// A record that is still inside a quoted field at the end of the file (or after
    /// the size limit) is cut out as a [`BadRecord`] ("unterminated quote"), and
    /// reading resumes on the line after the one where the quote opened. A line over
    /// the size limit outside quotes is skipped to its end without being kept.
    pub fn next_block(&mut self) -> Result<Option<Block>> {
        let mut buffer = spare_buffer();
        buffer.clear();
        buffer.extend_from_slice(&self.carry);
        self.carry.clear();
        // Read until the buffer holds a full block with a record end in it, or the input ends.
        let mut scan = scan_records(&buffer, self.delimiter);
        while !self.done && scan.stray_quote.is_none() && (buffer.len() < BLOCK_BYTES || scan.last_end.is_none()) {
            if scan.last_end.is_none() && buffer.len() > self.limit {
                if scan.open_quote.is_none() {
                    return self.skip_long_line(buffer).map(Some);
                }
                break;
            }
            let read = read_full(&mut self.reader, &mut buffer, BLOCK_BYTES)?;
            self.done = read < BLOCK_BYTES;
            scan = scan_records(&buffer, self.delimiter);
        }
        if buffer.is_empty() {
            recycle_buffer(buffer);
            return Ok(None);
        }
        let first_line = self.next_line;
        let over = buffer.len() > self.limit && scan.last_end.is_none();
        // A stray quote is cut at once; a quote still open, at the end of the input or
        // past the size limit.
        let cut = match (scan.stray_quote, scan.open_quote) {
            (Some(open), _) => Some((open, true)),
            (None, Some(open)) if self.done || over => Some((open, false)),
            _ => None,
        };
        let (end, bad, lines) = match cut {
            Some((open, stray)) => {
                let start = scan.last_end.unwrap_or(0);
                let lines = count_lines(&buffer[..start]);
                let line = first_line + lines;
                let open_line = line + count_lines(&buffer[start..open]);
                let resume = memchr::memchr(b'\n', &buffer[open..]).map_or(buffer.len(), |i| open + i + 1);
                let reason = if stray {
                    format!(
                        "stray quote (opened on line {open_line}; the next quote, on a later line, is followed by text)"
                    )
                } else if over {
                    format!("unterminated quote (opened on line {open_line}), or a record over the size limit")
                } else {
                    format!("unterminated quote (opened on line {open_line})")
                };
                self.carry.extend_from_slice(&buffer[resume..]);
                self.next_line = open_line + 1;
                (start, Some(BadRecord::new(line, reason, &buffer[start..resume])), lines)
            }
            _ => {
                let end = if self.done { buffer.len() } else { scan.last_end.unwrap_or(buffer.len()) };
                let lines = count_lines(&buffer[..end]);
                self.carry.extend_from_slice(&buffer[end..]);
                self.next_line += lines;
                (end, None, lines)
            }
        };
        buffer.truncate(end);
        Ok(Some(Block { bytes: buffer, first_line, bad, lines, quoted: scan.quoted }))
    }

    /// Skips a line longer than the limit with no quoted field open: reads on to its
    /// line feed (or the end of the input) without keeping it, and returns an empty
    /// block carrying it as a [`BadRecord`].
    fn skip_long_line(&mut self, buffer: Vec<u8>) -> Result<Block> {
        let line = self.next_line;
        let bad = BadRecord::too_long(line, &buffer, self.limit);
        let mut scratch = buffer;
        loop {
            scratch.clear();
            let read = read_full(&mut self.reader, &mut scratch, BLOCK_BYTES)?;
            if let Some(i) = memchr::memchr(b'\n', &scratch[..read]) {
                self.carry.extend_from_slice(&scratch[i + 1..read]);
                break;
            }
            if read < BLOCK_BYTES {
                self.done = true;
                break;
            }
        }
        self.next_line = line + 1;
        scratch.clear();
        Ok(Block { bytes: scratch, first_line: line, bad: Some(bad), lines: 0, quoted: false })
    }

    /// Gives back the buffer of a block that has been parsed, for the next blocks.
    pub fn recycle(&mut self, block: Block) {
        recycle_buffer(block.bytes);
    }
}

/// The number of line feeds in `bytes`.
fn count_lines(bytes: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', bytes).count() as u64
}

/// Appends `size` bytes of the input to `buffer`, fewer only at its end; returns the
/// bytes read. Read into the buffer's spare room: zeroing it first cost a pass over the
/// file.
fn read_full(reader: &mut dyn Read, buffer: &mut Vec<u8>, size: usize) -> std::io::Result<usize> {
    buffer.reserve(size);
    reader.take(size as u64).read_to_end(buffer)
}

/// The rows of a Parquet file, as text.
pub struct ParquetRows {
    columns: Vec<polars::prelude::StringChunked>,
    row: usize,
    height: usize,
    /// Columns of a type servq cannot read as text: (index, name, type). Their values
    /// read as empty; the loader refuses a file that needs one of them.
    pub unreadable: Vec<(usize, String, String)>,
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

/// The CSV parser's core, set as [`block_reader`] sets the reader.
pub fn record_parser(delimiter: u8) -> csv_core::Reader {
    csv_core::ReaderBuilder::new().delimiter(delimiter).terminator(csv_core::Terminator::Any(b'\n')).build()
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
    let unreadable = || anyhow::anyhow!("{}: not a readable Parquet file", path.display());
    let file = File::open(path).with_context(|| format!("{}: cannot open", path.display()))?;
    // A corrupted file must never take the process down: the reader's panics become
    // one error line.
    let frame = crate::error::catch_panic(|| ParquetReader::new(file).finish())
        .ok_or_else(unreadable)?
        .map_err(|err| anyhow::anyhow!("{}: not a readable Parquet file: {err}", path.display()))?;
    let headers = frame.get_column_names().iter().map(|n| n.to_string()).collect();
    let mut columns = Vec::with_capacity(frame.width());
    let mut skipped = Vec::new();
    for (index, column) in frame.columns().iter().enumerate() {
        let text = crate::error::catch_panic(|| parquet_text(column)).ok_or_else(unreadable)?;
        columns.push(text.unwrap_or_else(|| {
            skipped.push((index, column.name().to_string(), column.dtype().to_string()));
            StringChunked::full_null(column.name().clone(), column.len())
        }));
    }
    let rows = ParquetRows { columns, row: 0, height: frame.height(), unreadable: skipped };
    Ok((headers, Source::Parquet(rows)))
}

/// A Parquet column as text, exactly: numbers and decimals as written, dates as ISO
/// dates, datetimes as ISO datetimes (with `Z` when the column has a time zone, so the
/// loader converts them to `--tz`). A date out of the calendar's range becomes text
/// the date parser rejects for that row. `None` for types with no text form (lists,
/// binary, structs, durations).
fn parquet_text(column: &polars::prelude::Column) -> Option<polars::prelude::StringChunked> {
    use polars::prelude::*;
    let name = column.name().clone();
    let text_of = |values: Vec<Option<String>>| StringChunked::from_iter_options(name.clone(), values.into_iter());
    match column.dtype() {
        DataType::Date => {
            let days = column.to_physical_repr().i32().ok()?.clone();
            Some(text_of(days.iter().map(|d| d.map(date_text)).collect()))
        }
        DataType::Datetime(unit, tz) => {
            let per_second: i64 = match unit {
                TimeUnit::Nanoseconds => 1_000_000_000,
                TimeUnit::Microseconds => 1_000_000,
                TimeUnit::Milliseconds => 1_000,
            };
            let zone = if tz.is_some() { "Z" } else { "" };
            let values = column.to_physical_repr().i64().ok()?.clone();
            Some(text_of(values.iter().map(|v| v.map(|v| datetime_text(v, per_second, zone))).collect()))
        }
        DataType::String => column.str().ok().cloned(),
        DataType::Boolean
        | DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::Int128
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::UInt64
        | DataType::Float32
        | DataType::Float64
        | DataType::Decimal(..)
        | DataType::Null => column.cast(&DataType::String).ok()?.str().ok().cloned(),
        _ => None,
    }
}

/// Days since 1970 as an ISO date, or text the date parser rejects.
fn date_text(days: i32) -> String {
    chrono::NaiveDate::from_num_days_from_ce_opt(days.saturating_add(719_163))
        .filter(|d| (0..=9999).contains(&chrono::Datelike::year(d)))
        .map_or_else(|| format!("out of range: {days} days from 1970-01-01"), |d| d.format("%Y-%m-%d").to_string())
}

/// A timestamp in units of `1 / per_second` seconds as an ISO datetime (with `zone`
/// appended), or text the date parser rejects.
fn datetime_text(value: i64, per_second: i64, zone: &str) -> String {
    let seconds = value.div_euclid(per_second);
    let nanos = (value.rem_euclid(per_second) * (1_000_000_000 / per_second)) as u32;
    chrono::DateTime::from_timestamp(seconds, nanos)
        .filter(|d| (0..=9999).contains(&chrono::Datelike::year(d)))
        .map_or_else(
            || format!("out of range: {value} units from 1970-01-01"),
            |d| format!("{}{zone}", d.naive_utc().format("%Y-%m-%dT%H:%M:%S%.f")),
        )
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
    // The header is read line by line, never more than the record limit (a file with
    // no line end, such as /dev/zero, cannot take unbounded memory).
    let limit = options.max_record() as u64 + 1;
    let mut first_line = Vec::new();
    let mut read_line = |line: &mut Vec<u8>| -> Result<usize> {
        let room = limit.saturating_sub(line.len() as u64);
        (&mut text).take(room).read_until(b'\n', line).with_context(|| format!("{}: cannot read", path.display()))
    };
    read_line(&mut first_line)?;
    // Blank lines before the header are skipped (and counted, for line numbers).
    let mut header_line = 1;
    while !first_line.is_empty() && first_line.iter().all(|b| matches!(b, b'\n' | b'\r')) {
        header_line += count_lines(&first_line);
        first_line.clear();
        read_line(&mut first_line)?;
    }
    let delimiter = options.delimiter.unwrap_or_else(|| sniff_delimiter(&first_line));
    // A header cell may hold a quoted line break (a wrapped cell in a spreadsheet).
    while scan_records(&first_line, delimiter).open_quote.is_some() && first_line.len() <= options.max_record() {
        if read_line(&mut first_line)? == 0 {
            bail!("{}: the header has a quote that never closes", path.display());
        }
    }
    if first_line.len() > options.max_record() {
        bail!("{}: the header is longer than the record size limit", path.display());
    }
    let next_line = header_line + count_lines(&first_line);
    let header_block = Block::of(first_line, 1);
    let mut header = csv::ByteRecord::new();
    block_reader(&header_block, delimiter)
        .read_byte_record(&mut header)
        .with_context(|| format!("{}: cannot read the header", path.display()))?;
    let names = header.iter().map(|h| String::from_utf8_lossy(h).trim_end_matches('\r').to_string()).collect();
    let blocks =
        Blocks { reader: text, carry: Vec::new(), next_line, done: false, delimiter, limit: options.max_record() };
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
        assert_eq!(last_record_end(b"a,b\nc,d\ne", b','), Some(8));
        assert_eq!(last_record_end(b"a,\"x\ny\"\nb", b','), Some(8));
        assert_eq!(last_record_end(b"a,\"x\ny", b','), None);
        assert_eq!(last_record_end(b"a,\"\"\"q\"\"\"\n", b','), Some(10));
        // A quote inside an unquoted field is a plain character, as for the csv crate.
        assert_eq!(last_record_end(b"a,5 inch\" screen\nb,c\n", b','), Some(21));
        assert_eq!(scan_records(b"a,b\nc,\"open\nd,e\n", b',').open_quote, Some(6));
        assert_eq!(
            scan_records(b"a;\"x\"\n", b';'),
            RecordScan { last_end: Some(6), open_quote: None, stray_quote: None, quoted: true }
        );
        // A quote that closes on a later line with text after it: a stray quote.
        assert_eq!(scan_records(b"a,1\nb,\"oops\nc,\"q\",5\n", b',').stray_quote, Some(6));
        // On one line, `"a"b` is read as the csv crate reads it (`ab`).
        assert_eq!(scan_records(b"a,\"q\"x\nb\n", b',').stray_quote, None);
    }

    fn blocks_of(text: &[u8], limit: usize) -> Blocks {
        Blocks {
            reader: Box::new(std::io::Cursor::new(text.to_vec())),
            carry: Vec::new(),
            next_line: 2,
            done: false,
            delimiter: b',',
            limit,
        }
    }

    /// Every block of a text: (first line, text, bad record).
    fn all_blocks(text: &[u8], limit: usize) -> Vec<(u64, String, Option<BadRecord>)> {
        let mut blocks = blocks_of(text, limit);
        let mut out = Vec::new();
        while let Some(block) = blocks.next_block().unwrap() {
            out.push((block.first_line, String::from_utf8_lossy(&block.bytes).into_owned(), block.bad));
        }
        out
    }

    #[test]
    fn an_unterminated_quote_rejects_its_record_and_reading_resumes_on_the_next_line() {
        let text = b"2025-01-01,5,ok\n2025-01-02,4,\"great service\n2025-01-03,3,ok\n2025-01-04,2,ok\n";
        let blocks = all_blocks(text, DEFAULT_MAX_RECORD_BYTES);
        let bad = BadRecord {
            line: 3,
            reason: "unterminated quote (opened on line 3)".into(),
            text: b"2025-01-02,4,\"great service".to_vec(),
        };
        assert_eq!(blocks[0], (2, "2025-01-01,5,ok\n".to_string(), Some(bad)));
        assert_eq!(blocks[1], (4, "2025-01-03,3,ok\n2025-01-04,2,ok\n".to_string(), None));
        assert_eq!(blocks.len(), 2);
    }

    #[test]
    fn a_stray_quote_that_a_later_quote_closes_rejects_its_line_only() {
        let text = b"2025-01-01,chat,5\n2025-01-02,\"oops,4\n2025-01-03,web,3\n2025-01-20,\"quoted\",5\n";
        let blocks = all_blocks(text, DEFAULT_MAX_RECORD_BYTES);
        let bad = blocks[0].2.as_ref().unwrap();
        assert_eq!((blocks[0].0, blocks[0].1.as_str(), bad.line), (2, "2025-01-01,chat,5\n", 3));
        assert!(bad.reason.starts_with("stray quote (opened on line 3"), "{}", bad.reason);
        let rest: String = blocks[1..].iter().map(|b| b.1.as_str()).collect();
        assert_eq!(rest, "2025-01-03,web,3\n2025-01-20,\"quoted\",5\n");
        assert_eq!(blocks[1].0, 4);
    }

    #[test]
    fn a_record_over_the_limit_is_rejected_and_memory_stays_bounded() {
        // An unquoted line of 5 MiB with a limit of 1 MiB: skipped to its end, not kept.
        let mut text = b"a,1\n".to_vec();
        text.extend(std::iter::repeat_n(b'x', 5 << 20));
        text.extend(b"\nb,2\n");
        let blocks = all_blocks(&text, 1 << 20);
        let lines: Vec<(u64, Option<u64>)> = blocks.iter().map(|b| (b.0, b.2.as_ref().map(|r| r.line))).collect();
        // The first block ends before the long line, which comes as a bad record.
        assert!(
            blocks.iter().any(|b| b.2.as_ref().is_some_and(|r| r.line == 3 && r.reason.starts_with("line longer"))),
            "{lines:?}"
        );
        let joined: String = blocks.iter().map(|b| b.1.as_str()).collect();
        assert_eq!(joined, "a,1\nb,2\n");
        assert_eq!(blocks.last().unwrap().0, 4);
    }

    #[test]
    fn blocks_cover_the_text_and_count_lines() {
        let text = "1,\"a\nb\"\n2,c\n3,d\n".repeat(600_000);
        let mut blocks = blocks_of(text.as_bytes(), DEFAULT_MAX_RECORD_BYTES);
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
    fn parquet_dates_as_text_and_out_of_range_ones_as_rejectable_text() {
        assert_eq!(date_text(0), "1970-01-01");
        assert_eq!(date_text(-1), "1969-12-31");
        assert_eq!(date_text(2_000_000_000), "out of range: 2000000000 days from 1970-01-01");
        assert_eq!(datetime_text(1_500, 1_000, "Z"), "1970-01-01T00:00:01.500Z");
        assert_eq!(datetime_text(-1, 1, ""), "1969-12-31T23:59:59");
        assert!(datetime_text(9_000_000_000_000_000_000, 1_000, "").starts_with("out of range"));
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
