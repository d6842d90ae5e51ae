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
from typing import Iterable, Iterator

from ..dsl import too_deep_error
from ..dsl.ast import float_text
from ..dsl.model import Band, BandTable, Framework, Level, Node
from ..errors import WARNING, Diagnostic
from .compile import (BandEvent, CompiledFramework, Context, JudgementEvent, NotRated, PickEvent, Program,
                      RefEvent, ShareEvent, SumEvent)
from .evidence import Bound, Evidence, Measure, bind
from .result import AppliedLimit, Margin, MarginStep, NodeResult, Result


def _bounded(fn):
    """Turn a RecursionError (rules nested past a raised --max-expression-depth) into a located error."""
    @functools.wraps(fn)
    def bounded(framework, *args, **kwargs):
        try:
            return fn(framework, *args, **kwargs)
        except RecursionError:
            fw = framework.framework if isinstance(framework, CompiledFramework) else framework
            raise too_deep_error(fw) from None
    return bounded


@_bounded
def compile_framework(framework: Framework) -> CompiledFramework:
    """The compiled form of a framework, built once and kept with it."""
    compiled = framework.__dict__.get("_compiled")
    if compiled is None:
        compiled = CompiledFramework(framework)
        framework.__dict__["_compiled"] = compiled
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
    ctx = Context(bound.measures, bound.judgements, bound.notes)
    traces: dict[str, list] = {}
    applied: list[AppliedLimit] = []
    limit_refs: dict[str, list[str]] = {}
    for prog in compiled.order:
        node = prog.node
        ctx.owner = node
        ctx.trace = [] if explain else None
        value = prog.fn(ctx)
        if explain:
            traces[node.id] = ctx.trace
        for lim, cond in prog.limits:
            if not isinstance(value, Level):
                break
            ctx.trace = [] if explain else None
            holds = cond(ctx)
            if holds is not True:
                continue
            new = value
            if lim.at_most is not None and value.index > lim.at_most.index:
                new = lim.at_most
            if lim.at_least is not None and value.index < lim.at_least.index:
                new = lim.at_least
            if new is not value:
                applied.append(AppliedLimit(lim.id, node.id, value, new, lim.description, lim.when.text.strip()))
                if explain:
                    limit_refs.setdefault(node.id, []).extend(
                        e.node_id for e in ctx.trace if isinstance(e, RefEvent))
                value = new
        ctx.ratings[node.id] = value
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
    return Result(fw, ev.subject, ev.date, results, overall, applied, ev.file, warnings)


def evaluate_many(framework: Framework | CompiledFramework, evidence: Iterable[Evidence | Bound], *,
                  explain: bool = False) -> Iterator[Result]:
    """Evaluate many inspections, one at a time (a generator: memory stays flat)."""
    compiled = framework if isinstance(framework, CompiledFramework) else compile_framework(framework)
    for ev in evidence:
        yield evaluate(compiled, ev, explain=explain)


# -- building the result tree -------------------------------------------------------------


def _plural(nodes: list[Node] | tuple[Node, ...], fw: Framework) -> str:
    tiers = {n.tier.id for n in nodes if n.tier is not None}
    if len(tiers) == 1:
        tier = nodes[0].tier
        return tier.plural or tier.label.lower() + "s"
    return "nodes"


def _fmt(x: Fraction | None, unit: str = "") -> str:
    if x is None:
        return "-"
    x = Fraction(x)
    text = str(x.numerator) if x.denominator == 1 else float_text(x, ".1f")
    return text + ("%" if unit == "percent" else "")


def _explain(node: Node, value, events: list, fw: Framework) -> tuple[str, list[str], dict]:
    clauses: list[str] = []
    decided_by: list[str] = []
    fields: dict = {}
    for e in events:
        if isinstance(e, JudgementEvent):
            if e.level is not None:
                clauses.append("judged by inspectors" + (f": {e.note}" if e.note else ""))
        elif isinstance(e, ShareEvent):
            fields["measure"] = e.measure
            m = e.measure
            pct = _fmt(Fraction(round(e.value)) if m.percent is None else m.percent, "percent")
            if m.of is not None and m.percent is None:
                unit = "answers" if e.pooled else "cases"
                clauses.append(f"{m.yes} of {m.of} {unit} sufficient ({_fmt(e.value, 'percent')})"
                               if e.value.denominator != 1 else
                               f"{m.yes} of {m.of} {unit} sufficient ({pct})")
            else:
                clauses.append(f"{pct} sufficient (published figure)")
        elif isinstance(e, BandEvent):
            fields.update(value=e.value, rounded=e.rounded, table=e.table, band=e.band)
            t = e.table
            rounded = ""
            if e.rounded != e.value:
                rounded = f"rounds to {_fmt(e.rounded, t.unit)}, "
            note = " (thresholds inferred, not published)" if t.inferred else ""
            clauses.append(f"{rounded}in the {e.band.level.label} band ({e.band.describe(t.unit)}){note}")
        elif isinstance(e, PickEvent):
            decided_by.extend(n.id for n in e.chosen if n.id not in decided_by)
            which = "lowest" if e.func == "lowest" else "highest"
            chosen = ", ".join(n.id for n in e.chosen)
            clauses.append(f"the {which} rating of its {_plural(e.nodes, fw)}: {chosen} "
                           f"{'is' if len(e.chosen) == 1 else 'are'} {e.level.label}")
        elif isinstance(e, SumEvent):
            fields["sum_value"] = e.total
            fields["maximum"] = e.maximum
            of = f" of {_fmt(e.maximum)}" if e.maximum is not None else ""
            clauses.append(f"the scores of its {len(e.nodes)} counted {_plural(e.nodes, fw)} add up to "
                           f"{_fmt(e.total)}{of}")
            decided_by.extend(n.id for n in e.nodes if n.id not in decided_by)
    if isinstance(value, NotRated):
        clauses.append(f"not rated: {value.reason}")
    elif not clauses and isinstance(value, Level):
        clauses.append(f"{value.label} by its rule")
    return "; ".join(clauses), decided_by, fields


def _unrated_reason(node: Node) -> str:
    if node.tier is not None and not node.tier.rated:
        tier = node.tier
        return f"{(tier.plural or tier.label.lower() + 's').capitalize()} are not rated"
    a = node.parent
    while a is not None and not a.is_judged:
        a = a.parent
    if a is not None:
        return f"not rated: a question inspectors take into account in judging {a.id}"
    return "not rated"


def _results(compiled: CompiledFramework, ctx: Context, traces, applied, limit_refs, bound: Bound,
             explain: bool, budget: list[int]) -> dict[str, NodeResult]:
    fw = compiled.framework
    out: dict[str, NodeResult] = {}
    for node in fw.nodes.values():
        r = NodeResult(node.id, node.title or node.question, node.tier.id if node.tier else None, node.rated,
                       children=[c.id for c in node.children])
        out[node.id] = r
        if not node.rated:
            r.how = "not rated"
            r.reason = _unrated_reason(node) if explain else ""
            r.measure = bound.measures.get(node.id)
            continue
        value = ctx.ratings.get(node.id)
        r.level = value if isinstance(value, Level) else None
        r.how = "judgement" if node.is_judged else "rule"
        if node.is_judged:
            r.note = bound.notes.get(node.id)
        if not explain:
            if isinstance(value, NotRated):
                r.reason = f"not rated: {value.reason}"
            continue
        reason, decided_by, fields = _explain(node, value, traces.get(node.id, ()), fw)
        r.decided_by = decided_by
        r.measure = fields.get("measure") or (bound.measures.get(node.id) if not node.is_judged else None)
        r.value = fields.get("sum_value", fields.get("value"))
        r.rounded, r.table, r.band = fields.get("rounded"), fields.get("table"), fields.get("band")
        r.maximum = fields.get("maximum")
        for a in applied:
            if a.node_id == node.id:
                r.limits.append(a.id)
                what = a.description or a.condition
                reason += f"; limited from {a.before.label} to {a.after.label} by '{a.id}' ({what})"
        for ref in limit_refs.get(node.id, ()):
            if ref not in r.decided_by:
                r.decided_by.append(ref)
        r.reason = reason
    if explain:
        for prog in compiled.order:
            res = out[prog.node.id]
            if res.level is not None:
                res.margin = _margin(prog, ctx, res, out, budget)
    return out


# -- margins: how far each node is from the next band ----------------------------------------

#: what-if evaluations one evaluate() may spend on margins in cases (each node costs at most its 'of')
MARGIN_RERUNS = 1_000_000


def _rerun(prog: Program, ctx: Context, measure: Measure):
    ctx.owner, ctx.override, ctx.trace = prog.node, measure, None
    try:
        return prog.fn(ctx)
    finally:
        ctx.override = None


def _margin(prog: Program, ctx: Context, res: NodeResult, results: dict[str, NodeResult],
            budget: list[int]) -> Margin | None:
    current = res.level
    m = res.measure
    if prog.own_share and m is not None:
        if m.of is not None and m.percent is None:
            if m.of > budget[0]:  # each step is a what-if evaluation: bound the work of one evaluate()
                budget[1] += 1
                return None
            margin, budget[0] = _margin_cases(prog, ctx, m, current), budget[0] - m.of
            return margin
        if m.percent is not None and res.table is not None:
            return _margin_points(res.table, m.percent, current)
    if res.table is not None and res.value is not None:
        return _margin_points(res.table, res.value, current)
    if res.decided_by and prog.node.rule is not None and not prog.node.is_judged:
        return _margin_children(res, results)
    return None


def _margin_cases(prog: Program, ctx: Context, m: Measure, current: Level) -> Margin:
    margin = Margin()
    for k in range(1, m.of - m.yes + 1):
        lv = _rerun(prog, ctx, Measure(m.yes + k, m.of, None))
        if isinstance(lv, Level) and lv.index > current.index:
            margin.up = MarginStep(lv, more_yes=k)
            break
    for k in range(1, m.yes + 1):
        lv = _rerun(prog, ctx, Measure(m.yes - k, m.of, None))
        if isinstance(lv, Level) and lv.index < current.index:
            margin.down = MarginStep(lv, fewer_yes=k)
            break
    return margin


def _bounds(band: Band, step: Fraction | None) -> tuple[Fraction | None, Fraction | None]:
    lo = band.min
    hi = band.max if band.max is not None else (
        band.below - step if band.below is not None and step is not None else band.below)
    return lo, hi


def _margin_points(table: BandTable, value: Fraction, current: Level) -> Margin:
    """Points to the nearest band above and below (after the table's rounding)."""
    step = table.rounding.step or (Fraction(1) if Fraction(value).denominator == 1 else None)
    margin = Margin()
    ups = [(b.min, b) for b in table.bands if b.level.index > current.index and b.min is not None and b.min > value]
    if ups:
        target, band = min(ups, key=lambda t: t[0])
        margin.up = MarginStep(band.level, points=target - value)
    downs = []
    for b in table.bands:
        if b.level.index < current.index:
            _, hi = _bounds(b, step)
            if hi is not None and hi < value:
                downs.append((hi, b))
    if downs:
        target, band = max(downs, key=lambda t: t[0])
        margin.down = MarginStep(band.level, points=value - target)
    return margin


def _margin_children(res: NodeResult, results: dict[str, NodeResult]) -> Margin | None:
    """A node rated the lowest of its children rises when every child at
    that level rises; it falls when any child falls below it."""
    margin = Margin()
    needs = {}
    rises_to = None
    for child_id in res.decided_by:
        child = results.get(child_id)
        if child is None or child.margin is None or child.margin.up is None:
            needs = None
            break
        needs[child_id] = child.margin.up
        lv = child.margin.up.level
        rises_to = lv if rises_to is None or lv.index < rises_to.index else rises_to
    if needs and rises_to is not None:
        # the node can rise no higher than its other children allow
        others = [results[c].level for c in res.children
                  if c in results and c not in res.decided_by and results[c].level is not None]
        for lv in others:
            if lv.index < rises_to.index:
                rises_to = lv
        if rises_to.index > res.level.index:
            margin.up = MarginStep(rises_to, needs=needs)
    best = None
    for child_id in res.children:
        child = results.get(child_id)
        if child is None or child.level is None or child.margin is None or child.margin.down is None:
            continue
        if child.margin.down.level.index < res.level.index:
            step = child.margin.down
            size = step.fewer_yes if step.fewer_yes is not None else step.points
            if best is None or (size is not None and size < best[0]):
                best = (size, child_id, step)
    if best is not None:
        margin.down = MarginStep(best[2].level, needs={best[1]: best[2]})
    return margin if (margin.up or margin.down) else None
