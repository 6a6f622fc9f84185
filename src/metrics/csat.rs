//! CSAT, customer satisfaction (SPEC §4).
//!
//! - Scale default 1–5; a score is *satisfied* when `score ≥ satisfied_min`
//!   (default 4: top-2-box).
//! - `csat` = 100 × count(score ≥ satisfied_min) / count(valid scores), with a
//!   Wilson 95% interval.
//! - `csat_mean` = mean of valid scores, with a Student-t 95% interval.
//! - `csat_bottom_box` = 100 × count(score ≤ bottom_max) / count(valid scores), the
//!   share of very low scores (SPEC §11); `bottom_max` defaults to the lowest score + 1
//!   (1–2 on 1–5); Wilson 95% interval. Lower is better.
//! - Empty scores are missing and in no denominator; scores off the scale or not
//!   whole numbers are rejected for CSAT only.

use polars::prelude::*;

use super::frame::Rows;
use super::share::ScoreSums;
use super::{Estimate, share};
use crate::metrics::sql::{Aggregate, Cmp, SqlStat};

/// The column the CSAT score is read from.
pub const COLUMN: &str = "csat";

/// CSAT settings (`[metrics.csat]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsatOptions {
    /// The inclusive scale of valid scores.
    pub scale: (i32, i32),
    /// The lowest score that counts as satisfied.
    pub satisfied_min: i32,
    /// The highest score that counts as very low (`None`: the lowest score + 1).
    pub bottom_max: Option<i32>,
    /// Answers written as words (`[metrics.csat] labels`, SPEC §14).
    pub labels: Option<&'static crate::input::request::Labels>,
}

impl CsatOptions {
    /// The highest very low score: `bottom_max`, else the lowest score + 1.
    pub fn bottom_max(&self) -> i32 {
        self.bottom_max.unwrap_or(self.scale.0 + 1)
    }
}

impl Default for CsatOptions {
    fn default() -> Self {
        CsatOptions { scale: (1, 5), satisfied_min: 4, bottom_max: None, labels: None }
    }
}

/// The aggregations that feed [`csat`], [`csat_mean`] and [`bottom_box`]: `csat.n`,
/// `csat.good`, `csat.sum`, `csat.sumsq` and `csat.bottom` over the valid scores in the
/// `csat` column.
pub fn aggregations(options: &CsatOptions, rows: Rows) -> Vec<Expr> {
    let mut out = share::aggregations(COLUMN, col(COLUMN).gt_eq(lit(options.satisfied_min)), rows);
    out.push(rows.count_true(col(COLUMN).lt_eq(lit(options.bottom_max())), "csat.bottom"));
    out
}

/// The SQL twin of [`aggregations`]: the same counts, named alike (SPEC §13).
pub fn sql(options: &CsatOptions) -> Vec<SqlStat> {
    let mut out = share::sql(COLUMN, (Cmp::AtLeast, i64::from(options.satisfied_min)));
    out.push(SqlStat::new(COLUMN, "bottom", Aggregate::CountIf(Cmp::AtMost, i64::from(options.bottom_max()))));
    out
}

/// Groups `frame` by `keys` and computes the CSAT aggregations.
pub fn aggregate(frame: LazyFrame, keys: &[Expr], options: &CsatOptions) -> LazyFrame {
    frame.group_by(keys).agg(aggregations(options, Rows::Each))
}

/// `csat` = 100 × satisfied / n, Wilson 95% interval. `None` value when n is 0.
pub fn csat(satisfied: u64, n: u64) -> Estimate {
    share::percent_good(satisfied, n)
}

/// `csat_mean` = mean of valid scores, Student-t 95% interval.
pub fn csat_mean(sums: ScoreSums) -> Estimate {
    share::mean_score(sums)
}

/// `csat_bottom_box` = 100 × very low / n, Wilson 95% interval.
pub fn bottom_box(very_low: u64, n: u64) -> Estimate {
    share::percent_good(very_low, n)
}

/// The definition of `csat_bottom_box`.
pub fn bottom_definition(options: &CsatOptions) -> String {
    format!(
        "csat_bottom_box = 100 × count(score ≤ {}) / count(valid scores), scale {}–{}: the share of very low scores; 95% Wilson interval",
        options.bottom_max(),
        options.scale.0,
        options.scale.1
    )
}

/// The definition as printed in report footers.
pub fn definition(options: &CsatOptions) -> String {
    format!(
        "csat = 100 × count(score ≥ {}) / count(valid scores), scale {}–{}, 95% Wilson interval; csat_mean = mean score, t interval",
        options.satisfied_min, options.scale.0, options.scale.1
    )
}

/// The `csat` column as survey KPIs read it.
const SCORES: super::survey::ScoreColumn = super::survey::ScoreColumn {
    column: COLUMN,
    aggregations: |options, rows| aggregations(&options.csat, rows),
    sql: |options| sql(&options.csat),
    scale: |options| options.csat.scale,
    definition: |options| definition(&options.csat),
    labels: |options| options.csat.labels,
};

/// `csat` as a survey KPI (see [`super::survey::SurveyKpi`]): [`csat`] per group.
pub const CSAT: super::survey::CountShare =
    super::survey::CountShare { scores: SCORES, count: "good", definition: |options| definition(&options.csat) };

/// `csat_bottom_box` as a survey KPI: [`bottom_box`] per group.
pub const CSAT_BOTTOM_BOX: super::survey::CountShare = super::survey::CountShare {
    scores: SCORES,
    count: "bottom",
    definition: |options| bottom_definition(&options.csat),
};

/// The employee surveys' `esat` column (SPEC §12: like csat, `[metrics.esat]`).
const ESAT_SCORES: super::survey::ScoreColumn = super::survey::ScoreColumn {
    column: "esat",
    aggregations: |options, rows| share::aggregations("esat", col("esat").gt_eq(lit(options.esat.satisfied_min)), rows),
    sql: |options| share::sql("esat", (Cmp::AtLeast, i64::from(options.esat.satisfied_min))),
    scale: |options| options.esat.scale,
    definition: |options| esat_definition(&options.esat),
    labels: |options| options.esat.labels,
};

/// The definition of `esat`.
pub fn esat_definition(options: &CsatOptions) -> String {
    format!(
        "esat = 100 × count(score ≥ {}) / count(valid scores) over the employee surveys, scale {}–{}, 95% Wilson interval",
        options.satisfied_min, options.scale.0, options.scale.1
    )
}

/// `esat` as a survey KPI on the employee surveys: [`csat`]'s definition.
pub const ESAT: super::survey::CountShare = super::survey::CountShare {
    scores: ESAT_SCORES,
    count: "good",
    definition: |options| esat_definition(&options.esat),
};

/// `csat_mean` as a survey KPI: [`csat_mean`] per group.
pub const CSAT_MEAN: super::survey::MeanScore = super::survey::MeanScore(SCORES);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::frame;

    /// Runs the polars aggregation over `scores` (one group) and returns (csat, mean).
    fn run(scores: &[Option<i32>], options: &CsatOptions) -> (Estimate, Estimate) {
        let df = df!("g" => vec![1; scores.len()], "csat" => scores.to_vec()).unwrap();
        let out = aggregate(df.lazy(), &[col("g")], options).collect().unwrap();
        let n = frame::counts(&out, "csat.n").unwrap()[0];
        let good = frame::counts(&out, "csat.good").unwrap()[0];
        let sums = share::score_sums(&out, "csat").unwrap()[0];
        (csat(good, n), csat_mean(sums))
    }

    #[test]
    fn spec_example_eight_satisfied_two_not_is_80() {
        let scores: Vec<Option<i32>> = [5, 5, 4, 4, 4, 5, 4, 4, 2, 3].into_iter().map(Some).collect();
        let (pct, mean) = run(&scores, &CsatOptions::default());
        assert_eq!(pct.value, Some(80.0));
        assert_eq!(pct.n, 10);
        let (lo, hi) = pct.ci.unwrap();
        assert!((lo - 49.016_247_153_664_18).abs() < 1e-9 && (hi - 94.331_784_854_562_48).abs() < 1e-9);
        assert_eq!(mean.value, Some(4.0));
    }

    #[test]
    fn score_exactly_at_the_threshold_is_satisfied() {
        let (pct, _) = run(&[Some(4), Some(3)], &CsatOptions::default());
        assert_eq!(pct.value, Some(50.0));
        let strict = CsatOptions { scale: (1, 5), satisfied_min: 5, bottom_max: None, labels: None };
        let (pct, _) = run(&[Some(4), Some(5)], &strict);
        assert_eq!(pct.value, Some(50.0));
    }

    /// Runs the aggregation and returns `csat_bottom_box`.
    fn bottom(scores: &[i32], options: &CsatOptions) -> Estimate {
        let df = df!("g" => vec![1; scores.len()], "csat" => scores.to_vec()).unwrap();
        let out = aggregate(df.lazy(), &[col("g")], options).collect().unwrap();
        bottom_box(frame::counts(&out, "csat.bottom").unwrap()[0], frame::counts(&out, "csat.n").unwrap()[0])
    }

    #[test]
    fn bottom_box_counts_scores_up_to_the_lowest_plus_one_inclusive() {
        // 1, 2 are very low on 1–5 (2 is exactly bottom_max); 3, 4, 5 are not: 2 of 5 = 40%.
        let e = bottom(&[1, 2, 3, 4, 5], &CsatOptions::default());
        assert_eq!((e.value, e.n), (Some(40.0), 5));
        // Wilson 95% for 2 of 5, computed in Python from the textbook formula.
        let (lo, hi) = e.ci.unwrap();
        assert!((lo - 11.762_077_423_264_78).abs() < 1e-9 && (hi - 76.927_571_872_398_7).abs() < 1e-9, "{lo} {hi}");
        // On 1–7 the default is 1–2; bottom_max = 3 counts 3 too.
        let seven = CsatOptions { scale: (1, 7), satisfied_min: 6, bottom_max: None, labels: None };
        assert_eq!(bottom(&[1, 2, 3, 7], &seven).value, Some(50.0));
        let three = CsatOptions { bottom_max: Some(3), ..seven };
        assert_eq!(bottom(&[1, 2, 3, 7], &three).value, Some(75.0));
        // A single response; none very low.
        assert_eq!(bottom(&[5], &CsatOptions::default()).value, Some(0.0));
        assert_eq!(bottom(&[2], &CsatOptions::default()).value, Some(100.0));
    }

    #[test]
    fn missing_scores_are_in_no_denominator() {
        let (pct, mean) = run(&[Some(5), None, None, Some(1)], &CsatOptions::default());
        assert_eq!(pct.n, 2);
        assert_eq!(pct.value, Some(50.0));
        assert_eq!(mean.value, Some(3.0));
    }

    #[test]
    fn single_response_and_all_missing() {
        let (pct, mean) = run(&[Some(5)], &CsatOptions::default());
        assert_eq!((pct.value, pct.n), (Some(100.0), 1));
        assert_eq!(mean.value, Some(5.0));
        assert_eq!(mean.ci, None);
        let (pct, mean) = run(&[None, None], &CsatOptions::default());
        assert_eq!((pct.value, pct.n, pct.ci), (None, 0, None));
        assert_eq!(mean.value, None);
    }
}
