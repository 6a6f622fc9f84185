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

impl Cmp {
    /// The SQL operator.
    fn sql(self) -> &'static str {
        match self {
            Cmp::AtLeast => ">=",
            Cmp::AtMost => "<=",
        }
    }
}

/// What an [`Aggregate::Of`] sums.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moment {
    /// The count of rows where the expression is not NULL.
    Count,
    /// Σ of the expression (whole numbers), exactly.
    Sum,
    /// Σ of its squares, exactly.
    SumSquares,
}

/// One aggregate over the cleaned rows of one period and group. `column` is a canonical
/// field (or a derived column, see [`SqlStat::from`]); its cleaned values `v_<column>`
/// are whole numbers (scores, counts, booleans 1/0), doubles (durations) or text
/// (keys), NULL when missing or rejected.
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
    /// Σ value, exactly (whole millionths of money, as `DECIMAL(38, 0)`).
    SumExact,
    /// Σ of the values in whole milliseconds, exactly (a duration in units of the given
    /// milliseconds, rounded half up as `durations::mean_aggregations` rounds).
    SumMillis(u32),
    /// Σ of their squares, exactly.
    SumSquaresMillis(u32),
    /// Not one aggregate: the values at the positions around the median and the 90th
    /// percentile of each period and group, as written (see `servq sql`'s script).
    OrderStatistics,
    /// Not per period and group: the distinct values of a key column over the used rows
    /// (`values.seen.<key>`), which the notes of per-key targets name.
    DistinctValues,
    /// Not one aggregate: the counts of the distinct customer-periods, `customers.active`,
    /// `.kept` and `.new` (see [`crate::metrics::customer_periods::customers_sql`]).
    CustomerPeriods,
    /// A moment of a whole-number SQL expression over the row's cleaned columns
    /// (`v_<field>`), such as a SERVQUAL respondent's gap `(v_P1 + v_P2) - (v_E1 + v_E2)`.
    Of(String, Moment),
    /// Not one aggregate: the employees' hires and leaves per day and group
    /// (see [`crate::metrics::employees::events_sql`]).
    EmployeeEvents,
    /// The survey-weighted twin of a count or sum (SPEC §14, `Rows::Sampled`): each row
    /// counts its quantised weight [`WEIGHT_STEPS`] instead of 1, summed exactly.
    Weighted(Box<Aggregate>),
    /// Σ of the squared quantised weights of the rows with a valid value (Kish's
    /// effective n).
    SquaredWeights,
}

/// The cleaned rows' survey weight as a whole number of steps (see `compute::weights`).
pub const WEIGHT_STEPS: &str = "w_q";

/// A named statistic: `<column>.<what>` as in the polars aggregation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlStat {
    /// The statistic's name (`csat.n`, `csat.good`, …).
    pub name: String,
    /// The canonical field it aggregates.
    pub column: String,
    /// How.
    pub aggregate: Aggregate,
    /// When `column` is derived, not a field: the fields it is made of, the first with a
    /// valid value taken, each divided by its divisor (the response minutes: from
    /// `first_response_minutes`, else from `first_response_at`).
    pub from: Vec<(String, u32)>,
    /// The fields an [`Aggregate::Of`] expression reads: without one of them in any
    /// source, the statistic is not computed (its KPI is absent).
    pub needs: Vec<String>,
    /// When not empty, the condition of a [`Aggregate::CountWhere`] also reads each used
    /// row's time `ts` (seconds, in the report's zone), the times of its neighbours in
    /// time order among the used rows with the same values of these fields, `ts_next`
    /// and `ts_prev` (NULL at the ends), and `as_of_end`, the end of the `--as-of` day
    /// (else of the latest date read) in the same seconds.
    pub neighbours: Vec<String>,
}

impl SqlStat {
    /// `<column>.<what>` computed as `aggregate`.
    pub fn new(column: &str, what: &str, aggregate: Aggregate) -> Self {
        SqlStat {
            name: format!("{column}.{what}"),
            column: column.to_string(),
            aggregate,
            from: Vec::new(),
            needs: Vec::new(),
            neighbours: Vec::new(),
        }
    }

    /// The same statistic under another name (SERVQUAL's `sq.gap.tangibles.n`).
    pub fn named(mut self, name: &str) -> Self {
        self.name = name.to_string();
        self
    }

    /// The same statistic reading `fields` (see [`SqlStat::needs`]).
    pub fn needing(mut self, fields: &[&str]) -> Self {
        self.needs = fields.iter().map(|f| f.to_string()).collect();
        self
    }

    /// The same statistic over another column (`abandon.n` counts `answered`).
    pub fn on(mut self, column: &str) -> Self {
        self.column = column.to_string();
        self
    }

    /// The same statistic with the row's neighbours in time among the rows with the same
    /// `fields` (see [`SqlStat::neighbours`]).
    pub fn with_neighbours(mut self, fields: &[&str]) -> Self {
        self.neighbours = fields.iter().map(|f| f.to_string()).collect();
        self
    }

    /// The same statistic over a derived column `column` made of `from` (see
    /// [`SqlStat::from`]); a column of one field named alike is that field.
    pub fn derived(mut self, column: &str, from: Vec<(&str, u32)>) -> Self {
        self.column = column.to_string();
        if from.len() != 1 || from[0].0 != column {
            self.from = from.into_iter().map(|(f, d)| (f.to_string(), d)).collect();
        }
        self
    }

    /// The survey-weighted twin `<name>@w` of a count or sum, as `Rows::Sampled` makes
    /// it of the polars aggregation (`None` for the other aggregates).
    pub fn weighted(&self) -> Option<SqlStat> {
        match self.aggregate {
            Aggregate::Count | Aggregate::CountIf(..) | Aggregate::Sum | Aggregate::SumSquares => Some(SqlStat {
                name: crate::input::compact::weighted_name(&self.name),
                aggregate: Aggregate::Weighted(Box::new(self.aggregate.clone())),
                ..self.clone()
            }),
            _ => None,
        }
    }

    /// The SQL of the aggregate, over the cleaned column `value` (an integer column, or
    /// a duration's double). `None` for the order statistics, which are no aggregate.
    pub fn render(&self, value: &str) -> Option<String> {
        let millis = |per_unit: &u32| format!("CAST(FLOOR({value} * {per_unit} + 0.5) AS DECIMAL(38, 0))");
        Some(match &self.aggregate {
            Aggregate::Count => format!("COUNT({value})"),
            Aggregate::CountIf(cmp, bound) => {
                format!("SUM(CASE WHEN {value} {} {bound} THEN 1 ELSE 0 END)", cmp.sql())
            }
            Aggregate::CountWhere(condition) => format!("SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"),
            Aggregate::Sum => format!("SUM({value})"),
            Aggregate::SumSquares => format!("SUM({value} * {value})"),
            Aggregate::SumExact => format!("SUM(CAST({value} AS DECIMAL(38, 0)))"),
            Aggregate::SumMillis(per_unit) => format!("SUM({})", millis(per_unit)),
            Aggregate::SumSquaresMillis(per_unit) => format!("SUM({m} * {m})", m = millis(per_unit)),
            Aggregate::Of(expression, moment) => {
                let exact = format!("CAST({expression} AS DECIMAL(38, 0))");
                match moment {
                    Moment::Count => format!("COUNT({expression})"),
                    Moment::Sum => format!("SUM({exact})"),
                    Moment::SumSquares => format!("SUM({exact} * {exact})"),
                }
            }
            Aggregate::Weighted(inner) => {
                let w = format!("CAST({WEIGHT_STEPS} AS DECIMAL(38, 0))");
                match &**inner {
                    Aggregate::Count => format!("SUM(CASE WHEN {value} IS NOT NULL THEN {w} ELSE 0 END)"),
                    Aggregate::CountIf(cmp, bound) => {
                        format!("SUM(CASE WHEN {value} {} {bound} THEN {w} ELSE 0 END)", cmp.sql())
                    }
                    Aggregate::Sum => format!("SUM(CAST({value} AS DECIMAL(38, 0)) * {w})"),
                    Aggregate::SumSquares => format!("SUM(CAST({value} * {value} AS DECIMAL(38, 0)) * {w})"),
                    _ => return None,
                }
            }
            Aggregate::SquaredWeights => {
                let w = format!("CAST({WEIGHT_STEPS} AS DECIMAL(38, 0))");
                format!("SUM(CASE WHEN {value} IS NOT NULL THEN {w} * {w} ELSE 0 END)")
            }
            Aggregate::OrderStatistics
            | Aggregate::DistinctValues
            | Aggregate::CustomerPeriods
            | Aggregate::EmployeeEvents => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aggregates_render_as_plain_sql() {
        let good = SqlStat::new("csat", "good", Aggregate::CountIf(Cmp::AtLeast, 4));
        assert_eq!(good.name, "csat.good");
        let render = |stat: SqlStat| stat.render("v").unwrap();
        assert_eq!(good.render("v_csat").unwrap(), "SUM(CASE WHEN v_csat >= 4 THEN 1 ELSE 0 END)");
        assert_eq!(render(SqlStat::new("nps", "n", Aggregate::Count)), "COUNT(v)");
        assert_eq!(render(SqlStat::new("ces", "sumsq", Aggregate::SumSquares)), "SUM(v * v)");
        // Minutes in whole milliseconds, rounded half up (durations::mean_aggregations).
        assert_eq!(
            render(SqlStat::new("handle", "sum", Aggregate::SumMillis(60_000))),
            "SUM(CAST(FLOOR(v * 60000 + 0.5) AS DECIMAL(38, 0)))"
        );
        assert_eq!(SqlStat::new("response", "quantiles", Aggregate::OrderStatistics).render("v"), None);
    }

    #[test]
    fn weighted_twins_sum_the_weights_steps_exactly() {
        let twin = |stat: SqlStat| stat.weighted().unwrap();
        let good = twin(SqlStat::new("csat", "good", Aggregate::CountIf(Cmp::AtLeast, 4)));
        assert_eq!(good.name, "csat.good@w");
        assert_eq!(good.render("vw").unwrap(), "SUM(CASE WHEN vw >= 4 THEN CAST(w_q AS DECIMAL(38, 0)) ELSE 0 END)");
        let n = twin(SqlStat::new("nps", "n", Aggregate::Count));
        assert_eq!(n.render("v").unwrap(), "SUM(CASE WHEN v IS NOT NULL THEN CAST(w_q AS DECIMAL(38, 0)) ELSE 0 END)");
        let sumsq = twin(SqlStat::new("ces", "sumsq", Aggregate::SumSquares));
        assert_eq!(sumsq.render("v").unwrap(), "SUM(CAST(v * v AS DECIMAL(38, 0)) * CAST(w_q AS DECIMAL(38, 0)))");
        // Exact sums and order statistics have no weighted twin (as Rows::Sampled has none).
        assert_eq!(SqlStat::new("handle", "sum", Aggregate::SumMillis(60_000)).weighted(), None);
        assert_eq!(SqlStat::new("response", "q", Aggregate::OrderStatistics).weighted(), None);
    }
}
