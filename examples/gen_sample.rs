//! Writes the bundled sample data: a realistic year (2025) of survey responses with
//! a few empty and bad values, deterministically (the same bytes on every run).
//!
//! Run: `cargo run --example gen_sample -- sample-data`

use std::fmt::Write as _;
use std::path::PathBuf;

/// A small deterministic generator (xorshift64*), so the sample needs no crate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A uniform number in 0..1.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A uniform integer in 0..n.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const CHANNELS: [&str; 5] = ["phone", "email", "chat", "web", "store"];
const SEGMENTS: [&str; 3] = ["consumer", "smb", "enterprise"];
const MONTH_DAYS: [usize; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const COMMENTS: [&str; 10] = [
    "",
    "",
    "",
    "quick and helpful",
    "fine",
    "had to call twice",
    "slow, but solved",
    "agent said \"no\" twice",
    "电话等待太久",
    "great, thanks",
];

/// A score on lo..=hi, skewed towards the top by `mood` (0..1).
fn score(rng: &mut Rng, lo: i32, hi: i32, mood: f64) -> i32 {
    let span = f64::from(hi - lo);
    let x = (mood + (rng.unit() - 0.5) * 0.9).clamp(0.0, 1.0);
    lo + (x * span).round() as i32
}

fn surveys(rng: &mut Rng) -> String {
    let mut out = String::from("response_id,ticket_id,customer_id,submitted_at,channel,segment,csat,ces,nps,comment\n");
    let mut id = 0;
    for (month, days) in MONTH_DAYS.iter().enumerate() {
        let responses = 300 + rng.below(80);
        for _ in 0..responses {
            id += 1;
            let channel = rng.below(CHANNELS.len());
            let customer = rng.below(900);
            let segment = customer % SEGMENTS.len();
            // chat is liked, phone less so; everything improves a little over the year
            let base = [0.74, 0.77, 0.85, 0.79, 0.81][channel] + month as f64 * 0.006;
            let mood = (base + (rng.unit() - 0.5) * 0.5).clamp(0.0, 1.0);
            let date = if id % 997 == 0 {
                "2025-02-30".to_string() // an impossible date: the row is rejected
            } else {
                format!(
                    "2025-{:02}-{:02}T{:02}:{:02}:{:02}",
                    month + 1,
                    1 + rng.below(*days),
                    8 + rng.below(12),
                    rng.below(60),
                    rng.below(60)
                )
            };
            let mut field = |lo, hi, missing: f64| -> String {
                if rng.unit() < missing { String::new() } else { score(rng, lo, hi, mood).to_string() }
            };
            let mut csat = field(1, 5, 0.04);
            let ces = field(1, 7, 0.15);
            let mut nps = field(0, 10, 0.06);
            if id % 401 == 0 {
                csat = "6".to_string(); // off the 1..5 scale: rejected for csat only
            }
            if id % 503 == 0 {
                nps = "8.5".to_string(); // not a whole number: rejected for nps only
            }
            let comment = COMMENTS[rng.below(COMMENTS.len())];
            let comment = if comment.contains([',', '"']) {
                format!("\"{}\"", comment.replace('"', "\"\""))
            } else {
                comment.to_string()
            };
            let _ = writeln!(
                out,
                "R{id:05},T{:06},C{customer:04},{date},{},{},{csat},{ces},{nps},{comment}",
                rng.below(999_999),
                CHANNELS[channel],
                SEGMENTS[segment]
            );
        }
    }
    out
}

fn main() -> std::io::Result<()> {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "sample-data".into()));
    std::fs::create_dir_all(&dir)?;
    let mut rng = Rng(0x5EED_2025);
    std::fs::write(dir.join("surveys.csv"), surveys(&mut rng))?;
    eprintln!("wrote {}", dir.join("surveys.csv").display());
    Ok(())
}
