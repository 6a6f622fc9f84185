//! The survey metrics: one aggregation over the surveys table feeds every survey KPI
//! of the registry (see `metrics::survey::SurveyKpi`). A loop over registry rows: no
//! KPI is named here.

use super::Options;
use anyhow::Result;
use polars::prelude::*;

use super::{Results, aggregate, read_keys, rejected_flags, rejection_aggregations};
use crate::input::{Dictionaries, Table, columns};
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
    for (metric, kpi) in survey_kpis(wanted) {
        let column = kpi.column();
        if let Some(why) = kpi.not_computed(&settings.metrics) {
            results.notes.push(format!("{metric}: not computed: {why}"));
            continue;
        }
        if !table.has(column) {
            let def = columns::field_def(table.kind, column).expect("survey fields are defined");
            results.notes.push(format!(
                "{metric}: not computed: no {column} column in surveys (looked for {}; map one with [columns.surveys] {column} = \"…\")",
                columns::looked_for(def)
            ));
            continue;
        }
        kpis.push((metric, kpi));
    }
    if kpis.is_empty() {
        return Ok(());
    }
    // KPIs of one column share its aggregations (and its rejection counts): added once.
    let mut aggregations = Vec::new();
    let mut columns_done: Vec<&str> = Vec::new();
    for (metric, kpi) in &kpis {
        if !columns_done.contains(&kpi.column()) {
            columns_done.push(kpi.column());
            aggregations.extend(kpi.aggregations(&settings.metrics, table.rows));
            aggregations.extend(rejection_aggregations(*metric, table));
        }
    }
    let df = aggregate(table.frame.clone().lazy(), &settings.by, dictionaries, aggregations)?.collect()?;
    let keys = read_keys(&df, &settings.by, dictionaries)?;
    for (metric, kpi) in kpis {
        let estimates = kpi.estimates(&df, &settings.metrics)?;
        if estimates.iter().all(|e| e.n == 0) {
            results
                .notes
                .push(format!("{metric}: not computed: no valid {} value (all missing or rejected)", kpi.column()));
            continue;
        }
        results.push_metric(&keys, metric, estimates, kpi.definition(&settings.metrics));
        results.flag_rejected(metric, &keys, &rejected_flags(&df, metric)?);
    }
    Ok(())
}
