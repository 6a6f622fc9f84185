//! The report as an Excel workbook (`-o report.xlsx`, SPEC §14), for managers who get
//! their reports as spreadsheets: a scorecard (the latest figure of each metric and group
//! with its change), the tidy KPIs (the CSV's columns, numbers as numbers, dates as
//! dates), one pivot per metric (periods down, groups across), the cohort matrix when
//! transactions were read, the definitions and the data quality.

use std::io::Write;

use anyhow::{Context, Result};
use chrono::Datelike;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet};

use super::scorecard::latest_figures;
use super::{flags_text, period_bounds, period_label};
use crate::compute::Results;
use crate::metrics::{MetricId, change_p_value};

/// The number format of a metric's values: its decimals.
fn number_format(metric: MetricId) -> Format {
    let decimals = metric.def().decimals;
    let pattern = if decimals == 0 { "0".to_string() } else { format!("0.{}", "0".repeat(decimals)) };
    Format::new().set_num_format(pattern)
}

/// Writes a row of text headers in bold.
fn header(sheet: &mut Worksheet, names: &[&str]) -> Result<()> {
    let bold = Format::new().set_bold();
    for (col, name) in names.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *name, &bold)?;
    }
    Ok(())
}

/// A cell's number, or nothing.
fn number(sheet: &mut Worksheet, row: u32, col: u16, value: Option<f64>, format: &Format) -> Result<()> {
    if let Some(v) = value.filter(|v| v.is_finite()) {
        sheet.write_number_with_format(row, col, v, format)?;
    }
    Ok(())
}

/// A date cell (yyyy-mm-dd), or nothing.
fn date(sheet: &mut Worksheet, row: u32, col: u16, day: Option<chrono::NaiveDate>) -> Result<()> {
    let Some(day) = day else { return Ok(()) };
    let format = Format::new().set_num_format("yyyy-mm-dd");
    let value = ExcelDateTime::from_ymd(day.year() as u16, day.month() as u8, day.day() as u8)?;
    sheet.write_datetime_with_format(row, col, value, &format)?;
    Ok(())
}

/// The scorecard: per metric and group the latest figure and its change.
fn scorecard(sheet: &mut Worksheet, results: &Results) -> Result<()> {
    sheet.set_name("Scorecard")?;
    let mut names = vec!["metric", "name"];
    names.extend(results.by.iter().map(String::as_str));
    names.extend(["period", "value", "change", "p_value", "ci_low", "ci_high", "n", "flags"]);
    header(sheet, &names)?;
    let plain = Format::new();
    for (i, figure) in latest_figures(results).iter().enumerate() {
        let row = i as u32 + 1;
        let format = number_format(figure.metric);
        let e = &figure.latest.estimate;
        sheet.write_string(row, 0, figure.metric.as_str())?;
        sheet.write_string(row, 1, figure.metric.def().title)?;
        let mut col = 2;
        for group in figure.groups {
            sheet.write_string(row, col, group)?;
            col += 1;
        }
        sheet.write_string(row, col, period_label(results, figure.latest))?;
        number(sheet, row, col + 1, e.value, &format)?;
        let change = figure.previous.and_then(|p| Some(e.value? - p.estimate.value?));
        number(sheet, row, col + 2, change, &format)?;
        let p_value = figure.previous.and_then(|p| change_p_value(figure.metric, &p.estimate, e));
        number(sheet, row, col + 3, p_value, &plain)?;
        number(sheet, row, col + 4, e.ci.map(|c| c.0), &format)?;
        number(sheet, row, col + 5, e.ci.map(|c| c.1), &format)?;
        sheet.write_number(row, col + 6, e.n as f64)?;
        sheet.write_string(row, col + 7, flags_text(figure.latest))?;
    }
    sheet.set_column_width(1, 34)?;
    Ok(())
}

/// The tidy KPIs: the CSV's columns, numbers as numbers and dates as dates.
fn kpis(sheet: &mut Worksheet, results: &Results) -> Result<()> {
    sheet.set_name("KPIs")?;
    let mut names = vec!["period", "period_start", "period_end"];
    names.extend(results.by.iter().map(String::as_str));
    names.extend(["metric", "value", "n", "ci_low", "ci_high", "flags"]);
    header(sheet, &names)?;
    for (i, record) in results.records.iter().enumerate() {
        let row = i as u32 + 1;
        let format = number_format(record.metric);
        let bounds = period_bounds(results, record);
        sheet.write_string(row, 0, period_label(results, record))?;
        date(sheet, row, 1, bounds.map(|b| b.0))?;
        date(sheet, row, 2, bounds.map(|b| b.1))?;
        let mut col = 3;
        for group in &record.groups {
            sheet.write_string(row, col, group)?;
            col += 1;
        }
        sheet.write_string(row, col, record.metric.as_str())?;
        number(sheet, row, col + 1, record.estimate.value, &format)?;
        sheet.write_number(row, col + 2, record.estimate.n as f64)?;
        number(sheet, row, col + 3, record.estimate.ci.map(|c| c.0), &format)?;
        number(sheet, row, col + 4, record.estimate.ci.map(|c| c.1), &format)?;
        sheet.write_string(row, col + 5, flags_text(record))?;
    }
    Ok(())
}

/// One sheet per metric: periods down, groups across, the values.
fn pivot(sheet: &mut Worksheet, results: &Results, metric: MetricId) -> Result<()> {
    sheet.set_name(metric.as_str())?;
    let records: Vec<_> = results.records.iter().filter(|r| r.metric == metric).collect();
    let mut groups: Vec<&Vec<String>> = records.iter().map(|r| &r.groups).collect();
    groups.sort();
    groups.dedup();
    let mut periods: Vec<String> = Vec::new();
    for record in &records {
        let label = period_label(results, record);
        if !periods.contains(&label) {
            periods.push(label);
        }
    }
    let bold = Format::new().set_bold();
    sheet.write_string_with_format(0, 0, metric.def().title, &bold)?;
    for (col, group) in groups.iter().enumerate() {
        let name = if group.is_empty() { "all".to_string() } else { group.join(" / ") };
        sheet.write_string_with_format(0, col as u16 + 1, name, &bold)?;
    }
    let format = number_format(metric);
    for (row, period) in periods.iter().enumerate() {
        sheet.write_string(row as u32 + 1, 0, period)?;
        for (col, group) in groups.iter().enumerate() {
            let value = records
                .iter()
                .find(|r| &&r.groups == group && &period_label(results, r) == period)
                .and_then(|r| r.estimate.value);
            number(sheet, row as u32 + 1, col as u16 + 1, value, &format)?;
        }
    }
    sheet.set_column_width(0, 14)?;
    Ok(())
}

/// The cohort matrix: % of each cohort active per period offset.
fn cohorts(sheet: &mut Worksheet, results: &Results) -> Result<bool> {
    let Some(matrix) = &results.cohorts else { return Ok(false) };
    sheet.set_name("Cohorts")?;
    let width = matrix.cohorts.iter().map(|c| c.active.len()).max().unwrap_or(0);
    let mut names = vec!["cohort".to_string(), "customers".to_string()];
    names.extend((0..width).map(|k| format!("+{k}")));
    header(sheet, &names.iter().map(String::as_str).collect::<Vec<_>>())?;
    let percent = Format::new().set_num_format("0.0");
    for (i, cohort) in matrix.cohorts.iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write_string(row, 0, results.period.label(results.period.start_of_index(cohort.index)))?;
        sheet.write_number(row, 1, cohort.customers as f64)?;
        for (k, active) in cohort.active.iter().enumerate() {
            number(sheet, row, k as u16 + 2, crate::metrics::cohorts::pct(*active, cohort.customers), &percent)?;
        }
    }
    Ok(true)
}

/// The definitions, notes and data quality.
fn about(definitions: &mut Worksheet, quality: &mut Worksheet, results: &Results) -> Result<()> {
    definitions.set_name("Definitions")?;
    header(definitions, &["metric", "name", "definition"])?;
    for (i, (metric, text)) in results.definitions.iter().enumerate() {
        let row = i as u32 + 1;
        definitions.write_string(row, 0, metric.as_str())?;
        definitions.write_string(row, 1, metric.def().title)?;
        definitions.write_string(row, 2, text)?;
    }
    definitions.set_column_width(1, 34)?;
    quality.set_name("Data quality")?;
    header(quality, &["line"])?;
    let lines = results.quality.summary_lines().into_iter().chain(results.notes.iter().map(|n| format!("Note: {n}")));
    for (i, line) in lines.enumerate() {
        quality.write_string(i as u32 + 1, 0, line)?;
    }
    Ok(())
}

/// Writes the workbook.
pub fn write(results: &Results, out: &mut dyn Write) -> Result<()> {
    let mut book = Workbook::new();
    scorecard(book.add_worksheet(), results)?;
    kpis(book.add_worksheet(), results)?;
    let mut metrics: Vec<MetricId> = results.records.iter().map(|r| r.metric).collect();
    metrics.sort();
    metrics.dedup();
    for metric in metrics {
        pivot(book.add_worksheet(), results, metric)?;
    }
    let mut sheet = Worksheet::new();
    if cohorts(&mut sheet, results)? {
        book.push_worksheet(sheet);
    }
    let (mut definitions, mut quality) = (Worksheet::new(), Worksheet::new());
    about(&mut definitions, &mut quality, results)?;
    book.push_worksheet(definitions);
    book.push_worksheet(quality);
    let bytes = book.save_to_buffer().context("writing the workbook")?;
    out.write_all(&bytes)?;
    Ok(())
}
