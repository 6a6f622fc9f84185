//! The HTML report: self-contained, with the expected figures, and rendered by a real
//! headless Chromium without console errors (CI installs Chromium; locally the browser
//! part is skipped, with a message, when no chromium is installed).

use std::process::Command;

use crate::util::{Workdir, csv_rows, sample, stdout_of};

fn report(w: &Workdir) -> (String, String) {
    let path = w.path("report.html");
    w.servq().args(["report", "--config", &sample("servq.toml"), "-o", &path, "-q"]).assert().success().stdout("");
    (path.clone(), std::fs::read_to_string(&path).unwrap())
}

/// The latest complete month's values, as the CSV prints them, rounded for people.
fn expected_tiles(w: &Workdir) -> Vec<String> {
    let rows =
        csv_rows(&stdout_of(w.servq().args(["report", "--config", &sample("servq.toml"), "--format", "csv", "-q"])));
    ["csat", "nps", "fcr", "sla_pct"]
        .iter()
        .map(|m| {
            let r = rows.iter().rev().find(|r| r["metric"] == *m && r["period"] == "2025-12").unwrap();
            format!("{:.1}", r["value"].parse::<f64>().unwrap())
        })
        .collect()
}

#[test]
fn html_is_one_self_contained_file_with_the_figures() {
    let w = Workdir::new();
    let (_, html) = report(&w);
    assert!(html.starts_with("<!DOCTYPE html>"));
    for needle in ["http://", "https://", "<script", "<link", "src="] {
        assert!(!html.contains(needle), "found {needle}");
    }
    for value in expected_tiles(&w) {
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
    let Some(browser) = chromium() else {
        assert!(std::env::var_os("CI").is_none(), "CI must have chromium: .ci/run installs it");
        eprintln!("skipped: no chromium installed (CI installs it)");
        return;
    };
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
    for value in expected_tiles(&w) {
        assert!(dom.contains(&format!(">{value}<")), "tile {value} missing from the rendered page");
    }
}
