//! Real-world files: encodings, delimiters, CRLF, quoted newlines, ragged rows,
//! Parquet, hints, and the accounting identity on every fixture.

use predicates::prelude::*;

use crate::util::{Workdir, csv_rows, fixture, stdout_of};

fn bad(name: &str) -> String {
    fixture(&format!("bad/{name}"))
}

fn report_csv(w: &Workdir, file: &str, extra: &[&str]) -> String {
    stdout_of(w.servq().args(["report", "--surveys", file, "--by", "channel", "--format", "csv", "-q"]).args(extra))
}

#[test]
fn the_same_data_in_utf8_gb18030_and_utf16_gives_identical_reports() {
    let w = Workdir::new();
    let reference = report_csv(&w, &bad("zh_utf8.csv"), &[]);
    assert!(reference.contains(",电话,csat,100,2,"), "{reference}");
    for (file, extra) in [
        ("zh_utf8_bom.csv", &[][..]),
        ("zh_gb18030.csv", &[][..]),
        ("zh_gb18030.csv", &["--encoding", "gb18030"][..]),
        ("zh_gb18030.csv", &["--encoding", "gbk"][..]),
        ("zh_utf16le.csv", &[][..]),
        ("zh_utf16be.csv", &[][..]),
    ] {
        assert_eq!(report_csv(&w, &bad(file), extra), reference, "{file} {extra:?}");
    }
}

#[test]
fn ragged_rows_quoted_newlines_and_crlf_keep_their_line_numbers() {
    let w = Workdir::new();
    let rejects = w.path("rejects.csv");
    w.servq()
        .args(["validate", "--surveys", &bad("ragged_quoted_crlf.csv"), "--rejects", &rejects])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("5 rows read, 4 used, 1 rejected; 1 short rows padded with empty fields"))
        .stdout(predicate::str::contains(
            "row rejected (row): wrong number of fields (expected 4, found 5) × 1 (line 6)",
        ))
        .stdout(predicate::str::contains("csat: value excluded from csat only: not a number × 1 (line 7)"));
    let rows = csv_rows(&std::fs::read_to_string(&rejects).unwrap());
    let lines: Vec<(&str, &str, &str)> =
        rows.iter().map(|r| (r["line"].as_str(), r["field"].as_str(), r["value"].as_str())).collect();
    // Line 3 has 2 of 4 fields: padded with empty fields and used (SPEC §9).
    assert_eq!(lines, [("6", "row", "2025-01-04,2,6,ok,extra"), ("7", "csat", "x")]);
}

#[test]
fn tab_and_pipe_delimiters_are_sniffed() {
    let w = Workdir::new();
    let tab = stdout_of(w.servq().args(["report", "--surveys", &bad("tab.tsv"), "--format", "csv", "-q"]));
    let pipe = stdout_of(w.servq().args(["report", "--surveys", &bad("pipe.csv"), "--format", "csv", "-q"]));
    assert_eq!(tab, pipe);
    assert!(tab.contains("2025-01,2025-01-01,2025-01-31,nps,0,2,"), "{tab}");
}

#[test]
fn parquet_input_reports_like_the_same_csv() {
    let w = Workdir::new();
    let from_parquet = report_csv(&w, &bad("surveys.parquet"), &[]);
    let from_csv = report_csv(&w, &bad("surveys_same_as_parquet.csv"), &[]);
    assert_eq!(from_parquet, from_csv);
    // nps 8.5 is rejected for nps only; the row with no date is rejected whole.
    w.servq()
        .args(["validate", "--surveys", &bad("surveys.parquet")])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("4 rows read, 3 used, 1 rejected"))
        .stdout(predicate::str::contains("row rejected (date): missing date × 1 (line 5)"));
}

#[test]
fn hints_for_day_first_dates_and_decimal_commas() {
    let w = Workdir::new();
    // Every row is rejected: no figure at all, exit 2 with the hint (SPEC §9).
    w.servq().args(["report", "--surveys", &bad("dayfirst_slash.csv"), "--format", "csv"]).assert().code(2).stderr(
        predicate::str::contains(
            "dayfirst_slash.csv are rejected as 'not an ISO date' (e.g. '14/03/2025'): set --date-format '%d/%m/%Y'",
        ),
    );
    w.servq()
        .args(["report", "--interactions", &bad("decimal_comma.csv"), "--format", "csv", "--metrics", "sla_pct"])
        .assert()
        .success()
        .stderr(predicate::str::contains("2 of 3 first_response_minutes values in"))
        .stderr(predicate::str::contains("use a decimal comma (e.g. 12,5): export them with a decimal point"));
}

#[test]
fn every_fixture_accounts_for_every_row_and_value() {
    let w = Workdir::new();
    let files = [
        fixture("surveys_small.csv"),
        fixture("surveys_zh_semicolon.csv"),
        fixture("surveys_scale10.csv"),
        fixture("surveys_clean.csv"),
        bad("zh_utf8.csv"),
        bad("zh_gb18030.csv"),
        bad("zh_utf16le.csv"),
        bad("ragged_quoted_crlf.csv"),
        bad("tab.tsv"),
        bad("surveys.parquet"),
    ];
    for file in files {
        let out =
            stdout_of(w.servq().args(["report", "--surveys", &file, "--period", "none", "--format", "json", "-q"]));
        let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
        for f in doc["data_quality"]["files"].as_array().unwrap() {
            let n = |k: &str| f[k].as_u64().unwrap();
            assert_eq!(n("rows_read"), n("rows_used") + n("rows_rejected") + n("rows_outside_range"), "{file}");
            for (field, c) in f["fields"].as_object().unwrap() {
                let v = |k: &str| c[k].as_u64().unwrap();
                assert_eq!(v("valid") + v("missing") + v("rejected"), n("rows_used"), "{file} {field}");
            }
        }
    }
}

#[test]
fn a_file_of_many_blocks_keeps_line_numbers_counts_and_codes() {
    // 400k rows (~13 MB: several blocks parsed in parallel); row 10 holds a quoted
    // newline, so every later row starts one line further down.
    let w = Workdir::new();
    let mut text = String::from("submitted_at,channel,csat,comment\n");
    let mut satisfied = 0u64;
    let mut valid = 0u64;
    for i in 0..400_000u64 {
        let channel = ["chat", "phone", "email"][(i % 3) as usize];
        let csat = if i == 150_000 || i == 390_000 { 9 } else { 1 + i % 5 };
        if csat <= 5 {
            valid += 1;
            satisfied += u64::from(csat >= 4);
        }
        let comment = if i == 10 { "\"two\nlines\"" } else { "ok" };
        text.push_str(&format!("2025-{:02}-{:02},{channel},{csat},{comment}\n", 1 + i % 12, 1 + i % 28));
    }
    let path = w.write("big.csv", text);
    // data row i is on line i + 2, or i + 3 after the two-line record
    w.servq()
        .args(["validate", "--surveys", &path])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("400,000 rows read, 400,000 used, 0 rejected"))
        .stdout(predicate::str::contains(
            "csat: value excluded from csat only: outside 1..5 × 2 (line 150003, 390003)",
        ));
    let rows = csv_rows(&stdout_of(w.servq().args([
        "report",
        "--surveys",
        &path,
        "--period",
        "none",
        "--metrics",
        "csat",
        "--by",
        "channel",
        "--format",
        "csv",
        "-q",
    ])));
    let channels: Vec<&str> = rows.iter().map(|r| r["channel"].as_str()).collect();
    assert_eq!(channels, ["chat", "email", "phone"]);
    let n: u64 = rows.iter().map(|r| r["n"].parse::<u64>().unwrap()).sum();
    let good: f64 =
        rows.iter().map(|r| r["value"].parse::<f64>().unwrap() * r["n"].parse::<f64>().unwrap() / 100.0).sum();
    assert_eq!(n, valid);
    assert!((good - satisfied as f64).abs() < 1e-6);
}
