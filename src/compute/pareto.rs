//! The counts behind the complaint Pareto (`servq complaints`): complaints and
//! interactions per period and category, by the complaint rule of the registry's
//! complaints KPI (the KPI is passed in: nothing here names it), and the transactions
//! per period.

use std::collections::BTreeMap;

use anyhow::{Result, bail};
use chrono::NaiveDate;
use polars::prelude::*;

use super::{Inputs, Options, read_keys, rejected_flags, rejection_aggregations};
use crate::input::Kind;
use crate::metrics::MetricId;
use crate::metrics::frame::counts;
use crate::metrics::interaction::InteractionKpi;

/// Complaints and interactions per (period start, category), and transactions per
/// period start.
#[derive(Debug, Default)]
pub struct ParetoCounts {
    /// Per (period start, category): (complaints, interactions).
    pub cells: BTreeMap<(NaiveDate, String), (u64, u64)>,
    /// Transactions per period start, when transactions were given.
    pub transactions: Option<BTreeMap<NaiveDate, u64>>,
    /// Notes of the complaint rule (a configured value that matches nothing).
    pub notes: Vec<String>,
    /// The (period start, category) cells with more than 5% of their complaint values
    /// rejected: suspect data (SPEC §9).
    pub suspect: std::collections::BTreeSet<(NaiveDate, String)>,
}

/// Counts complaints per period and category (`options.by` holds the one category
/// column). `as_of_end`: the end of the as-of day, in the table's seconds.
pub fn pareto_counts(
    inputs: &Inputs,
    options: &Options,
    (metric, complaints): (MetricId, &dyn InteractionKpi),
    as_of_end: i64,
) -> Result<ParetoCounts> {
    let Some(table) = inputs.tables.get(&Kind::Interactions) else {
        bail!("complaints need interactions: give --interactions FILE… or [inputs] interactions");
    };
    if let Some(missing) = table.missing_dims.first() {
        bail!("interactions have no {missing} column: give the category column with --by (e.g. --by topic)");
    }
    let plan = super::interactions::with_context(table, inputs, options, as_of_end, |context| complaints.plan(context))
        .map_err(|why| anyhow::anyhow!("complaints: not computed: {why}"))?;
    let mut frame = table.frame.clone().lazy();
    let mut aggregations = Vec::new();
    for part in plan.parts {
        if let Some(prepare) = part.prepare {
            frame = prepare(frame)?;
        }
        aggregations.extend(part.aggregations);
    }
    aggregations.extend(rejection_aggregations(metric, table));
    let df = super::aggregate(frame, &options.by, &inputs.dictionaries, aggregations)?.collect()?;
    let keys = read_keys(&df, &options.by, &inputs.dictionaries)?;
    let cell = |(start, groups): &(NaiveDate, Vec<String>)| (*start, groups.first().cloned().unwrap_or_default());
    let suspect =
        keys.iter().zip(rejected_flags(&df, metric)?).filter(|(_, flagged)| *flagged).map(|(k, _)| cell(k)).collect();
    let complained = counts(&df, "complaints.count")?;
    let interactions = counts(&df, "interactions.n")?;
    let cells = keys.iter().map(cell).zip(complained.into_iter().zip(interactions)).collect();
    let transactions = match &inputs.customers {
        Some(data) => {
            let per_period = data.transactions_per_period()?;
            let starts = read_keys(&per_period, &[], &inputs.dictionaries)?;
            let n = counts(&per_period, "transactions.n")?;
            Some(starts.into_iter().map(|(start, _)| start).zip(n).collect())
        }
        None => None,
    };
    Ok(ParetoCounts { cells, transactions, notes: plan.notes, suspect })
}
