//! Handle time (SPEC §11): `handle_mean_min`, the mean handle time in minutes (the
//! `handle_time` column; aliases `talk_time`, `aht`, `AvgTalkDuration`; minutes unless
//! `[columns.interactions] units` says otherwise, or `H:MM:SS`), with a Student-t 95%
//! interval. A negative handle time is rejected at input. The mean: see
//! [`super::durations`].

use super::MetricSettings;
use super::durations::{Duration, DurationMean, duration_kind};
use super::interaction::{Context, Part};
use crate::input::{FieldRequest, Kind};

/// The handle-time column.
pub const COLUMN: &str = "handle_time";

/// The handle-time field.
pub fn fields(options: &MetricSettings) -> Vec<(Kind, FieldRequest)> {
    vec![(Kind::Interactions, FieldRequest { field: COLUMN, kind: duration_kind(options, COLUMN, 60, 60) })]
}

/// The handle time is read as it is: the part only says whether the column exists.
pub fn part(context: &Context) -> Result<Part, String> {
    if !(context.has)(COLUMN) {
        return Err(
            "no handle_time column in interactions (looked for handle_time, talk_time, aht, AvgTalkDuration; map one with [columns.interactions] handle_time = \"…\")"
                .to_string(),
        );
    }
    Ok(Part { on_values: true, ..Part::counts("handle", Vec::new()) })
}

/// The definition printed with the figures.
pub fn definition() -> String {
    "handle_mean_min = mean handle time in minutes (handle_time), summed exactly in milliseconds; 95% Student-t interval".to_string()
}

/// The handle time as a duration.
pub const HANDLE: Duration =
    Duration { column: COLUMN, prefix: "handle", mean_part: "handle.mean", unit_seconds: 60, fields, part };

/// `handle_mean_min`.
pub const MEAN: DurationMean = DurationMean { duration: HANDLE, definition };
