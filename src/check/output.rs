//! Check results in every format: table, GitHub annotations, Markdown, JSON, and
//! JUnit XML (quick-junit).

use std::io::Write;

use anyhow::Result;
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::{CheckResult, Level, Status};
use crate::report::safe::xml;
use crate::report::{grid, human_value};

/// Check output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckFormat {
    /// A terminal table.
    Table,
    /// `::error::` / `::warning::` / `::notice::` workflow commands.
    Github,
    /// A Markdown table (for step summaries).
    Markdown,
    /// JSON.
    Json,
}

fn value_text(r: &CheckResult) -> String {
    r.value.map_or("–".to_string(), |v| human_value(r.metric, v))
}

fn interval_text(r: &CheckResult) -> String {
    r.ci.map_or(String::new(), |(lo, hi)| format!("{} to {}", human_value(r.metric, lo), human_value(r.metric, hi)))
}

fn status_text(r: &CheckResult) -> String {
    match (r.status, r.level) {
        (Status::Fail, Level::Warn) => "warn".to_string(),
        (Status::NoData, Level::Warn) => "warn (no data)".to_string(),
        (status, _) => status.as_str().to_string(),
    }
}

/// One line describing a result, for annotations and JUnit messages.
pub fn sentence(r: &CheckResult) -> String {
    let ci = interval_text(r);
    let ci = if ci.is_empty() { String::new() } else { format!(", 95% CI {ci}") };
    let period = if r.period.is_empty() { String::new() } else { format!(" in {}", r.period) };
    let reason = if r.reason.is_empty() { String::new() } else { format!(": {}", r.reason) };
    format!(
        "{} [{}]{period} for {}: {} = {} (n = {}{ci}){reason}",
        r.check,
        status_text(r),
        r.group_text(),
        r.metric,
        value_text(r),
        r.n
    )
}

/// Escapes a GitHub workflow-command message (`%`, CR, LF).
fn github_escape(text: &str) -> String {
    let text = text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A");
    crate::report::safe::terminal(&text).into_owned()
}

fn rows(results: &[CheckResult]) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let header = vec!["status", "level", "check", "period", "group", "value", "n", "95% CI", "p", "why"];
    let rows = results
        .iter()
        .map(|r| {
            vec![
                status_text(r),
                format!("{:?}", r.level).to_lowercase(),
                r.check.clone(),
                r.period.clone(),
                r.group_text(),
                value_text(r),
                r.n.to_string(),
                interval_text(r),
                r.p_value.map_or(String::new(), |p| format!("{p:.4}")),
                r.reason.clone(),
            ]
        })
        .collect();
    (header, rows)
}

/// Writes the results in `format`, every check including the passing ones.
pub fn render(results: &[CheckResult], format: CheckFormat, out: &mut dyn Write) -> Result<()> {
    match format {
        CheckFormat::Github => {
            for r in results {
                let command = match (r.fails(), r.level) {
                    (true, Level::Error) => "error",
                    (true, Level::Warn) => "warning",
                    _ => "notice",
                };
                writeln!(out, "::{command}::{}", github_escape(&format!("servq check: {}", sentence(r))))?;
            }
        }
        CheckFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &serde_json::json!({ "checks": results }))?;
            writeln!(out)?;
        }
        CheckFormat::Markdown => {
            let (header, rows) = rows(results);
            grid::write_markdown(out, &grid::header(&header), &rows, &[])?;
        }
        CheckFormat::Table => {
            let (header, rows) = rows(results);
            grid::write_table(out, &grid::header(&header), &rows, &[], false)?;
        }
    }
    let failed = results.iter().filter(|r| r.fails_run()).count();
    let warned = results.iter().filter(|r| r.fails() && r.level == Level::Warn).count();
    if format != CheckFormat::Json && format != CheckFormat::Github {
        writeln!(out, "{} checks: {failed} failed, {warned} warnings", results.len())?;
    }
    Ok(())
}

/// Writes JUnit XML: one test case per check and group; an error-level failure is a
/// `<failure>`, insufficient data is `<skipped>`, a warning passes with the warning
/// in its `<system-out>`.
pub fn junit(results: &[CheckResult], out: &mut dyn Write) -> Result<()> {
    let mut suite = TestSuite::new("servq check");
    for r in results {
        let status = match (r.fails(), r.status, r.level) {
            (true, _, Level::Error) => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                let kind = if r.status == Status::NoData { "no data" } else { "threshold" };
                s.set_message(xml(&sentence(r)).into_owned()).set_type(kind);
                s
            }
            (_, Status::InsufficientData, _) => {
                let mut s = TestCaseStatus::skipped();
                s.set_message(xml(&sentence(r)).into_owned());
                s
            }
            _ => TestCaseStatus::success(),
        };
        let name = format!(
            "{} [{}{}]",
            r.check,
            r.period,
            if r.group.is_empty() { String::new() } else { format!(" {}", r.group_text()) }
        );
        // Names are attributes: control characters (a tab too) are written escaped.
        let mut case = TestCase::new(xml(&crate::report::safe::terminal(&name)).into_owned(), status);
        case.set_classname(format!("servq.{}", r.metric));
        if r.fails() && r.level == Level::Warn {
            case.set_system_out(format!("warning: {}", xml(&sentence(r))));
        }
        suite.add_test_case(case);
    }
    let mut report = Report::new("servq");
    report.add_test_suite(suite);
    report.serialize(out)?;
    Ok(())
}
