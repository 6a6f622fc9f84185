//! Tidy CSV, stable for cron jobs and warehouses (SPEC §5):
//! `period,period_start,period_end,<group columns…>,metric,value,n,ci_low,ci_high,flags`.
//! Numbers are written at full precision; missing values are empty.

use std::io::Write;

use anyhow::Result;

use super::{flags_text, period_bounds, period_label};
use crate::compute::Results;

fn number(value: Option<f64>) -> String {
    value.map_or(String::new(), |v| v.to_string())
}

/// Writes the report as tidy CSV.
pub fn write(results: &Results, out: &mut dyn Write) -> Result<()> {
    let mut writer = ::csv::Writer::from_writer(out);
    let mut header = vec!["period", "period_start", "period_end"];
    header.extend(results.by.iter().map(String::as_str));
    header.extend(["metric", "value", "n", "ci_low", "ci_high", "flags"]);
    if results.comparisons.is_some() {
        header.extend(["change", "p_value", "significant"]);
    }
    super::safe::write_csv_record(&mut writer, &header)?;
    for (i, record) in results.records.iter().enumerate() {
        let bounds = period_bounds(results, record);
        let day = |d: Option<chrono::NaiveDate>| d.map_or(String::new(), |d| d.to_string());
        let mut row = vec![period_label(results, record), day(bounds.map(|b| b.0)), day(bounds.map(|b| b.1))];
        row.extend(record.groups.iter().cloned());
        let e = &record.estimate;
        row.extend([
            record.metric.as_str().to_string(),
            number(e.value),
            e.n.to_string(),
            number(e.ci.map(|c| c.0)),
            number(e.ci.map(|c| c.1)),
            flags_text(record),
        ]);
        if let Some(c) = results.comparisons.as_ref().and_then(|all| all.get(i)) {
            row.extend([number(c.change), number(c.p_value), c.significant().map_or(String::new(), |s| s.to_string())]);
        }
        super::safe::write_csv_record(&mut writer, &row)?;
    }
    writer.flush()?;
    Ok(())
}
