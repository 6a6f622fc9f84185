//! The distinct customer-periods of the transactions, the one set that retention,
//! churn, clv and the cohort matrix are counted from (SPEC §4).
//!
//! A customer is *active* in a period (in a group) when it has at least one
//! transaction there. Each active (group, customer, period) is packed into one
//! `u64` — group code (16 bits), customer code (32 bits), period running number
//! plus [`PERIOD_BIAS`] (16 bits) — and the keys are kept sorted and distinct. In
//! that order a customer's periods in a group are adjacent and ascending, so
//! "active in k−1 and in k" is one key following the key one less, and every count
//! is one pass over the keys. Keys are built block by block and merged
//! ([`KeySet`]), so the set never needs the transactions themselves in memory.

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::metrics::sql::{Aggregate, SqlStat};

pub use crate::period::{PERIOD_BIAS, period_fits};

/// Keys beyond this many are merged and deduplicated.
const MERGE_KEYS: usize = 1 << 22;

/// Packs a group code, customer code and period into one key; `None` when the
/// period does not fit in 16 bits.
pub fn pack(group: u16, customer: u32, period: i32) -> Option<u64> {
    if !period_fits(period) {
        return None;
    }
    let biased = period + PERIOD_BIAS;
    Some((u64::from(group) << 48) | (u64::from(customer) << 16) | biased as u64)
}

/// The active customers per (group code, period running number): the distinct
/// customers with a transaction there.
pub fn active_counts(keys: &[u64]) -> BTreeMap<(u16, i32), u64> {
    // Counted in a hash map (millions of keys, few cells), then ordered.
    let mut counts: std::collections::HashMap<u32, u64, foldhash::fast::RandomState> = Default::default();
    for &key in keys {
        *counts.entry((key >> 48 << 16 | (key & 0xFFFF)) as u32).or_default() += 1;
    }
    counts.into_iter().map(|(cell, n)| (((cell >> 16) as u16, (cell & 0xFFFF) as i32 - PERIOD_BIAS), n)).collect()
}

/// The group code of a key.
pub fn group_of(key: u64) -> u16 {
    (key >> 48) as u16
}

/// The customer code of a key.
pub fn customer_of(key: u64) -> u32 {
    (key >> 16) as u32
}

/// The period running number of a key.
pub fn period_of(key: u64) -> i32 {
    (key & 0xFFFF) as i32 - PERIOD_BIAS
}

/// Sorted, distinct keys, gathered in runs and merged as they grow.
#[derive(Debug)]
pub struct KeySet {
    runs: Vec<Vec<u64>>,
    len: usize,
    merged_len: usize,
    threshold: usize,
}

impl Default for KeySet {
    fn default() -> Self {
        Self::with_threshold(MERGE_KEYS)
    }
}

impl KeySet {
    /// An empty set that merges its runs when `threshold` keys have come in since
    /// the last merge (beyond twice its size).
    pub fn with_threshold(threshold: usize) -> Self {
        KeySet { runs: Vec::new(), len: 0, merged_len: 0, threshold }
    }

    /// Adds keys in any order, with repeats.
    pub fn add(&mut self, mut keys: Vec<u64>) {
        keys.par_sort_unstable();
        keys.dedup();
        self.len += keys.len();
        self.runs.push(keys);
        if self.len > 2 * self.merged_len + self.threshold {
            let merged = self.merge();
            self.len = merged.len();
            self.merged_len = merged.len();
            self.runs = vec![merged];
        }
    }

    /// All keys added, sorted and distinct.
    pub fn finish(mut self) -> Vec<u64> {
        self.merge()
    }

    fn merge(&mut self) -> Vec<u64> {
        let runs = std::mem::take(&mut self.runs);
        if runs.len() == 1 {
            return runs.into_iter().next().unwrap_or_default();
        }
        let mut all = Vec::with_capacity(runs.iter().map(Vec::len).sum());
        for run in runs {
            all.extend_from_slice(&run);
        }
        // The stable sort finds the sorted runs and merges them (the unstable one sorted
        // them all over again).
        all.par_sort();
        all.dedup();
        all
    }
}

/// The keys with every group code set to 0 (customers over all groups), sorted and
/// distinct.
pub fn without_groups(keys: &[u64]) -> Vec<u64> {
    let mut out: Vec<u64> = keys.iter().map(|k| k & ((1 << 48) - 1)).collect();
    out.par_sort_unstable();
    out.dedup();
    out
}

/// The retention counts of one group and period k.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PeriodCounts {
    /// The group code.
    pub group: u16,
    /// The period running number k.
    pub period: i32,
    /// Active in k−1.
    pub at_risk: u64,
    /// Active in k−1 and in k.
    pub kept: u64,
    /// Active in k.
    pub active: u64,
    /// Active in k for the first time ever (over all groups).
    pub new: u64,
}

/// The first period of every customer over all groups (`u16::MAX` for codes without
/// keys), indexed by customer code, as biased periods.
fn first_periods(keys: &[u64]) -> Vec<u16> {
    let customers = keys.iter().map(|&k| customer_of(k) as usize + 1).max().unwrap_or(0);
    let mut first = vec![u16::MAX; customers];
    for &key in keys {
        let slot = &mut first[customer_of(key) as usize];
        *slot = (*slot).min(key as u16);
    }
    first
}

/// The counts of one group's period with active customers: active in it, active in it
/// and in the period before, active in it for the first time ever (over all groups).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Cell {
    /// Active in the period.
    pub active: u64,
    /// Active in it and in the period before.
    pub kept: u64,
    /// First-ever transaction in it.
    pub new: u64,
    /// Active in it and in none of the group's periods since the first complete one
    /// before it (the engines' `customers.entered`: summed over the complete periods,
    /// the group's distinct customers there, for CLV).
    pub entered: u64,
}

/// Per group and period k, in that order: the counts of classic and crr retention.
/// A period k is given when k−1 has active customers in the group and k is not
/// after the last period of any key.
pub fn retention_counts(keys: &[u64]) -> Vec<PeriodCounts> {
    let Some(lowest) = keys.iter().map(|&k| k as u16).min() else { return Vec::new() };
    let last = keys.iter().map(|&k| k as u16).max().unwrap_or(lowest);
    let first = first_periods(keys);
    let mut groups: Vec<(u16, BTreeMap<i32, Cell>)> = Vec::new();
    let mut start = 0;
    while start < keys.len() {
        let group = group_of(keys[start]);
        let end = start + keys[start..].partition_point(|&k| group_of(k) == group);
        // Per biased period − lowest (a vector: millions of keys, few periods).
        let mut cells = vec![Cell::default(); usize::from(last - lowest) + 1];
        for (i, &key) in keys[start..end].iter().enumerate() {
            let cell = &mut cells[usize::from(key as u16 - lowest)];
            cell.active += 1;
            if i > 0 && keys[start + i - 1] == key - 1 {
                cell.kept += 1;
            }
            if first[customer_of(key) as usize] == key as u16 {
                cell.new += 1;
            }
        }
        let periods = cells.into_iter().enumerate().filter(|(_, c)| c.active > 0);
        let cells = periods.map(|(p, c)| (i32::from(lowest) + p as i32 - PERIOD_BIAS, c)).collect();
        groups.push((group, cells));
        start = end;
    }
    retention_of_cells(&groups).into_iter().map(|(group, c)| PeriodCounts { group, ..c }).collect()
}

/// The retention counts of every group's periods k from the [`Cell`]s of its periods
/// with active customers (the engines' `customers.active`, `.kept`, `.new`): k runs
/// from the first period of any group to the last, and is given when k−1 has active
/// customers in the group. In the order of `groups`, then of k.
pub fn retention_of_cells<G: Clone>(groups: &[(G, BTreeMap<i32, Cell>)]) -> Vec<(G, PeriodCounts)> {
    let periods = groups.iter().flat_map(|(_, cells)| cells.keys().copied());
    let (Some(lowest), Some(last)) = (periods.clone().min(), periods.max()) else { return Vec::new() };
    let mut out = Vec::new();
    for (group, cells) in groups {
        for k in lowest + 1..=last {
            let at_risk = cells.get(&(k - 1)).map_or(0, |c| c.active);
            if at_risk > 0 {
                let c = cells.get(&k).copied().unwrap_or_default();
                let counts = PeriodCounts { group: 0, period: k, at_risk, kept: c.kept, active: c.active, new: c.new };
                out.push((group.clone(), counts));
            }
        }
    }
    out
}

/// The statistics the engines compute for `metric` from the transactions (SPEC §13):
/// `transactions.n` (the used rows of a period and group) and the customer-period
/// counts [`customers_sql`] gives. `None`: not translated (money, clv).
pub fn sql_stats(metric: crate::metrics::MetricId) -> Option<Vec<SqlStat>> {
    use crate::metrics::MetricId;
    let rows = SqlStat::new("transactions", "n", Aggregate::CountWhere("1 = 1".to_string())).on("customer_id");
    let customers = SqlStat::new("customers", "active", Aggregate::CustomerPeriods).on("customer_id");
    // Revenue: Σ in millionths, its rejected values, and those judged (valid or rejected).
    let revenue = || {
        let count =
            |what: &str, condition: &str| SqlStat::new("revenue", what, Aggregate::CountWhere(condition.to_string()));
        [
            count("rejected", "r_revenue = 1"),
            count("judged", "r_revenue = 1 OR v_revenue IS NOT NULL"),
            SqlStat::new("revenue", "sum", Aggregate::SumExact),
        ]
    };
    // The last statistic is in every cell of a metric with figures (`has_stats`).
    match metric {
        MetricId::Transactions => Some(vec![rows]),
        // A period and group with rows but no customer has 0 active customers.
        MetricId::ActiveCustomers | MetricId::Retention | MetricId::Churn => Some(vec![rows, customers]),
        MetricId::Revenue => Some([rows].into_iter().chain(revenue()).collect()),
        MetricId::RevenuePerCustomer => Some([rows, customers].into_iter().chain(revenue()).collect()),
        // CLV: its margin from margin, else from revenue; the customer-period counts last.
        MetricId::Clv => {
            let margin = SqlStat::new("margin", "sum", Aggregate::SumExact);
            Some([rows, margin].into_iter().chain(revenue()).chain([customers]).collect())
        }
        _ => None,
    }
}

/// The customer-period counts of a period and group, in SQL: over the distinct (groups,
/// customer, period) of the used rows of `clean` (columns `period_start`, in days, the
/// groups and `v_customer_id`), `active` (the rows), `kept` (the customer's previous
/// period in the group is the period before, `previous` of `period_start`) and `new`
/// (the period is the customer's first over all groups), as [`retention_counts`] counts
/// them from the keys, and `entered` (the customer's previous period in the group is
/// before `first_complete`, in days, or there is none: see [`Cell::entered`]).
pub fn customers_sql(clean: &str, groups: &[String], previous: &str, first_complete: Option<i32>) -> String {
    let entered = first_complete.map_or("prev IS NULL".to_string(), |day| format!("prev IS NULL OR prev < {day}"));
    let mut keys = vec!["period_start".to_string()];
    keys.extend(groups.iter().cloned());
    let keys = keys.join(", ");
    let mut partition = groups.to_vec();
    partition.push("c".to_string());
    format!(
        "SELECT {keys}, COUNT(*) AS active, SUM(CASE WHEN prev = {previous} THEN 1 ELSE 0 END) AS kept, SUM(CASE WHEN period_start = first THEN 1 ELSE 0 END) AS new, SUM(CASE WHEN {entered} THEN 1 ELSE 0 END) AS entered FROM (SELECT {keys}, LAG(period_start) OVER (PARTITION BY {} ORDER BY period_start) AS prev, MIN(period_start) OVER (PARTITION BY c) AS first FROM (SELECT DISTINCT {keys}, v_customer_id AS c FROM {clean} WHERE used = 1 AND v_customer_id IS NOT NULL) d) w GROUP BY {keys}",
        partition.join(", ")
    )
}

/// The cohort counts in SQL: over the distinct (customer, period) of the used rows of
/// `clean` over all groups, the customers active per cohort (`cohort`, the period of the
/// customer's first transaction, in days) and period (`period_start`), as
/// [`cohort_counts`] counts them from the keys.
pub fn cohorts_sql(clean: &str) -> String {
    format!(
        "SELECT cohort, period_start, COUNT(*) AS active FROM (SELECT DISTINCT period_start, v_customer_id AS c, MIN(period_start) OVER (PARTITION BY v_customer_id) AS cohort FROM {clean} WHERE used = 1 AND v_customer_id IS NOT NULL) d GROUP BY cohort, period_start"
    )
}

/// [`CohortCounts`] from the engines' active customers per (cohort, period), as period
/// running numbers.
pub fn cohort_counts_of(active: &[(i32, i32, u64)]) -> CohortCounts {
    let mut sizes: BTreeMap<i32, u64> = BTreeMap::new();
    let mut cells: BTreeMap<(i32, i32), u64> = BTreeMap::new();
    for &(cohort, period, n) in active {
        if period == cohort {
            *sizes.entry(cohort).or_default() += n;
        }
        *cells.entry((cohort, period - cohort)).or_default() += n;
    }
    CohortCounts {
        sizes: sizes.into_iter().collect(),
        cells: cells.into_iter().map(|((c, j), n)| (c, j, n)).collect(),
        last: active.iter().map(|a| a.1).max().unwrap_or(0),
    }
}

/// Per group code: distinct customers, and distinct customer-periods, over the periods
/// `counted` accepts.
pub fn group_counts(keys: &[u64], counted: impl Fn(i32) -> bool) -> BTreeMap<u16, (u64, u64)> {
    let mut out: BTreeMap<u16, (u64, u64)> = BTreeMap::new();
    let mut previous: Option<u64> = None;
    for &key in keys.iter().filter(|&&k| counted(period_of(k))) {
        let entry = out.entry(group_of(key)).or_default();
        if previous.is_none_or(|p| p >> 16 != key >> 16) {
            entry.0 += 1;
        }
        entry.1 += 1;
        previous = Some(key);
    }
    out
}

/// The cohort counts over all groups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CohortCounts {
    /// Customers per cohort (the period of their first transaction).
    pub sizes: Vec<(i32, u64)>,
    /// Active customers per (cohort, offset).
    pub cells: Vec<(i32, i32, u64)>,
    /// The last period with a transaction.
    pub last: i32,
}

/// Counts the cohorts of every customer over all groups.
pub fn cohort_counts(keys: &[u64]) -> CohortCounts {
    let keys = without_groups(keys);
    let mut sizes: BTreeMap<i32, u64> = BTreeMap::new();
    let mut cells: BTreeMap<(i32, i32), u64> = BTreeMap::new();
    let mut cohort = 0;
    for (i, &key) in keys.iter().enumerate() {
        let period = period_of(key);
        if i == 0 || customer_of(keys[i - 1]) != customer_of(key) {
            cohort = period;
            *sizes.entry(cohort).or_default() += 1;
        }
        *cells.entry((cohort, period - cohort)).or_default() += 1;
    }
    let last = keys.iter().map(|&k| period_of(k)).max().unwrap_or(0);
    CohortCounts {
        sizes: sizes.into_iter().collect(),
        cells: cells.into_iter().map(|((c, j), n)| (c, j, n)).collect(),
        last,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn active_counts_are_distinct_customers_per_group_and_period() {
        let keys: Vec<u64> = [(0, 1, 5), (0, 1, 6), (0, 2, 5), (1, 1, 5)]
            .iter()
            .map(|&(g, c, p)| pack(g, c, p).unwrap())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let counts = active_counts(&keys);
        assert_eq!(counts, BTreeMap::from([((0, 5), 2), ((0, 6), 1), ((1, 5), 1)]));
    }

    fn keys(rows: &[(u16, u32, i32)]) -> Vec<u64> {
        let mut set = KeySet::default();
        set.add(rows.iter().map(|&(g, c, p)| pack(g, c, p).unwrap()).collect());
        set.finish()
    }

    #[test]
    fn keys_pack_and_unpack() {
        let key = pack(7, u32::MAX, -3).unwrap();
        assert_eq!((group_of(key), customer_of(key), period_of(key)), (7, u32::MAX, -3));
        assert_eq!(pack(0, 1, 5).unwrap() + 1, pack(0, 1, 6).unwrap());
        assert_eq!(pack(0, 0, -PERIOD_BIAS), None);
        assert_eq!(pack(0, 0, PERIOD_BIAS), None);
        assert!(pack(0, 0, PERIOD_BIAS - 1).is_some());
    }

    #[test]
    fn runs_merge_into_one_sorted_distinct_set() {
        for threshold in [1, MERGE_KEYS] {
            let mut set = KeySet::with_threshold(threshold);
            set.add(vec![5, 3, 5, 1]);
            set.add(vec![4, 3, 9]);
            set.add(vec![9, 0]);
            assert_eq!(set.finish(), vec![0, 1, 3, 4, 5, 9]);
        }
        assert_eq!(KeySet::default().finish(), Vec::<u64>::new());
    }

    #[test]
    fn classic_counts_and_a_reactivated_customer() {
        // period 1: a b c; period 2: a b (c gone); period 3: a c (c back, b gone), d new
        let (a, b, c, d) = (0, 1, 2, 3);
        let k =
            keys(&[(0, a, 1), (0, b, 1), (0, c, 1), (0, a, 1), (0, a, 2), (0, b, 2), (0, a, 3), (0, c, 3), (0, d, 3)]);
        let counts = retention_counts(&k);
        assert_eq!(
            counts,
            vec![
                PeriodCounts { group: 0, period: 2, at_risk: 3, kept: 2, active: 2, new: 0 },
                PeriodCounts { group: 0, period: 3, at_risk: 2, kept: 1, active: 3, new: 1 },
            ]
        );
    }

    #[test]
    fn an_empty_period_and_the_last_period() {
        // period 1: a; period 2: nobody; period 3: b -> k = 2 only (k = 4 is after the last)
        let counts = retention_counts(&keys(&[(0, 0, 1), (0, 1, 3)]));
        assert_eq!(counts, vec![PeriodCounts { group: 0, period: 2, at_risk: 1, kept: 0, active: 0, new: 0 }]);
        assert!(retention_counts(&[]).is_empty());
    }

    #[test]
    fn groups_are_counted_apart_and_first_ever_is_over_all_groups() {
        // customer 5: group 1 in period 1, group 2 in periods 2 and 3
        let k = keys(&[(1, 5, 1), (2, 5, 2), (2, 5, 3), (1, 6, 2)]);
        let counts = retention_counts(&k);
        assert_eq!(
            counts,
            vec![
                PeriodCounts { group: 1, period: 2, at_risk: 1, kept: 0, active: 1, new: 1 },
                PeriodCounts { group: 1, period: 3, at_risk: 1, kept: 0, active: 0, new: 0 },
                PeriodCounts { group: 2, period: 3, at_risk: 1, kept: 1, active: 1, new: 0 },
            ]
        );
        assert_eq!(group_counts(&k, |_| true), BTreeMap::from([(1, (2, 2)), (2, (1, 2))]));
        assert_eq!(group_counts(&k, |p| p <= 2), BTreeMap::from([(1, (2, 2)), (2, (1, 1))]));
    }

    #[test]
    fn retention_of_the_engines_cells_spans_every_group_s_periods() {
        // "web": 3 active in 1, 2 of them kept in 2; "chat": 1 active in 1, 1 (new) in 3.
        let cell = |active, kept, new| Cell { active, kept, new, entered: 0 };
        let groups = vec![
            ("web".to_string(), BTreeMap::from([(1, cell(3, 0, 3)), (2, cell(2, 2, 0))])),
            ("chat".to_string(), BTreeMap::from([(1, cell(1, 0, 1)), (3, cell(1, 0, 1))])),
        ];
        let counts = |at_risk, kept, active, new, period| PeriodCounts { group: 0, period, at_risk, kept, active, new };
        assert_eq!(
            retention_of_cells(&groups),
            vec![
                // web, k = 3: 2 were active in 2, none in 3.
                ("web".to_string(), counts(3, 2, 2, 0, 2)),
                ("web".to_string(), counts(2, 0, 0, 0, 3)),
                // chat, k = 2: its customer is gone; k = 3: nobody was active in 2.
                ("chat".to_string(), counts(1, 0, 0, 0, 2)),
            ]
        );
        assert!(retention_of_cells::<u16>(&[]).is_empty());
    }

    #[test]
    fn the_engines_count_customer_periods_with_window_functions() {
        let sql = customers_sql("clean", &["g0".to_string()], "prev_start", Some(20089));
        assert!(sql.contains("SUM(CASE WHEN prev IS NULL OR prev < 20089 THEN 1 ELSE 0 END) AS entered"), "{sql}");
        assert!(
            sql.contains("SELECT DISTINCT period_start, g0, v_customer_id AS c FROM clean WHERE used = 1"),
            "{sql}"
        );
        assert!(sql.contains("LAG(period_start) OVER (PARTITION BY g0, c ORDER BY period_start)"), "{sql}");
        assert!(sql.contains("MIN(period_start) OVER (PARTITION BY c) AS first"), "{sql}");
        assert!(sql.contains("SUM(CASE WHEN prev = prev_start THEN 1 ELSE 0 END) AS kept"), "{sql}");
    }

    #[test]
    fn cohorts_of_the_engines_counts_are_those_of_the_keys() {
        // As cohorts_over_all_groups: (cohort, period, active customers).
        let counts = cohort_counts_of(&[(1, 1, 2), (1, 2, 1), (1, 3, 1), (2, 2, 1)]);
        assert_eq!(counts.sizes, vec![(1, 2), (2, 1)]);
        assert_eq!(counts.cells, vec![(1, 0, 2), (1, 1, 1), (1, 2, 1), (2, 0, 1)]);
        assert_eq!(counts.last, 3);
        let k = keys(&[(0, 0, 1), (1, 0, 2), (0, 0, 2), (0, 1, 2), (1, 2, 1), (0, 2, 3)]);
        assert_eq!(counts, cohort_counts(&k));
    }

    #[test]
    fn cohorts_over_all_groups() {
        // customer 0: periods 1, 2 (in two groups); customer 1: period 2; customer 2: periods 1, 3
        let k = keys(&[(0, 0, 1), (1, 0, 2), (0, 0, 2), (0, 1, 2), (1, 2, 1), (0, 2, 3)]);
        let counts = cohort_counts(&k);
        assert_eq!(counts.sizes, vec![(1, 2), (2, 1)]);
        assert_eq!(counts.cells, vec![(1, 0, 2), (1, 1, 1), (1, 2, 1), (2, 0, 1)]);
        assert_eq!(counts.last, 3);
    }
}
