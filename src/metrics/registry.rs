//! The metric registry: every fact about a KPI that is not its formula, in one row per
//! metric: its id, its human name, its input, which way is better, how it is rounded,
//! whether it has an interval, the two-sample test of its change, and the input fields
//! whose rejected values make a figure suspect. The formulas stay in each metric's
//! file; everything else (reports, checks, the `rejected` flag) reads this table, so a
//! new KPI is its file plus one row here.

use crate::input::{Kind, ValueKind};

use super::employees::{self, EmployeeKpi};
use super::interaction::InteractionKpi;
use super::survey::SurveyKpi;
use super::{
    MetricId, abandon, ces, complaints, csat, fcr, handle, nps, resolution, response, servqual, sla, snapshot,
};

/// Which way a metric is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// More is better (csat, nps, fcr, sla, retention, clv).
    Higher,
    /// Less is better (complaints, response times, churn).
    Lower,
}

/// The two-sample test of the change of a metric between two figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeTest {
    /// Pooled two-proportion z test on a share (percent).
    Proportion,
    /// z = Δ / sqrt(se₁² + se₂²) with the NPS per-respondent se.
    Nps,
    /// Welch's t test on a mean (needs the `sd` detail).
    Welch,
    /// z on a rate per 1000 with the Poisson se 1000·√k / n.
    Poisson,
    /// None is defined (quantiles, clv).
    None,
}

/// How a metric is computed: by its input's loop in `compute`, through the trait its
/// file implements; the customer metrics (retention, churn, clv) are one family of
/// their own over the transactions summary (`compute::customers`).
#[derive(Debug, Clone, Copy)]
pub enum Family {
    /// A survey KPI (`compute::surveys`).
    Survey(&'static dyn SurveyKpi),
    /// An interaction KPI (`compute::interactions`).
    Interaction(&'static dyn InteractionKpi),
    /// A customer metric, with the transaction fields it reads.
    Customer(&'static [(&'static str, ValueKind)]),
    /// An employee KPI (`compute::employees`).
    Employee(&'static dyn EmployeeKpi),
}

/// What a metric is, besides its formula.
#[derive(Debug, Clone, Copy)]
pub struct MetricDef {
    /// The metric.
    pub id: MetricId,
    /// The id as written in outputs, config and checks.
    pub name: &'static str,
    /// The human name, with its unit: "CSAT, % satisfied".
    pub title: &'static str,
    /// The input it is computed from.
    pub input: Kind,
    /// Which way is better.
    pub direction: Direction,
    /// Decimals shown to people (tables, checks).
    pub decimals: usize,
    /// Whether its figures carry a 95% interval.
    pub has_interval: bool,
    /// The test of its change against another figure.
    pub change_test: ChangeTest,
    /// The input fields whose rejected values count toward its `rejected` flag.
    pub judged_fields: &'static [&'static str],
    /// How it is computed.
    pub family: Family,
}

const SURVEY: Kind = Kind::Surveys;
const CONTACTS: Kind = Kind::Interactions;
const ORDERS: Kind = Kind::Transactions;
const SNAPSHOT: Kind = Kind::Customers;
const STAFF: Kind = Kind::Employees;
const STAFF_SURVEY: Kind = Kind::EmployeeSurveys;
const RESPONSE: &[&str] = &["first_response_minutes", "first_response_at"];
const RESOLUTION: &[&str] = &["resolution", "resolved_at"];
const CUSTOMERS: Family = Family::Customer(&[("customer_id", ValueKind::Key)]);
const REVENUE: Family =
    Family::Customer(&[("customer_id", ValueKind::Key), ("revenue", ValueKind::Money { negative: false })]);
const MONEY: Family = Family::Customer(&[
    ("customer_id", ValueKind::Key),
    ("revenue", ValueKind::Money { negative: false }),
    ("margin", ValueKind::Money { negative: true }),
]);

/// Shorthand for a registry row.
#[allow(clippy::too_many_arguments)]
const fn row(
    id: MetricId,
    name: &'static str,
    title: &'static str,
    input: Kind,
    direction: Direction,
    decimals: usize,
    has_interval: bool,
    change_test: ChangeTest,
    judged_fields: &'static [&'static str],
    family: Family,
) -> MetricDef {
    MetricDef { id, name, title, input, direction, decimals, has_interval, change_test, judged_fields, family }
}

use ChangeTest::{Nps, Poisson, Proportion, Welch};
use Direction::{Higher, Lower};
use Family::{Employee, Interaction, Survey};

/// Every metric, in report order (the order of [`MetricId`]).
pub const REGISTRY: [MetricDef; 44] = [
    row(
        MetricId::Csat,
        "csat",
        "CSAT, % satisfied",
        SURVEY,
        Higher,
        1,
        true,
        Proportion,
        &["csat"],
        Survey(&csat::CSAT),
    ),
    row(
        MetricId::CsatMean,
        "csat_mean",
        "CSAT, mean score",
        SURVEY,
        Higher,
        2,
        true,
        Welch,
        &["csat"],
        Survey(&csat::CSAT_MEAN),
    ),
    row(
        MetricId::CsatBottomBox,
        "csat_bottom_box",
        "CSAT, % very low scores",
        SURVEY,
        Lower,
        1,
        true,
        Proportion,
        &["csat"],
        Survey(&csat::CSAT_BOTTOM_BOX),
    ),
    row(MetricId::Ces, "ces", "CES, % low effort", SURVEY, Higher, 1, true, Proportion, &["ces"], Survey(&ces::CES)),
    row(
        MetricId::CesMean,
        "ces_mean",
        "CES, mean score",
        SURVEY,
        Higher,
        2,
        true,
        Welch,
        &["ces"],
        Survey(&ces::CES_MEAN),
    ),
    row(MetricId::Nps, "nps", "NPS, −100 to +100", SURVEY, Higher, 1, true, Nps, &["nps"], Survey(&nps::NPS)),
    row(
        MetricId::NpsPromotersPct,
        "nps_promoters_pct",
        "NPS promoters, %",
        SURVEY,
        Higher,
        1,
        true,
        Proportion,
        &["nps"],
        Survey(&nps::PROMOTERS_PCT),
    ),
    row(
        MetricId::NpsDetractorsPct,
        "nps_detractors_pct",
        "NPS detractors, %",
        SURVEY,
        Lower,
        1,
        true,
        Proportion,
        &["nps"],
        Survey(&nps::DETRACTORS_PCT),
    ),
    row(
        MetricId::Fcr,
        "fcr",
        "First-contact resolution, %",
        CONTACTS,
        Higher,
        1,
        true,
        Proportion,
        &["resolved", "first_contact_resolved", "contacts_to_resolve"],
        Interaction(&fcr::Fcr),
    ),
    row(
        MetricId::ComplaintsPer1000,
        "complaints_per_1000",
        "Complaints per 1000",
        CONTACTS,
        Lower,
        1,
        true,
        Poisson,
        &["complaint"],
        Interaction(&complaints::Complaints),
    ),
    row(
        MetricId::ResponseMedianMin,
        "response_median_min",
        "First response, median minutes",
        CONTACTS,
        Lower,
        1,
        false,
        ChangeTest::None,
        RESPONSE,
        Interaction(&response::MEDIAN),
    ),
    row(
        MetricId::ResponseP90Min,
        "response_p90_min",
        "First response, 90th percentile minutes",
        CONTACTS,
        Lower,
        1,
        false,
        ChangeTest::None,
        RESPONSE,
        Interaction(&response::P90),
    ),
    row(
        MetricId::ResponseMeanMin,
        "response_mean_min",
        "First response, mean minutes",
        CONTACTS,
        Lower,
        2,
        true,
        Welch,
        RESPONSE,
        Interaction(&response::MEAN),
    ),
    row(
        MetricId::SlaPct,
        "sla_pct",
        "First response within SLA, %",
        CONTACTS,
        Higher,
        1,
        true,
        Proportion,
        RESPONSE,
        Interaction(&sla::SLA),
    ),
    row(
        MetricId::ResolutionMedianH,
        "resolution_median_h",
        "Resolution, median hours",
        CONTACTS,
        Lower,
        1,
        false,
        ChangeTest::None,
        RESOLUTION,
        Interaction(&resolution::MEDIAN),
    ),
    row(
        MetricId::ResolutionP90H,
        "resolution_p90_h",
        "Resolution, 90th percentile hours",
        CONTACTS,
        Lower,
        1,
        false,
        ChangeTest::None,
        RESOLUTION,
        Interaction(&resolution::P90),
    ),
    row(
        MetricId::ResolutionSlaPct,
        "resolution_sla_pct",
        "Resolved within target, %",
        CONTACTS,
        Higher,
        1,
        true,
        Proportion,
        RESOLUTION,
        Interaction(&resolution::SLA),
    ),
    row(
        MetricId::HandleMeanMin,
        "handle_mean_min",
        "Handle time, mean minutes",
        CONTACTS,
        Lower,
        2,
        true,
        Welch,
        &["handle_time"],
        Interaction(&handle::MEAN),
    ),
    row(
        MetricId::AbandonRate,
        "abandon_rate",
        "Abandon rate, %",
        CONTACTS,
        Lower,
        1,
        true,
        Proportion,
        &["answered"],
        Interaction(&abandon::AbandonRate),
    ),
    row(
        MetricId::Transactions,
        "transactions",
        "Transactions",
        ORDERS,
        Higher,
        0,
        false,
        ChangeTest::None,
        &[],
        CUSTOMERS,
    ),
    row(MetricId::Revenue, "revenue", "Revenue", ORDERS, Higher, 2, false, ChangeTest::None, &[], REVENUE),
    row(
        MetricId::ActiveCustomers,
        "active_customers",
        "Active customers",
        ORDERS,
        Higher,
        0,
        false,
        ChangeTest::None,
        &[],
        CUSTOMERS,
    ),
    row(
        MetricId::RevenuePerCustomer,
        "revenue_per_customer",
        "Revenue per active customer",
        ORDERS,
        Higher,
        2,
        false,
        ChangeTest::None,
        &[],
        REVENUE,
    ),
    row(MetricId::Retention, "retention", "Customer retention, %", ORDERS, Higher, 1, true, Proportion, &[], CUSTOMERS),
    row(MetricId::Churn, "churn", "Customer churn, %", ORDERS, Lower, 1, true, Proportion, &[], CUSTOMERS),
    row(MetricId::Clv, "clv", "Customer lifetime value", ORDERS, Higher, 2, false, ChangeTest::None, &[], MONEY),
    row(
        MetricId::ChurnRate,
        "churn_rate",
        "Customer churn (snapshot), %",
        SNAPSHOT,
        Lower,
        1,
        true,
        Proportion,
        &["churned"],
        Survey(&snapshot::ChurnRate),
    ),
    row(
        MetricId::ServqualGapTangibles,
        "servqual_gap_tangibles",
        "SERVQUAL tangibles gap, P − E",
        SURVEY,
        Higher,
        2,
        true,
        Welch,
        &[],
        Survey(&servqual::GAP_TANGIBLES),
    ),
    row(
        MetricId::ServqualGapReliability,
        "servqual_gap_reliability",
        "SERVQUAL reliability gap, P − E",
        SURVEY,
        Higher,
        2,
        true,
        Welch,
        &[],
        Survey(&servqual::GAP_RELIABILITY),
    ),
    row(
        MetricId::ServqualGapResponsiveness,
        "servqual_gap_responsiveness",
        "SERVQUAL responsiveness gap, P − E",
        SURVEY,
        Higher,
        2,
        true,
        Welch,
        &[],
        Survey(&servqual::GAP_RESPONSIVENESS),
    ),
    row(
        MetricId::ServqualGapAssurance,
        "servqual_gap_assurance",
        "SERVQUAL assurance gap, P − E",
        SURVEY,
        Higher,
        2,
        true,
        Welch,
        &[],
        Survey(&servqual::GAP_ASSURANCE),
    ),
    row(
        MetricId::ServqualGapEmpathy,
        "servqual_gap_empathy",
        "SERVQUAL empathy gap, P − E",
        SURVEY,
        Higher,
        2,
        true,
        Welch,
        &[],
        Survey(&servqual::GAP_EMPATHY),
    ),
    row(
        MetricId::ServqualGap,
        "servqual_gap",
        "SERVQUAL gap, five dimensions, P − E",
        SURVEY,
        Higher,
        2,
        true,
        Welch,
        &[],
        Survey(&servqual::GAP),
    ),
    row(
        MetricId::ServqualWeightedGap,
        "servqual_weighted_gap",
        "SERVQUAL gap weighted by importance, P − E",
        SURVEY,
        Higher,
        2,
        true,
        Welch,
        &[],
        Survey(&servqual::WEIGHTED_GAP),
    ),
    row(
        MetricId::ServperfTangibles,
        "servperf_tangibles",
        "SERVPERF tangibles, mean perception",
        SURVEY,
        Higher,
        2,
        true,
        Welch,
        &[],
        Survey(&servqual::PERF_TANGIBLES),
    ),
    row(
        MetricId::ServperfReliability,
        "servperf_reliability",
        "SERVPERF reliability, mean perception",
        SURVEY,
        Higher,
        2,
        true,
        Welch,
        &[],
        Survey(&servqual::PERF_RELIABILITY),
    ),
    row(
        MetricId::ServperfResponsiveness,
        "servperf_responsiveness",
        "SERVPERF responsiveness, mean perception",
        SURVEY,
        Higher,
        2,
        true,
        Welch,
        &[],
        Survey(&servqual::PERF_RESPONSIVENESS),
    ),
    row(
        MetricId::ServperfAssurance,
        "servperf_assurance",
        "SERVPERF assurance, mean perception",
        SURVEY,
        Higher,
        2,
        true,
        Welch,
        &[],
        Survey(&servqual::PERF_ASSURANCE),
    ),
    row(
        MetricId::ServperfEmpathy,
        "servperf_empathy",
        "SERVPERF empathy, mean perception",
        SURVEY,
        Higher,
        2,
        true,
        Welch,
        &[],
        Survey(&servqual::PERF_EMPATHY),
    ),
    row(
        MetricId::Esat,
        "esat",
        "Employee satisfaction, % satisfied",
        STAFF_SURVEY,
        Higher,
        1,
        true,
        Proportion,
        &["esat"],
        Survey(&csat::ESAT),
    ),
    row(
        MetricId::Enps,
        "enps",
        "eNPS, −100 to +100",
        STAFF_SURVEY,
        Higher,
        1,
        true,
        Nps,
        &["enps"],
        Survey(&nps::ENPS),
    ),
    row(
        MetricId::Headcount,
        "headcount",
        "Headcount",
        STAFF,
        Higher,
        0,
        false,
        ChangeTest::None,
        &[],
        Employee(&employees::Headcount),
    ),
    row(
        MetricId::Turnover,
        "turnover",
        "Employee turnover, % of headcount",
        STAFF,
        Lower,
        1,
        false,
        ChangeTest::None,
        &[],
        Employee(&employees::Turnover { annualised: false }),
    ),
    row(
        MetricId::TurnoverAnnualised,
        "turnover_annualised",
        "Employee turnover, % a year",
        STAFF,
        Lower,
        1,
        false,
        ChangeTest::None,
        &[],
        Employee(&employees::Turnover { annualised: true }),
    ),
];

/// The wanted metrics of one family, in report order, with what `pick` takes from
/// their family (`Family::Survey(kpi) => Some(kpi)`).
pub fn members<T>(wanted: &[MetricId], pick: impl Fn(Family) -> Option<T>) -> Vec<(MetricId, T)> {
    MetricId::ALL.iter().filter(|m| wanted.contains(m)).filter_map(|m| pick(def(*m).family).map(|t| (*m, t))).collect()
}

impl MetricDef {
    /// What its figures are measured in, for axis labels: the part of the title after
    /// its last comma ("% satisfied", "median minutes"), else the whole title.
    pub fn unit(&self) -> &'static str {
        self.title.rsplit_once(", ").map_or(self.title, |(_, unit)| unit)
    }
}

/// The registry row of a metric.
pub fn def(id: MetricId) -> &'static MetricDef {
    &REGISTRY[id as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_metric_has_its_own_row_in_enum_order() {
        for (i, metric) in MetricId::ALL.iter().enumerate() {
            assert_eq!(REGISTRY[i].id, *metric);
            assert_eq!(def(*metric).id, *metric);
        }
        let mut names: Vec<&str> = REGISTRY.iter().map(|d| d.name).collect();
        names.dedup();
        assert_eq!(names.len(), REGISTRY.len());
    }

    #[test]
    fn every_interaction_metric_reads_the_fields_its_rejected_flag_counts() {
        for def in &REGISTRY {
            if let Family::Interaction(kpi) = def.family {
                let fields = kpi.fields(&Default::default(), false);
                for judged in def.judged_fields {
                    assert!(fields.iter().any(|(k, f)| *k == Kind::Interactions && f.field == *judged), "{}", def.name);
                }
            }
        }
    }

    #[test]
    fn every_survey_metric_says_how_it_is_computed_and_reads_its_own_column() {
        for def in &REGISTRY {
            let survey = match def.family {
                Family::Survey(kpi) => Some(kpi),
                Family::Interaction(_) => {
                    assert_eq!(def.input, Kind::Interactions, "{}", def.name);
                    None
                }
                Family::Customer(_) => {
                    assert_eq!(def.input, Kind::Transactions, "{}", def.name);
                    None
                }
                Family::Employee(_) => {
                    assert_eq!(def.input, Kind::Employees, "{}", def.name);
                    None
                }
            };
            let one_per_row = [Kind::Surveys, Kind::EmployeeSurveys, Kind::Customers];
            assert_eq!(survey.is_some(), one_per_row.contains(&def.input), "{}", def.name);
            if let Some(kpi) = survey {
                // SERVQUAL reads many item columns: no `rejected` flag of its own.
                let judged: &[&str] = if kpi.column() == servqual::ITEMS { &[] } else { &[kpi.column()] };
                assert_eq!(def.judged_fields, judged, "{}", def.name);
                assert!(kpi.fields(&Default::default()).iter().any(|f| f.field == kpi.column()) || judged.is_empty());
            }
        }
    }
}
