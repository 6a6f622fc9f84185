//! Employee KPIs (SPEC §12), from one row per employee: `employee_id`, `hire_date`,
//! `leave_date` (empty while employed) and dimensions (team, site).
//!
//! - Headcount on a day = employees hired on or before it and not left before it (a
//!   leaver is counted on the leave date).
//! - `headcount` = headcount on the period's last day.
//! - `turnover` = 100 × leavers in the period / mean(headcount on the day before the
//!   period, headcount on its last day). Lower is better.
//! - `turnover_annualised` = turnover × periods per year (12 for months, 4 for
//!   quarters, 365.2425 / 7 for ISO weeks; over the whole window with `--period none`:
//!   × 365.2425 / its days).
//! - n is the number of employees employed at some time in the period (hired by its
//!   last day and not left before its first). No interval: these are counts of the whole
//!   population, not a sample.

use std::collections::BTreeMap;

use super::Estimate;
use crate::metrics::sql::{Aggregate, SqlStat};

/// One employment spell, in days since 1970-01-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spell {
    /// The hire day.
    pub hire: i32,
    /// The leave day, `None` while employed.
    pub leave: Option<i32>,
}

impl Spell {
    /// Employed on `day`: hired on or before it and not left before it.
    pub fn employed_on(&self, day: i32) -> bool {
        self.hire <= day && self.leave.is_none_or(|l| l >= day)
    }
}

/// The counts of one period (or the part of it up to as-of) and group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PeriodCounts {
    /// Headcount on the day before the period.
    pub before: u64,
    /// Headcount on its last day.
    pub end: u64,
    /// Leave days within the period.
    pub leavers: u64,
    /// Hire days within the period.
    pub hires: u64,
    /// Employees employed at some time in the period (hired by its last day, not left
    /// before its first).
    pub employed: u64,
}

/// The events of a group's spells: how many were hired and how many left on each day.
/// They are all the period counts need (and what `servq sql` counts in an engine): a
/// spell never leaves before its hire, so of those hired by day d, the ones not
/// employed on d are exactly those who left before d:
/// headcount(d) = hired on or before d − left before d.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Events {
    /// Hires per day.
    pub hires: BTreeMap<i32, u64>,
    /// Leaves per day.
    pub leaves: BTreeMap<i32, u64>,
}

impl Events {
    /// The events of `spells`.
    pub fn of(spells: &[Spell]) -> Self {
        let mut events = Events::default();
        spells.iter().for_each(|s| events.add(s, 1));
        events
    }

    /// Adds `count` spells like `spell`.
    pub fn add(&mut self, spell: &Spell, count: u64) {
        *self.hires.entry(spell.hire).or_default() += count;
        if let Some(leave) = spell.leave {
            *self.leaves.entry(leave).or_default() += count;
        }
    }

    /// Adds another group's events.
    pub fn extend(&mut self, other: &Events) {
        other.hires.iter().for_each(|(d, n)| *self.hires.entry(*d).or_default() += n);
        other.leaves.iter().for_each(|(d, n)| *self.leaves.entry(*d).or_default() += n);
    }

    /// Every day with a hire or a leave.
    pub fn days(&self) -> impl Iterator<Item = i32> + '_ {
        self.hires.keys().chain(self.leaves.keys()).copied()
    }

    fn sum(days: &BTreeMap<i32, u64>, range: impl std::ops::RangeBounds<i32>) -> u64 {
        days.range(range).map(|(_, n)| n).sum()
    }

    /// Employed on `day` (see [`Spell::employed_on`]).
    fn employed_on(&self, day: i32) -> u64 {
        Self::sum(&self.hires, ..=day) - Self::sum(&self.leaves, ..day)
    }
}

impl PeriodCounts {
    /// The counts of `spells` over the days `first..=last`.
    pub fn of(spells: &[Spell], first: i32, last: i32) -> Self {
        Self::of_events(&Events::of(spells), first, last)
    }

    /// The counts of the spells with these events over the days `first..=last`
    /// (`first <= last`): employed at some time = hired by `last` − left before `first`.
    pub fn of_events(events: &Events, first: i32, last: i32) -> Self {
        PeriodCounts {
            before: events.employed_on(first - 1),
            end: events.employed_on(last),
            leavers: Events::sum(&events.leaves, first..=last),
            hires: Events::sum(&events.hires, first..=last),
            employed: Events::sum(&events.hires, ..=last) - Events::sum(&events.leaves, ..first),
        }
    }
}

/// The statistic of every employee KPI in SQL (SPEC §13): the events of the spells.
pub fn sql_stats() -> Vec<SqlStat> {
    vec![SqlStat::new("employees", "events", Aggregate::EmployeeEvents)]
}

/// The condition under which a cleaned row of `servq sql` is a spell: its leave date
/// (when the input has one) is readable and not before the hire day.
pub fn spell_sql(leave: bool) -> &'static str {
    if leave { "r_leave_date = 0 AND (v_leave_date IS NULL OR v_leave_date >= day)" } else { "1 = 1" }
}

/// The events of the spells among the used rows of `clean` (`day`: the hire day,
/// `v_leave_date`: the leave day), per day `ev` and group (`groups`): `stat` is
/// `employees.hired` or `employees.left`, `n` their count ([`Events`] in SQL).
pub fn events_sql(clean: &str, groups: &[String], leave: bool) -> String {
    let spell = spell_sql(leave);
    let keys = |day: &str| std::iter::once(day.to_string()).chain(groups.iter().cloned()).collect::<Vec<_>>();
    let select = |day: &str, stat: &str, filter: &str| {
        let mut columns = vec![format!("{day} AS ev")];
        columns.extend(groups.iter().cloned());
        columns.push(format!("'{stat}' AS stat"));
        columns.push("COUNT(*) AS n".to_string());
        format!(
            "SELECT {} FROM {clean} WHERE used = 1 AND {spell}{filter} GROUP BY {}",
            columns.join(", "),
            keys(day).join(", ")
        )
    };
    let mut parts = vec![select("day", "employees.hired", "")];
    if leave {
        parts.push(select("v_leave_date", "employees.left", " AND v_leave_date IS NOT NULL"));
    }
    parts.join(" UNION ALL ")
}

/// An employee KPI: one figure from a period's counts.
pub trait EmployeeKpi: Sync + std::fmt::Debug {
    /// The figure; `per_year` is the number of such periods in a year.
    fn estimate(&self, counts: &PeriodCounts, per_year: f64) -> Estimate;

    /// The definition printed with the figures.
    fn definition(&self) -> String;
}

/// `headcount`.
#[derive(Debug)]
pub struct Headcount;

/// `turnover` (`annualised`: `turnover_annualised`).
#[derive(Debug)]
pub struct Turnover {
    /// Times periods per year.
    pub annualised: bool,
}

impl EmployeeKpi for Headcount {
    fn estimate(&self, c: &PeriodCounts, _: f64) -> Estimate {
        let n = c.employed;
        if n == 0 {
            return Estimate::empty(0);
        }
        Estimate {
            value: Some(c.end as f64),
            n,
            ci: None,
            details: vec![("hires", c.hires as f64), ("leavers", c.leavers as f64)],
        }
    }

    fn definition(&self) -> String {
        "headcount = employees hired on or before the period's last day and not left before it (a leaver counts on the leave date); n = employees employed at some time in the period".to_string()
    }
}

impl EmployeeKpi for Turnover {
    fn estimate(&self, c: &PeriodCounts, per_year: f64) -> Estimate {
        let mean = (c.before + c.end) as f64 / 2.0;
        let n = c.employed;
        if n == 0 || mean == 0.0 {
            return Estimate::empty(n);
        }
        let turnover = 100.0 * c.leavers as f64 / mean;
        let value = if self.annualised { turnover * per_year } else { turnover };
        let details =
            vec![("leavers", c.leavers as f64), ("headcount_before", c.before as f64), ("headcount_end", c.end as f64)];
        Estimate { value: Some(value), n, ci: None, details }
    }

    fn definition(&self) -> String {
        let base =
            "100 × leavers in the period / mean(headcount on the day before the period, headcount on its last day)";
        if self.annualised {
            format!(
                "turnover_annualised = turnover × periods per year ({base} × 12 for months, 4 for quarters, 365.2425/7 for weeks, 365.2425/days over the whole window); lower is better"
            )
        } else {
            format!("turnover = {base}; lower is better")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::period::epoch_days;
    use chrono::NaiveDate;

    fn day(y: i32, m: u32, d: u32) -> i32 {
        epoch_days(NaiveDate::from_ymd_opt(y, m, d).unwrap())
    }

    #[test]
    fn headcount_on_a_hire_day_and_on_a_leave_day() {
        // Hired on 2025-03-31 (counted that day); left on 2025-03-31 (counted that day,
        // gone the next); hired 2025-04-01 (not yet on 03-31).
        let spells = [
            Spell { hire: day(2025, 3, 31), leave: None },
            Spell { hire: day(2024, 1, 1), leave: Some(day(2025, 3, 31)) },
            Spell { hire: day(2025, 4, 1), leave: None },
            Spell { hire: day(2020, 1, 1), leave: None },
        ];
        let march = PeriodCounts::of(&spells, day(2025, 3, 1), day(2025, 3, 31));
        // The day before March (02-28): the 2024 and 2020 hires. March 31: all but the April hire.
        assert_eq!(march, PeriodCounts { before: 2, end: 3, leavers: 1, hires: 1, employed: 3 });
        assert_eq!(Headcount.estimate(&march, 12.0).value, Some(3.0));
        // turnover = 100 × 1 / mean(2, 3) = 40; annualised × 12 = 480.
        assert_eq!(Turnover { annualised: false }.estimate(&march, 12.0).value, Some(40.0));
        assert_eq!(Turnover { annualised: true }.estimate(&march, 12.0).value, Some(480.0));
        assert_eq!(Turnover { annualised: false }.estimate(&march, 12.0).n, 3);
        // The day before April is March 31: the March 31 leaver still counts there.
        let april = PeriodCounts::of(&spells, day(2025, 4, 1), day(2025, 4, 30));
        // Employed in April: the March 31 hire, the April hire and the 2020 one (the March
        // 31 leaver was not employed on any April day).
        assert_eq!(april, PeriodCounts { before: 3, end: 3, leavers: 0, hires: 1, employed: 3 });
        assert_eq!(Turnover { annualised: false }.estimate(&april, 12.0).value, Some(0.0));
    }

    proptest::proptest! {
        /// The counts from the days' events (what the engines count) are the counts
        /// spell by spell, as SPEC §12 defines them, for any spells and window.
        #[test]
        fn counts_from_events_are_the_counts_spell_by_spell(
            raw in proptest::collection::vec((0i32..60, proptest::option::of(0i32..40)), 0..30),
            first in 0i32..80,
            days in 0i32..40,
        ) {
            let spells: Vec<Spell> = raw.iter().map(|&(hire, stay)| Spell { hire, leave: stay.map(|s| hire + s) }).collect();
            let last = first + days;
            let within = |d: Option<i32>| d.is_some_and(|d| (first..=last).contains(&d));
            let count = |test: &dyn Fn(&Spell) -> bool| spells.iter().filter(|s| test(s)).count() as u64;
            let by_spell = PeriodCounts {
                before: count(&|s| s.employed_on(first - 1)),
                end: count(&|s| s.employed_on(last)),
                leavers: count(&|s| within(s.leave)),
                hires: count(&|s| within(Some(s.hire))),
                employed: count(&|s| s.hire <= last && s.leave.is_none_or(|l| l >= first)),
            };
            proptest::prop_assert_eq!(PeriodCounts::of(&spells, first, last), by_spell);
        }
    }

    #[test]
    fn nobody_employed_gives_no_figure() {
        let c = PeriodCounts::default();
        assert_eq!(Headcount.estimate(&c, 12.0), Estimate::empty(0));
        assert_eq!(Turnover { annualised: true }.estimate(&c, 12.0), Estimate::empty(0));
        // Everyone hired and gone within the period: mean headcount 0, no rate.
        let spells = [Spell { hire: day(2025, 1, 5), leave: Some(day(2025, 1, 20)) }];
        let c = PeriodCounts::of(&spells, day(2025, 1, 1), day(2025, 1, 31));
        assert_eq!(Turnover { annualised: false }.estimate(&c, 12.0).value, None);
        assert_eq!(Headcount.estimate(&c, 12.0).value, Some(0.0));
    }
}
