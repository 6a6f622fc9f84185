//! `servq cohorts`: the cohort retention matrix from transactions.

use anyhow::{Context, Result, bail};
use polars::prelude::*;

use super::{account_quality, format_of, open_output};
use crate::cli::CohortsArgs;
use crate::config::Settings;
use crate::error::Outcome;
use crate::input::Kind;
use crate::metrics::frame::{counts, integers};
use crate::metrics::{MetricId, cohorts, retention};
use crate::period::Period;
use crate::report::cohorts::{CohortReport, render};

/// Runs `servq cohorts`.
pub fn run(args: &CohortsArgs) -> Result<Outcome> {
    let settings = Settings::resolve(&args.input, &args.group, &[])?;
    if !settings.inputs.contains_key(&Kind::Transactions) {
        bail!("cohorts need transactions: give --transactions FILE… or [inputs] transactions");
    }
    if settings.window.period == Period::None {
        bail!("--period none: cohorts need a period length (day, week, month, quarter or year)");
    }
    if !settings.by.is_empty() {
        bail!("--by is not supported by servq cohorts yet: filter the input per group instead");
    }
    let format = format_of(args.format, args.output.as_deref())?;
    let mut out = open_output(args.output.as_deref())?;
    let inputs = crate::compute::load(&settings, &[MetricId::Retention])?;
    account_quality(&settings, &inputs.quality, &[])?;
    let table = inputs.tables.get(&Kind::Transactions).context("transactions were not read")?;
    let active = retention::active(table.frame.clone().lazy(), &[]);
    let size_frame = cohorts::sizes(active.clone()).collect()?;
    let sizes: Vec<(i32, u64)> = integers(&size_frame, "cohort_index")?
        .into_iter()
        .zip(counts(&size_frame, "cohort.customers")?)
        .map(|(c, n)| (c.unwrap_or(0) as i32, n))
        .collect();
    let active_frame = cohorts::active_counts(active).collect()?;
    let (cohort, offset) = (integers(&active_frame, "cohort_index")?, integers(&active_frame, "offset")?);
    let n = counts(&active_frame, "cohort.active")?;
    let cells: Vec<(i32, i32, u64)> =
        (0..n.len()).map(|i| (cohort[i].unwrap_or(0) as i32, offset[i].unwrap_or(0) as i32, n[i])).collect();
    let last_index = cells.iter().map(|(c, j, _)| c + j).max().unwrap_or(0);
    let report = CohortReport {
        period: settings.window.period,
        matrix: cohorts::matrix(&sizes, &cells, last_index),
        as_of: settings.as_of.or(table.date_range.map(|r| r.1)),
        quality: &inputs.quality,
    };
    render(&report, format, &mut out)?;
    out.flush()?;
    Ok(Outcome::Success)
}
