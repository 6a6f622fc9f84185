//! Property tests of the input path: arbitrary bytes and arbitrary CSV shapes never
//! panic, and every row read is accounted for (used + rejected = read).

use std::collections::BTreeMap;
use std::path::PathBuf;

use proptest::prelude::*;
use servq::input::{self, DataQuality, Dictionaries, FieldRequest, Kind, TableRequest, ValueKind, Window};

fn load(bytes: &[u8]) -> (anyhow::Result<usize>, DataQuality) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("in.csv");
    std::fs::write(&path, bytes).unwrap();
    let files = [PathBuf::from(&path)];
    let window = Window::default();
    let dims = vec!["channel".to_string()];
    let request = TableRequest {
        kind: Kind::Surveys,
        files: &files,
        mapping: &BTreeMap::new(),
        fields: vec![
            FieldRequest { field: "csat", kind: ValueKind::Score { min: 1, max: 5 } },
            FieldRequest { field: "nps", kind: ValueKind::Score { min: 0, max: 10 } },
        ],
        required: vec![],
        date_required: true,
        dims: &dims,
        dims_required: false,
        window: &window,
        read: &Default::default(),
        compaction: None,
        timestamps: false,
    };
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
        if let Ok(height) = result {
            let f = &quality.files[0];
            prop_assert_eq!(f.rows_read, f.rows_used + f.rows_rejected + f.rows_outside_range);
            prop_assert_eq!(f.rows_used as usize, height);
            for counts in f.fields.values() {
                prop_assert_eq!(counts.valid + counts.missing + counts.rejected, f.rows_used);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_config_text_never_panics(text in "(\\[[a-z.\\[\\]]{0,12}\\]\n|[a-z_]{1,10} = (\"[a-z*./]{0,8}\"|-?[0-9]{1,3}(\\.[0-9])?|true|\\[[0-9, ]{0,6}\\]|\\{ [a-z]+ = \"x\" \\})\n|#.*\n){0,8}") {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("servq.toml");
        std::fs::write(&path, &text).unwrap();
        let input = servq::cli::InputArgs { config: Some(path), ..Default::default() };
        let _ = servq::config::Settings::resolve(&input, &Default::default(), &[]);
    }
}
