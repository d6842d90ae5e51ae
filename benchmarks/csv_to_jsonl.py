"""A hand-written streaming CSV -> jsonl rater: the yardstick of the command line's batch mode.

Reads an inspections CSV (one row per case, the inspection's judgements
repeated on each row, as docs/guides/inspections.csv), counts each
inspection's answers as its rows stream past, rates it with
benchmarks/handwritten.py and writes one JSON line of ratings. It knows
nothing of bandstand.

    python benchmarks/csv_to_jsonl.py INSPECTIONS.csv > ratings.jsonl
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import handwritten  # noqa: E402

JUDGED = (*handwritten.JUDGED, "4.1")


def rate(name: str, judgements: dict, yes: dict, of: dict) -> str:
    figures = {k: handwritten.percent(yes[k], of[k]) for k in handwritten.KEY_QUESTIONS}
    levels = handwritten.rate(figures, {k: v for k, v in judgements.items() if v})
    return json.dumps({"subject": name, "overall": handwritten.LEVELS[levels["overall"]],
                       "nodes": {k: handwritten.LEVELS[v] for k, v in levels.items() if k != "overall"}})


def main(path: str) -> None:
    out = sys.stdout
    with open(path, newline="", encoding="utf-8") as f:
        rows = csv.reader(f)
        header = next(rows)
        col = {name: i for i, name in enumerate(header)}
        kq = [(k, col[k]) for k in handwritten.KEY_QUESTIONS]
        current = None
        for row in rows:
            name = row[0]
            if name != current:
                if current is not None:
                    # all three were bound in the iteration that set current (not None): not undefined
                    out.write(rate(current, judgements, yes, of) + "\n")  # noqa: F821
                current = name
                judgements = {j: row[col[j]] for j in JUDGED}
                yes = dict.fromkeys(handwritten.KEY_QUESTIONS, 0)
                of = dict.fromkeys(handwritten.KEY_QUESTIONS, 0)
            for k, i in kq:
                a = row[i]
                if a:
                    of[k] += 1
                    if a == "yes":
                        yes[k] += 1
        if current is not None:
            out.write(rate(current, judgements, yes, of) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
