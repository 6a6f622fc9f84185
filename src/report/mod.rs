//! Output formats, one file each behind the [`Exporter`] trait, and the helpers they
//! share (period labels, number formatting, the period × group pivot).

pub mod clv;
pub mod cohorts;
pub mod csv;
pub mod followup;
pub mod grid;
pub mod html;
pub mod json;
pub mod markdown;
pub mod pareto;
pub mod safe;
pub mod scorecard;
pub mod table;
pub mod xlsx;

use std::io::Write;
use std::path::Path;

use anyhow::{Result, bail};
use chrono::NaiveDate;

use crate::compute::{Flag, Record, Results};
use crate::metrics::MetricId;
use crate::period::Period;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Terminal table (comfy-table).
    Table,
    /// Tidy CSV.
    Csv,
    /// JSON.
    Json,
    /// Markdown.
    Markdown,
    /// One self-contained HTML page.
    Html,
    /// An Excel workbook.
    Xlsx,
}

impl Format {
    /// Picks the format from an output file's extension.
    pub fn from_extension(path: &Path) -> Result<Format> {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
        Ok(match ext.as_str() {
            "csv" => Format::Csv,
            "json" => Format::Json,
            "md" | "markdown" => Format::Markdown,
            "txt" | "" => Format::Table,
            "html" | "htm" => Format::Html,
            "xlsx" => Format::Xlsx,
            other => bail!(
                "{}: unknown output extension .{other}; use .csv, .json, .md, .txt, .html or .xlsx (or --format)",
                path.display()
            ),
        })
    }
}

/// What a command writes (the report's [`Results`], the CLV table, the cohort matrix,
/// the follow-up list), in each format it has. The format files write the report.
pub trait Document {
    /// A terminal table; `color` styles the header.
    fn table(&self, out: &mut dyn Write, color: bool) -> Result<()>;
    /// CSV.
    fn csv(&self, out: &mut dyn Write) -> Result<()>;
    /// JSON.
    fn json(&self, out: &mut dyn Write) -> Result<()>;
    /// Markdown.
    fn markdown(&self, out: &mut dyn Write) -> Result<()>;
    /// One self-contained HTML page.
    fn html(&self, out: &mut dyn Write) -> Result<()>;

    /// An Excel workbook: the report's only.
    fn xlsx(&self, _out: &mut dyn Write) -> Result<()> {
        bail!("Excel output is made by servq report only")
    }
}

/// Writes a document in one format.
pub trait Exporter {
    /// Writes the rendered document to `out`.
    fn render(&self, document: &dyn Document, out: &mut dyn Write) -> Result<()>;
}

/// The exporter of one [`Format`].
struct FormatExporter {
    format: Format,
    color: bool,
}

impl Exporter for FormatExporter {
    fn render(&self, document: &dyn Document, out: &mut dyn Write) -> Result<()> {
        match self.format {
            Format::Table => document.table(out, self.color),
            Format::Csv => document.csv(out),
            Format::Json => document.json(out),
            Format::Markdown => document.markdown(out),
            Format::Html => document.html(out),
            Format::Xlsx => document.xlsx(out),
        }
    }
}

/// Returns the exporter of a format; `color` is used by the terminal table only.
pub fn exporter(format: Format, color: bool) -> Box<dyn Exporter> {
    Box::new(FormatExporter { format, color })
}

/// The report: one file per format.
impl Document for Results {
    fn table(&self, out: &mut dyn Write, color: bool) -> Result<()> {
        table::write(self, out, color)
    }

    fn csv(&self, out: &mut dyn Write) -> Result<()> {
        csv::write(self, out)
    }

    fn json(&self, out: &mut dyn Write) -> Result<()> {
        json::write(self, out)
    }

    fn markdown(&self, out: &mut dyn Write) -> Result<()> {
        markdown::write(self, out)
    }

    fn html(&self, out: &mut dyn Write) -> Result<()> {
        html::write(self, &[], &std::collections::BTreeMap::new(), out)
    }

    fn xlsx(&self, out: &mut dyn Write) -> Result<()> {
        xlsx::write(self, out)
    }
}

/// Returns the label of a record's period (`2025-03`, `2025-W11`, `all`, …).
pub fn period_label(results: &Results, record: &Record) -> String {
    let period = if record.whole_window { Period::None } else { results.period };
    period.label(record.period_start)
}

/// Returns the first and last day (inclusive) of a record's period. For
/// `--period none` this is the range of the data used; a whole-window figure (clv)
/// has none.
pub fn period_bounds(results: &Results, record: &Record) -> Option<(NaiveDate, NaiveDate)> {
    match results.period {
        _ if record.whole_window => None,
        // The span of the figure's own input; without dates there is none: empty
        // period dates, never 1970-01-01.
        Period::None => results.range_by_kind.get(&record.metric.input()).copied(),
        p => Some((record.period_start, p.end(record.period_start))),
    }
}

/// Returns the record's flags joined with `;`.
pub fn flags_text(record: &Record) -> String {
    record.flags.iter().map(|f| f.as_str()).collect::<Vec<_>>().join(";")
}

/// Formats a value for people, with the metric's decimals (means and clv 2, the rest 1).
pub fn human_value(metric: MetricId, value: f64) -> String {
    format!("{value:.*}", metric.def().decimals)
}

/// Formats a record for a pivot cell: `82.4 (512)`, with `*` when n is low and `!`
/// when more than 5% of its values were rejected (suspect data).
pub fn cell_text(record: &Record) -> String {
    let low = if record.flags.contains(&Flag::LowN) { "*" } else { "" };
    let suspect = if record.flags.contains(&Flag::Rejected) { "!" } else { "" };
    let mark = format!("{low}{suspect}");
    match record.estimate.value {
        Some(v) => format!("{}{mark} ({})", human_value(record.metric, v), record.estimate.n),
        None => format!("–{mark} (0)"),
    }
}

/// With `--compare previous`: ` ▲+2.1*` after a cell (`*` when significant at 0.05).
fn change_suffix(results: &Results, record: &Record) -> String {
    let Some(all) = &results.comparisons else { return String::new() };
    let Some(c) = results.records.iter().position(|r| std::ptr::eq(r, record)).and_then(|i| all.get(i)) else {
        return String::new();
    };
    let Some(change) = c.change else { return String::new() };
    let arrow = if change > 0.0 {
        "▲+"
    } else if change < 0.0 {
        "▼−"
    } else {
        "="
    };
    let star = if c.significant() == Some(true) { "*" } else { "" };
    format!(" {arrow}{}{star}", human_value(record.metric, change.abs()))
}

/// One row of the pivot: a period and group, one cell per metric.
pub struct PivotRow<'a> {
    /// The period label, with ` (partial)` when the period was not over.
    pub period: String,
    /// The group values.
    pub groups: Vec<String>,
    /// One record per metric column, when there is one.
    pub cells: Vec<Option<&'a Record>>,
}

/// Returns the metric columns and the rows of the period × group pivot.
pub fn pivot(results: &Results) -> (Vec<MetricId>, Vec<PivotRow<'_>>) {
    let mut metrics: Vec<MetricId> = results.records.iter().map(|r| r.metric).collect();
    metrics.sort();
    metrics.dedup();
    let mut rows: Vec<PivotRow> = Vec::new();
    let mut last_key: Option<(bool, NaiveDate, &Vec<String>)> = None;
    for record in &results.records {
        let key = (record.whole_window, record.period_start, &record.groups);
        if last_key != Some(key) {
            rows.push(PivotRow {
                period: period_label(results, record),
                groups: record.groups.clone(),
                cells: vec![None; metrics.len()],
            });
            last_key = Some(key);
        }
        let column = metrics.iter().position(|m| *m == record.metric).expect("metric listed");
        if let Some(row) = rows.last_mut() {
            row.cells[column] = Some(record);
        }
    }
    // A row is partial when any of its figures is (inputs can end on different days).
    for row in &mut rows {
        if row.cells.iter().flatten().any(|r| r.flags.contains(&Flag::Partial)) {
            row.period.push_str(" (partial)");
        }
    }
    (metrics, rows)
}

/// The pivot as text cells: header (period, group columns, metrics) and rows.
pub fn pivot_cells(results: &Results) -> (Vec<String>, Vec<Vec<String>>) {
    let (metrics, rows) = pivot(results);
    let mut header = vec!["period".to_string()];
    header.extend(results.by.iter().cloned());
    header.extend(metrics.iter().map(|m| m.as_str().to_string()));
    let rows = rows
        .into_iter()
        .map(|row| {
            let mut cells = vec![row.period];
            cells.extend(row.groups);
            cells.extend(
                row.cells.iter().map(|c| c.map_or(String::new(), |r| cell_text(r) + &change_suffix(results, r))),
            );
            cells
        })
        .collect();
    (header, rows)
}

/// The as-of date, or each input's when they differ: `surveys 2025-03-15, interactions 2025-03-28`.
fn as_of_text(results: &Results) -> String {
    let dates: Vec<(crate::input::Kind, NaiveDate)> = results.as_of_by_kind.iter().map(|(k, d)| (*k, *d)).collect();
    match dates.as_slice() {
        [(_, first), rest @ ..] if rest.iter().any(|(_, d)| d != first) => {
            dates.iter().map(|(k, d)| format!("{} {d}", k.as_str())).collect::<Vec<_>>().join(", ")
        }
        _ => results.as_of.map_or(String::new(), |d| d.to_string()),
    }
}

/// The lines under a human-readable report: legend, definitions, notes, data quality.
pub fn footer_lines(results: &Results) -> Vec<String> {
    let partial = results.records.iter().any(|r| r.flags.contains(&Flag::Partial));
    let suspect = results.records.iter().any(|r| r.flags.contains(&Flag::Rejected));
    let mut lines = vec![format!(
        "Cells: value (n). * fewer than {} observations: low confidence.{}{}",
        results.min_n,
        match results.as_of {
            Some(_) if partial =>
                format!(" (partial): period not over at as-of ({}), or cut by --from/--to.", as_of_text(results)),
            _ => String::new(),
        },
        if suspect { " ! more than 5% of the values were rejected: suspect data (see the hints)." } else { "" }
    )];
    let mut seen = Vec::new();
    for (_, text) in &results.definitions {
        if !seen.contains(&text) {
            lines.push(format!("Definition: {text}"));
            seen.push(text);
        }
    }
    lines.extend(results.notes.iter().map(|n| format!("Note: {n}")));
    lines.extend(results.quality.summary_lines().into_iter().map(|l| format!("Data quality: {l}")));
    lines
}
