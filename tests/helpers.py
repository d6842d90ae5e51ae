"""Helpers shared by the tests (import as `from helpers import ...`)."""

from __future__ import annotations

from pathlib import Path

import json

from bandstand import load_evidence_text
from bandstand.catalogue import bundled_dir

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
EXAMPLES = bundled_dir() / "examples" / "hmip-youth-2018"
def evidence(data: dict, name: str = "evidence.json"):
    """Evidence from a plain dict, through the same reader users' files go through (as JSON)."""
    return load_evidence_text(json.dumps(data), name)


def published_evidence(published: dict, **changes) -> dict:
    """Evidence dict of key-question percentages and judgements, with changes."""
    data = {
        "subject": published["subject"],
        "judgements": dict(published["judgements"]),
        "key_questions": {k: {"percent": v["percent"]} for k, v in published["key_questions"].items()},
    }
    for key, value in changes.items():
        data[key] = value
    return data
