//! Data safety (SPEC §9): nothing lost, nothing silent, nothing clobbered. Each test
//! is named after the finding of the adversarial review it pins (reviews/adversarial.md).

use std::io::Write;

use predicates::prelude::*;

use crate::util::{Workdir, csv_rows, sample, stdout_of};

/// A surveys file of 100,000 rows; the row on line 11 opens a quote that never closes.
fn unterminated_quote_file() -> String {
    let mut text = String::from("submitted_at,csat,comment\n");
    for i in 0..100_000 {
        let comment = if i == 9 { "\"great service" } else { "ok" };
        text.push_str(&format!("2025-{:02}-{:02},{},{comment}\n", i % 12 + 1, i % 28 + 1, i % 5 + 1));
    }
    text
}

#[test]
fn d1_an_unterminated_quote_rejects_its_record_and_the_rest_of_the_file_is_read() {
    let w = Workdir::new();
    let text = unterminated_quote_file();
    let plain = w.write("unterm.csv", &text);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(text.as_bytes()).unwrap();
    let gzip = w.write("unterm.csv.gz", gz.finish().unwrap());
    for file in [&plain, &gzip] {
        w.servq()
            .args(["validate", "--surveys", file])
            .assert()
            .code(1)
            .stdout(predicate::str::contains("100,000 rows read, 99,999 used, 1 rejected"))
            .stdout(predicate::str::contains(
                "row rejected (row): unterminated quote (opened on line 11) × 1 (line 11)",
            ));
        w.servq()
            .args(["validate", "--strict", "--surveys", file])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!("the first is {file}:11 (row: unterminated quote")));
        // 39,999 of the 99,999 rows left have a score of 4 or 5 (the rejected one had 5).
        for engine in [&[][..], &["--streaming"][..]] {
            let out = stdout_of(
                w.servq()
                    .args(["report", "--surveys", file, "--period", "none", "--metrics", "csat", "--format", "csv"])
                    .args(["-q"])
                    .args(engine),
            );
            let rows = csv_rows(&out);
            assert_eq!((rows[0]["value"].as_str(), rows[0]["n"].as_str()), ("39.99939999399994", "99999"));
        }
    }
}

#[test]
fn d1_an_unterminated_quote_in_the_middle_is_cut_at_its_line() {
    let w = Workdir::new();
    // The quote on line 2 is a plain character of an unquoted field, as the csv crate
    // reads it: it does not pair with the quote that line 3 opens and never closes.
    let file = w.write(
        "s.csv",
        "submitted_at,csat,comment\n2025-01-01,5,5 inch\" tv\n2025-01-02,4,\"open\n2025-01-03,3,b\n2025-01-04,2,c\n",
    );
    let rejects = w.path("rejects.csv");
    w.servq()
        .args(["validate", "--surveys", &file, "--rejects", &rejects])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("4 rows read, 3 used, 1 rejected"));
    let rows = csv_rows(&std::fs::read_to_string(&rejects).unwrap());
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0]["line"].as_str(), rows[0]["value"].as_str()), ("3", "2025-01-02,4,\"open"));
}

#[test]
fn d2_an_output_that_is_an_input_is_refused_and_the_input_kept() {
    let w = Workdir::new();
    let original = std::fs::read(sample("surveys.csv")).unwrap();
    let input = w.write("s.csv", &original);
    w.servq()
        .args(["report", "--surveys", &input, "-o", &input])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("-o ").and(predicate::str::contains("this is an input file (surveys)")));
    assert_eq!(std::fs::read(&input).unwrap(), original);
    for args in [
        &["cohorts", "--transactions", "s.csv", "-o", "s.csv"][..],
        &["followup", "--surveys", "s.csv", "-o", "./s.csv"][..],
        &["check", "--surveys", "s.csv", "--require", "csat>=0", "--junit", "s.csv"][..],
        &["validate", "--surveys", "s.csv", "--rejects", "s.csv"][..],
    ] {
        w.servq().args(args).assert().code(2).stderr(predicate::str::contains("this is an input file"));
        assert_eq!(std::fs::read(&input).unwrap(), original, "{args:?}");
    }
}

#[test]
fn d2_a_glob_that_matches_the_previous_output_is_refused() {
    let w = Workdir::new();
    w.write("s.csv", std::fs::read(sample("surveys.csv")).unwrap());
    // The first run writes report.csv; the glob did not match it then.
    w.servq().args(["report", "--surveys", "*.csv", "-o", "report.csv", "-q"]).assert().success();
    let first = std::fs::read(w.path("report.csv")).unwrap();
    assert!(first.starts_with(b"period,period_start"));
    w.servq()
        .args(["report", "--surveys", "*.csv", "-o", "report.csv", "-q"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("report.csv: this is an input file (surveys)"));
    assert_eq!(std::fs::read(w.path("report.csv")).unwrap(), first);
}

#[test]
fn d3_a_failed_run_leaves_the_previous_output_untouched() {
    let w = Workdir::new();
    let kpis = w.write("kpis.csv", "last month\n");
    let junit = w.write("j.xml", "<old/>");
    w.servq().args(["report", "--surveys", "missing.csv", "-o", &kpis]).assert().code(2);
    w.servq().args(["report", "--surveys", &w.write("h.csv", "submitted_at,csat\n"), "-o", &kpis]).assert().code(2);
    w.servq().args(["check", "--surveys", "missing.csv", "--require", "csat>=1", "--junit", &junit]).assert().code(2);
    assert_eq!(std::fs::read_to_string(&kpis).unwrap(), "last month\n");
    assert_eq!(std::fs::read_to_string(&junit).unwrap(), "<old/>");
    // No temporary file is left in the folder.
    let mut names: Vec<String> =
        std::fs::read_dir(w.dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into()).collect();
    names.sort();
    assert_eq!(names, ["h.csv", "j.xml", "kpis.csv"]);
}

#[test]
fn d5_two_outputs_on_one_path_are_refused() {
    let w = Workdir::new();
    w.servq()
        .args(["report", "--surveys", &sample("surveys.csv"), "-o", "both.csv", "--rejects", "both.csv"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("-o and --rejects name the same file"));
    assert!(!std::path::Path::new(&w.path("both.csv")).exists());
}

#[test]
fn d6_group_values_that_are_not_utf8_are_rejected_never_merged_into_a_blank_group() {
    let w = Workdir::new();
    let file = w
        .write("l1.csv", b"submitted_at,csat,channel\n2025-01-01,5,caf\xe9\n2025-01-02,4,web\n2025-01-03,1,na\xefve\n");
    w.servq()
        .args(["validate", "--surveys", &file, "--by", "channel"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("3 rows read, 1 used, 2 rejected"))
        .stdout(predicate::str::contains(
            "row rejected (row): not valid UTF-8 in channel (set --encoding, e.g. windows-1252 or gb18030) × 2 (line 2, 4)",
        ));
    let out = stdout_of(
        w.servq().args(["report", "--surveys", &file, "--by", "channel", "--encoding", "windows-1252"]).args([
            "--metrics",
            "csat",
            "--period",
            "none",
            "--format",
            "csv",
            "-q",
        ]),
    );
    let groups: Vec<String> = csv_rows(&out).iter().map(|r| format!("{}={}", r["channel"], r["n"])).collect();
    assert_eq!(groups, ["café=1", "naïve=1", "web=1"]);
}

#[test]
fn w1_money_sums_never_wrap() {
    let w = Workdir::new();
    let file = w.write(
        "big.csv",
        "order_id,customer_id,order_date,revenue,margin\n1,A,2025-01-05,9000000000000,9000000000000\n\
         2,A,2025-02-05,9000000000000,9000000000000\n3,B,2025-01-05,9000000000000,9000000000000\n4,B,2025-02-05,1,1\n",
    );
    // m = (3 × 9e12 + 1) / 4 customer-periods (February is complete at 2025-02-28).
    for engine in [&[][..], &["--streaming"][..]] {
        let rows = csv_rows(&stdout_of(
            w.servq()
                .args(["clv", "--transactions", &file, "--as-of", "2025-02-28", "--format", "csv", "-q"])
                .args(engine),
        ));
        assert_eq!(rows[0]["m"], "6750000000000.25");
    }
}

#[test]
fn w3_repeat_window_fcr_does_not_depend_on_row_order() {
    let w = Workdir::new();
    let config = w.write("rw.toml", "[metrics.fcr]\nmethod = \"repeat-window\"\n");
    let header = "ticket_id,customer_id,opened_at,topic,resolved\n";
    let (t1, t2, t3) =
        ("T1,C1,2025-01-05,billing,true\n", "T2,C1,2025-01-05,billing,false\n", "T3,C2,2025-03-01,billing,true\n");
    let mut values = Vec::new();
    for (name, rows) in [("a.csv", [t1, t2, t3]), ("b.csv", [t2, t1, t3])] {
        let file = w.write(name, format!("{header}{}", rows.concat()));
        let out = stdout_of(w.servq().args(["report", "--config", &config, "--interactions", &file]).args([
            "--metrics",
            "fcr",
            "--period",
            "none",
            "--format",
            "csv",
            "-q",
        ]));
        let row = &csv_rows(&out)[0];
        values.push((row["value"].clone(), row["n"].clone()));
    }
    // T1 has a repeat at the same time (T2): not resolved on first contact either way.
    assert_eq!(values, [("0".to_string(), "1".to_string()), ("0".to_string(), "1".to_string())]);
}

fn all5(w: &Workdir) -> String {
    w.write("all5.csv", "submitted_at,csat\n2025-01-01,5\n2025-01-02,5\n2025-02-01,5\n")
}

#[test]
fn w6_strict_operators_are_strict() {
    let w = Workdir::new();
    let file = all5(&w);
    w.servq()
        .args(["check", "--surveys", &file, "--require", "csat<100", "--format", "json", "-q"])
        .assert()
        .code(1)
        .stdout(
            predicate::str::contains("\"check\": \"csat < 100\"").and(predicate::str::contains("\"status\": \"fail\"")),
        )
        .stdout(predicate::str::contains("100.0 >= 100"));
    w.servq().args(["check", "--surveys", &file, "--require", "csat<=100", "-q"]).assert().code(0);
    w.servq().args(["check", "--surveys", &file, "--require", "csat>99.9", "-q"]).assert().code(0);
}

#[test]
fn w7_a_gate_never_passes_on_no_data() {
    let w = Workdir::new();
    // Every row rejected: nothing to judge is an error, not a pass.
    let allbad = w.write("allbad.csv", "submitted_at,csat\n14/03/2025,1\n15/03/2025,1\n");
    w.servq()
        .args(["check", "--surveys", &allbad, "--require", "csat>=90"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nothing to report: 2 rows read, all rejected: date not an ISO date"));
    // A where value that occurs nowhere: no data, a failure, with the values seen.
    let config = w.write(
        "c.toml",
        format!(
            "[inputs]\ninteractions = {:?}\n[metrics.sla]\nminutes = 10\n[[check]]\nmetric = \"sla_pct\"\nmin = 70\nwhere = {{ channel = \"chta\" }}\n",
            sample("interactions.csv")
        ),
    );
    w.servq()
        .args(["check", "--config", &config, "-q"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("no data"))
        .stdout(predicate::str::contains(
            "where channel = \"chta\" occurs nowhere (values seen: chat, email, phone, store, web)",
        ));
    for (check, message) in [
        (
            "metric = \"sla_pct\"\nmin = 70\nwhere = { chanel = \"chat\" }",
            "the interactions input has no column 'chanel'",
        ),
        ("metric = \"response_p90_min\"\nmax = 10\nbound = \"ci_high\"", "response_p90_min has no interval"),
        ("metric = \"sla_pct\"\nmin = nan", "min = NaN: a threshold must be a finite number"),
        ("metric = \"sla_pct\"\nmin = 90\nmax = 10", "min = 90 is above max = 10"),
    ] {
        let config = w.write(
            "bad.toml",
            format!("[inputs]\ninteractions = {:?}\n[[check]]\n{check}\n", sample("interactions.csv")),
        );
        w.servq().args(["check", "--config", &config, "-q"]).assert().code(2).stderr(predicate::str::contains(message));
    }
}

#[test]
fn d14_max_drop_means_a_change_for_the_worse_for_every_direction() {
    let w = Workdir::new();
    let month = |m: u32, complaints: usize| {
        (0..10).map(|i| format!("2025-{m:02}-{:02},{}\n", i + 1, i < complaints)).collect::<String>()
    };
    let rising = w.write("up.csv", format!("opened_at,complaint\n{}{}2025-03-01,false\n", month(1, 1), month(2, 5)));
    let falling = w.write("down.csv", format!("opened_at,complaint\n{}{}2025-03-01,false\n", month(1, 5), month(2, 1)));
    let config = w.write("c.toml", "[[check]]\nmetric = \"complaints_per_1000\"\nmax_drop = 100\n");
    // 100 → 500 per 1000 interactions: a rise of 400 is a change for the worse.
    w.servq().args(["check", "--config", &config, "--interactions", &rising, "-q"]).assert().code(1).stdout(
        predicate::str::contains("complaints_per_1000 rise <= 100")
            .and(predicate::str::contains("rose 400.00 from 100.0")),
    );
    w.servq().args(["check", "--config", &config, "--interactions", &falling, "-q"]).assert().code(0);
}

#[test]
fn w8_the_same_file_given_twice_is_read_once() {
    let w = Workdir::new();
    let file = all5(&w);
    let output = w
        .servq()
        .args(["report", "--surveys", &file, "./all5.csv", "--period", "none", "--metrics", "csat", "--format", "csv"])
        .assert()
        .success()
        .stderr(predicate::str::contains("is named more than once (as ./all5.csv): read once"))
        .get_output()
        .stdout
        .clone();
    assert_eq!(csv_rows(&String::from_utf8(output).unwrap())[0]["n"], "3");
}

#[test]
fn w9_a_header_cell_with_a_quoted_line_break_works() {
    let w = Workdir::new();
    let file = w.write("hnl.csv", "submitted_at,\"csat\n(1-5)\",channel\n2025-01-01,5,web\n2025-01-02,2,chat\n");
    w.servq()
        .args(["validate", "--surveys", &file])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("2 rows read, 2 used, 0 rejected"));
    let config = w.write("c.toml", "[columns.surveys]\ncsat = \"csat\\n(1-5)\"\n");
    let out = stdout_of(
        w.servq()
            .args(["report", "--config", &config, "--surveys", &file, "--period", "none"])
            .args(["--format", "csv", "-q"]),
    );
    let row = csv_rows(&out).into_iter().find(|r| r["metric"] == "csat").unwrap();
    assert_eq!((row["value"].as_str(), row["n"].as_str()), ("50", "2"));
}

#[test]
fn by_the_same_column_twice_groups_once() {
    let w = Workdir::new();
    let base = ["report", "--surveys", &sample("surveys.csv"), "--format", "csv", "-q", "--metrics", "csat"];
    let once = stdout_of(w.servq().args(base).args(["--by", "channel"]));
    let twice = stdout_of(w.servq().args(base).args(["--by", "channel,channel"]));
    assert_eq!(once, twice);
}

#[test]
fn short_rows_are_padded_and_counted() {
    let w = Workdir::new();
    let file = w.write("short.csv", "submitted_at,csat,channel,comment\n2025-01-01,5\n2025-01-02,4,web,ok\n");
    w.servq()
        .args(["validate", "--surveys", &file, "--by", "channel"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("2 rows read, 2 used, 0 rejected; 1 short rows padded with empty fields"));
}

#[test]
fn s1_csv_cells_that_start_a_formula_are_neutralised() {
    let w = Workdir::new();
    let file = w.write(
        "inj.csv",
        "submitted_at,customer_id,csat,nps,comment,channel\n2025-01-01,\"=HYPERLINK(\"\"http://evil.example\"\";\"\"x\"\")\",1,0,+cmd|' /C calc'!A0,@chat\n2025-01-02,C2,=1+1,-5,\"\t=1+1\",web\n",
    );
    let out = stdout_of(w.servq().args(["followup", "--surveys", &file, "--format", "csv", "-q"]));
    let rows = csv_rows(&out);
    assert_eq!(rows[0]["customer_id"], "'=HYPERLINK(\"http://evil.example\";\"x\")");
    assert_eq!(rows[0]["comment"], "'+cmd|' /C calc'!A0");
    assert_eq!(rows[0]["channel"], "'@chat");
    assert_eq!(rows[0]["nps"], "0");
    let report = stdout_of(w.servq().args(["report", "--surveys", &file, "--by", "channel", "--format", "csv", "-q"]));
    assert!(report.lines().any(|l| l.contains(",'@chat,")), "{report}");
    let rejects = w.path("rejects.csv");
    w.servq().args(["validate", "--surveys", &file, "--rejects", &rejects]).assert().code(1);
    let rejected = csv_rows(&std::fs::read_to_string(&rejects).unwrap());
    let values: Vec<&str> = rejected.iter().map(|r| r["value"].as_str()).collect();
    assert_eq!(values, ["'=1+1", "-5"]);
}

#[test]
fn s2_control_characters_are_shown_escaped_in_tables_and_on_stderr() {
    let w = Workdir::new();
    let file =
        w.write("ansi.csv", "submitted_at,csat,channel\n2025-01-01,5,\x1b]0;pwned\x07\n2025-01-02,4,\x1b[2Jweb\n");
    let output =
        w.servq().args(["report", "--surveys", &file, "--by", "channel"]).assert().success().get_output().clone();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(!stdout.contains('\x1b') && !stdout.contains('\x07'), "{stdout}");
    assert!(stdout.contains("\\u{1b}]0;pwned\\u{7}"), "{stdout}");
    w.servq()
        .args(["report", "--surveys", &file, "--by", "chan\x1b[2Jnel"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("chan\\u{1b}[2Jnel").and(predicate::str::contains("\x1b").not()));
}

#[test]
fn s3_markdown_holds_no_raw_html_and_no_broken_row() {
    let w = Workdir::new();
    let file = w.write(
        "xss.csv",
        "submitted_at,csat,channel\n2025-01-01,5,<script>alert(1)</script>\n2025-01-02,4,\"two\nlines|x\"\n",
    );
    let out =
        stdout_of(w.servq().args(["report", "--surveys", &file, "--by", "channel", "--format", "markdown", "-q"]));
    assert!(!out.contains("<script>"), "{out}");
    assert!(out.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{out}");
    assert!(out.contains("two<br>lines\\|x"), "{out}");
}

#[test]
fn junit_never_holds_a_character_xml_forbids() {
    let w = Workdir::new();
    let file =
        w.write("u.csv", "submitted_at,csat,channel\n2025-01-01,5,a\u{fffe}b\n2025-01-02,5,c\u{1}d\n2025-02-01,5,x\n");
    let junit = w.path("j.xml");
    w.servq()
        .args([
            "check",
            "--surveys",
            &file,
            "--by",
            "channel",
            "--require",
            "csat>=0",
            "--all-periods",
            "--junit",
            &junit,
            "-q",
        ])
        .assert()
        .success();
    let xml = std::fs::read_to_string(&junit).unwrap();
    roxmltree::Document::parse(&xml).expect("the JUnit file parses");
    assert!(xml.contains("a\\u{fffe}b") && xml.contains("c\\u{1}d"), "{xml}");
}

#[test]
fn h1_a_line_over_the_size_limit_is_rejected_with_its_line() {
    let w = Workdir::new();
    let long = "a".repeat(3 << 20);
    let file = w
        .write("long.csv", format!("submitted_at,csat,comment\n2025-01-01,5,x\n2025-01-02,4,{long}\n2025-01-03,3,y\n"));
    w.servq()
        .args(["validate", "--surveys", &file, "--max-record-mib", "1"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("3 rows read, 2 used, 1 rejected"))
        .stdout(predicate::str::contains("line longer than the limit of 1 MiB (--max-record-mib) × 1 (line 3)"));
    // A quote that opens on a line over the limit and never closes: the same line.
    let quoted = w.write("q.csv", format!("submitted_at,csat,comment\n2025-01-01,5,\"{long}\n2025-01-03,3,y\n"));
    w.servq()
        .args(["validate", "--surveys", &quoted, "--max-record-mib", "1"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("2 rows read, 1 used, 1 rejected"));
}

#[test]
fn a_report_with_no_figure_exits_2_with_the_reason_in_every_format() {
    let w = Workdir::new();
    let allbad = w.write("allbad.csv", "submitted_at,csat\n14/03/2025,1\n15/03/2025,1\n");
    for format in ["csv", "json", "table", "markdown", "html"] {
        w.servq().args(["report", "--surveys", &allbad, "--format", format]).assert().code(2).stdout("").stderr(
            predicate::str::contains("servq: nothing to report: 2 rows read, all rejected: date not an ISO date"),
        );
    }
    w.servq().args(["followup", "--surveys", &allbad]).assert().code(2).stdout("");
    let tx = w.write("t.csv", "order_date,customer_id\n14/03/2025,A\n");
    w.servq().args(["cohorts", "--transactions", &tx]).assert().code(2).stdout("");
    w.servq().args(["clv", "--transactions", &tx]).assert().code(2).stdout("");
}

#[test]
fn negative_numbers_are_flag_values() {
    let w = Workdir::new();
    let file = w.write("tz.csv", "submitted_at,csat\n2025-01-01T03:00:00Z,5\n");
    let out = stdout_of(w.servq().args(["report", "--surveys", &file, "--tz", "-05:00", "--format", "csv", "-q"]));
    assert_eq!(csv_rows(&out)[0]["period"], "2024-12");
    w.servq()
        .args(["clv", "--retention", "0.8", "--margin", "100", "--annual-discount-rate", "-0.01"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--annual-discount-rate = -0.01: give a fraction between 0 and 1"));
}

#[test]
fn config_values_are_checked_even_when_a_flag_overrides_them() {
    let w = Workdir::new();
    let file = all5(&w);
    for (config, message) in [
        ("[report]\nperiod = \"fortnight\"\n", "[report] period = \"fortnight\""),
        ("[inputs]\ntz = \"Mars/Olympus\"\n", "[inputs] tz = \"Mars/Olympus\""),
        ("[inputs]\nencoding = \"ebcdic\"\n", "[inputs] encoding = \"ebcdic\""),
    ] {
        let path = w.write("c.toml", config);
        w.servq()
            .args([
                "report",
                "--config",
                &path,
                "--surveys",
                &file,
                "--period",
                "month",
                "--tz",
                "UTC",
                "--encoding",
                "utf-8",
            ])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!("c.toml: {message}")));
    }
}

#[test]
fn date_formats_delimiters_and_clv_parameters_are_validated() {
    let w = Workdir::new();
    let file = all5(&w);
    for (flags, message) in [
        (&["report", "--date-format", "%Q"][..], "--date-format %Q: not a valid strftime format"),
        (&["report", "--date-format", ""][..], "an empty format matches no date"),
        (&["report", "--date-format", "%d/%m/%Y %H"][..], "an hour without a minute: chrono reads no time then"),
        (&["report", "--delimiter", "\""][..], "cannot be the delimiter"),
        (&["clv", "--retention", "0.5", "--margin", "1", "--horizon", "2147483648"][..], "--horizon = 2147483648"),
        (&["clv", "--retention", "1", "--margin", "100", "--annual-discount-rate", "0"][..], "makes CLV infinite"),
        (&["clv", "--retention", "0.5", "--margin", "1", "--acquisition-cost", "NaN"][..], "--acquisition-cost = NaN"),
        (&["clv", "--retention", "0.5", "--margin", "1", "--margin-rate", "2"][..], "--margin-rate = 2"),
    ] {
        let mut cmd = w.servq();
        cmd.args(flags);
        if flags[0] == "report" {
            cmd.args(["--surveys", &file]);
        }
        cmd.assert().code(2).stderr(predicate::str::contains(message));
    }
    let config = w.write("c.toml", "[metrics.clv]\nhorizon = 4294967296\n");
    w.servq().args(["clv", "--config", &config, "--retention", "0.5", "--margin", "1"]).assert().code(2).stderr(
        predicate::str::contains("[metrics.clv] horizon = 4294967296: give a number of periods from 1 to 10000"),
    );
}

/// Writes a Parquet file of `frame` into the work folder.
fn parquet(w: &Workdir, name: &str, frame: &mut polars::prelude::DataFrame) -> String {
    let path = w.path(name);
    let file = std::fs::File::create(&path).unwrap();
    polars::prelude::ParquetWriter::new(file).finish(frame).unwrap();
    path
}

#[test]
fn c1_c2_c3_parquet_never_panics_on_decimals_int128_time_zones_lists_or_far_dates() {
    use polars::prelude::*;
    let w = Workdir::new();
    let days = Series::new("submitted_at".into(), &[20_089i32, 2_000_000_000, 20_120]).cast(&DataType::Date).unwrap();
    let amount = Series::new("amount".into(), &[1.5f64, 2.25, 10.0]).cast(&DataType::Decimal(10, 2)).unwrap();
    let big = Series::new("big".into(), &[1i64, 2, 3]).cast(&DataType::Int128).unwrap();
    let tags = Series::new(
        "tags".into(),
        &[Series::new("".into(), &[1i32, 2]), Series::new("".into(), &[3i32]), Series::new("".into(), &[4i32])],
    );
    let mut frame = DataFrame::new_infer_height(vec![
        days.into(),
        Column::new("csat".into(), &[5i64, 4, 2]),
        amount.into(),
        big.into(),
        tags.into(),
    ])
    .unwrap();
    let file = parquet(&w, "s.parquet", &mut frame);
    // 2025-01-01 and 2025-02-01 are read; 2,000,000,000 days from 1970 is rejected with its row.
    w.servq()
        .args(["validate", "--surveys", &file])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("3 rows read, 2 used, 1 rejected"))
        .stdout(predicate::str::contains("row rejected (date): not an ISO date × 1 (line 3)"))
        .stdout(predicate::str::contains("column tags (list[i32]) skipped: not readable as text, and not used"));
    // A tz-aware datetime is converted to --tz: 2025-01-31T23:30Z is February in +08:00.
    let zone = TimeZone::opt_try_new(Some("America/New_York")).unwrap();
    let instants = Int64Chunked::from_slice("submitted_at".into(), &[1_738_366_200_000i64])
        .into_datetime(TimeUnit::Milliseconds, zone)
        .into_series();
    let mut frame = DataFrame::new_infer_height(vec![instants.into(), Column::new("csat".into(), &[5i64])]).unwrap();
    let file = parquet(&w, "tz.parquet", &mut frame);
    let out = stdout_of(w.servq().args(["report", "--surveys", &file, "--tz", "+08:00", "--format", "csv", "-q"]));
    assert_eq!(csv_rows(&out)[0]["period"], "2025-02");
    // A Decimal revenue is read exactly.
    let revenue = Series::new("revenue".into(), &[12.5f64, 7.25, 1.0]).cast(&DataType::Decimal(10, 2)).unwrap();
    let dates = Series::new("order_date".into(), &[20_089i32, 20_120, 20_120]).cast(&DataType::Date).unwrap();
    let mut frame = DataFrame::new_infer_height(vec![
        dates.into(),
        Column::new("customer_id".into(), &["A", "A", "B"]),
        revenue.into(),
    ])
    .unwrap();
    let file = parquet(&w, "t.parquet", &mut frame);
    let out = stdout_of(w.servq().args([
        "clv",
        "--transactions",
        &file,
        "--as-of",
        "2025-02-28",
        "--margin-rate",
        "1",
        "--format",
        "csv",
        "-q",
    ]));
    // m = (12.5 + 7.25 + 1.0) / 3 customer-periods.
    assert_eq!(csv_rows(&out)[0]["m"], (20.75f64 / 3.0).to_string());
    // A used column of a type with no text form is one clear error.
    let mut frame = DataFrame::new_infer_height(vec![
        Series::new("submitted_at".into(), &[20_089i32]).cast(&DataType::Date).unwrap().into(),
        Series::new("csat".into(), &[Series::new("".into(), &[1i32])]).into(),
    ])
    .unwrap();
    let file = parquet(&w, "l.parquet", &mut frame);
    w.servq()
        .args(["validate", "--surveys", &file])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("column csat has type list[i32], which servq cannot read as text"));
}

#[test]
fn w11_a_period_cut_by_from_or_to_is_flagged_partial() {
    let w = Workdir::new();
    let file = w.write("s.csv", "submitted_at,csat\n2025-01-10,5\n2025-01-20,4\n2025-02-10,3\n2025-03-05,5\n");
    let out =
        stdout_of(w.servq().args(["report", "--surveys", &file, "--from", "2025-01-15", "--to", "2025-02-28"]).args([
            "--metrics",
            "csat",
            "--format",
            "csv",
            "-q",
        ]));
    let flags: Vec<(String, String)> =
        csv_rows(&out).iter().map(|r| (r["period"].clone(), r["flags"].clone())).collect();
    assert_eq!(
        flags,
        [("2025-01".to_string(), "low_n;partial".to_string()), ("2025-02".to_string(), "low_n".to_string())]
    );
}

#[test]
fn transactions_dated_too_far_from_1970_are_rejected_with_their_line() {
    let w = Workdir::new();
    let file = w.write("t.csv", "order_date,customer_id\n2025-01-05,A\n9999-12-31,B\n2025-02-05,A\n");
    w.servq()
        .args(["validate", "--transactions", &file, "--period", "day"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "row rejected (row): date too far from 1970 to count customers per period (use a longer --period) × 1 (line 3)",
        ));
}

#[test]
fn h1_a_header_without_a_line_end_cannot_take_unbounded_memory() {
    let w = Workdir::new();
    let file = w.write("zero.csv", vec![0u8; 3 << 20]);
    w.servq()
        .args(["validate", "--surveys", &file, "--max-record-mib", "1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("the header is longer than the record size limit"));
}

#[test]
fn hints_count_only_the_values_that_fail_that_way() {
    let w = Workdir::new();
    // One value is off the scale, three are not numbers: no scale hint ("1 of 5" is not most).
    let file =
        w.write("s.csv", "submitted_at,csat\n2025-01-01,7\n2025-01-02,abc\n2025-01-03,x\n2025-01-04,y\n2025-01-05,3\n");
    w.servq()
        .args(["report", "--surveys", &file, "--format", "csv"])
        .assert()
        .success()
        .stderr(predicate::str::contains("is the scale").not());
    // Three of four are off the scale: the hint counts those three, and says what to write.
    let file = w.write("t.csv", "submitted_at,csat\n2025-01-01,7\n2025-01-02,6\n2025-01-03,7\n2025-01-04,3\n");
    w.servq().args(["report", "--surveys", &file, "--format", "csv"]).assert().success().stderr(
        predicate::str::contains("3 of 4 csat values in ").and(predicate::str::contains(
            "are outside 1..5 (seen 6..7): is the scale 1..7? set [metrics.csat] scale = [1, 7]",
        )),
    );
    // Missing dates need a mapping, not a date format.
    let file = w.write("m.csv", "submitted_at,csat\n,5\n,4\n2025-01-01,3\n");
    w.servq()
        .args(["report", "--surveys", &file, "--format", "csv"])
        .assert()
        .success()
        .stderr(predicate::str::contains("--date-format").not());
}

#[test]
fn w15_a_ces_threshold_for_the_other_direction_is_an_error() {
    let w = Workdir::new();
    let config = w.write("c.toml", "[metrics.ces]\ndirection = \"agree\"\ngood_max = 3\n");
    w.servq()
        .args(["report", "--config", &config, "--surveys", &sample("surveys.csv")])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("[metrics.ces] good_max goes with direction = \"effort\""));
}

#[test]
fn w10_d7_config_values_that_match_nothing_are_said() {
    let w = Workdir::new();
    let config = w.write(
        "c.toml",
        "[metrics.sla]\nper_channel = { sms = 2, emial = 60 }\n[metrics.complaints]\ncolumn = \"type\"\nvalue = \"grievance\"\n",
    );
    let file = w.write(
        "i.csv",
        "opened_at,channel,first_response_minutes,type\n2025-01-01,chat,1,complaint\n2025-01-02,email,5,question\n",
    );
    w.servq()
        .args(["report", "--config", &config, "--interactions", &file, "--format", "csv", "-q"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "note: [metrics.sla] per_channel: 'sms' matches no channel (values seen: chat, email); its target is not used",
        ))
        .stderr(predicate::str::contains("per_channel: 'emial' matches no channel"))
        .stderr(predicate::str::contains(
            "note: [metrics.complaints] value = 'grievance' occurs nowhere in the complaint column (values seen: complaint, question)",
        ));
}

#[test]
fn bad_messages_name_the_cause() {
    let w = Workdir::new();
    // UTF-16 LE without a byte-order mark.
    let utf16: Vec<u8> = "submitted_at,csat\n2025-01-01,5\n".encode_utf16().flat_map(u16::to_le_bytes).collect();
    let file = w.write("u16.csv", utf16);
    w.servq()
        .args(["validate", "--surveys", &file])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("looks like UTF-16 without a byte-order mark; set --encoding utf-16le"));
    // Lines ended by CR alone.
    let file = w.write("cr.csv", "submitted_at,csat\r2025-01-01,5\r2025-01-02,4\r");
    w.servq().args(["validate", "--surveys", &file]).assert().code(2).stderr(predicate::str::contains("CR alone"));
    // Only delimiters in the header.
    let file = w.write("blank.csv", " , ,  \n1,2,3\n");
    w.servq()
        .args(["validate", "--surveys", &file])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no column names in the header (only delimiters and spaces)"));
    // A score too large to hold is off the scale, not "not a number".
    let file = w.write("big.csv", "submitted_at,nps\n2025-01-01,9999999999999999999999\n2025-01-02,9\n");
    w.servq()
        .args(["validate", "--surveys", &file])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("nps: value excluded from nps only: outside 0..10 × 1 (line 2)"));
}

#[test]
fn chinese_yes_no_are_booleans_and_json_counts_are_integers() {
    let w = Workdir::new();
    let file = w.write("i.csv", "opened_at,first_contact_resolved,resolved\n2025-01-01,是,是\n2025-01-02,否,是\n");
    let out = stdout_of(
        w.servq()
            .args(["report", "--interactions", &file, "--metrics", "fcr", "--period", "none"])
            .args(["--format", "json", "-q"]),
    );
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let record = &doc["records"][0];
    assert_eq!(record["value"], serde_json::json!(50.0));
    assert_eq!(record["details"]["first_contact"], serde_json::json!(1));
}

#[test]
fn h1_a_stray_quote_that_a_later_quote_closes_never_swallows_the_lines_between() {
    let w = Workdir::new();
    let mut lines =
        vec!["submitted_at,channel,csat".to_string(), "2025-01-01,chat,5".into(), "2025-01-02,\"oops,4".into()];
    lines.extend((3..13).map(|d| format!("2025-01-{d:02},email,3")));
    lines.extend(["2025-01-20,\"quoted\",5".to_string(), "2025-01-21,web,2".to_string()]);
    let file = w.write("q3.csv", lines.join("\n") + "\n");
    // 14 data lines: the one with the stray quote is rejected, the 13 others read.
    w.servq()
        .args(["validate", "--surveys", &file])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("14 rows read, 13 used, 1 rejected"))
        .stdout(predicate::str::contains("stray quote (opened on line 3"));
}

#[test]
fn a_check_judges_the_latest_complete_period_even_when_it_has_no_rows() {
    let w = Workdir::new();
    // January has 28 happy answers; February (the latest complete period) none; March is partial.
    let mut text = String::from("submitted_at,channel,csat\n");
    text.extend((1..=28).map(|d| format!("2025-01-{d:02},chat,5\n")));
    text.push_str("2025-03-02,chat,1\n");
    let file = w.write("stale.csv", text);
    w.servq()
        .args(["check", "--surveys", &file, "--require", "csat>=50", "-q"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("no data"))
        .stdout(predicate::str::contains("in the latest complete period 2025-02"));
}

#[test]
fn max_drop_against_an_empty_previous_period_is_no_data() {
    let w = Workdir::new();
    let mut text = String::from("submitted_at,csat\n");
    text.extend((1..=28).map(|d| format!("2025-01-{d:02},5\n")));
    text.extend((1..=28).map(|d| format!("2025-03-{d:02},1\n")));
    text.push_str("2025-04-02,5\n");
    let file = w.write("gap.csv", text);
    let config = w.write("md.toml", "[[check]]\nmetric = \"csat\"\nmax_drop = 5\n");
    w.servq()
        .args(["check", "--config", &config, "--surveys", &file, "-q"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("no figure in the previous period to compare with"));
}

#[test]
fn a_path_with_glob_characters_that_exists_is_that_file() {
    let w = Workdir::new();
    let named = w.write("rep[1].csv", "submitted_at,csat\n2025-01-05,5\n");
    w.write("rep1.csv", "submitted_at,csat\n2025-01-01,1\n");
    let out = stdout_of(w.servq().args(["report", "--surveys", &named, "--format", "csv", "-q"]));
    assert_eq!(csv_rows(&out)[0]["period"], "2025-01");
    assert_eq!(csv_rows(&out)[0]["value"], "100");
    w.servq()
        .args(["report", "--surveys", &named, "-o", &named, "-q"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("this is an input file"));
}

#[cfg(unix)]
#[test]
fn d2_an_output_through_a_link_replaces_its_target_and_a_pipe_is_written_as_it_is() {
    let w = Workdir::new();
    let real = w.write("real.csv", "old");
    std::os::unix::fs::symlink("real.csv", w.path("out.csv")).unwrap();
    let input = all5(&w);
    w.servq().args(["report", "--surveys", &input, "-o", "out.csv", "-q"]).assert().success();
    assert!(std::fs::symlink_metadata(w.path("out.csv")).unwrap().file_type().is_symlink());
    assert!(std::fs::read_to_string(&real).unwrap().starts_with("period,"));
    w.servq().args(["report", "--surveys", &input, "-o", "/dev/null", "-q"]).assert().success();
    assert!(!std::fs::metadata("/dev/null").unwrap().is_file());
}

#[test]
fn d3_a_failed_run_leaves_the_previous_rejects_file_untouched() {
    let w = Workdir::new();
    let allbad = w.write("allbad.csv", "submitted_at,csat\n01/02/2025,5\n");
    let rejects = w.write("yr.csv", "yesterday\n");
    w.servq().args(["report", "--surveys", &allbad, "--rejects", &rejects, "-q"]).assert().code(2);
    let strict = w.write("s.csv", "submitted_at,csat\n2025-01-01,9\n2025-01-02,5\n");
    w.servq().args(["report", "--surveys", &strict, "--rejects", &rejects, "--strict", "-q"]).assert().code(2);
    assert_eq!(std::fs::read_to_string(&rejects).unwrap(), "yesterday\n");
    // A run that succeeds writes them.
    w.servq().args(["report", "--surveys", &strict, "--rejects", &rejects, "-q"]).assert().success();
    assert!(std::fs::read_to_string(&rejects).unwrap().contains(",csat,9,outside 1..5"));
}

#[test]
fn blank_lines_before_the_header_are_skipped_and_counted() {
    let w = Workdir::new();
    let file = w.write("e1.csv", "\n\r\nsubmitted_at,csat\n2025-01-01,5\n2025-01-02,x\n");
    w.servq()
        .args(["validate", "--surveys", &file])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("2 rows read, 2 used, 0 rejected"))
        .stdout(predicate::str::contains("csat: value excluded from csat only: not a number × 1 (line 5)"));
}

#[test]
fn nothing_to_report_names_rejected_and_outside_rows_both() {
    let w = Workdir::new();
    let file = w.write("t.csv", "order_id,customer_id,order_date\n1,c1,2025-01-05\n2,c2,bad\n");
    w.servq()
        .args(["clv", "--transactions", &file, "--from", "2030-01-01"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nothing to report: 2 rows read, 1 rejected: date not an ISO date ("))
        .stderr(predicate::str::contains(", 1 outside --from/--to"));
}

#[test]
fn validate_judges_ids_and_comments_too() {
    let w = Workdir::new();
    let file = w.write(
        "enc2.csv",
        b"submitted_at,channel,csat,customer_id\n2025-01-01,chat,5,c1\n2025-01-02,caf\xe9,4,c\xe9\n",
    );
    w.servq()
        .args(["validate", "--surveys", &file, "--strict"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(":3 (customer_id: not valid UTF-8"));
}

#[test]
fn missing_codes_are_missing_not_rejected() {
    let w = Workdir::new();
    let file = w.write(
        "s.csv",
        "submitted_at,csat,nps\n2025-01-01,5,-99\n2025-01-02, -99 ,9\n2025-01-03,N/A,10\n2025-01-04,2,0\n",
    );
    // Without codes: -99 and N/A are rejected.
    w.servq().args(["validate", "--surveys", &file]).assert().code(1);
    // With them: missing, in no denominator.
    w.servq()
        .args(["validate", "--surveys", &file, "--missing", "-99", "--missing", "N/A"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("4 rows read, 4 used, 0 rejected"));
    let config = w.write("c.toml", "[inputs]\nmissing = [\"-99\", \"N/A\"]\n");
    let out =
        stdout_of(w.servq().args(["report", "--config", &config, "--surveys", &file, "--period", "none"]).args([
            "--metrics",
            "csat,nps",
            "--format",
            "csv",
            "-q",
        ]));
    let rows: Vec<String> =
        csv_rows(&out).iter().map(|r| format!("{} {} {}", r["metric"], r["value"], r["n"])).collect();
    // csat: 5 and 2 → 1 of 2 satisfied; nps: 9, 10, 0 → (2 − 1) / 3.
    assert_eq!(rows, ["csat 50 2".to_string(), format!("nps {} 3", 100.0 / 3.0)]);
}

#[test]
fn a_figure_with_more_than_5_percent_of_its_values_rejected_is_flagged_and_fails_its_check() {
    let w = Workdir::new();
    // A 1–7 item read on the default 1–5 scale: the 6s and 7s (28 of 100) are rejected.
    let mut text = String::from("submitted_at,csat\n");
    text.extend((0..100).map(|i| format!("2025-01-{:02},{}\n", i % 28 + 1, i % 7 + 1)));
    let file = w.write("s.csv", text);
    let out = stdout_of(
        w.servq()
            .args(["report", "--surveys", &file, "--period", "none", "--metrics", "csat"])
            .args(["--format", "csv", "-q"]),
    );
    let row = &csv_rows(&out)[0];
    // 28 of the 72 valid scores are 4 or 5.
    assert_eq!(
        (row["value"].as_str(), row["n"].as_str(), row["flags"].as_str()),
        ("38.888888888888886", "72", "rejected")
    );
    let table = stdout_of(w.servq().args([
        "report",
        "--surveys",
        &file,
        "--period",
        "none",
        "--metrics",
        "csat",
        "-q",
        "--layout",
        "wide",
    ]));
    assert!(table.contains("38.9! (72)") && table.contains("! more than 5% of the values were rejected"), "{table}");
    // The scorecard marks it too.
    let scorecard =
        stdout_of(w.servq().args(["report", "--surveys", &file, "--period", "none", "--metrics", "csat", "-q"]));
    assert!(
        scorecard.contains("csat    38.9!") && scorecard.contains("! more than 5% of the values rejected"),
        "{scorecard}"
    );
    w.servq()
        .args(["check", "--surveys", &file, "--period", "none", "--require", "csat>=10", "-q"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("suspect data: more than 5% of the values were rejected"));
    let config = w.write("c.toml", "[[check]]\nmetric = \"csat\"\nmin = 10\nallow_rejected = true\n");
    w.servq().args(["check", "--config", &config, "--surveys", &file, "--period", "none", "-q"]).assert().code(0);
    // With the right scale nothing is rejected and nothing is flagged.
    let config = w.write("s.toml", "[metrics.csat]\nscale = [1, 7]\n");
    let out =
        stdout_of(w.servq().args(["report", "--config", &config, "--surveys", &file, "--period", "none"]).args([
            "--metrics",
            "csat",
            "--format",
            "csv",
            "-q",
        ]));
    assert_eq!(csv_rows(&out)[0]["flags"], "");
}

#[test]
fn d4_two_runs_writing_one_output_never_mix() {
    let w = Workdir::new();
    let input = crate::util::sample("surveys.csv");
    let out = w.path("mix.csv");
    let run = |args: &[&str]| {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("servq"));
        cmd.current_dir(w.dir.path()).args(["report", "--surveys", &input, "-q", "-o", &out]).args(args);
        cmd
    };
    let by_year = ["--period", "year", "--metrics", "csat", "--format", "csv"];
    let by_day = ["--period", "day", "--by", "customer_id", "--metrics", "csat", "--format", "csv"];
    let expected: Vec<Vec<u8>> = [&by_year[..], &by_day[..]]
        .iter()
        .map(|args| {
            assert!(run(args).status().unwrap().success());
            std::fs::read(&out).unwrap()
        })
        .collect();
    for _ in 0..3 {
        let (mut a, mut b) = (run(&by_day).spawn().unwrap(), run(&by_year).spawn().unwrap());
        assert!(a.wait().unwrap().success() && b.wait().unwrap().success());
        let written = std::fs::read(&out).unwrap();
        assert!(expected.contains(&written), "a mixed file of {} bytes", written.len());
    }
}

#[test]
fn w13_a_mapped_column_is_never_claimed_by_another_field_and_competing_columns_are_named() {
    let w = Workdir::new();
    // `Resolved` holds the first-contact flag here: mapped so, it must not also be read
    // as `resolved` (which would make FCR 2/2 = 100 instead of 2/4 = 50).
    let file =
        w.write("i.csv", "opened_at,Resolved\n2025-01-01,true\n2025-01-02,false\n2025-01-03,true\n2025-01-04,false\n");
    let config = w.write("c.toml", "[columns.interactions]\nfirst_contact_resolved = \"Resolved\"\n");
    let out = stdout_of(w.servq().args(["report", "--config", &config, "--interactions", &file]).args([
        "--metrics",
        "fcr",
        "--period",
        "none",
        "--format",
        "csv",
        "-q",
    ]));
    let row = &csv_rows(&out)[0];
    assert_eq!((row["value"].as_str(), row["n"].as_str()), ("50", "4"));
    // Two columns that could both be csat: a note names both and the one used.
    let file = w.write("s.csv", "submitted_at,satisfaction,csat\n2025-01-01,1,5\n");
    w.servq()
        .args(["report", "--surveys", &file, "--metrics", "csat", "--format", "csv"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "note: surveys: columns 'csat' and 'satisfaction' could each be csat; 'csat' is used (map one with [columns.surveys] csat = \"…\")",
        ));
}

#[test]
fn a_file_without_dates_is_one_period_with_empty_dates() {
    let w = Workdir::new();
    let file = w.write("snapshot.csv", "customer_id,csat\nA,5\nB,2\nC,4\n");
    let output = w
        .servq()
        .args(["report", "--surveys", &file, "--metrics", "csat", "--format", "csv"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "note: no input has a date column: one period over all rows (--period none instead of --period month)",
        ))
        .get_output()
        .clone();
    let rows = csv_rows(&String::from_utf8(output.stdout).unwrap());
    let row = &rows[0];
    // 2 of 3 satisfied; no dates, so no period dates (never 1970-01-01).
    assert_eq!(
        (row["period"].as_str(), row["period_start"].as_str(), row["period_end"].as_str(), row["value"].as_str()),
        ("all", "", "", &*(200.0f64 / 3.0).to_string())
    );
    w.servq()
        .args(["validate", "--surveys", &file])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("3 rows read, 3 used"));
}

#[test]
fn mapping_a_date_field_by_its_own_name_gives_the_row_its_date() {
    let w = Workdir::new();
    let file = w.write("i.csv", "Created,complaint\n2025-01-05,true\n2025-02-05,false\n");
    let config = w.write("c.toml", "[columns.interactions]\nopened_at = \"Created\"\n");
    let out = stdout_of(w.servq().args(["report", "--config", &config, "--interactions", &file]).args([
        "--metrics",
        "complaints_per_1000",
        "--format",
        "csv",
        "-q",
    ]));
    let periods: Vec<String> = csv_rows(&out).iter().map(|r| format!("{} {}", r["period"], r["value"])).collect();
    assert_eq!(periods, ["2025-01 1000", "2025-02 0"]);
    let config = w.write("d.toml", "[columns.interactions]\nopened_at = \"Opened\"\n");
    w.servq().args(["report", "--config", &config, "--interactions", &file]).assert().code(2).stderr(
        predicate::str::contains("column 'Opened' (mapped to opened_at in [columns.interactions]) is not in the file"),
    );
}

#[test]
fn money_is_exact_from_its_text_and_clv_on_rejected_margins_is_suspect() {
    let w = Workdir::new();
    let file = w.write(
        "t.csv",
        "order_date,customer_id,revenue,margin\n2025-01-05,c1,1,8999999999.000001\n2025-01-06,c1,1,-8999999999\n\
         2025-02-05,c1,1,0\n2025-03-05,c1,1,0\n",
    );
    // m = 0.000001 over 3 customer-periods (f64 parsing made it 2e-6).
    let out =
        stdout_of(w.servq().args(["clv", "--transactions", &file, "--as-of", "2025-03-31", "--format", "csv", "-q"]));
    assert_eq!(csv_rows(&out)[0]["m"], (1e-6f64 / 3.0).to_string());
    // Every margin unreadable (decimal comma): the clv figure is suspect, and its check fails.
    let mut text = String::from("order_date,customer_id,revenue,margin\n");
    for month in ["01", "02", "03"] {
        for c in ["c1", "c2"] {
            text.push_str(&format!("2025-{month}-05,{c},100,\"12,50\"\n"));
        }
    }
    text.push_str("2025-04-01,c1,1,1\n");
    let file = w.write("e.csv", text);
    let out =
        stdout_of(w.servq().args(["report", "--transactions", &file, "--metrics", "clv", "--format", "csv", "-q"]));
    assert!(csv_rows(&out)[0]["flags"].contains("rejected"), "{out}");
    w.servq()
        .args(["check", "--transactions", &file, "--require", "clv>=0", "-q"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("suspect data"));
    w.servq()
        .args(["clv", "--transactions", &file])
        .assert()
        .success()
        .stderr(predicate::str::contains("note: clv: 6 of 7 margin values were rejected: suspect data"));
}

#[test]
fn a_mapping_names_the_exact_header_and_case_twins_are_competing_columns() {
    let w = Workdir::new();
    let file = w.write("h.csv", "date,CSAT,csat\n2025-01-05,5,1\n");
    let config = w.write("m.toml", "[columns.surveys]\ncsat = \"csat\"\n");
    let out = stdout_of(
        w.servq()
            .args(["report", "--config", &config, "--surveys", &file, "--metrics", "csat"])
            .args(["--format", "csv", "-q"]),
    );
    assert_eq!(csv_rows(&out)[0]["value"], "0", "the exact header `csat` (1), not `CSAT` (5)");
    w.servq().args(["report", "--surveys", &file, "--metrics", "csat", "--format", "csv"]).assert().success().stderr(
        predicate::str::contains("note: surveys: columns 'CSAT' and 'csat' could each be csat; 'CSAT' is used"),
    );
    let dates = w.write("d.csv", "date,created_at,csat\n2025-01-05,2025-03-05,5\n");
    w.servq().args(["report", "--surveys", &dates, "--metrics", "csat", "--format", "csv"]).assert().success().stderr(
        predicate::str::contains("note: surveys: columns 'date' and 'created_at' could each be date; 'date' is used"),
    );
}

#[test]
fn with_period_none_each_figure_spans_its_own_input() {
    let w = Workdir::new();
    let surveys = w.write("s.csv", "customer_id,channel,csat\nc1,chat,5\nc2,chat,4\n");
    let transactions = w.write("t.csv", "order_date,customer_id,margin\n2025-01-05,c1,1\n2025-03-06,c2,1\n");
    let args = ["report", "--surveys", &surveys, "--transactions", &transactions, "--period", "none"];
    let out = stdout_of(w.servq().args(args).args(["--format", "csv", "-q"]));
    // The surveys have no dates: their figure has no span (not the transactions' one).
    let rows = csv_rows(&out);
    let row = rows.iter().find(|r| r["metric"] == "csat").unwrap();
    assert_eq!((row["period_start"].as_str(), row["period_end"].as_str()), ("", ""));
}

#[test]
fn one_column_mapped_to_two_fields_is_a_config_error() {
    let w = Workdir::new();
    let config = w.write("c.toml", "[columns.surveys]\ncsat = \"satisfaction\"\nnps = \"satisfaction\"\n");
    w.servq()
        .args(["report", "--config", &config, "--surveys", &crate::util::sample("surveys.csv")])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("[columns.surveys] csat and nps both name the column 'satisfaction'"));
}

#[test]
fn a_lone_carriage_return_inside_a_line_rejects_it_never_joins_rows() {
    let w = Workdir::new();
    let file = w.write(
        "m4.csv",
        "date,channel,nps,comment\n2025-01-01,chat,9,a\n2025-01-02,chat\r2025-01-03,chat,1\r\n2025-01-04,chat,10,b\n",
    );
    w.servq()
        .args(["validate", "--surveys", &file])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("3 rows read, 2 used, 1 rejected"))
        .stdout(predicate::str::contains("a carriage return alone inside the line"));
}

#[test]
fn followup_with_no_valid_score_is_nothing_to_report_and_where_twice_is_an_error() {
    let w = Workdir::new();
    let file = w.write("allbad.csv", "date,nps,csat\n2025-01-01,19,15\n");
    w.servq()
        .args(["followup", "-q", "--surveys", &file, "--format", "csv"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("nothing to follow up: no valid nps or csat value"));
    let file = w.write("w.csv", "date,channel,nps\n2025-01-01,chat,1\n2025-01-02,email,2\n");
    w.servq()
        .args(["followup", "-q", "--surveys", &file, "--where", "channel=chat", "--where", "channel=email"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--where channel: the column is given twice"));
}

#[test]
fn check_json_names_metrics_by_their_id_and_github_lines_escape_control_characters() {
    let w = Workdir::new();
    let file = w.write("i.csv", "opened_at,complaint,channel\n2025-01-05,true,u\u{1b}v\n2025-02-05,false,u\u{1b}v\n");
    let output = w
        .servq()
        .args(["check", "--interactions", &file, "--by", "channel", "--require", "complaints_per_1000<=2000"])
        .args(["--all-periods", "--format", "json", "-q"])
        .assert()
        .get_output()
        .clone();
    let json = String::from_utf8(output.stdout).unwrap();
    assert!(json.contains("\"metric\": \"complaints_per_1000\""), "{json}");
    let output = w
        .servq()
        .args(["check", "--interactions", &file, "--by", "channel", "--require", "complaints_per_1000<=2000"])
        .args(["--all-periods", "--format", "github", "-q"])
        .assert()
        .get_output()
        .clone();
    let github = String::from_utf8(output.stdout).unwrap();
    assert!(!github.contains('\u{1b}') && github.contains("\\u{1b}"), "{github}");
}
