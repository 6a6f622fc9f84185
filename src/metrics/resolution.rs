//! Resolution time (SPEC §11): `resolution_median_h` and `resolution_p90_h`, the median
//! and 90th percentile of the resolution time in hours (the `resolution` duration,
//! hours unless `[columns.interactions] units` says otherwise, or `resolved_at −
//! opened_at`), and `resolution_sla_pct` = 100 × count(resolution ≤ target) /
//! count(with a resolution time), target 24 h by default and per priority with
//! `[metrics.resolution] hours = 24, per_priority = { urgent = 4 }` (the `priority`
//! column). A resolution exactly at the target meets it; Wilson interval. A negative
//! resolution time is rejected at input. Quantiles: see [`super::durations`].

use std::collections::BTreeMap;
use std::sync::Arc;

use polars::prelude::*;

use super::MetricSettings;
use super::durations::{
    Duration, DurationQuantile, WithinTarget, duration_kind, joined_quantiles, quantile_aggregations,
};
use super::interaction::{Context, Part};
use crate::input::{FieldRequest, Kind, ValueKind};

/// The column the resolution hours are in (derived by [`part`]).
pub const COLUMN: &str = "resolution_hours";

/// Resolution settings (`[metrics.resolution]`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ResolutionOptions {
    /// The target in hours (default 24).
    pub hours: Option<f64>,
    /// Per-priority targets, by priority value.
    pub per_priority: BTreeMap<String, f64>,
}

impl ResolutionOptions {
    /// The default target.
    pub fn default_hours(&self) -> f64 {
        self.hours.unwrap_or(24.0)
    }
}

/// The resolution fields: a duration, or the time it was resolved.
pub fn fields(options: &MetricSettings) -> Vec<(Kind, FieldRequest)> {
    let field = |field, kind| (Kind::Interactions, FieldRequest { field, kind });
    vec![
        field("resolution", duration_kind(options, "resolution", 3600, 3600)),
        field("resolved_at", ValueKind::MinutesAfterRowDate),
    ]
}

/// The part every resolution KPI shares: [`COLUMN`] from `resolution`, else the hours
/// from the row date to `resolved_at`, with its count and quantiles; the reason when
/// neither column exists.
pub fn part(context: &Context) -> Result<Part, String> {
    // Minutes × (1/60): stated as polars computes a division by a constant, so that the
    // SQL of `servq sql` can repeat it to the last bit.
    let after = || col("resolved_at") * lit(1.0 / 60.0);
    let hours = match ((context.has)("resolution"), (context.has)("resolved_at")) {
        (true, true) => when(col("resolution").is_not_null()).then(col("resolution")).otherwise(after()),
        (true, false) => col("resolution"),
        (false, true) => after(),
        (false, false) => return Err("no resolution or resolved_at column in interactions".to_string()),
    };
    Ok(Part {
        name: "resolution",
        on_values: true,
        prepare: Some(Arc::new(move |frame: LazyFrame| Ok(frame.with_column(hours.clone().alias(COLUMN))))),
        aggregations: quantile_aggregations(COLUMN, "resolution", context.rows),
        joined: joined_quantiles(COLUMN, "resolution", context.rows),
    })
}

/// The definition of the quantiles.
pub fn definition() -> String {
    "resolution_median_h, resolution_p90_h = median and 90th percentile of resolution hours (resolution, or resolved_at − opened_at), linear interpolation (type 7)".to_string()
}

/// The definition of `resolution_sla_pct`.
pub fn sla_definition(options: &ResolutionOptions) -> String {
    let per: Vec<String> = options.per_priority.iter().map(|(p, h)| format!("{p} {h}")).collect();
    let overrides = if per.is_empty() { String::new() } else { format!(" ({})", per.join(", ")) };
    format!(
        "resolution_sla_pct = 100 × count(resolution ≤ {} h{overrides}) / count(interactions with a resolution time); 95% Wilson interval",
        options.default_hours()
    )
}

/// The resolution hours as a duration.
pub const RESOLUTION: Duration =
    Duration { column: COLUMN, prefix: "resolution", mean_part: "resolution.mean", unit_seconds: 3600, fields, part };

/// `resolution_median_h`.
pub const MEDIAN: DurationQuantile = DurationQuantile { duration: RESOLUTION, which: 0, definition };

/// `resolution_p90_h`.
pub const P90: DurationQuantile = DurationQuantile { duration: RESOLUTION, which: 1, definition };

/// `resolution_sla_pct`.
pub const SLA: WithinTarget = WithinTarget {
    duration: RESOLUTION,
    name: "resolution_sla",
    key: "priority",
    section: "[metrics.resolution] per_priority",
    targets: |options| (options.resolution.default_hours(), &options.resolution.per_priority),
    definition: |options| sla_definition(&options.resolution),
};
