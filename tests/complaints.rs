//! `servq complaints`: the complaint Pareto (SPEC §11) on `fixtures/complaints_pareto.csv`,
//! worked by hand. March 2025 (the latest complete period: the data ends on 1 April):
//! delivery 5 complaints of 10 interactions, billing 3 of 5, app 1 of 5, returns 1 of 2,
//! zeta 0 of 3 (10 complaints). February: delivery 2, billing 3, app 0.

use predicates::prelude::*;

use crate::util::{Workdir, assert_close, csv_rows, fixture, stdout_of};

fn complaints(w: &Workdir, extra: &[&str]) -> String {
    let mut cmd = w.servq();
    cmd.args(["complaints", "--interactions", &fixture("complaints_pareto.csv"), "-q"]).args(extra);
    stdout_of(&mut cmd)
}

#[test]
fn the_pareto_table_matches_the_hand_computed_one() {
    let w = Workdir::new();
    let out = complaints(&w, &["--format", "csv"]);
    assert!(out.starts_with(
        "period,category,complaints,share_pct,cumulative_pct,per_1000,ci_low,ci_high,previous,change,vital\n"
    ));
    let rows = csv_rows(&out);
    let cells: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                "{} {} {} {} {} {} {} {}",
                r["period"],
                r["category"],
                r["complaints"],
                r["share_pct"],
                r["cumulative_pct"],
                r["previous"],
                r["change"],
                r["vital"]
            )
        })
        .collect();
    assert_eq!(
        cells,
        [
            "2025-03 delivery 5 50 50 2 3 true",
            // 80% exactly: billing reaches it and is the last of the vital few.
            "2025-03 billing 3 30 80 3 0 true",
            // Ties by name: app before returns.
            "2025-03 app 1 10 90 0 1 false",
            // No returns in February, which had interactions: previous 0.
            "2025-03 returns 1 10 100 0 1 false",
            "2025-03 zeta 0 0 100 0 0 false",
        ]
    );
    // Without transactions: per 1000 interactions of the category, 5 of 10 = 500, with
    // the exact Garwood bounds on 5 (mpmath: P(5, L) = 0.025, Q(6, U) = 0.025) × 100.
    assert_eq!(rows[0]["per_1000"], "500");
    assert_close(&rows[0]["ci_low"], 162.348_639_011_842_06);
    assert_close(&rows[0]["ci_high"], 1_166.833_207_932_267);
    // No complaint at all: a zero lower bound.
    assert_eq!((rows[4]["per_1000"].as_str(), rows[4]["ci_low"].as_str()), ("0", "0"));
}

#[test]
fn with_transactions_the_rate_is_per_1000_transactions_of_the_period() {
    let w = Workdir::new();
    let out = complaints(&w, &["--transactions", &fixture("complaints_transactions.csv"), "--format", "csv"]);
    let rows = csv_rows(&out);
    // 4 transactions in March: delivery 5 / 4 × 1000; Garwood × 250.
    assert_eq!(rows[0]["per_1000"], "1250");
    assert_close(&rows[0]["ci_low"], 405.871_597_529_605_14);
    assert_close(&rows[0]["ci_high"], 2_917.083_019_830_667_4);
}

#[test]
fn every_format_carries_the_same_table() {
    let w = Workdir::new();
    let json: serde_json::Value = serde_json::from_str(&complaints(&w, &["--format", "json"])).unwrap();
    assert_eq!(json["period"], "2025-03");
    assert_eq!(json["category_column"], "topic");
    assert_eq!(json["rows"][1]["category"], "billing");
    assert_eq!(json["rows"][1]["cumulative_pct"], 80.0);
    assert_eq!(json["rows"][1]["vital"], true);
    assert_eq!(json["rows"][4]["change"], 0);
    let markdown = complaints(&w, &["--format", "markdown"]);
    assert!(markdown.contains("| billing | 3 | 30.0 | 80.0 | 600.0 (123.7–1753.5) | 3 | +0 | vital |"), "{markdown}");
    let table = complaints(&w, &[]);
    assert!(table.contains("Complaints by topic, period 2025-03."), "{table}");
    let html = complaints(&w, &["--format", "html"]);
    // One bar per category (the vital few red), the cumulative line, the 80% mark.
    assert_eq!(html.matches("<rect class=\"bar\"").count(), 5, "{html}");
    assert_eq!(html.matches("fill=\"#dc2626\"").count(), 2);
    assert!(html.contains("<polyline class=\"cumulative\""));
    assert!(html.contains(">80%<"));
}

#[test]
fn streaming_and_other_periods() {
    let w = Workdir::new();
    assert_eq!(complaints(&w, &["--format", "csv"]), complaints(&w, &["--format", "csv", "--streaming"]));
    // Everything as one period: delivery 7 of 15 complaints; no previous.
    let rows = csv_rows(&complaints(&w, &["--format", "csv", "--period", "none"]));
    assert_eq!(
        (rows[0]["period"].as_str(), rows[0]["category"].as_str(), rows[0]["complaints"].as_str()),
        ("all", "delivery", "7")
    );
    assert_close(&rows[0]["share_pct"], 700.0 / 15.0);
    assert_eq!((rows[0]["previous"].as_str(), rows[0]["change"].as_str()), ("", ""));
    // --to 2025-02-28: February is the latest complete period; January had nothing.
    let rows = csv_rows(&complaints(&w, &["--format", "csv", "--to", "2025-02-28"]));
    assert_eq!(rows[0]["period"], "2025-02");
    assert_eq!((rows[0]["category"].as_str(), rows[0]["previous"].as_str()), ("billing", ""));
}

#[test]
fn bad_requests_exit_2_with_the_reason() {
    let w = Workdir::new();
    let file = fixture("complaints_pareto.csv");
    w.servq()
        .args(["complaints", "--interactions", &file, "--by", "topic,channel"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--by topic,channel: give one category column"));
    w.servq().args(["complaints", "--interactions", &file, "--by", "stage"]).assert().code(2).stderr(
        predicate::str::contains("unknown column 'stage' for --by; its columns are: opened_at, topic, complaint"),
    );
    let no_flag = w.write("i.csv", "opened_at,topic\n2025-01-01,a\n");
    w.servq()
        .args(["complaints", "--interactions", &no_flag])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("complaints: not computed: no complaint column in interactions"));
    w.servq()
        .args(["complaints", "--surveys", &file])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("complaints need interactions"));
}
