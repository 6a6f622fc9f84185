//! The KPIs, one file each: pure functions over polars frames whose doc comments
//! state the definitions (SPEC §4). The report, the checks and the docs all call
//! these; nothing re-derives a KPI on the side.
//!
//! Each survey metric offers `aggregations(...)`: polars expressions that reduce a
//! group of rows to counts, so that one `group_by` feeds every metric; an
//! `aggregate(lf, keys, ...)` convenience for library users; and functions that
//! turn those counts into an [`Estimate`] with its 95% interval.

pub mod abandon;
pub mod activity;
pub mod ces;
pub mod clv;
pub mod cohorts;
pub mod complaints;
pub mod csat;
pub mod customer_periods;
pub mod durations;
pub mod employees;
pub mod fcr;
pub mod frame;
pub mod handle;
pub mod interaction;
pub mod nps;
pub mod pareto;
pub mod registry;
pub mod resolution;
pub mod response;
pub mod retention;
pub mod servqual;
pub mod share;
pub mod sla;
pub mod snapshot;
pub mod sql;
pub mod stats;
pub mod survey;

use serde::Serialize;

use crate::input::Kind;
use registry::ChangeTest;

/// The options of every metric.
#[derive(Debug, Clone, Default)]
pub struct MetricSettings {
    /// `[metrics.csat]`.
    pub csat: csat::CsatOptions,
    /// `[metrics.esat]` (employee surveys, the same keys as csat).
    pub esat: csat::CsatOptions,
    /// `[metrics.servqual]`.
    pub servqual: servqual::ServqualOptions,
    /// `[metrics.ces]`.
    pub ces: ces::CesOptions,
    /// `[metrics.nps]`.
    pub nps: nps::NpsOptions,
    /// `[metrics.fcr]`.
    pub fcr: fcr::FcrOptions,
    /// `[metrics.complaints]`: the value of the complaint column that marks a
    /// complaint (the column itself is mapped as the `complaint` field); `None` means
    /// the column is a boolean.
    pub complaint_value: Option<String>,
    /// `[metrics.sla]`.
    pub sla: sla::SlaOptions,
    /// `[metrics.resolution]`.
    pub resolution: resolution::ResolutionOptions,
    /// `[metrics.retention] variant`.
    pub retention: retention::RetentionVariant,
    /// `[metrics.clv]` (and the clv command's what-if flags).
    pub clv: clv::ClvOptions,
    /// `[columns.<kind>] units`: seconds per unit of a duration column's plain numbers,
    /// by canonical field (the default is the unit its metrics report in).
    pub units: std::collections::BTreeMap<String, u32>,
}

/// The metric ids used in output columns and checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MetricId {
    /// % satisfied (CSAT top-box).
    Csat,
    /// Mean CSAT score.
    CsatMean,
    /// % very low CSAT scores (bottom box).
    CsatBottomBox,
    /// % agree / low effort (CES).
    Ces,
    /// Mean CES score.
    CesMean,
    /// Net Promoter Score.
    Nps,
    /// % promoters (9–10).
    NpsPromotersPct,
    /// % detractors (0–6).
    NpsDetractorsPct,
    /// First-contact resolution %.
    Fcr,
    /// Complaints per 1000 transactions (or interactions).
    ComplaintsPer1000,
    /// Median first-response time in minutes.
    ResponseMedianMin,
    /// 90th percentile first-response time in minutes.
    ResponseP90Min,
    /// Mean first-response time in minutes.
    ResponseMeanMin,
    /// % of first responses within the SLA.
    SlaPct,
    /// Median resolution time in hours.
    ResolutionMedianH,
    /// 90th percentile resolution time in hours.
    ResolutionP90H,
    /// % resolved within the target.
    ResolutionSlaPct,
    /// Mean handle time in minutes.
    HandleMeanMin,
    /// % of calls abandoned (not answered).
    AbandonRate,
    /// Transactions per period.
    Transactions,
    /// Revenue per period.
    Revenue,
    /// Distinct customers with a transaction per period.
    ActiveCustomers,
    /// Revenue per active customer.
    RevenuePerCustomer,
    /// Customer retention %.
    Retention,
    /// Customer churn % (100 − retention).
    Churn,
    /// Discounted customer lifetime value.
    Clv,
    /// % churned in a customer snapshot.
    ChurnRate,
    /// SERVQUAL gap, tangibles.
    ServqualGapTangibles,
    /// SERVQUAL gap, reliability.
    ServqualGapReliability,
    /// SERVQUAL gap, responsiveness.
    ServqualGapResponsiveness,
    /// SERVQUAL gap, assurance.
    ServqualGapAssurance,
    /// SERVQUAL gap, empathy.
    ServqualGapEmpathy,
    /// SERVQUAL gap over the five dimensions.
    ServqualGap,
    /// SERVQUAL gap weighted by importance points.
    ServqualWeightedGap,
    /// SERVPERF, tangibles.
    ServperfTangibles,
    /// SERVPERF, reliability.
    ServperfReliability,
    /// SERVPERF, responsiveness.
    ServperfResponsiveness,
    /// SERVPERF, assurance.
    ServperfAssurance,
    /// SERVPERF, empathy.
    ServperfEmpathy,
    /// % satisfied employees.
    Esat,
    /// Employee Net Promoter Score.
    Enps,
    /// Employees on the period's last day.
    Headcount,
    /// Employee turnover %.
    Turnover,
    /// Employee turnover % per year.
    TurnoverAnnualised,
}

impl MetricId {
    /// Every metric, in report order.
    pub const ALL: [MetricId; 44] = [
        MetricId::Csat,
        MetricId::CsatMean,
        MetricId::CsatBottomBox,
        MetricId::Ces,
        MetricId::CesMean,
        MetricId::Nps,
        MetricId::NpsPromotersPct,
        MetricId::NpsDetractorsPct,
        MetricId::Fcr,
        MetricId::ComplaintsPer1000,
        MetricId::ResponseMedianMin,
        MetricId::ResponseP90Min,
        MetricId::ResponseMeanMin,
        MetricId::SlaPct,
        MetricId::ResolutionMedianH,
        MetricId::ResolutionP90H,
        MetricId::ResolutionSlaPct,
        MetricId::HandleMeanMin,
        MetricId::AbandonRate,
        MetricId::Transactions,
        MetricId::Revenue,
        MetricId::ActiveCustomers,
        MetricId::RevenuePerCustomer,
        MetricId::Retention,
        MetricId::Churn,
        MetricId::Clv,
        MetricId::ChurnRate,
        MetricId::ServqualGapTangibles,
        MetricId::ServqualGapReliability,
        MetricId::ServqualGapResponsiveness,
        MetricId::ServqualGapAssurance,
        MetricId::ServqualGapEmpathy,
        MetricId::ServqualGap,
        MetricId::ServqualWeightedGap,
        MetricId::ServperfTangibles,
        MetricId::ServperfReliability,
        MetricId::ServperfResponsiveness,
        MetricId::ServperfAssurance,
        MetricId::ServperfEmpathy,
        MetricId::Esat,
        MetricId::Enps,
        MetricId::Headcount,
        MetricId::Turnover,
        MetricId::TurnoverAnnualised,
    ];

    /// Returns the metric id as written in output and config.
    pub fn as_str(self) -> &'static str {
        registry::def(self).name
    }

    /// Returns the metric's registry row (every fact about it but its formula).
    pub fn def(self) -> &'static registry::MetricDef {
        registry::def(self)
    }

    /// Parses a metric id (exact, case-insensitive).
    pub fn parse(name: &str) -> Option<MetricId> {
        MetricId::ALL.into_iter().find(|m| m.as_str().eq_ignore_ascii_case(name.trim()))
    }

    /// Returns true if and only if a smaller value is better: complaints, response
    /// times and churn. `max_drop` checks and change colours read it.
    pub fn lower_is_better(self) -> bool {
        registry::def(self).direction == registry::Direction::Lower
    }

    /// Returns true if and only if the metric's figures carry a 95% interval
    /// (quantiles and clv have none).
    pub fn has_interval(self) -> bool {
        registry::def(self).has_interval
    }

    /// Returns the input a metric is computed from.
    pub fn input(self) -> Kind {
        registry::def(self).input
    }
}

/// A metric is written as its id everywhere (`complaints_per_1000`, as in the CSV).
impl Serialize for MetricId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
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

/// The sample size behind a figure: Kish's effective n of a weighted survey figure
/// (its `n_eff` detail, SPEC §14), else its n.
pub fn sample_size(estimate: &Estimate) -> f64 {
    estimate.detail("n_eff").unwrap_or(estimate.n as f64)
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
    let n = sample_size(estimate);
    match metric.def().change_test {
        ChangeTest::Proportion => {
            let p = (value / 100.0).clamp(0.0, 1.0);
            Some(100.0 * (p * (1.0 - p) / n).sqrt())
        }
        ChangeTest::Nps => estimate.detail("se"),
        ChangeTest::Welch => estimate.detail("sd").map(|sd| sd / n.sqrt()),
        ChangeTest::Poisson => estimate.detail("complaints").map(|k| 1000.0 * k.sqrt() / n),
        ChangeTest::None => None,
    }
}

/// Several groups' figures of one metric taken together, for the test of one group
/// against the rest (`--compare rest`): shares from their counts (value × n / 100),
/// means and sds pooled exactly from each group's n, mean and sd, NPS from its promoters
/// and detractors, complaints from their counts. `None` for a metric without a test or
/// when no figure has a value.
pub fn combine(metric: MetricId, figures: &[&Estimate]) -> Option<Estimate> {
    let figures: Vec<&Estimate> = figures.iter().copied().filter(|e| e.value.is_some() && e.n > 0).collect();
    let n: u64 = figures.iter().map(|e| e.n).sum();
    if n == 0 {
        return None;
    }
    if figures.iter().all(|e| e.detail("sum_w").is_some()) {
        return combine_weighted(metric, &figures, n);
    }
    let total = n as f64;
    let estimate =
        |value: f64, details: Vec<(&'static str, f64)>| Estimate { value: Some(value), n, ci: None, details };
    match metric.def().change_test {
        ChangeTest::Proportion => {
            let good: f64 = figures.iter().map(|e| (e.value.unwrap_or(0.0) / 100.0 * e.n as f64).round()).sum();
            Some(estimate(100.0 * good / total, Vec::new()))
        }
        ChangeTest::Welch => {
            let mean = figures.iter().map(|e| e.value.unwrap_or(0.0) * e.n as f64).sum::<f64>() / total;
            let squares: f64 = figures
                .iter()
                .map(|e| {
                    let sd = e.detail("sd").unwrap_or(0.0);
                    (e.n as f64 - 1.0) * sd * sd + e.n as f64 * (e.value.unwrap_or(0.0) - mean).powi(2)
                })
                .sum();
            let sd = if n > 1 { (squares / (total - 1.0)).sqrt() } else { 0.0 };
            Some(estimate(mean, vec![("sd", sd)]))
        }
        ChangeTest::Nps => {
            let count = |name: &str| figures.iter().map(|e| e.detail(name).unwrap_or(0.0)).sum::<f64>();
            let (promoters, detractors) = (count("promoters"), count("detractors"));
            let se = stats::nps_se(promoters, detractors, total)?;
            Some(estimate(100.0 * (promoters - detractors) / total, vec![("se", se)]))
        }
        ChangeTest::Poisson => {
            let complaints: f64 = figures.iter().map(|e| e.detail("complaints").unwrap_or(0.0)).sum();
            Some(estimate(1000.0 * complaints / total, vec![("complaints", complaints)]))
        }
        ChangeTest::None => None,
    }
}

/// [`combine`] for weighted survey figures (SPEC §14), exactly as if the groups' responses
/// had been weighted together: shares and means pooled by Σw, the spread by the law of
/// total variance on the weighted (population) variances, NPS from the weighted
/// promoter and detractor sums, n_eff from the pooled Σw and Σw².
fn combine_weighted(metric: MetricId, figures: &[&Estimate], n: u64) -> Option<Estimate> {
    let sum = |name: &str| figures.iter().map(|e| e.detail(name).unwrap_or(0.0)).sum::<f64>();
    let weights = share::Weights { sum: sum("sum_w"), sum_sq: sum("sum_w2") };
    if weights.sum <= 0.0 {
        return None;
    }
    let n_eff = weights.n_eff();
    let pooled = |e: &Estimate| e.value.unwrap_or(0.0) * e.detail("sum_w").unwrap_or(0.0);
    let mean = figures.iter().map(|e| pooled(e)).sum::<f64>() / weights.sum;
    let mut details: Vec<(&'static str, f64)> = weights.details().to_vec();
    let value = match metric.def().change_test {
        ChangeTest::Proportion => mean,
        ChangeTest::Welch => {
            let spread = figures
                .iter()
                .map(|e| {
                    let (sd, size) = (e.detail("sd").unwrap_or(0.0), sample_size(e));
                    let variance = if size > 1.0 { sd * sd * (size - 1.0) / size } else { 0.0 };
                    e.detail("sum_w").unwrap_or(0.0) * (variance + (e.value.unwrap_or(0.0) - mean).powi(2))
                })
                .sum::<f64>()
                / weights.sum;
            if n_eff > 1.0 {
                details.push(("sd", (spread * n_eff / (n_eff - 1.0)).sqrt()));
            }
            mean
        }
        ChangeTest::Nps => {
            let (promoters, detractors) = (sum("promoters_w"), sum("detractors_w"));
            let (p, d) = (promoters / weights.sum, detractors / weights.sum);
            details.push(("se", 100.0 * stats::nps_se(p * n_eff, d * n_eff, n_eff)?));
            100.0 * (promoters - detractors) / weights.sum
        }
        ChangeTest::Poisson | ChangeTest::None => return None,
    };
    Some(Estimate { value: Some(value), n, ci: None, details })
}

/// The two-sided p-value of the change between two figures of one metric (SPEC §9.1):
/// - shares (csat, ces, fcr, sla_pct, retention, churn): the pooled two-proportion z test,
///   z = (p₂ − p₁) / sqrt(p̄(1 − p̄)(1/n₁ + 1/n₂)) with p̄ = (x₁ + x₂) / (n₁ + n₂), so that
///   100% → 0% is significant; equal shares (also both 0% or both 100%) give p = 1;
/// - nps: z = Δ / sqrt(se₁² + se₂²) with the per-respondent se (SPEC §4);
/// - means (csat_mean, ces_mean): Welch's t test;
/// - complaints_per_1000: z = Δ / sqrt(se₁² + se₂²) with the Poisson se 1000·√k / n.
///
/// `None` for quantiles and clv (no test is defined) or when a figure has no value.
pub fn change_p_value(metric: MetricId, before: &Estimate, after: &Estimate) -> Option<f64> {
    let (v1, v2) = (before.value?, after.value?);
    let (n1, n2) = (sample_size(before), sample_size(after));
    if before.n == 0 || after.n == 0 || n1 <= 0.0 || n2 <= 0.0 {
        return None;
    }
    match metric.def().change_test {
        ChangeTest::Proportion => {
            // Counts are whole unless the figures are weighted (effective counts).
            let weighted = before.detail("n_eff").is_some() || after.detail("n_eff").is_some();
            let count = |v: f64, n: f64| if weighted { v / 100.0 * n } else { (v / 100.0 * n).round() };
            let (x1, x2) = (count(v1, n1), count(v2, n2));
            let pooled = (x1 + x2) / (n1 + n2);
            let se = (pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2)).sqrt();
            if x1 / n1 == x2 / n2 || se == 0.0 {
                return Some(1.0);
            }
            Some(stats::two_sided_p((x2 / n2 - x1 / n1) / se))
        }
        ChangeTest::Welch => stats::welch_p(v1, before.detail("sd")?, n1, v2, after.detail("sd")?, n2),
        ChangeTest::Nps | ChangeTest::Poisson => {
            let (se1, se2) = (standard_error(metric, before)?, standard_error(metric, after)?);
            stats::difference_z(v2 - v1, se1, se2).map(stats::two_sided_p)
        }
        ChangeTest::None => None,
    }
}

/// Returns true if and only if a two-sample test is defined for the metric.
pub fn has_test(metric: MetricId) -> bool {
    metric.def().change_test != ChangeTest::None
}

#[cfg(test)]
mod change_tests {
    use super::*;

    #[test]
    fn the_rest_of_the_groups_is_pooled_from_their_counts_and_sums() {
        let share = |v: f64, n: u64| Estimate { value: Some(v), n, ci: None, details: Vec::new() };
        // 30 of 50 and 10 of 50: 40 of 100.
        let rest = combine(MetricId::Csat, &[&share(60.0, 50), &share(20.0, 50)]).unwrap();
        assert_eq!((rest.value, rest.n), (Some(40.0), 100));
        // Means 2 (sd 1, n 3: values 1, 2, 3) and 5 (sd 0, n 2: 5, 5): all five values
        // 1, 2, 3, 5, 5 have mean 3.2 and sd √(12.8 / 4) (by hand).
        let mean = |v: f64, sd: f64, n: u64| Estimate { value: Some(v), n, ci: None, details: vec![("sd", sd)] };
        let rest = combine(MetricId::CsatMean, &[&mean(2.0, 1.0, 3), &mean(5.0, 0.0, 2)]).unwrap();
        assert!((rest.value.unwrap() - 3.2).abs() < 1e-12);
        assert!((rest.detail("sd").unwrap() - (12.8_f64 / 4.0).sqrt()).abs() < 1e-12);
        // NPS: 3 promoters and 1 detractor of 5, then 0 and 2 of 5: (3 − 3) / 10 = 0.
        let nps = |p: f64, d: f64, n: u64| Estimate {
            value: Some(100.0 * (p - d) / n as f64),
            n,
            ci: None,
            details: vec![("promoters", p), ("detractors", d)],
        };
        assert_eq!(combine(MetricId::Nps, &[&nps(3.0, 1.0, 5), &nps(0.0, 2.0, 5)]).unwrap().value, Some(0.0));
        assert!(combine(MetricId::ResponseMedianMin, &[&share(3.0, 4)]).is_none());
    }

    fn share(value: f64, n: u64) -> Estimate {
        Estimate { value: Some(value), n, ci: None, details: Vec::new() }
    }

    /// Weighted figures of some responses `(x, w)`, as the survey KPIs compute them.
    fn weighted(metric: MetricId, responses: &[(i64, f64)]) -> Estimate {
        let weights = share::Weights::of(&responses.iter().map(|r| r.1).collect::<Vec<_>>());
        let n = responses.len() as u64;
        let sum = |f: &dyn Fn(i64) -> f64| responses.iter().map(|&(x, w)| w * f(x)).sum::<f64>();
        match metric {
            MetricId::Csat => {
                let good = responses.iter().filter(|r| r.0 >= 4).count() as u64;
                share::weighted_percent(sum(&|x| f64::from(u8::from(x >= 4))), weights, good, n, "good")
            }
            MetricId::CsatMean => share::weighted_mean(sum(&|x| x as f64), sum(&|x| (x * x) as f64), weights, n),
            _ => {
                let counts = nps::NpsCounts::from_answers(&responses.iter().map(|r| r.0 as i32).collect::<Vec<_>>());
                let (p, d) = (sum(&|x| f64::from(u8::from(x >= 9))), sum(&|x| f64::from(u8::from(x <= 6))));
                nps::weighted_nps(counts, p, d, weights, &nps::NpsOptions::default())
            }
        }
    }

    #[test]
    fn weighted_groups_pool_as_their_responses_weighted_together() {
        let a = [(5, 2.0), (4, 1.0), (2, 0.5), (1, 1.5)];
        let b = [(5, 1.0), (3, 3.0), (2, 0.25)];
        let all: Vec<(i64, f64)> = a.iter().chain(&b).copied().collect();
        for metric in [MetricId::Csat, MetricId::CsatMean, MetricId::Nps] {
            let (a, b, all) = (weighted(metric, &a), weighted(metric, &b), weighted(metric, &all));
            let rest = combine(metric, &[&a, &b]).unwrap();
            assert_eq!(rest.n, 7, "{metric}");
            let close = |x: f64, y: f64| assert!((x - y).abs() < 1e-12, "{metric}: {x} != {y}");
            close(rest.value.unwrap(), all.value.unwrap());
            close(sample_size(&rest), sample_size(&all));
            close(standard_error(metric, &rest).unwrap(), standard_error(metric, &all).unwrap());
        }
        // By hand, csat of `a`: 3 of Σw 5 satisfied = 60%; n_eff = 25 / 7.5.
        let csat = weighted(MetricId::Csat, &a);
        assert_eq!((csat.value, csat.n, csat.detail("good")), (Some(60.0), 4, Some(2.0)));
        assert!((sample_size(&csat) - 10.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn weighted_shares_are_tested_on_their_effective_counts() {
        // 60% on n_eff 10/3 → 50% on n_eff 8/3: x = 2 and 4/3 (not rounded), p̄ = 5/9;
        // p = 0.80649594050734008 (mpmath).
        let figure = |value: f64, n: u64, n_eff: f64| Estimate {
            value: Some(value),
            n,
            ci: None,
            details: vec![("n_eff", n_eff), ("sum_w", 1.0), ("sum_w2", 1.0 / n_eff)],
        };
        let p = change_p_value(MetricId::Csat, &figure(60.0, 4, 10.0 / 3.0), &figure(50.0, 3, 8.0 / 3.0)).unwrap();
        assert!((p - 0.806_495_940_507_34).abs() < 1e-12, "{p}");
    }

    #[test]
    fn zero_weights_give_no_figure() {
        let e = weighted(MetricId::Csat, &[(5, 0.0), (4, 0.0)]);
        assert_eq!((e.value, e.n, e.ci), (None, 2, None));
        let e = weighted(MetricId::CsatMean, &[(5, 0.0)]);
        assert_eq!(e.value, None);
        // A single weighted response: its score, no interval (n_eff = 1 < 2).
        let e = weighted(MetricId::CsatMean, &[(4, 2.5)]);
        assert_eq!((e.value, e.ci), (Some(4.0), None));
    }

    #[test]
    fn shares_use_the_pooled_two_proportion_test() {
        // 80% → 60% of 10: p̄ = 0.7, z = 0.2 / sqrt(0.21 × 0.2) = 0.97590, p = 0.329114.
        let p = change_p_value(MetricId::Csat, &share(80.0, 10), &share(60.0, 10)).unwrap();
        assert!((p - 0.329_113_985_978_608).abs() < 1e-9, "{p}");
        // 100% → 0% of 50 (both se 0 unpooled): p̄ = 0.5, z = 10, p = 1.52e-23: significant.
        let p = change_p_value(MetricId::SlaPct, &share(100.0, 50), &share(0.0, 50)).unwrap();
        assert!(p < 1e-20, "{p}");
        // No change, even at 100%: p = 1.
        assert_eq!(change_p_value(MetricId::Fcr, &share(100.0, 40), &share(100.0, 60)), Some(1.0));
        assert_eq!(change_p_value(MetricId::Clv, &share(1.0, 40), &share(2.0, 60)), None);
        assert_eq!(change_p_value(MetricId::Csat, &Estimate::empty(0), &share(2.0, 60)), None);
    }

    #[test]
    fn means_use_welch() {
        let mean = |v: f64, sd: f64, n: u64| Estimate { value: Some(v), n, ci: None, details: vec![("sd", sd)] };
        let p = change_p_value(MetricId::CsatMean, &mean(5.0, 1.0, 10), &mean(6.0, 2.0, 12)).unwrap();
        assert!((p - 0.147_387).abs() < 1e-5, "{p}");
    }
}
