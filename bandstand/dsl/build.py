"""Schema-checked data to the framework model, parsing every rule once.

Problems that the schema cannot see but that need no cross-reference
checking (a duplicate id, an expression that does not parse, a node nested
deeper than the tiers allow) are reported here, all at once, located.
"""

from __future__ import annotations

import functools
import math
from fractions import Fraction
from typing import Any, Protocol

from ..errors import Collector, Position
from ..limits import DEFAULT_LIMITS, Limits, exceeded
from .model import (JUDGED_NO, JUDGED_OPTIONAL, JUDGED_YES, OVERALL, Band, BandTable, Example,
                    Framework, Level, Limit, Node, Part, Provenance, Reference, ReferenceFigure, Rounding, Rule,
                    Scale, Tier, normalise)
from .ast import float_text
from .parser import ExpressionError, parse_expression
from .schema import real_date


class Source(Protocol):
    """What the builder reads of a framework file's data: a :class:`~bandstand.dsl.loader.Document`, or the
    :class:`~bandstand.dsl.extend.MergedDocument` of a file that extends another (not imported: it imports this)."""

    file: str | None
    data: Any

    def pos(self, path: tuple) -> Position: ...

    def text_of(self, path: tuple) -> str | None: ...

    def pos_in_scalar(self, path: tuple, offset: int) -> Position: ...


class Builder:
    def __init__(self, doc: Source, limits: Limits = DEFAULT_LIMITS):
        self.doc = doc
        self.limits = limits
        self.out = Collector()
        self.unbuilt: set[tuple[str, str]] = set()  # see Framework.unbuilt
        self.fatal = False  # a problem after which nothing more can be checked

    def pos(self, path) -> Position:
        return self.doc.pos(path)

    # -- pieces ---------------------------------------------------------

    def rule(self, text: str, path: tuple) -> Rule | None:
        try:
            expr = parse_expression(text, self.limits)
        except ExpressionError as e:
            self.out.error(e.code if e.code.startswith("limit") else "syntax.expression",
                           e.message, self.doc.pos_in_scalar(path, e.offset))
            return None
        return Rule(text, expr, path, self.pos(path), functools.partial(self.doc.pos_in_scalar, path))

    def number(self, value: Any, path: tuple, what: str = "a bound") -> Fraction | None:
        if isinstance(value, float) and not math.isfinite(value):
            code = "check.band-bound" if what == "a bound" else "check.number"
            self.out.error(code, f"{what} must be a finite number; got {value}", self.pos(path))
            return None
        if value is None:
            return None
        text = self.doc.text_of(path)
        try:  # keep exactly what was written: 49.5 is 99/2, not a binary float
            return Fraction(text) if text is not None else Fraction(value)
        except (ValueError, ZeroDivisionError):
            return Fraction(value)

    def scale(self, data: dict, path: tuple) -> Scale:
        levels: list[Level] = []
        seen: dict[str, Position] = {}
        for i, lv in enumerate(data["levels"]):
            lp = path + ("levels", i)
            if lv["id"] in seen:
                self.out.error("check.duplicate-id",
                               f"level '{lv['id']}' is defined twice on scale '{data['id']}' "
                               f"(first at line {seen[lv['id']].line})", self.pos(lp + ("id",)))
                continue
            seen[lv["id"]] = self.pos(lp + ("id",))
            score = lv.get("score")
            if score is not None:
                score = self.number(score, lp + ("score",), "a score")
                if score is None:
                    self.unbuilt.add(("score", f"{data['id']}.{lv['id']}"))
            levels.append(Level(lv["id"], lv["label"], len(levels), data["id"], score,
                                lv.get("description"), tuple(lv.get("aliases", ())), self.pos(lp)))
        self._names_apart(f"scale '{data['id']}'", "level",
                          [(lv["id"], lv, path + ("levels", i)) for i, lv in enumerate(data["levels"])])
        return Scale(data["id"], data.get("label") or data["id"], tuple(levels),
                     data.get("description"), self.pos(path))

    def _names_apart(self, where: str, what: str, items: list[tuple[str, dict, tuple]]) -> None:
        """Evidence finds a level or part by its id, label or an alias, without regard to case, spaces, '_'
        or '-' (:func:`normalise`): two of them that read the same there must name the same one, or
        evidence could not be read without guessing."""
        seen: dict[str, tuple[str, str]] = {}  # normalised name -> (id, name as written)
        for item_id, d, p in items:
            names = [(d["id"], p + ("id",)), (d.get("label", ""), p + ("label",))]
            names += [(a, p + ("aliases", j)) for j, a in enumerate(d.get("aliases", ()))]
            for name, np in names:
                key = normalise(name)
                if not key:
                    continue
                other = seen.setdefault(key, (item_id, name))
                if other[0] != item_id:
                    self.out.error("check.ambiguous-label",
                                   f"'{name}' of {what} '{item_id}' reads the same as '{other[1]}' of {what} "
                                   f"'{other[0]}' in {where} (case, spaces, '_' and '-' are not told apart in "
                                   "evidence); give each a name of its own", self.pos(np))

    def band_table(self, data: dict, path: tuple, scales: dict[str, Scale]) -> BandTable | None:
        scale = scales.get(data["scale"])
        if scale is None:
            self.out.error("check.unknown-scale", f"unknown scale '{data['scale']}'"
                           + _suggest(data["scale"], scales), self.pos(path + ("scale",)))
            self.unbuilt.add(("band", data["id"]))
            return None
        errors_before = len(self.out.diagnostics)
        rounding_data = data.get("rounding", "none")
        if rounding_data == "none":
            rounding = Rounding(None)
        else:
            rounding = Rounding(int(rounding_data["places"]), rounding_data.get("mode", "half_up"))  # 2.0 is 2
        bands = []
        for i, b in enumerate(data["bands"]):
            bp = path + ("bands", i)
            level = scale.level(b["level"])
            if level is None:
                self.out.error("check.unknown-level",
                               f"level '{b['level']}' is not on scale '{scale.id}'"
                               + _suggest(b["level"], scale.names), self.pos(bp + ("level",)))
                continue
            lo = self.number(b.get("min"), bp + ("min",))
            hi = self.number(b.get("max"), bp + ("max",))
            below = self.number(b.get("below"), bp + ("below",))
            if "max" in b and "below" in b:
                self.out.error("check.band-bound", "give max (inclusive) or below (exclusive), not both",
                               self.pos(bp + ("below",)))
                continue
            if any(k in b and v is None for k, v in (("min", lo), ("max", hi), ("below", below))):
                continue  # a non-finite bound, reported
            if lo is not None and ((hi is not None and lo > hi) or (below is not None and lo >= below)):
                upper = hi if hi is not None else below
                assert upper is not None  # the test above compared lo with one of them
                self.out.error("check.band-order",
                               f"thresholds out of order: min {_fmt(lo)} is above the upper bound {_fmt(upper)}",
                               self.pos(bp + ("min",)))
                continue
            bands.append(Band(level, _whole(lo), _whole(hi), _whole(below), b.get("label"), self.pos(bp)))
        domain = None
        if "domain" in data:
            dmin = self.number(data["domain"]["min"], path + ("domain", "min"))
            dmax = self.number(data["domain"]["max"], path + ("domain", "max"))
            if dmin is not None and dmax is not None:
                if dmin > dmax:
                    self.out.error("check.band-order", "domain min is above domain max",
                                   self.pos(path + ("domain",)))
                else:
                    domain = (dmin, dmax)
        if len(self.out.diagnostics) > errors_before:  # a band or bound left out: coverage cannot be checked
            self.unbuilt.add(("bands", data["id"]))
        prov = None
        if "provenance" in data:
            p = data["provenance"]
            prov = Provenance(p["status"], p.get("source"), p.get("note"), tuple(p.get("inferred_from", ())),
                              p.get("confidence"))
        return BandTable(data["id"], scale, tuple(bands), rounding, data.get("unit", "number"),
                         data.get("label"), data.get("description"), domain, prov, self.pos(path))

    # -- the whole framework ---------------------------------------------

    def build(self) -> Framework | None:
        data = self.doc.data
        scales: dict[str, Scale] = {}
        for i, s in enumerate(data["scales"]):
            if s["id"] in scales:
                self.out.error("check.duplicate-id", f"scale '{s['id']}' is defined twice",
                               self.pos(("scales", i, "id")))
                continue
            scales[s["id"]] = self.scale(s, ("scales", i))
        default_scale = next(iter(scales.values()))

        bands: dict[str, BandTable] = {}
        for i, b in enumerate(data.get("bands", ())):
            if b["id"] in bands:
                self.out.error("check.duplicate-id", f"band table '{b['id']}' is defined twice",
                               self.pos(("bands", i, "id")))
                continue
            table = self.band_table(b, ("bands", i), scales)
            if table is not None:
                bands[b["id"]] = table

        tiers = []
        self.unparsed_tiers: set[int] = set()
        for i, t in enumerate(data["tiers"]):
            tp = ("tiers", i)
            rule = self.rule(t["rule"], tp + ("rule",)) if "rule" in t else None
            if "rule" in t and rule is None:
                self.unparsed_tiers.add(i)
            tiers.append(Tier(t["id"], t["label"], t.get("plural"), t.get("rated", True), rule,
                              t.get("counts_toward_overall", False), i))
            if "status_scale" in t:
                tiers[-1].status_scale = self._scale_ref(t["status_scale"], tp + ("status_scale",), scales, None)

        parts = {}
        for i, p in enumerate(data.get("parts", ())):
            if p["id"] in parts:
                self.out.error("check.duplicate-id", f"part '{p['id']}' is defined twice",
                               self.pos(("parts", i, "id")))
            parts[p["id"]] = Part(p["id"], p["label"], p.get("description"), tuple(p.get("aliases", ())))
        self._names_apart("the parts", "part", [(p["id"], p, ("parts", i)) for i, p in enumerate(data.get("parts", ()))])

        index: dict[str, Node] = {}
        roots = self._nodes(data["nodes"], ("nodes",), None, tiers, scales, default_scale, parts, index)

        overall = None
        if "overall" in data:
            o = data["overall"]
            scale = self._scale_ref(o.get("scale"), ("overall", "scale"), scales, default_scale)
            overall = Node(OVERALL, None, scale, title=o.get("title", "Overall rating"),
                           description=o.get("description"), pos=self.pos(("overall",)), path=("overall",))
            overall.rule = self.rule(o["rule"], ("overall", "rule"))
            if overall.rule is None:
                self.unbuilt.add(("rule", OVERALL))
            index[OVERALL] = overall

        limits = []
        for i, lim in enumerate(data.get("limits", ())):
            lp = ("limits", i)
            target = index.get(lim["applies_to"])
            if target is None and ("node", lim["applies_to"]) in self.unbuilt:
                continue  # that node is reported already
            if target is None:
                self.out.error("check.unknown-node", f"unknown node '{lim['applies_to']}'"
                               + _suggest(lim["applies_to"], index), self.pos(lp + ("applies_to",)))
                continue
            when = self.rule(lim["when"], lp + ("when",))
            if when is None:
                self.unbuilt.add(("rule", lim["id"]))
            bound = {}
            for key in ("at_most", "at_least"):
                if key in lim:
                    level = target.scale.level(lim[key])
                    if level is None:
                        self.out.error("check.unknown-level",
                                       f"level '{lim[key]}' is not on scale '{target.scale.id}'"
                                       + _suggest(lim[key], target.scale.names), self.pos(lp + (key,)))
                    bound[key] = level
            if when is None or (None in bound.values()):
                continue
            limits.append(Limit(lim["id"], target.id, when, bound.get("at_most"), bound.get("at_least"),
                                lim.get("description"), self.pos(lp)))

        for i, e in enumerate(data.get("examples", ())):  # expectations compare exactly: no inf or nan
            ep = ("examples", i, "expect")
            wanted: list[tuple[tuple, Any]] = [
                (ep + ("overall", "score"), (e["expect"].get("overall") or {}).get("score"))]
            for node_id, want in (e["expect"].get("nodes") or {}).items():
                if isinstance(want, dict):
                    wanted += [(ep + ("nodes", node_id, k), want.get(k)) for k in ("percent", "score")]
            for path, value in wanted:
                self.number(value, path, "an expected value")
        examples = [Example(e["id"], e["evidence"], e["expect"], e.get("title"), self.pos(("examples", i)))
                    for i, e in enumerate(data.get("examples", ()))]

        eff = data.get("effective", {})
        for key in ("from", "to"):  # the schema checks the form; this, the calendar
            if key in eff and not real_date(eff[key]):
                self.out.error("check.date", f"'{eff[key]}' is not a date of the calendar; expected YYYY-MM-DD or "
                               "YYYY-MM", self.pos(("effective", key)))
        for i, src in enumerate(eff.get("sources", ())):
            if not real_date(src["date"]):
                self.out.error("check.date", f"'{src['date']}' is not a date of the calendar; expected YYYY-MM-DD or "
                               "YYYY-MM", self.pos(("effective", "sources", i, "date")))
        if self.fatal:
            return None
        return Framework(
            id=data["id"], version=data["version"], title=data["title"], status=data["status"],
            scales=scales, bands=bands, tiers=tiers, parts=parts, roots=roots, nodes=index,
            overall=overall, limits=limits, examples=examples, publisher=data.get("publisher"),
            effective_from=eff.get("from"), effective_to=eff.get("to"), effective_note=eff.get("note"),
            effective_sources=list(eff.get("sources", ())),
            source=data.get("source", {}), description=data.get("description"), file=self.doc.file,
            change_notes=dict(getattr(self.doc, "notes", {})),
            diagnostics=[d for d in self.out.diagnostics if not d.is_error], unbuilt=self.unbuilt)

    def _scale_ref(self, scale_id, path, scales, default):
        if scale_id is None:
            return default
        scale = scales.get(scale_id)
        if scale is None:
            self.out.error("check.unknown-scale", f"unknown scale '{scale_id}'" + _suggest(scale_id, scales),
                           self.pos(path))
            return default
        return scale

    def _nodes(self, items, path, parent, tiers, scales, default_scale, parts, index) -> list[Node]:
        """Build the hierarchy depth-first in document order, with an explicit stack (no recursion)."""
        roots: list[Node] = []
        # each entry: (node data, its path, parent, depth, inherited part, under a judged node)
        stack: list[tuple[Any, tuple, Node | None, int, Part | None, bool]] = [
            (d, path + (i,), parent, 0, None, False) for i, d in reversed(list(enumerate(items)))]
        while stack:
            d, np, parent, depth, part, under_judged = stack.pop()
            if depth >= len(tiers):
                self.out.error("check.too-deep",
                               f"nodes nested {depth + 1} deep, but only {len(tiers)} tiers are defined "
                               f"({', '.join(t.id for t in tiers)})", self.pos(np))
                self._left_out(d, index)
                continue
            if len(index) >= self.limits.max_nodes:
                self.out.error("limit.nodes", exceeded("max_nodes", self.limits.max_nodes,
                                                       "the number of nodes"), self.pos(np))
                self.fatal = True
                break
            node = self._node(d, np, parent, tiers[depth], scales, default_scale, parts, part, under_judged, index)
            if node is None:
                self._left_out(d, index, keep_own=True)
                continue
            if parent is None:
                roots.append(node)
            else:
                parent.children.append(node)
            kids = d.get("children") or []
            stack.extend((c, np + ("children", i), node, depth + 1, node.part, under_judged or node.is_judged)
                         for i, c in reversed(list(enumerate(kids))))
        return roots

    def _left_out(self, d, index, keep_own: bool = False) -> None:
        """Note the ids of a node left out and of its subtree (iteratively: nesting may be deep)."""
        stack = list(d.get("children") or []) + ([] if keep_own else [d])
        while stack:
            c = stack.pop()
            if isinstance(c, dict):
                if c.get("id") not in index:
                    self.unbuilt.add(("node", c["id"]))  # the schema requires every node's id
                stack.extend(c.get("children") or [])

    def _node(self, d, np, parent, tier, scales, default_scale, parts, part, under_judged, index) -> Node | None:
        node_id = d["id"]
        if node_id in index or node_id == OVERALL:
            first = index.get(node_id)
            where = f" (first at line {first.pos.line})" if first is not None and first.pos else ""
            self.out.error("check.duplicate-id",
                           f"node id '{node_id}' is used twice{where}" if node_id != OVERALL
                           else "'overall' is reserved for the overall rating; choose another id",
                           self.pos(np + ("id",)))
            return None
        node_part = part
        if "part" in d:
            node_part = parts.get(d["part"])
            if node_part is None:
                self.out.error("check.unknown-part", f"unknown part '{d['part']}'" + _suggest(d["part"], parts),
                               self.pos(np + ("part",)))
        judged = {True: JUDGED_YES, False: JUDGED_NO, "optional": JUDGED_OPTIONAL}[d.get("judged", False)]
        node = Node(
            id=node_id, tier=tier,
            scale=self._scale_ref(d.get("scale"), np + ("scale",), scales, parent.scale if parent else default_scale),
            title=d.get("title"), question=d.get("question"), statement=d.get("statement"),
            guidance=d.get("guidance"), description=d.get("description"), part=node_part,
            judged=judged, counts_toward_overall=d.get("counts_toward_overall", tier.counts_toward_overall),
            not_rated_reason=d.get("not_rated_reason"), parent=parent, pos=self.pos(np), path=np)
        node.status_scale = (self._scale_ref(d["status_scale"], np + ("status_scale",), scales, None)
                             if "status_scale" in d else tier.status_scale)
        if "reference" in d:
            ref = d["reference"]
            # a value that is not a finite number is reported (the framework is refused) and its figure left out
            node.reference = Reference(tuple(
                ReferenceFigure(f["label"], value, f.get("unit")) for i, f in enumerate(ref["figures"])
                if (value := self.number(f["value"], np + ("reference", "figures", i, "value"),
                                         "a reference figure")) is not None),
                ref.get("source"))
        if "rule" in d:
            node.rule = self.rule(d["rule"], np + ("rule",))
            if node.rule is None:
                self.unbuilt.add(("rule", node_id))
            if node.is_judged:
                written = "true" if d["judged"] is True else d["judged"]
                self.out.error("check.rule-and-judged",
                               f"node '{node_id}' has both a rule and judged: {written}; give one way to rate it",
                               self.pos(np + ("rule",)))
                node.rule = None  # which way was meant is not known: check neither
                self.unbuilt.add(("rule", node_id))
        # A node with its own rule or judgement is rated unless it says otherwise. Otherwise its
        # tier decides; the questions under a judged node are what the inspector takes into
        # account, not rated themselves.
        own_way = "rule" in d or node.is_judged
        node.rated = d.get("rated", True if own_way else (tier.rated and not under_judged))
        if node.rated and node.rule is None and not node.is_judged and tier.rule is not None:
            node.rule, node.rule_from_tier = tier.rule, True
        elif node.rated and node.rule is None and not node.is_judged and tier.depth in self.unparsed_tiers:
            self.unbuilt.add(("rule", node_id))  # its tier's rule does not parse
        if d.get("rated") is False and own_way:
            self.out.error("check.unrated-with-rule",
                           f"node '{node_id}' is marked rated: false but has "
                           + ("a rule" if "rule" in d else "judged: " + str(d["judged"]).lower()),
                           self.pos(np + ("rated",)))
        index[node_id] = node
        return node


def _whole(x: Fraction | None) -> Fraction | int | None:
    """A whole-number bound as an int: the comparisons made on every evaluation are then plain."""
    return int(x) if x is not None and x.denominator == 1 else x


def _fmt(x: Fraction) -> str:
    return str(x.numerator) if x.denominator == 1 else float_text(x, "g")


def _suggest(word: str, choices) -> str:
    import difflib

    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""


suggest = _suggest
