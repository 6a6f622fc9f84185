//! The interaction KPIs from one aggregation over the interactions table (two, joined,
//! when the streaming engine compacted the response times apart). A loop over the
//! registry rows that have an [`InteractionKpi`]: each KPI plans its part (derived
//! columns, counts), parts of one name are added once, and each KPI reads its figures
//! back. No KPI is named here. A count per 1000 transactions (complaints) is set
//! against the transactions of the same period and group.

use super::Options;
use std::collections::BTreeMap;

use anyhow::{Context as _, Result};
use polars::prelude::*;

use super::{GroupKey, Inputs, Results, group_keys, read_keys, rejected_flags, rejection_aggregations};
use crate::input::parse::Zone;
use crate::input::{Kind, Table};
use crate::metrics::MetricId;
use crate::metrics::interaction::{Context, InteractionKpi, Joined, Part, PerTransactions, Prepare};
use crate::metrics::registry::Family;
use crate::period::epoch_days;

/// The wanted interaction KPIs, in report order.
pub fn interaction_kpis(wanted: &[MetricId]) -> Vec<(MetricId, &'static dyn InteractionKpi)> {
    crate::metrics::registry::members(wanted, |family| match family {
        Family::Interaction(kpi) => Some(kpi),
        _ => None,
    })
}

/// The parts planned on one frame: preparations in order, aggregations, joins.
#[derive(Default)]
struct Pieces {
    names: Vec<String>,
    prepare: Vec<Prepare>,
    aggregations: Vec<Expr>,
    joined: Vec<Joined>,
}

impl Pieces {
    /// Adds a part unless one of its name is there already.
    fn add(&mut self, part: Part) {
        if self.first(part.name) {
            self.prepare.extend(part.prepare);
            self.aggregations.extend(part.aggregations);
            self.joined.extend(part.joined);
        }
    }

    /// Records a name; true if and only if it is new.
    fn first(&mut self, name: &str) -> bool {
        let new = !self.names.iter().any(|n| n == name);
        if new {
            self.names.push(name.to_string());
        }
        new
    }

    /// Prepares `frame` and aggregates it per period and group; `None` when nothing
    /// is aggregated on it.
    fn run(self, frame: &DataFrame, settings: &Options, inputs: &Inputs) -> Result<Option<DataFrame>> {
        if self.aggregations.is_empty() {
            return Ok(None);
        }
        let mut prepared = frame.clone().lazy();
        for prepare in &self.prepare {
            prepared = prepare(prepared)?;
        }
        let keys = group_keys(&settings.by);
        let mut df = super::grouped(prepared.clone(), &settings.by, &inputs.dictionaries, self.aggregations)?;
        for joined in self.joined {
            let extra = joined(prepared.clone(), &keys)?.lazy();
            df = df.lazy().join(extra, &keys, &keys, JoinArgs::new(JoinType::Left)).collect()?;
        }
        Ok(Some(df))
    }
}

/// Runs `f` with what the interaction KPIs see of the interactions table and the run.
pub(super) fn with_context<R>(
    table: &Table,
    inputs: &Inputs,
    settings: &Options,
    as_of_end: i64,
    f: impl FnOnce(&Context) -> R,
) -> R {
    let has = |field: &str| table.has(field);
    f(&Context {
        has: &has,
        options: &settings.metrics,
        dictionaries: &inputs.dictionaries,
        rows: table.rows,
        as_of_end,
        transactions: inputs.tables.contains_key(&Kind::Transactions),
    })
}

/// The end of the day up to which repeat contacts are seen, as an instant (seconds
/// since 1970 UTC, as the rows' `ts`): the end of the as-of day in the report's zone, or
/// of the `--to` day when earlier (the rows after it are not read, so a window past it
/// is not over; h18d-3).
pub fn fcr_as_of_end(as_of: Option<chrono::NaiveDate>, to: Option<chrono::NaiveDate>, zone: Zone) -> i64 {
    let end = |d: chrono::NaiveDate| zone.utc_of_local((i64::from(epoch_days(d)) + 1) * 86_400);
    as_of.map_or(i64::MAX, end).min(to.map_or(i64::MAX, end))
}

/// Computes the wanted interaction metrics into `results`.
pub fn compute(inputs: &Inputs, wanted: &[MetricId], settings: &Options, results: &mut Results) -> Result<()> {
    let Some(table) = inputs.tables.get(&Kind::Interactions) else { return Ok(()) };
    let as_of_end = fcr_as_of_end(results.as_of_of(Kind::Interactions), settings.window.to, settings.window.dates.tz);
    with_context(table, inputs, settings, as_of_end, |context| {
        compute_in(context, table, inputs, wanted, settings, results)
    })
}

/// [`compute`] with the context made.
fn compute_in(
    context: &Context,
    table: &Table,
    inputs: &Inputs,
    wanted: &[MetricId],
    settings: &Options,
    results: &mut Results,
) -> Result<()> {
    // The flags frame, and the response values when compacted apart.
    let (mut flags, mut values) = (Pieces::default(), Pieces::default());
    let apart = table.apart.is_some();
    let mut planned = Vec::new();
    for (metric, kpi) in interaction_kpis(wanted) {
        let plan = match kpi.plan(context) {
            Ok(plan) => plan,
            Err(why) => {
                results.notes.push(format!("{metric}: not computed: {why}"));
                continue;
            }
        };
        results.notes.extend(plan.notes);
        let on_values = apart && plan.parts.first().is_some_and(|p| p.on_values);
        for part in plan.parts {
            if apart && part.on_values { values.add(part) } else { flags.add(part) }
        }
        let rejections = rejection_aggregations(metric, table);
        let pieces = if on_values { &mut values } else { &mut flags };
        if let Some(first) = metric.def().judged_fields.first()
            && pieces.first(&format!("rejected.{first}"))
        {
            pieces.aggregations.extend(rejections);
        }
        planned.push((metric, kpi, plan.definition));
    }
    let keys = group_keys(&settings.by);
    let df = match (flags.run(&table.frame, settings, inputs)?, table.apart.as_ref()) {
        (Some(flags), Some(apart)) => match values.run(apart, settings, inputs)? {
            Some(values) => flags.lazy().join(values.lazy(), &keys, &keys, JoinArgs::new(JoinType::Left)).collect()?,
            None => flags,
        },
        (Some(flags), None) => flags,
        (None, Some(apart)) => match values.run(apart, settings, inputs)? {
            Some(values) => values,
            None => return Ok(()),
        },
        (None, None) => return Ok(()),
    };
    let keys = read_keys(&df, &settings.by, &inputs.dictionaries)?;
    for (metric, kpi, definition) in planned {
        match kpi.per_transactions() {
            Some(per) if context.transactions => {
                let transactions = transaction_counts(inputs, settings)?;
                let counts = (&transactions, &table.missing_dims[..]);
                per_transactions(&df, &keys, counts, settings, (metric, per, definition), results)?;
            }
            _ => {
                let valid = any_valid(inputs, metric.def().judged_fields);
                push_figures(&df, &keys, (metric, kpi, definition), valid, results)?;
            }
        }
    }
    Ok(())
}

/// Pushes one interaction KPI's figures from the aggregated counts (without transactions:
/// a rate per 1000 is per interaction), with its `rejected` flags; `valid`: some value
/// of its fields was valid (else a figure of nothing is a note instead).
pub(crate) fn push_figures(
    df: &DataFrame,
    keys: &[GroupKey],
    (metric, kpi, definition): (MetricId, &dyn InteractionKpi, String),
    valid: bool,
    results: &mut Results,
) -> Result<()> {
    let estimates = kpi.estimates(df)?;
    if estimates.iter().all(|e| e.n == 0)
        && !valid
        && let Some(why) = kpi.unjudged(df)?
    {
        results.notes.push(format!("{metric}: not computed: {why}"));
        return Ok(());
    }
    if estimates.iter().all(|e| e.n == 0) && !valid {
        results.notes.push(format!(
            "{metric}: not computed: no valid {} value (all missing or rejected)",
            metric.def().judged_fields.join(" or ")
        ));
        return Ok(());
    }
    if kpi.per_transactions().is_some() {
        results.notes.push(format!("{metric}: no transactions input: the rate is per 1000 interactions"));
    }
    results.push_metric(keys, metric, estimates, definition);
    results.flag_rejected(metric, keys, &rejected_flags(df, metric)?);
    Ok(())
}

/// Reads a per-key count column of an aggregated frame.
fn counts_by_key(df: &DataFrame, keys: &[GroupKey], column: &str) -> Result<BTreeMap<GroupKey, u64>> {
    let values = crate::metrics::frame::counts(df, column)?;
    Ok(keys.iter().cloned().zip(values).collect())
}

/// Whether any interactions file has a valid value in one of `fields`.
fn any_valid(inputs: &Inputs, fields: &[&str]) -> bool {
    let files = inputs.quality.files.iter().filter(|f| f.kind == Kind::Interactions);
    files.flat_map(|f| fields.iter().filter_map(|field| f.fields.get(*field))).any(|q| q.valid > 0)
}

/// The transactions a rate is per: their count per period and group (per period, with
/// no group values, when `missing_dims` is not empty), and the `--by` columns they lack.
#[derive(Debug, Default)]
pub(crate) struct TransactionCounts {
    pub counts: BTreeMap<GroupKey, u64>,
    pub missing_dims: Vec<String>,
}

/// The transactions' counts of a run on the files.
fn transaction_counts(inputs: &Inputs, settings: &Options) -> Result<TransactionCounts> {
    let transactions = inputs.tables.get(&Kind::Transactions).context("transactions were not read")?;
    let by = if transactions.missing_dims.is_empty() { settings.by.clone() } else { Vec::new() };
    let data = inputs.customers.as_ref().context("transactions were not summarised")?;
    let tx_df = if by.is_empty() { data.transactions_per_period()? } else { data.transactions().clone() };
    let tx_keys = read_keys(&tx_df, &by, &inputs.dictionaries)?;
    let counts = counts_by_key(&tx_df, &tx_keys, "transactions.n")?;
    Ok(TransactionCounts { counts, missing_dims: transactions.missing_dims.clone() })
}

/// A count per 1000 transactions of the same period and group (complaints), with its
/// `rejected` flags. A period and group with transactions but no interactions has no
/// figure: its count is unknown, not zero (SPEC §9.1). When a `--by` column is missing
/// from the transactions or from the interactions (`interactions_missing`), the rate is
/// given per period over all groups, with a note.
pub(crate) fn per_transactions(
    df: &DataFrame,
    keys: &[GroupKey],
    (transactions, interactions_missing): (&TransactionCounts, &[String]),
    settings: &Options,
    (metric, per, definition): (MetricId, PerTransactions, String),
    results: &mut Results,
) -> Result<()> {
    let mut lacking = Vec::new();
    for (input, missing) in [("transactions", &transactions.missing_dims[..]), ("interactions", interactions_missing)] {
        if !missing.is_empty() {
            lacking.push(format!("{input} have no {} column", missing.join(", ")));
        }
    }
    let (counted, tx_counts) = if lacking.is_empty() {
        (counts_by_key(df, keys, per.count)?, transactions.counts.clone())
    } else {
        results.notes.push(format!("{metric}: {}: the rate is given per period over all groups", lacking.join("; ")));
        let mut per_period: BTreeMap<GroupKey, u64> = BTreeMap::new();
        for ((start, _), count) in &transactions.counts {
            *per_period.entry((*start, Vec::new())).or_default() += count;
        }
        (counts_per_period(df, keys, per.count)?, per_period)
    };
    let mut all_keys: Vec<GroupKey> = counted.keys().chain(tx_counts.keys()).cloned().collect();
    all_keys.sort();
    all_keys.dedup();
    let estimates = all_keys
        .iter()
        .map(|k| match counted.get(k) {
            Some(&count) => (per.rate)(count, tx_counts.get(k).copied().unwrap_or(0)),
            None => crate::metrics::Estimate::empty(0),
        })
        .collect();
    let width = settings.by.len();
    let shown: Vec<GroupKey> = all_keys
        .into_iter()
        .map(|(d, g)| if g.len() == width { (d, g) } else { (d, vec!["(all)".to_string(); width]) })
        .collect();
    results.push_metric(&shown, metric, estimates, definition);
    results.flag_rejected(metric, keys, &rejected_flags(df, metric)?);
    Ok(())
}

/// Sums a count of every group into one count per period.
fn counts_per_period(df: &DataFrame, keys: &[GroupKey], column: &str) -> Result<BTreeMap<GroupKey, u64>> {
    let values = crate::metrics::frame::counts(df, column)?;
    let mut out: BTreeMap<GroupKey, u64> = BTreeMap::new();
    for ((start, _), count) in keys.iter().zip(values) {
        *out.entry((*start, Vec::new())).or_default() += count;
    }
    Ok(out)
}
