//! Output of `servq followup` in every format. CSV columns:
//! `date,customer_id,ticket_id,channel,nps,csat,reason,comment`.

use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use super::{Document, grid};

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

/// The follow-up list: its rows, newest first, and the CSAT cut-off that chose them.
pub struct FollowupList<'a> {
    /// The rows.
    pub rows: &'a [FollowupRow],
    /// A CSAT score at or below this is unhappy.
    pub csat_max: i32,
}

impl FollowupList<'_> {
    fn cells(&self) -> Vec<Vec<String>> {
        self.rows.iter().map(|r| r.cells(self.csat_max)).collect()
    }

    fn summary(&self) -> String {
        format!("{} responses to follow up (NPS 0–6, CSAT ≤ {}), newest first", self.rows.len(), self.csat_max)
    }
}

/// The list in each format.
impl Document for FollowupList<'_> {
    fn table(&self, out: &mut dyn Write, _: bool) -> Result<()> {
        grid::write_table(out, &grid::header(&HEADER), &self.cells(), &[self.summary()], false)
    }

    fn csv(&self, out: &mut dyn Write) -> Result<()> {
        let mut writer = ::csv::Writer::from_writer(out);
        writer.write_record(HEADER)?;
        for row in self.cells() {
            super::safe::write_csv_record(&mut writer, row)?;
        }
        writer.flush()?;
        Ok(())
    }

    fn json(&self, out: &mut dyn Write) -> Result<()> {
        let list: Vec<_> = self
            .rows
            .iter()
            .map(|r| {
                let mut v = serde_json::to_value(r).unwrap_or_default();
                v["reason"] = serde_json::json!(r.reason(self.csat_max));
                v
            })
            .collect();
        serde_json::to_writer_pretty(&mut *out, &serde_json::json!({ "followup": list }))?;
        writeln!(out)?;
        Ok(())
    }

    fn markdown(&self, out: &mut dyn Write) -> Result<()> {
        grid::write_markdown(out, &grid::header(&HEADER), &self.cells(), &[])
    }

    fn html(&self, out: &mut dyn Write) -> Result<()> {
        let footer = [self.summary()];
        let (header, rows) = (grid::header(&HEADER), self.cells());
        grid::Page {
            title: "Responses to follow up",
            header: &header,
            rows: &rows,
            footer: &footer,
            shade: &grid::plain,
        }
        .write(out)
    }
}
