"""Writes an interactions export with bad values for the SQL engine tests (SPEC §13):

    python3 make_interactions.py OUT.csv [ROWS]

Deterministic (seeded). The dates have the shapes of make_surveys.py; the flags (resolved,
first_contact_resolved, answered, complaint) are
written as exports write them (true/false, yes/no, Y/N, 1/0, t/f, 是/否, any case)
with some that are no boolean, and contacts_to_resolve has counts, `1.0`, 0, -1 and
words.
"""
import csv
import random
import sys

from make_surveys import CHANNELS, SEGMENTS, date

TRUE = ["true", "True", "TRUE", "yes", "Y", "y", "1", "t", "是", "对"]
FALSE = ["false", "No", "N", "n", "0", "F", "否", "错", "假"]
ODD = ["", "", "maybe", "2", "-1", "tru", " yes ", "-99", "NA"]
CONTACTS = ["1", "1", "1", "2", "3", "5", "1.0", "2.0", "0", "-1", "x", "", " 1 ", "1e0", "-99"]


def flag(r, p_true):
    if r.random() < 0.08:
        return r.choice(ODD)
    return r.choice(TRUE) if r.random() < p_true else r.choice(FALSE)


def main():
    out = sys.argv[1]
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    r = random.Random(29)
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["ticket_id", "opened_at", "channel", "segment", "resolved",
                    "first_contact_resolved", "contacts_to_resolve", "answered", "complaint"])
        for i in range(rows):
            w.writerow([f"I{i:06d}", date(r), r.choice(CHANNELS), r.choice(SEGMENTS), flag(r, 0.85),
                        flag(r, 0.7) if r.random() < 0.7 else "", r.choice(CONTACTS), flag(r, 0.9),
                        flag(r, 0.05)])


if __name__ == "__main__":
    main()
