"""The overall rating of a ratings-only result, read alone, is made alone: the node results wait until read.

Reading ``evaluate(..., explain=False).overall`` is what a batch that wants the overall rating does; it gives
what the whole result tree gives, made now or later, read in any order, changed or not.
"""

from __future__ import annotations

import random

from bandstand import Catalogue, bind, compile_framework, evaluate, load_evidence
from bandstand.catalogue import bundled_dir
from bandstand.dsl.resolve import facts as framework_facts
from bandstand.render import to_json
from helpers import evidence

LEVELS = ("inadequate", "requires_improvement", "good", "outstanding")
JUDGED = ("1.1", "1.2", "1.3", "1.4", "3.4", "4.1")


def inspections(hmip, n: int, seed: int):
    """Random inspections of hmip-youth@2018, a third of them limited (4.1 Inadequate, the rest outstanding)."""
    rng = random.Random(seed)
    kqs = [x.id for x in framework_facts(hmip).evidence.share_rated]
    for _ in range(n):
        limited = rng.random() < 0.3
        judgements = {j: "outstanding" if limited else rng.choice(LEVELS) for j in JUDGED}
        if limited:
            judgements["4.1"] = "inadequate"
        if rng.random() < 0.2:
            del judgements["4.1"]
        percents = {k: rng.randint(77 if limited else 0, 100) for k in kqs}
        yield evidence({"subject": "random", "judgements": judgements,
                        "key_questions": {k: {"percent": p} for k, p in percents.items()}})


def _overall(r):
    o = r.overall
    return None if o is None else (o.to_json(), o.value, o.maximum, o.limits, o.decided_by, o.how, o.note)


def test_reading_the_overall_rating_alone_makes_no_node_results(hmip):
    compiled = compile_framework(hmip)
    for ev in inspections(hmip, 40, seed=21):
        bound = bind(ev, hmip)
        alone = evaluate(compiled, bound, explain=False)
        assert alone.overall is not None
        assert alone.plan_values() is not None  # the node results are not made
        whole = evaluate(compiled, bound, explain=False)
        assert whole.nodes and whole.plan_values() is None
        assert _overall(alone) == _overall(whole)
        assert alone.overall.level == evaluate(compiled, bound).overall.level
        assert to_json(alone) == to_json(whole)  # the node results made after: the same tree


def test_an_overall_rating_read_or_set_first_is_the_one_the_tree_keeps(hmip):
    ev = next(inspections(hmip, 1, seed=3))
    r = evaluate(hmip, ev, explain=False)
    first = r.overall
    assert r.nodes["2.1"].level is not None
    assert r.overall is first  # made once
    other = evaluate(hmip, ev, explain=False)
    replaced = first.copy()
    replaced.note = "set before the nodes were read"
    other.overall = replaced
    assert other.plan_values() is not None
    assert other.nodes and other.overall is replaced


def test_frameworks_with_and_without_an_overall_rating():
    cat = Catalogue()
    examples = bundled_dir() / "examples"
    for ref, file in (("hmip-youth-fji@2014", "hmip-youth-fji/bromley-2015.yaml"),
                      ("hmip-youth-cci@2011", "hmip-youth-cci-2011/oxfordshire-2011-cases.yaml"),
                      ("cqc-asc@2022", "cqc-asc/tudors-2018.yaml"),
                      ("yjb-indicators@2016-17", "yjb-indicators/buckinghamshire-2016-17.yaml"),
                      ("hmip-youth@2018", "hmip-youth-2018/bedfordshire-2021-cases.yaml")):
        fw = cat.resolve(ref)
        ev = load_evidence(examples / file)
        alone, whole = evaluate(fw, ev, explain=False), evaluate(fw, ev, explain=False)
        whole.nodes  # noqa: B018 (made first)
        assert _overall(alone) == _overall(whole), ref
        assert to_json(alone) == to_json(whole), ref
        assert (alone.overall is None) == ("overall" not in fw.nodes), ref
