//! The library computes the same numbers the CLI prints (SPEC §7).

use std::path::PathBuf;

use polars::prelude::*;
use servq::input::{self, DataQuality, Dictionaries, FieldRequest, Kind, TableRequest, ValueKind, Window};
use servq::metrics::frame;
use servq::metrics::nps::{self, NpsCounts, NpsOptions};

use crate::util::{Workdir, csv_rows, sample, stdout_of};

#[test]
fn nps_from_the_library_equals_the_cli_on_sample_data() {
    let files = [PathBuf::from(sample("surveys.csv"))];
    let window = Window::default();
    let read = Default::default();
    let fields = vec![FieldRequest { field: nps::COLUMN, kind: ValueKind::Score { min: 0, max: 10, labels: None } }];
    let request = TableRequest::new(Kind::Surveys, &files, &window, &read).fields(fields, vec![nps::COLUMN]);
    let table = input::table::load(&request, &mut Dictionaries::default(), &mut DataQuality::default()).unwrap();
    let by_month = nps::aggregate(table.frame.lazy(), &[col("period_start")])
        .sort(["period_start"], SortMultipleOptions::default())
        .collect()
        .unwrap();
    let n = frame::counts(&by_month, "nps.n").unwrap();
    let promoters = frame::counts(&by_month, "nps.promoters").unwrap();
    let detractors = frame::counts(&by_month, "nps.detractors").unwrap();

    let w = Workdir::new();
    let cli = csv_rows(&stdout_of(w.servq().args([
        "report",
        "--surveys",
        &sample("surveys.csv"),
        "--metrics",
        "nps",
        "--format",
        "csv",
        "-q",
    ])));
    assert_eq!(cli.len(), 12);
    for (i, row) in cli.iter().enumerate() {
        let e =
            nps::nps(NpsCounts { promoters: promoters[i], detractors: detractors[i], n: n[i] }, &NpsOptions::default());
        assert_eq!(row["n"], e.n.to_string());
        assert_eq!(row["value"], e.value.unwrap().to_string());
        assert_eq!(row["ci_low"], e.ci.unwrap().0.to_string());
    }
}

/// The path of a compiled example (cargo test builds every example beside the tests).
fn example(name: &str) -> std::path::PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile = exe.parent().and_then(|deps| deps.parent()).unwrap();
    profile.join("examples").join(name)
}

#[test]
fn the_nps_example_prints_the_monthly_nps_the_cli_prints() {
    let out =
        std::process::Command::new(example("nps")).arg(sample("surveys.csv")).output().expect("examples/nps built");
    assert!(out.status.success());
    let printed = String::from_utf8(out.stdout).unwrap();
    // December 2025, computed apart by a Python script from the CSV: (p − d) / 342 = 22.2.
    assert!(printed.contains("2025-12: nps 22.2 (n = 342,"), "{printed}");
    let w = Workdir::new();
    let rows = csv_rows(&stdout_of(
        w.servq()
            .args(["report", "--surveys", &sample("surveys.csv"), "--metrics", "nps"])
            .args(["--format", "csv", "-q"]),
    ));
    let cli: Vec<String> = rows
        .iter()
        .map(|r| format!("{}: nps {:.1} (n = {},", r["period"], r["value"].parse::<f64>().unwrap(), r["n"]))
        .collect();
    let lines: Vec<&str> = printed.lines().collect();
    assert_eq!(lines.len(), cli.len());
    for (line, expected) in lines.iter().zip(&cli) {
        assert!(line.starts_with(expected.as_str()), "{line} vs {expected}");
    }
}
