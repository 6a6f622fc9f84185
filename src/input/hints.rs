//! "What you probably meant" (SPEC §2): when most values of a field fail the same
//! way, a hint names the likely cause and the setting that fixes it.

use chrono::{NaiveDate, NaiveDateTime};

use super::quality::{self, DataQuality, FileQuality, thousands};
use super::request::{FieldRequest, ValueKind};

/// Date formats tried on rejected dates: the ones `servq init` guesses from (dates,
/// datetimes, `YYYYMMDD`, day-first before month-first).
use super::guess::DATE_FORMATS;

/// How many rejected dates a suggested format must read.
const SAMPLE: usize = 50;

/// Returns the formats of [`DATE_FORMATS`] that read every one of `samples`.
pub fn date_formats_reading(samples: &[&str]) -> Vec<&'static str> {
    DATE_FORMATS
        .into_iter()
        .filter(|format| {
            !samples.is_empty()
                && samples.iter().all(|s| {
                    NaiveDate::parse_from_str(s.trim(), format).is_ok()
                        || NaiveDateTime::parse_from_str(s.trim(), format).is_ok()
                })
        })
        .collect()
}

/// Adds the hints for one file.
pub fn add_hints(fq: &FileQuality, fields: &[FieldRequest], quality: &mut DataQuality) {
    if let Some(hint) = date_hint(fq, quality) {
        quality.hints.push(hint);
    }
    for req in fields {
        let Some(counts) = fq.fields.get(req.field) else { continue };
        let judged = counts.valid + counts.rejected;
        // A hint when most values fail the same way, counting only that way.
        let decimal_comma: u64 = fq
            .reasons
            .iter()
            .filter(|r| r.field == req.field && r.reason.contains("decimal comma"))
            .map(|r| r.count)
            .sum();
        if decimal_comma * 2 > judged {
            quality.hints.push(format!(
                "{} of {} {} values in {} use a decimal comma (e.g. 12,5): export them with a decimal point",
                thousands(decimal_comma),
                thousands(judged),
                req.field,
                fq.file
            ));
        }
        if let (ValueKind::Score { min, max, .. }, Some((lo, hi))) = (req.kind, counts.out_of_scale)
            && counts.out_of_scale_count * 2 > judged
        {
            let rejected = counts.out_of_scale_count;
            quality.hints.push(scale_hint(req.field, &fq.file, rejected, judged, (min, max), (lo, hi)));
        }
    }
}

fn date_hint(fq: &FileQuality, quality: &DataQuality) -> Option<String> {
    // Only dates that are there but unreadable: a missing date needs a mapping, not a format.
    let reason =
        fq.reasons.iter().filter(|r| r.field == quality::DATE && r.reason != "missing date").max_by_key(|r| r.count)?;
    if reason.count * 2 <= fq.rows_read {
        return None;
    }
    let samples: Vec<&str> = quality
        .rejects
        .iter()
        .filter(|r| r.field == quality::DATE && *r.file == *fq.file && !r.value.trim().is_empty())
        .take(SAMPLE)
        .map(|r| r.value.as_str())
        .collect();
    let formats = date_formats_reading(&samples);
    let suggestion = match formats.as_slice() {
        [] => "set --date-format (e.g. '%d/%m/%Y')".to_string(),
        [one] => format!("set --date-format '{one}' (in servq.toml: [inputs] date_format = \"{one}\")"),
        [first, second, ..] => {
            format!("set --date-format '{first}' or '{second}' (the values read both ways: which is it?)")
        }
    };
    Some(format!(
        "{} of {} dates in {} are rejected as '{}' (e.g. '{}'): {suggestion}",
        thousands(reason.count),
        thousands(fq.rows_read),
        fq.file,
        reason.reason,
        samples.first().copied().unwrap_or("")
    ))
}

fn scale_hint(field: &str, file: &str, rejected: u64, judged: u64, scale: (i32, i32), seen: (i64, i64)) -> String {
    let (lo, hi) = seen;
    let guess = if hi <= 7 && lo >= 1 {
        "1..7"
    } else if hi <= 10 && lo >= 1 {
        "1..10"
    } else if hi <= 10 && lo >= 0 {
        "0..10"
    } else {
        "0..100"
    };
    let setting = if field == "nps" {
        "NPS answers must be 0..10".to_string()
    } else {
        let (a, b) = guess.split_once("..").unwrap_or(("1", "5"));
        format!("set [metrics.{field}] scale = [{a}, {b}]")
    };
    format!(
        "{} of {} {field} values in {file} are outside {}..{} (seen {lo}..{hi}): is the scale {guess}? {setting}",
        thousands(rejected),
        thousands(judged),
        scale.0,
        scale.1
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_first_dates_are_recognised() {
        assert_eq!(date_formats_reading(&["14/03/2025", "01/04/2025"]), ["%d/%m/%Y"]);
        assert_eq!(date_formats_reading(&["03/14/2025"]), ["%m/%d/%Y"]);
        assert_eq!(date_formats_reading(&["01/04/2025"]), ["%d/%m/%Y", "%m/%d/%Y"]);
        assert_eq!(date_formats_reading(&["14.03.2025"]), ["%d.%m.%Y"]);
        assert!(date_formats_reading(&["yesterday"]).is_empty());
        assert!(date_formats_reading(&[]).is_empty());
        // real-files #8: the full datetime format, not a date-only one.
        assert_eq!(date_formats_reading(&["01-06-2023 12:15", "22-03-2021 09:00"]), ["%d-%m-%Y %H:%M"]);
        assert_eq!(date_formats_reading(&["19970101"]), ["%Y%m%d"]);
        assert_eq!(date_formats_reading(&["22-03-2021"]), ["%d-%m-%Y"]);
    }
}
