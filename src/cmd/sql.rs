//! `servq sql`: the SQL script that computes the selected metrics' sufficient
//! statistics inside an engine (SPEC §13).

use std::collections::BTreeMap;
use std::io::Write;

use anyhow::{Result, bail};

use crate::cli::SqlArgs;
use crate::config::Settings;
use crate::error::Outcome;
use crate::input::Kind;
use crate::report::safe::terminal;

/// Runs `servq sql`.
pub fn run(args: &SqlArgs) -> Result<Outcome> {
    let settings = Settings::resolve(&args.input, &args.group, &args.metrics)?;
    super::refuse_row_flags(&settings, "servq sql")?;
    let tables = tables(&args.table)?;
    if settings.inputs.is_empty() && tables.is_empty() {
        bail!("no inputs: give --surveys FILE…, a config file with [inputs], or --table surveys=NAME");
    }
    super::guard_outputs(&settings, &[("-o", args.output.as_deref())])?;
    let mut out = super::open_output(args.output.as_deref())?;
    let script = crate::sql::script::script(&settings, args.dialect, &tables)?;
    out.write_all(script.text.as_bytes())?;
    out.commit()?;
    let mut stderr = std::io::stderr().lock();
    for note in &script.notes {
        writeln!(stderr, "note: {}", terminal(note))?;
    }
    Ok(Outcome::Success)
}

/// Reads `--table KIND=NAME` values.
pub(crate) fn tables(values: &[String]) -> Result<BTreeMap<Kind, String>> {
    let mut tables = BTreeMap::new();
    for value in values {
        let Some((kind, name)) = value.split_once('=') else {
            bail!("--table {value}: give KIND=NAME, e.g. --table surveys=analytics.surveys");
        };
        let Some(kind) = Kind::ALL.into_iter().find(|k| k.as_str() == kind.trim()) else {
            let kinds: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
            bail!("--table {value}: unknown input '{kind}' (one of {})", kinds.join(", "));
        };
        if name.trim().is_empty() {
            bail!("--table {value}: the table name is empty");
        }
        tables.insert(kind, name.trim().to_string());
    }
    Ok(tables)
}
