//! The employee KPIs (SPEC §12; see `metrics::employees`): each employee's spell from
//! the hire date (the row date) to the leave date, counted per period and group over
//! the report's window. A loop over the registry rows of the employee family.
//!
//! The periods run from `--from` (else the start of the period of the first date of the
//! other inputs, else the first hire or leave) to `--as-of` (else the latest date of any
//! input or leave, leaves after today not counting: a planned leave or a 9999-12-31 "no
//! end" is not an event yet), cut by `--to`, never past the data: hire dates go back years, and the employees
//! are shown beside the customer figures of the same periods. A period not over at that
//! end is partial and counted up to it. A period's figures do not depend on which other
//! inputs were read.

use anyhow::Result;
use chrono::NaiveDate;

use super::{GroupKey, Options, Results};
use crate::input::{Dictionaries, Kind, Table, dimension_column};
use crate::metrics::employees::{EmployeeKpi, Events, PeriodCounts, Spell};
use crate::metrics::registry::Family;
use crate::metrics::{MetricId, frame};
use crate::period::{DAYS_PER_YEAR, Period, epoch_days, from_epoch_days};

/// Seconds in a day (row times are local seconds since 1970-01-01).
const DAY: i64 = 86_400;

/// The wanted employee KPIs, in report order.
fn employee_kpis(wanted: &[MetricId]) -> Vec<(MetricId, &'static dyn EmployeeKpi)> {
    crate::metrics::registry::members(wanted, |family| match family {
        Family::Employee(kpi) => Some(kpi),
        _ => None,
    })
}

/// The events of each group's spells (the `--by` values, `(all)` for a column the file
/// lacks), and how many rows were left out: a leave date before the hire date, or a
/// leave date that could not be read (the employee left, but when is unknown).
pub type Groups = Vec<(Vec<String>, Events)>;

fn spells(table: &Table, by: &[String], dictionaries: &Dictionaries) -> Result<(Groups, u64)> {
    let df = &table.frame;
    let hires = frame::integers(df, "ts")?;
    let leaves = if table.has("leave_date") { frame::integers(df, "leave_date")? } else { vec![None; df.height()] };
    // A leave date that could not be read: the employee left, but when is unknown.
    let unreadable: Vec<bool> = match df.column(&crate::input::chunk::rejected_column("leave_date")) {
        Ok(c) => c.as_materialized_series().bool()?.iter().map(|v| v.unwrap_or(false)).collect(),
        Err(_) => vec![false; df.height()],
    };
    let mut dims = Vec::new();
    for d in by {
        let column = dimension_column(d);
        let codes = if table.missing_dims.contains(d) { None } else { Some(frame::integers(df, &column)?) };
        dims.push((column, codes));
    }
    let mut groups: std::collections::BTreeMap<Vec<String>, Events> = Default::default();
    let mut left_out = 0;
    for row in 0..df.height() {
        let Some(hire) = hires[row] else { continue };
        let spell = Spell { hire: hire.div_euclid(DAY) as i32, leave: leaves[row].map(|l| l.div_euclid(DAY) as i32) };
        if spell.leave.is_some_and(|l| l < spell.hire) || unreadable[row] {
            left_out += 1;
            continue;
        }
        let key = dims
            .iter()
            .map(|(column, codes)| match codes {
                None => "(all)".to_string(),
                Some(codes) => codes[row].map_or(String::new(), |c| dictionaries.value(column, c as u32).to_string()),
            })
            .collect();
        groups.entry(key).or_default().add(&spell, 1);
    }
    Ok((groups.into_iter().collect(), left_out))
}

/// The first and last day counted.
fn window(settings: &Options, results: &Results, all: &Events) -> Option<(NaiveDate, NaiveDate)> {
    let today = epoch_days(chrono::Utc::now().date_naive());
    let events = all.days().filter(|d| *d <= today);
    let (first_event, last_event) = events.fold((None, None), |(lo, hi): (Option<i32>, Option<i32>), d| {
        (Some(lo.map_or(d, |l| l.min(d))), Some(hi.map_or(d, |h| h.max(d))))
    });
    // The first period is counted whole (from its first day) unless --from cuts it.
    let period = settings.window.period;
    let whole = |d: NaiveDate| if period == Period::None { d } else { period.start(d) };
    let first = settings.window.from.or(results.range.map(|r| whole(r.0))).or(first_event.map(from_epoch_days))?;
    // A leave date after today is planned (or a 9999-12-31 "no end"): not an event yet.
    let today = chrono::Utc::now().date_naive();
    let past = last_event.map(from_epoch_days).filter(|d| *d <= today);
    let latest = [results.as_of, past].into_iter().flatten().max();
    // Never past the data: --as-of says when it was cut, else its latest date; --to only cuts.
    let end = settings.as_of.or(latest)?;
    let last = settings.window.to.map_or(end, |to| to.min(end));
    (first <= last).then_some((first, last))
}

/// Computes the wanted employee metrics into `results`.
pub fn compute(
    table: &Table,
    wanted: &[MetricId],
    settings: &Options,
    dictionaries: &Dictionaries,
    results: &mut Results,
) -> Result<()> {
    let kpis = employee_kpis(wanted);
    if kpis.is_empty() {
        return Ok(());
    }
    let (groups, left_out) = spells(table, &settings.by, dictionaries)?;
    if !table.missing_dims.is_empty() {
        let names: Vec<String> = kpis.iter().map(|(m, _)| m.to_string()).collect();
        results.notes.push(super::missing_dims_note(&names, table));
    }
    let rows = table.frame.height() as u64;
    compute_groups(&groups, (left_out, rows), wanted, settings, results);
    Ok(())
}

/// Computes the wanted employee metrics from each group's events (on the files, or from
/// the statistics of `servq sql`); `left_out` of `rows` employees were left out.
pub fn compute_groups(
    groups: &Groups,
    (left_out, rows): (u64, u64),
    wanted: &[MetricId],
    settings: &Options,
    results: &mut Results,
) {
    let kpis = employee_kpis(wanted);
    if kpis.is_empty() {
        return;
    }
    if left_out > 0 {
        results.notes.push(format!(
            "employees: {left_out} row(s) with a leave date before the hire date or unreadable left out of headcount and turnover"
        ));
    }
    // Over 5% of the employees left out: every figure is suspect (SPEC §9).
    let suspect = left_out as f64 > super::REJECTED_SHARE * rows as f64;
    let mut all = Events::default();
    groups.iter().for_each(|(_, events)| all.extend(events));
    let Some((first, last)) = window(settings, results, &all) else {
        let names: Vec<String> = kpis.iter().map(|(m, _)| m.to_string()).collect();
        results.notes.push(format!(
            "{}: not computed: no employee with a valid hire date, or the window (--from/--to/--as-of) is outside the data",
            names.join(", ")
        ));
        return;
    };
    results.as_of_by_kind.insert(Kind::Employees, last);
    results.as_of = results.as_of.max(Some(last));
    results.range_by_kind.insert(Kind::Employees, (first, last));
    let period = settings.window.period;
    // Each period's first and last day counted, cut to the window.
    let mut periods: Vec<(NaiveDate, NaiveDate, NaiveDate)> = Vec::new();
    if period == Period::None {
        periods.push((period.start(first), first, last));
    } else {
        let mut start = period.start(first);
        while start <= last {
            periods.push((start, start.max(first), period.end(start).min(last)));
            start = period.next_start(start);
        }
    }
    let per_year = |from: NaiveDate, to: NaiveDate| match period {
        Period::None => DAYS_PER_YEAR / ((to - from).num_days() + 1) as f64,
        other => other.per_year(),
    };
    for (metric, kpi) in kpis {
        let mut keys: Vec<GroupKey> = Vec::new();
        let mut estimates = Vec::new();
        for (groups, events) in groups {
            for &(start, from, to) in &periods {
                let counts = PeriodCounts::of_events(events, epoch_days(from), epoch_days(to));
                keys.push((start, groups.clone()));
                estimates.push(kpi.estimate(&counts, per_year(from, to)));
            }
        }
        results.push_metric(&keys, metric, estimates, kpi.definition());
        results.flag_rejected(metric, &keys, &vec![suspect; keys.len()]);
    }
}
