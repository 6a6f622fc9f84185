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

pub use crate::input::compact::WEIGHT;

/// How the rows of a frame are counted: one input row each (the in-memory engine),
/// or [`WEIGHT`] input rows each (the compacted frames of the streaming engine, where
/// identical rows are stored once with their count).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Rows {
    /// One input row per frame row.
    #[default]
    Each,
    /// [`WEIGHT`] input rows per frame row.
    Weighted,
}

impl Rows {
    /// The number of input rows where `condition` holds, as an aggregation named `alias`.
    pub fn count_true(self, condition: Expr, alias: &str) -> Expr {
        match self {
            Rows::Each => condition.sum(),
            Rows::Weighted => col(WEIGHT).filter(condition).sum(),
        }
        .cast(DataType::UInt64)
        .alias(alias)
    }

    /// The number of input rows where `column` is not null, as an aggregation named `alias`.
    pub fn count_valid(self, column: &str, alias: &str) -> Expr {
        match self {
            Rows::Each => col(column).count().cast(DataType::UInt64).alias(alias),
            Rows::Weighted => self.count_true(col(column).is_not_null(), alias),
        }
    }

    /// The number of input rows, as an aggregation named `alias`.
    pub fn count_all(self, alias: &str) -> Expr {
        match self {
            Rows::Each => len(),
            Rows::Weighted => col(WEIGHT).sum(),
        }
        .cast(DataType::UInt64)
        .alias(alias)
    }

    /// The sum of an integer `value` over input rows (Int64, exact), named `alias`.
    pub fn sum_integers(self, value: Expr, alias: &str) -> Expr {
        let value = value.cast(DataType::Int64);
        match self {
            Rows::Each => value.sum(),
            Rows::Weighted => (value * col(WEIGHT).cast(DataType::Int64)).sum(),
        }
        .alias(alias)
    }
}
