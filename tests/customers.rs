//! Customer KPIs: retention and churn (both variants), the cohort matrix and CLV, on
//! a hand-computed fixture: January A B C; February A B; March A C D E (C re-activated,
//! D and E new); E's revenue is negative (rejected for revenue only), F's date is
//! impossible (row rejected).

use crate::util::{Workdir, assert_close, csv_rows, csv_rows_with_stderr, fixture, stdout_of};

fn transactions() -> String {
    fixture("transactions_retention.csv")
}

#[test]
fn retention_and_churn_classic() {
    let w = Workdir::new();
    let rows = csv_rows_with_stderr(
        w.servq().args([
            "report",
            "--transactions",
            &transactions(),
            "--metrics",
            "retention,churn",
            "--format",
            "csv",
        ]),
        &["10 rows read, 9 used, 1 rejected", "row rejected (date): impossible date × 1 (line 11)"],
    );
    let get =
        |period: &str, metric: &str| rows.iter().find(|r| r["period"] == period && r["metric"] == metric).unwrap();
    // February: of A B C, A and B stay.
    assert_close(&get("2025-02", "retention")["value"], 200.0 / 3.0);
    assert_eq!(get("2025-02", "retention")["n"], "3");
    // March: of A B only A stays; C's return does not count.
    assert_eq!(get("2025-03", "retention")["value"], "50");
    assert_eq!(get("2025-03", "churn")["value"], "50");
    assert_eq!(get("2025-03", "retention")["n"], "2");
    assert_eq!(rows.len(), 4);
}

#[test]
fn negative_revenue_is_rejected_for_revenue_only_with_its_line() {
    let w = Workdir::new();
    w.servq()
        .args(["validate", "--transactions", &transactions()])
        .assert()
        .code(1)
        .stdout(predicates::str::contains("revenue: value excluded from revenue only: negative × 1 (line 10)"))
        .stdout(predicates::str::contains("row rejected (date): impossible date × 1 (line 11)"));
}

#[test]
fn retention_crr_counts_the_reactivated_customer() {
    let w = Workdir::new();
    let config = w.write(
        "servq.toml",
        format!("[inputs]\ntransactions = \"{}\"\n[metrics.retention]\nvariant = \"crr\"\n", transactions()),
    );
    let out =
        stdout_of(w.servq().args(["report", "--config", &config, "--metrics", "retention", "--format", "json", "-q"]));
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    // March: E = 4 (A C D E), N = 2 (D E), S = 2 -> 100
    assert_eq!(doc["records"][1]["value"], 100.0);
    assert!(doc["definitions"]["retention"].as_str().unwrap().contains("counts re-activated customers as retained"));
}

#[test]
fn cohort_matrix_tidy_csv() {
    let w = Workdir::new();
    let out = stdout_of(w.servq().args(["cohorts", "--transactions", &transactions(), "--format", "csv", "-q"]));
    let cells: Vec<String> = csv_rows(&out)
        .iter()
        .map(|r| {
            format!(
                "{} {} {} {} {} {}",
                r["cohort"], r["cohort_start"], r["offset"], r["customers"], r["active"], r["pct"]
            )
        })
        .collect();
    assert!(out.starts_with("cohort,cohort_start,offset,customers,active,pct\n"));
    // As-of is 2025-03-08: March is not over, so its cells (the January cohort at +2,
    // the March cohort) are left out (SPEC §9.1). January: A B C; February: A B.
    assert_eq!(
        cells,
        ["2025-01 2025-01-01 0 3 3 100".to_string(), "2025-01 2025-01-01 1 3 2 66.66666666666667".to_string()]
    );
    // --include-partial shows them, marked in a `partial` column.
    let out = stdout_of(
        w.servq()
            .args(["cohorts", "--transactions", &transactions(), "--include-partial"])
            .args(["--format", "csv", "-q"]),
    );
    let marked: Vec<String> = csv_rows(&out)
        .iter()
        .map(|r| format!("{} {} {} {}", r["cohort"], r["offset"], r["active"], r["partial"]))
        .collect();
    assert_eq!(marked, ["2025-01 0 3 false", "2025-01 1 2 false", "2025-01 2 2 true", "2025-03 0 2 true"]);
}

#[test]
fn cohort_table_has_the_weighted_summary_row() {
    let w = Workdir::new();
    let out = stdout_of(w.servq().args(["cohorts", "--transactions", &transactions(), "-q"]));
    let summary = out.lines().find(|l| l.contains("all (weighted)")).unwrap();
    let cells: Vec<&str> = summary.split(['│', '┆']).map(str::trim).filter(|c| !c.is_empty()).collect();
    // Only complete periods: +0 = 3 of 3, +1 = 2 of 3 (the partial March is left out).
    assert_eq!(cells, ["all (weighted)", "100.0", "66.7"]);
    assert!(!out.contains("(partial)"), "{out}");
}

#[test]
fn clv_from_transactions_shows_every_parameter() {
    let w = Workdir::new();
    let rows =
        csv_rows(&stdout_of(w.servq().args(["clv", "--transactions", &transactions(), "--format", "csv", "-q"])));
    assert_eq!(rows.len(), 1);
    let r = &rows[0];
    // As-of 2025-03-08: March is partial and left out (SPEC §9.1). Complete periods:
    // January (A B C) and February (A B): m = 10 margin / 5 customer-periods; r = 2 kept
    // of 3 at risk in February; d monthly from 10 %. (With March, r would be 3/5.)
    let d = 1.1f64.powf(1.0 / 12.0) - 1.0;
    assert_eq!(r["customers"], "3");
    assert_eq!(r["m"], "2");
    assert_close(&r["r"], 2.0 / 3.0);
    assert_close(&r["d"], d);
    let r3 = 2.0 / 3.0;
    assert_close(&r["margin_multiple"], r3 / (1.0 + d - r3));
    assert_close(&r["clv"], 2.0 * r3 / (1.0 + d - r3));
    assert_eq!((r["horizon"].as_str(), r["timing"].as_str()), ("infinite", "end"));
}

#[test]
fn clv_what_if_matches_the_spec_example() {
    let w = Workdir::new();
    let args = ["clv", "--period", "year", "--retention", "0.8", "--margin", "100", "--annual-discount-rate", "0.1"];
    let table = stdout_of(w.servq().args(args));
    assert!(table.contains("2.6667") && table.contains("266.67"), "{table}");
    let rows = csv_rows(&stdout_of(w.servq().args(args).args(["--format", "csv"])));
    assert_close(&rows[0]["margin_multiple"], 0.8 / 0.3);
    assert_close(&rows[0]["clv"], 800.0 / 3.0);
    assert_eq!(rows[0]["d"], "0.10000000000000009");
}

#[test]
fn clv_finite_horizon_start_timing_and_acquisition_cost() {
    let w = Workdir::new();
    let rows = csv_rows(&stdout_of(w.servq().args([
        "clv",
        "--period",
        "year",
        "--retention",
        "0.8",
        "--margin",
        "100",
        "--horizon",
        "3",
        "--timing",
        "start",
        "--acquisition-cost",
        "50",
        "--format",
        "csv",
    ])));
    let d = 1.1f64 - 1.0;
    let multiple: f64 = (0..=3).map(|t| (0.8 / (1.0 + d)).powi(t)).sum();
    assert_close(&rows[0]["margin_multiple"], multiple);
    assert_close(&rows[0]["clv"], 100.0 * multiple - 50.0);
    assert_eq!((rows[0]["horizon"].as_str(), rows[0]["timing"].as_str()), ("3", "start"));
}

#[test]
fn clv_needs_data_or_both_overrides() {
    let w = Workdir::new();
    w.servq().args(["clv", "--retention", "0.8"]).assert().code(2).stderr(
        "servq: clv needs transactions (--transactions FILE…), or both --retention and --margin for a what-if\n",
    );
    w.servq()
        .args(["clv", "--retention", "1.5", "--margin", "1"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--retention 1.5: give retention per period as a fraction"));
}

#[test]
fn report_includes_clv_over_the_whole_window() {
    let w = Workdir::new();
    let rows = csv_rows(&stdout_of(w.servq().args([
        "report",
        "--transactions",
        &transactions(),
        "--metrics",
        "clv",
        "--format",
        "csv",
        "-q",
    ])));
    assert_eq!(rows.len(), 1);
    // n = Σ at risk over complete periods: February's 3 (March is partial at 2025-03-08).
    assert_eq!((rows[0]["period"].as_str(), rows[0]["period_start"].as_str(), rows[0]["n"].as_str()), ("all", "", "3"));
}
