//! Response time (SPEC §4, §11): `response_median_min` and `response_p90_min`, the
//! median and 90th percentile of the first-response time in minutes, and
//! `response_mean_min`, its mean with a Student-t interval, from
//! `first_response_minutes` or `first_response_at − opened_at`. A negative response
//! time is rejected at input. How quantiles and means are computed: [`super::durations`].

use std::sync::Arc;

use polars::prelude::*;

use super::MetricSettings;
use super::durations::{
    Duration, DurationMean, DurationQuantile, duration_kind, joined_quantiles, quantile_aggregations,
};
use super::interaction::{Context, Part};
use crate::input::{FieldRequest, Kind, ValueKind};

/// The column the response minutes are in (derived by [`part`]).
pub const COLUMN: &str = "response_minutes";

/// The definition of the quantiles as printed in report footers.
pub fn definition() -> String {
    "response_median_min, response_p90_min = median and 90th percentile of first-response minutes (first_response_minutes, or first_response_at − opened_at), linear interpolation (type 7)".to_string()
}

/// The definition of the mean.
pub fn mean_definition() -> String {
    "response_mean_min = mean first-response minutes (first_response_minutes, or first_response_at − opened_at), summed exactly in milliseconds; 95% Student-t interval".to_string()
}

/// The response-time fields: a duration (minutes unless `[columns.interactions] units`
/// says otherwise, or `H:MM:SS`), or the time of the first response.
pub fn fields(options: &MetricSettings) -> Vec<(Kind, FieldRequest)> {
    let field = |field, kind| (Kind::Interactions, FieldRequest { field, kind });
    vec![
        field("first_response_minutes", duration_kind(options, "first_response_minutes", 60, 60)),
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
        aggregations: quantile_aggregations(COLUMN, "response", context.rows),
        joined: joined_quantiles(COLUMN, "response", context.rows),
    })
}

/// The first-response minutes as a duration.
pub const RESPONSE: Duration =
    Duration { column: COLUMN, prefix: "response", mean_part: "response.mean", unit_seconds: 60, fields, part };

/// `response_median_min`.
pub const MEDIAN: DurationQuantile = DurationQuantile { duration: RESPONSE, which: 0, definition };

/// `response_p90_min`.
pub const P90: DurationQuantile = DurationQuantile { duration: RESPONSE, which: 1, definition };

/// `response_mean_min`.
pub const MEAN: DurationMean = DurationMean { duration: RESPONSE, definition: mean_definition };

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::durations::{quantile_estimates, weighted_quantile, weighted_quantiles};
    use crate::metrics::frame::{Rows, WEIGHT, floats};

    #[test]
    fn linear_quantiles_on_a_hand_computed_set() {
        // sorted 1, 2, 4, 7, 10: median 4; p90 h = 4·0.9 = 3.6 -> 7 + 0.6·3 = 8.8
        let df = df!("g" => [1; 6], COLUMN => [Some(10.0), Some(1.0), None, Some(4.0), Some(7.0), Some(2.0)]).unwrap();
        let out = df
            .lazy()
            .group_by([col("g")])
            .agg(quantile_aggregations(COLUMN, "response", Rows::Each))
            .collect()
            .unwrap();
        let (median, p90) = quantile_estimates(&out, "response").unwrap();
        assert_eq!((median[0].value, median[0].n), (Some(4.0), 5));
        assert!((p90[0].value.unwrap() - 8.8).abs() < 1e-12);
    }

    #[test]
    fn even_count_median_interpolates_and_single_value() {
        let df = df!("g" => [1, 1, 1, 1, 2], COLUMN => [1.0, 2.0, 3.0, 4.0, 5.0]).unwrap();
        let out = df
            .lazy()
            .group_by([col("g")])
            .agg(quantile_aggregations(COLUMN, "response", Rows::Each))
            .sort(["g"], Default::default())
            .collect()
            .unwrap();
        let (median, p90) = quantile_estimates(&out, "response").unwrap();
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
        let by_rows = df.clone().lazy().group_by([col("g")]).agg(quantile_aggregations(COLUMN, "response", Rows::Each));
        let by_rows = by_rows.select([col("g"), col("response.median"), col("response.p90")]);
        let compacted = df.lazy().group_by([col("g"), col(COLUMN)]).agg([len().cast(DataType::UInt64).alias(WEIGHT)]);
        let weighted = weighted_quantiles(compacted, &[col("g")], COLUMN, "response").unwrap();
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
