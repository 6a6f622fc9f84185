//! The survey metrics: one aggregation over the surveys table feeds every survey KPI
//! of the registry (see `metrics::survey::SurveyKpi`). A loop over registry rows: no
//! KPI is named here.

use super::Options;
use anyhow::Result;
use polars::prelude::*;

use super::{Results, aggregate, read_keys, rejected_flags, rejection_aggregations};
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
        results.notes.push(format!(
            "{}: {} have no {} column: given over all its values, (all)",
            names.join(", "),
            table.kind.as_str(),
            table.missing_dims.join(", ")
        ));
    }
    // Weighted when the surveys carry a weight column, unless --unweighted (SPEC §14).
    let weighted = !settings.unweighted && table.has(SURVEY_WEIGHT) && kpis.iter().any(|(_, k)| k.weighted());
    let sampled = Rows::Sampled { compacted: table.rows == Rows::Weighted };
    let mut frame = table.frame.clone().lazy();
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
            // A score without a weight is left out of the weighted figures, and counted.
            let unweighted = format!("{column}.unweighted");
            frame = frame.with_columns([
                col(column).is_not_null().and(col(SURVEY_WEIGHT).is_null()).alias(&unweighted),
                when(col(SURVEY_WEIGHT).is_not_null()).then(col(column)).otherwise(lit(NULL)).alias(column),
            ]);
            aggregations.push(table.rows.count_true(col(&unweighted), &unweighted));
            aggregations.extend(kpi.aggregations(&settings.metrics, sampled));
            aggregations.extend(sampled.sum_squared_weights(column, &format!("{column}.n")));
        }
        aggregations.extend(kpi.aggregations(&settings.metrics, table.rows));
        aggregations.extend(rejection_aggregations(*metric, table));
    }
    let df = aggregate(frame, &by, dictionaries, aggregations)?.collect()?;
    if weighted {
        note_weights(&df, &columns_done, results)?;
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
    for (metric, kpi) in kpis {
        let estimates = kpi.estimates(&df, &settings.metrics)?;
        if estimates.iter().all(|e| e.n == 0) {
            results.notes.push(format!(
                "{metric}: not computed: no valid {} value in {} (all missing or rejected)",
                kpi.column(),
                table.kind.as_str()
            ));
            continue;
        }
        let mut definition = kpi.definition(&settings.metrics);
        if weighted && kpi.weighted() {
            definition.push_str(WEIGHTED);
        }
        results.push_metric(&keys, metric, estimates, definition);
        // A snapshot without dates is one figure for the whole of it.
        if table.date_range.is_none() && table.kind != crate::input::Kind::Surveys {
            results.records.iter_mut().filter(|r| r.metric == metric).for_each(|r| r.whole_window = true);
        }
        results.flag_rejected(metric, &keys, &rejected_flags(&df, metric)?);
    }
    Ok(())
}

/// What weighting adds to a survey KPI's definition.
const WEIGHTED: &str = "; weighted by the surveys' weight column (Σw·x / Σw; n is the respondent count), interval on Kish's effective n = (Σw)² / Σw² (--unweighted: every response once)";

/// Notes the responses left out of the weighted figures for want of a weight.
fn note_weights(df: &DataFrame, columns: &[&str], results: &mut Results) -> Result<()> {
    for column in columns {
        let left_out: u64 = crate::metrics::frame::counts(df, &format!("{column}.unweighted"))?.iter().sum();
        if left_out > 0 {
            results.notes.push(format!(
                "{column}: {left_out} response(s) with a score but no valid weight left out of the weighted figures (--unweighted counts every response once)"
            ));
        }
    }
    Ok(())
}
