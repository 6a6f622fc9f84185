"""Writes the service-profit chain sample inputs (SPEC §12) for 2025, deterministically:
    servqual.csv          SERVQUAL survey: E1–E22 and P1–P22 on 1–7, importance points
                          W_tangibles … W_empathy (a few rows miss an item, a few points
                          do not sum to 100), by channel and segment
    employees.csv         the service teams (chat, email, phone) at two sites: hire and
                          leave dates since 2019
    employee_surveys.csv  a monthly pulse: esat 1–5 and enps 0–10, by team and site
    customers.csv         a customer snapshot at the end of 2025: one row per customer of
                          transactions.csv with its contract and a churned Yes/No flag
Run once from the project root:  python3 sample-data/service_chain.py"""
import csv
import datetime
import random

rng = random.Random(20251130)
DIMENSIONS = [("tangibles", range(1, 5)), ("reliability", range(5, 10)), ("responsiveness", range(10, 14)),
              ("assurance", range(14, 18)), ("empathy", range(18, 23))]
CHANNELS = ["chat", "email", "phone"]
SEGMENTS = ["consumer", "enterprise", "smb"]


def clamp(x):
    return max(1, min(7, round(x)))


def day_in(month):
    return datetime.date(2025, month, rng.randint(1, 28))


with open("sample-data/servqual.csv", "w", newline="") as f:
    out = csv.writer(f)
    out.writerow(["response_id", "submitted_at", "channel", "segment"] + [f"E{i}" for i in range(1, 23)]
                 + [f"P{i}" for i in range(1, 23)] + [f"W_{d}" for d, _ in DIMENSIONS])
    n = 0
    for month in range(1, 13):
        for _ in range(rng.randint(34, 46)):
            n += 1
            channel = rng.choice(CHANNELS)
            lift = 0.04 * month + (0.4 if channel == "chat" else 0.0)
            expect = [clamp(rng.gauss(6.0, 0.7)) for _ in range(22)]
            perceive = [clamp(rng.gauss(5.0 + lift - (0.6 if 5 <= i + 1 <= 9 else 0.0), 1.0)) for i in range(22)]
            if rng.random() < 0.05:
                perceive[rng.randrange(22)] = ""
            if rng.random() < 0.03:
                expect[rng.randrange(22)] = ""
            cuts = sorted(rng.sample(range(1, 20), 4))
            points = [5 * (b - a) for a, b in zip([0] + cuts, cuts + [20])]
            if rng.random() < 0.04:
                points[0] += rng.choice([3, -2])
            out.writerow([f"Q{n:05d}", f"{day_in(month)}T{rng.randint(8, 20):02d}:00:00", channel,
                          rng.choice(SEGMENTS)] + expect + perceive + points)

employees = []
with open("sample-data/employees.csv", "w", newline="") as f:
    out = csv.writer(f)
    out.writerow(["employee_id", "hire_date", "leave_date", "team", "site"])
    for k in range(1, 91):
        team = CHANNELS[k % 3]
        site = "Shanghai" if k % 2 else "Berlin"
        hire = datetime.date(2019, 1, 1) + datetime.timedelta(days=rng.randint(0, 2520))
        leave = ""
        if rng.random() < 0.35:
            end = hire + datetime.timedelta(days=rng.randint(60, 1400))
            if end <= datetime.date(2025, 12, 31):
                leave = end.isoformat()
        out.writerow([f"E{k:03d}", hire.isoformat(), leave, team, site])
        employees.append((team, site))

with open("sample-data/employee_surveys.csv", "w", newline="") as f:
    out = csv.writer(f)
    out.writerow(["submitted_at", "team", "site", "esat", "enps"])
    for month in range(1, 13):
        for team, site in rng.sample(employees, 30):
            mood = rng.gauss(0.3 if team == "chat" else 0.0, 1.0) + 0.03 * month
            esat = max(1, min(5, round(3.6 + mood)))
            enps = max(0, min(10, round(7.2 + 1.8 * mood)))
            out.writerow([day_in(month).isoformat(), team, site, esat, enps])

customers = {}
for row in csv.DictReader(open("sample-data/transactions.csv", newline="")):
    customers.setdefault(row["customer_id"], (row["segment"], row["order_date"]))
with open("sample-data/customers.csv", "w", newline="") as f:
    out = csv.writer(f)
    out.writerow(["customerID", "segment", "Contract", "Churn"])
    for cid, (segment, _) in sorted(customers.items()):
        contract = rng.choices(["Month-to-month", "One year", "Two year"], [5, 3, 2])[0]
        rate = {"Month-to-month": 0.42, "One year": 0.12, "Two year": 0.04}[contract]
        churned = "Yes" if rng.random() < rate else "No"
        if rng.random() < 0.01:
            churned = ""
        out.writerow([cid, segment, contract, churned])
