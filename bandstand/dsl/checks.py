"""Static checks of a framework, each a function from framework to diagnostics.

They run in the order of :data:`CHECKS`; the order matters:

1. ``check_types`` resolves every name (nodes, levels, band tables,
   functions) and types every rule; the later checks rely on names that
   resolve, so they skip rules it rejected.
2. ``check_rated`` finds nodes with no way to be rated.
3. ``check_cycles`` finds rules that depend on themselves; evaluation order
   is only defined without them.
4. ``check_band_coverage`` computes what numbers reach each band table from
   the rules that use it and finds gaps and overlaps over that domain.
5. ``check_scores`` finds levels without a score where a rule reads
   scores (``sum_scores``, ``mean_score``, ``score``).
6. ``check_unused`` warns of band tables and levels nothing can reach.

Each is usable alone: ``check_cycles(framework)`` returns its diagnostics.
The checker may only reject a framework, never change what a rule means.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Callable, Iterable

from ..errors import Diagnostic, Position, WARNING
from . import ast
from .build import suggest
from .functions import FUNCTIONS, Function
from .model import BandTable, Framework, Node, Rule, fmt_number
from .resolve import (UNBUILT, ResolveError, Site, resolve_name, resolve_node, resolve_nodes,
                      rule_dependencies, sites)
from .types import BOOL, DATE, NODE, NODES, NOTHING, NUMBER, TABLE, TEXT, LevelType, Type, is_level

def choose_overload(name: str, nargs: int) -> tuple[Function, ...]:
    overloads = FUNCTIONS.get(name, ())
    return tuple(f for f in overloads
                 if len(f.params) == nargs or (f.params and f.params[0].startswith("*") and nargs >= 1))


# -- the checks -------------------------------------------------------------------


class _Report:
    def __init__(self, fw: Framework):
        self.fw = fw
        self.diags: list[Diagnostic] = []
        self._seen: set = set()

    def at_rule(self, rule: Rule, span_start: int, code: str, message: str, severity: str = "error"):
        pos = _rule_pos(self.fw, rule, span_start)
        key = (pos, message)
        if key in self._seen:  # a tier's default rule is checked once per node
            return
        self._seen.add(key)
        self.diags.append(Diagnostic.at(code, message, pos, severity))

    def at(self, pos: Position | None, code: str, message: str, severity: str = "error"):
        key = (pos, message)
        if key not in self._seen:
            self._seen.add(key)
            self.diags.append(Diagnostic.at(code, message, pos, severity))


def _rule_pos(fw: Framework, rule: Rule, offset: int) -> Position | None:
    return rule.position_of(offset)


class TypeChecker:
    """Types one expression; reports problems located in the expression."""

    def __init__(self, fw: Framework, site: Site, report: _Report):
        self.fw, self.site, self.report = fw, site, report
        self.ok = True

    def error(self, node, code: str, message: str) -> Type:
        self.ok = False
        if code != UNBUILT:
            self.report.at_rule(self.site.rule, node.span[0], code, message)
        return NOTHING

    def check(self, e: ast.Expr) -> Type:
        if isinstance(e, ast.Number):
            return NUMBER
        if isinstance(e, ast.Boolean):
            return BOOL
        if isinstance(e, ast.String):
            return TEXT
        if isinstance(e, ast.Name):
            try:
                kind, value = resolve_name(e, self.site, self.fw)
            except ResolveError as err:
                return self.error(e, err.code, err.message)
            if kind == "level":
                return LevelType(value.scale_id)
            return NODES if kind == "nodes" else TABLE
        if isinstance(e, ast.Negate):
            self.expect(e.operand, NUMBER, "'-'")
            return NUMBER
        if isinstance(e, ast.Arith):
            self.expect(e.left, NUMBER, f"'{e.op}'")
            right = self.expect(e.right, NUMBER, f"'{e.op}'")
            if e.op == "/" and isinstance(e.right, ast.Number) and e.right.value == 0:
                return self.error(e.right, "check.division-by-zero", "division by zero")
            if e.op == "/" and right == NUMBER:  # a divisor that is always zero, such as (1 - 1) or x * 0
                i = interval_of(e.right, self.site, self.fw)
                if i.lo == 0 and i.hi == 0:
                    return self.error(e.right, "check.division-by-zero",
                                      f"division by zero: '{e.right}' is always 0")
            return NUMBER
        if isinstance(e, ast.Not):
            self.expect(e.operand, BOOL, "'not'")
            return BOOL
        if isinstance(e, (ast.And, ast.Or)):
            op = "and" if isinstance(e, ast.And) else "or"
            self.expect(e.left, BOOL, f"'{op}'")
            self.expect(e.right, BOOL, f"'{op}'")
            return BOOL
        if isinstance(e, ast.Compare):
            return self.compare(e)
        if isinstance(e, ast.Conditional):
            self.expect(e.condition, BOOL, "'if'")
            a, b = self.check(e.then), self.check(e.otherwise)
            if a.kind == "nothing":
                return b
            if b.kind == "nothing" or a.accepts(b):
                return a
            return self.error(e.otherwise, "check.type",
                              f"the two branches give different kinds of value: {a} and {b}")
        if isinstance(e, ast.Call):
            return self.call(e)
        raise AssertionError(f"unknown AST node {e!r}")  # pragma: no cover

    def expect(self, e: ast.Expr, want: Type, where: str) -> Type:
        got = self.check(e)
        if got.kind != "nothing" and not want.accepts(got):
            self.error(e, "check.type", f"{where} needs {want}, but '{e}' is {got}")
        return got

    def compare(self, e: ast.Compare) -> Type:
        a, b = self.check(e.left), self.check(e.right)
        if a.kind == "nothing" or b.kind == "nothing":
            return BOOL
        if is_level(a) and is_level(b):
            if a.scale and b.scale and a.scale != b.scale:
                self.error(e, "check.type", f"cannot compare ratings of different scales ({a.scale} and {b.scale})")
            return BOOL
        if is_level(a) != is_level(b) and NUMBER in (a, b):
            self.error(e, "check.type",
                       f"cannot compare a rating with a number ('{e}'); use score(...) to compare a rating's score")
            return BOOL
        if a != b:
            self.error(e, "check.type", f"cannot compare {a} with {b} ('{e}')")
        elif e.op not in ("==", "!=") and a.kind not in ("number", "level", "date"):
            self.error(e, "check.type", f"'{e.op}' compares numbers, ratings or dates, not {a}")
        return BOOL

    def call(self, e: ast.Call) -> Type:
        if e.func not in FUNCTIONS:
            return self.error(e, "check.unknown-function",
                              f"unknown function '{e.func}'" + suggest(e.func, FUNCTIONS))
        candidates = choose_overload(e.func, len(e.args))
        if not candidates:
            counts = sorted({len(f.params) for f in FUNCTIONS[e.func]})
            want = " or ".join(str(c) for c in counts)
            return self.error(e, "check.arguments",
                              f"{e.func}() takes {want} argument{'s' if counts != [1] else ''}, got {len(e.args)}")
        # pick the overload whose first parameter fits the first argument
        fn = candidates[0]
        if len(candidates) > 1 and e.args:
            first = self._peek(e.args[0])
            for c in candidates:
                if c.params[0].lstrip("*") in first:
                    fn = c
                    break
        site = self.site
        if fn.name in ("judgement",) and not site.owner.is_judged:
            return self.error(e, "check.judgement", "judgement() is only for nodes with judged: true")
        if fn.returns == "level:status" and site.owner.status_scale is None:
            return self.error(e, "check.status", f"{fn.name}() is only for nodes whose node or tier names a "
                              f"status_scale; {site.owner.id} has none")
        if fn.needs_cases and not e.args and site.kind == "limit":
            return self.error(e, "check.type", f"{fn.name}() needs a node; name one")
        arg_types: list[Type] = []
        levels_of: list[Node] = []
        unresolved = False
        for param, arg in zip(self._params(fn, len(e.args)), e.args):
            kind = param.lstrip("*")
            if kind == "node":
                try:
                    levels_of.append(resolve_node(arg, self.fw))
                except ResolveError as err:
                    self.error(arg, err.code, err.message)
                    unresolved = True
                arg_types.append(NODE)
            elif kind == "nodes":
                if isinstance(arg, ast.Call) and arg.func == "nodes":
                    for a in arg.args:  # report each unknown id where it is written
                        try:
                            levels_of.append(resolve_node(a, self.fw))
                        except ResolveError as err:
                            self.error(a, err.code, err.message)
                            unresolved = True
                else:
                    try:
                        levels_of.extend(resolve_nodes(arg, site, self.fw))
                    except ResolveError as err:
                        self.error(arg, err.code, err.message)
                        unresolved = True
                arg_types.append(NODES)
            elif kind == "table":
                if isinstance(arg, ast.Name) and arg.text in self.fw.bands:
                    arg_types.append(TABLE)
                elif isinstance(arg, ast.Name) and ("band", arg.text) in self.fw.unbuilt:
                    arg_types.append(self.error(arg, UNBUILT, ""))
                else:
                    choices = list(self.fw.bands)
                    text = arg.text if isinstance(arg, ast.Name) else str(arg)
                    self.error(arg, "check.unknown-band", f"unknown band table '{text}'" + suggest(text, choices))
                    arg_types.append(NOTHING)
            elif kind == "level":
                arg_types.append(self.expect(arg, LevelType(None), f"{fn.name}()"))
            elif kind == "number|level":
                t = self.check(arg)
                if t.kind not in ("number", "level", "nothing"):
                    self.error(arg, "check.type", f"{fn.name}() needs numbers or ratings, but '{arg}' is {t}")
                arg_types.append(t)
            elif kind == "number":
                arg_types.append(self.expect(arg, NUMBER, f"{fn.name}()"))
            elif kind == "text" and fn.reads_figure == "comparator":
                arg_types.append(self._comparator_name(fn, arg))
            elif kind == "text":
                arg_types.append(self.expect(arg, TEXT, f"{fn.name}()"))
            else:  # pragma: no cover
                raise AssertionError(kind)
        if unresolved:
            return NOTHING  # already reported; nothing more can be said of the call
        return self._result(fn, e, arg_types, levels_of)

    def _comparator_name(self, fn: Function, name: ast.Expr) -> Type:
        """A comparator is named in quotes, so that what a rule asks of the evidence is known before it runs."""
        if not isinstance(name, ast.String):
            return self.error(name, "check.comparator", f"{fn.name}() names its comparator in quotes, such as "
                              f"\"national\"; got '{name}'")
        if not name.value.strip():
            return self.error(name, "check.comparator", f"{fn.name}() needs the name of a comparator, not empty text")
        return TEXT

    def _peek(self, arg: ast.Expr) -> set[str]:
        """What kinds the first argument could be, without reporting."""
        if isinstance(arg, ast.String):
            return {"node"}
        if isinstance(arg, ast.Name):
            try:
                kind, _ = resolve_name(arg, self.site, self.fw)
            except ResolveError:
                return set()
            return {kind, "number|level"} if kind == "level" else {kind}
        return {"level", "number", "number|level"}

    @staticmethod
    def _params(fn: Function, n: int) -> list[str]:
        if fn.params and fn.params[0].startswith("*"):
            return [fn.params[0]] * n
        return list(fn.params)

    def _result(self, fn: Function, e: ast.Call, arg_types: list[Type], nodes: list[Node]) -> Type:
        r = fn.returns
        if r == "number":
            return NUMBER
        if r == "bool":
            return BOOL
        if r == "nodes":
            return NODES
        if r == "nothing":
            return NOTHING
        if r == "level:table":
            table = self.fw.bands.get(e.args[1].text) if isinstance(e.args[1], ast.Name) else None
            return LevelType(table.scale.id) if table else NOTHING
        if r == "date":
            return DATE
        if r == "level:status":
            status = self.site.owner.status_scale
            return LevelType(status.id) if status is not None else NOTHING
        if r == "level:self":
            return LevelType(self.site.owner.scale.id)
        if r in ("level:nodes", "level:node"):
            scales = {n.scale.id for n in nodes}
            if len(scales) > 1:
                return self.error(e, "check.type", f"{fn.name}() of nodes on different scales ({', '.join(sorted(scales))})")
            if r == "level:nodes" and not nodes:
                owner = self.site.owner
                if owner.rule_from_tier and owner.rule is self.site.rule:
                    # the tier's rule does not fit this node: say which node, where it is
                    self.ok = False
                    tier = owner.tier.label.lower() if owner.tier else "node"
                    self.report.at(owner.pos, "check.unrated",
                                   f"{tier} '{owner.id}' takes its tier's rule '{self.site.rule.text.strip()}' but has "
                                   "no rated children to choose from; give it a rule, judged: true or rated: false")
                    return NOTHING
                return self.error(e, "check.unrated", f"{fn.name}() of no rated nodes: nothing to choose from")
            return LevelType(scales.pop()) if scales else NOTHING
        if r == "level:args":
            known = [t for t in arg_types if t.kind != "nothing"]
            if not known:
                return NOTHING
            first = known[0]
            for t in known[1:]:
                if not first.accepts(t):
                    return self.error(e, "check.type", f"{fn.name}() of {first} and {t}: give all numbers or all ratings")
            return first
        raise AssertionError(r)  # pragma: no cover


def check_types(fw: Framework) -> list[Diagnostic]:
    """Resolve names and type every rule: unknown names, type errors."""
    report = _Report(fw)
    for site in sites(fw):
        tc = TypeChecker(fw, site, report)
        got = tc.check(site.rule.expr)
        if tc.ok and got.kind != "nothing" and not site.expected.accepts(got):
            what = "a limit's condition" if site.kind == "limit" else f"the rule of {site.owner.id}"
            report.at_rule(site.rule, site.rule.expr.span[0], "check.type",
                           f"{what} must give {site.expected}, but '{site.rule.text.strip()}' gives {got}")
    return report.diags


def _rule_ok(fw: Framework, site: Site) -> bool:
    tc = TypeChecker(fw, site, _Report(fw))
    tc.check(site.rule.expr)
    return tc.ok


def check_rated(fw: Framework) -> list[Diagnostic]:
    """Every node marked rated has a way to be rated."""
    report = _Report(fw)
    for node in fw.walk():
        if node.rated and node.rule is None and not node.is_judged and ("rule", node.id) not in fw.unbuilt:
            tier = node.tier.label if node.tier else "node"
            report.at(node.pos, "check.unrated",
                      f"{tier} '{node.id}' has no way to be rated: give it a rule or judged: true, "
                      f"a rule to its tier '{node.tier.id if node.tier else ''}', or rated: false")
    if fw.overall is not None and fw.overall.rule is None and ("rule", fw.overall.id) not in fw.unbuilt:
        report.at(fw.overall.pos, "check.unrated", "the overall rating has no rule")
    return report.diags


def check_cycles(fw: Framework) -> list[Diagnostic]:
    """No rule may depend, directly or through others, on itself."""
    graph: dict[str, list[str]] = {n: [] for n in fw.nodes}
    edge_site: dict[tuple[str, str], Site] = {}  # which rule or limit makes each dependency
    for site in sites(fw):
        for dep in rule_dependencies(site, fw):
            graph[site.owner.id].append(dep.id)
            edge_site.setdefault((site.owner.id, dep.id), site)
    report = _Report(fw)
    for cycle in find_cycles(graph):
        ring = cycle + [cycle[0]]
        site = edge_site[(ring[0], ring[1])]
        whose = f"limit '{site.label}'" if site.kind == "limit" else f"the rule of {site.owner.id}"
        if len(cycle) == 1:
            msg = f"{whose} depends on {cycle[0]} itself"
        else:
            msg = f"rules depend on each other in a cycle: {' -> '.join(ring)}"
            if site.kind == "limit":
                msg += f" (through {whose})"
        report.at_rule(site.rule, site.rule.expr.span[0], "check.cycle", msg)
    return report.diags


def find_cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """The strongly connected components that are cycles (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    cycles: list[list[str]] = []
    counter = 0
    for start in graph:
        if start in index:
            continue
        work = [(start, 0)]
        while work:
            v, i = work[-1]
            if i == 0:
                index[v] = low[v] = counter
                counter += 1
                stack.append(v)
                on_stack.add(v)
            edges = graph.get(v, ())
            if i < len(edges):
                work[-1] = (v, i + 1)
                w = edges[i]
                if w not in index:
                    work.append((w, 0))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1 or v in graph.get(v, ()):
                    cycles.append(list(reversed(comp)))
    return cycles


# -- band coverage --------------------------------------------------------------------

INF = math.inf


@dataclass(frozen=True)
class Interval:
    lo: Fraction | float
    hi: Fraction | float
    integral: bool = False

    def hull(self, other: "Interval") -> "Interval":
        return Interval(min(self.lo, other.lo), max(self.hi, other.hi), self.integral and other.integral)


ANY = Interval(-INF, INF)


def _score_range(nodes: Iterable[Node]) -> tuple[Fraction, Fraction, bool] | None:
    lo = hi = Fraction(0)
    integral = True
    for n in nodes:
        scores = [lv.score for lv in n.scale.levels if lv.score is not None]
        if not scores:
            return None
        lo += min(scores)
        hi += max(scores)
        integral = integral and all(s.denominator == 1 for s in scores)
    return lo, hi, integral


def interval_of(e: ast.Expr, site: Site, fw: Framework) -> Interval:
    """The range of values a numeric expression can take."""
    if isinstance(e, ast.Number):
        return Interval(e.value, e.value, e.value.denominator == 1)
    if isinstance(e, ast.Call):
        f = e.func
        if f in ("share", "pooled_share"):
            return Interval(Fraction(0), Fraction(100))
        if f in ("yes", "applicable"):
            return Interval(Fraction(0), INF, True)
        if f in ("sum_scores", "mean_score", "count", "count_rated", "score"):
            try:
                if f == "score":
                    if e.args and isinstance(e.args[0], ast.String):
                        nodes = [resolve_node(e.args[0], fw)]
                    else:  # a rating: a level named, or worked out (any level of its scale)
                        scores = [lv.score for lv in _scored_levels(e.args[0], site, fw)]
                        if not scores or None in scores:
                            return ANY
                        return Interval(min(scores), max(scores), all(s.denominator == 1 for s in scores))
                else:
                    nodes = resolve_nodes(e.args[0], site, fw)
            except ResolveError:
                return ANY
            if f in ("count", "count_rated"):
                return Interval(Fraction(0), Fraction(len(nodes)), True)
            r = _score_range(nodes)
            if r is None:
                return ANY
            lo, hi, integral = r
            if f == "mean_score" and nodes:
                return Interval(lo / len(nodes), hi / len(nodes))
            return Interval(lo, hi, integral)
        if f in ("min", "max"):
            parts = [interval_of(a, site, fw) for a in e.args]
            pick = min if f == "min" else max
            return Interval(pick(p.lo for p in parts), pick(p.hi for p in parts), all(p.integral for p in parts))
        return ANY
    if isinstance(e, ast.Negate):
        i = interval_of(e.operand, site, fw)
        return Interval(-i.hi, -i.lo, i.integral)
    if isinstance(e, ast.Arith):
        a, b = interval_of(e.left, site, fw), interval_of(e.right, site, fw)
        if e.op == "+":
            return Interval(a.lo + b.lo, a.hi + b.hi, a.integral and b.integral)
        if e.op == "-":
            return Interval(a.lo - b.hi, a.hi - b.lo, a.integral and b.integral)
        if e.op == "*":
            prods = [_mul(x, y) for x in (a.lo, a.hi) for y in (b.lo, b.hi)]
            return Interval(min(prods), max(prods), a.integral and b.integral)
        if b.lo > 0 or b.hi < 0:
            quots = [_div(x, y) for x in (a.lo, a.hi) for y in (b.lo, b.hi)]
            return Interval(min(quots), max(quots))
        return ANY
    if isinstance(e, ast.Conditional):
        return interval_of(e.then, site, fw).hull(interval_of(e.otherwise, site, fw))
    return ANY


def _mul(x, y):
    if 0 in (x, y):
        return 0
    return x * y


def _div(x, y):
    if y in (INF, -INF):
        return 0 if x not in (INF, -INF) else x
    return x / y


def band_uses(fw: Framework) -> dict[str, list[tuple[Site, ast.Call]]]:
    """For each band table, the band(...) calls that use it."""
    uses: dict[str, list] = {t: [] for t in fw.bands}
    for site in sites(fw):
        for e in ast.walk(site.rule.expr):
            if isinstance(e, ast.Call) and e.func == "band" and len(e.args) == 2 \
                    and isinstance(e.args[1], ast.Name) and e.args[1].text in fw.bands:
                uses[e.args[1].text].append((site, e))
    return uses


def check_band_coverage(fw: Framework) -> list[Diagnostic]:
    """Each band table covers the numbers that can reach it exactly once."""
    report = _Report(fw)
    uses = band_uses(fw)
    for table in fw.bands.values():
        if ("bands", table.id) in fw.unbuilt:  # a band left out would show as a gap
            continue
        domain: Interval | None = None
        if table.domain is not None:
            domain = Interval(table.domain[0], table.domain[1])
        else:
            for site, call in uses[table.id]:
                if not _rule_ok(fw, site):
                    continue
                i = interval_of(call.args[0], site, fw)
                domain = i if domain is None else domain.hull(i)
        if domain is None:
            # unused; still check what can be checked: overlaps over all numbers
            domain = Interval(-INF, INF)
            _coverage(table, domain, report, gaps=False)
        else:
            _coverage(table, domain, report, gaps=True)
        _monotonic(table, report)
    return report.diags


def _grid_step(table: BandTable, domain: Interval) -> Fraction | None:
    if table.rounding.places is not None:
        return table.rounding.step
    if domain.integral:
        return Fraction(1)
    return None


def _range_text(lo, hi, unit: str) -> str:
    u = "%" if unit == "percent" else ""
    if lo == hi:
        return f"{fmt_number(lo)}{u}"
    hi_text = "any higher value" if hi == INF else f"{fmt_number(hi)}{u}"
    lo_text = "any lower value" if lo == -INF else f"{fmt_number(lo)}{u}"
    return f"{lo_text} to {hi_text}"


def _coverage(table: BandTable, domain: Interval, report: _Report, gaps: bool) -> None:
    step = _grid_step(table, domain)
    where = f"band table '{table.id}'"
    span = _range_text(domain.lo, domain.hi, table.unit)
    if step is not None:
        _coverage_discrete(table, domain, step, report, gaps, where, span)
    else:
        _coverage_continuous(table, domain, report, gaps, where, span)


def _coverage_discrete(table, domain, step, report, gaps, where, span):
    """Coverage over the grid of values rounding (or whole scores) can produce."""

    def up(x):  # smallest grid point >= x
        if x in (INF, -INF):
            return x
        q = Fraction(x) / step
        return Fraction(-((-q.numerator) // q.denominator)) * step

    def down(x):  # largest grid point <= x
        if x in (INF, -INF):
            return x
        q = Fraction(x) / step
        return Fraction(q.numerator // q.denominator) * step

    lo, hi = up(domain.lo), down(domain.hi)
    ranges = []
    for band in table.bands:
        a = up(band.min) if band.min is not None else -INF
        if band.max is not None:
            b = down(band.max)
        elif band.below is not None:
            b = up(band.below) - step
        else:
            b = INF
        if a > b:
            report.at(band.pos, "check.band-empty",
                      f"{where}: the band for '{band.level.id}' ({band.describe(table.unit)}) holds no value "
                      f"that can reach it ({table.rounding.describe()})", WARNING)
            continue
        ranges.append((a, b, band))
    ranges.sort(key=lambda r: (r[0], r[1]))
    covered_to, prev = lo - step, None  # the highest value covered so far, and by which band
    for a, b, band in ranges:
        if prev is not None and a <= covered_to:
            o_lo, o_hi = a, min(b, covered_to)
            if gaps:
                o_lo, o_hi = max(o_lo, lo), min(o_hi, hi)
            if o_lo <= o_hi:
                report.at(band.pos, "check.band-overlap",
                          f"{where}: bands '{prev.level.id}' and '{band.level.id}' overlap on "
                          f"{_range_text(o_lo, o_hi, table.unit)}")
        if gaps and a > covered_to + step:
            g_lo, g_hi = max(covered_to + step, lo), min(a - step, hi)
            if g_lo <= g_hi:
                report.at(band.pos, "check.band-gap",
                          f"{where}: {_range_text(g_lo, g_hi, table.unit)} falls in no band "
                          f"(the table must cover {span} exactly once)")
        if b > covered_to:
            covered_to, prev = b, band
    if gaps and covered_to < hi:
        last = ranges[-1][2] if ranges else None
        report.at(last.pos if last else table.pos, "check.band-gap",
                  f"{where}: {_range_text(max(covered_to + step, lo), hi, table.unit)} falls in no band "
                  f"(the table must cover {span} exactly once)")


def _coverage_continuous(table, domain, report, gaps, where, span):
    """Coverage over all numbers in the domain, minding open and closed ends.

    A point is written (x, starts_at_x): the first value not yet covered is
    x itself (True) or everything just above x (False).
    """

    def key(point):
        x, at = point
        return (x, 0 if at else 1)

    def show(point, upper=False):
        x, at = point
        if x in (INF, -INF):  # a rule whose values are unbounded (a score of any rating, times 12)
            return "any lower value" if x < 0 else "any higher value"
        return fmt_number(x) if at != upper else (f"below {fmt_number(x)}" if upper else f"above {fmt_number(x)}")

    items = []
    for band in table.bands:
        start = (band.min, True) if band.min is not None else (-INF, True)
        if band.max is not None:
            after = (band.max, False)
        elif band.below is not None:
            after = (band.below, True)
        else:
            after = (INF, False)
        items.append((start, after, band))
    items.sort(key=lambda it: key(it[0]))
    uncovered, prev = (domain.lo, True), None
    for start, after, band in items:
        if prev is not None and key(start) < key(uncovered):
            report.at(band.pos, "check.band-overlap",
                      f"{where}: bands '{prev.level.id}' and '{band.level.id}' overlap from {show(start)}")
        elif gaps and key(start) > key(uncovered) and key(uncovered) <= key((domain.hi, True)):
            end = min(start, (domain.hi, False), key=key)
            report.at(band.pos, "check.band-gap",
                      f"{where}: values from {show(uncovered)} to {show(end, upper=True)} fall in no band "
                      f"(the table must cover {span} exactly once)")
        if key(after) > key(uncovered):
            uncovered, prev = after, band
    if gaps and key(uncovered) <= key((domain.hi, True)):
        last = items[-1][2] if items else None
        report.at(last.pos if last else table.pos, "check.band-gap",
                  f"{where}: values from {show(uncovered)} up to {show((domain.hi, True))} fall in no band "
                  f"(the table must cover {span} exactly once)")


def _monotonic(table: BandTable, report: _Report) -> None:
    ordered = sorted(table.bands, key=lambda b: (b.min if b.min is not None else -INF))
    for a, b in zip(ordered, ordered[1:]):
        if b.level.index < a.level.index:
            report.at(b.pos, "check.band-order",
                      f"band table '{table.id}': {b.describe(table.unit)} gives '{b.level.id}', lower than "
                      f"'{a.level.id}' for {a.describe(table.unit)}; higher numbers should not give lower ratings",
                      WARNING)


# -- scores ---------------------------------------------------------------------------------


def _scored_levels(arg: ast.Expr, site: Site, fw: Framework) -> list:
    """The levels whose scores a scoring function's argument can ask for."""
    if isinstance(arg, ast.String):
        return list(resolve_node(arg, fw).scale.levels)
    if isinstance(arg, ast.Name):
        kind, value = resolve_name(arg, site, fw)
        if kind == "level":
            return [value]
        if kind == "nodes":
            return [lv for n in value for lv in n.scale.levels]
        return []
    if isinstance(arg, ast.Call) and arg.func == "nodes":
        return [lv for n in resolve_nodes(arg, site, fw) for lv in n.scale.levels]
    got = TypeChecker(fw, site, _Report(fw)).check(arg)  # a rating worked out: any level of its scale
    return list(fw.scales[got.scale].levels) if is_level(got) and got.scale in fw.scales else []


def check_scores(fw: Framework) -> list[Diagnostic]:
    """Every level a scoring function (see ``reads_scores``) can meet has a score.

    Without one, the rule would say "not rated" (or a mean would leave the
    rating out) at run time, for a mistake in the framework.
    """
    report = _Report(fw)
    done: set[int] = set()
    for site in sites(fw):
        if not _rule_ok(fw, site):
            continue
        for e in ast.walk(site.rule.expr):
            if not (isinstance(e, ast.Call) and e.args and any(f.reads_scores for f in FUNCTIONS.get(e.func, ()))):
                continue
            try:
                levels = _scored_levels(e.args[0], site, fw)
            except ResolveError:
                continue
            for lv in levels:
                if lv.score is None and id(lv) not in done and ("score", f"{lv.scale_id}.{lv.id}") not in fw.unbuilt:
                    done.add(id(lv))
                    report.at(lv.pos, "check.no-score",
                              f"level '{lv.id}' of scale '{lv.scale_id}' has no score, but {site.label} reads "
                              f"its score ({e}); give it a score")
    return report.diags


# -- unused things ------------------------------------------------------------------------


def check_unused(fw: Framework) -> list[Diagnostic]:
    """Warn of band tables no rule uses and levels nothing can give."""
    report = _Report(fw)
    if fw.unbuilt:  # what was left out (a rule, a band, a node) may use them: no warning that is not so
        return []
    uses = band_uses(fw)
    for table in fw.bands.values():
        if not uses[table.id]:
            report.at(table.pos, "check.unused-band", f"band table '{table.id}' is not used by any rule", WARNING)
    reachable: set[int] = set()
    for table in fw.bands.values():
        reachable.update(id(b.level) for b in table.bands)
    judged_scales = {n.scale.id for n in fw.nodes.values() if n.is_judged}
    judged_scales |= {n.status_scale.id for n in fw.nodes.values() if n.status_scale is not None}  # the evidence's
    for site in sites(fw):
        for e in ast.walk(site.rule.expr):
            if isinstance(e, ast.Name):
                try:
                    kind, value = resolve_name(e, site, fw)
                except ResolveError:
                    continue
                if kind == "level":
                    reachable.add(id(value))
    for lim in fw.limits:
        for lv in (lim.at_most, lim.at_least):
            if lv is not None:
                reachable.add(id(lv))
    for scale in fw.scales.values():
        if scale.id in judged_scales:
            continue
        for lv in scale.levels:
            if id(lv) not in reachable:
                report.at(lv.pos, "check.unused-level",
                          f"level '{lv.id}' of scale '{scale.id}' is given by no band, judgement or rule", WARNING)
    return report.diags


#: The checks, in the order they run (see the module docstring for why).
CHECKS: tuple[Callable[[Framework], list[Diagnostic]], ...] = (
    check_types,
    check_rated,
    check_cycles,
    check_band_coverage,
    check_scores,
    check_unused,
)


def run_checks(fw: Framework, checks: Iterable[Callable[[Framework], list[Diagnostic]]] = CHECKS) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for check in checks:
        out.extend(check(fw))
    return out
