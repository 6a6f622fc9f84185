//! `servq clv`: discounted customer lifetime value per group, with every parameter
//! used, and what-if overrides (`--retention`, `--margin`, `--annual-discount-rate`).

use anyhow::{Context, Result, bail};

use super::{account_quality, format_without_xlsx, guard_outputs, nothing_to_report, open_output};
use crate::cli::{ClvArgs, TimingArg};
use crate::compute::customers::{clv_money_suspect, clv_rows};
use crate::config::{Settings, check_cost, check_horizon, check_rate};
use crate::error::Outcome;
use crate::input::{DataQuality, Kind};
use crate::metrics::MetricId;
use crate::metrics::clv::{self, Timing};
use crate::period::Period;
use crate::report::clv::ClvReport;
use crate::report::exporter;

/// Applies the command-line what-if flags over `[metrics.clv]`.
fn apply_flags(args: &ClvArgs, settings: &mut Settings) -> Result<()> {
    let per_year = settings.window.period.per_year();
    let options = &mut settings.engine.metrics.clv;
    if let Some(r) = args.retention {
        if !(0.0..=1.0).contains(&r) {
            bail!("--retention {r}: give retention per period as a fraction between 0 and 1 (e.g. 0.8)");
        }
        options.retention = Some(r);
    }
    if let Some(m) = args.margin {
        if !m.is_finite() {
            bail!("--margin {m}: not a number");
        }
        options.margin = Some(m);
    }
    if let Some(d) = args.annual_discount_rate {
        options.annual_discount_rate = check_rate(d, "--annual-discount-rate")?;
    }
    if let Some(h) = &args.horizon {
        options.horizon = match h.trim() {
            "infinite" => None,
            text => match text.parse::<i64>() {
                Ok(n) => Some(check_horizon(n, "--horizon")?),
                Err(_) => bail!("--horizon {text}: give a number of periods (1 to 10000) or infinite"),
            },
        };
    }
    if let Some(t) = args.timing {
        options.timing = match t {
            TimingArg::End => Timing::End,
            TimingArg::Start => Timing::Start,
        };
    }
    if let Some(c) = args.acquisition_cost {
        options.acquisition_cost = Some(check_cost(c, "--acquisition-cost")?);
    }
    if let Some(rate) = args.margin_rate {
        options.margin_rate = Some(check_rate(rate, "--margin-rate")?);
    }
    let d = clv::period_discount_rate(options.annual_discount_rate, per_year);
    if let Some(r) = options.retention
        && options.horizon.is_none()
        && r >= 1.0 + d
    {
        bail!("--retention {r} with a discount rate of {d} per period: r ≥ 1 + d makes CLV infinite; set --horizon");
    }
    Ok(())
}

/// Runs `servq clv`.
pub fn run(args: &ClvArgs) -> Result<Outcome> {
    let mut settings = Settings::resolve(&args.input, &args.group, &[])?;
    apply_flags(args, &mut settings)?;
    settings.engine.stats = super::stats_source(args.stats.as_ref(), &args.engine)?;
    if settings.window.period == Period::None {
        bail!("--period none: clv needs a period length (the retention and discount rate are per period)");
    }
    let format = format_without_xlsx(args.out.format, args.out.output.as_deref())?;
    guard_outputs(&settings, &[("-o", args.out.output.as_deref())])?;
    let mut out = open_output(args.out.output.as_deref())?;
    let options = settings.metrics.clv;
    let empty = DataQuality::default();
    let loaded;
    let from_stats;
    let (rows, quality) = if settings.stats.is_some() {
        // The statistics of `servq sql` (SPEC §13): CLV's counts and sums per group.
        let flag = if args.stats.is_some() { "clv --stats" } else { "clv --engine" };
        super::refuse_row_flags(&settings, flag)?;
        settings.engine.selected = Some(vec![MetricId::Clv]);
        from_stats = crate::compute::run(&settings)?;
        account_quality(&settings, &from_stats.quality, &from_stats.notes)?;
        (from_stats.clv_rows.clone(), &from_stats.quality)
    } else if settings.inputs.contains_key(&Kind::Transactions) {
        loaded = crate::compute::load(&settings, &[MetricId::Clv])?;
        let table = loaded.tables.get(&Kind::Transactions).context("transactions were not read")?;
        let data = loaded.customers.as_ref().context("transactions were not summarised")?;
        let (rows, notes) = if loaded.quality.files.iter().all(|f| f.rows_used == 0) {
            (Vec::new(), Vec::new())
        } else {
            let as_of = settings.as_of.or(table.latest_date);
            let (rows, mut notes) = clv_rows(table, data, &settings, &loaded.dictionaries, as_of)?;
            notes.extend(clv_money_suspect(table, &settings, &loaded.quality));
            (rows, notes)
        };
        account_quality(&settings, &loaded.quality, &notes)?;
        if loaded.quality.files.iter().all(|f| f.rows_used == 0) {
            return Err(nothing_to_report(&loaded.quality, &[]));
        }
        (rows, &loaded.quality)
    } else if let (Some(r), Some(m)) = (options.retention, options.margin) {
        if !settings.by.is_empty() {
            bail!("--by needs transactions: a what-if without data has no groups");
        }
        (vec![(Vec::new(), clv::clv(0, m, r, settings.window.period.per_year(), &options), 0)], &empty)
    } else {
        bail!("clv needs transactions (--transactions FILE…), or both --retention and --margin for a what-if");
    };
    if rows.is_empty() {
        bail!(
            "clv: no group has a complete period with active customers followed by another: retention cannot be estimated"
        );
    }
    let report = ClvReport { by: &settings.by, rows, options, period: settings.window.period, quality };
    exporter(format, false).render(&report, &mut out)?;
    out.commit()?;
    super::finish_rejects(&settings, quality)?;
    Ok(Outcome::Success)
}
