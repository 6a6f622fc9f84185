#!/usr/bin/env bash
# SPEC §13 timings: the translated KPIs of one bench file by servq itself, and by the
# script of `servq sql` run in DuckDB, Spark local mode and PostgreSQL, each followed by
# `servq report --stats`; checks that all four CSVs are identical.
#
# usage: bench/sql.sh [ROWS]   (default 10000000: the bench set of that many interactions)
# env:   INPUT=surveys (or interactions: FCR and the abandon rate)
# Needs the release build (cargo build --release), python3 with duckdb and pyspark, and
# Debian's postgresql (as .ci/run installs them).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-10000000}
input=${INPUT:-surveys}
file=$root/bench/data/$n/$input.csv
[ -f "$file" ] || python3 "$root/../shared/bench/gen.py" --rows "$n" --out "$root/bench/data/$n"
servq=$root/target/release/servq
tmp=$(mktemp -d)
chmod 755 "$tmp"
flags=(--by channel --unweighted)
[ "$input" = interactions ] && flags+=(--metrics fcr,abandon_rate)
t() { local start end; start=$(date +%s.%N); "$@"; end=$(date +%s.%N); echo "$end - $start" | bc; }
echo "rows in $input file: $(($(wc -l < "$file") - 1))"
echo "servq report:        $(t "$servq" report "--$input" "$file" "${flags[@]}" --format csv -q -o "$tmp/servq.csv") s"
for engine in duckdb spark postgres; do
  "$servq" sql --dialect "$engine" "--$input" "$file" "${flags[@]}" -o "$tmp/$engine.sql" 2>/dev/null
done
echo "duckdb:              $(t python3 "$root/tests/engines/run_sql.py" duckdb "$tmp/duckdb.sql" "$tmp/duckdb.stats.csv") s"
echo "spark local[2]:      $(t python3 "$root/tests/engines/run_sql.py" spark "$tmp/spark.sql" "$tmp/spark.stats.csv" 2>/dev/null) s"
bash "$root/tests/engines/postgres.sh" start "$tmp/pg" 54399
trap 'bash "$root/tests/engines/postgres.sh" stop "$tmp/pg"' EXIT
pg() { psql -h "$tmp/pg" -p 54399 -U postgres -d postgres -q -X --csv -v ON_ERROR_STOP=1 -f "$tmp/postgres.sql" > "$tmp/postgres.stats.csv"; }
echo "postgresql (COPY):   $(t pg) s"
for engine in duckdb spark postgres; do
  "$servq" report --stats "$tmp/$engine.stats.csv" "${flags[@]}" --format csv -q -o "$tmp/$engine.csv"
  cmp "$tmp/servq.csv" "$tmp/$engine.csv" && echo "$engine: identical to servq report ($(wc -l < "$tmp/servq.csv") lines)"
done
