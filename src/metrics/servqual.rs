//! SERVQUAL and SERVPERF (SPEC §12; Parasuraman, Zeithaml & Berry: 22 items, 1–7).
//!
//! - Surveys may carry expectation items and perception items, matched by the patterns
//!   `[metrics.servqual] expectation = "E{i}"`, `perception = "P{i}"` (defaults).
//!   Dimensions default to tangibles 1–4, reliability 5–9, responsiveness 10–13,
//!   assurance 14–17, empathy 18–22; `dimensions = { tangibles = [1, 2, 3, 4], … }`
//!   overrides. Items are whole numbers on the scale (default 1–7); others are rejected
//!   for that item.
//! - A respondent's gap on a dimension = mean(P items) − mean(E items); a respondent
//!   missing an item of the dimension is left out of that dimension only.
//! - `servqual_gap_<dimension>` = mean of the respondents' gaps, Student-t interval.
//! - `servqual_gap` = mean, over respondents with all five dimensions, of the mean of
//!   their five gaps, t interval.
//! - `servqual_weighted_gap` = mean over respondents of Σ_d w_d / 100 × gap_d with the
//!   importance points `W_tangibles … W_empathy` (`importance = "W_{dimension}"`); a row
//!   whose points are off 100 by more than 0.5 is rejected for this metric (a note
//!   counts them), and so is a row with a missing or invalid point.
//! - `servperf_<dimension>` = mean over respondents of the mean of the dimension's
//!   perception items (a respondent missing one is left out), t interval.
//!
//! Every sum is of whole numbers: a respondent's gap times the dimension's item count
//! (ΣP − ΣE), the mean of five gaps times 5·L (L the least common multiple of the item
//! counts), importance points in ten-thousandths. The sums are exact in any row order,
//! so the streaming engine gives the same digits.

use polars::prelude::*;

use super::frame::Rows;
use super::survey::SurveyKpi;
use super::{Estimate, MetricSettings, stats};
use crate::input::{FieldRequest, ValueKind};
use crate::metrics::sql::{Aggregate, Moment, SqlStat};

/// The five dimensions, in SPEC order.
pub const DIMENSIONS: [&str; 5] = ["tangibles", "reliability", "responsiveness", "assurance", "empathy"];

/// The name of the item set (what the KPIs share, as a score column would be shared).
pub const ITEMS: &str = "servqual";

/// Importance points are summed in these parts of a point.
const POINT_PARTS: f64 = 10_000.0;

/// `[metrics.servqual]`: the item columns per dimension and their scale.
#[derive(Debug, Clone, PartialEq)]
pub struct ServqualOptions {
    /// The inclusive scale of the items.
    pub scale: (i32, i32),
    /// Per dimension: its item numbers.
    pub numbers: [Vec<u32>; 5],
    /// Per dimension: the expectation columns, item by item.
    pub expectation: [Vec<&'static str>; 5],
    /// Per dimension: the perception columns, item by item.
    pub perception: [Vec<&'static str>; 5],
    /// Per dimension: the importance column.
    pub importance: [&'static str; 5],
}

impl Default for ServqualOptions {
    fn default() -> Self {
        ServqualOptions::new("E{i}", "P{i}", "W_{dimension}", (1, 7), &ServqualOptions::default_items())
    }
}

impl ServqualOptions {
    /// Tangibles 1–4, reliability 5–9, responsiveness 10–13, assurance 14–17, empathy 18–22.
    pub fn default_items() -> [Vec<u32>; 5] {
        [(1..=4).collect(), (5..=9).collect(), (10..=13).collect(), (14..=17).collect(), (18..=22).collect()]
    }

    /// The options for item patterns (`{i}` is the item number, `{dimension}` the
    /// dimension's name), a scale and each dimension's item numbers.
    pub fn new(
        expectation: &str,
        perception: &str,
        importance: &str,
        scale: (i32, i32),
        items: &[Vec<u32>; 5],
    ) -> Self {
        let columns = |pattern: &str| {
            items.clone().map(|numbers| {
                numbers
                    .iter()
                    .map(|i| crate::input::columns::item_field(&pattern.replace("{i}", &i.to_string())))
                    .collect()
            })
        };
        ServqualOptions {
            scale,
            numbers: items.clone(),
            expectation: columns(expectation),
            perception: columns(perception),
            importance: DIMENSIONS.map(|d| crate::input::columns::item_field(&importance.replace("{dimension}", d))),
        }
    }

    /// The least common multiple of the dimensions' item counts.
    pub fn lcm(&self) -> i64 {
        let gcd = |mut a: i64, mut b: i64| {
            while b != 0 {
                (a, b) = (b, a % b);
            }
            a
        };
        self.numbers.iter().map(|n| n.len().max(1) as i64).fold(1, |l, k| l / gcd(l, k) * k)
    }

    /// The item numbers of a dimension as text: `1–4` or `1, 3, 5`.
    fn items_text(&self, d: usize) -> String {
        let n = &self.numbers[d];
        match (n.first(), n.last()) {
            (Some(a), Some(b)) if n.windows(2).all(|w| w[1] == w[0] + 1) && n.len() > 1 => format!("{a}–{b}"),
            _ => n.iter().map(u32::to_string).collect::<Vec<_>>().join(", "),
        }
    }
}

/// Which SERVQUAL figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    /// `servqual_gap_<dimension>`.
    Gap(usize),
    /// `servperf_<dimension>`.
    Perf(usize),
    /// `servqual_gap`.
    Overall,
    /// `servqual_weighted_gap`.
    Weighted,
}

/// A SERVQUAL KPI (see [`SurveyKpi`]); the twelve share one aggregation.
#[derive(Debug)]
pub struct Servqual(pub Which);

/// `servqual_gap_tangibles`.
pub const GAP_TANGIBLES: Servqual = Servqual(Which::Gap(0));
/// `servqual_gap_reliability`.
pub const GAP_RELIABILITY: Servqual = Servqual(Which::Gap(1));
/// `servqual_gap_responsiveness`.
pub const GAP_RESPONSIVENESS: Servqual = Servqual(Which::Gap(2));
/// `servqual_gap_assurance`.
pub const GAP_ASSURANCE: Servqual = Servqual(Which::Gap(3));
/// `servqual_gap_empathy`.
pub const GAP_EMPATHY: Servqual = Servqual(Which::Gap(4));
/// `servqual_gap`.
pub const GAP: Servqual = Servqual(Which::Overall);
/// `servqual_weighted_gap`.
pub const WEIGHTED_GAP: Servqual = Servqual(Which::Weighted);
/// `servperf_tangibles`.
pub const PERF_TANGIBLES: Servqual = Servqual(Which::Perf(0));
/// `servperf_reliability`.
pub const PERF_RELIABILITY: Servqual = Servqual(Which::Perf(1));
/// `servperf_responsiveness`.
pub const PERF_RESPONSIVENESS: Servqual = Servqual(Which::Perf(2));
/// `servperf_assurance`.
pub const PERF_ASSURANCE: Servqual = Servqual(Which::Perf(3));
/// `servperf_empathy`.
pub const PERF_EMPATHY: Servqual = Servqual(Which::Perf(4));

/// Σ of item columns as Int64: null when any item is missing.
fn item_sum(columns: &[&str]) -> Expr {
    columns
        .iter()
        .map(|c| col(*c).cast(DataType::Int64))
        .reduce(|a, b| a + b)
        .unwrap_or(lit(NULL).cast(DataType::Int64))
}

/// A respondent's gap on dimension `d` times its item count: ΣP − ΣE (null when an item
/// is missing).
fn gap(options: &ServqualOptions, d: usize) -> Expr {
    item_sum(&options.perception[d]) - item_sum(&options.expectation[d])
}

/// The mean of a respondent's five gaps times 5·L (null when a dimension is missing).
fn overall(options: &ServqualOptions) -> Expr {
    let l = options.lcm();
    (0..5)
        .map(|d| gap(options, d) * lit(l / options.numbers[d].len().max(1) as i64))
        .reduce(|a, b| a + b)
        .expect("five")
}

/// Σ of the importance points (null when one is missing).
fn points(options: &ServqualOptions) -> Expr {
    options.importance.iter().map(|c| col(*c).cast(DataType::Float64)).reduce(|a, b| a + b).expect("five")
}

/// Whether a row's points add up to 100 within 0.5.
fn points_ok(options: &ServqualOptions) -> Expr {
    points(options).gt_eq(lit(99.5)).and(points(options).lt_eq(lit(100.5)))
}

/// A respondent's weighted gap Σ_d w_d / 100 × gap_d, times 100 · L · [`POINT_PARTS`]
/// (null when a dimension, a point, or the 100-point total is missing or off).
fn weighted(options: &ServqualOptions) -> Expr {
    let l = options.lcm();
    let sum = (0..5)
        .map(|d| {
            // Points are never negative: truncating x + 0.5 rounds half up.
            let parts = (col(options.importance[d]).cast(DataType::Float64) * lit(POINT_PARTS) + lit(0.5))
                .cast(DataType::Int64);
            parts * gap(options, d) * lit(l / options.numbers[d].len().max(1) as i64)
        })
        .reduce(|a, b| a + b)
        .expect("five");
    when(points_ok(options)).then(sum).otherwise(lit(NULL).cast(DataType::Int64))
}

/// n, Σ and Σ² (exact) of a per-respondent whole number, named `<name>.n|.sum|.sumsq`.
fn moments(rows: Rows, value: Expr, name: &str) -> Vec<Expr> {
    vec![
        rows.count_true(value.clone().is_not_null(), &format!("{name}.n")),
        rows.sum_integers(value.clone(), &format!("{name}.sum")),
        rows.sum_exact(value.clone().cast(DataType::Int128) * value.cast(DataType::Int128), &format!("{name}.sumsq")),
    ]
}

/// Every aggregation of the twelve KPIs: per dimension the gap's and the perception's
/// moments and Σ ΣE over the gap's respondents; the overall and weighted gaps' moments;
/// the rows whose importance points are off 100.
pub fn aggregations(options: &ServqualOptions, rows: Rows) -> Vec<Expr> {
    let mut out = Vec::new();
    for (d, name) in DIMENSIONS.iter().enumerate() {
        let g = gap(options, d);
        out.extend(moments(rows, g.clone(), &format!("sq.gap.{name}")));
        let expectation =
            when(g.is_not_null()).then(item_sum(&options.expectation[d])).otherwise(lit(NULL).cast(DataType::Int64));
        out.push(rows.sum_integers(expectation, &format!("sq.gap.{name}.e")));
        out.extend(moments(rows, item_sum(&options.perception[d]), &format!("sq.perf.{name}")));
    }
    out.extend(moments(rows, overall(options), "sq.gap"));
    out.extend(moments(rows, weighted(options), "sq.wgap"));
    // Respondents with all five dimensions whose points are missing or off 100.
    let off = overall(options).is_not_null().and(points_ok(options).fill_null(lit(false)).not());
    out.push(rows.count_true(off, "sq.wgap.off"));
    out
}

/// Σ of item columns in SQL (`v_<item>`, whole numbers): NULL when any is missing.
fn item_sum_sql(columns: &[&str]) -> String {
    if columns.is_empty() {
        return "CAST(NULL AS BIGINT)".to_string();
    }
    format!("({})", columns.iter().map(|c| format!("v_{c}")).collect::<Vec<_>>().join(" + "))
}

/// [`gap`] in SQL.
fn gap_sql(options: &ServqualOptions, d: usize) -> String {
    format!("({} - {})", item_sum_sql(&options.perception[d]), item_sum_sql(&options.expectation[d]))
}

/// [`overall`] in SQL.
fn overall_sql(options: &ServqualOptions) -> String {
    let l = options.lcm();
    let terms: Vec<String> =
        (0..5).map(|d| format!("{} * {}", gap_sql(options, d), l / options.numbers[d].len().max(1) as i64)).collect();
    format!("({})", terms.join(" + "))
}

/// [`points_ok`] in SQL; NULL when a point is missing.
fn points_ok_sql(options: &ServqualOptions) -> String {
    let sum = options.importance.iter().map(|c| format!("v_{c}")).collect::<Vec<_>>().join(" + ");
    format!("({sum}) BETWEEN 99.5 AND 100.5")
}

/// [`weighted`] in SQL: the same double arithmetic (x · 10000 + 0.5, truncated: points
/// are never negative; the literals are exact in every engine's double), then whole
/// numbers. A point above 1000 never passes the check; it is capped so that no engine
/// casts a huge double to a whole number.
fn weighted_sql(options: &ServqualOptions) -> String {
    let l = options.lcm();
    let terms: Vec<String> = (0..5)
        .map(|d| {
            let w = format!("LEAST(v_{}, 1000)", options.importance[d]);
            let parts = format!("CAST(FLOOR({w} * {POINT_PARTS:.1} + 0.5) AS BIGINT)");
            format!("{parts} * {} * {}", gap_sql(options, d), l / options.numbers[d].len().max(1) as i64)
        })
        .collect();
    format!("CASE WHEN {} THEN {} END", points_ok_sql(options), terms.join(" + "))
}

/// [`moments`] in SQL: n, Σ and Σ² (exact) of a per-respondent whole number that needs
/// the fields `needs`.
fn moments_sql(value: &str, name: &str, needs: &[&'static str]) -> Vec<SqlStat> {
    [(Moment::Count, "n"), (Moment::Sum, "sum"), (Moment::SumSquares, "sumsq")]
        .into_iter()
        .map(|(moment, what)| {
            SqlStat::new(ITEMS, what, Aggregate::Of(value.to_string(), moment))
                .named(&format!("{name}.{what}"))
                .needing(needs)
        })
        .collect()
}

/// The SQL twin of [`aggregations`] (SPEC §13), named alike. Each statistic needs its
/// item columns: one an input lacks is not computed, as its KPI is not.
pub fn sql(options: &ServqualOptions) -> Vec<SqlStat> {
    let o = options;
    let both = |d: usize| o.expectation[d].iter().chain(&o.perception[d]).copied().collect::<Vec<_>>();
    let all: Vec<&'static str> = (0..5).flat_map(both).collect();
    let mut weighted_needs = all.clone();
    weighted_needs.extend(o.importance);
    let mut out = Vec::new();
    for (d, name) in DIMENSIONS.iter().enumerate() {
        let g = gap_sql(o, d);
        out.extend(moments_sql(&g, &format!("sq.gap.{name}"), &both(d)));
        let expectation = format!("CASE WHEN {g} IS NOT NULL THEN {} END", item_sum_sql(&o.expectation[d]));
        out.push(
            SqlStat::new(ITEMS, "e", Aggregate::Of(expectation, Moment::Sum))
                .named(&format!("sq.gap.{name}.e"))
                .needing(&both(d)),
        );
        out.extend(moments_sql(&item_sum_sql(&o.perception[d]), &format!("sq.perf.{name}"), &o.perception[d]));
    }
    out.extend(moments_sql(&overall_sql(o), "sq.gap", &all));
    out.extend(moments_sql(&weighted_sql(o), "sq.wgap", &weighted_needs));
    let off =
        format!("CASE WHEN {} IS NOT NULL AND NOT COALESCE({}, FALSE) THEN 1 END", overall_sql(o), points_ok_sql(o));
    out.push(
        SqlStat::new(ITEMS, "off", Aggregate::Of(off, Moment::Count)).named("sq.wgap.off").needing(&weighted_needs),
    );
    out
}

/// The mean of n whole numbers `x / scale` from n, Σx and Σx² (exact), with a Student-t
/// interval from the sample sd √((n·Σx² − (Σx)²) / (n(n − 1))) / scale; none for one.
pub fn scaled_mean(n: u64, sum: i128, sum_sq: i128, scale: f64) -> Estimate {
    if n == 0 {
        return Estimate::empty(0);
    }
    let mean = sum as f64 / (n as f64 * scale);
    let sd = (n >= 2).then(|| {
        let big = i128::from(n);
        let numerator = (big * sum_sq - sum * sum).max(0);
        (numerator as f64 / (n as f64 * (n as f64 - 1.0))).sqrt() / scale
    });
    let ci = sd.and_then(|sd| stats::mean_t_interval(mean, sd, n as f64));
    Estimate { value: Some(mean), n, ci, details: sd.map(|sd| vec![("sd", sd)]).unwrap_or_default() }
}

impl Servqual {
    /// The aggregation name and the scale of its whole numbers.
    fn source(&self, options: &ServqualOptions) -> (String, f64) {
        let l = options.lcm() as f64;
        match self.0 {
            Which::Gap(d) => (format!("sq.gap.{}", DIMENSIONS[d]), options.numbers[d].len() as f64),
            Which::Perf(d) => (format!("sq.perf.{}", DIMENSIONS[d]), options.numbers[d].len() as f64),
            Which::Overall => ("sq.gap".to_string(), 5.0 * l),
            Which::Weighted => ("sq.wgap".to_string(), 100.0 * POINT_PARTS * l),
        }
    }

    /// The columns it needs.
    fn needs(&self, options: &ServqualOptions) -> Vec<&'static str> {
        let dimension = |d: usize| options.expectation[d].iter().chain(&options.perception[d]).copied();
        match self.0 {
            Which::Gap(d) => dimension(d).collect(),
            Which::Perf(d) => options.perception[d].clone(),
            Which::Overall => (0..5).flat_map(dimension).collect(),
            Which::Weighted => (0..5).flat_map(dimension).chain(options.importance).collect(),
        }
    }
}

impl SurveyKpi for Servqual {
    fn column(&self) -> &'static str {
        ITEMS
    }

    fn fields(&self, options: &MetricSettings) -> Vec<FieldRequest> {
        let o = &options.servqual;
        let score = ValueKind::Score { min: o.scale.0, max: o.scale.1, labels: None };
        let items =
            o.expectation.iter().chain(&o.perception).flatten().map(|&field| FieldRequest { field, kind: score });
        let points = o.importance.iter().map(|&field| FieldRequest { field, kind: ValueKind::NonNegative });
        items.chain(points).collect()
    }

    fn absent(&self, table: &crate::input::Table, options: &MetricSettings) -> Option<String> {
        let missing: Vec<&str> = self.needs(&options.servqual).into_iter().filter(|c| !table.has(c)).collect();
        (!missing.is_empty()).then(|| {
            let shown: Vec<&str> = missing.iter().take(6).copied().collect();
            let more = if missing.len() > 6 { format!(" and {} more", missing.len() - 6) } else { String::new() };
            format!(
                "no column {}{more} in {} (SERVQUAL items: [metrics.servqual] expectation, perception, importance, dimensions)",
                shown.join(", "),
                table.kind.as_str()
            )
        })
    }

    fn weighted(&self) -> bool {
        false
    }

    fn judged(&self, options: &MetricSettings) -> Vec<&'static str> {
        // Only its own items: an off-scale empathy item does not make tangibles suspect.
        self.needs(&options.servqual)
    }

    fn suspect(&self, df: &DataFrame) -> PolarsResult<Option<Vec<bool>>> {
        if self.0 != Which::Weighted {
            return Ok(None);
        }
        // Respondents with all five dimensions rejected for their points, over 5% of them.
        let off = super::frame::counts(df, "sq.wgap.off")?;
        let complete = super::frame::counts(df, "sq.gap.n")?;
        Ok(Some(off.iter().zip(&complete).map(|(&o, &n)| o as f64 > 0.05 * n as f64).collect()))
    }

    fn notes(&self, df: &DataFrame) -> PolarsResult<Vec<String>> {
        if self.0 != Which::Weighted {
            return Ok(Vec::new());
        }
        let off: u64 = super::frame::counts(df, "sq.wgap.off")?.iter().sum();
        Ok((off > 0)
            .then(|| format!("servqual_weighted_gap: {off} response(s) rejected for this metric: importance points missing or not summing to 100 (±0.5)"))
            .into_iter()
            .collect())
    }

    fn aggregations(&self, options: &MetricSettings, rows: Rows) -> Vec<Expr> {
        aggregations(&options.servqual, rows)
    }

    fn sql(&self, options: &MetricSettings) -> Option<Vec<SqlStat>> {
        Some(sql(&options.servqual))
    }

    fn sql_count(&self, options: &MetricSettings) -> String {
        format!("{}.n", self.source(&options.servqual).0)
    }

    fn estimates(&self, df: &DataFrame, options: &MetricSettings) -> PolarsResult<Vec<Estimate>> {
        let o = &options.servqual;
        let (name, scale) = self.source(o);
        let n = super::frame::counts(df, &format!("{name}.n"))?;
        let sum = super::frame::exact(df, &format!("{name}.sum"))?;
        let sum_sq = super::frame::exact(df, &format!("{name}.sumsq"))?;
        let expectation = match self.0 {
            Which::Gap(_) => Some(super::frame::exact(df, &format!("{name}.e"))?),
            _ => None,
        };
        Ok((0..n.len())
            .map(|i| {
                let mut e = scaled_mean(n[i], sum[i], sum_sq[i], scale);
                // Beside a gap: the mean expectation and perception of its respondents.
                if let (Some(total), true) = (&expectation, n[i] > 0) {
                    let per = n[i] as f64 * scale;
                    e.details.push(("expectation", total[i] as f64 / per));
                    e.details.push(("perception", (total[i] + sum[i]) as f64 / per));
                }
                e
            })
            .collect())
    }

    fn definition(&self, options: &MetricSettings) -> String {
        let o = &options.servqual;
        let scale = format!("scale {}–{}", o.scale.0, o.scale.1);
        let items = |d: usize| {
            format!(
                "items {} ({}…, {}…)",
                o.items_text(d),
                o.perception[d].first().copied().unwrap_or(""),
                o.expectation[d].first().copied().unwrap_or("")
            )
        };
        match self.0 {
            Which::Gap(d) => format!(
                "servqual_gap_{0} = mean over respondents of (mean of the {0} perception items − mean of its expectation items), {1}, {scale}; a respondent missing an item of {0} is left out of it; 95% t interval",
                DIMENSIONS[d],
                items(d)
            ),
            Which::Perf(d) => format!(
                "servperf_{0} = mean over respondents of the mean of the {0} perception items, items {1} ({2}…), {scale}; a respondent missing one is left out; 95% t interval",
                DIMENSIONS[d],
                o.items_text(d),
                o.perception[d].first().copied().unwrap_or("")
            ),
            Which::Overall => format!(
                "servqual_gap = mean over respondents with all five dimensions of the mean of their five dimension gaps (P − E), {scale}; 95% t interval"
            ),
            Which::Weighted => format!(
                "servqual_weighted_gap = mean over respondents of Σ_d w_d / 100 × gap_d, with importance points {}…{} that sum to 100 (rows off by more than 0.5 are rejected for this metric), {scale}; 95% t interval",
                o.importance[0], o.importance[4]
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::frame;

    /// Two dimensions' worth of a tiny questionnaire: dimension items 1–2 and 3, the
    /// rest empty, so the hand sums stay short.
    fn options() -> ServqualOptions {
        ServqualOptions::new("E{i}", "P{i}", "W_{dimension}", (1, 7), &[vec![1, 2], vec![3], vec![4], vec![5], vec![6]])
    }

    /// One frame row per respondent: E1..E6, P1..P6 and W_* (None = missing).
    /// One respondent: E1..E6, P1..P6 and the five importance points.
    type Respondent = ([Option<i32>; 6], [Option<i32>; 6], [Option<f64>; 5]);

    fn frame_of(rows: &[Respondent]) -> DataFrame {
        let o = options();
        let mut columns: Vec<Column> = Vec::new();
        for i in 0..6 {
            let e: Vec<Option<i32>> = rows.iter().map(|r| r.0[i]).collect();
            let p: Vec<Option<i32>> = rows.iter().map(|r| r.1[i]).collect();
            columns.push(Column::new(format!("E{}", i + 1).into(), e));
            columns.push(Column::new(format!("P{}", i + 1).into(), p));
        }
        for d in 0..5 {
            let w: Vec<Option<f64>> = rows.iter().map(|r| r.2[d]).collect();
            columns.push(Column::new(o.importance[d].into(), w));
        }
        DataFrame::new(rows.len(), columns).unwrap()
    }

    fn estimates(kpi: &Servqual, df: &DataFrame) -> Estimate {
        let settings = MetricSettings { servqual: options(), ..Default::default() };
        let out = df.clone().lazy().select(aggregations(&settings.servqual, Rows::Each)).collect().unwrap();
        kpi.estimates(&out, &settings).unwrap().remove(0)
    }

    const W: [Option<f64>; 5] = [Some(20.0), Some(30.0), Some(10.0), Some(15.0), Some(25.0)];

    /// The SQL statistics are named as the polars aggregation's columns, one for one.
    #[test]
    fn sql_statistics_are_the_polars_aggregations() {
        let df = frame_of(&[([Some(1); 6], [Some(2); 6], W)]);
        let out = df.lazy().select(aggregations(&options(), Rows::Each)).collect().unwrap();
        let mut polars: Vec<String> = out.get_column_names().iter().map(|n| n.to_string()).collect();
        let mut engine: Vec<String> = sql(&options()).into_iter().map(|s| s.name).collect();
        polars.sort();
        engine.sort();
        assert_eq!(engine, polars);
        // The weighted gap needs the importance points; servperf only the perceptions.
        let stats = sql(&options());
        let needs = |name: &str| stats.iter().find(|s| s.name == name).unwrap().needs.clone();
        assert!(needs("sq.wgap.n").contains(&"W_empathy".to_string()));
        assert_eq!(needs("sq.perf.tangibles.sum"), ["P1", "P2"]);
    }

    #[test]
    fn gaps_by_hand_with_a_respondent_missing_one_item() {
        // Respondent A: dimension 1 (items 1–2): E 6, 7 and P 5, 4: gap (4.5 − 6.5) = −2.
        // Respondent B: E 5, 5 and P 6, 6: gap +1. Respondent C lacks P2: left out of
        // dimension 1 only (its dimension 2 still counts).
        let a = (
            [Some(6), Some(7), Some(4), Some(5), Some(5), Some(5)],
            [Some(5), Some(4), Some(5), Some(5), Some(5), Some(6)],
            W,
        );
        let b = (
            [Some(5), Some(5), Some(3), Some(5), Some(5), Some(5)],
            [Some(6), Some(6), Some(4), Some(5), Some(5), Some(6)],
            W,
        );
        let c = (
            [Some(1), Some(1), Some(2), Some(5), Some(5), Some(5)],
            [Some(7), None, Some(7), Some(5), Some(5), Some(5)],
            W,
        );
        let df = frame_of(&[a, b, c]);
        let e = estimates(&GAP_TANGIBLES, &df);
        // Mean of −2 and 1 = −0.5, sd √4.5, t(1) = 12.7062047361747.
        assert_eq!((e.value, e.n), (Some(-0.5), 2));
        let half = 12.706_204_736_174_7 * 4.5_f64.sqrt() / 2_f64.sqrt();
        let (lo, hi) = e.ci.unwrap();
        assert!((lo - (-0.5 - half)).abs() < 1e-9 && (hi - (-0.5 + half)).abs() < 1e-9);
        // Expectation 6.5 and 5 → 5.75; perception 4.5 and 6 → 5.25.
        assert_eq!((e.detail("expectation"), e.detail("perception")), (Some(5.75), Some(5.25)));
        // Dimension 2 (item 3): A +1, B +1, C +5: mean 7/3.
        let e = estimates(&GAP_RELIABILITY, &df);
        assert_eq!(e.n, 3);
        assert!((e.value.unwrap() - 7.0 / 3.0).abs() < 1e-12);
        // servperf of dimension 1: A 4.5, B 6 (C lacks P2): 5.25.
        assert_eq!(estimates(&PERF_TANGIBLES, &df).value, Some(5.25));
        // Overall (A and B only): A gaps −2, 1, 0, 0, 1 → 0; B gaps 1, 1, 0, 0, 1 → 0.6.
        let e = estimates(&GAP, &df);
        assert_eq!(e.n, 2);
        assert!((e.value.unwrap() - 0.3).abs() < 1e-12);
        // Weighted: A 0.2·(−2) + 0.3·1 + 0.25·1 = 0.15; B 0.2 + 0.3 + 0.25 = 0.75 → 0.45.
        let e = estimates(&WEIGHTED_GAP, &df);
        assert_eq!(e.n, 2);
        assert!((e.value.unwrap() - 0.45).abs() < 1e-12, "{e:?}");
    }

    #[test]
    fn points_off_100_are_rejected_for_the_weighted_gap_only() {
        let row = |w: [Option<f64>; 5]| ([Some(4); 6], [Some(5); 6], w);
        // 99.6 is within 0.5 of 100 (kept); 99.4 and 100.6 are not; a missing point too.
        let df = frame_of(&[
            row([Some(20.0), Some(20.0), Some(20.0), Some(20.0), Some(19.6)]),
            row([Some(20.0), Some(20.0), Some(20.0), Some(20.0), Some(19.4)]),
            row([Some(20.0), Some(20.0), Some(20.0), Some(20.0), Some(20.6)]),
            row([Some(20.0), Some(20.0), Some(20.0), Some(20.0), None]),
        ]);
        let e = estimates(&WEIGHTED_GAP, &df);
        // Every gap is +1: Σ w/100 = 0.996.
        assert_eq!(e.n, 1);
        assert!((e.value.unwrap() - 0.996).abs() < 1e-12);
        assert_eq!(estimates(&GAP, &df).n, 4);
        let settings = options();
        let out = df.lazy().select(aggregations(&settings, Rows::Each)).collect().unwrap();
        // Off or missing points, among respondents with all five dimensions: 99.4, 100.6
        // and the missing one.
        assert_eq!(frame::counts(&out, "sq.wgap.off").unwrap(), vec![3]);
    }

    #[test]
    fn a_single_respondent_has_no_interval_and_none_no_figure() {
        let df = frame_of(&[([Some(3); 6], [Some(5); 6], W)]);
        let e = estimates(&GAP_EMPATHY, &df);
        assert_eq!((e.value, e.n, e.ci), (Some(2.0), 1, None));
        let empty = frame_of(&[([None; 6], [None; 6], [None; 5])]);
        assert_eq!(estimates(&GAP, &empty), Estimate::empty(0));
    }

    #[test]
    fn the_default_items_are_the_22_of_the_questionnaire() {
        let o = ServqualOptions::default();
        assert_eq!(o.numbers.iter().map(Vec::len).collect::<Vec<_>>(), vec![4, 5, 4, 4, 5]);
        assert_eq!(o.expectation[1][0], "E5");
        assert_eq!(o.perception[4][4], "P22");
        assert_eq!(o.importance[2], "W_responsiveness");
        assert_eq!(o.lcm(), 20);
    }
}
