//! `servq report`: every KPI whose inputs are present, by period and group, in the
//! chosen format.

use anyhow::{Result, bail};

use super::{format_of, guard_outputs, nothing_to_report, open_output, stdout_color};
use crate::cli::ReportArgs;
use crate::config::Settings;
use crate::error::Outcome;
use crate::report::exporter;

/// Runs `servq report`.
pub fn run(args: &ReportArgs) -> Result<Outcome> {
    let mut settings = Settings::resolve(&args.input, &args.group, &args.metrics)?;
    if settings.inputs.is_empty() {
        bail!("no input files: give --surveys FILE… or a config file with [inputs] (see servq report --help)");
    }
    let format = format_of(args.out.format, args.out.output.as_deref())?;
    settings.cohorts = format == crate::report::Format::Html;
    guard_outputs(&settings, &[("-o", args.out.output.as_deref())])?;
    let mut out = open_output(args.out.output.as_deref())?;
    let results = crate::compute::run(&settings)?;
    super::account_output(&settings, format, args.out.output.as_deref(), &results.quality, &results.notes)?;
    if !results.records.iter().any(|r| r.estimate.value.is_some()) {
        return Err(nothing_to_report(&results.quality, &results.notes));
    }
    exporter(format, stdout_color(args.out.output.as_deref())).render(&results, &mut out)?;
    out.commit()?;
    super::finish_rejects(&settings, &results.quality)?;
    Ok(Outcome::Success)
}
