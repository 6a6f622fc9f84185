//! One file per subcommand; this module holds what they share: opening the output
//! early, and the data-quality duties every command has (stderr summary,
//! `--rejects`, `--strict`).

pub mod check;
pub mod clv;
pub mod cohorts;
pub mod followup;
pub mod init;
pub mod report;
pub mod shell;
pub mod validate;

use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::Path;

use anyhow::{Context, Result, bail};

use crate::cli::FormatArg;
use crate::compute::Results;
use crate::config::Settings;
use crate::input::DataQuality;
use crate::report::Format;

/// Picks the format: `--format`, else the `-o` extension, else the table.
pub fn format_of(format: Option<FormatArg>, output: Option<&Path>) -> Result<Format> {
    Ok(match (format, output) {
        (Some(FormatArg::Table), _) => Format::Table,
        (Some(FormatArg::Csv), _) => Format::Csv,
        (Some(FormatArg::Json), _) => Format::Json,
        (Some(FormatArg::Markdown), _) => Format::Markdown,
        (Some(FormatArg::Html), _) => Format::Html,
        (None, Some(path)) if path.as_os_str() != "-" => Format::from_extension(path)?,
        (None, _) => Format::Table,
    })
}

/// [`format_of`] for the commands without an HTML page: `--format html` (or `-o x.html`)
/// fails at once, before any input is read.
pub fn table_format_of(format: Option<FormatArg>, output: Option<&Path>) -> Result<Format> {
    let format = format_of(format, output)?;
    if format == Format::Html {
        crate::report::grid::html_is_for_report()?;
    }
    Ok(format)
}

/// Opens the output before any long work, so a bad path fails at once.
/// `None` or `-` is stdout.
pub fn open_output(path: Option<&Path>) -> Result<Box<dyn Write>> {
    match path {
        Some(p) if p.as_os_str() != "-" => {
            let file = File::create(p).with_context(|| format!("{}: cannot create output file", p.display()))?;
            Ok(Box::new(BufWriter::new(file)))
        }
        _ => Ok(Box::new(BufWriter::new(std::io::stdout().lock()))),
    }
}

/// Returns true if and only if output to stdout may be coloured: stdout is a
/// terminal and `NO_COLOR` is unset.
pub fn stdout_color(output: Option<&Path>) -> bool {
    output.is_none() && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Writes every rejected row or value to `path` as CSV: file,line,field,value,reason.
pub fn write_rejects(path: &Path, quality: &DataQuality) -> Result<()> {
    let mut writer =
        csv::Writer::from_path(path).with_context(|| format!("{}: cannot create rejects file", path.display()))?;
    for reject in &quality.rejects {
        writer.serialize(reject)?;
    }
    if quality.rejects.is_empty() {
        writer.write_record(["file", "line", "field", "value", "reason"])?;
    }
    writer.flush()?;
    Ok(())
}

/// The data-quality duties of every command: the stderr summary (unless `--quiet`),
/// the notes, the `--rejects` file, and `--strict`.
pub fn account(settings: &Settings, results: &Results) -> Result<()> {
    account_quality(settings, &results.quality, &results.notes)
}

/// [`account`] for commands without [`Results`].
pub fn account_quality(settings: &Settings, quality: &DataQuality, notes: &[String]) -> Result<()> {
    if let Some(path) = &settings.rejects {
        write_rejects(path, quality)?;
    }
    let mut stderr = std::io::stderr().lock();
    if !settings.quiet {
        for line in quality.summary_lines() {
            writeln!(stderr, "{line}")?;
        }
    }
    for note in notes {
        writeln!(stderr, "note: {note}")?;
    }
    if settings.strict
        && let Some(first) = quality.rejects.first()
    {
        bail!(
            "--strict: {} rejected row(s) or value(s); the first is {}:{} ({}: {})",
            quality.rejects.len(),
            first.file,
            first.line,
            first.field,
            first.reason
        );
    }
    Ok(())
}
