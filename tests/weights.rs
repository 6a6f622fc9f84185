//! SPEC §14, survey weights: csat, csat_bottom_box, ces, nps, the NPS shares and the
//! means become Σw·x / Σw, n stays the respondent count and intervals use Kish's
//! n_eff = (Σw)² / Σw². Expected values come from `fixtures/weights/reference.py`, an
//! independent mpmath computation of the SPEC (saved as `reference.csv`).

use std::collections::BTreeMap;

use crate::util::{Workdir, close_to_reference as close, csv_rows, csv_rows_with_stderr, fixture, stdout_of};

const METRICS: &str = "csat,csat_mean,csat_bottom_box,ces,ces_mean,nps,nps_promoters_pct,nps_detractors_pct";

fn reference() -> Vec<BTreeMap<String, String>> {
    csv_rows(&std::fs::read_to_string(fixture("weights/reference.csv")).unwrap())
}

fn report(w: &Workdir, extra: &[&str]) -> Vec<BTreeMap<String, String>> {
    let file = fixture("weights/surveys.csv");
    let mut args = vec!["report", "--surveys", &file, "--metrics", METRICS, "--format", "csv", "--min-n", "1"];
    args.extend(extra);
    let expected = [
        "weight: value excluded from weight only: negative × 1 (line 10)",
        "weight: value excluded from weight only: not a number × 1 (line 14)",
        "note: csat: 3 response(s) with a score but no valid weight left out of the weighted figures",
    ];
    csv_rows_with_stderr(w.servq().args(&args), &expected)
}

/// Every figure of `rows` against the reference rows of one grouping (`*`: none).
fn assert_matches_reference(rows: &[BTreeMap<String, String>], channel: Option<&str>) {
    let expected: Vec<_> = reference().into_iter().filter(|r| (r["channel"] == "*") == channel.is_none()).collect();
    assert_eq!(rows.len(), expected.len(), "{rows:?}");
    for e in &expected {
        let row = rows
            .iter()
            .find(|r| {
                r["period"] == e["period"]
                    && r["metric"] == e["metric"]
                    && channel.is_none_or(|_| r["channel"] == e["channel"])
            })
            .unwrap_or_else(|| panic!("no row for {e:?}"));
        let what = format!("{} {} {}", e["period"], e["channel"], e["metric"]);
        assert_eq!(row["n"], e["n"], "{what}: n is the respondent count");
        for column in ["value", "ci_low", "ci_high"] {
            close(&row[column], &e[column], &format!("{what} {column}"));
        }
    }
}

#[test]
fn weighted_figures_match_the_independent_reference() {
    let w = Workdir::new();
    assert_matches_reference(&report(&w, &[]), None);
    assert_matches_reference(&report(&w, &["--by", "channel"]), Some("channel"));
}

#[test]
fn weighted_streaming_gives_the_same_bytes() {
    let w = Workdir::new();
    let file = fixture("weights/surveys.csv");
    let run = |extra: &[&str]| {
        let mut args =
            vec!["report", "--surveys", &file, "--metrics", METRICS, "--format", "csv", "--by", "channel", "-q"];
        args.extend(extra);
        stdout_of(w.servq().args(&args))
    };
    assert_eq!(run(&[]), run(&["--streaming"]));
}

#[test]
fn n_eff_and_the_weight_sums_are_in_the_json() {
    let w = Workdir::new();
    let file = fixture("weights/surveys.csv");
    let out =
        stdout_of(w.servq().args(["report", "--surveys", &file, "--metrics", "csat,nps", "--format", "json", "-q"]));
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let january =
        json["records"].as_array().unwrap().iter().find(|r| r["metric"] == "csat" && r["period"] == "2026-01").unwrap();
    // January: weights 2, 1, 0.5, 1.5, 1, 3, 0 (empty and −1 left out): Σw = 9,
    // Σw² = 4 + 1 + 0.25 + 2.25 + 1 + 9 + 0 = 17.5, n_eff = 81 / 17.5 = 4.628571….
    assert_eq!(january["details"]["sum_w"], 9);
    assert_eq!(january["details"]["sum_w2"], 17.5);
    assert!((january["details"]["n_eff"].as_f64().unwrap() - 81.0 / 17.5).abs() < 1e-12);
    assert_eq!(january["n"], 7);
    assert!(json["definitions"]["csat"].as_str().unwrap().contains("Kish's effective n = (Σw)² / Σw²"));
}

#[test]
fn unweighted_counts_every_response_once() {
    let w = Workdir::new();
    let file = fixture("weights/surveys.csv");
    let out = w
        .servq()
        .args(["report", "--surveys", &file, "--metrics", "csat,nps", "--format", "json", "--unweighted"])
        .assert()
        .success()
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("weight:") && !stderr.contains("note:"), "the weight column is not read: {stderr}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let record = |metric: &str| {
        json["records"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["metric"] == metric && r["period"] == "2026-01")
            .unwrap()
            .clone()
    };
    // January, 9 responses: csat ≥ 4 on 5, 4, 5, 4, 5 = 5 of 9; NPS 4 promoters
    // (10, 9, 9, 10), 3 detractors (6, 0, 2): 100 × 1 / 9.
    let csat = record("csat");
    assert_eq!((csat["n"].as_u64(), csat["details"]["good"].as_u64()), (Some(9), Some(5)));
    assert!((csat["value"].as_f64().unwrap() - 500.0 / 9.0).abs() < 1e-12);
    assert!(csat["details"].get("n_eff").is_none());
    assert!((record("nps")["value"].as_f64().unwrap() - 100.0 / 9.0).abs() < 1e-12);
}

#[test]
fn weights_of_one_give_the_unweighted_figures() {
    let w = Workdir::new();
    let ones = w.write(
        "ones.csv",
        "submitted_at,csat,nps,weight\n2026-03-01,5,10,1\n2026-03-02,2,6,1\n2026-03-03,4,8,1\n2026-03-04,3,9,1\n",
    );
    let run = |extra: &[&str]| {
        let mut args = vec!["report", "--surveys", &ones, "--metrics", "csat,csat_mean,nps", "--format", "csv", "-q"];
        args.extend(extra);
        csv_rows(&stdout_of(w.servq().args(&args)))
    };
    let (weighted, plain) = (run(&[]), run(&["--unweighted"]));
    assert_eq!(weighted.len(), 3);
    for (a, b) in weighted.iter().zip(&plain) {
        assert_eq!((&a["metric"], &a["n"]), (&b["metric"], &b["n"]));
        for column in ["value", "ci_low", "ci_high"] {
            close(&a[column], &b[column], &format!("{} {column}", a["metric"]));
        }
    }
}

/// Hostile finding h17-1/2: weights near the ends of a double gave NaN and no interval
/// (Σw² overflowed or underflowed). By mpmath: good weights 2.7e308 of 3.7e308 =
/// 72.972972972972973%, n_eff = 2.7995910020449898, Wilson 23.388285477823701 to
/// 95.980618578622919; the same ratios at 1e-300 give the same figures.
#[test]
fn h17_weights_at_the_ends_of_a_double_give_the_figures() {
    let w = Workdir::new();
    for (name, scale) in [("huge", "e308"), ("tiny", "e-300")] {
        let text = format!(
            "submitted_at,csat,weight\n2025-01-01,5,1{scale}\n2025-01-02,1,1{scale}\n2025-01-03,4,1.7{scale}\n"
        );
        let file = w.write(&format!("{name}.csv"), text);
        let rows = undated(&w, &file);
        let csat = rows.iter().find(|r| r["metric"] == "csat").unwrap();
        close(&csat["value"], "72.972972972972973", name);
        close(&csat["ci_low"], "23.388285477823701", name);
        close(&csat["ci_high"], "95.980618578622919", name);
        assert!(rows.iter().all(|r| !r["value"].contains("NaN")), "{rows:?}");
    }
}

/// Hostile finding h17-3: decimal weights gave last-digit differences between the
/// engines and between row orders. Weights are summed as exact whole numbers now.
#[test]
fn h17_decimal_weights_give_the_same_digits_in_any_order_and_engine() {
    let w = Workdir::new();
    let mut lines: Vec<String> = (0..40)
        .map(|i| format!("2025-01-{:02},{},{},{}.{}", i % 28 + 1, ["chat", "email"][i % 2], i % 5 + 1, i % 3, i % 10))
        .collect();
    let forward = w.write("f.csv", format!("submitted_at,channel,csat,weight\n{}\n", lines.join("\n")));
    lines.reverse();
    let backward = w.write("b.csv", format!("submitted_at,channel,csat,weight\n{}\n", lines.join("\n")));
    let run = |file: &str, extra: &[&str]| {
        let mut args =
            vec!["report", "--surveys", file, "--by", "channel", "--format", "csv", "-q", "--compare", "rest"];
        args.extend(extra);
        stdout_of(w.servq().args(&args))
    };
    let reference = run(&forward, &[]);
    assert_eq!(reference, run(&backward, &[]));
    assert_eq!(reference, run(&forward, &["--streaming"]));
    assert_eq!(reference, run(&backward, &["--streaming"]));
}

/// Hostile finding h17-4: rejected weights never flagged the figure; two of three
/// responses losing their weight is suspect data, and `check` says so.
#[test]
fn h17_rejected_weights_flag_the_figure_and_fail_its_check() {
    let w = Workdir::new();
    let file = w.write("eu.csv", "submitted_at;csat;weight\n2025-01-01;5;1,5\n2025-01-02;2;0,5\n2025-01-03;5;2\n");
    let rows = undated(&w, &file);
    let csat = rows.iter().find(|r| r["metric"] == "csat").unwrap();
    assert_eq!((csat["value"].as_str(), csat["n"].as_str()), ("100", "1"));
    assert!(csat["flags"].contains("rejected"), "{csat:?}");
    w.servq()
        .args(["check", "--surveys", &file, "--period", "none", "--require", "csat>=90", "-q"])
        .assert()
        .code(1)
        .stdout(predicates::str::contains("suspect data"));
}

/// Hostile findings h17-8 and h17-13: `validate --unweighted` does not judge the weight
/// column; numbers beyond a double say so instead of "not a number" or a silent 0.
#[test]
fn h17_validate_unweighted_and_weights_beyond_a_double() {
    let w = Workdir::new();
    let file = w.write("wv.csv", "submitted_at,csat,weight\n2025-01-01,5,1e400\n2025-01-02,4,1e-400\n2025-01-03,3,2\n");
    w.servq().args(["validate", "--surveys", &file, "--unweighted"]).assert().code(0);
    w.servq()
        .args(["validate", "--surveys", &file])
        .assert()
        .code(1)
        .stdout(predicates::str::contains("too large for a number (above 1.8e308)"))
        .stdout(predicates::str::contains("too small for a number (it rounds to 0: the least is 5e-324)"));
}

/// The report of one survey file over all its rows (`--period none`), as CSV rows.
fn undated(w: &Workdir, file: &str) -> Vec<BTreeMap<String, String>> {
    csv_rows(&stdout_of(w.servq().args(["report", "--surveys", file, "--period", "none", "--format", "csv", "-q"])))
}

/// SPEC §13 with §14: the weighted sums DuckDB computes with the script of `servq sql`
/// give, through `report --stats`, the independent reference's figures (and a step
/// that is no power of two a double has is refused).
#[test]
fn weighted_figures_from_duckdb_statistics_match_the_independent_reference() {
    let w = Workdir::new();
    let file = fixture("weights/surveys.csv");
    for (by, channel) in [(vec![], None), (vec!["--by", "channel"], Some("channel"))] {
        let script = stdout_of(w.servq().args(["sql", "--dialect", "duckdb", "--surveys", &file]).args(&by));
        let script = w.write("weights.sql", script);
        let stats = w.path("stats.csv");
        crate::engines::run_python("duckdb", &[(script, stats.clone())]);
        let mut args = vec!["report", "--stats", &stats, "--metrics", METRICS, "--format", "csv", "--min-n", "1"];
        args.extend(&by);
        let expected = [
            "values left out: weight × 2",
            "note: csat: 3 response(s) with a score but no valid weight left out of the weighted figures",
        ];
        assert_matches_reference(&csv_rows_with_stderr(w.servq().args(&args), &expected), channel);
        let text = std::fs::read_to_string(&stats).unwrap();
        let unit = text.lines().find(|l| l.contains(",weight.unit,")).expect("the weights' step").to_string();
        assert!(unit.ends_with(",weight.unit,-48"), "the largest weight is 4 = 2^2: steps of 2^-48: {unit}");
        let odd = w.write("odd.csv", text.replace(&unit, &unit.replace(",weight.unit,-48", ",weight.unit,5000")));
        w.servq()
            .args(["report", "--stats", &odd])
            .args(&by)
            .assert()
            .code(2)
            .stderr(predicates::str::contains("weight.unit 5000 is no step of survey weights"));
    }
}
