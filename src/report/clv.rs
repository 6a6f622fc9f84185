//! Output of `servq clv` in every format. Tidy CSV (SPEC §5):
//! `<group columns…>,customers,m,r,d,margin_multiple,clv,horizon,timing` (r and d as
//! fractions).

use std::io::Write;

use anyhow::Result;
use serde_json::{Map, Value, json};

use super::{Document, Format, grid};
use crate::input::DataQuality;
use crate::metrics::clv::{self, ClvOptions};
use crate::period::Period;

/// What `servq clv` prints.
pub struct ClvReport<'a> {
    /// The `--by` columns.
    pub by: &'a [String],
    /// One result per group, with the pooled at-risk count behind r.
    pub rows: Vec<crate::compute::customers::ClvRow>,
    /// The options used.
    pub options: ClvOptions,
    /// The period length (r and d are per period).
    pub period: Period,
    /// The accounting of the input rows.
    pub quality: &'a DataQuality,
}

impl ClvReport<'_> {
    fn horizon(&self) -> String {
        self.options.horizon.map_or("infinite".to_string(), |h| h.to_string())
    }

    fn header(&self) -> Vec<String> {
        let mut header: Vec<String> = self.by.to_vec();
        header.extend(["customers", "m", "r", "d", "margin_multiple", "clv", "horizon", "timing"].map(String::from));
        header
    }

    fn footer(&self) -> Vec<String> {
        let o = &self.options;
        let mut lines = vec![
            format!("Definition: {}.", clv::definition(o)),
            format!(
                "Parameters: period {}, annual discount rate {}, horizon {}, timing {}{}{}{}{}.",
                self.period.as_str(),
                o.annual_discount_rate,
                self.horizon(),
                o.timing.as_str(),
                o.acquisition_cost.map_or(String::new(), |c| format!(", acquisition cost {c}")),
                o.margin_rate.map_or(String::new(), |r| format!(", margin rate {r} of revenue")),
                o.retention.map_or(String::new(), |r| format!(", retention given {r}")),
                o.margin.map_or(String::new(), |m| format!(", margin given {m}")),
            ),
        ];
        lines.extend(self.quality.summary_lines().into_iter().map(|l| format!("Data quality: {l}")));
        lines
    }
}

/// The CLV table in each format.
impl Document for ClvReport<'_> {
    fn table(&self, out: &mut dyn Write, _: bool) -> Result<()> {
        human(self, Format::Table, out)
    }

    fn csv(&self, out: &mut dyn Write) -> Result<()> {
        csv(self, out)
    }

    fn json(&self, out: &mut dyn Write) -> Result<()> {
        json(self, out)
    }

    fn markdown(&self, out: &mut dyn Write) -> Result<()> {
        human(self, Format::Markdown, out)
    }

    fn html(&self, out: &mut dyn Write) -> Result<()> {
        human(self, Format::Html, out)
    }
}

fn csv(report: &ClvReport, out: &mut dyn Write) -> Result<()> {
    let mut writer = ::csv::Writer::from_writer(out);
    super::safe::write_csv_record(&mut writer, report.header())?;
    for (groups, c, _) in &report.rows {
        let mut row = groups.clone();
        row.extend([
            c.customers.to_string(),
            c.m.to_string(),
            c.r.to_string(),
            c.d.to_string(),
            c.margin_multiple.to_string(),
            c.clv.to_string(),
            report.horizon(),
            report.options.timing.as_str().to_string(),
        ]);
        super::safe::write_csv_record(&mut writer, row)?;
    }
    writer.flush()?;
    Ok(())
}

fn json(report: &ClvReport, out: &mut dyn Write) -> Result<()> {
    let rows: Vec<Value> = report
        .rows
        .iter()
        .map(|(groups, c, at_risk)| {
            let mut object = Map::new();
            for (column, value) in report.by.iter().zip(groups) {
                object.insert(column.clone(), json!(value));
            }
            for (k, v) in [("m", c.m), ("r", c.r), ("d", c.d), ("margin_multiple", c.margin_multiple), ("clv", c.clv)] {
                object.insert(k.into(), json!(v));
            }
            object.insert("customers".into(), json!(c.customers));
            object.insert("at_risk".into(), json!(at_risk));
            Value::Object(object)
        })
        .collect();
    let o = &report.options;
    let document = json!({
        "period": report.period.as_str(),
        "rows": rows,
        "parameters": {
            "annual_discount_rate": o.annual_discount_rate,
            "horizon": report.horizon(),
            "timing": o.timing.as_str(),
            "acquisition_cost": o.acquisition_cost,
            "margin_rate": o.margin_rate,
            "retention_override": o.retention,
            "margin_override": o.margin,
        },
        "definition": clv::definition(o),
        "data_quality": report.quality,
    });
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)?;
    Ok(())
}

fn human(report: &ClvReport, format: Format, out: &mut dyn Write) -> Result<()> {
    let header = report.header();
    let rows: Vec<Vec<String>> = report
        .rows
        .iter()
        .map(|(groups, c, _)| {
            let mut row = groups.clone();
            row.extend([
                c.customers.to_string(),
                format!("{:.2}", c.m),
                format!("{:.4}", c.r),
                format!("{:.6}", c.d),
                format!("{:.4}", c.margin_multiple),
                format!("{:.2}", c.clv),
                report.horizon(),
                report.options.timing.as_str().to_string(),
            ]);
            row
        })
        .collect();
    match format {
        Format::Markdown => return grid::write_markdown(out, &header, &rows, &report.footer()),
        Format::Html => {
            let footer = report.footer();
            let page = grid::Page {
                title: "Customer lifetime value",
                header: &header,
                rows: &rows,
                footer: &footer,
                shade: &grid::plain,
            };
            return page.write(out);
        }
        _ => {}
    }
    grid::write_table(out, &header, &rows, &report.footer(), false)
}
