//! The KPIs, one file each: pure functions over polars frames whose doc comments
//! state the definitions (SPEC §4). The report, the checks and the docs all call
//! these; nothing re-derives a KPI on the side.
//!
//! Each survey metric offers `aggregations(...)`: polars expressions that reduce a
//! group of rows to counts, so that one `group_by` feeds every metric; an
//! `aggregate(lf, keys, ...)` convenience for library users; and functions that
//! turn those counts into an [`Estimate`] with its 95% interval.

pub mod ces;
pub mod clv;
pub mod cohorts;
pub mod complaints;
pub mod csat;
pub mod customer_periods;
pub mod fcr;
pub mod frame;
pub mod nps;
pub mod response;
pub mod retention;
pub mod share;
pub mod sla;
pub mod stats;

use serde::Serialize;

use crate::input::Kind;

/// The metric ids used in output columns and checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MetricId {
    /// % satisfied (CSAT top-box).
    Csat,
    /// Mean CSAT score.
    CsatMean,
    /// % agree / low effort (CES).
    Ces,
    /// Mean CES score.
    CesMean,
    /// Net Promoter Score.
    Nps,
    /// First-contact resolution %.
    Fcr,
    /// Complaints per 1000 transactions (or interactions).
    ComplaintsPer1000,
    /// Median first-response time in minutes.
    ResponseMedianMin,
    /// 90th percentile first-response time in minutes.
    ResponseP90Min,
    /// % of first responses within the SLA.
    SlaPct,
    /// Customer retention %.
    Retention,
    /// Customer churn % (100 − retention).
    Churn,
    /// Discounted customer lifetime value.
    Clv,
}

impl MetricId {
    /// Every metric, in report order.
    pub const ALL: [MetricId; 13] = [
        MetricId::Csat,
        MetricId::CsatMean,
        MetricId::Ces,
        MetricId::CesMean,
        MetricId::Nps,
        MetricId::Fcr,
        MetricId::ComplaintsPer1000,
        MetricId::ResponseMedianMin,
        MetricId::ResponseP90Min,
        MetricId::SlaPct,
        MetricId::Retention,
        MetricId::Churn,
        MetricId::Clv,
    ];

    /// Returns the metric id as written in output and config.
    pub fn as_str(self) -> &'static str {
        match self {
            MetricId::Csat => "csat",
            MetricId::CsatMean => "csat_mean",
            MetricId::Ces => "ces",
            MetricId::CesMean => "ces_mean",
            MetricId::Nps => "nps",
            MetricId::Fcr => "fcr",
            MetricId::ComplaintsPer1000 => "complaints_per_1000",
            MetricId::ResponseMedianMin => "response_median_min",
            MetricId::ResponseP90Min => "response_p90_min",
            MetricId::SlaPct => "sla_pct",
            MetricId::Retention => "retention",
            MetricId::Churn => "churn",
            MetricId::Clv => "clv",
        }
    }

    /// Parses a metric id (exact, case-insensitive).
    pub fn parse(name: &str) -> Option<MetricId> {
        MetricId::ALL.into_iter().find(|m| m.as_str().eq_ignore_ascii_case(name.trim()))
    }

    /// Returns true if and only if a smaller value is better: complaints, response
    /// times and churn. `max_drop` checks and change colours read it.
    pub fn lower_is_better(self) -> bool {
        matches!(
            self,
            MetricId::ComplaintsPer1000 | MetricId::ResponseMedianMin | MetricId::ResponseP90Min | MetricId::Churn
        )
    }

    /// Returns true if and only if the metric's figures carry a 95% interval
    /// (quantiles and clv have none).
    pub fn has_interval(self) -> bool {
        !matches!(self, MetricId::ResponseMedianMin | MetricId::ResponseP90Min | MetricId::Clv)
    }

    /// Returns the input a metric is computed from.
    pub fn input(self) -> Kind {
        match self {
            MetricId::Csat | MetricId::CsatMean | MetricId::Ces | MetricId::CesMean | MetricId::Nps => Kind::Surveys,
            MetricId::Fcr
            | MetricId::ComplaintsPer1000
            | MetricId::ResponseMedianMin
            | MetricId::ResponseP90Min
            | MetricId::SlaPct => Kind::Interactions,
            MetricId::Retention | MetricId::Churn | MetricId::Clv => Kind::Transactions,
        }
    }
}

impl std::fmt::Display for MetricId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One figure: its value, its denominator `n`, its 95% interval and extra details
/// (NPS composition, se, …). `value` is `None` when `n` is 0.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    /// The figure on its reporting scale (percent, points, minutes, money).
    pub value: Option<f64>,
    /// The denominator count.
    pub n: u64,
    /// The 95% interval, when one is defined.
    pub ci: Option<(f64, f64)>,
    /// Named extra figures, such as `promoters` or `se`.
    pub details: Vec<(&'static str, f64)>,
}

impl Estimate {
    /// An estimate with no value (n = 0).
    pub fn empty(n: u64) -> Self {
        Estimate { value: None, n, ci: None, details: Vec::new() }
    }

    /// Returns a named detail, such as `se` or `promoters`.
    pub fn detail(&self, name: &str) -> Option<f64> {
        self.details.iter().find(|(k, _)| *k == name).map(|(_, v)| *v)
    }
}

/// Returns the standard error of an estimate on its reporting scale, for the
/// two-sample test `z = Δ / sqrt(se₁² + se₂²)`:
/// - shares (csat, ces, fcr, sla_pct, retention, churn): 100 × sqrt(p(1 − p) / n);
/// - nps: the per-respondent se (SPEC §4), in points;
/// - means: sd / sqrt(n);
/// - complaints_per_1000: 1000 × sqrt(complaints) / n (Poisson).
///
/// `None` for quantiles and clv (no test is defined) or when n is 0.
pub fn standard_error(metric: MetricId, estimate: &Estimate) -> Option<f64> {
    let value = estimate.value?;
    if estimate.n == 0 {
        return None;
    }
    let n = estimate.n as f64;
    match metric {
        MetricId::Csat | MetricId::Ces | MetricId::Fcr | MetricId::SlaPct | MetricId::Retention | MetricId::Churn => {
            let p = (value / 100.0).clamp(0.0, 1.0);
            Some(100.0 * (p * (1.0 - p) / n).sqrt())
        }
        MetricId::Nps => estimate.detail("se"),
        MetricId::CsatMean | MetricId::CesMean => estimate.detail("sd").map(|sd| sd / n.sqrt()),
        MetricId::ComplaintsPer1000 => estimate.detail("complaints").map(|k| 1000.0 * k.sqrt() / n),
        MetricId::ResponseMedianMin | MetricId::ResponseP90Min | MetricId::Clv => None,
    }
}

/// Returns true if and only if a two-sample test is defined for the metric.
pub fn has_test(metric: MetricId) -> bool {
    !matches!(metric, MetricId::ResponseMedianMin | MetricId::ResponseP90Min | MetricId::Clv)
}
