//! SPEC §12, the service-profit chain: SERVQUAL gaps and SERVPERF, employees'
//! headcount and turnover, employee surveys (esat, enps) and churn from a customer
//! snapshot. The sample-data figures are checked against
//! `fixtures/chain/reference.py`, an independent mpmath computation of the SPEC
//! definitions (saved as `reference.csv`); the small cases by hand.

use std::collections::BTreeMap;

use predicates::prelude::*;

use crate::util::{Workdir, close_to_reference as close, csv_rows, csv_rows_with_stderr, fixture, sample, stdout_of};

const CHAIN: &str = "servqual_gap_tangibles,servqual_gap_reliability,servqual_gap_responsiveness,servqual_gap_assurance,servqual_gap_empathy,servqual_gap,servqual_weighted_gap,servperf_tangibles,servperf_reliability,servperf_responsiveness,servperf_assurance,servperf_empathy,esat,enps,headcount,turnover,turnover_annualised,churn_rate";

fn report(w: &Workdir, metrics: &str, extra: &[&str], notes: &[&str]) -> Vec<BTreeMap<String, String>> {
    let config = sample("servq.toml");
    let mut args = vec!["report", "--config", &config, "--metrics", metrics, "--format", "csv"];
    args.extend(extra);
    csv_rows_with_stderr(w.servq().args(&args), notes)
}

/// The figures of `metrics` for the employees in `staff` by `period`.
fn employees_report(w: &Workdir, staff: &str, metrics: &str, period: &str) -> Vec<BTreeMap<String, String>> {
    let args = ["report", "--employees", staff, "--format", "csv", "-q", "--metrics", metrics, "--period", period];
    csv_rows(&stdout_of(w.servq().args(args)))
}

#[test]
fn the_chain_on_the_sample_data_matches_the_independent_reference() {
    let w = Workdir::new();
    // By hand from the file: 15 respondents with all five dimensions have importance points
    // off 100 by more than 0.5.
    let off = "note: servqual_weighted_gap: 15 response(s) rejected for this metric: importance points missing or not summing to 100 (±0.5)";
    let overall = report(&w, CHAIN, &[], &[off]);
    // Only the snapshot has a Contract column.
    let by_contract = report(&w, "churn_rate", &["--by", "Contract"], &[]);
    let reference = csv_rows(&std::fs::read_to_string(fixture("chain/reference.csv")).unwrap());
    for e in &reference {
        let what = format!("{} {} {}", e["period"], e["group"], e["metric"]);
        let row = if e["group"].is_empty() {
            overall.iter().find(|r| r["period"] == e["period"] && r["metric"] == e["metric"])
        } else {
            by_contract
                .iter()
                .find(|r| r["period"] == e["period"] && r["metric"] == e["metric"] && r["Contract"] == e["group"])
        }
        .unwrap_or_else(|| panic!("no row for {what}"));
        assert_eq!(row["n"], e["n"], "{what}");
        for column in ["value", "ci_low", "ci_high"] {
            close(&row[column], &e[column], &format!("{what} {column}"));
        }
    }
    // Every figure of the report is in the reference (nothing more, nothing less).
    assert_eq!(overall.len(), reference.iter().filter(|e| e["group"].is_empty()).count());
    // The snapshot has no date: one figure for all of it, period `all`, no dates.
    let churn = overall.iter().find(|r| r["metric"] == "churn_rate").unwrap();
    assert_eq!((churn["period"].as_str(), churn["period_start"].as_str()), ("all", ""));
}

#[test]
fn the_chain_streams_to_the_same_bytes() {
    let w = Workdir::new();
    let config = sample("servq.toml");
    let run = |extra: &[&str]| {
        let mut args =
            vec!["report", "--config", &config, "--metrics", CHAIN, "--format", "csv", "-q", "--by", "channel"];
        args.extend(extra);
        stdout_of(w.servq().args(&args))
    };
    let memory = run(&[]);
    assert!(memory.contains(",chat,headcount,") && memory.contains(",chat,servqual_gap,"), "{memory}");
    assert_eq!(memory, run(&["--streaming"]));
}

#[test]
fn headcount_counts_hires_and_leavers_on_their_day() {
    let w = Workdir::new();
    // By hand (SPEC §12): on 2025-03-31 the hire of that day and the leaver of that day
    // both count; the day before March has E2, E4 and E5 (E5 leaves 2025-02-15, so not
    // on 02-28: E2 and E4 only).
    let file = w.write(
        "staff.csv",
        "employee_id,hire_date,leave_date,team\nE1,2025-03-31,,a\nE2,2024-06-01,2025-03-31,a\nE3,2025-04-01,,b\nE4,2020-01-01,,b\nE5,2020-01-01,2025-02-15,b\nE6,2025-05-01,2025-04-01,b\n",
    );
    let rows = csv_rows_with_stderr(
        w.servq().args([
            "report",
            "--employees",
            &file,
            "--from",
            "2025-02-01",
            "--to",
            "2025-04-30",
            "--format",
            "csv",
            "--min-n",
            "1",
        ]),
        &[
            "employees: 1 row(s) with a leave date before the hire date or unreadable left out of headcount and turnover",
        ],
    );
    let get = |period: &str, metric: &str| {
        let r = rows.iter().find(|r| r["period"] == period && r["metric"] == metric).unwrap();
        (r["value"].clone(), r["n"].clone())
    };
    // February: before 3 (E2, E4, E5), end 2 (E5 left 02-15): turnover 100 × 1 / 2.5 = 40.
    assert_eq!(get("2025-02", "headcount"), ("2".into(), "3".into()));
    assert_eq!(get("2025-02", "turnover"), ("40".into(), "3".into()));
    assert_eq!(get("2025-02", "turnover_annualised"), ("480".into(), "3".into()));
    // March: before 2 (E2, E4), end 3 (E1 hired, E2 leaving that day, E4): 1 / 2.5.
    assert_eq!(get("2025-03", "headcount"), ("3".into(), "3".into()));
    assert_eq!(get("2025-03", "turnover"), ("40".into(), "3".into()));
    // April: before 3 (March 31), end 3 (E1, E3, E4), no leaver; employed in April: E1,
    // E3, E4 (E2 left on March 31).
    assert_eq!(get("2025-04", "headcount"), ("3".into(), "3".into()));
    assert_eq!(get("2025-04", "turnover"), ("0".into(), "3".into()));
    assert_eq!(rows.len(), 9, "three months × three metrics");
}

#[test]
fn a_respondent_missing_one_item_and_points_not_summing_to_100() {
    let w = Workdir::new();
    // A three-item questionnaire (one item per dimension but tangibles with two):
    // respondent 1: tangibles E 6, 7 / P 5, 4 → −2; reliability E3 3 / P3 4 → +1;
    // respondent 2 misses P2: left out of tangibles (and so of the overall gaps) only;
    // respondent 3 answers 4 everywhere (gaps 0) but its points 20+20+20+20+19 = 99 are
    // off by 1: rejected for the weighted gap, and counted in the note.
    let mut header = String::from("submitted_at,E1,E2,E3,E4,E5,E6,P1,P2,P3,P4,P5,P6");
    header.push_str(",W_tangibles,W_reliability,W_responsiveness,W_assurance,W_empathy\n");
    let text = format!(
        "{header}2025-01-05,6,7,3,4,4,4,5,4,4,4,4,4,40,30,10,10,10\n2025-01-06,5,5,3,4,4,4,6,,6,4,4,4,20,20,20,20,19\n2025-01-07,4,4,4,4,4,4,4,4,4,4,4,4,20,20,20,20,19\n"
    );
    let file = w.write("sq.csv", text);
    let config = w.write(
        "sq.toml",
        "[metrics.servqual]\ndimensions = { tangibles = [1, 2], reliability = [3], responsiveness = [4], assurance = [5], empathy = [6] }\n",
    );
    let rows = csv_rows_with_stderr(
        w.servq().args(["report", "--config", &config, "--surveys", &file, "--format", "csv", "--min-n", "1"]),
        &[
            "note: servqual_weighted_gap: 1 response(s) rejected for this metric: importance points missing or not summing to 100 (±0.5)",
        ],
    );
    let get = |metric: &str| {
        let r = rows.iter().find(|r| r["metric"] == metric).unwrap_or_else(|| panic!("{metric}"));
        (r["value"].clone(), r["n"].clone())
    };
    // Tangibles: respondent 1 (−2) and 3 (0): −1.
    assert_eq!(get("servqual_gap_tangibles"), ("-1".into(), "2".into()));
    // Reliability: +1, +3 and 0: mean 4/3 over all three.
    let (value, n) = get("servqual_gap_reliability");
    close(&value, "1.3333333333333333", "reliability");
    assert_eq!(n, "3");
    // Overall (respondents 1 and 3): (−2 + 1 + 0 + 0 + 0) / 5 = −0.2 and 0: −0.1.
    assert_eq!(get("servqual_gap"), ("-0.1".into(), "2".into()));
    // Weighted (respondent 1 only): 0.4 × −2 + 0.3 × 1 = −0.5.
    assert_eq!(get("servqual_weighted_gap"), ("-0.5".into(), "1".into()));
    // servperf tangibles: 4.5 and 4 (respondent 2 lacks P2): 4.25; reliability 4, 6, 4.
    assert_eq!(get("servperf_tangibles"), ("4.25".into(), "2".into()));
    let (value, n) = get("servperf_reliability");
    close(&value, "4.6666666666666667", "servperf reliability");
    assert_eq!(n, "3");
}

#[test]
fn churn_from_a_telco_style_snapshot_by_contract() {
    let w = Workdir::new();
    // Yes/No flags as the public Telco export writes them; one empty flag.
    let file = w.write(
        "telco.csv",
        "customerID,gender,Contract,Churn\nA,Female,Month-to-month,No\nB,Male,One year,No\nC,Male,Month-to-month,Yes\nD,Male,One year,\nE,Female,Month-to-month,Yes\n",
    );
    let rows = csv_rows(&stdout_of(w.servq().args([
        "report",
        "--customers",
        &file,
        "--by",
        "Contract",
        "--format",
        "csv",
        "-q",
    ])));
    // Month-to-month: 2 of 3 churned; One year: 0 of 1 known (the empty flag is in no
    // denominator). Wilson by hand for 2 of 3: (0.2077, 0.9385).
    let m2m = rows.iter().find(|r| r["Contract"] == "Month-to-month").unwrap();
    assert_eq!((m2m["period"].as_str(), m2m["n"].as_str()), ("all", "3"));
    close(&m2m["value"], "66.666666666666667", "month-to-month");
    close(&m2m["ci_low"], "20.765960080204766", "month-to-month ci_low");
    let year = rows.iter().find(|r| r["Contract"] == "One year").unwrap();
    assert_eq!((year["value"].as_str(), year["n"].as_str()), ("0", "1"));
}

#[test]
fn chain_metrics_are_gated_by_check() {
    let w = Workdir::new();
    let config = sample("servq.toml");
    // December's headcount is 56 and its turnover 0 (reference.csv): a max of 50 on
    // headcount fails, a max of 5 on turnover passes.
    w.servq()
        .args(["check", "--config", &config, "--require", "headcount<=50", "--require", "turnover<=5", "-q"])
        .assert()
        .code(1)
        .stdout(predicates::str::contains("headcount <= 50").and(predicates::str::contains("56 > 50")));
}

#[test]
fn churn_from_bank_exports_exited_and_attrition_flag() {
    let w = Workdir::new();
    // Bank churn: Exited 0/1; BankChurners: Attrition_Flag as words; 1 of 3 and 2 of 4.
    let bank = w.write(
        "bank.csv",
        "RowNumber,CustomerId,Geography,Exited\n1,15634602,France,1\n2,15647311,Spain,0\n3,15619304,France,0\n",
    );
    let churners = w.write(
        "churners.csv",
        "CLIENTNUM,Attrition_Flag,Card_Category\n1,Existing Customer,Blue\n2,Attrited Customer,Blue\n3,Attrited Customer,Gold\n4,Existing Customer,Blue\n5,Unknown,Blue\n",
    );
    let figure = |file: &str| {
        let out =
            w.servq().args(["report", "--customers", file, "--format", "csv"]).assert().success().get_output().clone();
        let rows = csv_rows(&String::from_utf8(out.stdout).unwrap());
        let r = rows.iter().find(|r| r["metric"] == "churn_rate").unwrap().clone();
        (r["value"].clone(), r["n"].clone(), String::from_utf8(out.stderr).unwrap())
    };
    let (value, n, _) = figure(&bank);
    close(&value, "33.333333333333333", "bank");
    assert_eq!(n, "3");
    let (value, n, stderr) = figure(&churners);
    assert_eq!((value.as_str(), n.as_str()), ("50", "4"));
    // "Unknown" is not a churn flag: rejected with its reason, in no denominator.
    assert!(stderr.contains("not a churn flag (yes/no, 1/0, true/false, churned/retained) × 1 (line 6)"), "{stderr}");
}

/// Hostile finding h16-H1: January's turnover changed with the other inputs read (the
/// period was counted from the surveys' first date). By hand: A leaves 01-05 and D
/// 02-25 of 4 employees: January 100 × 1 / mean(4, 3) = 28.571428…
#[test]
fn h16_a_periods_turnover_does_not_depend_on_the_other_inputs() {
    let w = Workdir::new();
    let surveys = w.write("s.csv", "submitted_at,csat\n2025-01-15,5\n2025-02-20,4\n");
    let staff = w.write(
        "e.csv",
        "employee_id,hire_date,leave_date\nA,2020-01-01,2025-01-05\nB,2020-01-01,\nC,2020-01-01,\nD,2020-01-01,2025-02-25\n",
    );
    let january = |extra: &[&str]| {
        let mut args = vec!["report", "--employees", &staff, "--format", "csv", "-q", "--metrics", "turnover"];
        args.extend(extra);
        let rows = csv_rows(&stdout_of(w.servq().args(&args)));
        rows.iter().find(|r| r["period"] == "2025-01").map(|r| (r["value"].clone(), r["n"].clone())).unwrap()
    };
    let alone = january(&[]);
    close(&alone.0, "28.571428571428571", "alone");
    assert_eq!(alone.1, "4");
    assert_eq!(january(&["--surveys", &surveys]), alone);
}

/// Hostile finding h16-H2: a 9999-12-31 "no end" leave date ran the report to year 9999;
/// a leave after today is not an event yet.
#[test]
fn h16_sentinel_and_planned_leave_dates_are_not_events_yet() {
    let w = Workdir::new();
    let staff = w.write(
        "sap.csv",
        "employee_id,hire_date,leave_date\nA,2023-01-01,9999-12-31\nB,2024-01-01,9999-12-31\nC,2024-03-01,2024-09-30\n",
    );
    let rows = employees_report(&w, &staff, "headcount", "year");
    // 2023 to 2024, cut at the last event (C's leave on 2024-09-30, when C still
    // counts): A, B and C, partial.
    let periods: Vec<&str> = rows.iter().map(|r| r["period"].as_str()).collect();
    assert_eq!(periods, ["2023", "2024"]);
    assert_eq!((rows[1]["value"].as_str(), rows[1]["flags"].as_str()), ("3", "low_n;partial"));
}

/// Hostile findings h16-H3 and M2: an unreadable leave date (or one before the hire)
/// leaves the row out, says so, and over 5% of rows left out flags the figures.
#[test]
fn h16_unreadable_leave_dates_leave_the_row_out_and_flag_the_figures() {
    let w = Workdir::new();
    let staff = w.write(
        "bad.csv",
        "employee_id,hire_date,leave_date\nA,2024-01-01,\nB,2024-01-01,not a date\nC,2024-01-01,2024-13-01\nD,2024-01-01,\n",
    );
    let rows = csv_rows_with_stderr(
        w.servq().args([
            "report",
            "--employees",
            &staff,
            "--format",
            "csv",
            "--metrics",
            "headcount",
            "--period",
            "year",
            "--min-n",
            "1",
        ]),
        &[
            "employees: 2 row(s) with a leave date before the hire date or unreadable left out of headcount and turnover",
        ],
    );
    // A and D (the year is cut at the last date, 2024-01-01: partial).
    assert_eq!((rows[0]["value"].as_str(), rows[0]["flags"].as_str()), ("2", "partial;rejected"));
}

/// Hostile finding h16-M1: SERVQUAL items on the wrong scale (1–10 read as 1–7) lost
/// most respondents silently; the figures are flagged `rejected` now.
#[test]
fn h16_servqual_items_off_the_scale_flag_the_figures() {
    let w = Workdir::new();
    let mut text = String::from("submitted_at,E1,P1\n");
    text.extend((0..20).map(|i| format!("2025-01-{:02},{},{}\n", i + 1, i % 10 + 1, (i + 3) % 10 + 1)));
    let file = w.write("sq10.csv", text);
    let config = w.write(
        "one.toml",
        "[metrics.servqual]\ndimensions = { tangibles = [1], reliability = [2], responsiveness = [3], assurance = [4], empathy = [5] }\n",
    );
    let rows = csv_rows(&stdout_of(w.servq().args([
        "report",
        "--config",
        &config,
        "--surveys",
        &file,
        "--format",
        "csv",
        "-q",
        "--metrics",
        "servqual_gap_tangibles",
    ])));
    assert!(rows[0]["flags"].contains("rejected"), "{rows:?}");
}

/// Hostile findings h16-M3 and M5: `--by site` works when only the employees have a
/// site (the others are given over all values); `--from` on an undated snapshot says
/// it does not cut it.
#[test]
fn h16_by_a_column_only_one_input_has_and_from_on_a_snapshot() {
    let w = Workdir::new();
    let config = sample("servq.toml");
    let out = w
        .servq()
        .args(["report", "--config", &config, "--by", "site", "--format", "csv", "--metrics", "headcount,fcr"])
        .assert()
        .success()
        .get_output()
        .clone();
    let rows = csv_rows(&String::from_utf8(out.stdout).unwrap());
    assert!(rows.iter().any(|r| r["site"] == "Berlin" && r["metric"] == "headcount"));
    assert!(rows.iter().filter(|r| r["metric"] == "fcr").all(|r| r["site"] == "(all)"));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("fcr: interactions have no site column: given over all its values, (all)"), "{stderr}");
    w.servq()
        .args(["report", "--surveys", &sample("surveys.csv"), "--by", "sitte"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("unknown column 'sitte' for --by; its columns are:"));
    let snapshot = sample("customers.csv");
    w.servq()
        .args(["report", "--customers", &snapshot, "--from", "2025-03-01", "--format", "csv"])
        .assert()
        .success()
        .stderr(predicates::str::contains("churn_rate: the customers input has no date: --from/--to do not cut it"));
}

/// Review finding r3 and r2: `check` judges an undated snapshot's churn (its own latest
/// figure), and employee figures are never made up past the data (a gate on 2030 has
/// no figure at all: exit 2, SPEC §5, never a pass).
#[test]
fn r_check_judges_the_snapshot_and_no_employee_figure_past_the_data() {
    let w = Workdir::new();
    let config = sample("servq.toml");
    // churn_rate 25.6 (reference.csv: 25.586…) ≤ 30 passes.
    w.servq()
        .args(["check", "--config", &config, "--require", "churn_rate<=30", "-q"])
        .assert()
        .code(0)
        .stdout(predicates::str::contains("churn_rate <= 30"));
    w.servq()
        .args([
            "check",
            "--employees",
            &sample("employees.csv"),
            "--require",
            "turnover<=5",
            "--from",
            "2030-01-01",
            "--to",
            "2030-01-31",
            "-q",
        ])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("the window (--from/--to/--as-of) is outside the data"));
}

/// Hostile finding h18g-3: a hire date after today is a planned hire, as a leave date
/// after today is a planned leave: it neither stretches the periods past the data nor
/// turns planned leaves into leavers. A leaves in 2099 (planned), B stays, C is hired
/// in 2099: the last event up to today is B's hire on 2024-03-01, so 2024 is the last
/// period, partial, with A and B.
#[test]
fn h18g_3_a_planned_hire_does_not_move_the_end_of_the_data() {
    let w = Workdir::new();
    let staff = w.write(
        "planned.csv",
        "employee_id,hire_date,leave_date\nA,2024-01-01,2099-01-15\nB,2024-03-01,\nC,2099-03-01,\n",
    );
    let rows = employees_report(&w, &staff, "headcount,turnover", "year");
    let periods: Vec<&str> = rows.iter().map(|r| r["period"].as_str()).collect();
    assert_eq!(periods, ["2024", "2024"], "{rows:?}");
    assert_eq!((rows[0]["value"].as_str(), rows[0]["flags"].as_str()), ("2", "low_n;partial"));
    assert_eq!(rows[1]["value"], "0", "no leaver: A's leave is planned");
}

/// Hostile finding h18g-1: customer snapshot files with and without a date column
/// together are refused (the undated rows were a 1970 period of their own); with
/// `--period none` they are one figure.
#[test]
fn h18g_1_snapshot_files_with_and_without_dates_are_refused() {
    let w = Workdir::new();
    let undated = w.write("a.csv", "customer_id,churned\nA,yes\nB,no\n");
    let dated = w.write("d.csv", "customer_id,churned,snapshot_date\nG,yes,2025-01-03\n");
    w.servq().args(["report", "--customers", &undated, &dated, "--format", "csv"]).assert().code(2).stderr(
        predicate::str::contains(
            "the customers files: some have a date column and some not: give them all dated or all undated",
        ),
    );
    let rows = csv_rows(&stdout_of(w.servq().args([
        "report",
        "--customers",
        &undated,
        &dated,
        "--format",
        "csv",
        "-q",
        "--period",
        "none",
    ])));
    assert_eq!((rows[0]["value"].as_str(), rows[0]["n"].as_str()), ("66.66666666666667", "3"));
}

/// Hostile findings h18h-2, 3, 4: a SERVQUAL scale and dimensions too wide to sum
/// exactly, rating labels that are one word in any case (or blank), and an unknown
/// preset are refused with a message naming their section.
#[test]
fn h18h_2_3_4_configs_that_cannot_be_read_exactly_are_refused() {
    let w = Workdir::new();
    let surveys = sample("surveys.csv");
    for (config, message) in [
        (
            "[metrics.servqual]\nscale = [0, 100000000]\n",
            "[metrics.servqual] the scale 0..100000000 with dimensions of 4, 5, 4, 4, 5 items is too wide to sum exactly",
        ),
        (
            "[metrics.csat]\nlabels = { \"x\" = 1, \"X\" = 5 }\n",
            "[metrics.csat] labels: two labels are one word in any case with spaces around ignored ('x')",
        ),
        ("[metrics.csat]\nlabels = { \"  \" = 3 }\n", "[metrics.csat] labels: a blank label"),
        ("[metrics.csat]\nlabels = \"ZH-5\"\n", "[metrics.csat] labels = \"ZH-5\": use \"zh-5\", \"good-bad\""),
    ] {
        let file = w.write("c.toml", config);
        w.servq()
            .args(["report", "--surveys", &surveys, "--config", &file])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(message));
    }
}
