//! Compaction, the streaming engine's way of holding a table in bounded memory: each
//! block's rows are reduced to their distinct combinations of the columns that the
//! metrics read, with a [`WEIGHT`] column counting the input rows behind each, and
//! money columns summed. Compacting compacted frames again gives the same result, so
//! blocks are compacted as they are read and merged as they pile up.
//!
//! Every metric depends only on how many input rows have each combination (counts,
//! integer sums, quantiles of the multiset of values), except the repeat-window FCR
//! method, which orders contacts in time: that table is kept row by row.

use polars::prelude::*;

/// The weight column: how many input rows a compacted row stands for.
pub const WEIGHT: &str = "rows.w";

/// Frames whose rows add up to more than this are compacted together.
const MERGE_ROWS: usize = 1 << 20;

/// How one table is compacted.
#[derive(Debug, Clone, Default)]
pub struct Compaction {
    /// Columns dropped before compacting (row timestamps and the like).
    pub drop: Vec<String>,
    /// Columns summed instead of grouped on (revenue, margin). Every other column is
    /// a grouping column.
    pub sums: Vec<String>,
}

impl Compaction {
    /// Reduces `frame` (plain rows, or already compacted) to one row per distinct
    /// combination of its grouping columns, with the [`WEIGHT`] and the sums.
    pub fn apply(&self, frame: DataFrame) -> PolarsResult<DataFrame> {
        let names: Vec<String> = frame.get_column_names().iter().map(|n| n.to_string()).collect();
        let weighted = names.iter().any(|n| n == WEIGHT);
        let keys: Vec<Expr> = names
            .iter()
            .filter(|n| *n != WEIGHT && !self.drop.contains(n) && !self.sums.contains(n))
            .map(|n| col(n.as_str()))
            .collect();
        let mut aggregations =
            vec![if weighted { col(WEIGHT).sum() } else { len().cast(DataType::UInt64) }.alias(WEIGHT)];
        aggregations
            .extend(self.sums.iter().filter(|s| names.contains(s)).map(|s| col(s.as_str()).sum().alias(s.as_str())));
        frame.lazy().group_by(keys).agg(aggregations).collect()
    }
}

/// Frames being compacted as they arrive: each is compacted on its own, and the
/// pile is merged into one frame when it grows.
pub struct Pile {
    compaction: Compaction,
    frames: Vec<DataFrame>,
    rows: usize,
    merged_rows: usize,
}

impl Pile {
    /// An empty pile.
    pub fn new(compaction: Compaction) -> Self {
        Pile { compaction, frames: Vec::new(), rows: 0, merged_rows: 0 }
    }

    /// Adds a frame of plain rows.
    pub fn push(&mut self, frame: DataFrame) -> PolarsResult<()> {
        let frame = self.compaction.apply(frame)?;
        self.rows += frame.height();
        self.frames.push(frame);
        if self.rows > 2 * self.merged_rows + MERGE_ROWS {
            let merged = self.merge()?;
            self.merged_rows = merged.height();
            self.rows = merged.height();
            self.frames = vec![merged];
        }
        Ok(())
    }

    /// Compacts everything added into one frame (`None` when nothing was added).
    pub fn finish(mut self) -> PolarsResult<Option<DataFrame>> {
        if self.frames.is_empty() {
            return Ok(None);
        }
        self.merge().map(Some)
    }

    fn merge(&mut self) -> PolarsResult<DataFrame> {
        let mut frames = std::mem::take(&mut self.frames).into_iter();
        let mut all = frames.next().expect("merge is called on a non-empty pile");
        for next in frames {
            all.vstack_mut_owned(next)?;
        }
        self.compaction.apply(all)
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
    fn distinct_rows_get_their_counts_and_sums() {
        let rows = df!("g" => [1u32, 1, 2, 1], "ts" => [5i64, 6, 7, 8], "v" => [Some(1.5), Some(1.5), None, Some(2.0)],
            "margin" => [1.0, 2.0, 4.0, 8.0])
        .unwrap();
        let c = Compaction { drop: vec!["ts".into()], sums: vec!["margin".into()] };
        let out = sorted(c.apply(rows).unwrap());
        let expected = df!("g" => [1u32, 1, 2], "v" => [Some(1.5), Some(2.0), None], WEIGHT => [2u64, 1, 1],
            "margin" => [3.0, 8.0, 4.0])
        .unwrap();
        assert_eq!(sorted(out.select(["g", "v", WEIGHT, "margin"]).unwrap()), sorted(expected));
    }

    #[test]
    fn compacting_piecewise_equals_compacting_at_once() {
        let make = |g: Vec<u32>| df!("g" => g.clone(), "margin" => g.iter().map(|&x| f64::from(x)).collect::<Vec<_>>());
        let c = Compaction { drop: Vec::new(), sums: vec!["margin".into()] };
        let mut pile = Pile::new(c.clone());
        pile.push(make(vec![1, 2, 2]).unwrap()).unwrap();
        pile.push(make(vec![2, 3]).unwrap()).unwrap();
        let piecewise = sorted(pile.finish().unwrap().unwrap());
        let once = sorted(c.apply(make(vec![1, 2, 2, 2, 3]).unwrap()).unwrap());
        assert_eq!(piecewise, once);
        assert_eq!(piecewise.column(WEIGHT).unwrap().u64().unwrap().to_vec(), vec![Some(1), Some(3), Some(1)]);
        assert!(Pile::new(Compaction::default()).finish().unwrap().is_none());
    }
}
