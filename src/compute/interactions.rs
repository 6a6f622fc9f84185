//! The interaction metrics (fcr, complaints_per_1000, response_median_min,
//! response_p90_min, sla_pct) from one aggregation over the interactions table (two,
//! joined, when the streaming engine compacted the response times apart), with
//! complaints set against the transactions of the same period and group.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use polars::prelude::*;

use super::{GroupKey, Inputs, Results, group_keys, read_keys, rejected_flags, rejection_aggregations};
use crate::config::Settings;
use crate::input::{Kind, Table};
use crate::metrics::complaints::{self, Denominator};
use crate::metrics::fcr::{self, FcrColumns, FcrMethod};
use crate::metrics::frame::Rows;
use crate::metrics::{MetricId, response, sla};
use crate::period::epoch_days;

/// Computes the wanted interaction metrics into `results`.
pub fn compute(inputs: &Inputs, wanted: &[MetricId], settings: &Settings, results: &mut Results) -> Result<()> {
    let Some(table) = inputs.tables.get(&Kind::Interactions) else { return Ok(()) };
    let want = |m: MetricId| wanted.contains(&m);
    let mut frame = table.frame.clone().lazy();
    let mut aggregations = Vec::new();

    let fcr_plan = if want(MetricId::Fcr) { fcr_plan(table, settings, results) } else { None };
    if let Some((method, columns)) = fcr_plan {
        let as_of_end =
            results.as_of_of(Kind::Interactions).map_or(i64::MAX, |d| (i64::from(epoch_days(d)) + 1) * 86_400);
        frame = fcr::with_flags(frame, method, &settings.metrics.fcr, &columns, as_of_end)?;
        aggregations.extend(fcr::aggregations(method, &settings.metrics.fcr, table.rows));
        aggregations.extend(rejection_aggregations(MetricId::Fcr, table));
    }
    let complaint =
        if want(MetricId::ComplaintsPer1000) { complaint_rule(table, inputs, settings, results) } else { None };
    if let Some((condition, _)) = &complaint {
        aggregations.extend(complaints::aggregations(condition.clone(), table.rows));
        aggregations.extend(rejection_aggregations(MetricId::ComplaintsPer1000, table));
    }
    let response_wanted = [MetricId::ResponseMedianMin, MetricId::ResponseP90Min, MetricId::SlaPct]
        .into_iter()
        .filter(|m| want(*m))
        .collect::<Vec<_>>();
    let response_column =
        if response_wanted.is_empty() { None } else { response_minutes(table, &response_wanted, results) };
    // The response columns: in the table's frame, or in a frame of their own.
    let mut values = table.apart.clone().map(IntoLazy::lazy);
    let mut value_aggregations = Vec::new();
    if let Some(expr) = response_column.clone() {
        let target_frame = values.as_mut().unwrap_or(&mut frame);
        *target_frame = target_frame.clone().with_column(expr.alias(response::COLUMN));
        value_aggregations.extend(response::aggregations(table.rows));
        value_aggregations.extend(rejection_aggregations(MetricId::SlaPct, table));
        let channels = inputs.dictionaries.get("channel");
        // A per-channel target that matches no channel is said, never silently dropped.
        for key in settings.metrics.sla.per_channel.keys() {
            if channels.and_then(|d| d.lookup(key)).is_none() {
                results.notes.push(format!(
                    "[metrics.sla] per_channel: '{key}' matches no channel (values seen: {}); its target is not used",
                    values_seen(channels)
                ));
            }
        }
        let target = sla::target(&settings.metrics.sla, |c| channels.and_then(|d| d.lookup(c)));
        value_aggregations.extend(sla::aggregations(target, table.rows));
    }
    if aggregations.is_empty() && value_aggregations.is_empty() {
        return Ok(());
    }
    let keys = group_keys(&settings.by);
    let aggregate =
        |frame: LazyFrame, aggregations| super::aggregate(frame, &settings.by, &inputs.dictionaries, aggregations);
    let mut df = match &values {
        None => {
            aggregations.extend(value_aggregations);
            aggregate(frame.clone(), aggregations)?.collect()?
        }
        Some(values) if aggregations.is_empty() => aggregate(values.clone(), value_aggregations)?.collect()?,
        Some(values) => aggregate(frame.clone(), aggregations)?
            .join(aggregate(values.clone(), value_aggregations)?, &keys, &keys, JoinArgs::new(JoinType::Left))
            .collect()?,
    };
    if response_column.is_some() && table.rows == Rows::Weighted {
        let quantiles = response::weighted_quantiles(values.unwrap_or(frame), &keys)?.lazy();
        df = df.lazy().join(quantiles, &keys, &keys, JoinArgs::new(JoinType::Left)).collect()?;
    }
    let keys = read_keys(&df, &settings.by, &inputs.dictionaries)?;
    if let Some((method, columns)) = fcr_plan {
        results.push_metric(
            &keys,
            MetricId::Fcr,
            fcr::estimates(&df)?,
            fcr::definition(method, &settings.metrics.fcr, &columns),
        );
        results.flag_rejected(MetricId::Fcr, &keys, &rejected_flags(&df, MetricId::Fcr)?);
    }
    if response_column_present(&df) {
        let (median, p90) = response::estimates(&df)?;
        if want(MetricId::ResponseMedianMin) {
            results.push_metric(&keys, MetricId::ResponseMedianMin, median, response::definition());
        }
        if want(MetricId::ResponseP90Min) {
            results.push_metric(&keys, MetricId::ResponseP90Min, p90, response::definition());
        }
        if want(MetricId::SlaPct) {
            results.push_metric(&keys, MetricId::SlaPct, sla::estimates(&df)?, sla::definition(&settings.metrics.sla));
        }
        let suspect = rejected_flags(&df, MetricId::SlaPct)?;
        for metric in response_wanted {
            results.flag_rejected(metric, &keys, &suspect);
        }
    }
    if let Some((_, rule)) = complaint {
        complaint_records(&df, &keys, inputs, settings, &rule, results)?;
        let suspect = rejected_flags(&df, MetricId::ComplaintsPer1000)?;
        results.flag_rejected(MetricId::ComplaintsPer1000, &keys, &suspect);
    }
    Ok(())
}

fn response_column_present(df: &DataFrame) -> bool {
    df.column("response.n").is_ok()
}

/// Picks the FCR method and the columns it uses, or notes why FCR cannot be computed.
fn fcr_plan(table: &Table, settings: &Settings, results: &mut Results) -> Option<(FcrMethod, FcrColumns)> {
    let columns = FcrColumns {
        resolved: table.has("resolved"),
        first_contact_resolved: table.has("first_contact_resolved"),
        contacts_to_resolve: table.has("contacts_to_resolve"),
        topic: table.has("topic"),
    };
    let has_flag = columns.first_contact_resolved || columns.contacts_to_resolve;
    let method =
        settings.metrics.fcr.method.unwrap_or(if has_flag { FcrMethod::Flag } else { FcrMethod::RepeatWindow });
    let missing = match method {
        FcrMethod::Flag if !has_flag => Some("no first_contact_resolved or contacts_to_resolve column"),
        FcrMethod::RepeatWindow if !table.has("customer_id") => Some("method repeat-window needs a customer_id column"),
        _ => None,
    };
    if let Some(why) = missing {
        results.notes.push(format!("fcr: not computed: {why} in interactions"));
        return None;
    }
    Some((method, columns))
}

/// The per-row complaint condition and its description, or a note when there is no
/// complaint column. Notes the denominator when there are no transactions.
fn complaint_rule(
    table: &Table,
    inputs: &Inputs,
    settings: &Settings,
    results: &mut Results,
) -> Option<(Expr, String)> {
    if !table.has("complaint") {
        results.notes.push("complaints_per_1000: not computed: no complaint column in interactions (map one with [columns.interactions] complaint = \"…\" or [metrics.complaints] column and value)".to_string());
        return None;
    }
    let rule = match &settings.metrics.complaint_value {
        None => (col("complaint").eq(lit(true)), "complaint = true".to_string()),
        Some(value) => {
            let column = inputs.dictionaries.get("complaint");
            let code = column.and_then(|d| d.lookup(value));
            if code.is_none() {
                results.notes.push(format!(
                    "[metrics.complaints] value = '{value}' occurs nowhere in the complaint column (values seen: {}): no interaction counts as a complaint",
                    values_seen(column)
                ));
            }
            let condition = code.map_or(lit(false), |c| col("complaint").eq(lit(c)));
            (condition, format!("complaint column = {value}"))
        }
    };
    Some(rule)
}

/// The first-response minutes: `first_response_minutes`, else the minutes from the
/// row date to `first_response_at`; a note when neither column exists.
fn response_minutes(table: &Table, wanted: &[MetricId], results: &mut Results) -> Option<Expr> {
    match (table.has("first_response_minutes"), table.has("first_response_at")) {
        (true, true) => Some(
            when(col("first_response_minutes").is_not_null())
                .then(col("first_response_minutes"))
                .otherwise(col("first_response_at")),
        ),
        (true, false) => Some(col("first_response_minutes")),
        (false, true) => Some(col("first_response_at")),
        (false, false) => {
            for metric in wanted {
                results.notes.push(format!(
                    "{metric}: not computed: no first_response_minutes or first_response_at column in interactions"
                ));
            }
            None
        }
    }
}

/// Reads a per-key count column of an aggregated frame.
fn counts_by_key(df: &DataFrame, keys: &[GroupKey], column: &str) -> Result<BTreeMap<GroupKey, u64>> {
    let values = crate::metrics::frame::counts(df, column)?;
    Ok(keys.iter().cloned().zip(values).collect())
}

/// The complaint records: against transactions of the same period and group, or,
/// without transactions, against interactions. When a `--by` column is missing from
/// the transactions, the rate is given per period over all groups, with a note.
fn complaint_records(
    df: &DataFrame,
    keys: &[GroupKey],
    inputs: &Inputs,
    settings: &Settings,
    rule: &str,
    results: &mut Results,
) -> Result<()> {
    let Some(transactions) = inputs.tables.get(&Kind::Transactions) else {
        results.notes.push("complaints_per_1000: no transactions input: the rate is per 1000 interactions".to_string());
        let complaints = counts_by_key(df, keys, "complaints.count")?;
        let interactions = counts_by_key(df, keys, "interactions.n")?;
        let estimates = keys.iter().map(|k| complaints::complaints_per_1000(complaints[k], interactions[k])).collect();
        results.push_metric(
            keys,
            MetricId::ComplaintsPer1000,
            estimates,
            complaints::definition(Denominator::Interactions, rule),
        );
        return Ok(());
    };
    let (by, complaints) = if transactions.missing_dims.is_empty() {
        (settings.by.clone(), counts_by_key(df, keys, "complaints.count")?)
    } else {
        results.notes.push(format!(
            "complaints_per_1000: transactions have no {} column: the rate is given per period over all groups",
            transactions.missing_dims.join(", ")
        ));
        (Vec::new(), complaints_per_period(df, keys)?)
    };
    let data = inputs.customers.as_ref().context("transactions were not summarised")?;
    let tx_df = if by.is_empty() { data.transactions_per_period()? } else { data.transactions().clone() };
    let tx_keys = read_keys(&tx_df, &by, &inputs.dictionaries)?;
    let tx_counts = counts_by_key(&tx_df, &tx_keys, "transactions.n")?;
    let mut all_keys: Vec<GroupKey> = complaints.keys().chain(tx_counts.keys()).cloned().collect();
    all_keys.sort();
    all_keys.dedup();
    // A period and group with transactions but no interactions has no figure: its
    // complaints are unknown, not zero (SPEC §9.1).
    let estimates = all_keys
        .iter()
        .map(|k| match complaints.get(k) {
            Some(&count) => complaints::complaints_per_1000(count, tx_counts.get(k).copied().unwrap_or(0)),
            None => crate::metrics::Estimate::empty(0),
        })
        .collect();
    let width = settings.by.len();
    let shown: Vec<GroupKey> = all_keys
        .into_iter()
        .map(|(d, g)| if g.len() == width { (d, g) } else { (d, vec!["(all)".to_string(); width]) })
        .collect();
    results.push_metric(
        &shown,
        MetricId::ComplaintsPer1000,
        estimates,
        complaints::definition(Denominator::Transactions, rule),
    );
    Ok(())
}

/// Sums the complaint counts of every group into one count per period.
fn complaints_per_period(df: &DataFrame, keys: &[GroupKey]) -> Result<BTreeMap<GroupKey, u64>> {
    let values = crate::metrics::frame::counts(df, "complaints.count")?;
    let mut out: BTreeMap<GroupKey, u64> = BTreeMap::new();
    for ((start, _), count) in keys.iter().zip(values) {
        *out.entry((*start, Vec::new())).or_default() += count;
    }
    Ok(out)
}

/// The values of a dictionary, sorted and joined (at most 20), for notes.
fn values_seen(dictionary: Option<&crate::input::Dictionary>) -> String {
    let mut values: Vec<&str> = dictionary.map_or_else(Vec::new, |d| d.iter().filter(|v| !v.is_empty()).collect());
    values.sort_unstable();
    let more = values.len().saturating_sub(20);
    values.truncate(20);
    let list = values.join(", ");
    if more > 0 { format!("{list}, … {more} more") } else { list }
}
