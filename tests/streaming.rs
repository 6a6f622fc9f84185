//! `--streaming` (blocks compacted as they are read, transactions summarised block
//! by block) gives exactly the figures, notes and data-quality accounting of the
//! in-memory engine, on inputs of several 4 MiB blocks.

use crate::util::{Workdir, sample};

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

/// Runs servq with and without `--streaming`; returns both (stdout, stderr).
fn both(w: &Workdir, args: &[&str]) -> [(String, String); 2] {
    [false, true].map(|streaming| {
        let mut cmd = w.servq();
        cmd.args(args);
        if streaming {
            cmd.arg("--streaming");
        }
        let out = cmd.assert().success().get_output().clone();
        (String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
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
        assert!(memory.1.contains("rejected"), "rejected rows are reported: {}", memory.1);
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
