"""Margins: the smallest real change of a node's input that moves its final rating.

A margin is advice, so it must be true. Every step stated here is the
rating the node would really get, after its rule, the table's rounding and
every limit on the node: the rule (or the band of its value) and the limits
are run again on the changed input, never read off a band table alone. The
change is one that can happen: whole cases (or answers) of a share of
cases, whole points of a sum of scores, whole levels of the children a mean
is taken over; a published percentage moves by its own last decimal place.

Where a limit holds the rating below the next level whatever the input, the
margin says so (:class:`~bandstand.engine.result.Blocked`) instead of giving
advice that would not work.

How each input is changed:

- a share counted from cases (``share()``, ``pooled_share``): more or
  fewer sufficient cases (answers); the rule is run on the new counts;
- a published percentage: more or fewer points; the rule is run on them;
- the number a rule bands (``band(sum_scores(...), t)``,
  ``band(mean_score(...), t)``, any ``band(x, t)``): the number moved along
  the values it can take, rounded and banded as the table does, then
  limited;
- the children that decide the node (``lowest(children)``): changed as their
  own margins say; the rule and limits are run on their new ratings.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Callable

from ..dsl import ast
from ..dsl.model import BandTable, Framework, Level, Limit, Node
from .compile import Context, Step
from .evidence import Measure
from .result import Blocked, Margin, MarginStep, NodeResult, margin_of, margin_step

#: what-if evaluations one evaluate() may spend on margins in cases
MARGIN_RERUNS = 1_000_000

_MISSING = object()  # (no raw value given)


# -- what-ifs: a node's final rating on a changed input ------------------------------------


def limited(prog: Step, ctx: Context, value) -> tuple[object, Limit | None]:
    """``value`` after the node's limits, applied as :func:`~bandstand.evaluate` applies them, and the last
    limit that changed it."""
    by = None
    for step in prog.limits:
        if not isinstance(value, Level):
            break
        lim = step.limit
        if step.cond(ctx) is not True:
            continue
        new = lim.bound(value)
        if new is not value:
            value, by = new, lim
    return value, by


def what_if(prog: Step, ctx: Context, *, measure: Measure | None = None,
            ratings: dict[str, Level] | None = None, raw=_MISSING) -> tuple:
    """``(final level, level before the limits, the limit that changed it)`` of the node, its rule run again
    with its own measure replaced by ``measure`` and other nodes' ratings by ``ratings`` (or its rule's
    value given as ``raw``). Levels are None where not rated. The context is left as it was found."""
    slot, index, now = prog.slot, ctx.plan.index, ctx.ratings
    saved = {}
    for k, v in (ratings or {}).items():
        i = index[k]
        saved[i] = now[i]
        now[i] = v
    own, now[slot] = now[slot], None  # while its rule and limits run, a node has no rating yet
    ctx.owner, ctx.override, ctx.trace = prog.node, measure, None
    try:
        value = prog.fn(ctx) if raw is _MISSING else raw
        final, by = limited(prog, ctx, value)
    finally:
        ctx.override = None
        for i, v in saved.items():
            now[i] = v
        now[slot] = own
    return (final if isinstance(final, Level) else None, value if isinstance(value, Level) else None, by)


def _holding(prog: Step, ctx: Context) -> tuple[Limit, ...]:
    """The node's limits whose conditions hold, as :func:`what_if` would find them on any value its rule gave
    (a condition reads other nodes, never the value it limits)."""
    slot, now = prog.slot, ctx.ratings
    own, now[slot] = now[slot], None  # while its limits run, a node has no rating yet
    ctx.owner, ctx.override, ctx.trace = prog.node, None, None
    try:
        return tuple(step.limit for step in prog.limits if step.cond(ctx) is True)
    finally:
        now[slot] = own


def _first_true(ok, lo: int, hi: int) -> int:
    """The smallest k in [lo, hi] with ok(k), given ok(hi) (ok rises with k)."""
    while lo < hi:
        mid = (lo + hi) // 2
        if ok(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


def search(current: Level, room_up: int, room_down: int, at: Callable[[int], tuple]) -> tuple:
    """The fewest steps up (1..room_up) and down (1..room_down) that move the final rating.

    ``at(k)`` is ``(final, before limits, limit)`` after k steps (k < 0: down). Ratings rise with
    the input (the checks warn of band tables where they would not). Returns (up, down, blocked up,
    blocked down): up and down as (level, steps), blocked as (level, limit) where a limit holds the
    rating however far the input moves while the rule alone would move it.
    """
    here = current.index
    up = down = blocked_up = blocked_down = None
    memo: dict[int, tuple] = {}

    def get(k):
        found = memo.get(k)
        if found is None:
            found = memo[k] = at(k)
        return found

    def above(lv):
        return lv is not None and lv.index > here

    def below(lv):
        return lv is not None and lv.index < here

    if room_up >= 0:
        top = get(room_up)
        if room_up >= 1 and above(top[0]):
            k = _first_true(lambda k: above(get(k)[0]), 1, room_up)
            up = (get(k)[0], k)
        elif above(top[1]):
            k = _first_true(lambda k: above(get(k)[1]), 0, room_up)
            lim = get(k)[2] or top[2]
            if lim is not None:
                blocked_up = (get(k)[1], lim)
    if room_down >= 0:
        bottom = get(-room_down)
        if room_down >= 1 and below(bottom[0]):
            k = _first_true(lambda k: below(get(-k)[0]), 1, room_down)
            down = (get(-k)[0], k)
        elif below(bottom[1]):
            k = _first_true(lambda k: below(get(-k)[1]), 0, room_down)
            lim = get(-k)[2] or bottom[2]
            if lim is not None:
                blocked_down = (get(-k)[1], lim)
    return up, down, blocked_up, blocked_down


# -- the margin of one node -------------------------------------------------------------------


def margin(prog: Step, ctx: Context, res: NodeResult, results: dict[str, NodeResult],
           budget: list[int]) -> Margin | None:
    fw = ctx.plan.framework
    memo = ctx.plan.margin_memo
    current = res.level
    assert current is not None  # evaluate asks the margins of rated nodes only
    m = res.measure
    if prog.own_share and m is not None:
        if m.of is not None and m.yes is not None and m.percent is None:  # (yes and of are given together)
            unit = "answers" if res.pooled else "cases"
            table = prog.share_table
            if table is not None and res.table is table and not prog.limits:
                up, down = _remembered(memo, (table.id, "cases", m.yes, m.of, current.index),
                                       lambda: margin_share(table, m.yes, m.of, current))
                return margin_of(up and margin_step(up[0], more_yes=up[1], unit=unit),
                                 down and margin_step(down[0], fewer_yes=down[1], unit=unit))
            cost = 2 * (m.of.bit_length() + 2)
            if cost > budget[0]:  # each step is a what-if evaluation: bound the work of one evaluate()
                budget[1] += 1
                return None
            budget[0] -= cost
            yes = m.yes  # (a name, so that the lambda below reads it as an int)
            found = search(current, m.of - yes, yes,
                           lambda k: what_if(prog, ctx, measure=Measure(yes + k, m.of, None)))
            return _margin_of(prog, fw, found, lambda s: margin_step(s[0], more_yes=s[1], unit=unit),
                              lambda s: margin_step(s[0], fewer_yes=s[1], unit=unit))
        if m.percent is not None:
            v, table = m.percent, prog.share_table
            if table is not None and res.table is table and not prog.limits:  # the table alone decides
                up, down, empty = _remembered(memo, (table.id, "percent", v, current.index),
                                              lambda: _percent_from_table(table, v, current))
                if empty:
                    return None
                return margin_of(up and margin_step(up[0], points=up[1]),
                                 down and margin_step(down[0], points=down[1]))
            step = resolution(v, res.table)
            found = search(current, math.floor((100 - v) / step), math.floor(v / step),
                           lambda k: what_if(prog, ctx, measure=Measure(None, None, v + k * step)))
            return _margin_of(prog, fw, found, lambda s: margin_step(s[0], points=s[1] * step),
                              lambda s: margin_step(s[0], points=s[1] * step))
    if prog.banded is not None and res.table is prog.banded[0] and res.value is not None:
        return _margin_banded(prog, ctx, res, fw)
    if res.decided_by and prog.node.rule is not None and not prog.node.is_judged:
        return _margin_children(prog, ctx, res, results, fw)
    return None


def _percent_from_table(table: BandTable, v: Fraction | int, current: Level) -> tuple:
    """The margin of a published percentage under ``band(share(), table)`` with no limit, in points."""
    step = resolution(v, table)

    def band_at(k: int):
        band = table.lookup(table.rounding.apply(v + k * step))
        return band.level if band is not None else None
    up, down, _, _ = search(current, math.floor((100 - v) / step), math.floor(v / step),
                            lambda k: (band_at(k), band_at(k), None))
    # ((level, points) up, the same down, whether there is no margin): no limit, so nothing is blocked
    return up and (up[0], up[1] * step), down and (down[0], down[1] * step), not (up or down)


def _margin_of(prog: Step, fw: Framework, found: tuple, up_step, down_step) -> Margin | None:
    up, down, blocked_up, blocked_down = found
    out = margin_of(up and up_step(up), down and down_step(down),
                    blocked_up and _blocked(fw, *blocked_up), blocked_down and _blocked(fw, *blocked_down))
    return out if (out.up or out.down or out.blocked_up or out.blocked_down) else None


def _blocked(fw: Framework, level: Level, lim: Limit) -> Blocked:
    return Blocked(level, lim.id, condition_text(lim, fw))


def condition_text(lim: Limit, fw: Framework) -> str:
    """'4.1 is Inadequate' for ``rating("4.1") == inadequate``; otherwise 'the condition' as written."""
    e = lim.when.expr
    if (isinstance(e, ast.Compare) and e.op in ("==", "!=") and isinstance(e.left, ast.Call)
            and e.left.func == "rating" and len(e.left.args) == 1 and isinstance(e.left.args[0], ast.String)
            and isinstance(e.right, ast.Name)):
        node = fw.nodes.get(e.left.args[0].value)
        level = node.scale.level(e.right.parts[-1]) if node is not None and node.scale is not None else None
        if node is not None and level is not None:
            return f"{node.id} is {'not ' if e.op == '!=' else ''}{level.label}"
    return "'" + " ".join(lim.when.text.split()) + "' holds"


def resolution(v: Fraction | int, table: BandTable | None) -> Fraction:
    """The step a published figure moves by: its own last decimal place, or the table's rounding if that
    is finer; at most 4 places (a figure with more moves by 0.0001). A whole percentage moves by whole
    points, as published figures do."""
    places = table.rounding.places if table is not None and table.rounding.places is not None else 0
    v = Fraction(v)
    d = 0
    while d < 4 and (v * 10 ** d).denominator != 1:
        d += 1
    return Fraction(1, 10 ** min(4, max(places, d)))


def fine_step(table: BandTable) -> Fraction:
    """The step a number worked out by a rule moves by: 0.0001 (as results show numbers), or two places
    finer than the table rounds where that is finer still."""
    places = table.rounding.places if table.rounding.places is not None else 0
    return Fraction(1, 10 ** max(4, places + 2))


# -- a number banded by the node's rule ----------------------------------------------------


def _score_step(scales) -> tuple[Fraction | None, bool]:
    """The step a total of scores on these scales moves by (the greatest common divisor of the gaps between
    scores), and whether every level is that step above the one below it."""
    gaps = [g for found in scales for g in found[2] if g]
    if not gaps:
        return None, False
    den = math.lcm(*(d.denominator for d in gaps))
    g = Fraction(math.gcd(*(int(d * den) for d in gaps)), den)
    return g, all(d == g for d in gaps)


def _margin_banded(prog: Step, ctx: Context, res: NodeResult, fw: Framework) -> Margin | None:
    # margin() calls this for a rated banded node only, which has the number it banded
    assert prog.banded is not None and res.level is not None and res.value is not None
    table, kind, members = prog.banded
    v, current, plan = res.value, res.level, ctx.plan
    scored: list[Node] = []
    if kind in ("sum", "mean"):
        ratings, index = ctx.ratings, plan.index
        scored = [n for n in members if isinstance(lv := ratings[index[n.id]], Level) and lv.score is not None]
    key = tuple(id(n.scale) for n in scored)
    # the limits that hold do not depend on the number banded: found once, then applied
    holding = _holding(prog, ctx) if prog.limits else ()
    # what follows depends only on the table, the scales of the scores summed, the number, the level and the
    # limits that hold: worked out once for them (a whole number keyed as it is, another by its numerator and
    # denominator: a Fraction hashes and compares in Python)
    found = _remembered(plan.margin_memo, (table.id, "banded", kind, key, v if type(v) is int else
                                           (v.numerator, v.denominator), current.index,
                                           tuple(lim.id for lim in holding)),
                        lambda: _banded(plan, table, kind, key, v, current, holding))
    if found is None:
        return None
    up, down, blocked_up, blocked_down, levels = found
    among = _among(prog.node, members, scored) if levels else None

    def make(s):  # s: (level, steps, points)
        if levels:
            return margin_step(s[0], points=s[2], levels=s[1], among=among)
        return margin_step(s[0], points=s[2])
    return _margin_of(prog, fw, (up, down, blocked_up, blocked_down), make, make)


def _banded(plan, table: BandTable, kind: str, key: tuple, v, current: Level, holding: tuple) -> tuple | None:
    """(up, down, blocked up, blocked down, whether steps are whole levels) of a number ``v`` banded by
    ``table``: up and down as (level, steps, points), blocked as (level, limit); None when the number cannot
    move (no scores). ``key``: the scales (by id) of the scores summed or averaged, in order."""
    rounding, lookup = table.rounding, table.lookup
    levels = False
    if kind in ("sum", "mean"):
        scale_scores = plan.scale_scores
        found = plan.score_steps.get(key)
        if found is None:  # (two threads may both work it out: either serves)
            if len(plan.score_steps) >= 10_000:
                plan.score_steps.clear()
            found = plan.score_steps[key] = (
                *_score_step([scale_scores[k] for k in dict.fromkeys(key)]),
                # a scored node's scale has scores, so none of these is None
                sum(scale_scores[k][0] for k in key), sum(scale_scores[k][1] for k in key))  # type: ignore[index]
        step, uniform, lo, hi = found
        if step is None:
            return None
        if kind == "mean":
            step, lo, hi = step / len(key), lo / len(key), hi / len(key)
            levels = uniform
    else:
        step = fine_step(table)
        ends = [b.min for b in table.bands if b.min is not None]
        for b in table.bands:  # each band's upper end
            if b.max is not None:
                ends.append(b.max)
            elif b.below is not None:
                ends.append(b.below - step)
        lo, hi = (Fraction(0), Fraction(100)) if table.unit == "percent" else (min(ends + [v]), max(ends + [v]))

    def band_at(k: int):
        band = lookup(rounding.apply(Fraction(v + k * step)))
        return band.level if band is not None else None

    def at(k: int) -> tuple:
        raw = final = band_at(k)
        by = None
        if raw is not None:
            for lim in holding:
                new = lim.bound(final)
                if new is not final:
                    final, by = new, lim
        return final, raw, by

    room_up, room_down = math.floor((hi - v) / step), math.floor((v - lo) / step)
    up, down, blocked_up, blocked_down = search(current, room_up, room_down, at)
    return (up and (up[0], up[1], up[1] * step), down and (down[0], down[1], down[1] * step), blocked_up,
            blocked_down, levels)


def _among(node: Node, members: tuple[Node, ...], scored: list[Node]) -> str:
    """'its 3 key questions', 'its 2 rated standards'."""
    tiers = {n.tier.id for n in members if n.tier is not None}
    if len(tiers) == 1 and members[0].tier is not None:
        tier = members[0].tier
        plural = tier.plural or tier.label.lower() + "s"
        singular = tier.label.lower()
    else:
        plural, singular = "nodes", "node"
    rated = " rated" if len(scored) < len(members) else ""
    if len(scored) == 1:
        return f"its{rated} {singular} {scored[0].id}"
    return f"its {len(scored)}{rated} {plural}"


# -- a node decided by its children ------------------------------------------------------------


def _margin_children(prog: Step, ctx: Context, res: NodeResult, results: dict[str, NodeResult],
                     fw: Framework) -> Margin | None:
    """A node rated the lowest of its children rises when every child at that level rises, and falls when
    any child falls below it; each change is tried on the rule and limits before it is stated."""
    out = margin_of()
    current = res.level
    assert current is not None  # margin() calls this for a rated node only
    needs: dict[str, MarginStep] | None  # None: a child that decides it cannot rise
    needs = {}
    for child_id in res.decided_by:
        child = results.get(child_id)
        if child is None or child.margin is None or child.margin.up is None:
            needs = None
            break
        needs[child_id] = child.margin.up
    if needs:
        final, raw, lim = what_if(prog, ctx, ratings={c: s.level for c, s in needs.items()})
        if final is not None and final.index > current.index:
            out.up = margin_step(final, needs=needs)
        elif raw is not None and raw.index > current.index and lim is not None:
            out.blocked_up = _blocked(fw, raw, lim)
    elif current.index < len(current_levels(prog)) - 1:
        final, raw, lim = what_if(prog, ctx)
        if raw is not None and raw.index > current.index and lim is not None:
            out.blocked_up = _blocked(fw, raw, lim)
    downs = []
    for child_id in res.children:
        child = results.get(child_id)
        if child is None or child.level is None or child.margin is None or child.margin.down is None:
            continue
        step = child.margin.down
        size = step.fewer_yes if step.fewer_yes is not None else step.points
        downs.append((size is None, size or 0, child_id, step))
    for _, _, child_id, step in sorted(downs, key=lambda d: d[:2]):
        final, raw, lim = what_if(prog, ctx, ratings={child_id: step.level})
        if final is not None and final.index < current.index:
            out.down = margin_step(final, needs={child_id: step})
            break
        if raw is not None and raw.index < current.index and lim is not None and out.blocked_down is None:
            out.blocked_down = _blocked(fw, raw, lim)
    if out.down is not None:
        out.blocked_down = None
    return out if (out.up or out.down or out.blocked_up or out.blocked_down) else None


def current_levels(prog: Step) -> tuple[Level, ...]:
    return prog.node.scale.levels if prog.node.scale is not None else ()


# -- from the table alone: a rule that is exactly band(share(), table), without limits ----------------


def _remembered(memo: dict, key: tuple, work):
    """A margin already worked out on this table for the same figures, or ``work()`` (kept for next time, in
    the compiled framework's memo, keyed by the table's id first).

    Margins depend only on the table and the figures, and the same few
    figures come up again and again across key questions and inspections.
    What is kept is plain tuples of levels and numbers; each result gets
    margin objects of its own.
    """
    found = memo.get(key)
    if found is None:
        if len(memo) >= 10_000:
            memo.clear()
        found = memo[key] = work()
    return found


def margin_share(table: BandTable, yes: int, of: int, current: Level) -> tuple:
    """The margin in cases of a rule that is exactly ``band(share(), table)`` with no limit, from the table:
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

    def near(edge: Fraction | int, lo: int, hi: int) -> tuple[int, int]:
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
            y: int | None = _first_true(up, a, b)
        else:  # a table whose levels do not rise with the share: look at every count
            y = yes + _first_true(lambda k: up(yes + k), 1, of - yes) if up(of) else None
        if y is not None:
            up_step = (level_at(y), y - yes)
    falls = [b.upper for b in table.bands if b.level.index < current.index and b.upper is not None]
    if falls and yes > 0:
        a, b = near(max(falls), 0, yes - 1)
        down = lambda k: (lv := level_at(yes - k)) is not None and lv.index < current.index  # noqa: E731
        if a <= b and down(yes - a) and (b == yes - 1 or not down(yes - b - 1)):
            k: int | None = _first_true(down, yes - b, yes - a)
        else:
            k = _first_true(down, 1, yes) if down(yes) else None
        if k is not None:
            down_step = (level_at(yes - k), k)
    return up_step, down_step
