//! The "share of good scores" shape shared by CSAT and CES: the percentage of valid
//! scores that count as good, with a Wilson interval, and the mean score with a
//! Student-t interval. Each metric file says which scores are good.

use polars::prelude::*;

use crate::metrics::sql::{Aggregate, Cmp, SqlStat};

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

/// The SQL twin of [`aggregations`] (SPEC §13): `<column>.n`, `.good` (valid scores
/// `good.0 good.1`), `.sum` and `.sumsq`.
pub fn sql(column: &str, good: (Cmp, i64)) -> Vec<SqlStat> {
    vec![
        SqlStat::new(column, "n", Aggregate::Count),
        SqlStat::new(column, "good", Aggregate::CountIf(good.0, good.1)),
        SqlStat::new(column, "sum", Aggregate::Sum),
        SqlStat::new(column, "sumsq", Aggregate::SumSquares),
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
    let ci = sd.and_then(|sd| stats::mean_t_interval(mean, sd, n as f64));
    let details = sd.map(|sd| vec![("sd", sd)]).unwrap_or_default();
    Estimate { value: Some(mean), n, ci, details }
}

/// The weights of one group's valid responses (SPEC §14): Σw and Σw².
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Weights {
    /// Σw.
    pub sum: f64,
    /// Σw².
    pub sum_sq: f64,
}

impl Weights {
    /// The weights of some responses (for tests and library users).
    pub fn of(weights: &[f64]) -> Self {
        Weights { sum: weights.iter().sum(), sum_sq: weights.iter().map(|w| w * w).sum() }
    }

    /// Kish's effective sample size `n_eff = (Σw)² / Σw²`; 0 when every weight is 0.
    pub fn n_eff(&self) -> f64 {
        if self.sum_sq > 0.0 { self.sum * self.sum / self.sum_sq } else { 0.0 }
    }

    /// The details every weighted figure carries: `n_eff`, `sum_w`, `sum_w2`.
    pub fn details(&self) -> [(&'static str, f64); 3] {
        [("n_eff", self.n_eff()), ("sum_w", self.sum), ("sum_w2", self.sum_sq)]
    }
}

/// The weighted twin of a count aggregation, per row (`<name>@w`); `None` when the
/// frame was not weighted.
pub fn weighted(df: &DataFrame, name: &str) -> PolarsResult<Option<Vec<f64>>> {
    let name = crate::input::compact::weighted_name(name);
    if df.column(&name).is_err() {
        return Ok(None);
    }
    Ok(Some(super::frame::exact(df, &name)?.into_iter().map(|v| v as f64).collect()))
}

/// The [`Weights`] of each row of a frame aggregated with survey weights (the
/// `<column>.n@w` and `<column>.n@w2` sums); `None` when it was not weighted.
pub fn weights(df: &DataFrame, column: &str) -> PolarsResult<Option<Vec<Weights>>> {
    let Some(sum) = weighted(df, &format!("{column}.n"))? else { return Ok(None) };
    let sum_sq = super::frame::exact(df, &format!("{column}.n@w2"))?;
    Ok(Some(sum.iter().zip(sum_sq).map(|(&sum, sq)| Weights { sum, sum_sq: sq as f64 }).collect()))
}

/// A weighted percentage (SPEC §14): `100 × Σw·[counted] / Σw` over the `n` valid
/// responses, Wilson 95% interval on Kish's effective n. The unweighted count `k` is
/// kept as the detail `name`, beside `n_eff`, `sum_w` and `sum_w2`. No figure when no
/// response (or only zero weights).
pub fn weighted_percent(counted: f64, weights: Weights, k: u64, n: u64, name: &'static str) -> Estimate {
    if n == 0 || weights.sum <= 0.0 {
        return Estimate::empty(n);
    }
    let p = (counted / weights.sum).clamp(0.0, 1.0);
    let ci = stats::wilson_share(p, weights.n_eff()).map(|(lo, hi)| (100.0 * lo, 100.0 * hi));
    let mut details = vec![(name, k as f64)];
    details.extend(weights.details());
    Estimate { value: Some(100.0 * p), n, ci, details }
}

/// A weighted mean score (SPEC §14): `Σw·x / Σw`, with
/// `sd = √(n_eff / (n_eff − 1) × (Σw·x² / Σw − mean²))` and a Student-t interval with
/// n_eff − 1 degrees of freedom: with every weight 1 these are the unweighted figures.
pub fn weighted_mean(sum: f64, sum_sq: f64, weights: Weights, n: u64) -> Estimate {
    if n == 0 || weights.sum <= 0.0 {
        return Estimate::empty(n);
    }
    let mean = sum / weights.sum;
    let n_eff = weights.n_eff();
    let spread = (sum_sq / weights.sum - mean * mean).max(0.0);
    let sd = (n_eff > 1.0).then(|| (spread * n_eff / (n_eff - 1.0)).sqrt());
    let ci = sd.and_then(|sd| stats::mean_t_interval(mean, sd, n_eff));
    let mut details: Vec<(&'static str, f64)> = sd.map(|sd| vec![("sd", sd)]).unwrap_or_default();
    details.extend(weights.details());
    Estimate { value: Some(mean), n, ci, details }
}
