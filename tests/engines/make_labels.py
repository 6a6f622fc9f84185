"""Writes surveys whose CSAT answers are rating labels, for the SQL engine tests (SPEC §14):

    python3 make_labels.py OUT.csv [ROWS] [zh-5|good-bad|custom]

Deterministic (seeded). `submitted_at` (the date shapes of make_surveys.py), `channel`,
and `csat` written as the labels of the preset (`zh-5`: 非常满意 … 非常不满意; `good-bad`:
good, bad; `custom`: very satisfied … very dissatisfied, as `labels.toml` of the tests
maps them) in any ASCII case with spaces, tabs and vertical tabs around them, mixed
with scores written as numbers (`4`, `4.0`, `1e0`), missing codes, and answers servq
rejects (a label with a doubled inner space, with punctuation, off-scale numbers, `4.5`).
"""
import csv
import random
import sys

from make_surveys import CHANNELS, date

LABELS = {
    "zh-5": ["非常满意", "满意", "一般", "不满意", "非常不满意"],
    "good-bad": ["good", "bad", "Good", "BAD", "gOOd"],
    "custom": ["very satisfied", "Satisfied", "NEUTRAL", "dissatisfied", "Very Dissatisfied"],
}
NUMBERS = {"zh-5": ["5", "4", "4.0", "1e0", "3 "], "good-bad": ["1", "0", "1.0"], "custom": ["5", "2", "3.0"]}
BAD = {
    "zh-5": ["满意!", "很满意", "6", "4.5", "abc"],
    "good-bad": ["goodish", "2", "-1", "0.5", "yes"],
    "custom": ["very  satisfied", "satisfied.", "7", "4.5", "ok"],
}


def answer(r, style):
    u = r.random()
    if u < 0.03:
        return r.choice(BAD[style])
    if u < 0.05:
        return r.choice(["", "NA", "-99"])
    if u < 0.15:
        return r.choice(NUMBERS[style])
    word = r.choice(LABELS[style])
    if r.random() < 0.1:
        word = r.choice([" ", "\t", "\v"]) + word + r.choice(["", " ", "\v"])
    return word


def main():
    args = sys.argv[1:]
    out = args[0]
    rows = int(args[1]) if len(args) > 1 else 100_000
    style = args[2] if len(args) > 2 else "zh-5"
    r = random.Random(59)
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["submitted_at", "channel", "csat"])
        for _ in range(rows):
            w.writerow([date(r), r.choice(CHANNELS), answer(r, style)])


if __name__ == "__main__":
    main()
