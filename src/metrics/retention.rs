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
//! - The counts come from the distinct customer-periods ([`super::customer_periods`]).

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
    use crate::metrics::customer_periods::{KeySet, pack, retention_counts};

    /// (period, customer) transactions -> per-period estimates in period order.
    pub(crate) fn run(rows: &[(i32, u32)], variant: RetentionVariant) -> Vec<(i32, Estimate)> {
        let mut keys = KeySet::default();
        keys.add(rows.iter().map(|&(p, c)| pack(0, c, p).unwrap()).collect());
        retention_counts(&keys.finish())
            .into_iter()
            .map(|c| (c.period, retention(c.kept, c.at_risk, c.active, c.new, variant)))
            .collect()
    }

    #[test]
    fn classic_retention_and_a_reactivated_customer() {
        // period 1: a b c; period 2: a b (c gone); period 3: a c (c back, b gone), d new
        let (a, b, c, d) = (0, 1, 2, 3);
        let rows = [(1, a), (1, b), (1, c), (1, a), (2, a), (2, b), (3, a), (3, c), (3, d)];
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
    fn a_customer_with_a_single_transaction_and_an_empty_period() {
        // period 1: a; period 2: nobody; period 3: b
        let r = run(&[(1, 0), (3, 1)], RetentionVariant::Classic);
        // k = 2: at risk 1, kept 0 -> 0 %; k = 3: period 2 had no one -> not reported
        assert_eq!(r.len(), 1);
        assert_eq!((r[0].0, r[0].1.value, r[0].1.n), (2, Some(0.0), 1));
        let ch = churn(&r[0].1);
        assert_eq!(ch.value, Some(100.0));
        let (lo, hi) = r[0].1.ci.unwrap();
        assert_eq!(ch.ci, Some((100.0 - hi, 100.0 - lo)));
    }

    #[test]
    fn no_one_at_risk_gives_no_value() {
        assert_eq!(retention(0, 0, 5, 5, RetentionVariant::Classic), Estimate::empty(0));
    }
}
