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

use super::Estimate;

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

impl PeriodCounts {
    /// The counts of `spells` over the days `first..=last`.
    pub fn of(spells: &[Spell], first: i32, last: i32) -> Self {
        let within = |day: Option<i32>| day.is_some_and(|d| (first..=last).contains(&d));
        PeriodCounts {
            before: spells.iter().filter(|s| s.employed_on(first - 1)).count() as u64,
            end: spells.iter().filter(|s| s.employed_on(last)).count() as u64,
            leavers: spells.iter().filter(|s| within(s.leave)).count() as u64,
            hires: spells.iter().filter(|s| within(Some(s.hire))).count() as u64,
            employed: spells.iter().filter(|s| s.hire <= last && s.leave.is_none_or(|l| l >= first)).count() as u64,
        }
    }
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
