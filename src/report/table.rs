//! The terminal table (comfy-table): one row per period and group, one column per
//! metric, and a footer with the legend, definitions, notes and data quality.
//! Colour only when asked (stdout is a terminal and NO_COLOR is unset). On a terminal
//! (`--layout wide`) the metric columns are split into as many tables as it takes for
//! each to fit its width, the period and group columns repeated in each.

use std::io::Write;

use anyhow::Result;

use super::{footer_lines, grid, pivot_cells};
use crate::compute::Results;

/// Writes the report as a terminal table; `color` styles the header.
pub fn write(results: &Results, out: &mut dyn Write, color: bool) -> Result<()> {
    write_fitted(results, out, color, None)
}

/// Writes the report as terminal tables of at most `width` columns each (one table when
/// `None`), then the footer.
pub fn write_fitted(results: &Results, out: &mut dyn Write, color: bool, width: Option<usize>) -> Result<()> {
    let (header, rows) = pivot_cells(results);
    let footer = footer_lines(results);
    if results.records.is_empty() {
        return footer.iter().try_for_each(|line| Ok(writeln!(out, "{line}")?));
    }
    let keys = 1 + results.by.len();
    let parts = column_parts(&header, &rows, keys, width);
    for (k, part) in parts.iter().enumerate() {
        let pick = |cells: &[String]| -> Vec<String> {
            (0..keys).chain(part.iter().copied()).map(|i| cells.get(i).cloned().unwrap_or_default()).collect()
        };
        let rows: Vec<Vec<String>> = rows.iter().map(|r| pick(r)).collect();
        let last = k + 1 == parts.len();
        grid::write_table(out, &pick(&header), &rows, if last { &footer } else { &[] }, color)?;
    }
    Ok(())
}

/// The metric columns of each table: as many as fit `width` beside the `keys` columns
/// (a comfy-table column takes its widest cell plus 3; the table 1 more), at least one.
fn column_parts(header: &[String], rows: &[Vec<String>], keys: usize, width: Option<usize>) -> Vec<Vec<usize>> {
    let widest = |i: usize| {
        let cells = rows.iter().map(|r| r.get(i).map_or(0, |c| c.chars().count()));
        cells.chain([header[i].chars().count()]).max().unwrap_or(0) + 3
    };
    let metrics: Vec<usize> = (keys..header.len()).collect();
    let Some(width) = width else { return vec![metrics] };
    let base = 1 + (0..keys).map(widest).sum::<usize>();
    let mut parts: Vec<Vec<usize>> = vec![Vec::new()];
    let mut used = base;
    for i in metrics {
        let w = widest(i);
        let current = parts.last_mut().expect("one part");
        if !current.is_empty() && used + w > width {
            parts.push(vec![i]);
            used = base + w;
        } else {
            current.push(i);
            used += w;
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_columns_are_split_to_fit_the_width() {
        let header: Vec<String> = ["period", "csat", "nps_promoters_pct", "ces"].map(String::from).to_vec();
        let rows = vec![["2025-01", "75.1 (353)", "50.0 (342)", "78.9 (308)"].map(String::from).to_vec()];
        // period 10, csat 13, nps_promoters_pct 20, ces 13; base 11.
        assert_eq!(column_parts(&header, &rows, 1, Some(44)), vec![vec![1, 2], vec![3]]);
        assert_eq!(column_parts(&header, &rows, 1, Some(80)), vec![vec![1, 2, 3]]);
        // A column wider than the terminal still gets a table of its own.
        assert_eq!(column_parts(&header, &rows, 1, Some(20)), vec![vec![1], vec![2], vec![3]]);
        assert_eq!(column_parts(&header, &rows, 1, None), vec![vec![1, 2, 3]]);
    }
}
