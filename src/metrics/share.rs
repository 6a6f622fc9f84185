//! The "share of good scores" shape shared by CSAT and CES: the percentage of valid
//! scores that count as good, with a Wilson interval, and the mean score with a
//! Student-t interval. Each metric file says which scores are good.

use polars::prelude::*;

use super::frame::{count_true, count_valid};
use super::{Estimate, stats};

/// Aggregations over the score `column`: `<column>.n` (valid scores), `<column>.good`
/// (scores where `good` holds), `<column>.mean` and `<column>.sd` (sample sd).
pub fn aggregations(column: &str, good: Expr) -> Vec<Expr> {
    let score = col(column).cast(DataType::Float64);
    vec![
        count_valid(column, &format!("{column}.n")),
        count_true(good, &format!("{column}.good")),
        score.clone().mean().alias(format!("{column}.mean")),
        score.std(1).alias(format!("{column}.sd")),
    ]
}

/// Percentage of good scores: `100 × good / n`, Wilson 95% interval.
pub fn percent_good(good: u64, n: u64) -> Estimate {
    if n == 0 {
        return Estimate::empty(0);
    }
    let ci = stats::wilson(good, n).map(|(lo, hi)| (100.0 * lo, 100.0 * hi));
    Estimate { value: Some(100.0 * good as f64 / n as f64), n, ci, details: vec![("good", good as f64)] }
}

/// Mean score with a Student-t 95% interval (none for a single response).
pub fn mean_score(mean: Option<f64>, sd: Option<f64>, n: u64) -> Estimate {
    let Some(mean) = mean.filter(|_| n > 0) else {
        return Estimate::empty(n);
    };
    let ci = sd.and_then(|sd| stats::mean_t_interval(mean, sd, n));
    let details = sd.map(|sd| vec![("sd", sd)]).unwrap_or_default();
    Estimate { value: Some(mean), n, ci, details }
}
