//! SLA attainment (SPEC §4): `sla_pct` = 100 × count(first response ≤ sla_minutes) /
//! count(interactions with a response). `sla_minutes` defaults to 10 and can be set
//! per channel. A response exactly at the target meets it. 95% Wilson interval.

use std::collections::BTreeMap;

use super::durations::WithinTarget;
use super::response::RESPONSE;

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

/// The definition as printed in report footers.
pub fn definition(options: &SlaOptions) -> String {
    let per_channel: Vec<String> = options.per_channel.iter().map(|(c, m)| format!("{c} {m}")).collect();
    let overrides = if per_channel.is_empty() { String::new() } else { format!(" ({})", per_channel.join(", ")) };
    format!(
        "sla_pct = 100 × count(first response ≤ {} min{overrides}) / count(interactions with a response); 95% Wilson interval",
        options.default_minutes()
    )
}

/// `sla_pct` on the registry: the first-response minutes within the target, per
/// channel when set.
pub const SLA: WithinTarget = WithinTarget {
    duration: RESPONSE,
    name: "sla",
    key: "channel",
    section: "[metrics.sla] per_channel",
    targets: |options| (options.sla.default_minutes(), &options.sla.per_channel),
    definition: |options| definition(&options.sla),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::durations::{target, within_aggregations, within_estimates};
    use crate::metrics::frame::Rows;
    use crate::metrics::response::COLUMN;
    use polars::prelude::*;

    #[test]
    fn response_exactly_at_the_target_meets_it_and_channels_override() {
        let df = df!("g" => [1; 5], "channel" => [0u32, 0, 1, 1, 1], COLUMN => [Some(10.0), Some(10.5), Some(2.0), Some(3.0), None]).unwrap();
        let options = SlaOptions { minutes: None, per_channel: BTreeMap::from([("chat".to_string(), 2.0)]) };
        let code = |c: &str| if c == "chat" { vec![1] } else { Vec::new() };
        let out = df
            .lazy()
            .group_by([col("g")])
            .agg(within_aggregations(
                COLUMN,
                "sla",
                target(options.default_minutes(), &options.per_channel, "channel", code),
                Rows::Each,
            ))
            .collect()
            .unwrap();
        let e = within_estimates(&out, "sla").unwrap().remove(0);
        // 10.0 meets 10; 10.5 does not; chat 2.0 meets 2, 3.0 does not; no response: not counted
        assert_eq!((e.value, e.n), (Some(50.0), 4));
    }
}
