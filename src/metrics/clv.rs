//! Discounted customer lifetime value (SPEC §4).
//!
//! Per group (default: overall), from transactions:
//! - m = average margin per active customer per period = Σ margin / Σ customer-periods
//!   (uses `margin`; without it `revenue × margin_rate`);
//! - r = retention per period, pooled over the window: Σ retained / Σ at risk (see
//!   [`super::retention`]);
//! - d = discount rate per period from the annual rate (default 10%):
//!   d = (1 + annual)^(1 / periods_per_year) − 1.
//!
//! Default (infinite horizon, margin at the end of each period, Gupta & Lehmann):
//! `clv = m × r / (1 + d − r)`; `r / (1 + d − r)` is the margin multiple.
//! `horizon = H`: `clv = Σ_{t=1..H} m × r^t / (1 + d)^t`.
//! `timing = "start"`: the current period's margin counts too:
//! `clv = m × (1 + d) / (1 + d − r)`, and the finite sum runs from t = 0 to H.
//! `acquisition_cost` is subtracted from clv when given.

/// When in a period the margin arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Timing {
    /// At the end of each period (the default): the first margin is discounted.
    #[default]
    End,
    /// At the start: the current period's margin is counted undiscounted.
    Start,
}

impl Timing {
    /// The timing's name in config and output.
    pub fn as_str(self) -> &'static str {
        match self {
            Timing::End => "end",
            Timing::Start => "start",
        }
    }
}

/// CLV settings (`[metrics.clv]` and the what-if flags).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClvOptions {
    /// The annual discount rate (0.10 = 10% a year).
    pub annual_discount_rate: f64,
    /// Periods to sum over; `None` is infinite.
    pub horizon: Option<u32>,
    /// When margin arrives.
    pub timing: Timing,
    /// Subtracted from clv when given.
    pub acquisition_cost: Option<f64>,
    /// Margin as a share of revenue, used when there is no margin column.
    pub margin_rate: Option<f64>,
    /// What-if: use this retention (fraction) instead of the estimate.
    pub retention: Option<f64>,
    /// What-if: use this margin per customer per period instead of the estimate.
    pub margin: Option<f64>,
}

impl Default for ClvOptions {
    fn default() -> Self {
        ClvOptions {
            annual_discount_rate: 0.10,
            horizon: None,
            timing: Timing::End,
            acquisition_cost: None,
            margin_rate: None,
            retention: None,
            margin: None,
        }
    }
}

/// The discount rate per period: (1 + annual)^(1 / periods_per_year) − 1.
pub fn period_discount_rate(annual: f64, periods_per_year: f64) -> f64 {
    (1.0 + annual).powf(1.0 / periods_per_year) - 1.0
}

/// The margin multiple: clv per unit of margin m (before acquisition cost).
/// Infinite end: r / (1 + d − r); infinite start: (1 + d) / (1 + d − r); finite:
/// Σ (r / (1 + d))^t over t = 1..H (end) or t = 0..H (start).
pub fn margin_multiple(r: f64, d: f64, horizon: Option<u32>, timing: Timing) -> f64 {
    match horizon {
        None => match timing {
            Timing::End => r / (1.0 + d - r),
            Timing::Start => (1.0 + d) / (1.0 + d - r),
        },
        Some(h) => {
            let first = match timing {
                Timing::End => 1,
                Timing::Start => 0,
            };
            (first..=h as i32).map(|t| (r / (1.0 + d)).powi(t)).sum()
        }
    }
}

/// One CLV result with every parameter used, so it can be checked by hand.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Clv {
    /// Distinct customers in the group.
    pub customers: u64,
    /// Margin per active customer per period.
    pub m: f64,
    /// Retention per period (fraction).
    pub r: f64,
    /// Discount rate per period (fraction).
    pub d: f64,
    /// The margin multiple.
    pub margin_multiple: f64,
    /// m × margin multiple − acquisition cost.
    pub clv: f64,
}

/// Computes CLV from m and r (after any what-if overrides in `options`).
pub fn clv(customers: u64, m: f64, r: f64, periods_per_year: f64, options: &ClvOptions) -> Clv {
    let m = options.margin.unwrap_or(m);
    let r = options.retention.unwrap_or(r);
    let d = period_discount_rate(options.annual_discount_rate, periods_per_year);
    let multiple = margin_multiple(r, d, options.horizon, options.timing);
    Clv { customers, m, r, d, margin_multiple: multiple, clv: m * multiple - options.acquisition_cost.unwrap_or(0.0) }
}

/// The definition as printed in report footers.
pub fn definition(options: &ClvOptions) -> String {
    let formula = match (options.horizon, options.timing) {
        (None, Timing::End) => "m × r / (1 + d − r)".to_string(),
        (None, Timing::Start) => "m × (1 + d) / (1 + d − r)".to_string(),
        (Some(h), Timing::End) => format!("Σ_(t=1..{h}) m × r^t / (1 + d)^t"),
        (Some(h), Timing::Start) => format!("Σ_(t=0..{h}) m × r^t / (1 + d)^t"),
    };
    let cost = options.acquisition_cost.map_or(String::new(), |c| format!(" − acquisition cost {c}"));
    format!(
        "clv = {formula}{cost}; m = margin per active customer per period, r = pooled retention Σ kept / Σ at risk, d = (1 + {})^(1/periods per year) − 1",
        options.annual_discount_rate
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn spec_example_m100_r080_d010() {
        let options = ClvOptions { annual_discount_rate: 0.10, ..ClvOptions::default() };
        let c = clv(0, 100.0, 0.8, 1.0, &options);
        assert!(close(c.d, 0.10));
        assert!(close(c.margin_multiple, 0.8 / 0.3), "{}", c.margin_multiple);
        assert!(close(c.clv, 800.0 / 3.0));
        assert_eq!(format!("{:.4} {:.2}", c.margin_multiple, c.clv), "2.6667 266.67");
    }

    #[test]
    fn finite_horizon_by_hand() {
        // H = 3, r = 0.8, d = 0.1: 0.8/1.1 + 0.64/1.21 + 0.512/1.331
        let expected = 0.8 / 1.1 + 0.64 / 1.21 + 0.512 / 1.331;
        assert!(close(margin_multiple(0.8, 0.1, Some(3), Timing::End), expected));
        assert!(close(margin_multiple(0.8, 0.1, Some(3), Timing::Start), 1.0 + expected));
    }

    #[test]
    fn start_timing_and_acquisition_cost() {
        // (1 + d) / (1 + d − r) = 1.1 / 0.3
        assert!(close(margin_multiple(0.8, 0.1, None, Timing::Start), 1.1 / 0.3));
        let options = ClvOptions { acquisition_cost: Some(50.0), ..ClvOptions::default() };
        assert!(close(clv(0, 100.0, 0.8, 1.0, &options).clv, 800.0 / 3.0 - 50.0));
    }

    #[test]
    fn monthly_discount_rate_from_annual() {
        let d = period_discount_rate(0.10, 12.0);
        assert!(close((1.0 + d).powi(12), 1.10));
        assert!(close(period_discount_rate(0.10, 1.0), 0.10));
    }

    #[test]
    fn overrides_win_over_estimates() {
        let options = ClvOptions { retention: Some(0.8), margin: Some(100.0), ..ClvOptions::default() };
        let c = clv(10, 3.0, 0.1, 1.0, &options);
        assert!(close(c.clv, 800.0 / 3.0));
        assert_eq!(c.customers, 10);
    }
}
