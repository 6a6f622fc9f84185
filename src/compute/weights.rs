//! Survey weights in the survey loop (SPEC §14; see `metrics::share` for the weighted
//! figures). The weights are summed as whole numbers so that every sum is exact: each
//! weight is quantised to 51 significant bits of the largest one (w / u rounded, with u
//! = 2^(e − 50) for the largest weight in [2^e, 2^(e+1))), a change below 2^−51 of the
//! largest weight (as close as a double can say it), and Σw, Σw², Σw·[counted] and Σw·x are exact Int128
//! sums. So the figures do not depend on the row order or the engine (`--streaming`
//! gives the same digits), and no weight overflows (1e300 is as good as 1).
//!
//! A response with a score but no valid weight is left out of the weighted figures and
//! counted in a note; more than 5% of a figure's responses with a rejected weight flag
//! it `rejected`, as a rejected score would.

use anyhow::Result;
use polars::prelude::*;

use super::{Estimate, Results};
use crate::input::Table;
use crate::input::compact::{Rows, SURVEY_WEIGHT};
use crate::metrics::frame::counts;

/// One whole-number step of the quantised weights: 2^k.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Unit(pub i32);

/// The step for the table's weights: 2^(e − 50) for the largest weight in
/// [2^e, 2^(e+1)) (1 when there is none above 0).
pub fn unit(table: &Table) -> Result<Unit> {
    let max = table.frame.column(SURVEY_WEIGHT)?.as_materialized_series().cast(&DataType::Float64)?.f64()?.max();
    let Some(max) = max.filter(|m| *m > 0.0 && m.is_finite()) else { return Ok(Unit(0)) };
    Ok(Unit(exponent(max) - 50))
}

/// e with 2^e ≤ x < 2^(e+1), exactly (from the bits: a `log2` may round up just below
/// a power of two), for a finite x > 0.
fn exponent(x: f64) -> i32 {
    let bits = x.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    if biased == 0 {
        // Subnormal: the mantissa's top bit times 2^−1074.
        let mantissa = bits & ((1 << 52) - 1);
        63 - mantissa.leading_zeros() as i32 - 1074
    } else {
        biased - 1023
    }
}

/// The SQL twin of [`unit`] and [`quantise`] (SPEC §13): one row of the largest weight
/// of the used rows of `clean` (`v_weight`, a double of type `double`), its step's
/// exponent `k`, the two factors `pa`, `pb` that bring a weight to steps exactly, as
/// [`quantise`] multiplies, and a quarter step `h` (0 below the least double): a weight
/// below it is 0 steps, and is not multiplied (its product may underflow, which stops
/// PostgreSQL; a weight of h or more never does, and just below half a step the sum
/// w / 2^k + 0.5 may round up to 1, so half a step would not do). The exponent is LN's estimate, put right by comparing with
/// the powers of two next to it (POWER of 2 is exact).
pub fn unit_sql(clean: &str, double: &str) -> String {
    let two = format!("CAST(2 AS {double})");
    let estimate = format!("CAST(FLOOR(LN(CASE WHEN m > 0 THEN m ELSE 1 END) / LN({two})) AS INTEGER)");
    let e = format!(
        "CASE WHEN e0 < 1023 AND m >= POWER({two}, e0 + 1) THEN e0 + 1 WHEN e0 > -1074 AND m < POWER({two}, e0) THEN e0 - 1 ELSE e0 END"
    );
    format!(
        "SELECT k, POWER({two}, f) AS pa, POWER({two}, -k - f) AS pb, CASE WHEN k - 2 < -1074 THEN CAST(0 AS {double}) ELSE POWER({two}, k - 2) END AS h FROM (SELECT k, GREATEST(LEAST(-k, 1000), -1000) AS f FROM (SELECT CASE WHEN m IS NULL OR m <= 0 THEN 0 ELSE {e} - 50 END AS k FROM (SELECT m, LEAST(GREATEST({estimate}, -1074), 1023) AS e0 FROM (SELECT MAX(v_{SURVEY_WEIGHT}) AS m FROM {clean} WHERE used = 1) s1) s2) s3) s4"
    )
}

/// The quantised weight of a cleaned row (see [`unit_sql`]) as SQL: its steps, rounded
/// half up as [`quantise`] rounds; of a used row only (the others may pass the largest).
pub fn steps_sql() -> String {
    let w = format!("v_{SURVEY_WEIGHT}");
    format!("CASE WHEN used = 1 THEN CASE WHEN {w} < h THEN 0 ELSE CAST(FLOOR({w} * pa * pb + 0.5) AS BIGINT) END END")
}

/// The SQL twins of the counts [`column_parts`] adds for one score column (its
/// responses without a weight, with a rejected weight, with a score) and of Σw².
/// `column` is the score as read (`v_csat`); the weighted figures read it only where
/// the weight is valid.
pub fn sql_parts(column: &str) -> Vec<crate::metrics::sql::SqlStat> {
    use crate::metrics::sql::{Aggregate, SqlStat};
    let (v, w) = (format!("v_{column}"), format!("v_{SURVEY_WEIGHT}"));
    let rejected = format!("r_{SURVEY_WEIGHT}");
    vec![
        SqlStat::new(column, "unweighted", Aggregate::CountWhere(format!("{v} IS NOT NULL AND {w} IS NULL"))),
        SqlStat::new(column, "weight_rejected", Aggregate::CountWhere(format!("{v} IS NOT NULL AND {rejected} = 1"))),
        SqlStat::new(column, "scored", Aggregate::CountWhere(format!("{v} IS NOT NULL"))),
        SqlStat::new(column, "n@w2", Aggregate::SquaredWeights),
    ]
}

/// 2^k, exactly, for k from −1074 (the least subnormal) to 1023 (`powi` would go
/// through 1 / 2^-k, which overflows below −1023).
fn power_of_two(k: i32) -> f64 {
    match k {
        k if k > 1023 => f64::INFINITY,
        k if k >= -1022 => f64::from_bits(((k + 1023) as u64) << 52),
        k if k >= -1074 => f64::from_bits(1u64 << (k + 1074)),
        _ => 0.0,
    }
}

/// The frame with its weights as whole numbers of `unit`: times 2^−k (exact), in two
/// factors that are each a normal number (polars may turn a division into a
/// multiplication by the reciprocal, and 2^1036 is not a double).
pub fn quantise(frame: LazyFrame, unit: Unit) -> LazyFrame {
    let first = (-unit.0).clamp(-1000, 1000);
    let (a, b) = (power_of_two(first), power_of_two(-unit.0 - first));
    let steps = (col(SURVEY_WEIGHT).cast(DataType::Float64) * lit(a) * lit(b) + lit(0.5)).cast(DataType::Int64);
    frame.with_column(steps.alias(SURVEY_WEIGHT))
}

/// What one score column adds: the columns derived before aggregating (its responses
/// without a weight, those with a rejected weight; the score itself cleared where the
/// weight is missing) and the aggregations (their counts, the weighted sums and Σw²).
pub fn column_parts(column: &str, table: &Table, aggregations: Vec<Expr>) -> (Vec<Expr>, Vec<Expr>) {
    let unweighted = format!("{column}.unweighted");
    let scored = format!("{column}.scored");
    let bad_weight = format!("{column}.weight_rejected");
    let rejected_weight = if table.rejected_fields.contains(&SURVEY_WEIGHT) {
        col(crate::input::chunk::rejected_column(SURVEY_WEIGHT).as_str()).eq(lit(true))
    } else {
        lit(false)
    };
    let derived = vec![
        col(column).is_not_null().and(col(SURVEY_WEIGHT).is_null()).alias(&unweighted),
        col(column).is_not_null().and(rejected_weight).alias(&bad_weight),
        col(column).is_not_null().alias(&scored),
        when(col(SURVEY_WEIGHT).is_not_null()).then(col(column)).otherwise(lit(NULL)).alias(column),
    ];
    let sampled = Rows::Sampled { compacted: table.rows == Rows::Weighted };
    let mut out = vec![
        table.rows.count_true(col(&unweighted), &unweighted),
        table.rows.count_true(col(&bad_weight), &bad_weight),
        table.rows.count_true(col(&scored), &scored),
    ];
    out.extend(aggregations);
    out.extend(sampled.sum_squared_weights(column, &format!("{column}.n")));
    (derived, out)
}

/// Per aggregated row: more than 5% of the responses with a score had a rejected weight.
pub fn rejected(df: &DataFrame, column: &str) -> Result<Vec<bool>> {
    let bad = counts(df, &format!("{column}.weight_rejected"))?;
    let scored = counts(df, &format!("{column}.scored"))?;
    Ok(bad.iter().zip(&scored).map(|(&b, &s)| b as f64 > super::REJECTED_SHARE * s as f64).collect())
}

/// Notes the responses left out for want of a weight, and the groups whose weights sum
/// to 0 steps of `unit` (no figure).
pub fn notes(df: &DataFrame, column: &str, unit: Unit, results: &mut Results) -> Result<()> {
    let left_out: u64 = counts(df, &format!("{column}.unweighted"))?.iter().sum();
    if left_out > 0 {
        results.notes.push(format!(
            "{column}: {left_out} response(s) with a score but no valid weight left out of the weighted figures (--unweighted counts every response once)"
        ));
    }
    let n = counts(df, &format!("{column}.n"))?;
    let sum = crate::metrics::frame::exact(df, &crate::input::compact::weighted_name(&format!("{column}.n")))?;
    let zero = n.iter().zip(&sum).filter(|(n, s)| **n > 0 && **s == 0).count();
    if zero > 0 {
        results.notes.push(format!(
            "{column}: {zero} period(s) or group(s) have no weighted figure: their weights are all 0 or below half the step 2^{} = {:e} in which weights are summed exactly (2^-50 of the largest weight's power of two) (--unweighted counts every response once)",
            unit.0,
            power_of_two(unit.0)
        ));
    }
    Ok(())
}

/// Notes for the survey files without a weight column when others of their input have
/// one: their responses are in no weighted figure (SPEC §2: nothing silent).
pub fn files_without_weights(quality: &crate::input::DataQuality, kind: crate::input::Kind) -> Vec<String> {
    let files: Vec<_> = quality.files.iter().filter(|f| f.kind == kind).collect();
    if !files.iter().any(|f| f.fields.contains_key(SURVEY_WEIGHT)) {
        return Vec::new();
    }
    files
        .iter()
        .filter(|f| f.rows_used > 0 && !f.fields.contains_key(SURVEY_WEIGHT))
        .map(|f| {
            format!(
                "{}: no {SURVEY_WEIGHT} column: its {} used response(s) are in no weighted figure (give every {} file a weight column, or --unweighted)",
                f.file,
                f.rows_used,
                kind.as_str()
            )
        })
        .collect()
}

/// Puts the weighted sums of the details back in the weights' own units.
pub fn unscale(estimates: &mut [Estimate], unit: Unit) {
    let (step, square) = (power_of_two(unit.0), power_of_two(2 * unit.0));
    for e in estimates {
        for (name, value) in &mut e.details {
            match *name {
                "sum_w" | "promoters_w" | "detractors_w" => *value *= step,
                "sum_w2" => *value *= square,
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn powers_of_two_across_the_whole_range() {
        assert_eq!(power_of_two(0), 1.0);
        assert_eq!(power_of_two(-40), 1.0 / 1_099_511_627_776.0);
        assert_eq!(power_of_two(1023), 2f64.powi(1023));
        assert_eq!(power_of_two(-1036), f64::from_bits(1 << 38));
        assert!(power_of_two(-1046) > 0.0 && 1e-300 / power_of_two(-1046) < 2f64.powi(51));
        assert_eq!(power_of_two(-1074), f64::from_bits(1));
    }

    #[test]
    fn exponents_are_exact_at_and_just_below_powers_of_two() {
        assert_eq!(exponent(1.0), 0);
        assert_eq!(exponent(3.0), 1);
        assert_eq!(exponent(0.75), -1);
        // The double just below 2: 1.999…, exponent 0 (a log2 may say 1).
        assert_eq!(exponent(f64::from_bits(2f64.to_bits() - 1)), 0);
        assert_eq!(exponent(f64::MAX), 1023);
        assert_eq!(exponent(f64::MIN_POSITIVE), -1022);
        assert_eq!(exponent(f64::from_bits(1)), -1074);
        assert_eq!(exponent(f64::from_bits(3)), -1073);
        assert_eq!(exponent(1e300), 996);
        assert_eq!(exponent(1e-310), -1030);
    }
}
