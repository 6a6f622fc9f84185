//! Compaction, the streaming engine's way of holding a table in bounded memory: each
//! block's rows are reduced to their distinct combinations of the columns that the
//! metrics read, with a [`WEIGHT`] column counting the input rows behind each.
//! Compacting compacted frames again gives the same result, so rows are compacted as
//! they are read and merged as they pile up. (Transactions are summarised in their
//! own way: see `compute::customers::CustomerFold`.)
//!
//! Every metric depends only on how many input rows have each combination (counts,
//! integer sums, quantiles of the multiset of values), except the repeat-window FCR
//! method, which orders contacts in time: that table is kept row by row.

use polars::prelude::*;

/// The weight column: how many input rows a compacted row stands for.
pub const WEIGHT: &str = "rows.w";

/// How the rows of a frame are counted: one input row each (the in-memory engine),
/// or [`WEIGHT`] input rows each (the compacted frames of the streaming engine, where
/// identical rows are stored once with their count). [`Rows::Sampled`] sums survey
/// weights instead of counting (SPEC §14).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Rows {
    /// One input row per frame row.
    #[default]
    Each,
    /// [`WEIGHT`] input rows per frame row.
    Weighted,
    /// Survey responses weighted by their [`SURVEY_WEIGHT`] column, given as whole
    /// numbers (see `compute::weights`): every aggregation is the exact Int128 sum of
    /// the weights (times [`WEIGHT`] when `compacted`) instead of a count, named
    /// `<alias>@w`. For survey score columns only.
    Sampled {
        /// The frame is compacted (each row stands for [`WEIGHT`] responses).
        compacted: bool,
    },
}

/// The survey weight column (SPEC §14).
pub const SURVEY_WEIGHT: &str = "weight";

/// The name of the weighted twin of an aggregation (see [`Rows::Sampled`]).
pub fn weighted_name(alias: &str) -> String {
    format!("{alias}@w")
}

impl Rows {
    /// The survey weight of each frame row as Int128 (see [`Rows::Sampled`]).
    fn sampled(compacted: bool) -> Expr {
        let weight = col(SURVEY_WEIGHT).cast(DataType::Int128);
        if compacted { weight * col(WEIGHT).cast(DataType::Int128) } else { weight }
    }

    /// The number of input rows where `condition` holds, as an aggregation named `alias`.
    pub fn count_true(self, condition: Expr, alias: &str) -> Expr {
        match self {
            Rows::Each => condition.sum(),
            Rows::Weighted => col(WEIGHT).filter(condition).sum(),
            Rows::Sampled { compacted } => {
                return Rows::sampled(compacted).filter(condition).sum().alias(weighted_name(alias));
            }
        }
        .cast(DataType::UInt64)
        .alias(alias)
    }

    /// The number of input rows where `column` is not null, as an aggregation named `alias`.
    pub fn count_valid(self, column: &str, alias: &str) -> Expr {
        match self {
            Rows::Each => col(column).count().cast(DataType::UInt64).alias(alias),
            Rows::Weighted | Rows::Sampled { .. } => self.count_true(col(column).is_not_null(), alias),
        }
    }

    /// The number of input rows, as an aggregation named `alias`.
    pub fn count_all(self, alias: &str) -> Expr {
        match self {
            Rows::Each => len(),
            Rows::Weighted => col(WEIGHT).sum(),
            Rows::Sampled { compacted } => return Rows::sampled(compacted).sum().alias(weighted_name(alias)),
        }
        .cast(DataType::UInt64)
        .alias(alias)
    }

    /// The sum of an integer `value` over input rows (Int64, exact), named `alias`.
    pub fn sum_integers(self, value: Expr, alias: &str) -> Expr {
        let value = value.cast(DataType::Int64);
        match self {
            Rows::Each => value.sum(),
            Rows::Weighted => (value * col(WEIGHT).cast(DataType::Int64)).sum(),
            Rows::Sampled { compacted } => {
                return (value.cast(DataType::Int128) * Rows::sampled(compacted)).sum().alias(weighted_name(alias));
            }
        }
        .alias(alias)
    }

    /// The exact sum of an integer `value` over input rows as Int128 (for sums of
    /// squares that could pass Int64), named `alias`.
    pub fn sum_exact(self, value: Expr, alias: &str) -> Expr {
        let value = value.cast(DataType::Int128);
        match self {
            Rows::Each => value.sum(),
            Rows::Weighted | Rows::Sampled { .. } => (value * col(WEIGHT).cast(DataType::Int128)).sum(),
        }
        .alias(alias)
    }

    /// Σw² over the input rows where `column` is not null, named `<alias>@w2`: with the
    /// weighted count it gives Kish's effective n = (Σw)² / Σw².
    pub fn sum_squared_weights(self, column: &str, alias: &str) -> Option<Expr> {
        let Rows::Sampled { compacted } = self else { return None };
        let weight = col(SURVEY_WEIGHT).cast(DataType::Int128);
        let squares = weight.clone() * weight;
        let squares = if compacted { squares * col(WEIGHT).cast(DataType::Int128) } else { squares };
        Some(squares.filter(col(column).is_not_null()).sum().alias(format!("{alias}@w2")))
    }
}

/// Compacted frames whose rows add up to more than this are compacted together.
const MERGE_ROWS: usize = 1 << 20;

/// Plain rows are gathered up to this many before they are compacted.
const RAW_ROWS: usize = 1 << 19;

/// How one table is compacted.
#[derive(Debug, Clone, Default)]
pub struct Compaction {
    /// Columns dropped before compacting (row timestamps and the like). Every other
    /// column not compacted apart is a grouping column.
    pub drop: Vec<String>,
    /// Columns compacted apart, in a second frame with only the period and `--by`
    /// columns: values with many distinct values (response times) would otherwise
    /// multiply the distinct combinations of the other columns.
    pub apart: Vec<String>,
}

/// The columns a second frame keeps besides its own: period and `--by` columns.
fn is_group_column(name: &str) -> bool {
    name == "period_start" || name.starts_with("by.")
}

impl Compaction {
    /// Reduces `frame` (plain rows, or already compacted) to one row per distinct
    /// combination of its grouping columns, with the [`WEIGHT`]; the columns
    /// compacted apart are left out.
    pub fn apply(&self, frame: DataFrame) -> PolarsResult<DataFrame> {
        let names = column_names(&frame);
        let skip = |n: &String| n == WEIGHT || self.drop.contains(n) || self.apart.contains(n);
        let keys: Vec<&str> = names.iter().filter(|n| !skip(n)).map(String::as_str).collect();
        group(&frame, &keys)
    }

    /// The frame of the columns compacted apart (`None` when there are none).
    pub fn apply_apart(&self, frame: &DataFrame) -> PolarsResult<Option<DataFrame>> {
        if self.apart.is_empty() {
            return Ok(None);
        }
        let names = column_names(frame);
        let keys: Vec<&str> =
            names.iter().filter(|n| is_group_column(n) || self.apart.contains(n)).map(String::as_str).collect();
        group(frame, &keys).map(Some)
    }
}

/// One row per distinct combination of the `keys` columns (those columns, then the
/// [`WEIGHT`]): grouped by packed keys ([`super::packed`]) when their types allow,
/// else by polars.
fn group(frame: &DataFrame, keys: &[&str]) -> PolarsResult<DataFrame> {
    let Some(groups) = super::packed::groups(frame, keys)? else {
        let by: Vec<Expr> = keys.iter().map(|k| col(*k)).collect();
        return frame.clone().lazy().group_by(by).agg([weight(&column_names(frame))]).collect();
    };
    let mut weights = vec![0u64; groups.first.len()];
    match frame.column(WEIGHT) {
        Ok(rows) => {
            let rows = rows.as_materialized_series().cast(&DataType::UInt64)?;
            for (&g, w) in groups.of_row.iter().zip(rows.u64()?.iter()) {
                weights[g as usize] += w.unwrap_or(0);
            }
        }
        Err(_) => groups.of_row.iter().for_each(|&g| weights[g as usize] += 1),
    }
    let mut out = frame.select(keys.iter().copied())?.take(&IdxCa::from_vec("".into(), groups.first))?;
    out.with_column(Column::new(WEIGHT.into(), weights))?;
    Ok(out)
}

fn column_names(frame: &DataFrame) -> Vec<String> {
    frame.get_column_names().iter().map(|n| n.to_string()).collect()
}

/// The weight of a compacted row: the sum of the weights, or the number of plain rows.
fn weight(names: &[String]) -> Expr {
    if names.iter().any(|n| n == WEIGHT) { col(WEIGHT).sum() } else { len().cast(DataType::UInt64) }.alias(WEIGHT)
}

/// Compacted frames of one kind, merged into one when they grow past twice the last
/// merge plus `threshold` rows.
struct Heap {
    frames: Vec<DataFrame>,
    rows: usize,
    merged_rows: usize,
    threshold: usize,
}

impl Heap {
    fn push(&mut self, frame: DataFrame, compact: impl Fn(DataFrame) -> PolarsResult<DataFrame>) -> PolarsResult<()> {
        self.rows += frame.height();
        self.frames.push(frame);
        if self.rows > 2 * self.merged_rows + self.threshold {
            let merged = self.merge(compact)?;
            self.merged_rows = merged.height();
            self.rows = merged.height();
            self.frames = vec![merged];
        }
        Ok(())
    }

    fn merge(&mut self, compact: impl Fn(DataFrame) -> PolarsResult<DataFrame>) -> PolarsResult<DataFrame> {
        let mut frames = std::mem::take(&mut self.frames).into_iter();
        let mut all = frames.next().unwrap_or_default();
        for next in frames {
            all.vstack_mut_owned(next)?;
        }
        compact(all)
    }
}

/// Frames being compacted as they arrive: each is compacted on its own, and the
/// pile is merged into one frame when it grows.
pub struct Pile {
    compaction: Compaction,
    /// Plain rows not compacted yet: blocks are compacted a few at a time, fewer and
    /// larger groupings being faster than one per block.
    raw: Vec<DataFrame>,
    raw_rows: usize,
    raw_threshold: usize,
    main: Heap,
    apart: Heap,
}

impl Pile {
    /// An empty pile.
    pub fn new(compaction: Compaction) -> Self {
        Self::with_threshold(compaction, MERGE_ROWS)
    }

    /// An empty pile that merges when `threshold` rows have come in since the last
    /// merge (beyond twice its size).
    pub fn with_threshold(compaction: Compaction, threshold: usize) -> Self {
        let heap = || Heap { frames: Vec::new(), rows: 0, merged_rows: 0, threshold };
        let raw_threshold = threshold.min(RAW_ROWS);
        Pile { compaction, raw: Vec::new(), raw_rows: 0, raw_threshold, main: heap(), apart: heap() }
    }

    /// Adds a frame of plain rows.
    pub fn push(&mut self, frame: DataFrame) -> PolarsResult<()> {
        self.raw_rows += frame.height();
        self.raw.push(frame);
        if self.raw_rows >= self.raw_threshold {
            self.compact_raw()?;
        }
        Ok(())
    }

    /// Compacts the plain rows gathered so far onto the heaps.
    fn compact_raw(&mut self) -> PolarsResult<()> {
        let mut frames = std::mem::take(&mut self.raw).into_iter();
        self.raw_rows = 0;
        let Some(mut frame) = frames.next() else { return Ok(()) };
        for next in frames {
            frame.vstack_mut_owned(next)?;
        }
        let c = &self.compaction;
        if let Some(apart) = c.apply_apart(&frame)? {
            self.apart.push(apart, |f| Ok(c.apply_apart(&f)?.unwrap_or_default()))?;
        }
        self.main.push(c.apply(frame)?, |f| c.apply(f))
    }

    /// Compacts everything added into one frame, and the columns kept apart into
    /// another (`None` when nothing was added).
    pub fn finish(mut self) -> PolarsResult<Option<(DataFrame, Option<DataFrame>)>> {
        self.compact_raw()?;
        if self.main.frames.is_empty() {
            return Ok(None);
        }
        let c = &self.compaction;
        let main = self.main.merge(|f| c.apply(f))?;
        let apart = if c.apart.is_empty() {
            None
        } else {
            Some(self.apart.merge(|f| Ok(c.apply_apart(&f)?.unwrap_or_default()))?)
        };
        Ok(Some((main, apart)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(df: DataFrame) -> DataFrame {
        let names: Vec<String> = df.get_column_names().iter().map(|n| n.to_string()).collect();
        df.sort(names, SortMultipleOptions::default()).unwrap()
    }

    #[test]
    fn distinct_rows_get_their_counts() {
        let rows = df!("g" => [1u32, 1, 2, 1], "ts" => [5i64, 6, 7, 8], "v" => [Some(1.5), Some(1.5), None, Some(2.0)])
            .unwrap();
        let c = Compaction { drop: vec!["ts".into()], apart: Vec::new() };
        let out = sorted(c.apply(rows).unwrap());
        let expected = df!("g" => [1u32, 1, 2], "v" => [Some(1.5), Some(2.0), None], WEIGHT => [2u64, 1, 1]).unwrap();
        assert_eq!(sorted(out.select(["g", "v", WEIGHT]).unwrap()), sorted(expected));
    }

    #[test]
    fn compacting_piecewise_equals_compacting_at_once() {
        let make = |g: Vec<u32>| df!("g" => g.clone(), "v" => g.iter().map(|&x| f64::from(x)).collect::<Vec<_>>());
        let c = Compaction { drop: Vec::new(), apart: Vec::new() };
        // A threshold of 1 row merges the pile on the way, not only at the end.
        for threshold in [1, MERGE_ROWS] {
            let mut pile = Pile::with_threshold(c.clone(), threshold);
            pile.push(make(vec![1, 2, 2]).unwrap()).unwrap();
            pile.push(make(vec![2, 3]).unwrap()).unwrap();
            pile.push(make(vec![3]).unwrap()).unwrap();
            let piecewise = sorted(pile.finish().unwrap().unwrap().0);
            let once = sorted(c.apply(make(vec![1, 2, 2, 2, 3, 3]).unwrap()).unwrap());
            assert_eq!(piecewise, once);
            assert_eq!(piecewise.column(WEIGHT).unwrap().u64().unwrap().to_vec(), vec![Some(1), Some(3), Some(2)]);
        }
        assert!(Pile::new(Compaction::default()).finish().unwrap().is_none());
    }

    #[test]
    fn columns_apart_get_a_frame_of_their_own() {
        let rows = df!("period_start" => [1i32, 1, 1], "by.channel" => [0u32, 0, 1], "flag" => [true, false, true],
            "minutes" => [Some(2.5), Some(2.5), None])
        .unwrap();
        let c = Compaction { drop: Vec::new(), apart: vec!["minutes".into()] };
        let mut pile = Pile::with_threshold(c, 1);
        pile.push(rows.clone()).unwrap();
        pile.push(rows).unwrap();
        let (main, apart) = pile.finish().unwrap().unwrap();
        let main = sorted(main);
        assert_eq!(main.get_column_names(), ["period_start", "by.channel", "flag", WEIGHT]);
        assert_eq!(main.column(WEIGHT).unwrap().u64().unwrap().to_vec(), vec![Some(2), Some(2), Some(2)]);
        let apart = sorted(apart.unwrap());
        assert_eq!(apart.get_column_names(), ["period_start", "by.channel", "minutes", WEIGHT]);
        assert_eq!(apart.column("minutes").unwrap().f64().unwrap().to_vec(), vec![Some(2.5), None]);
        assert_eq!(apart.column(WEIGHT).unwrap().u64().unwrap().to_vec(), vec![Some(4), Some(2)]);
    }
}
