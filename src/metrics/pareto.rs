//! The complaint Pareto (SPEC §11): which categories (topics, stages) the complaints
//! of one period come from.
//!
//! - Categories are sorted by complaints, most first, ties by name.
//! - `share_pct` = 100 × complaints / all complaints of the period; `cumulative_pct`
//!   the running sum of the shares in that order.
//! - `vital` is true for the categories up to and including the first whose cumulative
//!   share reaches 80% (exactly 80 reaches it): the vital few.
//! - `per_1000` = 1000 × complaints / transactions of the period, with the exact
//!   Poisson (Garwood) 95% interval; without transactions, per 1000 interactions of
//!   that category.
//! - `previous` = the category's complaints in the period before (none when that
//!   period has no interactions at all), `change` = complaints − previous.
//! - With no complaint in the period, shares are empty and nothing is vital.

use super::Estimate;
use super::complaints::complaints_per_1000;

/// The cumulative share the vital few reach.
pub const VITAL_SHARE: f64 = 80.0;

/// One category's counts in the judged period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    /// The category (a topic value).
    pub name: String,
    /// Complaints in the period.
    pub complaints: u64,
    /// Interactions in the period.
    pub interactions: u64,
    /// Complaints in the period before, when that period had interactions.
    pub previous: Option<u64>,
    /// More than 5% of its complaint values were rejected: suspect data.
    pub suspect: bool,
}

/// One row of the Pareto table.
#[derive(Debug, Clone, PartialEq)]
pub struct ParetoRow {
    /// The category.
    pub category: String,
    /// Complaints in the period.
    pub complaints: u64,
    /// Its share of all complaints, in percent.
    pub share_pct: Option<f64>,
    /// The running share, in percent.
    pub cumulative_pct: Option<f64>,
    /// The rate per 1000 transactions (or interactions of the category), Garwood.
    pub per_1000: Estimate,
    /// Complaints in the period before.
    pub previous: Option<u64>,
    /// complaints − previous.
    pub change: Option<i64>,
    /// One of the vital few.
    pub vital: bool,
    /// Suspect data (see [`Category::suspect`]).
    pub suspect: bool,
}

/// The Pareto rows of one period's categories; `transactions` are the period's
/// transactions, when given.
pub fn pareto(mut categories: Vec<Category>, transactions: Option<u64>) -> Vec<ParetoRow> {
    categories.sort_by(|a, b| b.complaints.cmp(&a.complaints).then_with(|| a.name.cmp(&b.name)));
    let total: u64 = categories.iter().map(|c| c.complaints).sum();
    let mut running = 0u64;
    let mut reached = false;
    categories
        .into_iter()
        .map(|c| {
            running += c.complaints;
            let share = |count: u64| (total > 0).then(|| 100.0 * count as f64 / total as f64);
            let cumulative = share(running);
            // Vital up to and including the first category that reaches 80%; compared
            // in whole counts (100 × running ≥ 80 × total) so that 80% exactly reaches.
            let vital = total > 0 && !reached;
            reached = reached || (total > 0 && 100 * u128::from(running) >= 80 * u128::from(total));
            ParetoRow {
                category: c.name,
                complaints: c.complaints,
                share_pct: share(c.complaints),
                cumulative_pct: cumulative,
                per_1000: complaints_per_1000(c.complaints, transactions.unwrap_or(c.interactions)),
                previous: c.previous,
                change: c.previous.map(|p| c.complaints as i64 - p as i64),
                vital,
                suspect: c.suspect,
            }
        })
        .collect()
}

/// The definition printed with the table; `transactions`: the rate is per transaction.
pub fn definition(transactions: bool) -> String {
    let per = if transactions {
        "transactions of the period"
    } else {
        "interactions of the category (no transactions input)"
    };
    format!(
        "Pareto of complaints by category, most first (ties by name); share_pct = 100 × complaints / all complaints of the period; cumulative_pct = running share; vital = the categories up to and including the first whose cumulative share reaches {VITAL_SHARE}%; per_1000 = 1000 × complaints / {per}, 95% exact Poisson (Garwood) interval; previous = complaints in the period before, change = complaints − previous"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn category(name: &str, complaints: u64, previous: Option<u64>) -> Category {
        Category { name: name.to_string(), complaints, interactions: 100, previous, suspect: false }
    }

    #[test]
    fn sorted_by_complaints_then_name_with_shares_and_the_vital_few() {
        // 50, 30, 10, 10 of 100: cumulative 50, 80 (reaches 80 exactly: vital), 90, 100.
        let rows = pareto(
            vec![
                category("billing", 30, Some(20)),
                category("zeta", 10, None),
                category("delivery", 50, Some(60)),
                category("app", 10, Some(10)),
            ],
            Some(2000),
        );
        let names: Vec<&str> = rows.iter().map(|r| r.category.as_str()).collect();
        assert_eq!(names, ["delivery", "billing", "app", "zeta"]);
        let cumulative: Vec<f64> = rows.iter().map(|r| r.cumulative_pct.unwrap()).collect();
        assert_eq!(cumulative, [50.0, 80.0, 90.0, 100.0]);
        assert_eq!(rows.iter().map(|r| r.vital).collect::<Vec<_>>(), [true, true, false, false]);
        assert_eq!(rows[0].share_pct, Some(50.0));
        // 50 per 2000 transactions = 25 per 1000; the exact Garwood bounds on 50 (mpmath:
        // P(50, L) = 0.025 and Q(51, U) = 0.025) are 37.1110 and 65.9188, halved.
        assert_eq!(rows[0].per_1000.value, Some(25.0));
        let (lo, hi) = rows[0].per_1000.ci.unwrap();
        assert!((lo - 18.555_481_868_730_93).abs() < 1e-9 && (hi - 32.959_383_332_168_41).abs() < 1e-9, "{lo} {hi}");
        assert_eq!((rows[0].previous, rows[0].change), (Some(60), Some(-10)));
        assert_eq!((rows[3].previous, rows[3].change), (None, None));
    }

    #[test]
    fn one_category_is_vital_alone_and_no_complaints_means_no_shares() {
        let rows = pareto(vec![category("a", 3, None), category("b", 0, None)], None);
        assert_eq!(rows.iter().map(|r| r.vital).collect::<Vec<_>>(), [true, false]);
        // Without transactions: per 1000 interactions of the category (3 of 100).
        assert_eq!(rows[0].per_1000.value, Some(30.0));
        let none = pareto(vec![category("a", 0, None)], Some(10));
        assert_eq!((none[0].share_pct, none[0].cumulative_pct, none[0].vital), (None, None, false));
    }

    #[test]
    fn just_below_80_is_not_reached() {
        // 79 of 100 then 21: the first is below 80, so the second is vital too.
        let rows = pareto(vec![category("a", 79, None), category("b", 21, None), category("c", 0, None)], None);
        assert_eq!(rows.iter().map(|r| r.vital).collect::<Vec<_>>(), [true, true, false]);
    }
}
