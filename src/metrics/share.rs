//! The "share of good scores" shape shared by CSAT and CES: the percentage of valid
//! scores that count as good, with a Wilson interval, and the mean score with a
//! Student-t interval. Each metric file says which scores are good.

use polars::prelude::*;

use super::frame::{Rows, counts, integers};
use super::{Estimate, stats};

/// Aggregations over the score `column`: `<column>.n` (valid scores), `<column>.good`
/// (scores where `good` holds), `<column>.sum` and `<column>.sumsq` (exact integer
/// sums of the scores and of their squares, from which [`mean_score`] works).
pub fn aggregations(column: &str, good: Expr, rows: Rows) -> Vec<Expr> {
    let score = col(column).cast(DataType::Int64);
    vec![
        rows.count_valid(column, &format!("{column}.n")),
        rows.count_true(good, &format!("{column}.good")),
        rows.sum_integers(score.clone(), &format!("{column}.sum")),
        rows.sum_integers(score.clone() * score, &format!("{column}.sumsq")),
    ]
}

/// The valid scores of one group, summed exactly: the count, Σx and Σx².
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ScoreSums {
    /// Valid scores.
    pub n: u64,
    /// Σ score.
    pub sum: i64,
    /// Σ score².
    pub sum_sq: i64,
}

impl ScoreSums {
    /// The sums of some scores (for tests and library users).
    pub fn of(scores: &[i64]) -> Self {
        ScoreSums { n: scores.len() as u64, sum: scores.iter().sum(), sum_sq: scores.iter().map(|x| x * x).sum() }
    }

    /// The mean, `Σx / n`; `None` when n is 0.
    pub fn mean(&self) -> Option<f64> {
        (self.n > 0).then(|| self.sum as f64 / self.n as f64)
    }

    /// The sample standard deviation, `√((n·Σx² − (Σx)²) / (n(n − 1)))` with the
    /// numerator in exact integers; `None` when n < 2.
    pub fn sd(&self) -> Option<f64> {
        if self.n < 2 {
            return None;
        }
        let n = i128::from(self.n);
        let numerator = n * i128::from(self.sum_sq) - i128::from(self.sum) * i128::from(self.sum);
        Some((numerator.max(0) as f64 / (n * (n - 1)) as f64).sqrt())
    }
}

/// Reads the [`ScoreSums`] of every row of a frame aggregated by [`aggregations`].
pub fn score_sums(df: &DataFrame, column: &str) -> PolarsResult<Vec<ScoreSums>> {
    let n = counts(df, &format!("{column}.n"))?;
    let sum = integers(df, &format!("{column}.sum"))?;
    let sum_sq = integers(df, &format!("{column}.sumsq"))?;
    Ok((0..n.len()).map(|i| ScoreSums { n: n[i], sum: sum[i].unwrap_or(0), sum_sq: sum_sq[i].unwrap_or(0) }).collect())
}

/// Percentage of good scores: `100 × good / n`, Wilson 95% interval.
pub fn percent_good(good: u64, n: u64) -> Estimate {
    percent_of(good, n, "good")
}

/// Percentage `100 × k / n` with a Wilson 95% interval; the count `k` is kept as the
/// detail `name`. No figure when n is 0.
pub fn percent_of(k: u64, n: u64, name: &'static str) -> Estimate {
    if n == 0 {
        return Estimate::empty(0);
    }
    let ci = stats::wilson(k, n).map(|(lo, hi)| (100.0 * lo, 100.0 * hi));
    Estimate { value: Some(100.0 * k as f64 / n as f64), n, ci, details: vec![(name, k as f64)] }
}

/// Mean score with a Student-t 95% interval (none for a single response).
pub fn mean_score(sums: ScoreSums) -> Estimate {
    let n = sums.n;
    let Some(mean) = sums.mean() else {
        return Estimate::empty(n);
    };
    let sd = sums.sd();
    let ci = sd.and_then(|sd| stats::mean_t_interval(mean, sd, n));
    let details = sd.map(|sd| vec![("sd", sd)]).unwrap_or_default();
    Estimate { value: Some(mean), n, ci, details }
}
