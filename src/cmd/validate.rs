//! `servq validate`: the data-quality report alone (SPEC §2). Exit 0 when every row
//! and value was usable, 1 when anything was rejected.

use std::io::Write;

use anyhow::{Result, bail};

use crate::cli::ValidateArgs;
use crate::compute;
use crate::config::Settings;
use crate::error::Outcome;

/// Runs `servq validate`: reads every field any metric uses.
pub fn run(args: &ValidateArgs) -> Result<Outcome> {
    let settings = Settings::resolve(&args.input, &args.group, &[])?;
    if settings.inputs.is_empty() {
        bail!("no input files: give --surveys FILE… or a config file with [inputs]");
    }
    super::guard_outputs(&settings, &[])?;
    let (undated, note) = compute::without_dates(&settings)?;
    let inputs = compute::load_all_fields(undated.as_ref().unwrap_or(&settings))?;
    let mut stdout = std::io::stdout().lock();
    if let Some(note) = note {
        writeln!(stdout, "note: {note}")?;
    }
    for line in inputs.quality.summary_lines() {
        writeln!(stdout, "{}", crate::report::safe::terminal(&line))?;
    }
    if settings.strict {
        super::strict(&inputs.quality)?;
    }
    super::finish_rejects(&settings, &inputs.quality)?;
    let clean = inputs.quality.is_clean();
    writeln!(stdout, "{}", if clean { "clean: every row and value is usable" } else { "rejects found" })?;
    Ok(if clean { Outcome::Success } else { Outcome::Failure })
}
