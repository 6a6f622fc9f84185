//! FCR, first-contact resolution (SPEC §4).
//!
//! - Method `flag` (the data has `first_contact_resolved`, or `contacts_to_resolve`
//!   where 1 means resolved on first contact):
//!   `fcr` = 100 × count(resolved and resolved on first contact) / count(resolved).
//!   Unresolved interactions are in no denominator; they are counted (`unresolved`).
//!   Without a `resolved` column, an interaction with a known flag counts as resolved.
//! - Method `repeat-window` (no flag column): an interaction was resolved on first
//!   contact when the same customer (and the same `topic`, when that column exists)
//!   has no other interaction at a time t′ with t ≤ t′ ≤ t + `window_days` (default
//!   7); a repeat exactly `window_days` later is within the window, and contacts at
//!   the same time are repeats of each other (so row order never matters). An interaction whose window is
//!   not over at `--as-of` (end of that day) is "not yet known" (`unknown`) and in no
//!   denominator. With a `resolved` column only resolved interactions are judged.
//! - Variant `denominator = "all"`: divide by all interactions (resolved or not) instead;
//!   interactions whose flag is unknown (a window not over at as-of, no customer id, no
//!   first-contact flag) are in no denominator either way (SPEC §9.1).
//! - Repeat-window interactions without a customer id are counted apart
//!   (`no_customer`), not as "not yet known".
//! - 95% Wilson interval.

use std::sync::Arc;

use polars::prelude::*;

use super::frame::{Rows, counts};
use super::interaction::{Context, InteractionKpi, Part, Plan};
use super::{Estimate, MetricSettings, stats};
use crate::input::{FieldRequest, Kind, ValueKind};
use crate::metrics::sql::{Aggregate, SqlStat};

/// How first-contact resolution is decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FcrMethod {
    /// From `first_contact_resolved` or `contacts_to_resolve`.
    Flag,
    /// From repeat contacts of the same customer (and topic) within a window.
    RepeatWindow,
}

impl FcrMethod {
    /// The method's name in config and output.
    pub fn as_str(self) -> &'static str {
        match self {
            FcrMethod::Flag => "flag",
            FcrMethod::RepeatWindow => "repeat-window",
        }
    }
}

/// FCR settings (`[metrics.fcr]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FcrOptions {
    /// The method; `None` picks `flag` when a flag column exists, else `repeat-window`.
    pub method: Option<FcrMethod>,
    /// The repeat window in days.
    pub window_days: u32,
    /// Divide by all interactions instead of resolved ones.
    pub denominator_all: bool,
}

impl Default for FcrOptions {
    fn default() -> Self {
        FcrOptions { method: None, window_days: 7, denominator_all: false }
    }
}

/// Which columns the interactions frame has, for building the expressions.
#[derive(Debug, Clone, Copy, Default)]
pub struct FcrColumns {
    /// A `resolved` column.
    pub resolved: bool,
    /// A `first_contact_resolved` column.
    pub first_contact_resolved: bool,
    /// A `contacts_to_resolve` column.
    pub contacts_to_resolve: bool,
    /// A `topic` column (repeat-window matches on it).
    pub topic: bool,
}

impl FcrColumns {
    /// The columns the interactions have, as `has` says.
    pub fn of(has: &dyn Fn(&str) -> bool) -> Self {
        FcrColumns {
            resolved: has("resolved"),
            first_contact_resolved: has(FLAG_FIELDS[0]),
            contacts_to_resolve: has(FLAG_FIELDS[1]),
            topic: has("topic"),
        }
    }
}

/// The per-row first-contact flag of the `flag` method: `first_contact_resolved`,
/// else `contacts_to_resolve == 1`; null when unknown.
pub fn first_contact_flag(columns: &FcrColumns) -> Expr {
    match (columns.first_contact_resolved, columns.contacts_to_resolve) {
        (true, true) => when(col("first_contact_resolved").is_not_null())
            .then(col("first_contact_resolved"))
            .otherwise(col("contacts_to_resolve").eq(lit(1))),
        (true, false) => col("first_contact_resolved"),
        (false, true) => col("contacts_to_resolve").eq(lit(1)),
        (false, false) => lit(NULL).cast(DataType::Boolean),
    }
}

/// Adds the boolean column `fcr.first` (resolved on first contact; null = unknown)
/// and `fcr.resolved` for the chosen method. The repeat-window method needs `ts`
/// (seconds) and `customer_id`; `as_of_end` is the end of the `--as-of` day in the
/// same seconds.
pub fn with_flags(
    frame: LazyFrame,
    method: FcrMethod,
    options: &FcrOptions,
    columns: &FcrColumns,
    as_of_end: i64,
) -> PolarsResult<LazyFrame> {
    let resolved = |known: Expr| if columns.resolved { col("resolved") } else { known.is_not_null() };
    Ok(match method {
        FcrMethod::Flag => {
            let first = first_contact_flag(columns);
            // An unresolved interaction is judged (not resolved on first contact) even
            // without a flag; a resolved one only with its flag.
            let judged = first.clone().is_not_null().or(resolved(first.clone()).eq(lit(false)));
            let mut flags = vec![first.clone().alias("fcr.first"), resolved(first).alias("fcr.resolved")];
            if options.denominator_all {
                flags.push(judged.alias(JUDGED));
            }
            frame.with_columns(flags)
        }
        FcrMethod::RepeatWindow => {
            let window = i64::from(options.window_days) * 86_400;
            let mut partition = vec![col("customer_id")];
            if columns.topic {
                partition.push(col("topic"));
            }
            // Sorted by time, a contact has a repeat when the next contact of its
            // customer (and topic) is within the window, or when the contact before it
            // has the same time: contacts at one time are repeats of each other, so
            // the result does not depend on the order of the rows (SPEC §9).
            let next = col("ts").shift(lit(-1)).over(partition.clone())?;
            let previous = col("ts").shift(lit(1)).over(partition)?;
            let tie = previous.eq(col("ts")).fill_null(lit(false));
            // The window [t, t + window] is over when its last instant is in the data: before
            // the end of the as-of day (a repeat at exactly t + window counts).
            let known = col("customer_id").is_not_null().and((col("ts") + lit(window)).lt(lit(as_of_end)));
            let no_repeat = next.clone().is_null().or((next - col("ts")).gt(lit(window))).and(tie.not());
            let first = when(known.clone()).then(no_repeat).otherwise(lit(NULL));
            let resolved = if columns.resolved { col("resolved") } else { lit(true) };
            let mut flags = vec![
                first.alias("fcr.first"),
                resolved.alias("fcr.resolved"),
                col("customer_id").is_null().alias(NO_CUSTOMER),
            ];
            if options.denominator_all {
                flags.push(known.alias(JUDGED));
            }
            frame.sort(["ts"], SortMultipleOptions::default().with_maintain_order(true)).with_columns(flags)
        }
    })
}

/// The column that marks a repeat-window interaction without a customer id.
const NO_CUSTOMER: &str = "fcr.no_customer";

/// The column that marks an interaction whose outcome is known: the denominator of
/// `denominator = "all"`.
const JUDGED: &str = "fcr.judged";

/// The aggregations over the flags of [`with_flags`]: `fcr.n` (denominator),
/// `fcr.good`, `fcr.unresolved`, `fcr.unknown` (window not over, or flag missing),
/// `fcr.no_customer`.
pub fn aggregations(method: FcrMethod, options: &FcrOptions, rows: Rows) -> Vec<Expr> {
    let resolved = col("fcr.resolved").eq(lit(true));
    let known = col("fcr.first").is_not_null();
    let n = if options.denominator_all {
        rows.count_true(col(JUDGED).eq(lit(true)), "fcr.n")
    } else {
        rows.count_true(resolved.clone().and(known.clone()), "fcr.n")
    };
    let unknown = resolved.clone().and(known.not());
    let (unknown, no_customer) = match method {
        // Only the repeat-window method needs a customer id.
        FcrMethod::Flag => (unknown, lit(0u64).alias("fcr.no_customer")),
        FcrMethod::RepeatWindow => {
            let no_customer = col(NO_CUSTOMER).eq(lit(true));
            (
                unknown.and(no_customer.clone().not()),
                rows.count_true(resolved.clone().and(no_customer), "fcr.no_customer"),
            )
        }
    };
    vec![
        n,
        rows.count_true(resolved.and(col("fcr.first").eq(lit(true))), "fcr.good"),
        rows.count_true(col("fcr.resolved").eq(lit(false)), "fcr.unresolved"),
        rows.count_true(unknown, "fcr.unknown"),
        no_customer,
    ]
}

/// The counts an FCR figure is made of.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FcrCounts {
    /// Resolved on first contact.
    pub good: u64,
    /// The denominator.
    pub n: u64,
    /// Not resolved.
    pub unresolved: u64,
    /// Resolved, but not yet known (window open at as-of, or no flag).
    pub unknown: u64,
    /// Resolved, without a customer id (repeat-window).
    pub no_customer: u64,
}

/// `fcr` = 100 × good / n with a Wilson interval; details: first_contact, unresolved,
/// not_yet_known, no_customer.
pub fn fcr(c: FcrCounts) -> Estimate {
    if c.n == 0 {
        return Estimate::empty(0);
    }
    Estimate {
        value: Some(100.0 * c.good as f64 / c.n as f64),
        n: c.n,
        ci: stats::wilson(c.good, c.n).map(|(lo, hi)| (100.0 * lo, 100.0 * hi)),
        details: vec![
            ("first_contact", c.good as f64),
            ("unresolved", c.unresolved as f64),
            ("not_yet_known", c.unknown as f64),
            ("no_customer", c.no_customer as f64),
        ],
    }
}

/// Reads the estimates of every row of an aggregated frame.
pub fn estimates(df: &DataFrame) -> PolarsResult<Vec<Estimate>> {
    let n = counts(df, "fcr.n")?;
    let good = counts(df, "fcr.good")?;
    let unresolved = counts(df, "fcr.unresolved")?;
    let unknown = counts(df, "fcr.unknown")?;
    let no_customer = counts(df, "fcr.no_customer")?;
    Ok((0..n.len())
        .map(|i| {
            fcr(FcrCounts {
                good: good[i],
                n: n[i],
                unresolved: unresolved[i],
                unknown: unknown[i],
                no_customer: no_customer[i],
            })
        })
        .collect())
}

/// The definition as printed in report footers.
pub fn definition(method: FcrMethod, options: &FcrOptions, columns: &FcrColumns) -> String {
    let base = if options.denominator_all { "all interactions" } else { "resolved interactions" };
    let known = match method {
        FcrMethod::Flag => "with a known first-contact flag",
        FcrMethod::RepeatWindow => "with a customer id whose window is over at as-of",
    };
    match method {
        FcrMethod::Flag => format!(
            "fcr (method flag) = 100 × count(resolved on first contact) / count({base} {known}); 95% Wilson interval"
        ),
        FcrMethod::RepeatWindow => format!(
            "fcr (method repeat-window) = 100 × count(resolved, with no other contact by the same customer{} from t to t + {} days) / count({base} {known}); 95% Wilson interval",
            if columns.topic { " and topic" } else { "" },
            options.window_days
        ),
    }
}

/// The columns that hold a first-contact flag (method `flag`).
const FLAG_FIELDS: [&str; 2] = ["first_contact_resolved", "contacts_to_resolve"];

/// FCR on the registry.
#[derive(Debug)]
pub struct Fcr;

impl InteractionKpi for Fcr {
    fn fields(&self, _: &MetricSettings, history: bool) -> Vec<(Kind, FieldRequest)> {
        let field = |field, kind| (Kind::Interactions, FieldRequest { field, kind });
        let mut fields = vec![
            field("resolved", ValueKind::Bool),
            field("first_contact_resolved", ValueKind::Bool),
            field("contacts_to_resolve", ValueKind::Count),
        ];
        if history {
            fields.extend([field("customer_id", ValueKind::Key), field("topic", ValueKind::Key)]);
        }
        fields
    }

    /// The repeat-window method needs every contact's time and customer: configured
    /// so, or (auto) when no interactions file has a first-contact flag column.
    fn needs_history(&self, options: &MetricSettings, has_column: &dyn Fn(&[&str]) -> bool) -> bool {
        match options.fcr.method {
            Some(FcrMethod::RepeatWindow) => true,
            Some(FcrMethod::Flag) => false,
            None => !has_column(&FLAG_FIELDS),
        }
    }

    fn plan(&self, context: &Context) -> Result<Plan, String> {
        let columns = FcrColumns::of(context.has);
        let has_flag = columns.first_contact_resolved || columns.contacts_to_resolve;
        let options = context.options.fcr;
        let method = options.method.unwrap_or(if has_flag { FcrMethod::Flag } else { FcrMethod::RepeatWindow });
        match method {
            FcrMethod::Flag if !has_flag => {
                return Err("no first_contact_resolved or contacts_to_resolve column in interactions".to_string());
            }
            FcrMethod::RepeatWindow if !(context.has)("customer_id") => {
                return Err("method repeat-window needs a customer_id column in interactions".to_string());
            }
            _ => {}
        }
        let as_of_end = context.as_of_end;
        let part = Part {
            name: "fcr",
            on_values: false,
            prepare: Some(Arc::new(move |frame| with_flags(frame, method, &options, &columns, as_of_end))),
            aggregations: aggregations(method, &options, context.rows),
            joined: None,
        };
        Ok(Plan { parts: vec![part], definition: definition(method, &options, &columns), notes: Vec::new() })
    }

    /// By the flag method, or by repeat contacts when the interactions have a customer.
    fn sql(&self, context: &Context) -> Option<Vec<SqlStat>> {
        let columns = FcrColumns::of(context.has);
        let has_flag = columns.first_contact_resolved || columns.contacts_to_resolve;
        let options = context.options.fcr;
        match options.method.unwrap_or(if has_flag { FcrMethod::Flag } else { FcrMethod::RepeatWindow }) {
            FcrMethod::Flag if has_flag => Some(sql_flag(&options, &columns)),
            FcrMethod::RepeatWindow if (context.has)("customer_id") => Some(sql_repeat(&options, &columns)),
            _ => None,
        }
    }

    fn estimates(&self, df: &DataFrame) -> PolarsResult<Vec<Estimate>> {
        estimates(df)
    }

    /// Resolved interactions not yet known while no flag value was valid: repeat windows
    /// still open at as-of (the flag method, without a flag, judges nothing resolved).
    fn unjudged(&self, df: &DataFrame) -> PolarsResult<Option<String>> {
        let open: u64 = counts(df, "fcr.unknown")?.iter().sum();
        Ok((open > 0).then(|| {
            format!(
                "the repeat window of each of the {open} contacts is still open at the end of the as-of day (give a later --as-of, or data that reaches further)"
            )
        }))
    }
}

/// The SQL twin of [`with_flags`] and [`aggregations`] for the flag method, over the
/// cleaned columns (booleans 1/0): `fcr.n`, `fcr.good`, `fcr.unresolved`, `fcr.unknown`
/// and `fcr.no_customer` (0: the flag method needs no customer).
pub fn sql_flag(options: &FcrOptions, columns: &FcrColumns) -> Vec<SqlStat> {
    let by_count = "CASE WHEN v_contacts_to_resolve IS NULL THEN NULL WHEN v_contacts_to_resolve = 1 THEN 1 ELSE 0 END";
    let first = match (columns.first_contact_resolved, columns.contacts_to_resolve) {
        (true, true) => format!("COALESCE(v_first_contact_resolved, {by_count})"),
        (true, false) => "v_first_contact_resolved".to_string(),
        _ => by_count.to_string(),
    };
    let resolved = if columns.resolved {
        "v_resolved".to_string()
    } else {
        format!("CASE WHEN ({first}) IS NULL THEN 0 ELSE 1 END")
    };
    let n = if options.denominator_all {
        format!("(({first}) IS NOT NULL OR ({resolved}) = 0)")
    } else {
        format!("(({resolved}) = 1 AND ({first}) IS NOT NULL)")
    };
    let count = |what: &str, condition: String| SqlStat::new("fcr", what, Aggregate::CountWhere(condition));
    vec![
        count("n", n),
        count("good", format!("(({resolved}) = 1 AND ({first}) = 1)")),
        count("unresolved", format!("({resolved}) = 0")),
        count("unknown", format!("(({resolved}) = 1 AND ({first}) IS NULL)")),
        count("no_customer", "1 = 0".to_string()),
    ]
}

/// The SQL twin of [`with_flags`] and [`aggregations`] for the repeat-window method:
/// each used row's neighbours in time among the contacts of its customer (and topic),
/// the same five counts.
pub fn sql_repeat(options: &FcrOptions, columns: &FcrColumns) -> Vec<SqlStat> {
    let window = i64::from(options.window_days) * 86_400;
    // Never NULL (a row without a time is unknown, as `fcr.first` is null in polars).
    let known = format!("(v_customer_id IS NOT NULL AND COALESCE(ts + {window} < as_of_end, FALSE))");
    // Contacts at one time are repeats of each other (any order of the tied rows).
    let tie = "(ts_prev IS NOT NULL AND ts_prev = ts)";
    let no_repeat = format!("((ts_next IS NULL OR ts_next - ts > {window}) AND NOT {tie})");
    let (resolved, unresolved) =
        if columns.resolved { ("v_resolved = 1", "v_resolved = 0") } else { ("1 = 1", "1 = 0") };
    let n = if options.denominator_all { known.clone() } else { format!("({resolved} AND {known})") };
    let mut partition = vec!["customer_id"];
    if columns.topic {
        partition.push("topic");
    }
    let count = |what: &str, condition: String| {
        SqlStat::new("fcr", what, Aggregate::CountWhere(condition)).with_neighbours(&partition)
    };
    vec![
        count("n", n),
        count("good", format!("({resolved} AND {known} AND {no_repeat})")),
        count("unresolved", format!("({unresolved})")),
        count("unknown", format!("({resolved} AND NOT {known} AND v_customer_id IS NOT NULL)")),
        count("no_customer", format!("({resolved} AND v_customer_id IS NULL)")),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(df: DataFrame, method: FcrMethod, options: &FcrOptions, columns: &FcrColumns, as_of_end: i64) -> Estimate {
        let lf = with_flags(df.lazy().with_column(lit(1).alias("g")), method, options, columns, as_of_end).unwrap();
        let out = lf.group_by([col("g")]).agg(aggregations(method, options, Rows::Each)).collect().unwrap();
        estimates(&out).unwrap().remove(0)
    }

    #[test]
    fn spec_example_280_of_400_is_70() {
        let mut contacts = vec![Some(1); 280];
        contacts.extend(vec![Some(2); 120]);
        contacts.extend(vec![None; 50]);
        let mut resolved = vec![Some(true); 400];
        resolved.extend(vec![Some(false); 50]);
        let df = df!("resolved" => resolved, "contacts_to_resolve" => contacts).unwrap();
        let columns = FcrColumns { resolved: true, contacts_to_resolve: true, ..Default::default() };
        let e = run(df.clone(), FcrMethod::Flag, &FcrOptions::default(), &columns, 0);
        assert_eq!((e.value, e.n), (Some(70.0), 400));
        assert!(e.details.contains(&("unresolved", 50.0)));
        let all = FcrOptions { denominator_all: true, ..FcrOptions::default() };
        let e = run(df, FcrMethod::Flag, &all, &columns, 0);
        assert_eq!(e.n, 450);
        assert!((e.value.unwrap() - 100.0 * 280.0 / 450.0).abs() < 1e-12);
    }

    #[test]
    fn first_contact_resolved_column_wins_over_contacts() {
        let df = df!(
            "first_contact_resolved" => [Some(true), Some(false), None],
            "contacts_to_resolve" => [Some(3), Some(1), Some(1)]
        )
        .unwrap();
        let columns = FcrColumns { first_contact_resolved: true, contacts_to_resolve: true, ..Default::default() };
        let e = run(df, FcrMethod::Flag, &FcrOptions::default(), &columns, 0);
        // true, false, then contacts 1 -> true: 2 of 3
        assert_eq!(e.n, 3);
        assert!((e.value.unwrap() - 200.0 / 3.0).abs() < 1e-12);
    }

    const DAY: i64 = 86_400;

    fn repeat(customers: &[&str], topics: Option<&[&str]>, days: &[i64], as_of_day: i64) -> Estimate {
        let mut df = df!("customer_id" => customers, "ts" => days.iter().map(|d| d * DAY).collect::<Vec<_>>()).unwrap();
        if let Some(t) = topics {
            df.with_column(Column::new("topic".into(), t)).unwrap();
        }
        let columns = FcrColumns { topic: topics.is_some(), ..Default::default() };
        run(df, FcrMethod::RepeatWindow, &FcrOptions::default(), &columns, (as_of_day + 1) * DAY)
    }

    #[test]
    fn repeat_six_days_later_is_not_first_contact_eight_days_later_is() {
        // a: day 0 and day 6 (repeat); b: day 0 and day 8 (no repeat within 7)
        let e = repeat(&["a", "a", "b", "b"], None, &[0, 6, 0, 8], 100);
        // a@0 no, a@6 yes, b@0 yes, b@8 yes
        assert_eq!(e.n, 4);
        assert_eq!(e.value, Some(75.0));
        // exactly 7 days later is within the window
        let e = repeat(&["a", "a"], None, &[0, 7], 100);
        assert_eq!(e.value, Some(50.0));
    }

    #[test]
    fn the_same_customer_on_another_topic_is_not_a_repeat() {
        let e = repeat(&["a", "a"], Some(&["billing", "delivery"]), &[0, 2], 100);
        assert_eq!(e.value, Some(100.0));
        let e = repeat(&["a", "a"], Some(&["billing", "billing"]), &[0, 2], 100);
        assert_eq!(e.value, Some(50.0));
    }

    #[test]
    fn a_window_still_open_at_as_of_is_not_yet_known() {
        // as-of day 10: the window of day 0 is over (ends day 7), day 5's is not (ends day 12).
        let e = repeat(&["a", "b"], None, &[0, 5], 10);
        assert_eq!((e.value, e.n), (Some(100.0), 1));
        assert!(e.details.contains(&("not_yet_known", 1.0)));
        // h18d-2: a window whose last instant (day 10, 00:00) is the end of the as-of day
        // 9 is not over (a repeat at that instant is not in the data yet); one a day
        // earlier is.
        let e = repeat(&["a"], None, &[3], 9);
        assert_eq!(e.n, 0);
        let e = repeat(&["a"], None, &[2], 9);
        assert_eq!(e.n, 1);
    }
}
