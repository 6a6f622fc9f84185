//! The SQL script of `servq sql` (SPEC §13): for each input the selected metrics read,
//! the rows are cleaned with servq's own rules (column mapping, trimming, missing
//! codes, integer scores on their scale, ISO dates with offsets to the report zone,
//! `--from/--to`), bucketed into periods, and reduced per period and group to the
//! sufficient statistics the metrics' own [`SqlStat`]s name. The last statement is a
//! `SELECT` of the statistics table (see [`crate::compute::stats`] for its format).

use std::collections::BTreeMap;

use anyhow::{Result, bail};

use super::dialect::{CsvFile, Dialect};
use crate::compute::Options;
use crate::input::columns::{self, Headers};
use crate::input::compact::SURVEY_WEIGHT;
use crate::input::parse::Zone;
use crate::input::{Kind, ValueKind, source};
use crate::metrics::MetricId;
use crate::metrics::durations::QUANTILES;
use crate::metrics::registry::Family;
use crate::metrics::sql::{Aggregate, SqlStat, WEIGHT_STEPS};
use crate::period::Period;

/// The inputs the script reads.
pub const KINDS: [Kind; 6] =
    [Kind::Surveys, Kind::EmployeeSurveys, Kind::Interactions, Kind::Transactions, Kind::Customers, Kind::Employees];

/// How a column's values are read.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Reading {
    /// Whole numbers from `min` to `max` (scores, counts).
    Whole { min: i64, max: i64 },
    /// Booleans (1 and 0).
    Bool,
    /// A churn flag: a boolean or a churn word (`churned`, `retained`, …), 1 and 0.
    Churned,
    /// A duration: a number ≥ 0 in units of `unit` seconds or a clock `H:MM:SS`/`MM:SS`,
    /// as a double in units of `out` seconds.
    Duration { unit: u32, out: u32 },
    /// A time (ISO, as the date column): the minutes from the row's date to it, ≥ 0.
    After,
    /// A date (ISO, as the date column): its day in the report's zone (days since 1970).
    Day,
    /// A key (a customer, a topic): the trimmed text, NULL when missing.
    Key,
    /// A number ≥ 0 as a double (SERVQUAL's importance points), as `parse_non_negative`
    /// reads it.
    NonNegative,
    /// A survey weight: [`Reading::NonNegative`] over a double's whole range.
    Weight,
    /// An amount of money in whole millionths (`BIGINT`), as `parse_money` reads it;
    /// a negative amount is rejected unless `negative`.
    Money { negative: bool },
}

/// A column the statistics read: its field and how its values are read.
#[derive(Debug, Clone, PartialEq)]
struct Score {
    field: &'static str,
    reading: Reading,
    /// Rating labels read as scores before numbers (`[metrics.csat] labels`).
    labels: Option<&'static crate::input::parse::Labels>,
}

impl Score {
    /// How servq reads a field, if the script can read it so.
    fn of(request: &crate::input::FieldRequest) -> Option<Score> {
        let reading = match request.kind {
            ValueKind::Score { min, max, .. } => Reading::Whole { min: i64::from(min), max: i64::from(max) },
            ValueKind::Count => Reading::Whole { min: 1, max: i64::from(i32::MAX) },
            ValueKind::Bool => Reading::Bool,
            ValueKind::Churned => Reading::Churned,
            ValueKind::Duration { unit, out } => Reading::Duration { unit, out },
            ValueKind::MinutesAfterRowDate => Reading::After,
            ValueKind::Key => Reading::Key,
            ValueKind::Timestamp => Reading::Day,
            ValueKind::NonNegative if request.field == SURVEY_WEIGHT => Reading::Weight,
            ValueKind::NonNegative => Reading::NonNegative,
            ValueKind::Money { negative } => Reading::Money { negative },
            _ => return None,
        };
        let labels = match request.kind {
            ValueKind::Score { labels, .. } => labels,
            _ => None,
        };
        Some(Score { field: request.field, reading, labels })
    }

    /// Whether its text is kept for the order statistics (durations).
    fn text_kept(&self) -> bool {
        matches!(self.reading, Reading::Duration { .. } | Reading::After)
    }
}

/// The words servq reads as true and as false (`parse_bool`), in lower case.
const TRUE_WORDS: [&str; 8] = ["true", "yes", "y", "1", "t", "是", "真", "对"];
const FALSE_WORDS: [&str; 8] = ["false", "no", "n", "0", "f", "否", "假", "错"];
/// The churn words servq reads beside the booleans (`parse_churned`), in lower case.
const CHURNED_WORDS: [&str; 8] =
    ["churned", "attrited", "attrited customer", "lost", "cancelled", "canceled", "流失", "已流失"];
const RETAINED_WORDS: [&str; 7] = ["retained", "existing", "existing customer", "active", "stayed", "未流失", "留存"];
/// Text whose ASCII letters `LOWER` may fold: servq folds ASCII letters only, so only
/// text of ASCII letters, digits and spaces is folded (a Unicode `LOWER` maps `İ` to `i`).
const ASCII_WORD: &str = "^[A-Za-z0-9 ]+$";

/// What one input contributes: its metrics' statistics over its score columns.
#[derive(Debug, Default)]
struct Plan {
    scores: Vec<Score>,
    stats: Vec<SqlStat>,
    /// (rows with a rejected value, rows with any value): the names and the fields.
    rejections: Vec<((String, String), Vec<&'static str>)>,
    /// The fields without which a row in the window is rejected (`missing <field>`), as
    /// the loader rejects a transaction without its customer.
    required: Vec<&'static str>,
    /// Rows in the window whose period's running number does not fit 16 bits are
    /// rejected (transactions: `crate::input::chunk::TOO_FAR`).
    fits: bool,
    /// `--from/--to` do not cut the rows (employees: a hire before the window still
    /// counts in its headcount; the KPIs cut the periods instead).
    whole: bool,
    /// A source has a separate time column (its rows may be rejected for it).
    timed: bool,
    /// The score columns of the KPIs the survey weights weigh (SPEC §14): their
    /// figures read a score only where the weight is valid, and have weighted twins.
    weighted: Vec<&'static str>,
}

impl Plan {
    /// Adds the columns of `fields` the script can read, and `stats`, each once.
    fn add(&mut self, fields: &[crate::input::FieldRequest], stats: Vec<SqlStat>) {
        for score in fields.iter().filter_map(Score::of) {
            if !self.scores.contains(&score) {
                self.scores.push(score);
            }
        }
        for stat in stats {
            if !self.stats.contains(&stat) {
                self.stats.push(stat);
            }
        }
    }
}

/// Where one source's columns are: a file's or a table's column expressions.
struct Source {
    /// The file it reads (none for an engine table).
    file: Option<String>,
    /// The statements that make its rows readable, and the relation they are read from.
    setup: Vec<String>,
    relation: String,
    /// The date column, if any.
    date: Option<String>,
    /// A separate time-of-day column joined to the date (`[columns.<kind>] time`).
    time: Option<String>,
    /// The score columns, by field.
    fields: BTreeMap<&'static str, String>,
    /// The `--by` columns (a missing one is `None`).
    dims: Vec<Option<String>>,
}

/// The script, and what stderr should say about it.
#[derive(Debug)]
pub struct Script {
    /// The SQL, one statement per `;`-ended line group.
    pub text: String,
    /// Metrics left out, and why.
    pub notes: Vec<String>,
}

/// Writes the script for `settings` in `dialect`; `tables` names engine tables that
/// replace the configured files of their kind.
pub fn script(settings: &Options, dialect: Dialect, tables: &BTreeMap<Kind, String>) -> Result<Script> {
    refuse_untranslated_reading(settings)?;
    for dim in &settings.by {
        if ["kind", "period_start", "stat", "value"].contains(&dim.to_ascii_lowercase().as_str()) {
            bail!(
                "--by {dim}: the statistics table has a column of that name: map the column to another name in [columns.<input>] and group by that"
            );
        }
        if dialect == Dialect::Postgres && dim.len() > 63 {
            bail!(
                "--by {dim}: PostgreSQL cuts names at 63 bytes: map the column to a shorter name in [columns.<input>]"
            );
        }
    }
    // No file with a date: one period over everything, as servq report does.
    let (undated, note) = if tables.is_empty() { crate::compute::without_dates(settings)? } else { (None, None) };
    let settings = undated.as_ref().unwrap_or(settings);
    let (mut plans, mut notes) = plans(settings, tables)?;
    notes.extend(note);
    let mut statements: Vec<String> = dialect.preamble();
    let mut selects = Vec::new();
    for (kind, plan) in &mut plans {
        let sources = sources(settings, dialect, *kind, plan, tables.get(kind))?;
        // Survey files without a weight column beside files with one: in no weighted
        // figure, as on the files (and said so).
        let weights = |s: &Source| s.fields.contains_key(SURVEY_WEIGHT);
        if !plan.weighted.is_empty() && sources.iter().any(weights) {
            for file in sources.iter().filter(|s| !weights(s)).filter_map(|s| s.file.as_ref()) {
                notes.push(format!(
                    "{file}: no {SURVEY_WEIGHT} column: its responses are in no weighted figure (give every {} file a weight column, or --unweighted)",
                    kind.as_str()
                ));
            }
        }
        // A score column no file has: its metrics are not computed, as in servq report.
        let absent: Vec<&'static str> = plan
            .scores
            .iter()
            .filter(|s| sources.iter().all(|src| !src.fields.contains_key(s.field)))
            .map(|s| s.field)
            .collect();
        // CLV without a margin column uses revenue × margin_rate (or says what it lacks).
        let noted = |f: &&&str| **f != "margin" && plan.stats.iter().any(|s| s.from.is_empty() && s.column == **f);
        for field in absent.iter().filter(noted) {
            notes.push(format!("{field}: no {field} column in {}: its metrics are not computed", kind.as_str()));
        }
        // A derived column is made of the fields the input has; of none, it is not made.
        for stat in plan.stats.iter().filter(|s| !s.from.is_empty()) {
            let note = format!(
                "{}: no {} column in {}: its metrics are not computed",
                stat.column,
                stat.from.iter().map(|f| f.0.as_str()).collect::<Vec<_>>().join(" or "),
                kind.as_str()
            );
            if stat.from.iter().all(|(f, _)| absent.contains(&f.as_str())) && !notes.contains(&note) {
                notes.push(note);
            }
        }
        plan.scores.retain(|s| !absent.contains(&s.field));
        // Survey weights: the weighted twins of the weighted columns' statistics (no
        // source with a weight column: the figures are unweighted, as on the files).
        if !plan.scores.iter().any(|s| s.field == SURVEY_WEIGHT) {
            plan.weighted.clear();
        }
        plan.weighted.retain(|c| !absent.contains(c));
        let weighted = plan.weighted.clone();
        let twins: Vec<SqlStat> =
            plan.stats.iter().filter(|s| weighted.contains(&s.column.as_str())).filter_map(SqlStat::weighted).collect();
        plan.stats.extend(twins);
        for column in &weighted {
            plan.stats.extend(crate::compute::weights::sql_parts(column));
        }
        // A statistic of item columns (SERVQUAL) one of which no source has.
        let mut lacking: Vec<&str> = Vec::new();
        for field in plan.stats.iter().flat_map(|s| s.needs.iter().map(String::as_str)) {
            if absent.contains(&field) && !lacking.contains(&field) {
                lacking.push(field);
            }
        }
        if let Some(stat) = plan.stats.iter().find(|s| s.needs.iter().any(|f| absent.contains(&f.as_str()))) {
            let more = if lacking.len() > 6 { format!(" and {} more", lacking.len() - 6) } else { String::new() };
            notes.push(format!(
                "{}: no column {}{more} in {}: the figures that need them are not computed",
                stat.column,
                lacking.iter().take(6).copied().collect::<Vec<_>>().join(", "),
                kind.as_str()
            ));
        }
        plan.stats.retain(|s| !s.needs.iter().any(|f| absent.contains(&f.as_str())));
        plan.stats.retain_mut(|s| {
            if s.from.is_empty() {
                return !absent.contains(&s.column.as_str());
            }
            s.from.retain(|(f, _)| !absent.contains(&f.as_str()));
            !s.from.is_empty()
        });
        // A figure's rejected values are counted over the fields its input has.
        for (_, fields) in &mut plan.rejections {
            fields.retain(|f| !absent.contains(f));
        }
        plan.rejections.retain(|(_, fields)| !fields.is_empty());
        if plan.stats.is_empty() {
            continue;
        }
        plan.timed = sources.iter().any(|s| s.time.is_some());
        let plan = &*plan;
        let name = |what: &str| format!("servq_{}_{what}", kind.as_str());
        // Spark keeps cached tables tied to the views they were made of: every table an
        // earlier script may have made is dropped before the views are replaced.
        // The tables made of the cleaned rows first: Spark resolves a cached table's
        // plan to uncache it.
        let mut made = vec![name("quality"), name("cells")];
        made.extend(crate::metrics::durations::DURATIONS.iter().map(|d| name(&format!("rank_{}", d.column))));
        // The zone's table after the cleaned rows, which read it.
        made.extend([name("customers"), name("cohorts"), name("events"), name("unit"), name("clean"), name("zone")]);
        statements.extend(dialect.forget(&made));
        for source in &sources {
            statements.extend(source.setup.iter().cloned());
        }
        let rows = sources.iter().map(|s| source_select(dialect, s, plan, &settings.by)).collect::<Vec<_>>();
        statements.extend(dialect.view(&name("rows"), &rows.join(" UNION ALL ")));
        let dated = sources.iter().any(|s| s.date.is_some());
        // A --by column no source has is over all its values: (all), as servq report says.
        let absent: Vec<bool> = (0..settings.by.len()).map(|k| sources.iter().all(|s| s.dims[k].is_none())).collect();
        // Transactions without one of them are counted over all groups, as servq report
        // counts them (its customer-periods are not split by the columns they have).
        let collapsed = *kind == Kind::Transactions && absent.contains(&true);
        // A named zone's offsets, as a table the cleaned rows join.
        let zone = matches!(settings.window.dates.tz, Zone::Named(_)).then(|| name("zone"));
        if let Some(zone) = &zone {
            statements.extend(dialect.materialise(zone, &zone_table(dialect, settings.window.dates.tz)));
        }
        let layout = Layout { dated, absent: absent.iter().map(|a| *a || collapsed).collect(), zone };
        statements.extend(dialect.cleaned(&name("clean"), &clean(dialect, settings, plan, &name("rows"), &layout)));
        // The survey weights' step (see compute::weights), over the used rows.
        let unit = (!plan.weighted.is_empty()).then(|| name("unit"));
        if let Some(unit) = &unit {
            let query = crate::compute::weights::unit_sql(&name("clean"), dialect.double());
            statements.extend(dialect.materialise(unit, &query));
        }
        let clean_rows = weighted_rows(plan, &name("clean"), unit.as_deref());
        statements.extend(dialect.materialise(&name("cells"), &cells(settings, plan, &clean_rows)));
        let quality_query = quality(dialect, settings, plan, &name("cells"), unit.as_deref());
        statements.extend(dialect.materialise(&name("quality"), &quality_query));
        selects.extend(unpivot(dialect, settings, *kind, plan, &name("cells"), &name("quality")));
        // The order statistics of each duration: one ranking of its values each.
        for stat in plan.stats.iter().filter(|s| s.aggregate == Aggregate::OrderStatistics) {
            let table = name(&format!("rank_{}", stat.column));
            statements.extend(dialect.materialise(&table, &ranked(dialect, settings, &stat.column, &name("clean"))));
            selects.extend(order_statistics(dialect, settings, *kind, stat, &table));
        }
        // The distinct customer-periods' counts (retention, active customers).
        if plan.stats.iter().any(|s| s.aggregate == Aggregate::CustomerPeriods) {
            let groups: Vec<String> = (0..settings.by.len()).map(|k| format!("g{k}")).collect();
            let previous = period_start(dialect, settings.window.period, "(period_start - 1)");
            // CLV's distinct customers are counted from the first complete period on.
            let complete = crate::compute::customers::CompletePeriods::of(settings, None);
            let period = settings.window.period;
            let first = complete.first.filter(|_| period != Period::None);
            let first = first.map(|k| crate::period::epoch_days(period.start_of_index(k)));
            let counts = crate::metrics::customer_periods::customers_sql(&name("clean"), &groups, &previous, first);
            statements.extend(dialect.materialise(&name("customers"), &counts));
            let head = (dialect.string(kind.as_str()), dialect.date_of("period_start"));
            let dims = group_columns(dialect, settings);
            for what in ["active", "kept", "new", "entered"] {
                let stat = format!("customers.{what}");
                selects.push(stat_row(dialect, (&head.0, &head.1), &dims, &stat, what, &name("customers")));
            }
            // The cohorts over all groups (the heatmap of HTML and Excel reports):
            // `cohort.<days of the cohort's start>` per period.
            if settings.window.period != Period::None {
                let cohorts = crate::metrics::customer_periods::cohorts_sql(&name("clean"));
                statements.extend(dialect.materialise(&name("cohorts"), &cohorts));
                let stat = format!("CONCAT('cohort.', CAST(cohort AS {}))", dialect.text());
                let no_dims = no_group_columns(dialect, settings);
                selects.push(stat_row_named(dialect, (&head.0, &head.1), &no_dims, &stat, "active", &name("cohorts")));
            }
        }
        // The employees' hires and leaves per day and group (headcount, turnover).
        if plan.stats.iter().any(|s| s.aggregate == Aggregate::EmployeeEvents) {
            let groups: Vec<String> = (0..settings.by.len()).map(|k| format!("g{k}")).collect();
            let leave = plan.scores.iter().any(|s| s.field == "leave_date");
            let events = crate::metrics::employees::events_sql(&name("clean"), &groups, leave);
            statements.extend(dialect.materialise(&name("events"), &events));
            let kind_text = dialect.string(kind.as_str());
            let dims = group_columns(dialect, settings);
            selects.push(stat_row_named(
                dialect,
                (&kind_text, &dialect.date_of("ev")),
                &dims,
                "stat",
                "n",
                &name("events"),
            ));
            let no_dims = no_group_columns(dialect, settings);
            let spell = crate::metrics::employees::spell_sql(leave);
            let from = format!("{} WHERE used = 1 AND NOT ({spell})", name("clean"));
            selects.push(stat_row(
                dialect,
                (&kind_text, "CAST(NULL AS DATE)"),
                &no_dims,
                "employees.left_out",
                "COUNT(*)",
                &from,
            ));
        }
        // A --by column no source of the input has (its figures are over all groups).
        for (dim, _) in settings.by.iter().zip(&absent).filter(|(_, absent)| **absent) {
            selects.push(constant_row(dialect, settings, kind.as_str(), &format!("by.absent.{dim}"), 1));
        }
        // The distinct values of the keys of per-key targets, for their notes.
        for stat in plan.stats.iter().filter(|s| s.aggregate == Aggregate::DistinctValues) {
            let no_dims = no_group_columns(dialect, settings);
            let values = dialect.distinct_joined(&format!("v_{}", stat.column));
            let head = (dialect.string(kind.as_str()), "CAST(NULL AS DATE)".to_string());
            let from = format!("{} WHERE used = 1", name("clean"));
            selects.push(stat_row(dialect, (&head.0, &head.1), &no_dims, &stat.name, &values, &from));
        }
    }
    if selects.is_empty() {
        let why = if notes.is_empty() { "no selected metric has an input".to_string() } else { notes.join("; ") };
        bail!("nothing to compute in SQL: {why} (give --surveys/--interactions FILE… or --table KIND=NAME)");
    }
    selects.extend(meta(dialect, settings, undated.is_some()));
    let mut by_columns: Vec<String> = vec!["kind".into(), "period_start".into()];
    by_columns.extend(settings.by.iter().map(|d| dialect.ident(d)));
    by_columns.push("stat".into());
    statements.push(format!(
        "SELECT * FROM (\n  {}\n) servq_stats ORDER BY {}",
        selects.join("\n  UNION ALL "),
        by_columns.join(", ")
    ));
    let mut text = String::from("-- servq sql: sufficient statistics per period and group (SPEC §13)\n");
    text.push_str(&format!("-- dialect {}; feed the last SELECT's result to servq report --stats\n", dialect.as_str()));
    for statement in statements {
        text.push_str(&statement);
        text.push_str(";\n");
    }
    Ok(Script { text, notes })
}

/// Refuses the reading options the script does not translate yet.
fn refuse_untranslated_reading(settings: &Options) -> Result<()> {
    if settings.read.encoding.is_some_and(|e| e != encoding_rs::UTF_8) {
        bail!("servq sql reads UTF-8 files only: convert the files, or load them into a table (--table)");
    }
    if let Some(format) = &settings.window.dates.format
        && let Err(why) = super::format::translate(format)
    {
        bail!(
            "servq sql cannot translate --date-format {format}: {why}; give a format of %Y %y %m %d %e %H %M %S, literals and spaces, or load the dates into a table as ISO text (--table)"
        );
    }
    Ok(())
}

/// The statistics each input's metrics need; notes for metrics left out.
fn plans(settings: &Options, tables: &BTreeMap<Kind, String>) -> Result<(BTreeMap<Kind, Plan>, Vec<String>)> {
    let options = &settings.metrics;
    let mut plans: BTreeMap<Kind, Plan> = BTreeMap::new();
    let mut notes = Vec::new();
    let mut untranslated: Vec<MetricId> = Vec::new();
    let mut blocked: Vec<String> = Vec::new();
    let transactions = settings.inputs.contains_key(&Kind::Transactions) || tables.contains_key(&Kind::Transactions);
    for metric in crate::compute::wanted(settings) {
        let mut per_transactions = false;
        let kind = metric.input();
        let has_input = settings.inputs.contains_key(&kind) || tables.contains_key(&kind);
        // The survey weights weigh it (SPEC §14): as compute::surveys decides.
        let mut weighs = None;
        let (sql, fields) = match metric.def().family {
            Family::Survey(kpi) => {
                let weight = columns::field_def(kind, SURVEY_WEIGHT).is_some();
                weighs = (kpi.weighted() && !settings.unweighted && weight).then(|| kpi.column());
                (kpi.sql(options), kpi.fields(options))
            }
            Family::Interaction(kpi) => {
                let has = |field: &str| in_inputs(settings, Kind::Interactions, &[field], tables);
                let mut context = crate::metrics::interaction::Context::without_rows(&has, options);
                // A rate per transactions reads their count too.
                context.transactions = transactions;
                per_transactions = transactions && kpi.per_transactions().is_some();
                // FCR by repeat contacts reads each contact's customer and topic.
                let has_column = |fields: &[&str]| in_inputs(settings, kind, fields, tables);
                let history = kpi.needs_history(options, &has_column);
                let fields = kpi.fields(options, history).into_iter().filter(|(k, _)| *k == kind).map(|(_, f)| f);
                (kpi.sql(&context), fields.collect())
            }
            Family::Customer(fields) => (
                crate::metrics::customer_periods::sql_stats(metric),
                fields.iter().map(|&(field, kind)| crate::input::FieldRequest { field, kind }).collect(),
            ),
            Family::Employee(_) => (
                Some(crate::metrics::employees::sql_stats()),
                vec![crate::input::FieldRequest { field: "leave_date", kind: ValueKind::Timestamp }],
            ),
        };
        if !has_input {
            if settings.selected.is_some() {
                notes.push(format!("{metric}: not computed: no {} input", kind.as_str()));
            }
            continue;
        }
        // A field the script cannot read blocks the metric when an input has it (a time
        // column, the key of per-channel targets); else it is not there to read.
        let (fields, unreadable): (Vec<_>, Vec<_>) = fields.into_iter().partition(|f| Score::of(f).is_some());
        let files_have = |f: &str| in_inputs(settings, kind, &[f], &BTreeMap::new());
        if let Some(field) = unreadable.iter().find(|f| files_have(f.field)) {
            blocked.push(format!(
                "{metric}: not translated to SQL when the input has a {} column (servq sql does not read it yet)",
                field.field
            ));
            continue;
        }
        if let Some(table) = tables.get(&kind) {
            let mapped = |f: &str| settings.columns.get(&kind).is_some_and(|m| m.contains_key(f));
            let times = fields.iter().filter(|f| f.kind == ValueKind::MinutesAfterRowDate && !mapped(f.field));
            for field in times.map(|f| f.field) {
                let note = format!(
                    "--table {}={table}: its {field} column is not read unless mapped ([columns.{}] {field} = \"…\")",
                    kind.as_str(),
                    kind.as_str()
                );
                push_once(&mut notes, note);
            }
            for field in unreadable.iter().map(|f| f.field) {
                let note = format!(
                    "--table {}: its {field} column, if it has one, is not read (servq sql reads {field} from no table yet)",
                    kind.as_str()
                );
                push_once(&mut notes, note);
            }
        }
        let sql = sql.filter(|_| KINDS.contains(&kind));
        let (Some(stats), false) = (sql, fields.is_empty()) else {
            // A KPI whose columns no file has (SERVQUAL items) is not said to be missing.
            let names: Vec<&str> = fields.iter().map(|f| f.field).collect();
            if settings.selected.is_some() || in_inputs(settings, kind, &names, tables) {
                untranslated.push(metric);
            }
            continue;
        };
        if per_transactions {
            // A rate per transactions: their count per period and group.
            let rows = crate::metrics::customer_periods::sql_stats(MetricId::Transactions).unwrap_or_default();
            let customer = crate::input::FieldRequest { field: "customer_id", kind: ValueKind::Key };
            plans.entry(Kind::Transactions).or_default().add(&[customer], rows);
        }
        // Item columns named by the config (SERVQUAL) name the script's columns too.
        let plain = |f: &str| f.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        let lower: Vec<String> = fields.iter().map(|f| f.field.to_ascii_lowercase()).collect();
        let twice = |i: usize| lower[..i].contains(&lower[i]);
        let odd = fields.iter().enumerate().find(|(i, f)| !plain(f.field) || twice(*i));
        let names: Vec<&str> = fields.iter().map(|f| f.field).collect();
        let read = || settings.selected.is_some() || in_inputs(settings, kind, &names, tables);
        if let Some((i, field)) = odd.filter(|_| read()) {
            let why = if twice(i) { "another item differs from it only in case" } else { "it has other characters" };
            bail!(
                "{metric}: servq sql names its columns after the item '{}' ({why}): give items names of letters, digits and _ that differ beyond case ([metrics.servqual] expectation, perception, importance)",
                field.field
            );
        }
        let plan = plans.entry(kind).or_default();
        plan.add(&fields, stats);
        if let Some(column) = weighs {
            plan.add(&[crate::input::FieldRequest { field: SURVEY_WEIGHT, kind: ValueKind::NonNegative }], Vec::new());
            if !plan.weighted.contains(&column) {
                plan.weighted.push(column);
            }
            let mapped = settings.columns.get(&kind).is_some_and(|m| m.contains_key(SURVEY_WEIGHT));
            if let Some(table) = tables.get(&kind).filter(|_| !mapped) {
                let note = format!(
                    "--table {}={table}: its {SURVEY_WEIGHT} column is not read unless mapped ([columns.{}] {SURVEY_WEIGHT} = \"…\"): the survey KPIs are unweighted",
                    kind.as_str(),
                    kind.as_str()
                );
                push_once(&mut notes, note);
            }
        }
        // A KPI whose judged columns come from its options (SERVQUAL): its own counts.
        let own = match metric.def().family {
            Family::Survey(kpi) if !kpi.judged(options).is_empty() => {
                Some((crate::compute::surveys::item_rejections(metric), kpi.judged(options)))
            }
            _ => None,
        };
        let judged_by = crate::compute::rejection_names(metric)
            .map(|names| (names, crate::compute::judged_fields(metric).to_vec()))
            .or(own);
        if let Some((names, judged)) = judged_by {
            // Over the fields the script reads (a time column no input has is not).
            let mut judged = judged;
            judged.retain(|f| plan.scores.iter().any(|s| s.field == *f));
            if !plan.rejections.iter().any(|(n, _)| *n == names) {
                plan.rejections.push((names, judged));
            }
        }
    }
    // A transaction without its customer is rejected, as the loader rejects it.
    if let Some(plan) = plans.get_mut(&Kind::Transactions) {
        plan.required = vec!["customer_id"];
        plan.fits = true;
    }
    if let Some(plan) = plans.get_mut(&Kind::Employees) {
        plan.whole = true;
    }
    // A translated KPI refused here is so for these columns or options (FCR by the
    // repeat-window method, or without a flag column).
    let translated = translated();
    let (partly, others): (Vec<MetricId>, Vec<MetricId>) =
        untranslated.into_iter().partition(|m| translated.contains(&m.to_string()));
    let mut refusals = blocked;
    if !others.is_empty() {
        let names: Vec<String> = others.iter().map(|m| m.to_string()).collect();
        refusals.push(format!(
            "{}: not translated to SQL yet (servq sql computes {}; the others need servq report on the files)",
            names.join(", "),
            translated.join(", ")
        ));
    }
    for metric in partly {
        refusals.push(format!(
            "{metric}: not translated to SQL for these columns or options (fcr: from a first_contact_resolved or contacts_to_resolve column, or by repeat contacts of a customer_id; complaints_per_1000: from a boolean complaint column, or a complaint value without a quote or backslash; sla_pct, resolution_sla_pct: no quote or backslash in a value of per_channel or per_priority)"
        ));
    }
    if settings.selected.is_some() && !refusals.is_empty() {
        bail!("{}", refusals.join("; "));
    }
    notes.extend(refusals);
    Ok((plans, notes))
}

/// Adds `note` unless it is there.
fn push_once(notes: &mut Vec<String>, note: String) {
    if !notes.contains(&note) {
        notes.push(note);
    }
}

/// Whether an input has one of `fields` (an engine table is taken to have them).
fn in_inputs(settings: &Options, kind: Kind, fields: &[&str], tables: &BTreeMap<Kind, String>) -> bool {
    if tables.contains_key(&kind) {
        return true;
    }
    let empty = BTreeMap::new();
    let mapping = settings.columns.get(&kind).unwrap_or(&empty);
    let files = settings.inputs.get(&kind).map(|p| source::expand(p).unwrap_or_default()).unwrap_or_default();
    files.iter().any(|file| {
        source::headers(file, &settings.read).is_ok_and(|names| {
            let headers = Headers::new("", names);
            fields.iter().any(|f| {
                columns::field_def(kind, f)
                    .is_some_and(|def| headers.find_field(kind, def, mapping).ok().flatten().is_some())
            })
        })
    })
}

/// The metrics `servq sql` computes.
pub fn translated() -> Vec<String> {
    let options = crate::metrics::MetricSettings::default();
    let has = |_: &str| true;
    let context = crate::metrics::interaction::Context::without_rows(&has, &options);
    MetricId::ALL
        .iter()
        .filter(|m| KINDS.contains(&m.input()))
        .filter(|m| match m.def().family {
            Family::Survey(kpi) => kpi.sql(&options).is_some(),
            Family::Interaction(kpi) => kpi.sql(&context).is_some(),
            Family::Customer(_) => crate::metrics::customer_periods::sql_stats(**m).is_some(),
            Family::Employee(_) => true,
        })
        .map(|m| m.to_string())
        .collect()
}

/// The sources of one input: its engine table, or each of its files.
fn sources(
    settings: &Options,
    dialect: Dialect,
    kind: Kind,
    plan: &Plan,
    table: Option<&String>,
) -> Result<Vec<Source>> {
    let empty = BTreeMap::new();
    let mapping = settings.columns.get(&kind).unwrap_or(&empty);
    if let Some(table) = table {
        // An engine table: its columns are named as the mapping says, else canonically.
        let name = |field: &str| dialect.ident(mapping.get(field).map_or(field, String::as_str));
        // Its date column is read (rows with a bad date are rejected) even for --period none.
        // A time column (first_response_at) is read only when mapped: most tables have the
        // duration or the time, and the engine would stop at a column the table lacks.
        // So is the survey weight (most survey tables have none).
        let read =
            |s: &&Score| (s.reading != Reading::After && s.field != SURVEY_WEIGHT) || mapping.contains_key(s.field);
        // A customer snapshot's date is read only when mapped: most have none.
        let date = (kind != Kind::Customers || mapping.contains_key("date")).then(|| name("date"));
        return Ok(vec![Source {
            file: None,
            setup: Vec::new(),
            relation: table.clone(),
            time: mapping.contains_key("time").then(|| name("time")),
            date,
            fields: plan.scores.iter().filter(read).map(|s| (s.field, name(s.field))).collect(),
            dims: settings.by.iter().map(|d| Some(name(d))).collect(),
        }]);
    }
    let dated =
        settings.window.period != Period::None || settings.window.from.is_some() || settings.window.to.is_some();
    let (files, _) = source::expand_unique(&settings.inputs[&kind])?;
    let dims_required =
        matches!(kind, Kind::Surveys | Kind::Interactions) && !crate::compute::by_elsewhere(settings, kind);
    let mut out = Vec::new();
    for (i, file) in files.iter().enumerate() {
        let display = file.display().to_string();
        let names = source::headers(file, &settings.read)?;
        crate::input::table::check_header(&display, &names)?;
        let headers = Headers::new(&display, names.clone());
        let path = std::fs::canonicalize(file)?.display().to_string();
        let delimiter = match settings.read.delimiter {
            Some(d) => d,
            None => super::files::sniffed_delimiter(file)?,
        };
        super::files::check(file, dialect, delimiter)?;
        let csv = CsvFile { path, delimiter, headers: names.clone() };
        let view = format!("servq_{}_file{i}", kind.as_str());
        let column = |index: usize| dialect.file_column(index);
        let date_def = columns::field_def(kind, "date").expect("every kind has a date");
        let date = headers.find_field(kind, date_def, mapping)?.map(column);
        // A customer snapshot may have no date: it is then one figure for all of it.
        // Employees always need their hire dates.
        if date.is_none() && (dated || kind == Kind::Employees) && kind != Kind::Customers {
            let why = if settings.window.from.is_some() || settings.window.to.is_some() {
                " (--from/--to need one)"
            } else {
                ""
            };
            bail!(
                "{display}: no date column for {}{why} (looked for {}); map one with [columns.{}] date = \"…\"",
                kind.as_str(),
                columns::looked_for(date_def),
                kind.as_str()
            );
        }
        // A separate time column, as the loader finds it.
        let time = crate::input::table::time_column(&headers, mapping, kind, date.is_some())?.map(column);
        let mut fields = BTreeMap::new();
        for score in &plan.scores {
            let def = columns::field_def(kind, score.field).expect("score fields are canonical");
            if let Some(index) = headers.find_field(kind, def, mapping)? {
                fields.insert(score.field, column(index));
            }
        }
        let mut dims = Vec::new();
        for dim in &settings.by {
            let index = headers.find_dimension(dim, mapping);
            if index.is_none() && dims_required {
                bail!("{display}: unknown column '{dim}' for --by; its columns are: {}", headers.list());
            }
            dims.push(index.map(column));
        }
        let setup = dialect.read_csv(&view, &csv);
        out.push(Source { file: Some(display), setup, relation: view, date, time, fields, dims });
    }
    if out.iter().any(|s| s.date.is_some()) && out.iter().any(|s| s.date.is_none()) {
        return Err(crate::input::table::mixed_dates(kind));
    }
    Ok(out)
}

/// One source's rows as text columns `d`, `tm`, `f_<field>`, `g<k>`.
fn source_select(dialect: Dialect, source: &Source, plan: &Plan, by: &[String]) -> String {
    let text = |expr: Option<&String>| match expr {
        Some(e) => format!("CAST({e} AS {})", dialect.text()),
        None => format!("CAST(NULL AS {})", dialect.text()),
    };
    let mut columns = vec![format!("{} AS d", text(source.date.as_ref()))];
    columns.push(format!("{} AS tm", text(source.time.as_ref())));
    for score in &plan.scores {
        columns.push(format!("{} AS f_{}", text(source.fields.get(score.field)), score.field));
    }
    // A --by column absent from every source is over all its values: (all).
    for (k, _) in by.iter().enumerate() {
        columns.push(format!("{} AS g{k}", text(source.dims[k].as_ref())));
    }
    format!("SELECT {} FROM {}", columns.join(", "), source.relation)
}

/// How an input's sources are laid out.
struct Layout {
    /// Some source has a date column.
    dated: bool,
    /// Per `--by` column: no source has it.
    absent: Vec<bool>,
    /// A named zone's table of offsets (see [`zone_table`]).
    zone: Option<String>,
}

/// An ISO date or date-time (servq's `DateParser` without a format).
const ISO: &str =
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.,][0-9]+)?)?([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)?)?$";
/// The start of one.
const ISO_DAY: &str = "^[0-9]{4}-[0-9]{2}-[0-9]{2}";
/// A decimal number as Rust reads one (no `inf`, no `nan`).
const NUMBER: &str = "^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?$";
/// An exponent of 1000 or more (leading zeros aside): far off any scale.
const HUGE_EXPONENT: &str = "[eE][+-]?0*[1-9][0-9]{3,}$";
/// A non-zero digit before the exponent: a number that is not zero.
const NON_ZERO: &str = "^[+-]?[.0-9]*[1-9]";

/// 1 when the trimmed text `t` is one of `trues`, 0 when one of `falses` (ASCII letters
/// in any case, as `eq_ignore_ascii_case` compares; other words exactly), else NULL.
fn flag(dialect: Dialect, t: &str, trues: &[&str], falses: &[&str]) -> String {
    let test = |words: &[&str]| {
        let list = |ws: Vec<&str>| ws.iter().map(|w| dialect.string(w)).collect::<Vec<_>>().join(", ");
        let (ascii, other): (Vec<&str>, Vec<&str>) = words.iter().copied().partition(|w| w.is_ascii());
        let mut parts = vec![format!("({} AND LOWER({t}) IN ({}))", dialect.matches(t, ASCII_WORD), list(ascii))];
        if !other.is_empty() {
            parts.push(format!("{t} IN ({})", list(other)));
        }
        parts.join(" OR ")
    };
    format!("CASE WHEN {} THEN 1 WHEN {} THEN 0 END", test(trues), test(falses))
}

/// `WHEN LOWER(t) = '<label>' THEN <score> ` for each rating label (servq lower-cases
/// the trimmed text and compares it with the labels, lower-cased).
fn label_cases(dialect: Dialect, t: &str, labels: &crate::input::parse::Labels) -> String {
    labels
        .entries
        .iter()
        .map(|(word, score)| format!("WHEN LOWER({t}) = {} THEN {score} ", dialect.string(word)))
        .collect()
}

/// True when the trimmed text `t` is one of the labels.
fn label_match(dialect: Dialect, t: &str, labels: &crate::input::parse::Labels) -> String {
    let words: Vec<String> = labels.entries.iter().map(|(w, _)| dialect.string(w)).collect();
    format!("LOWER({t}) IN ({})", words.join(", "))
}

/// The cleaned rows: `day` (days since 1970, NULL when the row is rejected), the
/// rejection reason, `used`, `period_start` (days), `v_<field>` (valid scores),
/// `r_<field>` (1 when rejected), `m_<field>` (1 when missing), and the groups `g<k>`.
fn clean(dialect: Dialect, settings: &Options, plan: &Plan, rows: &str, layout: &Layout) -> String {
    let dated = layout.dated;
    let missing_codes: Vec<String> = settings.read.missing.iter().map(|c| dialect.string(c.trim())).collect();
    let is_code = |t: &str| {
        if missing_codes.is_empty() { "FALSE".to_string() } else { format!("{t} IN ({})", missing_codes.join(", ")) }
    };
    // Layer 1: trimmed text.
    let mut l1 = vec![format!("{} AS t_d", dialect.trim("d")), format!("{} AS t_tm", dialect.trim("tm"))];
    for s in &plan.scores {
        l1.push(format!("{} AS t_{}", dialect.trim(&format!("f_{}", s.field)), s.field));
    }
    for k in 0..settings.by.len() {
        let t = dialect.trim(&format!("g{k}"));
        if layout.absent[k] {
            l1.push(format!("'(all)' AS g{k}"));
        } else {
            l1.push(format!("CASE WHEN g{k} IS NULL OR {} THEN '' ELSE {t} END AS g{k}", is_code(&t)));
        }
    }
    // Layer 2: numbers and date parts, each computed only where its text has the shape.
    let mut l2 = vec!["t_d".to_string()];
    // With --date-format, each date's ISO parts are named `<p>i_…` and its format's
    // `<p>f_…`; `format_layers` picks one.
    let date_format = settings.window.dates.format.as_deref().and_then(|f| super::format::translate(f).ok());
    let parts = |t: &str, p: &str| match &date_format {
        None => date_parts(dialect, t, p),
        Some(format) => {
            let mut out = date_parts(dialect, t, &format!("{p}i_"));
            out.extend(format_parts(dialect, t, p, format));
            out
        }
    };
    l2.extend(parts("t_d", ""));
    // A missing code in the time column is a missing time (midnight), as an empty one.
    l2.push(format!("CASE WHEN {} THEN 0 ELSE {} END AS tod", is_code("t_tm"), time_of_day(dialect, "t_tm")));
    for s in &plan.scores {
        let t = format!("t_{}", s.field);
        let shaped = format!("{} AND NOT {}", dialect.matches(&t, NUMBER), dialect.matches(&t, HUGE_EXPONENT));
        l2.push(format!("CASE WHEN {t} IS NULL OR {t} = '' OR {} THEN 1 ELSE 0 END AS m_{}", is_code(&t), s.field));
        match s.reading {
            Reading::Bool => l2.push(format!("{} AS x_{}", flag(dialect, &t, &TRUE_WORDS, &FALSE_WORDS), s.field)),
            Reading::Churned => {
                let trues: Vec<&str> = CHURNED_WORDS.iter().chain(&TRUE_WORDS).copied().collect();
                let falses: Vec<&str> = RETAINED_WORDS.iter().chain(&FALSE_WORDS).copied().collect();
                l2.push(format!("{} AS x_{}", flag(dialect, &t, &trues, &falses), s.field));
            }
            Reading::Whole { .. } => {
                let labels = s.labels.map(|l| label_cases(dialect, &t, l)).unwrap_or_default();
                l2.push(format!("CASE {labels}WHEN {shaped} THEN {} END AS x_{}", dialect.number(&t), s.field));
            }
            Reading::Duration { unit, .. } => {
                l2.push(format!("{} AS x_{}", duration_seconds(dialect, &t, &shaped, unit), s.field));
                l2.push(format!("{t} AS q_{}", s.field));
            }
            Reading::After | Reading::Day => l2.extend(parts(&t, &format!("{}_", s.field))),
            Reading::Key => l2.push(format!("{t} AS x_{}", s.field)),
            Reading::NonNegative => {
                l2.push(format!("CASE WHEN {shaped} THEN {} END AS x_{}", dialect.number(&t), s.field));
            }
            Reading::Weight => {
                l2.push(format!("CASE WHEN {shaped} THEN {} END AS x_{}", dialect.number_wide(&t), s.field));
            }
            Reading::Money { negative } => {
                l2.push(format!("{} AS x_{}", money_units(dialect, &t, &shaped, negative), s.field));
            }
        }
        // A label is its score, whatever digits it has ("0 stars").
        let label = s.labels.map(|l| format!("WHEN {} THEN 0 ", label_match(dialect, &t, l))).unwrap_or_default();
        l2.push(format!("CASE {label}WHEN {} THEN 1 ELSE 0 END AS nz_{}", dialect.matches(&t, NON_ZERO), s.field));
    }
    for k in 0..settings.by.len() {
        l2.push(format!("g{k}"));
    }
    // Layer 3: the offset (seconds east of UTC) and the date's checks.
    let mut l3 = vec!["*".to_string()];
    l3.extend(date_checks(dialect, ""));
    for s in plan.scores.iter().filter(|s| matches!(s.reading, Reading::After | Reading::Day)) {
        l3.extend(date_checks(dialect, &format!("{}_", s.field)));
    }
    // The date prefixes: the row's date, and the dates of its time and date columns.
    let mut prefixes = vec![String::new()];
    prefixes.extend(
        plan.scores
            .iter()
            .filter(|s| matches!(s.reading, Reading::After | Reading::Day))
            .map(|s| format!("{}_", s.field)),
    );
    // The prefixes of the times between which time elapses (a time after the row's date,
    // and the row's own for FCR's repeat window): see `instant`.
    let neighbours = plan.stats.iter().find(|s| !s.neighbours.is_empty()).map(|s| s.neighbours.clone());
    let mut instants: Vec<String> =
        plan.scores.iter().filter(|s| s.reading == Reading::After).map(|s| format!("{}_", s.field)).collect();
    if !instants.is_empty() || neighbours.is_some() {
        instants.insert(0, String::new());
    }
    // Layer 4: the day, in the report's zone; the reason a row is rejected. A named zone's
    // offset `<p>zo` is that of each instant (see `zone_layers`).
    let tz = settings.window.dates.tz;
    let zone = |p: &str| match tz {
        Zone::Fixed(seconds) => seconds.to_string(),
        Zone::Named(_) => format!("{p}zo"),
    };
    let day_expr =
        format!("{} + {}", dialect.epoch_days("y", "mo", "dd"), dialect.floor_div(&day_seconds(&zone(""), ""), 86_400));
    let reason = if let (true, Some(format)) = (dated, &settings.window.dates.format) {
        // With a format every date that is not missing is rejected for not matching it
        // (nor ISO), as servq's DateParser says.
        let mismatch = dialect.string(&crate::input::parse::format_mismatch(format));
        format!(
            "CASE WHEN t_d IS NULL OR t_d = '' THEN 'missing date' WHEN {} THEN NULL ELSE {mismatch} END",
            date_ok("")
        )
    } else if dated {
        "CASE WHEN t_d IS NULL OR t_d = '' THEN 'missing date' WHEN iso_day = 0 THEN 'not an ISO date' WHEN ymd_ok = 0 THEN 'impossible date' WHEN iso = 0 OR hh > 23 OR mi > 59 OR ss > 60 OR off_ok = 0 THEN 'not an ISO date' END"
        .to_string()
    } else {
        format!("CAST(NULL AS {})", dialect.text())
    };
    // Then a time of day that is no time rejects the row (after its date).
    let reason = if dated {
        let why = dialect.string(TIME_OF_DAY_REASON);
        format!("COALESCE({reason}, CASE WHEN tod IS NULL THEN {why} END)")
    } else {
        reason
    };
    let mut l4 = vec![format!("{reason} AS reason")];
    l4.push(format!("CASE WHEN {} THEN {day_expr} END AS day", date_ok("")));
    if neighbours.is_some() {
        l4.push(format!("CASE WHEN {} THEN {} END AS ts", date_ok(""), instant(dialect, tz, "")));
    }
    for s in &plan.scores {
        let f = s.field;
        let (min, max) = match s.reading {
            Reading::Whole { min, max } => (min, max),
            Reading::Bool | Reading::Churned => (0, 1),
            Reading::Duration { out, .. } => {
                // A number ≥ 0 of at most 1000 years, as a double in the column's unit.
                l4.push(format!(
                    "CASE WHEN m_{f} = 1 OR x_{f} IS NULL OR x_{f} < 0 OR x_{f} > {MAX_DURATION_SECONDS} THEN NULL WHEN x_{f} = 0 AND nz_{f} = 1 THEN NULL ELSE x_{f} / {out} END AS v_{f}"
                ));
                l4.extend([format!("m_{f}"), format!("q_{f}")]);
                continue;
            }
            Reading::NonNegative | Reading::Weight => {
                // A finite number ≥ 0 (a written non-zero that rounds to 0 is rejected);
                // -0 is 0.
                l4.push(format!(
                    "CASE WHEN m_{f} = 1 OR x_{f} IS NULL OR x_{f} < 0 OR ABS(x_{f}) > 1.7976931348623157e308 THEN NULL WHEN x_{f} = 0 AND nz_{f} = 1 THEN NULL WHEN x_{f} = 0 THEN 0 ELSE x_{f} END AS v_{f}"
                ));
                l4.push(format!("m_{f}"));
                continue;
            }
            Reading::Key | Reading::Money { .. } => {
                l4.push(format!("CASE WHEN m_{f} = 1 THEN NULL ELSE x_{f} END AS v_{f}"));
                l4.push(format!("m_{f}"));
                continue;
            }
            Reading::Day => {
                // The day of a valid date in the report's zone, as the row's `day`.
                let p = format!("{f}_");
                let day = format!(
                    "{} + {}",
                    dialect.epoch_days(&format!("{p}y"), &format!("{p}mo"), &format!("{p}dd")),
                    dialect.floor_div(&day_seconds(&zone(&p), &p), 86_400)
                );
                l4.push(format!(
                    "CASE WHEN m_{f} = 1 THEN NULL WHEN NOT ({}) THEN NULL ELSE {day} END AS v_{f}",
                    date_ok(&p)
                ));
                l4.push(format!("m_{f}"));
                continue;
            }
            Reading::After => {
                // Seconds elapsed from the row's date to the time (instant to instant);
                // none without a valid row date, rejected when negative. One test per
                // WHEN: the days are made only of valid dates.
                let p = format!("{f}_");
                let (at, start) = (instant(dialect, tz, &p), instant(dialect, tz, ""));
                l4.push(format!(
                    "CASE WHEN m_{f} = 1 THEN NULL WHEN NOT ({}) THEN NULL WHEN NOT ({}) THEN NULL WHEN {at} < {start} THEN NULL ELSE {at} - {start} END AS a_{f}",
                    date_ok(&format!("{f}_")),
                    date_ok("")
                ));
                l4.push(format!("m_{f}"));
                continue;
            }
        };
        l4.push(format!(
            "CASE WHEN m_{f} = 1 OR x_{f} IS NULL OR x_{f} < {min} OR x_{f} > {max} THEN NULL WHEN x_{f} <> FLOOR(x_{f}) THEN NULL WHEN x_{f} = 0 AND nz_{f} = 1 THEN NULL ELSE CAST(x_{f} AS BIGINT) END AS v_{f}"
        ));
        l4.push(format!("m_{f}"));
    }
    for k in 0..settings.by.len() {
        l4.push(format!("g{k}"));
    }
    // Layer 5: used, the period, the rejected flags.
    let window = |day: &str| {
        // Rows without dates (a customer snapshot) are one period no window cuts.
        if !dated {
            return "TRUE".to_string();
        }
        if plan.whole {
            return "reason IS NULL".to_string();
        }
        let mut parts = vec!["reason IS NULL".to_string()];
        if let Some(from) = settings.window.from {
            parts.push(format!("{day} >= {}", crate::period::epoch_days(from)));
        }
        if let Some(to) = settings.window.to {
            parts.push(format!("{day} <= {}", crate::period::epoch_days(to)));
        }
        parts.join(" AND ")
    };
    // A row in the window is rejected when its period does not fit a customer-period
    // key (transactions), then when it lacks a required value (`missing <field>`).
    let inside = window("day");
    let mut rejections: Vec<(String, String)> = Vec::new();
    if let Some(index) = plan.fits.then(|| period_index(dialect, settings.window.period, "day")).flatten() {
        let reason = dialect.string(crate::input::chunk::TOO_FAR);
        rejections.push((format!("NOT ({index} BETWEEN -32767 AND 32767)"), reason));
    }
    for f in &plan.required {
        rejections.push((format!("m_{f} = 1"), format!("'missing {f}'")));
    }
    let mut l5 = if rejections.is_empty() {
        vec!["reason".to_string(), format!("CASE WHEN {inside} THEN 1 ELSE 0 END AS used")]
    } else {
        let whens: Vec<String> =
            rejections.iter().map(|(test, reason)| format!("WHEN {inside} AND {test} THEN {reason}")).collect();
        let any: Vec<&str> = rejections.iter().map(|(test, _)| test.as_str()).collect();
        vec![
            format!("CASE {} ELSE reason END AS reason", whens.join(" ")),
            format!("CASE WHEN {inside} AND NOT ({}) THEN 1 ELSE 0 END AS used", any.join(" OR ")),
        ]
    };
    l5.push("day".to_string());
    if neighbours.is_some() {
        l5.push("ts".to_string());
    }
    let start = if dated { period_start(dialect, settings.window.period, "day") } else { "0".to_string() };
    l5.push(format!("CAST({start} AS BIGINT) AS period_start"));
    for s in &plan.scores {
        let f = s.field;
        if s.reading == Reading::After {
            // The minutes as servq computes them ((at − start) as a double / 60); the
            // order statistics' text `+<seconds>s`.
            l5.push(format!("CAST(a_{f} AS {}) / 60 AS v_{f}", dialect.double()));
            l5.push(format!(
                "CASE WHEN a_{f} IS NOT NULL THEN CONCAT('+', CAST(a_{f} AS {}), 's') END AS q_{f}",
                dialect.text()
            ));
            l5.push(format!("m_{f}"));
            l5.push(format!("CASE WHEN m_{f} = 0 AND a_{f} IS NULL THEN 1 ELSE 0 END AS r_{f}"));
            continue;
        }
        l5.push(format!("v_{f}"));
        l5.push(format!("m_{f}"));
        l5.push(format!("CASE WHEN m_{f} = 0 AND v_{f} IS NULL THEN 1 ELSE 0 END AS r_{f}"));
        if s.text_kept() {
            l5.push(format!("q_{f}"));
        }
    }
    for k in 0..settings.by.len() {
        l5.push(format!("g{k}"));
    }
    let l4_text = l4.join(", ");
    // PostgreSQL would fold the layers into one, each name's expression repeated where
    // it is used (a regular expression dozens of times a row): OFFSET 0 keeps them apart.
    let fence = if dialect == Dialect::Postgres { " OFFSET 0" } else { "" };
    let l2_query = format!("SELECT {} FROM (SELECT {} FROM {rows}{fence}) s1", l2.join(", "), l1.join(", "));
    let l2_query = match date_format {
        Some(_) => format_layers(&prefixes, &l2_query, fence),
        None => l2_query,
    };
    let l3_query = format!("SELECT {} FROM ({l2_query}{fence}) s2", l3.join(", "));
    let l3_query = match &layout.zone {
        Some(zone) => zone_layers(dialect, zone, &prefixes, &instants, &l3_query, fence),
        None => l3_query,
    };
    let layers = format!("SELECT {} FROM (SELECT {} FROM ({l3_query}{fence}) s3{fence}) s4", l5.join(", "), l4_text);
    // Layer 6: the derived columns (a duration from its column, else from its time).
    let mut l6: Vec<String> = Vec::new();
    for stat in plan.stats.iter().filter(|s| !s.from.is_empty()) {
        let column = &stat.column;
        if l6.iter().any(|c| c.ends_with(&format!(" AS v_{column}"))) {
            continue;
        }
        // Divided as polars divides by a constant: times its reciprocal.
        let value = |(field, divisor): &(String, u32)| {
            if *divisor == 1 {
                format!("v_{field}")
            } else {
                format!("v_{field} * (CAST(1 AS {}) / {divisor})", dialect.double())
            }
        };
        let values: Vec<String> = stat.from.iter().map(value).collect();
        let texts: Vec<String> = stat.from.iter().map(|(f, _)| format!("WHEN v_{f} IS NOT NULL THEN q_{f}")).collect();
        l6.push(format!("CASE {} END AS q_{column}", texts.join(" ")));
        l6.push(format!("COALESCE({}) AS v_{column}", values.join(", ")));
    }
    let layers = if l6.is_empty() { layers } else { format!("SELECT *, {} FROM ({layers}{fence}) s5", l6.join(", ")) };
    // Layer 7: each used row's neighbours in time among the used rows with the same
    // values of the given fields (FCR's repeat contacts), and the end of the as-of day.
    let Some(fields) = neighbours else { return layers };
    let mut partition = vec!["used".to_string()];
    partition.extend(fields.iter().map(|f| format!("v_{f}")));
    let over = format!("OVER (PARTITION BY {} ORDER BY ts)", partition.join(", "));
    let mut as_of = settings.as_of.map_or("MAX(day) OVER ()".to_string(), |d| crate::period::epoch_days(d).to_string());
    // Not past --to: the rows after it are not read (compute::interactions::fcr_as_of_end).
    if let Some(to) = settings.window.to {
        as_of = format!("LEAST({as_of}, {})", crate::period::epoch_days(to));
    }
    let end = format!("(CAST({as_of} AS BIGINT) + 1) * 86400");
    let neighbours = format!("LEAD(ts) {over} AS ts_next, LAG(ts) {over} AS ts_prev");
    match &layout.zone {
        None => format!("SELECT *, {neighbours}, {end} AS as_of_end FROM ({layers}{fence}) s6"),
        // With a named zone the rows' `ts` are instants: so is the end of the as-of day,
        // read on the zone's local clock (as `fcr_as_of_end`).
        Some(zone) => format!(
            "SELECT s7.*, s7.as_of_local - e.zo AS as_of_end FROM (SELECT *, {neighbours}, {end} AS as_of_local FROM ({layers}{fence}) s6{fence}) s7 {}",
            zone_join(dialect, zone, "e", LOCAL_CLOCK, "s7.as_of_local")
        ),
    }
}

/// The parts of an ISO date or date-time in the trimmed text `t`, each computed only
/// where the text has the shape, named with the prefix `p`: `iso_day`, `iso`, `y`, `mo`,
/// `dd`, `hh`, `mi`, `ss` and the offset's text `tzs`.
fn date_parts(dialect: Dialect, t: &str, p: &str) -> Vec<String> {
    let int = |text: &str| dialect.integer(text);
    let mut out = vec![
        format!("CASE WHEN {} THEN 1 ELSE 0 END AS {p}iso_day", dialect.matches(t, ISO_DAY)),
        format!("CASE WHEN {} THEN 1 ELSE 0 END AS {p}iso", dialect.matches(t, ISO)),
    ];
    for (name, start, len) in [("y", 1, 4), ("mo", 6, 2), ("dd", 9, 2)] {
        out.push(format!(
            "CASE WHEN {} THEN {} END AS {p}{name}",
            dialect.matches(t, ISO_DAY),
            int(&format!("substr({t}, {start}, {len})"))
        ));
    }
    let timed = format!("{} AND length({t}) > 10", dialect.matches(t, ISO));
    out.push(format!("CASE WHEN {timed} THEN {} ELSE 0 END AS {p}hh", int(&format!("substr({t}, 12, 2)"))));
    out.push(format!("CASE WHEN {timed} THEN {} ELSE 0 END AS {p}mi", int(&format!("substr({t}, 15, 2)"))));
    out.push(format!(
        "CASE WHEN {timed} AND substr({t}, 17, 1) = ':' THEN {} ELSE 0 END AS {p}ss",
        int(&format!("substr({t}, 18, 2)"))
    ));
    out.push(format!(
        "CASE WHEN {timed} THEN regexp_replace(substr({t}, 17), '^:[0-9]{{2}}([.,][0-9]+)?', '') ELSE '' END AS {p}tzs"
    ));
    out
}

/// A date's parts by `--date-format` (see [`super::format`]) in the trimmed text `t`,
/// named `<p>f_y`, `f_mo`, `f_dd`, `f_hh`, `f_mi`, `f_ss` (a time the format lacks is 0),
/// NULL where the text does not match the format's pattern.
fn format_parts(dialect: Dialect, t: &str, p: &str, format: &super::format::DateFormat) -> Vec<String> {
    use super::format::Field;
    let matched = dialect.matches(t, &format.pattern);
    let value = |field: Field| {
        format.group(field).map(|g| dialect.integer(&dialect.trim(&dialect.extract(t, &format.pattern, g))))
    };
    let year = match (value(Field::Year), value(Field::YearOfCentury)) {
        (Some(year), _) => year,
        // chrono's century: 20xx below 70, else 19xx.
        (None, Some(y)) => format!("CASE WHEN {y} < 70 THEN 2000 + {y} ELSE 1900 + {y} END"),
        (None, None) => "NULL".to_string(),
    };
    let mut out = vec![format!("CASE WHEN {matched} THEN {year} END AS {p}f_y")];
    for (field, name) in
        [(Field::Month, "mo"), (Field::Day, "dd"), (Field::Hour, "hh"), (Field::Minute, "mi"), (Field::Second, "ss")]
    {
        let v = value(field).unwrap_or_else(|| "0".to_string());
        out.push(format!("CASE WHEN {matched} THEN {v} END AS {p}f_{name}"));
    }
    out
}

/// Layers over `query` (the rows with each date prefix's ISO parts `<p>i_…` and format
/// parts `<p>f_…`) that give each prefix its parts as [`date_parts`] names them: the
/// format's where the text matches it with a real date and time (years 1 to 9999),
/// else ISO's, as servq tries the format first and ISO then. A format's date-time has
/// no offset.
fn format_layers(prefixes: &[String], query: &str, fence: &str) -> String {
    let mut ok = vec!["*".to_string()];
    let mut pick = vec!["*".to_string()];
    for p in prefixes {
        let days = format!(
            "CASE WHEN {p}f_mo IN (4, 6, 9, 11) THEN 30 WHEN {p}f_mo = 2 THEN CASE WHEN ({p}f_y % 4 = 0 AND {p}f_y % 100 <> 0) OR {p}f_y % 400 = 0 THEN 29 ELSE 28 END ELSE 31 END"
        );
        ok.push(format!(
            "CASE WHEN {p}f_y BETWEEN 1 AND 9999 AND {p}f_mo BETWEEN 1 AND 12 AND {p}f_dd BETWEEN 1 AND {days} AND {p}f_hh <= 23 AND {p}f_mi <= 59 AND {p}f_ss <= 60 THEN 1 ELSE 0 END AS {p}fok"
        ));
        for name in ["iso_day", "iso"] {
            pick.push(format!("CASE WHEN {p}fok = 1 THEN 1 ELSE {p}i_{name} END AS {p}{name}"));
        }
        for name in ["y", "mo", "dd", "hh", "mi", "ss"] {
            pick.push(format!("CASE WHEN {p}fok = 1 THEN {p}f_{name} ELSE {p}i_{name} END AS {p}{name}"));
        }
        pick.push(format!("CASE WHEN {p}fok = 1 THEN '' ELSE {p}i_tzs END AS {p}tzs"));
    }
    format!("SELECT {} FROM (SELECT {} FROM ({query}{fence}) f1{fence}) f2", pick.join(", "), ok.join(", "))
}

/// The checks of the date parts named with `p`: `ymd_ok` (a real day), the offset `off`
/// (seconds east of UTC) and `off_ok`.
fn date_checks(dialect: Dialect, p: &str) -> Vec<String> {
    let int = |text: &str| dialect.integer(text);
    let days_in_month = format!(
        "CASE WHEN {p}mo IN (4, 6, 9, 11) THEN 30 WHEN {p}mo = 2 THEN CASE WHEN ({p}y % 4 = 0 AND {p}y % 100 <> 0) OR {p}y % 400 = 0 THEN 29 ELSE 28 END ELSE 31 END"
    );
    let oh = int(&format!("substr({p}tzs, 2, 2)"));
    let om = format!(
        "CASE WHEN length({p}tzs) = 6 THEN {} WHEN length({p}tzs) = 5 THEN {} ELSE 0 END",
        int(&format!("substr({p}tzs, 5, 2)")),
        int(&format!("substr({p}tzs, 4, 2)"))
    );
    vec![
        format!(
            "CASE WHEN {p}iso_day = 1 AND {p}y >= 1 AND {p}mo BETWEEN 1 AND 12 AND {p}dd BETWEEN 1 AND {days_in_month} THEN 1 ELSE 0 END AS {p}ymd_ok"
        ),
        format!(
            "CASE WHEN {p}tzs = '' OR {p}tzs IN ('Z', 'z') THEN 0 ELSE CASE WHEN substr({p}tzs, 1, 1) = '-' THEN -1 ELSE 1 END * ({oh} * 3600 + ({om}) * 60) END AS {p}off"
        ),
        format!(
            "CASE WHEN {p}tzs = '' OR {p}tzs IN ('Z', 'z') THEN 1 WHEN {oh} <= 23 AND ({om}) <= 59 THEN 1 ELSE 0 END AS {p}off_ok"
        ),
    ]
}

/// Whether the date parts named with `p` are a valid ISO date or date-time.
fn date_ok(p: &str) -> String {
    format!("{p}ymd_ok = 1 AND {p}iso = 1 AND {p}hh <= 23 AND {p}mi <= 59 AND {p}ss <= 60 AND {p}off_ok = 1")
}

/// Layers over `query` (the rows with their date parts and checks) that give each date
/// prefix of `prefixes` the offset `<p>zo` of the named zone at its instant: the UTC
/// seconds `<p>utc` of a valid date-time with an offset (0 otherwise), then the offset
/// of the span of the zone's table `zone` (see [`zone_table`]) that holds it, joined on
/// the span's bucket (the row's instant with its separate time of day added, so that its
/// day is that instant's). The prefixes of `instants` also get the local seconds `<p>nl` of
/// a valid date-time without an offset (0 otherwise; the row's with its time of day)
/// and the offset `<p>zl` with which it is read (see [`instant`]).
fn zone_layers(
    dialect: Dialect,
    zone: &str,
    prefixes: &[String],
    instants: &[String],
    query: &str,
    fence: &str,
) -> String {
    let mut utc = vec!["*".to_string()];
    let mut zo = vec!["q.*".to_string()];
    let mut joins = Vec::new();
    for (k, p) in prefixes.iter().enumerate() {
        let days = dialect.epoch_days(&format!("{p}y"), &format!("{p}mo"), &format!("{p}dd"));
        let seconds = format!("CAST({days} AS BIGINT) * 86400 + {p}hh * 3600 + {p}mi * 60 + LEAST({p}ss, 59)");
        // The row's separate time of day moves its instant (`Stamp::plus`).
        let time = if p.is_empty() { " + COALESCE(tod, 0)" } else { "" };
        utc.push(format!(
            "CASE WHEN {p}tzs = '' OR NOT ({}) THEN 0 ELSE {seconds} - {p}off{time} END AS {p}utc",
            date_ok(p)
        ));
        zo.push(format!("z{k}.zo AS {p}zo"));
        joins.push(zone_join(dialect, zone, &format!("z{k}"), UTC_CLOCK, &format!("q.{p}utc")));
        if instants.contains(p) {
            utc.push(format!(
                "CASE WHEN {p}tzs <> '' OR NOT ({}) THEN 0 ELSE {seconds}{time} END AS {p}nl",
                date_ok(p)
            ));
            zo.push(format!("l{k}.zo AS {p}zl"));
            joins.push(zone_join(dialect, zone, &format!("l{k}"), LOCAL_CLOCK, &format!("q.{p}nl")));
        }
    }
    format!(
        "SELECT {} FROM (SELECT {} FROM ({query}{fence}) z1{fence}) q {}",
        zo.join(", "),
        utc.join(", "),
        joins.join(" ")
    )
}

/// The seconds of one bucket of a zone's table (about 48 days: a zone changes its
/// offset at most a few times in one).
const ZONE_BUCKET: i64 = 1 << 22;

/// The first and last buckets of a zone's table: from before 1840 to after 2100, the
/// span of servq's zone database; an instant outside is in the first or last bucket,
/// whose outer spans reach to ±2^62 seconds.
const ZONE_BUCKETS: (i64, i64) = (-4_102_444_800 / ZONE_BUCKET - 2, 4_133_980_800 / ZONE_BUCKET + 2);

/// The table of a named zone's offsets (`Zone::offsets`, servq's own zone database):
/// one row per bucket of [`ZONE_BUCKET`] seconds and span of one offset that meet,
/// `bucket`, `span_start`, `span_end` (UTC seconds) and `zo` (seconds east of UTC), so
/// that each instant joins the one span that holds it by its bucket, and every engine
/// moves a time as servq does (not by its own zone data).
fn zone_table(dialect: Dialect, tz: Zone) -> String {
    let offsets = tz.offsets();
    let far = 1i64 << 62;
    let mut spans = Vec::new();
    for (clock, changes) in [(UTC_CLOCK, offsets.changes.clone()), (LOCAL_CLOCK, offsets.local_changes())] {
        let mut start = -far;
        let mut offset = offsets.first;
        for &(at, next) in &changes {
            spans.push(format!("({clock}, {start}, {at}, {offset})"));
            (start, offset) = (at, next);
        }
        spans.push(format!("({clock}, {start}, {far}, {offset})"));
    }
    let spans = dialect.values(&spans, &["clock", "span_start", "span_end", "zo"]);
    let buckets = dialect.range("bucket", ZONE_BUCKETS.0, ZONE_BUCKETS.1);
    format!(
        "SELECT s.clock, b.bucket, s.span_start, s.span_end, s.zo FROM ({buckets}) b JOIN ({spans}) s ON s.span_start < (b.bucket + 1) * {ZONE_BUCKET} AND s.span_end > b.bucket * {ZONE_BUCKET}"
    )
}

/// The spans of a zone's table (`clock`) on UTC seconds: each instant's offset.
const UTC_CLOCK: u8 = 0;
/// The spans of a zone's table on the local clock: the offset with which a local time
/// without an offset is read (`Zone::utc_of_local`, `Offsets::local_changes`).
const LOCAL_CLOCK: u8 = 1;

/// The join of the zone's table `zone` as `alias` on the span of `clock` that holds the
/// seconds `key`, found by its bucket.
fn zone_join(dialect: Dialect, zone: &str, alias: &str, clock: u8, key: &str) -> String {
    let bucket =
        format!("LEAST(GREATEST({}, {}), {})", dialect.floor_div(key, ZONE_BUCKET), ZONE_BUCKETS.0, ZONE_BUCKETS.1);
    format!(
        "LEFT JOIN {zone} {alias} ON {alias}.clock = {clock} AND {alias}.bucket = {bucket} AND {key} >= {alias}.span_start AND {key} < {alias}.span_end"
    )
}

/// The seconds into its day of a date-time named with `p`, moved to the report's zone
/// (`zone` seconds east of UTC, or a column of them) when it has an offset: servq's
/// `parse_iso`, a leap second read as :59.
fn day_seconds(zone: &str, p: &str) -> String {
    // The row's date has its separate time of day added after the move (`tod`).
    let time = if p.is_empty() { " + tod" } else { "" };
    format!(
        "{p}hh * 3600 + {p}mi * 60 + LEAST({p}ss, 59) + CASE WHEN {p}tzs = '' THEN 0 ELSE {zone} - {p}off END{time}"
    )
}

/// Why a row whose separate time column holds no time of day is rejected
/// (`parse_time_of_day`).
const TIME_OF_DAY_REASON: &str = "not a time of day (HH:MM or HH:MM:SS)";

/// The seconds into the day of the trimmed text `t` of a separate time column, as
/// `parse_time_of_day` reads it: `H:MM` or `HH:MM`, `:SS` (a fraction after it, a leap
/// second as :59), and `AM`/`PM`/`A.M.`/`P.M.` in any case (hours 1 to 12) after any
/// white space; 0 when empty, NULL when it is no time of day.
fn time_of_day(dialect: Dialect, t: &str) -> String {
    let space = super::format::SPACE;
    let pattern =
        format!("^([0-9]{{1,2}}):([0-9]{{2}})(:([0-9]{{2}})([.,][0-9]+)?)?({space}*(AM|A[.]M[.]|PM|P[.]M[.]))?$");
    let u = format!("UPPER({t})");
    let group = |g: usize| dialect.integer(&dialect.extract(&u, &pattern, g));
    let (hh, mi) = (group(1), group(2));
    let ss = format!("CASE WHEN {} THEN {} ELSE 0 END", dialect.matches(&u, "^[0-9]{1,2}:[0-9]{2}:"), group(4));
    let rest = format!("{mi} * 60 + LEAST({ss}, 59)");
    format!(
        "CASE WHEN {t} IS NULL OR {t} = '' THEN 0 WHEN NOT {} THEN NULL WHEN {hh} > 23 OR {mi} > 59 OR {ss} > 60 THEN NULL WHEN {} THEN CASE WHEN {hh} BETWEEN 1 AND 12 THEN ({hh} % 12) * 3600 + {rest} END WHEN {} THEN CASE WHEN {hh} BETWEEN 1 AND 12 THEN ({hh} % 12 + 12) * 3600 + {rest} END ELSE {hh} * 3600 + {rest} END",
        dialect.matches(&u, &pattern),
        dialect.matches(&u, "(AM|A[.]M[.])$"),
        dialect.matches(&u, "(PM|P[.]M[.])$"),
    )
}

/// The instant of a valid date-time named with `p`, as seconds between two of them are
/// elapsed time (servq's `Stamp::instant`). With a named zone: its UTC seconds `<p>utc`
/// when it has an offset (the row's with its time of day added), else its local
/// seconds `<p>nl` less the offset `<p>zl` they are read with (see [`zone_layers`]).
/// With a fixed offset: its local seconds, a constant away from the instant.
fn instant(dialect: Dialect, tz: Zone, p: &str) -> String {
    match tz {
        Zone::Fixed(seconds) => local_seconds(dialect, &seconds.to_string(), p),
        Zone::Named(_) => format!("CASE WHEN {p}tzs = '' THEN {p}nl - {p}zl ELSE {p}utc END"),
    }
}

/// The seconds since 1970 (in the report's zone) of a valid date-time named with `p`.
fn local_seconds(dialect: Dialect, zone: &str, p: &str) -> String {
    format!(
        "(CAST({} AS BIGINT) * 86400 + {})",
        dialect.epoch_days(&format!("{p}y"), &format!("{p}mo"), &format!("{p}dd")),
        day_seconds(zone, p)
    )
}

/// The longest duration servq reads, in seconds (1000 years: `parse_duration`).
const MAX_DURATION_SECONDS: i64 = 31_557_600_000;
/// A clock `H:MM:SS` and `MM:SS` (seconds may have a fraction; the parts are checked
/// below 60 apart).
const CLOCK_HMS: &str = "^[0-9]+:[0-9]+:[0-9]+([.][0-9]+)?$";
const CLOCK_MS: &str = "^[0-9]+:[0-9]+([.][0-9]+)?$";

/// The seconds of a duration's trimmed text `t` (NULL when it is none), with servq's
/// arithmetic in doubles (`parse_duration`): a number (`shaped`) times `unit`, or a
/// clock's hours × 3600 + minutes × 60 + seconds, minutes and seconds below 60 (the
/// leading part of `MM:SS` may be any size). The parts are read only where the text is
/// a clock (nested `CASE`: PostgreSQL need not evaluate `AND` in order).
fn duration_seconds(dialect: Dialect, t: &str, shaped: &str, unit: u32) -> String {
    let part = |k: u32| dialect.number(&format!("split_part({t}, ':', {k})"));
    format!(
        "CASE WHEN {shaped} THEN {} * {unit} WHEN {} THEN CASE WHEN {p2} < 60 AND {p3} < 60 THEN {p1} * 3600 + {p2} * 60 + {p3} END WHEN {} THEN CASE WHEN {p2} < 60 THEN {p1} * 60 + {p2} END END",
        dialect.number(t),
        dialect.matches(t, CLOCK_HMS),
        dialect.matches(t, CLOCK_MS),
        p1 = part(1),
        p2 = part(2),
        p3 = part(3),
    )
}

/// The whole millionths of an amount in the trimmed text `t` (`shaped`: it has a number's
/// shape), as `parse_money` reads it, NULL when it is no amount. Plain decimals
/// (`-1234.5`, `.5`, `5.`) exactly: the digits as `DECIMAL(38, 0)`, the seventh decimal
/// rounding half up, at most 9,223,372,036,854.775807. Other numbers (`1.5e3`) as a
/// double times 10⁶ rounded half away from zero, below 2⁶³, and not negative
/// unless `negative`; a non-zero number that rounds to 0 as a double is no amount.
fn money_units(dialect: Dialect, t: &str, shaped: &str, negative: bool) -> String {
    let plain = format!("{} AND {}", dialect.matches(t, "^[+-]?[0-9]*([.][0-9]*)?$"), dialect.matches(t, "[0-9]"));
    let unsigned = format!("regexp_replace({t}, '^[+-]', '')");
    let whole = format!("regexp_replace(regexp_replace({unsigned}, '[.].*$', ''), '^0+', '')");
    let fraction = format!("regexp_replace({unsigned}, '^[0-9]*[.]?', '')");
    let exact = format!(
        "CAST(CONCAT({whole}, rpad(substr({fraction}, 1, 6), 6, '0')) AS DECIMAL(38, 0)) + CASE WHEN substr({fraction}, 7, 1) >= '5' THEN 1 ELSE 0 END"
    );
    let minus = format!("substr({t}, 1, 1) = '-'");
    let signed = format!("CAST(CASE WHEN {minus} THEN -({exact}) ELSE {exact} END AS BIGINT)");
    let sign_ok = if negative { String::new() } else { format!(" AND NOT ({minus} AND {exact} > 0)") };
    let x = dialect.number(t);
    let scaled = format!("ABS({x}) * 1000000");
    let rounded = format!("FLOOR({scaled}) + CASE WHEN {scaled} - FLOOR({scaled}) >= 0.5 THEN 1 ELSE 0 END");
    let x_sign_bad = if negative { String::new() } else { format!(" OR {x} < 0") };
    format!(
        "CASE WHEN {plain} THEN CASE WHEN length({whole}) <= 13 AND {exact} <= 9223372036854775807{sign_ok} THEN {signed} END WHEN {shaped} THEN CASE WHEN {x} IS NULL OR {scaled} >= CAST(9223372036854775808 AS {double}) OR ({x} = 0 AND {nz}){x_sign_bad} THEN NULL ELSE CAST({rounded} AS BIGINT) * CASE WHEN {x} < 0 THEN -1 ELSE 1 END END END",
        nz = dialect.matches(t, NON_ZERO),
        double = dialect.double()
    )
}

/// The first day of the period of `day` (days since 1970), in days.
fn period_start(dialect: Dialect, period: Period, day: &str) -> String {
    let date = dialect.date_of(day);
    let year = format!("CAST(EXTRACT(YEAR FROM {date}) AS INTEGER)");
    let month = format!("CAST(EXTRACT(MONTH FROM {date}) AS INTEGER)");
    match period {
        Period::Day => day.to_string(),
        // 1970-01-01 was a Thursday: Monday is 3 days before.
        Period::Week => format!("{day} - ((({day} + 3) % 7) + 7) % 7"),
        Period::Month => dialect.epoch_days(&year, &month, "1"),
        Period::Quarter => {
            let first =
                format!("CASE WHEN {month} <= 3 THEN 1 WHEN {month} <= 6 THEN 4 WHEN {month} <= 9 THEN 7 ELSE 10 END");
            dialect.epoch_days(&year, &first, "1")
        }
        Period::Year => dialect.epoch_days(&year, "1", "1"),
        Period::None => "0".to_string(),
    }
}

/// The running number of the period of `day` (days since 1970) as [`Period::index`]
/// numbers it; `None` for years and no period (every 4-digit year fits 16 bits).
fn period_index(dialect: Dialect, period: Period, day: &str) -> Option<String> {
    let date = dialect.date_of(day);
    let year = format!("CAST(EXTRACT(YEAR FROM {date}) AS INTEGER)");
    let month0 = format!("(CAST(EXTRACT(MONTH FROM {date}) AS INTEGER) - 1)");
    match period {
        Period::Day => Some(day.to_string()),
        Period::Week => Some(dialect.floor_div(&format!("{day} + 3"), 7)),
        Period::Month => Some(format!("({year} * 12 + {month0})")),
        Period::Quarter => Some(format!("({year} * 4 + FLOOR({month0} / 3))")),
        Period::Year | Period::None => None,
    }
}

/// One scan of the cleaned rows: the statistics per period and group, apart for the
/// used rows and for each reason a row is not used, as columns `s0`, `s1`, … and the
/// rejection counts `j0r`, `j0j`, …, with the row counts, days and value counts the
/// data-quality row sums.
/// The cleaned rows the cells are made of: with survey weights (a `unit` table), each
/// row's weight in steps ([`WEIGHT_STEPS`]) and each weighted column's score where the
/// weight is valid (`vw_<column>`).
fn weighted_rows(plan: &Plan, clean: &str, unit: Option<&str>) -> String {
    let Some(unit) = unit else { return clean.to_string() };
    let mut columns = vec!["c.*".to_string(), format!("{} AS {WEIGHT_STEPS}", crate::compute::weights::steps_sql())];
    for column in &plan.weighted {
        columns.push(format!("CASE WHEN c.v_{SURVEY_WEIGHT} IS NOT NULL THEN c.v_{column} END AS vw_{column}"));
    }
    format!("(SELECT {} FROM {clean} c CROSS JOIN {unit} u) servq_weighted", columns.join(", "))
}

fn cells(settings: &Options, plan: &Plan, clean: &str) -> String {
    let mut keys = vec!["used".to_string(), "reason".to_string(), "period_start".to_string()];
    keys.extend((0..settings.by.len()).map(|k| format!("g{k}")));
    let mut columns = keys.clone();
    columns.extend([
        "COUNT(*) AS n_rows".to_string(),
        "MIN(day) AS day_min".to_string(),
        "MAX(day) AS day_max".to_string(),
    ]);
    // A weighted column's figures read its score where the weight is valid.
    let value = |column: &str| {
        if plan.weighted.contains(&column) { format!("vw_{column}") } else { format!("v_{column}") }
    };
    for (i, stat) in plan.stats.iter().enumerate() {
        if let Some(aggregate) = stat.render(&value(&stat.column)) {
            columns.push(format!("{aggregate} AS s{i}"));
        }
    }
    for (i, (_, fields)) in plan.rejections.iter().enumerate() {
        let any = |prefix: &str| fields.iter().map(|f| format!("{prefix}_{f} = 1")).collect::<Vec<_>>().join(" OR ");
        let valid = fields.iter().map(|f| format!("{} IS NOT NULL", value(f))).collect::<Vec<_>>().join(" OR ");
        columns.push(format!("SUM(CASE WHEN {} THEN 1 ELSE 0 END) AS j{i}r", any("r")));
        columns.push(format!("SUM(CASE WHEN {} OR {valid} THEN 1 ELSE 0 END) AS j{i}j", any("r")));
    }
    for s in &plan.scores {
        columns.push(format!(
            "SUM(r_{f}) AS rejected_{f}, SUM(m_{f}) AS missing_{f}, COUNT(v_{f}) AS valid_{f}",
            f = s.field
        ));
    }
    format!("SELECT {} FROM {clean} GROUP BY {}", columns.join(", "), keys.join(", "))
}

/// The used rows of one period and group with a valid `field`, ranked by value from
/// position 0 (ties in any order: they have one value), with their count `cnt`; only
/// the rows at the positions the quantiles read (see [`crate::metrics::durations::lower_position`]).
fn ranked(dialect: Dialect, settings: &Options, field: &str, clean: &str) -> String {
    let mut keys = vec!["period_start".to_string()];
    keys.extend((0..settings.by.len()).map(|k| format!("g{k}")));
    let keys = keys.join(", ");
    let wanted: Vec<String> = QUANTILES
        .iter()
        .flat_map(|(_, _, fraction)| {
            let lower = position_sql(dialect, *fraction);
            [format!("pos = {lower}"), format!("pos = {lower} + 1")]
        })
        .collect();
    format!(
        "SELECT {keys}, q, pos, cnt FROM (SELECT {keys}, q_{field} AS q, ROW_NUMBER() OVER (PARTITION BY {keys} ORDER BY v_{field}) - 1 AS pos, COUNT(*) OVER (PARTITION BY {keys}) AS cnt FROM {clean} WHERE used = 1 AND v_{field} IS NOT NULL) r WHERE {}",
        wanted.join(" OR ")
    )
}

/// [`crate::metrics::durations::lower_position`] in SQL, of the count `cnt`.
fn position_sql(dialect: Dialect, (numerator, denominator): (u64, u64)) -> String {
    dialect.floor_div(&format!("(cnt - 1) * {numerator}"), denominator as i64)
}

/// The rows of a duration's order statistics: `<prefix>.<quantile>.lower` and
/// `.upper`, the values (as written) at the quantile's lower position and the next.
fn order_statistics(dialect: Dialect, settings: &Options, kind: Kind, stat: &SqlStat, ranked: &str) -> Vec<String> {
    let prefix = stat.name.strip_suffix(".quantiles").unwrap_or(&stat.name);
    let kind_text = dialect.string(kind.as_str());
    let period = dialect.date_of("period_start");
    let dims = group_columns(dialect, settings);
    let mut out = Vec::new();
    for (_, name, fraction) in QUANTILES {
        let lower = position_sql(dialect, fraction);
        for (end, offset) in [("lower", ""), ("upper", " + 1")] {
            let from = format!("{ranked} WHERE pos = {lower}{offset}");
            out.push(stat_row(dialect, (&kind_text, &period), &dims, &format!("{prefix}.{name}.{end}"), "q", &from));
        }
    }
    out
}

/// The data-quality counts of one input, as one row, from its cells.
fn quality(dialect: Dialect, settings: &Options, plan: &Plan, cells: &str, unit: Option<&str>) -> String {
    // A transaction whose period does not fit 16 bits is not the data's latest (every
    // day of a cell is in one period, so the cell's last day tells).
    let fits = plan.fits.then(|| period_index(dialect, settings.window.period, "day_max")).flatten();
    let latest = match fits {
        Some(index) => format!("MAX(CASE WHEN {index} BETWEEN -32767 AND 32767 THEN day_max END) AS date_latest"),
        None => "MAX(day_max) AS date_latest".to_string(),
    };
    let mut columns = vec![
        "SUM(n_rows) AS rows_read".to_string(),
        "SUM(CASE WHEN used = 1 THEN n_rows ELSE 0 END) AS rows_used".to_string(),
        "SUM(CASE WHEN reason IS NOT NULL THEN n_rows ELSE 0 END) AS rows_rejected".to_string(),
        "SUM(CASE WHEN reason = 'missing date' THEN n_rows ELSE 0 END) AS rejected_missing_date".to_string(),
        "SUM(CASE WHEN reason = 'impossible date' THEN n_rows ELSE 0 END) AS rejected_impossible_date".to_string(),
        "SUM(CASE WHEN reason = 'not an ISO date' THEN n_rows ELSE 0 END) AS rejected_not_iso_date".to_string(),
        "SUM(CASE WHEN reason IS NULL AND used = 0 THEN n_rows ELSE 0 END) AS rows_outside".to_string(),
        latest,
        "MIN(CASE WHEN used = 1 THEN day_min END) AS date_first".to_string(),
        "MAX(CASE WHEN used = 1 THEN day_max END) AS date_last".to_string(),
    ];
    for f in &plan.required {
        columns.push(format!("SUM(CASE WHEN reason = 'missing {f}' THEN n_rows ELSE 0 END) AS rejected_missing_{f}"));
    }
    if let Some(format) = &settings.window.dates.format {
        let mismatch = dialect.string(&crate::input::parse::format_mismatch(format));
        columns.push(format!("SUM(CASE WHEN reason = {mismatch} THEN n_rows ELSE 0 END) AS rejected_format"));
    }
    if plan.timed {
        let why = dialect.string(TIME_OF_DAY_REASON);
        columns.push(format!("SUM(CASE WHEN reason = {why} THEN n_rows ELSE 0 END) AS rejected_time"));
    }
    if plan.fits {
        let reason = crate::input::chunk::TOO_FAR;
        columns.push(format!("SUM(CASE WHEN reason = '{reason}' THEN n_rows ELSE 0 END) AS rejected_too_far"));
    }
    for s in &plan.scores {
        let f = s.field;
        columns.push(format!("SUM(CASE WHEN used = 1 THEN rejected_{f} ELSE 0 END) AS rejected_{f}"));
        columns.push(format!("SUM(CASE WHEN used = 1 THEN missing_{f} ELSE 0 END) AS missing_{f}"));
        columns.push(format!("SUM(CASE WHEN used = 1 THEN valid_{f} ELSE 0 END) AS valid_{f}"));
    }
    match unit {
        // The weights' step, 2^k (`weight.unit`).
        Some(unit) => {
            columns.push("MAX(k) AS weight_unit".to_string());
            format!("SELECT {} FROM {cells} CROSS JOIN {unit}", columns.join(", "))
        }
        None => format!("SELECT {} FROM {cells}", columns.join(", ")),
    }
}

/// The names of the quality counts, as the statistics table gives them.
fn quality_names(plan: &Plan, settings: &Options) -> Vec<(String, String)> {
    let mut names: Vec<(String, String)> = [
        ("rows_read", "rows.read"),
        ("rows_used", "rows.used"),
        ("rows_rejected", "rows.rejected"),
        ("rejected_missing_date", "rows.rejected.missing date"),
        ("rejected_impossible_date", "rows.rejected.impossible date"),
        ("rejected_not_iso_date", "rows.rejected.not an ISO date"),
        ("rows_outside", "rows.outside"),
        ("date_latest", "date.latest"),
        ("date_first", "date.first"),
        ("date_last", "date.last"),
    ]
    .iter()
    .map(|(c, n)| (c.to_string(), n.to_string()))
    .collect();
    for f in &plan.required {
        names.push((format!("rejected_missing_{f}"), format!("rows.rejected.missing {f}")));
    }
    if plan.timed {
        names.push(("rejected_time".to_string(), format!("rows.rejected.{TIME_OF_DAY_REASON}")));
    }
    if let Some(format) = &settings.window.dates.format {
        names.push((
            "rejected_format".to_string(),
            format!("rows.rejected.{}", crate::input::parse::format_mismatch(format)),
        ));
    }
    if plan.fits {
        names.push(("rejected_too_far".to_string(), format!("rows.rejected.{}", crate::input::chunk::TOO_FAR)));
    }
    for s in &plan.scores {
        names.push((format!("rejected_{}", s.field), format!("values.rejected.{}", s.field)));
        names.push((format!("missing_{}", s.field), format!("values.missing.{}", s.field)));
        names.push((format!("valid_{}", s.field), format!("values.valid.{}", s.field)));
        // The input has the column (the KPIs' plans read which it has).
        names.push(("1".to_string(), format!("columns.{}", s.field)));
    }
    if !plan.weighted.is_empty() {
        names.push(("weight_unit".to_string(), "weight.unit".to_string()));
    }
    names
}

/// The `--by` columns of a statistics row: the groups `g<k>` of a cell.
fn group_columns(dialect: Dialect, settings: &Options) -> Vec<String> {
    (0..settings.by.len()).map(|k| format!("g{k} AS {}", dialect.ident(&settings.by[k]))).collect()
}

/// The `--by` columns of a row of no group (data quality, meta): NULL text.
fn no_group_columns(dialect: Dialect, settings: &Options) -> Vec<String> {
    settings.by.iter().map(|d| format!("CAST(NULL AS {}) AS {}", dialect.text(), dialect.ident(d))).collect()
}

/// One `SELECT` of statistics rows: `kind`, `period_start`, the `--by` columns, `stat`
/// and `value` (as text: whole numbers of any size, and durations as written).
fn stat_row(dialect: Dialect, head: (&str, &str), dims: &[String], stat: &str, value: &str, from: &str) -> String {
    stat_row_named(dialect, head, dims, &dialect.string(stat), value, from)
}

/// [`stat_row`] with the statistic's name an SQL expression (`stat_sql`).
fn stat_row_named(
    dialect: Dialect,
    head: (&str, &str),
    dims: &[String],
    stat_sql: &str,
    value: &str,
    from: &str,
) -> String {
    let (kind, period) = head;
    let mut columns = vec![format!("{kind} AS kind"), format!("{period} AS period_start")];
    columns.extend(dims.iter().cloned());
    columns.push(format!("{stat_sql} AS stat"));
    columns.push(format!("CAST({value} AS {}) AS value", dialect.text()));
    format!("SELECT {} FROM {from}", columns.join(", "))
}

/// The long statistics rows of one input: one `SELECT` per statistic.
fn unpivot(dialect: Dialect, settings: &Options, kind: Kind, plan: &Plan, agg: &str, quality: &str) -> Vec<String> {
    let kind_text = dialect.string(kind.as_str());
    let dims = group_columns(dialect, settings);
    let no_dims = no_group_columns(dialect, settings);
    let period = dialect.date_of("period_start");
    // (name, value) of the statistics of each period and group, then of the input.
    let mut cells: Vec<(String, String)> = Vec::new();
    for (i, stat) in plan.stats.iter().enumerate().filter(|(_, s)| s.render("v").is_some()) {
        cells.push((stat.name.clone(), format!("COALESCE(s{i}, 0)")));
    }
    for (i, ((rows, judged), _)) in plan.rejections.iter().enumerate() {
        cells.push((rows.clone(), format!("COALESCE(j{i}r, 0)")));
        cells.push((judged.clone(), format!("COALESCE(j{i}j, 0)")));
    }
    let totals: Vec<(String, String)> =
        quality_names(plan, settings).into_iter().map(|(column, name)| (name, column)).collect();
    let (null_date, used) = ("CAST(NULL AS DATE)", " WHERE used = 1");
    if dialect == Dialect::Spark {
        // One SELECT per table (Spark's `stack`): a union of hundreds of SELECTs, each
        // holding the plan of the table it reads, outgrows the JVM's heap (SERVQUAL).
        let tables = [
            ((period.as_str(), &dims), &cells, format!("{agg}{used}")),
            ((null_date, &no_dims), &totals, format!("{quality} WHERE TRUE")),
        ];
        return tables
            .into_iter()
            .filter(|(_, stats, _)| !stats.is_empty())
            .map(|((start, dims), stats, from)| stacked(dialect, (&kind_text, start), dims, stats, &from))
            .collect();
    }
    let mut out: Vec<String> = cells
        .iter()
        .map(|(name, value)| stat_row(dialect, (&kind_text, &period), &dims, name, value, &format!("{agg}{used}")))
        .collect();
    for (name, column) in &totals {
        let filter = if column == "1" { String::new() } else { format!(" WHERE {column} IS NOT NULL") };
        out.push(stat_row(dialect, (&kind_text, null_date), &no_dims, name, column, &format!("{quality}{filter}")));
    }
    out
}

/// The statistics rows of `stats` (name, value) from one table in one `SELECT`:
/// `from` is `<table> WHERE <condition>`; rows whose value is NULL are left out.
fn stacked(dialect: Dialect, head: (&str, &str), dims: &[String], stats: &[(String, String)], from: &str) -> String {
    let (table, condition) = from.split_once(" WHERE ").expect("a condition");
    let pairs: Vec<String> = stats
        .iter()
        .map(|(name, value)| format!("{}, CAST({value} AS {})", dialect.string(name), dialect.text()))
        .collect();
    let mut columns = vec![format!("{} AS kind", head.0), format!("{} AS period_start", head.1)];
    columns.extend(dims.iter().cloned());
    columns.extend(["stat".to_string(), "value".to_string()]);
    format!(
        "SELECT {} FROM {table} LATERAL VIEW stack({}, {}) servq_stack AS stat, value WHERE {condition} AND value IS NOT NULL",
        columns.join(", "),
        stats.len(),
        pairs.join(", ")
    )
}

/// The rows that say how the statistics were computed: the period and `--from/--to`
/// (days since 1970), so that `report --stats` refuses a mismatch.
fn meta(dialect: Dialect, settings: &Options, undated: bool) -> Vec<String> {
    let mut stats = vec![
        (format!("period.{}", settings.window.period.as_str()), 1),
        ("settings".to_string(), crate::compute::stats::fingerprint(settings)),
    ];
    if undated {
        // The files have no dates: report --stats takes --period none as report does.
        stats.push(("undated".to_string(), 1));
    }
    if let Some(from) = settings.window.from {
        stats.push(("window.from".to_string(), i64::from(crate::period::epoch_days(from))));
    }
    if let Some(to) = settings.window.to {
        stats.push(("window.to".to_string(), i64::from(crate::period::epoch_days(to))));
    }
    if let Some(as_of) = settings.as_of {
        stats.push(("as_of".to_string(), i64::from(crate::period::epoch_days(as_of))));
    }
    stats.into_iter().map(|(stat, value)| constant_row(dialect, settings, "meta", &stat, value)).collect()
}

/// A statistics row of no period and group with a constant value: a FROM-less `SELECT`
/// (Spark and PostgreSQL need one; all three take one).
fn constant_row(dialect: Dialect, settings: &Options, kind: &str, stat: &str, value: i64) -> String {
    let mut columns =
        vec![format!("{} AS kind", dialect.string(kind)), "CAST(NULL AS DATE) AS period_start".to_string()];
    columns.extend(no_group_columns(dialect, settings));
    columns.push(format!("{} AS stat", dialect.string(stat)));
    columns.push(format!("CAST({value} AS {}) AS value", dialect.text()));
    format!("SELECT {}", columns.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::*;

    /// Each survey KPI's SQL statistics are named as its polars aggregation's columns:
    /// the two definitions cannot drift apart unnoticed.
    #[test]
    fn every_translated_kpi_names_its_sql_statistics_as_its_polars_aggregation() {
        let options = crate::metrics::MetricSettings::default();
        let mut checked = 0;
        for metric in MetricId::ALL {
            let Family::Survey(kpi) = metric.def().family else { continue };
            // SERVQUAL's items are many columns: servqual.rs checks its names.
            if kpi.column() == crate::metrics::servqual::ITEMS {
                continue;
            }
            let Some(stats) = kpi.sql(&options) else { continue };
            let column = kpi.column();
            let df = df!("period_start" => [0i32, 0, 1], column => [1i32, 5, 3]).unwrap();
            let aggregations = kpi.aggregations(&options, crate::metrics::frame::Rows::Each);
            let out = df.lazy().group_by([col("period_start")]).agg(aggregations).collect().unwrap();
            let names: Vec<String> = out.get_column_names().iter().map(|n| n.to_string()).collect();
            for stat in &stats {
                assert!(names.contains(&stat.name), "{metric}: {} is not a polars column ({names:?})", stat.name);
                assert_eq!(stat.column, column, "{metric}");
            }
            // And the polars aggregation has no statistic the SQL lacks.
            for name in names.iter().filter(|n| *n != "period_start") {
                assert!(stats.iter().any(|s| &s.name == name), "{metric}: no SQL for {name}");
            }
            checked += 1;
        }
        assert_eq!(checked, 11, "csat, csat_mean, csat_bottom_box, ces, ces_mean, nps ×3, esat, enps, churn_rate");
    }

    #[test]
    fn periods_start_on_their_first_day_in_days_since_1970() {
        // 1970-01-01 was a Thursday: the week of day 0 starts on day −3 (a Monday).
        assert_eq!(period_start(Dialect::Duckdb, Period::Week, "day"), "day - (((day + 3) % 7) + 7) % 7");
        assert_eq!(period_start(Dialect::Postgres, Period::None, "day"), "0");
        assert!(period_start(Dialect::Spark, Period::Quarter, "day").contains("WHEN CAST(EXTRACT(MONTH FROM"));
    }

    #[test]
    fn literals_are_escaped_for_each_engine() {
        assert_eq!(Dialect::Postgres.string("it's"), "'it''s'");
        assert_eq!(Dialect::Spark.string("a\\b'c"), "'a\\\\b\\'c'");
        assert_eq!(Dialect::Duckdb.ident("we\"ird"), "\"we\"\"ird\"");
        assert_eq!(Dialect::Spark.ident("a`b"), "`a``b`");
    }
}
