//! `servq report`: every KPI whose inputs are present, by period and group, in the
//! chosen format.

use anyhow::{Result, bail};

use super::{account, format_of, open_output, stdout_color};
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
    let mut out = open_output(args.out.output.as_deref())?;
    let results = crate::compute::run(&settings)?;
    account(&settings, &results)?;
    if results.records.is_empty() && results.notes.is_empty() {
        bail!("nothing to report: no metric could be computed from the inputs given");
    }
    exporter(format, stdout_color(args.out.output.as_deref())).render(&results, &mut out)?;
    out.flush()?;
    Ok(Outcome::Success)
}
