"""Binding counts the case answers of plain cases a layout at a time: the same binding as counting them one by one.

``bind`` counts cases in which it finds nothing to report (engine/bind.py, ``_count_plain``) by their layout
(their part and answer keys: a CSV's rows), each node's answers at once; anything it might have to report
(an unknown part or answer key, a case id given twice, an answer to another part's question, a case
answering nothing, an answer that is neither yes, no nor blank, figures as well as answers) sends the
cases the long way, which says what. Either way the binding must be the same: the same measures in the same
order, the same cases per part, the same errors. These tests bind random cases both ways and compare.
"""

from __future__ import annotations

import importlib
from fractions import Fraction

import pytest
from hypothesis import given, settings, strategies as st

from bandstand.dsl import load_framework_text
from bandstand.dsl.resolve import facts as framework_facts
from bandstand.engine.evidence import Case, Evidence, Figure, Judgement, bind
from bandstand.errors import BandstandError, Position
from test_batch_text import random_inspections, streamed
from test_headers import DEMO

# the demo framework of test_headers, with a standard in no part: its question is answered in any case
FRAMEWORK = load_framework_text(DEMO.replace('overall:\n', '''\
  - id: "4.1"
    title: Partnerships
    children:
      - {id: "4.1.1", question: Do partners share what they know?}
overall:
''', 1).replace("{level: good, min: 5, max: 6}", "{level: good, min: 5, max: 8}"), "framework.yaml")

binding = importlib.import_module("bandstand.engine.bind")  # (the module: the package's 'bind' is its function)

KEYS = ["2.1.1", "2.1.2", "3.1.1", "4.1.1", "1.1", "2.1", "9.9", "overall"]
ANSWERS = [True, False, None, True, False, None, 1, 0, "yes", 2]
AT = Position("evidence.yaml", 3, 1)


def long_way(ev: Evidence, fw):
    """``bind(ev, fw)`` counting every case one by one."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(binding, "_count_plain", lambda *args: None)
        return outcome(ev, fw)


def outcome(ev: Evidence, fw):
    """What binding gives, in a form to compare: the binding with its dicts' orders, or the errors."""
    try:
        bound = bind(ev, fw)
    except BandstandError as e:
        return "refused", e.diagnostics
    return ("bound", bound, list(bound.measures.items()), list(bound.case_count.items()), sorted(bound.from_cases),
            bound.left_out)


@st.composite
def cases_evidence(draw):
    cases = []
    for i in range(draw(st.integers(1, 7))):
        plain = draw(st.booleans())  # most cases plain: the quick way is taken where nothing is wrong
        part = draw(st.sampled_from(["court", "out_of_court"] if plain else
                                    ["court", "out_of_court", "Court", "nowhere"]))
        if plain:
            ours = ["2.1.1", "2.1.2", "4.1.1"] if part == "court" else ["3.1.1", "4.1.1"]
            answers = {k: draw(st.sampled_from([True, False, None])) if k in ours else None
                       for k in ["2.1.1", "2.1.2", "3.1.1", "4.1.1"]}
        else:
            keys = draw(st.lists(st.sampled_from(KEYS), unique=True, max_size=6))
            answers = {k: draw(st.sampled_from(ANSWERS)) for k in keys}
        case_id = draw(st.sampled_from([f"C{i}", f"C{i}", "C0"]))
        cases.append(Case(case_id, part, answers, Position("evidence.yaml", 10 + i, 5)))
    figures = {}
    if draw(st.integers(0, 5)) == 0:
        figures["2.1.2"] = Figure("2.1.2", None, None, Fraction(55), AT)
    partial = draw(st.sampled_from([False, False, False, True, ("3.1",)]))
    return Evidence("evidence.yaml", subject="X", judgements={"1.1": Judgement("1.1", "RI", None, AT)},
                    figures=figures, cases=cases, partial=partial, cases_pos=AT)


@settings(max_examples=400, deadline=None)
@given(cases_evidence())
def test_random_cases_bind_as_counted_one_by_one(ev):
    assert outcome(ev, FRAMEWORK) == long_way(ev, FRAMEWORK)


@settings(max_examples=200, deadline=None)
@given(cases_evidence(), st.integers(1, 4))
def test_cases_counted_a_few_at_a_time_bind_as_counted_one_by_one(ev, chunk):
    """The quick way holds the answers of a chunk of cases at a time (4,096: a million cases' rows once took
    five times the memory of the long way); counted in chunks of a few cases, the binding is the same."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(binding, "_CHUNK", chunk)
        quick = outcome(ev, FRAMEWORK)
    assert quick == long_way(ev, FRAMEWORK)


def test_the_quick_way_is_taken_for_plain_cases_and_not_for_others():
    """(So that the test above compares the two ways: each is taken.)"""
    court = {"2.1.1": True, "2.1.2": None, "3.1.1": None, "4.1.1": False}
    plain = [Case("C1", "court", court, AT), Case("C2", "out_of_court", {**court, "2.1.1": None, "2.1.2": None,
                                                                       "3.1.1": True}, AT),
             Case("C3", "court", {**court, "2.1.2": False}, AT)]
    facts = binding._bind_facts(FRAMEWORK, framework_facts(FRAMEWORK).evidence)
    counts, per_part = binding._count_plain(plain, FRAMEWORK.parts, facts)
    assert counts == {"2.1.1": (2, 2), "2.1.2": (0, 1), "4.1.1": (0, 3), "3.1.1": (1, 1)}
    assert list(counts) == ["2.1.1", "2.1.2", "4.1.1", "3.1.1"]  # (as met: the long way's order)
    assert per_part == {"court": 2, "out_of_court": 1} and list(per_part) == ["court", "out_of_court"]
    declined = [  # each has something to report, but the last (counted as the long way counts a truthy answer)
        [*plain, Case("C1", "court", court, AT)],  # a case id twice
        [*plain, Case("C4", "nowhere", court, AT)],  # an unknown part
        [*plain, Case("C4", "court", {**court, "3.1.1": True}, AT)],  # an answer to another part's question
        [*plain, Case("C4", "court", {k: None for k in court}, AT)],  # a case answering nothing
        [*plain, Case("C4", "court", {**court, "9.9": True}, AT)],  # an unknown answer key
        [*plain, Case("C4", "court", {**court, "1.1": True}, AT)],  # a judged node answered
        [*plain, Case("C4", "court", {**court, "2.1.1": "yes"}, AT)],  # neither yes, no nor blank
    ]
    for i, cases in enumerate(declined):
        assert binding._count_plain(cases, FRAMEWORK.parts, facts) is None
        ev = Evidence("evidence.yaml", subject="X", judgements={"1.1": Judgement("1.1", "RI", None, AT)},
                      cases=cases, cases_pos=AT)
        got = outcome(ev, FRAMEWORK)
        assert got == long_way(ev, FRAMEWORK) and (got[0] == "refused") == (i < len(declined) - 1)


def test_inspections_of_a_csv_bind_as_counted_one_by_one(tmp_path):
    from bandstand.catalogue import Catalogue

    youth = Catalogue([]).resolve("hmip-youth@2018")
    path = random_inspections(tmp_path / "inspections.csv", 150, seed=31)
    kinds = set()
    for ev, _ in streamed(path, youth):
        got = outcome(ev, youth)
        assert got == long_way(ev, youth)
        kinds.add(got[0])
    assert kinds == {"bound", "refused"}
