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
            "note: clv: r and m pooled over complete periods up to 2025-02; the partial period 2025-03 is left out"
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
