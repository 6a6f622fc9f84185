//! NPS, Net Promoter Score (SPEC §4).
//!
//! - Answers 0–10, whole numbers only. Promoters 9–10, passives 7–8, detractors 0–6.
//! - `nps` = 100 × (promoters − detractors) / respondents, on −100..+100.
//! - Per-respondent variance (scores +1 / 0 / −1): `var = p + d − (p − d)²`,
//!   `se = sqrt(var / n)` (reported in points: × 100).
//! - 95% interval: adjusted Wald by default (add 3 to n, ¾ to promoters and ¾ to
//!   detractors, then Wald on the adjusted shares); plain Wald as an option.

use polars::prelude::*;

use super::frame::Rows;
use super::{Estimate, stats};
use crate::metrics::sql::{Aggregate, Cmp, SqlStat};

/// The column the 0–10 answer is read from.
pub const COLUMN: &str = "nps";

/// The NPS answer scale.
pub const SCALE: (i32, i32) = (0, 10);

/// How the NPS interval is computed (`[metrics.nps] interval`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NpsInterval {
    /// Adjusted Wald (the default).
    #[default]
    AdjustedWald,
    /// Plain Wald: nps ± 1.96 se.
    Wald,
}

/// NPS settings (`[metrics.nps]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NpsOptions {
    /// The interval method.
    pub interval: NpsInterval,
}

/// Promoter, passive and detractor counts of one group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NpsCounts {
    /// Answers 9–10.
    pub promoters: u64,
    /// Answers 0–6.
    pub detractors: u64,
    /// All valid answers.
    pub n: u64,
}

impl NpsCounts {
    /// Counts the valid answers in `answers` (values outside 0–10 are ignored).
    pub fn from_answers(answers: &[i32]) -> Self {
        let valid = answers.iter().filter(|a| (0..=10).contains(*a));
        let mut counts = NpsCounts::default();
        for &a in valid {
            counts.n += 1;
            if a >= 9 {
                counts.promoters += 1;
            } else if a <= 6 {
                counts.detractors += 1;
            }
        }
        counts
    }

    /// Answers 7–8.
    pub fn passives(&self) -> u64 {
        self.n - self.promoters - self.detractors
    }
}

/// The aggregations that feed [`nps`]: `nps.n`, `nps.promoters`, `nps.detractors`.
pub fn aggregations(rows: Rows) -> Vec<Expr> {
    aggregations_of(COLUMN, rows)
}

/// [`aggregations`] of a 0–10 answer column (`nps`, or `enps` for employees).
pub fn aggregations_of(column: &str, rows: Rows) -> Vec<Expr> {
    vec![
        rows.count_valid(column, &format!("{column}.n")),
        rows.count_true(col(column).gt_eq(lit(9)), &format!("{column}.promoters")),
        rows.count_true(col(column).lt_eq(lit(6)), &format!("{column}.detractors")),
    ]
}

/// The SQL twin of [`aggregations_of`] (SPEC §13): `<column>.n`, `.promoters` (9–10),
/// `.detractors` (0–6).
pub fn sql_of(column: &str) -> Vec<SqlStat> {
    vec![
        SqlStat::new(column, "n", Aggregate::Count),
        SqlStat::new(column, "promoters", Aggregate::CountIf(Cmp::AtLeast, 9)),
        SqlStat::new(column, "detractors", Aggregate::CountIf(Cmp::AtMost, 6)),
    ]
}

/// Groups `frame` by `keys` and computes the NPS aggregations.
pub fn aggregate(frame: LazyFrame, keys: &[Expr]) -> LazyFrame {
    frame.group_by(keys).agg(aggregations(Rows::Each))
}

/// NPS with its 95% interval, se and composition. `None` value when n is 0.
pub fn nps(counts: NpsCounts, options: &NpsOptions) -> Estimate {
    let NpsCounts { promoters, detractors, n } = counts;
    if n == 0 {
        return Estimate::empty(0);
    }
    let value = 100.0 * (promoters as f64 - detractors as f64) / n as f64;
    let (p, d, size) = (promoters as f64, detractors as f64, n as f64);
    let interval = interval(p, d, size, options);
    let se = stats::nps_se(p, d, size).unwrap_or(0.0);
    Estimate {
        value: Some(value),
        n,
        ci: interval.map(|(lo, hi)| (100.0 * lo, 100.0 * hi)),
        details: vec![
            ("promoters", promoters as f64),
            ("passives", counts.passives() as f64),
            ("detractors", detractors as f64),
            ("se", 100.0 * se),
        ],
    }
}

/// The 95% interval (fraction scale) for promoter and detractor counts (or
/// effective counts) out of `n`.
fn interval(promoters: f64, detractors: f64, n: f64, options: &NpsOptions) -> Option<(f64, f64)> {
    match options.interval {
        NpsInterval::AdjustedWald => stats::nps_adjusted_wald(promoters, detractors, n),
        NpsInterval::Wald => stats::nps_wald(promoters, detractors, n),
    }
}

/// Weighted NPS (SPEC §14): promoter and detractor shares `Σw·[9–10] / Σw` and
/// `Σw·[0–6] / Σw`; se and interval as for counts of `share × n_eff` out of Kish's
/// effective n. The unweighted composition stays in the details, with `promoters_w`
/// and `detractors_w` (the weighted sums), `n_eff`, `sum_w` and `sum_w2`.
pub fn weighted_nps(
    counts: NpsCounts,
    promoters_w: f64,
    detractors_w: f64,
    weights: super::share::Weights,
    options: &NpsOptions,
) -> Estimate {
    if counts.n == 0 || weights.sum <= 0.0 {
        return Estimate::empty(counts.n);
    }
    let (p, d, n_eff) = (promoters_w / weights.sum, detractors_w / weights.sum, weights.n_eff());
    let interval = interval(p * n_eff, d * n_eff, n_eff, options);
    let se = stats::nps_se(p * n_eff, d * n_eff, n_eff).unwrap_or(0.0);
    let mut details = vec![
        ("promoters", counts.promoters as f64),
        ("passives", counts.passives() as f64),
        ("detractors", counts.detractors as f64),
        ("se", 100.0 * se),
        ("promoters_w", promoters_w),
        ("detractors_w", detractors_w),
    ];
    details.extend(weights.details());
    Estimate {
        value: Some(100.0 * (promoters_w - detractors_w) / weights.sum),
        n: counts.n,
        ci: interval.map(|(lo, hi)| (100.0 * lo, 100.0 * hi)),
        details,
    }
}

/// The definition as printed in report footers.
pub fn definition(options: &NpsOptions) -> String {
    let interval = match options.interval {
        NpsInterval::AdjustedWald => "adjusted-Wald",
        NpsInterval::Wald => "Wald",
    };
    format!(
        "nps = 100 × (promoters 9–10 − detractors 0–6) / respondents, answers 0–10; se = sqrt((p + d − (p − d)²) / n); 95% {interval} interval"
    )
}

/// The `nps` column as the share KPIs read it.
const SCORES: super::survey::ScoreColumn = super::survey::ScoreColumn {
    column: COLUMN,
    aggregations: |_, rows| aggregations(rows),
    sql: |_| sql_of(COLUMN),
    scale: |_| SCALE,
    definition: |options| definition(&options.nps),
    labels: |_| None,
};

/// `nps_promoters_pct` = 100 × promoters (9–10) / respondents, Wilson 95% interval
/// (SPEC §11).
pub const PROMOTERS_PCT: super::survey::CountShare = super::survey::CountShare {
    scores: SCORES,
    count: "promoters",
    definition: |_| {
        "nps_promoters_pct = 100 × count(answer 9–10) / respondents, answers 0–10; 95% Wilson interval".to_string()
    },
};

/// `nps_detractors_pct` = 100 × detractors (0–6) / respondents, Wilson 95% interval.
/// Lower is better.
pub const DETRACTORS_PCT: super::survey::CountShare = super::survey::CountShare {
    scores: SCORES,
    count: "detractors",
    definition: |_| {
        "nps_detractors_pct = 100 × count(answer 0–6) / respondents, answers 0–10; 95% Wilson interval".to_string()
    },
};

/// `nps` as a survey KPI (see [`super::survey::SurveyKpi`]), and `enps` (SPEC §12:
/// the same definition and interval on the employee surveys' `enps` column).
#[derive(Debug)]
pub struct Nps {
    /// The 0–10 answer column.
    pub column: &'static str,
}

/// `nps` on the surveys.
pub const NPS: Nps = Nps { column: COLUMN };

/// `enps` on the employee surveys.
pub const ENPS: Nps = Nps { column: "enps" };

impl super::survey::SurveyKpi for Nps {
    fn column(&self) -> &'static str {
        self.column
    }

    fn fields(&self, _: &super::MetricSettings) -> Vec<crate::input::FieldRequest> {
        vec![super::survey::score_field(self.column, SCALE, None)]
    }

    fn aggregations(&self, _: &super::MetricSettings, rows: Rows) -> Vec<Expr> {
        aggregations_of(self.column, rows)
    }

    fn sql(&self, _: &super::MetricSettings) -> Option<Vec<SqlStat>> {
        Some(sql_of(self.column))
    }

    fn estimates(&self, df: &DataFrame, options: &super::MetricSettings) -> PolarsResult<Vec<Estimate>> {
        let c = self.column;
        let n = super::frame::counts(df, &format!("{c}.n"))?;
        let promoters = super::frame::counts(df, &format!("{c}.promoters"))?;
        let detractors = super::frame::counts(df, &format!("{c}.detractors"))?;
        let counts = |i: usize| NpsCounts { promoters: promoters[i], detractors: detractors[i], n: n[i] };
        if let (Some(weights), Some(p), Some(d)) = (
            super::share::weights(df, c)?,
            super::share::weighted(df, &format!("{c}.promoters"))?,
            super::share::weighted(df, &format!("{c}.detractors"))?,
        ) {
            return Ok((0..n.len()).map(|i| weighted_nps(counts(i), p[i], d[i], weights[i], &options.nps)).collect());
        }
        Ok((0..n.len()).map(|i| nps(counts(i), &options.nps)).collect())
    }

    fn definition(&self, options: &super::MetricSettings) -> String {
        let text = definition(&options.nps);
        if self.column == COLUMN {
            return text;
        }
        format!("e{text}; over the employee surveys' 0–10 answers (would you recommend working here?)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::frame;

    fn of(answers: &[i32]) -> Estimate {
        nps(NpsCounts::from_answers(answers), &NpsOptions::default())
    }

    fn detail(e: &Estimate, name: &str) -> f64 {
        e.details.iter().find(|(k, _)| *k == name).unwrap().1
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn spec_examples() {
        let e = of(&[0, 7, 7, 9, 9, 9]);
        assert!(close(e.value.unwrap(), 100.0 / 3.0));
        assert!(close(detail(&e, "se"), 30.429_030_972_509_225));
        assert_eq!(detail(&e, "promoters"), 3.0);
        assert_eq!(detail(&e, "passives"), 2.0);
        assert_eq!(detail(&e, "detractors"), 1.0);
        let (lo, hi) = e.ci.unwrap();
        assert!(close(lo, -26.743_258_794_104_54) && close(hi, 71.187_703_238_548_98));

        assert!(close(detail(&of(&[1, 9]), "se"), 70.710_678_118_654_76));
        assert!(close(detail(&of(&[7, 9]), "se"), 35.355_339_059_327_38));
        let e = of(&[0, 7, 9]);
        assert_eq!(e.value, Some(0.0));
        assert!(close(detail(&e, "se"), 47.140_452_079_103_17));
        assert_eq!(of(&[0]).value, Some(-100.0));
        assert_eq!(of(&[10]).value, Some(100.0));
        assert_eq!(of(&[7]).value, Some(0.0));
    }

    #[test]
    fn category_boundaries() {
        // 6 is a detractor, 7 and 8 passives, 9 a promoter.
        let e = of(&[6, 7, 8, 9]);
        assert_eq!(e.value, Some(0.0));
        assert_eq!(detail(&e, "passives"), 2.0);
    }

    #[test]
    fn wald_option() {
        let e = nps(NpsCounts::from_answers(&[0, 7, 7, 9, 9, 9]), &NpsOptions { interval: NpsInterval::Wald });
        let (lo, hi) = e.ci.unwrap();
        assert!(close(lo, -26.306_471_457_238_556) && close(hi, 92.973_138_123_905_23));
    }

    #[test]
    fn polars_aggregation_matches_the_counts() {
        let answers = vec![Some(0), Some(7), None, Some(7), Some(9), Some(9), Some(10)];
        let df = df!("g" => vec!["a"; 7], "nps" => answers).unwrap();
        let out = aggregate(df.lazy(), &[col("g")]).collect().unwrap();
        let counts = NpsCounts {
            promoters: frame::counts(&out, "nps.promoters").unwrap()[0],
            detractors: frame::counts(&out, "nps.detractors").unwrap()[0],
            n: frame::counts(&out, "nps.n").unwrap()[0],
        };
        assert_eq!(counts, NpsCounts { promoters: 3, detractors: 1, n: 6 });
        assert_eq!(nps(NpsCounts::default(), &NpsOptions::default()), Estimate::empty(0));
    }
}
