"""Rule ASTs to Python closures, once per framework.

A :class:`CompiledFramework` holds, for every rated node in dependency order,
one closure ``fn(ctx) -> value`` built from its rule's AST: names, node
references and band tables are resolved here, once, so evaluation neither
walks YAML data nor re-resolves a name. No text is ever ``eval``-ed.

Values at run time are ``Fraction`` (numbers), ``bool``, ``Level``,
``str``, lists of nodes, or :class:`NotRated`, which carries its reason and
passes through whatever uses it (as SQL's NULL does, with a reason).

The closures report what they decide to ``ctx.trace`` when it is a list
(explaining) and skip that work when it is None (ratings only).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Callable

from ..dsl import ast
from ..dsl.checks import Site, resolve_name, resolve_node, resolve_nodes, rule_dependencies, sites
from ..dsl.model import OVERALL, Band, BandTable, Framework, Level, Limit, Node
from .evidence import Measure


class NotRated:
    """No value, and why."""

    __slots__ = ("reason",)

    def __init__(self, reason: str):
        self.reason = reason

    def __repr__(self) -> str:
        return f"NotRated({self.reason!r})"


# -- trace events: what the interpreter decided, in the order it decided it ------------


@dataclass(frozen=True, slots=True)
class ShareEvent:
    node_id: str
    measure: Measure
    value: Fraction
    pooled: bool = False


@dataclass(frozen=True, slots=True)
class BandEvent:
    table: BandTable
    value: Fraction
    rounded: Fraction
    band: Band


@dataclass(frozen=True, slots=True)
class PickEvent:
    func: str  # lowest / highest
    nodes: tuple[Node, ...]
    chosen: tuple[Node, ...]
    level: Level


@dataclass(frozen=True, slots=True)
class SumEvent:
    nodes: tuple[Node, ...]
    total: Fraction
    maximum: Fraction | None


@dataclass(frozen=True, slots=True)
class MeanEvent:
    nodes: tuple[Node, ...]  # the nodes whose scores were averaged (the rated ones)
    of: int  # how many nodes the mean was asked of
    value: Fraction


@dataclass(frozen=True, slots=True)
class JudgementEvent:
    level: Level | None
    note: str | None


@dataclass(frozen=True, slots=True)
class RefEvent:
    node_id: str


class Context:
    """The state of one evaluation."""

    __slots__ = ("ratings", "measures", "judgements", "notes", "trace", "owner", "override")

    def __init__(self, measures, judgements, notes):
        self.ratings: dict[str, Any] = {}
        self.measures: dict[str, Measure] = measures
        self.judgements: dict[str, Level | None] = judgements
        self.notes: dict[str, str] = notes
        self.trace: list | None = None
        self.owner: Node | None = None
        self.override: Measure | None = None  # a what-if measure for the owner (margins)


Fn = Callable[[Context], Any]


def _measure(ctx: Context, node_id: str) -> Measure | None:
    if ctx.override is not None and ctx.owner is not None and ctx.owner.id == node_id:
        return ctx.override
    return ctx.measures.get(node_id)


def _nr_reason(v: NotRated, prefix: str = "") -> NotRated:
    return NotRated(prefix + v.reason) if prefix else v


# -- the compiler ------------------------------------------------------------------------


@dataclass(eq=False)
class Program:
    node: Node
    fn: Fn
    limits: list[tuple[Limit, Fn]]
    own_share: bool  # its rule reads its own share of cases (margins in cases)
    #: the band table of a rule that is exactly ``band(share(), table)``: its margins are found from the
    #: table, without running the rule again
    share_table: BandTable | None = None
    #: a rule that is exactly ``band(x, table)``: (table, "sum" | "mean" | "other", the nodes x reads the
    #: scores of); its margins move x along the values it can take
    banded: tuple | None = None


class Shown:
    """What a node's result shows whatever the evidence: worked out once per framework."""

    __slots__ = ("node", "id", "title", "tier", "rated", "how", "children", "reference", "unrated_reason", "shared")

    def __init__(self, node: Node):
        self.node = node
        self.id = node.id
        self.title = node.title or node.question
        self.tier = node.tier.id if node.tier else None
        self.rated = node.rated
        self.how = "not rated" if not node.rated else "judgement" if node.is_judged else "rule"
        self.children = tuple(c.id for c in node.children)
        self.reference = node.reference
        self.unrated_reason = None if node.rated else _unrated_reason(node)
        #: an unrated node's result when it has no measure, without and with reasons (made on first use)
        self.shared = [None, None]


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


def _share_table(fw: Framework, node: Node) -> BandTable | None:
    e = node.rule.expr if node.rule is not None and not node.is_judged else None
    if (isinstance(e, ast.Call) and e.func == "band" and len(e.args) == 2 and isinstance(e.args[0], ast.Call)
            and e.args[0].func == "share" and not e.args[0].args and isinstance(e.args[1], ast.Name)):
        return fw.bands.get(e.args[1].text)
    return None


def _banded(fw: Framework, node: Node, site: Site) -> tuple | None:
    e = node.rule.expr
    if not (isinstance(e, ast.Call) and e.func == "band" and len(e.args) == 2 and isinstance(e.args[1], ast.Name)
            and e.args[1].text in fw.bands):
        return None
    x = e.args[0]
    if isinstance(x, ast.Call) and x.func in ("sum_scores", "mean_score") and len(x.args) == 1:
        kind = "sum" if x.func == "sum_scores" else "mean"
        return fw.bands[e.args[1].text], kind, tuple(resolve_nodes(x.args[0], site, fw))
    return fw.bands[e.args[1].text], "other", ()


class CompiledFramework:
    """A framework ready to evaluate: immutable once built, safe to share."""

    def __init__(self, framework: Framework):
        self.framework = framework
        compiler = _Compiler(framework)
        programs: dict[str, Program] = {}
        site_by_node = {s.owner.id: s for s in sites(framework) if s.kind == "rule"}
        for node in framework.nodes.values():
            if not node.rated:
                continue
            if node.is_judged:
                fn = compiler.judgement(node)
                own = False
                site = None
            else:
                site = site_by_node[node.id]
                fn = compiler.expr(node.rule.expr, site)
                own = any(isinstance(e, ast.Call) and e.func in ("share", "pooled_share", "yes", "applicable")
                          and (not e.args or e.func == "pooled_share") for e in ast.walk(node.rule.expr))
            programs[node.id] = Program(node, fn, [], own, _share_table(framework, node),
                                        None if node.is_judged else _banded(framework, node, site))
        for lim in framework.limits:
            site = Site(lim.when, framework.nodes[lim.applies_to], "limit", lim.id)
            programs[lim.applies_to].limits.append((lim, compiler.expr(lim.when.expr, site)))
        self.order: tuple[Program, ...] = tuple(programs[i] for i in _order(framework, programs))
        self.programs = programs
        self.shown: tuple[Shown, ...] = tuple(Shown(n) for n in framework.nodes.values())


def _order(fw: Framework, programs: dict[str, Program]) -> list[str]:
    """Dependency order: every node after the nodes its rule or limits read."""
    deps: dict[str, list[str]] = {i: [] for i in programs}
    for site in sites(fw):
        if site.owner.id in deps:
            deps[site.owner.id].extend(d.id for d in rule_dependencies(site, fw) if d.id in programs)
    order, state = [], {}
    for start in programs:  # iterative depth-first post-order
        if start in state:
            continue
        stack = [(start, iter(deps[start]))]
        state[start] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                stack.pop()
                state[node] = 2
                order.append(node)
            elif nxt not in state:
                state[nxt] = 1
                stack.append((nxt, iter(deps[nxt])))
    return order


class _Compiler:
    def __init__(self, fw: Framework):
        self.fw = fw

    def judgement(self, node: Node) -> Fn:
        node_id = node.id
        reason = node.not_rated_reason or "no judgement was given"

        def judgement(ctx: Context):
            level = ctx.judgements.get(node_id)
            if ctx.trace is not None:
                ctx.trace.append(JudgementEvent(level, ctx.notes.get(node_id)))
            return level if level is not None else NotRated(reason)
        return judgement

    def expr(self, e: ast.Expr, site: Site) -> Fn:
        method = getattr(self, "_" + type(e).__name__.lower())
        return method(e, site)

    # atoms

    def _number(self, e: ast.Number, site):
        value = e.value
        return lambda ctx: value

    def _string(self, e: ast.String, site):
        value = e.value
        return lambda ctx: value

    def _boolean(self, e: ast.Boolean, site):
        value = e.value
        return lambda ctx: value

    def _name(self, e: ast.Name, site):
        kind, value = resolve_name(e, site, self.fw)
        return lambda ctx: value

    # operators

    def _negate(self, e: ast.Negate, site):
        f = self.expr(e.operand, site)

        def negate(ctx):
            v = f(ctx)
            return v if isinstance(v, NotRated) else -v
        return negate

    def _arith(self, e: ast.Arith, site):
        a, b, op = self.expr(e.left, site), self.expr(e.right, site), e.op

        def arith(ctx):
            x, y = a(ctx), b(ctx)
            if isinstance(x, NotRated):
                return x
            if isinstance(y, NotRated):
                return y
            if op == "+":
                return x + y
            if op == "-":
                return x - y
            if op == "*":
                return x * y
            if y == 0:
                return NotRated(f"division by zero in '{e}'")
            return Fraction(x) / y
        return arith

    def _compare(self, e: ast.Compare, site):
        a, b, op = self.expr(e.left, site), self.expr(e.right, site), e.op

        def compare(ctx):
            x, y = a(ctx), b(ctx)
            if isinstance(x, NotRated):
                return x
            if isinstance(y, NotRated):
                return y
            if isinstance(x, Level):
                x, y = x.index, y.index
            if op == "==":
                return x == y
            if op == "!=":
                return x != y
            if op == "<":
                return x < y
            if op == "<=":
                return x <= y
            if op == ">":
                return x > y
            return x >= y
        return compare

    def _not(self, e: ast.Not, site):
        f = self.expr(e.operand, site)

        def not_(ctx):
            v = f(ctx)
            return v if isinstance(v, NotRated) else not v
        return not_

    def _and(self, e: ast.And, site):
        a, b = self.expr(e.left, site), self.expr(e.right, site)

        def and_(ctx):
            x = a(ctx)
            if x is False:
                return False
            y = b(ctx)
            if y is False:
                return False
            if isinstance(x, NotRated):
                return x
            if isinstance(y, NotRated):
                return y
            return True
        return and_

    def _or(self, e: ast.Or, site):
        a, b = self.expr(e.left, site), self.expr(e.right, site)

        def or_(ctx):
            x = a(ctx)
            if x is True:
                return True
            y = b(ctx)
            if y is True:
                return True
            if isinstance(x, NotRated):
                return x
            if isinstance(y, NotRated):
                return y
            return False
        return or_

    def _conditional(self, e: ast.Conditional, site):
        c, t, o = self.expr(e.condition, site), self.expr(e.then, site), self.expr(e.otherwise, site)

        def conditional(ctx):
            v = c(ctx)
            if isinstance(v, NotRated):
                return NotRated(f"cannot decide '{e.condition}': {v.reason}")
            return t(ctx) if v else o(ctx)
        return conditional

    # calls: one method per built-in function

    def _call(self, e: ast.Call, site):
        impl = getattr(self, "f_" + e.func)
        return impl(e, site)

    def _node_arg(self, e: ast.Call, site) -> Node:
        return resolve_node(e.args[0], self.fw) if e.args else site.owner

    def f_share(self, e, site):
        node_id = self._node_arg(e, site).id

        def share(ctx):
            m = _measure(ctx, node_id)
            if m is None:
                return NotRated("no cases or figures were given")
            v = m.value
            if v is None:
                return NotRated("no inspected case applied")
            if ctx.trace is not None:
                ctx.trace.append(ShareEvent(node_id, m, v))
            return v
        return share

    def f_pooled_share(self, e, site):
        owner_id = site.owner.id
        members = tuple(resolve_nodes(e.args[0], site, self.fw, rated_only=False))

        def pooled_share(ctx):
            own = _measure(ctx, owner_id)
            if own is not None:  # published figures stand in for the answers pooled
                if own.value is None:
                    return NotRated("no inspected case applied")
                if ctx.trace is not None:
                    ctx.trace.append(ShareEvent(owner_id, own, own.value, pooled=True))
                return own.value
            yes = of = 0
            for n in members:
                m = ctx.measures.get(n.id)
                if m is None:
                    continue
                if m.of is None:
                    return NotRated(f"{n.id} has only a percentage, which cannot be pooled")
                yes += m.yes
                of += m.of
            if of == 0:
                return NotRated("no applicable answers to pool")
            v = Fraction(100 * yes, of)
            if ctx.trace is not None:
                ctx.trace.append(ShareEvent(owner_id, Measure(yes, of, None), v, pooled=True))
            return v
        return pooled_share

    def _count(self, e, site, which: str):
        node_id = site.owner.id

        def count(ctx):
            m = _measure(ctx, node_id)
            if m is None:
                return NotRated("no cases or figures were given")
            if m.of is None:
                return NotRated("only a percentage was given, not counts")
            return Fraction(m.yes if which == "yes" else m.of)
        return count

    def f_yes(self, e, site):
        return self._count(e, site, "yes")

    def f_applicable(self, e, site):
        return self._count(e, site, "of")

    def f_band(self, e, site):
        x = self.expr(e.args[0], site)
        table = self.fw.bands[e.args[1].text]
        rounding, lookup = table.rounding, table.lookup

        def band(ctx):
            v = x(ctx)
            if isinstance(v, NotRated):
                return v
            r = rounding.apply(v)
            b = lookup(r)
            if b is None:
                return NotRated(f"{r} falls in no band of '{table.id}'")
            if ctx.trace is not None:
                ctx.trace.append(BandEvent(table, v, r, b))
            return b.level
        return band

    def _pick(self, e, site, func: str):
        members = tuple(resolve_nodes(e.args[0], site, self.fw))
        choose = min if func == "lowest" else max

        def pick(ctx):
            rated = [(n, ctx.ratings.get(n.id)) for n in members]
            rated = [(n, lv) for n, lv in rated if isinstance(lv, Level)]
            if not rated:
                return NotRated("none of " + ", ".join(n.id for n in members) + " is rated")
            level = choose((lv for _, lv in rated), key=lambda lv: lv.index)
            if ctx.trace is not None:
                chosen = tuple(n for n, lv in rated if lv is level)
                ctx.trace.append(PickEvent(func, members, chosen, level))
            return level
        return pick

    def f_lowest(self, e, site):
        return self._pick(e, site, "lowest")

    def f_highest(self, e, site):
        return self._pick(e, site, "highest")

    def f_rating(self, e, site):
        node_id = self._node_arg(e, site).id

        def rating(ctx):
            v = ctx.ratings.get(node_id)
            if v is None:
                return NotRated(f"{node_id} is not rated")
            if isinstance(v, NotRated):
                return NotRated(f"{node_id} is not rated ({v.reason})")
            if ctx.trace is not None:
                ctx.trace.append(RefEvent(node_id))
            return v
        return rating

    def f_is_rated(self, e, site):
        node_id = self._node_arg(e, site).id
        return lambda ctx: isinstance(ctx.ratings.get(node_id), Level)

    def f_score(self, e, site):
        arg = e.args[0]
        if isinstance(arg, ast.String):
            inner = self.f_rating(e, site)
        else:
            inner = self.expr(arg, site)

        def score(ctx):
            lv = inner(ctx)
            if isinstance(lv, NotRated):
                return lv
            if lv.score is None:
                return NotRated(f"'{lv.label}' has no score")
            return lv.score
        return score

    def f_sum_scores(self, e, site):
        members = tuple(resolve_nodes(e.args[0], site, self.fw))
        maximum = _max_score(members)

        def sum_scores(ctx):
            total = Fraction(0)
            for n in members:
                lv = ctx.ratings.get(n.id)
                if not isinstance(lv, Level):
                    why = f" ({lv.reason})" if isinstance(lv, NotRated) else ""
                    return NotRated(f"{n.id} is not rated{why}, so the scores cannot be added up")
                if lv.score is None:
                    return NotRated(f"{n.id}'s rating '{lv.label}' has no score")
                total += lv.score
            if ctx.trace is not None:
                ctx.trace.append(SumEvent(members, total, maximum))
            return total
        return sum_scores

    def f_mean_score(self, e, site):
        members = tuple(resolve_nodes(e.args[0], site, self.fw))

        def mean_score(ctx):
            scored = [n for n in members
                      if isinstance(ctx.ratings.get(n.id), Level) and ctx.ratings[n.id].score is not None]
            if not scored:
                return NotRated("none of the nodes is rated")
            value = Fraction(sum(ctx.ratings[n.id].score for n in scored), len(scored))
            if ctx.trace is not None:
                ctx.trace.append(MeanEvent(tuple(scored), len(members), value))
            return value
        return mean_score

    def f_count(self, e, site):
        members = tuple(resolve_nodes(e.args[0], site, self.fw))
        level_fn = self.expr(e.args[1], site)

        def count(ctx):
            level = level_fn(ctx)
            if isinstance(level, NotRated):
                return level
            return Fraction(sum(1 for n in members if ctx.ratings.get(n.id) is level))
        return count

    def f_count_rated(self, e, site):
        members = tuple(resolve_nodes(e.args[0], site, self.fw))
        return lambda ctx: Fraction(sum(1 for n in members if isinstance(ctx.ratings.get(n.id), Level)))

    def f_nodes(self, e, site):
        members = [resolve_node(a, self.fw) for a in e.args]
        return lambda ctx: members

    def _extreme(self, e, site, pick):
        parts = [self.expr(a, site) for a in e.args]

        def extreme(ctx):
            values = [p(ctx) for p in parts]
            for v in values:
                if isinstance(v, NotRated):
                    return v
            if isinstance(values[0], Level):
                return pick(values, key=lambda lv: lv.index)
            return pick(values)
        return extreme

    def f_min(self, e, site):
        return self._extreme(e, site, min)

    def f_max(self, e, site):
        return self._extreme(e, site, max)

    def f_judgement(self, e, site):
        return self.judgement(site.owner)

    def f_not_rated(self, e, site):
        reason = e.args[0].value if isinstance(e.args[0], ast.String) else "not rated"
        return lambda ctx: NotRated(reason)


def _max_score(members) -> Fraction | None:
    total = Fraction(0)
    for n in members:
        scores = [lv.score for lv in n.scale.levels if lv.score is not None]
        if not scores:
            return None
        total += max(scores)
    return total


def implemented_functions() -> set[str]:
    """The built-ins the compiler implements (a test checks it matches the declarations)."""
    return {name[2:] for name in dir(_Compiler) if name.startswith("f_")}


__all__ = ["CompiledFramework", "Context", "NotRated", "OVERALL"]
