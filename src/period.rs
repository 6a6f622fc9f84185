//! Calendar periods: bucketing dates into day, ISO week, month, quarter or year.

use chrono::{Datelike, Days, Months, NaiveDate};

/// A reporting period length (`--period`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    /// One calendar day.
    Day,
    /// One ISO week, Monday to Sunday.
    Week,
    /// One calendar month (the default).
    #[default]
    Month,
    /// One calendar quarter.
    Quarter,
    /// One calendar year.
    Year,
    /// No bucketing: the whole (filtered) date range is one period.
    None,
}

/// Added to a period's running number to store it in 16 bits of a customer-period key
/// (see `metrics::customer_periods`): periods from −32767 to 32767 fit, days from 1880
/// to 2059, any month, quarter or year.
pub const PERIOD_BIAS: i32 = 1 << 15;

/// Returns true if and only if a period running number fits a key (16 bits around
/// 1970: ±32,767 periods, so days from 1880 to 2059 and months up to year 2730).
pub fn period_fits(period: i32) -> bool {
    period.checked_add(PERIOD_BIAS).is_some_and(|biased| (1..=i32::from(u16::MAX)).contains(&biased))
}

/// The mean length of a Gregorian year in days.
pub const DAYS_PER_YEAR: f64 = 365.2425;

impl Period {
    /// Returns the period's name as used in flags and config files.
    pub fn as_str(self) -> &'static str {
        match self {
            Period::Day => "day",
            Period::Week => "week",
            Period::Month => "month",
            Period::Quarter => "quarter",
            Period::Year => "year",
            Period::None => "none",
        }
    }

    /// Parses a period name (`day|week|month|quarter|year|none`).
    pub fn parse(name: &str) -> Option<Period> {
        [Period::Day, Period::Week, Period::Month, Period::Quarter, Period::Year, Period::None]
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(name.trim()))
    }

    /// Returns the first day of the period that contains `date`.
    /// For [`Period::None`] this is the Unix epoch, a fixed placeholder for "all".
    pub fn start(self, date: NaiveDate) -> NaiveDate {
        match self {
            Period::Day => date,
            Period::Week => date - Days::new(u64::from(date.weekday().num_days_from_monday())),
            Period::Month => date.with_day(1).unwrap_or(date),
            Period::Quarter => {
                let month0 = (date.month0() / 3) * 3;
                NaiveDate::from_ymd_opt(date.year(), month0 + 1, 1).unwrap_or(date)
            }
            Period::Year => NaiveDate::from_ymd_opt(date.year(), 1, 1).unwrap_or(date),
            Period::None => NaiveDate::default(),
        }
    }

    /// Returns the first day of the period after the one starting at `start`.
    pub fn next_start(self, start: NaiveDate) -> NaiveDate {
        let next = match self {
            Period::Day => start.checked_add_days(Days::new(1)),
            Period::Week => start.checked_add_days(Days::new(7)),
            Period::Month => start.checked_add_months(Months::new(1)),
            Period::Quarter => start.checked_add_months(Months::new(3)),
            Period::Year => start.checked_add_months(Months::new(12)),
            Period::None => None,
        };
        next.unwrap_or(NaiveDate::MAX)
    }

    /// Returns the first day of the period before the one starting at `start`.
    pub fn previous_start(self, start: NaiveDate) -> NaiveDate {
        let prev = match self {
            Period::Day => start.checked_sub_days(Days::new(1)),
            Period::Week => start.checked_sub_days(Days::new(7)),
            Period::Month => start.checked_sub_months(Months::new(1)),
            Period::Quarter => start.checked_sub_months(Months::new(3)),
            Period::Year => start.checked_sub_months(Months::new(12)),
            Period::None => None,
        };
        prev.unwrap_or(NaiveDate::MIN)
    }

    /// Returns the last day (inclusive) of the period starting at `start`.
    pub fn end(self, start: NaiveDate) -> NaiveDate {
        self.next_start(start).pred_opt().unwrap_or(start)
    }

    /// Returns the label of the period starting at `start`: `2025-03-14`, `2025-W11`,
    /// `2025-03`, `2025-Q1`, `2025` or `all`.
    pub fn label(self, start: NaiveDate) -> String {
        match self {
            Period::Day => start.format("%Y-%m-%d").to_string(),
            Period::Week => {
                let week = start.iso_week();
                format!("{}-W{:02}", week.year(), week.week())
            }
            Period::Month => start.format("%Y-%m").to_string(),
            Period::Quarter => format!("{}-Q{}", start.year(), start.month0() / 3 + 1),
            Period::Year => start.year().to_string(),
            Period::None => "all".to_string(),
        }
    }

    /// Returns how many periods make a year (for converting an annual discount rate).
    /// `None` counts as one year.
    pub fn per_year(self) -> f64 {
        match self {
            // The mean Gregorian year: 365.2425 days, 52.1775 weeks (audit D12).
            Period::Day => DAYS_PER_YEAR,
            Period::Week => DAYS_PER_YEAR / 7.0,
            Period::Month => 12.0,
            Period::Quarter => 4.0,
            Period::Year | Period::None => 1.0,
        }
    }
}

impl Period {
    /// Returns the running number of the period that contains `date`: consecutive
    /// periods have consecutive numbers (days since 1970-01-01, ISO weeks since the
    /// week of 1970-01-01, months since year 0, …; always 0 for `None`).
    pub fn index(self, date: NaiveDate) -> i32 {
        match self {
            Period::Day => epoch_days(date),
            Period::Week => (epoch_days(date) + 3).div_euclid(7),
            Period::Month => date.year() * 12 + date.month0() as i32,
            Period::Quarter => date.year() * 4 + (date.month0() / 3) as i32,
            Period::Year => date.year(),
            Period::None => 0,
        }
    }

    /// Returns the running number of the last period that is over at `as_of` (its last
    /// day on or before `as_of`).
    pub fn last_complete(self, as_of: NaiveDate) -> i32 {
        let index = self.index(as_of);
        if self.end(self.start(as_of)) <= as_of { index } else { index - 1 }
    }

    /// Returns the first day of the period with running number `index` (the inverse
    /// of [`Period::index`]).
    pub fn start_of_index(self, index: i32) -> NaiveDate {
        let date = match self {
            Period::Day => Some(from_epoch_days(index)),
            Period::Week => Some(from_epoch_days(index * 7 - 3)),
            Period::Month => NaiveDate::from_ymd_opt(index.div_euclid(12), index.rem_euclid(12) as u32 + 1, 1),
            Period::Quarter => NaiveDate::from_ymd_opt(index.div_euclid(4), index.rem_euclid(4) as u32 * 3 + 1, 1),
            Period::Year => NaiveDate::from_ymd_opt(index, 1, 1),
            Period::None => Some(NaiveDate::default()),
        };
        date.unwrap_or_default()
    }
}

/// Days since 1970-01-01 of a date (the physical value of a polars `Date`).
pub fn epoch_days(date: NaiveDate) -> i32 {
    (date - NaiveDate::default()).num_days() as i32
}

/// The date of a day count since 1970-01-01.
pub fn from_epoch_days(days: i32) -> NaiveDate {
    NaiveDate::default().checked_add_signed(chrono::TimeDelta::days(i64::from(days))).unwrap_or(NaiveDate::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn iso_week_starts_on_monday_and_is_labelled_by_iso_year() {
        // 2025-01-01 is a Wednesday in ISO week 2025-W01, which starts on 2024-12-30.
        assert_eq!(Period::Week.start(d("2025-01-01")), d("2024-12-30"));
        assert_eq!(Period::Week.label(d("2024-12-30")), "2025-W01");
        assert_eq!(Period::Week.end(d("2024-12-30")), d("2025-01-05"));
    }

    #[test]
    fn month_quarter_year_bounds() {
        assert_eq!(Period::Month.start(d("2024-02-29")), d("2024-02-01"));
        assert_eq!(Period::Month.end(d("2024-02-01")), d("2024-02-29"));
        assert_eq!(Period::Quarter.start(d("2025-08-15")), d("2025-07-01"));
        assert_eq!(Period::Quarter.end(d("2025-07-01")), d("2025-09-30"));
        assert_eq!(Period::Quarter.label(d("2025-07-01")), "2025-Q3");
        assert_eq!(Period::Year.end(d("2025-01-01")), d("2025-12-31"));
        assert_eq!(Period::Month.previous_start(d("2025-01-01")), d("2024-12-01"));
        assert_eq!(Period::Month.label(d("2025-01-01")), "2025-01");
    }

    #[test]
    fn parse_names() {
        assert_eq!(Period::parse("Quarter"), Some(Period::Quarter));
        assert_eq!(Period::parse("fortnight"), None);
    }

    #[test]
    fn running_numbers_are_consecutive_and_invert() {
        for p in [Period::Day, Period::Week, Period::Month, Period::Quarter, Period::Year] {
            let start = p.start(d("2024-12-30"));
            let next = p.next_start(start);
            assert_eq!(p.index(next), p.index(start) + 1, "{p:?}");
            assert_eq!(p.start_of_index(p.index(start)), start, "{p:?}");
            assert_eq!(p.start_of_index(p.index(next)), next, "{p:?}");
        }
        assert_eq!(Period::Week.start_of_index(Period::Week.index(d("1970-01-01"))), d("1969-12-29"));
    }

    #[test]
    fn epoch_days_round_trip() {
        assert_eq!(epoch_days(d("1970-01-02")), 1);
        assert_eq!(from_epoch_days(epoch_days(d("2025-03-14"))), d("2025-03-14"));
    }
}
