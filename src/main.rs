//! The `servq` binary: parse the command line, run it, map the outcome to an exit code.
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = servq::cli::Cli::parse();
    match servq::run(cli) {
        Ok(outcome) => outcome.exit_code(),
        Err(err) if servq::error::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("servq: {err:#}");
            ExitCode::from(2)
        }
    }
}
