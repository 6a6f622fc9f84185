"""Adds the SPEC §11 columns to sample-data/interactions.csv, deterministically:
priority, resolved_at (resolved tickets only), answered (phone calls: Y/N) and
handle_time (phone and chat, as H:MM:SS). Run once from the project root:
    python3 sample-data/scorecard_columns.py
Re-running leaves the file as it is (the columns are recomputed from the same seed)."""
import csv
import datetime
import random

PATH = "sample-data/interactions.csv"
BASE = ["ticket_id", "customer_id", "opened_at", "channel", "segment", "topic",
        "first_response_minutes", "resolved", "contacts_to_resolve", "complaint"]
NEW = ["priority", "resolved_at", "answered", "handle_time"]

rows = list(csv.DictReader(open(PATH, newline="")))
rng = random.Random(20251129)
hours_scale = {"urgent": 3.0, "high": 8.0, "normal": 16.0, "low": 30.0}
for row in rows:
    priority = rng.choices(["urgent", "high", "normal", "low"], [1, 3, 8, 3])[0]
    row["priority"] = priority
    hours = rng.lognormvariate(0, 0.9) * hours_scale[priority]
    opened = datetime.datetime.fromisoformat(row["opened_at"])
    resolved_at = opened + datetime.timedelta(minutes=round(hours * 60))
    row["resolved_at"] = resolved_at.isoformat(timespec="minutes") if row["resolved"] == "true" else ""
    if row["channel"] == "phone":
        row["answered"] = "Y" if rng.random() > 0.08 else "N"
    else:
        row["answered"] = ""
    if row["channel"] in ("phone", "chat") and row["answered"] != "N":
        seconds = max(30, round(rng.lognormvariate(5.6, 0.5)))
        row["handle_time"] = f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    else:
        row["handle_time"] = ""

with open(PATH, "w", newline="") as out:
    writer = csv.DictWriter(out, fieldnames=BASE + NEW, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: row[k] for k in BASE + NEW})
