//! The customer metrics (retention, churn, clv) from the transactions table: the
//! distinct customer-periods feed retention by period and the pooled CLV inputs.

use std::collections::BTreeMap;

use anyhow::{Result, bail};
use polars::prelude::*;

use super::{GroupKey, Inputs, Record, Results};
use crate::config::Settings;
use crate::input::{Dictionaries, Kind, Table, dimension_column};
use crate::metrics::clv::{self, Clv, ClvOptions};
use crate::metrics::cohorts::{self, Matrix};
use crate::metrics::frame::{counts, floats, integers};
use crate::metrics::retention::{self, RetentionVariant};
use crate::metrics::{Estimate, MetricId};
use crate::period::Period;

/// Computes the wanted customer metrics into `results`.
pub fn compute(inputs: &Inputs, wanted: &[MetricId], settings: &Settings, results: &mut Results) -> Result<()> {
    let Some(table) = inputs.tables.get(&Kind::Transactions) else { return Ok(()) };
    let want: Vec<MetricId> =
        [MetricId::Retention, MetricId::Churn, MetricId::Clv].into_iter().filter(|m| wanted.contains(m)).collect();
    if want.is_empty() {
        return Ok(());
    }
    if settings.window.period == Period::None {
        for metric in &want {
            results.notes.push(format!("{metric}: not computed: needs periods (use --period month or another length)"));
        }
        return Ok(());
    }
    let by = present_dims(table, &settings.by, &want, results);
    let counts = retention_counts(table, &by, settings.window.period, &inputs.dictionaries)?;
    let variant = settings.metrics.retention;
    if want.contains(&MetricId::Retention) || want.contains(&MetricId::Churn) {
        let estimates: Vec<Estimate> =
            counts.iter().map(|c| retention::retention(c.kept, c.at_risk, c.active, c.new, variant)).collect();
        let keys: Vec<GroupKey> = counts.iter().map(|c| c.key.clone()).collect();
        let keys = widen(keys, settings.by.len());
        if want.contains(&MetricId::Retention) {
            results.push_metric(&keys, MetricId::Retention, estimates.clone(), retention::definition(variant));
        }
        if want.contains(&MetricId::Churn) {
            let churn = estimates.iter().map(retention::churn).collect();
            results.push_metric(&keys, MetricId::Churn, churn, retention::definition(variant));
        }
    }
    if settings.cohorts {
        results.cohorts = Some(cohort_matrix(table)?);
    }
    if want.contains(&MetricId::Clv) {
        match clv_by_group(table, &by, &counts, settings, &inputs.dictionaries) {
            Ok(rows) => push_clv(results, rows, settings),
            Err(err) => results.notes.push(format!("clv: not computed: {err}")),
        }
    }
    Ok(())
}

/// The `--by` dimensions the transactions have; a note for the others.
fn present_dims(table: &Table, by: &[String], want: &[MetricId], results: &mut Results) -> Vec<String> {
    if table.missing_dims.is_empty() {
        return by.to_vec();
    }
    let names: Vec<String> = want.iter().map(|m| m.to_string()).collect();
    results.notes.push(format!(
        "{}: transactions have no {} column: given over all groups",
        names.join(", "),
        table.missing_dims.join(", ")
    ));
    Vec::new()
}

/// Pads group values with `(all)` when the figures are not split by the `--by` columns.
fn widen(keys: Vec<GroupKey>, width: usize) -> Vec<GroupKey> {
    keys.into_iter()
        .map(|(d, g)| if g.len() == width { (d, g) } else { (d, vec!["(all)".to_string(); width]) })
        .collect()
}

/// The retention counts of one period and group.
#[derive(Debug, Clone)]
pub struct RetentionCounts {
    /// The period start and group values.
    pub key: GroupKey,
    /// Active in k−1.
    pub at_risk: u64,
    /// Active in k−1 and k.
    pub kept: u64,
    /// Active in k.
    pub active: u64,
    /// First-ever transaction in k.
    pub new: u64,
}

fn dim_columns(by: &[String]) -> Vec<String> {
    by.iter().map(|d| dimension_column(d)).collect()
}

/// Reads group values (dictionary codes) of an aggregated frame.
fn read_groups(df: &DataFrame, by: &[String], dictionaries: &Dictionaries) -> Result<Vec<Vec<String>>> {
    let mut columns = Vec::new();
    for column in dim_columns(by) {
        let codes = integers(df, &column)?;
        columns.push((column, codes));
    }
    Ok((0..df.height())
        .map(|row| {
            columns
                .iter()
                .map(|(c, codes)| codes[row].map_or(String::new(), |v| dictionaries.value(c, v as u32).to_string()))
                .collect()
        })
        .collect())
}

/// Retention counts for every period k and group, sorted.
pub fn retention_counts(
    table: &Table,
    by: &[String],
    period: Period,
    dictionaries: &Dictionaries,
) -> Result<Vec<RetentionCounts>> {
    let columns = dim_columns(by);
    // Materialised once: the retention plan uses the active set five times.
    let active = retention::active(table.frame.clone().lazy(), &columns)?.collect()?.lazy();
    let df = retention::counts_by_period(active, &columns).collect()?;
    let index = integers(&df, "period_index")?;
    let groups = read_groups(&df, by, dictionaries)?;
    let (at_risk, kept) = (counts(&df, "retention.at_risk")?, counts(&df, "retention.kept")?);
    let (active, new) = (counts(&df, "retention.active")?, counts(&df, "retention.new")?);
    let mut rows: Vec<RetentionCounts> = (0..df.height())
        .map(|i| RetentionCounts {
            key: (period.start_of_index(index[i].unwrap_or(0) as i32), groups[i].clone()),
            at_risk: at_risk[i],
            kept: kept[i],
            active: active[i],
            new: new[i],
        })
        .collect();
    rows.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(rows)
}

/// The margin: the `margin` column, else `revenue` times `margin_rate` (applied to
/// the sums, so that row-by-row and compacted tables give the same figure).
fn margin_source(table: &Table, options: &ClvOptions) -> Result<(Expr, f64)> {
    if table.has("margin") {
        return Ok((col("margin"), 1.0));
    }
    match (options.margin_rate, table.has("revenue")) {
        (Some(rate), true) => Ok((col("revenue"), rate)),
        (Some(_), false) => bail!("no margin or revenue column in transactions"),
        (None, _) => bail!(
            "no margin column in transactions (set [metrics.clv] margin_rate or --margin-rate to use revenue × rate)"
        ),
    }
}

/// CLV per group, with every parameter used, and the pooled at-risk count.
pub fn clv_by_group(
    table: &Table,
    by: &[String],
    counts_by_period: &[RetentionCounts],
    settings: &Settings,
    dictionaries: &Dictionaries,
) -> Result<Vec<(Vec<String>, Clv, u64)>> {
    let options = &settings.metrics.clv;
    let mut pooled: BTreeMap<Vec<String>, (u64, u64)> = BTreeMap::new();
    for c in counts_by_period {
        let entry = pooled.entry(c.key.1.clone()).or_default();
        entry.0 += c.kept;
        entry.1 += c.at_risk;
    }
    let (margin, rate) = if options.margin.is_some() { (lit(0.0), 1.0) } else { margin_source(table, options)? };
    // A constant column keeps one code path (and a join key) when there are no groups.
    let mut columns = vec!["clv.all".to_string()];
    columns.extend(dim_columns(by));
    let keys: Vec<Expr> = columns.iter().map(|c| col(c.as_str())).collect();
    let frame = table.frame.clone().lazy().with_column(lit(0u32).alias("clv.all"));
    let active = retention::active(frame.clone(), &columns)?.collect()?.lazy();
    let per_group = active
        .group_by(keys.clone())
        .agg([
            len().cast(DataType::UInt64).alias("clv.customer_periods"),
            col("customer_id").n_unique().cast(DataType::UInt64).alias("clv.customers"),
        ])
        .join(clv::margin_sums(frame, &keys, margin, rate), &keys, &keys, JoinArgs::new(JoinType::Left))
        .collect()?;
    let groups = read_groups(&per_group, by, dictionaries)?;
    let customer_periods = counts(&per_group, "clv.customer_periods")?;
    let customers = counts(&per_group, "clv.customers")?;
    let margins = floats(&per_group, "clv.margin")?;
    let per_year = settings.window.period.per_year();
    let mut out = Vec::new();
    for (i, group) in groups.into_iter().enumerate() {
        let (kept, at_risk) = pooled.get(&group).copied().unwrap_or((0, 0));
        if at_risk == 0 && options.retention.is_none() {
            continue;
        }
        let r = if at_risk > 0 { kept as f64 / at_risk as f64 } else { 0.0 };
        let m = margins[i].unwrap_or(0.0) / customer_periods[i].max(1) as f64;
        out.push((group, clv::clv(customers[i], m, r, per_year, options), at_risk));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

fn push_clv(results: &mut Results, rows: Vec<(Vec<String>, Clv, u64)>, settings: &Settings) {
    results.definitions.push((MetricId::Clv, clv::definition(&settings.metrics.clv)));
    let width = settings.by.len();
    for (groups, c, at_risk) in rows {
        let groups = if groups.len() == width { groups } else { vec!["(all)".to_string(); width] };
        results.records.push(Record {
            period_start: results.range.map_or_else(Default::default, |r| r.0),
            groups,
            metric: MetricId::Clv,
            estimate: Estimate {
                value: Some(c.clv),
                n: at_risk,
                ci: None,
                details: vec![
                    ("customers", c.customers as f64),
                    ("m", c.m),
                    ("r", c.r),
                    ("d", c.d),
                    ("margin_multiple", c.margin_multiple),
                ],
            },
            flags: Vec::new(),
            whole_window: true,
        });
    }
}

/// The cohort matrix of all customers in the transactions table.
pub fn cohort_matrix(table: &Table) -> Result<Matrix> {
    let active = retention::active(table.frame.clone().lazy(), &[])?;
    let size_frame = cohorts::sizes(active.clone()).collect()?;
    let sizes: Vec<(i32, u64)> = integers(&size_frame, "cohort_index")?
        .into_iter()
        .zip(counts(&size_frame, "cohort.customers")?)
        .map(|(c, n)| (c.unwrap_or(0) as i32, n))
        .collect();
    let active_frame = cohorts::active_counts(active).collect()?;
    let (cohort, offset) = (integers(&active_frame, "cohort_index")?, integers(&active_frame, "offset")?);
    let n = counts(&active_frame, "cohort.active")?;
    let cells: Vec<(i32, i32, u64)> =
        (0..n.len()).map(|i| (cohort[i].unwrap_or(0) as i32, offset[i].unwrap_or(0) as i32, n[i])).collect();
    let last_index = cells.iter().map(|(c, j, _)| c + j).max().unwrap_or(0);
    Ok(cohorts::matrix(&sizes, &cells, last_index))
}

/// The retention variant's name for output.
pub fn variant_name(variant: RetentionVariant) -> &'static str {
    match variant {
        RetentionVariant::Classic => "classic",
        RetentionVariant::Crr => "crr",
    }
}
