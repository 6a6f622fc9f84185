//! The terminal table (comfy-table): one row per period and group, one column per
//! metric, and a footer with the legend, definitions, notes and data quality.
//! Colour only when asked (stdout is a terminal and NO_COLOR is unset).

use std::io::Write;

use anyhow::Result;
use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Attribute, Cell, ContentArrangement, Table};

use super::{Exporter, cell_text, footer_lines, pivot};
use crate::compute::Results;

/// The terminal-table exporter.
pub struct TableExporter {
    /// Whether to style the header.
    pub color: bool,
}

impl Exporter for TableExporter {
    fn render(&self, results: &Results, out: &mut dyn Write) -> Result<()> {
        let (metrics, rows) = pivot(results);
        let mut table = Table::new();
        table.load_preset(UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Disabled);
        if !self.color {
            table.force_no_tty();
        }
        let mut header = vec!["period".to_string()];
        header.extend(results.by.iter().cloned());
        header.extend(metrics.iter().map(|m| m.as_str().to_string()));
        let style =
            |text: String| if self.color { Cell::new(text).add_attribute(Attribute::Bold) } else { Cell::new(text) };
        table.set_header(header.into_iter().map(style));
        for row in rows {
            let mut cells = vec![row.period.clone()];
            cells.extend(row.groups.iter().cloned());
            cells.extend(row.cells.iter().map(|c| c.map_or(String::new(), cell_text)));
            table.add_row(cells);
        }
        if !results.records.is_empty() {
            writeln!(out, "{table}")?;
        }
        for line in footer_lines(results) {
            writeln!(out, "{line}")?;
        }
        Ok(())
    }
}
