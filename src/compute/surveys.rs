//! The survey metrics (csat, csat_mean, ces, ces_mean, nps) from one aggregation
//! over the surveys table.

use anyhow::Result;
use polars::prelude::*;

use super::{Results, aggregate, judged_fields, read_keys, rejected_flags, rejection_aggregations};
use crate::config::Settings;
use crate::input::{Dictionaries, Table, columns};
use crate::metrics::nps::NpsCounts;
use crate::metrics::{Estimate, MetricId};
use crate::metrics::{ces, csat, frame, nps, share};

/// The survey metrics and the column each is computed from.
const SURVEY_METRICS: [(MetricId, &str); 5] = [
    (MetricId::Csat, csat::COLUMN),
    (MetricId::CsatMean, csat::COLUMN),
    (MetricId::Ces, ces::COLUMN),
    (MetricId::CesMean, ces::COLUMN),
    (MetricId::Nps, nps::COLUMN),
];

/// Computes the wanted survey metrics into `results`; a metric whose column is
/// absent, or has no valid value, gets a note instead of records.
pub fn compute(
    table: &Table,
    wanted: &[MetricId],
    settings: &Settings,
    dictionaries: &Dictionaries,
    results: &mut Results,
) -> Result<()> {
    let mut metrics = Vec::new();
    for (metric, column) in SURVEY_METRICS {
        if !wanted.contains(&metric) {
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
        metrics.push(metric);
    }
    if metrics.is_empty() {
        return Ok(());
    }
    let m = &settings.metrics;
    let mut aggregations = Vec::new();
    let uses = |id: MetricId, other: MetricId| metrics.contains(&id) || metrics.contains(&other);
    if uses(MetricId::Csat, MetricId::CsatMean) {
        aggregations.extend(csat::aggregations(&m.csat, table.rows));
    }
    if uses(MetricId::Ces, MetricId::CesMean) {
        aggregations.extend(ces::aggregations(&m.ces, table.rows));
    }
    if metrics.contains(&MetricId::Nps) {
        aggregations.extend(nps::aggregations(table.rows));
    }
    // csat and csat_mean (ces and ces_mean) share their counts: added once.
    for metric in [MetricId::Csat, MetricId::Ces, MetricId::Nps] {
        if metrics.iter().any(|m| judged_fields(*m) == judged_fields(metric)) {
            aggregations.extend(rejection_aggregations(metric, table));
        }
    }
    let df = aggregate(table.frame.clone().lazy(), &settings.by, dictionaries, aggregations)?.collect()?;
    let keys = read_keys(&df, &settings.by, dictionaries)?;
    for metric in metrics {
        let estimates = estimates(&df, metric, settings)?;
        if estimates.iter().all(|e| e.n == 0) {
            results.notes.push(format!(
                "{metric}: not computed: no valid {} value (all missing or rejected)",
                SURVEY_METRICS.iter().find(|(id, _)| *id == metric).map_or("", |(_, c)| c)
            ));
            continue;
        }
        results.push_metric(&keys, metric, estimates, definition(metric, settings));
        results.flag_rejected(metric, &keys, &rejected_flags(&df, metric)?);
    }
    Ok(())
}

/// One estimate per aggregated row for `metric`, from the metric's own file.
fn estimates(df: &DataFrame, metric: MetricId, settings: &Settings) -> Result<Vec<Estimate>> {
    let column = match metric {
        MetricId::Csat | MetricId::CsatMean => csat::COLUMN,
        MetricId::Ces | MetricId::CesMean => ces::COLUMN,
        _ => nps::COLUMN,
    };
    let n = frame::counts(df, &format!("{column}.n"))?;
    let rows = 0..n.len();
    Ok(match metric {
        MetricId::Nps => {
            let promoters = frame::counts(df, "nps.promoters")?;
            let detractors = frame::counts(df, "nps.detractors")?;
            rows.map(|i| {
                let counts = NpsCounts { promoters: promoters[i], detractors: detractors[i], n: n[i] };
                nps::nps(counts, &settings.metrics.nps)
            })
            .collect()
        }
        MetricId::Csat | MetricId::Ces => {
            let good = frame::counts(df, &format!("{column}.good"))?;
            let share = if metric == MetricId::Csat { csat::csat } else { ces::ces };
            rows.map(|i| share(good[i], n[i])).collect()
        }
        _ => {
            let average = if metric == MetricId::CsatMean { csat::csat_mean } else { ces::ces_mean };
            share::score_sums(df, column)?.into_iter().map(average).collect()
        }
    })
}

fn definition(metric: MetricId, settings: &Settings) -> String {
    let m = &settings.metrics;
    match metric {
        MetricId::Csat | MetricId::CsatMean => csat::definition(&m.csat),
        MetricId::Ces | MetricId::CesMean => ces::definition(&m.ces),
        _ => nps::definition(&m.nps),
    }
}
