//! The `servq` binary: parse the command line, run it, map the outcome to an exit code.
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = servq::cli::Cli::parse();
    servq::error::install_panic_hook();
    // A panic is a bug, but still exit 2 with one line (printed by the hook), never 101.
    let Ok(result) = std::panic::catch_unwind(|| servq::run(cli)) else {
        return ExitCode::from(2);
    };
    match result {
        Ok(outcome) => outcome.exit_code(),
        Err(err) if servq::error::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("servq: {}", servq::report::safe::terminal(&format!("{err:#}")));
            ExitCode::from(2)
        }
    }
}
