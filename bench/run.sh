#!/usr/bin/env bash
# Benchmark: servq report against the DuckDB reference on the shared benchmark data,
# alternating runs in one session; prints median wall, CPU, peak RSS and the ratio.
#
# usage: bench/run.sh [ROWS ...]        (default: 1000000 10000000 interactions)
# env:   RUNS=3 (timed runs per tool after one warm-up), SHARED=../shared, DATA=bench/data
#        BIG="100000000": sizes run once with --streaming only (peak RSS must stay < 4 GiB)
# Tools: servq (in-memory engine), servq-stream (--streaming), duckdb (the reference).
# Not part of `cargo test`: speed lives here, correctness in the tests.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${SHARED:-$root/../shared}/bench
data=${DATA:-$root/bench/data}
runs=${RUNS:-3}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000000 10000000)

python3 -c "import duckdb, polars" 2>/dev/null || pip install -q duckdb polars
[ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
(cd "$root" && cargo build --release --locked -q)
servq=$root/target/release/servq

# Runs a command under /usr/bin/time; appends "wall cpu rss_mib" to $1.
measure() {
  local out=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o "$out.one" "$@" >/dev/null 2>"$out.err" || { cat "$out.err" >&2; exit 1; }
  awk '{ printf "%.3f %.3f %.0f\n", $1, $2 + $3, $4 / 1024 }' "$out.one" >> "$out"
}

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

printf '%-12s %-8s %10s %10s %12s\n' rows tool wall_s cpu_s peak_rss_mib
for n in "${sizes[@]}"; do
  dir=$data/$n
  [ -f "$dir/transactions.csv" ] || python3 "$shared/gen.py" --rows "$n" --out "$dir"
  tmp=$(mktemp -d)
  report=("$servq" report --surveys "$dir/surveys.csv" --interactions "$dir/interactions.csv"
          --transactions "$dir/transactions.csv" --by channel --format csv -q)
  servq_cmd=("${report[@]}" -o "$tmp/servq.csv")
  stream_cmd=("${report[@]}" --streaming -o "$tmp/stream.csv")
  duck_cmd=(python3 "$shared/ref_duckdb.py" "$dir" "$tmp/duck.csv")
  "${servq_cmd[@]}"; python3 "${duck_cmd[@]:1}" >/dev/null   # warm-up (page cache)
  for _ in $(seq "$runs"); do
    measure "$tmp/servq.t" "${servq_cmd[@]}"
    measure "$tmp/stream.t" "${stream_cmd[@]}"
    measure "$tmp/duck.t" "${duck_cmd[@]}"
  done
  for tool in servq stream duck; do
    wall=$(cut -d' ' -f1 "$tmp/$tool.t" | median)
    cpu=$(cut -d' ' -f2 "$tmp/$tool.t" | median)
    rss=$(cut -d' ' -f3 "$tmp/$tool.t" | median)
    printf '%-12s %-8s %10s %10s %12s\n' "$n" "$tool" "$wall" "$cpu" "$rss"
    eval "${tool}_wall=$wall; ${tool}_rss=$rss"
  done
  for tool in servq stream; do
    eval "w=\$${tool}_wall; r=\$${tool}_rss"
    awk -v a="$w" -v b="$duck_wall" -v c="$r" -v d="$duck_rss" -v n="$n" -v t="$tool" \
      'BEGIN { printf "%-12s ratio    %s/duckdb: wall %.2fx, peak RSS %.2fx\n", n, t, a / b, c / d }'
  done
  # Every by-month × channel figure: 12 months × 5 channels × 10 metrics = 600 keys.
  same=$(python3 "$shared/same.py" "$tmp/servq.csv" "$tmp/duck.csv")
  echo "$same" | sed "s/^/$n same.py servq: /"
  [[ "$same" == *"600 common keys, 0 differ"* ]] || { echo "$n: expected 600 common keys"; exit 1; }
  # Retention by month (11 keys) and CLV by segment (3 keys), which --by channel does not give.
  "${report[@]:0:8}" --metrics retention --format csv -q -o "$tmp/retention.csv"
  "${report[@]:0:8}" --metrics clv --by segment --format csv -q -o "$tmp/clv.csv"
  for part in retention:11 clv:3; do
    same=$(python3 "$shared/same.py" "$tmp/${part%%:*}.csv" "$tmp/duck.csv")
    echo "$same" | sed "s/^/$n same.py ${part%%:*}: /"
    [[ "$same" == *"${part##*:} common keys, 0 differ"* ]] || { echo "$n: expected ${part##*:} ${part%%:*} keys"; exit 1; }
  done
  cmp -s "$tmp/servq.csv" "$tmp/stream.csv" && echo "$n streaming output identical to in-memory" \
    || { echo "$n streaming output DIFFERS from in-memory"; exit 1; }
  rm -rf "$tmp"
done

for n in ${BIG:-}; do
  dir=$data/$n
  [ -f "$dir/transactions.csv" ] || python3 "$shared/gen.py" --rows "$n" --out "$dir"
  tmp=$(mktemp -d)
  measure "$tmp/big.t" "$servq" report --surveys "$dir/surveys.csv" --interactions "$dir/interactions.csv" \
    --transactions "$dir/transactions.csv" --by channel --format csv -q --streaming -o "$tmp/big.csv"
  read -r wall cpu rss < "$tmp/big.t"
  printf '%-12s %-8s %10s %10s %12s   (limit 4096 MiB)\n' "$n" stream "$wall" "$cpu" "$rss"
  [ "$rss" -lt 4096 ] || { echo "$n: peak RSS over 4 GiB"; exit 1; }
  rm -rf "$tmp"
done
