//! followup, init, completions, man, and clean stdout when piped.

use predicates::prelude::*;

use crate::util::{Workdir, csv_rows, fixture, sample, stdout_of};

#[test]
fn followup_lists_detractors_and_unhappy_csat_newest_first() {
    let w = Workdir::new();
    let rows = csv_rows(&stdout_of(w.servq().args([
        "followup",
        "--surveys",
        &fixture("surveys_small.csv"),
        "--format",
        "csv",
        "-q",
    ])));
    let listed: Vec<String> = rows
        .iter()
        .map(|r| format!("{} {} {} {} {}", r["date"], r["channel"], r["nps"], r["csat"], r["reason"]))
        .collect();
    assert_eq!(
        listed,
        [
            "2025-02-03 00:00:00 phone 3 1 detractor + unhappy csat",
            "2025-01-09 00:00:00 phone 6 2 detractor + unhappy csat",
            "2025-01-08 00:00:00 chat 0  detractor",
        ]
    );
    let chat = csv_rows(&stdout_of(w.servq().args([
        "followup",
        "--surveys",
        &fixture("surveys_small.csv"),
        "--where",
        "channel=chat",
        "--format",
        "csv",
        "-q",
    ])));
    assert_eq!(chat.len(), 1);
    let strict = csv_rows(&stdout_of(w.servq().args([
        "followup",
        "--surveys",
        &fixture("surveys_small.csv"),
        "--csat-max",
        "1",
        "--from",
        "2025-01-09",
        "--format",
        "csv",
        "-q",
    ])));
    assert_eq!(strict.len(), 2);
    assert_eq!(strict[1]["reason"], "detractor");
}

#[test]
fn followup_keeps_comments_and_customers() {
    let w = Workdir::new();
    let doc: serde_json::Value = serde_json::from_str(&stdout_of(w.servq().args([
        "followup",
        "--surveys",
        &sample("surveys.csv"),
        "--format",
        "json",
        "-q",
    ])))
    .unwrap();
    let list = doc["followup"].as_array().unwrap();
    assert!(list.len() > 100);
    assert!(list.iter().all(|r| r["customer_id"].as_str().unwrap().starts_with('C')));
    let dates: Vec<&str> = list.iter().map(|r| r["date"].as_str().unwrap()).collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "newest first");
}

#[test]
fn init_writes_a_config_that_report_accepts() {
    let w = Workdir::new();
    for name in ["surveys.csv", "interactions.csv", "transactions.csv"] {
        std::fs::copy(sample(name), w.path(name)).unwrap();
    }
    let config = stdout_of(w.servq().args(["init", "surveys.csv", "interactions.csv", "transactions.csv"]));
    assert!(config.contains("[columns.interactions]\ndate = \"opened_at\""), "{config}");
    assert!(config.contains("# possible dimensions for --by: response_id, channel, segment"));
    // Thousands of distinct ticket ids are ids (a README reader's finding: they were
    // written as `ignore` when only the first 1000 distinct values were counted).
    assert!(
        config.contains("ticket_id = \"ticket_id\"   # guessed from the name") && !config.contains("ignore ="),
        "{config}"
    );
    w.write("servq.toml", &config);
    let from_init = stdout_of(w.servq().args(["report", "--format", "csv", "-q", "--period", "quarter"]));
    let from_sample = stdout_of(w.servq().args([
        "report",
        "--config",
        &sample("servq.toml"),
        "--format",
        "csv",
        "-q",
        "--period",
        "quarter",
        "--metrics",
        "csat,nps,fcr,retention",
    ]));
    let pick = |text: &str| -> Vec<String> {
        csv_rows(text)
            .iter()
            .filter(|r| ["csat", "nps", "fcr", "retention"].contains(&r["metric"].as_str()))
            .map(|r| format!("{} {} {}", r["period"], r["metric"], r["value"]))
            .collect()
    };
    assert_eq!(pick(&from_init), pick(&from_sample));
}

#[test]
fn init_on_chinese_headers() {
    let w = Workdir::new();
    std::fs::copy(fixture("surveys_zh_semicolon.csv"), w.path("s.csv")).unwrap();
    let config = stdout_of(w.servq().args(["init", "s.csv"]));
    for line in [
        "date = \"日期\"   # guessed from",
        "csat = \"满意度\"   # guessed from",
        "nps = \"推荐意愿\"   # guessed from",
    ] {
        assert!(config.contains(line), "{line}: {config}");
    }
    // 渠道 is the channel dimension (mapped and listed).
    assert!(config.contains("# possible dimensions for --by: channel"), "{config}");
    w.write("servq.toml", &config);
    let rows = csv_rows(&stdout_of(w.servq().args(["report", "--by", "channel", "--format", "csv", "-q"])));
    let phone = rows.iter().find(|r| r["channel"] == "电话" && r["metric"] == "csat").unwrap();
    assert_eq!((phone["value"].as_str(), phone["n"].as_str()), ("100", "2"));
}

#[test]
fn init_errors() {
    let w = Workdir::new();
    w.servq().args(["init", "nope.csv"]).assert().code(2).stderr("servq: nope.csv: no such file\n");
    let odd = w.write("odd.csv", "a,b\n1,2\n");
    w.servq()
        .args(["init", &odd])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no survey, interaction or transaction column recognised"));
}

#[test]
fn completions_for_every_shell_and_a_man_page() {
    let w = Workdir::new();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        w.servq()
            .args(["completions", shell])
            .assert()
            .success()
            .stdout(predicate::str::contains("servq"))
            .stdout(predicate::str::contains("followup"));
    }
    w.servq().args(["completions", "tcsh"]).assert().code(2);
    w.servq()
        .arg("man")
        .assert()
        .success()
        .stdout(predicate::str::starts_with(".ie"))
        .stdout(predicate::str::contains(".TH servq"));
}

#[test]
fn piped_stdout_holds_only_the_data() {
    let w = Workdir::new();
    let output = w
        .servq()
        .args(["report", "--config", &sample("servq.toml"), "--format", "csv"])
        .assert()
        .success()
        .get_output()
        .clone();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let mut reader = csv::Reader::from_reader(stdout.as_bytes());
    let width = reader.headers().unwrap().len();
    assert!(reader.records().all(|r| r.unwrap().len() == width));
    // the diagnostics went to stderr, no spinner escape codes anywhere
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("rows read"));
    assert!(!stdout.contains('\u{1b}') && !stderr.contains('\u{1b}'));
}

#[test]
fn a_workbook_is_refused_at_once_by_commands_without_one() {
    let w = Workdir::new();
    for command in ["cohorts", "clv", "followup"] {
        w.servq()
            .args([command, "--transactions", "missing.csv", "--surveys", "missing.csv", "-o", "x.xlsx"])
            .assert()
            .code(2)
            .stderr("servq: Excel output is made by servq report only; use --format table, csv, json or markdown\n");
    }
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let w = Workdir::new();
    let config = sample("servq.toml");
    for args in [
        vec!["followup", "--config", &config, "--format", "csv", "-q"],
        vec!["report", "--config", &config, "--format", "json", "-q"],
        vec!["completions", "zsh"],
    ] {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("servq"))
            .args(&args)
            .current_dir(w.dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = [0u8; 16];
        child.stdout.take().unwrap().read_exact(&mut first).unwrap(); // then the pipe closes
        let output = child.wait_with_output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
        assert!(!String::from_utf8_lossy(&output.stderr).contains("panicked"));
    }
}

#[test]
fn init_takes_a_file_with_only_a_customer_id_and_a_date_for_transactions() {
    let w = Workdir::new();
    let file = w.write("orders.csv", "customer_id,date,quantity\nC1,2025-01-05,2\nC2,2025-02-05,1\nC1,2025-02-06,3\n");
    let config = stdout_of(w.servq().args(["init", &file]));
    assert!(config.contains("transactions = ") && config.contains("customer_id = \"customer_id\""), "{config}");
    let path = w.write("servq.toml", &config);
    // The config it writes is accepted: in February, C1 (January's only customer) is kept.
    let out =
        stdout_of(w.servq().args(["report", "--config", &path, "--metrics", "retention", "--format", "csv", "-q"]));
    assert!(out.contains("2025-02,2025-02-01,2025-02-28,retention,100,1,"), "{out}");
}
