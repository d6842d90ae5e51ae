"""The ratings-only run takes runs of band(share(), table) steps as one step: the same ratings, slot by slot.

``CompiledFramework.run`` is ``steps_run`` with each run of untraced key-question steps (exactly
``band(share(), table)``, no limits) fused into one (engine/compile.py, ``_band_shares``). Every bundled
framework, on random measures (counted, published, none applicable, missing), rates every slot the same
through both, and a ratings-only evaluation gives the explained evaluation's ratings.
"""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from bandstand import evaluate
from bandstand.catalogue import Catalogue, bundled_dir
from bandstand.dsl.model import Level
from bandstand.engine.bind import Measure
from bandstand.engine.compile import Context, NotRated
from bandstand.engine.evaluate import compile_framework
from bandstand.dsl.resolve import facts

def frameworks():
    """The 2018 framework first, then every other bundled framework."""
    catalogue = Catalogue([])
    youth = catalogue.resolve("hmip-youth@2018")
    return [youth] + [fw for fw in (catalogue.load_path(p) for p in sorted(bundled_dir().glob("*.yaml")))
                      if fw.ref != youth.ref]


def ratings(run, compiled, measures, judgements) -> list:
    ctx = Context.start(compiled, measures, judgements, {})
    for fn, slot, _limited in run:  # (limits not applied: the steps with limits are the same in both runs)
        ctx.ratings[slot] = fn(ctx)
    return [("not rated", v.reason) if isinstance(v, NotRated) else v for v in ctx.ratings]


def random_measure(rng: random.Random) -> Measure | None:
    kind = rng.randrange(5)
    if kind == 0:
        return None
    if kind == 1:
        return Measure(None, None, rng.choice([Fraction(rng.randrange(0, 10001), 100), rng.randrange(0, 101)]))
    if kind == 2:
        return Measure(0, 0, None)
    of = rng.randrange(1, 40)
    return Measure(rng.randrange(0, of + 1), of, None)


def test_the_2018_frameworks_key_questions_run_fused():
    compiled = compile_framework(frameworks()[0])
    assert len(compiled.run) < len(compiled.steps_run) == len(compiled.order)  # (fused: fewer steps)


@pytest.mark.parametrize("fw", frameworks(), ids=lambda fw: fw.ref)
def test_the_fused_run_rates_every_slot_as_the_steps_do(fw):
    compiled = compile_framework(fw)
    rng = random.Random(fw.ref)
    answered = list(facts(fw).evidence.needed)
    judged = [n for n in fw.nodes.values() if n.is_judged]
    for _ in range(300):
        measures = {n: m for n in answered if (m := random_measure(rng)) is not None}
        judgements = {n.id: rng.choice([*n.scale.levels, None]) for n in judged}
        fused = ratings(compiled.run, compiled, measures, judgements)
        steps = ratings(compiled.steps_run, compiled, measures, judgements)
        assert len(fused) == len(steps)
        for a, b in zip(fused, steps):
            assert (a is b) if isinstance(b, Level) else (a == b)


def test_ratings_only_gives_the_explained_ratings(tmp_path):
    """Through the public API: evaluate(explain=False) (the fused run) and the explained evaluation (each step
    traced) give the same rating to every node, on random inspections of the 2018 framework."""
    from test_batch_text import random_inspections, streamed
    from bandstand.errors import BandstandError

    youth = frameworks()[0]
    path = random_inspections(tmp_path / "inspections.csv", 80, seed=19)
    compared = 0
    for ev, _ in streamed(path, youth):
        try:
            quick, full = evaluate(youth, ev, explain=False), evaluate(youth, ev)
        except BandstandError:
            continue
        assert {k: quick.rating(k) for k in full.nodes} == {k: r.level for k, r in full.nodes.items()}
        assert quick.rating("overall") is full.overall.level
        compared += 1
    assert compared > 60
