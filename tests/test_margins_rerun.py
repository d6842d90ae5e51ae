"""Margins are checked by re-evaluating.

A margin is advice: "Good with 2 more sufficient cases", "Good if 5 points
higher", "Outstanding is blocked while 4.1 is Inadequate". Here every margin
of random inspections is taken at its word: the change it states is made to
the evidence (cases flipped, a percentage raised, a standard's key questions
or judgement changed, a child's level raised), the evidence is evaluated
again from scratch, and the node must have exactly the rating promised; the
next smaller change must leave the rating where it was. A blocked level must
stay out of reach however far the node's input moves.

The changes are made through the evidence only, by rules written here from
the frameworks' published descriptions (the 2018 Annexe 2 bands and
limiting rule, the 2011 pooled answers), not by the engine's what-if code.
"""

from __future__ import annotations

import copy
import functools
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from itertools import product

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bandstand import Catalogue, evaluate, load_framework_text
from bandstand.render import margin_text
from helpers import evidence

HMIP = Catalogue().resolve("hmip-youth@2018")
CCI = Catalogue().resolve("hmip-youth-cci@2011")
LEVELS = ["inadequate", "requires_improvement", "good", "outstanding"]
# a percentage inside each 2018 key-question band (Annexe 2: <50, 50-64, 65-79, 80+)
INSIDE = {"inadequate": 30, "requires_improvement": 57, "good": 72, "outstanding": 90}
KQS = [n.id for n in HMIP.nodes.values() if n.rated and not n.is_judged and n.tier and n.tier.id == "key_question"]
JUDGED = [n.id for n in HMIP.nodes.values() if n.is_judged]
STANDARDS = [n.id for n in HMIP.nodes.values() if n.tier and n.tier.id == "standard" and n.counts_toward_overall]
# the limit reads 4.1, which does not count toward the score: every counted standard is the overall's input
assert "4.1" not in STANDARDS and len(STANDARDS) == 12 and len(KQS) == 21

MEAN_YAML = """
bandstand: 1
id: averages
version: "1"
title: A mean of scores, rounded to one place
status: draft
scales:
  - id: rating
    levels:
      - {id: inadequate, label: Inadequate, score: 0}
      - {id: requires_improvement, label: Requires improvement, score: 1}
      - {id: good, label: Good, score: 2}
      - {id: outstanding, label: Outstanding, score: 3}
  - id: strength
    levels:
      - {id: weak, label: Weak}
      - {id: adequate, label: Adequate}
      - {id: strong, label: Strong}
bands:
  - id: mean
    scale: strength
    rounding: {places: 1, mode: half_up}
    bands:
      - {level: weak, min: 0, max: 0.9}
      - {level: adequate, min: 1, max: 1.7}
      - {level: strong, min: 1.8, max: 3}
tiers:
  - {id: area, label: Area, rule: "band(mean_score(children), mean)"}
  - {id: question, label: Key question}
nodes:
  - id: a
    title: Averaged
    scale: strength
    children:
      - {id: a.1, judged: true, scale: rating}
      - {id: a.2, judged: true, scale: rating}
      - {id: a.3, judged: true, scale: rating}
  - id: b
    title: Averaged, written as a number
    scale: strength
    rule: band(mean_score(children) * 1, mean)
    children:
      - {id: b.1, judged: true, scale: rating}
      - {id: b.2, judged: true, scale: rating}
      - {id: b.3, judged: true, scale: rating}
"""
MEAN = load_framework_text(MEAN_YAML, "averages.yaml")


def rate(fw, data, explain=True):
    return evaluate(fw, evidence(copy.deepcopy(data)), explain=explain)


def level_of(result, node_id):
    r = result.overall if node_id == "overall" else result.nodes[node_id]
    return r.level.id if r.level is not None else None


# -- 2018: key questions, standards, the overall score and its limit ------------------------------


@st.composite
def inspections_2018(draw):
    high = draw(st.integers(0, 2))  # two in three near the top, where the resettlement limit bites
    levels = st.sampled_from(LEVELS[high:] if high < 2 else LEVELS[2:] + ["outstanding"] * 3)
    judgements = {j: draw(levels) for j in JUDGED if j != "4.1"}
    judgements["4.1"] = draw(st.sampled_from(["inadequate", "good"]))
    kqs = {}
    for k in KQS:
        if draw(st.booleans()):
            of = draw(st.integers(1, 12))
            low = (0, (of * 3) // 5, max(0, -(-4 * of // 5) - 1))[high]
            kqs[k] = {"yes": draw(st.integers(low, of)), "of": of}
        else:
            kqs[k] = {"percent": draw(st.integers((0, 60, 78)[high], 100))}
    return {"subject": "random", "judgements": judgements, "key_questions": kqs}


def set_standard(data, std, level):
    """The standard rated ``level``: its judgement, or each of its key questions inside that band."""
    if std in data["judgements"]:
        data["judgements"][std] = level
    else:
        for kq in HMIP.nodes[std].children:
            data["key_questions"][kq.id] = {"percent": INSIDE[level]}


def move_standards(data, result, levels: int, sign: int):
    """The overall score moved by ``levels`` points: counted standards raised (lowered) one level at a time."""
    data = copy.deepcopy(data)
    now = {s: LEVELS.index(result.nodes[s].level.id) for s in STANDARDS}
    for _ in range(levels):
        s = next((s for s in STANDARDS if 0 <= now[s] + sign <= 3), None)
        if s is None:  # all at the end of the scale
            break
        now[s] += sign
        set_standard(data, s, LEVELS[now[s]])
    return data


def apply_step(fw, data, result, node_id, step, sign, shrink=False):
    """``data`` with the margin step of ``node_id`` made (one unit smaller with ``shrink``)."""
    data = copy.deepcopy(data)
    less = 1 if shrink else 0
    if step.needs:
        # every child changed as stated; with shrink, the first one changed one unit less
        for i, (child, s) in enumerate(step.needs.items()):
            data = apply_step(fw, data, result, child, s, sign, shrink and i == 0)
        return data
    if node_id == "overall":
        assert step.points is not None and step.points.denominator == 1
        return move_standards(data, result, int(step.points) - less, sign)
    kq = data["key_questions"][node_id]
    if step.more_yes is not None or step.fewer_yes is not None:
        kq["yes"] += sign * ((step.more_yes or step.fewer_yes) - less)
    else:
        assert "percent" in kq and step.points.denominator == 1  # whole published percentages move in points
        kq["percent"] += sign * (int(step.points) - less)
    return data


def check_node(fw, data, result, node_id, apply):
    r = result.overall if node_id == "overall" else result.nodes[node_id]
    m = r.margin
    if m is None:
        return 0
    checked = 0
    for step, sign in ((m.up, 1), (m.down, -1)):
        if step is None:
            continue
        moved = rate(fw, apply(fw, data, result, node_id, step, sign), explain=False)
        assert level_of(moved, node_id) == step.level.id, (node_id, margin_text(r), sign)
        smaller = rate(fw, apply(fw, data, result, node_id, step, sign, shrink=True), explain=False)
        assert level_of(smaller, node_id) == r.level.id, (node_id, margin_text(r), "smaller", sign)
        checked += 1
    return checked


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inspections_2018())
def test_2018_margins_do_what_they_say(data):
    result = rate(HMIP, data)
    for node_id in KQS + [s for s in STANDARDS if s not in JUDGED] + ["overall"]:
        check_node(HMIP, data, result, node_id, apply_step)
    o = result.overall
    blocked = getattr(o.margin, "blocked_up", None)
    if blocked is not None:
        # held at its level however high the score goes, while the limit's condition holds
        top = rate(HMIP, move_standards(data, result, 36, 1), explain=False)
        assert top.overall.value == 36 and top.overall.level is o.level
        assert [a.id for a in top.limits_applied] == ["resettlement-inadequate"] == [blocked.limit]
        assert data["judgements"]["4.1"] == "inadequate" and o.level.id == "good"
    elif o.level.id != "outstanding" and (o.margin is None or o.margin.up is None):
        pytest.fail(f"no way up stated from {o.level.id} at {o.value}")


def thirty_of_36(inadequate_resettlement: bool, score: int = 30):
    """Nine standards Outstanding and the rest Good (27 + 6 = 33), then lowered to ``score``."""
    data = {"subject": "x", "judgements": {j: "outstanding" for j in JUDGED}, "key_questions": {}}
    data["judgements"]["4.1"] = "inadequate" if inadequate_resettlement else "good"
    for k in KQS:
        data["key_questions"][k] = {"percent": 90}
    for s in STANDARDS[-3:]:
        set_standard(data, s, "good")
    for s in STANDARDS[:33 - score]:
        set_standard(data, s, "good")
    return data


@pytest.mark.parametrize("score", [30, 31])
def test_outstanding_is_blocked_while_resettlement_is_inadequate(score):
    """At 30 of 36 with 4.1 Inadequate, one point more (31) is capped at Good by the limit: the margin
    says Outstanding is blocked, not 'Outstanding if 1 point higher'. At 31 the rating is already held."""
    result = rate(HMIP, thirty_of_36(True, score))
    o = result.overall
    assert (o.value, o.level.id) == (score, "good")
    assert o.margin.up is None, margin_text(o)
    b = o.margin.blocked_up
    assert (b.level.id, b.limit, b.condition) == ("outstanding", "resettlement-inadequate", "4.1 is Inadequate")
    assert margin_text(o) == (f"up: Outstanding is blocked while 4.1 is Inadequate (limit 'resettlement-inadequate');"
                              f" down: Requires improvement if {score - 18} points lower")
    assert o.to_json()["margin"]["up_blocked"] == {"rating": "outstanding", "label": "Outstanding",
                                                    "limit": "resettlement-inadequate", "while": "4.1 is Inadequate"}
    # and the same score with resettlement Good: one point more is Outstanding
    free = rate(HMIP, thirty_of_36(False, 30)).overall
    assert (free.margin.up.level.id, free.margin.up.points, free.margin.blocked_up) == ("outstanding", 1, None)
    # what the margin says is what evaluating again gives: 31 with 4.1 Inadequate is Good
    assert rate(HMIP, thirty_of_36(True, 31)).overall.level.id == "good"
    assert rate(HMIP, thirty_of_36(False, 31)).overall.level.id == "outstanding"


# -- a mean of scores, rounded to one place ------------------------------------------------------


def raise_levels(data, prefix, result, levels, sign, shrink=False):
    data = copy.deepcopy(data)
    for _ in range(levels - (1 if shrink else 0)):
        now = {c: LEVELS.index(data["judgements"][c]) for c in data["judgements"] if c.startswith(prefix + ".")}
        order = sorted(now, key=lambda c: (sign * now[c], c))  # the lowest first going up, highest going down
        child = next(c for c in order if 0 <= now[c] + sign <= 3)
        data["judgements"][child] = LEVELS[now[child] + sign]
    return data


def apply_levels(fw, data, result, node_id, step, sign, shrink=False):
    """A mean of three scores moves in thirds: the step stated is a whole number of children's levels."""
    levels = getattr(step, "levels", None)
    assert levels is not None and step.points == Fraction(levels, 3), f"not whole levels: {step}"
    return raise_levels(data, node_id, result, levels, sign, shrink)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(LEVELS), min_size=3, max_size=3))
def test_a_mean_moves_by_whole_levels_of_its_children(levels):
    data = {"subject": "x", "judgements": {f"{n}.{i}": lv for n in "ab" for i, lv in zip((1, 2, 3), levels)}}
    result = rate(MEAN, data)
    check_node(MEAN, data, result, "a", apply_levels)


@functools.lru_cache(maxsize=None)
def mean_expectation(total: int):
    """From the band table by hand, for a mean of three scores adding up to ``total``: the mean rounded
    half up to one place (Python's decimal module); Weak to 0.9, Adequate to 1.7, Strong from 1.8; the
    least change, in steps of 0.0001 within 0..3, that reaches another band."""
    def band(x: Fraction) -> int:
        r = (Decimal(x.numerator) / Decimal(x.denominator)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        return 0 if r <= Decimal("0.9") else 1 if r <= Decimal("1.7") else 2
    v = Fraction(total, 3)
    here = band(v)
    step = Fraction(1, 10000)
    up = next((k * step for k in range(1, 30001) if v + k * step <= 3 and band(v + k * step) > here), None)
    down = next((k * step for k in range(1, 30001) if v - k * step >= 0 and band(v - k * step) < here), None)
    return here, up, down


def test_margins_of_a_banded_number_use_the_rounding_for_every_mean_of_three():
    """``band(mean_score(children) * 1, mean)``: a number the engine cannot move in steps, so it moves by
    0.0001; the margin is the least change whose rounding reaches the next band, checked by hand for all
    64 ratings of three children."""
    names = ["weak", "adequate", "strong"]
    for levels in product(range(4), repeat=3):
        judgements = {f"{n}.{i}": LEVELS[lv] for n in "ab" for i, lv in zip((1, 2, 3), levels)}
        data = {"subject": "x", "judgements": judgements}
        r = rate(MEAN, data).nodes["b"]
        here, up, down = mean_expectation(sum(levels))
        assert r.level.id == names[here]
        m = r.margin
        assert (m.up.points if m and m.up else None) == up, levels
        assert (m.down.points if m and m.down else None) == down, levels


def test_a_mean_of_one_and_a_third_against_a_band_from_one_point_eight():
    """Scores 1, 1, 2: a mean of 1.3333, Adequate (1.3). Strong starts at 1.8, which 1.75 reaches when
    rounded half up: 0.4167 away, not the 0.4667 to 1.8 itself. The mean of three children moves in
    thirds, so one more level (1.6667, 1.7) is still Adequate and two are needed (2.0)."""
    data = {"subject": "x", "judgements": {"a.1": "requires_improvement", "a.2": "requires_improvement",
                                           "a.3": "good", "b.1": "requires_improvement",
                                           "b.2": "requires_improvement", "b.3": "good"}}
    result = rate(MEAN, data)
    a, b = result.nodes["a"], result.nodes["b"]
    assert a.level.id == b.level.id == "adequate"
    assert (b.margin.up.level.id, b.margin.up.points) == ("strong", Fraction("0.4167"))
    assert (a.margin.up.level.id, a.margin.up.levels, a.margin.up.points) == ("strong", 2, Fraction(2, 3))
    assert margin_text(a) == ("up: Strong if its 3 key questions gain 2 levels between them; "
                              "down: Weak if its 3 key questions lose 2 levels between them")
    assert margin_text(b).startswith("up: Strong if 0.4167 points higher")
    assert a.to_json()["margin"]["up"] == {"rating": "strong", "label": "Strong", "points": 0.6667, "levels": 2}


# -- 2011: a pooled share of answers ---------------------------------------------------------------

AREAS = ["safeguarding", "risk_of_harm", "likelihood_of_reoffending"]
STAGES = [f"{a}.{s}" for a in AREAS for s in ("assessment", "interventions", "outcomes")]


@st.composite
def inspections_2011(draw):
    cases = []
    for i in range(draw(st.integers(1, 8))):
        answers = {s: draw(st.sampled_from(["yes", "no", "n/a"])) for s in STAGES}
        cases.append({"id": f"c{i}", "part": "case", "answers": answers})
    for a in AREAS:  # at least one applicable answer per area
        cases[0]["answers"][f"{a}.assessment"] = draw(st.sampled_from(["yes", "no"]))
    return {"subject": "random", "cases": cases}


def flip_answers(fw, data, result, node_id, step, sign, shrink=False):
    """k answers of the area's stages turned from no to yes (yes to no going down)."""
    data = copy.deepcopy(data)
    k = (step.more_yes if sign > 0 else step.fewer_yes) - (1 if shrink else 0)
    old, new = ("no", "yes") if sign > 0 else ("yes", "no")
    for case in data["cases"]:
        for stage, answer in case["answers"].items():
            if k and stage.startswith(node_id + ".") and answer == old:
                case["answers"][stage] = new
                k -= 1
    assert k == 0
    return data


@settings(max_examples=60, deadline=None)
@given(inspections_2011())
def test_2011_margins_in_answers_do_what_they_say(data):
    result = rate(CCI, data)
    for area in AREAS:
        r = result.nodes[area]
        if r.margin is not None:
            assert {s.unit for s in (r.margin.up, r.margin.down) if s is not None} == {"answers"}
        check_node(CCI, data, result, area, flip_answers)


def raise_percent(fw, data, result, node_id, step, sign, shrink=False):
    data = copy.deepcopy(data)
    data["figures"][node_id]["percent"] += sign * (int(step.points) - (1 if shrink else 0))
    return data


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 100), min_size=3, max_size=3))
def test_2011_margins_from_published_scores_do_what_they_say(scores):
    data = {"subject": "x", "figures": {a: {"percent": p} for a, p in zip(AREAS, scores)}}
    result = rate(CCI, data)
    for area in AREAS:
        check_node(CCI, data, result, area, raise_percent)
