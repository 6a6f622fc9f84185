//! JSON: the same records as the CSV (group columns as keys), plus the details of
//! each figure (NPS composition, se), the definitions, notes and data quality.

use std::io::Write;

use anyhow::Result;
use serde_json::{Map, Value, json};

use super::{period_bounds, period_label};
use crate::compute::{Record, Results};

fn record_json(results: &Results, record: &Record) -> Value {
    let bounds = period_bounds(results, record);
    let e = &record.estimate;
    let mut object = Map::new();
    object.insert("period".into(), json!(period_label(results, record)));
    object.insert("period_start".into(), json!(bounds.map(|b| b.0.to_string())));
    object.insert("period_end".into(), json!(bounds.map(|b| b.1.to_string())));
    for (column, value) in results.by.iter().zip(&record.groups) {
        object.insert(column.clone(), json!(value));
    }
    object.insert("metric".into(), json!(record.metric.as_str()));
    object.insert("value".into(), json!(e.value));
    object.insert("n".into(), json!(e.n));
    object.insert("ci_low".into(), json!(e.ci.map(|c| c.0)));
    object.insert("ci_high".into(), json!(e.ci.map(|c| c.1)));
    object.insert("flags".into(), json!(record.flags));
    let details: Map<String, Value> = e.details.iter().map(|(k, v)| (k.to_string(), detail_json(*v))).collect();
    object.insert("details".into(), Value::Object(details));
    Value::Object(object)
}

/// A detail as JSON: whole numbers (counts such as `promoters`) as integers.
fn detail_json(value: f64) -> Value {
    if value.fract() == 0.0 && value.abs() < 9.0e15 { json!(value as i64) } else { json!(value) }
}

/// Writes the report as JSON.
pub fn write(results: &Results, out: &mut dyn Write) -> Result<()> {
    let definitions: Map<String, Value> =
        results.definitions.iter().map(|(m, text)| (m.as_str().to_string(), json!(text))).collect();
    let document = json!({
        "period": results.period.as_str(),
        "by": results.by,
        "as_of": results.as_of.map(|d| d.to_string()),
        "min_n": results.min_n,
        "records": results
            .records
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let mut value = record_json(results, r);
                if let Some(c) = results.comparisons.as_ref().and_then(|all| all.get(i)) {
                    value["change"] = json!(c.change);
                    value["p_value"] = json!(c.p_value);
                    value["significant"] = json!(c.significant());
                }
                value
            })
            .collect::<Vec<_>>(),
        "definitions": definitions,
        "notes": results.notes,
        "data_quality": results.quality,
    });
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)?;
    Ok(())
}
