//! SPEC §9.1 definition corrections, each against figures worked out by hand.

use predicates::prelude::*;

use crate::util::{Workdir, csv_rows, stdout_of};

#[test]
fn d3_complaints_in_a_period_with_transactions_but_no_interactions_have_no_figure() {
    let w = Workdir::new();
    let interactions = w.write("i.csv", "opened_at,complaint\n2025-01-05,true\n2025-01-06,false\n2025-03-01,false\n");
    let transactions = w.write(
        "t.csv",
        "order_date,customer_id\n2025-01-05,A\n2025-01-06,B\n2025-02-05,A\n2025-02-06,B\n2025-03-01,A\n",
    );
    let out =
        stdout_of(w.servq().args(["report", "--interactions", &interactions, "--transactions", &transactions]).args([
            "--metrics",
            "complaints_per_1000",
            "--as-of",
            "2025-03-31",
            "--format",
            "csv",
            "-q",
        ]));
    let rows: Vec<String> =
        csv_rows(&out).iter().map(|r| format!("{} {} {}", r["period"], r["value"], r["n"])).collect();
    // January: 1 complaint per 2 transactions = 500; February: no interactions at all:
    // unknown, not 0; March: 0 of 1.
    assert_eq!(rows, ["2025-01 500 2", "2025-02  0", "2025-03 0 1"]);
}

#[test]
fn d9_the_default_as_of_is_each_input_s_own_latest_date() {
    let w = Workdir::new();
    // Surveys end on December 15, interactions on December 31.
    let surveys = w.write("s.csv", "submitted_at,csat\n2025-11-10,5\n2025-12-15,4\n");
    let interactions = w.write("i.csv", "opened_at,complaint\n2025-11-10,false\n2025-12-31,true\n");
    let out = stdout_of(w.servq().args(["report", "--surveys", &surveys, "--interactions", &interactions]).args([
        "--metrics",
        "csat,complaints_per_1000",
        "--format",
        "csv",
        "-q",
    ]));
    let december: Vec<String> = csv_rows(&out)
        .iter()
        .filter(|r| r["period"] == "2025-12")
        .map(|r| format!("{} {}", r["metric"], r["flags"]))
        .collect();
    // December is partial for the surveys (cut on the 15th), complete for the interactions.
    assert_eq!(december, ["csat low_n;partial", "complaints_per_1000 low_n"]);
}

#[test]
fn d4_clv_leaves_a_partial_last_period_out_and_says_so() {
    let w = Workdir::new();
    // A, B buy in January and February; only A in March, which is cut on the 5th.
    let file = w.write(
        "t.csv",
        "order_date,customer_id,margin\n2025-01-05,A,10\n2025-01-06,B,10\n2025-02-05,A,10\n2025-02-06,B,10\n2025-03-05,A,10\n",
    );
    let output =
        w.servq().args(["clv", "--transactions", &file, "--format", "csv"]).assert().success().get_output().clone();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains(
            "note: clv: r and m pooled over complete periods only; left out: 2025-03 (not complete at as-of or cut by --to)"
        ),
        "{stderr}"
    );
    let row = &csv_rows(&String::from_utf8(output.stdout).unwrap())[0];
    // February: 2 of 2 kept (r = 1; with March r would be 3/4); m = 40 / 4 customer-periods.
    assert_eq!((row["r"].as_str(), row["m"].as_str(), row["customers"].as_str()), ("1", "10", "2"));
}

#[test]
fn d6_a_fall_from_100_to_0_percent_is_significant() {
    let w = Workdir::new();
    let mut text = String::from("opened_at,first_response_minutes\n");
    for day in 1..=25 {
        text.push_str(&format!("2025-01-{day:02},1\n2025-01-{day:02},2\n"));
        text.push_str(&format!("2025-02-{day:02},99\n2025-02-{day:02},98\n"));
    }
    text.push_str("2025-03-01,1\n");
    let file = w.write("i.csv", text);
    let config = w.write("c.toml", "[[check]]\nmetric = \"sla_pct\"\nmax_drop = 5\nsignificant = true\n");
    // 50 of 50 within 10 minutes, then 0 of 50: pooled z = 10, p < 1e-20.
    w.servq()
        .args(["check", "--config", &config, "--interactions", &file, "-q"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("dropped 100.00 from 100.0 (> 5, p = 0.0000)"));
}

#[test]
fn d5_a_selected_metric_without_its_input_is_explained() {
    let w = Workdir::new();
    let surveys = crate::util::sample("surveys.csv");
    w.servq()
        .args(["report", "--surveys", &surveys, "--metrics", "csat,retention", "--format", "csv", "-q"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "note: retention: not computed: no transactions input (give --transactions or [inputs] transactions)",
        ));
}

#[test]
fn d12_weekly_and_daily_discount_rates_use_the_mean_gregorian_year() {
    let w = Workdir::new();
    // d = 1.1^(7 / 365.2425) − 1 a week, 1.1^(1 / 365.2425) − 1 a day (a separate script).
    for (period, d) in [("week", 0.001_828_322_210_491_784), ("day", 0.000_260_984_459_643_287_54)] {
        let out = stdout_of(
            w.servq()
                .args(["clv", "--period", period, "--retention", "0.9", "--margin", "10"])
                .args(["--format", "csv", "-q"]),
        );
        crate::util::assert_close(&csv_rows(&out)[0]["d"], d);
    }
}

#[test]
fn d4_clv_and_cohorts_leave_out_a_period_cut_by_from_or_to() {
    let w = Workdir::new();
    // A: Jan 5, Feb, Mar, Apr; B: Jan 20, Feb, Mar. Margin 10 each.
    let file = w.write(
        "t.csv",
        "order_date,customer_id,margin\n2025-01-05,A,10\n2025-01-20,B,10\n2025-02-05,A,10\n2025-02-06,B,10\n\
         2025-03-05,A,10\n2025-03-06,B,10\n2025-04-30,A,10\n",
    );
    let output = w
        .servq()
        .args(["clv", "--transactions", &file, "--from", "2025-01-15", "--format", "csv"])
        .assert()
        .success()
        .get_output()
        .clone();
    assert!(String::from_utf8_lossy(&output.stderr).contains("left out: 2025-01 (cut by --from)"));
    // January is cut: r over March (2 of 2) and April (1 of 2) = 3/4; m = 50 / 5
    // customer-periods (February 2, March 2, April 1). With January r would be 4/5.
    let row = &csv_rows(&String::from_utf8(output.stdout).unwrap())[0];
    assert_eq!((row["r"].as_str(), row["m"].as_str()), ("0.75", "10"));
    // Cohorts with --to 2025-03-20: March is cut, its cells are left out.
    let out =
        stdout_of(w.servq().args(["cohorts", "--transactions", &file, "--to", "2025-03-20", "--format", "csv", "-q"]));
    let cells: Vec<String> = csv_rows(&out)
        .iter()
        .map(|r| format!("{} {} {} {}", r["cohort"], r["offset"], r["customers"], r["active"]))
        .collect();
    assert_eq!(cells, ["2025-01 0 2 2", "2025-01 1 2 2"]);
    // No complete period at all: nothing to report, exit 2.
    let short = w.write("s.csv", "order_date,customer_id\n2025-01-01,c1\n2025-01-10,c2\n");
    w.servq()
        .args(["cohorts", "--transactions", &short, "--format", "csv", "-q"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("nothing to report: no complete period"));
}

#[test]
fn the_fcr_rejected_flag_counts_rows_in_its_own_period() {
    let w = Workdir::new();
    // January: 40 resolved contacts, 3 with an unreadable first-contact flag (7.5%);
    // one unreadable `resolved` in February must not dilute January's share.
    let mut text = String::from("opened_at,resolved,first_contact_resolved\n");
    for i in 0..40 {
        let flag = if i < 3 { "maybe" } else { ["false", "true"][i % 2] };
        text.push_str(&format!("2025-01-{:02},true,{flag}\n", i % 28 + 1));
    }
    text.push_str("2025-02-10,hmm,true\n");
    let file = w.write("f.csv", text);
    let out = stdout_of(
        w.servq()
            .args(["report", "--interactions", &file, "--metrics", "fcr", "--as-of", "2025-03-01"])
            .args(["--format", "csv", "-q"]),
    );
    let january = csv_rows(&out).into_iter().find(|r| r["period"] == "2025-01").unwrap();
    assert_eq!((january["n"].as_str(), january["flags"].as_str()), ("37", "rejected"));
}

#[test]
fn a_drop_from_a_suspect_previous_period_fails_as_suspect() {
    let w = Workdir::new();
    let mut text = String::from("submitted_at,csat\n");
    for (month, bad) in [(1, 0), (2, 3), (3, 0)] {
        for i in 0..40 {
            let score = if i < bad { "9".to_string() } else { (i % 5 + 1).to_string() };
            text.push_str(&format!("2025-{month:02}-{:02},{score}\n", i % 28 + 1));
        }
    }
    text.push_str("2025-04-02,5\n");
    let file = w.write("s.csv", text);
    let config = w.write("c.toml", "[[check]]\nmetric = \"csat\"\nmax_drop = 50\n");
    w.servq()
        .args(["check", "--config", &config, "--surveys", &file, "-q"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("suspect data in the previous period"));
}

#[test]
fn a5_clv_and_report_agree_on_a_by_column_the_transactions_lack() {
    let w = Workdir::new();
    // A: Jan, Feb, Mar; B: Jan, Feb; C: Feb, Mar (March is over at as-of 2025-03-31).
    // r = (2 kept of 2 + 2 of 3) / 5 = 0.8; m = 70 / 7 customer-periods = 10;
    // d = 1.1^(1/12) − 1; clv = 10 × 0.8 / (1 + d − 0.8) = 38.466 (by hand, Python).
    let file = w.write(
        "t.csv",
        "order_date,customer_id,margin\n2025-01-05,A,10\n2025-01-06,B,10\n2025-02-05,A,10\n2025-02-06,B,10\n\
         2025-02-07,C,10\n2025-03-05,A,10\n2025-03-31,C,10\n",
    );
    let note = "clv: transactions have no region column: given over all groups";
    let clv = crate::util::csv_rows_with_stderr(
        w.servq().args(["clv", "--transactions", &file, "--by", "region", "--format", "csv"]),
        &[note],
    );
    assert_eq!(clv[0]["region"], "(all)");
    crate::util::assert_close(&clv[0]["clv"], 38.466_320_781_524_34);
    let report = crate::util::csv_rows_with_stderr(
        w.servq().args(["report", "--transactions", &file, "--by", "region", "--metrics", "clv", "--format", "csv"]),
        &[note],
    );
    assert_eq!(report[0]["region"], "(all)");
    crate::util::assert_close(&report[0]["value"], 38.466_320_781_524_34);
}
