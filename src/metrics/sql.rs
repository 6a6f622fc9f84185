//! A sufficient statistic as the SQL engines compute it (SPEC §13): the SQL twin of a metric's
//! polars aggregation, named as the aggregated frame's column is named, so that
//! `report --stats` hands the engine's numbers to the same estimate functions.

/// How a valid value is compared (`<column> <op> <value>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    /// `>=`.
    AtLeast,
    /// `<=`.
    AtMost,
}

/// One aggregate over the cleaned rows of one period and group. `column` is a canonical
/// field; its cleaned values are whole numbers, NULL when missing or rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Aggregate {
    /// The count of valid values.
    Count,
    /// The count of valid values `<op> value`.
    CountIf(Cmp, i64),
    /// The count of rows where an SQL condition over the cleaned columns holds
    /// (`v_resolved = 1 AND v_first_contact_resolved IS NOT NULL`).
    CountWhere(String),
    /// Σ value.
    Sum,
    /// Σ value².
    SumSquares,
}

/// A named statistic: `<column>.<what>` as in the polars aggregation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlStat {
    /// The statistic's name (`csat.n`, `csat.good`, …).
    pub name: String,
    /// The canonical field it aggregates.
    pub column: String,
    /// How.
    pub aggregate: Aggregate,
}

impl SqlStat {
    /// `<column>.<what>` computed as `aggregate`.
    pub fn new(column: &str, what: &str, aggregate: Aggregate) -> Self {
        SqlStat { name: format!("{column}.{what}"), column: column.to_string(), aggregate }
    }

    /// The same statistic over another column (`abandon.n` counts `answered`).
    pub fn on(mut self, column: &str) -> Self {
        self.column = column.to_string();
        self
    }

    /// The SQL of the aggregate, over the cleaned column `value` (an integer column).
    pub fn render(&self, value: &str) -> String {
        match &self.aggregate {
            Aggregate::Count => format!("COUNT({value})"),
            Aggregate::CountIf(cmp, bound) => {
                let op = if *cmp == Cmp::AtLeast { ">=" } else { "<=" };
                format!("SUM(CASE WHEN {value} {op} {bound} THEN 1 ELSE 0 END)")
            }
            Aggregate::CountWhere(condition) => format!("SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"),
            Aggregate::Sum => format!("SUM({value})"),
            Aggregate::SumSquares => format!("SUM({value} * {value})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aggregates_render_as_plain_sql() {
        let good = SqlStat::new("csat", "good", Aggregate::CountIf(Cmp::AtLeast, 4));
        assert_eq!(good.name, "csat.good");
        assert_eq!(good.render("v_csat"), "SUM(CASE WHEN v_csat >= 4 THEN 1 ELSE 0 END)");
        assert_eq!(SqlStat::new("nps", "n", Aggregate::Count).render("v"), "COUNT(v)");
        assert_eq!(SqlStat::new("ces", "sumsq", Aggregate::SumSquares).render("v"), "SUM(v * v)");
    }
}
