//! The cohort retention matrix (SPEC §4, `servq cohorts`).
//!
//! - A customer's cohort is the period of its first transaction.
//! - Cell (c, j) = share of cohort c active (≥ 1 transaction) in period c + j.
//! - Cells not yet observable (c + j after the last period in the data) are empty,
//!   never 0; a cohort with nobody active at an observable offset has a 0% cell.
//! - The summary row is the cohort-size-weighted mean over the cohorts that have the
//!   cell: Σ active / Σ cohort size over those cohorts (0% cells count).

use std::collections::BTreeMap;

/// One cohort's row of the matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct CohortRow {
    /// The cohort's period running number.
    pub index: i32,
    /// Customers in the cohort.
    pub customers: u64,
    /// Active customers at offsets 0, 1, … up to the last observable one.
    pub active: Vec<u64>,
}

/// The summary of one offset over the cohorts that have it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SummaryCell {
    /// Σ cohort sizes of the cohorts with this cell.
    pub customers: u64,
    /// Σ active of those cohorts.
    pub active: u64,
}

impl SummaryCell {
    /// The weighted mean in percent: 100 × Σ active / Σ customers.
    pub fn pct(&self) -> Option<f64> {
        (self.customers > 0).then(|| 100.0 * self.active as f64 / self.customers as f64)
    }
}

/// The whole matrix.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Matrix {
    /// One row per cohort, oldest first.
    pub cohorts: Vec<CohortRow>,
    /// One summary cell per offset.
    pub summary: Vec<SummaryCell>,
}

/// Builds the matrix from cohort sizes, active counts (cohort, offset, active) and
/// the last period in the data: every observable cell is filled, 0 when nobody was
/// active; cells after `last_index` are left out.
pub fn matrix(sizes: &[(i32, u64)], active: &[(i32, i32, u64)], last_index: i32) -> Matrix {
    let counts: BTreeMap<(i32, i32), u64> = active.iter().map(|&(c, j, n)| ((c, j), n)).collect();
    let mut cohorts: Vec<CohortRow> = sizes
        .iter()
        .filter(|(c, _)| *c <= last_index)
        .map(|&(index, customers)| CohortRow {
            index,
            customers,
            active: (0..=last_index - index).map(|j| counts.get(&(index, j)).copied().unwrap_or(0)).collect(),
        })
        .collect();
    cohorts.sort_by_key(|c| c.index);
    let width = cohorts.iter().map(|c| c.active.len()).max().unwrap_or(0);
    let summary = (0..width)
        .map(|j| {
            cohorts.iter().filter(|c| j < c.active.len()).fold(SummaryCell { customers: 0, active: 0 }, |s, c| {
                SummaryCell { customers: s.customers + c.customers, active: s.active + c.active[j] }
            })
        })
        .collect();
    Matrix { cohorts, summary }
}

/// The percentage of a cell: 100 × active / customers.
pub fn pct(active: u64, customers: u64) -> Option<f64> {
    (customers > 0).then(|| 100.0 * active as f64 / customers as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::customer_periods::{KeySet, cohort_counts, pack};

    #[test]
    fn three_cohorts_with_a_masked_cell_and_a_zero_cell() {
        // cohort 1: a, b; cohort 2: c, d; cohort 3: e. Last period 3.
        // period 2: a active; period 3: a, b active; nobody of cohort 2 in period 3.
        let (a, b, c, d, e) = (0, 1, 2, 3, 4);
        let rows = [(1, a), (1, b), (2, c), (2, d), (2, a), (3, e), (3, a), (3, b), (3, a)];
        let mut keys = KeySet::default();
        keys.add(rows.iter().map(|&(p, customer)| pack(0, customer, p).unwrap()).collect());
        let counts = cohort_counts(&keys.finish());
        assert_eq!(counts.last, 3);
        let m = matrix(&counts.sizes, &counts.cells, counts.last);
        assert_eq!(m.cohorts[0], CohortRow { index: 1, customers: 2, active: vec![2, 1, 2] });
        // cohort 2 at offset 1 (period 3): observable, nobody active -> 0, not empty
        assert_eq!(m.cohorts[1], CohortRow { index: 2, customers: 2, active: vec![2, 0] });
        // cohort 3 at offset 1 (period 4) is not observable: masked
        assert_eq!(m.cohorts[2], CohortRow { index: 3, customers: 1, active: vec![1] });
        // offset 1: (1 + 0) / (2 + 2) = 25 %, the 0 % cell counts; offset 2: cohort 1 only
        assert_eq!(m.summary[1], SummaryCell { customers: 4, active: 1 });
        assert_eq!(m.summary[1].pct(), Some(25.0));
        assert_eq!(m.summary[2].pct(), Some(100.0));
        assert_eq!(m.summary[0].pct(), Some(100.0));
    }
}
