//! What a caller asks the loader for: the fields and how each is parsed, the date
//! window, and (per file) where the columns are. A leaf of `input/`: the loader
//! ([`super::table`]), the block parser ([`super::chunk`]) and the hints read these
//! types, and this module reads none of them.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::NaiveDate;

use super::Kind;
use super::compact::Compaction;
use super::parse::DateParser;
use super::source::ReadOptions;
use crate::period::Period;

/// How the values of a field are parsed and stored.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ValueKind {
    /// An integer score on an inclusive scale (Int32).
    Score {
        /// Lowest valid score.
        min: i32,
        /// Highest valid score.
        max: i32,
        /// Words read as scores (`Very satisfied` → 5), when configured.
        labels: Option<&'static Labels>,
    },
    /// A boolean (Boolean).
    Bool,
    /// A churn flag (Boolean): a boolean, or the words exports use for it
    /// (`Attrited Customer` / `Existing Customer`, `churned` / `retained`, …).
    Churned,
    /// A number ≥ 0 (Float64); a negative value is rejected.
    NonNegative,
    /// Any finite number (Float64).
    Number,
    /// An amount of money, stored exactly as whole millionths (Int64) so that sums
    /// do not depend on the order rows are added in; negative amounts are rejected
    /// unless `negative` is set.
    Money {
        /// Whether amounts below zero are valid (margins, refunds).
        negative: bool,
    },
    /// A whole number ≥ 1, such as a contact count (Int32).
    Count,
    /// A text key interned as a code (UInt32): ids, topics.
    Key,
    /// Free text (String): comments.
    Text,
    /// Text that is only judged (valid UTF-8), not kept: a presence bit (Boolean), for
    /// `servq validate`.
    Checked,
    /// A date or datetime (Int64 local seconds).
    Timestamp,
    /// A duration (SPEC §10): a number in `unit` seconds, or `H:MM:SS` / `MM:SS`;
    /// stored in `out` seconds (Float64). Negative: rejected.
    Duration {
        /// Seconds per unit of a plain number in the column.
        unit: u32,
        /// Seconds per unit stored (60: minutes, 3600: hours).
        out: u32,
    },
    /// A date or datetime after the row's own date: stored as the minutes elapsed
    /// since it (Float64); a value before the row date is rejected as negative.
    MinutesAfterRowDate,
}

pub use super::parse::Labels;

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
    /// Compact blocks as they are read (the streaming engine), or keep every row.
    pub compaction: Option<Compaction>,
    /// Keep each row's timestamp as `ts` (for ordering contacts or listing rows).
    pub timestamps: Timestamps,
}

/// Which timestamp of each row is kept as `ts`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timestamps {
    /// None.
    None,
    /// Its local seconds in the report's zone (its day; a listing).
    Local,
    /// Its instant, seconds since 1970 UTC (elapsed times between rows).
    Instant,
}

/// No column mapping.
static NO_MAPPING: BTreeMap<String, String> = BTreeMap::new();

impl<'a> TableRequest<'a> {
    /// A request for `files` of one kind, read with `window` and `read`: no mapping, no
    /// fields, the date column required, no `--by` dimensions, every row kept.
    pub fn new(kind: Kind, files: &'a [PathBuf], window: &'a Window, read: &'a ReadOptions) -> Self {
        TableRequest {
            kind,
            files,
            mapping: &NO_MAPPING,
            fields: Vec::new(),
            required: Vec::new(),
            date_required: true,
            dims: &[],
            dims_required: false,
            window,
            read,
            compaction: None,
            timestamps: Timestamps::None,
        }
    }

    /// The column mapping (`[columns.<kind>]`).
    pub fn mapping(mut self, mapping: &'a BTreeMap<String, String>) -> Self {
        self.mapping = mapping;
        self
    }

    /// The fields to read, and which of them must be present.
    pub fn fields(mut self, fields: Vec<FieldRequest>, required: Vec<&'static str>) -> Self {
        self.fields = fields;
        self.required = required;
        self
    }

    /// Whether the date column must be present.
    pub fn date_required(mut self, required: bool) -> Self {
        self.date_required = required;
        self
    }

    /// The `--by` dimensions, and whether a file without one is an error.
    pub fn dims(mut self, dims: &'a [String], required: bool) -> Self {
        self.dims = dims;
        self.dims_required = required;
        self
    }

    /// Compacts blocks as they are read (the streaming engine).
    pub fn compaction(mut self, compaction: Option<Compaction>) -> Self {
        self.compaction = compaction;
        self
    }

    /// Keeps each row's timestamp as `ts`.
    pub fn timestamps(mut self, timestamps: Timestamps) -> Self {
        self.timestamps = timestamps;
        self
    }
}

impl FileLayout {
    /// Returns true if and only if column `index` is read (as the date, a field or a
    /// dimension).
    pub fn uses(&self, index: usize) -> bool {
        let mut all = self.fields.iter().chain(&self.dims).chain(std::iter::once(&self.date));
        all.any(|i| *i == Some(index))
    }
}

/// Where the columns of one file are.
pub struct FileLayout {
    /// The date column.
    pub date: Option<usize>,
    /// A separate time-of-day column joined to the date (`[columns.<kind>] time`).
    pub time: Option<usize>,
    /// The column of each requested field.
    pub fields: Vec<Option<usize>>,
    /// The column of each `--by` dimension.
    pub dims: Vec<Option<usize>>,
    /// The number of columns in the header.
    pub width: usize,
}
