//! The terminal scorecard (SPEC §14), the default table of `servq report`: one row per
//! metric (and group) with the latest complete period's value, the change against the
//! period before (▲/▼, `*` when significant at 0.05 by the metric's two-sample test),
//! the 95% interval, n, a sparkline of up to the last 12 periods and the status of the
//! `[[check]]`s on it. It fits the terminal: columns are dropped, then names shortened,
//! until every line fits the width (80 columns and up); footer lines are wrapped.

use std::collections::BTreeMap;
use std::io::Write;

use anyhow::Result;

use super::{Document, footer_lines, human_value, period_label};
use crate::compute::{Flag, Record, Results};
use crate::metrics::{MetricId, change_p_value};

/// The report shown as a scorecard in the terminal; every other format is the report's.
pub struct Scorecard<'a> {
    /// The report.
    pub results: &'a Results,
    /// The status of the checks per metric and group (`pass`, `FAIL`, `warn`, `n/a`).
    pub checks: BTreeMap<(MetricId, Vec<String>), String>,
    /// The `[[check]]` bounds, drawn on the HTML trend charts.
    pub targets: Vec<super::html::Target>,
    /// The terminal width to fit, when writing to a terminal.
    pub width: Option<usize>,
}

/// Sparkline blocks, lowest to highest.
const BLOCKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// The periods a sparkline shows.
const TREND: usize = 12;

/// A sparkline of values (a space for a period without a figure).
pub fn sparkline(values: &[Option<f64>]) -> String {
    let known: Vec<f64> = values.iter().flatten().copied().collect();
    let (lo, hi) = known.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(*v), b.max(*v)));
    values
        .iter()
        .map(|v| match v {
            None => ' ',
            Some(_) if hi <= lo => BLOCKS[3],
            Some(v) => BLOCKS[(((v - lo) / (hi - lo)) * 7.0).round().clamp(0.0, 7.0) as usize],
        })
        .collect()
}

/// One row of the scorecard.
struct Row {
    /// A figure over the whole window (clv): no period of its own.
    whole_window: bool,
    name: String,
    period: String,
    value: String,
    change: String,
    interval: String,
    n: String,
    trend: String,
    check: String,
}

/// The change against the previous figure: `▲ +1.2*`, `▼ −0.4`, `= 0.0`.
fn change_text(metric: MetricId, latest: &Record, previous: Option<&Record>) -> String {
    let (Some(now), Some(before)) = (latest.estimate.value, previous.and_then(|p| p.estimate.value)) else {
        return String::new();
    };
    let delta = now - before;
    let significant =
        previous.and_then(|p| change_p_value(metric, &p.estimate, &latest.estimate)).is_some_and(|p| p < 0.05);
    let arrow = if delta > 0.0 {
        '▲'
    } else if delta < 0.0 {
        '▼'
    } else {
        '='
    };
    let magnitude = human_value(metric, delta.abs());
    let sign = if delta > 0.0 {
        "+"
    } else if delta < 0.0 {
        "−"
    } else {
        ""
    };
    format!("{arrow} {sign}{magnitude}{}", if significant { "*" } else { "" })
}

/// The latest figure of one metric and group, with the one before and the recent trend.
pub struct Latest<'a> {
    /// The metric.
    pub metric: MetricId,
    /// Its group values.
    pub groups: &'a [String],
    /// The latest complete figure (the latest one when every period is partial).
    pub latest: &'a Record,
    /// The figure of the period before, when there is one.
    pub previous: Option<&'a Record>,
    /// The values of up to the last 12 periods, ending with the latest.
    pub recent: Vec<Option<f64>>,
}

/// Per metric and group (in report order), its latest figure: the scorecard's rows, in
/// every format that has a scorecard (the terminal, Excel).
pub fn latest_figures(results: &Results) -> Vec<Latest<'_>> {
    let mut series: BTreeMap<(MetricId, &Vec<String>), Vec<&Record>> = BTreeMap::new();
    for record in &results.records {
        series.entry((record.metric, &record.groups)).or_default().push(record);
    }
    let mut out = Vec::new();
    for ((metric, groups), records) in series {
        let complete: Vec<&Record> = records.iter().copied().filter(|r| !r.flags.contains(&Flag::Partial)).collect();
        let Some(&latest) = complete.last().or(records.last()) else { continue };
        let previous = complete
            .iter()
            .rev()
            .find(|r| !r.whole_window && results.period.next_start(r.period_start) == latest.period_start)
            .copied();
        let upto = records.iter().position(|r| std::ptr::eq(*r, latest)).map_or(records.len(), |i| i + 1);
        let recent = records[..upto].iter().rev().take(TREND).rev().map(|r| r.estimate.value).collect();
        out.push(Latest { metric, groups, latest, previous, recent });
    }
    out
}

impl Scorecard<'_> {
    /// The rows: per metric and group, its latest complete figure (the latest one when
    /// every period is partial, marked so).
    fn rows(&self) -> Vec<Row> {
        let results = self.results;
        let mut rows = Vec::new();
        for Latest { metric, groups, latest, previous, recent } in latest_figures(results) {
            let e = &latest.estimate;
            let low = if latest.flags.contains(&Flag::LowN) { "~" } else { "" };
            let suspect = if latest.flags.contains(&Flag::Rejected) { "!" } else { "" };
            let partial = if latest.flags.contains(&Flag::Partial) { " (partial)" } else { "" };
            let mut name = if groups.is_empty() {
                metric.as_str().to_string()
            } else {
                format!("{} {}", metric, groups.join("/"))
            };
            if latest.whole_window {
                name.push_str(" (all)");
            }
            rows.push(Row {
                whole_window: latest.whole_window,
                name,
                period: format!("{}{partial}", period_label(results, latest)),
                value: e.value.map_or("–".to_string(), |v| format!("{low}{}{suspect}", human_value(metric, v))),
                change: change_text(metric, latest, previous),
                interval: e.ci.map_or(String::new(), |(lo, hi)| {
                    format!("{}–{}", human_value(metric, lo), human_value(metric, hi))
                }),
                n: e.n.to_string(),
                trend: if recent.len() > 1 { sparkline(&recent) } else { String::new() },
                check: self.checks.get(&(metric, groups.to_vec())).cloned().unwrap_or_default(),
            });
        }
        rows
    }
}

/// Display width of a cell (every character one column, as the blocks and arrows are).
fn width(text: &str) -> usize {
    text.chars().count()
}

/// Cuts `text` to `max` columns with an ellipsis.
fn cut(text: &str, max: usize) -> String {
    if width(text) <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Wraps a footer line to `max` columns at spaces (a word longer than the line is cut).
pub fn wrap(line: &str, max: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in line.split(' ') {
        let word = cut(word, max);
        if !current.is_empty() && width(&current) + 1 + width(&word) > max {
            lines.push(std::mem::take(&mut current));
            current.push_str("  ");
        } else if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(&word);
    }
    lines.push(current);
    lines
}

/// The columns: header and cells; which are shown is decided by the width.
const HEADER: [&str; 8] = ["metric", "period", "value", "change", "95% CI", "n", "trend", "check"];

/// Lays the rows out in columns two spaces apart, dropping the check column when no
/// check applies, the period when it is the same everywhere, then (to fit `max`) the
/// trend, the interval, and last shortening the names.
fn layout(rows: &[Row], max: Option<usize>) -> Vec<String> {
    let cells: Vec<[&str; 8]> = rows
        .iter()
        .map(|r| [&*r.name, &*r.period, &*r.value, &*r.change, &*r.interval, &*r.n, &*r.trend, &*r.check])
        .collect();
    let mut shown = [true; 8];
    // Columns with nothing in them are left out (no check, one period: no change).
    for i in [3, 4, 6, 7] {
        shown[i] = cells.iter().any(|c| !c[i].is_empty());
    }
    let periods: Vec<&str> = rows.iter().zip(&cells).filter(|(r, _)| !r.whole_window).map(|(_, c)| c[1]).collect();
    shown[1] = periods.iter().any(|p| *p != periods[0]);
    let mut widths: Vec<usize> =
        (0..8).map(|i| cells.iter().map(|c| width(c[i])).chain([width(HEADER[i])]).max().unwrap_or(0)).collect();
    let total = |shown: &[bool; 8], widths: &[usize], name: usize| -> usize {
        let columns: Vec<usize> = (0..8).filter(|i| shown[*i]).map(|i| if i == 0 { name } else { widths[i] }).collect();
        columns.iter().sum::<usize>() + 2 * columns.len().saturating_sub(1)
    };
    let mut name = widths[0];
    if let Some(max) = max {
        // A shorter trend (its latest periods) first, then no trend, then no interval.
        let over = total(&shown, &widths, name).saturating_sub(max);
        if over > 0 && widths[6] >= 6 + over {
            widths[6] -= over;
        }
        for drop in [6, 4] {
            if total(&shown, &widths, name) > max {
                shown[drop] = false;
            }
        }
        let overflow = total(&shown, &widths, name).saturating_sub(max);
        name = name.saturating_sub(overflow).max(8);
    }
    let line = |row: [&str; 8]| -> String {
        let mut parts = Vec::new();
        for i in (0..8).filter(|i| shown[*i]) {
            let w = if i == 0 { name } else { widths[i] };
            let text = match i {
                0 => cut(row[i], name),
                // The latest periods of the trend.
                6 => row[i].chars().rev().take(w).collect::<Vec<_>>().into_iter().rev().collect(),
                _ => row[i].to_string(),
            };
            let pad = w.saturating_sub(width(&text));
            // Names and trends to the left, figures to the right.
            parts.push(if matches!(i, 0 | 1 | 6 | 7) {
                format!("{text}{}", " ".repeat(pad))
            } else {
                format!("{}{text}", " ".repeat(pad))
            });
        }
        parts.join("  ").trim_end().to_string()
    };
    let mut out = vec![line(HEADER)];
    out.extend(cells.into_iter().map(line));
    out
}

impl Scorecard<'_> {
    /// Writes the scorecard and its footer (wrapped to the width).
    fn write(&self, out: &mut dyn Write) -> Result<()> {
        let results = self.results;
        let rows = self.rows();
        let mut lines = Vec::new();
        let periodic: Vec<&Row> = rows.iter().filter(|r| !r.whole_window).collect();
        if results.period == crate::period::Period::None {
            lines.push("One period over all the data (--period none).".to_string());
        } else if let Some(first) = periodic.first()
            && periodic.iter().all(|r| r.period == first.period)
        {
            lines.push(format!("Latest complete period {}, with the change against the period before.", first.period));
        }
        lines.extend(layout(&rows, self.width));
        let mut footer = vec![
            "value: ~ fewer than the minimum n (low confidence), ! more than 5% of the values rejected; change: ▲/▼ against the period before, * significant at 0.05; trend: up to the last 12 periods.".to_string(),
        ];
        footer.extend(footer_lines(results).into_iter().skip(1));
        for line in footer {
            match self.width {
                Some(max) => lines.extend(wrap(&super::safe::terminal(&line), max)),
                None => lines.push(super::safe::terminal(&line).into_owned()),
            }
        }
        for line in lines {
            writeln!(out, "{}", super::safe::terminal(&line))?;
        }
        Ok(())
    }
}

impl Document for Scorecard<'_> {
    fn table(&self, out: &mut dyn Write, _: bool) -> Result<()> {
        if self.results.records.is_empty() {
            return footer_lines(self.results).iter().try_for_each(|line| Ok(writeln!(out, "{line}")?));
        }
        self.write(out)
    }

    fn csv(&self, out: &mut dyn Write) -> Result<()> {
        self.results.csv(out)
    }

    fn json(&self, out: &mut dyn Write) -> Result<()> {
        self.results.json(out)
    }

    fn markdown(&self, out: &mut dyn Write) -> Result<()> {
        self.results.markdown(out)
    }

    fn html(&self, out: &mut dyn Write) -> Result<()> {
        super::html::write(self.results, &self.targets, &self.checks, out)
    }

    fn xlsx(&self, out: &mut dyn Write) -> Result<()> {
        self.results.xlsx(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparklines_scale_from_lowest_to_highest() {
        assert_eq!(sparkline(&[Some(1.0), Some(8.0), None, Some(4.5)]), "▁█ ▅");
        assert_eq!(sparkline(&[Some(2.0), Some(2.0)]), "▄▄");
    }

    #[test]
    fn footer_lines_wrap_at_spaces_to_the_width() {
        let lines = wrap("aaa bbb ccc ddd", 8);
        assert_eq!(lines, ["aaa bbb", "  ccc", "  ddd"]);
        assert!(wrap("averyveryverylongword x", 8).iter().all(|l| l.chars().count() <= 8));
    }
}
