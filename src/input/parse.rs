//! Parsing of single field values: dates, booleans, scores and numbers.
//!
//! Every parser returns `Ok(None)` for an empty field ("missing": in no denominator),
//! `Ok(Some(v))` for a usable value and `Err(reason)` for a value that must be
//! rejected; the reason is a short phrase that groups well in the data-quality report.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime};

/// Why a value was rejected. Equal reasons group in the data-quality report.
pub type Reason = String;

/// A parsed timestamp: seconds since 1970-01-01T00:00:00 in the report's time zone.
pub type LocalSeconds = i64;

const SECONDS_PER_DAY: i64 = 86_400;

/// Parses dates and datetimes into [`LocalSeconds`].
///
/// Without a format, ISO 8601 is read: `2025-03-14`, `2025-03-14T09:30`,
/// `2025-03-14 09:30:15.250`, optionally followed by `Z`, `+08:00`, `+0800` or `+08`.
/// A value with an offset is converted to the report time zone (`tz`
/// east of UTC); a value without one is taken as already local.
#[derive(Debug, Clone, Default)]
pub struct DateParser {
    /// A chrono `strftime` format (`--date-format`), tried instead of ISO.
    pub format: Option<String>,
    /// The report time zone (`--tz`).
    pub tz: Zone,
}

/// The report time zone: a fixed offset, or an IANA zone whose offset follows daylight
/// saving time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    /// Seconds east of UTC.
    Fixed(i32),
    /// A named zone (`Asia/Shanghai`, `America/New_York`).
    Named(chrono_tz::Tz),
}

impl Default for Zone {
    fn default() -> Self {
        Zone::Fixed(0)
    }
}

impl Zone {
    /// The local time in this zone of an instant (seconds since 1970 UTC).
    pub fn local(self, utc: i64) -> i64 {
        match self {
            Zone::Fixed(offset) => utc + i64::from(offset),
            Zone::Named(tz) => {
                use chrono::{Offset, TimeZone};
                let offset = chrono::DateTime::from_timestamp(utc, 0)
                    .map_or(0, |instant| tz.offset_from_utc_datetime(&instant.naive_utc()).fix().local_minus_utc());
                utc + i64::from(offset)
            }
        }
    }

    /// The seconds east of UTC of this zone at an instant.
    fn offset_at(self, utc: i64) -> i64 {
        self.local(utc) - utc
    }

    /// The one offset with which [`Zone::utc_of_local`] reads every local time of the
    /// local day `day` (days since 1970), when no change of offset is near it: the
    /// offsets two days before and three days after are the same, and changes are never
    /// closer than a week (so none is between); `None` otherwise.
    pub fn offset_of_day(self, day: i64) -> Option<i64> {
        match self {
            Zone::Fixed(offset) => Some(i64::from(offset)),
            Zone::Named(_) => {
                let start = day.saturating_mul(SECONDS_PER_DAY);
                let before = self.offset_at(start.saturating_sub(2 * SECONDS_PER_DAY));
                (before == self.offset_at(start.saturating_add(3 * SECONDS_PER_DAY))).then_some(before)
            }
        }
    }

    /// The instant (seconds since 1970 UTC) of a local time in this zone. A local time
    /// that a change of offset makes twice (clocks going back) or skips (clocks going
    /// forward) is read with the offset before the change, as Python's `fold = 0`:
    /// 01:30 on New York's autumn day is 01:30 EDT, 02:30 on its spring day is 02:30 EST
    /// (03:30 EDT). Changes are taken to be more than a day apart.
    pub fn utc_of_local(self, local: i64) -> i64 {
        match self {
            Zone::Fixed(offset) => local.saturating_sub(i64::from(offset)),
            Zone::Named(_) => {
                let before = self.offset_at(local.saturating_sub(SECONDS_PER_DAY));
                let after = self.offset_at(local.saturating_add(SECONDS_PER_DAY));
                let valid = |offset: i64| {
                    let utc = local.saturating_sub(offset);
                    (self.offset_at(utc) == offset).then_some(utc)
                };
                match (valid(before), valid(after)) {
                    (Some(a), Some(b)) => a.min(b),
                    (Some(utc), None) | (None, Some(utc)) => utc,
                    (None, None) => local.saturating_sub(before),
                }
            }
        }
    }
}

/// A parsed date-time: its local seconds in the report's zone (its day and period), and
/// its instant when the text gave an offset (elapsed times are measured between
/// instants: [`Stamp::instant`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    /// Seconds since 1970-01-01T00:00:00 in the report's zone.
    pub local: LocalSeconds,
    /// Seconds since 1970 UTC, when the text had an offset.
    pub utc: Option<i64>,
}

impl Stamp {
    /// The instant (seconds since 1970 UTC): a local time without an offset is in the
    /// report's zone ([`Zone::utc_of_local`]).
    pub fn instant(self, zone: Zone) -> i64 {
        self.utc.unwrap_or_else(|| zone.utc_of_local(self.local))
    }

    /// The stamp `seconds` later (a separate time of day): a local time on the same
    /// clock; an instant `seconds` later, moved to the report's zone `zone` again (its
    /// day is that of the later instant, across a change of offset too).
    pub fn plus(self, seconds: i64, zone: Zone) -> Stamp {
        match self.utc {
            None => Stamp { local: self.local + seconds, utc: None },
            Some(utc) => Stamp { local: zone.local(utc + seconds), utc: Some(utc + seconds) },
        }
    }
}

/// A zone's offsets over time: the offset before the first change, then each change
/// (the UTC second it takes effect, the new offset), in order. A fixed offset has none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offsets {
    /// Seconds east of UTC before the first change.
    pub first: i32,
    /// (UTC seconds since 1970, seconds east of UTC from then on).
    pub changes: Vec<(i64, i32)>,
}

impl Offsets {
    /// The same changes on the local clock, as [`Zone::utc_of_local`] reads a local time:
    /// each change's offset holds from the change's instant plus the larger of the
    /// offsets before and after it (the local times the change skips or makes twice
    /// keep the offset before it).
    pub fn local_changes(&self) -> Vec<(i64, i32)> {
        let mut before = self.first;
        let mut local = Vec::with_capacity(self.changes.len());
        for &(at, offset) in &self.changes {
            local.push((at + i64::from(before.max(offset)), offset));
            before = offset;
        }
        local
    }
}

/// The span of the changes the zone database has (its first in 1844, its last in
/// 2099): before and after it every zone keeps one offset.
const CHANGES_FROM: i64 = -4_102_444_800; // 1840-01-01
const CHANGES_TO: i64 = 4_133_980_800; // 2101-01-01

/// The step at which offsets are compared when looking for changes (no zone changes
/// twice within it).
const CHANGE_STEP: i64 = 3 * 3600;

impl Zone {
    /// The zone's offsets over time, as [`Zone::local`] applies them: found by comparing
    /// the offset every [`CHANGE_STEP`] seconds over the span of the zone database, each
    /// change then pinned to its second.
    pub fn offsets(self) -> Offsets {
        let offset = |utc: i64| (self.local(utc) - utc) as i32;
        let first = offset(CHANGES_FROM);
        let mut changes = Vec::new();
        let (mut at, mut current) = (CHANGES_FROM, first);
        while at < CHANGES_TO {
            let next = at + CHANGE_STEP;
            let then = offset(next);
            if then != current {
                // The first second of the new offset in (at, next].
                let (mut lo, mut hi) = (at, next);
                while hi - lo > 1 {
                    let mid = lo + (hi - lo) / 2;
                    if offset(mid) == current { lo = mid } else { hi = mid }
                }
                changes.push((hi, then));
                current = then;
            }
            at = next;
        }
        Offsets { first, changes }
    }
}

/// Why a date is rejected when a `--date-format` is given (it matches neither the
/// format nor ISO).
pub fn format_mismatch(format: &str) -> String {
    format!("does not match --date-format {format}")
}

impl DateParser {
    /// Parses one date field into its local seconds. Empty is `Ok(None)`.
    pub fn parse(&self, raw: &str) -> Result<Option<LocalSeconds>, Reason> {
        Ok(self.parse_stamp(raw)?.map(|stamp| stamp.local))
    }

    /// Parses one date field into its local seconds and instant. Empty is `Ok(None)`.
    pub fn parse_stamp(&self, raw: &str) -> Result<Option<Stamp>, Reason> {
        let s = trim(raw);
        if s.is_empty() {
            return Ok(None);
        }
        match &self.format {
            // ISO dates are read too: they cannot be mistaken for another format.
            Some(format) => self.parse_with_format(s, format).or_else(|e| self.parse_iso(s).map_err(|_| e)).map(Some),
            None => self.parse_iso(s).map(Some),
        }
    }

    fn parse_with_format(&self, s: &str, format: &str) -> Result<Stamp, Reason> {
        if let Ok(dt) = DateTime::parse_from_str(s, format) {
            return Ok(self.moved(dt.naive_utc().and_utc().timestamp()));
        }
        let local = |local: LocalSeconds| Stamp { local, utc: None };
        if let Ok(dt) = NaiveDateTime::parse_from_str(s, format) {
            return Ok(local(dt.and_utc().timestamp()));
        }
        NaiveDate::parse_from_str(s, format)
            .map(|d| local(d.and_time(NaiveTime::MIN).and_utc().timestamp()))
            .map_err(|_| format_mismatch(format))
    }

    /// The stamp of an instant, moved to the report's zone.
    fn moved(&self, utc: i64) -> Stamp {
        Stamp { local: self.tz.local(utc), utc: Some(utc) }
    }

    fn parse_iso(&self, s: &str) -> Result<Stamp, Reason> {
        let b = s.as_bytes();
        let not_iso = || "not an ISO date".to_string();
        if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(not_iso());
        }
        // The eight digits checked at once (no branch per digit).
        let d = [b[0], b[1], b[2], b[3], b[5], b[6], b[8], b[9]].map(|c| u32::from(c.wrapping_sub(b'0')));
        if d.iter().any(|&x| x > 9) {
            return Err(not_iso());
        }
        let year = d[0] * 1000 + d[1] * 100 + d[2] * 10 + d[3];
        let (month, day) = (d[4] * 10 + d[5], d[6] * 10 + d[7]);
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return Err("impossible date".to_string());
        }
        let midnight = epoch_days_of(i64::from(year), i64::from(month), i64::from(day)) * 86_400;
        if b.len() == 10 {
            return Ok(Stamp { local: midnight, utc: None });
        }
        if b[10] != b'T' && b[10] != b' ' && b[10] != b't' {
            return Err(not_iso());
        }
        let (seconds, rest) = parse_time(&b[11..]).ok_or_else(not_iso)?;
        let local = midnight + seconds;
        match parse_offset(rest).ok_or_else(not_iso)? {
            None => Ok(Stamp { local, utc: None }),
            Some(offset) => Ok(self.moved(local - offset)),
        }
    }
}

/// The days of `month` (1–12) in `year` (proleptic Gregorian).
fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(i64::from(year)) => 29,
        2 => 28,
        _ => 31,
    }
}

/// Whether `year` has 366 days (proleptic Gregorian).
const fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// The first year of [`YEAR_STARTS`].
const FIRST_YEAR: i64 = 1900;

/// The days since 1970-01-01 of 1 January of each year from [`FIRST_YEAR`] on, for
/// 300 years (worked out at compile time by [`civil_days`]).
const YEAR_STARTS: [i64; 300] = {
    let mut starts = [0; 300];
    let mut i = 0;
    while i < starts.len() {
        starts[i] = civil_days(FIRST_YEAR + i as i64, 1, 1);
        i += 1;
    }
    starts
};

/// The days before the first of each month in a year of 365 days.
const DAYS_BEFORE_MONTH: [i64; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

/// The days since 1970-01-01 of a valid date: from tables for the years 1900–2199 (the
/// hot path of every row), else [`civil_days`].
fn epoch_days_of(year: i64, month: i64, day: i64) -> i64 {
    match YEAR_STARTS.get((year - FIRST_YEAR) as usize) {
        Some(start) if year >= FIRST_YEAR => {
            let leap_day = i64::from(month > 2 && is_leap(year));
            start + DAYS_BEFORE_MONTH[(month - 1) as usize] + leap_day + day - 1
        }
        _ => civil_days(year, month, day),
    }
}

/// The days since 1970-01-01 of a valid date (proleptic Gregorian; Hinnant's
/// `days_from_civil`): what chrono gives, without its tables.
const fn civil_days(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// `s` without white space at either end, as `str::trim` (Unicode white space), with
/// a fast path for the usual value that starts and ends with a visible ASCII character.
pub fn trim(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(first), Some(last)) if first.is_ascii_graphic() && last.is_ascii_graphic() => s,
        _ => s.trim(),
    }
}

/// Reads `HH:MM[:SS[.fff]]`; returns the seconds into the day and the rest of the input.
fn parse_time(b: &[u8]) -> Option<(i64, &[u8])> {
    if b.len() < 5 || b[2] != b':' {
        return None;
    }
    let hour = digits(&b[0..2])?;
    let minute = digits(&b[3..5])?;
    let mut rest = &b[5..];
    let mut second = 0;
    if rest.first() == Some(&b':') {
        second = digits(rest.get(1..3)?)?;
        rest = &rest[3..];
        if rest.first() == Some(&b'.') || rest.first() == Some(&b',') {
            let frac = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
            if frac == 0 {
                return None;
            }
            rest = &rest[1 + frac..];
        }
    }
    // 24:00:00 is not accepted; a leap second 23:59:60 is read as 23:59:59.
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let second = second.min(59);
    Some((i64::from(hour * 3600 + minute * 60 + second), rest))
}

/// Reads an optional UTC offset (`Z`, `+HH:MM`, `+HHMM`, `+HH`) that must end the input.
/// Returns the offset in seconds east of UTC; `Some(None)` when there is none.
fn parse_offset(b: &[u8]) -> Option<Option<i64>> {
    match b {
        [] => Some(None),
        [b'Z' | b'z'] => Some(Some(0)),
        [sign @ (b'+' | b'-'), rest @ ..] => {
            let (hours, minutes) = match rest {
                [h1, h2] => (digits(&[*h1, *h2])?, 0),
                [h1, h2, b':', m1, m2] | [h1, h2, m1, m2] => (digits(&[*h1, *h2])?, digits(&[*m1, *m2])?),
                _ => return None,
            };
            if hours > 23 || minutes > 59 {
                return None;
            }
            let seconds = i64::from(hours * 3600 + minutes * 60);
            Some(Some(if *sign == b'-' { -seconds } else { seconds }))
        }
        _ => None,
    }
}

fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |acc, c| c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0')))
}

/// Parses a time of day (`HH:MM`, `HH:MM:SS`, `H:MM`, with an optional fraction of a
/// second or `AM`/`PM`) into seconds after midnight; empty is `Ok(None)` (midnight).
pub fn parse_time_of_day(raw: &str) -> Result<Option<i64>, Reason> {
    let s = trim(raw);
    if s.is_empty() {
        return Ok(None);
    }
    let bad = || "not a time of day (HH:MM or HH:MM:SS)".to_string();
    let upper = s.to_ascii_uppercase();
    let (clock, meridiem) = match upper.strip_suffix("AM").or_else(|| upper.strip_suffix("A.M.")) {
        Some(c) => (c.trim_end().to_string(), Some(0)),
        None => match upper.strip_suffix("PM").or_else(|| upper.strip_suffix("P.M.")) {
            Some(c) => (c.trim_end().to_string(), Some(12)),
            None => (upper.clone(), None),
        },
    };
    let padded = if clock.len() >= 2 && clock.as_bytes()[1] == b':' { format!("0{clock}") } else { clock };
    let (seconds, rest) = parse_time(padded.as_bytes()).ok_or_else(bad)?;
    if !rest.is_empty() {
        return Err(bad());
    }
    Ok(Some(match meridiem {
        None => seconds,
        Some(add) => {
            let hour = seconds / 3600;
            if !(1..=12).contains(&hour) {
                return Err(bad());
            }
            (hour % 12 + add) * 3600 + seconds % 3600
        }
    }))
}

/// Returns the calendar date of a [`LocalSeconds`] value.
pub fn date_of(seconds: LocalSeconds) -> NaiveDate {
    crate::period::from_epoch_days(seconds.div_euclid(SECONDS_PER_DAY) as i32)
}

/// Formats a [`LocalSeconds`] value as `YYYY-MM-DD HH:MM:SS`.
pub fn date_time_of(seconds: LocalSeconds) -> String {
    let time = seconds.rem_euclid(SECONDS_PER_DAY);
    format!("{} {:02}:{:02}:{:02}", date_of(seconds), time / 3600, time % 3600 / 60, time % 60)
}

/// Parses a time zone given as `UTC`, a fixed offset `+08:00` / `-0530`, or an IANA
/// name (`Asia/Shanghai`, `America/New_York`: daylight saving time is followed).
pub fn parse_tz(s: &str) -> Result<Zone, String> {
    let t = trim(s);
    if t.eq_ignore_ascii_case("utc") || t.eq_ignore_ascii_case("z") || t.eq_ignore_ascii_case("gmt") {
        return Ok(Zone::Fixed(0));
    }
    if let Ok(tz) = t.parse::<chrono_tz::Tz>() {
        return Ok(Zone::Named(tz));
    }
    // A zone name in another case (`america/new_york`) is that zone.
    if let Some(tz) = chrono_tz::TZ_VARIANTS.iter().find(|tz| tz.name().eq_ignore_ascii_case(t)) {
        return Ok(Zone::Named(*tz));
    }
    let fixed = t.strip_prefix("UTC").unwrap_or(t);
    match parse_offset(fixed.as_bytes()) {
        Some(Some(seconds)) => Ok(Zone::Fixed(seconds as i32)),
        _ => Err("give UTC, a fixed offset such as +08:00, or an IANA zone name such as Asia/Shanghai".to_string()),
    }
}

/// Parses a boolean: true/false, yes/no, y/n, 1/0, t/f in any case, and 是/否, 真/假,
/// 对/错; empty is missing.
pub fn parse_bool(raw: &str) -> Result<Option<bool>, Reason> {
    let s = trim(raw);
    // The usual spellings first, without a comparison ignoring case per word.
    match s {
        "" => return Ok(None),
        "true" | "1" => return Ok(Some(true)),
        "false" | "0" => return Ok(Some(false)),
        _ => {}
    }
    let is = |words: &[&str]| words.iter().any(|w| s.eq_ignore_ascii_case(w));
    if is(&["true", "yes", "y", "1", "t", "是", "真", "对"]) {
        Ok(Some(true))
    } else if is(&["false", "no", "n", "0", "f", "否", "假", "错"]) {
        Ok(Some(false))
    } else {
        Err("not a boolean".to_string())
    }
}

/// Parses a churn flag: a boolean ([`parse_bool`]), or the words churn exports use:
/// `churned`, `attrited`, `attrited customer`, `lost`, `cancelled` (true);
/// `retained`, `existing`, `existing customer`, `active`, `stayed` (false).
pub fn parse_churned(raw: &str) -> Result<Option<bool>, Reason> {
    let s = trim(raw);
    let is = |words: &[&str]| words.iter().any(|w| s.eq_ignore_ascii_case(w));
    if is(&["churned", "attrited", "attrited customer", "lost", "cancelled", "canceled", "流失", "已流失"]) {
        return Ok(Some(true));
    }
    if is(&["retained", "existing", "existing customer", "active", "stayed", "未流失", "留存"]) {
        return Ok(Some(false));
    }
    parse_bool(s).map_err(|_| "not a churn flag (yes/no, 1/0, true/false, churned/retained)".to_string())
}

/// Parses an integer score on the inclusive scale `min..=max`.
///
/// `8.0` (a spreadsheet export) counts as 8; `8.5` is "not an integer"; a value off
/// the scale is "outside min..max".
pub fn parse_score(raw: &str, min: i32, max: i32, labels: Option<&Labels>) -> Result<Option<i32>, Reason> {
    let s = trim(raw);
    if s.is_empty() {
        return Ok(None);
    }
    if let Some(score) = labels.and_then(|l| l.score(s)) {
        return Ok(Some(score));
    }
    let value = parse_integer(s)
        .map_err(|e| if labels.is_some() { "not one of the labels nor a score".to_string() } else { e })?;
    if value < i64::from(min) || value > i64::from(max) {
        return Err(format!("outside {min}..{max}"));
    }
    Ok(Some(value as i32))
}

/// Rating labels (SPEC §14): answers written as words, each read as a score, in any
/// case with spaces around ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Labels {
    /// The words, lower-cased and trimmed, with their scores.
    pub entries: Vec<(String, i32)>,
    /// A two-word scale (good/bad): a share, no mean.
    pub binary: bool,
}

impl Labels {
    /// The `zh-5` preset: 非常满意 5 … 非常不满意 1.
    pub fn zh_5() -> Self {
        let words = [("非常满意", 5), ("满意", 4), ("一般", 3), ("不满意", 2), ("非常不满意", 1)];
        Labels { entries: words.iter().map(|(w, s)| (w.to_string(), *s)).collect(), binary: false }
    }

    /// The `good-bad` preset: good 1, bad 0 (binary CSAT).
    pub fn good_bad() -> Self {
        Labels { entries: vec![("good".to_string(), 1), ("bad".to_string(), 0)], binary: true }
    }

    /// A custom map (`{ "very satisfied" = 5, … }`).
    pub fn custom(map: &std::collections::BTreeMap<String, i32>) -> Self {
        Labels { entries: map.iter().map(|(w, s)| (w.trim().to_lowercase(), *s)).collect(), binary: false }
    }

    /// The score of a word, if it is one of the labels.
    pub fn score(&self, raw: &str) -> Option<i32> {
        let word = raw.trim().to_lowercase();
        self.entries.iter().find(|(w, _)| *w == word).map(|(_, s)| *s)
    }
}

/// Parses a whole number, accepting a zero fraction (`3.0`).
pub fn parse_integer(s: &str) -> Result<i64, Reason> {
    if let Ok(v) = s.parse::<i64>() {
        return Ok(v);
    }
    let x = parse_finite(s)?;
    if x.fract() != 0.0 {
        return Err("not an integer".to_string());
    }
    if x.abs() > 9.0e15 {
        // A whole number too large to hold: off any scale servq reads.
        return Ok(if x > 0.0 { i64::MAX } else { i64::MIN });
    }
    Ok(x as i64)
}

/// Parses a finite decimal number (`.` as the decimal point).
pub fn parse_finite(s: &str) -> Result<f64, Reason> {
    if let Some(x) = plain_decimal(s.as_bytes()) {
        return Ok(x);
    }
    match s.parse::<f64>() {
        // A written non-zero number that rounds to 0 (1e-400) is not silently zero.
        Ok(0.0) if s.split(['e', 'E']).next().is_some_and(|m| m.bytes().any(|b| (b'1'..=b'9').contains(&b))) => {
            Err("too small for a number (it rounds to 0: the least is 5e-324)".to_string())
        }
        Ok(x) if x.is_finite() => Ok(x),
        Ok(_) if !s.to_ascii_lowercase().contains("inf") && !s.to_ascii_lowercase().contains("nan") => {
            Err("too large for a number (above 1.8e308)".to_string())
        }
        _ if s.contains(',') && s.replace(',', ".").parse::<f64>().is_ok() => {
            Err("not a number (decimal comma?)".to_string())
        }
        _ => Err("not a number".to_string()),
    }
}

/// The powers of ten a double holds exactly, up to 10¹⁵.
const POWERS_OF_TEN: [f64; 16] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/// A plain decimal `[+-]digits[.digits]` of at most 15 digits, read as `str::parse`
/// reads it, or `None` for any other text (left to `str::parse`). Its digits are a
/// whole number below 2⁵³ and its scale a power of ten up to 10¹⁵, both doubles
/// exactly, so one division gives the correctly rounded value (Clinger's fast path).
fn plain_decimal(s: &[u8]) -> Option<f64> {
    let (negative, digits) = match s.first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let (mut whole, mut count, mut scale) = (0u64, 0usize, None);
    for (i, &b) in digits.iter().enumerate() {
        match b {
            b'0'..=b'9' => {
                whole = whole * 10 + u64::from(b - b'0');
                count += 1;
                if count > 15 {
                    return None;
                }
            }
            b'.' if scale.is_none() => scale = Some(digits.len() - i - 1),
            _ => return None,
        }
    }
    if count == 0 {
        return None;
    }
    let x = whole as f64 / POWERS_OF_TEN[scale.unwrap_or(0)];
    Some(if negative { -x } else { x })
}

/// Parses an optional number that must be at least zero (durations, counts of money).
pub fn parse_non_negative(raw: &str) -> Result<Option<f64>, Reason> {
    let s = trim(raw);
    if s.is_empty() {
        return Ok(None);
    }
    let x = parse_finite(s)?;
    if x < 0.0 {
        return Err("negative".to_string());
    }
    // `-0` is 0: a negative zero would sort as 0 and print as `-0` (SPEC §13 h18c-2).
    Ok(Some(x + 0.0))
}

/// Parses an optional duration into seconds (SPEC §10): a number ≥ 0 in a unit of
/// `unit_seconds` seconds, or a clock `H:MM:SS` or `MM:SS` (hours may exceed 23,
/// minutes and seconds are below 60, seconds may have a fraction).
pub fn parse_duration(raw: &str, unit_seconds: u32) -> Result<Option<f64>, Reason> {
    let s = trim(raw);
    if s.is_empty() {
        return Ok(None);
    }
    let seconds = if s.contains(':') {
        clock_seconds(s)?
    } else {
        match parse_non_negative(s)? {
            Some(x) => x * f64::from(unit_seconds),
            None => return Ok(None),
        }
    };
    if seconds > MAX_DURATION_SECONDS {
        return Err("too long for a duration (over 1000 years)".to_string());
    }
    Ok(Some(seconds))
}

/// The longest duration read: 1000 years (its milliseconds and their squares stay
/// within the exact sums of the means).
const MAX_DURATION_SECONDS: f64 = 1000.0 * 365.25 * 86_400.0;

/// The seconds of a clock `H:MM:SS` or `MM:SS` (seconds may have a decimal fraction).
fn clock_seconds(s: &str) -> Result<f64, Reason> {
    let bad = || "not a duration (a number, H:MM:SS or MM:SS)".to_string();
    let parts: Vec<&str> = s.split(':').collect();
    let (hours, minutes, seconds) = match parts.as_slice() {
        [h, m, sec] => (*h, *m, *sec),
        [m, sec] => ("0", *m, *sec),
        _ => return Err(bad()),
    };
    let whole =
        |t: &str| (!t.is_empty() && t.bytes().all(|b| b.is_ascii_digit())).then(|| t.parse::<u64>().ok()).flatten();
    let (Some(h), Some(m)) = (whole(hours), whole(minutes)) else { return Err(bad()) };
    // Digits with at most one decimal point: no sign, no exponent.
    let decimal =
        seconds.split_once('.').map_or(seconds, |(whole, fraction)| if fraction.is_empty() { "" } else { whole });
    let digits_only = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let fraction_ok = seconds.split_once('.').is_none_or(|(_, f)| digits_only(f));
    let sec = match seconds.parse::<f64>() {
        Ok(x) if digits_only(decimal) && fraction_ok => x,
        _ => return Err(bad()),
    };
    // The leading part may be any size; the others are below 60.
    let leading_minutes = parts.len() == 2;
    if (!leading_minutes && m >= 60) || sec >= 60.0 {
        return Err(bad());
    }
    Ok(h as f64 * 3600.0 + m as f64 * 60.0 + sec)
}

/// Parses an optional number of any sign.
pub fn parse_number(raw: &str) -> Result<Option<f64>, Reason> {
    let s = trim(raw);
    if s.is_empty() {
        return Ok(None);
    }
    parse_finite(s).map(Some)
}

/// Amounts of money are stored as whole multiples of 1 / MONEY_UNITS.
pub const MONEY_UNITS: f64 = 1e6;

/// Converts an amount to whole millionths, rounding anything finer. Exact for every
/// amount written with up to six decimals below 9 billion.
pub fn money_units(x: f64) -> Result<i64, Reason> {
    let units = (x * MONEY_UNITS).round();
    // 2⁶³ is a double exactly; every double below it fits 64 bits.
    if units.abs() >= 9_223_372_036_854_775_808.0 {
        return Err(MONEY_TOO_LARGE.to_string());
    }
    Ok(units as i64)
}

/// The reason for an amount beyond what whole millionths in 64 bits hold.
const MONEY_TOO_LARGE: &str = "too large for an amount (over 9,223,372,036,854.775807)";

/// Parses an amount of money into whole millionths exactly, from its decimal text
/// (`-1234.5`, `+8999999999.000001`): digits past the sixth decimal are rounded half
/// away from zero. Text with an exponent (`1.5e3`) goes through [`parse_finite`] and
/// [`money_units`]. Empty is `Ok(None)`; a negative amount is rejected unless
/// `negative` is set.
pub fn parse_money(raw: &str, negative: bool) -> Result<Option<i64>, Reason> {
    let s = trim(raw);
    if s.is_empty() {
        return Ok(None);
    }
    let (sign, digits) = match s.as_bytes()[0] {
        b'-' => (-1i128, &s[1..]),
        b'+' => (1, &s[1..]),
        _ => (1, s),
    };
    // A byte search: `split_once('.')` compared each match through a call to memcmp.
    let (whole, fraction) = match digits.bytes().position(|b| b == b'.') {
        Some(dot) => (&digits[..dot], &digits[dot + 1..]),
        None => (digits, ""),
    };
    // The common case: up to 12 whole digits and 6 decimals, in 64-bit arithmetic.
    if whole.len() <= 12 && fraction.len() <= 6 && !(whole.is_empty() && fraction.is_empty()) {
        let mut units: i64 = 0;
        let mut plain = true;
        for b in whole.bytes().chain(fraction.bytes()) {
            plain &= b.is_ascii_digit();
            units = units * 10 + i64::from(b.wrapping_sub(b'0'));
        }
        if plain {
            const SCALE: [i64; 7] = [1_000_000, 100_000, 10_000, 1_000, 100, 10, 1];
            let units = units * SCALE[fraction.len()] * sign as i64;
            if units < 0 && !negative {
                return Err("negative".to_string());
            }
            return Ok(Some(units));
        }
    }
    let plain = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !plain(whole) || !plain(fraction) {
        // Exponents, decimal commas and other text: the general number parser decides.
        let x = parse_finite(s)?;
        if x < 0.0 && !negative {
            return Err("negative".to_string());
        }
        return money_units(x).map(Some);
    }
    let mut units: i128 = 0;
    for b in whole.bytes() {
        units = units.saturating_mul(10).saturating_add(i128::from(b - b'0'));
    }
    for b in fraction.bytes().chain(std::iter::repeat(b'0')).take(6) {
        units = units.saturating_mul(10).saturating_add(i128::from(b - b'0'));
    }
    if fraction.as_bytes().get(6).is_some_and(|b| *b >= b'5') {
        units += 1;
    }
    let units = sign * units;
    if units < 0 && !negative {
        return Err("negative".to_string());
    }
    i64::try_from(units).map(Some).map_err(|_| MONEY_TOO_LARGE.to_string())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        /// The fast path reads a plain decimal to the same bits as `str::parse`, and
        /// leaves every other text to it.
        #[test]
        fn plain_decimals_read_as_str_parse_reads_them(
            text in "[-+]?[0-9]{0,18}(\\.[0-9]{0,18})?|[-+0-9.eE]{0,12}"
        ) {
            let fast = super::plain_decimal(text.as_bytes());
            let reference = text.parse::<f64>().ok();
            if let Some(x) = fast {
                prop_assert_eq!(Some(x.to_bits()), reference.map(f64::to_bits), "{}", text);
            }
        }
    }

    #[test]
    fn plain_decimals_at_the_edges_of_the_fast_path() {
        // 15 digits take the fast path; 16 go to str::parse; both read as it reads them.
        for text in
            ["999999999999999", "0.00000000000001", "-0", "-0.0", "+.5", "5.", "9007199254740993", "0.1", "1.70"]
        {
            assert_eq!(
                super::parse_finite(text).map(f64::to_bits),
                Ok(text.parse::<f64>().unwrap().to_bits()),
                "{text}"
            );
        }
        assert_eq!(super::plain_decimal(b"0.30000000000000004"), None);
        assert_eq!(super::plain_decimal(b"123456789012345"), Some(123456789012345.0));
        assert_eq!(super::plain_decimal(b"1234567890123456"), None);
        for text in [".", "-", "+", "", "1.2.3", "1e5", "--1", "1,5"] {
            assert_eq!(super::plain_decimal(text.as_bytes()), None, "{text}");
        }
        assert_eq!(super::parse_bool("true"), Ok(Some(true)));
        assert_eq!(super::parse_bool("0"), Ok(Some(false)));
        assert_eq!(super::parse_bool("TRUE"), Ok(Some(true)));
        assert_eq!(super::parse_bool("No"), Ok(Some(false)));
    }

    #[test]
    fn the_fast_trim_is_str_trim() {
        for s in [
            "",
            " ",
            "a",
            " a",
            "a ",
            "\u{a0}a\u{a0}",
            "\u{b}NA",
            "NA\u{b}",
            "x y",
            "é",
            "\u{2003}",
            "a\u{85}",
            "\t1\r",
        ] {
            assert_eq!(super::trim(s), s.trim(), "{s:?}");
        }
    }

    #[test]
    fn days_since_1970_are_chrono_s_for_every_day_of_years_0_to_9999() {
        let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
        let mut date = chrono::NaiveDate::from_ymd_opt(0, 1, 1).unwrap();
        let last = chrono::NaiveDate::from_ymd_opt(9999, 12, 31).unwrap();
        while date <= last {
            use chrono::Datelike;
            let (y, m, d) = (date.year() as u32, date.month(), date.day());
            assert!(d <= super::days_in_month(y, m), "{date}");
            if d == 28 || d == 29 || d == 30 {
                // The next day exists exactly when chrono says so.
                assert_eq!(
                    d < super::days_in_month(y, m),
                    chrono::NaiveDate::from_ymd_opt(y as i32, m, d + 1).is_some()
                );
            }
            let days = super::epoch_days_of(i64::from(y), i64::from(m), i64::from(d));
            assert_eq!(days, (date - epoch).num_days(), "{date}");
            date = date.succ_opt().unwrap();
        }
    }

    #[test]
    fn churn_flags_as_exports_write_them() {
        use super::parse_churned;
        assert_eq!(parse_churned("Yes"), Ok(Some(true)));
        assert_eq!(parse_churned("0"), Ok(Some(false)));
        assert_eq!(parse_churned("Attrited Customer"), Ok(Some(true)));
        assert_eq!(parse_churned(" existing customer "), Ok(Some(false)));
        assert_eq!(parse_churned(""), Ok(None));
        assert_eq!(
            parse_churned("maybe"),
            Err("not a churn flag (yes/no, 1/0, true/false, churned/retained)".to_string())
        );
    }

    #[test]
    fn numbers_beyond_a_double_say_so() {
        use super::parse_finite;
        assert_eq!(parse_finite("1e400"), Err("too large for a number (above 1.8e308)".to_string()));
        assert_eq!(
            parse_finite("1e-400"),
            Err("too small for a number (it rounds to 0: the least is 5e-324)".to_string())
        );
        assert_eq!(
            parse_finite("-1e-999"),
            Err("too small for a number (it rounds to 0: the least is 5e-324)".to_string())
        );
        assert_eq!(parse_finite("0e-400"), Ok(0.0));
        assert_eq!(parse_finite("0.000"), Ok(0.0));
        assert_eq!(parse_finite("inf"), Err("not a number".to_string()));
        assert_eq!(parse_finite("1e300"), Ok(1e300));
    }

    use super::*;

    #[test]
    fn named_zones_follow_daylight_saving_time() {
        let new_york = Zone::Named(chrono_tz::America::New_York);
        let at = |text: &str| DateParser { format: None, tz: new_york }.parse(text).unwrap().map(date_time_of);
        // Before and after the spring change (2025-03-09 02:00 local): −5 h, then −4 h.
        assert_eq!(at("2025-03-09T06:30:00Z").as_deref(), Some("2025-03-09 01:30:00"));
        assert_eq!(at("2025-03-09T07:30:00Z").as_deref(), Some("2025-03-09 03:30:00"));
        // Autumn (2025-11-02 02:00 local): 04:30 UTC is still 00:30 EDT on the 2nd.
        assert_eq!(at("2025-11-02T04:30:00Z").as_deref(), Some("2025-11-02 00:30:00"));
        assert_eq!(at("2025-11-02T07:30:00+00:00").as_deref(), Some("2025-11-02 02:30:00"));
        // China kept daylight saving time in 1986–1991 (UTC+9 in summer 1988).
        let shanghai = DateParser { format: None, tz: Zone::Named(chrono_tz::Asia::Shanghai) };
        assert_eq!(
            shanghai.parse("1988-06-01T15:30:00Z").unwrap().map(date_time_of).as_deref(),
            Some("1988-06-02 00:30:00")
        );
        assert_eq!(
            shanghai.parse("2025-06-01T15:30:00Z").unwrap().map(date_time_of).as_deref(),
            Some("2025-06-01 23:30:00")
        );
        // A value without an offset is local already.
        assert_eq!(at("2025-11-02 00:30:00").as_deref(), Some("2025-11-02 00:30:00"));
    }

    #[test]
    fn local_times_are_instants_with_the_offset_before_a_change() {
        let new_york = Zone::Named(chrono_tz::America::New_York);
        let at = |text: &str| DateParser { format: None, tz: new_york }.parse_stamp(text).unwrap().unwrap();
        // 2025-11-02 01:30 happens twice: read as EDT (05:30 UTC), the offset before.
        assert_eq!(at("2025-11-02 01:30").instant(new_york), 1_762_061_400);
        // Its second 01:20 (EST, 06:20 UTC), given with its offset, is 50 minutes later.
        assert_eq!(at("2025-11-02T01:20:00-05:00").instant(new_york) - 1_762_061_400, 50 * 60);
        // 2025-03-09 02:30 does not happen: read as EST, 07:30 UTC (03:30 EDT).
        assert_eq!(at("2025-03-09 02:30").instant(new_york), 1_741_505_400);
        // 01:50 EST to 03:10 EDT is 20 minutes.
        assert_eq!(at("2025-03-09 03:10").instant(new_york) - at("2025-03-09 01:50").instant(new_york), 20 * 60);
        assert_eq!(Zone::Fixed(3600).utc_of_local(7200), 3600);
        assert_eq!(Zone::Fixed(-3600).utc_of_local(i64::MAX), i64::MAX);
        // A time of day after an offset moves the instant as much.
        assert_eq!(at("2025-11-02T00:00:00-04:00").plus(90, new_york).utc, Some(1_762_056_090));
        // 2025-11-02T00:00-04:00 and 23:30 is 2025-11-03T03:30 UTC: 22:30 EST on the 2nd.
        let late = at("2025-11-02T00:00:00-04:00").plus(23 * 3600 + 1800, new_york);
        assert_eq!(date_time_of(late.local), "2025-11-02 22:30:00");
        // Every zone: the local changes give utc_of_local's offset on both sides of each
        // change (the SQL scripts read local times by them).
        for tz in chrono_tz::TZ_VARIANTS.iter().step_by(7) {
            let zone = Zone::Named(*tz);
            let offsets = zone.offsets();
            let local = offsets.local_changes();
            let offset = |at: i64| {
                let index = local.partition_point(|(start, _)| *start <= at);
                i64::from(if index == 0 { offsets.first } else { local[index - 1].1 })
            };
            for &(start, _) in local.iter().filter(|(start, _)| (-2_000_000_000..4_000_000_000).contains(start)) {
                for at in [start - 3601, start - 1, start, start + 1, start + 1800] {
                    assert_eq!(zone.utc_of_local(at), at - offset(at), "{tz} at local {at}");
                }
                // A day's one offset, where it has one, is utc_of_local's for its times.
                for day in start.div_euclid(86_400) - 4..start.div_euclid(86_400) + 4 {
                    if let Some(o) = zone.offset_of_day(day) {
                        for at in [day * 86_400, day * 86_400 + 43_200, day * 86_400 + 86_399] {
                            assert_eq!(zone.utc_of_local(at), at - o, "{tz} on day {day}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn times_of_day_join_a_date() {
        assert_eq!(parse_time_of_day("09:30"), Ok(Some(34_200)));
        assert_eq!(parse_time_of_day("9:30:15"), Ok(Some(34_215)));
        assert_eq!(parse_time_of_day("23:59:59.5"), Ok(Some(86_399)));
        assert_eq!(parse_time_of_day(" "), Ok(None));
        assert_eq!(parse_time_of_day("12:05 AM"), Ok(Some(300)));
        assert_eq!(parse_time_of_day("12:05 PM"), Ok(Some(43_500)));
        assert_eq!(parse_time_of_day("1:00 pm"), Ok(Some(46_800)));
        for bad in ["24:00", "9", "09:60", "13:00 PM", "0:30 AM", "09:30x", "noon"] {
            assert!(parse_time_of_day(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn durations_are_numbers_in_their_unit_or_clocks() {
        assert_eq!(parse_duration("90", 1), Ok(Some(90.0)));
        assert_eq!(parse_duration(" 1.5 ", 60), Ok(Some(90.0)));
        assert_eq!(parse_duration("2", 3600), Ok(Some(7200.0)));
        assert_eq!(parse_duration("", 60), Ok(None));
        assert_eq!(parse_duration("00:03:45", 60), Ok(Some(225.0)));
        assert_eq!(parse_duration("1:02:03.5", 60), Ok(Some(3723.5)));
        assert_eq!(parse_duration("26:00:00", 60), Ok(Some(93_600.0)));
        assert_eq!(parse_duration("03:45", 60), Ok(Some(225.0)));
        assert_eq!(parse_duration("75:10", 60), Ok(Some(4510.0)));
        // h18c-2: `-0` is 0, not a negative zero that prints as `-0`.
        let zero = parse_duration("-0", 60).unwrap().unwrap();
        assert!(zero == 0.0 && zero.is_sign_positive());
        for bad in [
            "1:60:00", "1:00:60", "-1:00:00", "a:00", "1::00", "1:2:3:4", "00:+5", "1:00:-5", "00:5e1", "0:00:1e1",
            "0:00:5.", "0:00:.5",
        ] {
            assert!(parse_duration(bad, 60).is_err(), "{bad}");
        }
        assert_eq!(parse_duration("0:00:05.25", 60), Ok(Some(5.25)));
        // Over 1000 years: rejected, never a saturated sum.
        assert!(parse_duration("1e300", 60).is_err());
        assert!(parse_duration("99999999999999999999:00:00", 60).is_err());
        assert_eq!(parse_duration("1:00:00", 60), Ok(Some(3600.0)));
        assert_eq!(parse_duration("-5", 60), Err("negative".to_string()));
    }

    fn iso(s: &str) -> Result<Option<i64>, Reason> {
        DateParser::default().parse(s)
    }

    #[test]
    fn money_is_parsed_exactly_from_its_text() {
        assert_eq!(parse_money("8999999999.000001", true), Ok(Some(8_999_999_999_000_001)));
        assert_eq!(parse_money("-8999999999", true), Ok(Some(-8_999_999_999_000_000)));
        assert_eq!(parse_money("9223372036854.775807", true), Ok(Some(i64::MAX)));
        assert!(parse_money("9223372036854.775808", true).is_err());
        assert_eq!(parse_money("9200000000000", true), Ok(Some(9_200_000_000_000_000_000)));
        assert_eq!(parse_money("1.2345675", true), Ok(Some(1_234_568)));
        assert_eq!(parse_money("-0.0000005", true), Ok(Some(-1)));
        assert_eq!(parse_money(".5", true), Ok(Some(500_000)));
        assert_eq!(parse_money("1.5e3", true), Ok(Some(1_500_000_000)));
        assert_eq!(parse_money("-3", false), Err("negative".to_string()));
        assert_eq!(parse_money("", false), Ok(None));
        assert!(parse_money("12,50", true).is_err());
        assert!(parse_money("abc", true).is_err());
    }

    #[test]
    fn money_is_counted_in_exact_millionths() {
        assert_eq!(money_units(12.34), Ok(12_340_000));
        assert_eq!(money_units(-0.000_001), Ok(-1));
        assert_eq!(money_units(0.1 + 0.2), Ok(300_000));
        assert_eq!(money_units(123_456_789.123_456), Ok(123_456_789_123_456));
        assert!(money_units(1e13).is_err());
    }

    #[test]
    fn iso_dates_and_datetimes() {
        assert_eq!(iso("1970-01-02"), Ok(Some(86_400)));
        assert_eq!(iso("1970-01-01T01:00"), Ok(Some(3600)));
        assert_eq!(iso("1970-01-01 00:00:10.5"), Ok(Some(10)));
        assert_eq!(iso("1970-01-01T08:00:00+08:00"), Ok(Some(0)));
        assert_eq!(iso("1970-01-01T00:00:00Z"), Ok(Some(0)));
        assert_eq!(iso("1970-01-01T00:00:00-0100"), Ok(Some(3600)));
        assert_eq!(iso(""), Ok(None));
        assert_eq!(iso("2025-02-30"), Err("impossible date".into()));
        assert_eq!(iso("14/03/2025"), Err("not an ISO date".into()));
        assert_eq!(iso("2025-03-14T25:00"), Err("not an ISO date".into()));
        assert_eq!(iso("2025-03-14T10:00junk"), Err("not an ISO date".into()));
    }

    #[test]
    fn offset_is_converted_to_report_zone_before_the_date_is_taken() {
        let shanghai = DateParser { format: None, tz: Zone::Fixed(8 * 3600) };
        // 2025-01-31T20:00Z is 2025-02-01 04:00 in UTC+8.
        let t = shanghai.parse("2025-01-31T20:00:00Z").unwrap().unwrap();
        assert_eq!(date_of(t).to_string(), "2025-02-01");
        // A naive value is already local.
        let t = shanghai.parse("2025-01-31T20:00:00").unwrap().unwrap();
        assert_eq!(date_of(t).to_string(), "2025-01-31");
    }

    #[test]
    fn explicit_formats() {
        let p = DateParser { format: Some("%d-%m-%Y".into()), tz: Zone::Fixed(0) };
        assert_eq!(date_of(p.parse("14-03-2025").unwrap().unwrap()).to_string(), "2025-03-14");
        // ISO dates in the same file are read as well (they cannot be mistaken).
        assert_eq!(date_of(p.parse("2025-03-14").unwrap().unwrap()).to_string(), "2025-03-14");
        assert_eq!(p.parse("14/03/2025"), Err("does not match --date-format %d-%m-%Y".to_string()));
        let p = DateParser { format: Some("%Y%m%d".into()), tz: Zone::Fixed(0) };
        assert_eq!(date_of(p.parse("20250314").unwrap().unwrap()).to_string(), "2025-03-14");
    }

    #[test]
    fn time_zones() {
        assert_eq!(parse_tz("UTC"), Ok(Zone::Fixed(0)));
        assert_eq!(parse_tz("+08:00"), Ok(Zone::Fixed(28_800)));
        assert_eq!(parse_tz("-0530"), Ok(Zone::Fixed(-19_800)));
        assert_eq!(parse_tz("Asia/Shanghai"), Ok(Zone::Named(chrono_tz::Asia::Shanghai)));
        assert_eq!(parse_tz("america/new_york"), Ok(Zone::Named(chrono_tz::America::New_York)));
    }

    #[test]
    fn a_zones_offsets_are_its_changes_to_the_second() {
        // New York: daylight saving time from 2025-03-09 02:00 EST (07:00 UTC) to
        // 2025-11-02 02:00 EDT (06:00 UTC).
        let new_york = Zone::Named(chrono_tz::America::New_York).offsets();
        assert!(new_york.changes.contains(&(1_741_503_600, -4 * 3600)), "{new_york:?}");
        assert!(new_york.changes.contains(&(1_762_063_200, -5 * 3600)));
        // Local mean time until 1883-11-18 17:00 UTC (−4:56:02).
        assert_eq!(new_york.first, -(4 * 3600 + 56 * 60 + 2));
        assert_eq!(new_york.changes[0], (-2_717_650_800, -5 * 3600));
        // Shanghai: no change since 1991; Kolkata's last in 1945.
        let shanghai = Zone::Named(chrono_tz::Asia::Shanghai).offsets();
        assert_eq!(shanghai.changes.last().map(|c| c.1), Some(8 * 3600));
        assert_eq!(Zone::Fixed(3600).offsets(), Offsets { first: 3600, changes: Vec::new() });
        // Every zone: between and beyond its changes, the offsets are Zone::local's.
        for tz in chrono_tz::TZ_VARIANTS.iter().step_by(40) {
            let zone = Zone::Named(*tz);
            let offsets = zone.offsets();
            let at = |utc: i64| {
                let index = offsets.changes.partition_point(|(start, _)| *start <= utc);
                if index == 0 { offsets.first } else { offsets.changes[index - 1].1 }
            };
            for utc in (-62_135_596_800i64..253_402_300_799).step_by(86_399 * 997).chain([CHANGES_TO + 1]) {
                assert_eq!(i64::from(at(utc)), zone.local(utc) - utc, "{tz} at {utc}");
            }
            // Changes are a week apart or more (`Zone::offset_of_day` relies on it; the
            // closest of all zones: Boa Vista's of 2000, 6 days 23 hours apart).
            for pair in offsets.changes.windows(2) {
                assert!(pair[1].0 - pair[0].0 >= 6 * 86_400, "{tz}: {pair:?}");
            }
        }
        assert!(parse_tz("Mars/Olympus").is_err());
    }

    #[test]
    fn booleans() {
        for t in ["true", "YES", "y", "1", "T"] {
            assert_eq!(parse_bool(t), Ok(Some(true)), "{t}");
        }
        for f in ["false", "No", "n", "0", "f"] {
            assert_eq!(parse_bool(f), Ok(Some(false)), "{f}");
        }
        assert_eq!(parse_bool(" "), Ok(None));
        assert!(parse_bool("maybe").is_err());
    }

    #[test]
    fn scores() {
        assert_eq!(parse_score("8", 0, 10, None), Ok(Some(8)));
        assert_eq!(parse_score("8.0", 0, 10, None), Ok(Some(8)));
        assert_eq!(parse_score(" 10 ", 0, 10, None), Ok(Some(10)));
        assert_eq!(parse_score("0", 0, 10, None), Ok(Some(0)));
        assert_eq!(parse_score("", 0, 10, None), Ok(None));
        assert_eq!(parse_score("8.5", 0, 10, None), Err("not an integer".into()));
        assert_eq!(parse_score("11", 0, 10, None), Err("outside 0..10".into()));
        assert_eq!(parse_score("-1", 0, 10, None), Err("outside 0..10".into()));
        assert_eq!(parse_score("abc", 0, 10, None), Err("not a number".into()));
        assert_eq!(parse_score("NaN", 0, 10, None), Err("not a number".into()));
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_non_negative("4.25"), Ok(Some(4.25)));
        assert_eq!(parse_non_negative("0"), Ok(Some(0.0)));
        assert_eq!(parse_non_negative("-1"), Err("negative".into()));
        assert_eq!(parse_non_negative("4,25"), Err("not a number (decimal comma?)".into()));
        assert_eq!(parse_number("-3.5"), Ok(Some(-3.5)));
        assert_eq!(parse_number("inf"), Err("not a number".into()));
    }
}
