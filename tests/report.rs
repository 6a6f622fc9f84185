//! `servq report` on fixtures and on the sample data: exact values in every format.

use predicates::prelude::*;

use crate::util::{Workdir, assert_close, csv_rows, csv_rows_with_stderr, fixture, sample, stdout_of};

fn find<'a>(
    rows: &'a [std::collections::BTreeMap<String, String>],
    period: &str,
    channel: &str,
    metric: &str,
) -> &'a std::collections::BTreeMap<String, String> {
    rows.iter()
        .find(|r| r["period"] == period && r.get("channel").map_or("", |c| c) == channel && r["metric"] == metric)
        .unwrap_or_else(|| panic!("no row {period} {channel} {metric}"))
}

#[test]
fn csv_by_month_and_channel_has_exact_values_and_the_tidy_schema() {
    let w = Workdir::new();
    let out = stdout_of(w.servq().args([
        "report",
        "--surveys",
        &fixture("surveys_small.csv"),
        "--by",
        "channel",
        "--format",
        "csv",
    ]));
    assert!(out.starts_with("period,period_start,period_end,channel,metric,value,n,ci_low,ci_high,flags\n"), "{out}");
    let rows = csv_rows(&out);
    // January, chat: csat 5,4,3 (one empty) -> 2 of 3 satisfied.
    let r = find(&rows, "2025-01", "chat", "csat");
    assert_close(&r["value"], 200.0 / 3.0);
    assert_eq!(r["n"], "3");
    assert_close(&r["ci_low"], 20.765_960_080_204_763);
    assert_close(&r["ci_high"], 93.850_805_527_960_38);
    assert_eq!(r["flags"], "low_n");
    assert_eq!((r["period_start"].as_str(), r["period_end"].as_str()), ("2025-01-01", "2025-01-31"));
    assert_eq!(find(&rows, "2025-01", "chat", "csat_mean")["value"], "4");
    // ces 7,5,4,6 -> 3 of 4 at 5 or more; mean 5.5
    assert_eq!(find(&rows, "2025-01", "chat", "ces")["value"], "75");
    assert_eq!(find(&rows, "2025-01", "chat", "ces_mean")["value"], "5.5");
    // nps 10,9,7,0 -> (2 - 1) / 4
    let r = find(&rows, "2025-01", "chat", "nps");
    assert_eq!((r["value"].as_str(), r["n"].as_str()), ("25", "4"));
    assert_close(&r["ci_low"], -44.159_768_529_899_18);
    assert_close(&r["ci_high"], 72.731_197_101_327_77);
    // January, phone: nps 6, 8 -> -50; a single ces answer of 2 -> 0 %
    assert_eq!(find(&rows, "2025-01", "phone", "nps")["value"], "-50");
    let r = find(&rows, "2025-01", "phone", "ces");
    assert_eq!((r["value"].as_str(), r["n"].as_str()), ("0", "1"));
    // February, chat: csat 6 and nps 8.5 are rejected for their metric only.
    let r = find(&rows, "2025-02", "chat", "csat");
    assert_eq!((r["value"].as_str(), r["n"].as_str()), ("100", "1"));
    assert_eq!(find(&rows, "2025-02", "chat", "ces")["n"], "2");
    assert_eq!(find(&rows, "2025-02", "chat", "nps")["n"], "1");
    // February is not over at the latest date seen (2025-02-03): partial.
    assert_eq!(find(&rows, "2025-02", "phone", "nps")["flags"], "low_n;partial");
    assert_eq!(find(&rows, "2025-02", "phone", "nps")["value"], "-100");
    // SPEC §11 shares: January chat csat 5,4,3 has no score ≤ 2; nps 10,9,7,0 has 2
    // promoters and 1 detractor of 4; phone nps 6, 8: no promoter, 1 detractor of 2.
    assert_eq!(find(&rows, "2025-01", "chat", "csat_bottom_box")["value"], "0");
    assert_eq!(find(&rows, "2025-01", "chat", "nps_promoters_pct")["value"], "50");
    let r = find(&rows, "2025-01", "chat", "nps_detractors_pct");
    assert_eq!((r["value"].as_str(), r["n"].as_str()), ("25", "4"));
    assert_eq!(find(&rows, "2025-01", "phone", "nps_promoters_pct")["value"], "0");
    assert_eq!(find(&rows, "2025-01", "phone", "nps_detractors_pct")["value"], "50");
    assert_eq!(rows.len(), 4 * 8);
}

#[test]
fn as_of_after_the_period_end_clears_partial_and_min_n_is_configurable() {
    let w = Workdir::new();
    let out = stdout_of(w.servq().args([
        "report",
        "--surveys",
        &fixture("surveys_small.csv"),
        "--format",
        "csv",
        "--metrics",
        "nps",
        "--as-of",
        "2025-02-28",
        "--min-n",
        "4",
    ]));
    let rows = csv_rows(&out);
    assert_eq!(rows.len(), 2);
    // January overall: 10,9,7,0,6,8 -> 2 promoters, 2 detractors of 6.
    assert_eq!((rows[0]["value"].as_str(), rows[0]["n"].as_str(), rows[0]["flags"].as_str()), ("0", "6", ""));
    // February: 9, 3 (8.5 rejected, 2025-02-30 row rejected) -> n 2 < 4; 1 of its 3
    // non-missing answers was rejected (over 5%): flagged `rejected`.
    assert_eq!(
        (rows[1]["value"].as_str(), rows[1]["n"].as_str(), rows[1]["flags"].as_str()),
        ("0", "2", "low_n;rejected")
    );
}

#[test]
fn period_none_from_a_mapped_config_matches_the_spec_example() {
    let w = Workdir::new();
    let out = stdout_of(w.servq().args(["report", "--config", &fixture("surveys_mapped.toml"), "--format", "csv"]));
    let rows = csv_rows(&out);
    let metrics: Vec<&str> = rows.iter().map(|r| r["metric"].as_str()).collect();
    assert_eq!(metrics, ["nps", "nps_promoters_pct", "nps_detractors_pct"]);
    // 3 promoters and 1 detractor of 6: 50% and 16.7%.
    assert_eq!(rows[1]["value"], "50");
    assert_close(&rows[2]["value"], 100.0 / 6.0);
    let r = &rows[0];
    assert_eq!(r["period"], "all");
    assert_eq!((r["period_start"].as_str(), r["period_end"].as_str()), ("2025-06-01", "2025-06-06"));
    assert_close(&r["value"], 100.0 / 3.0);
    assert_close(&r["ci_low"], -26.743_258_794_104_54);
    assert_close(&r["ci_high"], 71.187_703_238_548_98);
    assert_eq!(r["flags"], "low_n");
}

#[test]
fn json_carries_records_details_definitions_and_data_quality() {
    let w = Workdir::new();
    let out = stdout_of(w.servq().args([
        "report",
        "--surveys",
        &fixture("surveys_small.csv"),
        "--period",
        "none",
        "--metrics",
        "nps,csat",
        "--format",
        "json",
    ]));
    let doc: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    let records = doc["records"].as_array().unwrap();
    assert_eq!(records.len(), 2);
    let csat = &records[0];
    assert_eq!(csat["metric"], "csat");
    // 5,4,3,2,4,5,1 valid (one empty, one 6 rejected): 4 of 7 satisfied.
    assert!((csat["value"].as_f64().unwrap() - 400.0 / 7.0).abs() < 1e-9);
    assert_eq!(csat["n"], 7);
    let nps = &records[1];
    // 10,9,7,0,6,8,9,3: 3 promoters, 3 detractors.
    assert_eq!(nps["value"], 0.0);
    assert_eq!(nps["details"]["promoters"], 3.0);
    assert_eq!(nps["details"]["passives"], 2.0);
    assert_eq!(nps["details"]["detractors"], 3.0);
    assert!(doc["definitions"]["nps"].as_str().unwrap().contains("adjusted-Wald"));
    let file = &doc["data_quality"]["files"][0];
    assert_eq!(file["rows_read"], 10);
    assert_eq!(file["rows_used"], 9);
    assert_eq!(file["rows_rejected"], 1);
    assert_eq!(file["fields"]["csat"]["valid"], 7);
    assert_eq!(file["fields"]["csat"]["missing"], 1);
    assert_eq!(file["fields"]["csat"]["rejected"], 1);
}

#[test]
fn output_extension_picks_the_format_and_stdout_stays_empty() {
    let w = Workdir::new();
    let target = w.path("kpis.md");
    w.servq()
        .args(["report", "--surveys", &fixture("surveys_small.csv"), "--metrics", "nps", "-o", &target])
        .assert()
        .success()
        .stdout("");
    let md = std::fs::read_to_string(&target).unwrap();
    assert!(
        md.starts_with("| period | nps |\n| --- | --- |\n| 2025-01 | 0.0* (6) |\n| 2025-02 (partial) | 0.0*! (2) |\n"),
        "{md}"
    );
    assert!(md.contains("- Definition: nps = 100 × (promoters 9–10 − detractors 0–6)"));
}

#[test]
fn table_has_a_footer_with_definitions_and_data_quality() {
    let w = Workdir::new();
    let out = stdout_of(w.servq().args([
        "report",
        "--surveys",
        &fixture("surveys_small.csv"),
        "--metrics",
        "csat",
        "--period",
        "none",
        "--layout",
        "wide",
    ]));
    // 1 of the 8 non-missing scores is off the scale (12.5% > 5%): `!`, suspect data.
    assert!(out.contains("57.1*! (7)"), "{out}");
    assert!(out.contains("! more than 5% of the values were rejected: suspect data"), "{out}");
    assert!(out.contains("Definition: csat = 100 × count(score ≥ 4) / count(valid scores), scale 1–5"));
    assert!(out.contains("Data quality:   csat: value excluded from csat only: outside 1..5 × 1 (line 9)"), "{out}");
    assert!(out.contains("row rejected (date): impossible date × 1 (line 10)"), "{out}");
}

#[test]
fn data_quality_goes_to_stderr_with_line_numbers_and_quiet_silences_it() {
    let w = Workdir::new();
    w.servq()
        .args(["report", "--surveys", &fixture("surveys_small.csv"), "--format", "csv"])
        .assert()
        .success()
        .stderr(predicate::str::contains("surveys_small.csv (surveys): 10 rows read, 9 used, 1 rejected"))
        .stderr(predicate::str::contains("nps: value excluded from nps only: not an integer × 1 (line 9)"));
    w.servq()
        .args(["report", "--surveys", &fixture("surveys_small.csv"), "--format", "csv", "--quiet"])
        .assert()
        .success()
        .stderr("");
}

#[test]
fn chinese_headers_bom_and_semicolons_are_recognised() {
    let w = Workdir::new();
    let out = stdout_of(w.servq().args([
        "report",
        "--surveys",
        &fixture("surveys_zh_semicolon.csv"),
        "--by",
        "channel",
        "--format",
        "csv",
        "--metrics",
        "csat,nps",
    ]));
    let rows = csv_rows(&out);
    let r = find(&rows, "2025-03", "电话", "csat");
    assert_eq!((r["value"].as_str(), r["n"].as_str()), ("100", "2"));
    let r = find(&rows, "2025-03", "在线", "nps");
    assert_eq!((r["value"].as_str(), r["n"].as_str()), ("-100", "1"));
}

#[test]
fn date_format_reads_day_first_dates() {
    let w = Workdir::new();
    let out = stdout_of(w.servq().args([
        "report",
        "--surveys",
        &fixture("surveys_dayfirst.csv"),
        "--date-format",
        "%d-%m-%Y",
        "--format",
        "csv",
        "--metrics",
        "csat",
    ]));
    let rows = csv_rows(&out);
    assert_eq!(rows.len(), 2);
    assert_eq!((rows[0]["period"].as_str(), rows[0]["value"].as_str()), ("2025-03", "100"));
    assert_eq!((rows[1]["period"].as_str(), rows[1]["value"].as_str()), ("2025-04", "0"));
}

#[test]
fn from_and_to_filter_rows_and_account_for_them() {
    let w = Workdir::new();
    let rows = csv_rows_with_stderr(
        w.servq().args([
            "report",
            "--surveys",
            &fixture("surveys_small.csv"),
            "--from",
            "2025-01-06",
            "--to",
            "2025-01-31",
            "--format",
            "csv",
            "--metrics",
            "csat",
            "--period",
            "none",
        ]),
        &["10 rows read, 5 used, 1 rejected, 4 outside --from/--to"],
    );
    // csat on 01-06..01-10: 4, 3, (empty), 2, 4 -> 2 of 4
    assert_eq!((rows[0]["value"].as_str(), rows[0]["n"].as_str()), ("50", "4"));
    assert_eq!((rows[0]["period_start"].as_str(), rows[0]["period_end"].as_str()), ("2025-01-06", "2025-01-10"));
}

#[test]
fn quarter_week_and_day_periods_label_their_buckets() {
    let w = Workdir::new();
    let labels = |period: &str| -> Vec<String> {
        let out = stdout_of(w.servq().args([
            "report",
            "--surveys",
            &fixture("surveys_small.csv"),
            "--period",
            period,
            "--metrics",
            "nps",
            "--format",
            "csv",
        ]));
        csv_rows(&out).iter().map(|r| r["period"].clone()).collect()
    };
    assert_eq!(labels("quarter"), ["2025-Q1"]);
    assert_eq!(labels("year"), ["2025"]);
    assert_eq!(labels("week"), ["2025-W01", "2025-W02", "2025-W05", "2025-W06"]);
    assert_eq!(labels("day").len(), 9);
}

#[test]
fn sample_data_year_matches_an_independent_computation() {
    // Expected values computed outside servq (Python, SPEC definitions) on sample-data/surveys.csv.
    let w = Workdir::new();
    let out = stdout_of(w.servq().args([
        "report",
        "--config",
        &sample("servq.toml"),
        "--period",
        "year",
        "--format",
        "csv",
        "--quiet",
    ]));
    let rows = csv_rows(&out);
    let get = |metric: &str| rows.iter().find(|r| r["metric"] == metric).unwrap();
    assert_close(&get("csat")["value"], 70.821_673_874_332_23);
    assert_eq!(get("csat")["n"], "3931");
    assert_close(&get("nps")["value"], 14.103_896_103_896_103);
    assert_eq!(get("nps")["n"], "3850");
    assert_close(&get("ces")["value"], 75.502_121_640_735_5);
    assert_close(&get("ces_mean")["value"], 5.608_486_562_942_009);
}

#[test]
fn sample_config_runs_from_another_folder() {
    let w = Workdir::new();
    w.servq()
        .args(["report", "--config", &sample("servq.toml")])
        .assert()
        .success()
        .stdout(predicate::str::contains("2025-12"))
        .stdout(predicate::str::contains("Definition: nps"));
}

#[test]
fn gzip_compressed_csv_is_read_like_the_plain_file() {
    use std::io::Write;
    let w = Workdir::new();
    let plain = std::fs::read(fixture("surveys_small.csv")).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&plain).unwrap();
    let path = w.write("surveys.csv.gz", gz.finish().unwrap());
    let args = |file: &str| ["report", "--surveys", file, "--format", "csv", "-q"].map(String::from);
    let from_gz = stdout_of(w.servq().args(args(&path)));
    let from_plain = stdout_of(w.servq().args(args(&fixture("surveys_small.csv"))));
    assert_eq!(from_gz, from_plain);
    assert_eq!(csv_rows(&from_gz).len(), 16);
}

#[test]
fn whole_window_clv_has_its_own_row_after_the_periods() {
    let w = Workdir::new();
    let table = stdout_of(w.servq().args(["report", "--config", &sample("servq.toml"), "-q", "--layout", "wide"]));
    let rows: Vec<&str> = table.lines().filter(|l| l.starts_with("│ ")).collect();
    let cells = |line: &str| line.split(['│', '┆']).map(str::trim).filter(|c| !c.is_empty()).count();
    let january = rows.iter().find(|l| l.starts_with("│ 2025-01")).unwrap();
    let all = rows.last().unwrap();
    assert!(all.starts_with("│ all"), "{all}");
    assert_eq!(cells(all), 2, "period and clv only: {all}");
    assert!(!january.contains("(2901)"), "{january}");
    let csv =
        csv_rows(&stdout_of(w.servq().args(["report", "--config", &sample("servq.toml"), "--format", "csv", "-q"])));
    assert_eq!(csv.last().unwrap()["metric"], "clv");
}

#[test]
fn a_table_on_the_terminal_says_its_notes_once() {
    let w = Workdir::new();
    let surveys = sample("surveys.csv");
    let output = w
        .servq()
        .args(["report", "--surveys", &surveys, "--metrics", "csat,retention"])
        .assert()
        .success()
        .get_output()
        .clone();
    let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("Note: retention: not computed: no transactions input"), "{stdout}");
    assert!(!stderr.contains("retention: not computed"), "{stderr}");
    // As CSV (no footer) the note goes to stderr.
    w.servq()
        .args(["report", "--surveys", &surveys, "--metrics", "csat,retention", "--format", "csv"])
        .assert()
        .success()
        .stderr(predicate::str::contains("note: retention: not computed: no transactions input"));
}
