//! The survey metrics: one aggregation over the surveys table feeds every survey KPI
//! of the registry (see `metrics::survey::SurveyKpi`). A loop over registry rows: no
//! KPI is named here.

use super::Options;
use anyhow::Result;
use polars::prelude::*;

use super::{Results, field_rejections, read_keys, rejected_flags, rejected_share, rejection_aggregations, weights};
use crate::input::compact::{Rows, SURVEY_WEIGHT};
use crate::input::{Dictionaries, Table};
use crate::metrics::MetricId;
use crate::metrics::registry::Family;
use crate::metrics::survey::SurveyKpi;

/// The wanted survey KPIs, in report order.
pub fn survey_kpis(wanted: &[MetricId]) -> Vec<(MetricId, &'static dyn SurveyKpi)> {
    crate::metrics::registry::members(wanted, |family| match family {
        Family::Survey(kpi) => Some(kpi),
        _ => None,
    })
}

/// Computes the wanted survey metrics into `results`; a metric whose column is
/// absent, or has no valid value, gets a note instead of records.
pub fn compute(
    table: &Table,
    wanted: &[MetricId],
    settings: &Options,
    dictionaries: &Dictionaries,
    results: &mut Results,
) -> Result<()> {
    let mut kpis = Vec::new();
    for (metric, kpi) in survey_kpis(wanted).into_iter().filter(|(m, _)| m.input() == table.kind) {
        if let Some(why) = kpi.not_computed(&settings.metrics) {
            results.notes.push(format!("{metric}: not computed: {why}"));
            continue;
        }
        if let Some(why) = kpi.absent(table, &settings.metrics) {
            // A KPI of many item columns (SERVQUAL) is said to be missing only when some
            // of its items are there, or when it was asked for.
            let fields = kpi.fields(&settings.metrics);
            if fields.len() == 1 || settings.selected.is_some() || fields.iter().any(|f| table.has(f.field)) {
                results.notes.push(format!("{metric}: not computed: {why}"));
            }
            continue;
        }
        kpis.push((metric, kpi));
    }
    if kpis.is_empty() {
        return Ok(());
    }
    // A --by column the table lacks (employee surveys, the customer snapshot): the
    // figures are over all its values, `(all)`, and a note says so.
    let by: Vec<String> = settings.by.iter().filter(|d| !table.missing_dims.contains(d)).cloned().collect();
    if by.len() < settings.by.len() {
        let names: Vec<String> = kpis.iter().map(|(m, _)| m.to_string()).collect();
        results.notes.push(super::missing_dims_note(&names, table));
    }
    // Weighted when the surveys carry a weight column, unless --unweighted (SPEC §14).
    let weighted = !settings.unweighted && table.has(SURVEY_WEIGHT) && kpis.iter().any(|(_, k)| k.weighted());
    let sampled = Rows::Sampled { compacted: table.rows == Rows::Weighted };
    let unit = if weighted { weights::unit(table)? } else { weights::Unit(0) };
    let mut frame = table.frame.clone().lazy();
    if weighted {
        frame = weights::quantise(frame, unit);
    }
    // KPIs of one column share its aggregations (and its rejection counts): added once.
    let mut aggregations = Vec::new();
    let mut columns_done: Vec<&str> = Vec::new();
    for (metric, kpi) in &kpis {
        let column = kpi.column();
        if columns_done.contains(&column) {
            continue;
        }
        columns_done.push(column);
        if weighted && kpi.weighted() {
            let (derived, sums) = weights::column_parts(column, table, kpi.aggregations(&settings.metrics, sampled));
            frame = frame.with_columns(derived);
            aggregations.extend(sums);
        }
        aggregations.extend(kpi.aggregations(&settings.metrics, table.rows));
        aggregations.extend(rejection_aggregations(*metric, table));
    }
    // A KPI whose judged columns come from its options (SERVQUAL): its own counts.
    for (metric, kpi) in &kpis {
        let judged = kpi.judged(&settings.metrics);
        if !judged.is_empty() {
            aggregations.extend(field_rejections(&judged, &item_rejections(*metric), table));
        }
    }
    let df = super::grouped(frame, &by, dictionaries, aggregations)?;
    for (_, kpi) in kpis.iter().filter(|(_, k)| weighted && k.weighted()) {
        if columns_done.contains(&kpi.column()) {
            columns_done.retain(|c| *c != kpi.column());
            weights::notes(&df, kpi.column(), unit, results)?;
        }
    }
    let keys: Vec<_> = read_keys(&df, &by, dictionaries)?
        .into_iter()
        .map(|(start, values)| {
            let mut values = values.into_iter();
            let all = settings.by.iter().map(|d| {
                if table.missing_dims.contains(d) { "(all)".to_string() } else { values.next().unwrap_or_default() }
            });
            (start, all.collect())
        })
        .collect();
    let aggregated =
        Aggregated { kind: table.kind, df: &df, keys: &keys, dated: table.date_range.is_some(), weighted, unit };
    push_figures(&aggregated, &kpis, settings, results)
}

/// A survey input aggregated per period and group: by polars from the rows, or by an
/// SQL engine (`report --stats`, SPEC §13).
pub(crate) struct Aggregated<'a> {
    /// Which input.
    pub kind: crate::input::Kind,
    /// One row per period and group: the KPIs' aggregations, named as they name them.
    pub df: &'a DataFrame,
    /// The period and group of each row.
    pub keys: &'a [super::GroupKey],
    /// The input has dates (else each figure covers all of it).
    pub dated: bool,
    /// The weighted sums are there (SPEC §14).
    pub weighted: bool,
    /// The weights' quantum.
    pub unit: weights::Unit,
}

/// Turns the aggregated counts into each KPI's figures, with their definitions, notes
/// and `rejected` flags.
pub(crate) fn push_figures(
    agg: &Aggregated,
    kpis: &[(MetricId, &'static dyn SurveyKpi)],
    settings: &Options,
    results: &mut Results,
) -> Result<()> {
    let (df, keys, weighted, unit) = (agg.df, agg.keys, agg.weighted, agg.unit);
    for &(metric, kpi) in kpis {
        let weighs = weighted && kpi.weighted();
        let mut estimates = kpi.estimates(df, &settings.metrics)?;
        results.notes.extend(kpi.notes(df)?);
        if estimates.iter().all(|e| e.n == 0) {
            let with = if weighs { " with a valid weight" } else { "" };
            results.notes.push(format!(
                "{metric}: not computed: no valid {} value{with} in {} (all missing or rejected)",
                kpi.column(),
                agg.kind.as_str()
            ));
            continue;
        }
        if weighs {
            weights::unscale(&mut estimates, unit);
        }
        let mut definition = kpi.definition(&settings.metrics);
        if weighs {
            definition.push_str(WEIGHTED);
        }
        results.push_metric(keys, metric, estimates, definition);
        // A snapshot without dates is one figure for the whole of it, which --from/--to
        // cannot cut.
        if !agg.dated && agg.kind != crate::input::Kind::Surveys {
            results.records.iter_mut().filter(|r| r.metric == metric).for_each(|r| r.whole_window = true);
            if settings.window.from.is_some() || settings.window.to.is_some() {
                results.notes.push(format!(
                    "{metric}: the {} input has no date: --from/--to do not cut it (all of it is counted)",
                    agg.kind.as_str()
                ));
            }
        }
        let mut rejected = rejected_flags(df, metric)?;
        if !kpi.judged(&settings.metrics).is_empty() {
            // Over 5% of the respondents with one of its items had one rejected (SERVQUAL).
            rejected.iter_mut().zip(rejected_share(df, &item_rejections(metric))).for_each(|(r, i)| *r |= i);
        }
        if let Some(suspect) = kpi.suspect(df)? {
            rejected.iter_mut().zip(suspect).for_each(|(r, s)| *r |= s);
        }
        if weighs {
            // A rejected weight makes a figure suspect as a rejected score would.
            rejected.iter_mut().zip(weights::rejected(df, kpi.column())?).for_each(|(r, w)| *r |= w);
        }
        results.flag_rejected(metric, keys, &rejected);
    }
    Ok(())
}

/// What weighting adds to a survey KPI's definition.
const WEIGHTED: &str = "; weighted by the surveys' weight column (Σw·x / Σw; n is the respondent count), interval on Kish's effective n = (Σw)² / Σw² (--unweighted: every response once)";

/// The names of the rejection counts of a KPI whose judged columns come from its
/// options (SERVQUAL): rows with a rejected value in one of them, rows with any.
pub(crate) fn item_rejections(metric: MetricId) -> (String, String) {
    (format!("rejected.{metric}.rows"), format!("rejected.{metric}.judged"))
}
