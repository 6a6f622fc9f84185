//! Abandon rate (SPEC §11): `abandon_rate` = 100 × count(answered = false) /
//! count(answered known), from the `answered` column (aliases include
//! `Answered (Y/N)`; `Y`/`N` read as booleans). A call with an unknown `answered` is in
//! no denominator. Wilson 95% interval. Lower is better.

use polars::prelude::*;

use super::frame::counts;
use super::interaction::{Context, InteractionKpi, Part, Plan};
use super::{Estimate, MetricSettings, share};
use crate::input::{FieldRequest, Kind, ValueKind};
use crate::metrics::sql::{Aggregate, Cmp, SqlStat};

/// The answered column.
pub const COLUMN: &str = "answered";

/// `abandon_rate` = 100 × abandoned / calls with a known `answered`, Wilson interval.
pub fn abandon_rate(abandoned: u64, known: u64) -> Estimate {
    share::percent_of(abandoned, known, "abandoned")
}

/// The definition printed with the figures.
pub fn definition() -> String {
    "abandon_rate = 100 × count(answered = false) / count(calls with answered known); 95% Wilson interval".to_string()
}

/// `abandon_rate` on the registry.
#[derive(Debug)]
pub struct AbandonRate;

impl InteractionKpi for AbandonRate {
    fn fields(&self, _: &MetricSettings, _: bool) -> Vec<(Kind, FieldRequest)> {
        vec![(Kind::Interactions, FieldRequest { field: COLUMN, kind: ValueKind::Bool })]
    }

    fn plan(&self, context: &Context) -> Result<Plan, String> {
        if !(context.has)(COLUMN) {
            return Err("no answered column in interactions (looked for answered, Answered (Y/N), is_answered; map one with [columns.interactions] answered = \"…\")".to_string());
        }
        let rows = context.rows;
        let aggregations =
            vec![rows.count_valid(COLUMN, "abandon.n"), rows.count_true(col(COLUMN).eq(lit(false)), "abandon.count")];
        Ok(Plan { parts: vec![Part::counts("abandon", aggregations)], definition: definition(), notes: Vec::new() })
    }

    fn sql(&self, _: &Context) -> Option<Vec<SqlStat>> {
        Some(vec![
            SqlStat::new("abandon", "n", Aggregate::Count).on(COLUMN),
            SqlStat::new("abandon", "count", Aggregate::CountIf(Cmp::AtMost, 0)).on(COLUMN),
        ])
    }

    fn estimates(&self, df: &DataFrame) -> PolarsResult<Vec<Estimate>> {
        let n = counts(df, "abandon.n")?;
        let abandoned = counts(df, "abandon.count")?;
        Ok(n.iter().zip(&abandoned).map(|(&n, &k)| abandon_rate(k, n)).collect())
    }
}
