"""Runs a servq SQL script in an engine and writes its last SELECT's result as CSV.

    python3 run_sql.py duckdb|spark SCRIPT OUT.csv

Statements end with `;` at the end of a line (SPEC §13). DuckDB writes OUT.parquet
as Parquet. Spark runs in local mode;
several scripts may be given as SCRIPT:OUT pairs so the JVM starts once:

    python3 run_sql.py spark a.sql:a.csv b.sql:b.csv
"""
import csv
import sys


def statements(path):
    text = open(path, encoding="utf-8").read()
    out, current = [], []
    for line in text.splitlines():
        if line.startswith("--") and not current:
            continue
        current.append(line)
        if line.rstrip().endswith(";"):
            out.append("\n".join(current).rstrip().rstrip(";"))
            current = []
    if "".join(current).strip():
        out.append("\n".join(current))
    return out


def write(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for row in rows:
            w.writerow(["" if v is None else (v.isoformat() if hasattr(v, "isoformat") else v) for v in row])


def run_duckdb(pairs):
    import duckdb

    for script, out in pairs:
        con = duckdb.connect()
        *setup, last = statements(script)
        for s in setup:
            con.execute(s)
        if out.endswith(".parquet"):
            con.execute(f"COPY ({last}) TO '{out}' (FORMAT parquet)")
        else:
            result = con.execute(last)
            header = [d[0] for d in result.description]
            write(out, header, result.fetchall())
        con.close()


def run_spark(pairs):
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[2]")
        .appName("servq-sql-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        # The plans of thirteen scripts (each a union of hundreds of SELECTs) outgrow the
        # default 1 GiB heap.
        .config("spark.driver.memory", "4g")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    for script, out in pairs:
        *setup, last = statements(script)
        for s in setup:
            spark.sql(s)
        df = spark.sql(last)
        write(out, df.columns, [tuple(r) for r in df.collect()])
        spark.catalog.clearCache()
    spark.stop()


def main():
    engine, *args = sys.argv[1:]
    if len(args) == 2 and ":" not in args[0]:
        pairs = [(args[0], args[1])]
    else:
        pairs = [tuple(a.split(":", 1)) for a in args]
    {"duckdb": run_duckdb, "spark": run_spark}[engine](pairs)


if __name__ == "__main__":
    main()
