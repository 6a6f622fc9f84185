//! Writes the bundled sample data: a realistic year (2025) of survey responses (with a
//! few empty and bad values), support interactions and transactions for the same
//! 900 customers, deterministically (the same bytes on every run).
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

const TOPICS: [&str; 5] = ["billing", "delivery", "product", "account", "other"];

fn interactions(rng: &mut Rng) -> String {
    let mut out = String::from(
        "ticket_id,customer_id,opened_at,channel,segment,topic,first_response_minutes,resolved,contacts_to_resolve,complaint\n",
    );
    let mut id = 0;
    for (month, days) in MONTH_DAYS.iter().enumerate() {
        for _ in 0..(500 + rng.below(100)) {
            id += 1;
            let channel = rng.below(CHANNELS.len());
            let customer = rng.below(900);
            // response minutes: chat fast, email slow, lognormal-ish spread
            let scale = [6.0, 45.0, 1.5, 20.0, 4.0][channel];
            let minutes = scale * (-(1.0 - rng.unit()).ln()) * (0.5 + rng.unit());
            let response = if rng.unit() < 0.03 { String::new() } else { format!("{minutes:.1}") };
            let resolved = rng.unit() < 0.9;
            let contacts = if !resolved {
                String::new()
            } else if rng.unit() < 0.74 - 0.04 * (channel == 1) as u8 as f64 {
                "1".to_string()
            } else {
                (2 + rng.below(3)).to_string()
            };
            let complaint = rng.unit() < 0.012;
            let _ = writeln!(
                out,
                "I{id:05},C{customer:04},2025-{:02}-{:02}T{:02}:{:02}:00,{},{},{},{response},{resolved},{contacts},{complaint}",
                month + 1,
                1 + rng.below(*days),
                7 + rng.below(14),
                rng.below(60),
                CHANNELS[channel],
                SEGMENTS[customer % SEGMENTS.len()],
                TOPICS[rng.below(TOPICS.len())],
            );
        }
    }
    out
}

fn transactions(rng: &mut Rng) -> String {
    let mut out = String::from("order_id,customer_id,order_date,channel,segment,revenue,margin\n");
    let mut id = 0;
    for customer in 0..900 {
        let start = rng.below(12);
        let mut active = true;
        for (month, days) in MONTH_DAYS.iter().enumerate().skip(start) {
            if month > start && rng.unit() < 0.22 {
                active = rng.unit() < 0.15;
            }
            if !active {
                continue;
            }
            for _ in 0..(1 + rng.below(2)) {
                id += 1;
                let revenue = 10.0 + rng.unit() * 240.0;
                let _ = writeln!(
                    out,
                    "O{id:05},C{customer:04},2025-{:02}-{:02},{},{},{revenue:.2},{:.2}",
                    month + 1,
                    1 + rng.below(*days),
                    CHANNELS[rng.below(CHANNELS.len())],
                    SEGMENTS[customer % SEGMENTS.len()],
                    revenue * (0.15 + rng.unit() * 0.25)
                );
            }
        }
    }
    out
}

fn main() -> std::io::Result<()> {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "sample-data".into()));
    std::fs::create_dir_all(&dir)?;
    let mut rng = Rng(0x5EED_2025);
    std::fs::write(dir.join("surveys.csv"), surveys(&mut rng))?;
    std::fs::write(dir.join("interactions.csv"), interactions(&mut rng))?;
    std::fs::write(dir.join("transactions.csv"), transactions(&mut rng))?;
    eprintln!("wrote surveys.csv, interactions.csv and transactions.csv in {}", dir.display());
    Ok(())
}
