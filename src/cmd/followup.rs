//! `servq followup`: the closed-loop list for the team that calls customers back:
//! NPS detractors (0–6) and unhappy CSAT (≤ `--csat-max`, default 2), with customer,
//! date, channel, scores and comment, newest first.

use std::collections::BTreeMap;

use anyhow::{Context, Result, bail};
use polars::prelude::*;

use super::{account_quality, format_without_xlsx, guard_outputs, nothing_to_report, open_output};
use crate::cli::FollowupArgs;
use crate::config::Settings;
use crate::error::Outcome;
use crate::input::{self, DataQuality, Dictionaries, FieldRequest, Kind, TableRequest, ValueKind, dimension_column};
use crate::metrics::frame::integers;
use crate::report::exporter;
use crate::report::followup::{FollowupList, FollowupRow};

/// Parses `--where COL=VALUE` filters.
fn filters(args: &FollowupArgs) -> Result<BTreeMap<String, String>> {
    let mut filters = BTreeMap::new();
    for f in &args.filter {
        let (column, value) =
            f.split_once('=').with_context(|| format!("--where {f}: write COLUMN=VALUE, e.g. channel=chat"))?;
        if filters.insert(column.trim().to_string(), value.trim().to_string()).is_some() {
            bail!("--where {}: the column is given twice (one value per column)", column.trim());
        }
    }
    Ok(filters)
}

/// Runs `servq followup`.
pub fn run(args: &FollowupArgs) -> Result<Outcome> {
    let settings = Settings::resolve(&args.input, &args.group, &[])?;
    let patterns = settings
        .inputs
        .get(&Kind::Surveys)
        .context("followup needs surveys: give --surveys FILE… or [inputs] surveys")?;
    let filters = filters(args)?;
    let csat_max = args.csat_max.unwrap_or(2);
    let format = format_without_xlsx(args.out.format, args.out.output.as_deref())?;
    guard_outputs(&settings, &[("-o", args.out.output.as_deref())])?;
    let mut out = open_output(args.out.output.as_deref())?;
    let (files, notes) = input::source::expand_unique(patterns)?;
    let csat = settings.metrics.csat.scale;
    let mut dims = vec!["channel".to_string()];
    dims.extend(filters.keys().filter(|k| *k != "channel").cloned());
    let empty = BTreeMap::new();
    let fields = vec![
        FieldRequest { field: "customer_id", kind: ValueKind::Key },
        FieldRequest { field: "ticket_id", kind: ValueKind::Key },
        FieldRequest { field: "nps", kind: ValueKind::Score { min: 0, max: 10, labels: None } },
        FieldRequest {
            field: "csat",
            kind: ValueKind::Score { min: csat.0, max: csat.1, labels: settings.metrics.csat.labels },
        },
        FieldRequest { field: "comment", kind: ValueKind::Text },
    ];
    let request = TableRequest::new(Kind::Surveys, &files, &settings.window, &settings.read)
        .mapping(settings.columns.get(&Kind::Surveys).unwrap_or(&empty))
        .fields(fields, Vec::new())
        .dims(&dims, false)
        .timestamps(input::Timestamps::Local);
    let mut dictionaries = Dictionaries::default();
    let mut quality = DataQuality { notes, ..DataQuality::default() };
    let table = input::table::load(&request, &mut dictionaries, &mut quality)?;
    account_quality(&settings, &quality, &[])?;
    if quality.files.iter().all(|f| f.rows_used == 0) {
        return Err(nothing_to_report(&quality, &[]));
    }
    if let Some(missing) = filters.keys().find(|k| table.missing_dims.contains(k)) {
        bail!("--where {missing}=…: the surveys have no column '{missing}'");
    }
    if !table.has("nps") && !table.has("csat") {
        bail!("followup needs an nps or csat column in the surveys");
    }
    // No valid score at all: nobody can be judged, which is not "nobody to call back".
    let valid: u64 =
        quality.files.iter().flat_map(|f| ["nps", "csat"].map(|c| f.fields.get(c).map_or(0, |q| q.valid))).sum();
    if valid == 0 {
        bail!(
            "nothing to follow up: no valid nps or csat value in the surveys (see the data-quality summary and hints)"
        );
    }
    let rows = followup_rows(table.frame, &filters, csat_max, &dictionaries)?;
    exporter(format, false).render(&FollowupList { rows: &rows, csat_max }, &mut out)?;
    out.commit()?;
    super::finish_rejects(&settings, &quality)?;
    Ok(Outcome::Success)
}

/// Selects detractors and unhappy CSAT, applies the filters, newest first.
fn followup_rows(
    frame: DataFrame,
    filters: &BTreeMap<String, String>,
    csat_max: i32,
    dictionaries: &Dictionaries,
) -> Result<Vec<FollowupRow>> {
    let mut condition =
        col("nps").lt_eq(lit(6)).fill_null(lit(false)).or(col("csat").lt_eq(lit(csat_max)).fill_null(lit(false)));
    for (column, value) in filters {
        let name = dimension_column(column);
        let code = dictionaries.get(&name).and_then(|d| d.lookup(value));
        condition = condition.and(code.map_or(lit(false), |c| col(name.as_str()).eq(lit(c))));
    }
    let df = frame
        .lazy()
        .filter(condition)
        .sort(["ts"], SortMultipleOptions::default().with_order_descending(true).with_maintain_order(true))
        .collect()?;
    let ts = integers(&df, "ts")?;
    let nps = integers(&df, "nps")?;
    let csat = integers(&df, "csat")?;
    let customer = integers(&df, "customer_id")?;
    let ticket = integers(&df, "ticket_id")?;
    let channel = integers(&df, &dimension_column("channel"))?;
    let comments: Vec<Option<String>> = df.column("comment")?.str()?.iter().map(|c| c.map(String::from)).collect();
    let text = |column: &str, code: Option<i64>| {
        code.map_or(String::new(), |c| dictionaries.value(column, c as u32).to_string())
    };
    Ok((0..df.height())
        .map(|i| FollowupRow {
            date: ts[i].map(crate::input::parse::date_time_of).unwrap_or_default(),
            customer_id: text("customer_id", customer[i]),
            ticket_id: text("ticket_id", ticket[i]),
            channel: text(&dimension_column("channel"), channel[i]),
            nps: nps[i],
            csat: csat[i],
            comment: comments[i].clone().unwrap_or_default(),
        })
        .collect())
}
