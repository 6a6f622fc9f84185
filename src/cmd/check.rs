//! `servq check`: evaluate KPI thresholds from servq.toml and `--require` / `--warn`,
//! print every check with its value, and exit 0 (no error-level failure), 1 (one
//! failed) or 2 (usage, config or input error).

use std::collections::BTreeMap;

use anyhow::{Result, bail};

use super::{account, guard_outputs, nothing_to_report, open_output};
use crate::check::output::{CheckFormat, junit, render};
use crate::check::{self, CheckResult, Level, Scope};
use crate::cli::{CheckArgs, CheckFormatArg};
use crate::compute::{self, Results};
use crate::config::{Options, Settings};
use crate::error::Outcome;
use crate::output::Output;

/// Runs `servq check`.
pub fn run(args: &CheckArgs) -> Result<Outcome> {
    let mut settings = Settings::resolve(&args.input, &args.group, &[])?;
    for text in &args.require {
        settings.checks.push(check::parse_requirement(text, Level::Error)?);
    }
    for text in &args.warn {
        settings.checks.push(check::parse_requirement(text, Level::Warn)?);
    }
    if settings.checks.is_empty() {
        bail!("no checks: add [[check]] tables to servq.toml or give --require 'metric>=value'");
    }
    if args.all_periods {
        for spec in &mut settings.checks {
            spec.scope = Scope::All;
        }
    }
    settings.engine.stats = super::stats_source(args.stats.as_ref(), &args.engine)?;
    if settings.stats.is_some() {
        let flag = if args.stats.is_some() { "check --stats" } else { "check --engine" };
        super::refuse_row_flags(&settings, flag)?;
    }
    if settings.inputs.is_empty() && settings.stats.is_none() {
        bail!("no input files: give --surveys/--interactions/--transactions FILE… or a config file with [inputs]");
    }
    check_where_columns(&settings)?;
    let format = match args.format {
        None | Some(CheckFormatArg::Table) => CheckFormat::Table,
        Some(CheckFormatArg::Github) => CheckFormat::Github,
        Some(CheckFormatArg::Markdown) => CheckFormat::Markdown,
        Some(CheckFormatArg::Json) => CheckFormat::Json,
    };
    guard_outputs(&settings, &[("--junit", args.junit.as_deref())])?;
    let junit_file = args.junit.as_deref().map(|p| Output::open(Some(p), "JUnit file")).transpose()?;
    let mut out = open_output(None)?;
    let mut metrics: Vec<_> = settings.checks.iter().map(|c| c.metric).collect();
    metrics.sort();
    metrics.dedup();
    let mut by_grouping: BTreeMap<Vec<String>, Results> = BTreeMap::new();
    let mut first_grouping = None;
    let mut outcomes: Vec<CheckResult> = Vec::new();
    for spec in &settings.checks {
        let grouping = check::grouping(spec, &settings.by);
        if !by_grouping.contains_key(&grouping) {
            let run_settings =
                Options { by: grouping.clone(), selected: Some(metrics.clone()), ..settings.engine.clone() };
            let results = compute::run(&run_settings)?;
            if by_grouping.is_empty() {
                account(&settings, &results)?;
                if !results.records.iter().any(|r| r.estimate.value.is_some()) {
                    return Err(nothing_to_report(&results.quality, &results.notes));
                }
                first_grouping = Some(grouping.clone());
            }
            by_grouping.insert(grouping.clone(), results);
        }
        outcomes.extend(check::evaluate(spec, &by_grouping[&grouping]));
    }
    render(&outcomes, format, &mut out)?;
    out.commit()?;
    if let Some(mut file) = junit_file {
        junit(&outcomes, &mut file)?;
        file.commit()?;
    }
    if let Some(results) = first_grouping.and_then(|g| by_grouping.get(&g)) {
        super::finish_rejects(&settings, &results.quality)?;
    }
    Ok(if outcomes.iter().any(CheckResult::fails_run) { Outcome::Failure } else { Outcome::Success })
}

/// A `where` column that no file of the check's input has is a config error (exit 2)
/// naming the check and the columns there are, before anything is computed.
fn check_where_columns(settings: &Settings) -> Result<()> {
    use crate::input::columns::Headers;
    use crate::input::source;
    let empty = BTreeMap::new();
    for spec in settings.checks.iter().filter(|s| !s.filter.is_empty()) {
        let kind = spec.metric.input();
        let Some(patterns) = settings.inputs.get(&kind) else { continue };
        let mapping = settings.columns.get(&kind).unwrap_or(&empty);
        let mut headers = Vec::new();
        for file in source::expand(patterns)? {
            let name = file.display().to_string();
            headers.push(Headers::new(&name, source::headers(&file, &settings.read)?));
        }
        for column in spec.filter.keys() {
            if !headers.iter().any(|h| h.find_dimension(column, mapping).is_some()) {
                let columns = headers.first().map_or(String::new(), |h| format!("; its columns are: {}", h.list()));
                bail!(
                    "{}: [[check]] where: the {} input has no column '{column}'{columns}",
                    spec.source,
                    kind.as_str()
                );
            }
        }
    }
    Ok(())
}
