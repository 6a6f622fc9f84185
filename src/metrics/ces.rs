//! CES, customer effort score (SPEC §4).
//!
//! - Default: CES 2.0 wording ("made it easy for me"), scale 1–7, 7 = strongly
//!   agree. `ces` = 100 × count(score ≥ `good_min`) / count(valid) ("% agree"),
//!   `good_min` default 5 on 1–7 (4 on 1–5), Wilson 95% interval.
//! - Variant `direction = "effort"` (legacy scale, 1 = very low effort): good =
//!   score ≤ `good_max`, default 3 on 1–7 and 2 on 1–5.
//! - `ces_mean` = mean of valid scores, Student-t 95% interval.

use polars::prelude::*;

use super::frame::Rows;
use super::share::ScoreSums;
use super::{Estimate, share};
use crate::metrics::sql::{Cmp, SqlStat};

/// The column the CES score is read from.
pub const COLUMN: &str = "ces";

/// Which end of the CES scale is good.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CesDirection {
    /// CES 2.0: high = "agree, it was easy" is good.
    #[default]
    Agree,
    /// Legacy: low = "very low effort" is good.
    Effort,
}

/// CES settings (`[metrics.ces]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CesOptions {
    /// The inclusive scale of valid scores.
    pub scale: (i32, i32),
    /// Which end is good.
    pub direction: CesDirection,
    /// The good threshold: lowest good score (agree) or highest good score (effort).
    pub threshold: i32,
}

impl CesOptions {
    /// Options with the default threshold for a scale and direction: agree → 5 on
    /// 1–7 (otherwise the scale's top two); effort → 3 on 1–7, 2 on 1–5.
    pub fn new(scale: (i32, i32), direction: CesDirection) -> Self {
        let threshold = match (direction, scale) {
            (CesDirection::Agree, (1, 7)) => 5,
            (CesDirection::Agree, (_, hi)) => hi - 1,
            (CesDirection::Effort, (1, 7)) => 3,
            (CesDirection::Effort, (lo, _)) => lo + 1,
        };
        CesOptions { scale, direction, threshold }
    }
}

impl Default for CesOptions {
    fn default() -> Self {
        CesOptions::new((1, 7), CesDirection::Agree)
    }
}

/// The expression that says a valid score is good.
pub fn good(options: &CesOptions) -> Expr {
    match options.direction {
        CesDirection::Agree => col(COLUMN).gt_eq(lit(options.threshold)),
        CesDirection::Effort => col(COLUMN).lt_eq(lit(options.threshold)),
    }
}

/// The aggregations that feed [`ces`] and [`ces_mean`]: `ces.n`, `ces.good`,
/// `ces.mean`, `ces.sd`.
pub fn aggregations(options: &CesOptions, rows: Rows) -> Vec<Expr> {
    share::aggregations(COLUMN, good(options), rows)
}

/// The SQL twin of [`aggregations`] (SPEC §13).
pub fn sql(options: &CesOptions) -> Vec<SqlStat> {
    let cmp = match options.direction {
        CesDirection::Agree => Cmp::AtLeast,
        CesDirection::Effort => Cmp::AtMost,
    };
    share::sql(COLUMN, (cmp, i64::from(options.threshold)))
}

/// Groups `frame` by `keys` and computes the CES aggregations.
pub fn aggregate(frame: LazyFrame, keys: &[Expr], options: &CesOptions) -> LazyFrame {
    frame.group_by(keys).agg(aggregations(options, Rows::Each))
}

/// `ces` = 100 × good / n, Wilson 95% interval.
pub fn ces(good: u64, n: u64) -> Estimate {
    share::percent_good(good, n)
}

/// `ces_mean` = mean of valid scores, Student-t 95% interval.
pub fn ces_mean(sums: ScoreSums) -> Estimate {
    share::mean_score(sums)
}

/// The definition as printed in report footers.
pub fn definition(options: &CesOptions) -> String {
    let rule = match options.direction {
        CesDirection::Agree => format!("score ≥ {} (% agree it was easy)", options.threshold),
        CesDirection::Effort => format!("score ≤ {} (% low effort)", options.threshold),
    };
    format!(
        "ces = 100 × count({rule}) / count(valid scores), scale {}–{}, 95% Wilson interval; ces_mean = mean score",
        options.scale.0, options.scale.1
    )
}

/// The `ces` column as survey KPIs read it.
const SCORES: super::survey::ScoreColumn = super::survey::ScoreColumn {
    column: COLUMN,
    aggregations: |options, rows| aggregations(&options.ces, rows),
    sql: |options| sql(&options.ces),
    scale: |options| options.ces.scale,
    definition: |options| definition(&options.ces),
    labels: |_| None,
};

/// `ces` as a survey KPI (see [`super::survey::SurveyKpi`]): [`ces`] per group.
pub const CES: super::survey::CountShare =
    super::survey::CountShare { scores: SCORES, count: "good", definition: |options| definition(&options.ces) };

/// `ces_mean` as a survey KPI: [`ces_mean`] per group.
pub const CES_MEAN: super::survey::MeanScore = super::survey::MeanScore(SCORES);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::frame;

    fn run(scores: &[i32], options: &CesOptions) -> Estimate {
        let scores: Vec<Option<i32>> = scores.iter().copied().map(Some).collect();
        let df = df!("g" => vec![1; scores.len()], "ces" => scores).unwrap();
        let out = aggregate(df.lazy(), &[col("g")], options).collect().unwrap();
        ces(frame::counts(&out, "ces.good").unwrap()[0], frame::counts(&out, "ces.n").unwrap()[0])
    }

    #[test]
    fn spec_example_65_of_100_agree() {
        let mut scores = vec![5; 20];
        scores.extend([6; 25]);
        scores.extend([7; 20]);
        scores.extend([4; 15]);
        scores.extend([1; 20]);
        let e = run(&scores, &CesOptions::default());
        assert_eq!((e.value, e.n), (Some(65.0), 100));
    }

    #[test]
    fn threshold_boundaries() {
        assert_eq!(run(&[5, 4], &CesOptions::default()).value, Some(50.0));
        let effort = CesOptions::new((1, 7), CesDirection::Effort);
        assert_eq!(effort.threshold, 3);
        assert_eq!(run(&[3, 4, 1, 7], &effort).value, Some(50.0));
        let effort5 = CesOptions::new((1, 5), CesDirection::Effort);
        assert_eq!(effort5.threshold, 2);
        assert_eq!(run(&[2, 3], &effort5).value, Some(50.0));
        assert_eq!(CesOptions::new((1, 5), CesDirection::Agree).threshold, 4);
    }

    #[test]
    fn single_response() {
        let e = run(&[7], &CesOptions::default());
        assert_eq!((e.value, e.n), (Some(100.0), 1));
    }
}
