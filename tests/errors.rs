//! Errors: one clear line on stderr naming the file (and line or key), exit code 2,
//! never a panic.

use predicates::prelude::*;

use crate::util::{Workdir, fixture};

fn fails_with(args: &[&str], message: &str) {
    let w = Workdir::new();
    w.servq()
        .args(args)
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(message))
        .stderr(predicate::str::contains("panicked").not());
}

#[test]
fn missing_file() {
    fails_with(&["report", "--surveys", "nope.csv"], "servq: nope.csv: no such file\n");
}

#[test]
fn glob_matching_nothing() {
    fails_with(
        &["report", "--surveys", "data/surveys-*.csv"],
        "servq: data/surveys-*.csv: no file matches this pattern\n",
    );
}

#[test]
fn no_inputs_at_all() {
    fails_with(&["report"], "servq: no input files: give --surveys FILE…");
}

#[test]
fn mapped_column_missing() {
    let w = Workdir::new();
    let data = w.write("s.csv", "when,score\n2025-01-01,5\n");
    let config =
        w.write("servq.toml", "[inputs]\nsurveys = \"s.csv\"\n[columns.surveys]\ndate = \"when\"\nnps = \"ltr\"\n");
    w.servq()
        .args(["report", "--config", &config])
        .assert()
        .code(2)
        .stderr(format!(
            "servq: {data}: column 'ltr' (mapped to nps in [columns.surveys]) is not in the file; its columns are: when, score\n"
        ));
}

#[test]
fn unknown_by_column() {
    fails_with(
        &["report", "--surveys", &fixture("surveys_small.csv"), "--by", "region"],
        "surveys_small.csv: unknown column 'region' for --by; its columns are: submitted_at, channel, csat, ces, nps, comment\n",
    );
}

#[test]
fn no_date_column() {
    let w = Workdir::new();
    let data = w.write("s.csv", "score,nps\n5,9\n");
    // Dates asked for (--from): the missing column is an error naming the file.
    w.servq().args(["report", "--surveys", &data, "--from", "2025-01-01"]).assert().code(2).stderr(
        predicate::str::starts_with(format!(
            "servq: {data}: no date column for surveys (--from/--to need one) (looked for submitted_at"
        )),
    );
    // Otherwise one period over all rows (SPEC §10), with or without --period none.
    for extra in [&[][..], &["--period", "none"][..]] {
        let out =
            crate::util::stdout_of(w.servq().args(["report", "--surveys", &data, "--format", "csv", "-q"]).args(extra));
        assert!(out.contains("\nall,,,nps,100,1,"), "{out}");
    }
}

#[test]
fn empty_file_and_header_only() {
    fails_with(&["report", "--surveys", &fixture("empty.csv")], "empty.csv: empty file (no header row)\n");
    fails_with(
        &["report", "--surveys", &fixture("header_only.csv")],
        "header_only.csv: no data rows (the file has only a header)\n",
    );
}

#[test]
fn config_unknown_key_names_file_line_and_key() {
    fails_with(&["report", "--config", &fixture("bad_key.toml")], "bad_key.toml: line 6: unknown field `satisfied`");
}

#[test]
fn config_file_missing() {
    fails_with(&["report", "--config", "missing.toml"], "servq: missing.toml: cannot read config file");
}

#[test]
fn unknown_metric_and_bad_dates_in_flags() {
    fails_with(
        &["report", "--surveys", &fixture("surveys_small.csv"), "--metrics", "nps,bogus"],
        "unknown metric 'bogus'",
    );
    fails_with(
        &["report", "--surveys", &fixture("surveys_small.csv"), "--from", "2025/01/01"],
        "--from 2025/01/01: not a date (use YYYY-MM-DD)",
    );
    fails_with(
        &["report", "--surveys", &fixture("surveys_small.csv"), "--tz", "Mars/Olympus"],
        "--tz Mars/Olympus: give UTC, a fixed offset such as +08:00, or an IANA zone name",
    );
}

#[test]
fn bad_output_extension_fails_before_reading() {
    fails_with(
        &["report", "--surveys", &fixture("surveys_small.csv"), "-o", "out.ods"],
        "unknown output extension .ods; use .csv, .json, .md, .txt, .html or .xlsx",
    );
}

#[test]
fn usage_errors_exit_2() {
    let w = Workdir::new();
    w.servq().args(["report", "--period", "fortnight"]).assert().code(2);
    w.servq().args(["frobnicate"]).assert().code(2);
}

#[test]
fn strict_turns_a_rejection_into_an_error_naming_file_and_line() {
    let w = Workdir::new();
    w.servq()
        .args(["report", "--surveys", &fixture("surveys_small.csv"), "--strict", "--quiet"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--strict: 3 rejected row(s) or value(s); the first is "))
        .stderr(predicate::str::contains("surveys_small.csv:9 (csat: outside 1..5)"));
}

#[test]
fn scale_hint_when_most_values_are_off_the_scale() {
    let w = Workdir::new();
    w.servq()
        .args(["report", "--surveys", &fixture("surveys_scale10.csv"), "--format", "csv"])
        .assert()
        .success()
        .stderr(predicate::str::contains("hint: 4 of 5 csat values in "))
        .stderr(predicate::str::contains(
            "are outside 1..5 (seen 7..10): is the scale 1..10? set [metrics.csat] scale = [1, 10]",
        ));
}

#[test]
fn a_metric_without_its_column_says_why() {
    let w = Workdir::new();
    w.servq()
        .args(["report", "--surveys", &fixture("surveys_scale10.csv"), "--metrics", "nps,csat", "--format", "csv"])
        .assert()
        .success()
        .stderr(predicate::str::contains("note: nps: not computed: no nps column in surveys"));
}
