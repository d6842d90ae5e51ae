"""Ratings only, fast: a framework's rules as a flat plan over level numbers.

Most frameworks are built from a handful of rule shapes: a key question
banded on its share of cases, a standard that takes the lowest of its key
questions, a judgement, a total of scores banded, a limit that caps a
rating when another node has a given rating. :class:`Plan` recognises those
shapes in the compiled rules and turns each into one step over a list of
level numbers (lowest level = 0, not rated = -1), with the band tables
turned into lookup lists. Nothing is re-resolved or re-parsed per
inspection, nothing is explained, and no result objects are built: it is
the engine's batch mode (:meth:`CompiledFramework.plan`).

A framework with a rule of another shape has no plan (:func:`make_plan`
returns None); batch work then uses the general interpreter without
explanations, which gives the same ratings, more slowly.

>>> from bandstand import Catalogue, compile_framework
>>> plan = compile_framework(Catalogue().resolve("hmip-youth@2018")).plan()
>>> r = plan.rate({"2.1.1": 17, "2.1.2": 50}, {"1.1": "good"})  # doctest: +SKIP
"""

from __future__ import annotations

import operator
from fractions import Fraction
from typing import Callable, Iterable, Mapping, Sequence

from ..dsl import ast
from ..dsl.model import OVERALL, BandTable, Framework, Level, Node, normalise

NOT_RATED = -1


def _band_lookup(table: BandTable, lo: int, hi: int) -> list[int] | None:
    """A list giving the level index for each whole number lo..hi (after the table's rounding), or None."""
    if table.rounding.places not in (0, None):
        return None
    out = []
    for x in range(lo, hi + 1):
        band = table.lookup(Fraction(x))
        out.append(band.level.index if band is not None else NOT_RATED)
    return out


class Plan:
    """Steps over a list of level numbers: the shares first, then the judgements, then the rules."""

    def __init__(self, framework: Framework, shares: list[tuple], judged: list[tuple], steps: list[tuple],
                 computed: list[Node]):
        self.framework = framework
        order = [n for _, n, _, _ in shares] + [n for n, _ in judged] + [n.id for n in computed]
        self.slots = {node_id: i for i, node_id in enumerate(order)}  # node id -> slot
        self.ids = order
        nodes = framework.nodes
        self._levels = [list(nodes[i].scale.levels) for i in order]
        self._share_ids = tuple(node_id for _, node_id, _, _ in shares)
        self._lookups = tuple(lookup for _, _, lookup, _ in shares)
        self._roundings = tuple(rounding for _, _, _, rounding in shares)
        self._share_getter = _getter(self._share_ids)
        self._judged = tuple(judged)  # (node id, {name: level index})
        self._rest = [NOT_RATED] * len(computed)
        self._steps = tuple(_resolve_step(step, self.slots) for step in steps)

    # -- inputs -----------------------------------------------------------------------------

    def rate(self, figures: Mapping[str, object], judgements: Mapping[str, str]) -> "Ratings":
        """Ratings from published figures and judgements.

        ``figures`` maps a node id to a percentage or a ``(yes, of)`` pair;
        ``judgements`` maps a judged node id to a level id, label or alias.
        Inputs are trusted: check untrusted evidence with :func:`bandstand.bind` first.
        """
        try:  # the usual case: every figure a whole percentage
            vals = [lookup[f] for lookup, f in zip(self._lookups, self._share_getter(figures))]
        except (KeyError, TypeError, IndexError):
            vals = self._shares(figures)
        return self._finish(vals, judgements)

    def _shares(self, figures: Mapping[str, object]) -> list[int]:
        vals = []
        for node_id, lookup, rounding in zip(self._share_ids, self._lookups, self._roundings):
            f = figures.get(node_id)
            if f is None:
                vals.append(NOT_RATED)
                continue
            if f.__class__ is tuple:
                yes, of = f
                if not of:
                    vals.append(NOT_RATED)
                    continue
                f = (200 * yes + of) // (2 * of)  # whole percentage, halves up, exactly
            elif f.__class__ is not int:
                f = int(rounding.apply(Fraction(str(f))))
            vals.append(lookup[f])
        return vals

    def rate_cases(self, cases: Iterable[tuple[str, Mapping[str, bool | None]]],
                   judgements: Mapping[str, str]) -> "Ratings":
        """Ratings from case answers: ``(part, {node id: True | False | None})`` per case."""
        yes: dict[str, int] = {}
        of: dict[str, int] = {}
        for _part, answers in cases:
            for node_id, a in answers.items():
                if a is not None:
                    of[node_id] = of.get(node_id, 0) + 1
                    if a:
                        yes[node_id] = yes.get(node_id, 0) + 1
        return self.rate_counts([(yes.get(k, 0), of.get(k, 0)) for k in self._share_ids], judgements)

    def rate_counts(self, counts: Sequence[tuple[int, int]], judgements: Mapping[str, str]) -> "Ratings":
        """Ratings from ``(yes, of)`` counts listed in the order of :attr:`share_ids` (the fastest input)."""
        vals = [lookup[(200 * yes + of) // (2 * of)] if of else NOT_RATED
                for lookup, (yes, of) in zip(self._lookups, counts)]
        return self._finish(vals, judgements)

    @property
    def share_ids(self) -> list[str]:
        """The nodes banded on a share of cases, in the order :meth:`rate_counts` takes them."""
        return list(self._share_ids)

    def _finish(self, vals: list[int], judgements: Mapping[str, str]) -> "Ratings":
        for node_id, names in self._judged:
            j = judgements.get(node_id)
            if j is None:
                vals.append(NOT_RATED)
            else:
                v = names.get(j)
                vals.append(v if v is not None else names.get(normalise(j), NOT_RATED))
        vals.extend(self._rest)
        for step in self._steps:
            kind = step[0]
            if kind == 0:  # lowest (or highest) of the rated members
                _, slot, get, pick = step
                got = get(vals)
                v = pick(got)
                if v < 0 or min(got) < 0:  # some member not rated: choose among the rated
                    rated = [x for x in got if x >= 0]
                    v = pick(rated) if rated else NOT_RATED
                vals[slot] = v
            elif kind == 1:  # a total of scores, banded
                _, slot, get, scores, lookup, lo = step
                got = get(vals)
                if min(got) < 0:
                    vals[slot] = NOT_RATED
                else:
                    total = sum(got) if scores is None else sum(map(tuple.__getitem__, scores, got))
                    vals[slot] = lookup[total - lo]
            else:  # a limit: when another slot has a level, cap or floor this one
                _, slot, other, when, bound, at_most = step
                v = vals[slot]
                if v >= 0 and vals[other] == when and (v > bound if at_most else v < bound):
                    vals[slot] = bound
        return Ratings(self, vals)


def _getter(slots_or_keys: Sequence) -> "Callable":
    """A function giving a tuple of the items at the keys (itemgetter, also for one key)."""
    if len(slots_or_keys) == 1:
        key = slots_or_keys[0]
        return lambda seq: (seq[key],)
    return operator.itemgetter(*slots_or_keys)


def _resolve_step(step: tuple, slots: dict[str, int]) -> tuple:
    kind = step[0]
    if kind == 0:
        _, node_id, members, pick = step
        return (0, slots[node_id], _getter([slots[m] for m in members]), pick)
    if kind == 1:
        _, node_id, members, scores, lookup, lo = step
        identity = all(s == tuple(range(len(s))) for s in scores)  # score = level number: add them directly
        return (1, slots[node_id], _getter([slots[m] for m in members]), None if identity else tuple(scores),
                lookup, lo)
    _, node_id, other, when, bound, at_most = step
    return (2, slots[node_id], slots[other], when, bound, at_most)


class Ratings:
    """The ratings of one inspection, as level ids (None: not rated)."""

    __slots__ = ("_plan", "_vals")

    def __init__(self, plan: Plan, vals: list[int]):
        self._plan, self._vals = plan, vals

    def level(self, node_id: str) -> Level | None:
        slot = self._plan.slots[node_id]
        v = self._vals[slot]
        return self._plan._levels[slot][v] if v >= 0 else None

    def __getitem__(self, node_id: str) -> str | None:
        lv = self.level(node_id)
        return lv.id if lv is not None else None

    @property
    def overall(self) -> str | None:
        return self[OVERALL] if OVERALL in self._plan.slots else None

    def as_dict(self) -> dict[str, str | None]:
        levels = self._plan._levels
        return {node_id: (levels[i][v].id if v >= 0 else None)
                for node_id, i, v in zip(self._plan.ids, range(len(self._vals)), self._vals)}


# -- recognising rule shapes -------------------------------------------------------------------


def _call(e: ast.Expr, func: str, nargs: int) -> bool:
    return isinstance(e, ast.Call) and e.func == func and len(e.args) == nargs


def make_plan(compiled) -> Plan | None:
    """The plan of a compiled framework, or None when a rule has a shape the plan does not know."""
    from ..dsl.checks import Site, resolve_nodes

    fw: Framework = compiled.framework
    steps: list[tuple] = []
    shares: list[tuple] = []
    judged: list[tuple] = []
    computed: list[Node] = []
    for prog in compiled.order:
        node: Node = prog.node
        if node.is_judged:
            names = {}
            for lv in node.scale.levels:
                for name in (lv.id, lv.label, *lv.aliases):
                    names[name] = names[normalise(name)] = lv.index
            judged.append((node.id, names))
        else:
            e = node.rule.expr
            if _call(e, "band", 2) and _call(e.args[0], "share", 0):
                table = fw.bands[e.args[1].text]
                if table.rounding.places != 0 or table.rounding.mode != "half_up":
                    return None  # the integer arithmetic of the plan is whole percentages, halves up
                shares.append((None, node.id, _band_lookup(table, 0, 100), table.rounding))
            elif _call(e, "lowest", 1) or _call(e, "highest", 1):
                site = Site(node.rule, node, "rule", node.id)
                members = [m.id for m in resolve_nodes(e.args[0], site, fw)]
                steps.append((0, node.id, members, min if e.func == "lowest" else max))
                computed.append(node)
            elif _call(e, "band", 2) and _call(e.args[0], "sum_scores", 1):
                site = Site(node.rule, node, "rule", node.id)
                members = resolve_nodes(e.args[0].args[0], site, fw)
                table = fw.bands[e.args[1].text]
                scores = []
                for m in members:
                    s = [lv.score for lv in m.scale.levels]
                    if any(x is None or x.denominator != 1 or x < 0 for x in s):
                        return None
                    scores.append(tuple(int(x) for x in s))
                lo, hi = sum(min(s) for s in scores), sum(max(s) for s in scores)
                lookup = _band_lookup(table, lo, hi)
                if lookup is None:
                    return None
                steps.append((1, node.id, [m.id for m in members], scores, lookup, lo))
                computed.append(node)
            else:
                return None
        for lim, _fn in prog.limits:
            w = lim.when.expr
            if not (isinstance(w, ast.Compare) and w.op == "==" and _call(w.left, "rating", 1)
                    and isinstance(w.left.args[0], ast.String) and isinstance(w.right, ast.Name)):
                return None
            other = fw.nodes[w.left.args[0].value]
            level = other.scale.level(w.right.parts[-1])
            if level is None or not other.rated:
                return None
            bound = lim.at_most or lim.at_least
            steps.append((2, node.id, other.id, level.index, bound.index, lim.at_most is not None))
    return Plan(fw, shares, judged, steps, computed)
