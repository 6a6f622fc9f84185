//! Reading aggregated polars frames back into plain Rust values.

use polars::prelude::*;

/// Returns a count column as `u64` values (null counts as 0).
pub fn counts(df: &DataFrame, name: &str) -> PolarsResult<Vec<u64>> {
    let column = df.column(name)?.cast(&DataType::UInt64)?;
    Ok(column.u64()?.iter().map(|v| v.unwrap_or(0)).collect())
}

/// Returns a numeric column as optional `f64` values.
pub fn floats(df: &DataFrame, name: &str) -> PolarsResult<Vec<Option<f64>>> {
    let column = df.column(name)?.cast(&DataType::Float64)?;
    Ok(column.f64()?.iter().collect())
}

/// Returns a code or day column as optional `i64` values.
pub fn integers(df: &DataFrame, name: &str) -> PolarsResult<Vec<Option<i64>>> {
    let column = df.column(name)?.to_physical_repr().cast(&DataType::Int64)?;
    Ok(column.i64()?.iter().collect())
}

/// Returns an integer sum column as exact `i128` values (null counts as 0).
pub fn exact(df: &DataFrame, name: &str) -> PolarsResult<Vec<i128>> {
    let column = df.column(name)?.as_materialized_series().cast(&DataType::Int128)?;
    Ok(column.i128()?.iter().map(|v| v.unwrap_or(0)).collect())
}

pub use crate::input::compact::{Rows, WEIGHT};
