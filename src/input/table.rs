//! The loader: reads every file of one input kind into one polars frame, validating
//! each value it needs and accounting for every row (SPEC §2).
//!
//! CSV text is cut into blocks at record boundaries; blocks are parsed in parallel
//! ([`super::chunk`]) while the batch before is merged in file order, so line numbers,
//! first-line lists and dictionary codes come out as if the file had been read front
//! to back. The streaming engine compacts the merged rows ([`super::compact`]) or
//! hands them to a sink ([`load_into`]) instead of keeping them.
//!
//! The frame has `period_start` (Date), `period_index` (Int32, the period's running
//! number, see [`Period::index`]), `ts` (Int64, local seconds, null without a date
//! column; only when [`TableRequest::timestamps`] is set), one column per requested
//! field under its canonical name, and one `by.<dim>` column (UInt32 codes, see
//! [`Dictionaries`]) per `--by` dimension.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use polars::prelude::*;
use rayon::prelude::*;

use super::chunk::{Chunk, Fields, SplitLine, UnquotedRecord, dimension_names};
use super::columns::{self, FieldDef, Headers};
use super::compact::Pile;
use super::compact::Rows;
use super::hits::Hits;
use super::quality::{DataQuality, FileQuality};
use super::request::{FileLayout, TableRequest};
use super::source::{self, Source};
use super::{Dictionaries, Kind};

/// At most this many blocks are read ahead and parsed at once.
const BATCH: usize = 8;

/// How many blocks of a file of `bytes` are read ahead and parsed at once: up to
/// [`BATCH`], but at least eight batches per file, down to two blocks (one per core
/// here). The first read and the last merge of a file run alone, so on a smaller file
/// smaller batches keep both cores busy longer (the 1M bench report: 0.445 s against
/// 0.465 s, medians of ten alternating runs, 14 MB less; at 10M the same; two blocks
/// for every file were 3% slower there).
fn batch_blocks(bytes: u64) -> usize {
    let blocks = bytes.div_ceil(source::BLOCK_BYTES as u64);
    usize::try_from(blocks / 8).unwrap_or(BATCH).clamp(2, BATCH)
}

/// One input kind, loaded.
pub struct Table {
    /// The input kind.
    pub kind: Kind,
    /// The rows used, one column per field (see the module doc).
    pub frame: DataFrame,
    /// The fields found in at least one file.
    pub fields: BTreeSet<&'static str>,
    /// The fields with at least one rejected value (only their `rejected` flags can be
    /// set, so only they are counted per period and group).
    pub rejected_fields: BTreeSet<&'static str>,
    /// Dimensions not found in the files (only when not required).
    pub missing_dims: Vec<String>,
    /// The first and last date of the used rows.
    pub date_range: Option<(NaiveDate, NaiveDate)>,
    /// The latest valid date read, also outside `--from/--to`: when the data was cut.
    pub latest_date: Option<NaiveDate>,
    /// Whether the frame holds every row, or is compacted (see [`super::compact`]).
    pub rows: Rows,
    /// The columns compacted apart, with the period and `--by` columns (see
    /// [`Compaction::apart`]); `None` when every column is in `frame`.
    pub apart: Option<DataFrame>,
}

impl Table {
    /// Returns true if and only if the field was found in at least one file.
    pub fn has(&self, field: &str) -> bool {
        self.fields.contains(field)
    }
}

/// Takes each block's frame instead of the table (see [`load_into`]).
pub type Sink<'s> = &'s mut (dyn FnMut(&DataFrame) -> Result<()> + Send);

/// What the files of one request add up to.
struct Loaded<'s> {
    frames: Vec<DataFrame>,
    pile: Option<Pile>,
    sink: Option<Sink<'s>>,
    found: BTreeSet<&'static str>,
    /// Per `--by` dimension, the files without its column.
    missing_dims: BTreeMap<String, Vec<String>>,
    range: Option<(NaiveDate, NaiveDate)>,
    latest: Option<NaiveDate>,
    notes: Vec<String>,
    /// The files without a date column.
    undated: usize,
}

/// Reads every file of a request into one [`Table`], adding to the data quality.
pub fn load(request: &TableRequest, dictionaries: &mut Dictionaries, quality: &mut DataQuality) -> Result<Table> {
    load_into(request, dictionaries, quality, None)
}

/// Reads every file of a request, handing each block's frame to `sink` when given:
/// the table then has the accounting, fields and dates but no rows.
pub fn load_into(
    request: &TableRequest,
    dictionaries: &mut Dictionaries,
    quality: &mut DataQuality,
    sink: Option<Sink>,
) -> Result<Table> {
    let mut loaded = Loaded {
        frames: Vec::new(),
        pile: request.compaction.clone().map(Pile::new),
        sink,
        found: BTreeSet::new(),
        missing_dims: BTreeMap::new(),
        range: None,
        latest: None,
        notes: Vec::new(),
        undated: 0,
    };
    for path in request.files {
        read_file(path, request, dictionaries, quality, &mut loaded)?;
    }
    // A customer snapshot without dates is one figure over all of it: beside dated
    // files its rows would be a period of their own (1970).
    if loaded.undated > 0
        && loaded.undated < request.files.len()
        && request.window.period != crate::period::Period::None
    {
        return Err(mixed_dates(request.kind));
    }
    for (dim, files) in &loaded.missing_dims {
        if files.len() < request.files.len() {
            loaded.notes.push(format!(
                "{}: no '{dim}' column for --by in {}: their rows are in the empty {dim} group",
                request.kind.as_str(),
                files.join(", ")
            ));
        }
    }
    for note in std::mem::take(&mut loaded.notes) {
        if !quality.notes.contains(&note) {
            quality.notes.push(note);
        }
    }
    let dim_names = dimension_names(request.dims);
    let empty = |dictionaries: &mut Dictionaries| {
        let chunk = Chunk::new(Arc::from(""), request, vec![false; request.fields.len()]);
        chunk.into_frame(&request.fields, &dim_names, dictionaries)
    };
    let (mut frame, apart) = match loaded.pile.take() {
        Some(pile) => match pile.finish()? {
            Some(frames) => frames,
            None => {
                let frame = empty(dictionaries)?;
                let compaction = request.compaction.as_ref().expect("a pile has a compaction");
                (compaction.apply(frame.clone())?, compaction.apply_apart(&frame)?)
            }
        },
        None => {
            let mut frames = loaded.frames.into_iter();
            let mut frame = match frames.next() {
                Some(first) => first,
                None => empty(dictionaries)?,
            };
            for next in frames {
                frame.vstack_mut_owned(next)?;
            }
            (frame, None)
        }
    };
    // A field no file has is one all-null column that stores no values.
    let apart_fields = request.compaction.as_ref().map_or(&[][..], |c| &c.apart[..]);
    let mut apart = apart;
    for req in request.fields.iter().filter(|f| !loaded.found.contains(f.field)) {
        match apart.as_mut().filter(|_| apart_fields.iter().any(|a| a == req.field)) {
            Some(values) => values.with_column(super::chunk::null_column(req, values.height()))?,
            None => frame.with_column(super::chunk::null_column(req, frame.height()))?,
        };
    }
    Ok(Table {
        kind: request.kind,
        frame,
        fields: loaded.found,
        rejected_fields: request
            .fields
            .iter()
            .map(|f| f.field)
            .filter(|f| {
                quality.files.iter().any(|q| q.kind == request.kind && q.fields.get(*f).is_some_and(|c| c.rejected > 0))
            })
            .collect(),
        // A dimension no file has: figures over all its values. One some files lack: their
        // rows are in the empty group, and a note says which files.
        missing_dims: loaded
            .missing_dims
            .into_iter()
            .filter_map(|(dim, files)| (files.len() == request.files.len()).then_some(dim))
            .collect(),
        date_range: loaded.range,
        latest_date: loaded.latest,
        rows: if request.compaction.is_some() { Rows::Weighted } else { Rows::Each },
        apart,
    })
}

/// The error of files of one input some of which have a date column and some not.
pub fn mixed_dates(kind: Kind) -> anyhow::Error {
    anyhow::anyhow!(
        "the {kind} files: some have a date column and some not: give them all dated or all undated (map the date with [columns.{kind}] date = \"…\", or give them apart)",
        kind = kind.as_str()
    )
}

/// Refuses a header that names no column: an empty file, only delimiters and spaces,
/// or UTF-16 read as UTF-8 (NUL bytes).
pub fn check_header(file: &str, names: &[String]) -> Result<()> {
    if names.iter().any(|h| h.contains('\0')) {
        bail!(
            "{file}: the header holds NUL bytes: the file looks like UTF-16 without a byte-order mark; set --encoding utf-16le (or utf-16be)"
        );
    }
    if names.iter().all(|h| h.trim().is_empty()) {
        if names.len() <= 1 && names.iter().all(String::is_empty) {
            bail!("{file}: empty file (no header row)");
        }
        bail!("{file}: no column names in the header (only delimiters and spaces)");
    }
    Ok(())
}

/// Finds the columns of a file; notes found fields and missing dimensions.
fn layout(headers: &Headers, request: &TableRequest, file: &str, loaded: &mut Loaded) -> Result<FileLayout> {
    let kind = request.kind;
    let date_def = columns::field_def(kind, "date").expect("every kind has a date");
    let date = headers.find_field(kind, date_def, request.mapping)?;
    loaded.notes.extend(headers.competing(kind, date_def, request.mapping));
    loaded.undated += usize::from(date.is_none());
    if date.is_none() && request.date_required {
        let window = request.window;
        let why = if window.from.is_some() || window.to.is_some() { " (--from/--to need one)" } else { "" };
        bail!(
            "{file}: no date column for {}{why} (looked for {}); map one with [columns.{}] date = \"…\"",
            kind.as_str(),
            columns::looked_for(date_def),
            kind.as_str()
        );
    }
    let mut fields = Vec::with_capacity(request.fields.len());
    for req in &request.fields {
        let def: &FieldDef = columns::field_def(kind, req.field).expect("requested fields are canonical");
        let index = headers.find_field(kind, def, request.mapping)?;
        loaded.notes.extend(headers.competing(kind, def, request.mapping));
        if index.is_some() {
            loaded.found.insert(req.field);
        } else if request.required.contains(&req.field) {
            bail!(
                "{file}: no {} column in {} (looked for {}); map one with [columns.{}] {} = \"…\"",
                req.field,
                kind.as_str(),
                columns::looked_for(def),
                kind.as_str(),
                req.field
            );
        }
        fields.push(index);
    }
    let mut dims = Vec::with_capacity(request.dims.len());
    for dim in request.dims {
        let index = headers.find_dimension(dim, request.mapping);
        if index.is_none() {
            if request.dims_required {
                bail!("{file}: unknown column '{dim}' for --by; its columns are: {}", headers.list());
            }
            loaded.missing_dims.entry(dim.clone()).or_default().push(file.to_string());
        }
        dims.push(index);
    }
    let time = time_column(headers, request.mapping, kind, date.is_some())?;
    Ok(FileLayout { date, time, fields, dims, width: headers.len() })
}

/// The position of a file's separate time column (`[columns.<kind>] time`), if mapped;
/// refused when the file lacks it or has no date column to join it to (`dated`).
pub fn time_column(
    headers: &Headers,
    mapping: &std::collections::BTreeMap<String, String>,
    kind: Kind,
    dated: bool,
) -> Result<Option<usize>> {
    let file = headers.file();
    let time = match mapping.get("time") {
        None => None,
        Some(header) => match headers.position(header) {
            Some(i) => Some(i),
            None => bail!(
                "{file}: column '{header}' (mapped to time in [columns.{}]) is not in the file; its columns are: {}",
                kind.as_str(),
                headers.list()
            ),
        },
    };
    if time.is_some() && !dated {
        bail!("{file}: [columns.{}] time needs a date column to join to", kind.as_str());
    }
    Ok(time)
}

/// Parses one block of CSV text into a chunk.
fn parse_block(
    block: &source::Block,
    delimiter: u8,
    file: &Arc<str>,
    layout: &FileLayout,
    request: &TableRequest,
) -> Result<Chunk> {
    let present = layout.fields.iter().map(Option::is_some).collect();
    // At most one row per line feed, and the last line.
    let rows = block.lines as usize + 1;
    let mut chunk = Chunk::with_rows(file.clone(), request, present, rows);
    if block.quoted {
        add_mixed(&mut chunk, block, delimiter, layout, request);
    } else {
        add_lines(&mut chunk, &block.bytes, block.first_line, delimiter, layout, request);
    }
    if let Some(bad) = &block.bad {
        chunk.add_bad(bad);
    }
    chunk.finish_counts(&request.fields, layout);
    Ok(chunk)
}

/// Adds the rows of text without quotes (`bytes`, whole lines from line `first_line`):
/// every line feed ends a record and every delimiter ends a field (what the CSV parser
/// gives for such text, found faster: one pass of [`Hits`] over the block finds both).
fn add_lines(
    chunk: &mut Chunk,
    bytes: &[u8],
    first_line: u64,
    delimiter: u8,
    layout: &FileLayout,
    request: &TableRequest,
) {
    let mut fields = SplitLine::default();
    // One UTF-8 check of the whole block instead of one per field (SIMD: a pass over
    // the file).
    let checked = simdutf8::basic::from_utf8(bytes).ok();
    let (mut start, mut n) = (0, 0u64);
    let mut ends: Vec<usize> = Vec::with_capacity(64);
    // Each delimiter or line feed, then the end of the block (its last line's end).
    let (mut hits, mut done) = (Hits::new(bytes, delimiter), false);
    while !done {
        let end = match hits.next() {
            Some(at) if bytes[at] == delimiter => {
                ends.push(at - start);
                continue;
            }
            Some(at) => at,
            None => {
                done = true;
                bytes.len()
            }
        };
        let line = &bytes[start..end];
        let number = first_line + n;
        let line_start = start;
        (start, n) = (end + 1, n + 1);
        // A blank line (LF or CRLF) is no row.
        if line.is_empty() || line == b"\r" {
            ends.clear();
            continue;
        }
        if line.len() > request.read.max_record() {
            chunk.add_bad(&too_long(number, line, request));
            ends.clear();
            continue;
        }
        // Lone carriage returns are looked for only once the block has shown one (the
        // hits have looked at every byte of the line).
        if hits.seen_cr() && lone_cr(line) {
            chunk.add_bad(&lone_cr_record(number, line));
            ends.clear();
            continue;
        }
        ends.push(line.len());
        fields.set(line, checked.and_then(|text| text.get(line_start..end)), &mut ends);
        chunk.add_row(&fields, number, layout, &request.fields, request.window);
    }
}

/// Adds the rows of a block with quotes: the runs of lines without a quote as
/// [`add_lines`] does, and each record with a quote (quoted fields, quoted line feeds)
/// through the CSV parser's core, as the `csv` crate reads it. Most lines of a file
/// with quoted comments have none; parsing them all byte by byte cost a third of the
/// reading.
fn add_mixed(chunk: &mut Chunk, block: &source::Block, delimiter: u8, layout: &FileLayout, request: &TableRequest) {
    let bytes = &block.bytes[..];
    let mut parser = source::record_parser(delimiter);
    // The CSV parser drops a byte-order mark at the start of its input only (here the
    // block's first record, read by the parser then); any further on stays in its field.
    let bom = bytes.starts_with(b"\xef\xbb\xbf");
    if !bom {
        // A blank line read first: the parser has read, and drops no mark after it.
        parser.read_record(b"\n", &mut [], &mut []);
    }
    let mut record = UnquotedRecord::default();
    let (mut start, mut line) = (0, block.first_line);
    while start < bytes.len() {
        // The whole lines before the next quote have none.
        let clean = match memchr::memchr(b'"', &bytes[start..]) {
            _ if bom && start == 0 => 0,
            None => bytes.len(),
            Some(at) => memchr::memrchr(b'\n', &bytes[start..start + at]).map_or(start, |i| start + i + 1),
        };
        if clean > start {
            add_lines(chunk, &bytes[start..clean], line, delimiter, layout, request);
            line += memchr::memchr_iter(b'\n', &bytes[start..clean]).count() as u64;
            start = clean;
            continue;
        }
        // A record with a quote starts here (the line before it ended a record).
        let end = start + record.read(&mut parser, &bytes[start..]);
        let text = &bytes[start..end];
        // Its length as a line's: without the line feed that ends it.
        if text.strip_suffix(b"\n").unwrap_or(text).len() > request.read.max_record() {
            chunk.add_bad(&too_long(line, text, request));
        } else if lone_cr(text) {
            chunk.add_bad(&lone_cr_record(line, text));
        } else if record.width() > 0 {
            chunk.add_row(&record, line, layout, &request.fields, request.window);
        }
        line += memchr::memchr_iter(b'\n', text).count() as u64;
        start = end.max(start + 1);
    }
}

/// Adds the rows of a block with the CSV parser (quoted fields, quoted line feeds).
#[cfg(test)]
fn add_records(
    chunk: &mut Chunk,
    block: &source::Block,
    delimiter: u8,
    file: &Arc<str>,
    layout: &FileLayout,
    request: &TableRequest,
) -> Result<()> {
    let mut reader = source::block_reader(block, delimiter);
    let mut record = csv::ByteRecord::new();
    // Line numbers counted from the record's first byte (the parser's own line count
    // misses blank lines at the start of a block).
    let (mut counted_to, mut line) = (0, block.first_line);
    while reader.read_byte_record(&mut record).with_context(|| format!("{file}: not readable as CSV"))? {
        // A blank CRLF line ("\r" alone) is no row, as a blank LF line is none.
        if record.len() == 1 && &record[0] == b"\r" {
            continue;
        }
        let mut start = record.position().map_or(counted_to, |p| p.byte() as usize).max(counted_to);
        // The parser's position includes the empty lines it skipped before the record.
        while block.bytes.get(start) == Some(&b'\n') {
            start += 1;
        }
        line += memchr::memchr_iter(b'\n', &block.bytes[counted_to..start]).count() as u64;
        counted_to = start;
        let end = (reader.position().byte() as usize).min(block.bytes.len());
        let body =
            block.bytes[start..end.max(start)].strip_suffix(b"\n").map_or(end.saturating_sub(start), <[u8]>::len);
        if body > request.read.max_record() {
            chunk.add_bad(&too_long(line, &block.bytes[start..end], request));
            continue;
        }
        if lone_cr(&block.bytes[start..end]) {
            chunk.add_bad(&lone_cr_record(line, &block.bytes[start..end]));
            continue;
        }
        chunk.add_row(&record, line, layout, &request.fields, request.window);
    }
    Ok(())
}

/// Returns true if and only if `bytes` (one record) hold a carriage return that ends
/// no line (not before a line feed, not last) outside quotes: an old-Mac line end in
/// the middle of the file, which would join two rows into one.
fn lone_cr(bytes: &[u8]) -> bool {
    memchr::memchr_iter(b'\r', bytes).any(|i| {
        let ends_line = matches!(bytes.get(i + 1), None | Some(b'\n'));
        !ends_line && memchr::memchr_iter(b'"', &bytes[..i]).count().is_multiple_of(2)
    })
}

/// A record with a lone carriage return, rejected whole: its rows cannot be told apart.
fn lone_cr_record(line: u64, text: &[u8]) -> source::BadRecord {
    source::BadRecord {
        line,
        reason: "a carriage return alone inside the line (mixed line ends: convert the file to LF or CRLF)".to_string(),
        text: text[..text.len().min(200)].to_vec(),
    }
}

/// A record over the size limit, rejected with its line.
fn too_long(line: u64, text: &[u8], request: &TableRequest) -> source::BadRecord {
    source::BadRecord::too_long(line, text, request.read.max_record())
}

/// Adds a parsed chunk to the file's accounting and the table, in file order.
fn merge(
    chunk: Chunk,
    fq: &mut FileQuality,
    request: &TableRequest,
    dim_names: &[String],
    dictionaries: &mut Dictionaries,
    quality: &mut DataQuality,
    loaded: &mut Loaded,
) -> Result<()> {
    fq.absorb(&chunk.fq);
    loaded.latest = loaded.latest.max(chunk.latest);
    if let Some((lo, hi)) = chunk.range {
        loaded.range = Some(loaded.range.map_or((lo, hi), |(a, b)| (a.min(lo), b.max(hi))));
    }
    let mut chunk = chunk;
    quality.rejects.append(&mut chunk.rejects);
    if chunk.fq.rows_used > 0 {
        let frame = chunk.into_frame(&request.fields, dim_names, dictionaries)?;
        match (&mut loaded.sink, &mut loaded.pile) {
            (Some(sink), _) => sink(&frame)?,
            (None, Some(pile)) => pile.push(frame)?,
            (None, None) => loaded.frames.push(frame),
        }
    }
    Ok(())
}

/// Reads up to `size` blocks (see [`batch_blocks`]).
fn read_batch(blocks: &mut source::Blocks, file: &str, size: usize) -> Result<Vec<source::Block>> {
    let mut batch = Vec::with_capacity(size);
    while batch.len() < size {
        match blocks.next_block().with_context(|| format!("{file}: cannot read"))? {
            Some(block) => batch.push(block),
            None => break,
        }
    }
    Ok(batch)
}

fn read_file(
    path: &Path,
    request: &TableRequest,
    dictionaries: &mut Dictionaries,
    quality: &mut DataQuality,
    loaded: &mut Loaded,
) -> Result<()> {
    let file: Arc<str> = path.display().to_string().into();
    let (names, source) = source::open(path, request.read)?;
    check_header(&file, &names)?;
    let headers = Headers::new(&file, names);
    let layout = layout(&headers, request, &file, loaded)?;
    if let Source::Parquet(rows) = &source {
        for (index, name, dtype) in &rows.unreadable {
            if layout.uses(*index) {
                bail!("{file}: column {name} has type {dtype}, which servq cannot read as text");
            }
            quality.notes.push(format!("{file}: column {name} ({dtype}) skipped: not readable as text, and not used"));
        }
    }
    let dim_names = dimension_names(request.dims);
    let mut fq = FileQuality::new(request.kind, &file);
    match source {
        Source::Csv(mut blocks) => {
            // A pipeline: while one batch of blocks is parsed in parallel, the batch
            // before it is merged (in file order) and the next one is read.
            let delimiter = blocks.delimiter;
            let size = batch_blocks(std::fs::metadata(path).map_or(u64::MAX, |m| m.len()));
            let mut batch = read_batch(&mut blocks, &file, size)?;
            let mut parsed: Vec<Result<Chunk>> = Vec::new();
            while !batch.is_empty() || !parsed.is_empty() {
                let to_merge = std::mem::take(&mut parsed);
                let (next_parsed, next_batch) = rayon::join(
                    || batch.par_iter().map(|b| parse_block(b, delimiter, &file, &layout, request)).collect(),
                    || -> Result<Vec<source::Block>> {
                        for chunk in to_merge {
                            merge(chunk?, &mut fq, request, &dim_names, dictionaries, quality, loaded)?;
                        }
                        read_batch(&mut blocks, &file, size)
                    },
                );
                parsed = next_parsed;
                for block in std::mem::replace(&mut batch, next_batch?) {
                    blocks.recycle(block);
                }
            }
        }
        Source::Parquet(mut rows) => {
            let mut chunk = Chunk::new(file.clone(), request, layout.fields.iter().map(Option::is_some).collect());
            let mut record = csv::ByteRecord::new();
            while let Some(line) = rows.next(&mut record) {
                chunk.add_row(&record, line, &layout, &request.fields, request.window);
            }
            chunk.finish_counts(&request.fields, &layout);
            merge(chunk, &mut fq, request, &dim_names, dictionaries, quality, loaded)?;
        }
    }
    if fq.rows_read == 0 {
        if headers.list().contains('\r') {
            bail!(
                "{file}: no line feed after the header: the file ends its lines with CR alone (old Mac); convert it to LF or CRLF"
            );
        }
        bail!("{file}: no data rows (the file has only a header)");
    }
    super::hints::add_hints(&fq, &request.fields, quality);
    quality.files.push(fq);
    Ok(())
}

#[cfg(test)]
mod tests {

    use super::super::request::{FieldRequest, ValueKind, Window};
    use super::super::source::ReadOptions;
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn batches_are_smaller_on_smaller_files() {
        let mib = 1u64 << 20;
        // 1M bench interactions (81 MB, 20 blocks of 4 MiB): two blocks at once.
        assert_eq!(batch_blocks(81_000_000), 2);
        assert_eq!(batch_blocks(0), 2);
        // 48 blocks and more: six per batch, and never more than eight.
        assert_eq!(batch_blocks(4 * mib * 48), 6);
        assert_eq!(batch_blocks(4 * mib * 48 + 1), 6);
        assert_eq!(batch_blocks(813_000_000), 8);
        // A file whose size is unknown: the largest batch.
        assert_eq!(batch_blocks(u64::MAX), 8);
    }

    /// Parses `text` each way (lines, the CSV parser, mixed) and returns (frame,
    /// accounting and rejects) for each.
    fn each_way(text: &str) -> [(DataFrame, String); 3] {
        let window = Window::default();
        let read = ReadOptions::default();
        let dims = ["channel".to_string()];
        let fields = vec![FieldRequest { field: "csat", kind: ValueKind::Score { min: 1, max: 5, labels: None } }];
        let request = TableRequest::new(super::super::Kind::Surveys, &[], &window, &read)
            .fields(fields, Vec::new())
            .dims(&dims, true)
            .timestamps(crate::input::Timestamps::Local);
        let layout = FileLayout { date: Some(0), time: None, fields: vec![Some(1)], dims: vec![Some(2)], width: 3 };
        let block = source::Block::of(text.as_bytes().to_vec(), 2);
        let file: Arc<str> = Arc::from("t.csv");
        [0, 1, 2].map(|way| {
            let mut chunk = Chunk::new(file.clone(), &request, vec![true]);
            match way {
                0 => add_lines(&mut chunk, &block.bytes, block.first_line, b',', &layout, &request),
                1 => add_records(&mut chunk, &block, b',', &file, &layout, &request).unwrap(),
                _ => add_mixed(&mut chunk, &block, b',', &layout, &request),
            }
            chunk.finish_counts(&request.fields, &layout);
            let accounting = format!("{:?} {:?}", chunk.fq, chunk.rejects);
            let mut dictionaries = Dictionaries::default();
            (chunk.into_frame(&request.fields, &["by.channel".to_string()], &mut dictionaries).unwrap(), accounting)
        })
    }

    #[test]
    fn quoted_records_after_blank_lines_keep_their_line() {
        // Line 2 blank, line 3 a quoted off-scale score, line 4 blank, line 5 another.
        let [_, records, mixed] = each_way("\n2025-01-01,\"7\",a\n\n2025-01-02,9,b\n");
        assert!(records.1.contains("first_lines: [3, 5]"), "{}", records.1);
        assert_eq!(records.0.height(), 2);
        assert_eq!(mixed.1, records.1);
    }

    proptest! {
        #[test]
        fn lines_without_quotes_split_as_the_csv_parser_splits_them(
            lines in proptest::collection::vec(
                prop_oneof![
                    Just(String::new()),
                    Just("\r".to_string()),
                    "(2025-0[1-9]-[0-2][1-9]|bad|)(\r)?",
                    "2025-0[1-9]-1[0-9],[0-9 ]{0,2},[a-c ]{0,2}(\r)?",
                    "2025-01-01,[0-9]{0,2},[a-c]{0,2},[0-9]{0,2}(,)?",
                ],
                0..40,
            ),
            final_newline in any::<bool>(),
        ) {
            let mut text = lines.join("\n");
            if final_newline {
                text.push('\n');
            }
            let [lines, records, mixed] = each_way(&text);
            prop_assert_eq!(&lines.1, &records.1);
            prop_assert!(lines.0.equals_missing(&records.0), "{:?} vs {:?}", lines.0, records.0);
            prop_assert_eq!(&mixed.1, &records.1);
            prop_assert!(mixed.0.equals_missing(&records.0));
        }

        /// Lines with quotes among lines without: quoted fields, doubled quotes, quoted
        /// line feeds and CRLF, a quote inside a field (a plain character), blank lines,
        /// rows too short or too long, lone carriage returns, and byte-order marks.
        #[test]
        fn records_with_quotes_among_plain_lines_read_as_the_csv_parser_reads_them(
            lines in proptest::collection::vec(
                prop_oneof![
                    Just(String::new()),
                    Just("\r".to_string()),
                    "2025-0[1-9]-1[0-9],[0-9 ]{0,2},[a-c ]{0,2}(\r)?",
                    "2025-0[1-9]-1[0-9],\"[0-9]{0,2}\",\"[a-c,\n]{0,3}\"(\r)?",
                    "2025-01-01,\"\"\"[0-9]\"\"\",\"a\r\nb\"",
                    "2025-01-01,5 inch\" ,[a\"]{0,2}(,)?",
                    "\"2025-01-0[1-3]\",[0-9]{0,2}(\r[a-c])?,[a-c]{0,2}",
                    // A byte-order mark (dropped by the parser at the block's start only).
                    "\u{feff}2025-01-0[1-3],(\"[0-9]\"|[0-9]),[a-c]",
                ],
                0..30,
            ),
            final_newline in any::<bool>(),
        ) {
            let mut text = lines.join("\n");
            if final_newline {
                text.push('\n');
            }
            // Blocks as the reader gives them: it cuts a quote left open at the end of the
            // input, or a stray one, into a bad record, and the block ends before it (the
            // ways part only on text no block holds: an open `"\r` last).
            let scan = source::scan_records(text.as_bytes(), b',');
            if scan.open_quote.is_some() || scan.stray_quote.is_some() {
                text.truncate(scan.last_end.unwrap_or(0));
            }
            let [_, records, mixed] = each_way(&text);
            prop_assert_eq!(&mixed.1, &records.1);
            prop_assert!(mixed.0.equals_missing(&records.0), "{:?} vs {:?}", mixed.0, records.0);
        }
    }
}
