//! Intervals and tests shared by all KPIs.
//!
//! All functions work on the fraction scale (0..1, or −1..1 for NPS); the metric
//! modules scale to percent or points. Every interval is a two-sided 95% interval.

use statrs::distribution::{ContinuousCDF, Normal, StudentsT};
use statrs::function::gamma::{gamma_lr, gamma_ur, ln_gamma};

/// The 97.5% quantile of the standard normal distribution.
pub const Z95: f64 = 1.959_963_984_540_054;

/// Wilson score interval for a proportion of `successes` out of `n` trials.
/// Returns `None` when `n` is 0.
pub fn wilson(successes: u64, n: u64) -> Option<(f64, f64)> {
    if n == 0 {
        return None;
    }
    wilson_share(successes as f64 / n as f64, n as f64)
}

/// Wilson score interval for a share `p` observed on a sample of (effective) size `n`,
/// which may be fractional: Kish's n_eff for weighted responses (SPEC §14). `None`
/// when `n` is not positive.
pub fn wilson_share(p: f64, n: f64) -> Option<(f64, f64)> {
    if n <= 0.0 || !p.is_finite() {
        return None;
    }
    let z2 = Z95 * Z95;
    let denominator = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denominator;
    let half = Z95 / denominator * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    // At 0 and at n the bound is exactly 0 or 1 (rounding would leave 1e-17 above 0).
    let low = if p <= 0.0 { 0.0 } else { (centre - half).max(0.0) };
    let high = if p >= 1.0 { 1.0 } else { (centre + half).min(1.0) };
    Some((low, high))
}

/// Per-respondent variance of NPS with scores +1 / 0 / −1:
/// `var = p + d − (p − d)²` for promoter share `p` and detractor share `d`.
pub fn nps_variance(p: f64, d: f64) -> f64 {
    p + d - (p - d).powi(2)
}

/// Standard error of NPS (fraction scale): `sqrt(var / n)`. `None` when `n` is 0.
/// The counts may be weighted sums and `n` Kish's effective n (SPEC §14).
pub fn nps_se(promoters: f64, detractors: f64, n: f64) -> Option<f64> {
    if n <= 0.0 {
        return None;
    }
    Some((nps_variance(promoters / n, detractors / n) / n).sqrt())
}

/// Wald 95% interval for NPS (fraction scale): `nps ± z·se`, clipped to −1..1.
pub fn nps_wald(promoters: f64, detractors: f64, n: f64) -> Option<(f64, f64)> {
    let se = nps_se(promoters, detractors, n)?;
    let nps = (promoters - detractors) / n;
    Some(clip_nps(nps - Z95 * se, nps + Z95 * se))
}

/// Adjusted-Wald 95% interval for NPS (fraction scale): add 3 to n and ¾ to both
/// promoters and detractors, then Wald on the adjusted shares; clipped to −1..1.
pub fn nps_adjusted_wald(promoters: f64, detractors: f64, n: f64) -> Option<(f64, f64)> {
    if n <= 0.0 {
        return None;
    }
    let n = n + 3.0;
    let p = (promoters + 0.75) / n;
    let d = (detractors + 0.75) / n;
    let se = (nps_variance(p, d) / n).sqrt();
    Some(clip_nps(p - d - Z95 * se, p - d + Z95 * se))
}

fn clip_nps(low: f64, high: f64) -> (f64, f64) {
    (low.max(-1.0), high.min(1.0))
}

/// Exact (Garwood) 95% interval for a Poisson count `k`:
/// lower = χ²(0.025; 2k) / 2 (0 when k = 0), upper = χ²(0.975; 2k + 2) / 2; that is,
/// the λ with P(X ≥ k; λ) = 0.025 and the λ with P(X ≤ k; λ) = 0.025.
///
/// Solved to full double precision by Newton's method on the regularized incomplete
/// gamma function (P(X ≤ k; λ) = Q(k + 1, λ), P(X ≥ k; λ) = P(k, λ)), kept inside a
/// shrinking bracket: statrs 0.18's chi-square quantile stops too early for 2k ≈ 250–320
/// (k = 132: 0.1% off).
pub fn poisson_garwood(k: u64) -> (f64, f64) {
    let kf = k as f64;
    let lower = if k == 0 {
        0.0
    } else {
        // P(k, λ) rises with λ; its derivative is the Poisson pmf of k − 1 at λ.
        solve_rising(|x| gamma_lr(kf, x) - 0.025, |x| poisson_pmf(kf - 1.0, x), (0.0, kf))
    };
    // Q(k + 1, λ) falls with λ: solve 0.025 − Q = 0, rising; derivative pmf(k; λ).
    let span = 10.0 * (kf + 1.0).sqrt() + 10.0;
    let upper = solve_rising(|x| 0.025 - gamma_ur(kf + 1.0, x), |x| poisson_pmf(kf, x), (kf, kf + span));
    (lower, upper)
}

/// The Poisson probability of `i` at mean `lambda` (computed in logs).
fn poisson_pmf(i: f64, lambda: f64) -> f64 {
    (i * lambda.ln() - lambda - ln_gamma(i + 1.0)).exp()
}

/// The root of a rising function `f` (derivative `df`) in the bracket `(lo, hi)`:
/// Newton steps, falling back to bisection when a step leaves the bracket.
fn solve_rising(f: impl Fn(f64) -> f64, df: impl Fn(f64) -> f64, bracket: (f64, f64)) -> f64 {
    let (mut lo, mut hi) = bracket;
    let mut x = 0.5 * (lo + hi);
    for _ in 0..200 {
        let y = f(x);
        if y == 0.0 {
            return x;
        }
        if y > 0.0 {
            hi = x;
        } else {
            lo = x;
        }
        let slope = df(x);
        let newton = x - y / slope;
        let next = if slope > 0.0 && newton > lo && newton < hi { newton } else { 0.5 * (lo + hi) };
        if (next - x).abs() <= 1e-15 * x.abs().max(1e-300) || hi - lo <= 1e-15 * hi {
            return next;
        }
        x = next;
    }
    x
}

/// Student-t 95% interval for a mean with sample standard deviation `sd` over `n`
/// values (n − 1 degrees of freedom; `n` may be Kish's effective n of weighted
/// responses). `None` when `n < 2`.
pub fn mean_t_interval(mean: f64, sd: f64, n: f64) -> Option<(f64, f64)> {
    if n.is_nan() || n < 2.0 {
        return None;
    }
    let t = StudentsT::new(0.0, 1.0, n - 1.0).ok()?.inverse_cdf(0.975);
    let half = t * sd / n.sqrt();
    Some((mean - half, mean + half))
}

/// Two-sided p-value of a standard normal test statistic.
pub fn two_sided_p(z: f64) -> f64 {
    let normal = Normal::standard();
    2.0 * (1.0 - normal.cdf(z.abs()))
}

/// z statistic of the difference of two estimates with standard errors `se1`, `se2`:
/// `z = Δ / sqrt(se1² + se2²)`. `None` when both errors are 0.
pub fn difference_z(delta: f64, se1: f64, se2: f64) -> Option<f64> {
    let pooled = (se1 * se1 + se2 * se2).sqrt();
    (pooled > 0.0).then(|| delta / pooled)
}

/// Two-sided p-value of Welch's t test for the difference of two means (sample
/// standard deviations `sd1`, `sd2` over `n1`, `n2` values), with the
/// Welch–Satterthwaite degrees of freedom. `None` when a sample has fewer than 2
/// values or both variances are 0. The sizes may be effective (weighted) sizes.
pub fn welch_p(mean1: f64, sd1: f64, n1: f64, mean2: f64, sd2: f64, n2: f64) -> Option<f64> {
    if n1.is_nan() || n2.is_nan() || n1 < 2.0 || n2 < 2.0 {
        return None;
    }
    let (a, b) = (sd1 * sd1 / n1, sd2 * sd2 / n2);
    if a + b == 0.0 {
        return None;
    }
    let t = (mean2 - mean1) / (a + b).sqrt();
    let df = (a + b).powi(2) / (a * a / (n1 - 1.0) + b * b / (n2 - 1.0));
    let dist = StudentsT::new(0.0, 1.0, df).ok()?;
    Some(2.0 * (1.0 - dist.cdf(t.abs())))
}

/// Holm's step-down adjustment of p-values (in their order): the k-th smallest of m is
/// multiplied by m − k + 1, then made non-decreasing in that order and capped at 1.
pub fn holm(p_values: &[f64]) -> Vec<f64> {
    let m = p_values.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p_values[a].total_cmp(&p_values[b]));
    let mut adjusted = vec![0.0; m];
    let mut running: f64 = 0.0;
    for (k, &i) in order.iter().enumerate() {
        running = running.max(((m - k) as f64 * p_values[i]).min(1.0));
        adjusted[i] = running;
    }
    adjusted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holm_adjusts_step_down_by_hand() {
        // p = 0.01, 0.04, 0.03 (m = 3): sorted 0.01·3 = 0.03, 0.03·2 = 0.06, 0.04·1 → 0.06.
        let adjusted = holm(&[0.01, 0.04, 0.03]);
        let expected = [0.03, 0.06, 0.06];
        assert!(adjusted.iter().zip(expected).all(|(a, e)| (a - e).abs() < 1e-15), "{adjusted:?}");
        assert_eq!(holm(&[0.6, 0.9]), [1.0, 1.0]);
        assert!(holm(&[]).is_empty());
    }

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn welch_by_hand() {
        // means 5 and 6, sd 1 and 2, n 10 and 12: t = 1 / sqrt(0.1 + 4/12) = 1.5191,
        // df = 0.4333² / (0.01/9 + 0.1111/11) = 16.75; p = 0.14739 (numeric integration of
        // the t density in a separate script).
        let p = welch_p(5.0, 1.0, 10.0, 6.0, 2.0, 12.0).unwrap();
        assert!(close(p, 0.147_39, 5e-5), "{p}");
        assert_eq!(welch_p(5.0, 1.0, 1.0, 6.0, 2.0, 12.0), None);
    }

    #[test]
    fn wilson_eight_of_ten() {
        let (lo, hi) = wilson(8, 10).unwrap();
        assert!(close(lo, 0.490_162_471_536_641_8, 1e-12), "{lo}");
        assert!(close(hi, 0.943_317_848_545_624_8, 1e-12), "{hi}");
    }

    #[test]
    fn wilson_single_response_and_empty() {
        let (lo, hi) = wilson(1, 1).unwrap();
        assert!(close(lo, 0.206_549_314_377_237_45, 1e-12));
        assert_eq!(hi, 1.0);
        assert_eq!(wilson(0, 0), None);
        // W12: no response satisfied gives a lower bound of exactly 0.
        assert_eq!(wilson(0, 3535).unwrap().0, 0.0);
    }

    #[test]
    fn nps_variance_examples_from_the_spec() {
        // (0,7,7,9,9,9): p = 1/2, d = 1/6 -> var 5/9, se 0.304
        assert!(close(nps_variance(0.5, 1.0 / 6.0), 5.0 / 9.0, 1e-12));
        assert!(close(nps_se(3.0, 1.0, 6.0).unwrap(), 0.304_290_309_725_092_25, 1e-12));
        // (1,9): var 1, se 0.707
        assert!(close(nps_se(1.0, 1.0, 2.0).unwrap(), std::f64::consts::FRAC_1_SQRT_2, 1e-12));
        // (7,9): var 0.25, se 0.354
        assert!(close(nps_variance(0.5, 0.0), 0.25, 1e-12));
        assert!(close(nps_se(1.0, 0.0, 2.0).unwrap(), 0.353_553_390_593_273_8, 1e-12));
        // (0,7,9): var 2/3, se 0.471
        assert!(close(nps_se(1.0, 1.0, 3.0).unwrap(), 0.471_404_520_791_031_7, 1e-12));
        assert_eq!(nps_se(0.0, 0.0, 0.0), None);
    }

    #[test]
    fn nps_intervals() {
        let (lo, hi) = nps_adjusted_wald(3.0, 1.0, 6.0).unwrap();
        assert!(close(lo, -0.267_432_587_941_045_4, 1e-12), "{lo}");
        assert!(close(hi, 0.711_877_032_385_489_8, 1e-12), "{hi}");
        let (lo, hi) = nps_wald(3.0, 1.0, 6.0).unwrap();
        assert!(close(lo, -0.263_064_714_572_385_56, 1e-12), "{lo}");
        assert!(close(hi, 0.929_731_381_239_052_3, 1e-12), "{hi}");
        // A single promoter: Wald has se 0, the adjusted interval does not.
        assert_eq!(nps_wald(1.0, 0.0, 1.0), Some((1.0, 1.0)));
        // n' = 4, p' = 1.75/4, d' = 0.75/4: nps' = 0.25, se' = sqrt(0.5625/4) = 0.375.
        let (lo, hi) = nps_adjusted_wald(1.0, 0.0, 1.0).unwrap();
        assert!(close(lo, 0.25 - Z95 * 0.375, 1e-12) && close(hi, 0.25 + Z95 * 0.375, 1e-12));
    }

    #[test]
    fn garwood_is_exact_for_every_count_up_to_5000() {
        // Independent of the incomplete gamma function: the Poisson tail summed term by
        // term (in logs, terms built by recurrence) at servq's bounds must be 0.025. A
        // relative error e in λ moves the tail by about e·λ·pmf, so the check is on that
        // scale: relative error < 1e-9.
        fn tail_at_most(k: u64, lambda: f64) -> (f64, f64) {
            // P(X ≤ k) and pmf(k), summing down from the largest term for accuracy.
            let ln_pk = k as f64 * lambda.ln() - lambda - (1..=k).map(|i| (i as f64).ln()).sum::<f64>();
            let (mut term, mut sum) = (1.0, 0.0);
            for i in (0..=k).rev() {
                sum += term;
                term *= i as f64 / lambda;
                if term < 1e-300 {
                    break;
                }
            }
            (sum * ln_pk.exp(), ln_pk.exp())
        }
        fn tail_at_least(k: u64, lambda: f64) -> (f64, f64) {
            // P(X ≥ k) and pmf(k − 1).
            let ln_pk = k as f64 * lambda.ln() - lambda - (1..=k).map(|i| (i as f64).ln()).sum::<f64>();
            let (mut term, mut sum, mut i) = (1.0, 0.0, k);
            while term > 1e-20 {
                sum += term;
                i += 1;
                term *= lambda / i as f64;
            }
            (sum * ln_pk.exp(), ln_pk.exp() * k as f64 / lambda)
        }
        for k in 0..=5000u64 {
            let (lo, hi) = poisson_garwood(k);
            let (p, pmf) = tail_at_most(k, hi);
            assert!((p - 0.025).abs() <= 1e-9 * hi * pmf + 1e-15, "k = {k}: upper {hi}: P(X ≤ k) = {p}");
            if k > 0 {
                let (p, pmf) = tail_at_least(k, lo);
                assert!((p - 0.025).abs() <= 1e-9 * lo * pmf + 1e-15, "k = {k}: lower {lo}: P(X ≥ k) = {p}");
            }
        }
        // The real-export case: 132 complaints per 633 transactions, 247.291 per 1000
        // (statrs' chi-square quantile gave 247.542).
        let (_, hi) = poisson_garwood(132);
        assert!((1000.0 * hi / 633.0 - 247.291).abs() < 0.0005, "{}", 1000.0 * hi / 633.0);
    }

    #[test]
    fn garwood_known_values() {
        let (lo, hi) = poisson_garwood(0);
        assert_eq!(lo, 0.0);
        assert!(close(hi, 3.688_879_454, 1e-6), "{hi}"); // −ln(0.025)
        let (lo, hi) = poisson_garwood(1);
        assert!(close(lo, 0.025_317_8, 1e-6), "{lo}");
        assert!(close(hi, 5.571_643_6, 1e-5), "{hi}");
        let (lo, hi) = poisson_garwood(10);
        assert!(close(lo, 4.795_389, 1e-5), "{lo}");
        assert!(close(hi, 18.390_356, 1e-5), "{hi}");
    }

    #[test]
    fn t_interval_and_p_values() {
        // mean 3, sd 1, n 2: t(0.975, 1) = 12.7062
        let (lo, hi) = mean_t_interval(3.0, 1.0, 2.0).unwrap();
        assert!(close(hi - 3.0, 12.706_204_736 / 2f64.sqrt(), 1e-6), "{lo} {hi}");
        assert_eq!(mean_t_interval(3.0, 0.0, 1.0), None);
        assert!(close(two_sided_p(Z95), 0.05, 1e-9));
        assert!(close(two_sided_p(0.0), 1.0, 1e-12));
        assert_eq!(difference_z(1.0, 0.0, 0.0), None);
        assert!(close(difference_z(0.5, 0.3, 0.4).unwrap(), 1.0, 1e-12));
    }
}
