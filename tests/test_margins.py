"""Margins in cases: how many more (or fewer) sufficient cases change a key question's band.

The expectation is worked out here by brute force, independently of the
engine: every count of sufficient cases is tried, its percentage rounded with
Python's ``decimal`` module and banded by plain comparisons. The engine finds
margins of ``band(share(), table)`` from the table (a search within one
rounding step of a band's edge) and those of any other rule by re-running
the rule; both must agree with the brute force, for any table and rounding.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from bandstand import evaluate, load_framework_text
from helpers import ROOT, evidence

MINI = (ROOT / "tests" / "cases" / "mini.yaml").read_text(encoding="utf-8")
TABLE = MINI[MINI.index("  - id: key_question\n"):MINI.index("  - id: overall\n")]
LEVELS = ["inadequate", "requires_improvement", "good", "outstanding"]
MODES = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN, "down": ROUND_FLOOR, "up": ROUND_CEILING}


@st.composite
def tables(draw):
    """A key-question table: three rising edges, whole or to one place, written with max or with below."""
    places = draw(st.sampled_from([0, 1]))
    scale = 10 ** places
    cuts = sorted(draw(st.lists(st.integers(1, 99 * scale), min_size=3, max_size=3, unique=True)))
    cuts = [Fraction(c, scale) for c in cuts]
    return places, draw(st.sampled_from(list(MODES))), cuts, draw(st.booleans())


def table_yaml(places, mode, cuts, with_below) -> str:
    step = Fraction(1, 10 ** places)
    edges = [Fraction(0)] + cuts + [Fraction(100) + step]
    rows = []
    for level, lo, hi in zip(LEVELS, edges, edges[1:]):
        upper = f"below: {text(hi)}" if with_below and level != "outstanding" else f"max: {text(min(hi - step, 100))}"
        rows.append(f"      - {{level: {level}, min: {text(lo)}, {upper}}}\n")
    return ("  - id: key_question\n    scale: rating\n    unit: percent\n"
            f"    rounding: {{places: {places}, mode: {mode}}}\n    bands:\n" + "".join(rows))


def text(x: Fraction) -> str:
    return str(x.numerator) if x.denominator == 1 else str(float(x))


def level_of(yes: int, of: int, places: int, mode: str, cuts: list[Fraction]) -> int:
    with localcontext() as ctx:
        ctx.prec = 60
        pct = (Decimal(100 * yes) / Decimal(of)).quantize(Decimal(1).scaleb(-places), rounding=MODES[mode])
    return sum(1 for c in cuts if Fraction(pct) >= c)


def brute_force(yes: int, of: int, table) -> tuple:
    now = level_of(yes, of, *table[:3])
    up = next(((level_of(y, of, *table[:3]), y - yes) for y in range(yes + 1, of + 1)
               if level_of(y, of, *table[:3]) > now), None)
    down = next(((level_of(yes - k, of, *table[:3]), k) for k in range(1, yes + 1)
                 if level_of(yes - k, of, *table[:3]) < now), None)
    return now, up, down


def margin_of(framework, yes: int, of: int) -> tuple:
    ev = evidence({"subject": "x", "judgements": {"1.1": "good"},
                   "key_questions": {"2.1.1": {"yes": yes, "of": of}, "2.1.2": {"yes": 1, "of": 1}}})
    r = evaluate(framework, ev).nodes["2.1.1"]
    now = LEVELS.index(r.level.id)
    m = r.margin
    up = (LEVELS.index(m.up.level.id), m.up.more_yes) if m and m.up else None
    down = (LEVELS.index(m.down.level.id), m.down.fewer_yes) if m and m.down else None
    return now, up, down


@settings(max_examples=60, deadline=None)
@given(tables(), st.data())
def test_margins_in_cases_match_brute_force(table, data):
    yaml = MINI.replace(TABLE, table_yaml(*table))
    from_table = load_framework_text(yaml, "mini.yaml")
    # the same rule in another shape: margins found by running the rule again
    by_rerun = load_framework_text(yaml.replace("rule: band(share(), key_question)",
                                                "rule: band(share() * 1, key_question)"), "mini.yaml")
    for _ in range(5):
        of = data.draw(st.integers(1, 60), label="of")
        yes = data.draw(st.integers(0, of), label="yes")
        expected = brute_force(yes, of, table)
        assert margin_of(from_table, yes, of) == expected, (yes, of)
        assert margin_of(by_rerun, yes, of) == expected, (yes, of)


def test_bedfordshire_style_margin_from_eleven_of_seventeen():
    """11 of 17 is 64.7%, published as 65% and Good; one fewer (10, 58.8%) is Requires improvement,
    three more (14, 82.4%) Outstanding: 13 of 17 is 76.5%, still Good."""
    fw = load_framework_text(MINI, "mini.yaml")
    now, up, down = margin_of(fw, 11, 17)
    assert LEVELS[now] == "good"
    assert up == (LEVELS.index("outstanding"), 3)
    assert down == (LEVELS.index("requires_improvement"), 1)


def test_margin_objects_made_without_the_class_are_the_ones_the_class_makes(hmip):
    """margin_step and margin_of (how margins are made on the hot path) give what MarginStep(...) and Margin(...)
    give: every field, equality, repr, JSON, copies; a field added to the class and not to them fails here."""
    import copy
    import dataclasses
    import pickle

    from bandstand.engine.result import Margin, MarginStep, margin_of, margin_step

    good, outstanding = hmip.nodes["2.1.1"].scale.levels[2:4]
    cases = [({"more_yes": 2, "unit": "answers"}), ({"points": Fraction(5, 2), "levels": 1, "among": "its 3"}),
             ({"fewer_yes": 1}), ({})]
    for kw in cases:
        made, want = margin_step(good, **kw), MarginStep(good, **kw)
        assert set(vars(made)) == {f.name for f in dataclasses.fields(MarginStep)}
        assert made == want and repr(made) == repr(want) and made.to_json() == want.to_json()
        assert copy.copy(made) == want  # (a deep copy or a pickle copies the levels too, which compare by identity)
        assert copy.deepcopy(made).to_json() == pickle.loads(pickle.dumps(made)).to_json() == want.to_json()
    up = margin_step(outstanding, needs={"2.1.1": margin_step(outstanding, more_yes=1)})
    made, want = margin_of(up, None), Margin(MarginStep(outstanding, needs={"2.1.1": MarginStep(outstanding, 1)}))
    assert set(vars(made)) == {f.name for f in dataclasses.fields(Margin)}
    assert made == want and repr(made) == repr(want) and made.to_json() == want.to_json()
    assert margin_of() == Margin() and pickle.loads(pickle.dumps(made)).to_json() == want.to_json()
