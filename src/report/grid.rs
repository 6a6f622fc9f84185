//! Writing rows of text cells as a terminal table or a Markdown table, with footer
//! lines: the shape every human-readable output shares.

use std::io::Write;

use anyhow::{Result, bail};
use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Attribute, Cell, ContentArrangement, Table};

use super::safe;

/// Writes a terminal table (bold header when `color`), then each footer line.
pub fn write_table(
    out: &mut dyn Write,
    header: &[String],
    rows: &[Vec<String>],
    footer: &[String],
    color: bool,
) -> Result<()> {
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Disabled);
    if !color {
        table.force_no_tty();
    }
    let style = |text: &String| {
        let cell = Cell::new(safe::terminal(text));
        if color { cell.add_attribute(Attribute::Bold) } else { cell }
    };
    table.set_header(header.iter().map(style));
    for row in rows {
        table.add_row(row.iter().map(|c| safe::terminal(c)));
    }
    writeln!(out, "{table}")?;
    for line in footer {
        writeln!(out, "{}", safe::terminal(line))?;
    }
    Ok(())
}

/// Writes a Markdown pipe table (cells escaped), then the footer lines as a list.
pub fn write_markdown(out: &mut dyn Write, header: &[String], rows: &[Vec<String>], footer: &[String]) -> Result<()> {
    let line = |cells: &[String]| cells.iter().map(|c| safe::markdown(c)).collect::<Vec<_>>().join(" | ");
    writeln!(out, "| {} |", line(header))?;
    writeln!(out, "|{}", " --- |".repeat(header.len()))?;
    for row in rows {
        writeln!(out, "| {} |", line(row))?;
    }
    if !footer.is_empty() {
        writeln!(out)?;
    }
    for text in footer {
        writeln!(out, "- {}", safe::markdown(text))?;
    }
    Ok(())
}

/// The error for `--format html` on a command other than `report`.
pub fn html_is_for_report() -> Result<()> {
    bail!("HTML output is made by servq report and servq complaints only; use --format table, csv, json or markdown")
}

/// Turns string literals into owned header cells.
pub fn header(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| n.to_string()).collect()
}
