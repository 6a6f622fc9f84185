//! One block of rows, parsed on its own (in parallel with other blocks): typed
//! columns, local dictionary codes, and the block's own accounting, merged in file
//! order by [`super::table`].

use std::sync::Arc;

use chrono::NaiveDate;
use polars::prelude::*;

use super::parse::{self, Reason, Stamp};
use super::quality::{self, FileQuality, Reject};
use super::request::{FieldRequest, FileLayout, TableRequest, Timestamps, ValueKind, Window};
use super::source::BadRecord;
use super::{Dictionaries, Dictionary, Kind, dimension_column};
use crate::period::epoch_days;

/// A growing column of parsed values (numbers and booleans straight into polars'
/// builders: values plus a validity bitmap, no copy when the column is made).
pub(crate) enum Builder {
    Int(PrimitiveChunkedBuilder<Int32Type>),
    Float(PrimitiveChunkedBuilder<Float64Type>),
    Bool(BooleanChunkedBuilder),
    Key(Vec<Option<u32>>),
    Text(Vec<Option<String>>),
    Long(PrimitiveChunkedBuilder<Int64Type>),
}

impl Builder {
    /// A builder for about `rows` values.
    fn new(kind: ValueKind, name: &str, rows: usize) -> Self {
        let name: PlSmallStr = name.into();
        match kind {
            ValueKind::Score { .. } | ValueKind::Count => Builder::Int(PrimitiveChunkedBuilder::new(name, rows)),
            ValueKind::NonNegative
            | ValueKind::Number
            | ValueKind::MinutesAfterRowDate
            | ValueKind::Duration { .. } => Builder::Float(PrimitiveChunkedBuilder::new(name, rows)),
            ValueKind::Bool | ValueKind::Churned | ValueKind::Checked => {
                Builder::Bool(BooleanChunkedBuilder::new(name, rows))
            }
            ValueKind::Key => Builder::Key(Vec::with_capacity(rows)),
            ValueKind::Text => Builder::Text(Vec::new()),
            ValueKind::Timestamp | ValueKind::Money { .. } => Builder::Long(PrimitiveChunkedBuilder::new(name, rows)),
        }
    }

    fn push_missing(&mut self) {
        match self {
            Builder::Int(b) => b.append_null(),
            Builder::Float(b) => b.append_null(),
            Builder::Bool(b) => b.append_null(),
            Builder::Key(v) => v.push(None),
            Builder::Text(v) => v.push(None),
            Builder::Long(b) => b.append_null(),
        }
    }

    pub(crate) fn into_column(self, name: &str) -> Column {
        match self {
            Builder::Int(b) => b.finish().into_column(),
            Builder::Float(b) => b.finish().into_column(),
            Builder::Bool(b) => b.finish().into_column(),
            Builder::Key(v) => Column::new(name.into(), v),
            Builder::Text(v) => Column::new(name.into(), v),
            Builder::Long(b) => b.finish().into_column(),
        }
    }
}

/// The fields of one row, however the text was split.
pub trait Fields {
    /// The number of fields.
    fn width(&self) -> usize;
    /// Field `i` (`i < width`).
    fn field(&self, i: usize) -> &[u8];
    /// The row as text, for a rejected row.
    fn text(&self) -> Vec<u8>;
    /// Field `i` as text (an error when it is not UTF-8).
    fn str_field(&self, i: usize) -> Result<&str, Reason> {
        text(self.field(i))
    }
}

impl Fields for csv::ByteRecord {
    fn width(&self) -> usize {
        csv::ByteRecord::len(self)
    }

    fn field(&self, i: usize) -> &[u8] {
        &self[i]
    }

    fn text(&self) -> Vec<u8> {
        self.iter().collect::<Vec<_>>().join(&b","[..])
    }
}

/// One line of text without quotes, split at its delimiters (what the CSV parser
/// would give, found with `memchr`).
#[derive(Debug, Default)]
pub struct SplitLine<'a> {
    line: &'a [u8],
    /// The line as text, when its block was checked to be UTF-8 as a whole: its fields
    /// are text without a check of their own.
    checked: Option<&'a str>,
    ends: Vec<usize>,
}

impl<'a> SplitLine<'a> {
    /// Splits `line` (no quote in it, no line feed) at `delimiter`; `checked`: the same
    /// line as text, when known to be UTF-8.
    pub fn split(&mut self, line: &'a [u8], checked: Option<&'a str>, delimiter: u8) {
        let mut ends: Vec<usize> = memchr::memchr_iter(delimiter, line).collect();
        ends.push(line.len());
        self.set(line, checked, &mut ends);
    }

    /// The line `line` with its fields ending at `ends` (the delimiters' offsets, then the
    /// line's length), taken from `ends` (left empty, its memory kept by this line).
    pub fn set(&mut self, line: &'a [u8], checked: Option<&'a str>, ends: &mut Vec<usize>) {
        self.line = line;
        self.checked = checked;
        std::mem::swap(&mut self.ends, ends);
        ends.clear();
    }
}

impl Fields for SplitLine<'_> {
    #[inline(always)]
    fn width(&self) -> usize {
        self.ends.len()
    }

    #[inline(always)]
    fn field(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] + 1 };
        &self.line[start..self.ends[i]]
    }

    fn text(&self) -> Vec<u8> {
        self.line.to_vec()
    }

    #[inline(always)]
    fn str_field(&self, i: usize) -> Result<&str, Reason> {
        let start = if i == 0 { 0 } else { self.ends[i - 1] + 1 };
        // A field of checked text is text (a delimiter byte inside a character, which an
        // ASCII delimiter never is, leaves it to the check).
        match self.checked.and_then(|line| line.get(start..self.ends[i])) {
            Some(field) => Ok(field),
            None => text(self.field(i)),
        }
    }
}

/// One record read by the CSV parser's core: its fields unquoted, end to end.
#[derive(Debug, Default)]
pub struct UnquotedRecord {
    text: Vec<u8>,
    ends: Vec<usize>,
    width: usize,
}

impl UnquotedRecord {
    /// Reads the first record of `input` (which starts at a record boundary) with
    /// `parser`; returns the bytes it took, its line feed included. The end of `input`
    /// ends the record.
    pub fn read(&mut self, parser: &mut csv_core::Reader, input: &[u8]) -> usize {
        use csv_core::ReadRecordResult as Read;
        if self.text.is_empty() {
            self.text.resize(1024, 0);
            self.ends.resize(64, 0);
        }
        let (mut taken, mut written, mut fields) = (0, 0, 0);
        loop {
            let (result, nin, nout, nend) =
                parser.read_record(&input[taken..], &mut self.text[written..], &mut self.ends[fields..]);
            (taken, written, fields) = (taken + nin, written + nout, fields + nend);
            match result {
                Read::InputEmpty => {}
                Read::OutputFull => self.text.resize(self.text.len() * 2, 0),
                Read::OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
                // The parser is then at the start of the next record.
                Read::Record | Read::End => {
                    self.width = if result == Read::Record { fields } else { 0 };
                    return taken;
                }
            }
        }
    }
}

impl Fields for UnquotedRecord {
    fn width(&self) -> usize {
        self.width
    }

    fn field(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }

    fn text(&self) -> Vec<u8> {
        (0..self.width).map(|i| self.field(i)).collect::<Vec<_>>().join(&b","[..])
    }
}

/// Why a transaction is rejected whose period's running number does not fit 16 bits
/// (`crate::period::period_fits`: days from 1880-04 to 2059-09, weeks from 1342 to 2598,
/// months to 2730, quarters to 8191).
pub const TOO_FAR: &str = "date too far from 1970 to count customers per period (use a longer --period)";

/// The rows of one block, parsed.
pub struct Chunk {
    /// The file the block came from.
    file: Arc<str>,
    /// The block's share of the file's accounting.
    pub fq: FileQuality,
    /// The block's rejects, in line order.
    pub rejects: Vec<Reject>,
    period_start: Vec<i32>,
    period_index: Vec<i32>,
    /// Each row's timestamp, kept as `timestamps` says.
    ts: Vec<Option<i64>>,
    timestamps: Timestamps,
    builders: Vec<Builder>,
    /// Dimension codes, local to this block's `dim_dictionaries`.
    dims: Vec<Vec<u32>>,
    /// Local dictionaries of the dimension columns, by dimension.
    dim_dictionaries: Vec<Dictionary>,
    /// The `--by` dimension names (for rejections).
    dim_names: Vec<String>,
    /// Values that mean "missing" (`[inputs] missing`).
    missing_codes: Vec<String>,
    /// The fields a row cannot be used without (a transaction's customer id): an empty
    /// value rejects the row.
    required: Vec<usize>,
    /// Per requested field: the rows (of this chunk) whose value was rejected; they
    /// become the `<field>.rejected` column (see [`rejected_column`]).
    rejected_rows: Vec<Vec<u32>>,
    /// Local dictionaries of the key columns, by requested field.
    field_dictionaries: Vec<Dictionary>,
    /// Whether the file has each requested field.
    present: Vec<bool>,
    /// The requested fields the file has, by index (the row's loop visits only them:
    /// a survey file has a few of the 56 survey fields).
    found: Vec<usize>,
    /// The number of rows used so far.
    period_start_len: usize,
    /// Per requested field: valid / missing / rejected counts (kept by index on the
    /// hot path, moved into `fq` by [`Chunk::finish_counts`]).
    field_counts: Vec<quality::FieldQuality>,
    /// First and last date of the used rows.
    pub range: Option<(NaiveDate, NaiveDate)>,
    /// The latest valid date read, used or outside `--from/--to` (when the data was cut).
    pub latest: Option<NaiveDate>,
    /// The calendar facts of recent days.
    days: DayCache,
}

/// The calendar facts of one day: its date, and its period's start (days since
/// 1970) and running number.
#[derive(Debug, Clone, Copy)]
struct Day {
    day: i64,
    date: NaiveDate,
    start: i32,
    index: i32,
    /// The offset with which the zone reads every local time of the day, when it has one
    /// (`Zone::offset_of_day`).
    offset: Option<i64>,
}

impl Day {
    /// The instant of a stamp of this day (`Stamp::instant`).
    fn instant(&self, stamp: Stamp, window: &Window) -> i64 {
        match (stamp.utc, self.offset) {
            (Some(utc), _) => utc,
            (None, Some(offset)) => stamp.local - offset,
            (None, None) => stamp.instant(window.dates.tz),
        }
    }
}

/// Days worked out once per block (dates repeat across rows), in a direct-mapped
/// table of 1024 days.
#[derive(Debug, Clone)]
struct DayCache(Vec<Option<Day>>);

impl DayCache {
    fn new() -> Self {
        DayCache(vec![None; 1024])
    }

    /// The instant of a stamp (`Stamp::instant`), its day's offset found once per day.
    fn instant(&mut self, stamp: Stamp, window: &Window) -> i64 {
        match stamp.utc {
            Some(utc) => utc,
            None => self.get(stamp.local, window).instant(stamp, window),
        }
    }

    /// The facts of the day of a timestamp.
    fn get(&mut self, ts: i64, window: &Window) -> Day {
        let day = ts.div_euclid(86_400);
        let slot = &mut self.0[day.rem_euclid(1024) as usize];
        match slot {
            Some(known) if known.day == day => *known,
            _ => {
                let date = parse::date_of(ts);
                let fresh = Day {
                    day,
                    date,
                    start: epoch_days(window.period.start(date)),
                    index: window.period.index(date),
                    offset: window.dates.tz.offset_of_day(day),
                };
                *slot = Some(fresh);
                fresh
            }
        }
    }
}

impl Chunk {
    /// An empty chunk for a file of a request; `present` says which requested fields
    /// the file has.
    pub fn new(file: Arc<str>, request: &TableRequest, present: Vec<bool>) -> Self {
        Self::with_rows(file, request, present, 0)
    }

    /// A chunk for about `rows` rows: its columns are allocated once at that size
    /// (growing them by doubling copied and page-faulted each block's columns twice).
    pub fn with_rows(file: Arc<str>, request: &TableRequest, present: Vec<bool>, rows: usize) -> Self {
        let (fields, dims) = (&request.fields, request.dims.len());
        Chunk {
            fq: FileQuality::new(request.kind, &file),
            timestamps: request.timestamps,
            found: (0..present.len()).filter(|&j| present[j]).collect(),
            // A field the file lacks gets no room: it becomes one all-null column.
            builders: fields
                .iter()
                .zip(&present)
                .map(|(f, &has)| Builder::new(f.kind, f.field, if has { rows } else { 0 }))
                .collect(),
            present,
            period_start_len: 0,
            file,
            rejects: Vec::new(),
            period_start: Vec::with_capacity(rows),
            period_index: Vec::with_capacity(rows),
            ts: Vec::new(),
            dims: vec![Vec::with_capacity(rows); dims],
            dim_dictionaries: vec![Dictionary::default(); dims],
            dim_names: request.dims.to_vec(),
            missing_codes: request.read.missing.clone(),
            required: fields
                .iter()
                .enumerate()
                .filter(|(_, f)| request.required.contains(&f.field))
                .map(|(j, _)| j)
                .collect(),
            rejected_rows: vec![Vec::new(); fields.len()],
            field_dictionaries: vec![Dictionary::default(); fields.len()],
            field_counts: vec![quality::FieldQuality::default(); fields.len()],
            range: None,
            latest: None,
            days: DayCache::new(),
        }
    }

    fn reject(&mut self, line: u64, field: &str, value: &[u8], reason: Reason) {
        self.fq.count_reason(field, &reason, line);
        self.rejects.push(Reject {
            file: self.file.clone(),
            line,
            field: field.to_string(),
            value: String::from_utf8_lossy(value).into_owned(),
            reason,
        });
    }

    fn reject_row(&mut self, line: u64, field: &str, value: &[u8], reason: Reason) {
        self.reject(line, field, value, reason);
        self.fq.rows_rejected += 1;
    }

    /// Counts a record that could not be read at all (see [`BadRecord`]).
    pub fn add_bad(&mut self, bad: &BadRecord) {
        self.fq.rows_read += 1;
        self.reject_row(bad.line, quality::ROW, &bad.text, bad.reason.clone());
    }

    /// Validates one record and adds it to the columns, or rejects it with a reason.
    /// A record with fewer fields than the header is padded with empty fields
    /// (spreadsheet exports drop trailing empty cells) and counted as padded.
    pub fn add_row(
        &mut self,
        record: &impl Fields,
        line: u64,
        layout: &FileLayout,
        fields: &[FieldRequest],
        window: &Window,
    ) {
        self.fq.rows_read += 1;
        if record.width() > layout.width {
            let mut joined = record.text();
            if joined.last() == Some(&b'\r') {
                joined.pop();
            }
            let reason = format!("wrong number of fields (expected {}, found {})", layout.width, record.width());
            return self.reject_row(line, quality::ROW, &joined, reason);
        }
        let field = |i: usize| if i < record.width() { record.field(i) } else { &b""[..] };
        let field_text = |i: usize| if i < record.width() { record.str_field(i) } else { Ok("") };
        let stamp = match layout.date {
            None => None,
            Some(i) => match field_text(i).and_then(|s| window.dates.parse_stamp(s)) {
                Ok(Some(ts)) => Some(ts),
                Ok(None) => return self.reject_row(line, quality::DATE, field(i), "missing date".into()),
                Err(reason) => return self.reject_row(line, quality::DATE, field(i), reason),
            },
        };
        // A separate time column adds the time of day to the date (SPEC §10); a missing
        // code there is a missing time, as an empty one (midnight).
        let stamp = match (stamp, layout.time) {
            (Some(stamp), Some(j)) if self.is_missing_code(field(j)) => Some(stamp),
            (Some(stamp), Some(j)) => match field_text(j).and_then(parse::parse_time_of_day) {
                Ok(seconds) => Some(stamp.plus(seconds.unwrap_or(0), window.dates.tz)),
                Err(reason) => return self.reject_row(line, quality::DATE, field(j), reason),
            },
            (stamp, _) => stamp,
        };
        let ts = stamp.map(|s| s.local);
        let day = ts.map(|ts| self.days.get(ts, window));
        // Customers are counted per period in 16-bit period numbers: a transaction whose
        // period does not fit is rejected (outside --from/--to it is outside), and its
        // date is not the data's latest (the as-of date).
        let too_far = self.fq.kind == Kind::Transactions && day.is_some_and(|d| !crate::period::period_fits(d.index));
        let date = day.map(|d| d.date);
        if let Some(d) = date {
            if !too_far {
                self.latest = self.latest.max(Some(d));
            }
            let early = window.from.is_some_and(|from| d < from);
            let late = window.to.is_some_and(|to| d > to);
            if early || late {
                self.fq.rows_outside_range += 1;
                return;
            }
        }
        if too_far && let Some(i) = layout.date {
            return self.reject_row(line, quality::ROW, field(i), TOO_FAR.to_string());
        }
        // A group value that is not text cannot be grouped: the row is rejected, never
        // merged into a blank group.
        for (k, index) in layout.dims.iter().enumerate() {
            if let Some(i) = *index
                && field_text(i).is_err()
            {
                let reason =
                    format!("not valid UTF-8 in {} (set --encoding, e.g. windows-1252 or gb18030)", self.dim_names[k]);
                return self.reject_row(line, quality::ROW, field(i), reason);
            }
        }
        // A required field without a value (a transaction without its customer) rejects
        // the row: it would count in some figures and not in others.
        for j in 0..self.required.len() {
            let (index, name) = (self.required[j], fields[self.required[j]].field);
            let raw = layout.fields[index].map_or(&b""[..], field);
            // Blank as a key is blank: Unicode white space (a vertical tab, U+00A0) too.
            let text = layout.fields[index].map_or(Ok(""), field_text);
            let blank = text.map_or(raw.trim_ascii().is_empty(), |t| parse::trim(t).is_empty());
            if blank || self.is_missing_code(raw) {
                return self.reject_row(line, quality::ROW, raw, format!("missing {name}"));
            }
        }
        if let Some(d) = date {
            self.range = Some(match self.range {
                None => (d, d),
                Some((lo, hi)) => (lo.min(d), hi.max(d)),
            });
        }
        if record.width() < layout.width {
            self.fq.rows_padded += 1;
        }
        self.fq.rows_used += 1;
        self.period_start_len += 1;
        // The row's day is the day of its stamp: no second look into the cache.
        let row = stamp.zip(day).map(|(s, d)| d.instant(s, window));
        match self.timestamps {
            Timestamps::None => {}
            Timestamps::Local => self.ts.push(ts),
            Timestamps::Instant => self.ts.push(row),
        }
        self.period_start.push(day.map_or(0, |d| d.start));
        self.period_index.push(day.map_or(0, |d| d.index));
        for n in 0..self.found.len() {
            let j = self.found[n];
            let req = &fields[j];
            // A field the file lacks becomes one all-null column in `into_frame`.
            let Some(i) = layout.fields[j] else { continue };
            let raw = field(i);
            if self.is_missing_code(raw) {
                self.field_counts[j].missing += 1;
                self.builders[j].push_missing();
                continue;
            }
            // One look at the field's text (a key's, or the value's to parse).
            let text = field_text(i);
            // Keys go straight into the dictionary: no string is allocated per row.
            if let (ValueKind::Key, Ok(key), Builder::Key(codes)) = (req.kind, &text, &mut self.builders[j]) {
                let key = parse::trim(key);
                let counts = &mut self.field_counts[j];
                if key.is_empty() {
                    counts.missing += 1;
                    codes.push(None);
                } else {
                    counts.valid += 1;
                    codes.push(Some(self.field_dictionaries[j].code(key)));
                }
                continue;
            }
            let (builder, dictionary) = (&mut self.builders[j], &mut self.field_dictionaries[j]);
            let parsed = text.and_then(|s| parse_into(builder, dictionary, s, req.kind, window, row, &mut self.days));
            let counts = &mut self.field_counts[j];
            match parsed {
                Ok(true) => counts.valid += 1,
                Ok(false) => counts.missing += 1,
                Err(reason) => {
                    counts.rejected += 1;
                    note_out_of_scale(counts, raw, req.kind);
                    self.rejected_rows[j].push((self.period_start_len - 1) as u32);
                    self.reject(line, req.field, raw, reason);
                    self.builders[j].push_missing();
                }
            }
        }
        for (k, index) in layout.dims.iter().enumerate() {
            let value = index.map_or(Ok(""), field_text).unwrap_or("");
            // A missing code is an empty group value, like an empty cell.
            let value = if self.is_missing_code(value.as_bytes()) { "" } else { parse::trim(value) };
            self.dims[k].push(self.dim_dictionaries[k].code(value));
        }
    }

    /// Returns true if and only if `raw` is one of the missing codes, trimmed as values
    /// are trimmed (Unicode white space, so `NA` followed by a vertical tab is `NA`).
    #[inline]
    fn is_missing_code(&self, raw: &[u8]) -> bool {
        !self.missing_codes.is_empty() && {
            let value = std::str::from_utf8(raw).map_or(raw.trim_ascii(), |s| s.trim().as_bytes());
            self.missing_codes.iter().any(|code| code.as_bytes() == value)
        }
    }

    /// Moves the per-field counts into the chunk's [`FileQuality`] (for fields that
    /// the file has).
    pub fn finish_counts(&mut self, fields: &[FieldRequest], layout: &FileLayout) {
        for ((counts, req), index) in self.field_counts.drain(..).zip(fields).zip(&layout.fields) {
            if index.is_some() {
                *self.fq.field(req.field) = counts;
            }
        }
    }

    /// Turns the chunk into a frame, translating its local codes into `global` ones.
    pub fn into_frame(
        mut self,
        fields: &[FieldRequest],
        dim_names: &[String],
        global: &mut Dictionaries,
    ) -> PolarsResult<DataFrame> {
        for (k, (codes, name)) in self.dims.iter_mut().zip(dim_names).enumerate() {
            let map = remap(&self.dim_dictionaries[k], global, name);
            codes.iter_mut().for_each(|c| *c = map[*c as usize]);
        }
        for (j, (builder, req)) in self.builders.iter_mut().zip(fields).enumerate() {
            if let Builder::Key(codes) = builder {
                let map = remap(&self.field_dictionaries[j], global, req.field);
                codes.iter_mut().flatten().for_each(|c| *c = map[*c as usize]);
            }
        }
        let mut columns = Vec::with_capacity(3 + self.builders.len() + self.dims.len());
        columns.push(Column::new("period_start".into(), self.period_start).cast(&DataType::Date)?);
        columns.push(Column::new("period_index".into(), self.period_index));
        if self.timestamps != Timestamps::None {
            columns.push(Column::new("ts".into(), self.ts));
        }
        let height = self.period_start_len;
        for ((builder, req), present) in self.builders.into_iter().zip(fields).zip(&self.present) {
            columns.push(if *present { builder.into_column(req.field) } else { null_column(req, height) });
        }
        for (rows, req) in self.rejected_rows.iter().zip(fields) {
            let name = rejected_column(req.field);
            if rows.is_empty() {
                // One value for the whole chunk: no buffer is made (most files reject nothing).
                let none = Scalar::new(DataType::Boolean, AnyValue::Boolean(false));
                columns.push(Column::new_scalar(name.as_str().into(), none, height));
                continue;
            }
            let mut flags = vec![false; height];
            rows.iter().for_each(|&r| flags[r as usize] = true);
            columns.push(Column::new(name.into(), flags));
        }
        for (codes, name) in self.dims.into_iter().zip(dim_names) {
            columns.push(Column::new(name.as_str().into(), codes));
        }
        DataFrame::new_infer_height(columns)
    }
}

/// The column that marks the rows whose value of `field` was rejected (Boolean): the
/// `rejected` flag of a figure counts them per period and group (SPEC §9).
pub fn rejected_column(field: &str) -> String {
    format!("{field}.rejected")
}

/// The polars type a field is stored as.
pub fn dtype_of(kind: ValueKind) -> DataType {
    match kind {
        ValueKind::Score { .. } | ValueKind::Count => DataType::Int32,
        ValueKind::NonNegative | ValueKind::Number | ValueKind::MinutesAfterRowDate | ValueKind::Duration { .. } => {
            DataType::Float64
        }
        ValueKind::Bool | ValueKind::Churned | ValueKind::Checked => DataType::Boolean,
        ValueKind::Key => DataType::UInt32,
        ValueKind::Text => DataType::String,
        ValueKind::Timestamp | ValueKind::Money { .. } => DataType::Int64,
    }
}

/// An all-null column for a field a file lacks (no values stored).
pub fn null_column(req: &FieldRequest, height: usize) -> Column {
    Column::full_null(req.field.into(), height, &dtype_of(req.kind))
}

/// Maps every local code of a column to its code in the global dictionary.
fn remap(local: &Dictionary, global: &mut Dictionaries, name: &str) -> Vec<u32> {
    let global = global.get_mut(name);
    local.iter().map(|v| global.code(v)).collect()
}

/// The column names of the `--by` dimensions.
pub fn dimension_names(dims: &[String]) -> Vec<String> {
    dims.iter().map(|d| dimension_column(d)).collect()
}

fn text(raw: &[u8]) -> Result<&str, Reason> {
    std::str::from_utf8(raw).map_err(|_| "not valid UTF-8 (set --encoding)".to_string())
}

/// Parses one value of a kind into its column: `Ok(true)` when a value is added,
/// `Ok(false)` when it is missing (a null is added); on an error nothing is added.
/// `row` is the instant of the row's date (for a time measured from it), `days` the
/// block's days (for the instant of a time). The value goes straight into its builder:
/// returned as an enum through memory, it stalled the row's loop on each small value.
fn parse_into(
    builder: &mut Builder,
    dictionary: &mut Dictionary,
    s: &str,
    kind: ValueKind,
    window: &Window,
    row: Option<i64>,
    days: &mut DayCache,
) -> Result<bool, Reason> {
    Ok(match (kind, builder) {
        (ValueKind::Score { min, max, labels }, Builder::Int(b)) => append(b, parse::parse_score(s, min, max, labels)?),
        (ValueKind::Count, Builder::Int(b)) => append(b, parse_count(s)?),
        (ValueKind::Bool, Builder::Bool(b)) => append_bool(b, parse::parse_bool(s)?),
        (ValueKind::Churned, Builder::Bool(b)) => append_bool(b, parse::parse_churned(s)?),
        (ValueKind::Checked, Builder::Bool(b)) => append_bool(b, (!s.trim().is_empty()).then_some(true)),
        (ValueKind::NonNegative, Builder::Float(b)) => append(b, parse::parse_non_negative(s)?),
        (ValueKind::Number, Builder::Float(b)) => append(b, parse::parse_number(s)?),
        (ValueKind::Duration { unit, out }, Builder::Float(b)) => {
            append(b, parse::parse_duration(s, unit)?.map(|seconds| seconds / f64::from(out)))
        }
        (ValueKind::MinutesAfterRowDate, Builder::Float(b)) => append(b, minutes_after(s, window, row, days)?),
        (ValueKind::Money { negative }, Builder::Long(b)) => append(b, parse::parse_money(s, negative)?),
        (ValueKind::Timestamp, Builder::Long(b)) => append(b, window.dates.parse(s)?),
        (ValueKind::Key, Builder::Key(codes)) => match parse::trim(s) {
            "" => push(codes, None),
            t => push(codes, Some(dictionary.code(t))),
        },
        (ValueKind::Text, Builder::Text(texts)) => match parse::trim(s) {
            "" => push(texts, None),
            t => push(texts, Some(t.to_string())),
        },
        // A builder is made for its kind (`Builder::new`): no other pair occurs.
        (_, builder) => {
            builder.push_missing();
            false
        }
    })
}

/// Adds a value or a null to a column of numbers; true for a value.
fn append<T: PolarsNumericType>(builder: &mut PrimitiveChunkedBuilder<T>, value: Option<T::Native>) -> bool {
    match value {
        Some(x) => builder.append_value(x),
        None => builder.append_null(),
    }
    value.is_some()
}

/// Adds a value or a null to a Boolean column; true for a value.
fn append_bool(builder: &mut BooleanChunkedBuilder, value: Option<bool>) -> bool {
    builder.append_option(value);
    value.is_some()
}

/// Adds a value or a null to a column of codes or texts; true for a value.
fn push<T>(values: &mut Vec<Option<T>>, value: Option<T>) -> bool {
    let some = value.is_some();
    values.push(value);
    some
}

/// A count: a whole number from 1 up (empty is missing).
fn parse_count(s: &str) -> Result<Option<i32>, Reason> {
    match parse::trim(s) {
        "" => Ok(None),
        t => {
            let n = parse::parse_integer(t)?;
            if !(1..=i64::from(i32::MAX)).contains(&n) {
                return Err("not a count from 1 to 2147483647".to_string());
            }
            Ok(Some(n as i32))
        }
    }
}

/// The minutes from the row's instant to the instant of a time (elapsed time: across a
/// change of the zone's offset too); empty is missing.
fn minutes_after(s: &str, window: &Window, row: Option<i64>, days: &mut DayCache) -> Result<Option<f64>, Reason> {
    let Some(at) = window.dates.parse_stamp(s)? else { return Ok(None) };
    let start = row.ok_or_else(|| "no row date to measure from".to_string())?;
    let at = days.instant(at, window);
    if at < start {
        return Err("negative (before the row date)".to_string());
    }
    Ok(Some((at - start) as f64 / 60.0))
}

/// Remembers the range of whole numbers rejected as off-scale, for the scale hint.
fn note_out_of_scale(counts: &mut quality::FieldQuality, raw: &[u8], kind: ValueKind) {
    let ValueKind::Score { .. } = kind else { return };
    let Some(v) = text(raw).ok().and_then(|s| parse::parse_integer(s.trim()).ok()) else {
        return;
    };
    counts.out_of_scale_count += 1;
    counts.out_of_scale = Some(match counts.out_of_scale {
        None => (v, v),
        Some((lo, hi)) => (lo.min(v), hi.max(v)),
    });
}
