//! `--streaming` (blocks compacted as they are read, transactions summarised block
//! by block) gives exactly the figures, notes and data-quality accounting of the
//! in-memory engine, on inputs of several 4 MiB blocks.

use crate::util::{Workdir, fixture, sample};

/// The loader's block size: the inputs below span several blocks.
const BLOCK: u64 = 4 << 20;

/// Writes `copies` copies of a sample file's rows under one header; copies move
/// dates by 0, 1 or 2 days (so repeats are not all identical), and a last row with
/// no valid date is rejected.
fn grow(w: &Workdir, name: &str, copies: usize) -> String {
    let text = std::fs::read_to_string(sample(name)).expect("sample file");
    let (header, body) = text.split_once('\n').expect("a header");
    let mut out = String::with_capacity(text.len() * copies);
    out.push_str(header);
    out.push('\n');
    for k in 0..copies {
        for line in body.lines() {
            // Dates are 2025-MM-DD…: shift the day within 01..28 to stay valid.
            out.push_str(&shift_day(line, k % 3));
            out.push('\n');
        }
    }
    let width = header.split(',').count();
    out.push_str(&format!("X1,C0001,not-a-date{}\n", ",".repeat(width - 3)));
    let path = w.write(name, out);
    assert!(std::fs::metadata(&path).unwrap().len() > BLOCK, "{name} spans more than one block");
    path
}

/// Moves the day of the first `2025-MM-DD` in a line by `by` days when it stays in 01..28.
fn shift_day(line: &str, by: usize) -> String {
    let Some(at) = line.find("2025-") else { return line.to_string() };
    let day: usize = line[at + 8..at + 10].parse().unwrap_or(0);
    if by == 0 || !(1..=28 - by).contains(&day) {
        return line.to_string();
    }
    format!("{}{:02}{}", &line[..at + 8], day + by, &line[at + 10..])
}

/// One run: exit code, stdout, stderr.
type Run = (Option<i32>, Vec<u8>, Vec<u8>);

/// Runs servq with and without `--streaming`.
fn runs(w: &Workdir, args: &[&str]) -> [Run; 2] {
    [false, true].map(|streaming| {
        let mut cmd = w.servq();
        cmd.args(args);
        if streaming {
            cmd.arg("--streaming");
        }
        let out = cmd.output().unwrap();
        (out.status.code(), out.stdout, out.stderr)
    })
}

/// Runs servq with and without `--streaming`, both successfully; returns both
/// (stdout, stderr).
fn both(w: &Workdir, args: &[&str]) -> [(String, String); 2] {
    runs(w, args).map(|(code, stdout, stderr)| {
        let (stdout, stderr) = (String::from_utf8(stdout).unwrap(), String::from_utf8(stderr).unwrap());
        assert_eq!(code, Some(0), "{args:?}: {stderr}");
        (stdout, stderr)
    })
}

#[test]
fn streaming_gives_the_in_memory_figures_and_accounting_on_many_blocks() {
    let w = Workdir::new();
    let surveys = grow(&w, "surveys.csv", 16);
    let interactions = grow(&w, "interactions.csv", 12);
    let transactions = grow(&w, "transactions.csv", 20);
    let config = sample("servq.toml");
    let inputs = ["--surveys", &surveys, "--interactions", &interactions, "--transactions", &transactions];
    let runs: [&[&str]; 3] =
        [&["--format", "csv"], &["--by", "channel", "--format", "json"], &["--by", "segment", "--period", "week"]];
    for extra in runs {
        let mut args = vec!["report", "--config", &config];
        args.extend(inputs);
        args.extend(extra);
        let [memory, streaming] = both(&w, &args);
        assert!(memory.0.len() > 1000, "a real report: {}", memory.0);
        assert_eq!(memory.0, streaming.0, "stdout of {extra:?}");
        assert_eq!(memory.1, streaming.1, "stderr (data quality) of {extra:?}");
        // A table on stdout carries the data quality in its footer (not said twice).
        let reported = if extra.contains(&"--format") { &memory.1 } else { &memory.0 };
        assert!(reported.contains("rejected"), "rejected rows are reported: {reported}");
    }
    let [memory, streaming] = both(&w, &["cohorts", "--transactions", &transactions, "--format", "csv", "-q"]);
    assert!(memory.0.lines().count() > 12);
    assert_eq!(memory, streaming);
    let [memory, streaming] =
        both(&w, &["clv", "--transactions", &transactions, "--by", "segment", "--format", "csv", "-q"]);
    assert_eq!(memory.0.lines().count(), 4, "three segments: {}", memory.0);
    assert_eq!(memory, streaming);
}

#[test]
fn streaming_with_repeat_window_fcr_and_a_margin_rate() {
    let w = Workdir::new();
    let interactions = grow(&w, "interactions.csv", 10);
    let transactions = grow(&w, "transactions.csv", 18);
    // Transactions without their margin column: clv uses revenue × margin_rate.
    let no_margin: String = std::fs::read_to_string(&transactions)
        .unwrap()
        .lines()
        .map(|l| format!("{}\n", l.rsplit_once(',').map_or(l, |(head, _)| head)))
        .collect();
    let no_margin = w.write("no_margin.csv", no_margin);
    let config = w.write(
        "servq.toml",
        "[metrics.fcr]\nmethod = \"repeat-window\"\nwindow_days = 7\n\n[metrics.clv]\nmargin_rate = 0.3\n",
    );
    let args = [
        "report",
        "--config",
        &config,
        "--interactions",
        &interactions,
        "--transactions",
        &no_margin,
        "--by",
        "channel",
        "--format",
        "csv",
        "-q",
    ];
    let [memory, streaming] = both(&w, &args);
    assert!(memory.0.contains(",fcr,") && memory.0.contains(",clv,"), "{}", memory.0);
    assert_eq!(memory, streaming);
}

#[test]
fn every_fixture_gives_the_same_output_exit_code_and_messages_in_both_engines() {
    let w = Workdir::new();
    let fixtures = std::fs::read_dir(fixture("")).unwrap().chain(std::fs::read_dir(fixture("bad")).unwrap());
    let mut files: Vec<String> = fixtures
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.extension().is_none_or(|x| x != "toml"))
        .map(|p| p.display().to_string())
        .collect();
    files.sort();
    assert!(files.len() > 20, "{files:?}");
    let mut compared = 0;
    for file in &files {
        for kind in ["--surveys", "--interactions", "--transactions"] {
            for extra in [&["--by", "channel"][..], &["--period", "week"]] {
                let mut args = vec!["report", kind, file, "--format", "csv"];
                args.extend(extra);
                let [memory, streaming] = runs(&w, &args);
                assert_eq!(memory.0, streaming.0, "exit code: {kind} {file} {extra:?}");
                assert!(memory.1 == streaming.1, "stdout: {kind} {file} {extra:?}");
                assert_eq!(
                    String::from_utf8_lossy(&memory.2),
                    String::from_utf8_lossy(&streaming.2),
                    "stderr: {kind} {file} {extra:?}"
                );
                compared += usize::from(memory.0 == Some(0));
            }
        }
    }
    assert!(compared > 20, "enough successful reports compared: {compared}");
}

/// A random survey or interaction value: valid, missing, or bad.
fn value(valid: &'static str) -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    prop_oneof![4 => proptest::string::string_regex(valid).unwrap(), 1 => Just(String::new()), 1 => Just("x".into())]
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 48, ..Default::default() })]

    #[test]
    fn random_inputs_give_the_same_report_in_both_engines(
        surveys in proptest::collection::vec(
            (value("2025-0[1-3]-[12][0-9]"), value("(chat|email)"), value("[0-6]"), value("([0-9]|10)")), 0..60),
        interactions in proptest::collection::vec(
            (value("2025-0[1-3]-[12][0-9]T0[0-9]:00"), value("(chat|email)"), value("(true|false)"),
             value("[1-3]"), value("(true|false)"), value("[0-9]{1,2}(\\.[05])?")), 0..60),
    ) {
        let w = Workdir::new();
        let mut s = String::from("submitted_at,channel,csat,nps\n");
        for (date, channel, csat, nps) in &surveys {
            s.push_str(&format!("{date},{channel},{csat},{nps}\n"));
        }
        let mut i = String::from("opened_at,channel,resolved,contacts_to_resolve,complaint,first_response_minutes\n");
        for (date, channel, resolved, contacts, complaint, minutes) in &interactions {
            i.push_str(&format!("{date},{channel},{resolved},{contacts},{complaint},{minutes}\n"));
        }
        let (s, i) = (w.write("s.csv", s), w.write("i.csv", i));
        let args = ["report", "--surveys", &s, "--interactions", &i, "--by", "channel", "--format", "csv"];
        let [memory, streaming] = runs(&w, &args);
        proptest::prop_assert_eq!(memory.0, streaming.0);
        proptest::prop_assert!(memory.1 == streaming.1, "{}\n---\n{}",
            String::from_utf8_lossy(&memory.1), String::from_utf8_lossy(&streaming.1));
        proptest::prop_assert_eq!(String::from_utf8_lossy(&memory.2), String::from_utf8_lossy(&streaming.2));
    }
}
