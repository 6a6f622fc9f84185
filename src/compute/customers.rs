//! The customer metrics (retention, churn, clv) and the cohort matrix, from the
//! transactions summarised as [`CustomerData`]: the distinct customer-periods
//! (see [`customer_periods`]), the transactions per period and group, and the
//! money per group. The summary is built block by block ([`CustomerFold`]), from
//! the loader (streaming) or from the whole table (in memory), with the same result.

use super::Options;
use std::collections::BTreeMap;

use anyhow::{Result, bail};
use chrono::NaiveDate;
use polars::prelude::*;

use super::{GroupKey, Inputs, Record, Results};
use crate::input::parse::MONEY_UNITS;
use crate::input::{Dictionaries, Kind, Table, dimension_column};
use crate::metrics::clv::{self, Clv, ClvOptions};
use crate::metrics::cohorts::{self, Matrix};
use crate::metrics::customer_periods::{self, KeySet};
use crate::metrics::{Estimate, MetricId};
use crate::metrics::{activity, retention};
use crate::period::Period;

/// What the customer metrics need from the transactions.
#[derive(Debug)]
pub struct CustomerData {
    /// The distinct (group, customer, period) keys, sorted.
    keys: Vec<u64>,
    /// The `--by` dimension columns the groups are made of.
    dims: Vec<String>,
    /// The dimension codes of each group code.
    groups: Vec<Vec<u32>>,
    /// `period_start`, the dimension columns and `transactions.n`.
    transactions: DataFrame,
    /// Per (period running number, group code): the exact sums of `margin` and
    /// `revenue` in millionths (128 bits: sums of money never wrap), and the counts of
    /// transactions and of revenue values (see [`Sums`]).
    money: BTreeMap<(i32, u16), Sums>,
    /// The counts of the keys, worked out once (see [`CustomerData::key_counts`]).
    counts: std::sync::OnceLock<KeyCounts>,
}

/// What is counted from the keys alone: the retention counts of every group and
/// period, and the active customers per (group, period).
#[derive(Debug)]
struct KeyCounts {
    retention: Vec<customer_periods::PeriodCounts>,
    active: BTreeMap<(u16, i32), u64>,
}

/// The sums of one period and group, by slot: [`MARGIN`], [`REVENUE`] (money in
/// millionths), [`ROWS`] (transactions), [`REVENUE_REJECTED`] and [`REVENUE_JUDGED`]
/// (revenue values rejected, and present at all: valid or rejected).
pub type Sums = [i128; 5];

/// The slots of [`Sums`].
pub const MARGIN: usize = 0;
pub const REVENUE: usize = 1;
pub const ROWS: usize = 2;
pub const REVENUE_REJECTED: usize = 3;
pub const REVENUE_JUDGED: usize = 4;

/// Builds [`CustomerData`] from frames of transactions, one block at a time.
pub struct CustomerFold {
    dims: Vec<String>,
    keys: KeySet,
    groups: Vec<Vec<u32>>,
    group_codes: std::collections::HashMap<Vec<u32>, u16, foldhash::fast::RandomState>,
    /// With one `--by` column: the group code of each of its codes (`u32::MAX`: none yet).
    single: Vec<u32>,
    /// Money sums (with the transactions counted in them) keyed by period (high 32
    /// bits) and group code (low 16 bits), with the period's `period_start`.
    money: std::collections::HashMap<u64, (Sums, i32), foldhash::fast::RandomState>,
}

/// Groups by `keys`, or aggregates the whole frame when there are none.
fn aggregate(frame: LazyFrame, keys: &[Expr], aggregations: Vec<Expr>) -> LazyFrame {
    if keys.is_empty() { frame.select(aggregations) } else { frame.group_by(keys).agg(aggregations) }
}

fn columns(names: &[String]) -> Vec<Expr> {
    names.iter().map(|n| col(n.as_str())).collect()
}

impl CustomerFold {
    /// An empty fold for the `--by` dimensions.
    pub fn new(by: &[String]) -> Self {
        CustomerFold {
            dims: by.iter().map(|d| dimension_column(d)).collect(),
            keys: KeySet::default(),
            groups: Vec::new(),
            group_codes: Default::default(),
            single: Vec::new(),
            money: Default::default(),
        }
    }

    /// Adds the transactions of one frame (loader columns: `customer_id`,
    /// `period_index`, `period_start`, `by.<dim>`, `revenue`, `margin`).
    pub fn add(&mut self, frame: &DataFrame) -> Result<()> {
        let customers = frame.column("customer_id")?.u32()?;
        let periods = frame.column("period_index")?.i32()?;
        let starts = frame.column("period_start")?.to_physical_repr();
        let mut starts = starts.i32()?.iter();
        let dims = self.dims.iter().map(|d| frame.column(d)?.u32()).collect::<PolarsResult<Vec<_>>>()?;
        // Money columns that were not asked for count as 0.
        let amount = |name: &str| -> Box<dyn Iterator<Item = Option<i64>> + '_> {
            match frame.column(name).ok().and_then(|c| c.i64().ok()) {
                Some(values) => Box::new(values.iter()),
                None => Box::new(std::iter::repeat(None)),
            }
        };
        let (mut margins, mut revenues) = (amount(MONEY[0]), amount(MONEY[1]));
        // Rows whose revenue was rejected (the `rejected` flag of the revenue figures).
        let rejected_column = frame.column("revenue.rejected").ok().map(Column::as_materialized_series);
        let mut rejected: Box<dyn Iterator<Item = bool> + '_> = match rejected_column.and_then(|s| s.bool().ok()) {
            Some(values) => Box::new(values.iter().map(|v| v == Some(true))),
            None => Box::new(std::iter::repeat(false)),
        };
        let mut tuple = vec![0u32; dims.len()];
        // The dimension codes row by row (an iterator each: `get(row)` searches chunks).
        let mut dim_values: Vec<_> = dims.iter().map(|d| d.iter()).collect();
        let mut keys = Vec::with_capacity(frame.height());
        for (customer, period) in customers.iter().zip(periods.iter()) {
            let (margin, revenue) = (margins.next().flatten(), revenues.next().flatten());
            let revenue_rejected = rejected.next().unwrap_or(false);
            let start = starts.next().flatten().unwrap_or(0);
            for (slot, values) in tuple.iter_mut().zip(dim_values.iter_mut()) {
                *slot = values.next().flatten().unwrap_or(0);
            }
            let Some(period) = period else { continue };
            let group = self.group_code(&tuple)?;
            // Money is summed exactly in 128 bits, per period and group.
            let key = (u64::from(period as u32) << 16) | u64::from(group);
            let (sums, _) = self.money.entry(key).or_insert(([0; 5], start));
            sums[MARGIN] += i128::from(margin.unwrap_or(0));
            sums[REVENUE] += i128::from(revenue.unwrap_or(0));
            sums[ROWS] += 1;
            sums[REVENUE_REJECTED] += i128::from(revenue_rejected);
            sums[REVENUE_JUDGED] += i128::from(revenue_rejected || revenue.is_some());
            let Some(customer) = customer else { continue };
            match customer_periods::pack(group, customer, period) {
                Some(key) => keys.push(key),
                None => bail!("transactions: period {period} is too far from 1970 to count customers in"),
            }
        }
        self.keys.add(keys);
        Ok(())
    }

    fn group_code(&mut self, tuple: &[u32]) -> Result<u16> {
        // One --by column (the usual case): its code indexes the group codes directly.
        if let [value] = tuple
            && let Some(&code) = self.single.get(*value as usize).filter(|c| **c != u32::MAX)
        {
            return Ok(code as u16);
        }
        if let Some(&code) = self.group_codes.get(tuple) {
            return Ok(code);
        }
        let Ok(code) = u16::try_from(self.groups.len()) else {
            bail!("transactions: more than 65,536 distinct --by groups to count customers in")
        };
        self.groups.push(tuple.to_vec());
        self.group_codes.insert(tuple.to_vec(), code);
        if let [value] = tuple {
            let slot = *value as usize;
            if self.single.len() <= slot {
                self.single.resize(slot + 1, u32::MAX);
            }
            self.single[slot] = u32::from(code);
        }
        Ok(code)
    }

    /// The summary of every frame added.
    pub fn finish(mut self) -> Result<CustomerData> {
        let mut cells: Vec<((i32, u16), Sums, i32)> = std::mem::take(&mut self.money)
            .into_iter()
            .map(|(key, (sums, start))| (((key >> 16) as u32 as i32, key as u16), sums, start))
            .collect();
        cells.sort_unstable_by_key(|cell| cell.0);
        let transactions = self.transactions_frame(&cells)?;
        let money = cells.into_iter().map(|(key, sums, _)| (key, sums)).collect();
        let keys = self.keys.finish();
        Ok(CustomerData { keys, dims: self.dims, groups: self.groups, transactions, money, counts: Default::default() })
    }

    /// The transactions per period and group (`period_start`, the dimension columns,
    /// `transactions.n`), from the rows counted in the money sums: a period's running
    /// number has one `period_start`.
    fn transactions_frame(&self, cells: &[((i32, u16), Sums, i32)]) -> Result<DataFrame> {
        let starts: Vec<i32> = cells.iter().map(|c| c.2).collect();
        let mut columns = vec![Column::new("period_start".into(), starts).cast(&DataType::Date)?];
        for (d, name) in self.dims.iter().enumerate() {
            let codes: Vec<u32> = cells.iter().map(|((_, group), _, _)| self.groups[usize::from(*group)][d]).collect();
            columns.push(Column::new(name.as_str().into(), codes));
        }
        let counts: Vec<u64> = cells.iter().map(|c| c.1[ROWS] as u64).collect();
        columns.push(Column::new("transactions.n".into(), counts));
        Ok(DataFrame::new_infer_height(columns)?)
    }
}

/// The money columns summed per period and group (in this order in the sums).
const MONEY: [&str; 2] = ["margin", "revenue"];

/// Stacks partial sums and adds them up per key.
fn merge(frames: Vec<DataFrame>, keys: &[String], sums: &[&str]) -> Result<DataFrame> {
    let mut frames = frames.into_iter();
    let Some(mut all) = frames.next() else {
        let mut columns: Vec<Column> =
            keys.iter().map(|k| Column::new_empty(k.as_str().into(), &DataType::UInt32)).collect();
        columns.extend(sums.iter().map(|s| Column::new_empty((*s).into(), &DataType::Int64)));
        return Ok(DataFrame::new_infer_height(columns)?);
    };
    for next in frames {
        all.vstack_mut_owned(next)?;
    }
    let aggregations = sums.iter().map(|s| col(*s).sum().alias(*s)).collect();
    Ok(aggregate(all.lazy(), &columns(keys), aggregations).collect()?)
}

impl CustomerData {
    /// The same figures over all groups (for transactions without a `--by` column).
    pub fn without_groups(&self) -> Result<CustomerData> {
        Ok(CustomerData {
            keys: customer_periods::without_groups(&self.keys),
            dims: Vec::new(),
            groups: vec![Vec::new()],
            transactions: self.transactions_per_period()?,
            money: self.money.iter().fold(BTreeMap::new(), |mut all, (&(period, _), sums)| {
                let total: &mut Sums = all.entry((period, 0)).or_default();
                total.iter_mut().zip(sums).for_each(|(t, s)| *t += s);
                all
            }),
            counts: Default::default(),
        })
    }

    /// The counts of the keys, counted on first use (the report's retention and CLV
    /// both need them; they are counted while the interactions are aggregated).
    fn key_counts(&self) -> &KeyCounts {
        self.counts.get_or_init(|| {
            let (retention, active) = rayon::join(
                || customer_periods::retention_counts(&self.keys),
                || customer_periods::active_counts(&self.keys),
            );
            KeyCounts { retention, active }
        })
    }

    /// Counts the keys now (see [`CustomerData::key_counts`]).
    pub fn count_keys(&self) {
        self.key_counts();
    }

    /// The transactions per period and group: `period_start`, the dimension columns,
    /// `transactions.n`.
    pub fn transactions(&self) -> &DataFrame {
        &self.transactions
    }

    /// The transactions per period over all groups: `period_start`, `transactions.n`.
    pub fn transactions_per_period(&self) -> Result<DataFrame> {
        merge(vec![self.transactions.clone()], &["period_start".to_string()], &["transactions.n"])
    }

    /// The group values of a group code.
    fn group_values(&self, code: u16, dictionaries: &Dictionaries) -> Vec<String> {
        let codes = self.groups.get(usize::from(code)).map_or(&[][..], |g| &g[..]);
        self.dims.iter().zip(codes).map(|(d, &c)| dictionaries.value(d, c).to_string()).collect()
    }
}

/// Computes the wanted customer metrics into `results`.
pub fn compute(inputs: &Inputs, wanted: &[MetricId], settings: &Options, results: &mut Results) -> Result<()> {
    let (Some(table), Some(data)) = (inputs.tables.get(&Kind::Transactions), &inputs.customers) else {
        return Ok(());
    };
    let want = customer_metrics(wanted, settings, results);
    if want.is_empty() {
        return Ok(());
    }
    if want.contains(&MetricId::Clv) {
        let rows = clv_rows(table, data, settings, &inputs.dictionaries, results.as_of_of(Kind::Transactions));
        let suspect = clv_money_suspect(table, settings, &inputs.quality);
        push_clv_outcome(rows, suspect, settings, results);
    }
    let per_period: Vec<MetricId> = want.iter().copied().filter(|m| *m != MetricId::Clv).collect();
    let collapsed;
    let data = if per_period.is_empty() && !settings.cohorts || present_dims(table, &per_period, results) {
        data
    } else {
        collapsed = data.without_groups()?;
        &collapsed
    };
    let counts = retention_counts(data, settings.window.period, &inputs.dictionaries);
    push_retention(&counts, &want, settings, results);
    let activity: Vec<MetricId> = want.iter().copied().filter(|m| ACTIVITY.contains(m)).collect();
    if !activity.is_empty() {
        let cells = cell_counts(data, settings, &inputs.dictionaries);
        push_activity(&cells, table.has("revenue"), &activity, results);
    }
    if settings.cohorts && settings.window.period != Period::None {
        let complete = CompletePeriods::of(settings, results.as_of_of(Kind::Transactions));
        results.cohorts = Some(cohort_matrix(data, complete));
    }
    Ok(())
}

/// The counts of one period and group: its customer-period counts, and its sums of
/// money and rows ([`Sums`]).
#[derive(Debug, Clone, Copy)]
pub struct CellCounts {
    /// Active, kept and new customers.
    pub customers: customer_periods::Cell,
    /// Σ margin, Σ revenue (millionths), transactions, revenue values rejected and judged.
    pub money: Sums,
}

/// The transactions as the engines counted them (SPEC §13).
pub struct EngineCounts<'a> {
    /// The counts of each period and group with transactions, in order.
    pub cells: &'a [(GroupKey, CellCounts)],
    /// The `--by` columns the transactions lack (the cells are then over all groups).
    pub missing: &'a [String],
    /// Whether the transactions have a column.
    pub has: &'a dyn Fn(&str) -> bool,
    /// A column's rejected and valid values.
    pub values: &'a dyn Fn(&str) -> (u64, u64),
    /// The as-of date of the transactions.
    pub as_of: Option<NaiveDate>,
}

/// The wanted customer metrics from the engines' counts, as [`compute`] gives them from
/// the transactions: transactions, revenue and active customers per cell, retention and
/// churn from the customer-period counts, CLV from their totals over complete periods.
pub(crate) fn from_counts(engine: &EngineCounts, wanted: &[MetricId], settings: &Options, results: &mut Results) {
    let want = customer_metrics(wanted, settings, results);
    if want.is_empty() {
        return;
    }
    let period = settings.window.period;
    let cells = engine.cells;
    // Per group, the periods with active customers.
    let mut groups: BTreeMap<Vec<String>, BTreeMap<i32, customer_periods::Cell>> = BTreeMap::new();
    for ((start, group), c) in cells.iter().filter(|(_, c)| c.customers.active > 0) {
        groups.entry(group.clone()).or_default().insert(period.index(*start), c.customers);
    }
    let span = groups
        .values()
        .flat_map(|g| g.keys().copied())
        .fold(None, |span: Option<(i32, i32)>, p| Some(span.map_or((p, p), |(lo, hi)| (lo.min(p), hi.max(p)))));
    let groups: Vec<_> = groups.into_iter().collect();
    let mut counts: Vec<RetentionCounts> = customer_periods::retention_of_cells(&groups)
        .into_iter()
        .map(|(group, c)| RetentionCounts {
            key: (period.start_of_index(c.period), group),
            at_risk: c.at_risk,
            kept: c.kept,
            active: c.active,
            new: c.new,
        })
        .collect();
    counts.sort_by(|a, b| a.key.cmp(&b.key));
    if want.contains(&MetricId::Clv) {
        let complete = CompletePeriods::of(settings, engine.as_of);
        // Customers entering the group in a complete period are its distinct customers.
        let mut totals: BTreeMap<Vec<String>, GroupTotals> = BTreeMap::new();
        for ((_, group), c) in cells.iter().filter(|((start, _), _)| complete.contains(period.index(*start))) {
            let entry = totals.entry(group.clone()).or_default();
            entry.customers += c.customers.entered;
            entry.customer_periods += c.customers.active;
            entry.money[MARGIN] += c.money[MARGIN];
            entry.money[REVENUE] += c.money[REVENUE];
        }
        let source = ClvSource { totals, counts: &counts, span, missing: engine.missing, has: engine.has };
        let suspect = clv_suspect_of(engine.has, engine.values, settings);
        push_clv_outcome(clv_of(&source, settings, complete), suspect, settings, results);
    }
    let per_period: Vec<MetricId> = want.iter().copied().filter(|m| *m != MetricId::Clv).collect();
    if !engine.missing.is_empty() && !per_period.is_empty() {
        results.notes.push(over_all_groups(&per_period, engine.missing));
    }
    push_retention(&counts, &want, settings, results);
    let activity: Vec<MetricId> = want.iter().copied().filter(|m| ACTIVITY.contains(m)).collect();
    if !activity.is_empty() {
        push_activity(cells, (engine.has)("revenue"), &activity, results);
    }
}

/// Pushes the CLV rows, or the note that says why there are none; `suspect`: the note
/// that its money values are suspect (the figures are flagged `rejected`).
fn push_clv_outcome(
    rows: Result<(Vec<ClvRow>, Vec<String>)>,
    suspect: Option<String>,
    settings: &Options,
    results: &mut Results,
) {
    match rows {
        Ok((rows, _)) if rows.is_empty() => results.notes.push(
            "clv: not computed: no group has a complete period with active customers followed by another".to_string(),
        ),
        Ok((rows, notes)) => {
            results.notes.extend(notes);
            push_clv(results, rows, settings);
            if let Some(note) = suspect {
                results.notes.push(note);
                for record in results.records.iter_mut().filter(|r| r.metric == MetricId::Clv) {
                    record.flags.push(super::Flag::Rejected);
                }
            }
        }
        Err(err) => results.notes.push(format!("clv: not computed: {err}")),
    }
}

/// The wanted customer metrics that can be computed: without periods the activity
/// metrics only (retention needs two), with a note for each other.
fn customer_metrics(wanted: &[MetricId], settings: &Options, results: &mut Results) -> Vec<MetricId> {
    let want: Vec<MetricId> = [MetricId::Retention, MetricId::Churn, MetricId::Clv]
        .into_iter()
        .chain(ACTIVITY)
        .filter(|m| wanted.contains(m))
        .collect();
    if settings.window.period == Period::None { without_periods(want, results) } else { want }
}

/// The customer metrics computable without periods (activity), with a note for each
/// other: retention needs two periods.
fn without_periods(mut want: Vec<MetricId>, results: &mut Results) -> Vec<MetricId> {
    for metric in want.iter().filter(|m| !ACTIVITY.contains(m)) {
        results.notes.push(format!("{metric}: not computed: needs periods (a date column in the transactions, and --period month or another length)"));
    }
    want.retain(|m| ACTIVITY.contains(m));
    want
}

/// Pushes retention and churn, those in `want`, from the counts of each period k and group.
fn push_retention(counts: &[RetentionCounts], want: &[MetricId], settings: &Options, results: &mut Results) {
    let variant = settings.metrics.retention;
    if !want.contains(&MetricId::Retention) && !want.contains(&MetricId::Churn) {
        return;
    }
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

/// Whether a wanted metric is counted from the customers' keys (see
/// [`CustomerData::count_keys`]).
pub fn counts_keys(wanted: &[MetricId]) -> bool {
    [MetricId::Retention, MetricId::Churn, MetricId::Clv].iter().chain(&ACTIVITY).any(|m| wanted.contains(m))
}

/// The activity metrics (SPEC §11), counted per period and group.
const ACTIVITY: [MetricId; 4] =
    [MetricId::Transactions, MetricId::Revenue, MetricId::ActiveCustomers, MetricId::RevenuePerCustomer];

/// Pushes the wanted activity figures: transactions, revenue, active customers and
/// revenue per customer per period and group (see [`crate::metrics::activity`]), from
/// the counts of each period and group; `has_revenue`: the transactions have a revenue
/// column.
fn push_activity(cells: &[(GroupKey, CellCounts)], has_revenue: bool, want: &[MetricId], results: &mut Results) {
    let keys: Vec<GroupKey> = cells.iter().map(|(k, _)| k.clone()).collect();
    // A period and group without a valid revenue value has no revenue figure (not 0).
    let revenue_of = |c: &CellCounts| {
        let sums = &c.money;
        (sums[REVENUE_JUDGED] > sums[REVENUE_REJECTED]).then(|| sums[REVENUE] as f64 / MONEY_UNITS)
    };
    let rows_of = |c: &CellCounts| c.money[ROWS] as u64;
    for &metric in want {
        let (estimates, definition): (Vec<Estimate>, &str) = match metric {
            MetricId::Transactions => {
                (cells.iter().map(|(_, c)| activity::count(rows_of(c))).collect(), activity::TRANSACTIONS)
            }
            MetricId::ActiveCustomers => {
                (cells.iter().map(|(_, c)| activity::count(c.customers.active)).collect(), activity::ACTIVE_CUSTOMERS)
            }
            MetricId::Revenue if has_revenue => (
                cells
                    .iter()
                    .map(|(_, c)| revenue_of(c).map_or(Estimate::empty(0), |r| activity::revenue(r, rows_of(c))))
                    .collect(),
                activity::REVENUE,
            ),
            MetricId::RevenuePerCustomer if has_revenue => (
                cells
                    .iter()
                    .map(|(_, c)| {
                        revenue_of(c)
                            .map_or(Estimate::empty(0), |r| activity::revenue_per_customer(r, c.customers.active))
                    })
                    .collect(),
                activity::REVENUE_PER_CUSTOMER,
            ),
            _ => {
                results.notes.push(format!("{metric}: not computed: no revenue column in transactions"));
                continue;
            }
        };
        results.push_metric(&keys, metric, estimates, definition.to_string());
    }
    // A revenue figure with more than 5% of its revenue values rejected is suspect.
    let suspect: Vec<bool> = cells
        .iter()
        .map(|(_, c)| c.money[REVENUE_REJECTED] as f64 > super::REJECTED_SHARE * c.money[REVENUE_JUDGED] as f64)
        .collect();
    for metric in [MetricId::Revenue, MetricId::RevenuePerCustomer] {
        results.flag_rejected(metric, &keys, &suspect);
    }
}

/// The counts of every period and group of the transactions, in order (group values
/// `(all)` when not split by the `--by` columns).
fn cell_counts(data: &CustomerData, settings: &Options, dictionaries: &Dictionaries) -> Vec<(GroupKey, CellCounts)> {
    let period = settings.window.period;
    let active = &data.key_counts().active;
    let keys = data.money.keys().map(|&(index, group)| {
        let start = if period == Period::None { NaiveDate::default() } else { period.start_of_index(index) };
        (start, data.group_values(group, dictionaries))
    });
    let keys = widen(keys.collect(), settings.by.len());
    keys.into_iter()
        .zip(&data.money)
        .map(|(key, (&(index, group), sums))| {
            let active = active.get(&(group, index)).copied().unwrap_or(0);
            let customers = customer_periods::Cell { active, ..Default::default() };
            (key, CellCounts { customers, money: *sums })
        })
        .collect()
}

/// A money column's rejected and valid values over the whole run.
fn money_counts(column: &str, quality: &crate::input::DataQuality) -> (u64, u64) {
    let (mut rejected, mut valid) = (0u64, 0u64);
    for counts in quality.files.iter().filter(|f| f.kind == Kind::Transactions).filter_map(|f| f.fields.get(column)) {
        rejected += counts.rejected;
        valid += counts.valid;
    }
    (rejected, valid)
}

/// The note that more than 5% of a money column's values (`rejected` of `rejected` +
/// `valid`) were rejected.
fn suspect_values(column: &str, rejected: u64, valid: u64) -> Option<String> {
    (rejected as f64 > super::REJECTED_SHARE * (rejected + valid) as f64).then(|| {
        format!("{rejected} of {} {column} values were rejected: suspect data (see the hints)", rejected + valid)
    })
}

/// Whether the transactions have every `--by` dimension; a note when not (the
/// figures are then given over all groups).
fn present_dims(table: &Table, want: &[MetricId], results: &mut Results) -> bool {
    if table.missing_dims.is_empty() {
        return true;
    }
    results.notes.push(over_all_groups(want, &table.missing_dims));
    false
}

/// The note of customer metrics given over all groups: the transactions lack `missing`.
fn over_all_groups(want: &[MetricId], missing: &[String]) -> String {
    let names: Vec<String> = want.iter().map(|m| m.to_string()).collect();
    format!("{}: transactions have no {} column: given over all groups", names.join(", "), missing.join(", "))
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

/// Retention counts for every period k and group, sorted.
pub fn retention_counts(data: &CustomerData, period: Period, dictionaries: &Dictionaries) -> Vec<RetentionCounts> {
    let mut rows: Vec<RetentionCounts> = (data.key_counts().retention.iter().copied())
        .map(|c| RetentionCounts {
            key: (period.start_of_index(c.period), data.group_values(c.group, dictionaries)),
            at_risk: c.at_risk,
            kept: c.kept,
            active: c.active,
            new: c.new,
        })
        .collect();
    rows.sort_by(|a, b| a.key.cmp(&b.key));
    rows
}

/// The margin: the `margin` column, else `revenue` times `margin_rate` (applied to
/// the sums, so that row-by-row and compacted tables give the same figure).
fn margin_source(has: &dyn Fn(&str) -> bool, options: &ClvOptions) -> Result<(&'static str, f64)> {
    if has("margin") {
        return Ok(("margin", 1.0));
    }
    match (options.margin_rate, has("revenue")) {
        (Some(rate), true) => Ok(("revenue", rate)),
        (Some(_), false) => bail!("no margin or revenue column in transactions"),
        (None, _) => bail!(
            "no margin column in transactions (set [metrics.clv] margin_rate or --margin-rate to use revenue × rate)"
        ),
    }
}

/// The complete periods of the transactions, as running numbers (inclusive): from the
/// first one `--from` does not cut, to the last one over at `as_of` and not cut by
/// `--to`. `None` at an end means unbounded. CLV and the cohort matrix count only these
/// (SPEC §9.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CompletePeriods {
    /// The first complete period.
    pub first: Option<i32>,
    /// The last complete period.
    pub last: Option<i32>,
}

impl CompletePeriods {
    /// The complete periods for these settings and as-of.
    pub fn of(settings: &Options, as_of: Option<NaiveDate>) -> Self {
        let period = settings.window.period;
        let first = settings.window.from.map(|from| period.index(from) + i32::from(period.start(from) < from));
        let limit = match (as_of, settings.window.to) {
            (Some(a), Some(t)) => Some(a.min(t)),
            (a, t) => a.or(t),
        };
        CompletePeriods { first, last: limit.map(|l| period.last_complete(l)) }
    }

    /// Returns true if and only if period `index` is complete.
    pub fn contains(self, index: i32) -> bool {
        self.first.is_none_or(|f| index >= f) && self.last.is_none_or(|l| index <= l)
    }
}

/// The note said when CLV leaves periods out: the cut first one, and those after the
/// last complete one.
pub fn partial_clv_note(settings: &Options, span: Option<(i32, i32)>, complete: CompletePeriods) -> Option<String> {
    let period = settings.window.period;
    let (earliest, latest) = span?;
    let label = |i: i32| period.label(period.start_of_index(i));
    let mut left_out = Vec::new();
    if let Some(first) = complete.first.filter(|f| earliest < *f) {
        left_out.push(format!("{} (cut by --from)", label(first - 1)));
    }
    if let Some(last) = complete.last.filter(|l| latest > *l) {
        let span = if latest > last + 1 { format!("{} to {}", label(last + 1), label(latest)) } else { label(latest) };
        left_out.push(format!("{span} (not complete at as-of or cut by --to)"));
    }
    (!left_out.is_empty())
        .then(|| format!("clv: r and m pooled over complete periods only; left out: {}", left_out.join(", ")))
}

/// One CLV row: the group values, the figure with its parameters, and n (Σ at risk).
pub type ClvRow = (Vec<String>, Clv, u64);

/// CLV rows as `servq clv` and the report show them: per `--by` group (over all groups,
/// with `(all)` as the group values and a note, when the transactions lack a `--by`
/// column), r and m pooled over complete periods (a note says when a partial last
/// period is left out). Returns the rows and the notes.
pub fn clv_rows(
    table: &Table,
    data: &CustomerData,
    settings: &Options,
    dictionaries: &Dictionaries,
    as_of: Option<NaiveDate>,
) -> Result<(Vec<ClvRow>, Vec<String>)> {
    let collapsed;
    let data = if table.missing_dims.is_empty() {
        data
    } else {
        collapsed = data.without_groups()?;
        &collapsed
    };
    let counts = retention_counts(data, settings.window.period, dictionaries);
    let complete = CompletePeriods::of(settings, as_of);
    let mut totals: BTreeMap<Vec<String>, GroupTotals> = BTreeMap::new();
    for (code, (customers, customer_periods)) in customer_periods::group_counts(&data.keys, |p| complete.contains(p)) {
        let entry = totals.entry(data.group_values(code, dictionaries)).or_default();
        (entry.customers, entry.customer_periods) = (customers, customer_periods);
    }
    for (&(_, group), sums) in data.money.iter().filter(|((index, _), _)| complete.contains(*index)) {
        let entry = totals.entry(data.group_values(group, dictionaries)).or_default();
        entry.money[MARGIN] += sums[MARGIN];
        entry.money[REVENUE] += sums[REVENUE];
    }
    let periods = data.keys.iter().map(|&k| customer_periods::period_of(k));
    let span = periods.clone().min().zip(periods.max());
    let source = ClvSource { totals, counts: &counts, span, missing: &table.missing_dims, has: &|f| table.has(f) };
    clv_of(&source, settings, complete)
}

/// What CLV is computed from: per group, over the complete periods, the distinct
/// customers, their customer-periods and the sums of money; the retention counts of
/// every period; the first and last period with a customer; the `--by` columns the
/// transactions lack; which columns they have.
pub struct ClvSource<'a> {
    pub totals: BTreeMap<Vec<String>, GroupTotals>,
    pub counts: &'a [RetentionCounts],
    pub span: Option<(i32, i32)>,
    pub missing: &'a [String],
    pub has: &'a dyn Fn(&str) -> bool,
}

/// One group's totals over the complete periods.
#[derive(Debug, Clone, Copy, Default)]
pub struct GroupTotals {
    /// Distinct customers.
    pub customers: u64,
    /// Distinct customer-periods.
    pub customer_periods: u64,
    /// Σ margin and Σ revenue in millionths (the [`MARGIN`] and [`REVENUE`] slots).
    pub money: Sums,
}

/// CLV rows and notes from their source (see [`clv_rows`]).
pub fn clv_of(source: &ClvSource, settings: &Options, complete: CompletePeriods) -> Result<(Vec<ClvRow>, Vec<String>)> {
    let mut notes = Vec::new();
    if !source.missing.is_empty() {
        notes.push(format!("clv: transactions have no {} column: given over all groups", source.missing.join(", ")));
    }
    let rows = clv_by_group(source, settings, complete)?;
    if !rows.is_empty() {
        notes.extend(partial_clv_note(settings, source.span, complete));
    }
    let width = settings.by.len();
    let rows = rows
        .into_iter()
        .map(|(g, c, n)| (if g.len() == width { g } else { vec!["(all)".to_string(); width] }, c, n))
        .collect();
    Ok((rows, notes))
}

/// When more than 5% of the money values CLV's m is built from (margin, or revenue
/// with a margin rate) were rejected, the note that says so: the figure is suspect
/// data (flag `rejected`; `check` fails it unless `allow_rejected`).
pub fn clv_money_suspect(table: &Table, settings: &Options, quality: &crate::input::DataQuality) -> Option<String> {
    clv_suspect_of(&|f| table.has(f), &|column| money_counts(column, quality), settings)
}

/// [`clv_money_suspect`] from counts of rejected and valid values per money column.
fn clv_suspect_of(
    has: &dyn Fn(&str) -> bool,
    values: &dyn Fn(&str) -> (u64, u64),
    settings: &Options,
) -> Option<String> {
    if settings.metrics.clv.margin.is_some() {
        return None;
    }
    let (column, _) = margin_source(has, &settings.metrics.clv).ok()?;
    let (rejected, valid) = values(column);
    suspect_values(column, rejected, valid).map(|note| format!("clv: {note}"))
}

/// CLV per group, with every parameter used, and the pooled at-risk count: r and m are
/// pooled over the `complete` periods (r over the periods k with k − 1 complete too).
fn clv_by_group(source: &ClvSource, settings: &Options, complete: CompletePeriods) -> Result<Vec<ClvRow>> {
    let options = &settings.metrics.clv;
    let period = settings.window.period;
    let judged = |start: NaiveDate| {
        let k = period.index(start);
        complete.contains(k) && complete.contains(k - 1)
    };
    let mut pooled: BTreeMap<Vec<String>, (u64, u64)> = BTreeMap::new();
    for c in source.counts.iter().filter(|c| judged(c.key.0)) {
        let entry = pooled.entry(c.key.1.clone()).or_default();
        entry.0 += c.kept;
        entry.1 += c.at_risk;
    }
    // The margin: Σ margin, else margin_rate × Σ revenue (summed exactly, then scaled).
    let margin = if options.margin.is_some() { None } else { Some(margin_source(source.has, options)?) };
    let per_year = period.per_year();
    let mut out = Vec::new();
    for (group, totals) in source.totals.iter().filter(|(_, t)| t.customers > 0) {
        let (kept, at_risk) = pooled.get(group).copied().unwrap_or((0, 0));
        if at_risk == 0 && options.retention.is_none() {
            continue;
        }
        let r = if at_risk > 0 { kept as f64 / at_risk as f64 } else { 0.0 };
        let total = margin.map_or(0.0, |(column, rate)| {
            let slot = if column == "margin" { MARGIN } else { REVENUE };
            totals.money[slot] as f64 / MONEY_UNITS * rate
        });
        let m = total / totals.customer_periods.max(1) as f64;
        let value = clv::clv(totals.customers, m, r, per_year, options);
        if !value.clv.is_finite() {
            bail!(
                "clv: retention r = {} ≥ 1 + d = {} with an infinite horizon makes CLV infinite; set [metrics.clv] horizon or a discount rate above 0",
                value.r,
                1.0 + value.d
            );
        }
        out.push((group.clone(), value, at_risk));
    }
    Ok(out)
}

fn push_clv(results: &mut Results, rows: Vec<ClvRow>, settings: &Options) {
    results.definitions.push((MetricId::Clv, clv::definition(&settings.metrics.clv)));
    results.clv_rows = rows.clone();
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

/// The cohort matrix of all customers in the transactions.
///
/// Complete periods only (SPEC §9.1): a cohort in a period cut by `--from`, and a cell
/// in a period not over at as-of or cut by `--to`, are left out of the matrix and the
/// summary; `CompletePeriods { first: None, last: None }` keeps every period in the
/// data (`--include-partial`).
pub fn cohort_matrix(data: &CustomerData, complete: CompletePeriods) -> Matrix {
    matrix_of(customer_periods::cohort_counts(&data.keys), complete)
}

/// The cohort matrix of these counts, of complete periods only (see [`cohort_matrix`]).
pub fn matrix_of(counts: customer_periods::CohortCounts, complete: CompletePeriods) -> Matrix {
    let last = complete.last.map_or(counts.last, |l| l.min(counts.last));
    let sizes: Vec<(i32, u64)> =
        counts.sizes.into_iter().filter(|(c, _)| complete.first.is_none_or(|f| *c >= f)).collect();
    cohorts::matrix(&sizes, &counts.cells, last)
}
