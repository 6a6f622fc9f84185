//! `servq complaints`: the complaint Pareto in every format: the table (CSV columns
//! exactly as SPEC §11), and in HTML a Pareto chart (bars of complaints, the cumulative
//! share as a line, the 80% mark dashed).

use std::io::Write;

use anyhow::Result;
use maud::{DOCTYPE, Markup, html};
use serde_json::json;

use super::{Document, grid};
use crate::input::DataQuality;
use crate::metrics::pareto::{ParetoRow, VITAL_SHARE};

/// The CSV columns.
const HEADER: [&str; 11] = [
    "period",
    "category",
    "complaints",
    "share_pct",
    "cumulative_pct",
    "per_1000",
    "ci_low",
    "ci_high",
    "previous",
    "change",
    "vital",
];

/// The complaint Pareto of one period.
pub struct ParetoReport<'a> {
    /// The period's label (`2025-03`, `all`).
    pub period: String,
    /// The category column (`topic`).
    pub category: String,
    /// The rows, most complaints first.
    pub rows: Vec<ParetoRow>,
    /// The definition printed with the table.
    pub definition: String,
    /// Notes (the complaint rule, the denominator).
    pub notes: Vec<String>,
    /// The accounting of every input row.
    pub quality: &'a DataQuality,
}

fn full(value: Option<f64>) -> String {
    value.map_or(String::new(), |v| v.to_string())
}

fn rounded(value: Option<f64>) -> String {
    value.map_or(String::new(), |v| format!("{v:.1}"))
}

impl ParetoReport<'_> {
    /// The rows as CSV cells, at full precision.
    fn csv_cells(&self) -> Vec<Vec<String>> {
        self.rows
            .iter()
            .map(|r| {
                vec![
                    self.period.clone(),
                    r.category.clone(),
                    r.complaints.to_string(),
                    full(r.share_pct),
                    full(r.cumulative_pct),
                    full(r.per_1000.value),
                    full(r.per_1000.ci.map(|c| c.0)),
                    full(r.per_1000.ci.map(|c| c.1)),
                    r.previous.map_or(String::new(), |p| p.to_string()),
                    r.change.map_or(String::new(), |c| c.to_string()),
                    r.vital.to_string(),
                ]
            })
            .collect()
    }

    /// The header and rows for people: one decimal, the interval in brackets.
    fn human(&self) -> (Vec<String>, Vec<Vec<String>>) {
        let header = grid::header(&[
            &self.category,
            "complaints",
            "share %",
            "cumulative %",
            "per 1000 (95% CI)",
            "previous",
            "change",
            "vital",
        ]);
        let rows = self
            .rows
            .iter()
            .map(|r| {
                let rate = match (r.per_1000.value, r.per_1000.ci) {
                    (Some(v), Some((lo, hi))) => format!("{v:.1} ({lo:.1}–{hi:.1})"),
                    (v, _) => rounded(v),
                };
                vec![
                    r.category.clone(),
                    format!("{}{}", r.complaints, if r.suspect { "!" } else { "" }),
                    rounded(r.share_pct),
                    rounded(r.cumulative_pct),
                    rate,
                    r.previous.map_or(String::new(), |p| p.to_string()),
                    r.change.map_or(String::new(), |c| format!("{c:+}")),
                    if r.vital { "vital".to_string() } else { String::new() },
                ]
            })
            .collect();
        (header, rows)
    }

    fn footer(&self) -> Vec<String> {
        let mut lines = vec![format!("Complaints by {}, period {}.", self.category, self.period)];
        if self.rows.iter().any(|r| r.suspect) {
            lines.push(
                "! more than 5% of the complaint values were rejected: suspect data (see the hints).".to_string(),
            );
        }
        lines.push(format!("Definition: {}", self.definition));
        lines.extend(self.notes.iter().map(|n| format!("Note: {n}")));
        lines.extend(self.quality.summary_lines().into_iter().map(|l| format!("Data quality: {l}")));
        lines
    }

    /// The Pareto chart: a bar per category, the cumulative share as a line on a
    /// 0–100% scale, the 80% mark dashed.
    fn chart(&self) -> Markup {
        let (width, height, left, right, top, bottom) = (640.0, 280.0, 40.0, 40.0, 12.0, 70.0);
        let plot_w = width - left - right;
        let plot_h = height - top - bottom;
        let count = self.rows.len().max(1) as f64;
        let step = plot_w / count;
        let max = self.rows.iter().map(|r| r.complaints).max().unwrap_or(0).max(1) as f64;
        let y_count = |c: u64| top + plot_h * (1.0 - c as f64 / max);
        let y_pct = |p: f64| top + plot_h * (1.0 - p / 100.0);
        let points: Vec<String> = self
            .rows
            .iter()
            .enumerate()
            .filter_map(|(i, r)| {
                r.cumulative_pct.map(|p| format!("{:.1},{:.1}", left + step * (i as f64 + 0.5), y_pct(p)))
            })
            .collect();
        html! {
            svg viewBox=(format!("0 0 {width} {height}")) role="img" aria-label="Pareto chart of complaints" {
                line x1=(left) y1=(top + plot_h) x2=(width - right) y2=(top + plot_h) stroke="#9ca3af" {}
                line x1=(left) y1=(y_pct(VITAL_SHARE)) x2=(width - right) y2=(y_pct(VITAL_SHARE)) stroke="#9ca3af" stroke-dasharray="4 3" {}
                text x=(width - right + 4.0) y=(y_pct(VITAL_SHARE) + 4.0) { "80%" }
                text x=(width - right + 4.0) y=(top + 4.0) { "100%" }
                text x="2" y=(top + 4.0) { (max as u64) }
                @for (i, r) in self.rows.iter().enumerate() {
                    @let x = left + step * i as f64 + step * 0.15;
                    rect.bar x=(format!("{x:.1}")) y=(format!("{:.1}", y_count(r.complaints))) width=(format!("{:.1}", step * 0.7))
                        height=(format!("{:.1}", top + plot_h - y_count(r.complaints)))
                        fill=(if r.vital { "#dc2626" } else { "#93c5fd" }) {
                        title { (r.category) ": " (r.complaints) }
                    }
                    text x=(format!("{:.1}", left + step * (i as f64 + 0.5))) y=(top + plot_h + 14.0) text-anchor="middle" { (r.category) }
                }
                polyline.cumulative points=(points.join(" ")) fill="none" stroke="#1f2937" stroke-width="2" {}
            }
        }
    }

    fn page(&self) -> Markup {
        let (header, rows) = self.human();
        html! {
            (DOCTYPE)
            html lang="en" {
                (super::html::head(&format!("servq complaints by {}", self.category)))
                body {
                    h1 { "Complaints by " (self.category) }
                    p.meta { "Period " (self.period) " · red bars: the vital few (up to " (VITAL_SHARE) "% of complaints)" }
                    figure { figcaption { "Pareto chart" } (self.chart()) }
                    h2 { "Table" }
                    div.scroll { table {
                        thead { tr { @for h in &header { th { (h) } } } }
                        tbody { @for row in &rows { tr { @for cell in row { td { (cell) } } } } }
                    } }
                    h2 { "Definition" }
                    p { (self.definition) }
                    @if !self.notes.is_empty() { h2 { "Notes" } ul { @for n in &self.notes { li { (n) } } } }
                    h2 { "Data quality" }
                    ul { @for line in self.quality.summary_lines() { li { (line) } } }
                }
            }
        }
    }
}

impl Document for ParetoReport<'_> {
    fn table(&self, out: &mut dyn Write, color: bool) -> Result<()> {
        let (header, rows) = self.human();
        grid::write_table(out, &header, &rows, &self.footer(), color)
    }

    fn csv(&self, out: &mut dyn Write) -> Result<()> {
        let mut writer = ::csv::Writer::from_writer(out);
        writer.write_record(HEADER)?;
        for row in self.csv_cells() {
            super::safe::write_csv_record(&mut writer, row)?;
        }
        writer.flush()?;
        Ok(())
    }

    fn json(&self, out: &mut dyn Write) -> Result<()> {
        let rows: Vec<serde_json::Value> = self
            .rows
            .iter()
            .map(|r| {
                json!({
                    "category": r.category,
                    "complaints": r.complaints,
                    "share_pct": r.share_pct,
                    "cumulative_pct": r.cumulative_pct,
                    "per_1000": r.per_1000.value,
                    "ci_low": r.per_1000.ci.map(|c| c.0),
                    "ci_high": r.per_1000.ci.map(|c| c.1),
                    "previous": r.previous,
                    "change": r.change,
                    "vital": r.vital,
                    "suspect": r.suspect,
                })
            })
            .collect();
        let document = json!({
            "period": self.period,
            "category_column": self.category,
            "rows": rows,
            "definition": self.definition,
            "notes": self.notes,
            "data_quality": self.quality,
        });
        serde_json::to_writer_pretty(&mut *out, &document)?;
        writeln!(out)?;
        Ok(())
    }

    fn markdown(&self, out: &mut dyn Write) -> Result<()> {
        let (header, rows) = self.human();
        grid::write_markdown(out, &header, &rows, &self.footer())
    }

    fn html(&self, out: &mut dyn Write) -> Result<()> {
        out.write_all(self.page().into_string().as_bytes())?;
        Ok(())
    }
}
