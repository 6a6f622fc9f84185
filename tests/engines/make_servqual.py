"""Writes a SERVQUAL survey with bad values for the SQL engine tests (SPEC §12, §13):

    python3 make_servqual.py OUT.csv [ROWS] [ITEMS]

Deterministic (seeded). One row per respondent: `submitted_at` (the date shapes of
make_surveys.py), `channel`, expectation items `E1…E<ITEMS>` and perception items
`P1…P<ITEMS>` (default 22) on 1–7, mostly whole, sometimes missing, a missing code,
off the scale, fractional, `7.0`, words; and importance points `W_tangibles …
W_empathy` that mostly sum to 100 (sometimes off by less or more than 0.5), written as
decimals, exponents, with spaces, negative, `-0`, `1e-400` or words.
"""
import csv
import random
import sys

from make_surveys import CHANNELS, date

DIMENSIONS = ["tangibles", "reliability", "responsiveness", "assurance", "empathy"]
ODD_ITEMS = ["", "", "NA", "-99", "8", "0", "4.5", "7.0", " 3 ", "abc", "1e0", "+2"]
ODD_POINTS = ["", "NA", "-5", "-0", "abc", "1e-400", " 20 ", "2e1", "1e400", ".5"]


def item(r):
    if r.random() < 0.03:
        return r.choice(ODD_ITEMS)
    return str(r.randint(1, 7))


def points(r):
    """Five importance points summing to 100, 99.7, 100.4 or 99.2, sometimes odd."""
    cuts = sorted(r.randint(0, 100) for _ in range(4))
    parts = [b - a for a, b in zip([0] + cuts, cuts + [100])]
    shape = r.random()
    if shape < 0.1:
        parts[0] += r.choice([-0.3, 0.4, -0.8, 0.6])
        return [f"{p:g}" for p in parts]
    if shape < 0.15:
        parts = [p * 1.0 for p in parts]
        parts[1] -= 0.25
        parts[2] += 0.25
        return [f"{p}" for p in parts]
    out = [str(p) for p in parts]
    if shape < 0.18:
        out[r.randrange(5)] = r.choice(ODD_POINTS)
    return out


def main():
    args = sys.argv[1:]
    out = args[0]
    rows = int(args[1]) if len(args) > 1 else 100_000
    items = int(args[2]) if len(args) > 2 else 22
    r = random.Random(53)
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        header = ["submitted_at", "channel"]
        header += [f"E{i}" for i in range(1, items + 1)] + [f"P{i}" for i in range(1, items + 1)]
        header += [f"W_{d}" for d in DIMENSIONS]
        w.writerow(header)
        for _ in range(rows):
            row = [date(r), r.choice(CHANNELS)]
            row += [item(r) for _ in range(2 * items)]
            row += points(r)
            w.writerow(row)


if __name__ == "__main__":
    main()
