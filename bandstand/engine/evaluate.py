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
from ..dsl.model import OVERALL, BandTable, Framework, Level, Node
from ..errors import WARNING, Diagnostic
from .compile import (BandEvent, CompiledFramework, Context, JudgementEvent, NotRated, PickEvent, Program,
                      RefEvent, ShareEvent, SumEvent)
from . import coverage, published
from .evidence import Bound, Evidence, Measure, bind
from .result import AppliedLimit, Margin, MarginStep, NodeResult, Result, SharedNodeResult


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
    stood: dict[str, str] = {}  # nodes whose published rating stands in for the rule: why
    for prog in compiled.order:
        node = prog.node
        ctx.owner = node
        traced = explain or node.id == OVERALL  # ratings only still give the overall score
        ctx.trace = [] if traced else None
        value = prog.fn(ctx)
        if traced:
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
        if node.id in bound.incomplete:  # beneath a published rating, with a gap beneath it: not rated
            value, traces[node.id] = NotRated(bound.incomplete[node.id]), []
            applied = [a for a in applied if a.node_id != node.id]
        if node.id in bound.published:
            value = published.decide(node, value, bound, stood)
            if node.id in stood:  # not the rule's doing: no trace, no limit
                traces[node.id] = []
                applied = [a for a in applied if a.node_id != node.id]
                limit_refs.pop(node.id, None)
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


def _plural(nodes: list[Node] | tuple[Node, ...], fw: Framework) -> str:
    tiers = {n.tier.id for n in nodes if n.tier is not None}
    if len(tiers) == 1:
        tier = nodes[0].tier
        return tier.plural or tier.label.lower() + "s"
    return "nodes"


def _fmt(x: Fraction | int | None, unit: str = "") -> str:
    if x is None:
        return "-"
    if type(x) is not int:
        x = Fraction(x)
        x = x.numerator if x.denominator == 1 else x
    text = str(x) if type(x) is int else float_text(x, ".1f")
    return text + ("%" if unit == "percent" else "")


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
            clauses.append(f"the {which} rating of its {_plural(e.nodes, fw)}: {chosen} "
                           f"{'is' if len(e.chosen) == 1 else 'are'} {e.level.label}")
        elif kind is SumEvent:
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
        value = ratings.get(node_id)
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
            unit = "answers" if res.pooled else "cases"
            table = prog.share_table
            if table is not None and res.table is table:
                up, down = _remembered(table, ("cases", m.yes, m.of, current.index),
                                       lambda: _margin_share(table, m.yes, m.of, current))
                return Margin(up and MarginStep(up[0], more_yes=up[1], unit=unit),
                              down and MarginStep(down[0], fewer_yes=down[1], unit=unit))
            if m.of > budget[0]:  # each step is a what-if evaluation: bound the work of one evaluate()
                budget[1] += 1
                return None
            margin, budget[0] = _margin_cases(prog, ctx, m, current, unit), budget[0] - m.of
            return margin
        if m.percent is not None and res.table is not None:
            return _margin_points(res.table, m.percent, current)
    if res.table is not None and res.value is not None:
        return _margin_points(res.table, res.value, current)
    if res.decided_by and prog.node.rule is not None and not prog.node.is_judged:
        return _margin_children(res, results)
    return None


def _margin_cases(prog: Program, ctx: Context, m: Measure, current: Level, unit: str) -> Margin:
    """The fewest more (or fewer) sufficient cases that change the rating, by bisection:
    a rating rises with the share of sufficient cases (the checks warn of tables where it would not)."""
    margin = Margin()

    def level_with(yes: int):
        lv = _rerun(prog, ctx, Measure(yes, m.of, None))
        return lv if isinstance(lv, Level) else None

    top = level_with(m.of)
    if top is not None and top.index > current.index:
        k = _first_true(lambda k: (lv := level_with(m.yes + k)) is not None and lv.index > current.index,
                        1, m.of - m.yes)
        margin.up = MarginStep(level_with(m.yes + k), more_yes=k, unit=unit)
    bottom = level_with(0)
    if bottom is not None and bottom.index < current.index:
        k = _first_true(lambda k: (lv := level_with(m.yes - k)) is not None and lv.index < current.index,
                        1, m.yes)
        margin.down = MarginStep(level_with(m.yes - k), fewer_yes=k, unit=unit)
    return margin


def _remembered(table: BandTable, key: tuple, work):
    """A margin already worked out on this table for the same figures, or ``work()`` (kept for next time).

    Margins depend only on the table and the figures, and the same few
    figures come up again and again across key questions and inspections.
    What is kept is plain tuples of levels and numbers; each result gets
    margin objects of its own.
    """
    memo = table.__dict__.get("_margins")
    if memo is None:
        memo = table.__dict__["_margins"] = {}
    found = memo.get(key)
    if found is None:
        if len(memo) >= 10_000:
            memo.clear()
        found = memo[key] = work()
    return found


def _margin_share(table: BandTable, yes: int, of: int, current: Level) -> tuple:
    """The same as :func:`_margin_cases` for a rule that is exactly ``band(share(), table)``, from the table:
    ``(up, down)``, each None or (the level reached, how many more or fewer sufficient cases).

    Rounding moves a percentage by less than one rounding step, so the
    number of sufficient cases that reaches a band's edge lies within a step
    of the edge: the search runs over those few counts, not over every count.
    """
    rounding, lookup = table.rounding, table.lookup
    scale = 10 ** rounding.places if rounding.places is not None else None

    def level_at(y: int) -> Level | None:
        band = lookup(rounding.ratio(100 * y, of))
        return band.level if band is not None else None

    def near(edge: Fraction, lo: int, hi: int) -> tuple[int, int]:
        """The counts whose share lies within a rounding step of ``edge`` (in whole numbers), kept within lo..hi."""
        n, d = edge.numerator, edge.denominator
        if scale is None:  # no rounding: the count at the edge itself
            low = high = n * of, d * 100
        else:  # (edge -/+ 1/scale) * of / 100
            low, high = ((n * scale - d) * of, d * scale * 100), ((n * scale + d) * of, d * scale * 100)
        return max(lo, low[0] // low[1]), min(hi, -(-high[0] // high[1]))

    up_step = down_step = None
    rises = [b.min for b in table.bands if b.level.index > current.index and b.min is not None]
    if rises and yes < of:
        a, b = near(min(rises), yes + 1, of)
        up = lambda y: (lv := level_at(y)) is not None and lv.index > current.index  # noqa: E731
        if a <= b and up(b) and (a == yes + 1 or not up(a - 1)):
            y = _first_true(up, a, b)
        else:  # a table whose levels do not rise with the share: look at every count
            y = yes + _first_true(lambda k: up(yes + k), 1, of - yes) if up(of) else None
        if y is not None:
            up_step = (level_at(y), y - yes)
    falls = [b.upper for b in table.bands if b.level.index < current.index and b.upper is not None]
    if falls and yes > 0:
        a, b = near(max(falls), 0, yes - 1)
        down = lambda k: (lv := level_at(yes - k)) is not None and lv.index < current.index  # noqa: E731
        if a <= b and down(yes - a) and (b == yes - 1 or not down(yes - b - 1)):
            k = _first_true(down, yes - b, yes - a)
        else:
            k = _first_true(down, 1, yes) if down(yes) else None
        if k is not None:
            down_step = (level_at(yes - k), k)
    return up_step, down_step


def _first_true(ok, lo: int, hi: int) -> int:
    """The smallest k in [lo, hi] with ok(k), given ok(hi)."""
    while lo < hi:
        mid = (lo + hi) // 2
        if ok(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


def _margin_points(table: BandTable, value: Fraction | int, current: Level) -> Margin:
    """Points to the nearest band above and below (after the table's rounding)."""
    up, down = _remembered(table, ("points", value, current.index), lambda: _points(table, value, current))
    return Margin(up and MarginStep(up[0], points=up[1]), down and MarginStep(down[0], points=down[1]))


def _points(table: BandTable, value: Fraction | int, current: Level) -> tuple:
    step = table.rounding.step or (1 if value.denominator == 1 else None)
    here = current.index
    up = down = None
    for b in table.bands:
        index = b.level.index
        if index > here:
            if b.min is not None and b.min > value and (up is None or b.min < up.min):
                up = b
        elif index < here:
            hi = b.max if b.max is not None else (b.below - step if b.below is not None and step is not None
                                                  else b.below)
            if hi is not None and hi < value and (down is None or hi > down[0]):
                down = (hi, b)
    return (None if up is None else (up.level, up.min - value),
            None if down is None else (down[1].level, value - down[0]))


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
