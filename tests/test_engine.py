"""The interpreter: lowest-band, limiting rules, 'not rated', explanations, determinism."""

from __future__ import annotations

import copy
import json

import pytest

from bandstand import evaluate, load_framework_text
from bandstand.errors import BandstandError
from bandstand.render import to_json
from helpers import evidence, published_evidence
from test_bands import evidence_scoring


def test_standard_takes_its_lowest_key_question(hmip, published):
    data = published_evidence(published)
    data["key_questions"].update({"3.3.1": {"percent": 90}, "3.3.2": {"percent": 40}, "3.3.3": {"percent": 70}})
    r = evaluate(hmip, evidence(data)).nodes["3.3"]
    assert r.level.id == "inadequate"
    assert r.decided_by == ["3.3.2"]
    assert "3.3.2" in r.reason and "lowest" in r.reason


def test_ties_for_lowest_are_all_named(hmip, published):
    r = evaluate(hmip, evidence(published_evidence(published))).nodes["2.2"]
    assert r.decided_by == ["2.2.2", "2.2.3"]


def test_inadequate_resettlement_stops_an_outstanding_overall(hmip):
    result = evaluate(hmip, evidence(evidence_scoring(hmip, 36, resettlement="inadequate")))
    assert result.overall.value == 36
    assert result.overall.level.id == "good"
    assert [a.id for a in result.limits_applied] == ["resettlement-inadequate"]
    applied = result.limits_applied[0]
    assert (applied.before.id, applied.after.id) == ("outstanding", "good")
    assert "4.1" in result.overall.decided_by
    assert "resettlement" in result.overall.reason.lower()


@pytest.mark.parametrize("resettlement", ["requires_improvement", "good", "outstanding"])
def test_other_resettlement_ratings_do_not_limit(hmip, resettlement):
    result = evaluate(hmip, evidence(evidence_scoring(hmip, 36, resettlement=resettlement)))
    assert result.overall.level.id == "outstanding"
    assert result.limits_applied == []


def test_inadequate_resettlement_leaves_a_good_overall_alone(hmip):
    result = evaluate(hmip, evidence(evidence_scoring(hmip, 25, resettlement="inadequate")))
    assert result.overall.level.id == "good"
    assert result.limits_applied == []


def test_resettlement_not_rated_without_cases(hmip, published):
    data = published_evidence(published)
    del data["judgements"]["4.1"]
    result = evaluate(hmip, evidence(data))
    r = result.nodes["4.1"]
    assert r.level is None
    assert "resettlement" in r.reason
    assert result.overall.level.id == "requires_improvement"  # unaffected
    assert json.loads(to_json(result))["nodes"]["4.1"]["rating"] is None


def test_resettlement_explicitly_not_rated(hmip, published):
    data = published_evidence(published)
    data["judgements"]["4.1"] = {"rating": None, "note": "no custodial cases in the period"}
    assert evaluate(hmip, evidence(data)).nodes["4.1"].level is None


def test_key_question_with_no_applicable_case_is_not_rated(hmip, published):
    data = {"subject": "x", "judgements": dict(published["judgements"]), "cases": []}
    for i in range(3):
        answers = {kq: "yes" for kq in ("2.1.1", "2.1.2", "2.2.1", "2.2.2", "2.2.3", "2.3.1", "2.3.2", "2.3.3",
                                        "2.4.1", "2.4.2", "2.4.3")}
        answers["2.1.3"] = "n/a"
        data["cases"].append({"id": f"c{i}", "part": "court", "answers": answers})
        data["cases"].append({"id": f"o{i}", "part": "out_of_court",
                              "answers": {kq.id: "no" for s in ("3.1", "3.2", "3.3") for kq in
                                          hmip.nodes[s].children}})
    result = evaluate(hmip, evidence(data))
    kq = result.nodes["2.1.3"]
    assert kq.level is None and "no inspected case applied" in kq.reason
    assert (kq.measure.yes, kq.measure.of) == (0, 0)
    # the standard is rated on the key questions that were
    assert result.nodes["2.1"].level.id == "outstanding"


def test_partial_evidence_leaves_the_overall_not_rated(hmip, published):
    data = published_evidence(published, partial=True)
    del data["judgements"]["1.2"]
    result = evaluate(hmip, evidence(data))
    assert result.nodes["1.2"].level is None
    assert result.overall.level is None
    assert "1.2 is not rated" in result.overall.reason


def test_missing_judgement_is_an_error_without_partial(hmip, published):
    data = published_evidence(published)
    del data["judgements"]["1.2"]
    with pytest.raises(BandstandError) as e:
        evaluate(hmip, evidence(data))
    assert [d.code for d in e.value.diagnostics] == ["evidence.missing-judgement"]


def test_evaluation_is_deterministic_and_leaves_inputs_alone(hmip, published):
    ev = evidence(published_evidence(published))
    before = copy.deepcopy(ev)
    first = to_json(evaluate(hmip, ev))
    second = to_json(evaluate(hmip, ev))
    assert first == second
    assert ev == before


def test_ratings_only_mode_agrees(hmip, published):
    ev = evidence(published_evidence(published))
    full = evaluate(hmip, ev)
    fast = evaluate(hmip, ev, explain=False)
    assert {k: r.level for k, r in full.nodes.items()} == {k: r.level for k, r in fast.nodes.items()}
    assert fast.overall.level is full.overall.level
    assert fast.nodes["2.1"].decided_by == [] and fast.nodes["2.1.1"].margin is None


# -- the other built-ins, on a framework written for them -------------------------------------

FUNCS = """
id: funcs
version: "1"
title: Built-ins
status: draft
scales:
  - id: rating
    levels:
      - {id: low, label: Low, score: 0}
      - {id: mid, label: Mid, score: 1}
      - {id: high, label: High, score: 2}
bands:
  - id: pct
    scale: rating
    unit: percent
    rounding: {places: 0}
    bands:
      - {level: low, max: 49}
      - {level: mid, min: 50, max: 79}
      - {level: high, min: 80}
  - id: mean
    scale: rating
    rounding: {places: 1}
    bands:
      - {level: low, max: 0.9}
      - {level: mid, min: 1, max: 1.4}
      - {level: high, min: 1.5}
tiers:
  - {id: area, label: Area}
  - {id: question, label: Question, rule: "band(share(), pct)"}
parts:
  - {id: all, label: All cases}
nodes:
  - id: pooled
    part: all
    rule: band(pooled_share(children), pct)
    children: [{id: q1}, {id: q2}]
  - id: best
    part: all
    rule: highest(children)
    children: [{id: q3}, {id: q4}]
  - id: strict
    part: all
    rule: "if count(children, low) >= 1 then low else min(lowest(children), mid)"
    children: [{id: q5}, {id: q6}]
  - id: averaged
    part: all
    rule: band(mean_score(nodes("pooled", "best", "strict")), mean)
    children: [{id: q7}]
  - id: guarded
    part: all
    rule: 'if applicable() == 0 then not_rated("nothing to see") else band(share(), pct)'
overall:
  rule: 'if is_rated("guarded") then rating("guarded") else max(rating("best"), rating("strict"))'
"""


@pytest.fixture(scope="module")
def funcs():
    return load_framework_text(FUNCS, "funcs.yaml")


QUESTIONS = ("q1", "q2", "q3", "q4", "q5", "q6", "q7", "guarded")


def run(funcs, answers_by_case):
    # a question no case answers is an error, not 'not applicable': say n/a explicitly in the first case
    answers_by_case = [{**{q: "n/a" for q in QUESTIONS}, **answers_by_case[0]}, *answers_by_case[1:]]
    data = {"cases": [{"id": f"c{i}", "part": "all", "answers": a} for i, a in enumerate(answers_by_case)]}
    return evaluate(funcs, evidence(data, "funcs-evidence.json"))


def test_pooled_share_pools_answers_not_cases(funcs):
    # q1: 1 of 1; q2: 1 of 3  -> pooled 2 of 4 = 50% (a mean of shares would be 67%)
    r = run(funcs, [{"q1": "yes", "q2": "yes"}, {"q2": "no"}, {"q2": "no"}])
    pooled = r.nodes["pooled"]
    assert (pooled.measure.yes, pooled.measure.of) == (2, 4)
    assert pooled.level.id == "mid"
    assert "answers" in pooled.reason


def test_highest_min_count_conditional_mean_and_not_rated(funcs):
    r = run(funcs, [{"q1": "yes", "q3": "yes", "q4": "no", "q5": "yes", "q6": "yes", "q7": "yes"}])
    assert r.nodes["best"].level.id == "high"          # highest of high, low
    assert r.nodes["strict"].level.id == "mid"         # min(lowest(high, high), mid)
    assert r.nodes["averaged"].level.id == "high"      # mean of 2, 2, 1 = 1.67 -> 1.7
    assert r.nodes["guarded"].level is None
    assert r.nodes["guarded"].reason == "not rated: nothing to see"
    assert r.overall.level.id == "high"                # max(best, strict)


def test_count_of_a_level(funcs):
    r = run(funcs, [{"q5": "no", "q6": "yes"}])
    assert r.nodes["strict"].level.id == "low"


def test_unrated_results_without_a_measure_are_shared_and_cannot_be_changed():
    """Domains and prompts answered by no case are the same in every result: one object serves them all,
    so changing it in place is refused; a copy can be changed, and copies and pickles are plain results."""
    import copy
    import pickle

    from bandstand import Catalogue, evaluate, load_evidence
    from bandstand.engine.result import NodeResult
    from helpers import EXAMPLES

    fw = Catalogue().resolve("hmip-youth@2018")
    ev = load_evidence(EXAMPLES / "bedfordshire-2021-published.yaml")
    first, second = evaluate(fw, ev), evaluate(fw, ev)
    domain = first.nodes["1"]
    assert domain is second.nodes["1"] and domain.reason == "Domains are not rated"
    with pytest.raises(AttributeError, match="shared between results"):
        domain.reason = "changed"
    with pytest.raises(AttributeError):
        domain.children.append("9.9")  # a tuple
    changed = domain.copy()
    changed.reason = "changed"
    assert type(changed) is NodeResult and domain.reason == "Domains are not rated"
    assert type(copy.deepcopy(first).nodes["1"]) is NodeResult
    assert pickle.loads(pickle.dumps(first)).to_json() == first.to_json()
    # a rated node is never shared, and neither is an unrated one with a measure (a prompt answered by cases)
    assert first.nodes["2.1"] is not second.nodes["2.1"]
    cases = load_evidence(EXAMPLES / "bedfordshire-2021-cases.yaml")
    cases.cases[0].answers["2.1.1.a"] = True  # a prompt answered by a case
    a, b = evaluate(fw, cases), evaluate(fw, cases)
    prompts = [k for k, r in a.nodes.items() if not r.rated and r.measure is not None]
    assert prompts and all(a.nodes[k] is not b.nodes[k] for k in prompts)
