"""Banding edges, with HMIP's rounding to whole percentages.

The expected bands are written out here from the report's Annexe 2 ("80 per
cent or more ... Outstanding", "between 65 per cent and 79 per cent ...
Good", "between 50 per cent and 64 per cent ... Requires improvement",
"less than 50 per cent ... Inadequate"; totals "0-6 = Inadequate, 7-18 =
Requires improvement, 19-30 = Good, 31-36 = Outstanding"), not read from
the framework file, so a mistyped threshold in the YAML fails here.
"""

from __future__ import annotations

import pytest

from bandstand import evaluate
from helpers import evidence, published_evidence


def kq_rating(hmip, published, figure: dict) -> str:
    data = published_evidence(published)
    data["key_questions"]["2.1.1"] = figure
    return evaluate(hmip, evidence(data)).nodes["2.1.1"].level.id


@pytest.mark.parametrize("percent, expected", [
    (0, "inadequate"), (49, "inadequate"), (49.4, "inadequate"), (49.5, "requires_improvement"),
    (50, "requires_improvement"), (64, "requires_improvement"), (64.4, "requires_improvement"),
    (64.5, "good"), (65, "good"), (79, "good"), (79.4, "good"), (79.5, "outstanding"), (80, "outstanding"),
    (100, "outstanding"),
])
def test_percentages_round_half_up_before_banding(hmip, published, percent, expected):
    assert kq_rating(hmip, published, {"percent": percent}) == expected


@pytest.mark.parametrize("yes, of, expected", [
    (11, 17, "good"),                   # 64.7%, published as 65%: Good (not Requires improvement)
    (99, 200, "requires_improvement"),  # exactly 49.5%
    (989, 2000, "inadequate"),          # 49.45%
    (129, 200, "good"),                 # exactly 64.5%
    (159, 200, "outstanding"),          # exactly 79.5%
    (1, 6, "inadequate"), (3, 6, "requires_improvement"), (4, 6, "good"), (5, 6, "outstanding"),
    (0, 1, "inadequate"), (1, 1, "outstanding"),
])
def test_counts_are_exact_fractions_before_rounding(hmip, published, yes, of, expected):
    assert kq_rating(hmip, published, {"yes": yes, "of": of}) == expected


LEVELS = ["inadequate", "requires_improvement", "good", "outstanding"]
PERCENT_FOR = {"inadequate": 20, "requires_improvement": 55, "good": 70, "outstanding": 90}
JUDGED = ["1.1", "1.2", "1.3", "1.4", "3.4"]
CASE_BASED = ["2.1", "2.2", "2.3", "2.4", "3.1", "3.2", "3.3"]


def evidence_scoring(hmip, total: int, resettlement: str = "good") -> dict:
    """Evidence whose 12 core standards score `total` (0-36)."""
    scores = []
    remaining = total
    for _ in range(12):
        s = min(3, remaining)
        scores.append(s)
        remaining -= s
    judgements = {sid: LEVELS[s] for sid, s in zip(JUDGED, scores[:5])}
    judgements["4.1"] = resettlement
    figures = {}
    for sid, s in zip(CASE_BASED, scores[5:]):
        for kq in hmip.nodes[sid].children:
            figures[kq.id] = {"percent": PERCENT_FOR[LEVELS[s]]}
    return {"subject": f"score {total}", "judgements": judgements, "key_questions": figures}


@pytest.mark.parametrize("total, expected", [
    (0, "inadequate"), (6, "inadequate"), (7, "requires_improvement"), (18, "requires_improvement"),
    (19, "good"), (30, "good"), (31, "outstanding"), (36, "outstanding"),
])
def test_total_score_bands(hmip, total, expected):
    result = evaluate(hmip, evidence(evidence_scoring(hmip, total)))
    assert result.overall.value == total
    assert result.overall.maximum == 36
    assert result.overall.level.id == expected


def test_resettlement_is_not_summed(hmip):
    low = evaluate(hmip, evidence(evidence_scoring(hmip, 20, resettlement="inadequate")))
    high = evaluate(hmip, evidence(evidence_scoring(hmip, 20, resettlement="outstanding")))
    assert low.overall.value == high.overall.value == 20
