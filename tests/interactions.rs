//! Interaction KPIs: FCR (flag and repeat-window), complaints per 1000, response
//! time and SLA, on hand-computed fixtures.

use predicates::prelude::*;

use crate::util::{Workdir, assert_close, csv_rows, csv_rows_with_stderr, fixture, stdout_of};

type Row = std::collections::BTreeMap<String, String>;

fn value<'a>(rows: &'a [Row], period: &str, metric: &str) -> &'a Row {
    rows.iter()
        .find(|r| r["period"] == period && r["metric"] == metric)
        .unwrap_or_else(|| panic!("no {period} {metric}"))
}

#[test]
fn flag_fcr_response_sla_and_complaints_per_interaction() {
    let w = Workdir::new();
    let rows = csv_rows_with_stderr(
        w.servq().args(["report", "--interactions", &fixture("interactions_small.csv"), "--format", "csv"]),
        &[
            "first_response_minutes: value excluded from first_response_minutes only: negative × 1 (line 6)",
            "note: complaints_per_1000: no transactions input: the rate is per 1000 interactions",
        ],
    );
    // January: resolved with a flag T1 (1), T2 (2), T3 (1), T5 (1) -> 3 of 4; T4 unresolved.
    let fcr = value(&rows, "2025-01", "fcr");
    assert_eq!((fcr["value"].as_str(), fcr["n"].as_str()), ("75", "4"));
    assert_eq!(value(&rows, "2025-02", "fcr")["value"], "100");
    // Responses 2, 4, 10, 12.5 (-3 rejected): median 7, p90 10 + 0.7 × 2.5, 3 of 4 within 10.
    assert_eq!(value(&rows, "2025-01", "response_median_min")["value"], "7");
    assert_close(&value(&rows, "2025-01", "response_p90_min")["value"], 11.75);
    let sla = value(&rows, "2025-01", "sla_pct");
    assert_eq!((sla["value"].as_str(), sla["n"].as_str()), ("75", "4"));
    // Complaints T2 and T4 of 5 interactions.
    let c = value(&rows, "2025-01", "complaints_per_1000");
    assert_eq!((c["value"].as_str(), c["n"].as_str()), ("400", "5"));
    let c = value(&rows, "2025-02", "complaints_per_1000");
    assert_eq!(c["value"], "0");
    // 0 complaints: the Garwood upper bound is 3.689 per n, here per 1 interaction.
    assert_close(&c["ci_high"], 1000.0 * 3.688_879_454_113_936);
}

#[test]
fn complaints_per_1000_transactions_and_a_by_column_missing_from_transactions() {
    let w = Workdir::new();
    let out = stdout_of(w.servq().args([
        "report",
        "--interactions",
        &fixture("interactions_small.csv"),
        "--transactions",
        &fixture("transactions_small.csv"),
        "--metrics",
        "complaints_per_1000",
        "--format",
        "csv",
    ]));
    let rows = csv_rows(&out);
    // January: 2 complaints, 4 transactions; February: 0 of 2.
    let jan = value(&rows, "2025-01", "complaints_per_1000");
    assert_eq!((jan["value"].as_str(), jan["n"].as_str()), ("500", "4"));
    assert_eq!(value(&rows, "2025-02", "complaints_per_1000")["n"], "2");

    w.servq()
        .args([
            "report",
            "--interactions",
            &fixture("interactions_small.csv"),
            "--transactions",
            &fixture("transactions_small.csv"),
            "--metrics",
            "complaints_per_1000",
            "--format",
            "csv",
            "--by",
            "channel",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("2025-01,2025-01-01,2025-01-31,(all),complaints_per_1000,500,4,"))
        .stderr(predicate::str::contains(
            "complaints_per_1000: transactions have no channel column: the rate is given per period over all groups",
        ));
}

#[test]
fn repeat_window_fcr_with_topics_and_an_open_window() {
    let w = Workdir::new();
    let out = stdout_of(w.servq().args([
        "report",
        "--interactions",
        &fixture("interactions_repeat.csv"),
        "--metrics",
        "fcr",
        "--as-of",
        "2025-01-31",
        "--format",
        "json",
    ]));
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let r = &doc["records"][0];
    // C1@01-01 repeats 6 days later; C2's repeat is 8 days later; C3's second contact is
    // on another topic; C4@01-28's window is still open at 01-31.
    assert_eq!(r["n"], 6);
    assert!((r["value"].as_f64().unwrap() - 500.0 / 6.0).abs() < 1e-9);
    assert_eq!(r["details"]["not_yet_known"], 1);
    assert!(doc["definitions"]["fcr"].as_str().unwrap().starts_with("fcr (method repeat-window)"));
}

#[test]
fn d1_fcr_denominator_all_leaves_open_windows_and_rows_without_a_customer_out() {
    let w = Workdir::new();
    let config = w.write("c.toml", "[metrics.fcr]\ndenominator = \"all\"\n");
    // The fixture plus a contact without a customer id.
    let mut text = std::fs::read_to_string(fixture("interactions_repeat.csv")).unwrap();
    text.push_str(",2025-01-03,billing\n");
    let file = w.write("i.csv", text);
    let out = stdout_of(w.servq().args(["report", "--config", &config, "--interactions", &file]).args([
        "--metrics",
        "fcr",
        "--as-of",
        "2025-01-31",
        "--format",
        "json",
        "-q",
    ]));
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let r = &doc["records"][0];
    // Judged: the 6 contacts with a customer whose window is over (C4's is open, one
    // has no customer): 5 of 6, as with the default denominator here (nothing unresolved).
    assert_eq!(r["n"], 6);
    assert!((r["value"].as_f64().unwrap() - 500.0 / 6.0).abs() < 1e-9);
    assert_eq!((r["details"]["not_yet_known"].clone(), r["details"]["no_customer"].clone()), (1.into(), 1.into()));
    let definition = doc["definitions"]["fcr"].as_str().unwrap();
    assert!(
        definition.contains("count(all interactions with a customer id whose window is over at as-of)"),
        "{definition}"
    );
}

#[test]
fn response_from_first_response_at_and_negative_is_rejected() {
    let w = Workdir::new();
    let rows = csv_rows_with_stderr(
        w.servq().args([
            "report",
            "--interactions",
            &fixture("interactions_response_at.csv"),
            "--metrics",
            "response_median_min,sla_pct",
            "--format",
            "csv",
        ]),
        &["first_response_at: value excluded from first_response_at only: negative (before the row date) × 1 (line 4)"],
    );
    assert_eq!(value(&rows, "2025-03", "response_median_min")["value"], "17.5");
    assert_eq!(value(&rows, "2025-03", "sla_pct")["value"], "50");
}

#[test]
fn sla_per_channel_override_from_config() {
    let w = Workdir::new();
    let config = w.write(
        "servq.toml",
        format!(
            "[inputs]\ninteractions = \"{}\"\n[metrics.sla]\nminutes = 10\nper_channel = {{ chat = 3 }}\n",
            fixture("interactions_small.csv")
        ),
    );
    let out =
        stdout_of(w.servq().args(["report", "--config", &config, "--metrics", "sla_pct", "--format", "csv", "-q"]));
    let rows = csv_rows(&out);
    // January: chat 2 (≤3 ok), chat 4 (>3), phone 10 (ok), phone 12.5 (no) -> 2 of 4.
    assert_eq!(value(&rows, "2025-01", "sla_pct")["value"], "50");
}
