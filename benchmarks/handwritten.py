"""The 2018 youth rating rules written by hand: the fastest plain Python we could write.

The yardstick the engine is measured against (benchmarks/run.py), and an
independent oracle: the test suite checks it agrees with bandstand on
random inspections. It knows nothing of bandstand.
"""

from __future__ import annotations

LEVELS = ("inadequate", "requires_improvement", "good", "outstanding")
LEVEL = {name: i for i, name in enumerate(LEVELS)}
LEVEL.update({"Inadequate": 0, "Requires improvement": 1, "Good": 2, "Outstanding": 3})
JUDGED = ("1.1", "1.2", "1.3", "1.4", "3.4")
CASE_BASED = (
    ("2.1", "2.1.1", "2.1.2", "2.1.3"), ("2.2", "2.2.1", "2.2.2", "2.2.3"), ("2.3", "2.3.1", "2.3.2", "2.3.3"),
    ("2.4", "2.4.1", "2.4.2", "2.4.3"), ("3.1", "3.1.1", "3.1.2", "3.1.3"), ("3.2", "3.2.1", "3.2.2", "3.2.3"),
    ("3.3", "3.3.1", "3.3.2", "3.3.3"),
)
KEY_QUESTIONS = tuple(k for s in CASE_BASED for k in s[1:])


def band(percent: int) -> int:
    """80%+ Outstanding, 65-79 Good, 50-64 Requires improvement, below 50 Inadequate."""
    return 3 if percent >= 80 else 2 if percent >= 65 else 1 if percent >= 50 else 0


def rate(figures: dict, judgements: dict) -> dict:
    """Level numbers (0-3) of the 12 standards, 4.1 and the overall rating.

    ``figures``: key question -> whole percentage; ``judgements``: judged standard -> level id.
    """
    out = {}
    total = 0
    for j in JUDGED:
        v = LEVEL[judgements[j]]
        out[j] = v
        total += v
    for s, a, b, c in CASE_BASED:
        v = min(band(figures[a]), band(figures[b]), band(figures[c]))
        out[s] = v
        total += v
    overall = 0 if total <= 6 else 1 if total <= 18 else 2 if total <= 30 else 3
    r41 = judgements.get("4.1")
    if r41 is not None:
        out["4.1"] = LEVEL[r41]
        if out["4.1"] == 0 and overall == 3:
            overall = 2
    out["overall"] = overall
    return out


def percent(yes: int, of: int) -> int:
    """A share of cases as a whole percentage, halves rounded up, exactly."""
    return (200 * yes + of) // (2 * of)


def rate_cases(cases: list, judgements: dict) -> dict:
    """The same from case answers: ``(part, {key question: True | False | None})`` per case."""
    yes = dict.fromkeys(KEY_QUESTIONS, 0)
    of = dict.fromkeys(KEY_QUESTIONS, 0)
    for _part, answers in cases:
        for k, a in answers.items():
            if a is not None:
                of[k] += 1
                if a:
                    yes[k] += 1
    return rate({k: percent(yes[k], of[k]) for k in KEY_QUESTIONS}, judgements)
