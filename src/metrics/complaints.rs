//! Complaint rate per thousand (SPEC §4).
//!
//! - `complaints_per_1000` = 1000 × complaints / transactions in the same period and
//!   group. A complaint is an interaction with `complaint` true (or, configured, an
//!   interaction whose `column` equals `value`, e.g. `type = complaint`).
//! - Without a transactions input the denominator is interactions, and the output
//!   says "per 1000 interactions".
//! - 95% interval: exact Poisson (Garwood) interval on the complaint count, scaled
//!   the same way: 1000 × bound / denominator.

use polars::prelude::*;

use super::frame::{Rows, counts};
use super::interaction::{Context, InteractionKpi, Part, PerTransactions, Plan, values_seen};
use super::{Estimate, MetricSettings, stats};
use crate::input::{FieldRequest, Kind, ValueKind};
use crate::metrics::sql::{Aggregate, SqlStat};

/// What the rate is per.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denominator {
    /// Per 1000 transactions (the default, when transactions are given).
    Transactions,
    /// Per 1000 interactions (no transactions input).
    Interactions,
}

/// The aggregations over interactions: `complaints.count` (complaint true) and
/// `interactions.n` (all interactions). `is_complaint` is the per-row condition.
pub fn aggregations(is_complaint: Expr, rows: Rows) -> Vec<Expr> {
    vec![rows.count_true(is_complaint, "complaints.count"), rows.count_all("interactions.n")]
}

/// `complaints_per_1000` = 1000 × complaints / denominator, Garwood 95% interval.
/// `None` value when the denominator is 0.
pub fn complaints_per_1000(complaints: u64, denominator: u64) -> Estimate {
    if denominator == 0 {
        return Estimate { details: vec![("complaints", complaints as f64)], ..Estimate::empty(0) };
    }
    let scale = 1000.0 / denominator as f64;
    let (lo, hi) = stats::poisson_garwood(complaints);
    Estimate {
        value: Some(complaints as f64 * scale),
        n: denominator,
        ci: Some((lo * scale, hi * scale)),
        details: vec![("complaints", complaints as f64)],
    }
}

/// The definition as printed in report footers.
pub fn definition(denominator: Denominator, complaint_rule: &str) -> String {
    let per = match denominator {
        Denominator::Transactions => "transactions",
        Denominator::Interactions => "interactions (no transactions input: per 1000 interactions)",
    };
    format!(
        "complaints_per_1000 = 1000 × count({complaint_rule}) / {per} in the same period and group; 95% exact Poisson (Garwood) interval"
    )
}

/// Complaints per 1000 on the registry.
#[derive(Debug)]
pub struct Complaints;

impl Complaints {
    /// The per-row complaint condition and its description; a note when a configured
    /// value occurs nowhere in the column.
    fn rule(context: &Context, notes: &mut Vec<String>) -> (Expr, String) {
        match &context.options.complaint_value {
            None => (col("complaint").eq(lit(true)), "complaint = true".to_string()),
            Some(value) => {
                // Any case, spaces around ignored: `Complaint` and `complaint ` are one value.
                let codes = super::durations::codes_of(context.dictionaries.get("complaint"), value);
                if codes.is_empty() {
                    notes.push(format!(
                        "[metrics.complaints] value = '{value}' occurs nowhere in the complaint column (values seen: {}): no interaction counts as a complaint",
                        values_seen(context.dictionaries, "complaint")
                    ));
                }
                let condition = codes.into_iter().fold(lit(false), |any, c| any.or(col("complaint").eq(lit(c))));
                (condition, format!("complaint column = {value} (any case)"))
            }
        }
    }
}

impl InteractionKpi for Complaints {
    fn fields(&self, options: &MetricSettings, _: bool) -> Vec<(Kind, FieldRequest)> {
        let kind = if options.complaint_value.is_some() { ValueKind::Key } else { ValueKind::Bool };
        vec![
            (Kind::Interactions, FieldRequest { field: "complaint", kind }),
            // The transactions the rate is per (the customer id makes a row usable).
            (Kind::Transactions, FieldRequest { field: "customer_id", kind: ValueKind::Key }),
        ]
    }

    fn plan(&self, context: &Context) -> Result<Plan, String> {
        if !(context.has)("complaint") {
            return Err("no complaint column in interactions (map one with [columns.interactions] complaint = \"…\" or [metrics.complaints] column and value)".to_string());
        }
        let mut notes = Vec::new();
        let (condition, rule) = Self::rule(context, &mut notes);
        // Without transactions the loop says the rate is per 1000 interactions.
        let denominator = if context.transactions { Denominator::Transactions } else { Denominator::Interactions };
        Ok(Plan {
            parts: vec![Part::counts("complaints", aggregations(condition, context.rows))],
            definition: definition(denominator, &rule),
            notes,
        })
    }

    /// From a boolean complaint column, or the rows whose complaint column is the
    /// configured value (trimmed, in any case: SQL `LOWER`, as the per-key targets of
    /// `durations` match); the transactions it is per are counted with them
    /// (`transactions.n`). The value's literal is the same in every engine: one with a
    /// quote or a backslash is not translated.
    fn sql(&self, context: &Context) -> Option<Vec<SqlStat>> {
        let condition = match &context.options.complaint_value {
            None => "v_complaint = 1".to_string(),
            Some(value) if value.contains('\\') || value.contains('\'') => return None,
            Some(value) => format!("LOWER(v_complaint) = '{}'", value.trim().to_lowercase()),
        };
        let mut stats = vec![
            SqlStat::new("complaints", "count", Aggregate::CountWhere(condition)).on("complaint"),
            SqlStat::new("interactions", "n", Aggregate::CountWhere("1 = 1".to_string())).on("complaint"),
        ];
        if context.options.complaint_value.is_some() {
            // The column's values, for the note of a value that occurs nowhere.
            stats.push(SqlStat::new("values.seen", "complaint", Aggregate::DistinctValues).on("complaint"));
        }
        Some(stats)
    }

    /// Per 1000 interactions (without transactions).
    fn estimates(&self, df: &DataFrame) -> PolarsResult<Vec<Estimate>> {
        let complaints = counts(df, "complaints.count")?;
        let interactions = counts(df, "interactions.n")?;
        Ok(complaints.iter().zip(&interactions).map(|(&c, &n)| complaints_per_1000(c, n)).collect())
    }

    fn per_transactions(&self) -> Option<PerTransactions> {
        Some(PerTransactions { count: "complaints.count", rate: complaints_per_1000 })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_and_interval() {
        let e = complaints_per_1000(3, 2000);
        assert_eq!(e.value, Some(1.5));
        assert_eq!(e.n, 2000);
        // Garwood for 3 (0.618672, 8.767273, by bisection on the Poisson CDF in a
        // separate script) per 2000 × 1000.
        let (lo, hi) = e.ci.unwrap();
        assert!((lo - 0.309_336_061_447_800_6).abs() < 1e-9, "{lo}");
        assert!((hi - 4.383_636_534_871_162).abs() < 1e-9, "{hi}");
    }

    #[test]
    fn zero_complaints_upper_bound_is_3_689_per_n() {
        let e = complaints_per_1000(0, 1000);
        assert_eq!(e.value, Some(0.0));
        let (lo, hi) = e.ci.unwrap();
        assert_eq!(lo, 0.0);
        assert!((hi - 3.688_879_454).abs() < 1e-6, "{hi}");
    }

    #[test]
    fn no_denominator_no_value() {
        assert_eq!(complaints_per_1000(2, 0).value, None);
    }

    #[test]
    fn polars_counts_complaints_and_interactions() {
        let df = df!("g" => [1, 1, 1, 1], "complaint" => [Some(true), Some(false), None, Some(true)]).unwrap();
        let out = df
            .lazy()
            .group_by([col("g")])
            .agg(aggregations(col("complaint").eq(lit(true)), Rows::Each))
            .collect()
            .unwrap();
        assert_eq!(super::super::frame::counts(&out, "complaints.count").unwrap(), vec![2]);
        assert_eq!(super::super::frame::counts(&out, "interactions.n").unwrap(), vec![4]);
    }
}
