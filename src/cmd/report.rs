//! `servq report`: every KPI whose inputs are present, by period and group, in the
//! chosen format.

use std::collections::BTreeMap;

use anyhow::{Result, bail};

use super::{format_of, guard_outputs, nothing_to_report, open_output, stdout_color};
use crate::check::{self, Level, Status};
use crate::cli::ReportArgs;
use crate::cli::{CompareArg, LayoutArg};
use crate::compute::Results;
use crate::config::Settings;
use crate::config::checks::Bound;
use crate::error::Outcome;
use crate::metrics::MetricId;
use crate::report::exporter;
use crate::report::html::Target;
use crate::report::scorecard::Scorecard;

/// Runs `servq report`.
pub fn run(args: &ReportArgs) -> Result<Outcome> {
    let mut settings = Settings::resolve(&args.input, &args.group, &args.metrics)?;
    settings.engine.stats = super::stats_source(args.stats.as_ref(), &args.engine)?;
    if settings.stats.is_some() {
        let flag = if args.stats.is_some() { "report --stats" } else { "report --engine" };
        super::refuse_row_flags(&settings, flag)?;
    }
    if settings.inputs.is_empty() && settings.stats.is_none() {
        bail!("no input files: give --surveys FILE… or a config file with [inputs] (see servq report --help)");
    }
    let format = format_of(args.out.format, args.out.output.as_deref())?;
    settings.cohorts = matches!(format, crate::report::Format::Html | crate::report::Format::Xlsx);
    if format == crate::report::Format::Xlsx
        && args.out.output.as_deref().is_none_or(|p| p.as_os_str() == "-")
        && std::io::IsTerminal::is_terminal(&std::io::stdout())
    {
        bail!("an Excel workbook is not for a terminal: write it to a file with -o report.xlsx");
    }
    guard_outputs(&settings, &[("-o", args.out.output.as_deref())])?;
    let mut out = open_output(args.out.output.as_deref())?;
    if args.compare == Some(CompareArg::Rest) && settings.by.is_empty() {
        bail!("--compare rest compares each group with the others: give --by (e.g. --by channel)");
    }
    let mut results = crate::compute::run(&settings)?;
    match args.compare {
        Some(CompareArg::Previous) => results.compare_previous(),
        Some(CompareArg::Rest) => results.compare_rest(),
        None => {}
    }
    super::account_output(&settings, format, args.out.output.as_deref(), &results.quality, &results.notes)?;
    if !results.records.iter().any(|r| r.estimate.value.is_some()) {
        return Err(nothing_to_report(&results.quality, &results.notes));
    }
    let color = stdout_color(args.out.output.as_deref());
    let scorecard_table = format == crate::report::Format::Table && args.layout != Some(LayoutArg::Wide);
    if scorecard_table || format == crate::report::Format::Html {
        let scorecard = Scorecard {
            results: &results,
            checks: check_marks(&settings, &results),
            targets: check_targets(&settings),
            width: terminal_width(args.out.output.as_deref()),
        };
        exporter(format, color).render(&scorecard, &mut out)?;
    } else if format == crate::report::Format::Table {
        // --layout wide: the pivot, split into tables that fit the terminal.
        crate::report::table::write_fitted(&results, &mut out, color, terminal_width(args.out.output.as_deref()))?;
    } else {
        exporter(format, color).render(&results, &mut out)?;
    }
    out.commit()?;
    super::finish_rejects(&settings, &results.quality)?;
    Ok(Outcome::Success)
}

/// The `[[check]]` bounds drawn on the HTML trend charts: each `min` and `max`, labelled
/// with the bound judged, the level and the groups it is limited to.
fn check_targets(settings: &Settings) -> Vec<Target> {
    let mut targets = Vec::new();
    // As for the check marks: only the checks that judge the report's own groups.
    for spec in settings.checks.iter().filter(|s| check::grouping(s, &settings.by) == settings.by) {
        let bound = match spec.bound {
            Bound::Value => "",
            Bound::CiLow => "ci_low ",
            Bound::CiHigh => "ci_high ",
        };
        let level = if spec.level == Level::Error { " (error)" } else { " (warn)" };
        let only: Vec<String> = spec.filter.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let only = if only.is_empty() { String::new() } else { format!(", {}", only.join(", ")) };
        for (sign, value) in [("≥", spec.min), ("≤", spec.max)] {
            if let Some(value) = value {
                let label = format!("{bound}{sign} {}{level}{only}", crate::report::human_value(spec.metric, value));
                targets.push(Target { metric: spec.metric, value, label });
            }
        }
    }
    targets
}

/// The width of the terminal stdout is, when it is one (the scorecard fits it).
fn terminal_width(output: Option<&std::path::Path>) -> Option<usize> {
    if output.is_some_and(|p| p.as_os_str() != "-") || !std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        return None;
    }
    terminal_size::terminal_size().map(|(width, _)| usize::from(width.0).max(40))
}

/// The status of the `[[check]]`s that judge the report's groups, per metric and group
/// (the worst: `FAIL`, `warn`, `n/a`, `pass`).
fn check_marks(settings: &Settings, results: &Results) -> BTreeMap<(MetricId, Vec<String>), String> {
    let rank = |mark: &str| ["pass", "n/a", "warn", "FAIL"].iter().position(|m| *m == mark).unwrap_or(0);
    let mut marks: BTreeMap<(MetricId, Vec<String>), String> = BTreeMap::new();
    for spec in settings.checks.iter().filter(|s| check::grouping(s, &settings.by) == settings.by) {
        for outcome in check::evaluate(spec, results) {
            let mark = match (outcome.fails(), outcome.level, outcome.status) {
                (true, Level::Error, _) => "FAIL",
                (true, _, _) => "warn",
                (false, _, Status::Pass) => "pass",
                _ => "n/a",
            };
            let groups: Vec<String> = outcome.group.iter().map(|(_, v)| v.clone()).collect();
            let slot = marks.entry((outcome.metric, groups)).or_default();
            if slot.is_empty() || rank(mark) > rank(slot) {
                *slot = mark.to_string();
            }
        }
    }
    marks
}
