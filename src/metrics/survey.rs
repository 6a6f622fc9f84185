//! The survey KPIs' common shape: each reads a score column (or a set of item columns,
//! SERVQUAL) of a one-row-per-response table (surveys, employee surveys, the customer
//! snapshot) and is computed from that column's aggregation per period and group.
//! `compute::surveys` is a loop over the registry rows that have one (see
//! [`super::registry`]); a new survey KPI is its file, an implementation of
//! [`SurveyKpi`], and its registry row.

use polars::prelude::*;

use super::frame::Rows;
use super::{Estimate, MetricSettings, share};
use crate::input::request::Labels;
use crate::input::{FieldRequest, ValueKind};
use crate::metrics::sql::SqlStat;

/// A KPI computed from one survey score column (or one set of item columns).
pub trait SurveyKpi: Sync + std::fmt::Debug {
    /// The score column, or the name of its item set; KPIs of one column share its
    /// aggregations.
    fn column(&self) -> &'static str;

    /// How its columns are read (the scale comes from the options).
    fn fields(&self, options: &MetricSettings) -> Vec<FieldRequest>;

    /// Why it cannot be computed from this table (a column it needs is absent), as the
    /// end of a `not computed:` note.
    fn absent(&self, table: &crate::input::Table, _options: &MetricSettings) -> Option<String> {
        let column = self.column();
        if table.has(column) {
            return None;
        }
        let def = crate::input::columns::field_def(table.kind, column)?;
        Some(format!(
            "no {column} column in {kind} (looked for {}; map one with [columns.{kind}] {column} = \"…\")",
            crate::input::columns::looked_for(def),
            kind = table.kind.as_str()
        ))
    }

    /// The columns whose rejected values make its figure suspect, when the registry row
    /// cannot name them (SERVQUAL's item columns come from the options).
    fn judged(&self, _options: &MetricSettings) -> Vec<&'static str> {
        Vec::new()
    }

    /// Per aggregated row: suspect for a reason of its own (more than 5% of its rows
    /// rejected for it alone), beyond rejected values.
    fn suspect(&self, _df: &DataFrame) -> PolarsResult<Option<Vec<bool>>> {
        Ok(None)
    }

    /// Notes on what its aggregation saw (rows rejected for it alone), for stderr.
    fn notes(&self, _df: &DataFrame) -> PolarsResult<Vec<String>> {
        Ok(Vec::new())
    }

    /// Whether the survey `weight` column weighs it (SPEC §14).
    fn weighted(&self) -> bool {
        true
    }

    /// The aggregations of the column, per period and group.
    fn aggregations(&self, options: &MetricSettings, rows: Rows) -> Vec<Expr>;

    /// The SQL twin of [`SurveyKpi::aggregations`] (SPEC §13), named alike; `None` when
    /// the KPI is not translated to SQL yet.
    fn sql(&self, _options: &MetricSettings) -> Option<Vec<SqlStat>> {
        None
    }

    /// The statistic whose presence in a cell says the KPI was computed there (its
    /// count): `<column>.n`.
    fn sql_count(&self, _options: &MetricSettings) -> String {
        format!("{}.n", self.column())
    }

    /// One estimate per row of the aggregated frame.
    fn estimates(&self, df: &DataFrame, options: &MetricSettings) -> PolarsResult<Vec<Estimate>>;

    /// The definition printed with the figures.
    fn definition(&self, options: &MetricSettings) -> String;

    /// Why it is not computed under these options (a mean of good/bad answers).
    fn not_computed(&self, _options: &MetricSettings) -> Option<String> {
        None
    }
}

/// A score field on an inclusive scale, with its rating labels if any.
pub fn score_field(field: &'static str, scale: (i32, i32), labels: Option<&'static Labels>) -> FieldRequest {
    FieldRequest { field, kind: ValueKind::Score { min: scale.0, max: scale.1, labels } }
}

/// How a KPI on a score column reads its options: its aggregations, its scale and its
/// definition (csat and ces differ only in these).
#[derive(Debug, Clone, Copy)]
pub struct ScoreColumn {
    /// The score column.
    pub column: &'static str,
    /// The column's aggregations (`<column>.n`, `.good`, `.sum`, `.sumsq`).
    pub aggregations: fn(&MetricSettings, Rows) -> Vec<Expr>,
    /// The same aggregations in SQL (SPEC §13).
    pub sql: fn(&MetricSettings) -> Vec<SqlStat>,
    /// Its scale.
    pub scale: fn(&MetricSettings) -> (i32, i32),
    /// Its definition.
    pub definition: fn(&MetricSettings) -> String,
    /// Its rating labels (`[metrics.csat] labels`).
    pub labels: fn(&MetricSettings) -> Option<&'static Labels>,
}

/// The share of the valid scores on a column that one of its counts counts (csat and
/// ces: the good ones; csat_bottom_box: the very low ones; nps_promoters_pct):
/// 100 × `<column>.<count>` / `<column>.n`, Wilson interval.
#[derive(Debug)]
pub struct CountShare {
    /// The score column.
    pub scores: ScoreColumn,
    /// The count among the column's aggregations (`good`, `bottom`, `promoters`).
    pub count: &'static str,
    /// Its definition.
    pub definition: fn(&MetricSettings) -> String,
}

/// The mean score on a column (csat_mean, ces_mean), Student-t interval.
#[derive(Debug)]
pub struct MeanScore(pub ScoreColumn);

impl SurveyKpi for CountShare {
    fn column(&self) -> &'static str {
        self.scores.column
    }

    fn fields(&self, options: &MetricSettings) -> Vec<FieldRequest> {
        vec![score_field(self.scores.column, (self.scores.scale)(options), (self.scores.labels)(options))]
    }

    fn aggregations(&self, options: &MetricSettings, rows: Rows) -> Vec<Expr> {
        (self.scores.aggregations)(options, rows)
    }

    fn sql(&self, options: &MetricSettings) -> Option<Vec<SqlStat>> {
        Some((self.scores.sql)(options))
    }

    fn estimates(&self, df: &DataFrame, _: &MetricSettings) -> PolarsResult<Vec<Estimate>> {
        let column = self.scores.column;
        let n = super::frame::counts(df, &format!("{column}.n"))?;
        let count = format!("{column}.{}", self.count);
        let counted = super::frame::counts(df, &count)?;
        if let (Some(weights), Some(weighted)) = (share::weights(df, column)?, share::weighted(df, &count)?) {
            return Ok((0..n.len())
                .map(|i| share::weighted_percent(weighted[i], weights[i], counted[i], n[i], self.count))
                .collect());
        }
        Ok(n.iter().zip(&counted).map(|(&n, &k)| share::percent_of(k, n, self.count)).collect())
    }

    fn definition(&self, options: &MetricSettings) -> String {
        (self.definition)(options)
    }
}

impl SurveyKpi for MeanScore {
    fn column(&self) -> &'static str {
        self.0.column
    }

    fn fields(&self, options: &MetricSettings) -> Vec<FieldRequest> {
        vec![score_field(self.0.column, (self.0.scale)(options), (self.0.labels)(options))]
    }

    fn aggregations(&self, options: &MetricSettings, rows: Rows) -> Vec<Expr> {
        (self.0.aggregations)(options, rows)
    }

    fn sql(&self, options: &MetricSettings) -> Option<Vec<SqlStat>> {
        Some((self.0.sql)(options))
    }

    fn estimates(&self, df: &DataFrame, _: &MetricSettings) -> PolarsResult<Vec<Estimate>> {
        let column = self.0.column;
        let sums = share::score_sums(df, column)?;
        if let (Some(weights), Some(sum), Some(sum_sq)) = (
            share::weights(df, column)?,
            share::weighted(df, &format!("{column}.sum"))?,
            share::weighted(df, &format!("{column}.sumsq"))?,
        ) {
            return Ok((0..sums.len())
                .map(|i| share::weighted_mean(sum[i], sum_sq[i], weights[i], sums[i].n))
                .collect());
        }
        Ok(sums.into_iter().map(share::mean_score).collect())
    }

    fn definition(&self, options: &MetricSettings) -> String {
        (self.0.definition)(options)
    }

    fn not_computed(&self, options: &MetricSettings) -> Option<String> {
        (self.0.labels)(options)
            .filter(|l| l.binary)
            .map(|_| "two-word rating labels (good-bad) have no mean".to_string())
    }
}
