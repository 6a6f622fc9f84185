//! The terminal scorecard (SPEC §14): one row per metric with the latest complete
//! period, the change (▲/▼, `*` when significant), the interval, n, a trend and the
//! checks; it fits the terminal, checked in a real one (tmux at 80 and 120 columns).

use crate::util::{Workdir, sample, stdout_of};

/// CSAT: January 50 of 100 satisfied, February 70 of 100 (February ends on the 28th).
fn surveys(w: &Workdir) -> String {
    let mut text = String::from("submitted_at,csat\n");
    for (month, good) in [("01", 50), ("02", 70)] {
        for i in 0..100 {
            let day = if i == 0 { 28 } else { 1 + i % 27 };
            text.push_str(&format!("2025-{month}-{day:02},{}\n", if i < good { 5 } else { 2 }));
        }
    }
    w.write("s.csv", text)
}

#[test]
fn the_scorecard_shows_the_latest_period_its_change_and_significance() {
    let w = Workdir::new();
    let file = surveys(&w);
    let config =
        w.write("servq.toml", format!("[inputs]\nsurveys = \"{file}\"\n\n[[check]]\nmetric = \"csat\"\nmin = 75\n"));
    let out = stdout_of(w.servq().args(["report", "--config", &config, "--metrics", "csat", "-q"]));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "Latest complete period 2025-02, with the change against the period before.");
    assert_eq!(lines[1], "metric  value    change     95% CI    n  trend  check");
    // 70% of 100, +20 points; pooled z = 0.2 / √(0.6·0.4·2/100) = 2.887, p = 0.0039:
    // significant. Wilson 60.4–78.1 (by hand). The check (≥ 75) fails.
    assert_eq!(lines[2], "csat     70.0  ▲ +20.0*  60.4–78.1  100  ▁█     FAIL");
    // --layout wide keeps the period × metric pivot.
    let wide =
        stdout_of(w.servq().args(["report", "--config", &config, "--metrics", "csat", "-q", "--layout", "wide"]));
    assert!(wide.contains("│ 2025-02 ┆ 70.0 (100) │"), "{wide}");
}

/// Runs the sample report in tmux at `columns` and returns the screen's lines.
fn in_terminal(columns: u16, extra: &str) -> Vec<String> {
    let w = Workdir::new();
    // One session per call: tests at the same width run at once in one process.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let session = format!("servq-{}-{columns}-{call}", std::process::id());
    let capture = w.path("screen.txt");
    let command = format!(
        "{} report --config {} -q {extra} > /dev/tty; tmux capture-pane -p -S - -t {session} > {capture}; tmux kill-session -t {session}",
        env!("CARGO_BIN_EXE_servq"),
        sample("servq.toml"),
    );
    let status = std::process::Command::new("tmux")
        .args(["new-session", "-d", "-s", &session, "-x", &columns.to_string(), "-y", "300", &command])
        .env_remove("NO_COLOR")
        .status()
        .expect("tmux is needed for this test (.ci/run installs it)");
    assert!(status.success());
    for _ in 0..200 {
        if std::fs::metadata(&capture).is_ok_and(|m| m.len() > 0) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    std::thread::sleep(std::time::Duration::from_millis(100));
    std::fs::read_to_string(&capture).expect("the screen was captured").lines().map(str::to_string).collect()
}

#[test]
fn the_scorecard_fits_80_and_120_column_terminals() {
    for (columns, extra) in [(80, ""), (120, ""), (80, "--by channel")] {
        let screen = in_terminal(columns, extra);
        assert!(screen.iter().any(|l| l.starts_with("csat ")), "{columns} {extra}: {screen:?}");
        let longest = screen.iter().map(|l| l.chars().count()).max().unwrap_or(0);
        assert!(longest <= usize::from(columns), "{columns} {extra}: a line of {longest} columns");
        assert!(screen.iter().any(|l| l.starts_with("Definition: ")));
    }
    // Wide enough, the trend of the last 12 periods is shown whole.
    let screen = in_terminal(120, "");
    let csat = screen.iter().find(|l| l.starts_with("csat ")).unwrap();
    let blocks = |t: &&str| t.chars().all(|c| ('▁'..='█').contains(&c));
    assert_eq!(csat.split_whitespace().find(blocks).map(|t| t.chars().count()), Some(12), "{csat}");
}

#[test]
fn the_wide_pivot_is_split_into_tables_that_fit_80_columns() {
    let screen = in_terminal(80, "--layout wide");
    let longest = screen.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    assert!(longest <= 80, "a line of {longest} columns");
    // Every metric is in one of the tables, each with the period column.
    let headers: Vec<&String> = screen.iter().filter(|l| l.starts_with("│ period")).collect();
    assert!(headers.len() > 3, "{headers:?}");
    for metric in ["csat", "servqual_gap", "turnover_annualised", "churn_rate"] {
        assert!(headers.iter().any(|h| h.contains(&format!(" {metric} "))), "{metric}: {headers:?}");
    }
}

#[test]
fn compare_previous_adds_the_change_its_p_value_and_significance() {
    let w = Workdir::new();
    let file = surveys(&w);
    let compare = |format: &str| {
        stdout_of(
            w.servq()
                .args(["report", "--surveys", &file, "--metrics", "csat", "--compare", "previous", "-q"])
                .args(["--format", format]),
        )
    };
    let out = compare("csv");
    let rows = crate::util::csv_rows(&out);
    assert!(out.starts_with(
        "period,period_start,period_end,metric,value,n,ci_low,ci_high,flags,change,p_value,significant\n"
    ));
    // January has no period before: empty.
    assert_eq!(
        (rows[0]["change"].as_str(), rows[0]["p_value"].as_str(), rows[0]["significant"].as_str()),
        ("", "", "")
    );
    // 50% → 70% of 100: pooled z = 2.886751, p = erfc(z/√2) = 0.0038924 (by hand, Python).
    crate::util::assert_close(&rows[1]["change"], 20.0);
    let p: f64 = rows[1]["p_value"].parse().unwrap();
    assert!((p - 0.003_892_417_122_778_627).abs() < 1e-9, "{p}");
    assert_eq!(rows[1]["significant"], "true");
    let json: serde_json::Value = serde_json::from_str(&compare("json")).unwrap();
    assert_eq!(json["records"][1]["significant"], true);
    let markdown = compare("markdown");
    assert!(markdown.contains("| 2025-02 | 70.0 (100) ▲+20.0* |"), "{markdown}");
}

#[test]
fn a_named_time_zone_buckets_by_its_own_daylight_saving_time() {
    let w = Workdir::new();
    // 04:30 UTC on 2 November 2025 is 00:30 EDT (New York, still summer time): the 2nd;
    // a fixed −05:00 would put it on the 1st.
    let file = w.write("s.csv", "submitted_at,csat\n2025-11-02T04:30:00Z,5\n2025-11-01T12:00:00Z,1\n");
    let days = |tz: &str| -> Vec<String> {
        let out = stdout_of(w.servq().args([
            "report",
            "--surveys",
            &file,
            "--metrics",
            "csat",
            "--period",
            "day",
            "--tz",
            tz,
            "--format",
            "csv",
            "-q",
            "--as-of",
            "2025-11-30",
        ]));
        crate::util::csv_rows(&out).iter().map(|r| format!("{} {}", r["period"], r["value"])).collect()
    };
    assert_eq!(days("America/New_York"), ["2025-11-01 0", "2025-11-02 100"]);
    assert_eq!(days("-05:00"), ["2025-11-01 50"]);
    w.servq()
        .args(["report", "--surveys", &file, "--tz", "Mars/Olympus"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("an IANA zone name such as Asia/Shanghai"));
}

#[test]
fn ratings_written_as_words_are_read_through_labels() {
    let w = Workdir::new();
    // zh-5: 非常满意 5, 满意 4, 一般 3, 不满意 2, 非常不满意 1; "3" is still a score.
    let file = w.write("s.csv", "submitted_at,csat\n2025-01-02,非常满意\n2025-01-03,满意\n2025-01-04,一般\n2025-01-05,非常不满意\n2025-01-06,3\n");
    let config = w.write("zh.toml", "[metrics.csat]\nlabels = \"zh-5\"\n");
    let rows = crate::util::csv_rows(&stdout_of(w.servq().args([
        "report",
        "--config",
        &config,
        "--surveys",
        &file,
        "--metrics",
        "csat,csat_mean",
        "--format",
        "csv",
        "-q",
        "--period",
        "none",
    ])));
    // 2 of 5 at 4 or 5; mean (5 + 4 + 3 + 1 + 3) / 5 = 3.2.
    assert_eq!((rows[0]["value"].as_str(), rows[0]["n"].as_str()), ("40", "5"));
    assert_eq!(rows[1]["value"], "3.2");
    // Custom labels, any case; a word that is not a label is rejected with its reason.
    let file = w.write(
        "c.csv",
        "submitted_at,csat\n2025-01-02,Very satisfied\n2025-01-03,SATISFIED \n2025-01-04,meh\n2025-01-05,unhappy\n",
    );
    let config = w.write("c.toml", "[metrics.csat]\nlabels = { \"very satisfied\" = 5, satisfied = 4, unhappy = 1 }\n");
    let output = w
        .servq()
        .args([
            "report",
            "--config",
            &config,
            "--surveys",
            &file,
            "--metrics",
            "csat",
            "--format",
            "csv",
            "--period",
            "none",
        ])
        .assert()
        .success()
        .get_output()
        .clone();
    assert!(String::from_utf8_lossy(&output.stderr).contains("not one of the labels nor a score × 1"));
    let rows = crate::util::csv_rows(&String::from_utf8(output.stdout).unwrap());
    assert_eq!(rows.len(), 1);
    crate::util::assert_close(&rows[0]["value"], 200.0 / 3.0);
    // good-bad: CSAT is the share of good answers, the bottom box the share of bad ones,
    // and there is no mean.
    let file =
        w.write("g.csv", "submitted_at,csat\n2025-01-02,good\n2025-01-03,Good\n2025-01-04,bad\n2025-01-05,good\n");
    let config = w.write("g.toml", "[metrics.csat]\nlabels = \"good-bad\"\n");
    let output = w
        .servq()
        .args(["report", "--config", &config, "--surveys", &file, "--metrics", "csat,csat_mean,csat_bottom_box"])
        .args(["--format", "csv", "--period", "none"])
        .assert()
        .success()
        .stderr(predicates::str::contains("csat_mean: not computed: two-word rating labels (good-bad) have no mean"))
        .get_output()
        .stdout
        .clone();
    let rows = crate::util::csv_rows(&String::from_utf8(output).unwrap());
    let metrics: Vec<(&str, &str)> = rows.iter().map(|r| (r["metric"].as_str(), r["value"].as_str())).collect();
    assert_eq!(metrics, [("csat", "75"), ("csat_bottom_box", "25")]);
    let bad = w.write("b.toml", "[metrics.csat]\nlabels = { great = 9 }\n");
    w.servq()
        .args(["report", "--config", &bad, "--surveys", &file])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("labels: 'great' = 9 is outside the scale 1..5"));
}

#[test]
fn an_excel_workbook_holds_the_scorecard_the_kpis_a_pivot_per_metric_and_the_notes() {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let w = Workdir::new();
    let path = w.path("report.xlsx");
    w.servq().args(["report", "--config", &sample("servq.toml"), "-o", &path, "-q"]).assert().success();
    let mut book: Xlsx<_> = open_workbook(&path).expect("an xlsx file");
    let names = book.sheet_names();
    for sheet in ["Scorecard", "KPIs", "csat", "nps", "clv", "Cohorts", "Definitions", "Data quality"] {
        assert!(names.iter().any(|n| n == sheet), "{sheet} in {names:?}");
    }
    // The tidy KPIs hold the CSV's figures as numbers (checked against the CSV output).
    let csv = crate::util::csv_rows(&stdout_of(w.servq().args([
        "report",
        "--config",
        &sample("servq.toml"),
        "--format",
        "csv",
        "-q",
    ])));
    let kpis = book.worksheet_range("KPIs").unwrap();
    let header: Vec<String> = kpis.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    assert_eq!(header[..6], ["period", "period_start", "period_end", "metric", "value", "n"]);
    assert_eq!(kpis.rows().count(), csv.len() + 1);
    let row = kpis.rows().nth(1).unwrap();
    assert_eq!(row[3], Data::String(csv[0]["metric"].clone()));
    let Data::Float(value) = row[4] else { panic!("a number: {:?}", row[4]) };
    crate::util::assert_close(&csv[0]["value"], value);
    assert!(matches!(row[1], Data::DateTime(_)), "a date: {:?}", row[1]);
    // The scorecard's csat row: the latest complete period's figure and its change.
    let scorecard = book.worksheet_range("Scorecard").unwrap();
    let csat = scorecard.rows().find(|r| r[0] == Data::String("csat".into())).unwrap();
    assert_eq!(csat[1], Data::String("CSAT, % satisfied".into()));
    assert_eq!(csat[2], Data::String("2025-12".into()));
    let december = csv.iter().find(|r| r["period"] == "2025-12" && r["metric"] == "csat").unwrap();
    let november = csv.iter().find(|r| r["period"] == "2025-11" && r["metric"] == "csat").unwrap();
    let (Data::Float(now), Data::Float(change)) = (&csat[3], &csat[4]) else { panic!("{csat:?}") };
    crate::util::assert_close(&december["value"], *now);
    let expected: f64 = december["value"].parse::<f64>().unwrap() - november["value"].parse::<f64>().unwrap();
    assert!((change - expected).abs() < 1e-9);
    // Not to a terminal, and not from other commands.
    w.servq()
        .args(["clv", "--transactions", &sample("transactions.csv"), "-o", &w.path("c.xlsx")])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("Excel output is made by servq report only"));
}

#[test]
fn compare_rest_tests_each_group_against_the_others_holm_adjusted() {
    let w = Workdir::new();
    // January: chat 8 of 10 satisfied, phone 4 of 10, email 6 of 10.
    let mut text = String::from("submitted_at,channel,csat\n");
    for (channel, good) in [("chat", 8), ("phone", 4), ("email", 6)] {
        for i in 0..10 {
            text.push_str(&format!("2025-01-{:02},{channel},{}\n", i + 1, if i < good { 5 } else { 1 }));
        }
    }
    let file = w.write("s.csv", text);
    let out = stdout_of(w.servq().args([
        "report",
        "--surveys",
        &file,
        "--metrics",
        "csat",
        "--by",
        "channel",
        "--compare",
        "rest",
        "--format",
        "csv",
        "-q",
        "--as-of",
        "2025-01-31",
    ]));
    let rows = crate::util::csv_rows(&out);
    let row = |c: &str| rows.iter().find(|r| r["channel"] == c).unwrap();
    // chat 80% against the rest's 10 of 20 (50%): +30; pooled z = 0.3 / √(0.6·0.4·(1/10 +
    // 1/20)) = 1.5811, p = 0.113846; phone −30 likewise; email 60% against 60%: p = 1.
    // Holm over the three: 3 × 0.113846 = 0.341539 for chat and phone, 1 for email (Python).
    crate::util::assert_close(&row("chat")["change"], 30.0);
    crate::util::assert_close(&row("phone")["change"], -30.0);
    crate::util::assert_close(&row("email")["change"], 0.0);
    for channel in ["chat", "phone"] {
        let p: f64 = row(channel)["p_value"].parse().unwrap();
        assert!((p - 0.341_538_894_019_974_3).abs() < 1e-9, "{channel} {p}");
        assert_eq!(row(channel)["significant"], "false");
    }
    assert_eq!(row("email")["p_value"], "1");
    w.servq()
        .args(["report", "--surveys", &file, "--compare", "rest"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--compare rest compares each group with the others: give --by"));
}
