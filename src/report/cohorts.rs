//! Output of `servq cohorts` in every format. Tidy CSV (SPEC §5):
//! `cohort,cohort_start,offset,customers,active,pct`, one row per observable cell.

use std::io::Write;

use anyhow::Result;
use chrono::NaiveDate;
use serde_json::json;

use super::{Document, grid};
use crate::input::DataQuality;
use crate::metrics::cohorts::{Matrix, pct};
use crate::period::Period;

/// What `servq cohorts` prints.
pub struct CohortReport<'a> {
    /// The period length.
    pub period: Period,
    /// The matrix.
    pub matrix: Matrix,
    /// When the data was cut: a cell in a period not over by then is partial.
    pub as_of: Option<NaiveDate>,
    /// The accounting of the input rows.
    pub quality: &'a DataQuality,
}

/// The definition printed under the matrix.
pub const DEFINITION: &str = "cell (c, j) = 100 × customers of cohort c (first transaction in period c) active in period c + j / cohort size; cells after the last complete period are empty (--include-partial shows the partial one, marked); the summary row is Σ active / Σ cohort size over the cohorts that have the cell";

impl CohortReport<'_> {
    fn start(&self, index: i32) -> NaiveDate {
        self.period.start_of_index(index)
    }

    fn partial(&self, index: i32) -> bool {
        self.as_of.is_some_and(|as_of| self.period.end(self.start(index)) > as_of)
    }

    fn cell_text(&self, active: u64, customers: u64, index: i32) -> String {
        let mark = if self.partial(index) { " (partial)" } else { "" };
        pct(active, customers).map_or(String::new(), |p| format!("{p:.1}{mark}"))
    }

    /// Rows of the human-readable matrix: label, size, one cell per offset.
    fn rows(&self) -> (Vec<String>, Vec<Vec<String>>) {
        let width = self.matrix.summary.len();
        let mut header = vec!["cohort".to_string(), "customers".to_string()];
        header.extend((0..width).map(|j| format!("+{j}")));
        let mut rows = Vec::new();
        for c in &self.matrix.cohorts {
            let mut row = vec![self.period.label(self.start(c.index)), c.customers.to_string()];
            row.extend((0..width).map(|j| match c.active.get(j) {
                Some(&a) => self.cell_text(a, c.customers, c.index + j as i32),
                None => String::new(),
            }));
            rows.push(row);
        }
        let mut summary = vec!["all (weighted)".to_string(), String::new()];
        summary.extend(self.matrix.summary.iter().map(|s| s.pct().map_or(String::new(), |p| format!("{p:.1}"))));
        rows.push(summary);
        (header, rows)
    }

    /// Returns true if and only if some cell of the matrix is in a partial period.
    fn any_partial(&self) -> bool {
        self.matrix.cohorts.iter().any(|c| self.partial(c.index + c.active.len() as i32 - 1))
    }

    fn footer(&self) -> Vec<String> {
        let mut lines = vec![format!("Definition: {DEFINITION}.")];
        if let Some(as_of) = self.as_of.filter(|_| self.any_partial()) {
            lines.push(format!("(partial): the period was not over at --as-of {as_of}."));
        }
        lines.extend(self.quality.summary_lines().into_iter().map(|l| format!("Data quality: {l}")));
        lines
    }
}

/// The cohort matrix in each format.
impl Document for CohortReport<'_> {
    fn table(&self, out: &mut dyn Write, _: bool) -> Result<()> {
        table(self, out)
    }

    fn csv(&self, out: &mut dyn Write) -> Result<()> {
        csv(self, out)
    }

    fn json(&self, out: &mut dyn Write) -> Result<()> {
        json(self, out)
    }

    fn markdown(&self, out: &mut dyn Write) -> Result<()> {
        markdown(self, out)
    }

    fn html(&self, out: &mut dyn Write) -> Result<()> {
        let (header, rows) = self.rows();
        let footer = self.footer();
        // A cell's heat is its share; the summary row (the last) is shaded too.
        let shade = |i: usize, j: usize| {
            let offset = j.checked_sub(2)?;
            match self.matrix.cohorts.get(i) {
                Some(c) => c.active.get(offset).and_then(|&a| pct(a, c.customers)).map(|p| p / 100.0),
                None => self.matrix.summary.get(offset).and_then(|s| s.pct()).map(|p| p / 100.0),
            }
        };
        let title = format!("Cohort retention by {}, % of cohort active", self.period.as_str());
        grid::Page { title: &title, header: &header, rows: &rows, footer: &footer, shade: &shade }.write(out)
    }
}

fn csv(report: &CohortReport, out: &mut dyn Write) -> Result<()> {
    let mut writer = ::csv::Writer::from_writer(out);
    // The SPEC columns; a `partial` column is added only when partial cells are shown
    // (`--include-partial`), so the default CSV never mixes them in unmarked.
    let marked = report.any_partial();
    let mut header = vec!["cohort", "cohort_start", "offset", "customers", "active", "pct"];
    if marked {
        header.push("partial");
    }
    writer.write_record(&header)?;
    for c in &report.matrix.cohorts {
        for (j, &active) in c.active.iter().enumerate() {
            let mut row = vec![
                report.period.label(report.start(c.index)),
                report.start(c.index).to_string(),
                j.to_string(),
                c.customers.to_string(),
                active.to_string(),
                pct(active, c.customers).map_or(String::new(), |p| p.to_string()),
            ];
            if marked {
                row.push(report.partial(c.index + j as i32).to_string());
            }
            writer.write_record(&row)?;
        }
    }
    writer.flush()?;
    Ok(())
}

fn json(report: &CohortReport, out: &mut dyn Write) -> Result<()> {
    let mut cells = Vec::new();
    for c in &report.matrix.cohorts {
        for (j, &active) in c.active.iter().enumerate() {
            cells.push(json!({
                "cohort": report.period.label(report.start(c.index)),
                "cohort_start": report.start(c.index).to_string(),
                "offset": j,
                "customers": c.customers,
                "active": active,
                "pct": pct(active, c.customers),
                "partial": report.partial(c.index + j as i32),
            }));
        }
    }
    let summary: Vec<_> = report
        .matrix
        .summary
        .iter()
        .enumerate()
        .map(|(j, s)| json!({"offset": j, "customers": s.customers, "active": s.active, "pct": s.pct()}))
        .collect();
    let document = json!({
        "period": report.period.as_str(),
        "as_of": report.as_of.map(|d| d.to_string()),
        "cells": cells,
        "summary": summary,
        "definition": DEFINITION,
        "data_quality": report.quality,
    });
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)?;
    Ok(())
}

fn markdown(report: &CohortReport, out: &mut dyn Write) -> Result<()> {
    let (header, rows) = report.rows();
    grid::write_markdown(out, &header, &rows, &report.footer())
}

fn table(report: &CohortReport, out: &mut dyn Write) -> Result<()> {
    let (header, rows) = report.rows();
    grid::write_table(out, &header, &rows, &report.footer(), false)
}
