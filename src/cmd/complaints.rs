//! `servq complaints`: the complaint Pareto (SPEC §11) of the latest complete period:
//! complaints by category with share, cumulative share, rate per 1000 and the vital
//! few, against the period before.

use anyhow::{Result, bail};
use chrono::NaiveDate;

use super::{account_quality, format_of, guard_outputs, nothing_to_report, open_output, stdout_color};
use crate::cli::ComplaintsArgs;
use crate::compute::pareto::{ParetoCounts, pareto_counts};
use crate::config::Settings;
use crate::error::Outcome;
use crate::input::Kind;
use crate::metrics::MetricId;
use crate::metrics::pareto::{self, Category};
use crate::metrics::registry::Family;
use crate::period::{Period, epoch_days};
use crate::report::exporter;
use crate::report::pareto::ParetoReport;

/// Runs `servq complaints`.
pub fn run(args: &ComplaintsArgs) -> Result<Outcome> {
    let mut settings = Settings::resolve(&args.input, &args.group, &[])?;
    let category = match settings.by.as_slice() {
        [] => "topic".to_string(),
        [one] => one.clone(),
        more => bail!("--by {}: give one category column (e.g. --by topic)", more.join(",")),
    };
    settings.by = vec![category.clone()];
    let metric = MetricId::ComplaintsPer1000;
    settings.selected = Some(vec![metric]);
    if !settings.inputs.contains_key(&Kind::Interactions) {
        bail!("complaints need interactions: give --interactions FILE… or [inputs] interactions");
    }
    let Family::Interaction(kpi) = metric.def().family else { bail!("complaints_per_1000 is an interaction KPI") };
    let format = format_of(args.out.format, args.out.output.as_deref())?;
    if format == crate::report::Format::Xlsx {
        bail!("Excel output is made by servq report only; use --format table, csv, json, markdown or html");
    }
    guard_outputs(&settings, &[("-o", args.out.output.as_deref())])?;
    let mut out = open_output(args.out.output.as_deref())?;
    let inputs = crate::compute::load(&settings, &[metric])?;
    if inputs.quality.files.iter().filter(|f| f.kind == Kind::Interactions).all(|f| f.rows_used == 0) {
        account_quality(&settings, &inputs.quality, &[])?;
        return Err(nothing_to_report(&inputs.quality, &[]));
    }
    let latest = inputs.tables.get(&Kind::Interactions).and_then(|t| t.latest_date);
    let as_of = settings.as_of.or(latest);
    let as_of_end = as_of.map_or(i64::MAX, |d| (i64::from(epoch_days(d)) + 1) * 86_400);
    let counts = pareto_counts(&inputs, &settings, (metric, kpi), as_of_end)?;
    let (start, label) = judged_period(&settings, as_of)?;
    let transactions = transactions_of(&counts, start);
    let rows = pareto::pareto(categories(&counts, &settings, start), transactions);
    let notes = notes(&counts, start, &label, transactions);
    super::account_output(&settings, format, args.out.output.as_deref(), &inputs.quality, &notes)?;
    if rows.is_empty() {
        bail!("nothing to report: no interactions in {label}, the latest complete period");
    }
    let report = ParetoReport {
        period: label,
        category,
        rows,
        definition: pareto::definition(counts.transactions.is_some()),
        notes,
        quality: &inputs.quality,
    };
    exporter(format, stdout_color(args.out.output.as_deref())).render(&report, &mut out)?;
    out.commit()?;
    super::finish_rejects(&settings, &inputs.quality)?;
    Ok(Outcome::Success)
}

/// The notes of the table: the complaint rule's, the denominator, suspect categories.
fn notes(counts: &ParetoCounts, start: NaiveDate, label: &str, transactions: Option<u64>) -> Vec<String> {
    let mut notes = counts.notes.clone();
    match transactions {
        None => notes.push("no transactions input: per_1000 is per 1000 interactions of the category".to_string()),
        Some(0) => notes.push(format!("no transactions in {label}: per_1000 has no value")),
        Some(_) => {}
    }
    let suspect: Vec<&str> = counts.suspect.iter().filter(|(s, _)| *s == start).map(|(_, c)| c.as_str()).collect();
    if !suspect.is_empty() {
        notes.push(format!(
            "suspect data: more than 5% of the complaint values of {} in {label} were rejected (see the hints)",
            suspect.join(", ")
        ));
    }
    notes
}

/// The judged period: the latest complete one at as-of (not cut by `--from`/`--to`),
/// or everything with `--period none`; its start and label.
fn judged_period(settings: &Settings, as_of: Option<NaiveDate>) -> Result<(NaiveDate, String)> {
    let period = settings.window.period;
    if period == Period::None {
        return Ok((NaiveDate::default(), "all".to_string()));
    }
    let Some(as_of) = as_of else { bail!("nothing to report: no dated interactions") };
    let limit = settings.window.to.map_or(as_of, |to| to.min(as_of));
    let start = period.start_of_index(period.last_complete(limit));
    if settings.window.from.is_some_and(|from| from > start) {
        bail!("nothing to report: no complete period between --from and as-of {as_of} (try --period or --to)");
    }
    Ok((start, period.label(start)))
}

/// The categories of the period starting `start`, with their complaints in the period
/// before (when that period has interactions).
fn categories(counts: &ParetoCounts, settings: &Settings, start: NaiveDate) -> Vec<Category> {
    let period = settings.window.period;
    let previous = (period != Period::None).then(|| period.previous_start(start));
    let previous_seen = previous.is_some_and(|p| counts.cells.keys().any(|(s, _)| *s == p));
    counts
        .cells
        .iter()
        .filter(|((s, _), _)| *s == start)
        .map(|((_, name), &(complaints, interactions))| Category {
            name: name.clone(),
            complaints,
            interactions,
            previous: previous
                .filter(|_| previous_seen)
                .map(|p| counts.cells.get(&(p, name.clone())).map_or(0, |c| c.0)),
            suspect: counts.suspect.contains(&(start, name.clone())),
        })
        .collect()
}

/// The transactions of the period starting `start`, when transactions were given.
fn transactions_of(counts: &ParetoCounts, start: NaiveDate) -> Option<u64> {
    counts.transactions.as_ref().map(|t| t.get(&start).copied().unwrap_or(0))
}
