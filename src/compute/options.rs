//! What the engine needs to know, and nothing else: the inputs and how to read them,
//! the window and grouping, and each metric's options. The commands hold one inside
//! `config::Settings` (with what only they use: strictness, rejects, checks).

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::NaiveDate;

use crate::input::source::ReadOptions;
use crate::input::{Kind, Window};
use crate::metrics::{MetricId, MetricSettings};

/// The engine's options.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Input patterns per kind (globs not yet expanded).
    pub inputs: BTreeMap<Kind, Vec<PathBuf>>,
    /// Column mappings per kind.
    pub columns: BTreeMap<Kind, BTreeMap<String, String>>,
    /// Delimiter, encoding, missing codes, record size.
    pub read: ReadOptions,
    /// Dates, period and range.
    pub window: Window,
    /// `--by` dimensions.
    pub by: Vec<String>,
    /// `--as-of`, when given.
    pub as_of: Option<NaiveDate>,
    /// Groups below this n are flagged low-confidence.
    pub min_n: u64,
    /// Per-metric options.
    pub metrics: MetricSettings,
    /// `--metrics` (or `[report] metrics`); `None` means every metric whose input exists.
    pub selected: Option<Vec<MetricId>>,
    /// Show a spinner on stderr while reading (stderr is a terminal, no `--quiet`).
    pub progress: bool,
    /// Also compute the cohort matrix (for the HTML heatmap).
    pub cohorts: bool,
    /// The cohort matrix keeps the periods not over at as-of (`cohorts --include-partial`).
    pub cohorts_partial: bool,
    /// Compact each block as it is read (`--streaming`): memory bounded by the
    /// distinct values, not the rows.
    pub streaming: bool,
    /// Ignore the surveys' weight column (`--unweighted`): every response counts once.
    pub unweighted: bool,
    /// `--stats FILE` or `--engine`: the figures come from the sufficient statistics an
    /// SQL engine computed with the script of `servq sql` (SPEC §13), not from the files.
    pub stats: Option<StatsSource>,
}

/// Where the sufficient statistics come from (SPEC §13).
#[derive(Clone)]
pub enum StatsSource {
    /// A statistics file (CSV or Parquet; `-`: stdin).
    File(PathBuf),
    /// Computed for the options by an engine (`--engine`: its client runs the script
    /// of `servq sql`): the table as CSV, its name for messages, and notes.
    Computed(Computer),
}

/// What computes the statistics table for a run's options (see [`StatsSource`]).
pub type Computer = std::sync::Arc<dyn Fn(&Options) -> anyhow::Result<(Vec<u8>, String, Vec<String>)> + Send + Sync>;

impl std::fmt::Debug for StatsSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StatsSource::File(path) => write!(f, "File({})", path.display()),
            StatsSource::Computed(_) => write!(f, "Computed"),
        }
    }
}
