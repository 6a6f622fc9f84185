"""Writes an employee roster with bad values for the SQL engine tests (SPEC §12, §13):

    python3 make_employees.py OUT.csv [ROWS]

Deterministic (seeded). One row per employee: `employee_id`, `hire_date` (the date
shapes of make_surveys.py, hires from 2015 on: offsets, bad and impossible dates, leap
days), `leave_date` (empty while employed, mostly; else a date of the same shapes after
the hire, sometimes before it or on it, unreadable, a missing code, or planned: in
2099 or 9999-12-31), `team` and `site` (blanks, missing codes, spaces around them).
"""
import csv
import datetime
import random
import sys

from make_surveys import DATES_BAD, DATES_EDGE, date

TEAMS = ["chat", "email", "phone", " phone ", "", "NA"]
SITES = ["Shanghai", "Berlin", "Austin", "", "-99"]
OFFSETS = ["", "", "", "Z", "+08:00", "-05:00", "+0530", "-0930", "+14:00"]


def day_text(r, y, m, d):
    base = f"{y:04d}-{m:02d}-{d:02d}"
    if r.random() < 0.6:
        return base
    return f"{base}T{r.randint(0, 23):02d}:{r.randint(0, 59):02d}{r.choice(OFFSETS)}"


def hire(r):
    u = r.random()
    if u < 0.5:
        return date(r)  # 2024 and 2025, with the bad and edge shapes
    y = r.randint(2015, 2023)
    m = r.randint(1, 12)
    return day_text(r, y, m, r.randint(1, 28))


def leave(r, hired):
    u = r.random()
    if u < 0.55:
        return ""
    if u < 0.565:
        return r.choice(DATES_BAD + DATES_EDGE + ["NA", "-99", "soon", "2099-06-30", "9999-12-31"])
    if u < 0.60 and hired[:10] and hired[:4].isdigit():
        return hired[:10]  # left on the hire day
    try:
        start = datetime.date.fromisoformat(hired[:10])
    except ValueError:
        start = datetime.date(2015, 1, 1)
    if r.random() < 0.02:
        start -= datetime.timedelta(days=400)  # sometimes before the hire: left out
    d = start + datetime.timedelta(days=r.randint(0, 900))
    return day_text(r, d.year, d.month, d.day)


def main():
    out = sys.argv[1]
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    r = random.Random(47)
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["employee_id", "hire_date", "leave_date", "team", "site"])
        for i in range(rows):
            hired = hire(r)
            w.writerow([f"E{i:06d}", hired, leave(r, hired), r.choice(TEAMS), r.choice(SITES)])


if __name__ == "__main__":
    main()
