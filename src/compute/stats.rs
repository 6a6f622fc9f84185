//! `report --stats` and `check --stats` (SPEC §13): the figures from the sufficient
//! statistics an SQL engine computed with the script of `servq sql`, through the same
//! estimate functions as a run on the files.
//!
//! The statistics table (CSV with a header, or Parquet) has the columns `kind`,
//! `period_start`, one column per `--by` column, `stat` and `value` (a whole number):
//! - rows with a `period_start` are the aggregations of one input's period and group,
//!   named as the metrics name them (`csat.n`, `csat.good`, `nps.promoters`, …,
//!   `rejected.csat.rows`, `rejected.csat.judged`; with survey weights their weighted
//!   twins `csat.n@w`, …, as `Rows::Sampled` names them, in whole steps of 2^k with k
//!   the surveys' `weight.unit`); of kind `employees`, the hires and
//!   leaves of the day given as `period_start` (`employees.hired`, `employees.left`);
//! - rows without one are the input's data-quality counts (`rows.read`, `rows.used`,
//!   `rows.rejected`, `rows.rejected.<reason>`, `rows.outside`, `values.rejected.<field>`,
//!   `values.missing.<field>`, `employees.left_out`) and dates (`date.latest`, `date.first`, `date.last`, in
//!   days since 1970-01-01);
//! - rows of kind `meta` say how they were computed (`period.<name>`, `window.from`,
//!   `window.to`, `undated` when no file had a date column, and `settings`: see
//!   [`fingerprint`]).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use anyhow::{Context as _, Result, bail};
use chrono::NaiveDate;
use polars::prelude::*;

use super::customers::{
    CellCounts, EngineCounts, MARGIN, REVENUE, REVENUE_JUDGED, REVENUE_REJECTED, ROWS, Sums, from_counts,
};
use super::interactions::TransactionCounts;
use super::surveys::{Aggregated, push_figures, survey_kpis};
use super::{GroupKey, Options, Results, StatsSource};
use crate::input::Kind;
use crate::metrics::MetricId;
use crate::metrics::customer_periods::{self, Cell};
use crate::metrics::interaction::Context;
use crate::metrics::registry::Family;

/// A statistic's value: a whole number (counts, exact sums), or a duration as written
/// in its column (the order statistics `<duration>.<quantile>.lower` and `.upper`).
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Whole(i128),
    Written(String),
}

/// Whether a statistic is an order statistic (its value a duration as written).
fn is_order_statistic(stat: &str) -> bool {
    stat.ends_with(".lower") || stat.ends_with(".upper")
}

/// One input's statistics.
#[derive(Debug, Default)]
struct Input {
    /// Per period and group: statistic → value.
    cells: BTreeMap<GroupKey, BTreeMap<String, Value>>,
    /// The data-quality counts and dates.
    quality: BTreeMap<String, i64>,
    /// The distinct values of key columns (`values.seen.<key>`, joined by U+001F).
    seen: BTreeMap<String, Vec<String>>,
    /// The active customers per (cohort start, period start) over all groups
    /// (`cohort.<days of the cohort's start>` of a period).
    cohorts: BTreeMap<(NaiveDate, NaiveDate), u64>,
}

/// The statistics file, read.
#[derive(Debug, Default)]
struct Stats {
    inputs: BTreeMap<Kind, Input>,
    meta: BTreeMap<String, i64>,
}

/// Computes the wanted metrics from the statistics of `source`: a file (`-`: stdin), or
/// an engine's client running the script of `servq sql`.
pub fn run(settings: &Options, source: &StatsSource) -> Result<Results> {
    let (rows, name, script_notes) = match source {
        StatsSource::File(path) => {
            let name = if path.as_os_str() == "-" { "standard input".to_string() } else { path.display().to_string() };
            let rows = read_rows(path).with_context(|| format!("{name}: cannot read the statistics"))?;
            (rows, name, Vec::new())
        }
        StatsSource::Computed(compute) => {
            let (csv, name, notes) = compute(settings)?;
            (csv_rows(&csv).with_context(|| format!("{name}: cannot read them"))?, name, notes)
        }
    };
    let stats = parse(rows, &settings.by, &name)?;
    check_shares(&stats, &name)?;
    // Statistics of files without dates are one period, as a run on them would be.
    let mut undated = None;
    if stats.meta.contains_key("undated") && settings.window.period != crate::period::Period::None {
        let mut one = settings.clone();
        one.window.period = crate::period::Period::None;
        undated = Some(one);
    }
    let note = undated.as_ref().map(|_| super::undated_note(settings.window.period));
    let settings = undated.as_ref().unwrap_or(settings);
    check_meta(&stats.meta, settings, &name)?;
    check_customers(&stats, settings.window.period, &name)?;
    let mut results = Results::empty(settings);
    results.notes.extend(script_notes);
    results.notes.extend(note);
    let wanted = super::wanted(settings);
    for (kind, input) in &stats.inputs {
        let date = |stat: &str| input.quality.get(stat).map(|&d| crate::period::from_epoch_days(d as i32));
        if let Some(latest) = settings.as_of.or(date("date.latest")) {
            results.as_of_by_kind.insert(*kind, latest);
        }
        if let (Some(first), Some(last)) = (date("date.first"), date("date.last")) {
            results.range_by_kind.insert(*kind, (first, last));
        }
        // With the data-quality summary (so --quiet drops it, as on the files).
        results.quality.notes.push(quality_note(*kind, input, &name));
    }
    // Not the employees' latest hire (see compute::run).
    let others = results.as_of_by_kind.iter().filter(|(k, _)| **k != Kind::Employees);
    results.as_of = settings.as_of.or(others.map(|(_, d)| *d).max());
    results.range = results
        .range_by_kind
        .iter()
        .filter(|(k, _)| **k != Kind::Employees)
        .map(|(_, r)| *r)
        .reduce(|a, b| (a.0.min(b.0), a.1.max(b.1)));
    for metric in &wanted {
        let has = stats.inputs.get(&metric.input()).is_some_and(|i| i.cells.values().any(|c| has_stats(c, *metric)));
        if !has && settings.selected.is_some() {
            results.notes.push(format!("{metric}: not computed: no statistics for it in {name}"));
        }
    }
    let transactions = stats.inputs.get(&Kind::Transactions);
    if let Some(input) = stats.inputs.get(&Kind::Interactions) {
        interactions(input, transactions, &wanted, settings, &mut results)?;
    }
    if let Some(input) = transactions {
        customers(input, &wanted, settings, &mut results);
        if settings.cohorts && settings.window.period != crate::period::Period::None && !input.cohorts.is_empty() {
            let period = settings.window.period;
            let active: Vec<(i32, i32, u64)> =
                input.cohorts.iter().map(|((c, p), n)| (period.index(*c), period.index(*p), *n)).collect();
            let complete = if settings.cohorts_partial {
                super::customers::CompletePeriods { first: None, last: None }
            } else {
                super::customers::CompletePeriods::of(settings, results.as_of_of(Kind::Transactions))
            };
            results.cohorts = Some(super::customers::matrix_of(customer_periods::cohort_counts_of(&active), complete));
        }
    }
    if let Some(input) = stats.inputs.get(&Kind::Employees) {
        let names: Vec<String> =
            wanted.iter().filter(|m| m.input() == Kind::Employees).map(|m| m.to_string()).collect();
        absent_note(input, Kind::Employees, &names, settings, &mut results);
        let quality = |stat: &str| input.quality.get(stat).map_or(0, |&n| n.max(0) as u64);
        let rows = (quality("employees.left_out"), quality("rows.used"));
        super::employees::compute_groups(&employee_events(input), rows, &wanted, settings, &mut results);
    }
    for (kind, input) in &stats.inputs {
        let mut kpis: Vec<_> = survey_kpis(&wanted)
            .into_iter()
            .filter(|(m, _)| m.input() == *kind && input.cells.values().any(|c| has_stats(c, *m)))
            .collect();
        // Not computed under these options (a mean of good/bad answers), as on the files.
        kpis.retain(|(metric, kpi)| match kpi.not_computed(&settings.metrics) {
            Some(why) => {
                results.notes.push(format!("{metric}: not computed: {why}"));
                false
            }
            None => true,
        });
        if kpis.is_empty() {
            continue;
        }
        let names: Vec<String> = kpis.iter().map(|(m, _)| m.to_string()).collect();
        absent_note(input, *kind, &names, settings, &mut results);
        let keys: Vec<GroupKey> = input.cells.keys().cloned().collect();
        let df = frame(input, &settings.metrics)?;
        // Weighted by the surveys' weights (SPEC §14): the step of their whole numbers.
        let unit = input.quality.get("weight.unit").map(|&k| super::weights::Unit(k as i32));
        if let Some(unit) = unit.filter(|u| !(-1124..=973).contains(&u.0)) {
            bail!("{name}: weight.unit {} is no step of survey weights (2^k for k from -1124 to 973)", unit.0);
        }
        let mut columns: Vec<&str> = kpis.iter().filter(|(_, k)| k.weighted()).map(|(_, k)| k.column()).collect();
        columns.dedup();
        for column in columns.iter().filter(|_| unit.is_some()) {
            if df.column(&crate::input::compact::weighted_name(&format!("{column}.n"))).is_ok() {
                super::weights::notes(&df, column, unit.unwrap_or(super::weights::Unit(0)), &mut results)?;
            }
        }
        let aggregated = Aggregated {
            kind: *kind,
            df: &df,
            keys: &keys,
            dated: results.range_by_kind.contains_key(kind),
            weighted: unit.is_some(),
            unit: unit.unwrap_or(super::weights::Unit(0)),
        };
        push_figures(&aggregated, &kpis, settings, &mut results)?;
    }
    super::finish(&mut results);
    Ok(results)
}

/// Whether a cell has the statistics of `metric` (its column's count, or the first of
/// an interaction KPI's statistics).
fn has_stats(cell: &BTreeMap<String, Value>, metric: MetricId) -> bool {
    let options = crate::metrics::MetricSettings::default();
    let has = |_: &str| true;
    match metric.def().family {
        Family::Survey(kpi) => cell.contains_key(&kpi.sql_count(&options)),
        Family::Interaction(kpi) => kpi
            .sql(&Context::without_rows(&has, &options))
            .and_then(|stats| stats.first().map(|s| cell.contains_key(&s.name)))
            .unwrap_or(false),
        // The last: `customers.active` when the metric reads the customer-periods.
        Family::Customer(_) => customer_periods::sql_stats(metric)
            .and_then(|stats| stats.last().map(|s| cell.contains_key(&s.name)))
            .unwrap_or(false),
        Family::Employee(_) => cell.contains_key("employees.hired"),
    }
}

/// The note of the `--by` columns no file or table of the input has (`by.absent.*`),
/// as a run on the files says it.
fn absent_note(input: &Input, kind: Kind, metrics: &[String], settings: &Options, results: &mut Results) {
    let missing: Vec<String> =
        settings.by.iter().filter(|d| input.quality.contains_key(&format!("by.absent.{d}"))).cloned().collect();
    if !missing.is_empty() && !metrics.is_empty() {
        results.notes.push(super::dims_note(metrics, kind, &missing));
    }
}

/// Each group's hires and leaves per day (`employees.hired`, `employees.left` of the
/// day given as `period_start`).
fn employee_events(input: &Input) -> super::employees::Groups {
    let mut groups: BTreeMap<Vec<String>, crate::metrics::employees::Events> = BTreeMap::new();
    for ((day, dims), cell) in &input.cells {
        let events = groups.entry(dims.clone()).or_default();
        let day = crate::period::epoch_days(*day);
        for (stat, days) in [("employees.hired", &mut events.hires), ("employees.left", &mut events.leaves)] {
            if let Some(Value::Whole(n)) = cell.get(stat) {
                *days.entry(day).or_default() += *n as u64;
            }
        }
    }
    groups.into_iter().collect()
}

/// The interaction KPIs from their statistics: the same plans (definitions, notes) and
/// estimates as on the files; a rate per transactions over the transactions' counts.
fn interactions(
    input: &Input,
    transactions: Option<&Input>,
    wanted: &[MetricId],
    settings: &Options,
    results: &mut Results,
) -> Result<()> {
    let has = |field: &str| input.quality.contains_key(&format!("columns.{field}"));
    // The keys' values the engine saw, for the notes of per-key targets.
    let mut dictionaries = crate::input::Dictionaries::default();
    for (key, values) in &input.seen {
        let dictionary = dictionaries.get_mut(key);
        values.iter().for_each(|v| {
            dictionary.code(v);
        });
    }
    let context = Context {
        dictionaries: &dictionaries,
        transactions: transactions.is_some(),
        ..Context::without_rows(&has, &settings.metrics)
    };
    let keys: Vec<GroupKey> = input.cells.keys().cloned().collect();
    let df = frame(input, &settings.metrics)?;
    for (metric, kpi) in super::interactions::interaction_kpis(wanted) {
        if !input.cells.values().any(|c| has_stats(c, metric)) {
            continue;
        }
        let plan = match kpi.plan(&context) {
            Ok(plan) => plan,
            Err(why) => {
                results.notes.push(format!("{metric}: not computed: {why}"));
                continue;
            }
        };
        results.notes.extend(plan.notes);
        if let (Some(per), Some(transactions)) = (kpi.per_transactions(), transactions) {
            let counts = transaction_counts(transactions, settings);
            let missing = absent_dims(input, settings);
            super::interactions::per_transactions(
                &df,
                &keys,
                (&counts, &missing),
                settings,
                (metric, per, plan.definition),
                results,
            )?;
            continue;
        }
        let fields = metric.def().judged_fields;
        let valid = fields.iter().any(|f| input.quality.get(&format!("values.valid.{f}")).is_some_and(|&n| n > 0));
        super::interactions::push_figures(&df, &keys, (metric, kpi, plan.definition), valid, results)?;
    }
    Ok(())
}

/// The `--by` columns no file or table of an input has (`by.absent.<column>`).
fn absent_dims(input: &Input, settings: &Options) -> Vec<String> {
    settings.by.iter().filter(|d| input.quality.contains_key(&format!("by.absent.{d}"))).cloned().collect()
}

/// A whole-number statistic of a cell (0 when it has none).
fn count_of(cell: &BTreeMap<String, Value>, stat: &str) -> u64 {
    match cell.get(stat) {
        Some(Value::Whole(v)) => u64::try_from(*v).unwrap_or(0),
        _ => 0,
    }
}

/// The transactions per period and group a rate is per; per period alone when they lack
/// a `--by` column (the script then gives every group as `(all)`).
fn transaction_counts(input: &Input, settings: &Options) -> TransactionCounts {
    let missing_dims = absent_dims(input, settings);
    let mut counts: BTreeMap<GroupKey, u64> = BTreeMap::new();
    for ((start, group), cell) in input.cells.iter().filter(|(_, c)| c.contains_key("transactions.n")) {
        let group = if missing_dims.is_empty() { group.clone() } else { Vec::new() };
        *counts.entry((*start, group)).or_default() += count_of(cell, "transactions.n");
    }
    TransactionCounts { counts, missing_dims }
}

/// The customer metrics from the transactions' statistics, as on the files (see
/// [`super::customers::from_counts`]).
fn customers(input: &Input, wanted: &[MetricId], settings: &Options, results: &mut Results) {
    let wanted: Vec<MetricId> =
        wanted.iter().copied().filter(|m| input.cells.values().any(|c| has_stats(c, *m))).collect();
    let cells: Vec<(GroupKey, CellCounts)> = input
        .cells
        .iter()
        .filter(|(_, c)| c.contains_key("transactions.n"))
        .map(|(key, c)| {
            let counts = Cell {
                active: count_of(c, "customers.active"),
                kept: count_of(c, "customers.kept"),
                new: count_of(c, "customers.new"),
                entered: count_of(c, "customers.entered"),
            };
            let sum = |stat: &str| match c.get(stat) {
                Some(Value::Whole(v)) => *v,
                _ => 0,
            };
            let mut money: Sums = [0; 5];
            money[MARGIN] = sum("margin.sum");
            money[REVENUE] = sum("revenue.sum");
            money[ROWS] = sum("transactions.n");
            money[REVENUE_REJECTED] = sum("revenue.rejected");
            money[REVENUE_JUDGED] = sum("revenue.judged");
            (key.clone(), CellCounts { customers: counts, money })
        })
        .collect();
    let has = |field: &str| input.quality.contains_key(&format!("columns.{field}"));
    let values = |field: &str| {
        let count = |what: &str| input.quality.get(&format!("values.{what}.{field}")).map_or(0, |&n| n.max(0) as u64);
        (count("rejected"), count("valid"))
    };
    let missing = absent_dims(input, settings);
    let as_of = results.as_of_of(Kind::Transactions);
    let engine = EngineCounts { cells: &cells, missing: &missing, has: &has, values: &values, as_of };
    from_counts(&engine, &wanted, settings, results);
}

/// The rows of the statistics file as text (header first); CSV or Parquet.
fn read_rows(path: &Path) -> Result<Vec<Vec<Option<String>>>> {
    let mut bytes = Vec::new();
    if path.as_os_str() == "-" {
        std::io::stdin().read_to_end(&mut bytes)?;
    } else {
        bytes = std::fs::read(path)?;
    }
    if bytes.starts_with(b"PAR1") {
        return parquet_rows(bytes);
    }
    csv_rows(&bytes)
}

/// The rows of a CSV statistics table as text (header first).
fn csv_rows(bytes: &[u8]) -> Result<Vec<Vec<Option<String>>>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record?;
        rows.push(record.iter().map(|f| Some(f.to_string())).collect());
    }
    Ok(rows)
}

/// The rows of a Parquet statistics file, every value as text.
fn parquet_rows(bytes: Vec<u8>) -> Result<Vec<Vec<Option<String>>>> {
    let df = ParquetReader::new(std::io::Cursor::new(bytes)).finish()?;
    let mut rows = vec![df.get_column_names().iter().map(|n| Some(n.to_string())).collect()];
    let columns: Vec<Vec<Option<String>>> = df
        .columns()
        .iter()
        .map(|c| -> Result<Vec<Option<String>>> {
            let text = c.cast(&DataType::String)?;
            Ok(text.str()?.iter().map(|v| v.map(str::to_string)).collect())
        })
        .collect::<Result<_>>()?;
    for i in 0..df.height() {
        rows.push(columns.iter().map(|c| c[i].clone()).collect());
    }
    Ok(rows)
}

/// Reads the rows into statistics, checking the header against `--by`.
fn parse(rows: Vec<Vec<Option<String>>>, by: &[String], name: &str) -> Result<Stats> {
    let mut rows = rows.into_iter();
    let header: Vec<String> = rows.next().unwrap_or_default().into_iter().map(Option::unwrap_or_default).collect();
    let width = header.len();
    if width < 4
        || header[0] != "kind"
        || header[1] != "period_start"
        || header[width - 2] != "stat"
        || header[width - 1] != "value"
    {
        bail!(
            "{name}: not a servq statistics table: the columns must be kind, period_start, the --by columns, stat, value (found {})",
            header.join(", ")
        );
    }
    let dims = &header[2..width - 2];
    if dims != by {
        let given = if dims.is_empty() { "no --by".to_string() } else { format!("--by {}", dims.join(",")) };
        bail!("{name}: the statistics were computed with {given}: give report the same --by");
    }
    let mut stats = Stats::default();
    for (i, row) in rows.enumerate() {
        let line = i + 2;
        if row.len() != width {
            bail!("{name}: row {line} has {} fields, the header {width}", row.len());
        }
        let text = |j: usize| row[j].clone().unwrap_or_default();
        let (kind, stat) = (text(0), text(width - 2));
        let written = text(width - 1);
        let whole = || -> Result<i128> {
            let trimmed = written.trim();
            // Whole numbers of up to 128 bits; `5.0` or `5e0` (exactly whole, within a
            // double's whole numbers) from an engine that writes them so.
            let float = || trimmed.parse::<f64>().ok().filter(|x| x.fract() == 0.0 && x.abs() <= 9.0e15);
            trimmed.parse::<i128>().ok().or_else(|| float().map(|x| x as i128)).ok_or_else(|| {
                anyhow::anyhow!("{name}: row {line}: value '{written}' of {stat}: not a whole number of up to 128 bits")
            })
        };
        let small = || -> Result<i64> {
            i64::try_from(whole()?)
                .map_err(|_| anyhow::anyhow!("{name}: row {line}: value '{written}' of {stat}: too large"))
        };
        let repeated = || {
            anyhow::anyhow!(
                "{name}: row {line} repeats the statistic {stat} of its input, period and group: give one table per run (statistics of parts are not added up)"
            )
        };
        if kind == "meta" {
            if stats.meta.insert(stat.clone(), small()?).is_some() {
                return Err(repeated());
            }
            continue;
        }
        let Some(kind) = Kind::ALL.into_iter().find(|k| k.as_str() == kind) else {
            bail!("{name}: row {line}: unknown kind '{kind}'");
        };
        let input = stats.inputs.entry(kind).or_default();
        let start = text(1);
        if let Some(key) = stat.strip_prefix("values.seen.").filter(|_| start.trim().is_empty()) {
            let values = written.split('\u{1f}').filter(|v| !v.is_empty()).map(str::to_string).collect();
            if input.seen.insert(key.to_string(), values).is_some() {
                return Err(repeated());
            }
            continue;
        }
        if start.trim().is_empty() {
            if input.quality.insert(stat.clone(), small()?).is_some() {
                return Err(repeated());
            }
            continue;
        }
        let start = NaiveDate::parse_from_str(start.trim(), "%Y-%m-%d")
            .map_err(|_| anyhow::anyhow!("{name}: row {line}: period_start '{start}' is not a date"))?;
        if let Some(days) = stat.strip_prefix("cohort.") {
            let Ok(cohort) = days.trim().parse::<i32>() else {
                bail!("{name}: row {line}: {stat}: not a cohort of days since 1970");
            };
            let cohort = crate::period::from_epoch_days(cohort);
            let active =
                u64::try_from(whole()?).map_err(|_| anyhow::anyhow!("{name}: row {line}: a negative count"))?;
            if input.cohorts.insert((cohort, start), active).is_some() {
                return Err(repeated());
            }
            continue;
        }
        let groups = (2..width - 2).map(text).collect();
        let value = if is_order_statistic(&stat) {
            Value::Written(written.clone())
        } else {
            // Counts and sums of a period and group are never negative (margins and
            // SERVQUAL gaps may be).
            let value = whole()?;
            // (SERVQUAL's sums of items and gaps on a scale below 0 too).
            let signed =
                stat == "margin.sum" || (stat.starts_with("sq.") && (stat.ends_with(".sum") || stat.ends_with(".e")));
            if value < 0 && !signed {
                bail!("{name}: row {line}: {stat} is {value}: a count or sum is never negative");
            }
            Value::Whole(value)
        };
        if input.cells.entry((start, groups)).or_default().insert(stat.clone(), value).is_some() {
            return Err(repeated());
        }
    }
    Ok(stats)
}

/// A number that changes with every setting the statistics depend on beyond the period,
/// groups and window: the metric options (scales, thresholds, FCR's denominator), the
/// missing codes, the time zone and weighting (FNV-1a of their description; another
/// servq version may give another number).
pub fn fingerprint(settings: &Options) -> i64 {
    // CLV's options shape its formula, not its statistics (`servq clv --stats` applies
    // its what-if flags to the same statistics).
    let mut metrics = settings.metrics.clone();
    metrics.clv = Default::default();
    let text =
        format!("{:?}|{:?}|{:?}|{}", metrics, settings.read.missing, settings.window.dates.tz, settings.unweighted);
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    (hash >> 1) as i64
}

/// Refuses a cell whose part of a count is above the count (a share above 100%): the
/// `good`, `bottom`, `promoters` and `detractors` of `<p>.n`, and promoters with
/// detractors together.
fn check_shares(stats: &Stats, name: &str) -> Result<()> {
    for input in stats.inputs.values() {
        for ((start, groups), cell) in &input.cells {
            let whole = |stat: &str| match cell.get(stat) {
                Some(Value::Whole(v)) => Some(*v),
                _ => None,
            };
            for (stat, value) in cell {
                let Value::Whole(part) = value else { continue };
                let Some((prefix, what)) = stat.rsplit_once('.') else { continue };
                if !["good", "bottom", "promoters", "detractors"].contains(&what) {
                    continue;
                }
                let n = whole(&format!("{prefix}.n"));
                let both = whole(&format!("{prefix}.promoters")).unwrap_or(0)
                    + whole(&format!("{prefix}.detractors")).unwrap_or(0);
                if let Some(n) = n.filter(|n| part > n || both > *n) {
                    bail!(
                        "{name}: period {start} {}: {stat} ({part}) or its promoters and detractors together are more than {prefix}.n ({n}): not statistics of one table",
                        groups.join(", ")
                    );
                }
            }
        }
    }
    Ok(())
}

/// Refuses transaction statistics that no table has: more customers than transactions,
/// more kept, new or entering customers than active ones, more kept than were active in
/// the period before, more rejected revenue values than judged ones or judged than
/// transactions, a cohort or period that is no period's start or a cohort after its period.
fn check_customers(stats: &Stats, period: crate::period::Period, name: &str) -> Result<()> {
    let Some(input) = stats.inputs.get(&Kind::Transactions) else { return Ok(()) };
    let count = |cell: &BTreeMap<String, Value>, stat: &str| match cell.get(stat) {
        Some(Value::Whole(v)) => *v,
        _ => 0,
    };
    for ((start, groups), cell) in &input.cells {
        let at = || format!("{name}: period {start} {}", groups.join(", "));
        for (part, whole) in [
            ("customers.active", "transactions.n"),
            ("customers.kept", "customers.active"),
            ("customers.new", "customers.active"),
            ("customers.entered", "customers.active"),
            ("revenue.rejected", "revenue.judged"),
            ("revenue.judged", "transactions.n"),
        ] {
            if count(cell, part) > count(cell, whole) {
                bail!(
                    "{}: {part} ({}) is more than {whole} ({}): not statistics of one table",
                    at(),
                    count(cell, part),
                    count(cell, whole)
                );
            }
        }
        let kept = count(cell, "customers.kept");
        if kept > 0 && period != crate::period::Period::None {
            let before = (period.previous_start(*start), groups.clone());
            let at_risk = input.cells.get(&before).map_or(0, |c| count(c, "customers.active"));
            if kept > at_risk {
                bail!(
                    "{}: customers.kept ({kept}) is more than the customers active the period before ({at_risk})",
                    at()
                );
            }
        }
    }
    // servq report counts customers in at most 65,536 groups (16-bit group codes).
    let groups: std::collections::BTreeSet<&Vec<String>> = input.cells.keys().map(|(_, g)| g).collect();
    if groups.len() > 1 << 16 {
        bail!("transactions: more than 65,536 distinct --by groups to count customers in");
    }
    for (cohort, start) in input.cohorts.keys() {
        if period.start(*cohort) != *cohort || period.start(*start) != *start || cohort > start {
            bail!(
                "{name}: cohort.{} of period {start}: not a cohort of a {} period",
                crate::period::epoch_days(*cohort),
                period.as_str()
            );
        }
    }
    Ok(())
}

/// Refuses statistics computed with another period, window or settings than the
/// report's.
fn check_meta(meta: &BTreeMap<String, i64>, settings: &Options, name: &str) -> Result<()> {
    if meta.get("settings").is_some_and(|&f| f != fingerprint(settings)) {
        bail!(
            "{name}: the statistics were computed with other settings ([metrics.*] options, --missing, --tz or --unweighted, or by another servq version): give report --stats the config and flags given to servq sql"
        );
    }
    let period = settings.window.period.as_str();
    let computed = meta.keys().find_map(|k| k.strip_prefix("period."));
    match computed {
        Some(p) if p != period => {
            bail!("{name}: the statistics were computed with --period {p}: give report --period {p}")
        }
        None => {
            bail!("{name}: the statistics say nothing of their period (no meta row period.<name>): made by servq sql?")
        }
        _ => {}
    }
    let day = |key: &str| meta.get(key).map(|&d| crate::period::from_epoch_days(d as i32));
    // --as-of decides which FCR windows are over (h18d-1).
    for (flag, theirs, ours) in [
        ("--from", day("window.from"), settings.window.from),
        ("--to", day("window.to"), settings.window.to),
        ("--as-of", day("as_of"), settings.as_of),
    ] {
        if theirs != ours {
            let said = theirs.map_or("none".to_string(), |d| d.to_string());
            bail!("{name}: the statistics were computed with {flag} {said}: give report the same {flag}");
        }
    }
    Ok(())
}

/// The aggregated frame of one input: `period_start`, every whole-number statistic (0
/// where a cell lacks it; Int128 when one is beyond Int64) and each duration's
/// quantiles from their order statistics, in the order of the cells.
fn frame(input: &Input, options: &crate::metrics::MetricSettings) -> Result<DataFrame> {
    let mut names: Vec<&String> = input.cells.values().flat_map(|c| c.keys()).collect();
    names.sort();
    names.dedup();
    let starts: Vec<i32> = input.cells.keys().map(|(start, _)| crate::period::epoch_days(*start)).collect();
    let mut columns = vec![Column::new("period_start".into(), starts).cast(&DataType::Date)?];
    for name in names.iter().filter(|n| !is_order_statistic(n)) {
        let whole = |c: &BTreeMap<String, Value>| match c.get(*name) {
            Some(Value::Whole(v)) => *v,
            _ => 0,
        };
        let values: Vec<i128> = input.cells.values().map(whole).collect();
        columns.push(match values.iter().map(|&v| i64::try_from(v)).collect::<Result<Vec<i64>, _>>() {
            Ok(small) => Column::new(name.as_str().into(), small),
            Err(_) => Series::new(name.as_str().into(), values).into(),
        });
    }
    for duration in crate::metrics::durations::DURATIONS {
        for (q, quantile, fraction) in crate::metrics::durations::QUANTILES {
            // Every quantile of a duration counted (with no value anywhere: none).
            let stat = format!("{}.{quantile}", duration.prefix);
            if !names.iter().any(|n| **n == format!("{}.n", duration.prefix)) {
                continue;
            }
            let values = input
                .cells
                .values()
                .map(|cell| cell_quantile(cell, &duration, options, &stat, (q, fraction)))
                .collect::<Result<Vec<Option<f64>>>>()?;
            columns.push(Column::new(stat.into(), values));
        }
    }
    Ok(DataFrame::new(input.cells.len(), columns)?)
}

/// One cell's quantile `stat` (`response.median`) of a duration from its count and the
/// values at the quantile's lower position and the next, with a run's arithmetic.
fn cell_quantile(
    cell: &BTreeMap<String, Value>,
    duration: &crate::metrics::durations::Duration,
    options: &crate::metrics::MetricSettings,
    stat: &str,
    (q, fraction): (f64, (u64, u64)),
) -> Result<Option<f64>> {
    let n = match cell.get(&format!("{}.n", duration.prefix)) {
        Some(Value::Whole(n)) => u64::try_from(*n).unwrap_or(0),
        _ => 0,
    };
    let written = |end: &str| match cell.get(&format!("{stat}.{end}")) {
        Some(Value::Written(text)) => Some(text.clone()),
        _ => None,
    };
    let lower = crate::metrics::durations::lower_position(n, fraction);
    // The two values are in ascending order, as ranked.
    if let (Some(low), Some(high)) = (written("lower"), written("upper")) {
        let (low, high) = (duration.value_of(options, &low), duration.value_of(options, &high));
        if let (Ok(low), Ok(high)) = (low, high)
            && low > high
        {
            bail!("{stat}: the statistics' lower value {low} is above the upper {high}");
        }
    }
    let mut problem = None;
    let value = crate::metrics::durations::linear_quantile(n, q, |position| {
        let end = if position == lower { "lower" } else { "upper" };
        let text = written(end).filter(|_| position == lower || position == lower + 1)?;
        duration.value_of(options, &text).map_err(|why| problem = Some(why)).ok()
    });
    if let Some(why) = problem {
        bail!("{stat}: {why}");
    }
    if value.is_none() && n > 0 {
        bail!("{stat}: the statistics have {n} values but not the order statistics {stat}.lower and .upper");
    }
    Ok(value)
}

/// A count with thousands separators.
fn thousands(n: i64) -> String {
    crate::input::quality::thousands(n.max(0) as u64)
}

/// What the engine said of an input's rows, for stderr.
fn quality_note(kind: Kind, input: &Input, name: &str) -> String {
    let count = |stat: &str| thousands(input.quality.get(stat).copied().unwrap_or(0));
    let mut reasons: Vec<String> = input
        .quality
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix("rows.rejected.").filter(|_| *v > 0).map(|r| format!("{r} × {}", thousands(*v)))
        })
        .collect();
    let values: Vec<String> = input
        .quality
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix("values.rejected.").filter(|_| *v > 0).map(|f| format!("{f} × {}", thousands(*v)))
        })
        .collect();
    if !values.is_empty() {
        reasons.push(format!("values left out: {}", values.join(", ")));
    }
    let outside = input.quality.get("rows.outside").copied().unwrap_or(0);
    let outside = if outside > 0 { format!(", {} outside --from/--to", thousands(outside)) } else { String::new() };
    let why = if reasons.is_empty() { String::new() } else { format!(" ({})", reasons.join("; ")) };
    format!(
        "{} (statistics in {name}): {} rows read, {} used, {} rejected{outside}{why}",
        kind.as_str(),
        count("rows.read"),
        count("rows.used"),
        count("rows.rejected"),
    )
}
