//! The terminal table (comfy-table): one row per period and group, one column per
//! metric, and a footer with the legend, definitions, notes and data quality.
//! Colour only when asked (stdout is a terminal and NO_COLOR is unset).

use std::io::Write;

use anyhow::Result;

use super::{footer_lines, grid, pivot_cells};
use crate::compute::Results;

/// Writes the report as a terminal table; `color` styles the header.
pub fn write(results: &Results, out: &mut dyn Write, color: bool) -> Result<()> {
    let (header, rows) = pivot_cells(results);
    if results.records.is_empty() {
        return footer_lines(results).iter().try_for_each(|line| Ok(writeln!(out, "{line}")?));
    }
    grid::write_table(out, &header, &rows, &footer_lines(results), color)
}
