//! servq: customer-service KPIs from raw service data.
//!
//! The binary is a thin shell over this library: [`run`] takes parsed arguments and
//! returns an [`Outcome`] (exit 0 or 1) or an error (exit 2). Other Rust programs use
//! [`metrics`] to compute the same numbers over their own polars frames.

pub mod check;
pub mod cli;
pub mod cmd;
pub mod compute;
pub mod config;
pub mod error;
pub mod input;
pub mod metrics;
pub mod output;
pub mod period;
pub mod report;
pub mod sql;

pub use error::Outcome;

/// Runs one parsed command line.
pub fn run(cli: cli::Cli) -> anyhow::Result<Outcome> {
    match &cli.command {
        cli::Command::Report(args) => cmd::report::run(args),
        cli::Command::Validate(args) => cmd::validate::run(args),
        cli::Command::Cohorts(args) => cmd::cohorts::run(args),
        cli::Command::Clv(args) => cmd::clv::run(args),
        cli::Command::Complaints(args) => cmd::complaints::run(args),
        cli::Command::Check(args) => cmd::check::run(args),
        cli::Command::Sql(args) => cmd::sql::run(args),
        cli::Command::Followup(args) => cmd::followup::run(args),
        cli::Command::Init(args) => cmd::init::run(args),
        cli::Command::Completions(args) => cmd::shell::completions(args.shell),
        cli::Command::Man => cmd::shell::man(),
    }
}
