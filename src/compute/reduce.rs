//! The aggregations of a frame per period and group, reduced in one pass over its rows
//! where their shape is one of a few known ones, instead of polars' grouped
//! evaluation (which gathers each group's rows by index, once per aggregation).
//!
//! Known shapes, each as [`super::aggregate`] would compute it, to the same bits:
//! - `Σ x` of an elementwise `x` (Boolean: the true values, as polars' index type;
//!   Int64, UInt64, Int128: the sum, wrapping as polars does), nulls skipped;
//! - the count of non-null values of an elementwise `x`, and the number of rows;
//! - the linear quantile of the non-null values of an elementwise Float64 `x`
//!   (`metrics::durations::linear_quantile`, polars' arithmetic);
//! - the exact Int128 sums of milliseconds of `metrics::durations` (`exact_sum_of`);
//! - a scalar literal;
//!
//! each possibly cast at the end and named by an alias. Any other aggregation (or an
//! input of another type) is left to polars and joined on the group keys.

use polars::chunked_array::cast::CastOptions;
use polars::prelude::*;
use polars_arrow::array::{Array, BooleanArray, PrimitiveArray};
use polars_arrow::bitmap::Bitmap;
use polars_arrow::types::NativeType;
use rayon::prelude::*;

use crate::metrics::durations::{exact_sum_of, exact_term, linear_quantile};

/// The most slots (days from the first to the last period start, times the codes of
/// every `--by` column) grouped here; past it polars groups.
const MAX_SLOTS: usize = 1 << 22;

/// The shape of one aggregation reduced here.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Shape {
    Sum,
    Count,
    Len,
    Quantile(f64),
    ExactSum { per_unit: f64, power: u32 },
    Constant,
}

/// One aggregation reduced here: its shape, its elementwise input and final cast.
#[derive(Debug, Clone)]
struct Reduction {
    name: PlSmallStr,
    shape: Shape,
    input: Option<Expr>,
    cast: Option<(DataType, CastOptions)>,
    /// The aggregation itself, left to polars when its input has another type.
    expr: Expr,
}

impl Reduction {
    /// The reduction of an aggregation of a known shape.
    fn of(expr: &Expr) -> Option<Reduction> {
        let Expr::Alias(inner, name) = expr else { return None };
        let (inner, cast) = match inner.as_ref() {
            Expr::Cast { expr, dtype: DataTypeExpr::Literal(dtype), options } => {
                (expr.as_ref(), Some((dtype.clone(), *options)))
            }
            other => (other, None),
        };
        let (shape, input) = match inner {
            Expr::Agg(AggExpr::Sum(x)) => (Shape::Sum, x.as_ref()),
            Expr::Agg(AggExpr::Count { input, include_nulls: false }) => (Shape::Count, input.as_ref()),
            Expr::Len => (Shape::Len, inner),
            Expr::Function { input, function: FunctionExpr::Quantile { method: QuantileMethod::Linear } } => {
                let [values, Expr::Literal(q)] = input.as_slice() else { return None };
                let Expr::Function { input: values, function: FunctionExpr::DropNulls } = values else { return None };
                let ([x], Some(q)) = (values.as_slice(), q.to_any_value().and_then(|q| q.extract::<f64>())) else {
                    return None;
                };
                (Shape::Quantile(q), x)
            }
            Expr::AnonymousFunction { input, fmt_str, .. } => {
                let ((per_unit, power), [x]) = (exact_sum_of(fmt_str)?, input.as_slice()) else { return None };
                (Shape::ExactSum { per_unit, power }, x)
            }
            Expr::Literal(value) if value.is_scalar() => (Shape::Constant, inner),
            _ => return None,
        };
        let input = match shape {
            Shape::Len => None,
            _ if elementwise(input) => Some(input.clone()),
            _ => return None,
        };
        Some(Reduction { name: name.clone(), shape, input, cast, expr: expr.clone() })
    }
}

/// Whether an expression gives one value per row from that row alone (or a scalar).
fn elementwise(expr: &Expr) -> bool {
    match expr {
        Expr::Column(_) => true,
        Expr::Literal(value) => value.is_scalar(),
        Expr::Alias(x, _) => elementwise(x),
        Expr::Cast { expr, dtype: DataTypeExpr::Literal(_), .. } => elementwise(expr),
        Expr::BinaryExpr { left, right, .. } => elementwise(left) && elementwise(right),
        Expr::Ternary { predicate, truthy, falsy } => [predicate, truthy, falsy].iter().all(|x| elementwise(x)),
        Expr::Function {
            input,
            function: FunctionExpr::Boolean(BooleanFunction::IsNull | BooleanFunction::IsNotNull | BooleanFunction::Not),
        } => input.iter().all(elementwise),
        _ => false,
    }
}

/// Reduced columns by the index of their reduction (`None`: left to polars).
type Reduced = Vec<(usize, Option<Series>)>;

/// The rows of a frame grouped by period start and `--by` codes.
struct Groups {
    /// Each row's group, 0-based in order of first appearance.
    ids: Vec<u32>,
    /// Each group's period start (days since 1970) and codes.
    keys: Vec<(i32, Vec<u32>)>,
    /// Each group's rows.
    sizes: Vec<u32>,
}

impl Groups {
    /// Groups the rows of `frame` by `period_start` and the `columns`; `None` when a key
    /// has a null value or the keys span more than [`MAX_SLOTS`].
    fn of(frame: &DataFrame, columns: &[String]) -> PolarsResult<Option<Groups>> {
        let days = frame.column("period_start")?.as_materialized_series().to_physical_repr().into_owned();
        let dims: Option<Vec<UInt32Chunked>> =
            columns.iter().map(|c| frame.column(c).ok()?.as_materialized_series().u32().ok().cloned()).collect();
        let (Ok(days), Some(dims)) = (days.i32(), dims) else { return Ok(None) };
        if days.null_count() > 0 || dims.iter().any(|d| d.null_count() > 0) {
            return Ok(None);
        }
        let (Some(first), Some(last)) = (days.min(), days.max()) else {
            return Ok(Some(Groups { ids: Vec::new(), keys: Vec::new(), sizes: Vec::new() }));
        };
        let widths: Vec<usize> = dims.iter().map(|d| d.max().map_or(1, |m| m as usize + 1)).collect();
        let span = (i64::from(last) - i64::from(first) + 1) as usize;
        let slots = widths.iter().try_fold(span, |n, w| n.checked_mul(*w).filter(|&n| n <= MAX_SLOTS));
        let Some(slots) = slots.filter(|&n| n <= MAX_SLOTS) else { return Ok(None) };
        let mut slot: Vec<u32> = days.into_no_null_iter().map(|d| (d - first) as u32).collect();
        for (dim, width) in dims.iter().zip(&widths) {
            slot.iter_mut().zip(dim.into_no_null_iter()).for_each(|(s, c)| *s = *s * *width as u32 + c);
        }
        let mut group_of = vec![u32::MAX; slots];
        let (mut keys, mut sizes) = (Vec::new(), Vec::new());
        let ids = slot
            .into_iter()
            .map(|s| {
                let id = &mut group_of[s as usize];
                if *id == u32::MAX {
                    *id = keys.len() as u32;
                    keys.push(unpack(s, first, &widths));
                    sizes.push(0);
                }
                sizes[*id as usize] += 1;
                *id
            })
            .collect();
        Ok(Some(Groups { ids, keys, sizes }))
    }

    fn len(&self) -> usize {
        self.keys.len()
    }

    /// The key columns: `period_start` (Date) and the `columns` (codes).
    fn key_columns(&self, columns: &[String]) -> PolarsResult<Vec<Column>> {
        let days: Vec<i32> = self.keys.iter().map(|k| k.0).collect();
        let mut out = vec![Column::new("period_start".into(), days).cast(&DataType::Date)?];
        for (j, name) in columns.iter().enumerate() {
            let codes: Vec<u32> = self.keys.iter().map(|k| k.1[j]).collect();
            out.push(Column::new(name.as_str().into(), codes));
        }
        Ok(out)
    }

    /// Per group: the rows whose bit is set, given chunk by chunk in row order as
    /// (rows, bits; `None`: every bit set). A row adds its bit (0 or 1): no branch.
    fn count_bits(&self, chunks: impl Iterator<Item = (usize, Option<Bitmap>)>) -> Vec<IdxSize> {
        let mut out = vec![0 as IdxSize; self.len()];
        let mut rows = self.ids.as_slice();
        for (len, bits) in chunks {
            let (ids, rest) = rows.split_at(len.min(rows.len()));
            rows = rest;
            match bits {
                None => ids.iter().for_each(|&id| out[id as usize] += 1),
                Some(bits) => {
                    // 64 rows per word of the bitmap: a word without a bit set is skipped
                    // (most rows have no rejected value), the others add their set bits.
                    let mut words = bits.chunks::<u64>();
                    let mut rows = ids.chunks(64);
                    for (word, ids) in words.by_ref().zip(rows.by_ref()) {
                        add_set_bits(&mut out, ids, word);
                    }
                    if let Some(ids) = rows.next() {
                        add_set_bits(&mut out, ids, words.remainder());
                    }
                }
            }
        }
        out
    }

    /// Calls `f` with the group and value of each non-null value of `x` (one per row, in
    /// row order), chunk by chunk (see [`each_in`]).
    fn each_value<T: PolarsNumericType>(&self, x: &ChunkedArray<T>, mut f: impl FnMut(u32, T::Native)) {
        for (ids, array) in self.chunks(x) {
            each_in(ids, array, &mut f);
        }
    }

    /// Each chunk of `x` with the groups of its rows.
    fn chunks<'a, T: PolarsNumericType>(
        &'a self,
        x: &'a ChunkedArray<T>,
    ) -> Vec<(&'a [u32], &'a PrimitiveArray<T::Native>)> {
        let mut rows = self.ids.as_slice();
        x.downcast_iter()
            .map(|array| {
                let (ids, rest) = rows.split_at(array.len().min(rows.len()));
                rows = rest;
                (ids, array)
            })
            .collect()
    }

    /// Σ of the terms of the non-null values of `x` over each group.
    fn sum<T: PolarsNumericType, S: Copy + Default>(
        &self,
        x: &ChunkedArray<T>,
        term: impl Fn(T::Native) -> S,
        add: impl Fn(S, S) -> S,
    ) -> Vec<S> {
        let mut out = vec![S::default(); self.len()];
        self.each_value(x, |id, v| out[id as usize] = add(out[id as usize], term(v)));
        out
    }

    /// Reduces one aggregation of a known shape over its evaluated `input`; `None` when
    /// the input's type is not one reduced here.
    fn reduce(&self, reduction: &Reduction, input: Option<&Series>) -> PolarsResult<Option<Series>> {
        let name = reduction.name.clone();
        let counts = |counts: Vec<IdxSize>| IdxCa::from_vec(name.clone(), counts).into_series();
        let out = match (reduction.shape, input) {
            (Shape::Len, _) => counts(self.sizes.iter().map(|&n| n as IdxSize).collect()),
            (Shape::Constant, Some(value)) if value.len() == 1 || value.len() == self.ids.len() => {
                if self.len() == 0 { value.clear() } else { value.new_from_index(0, self.len()) }
                    .with_name(name.clone())
            }
            (_, Some(x)) if x.len() != self.ids.len() => return Ok(None),
            (Shape::Count, Some(x)) => {
                counts(self.count_bits(x.chunks().iter().map(|a| (a.len(), valid_rows(a.as_ref(), x.dtype())))))
            }
            (Shape::Sum, Some(x)) => match x.dtype() {
                DataType::Boolean => {
                    counts(self.count_bits(x.bool()?.downcast_iter().map(|a| (a.len(), true_rows(a)))))
                }
                DataType::Int64 => {
                    Int64Chunked::from_vec(name.clone(), self.sum(x.i64()?, |v| v, i64::wrapping_add)).into_series()
                }
                DataType::UInt64 => {
                    UInt64Chunked::from_vec(name.clone(), self.sum(x.u64()?, |v| v, u64::wrapping_add)).into_series()
                }
                DataType::Int128 => {
                    Int128Chunked::from_vec(name.clone(), self.sum(x.i128()?, |v| v, i128::wrapping_add)).into_series()
                }
                _ => return Ok(None),
            },
            (Shape::ExactSum { per_unit, power }, Some(x)) if x.dtype() == &DataType::Float64 => {
                let sums = self.sum(x.f64()?, |v| exact_term(v, per_unit, power), |a, b| a + b);
                Int128Chunked::from_vec(name.clone(), sums).into_series()
            }
            _ => return Ok(None),
        };
        Ok(Some(cast(out, &reduction.cast)?))
    }

    /// The quantiles of the reductions `task` (all of one Float64 input `x`), from one
    /// grouping of its non-null values; `None` each for an input of another type.
    fn quantile_task(&self, task: &[usize], known: &[Reduction], x: Option<&Series>) -> PolarsResult<Reduced> {
        let Some(x) = x.filter(|x| x.dtype() == &DataType::Float64 && x.len() == self.ids.len()) else {
            return Ok(task.iter().map(|&i| (i, None)).collect());
        };
        let qs: Vec<f64> =
            task.iter().map(|&i| if let Shape::Quantile(q) = known[i].shape { q } else { 0.0 }).collect();
        let per_group = self.quantiles(x.f64()?, &qs);
        let mut out = Vec::with_capacity(task.len());
        for (k, &i) in task.iter().enumerate() {
            let values = per_group.iter().map(|g| g[k]);
            let series = Float64Chunked::from_iter_options(known[i].name.clone(), values).into_series();
            out.push((i, Some(cast(series, &known[i].cast)?)));
        }
        Ok(out)
    }

    /// The linear quantiles `qs` of each group's non-null values.
    fn quantiles(&self, x: &Float64Chunked, qs: &[f64]) -> Vec<Vec<Option<f64>>> {
        // The values grouped: a counting sort of the rows by group, chunk by chunk in
        // parallel (one core did it while the other waited): each chunk counts its values
        // per group, then writes them into its own share of each group's slice.
        let chunks = self.chunks(x);
        let counts: Vec<Vec<usize>> = chunks
            .par_iter()
            .map(|(ids, array)| {
                let mut count = vec![0usize; self.len()];
                each_in(ids, array, |id, _| count[id as usize] += 1);
                count
            })
            .collect();
        let sizes: Vec<usize> = (0..self.len()).map(|g| counts.iter().map(|c| c[g]).sum()).collect();
        let mut values = vec![0f64; sizes.iter().sum()];
        let mut shares: Vec<Vec<&mut [f64]>> = chunks.iter().map(|_| Vec::with_capacity(self.len())).collect();
        for (g, mut group) in split_sizes(&mut values, &sizes).into_iter().enumerate() {
            for (share, count) in shares.iter_mut().zip(&counts) {
                let (part, rest) = group.split_at_mut(count[g]);
                share.push(part);
                group = rest;
            }
        }
        chunks.par_iter().zip(shares).for_each(|((ids, array), mut share)| {
            let mut next = vec![0usize; share.len()];
            each_in(ids, array, |id, v| {
                let g = id as usize;
                share[g][next[g]] = v;
                next[g] += 1;
            });
        });
        // Each group's quantiles, selected in parallel.
        split_sizes(&mut values, &sizes)
            .into_par_iter()
            .map(|group| qs.iter().map(|&q| quantile_of(group, q)).collect())
            .collect()
    }
}

/// Calls `f` with the group (from `ids`) and value of each non-null value of one chunk:
/// the values read off their slice, the nulls off the validity bitmap (an iterator of
/// options cost more than the sums themselves).
fn each_in<T: NativeType>(ids: &[u32], array: &PrimitiveArray<T>, mut f: impl FnMut(u32, T)) {
    let values: &[T] = array.values();
    match array.validity().filter(|valid| valid.unset_bits() > 0) {
        None => ids.iter().zip(values).for_each(|(&id, &v)| f(id, v)),
        Some(valid) => ids.iter().zip(values).zip(valid.iter()).for_each(|((&id, &v), ok)| {
            if ok {
                f(id, v);
            }
        }),
    }
}

/// `values` cut into consecutive slices of the `sizes` (which add up to its length).
fn split_sizes<'a>(values: &'a mut [f64], sizes: &[usize]) -> Vec<&'a mut [f64]> {
    let mut rest = values;
    sizes
        .iter()
        .map(|&size| {
            let (part, tail) = std::mem::take(&mut rest).split_at_mut(size);
            rest = tail;
            part
        })
        .collect()
}

/// Adds 1 to the group of each row of `ids` (up to 64) whose bit is set in `word`
/// (bit i: row i).
fn add_set_bits(out: &mut [IdxSize], ids: &[u32], mut word: u64) {
    if word == u64::MAX {
        ids.iter().for_each(|&id| out[id as usize] += 1);
        return;
    }
    while word != 0 {
        if let Some(&id) = ids.get(word.trailing_zeros() as usize) {
            out[id as usize] += 1;
        }
        word &= word - 1;
    }
}

/// The non-null rows of one chunk (`None`: all of them).
fn valid_rows(array: &dyn Array, dtype: &DataType) -> Option<Bitmap> {
    if dtype == &DataType::Null {
        return Some(Bitmap::new_zeroed(array.len()));
    }
    array.validity().cloned()
}

/// The true, non-null rows of one Boolean chunk.
fn true_rows(array: &BooleanArray) -> Option<Bitmap> {
    Some(match array.validity() {
        Some(valid) => array.values() & valid,
        None => array.values().clone(),
    })
}

/// Casts a reduced column as its aggregation says (if it does).
fn cast(series: Series, to: &Option<(DataType, CastOptions)>) -> PolarsResult<Series> {
    match to {
        Some((dtype, options)) => series.cast_with_options(dtype, *options),
        None => Ok(series),
    }
}

/// The linear quantile `q` of some values (reordered), as polars selects it: the value
/// at ⌊h⌋ in ascending order, and the least of those above it.
fn quantile_of(values: &mut [f64], q: f64) -> Option<f64> {
    let mut lower_at = None;
    linear_quantile(values.len() as u64, q, |position| {
        let position = position as usize;
        match lower_at {
            None => {
                lower_at = Some(position);
                values.select_nth_unstable_by(position, f64::total_cmp);
                values.get(position).copied()
            }
            Some(_) => values[position..].iter().copied().min_by(f64::total_cmp),
        }
    })
}

/// The period start and codes of a slot.
fn unpack(mut slot: u32, first: i32, widths: &[usize]) -> (i32, Vec<u32>) {
    let mut codes = vec![0u32; widths.len()];
    for (code, width) in codes.iter_mut().zip(widths).rev() {
        *code = slot % *width as u32;
        slot /= *width as u32;
    }
    (first + slot as i32, codes)
}

/// Aggregates `frame` per `period_start` and the `columns` (`by.<dim>` codes): the
/// aggregations of a known shape here, and the rest (the aggregations returned) left to
/// the caller. `None` when the rows cannot be grouped here (see [`Groups::of`]) or no
/// aggregation has a known shape.
///
/// Only the keys and the inputs are evaluated, in the frame's chunks as they are
/// (collecting the whole frame copied every column into one chunk).
pub fn reduce(
    frame: LazyFrame,
    columns: &[String],
    aggregations: &[Expr],
) -> PolarsResult<Option<(DataFrame, Vec<Expr>)>> {
    let known: Vec<Reduction> = aggregations.iter().filter_map(Reduction::of).collect();
    if known.is_empty() {
        return Ok(None);
    }
    // Each distinct input evaluated once (the median and the 90th percentile of one column).
    let mut inputs: Vec<Expr> = Vec::new();
    let input_of: Vec<Option<usize>> = known
        .iter()
        .map(|r| {
            r.input.as_ref().map(|x| match inputs.iter().position(|y| y == x) {
                Some(i) => i,
                None => {
                    inputs.push(x.clone());
                    inputs.len() - 1
                }
            })
        })
        .collect();
    let keys = std::iter::once("period_start").chain(columns.iter().map(String::as_str)).map(col);
    let named = inputs.iter().enumerate().map(|(i, x)| x.clone().alias(format!("reduce.{i}")));
    let df = frame.select(keys.chain(named).collect::<Vec<_>>()).collect()?;
    let Some(groups) = Groups::of(&df, columns)? else { return Ok(None) };
    let evaluated: Vec<Series> =
        df.columns()[1 + columns.len()..].iter().map(|c| c.as_materialized_series().clone()).collect();
    // The quantiles of one input share one grouping of its values.
    let tasks: Vec<Vec<usize>> = (0..known.len())
        .filter_map(|i| match known[i].shape {
            Shape::Quantile(_) => {
                let first = (0..i).any(|j| matches!(known[j].shape, Shape::Quantile(_)) && input_of[j] == input_of[i]);
                (!first).then(|| {
                    (i..known.len())
                        .filter(|&j| matches!(known[j].shape, Shape::Quantile(_)) && input_of[j] == input_of[i])
                        .collect()
                })
            }
            _ => Some(vec![i]),
        })
        .collect();
    let done: Vec<PolarsResult<Reduced>> = tasks
        .par_iter()
        .map(|task| {
            let input = input_of[task[0]].map(|i| &evaluated[i]);
            match known[task[0]].shape {
                Shape::Quantile(_) => groups.quantile_task(task, &known, input),
                _ => Ok(vec![(task[0], groups.reduce(&known[task[0]], input)?)]),
            }
        })
        .collect();
    let mut out: Vec<Option<Series>> = vec![None; known.len()];
    for (i, series) in done.into_iter().collect::<PolarsResult<Vec<_>>>()?.into_iter().flatten() {
        out[i] = series;
    }
    let mut columns_out = groups.key_columns(columns)?;
    let mut rest: Vec<Expr> = aggregations.iter().filter(|a| Reduction::of(a).is_none()).cloned().collect();
    for (r, series) in known.into_iter().zip(out) {
        match series {
            Some(series) => columns_out.push(series.into_column()),
            None => rest.push(r.expr),
        }
    }
    Ok(Some((DataFrame::new_infer_height(columns_out)?, rest)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The frame of the tests: 7 rows over two periods and two channels.
    fn frame() -> DataFrame {
        df!(
            "period_start" => [0i32, 0, 31, 0, 31, 31, 0],
            "by.channel" => [0u32, 1, 0, 0, 0, 0, 1],
            "ok" => [Some(true), Some(false), None, Some(true), Some(true), Some(false), None],
            "x" => [Some(1.5f64), None, Some(2.0), Some(0.5), Some(4.0), Some(3.0), None],
            "n" => [Some(2i64), Some(3), None, Some(4), Some(5), None, Some(7)],
        )
        .unwrap()
        .lazy()
        .with_column(col("period_start").cast(DataType::Date))
        .collect()
        .unwrap()
    }

    fn aggregations() -> Vec<Expr> {
        vec![
            col("ok").sum().cast(DataType::UInt64).alias("good"),
            col("ok").eq(lit(false)).sum().cast(DataType::UInt64).alias("bad"),
            col("x").count().cast(DataType::UInt64).alias("x.n"),
            len().cast(DataType::UInt64).alias("rows"),
            col("n").cast(DataType::Int64).sum().alias("n.sum"),
            col("x").drop_nulls().quantile(lit(0.5), QuantileMethod::Linear).alias("x.median"),
            col("x").drop_nulls().quantile(lit(0.9), QuantileMethod::Linear).alias("x.p90"),
            lit(0u64).alias("zero"),
            // Not a known shape: left to polars.
            col("x").max().alias("x.max"),
        ]
    }

    /// Sorted by key, the columns in one order.
    fn sorted(df: DataFrame) -> DataFrame {
        let names = ["period_start", "by.channel", "good", "bad", "x.n", "rows", "n.sum", "x.median", "x.p90", "zero"];
        df.lazy().select(names.map(col)).sort(["period_start", "by.channel"], Default::default()).collect().unwrap()
    }

    #[test]
    fn known_shapes_give_what_polars_gives() {
        let frame = frame();
        let columns = ["by.channel".to_string()];
        let (reduced, rest) = reduce(frame.clone().lazy(), &columns, &aggregations()).unwrap().unwrap();
        assert_eq!(rest.len(), 1, "the maximum is left to polars");
        let polars =
            frame.lazy().group_by([col("period_start"), col("by.channel")]).agg(aggregations()).collect().unwrap();
        assert_eq!(sorted(reduced.clone()).schema(), sorted(polars.clone()).schema(), "the same types");
        assert_eq!(sorted(reduced.clone()), sorted(polars));
        // By hand: period 0 channel 0 has rows 0 and 3: ok true, true; x 1.5, 0.5; n 2, 4.
        let first = sorted(reduced);
        let get = |name: &str| first.column(name).unwrap().get(0).unwrap().into_static();
        assert_eq!(get("good"), AnyValue::UInt64(2));
        assert_eq!(get("x.median"), AnyValue::Float64(1.0));
        assert_eq!(get("x.p90"), AnyValue::Float64(1.4));
        assert_eq!(get("n.sum"), AnyValue::Int64(6));
    }

    #[test]
    fn frames_in_chunks_give_what_one_chunk_gives() {
        // The rows in chunks of 3, 1 and 3 (as blocks of a file are stacked), and an
        // all-null column: the bits of each chunk count for its own rows.
        let whole = frame().lazy().with_column(lit(NULL).cast(DataType::Boolean).alias("none")).collect().unwrap();
        let mut stacked = whole.slice(0, 3);
        stacked.vstack_mut(&whole.slice(3, 1)).unwrap();
        stacked.vstack_mut(&whole.slice(4, 3)).unwrap();
        assert_eq!(stacked.column("ok").unwrap().n_chunks(), 3);
        let mut aggs = aggregations();
        aggs.push(col("none").count().cast(DataType::UInt64).alias("none.n"));
        aggs.push(col("none").sum().cast(DataType::UInt64).alias("none.sum"));
        let columns = ["by.channel".to_string()];
        let (one, _) = reduce(whole.lazy(), &columns, &aggs).unwrap().unwrap();
        let (chunked, rest) = reduce(stacked.lazy(), &columns, &aggs).unwrap().unwrap();
        assert_eq!(rest.len(), 1);
        let order = |df: DataFrame| df.sort(["period_start", "by.channel"], Default::default()).unwrap();
        assert_eq!(order(one), order(chunked.clone()));
        // By hand, period 0 channel 0 (rows 0 and 3, in the first and second chunks).
        let first = order(chunked);
        let get = |name: &str| first.column(name).unwrap().get(0).unwrap().into_static();
        assert_eq!(get("good"), AnyValue::UInt64(2));
        assert_eq!(get("x.n"), AnyValue::UInt64(2));
        assert_eq!(get("none.n"), AnyValue::UInt64(0));
        assert_eq!(get("none.sum"), AnyValue::UInt64(0));
    }

    #[test]
    fn bitmap_words_count_rows_in_chunks_at_any_offset() {
        // 300 rows in chunks cut at rows 70, 71 and 200 (bitmaps starting inside a byte
        // and a word, a chunk of one row, words all set, all clear and mixed), counted
        // against plain loops over the rows.
        let mut state = 12_345u32;
        let mut next = || {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            state >> 16
        };
        let (mut channel, mut ok, mut x) = (Vec::new(), Vec::new(), Vec::new());
        for row in 0..300 {
            channel.push(next() % 3);
            // Rows 100..164 all true, 164..228 all false, the rest mixed with nulls.
            ok.push(match row {
                100..164 => Some(true),
                164..228 => Some(false),
                _ => [None, Some(true), Some(false)][next() as usize % 3],
            });
            x.push((next() % 4 != 0).then(|| f64::from(next() % 100)));
        }
        let whole = df!("period_start" => vec![0i32; 300], "by.channel" => &channel, "ok" => &ok, "x" => &x)
            .unwrap()
            .lazy()
            .with_column(col("period_start").cast(DataType::Date))
            .collect()
            .unwrap();
        let mut stacked = whole.slice(0, 70);
        for (offset, len) in [(70, 1), (71, 129), (200, 100)] {
            stacked.vstack_mut(&whole.slice(offset, len)).unwrap();
        }
        let aggs = [
            col("ok").sum().cast(DataType::UInt64).alias("good"),
            col("ok").count().cast(DataType::UInt64).alias("ok.n"),
            col("x").count().cast(DataType::UInt64).alias("x.n"),
        ];
        let (reduced, _) = reduce(stacked.lazy(), &["by.channel".to_string()], &aggs).unwrap().unwrap();
        let reduced = reduced.sort(["by.channel"], Default::default()).unwrap();
        for c in 0..3u32 {
            let rows = || (0..300).filter(|&r| channel[r] == c);
            let expected = [
                rows().filter(|&r| ok[r] == Some(true)).count(),
                rows().filter(|&r| ok[r].is_some()).count(),
                rows().filter(|&r| x[r].is_some()).count(),
            ];
            let got = ["good", "ok.n", "x.n"].map(|name| {
                let value = reduced.column(name).unwrap().get(c as usize).unwrap().into_static();
                value.extract::<usize>().unwrap()
            });
            assert_eq!(got, expected, "channel {c}");
        }
    }

    #[test]
    fn a_group_without_values_has_no_quantile_and_zero_counts() {
        let frame = frame();
        let (reduced, _) = reduce(frame.clone().lazy(), &["by.channel".to_string()], &aggregations()).unwrap().unwrap();
        let df = sorted(reduced);
        // Period 0, channel 1: rows 1 and 6, x missing in both, ok false and missing.
        let get = |name: &str| df.column(name).unwrap().get(1).unwrap().into_static();
        assert_eq!(get("x.median"), AnyValue::Null);
        assert_eq!(get("x.n"), AnyValue::UInt64(0));
        assert_eq!(get("good"), AnyValue::UInt64(0));
        assert_eq!(get("bad"), AnyValue::UInt64(1));
        assert_eq!(get("rows"), AnyValue::UInt64(2));
        assert_eq!(get("n.sum"), AnyValue::Int64(10));
    }

    #[test]
    fn an_empty_frame_has_no_groups() {
        let frame = frame().slice(0, 0);
        let (reduced, _) = reduce(frame.clone().lazy(), &["by.channel".to_string()], &aggregations()).unwrap().unwrap();
        assert_eq!(reduced.height(), 0);
    }

    #[test]
    fn an_input_of_another_type_is_left_to_polars() {
        let frame = frame().lazy().with_column(col("n").cast(DataType::Int32).alias("i")).collect().unwrap();
        let sum = col("i").sum().alias("i.sum");
        let (reduced, rest) =
            reduce(frame.clone().lazy(), &["by.channel".to_string()], &[len().alias("rows"), sum.clone()])
                .unwrap()
                .unwrap();
        assert_eq!(rest, vec![sum]);
        assert!(reduced.column("i.sum").is_err());
        assert_eq!(reduced.column("rows").unwrap().as_materialized_series().sum::<u32>().unwrap(), 7);
    }

    #[test]
    fn filters_and_windows_are_not_elementwise() {
        assert!(Reduction::of(&col("w").filter(col("ok")).sum().alias("a")).is_none());
        assert!(Reduction::of(&col("ok").sum().over([col("g")]).unwrap().alias("a")).is_none());
        assert!(Reduction::of(&col("ok").sum()).is_none(), "no alias");
        assert!(Reduction::of(&col("ok").and(col("x").is_not_null()).sum().alias("a")).is_some());
    }
}
