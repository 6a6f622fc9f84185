//! `servq check`: evaluate KPI thresholds from servq.toml and `--require` / `--warn`,
//! print every check with its value, and exit 0 (no error-level failure), 1 (one
//! failed) or 2 (usage, config or input error).

use std::collections::BTreeMap;
use std::io::Write;

use anyhow::{Context, Result, bail};

use super::{account, open_output};
use crate::check::output::{CheckFormat, junit, render};
use crate::check::{self, CheckResult, Level, Scope};
use crate::cli::{CheckArgs, CheckFormatArg};
use crate::compute::{self, Results};
use crate::config::Settings;
use crate::error::Outcome;

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
    if settings.inputs.is_empty() {
        bail!("no input files: give --surveys/--interactions/--transactions FILE… or a config file with [inputs]");
    }
    let format = match args.format {
        None | Some(CheckFormatArg::Table) => CheckFormat::Table,
        Some(CheckFormatArg::Github) => CheckFormat::Github,
        Some(CheckFormatArg::Markdown) => CheckFormat::Markdown,
        Some(CheckFormatArg::Json) => CheckFormat::Json,
    };
    let mut junit_file = args
        .junit
        .as_deref()
        .map(|p| std::fs::File::create(p).with_context(|| format!("{}: cannot create JUnit file", p.display())))
        .transpose()?;
    let mut out = open_output(None)?;
    let mut metrics: Vec<_> = settings.checks.iter().map(|c| c.metric).collect();
    metrics.sort();
    metrics.dedup();
    let mut by_grouping: BTreeMap<Vec<String>, Results> = BTreeMap::new();
    let mut outcomes: Vec<CheckResult> = Vec::new();
    for spec in &settings.checks {
        let grouping = check::grouping(spec, &settings.by);
        if !by_grouping.contains_key(&grouping) {
            let run_settings = Settings { by: grouping.clone(), selected: Some(metrics.clone()), ..settings.clone() };
            let results = compute::run(&run_settings)?;
            if by_grouping.is_empty() {
                account(&settings, &results)?;
            }
            by_grouping.insert(grouping.clone(), results);
        }
        outcomes.extend(check::evaluate(spec, &by_grouping[&grouping]));
    }
    render(&outcomes, format, &mut out)?;
    out.flush()?;
    if let Some(file) = junit_file.as_mut() {
        junit(&outcomes, file)?;
        file.flush()?;
    }
    Ok(if outcomes.iter().any(CheckResult::fails_run) { Outcome::Failure } else { Outcome::Success })
}
