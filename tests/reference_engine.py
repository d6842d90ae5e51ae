"""A straightforward evaluator: the test oracle for the engine (tests/test_one_engine.py).

It knows the rule shapes the bundled frameworks use — ``band(share(), t)``,
``band(pooled_share(children), t)``, ``lowest(children)``,
``band(sum_scores(counted), t)``, judged nodes and limits of the form
``rating("x") == level`` — and works each node out by recursion over the
framework model and the evidence's figures, with its own rounding, band
lookup and arithmetic. It shares no code with ``bandstand.engine``: only the
model (the loaded framework) and the number formatting results use.

Margins are worked out by brute force: every whole case (or answer, or step
of a published figure's last decimal place) is tried in turn, the node's
rule and limits run again each time, and the first that moves the final
rating is the margin.
"""

from __future__ import annotations

import math
from fractions import Fraction

from bandstand.dsl import ast
from bandstand.dsl.ast import float_text
from bandstand.dsl.model import OVERALL, Framework, Level, Node


class Nope:
    """Not rated, and why."""

    def __init__(self, reason: str):
        self.reason = reason


def fmt(x, unit: str = "") -> str:
    x = Fraction(x)
    text = str(x.numerator) if x.denominator == 1 else float_text(x, ".1f")
    return text + ("%" if unit == "percent" else "")


def round_to(x: Fraction, places: int | None, mode: str) -> Fraction:
    if places is None:
        return x
    scaled = x * 10 ** places
    floor = math.floor(scaled)
    rest = scaled - floor
    if mode == "down":
        n = floor
    elif mode == "up":
        n = floor if rest == 0 else floor + 1
    elif mode == "half_up":
        n = floor + 1 if rest >= Fraction(1, 2) else floor
    else:  # half_even
        n = floor + 1 if rest > Fraction(1, 2) or (rest == Fraction(1, 2) and floor % 2) else floor
    return Fraction(n, 10 ** places)


def band_of(table, x: Fraction):
    """The band ``x`` (already rounded) falls in, read from the table's bounds."""
    for b in table.bands:
        lo_ok = b.min is None or x >= b.min
        hi_ok = (b.max is None or x <= b.max) and (b.below is None or x < b.below)
        if lo_ok and hi_ok:
            return b
    return None


def plural(nodes) -> str:
    tiers = {n.tier.id for n in nodes if n.tier is not None}
    if len(tiers) == 1:
        tier = next(n.tier for n in nodes if n.tier is not None)
        return tier.plural or tier.label.lower() + "s"
    return "nodes"


class Reference:
    """One inspection under one framework: ``figures`` maps a node id to ``(yes, of)`` or a percentage
    (Fraction); ``judgements`` a judged node id to a level id."""

    def __init__(self, fw: Framework, figures: dict, judgements: dict):
        self.fw, self.figures, self.judgements = fw, figures, judgements
        self.memo: dict[str, tuple] = {}

    # -- ratings --------------------------------------------------------------------------------

    def rating(self, node_id: str):
        return self.decide(node_id)[0]

    def decide(self, node_id: str) -> tuple:
        """(final value, reason clauses, decided_by, fields) of a rated node."""
        if node_id not in self.memo:
            self.memo[node_id] = self._decide(self.fw.nodes[node_id])
        return self.memo[node_id]

    def _decide(self, node: Node, figure=None) -> tuple:
        clauses, decided_by, fields = [], [], {}
        value = self.rule(node, clauses, decided_by, fields, figure)
        limits = [lim for lim in self.fw.limits if lim.applies_to == node.id]
        for lim in limits:
            if not isinstance(value, Level):
                break
            holds, refs = self.condition(lim)
            if holds is not True:
                continue
            new = value
            if lim.at_most is not None and value.index > lim.at_most.index:
                new = lim.at_most
            if lim.at_least is not None and value.index < lim.at_least.index:
                new = lim.at_least
            if new is not value:
                fields.setdefault("limits", []).append((lim, value, new))
                decided_by.extend(r for r in refs if r not in decided_by)
                value = new
        return value, clauses, decided_by, fields

    def condition(self, lim) -> tuple:
        e = lim.when.expr
        assert isinstance(e, ast.Compare) and e.op == "==" and e.left.func == "rating"
        other = e.left.args[0].value
        v = self.rating(other)
        if not isinstance(v, Level):
            return None, []
        return v.id == e.right.parts[-1], [other]

    def rule(self, node: Node, clauses, decided_by, fields, figure):
        if node.is_judged:
            level_id = self.judgements.get(node.id)
            if level_id is None:
                return Nope(node.not_rated_reason or "no judgement was given")
            clauses.append("judged by inspectors")
            return node.scale.level(level_id)
        e = node.rule.expr
        if e.func == "lowest":
            return lowest_rule(self, node, clauses, decided_by)
        assert e.func == "band"
        table = self.fw.bands[e.args[1].text]
        x = e.args[0]
        if x.func == "share":
            value = self.share(node, clauses, fields, figure)
        elif x.func == "pooled_share":
            value = self.pooled(node, clauses, fields, figure)
        elif x.func == "sum_scores":
            value = self.sum_scores(node, clauses, decided_by, fields)
        else:
            raise AssertionError(x.func)
        if isinstance(value, Nope):
            return value
        r = round_to(Fraction(value), table.rounding.places, table.rounding.mode)
        b = band_of(table, r)
        if b is None:
            return Nope(f"{fmt(r) if r.denominator == 1 else r} falls in no band of '{table.id}'")
        fields.update(value=value, rounded=r, table=table, band=b)
        rounded = f"rounds to {fmt(r, table.unit)}, " if r != value else ""
        clauses.append(f"{rounded}in the {b.level.label} band ({b.describe(table.unit)})")
        return b.level

    def share(self, node, clauses, fields, figure):
        f = self.figures.get(node.id) if figure is None else figure
        if f is None:
            return Nope("no cases or figures were given")
        if isinstance(f, tuple):
            yes, of = f
            if of == 0:
                return Nope("no inspected case applied")
            v = Fraction(100 * yes, of)
            shown = fmt(v, "percent") if v.denominator != 1 else fmt(round(v), "percent")
            clauses.append(f"{yes} of {of} cases sufficient ({shown})")
            fields["counts"] = (yes, of)
            return v
        clauses.append(f"{fmt(f, 'percent')} sufficient (published figure)")
        return Fraction(f)

    def pooled(self, node, clauses, fields, figure):
        yes = of = 0
        if figure is not None:
            yes, of = figure
        else:
            for child in node.children:
                f = self.figures.get(child.id)
                if f is None:
                    continue
                if not isinstance(f, tuple):
                    return Nope(f"{child.id} has only a percentage, which cannot be pooled")
                yes, of = yes + f[0], of + f[1]
        if of == 0:
            return Nope("no applicable answers to pool")
        v = Fraction(100 * yes, of)
        shown = fmt(v, "percent") if v.denominator != 1 else fmt(round(v), "percent")
        clauses.append(f"{yes} of {of} answers sufficient ({shown})")
        fields["counts"] = (yes, of)
        return v

    def sum_scores(self, node, clauses, decided_by, fields):
        members = self.fw.counted
        total = 0
        for n in members:
            lv = self.rating(n.id)
            if not isinstance(lv, Level):
                return Nope(f"{n.id} is not rated ({lv.reason}), so the scores cannot be added up")
            total += lv.score
        maximum = sum(max(lv.score for lv in n.scale.levels) for n in members)
        clauses.append(f"the scores of its {len(members)} counted {plural(members)} add up to {fmt(total)} "
                       f"of {fmt(maximum)}")
        decided_by.extend(n.id for n in members)
        fields["sum"], fields["maximum"] = total, maximum
        return total

    # -- reasons -------------------------------------------------------------------------------

    def reason(self, node_id: str) -> str:
        value, clauses, _, fields = self.decide(node_id)
        clauses = list(clauses)
        if isinstance(value, Nope):
            return "; ".join(clauses + [f"not rated: {value.reason}"])
        if not clauses:
            clauses.append(f"{value.label} by its rule")
        text = "; ".join(clauses)
        for lim, before, after in fields.get("limits", ()):
            text += f"; limited from {before.label} to {after.label} by '{lim.id}' " \
                    f"({lim.description or lim.when.text.strip()})"
        return text

    # -- margins, by brute force -----------------------------------------------------------------

    def final_with(self, node_id: str, figure) -> Level | None:
        """The node's final rating with its own figure replaced (everything else as it is)."""
        node = self.fw.nodes[node_id]
        value = self._decide(node, figure)[0]
        return value if isinstance(value, Level) else None

    def margin(self, node_id: str) -> tuple | None:
        """((level, steps) up or None, (level, steps) down or None, unit) of a node banded on a share, or
        None where the node is not."""
        value, _, _, fields = self.decide(node_id)
        if not isinstance(value, Level):
            return None
        here = value.index
        if "counts" in fields:
            yes, of = fields["counts"]
            up = next(((lv, k) for k in range(1, of - yes + 1)
                       if (lv := self.final_with(node_id, (yes + k, of))) is not None and lv.index > here), None)
            down = next(((lv, k) for k in range(1, yes + 1)
                         if (lv := self.final_with(node_id, (yes - k, of))) is not None and lv.index < here), None)
            return up, down, "cases"
        f = self.figures.get(node_id)
        if f is None or isinstance(f, tuple) or "table" not in fields:
            return None
        v = Fraction(f)
        places = fields["table"].rounding.places or 0
        d = next(d for d in range(5) if d == 4 or (v * 10 ** d).denominator == 1)
        step = Fraction(1, 10 ** min(4, max(places, d)))
        up = next(((lv, k * step) for k in range(1, math.floor((100 - v) / step) + 1)
                   if (lv := self.final_with(node_id, v + k * step)) is not None and lv.index > here), None)
        down = next(((lv, k * step) for k in range(1, math.floor(v / step) + 1)
                     if (lv := self.final_with(node_id, v - k * step)) is not None and lv.index < here), None)
        return up, down, "points"


def lowest_rule(ref: Reference, node: Node, clauses, decided_by):
    members = [c for c in node.children if c.rated]
    rated = [(c, ref.rating(c.id)) for c in members]
    rated = [(c, lv) for c, lv in rated if isinstance(lv, Level)]
    if not rated:
        return Nope("none of " + ", ".join(c.id for c in members) + " is rated")
    level = min((lv for _, lv in rated), key=lambda lv: lv.index)
    chosen = [c for c, lv in rated if lv is level]
    decided_by.extend(c.id for c in chosen)
    clauses.append(f"the lowest rating of its {plural(members)}: {', '.join(c.id for c in chosen)} "
                   f"{'is' if len(chosen) == 1 else 'are'} {level.label}")
    return level


def ratings(ref: Reference) -> dict[str, str | None]:
    out = {}
    for node_id, node in ref.fw.nodes.items():
        if node.rated:
            v = ref.rating(node_id)
            out[node_id] = v.id if isinstance(v, Level) else None
    return out


__all__ = ["OVERALL", "Reference", "ratings"]
