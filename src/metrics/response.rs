//! Response time (SPEC §4): `response_median_min` and `response_p90_min`, the median
//! and 90th percentile of the first-response time in minutes, from
//! `first_response_minutes` or `first_response_at − opened_at`.
//!
//! Quantiles are linear-interpolated (type 7: position h = (n − 1)·q, value =
//! x⌊h⌋ + (h − ⌊h⌋)(x⌊h⌋+1 − x⌊h⌋)). A negative response time is rejected at input.
//! No interval is given for the quantiles.
//!
//! On a compacted frame (see [`Rows::Weighted`]) the same quantiles come from the
//! sorted distinct values and their counts ([`weighted_quantile`]), with the same
//! arithmetic as polars' linear quantile, so both engines give identical figures.

use std::sync::Arc;

use polars::prelude::*;

use super::frame::{Rows, WEIGHT, counts, floats};
use super::interaction::{Context, InteractionKpi, Part, Plan};
use super::{Estimate, MetricSettings};
use crate::input::{FieldRequest, Kind, ValueKind};

/// The column the response minutes are in (derived at input).
pub const COLUMN: &str = "response_minutes";

/// The quantiles reported.
const QUANTILES: [(f64, &str); 2] = [(0.5, "response.median"), (0.9, "response.p90")];

/// The aggregations: `response.n`, and (one row per input row only) `response.median`
/// and `response.p90`; for a compacted frame the quantiles come from
/// [`weighted_quantiles`].
pub fn aggregations(rows: Rows) -> Vec<Expr> {
    let mut out = vec![rows.count_valid(COLUMN, "response.n")];
    if rows == Rows::Each {
        // Without the missing values polars selects instead of sorting each group.
        let values = || col(COLUMN).drop_nulls();
        out.extend(QUANTILES.map(|(q, name)| values().quantile(lit(q), QuantileMethod::Linear).alias(name)));
    }
    out
}

/// The linear (type 7) quantile `q` of a group given as its distinct values in
/// ascending order with their counts, computed exactly as polars computes it over the
/// rows: position h = (N − 1)·q over the N values, then the value at ⌊h⌋ plus
/// (h − ⌊h⌋) times the step to the next one. `None` when there are no values.
pub fn weighted_quantile(values: &[(f64, u64)], q: f64) -> Option<f64> {
    let total: u64 = values.iter().map(|v| v.1).sum();
    if total == 0 {
        return None;
    }
    let at = |position: u64| {
        let mut seen = 0;
        values.iter().find(|(_, count)| {
            seen += count;
            seen > position
        })
    };
    let h = (total as f64 - 1.0) * q;
    let lower_position = (h as u64).min(total - 1);
    let lower = at(lower_position)?.0;
    if h.ceil() as u64 == lower_position {
        return Some(lower);
    }
    let upper = at(lower_position + 1)?.0;
    Some(if lower == upper { lower } else { (h - lower_position as f64) * (upper - lower) + lower })
}

/// Per group of a compacted frame: `response.median` and `response.p90` of [`COLUMN`]
/// weighted by [`WEIGHT`], one row per group, keyed by the `keys` columns (to join
/// onto the other aggregations).
pub fn weighted_quantiles(frame: LazyFrame, keys: &[Expr]) -> PolarsResult<DataFrame> {
    let mut order = keys.to_vec();
    order.push(col(COLUMN));
    let sorted = frame
        .group_by(order.clone())
        .agg([col(WEIGHT).sum()])
        .sort_by_exprs(order, SortMultipleOptions::default())
        .collect()?;
    let mut groups = sorted.clone().lazy().group_by_stable(keys).agg([len().alias("response.rows")]).collect()?;
    let values = floats(&sorted, COLUMN)?;
    let weights = counts(&sorted, WEIGHT)?;
    let mut start = 0;
    let mut quantiles = QUANTILES.map(|_| Vec::with_capacity(groups.height()));
    for rows in counts(&groups, "response.rows")? {
        let end = start + rows as usize;
        // Missing values are in no quantile.
        let group: Vec<(f64, u64)> = (start..end).filter_map(|i| values[i].map(|v| (v, weights[i]))).collect();
        for ((q, _), out) in QUANTILES.iter().zip(quantiles.iter_mut()) {
            out.push(weighted_quantile(&group, *q));
        }
        start = end;
    }
    groups.drop_in_place("response.rows")?;
    for ((_, name), values) in QUANTILES.iter().zip(quantiles) {
        groups.with_column(Column::new((*name).into(), values))?;
    }
    Ok(groups)
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

/// The response-time fields: minutes, or the time of the first response.
pub fn fields() -> Vec<(Kind, FieldRequest)> {
    let field = |field, kind| (Kind::Interactions, FieldRequest { field, kind });
    vec![
        field("first_response_minutes", ValueKind::NonNegative),
        field("first_response_at", ValueKind::MinutesAfterRowDate),
    ]
}

/// The part every response KPI shares: [`COLUMN`] from `first_response_minutes`, else
/// the minutes from the row date to `first_response_at`, its count and quantiles; the
/// reason when neither column exists.
pub fn part(context: &Context) -> Result<Part, String> {
    let minutes = match ((context.has)("first_response_minutes"), (context.has)("first_response_at")) {
        (true, true) => when(col("first_response_minutes").is_not_null())
            .then(col("first_response_minutes"))
            .otherwise(col("first_response_at")),
        (true, false) => col("first_response_minutes"),
        (false, true) => col("first_response_at"),
        (false, false) => {
            return Err("no first_response_minutes or first_response_at column in interactions".to_string());
        }
    };
    Ok(Part {
        name: "response",
        on_values: true,
        prepare: Some(Arc::new(move |frame: LazyFrame| Ok(frame.with_column(minutes.clone().alias(COLUMN))))),
        aggregations: aggregations(context.rows),
        joined: (context.rows == Rows::Weighted).then_some(weighted_quantiles as _),
    })
}

/// A quantile of the first-response minutes on the registry (`response_median_min`,
/// `response_p90_min`).
#[derive(Debug)]
pub struct ResponseQuantile {
    /// Which quantile: 0 the median, 1 the 90th percentile (of [`QUANTILES`]).
    which: usize,
}

/// `response_median_min`.
pub const MEDIAN: ResponseQuantile = ResponseQuantile { which: 0 };

/// `response_p90_min`.
pub const P90: ResponseQuantile = ResponseQuantile { which: 1 };

impl InteractionKpi for ResponseQuantile {
    fn fields(&self, _: &MetricSettings, _: bool) -> Vec<(Kind, FieldRequest)> {
        fields()
    }

    fn plan(&self, context: &Context) -> Result<Plan, String> {
        Ok(Plan { parts: vec![part(context)?], definition: definition(), notes: Vec::new() })
    }

    fn estimates(&self, df: &DataFrame) -> PolarsResult<Vec<Estimate>> {
        let (median, p90) = estimates(df)?;
        Ok(if self.which == 0 { median } else { p90 })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_quantiles_on_a_hand_computed_set() {
        // sorted 1, 2, 4, 7, 10: median 4; p90 h = 4·0.9 = 3.6 -> 7 + 0.6·3 = 8.8
        let df = df!("g" => [1; 6], COLUMN => [Some(10.0), Some(1.0), None, Some(4.0), Some(7.0), Some(2.0)]).unwrap();
        let out = df.lazy().group_by([col("g")]).agg(aggregations(Rows::Each)).collect().unwrap();
        let (median, p90) = estimates(&out).unwrap();
        assert_eq!((median[0].value, median[0].n), (Some(4.0), 5));
        assert!((p90[0].value.unwrap() - 8.8).abs() < 1e-12);
    }

    #[test]
    fn even_count_median_interpolates_and_single_value() {
        let df = df!("g" => [1, 1, 1, 1, 2], COLUMN => [1.0, 2.0, 3.0, 4.0, 5.0]).unwrap();
        let out = df
            .lazy()
            .group_by([col("g")])
            .agg(aggregations(Rows::Each))
            .sort(["g"], Default::default())
            .collect()
            .unwrap();
        let (median, p90) = estimates(&out).unwrap();
        assert_eq!(median[0].value, Some(2.5));
        assert!((p90[0].value.unwrap() - 3.7).abs() < 1e-12);
        assert_eq!((median[1].value, p90[1].value), (Some(5.0), Some(5.0)));
    }

    #[test]
    fn weighted_quantile_by_hand() {
        // 1, 2, 2, 2, 10: h(0.5) = 4·0.5 = 2 -> 2; h(0.9) = 4·0.9 = 3.6 -> 2 + 0.6·(10 − 2) = 6.8
        let values = [(1.0, 1), (2.0, 3), (10.0, 1)];
        assert_eq!(weighted_quantile(&values, 0.5), Some(2.0));
        assert!((weighted_quantile(&values, 0.9).unwrap() - 6.8).abs() < 1e-12);
        assert_eq!(weighted_quantile(&[], 0.5), None);
        assert_eq!(weighted_quantile(&[(7.5, 1)], 0.9), Some(7.5));
    }

    /// Rows (group, value) -> polars' quantiles over the rows, and the weighted
    /// quantiles of their compacted form, per group.
    fn both_ways(rows: &[(u32, Option<f64>)]) -> (DataFrame, DataFrame) {
        let df = df!(
            "g" => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
            COLUMN => rows.iter().map(|r| r.1).collect::<Vec<_>>()
        )
        .unwrap();
        let by_rows = df.clone().lazy().group_by([col("g")]).agg(aggregations(Rows::Each));
        let by_rows = by_rows.select([col("g"), col("response.median"), col("response.p90")]);
        let compacted = df.lazy().group_by([col("g"), col(COLUMN)]).agg([len().cast(DataType::UInt64).alias(WEIGHT)]);
        let weighted = weighted_quantiles(compacted, &[col("g")]).unwrap();
        let order = || SortMultipleOptions::default();
        (by_rows.sort(["g"], order()).collect().unwrap(), weighted.sort(["g"], order()).unwrap())
    }

    use proptest::prelude::*;

    proptest! {
        #[test]
        fn weighted_quantiles_are_polars_quantiles_to_the_bit(
            rows in proptest::collection::vec(
                (0u32..3, proptest::option::weighted(0.8, (0u32..40).prop_map(|x| f64::from(x) * 0.37))),
                1..200,
            )
        ) {
            let (by_rows, weighted) = both_ways(&rows);
            for name in ["response.median", "response.p90"] {
                let a: Vec<Option<u64>> = floats(&by_rows, name).unwrap().iter().map(|v| v.map(f64::to_bits)).collect();
                let b: Vec<Option<u64>> = floats(&weighted, name).unwrap().iter().map(|v| v.map(f64::to_bits)).collect();
                prop_assert_eq!(a, b);
            }
        }
    }
}
