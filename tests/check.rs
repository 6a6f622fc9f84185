//! `servq check`: exit codes, bounds, insufficient data, significance of drops,
//! `where` filters, GitHub annotations and JUnit XML.

use predicates::prelude::*;

use crate::util::Workdir;

/// Writes surveys with `jan` and `feb` (satisfied, total) CSAT answers per channel
/// (chat, then phone), February ending on the 28th so it is complete.
fn surveys(w: &Workdir, months: &[(&str, &str, u32, u32)]) -> String {
    let mut text = String::from("submitted_at,channel,csat\n");
    for &(month, channel, good, total) in months {
        for i in 0..total {
            let day = if month == "02" && i == 0 { 28 } else { 1 + i % 27 };
            let score = if i < good { 5 } else { 2 };
            text.push_str(&format!("2025-{month}-{day:02},{channel},{score}\n"));
        }
    }
    w.write("surveys.csv", text)
}

fn config(w: &Workdir, body: &str) -> String {
    w.write("servq.toml", format!("[inputs]\nsurveys = \"surveys.csv\"\n\n{body}"))
}

#[test]
fn exit_0_when_every_check_passes_and_every_check_is_printed() {
    let w = Workdir::new();
    let data = surveys(&w, &[("01", "chat", 8, 10), ("02", "chat", 8, 10)]);
    w.servq()
        .args(["check", "--surveys", &data, "--require", "csat>=70", "--warn", "csat>=90", "-q"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("│ pass   ┆ error ┆ csat >= 70"))
        .stdout(predicate::str::contains("│ warn   ┆ warn  ┆ csat >= 90 ┆ 2025-02"))
        .stdout(predicate::str::contains("2 checks: 0 failed, 1 warnings"));
}

#[test]
fn exit_1_when_an_error_level_check_fails() {
    let w = Workdir::new();
    let data = surveys(&w, &[("01", "chat", 8, 10), ("02", "chat", 6, 10)]);
    w.servq()
        .args(["check", "--surveys", &data, "--require", "csat>=70", "-q"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("60.0 < 70"));
}

#[test]
fn exit_2_on_a_malformed_requirement_and_an_unknown_metric_in_the_config() {
    let w = Workdir::new();
    let data = surveys(&w, &[("01", "chat", 8, 10)]);
    w.servq()
        .args(["check", "--surveys", &data, "--require", "csat=>70"])
        .assert()
        .code(2)
        .stderr("servq: --require 'csat=>70': write METRIC>=NUMBER or METRIC<=NUMBER, e.g. 'nps>=30'\n");
    let cfg = config(&w, "[[check]]\nmetric = \"csat\"\nmin = 70\n\n[[check]]\nmetric = \"happiness\"\nmin = 1\n");
    w.servq()
        .args(["check", "--config", &cfg])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("servq.toml: line 9: [[check]] metric = \"happiness\": unknown metric"));
    // (a fresh folder: ./servq.toml above would be read by default)
    let fresh = Workdir::new();
    fresh.servq().args(["check", "--surveys", &data]).assert().code(2).stderr(predicate::str::contains("no checks"));
}

#[test]
fn passes_on_the_value_but_fails_on_ci_low() {
    let w = Workdir::new();
    surveys(&w, &[("01", "chat", 8, 10), ("02", "chat", 8, 10)]);
    let cfg = config(
        &w,
        "[[check]]\nmetric = \"csat\"\nmin = 70\n\n[[check]]\nmetric = \"csat\"\nmin = 70\nbound = \"ci_low\"\n",
    );
    w.servq().args(["check", "--config", &cfg, "--format", "json", "-q"]).assert().code(1).stdout(predicate::function(
        |out: &str| {
            let doc: serde_json::Value = serde_json::from_str(out).unwrap();
            let checks = doc["checks"].as_array().unwrap();
            checks[0]["status"] == "pass" && checks[1]["status"] == "fail" && checks[1]["reason"] == "49.0 < 70"
        },
    ));
}

#[test]
fn too_few_observations_is_insufficient_data_or_a_failure_when_configured() {
    let w = Workdir::new();
    surveys(&w, &[("01", "chat", 8, 10), ("02", "chat", 2, 10)]);
    let cfg = config(&w, "[[check]]\nmetric = \"csat\"\nmin = 70\nmin_n = 100\n");
    w.servq()
        .args(["check", "--config", &cfg, "-q"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("insufficient data"))
        .stdout(predicate::str::contains("n = 10 < min_n 100"));
    let cfg = config(&w, "[[check]]\nmetric = \"csat\"\nmin = 70\nmin_n = 100\ninsufficient = \"fail\"\n");
    w.servq().args(["check", "--config", &cfg, "-q"]).assert().code(1);
}

#[test]
fn a_large_drop_fails_only_when_significant() {
    let check = "[[check]]\nmetric = \"csat\"\nmax_drop = 3\nsignificant = true\n";
    // 80 % -> 60 % on 10 answers each, pooled two-proportion test: p̄ = 0.7,
    // z = 0.2 / sqrt(0.21 × 0.2) = 0.9759, p = 0.3291: not significant.
    let w = Workdir::new();
    surveys(&w, &[("01", "chat", 8, 10), ("02", "chat", 6, 10)]);
    w.servq()
        .args(["check", "--config", &config(&w, check), "-q"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("dropped 20.00 from 80.0 but not significant (p = 0.3291)"));
    // The same drop on 1000 answers each: z = 9.76, significant.
    let w = Workdir::new();
    surveys(&w, &[("01", "chat", 800, 1000), ("02", "chat", 600, 1000)]);
    w.servq()
        .args(["check", "--config", &config(&w, check), "-q"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("dropped 20.00 from 80.0 (> 3, p = 0.0000)"));
}

#[test]
fn where_judges_one_channel() {
    let w = Workdir::new();
    surveys(&w, &[("02", "chat", 9, 10), ("02", "phone", 5, 10)]);
    let chat = config(&w, "[[check]]\nmetric = \"csat\"\nmin = 85\nwhere = { channel = \"chat\" }\n");
    w.servq()
        .args(["check", "--config", &chat, "-q"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("channel=chat"));
    let phone = config(&w, "[[check]]\nmetric = \"csat\"\nmin = 85\nwhere = { channel = \"phone\" }\n");
    w.servq().args(["check", "--config", &phone, "-q"]).assert().code(1).stdout(predicate::str::contains("50.0 < 85"));
}

#[test]
fn github_annotations_are_workflow_commands() {
    let w = Workdir::new();
    let data = surveys(&w, &[("02", "chat", 6, 10)]);
    let out = w
        .servq()
        .args([
            "check",
            "--surveys",
            &data,
            "--require",
            "csat>=70",
            "--warn",
            "csat>=65",
            "--require",
            "csat>=50",
            "--format",
            "github",
            "-q",
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    // --require checks come first, then --warn checks, each in command-line order.
    let lines: Vec<String> = String::from_utf8(out).unwrap().lines().map(String::from).collect();
    assert_eq!(
        lines,
        [
            "::error::servq check: csat >= 70 [fail] in 2025-02 for all: csat = 60.0 (n = 10, 95%25 CI 31.3 to 83.2): 60.0 < 70",
            "::notice::servq check: csat >= 50 [pass] in 2025-02 for all: csat = 60.0 (n = 10, 95%25 CI 31.3 to 83.2)",
            "::warning::servq check: csat >= 65 [warn] in 2025-02 for all: csat = 60.0 (n = 10, 95%25 CI 31.3 to 83.2): 60.0 < 65",
        ]
    );
}

#[test]
fn junit_xml_parses_with_the_right_counts() {
    let w = Workdir::new();
    surveys(&w, &[("02", "chat", 6, 10)]);
    let cfg = config(
        &w,
        "[[check]]\nmetric = \"csat\"\nmin = 50\n\n[[check]]\nmetric = \"csat\"\nmin = 70\n\n[[check]]\nmetric = \"csat\"\nmin = 1\nmin_n = 30\n\n[[check]]\nmetric = \"csat\"\nmin = 90\nlevel = \"warn\"\n",
    );
    let xml_path = w.path("checks.xml");
    w.servq().args(["check", "--config", &cfg, "--junit", &xml_path, "-q"]).assert().code(1);
    let xml = std::fs::read_to_string(&xml_path).unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let suite = doc.descendants().find(|n| n.has_tag_name("testsuite")).unwrap();
    assert_eq!(suite.attribute("tests"), Some("4"));
    assert_eq!(suite.attribute("failures"), Some("1"));
    assert_eq!(suite.attribute("skipped"), Some("1"));
    let cases: Vec<_> = suite.children().filter(|n| n.has_tag_name("testcase")).collect();
    assert_eq!(cases.len(), 4);
    assert!(cases[1].children().any(|n| n.has_tag_name("failure")));
    assert!(cases[2].children().any(|n| n.has_tag_name("skipped")));
    assert!(cases[3].children().any(|n| n.has_tag_name("system-out")));
}

#[test]
fn a_partial_last_period_is_not_judged_by_default() {
    let w = Workdir::new();
    let data = surveys(&w, &[("01", "chat", 9, 10), ("02", "chat", 1, 10)]);
    // As of 2025-02-10 February is not over: January is judged.
    w.servq()
        .args(["check", "--surveys", &data, "--require", "csat>=80", "--as-of", "2025-02-10", "-q"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("2025-01"));
    w.servq()
        .args(["check", "--surveys", &data, "--require", "csat>=80", "--as-of", "2025-02-10", "--all-periods", "-q"])
        .assert()
        .code(1);
}
