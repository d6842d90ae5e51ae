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
from fractions import Fraction
from typing import Callable, Iterable, Iterator, ParamSpec, TypeVar

from ..dsl import too_deep_error
from ..dsl.ast import float_text
from ..dsl.model import OVERALL, Framework, Level, Node
from ..errors import WARNING, Diagnostic
from .compile import (BandEvent, CompiledFramework, Context, JudgementEvent, MeanEvent, NotRated, PickEvent,
                      RefEvent, ShareEvent, SumEvent)
from . import coverage, published
from .evidence import Bound, Evidence, bind
from .margins import MARGIN_RERUNS, margin
from .result import AppliedLimit, NodeResult, Result, SharedNodeResult


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
            fw = framework.framework if isinstance(framework, CompiledFramework) else framework
            raise too_deep_error(fw) from None
    return bounded


@_bounded
def compile_framework(framework: Framework) -> CompiledFramework:
    """The compiled form of a framework, built once and kept with it."""
    compiled = framework.compiled
    if compiled is None:  # (two threads may both build it: either serves)
        compiled = framework.compiled = CompiledFramework(framework)
    return compiled


@_bounded
def evaluate(framework: Framework | CompiledFramework, evidence: Evidence | Bound, *,
             explain: bool = True) -> Result:
    """Evaluate one inspection's evidence against a framework.

    ``explain=False`` gives the ratings only: no reasons, margins or
    ``decided_by`` (faster, for batch work).
    """
    compiled = framework if isinstance(framework, CompiledFramework) else compile_framework(framework)
    fw = compiled.framework
    bound = evidence if isinstance(evidence, Bound) else bind(evidence, fw)
    ctx = Context(compiled, bound.measures, bound.judgements, bound.notes)
    traces: dict[str, list] = {}
    applied: list[AppliedLimit] = []
    limit_refs: dict[str, list[str]] = {}
    stood: dict[str, str] = {}  # nodes whose published rating stands in for the rule: why
    for prog in compiled.order:
        node = prog.node
        ctx.owner = node
        traced = explain or node.id == OVERALL  # ratings only still give the overall score
        ctx.trace = [] if traced else None
        value = prog.fn(ctx)
        if traced:
            traces[node.id] = ctx.trace
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
                    limit_refs.setdefault(node.id, []).extend(
                        e.node_id for e in ctx.trace if isinstance(e, RefEvent))
                value = new
        if node.id in bound.incomplete:  # beneath a published rating, with a gap beneath it: not rated
            value, traces[node.id] = NotRated(bound.incomplete[node.id]), []
            applied = [a for a in applied if a.node_id != node.id]
        if node.id in bound.published:
            value = published.decide(node, value, bound, stood)
            if node.id in stood:  # not the rule's doing: no trace, no limit
                traces[node.id] = []
                applied = [a for a in applied if a.node_id != node.id]
                limit_refs.pop(node.id, None)
        ctx.ratings[prog.slot] = value
    ctx.trace = None
    budget = [MARGIN_RERUNS, 0]  # what-if evaluations left, margins skipped
    results = _results(compiled, ctx, traces, applied, limit_refs, bound, explain, budget)
    overall = results.pop("overall", None)
    ev = bound.evidence
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


def evaluate_many(framework: Framework | CompiledFramework, evidence: Iterable[Evidence | Bound], *,
                  explain: bool = False) -> Iterator[Result]:
    """Evaluate many inspections, one at a time (a generator: memory stays flat)."""
    compiled = framework if isinstance(framework, CompiledFramework) else compile_framework(framework)
    for ev in evidence:
        yield evaluate(compiled, ev, explain=explain)


# -- building the result tree -------------------------------------------------------------


def _fmt(x: Fraction | int | None, unit: str = "") -> str:
    if x is None:
        return "-"
    if type(x) is not int:
        x = Fraction(x)
        x = x.numerator if x.denominator == 1 else x
    text = str(x) if type(x) is int else float_text(x, ".1f")
    return text + ("%" if unit == "percent" else "")


def _decimal(x: Fraction) -> str:
    """'1.3333', '2': to four places, no trailing zeros."""
    return x if isinstance(x, str) else (str(x.numerator) if x.denominator == 1
                                         else float_text(x, ".4f").rstrip("0").rstrip("."))


def _explain(node: Node, value, events: list, fw: Framework) -> tuple[str, list[str], dict]:
    clauses: list[str] = []
    decided_by: list[str] = []
    fields: dict = {}
    for e in events:
        kind = type(e)
        if kind is JudgementEvent:
            if e.level is not None:
                clauses.append("judged by inspectors" + (f": {e.note}" if e.note else ""))
        elif kind is ShareEvent:
            fields["measure"] = e.measure
            fields["pooled"] = e.pooled
            m = e.measure
            if m.of is not None and m.percent is None:
                unit = "answers" if e.pooled else "cases"
                shown = _fmt(e.value, "percent") if e.value.denominator != 1 else _fmt(round(e.value), "percent")
                clauses.append(f"{m.yes} of {m.of} {unit} sufficient ({shown})")
            else:
                pct = _fmt(round(e.value) if m.percent is None else m.percent, "percent")
                clauses.append(f"{pct} sufficient (published figure)")
        elif kind is BandEvent:
            fields["value"], fields["rounded"], fields["table"], fields["band"] = e.value, e.rounded, e.table, e.band
            t = e.table
            rounded = f"rounds to {_fmt(e.rounded, t.unit)}, " if e.rounded != e.value else ""
            note = " (thresholds inferred, not published)" if t.inferred else ""
            clauses.append(f"{rounded}in the {e.band.level.label} band ({e.band.describe(t.unit)}){note}")
        elif kind is PickEvent:
            decided_by.extend(n.id for n in e.chosen if n.id not in decided_by)
            which = "lowest" if e.func == "lowest" else "highest"
            chosen = ", ".join(n.id for n in e.chosen)
            clauses.append(f"the {which} rating of its {e.plural}: {chosen} "
                           f"{'is' if len(e.chosen) == 1 else 'are'} {e.level.label}")
        elif kind is SumEvent:
            fields["sum_value"] = e.total
            fields["maximum"] = e.maximum
            of = f" of {_fmt(e.maximum)}" if e.maximum is not None else ""
            clauses.append(f"the scores of its {len(e.nodes)} counted {e.plural} add up to "
                           f"{_fmt(e.total)}{of}")
            decided_by.extend(n.id for n in e.nodes if n.id not in decided_by)
        elif kind is MeanEvent:
            rated = "" if len(e.nodes) == e.of else f" rated (of {e.of})"
            clauses.append(f"the mean score of its {len(e.nodes)}{rated} {e.plural} is "
                           f"{_decimal(e.value)}")
            decided_by.extend(n.id for n in e.nodes if n.id not in decided_by)
    if isinstance(value, NotRated):
        clauses.append(f"not rated: {value.reason}")
    elif not clauses and isinstance(value, Level):
        clauses.append(f"{value.label} by its rule")
    return "; ".join(clauses), decided_by, fields


def _results(compiled: CompiledFramework, ctx: Context, traces, applied, limit_refs, bound: Bound,
             explain: bool, budget: list[int]) -> dict[str, NodeResult]:
    fw = compiled.framework
    measures, notes, ratings = bound.measures, bound.notes, ctx.ratings
    limited: dict[str, list[AppliedLimit]] = {}
    for a in applied:
        limited.setdefault(a.node_id, []).append(a)
    out: dict[str, NodeResult] = {}
    for shown in compiled.shown:
        node_id = shown.id
        if not shown.rated:  # (the fields in order, as NodeResult lists them: no keyword matching per node)
            measure = measures.get(node_id)
            if measure is None:  # the same for every inspection: one shared, unchangeable result
                r = shown.shared[1 if explain else 0]
                if r is None:  # (two threads may both make it: either serves)
                    r = shown.shared[1 if explain else 0] = SharedNodeResult.of(NodeResult(
                        node_id, shown.title, shown.tier, False, None, shown.unrated_reason if explain else "",
                        "not rated", None, None, None, None, None, [], None, [], None, None, False,
                        shown.reference, list(shown.children)))
                out[node_id] = r
                continue
            out[node_id] = NodeResult(node_id, shown.title, shown.tier, False, None,
                                      shown.unrated_reason if explain else "", "not rated", measure,
                                      None, None, None, None, [], None, [], None, None, False, shown.reference,
                                      list(shown.children))
            continue
        r = out[node_id] = NodeResult(node_id, shown.title, shown.tier, True, None, "", shown.how, None, None, None,
                                      None, None, [], None, [], None, None, False, shown.reference,
                                      list(shown.children))
        value = ratings[shown.slot]
        is_level = isinstance(value, Level)
        r.level = value if is_level else None
        judged = shown.how == "judgement"
        if judged:
            r.note = notes.get(node_id)
        if not explain:
            if not is_level and isinstance(value, NotRated):
                r.reason = f"not rated: {value.reason}"
            if node_id == OVERALL:
                fields = _explain(shown.node, value, traces.get(node_id, ()), fw)[2]
                r.value, r.maximum = fields.get("sum_value", fields.get("value")), fields.get("maximum")
            continue
        reason, decided_by, fields = _explain(shown.node, value, traces.get(node_id, ()), fw)
        r.decided_by = decided_by
        if fields:
            r.measure = fields.get("measure") or (measures.get(node_id) if not judged else None)
            r.value = fields.get("sum_value", fields.get("value"))
            r.rounded, r.table, r.band = fields.get("rounded"), fields.get("table"), fields.get("band")
            r.maximum = fields.get("maximum")
            r.pooled = fields.get("pooled", False)
        elif not judged:
            r.measure = measures.get(node_id)
        for a in limited.get(node_id, ()):
            r.limits.append(a.id)
            what = a.description or a.condition
            reason += f"; limited from {a.before.label} to {a.after.label} by '{a.id}' ({what})"
        for ref in limit_refs.get(node_id, ()):
            if ref not in decided_by:
                decided_by.append(ref)
        r.reason = reason
    if explain:
        for prog in compiled.order:
            res = out[prog.node.id]
            if res.level is not None and prog.node.id not in bound.stand_in:
                res.margin = margin(prog, ctx, res, out, budget)
    return out
