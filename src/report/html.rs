//! HTML: one self-contained file (no script, no external URL): KPI tiles with the
//! change against the previous period, an SVG trend chart per KPI, NPS composition
//! bars, response-time bars, the cohort heatmap, definitions and data quality.
//! Readable printed and on a phone (a fluid grid, SVGs scale to the width).

use std::collections::BTreeMap;
use std::io::Write;

use anyhow::Result;
use chrono::NaiveDate;
use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::human_value;
use crate::compute::{Flag, Record, Results};
use crate::metrics::MetricId;
use crate::metrics::cohorts::pct;
use crate::metrics::registry::ChangeTest;

const CSS: &str = r#"
:root { --fg: #1f2937; --muted: #6b7280; --line: #e5e7eb; --good: #15803d; --bad: #b91c1c; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "PingFang SC", sans-serif; color: var(--fg); margin: 0 auto; max-width: 1100px; padding: 1rem; line-height: 1.4; }
h1 { font-size: 1.6rem; margin: 0.2rem 0; } h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid var(--line); padding-bottom: 0.3rem; }
.meta, .note { color: var(--muted); font-size: 0.9rem; }
.tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 0.8rem; }
.tile { border: 1px solid var(--line); border-radius: 8px; padding: 0.7rem; break-inside: avoid; }
.tile .name { font-size: 0.8rem; color: var(--muted); }
.tile .value { font-size: 1.7rem; font-weight: 600; }
.tile .group { font-size: 0.9rem; }
.up { color: var(--good); } .down { color: var(--bad); } .flat { color: var(--muted); }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr)); gap: 1rem; }
figure { margin: 0; border: 1px solid var(--line); border-radius: 8px; padding: 0.5rem; break-inside: avoid; }
figcaption { font-weight: 600; font-size: 0.9rem; }
svg { width: 100%; height: auto; display: block; }
svg text { font-size: 11px; fill: var(--muted); }
.legend span { display: inline-block; margin-right: 0.8rem; font-size: 0.8rem; }
.legend i { display: inline-block; width: 0.8rem; height: 0.8rem; margin-right: 0.25rem; vertical-align: middle; }
.legend i.band { background: rgba(37, 99, 235, 0.2); } .legend i.target { height: 0; border-top: 2px dashed #b91c1c; }
svg text.axis { font-size: 11px; fill: var(--fg); }
table { border-collapse: collapse; font-size: 0.85rem; }
.scroll { overflow-x: auto; }
td, th { border: 1px solid var(--line); padding: 0.25rem 0.45rem; text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
dt { font-weight: 600; } dd { margin: 0 0 0.6rem 0; color: var(--muted); }
@media print { body { max-width: none; } h2 { break-after: avoid; } }
"#;

/// Groups shown on a tile.
const TILE_GROUPS: usize = 6;

const PALETTE: [&str; 8] = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#4d7c0f", "#be185d"];

/// The records of one metric, by group, in period order.
fn series(results: &Results, metric: MetricId) -> BTreeMap<Vec<String>, Vec<&Record>> {
    let mut out: BTreeMap<Vec<String>, Vec<&Record>> = BTreeMap::new();
    for r in results.records.iter().filter(|r| r.metric == metric) {
        out.entry(r.groups.clone()).or_default().push(r);
    }
    out
}

fn metrics_in(results: &Results) -> Vec<MetricId> {
    let mut metrics: Vec<MetricId> = results.records.iter().map(|r| r.metric).collect();
    metrics.sort();
    metrics.dedup();
    metrics
}

fn group_name(results: &Results, groups: &[String]) -> String {
    if groups.is_empty() {
        return "all".to_string();
    }
    results.by.iter().zip(groups).map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(", ")
}

/// The latest complete record of a series, and the one before it.
fn latest_pair<'a>(records: &[&'a Record]) -> (Option<&'a Record>, Option<&'a Record>) {
    let complete: Vec<&&Record> =
        records.iter().filter(|r| !r.flags.contains(&Flag::Partial) && r.estimate.value.is_some()).collect();
    let last = complete.last().map(|r| **r).or_else(|| records.last().copied());
    let previous = last.and_then(|l| complete.iter().rev().find(|r| r.period_start < l.period_start).map(|r| **r));
    (last, previous)
}

/// Returns true if and only if a fall of the metric is an improvement.
fn tile(results: &Results, metric: MetricId, checks: &BTreeMap<(MetricId, Vec<String>), String>) -> Markup {
    let series = series(results, metric);
    html! {
        div.tile {
            div.name { (metric.def().title) }
            @if series.len() > TILE_GROUPS {
                div.note { (TILE_GROUPS) " of " (series.len()) " groups shown; every group is in the CSV and the trend chart" }
            }
            @for (groups, records) in series.iter().take(TILE_GROUPS) {
                @let (last, previous) = latest_pair(records);
                @if let Some(last) = last {
                    div.group {
                        @if !groups.is_empty() { span.note { (group_name(results, groups)) ": " } }
                        span.value { (last.estimate.value.map_or("–".to_string(), |v| human_value(metric, v))) }
                        " "
                        @if let (Some(v), Some(p)) = (last.estimate.value, previous.and_then(|p| p.estimate.value)) {
                            @let decimals = metric.def().decimals;
                            @let shown = format!("{:+.decimals$}", v - p);
                            // A change that rounds to nothing is shown as none.
                            @let change = shown.parse::<f64>().unwrap_or(0.0);
                            @let better = if metric.lower_is_better() { -change } else { change };
                            @let class = if better > 0.0 { "up" } else if better < 0.0 { "down" } else { "flat" };
                            @if change == 0.0 {
                                span.flat { "= " (format!("{:.decimals$}", 0.0)) }
                            } @else {
                                span class=(class) { (if change > 0.0 { "▲ " } else { "▼ " }) (shown) }
                            }
                        }
                        @if let Some(c) = comparison(results, last) {
                            div.note {
                                "compared: " (c.change.map_or("–".to_string(), |d| format!("{d:+.1}")))
                                @if let Some(p) = c.p_value { ", p = " (format!("{p:.3}")) @if p < 0.05 { " *" } }
                            }
                        }
                        div.note {
                            (super::period_label(results, last)) " · n = " (last.estimate.n)
                            @if let Some(mark) = checks.get(&(metric, groups.clone())) {
                                " · check "
                                span class=(if mark == "pass" { "up" } else if mark == "n/a" { "flat" } else { "down" }) { (mark) }
                            }
                            @if last.flags.contains(&crate::compute::Flag::Rejected) {
                                span.down { " · suspect data: over 5% of its values rejected" }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The `--compare` result of a record (SPEC §14), when the report was compared.
fn comparison(results: &Results, record: &Record) -> Option<crate::compute::Comparison> {
    let all = results.comparisons.as_ref()?;
    let i = results.records.iter().position(|r| std::ptr::eq(r, record))?;
    all.get(i).copied().filter(|c| c.change.is_some() || c.p_value.is_some())
}

/// A `[[check]]` bound drawn on a metric's trend chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// The metric checked.
    pub metric: MetricId,
    /// The bound.
    pub value: f64,
    /// What it says: `min 80 (error)`, `ci_low ≥ 70 (warn), channel=chat`.
    pub label: String,
}

/// A round step for about four intervals over `span`: 1, 2 or 5 × 10^k.
fn tick_step(span: f64) -> f64 {
    let raw = (span / 4.0).max(f64::MIN_POSITIVE);
    let magnitude = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * magnitude).find(|step| *step >= raw).unwrap_or(10.0 * magnitude)
}

/// The y range of a chart: its values, its check targets, and the intervals of figures
/// that are not low-confidence (a huge interval on n = 3 would flatten the lines; when
/// every figure is low-confidence, theirs); shares stay within 0–100, NPS within ±100.
fn y_range(metric: MetricId, records: &[&Record], targets: &[&Target]) -> (f64, f64) {
    let mut seen: Vec<f64> = records.iter().filter_map(|r| r.estimate.value).collect();
    // The intervals of low-confidence figures only when no other figure has one.
    let confident = records.iter().any(|r| r.estimate.ci.is_some() && !r.flags.contains(&Flag::LowN));
    for r in records.iter().filter(|r| !confident || !r.flags.contains(&Flag::LowN)) {
        if let Some((lo, hi)) = r.estimate.ci {
            seen.extend([lo, hi]);
        }
    }
    seen.extend(targets.iter().map(|t| t.value));
    let (mut lo, mut hi) = seen.iter().fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
    if seen.is_empty() {
        (lo, hi) = (0.0, 1.0);
    }
    if hi - lo < 1e-9 {
        (lo, hi) = (lo - 1.0, hi + 1.0);
    }
    let pad = 0.05 * (hi - lo);
    (lo, hi) = (lo - pad, hi + pad);
    match metric.def().change_test {
        ChangeTest::Proportion => (lo, hi) = (lo.max(0.0), hi.min(100.0)),
        ChangeTest::Nps => (lo, hi) = (lo.max(-100.0), hi.min(100.0)),
        _ => {}
    }
    (lo, hi)
}

/// Runs of consecutive records that have an interval (a band is broken where one has none).
fn interval_runs<'a>(records: &[&'a Record]) -> Vec<Vec<&'a Record>> {
    let mut runs: Vec<Vec<&Record>> = vec![Vec::new()];
    for r in records {
        match r.estimate.ci {
            Some(_) => runs.last_mut().expect("one run").push(r),
            None => runs.push(Vec::new()),
        }
    }
    runs.into_iter().filter(|run| !run.is_empty()).collect()
}

/// A line chart of one metric: one line per group (at most eight) with its 95% interval
/// as a band, `[[check]]` targets as dashed lines, periods on x and the unit on y.
fn trend(results: &Results, metric: MetricId, targets: &[&Target]) -> Markup {
    let series = series(results, metric);
    let mut periods: Vec<NaiveDate> = series.values().flatten().map(|r| r.period_start).collect();
    periods.sort();
    periods.dedup();
    let labels: BTreeMap<NaiveDate, String> =
        series.values().flatten().map(|r| (r.period_start, super::period_label(results, r))).collect();
    let all: Vec<&Record> = series.values().flatten().copied().collect();
    let (lo, hi) = y_range(metric, &all, targets);
    let (w, h, left, right, bottom, top) = (600.0, 240.0, 62.0, 10.0, 28.0, 10.0);
    let x = |i: usize| {
        left + (w - left - right) * if periods.len() > 1 { i as f64 / (periods.len() - 1) as f64 } else { 0.5 }
    };
    let y = |v: f64| top + (h - top - bottom) * (1.0 - (v - lo) / (hi - lo));
    let index = |d: NaiveDate| periods.iter().position(|p| *p == d).unwrap_or(0);
    let step = tick_step(hi - lo);
    let ticks: Vec<f64> =
        (((lo / step).ceil() as i64)..=((hi / step).floor() as i64)).map(|k| k as f64 * step).collect();
    let every = periods.len().div_ceil(7).max(1);
    let clip = format!("plot-{}", metric.as_str());
    let unit = metric.def().unit();
    let point = |r: &Record, v: f64| format!("{:.1},{:.1}", x(index(r.period_start)), y(v));
    html! {
        figure {
            figcaption { (metric.def().title) " " span.note { "(" (metric.as_str()) ")" } }
            svg viewBox=(format!("0 0 {w} {h}")) role="img" aria-label=(format!("{} by period", metric.def().title)) {
                defs { clipPath id=(clip) { rect x=(left) y=(top) width=(w - left - right) height=(h - top - bottom) {} } }
                @for t in &ticks {
                    line.grid x1=(left) y1=(format!("{:.1}", y(*t))) x2=(w - right) y2=(format!("{:.1}", y(*t))) stroke="#e5e7eb" {}
                    text x=(left - 4.0) y=(format!("{:.1}", y(*t) + 4.0)) text-anchor="end" { (tick_label(*t, step)) }
                }
                text.axis x="12" y=(format!("{:.1}", (top + h - bottom) / 2.0)) text-anchor="middle" transform=(format!("rotate(-90 12 {:.1})", (top + h - bottom) / 2.0)) { (unit) }
                @for (i, d) in periods.iter().enumerate() {
                    // Counted back from the latest period, which is always labelled.
                    @if (periods.len() - 1 - i).is_multiple_of(every) {
                        // The first and last labels end at the plot's edges, never past the figure.
                        @let anchor = if periods.len() > 1 && i == 0 { "start" } else if periods.len() > 1 && i + 1 == periods.len() { "end" } else { "middle" };
                        text x=(format!("{:.1}", x(i))) y=(h - 8.0) text-anchor=(anchor) { (labels.get(d).cloned().unwrap_or_default()) }
                    }
                }
                @for (k, records) in series.values().take(PALETTE.len()).enumerate() {
                    @for run in interval_runs(records) {
                        @let upper = run.iter().filter_map(|r| r.estimate.ci.map(|c| point(r, c.1)));
                        @let lower = run.iter().rev().filter_map(|r| r.estimate.ci.map(|c| point(r, c.0)));
                        @let outline: Vec<String> = upper.chain(lower).collect();
                        @if run.len() == 1 {
                            @let r = run[0];
                            @let (a, b) = r.estimate.ci.unwrap_or_default();
                            line.band x1=(format!("{:.1}", x(index(r.period_start)))) y1=(format!("{:.1}", y(a))) x2=(format!("{:.1}", x(index(r.period_start)))) y2=(format!("{:.1}", y(b))) stroke=(PALETTE[k]) stroke-opacity="0.35" stroke-width="6" clip-path=(format!("url(#{clip})")) {}
                        } @else {
                            polygon.band points=(outline.join(" ")) fill=(PALETTE[k]) fill-opacity="0.13" clip-path=(format!("url(#{clip})")) {}
                        }
                    }
                }
                @for t in targets.iter().filter(|t| (lo..=hi).contains(&t.value)) {
                    line.target x1=(left) y1=(format!("{:.1}", y(t.value))) x2=(w - right) y2=(format!("{:.1}", y(t.value))) stroke="#b91c1c" stroke-width="1.5" stroke-dasharray="6 4" {
                        title { "[[check]] " (t.label) }
                    }
                    text.target x=(w - right - 2.0) y=(format!("{:.1}", y(t.value) - 4.0)) text-anchor="end" fill="#b91c1c" { "target " (t.label) }
                }
                @for (k, (groups, records)) in series.iter().take(PALETTE.len()).enumerate() {
                    @let points: Vec<String> = records.iter().filter_map(|r| r.estimate.value.map(|v| point(r, v))).collect();
                    polyline points=(points.join(" ")) fill="none" stroke=(PALETTE[k]) stroke-width="2" clip-path=(format!("url(#{clip})")) {}
                    @for r in records {
                        @if let Some(v) = r.estimate.value {
                            // A partial period (not over at as-of) is a hollow point.
                            @let partial = r.flags.contains(&Flag::Partial);
                            circle cx=(format!("{:.1}", x(index(r.period_start)))) cy=(format!("{:.1}", y(v))) r="3" fill=(if partial { "#ffffff" } else { PALETTE[k] }) stroke=(PALETTE[k]) {
                                title {
                                    (group_name(results, groups)) " " (super::period_label(results, r)) ": " (human_value(metric, v))
                                    @if let Some((a, b)) = r.estimate.ci { " (95% CI " (human_value(metric, a)) "–" (human_value(metric, b)) ")" }
                                    " n = " (r.estimate.n)
                                    @if partial { " (partial: the period was not over)" }
                                    @if let Some(c) = comparison(results, r) {
                                        " · compared: " (c.change.map_or("–".to_string(), |d| format!("{d:+.2}")))
                                        @if let Some(p) = c.p_value { ", p = " (format!("{p:.3}")) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            div.legend {
                @if series.len() > PALETTE.len() {
                    span.note { (PALETTE.len()) " of " (series.len()) " groups drawn (the CSV has every group): " }
                }
                @for t in targets.iter().filter(|t| t.value < lo || t.value > hi) {
                    span.note { "target " (t.label) " is off the chart" }
                }
                @if series.len() > 1 {
                    @for (k, groups) in series.keys().take(PALETTE.len()).enumerate() {
                        span { i style=(format!("background:{}", PALETTE[k])) {} (group_name(results, groups)) }
                    }
                }
                @if all.iter().any(|r| r.estimate.ci.is_some()) { span { i.band {} "95% interval" } }
                @if all.iter().any(|r| r.flags.contains(&Flag::Partial)) { span { "○ partial period" } }
                @if !targets.is_empty() { span { i.target {} "check target" } }
            }
        }
    }
}

/// A tick value with as many decimals as its step needs.
fn tick_label(value: f64, step: f64) -> String {
    let decimals = if step >= 1.0 { 0 } else { (-step.log10().floor()) as usize };
    format!("{value:.decimals$}")
}

/// Stacked bars of promoters / passives / detractors per period (first group).
fn nps_composition(results: &Results) -> Option<Markup> {
    let series = series(results, MetricId::Nps);
    let (groups, records) = series.iter().next()?;
    let rows: Vec<(&Record, f64, f64, f64)> = records
        .iter()
        .filter(|r| r.estimate.n > 0)
        .map(|r| {
            // Weighted figures (SPEC §14) are drawn with their weighted shares.
            let e = &r.estimate;
            match (e.detail("sum_w"), e.detail("promoters_w"), e.detail("detractors_w")) {
                (Some(w), Some(p), Some(d)) if w > 0.0 => {
                    let (p, d) = (100.0 * p / w, 100.0 * d / w);
                    (*r, p, 100.0 - p - d, d)
                }
                _ => {
                    let share = |k: &str| 100.0 * e.detail(k).unwrap_or(0.0) / e.n as f64;
                    (*r, share("promoters"), share("passives"), share("detractors"))
                }
            }
        })
        .collect();
    let h = 22.0 * rows.len() as f64 + 10.0;
    Some(html! {
        figure {
            figcaption { "NPS composition (" (group_name(results, groups)) ")" }
            svg viewBox=(format!("0 0 600 {h}")) role="img" aria-label="NPS composition by period" {
                @for (i, (r, p, pa, d)) in rows.iter().enumerate() {
                    @let y = 5.0 + 22.0 * i as f64;
                    text x="0" y=(y + 13.0) { (super::period_label(results, r)) }
                    rect x="80" y=(y) width=(format!("{:.1}", 5.0 * d)) height="16" fill="#dc2626" { title { "detractors " (format!("{d:.1}")) "%" } }
                    rect x=(format!("{:.1}", 80.0 + 5.0 * d)) y=(y) width=(format!("{:.1}", 5.0 * pa)) height="16" fill="#9ca3af" { title { "passives " (format!("{pa:.1}")) "%" } }
                    rect x=(format!("{:.1}", 80.0 + 5.0 * (d + pa))) y=(y) width=(format!("{:.1}", 5.0 * p)) height="16" fill="#16a34a" { title { "promoters " (format!("{p:.1}")) "%" } }
                }
            }
            div.legend { span { i style="background:#dc2626" {} "detractors 0–6" } span { i style="background:#9ca3af" {} "passives 7–8" } span { i style="background:#16a34a" {} "promoters 9–10" } }
        }
    })
}

/// Median and p90 first-response minutes per period (first group), as bars.
fn response_bars(results: &Results) -> Option<Markup> {
    let medians = series(results, MetricId::ResponseMedianMin);
    let p90s = series(results, MetricId::ResponseP90Min);
    let (groups, median) = medians.iter().next()?;
    let p90 = p90s.get(groups)?;
    let top = p90.iter().filter_map(|r| r.estimate.value).fold(1.0_f64, f64::max);
    let h = 22.0 * median.len() as f64 + 10.0;
    Some(html! {
        figure {
            figcaption { "First-response minutes: median and p90 (" (group_name(results, groups)) ")" }
            svg viewBox=(format!("0 0 600 {h}")) role="img" aria-label="response time distribution by period" {
                @for (i, (m, p)) in median.iter().zip(p90.iter()).enumerate() {
                    @let y = 5.0 + 22.0 * i as f64;
                    @let (mv, pv) = (m.estimate.value.unwrap_or(0.0), p.estimate.value.unwrap_or(0.0));
                    text x="0" y=(y + 13.0) { (super::period_label(results, m)) }
                    rect x="80" y=(y) width=(format!("{:.1}", 420.0 * pv / top)) height="16" fill="#bfdbfe" { title { "p90 " (format!("{pv:.1}")) " min" } }
                    rect x="80" y=(y) width=(format!("{:.1}", 420.0 * mv / top)) height="16" fill="#2563eb" { title { "median " (format!("{mv:.1}")) " min" } }
                    text x=(format!("{:.1}", 84.0 + 420.0 * pv / top)) y=(y + 13.0) { (format!("{mv:.1} / {pv:.1}")) }
                }
            }
        }
    })
}

/// The SERVQUAL gaps of the latest complete period (first group): per dimension the mean
/// expectation and perception of its respondents as bars on the item scale, and the gap
/// with its interval.
fn servqual_chart(results: &Results) -> Option<Markup> {
    let gaps = [
        MetricId::ServqualGapTangibles,
        MetricId::ServqualGapReliability,
        MetricId::ServqualGapResponsiveness,
        MetricId::ServqualGapAssurance,
        MetricId::ServqualGapEmpathy,
    ];
    // One cell for every dimension: the latest complete period of the first group that
    // has a gap at all; a dimension without a figure there is left out of the chart.
    let (groups, last) = gaps.iter().find_map(|m| {
        let series = series(results, *m);
        let (groups, records) = series.into_iter().next()?;
        let (last, _) = latest_pair(&records);
        Some((groups, last?.period_start))
    })?;
    let groups_count = series(results, MetricId::ServqualGap).len().max(series(results, gaps[0]).len());
    let mut rows = Vec::new();
    for metric in gaps {
        let Some(record) =
            results.records.iter().find(|r| r.metric == metric && r.period_start == last && r.groups == groups)
        else {
            continue;
        };
        let (Some(e), Some(p), Some(gap)) =
            (record.estimate.detail("expectation"), record.estimate.detail("perception"), record.estimate.value)
        else {
            continue;
        };
        let name = metric.as_str().trim_start_matches("servqual_gap_").to_string();
        rows.push((name, e, p, gap, record.estimate.ci, record.estimate.n));
    }
    let mut label = format!("{} · {}", results.period.label(last), group_name(results, &groups));
    if groups_count > 1 {
        label.push_str(&format!("; the first of {groups_count} groups, every group is in the CSV"));
    }
    if rows.is_empty() {
        return None;
    }
    // Bars from 0 to 7 (the default 1–7 items) over 420 units, after a 110-unit label.
    let top = rows.iter().map(|r| r.1.max(r.2)).fold(7.0_f64, f64::max);
    let x = |v: f64| 110.0 + 280.0 * v / top;
    let h = 34.0 * rows.len() as f64 + 10.0;
    Some(html! {
        figure style="max-width: 760px" {
            figcaption { "SERVQUAL: expectation vs perception by dimension (" (label) ")" }
            svg viewBox=(format!("0 0 600 {h}")) role="img" aria-label="SERVQUAL expectation and perception by dimension" {
                @for (i, (name, e, p, gap, ci, n)) in rows.iter().enumerate() {
                    @let y = 5.0 + 34.0 * i as f64;
                    text x="0" y=(y + 17.0) { (name) }
                    rect.expectation x="110" y=(y) width=(format!("{:.1}", x(*e) - 110.0)) height="13" fill="#9ca3af" { title { "expectation " (format!("{e:.2}")) } }
                    rect.perception x="110" y=(y + 14.0) width=(format!("{:.1}", x(*p) - 110.0)) height="13" fill="#2563eb" { title { "perception " (format!("{p:.2}")) } }
                    text x=(format!("{:.1}", x(e.max(*p)) + 6.0)) y=(y + 17.0) class=(if *gap < 0.0 { "down" } else { "up" }) {
                        "gap " (format!("{gap:+.2}"))
                        @if let Some((lo, hi)) = ci { " (" (format!("{lo:+.2}")) " to " (format!("{hi:+.2}")) ")" }
                        " n = " (n)
                    }
                }
            }
            div.legend { span { i style="background:#9ca3af" {} "expectation (mean of E items)" } span { i style="background:#2563eb" {} "perception (mean of P items)" } }
        }
    })
}

fn heatmap(results: &Results) -> Option<Markup> {
    let matrix = results.cohorts.as_ref()?;
    let width = matrix.summary.len();
    Some(html! {
        div.scroll {
            table {
                tr { th { "cohort" } th { "customers" } @for j in 0..width { th { "+" (j) } } }
                @for c in &matrix.cohorts {
                    tr {
                        td { (results.period.label(results.period.start_of_index(c.index))) }
                        td { (c.customers) }
                        @for j in 0..width {
                            @match c.active.get(j).and_then(|&a| pct(a, c.customers)) {
                                Some(p) => td style=(format!("background: rgba(37, 99, 235, {:.2})", p / 100.0 * 0.85)) { (format!("{p:.0}")) },
                                None => td {},
                            }
                        }
                    }
                }
                tr { td { "all (weighted)" } td {} @for s in &matrix.summary { td { (s.pct().map_or(String::new(), |p| format!("{p:.0}"))) } } }
            }
        }
    })
}

/// The head of every servq page: its title and the one stylesheet (no script, no URL).
pub(super) fn head(title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) }
            style { (PreEscaped(CSS)) }
        }
    }
}

/// Renders the whole page, with the `[[check]]` targets on the trend charts and the
/// checks' status (`pass`, `FAIL`, …) per metric and group on the tiles.
pub fn page(results: &Results, targets: &[Target], checks: &BTreeMap<(MetricId, Vec<String>), String>) -> Markup {
    let metrics = metrics_in(results);
    let range = results.range.map_or(String::new(), |(a, b)| format!("data {a} to {b}"));
    let as_of = results.as_of.map_or(String::new(), |d| format!(" · as of {d}"));
    html! {
        (DOCTYPE)
        html lang="en" {
            (head("servq service KPIs"))
            body {
                header {
                    h1 { "Service KPIs" }
                    p.meta { "Period: " (results.period.as_str()) " · " (range) (as_of) @if !results.by.is_empty() { " · by " (results.by.join(", ")) } }
                }
                section.tiles { @for m in &metrics { (tile(results, *m, checks)) } }
                p.note { "Tiles: the latest complete period, with the change against the period before (green: better, red: worse)." }
                @if results.comparisons.is_some() {
                    p.note { "compared: the --compare change (against the period before, or the other groups together) and its two-sided p-value (Holm-adjusted with rest); * significant at 0.05." }
                }
                h2 { "Trends" }
                div.charts {
                    @for m in metrics.iter().filter(|m| **m != MetricId::Clv) {
                        (trend(results, *m, &targets.iter().filter(|t| t.metric == *m).collect::<Vec<_>>()))
                    }
                }
                p.note { "Shaded: the 95% interval of each figure; dashed red: a [[check]] target." }
                @if let Some(bars) = nps_composition(results) { h2 { "NPS composition" } (bars) }
                @if let Some(bars) = response_bars(results) { h2 { "Response time" } (bars) }
                @if let Some(chart) = servqual_chart(results) { h2 { "SERVQUAL gaps" } (chart) }
                @if let Some(table) = heatmap(results) { h2 { "Cohort retention (% of cohort active)" } (table) }
                h2 { "Definitions" }
                dl { @for (m, text) in &results.definitions { dt { (m.def().title) " " span.note { "(" (m.as_str()) ")" } } dd { (text) } } }
                @if !results.notes.is_empty() { h2 { "Notes" } ul { @for n in &results.notes { li { (n) } } } }
                h2 { "Data quality" }
                ul { @for line in results.quality.summary_lines() { li { (line) } } }
                p.note { "Generated by servq. Figures with n below " (results.min_n) " are low-confidence." }
            }
        }
    }
}

/// Writes the report as one self-contained HTML page.
pub fn write(
    results: &Results,
    targets: &[Target],
    checks: &BTreeMap<(MetricId, Vec<String>), String>,
    out: &mut dyn Write,
) -> Result<()> {
    out.write_all(page(results, targets, checks).into_string().as_bytes())?;
    Ok(())
}
