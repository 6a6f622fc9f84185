//! Retention and churn, from transactions (SPEC §4).
//!
//! - A customer is *active* in a period when it has at least one transaction in it.
//! - `retention` for period k = 100 × |active in k−1 ∩ active in k| / |active in k−1|
//!   (n = active in k−1, Wilson 95% interval); `churn` = 100 − retention (interval
//!   mirrored).
//! - Variant `crr`: the classic (E − N) / S × 100, with E = active in k, N = customers
//!   whose first-ever transaction is in k, S = active in k−1. It counts re-activated
//!   customers (inactive in k−1, back in k) as retained, so it can exceed the default
//!   and even 100; no interval is given for it.
//! - With groups, a customer is active in a group when it has a transaction in that
//!   group; "first-ever" is over all groups. A period k is reported when k−1 has
//!   active customers and k is not after the last period in the data.

use polars::prelude::*;

use super::frame::counts;
use super::{Estimate, stats};

/// Which retention formula.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RetentionVariant {
    /// |active k−1 ∩ active k| / |active k−1|.
    #[default]
    Classic,
    /// (E − N) / S: counts re-activated customers as retained.
    Crr,
}

/// The column holding (groups, customer, period) packed into one number.
pub const KEY: &str = "retention.key";

/// The number of bits that hold the values 0..n.
fn bits(n: i64) -> u32 {
    64 - (n.max(1) as u64).leading_zeros()
}

/// The packed key of every row: group codes and the customer code in the high bits,
/// the period (as an offset from the first) in the low ones, so that one integer
/// identifies a customer-period and `key + 1` is the same customer one period later.
/// `None` when the frame is empty or the values do not fit in 64 bits.
fn packed_key(frame: &LazyFrame, groups: &[String]) -> PolarsResult<Option<Expr>> {
    let mut stats = vec![
        col("period_index").min().cast(DataType::Int64).alias("p.min"),
        col("period_index").max().cast(DataType::Int64).alias("p.max"),
        col("customer_id").max().cast(DataType::Int64).alias("c.max"),
    ];
    stats.extend(
        groups.iter().enumerate().map(|(i, g)| col(g.as_str()).max().cast(DataType::Int64).alias(format!("g.{i}"))),
    );
    let df = frame.clone().select(stats).collect()?;
    let value = |name: &str| -> PolarsResult<Option<i64>> { Ok(df.column(name)?.i64()?.get(0)) };
    let (Some(first), Some(last), Some(customers)) = (value("p.min")?, value("p.max")?, value("c.max")?) else {
        return Ok(None);
    };
    let period_bits = bits(last - first + 2);
    let mut shift = bits(customers + 1);
    let mut key = col("customer_id").cast(DataType::UInt64);
    for (i, g) in groups.iter().enumerate() {
        let Some(max) = value(&format!("g.{i}"))? else { return Ok(None) };
        if shift >= 64 {
            return Ok(None);
        }
        key = key + col(g.as_str()).cast(DataType::UInt64) * lit(1u64 << shift);
        shift += bits(max + 1);
    }
    if shift + period_bits > 64 {
        return Ok(None);
    }
    let offset = (col("period_index").cast(DataType::Int64) - lit(first)).cast(DataType::UInt64);
    Ok(Some(key * lit(1u64 << period_bits) + offset))
}

/// The distinct customer-periods: one row per (`period_index`, groups…,
/// `customer_id`) that has a transaction, with the packed [`KEY`] when it fits.
/// Rows without a customer are left out.
pub fn active(transactions: LazyFrame, groups: &[String]) -> PolarsResult<LazyFrame> {
    let base = transactions.filter(col("customer_id").is_not_null());
    let mut columns = vec![col("period_index")];
    columns.extend(groups.iter().map(|g| col(g.as_str())));
    columns.push(col("customer_id"));
    Ok(match packed_key(&base, groups)? {
        // One integer column to deduplicate on is much faster than three.
        Some(key) => {
            columns.push(key.alias(KEY));
            base.select(columns).unique(col(KEY).into_selector(), UniqueKeepStrategy::Any)
        }
        None => base.select(columns).unique(None, UniqueKeepStrategy::Any),
    })
}

fn key_names(groups: &[String]) -> Vec<Expr> {
    std::iter::once(col("period_index")).chain(groups.iter().map(|g| col(g.as_str()))).collect()
}

fn count_by(frame: LazyFrame, keys: &[Expr], name: &str) -> LazyFrame {
    frame.group_by(keys).agg([len().cast(DataType::UInt64).alias(name)])
}

fn left_join(left: LazyFrame, right: LazyFrame, keys: &[Expr]) -> LazyFrame {
    left.join(right, keys, keys, JoinArgs::new(JoinType::Left))
}

/// Per period k and group, from [`active`] rows: `retention.at_risk` (active in k−1),
/// `retention.kept` (active in k−1 and k), `retention.active` (active in k) and
/// `retention.new` (first-ever transaction in k). `period_index` is k.
pub fn counts_by_period(active: LazyFrame, groups: &[String]) -> LazyFrame {
    let keys = key_names(groups);
    let mut with_customer = keys.clone();
    with_customer.push(col("customer_id"));
    let previous = active.clone().with_column(col("period_index") + lit(1));
    let packed = active.clone().collect_schema().is_ok_and(|schema| schema.contains(KEY));
    let kept = if packed {
        // key + 1 is the same customer (and groups) one period later.
        let next = active.clone().select([(col(KEY) + lit(1u64)).alias(KEY)]);
        active.clone().join(next, [col(KEY)], [col(KEY)], JoinArgs::new(JoinType::Inner))
    } else {
        active.clone().join(previous.clone(), &with_customer, &with_customer, JoinArgs::new(JoinType::Inner))
    };
    let first = active.clone().group_by([col("customer_id")]).agg([col("period_index").min().alias("first_index")]);
    let new = active
        .clone()
        .join(first, [col("customer_id")], [col("customer_id")], JoinArgs::new(JoinType::Inner))
        .filter(col("period_index").eq(col("first_index")));
    let mut out = count_by(previous, &keys, "retention.at_risk");
    out = left_join(out, count_by(kept, &keys, "retention.kept"), &keys);
    out = left_join(out, count_by(active, &keys, "retention.active"), &keys);
    out = left_join(out, count_by(new, &keys, "retention.new"), &keys);
    // k runs over (active period + 1): the largest k is one past the last period.
    out.filter(col("period_index").lt(col("period_index").max())).with_columns([
        col("retention.kept").fill_null(lit(0u64)),
        col("retention.active").fill_null(lit(0u64)),
        col("retention.new").fill_null(lit(0u64)),
    ])
}

/// Retention % of one period and group.
pub fn retention(kept: u64, at_risk: u64, active: u64, new: u64, variant: RetentionVariant) -> Estimate {
    if at_risk == 0 {
        return Estimate::empty(0);
    }
    let details = vec![("kept", kept as f64), ("active", active as f64), ("new", new as f64)];
    match variant {
        RetentionVariant::Classic => Estimate {
            value: Some(100.0 * kept as f64 / at_risk as f64),
            n: at_risk,
            ci: stats::wilson(kept, at_risk).map(|(lo, hi)| (100.0 * lo, 100.0 * hi)),
            details,
        },
        RetentionVariant::Crr => Estimate {
            value: Some(100.0 * (active as f64 - new as f64) / at_risk as f64),
            n: at_risk,
            ci: None,
            details,
        },
    }
}

/// Churn % = 100 − retention, with the interval mirrored.
pub fn churn(retention: &Estimate) -> Estimate {
    Estimate {
        value: retention.value.map(|v| 100.0 - v),
        n: retention.n,
        ci: retention.ci.map(|(lo, hi)| (100.0 - hi, 100.0 - lo)),
        details: retention.details.clone(),
    }
}

/// Reads the retention estimates of every row of a [`counts_by_period`] frame.
pub fn estimates(df: &DataFrame, variant: RetentionVariant) -> PolarsResult<Vec<Estimate>> {
    let at_risk = counts(df, "retention.at_risk")?;
    let kept = counts(df, "retention.kept")?;
    let active = counts(df, "retention.active")?;
    let new = counts(df, "retention.new")?;
    Ok((0..at_risk.len()).map(|i| retention(kept[i], at_risk[i], active[i], new[i], variant)).collect())
}

/// The definition as printed in report footers.
pub fn definition(variant: RetentionVariant) -> String {
    match variant {
        RetentionVariant::Classic => "retention = 100 × |active in k−1 ∩ active in k| / |active in k−1| (active: ≥ 1 transaction in the period); churn = 100 − retention; 95% Wilson interval".to_string(),
        RetentionVariant::Crr => "retention (variant crr) = 100 × (E − N) / S, E = active in k, N = first-ever transaction in k, S = active in k−1; counts re-activated customers as retained; churn = 100 − retention; no interval".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (period, customer) transactions -> per-period estimates in period order.
    pub(crate) fn run(rows: &[(i32, &str)], variant: RetentionVariant) -> Vec<(i32, Estimate)> {
        let df = df!(
            "period_index" => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
            "customer_id" => rows.iter().map(|r| r.1).collect::<Vec<_>>()
        )
        .unwrap();
        let out = counts_by_period(active(df.lazy(), &[]).unwrap(), &[])
            .sort(["period_index"], Default::default())
            .collect()
            .unwrap();
        let periods = super::super::frame::integers(&out, "period_index").unwrap();
        periods.into_iter().map(|p| p.unwrap() as i32).zip(estimates(&out, variant).unwrap()).collect()
    }

    #[test]
    fn classic_retention_and_a_reactivated_customer() {
        // period 1: a b c; period 2: a b (c gone); period 3: a c (c back, b gone), d new
        let rows = [(1, "a"), (1, "b"), (1, "c"), (1, "a"), (2, "a"), (2, "b"), (3, "a"), (3, "c"), (3, "d")];
        let r = run(&rows, RetentionVariant::Classic);
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].0, 2);
        assert!((r[0].1.value.unwrap() - 200.0 / 3.0).abs() < 1e-12);
        assert_eq!(r[0].1.n, 3);
        // period 3: of a, b only a stays -> 50 %; c's return does not count
        assert_eq!((r[1].1.value, r[1].1.n), (Some(50.0), 2));
        assert_eq!(churn(&r[1].1).value, Some(50.0));
        // crr: E = 3 (a, c, d), N = 1 (d), S = 2 -> 100 %: c counts as retained
        let c = run(&rows, RetentionVariant::Crr);
        assert_eq!(c[1].1.value, Some(100.0));
        assert_eq!(c[0].1.value, Some(200.0 / 3.0 * 1.0));
    }

    #[test]
    fn keys_too_wide_to_pack_use_the_multi_column_join() {
        // group codes and customer codes of 32 bits each leave no room for the period
        let big = u32::MAX - 1;
        let df = df!(
            "period_index" => [1, 1, 2, 2],
            "g" => [big, 0, big, 0],
            "customer_id" => [big, 5, big, 6],
        )
        .unwrap();
        let groups = vec!["g".to_string()];
        assert!(packed_key(&df.clone().lazy(), &groups).unwrap().is_none());
        let frame = active(df.lazy(), &groups).unwrap();
        let out = counts_by_period(frame, &groups).sort(["g"], Default::default()).collect().unwrap();
        let e = estimates(&out, RetentionVariant::Classic).unwrap();
        // group 0: customer 5 gone, 6 new -> 0 %; group big: customer big stays -> 100 %
        assert_eq!((e[0].value, e[1].value), (Some(0.0), Some(100.0)));
    }

    #[test]
    fn a_customer_with_a_single_transaction_and_an_empty_period() {
        // period 1: a; period 2: nobody; period 3: b
        let r = run(&[(1, "a"), (3, "b")], RetentionVariant::Classic);
        // k = 2: at risk 1, kept 0 -> 0 %; k = 3: period 2 had no one -> not reported
        assert_eq!(r.len(), 1);
        assert_eq!((r[0].0, r[0].1.value, r[0].1.n), (2, Some(0.0), 1));
        let ch = churn(&r[0].1);
        assert_eq!(ch.value, Some(100.0));
        let (lo, hi) = r[0].1.ci.unwrap();
        assert_eq!(ch.ci, Some((100.0 - hi, 100.0 - lo)));
    }
}
