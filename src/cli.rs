//! The command line (clap derive): the command enum and the argument groups shared
//! by several commands. Values are validated once, into [`crate::config::Settings`].

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Customer-service KPIs from raw service data: CSAT, CES, NPS (and more), by period
/// and group, with intervals, n, and an account of every input row.
#[derive(Debug, Parser)]
#[command(name = "servq", version, about, max_term_width = 100)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The servq commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compute every KPI whose inputs are present, by period and group.
    Report(ReportArgs),
    /// Report data quality only: exit 0 when clean, 1 when anything was rejected.
    Validate(ValidateArgs),
    /// The cohort retention matrix (cohort = period of the first transaction).
    Cohorts(CohortsArgs),
    /// Discounted customer lifetime value, with every parameter used.
    Clv(ClvArgs),
    /// The complaint Pareto: complaints by category (default `--by topic`) in the latest
    /// complete period, with share, cumulative share, rate and the vital few.
    Complaints(ComplaintsArgs),
    /// Evaluate KPI thresholds: exit 0 when no error-level check fails, 1 when one does.
    Check(CheckArgs),
    /// Print an SQL script that computes the KPIs' sufficient statistics inside Spark,
    /// DuckDB or PostgreSQL (its result feeds `servq report --stats`).
    Sql(SqlArgs),
    /// The closed-loop list: detractors and unhappy CSAT, newest first, to call back.
    Followup(FollowupArgs),
    /// Print a starter servq.toml with the column mapping detected in FILES.
    Init(InitArgs),
    /// Print a shell completion script.
    Completions(CompletionsArgs),
    /// Print the manual page (roff).
    Man,
}

/// Input files, how to read them, and what to do with bad rows.
#[derive(Debug, Clone, Default, Args)]
pub struct InputArgs {
    /// Config file [default: ./servq.toml when present].
    #[arg(long, value_name = "FILE", env = "SERVQ_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    /// Survey responses: CSV files or globs, read as one table.
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub surveys: Vec<PathBuf>,
    /// Support interactions / tickets: CSV files or globs, read as one table.
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub interactions: Vec<PathBuf>,
    /// Transactions / orders: CSV files or globs, read as one table.
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub transactions: Vec<PathBuf>,
    /// A customer snapshot (one customer per row with a churn flag): CSV files or globs.
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub customers: Vec<PathBuf>,
    /// Employees (hire and leave dates, team, site): CSV files or globs.
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub employees: Vec<PathBuf>,
    /// Employee survey responses (esat, enps): CSV files or globs.
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub employee_surveys: Vec<PathBuf>,
    /// Field delimiter (`,` `;` `tab` `|` …) [default: sniffed from the header].
    #[arg(long, value_name = "CHAR", value_parser = crate::input::source::parse_delimiter)]
    pub delimiter: Option<u8>,
    /// Text encoding of the inputs (utf-8, gb18030, gbk, utf-16le, …) [default: utf-8;
    /// UTF-8 and UTF-16 byte-order marks are honoured].
    #[arg(long, value_name = "LABEL")]
    pub encoding: Option<String>,
    /// strftime format for non-ISO dates, e.g. `%d-%m-%Y` or `%Y%m%d`.
    #[arg(long, value_name = "FORMAT")]
    pub date_format: Option<String>,
    /// Time zone dates are bucketed in: UTC, a fixed offset such as +08:00 or -05:00, or
    /// an IANA name such as Asia/Shanghai or America/New_York (daylight saving followed).
    #[arg(long, value_name = "TZ", allow_hyphen_values = true)]
    pub tz: Option<String>,
    /// Write every rejected row or value (file, line, field, value, reason) to FILE.
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,
    /// Treat any rejected row or value as an error (exit code 2).
    #[arg(long)]
    pub strict: bool,
    /// No data-quality summary on stderr (errors are still printed).
    #[arg(long, short)]
    pub quiet: bool,
    /// A value that means "missing" (e.g. -99, N/A): in no denominator, not rejected
    /// (repeatable; adds to `[inputs] missing`).
    #[arg(long, value_name = "VALUE", allow_hyphen_values = true)]
    pub missing: Vec<String>,
    /// The longest record (a line, or lines joined by a quoted field) read, in MiB; a
    /// longer one is rejected with its line [default: 64].
    #[arg(long, value_name = "MIB", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_record_mib: Option<u64>,
    /// Streaming engine: compact each block of rows as it is read, so memory grows
    /// with the distinct values, not the rows (for inputs larger than memory; same
    /// figures as the default in-memory engine).
    #[arg(long)]
    pub streaming: bool,
    /// Ignore the surveys' `weight` column: every response counts once (by default
    /// survey KPIs are weighted, Σw·x / Σw, with intervals on Kish's effective n).
    #[arg(long)]
    pub unweighted: bool,
}

/// How rows are grouped.
#[derive(Debug, Clone, Default, Args)]
pub struct GroupArgs {
    /// Period length (ISO weeks) [default: month].
    #[arg(long, value_enum)]
    pub period: Option<PeriodArg>,
    /// Group by these dimension columns, e.g. `--by channel,segment`.
    #[arg(long, value_name = "COL", value_delimiter = ',')]
    pub by: Vec<String>,
    /// Leave out rows before this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Leave out rows after this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// When the data was cut (YYYY-MM-DD): a period not over by then is partial
    /// [default: the latest date seen].
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Groups with fewer observations are flagged low-confidence [default: 30].
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub min_n: Option<u64>,
}

/// Where the output goes and in which format.
#[derive(Debug, Clone, Default, Args)]
pub struct OutputArgs {
    /// Output format [default: from the -o extension, else table].
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
    /// Write to FILE instead of stdout (the extension picks the format: .csv .json .md
    /// .html .txt).
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// `--period` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PeriodArg {
    /// Calendar days.
    Day,
    /// ISO weeks (Monday to Sunday).
    Week,
    /// Calendar months.
    Month,
    /// Calendar quarters.
    Quarter,
    /// Calendar years.
    Year,
    /// One period over the whole range.
    None,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// A terminal table with a footer of definitions and data quality.
    Table,
    /// CSV (report: tidy, one row per period, group and metric).
    Csv,
    /// JSON: the records plus definitions and data quality.
    Json,
    /// Markdown tables.
    Markdown,
    /// One self-contained HTML page with charts (report and complaints).
    Html,
    /// An Excel workbook (report only; with -o FILE.xlsx).
    Xlsx,
}

/// `servq report`.
#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub group: GroupArgs,
    /// Only these metrics, e.g. `--metrics nps,csat`.
    #[arg(long, value_name = "ID", value_delimiter = ',')]
    pub metrics: Vec<String>,
    /// The terminal table: a scorecard that fits the terminal (one row per metric), or
    /// the period × metric pivot [default: scorecard].
    #[arg(long, value_enum)]
    pub layout: Option<LayoutArg>,
    /// Each figure against the period before, or (rest) each group against the others:
    /// change, p-value and significance (CSV columns `change,p_value,significant`; JSON;
    /// Markdown and the wide table).
    #[arg(long, value_enum)]
    pub compare: Option<CompareArg>,
    /// Compute from the statistics an SQL engine computed with `servq sql` (CSV or
    /// Parquet; `-` for stdin) instead of reading the input files.
    #[arg(long, value_name = "FILE")]
    pub stats: Option<PathBuf>,
    #[command(flatten)]
    pub engine: EngineArgs,
    #[command(flatten)]
    pub out: OutputArgs,
}

/// `--engine` and `--table`: the statistics computed in one step by an SQL engine.
#[derive(Debug, Clone, Default, Args)]
pub struct EngineArgs {
    /// Run the script of `servq sql` with this engine's command-line client on PATH and
    /// compute from its result (as --stats does): duckdb, spark-sql, or psql (libpq's
    /// PGHOST/PGPORT/PGUSER/PGDATABASE say where).
    #[arg(long, value_enum, conflicts_with = "stats")]
    pub engine: Option<crate::sql::engine::Engine>,
    /// With --engine: read an input from an engine table instead of its files, e.g.
    /// `--table interactions=warehouse.tickets` (repeatable).
    #[arg(long, value_name = "KIND=NAME", requires = "engine")]
    pub table: Vec<String>,
}

/// `servq sql`.
#[derive(Debug, Clone, Args)]
pub struct SqlArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub group: GroupArgs,
    /// Only these metrics, e.g. `--metrics nps,csat`.
    #[arg(long, value_name = "ID", value_delimiter = ',')]
    pub metrics: Vec<String>,
    /// The SQL engine.
    #[arg(long, value_enum)]
    pub dialect: crate::sql::dialect::Dialect,
    /// Read an input from an engine table instead of its files, e.g.
    /// `--table surveys=warehouse.surveys` (repeatable); its columns are named as
    /// `[columns.<kind>]` maps them, else by their canonical names.
    #[arg(long, value_name = "KIND=NAME")]
    pub table: Vec<String>,
    /// Write the script to FILE instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// `--compare` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CompareArg {
    /// Against the same metric and group in the period before (SPEC §4 tests).
    Previous,
    /// Each group against all the other groups together in the same period,
    /// p-values Holm-adjusted within each metric and period.
    Rest,
}

/// `--layout` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LayoutArg {
    /// One row per metric (and group): latest value, change, interval, n, trend, checks.
    Scorecard,
    /// The period × metric pivot.
    Wide,
}

/// `servq validate`.
#[derive(Debug, Clone, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub group: GroupArgs,
}

/// `servq complaints`.
#[derive(Debug, Clone, Args)]
pub struct ComplaintsArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub group: GroupArgs,
    #[command(flatten)]
    pub out: OutputArgs,
}

/// `servq cohorts`.
#[derive(Debug, Clone, Args)]
pub struct CohortsArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub group: GroupArgs,
    /// Also show the cells of a period not over at --as-of, marked partial (left out of
    /// the matrix and the summary row by default).
    #[arg(long)]
    pub include_partial: bool,
    /// Compute from the statistics an SQL engine computed with `servq sql` (CSV or
    /// Parquet; `-` for stdin) instead of reading the transactions.
    #[arg(long, value_name = "FILE")]
    pub stats: Option<PathBuf>,
    #[command(flatten)]
    pub engine: EngineArgs,
    #[command(flatten)]
    pub out: OutputArgs,
}

/// `--timing` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TimingArg {
    /// Margin at the end of each period.
    End,
    /// Margin at the start: the current period counts too.
    Start,
}

/// `servq clv`.
#[derive(Debug, Clone, Args)]
pub struct ClvArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub group: GroupArgs,
    /// What-if: retention per period as a fraction (e.g. 0.8) instead of the estimate.
    #[arg(long, value_name = "R", allow_negative_numbers = true)]
    pub retention: Option<f64>,
    /// What-if: margin per customer per period instead of the estimate.
    #[arg(long, value_name = "M", allow_negative_numbers = true)]
    pub margin: Option<f64>,
    /// Annual discount rate as a fraction [default: 0.10].
    #[arg(long, value_name = "D", allow_negative_numbers = true)]
    pub annual_discount_rate: Option<f64>,
    /// Periods to sum over: a number, or `infinite` [default: infinite].
    #[arg(long, value_name = "H", allow_negative_numbers = true)]
    pub horizon: Option<String>,
    /// When margin arrives in a period [default: end].
    #[arg(long, value_enum)]
    pub timing: Option<TimingArg>,
    /// Subtracted from clv.
    #[arg(long, value_name = "COST", allow_negative_numbers = true)]
    pub acquisition_cost: Option<f64>,
    /// Margin as a share of revenue, when there is no margin column.
    #[arg(long, value_name = "RATE", allow_negative_numbers = true)]
    pub margin_rate: Option<f64>,
    /// Compute from the statistics an SQL engine computed with `servq sql` (CSV or
    /// Parquet; `-` for stdin) instead of reading the transactions.
    #[arg(long, value_name = "FILE")]
    pub stats: Option<PathBuf>,
    #[command(flatten)]
    pub engine: EngineArgs,
    #[command(flatten)]
    pub out: OutputArgs,
}

/// `servq check` output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormatArg {
    /// A terminal table.
    Table,
    /// GitHub Actions annotations (`::error::`, `::warning::`, `::notice::`).
    Github,
    /// A Markdown table (for CI step summaries).
    Markdown,
    /// JSON.
    Json,
}

/// `servq check`.
#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub group: GroupArgs,
    /// An error-level threshold, e.g. `--require 'nps>=30'` (repeatable).
    #[arg(long, value_name = "EXPR")]
    pub require: Vec<String>,
    /// A warning-level threshold, e.g. `--warn 'csat>=85'` (repeatable).
    #[arg(long, value_name = "EXPR")]
    pub warn: Vec<String>,
    /// Judge every period, not only the latest complete one.
    #[arg(long)]
    pub all_periods: bool,
    /// Output format [default: table].
    #[arg(long, value_enum)]
    pub format: Option<CheckFormatArg>,
    /// Also write JUnit XML to FILE.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Judge the figures of the statistics `servq sql` computed (see report --stats).
    #[arg(long, value_name = "FILE")]
    pub stats: Option<PathBuf>,
    #[command(flatten)]
    pub engine: EngineArgs,
}

/// `servq followup`.
#[derive(Debug, Clone, Args)]
pub struct FollowupArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub group: GroupArgs,
    /// Only rows whose column has this value, e.g. `--where channel=chat` (repeatable).
    #[arg(long = "where", value_name = "COL=VALUE")]
    pub filter: Vec<String>,
    /// CSAT at or below this is unhappy [default: 2].
    #[arg(long, value_name = "SCORE", allow_negative_numbers = true)]
    pub csat_max: Option<i32>,
    #[command(flatten)]
    pub out: OutputArgs,
}

/// `servq init`.
#[derive(Debug, Clone, Args)]
pub struct InitArgs {
    /// Input files (CSV or Parquet) whose headers are read.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Text encoding of the files [default: utf-8, BOMs honoured, GB18030 detected].
    #[arg(long, value_name = "LABEL")]
    pub encoding: Option<String>,
    /// Field delimiter [default: sniffed].
    #[arg(long, value_name = "CHAR", value_parser = crate::input::source::parse_delimiter)]
    pub delimiter: Option<u8>,
}

/// `servq completions`.
#[derive(Debug, Clone, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}
