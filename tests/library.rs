//! The library computes the same numbers the CLI prints (SPEC §7).

use std::collections::BTreeMap;
use std::path::PathBuf;

use polars::prelude::*;
use servq::input::{self, DataQuality, Dictionaries, FieldRequest, Kind, TableRequest, ValueKind, Window};
use servq::metrics::frame;
use servq::metrics::nps::{self, NpsCounts, NpsOptions};

use crate::util::{Workdir, csv_rows, sample, stdout_of};

#[test]
fn nps_from_the_library_equals_the_cli_on_sample_data() {
    let files = [PathBuf::from(sample("surveys.csv"))];
    let window = Window::default();
    let request = TableRequest {
        kind: Kind::Surveys,
        files: &files,
        mapping: &BTreeMap::new(),
        fields: vec![FieldRequest { field: nps::COLUMN, kind: ValueKind::Score { min: 0, max: 10 } }],
        required: vec![nps::COLUMN],
        date_required: true,
        dims: &[],
        dims_required: true,
        window: &window,
        read: &Default::default(),
        compaction: None,
        timestamps: false,
    };
    let table = input::table::load(&request, &mut Dictionaries::default(), &mut DataQuality::default()).unwrap();
    let by_month = nps::aggregate(table.frame.lazy(), &[col("period_start")])
        .sort(["period_start"], SortMultipleOptions::default())
        .collect()
        .unwrap();
    let n = frame::counts(&by_month, "nps.n").unwrap();
    let promoters = frame::counts(&by_month, "nps.promoters").unwrap();
    let detractors = frame::counts(&by_month, "nps.detractors").unwrap();

    let w = Workdir::new();
    let cli = csv_rows(&stdout_of(w.servq().args([
        "report",
        "--surveys",
        &sample("surveys.csv"),
        "--metrics",
        "nps",
        "--format",
        "csv",
        "-q",
    ])));
    assert_eq!(cli.len(), 12);
    for (i, row) in cli.iter().enumerate() {
        let e =
            nps::nps(NpsCounts { promoters: promoters[i], detractors: detractors[i], n: n[i] }, &NpsOptions::default());
        assert_eq!(row["n"], e.n.to_string());
        assert_eq!(row["value"], e.value.unwrap().to_string());
        assert_eq!(row["ci_low"], e.ci.unwrap().0.to_string());
    }
}
