//! Churn from a customer snapshot (SPEC §12): one row per customer with a `churned`
//! flag (aliases `churn`, `Churn`, `Exited`, …), dimensions such as the contract or
//! plan, and an optional `snapshot_date`.
//!
//! - `churn_rate` = 100 × churned / customers with a known flag, Wilson 95% interval.
//!   Lower is better. An empty flag is missing (in no denominator); a flag that is not
//!   a boolean (`yes`/`no`, `1`/`0`, `true`/`false`, …) or a churn word (`Attrited
//!   Customer` / `Existing Customer`, `churned` / `retained`) is rejected.
//! - Without a snapshot date the figure covers the whole snapshot (period `all`). The
//!   window the flag covers (churned in the last month? ever?) is the data's own:
//!   servq cannot see it, and the definition says so.

use polars::prelude::*;

use super::frame::Rows;
use super::survey::SurveyKpi;
use super::{Estimate, MetricSettings, share};
use crate::input::{FieldRequest, ValueKind};
use crate::metrics::sql::{Aggregate, Cmp, SqlStat};

/// The churn flag column.
pub const COLUMN: &str = "churned";

/// `churn_rate` (see [`SurveyKpi`]: one customer per row, as one response per row).
#[derive(Debug)]
pub struct ChurnRate;

impl SurveyKpi for ChurnRate {
    fn column(&self) -> &'static str {
        COLUMN
    }

    fn fields(&self, _: &MetricSettings) -> Vec<FieldRequest> {
        vec![FieldRequest { field: COLUMN, kind: ValueKind::Churned }]
    }

    fn weighted(&self) -> bool {
        false
    }

    fn aggregations(&self, _: &MetricSettings, rows: Rows) -> Vec<Expr> {
        vec![rows.count_valid(COLUMN, "churned.n"), rows.count_true(col(COLUMN).eq(lit(true)), "churned.yes")]
    }

    fn sql(&self, _: &MetricSettings) -> Option<Vec<SqlStat>> {
        Some(vec![
            SqlStat::new(COLUMN, "n", Aggregate::Count),
            SqlStat::new(COLUMN, "yes", Aggregate::CountIf(Cmp::AtLeast, 1)),
        ])
    }

    fn estimates(&self, df: &DataFrame, _: &MetricSettings) -> PolarsResult<Vec<Estimate>> {
        let n = super::frame::counts(df, "churned.n")?;
        let yes = super::frame::counts(df, "churned.yes")?;
        Ok(n.iter().zip(&yes).map(|(&n, &k)| share::percent_of(k, n, "churned")).collect())
    }

    fn definition(&self, _: &MetricSettings) -> String {
        "churn_rate = 100 × customers flagged churned / customers with a known churn flag, from the customer snapshot; 95% Wilson interval. The window the flag covers is the snapshot's own (servq cannot see it): without a snapshot_date the figure is for the whole snapshot".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn churn(flags: &[Option<bool>]) -> Estimate {
        let df = df!("churned" => flags).unwrap();
        let out = df.lazy().select(ChurnRate.aggregations(&Default::default(), Rows::Each)).collect().unwrap();
        ChurnRate.estimates(&out, &Default::default()).unwrap().remove(0)
    }

    #[test]
    fn churn_rate_by_hand() {
        // 2 churned of 5 known (the empty flag is in no denominator): 40%, Wilson
        // (0.1176, 0.7693) by hand: centre (0.4 + 1.92/5)/1.768, half 1.96/1.768·√(0.048 + 0.0384).
        let e = churn(&[Some(true), Some(false), None, Some(true), Some(false), Some(false)]);
        assert_eq!((e.value, e.n, e.detail("churned")), (Some(40.0), 5, Some(2.0)));
        let (lo, hi) = e.ci.unwrap();
        assert!((lo - 11.762_077_423_264_78).abs() < 1e-9 && (hi - 76.927_571_872_398_7).abs() < 1e-9, "{lo} {hi}");
        // Nobody churned: 0% with an upper bound; no known flag: no figure.
        assert_eq!(churn(&[Some(false)]).value, Some(0.0));
        assert_eq!(churn(&[None, None]), Estimate::empty(0));
    }
}
