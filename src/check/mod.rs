//! KPI gates (SPEC §5 `servq check`, §6 `[[check]]`): threshold specs, and their
//! evaluation against computed records. A failed check is an outcome (exit 1), not
//! an error.

pub mod output;

use anyhow::Result;
use serde::Serialize;

use crate::compute::{Flag, Record, Results};
pub use crate::config::checks::{Bound, CheckSpec, Level, Scope};
use crate::metrics::{MetricId, change_p_value};
use crate::report::{human_value, period_label};

/// Parses a quick threshold: `nps>=30`, `complaints_per_1000<=1`, and the strict
/// `nps>30`, `csat<100` (the threshold itself fails).
pub fn parse_requirement(text: &str, level: Level) -> Result<CheckSpec> {
    let flag = if level == Level::Error { "--require" } else { "--warn" };
    let bad = || anyhow::anyhow!("{flag} '{text}': write METRIC>=NUMBER or METRIC<=NUMBER, e.g. 'nps>=30'");
    let at = text.find(['<', '>']).ok_or_else(bad)?;
    let (name, rest) = text.split_at(at);
    let (is_min, strict, number) = match rest {
        r if r.starts_with(">=") => (true, false, &r[2..]),
        r if r.starts_with("<=") => (false, false, &r[2..]),
        r if r.starts_with('>') => (true, true, &r[1..]),
        r => (false, true, &r[1..]),
    };
    if !name.trim().chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(bad());
    }
    let metric =
        MetricId::parse(name).ok_or_else(|| anyhow::anyhow!("{flag} '{text}': unknown metric '{}'", name.trim()))?;
    let value: f64 = number.trim().parse().map_err(|_| bad())?;
    if !value.is_finite() {
        return Err(bad());
    }
    let mut spec = CheckSpec::new(metric, &format!("{flag} '{text}'"));
    spec.level = level;
    spec.strict = strict;
    if is_min {
        spec.min = Some(value);
    } else {
        spec.max = Some(value);
    }
    Ok(spec)
}

/// How a check came out for one period and group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Within the thresholds.
    Pass,
    /// Outside them.
    Fail,
    /// Too few observations (0 < n < min_n, or no previous period) to judge.
    InsufficientData,
    /// No figure at all (n = 0: no rows, all rejected, a `where` value that occurs
    /// nowhere): a failure, never a pass.
    NoData,
}

impl Status {
    /// The status as printed.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::InsufficientData => "insufficient data",
            Status::NoData => "no data",
        }
    }
}

/// The result of one check on one period and group.
#[derive(Debug, Clone, Serialize)]
pub struct CheckResult {
    /// The check's description.
    pub check: String,
    /// Where it came from.
    pub source: String,
    /// The metric.
    pub metric: MetricId,
    /// error or warn.
    pub level: Level,
    /// The period label.
    pub period: String,
    /// Group column = value pairs.
    pub group: Vec<(String, String)>,
    /// The estimate.
    pub value: Option<f64>,
    /// Its n.
    pub n: u64,
    /// Its 95% interval.
    pub ci: Option<(f64, f64)>,
    /// The previous period's value, for drop checks.
    pub previous: Option<f64>,
    /// The two-sided p-value of the change, for drop checks.
    pub p_value: Option<f64>,
    /// The outcome.
    pub status: Status,
    /// Why, in words.
    pub reason: String,
}

impl CheckResult {
    /// Returns true if and only if this result is a failure (at its level).
    pub fn fails(&self) -> bool {
        matches!(self.status, Status::Fail | Status::NoData)
    }

    /// Returns true if and only if this result fails the run.
    pub fn fails_run(&self) -> bool {
        self.fails() && self.level == Level::Error
    }

    /// The group as `channel=chat, segment=smb` ("all" without groups).
    pub fn group_text(&self) -> String {
        if self.group.is_empty() {
            return "all".to_string();
        }
        self.group.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(", ")
    }
}

/// Returns true if and only if `record` belongs to the groups the check filters on.
fn matches_filter(spec: &CheckSpec, results: &Results, record: &Record) -> bool {
    spec.filter.iter().all(|(column, value)| {
        results.by.iter().position(|b| b == column).is_some_and(|i| record.groups.get(i) == Some(value))
    })
}

/// Picks the records a check judges: its metric and groups, in the latest complete
/// period (or all periods).
fn judged_records<'a>(spec: &CheckSpec, results: &'a Results) -> Vec<&'a Record> {
    let candidates: Vec<&Record> =
        results.records.iter().filter(|r| r.metric == spec.metric && matches_filter(spec, results, r)).collect();
    if spec.scope == Scope::All {
        return candidates;
    }
    // A figure over the whole window (clv, an undated snapshot's churn) is its own latest.
    if !candidates.is_empty() && candidates.iter().all(|r| r.whole_window) {
        return candidates;
    }
    let latest = latest_complete(spec, results)
        .or_else(|| candidates.iter().filter(|r| !r.flags.contains(&Flag::Partial)).map(|r| r.period_start).max());
    candidates.into_iter().filter(|r| Some(r.period_start) == latest && !r.flags.contains(&Flag::Partial)).collect()
}

/// The start of the latest complete period of the check's input: the last one over at
/// its as-of and not cut by `--to`. A check judges that period even when it has no
/// rows (no data fails), never an older one. `None` for `--period none` and clv.
fn latest_complete(spec: &CheckSpec, results: &Results) -> Option<chrono::NaiveDate> {
    let period = results.period;
    if period == crate::period::Period::None || spec.metric == MetricId::Clv {
        return None;
    }
    let as_of = results.as_of_of(spec.metric.input())?;
    let limit = results.window.1.map_or(as_of, |to| to.min(as_of));
    let start = period.start_of_index(period.last_complete(limit));
    // A period cut by --from is not complete either.
    Some(start).filter(|s| results.window.0.is_none_or(|from| from <= *s))
}

/// Evaluates one check against computed results: one result per judged period and
/// group, or a single "no data" result when there is nothing to judge (a failure:
/// a gate never passes on no data).
pub fn evaluate(spec: &CheckSpec, results: &Results) -> Vec<CheckResult> {
    let records = judged_records(spec, results);
    if records.is_empty() {
        let scope = match (spec.scope, latest_complete(spec, results)) {
            (Scope::Latest, Some(start)) => {
                format!(
                    "no figure for this metric and group in the latest complete period {}",
                    results.period.label(start)
                )
            }
            (Scope::Latest, None) => "no complete period with a figure for this metric and group".to_string(),
            (Scope::All, _) => "no period with a figure for this metric and group".to_string(),
        };
        let reason = format!("{scope}{}", values_seen(spec, results));
        let period = match spec.scope {
            Scope::Latest => latest_complete(spec, results).map_or(String::new(), |s| results.period.label(s)),
            Scope::All => String::new(),
        };
        return vec![CheckResult {
            check: spec.describe(),
            source: spec.source.clone(),
            metric: spec.metric,
            level: spec.level,
            period,
            group: spec.filter.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            value: None,
            n: 0,
            ci: None,
            previous: None,
            p_value: None,
            status: Status::NoData,
            reason,
        }];
    }
    records.into_iter().map(|record| judge(spec, results, record)).collect()
}

/// For a check with `where` values that match no figure: `; where channel = "chta"
/// occurs nowhere (values seen: chat, email)`.
fn values_seen(spec: &CheckSpec, results: &Results) -> String {
    let mut parts = Vec::new();
    for (column, value) in &spec.filter {
        let Some(i) = results.by.iter().position(|b| b == column) else { continue };
        let mut seen: Vec<&str> = results
            .records
            .iter()
            .filter(|r| r.metric == spec.metric)
            .filter_map(|r| r.groups.get(i))
            .map(String::as_str)
            .collect();
        seen.sort_unstable();
        seen.dedup();
        if !seen.contains(&value.as_str()) {
            parts.push(format!("where {column} = \"{value}\" occurs nowhere (values seen: {})", seen.join(", ")));
        }
    }
    if parts.is_empty() { String::new() } else { format!("; {}", parts.join("; ")) }
}

fn judge(spec: &CheckSpec, results: &Results, record: &Record) -> CheckResult {
    let e = &record.estimate;
    let mut result = CheckResult {
        check: spec.describe(),
        source: spec.source.clone(),
        metric: spec.metric,
        level: spec.level,
        period: period_label(results, record),
        group: results.by.iter().cloned().zip(record.groups.iter().cloned()).collect(),
        value: e.value,
        n: e.n,
        ci: e.ci,
        previous: None,
        p_value: None,
        status: Status::Pass,
        reason: String::new(),
    };
    let insufficient = |result: &mut CheckResult, why: String| {
        result.status = if spec.insufficient_fails { Status::Fail } else { Status::InsufficientData };
        result.reason = why;
    };
    if e.n == 0 || e.value.is_none() {
        result.status = Status::NoData;
        result.reason = "no figure (n = 0)".to_string();
        return result;
    }
    if record.flags.contains(&Flag::Rejected) && !spec.allow_rejected {
        result.status = Status::Fail;
        result.reason = "suspect data: more than 5% of the values were rejected (see the hints; allow_rejected = true to judge it anyway)".to_string();
        return result;
    }
    if let Some(min_n) = spec.min_n.filter(|&m| e.n < m) {
        insufficient(&mut result, format!("n = {} < min_n {min_n}", e.n));
        return result;
    }
    let bound = match spec.bound {
        Bound::Value => e.value,
        Bound::CiLow => e.ci.map(|c| c.0),
        Bound::CiHigh => e.ci.map(|c| c.1),
    };
    let Some(x) = bound else {
        insufficient(&mut result, "no interval for this figure".to_string());
        return result;
    };
    let mut failures = threshold_failures(spec, x);
    if let Some(max_drop) = spec.max_drop {
        match change_against_previous(spec, results, record) {
            None => {
                if failures.is_empty() {
                    insufficient(&mut result, "no previous period to compare with".to_string());
                    return result;
                }
            }
            Some((None, _)) => {
                result.status = Status::NoData;
                result.reason = "no figure in the previous period to compare with (n = 0)".to_string();
                return result;
            }
            Some((Some(_), _)) if !spec.allow_rejected && previous_is_suspect(results, record) => {
                result.status = Status::Fail;
                result.reason = "suspect data in the previous period: more than 5% of its values were rejected (allow_rejected = true to compare anyway)".to_string();
                return result;
            }
            Some((Some(previous), p_value)) => {
                result.previous = Some(previous);
                result.p_value = p_value;
                let change = e.value.unwrap_or(previous) - previous;
                let (worse, word) = if spec.metric.lower_is_better() { (change, "rose") } else { (-change, "dropped") };
                let significant = !spec.significant || p_value.is_some_and(|p| p < spec.alpha);
                let from = human_value(spec.metric, previous);
                if worse > max_drop && significant {
                    let p = p_value.map_or(String::new(), |p| format!(", p = {p:.4}"));
                    failures.push(format!("{word} {worse:.2} from {from} (> {max_drop}{p})"));
                } else if worse > max_drop {
                    let p = p_value.map_or("n/a".to_string(), |p| format!("{p:.4}"));
                    result.reason = format!("{word} {worse:.2} from {from} but not significant (p = {p})");
                }
            }
        }
    }
    if !failures.is_empty() {
        result.status = Status::Fail;
        result.reason = failures.join("; ");
    }
    result
}

/// The thresholds `x` breaks: `x < min` (`x <= min` when strict), likewise for max.
fn threshold_failures(spec: &CheckSpec, x: f64) -> Vec<String> {
    let shown = human_value(spec.metric, x);
    let mut failures = Vec::new();
    let (below, above) = if spec.strict { ("<=", ">=") } else { ("<", ">") };
    if let Some(min) = spec.min.filter(|&min| x < min || (spec.strict && x == min)) {
        failures.push(format!("{shown} {below} {min}"));
    }
    if let Some(max) = spec.max.filter(|&max| x > max || (spec.strict && x == max)) {
        failures.push(format!("{shown} {above} {max}"));
    }
    failures
}

/// The previous period's value and the p-value of the change (the metric's two-sample
/// test, see [`change_p_value`]). `None` when the data starts after the previous
/// period began (nothing to compare with yet); `Some((None, _))` when the previous
/// period is in the data but has no figure for this group (no data: a failure).
fn change_against_previous(spec: &CheckSpec, results: &Results, record: &Record) -> Option<(Option<f64>, Option<f64>)> {
    let previous_start = results.period.previous_start(record.period_start);
    let starts_before = results.range.is_some_and(|(first, _)| first <= results.period.end(previous_start));
    let previous = results
        .records
        .iter()
        .find(|r| r.metric == record.metric && r.groups == record.groups && r.period_start == previous_start)
        .filter(|r| r.estimate.value.is_some());
    match previous {
        Some(p) => Some((p.estimate.value, change_p_value(spec.metric, &p.estimate, &record.estimate))),
        None if starts_before => Some((None, None)),
        None => None,
    }
}

/// Returns true if and only if the previous period's figure of the record's metric and
/// group is flagged `rejected`.
fn previous_is_suspect(results: &Results, record: &Record) -> bool {
    let previous_start = results.period.previous_start(record.period_start);
    results.records.iter().any(|r| {
        r.metric == record.metric
            && r.groups == record.groups
            && r.period_start == previous_start
            && r.flags.contains(&Flag::Rejected)
    })
}

/// Returns the `--by` columns each check needs: the run's own plus its `where` keys.
pub fn grouping(spec: &CheckSpec, by: &[String]) -> Vec<String> {
    let mut columns = by.to_vec();
    for column in spec.filter.keys() {
        if !columns.contains(column) {
            columns.push(column.clone());
        }
    }
    columns
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quick_requirements() {
        let spec = parse_requirement("nps>=30", Level::Error).unwrap();
        assert_eq!((spec.metric, spec.min, spec.max), (MetricId::Nps, Some(30.0), None));
        let spec = parse_requirement("complaints_per_1000<=1", Level::Warn).unwrap();
        assert_eq!((spec.metric, spec.max, spec.level), (MetricId::ComplaintsPer1000, Some(1.0), Level::Warn));
        assert_eq!(spec.describe(), "complaints_per_1000 <= 1");
        assert!(parse_requirement("nps=30", Level::Error).unwrap_err().to_string().contains("write METRIC>=NUMBER"));
        assert!(
            parse_requirement("bogus>=1", Level::Error).unwrap_err().to_string().contains("unknown metric 'bogus'")
        );
        assert!(parse_requirement("nps>=abc", Level::Error).is_err());
    }
}
