//! The loader: reads every file of one input kind into one polars frame, validating
//! each value it needs and accounting for every row (SPEC §2).
//!
//! The frame has `period_start` (Date), `period_index` (Int32, the period's running
//! number, see [`Period::index`]), `ts` (Int64, local seconds, null without a date column), one column per requested field under its canonical name, and one
//! `by.<dim>` column (UInt32 codes, see [`Dictionaries`]) per `--by` dimension.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use polars::prelude::*;

use super::columns::{self, FieldDef, Headers};
use super::parse::{self, DateParser, Reason};
use super::quality::{self, DataQuality, FileQuality, Reject};
use super::source::{self, ReadOptions};
use super::{Dictionaries, Kind, dimension_column};
use crate::period::{Period, epoch_days};

/// How the values of a field are parsed and stored.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ValueKind {
    /// An integer score on an inclusive scale (Int32).
    Score {
        /// Lowest valid score.
        min: i32,
        /// Highest valid score.
        max: i32,
    },
    /// A boolean (Boolean).
    Bool,
    /// A number ≥ 0 (Float64); a negative value is rejected.
    NonNegative,
    /// Any finite number (Float64).
    Number,
    /// A whole number ≥ 1, such as a contact count (Int32).
    Count,
    /// A text key interned as a code (UInt32): ids, topics.
    Key,
    /// Free text (String): comments.
    Text,
    /// A date or datetime (Int64 local seconds).
    Timestamp,
    /// A date or datetime after the row's own date: stored as the minutes elapsed
    /// since it (Float64); a value before the row date is rejected as negative.
    MinutesAfterRowDate,
}

/// One field the caller needs.
#[derive(Debug, Clone, Copy)]
pub struct FieldRequest {
    /// The canonical field name (see [`columns`]).
    pub field: &'static str,
    /// How to parse it.
    pub kind: ValueKind,
}

/// The date handling shared by all tables of a run.
#[derive(Debug, Clone, Default)]
pub struct Window {
    /// The period length rows are bucketed into.
    pub period: Period,
    /// Rows before this date are left out (counted as outside the range).
    pub from: Option<NaiveDate>,
    /// Rows after this date are left out (counted as outside the range).
    pub to: Option<NaiveDate>,
    /// How dates are parsed.
    pub dates: DateParser,
}

/// What to read for one input kind.
pub struct TableRequest<'a> {
    /// Which input.
    pub kind: Kind,
    /// The files (already expanded from globs).
    pub files: &'a [PathBuf],
    /// `[columns.<kind>]`: canonical field or dimension → header.
    pub mapping: &'a BTreeMap<String, String>,
    /// The fields to read when present.
    pub fields: Vec<FieldRequest>,
    /// Fields that must be present (an error names the file otherwise).
    pub required: Vec<&'static str>,
    /// Whether the date column must be present.
    pub date_required: bool,
    /// `--by` dimensions.
    pub dims: &'a [String],
    /// Whether a missing dimension is an error (else it is reported in
    /// [`Table::missing_dims`]).
    pub dims_required: bool,
    /// Dates, periods and range.
    pub window: &'a Window,
    /// Delimiter and encoding.
    pub read: &'a ReadOptions,
}

/// One input kind, loaded.
pub struct Table {
    /// The input kind.
    pub kind: Kind,
    /// The rows used, one column per field (see the module doc).
    pub frame: DataFrame,
    /// The fields found in at least one file.
    pub fields: BTreeSet<&'static str>,
    /// Dimensions not found in the files (only when not required).
    pub missing_dims: Vec<String>,
    /// The first and last date of the used rows.
    pub date_range: Option<(NaiveDate, NaiveDate)>,
}

impl Table {
    /// Returns true if and only if the field was found in at least one file.
    pub fn has(&self, field: &str) -> bool {
        self.fields.contains(field)
    }
}

/// A growing column of parsed values.
enum Builder {
    Int(Vec<Option<i32>>),
    Float(Vec<Option<f64>>),
    Bool(Vec<Option<bool>>),
    Key(Vec<Option<u32>>),
    Text(Vec<Option<String>>),
    Seconds(Vec<Option<i64>>),
}

impl Builder {
    fn new(kind: ValueKind) -> Self {
        match kind {
            ValueKind::Score { .. } | ValueKind::Count => Builder::Int(Vec::new()),
            ValueKind::NonNegative | ValueKind::Number | ValueKind::MinutesAfterRowDate => Builder::Float(Vec::new()),
            ValueKind::Bool => Builder::Bool(Vec::new()),
            ValueKind::Key => Builder::Key(Vec::new()),
            ValueKind::Text => Builder::Text(Vec::new()),
            ValueKind::Timestamp => Builder::Seconds(Vec::new()),
        }
    }

    fn push_missing(&mut self) {
        match self {
            Builder::Int(v) => v.push(None),
            Builder::Float(v) => v.push(None),
            Builder::Bool(v) => v.push(None),
            Builder::Key(v) => v.push(None),
            Builder::Text(v) => v.push(None),
            Builder::Seconds(v) => v.push(None),
        }
    }

    fn into_column(self, name: &str) -> Column {
        let name: PlSmallStr = name.into();
        match self {
            Builder::Int(v) => Column::new(name, v),
            Builder::Float(v) => Column::new(name, v),
            Builder::Bool(v) => Column::new(name, v),
            Builder::Key(v) => Column::new(name, v),
            Builder::Text(v) => Column::new(name, v),
            Builder::Seconds(v) => Column::new(name, v),
        }
    }
}

/// A value parsed from one field.
enum Parsed {
    Int(i32),
    Float(f64),
    Bool(bool),
    Text(String),
    Seconds(i64),
}

/// Where the columns of one file are.
struct FileLayout {
    date: Option<usize>,
    fields: Vec<Option<usize>>,
    dims: Vec<Option<usize>>,
    width: usize,
}

/// Reads every file of a request into one [`Table`], adding to the data quality.
pub fn load(request: &TableRequest, dictionaries: &mut Dictionaries, quality: &mut DataQuality) -> Result<Table> {
    let mut state = LoadState::new(request);
    for path in request.files {
        state.read_file(path, request, dictionaries, quality)?;
    }
    state.finish(request)
}

struct LoadState {
    period_start: Vec<i32>,
    period_index: Vec<i32>,
    ts: Vec<Option<i64>>,
    builders: Vec<Builder>,
    dims: Vec<Vec<u32>>,
    found: BTreeSet<&'static str>,
    missing_dims: BTreeSet<String>,
    range: Option<(NaiveDate, NaiveDate)>,
}

impl LoadState {
    fn new(request: &TableRequest) -> Self {
        LoadState {
            period_start: Vec::new(),
            period_index: Vec::new(),
            ts: Vec::new(),
            builders: request.fields.iter().map(|f| Builder::new(f.kind)).collect(),
            dims: vec![Vec::new(); request.dims.len()],
            found: BTreeSet::new(),
            missing_dims: BTreeSet::new(),
            range: None,
        }
    }

    fn layout(&mut self, headers: &Headers, request: &TableRequest, file: &str) -> Result<FileLayout> {
        let kind = request.kind;
        let date_def = columns::field_def(kind, "date").expect("every kind has a date");
        let date = headers.find_field(kind, date_def, request.mapping)?;
        if date.is_none() && request.date_required {
            bail!(
                "{file}: no date column for {} (looked for {}); map one with [columns.{}] date = \"…\"",
                kind.as_str(),
                columns::looked_for(date_def),
                kind.as_str()
            );
        }
        let mut fields = Vec::with_capacity(request.fields.len());
        for req in &request.fields {
            let def: &FieldDef = columns::field_def(kind, req.field).expect("requested fields are canonical");
            let index = headers.find_field(kind, def, request.mapping)?;
            if index.is_some() {
                self.found.insert(req.field);
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
                self.missing_dims.insert(dim.clone());
            }
            dims.push(index);
        }
        Ok(FileLayout { date, fields, dims, width: headers.len() })
    }

    fn read_file(
        &mut self,
        path: &Path,
        request: &TableRequest,
        dictionaries: &mut Dictionaries,
        quality: &mut DataQuality,
    ) -> Result<()> {
        let file_name: Arc<str> = path.display().to_string().into();
        let (header_names, mut records) = source::open(path, request.read)?;
        if header_names.iter().all(|h| h.trim().is_empty()) {
            bail!("{file_name}: empty file (no header row)");
        }
        let headers = Headers::new(&file_name, header_names);
        let layout = self.layout(&headers, request, &file_name)?;
        let mut row = Row {
            file: file_name.clone(),
            fq: FileQuality::new(request.kind, &file_name),
            dim_columns: request.dims.iter().map(|d| dimension_column(d)).collect(),
            record: csv::ByteRecord::new(),
            line: 0,
        };
        while let Some(line) = records.next(&mut row.record).with_context(|| format!("{file_name}: cannot read"))? {
            row.line = line;
            row.fq.rows_read += 1;
            self.add_row(&mut row, &layout, request, dictionaries, quality);
        }
        let fq = row.fq;
        if fq.rows_read == 0 {
            bail!("{file_name}: no data rows (the file has only a header)");
        }
        super::hints::add_hints(&fq, &request.fields, quality);
        quality.files.push(fq);
        Ok(())
    }

    /// Validates one record and adds it to the columns, or rejects it with a reason.
    fn add_row(
        &mut self,
        row: &mut Row,
        layout: &FileLayout,
        request: &TableRequest,
        dictionaries: &mut Dictionaries,
        quality: &mut DataQuality,
    ) {
        if row.record.len() != layout.width {
            let mut joined = row.record.iter().collect::<Vec<_>>().join(&b","[..]);
            if joined.last() == Some(&b'\r') {
                joined.pop();
            }
            let reason = format!("wrong number of fields (expected {}, found {})", layout.width, row.record.len());
            row.reject_row(quality::ROW, &joined, reason, quality);
            return;
        }
        let ts = match layout.date {
            None => None,
            Some(i) => match text(&row.record[i]).and_then(|s| request.window.dates.parse(s)) {
                Ok(Some(ts)) => Some(ts),
                Ok(None) => return row.reject_date(i, "missing date".into(), quality),
                Err(reason) => return row.reject_date(i, reason, quality),
            },
        };
        let date = ts.map(parse::date_of);
        if let Some(d) = date {
            let early = request.window.from.is_some_and(|from| d < from);
            let late = request.window.to.is_some_and(|to| d > to);
            if early || late {
                row.fq.rows_outside_range += 1;
                return;
            }
            self.range = Some(match self.range {
                None => (d, d),
                Some((lo, hi)) => (lo.min(d), hi.max(d)),
            });
        }
        row.fq.rows_used += 1;
        self.ts.push(ts);
        self.period_start.push(date.map_or(0, |d| epoch_days(request.window.period.start(d))));
        self.period_index.push(date.map_or(0, |d| request.window.period.index(d)));
        for (j, req) in request.fields.iter().enumerate() {
            let Some(i) = layout.fields[j] else {
                self.builders[j].push_missing();
                continue;
            };
            let raw = &row.record[i];
            let parsed = text(raw).and_then(|s| parse_value(s, req.kind, &request.window.dates, ts));
            let counts = row.fq.field(req.field);
            match parsed {
                Ok(Some(value)) => {
                    counts.valid += 1;
                    push_value(&mut self.builders[j], value, req.field, dictionaries);
                }
                Ok(None) => {
                    counts.missing += 1;
                    self.builders[j].push_missing();
                }
                Err(reason) => {
                    counts.rejected += 1;
                    note_out_of_scale(counts, raw, req.kind);
                    let raw = raw.to_vec();
                    row.reject_value(req.field, &raw, reason, quality);
                    self.builders[j].push_missing();
                }
            }
        }
        for (k, index) in layout.dims.iter().enumerate() {
            let value = index.map_or(Ok(""), |i| text(&row.record[i])).unwrap_or("");
            self.dims[k].push(dictionaries.get_mut(&row.dim_columns[k]).code(value.trim()));
        }
    }

    fn finish(self, request: &TableRequest) -> Result<Table> {
        let mut columns = Vec::with_capacity(2 + self.builders.len() + self.dims.len());
        let period_start = Column::new("period_start".into(), self.period_start).cast(&DataType::Date)?;
        columns.push(period_start);
        columns.push(Column::new("period_index".into(), self.period_index));
        columns.push(Column::new("ts".into(), self.ts));
        for (builder, req) in self.builders.into_iter().zip(&request.fields) {
            columns.push(builder.into_column(req.field));
        }
        for (codes, dim) in self.dims.into_iter().zip(request.dims) {
            columns.push(Column::new(dimension_column(dim).into(), codes));
        }
        let frame = DataFrame::new_infer_height(columns)?;
        Ok(Table {
            kind: request.kind,
            frame,
            fields: self.found,
            missing_dims: self.missing_dims.into_iter().collect(),
            date_range: self.range,
        })
    }
}

/// The record being read and the accounting of its file.
struct Row {
    file: Arc<str>,
    fq: FileQuality,
    dim_columns: Vec<String>,
    record: csv::ByteRecord,
    line: u64,
}

impl Row {
    /// Counts and keeps a rejected value of `field`.
    fn reject_value(&mut self, field: &str, value: &[u8], reason: Reason, quality: &mut DataQuality) {
        self.fq.count_reason(field, &reason, self.line);
        quality.rejects.push(Reject {
            file: self.file.clone(),
            line: self.line,
            field: field.to_string(),
            value: String::from_utf8_lossy(value).into_owned(),
            reason,
        });
    }

    /// Rejects the whole row because its date (field `index`) is missing or bad.
    fn reject_date(&mut self, index: usize, reason: Reason, quality: &mut DataQuality) {
        let value = self.record[index].to_vec();
        self.reject_row(quality::DATE, &value, reason, quality);
    }

    /// Rejects the whole row because of `field`.
    fn reject_row(&mut self, field: &str, value: &[u8], reason: Reason, quality: &mut DataQuality) {
        self.reject_value(field, value, reason, quality);
        self.fq.rows_rejected += 1;
    }
}

fn text(raw: &[u8]) -> Result<&str, Reason> {
    std::str::from_utf8(raw).map_err(|_| "not valid UTF-8 (set --encoding)".to_string())
}

fn parse_value(s: &str, kind: ValueKind, dates: &DateParser, row_ts: Option<i64>) -> Result<Option<Parsed>, Reason> {
    Ok(match kind {
        ValueKind::Score { min, max } => parse::parse_score(s, min, max)?.map(Parsed::Int),
        ValueKind::Bool => parse::parse_bool(s)?.map(Parsed::Bool),
        ValueKind::NonNegative => parse::parse_non_negative(s)?.map(Parsed::Float),
        ValueKind::Number => parse::parse_number(s)?.map(Parsed::Float),
        ValueKind::Count => match s.trim() {
            "" => None,
            t => {
                let n = parse::parse_integer(t)?;
                if !(1..=i64::from(i32::MAX)).contains(&n) {
                    return Err("not a count ≥ 1".to_string());
                }
                Some(Parsed::Int(n as i32))
            }
        },
        ValueKind::Key | ValueKind::Text => match s.trim() {
            "" => None,
            t => Some(Parsed::Text(t.to_string())),
        },
        ValueKind::Timestamp => dates.parse(s)?.map(Parsed::Seconds),
        ValueKind::MinutesAfterRowDate => match dates.parse(s)? {
            None => None,
            Some(at) => {
                let start = row_ts.ok_or_else(|| "no row date to measure from".to_string())?;
                if at < start {
                    return Err("negative (before the row date)".to_string());
                }
                Some(Parsed::Float((at - start) as f64 / 60.0))
            }
        },
    })
}

fn push_value(builder: &mut Builder, value: Parsed, field: &str, dictionaries: &mut Dictionaries) {
    match (builder, value) {
        (Builder::Int(v), Parsed::Int(x)) => v.push(Some(x)),
        (Builder::Float(v), Parsed::Float(x)) => v.push(Some(x)),
        (Builder::Bool(v), Parsed::Bool(x)) => v.push(Some(x)),
        (Builder::Key(v), Parsed::Text(x)) => v.push(Some(dictionaries.get_mut(field).code(&x))),
        (Builder::Text(v), Parsed::Text(x)) => v.push(Some(x)),
        (Builder::Seconds(v), Parsed::Seconds(x)) => v.push(Some(x)),
        (b, _) => b.push_missing(),
    }
}

/// Remembers the range of whole numbers rejected as off-scale, for the scale hint.
fn note_out_of_scale(counts: &mut quality::FieldQuality, raw: &[u8], kind: ValueKind) {
    let ValueKind::Score { .. } = kind else { return };
    let Some(v) = text(raw).ok().and_then(|s| parse::parse_integer(s.trim()).ok()) else {
        return;
    };
    counts.out_of_scale = Some(match counts.out_of_scale {
        None => (v, v),
        Some((lo, hi)) => (lo.min(v), hi.max(v)),
    });
}
