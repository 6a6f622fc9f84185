//! `servq.toml` and the command-line flags, merged into one validated [`Settings`]
//! (SPEC §6). Every flag overrides the file; unknown keys are errors naming the key
//! and the line; relative paths in the file are relative to the file's folder.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use serde::Deserialize;

pub mod checks;

use crate::cli::{GroupArgs, InputArgs, PeriodArg};
pub use crate::compute::Options;
use crate::input::parse::{DateParser, parse_tz};
use crate::input::request::Labels;
use crate::input::source::{self, ReadOptions};
use crate::input::{Kind, Window};
use crate::metrics::MetricId;
use crate::metrics::ces::{CesDirection, CesOptions};
use crate::metrics::clv::{ClvOptions, Timing};
use crate::metrics::csat::CsatOptions;
use crate::metrics::fcr::{FcrMethod, FcrOptions};
use crate::metrics::nps::{NpsInterval, NpsOptions};
use crate::metrics::resolution::ResolutionOptions;
use crate::metrics::retention::RetentionVariant;
use crate::metrics::sla::SlaOptions;
use crate::period::Period;
use checks::{Bound, CheckSpec, Level, Scope};

/// The file `servq` looks for when no `--config` is given.
pub const DEFAULT_CONFIG: &str = "servq.toml";

/// One path or a list of paths (globs allowed).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Paths {
    /// `surveys = "data/s.csv"`.
    One(String),
    /// `surveys = ["a.csv", "b-*.csv"]`.
    Many(Vec<String>),
}

impl Paths {
    fn list(&self) -> Vec<String> {
        match self {
            Paths::One(p) => vec![p.clone()],
            Paths::Many(ps) => ps.clone(),
        }
    }
}

/// `[inputs]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputsConfig {
    surveys: Option<Paths>,
    interactions: Option<Paths>,
    transactions: Option<Paths>,
    customers: Option<Paths>,
    employees: Option<Paths>,
    employee_surveys: Option<Paths>,
    delimiter: Option<String>,
    encoding: Option<String>,
    date_format: Option<String>,
    tz: Option<String>,
    max_record_mib: Option<u64>,
    #[serde(default)]
    missing: Vec<String>,
}

/// `[columns.<kind>]`: canonical field (or dimension) → header in the file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnsConfig {
    #[serde(default)]
    surveys: KindColumns,
    #[serde(default)]
    interactions: KindColumns,
    #[serde(default)]
    transactions: KindColumns,
    #[serde(default)]
    customers: KindColumns,
    #[serde(default)]
    employees: KindColumns,
    #[serde(default)]
    employee_surveys: KindColumns,
}

impl ColumnsConfig {
    /// One kind's section.
    fn of(&self, kind: Kind) -> &KindColumns {
        match kind {
            Kind::Surveys => &self.surveys,
            Kind::Interactions => &self.interactions,
            Kind::Transactions => &self.transactions,
            Kind::Customers => &self.customers,
            Kind::Employees => &self.employees,
            Kind::EmployeeSurveys => &self.employee_surveys,
        }
    }
}

/// One kind's `[columns.<kind>]`: the mapping, `units = { field = "seconds" }` for
/// duration columns (SPEC §10), and `ignore = ["Resolution"]`: columns never read, not
/// even by a field whose name they match.
#[derive(Debug, Default, Deserialize)]
pub struct KindColumns {
    #[serde(default)]
    units: BTreeMap<String, String>,
    #[serde(default)]
    ignore: Vec<String>,
    #[serde(flatten)]
    fields: BTreeMap<String, String>,
}

impl KindColumns {
    /// The mapping with the ignored columns in it (under keys no field has), so that
    /// no field's aliases claim them.
    fn mapping(&self) -> BTreeMap<String, String> {
        let mut mapping = self.fields.clone();
        for (i, header) in self.ignore.iter().enumerate() {
            mapping.insert(format!("(ignored {})", i + 1), header.clone());
        }
        mapping
    }
}

/// `[report]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportConfig {
    period: Option<String>,
    by: Option<Vec<String>>,
    min_n: Option<u64>,
    metrics: Option<Vec<String>>,
}

/// `[metrics.csat]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CsatConfig {
    scale: Option<[i32; 2]>,
    satisfied_min: Option<i32>,
    bottom_max: Option<i32>,
    labels: Option<LabelsConfig>,
}

/// `[metrics.csat] labels`: a preset name or a map of words to scores.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum LabelsConfig {
    /// `"zh-5"` or `"good-bad"`.
    Preset(String),
    /// `{ "very satisfied" = 5, … }`.
    Map(BTreeMap<String, i32>),
}

/// `[metrics.ces]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CesConfig {
    scale: Option<[i32; 2]>,
    direction: Option<String>,
    good_min: Option<i32>,
    good_max: Option<i32>,
}

/// `[metrics.nps]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NpsConfig {
    interval: Option<String>,
}

/// `[metrics.fcr]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FcrConfig {
    method: Option<String>,
    window_days: Option<u32>,
    denominator: Option<String>,
}

/// `[metrics.complaints]`: which interactions are complaints.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComplaintsConfig {
    column: Option<String>,
    value: Option<String>,
}

/// `[metrics.sla]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaConfig {
    minutes: Option<f64>,
    #[serde(default)]
    per_channel: BTreeMap<String, f64>,
}

/// `[metrics.resolution]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResolutionConfig {
    hours: Option<f64>,
    #[serde(default)]
    per_priority: BTreeMap<String, f64>,
}

/// `[metrics.retention]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionConfig {
    variant: Option<String>,
}

/// A horizon: `"infinite"` or a number of periods.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum HorizonConfig {
    /// `horizon = 12`.
    Periods(i64),
    /// `horizon = "infinite"`.
    Named(String),
}

/// `[metrics.clv]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClvConfig {
    annual_discount_rate: Option<f64>,
    horizon: Option<HorizonConfig>,
    timing: Option<String>,
    acquisition_cost: Option<f64>,
    margin_rate: Option<f64>,
}

/// `[metrics]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsConfig {
    #[serde(default)]
    csat: CsatConfig,
    #[serde(default)]
    ces: CesConfig,
    #[serde(default)]
    nps: NpsConfig,
    #[serde(default)]
    fcr: FcrConfig,
    #[serde(default)]
    complaints: ComplaintsConfig,
    #[serde(default)]
    sla: SlaConfig,
    #[serde(default)]
    resolution: ResolutionConfig,
    #[serde(default)]
    retention: RetentionConfig,
    #[serde(default)]
    clv: ClvConfig,
    #[serde(default)]
    esat: CsatConfig,
    #[serde(default)]
    servqual: ServqualConfig,
}

/// `[metrics.servqual]` (SPEC §12): item patterns, scale and dimensions.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServqualConfig {
    expectation: Option<String>,
    perception: Option<String>,
    importance: Option<String>,
    scale: Option<[i32; 2]>,
    dimensions: Option<BTreeMap<String, Vec<u32>>>,
}

/// `[metrics.servqual]` checked: patterns with `{i}` (items) and `{dimension}`
/// (importance), a scale, and item numbers for the five dimensions.
fn resolve_servqual(file: &ServqualConfig, cfg: &str) -> Result<crate::metrics::servqual::ServqualOptions> {
    use crate::metrics::servqual::{DIMENSIONS, ServqualOptions};
    let mut items = ServqualOptions::default_items();
    if let Some(dimensions) = &file.dimensions {
        for (name, numbers) in dimensions {
            let Some(d) = DIMENSIONS.iter().position(|dim| dim == name) else {
                bail!("{cfg}: [metrics.servqual] dimensions: '{name}' is not one of {}", DIMENSIONS.join(", "));
            };
            if numbers.is_empty() || numbers.contains(&0) {
                bail!("{cfg}: [metrics.servqual] dimensions: {name} needs item numbers from 1 (e.g. [1, 2, 3, 4])");
            }
            items[d] = numbers.clone();
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    if let Some(i) = items.iter().flatten().find(|i| !seen.insert(**i)) {
        bail!("{cfg}: [metrics.servqual] dimensions: item {i} is in two dimensions");
    }
    let pattern = |value: &Option<String>, default: &str, key: &str, token: &str| -> Result<String> {
        let p = value.clone().unwrap_or_else(|| default.to_string());
        if !p.contains(token) {
            bail!("{cfg}: [metrics.servqual] {key} = \"{p}\": the pattern needs {token} (e.g. \"{default}\")");
        }
        Ok(p)
    };
    let expectation = pattern(&file.expectation, "E{i}", "expectation", "{i}")?;
    let perception = pattern(&file.perception, "P{i}", "perception", "{i}")?;
    if expectation == perception {
        bail!("{cfg}: [metrics.servqual] expectation and perception name the same columns");
    }
    let importance = pattern(&file.importance, "W_{dimension}", "importance", "{dimension}")?;
    let scale = file.scale.map(|s| check_scale(cfg, "servqual", s)).transpose()?.unwrap_or((1, 7));
    let options = ServqualOptions::new(&expectation, &perception, &importance, scale, &items);
    // Every sum is of whole numbers up to 10⁶ × the scale's width × L per respondent: kept
    // far inside 64 bits (and their squares over 10⁸ respondents inside 128).
    let width = i128::from(scale.1) - i128::from(scale.0);
    if width * i128::from(options.lcm()) > 1_000_000_000 {
        bail!(
            "{cfg}: [metrics.servqual] the scale {}..{} with dimensions of {} items is too wide to sum exactly: narrow the scale or give dimensions of fewer different sizes",
            scale.0,
            scale.1,
            items.iter().map(|i| i.len().to_string()).collect::<Vec<_>>().join(", ")
        );
    }
    Ok(options)
}

/// `[[check]]`: one KPI gate (validated into a [`CheckSpec`]).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckConfig {
    metric: toml::Spanned<String>,
    min: Option<f64>,
    max: Option<f64>,
    level: Option<String>,
    bound: Option<String>,
    min_n: Option<u64>,
    #[serde(rename = "where", default)]
    filter: BTreeMap<String, String>,
    period: Option<String>,
    max_drop: Option<f64>,
    significant: Option<bool>,
    alpha: Option<f64>,
    insufficient: Option<String>,
    allow_rejected: Option<bool>,
}

/// The whole `servq.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    #[serde(default)]
    inputs: InputsConfig,
    #[serde(default)]
    columns: ColumnsConfig,
    #[serde(default)]
    report: ReportConfig,
    #[serde(default)]
    metrics: MetricsConfig,
    #[serde(default, rename = "check")]
    checks: Vec<CheckConfig>,
}

/// Parses a config file's text; an error names the file, the line and the key.
pub fn parse_config(text: &str, file: &Path) -> Result<ConfigFile> {
    toml::from_str(text).map_err(|err| {
        let line = err.span().map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
        let message = err.message().trim().replace('\n', " ");
        match line {
            Some(line) => anyhow::anyhow!("{}: line {line}: {message}", file.display()),
            None => anyhow::anyhow!("{}: {message}", file.display()),
        }
    })
}

pub use crate::metrics::MetricSettings;

/// Everything a command needs, validated: what the engine computes ([`Options`],
/// reached through `Deref`: `settings.by`), and what only the commands use.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// What the engine reads and computes.
    pub engine: Options,
    /// Any rejection is an error.
    pub strict: bool,
    /// Where to write rejected rows.
    pub rejects: Option<PathBuf>,
    /// No stderr summary.
    pub quiet: bool,
    /// The `[[check]]` tables.
    pub checks: Vec<CheckSpec>,
}

impl std::ops::Deref for Settings {
    type Target = Options;

    fn deref(&self) -> &Options {
        &self.engine
    }
}

impl std::ops::DerefMut for Settings {
    fn deref_mut(&mut self) -> &mut Options {
        &mut self.engine
    }
}

impl Settings {
    /// Reads the config file (if any) and merges the flags over it.
    pub fn resolve(input: &InputArgs, group: &GroupArgs, metrics: &[String]) -> Result<Settings> {
        let (file, base, text) = load_config_file(input.config.as_deref())?;
        let config_name = input.config.clone().unwrap_or_else(|| PathBuf::from(DEFAULT_CONFIG));
        let cfg_name = config_name.display().to_string();
        let mut settings = Settings {
            engine: Options {
                min_n: group.min_n.or(file.report.min_n).unwrap_or(30),
                streaming: input.streaming,
                unweighted: input.unweighted,
                progress: !input.quiet && std::io::IsTerminal::is_terminal(&std::io::stderr()),
                ..Options::default()
            },
            strict: input.strict,
            rejects: input.rejects.clone(),
            quiet: input.quiet,
            ..Settings::default()
        };
        settings.inputs = resolve_inputs(input, &file.inputs, &base);
        let mut interaction_columns = file.columns.interactions.mapping();
        if let Some(column) = &file.metrics.complaints.column {
            interaction_columns.entry("complaint".to_string()).or_insert_with(|| column.clone());
        }
        for kind in Kind::ALL {
            let mapping =
                if kind == Kind::Interactions { interaction_columns.clone() } else { file.columns.of(kind).mapping() };
            check_mapping(&cfg_name, kind.as_str(), &mapping)?;
            settings.columns.insert(kind, mapping);
        }
        settings.read = resolve_read(input, &file.inputs, &cfg_name)?;
        settings.window = resolve_window(input, group, &file, &cfg_name)?;
        settings.by = if group.by.is_empty() { file.report.by.clone().unwrap_or_default() } else { group.by.clone() };
        let mut by: Vec<String> = Vec::new();
        for b in settings.by.iter().map(|b| b.trim()).filter(|b| !b.is_empty()) {
            // `--by channel,channel` groups by channel once.
            if !by.iter().any(|seen| seen == b) {
                by.push(b.to_string());
            }
        }
        settings.by = by;
        settings.as_of = group.as_of.as_deref().map(|d| parse_flag_date("--as-of", d)).transpose()?;
        settings.metrics = resolve_metrics(&file.metrics, &cfg_name)?;
        settings.metrics.units = resolve_units(&file.columns, &cfg_name)?;
        if let Some(names) = &file.report.metrics {
            resolve_selection(names).with_context(|| format!("{cfg_name}: [report] metrics"))?;
        }
        let names = if metrics.is_empty() { file.report.metrics.clone().unwrap_or_default() } else { metrics.to_vec() };
        settings.selected = resolve_selection(&names)?;
        settings.checks = file.checks.iter().map(|c| resolve_check(c, &text, &cfg_name)).collect::<Result<_>>()?;
        Ok(settings)
    }
}

/// `[columns.<kind>] units`: the unit of each duration column's plain numbers, by
/// canonical field (`first_response` is `first_response_minutes`).
fn resolve_units(columns: &ColumnsConfig, cfg: &str) -> Result<BTreeMap<String, u32>> {
    let mut units = BTreeMap::new();
    for (kind, config) in Kind::ALL.map(|k| (k.as_str(), columns.of(k))) {
        for (field, unit) in &config.units {
            let Some(canonical) = crate::metrics::durations::duration_field(kind, field) else {
                bail!(
                    "{cfg}: [columns.{kind}] units: '{field}' is not a duration column (durations: {})",
                    crate::metrics::durations::DURATION_FIELDS.join(", ")
                );
            };
            let Some(seconds) = crate::metrics::durations::unit_seconds(unit) else {
                bail!("{cfg}: [columns.{kind}] units: {field} = \"{unit}\": use seconds, minutes, hours or days");
            };
            if units.insert(canonical.to_string(), seconds).is_some() {
                bail!(
                    "{cfg}: [columns.{kind}] units: '{field}' names a duration given a unit already (first_response is first_response_minutes)"
                );
            }
        }
    }
    Ok(units)
}

/// Two keys of one `[columns.<kind>]` naming the same column is an error: one column
/// cannot be two fields.
fn check_mapping(cfg: &str, kind: &str, mapping: &BTreeMap<String, String>) -> Result<()> {
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for (key, header) in mapping {
        if let Some(first) = seen.insert(header.trim().to_string(), key) {
            bail!("{cfg}: [columns.{kind}] {first} and {key} both name the column '{header}': one column is one field");
        }
    }
    Ok(())
}

fn load_config_file(explicit: Option<&Path>) -> Result<(ConfigFile, PathBuf, String)> {
    let path = match explicit {
        Some(p) => p.to_path_buf(),
        None if Path::new(DEFAULT_CONFIG).is_file() => PathBuf::from(DEFAULT_CONFIG),
        None => return Ok((ConfigFile::default(), PathBuf::from("."), String::new())),
    };
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("{}: cannot read config file", path.display()))?;
    let file = parse_config(&text, &path)?;
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    Ok((file, base, text))
}

fn resolve_inputs(input: &InputArgs, file: &InputsConfig, base: &Path) -> BTreeMap<Kind, Vec<PathBuf>> {
    let from_file = |paths: &Option<Paths>| -> Vec<PathBuf> {
        paths.as_ref().map_or_else(Vec::new, |p| p.list().iter().map(|s| base.join(s)).collect())
    };
    let pick = |flag: &Vec<PathBuf>, cfg: &Option<Paths>| if flag.is_empty() { from_file(cfg) } else { flag.clone() };
    let mut inputs = BTreeMap::new();
    inputs.insert(Kind::Surveys, pick(&input.surveys, &file.surveys));
    inputs.insert(Kind::Interactions, pick(&input.interactions, &file.interactions));
    inputs.insert(Kind::Transactions, pick(&input.transactions, &file.transactions));
    inputs.insert(Kind::Customers, pick(&input.customers, &file.customers));
    inputs.insert(Kind::Employees, pick(&input.employees, &file.employees));
    inputs.insert(Kind::EmployeeSurveys, pick(&input.employee_surveys, &file.employee_surveys));
    inputs.retain(|_, v| !v.is_empty());
    inputs
}

fn resolve_read(input: &InputArgs, file: &InputsConfig, cfg: &str) -> Result<ReadOptions> {
    // The file's values are checked even when a flag overrides them.
    let file_delimiter = file
        .delimiter
        .as_deref()
        .map(source::parse_delimiter)
        .transpose()
        .map_err(|e| anyhow::anyhow!("{cfg}: [inputs] delimiter: {e}"))?;
    let file_encoding = file.encoding.as_deref().map(source::parse_encoding).transpose().map_err(|e| {
        anyhow::anyhow!("{cfg}: [inputs] encoding = {:?}: {e:#}", file.encoding.as_deref().unwrap_or(""))
    })?;
    let flag_encoding = input
        .encoding
        .as_deref()
        .map(|l| source::parse_encoding(l).with_context(|| format!("--encoding {l}")))
        .transpose()?;
    let mib = match (input.max_record_mib, file.max_record_mib) {
        (Some(m), _) => Some(m),
        (None, Some(0)) => bail!("{cfg}: [inputs] max_record_mib must be at least 1"),
        (None, m) => m,
    };
    let mut missing: Vec<String> = Vec::new();
    for code in file.missing.iter().chain(&input.missing) {
        let code = code.trim();
        if code.is_empty() {
            bail!("{cfg}: [inputs] missing: an empty code (an empty value is missing already)");
        }
        if !missing.iter().any(|m| m == code) {
            missing.push(code.to_string());
        }
    }
    Ok(ReadOptions {
        delimiter: input.delimiter.or(file_delimiter),
        encoding: flag_encoding.or(file_encoding),
        max_record_bytes: mib.map(|m| usize::try_from(m.saturating_mul(1 << 20)).unwrap_or(usize::MAX)),
        missing,
    })
}

fn resolve_window(input: &InputArgs, group: &GroupArgs, file: &ConfigFile, cfg: &str) -> Result<Window> {
    // The file's values are checked even when a flag overrides them.
    let file_period = file
        .report
        .period
        .as_deref()
        .map(|name| {
            Period::parse(name).with_context(|| {
                format!("{cfg}: [report] period = \"{name}\": use day, week, month, quarter, year or none")
            })
        })
        .transpose()?;
    let period = group.period.map(period_of).or(file_period).unwrap_or(Period::Month);
    let file_tz = file
        .inputs
        .tz
        .as_deref()
        .map(|t| parse_tz(t).map_err(|e| anyhow::anyhow!("{cfg}: [inputs] tz = \"{t}\": {e}")))
        .transpose()?;
    let flag_tz = input.tz.as_deref().map(|t| parse_tz(t).map_err(|e| anyhow::anyhow!("--tz {t}: {e}"))).transpose()?;
    let tz = flag_tz.or(file_tz).unwrap_or_default();
    if let Some(f) = &file.inputs.date_format {
        check_date_format(f).map_err(|e| anyhow::anyhow!("{cfg}: [inputs] date_format = \"{f}\": {e}"))?;
    }
    if let Some(f) = &input.date_format {
        check_date_format(f).map_err(|e| anyhow::anyhow!("--date-format {f}: {e}"))?;
    }
    let format = input.date_format.clone().or_else(|| file.inputs.date_format.clone());
    let from = group.from.as_deref().map(|d| parse_flag_date("--from", d)).transpose()?;
    let to = group.to.as_deref().map(|d| parse_flag_date("--to", d)).transpose()?;
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        bail!("--from {f} is after --to {t}");
    }
    Ok(Window { period, from, to, dates: DateParser { format, tz } })
}

/// Checks a strftime format: not empty, every `%` directive known, and a day in it.
fn check_date_format(format: &str) -> Result<(), String> {
    use chrono::format::{Item, StrftimeItems};
    if format.trim().is_empty() {
        return Err("an empty format matches no date".to_string());
    }
    if StrftimeItems::new(format).any(|item| matches!(item, Item::Error)) {
        return Err("not a valid strftime format (e.g. %d/%m/%Y, %Y%m%d or '%d-%m-%Y %H:%M')".to_string());
    }
    // A day in any padding (`%-d`, `%_d`, `%0d`) too.
    let day_item = StrftimeItems::new(format).any(|item| {
        use chrono::format::Numeric;
        matches!(item, Item::Numeric(Numeric::Day | Numeric::Ordinal | Numeric::Timestamp, _))
    });
    let has_day = day_item || ["%d", "%e", "%j", "%F", "%D", "%x", "%c", "%+", "%s"].iter().any(|d| format.contains(d));
    if !has_day {
        return Err("the format has no day (%d) in it".to_string());
    }
    // chrono reads a time only with its minute: an hour alone would be dropped unread.
    let numeric = |wanted: &[chrono::format::Numeric]| {
        StrftimeItems::new(format).any(|item| matches!(item, Item::Numeric(n, _) if wanted.contains(&n)))
    };
    use chrono::format::Numeric::{Hour, Hour12, Minute};
    if numeric(&[Hour, Hour12]) && !numeric(&[Minute]) {
        return Err("an hour without a minute: chrono reads no time then, and the hour would be ignored (give %H:%M)"
            .to_string());
    }
    Ok(())
}

fn period_of(p: PeriodArg) -> Period {
    match p {
        PeriodArg::Day => Period::Day,
        PeriodArg::Week => Period::Week,
        PeriodArg::Month => Period::Month,
        PeriodArg::Quarter => Period::Quarter,
        PeriodArg::Year => Period::Year,
        PeriodArg::None => Period::None,
    }
}

/// Parses a YYYY-MM-DD flag value; the error names the flag.
pub fn parse_flag_date(flag: &str, value: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d")
        .with_context(|| format!("{flag} {value}: not a date (use YYYY-MM-DD)"))
}

fn check_scale(cfg: &str, section: &str, scale: [i32; 2]) -> Result<(i32, i32)> {
    if scale[0] >= scale[1] {
        bail!(
            "{cfg}: [metrics.{section}] scale = [{}, {}]: the first value must be below the second",
            scale[0],
            scale[1]
        );
    }
    Ok((scale[0], scale[1]))
}

/// `[metrics.csat]` (or `[metrics.esat]`, SPEC §12: the same keys): scale, satisfied_min,
/// bottom_max and rating labels.
fn resolve_csat(section: &CsatConfig, name: &str, cfg: &str) -> Result<CsatOptions> {
    let mut csat = CsatOptions::default();
    let labels = match &section.labels {
        None => None,
        Some(LabelsConfig::Preset(preset)) => Some(match preset.as_str() {
            "zh-5" => Labels::zh_5(),
            "good-bad" => Labels::good_bad(),
            other => bail!(
                "{cfg}: [metrics.{name}] labels = \"{other}\": use \"zh-5\", \"good-bad\" or a map such as {{ \"very satisfied\" = 5 }}"
            ),
        }),
        Some(LabelsConfig::Map(map)) if map.is_empty() => bail!("{cfg}: [metrics.{name}] labels: an empty map"),
        Some(LabelsConfig::Map(map)) => {
            let labels = Labels::custom(map);
            if let Some((word, _)) = labels.entries.iter().find(|(w, _)| w.is_empty()) {
                bail!("{cfg}: [metrics.{name}] labels: a blank label ('{word}') matches no answer");
            }
            let clash = |i: usize| labels.entries[..i].iter().find(|(w, _)| *w == labels.entries[i].0);
            if let Some(i) = (0..labels.entries.len()).find(|&i| clash(i).is_some()) {
                bail!(
                    "{cfg}: [metrics.{name}] labels: two labels are one word in any case with spaces around ignored ('{}'): give each once",
                    labels.entries[i].0
                );
            }
            Some(labels)
        }
    };
    if let Some(labels) = &labels
        && labels.binary
    {
        // good/bad: a share of good answers, the bottom box the share of bad ones.
        if section.scale.is_some() || section.satisfied_min.is_some() {
            bail!(
                "{cfg}: [metrics.{name}] labels = \"good-bad\" sets the scale (bad 0, good 1): leave out scale and satisfied_min"
            );
        }
        csat.scale = (0, 1);
        csat.satisfied_min = 1;
        csat.bottom_max = Some(0);
    }
    if let Some(scale) = section.scale {
        csat.scale = check_scale(cfg, name, scale)?;
        csat.satisfied_min = csat.scale.1 - 1;
    }
    if let Some(min) = section.satisfied_min {
        csat.satisfied_min = min;
    }
    if !(csat.scale.0..=csat.scale.1).contains(&csat.satisfied_min) {
        bail!(
            "{cfg}: [metrics.{name}] satisfied_min = {} is outside the scale {}..{}",
            csat.satisfied_min,
            csat.scale.0,
            csat.scale.1
        );
    }
    csat.bottom_max = section.bottom_max.or(csat.bottom_max);
    if let Some(labels) = labels {
        if let Some((word, score)) = labels.entries.iter().find(|(_, s)| !(csat.scale.0..=csat.scale.1).contains(s)) {
            bail!(
                "{cfg}: [metrics.{name}] labels: '{word}' = {score} is outside the scale {}..{}",
                csat.scale.0,
                csat.scale.1
            );
        }
        // Leaked once per run: the labels live as long as the program.
        csat.labels = Some(Box::leak(Box::new(labels)));
    }
    if !(csat.scale.0..=csat.scale.1).contains(&csat.bottom_max()) {
        bail!(
            "{cfg}: [metrics.{name}] bottom_max = {} is outside the scale {}..{}",
            csat.bottom_max(),
            csat.scale.0,
            csat.scale.1
        );
    }
    Ok(csat)
}

fn resolve_metrics(file: &MetricsConfig, cfg: &str) -> Result<MetricSettings> {
    let csat = resolve_csat(&file.csat, "csat", cfg)?;
    let esat = resolve_csat(&file.esat, "esat", cfg)?;
    let servqual = resolve_servqual(&file.servqual, cfg)?;
    let direction = match file.ces.direction.as_deref() {
        None | Some("agree") => CesDirection::Agree,
        Some("effort") => CesDirection::Effort,
        Some(other) => bail!("{cfg}: [metrics.ces] direction = \"{other}\": use \"agree\" or \"effort\""),
    };
    let scale = file.ces.scale.map(|s| check_scale(cfg, "ces", s)).transpose()?.unwrap_or((1, 7));
    let mut ces = CesOptions::new(scale, direction);
    let threshold = match direction {
        CesDirection::Agree if file.ces.good_max.is_some() => {
            bail!("{cfg}: [metrics.ces] good_max goes with direction = \"effort\"; with \"agree\" set good_min")
        }
        CesDirection::Effort if file.ces.good_min.is_some() => {
            bail!("{cfg}: [metrics.ces] good_min goes with direction = \"agree\"; with \"effort\" set good_max")
        }
        CesDirection::Agree => file.ces.good_min,
        CesDirection::Effort => file.ces.good_max,
    };
    if let Some(t) = threshold {
        ces.threshold = t;
    }
    if !(scale.0..=scale.1).contains(&ces.threshold) {
        bail!("{cfg}: [metrics.ces] threshold {} is outside the scale {}..{}", ces.threshold, scale.0, scale.1);
    }
    let interval = match file.nps.interval.as_deref() {
        None | Some("adjusted-wald") => NpsInterval::AdjustedWald,
        Some("wald") => NpsInterval::Wald,
        Some(other) => bail!("{cfg}: [metrics.nps] interval = \"{other}\": use \"adjusted-wald\" or \"wald\""),
    };
    let fcr = resolve_fcr(&file.fcr, cfg)?;
    if let Some(m) =
        file.sla.minutes.into_iter().chain(file.sla.per_channel.values().copied()).find(|m| *m < 0.0 || !m.is_finite())
    {
        bail!("{cfg}: [metrics.sla] {m} is not a number of minutes ≥ 0");
    }
    let sla = SlaOptions { minutes: file.sla.minutes, per_channel: file.sla.per_channel.clone() };
    if let Some(h) = file
        .resolution
        .hours
        .into_iter()
        .chain(file.resolution.per_priority.values().copied())
        .find(|h| *h < 0.0 || !h.is_finite())
    {
        bail!("{cfg}: [metrics.resolution] {h} is not a number of hours ≥ 0");
    }
    let resolution =
        ResolutionOptions { hours: file.resolution.hours, per_priority: file.resolution.per_priority.clone() };
    Ok(MetricSettings {
        csat,
        esat,
        servqual,
        ces,
        nps: NpsOptions { interval },
        fcr,
        complaint_value: file.complaints.value.clone(),
        sla,
        resolution,
        retention: match file.retention.variant.as_deref() {
            None | Some("classic") => RetentionVariant::Classic,
            Some("crr") => RetentionVariant::Crr,
            Some(other) => bail!("{cfg}: [metrics.retention] variant = \"{other}\": use \"classic\" or \"crr\""),
        },
        clv: resolve_clv(&file.clv, cfg)?,
        units: BTreeMap::new(),
    })
}

fn resolve_clv(file: &ClvConfig, cfg: &str) -> Result<ClvOptions> {
    let mut options = ClvOptions::default();
    if let Some(rate) = file.annual_discount_rate {
        options.annual_discount_rate = check_rate(rate, &format!("{cfg}: [metrics.clv] annual_discount_rate"))?;
    }
    options.horizon = match &file.horizon {
        None => None,
        Some(HorizonConfig::Periods(h)) => Some(check_horizon(*h, &format!("{cfg}: [metrics.clv] horizon"))?),
        Some(HorizonConfig::Named(name)) if name == "infinite" => None,
        Some(HorizonConfig::Named(other)) => {
            bail!("{cfg}: [metrics.clv] horizon = \"{other}\": use \"infinite\" or a number of periods")
        }
    };
    options.timing = match file.timing.as_deref() {
        None | Some("end") => Timing::End,
        Some("start") => Timing::Start,
        Some(other) => bail!("{cfg}: [metrics.clv] timing = \"{other}\": use \"end\" or \"start\""),
    };
    options.acquisition_cost =
        file.acquisition_cost.map(|c| check_cost(c, &format!("{cfg}: [metrics.clv] acquisition_cost"))).transpose()?;
    options.margin_rate =
        file.margin_rate.map(|r| check_rate(r, &format!("{cfg}: [metrics.clv] margin_rate"))).transpose()?;
    Ok(options)
}

/// The longest CLV horizon accepted, in periods.
pub const MAX_HORIZON: i64 = 10_000;

/// Checks a rate given as a fraction (0.10 = 10%): finite and in 0..=1.
pub fn check_rate(rate: f64, what: &str) -> Result<f64> {
    if !rate.is_finite() || !(0.0..=1.0).contains(&rate) {
        bail!("{what} = {rate}: give a fraction between 0 and 1, e.g. 0.10 for 10%");
    }
    Ok(rate)
}

/// Checks a CLV horizon: a whole number of periods from 1 to [`MAX_HORIZON`].
pub fn check_horizon(h: i64, what: &str) -> Result<u32> {
    if !(1..=MAX_HORIZON).contains(&h) {
        bail!("{what} = {h}: give a number of periods from 1 to {MAX_HORIZON}, or \"infinite\"");
    }
    Ok(h as u32)
}

/// Checks an acquisition cost: a finite amount of 0 or more.
pub fn check_cost(cost: f64, what: &str) -> Result<f64> {
    if !cost.is_finite() || cost < 0.0 {
        bail!("{what} = {cost}: give an amount of 0 or more");
    }
    Ok(cost)
}

fn resolve_fcr(file: &FcrConfig, cfg: &str) -> Result<FcrOptions> {
    let method = match file.method.as_deref() {
        None | Some("auto") => None,
        Some("flag") => Some(FcrMethod::Flag),
        Some("repeat-window") => Some(FcrMethod::RepeatWindow),
        Some(other) => bail!("{cfg}: [metrics.fcr] method = \"{other}\": use \"flag\" or \"repeat-window\""),
    };
    let denominator_all = match file.denominator.as_deref() {
        None | Some("resolved") => false,
        Some("all") => true,
        Some(other) => bail!("{cfg}: [metrics.fcr] denominator = \"{other}\": use \"resolved\" or \"all\""),
    };
    let window_days = file.window_days.unwrap_or(7);
    if window_days == 0 {
        bail!("{cfg}: [metrics.fcr] window_days must be at least 1");
    }
    Ok(FcrOptions { method, window_days, denominator_all })
}

fn resolve_check(c: &CheckConfig, text: &str, cfg: &str) -> Result<CheckSpec> {
    let line = text[..c.metric.span().start.min(text.len())].matches('\n').count() + 1;
    let at = format!("{cfg}: line {line}");
    let name = c.metric.get_ref();
    let metric = MetricId::parse(name).with_context(|| {
        let known: Vec<&str> = MetricId::ALL.iter().map(|m| m.as_str()).collect();
        format!("{at}: [[check]] metric = \"{name}\": unknown metric; known metrics: {}", known.join(", "))
    })?;
    let mut spec = CheckSpec::new(metric, &at);
    spec.min = c.min;
    spec.max = c.max;
    spec.level = match c.level.as_deref() {
        None | Some("error") => Level::Error,
        Some("warn") | Some("warning") => Level::Warn,
        Some(other) => bail!("{at}: [[check]] level = \"{other}\": use \"error\" or \"warn\""),
    };
    spec.bound = match c.bound.as_deref() {
        None | Some("value") => Bound::Value,
        Some("ci_low") => Bound::CiLow,
        Some("ci_high") => Bound::CiHigh,
        Some(other) => bail!("{at}: [[check]] bound = \"{other}\": use \"value\", \"ci_low\" or \"ci_high\""),
    };
    spec.scope = match c.period.as_deref() {
        None | Some("latest") => Scope::Latest,
        Some("all") => Scope::All,
        Some(other) => bail!("{at}: [[check]] period = \"{other}\": use \"latest\" or \"all\""),
    };
    spec.insufficient_fails = match c.insufficient.as_deref() {
        None | Some("skip") => false,
        Some("fail") => true,
        Some(other) => bail!("{at}: [[check]] insufficient = \"{other}\": use \"skip\" or \"fail\""),
    };
    spec.min_n = c.min_n;
    spec.filter = c.filter.clone();
    spec.max_drop = c.max_drop;
    spec.significant = c.significant.unwrap_or(false);
    spec.alpha = c.alpha.unwrap_or(0.05);
    spec.allow_rejected = c.allow_rejected.unwrap_or(false);
    checks::validate(&spec, &at)?;
    Ok(spec)
}

fn resolve_selection(names: &[String]) -> Result<Option<Vec<MetricId>>> {
    if names.is_empty() {
        return Ok(None);
    }
    let mut ids = Vec::new();
    for name in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        let id = MetricId::parse(name).with_context(|| {
            let known: Vec<&str> = MetricId::ALL.iter().map(|m| m.as_str()).collect();
            format!("unknown metric '{name}'; known metrics: {}", known.join(", "))
        })?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    Ok(Some(ids))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_name_the_line_and_key() {
        let text = "[inputs]\nsurveys = \"s.csv\"\n\n[metrics.csat]\nscale = [1, 5]\nsatisfied = 4\n";
        let err = parse_config(text, Path::new("servq.toml")).unwrap_err().to_string();
        assert!(err.starts_with("servq.toml: line 6: unknown field `satisfied`"), "{err}");
    }

    #[test]
    fn syntax_errors_name_the_line() {
        let err = parse_config("[inputs\n", Path::new("c.toml")).unwrap_err().to_string();
        assert!(err.starts_with("c.toml: line 1: "), "{err}");
    }

    #[test]
    fn metric_options_from_the_file() {
        let text = "[metrics.csat]\nscale = [1, 10]\n[metrics.ces]\ndirection = \"effort\"\nscale = [1, 5]\n[metrics.nps]\ninterval = \"wald\"\n";
        let file = parse_config(text, Path::new("c.toml")).unwrap();
        let m = resolve_metrics(&file.metrics, "c.toml").unwrap();
        assert_eq!(m.csat, CsatOptions { scale: (1, 10), satisfied_min: 9, bottom_max: None, labels: None });
        assert_eq!(m.ces.threshold, 2);
        assert_eq!(m.nps.interval, NpsInterval::Wald);
    }

    #[test]
    fn bad_metric_options_are_errors() {
        let file = parse_config("[metrics.csat]\nsatisfied_min = 6\n", Path::new("c.toml")).unwrap();
        let err = resolve_metrics(&file.metrics, "c.toml").unwrap_err().to_string();
        assert_eq!(err, "c.toml: [metrics.csat] satisfied_min = 6 is outside the scale 1..5");
        assert!(resolve_selection(&["nps".into(), "bogus".into()]).is_err());
        assert_eq!(
            resolve_selection(&["NPS".into(), "csat".into()]).unwrap(),
            Some(vec![MetricId::Nps, MetricId::Csat])
        );
    }
}
