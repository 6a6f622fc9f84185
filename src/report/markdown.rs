//! Markdown: the period × group pivot as a pipe table, then definitions, notes and
//! data quality as lists (for CI step summaries and wikis).

use std::io::Write;

use anyhow::Result;

use super::{footer_lines, grid, pivot_cells};
use crate::compute::Results;

/// Writes the report as Markdown.
pub fn write(results: &Results, out: &mut dyn Write) -> Result<()> {
    let (header, rows) = pivot_cells(results);
    grid::write_markdown(out, &header, &rows, &footer_lines(results))
}
