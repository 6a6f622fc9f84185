//! Data-quality accounting (SPEC §2): every row read is used, rejected with a reason,
//! or outside the `--from/--to` range; every value of a field is valid, missing or
//! rejected. The counts add up, per file and per field.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

use serde::Serialize;

use super::Kind;

/// How many line numbers are kept per reason for the summary.
const FIRST_LINES: usize = 5;

/// The pseudo-field name of a whole-row rejection other than a bad date.
pub const ROW: &str = "row";

/// The field name of the row date; a rejected date rejects the whole row.
pub const DATE: &str = "date";

/// Returns true if and only if a rejection of `field` rejects the whole row.
pub fn rejects_row(field: &str) -> bool {
    field == ROW || field == DATE
}

/// Counts for one field (column) of one file, over the rows that were used.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct FieldQuality {
    /// Values that parsed and are on their scale.
    pub valid: u64,
    /// Empty values: not asked or not answered; in no denominator.
    pub missing: u64,
    /// Values excluded from this field's metrics, with a reason.
    pub rejected: u64,
    /// The smallest and largest whole number seen among rejected out-of-scale values.
    #[serde(skip)]
    pub out_of_scale: Option<(i64, i64)>,
    /// How many rejected values were whole numbers off the scale.
    #[serde(skip)]
    pub out_of_scale_count: u64,
}

/// One reason for rejections in one field of one file.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ReasonCount {
    /// The field, or `row` when the whole row was rejected.
    pub field: String,
    /// Why, e.g. `outside 1..5`.
    pub reason: String,
    /// How many values (or rows).
    pub count: u64,
    /// The first original line numbers (header = line 1).
    pub first_lines: Vec<u64>,
}

/// The accounting of one input file.
#[derive(Debug, Clone, Serialize)]
pub struct FileQuality {
    /// surveys, interactions or transactions.
    pub kind: Kind,
    /// The path as given.
    pub file: String,
    /// Data rows read (the header is not counted).
    pub rows_read: u64,
    /// Rows used by the metrics.
    pub rows_used: u64,
    /// Rows rejected whole (bad date, wrong number of fields).
    pub rows_rejected: u64,
    /// Rows dropped by `--from` / `--to` (not errors).
    pub rows_outside_range: u64,
    /// Rows with fewer fields than the header, padded with empty fields and used.
    pub rows_padded: u64,
    /// Per-field counts over the used rows.
    pub fields: BTreeMap<String, FieldQuality>,
    /// Rejections grouped by field and reason.
    pub reasons: Vec<ReasonCount>,
}

/// One rejected row or value, as written by `--rejects`.
#[derive(Debug, Clone, Serialize)]
pub struct Reject {
    /// The file it came from.
    pub file: Arc<str>,
    /// The original line number (header = line 1).
    pub line: u64,
    /// The field, or `row` for a whole-row rejection.
    pub field: String,
    /// The raw value.
    pub value: String,
    /// Why it was rejected.
    pub reason: String,
}

impl FileQuality {
    /// Starts the accounting of one file.
    pub fn new(kind: Kind, file: &str) -> Self {
        FileQuality {
            kind,
            file: file.to_string(),
            rows_read: 0,
            rows_used: 0,
            rows_rejected: 0,
            rows_outside_range: 0,
            rows_padded: 0,
            fields: BTreeMap::new(),
            reasons: Vec::new(),
        }
    }

    /// Counts a rejection of `field` (or of the row, with [`ROW`]) at `line`.
    pub fn count_reason(&mut self, field: &str, reason: &str, line: u64) {
        match self.reasons.iter_mut().find(|r| r.field == field && r.reason == reason) {
            Some(r) => {
                r.count += 1;
                if r.first_lines.len() < FIRST_LINES {
                    r.first_lines.push(line);
                }
            }
            None => self.reasons.push(ReasonCount {
                field: field.to_string(),
                reason: reason.to_string(),
                count: 1,
                first_lines: vec![line],
            }),
        }
    }

    /// Adds the counts of a later part of the same file (reasons keep line order).
    pub fn absorb(&mut self, part: &FileQuality) {
        self.rows_read += part.rows_read;
        self.rows_used += part.rows_used;
        self.rows_rejected += part.rows_rejected;
        self.rows_outside_range += part.rows_outside_range;
        self.rows_padded += part.rows_padded;
        for (name, counts) in &part.fields {
            let mine = self.field(name);
            mine.valid += counts.valid;
            mine.missing += counts.missing;
            mine.rejected += counts.rejected;
            mine.out_of_scale_count += counts.out_of_scale_count;
            mine.out_of_scale = match (mine.out_of_scale, counts.out_of_scale) {
                (Some((a, b)), Some((c, d))) => Some((a.min(c), b.max(d))),
                (x, y) => x.or(y),
            };
        }
        for r in &part.reasons {
            match self.reasons.iter_mut().find(|mine| mine.field == r.field && mine.reason == r.reason) {
                Some(mine) => {
                    mine.count += r.count;
                    let room = FIRST_LINES.saturating_sub(mine.first_lines.len());
                    mine.first_lines.extend(r.first_lines.iter().take(room));
                }
                None => self.reasons.push(r.clone()),
            }
        }
    }

    /// Returns the counts of `field`, created on first use.
    pub fn field(&mut self, field: &str) -> &mut FieldQuality {
        if !self.fields.contains_key(field) {
            self.fields.insert(field.to_string(), FieldQuality::default());
        }
        self.fields.get_mut(field).expect("inserted above")
    }
}

/// The data-quality section of a run: all files, all rejects, and hints.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DataQuality {
    /// One entry per input file.
    pub files: Vec<FileQuality>,
    /// Every rejected row or value (for `--rejects` and `--strict`).
    #[serde(skip)]
    pub rejects: Vec<Reject>,
    /// What the user probably meant, when most values of a field fail the same way.
    pub hints: Vec<String>,
    /// Things done that the user should know of (a file given twice, a column skipped).
    pub notes: Vec<String>,
}

impl DataQuality {
    /// Returns true if and only if no row or value was rejected.
    pub fn is_clean(&self) -> bool {
        self.rejects.is_empty()
    }

    /// Returns the human-readable summary: one line per file, one per reason.
    pub fn summary_lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        for f in &self.files {
            let mut line = format!(
                "{} ({}): {} rows read, {} used, {} rejected",
                f.file,
                f.kind.as_str(),
                thousands(f.rows_read),
                thousands(f.rows_used),
                thousands(f.rows_rejected)
            );
            if f.rows_outside_range > 0 {
                let _ = write!(line, ", {} outside --from/--to", thousands(f.rows_outside_range));
            }
            if f.rows_padded > 0 {
                let _ = write!(line, "; {} short rows padded with empty fields", thousands(f.rows_padded));
            }
            lines.push(line);
            for r in &f.reasons {
                let scope = if rejects_row(&r.field) {
                    format!("row rejected ({})", r.field)
                } else {
                    format!("{}: value excluded from {} only", r.field, r.field)
                };
                let first: Vec<String> = r.first_lines.iter().map(u64::to_string).collect();
                let more = if r.count as usize > r.first_lines.len() { ", …" } else { "" };
                lines.push(format!(
                    "  {scope}: {} × {} (line {}{more})",
                    r.reason,
                    thousands(r.count),
                    first.join(", ")
                ));
            }
        }
        lines.extend(self.notes.iter().map(|n| format!("note: {n}")));
        lines.extend(self.hints.iter().map(|h| format!("hint: {h}")));
        lines
    }
}

/// Formats a count with thousands separators: `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn reasons_keep_the_first_five_lines() {
        let mut f = FileQuality::new(Kind::Surveys, "s.csv");
        for line in 2..10 {
            f.count_reason("csat", "outside 1..5", line);
        }
        f.count_reason(ROW, "not an ISO date", 12);
        assert_eq!(f.reasons[0].count, 8);
        assert_eq!(f.reasons[0].first_lines, vec![2, 3, 4, 5, 6]);
        assert_eq!(f.reasons[1].field, "row");
    }
}
