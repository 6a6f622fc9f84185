"""Writes a transactions export with bad values for the SQL engine tests (SPEC §13):

    python3 make_transactions.py OUT.csv [ROWS]

Deterministic (seeded). The dates have the shapes of make_surveys.py (offsets, bad and
impossible dates, leap days). 3000 customers buy again and again, some in several
channels, some only once; their ids are sometimes written with spaces around them, in
another case (`c0001` is another customer than `C0001`), or missing (`""`, `NA`, `-99`:
the row is rejected). channel and segment have blanks and missing codes (a group of
their own). revenue and margin (from a second seeded generator, so the rest is as
before) are amounts as exports write them, with bad ones: negative revenue, exponents,
more than six decimals (rounded half up), 13-digit amounts at and past the largest,
decimal commas, currency signs, words; margins may be negative.
"""
import csv
import random
import sys

from make_surveys import CHANNELS, SEGMENTS, date


def customer(r):
    """One of 3000 customers, the first 300 buying often; sometimes missing or spaced."""
    u = r.random()
    if u < 0.02:
        return r.choice(["", "NA", "-99", "  "])
    n = r.randrange(300) if r.random() < 0.5 else r.randrange(3000)
    c = f"C{n:04d}"
    if u < 0.04:
        return f" {c} "
    if u < 0.05:
        return c.lower()
    return c


ODD_MONEY = ["", "NA", "-99", "-5", "-0", "1e3", "2.5e-6", "-2.5e-6", "0.1234565", "12.0000004",
             "9223372036854.775807", "9223372036854.775808", "1e13", "4,5", "$5", "abc", ".5", "5.",
             "+7", "1.2.3", "1e-400", "00012.50"]


def money(r, mean, negative):
    """An amount: mostly plain with two decimals, sometimes odd."""
    u = r.random()
    if u < 0.05:
        return r.choice(ODD_MONEY)
    x = r.expovariate(1 / mean)
    if negative and u < 0.15:
        x = -x
    return f"{x:.{r.choice([0, 1, 2, 2, 2, 4])}f}"


def main():
    out = sys.argv[1]
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    r = random.Random(37)
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["order_id", "customer_id", "order_date", "channel", "segment", "revenue", "margin"])
        m = random.Random(41)
        for i in range(rows):
            w.writerow([f"O{i:06d}", customer(r), date(r), r.choice(CHANNELS), r.choice(SEGMENTS),
                        money(m, 80, False), money(m, 20, True)])


if __name__ == "__main__":
    main()
