//! Response time (SPEC §4): `response_median_min` and `response_p90_min`, the median
//! and 90th percentile of the first-response time in minutes, from
//! `first_response_minutes` or `first_response_at − opened_at`.
//!
//! Quantiles are linear-interpolated (type 7: position h = (n − 1)·q, value =
//! x⌊h⌋ + (h − ⌊h⌋)(x⌊h⌋+1 − x⌊h⌋)). A negative response time is rejected at input.
//! No interval is given for the quantiles.

use polars::prelude::*;

use super::Estimate;
use super::frame::{count_valid, counts, floats};

/// The column the response minutes are in (derived at input).
pub const COLUMN: &str = "response_minutes";

/// The aggregations: `response.n`, `response.median`, `response.p90`.
pub fn aggregations() -> Vec<Expr> {
    vec![
        count_valid(COLUMN, "response.n"),
        col(COLUMN).quantile(lit(0.5), QuantileMethod::Linear).alias("response.median"),
        col(COLUMN).quantile(lit(0.9), QuantileMethod::Linear).alias("response.p90"),
    ]
}

/// Reads (median, p90) estimates for every row of an aggregated frame.
pub fn estimates(df: &DataFrame) -> PolarsResult<(Vec<Estimate>, Vec<Estimate>)> {
    let n = counts(df, "response.n")?;
    let median = floats(df, "response.median")?;
    let p90 = floats(df, "response.p90")?;
    let make = |v: Option<f64>, n: u64| Estimate { value: v.filter(|_| n > 0), n, ci: None, details: Vec::new() };
    Ok(((0..n.len()).map(|i| make(median[i], n[i])).collect(), (0..n.len()).map(|i| make(p90[i], n[i])).collect()))
}

/// The definition as printed in report footers.
pub fn definition() -> String {
    "response_median_min, response_p90_min = median and 90th percentile of first-response minutes (first_response_minutes, or first_response_at − opened_at), linear interpolation (type 7)".to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_quantiles_on_a_hand_computed_set() {
        // sorted 1, 2, 4, 7, 10: median 4; p90 h = 4·0.9 = 3.6 -> 7 + 0.6·3 = 8.8
        let df = df!("g" => [1; 6], COLUMN => [Some(10.0), Some(1.0), None, Some(4.0), Some(7.0), Some(2.0)]).unwrap();
        let out = df.lazy().group_by([col("g")]).agg(aggregations()).collect().unwrap();
        let (median, p90) = estimates(&out).unwrap();
        assert_eq!((median[0].value, median[0].n), (Some(4.0), 5));
        assert!((p90[0].value.unwrap() - 8.8).abs() < 1e-12);
    }

    #[test]
    fn even_count_median_interpolates_and_single_value() {
        let df = df!("g" => [1, 1, 1, 1, 2], COLUMN => [1.0, 2.0, 3.0, 4.0, 5.0]).unwrap();
        let out = df.lazy().group_by([col("g")]).agg(aggregations()).sort(["g"], Default::default()).collect().unwrap();
        let (median, p90) = estimates(&out).unwrap();
        assert_eq!(median[0].value, Some(2.5));
        assert!((p90[0].value.unwrap() - 3.7).abs() < 1e-12);
        assert_eq!((median[1].value, p90[1].value), (Some(5.0), Some(5.0)));
    }
}
