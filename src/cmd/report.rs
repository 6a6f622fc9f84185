//! `servq report`: every KPI whose inputs are present, by period and group, in the
//! chosen format.

use anyhow::{Result, bail};

use super::{account, open_output, stdout_color};
use crate::cli::{FormatArg, ReportArgs};
use crate::config::Settings;
use crate::error::Outcome;
use crate::report::{Format, exporter};

/// Picks the format: `--format`, else the `-o` extension, else the table.
fn format_of(args: &ReportArgs) -> Result<Format> {
    Ok(match (args.format, &args.output) {
        (Some(FormatArg::Table), _) => Format::Table,
        (Some(FormatArg::Csv), _) => Format::Csv,
        (Some(FormatArg::Json), _) => Format::Json,
        (Some(FormatArg::Markdown), _) => Format::Markdown,
        (None, Some(path)) => Format::from_extension(path)?,
        (None, None) => Format::Table,
    })
}

/// Runs `servq report`.
pub fn run(args: &ReportArgs) -> Result<Outcome> {
    let settings = Settings::resolve(&args.input, &args.group, &args.metrics)?;
    if settings.inputs.is_empty() {
        bail!("no input files: give --surveys FILE… or a config file with [inputs] (see servq report --help)");
    }
    let format = format_of(args)?;
    let mut out = open_output(args.output.as_deref())?;
    let results = crate::compute::run(&settings)?;
    account(&settings, &results)?;
    if results.records.is_empty() && results.notes.is_empty() {
        bail!("nothing to report: no metric could be computed from the inputs given");
    }
    exporter(format, stdout_color(args.output.as_deref())).render(&results, &mut out)?;
    out.flush()?;
    Ok(Outcome::Success)
}
