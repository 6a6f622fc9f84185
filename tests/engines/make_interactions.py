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
first_response_at and resolved_at are date-times in every offset shape (some before the
row's date, some impossible), used where the duration column is empty. customer_id (2000
customers, so contacts repeat; some missing) and topic feed FCR by repeat contacts. They come from a
second seeded generator, so the other columns are as before.
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


def maybe(r, value):
    """The value, or (two times in five) empty: the time column is used then."""
    return "" if r.random() < 0.4 else value


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


OFFSETS = ["", "", "Z", "+05:30", "-0800", "+01", "z", "-09:30"]


def time_after(r):
    """A first_response_at or resolved_at: often empty (the duration column is used),
    else a date-time of 2025 in any offset shape (some before the row's date, some
    impossible or no date at all)."""
    u = r.random()
    if u < 0.45:
        return ""
    if u < 0.48:
        return r.choice(["2025-02-30T10:00", "soon", "2025-13-01", "NA", "2025-06-01T24:00"])
    seconds = f":{r.randrange(61):02d}" + (f".{r.randrange(1000)}" if r.random() < 0.2 else "") if r.random() < 0.6 else ""
    sep = r.choice(["T", "T", " ", "t"])
    return (f"2025-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}{sep}{r.randrange(24):02d}:{r.randrange(60):02d}"
            f"{seconds}{r.choice(OFFSETS)}")


TOPICS = ["billing", "billing", "delivery", "returns", "", "NA", " billing "]


def customer(r):
    """A customer of 2000 (repeat contacts), sometimes missing or with spaces."""
    u = r.random()
    if u < 0.03:
        return r.choice(["", "NA", "-99"])
    c = f"C{r.randrange(2000):04d}"
    return f" {c} " if u < 0.05 else c


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
                    "first_response_minutes", "handle_time", "resolution", "first_response_at", "resolved_at",
                    "customer_id", "topic"])
        d = random.Random(31)
        for i in range(rows):
            w.writerow([f"I{i:06d}", date(r), r.choice(CHANNELS), r.choice(SEGMENTS), flag(r, 0.85),
                        flag(r, 0.7) if r.random() < 0.7 else "", r.choice(CONTACTS), flag(r, 0.9),
                        flag(r, 0.05), maybe(d, duration(d, 12)), duration(d, 6), maybe(d, duration(d, 30)),
                        time_after(d), time_after(d), customer(d), d.choice(TOPICS)])


if __name__ == "__main__":
    main()
