//! `servq init` on files shaped like the real exports of `reviews/real-files.md`
//! (written for these tests: `fixtures/real/`): init, then `report --config` with no
//! hand edit, must give the right figures. Every expected value was computed in Python
//! from the fixture when it was written (by the definitions of SPEC §4 and §11).

use predicates::prelude::*;

use crate::util::{Workdir, assert_close, csv_rows, fixture, stdout_of};

/// Copies a fixture into a fresh folder, runs `servq init` on it there, saves the
/// config and runs the report with it: (config, stderr of init, report rows, stderr of
/// the report).
fn init_then_report(name: &str) -> (String, String, Vec<std::collections::BTreeMap<String, String>>, String) {
    let w = Workdir::new();
    std::fs::copy(fixture(&format!("real/{name}")), w.path(name)).unwrap();
    let init = w.servq().args(["init", name]).assert().success().get_output().clone();
    let config = String::from_utf8(init.stdout).unwrap();
    w.write("servq.toml", &config);
    let report = w.servq().args(["report", "--config", "servq.toml", "--format", "csv"]).assert().success();
    let output = report.get_output();
    let rows = csv_rows(&String::from_utf8(output.stdout.clone()).unwrap());
    (config, String::from_utf8(init.stderr).unwrap(), rows, String::from_utf8(output.stderr.clone()).unwrap())
}

fn value<'a>(rows: &'a [std::collections::BTreeMap<String, String>], period: &str, metric: &str) -> &'a str {
    let row = rows.iter().find(|r| r["period"] == period && r["metric"] == metric);
    row.unwrap_or_else(|| panic!("no {metric} in {period}: {rows:?}"))["value"].as_str()
}

fn has(config: &str, line: &str) {
    assert!(config.contains(line), "no {line:?} in:\n{config}");
}

#[test]
fn a_retailer_export_with_yyyymmdd_dates() {
    let (config, _, rows, _) = init_then_report("retail_yyyymmdd.csv");
    has(&config, "date_format = \"%Y%m%d\"   # guessed from 'InvoiceDate' values such as 20240102");
    has(&config, "customer_id = \"CustomerID\"");
    has(&config, "revenue = \"Amount\"");
    assert_eq!(value(&rows, "2024-01", "transactions"), "13");
    assert_eq!(value(&rows, "2024-01", "revenue"), "618.75");
    assert_eq!(value(&rows, "2024-01", "active_customers"), "10");
    assert_eq!(value(&rows, "2024-02", "revenue"), "892.28");
    // 8 of January's 10 customers came back in February, 7 of February's 10 in March.
    assert_eq!(value(&rows, "2024-02", "retention"), "80");
    assert_eq!(value(&rows, "2024-03", "retention"), "70");
}

#[test]
fn a_help_desk_export_with_day_first_datetimes_and_multi_line_descriptions() {
    let (config, stderr, rows, _) = init_then_report("helpdesk_tickets.csv");
    has(&config, "date_format = \"%d-%m-%Y %H:%M\"");
    // The ticket export is read as interactions, and as surveys for its rating.
    has(&config, "surveys = \"helpdesk_tickets.csv\"");
    has(&config, "interactions = \"helpdesk_tickets.csv\"");
    has(&config, "first_response_at = \"First Response\"");
    has(&config, "resolved_at = \"Resolved At\"");
    has(&config, "csat = \"Customer Satisfaction Rating\"   # guessed from the name and whole numbers on 1–5");
    has(&config, "priority = \"Ticket Priority\"");
    assert!(stderr.is_empty(), "{stderr}");
    // 40 tickets: first response minutes median 261, p90 509.2, mean 285.175; 1 of 40
    // within 10 minutes. 29 resolved: median 34.8333 h, p90 47.5467 h, 8 within 24 h.
    assert_eq!(value(&rows, "2023-06", "response_median_min"), "261");
    assert_close(value(&rows, "2023-06", "response_p90_min"), 509.2);
    assert_close(value(&rows, "2023-06", "response_mean_min"), 285.175);
    assert_eq!(value(&rows, "2023-06", "sla_pct"), "2.5");
    assert_close(value(&rows, "2023-06", "resolution_median_h"), 34.833_333_333_333_336);
    assert_close(value(&rows, "2023-06", "resolution_p90_h"), 47.546_666_666_666_67);
    assert_close(value(&rows, "2023-06", "resolution_sla_pct"), 800.0 / 29.0);
    // 7 of 29 ratings are 4 or 5.
    assert_close(value(&rows, "2023-06", "csat"), 700.0 / 29.0);
}

#[test]
fn a_call_centre_export_with_y_n_flags_seconds_clocks_and_a_time_column() {
    let (config, _, rows, report_stderr) = init_then_report("callcentre.csv");
    has(&config, "answered = \"Answered (Y/N)\"");
    has(&config, "handle_time = \"AvgTalkDuration\"");
    has(&config, "first_response_minutes = \"Speed of answer in seconds\"");
    has(&config, "units = { first_response = \"seconds\" }   # guessed from the name 'Speed of answer in seconds'");
    has(&config, "time = \"Time\"   # a time of day joined to the date");
    // Unanswered calls drop their trailing empty cells: padded, never rejected.
    assert!(report_stderr.contains("60 rows read, 60 used, 0 rejected; 12 short rows padded"), "{report_stderr}");
    // 12 of 60 calls not answered; 48 answered: speed of answer (seconds → minutes)
    // median 1.11667, p90 1.83833, mean 1.134028; talk time mean 3.887153 minutes.
    assert_eq!(value(&rows, "2021-01", "abandon_rate"), "20");
    assert_close(value(&rows, "2021-01", "response_median_min"), 67.0 / 60.0);
    assert_close(value(&rows, "2021-01", "response_p90_min"), 1.838_333_333_333_333_4);
    assert_close(value(&rows, "2021-01", "response_mean_min"), 1.134_027_777_777_777_9);
    assert_close(value(&rows, "2021-01", "handle_mean_min"), 3.887_152_777_777_777_7);
    // 18 of 48 ratings are 4 or 5.
    assert_eq!(value(&rows, "2021-01", "csat"), "37.5");
}

#[test]
fn surveys_on_1_to_7_and_0_to_10_with_minus_99_codes() {
    let (config, _, rows, report_stderr) = init_then_report("survey_1to7.csv");
    has(&config, "missing = [\"-99\"]   # guessed from -99 in 'Q1 Overall satisfaction'");
    has(&config, "csat = \"Q1 Overall satisfaction\"   # guessed from the name and whole numbers on 1–7");
    has(&config, "ces = \"Q2 Ease\"");
    has(&config, "nps = \"REC\"");
    has(&config, "[metrics.csat]\nscale = [1, 7]");
    // -99 is missing, never rejected.
    assert!(report_stderr.contains("80 rows read, 80 used, 0 rejected"), "{report_stderr}");
    // 69 ratings, 25 of them 6 or 7 (top-2-box on 1–7); mean 4.6087.
    assert_close(value(&rows, "2024-03", "csat"), 2500.0 / 69.0);
    assert_close(value(&rows, "2024-03", "csat_mean"), 318.0 / 69.0);
    assert_eq!(value(&rows, "2024-03", "ces"), "43.75");
    // 72 answers to REC: 15 promoters, 46 detractors.
    assert_close(value(&rows, "2024-03", "nps"), -3100.0 / 72.0);
}

#[test]
fn a_1_to_10_item_with_day_first_dates() {
    let (config, _, rows, _) = init_then_report("survey_1to10_dayfirst.csv");
    has(&config, "date_format = \"%d/%m/%Y\"");
    has(&config, "[metrics.csat]\nscale = [1, 10]");
    has(&config, "nps = \"Likelihood to recommend (0-10)\"");
    // 14 of 50 at 9 or 10 (top-2-box on 1–10).
    assert_eq!(value(&rows, "2024-02", "csat"), "28");
    assert_eq!(value(&rows, "2024-02", "nps"), "-50");
}

#[test]
fn chinese_headers_in_gb18030() {
    let (config, _, rows, _) = init_then_report("surveys_gb18030.csv");
    has(&config, "date_format = \"%Y/%m/%d\"");
    has(&config, "csat = \"满意度\"");
    // 14 of 30 at 4 or 5.
    assert_close(value(&rows, "2024-03", "csat"), 1400.0 / 30.0);
}

#[test]
fn what_init_cannot_decide_goes_to_stderr() {
    let w = Workdir::new();
    // All days are 12 or less: day-first or month-first cannot be told apart.
    let surveys = w.write("s.csv", "Date,csat\n02/03/2024,5\n04/05/2024,4\n");
    w.servq()
        .args(["init", &surveys])
        .assert()
        .success()
        .stdout(predicate::str::contains("date_format = \"%d/%m/%Y\""))
        .stderr(predicate::str::contains(
            "init: could not decide: 'Date': day-first or month-first? every day is 12 or less; guessed day-first (%d/%m/%Y)",
        ));
    // A column named like a score that holds text: said, and written as `ignore` so that
    // report does not read it either.
    let text = w.write("t.csv", "date,csat,nps\n2024-01-01,good,9\n2024-01-02,bad,10\n");
    let output = w
        .servq()
        .args(["init", &text])
        .assert()
        .success()
        .stderr(predicate::str::contains("'csat' is named like csat but holds values such as bad, good: not read"))
        .get_output()
        .stdout
        .clone();
    let config = String::from_utf8(output).unwrap();
    assert!(config.contains("ignore = [\"csat\"]"), "{config}");
    let path = w.write("servq.toml", &config);
    w.servq()
        .args(["report", "--config", &path, "--format", "csv", "--period", "none"])
        .assert()
        .success()
        .stderr(predicate::str::contains("2 rows read, 2 used, 0 rejected"))
        .stderr(predicate::str::contains("csat: not computed: no csat column"));
}

#[test]
fn a_time_column_joins_the_date_so_response_times_count_from_it() {
    let w = Workdir::new();
    let file = w.write(
        "calls.csv",
        "Date,Time,first_response_at\n2025-01-02,09:30,2025-01-02T10:00:00\n2025-01-03,9:15:30 PM,2025-01-03T21:20:30\n\
         2025-01-04,25:00,2025-01-04T10:00:00\n",
    );
    let config = w.write(
        "servq.toml",
        format!("[inputs]\ninteractions = \"{file}\"\n\n[columns.interactions]\ntime = \"Time\"\n"),
    );
    let output = w
        .servq()
        .args(["report", "--config", &config, "--metrics", "response_mean_min", "--format", "csv", "--period", "none"])
        .assert()
        .success()
        .get_output()
        .clone();
    // 30 and 5 minutes after the date and time (not 600 and 1280 after midnight); the
    // third row's time is no time of day: the row is rejected with its reason.
    let rows = csv_rows(&String::from_utf8(output.stdout).unwrap());
    assert_eq!((rows[0]["value"].as_str(), rows[0]["n"].as_str()), ("17.5", "2"));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("not a time of day (HH:MM or HH:MM:SS) × 1 (line 4)"), "{stderr}");
    // A time column that is not in the file is an error naming it.
    let bad = w.write(
        "bad.toml",
        format!("[inputs]\ninteractions = \"{file}\"\n\n[columns.interactions]\ntime = \"Clock\"\n"),
    );
    w.servq().args(["report", "--config", &bad]).assert().code(2).stderr(predicate::str::contains(
        "column 'Clock' (mapped to time in [columns.interactions]) is not in the file",
    ));
}

#[test]
fn real_files_8_the_date_hint_names_the_full_datetime_format_and_its_toml() {
    let w = Workdir::new();
    let file = w.write("t.csv", "opened_at,resolved\n01-06-2023 12:15,true\n22-03-2021 09:00,false\n");
    w.servq().args(["report", "--interactions", &file]).assert().code(2).stderr(predicate::str::contains(
        "(e.g. '01-06-2023 12:15'): set --date-format '%d-%m-%Y %H:%M' (in servq.toml: [inputs] date_format = \"%d-%m-%Y %H:%M\")",
    ));
}

// A hostile tester's findings on init (i1…i14), each fixed with its test.

/// Runs init on `text` and returns (config, stderr).
fn init_on(w: &Workdir, name: &str, text: &str) -> (String, String) {
    let file = w.write(name, text);
    let output = w.servq().args(["init", &file]).assert().success().get_output().clone();
    (String::from_utf8(output.stdout).unwrap(), String::from_utf8(output.stderr).unwrap())
}

#[test]
fn i1_a_customer_score_is_a_score_not_a_customer_id() {
    let w = Workdir::new();
    let (config, _) = init_on(
        &w,
        "s.csv",
        "Response Date,Customer Satisfaction Score,Customer Effort Score,Likelihood to Recommend,Customer Email\n\
         2024-01-02,4,6,9,a@x.org\n2024-01-03,5,7,10,b@x.org\n2024-01-04,2,3,4,c@x.org\n",
    );
    has(&config, "csat = \"Customer Satisfaction Score\"");
    has(&config, "ces = \"Customer Effort Score\"");
    has(&config, "nps = \"Likelihood to Recommend\"");
    has(&config, "customer_id = \"Customer Email\"");
}

#[test]
fn i2_a_zendesk_export_takes_the_first_reply_time_and_names_competing_columns() {
    let w = Workdir::new();
    let (config, stderr) = init_on(
        &w,
        "z.csv",
        "Id,Created at,Ticket type,Satisfaction Score,First reply time in minutes,First resolution time in minutes,Full resolution time in minutes,Agent wait time in minutes\n\
         1,2024-01-02 10:00,question,5,12,60,120,30\n2,2024-01-03 11:00,incident,2,30,90,300,45\n3,2024-01-04 12:00,problem,4,8,30,30,10\n",
    );
    has(&config, "first_response_minutes = \"First reply time in minutes\"");
    assert!(!config.contains("ticket_id = \"Ticket type\""), "{config}");
    assert!(stderr.contains("could each be resolution"), "{stderr}");
}

#[test]
fn i3_qualtrics_header_rows_are_said_and_the_survey_is_read() {
    let w = Workdir::new();
    let (config, stderr) = init_on(
        &w,
        "q.csv",
        "StartDate,EndDate,Duration (in seconds),ResponseId,Q1_Satisfaction,Q2_Recommend\n\
         Start Date,End Date,Duration (in seconds),Response ID,How satisfied?,How likely?\n\
         \"{\"\"ImportId\"\":\"\"startDate\"\"}\",\"{\"\"ImportId\"\":\"\"endDate\"\"}\",\"{\"\"ImportId\"\":\"\"duration\"\"}\",\"{\"\"ImportId\"\":\"\"_recordId\"\"}\",\"{\"\"ImportId\"\":\"\"QID1\"\"}\",\"{\"\"ImportId\"\":\"\"QID2\"\"}\"\n\
         2024-03-01 10:00:00,2024-03-01 10:05:00,300,R_1,7,10\n2024-03-02 10:00:00,2024-03-02 10:04:00,240,R_2,-99,8\n2024-03-03 10:00:00,2024-03-03 10:03:00,180,R_3,5,-99\n",
    );
    assert!(stderr.contains("rows 2 to 3 look like more header rows"), "{stderr}");
    has(&config, "surveys = ");
    assert!(!config.contains("interactions = ") && !config.contains("handle_time"), "{config}");
    has(&config, "csat = \"Q1_Satisfaction\"");
    has(&config, "nps = \"Q2_Recommend\"");
    has(&config, "missing = [\"-99\"]");
}

#[test]
fn i4_a_customer_snapshot_without_dates_is_not_taken_for_transactions() {
    let w = Workdir::new();
    // A Telco-style snapshot: read as the customer snapshot of SPEC §12, never as
    // transactions (it has no order date).
    let (config, _) = init_on(
        &w,
        "telco.csv",
        "customerID,gender,tenure,Contract,TotalCharges,Churn\n7590-VHVEG,Female,1,Month-to-month,29.85,No\n5575-GNVDE,Male,34,One year,1889.5,Yes\n",
    );
    has(&config, "customers = ");
    has(&config, "churned = \"Churn\"");
    assert!(!config.contains("transactions = "), "{config}");
    let path = w.write("servq.toml", &config);
    let rows = csv_rows(&stdout_of(
        w.servq().args(["report", "--config", &path, "--by", "Contract", "--format", "csv", "-q"]),
    ));
    assert_eq!(rows.len(), 2, "churn by contract: {rows:?}");
}

#[test]
fn init_maps_the_chain_files_by_their_telling_columns() {
    let w = Workdir::new();
    let staff = w.write(
        "staff.csv",
        "employee_id,hire_date,leave_date,team\nE1,2024-01-01,,chat\nE2,2024-02-01,2025-01-15,chat\n",
    );
    let pulse = w.write("pulse.csv", "submitted_at,team,esat,enps\n2025-01-01,chat,4,9\n2025-01-02,chat,5,10\n");
    let surveys = w.write("s.csv", "submitted_at,csat\n2025-01-01,4\n2025-01-02,5\n");
    let output = w.servq().args(["init", &staff, &pulse, &surveys]).assert().success().get_output().clone();
    let config = String::from_utf8(output.stdout).unwrap();
    for line in [
        "employees = ",
        "employee_surveys = ",
        "surveys = ",
        "date = \"hire_date\"",
        "esat = \"esat\"",
        "enps = \"enps\"",
    ] {
        has(&config, line);
    }
    // The pulse survey's enps is never taken for the customers' nps.
    assert!(!config.lines().any(|l| l.starts_with("nps = ")), "{config}");
    let path = w.write("servq.toml", &config);
    let rows =
        csv_rows(&stdout_of(w.servq().args(["report", "--config", &path, "--format", "csv", "-q", "--min-n", "1"])));
    assert!(rows.iter().any(|r| r["metric"] == "headcount") && rows.iter().any(|r| r["metric"] == "enps"), "{rows:?}");
}

#[test]
fn i5_i6_ratings_written_3_0_and_999_codes_are_scores() {
    let w = Workdir::new();
    let (config, _) =
        init_on(&w, "k.csv", "submitted_at,csat,nps\n2024-01-01,3.0,999\n2024-01-02,5.0,9\n2024-01-03,4.0,10\n");
    has(&config, "csat = \"csat\"");
    has(&config, "nps = \"nps\"");
    has(&config, "missing = [\"999\"]");
}

#[test]
fn i7_columns_init_declines_are_ignored_by_report_too() {
    let w = Workdir::new();
    // Excel serial dates cannot be read: the column is ignored (said), and the report
    // runs as one period instead of rejecting every row.
    let (config, stderr) = init_on(&w, "x.csv", "Date,Satisfaction,Recommend\n45366,4,9\n45367,5,10\n45368,2,3\n");
    assert!(stderr.contains("'Date' is named like date but holds whole numbers 45366–45368: not read"), "{stderr}");
    has(&config, "ignore = [\"Date\"]");
    let path = w.write("servq.toml", &config);
    let rows = csv_rows(
        &String::from_utf8(
            w.servq()
                .args(["report", "--config", &path, "--format", "csv", "-q"])
                .assert()
                .success()
                .get_output()
                .stdout
                .clone(),
        )
        .unwrap(),
    );
    assert_eq!(value(&rows, "all", "csat"), format!("{}", 200.0 / 3.0).as_str());
    // Chinese 年月日 dates are a date format.
    let (config, _) = init_on(&w, "c.csv", "日期,满意度\n2024年1月10日,5\n2024年1月11日,4\n");
    has(&config, "date_format = \"%Y年%m月%d日\"");
    // A name twice: said; the first copy is the one read.
    let (_, stderr) =
        init_on(&w, "d.csv", "Response Date,Satisfaction,Satisfaction,Recommend\n2024-01-01,,4,9\n2024-01-02,,5,10\n");
    assert!(stderr.contains("'Satisfaction' is a column name twice"), "{stderr}");
}

#[test]
fn i8_i9_the_fullest_event_date_is_taken_never_a_purchase_date() {
    let w = Workdir::new();
    let mut text = String::from("Respondent,Date of last purchase,Completed,Satisfaction\n");
    for i in 0..40 {
        let purchase = if i % 10 == 0 { "2023-05-01" } else { "" };
        text.push_str(&format!("R{i},{purchase},2024-03-{:02},{}\n", i % 28 + 1, i % 5 + 1));
    }
    let (config, _) = init_on(&w, "m.csv", &text);
    has(&config, "date = \"Completed\"");
    let (config, stderr) = init_on(
        &w,
        "k.csv",
        "Ticket ID,Date of Purchase,First Response Time,Ticket Priority,Resolved\nT1,2021-03-22,2023-06-01 12:15:36,High,yes\nT2,2021-05-22,2023-06-01 16:45:38,Low,no\n",
    );
    assert!(!config.contains("date = \"Date of Purchase\""), "{config}");
    assert!(
        stderr.contains("'First Response Time' could be first_response_at, but there is no date to measure it from"),
        "{stderr}"
    );
}

#[test]
fn i11_i13_month_first_with_am_pm_and_stray_values_off_a_1_to_5_scale() {
    let w = Workdir::new();
    let (config, _) =
        init_on(&w, "m.csv", "Start Date,Satisfaction\n03/15/2024 10:22:13 AM,4\n03/16/2024 01:05:00 PM,5\n");
    has(&config, "date_format = \"%m/%d/%Y %I:%M:%S %p\"");
    let mut text = String::from("submitted_at,csat\n");
    for i in 0..100 {
        text.push_str(&format!("2024-01-{:02},{}\n", i % 28 + 1, if i < 2 { 6 } else { i % 5 + 1 }));
    }
    let (config, _) = init_on(&w, "s.csv", &text);
    has(&config, "csat = \"csat\"   # guessed from the name and whole numbers on 1–5; off the scale, rejected: 6");
    assert!(!config.contains("[metrics.csat]"), "{config}");
}

#[test]
fn i14_an_empty_file_says_so() {
    let w = Workdir::new();
    let file = w.write("e.csv", "date,csat\n");
    w.servq().args(["init", &file]).assert().code(2).stderr(predicate::str::contains("no data rows to guess from"));
}
