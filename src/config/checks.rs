//! The `[[check]]` tables as validated specs (SPEC §6, §9): what a KPI gate asks for.
//! They belong to the configuration; `crate::check` evaluates them against results.

use std::collections::BTreeMap;

use anyhow::{Result, bail};
use serde::Serialize;

use crate::metrics::MetricId;

/// How bad a failure is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// A failure fails the run (exit 1).
    Error,
    /// A failure is reported but the run passes.
    Warn,
}

/// Which number is compared with the threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bound {
    /// The estimate.
    Value,
    /// The lower end of its 95% interval.
    CiLow,
    /// The upper end of its 95% interval.
    CiHigh,
}

/// Which periods are judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// The latest complete period (the default).
    Latest,
    /// Every period.
    All,
}

/// One check, validated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckSpec {
    /// The metric judged.
    pub metric: MetricId,
    /// Fail when the bound is below this (at or below it when `strict`).
    pub min: Option<f64>,
    /// Fail when the bound is above this (at or above it when `strict`).
    pub max: Option<f64>,
    /// `>` and `<`: the threshold itself fails.
    pub strict: bool,
    /// error or warn.
    pub level: Level,
    /// value, ci_low or ci_high.
    pub bound: Bound,
    /// Fewer observations: "insufficient data".
    pub min_n: Option<u64>,
    /// Only groups with these column values.
    pub filter: BTreeMap<String, String>,
    /// latest or all periods.
    pub scope: Scope,
    /// Fail when the value changed for the worse by more than this against the
    /// previous period: a fall for higher-is-better metrics, a rise for
    /// lower-is-better ones (complaints, response times, churn).
    pub max_drop: Option<f64>,
    /// With `max_drop`: only when the drop is significant at `alpha`.
    pub significant: bool,
    /// The significance level.
    pub alpha: f64,
    /// Count "insufficient data" as a failure.
    pub insufficient_fails: bool,
    /// Judge a figure flagged `rejected` (more than 5% of its values rejected) like any
    /// other, instead of failing it as suspect data.
    pub allow_rejected: bool,
    /// Where the check came from (`servq.toml line 12`, `--require`).
    pub source: String,
}

impl CheckSpec {
    /// A check with defaults: error level, on the value, latest period.
    pub fn new(metric: MetricId, source: &str) -> Self {
        CheckSpec {
            metric,
            min: None,
            max: None,
            strict: false,
            level: Level::Error,
            bound: Bound::Value,
            min_n: None,
            filter: BTreeMap::new(),
            scope: Scope::Latest,
            max_drop: None,
            significant: false,
            alpha: 0.05,
            insufficient_fails: false,
            allow_rejected: false,
            source: source.to_string(),
        }
    }

    /// A short description: `nps >= 30`, `csat drop <= 3 (significant, alpha 0.05)`.
    pub fn describe(&self) -> String {
        let bound = match self.bound {
            Bound::Value => String::new(),
            Bound::CiLow => " ci_low".to_string(),
            Bound::CiHigh => " ci_high".to_string(),
        };
        let mut parts = Vec::new();
        let (ge, le) = if self.strict { (">", "<") } else { (">=", "<=") };
        if let Some(min) = self.min {
            parts.push(format!("{}{bound} {ge} {min}", self.metric));
        }
        if let Some(max) = self.max {
            parts.push(format!("{}{bound} {le} {max}", self.metric));
        }
        if let Some(drop) = self.max_drop {
            let test =
                if self.significant { format!(" (or not significant at {})", self.alpha) } else { String::new() };
            let worse = if self.metric.lower_is_better() { "rise" } else { "drop" };
            parts.push(format!("{} {worse} <= {drop}{test}", self.metric));
        }
        let filter: Vec<String> = self.filter.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let scope = if filter.is_empty() { String::new() } else { format!(" where {}", filter.join(",")) };
        format!("{}{scope}", parts.join(" and "))
    }
}

/// Checks a spec read from a config file; `at` names the file and line.
pub fn validate(spec: &CheckSpec, at: &str) -> Result<()> {
    if spec.min.is_none() && spec.max.is_none() && spec.max_drop.is_none() {
        bail!("{at}: [[check]] for {} needs min, max or max_drop", spec.metric);
    }
    for (key, value) in [("min", spec.min), ("max", spec.max), ("max_drop", spec.max_drop)] {
        if let Some(v) = value.filter(|v| !v.is_finite()) {
            bail!("{at}: [[check]] {key} = {v}: a threshold must be a finite number");
        }
    }
    if let (Some(min), Some(max)) = (spec.min, spec.max)
        && min > max
    {
        bail!("{at}: [[check]] min = {min} is above max = {max}: no value can pass");
    }
    if spec.max_drop.is_some_and(|d| d < 0.0) {
        bail!("{at}: [[check]] max_drop must be 0 or more (the largest change for the worse allowed)");
    }
    if spec.bound != Bound::Value && !spec.metric.has_interval() {
        bail!("{at}: [[check]] bound = ci_low/ci_high: {} has no interval; use bound = \"value\"", spec.metric);
    }
    if spec.significant && spec.max_drop.is_none() {
        bail!("{at}: [[check]] significant = true goes with max_drop");
    }
    if spec.significant && !crate::metrics::has_test(spec.metric) {
        bail!("{at}: [[check]] significant = true: no two-sample test is defined for {}", spec.metric);
    }
    if !(0.0..1.0).contains(&spec.alpha) || spec.alpha == 0.0 {
        bail!("{at}: [[check]] alpha = {} must be between 0 and 1", spec.alpha);
    }
    Ok(())
}
