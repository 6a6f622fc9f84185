//! The HTML report: self-contained, with the expected figures, and rendered by a real
//! headless Chromium without console errors. The browser test fails when no Chromium
//! is installed (`.ci/run` installs Debian's; locally `apt-get install chromium`): it
//! never passes by skipping.

use std::process::Command;

use crate::util::{Workdir, sample};

fn report(w: &Workdir) -> (String, String) {
    let path = w.path("report.html");
    w.servq().args(["report", "--config", &sample("servq.toml"), "-o", &path, "-q"]).assert().success().stdout("");
    (path.clone(), std::fs::read_to_string(&path).unwrap())
}

/// The latest complete month's (December 2025) csat, nps, fcr and sla_pct of the
/// sample data, computed apart from servq by a short Python script over the CSV files
/// with the SPEC definitions: csat 265/353 = 75.07, nps (p − d)/342 = 22.22, fcr 359/492
/// = 72.97 (resolved with contacts_to_resolve = 1 / resolved with a count), sla_pct
/// 391/528 = 74.05 (chat ≤ 2, email ≤ 60, others ≤ 10 minutes), rounded for the tiles.
const EXPECTED_TILES: [&str; 4] = ["75.1", "22.2", "73.0", "74.1"];

#[test]
fn html_is_one_self_contained_file_with_the_figures() {
    let w = Workdir::new();
    let (_, html) = report(&w);
    assert!(html.starts_with("<!DOCTYPE html>"));
    for needle in ["http://", "https://", "<script", "<link", "src="] {
        assert!(!html.contains(needle), "found {needle}");
    }
    for value in EXPECTED_TILES {
        assert!(html.contains(&format!(">{value}<")), "tile {value} missing");
    }
    assert!(html.matches("<svg").count() >= 13, "a trend chart per KPI");
    for section in
        ["NPS composition", "Response time", "Cohort retention", "Definitions", "Data quality", "promoters 9–10"]
    {
        assert!(html.contains(section), "{section}");
    }
    assert!(html.contains("name=\"viewport\""), "phone width");
}

fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| Command::new(b).arg("--version").output().is_ok_and(|o| o.status.success()))
}

#[test]
fn html_renders_in_headless_chromium_without_console_errors() {
    let browser = chromium().expect("no chromium: install it (apt-get install chromium; .ci/run does)");
    let w = Workdir::new();
    let (path, _) = report(&w);
    let url = format!("file://{path}");
    let profile = w.path("profile");
    let flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--enable-logging=stderr",
        "--v=0",
    ];
    let screenshot = w.path("report.png");
    let shot = Command::new(browser)
        .args(flags)
        .arg(format!("--user-data-dir={profile}"))
        .args(["--window-size=1200,2400", &format!("--screenshot={screenshot}"), &url])
        .output()
        .unwrap();
    assert!(shot.status.success(), "{}", String::from_utf8_lossy(&shot.stderr));
    assert!(std::fs::metadata(&screenshot).unwrap().len() > 10_000, "a real screenshot");
    let dom = Command::new(browser)
        .args(flags)
        .arg(format!("--user-data-dir={profile}"))
        .args(["--dump-dom", &url])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&dom.stderr);
    assert!(!stderr.contains("CONSOLE"), "console messages: {stderr}");
    assert!(!stderr.contains("Failed to load resource"), "{stderr}");
    let dom = String::from_utf8(dom.stdout).unwrap();
    assert!(dom.contains("Service KPIs"));
    for value in EXPECTED_TILES {
        assert!(dom.contains(&format!(">{value}<")), "tile {value} missing from the rendered page");
    }
}

#[test]
fn a_suspect_figure_says_so_on_its_tile() {
    let w = Workdir::new();
    // 28 of 100 scores off the default 1–5 scale (a 1–7 item): flagged `rejected`.
    let mut text = String::from("submitted_at,csat\n");
    text.extend((0..100).map(|i| format!("2025-01-{:02},{}\n", i % 28 + 1, i % 7 + 1)));
    let file = w.write("s.csv", text);
    let path = w.path("r.html");
    w.servq()
        .args(["report", "--surveys", &file, "--metrics", "csat", "--period", "none", "-o", &path, "-q"])
        .assert()
        .success();
    let html = std::fs::read_to_string(&path).unwrap();
    assert!(html.contains("suspect data: over 5% of its values rejected"), "{html}");
}

#[test]
fn trend_charts_carry_interval_bands_check_targets_and_units() {
    let w = Workdir::new();
    let (_, html) = report(&w);
    // sample-data/servq.toml has three [[check]] bounds: nps min 0, complaints_per_1000
    // max 30 (warn), and sla_pct min 70 for channel = chat (the csat check is a
    // max_drop). Without --by the chat check judges no line of these charts: not drawn.
    assert_eq!(html.matches("<line class=\"target\"").count(), 2, "one dashed line per bound");
    for label in ["target ≥ 0.0 (error)<", "target ≤ 30.0 (warn)<"] {
        assert!(html.contains(label), "{label}");
    }
    assert!(!html.contains("channel=chat<"));
    let by_channel = w.path("by.html");
    w.servq()
        .args([
            "report",
            "--config",
            &sample("servq.toml"),
            "--by",
            "channel",
            "--metrics",
            "sla_pct",
            "-o",
            &by_channel,
            "-q",
        ])
        .assert()
        .success();
    let by_channel = std::fs::read_to_string(&by_channel).unwrap();
    assert!(by_channel.contains("target ≥ 70.0 (error), channel=chat<"), "drawn where the chat line is");
    // Every metric with an interval has its band (26 metrics, 12 without intervals:
    // quantiles, activity counts, revenue, clv).
    assert!(html.matches("<polygon class=\"band\"").count() >= 14, "interval bands");
    for unit in [">% satisfied<", ">median minutes<", ">mean score<", ">Complaints per 1000<"] {
        assert!(html.contains(unit), "axis label {unit}");
    }
    // Human names, with the id beside them; the checks' status on the tiles.
    assert!(html.contains("<dt>CSAT, % satisfied <span class=\"note\">(csat)</span></dt>"));
    assert!(!html.contains("COMPLAINTS_PER_1000"));
    assert!(html.contains(" · check <span class=\"up\">pass</span>"), "nps ≥ 0 passes on its tile");
    // SERVQUAL (SPEC §12): expectation against perception for the five dimensions.
    assert!(html.contains("SERVQUAL: expectation vs perception by dimension (2025-12 · all)"));
    // --compare previous: the tiles say the change and its p-value.
    let compared = w.path("compared.html");
    w.servq()
        .args([
            "report",
            "--config",
            &sample("servq.toml"),
            "--metrics",
            "csat",
            "--compare",
            "previous",
            "-o",
            &compared,
            "-q",
        ])
        .assert()
        .success();
    let compared = std::fs::read_to_string(&compared).unwrap();
    // By a short Python script: December 265/353 against November 215/295: +2.19 points,
    // pooled two-proportion p = 0.52650.
    assert!(compared.contains("compared: +2.2, p = 0.527"), "{compared}");
    assert_eq!(html.matches("<rect class=\"perception\"").count(), 5);
    assert_eq!(html.matches("<rect class=\"expectation\"").count(), 5);
}

/// Renders a page in headless Chromium and returns its DOM, asserting no console error.
fn rendered(w: &Workdir, path: &str) -> String {
    let browser = chromium().expect("no chromium: install it (apt-get install chromium; .ci/run does)");
    let profile = w.path("profile-pages");
    let dom = Command::new(browser)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--enable-logging=stderr", "--v=0"])
        .arg(format!("--user-data-dir={profile}"))
        .args(["--dump-dom", &format!("file://{path}")])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&dom.stderr);
    assert!(!stderr.contains("CONSOLE") && !stderr.contains("Failed to load resource"), "{stderr}");
    String::from_utf8(dom.stdout).unwrap()
}

#[test]
fn cohorts_clv_followup_and_complaints_are_pages_too() {
    let w = Workdir::new();
    let config = sample("servq.toml");
    let page = |args: &[&str], name: &str| {
        let path = w.path(name);
        w.servq().args(args).args(["--config", &config, "-o", &path, "-q"]).assert().success().stdout("");
        let html = std::fs::read_to_string(&path).unwrap();
        for needle in ["http://", "https://", "<script", "<link", "src="] {
            assert!(!html.contains(needle), "{name}: found {needle}");
        }
        rendered(&w, &path)
    };
    // Cohort 2025-01 of sample-data/transactions.csv, by a short Python script: 73
    // customers, 80.8% active in February, 26.0% in December; shaded by its share.
    let cohorts = page(&["cohorts"], "cohorts.html");
    assert!(cohorts.contains("Cohort retention by month, % of cohort active"));
    assert!(cohorts.contains("<td>2025-01</td><td>73</td><td style=\"background: rgba(37, 99, 235, 0.85)\">100.0</td><td style=\"background: rgba(37, 99, 235, 0.69)\">80.8</td>"), "{cohorts}");
    assert!(cohorts.contains(">26.0</td>"));
    let clv = page(&["clv", "--by", "segment"], "clv.html");
    assert!(clv.contains("Customer lifetime value") && clv.contains("<th>margin_multiple</th>"));
    assert_eq!(clv.matches("<td>infinite</td>").count(), 3, "one row per segment");
    let followup = page(&["followup"], "followup.html");
    assert!(followup.contains("responses to follow up (NPS 0–6, CSAT ≤ 2), newest first"));
    let complaints = page(&["complaints", "--by", "topic"], "complaints.html");
    assert!(complaints.contains("<polyline class=\"cumulative\""));
}

#[test]
fn a_partial_period_is_a_hollow_point_on_the_trend() {
    let w = Workdir::new();
    // January whole, February cut at as-of 2025-02-10: partial.
    let file = w.write("s.csv", "submitted_at,csat\n2025-01-05,5\n2025-01-06,4\n2025-02-03,2\n2025-02-04,5\n");
    let path = w.path("p.html");
    w.servq()
        .args(["report", "--surveys", &file, "--metrics", "csat", "--as-of", "2025-02-10", "-o", &path, "-q"])
        .assert()
        .success();
    let html = std::fs::read_to_string(&path).unwrap();
    assert_eq!(html.matches("fill=\"#ffffff\"").count(), 1, "one hollow point: February");
    assert!(html.contains("(partial: the period was not over)") && html.contains("○ partial period"));
}
