"""The interpreter: evidence in, a result tree out, with reasons and margins.

>>> from bandstand import load_framework, load_evidence, evaluate  # doctest: +SKIP
>>> result = evaluate(load_framework("frameworks/hmip-youth-2018.yaml"),
...                   load_evidence("frameworks/examples/hmip-youth-2018/bedfordshire-2021-published.yaml"))  # doctest: +SKIP
>>> result.overall.level.label, result.overall.value  # doctest: +SKIP
('Requires improvement', Fraction(14, 1))

Evaluation is deterministic and never changes its inputs. Each node's
reason, ``decided_by`` and margin come from what the interpreter recorded
while deciding it (its trace), not from a second pass that re-derives it.
"""

from __future__ import annotations

import functools
from typing import Callable, Iterable, Iterator, ParamSpec, TypeVar, cast

from ..dsl import too_deep_error
from ..dsl.model import OVERALL, Framework, Level, Node
from ..errors import WARNING, Diagnostic
from .bind import Measure
from .compile import CompiledFramework, Context, NotRated, RefEvent
from . import coverage, published
from . import explain as explanation
from .evidence import Bound, Evidence, bind
from .margins import MARGIN_RERUNS, margin
from .result import AppliedLimit, NodeResult, Result, SharedNodeResult, rated_result


_P = ParamSpec("_P")
_R = TypeVar("_R")


def _bounded(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    """Turn a RecursionError (rules nested past a raised --max-expression-depth) into a located error.

    Typed with ParamSpec, so the functions it wraps keep their signatures for type checkers.
    """
    @functools.wraps(fn)
    def bounded(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return fn(*args, **kwargs)
        except RecursionError:
            framework = args[0] if args else kwargs["framework"]
            # (what it wraps takes the framework first: a Framework, or its compiled form)
            fw = framework.framework if isinstance(framework, CompiledFramework) else cast(Framework, framework)
            raise too_deep_error(fw) from None
    return bounded


@_bounded
def compile_framework(framework: Framework) -> CompiledFramework:
    """The compiled form of a framework, built once and kept with it."""
    compiled = framework.compiled
    if compiled is None:  # (two threads may both build it: either serves)
        compiled = framework.compiled = CompiledFramework(framework)
    return compiled


def evaluate(framework: Framework | CompiledFramework, evidence: Evidence | Bound, *,
             explain: bool = True, on=None) -> Result:
    """Evaluate one inspection's evidence against a framework.

    ``explain=False`` gives the ratings only: no reasons, margins or
    ``decided_by`` (faster, for batch work). ``on`` (YYYY-MM-DD) is the day
    the evidence is evaluated on, for rules that read ``evaluated_on()``
    (default: the evidence's own date).
    """
    if on is not None:  # the day is checked with the evidence (engine.progress)
        fw = framework.framework if isinstance(framework, CompiledFramework) else framework
        evidence = bind(evidence.evidence if isinstance(evidence, Bound) else evidence, fw, on)
    try:  # (as _bounded does, without its packing of arguments on every call)
        return _evaluate(framework, evidence, explain)
    except RecursionError:
        fw = framework.framework if isinstance(framework, CompiledFramework) else framework
        raise too_deep_error(fw) from None


def context(compiled: CompiledFramework, bound: Bound) -> Context:
    """The state of one evaluation of ``bound`` by the plan: every figure of the evidence a rule may read.
    (The one place a context is made from evidence: what writes a result again from the plan's values,
    bandstand.batch, makes its context here too, so it can never lack what the evaluation had.)"""
    return Context.start(compiled, bound.measures, bound.judgements, bound.notes, bound.values, bound.progress)


def _evaluate(framework: Framework | CompiledFramework, evidence: Evidence | Bound, explain: bool) -> Result:
    if isinstance(framework, CompiledFramework):
        compiled = framework
    else:  # (the plan kept with the framework, without compile_framework's wrapper on every call)
        compiled = framework.compiled or compile_framework(framework)
    fw = compiled.framework
    bound = evidence if isinstance(evidence, Bound) else bind(evidence, fw)
    ctx = context(compiled, bound)
    ev = bound.evidence
    applied: list[AppliedLimit] = []
    if not explain and not (bound.incomplete or bound.published or ev.partial):
        # ratings only: the plan's steps alone, the node results made when first read (and the overall score
        # worked out again then)
        ratings = ctx.ratings
        for fn, slot, limited in compiled.run:
            value = fn(ctx)
            if limited is not None:
                value = _limited(limited, ctx, value, applied, None, False)
            ratings[slot] = value
        return Result.lazy(fw, ev.subject, ev.date, applied, ev.file, list(bound.warnings),
                           lambda: _ratings_only(compiled, ctx, applied, bound), (compiled.index, ratings),
                           lambda: _overall_only(compiled, ctx, bound))
    traces: dict[str, list] = {}
    limit_refs: dict[str, list[str]] = {}
    stood: dict[str, str] = {}  # nodes whose published rating stands in for the rule: why
    _run(compiled, ctx, explain, compiled.index.get(OVERALL), traces, applied, limit_refs, bound, stood)
    ctx.trace = None
    budget = [MARGIN_RERUNS, 0]  # what-if evaluations left, margins skipped
    results = _results(compiled, ctx, traces, applied, limit_refs, bound, explain, budget)
    overall = results.pop("overall", None)
    warnings = list(bound.warnings)
    if budget[1]:
        warnings.append(Diagnostic("eval.margins", f"margins in cases are not shown for {budget[1]} node(s): "
                                   f"working them out would take more than {MARGIN_RERUNS} what-if evaluations",
                                   ev.file, severity=WARNING))
    result = Result(fw, ev.subject, ev.date, results, overall, applied, ev.file, warnings)
    if bound.published or ev.partial:
        published.mark(fw, results, overall, stood, bound.incomplete)
        result.findings = published.findings(results, overall, bound, stood)
        result.partial, result.left_out = bool(ev.partial), list(bound.left_out)
        if explain:
            coverage.mark_partial(fw, results, overall, bound.left_out)
    return result


def _run(compiled: CompiledFramework, ctx: Context, explain: bool, overall_slot: int | None, traces: dict,
         applied: list[AppliedLimit], limit_refs: dict, bound: Bound, stood: dict) -> None:
    """Run the plan's steps into ``ctx.ratings``, recording traces (explaining), limits and published ratings."""
    ratings = ctx.ratings
    special = bound.incomplete or bound.published
    for prog in compiled.order:
        node = prog.node
        ctx.owner = node
        if explain or prog.slot == overall_slot:  # ratings only still give the overall score
            trace = ctx.trace = []
            value = prog.fn(ctx)
            traces[node.id] = trace
        else:
            ctx.trace = None
            value = prog.fn(ctx)
        if prog.limits:
            value = _limited(prog, ctx, value, applied, limit_refs, explain)
        if special:
            value = _published(node, value, bound, stood, traces, limit_refs, applied)
        ratings[prog.slot] = value


def _limited(prog, ctx: Context, value, applied: list[AppliedLimit], limit_refs: dict | None, explain: bool):
    """``value`` after the node's limits; each that changes it is recorded (and the nodes its condition read)."""
    node = prog.node
    for step in prog.limits:
        if not isinstance(value, Level):
            break
        lim = step.limit
        ctx.trace = [] if explain else None
        holds = step.cond(ctx)
        if holds is not True:
            continue
        new = lim.bound(value)
        if new is not value:
            applied.append(AppliedLimit(lim.id, node.id, value, new, lim.description, lim.when.text.strip()))
            if explain:
                assert limit_refs is not None and ctx.trace is not None  # explaining: given, and the trace set above
                limit_refs.setdefault(node.id, []).extend(e.node_id for e in ctx.trace if isinstance(e, RefEvent))
            value = new
    return value


def _published(node: Node, value, bound: Bound, stood: dict, traces: dict, limit_refs: dict,
               applied: list[AppliedLimit]):
    """The value of a node beneath or at a published rating (see :mod:`.published`)."""
    if node.id in bound.incomplete:  # beneath a published rating, with a gap beneath it: not rated
        value, traces[node.id] = NotRated(bound.incomplete[node.id]), []
        applied[:] = [a for a in applied if a.node_id != node.id]
    if node.id in bound.published:
        value = published.decide(node, value, bound, stood)
        if node.id in stood:  # not the rule's doing: no trace, no limit
            traces[node.id] = []
            applied[:] = [a for a in applied if a.node_id != node.id]
            limit_refs.pop(node.id, None)
    return value


def _ratings_only(compiled: CompiledFramework, ctx: Context, applied, bound: Bound) -> tuple:
    """(node results, overall result) of a ratings-only evaluation, made from its plan's ratings when read.

    The overall score (the number its rule bands, and the most it could be)
    is what its rule recorded: the rule is run again, traced, on the
    ratings the plan gave, as it ran then (its own rating not yet given).
    """
    step = compiled.steps.get(OVERALL)
    traces = {OVERALL: _overall_trace(compiled, ctx, step)} if step is not None else {}
    results = _results(compiled, ctx, traces, applied, {}, bound, False, [MARGIN_RERUNS, 0])
    return results, results.pop("overall", None)


def _overall_trace(compiled: CompiledFramework, ctx: Context, step) -> list:
    """What the overall rule records, run again on the ratings the plan gave, as it ran then (its own rating not
    yet given)."""
    again = Context(compiled, ctx.measures, ctx.judgements, ctx.notes, ctx.values, ctx.progress)  # (unchanged)
    again.ratings = list(ctx.ratings)
    again.ratings[step.slot] = None
    again.owner, again.trace = step.node, []
    step.fn(again)
    return again.trace


def _overall_only(compiled: CompiledFramework, ctx: Context, bound: Bound):
    """The overall result of a ratings-only evaluation alone, as :func:`_ratings_only` makes it, without the
    node results (None where the framework has no overall rating); :data:`NotImplemented` where it is not a
    rated node's result (then all are made)."""
    shown = compiled.shown_by_id.get(OVERALL)
    if shown is None:
        return None
    step = compiled.steps.get(OVERALL)
    if step is None or not shown.rated:
        return NotImplemented
    return _plain(shown, ctx.ratings[shown.slot], bound.notes, _overall_trace(compiled, ctx, step))


def evaluate_many(framework: Framework | CompiledFramework, evidence: Iterable[Evidence | Bound], *,
                  explain: bool = False) -> Iterator[Result]:
    """Evaluate many inspections, one at a time (a generator: memory stays flat)."""
    compiled = framework if isinstance(framework, CompiledFramework) else compile_framework(framework)
    for ev in evidence:
        yield evaluate(compiled, ev, explain=explain)


# -- building the result tree -------------------------------------------------------------


def _template(compiled: CompiledFramework, explain: bool) -> dict:
    """Node id -> the shared result of an unrated node without a measure (None for the others), in order."""
    template = compiled.shown_template[explain]
    if template is None:  # (two threads may both make it: either serves)
        template = {}
        for shown in compiled.shown:
            if shown.rated:
                template[shown.id] = None
                continue
            assert shown.unrated_reason is not None  # Shown gives every unrated node its reason
            r = shown.shared[1 if explain else 0]
            if r is None:
                r = shown.shared[1 if explain else 0] = SharedNodeResult.of(NodeResult(
                    id=shown.id, title=shown.title, tier=shown.tier, rated=False,
                    reason=shown.unrated_reason if explain else "", how="not rated", reference=shown.reference,
                    children=list(shown.children)))
            template[shown.id] = r
        compiled.shown_template[explain] = template
    return template


def _plain(shown, value, notes: dict, trace) -> NodeResult:
    """A rated node's result without reasons (the overall's with its score, from what its rule recorded)."""
    r = rated_result(shown, value if isinstance(value, Level) else None,
                     f"not rated: {value.reason}" if isinstance(value, NotRated) else "", None, None, [], [],
                     notes.get(shown.id) if shown.judged else None)
    if shown.id == OVERALL:
        r.value, r.maximum = explanation.figures(value, trace)
    return r


def _results(compiled: CompiledFramework, ctx: Context, traces, applied, limit_refs, bound: Bound,
             explain: bool, budget: list[int]) -> dict[str, NodeResult]:
    measures, notes, ratings = bound.measures, bound.notes, ctx.ratings
    limited: dict[str, list[AppliedLimit]] = {}
    for a in applied:
        limited.setdefault(a.node_id, []).append(a)
    # every node in order, the unrated ones' shared results in place: the rated ones (and unrated nodes with a
    # measure) are put in their places below
    out: dict[str, NodeResult] = dict(_template(compiled, explain))
    measure: Measure | None  # (a node's measure, where it has one)
    if measures:
        by_id = compiled.shown_by_id
        for node_id, measure in measures.items():
            shown = by_id.get(node_id)
            if shown is not None and not shown.rated:
                out[node_id] = NodeResult(id=node_id, title=shown.title, tier=shown.tier, rated=False,
                                          reason=cast(str, shown.unrated_reason) if explain else "",  # (unrated: has one)
                                          how="not rated",
                                          measure=measure, reference=shown.reference, children=list(shown.children))
    for shown in compiled.rated_shown:
        node_id = shown.id
        value = ratings[shown.slot]
        if not explain:
            out[node_id] = _plain(shown, value, notes, traces.get(node_id, ()))
            continue
        level = value if isinstance(value, Level) else None
        note = notes.get(node_id) if shown.judged else None
        events = traces.get(node_id, ())
        x = explanation.explain(events)
        decided_by = x.decided_by
        if x.has_fields:
            measure = x.measure or (measures.get(node_id) if not shown.judged else None)
        else:
            measure = None if shown.judged else measures.get(node_id)
        applied_here = limited.get(node_id, ())
        for ref in limit_refs.get(node_id, ()):
            if ref not in decided_by:
                decided_by.append(ref)
        # (its reason written when read, from what its rule recorded)
        out[node_id] = rated_result(shown, level, "", measure, x, decided_by, [a.id for a in applied_here], note,
                                    why=(explanation.reason, compiled, value, events, applied_here))
    if explain:
        stand_in = bound.stand_in
        for prog in compiled.order:
            res = out[prog.node.id]
            if res.level is not None and prog.node.id not in stand_in:
                res.margin = margin(prog, ctx, res, out, budget)
    return out
