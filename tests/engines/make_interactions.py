"""Writes an interactions export with bad values for the SQL engine tests (SPEC §13):

    python3 make_interactions.py OUT.csv [ROWS]

Deterministic (seeded). The dates have the shapes of make_surveys.py; the flags (resolved,
first_contact_resolved, answered, complaint) are
written as exports write them (true/false, yes/no, Y/N, 1/0, t/f, 是/否, any case)
with some that are no boolean, and contacts_to_resolve has counts, `1.0`, 0, -1 and
words.
The durations (first_response_minutes and handle_time in minutes, resolution in hours)
are numbers with up to many decimals, clocks (H:MM:SS, MM:SS, fractions of a second),
ties, and bad values: negative, off-clock, too small or too long, words, decimal commas.
They come from a second seeded generator, so the other columns are as before.
"""
import csv
import random
import sys

from make_surveys import CHANNELS, SEGMENTS, date

TRUE = ["true", "True", "TRUE", "yes", "Y", "y", "1", "t", "是", "对"]
FALSE = ["false", "No", "N", "n", "0", "F", "否", "错", "假"]
ODD = ["", "", "maybe", "2", "-1", "tru", " yes ", "-99", "NA"]
BAD_DURATIONS = ["", "", "NA", "-99", "-3", "x", "4,5", "1e-400", "1e400", "0:61:00", "12:60", "1:2:3:4",
                 "600000000", "-0", "5.", ".5", "1e1", " 7 ", "0:00:00", "00:00:59.5", "+2", "12.", "1:30:"]


def duration(r, scale):
    """A duration as exports write one (minutes or hours), or a bad value."""
    u = r.random()
    if u < 0.06:
        return r.choice(BAD_DURATIONS)
    x = r.expovariate(1 / scale)
    if u < 0.25:
        total = int(x * 60 * (60 if scale < 24 else 3600) / 60)
        h, rest = divmod(total, 3600)
        return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if r.random() < 0.6 else f"{total // 60}:{total % 60:02d}"
    if u < 0.45:
        return str(int(x))
    if u < 0.55:
        return repr(x)
    return f"{x:.{r.choice([1, 2, 3])}f}"


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
                    "first_contact_resolved", "contacts_to_resolve", "answered", "complaint",
                    "first_response_minutes", "handle_time", "resolution"])
        d = random.Random(31)
        for i in range(rows):
            w.writerow([f"I{i:06d}", date(r), r.choice(CHANNELS), r.choice(SEGMENTS), flag(r, 0.85),
                        flag(r, 0.7) if r.random() < 0.7 else "", r.choice(CONTACTS), flag(r, 0.9),
                        flag(r, 0.05), duration(d, 12), duration(d, 6), duration(d, 30)])


if __name__ == "__main__":
    main()
