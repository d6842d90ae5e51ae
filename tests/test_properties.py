"""Properties over random evidence (hypothesis).

* Random valid case-level evidence never raises, and every node with an
  applicable case is rated.
* A rating never falls when one case's "no" becomes a "yes".
* A rating never falls when a published percentage rises.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bandstand import evaluate
from bandstand.dsl.model import Level
from helpers import evidence

LEVELS = ["inadequate", "requires_improvement", "good", "outstanding"]
COURT = ["2.1.1", "2.1.2", "2.1.3", "2.2.1", "2.2.2", "2.2.3", "2.3.1", "2.3.2", "2.3.3", "2.4.1", "2.4.2", "2.4.3"]
OOC = ["3.1.1", "3.1.2", "3.1.3", "3.2.1", "3.2.2", "3.2.3", "3.3.1", "3.3.2", "3.3.3"]
ANSWER = st.sampled_from(["yes", "no", "n/a", "yes", "no"])


@st.composite
def case(draw, part: str, questions: list[str]):
    answers = {q: draw(ANSWER) for q in questions}
    if all(a == "n/a" for a in answers.values()):
        answers[questions[0]] = draw(st.sampled_from(["yes", "no"]))
    return {"part": part, "answers": answers}


@st.composite
def inspection(draw):
    cases = (draw(st.lists(case("court", COURT), min_size=1, max_size=8))
             + draw(st.lists(case("out_of_court", OOC), min_size=1, max_size=8)))
    for i, c in enumerate(cases):
        c["id"] = f"case-{i}"
    judgements = {j: draw(st.sampled_from(LEVELS)) for j in ("1.1", "1.2", "1.3", "1.4", "3.4")}
    if draw(st.booleans()):
        judgements["4.1"] = draw(st.sampled_from(LEVELS))
    return {"subject": "random", "judgements": judgements, "cases": cases}


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(inspection())
def test_random_valid_evidence_never_raises(hmip, data):
    result = evaluate(hmip, evidence(data))
    for node_id in COURT + OOC:
        r = result.nodes[node_id]
        assert (r.level is not None) == bool(r.measure.of), node_id
    assert result.overall is not None and result.overall.reason


def levels(result) -> dict[str, Level | None]:
    out = {k: r.level for k, r in result.nodes.items()}
    out["overall"] = result.overall.level
    return out


def never_lower(before: dict, after: dict) -> None:
    for node_id, old in before.items():
        new = after[node_id]
        if old is not None:
            assert new is not None and new.index >= old.index, (node_id, old, new)


@SETTINGS
@given(inspection(), st.data())
def test_a_no_becoming_yes_never_lowers_a_rating(hmip, data, draw):
    noes = [(i, q) for i, c in enumerate(data["cases"]) for q, a in c["answers"].items() if a == "no"]
    if not noes:
        return
    i, q = draw.draw(st.sampled_from(noes))
    before = levels(evaluate(hmip, evidence(data)))
    data["cases"][i]["answers"][q] = "yes"
    after = levels(evaluate(hmip, evidence(data)))
    never_lower(before, after)


@SETTINGS
@given(st.dictionaries(st.sampled_from(COURT + OOC), st.integers(0, 100), min_size=len(COURT + OOC),
                       max_size=len(COURT + OOC)),
       st.sampled_from(COURT + OOC), st.integers(1, 100))
def test_a_higher_percentage_never_lowers_a_rating(hmip, percents, node_id, rise):
    judgements = {j: "good" for j in ("1.1", "1.2", "1.3", "1.4", "3.4")}
    data = {"judgements": judgements, "key_questions": {k: {"percent": v} for k, v in percents.items()}}
    before = levels(evaluate(hmip, evidence(data)))
    data["key_questions"][node_id]["percent"] = min(100, percents[node_id] + rise)
    after = levels(evaluate(hmip, evidence(data)))
    never_lower(before, after)
