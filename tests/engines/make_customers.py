"""Writes a customer snapshot with bad values for the SQL engine tests (SPEC §12, §13):

    python3 make_customers.py OUT.csv [ROWS] [--undated]

Deterministic (seeded). One row per customer: `customer_id`, `snapshot_date` (the
shapes of make_surveys.py: offsets, bad and impossible dates, leap days; left out with
--undated), `segment` (blanks and missing codes), `plan`, and `Churn`, written as exports
write it: booleans in any case (`Yes`, `N`, `1`, `true`, `是`), churn words (`Attrited
Customer`, `EXISTING CUSTOMER`, `churned`, `留存`), spaces and vertical tabs around them,
missing codes, and values servq rejects (`maybe`, `2`, `yes!`, `EXİSTING` with a
Turkish dotted capital I, which a Unicode LOWER folds to `existing`, full-width `ｙｅｓ`).
"""
import csv
import random
import sys

from make_surveys import SEGMENTS, date

GOOD = ["Yes", "No", "yes", "no", "YES", "NO", "Y", "N", "y", "n", "1", "0", "true", "false",
        "True", "FALSE", "t", "F", "churned", "Churned", "retained", "Attrited Customer",
        "Existing Customer", "EXISTING CUSTOMER", "attrited", "existing", "active", "Active",
        "stayed", "lost", "cancelled", "Canceled", "流失", "已流失", "未流失", "留存", "是", "否",
        "真", "假", "对", "错", " Yes ", "\vNo\v", "\tchurned"]
BAD = ["maybe", "2", "yes!", "EXİSTING", "ｙｅｓ", "-1", "1.0", "churn", "Existing  Customer",
       "TRUE1", "是的"]
MISSING = ["", "NA", "-99", "  "]
PLANS = ["monthly", "annual", "two year", "", "NA"]


def churn(r):
    u = r.random()
    if u < 0.03:
        return r.choice(BAD)
    if u < 0.06:
        return r.choice(MISSING)
    if u < 0.30:
        return r.choice(GOOD)
    return "Yes" if r.random() < 0.25 else "No"


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    undated = "--undated" in sys.argv
    out = args[0]
    rows = int(args[1]) if len(args) > 1 else 100_000
    r = random.Random(43)
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        header = ["customer_id", "segment", "plan", "Churn"]
        if not undated:
            header.insert(1, "snapshot_date")
        w.writerow(header)
        for i in range(rows):
            segment = r.choice(SEGMENTS + ["", "-99", " smb "])
            row = [f"C{i:06d}", segment, r.choice(PLANS), churn(r)]
            if not undated:
                row.insert(1, date(r))
            w.writerow(row)


if __name__ == "__main__":
    main()
