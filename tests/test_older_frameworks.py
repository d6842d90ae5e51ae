"""The 2011 Core Case Inspection and the 2012-2017 Full Joint Inspections,
checked against published results (tests/data/cci-2009-2012.yaml; the
FJI examples quote their press releases)."""

from __future__ import annotations

import json

import pytest

from bandstand import Catalogue, evaluate, run_examples
from bandstand.dsl.loader import load_file
from bandstand.render import to_json, to_markdown, to_text
from helpers import DATA, EXAMPLES, evidence

CCI = load_file(DATA / "cci-2009-2012.yaml").data


@pytest.fixture(scope="module")
def cci():
    return Catalogue().resolve("hmip-youth-cci@2011")


@pytest.mark.parametrize("result", CCI["results"], ids=lambda r: r["subject"])
def test_published_cci_results_are_reproduced(cci, result):
    ev = evidence({"subject": result["subject"], "partial": True,
                   "figures": {area: {"percent": score} for area, score in result["scores"].items()}})
    r = evaluate(cci, ev)
    for area, level in result["levels"].items():
        assert r.nodes[area].level.id == level, (result["subject"], area)


@pytest.mark.parametrize("item", CCI["at_least_moderate"], ids=lambda r: r["subject"])
def test_scores_known_to_be_moderate_or_better(cci, item):
    r = evaluate(cci, evidence({"partial": True, "figures": {item["area"]: {"percent": item["score"]}}}))
    assert r.nodes[item["area"]].level.index >= cci.scales["improvement"].level("moderate").index


def test_minimal_and_minimum_are_both_accepted(cci):
    scale = cci.scales["improvement"]
    assert scale.find("Minimal improvement required") is scale.find("Minimum improvement required") \
        is scale.level("minimum")


def test_area_score_pools_answers_not_cases(cci):
    # one case answers three safeguarding questions yes; three cases answer one question no each:
    # pooled 3 of 6 answers = 50% (Substantial); a share of cases would be 1 of 4 = 25%
    data = {"partial": True, "cases": [
        {"id": "a", "part": "case", "answers": {"safeguarding.assessment": "yes", "safeguarding.interventions": "yes",
                                                "safeguarding.outcomes": "yes"}},
        {"id": "b", "part": "case", "answers": {"safeguarding.assessment": "no"}},
        {"id": "c", "part": "case", "answers": {"safeguarding.interventions": "no"}},
        {"id": "d", "part": "case", "answers": {"safeguarding.outcomes": "no"}},
    ]}
    r = evaluate(cci, evidence(data)).nodes["safeguarding"]
    assert (r.measure.yes, r.measure.of, r.percent) == (3, 6, 50)
    assert r.level.id == "substantial"
    assert r.margin.up.unit == "answers"


def test_every_output_says_the_thresholds_are_inferred(cci):
    ev = evidence({"subject": "Oxfordshire", "partial": True, "figures": {"safeguarding": {"percent": 71}}})
    r = evaluate(cci, ev)
    assert "inferred" in to_text(r)
    assert "inferred" in to_markdown(r)
    out = json.loads(to_json(r))
    assert out["inferred_thresholds"] == ["area"]
    assert "inferred" in out["nodes"]["safeguarding"]["reason"]


def test_reference_figures_are_shown(cci):
    r = evaluate(cci, evidence({"partial": True, "figures": {"safeguarding": {"percent": 71}}}))
    assert "Lowest 37%, Highest 91%, Average 68%" in to_text(r)
    assert json.loads(to_json(r))["nodes"]["safeguarding"]["reference"]["figures"] == {
        "Lowest": 37, "Highest": 91, "Average": 68}


def test_band_table_records_what_it_was_inferred_from(cci):
    prov = cci.bands["area"].provenance
    assert prov.status == "inferred" and prov.confidence == "low"
    assert any(line.startswith("Oxfordshire 2011") for line in prov.inferred_from)


@pytest.mark.parametrize("ref", ["hmip-youth-cci@2011", "hmip-youth-fji@2012", "hmip-youth-fji@2014",
                                 "hmip-youth-fji@2016-court"])
def test_bundled_examples_of_older_frameworks_pass(ref):
    report = run_examples(Catalogue().resolve(ref))
    assert report.outcomes and report.passed, [(o.example.id, o.failures, o.errors) for o in report.outcomes]


def test_bromley_2015_is_four_poor_one_unsatisfactory_one_satisfactory():
    """Seed 003: 'four out of five of six key judgements considered to be poor, 1 unsatisfactory and 1 satisfactory'."""
    from bandstand import load_evidence

    fw = Catalogue().resolve("hmip-youth-fji@2014")
    r = evaluate(fw, load_evidence(EXAMPLES.parent / "hmip-youth-fji" / "bromley-2015.yaml"))
    levels = sorted(n.level.id for n in r.nodes.values())
    assert levels == ["poor"] * 4 + ["satisfactory", "unsatisfactory"]
    assert r.overall is None  # FJIs gave no overall rating


def test_very_good_is_only_on_the_first_fji_scale():
    cat = Catalogue()
    assert cat.resolve("hmip-youth-fji@2012").scales["stars"].level("very_good") is not None
    assert cat.resolve("hmip-youth-fji@2014").scales["stars"].level("very_good") is None


def test_stars_are_accepted_for_fji_levels():
    fw = Catalogue().resolve("hmip-youth-fji@2014")
    assert fw.scales["stars"].find("2 stars").id == "unsatisfactory"
