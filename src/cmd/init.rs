//! `servq init FILE…` (SPEC §10): reads the headers and a sample of the values of each
//! file, guesses each file's kind, the column of each field (by name and by what its
//! values are), the date format, a separate time column, each score's scale, missing
//! codes and duration units, and prints a servq.toml with a `# guessed from …` comment
//! on every guess. What it could not decide goes to stderr.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use crate::cli::InitArgs;
use crate::error::Outcome;
use crate::input::Kind;
use crate::input::columns::{self, Headers, normalise};
use crate::input::guess::{Profile, profile};
use crate::input::source::{self, ReadOptions, Source};
use crate::report::safe::terminal;

/// Rows sampled per file (enough to meet a day above 12 in a file sorted by date).
const SAMPLE_ROWS: usize = 50_000;

/// What a field's values must look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Date,
    Score,
    Bool,
    Count,
    Duration,
    Instant,
    Number,
    /// A customer: named with an id, email, name or number, and not a score.
    Customer,
    /// A ticket: named with an id or number, and mostly one per row.
    Ticket,
    Any,
}

/// The fields init looks for, per kind: name, shape, and header keywords (beyond the
/// exact aliases `report` knows) that make a column a candidate when its values fit.
fn fields(kind: Kind) -> &'static [(&'static str, Shape, &'static [&'static str])] {
    use Shape::*;
    match kind {
        Kind::Surveys => &[
            ("date", Date, &["date", "time", "submitted", "completed", "created", "datum", "fecha", "日期", "时间"]),
            ("customer_id", Customer, &["customer", "client", "respondent", "客户"]),
            ("ticket_id", Ticket, &["ticket", "case", "工单"]),
            ("csat", Score, &["satisf", "csat", "满意"]),
            ("ces", Score, &["effort", "ease", "ces", "费力"]),
            ("nps", Score, &["recommend", "nps", "ltr", "推荐"]),
            ("comment", Any, &["comment", "feedback", "verbatim", "remark", "评论", "意见"]),
        ],
        Kind::Interactions => &[
            ("date", Date, &["date", "created", "opened", "start", "datum", "fecha", "日期", "时间"]),
            ("customer_id", Customer, &["customer", "client", "caller", "客户"]),
            ("ticket_id", Ticket, &["ticket", "case", "call_id", "工单"]),
            ("first_contact_resolved", Bool, &["first_contact", "fcr"]),
            ("contacts_to_resolve", Count, &["contacts_to_resolve", "contact_count"]),
            ("resolved", Bool, &["resolved", "solved", "closed", "已解决"]),
            ("complaint", Bool, &["complaint", "投诉"]),
            ("answered", Bool, &["answered", "接听"]),
            (
                "first_response_minutes",
                Duration,
                &["first_response", "response_time", "first_reply", "reply_time", "speed_of_answer"],
            ),
            ("first_response_at", Instant, &["first_response", "responded"]),
            ("resolution", Duration, &["resolution_time", "resolution_hours", "time_to_resolve"]),
            ("resolved_at", Instant, &["resolved_at", "resolution_date", "time_to_resolution", "closed", "solved_at"]),
            ("handle_time", Duration, &["talk", "handle", "aht"]),
            ("priority", Any, &["priority", "severity", "优先级"]),
            ("topic", Any, &["topic", "subject", "category", "reason", "主题", "类别"]),
        ],
        Kind::Transactions => &[
            ("date", Date, &["date", "invoice", "order", "purchase", "datum", "fecha", "日期"]),
            ("customer_id", Customer, &["customer", "client", "客户"]),
            ("revenue", Number, &["revenue", "amount", "sales", "total", "收入", "金额"]),
            ("margin", Number, &["margin", "profit", "毛利", "利润"]),
        ],
        // The chain's inputs (SPEC §12), placed by their telling names (see `chain_kind`).
        Kind::Employees => &[
            ("date", Date, &["hire", "入职"]),
            ("leave_date", Date, &["leave", "termination", "exit", "separation", "离职"]),
            ("employee_id", Ticket, &["employee", "staff", "工号"]),
        ],
        Kind::EmployeeSurveys => &[
            ("date", Date, &["date", "submitted", "completed", "日期"]),
            ("esat", Score, &["esat", "satisf"]),
            ("enps", Score, &["enps", "recommend"]),
        ],
        Kind::Customers => &[
            ("date", Date, &["snapshot"]),
            ("customer_id", Customer, &["customer", "client"]),
            ("churned", Any, &["churn", "exited", "attrition", "流失"]),
        ],
    }
}

/// Fields whose presence says which kind a file is (shared ones like customer_id and
/// the date do not).
fn telling(kind: Kind, field: &str) -> bool {
    !matches!(field, "date" | "customer_id" | "ticket_id" | "priority" | "topic" | "comment")
        || (kind == Kind::Surveys && field == "comment")
}

/// A file's header and the profile of each column's sampled values.
struct Sample {
    names: Vec<String>,
    profiles: Vec<Profile>,
    /// What the sample itself says (extra header rows).
    notes: Vec<String>,
}

/// Reads the header and up to [`SAMPLE_ROWS`] rows of a file.
fn sample(path: &Path, read: &ReadOptions) -> Result<Sample> {
    let (names, source) = source::open(path, read)?;
    let mut columns: Vec<Vec<String>> = vec![Vec::new(); names.len()];
    let mut push = |record: &csv::ByteRecord| {
        for (i, column) in columns.iter_mut().enumerate() {
            let value = record.get(i).map_or(String::new(), |v| String::from_utf8_lossy(v).trim().to_string());
            column.push(value);
        }
    };
    let mut rows = 0;
    match source {
        Source::Csv(mut blocks) => {
            'blocks: while let Some(block) = blocks.next_block()? {
                let mut reader = source::block_reader(&block, blocks.delimiter);
                let mut record = csv::ByteRecord::new();
                while reader.read_byte_record(&mut record).unwrap_or(false) {
                    if record.len() == 1 && record.get(0).is_some_and(|f| f.iter().all(|b| *b == b'\r')) {
                        continue;
                    }
                    push(&record);
                    rows += 1;
                    if rows >= SAMPLE_ROWS {
                        break 'blocks;
                    }
                }
            }
        }
        Source::Parquet(mut parquet) => {
            let mut record = csv::ByteRecord::new();
            while rows < SAMPLE_ROWS && parquet.next(&mut record).is_some() {
                push(&record);
                rows += 1;
            }
        }
    }
    if rows == 0 {
        bail!("{}: no data rows to guess from (columns: {})", path.display(), names.join(", "));
    }
    // Survey tools (Qualtrics) write two more header rows: question texts and import ids.
    let mut notes = Vec::new();
    let extra = (0..rows.min(2))
        .rev()
        .find(|&row| columns.iter().any(|c| c[row].starts_with("{\"ImportId\"")))
        .map_or(0, |row| row + 1);
    if extra > 0 {
        notes.push(format!(
            "rows 2 to {} look like more header rows (question texts, import ids): report rejects their values; delete them for a clean data quality",
            extra + 1
        ));
        columns.iter_mut().for_each(|c| drop(c.drain(..extra)));
    }
    let profiles =
        columns.iter().map(|values| profile(&values.iter().map(String::as_str).collect::<Vec<_>>())).collect();
    Ok(Sample { names, profiles, notes })
}

/// Whether a column (its name, normalised, and its values) fits a field's shape.
fn fits(shape: Shape, name: &str, p: &Profile) -> bool {
    if p.is_empty() {
        return false;
    }
    let words: Vec<&str> = name.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let says = |list: &[&str]| list.iter().any(|w| words.contains(w) || name.ends_with(w));
    match shape {
        Shape::Customer => {
            let score_like = p.scale().is_some() && p.distinct <= 11;
            !score_like && (says(&["id", "email", "mail", "name", "number", "no", "code", "key"]) || words.len() == 1)
        }
        Shape::Ticket => {
            says(&["id", "number", "no", "key"]) && p.distinct * 2 >= p.values.saturating_sub(p.missing.len())
        }
        Shape::Date | Shape::Instant => p.date_format.is_some(),
        Shape::Score => p.scale().is_some(),
        Shape::Bool => p.boolean,
        Shape::Count => p.integers.is_some_and(|(lo, _)| lo >= 1),
        Shape::Duration => p.clock || p.numbers.is_some_and(|(lo, _)| lo >= 0.0),
        Shape::Number => p.numbers.is_some(),
        Shape::Any => true,
    }
}

/// One guessed field: its column and why.
struct Mapped {
    field: &'static str,
    column: usize,
    why: String,
}

/// What was guessed for one file as one kind.
struct Detected {
    kind: Kind,
    mapped: Vec<Mapped>,
    /// A time-of-day column joined to the date.
    time: Option<usize>,
    dimensions: Vec<(String, usize)>,
    others: Vec<String>,
    /// Columns named like a field whose values do not fit it: written as `ignore`, so
    /// that `report` does not read them either.
    ignored: Vec<usize>,
    /// What could not be decided.
    undecided: Vec<String>,
}

/// A short description of a column's values, for comments.
fn described(p: &Profile) -> String {
    let examples = p.examples.iter().map(|e| terminal(e)).collect::<Vec<_>>().join(", ");
    match (p.integers, p.numbers) {
        (Some((lo, hi)), _) if !p.boolean || hi > 1 => format!("whole numbers {lo}–{hi}"),
        (_, Some((lo, hi))) if !p.boolean => format!("numbers {lo}–{hi}"),
        _ => format!("values such as {examples}"),
    }
}

/// Dates that are not when a survey was answered or a contact opened.
const NOT_AN_EVENT_DATE: [&str; 5] = ["purchase", "birth", "last", "dob", "expir"];

/// Maps the fields of `kind` in one file: an exact alias whose values fit, else the
/// column with the most values whose name holds a keyword and whose values fit (the
/// others are named in a note); each column once. A column named twice is read by its
/// first copy only, as `report` does.
fn detect(kind: Kind, sample: &Sample, file: &str) -> Detected {
    let headers = Headers::new(file, sample.names.clone());
    let none = BTreeMap::new();
    let normalised: Vec<String> = sample.names.iter().map(|n| normalise(n)).collect();
    let mut used: Vec<bool> = (0..sample.names.len()).map(|i| normalised[..i].contains(&normalised[i])).collect();
    let mut mapped = Vec::new();
    let mut undecided = Vec::new();
    for (_, name) in sample.names.iter().enumerate().filter(|(i, _)| normalised[..*i].contains(&normalised[*i])) {
        undecided.push(format!("'{name}' is a column name twice: only the first one is read"));
    }
    // Columns named like a field whose values do not fit it: said (and left out of
    // `report`'s alias matching) when no other field takes them.
    let mut misnamed: Vec<(usize, &str)> = Vec::new();
    for &(field, shape, keywords) in fields(kind) {
        let instant_without_date = shape == Shape::Instant && !mapped.iter().any(|m: &Mapped| m.field == "date");
        let fitting = |i: usize| {
            let event = shape != Shape::Date
                || kind == Kind::Transactions
                || !NOT_AN_EVENT_DATE.iter().any(|w| normalised[i].contains(w));
            event && fits(shape, &normalised[i], &sample.profiles[i])
        };
        let by_alias = columns::field_def(kind, field)
            .and_then(|def| headers.find_field(kind, def, &none).ok().flatten())
            .filter(|i| !used[*i]);
        let column = match by_alias {
            Some(i) if fitting(i) => Some(i),
            found => {
                if let Some(i) = found.filter(|i| !sample.profiles[*i].is_empty()) {
                    misnamed.push((i, field));
                }
                // By keyword: the candidate with the most values; the others said.
                let mut candidates: Vec<usize> = (0..sample.names.len())
                    .filter(|&i| {
                        !used[i]
                            && Some(i) != found
                            && (keywords.iter().any(|k| normalised[i].contains(k))
                                || (field == "nps" && normalised[i] == "rec"))
                            && fitting(i)
                    })
                    .collect();
                let filled = |i: &usize| sample.profiles[*i].values - sample.profiles[*i].missing.len();
                candidates.sort_by_key(|i| std::cmp::Reverse(filled(i)));
                if candidates.len() > 1 {
                    let names: Vec<String> = candidates.iter().map(|&i| format!("'{}'", sample.names[i])).collect();
                    undecided.push(format!(
                        "columns {} could each be {field}; {} is taken (most values): map the right one with [columns.{}] {field} = \"…\"",
                        names.join(" and "),
                        names[0],
                        kind.as_str()
                    ));
                }
                candidates.first().copied()
            }
        };
        let Some(i) = column else { continue };
        if instant_without_date {
            undecided.push(format!(
                "'{}' could be {field}, but there is no date to measure it from: not mapped",
                sample.names[i]
            ));
            continue;
        }
        used[i] = true;
        let p = &sample.profiles[i];
        let why = match shape {
            Shape::Date | Shape::Instant => format!("dates such as {}", p.examples.first().map_or("", String::as_str)),
            Shape::Score => {
                let (lo, hi) = if matches!(field, "nps" | "enps") { (0, 10) } else { p.scale().unwrap_or_default() };
                let odd = if p.odd.is_empty() {
                    String::new()
                } else {
                    format!("; off the scale, rejected: {}", p.odd.join(", "))
                };
                format!("the name and whole numbers on {lo}–{hi}{odd}")
            }
            Shape::Bool => format!("the name and yes/no values ({})", p.examples.join(", ")),
            _ => "the name".to_string(),
        };
        mapped.push(Mapped { field, column: i, why });
    }
    let mut ignored = Vec::new();
    for &(i, field) in &misnamed {
        if !used[i] && !ignored.contains(&i) {
            undecided.push(format!(
                "'{}' is named like {field} but holds {}: not read (ignore = […])",
                sample.names[i],
                described(&sample.profiles[i])
            ));
            ignored.push(i);
            used[i] = true;
        }
    }
    // A separate time of day next to a date-only column is joined to it.
    let date_only = mapped
        .iter()
        .find(|m| m.field == "date")
        .is_some_and(|m| !sample.profiles[m.column].datetime && sample.profiles[m.column].date_format.is_some());
    let time = (date_only)
        .then(|| {
            sample.names.iter().enumerate().position(|(i, name)| {
                let name = normalise(name);
                !used[i] && sample.profiles[i].time_of_day && (name.contains("time") || name.contains("时间"))
            })
        })
        .flatten();
    if let Some(i) = time {
        used[i] = true;
    }
    let mut dimensions = Vec::new();
    let mut others = Vec::new();
    for (i, name) in sample.names.iter().enumerate().filter(|(i, _)| !used[*i]) {
        let dimension = ["channel", "segment", "agent_id", "region"].into_iter().find(|d| {
            headers.find_dimension(d, &none) == Some(i) || normalise(name).contains(d.trim_end_matches("_id"))
        });
        match dimension {
            // Named as the dimension: found by its name, only listed.
            Some(dim) if normalise(name) == dim => others.push(dim.to_string()),
            Some(dim) if !dimensions.iter().any(|(d, _)| d == dim) => dimensions.push((dim.to_string(), i)),
            _ => others.push(name.clone()),
        }
    }
    if kind == Kind::Surveys {
        let unnamed: Vec<String> = (0..sample.names.len())
            .filter(|&i| !used[i] && sample.profiles[i].scale().is_some() && sample.profiles[i].distinct > 2)
            .map(|i| format!("'{}'", sample.names[i]))
            .collect();
        if !unnamed.is_empty() {
            undecided.push(format!(
                "{} hold answers on a scale but their names say nothing: map them by hand ([columns.surveys] csat = \"…\")",
                unnamed.join(", ")
            ));
        }
    }
    Detected { kind, mapped, time, dimensions, others, ignored, undecided }
}

/// How strongly a detection says the file is of its kind (transactions need a date: a
/// file of one row per customer is a snapshot, not orders).
fn score(d: &Detected) -> usize {
    let telling = d.mapped.iter().filter(|m| telling(d.kind, m.field)).count();
    let has = |f: &str| d.mapped.iter().any(|m| m.field == f);
    if d.kind == Kind::Transactions && !has("date") {
        return 0;
    }
    2 * telling
        + usize::from(has("date"))
        + usize::from(d.kind == Kind::Transactions && has("customer_id") && has("date"))
}

/// The service-profit chain's inputs (SPEC §12), by their telling columns: a hire date
/// (employees), esat or enps (employee surveys), a churn flag (a customer snapshot).
fn chain_kind(sample: &Sample) -> Option<Kind> {
    let headers = Headers::new("", sample.names.clone());
    // The field's own aliases only (not the date names every kind shares).
    let has = |kind: Kind, field: &str| {
        columns::field_def(kind, field).is_some_and(|def| def.aliases.iter().any(|a| headers.position(a).is_some()))
    };
    // Names no other export uses (a survey's "Start Date" or "Satisfaction" is not one).
    let named = |names: &[&str]| sample.names.iter().any(|n| names.contains(&normalise(n).as_str()));
    if named(&["hire_date", "hired", "hired_at", "date_of_hire", "入职日期", "入职时间"]) {
        Some(Kind::Employees)
    } else if named(&["esat", "enps", "esat_score", "enps_score", "employee_satisfaction", "员工满意度"]) {
        Some(Kind::EmployeeSurveys)
    } else if has(Kind::Customers, "churned") {
        Some(Kind::Customers)
    } else {
        None
    }
}

/// The kinds a file is read as: the best one, and surveys too when an interaction
/// export carries a score (a ticket's satisfaction rating).
fn kinds_of(sample: &Sample, file: &str) -> Result<Vec<Detected>> {
    let mut all: Vec<Detected> =
        [Kind::Surveys, Kind::Interactions, Kind::Transactions].into_iter().map(|k| detect(k, sample, file)).collect();
    let best = (0..3).max_by_key(|&i| (score(&all[i]), std::cmp::Reverse(i))).unwrap_or(0);
    if score(&all[best]) <= 1 {
        bail!(
            "{file}: no survey, interaction or transaction column recognised (columns: {}); map them in a servq.toml by hand",
            sample.names.join(", ")
        );
    }
    let with_scores = |d: &Detected| d.mapped.iter().any(|m| matches!(m.field, "csat" | "ces" | "nps"));
    let also_surveys = best == 1 && with_scores(&all[0]) && all[0].mapped.iter().any(|m| m.field == "date");
    let surveys = all.remove(0);
    let mut chosen = Vec::new();
    if best == 0 {
        chosen.push(surveys);
    } else {
        chosen.push(all.remove(best - 1));
        if also_surveys {
            chosen.push(surveys);
        }
    }
    Ok(chosen)
}

/// A TOML key: bare when it can be, else quoted.
fn key(text: &str) -> String {
    let bare = !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare { text.to_string() } else { quoted(text) }
}

/// A TOML string (control characters escaped, as TOML requires).
fn quoted(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// The unit a duration column's name states (`Speed of answer in seconds`).
fn unit_in_name(name: &str) -> Option<&'static str> {
    let name = normalise(name);
    let words: Vec<&str> = name.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let has = |list: &[&str]| words.iter().any(|w| list.contains(w));
    if has(&["seconds", "second", "secs", "sec", "s"]) {
        Some("seconds")
    } else if has(&["minutes", "minute", "mins", "min"]) {
        Some("minutes")
    } else if has(&["hours", "hour", "hrs", "hr", "h"]) {
        Some("hours")
    } else if has(&["days", "day"]) {
        Some("days")
    } else {
        None
    }
}

/// The unit a duration field reports in (plain numbers default to it).
fn default_unit(field: &str) -> &'static str {
    if field == "resolution" { "hours" } else { "minutes" }
}

/// One file as one kind, with its sample.
struct Found<'a> {
    path: &'a Path,
    sample: &'a Sample,
    detected: Detected,
}

/// Writes the config for every file found.
fn config(files: &[String], found: &[Found], encoding: Option<&str>, undecided: &mut Vec<String>) -> String {
    let mut text = String::new();
    let _ = writeln!(text, "# servq.toml written by `servq init {}`", terminal(&files.join(" ")));
    let _ = writeln!(text, "# Paths are relative to this file's folder: save it where you ran servq init.");
    let _ = writeln!(text, "# Every guess says what it was guessed from: check them before you trust the figures.\n");
    let _ = writeln!(text, "[inputs]");
    let mut by_kind: BTreeMap<Kind, Vec<&Found>> = BTreeMap::new();
    for f in found {
        by_kind.entry(f.detected.kind).or_default().push(f);
    }
    for (kind, list) in &by_kind {
        let paths: Vec<String> = list.iter().map(|f| quoted(&f.path.display().to_string())).collect();
        let value = if paths.len() == 1 { paths[0].clone() } else { format!("[{}]", paths.join(", ")) };
        let telling: Vec<&str> =
            list[0].detected.mapped.iter().filter(|m| telling(*kind, m.field)).map(|m| m.field).collect();
        let _ = writeln!(text, "{} = {value}   # guessed from its columns: {}", kind.as_str(), telling.join(", "));
    }
    if let Some(encoding) = encoding {
        let _ = writeln!(text, "encoding = {}", quoted(encoding));
    }
    // One date format for every input (ISO dates are always read too).
    let mut formats: Vec<(&'static str, String, String)> = Vec::new();
    let mut missing: Vec<(String, String)> = Vec::new();
    for f in found {
        for m in &f.detected.mapped {
            let p = &f.sample.profiles[m.column];
            if let Some(format) = p.date_format.filter(|f| !f.is_empty())
                && !formats.iter().any(|(known, _, _)| *known == format)
            {
                let example = p.examples.first().cloned().unwrap_or_default();
                formats.push((format, f.sample.names[m.column].clone(), example));
                if p.ambiguous_date {
                    undecided.push(format!(
                        "'{}': day-first or month-first? every day is 12 or less; guessed day-first ({format})",
                        f.sample.names[m.column]
                    ));
                }
            }
            for code in &p.missing {
                if !missing.iter().any(|(c, _)| c == code) {
                    missing.push((code.clone(), f.sample.names[m.column].clone()));
                }
            }
        }
    }
    match formats.as_slice() {
        [] => {}
        [(format, column, example), rest @ ..] => {
            let _ = writeln!(
                text,
                "date_format = {}   # guessed from '{}' values such as {} (ISO dates are read too)",
                quoted(format),
                terminal(column),
                terminal(example)
            );
            for (other, column, _) in rest {
                undecided.push(format!(
                    "'{column}' needs date format {other} too, but one date_format serves every input: convert that file's dates or run it on its own"
                ));
            }
        }
    }
    if !missing.is_empty() {
        let codes: Vec<String> = missing.iter().map(|(c, _)| quoted(c)).collect();
        let from: Vec<String> = missing.iter().map(|(c, col)| format!("{c} in '{col}'")).collect();
        let _ = writeln!(text, "missing = [{}]   # guessed from {}", codes.join(", "), terminal(&from.join(", ")));
    }
    let mut scales: Vec<(&'static str, (i32, i32), String)> = Vec::new();
    for (kind, list) in &by_kind {
        let first = list[0];
        let names = &first.sample.names;
        let _ = writeln!(text, "\n[columns.{}]", kind.as_str());
        let mut units: Vec<(&str, &str, String)> = Vec::new();
        for m in &first.detected.mapped {
            let _ = writeln!(text, "{} = {}   # guessed from {}", m.field, quoted(&names[m.column]), terminal(&m.why));
            let p = &first.sample.profiles[m.column];
            if matches!(m.field, "csat" | "ces" | "esat")
                && let Some(scale) = p.scale()
            {
                scales.push((m.field, scale, names[m.column].clone()));
            }
            if matches!(m.field, "first_response_minutes" | "resolution" | "handle_time")
                && !p.clock
                && let Some(unit) = unit_in_name(&names[m.column]).filter(|u| *u != default_unit(m.field))
            {
                let field = if m.field == "first_response_minutes" { "first_response" } else { m.field };
                units.push((field, unit, names[m.column].clone()));
            }
        }
        if !first.detected.ignored.is_empty() {
            let list: Vec<String> = first.detected.ignored.iter().map(|&i| quoted(&names[i])).collect();
            let _ = writeln!(
                text,
                "ignore = [{}]   # named like a field, but its values are not: never read",
                list.join(", ")
            );
        }
        if let Some(i) = first.detected.time {
            let _ = writeln!(
                text,
                "time = {}   # a time of day joined to the date: values such as {}",
                quoted(&names[i]),
                terminal(first.sample.profiles[i].examples.first().map_or("", String::as_str))
            );
        }
        if !units.is_empty() {
            let list: Vec<String> = units.iter().map(|(f, u, _)| format!("{f} = {}", quoted(u))).collect();
            let from: Vec<String> = units.iter().map(|(_, _, c)| format!("'{c}'")).collect();
            let _ = writeln!(
                text,
                "units = {{ {} }}   # guessed from the name {}",
                list.join(", "),
                terminal(&from.join(", "))
            );
        }
        for (dim, i) in &first.detected.dimensions {
            let _ = writeln!(
                text,
                "{} = {}   # a dimension: use with --by {}",
                key(dim),
                quoted(&names[*i]),
                terminal(dim)
            );
        }
        let mut possible: Vec<String> = first.detected.dimensions.iter().map(|(d, _)| d.clone()).collect();
        possible.extend(first.detected.others.iter().cloned());
        if !possible.is_empty() {
            let _ = writeln!(text, "# possible dimensions for --by: {}", terminal(&possible.join(", ")));
        }
        for other in &list[1..] {
            if other.sample.names != first.sample.names {
                undecided.push(format!(
                    "{} has other columns than {}: the mapping above is the first file's",
                    other.path.display(),
                    first.path.display()
                ));
            }
        }
    }
    let _ = writeln!(text, "\n[report]\nperiod = \"month\"\n# by = [\"channel\"]\nmin_n = 30");
    for (field, scale, column) in &scales {
        if !(matches!(*field, "csat" | "esat") && *scale == (1, 5) || *field == "ces" && *scale == (1, 7)) {
            let _ = writeln!(
                text,
                "\n[metrics.{field}]\nscale = [{}, {}]   # guessed from the values of '{}' (snapped to 1–5, 1–7, 1–10 or 0–10)",
                scale.0,
                scale.1,
                terminal(column)
            );
        }
    }
    let _ = writeln!(
        text,
        "\n# An example KPI gate for `servq check`:\n# [[check]]\n# metric = \"nps\"\n# min = 30\n# level = \"error\"   # or \"warn\"\n# min_n = 100"
    );
    text
}

/// Runs `servq init`.
pub fn run(args: &InitArgs) -> Result<Outcome> {
    let read = ReadOptions {
        delimiter: args.delimiter,
        encoding: args.encoding.as_deref().map(source::parse_encoding).transpose()?,
        max_record_bytes: None,
        missing: Vec::new(),
    };
    let mut samples: Vec<(PathBuf, Sample)> = Vec::new();
    for path in &args.files {
        if !path.is_file() {
            bail!("{}: no such file", path.display());
        }
        samples.push((path.clone(), sample(path, &read)?));
    }
    let mut found = Vec::new();
    let mut undecided = Vec::new();
    for (path, sample) in &samples {
        let file = path.display().to_string();
        undecided.extend(sample.notes.iter().map(|n| format!("{file}: {n}")));
        if let Some(kind) = chain_kind(sample) {
            let detected = detect(kind, sample, &file);
            undecided.extend(detected.undecided.iter().map(|u| format!("{file}: {u}")));
            found.push(Found { path, sample, detected });
            continue;
        }
        match kinds_of(sample, &file) {
            Ok(kinds) => {
                for detected in kinds {
                    undecided.extend(detected.undecided.iter().map(|u| format!("{file}: {u}")));
                    found.push(Found { path, sample, detected });
                }
            }
            // One file init cannot place does not lose the others: it is said on stderr.
            Err(e) if samples.len() > 1 => undecided.push(e.to_string()),
            Err(e) => return Err(e),
        }
    }
    if found.is_empty() {
        bail!("no file could be placed: {}", undecided.join("; "));
    }
    let files: Vec<String> = args.files.iter().map(|p| p.display().to_string()).collect();
    let text = config(&files, &found, args.encoding.as_deref(), &mut undecided);
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    let mut err = std::io::stderr().lock();
    for line in &undecided {
        writeln!(err, "init: could not decide: {}", terminal(line))?;
    }
    Ok(Outcome::Success)
}
