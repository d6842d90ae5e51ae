"""Results made when read: what a result gives does not depend on when, or whether, its parts were read first.

A ratings-only result (``evaluate(..., explain=False)``) holds the plan's
ratings and makes its node results when first read; an explained result
writes each node's reason when it is first read. Read in any order, copied
or pickled before anything was read, changed before it was read, they give
what they give when read at once.
"""

from __future__ import annotations

import copy
from fractions import Fraction
import pickle
import random

from bandstand import bind, compile_framework, evaluate
from bandstand.dsl.resolve import facts as framework_facts
from bandstand.engine.result import NodeResult
from bandstand.render import to_json, to_markdown, to_text
from helpers import evidence

LEVELS = ("inadequate", "requires_improvement", "good", "outstanding")
JUDGED = ("1.1", "1.2", "1.3", "1.4", "3.4", "4.1")


def inspections(hmip, n: int, seed: int = 13):
    """Random inspections of hmip-youth@2018: every key question a published percentage, judged standards."""
    rng = random.Random(seed)
    kqs = [n.id for n in framework_facts(hmip).evidence.share_rated]  # the key questions
    assert len(kqs) == 21
    for _ in range(n):
        judgements = {j: rng.choice(LEVELS) for j in JUDGED}
        if rng.random() < 0.3:  # the limit on the overall rating: 4.1 Inadequate, the rest (nearly) outstanding
            judgements = {j: "outstanding" for j in JUDGED}
            judgements["4.1"] = "inadequate"
            percents = {k: rng.randint(77, 100) for k in kqs}
        else:
            percents = {k: rng.randint(0, 100) for k in kqs}
        yield evidence({"subject": "random", "judgements": judgements,
                        "key_questions": {k: {"percent": p} for k, p in percents.items()}})


def test_ratings_only_overall_score_is_the_one_the_rule_recorded(hmip):
    """The overall score of a ratings-only result (worked out from the plan's ratings when read) is the score
    of the explained result, limited or not; and the limit is listed alike."""
    limited = 0
    for ev in inspections(hmip, 60):
        full, fast = evaluate(hmip, ev), evaluate(hmip, ev, explain=False)
        assert (fast.overall.level, fast.overall.value, fast.overall.maximum) == \
            (full.overall.level, full.overall.value, full.overall.maximum)
        assert [a.to_json() for a in fast.limits_applied] == [a.to_json() for a in full.limits_applied]
        assert {k: r.level for k, r in fast.nodes.items()} == {k: r.level for k, r in full.nodes.items()}
        limited += bool(full.limits_applied)
    assert limited  # the limit was tried


def test_a_ratings_only_result_read_in_any_order_gives_the_same(hmip):
    compiled = compile_framework(hmip)
    for ev in inspections(hmip, 10, seed=5):
        bound = bind(ev, hmip)
        shown = to_json(evaluate(compiled, bound, explain=False))
        overall_first = evaluate(compiled, bound, explain=False)
        assert overall_first.overall is not None and overall_first.rating("2.1") is not None
        assert to_json(overall_first) == shown
        copied = copy.deepcopy(evaluate(compiled, bound, explain=False))  # nothing read before the copy
        pickled = pickle.loads(pickle.dumps(evaluate(compiled, bound, explain=False)))
        assert to_json(copied) == to_json(pickled) == shown
        assert evaluate(compiled, bound, explain=False) == evaluate(compiled, bound, explain=False)
        read = evaluate(compiled, bound, explain=False)
        read.nodes["2.1"].level  # noqa: B018 (read first)
        for fmt in (to_text, to_markdown):
            assert fmt(evaluate(compiled, bound, explain=False)) == fmt(read)


def test_reasons_written_when_read_are_the_same_however_the_result_is_read(hmip):
    for ev in inspections(hmip, 10, seed=8):
        shown = evaluate(hmip, ev).to_json()
        copied = copy.deepcopy(evaluate(hmip, ev))  # no reason read before the copy or the pickle
        pickled = pickle.loads(pickle.dumps(evaluate(hmip, ev)))
        assert copied.to_json() == pickled.to_json() == shown
        result = evaluate(hmip, ev)
        node = result.nodes["2.1"]
        plain = node.copy()  # a plain NodeResult, its reason written
        assert type(plain) is NodeResult and plain.reason == shown["nodes"]["2.1"]["reason"]
        assert node == plain and plain == node


def test_a_reason_changed_before_it_was_read_stays_changed(hmip):
    ev = next(inspections(hmip, 1))
    result = evaluate(hmip, ev)
    original = evaluate(hmip, ev).nodes["2.1"].reason
    result.nodes["2.1"].reason = "changed"
    assert result.nodes["2.1"].reason == "changed" and result.to_json()["nodes"]["2.1"]["reason"] == "changed"
    other = evaluate(hmip, ev)
    other.nodes["2.1"].reason += " (seen)"
    assert other.nodes["2.1"].reason == original + " (seen)"


def test_ratings_read_before_the_node_results_are_made_are_theirs(hmip):
    """``Result.rating`` of a ratings-only result reads the plan's ratings without making the node results;
    each is the level its node result then holds, and an unknown node is an error as before."""
    import pytest

    for ev in inspections(hmip, 10, seed=21):
        fast = evaluate(hmip, ev, explain=False)
        before = {k: fast.rating(k) for k in hmip.nodes}
        assert before == {k: (fast.overall if k == "overall" else fast.nodes[k]).level for k in hmip.nodes}
        assert before == {k: fast.rating(k) for k in hmip.nodes}  # (after they were made)
        with pytest.raises(KeyError):
            evaluate(hmip, ev, explain=False).rating("9.9")


def test_a_result_made_field_by_field_is_the_one_the_class_makes(hmip):
    """rated_result (the evaluator's quick way of making a node result) sets every field NodeResult has, to what
    the class's own constructor sets; a field added to NodeResult and not to rated_result fails here."""
    from bandstand.engine.compile import Shown
    from bandstand.engine.explain import Explained
    from bandstand.engine.result import ExplainedNodeResult, rated_result

    node = hmip.nodes["2.1.1"]
    shown = Shown(node, 0)
    level = node.scale.levels[2]
    figures = Explained()
    figures.value, figures.rounded, figures.maximum, figures.pooled = 70, 70, 100, True
    fields = NodeResult.__dataclass_fields__
    for why, cls in ((None, NodeResult), ((lambda: "written when read",), ExplainedNodeResult)):
        made = rated_result(shown, level, "" if why else "as given", None, figures, ["2.1"], ["lim"], "a note", why)
        want = cls(id=node.id, title=shown.title, tier=shown.tier, rated=True, level=level,
                   reason="written when read" if why else "as given", how="rule", value=70, rounded=70,
                   decided_by=["2.1"], limits=["lim"], note="a note", maximum=100, pooled=True,
                   reference=node.reference, children=list(shown.children))
        assert type(made) is cls
        for f in fields:  # (reading a field made field by field and never set raises AttributeError)
            assert getattr(made, f) == getattr(want, f), f
        assert made == want and made.children is not shown.children
        plain = rated_result(shown, None, "not rated: why", None, None, [], [], None)
        assert [getattr(plain, f) for f in fields] == [getattr(NodeResult(
            id=node.id, title=shown.title, tier=shown.tier, rated=True, reason="not rated: why",
            reference=node.reference, children=list(shown.children)), f) for f in fields]


def test_a_context_and_a_lazy_result_made_without_their_classes_are_the_ones_the_classes_make(hmip):
    """Context.start and Result.lazy (made once an evaluation, without calling the class) set every slot the
    class's constructor sets, to the same values."""
    from bandstand.engine.compile import Context
    from bandstand.engine.result import Result

    compiled = compile_framework(hmip)
    args = (compiled, {"2.1.1": None}, {"1.1": None}, {"1.1": "a note"})
    made, want = Context.start(*args), Context(*args)
    for slot in Context.__slots__:
        assert getattr(made, slot) == getattr(want, slot), slot
    assert made.ratings is not Context.start(*args).ratings
    build, ratings = (lambda: ({}, None)), ({"a": 0}, [None])
    made, want = (Result.lazy(hmip, "s", "2021-01-01", [], "f.yaml", ["w"], build, ratings),
                  Result(hmip, "s", "2021-01-01", None, None, [], "f.yaml", ["w"], build=build, ratings=ratings))
    for slot in Result.__slots__:
        assert getattr(made, slot) == getattr(want, slot), slot


def test_a_rule_run_untraced_gives_what_it_gives_traced(hmip):
    """The ratings-only run uses the compiler's untraced form of a rule where it made one: for every such step,
    on measures counted, published, with no case applying and missing, it gives the traced rule's value (the
    same level, or not rated for the same reason)."""
    from bandstand.engine.bind import Measure
    from bandstand.engine.compile import Context, NotRated

    compiled = compile_framework(hmip)
    untraced = [(step, fn) for step, (fn, _, _) in zip(compiled.order, compiled.steps_run) if fn is not step.fn]
    assert len(untraced) == 21  # the key questions: band(share(), key_question)
    for measure in (Measure(2, 3, None), Measure(1, 3, None), Measure(None, None, 65), Measure(0, 0, None),
                    Measure(3, 3, None), Measure(None, None, Fraction(1299, 20)), None):
        measures = {} if measure is None else {step.node.id: measure for step, _ in untraced}
        for step, fn in untraced:
            quick, traced = Context.start(compiled, measures, {}, {}), Context.start(compiled, measures, {}, {})
            traced.trace, traced.owner = [], step.node
            a, b = fn(quick), step.fn(traced)
            assert (a.reason == b.reason) if isinstance(b, NotRated) else (a is b), (step.node.id, measure)
