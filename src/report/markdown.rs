//! Markdown: the period × group pivot as a pipe table, then definitions, notes and
//! data quality as lists (for CI step summaries and wikis).

use std::io::Write;

use anyhow::Result;

use super::{Exporter, cell_text, footer_lines, pivot};
use crate::compute::Results;

/// The Markdown exporter.
pub struct MarkdownExporter;

fn escape(cell: &str) -> String {
    cell.replace('|', "\\|")
}

impl Exporter for MarkdownExporter {
    fn render(&self, results: &Results, out: &mut dyn Write) -> Result<()> {
        let (metrics, rows) = pivot(results);
        let mut header = vec!["period".to_string()];
        header.extend(results.by.iter().cloned());
        header.extend(metrics.iter().map(|m| m.as_str().to_string()));
        writeln!(out, "| {} |", header.iter().map(|h| escape(h)).collect::<Vec<_>>().join(" | "))?;
        writeln!(out, "|{}", " --- |".repeat(header.len()))?;
        for row in rows {
            let mut cells = vec![row.period.clone()];
            cells.extend(row.groups.iter().cloned());
            cells.extend(row.cells.iter().map(|c| c.map_or(String::new(), cell_text)));
            writeln!(out, "| {} |", cells.iter().map(|c| escape(c)).collect::<Vec<_>>().join(" | "))?;
        }
        writeln!(out)?;
        for line in footer_lines(results) {
            writeln!(out, "- {line}")?;
        }
        Ok(())
    }
}
