//! SLA attainment (SPEC §4): `sla_pct` = 100 × count(first response ≤ sla_minutes) /
//! count(interactions with a response). `sla_minutes` defaults to 10 and can be set
//! per channel. A response exactly at the target meets it. 95% Wilson interval.

use std::collections::BTreeMap;

use polars::prelude::*;

use super::frame::{Rows, counts};
use super::interaction::{Context, InteractionKpi, Part, Plan, values_seen};
use super::response::{self, COLUMN};
use super::{Estimate, MetricSettings, share};
use crate::input::{FieldRequest, Kind, ValueKind};

/// SLA settings (`[metrics.sla]`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SlaOptions {
    /// The target in minutes (default 10).
    pub minutes: Option<f64>,
    /// Per-channel targets, by channel value.
    pub per_channel: BTreeMap<String, f64>,
}

impl SlaOptions {
    /// The default target.
    pub fn default_minutes(&self) -> f64 {
        self.minutes.unwrap_or(10.0)
    }
}

/// The per-row target: the channel's own when one is set, else the default.
/// `channel_code` maps a channel value to its code in the `channel` column.
pub fn target(options: &SlaOptions, channel_code: impl Fn(&str) -> Option<u32>) -> Expr {
    let mut target = lit(options.default_minutes());
    for (channel, minutes) in &options.per_channel {
        if let Some(code) = channel_code(channel) {
            target = when(col("channel").eq(lit(code))).then(lit(*minutes)).otherwise(target);
        }
    }
    target
}

/// The aggregations: `sla.n` (responses) and `sla.good` (within the target).
pub fn aggregations(target: Expr, rows: Rows) -> Vec<Expr> {
    vec![rows.count_valid(COLUMN, "sla.n"), rows.count_true(col(COLUMN).lt_eq(target), "sla.good")]
}

/// Reads the estimates of every row of an aggregated frame.
pub fn estimates(df: &DataFrame) -> PolarsResult<Vec<Estimate>> {
    let n = counts(df, "sla.n")?;
    let good = counts(df, "sla.good")?;
    Ok((0..n.len()).map(|i| share::percent_good(good[i], n[i])).collect())
}

/// The definition as printed in report footers.
pub fn definition(options: &SlaOptions) -> String {
    let per_channel: Vec<String> = options.per_channel.iter().map(|(c, m)| format!("{c} {m}")).collect();
    let overrides = if per_channel.is_empty() { String::new() } else { format!(" ({})", per_channel.join(", ")) };
    format!(
        "sla_pct = 100 × count(first response ≤ {} min{overrides}) / count(interactions with a response); 95% Wilson interval",
        options.default_minutes()
    )
}

/// `sla_pct` on the registry.
#[derive(Debug)]
pub struct Sla;

impl InteractionKpi for Sla {
    fn fields(&self, options: &MetricSettings, _: bool) -> Vec<(Kind, FieldRequest)> {
        let mut fields = response::fields();
        if !options.sla.per_channel.is_empty() {
            fields.push((Kind::Interactions, FieldRequest { field: "channel", kind: ValueKind::Key }));
        }
        fields
    }

    fn plan(&self, context: &Context) -> Result<Plan, String> {
        let options = &context.options.sla;
        let channels = context.dictionaries.get("channel");
        // A per-channel target that matches no channel is said, never silently dropped.
        let notes = options
            .per_channel
            .keys()
            .filter(|key| channels.and_then(|d| d.lookup(key)).is_none())
            .map(|key| {
                format!(
                    "[metrics.sla] per_channel: '{key}' matches no channel (values seen: {}); its target is not used",
                    values_seen(context.dictionaries, "channel")
                )
            })
            .collect();
        let target = target(options, |c| channels.and_then(|d| d.lookup(c)));
        let sla = Part { on_values: true, ..Part::counts("sla", aggregations(target, context.rows)) };
        Ok(Plan { parts: vec![response::part(context)?, sla], definition: definition(options), notes })
    }

    fn estimates(&self, df: &DataFrame) -> PolarsResult<Vec<Estimate>> {
        estimates(df)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_exactly_at_the_target_meets_it_and_channels_override() {
        let df = df!("g" => [1; 5], "channel" => [0u32, 0, 1, 1, 1], COLUMN => [Some(10.0), Some(10.5), Some(2.0), Some(3.0), None]).unwrap();
        let options = SlaOptions { minutes: None, per_channel: BTreeMap::from([("chat".to_string(), 2.0)]) };
        let code = |c: &str| (c == "chat").then_some(1);
        let out =
            df.lazy().group_by([col("g")]).agg(aggregations(target(&options, code), Rows::Each)).collect().unwrap();
        let e = estimates(&out).unwrap().remove(0);
        // 10.0 meets 10; 10.5 does not; chat 2.0 meets 2, 3.0 does not; no response: not counted
        assert_eq!((e.value, e.n), (Some(50.0), 4));
    }
}
