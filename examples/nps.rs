//! Computing NPS from Rust with the library: the same functions the CLI calls.
//!
//! Run: `cargo run --example nps -- sample-data/surveys.csv`
//! Each month's figure equals `servq report --surveys sample-data/surveys.csv --metrics nps`.

use std::path::PathBuf;

use polars::prelude::*;
use servq::input::{self, DataQuality, Dictionaries, FieldRequest, Kind, TableRequest, ValueKind, Window};
use servq::metrics::frame;
use servq::metrics::nps::{self, NpsCounts, NpsOptions};

fn main() -> anyhow::Result<()> {
    let path = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "sample-data/surveys.csv".into()));
    // Read the file with servq's loader (dates validated, bad scores rejected).
    let files = [path];
    let window = Window::default(); // monthly, ISO dates, UTC
    let read = Default::default();
    let fields = vec![FieldRequest { field: nps::COLUMN, kind: ValueKind::Score { min: 0, max: 10, labels: None } }];
    let request = TableRequest::new(Kind::Surveys, &files, &window, &read).fields(fields, vec![nps::COLUMN]);
    let mut quality = DataQuality::default();
    let table = input::table::load(&request, &mut Dictionaries::default(), &mut quality)?;

    // Any LazyFrame with an `nps` column works from here on.
    let by_month = nps::aggregate(table.frame.lazy(), &[col("period_start")])
        .sort(["period_start"], SortMultipleOptions::default())
        .collect()?;
    let months = frame::integers(&by_month, "period_start")?;
    let n = frame::counts(&by_month, "nps.n")?;
    let promoters = frame::counts(&by_month, "nps.promoters")?;
    let detractors = frame::counts(&by_month, "nps.detractors")?;
    for i in 0..by_month.height() {
        let counts = NpsCounts { promoters: promoters[i], detractors: detractors[i], n: n[i] };
        let estimate = nps::nps(counts, &NpsOptions::default());
        let month = servq::period::from_epoch_days(months[i].unwrap_or(0) as i32);
        let (lo, hi) = estimate.ci.unwrap_or((f64::NAN, f64::NAN));
        println!(
            "{}: nps {:.1} (n = {}, 95% CI {lo:.1} to {hi:.1})",
            month.format("%Y-%m"),
            estimate.value.unwrap_or(f64::NAN),
            estimate.n
        );
    }
    Ok(())
}
