//! Durations per period and group (first response, resolution, handle time): linear
//! quantiles and an exact mean, and the interaction KPIs built from them. Each duration
//! is a derived column in its metric's unit (minutes or hours), made by the metric's
//! shared [`Part`] (see `response::part`, `resolution::part`).
//!
//! - Quantiles are linear-interpolated (type 7: position h = (n − 1)·q, value =
//!   x⌊h⌋ + (h − ⌊h⌋)(x⌊h⌋+1 − x⌊h⌋)); no interval.
//! - The mean is summed in whole milliseconds (Int128, exact: a duration given in
//!   seconds, as a clock or in decimal minutes is a whole number of milliseconds, and
//!   the order rows are read in never changes a digit), with a Student-t 95% interval
//!   from the exact Σx and Σx².
//!
//! On a compacted frame (see [`Rows::Weighted`]) the same quantiles come from the sorted
//! distinct values and their counts ([`weighted_quantile`]), with the same arithmetic as
//! polars' linear quantile, so both engines give identical figures.

use std::collections::BTreeMap;
use std::sync::Arc;

use polars::prelude::*;

use super::frame::{Rows, WEIGHT, counts, floats};
use super::interaction::{Context, InteractionKpi, Joined, Part, Plan, values_seen};
use super::{Estimate, MetricSettings, share, stats};
use crate::input::{FieldRequest, Kind, ValueKind};
use crate::metrics::sql::{Aggregate, SqlStat};

/// The duration columns (SPEC §10), as written in `[columns.interactions] units`.
pub const DURATION_FIELDS: [&str; 3] = ["first_response", "resolution", "handle_time"];

/// The canonical field of a duration column named in `units` (`first_response` and
/// its v1 name `first_response_minutes`, `resolution`, `handle_time`); `None` if the
/// field is not a duration of that kind.
pub fn duration_field(kind: &str, field: &str) -> Option<&'static str> {
    match (kind, field) {
        ("interactions", "first_response" | "first_response_minutes") => Some("first_response_minutes"),
        ("interactions", "resolution") => Some("resolution"),
        ("interactions", "handle_time") => Some("handle_time"),
        _ => None,
    }
}

/// Seconds per unit: `seconds`, `minutes`, `hours`, `days` (singular too).
pub fn unit_seconds(name: &str) -> Option<u32> {
    match name.trim().to_ascii_lowercase().trim_end_matches('s') {
        "second" => Some(1),
        "minute" => Some(60),
        "hour" => Some(3600),
        "day" => Some(86_400),
        _ => None,
    }
}

/// How a duration field is read: plain numbers in its configured unit (else
/// `default` seconds per unit), stored in `out` seconds per unit.
pub fn duration_kind(options: &MetricSettings, field: &str, default: u32, out: u32) -> ValueKind {
    ValueKind::Duration { unit: options.units.get(field).copied().unwrap_or(default), out }
}

/// The quantiles reported: the median and the 90th percentile, with their fraction
/// (numerator, denominator) for the whole-number positions of `servq sql`.
pub const QUANTILES: [(f64, &str, (u64, u64)); 2] = [(0.5, "median", (1, 2)), (0.9, "p90", (9, 10))];

/// The quantile aggregations of `column`: `<prefix>.n`, and (one row per input row
/// only) `<prefix>.median` and `<prefix>.p90`; for a compacted frame the quantiles
/// come from [`weighted_quantiles`] (see [`joined_quantiles`]).
pub fn quantile_aggregations(column: &str, prefix: &str, rows: Rows) -> Vec<Expr> {
    let mut out = vec![rows.count_valid(column, &format!("{prefix}.n"))];
    if rows == Rows::Each {
        // Without the missing values polars selects instead of sorting each group.
        let values = || col(column).drop_nulls();
        out.extend(
            QUANTILES.map(|(q, name, _)| {
                values().quantile(lit(q), QuantileMethod::Linear).alias(format!("{prefix}.{name}"))
            }),
        );
    }
    out
}

/// For compacted rows: the quantiles of `column` joined after the aggregation.
pub fn joined_quantiles(column: &'static str, prefix: &'static str, rows: Rows) -> Option<Joined> {
    (rows == Rows::Weighted).then(|| {
        let joined: Joined = Arc::new(move |frame, keys| weighted_quantiles(frame, keys, column, prefix));
        joined
    })
}

/// The linear (type 7) quantile `q` of a group given as its distinct values in
/// ascending order with their counts, computed exactly as polars computes it over the
/// rows: position h = (N − 1)·q over the N values, then the value at ⌊h⌋ plus
/// (h − ⌊h⌋) times the step to the next one. `None` when there are no values.
pub fn weighted_quantile(values: &[(f64, u64)], q: f64) -> Option<f64> {
    let total: u64 = values.iter().map(|v| v.1).sum();
    let at = |position: u64| {
        let mut seen = 0;
        values.iter().find(|(_, count)| {
            seen += count;
            seen > position
        })
    };
    linear_quantile(total, q, |position| at(position).map(|v| v.0))
}

/// The linear (type 7) quantile `q` of `total` values, `at(i)` giving the value at
/// 0-based position i in ascending order (only ⌊h⌋ and ⌊h⌋ + 1 are asked for), with
/// polars' arithmetic: h = (total − 1)·q, then x⌊h⌋ + (h − ⌊h⌋)·(x⌊h⌋+1 − x⌊h⌋).
/// `None` when there are no values (or `at` has none).
pub fn linear_quantile(total: u64, q: f64, mut at: impl FnMut(u64) -> Option<f64>) -> Option<f64> {
    if total == 0 {
        return None;
    }
    let h = (total as f64 - 1.0) * q;
    let lower_position = (h as u64).min(total - 1);
    let lower = at(lower_position)?;
    if h.ceil() as u64 == lower_position {
        return Some(lower);
    }
    let upper = at(lower_position + 1)?;
    Some(if lower == upper { lower } else { (h - lower_position as f64) * (upper - lower) + lower })
}

/// The 0-based position ⌊(total − 1)·numerator / denominator⌋ of the lower value of a
/// quantile, in whole numbers as `servq sql` computes it (the same as ⌊h⌋ of
/// [`linear_quantile`] for the quantiles reported: 0.9 as a double is above 9/10, and
/// h never reaches the next whole number).
pub fn lower_position(total: u64, (numerator, denominator): (u64, u64)) -> u64 {
    total.saturating_sub(1) * numerator / denominator
}

/// Per group of a compacted frame: `<prefix>.median` and `<prefix>.p90` of `column`
/// weighted by [`WEIGHT`], one row per group, keyed by the `keys` columns (to join onto
/// the other aggregations).
pub fn weighted_quantiles(frame: LazyFrame, keys: &[Expr], column: &str, prefix: &str) -> PolarsResult<DataFrame> {
    let mut order = keys.to_vec();
    order.push(col(column));
    let sorted = frame
        .group_by(order.clone())
        .agg([col(WEIGHT).sum()])
        .sort_by_exprs(order, SortMultipleOptions::default())
        .collect()?;
    let rows_name = format!("{prefix}.rows");
    let mut groups = sorted.clone().lazy().group_by_stable(keys).agg([len().alias(&rows_name)]).collect()?;
    let values = floats(&sorted, column)?;
    let weights = counts(&sorted, WEIGHT)?;
    let mut start = 0;
    let mut quantiles = QUANTILES.map(|_| Vec::with_capacity(groups.height()));
    for rows in counts(&groups, &rows_name)? {
        let end = start + rows as usize;
        // Missing values are in no quantile.
        let group: Vec<(f64, u64)> = (start..end).filter_map(|i| values[i].map(|v| (v, weights[i]))).collect();
        for ((q, _, _), out) in QUANTILES.iter().zip(quantiles.iter_mut()) {
            out.push(weighted_quantile(&group, *q));
        }
        start = end;
    }
    groups.drop_in_place(&rows_name)?;
    for ((_, name, _), values) in QUANTILES.iter().zip(quantiles) {
        groups.with_column(Column::new(format!("{prefix}.{name}").into(), values))?;
    }
    Ok(groups)
}

/// Reads the (median, p90) estimates of every row of an aggregated frame.
pub fn quantile_estimates(df: &DataFrame, prefix: &str) -> PolarsResult<(Vec<Estimate>, Vec<Estimate>)> {
    let n = counts(df, &format!("{prefix}.n"))?;
    let median = floats(df, &format!("{prefix}.median"))?;
    let p90 = floats(df, &format!("{prefix}.p90"))?;
    let make = |v: Option<f64>, n: u64| Estimate { value: v.filter(|_| n > 0), n, ci: None, details: Vec::new() };
    Ok(((0..n.len()).map(|i| make(median[i], n[i])).collect(), (0..n.len()).map(|i| make(p90[i], n[i])).collect()))
}

/// The mean aggregations of `column` (in units of `unit_seconds` seconds):
/// `<prefix>.mean_n` (values), `<prefix>.sum` and `<prefix>.sumsq` (exact Int128 sums of
/// the values and their squares in whole milliseconds, rounded half up). One row per
/// input row: summed in Rust over each group's values (polars would materialise 128-bit
/// columns as long as the table); compacted rows (few): as polars expressions.
pub fn mean_aggregations(column: &str, prefix: &str, unit_seconds: u32, rows: Rows) -> Vec<Expr> {
    let per_unit = 1000.0 * f64::from(unit_seconds);
    let (sum, sum_sq) = match rows {
        Rows::Each => (exact_sum(column, per_unit, 1), exact_sum(column, per_unit, 2)),
        Rows::Weighted | Rows::Sampled { .. } => {
            let milli = milliseconds(col(column), per_unit).cast(DataType::Int128);
            let weight = col(WEIGHT).cast(DataType::Int128);
            ((milli.clone() * weight.clone()).sum(), (milli.clone() * milli * weight).sum())
        }
    };
    vec![
        rows.count_valid(column, &format!("{prefix}.mean_n")),
        sum.alias(format!("{prefix}.sum")),
        sum_sq.alias(format!("{prefix}.sumsq")),
    ]
}

/// Whole milliseconds of a duration in units of `per_unit` milliseconds. Durations are
/// never negative (rejected at input): adding ½ and truncating rounds half up.
fn milliseconds(value: Expr, per_unit: f64) -> Expr {
    (value * lit(per_unit) + lit(0.5)).cast(DataType::Int64)
}

/// The exact Int128 sum of a group's values in whole milliseconds, to the `power` 1 or
/// 2, as a polars aggregation computed in Rust (the same rounding as [`milliseconds`]).
/// Its name carries its parameters ([`exact_sum_of`]), so that `compute::reduce` can
/// add the same terms in its one pass over the rows.
fn exact_sum(column: &str, per_unit: f64, power: u32) -> Expr {
    col(column).agg_with_fmt_str(
        move |values: Column| {
            let mut total = 0i128;
            for value in values.as_materialized_series().f64()?.iter().flatten() {
                total += exact_term(value, per_unit, power);
            }
            Ok(Column::new(values.name().clone(), [total]))
        },
        |_, field| Ok(Field::new(field.name().clone(), DataType::Int128)),
        format!("{EXACT_SUM}{per_unit:?}, power={power})"),
    )
}

/// The start of the name of an [`exact_sum`] aggregation.
const EXACT_SUM: &str = "exact_sum(per_unit=";

/// One value's term of an [`exact_sum`]: its whole milliseconds (rounded half up) to
/// the `power`.
pub fn exact_term(value: f64, per_unit: f64, power: u32) -> i128 {
    let term = i128::from((value * per_unit + 0.5) as i64);
    // The powers summed (1 and 2) without the loop of `pow`.
    match power {
        1 => term,
        2 => term * term,
        _ => term.pow(power),
    }
}

/// The milliseconds per unit and the power of an [`exact_sum`] aggregation, from its
/// name; `None` for any other name.
pub fn exact_sum_of(name: &str) -> Option<(f64, u32)> {
    let (per_unit, power) = name.strip_prefix(EXACT_SUM)?.strip_suffix(')')?.split_once(", power=")?;
    Some((per_unit.parse().ok()?, power.parse().ok()?))
}

/// Reads an Int128 sum column (null as 0).
fn sums(df: &DataFrame, name: &str) -> PolarsResult<Vec<i128>> {
    let column = df.column(name)?.as_materialized_series().cast(&DataType::Int128)?;
    Ok(column.i128()?.iter().map(|v| v.unwrap_or(0)).collect())
}

/// The mean of n values in units of `unit_seconds` from their exact sums in
/// milliseconds, with a Student-t 95% interval from the sample sd
/// √((n·Σx² − (Σx)²) / (n(n − 1))); none for one value.
pub fn mean_from_sums(n: u64, sum: i128, sum_sq: i128, unit_seconds: u32) -> Estimate {
    if n == 0 {
        return Estimate::empty(0);
    }
    let per_unit = 1000.0 * f64::from(unit_seconds);
    // One division of exact integers: the correctly rounded mean.
    let mean = sum as f64 / (n as f64 * per_unit);
    let sd = (n >= 2).then(|| {
        let big_n = i128::from(n);
        // Exact in i128; past its range (durations of years over billions of rows) in f64.
        let numerator = match (big_n.checked_mul(sum_sq), sum.checked_mul(sum)) {
            (Some(a), Some(b)) => (a - b).max(0) as f64,
            _ => (n as f64 * sum_sq as f64 - (sum as f64).powi(2)).max(0.0),
        };
        (numerator / (big_n * (big_n - 1)) as f64).sqrt() / per_unit
    });
    let ci = sd.and_then(|sd| stats::mean_t_interval(mean, sd, n as f64));
    Estimate { value: Some(mean), n, ci, details: sd.map(|sd| vec![("sd", sd)]).unwrap_or_default() }
}

/// Reads the mean estimates (in units of `unit_seconds`) of every row of an
/// aggregated frame.
pub fn mean_estimates(df: &DataFrame, prefix: &str, unit_seconds: u32) -> PolarsResult<Vec<Estimate>> {
    let n = counts(df, &format!("{prefix}.mean_n"))?;
    let sum = sums(df, &format!("{prefix}.sum"))?;
    let sum_sq = sums(df, &format!("{prefix}.sumsq"))?;
    Ok((0..n.len()).map(|i| mean_from_sums(n[i], sum[i], sum_sq[i], unit_seconds)).collect())
}

/// How a duration KPI gets its column: the fields it reads, and the shared part that
/// derives the column (or the reason it cannot).
#[derive(Debug, Clone, Copy)]
pub struct Duration {
    /// The derived column.
    pub column: &'static str,
    /// The prefix of its aggregations (`response`, `resolution`, `handle`).
    pub prefix: &'static str,
    /// The name of its mean's part (`response.mean`).
    pub mean_part: &'static str,
    /// Seconds per unit of the column (60: minutes, 3600: hours).
    pub unit_seconds: u32,
    /// The input fields it is made from.
    pub fields: fn(&MetricSettings) -> Vec<(Kind, FieldRequest)>,
    /// The shared part that derives the column, with the quantile aggregations.
    pub part: fn(&Context) -> Result<Part, String>,
}

impl Duration {
    /// The duration column as the input names it (`first_response_minutes`,
    /// `resolution`, `handle_time`) with its unit and the unit of the derived column, in
    /// seconds.
    pub fn read_as(&self, options: &MetricSettings) -> (&'static str, u32, u32) {
        (self.fields)(options)
            .into_iter()
            .find_map(|(_, f)| match f.kind {
                ValueKind::Duration { unit, out } => Some((f.field, unit, out)),
                _ => None,
            })
            .expect("every duration has a duration column")
    }

    /// The fields the derived column is made of (SPEC §13), the first with a valid value
    /// taken, each with its divisor: the duration column as it is, else the minutes from
    /// the row's date to the time column (`first_response_at`, `resolved_at`) in the
    /// column's unit, as [`Duration::part`] derives it.
    fn sources(&self, options: &MetricSettings) -> Vec<(&'static str, u32)> {
        (self.fields)(options)
            .into_iter()
            .map(|(_, f)| match f.kind {
                ValueKind::MinutesAfterRowDate => (f.field, self.unit_seconds / 60),
                _ => (f.field, 1),
            })
            .collect()
    }

    /// A duration as written in its column (an order statistic of `servq sql`), in the
    /// derived column's unit, exactly as a run on the files reads it; `+<N>s` is N
    /// seconds from the row's date to its time column.
    pub fn value_of(&self, options: &MetricSettings, text: &str) -> Result<f64, String> {
        let (field, unit, out) = self.read_as(options);
        if let Some(seconds) = text.strip_prefix('+').and_then(|t| t.strip_suffix('s')) {
            let digits = !seconds.is_empty() && seconds.bytes().all(|b| b.is_ascii_digit());
            let seconds: i64 = seconds
                .parse()
                .ok()
                .filter(|_| digits)
                .ok_or_else(|| format!("{field}: order statistic '{text}' is not +<seconds>s"))?;
            let minutes = seconds as f64 / 60.0;
            // As `response::part` and `resolution::part` derive it: minutes, or minutes /
            // 60.0, which polars computes as minutes × (1 / 60.0).
            let per = self.unit_seconds / 60;
            return Ok(if per == 1 { minutes } else { minutes * (1.0 / f64::from(per)) });
        }
        match crate::input::parse::parse_duration(text, unit) {
            Ok(Some(seconds)) => Ok(seconds / f64::from(out)),
            Ok(None) => Err(format!("{field}: an order statistic is empty")),
            Err(why) => Err(format!("{field}: order statistic '{text}': {why}")),
        }
    }

    /// The SQL statistics of its quantiles (SPEC §13): the count of values and the
    /// values around each quantile's position.
    fn sql_quantiles(&self, options: &MetricSettings) -> Vec<SqlStat> {
        vec![
            self.sql_stat(options, self.prefix, "n", Aggregate::Count),
            self.sql_stat(options, self.prefix, "quantiles", Aggregate::OrderStatistics),
        ]
    }

    /// A statistic `<name>.<what>` of the derived column.
    fn sql_stat(&self, options: &MetricSettings, name: &str, what: &str, aggregate: Aggregate) -> SqlStat {
        SqlStat::new(name, what, aggregate).derived(self.column, self.sources(options))
    }
}

/// Every duration with quantiles or a mean.
pub const DURATIONS: [Duration; 3] = [super::response::RESPONSE, super::resolution::RESOLUTION, super::handle::HANDLE];

/// A quantile of a duration (response_median_min, resolution_p90_h, …).
#[derive(Debug)]
pub struct DurationQuantile {
    /// The duration.
    pub duration: Duration,
    /// 0 the median, 1 the 90th percentile.
    pub which: usize,
    /// The definition printed with it.
    pub definition: fn() -> String,
}

impl InteractionKpi for DurationQuantile {
    fn fields(&self, options: &MetricSettings, _: bool) -> Vec<(Kind, FieldRequest)> {
        (self.duration.fields)(options)
    }

    fn plan(&self, context: &Context) -> Result<Plan, String> {
        Ok(Plan { parts: vec![(self.duration.part)(context)?], definition: (self.definition)(), notes: Vec::new() })
    }

    fn sql(&self, context: &Context) -> Option<Vec<SqlStat>> {
        Some(self.duration.sql_quantiles(context.options))
    }

    fn estimates(&self, df: &DataFrame) -> PolarsResult<Vec<Estimate>> {
        let (median, p90) = quantile_estimates(df, self.duration.prefix)?;
        Ok(if self.which == 0 { median } else { p90 })
    }
}

/// The mean of a duration (response_mean_min, handle_mean_min), Student-t interval.
#[derive(Debug)]
pub struct DurationMean {
    /// The duration.
    pub duration: Duration,
    /// The definition printed with it.
    pub definition: fn() -> String,
}

impl InteractionKpi for DurationMean {
    fn fields(&self, options: &MetricSettings, _: bool) -> Vec<(Kind, FieldRequest)> {
        (self.duration.fields)(options)
    }

    fn plan(&self, context: &Context) -> Result<Plan, String> {
        let Duration { column, prefix, unit_seconds, .. } = self.duration;
        let mean = Part {
            on_values: true,
            ..Part::counts(self.duration.mean_part, mean_aggregations(column, prefix, unit_seconds, context.rows))
        };
        Ok(Plan {
            parts: vec![(self.duration.part)(context)?, mean],
            definition: (self.definition)(),
            notes: Vec::new(),
        })
    }

    /// Σ and Σ² in whole milliseconds, as [`mean_aggregations`] sums them.
    fn sql(&self, context: &Context) -> Option<Vec<SqlStat>> {
        let per_unit = 1000 * self.duration.unit_seconds;
        let stat = |what, aggregate| self.duration.sql_stat(context.options, self.duration.prefix, what, aggregate);
        Some(vec![
            stat("mean_n", Aggregate::Count),
            stat("sum", Aggregate::SumMillis(per_unit)),
            stat("sumsq", Aggregate::SumSquaresMillis(per_unit)),
        ])
    }

    fn estimates(&self, df: &DataFrame) -> PolarsResult<Vec<Estimate>> {
        mean_estimates(df, self.duration.prefix, self.duration.unit_seconds)
    }
}

/// The per-row target: the key column's own value (a channel's, a priority's) when one
/// is set, else the default. `codes` maps a configured value to the codes in the column
/// that are that value.
pub fn target(default: f64, per_key: &BTreeMap<String, f64>, key: &str, codes: impl Fn(&str) -> Vec<u32>) -> Expr {
    let mut target = lit(default);
    for (value, goal) in per_key {
        for code in codes(value) {
            target = when(col(key).eq(lit(code))).then(lit(*goal)).otherwise(target);
        }
    }
    target
}

/// The codes of the values of a key column that are `value`, in any case and with
/// spaces around ignored (`Urgent`, `URGENT ` for `urgent`).
pub fn codes_of(dictionary: Option<&crate::input::Dictionary>, value: &str) -> Vec<u32> {
    let wanted = value.trim().to_lowercase();
    dictionary.map_or_else(Vec::new, |d| {
        d.iter().enumerate().filter(|(_, v)| v.trim().to_lowercase() == wanted).map(|(code, _)| code as u32).collect()
    })
}

/// The aggregations of a share within target: `<name>.n` (values) and `<name>.good`
/// (values ≤ the target: a value exactly at the target meets it).
pub fn within_aggregations(column: &str, name: &str, target: Expr, rows: Rows) -> Vec<Expr> {
    vec![
        rows.count_valid(column, &format!("{name}.n")),
        rows.count_true(col(column).lt_eq(target), &format!("{name}.good")),
    ]
}

/// Reads the share-within-target estimates (Wilson) of every row of an aggregated frame.
pub fn within_estimates(df: &DataFrame, name: &str) -> PolarsResult<Vec<Estimate>> {
    let n = counts(df, &format!("{name}.n"))?;
    let good = counts(df, &format!("{name}.good"))?;
    Ok((0..n.len()).map(|i| share::percent_good(good[i], n[i])).collect())
}

/// The targets of a share within target: the default and the per-key ones.
pub type Targets = fn(&MetricSettings) -> (f64, &BTreeMap<String, f64>);

/// The share of a duration within its target (sla_pct, resolution_sla_pct), with
/// per-key targets (by channel, by priority); Wilson interval.
#[derive(Debug)]
pub struct WithinTarget {
    /// The duration.
    pub duration: Duration,
    /// The part's name and aggregation prefix (`sla`, `resolution_sla`).
    pub name: &'static str,
    /// The column per-key targets are keyed on (`channel`, `priority`).
    pub key: &'static str,
    /// The config key of the per-key targets, for notes (`[metrics.sla] per_channel`).
    pub section: &'static str,
    /// The targets.
    pub targets: Targets,
    /// The definition printed with it.
    pub definition: fn(&MetricSettings) -> String,
}

impl InteractionKpi for WithinTarget {
    fn fields(&self, options: &MetricSettings, _: bool) -> Vec<(Kind, FieldRequest)> {
        let mut fields = (self.duration.fields)(options);
        if !(self.targets)(options).1.is_empty() {
            fields.push((Kind::Interactions, FieldRequest { field: self.key, kind: ValueKind::Key }));
        }
        fields
    }

    fn plan(&self, context: &Context) -> Result<Plan, String> {
        let (default, per_key) = (self.targets)(context.options);
        let keys = context.dictionaries.get(self.key);
        let codes = |value: &str| codes_of(keys, value);
        // A per-key target that matches no value is said, never silently dropped.
        let notes = if per_key.is_empty() {
            Vec::new()
        } else if !(context.has)(self.key) {
            vec![format!(
                "{}: no {} column in interactions; the targets per {} are not used",
                self.section, self.key, self.key
            )]
        } else {
            per_key
                .keys()
                .filter(|value| codes(value).is_empty())
                .map(|value| {
                    format!(
                        "{}: '{value}' matches no {} (values seen: {}); its target is not used",
                        self.section,
                        self.key,
                        values_seen(context.dictionaries, self.key)
                    )
                })
                .collect()
        };
        let target = target(default, per_key, self.key, codes);
        let aggregations = within_aggregations(self.duration.column, self.name, target, context.rows);
        let within = Part { on_values: true, ..Part::counts(self.name, aggregations) };
        Ok(Plan {
            parts: vec![(self.duration.part)(context)?, within],
            definition: (self.definition)(context.options),
            notes,
        })
    }

    /// The targets as [`target`] sets them: a key's value matches a configured one in any
    /// case (SQL `LOWER`; the key is trimmed), the last configured one first; the key's
    /// distinct values for the notes ([`InteractionKpi::plan`] names unmatched targets).
    fn sql(&self, context: &Context) -> Option<Vec<SqlStat>> {
        let (default, per_key) = (self.targets)(context.options);
        let column = self.duration.column;
        let keyed = !per_key.is_empty() && (context.has)(self.key);
        // The literal is the same in every engine: a value with a quote or a backslash
        // (escapes that differ between them) is not translated.
        if keyed && per_key.keys().any(|v| v.contains('\\') || v.contains('\'')) {
            return None;
        }
        let goal = if keyed {
            let whens: Vec<String> = per_key
                .iter()
                .rev()
                .map(|(value, goal)| {
                    let wanted = value.trim().to_lowercase();
                    format!("WHEN LOWER(v_{}) = '{wanted}' THEN {goal:e}", self.key)
                })
                .collect();
            format!("CASE {} ELSE {default:e} END", whens.join(" "))
        } else {
            format!("{default:e}")
        };
        let within = Aggregate::CountWhere(format!("v_{column} <= {goal}"));
        let mut stats = vec![
            self.duration.sql_stat(context.options, self.name, "n", Aggregate::Count),
            self.duration.sql_stat(context.options, self.name, "good", within),
        ];
        if keyed {
            stats.push(SqlStat::new("values.seen", self.key, Aggregate::DistinctValues).on(self.key));
        }
        Some(stats)
    }

    fn estimates(&self, df: &DataFrame) -> PolarsResult<Vec<Estimate>> {
        within_estimates(df, self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(values: &[Option<f64>]) -> (Estimate, Estimate, Estimate) {
        let df = df!("g" => vec![1; values.len()], "x" => values.to_vec()).unwrap();
        let mut aggregations = quantile_aggregations("x", "d", Rows::Each);
        aggregations.extend(mean_aggregations("x", "d", 60, Rows::Each));
        let out = df.lazy().group_by([col("g")]).agg(aggregations).collect().unwrap();
        let (median, p90) = quantile_estimates(&out, "d").unwrap();
        (median[0].clone(), p90[0].clone(), mean_estimates(&out, "d", 60).unwrap().remove(0))
    }

    #[test]
    fn linear_quantiles_and_the_exact_mean_on_a_hand_computed_set() {
        // sorted 1, 2, 4, 7, 10: median 4; p90 h = 4·0.9 = 3.6 -> 7 + 0.6·3 = 8.8;
        // mean 24 / 5 = 4.8, sd √((5·170 − 576) / 20) = √13.7; t(4) = 2.776445.
        let (median, p90, mean) = run(&[Some(10.0), Some(1.0), None, Some(4.0), Some(7.0), Some(2.0)]);
        assert_eq!((median.value, median.n), (Some(4.0), 5));
        assert!((p90.value.unwrap() - 8.8).abs() < 1e-12);
        assert_eq!((mean.value, mean.n), (Some(4.8), 5));
        let half = 2.776_445_105_198_f64 * 13.7_f64.sqrt() / 5_f64.sqrt();
        let (lo, hi) = mean.ci.unwrap();
        assert!((lo - (4.8 - half)).abs() < 1e-9 && (hi - (4.8 + half)).abs() < 1e-9, "{lo} {hi}");
    }

    #[test]
    fn a_single_value_has_no_interval_and_no_values_no_figure() {
        let (median, _, mean) = run(&[Some(2.5)]);
        assert_eq!((median.value, mean.value, mean.ci), (Some(2.5), Some(2.5), None));
        let (median, p90, mean) = run(&[None, None]);
        assert_eq!((median.value, p90.value, mean.value, mean.n), (None, None, None, 0));
    }

    #[test]
    fn the_mean_is_summed_in_whole_milliseconds() {
        // 3.5 s and 6 s in minutes: exact in milliseconds, mean 4.75 s = 0.0791666… min.
        let (_, _, mean) = run(&[Some(3.5 / 60.0), Some(6.0 / 60.0)]);
        assert!((mean.value.unwrap() - 4.75 / 60.0).abs() < 1e-15, "{:?}", mean.value);
        // values 1, 2, 3 minutes: mean 2, sd 1.
        let e = mean_from_sums(3, 360_000, 60_000 * 60_000 * 14, 60);
        assert_eq!((e.value, e.details.first().map(|d| d.1)), (Some(2.0), Some(1.0)));
        // Hours: 1 h and 2 h.
        assert_eq!(mean_from_sums(2, 3_600_000 * 3, 3_600_000 * 3_600_000 * 5, 3600).value, Some(1.5));
    }

    /// The whole-number positions `servq sql` ranks to are ⌊h⌋ of the double arithmetic,
    /// for every count up to a million and for counts near 2⁴⁰.
    #[test]
    fn sql_positions_are_the_floor_of_h() {
        let check = |n: u64| {
            for (q, name, fraction) in QUANTILES {
                let h = (n as f64 - 1.0) * q;
                assert_eq!(lower_position(n, fraction), h as u64, "{name} of {n}");
            }
        };
        (1..=1_000_000).for_each(check);
        (0..1000).map(|k| (1u64 << 40) + k * 7).for_each(check);
        assert_eq!(lower_position(0, (9, 10)), 0);
    }

    #[test]
    fn a_quantile_from_its_two_neighbours_is_the_row_quantile() {
        // 1, 2, 4, 7, 10 given as positions: p90 reads positions 3 and 4 only.
        let values = [1.0, 2.0, 4.0, 7.0, 10.0];
        let asked = std::cell::RefCell::new(Vec::new());
        let p90 = linear_quantile(5, 0.9, |i| {
            asked.borrow_mut().push(i);
            values.get(i as usize).copied()
        });
        assert!((p90.unwrap() - 8.8).abs() < 1e-12);
        assert_eq!(*asked.borrow(), vec![3, 4]);
        assert_eq!(linear_quantile(5, 0.5, |i| values.get(i as usize).copied()), Some(4.0));
        assert_eq!(linear_quantile(0, 0.5, |_| Some(1.0)), None);
    }

    #[test]
    fn weighted_quantiles_match_the_row_quantiles() {
        let values = [(1.0, 2), (3.0, 1), (8.0, 3)];
        // rows 1, 1, 3, 8, 8, 8: median h = 2.5 -> 3 + 0.5·5 = 5.5; p90 h = 4.5 -> 8.
        assert_eq!(weighted_quantile(&values, 0.5), Some(5.5));
        assert_eq!(weighted_quantile(&values, 0.9), Some(8.0));
        assert_eq!(weighted_quantile(&[], 0.5), None);
    }
}
