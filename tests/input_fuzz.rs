//! Property tests of the input path: arbitrary bytes and arbitrary CSV shapes never
//! panic, and every row read is accounted for (used + rejected = read).

use std::path::PathBuf;

use proptest::prelude::*;
use servq::input::{self, DataQuality, Dictionaries, FieldRequest, Kind, TableRequest, ValueKind, Window};

fn load(bytes: &[u8]) -> (anyhow::Result<usize>, DataQuality) {
    load_as(bytes, "in.csv")
}

/// Loads `bytes` as a surveys file named `name` (csat, nps and a channel dimension).
fn load_as(bytes: &[u8], name: &str) -> (anyhow::Result<usize>, DataQuality) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    let files = [PathBuf::from(&path)];
    let window = Window::default();
    let dims = vec!["channel".to_string()];
    let fields = vec![
        FieldRequest { field: "csat", kind: ValueKind::Score { min: 1, max: 5, labels: None } },
        FieldRequest { field: "nps", kind: ValueKind::Score { min: 0, max: 10, labels: None } },
    ];
    let read = Default::default();
    let request = TableRequest::new(Kind::Surveys, &files, &window, &read).fields(fields, vec![]).dims(&dims, false);
    let mut quality = DataQuality::default();
    let result = input::table::load(&request, &mut Dictionaries::default(), &mut quality).map(|t| t.frame.height());
    (result, quality)
}

fn field() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("2025-01-31".to_string()),
        Just("2025-02-30T10:00:00Z".to_string()),
        Just("\"a,b\"".to_string()),
        Just("\"multi\nline\"".to_string()),
        (-3i32..14).prop_map(|v| v.to_string()),
        "[0-9.,;:a-z\u{4e00}-\u{4e10}-]{0,8}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = load(&bytes);
    }

    #[test]
    fn every_row_is_accounted_for(rows in proptest::collection::vec(proptest::collection::vec(field(), 1..6), 1..30)) {
        let mut text = String::from("submitted_at,channel,csat,nps\n");
        for row in &rows {
            text.push_str(&row.join(","));
            text.push('\n');
        }
        let (result, quality) = load(text.as_bytes());
        // Only a file whose lines are all blank may fail to load ("no data rows").
        if rows.iter().all(|r| r.join(",").is_empty()) {
            prop_assert!(result.is_err());
        } else {
            let height = result.map_err(|e| TestCaseError::fail(format!("{e:#}")))?;
            assert_accounted(&quality, height)?;
        }
    }
}

/// The accounting identity of SPEC §2 on a loaded file: every row read is used,
/// rejected or outside the range; every value of a used row is valid, missing or
/// rejected; the frame has the used rows; each whole-row rejection is listed once.
fn assert_accounted(quality: &DataQuality, height: usize) -> Result<(), TestCaseError> {
    let f = &quality.files[0];
    prop_assert_eq!(f.rows_read, f.rows_used + f.rows_rejected + f.rows_outside_range);
    prop_assert_eq!(f.rows_used as usize, height);
    for counts in f.fields.values() {
        prop_assert_eq!(counts.valid + counts.missing + counts.rejected, f.rows_used);
    }
    let whole_rows = quality.rejects.iter().filter(|r| r.field == "row" || r.field == "date").count();
    prop_assert_eq!(whole_rows as u64, f.rows_rejected);
    let values: u64 = f.fields.values().map(|c| c.rejected).sum();
    prop_assert_eq!(quality.rejects.len() as u64, f.rows_rejected + values);
    Ok(())
}

/// A structurally valid surveys file: quoted comments (some over several lines),
/// CRLF on some rows, valid and invalid scores and dates.
fn valid_csv(rows: usize, seed: u64) -> Vec<u8> {
    let mut text = String::from("submitted_at,channel,csat,nps,comment\n");
    for i in 0..rows as u64 {
        let k = i.wrapping_mul(2654435761).wrapping_add(seed);
        let comment = match k % 4 {
            0 => "\"said \"\"hi\"\", left\"".to_string(),
            1 => "\"two\nlines\"".to_string(),
            _ => "plain".to_string(),
        };
        let end = if k % 5 == 0 { "\r\n" } else { "\n" };
        text.push_str(&format!(
            "2025-{:02}-{:02},{},{},{},{comment}{end}",
            k % 12 + 1,
            k % 28 + 1,
            ["chat", "web"][(k % 2) as usize],
            k % 7,
            k % 12
        ));
    }
    text.into_bytes()
}

/// One random change to a file's bytes: a byte replaced, removed or inserted (often
/// a quote, delimiter or line end, which reach the parser's deep paths), or a cut.
fn mutate(bytes: &mut Vec<u8>, kind: u8, at: usize, value: u8) {
    if bytes.is_empty() {
        return;
    }
    let at = at % bytes.len();
    match kind % 6 {
        0 => bytes[at] = value,
        1 => {
            bytes.remove(at);
        }
        2 => bytes.insert(at, b"\",\n\r"[value as usize % 4]),
        3 => bytes.insert(at, value),
        4 => bytes.truncate(at.max(1)),
        _ => bytes[at] = b"\",\n"[value as usize % 3],
    }
}

/// Counts the non-blank lines after the header of a text without quotes: its rows,
/// found apart from the loader.
fn rows_without_quotes(bytes: &[u8]) -> u64 {
    bytes.split(|&b| b == b'\n').skip(1).filter(|line| !line.is_empty() && *line != b"\r").count() as u64
}

/// A Parquet file of every column type servq meets (written once).
fn valid_parquet() -> &'static [u8] {
    static FILE: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    FILE.get_or_init(|| {
        use polars::prelude::*;
        let n = 64;
        let days: Vec<i32> = (0..n).map(|i| 20_089 + i).collect();
        let stamps: Vec<i64> = (0..n).map(|i| 1_735_689_600_000 + i64::from(i) * 3_600_000).collect();
        let mut frame = DataFrame::new_infer_height(vec![
            Series::new("submitted_at".into(), days).cast(&DataType::Date).unwrap().into(),
            Series::new("at".into(), stamps).cast(&DataType::Datetime(TimeUnit::Milliseconds, None)).unwrap().into(),
            Column::new("csat".into(), (0..n).map(|i| i % 7).collect::<Vec<i32>>()),
            Column::new("nps".into(), (0..n).map(|i| f64::from(i % 12)).collect::<Vec<f64>>()),
            Column::new("channel".into(), (0..n).map(|i| ["chat", "web", "电话"][i as usize % 3]).collect::<Vec<_>>()),
            Series::new("amount".into(), (0..n).map(|i| f64::from(i) / 4.0).collect::<Vec<f64>>())
                .cast(&DataType::Decimal(12, 2))
                .unwrap()
                .into(),
        ])
        .unwrap();
        let mut bytes = Vec::new();
        ParquetWriter::new(&mut bytes).finish(&mut frame).unwrap();
        bytes
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// Valid CSV files with a few random corruptions: every row is accounted for, and
    /// when no quote is left, every non-blank line is one row read.
    #[test]
    fn corrupted_csv_keeps_every_row_accounted_for(
        rows in 1usize..60,
        seed in any::<u64>(),
        changes in proptest::collection::vec((any::<u8>(), any::<usize>(), any::<u8>()), 1..5),
    ) {
        let mut bytes = valid_csv(rows, seed);
        for (kind, at, value) in changes {
            mutate(&mut bytes, kind, at, value);
        }
        let (result, quality) = load(&bytes);
        if let Ok(height) = result {
            assert_accounted(&quality, height)?;
            if !bytes.contains(&b'"') {
                prop_assert_eq!(quality.files[0].rows_read, rows_without_quotes(&bytes));
            }
        }
    }

    /// Valid Parquet files with random bytes flipped: never a panic; a file that still
    /// reads keeps every row accounted for.
    #[test]
    fn corrupted_parquet_never_panics_and_keeps_every_row_accounted_for(
        flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..5),
    ) {
        let mut bytes = valid_parquet().to_vec();
        for (at, value) in flips {
            // Keep the magic bytes at both ends, so the reader goes past them.
            let at = 4 + at % (bytes.len() - 8);
            bytes[at] = value;
        }
        let (result, quality) = load_as(&bytes, "in.parquet");
        if let Ok(height) = result {
            assert_accounted(&quality, height)?;
        }
    }
}

/// A config file built from servq's own sections and keys, with valid and invalid
/// values, so the validation of `[metrics.*]` and `[[check]]` runs.
fn config_text() -> impl Strategy<Value = String> {
    let value = prop_oneof![
        Just("1".to_string()),
        Just("-1".to_string()),
        Just("0".to_string()),
        Just("4294967296".to_string()),
        Just("0.5".to_string()),
        Just("nan".to_string()),
        Just("inf".to_string()),
        Just("[1, 5]".to_string()),
        Just("[7, 1]".to_string()),
        Just("[1, 7]".to_string()),
        Just("true".to_string()),
        Just("\"effort\"".to_string()),
        Just("\"repeat-window\"".to_string()),
        Just("\"all\"".to_string()),
        Just("\"csat\"".to_string()),
        Just("\"nps\"".to_string()),
        Just("\"response_p90_min\"".to_string()),
        Just("\"ci_high\"".to_string()),
        Just("\"warn\"".to_string()),
        Just("\"infinite\"".to_string()),
        Just("\"fortnight\"".to_string()),
        Just("{ chat = 2 }".to_string()),
        Just("{ channel = \"chat\" }".to_string()),
        Just("[\"csat\", \"bogus\"]".to_string()),
    ];
    let sections: Vec<(&str, &[&str])> = vec![
        ("[metrics.csat]", &["scale", "satisfied_min"]),
        ("[metrics.ces]", &["scale", "direction", "good_min", "good_max"]),
        ("[metrics.nps]", &["interval"]),
        ("[metrics.fcr]", &["method", "window_days", "denominator"]),
        ("[metrics.sla]", &["minutes", "per_channel"]),
        ("[metrics.clv]", &["annual_discount_rate", "horizon", "timing", "acquisition_cost", "margin_rate"]),
        ("[metrics.retention]", &["variant"]),
        ("[metrics.complaints]", &["column", "value"]),
        ("[report]", &["period", "by", "min_n", "metrics"]),
        (
            "[[check]]",
            &[
                "metric",
                "min",
                "max",
                "level",
                "bound",
                "min_n",
                "where",
                "period",
                "max_drop",
                "significant",
                "alpha",
                "insufficient",
            ],
        ),
    ];
    let section = (0..sections.len(), proptest::collection::vec((any::<prop::sample::Index>(), value), 0..5)).prop_map(
        move |(s, entries)| {
            let (name, keys) = sections[s];
            let mut text = format!("{name}\n");
            for (key, value) in entries {
                text.push_str(&format!("{} = {value}\n", key.get(keys)));
            }
            text
        },
    );
    proptest::collection::vec(section, 0..5).prop_map(|sections| sections.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Configs made of servq's own sections: resolved, or refused with one message
    /// that names the file; never a panic.
    #[test]
    fn configs_of_known_sections_are_resolved_or_refused_naming_the_file(text in config_text()) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("servq.toml");
        std::fs::write(&path, &text).unwrap();
        let input = servq::cli::InputArgs { config: Some(path), ..Default::default() };
        if let Err(err) = servq::config::Settings::resolve(&input, &Default::default(), &[]) {
            let message = format!("{err:#}");
            prop_assert!(message.contains("servq.toml"), "{} for\n{}", message, text);
        }
    }

    #[test]
    fn arbitrary_config_text_never_panics(text in "(\\[[a-z.\\[\\]]{0,12}\\]\n|[a-z_]{1,10} = (\"[a-z*./]{0,8}\"|-?[0-9]{1,3}(\\.[0-9])?|true|\\[[0-9, ]{0,6}\\]|\\{ [a-z]+ = \"x\" \\})\n|#.*\n){0,8}") {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("servq.toml");
        std::fs::write(&path, &text).unwrap();
        let input = servq::cli::InputArgs { config: Some(path), ..Default::default() };
        let _ = servq::config::Settings::resolve(&input, &Default::default(), &[]);
    }
}
