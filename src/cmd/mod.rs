//! One file per subcommand; this module holds what they share: opening the output
//! early, and the data-quality duties every command has (stderr summary,
//! `--rejects`, `--strict`).

pub mod check;
pub mod clv;
pub mod cohorts;
pub mod complaints;
pub mod followup;
pub mod init;
pub mod report;
pub mod shell;
pub mod sql;
pub mod validate;

use std::io::{IsTerminal, Write};
use std::path::Path;

use anyhow::{Result, bail};

use crate::cli::FormatArg;
use crate::compute::Results;
use crate::config::Settings;
use crate::input::DataQuality;
use crate::output::Output;
use crate::report::Format;
use crate::report::safe::{terminal, write_csv_record};

/// Picks the format: `--format`, else the `-o` extension, else the table.
pub fn format_of(format: Option<FormatArg>, output: Option<&Path>) -> Result<Format> {
    Ok(match (format, output) {
        (Some(FormatArg::Table), _) => Format::Table,
        (Some(FormatArg::Csv), _) => Format::Csv,
        (Some(FormatArg::Json), _) => Format::Json,
        (Some(FormatArg::Markdown), _) => Format::Markdown,
        (Some(FormatArg::Html), _) => Format::Html,
        (Some(FormatArg::Xlsx), _) => Format::Xlsx,
        (None, Some(path)) if path.as_os_str() != "-" => Format::from_extension(path)?,
        (None, _) => Format::Table,
    })
}

/// [`format_of`] for the commands without a workbook (cohorts, clv, followup): `-o
/// x.xlsx` fails at once, before any input is read.
pub fn format_without_xlsx(format: Option<FormatArg>, output: Option<&Path>) -> Result<Format> {
    let format = format_of(format, output)?;
    if format == Format::Xlsx {
        bail!("Excel output is made by servq report only; use --format table, csv, json or markdown");
    }
    Ok(format)
}

/// Refuses `--strict` and `--rejects` where no row is read (`servq sql`, `--stats`):
/// they judge rows, and passing silently would say the data was clean (SPEC §9).
pub fn refuse_row_flags(settings: &Settings, why: &str) -> Result<()> {
    if settings.strict || settings.rejects.is_some() {
        let flag = if settings.strict { "--strict" } else { "--rejects" };
        bail!("{flag} judges the input rows, which {why} does not read: run servq validate on the files");
    }
    Ok(())
}

/// Where `--stats FILE` or `--engine ENGINE [--table KIND=NAME]` say the statistics
/// come from (SPEC §13), if anywhere.
pub fn stats_source(
    file: Option<&std::path::PathBuf>,
    engine: &crate::cli::EngineArgs,
) -> Result<Option<crate::compute::StatsSource>> {
    use crate::compute::StatsSource;
    Ok(match (file, engine.engine) {
        (Some(path), _) => Some(StatsSource::File(path.clone())),
        (None, Some(engine_name)) => {
            let tables = sql::tables(&engine.table)?;
            Some(StatsSource::Computed(std::sync::Arc::new(move |options: &crate::compute::Options| {
                crate::sql::engine::statistics(options, engine_name, &tables)
            })))
        }
        (None, None) => None,
    })
}

/// Opens the output before any long work, so a bad path fails at once.
/// `None` or `-` is stdout; a file is replaced only by [`Output::commit`].
pub fn open_output(path: Option<&Path>) -> Result<Output> {
    Output::open(path, "output file")
}

/// Refuses, before anything is read, an output (`outputs`, plus `--rejects`) that is
/// one of the input files (globs expanded, links resolved) or two outputs on one path.
pub fn guard_outputs(settings: &Settings, outputs: &[(&str, Option<&Path>)]) -> Result<()> {
    let mut named: Vec<(&str, &Path)> = outputs.iter().filter_map(|(flag, p)| p.map(|p| (*flag, p))).collect();
    if let Some(rejects) = &settings.rejects {
        named.push(("--rejects", rejects));
    }
    if named.is_empty() {
        return Ok(());
    }
    let mut inputs = Vec::new();
    for (kind, patterns) in &settings.inputs {
        for file in crate::input::source::expand(patterns)? {
            inputs.push((kind.as_str().to_string(), file));
        }
    }
    crate::output::guard(&named, &inputs)
}

/// The error of a run that has no figure at all (SPEC §9): why, in one line: every
/// row rejected (with the commonest reason, its first line and the hint), every row
/// outside `--from/--to`, or no metric computable (with the notes).
pub fn nothing_to_report(quality: &DataQuality, notes: &[String]) -> anyhow::Error {
    let read: u64 = quality.files.iter().map(|f| f.rows_read).sum();
    let used: u64 = quality.files.iter().map(|f| f.rows_used).sum();
    let outside: u64 = quality.files.iter().map(|f| f.rows_outside_range).sum();
    let n = crate::input::quality::thousands;
    if read > 0 && used == 0 {
        let rejected = read - outside;
        let top = quality.files.iter().flat_map(|f| f.reasons.iter().map(move |r| (f, r))).max_by_key(|(_, r)| r.count);
        let cause = top.map_or(String::new(), |(f, r)| {
            let line = r.first_lines.first().map_or(String::new(), |l| format!(" ({}:{l})", f.file));
            format!(": {} {}{line}", r.field, r.reason)
        });
        let why = match (rejected, outside) {
            (_, 0) => format!("all rejected{cause}"),
            (0, _) => "all outside --from/--to".to_string(),
            _ => format!("{} rejected{cause}, {} outside --from/--to", n(rejected), n(outside)),
        };
        let hint = quality.hints.first().map_or(String::new(), |h| format!("; {h}"));
        return anyhow::anyhow!("nothing to report: {} rows read, {why}{hint}", n(read));
    }
    let why = if notes.is_empty() { String::new() } else { format!(" ({})", notes.join("; ")) };
    anyhow::anyhow!("nothing to report: no metric could be computed from the inputs given{why}")
}

/// Returns true if and only if output to stdout may be coloured: stdout is a
/// terminal and `NO_COLOR` is unset.
pub fn stdout_color(output: Option<&Path>) -> bool {
    output.is_none() && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Writes every rejected row or value to `path` as CSV: file,line,field,value,reason
/// (text cells neutralised against spreadsheet formulas).
pub fn write_rejects(path: &Path, quality: &DataQuality) -> Result<()> {
    let mut writer = csv::Writer::from_writer(Output::open(Some(path), "rejects file")?);
    writer.write_record(["file", "line", "field", "value", "reason"])?;
    for r in &quality.rejects {
        let line = r.line.to_string();
        write_csv_record(&mut writer, [&*r.file, &line, &r.field, &r.value, &r.reason])?;
    }
    writer.into_inner().map_err(|e| anyhow::anyhow!("{}: cannot write: {}", path.display(), e.error()))?.commit()
}

/// The data-quality duties of every command: the stderr summary (unless `--quiet`),
/// the notes, and `--strict`. The `--rejects` file is written by [`finish_rejects`]
/// once the run has succeeded (a failed run leaves the previous file as it was).
pub fn account(settings: &Settings, results: &Results) -> Result<()> {
    account_quality(settings, &results.quality, &results.notes)
}

/// Writes the `--rejects` file, when asked for: the last step of a run that succeeded.
pub fn finish_rejects(settings: &Settings, quality: &DataQuality) -> Result<()> {
    match &settings.rejects {
        Some(path) => write_rejects(path, quality),
        None => Ok(()),
    }
}

/// The data-quality duties of a command whose table or Markdown on stdout carries the
/// notes and the data quality in its footer: they are not said twice on the same screen
/// (stderr) then; in every other case they go to stderr.
pub fn account_output(
    settings: &Settings,
    format: Format,
    output: Option<&Path>,
    quality: &DataQuality,
    notes: &[String],
) -> Result<()> {
    let footer_on_screen =
        output.is_none_or(|p| p.as_os_str() == "-") && matches!(format, Format::Table | Format::Markdown);
    if footer_on_screen {
        let quiet = Settings { quiet: true, ..settings.clone() };
        account_quality(&quiet, quality, &[])
    } else {
        account_quality(settings, quality, notes)
    }
}

/// [`account`] for commands without [`Results`].
pub fn account_quality(settings: &Settings, quality: &DataQuality, notes: &[String]) -> Result<()> {
    let mut stderr = std::io::stderr().lock();
    if !settings.quiet {
        for line in quality.summary_lines() {
            writeln!(stderr, "{}", terminal(&line))?;
        }
    }
    for note in notes {
        writeln!(stderr, "note: {}", terminal(note))?;
    }
    if settings.strict {
        strict(quality)?;
    }
    Ok(())
}

/// `--strict`: any rejected row or value is an error naming the first one.
pub fn strict(quality: &DataQuality) -> Result<()> {
    if let Some(first) = quality.rejects.first() {
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
