"""Writes a survey export with bad values for the SQL engine tests (SPEC §13):

    python3 make_surveys.py OUT.csv [ROWS] [--weights SCALE]

Deterministic (seeded). Besides plain answers it has every shape servq's reader
judges: ISO dates with times, fractions and offsets that move the day, impossible
and missing dates, other date formats, scores with spaces, `4.0`, `4.5`, off-scale,
exponents, missing codes (`-99`, `NA`), blank and padded groups, and quoted comments
with commas, quotes and line feeds.

With `--weights SCALE` it adds a survey `weight` column (SPEC §14), drawn by its own
generator so the other columns stay the same: weights from 0.05 to 4 times SCALE in
many spellings, zeros, and weights servq rejects (negative, words, overflowing) or
counts as missing.
"""
import csv
import random
import sys

DATES_BAD = ["", "2025-02-30", "2025-13-01", "2025-02-29", "03/04/2025", "2025/01/02",
             "2025-01-05T24:00", "2025-01-05 12:60", "2025-01-05T10:00+24:00", "20250105",
             "2025-01-05T10:00:00.", "2025-1-5", "  "]
# Valid, at the edges of the readers: a long fraction before an offset, an offset that
# moves the day, a leap second.
DATES_EDGE = ["2025-01-01T01:00:00." + "0" * 70 + "+05:30", "2024-12-31T23:30:00-01:00",
              "2025-03-01T00:10+00:30", "2024-02-29T23:59:60", "2025-12-31T23:59:59.999-00:01"]
SCORES_ODD = ["5.00000000000000000001", "0.999999999999999999999", " 4 ", "4.0", "4.5", "6", "0", "-99", "NA", "", "abc", "1e0", "+3", ".5",
              "5.", "1e400", "1e-400", "00003", "3 ", "\t2", "2,0", "inf", "NaN", "-0"]
NPS_ODD = ["10.0", "11", "-1", "9.5", "-99", "", " 7", "1e1", "0.0"]
CHANNELS = ["chat", "email", "phone", " web ", "", "-99", "Chat"]
SEGMENTS = ["smb", "enterprise", "consumer"]


def date(r):
    if r.random() < 0.03:
        return r.choice(DATES_BAD)
    if r.random() < 0.003:
        return r.choice(DATES_EDGE)
    y = 2025 if r.random() < 0.9 else 2024
    m = r.randint(1, 12)
    d = r.randint(1, 28 if m == 2 else 30)
    if y == 2024 and m == 2 and r.random() < 0.1:
        d = 29
    base = f"{y:04d}-{m:02d}-{d:02d}"
    shape = r.random()
    if shape < 0.4:
        return base
    hh, mi, ss = r.randint(0, 23), r.randint(0, 59), r.randint(0, 59)
    sep = r.choice(["T", " ", "t"])
    if shape < 0.6:
        return f"{base}{sep}{hh:02d}:{mi:02d}"
    t = f"{base}{sep}{hh:02d}:{mi:02d}:{ss:02d}"
    if r.random() < 0.2:
        t += r.choice([".250", ",5", ".123456"])
    if r.random() < 0.5:
        t += r.choice(["Z", "z", "+08:00", "-05:00", "+0530", "-0930", "+01", "+14:00", "-12:00"])
    if r.random() < 0.01:
        t = f"{base}T23:59:60"
    return t


def score(r, lo, hi):
    if r.random() < 0.06:
        return r.choice(SCORES_ODD)
    return str(r.randint(lo, hi))


# Missing, zero or rejected whatever the scale.
WEIGHTS_ODD = ["", "NA", "-99", "-1", "0", "0.0", "-0", "abc", "1e400", "inf", "NaN", "1,5", "1e-400"]
# Valid in odd spellings (scaled: the largest weight stays about 4 × SCALE).
WEIGHTS_SPELT = [" {} ", "+{}", "{}0", "\t{}"]


def weight(r, scale):
    if r.random() < 0.05:
        return r.choice(WEIGHTS_ODD)
    x = r.uniform(0.05, 4.0) * scale
    if r.random() < 0.03:
        return r.choice(WEIGHTS_SPELT).format(f"{x:.6e}")
    shape = r.random()
    if shape < 0.3:
        return repr(x)
    if shape < 0.6:
        return f"{x:.3g}"
    if shape < 0.8:
        return f"{x:e}"
    return f"{x:.12g}"


def main():
    args = sys.argv[1:]
    scale = None
    if "--weights" in args:
        i = args.index("--weights")
        scale = float(args[i + 1])
        del args[i:i + 2]
    out = args[0]
    rows = int(args[1]) if len(args) > 1 else 100_000
    r = random.Random(13)
    rw = random.Random(29)
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        header = ["response_id", "submitted_at", "channel", "segment", "csat", "ces", "nps", "comment"]
        w.writerow(header + (["weight"] if scale is not None else []))
        for i in range(rows):
            nps = r.choice(NPS_ODD) if r.random() < 0.04 else str(r.randint(0, 10))
            comment = r.choice(["", "ok", "slow, but fine", 'said "no"', "line one\nline two"])
            row = [f"R{i:06d}", date(r), r.choice(CHANNELS), r.choice(SEGMENTS),
                   score(r, 1, 5), score(r, 1, 7), nps, comment]
            if scale is not None:
                row.append(weight(rw, scale))
            w.writerow(row)


if __name__ == "__main__":
    main()
