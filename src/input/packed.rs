//! Grouping rows by several columns at once through one packed 64-bit key per row: each
//! column's values are coded 1, 2, … (0 for null) and the codes are combined as the
//! digits of a number whose base per column is its count of codes. The streaming
//! engine compacts every block this way: polars' grouping on a dozen flag columns
//! encoded each row of each column first (a third of the streaming engine's CPU).
//!
//! Values group as polars groups them: nulls together, integers and Booleans by value,
//! floating-point numbers by value with -0 equal to 0 and every NaN equal.

use std::collections::HashMap;

use polars::prelude::*;
use polars_arrow::array::{Array, BooleanArray, PrimitiveArray};

/// At most this many keys are counted in a table indexed by the key itself; more
/// distinct combinations possible go through a hash map.
const DIRECT_KEYS: u64 = 1 << 20;

/// The rows of a frame grouped by the values of some of its columns.
#[derive(Debug, Clone, PartialEq)]
pub struct Groups {
    /// The first row of each group, groups in order of first appearance.
    pub first: Vec<IdxSize>,
    /// The group of each row.
    pub of_row: Vec<u32>,
}

/// Groups the rows of `frame` by the columns `keys`; `None` when a column is of a type
/// not coded here (text, nested) or their combinations do not fit 64 bits.
pub fn groups(frame: &DataFrame, keys: &[&str]) -> PolarsResult<Option<Groups>> {
    let Some((key, span)) = pack(frame, keys)? else { return Ok(None) };
    let mut first = Vec::new();
    let mut of_row = Vec::with_capacity(key.len());
    let mut add = |group: &mut u32, row: usize| {
        if *group == u32::MAX {
            *group = first.len() as u32;
            first.push(row as IdxSize);
        }
        of_row.push(*group);
    };
    if span <= DIRECT_KEYS {
        let mut group_of = vec![u32::MAX; span as usize];
        key.iter().enumerate().for_each(|(row, &k)| add(&mut group_of[k as usize], row));
    } else {
        let mut group_of: HashMap<u64, u32, foldhash::fast::RandomState> = HashMap::default();
        key.iter().enumerate().for_each(|(row, &k)| add(group_of.entry(k).or_insert(u32::MAX), row));
    }
    Ok(Some(Groups { first, of_row }))
}

/// Each row's packed key, and the number of keys possible; `None` as for [`groups`].
fn pack(frame: &DataFrame, keys: &[&str]) -> PolarsResult<Option<(Vec<u64>, u64)>> {
    let mut key = vec![0u64; frame.height()];
    let mut span = 1u64;
    for name in keys {
        let column = frame.column(name)?;
        // One value for the whole frame: it splits no group.
        if let Column::Scalar(_) = column {
            continue;
        }
        let series = column.as_materialized_series().to_physical_repr();
        let width = match series.dtype() {
            DataType::Boolean => code_booleans(&mut key, series.bool()?),
            DataType::Float32 | DataType::Float64 => code_floats(&mut key, series.cast(&DataType::Float64)?.f64()?),
            // The integer types whose every value an Int64 holds.
            DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
            | DataType::UInt8
            | DataType::UInt16
            | DataType::UInt32 => code_integers(&mut key, series.cast(&DataType::Int64)?.i64()?),
            _ => return Ok(None),
        };
        let Some(wider) = width.and_then(|w| span.checked_mul(w)) else { return Ok(None) };
        span = wider;
    }
    Ok(Some((key, span)))
}

/// Appends one digit per row (`code` of each row, in base `width`) to the keys; a
/// width of 1 (one value) adds nothing. The keys wrap when the widths so far multiply
/// past 64 bits: [`pack`] then discards them.
fn append_digits(key: &mut [u64], width: u64, codes: impl Iterator<Item = u64>) {
    if width > 1 {
        key.iter_mut().zip(codes).for_each(|(k, code)| *k = k.wrapping_mul(width).wrapping_add(code));
    }
}

/// The codes of a chunk's rows: `code(i)` for the valid ones, 0 for nulls (when the
/// column has nulls, `code` gives 1 and up).
fn chunk_codes<'a>(array: &'a dyn Array, code: impl Fn(usize) -> u64 + 'a) -> impl Iterator<Item = u64> + 'a {
    let valid = array.validity().cloned();
    (0..array.len()).map(move |i| if valid.as_ref().is_none_or(|v| v.get_bit(i)) { code(i) } else { 0 })
}

/// Codes Booleans: with nulls, null 0, false 1, true 2; without, false 0, true 1; a
/// column of one value adds nothing. Returns the width.
fn code_booleans(key: &mut [u64], values: &BooleanChunked) -> Option<u64> {
    let (rows, nulls) = (values.len(), values.null_count());
    let trues = values.sum().unwrap_or(0) as usize;
    if nulls == rows || (nulls == 0 && (trues == 0 || trues == rows)) {
        return Some(1);
    }
    let offset = u64::from(nulls > 0);
    let width = 2 + offset;
    let mut rest = &mut key[..];
    for array in values.downcast_iter() {
        let array: &BooleanArray = array;
        let (head, tail) = std::mem::take(&mut rest).split_at_mut(array.len());
        let bits = array.values();
        append_digits(head, width, chunk_codes(array, |i| offset + u64::from(bits.get_bit(i))));
        rest = tail;
    }
    Some(width)
}

/// Codes integers from the least value: 0 and up, or 1 and up with null 0 when the
/// column has nulls. Returns the width (`None` when the range does not fit).
fn code_integers(key: &mut [u64], values: &Int64Chunked) -> Option<u64> {
    let (Some(least), Some(most)) = (values.min(), values.max()) else { return Some(1) };
    let offset = u64::from(values.null_count() > 0);
    let width = u64::try_from(i128::from(most) - i128::from(least) + 1).ok()?.checked_add(offset)?;
    let mut rest = &mut key[..];
    for array in values.downcast_iter() {
        let array: &PrimitiveArray<i64> = array;
        let (head, tail) = std::mem::take(&mut rest).split_at_mut(array.len());
        let slice = array.values();
        append_digits(head, width, chunk_codes(array, |i| (slice[i].wrapping_sub(least) as u64).wrapping_add(offset)));
        rest = tail;
    }
    Some(width)
}

/// Codes floating-point numbers by value (-0 as 0, every NaN one value), in order of
/// first appearance from 0, or from 1 with null 0 when the column has nulls. Returns
/// the width.
fn code_floats(key: &mut [u64], values: &Float64Chunked) -> Option<u64> {
    let canonical = |x: f64| if x.is_nan() { f64::NAN.to_bits() } else { (x + 0.0).to_bits() };
    let offset = u64::from(values.null_count() > 0);
    let mut codes: HashMap<u64, u64, foldhash::fast::RandomState> = HashMap::default();
    let mut row_codes = Vec::with_capacity(key.len());
    for array in values.downcast_iter() {
        let valid = array.validity();
        for (i, &x) in array.values().iter().enumerate() {
            let fresh = codes.len() as u64 + offset;
            let valid = valid.is_none_or(|v| v.get_bit(i));
            row_codes.push(if valid { *codes.entry(canonical(x)).or_insert(fresh) } else { 0 });
        }
    }
    let width = codes.len() as u64 + offset;
    append_digits(key, width, row_codes.into_iter());
    Some(width.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The groups polars' own grouping gives: each row's group as the sorted list of
    /// the rows that share its values.
    fn by_polars(frame: &DataFrame, keys: &[&str]) -> Vec<Vec<u32>> {
        let by = frame.group_by(keys.iter().copied()).unwrap();
        let mut of_row = vec![Vec::new(); frame.height()];
        for rows in by.get_groups().unwrap_idx().all() {
            let mut rows: Vec<u32> = rows.iter().copied().collect();
            rows.sort_unstable();
            rows.iter().for_each(|&r| of_row[r as usize] = rows.clone());
        }
        of_row
    }

    /// The same from packed keys.
    fn by_packing(frame: &DataFrame, keys: &[&str]) -> Vec<Vec<u32>> {
        let groups = groups(frame, keys).unwrap().unwrap();
        let of = &groups.of_row;
        (0..of.len()).map(|r| (0..of.len() as u32).filter(|&s| of[s as usize] == of[r]).collect()).collect()
    }

    #[test]
    fn rows_group_as_polars_groups_them() {
        let mut frame = df!(
            "flag" => [Some(true), None, Some(false), Some(true), None, Some(true), Some(false)],
            "n" => [Some(3i32), Some(3), None, Some(3), Some(-2), Some(3), None],
            "x" => [Some(0.0f64), Some(-0.0), Some(f64::NAN), Some(0.0), Some(1.5), Some(-0.0), Some(f64::NAN)],
            "day" => [1i32, 1, 2, 1, 2, 1, 2],
            "code" => [0u32, 0, 4, 0, 1, 0, 4],
        )
        .unwrap();
        frame = frame.lazy().with_column(col("day").cast(DataType::Date)).collect().unwrap();
        frame.with_column(Column::new_scalar("same".into(), Scalar::from(true), 7)).unwrap();
        let keys = ["flag", "n", "x", "day", "code", "same"];
        assert_eq!(by_packing(&frame, &keys), by_polars(&frame, &keys));
        // Rows 0, 1, 3, 5 differ by their flag only; 2 and 6 are equal (NaN, nulls).
        let groups = groups(&frame, &keys).unwrap().unwrap();
        assert_eq!(groups.first, [0, 1, 2, 4]);
        assert_eq!(groups.of_row, [0, 1, 2, 0, 3, 0, 2]);
    }

    #[test]
    fn chunks_and_wide_ranges_group_as_polars_groups_them() {
        // Two chunks; integers spread wide enough to leave the direct table.
        let make = |n: Vec<i64>, flag: Vec<Option<bool>>| df!("n" => n, "flag" => flag).unwrap();
        let mut frame = make(vec![0, 5_000_000, 0, 7], vec![Some(true), None, Some(true), Some(false)]);
        frame.vstack_mut(&make(vec![5_000_000, 7, 0], vec![None, Some(false), Some(false)])).unwrap();
        assert_eq!(frame.column("n").unwrap().n_chunks(), 2);
        assert_eq!(by_packing(&frame, &["n", "flag"]), by_polars(&frame, &["n", "flag"]));
        assert_eq!(groups(&frame, &["n", "flag"]).unwrap().unwrap().first, [0, 1, 3, 6]);
    }

    #[test]
    fn columns_of_one_value_split_no_group() {
        // Sixty materialised Boolean columns, all null or all false (absent survey
        // fields and their rejected flags after blocks are stacked): 3⁶⁰ keys would not
        // fit 64 bits, one value each does not count.
        let mut frame = df!("score" => [Some(5i32), None, Some(5), Some(4)]).unwrap();
        for k in 0..60 {
            let column = if k % 2 == 0 { vec![None::<bool>; 4] } else { vec![Some(false); 4] };
            frame.with_column(Column::new(format!("c{k}").into(), column)).unwrap();
        }
        let names: Vec<String> = frame.get_column_names().iter().map(|n| n.to_string()).collect();
        let keys: Vec<&str> = names.iter().map(String::as_str).collect();
        let groups = groups(&frame, &keys).unwrap().unwrap();
        assert_eq!(groups.of_row, [0, 1, 0, 2]);
        assert_eq!(by_packing(&frame, &keys), by_polars(&frame, &keys));
    }

    #[test]
    fn text_and_keys_past_64_bits_are_left_to_polars() {
        let frame =
            df!("s" => ["a", "b"], "n" => [i64::MIN, i64::MAX], "m" => [0i64, 1], "u" => [u64::MAX, 0]).unwrap();
        assert_eq!(groups(&frame, &["s"]).unwrap(), None);
        // An unsigned 64-bit value past Int64 would read as null: left to polars.
        assert_eq!(groups(&frame, &["u"]).unwrap(), None);
        assert_eq!(groups(&frame, &["n"]).unwrap(), None);
        assert!(groups(&frame, &["m"]).unwrap().is_some());
        // Columns that fit alone and not together (2⁴⁰ · 2⁴⁰): left to polars, no overflow.
        let wide = df!("a" => [0i64, 1 << 40], "b" => [0i64, 1 << 40]).unwrap();
        assert!(groups(&wide, &["a"]).unwrap().is_some());
        assert_eq!(groups(&wide, &["a", "b"]).unwrap(), None);
    }
}
