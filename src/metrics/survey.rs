//! The survey KPIs' common shape: each reads one score column and is computed from
//! that column's aggregation per period and group. `compute::surveys` is a loop over
//! the registry rows that have one (see [`super::registry`]); a new survey KPI is its
//! file, an implementation of [`SurveyKpi`], and its registry row.

use polars::prelude::*;

use super::frame::Rows;
use super::{Estimate, MetricSettings};
use crate::input::{FieldRequest, ValueKind};

/// A KPI computed from one survey score column.
pub trait SurveyKpi: Sync + std::fmt::Debug {
    /// The score column; KPIs of one column share its aggregations.
    fn column(&self) -> &'static str;

    /// How the column is read (its scale comes from the options).
    fn field(&self, options: &MetricSettings) -> FieldRequest;

    /// The aggregations of the column, per period and group.
    fn aggregations(&self, options: &MetricSettings, rows: Rows) -> Vec<Expr>;

    /// One estimate per row of the aggregated frame.
    fn estimates(&self, df: &DataFrame, options: &MetricSettings) -> PolarsResult<Vec<Estimate>>;

    /// The definition printed with the figures.
    fn definition(&self, options: &MetricSettings) -> String;
}

/// A score field on an inclusive scale.
pub fn score_field(field: &'static str, scale: (i32, i32)) -> FieldRequest {
    FieldRequest { field, kind: ValueKind::Score { min: scale.0, max: scale.1 } }
}
