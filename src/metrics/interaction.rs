//! The interaction KPIs' common shape: each adds its part to one aggregation over the
//! interactions table (derived columns, then counts per period and group) and reads its
//! figures back from the aggregated rows. `compute::interactions` is a loop over the
//! registry rows that have one (see [`super::registry`]); a new interaction KPI is its
//! file, an implementation of [`InteractionKpi`], and its registry row.

use std::sync::Arc;

use polars::prelude::*;

use super::frame::Rows;
use super::{Estimate, MetricSettings};
use crate::input::{Dictionaries, FieldRequest, Kind};

/// What a KPI sees of the interactions table and of the run when it plans its part.
pub struct Context<'a> {
    /// Whether the interactions table has a field.
    pub has: &'a dyn Fn(&str) -> bool,
    /// The metric options.
    pub options: &'a MetricSettings,
    /// The codes of the key columns (channels, complaint values).
    pub dictionaries: &'a Dictionaries,
    /// One row per interaction, or compacted rows with a weight.
    pub rows: Rows,
    /// The end of the as-of day of the interactions, in the table's seconds.
    pub as_of_end: i64,
    /// Whether transactions were given (a rate per 1000 is per transaction then).
    pub transactions: bool,
}

impl<'a> Context<'a> {
    /// The context of a plan made without the rows (SPEC §13: the SQL statistics, and
    /// reading them back): which columns there are, one row per interaction, no
    /// codes, no as-of cut, no transactions.
    pub fn without_rows(has: &'a dyn Fn(&str) -> bool, options: &'a MetricSettings) -> Self {
        static NO_CODES: std::sync::LazyLock<Dictionaries> = std::sync::LazyLock::new(Dictionaries::default);
        Context { has, options, dictionaries: &NO_CODES, rows: Rows::Each, as_of_end: i64::MAX, transactions: false }
    }
}

/// A frame transformation run before aggregating (derived columns, window flags).
pub type Prepare = Arc<dyn Fn(LazyFrame) -> PolarsResult<LazyFrame> + Send + Sync>;

/// Aggregations that cannot be one expression per group (quantiles of compacted rows):
/// computed from the prepared frame and the group keys, joined on the keys.
pub type Joined = Arc<dyn Fn(LazyFrame, &[Expr]) -> PolarsResult<DataFrame> + Send + Sync>;

/// One named piece of the aggregation. KPIs that share a piece (the response minutes of
/// `response_median_min`, `response_p90_min` and `sla_pct`) name it alike: it is added
/// once.
pub struct Part {
    /// Its name; the first part of a name wins.
    pub name: &'static str,
    /// It reads the response values, which the streaming engine keeps in a frame of
    /// their own, rather than the interaction flags.
    pub on_values: bool,
    /// Columns it derives before the aggregation.
    pub prepare: Option<Prepare>,
    /// Its aggregations, named `<part>.<count>`.
    pub aggregations: Vec<Expr>,
    /// For compacted rows: aggregations joined afterwards.
    pub joined: Option<Joined>,
}

impl Part {
    /// A part of plain aggregations on the interaction flags.
    pub fn counts(name: &'static str, aggregations: Vec<Expr>) -> Self {
        Part { name, on_values: false, prepare: None, aggregations, joined: None }
    }
}

/// A KPI's share of the aggregation and what it prints.
pub struct Plan {
    /// Its pieces of the aggregation.
    pub parts: Vec<Part>,
    /// The definition printed with its figures.
    pub definition: String,
    /// Notes about how it is computed (a target that matches nothing, the denominator).
    pub notes: Vec<String>,
}

/// A count whose figure is a rate per 1000 transactions of the same period and group
/// when transactions are given (complaints).
#[derive(Debug, Clone, Copy)]
pub struct PerTransactions {
    /// The aggregated count column.
    pub count: &'static str,
    /// The rate and its interval from the count and the transactions.
    pub rate: fn(u64, u64) -> Estimate,
}

/// A KPI computed from the interactions table.
pub trait InteractionKpi: Sync + std::fmt::Debug {
    /// The fields it reads, per input. `history`: FCR counts repeat contacts (see
    /// [`InteractionKpi::needs_history`]).
    fn fields(&self, options: &MetricSettings, history: bool) -> Vec<(Kind, FieldRequest)>;

    /// Whether it needs every contact with its time and customer (no compaction).
    /// `has_column` says whether an interactions file has one of the given fields.
    fn needs_history(&self, _options: &MetricSettings, _has_column: &dyn Fn(&[&str]) -> bool) -> bool {
        false
    }

    /// Its part of the aggregation, or the note saying why it cannot be computed.
    fn plan(&self, context: &Context) -> Result<Plan, String>;

    /// One estimate per row of the aggregated frame.
    fn estimates(&self, df: &DataFrame) -> PolarsResult<Vec<Estimate>>;

    /// Why it judged no interaction of the aggregated frame although no value of its
    /// fields was valid, when that is not the reason (FCR by repeat contacts needs none):
    /// the note's text after "not computed: ".
    fn unjudged(&self, _df: &DataFrame) -> PolarsResult<Option<String>> {
        Ok(None)
    }

    /// The SQL twin of [`InteractionKpi::plan`] (SPEC §13): its statistics over the
    /// cleaned columns `v_<field>` (whole numbers; booleans 1 and 0), named as its
    /// aggregation names them. `None` when it is not translated (or not by the method
    /// the columns call for).
    fn sql(&self, _context: &Context) -> Option<Vec<crate::metrics::sql::SqlStat>> {
        None
    }

    /// `Some` when its figure is a count per 1000 transactions (given transactions).
    fn per_transactions(&self) -> Option<PerTransactions> {
        None
    }
}

/// The values of a dictionary column, sorted and joined (at most 20), for notes.
pub fn values_seen(dictionaries: &Dictionaries, column: &str) -> String {
    let dictionary = dictionaries.get(column);
    let mut values: Vec<&str> = dictionary.map_or_else(Vec::new, |d| d.iter().filter(|v| !v.is_empty()).collect());
    values.sort_unstable();
    let more = values.len().saturating_sub(20);
    values.truncate(20);
    let list = values.join(", ");
    if more > 0 { format!("{list}, … {more} more") } else { list }
}
