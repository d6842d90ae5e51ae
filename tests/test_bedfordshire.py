"""Reproducing a published rating: Bedfordshire YOS, 2021.

Expectations come from the report (tests/data/bedfordshire-2021.yaml, each
figure with the words it is taken from), never from bandstand's output.
"""

from __future__ import annotations

import json

import pytest

from bandstand import evaluate, load_evidence
from bandstand.render import to_json

from helpers import EXAMPLES, evidence, published_evidence


def assert_matches_report(result, published):
    assert result.overall.level.id == published["overall"]["rating"]
    assert result.overall.value == published["overall"]["score"]
    assert result.overall.maximum == published["overall"]["max_score"]
    for node_id, rating in published["standards"].items():
        assert result.nodes[node_id].level.id == rating, node_id
    for node_id, kq in published["key_questions"].items():
        r = result.nodes[node_id]
        assert r.level.id == kq["rating"], node_id
        assert r.percent == kq["percent"], node_id
    assert result.limits_applied == []


def test_from_published_percentages(hmip, published):
    result = evaluate(hmip, evidence(published_evidence(published)))
    assert_matches_report(result, published)


def test_from_published_counts(hmip, published):
    data = published_evidence(published)
    data["key_questions"] = {k: {"yes": v["yes"], "of": v["of"]} for k, v in published["key_questions"].items()}
    result = evaluate(hmip, evidence(data))
    assert_matches_report(result, published)
    for node_id, kq in published["key_questions"].items():
        assert (result.nodes[node_id].measure.yes, result.nodes[node_id].measure.of) == (kq["yes"], kq["of"])


@pytest.mark.parametrize("name", ["published", "cases", "csv"])
def test_bundled_examples_reproduce_the_report(hmip, published, name):
    ev = load_evidence(EXAMPLES / f"bedfordshire-2021-{name}.yaml")
    result = evaluate(hmip, ev)
    assert_matches_report(result, published)


@pytest.mark.parametrize("name", ["cases", "csv"])
def test_case_level_examples_give_the_published_counts(hmip, published, name):
    """The cases answer each key question so that the counts are the report's."""
    result = evaluate(hmip, load_evidence(EXAMPLES / f"bedfordshire-2021-{name}.yaml"))
    for node_id, kq in published["key_questions"].items():
        m = result.nodes[node_id].measure
        assert (m.yes, m.of) == (kq["yes"], kq["of"]), node_id
    courts = [c for c in load_evidence(EXAMPLES / f"bedfordshire-2021-{name}.yaml").cases if c.part == "court"]
    assert len(courts) == 6


def test_json_contract(hmip, published):
    out = json.loads(to_json(evaluate(hmip, evidence(published_evidence(published)))))
    assert out["framework"] == {"id": "hmip-youth", "version": "2018",
                                "title": "Inspection of youth offending services (2018 standards)"}
    assert out["subject"] == "Bedfordshire YOS"
    assert {k: out["overall"][k] for k in ("rating", "label", "score", "max_score")} == {
        "rating": "requires_improvement", "label": "Requires improvement", "score": 14, "max_score": 36}
    n21 = out["nodes"]["2.1"]
    assert (n21["rating"], n21["label"], n21["score"], n21["decided_by"]) == (
        "inadequate", "Inadequate", 0, ["2.1.1"])
    assert out["nodes"]["2.1.1"]["rating"] == "inadequate"
    assert out["nodes"]["2.1.1"]["percent"] == 17
    assert "margin" in out["nodes"]["2.1.1"]
    assert out["nodes"]["4.1"]["rating"] == "good"
    assert out["limits_applied"] == []
    # prompts and domains are listed, not rated, with a reason
    assert out["nodes"]["2.1.1.a"]["rating"] is None and out["nodes"]["2.1.1.a"]["reason"]
    assert out["nodes"]["2"]["rating"] is None


def test_margins_from_counts(hmip, published):
    """11 of 17 is Good (65%); 14 of 17 (82%) is the first Outstanding; 10 of 17 (59%) drops it."""
    data = published_evidence(published)
    data["key_questions"] = {k: {"yes": v["yes"], "of": v["of"]} for k, v in published["key_questions"].items()}
    result = evaluate(hmip, evidence(data))
    m = result.nodes["3.1.1"].margin
    assert (m.up.level.id, m.up.more_yes) == ("outstanding", 3)
    assert (m.down.level.id, m.down.fewer_yes) == ("requires_improvement", 1)
    # 1 of 6 (17%) needs 3 of 6 (50%): two more sufficient cases
    m = result.nodes["2.1.1"].margin
    assert (m.up.level.id, m.up.more_yes, m.down) == ("requires_improvement", 2, None)
    # the standard rises when its lowest key question does
    up = result.nodes["2.1"].margin.up
    assert up.level.id == "requires_improvement" and up.needs["2.1.1"].more_yes == 2
    # the overall score 14 needs 19 for Good and falls to Inadequate at 6
    o = result.overall.margin
    assert (o.up.level.id, o.up.points, o.down.level.id, o.down.points) == ("good", 5, "inadequate", 8)


def test_margins_from_percentages(hmip, published):
    result = evaluate(hmip, evidence(published_evidence(published)))
    m = result.nodes["2.1.1"].margin  # 17%: Requires improvement starts at 50%
    assert (m.up.level.id, m.up.points) == ("requires_improvement", 33)
    m = result.nodes["3.3.1"].margin  # 88%: Good ends at 79%
    assert m.up is None and (m.down.level.id, m.down.points) == ("good", 9)
