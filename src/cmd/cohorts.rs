//! `servq cohorts`: the cohort retention matrix from transactions.

use anyhow::{Context, Result, bail};

use super::{account_quality, format_without_xlsx, guard_outputs, nothing_to_report, open_output};
use crate::cli::CohortsArgs;
use crate::compute::customers::{CompletePeriods, cohort_matrix};
use crate::config::Settings;
use crate::error::Outcome;
use crate::input::Kind;
use crate::metrics::MetricId;
use crate::period::Period;
use crate::report::cohorts::CohortReport;
use crate::report::exporter;

/// Runs `servq cohorts`.
pub fn run(args: &CohortsArgs) -> Result<Outcome> {
    let mut settings = Settings::resolve(&args.input, &args.group, &[])?;
    settings.engine.stats = super::stats_source(args.stats.as_ref(), &args.engine)?;
    if settings.stats.is_none() && !settings.inputs.contains_key(&Kind::Transactions) {
        bail!("cohorts need transactions: give --transactions FILE… or [inputs] transactions");
    }
    if settings.window.period == Period::None {
        bail!("--period none: cohorts need a period length (day, week, month, quarter or year)");
    }
    if !settings.by.is_empty() {
        bail!("--by is not supported by servq cohorts yet: filter the input per group instead");
    }
    let format = format_without_xlsx(args.out.format, args.out.output.as_deref())?;
    guard_outputs(&settings, &[("-o", args.out.output.as_deref())])?;
    let mut out = open_output(args.out.output.as_deref())?;
    if settings.stats.is_some() {
        return from_stats(args, settings, format, out);
    }
    let inputs = crate::compute::load(&settings, &[MetricId::Retention])?;
    account_quality(&settings, &inputs.quality, &[])?;
    if inputs.quality.files.iter().all(|f| f.rows_used == 0) {
        return Err(nothing_to_report(&inputs.quality, &[]));
    }
    let table = inputs.tables.get(&Kind::Transactions).context("transactions were not read")?;
    let data = inputs.customers.as_ref().context("transactions were not summarised")?;
    let as_of = settings.as_of.or(table.latest_date);
    let period = settings.window.period;
    // Cells in a period not over at as-of (or cut by --from/--to) are left out, unless
    // --include-partial.
    let complete = if args.include_partial {
        CompletePeriods { first: None, last: None }
    } else {
        CompletePeriods::of(&settings, as_of)
    };
    let matrix = cohort_matrix(data, complete);
    if matrix.cohorts.is_empty() {
        bail!(
            "nothing to report: no complete period in the transactions (as-of {}); --include-partial shows the partial one",
            as_of.map_or("unknown".to_string(), |d| d.to_string())
        );
    }
    let report = CohortReport { period, matrix, as_of, quality: &inputs.quality };
    exporter(format, false).render(&report, &mut out)?;
    out.commit()?;
    super::finish_rejects(&settings, &inputs.quality)?;
    Ok(Outcome::Success)
}

/// `servq cohorts --stats` (or `--engine`): the matrix from the engine's cohort counts
/// (`cohort.<days>` of the transactions, SPEC §13), as on the files.
fn from_stats(
    args: &CohortsArgs,
    mut settings: Settings,
    format: crate::report::Format,
    mut out: crate::output::Output,
) -> Result<Outcome> {
    let flag = if args.stats.is_some() { "cohorts --stats" } else { "cohorts --engine" };
    super::refuse_row_flags(&settings, flag)?;
    settings.engine.cohorts = true;
    settings.engine.cohorts_partial = args.include_partial;
    settings.engine.selected = Some(vec![MetricId::Retention]);
    let results = crate::compute::run(&settings)?;
    account_quality(&settings, &results.quality, &results.notes)?;
    let as_of = results.as_of_of(Kind::Transactions);
    let Some(matrix) = results.cohorts.filter(|m| !m.cohorts.is_empty()) else {
        bail!(
            "nothing to report: no complete period in the transactions' statistics (as-of {}); --include-partial shows the partial one",
            as_of.map_or("unknown".to_string(), |d| d.to_string())
        );
    };
    let report = CohortReport { period: settings.window.period, matrix, as_of, quality: &results.quality };
    exporter(format, false).render(&report, &mut out)?;
    out.commit()?;
    Ok(Outcome::Success)
}
