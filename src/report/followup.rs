//! Output of `servq followup` in every format. CSV columns:
//! `date,customer_id,ticket_id,channel,nps,csat,reason,comment`.

use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use super::{Format, grid};

/// One response to follow up.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FollowupRow {
    /// When it was submitted (local time, `YYYY-MM-DD HH:MM:SS`).
    pub date: String,
    /// The customer.
    pub customer_id: String,
    /// The ticket it is about.
    pub ticket_id: String,
    /// The channel.
    pub channel: String,
    /// The NPS answer.
    pub nps: Option<i64>,
    /// The CSAT score.
    pub csat: Option<i64>,
    /// The comment.
    pub comment: String,
}

impl FollowupRow {
    /// Why the row is listed: `detractor`, `unhappy csat`, or both.
    pub fn reason(&self, csat_max: i32) -> String {
        let mut reasons = Vec::new();
        if self.nps.is_some_and(|n| n <= 6) {
            reasons.push("detractor");
        }
        if self.csat.is_some_and(|c| c <= i64::from(csat_max)) {
            reasons.push("unhappy csat");
        }
        reasons.join(" + ")
    }

    fn cells(&self, csat_max: i32) -> Vec<String> {
        let number = |v: Option<i64>| v.map_or(String::new(), |v| v.to_string());
        vec![
            self.date.clone(),
            self.customer_id.clone(),
            self.ticket_id.clone(),
            self.channel.clone(),
            number(self.nps),
            number(self.csat),
            self.reason(csat_max),
            self.comment.clone(),
        ]
    }
}

const HEADER: [&str; 8] = ["date", "customer_id", "ticket_id", "channel", "nps", "csat", "reason", "comment"];

/// Writes the list in `format`.
pub fn render(rows: &[FollowupRow], csat_max: i32, format: Format, out: &mut dyn Write) -> Result<()> {
    match format {
        Format::Html => grid::html_is_for_report()?,
        Format::Csv => {
            let mut writer = ::csv::Writer::from_writer(out);
            writer.write_record(HEADER)?;
            for row in rows {
                super::safe::write_csv_record(&mut writer, row.cells(csat_max))?;
            }
            writer.flush()?;
        }
        Format::Json => {
            let list: Vec<_> = rows
                .iter()
                .map(|r| {
                    let mut v = serde_json::to_value(r).unwrap_or_default();
                    v["reason"] = serde_json::json!(r.reason(csat_max));
                    v
                })
                .collect();
            serde_json::to_writer_pretty(&mut *out, &serde_json::json!({ "followup": list }))?;
            writeln!(out)?;
        }
        Format::Markdown => {
            let rows: Vec<Vec<String>> = rows.iter().map(|r| r.cells(csat_max)).collect();
            grid::write_markdown(out, &grid::header(&HEADER), &rows, &[])?;
        }
        Format::Table => {
            let cells: Vec<Vec<String>> = rows.iter().map(|r| r.cells(csat_max)).collect();
            let footer = format!("{} responses to follow up (NPS 0–6, CSAT ≤ {csat_max}), newest first", rows.len());
            grid::write_table(out, &grid::header(&HEADER), &cells, &[footer], false)?;
        }
    }
    Ok(())
}
