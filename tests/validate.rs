//! `servq validate` and `--rejects`: exit 0 clean, 1 with rejects; every rejected
//! value written with file, line, field, value and reason.

use predicates::prelude::*;

use crate::util::{Workdir, csv_rows, fixture};

#[test]
fn clean_file_exits_0() {
    let w = Workdir::new();
    w.servq()
        .args(["validate", "--surveys", &fixture("surveys_clean.csv")])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("2 rows read, 2 used, 0 rejected"))
        .stdout(predicate::str::contains("clean: every row and value is usable"));
}

#[test]
fn rejects_exit_1_and_are_written_with_their_lines() {
    let w = Workdir::new();
    let rejects = w.path("rejects.csv");
    w.servq()
        .args(["validate", "--surveys", &fixture("surveys_small.csv"), "--rejects", &rejects])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("rejects found"));
    let rows = csv_rows(&std::fs::read_to_string(&rejects).unwrap());
    let summary: Vec<(String, String, String, String)> =
        rows.iter().map(|r| (r["line"].clone(), r["field"].clone(), r["value"].clone(), r["reason"].clone())).collect();
    assert_eq!(
        summary,
        [
            ("9".into(), "csat".into(), "6".into(), "outside 1..5".into()),
            ("9".into(), "nps".into(), "8.5".into(), "not an integer".into()),
            ("10".into(), "date".into(), "2025-02-30".into(), "impossible date".into()),
        ]
    );
    assert!(rows[0]["file"].ends_with("surveys_small.csv"));
}

#[test]
fn report_rejects_file_too() {
    let w = Workdir::new();
    let rejects = w.path("r.csv");
    w.servq()
        .args(["report", "--surveys", &fixture("surveys_small.csv"), "--metrics", "csat", "--rejects", &rejects, "-q"])
        .assert()
        .success();
    let rows = csv_rows(&std::fs::read_to_string(&rejects).unwrap());
    // Only the fields the selected metrics read are judged: csat and the row date.
    assert_eq!(rows.len(), 2);
}
