//! From settings to results: load the inputs the selected metrics need, run one
//! aggregation per input, and turn the aggregated rows into [`Record`]s with their
//! flags. Shared by `report`, `validate` (and later `check`).

pub mod customers;
pub mod employees;
pub mod interactions;
mod options;
pub mod pareto;
mod reduce;
pub mod stats;
pub mod surveys;
pub(crate) mod weights;

use std::collections::BTreeMap;

use anyhow::Result;
use chrono::NaiveDate;
use polars::prelude::*;

use crate::input::compact::{Compaction, SURVEY_WEIGHT};
use crate::input::{self, DataQuality, Dictionaries, FieldRequest, Kind, Table, TableRequest, Timestamps, ValueKind};
use crate::metrics::registry::Family;
use crate::metrics::{Estimate, MetricId};
use crate::period::Period;
pub use options::{Options, StatsSource};

/// A flag on a figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// n is below `min_n`: low confidence.
    LowN,
    /// The period was not over at `--as-of` (or `--from`/`--to` cut it).
    Partial,
    /// More than 5% of the non-missing values behind the figure were rejected (an
    /// off-scale or unreadable value): suspect data (SPEC §9).
    Rejected,
}

impl Flag {
    /// Returns the flag as written in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Flag::LowN => "low_n",
            Flag::Partial => "partial",
            Flag::Rejected => "rejected",
        }
    }
}

/// One figure of one metric for one period and group.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The first day of the period (1970-01-01 for `--period none`).
    pub period_start: NaiveDate,
    /// The values of the `--by` columns, in order.
    pub groups: Vec<String>,
    /// Which metric.
    pub metric: MetricId,
    /// The figure.
    pub estimate: Estimate,
    /// low_n, partial.
    pub flags: Vec<Flag>,
    /// The figure covers the whole date range, not one period (clv).
    pub whole_window: bool,
}

/// Everything a run computed.
#[derive(Debug, Clone, Default)]
pub struct Results {
    /// The period length.
    pub period: Period,
    /// The `--by` columns.
    pub by: Vec<String>,
    /// The figures, sorted by period, group and metric.
    pub records: Vec<Record>,
    /// The definition of every metric computed.
    pub definitions: Vec<(MetricId, String)>,
    /// Why metrics were not computed, and other notes.
    pub notes: Vec<String>,
    /// The accounting of every input row.
    pub quality: DataQuality,
    /// When the data was cut: `--as-of`, else the latest date read over all inputs.
    pub as_of: Option<NaiveDate>,
    /// When each input's data was cut: `--as-of`, else that input's latest date read
    /// (SPEC §9.1: an export that ends earlier is judged by its own end).
    pub as_of_by_kind: BTreeMap<Kind, NaiveDate>,
    /// `--from` and `--to`: a period they cut is partial too.
    pub window: (Option<NaiveDate>, Option<NaiveDate>),
    /// First and last date of the used rows, over all inputs.
    pub range: Option<(NaiveDate, NaiveDate)>,
    /// First and last date of the used rows of each input (an input without dates has
    /// none): the span of a `--period none` figure is its own input's.
    pub range_by_kind: BTreeMap<Kind, (NaiveDate, NaiveDate)>,
    /// The low-confidence threshold.
    pub min_n: u64,
    /// The cohort matrix, when transactions were read (for the HTML heatmap).
    pub cohorts: Option<crate::metrics::cohorts::Matrix>,
    /// CLV per group with every parameter used (`servq clv`), when computed.
    pub clv_rows: Vec<customers::ClvRow>,
    /// `--compare previous`: one comparison per record, in record order.
    pub comparisons: Option<Vec<Comparison>>,
}

/// A figure against the same metric and group in the period before (`--compare
/// previous`, SPEC §14): the change and the two-sided p-value of the metric's two-sample
/// test (SPEC §4). Empty when there is no figure before, or no test.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Comparison {
    /// value − the previous value.
    pub change: Option<f64>,
    /// The p-value of the change.
    pub p_value: Option<f64>,
}

impl Comparison {
    /// Significant at 0.05; `None` without a test.
    pub fn significant(&self) -> Option<bool> {
        self.p_value.map(|p| p < 0.05)
    }
}

impl Results {
    /// No figures yet, for a run with these settings.
    pub fn empty(settings: &Options) -> Self {
        Results {
            period: settings.window.period,
            by: settings.by.clone(),
            min_n: settings.min_n,
            window: (settings.window.from, settings.window.to),
            ..Results::default()
        }
    }

    /// Fills [`Results::comparisons`]: each figure against the period before.
    pub fn compare_previous(&mut self) {
        let index: BTreeMap<(MetricId, &Vec<String>, NaiveDate), &Record> = self
            .records
            .iter()
            .filter(|r| !r.whole_window)
            .map(|r| ((r.metric, &r.groups, r.period_start), r))
            .collect();
        let comparisons = self
            .records
            .iter()
            .map(|r| {
                if r.whole_window || self.period == Period::None {
                    return Comparison::default();
                }
                let before = self.period.previous_start(r.period_start);
                match index.get(&(r.metric, &r.groups, before)) {
                    Some(previous) => Comparison {
                        change: r.estimate.value.zip(previous.estimate.value).map(|(now, then)| now - then),
                        p_value: crate::metrics::change_p_value(r.metric, &previous.estimate, &r.estimate),
                    },
                    None => Comparison::default(),
                }
            })
            .collect();
        self.comparisons = Some(comparisons);
    }

    /// Fills [`Results::comparisons`] with each group against all the other groups
    /// together in the same period (`--compare rest`): change = group − rest, and the
    /// metric's two-sample p-value, Holm-adjusted within each metric and period.
    pub fn compare_rest(&mut self) {
        let mut comparisons = vec![Comparison::default(); self.records.len()];
        let mut cells: BTreeMap<(MetricId, NaiveDate, bool), Vec<usize>> = BTreeMap::new();
        for (i, r) in self.records.iter().enumerate() {
            cells.entry((r.metric, r.period_start, r.whole_window)).or_default().push(i);
        }
        for ((metric, _, _), members) in cells {
            let mut tested: Vec<(usize, f64)> = Vec::new();
            for &i in &members {
                let record = &self.records[i];
                let others: Vec<&Estimate> =
                    members.iter().filter(|&&j| j != i).map(|&j| &self.records[j].estimate).collect();
                let Some(rest) = crate::metrics::combine(metric, &others) else { continue };
                comparisons[i].change = record.estimate.value.zip(rest.value).map(|(own, rest)| own - rest);
                if let Some(p) = crate::metrics::change_p_value(metric, &rest, &record.estimate) {
                    tested.push((i, p));
                }
            }
            let adjusted = crate::metrics::stats::holm(&tested.iter().map(|t| t.1).collect::<Vec<_>>());
            for ((i, _), p) in tested.iter().zip(adjusted) {
                comparisons[*i].p_value = Some(p);
            }
        }
        self.comparisons = Some(comparisons);
    }
}

/// A period and group: the key records are computed for, and that joins inputs.
pub type GroupKey = (NaiveDate, Vec<String>);

/// The share of rejected values above which a figure is flagged `rejected`: 5%.
pub const REJECTED_SHARE: f64 = 0.05;

/// The input fields whose rejected values make a metric's figure suspect. Customer
/// metrics have none (a transaction without a usable date or customer is rejected
/// whole, outside any period).
pub fn judged_fields(metric: MetricId) -> &'static [&'static str] {
    metric.def().judged_fields
}

/// The names of a metric's rejection counts: rows with a rejected value in one of its
/// fields, and rows with a value (valid or rejected) in one of them.
pub(crate) fn rejection_names(metric: MetricId) -> Option<(String, String)> {
    let first = judged_fields(metric).first()?;
    Some((format!("rejected.{first}.rows"), format!("rejected.{first}.judged")))
}

/// Aggregations counting, per period and group, the rows behind a metric's figure that
/// have a rejected value in one of its fields, and the rows that have a value at all
/// (valid or rejected). Nothing when none of its fields has a rejected value anywhere.
pub fn rejection_aggregations(metric: MetricId, table: &Table) -> Vec<Expr> {
    rejection_names(metric).map_or_else(Vec::new, |names| field_rejections(judged_fields(metric), &names, table))
}

/// [`rejection_aggregations`] over some fields, named `names` (rows with a rejected
/// value, rows with any value).
pub fn field_rejections(fields: &[&str], names: &(String, String), table: &Table) -> Vec<Expr> {
    let fields: Vec<&str> = fields.iter().copied().filter(|f| table.has(f)).collect();
    if !fields.iter().any(|f| table.rejected_fields.contains(f)) {
        return Vec::new();
    }
    let (rows, judged) = names;
    let any = |each: &dyn Fn(&str) -> Expr| fields.iter().map(|f| each(f)).reduce(|a, b| a.or(b));
    let rejected = any(&|f| col(input::chunk::rejected_column(f).as_str()).eq(lit(true))).unwrap_or(lit(false));
    let present = any(&|f| col(f).is_not_null()).unwrap_or(lit(false));
    vec![table.rows.count_true(rejected.clone(), rows), table.rows.count_true(rejected.or(present), judged)]
}

/// Per aggregated row: true when more than [`REJECTED_SHARE`] of the rows with a value in
/// the metric's fields had a rejected one (no counts: nothing is flagged).
pub fn rejected_flags(df: &DataFrame, metric: MetricId) -> Result<Vec<bool>> {
    Ok(match rejection_names(metric) {
        Some(names) => rejected_share(df, &names),
        None => vec![false; df.height()],
    })
}

/// Per aggregated row: the rows with a rejected value (`names.0`) are more than
/// [`REJECTED_SHARE`] of the rows with a value (`names.1`); false without the counts.
pub fn rejected_share(df: &DataFrame, (rows, judged): &(String, String)) -> Vec<bool> {
    match (crate::metrics::frame::counts(df, rows), crate::metrics::frame::counts(df, judged)) {
        (Ok(rejected), Ok(judged)) => {
            rejected.iter().zip(&judged).map(|(&r, &t)| r as f64 > REJECTED_SHARE * t as f64).collect()
        }
        _ => vec![false; df.height()],
    }
}

impl Results {
    /// Flags the records of `metric` at `keys` whose `rejected` entry is true.
    pub fn flag_rejected(&mut self, metric: MetricId, keys: &[GroupKey], rejected: &[bool]) {
        let suspect: std::collections::BTreeSet<&GroupKey> =
            keys.iter().zip(rejected).filter(|(_, r)| **r).map(|(k, _)| k).collect();
        if suspect.is_empty() {
            return;
        }
        for record in self.records.iter_mut().filter(|r| r.metric == metric) {
            let key = (record.period_start, record.groups.clone());
            if suspect.contains(&key) && !record.flags.contains(&Flag::Rejected) {
                record.flags.push(Flag::Rejected);
            }
        }
    }

    /// When the data of one input kind was cut (see [`Results::as_of_by_kind`]).
    pub fn as_of_of(&self, kind: Kind) -> Option<NaiveDate> {
        self.as_of_by_kind.get(&kind).copied().or(self.as_of)
    }

    /// Adds the metric's definition and one record per group key.
    pub fn push_metric(&mut self, keys: &[GroupKey], metric: MetricId, estimates: Vec<Estimate>, definition: String) {
        self.definitions.push((metric, definition));
        for ((start, groups), estimate) in keys.iter().zip(estimates) {
            self.records.push(Record {
                period_start: *start,
                groups: groups.clone(),
                metric,
                estimate,
                flags: Vec::new(),
                whole_window: false,
            });
        }
    }
}

/// The loaded inputs.
pub struct Inputs {
    /// One table per kind that was read.
    pub tables: BTreeMap<Kind, Table>,
    /// Codes of dimension values and keys, shared by all tables.
    pub dictionaries: Dictionaries,
    /// The accounting of every row.
    pub quality: DataQuality,
    /// The transactions summarised for the customer metrics (when read).
    pub customers: Option<customers::CustomerData>,
}

/// Returns the metrics to compute: the selection, or every metric.
pub fn wanted(settings: &Options) -> Vec<MetricId> {
    settings.selected.clone().unwrap_or_else(|| MetricId::ALL.to_vec())
}

/// Returns true if and only if a wanted KPI needs every contact with its time and
/// customer (FCR by repeat contacts): it says so from the options and the headers of
/// the interactions files (peeked).
fn needs_history(settings: &Options, metrics: &[MetricId]) -> bool {
    let empty = BTreeMap::new();
    let mapping = settings.columns.get(&Kind::Interactions).unwrap_or(&empty);
    let patterns = settings.inputs.get(&Kind::Interactions).map_or(&[][..], |p| &p[..]);
    let has_column = |fields: &[&str]| {
        let files = input::source::expand(patterns).unwrap_or_default();
        files.iter().any(|f| {
            input::source::headers(f, &settings.read).is_ok_and(|names| {
                let headers = input::columns::Headers::new("", names);
                fields.iter().any(|field| {
                    input::columns::field_def(Kind::Interactions, field).is_some_and(|def| {
                        headers.find_field(Kind::Interactions, def, mapping).ok().flatten().is_some()
                    })
                })
            })
        })
    };
    interactions::interaction_kpis(metrics).iter().any(|(_, kpi)| kpi.needs_history(&settings.metrics, &has_column))
}

/// The fields of `kind` the given metrics need, as their registry rows say; `history`:
/// see [`needs_history`].
fn field_requests(kind: Kind, metrics: &[MetricId], settings: &Options, history: bool) -> Vec<FieldRequest> {
    let options = &settings.metrics;
    let mut fields: Vec<FieldRequest> = Vec::new();
    let mut add = |request: FieldRequest| {
        if !fields.iter().any(|f| f.field == request.field) {
            fields.push(request);
        }
    };
    for metric in metrics {
        match metric.def().family {
            Family::Survey(kpi) if kind == metric.input() => {
                kpi.fields(options).into_iter().for_each(&mut add);
                if kpi.weighted() && !settings.unweighted && input::columns::field_def(kind, SURVEY_WEIGHT).is_some() {
                    add(FieldRequest { field: SURVEY_WEIGHT, kind: ValueKind::NonNegative });
                }
            }
            Family::Survey(_) => {}
            Family::Interaction(kpi) => {
                kpi.fields(options, history).into_iter().filter(|(k, _)| *k == kind).for_each(|(_, f)| add(f))
            }
            Family::Customer(needs) if kind == Kind::Transactions => {
                needs.iter().for_each(|&(field, kind)| add(FieldRequest { field, kind }))
            }
            Family::Customer(_) => {}
            Family::Employee(_) if kind == Kind::Employees => {
                add(FieldRequest { field: "leave_date", kind: ValueKind::Timestamp });
            }
            Family::Employee(_) => {}
        }
    }
    fields
}

/// How the streaming engine compacts a table: surveys and interactions without row
/// timestamps and period numbers, response times apart; none for interactions when
/// FCR uses the repeat-window method (it needs each contact's time), and none for
/// transactions, which are summarised instead (`customers::CustomerFold`).
fn compaction(kind: Kind, repeat_window: bool) -> Option<Compaction> {
    let names = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
    match kind {
        Kind::Surveys | Kind::EmployeeSurveys | Kind::Customers => {
            Some(Compaction { drop: names(&["ts", "period_index"]), ..Compaction::default() })
        }
        Kind::Interactions if repeat_window => None,
        Kind::Interactions => Some(Compaction {
            drop: names(&["ts", "period_index"]),
            // Durations have thousands of values: apart from the flags, with the
            // columns their per-key targets read.
            apart: names(&[
                "first_response_minutes",
                "first_response_at",
                "resolution",
                "resolved_at",
                "handle_time",
                "channel",
                "priority",
                "first_response_minutes.rejected",
                "first_response_at.rejected",
                "resolution.rejected",
                "resolved_at.rejected",
                "handle_time.rejected",
            ]),
        }),
        // Summarised block by block instead (see customers::CustomerFold).
        Kind::Transactions => None,
        // Few rows, each with its hire and leave dates.
        Kind::Employees => None,
    }
}

/// A spinner on stderr (only made when stderr is a terminal and not `--quiet`).
fn spinner(message: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_message(message.to_string());
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

/// When no input file has a date column (a customer snapshot, a survey export without
/// dates), the run is one period over everything (`--period none` implied, SPEC §10):
/// the settings to use instead, and the note that says so. `None` when a file has
/// dates, the period is already none, or `--from`/`--to` ask for dates (then the
/// missing column is an error naming the file).
pub fn without_dates(settings: &Options) -> Result<(Option<Options>, Option<String>)> {
    let window = &settings.window;
    if window.period == Period::None || window.from.is_some() || window.to.is_some() || settings.inputs.is_empty() {
        return Ok((None, None));
    }
    let empty = BTreeMap::new();
    for (kind, patterns) in &settings.inputs {
        let mapping = settings.columns.get(kind).unwrap_or(&empty);
        let date = input::columns::field_def(*kind, "date").expect("every kind has a date");
        for file in input::source::expand(patterns)? {
            let name = file.display().to_string();
            let headers = input::columns::Headers::new(&name, input::source::headers(&file, &settings.read)?);
            if headers.find_field(*kind, date, mapping)?.is_some() {
                return Ok((None, None));
            }
        }
    }
    let mut undated = settings.clone();
    undated.window.period = Period::None;
    Ok((Some(undated), Some(undated_note(window.period))))
}

/// The note of a run switched to one period because no input has dates.
pub fn undated_note(period: Period) -> String {
    format!(
        "no input has a date column: one period over all rows (--period none instead of --period {})",
        period.as_str()
    )
}

/// Reads every input with every field servq knows (scores, flags, times, ids, topics,
/// comments, weights), for `servq validate`: each value is judged.
pub fn load_all_fields(settings: &Options) -> Result<Inputs> {
    load_fields(settings, &MetricId::ALL, true)
}

/// Reads every input the metrics need. Inputs that no wanted metric uses are not read.
pub fn load(settings: &Options, metrics: &[MetricId]) -> Result<Inputs> {
    load_fields(settings, metrics, false)
}

fn load_fields(settings: &Options, metrics: &[MetricId], every_field: bool) -> Result<Inputs> {
    let mut dictionaries = Dictionaries::default();
    let mut quality = DataQuality::default();
    let mut tables = BTreeMap::new();
    let mut customer_data = None;
    let empty = BTreeMap::new();
    // Peeks at the interactions' headers, once.
    let repeat_window = needs_history(settings, metrics);
    for (&kind, patterns) in &settings.inputs {
        let mut fields = field_requests(kind, metrics, settings, repeat_window);
        if every_field {
            for (field, value_kind) in [
                ("customer_id", ValueKind::Checked),
                ("ticket_id", ValueKind::Checked),
                ("topic", ValueKind::Checked),
                ("comment", ValueKind::Checked),
                ("weight", ValueKind::NonNegative),
            ] {
                // --unweighted: the weight column is not read at all.
                let known = input::columns::field_def(kind, field).is_some()
                    && !(settings.unweighted && field == SURVEY_WEIGHT);
                if known && !fields.iter().any(|f| f.field == field) {
                    fields.push(FieldRequest { field, kind: value_kind });
                }
            }
        }
        if fields.is_empty() {
            continue;
        }
        let (files, notes) = input::source::expand_unique(patterns)?;
        quality.notes.extend(notes);
        let required = if kind == Kind::Transactions { vec!["customer_id"] } else { Vec::new() };
        // Employees are never cut by --from/--to: a hire before the window still counts
        // in its headcount (compute::employees cuts the periods instead).
        let whole = input::Window { from: None, to: None, ..settings.window.clone() };
        let window = if kind == Kind::Employees { &whole } else { &settings.window };
        let dated = window.period != Period::None || window.from.is_some() || window.to.is_some();
        let request = TableRequest::new(kind, &files, window, &settings.read)
            .mapping(settings.columns.get(&kind).unwrap_or(&empty))
            .fields(fields, required)
            // A customer snapshot may have no date: it is then one figure for all of it.
            .date_required(kind == Kind::Employees || (dated && kind != Kind::Customers))
            // Surveys and interactions need every --by column unless another input has
            // it (then their figures are over all its values, (all)); the others never.
            .dims(&settings.by, matches!(kind, Kind::Surveys | Kind::Interactions) && !by_elsewhere(settings, kind))
            .compaction(if settings.streaming { compaction(kind, repeat_window) } else { None })
            // FCR's repeat window is elapsed time between contacts; a hire is a day.
            .timestamps(match kind {
                Kind::Interactions if repeat_window => Timestamps::Instant,
                Kind::Employees => Timestamps::Local,
                _ => Timestamps::None,
            });
        let spinner =
            settings.progress.then(|| spinner(&format!("reading {} ({} file(s))", kind.as_str(), files.len())));
        let table = if kind == Kind::Transactions {
            // Transactions are summarised block by block as they are read (while the
            // next blocks are parsed): only the summary is used from here on.
            let mut fold = customers::CustomerFold::new(&settings.by);
            let mut sink = |frame: &DataFrame| fold.add(frame);
            let table = input::table::load_into(&request, &mut dictionaries, &mut quality, Some(&mut sink))?;
            customer_data = Some(fold.finish()?);
            table
        } else {
            input::table::load(&request, &mut dictionaries, &mut quality)?
        };
        if let Some(bar) = spinner {
            bar.finish_and_clear();
        }
        tables.insert(kind, table);
    }
    input::source::release_buffers();
    Ok(Inputs { tables, dictionaries, quality, customers: customer_data })
}

/// Whether every `--by` column is in the files of an input other than `kind` (peeking
/// at their headers): `--by site` on a report with employees and surveys is not a typo.
pub(crate) fn by_elsewhere(settings: &Options, kind: Kind) -> bool {
    let empty = BTreeMap::new();
    let has = |dim: &str| {
        settings.inputs.iter().filter(|(k, _)| **k != kind).any(|(other, patterns)| {
            let mapping = settings.columns.get(other).unwrap_or(&empty);
            input::source::expand(patterns).unwrap_or_default().iter().any(|f| {
                input::source::headers(f, &settings.read)
                    .is_ok_and(|names| input::columns::Headers::new("", names).find_dimension(dim, mapping).is_some())
            })
        })
    };
    !settings.by.is_empty() && settings.by.iter().all(|d| has(d))
}

/// The interaction figures of a `--by` column the interactions lack are over all its
/// values (every row has the empty value): labelled `(all)`, with a note.
fn label_missing_dims(table: &Table, by: &[String], results: &mut Results) {
    let missing: Vec<usize> = (0..by.len()).filter(|&i| table.missing_dims.contains(&by[i])).collect();
    if missing.is_empty() {
        return;
    }
    let mut metrics: Vec<String> = Vec::new();
    for record in results.records.iter_mut().filter(|r| r.metric.input() == Kind::Interactions) {
        missing.iter().for_each(|&i| record.groups[i] = "(all)".to_string());
        if !metrics.contains(&record.metric.to_string()) {
            metrics.push(record.metric.to_string());
        }
    }
    if !metrics.is_empty() {
        results.notes.push(missing_dims_note(&metrics, table));
    }
}

/// The note for `--by` columns an input lacks: its figures are over all their values.
pub fn missing_dims_note(metrics: &[String], table: &Table) -> String {
    dims_note(metrics, table.kind, &table.missing_dims)
}

/// [`missing_dims_note`] of an input kind and the `--by` columns it lacks.
pub fn dims_note(metrics: &[String], kind: Kind, missing: &[String]) -> String {
    format!(
        "{}: {} have no {} column: given over all its values, (all)",
        metrics.join(", "),
        kind.as_str(),
        missing.join(", ")
    )
}

/// Loads the inputs and computes every wanted metric.
/// The cohort matrix is computed too when `settings.cohorts` is set (HTML).
pub fn run(settings: &Options) -> Result<Results> {
    if let Some(source) = &settings.stats {
        return stats::run(settings, source);
    }
    let (undated, note) = without_dates(settings)?;
    let settings = undated.as_ref().unwrap_or(settings);
    let metrics = wanted(settings);
    let mut inputs = load(settings, &metrics)?;
    let mut results = Results::empty(settings);
    results.notes.extend(note);
    // Hire dates go back years: the employees' periods follow the other inputs.
    results.range = inputs
        .tables
        .values()
        .filter(|t| t.kind != Kind::Employees)
        .filter_map(|t| t.date_range)
        .reduce(|a, b| (a.0.min(b.0), a.1.max(b.1)));
    // A hire date after today is a planned hire: the employees' own latest date is
    // their latest event up to today (compute::employees), not their latest hire.
    let others = inputs.tables.values().filter(|t| t.kind != Kind::Employees);
    results.as_of = settings.as_of.or(others.filter_map(|t| t.latest_date).max());
    for (kind, table) in &inputs.tables {
        if let Some(range) = table.date_range {
            results.range_by_kind.insert(*kind, range);
        }
        if let Some(date) = settings.as_of.or(table.latest_date) {
            results.as_of_by_kind.insert(*kind, date);
        }
    }
    for metric in &metrics {
        if !inputs.tables.contains_key(&metric.input()) && settings.selected.is_some() {
            results.notes.push(format!(
                "{metric}: not computed: no {} input (give {} or [inputs] {})",
                metric.input().as_str(),
                metric.input().flag(),
                metric.input().as_str()
            ));
        }
    }
    for kind in [Kind::Surveys, Kind::EmployeeSurveys, Kind::Customers] {
        if let Some(table) = inputs.tables.get_mut(&kind) {
            let weighs = |m: &MetricId| {
                m.input() == kind
                    && matches!(m.def().family, crate::metrics::registry::Family::Survey(k) if k.weighted())
            };
            if !settings.unweighted && metrics.iter().any(weighs) {
                results.notes.extend(weights::files_without_weights(&inputs.quality, kind));
            }
            surveys::compute(table, &metrics, settings, &inputs.dictionaries, &mut results)?;
            // Done with the rows: free them before the interactions are aggregated.
            table.frame = DataFrame::empty();
        }
    }
    // The customers' keys are counted while the interactions are aggregated (both
    // leave a core idle at times).
    let (aggregated, ()) = rayon::join(
        || interactions::compute(&inputs, &metrics, settings, &mut results),
        || {
            inputs
                .customers
                .iter()
                .filter(|_| customers::counts_keys(&metrics))
                .for_each(customers::CustomerData::count_keys)
        },
    );
    aggregated?;
    if let Some(table) = inputs.tables.get(&Kind::Interactions) {
        label_missing_dims(table, &settings.by, &mut results);
    }
    customers::compute(&inputs, &metrics, settings, &mut results)?;
    if let Some(table) = inputs.tables.get(&Kind::Employees) {
        employees::compute(table, &metrics, settings, &inputs.dictionaries, &mut results)?;
    }
    finish(&mut results);
    results.quality = inputs.quality;
    Ok(results)
}

/// Sorts the records and sets their flags.
pub(crate) fn finish(results: &mut Results) {
    let period = results.period;
    let as_of_by_kind = results.as_of_by_kind.clone();
    for record in &mut results.records {
        if record.estimate.n < results.min_n {
            record.flags.push(Flag::LowN);
        }
        let end = period.end(record.period_start);
        let as_of = as_of_by_kind.get(&record.metric.input()).copied().or(results.as_of);
        let over = as_of.is_none_or(|as_of| end <= as_of);
        // A period that --from or --to cuts holds part of its days only.
        let (from, to) = results.window;
        let cut = from.is_some_and(|f| f > record.period_start) || to.is_some_and(|t| t < end);
        if period != Period::None && (!over || cut) && !record.whole_window {
            record.flags.push(Flag::Partial);
        }
    }
    for record in &mut results.records {
        record.flags.sort();
    }
    // Whole-window figures (clv) come after every period.
    results.records.sort_by(|a, b| {
        (a.whole_window, a.period_start, &a.groups, a.metric).cmp(&(
            b.whole_window,
            b.period_start,
            &b.groups,
            b.metric,
        ))
    });
}

/// The bits that hold the values 0..n.
fn bits_for(n: usize) -> u32 {
    usize::BITS - n.max(1).leading_zeros()
}

/// Groups `frame` by `period_start` and the `by.<dim>` columns and aggregates.
/// When the period and the dimension codes fit in one 64-bit number (the codes of a
/// dimension run below its dictionary's size), the rows are grouped on that one
/// number — far less memory than several key columns — and the keys unpacked after.
pub fn aggregate(
    frame: LazyFrame,
    by: &[String],
    dictionaries: &Dictionaries,
    aggregations: Vec<Expr>,
) -> PolarsResult<LazyFrame> {
    let columns: Vec<String> = by.iter().map(|d| input::dimension_column(d)).collect();
    let widths: Vec<u32> = columns.iter().map(|c| bits_for(dictionaries.get(c).map_or(1, |d| d.len()))).collect();
    if 32 + widths.iter().sum::<u32>() > 64 {
        return Ok(frame.group_by(group_keys(by)).agg(aggregations));
    }
    // period (days + 2^31, 32 bits) | dimension codes, the last dimension lowest.
    let mut key = col("period_start").cast(DataType::Int32).cast(DataType::Int64) + lit(1i64 << 31);
    key = key.cast(DataType::UInt64);
    for (column, width) in columns.iter().zip(&widths) {
        key = key * lit(1u64 << width) + col(column.as_str()).cast(DataType::UInt64);
    }
    let mut unpacked = Vec::with_capacity(columns.len() + 1);
    let mut shift = 0u32;
    for (column, width) in columns.iter().zip(&widths).rev() {
        let code = (col(GROUP_KEY) / lit(1u64 << shift)) % lit(1u64 << width);
        unpacked.push(code.cast(DataType::UInt32).alias(column.as_str()));
        shift += width;
    }
    let days = (col(GROUP_KEY) / lit(1u64 << shift)).cast(DataType::Int64) - lit(1i64 << 31);
    unpacked.push(days.cast(DataType::Int32).cast(DataType::Date).alias("period_start"));
    let mut all = vec![all().exclude_cols([GROUP_KEY]).as_expr()];
    all.extend(unpacked);
    Ok(frame.with_column(key.alias(GROUP_KEY)).group_by([col(GROUP_KEY)]).agg(aggregations).select(all))
}

/// Runs an aggregation on polars' streaming engine: the 10M bench report was about 10%
/// faster and 150 MB smaller than with the in-memory engine, though the aggregations it
/// cannot reduce batch by batch (boolean counts, quantiles, the exact sums' lists) still run
/// through its in-memory fallback. The figures are the same: the sums are exact
/// integers and the quantiles do not depend on the order of the rows.
pub fn collect_grouped(aggregated: LazyFrame) -> PolarsResult<DataFrame> {
    Ok(aggregated.collect_with_engine(Engine::Streaming)?.unwrap_single())
}

/// Aggregates `frame` per period and `--by` group as [`aggregate`] would: the
/// aggregations of a shape `reduce` knows (counts, sums, quantiles of elementwise
/// values) in one pass over the rows, the others by polars ([`collect_grouped`]),
/// joined on the keys. The figures are the same bits either way.
pub fn grouped(
    frame: LazyFrame,
    by: &[String],
    dictionaries: &Dictionaries,
    aggregations: Vec<Expr>,
) -> PolarsResult<DataFrame> {
    let columns: Vec<String> = by.iter().map(|d| input::dimension_column(d)).collect();
    let Some((reduced, rest)) = reduce::reduce(frame.clone(), &columns, &aggregations)? else {
        return collect_grouped(aggregate(frame, by, dictionaries, aggregations)?);
    };
    if rest.is_empty() {
        return Ok(reduced);
    }
    let others = collect_grouped(aggregate(frame, by, dictionaries, rest)?)?;
    let keys = group_keys(by);
    reduced.lazy().join(others.lazy(), &keys, &keys, JoinArgs::new(JoinType::Left)).collect()
}

/// The column of the packed group key of [`aggregate`].
const GROUP_KEY: &str = "group.key";

/// The group keys of an aggregation: `period_start` and the `by.<dim>` columns.
pub fn group_keys(by: &[String]) -> Vec<Expr> {
    std::iter::once(col("period_start")).chain(by.iter().map(|d| col(input::dimension_column(d)))).collect()
}

/// Reads the group keys of every row of an aggregated frame.
pub fn read_keys(df: &DataFrame, by: &[String], dictionaries: &Dictionaries) -> Result<Vec<GroupKey>> {
    let days = crate::metrics::frame::integers(df, "period_start")?;
    let mut dims = Vec::with_capacity(by.len());
    for d in by {
        let column = input::dimension_column(d);
        let codes = crate::metrics::frame::integers(df, &column)?;
        dims.push((column, codes));
    }
    Ok((0..df.height())
        .map(|row| {
            let start = crate::period::from_epoch_days(days[row].unwrap_or(0) as i32);
            let groups = dims
                .iter()
                .map(|(column, codes)| {
                    codes[row].map_or(String::new(), |c| dictionaries.value(column, c as u32).to_string())
                })
                .collect();
            (start, groups)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows (day, channel code, segment code) aggregated to row counts, sorted.
    fn counts(rows: &[(i32, u32, u32)], dictionaries: &Dictionaries) -> Vec<(i32, u32, u32, u32)> {
        let df = df!(
            "period_start" => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
            "by.channel" => rows.iter().map(|r| r.1).collect::<Vec<_>>(),
            "by.segment" => rows.iter().map(|r| r.2).collect::<Vec<_>>(),
        )
        .unwrap();
        let df = df.lazy().with_column(col("period_start").cast(DataType::Date));
        let by = ["channel".to_string(), "segment".to_string()];
        let out = aggregate(df, &by, dictionaries, vec![len().alias("n")]).unwrap().collect().unwrap();
        assert_eq!(out.column("period_start").unwrap().dtype(), &DataType::Date);
        let days = crate::metrics::frame::integers(&out, "period_start").unwrap();
        let channel = crate::metrics::frame::integers(&out, "by.channel").unwrap();
        let segment = crate::metrics::frame::integers(&out, "by.segment").unwrap();
        let n = crate::metrics::frame::counts(&out, "n").unwrap();
        let mut rows: Vec<(i32, u32, u32, u32)> = (0..out.height())
            .map(|i| (days[i].unwrap() as i32, channel[i].unwrap() as u32, segment[i].unwrap() as u32, n[i] as u32))
            .collect();
        rows.sort();
        rows
    }

    #[test]
    fn groups_packed_in_one_number_unpack_to_their_keys() {
        let mut dictionaries = Dictionaries::default();
        for value in ["chat", "email", "phone"] {
            dictionaries.get_mut("by.channel").code(value);
        }
        dictionaries.get_mut("by.segment").code("smb");
        // Days before 1970 are negative; the highest codes use every bit of their width.
        let rows = [(-400, 2, 0), (-400, 2, 0), (20_000, 0, 0), (20_000, 1, 0), (20_000, 0, 0)];
        let expected = vec![(-400, 2, 0, 2), (20_000, 0, 0, 2), (20_000, 1, 0, 1)];
        assert_eq!(counts(&rows, &dictionaries), expected);
        // Dictionaries too large to pack (over 32 bits of codes) group on the columns.
        let mut wide = Dictionaries::default();
        for i in 0..70_000 {
            wide.get_mut("by.channel").code(&i.to_string());
            wide.get_mut("by.segment").code(&i.to_string());
        }
        assert_eq!(counts(&rows, &wide), expected);
    }
}
