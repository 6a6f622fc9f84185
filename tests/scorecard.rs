//! SPEC §11, more of the scorecard: resolution, response mean, handle time, abandon
//! rate (interactions), bottom box and the NPS shares (surveys, see also report.rs),
//! with exact values worked by hand on `fixtures/interactions_scorecard.csv`:
//!
//! | row | channel | priority | answered | handle | response min | resolution h |
//! |-----|---------|----------|----------|--------|--------------|--------------|
//! | 1   | phone   | urgent   | Y        | 4:30   | 2            | 3            |
//! | 2   | phone   | normal   | N        | –      | –            | –  (short row) |
//! | 3   | chat    | normal   | Y        | 6      | 12           | 24 (exactly)  |
//! | 4   | chat    | urgent   | Y        | 3.5    | 8            | 5            |
//! | 5   | phone   | normal   | (empty)  | 2:00   | 4            | 48           |
//! | 6   | email   | low      | Y        | –      | 30           | –            |

use predicates::prelude::*;

use crate::util::{Workdir, assert_close, csv_rows, fixture, stdout_of};

fn report(w: &Workdir, extra: &[&str]) -> Vec<std::collections::BTreeMap<String, String>> {
    let file = fixture("interactions_scorecard.csv");
    let mut args = vec!["report", "--interactions", &file, "--as-of", "2025-01-31", "--format", "csv", "-q"];
    args.extend(extra);
    csv_rows(&stdout_of(w.servq().args(&args)))
}

fn value<'a>(
    rows: &'a [std::collections::BTreeMap<String, String>],
    metric: &str,
) -> &'a std::collections::BTreeMap<String, String> {
    rows.iter().find(|r| r["metric"] == metric).unwrap_or_else(|| panic!("no {metric}"))
}

#[test]
fn interaction_scorecard_matches_the_hand_computed_figures() {
    let w = Workdir::new();
    let rows = report(&w, &[]);
    // Response minutes 2, 4, 8, 12, 30: median 8; p90 h = 3.6 → 12 + 0.6 × 18 = 22.8;
    // mean 56 / 5 = 11.2, sd √((5 × 1128 − 56²) / 20) = √125.2, t(4) = 2.776445105.
    assert_eq!(value(&rows, "response_median_min")["value"], "8");
    assert_eq!(value(&rows, "response_p90_min")["value"], "22.8");
    let mean = value(&rows, "response_mean_min");
    assert_eq!((mean["value"].as_str(), mean["n"].as_str()), ("11.2", "5"));
    let half = 2.776_445_105_197_798 * 125.2_f64.sqrt() / 5_f64.sqrt();
    assert_close(&mean["ci_low"], 11.2 - half);
    assert_close(&mean["ci_high"], 11.2 + half);
    // Resolution hours 3, 5, 24, 48: median 5 + 0.5 × 19 = 14.5; p90 h = 2.7 → 24 +
    // 0.7 × 24 = 40.8; within 24 h: 3, 5 and 24 (exactly at the target meets it) = 75%.
    assert_eq!(value(&rows, "resolution_median_h")["value"], "14.5");
    assert_close(&value(&rows, "resolution_p90_h")["value"], 40.8);
    let sla = value(&rows, "resolution_sla_pct");
    assert_eq!((sla["value"].as_str(), sla["n"].as_str()), ("75", "4"));
    // Handle minutes 4.5 (4:30), 6, 3.5, 2 (2:00): mean 4, sd √(8.5 / 3), t(3) = 3.182446305.
    let handle = value(&rows, "handle_mean_min");
    assert_eq!((handle["value"].as_str(), handle["n"].as_str()), ("4", "4"));
    let half = 3.182_446_305_284_263 * (8.5_f64 / 3.0).sqrt() / 2.0;
    assert_close(&handle["ci_low"], 4.0 - half);
    // Abandon: answered known on 5 calls (row 5 is in no denominator), 1 not answered.
    let abandon = value(&rows, "abandon_rate");
    assert_eq!((abandon["value"].as_str(), abandon["n"].as_str()), ("20", "5"));
    // First response within 10 minutes: 2, 8, 4 of 5.
    assert_eq!(value(&rows, "sla_pct")["value"], "60");
}

#[test]
fn the_streaming_engine_gives_identical_scorecard_output() {
    let w = Workdir::new();
    for by in [&[][..], &["--by", "channel"][..], &["--by", "priority"][..]] {
        let plain = report(&w, by);
        let mut streaming = by.to_vec();
        streaming.push("--streaming");
        assert_eq!(plain, report(&w, &streaming), "{by:?}");
    }
}

#[test]
fn per_priority_targets_and_duration_units_from_the_config() {
    let w = Workdir::new();
    let config = w.write(
        "servq.toml",
        format!(
            "[inputs]\ninteractions = \"{}\"\n\n[columns.interactions]\nunits = {{ handle_time = \"seconds\" }}\n\n\
             [metrics.resolution]\nper_priority = {{ urgent = 4, vip = 1 }}\n",
            fixture("interactions_scorecard.csv")
        ),
    );
    let out = w
        .servq()
        .args(["report", "--config", &config, "--as-of", "2025-01-31", "--format", "csv"])
        .args(["--metrics", "resolution_sla_pct,handle_mean_min"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "[metrics.resolution] per_priority: 'vip' matches no priority (values seen: low, normal, urgent); its target is not used",
        ))
        .get_output()
        .stdout
        .clone();
    let rows = csv_rows(&String::from_utf8(out).unwrap());
    // Urgent within 4 h: 3 yes, 5 no; normal within 24 h: 24 yes, 48 no → 2 of 4.
    assert_eq!(value(&rows, "resolution_sla_pct")["value"], "50");
    // Plain numbers are seconds now; clocks stay clocks: 4.5, 0.1, 3.5 / 60, 2 minutes.
    assert_close(&value(&rows, "handle_mean_min")["value"], (4.5 + 0.1 + 3.5 / 60.0 + 2.0) / 4.0);
}

#[test]
fn a_bad_unit_or_a_unit_on_a_column_that_is_no_duration_is_a_config_error() {
    let w = Workdir::new();
    for (units, message) in [
        ("{ handle_time = \"fortnights\" }", "handle_time = \"fortnights\": use seconds, minutes, hours or days"),
        (
            "{ channel = \"seconds\" }",
            "'channel' is not a duration column (durations: first_response, resolution, handle_time)",
        ),
    ] {
        let config = w.write("servq.toml", format!("[columns.interactions]\nunits = {units}\n"));
        w.servq()
            .args(["report", "--config", &config, "--interactions", &fixture("interactions_scorecard.csv")])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(message));
    }
}

#[test]
fn a_duration_that_is_no_number_or_clock_is_rejected_with_its_reason() {
    let w = Workdir::new();
    let file = w.write(
        "calls.csv",
        "Date,Answered (Y/N),AvgTalkDuration\n2025-01-02,Y,00:03:00\n2025-01-03,y,1:75:00\n2025-01-04,N,\n",
    );
    let output = w
        .servq()
        .args(["report", "--interactions", &file, "--as-of", "2025-01-31", "--format", "csv"])
        .args(["--metrics", "abandon_rate,handle_mean_min"])
        .assert()
        .success()
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("not a duration (a number, H:MM:SS or MM:SS) × 1"), "{stderr}");
    let rows = csv_rows(&String::from_utf8(output.stdout).unwrap());
    // `Answered (Y/N)` and `AvgTalkDuration` are recognised; 1 of 3 abandoned.
    assert_close(&value(&rows, "abandon_rate")["value"], 100.0 / 3.0);
    let handle = value(&rows, "handle_mean_min");
    assert_eq!((handle["value"].as_str(), handle["n"].as_str()), ("3", "1"));
    // One of the two handle times was rejected: the figure is suspect.
    assert!(handle["flags"].contains("rejected"), "{handle:?}");
}

#[test]
fn check_gates_the_new_metrics_in_their_direction() {
    let w = Workdir::new();
    let config = w.write(
        "servq.toml",
        format!(
            "[inputs]\ninteractions = \"{}\"\n\n[report]\nmin_n = 1\n\n\
             [[check]]\nmetric = \"abandon_rate\"\nmax = 10\n\n\
             [[check]]\nmetric = \"resolution_sla_pct\"\nmin = 70\n\n\
             [[check]]\nmetric = \"handle_mean_min\"\nmax = 5\n",
            fixture("interactions_scorecard.csv")
        ),
    );
    w.servq()
        .args(["check", "--config", &config, "--as-of", "2025-01-31", "--format", "json"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("\"metric\": \"abandon_rate\""))
        .stdout(predicate::str::contains("20.0 > 10"));
    assert!(servq::metrics::MetricId::AbandonRate.lower_is_better());
    assert!(servq::metrics::MetricId::CsatBottomBox.lower_is_better());
    assert!(servq::metrics::MetricId::NpsDetractorsPct.lower_is_better());
    assert!(!servq::metrics::MetricId::ResolutionSlaPct.lower_is_better());
}

/// Transactions: A twice and B in January, B (revenue −3: rejected) and C in February.
fn activity_file(w: &Workdir) -> String {
    w.write(
        "t.csv",
        "order_date,customer_id,revenue\n2025-01-05,A,10.10\n2025-01-06,A,5.00\n2025-01-07,B,20.00\n\
         2025-02-01,B,-3\n2025-02-02,C,7.25\n",
    )
}

#[test]
fn transactions_revenue_and_active_customers_per_period_by_hand() {
    let w = Workdir::new();
    let file = activity_file(&w);
    let run = |extra: &[&str]| {
        let mut cmd = w.servq();
        cmd.args(["report", "--transactions", &file, "--as-of", "2025-02-28", "--format", "csv", "-q"])
            .args(["--metrics", "transactions,revenue,active_customers,revenue_per_customer"])
            .args(extra);
        stdout_of(&mut cmd)
    };
    let out = run(&[]);
    let cells: Vec<String> = csv_rows(&out)
        .iter()
        .map(|r| format!("{} {} {} {} {}", r["period"], r["metric"], r["value"], r["n"], r["flags"]))
        .collect();
    assert_eq!(
        cells,
        [
            "2025-01 transactions 3 3 low_n",
            // 10.10 + 5.00 + 20.00, summed exactly.
            "2025-01 revenue 35.1 3 low_n",
            "2025-01 active_customers 2 2 low_n",
            "2025-01 revenue_per_customer 17.55 2 low_n",
            "2025-02 transactions 2 2 low_n",
            // B's −3 is rejected (1 of 2 revenue values in February): suspect there only.
            "2025-02 revenue 7.25 2 low_n;rejected",
            "2025-02 active_customers 2 2 low_n",
            "2025-02 revenue_per_customer 3.625 2 low_n;rejected",
        ]
    );
    // The streaming engine gives the same bytes.
    assert_eq!(out, run(&["--streaming"]));
    // Over all periods: 5 transactions by 3 customers.
    let all = csv_rows(&run(&["--period", "none"]));
    let pick = |m: &str| all.iter().find(|r| r["metric"] == m).unwrap()["value"].clone();
    assert_eq!((pick("transactions"), pick("active_customers")), ("5".to_string(), "3".to_string()));
    assert_close(&pick("revenue_per_customer"), 42.35 / 3.0);
}

#[test]
fn revenue_without_a_revenue_column_says_so_and_by_a_missing_column_gives_all() {
    let w = Workdir::new();
    let file = w.write("t.csv", "order_date,customer_id\n2025-01-05,A\n2025-01-06,B\n");
    let output = w
        .servq()
        .args(["report", "--transactions", &file, "--as-of", "2025-01-31", "--format", "csv", "--by", "region"])
        .args(["--metrics", "transactions,revenue"])
        .assert()
        .success()
        .stderr(predicate::str::contains("revenue: not computed: no revenue column in transactions"))
        .get_output()
        .stdout
        .clone();
    let rows = csv_rows(&String::from_utf8(output).unwrap());
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0]["region"].as_str(), rows[0]["value"].as_str()), ("(all)", "2"));
}

#[test]
fn the_sample_data_scorecard_matches_an_independent_computation() {
    // Computed in Python from sample-data/interactions.csv (December 2025): phone calls
    // with `answered` known 121, 11 not answered; handle times (H:MM:SS) of 110 phone
    // calls average 4.957121212121212 min; 492 resolved tickets, median 13.4333 h, p90
    // 51.9267 h (type 7), within target (urgent 4 h, else 24 h) 66.46341463414635%.
    let w = Workdir::new();
    let run = |by: &[&str]| {
        let mut cmd = w.servq();
        cmd.args(["report", "--config", &crate::util::sample("servq.toml"), "--from", "2025-12-01", "--format", "csv"])
            .args([
                "-q",
                "--metrics",
                "resolution_median_h,resolution_p90_h,resolution_sla_pct,handle_mean_min,abandon_rate",
            ])
            .args(by);
        csv_rows(&stdout_of(&mut cmd))
    };
    let all = run(&[]);
    assert_close(&value(&all, "resolution_median_h")["value"], 13.433_333_333_333_334);
    assert_close(&value(&all, "resolution_p90_h")["value"], 51.926_666_666_666_67);
    let sla = value(&all, "resolution_sla_pct");
    assert_eq!(sla["n"], "492");
    assert_close(&sla["value"], 66.463_414_634_146_35);
    let phone: Vec<_> = run(&["--by", "channel"]).into_iter().filter(|r| r["channel"] == "phone").collect();
    let abandon = value(&phone, "abandon_rate");
    assert_eq!(abandon["n"], "121");
    assert_close(&abandon["value"], 100.0 * 11.0 / 121.0);
    assert_close(&value(&phone, "handle_mean_min")["value"], 4.957_121_212_121_211);
}

#[test]
fn per_key_targets_and_complaint_values_match_in_any_case() {
    let w = Workdir::new();
    // Three urgent tickets of 5 h written three ways, one normal of 5 h: with urgent = 4
    // none of the urgent ones meets its target, the normal one meets 24 h: 1 of 4.
    let file = w.write(
        "i.csv",
        "opened_at,priority,resolved_at,type\n2025-01-02T08:00:00,URGENT,2025-01-02T13:00:00,Complaint\n\
         2025-01-02T08:00:00,Urgent ,2025-01-02T13:00:00,complaint \n2025-01-02T08:00:00,urgent,2025-01-02T13:00:00,question\n\
         2025-01-02T08:00:00,normal,2025-01-02T13:00:00,question\n",
    );
    let config = w.write(
        "servq.toml",
        "[metrics.resolution]\nper_priority = { urgent = 4 }\n[metrics.complaints]\ncolumn = \"type\"\nvalue = \"complaint\"\n",
    );
    let rows = csv_rows(&stdout_of(w.servq().args([
        "report",
        "--config",
        &config,
        "--interactions",
        &file,
        "--metrics",
        "resolution_sla_pct,complaints_per_1000",
        "--format",
        "csv",
        "-q",
        "--period",
        "none",
    ])));
    assert_eq!(value(&rows, "resolution_sla_pct")["value"], "25");
    // 2 of 4 interactions are complaints (Complaint, complaint ): 500 per 1000.
    assert_eq!(value(&rows, "complaints_per_1000")["value"], "500");
}

// A hostile tester's findings on SPEC §11 (h1…h11), each fixed with its test.

#[test]
fn h1_complaints_in_csv_still_say_a_value_that_matches_nothing() {
    let w = Workdir::new();
    let file =
        w.write("p.csv", "opened_at,stage,type\n2025-01-01,a,complaint\n2025-01-02,b,query\n2025-02-03,b,query\n");
    let config = w.write("c.toml", "[metrics.complaints]\ncolumn = \"type\"\nvalue = \"complain\"\n");
    w.servq()
        .args(["complaints", "--config", &config, "--interactions", &file, "--by", "stage", "--format", "csv"])
        .assert()
        .success()
        .stderr(predicate::str::contains("note: [metrics.complaints] value = 'complain' occurs nowhere"))
        .stderr(predicate::str::contains("note: no transactions input: per_1000 is per 1000 interactions"));
}

#[test]
fn h2_h3_a_transaction_without_customer_is_rejected_and_no_revenue_is_no_figure() {
    let w = Workdir::new();
    let file = w.write("t.csv", "order_date,customer_id,revenue\n2025-01-03,a,\n2025-01-04,b,\n2025-01-05,,5\n");
    let output = w
        .servq()
        .args(["report", "--transactions", &file, "--format", "csv", "--period", "none"])
        .args(["--metrics", "transactions,revenue,revenue_per_customer"])
        .assert()
        .success()
        .stderr(predicate::str::contains("3 rows read, 2 used, 1 rejected"))
        .stderr(predicate::str::contains("row rejected (row): missing customer_id × 1 (line 4)"))
        .get_output()
        .stdout
        .clone();
    let rows = csv_rows(&String::from_utf8(output).unwrap());
    assert_eq!(value(&rows, "transactions")["value"], "2");
    // No valid revenue: no figure (n 0), never 0.
    for metric in ["revenue", "revenue_per_customer"] {
        assert_eq!((value(&rows, metric)["value"].as_str(), value(&rows, metric)["n"].as_str()), ("", "0"));
    }
}

#[test]
fn h4_h5_h10_durations_too_long_or_malformed_are_rejected_with_one_reason() {
    let w = Workdir::new();
    let mut text = String::from("opened_at,handle_time\n2025-01-02,1e300\n2025-01-02,1\n2025-01-02,00:5e1\n");
    for m in 60..160 {
        text.push_str(&format!("2025-01-02,1:{m}:00\n"));
    }
    let file = w.write("i.csv", text);
    let output = w
        .servq()
        .args([
            "report",
            "--interactions",
            &file,
            "--format",
            "csv",
            "--period",
            "none",
            "--metrics",
            "handle_mean_min",
        ])
        .assert()
        .success()
        .get_output()
        .clone();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("too long for a duration (over 1000 years) × 1 (line 2)"), "{stderr}");
    // 101 malformed clocks (an exponent, minutes past 59): one reason line, not one per value.
    assert!(stderr.contains("not a duration (a number, H:MM:SS or MM:SS) × 101"), "{stderr}");
    assert!(stderr.lines().count() < 10, "{stderr}");
    let rows = csv_rows(&String::from_utf8(output.stdout).unwrap());
    assert_eq!(
        (value(&rows, "handle_mean_min")["value"].as_str(), value(&rows, "handle_mean_min")["n"].as_str()),
        ("1", "1")
    );
}

#[test]
fn h6_an_interaction_metric_without_a_valid_value_is_not_reported_and_said() {
    let w = Workdir::new();
    let file = w.write("i.csv", "opened_at,answered,handle_time\n2025-01-02,,1\n2025-01-03,,2\n");
    let output = w
        .servq()
        .args(["report", "--interactions", &file, "--format", "csv", "--metrics", "abandon_rate,handle_mean_min"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "note: abandon_rate: not computed: no valid answered value (all missing or rejected)",
        ))
        .get_output()
        .stdout
        .clone();
    let rows = csv_rows(&String::from_utf8(output).unwrap());
    assert!(rows.iter().all(|r| r["metric"] == "handle_mean_min"), "{rows:?}");
}

#[test]
fn h7_the_pareto_marks_suspect_data_and_a_period_without_transactions() {
    let w = Workdir::new();
    let file = w.write(
        "p.csv",
        "opened_at,topic,complaint\n2025-01-01,a,maybe\n2025-01-02,a,true\n2025-01-03,b,false\n2025-02-02,b,false\n",
    );
    let table = w.servq().args(["complaints", "--interactions", &file]).assert().success().get_output().stdout.clone();
    let table = String::from_utf8(table).unwrap();
    assert!(table.contains("│ a     ┆ 1!  "), "{table}");
    assert!(
        table.contains("Note: suspect data: more than 5% of the complaint values of a in 2025-01 were rejected"),
        "{table}"
    );
    let json: serde_json::Value = serde_json::from_str(&stdout_of(w.servq().args([
        "complaints",
        "--interactions",
        &file,
        "--format",
        "json",
        "-q",
    ])))
    .unwrap();
    assert_eq!((json["rows"][0]["suspect"].as_bool(), json["rows"][1]["suspect"].as_bool()), (Some(true), Some(false)));
    // Transactions, but none in the judged period: said, per_1000 empty.
    let transactions = w.write("t.csv", "order_date,customer_id\n2025-02-05,c1\n");
    w.servq()
        .args(["complaints", "--interactions", &file, "--transactions", &transactions, "--format", "csv"])
        .assert()
        .success()
        .stderr(predicate::str::contains("note: no transactions in 2025-01: per_1000 has no value"));
}

#[test]
fn h9_two_unit_keys_for_one_duration_are_a_config_error() {
    let w = Workdir::new();
    let config = w.write(
        "c.toml",
        "[columns.interactions]\nunits = { first_response = \"seconds\", first_response_minutes = \"hours\" }\n",
    );
    w.servq()
        .args(["report", "--config", &config, "--interactions", &fixture("interactions_scorecard.csv")])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("names a duration given a unit already"));
}

#[test]
fn h11_init_reads_a_call_export_without_an_opened_at_column() {
    let w = Workdir::new();
    let file = w.write("calls.csv", "Date,Answered (Y/N),AvgTalkDuration\n2025-01-02,Y,00:03:00\n2025-01-03,N\n");
    let config = stdout_of(w.servq().args(["init", &file]));
    assert!(
        config.contains("answered = \"Answered (Y/N)\"") && config.contains("handle_time = \"AvgTalkDuration\""),
        "{config}"
    );
    let path = w.write("servq.toml", &config);
    let rows = csv_rows(&stdout_of(
        w.servq().args(["report", "--config", &path, "--format", "csv", "-q", "--period", "none"]),
    ));
    assert_eq!(value(&rows, "abandon_rate")["value"], "50");
    assert_eq!(value(&rows, "handle_mean_min")["value"], "3");
}
