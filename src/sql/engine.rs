//! `report --engine` and `check --engine` (SPEC §13): the script of `servq sql` run in one
//! step by an engine's command-line client on PATH (`duckdb`, `spark-sql`, `psql`), its
//! result read as `report --stats` reads a statistics file.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Stdio};

use anyhow::{Context as _, Result, bail};

use super::dialect::Dialect;
use crate::compute::Options;
use crate::input::Kind;

/// An engine's command-line client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Engine {
    /// DuckDB's CLI (`duckdb`, e.g. from PyPI's `duckdb-cli`), in memory.
    Duckdb,
    /// Spark's SQL shell (`spark-sql`, with pyspark), with its own defaults (local mode
    /// unless its configuration says otherwise).
    #[value(name = "spark-sql")]
    SparkSql,
    /// PostgreSQL's client (`psql`): where to connect is libpq's `PG*` variables'
    /// (`PGHOST`, `PGPORT`, `PGUSER`, `PGDATABASE`), or `PGSERVICE`.
    Psql,
}

impl Engine {
    /// The client's program name.
    pub fn program(self) -> &'static str {
        match self {
            Engine::Duckdb => "duckdb",
            Engine::SparkSql => "spark-sql",
            Engine::Psql => "psql",
        }
    }

    /// The SQL dialect it runs.
    pub fn dialect(self) -> Dialect {
        match self {
            Engine::Duckdb => Dialect::Duckdb,
            Engine::SparkSql => Dialect::Spark,
            Engine::Psql => Dialect::Postgres,
        }
    }

    /// The command that runs a script from stdin and prints the last result.
    fn command(self) -> Command {
        let mut command = Command::new(self.program());
        match self {
            // CSV with a header; NULL as an empty field; stop at the first error.
            // `-init /dev/null`: no ~/.duckdbrc (a `.timer on` there would print into the result).
            Engine::Duckdb => {
                command.args(["-batch", "-init", "/dev/null", "-csv", "-bail", "-nullvalue", "", ":memory:"])
            }
            Engine::SparkSql => command.args(["-S", "--conf", "spark.ui.enabled=false"]),
            // -w: never wait for a password at a prompt (give it in ~/.pgpass or PGPASSWORD).
            Engine::Psql => command.args(["-X", "-w", "-q", "--csv", "-v", "ON_ERROR_STOP=1", "-f", "-"]),
        };
        command
    }
}

/// The statistics table of `settings` computed by `engine` (CSV with a header, as
/// `report --stats` reads it), its name for messages, and the script's notes.
pub fn statistics(
    settings: &Options,
    engine: Engine,
    tables: &BTreeMap<Kind, String>,
) -> Result<(Vec<u8>, String, Vec<String>)> {
    let dialect = engine.dialect();
    let script = super::script::script(settings, dialect, tables)?;
    let mut text = script.text;
    let header = header(settings);
    if engine == Engine::SparkSql {
        text = hex_result(&text, &header);
    }
    let name = format!("{}'s result", engine.program());
    // spark-sql reads a file; the others read the script from stdin.
    let mut command = engine.command();
    let file =
        if engine == Engine::SparkSql { Some(tempfile::Builder::new().suffix(".sql").tempfile()?) } else { None };
    if let Some(file) = &file {
        std::fs::write(file.path(), text.as_bytes())?;
        command.arg("-f").arg(file.path());
        text.clear();
    }
    let mut child = command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().map_err(
        |e| {
            anyhow::anyhow!(
                "--engine {}: cannot run {} ({e}): put its command-line client on PATH, or run servq sql and give its result to --stats",
                engine.program(),
                engine.program()
            )
        },
    )?;
    let mut stdin = child.stdin.take().expect("piped");
    let writer = std::thread::spawn(move || stdin.write_all(text.as_bytes()));
    let output = child.wait_with_output()?;
    let written = writer.join().map_err(|_| anyhow::anyhow!("--engine: the script could not be written"))?;
    if let Err(why) = written {
        bail!("--engine {}: the script could not be given to {}: {why}", engine.program(), engine.program());
    }
    if !output.status.success() {
        bail!(
            "--engine {}: {} failed ({}): {}",
            engine.program(),
            engine.program(),
            output.status,
            error_lines(&String::from_utf8_lossy(&output.stderr))
        );
    }
    let csv = match engine {
        Engine::SparkSql => from_hex_rows(&output.stdout, &header)?,
        _ => output.stdout,
    };
    Ok((csv, name, script.notes))
}

/// The lines of an engine's stderr that say what went wrong, on one line: those that
/// name an error (DuckDB's first line, Spark's exception, psql's `ERROR:`), else the
/// first ones.
fn error_lines(stderr: &str) -> String {
    let lines: Vec<&str> = stderr.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let errors: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| l.contains("Error") || l.contains("ERROR") || l.contains("Exception"))
        .collect();
    let chosen = if errors.is_empty() { &lines[..] } else { &errors[..] };
    let mut out: Vec<&str> = chosen.iter().copied().take(3).collect();
    if chosen.len() > 3 {
        out.push("…");
    }
    out.join(" | ")
}

/// The columns of the statistics table.
fn header(settings: &Options) -> Vec<String> {
    let mut header = vec!["kind".to_string(), "period_start".to_string()];
    header.extend(settings.by.iter().cloned());
    header.extend(["stat".to_string(), "value".to_string()]);
    header
}

/// The script with its last `SELECT` giving every value as the hex of its UTF-8 bytes:
/// `spark-sql` prints rows as tab-separated text, with NULL as `NULL`, so a group value
/// with a tab, a line break or the word NULL would be misread otherwise.
fn hex_result(script: &str, header: &[String]) -> String {
    let body = script.trim_end().trim_end_matches(';');
    let (setup, last) = body.rsplit_once(";\n").unwrap_or(("", body));
    let columns: Vec<String> = (0..header.len())
        .map(|i| {
            let column = Dialect::Spark.ident(&header[i]);
            format!("hex(encode(CAST({column} AS STRING), 'UTF-8'))")
        })
        .collect();
    format!("{setup};\nSELECT {} FROM ({last}) servq_result;\n", columns.join(", "))
}

/// The CSV of the hex rows `spark-sql` printed (lines of `header.len()` fields, each hex
/// or `NULL`; other lines, such as the settings a `SET` prints, are not rows).
fn from_hex_rows(stdout: &[u8], header: &[String]) -> Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(header)?;
    let text = String::from_utf8_lossy(stdout);
    for line in text.lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        let hex = |f: &&str| {
            *f == "NULL" || (!f.is_empty() && f.len().is_multiple_of(2) && f.bytes().all(|b| b.is_ascii_hexdigit()))
        };
        // An empty text is the hex of nothing: an empty field.
        let row = fields.len() == header.len() && fields.iter().all(|f| f.is_empty() || hex(f));
        if !row {
            continue;
        }
        let values = fields
            .iter()
            .map(|f| if *f == "NULL" { Ok(String::new()) } else { unhex(f) })
            .collect::<Result<Vec<_>>>()?;
        writer.write_record(&values)?;
    }
    writer.into_inner().context("the statistics")
}

/// The text whose UTF-8 bytes `hex` is.
fn unhex(hex: &str) -> Result<String> {
    let bytes = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16))
        .collect::<Result<Vec<u8>, _>>()
        .context("spark-sql printed a value that is not hex")?;
    String::from_utf8(bytes).context("spark-sql printed a value that is not UTF-8")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spark_rows_are_read_from_hex_and_other_lines_are_not_rows() {
        let header: Vec<String> = ["kind", "period_start", "channel", "stat", "value"].map(String::from).to_vec();
        // "spark.sql.session.timeZone\tUTC" is what SET prints; a group with a tab, the
        // word NULL and an empty group survive.
        let out = "spark.sql.session.timeZone\tUTC\n\
                   73757276657973\t323032352D30312D3031\t610962\t637361742E6E\t34\n\
                   73757276657973\tNULL\t4E554C4C\t726F77732E72656164\t35\n\
                   6D657461\tNULL\t\t73657474696E6773\t31\n";
        let csv = String::from_utf8(from_hex_rows(out.as_bytes(), &header).unwrap()).unwrap();
        assert_eq!(
            csv,
            "kind,period_start,channel,stat,value\nsurveys,2025-01-01,a\tb,csat.n,4\nsurveys,,NULL,rows.read,5\nmeta,,,settings,1\n"
        );
    }

    #[test]
    fn the_last_select_is_wrapped_in_hex() {
        let header: Vec<String> = ["kind", "period_start", "stat", "value"].map(String::from).to_vec();
        let script =
            "SET a = b;\nCREATE VIEW v AS SELECT 1;\nSELECT * FROM (\n  SELECT 1\n) servq_stats ORDER BY kind;\n";
        let wrapped = hex_result(script, &header);
        assert!(
            wrapped.starts_with(
                "SET a = b;\nCREATE VIEW v AS SELECT 1;\nSELECT hex(encode(CAST(`kind` AS STRING), 'UTF-8')), "
            ),
            "{wrapped}"
        );
        assert!(
            wrapped.ends_with("FROM (SELECT * FROM (\n  SELECT 1\n) servq_stats ORDER BY kind) servq_result;\n"),
            "{wrapped}"
        );
    }
}
