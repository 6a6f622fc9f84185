//! Activity per period (SPEC §11), from the transactions, with no interval:
//!
//! - `transactions` = the number of transaction rows in the period and group;
//! - `revenue` = Σ revenue (summed exactly in millionths);
//! - `active_customers` = the distinct customers with a transaction there;
//! - `revenue_per_customer` = revenue / active customers.
//!
//! A period and group without transactions has no row; without a `revenue` column the
//! revenue figures are not computed (a note says so).

use super::Estimate;

/// A count as a figure: its value and n are the count.
pub fn count(n: u64) -> Estimate {
    Estimate { value: Some(n as f64), n, ci: None, details: Vec::new() }
}

/// Revenue over `transactions` rows.
pub fn revenue(revenue: f64, transactions: u64) -> Estimate {
    Estimate { value: Some(revenue), n: transactions, ci: None, details: Vec::new() }
}

/// `revenue_per_customer` = revenue / active customers; none without customers.
pub fn revenue_per_customer(revenue: f64, active: u64) -> Estimate {
    if active == 0 {
        return Estimate::empty(0);
    }
    Estimate { value: Some(revenue / active as f64), n: active, ci: None, details: vec![("revenue", revenue)] }
}

/// The definition of `transactions`.
pub const TRANSACTIONS: &str = "transactions = count(transaction rows) in the period and group";

/// The definition of `revenue`.
pub const REVENUE: &str = "revenue = Σ revenue of the transactions in the period and group, summed exactly";

/// The definition of `active_customers`.
pub const ACTIVE_CUSTOMERS: &str =
    "active_customers = count(distinct customers with a transaction in the period and group)";

/// The definition of `revenue_per_customer`.
pub const REVENUE_PER_CUSTOMER: &str = "revenue_per_customer = revenue / active_customers in the period and group";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revenue_per_customer_by_hand_and_without_customers() {
        let e = revenue_per_customer(250.5, 3);
        assert_eq!((e.value, e.n, e.ci), (Some(83.5), 3, None));
        assert_eq!(revenue_per_customer(10.0, 0).value, None);
        assert_eq!(count(7).value, Some(7.0));
    }
}
