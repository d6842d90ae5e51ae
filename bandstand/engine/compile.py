"""Rule ASTs to a plan of steps, once per framework: the one engine every public path runs.

A :class:`CompiledFramework` is the plan: every node has a slot (an integer),
and every rated node, in dependency order, a :class:`Step` holding one
closure ``fn(ctx) -> value`` built from its rule's AST and its limits.
Names, node references and band tables are resolved here, once, to slots,
so evaluation neither walks YAML data nor re-resolves a name; ratings live
in a list indexed by slot. No text is ever ``eval``-ed. The plan is
immutable once built and shared between threads; its only mutable parts
are memos (margins by table and figures) whose entries never change.

Values at run time are ``Fraction`` (numbers), ``bool``, ``Level``,
``str``, lists of nodes, or :class:`NotRated`, which carries its reason and
passes through whatever uses it (as SQL's NULL does, with a reason).

The closures report what they decide to ``ctx.trace`` when it is a list
(explaining) and skip that work when it is None (ratings only).
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Any, Callable, Mapping

from ..dsl import ast
from ..dsl.resolve import Site, facts, resolve_name, resolve_node, resolve_nodes
from ..dsl.model import OVERALL, Band, BandTable, Framework, Level, Limit, Node
from .bind import Measure

if TYPE_CHECKING:
    from .result import SharedNodeResult


class NotRated:
    """No value, and why."""

    __slots__ = ("reason",)

    def __init__(self, reason: str):
        self.reason = reason

    def __repr__(self) -> str:
        return f"NotRated({self.reason!r})"


# -- trace events: what the interpreter decided, in the order it decided it ------------


class _Event:
    """A fact recorded while deciding a node (explaining only)."""

    __slots__: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={getattr(self, k)!r}' for k in self.__slots__)})"


class ShareEvent(_Event):
    __slots__ = ("node_id", "measure", "value", "pooled")

    def __init__(self, node_id: str, measure: Measure, value, pooled: bool = False):
        self.node_id, self.measure, self.value, self.pooled = node_id, measure, value, pooled


class BandEvent(_Event):
    __slots__ = ("table", "value", "rounded", "band")

    def __init__(self, table: BandTable, value, rounded, band: Band):
        self.table, self.value, self.rounded, self.band = table, value, rounded, band


class PickEvent(_Event):
    __slots__ = ("func", "nodes", "chosen", "level", "plural")

    def __init__(self, func: str, nodes: tuple[Node, ...], chosen: tuple[Node, ...], level: Level, plural: str):
        self.func, self.nodes, self.chosen, self.level, self.plural = func, nodes, chosen, level, plural


class SumEvent(_Event):
    __slots__ = ("nodes", "total", "maximum", "plural")

    def __init__(self, nodes: tuple[Node, ...], total, maximum, plural: str):
        self.nodes, self.total, self.maximum, self.plural = nodes, total, maximum, plural


class MeanEvent(_Event):
    __slots__ = ("nodes", "of", "value", "plural")

    def __init__(self, nodes: tuple[Node, ...], of: int, value: Fraction, plural: str):
        #: the nodes whose scores were averaged (the rated ones), how many the mean was asked of
        self.nodes, self.of, self.value, self.plural = nodes, of, value, plural


class JudgementEvent(_Event):
    __slots__ = ("level", "note")

    def __init__(self, level: Level | None, note: str | None):
        self.level, self.note = level, note


class StatusEvent(_Event):
    """The status the evidence records for a node (``status()``), with its note."""

    __slots__ = ("level", "note")

    def __init__(self, level: Level, note: str | None):
        self.level, self.note = level, note


class DateEvent(_Event):
    """A day a rule read: ``what`` is "due" (``due()``) or "evaluated on" (``evaluated_on()``)."""

    __slots__ = ("what", "day")

    def __init__(self, what: str, day):
        self.what, self.day = what, day


class RefEvent(_Event):
    __slots__ = ("node_id",)

    def __init__(self, node_id: str):
        self.node_id = node_id


class FigureEvent(_Event):
    """A published figure a rule read: of ``node_id``, which (``value``, ``previous``, ``comparator:NAME``), the
    number, and the reading it came from (its period, label and source)."""

    __slots__ = ("node_id", "figure", "value", "reading")

    def __init__(self, node_id: str, figure: str, value, reading):
        self.node_id, self.figure, self.value, self.reading = node_id, figure, value, reading


def plural(nodes) -> str:
    """'key questions', 'standards': the tier's plural when every node is of one tier, else 'nodes'."""
    tiers = {n.tier.id for n in nodes if n.tier is not None}
    if len(tiers) == 1:
        tier = next(n.tier for n in nodes if n.tier is not None)
        return tier.plural or tier.label.lower() + "s"
    return "nodes"


class Context:
    """The state of one evaluation."""

    __slots__ = ("ratings", "measures", "judgements", "notes", "trace", "owner", "override", "plan", "values",
                 "progress")

    def __init__(self, plan: "CompiledFramework", measures, judgements, notes, values=None, progress=None):
        self.plan = plan
        self.ratings: list[Any] = [None] * len(plan.index)  # by slot; None: not decided (yet)
        self.measures: dict[str, Measure] = measures
        self.judgements: dict[str, Level | None] = judgements
        self.notes: dict[str, str] = notes
        self.trace: list | None = None
        self.owner: Node | None = None
        self.override: Measure | None = None  # a what-if measure for the owner (margins)
        self.values: dict = values if values is not None else {}  # node id -> published figures (Values)
        self.progress = progress  # the evidence's progress records and the day evaluated on (engine.progress.Book)

    @classmethod
    def start(cls, plan: "CompiledFramework", measures, judgements, notes, values=None, progress=None) -> "Context":
        """``Context(plan, measures, judgements, notes, values, progress)``, made without calling the class (once
        an evaluation: on CPython 3.11 a call of a class with an ``__init__`` in Python costs more than the fields
        it sets)."""
        ctx = _new(cls)
        ctx.plan, ctx.ratings, ctx.measures, ctx.judgements, ctx.notes = (plan, [None] * len(plan.index), measures,
                                                                          judgements, notes)
        ctx.trace = ctx.owner = ctx.override = None
        ctx.values = values if values is not None else {}
        ctx.progress = progress
        return ctx


Fn = Callable[[Context], Any]
_new = object.__new__


def _measure(ctx: Context, node_id: str) -> Measure | None:
    if ctx.override is not None and ctx.owner is not None and ctx.owner.id == node_id:
        return ctx.override
    return ctx.measures.get(node_id)


def _nr_reason(v: NotRated, prefix: str = "") -> NotRated:
    return NotRated(prefix + v.reason) if prefix else v


# -- the compiler ------------------------------------------------------------------------


class LimitStep:
    """A limit on a step's node and its compiled condition."""

    __slots__ = ("limit", "cond")

    def __init__(self, limit: Limit, cond: Fn):
        self.limit, self.cond = limit, cond


class Step:
    """One rated node of the plan: its slot, its rule compiled, its limits, and what its margins need."""

    __slots__ = ("node", "slot", "fn", "limits", "own_share", "share_table", "banded")

    def __init__(self, node: Node, slot: int, fn: Fn, limits: tuple[LimitStep, ...], own_share: bool,
                 share_table: BandTable | None, banded: tuple | None):
        self.node, self.slot, self.fn, self.limits = node, slot, fn, limits
        #: its rule reads its own share of cases (margins in cases)
        self.own_share = own_share
        #: the band table of a rule that is exactly ``band(share(), table)``: its margins are found from the
        #: table, without running the rule again
        self.share_table = share_table
        #: a rule that is exactly ``band(x, table)``: (table, "sum" | "mean" | "other", the nodes x reads the
        #: scores of); its margins move x along the values it can take
        self.banded = banded


class Shown:
    """What a node's result shows whatever the evidence: worked out once per framework."""

    __slots__ = ("node", "id", "slot", "title", "tier", "rated", "how", "judged", "children", "reference",
                 "unrated_reason", "shared")

    def __init__(self, node: Node, slot: int):
        self.node = node
        self.id = node.id
        self.slot = slot
        self.title = node.title or node.question
        self.tier = node.tier.id if node.tier else None
        self.rated = node.rated
        self.how = "not rated" if not node.rated else "judgement" if node.is_judged else "rule"
        self.judged = self.how == "judgement"
        self.children = tuple(c.id for c in node.children)
        self.reference = node.reference
        self.unrated_reason = None if node.rated else _unrated_reason(node)
        #: an unrated node's result when it has no measure, without and with reasons (made on first use)
        self.shared: list[SharedNodeResult | None] = [None, None]


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


class CompiledFramework:
    """A framework ready to evaluate (the plan): immutable once built, safe to share between threads."""

    def __init__(self, framework: Framework):
        self.framework = framework
        #: every node's slot in a context's ratings
        self.index: dict[str, int] = {node_id: i for i, node_id in enumerate(framework.nodes)}
        compiler = _Compiler(framework, self.index)
        known = facts(framework)  # what the resolve pass recorded of each rule
        parts: dict[str, list] = {}
        for node in framework.nodes.values():
            if not node.rated:
                continue
            if node.is_judged:
                parts[node.id] = [node, compiler.judgement(node), [], False, None, None]
            else:
                f = known.rules[node.id]
                assert node.rule is not None  # known.rules holds only nodes with a rule (their own or their tier's)
                parts[node.id] = [node, compiler.expr(node.rule.expr, f.site), [], f.cases_here, f.share_table,
                                  f.banded]
        for lim in framework.limits:
            site = known.limits[lim.id].site
            parts[lim.applies_to][2].append(LimitStep(lim, compiler.expr(lim.when.expr, site)))
        steps = {node_id: Step(node, self.index[node_id], fn, tuple(limits), own, table, banded)
                 for node_id, (node, fn, limits, own, table, banded) in parts.items()}
        self.order: tuple[Step, ...] = tuple(steps[i] for i in _order(framework, steps))
        self.steps = steps
        #: each step as the ratings-only loop runs it: (rule, slot, the step when it has limits) in order; the
        #: rule as it runs untraced where the compiler made that form of it
        self.steps_run: tuple[tuple[Fn, int, Step | None], ...] = tuple(
            (compiler.untraced.get(step.fn, step.fn), step.slot, step if step.limits else None) for step in self.order)
        #: the plan as the ratings-only loop reads it: ``steps_run``, with each run of untraced band(share(), t)
        #: steps without limits one step (:func:`_band_shares`)
        self.run: tuple[tuple[Fn, int, Step | None], ...] = _fused(self.steps_run, compiler.shares)
        self.shown: tuple[Shown, ...] = tuple(Shown(n, self.index[n.id]) for n in framework.nodes.values())
        self.shown_by_id: dict[str, Shown] = {s.id: s for s in self.shown}
        self.rated_shown: tuple[Shown, ...] = tuple(s for s in self.shown if s.rated)
        #: without and with reasons: every node id in order -> the shared result of an unrated node (None for
        #: the rated), copied to start each result (engine.evaluate), made on first use
        self.shown_template: list[dict | None] = [None, None]
        #: per scale (by object id: the framework holds them): (lowest score, highest score, the gaps between
        #: its scores in order), or None when no level has a score
        self.scale_scores: dict[int, tuple | None] = {id(sc): _scale_scores(sc) for sc in framework.scales.values()}
        for n in framework.nodes.values():
            if n.scale is not None and id(n.scale) not in self.scale_scores:
                self.scale_scores[id(n.scale)] = _scale_scores(n.scale)
        #: memos of margins: by table id and figures, and (score step, whether uniform, lowest and highest total)
        #: of the scales of the nodes summed; what they hold
        #: depends only on the framework, so entries never change once made
        self.margin_memo: dict[tuple, tuple] = {}
        self.score_steps: dict[tuple, tuple] = {}
        #: the parts of reasons that depend only on the framework (engine.explain), made on first use
        self.texts: dict = {}


def _fused(run: tuple[tuple[Fn, int, "Step | None"], ...], shares: dict[Fn, tuple[str, dict, Callable]]) \
        -> tuple[tuple[Fn, int, "Step | None"], ...]:
    """``run`` with each run of two or more untraced band(share(), table) steps without limits as one step."""
    out: list[tuple[Fn, int, Step | None]] = []
    group: list[tuple[Fn, int, Step | None]] = []

    def close() -> None:
        if len(group) > 1:
            members = tuple((*shares[fn][:1], slot, *shares[fn][1:]) for fn, slot, _ in group)
            out.append((_band_shares(members), group[-1][1], None))
        else:
            out.extend(group)
        group.clear()

    for entry in run:
        if entry[2] is None and entry[0] in shares:
            group.append(entry)
        else:
            close()
            out.append(entry)
    close()
    return tuple(out)


def _band_shares(members: tuple[tuple[str, int, dict, Callable], ...]) -> Fn:
    """Untraced band(share(), table) steps one after another as one step: each node rated as its own untraced
    step rates it (``band_share_untraced`` in :meth:`_Compiler.f_band`), into its slot; the last one's value
    returned, for its slot. (One call for many: the call and the loop's turn cost what a step does.)"""

    def band_shares(ctx):
        measures, ratings = ctx.measures, ctx.ratings
        value = None
        for node_id, slot, found, answer in members:
            m = measures.get(node_id)
            if m is None:
                value = NotRated("no cases or figures were given")
            else:
                v = m.value
                if v is None:
                    value = NotRated("no inspected case applied")
                else:
                    value = (found.get(v if type(v) is int else (v.numerator, v.denominator)) or answer(v))[2]
            ratings[slot] = value
        return value
    return band_shares


def _scale_scores(scale) -> tuple | None:
    scores = sorted(lv.score for lv in scale.levels if lv.score is not None)
    gaps = tuple(b - a for a, b in zip(scores, scores[1:]))
    return (scores[0], scores[-1], gaps) if scores else None


def _order(fw: Framework, programs: dict[str, Step]) -> list[str]:
    """Dependency order: every node after the nodes its rule or limits read."""
    deps: dict[str, list[str]] = {i: [] for i in programs}
    for f in facts(fw).rated():
        if f.site.owner.id in deps:
            deps[f.site.owner.id].extend(d.id for d in f.depends_on if d.id in programs)
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
    def __init__(self, fw: Framework, index: dict[str, int]):
        self.fw = fw
        self.index = index
        #: a rule's closure -> the same rule for a context that neither traces nor tries a what-if measure
        #: (``ctx.trace`` and ``ctx.override`` None: the ratings-only run), where a step's checks of them cost
        #: a measurable part of it
        self.untraced: dict[Fn, Fn] = {}
        #: the untraced form of a rule that is exactly band(share(), table) -> (its node's id, the table's
        #: answers by value, the function that works out and keeps one): what :func:`_band_shares` reads
        self.shares: dict[Fn, tuple[str, dict, Callable]] = {}

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
        table = self.fw.bands[e.args[1].text]
        rounding, lookup = table.rounding, table.lookup
        # value -> (rounded, band, level or NotRated): the table's answer depends on the value alone. A whole value
        # is its own key; any other is keyed by (numerator, denominator), since hashing and comparing a Fraction
        # runs in Python (about 1.5 us a look-up: most of a ratings-only evaluation from cases, whose shares such
        # as 1 of 3 are not whole)
        found: dict = {}

        def answer(v) -> tuple:
            if len(found) >= 4096:
                found.clear()
            r = rounding.apply(v)
            b = lookup(r)
            hit = (r, b, NotRated(f"{r} falls in no band of '{table.id}'") if b is None else b.level)
            found[v if type(v) is int else (v.numerator, v.denominator)] = hit
            return hit

        arg = e.args[0]
        if isinstance(arg, ast.Call) and arg.func == "share":  # band(share(...), t): one step, no call between
            node_id = self._node_arg(arg, site).id

            def band_share(ctx):
                m = ctx.override
                if m is None or ctx.owner.id != node_id:
                    m = ctx.measures.get(node_id)
                    if m is None:
                        return NotRated("no cases or figures were given")
                v = m.value
                if v is None:
                    return NotRated("no inspected case applied")
                hit = found.get(v if type(v) is int else (v.numerator, v.denominator))
                if hit is None:
                    hit = answer(v)
                trace = ctx.trace
                if trace is None:
                    return hit[2]
                trace.append(ShareEvent(node_id, m, v))
                if hit[1] is not None:
                    trace.append(BandEvent(table, v, hit[0], hit[1]))
                return hit[2]

            def band_share_untraced(ctx):  # the same, where nothing is traced or tried (see self.untraced)
                m = ctx.measures.get(node_id)
                if m is None:
                    return NotRated("no cases or figures were given")
                v = m.value
                if v is None:
                    return NotRated("no inspected case applied")
                hit = found.get(v if type(v) is int else (v.numerator, v.denominator))
                return (hit or answer(v))[2]
            self.untraced[band_share] = band_share_untraced
            self.shares[band_share_untraced] = (node_id, found, answer)
            return band_share
        x = self.expr(arg, site)

        def band(ctx):
            v = x(ctx)
            if isinstance(v, NotRated):
                return v
            hit = found.get(v if type(v) is int else (v.numerator, v.denominator)) or answer(v)
            if ctx.trace is not None and hit[1] is not None:
                ctx.trace.append(BandEvent(table, v, hit[0], hit[1]))
            return hit[2]
        return band

    def _pick(self, e, site, func: str):
        members = tuple(resolve_nodes(e.args[0], site, self.fw))
        slots = tuple((n, self.index[n.id]) for n in members)
        just_slots = tuple(i for _, i in slots)
        none_rated = "none of " + ", ".join(n.id for n in members) + " is rated"
        shown = plural(members)

        lowest = func == "lowest"

        def pick(ctx):
            ratings = ctx.ratings
            level = None
            if lowest:
                for i in just_slots:
                    lv = ratings[i]
                    if isinstance(lv, Level) and (level is None or lv.index < level.index):
                        level = lv
            else:
                for i in just_slots:
                    lv = ratings[i]
                    if isinstance(lv, Level) and (level is None or lv.index > level.index):
                        level = lv
            if level is None:
                return NotRated(none_rated)
            if ctx.trace is not None:
                chosen = tuple(n for n, i in slots if ratings[i] is level)
                ctx.trace.append(PickEvent(func, members, chosen, level, shown))
            return level
        return pick

    def f_lowest(self, e, site):
        return self._pick(e, site, "lowest")

    def f_highest(self, e, site):
        return self._pick(e, site, "highest")

    def f_rating(self, e, site):
        node_id = self._node_arg(e, site).id
        slot = self.index[node_id]

        def rating(ctx):
            v = ctx.ratings[slot]
            if v is None:
                return NotRated(f"{node_id} is not rated")
            if isinstance(v, NotRated):
                return NotRated(f"{node_id} is not rated ({v.reason})")
            if ctx.trace is not None:
                ctx.trace.append(RefEvent(node_id))
            return v
        return rating

    def f_is_rated(self, e, site):
        slot = self.index[self._node_arg(e, site).id]
        return lambda ctx: isinstance(ctx.ratings[slot], Level)

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
        slots = tuple((n, self.index[n.id]) for n in members)
        maximum = max_score(members)
        # whole scores are added as ints (the scale's scores, not Fractions)
        whole = all(lv.score is None or lv.score.denominator == 1 for n in members for lv in n.scale.levels)
        scores = {lv: (int(lv.score) if whole else lv.score) for n in members for lv in n.scale.levels
                  if lv.score is not None}  # (levels compare by identity)
        just_slots = tuple(i for _, i in slots)
        shown = plural(members)

        def sum_scores(ctx):
            ratings = ctx.ratings
            try:  # every member rated with a level of its scale that has a score: add them up
                total = 0
                for i in just_slots:
                    total += scores[ratings[i]]
            except (KeyError, TypeError):
                total = added_up(ctx.ratings)
                if isinstance(total, NotRated):
                    return total
            if ctx.trace is not None:
                ctx.trace.append(SumEvent(members, total, maximum, shown))
            return total

        def added_up(ratings):  # one by one: the member that is not rated (or has no score) says why
            total = 0
            for n, i in slots:
                lv = ratings[i]
                if not isinstance(lv, Level):
                    why = f" ({lv.reason})" if isinstance(lv, NotRated) else ""
                    return NotRated(f"{n.id} is not rated{why}, so the scores cannot be added up")
                score = scores.get(lv)
                if score is None:
                    if lv.score is None:
                        return NotRated(f"{n.id}'s rating '{lv.label}' has no score")
                    score = lv.score
                total += score
            return total  # (a level of another scale that has a score: added as it is)
        return sum_scores

    def f_mean_score(self, e, site):
        members = tuple(resolve_nodes(e.args[0], site, self.fw))
        slots = tuple((n, self.index[n.id]) for n in members)

        def mean_score(ctx):
            ratings = ctx.ratings
            scored = [(n, lv) for n, i in slots if isinstance(lv := ratings[i], Level) and lv.score is not None]
            if not scored:
                return NotRated("none of the nodes is rated")
            value = Fraction(sum(lv.score for _, lv in scored), len(scored))
            if ctx.trace is not None:
                nodes = tuple(n for n, _ in scored)
                ctx.trace.append(MeanEvent(nodes, len(members), value, plural(nodes)))
            return value
        return mean_score

    def f_count(self, e, site):
        slots = tuple(self.index[n.id] for n in resolve_nodes(e.args[0], site, self.fw))
        level_fn = self.expr(e.args[1], site)

        def count(ctx):
            level = level_fn(ctx)
            if isinstance(level, NotRated):
                return level
            ratings = ctx.ratings
            return Fraction(sum(1 for i in slots if ratings[i] is level))
        return count

    def f_count_rated(self, e, site):
        slots = tuple(self.index[n.id] for n in resolve_nodes(e.args[0], site, self.fw))
        return lambda ctx: Fraction(sum(1 for i in slots if isinstance(ctx.ratings[i], Level)))

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

    def _figure(self, e, site, figure: str) -> Fn:
        """A published figure of a node (the evidence's ``values``): the number, or not rated with why not."""
        node_id, figure = figure_called(e, site, self.fw, figure)

        def figure_of(ctx):
            v, reading = read_figure(ctx.values, node_id, figure)
            if ctx.trace is not None and reading is not None and not isinstance(v, NotRated):
                ctx.trace.append(FigureEvent(node_id, figure, v, reading))
            return v
        return figure_of

    def f_value(self, e, site):
        return self._figure(e, site, "value")

    def f_previous(self, e, site):
        return self._figure(e, site, "previous")

    def f_comparator(self, e, site):
        return self._figure(e, site, "comparator")

    def f_not_rated(self, e, site):
        reason = e.args[0].value if isinstance(e.args[0], ast.String) else "not rated"
        return lambda ctx: NotRated(reason)

    def f_status(self, e, site):
        node_id = site.owner.id

        def status(ctx):
            book = ctx.progress
            level = book.statuses.get(node_id) if book is not None else None
            if level is None:
                return NotRated(f"no status of {node_id} was given")
            if ctx.trace is not None:
                ctx.trace.append(StatusEvent(level, book.notes.get(node_id)))
            return level
        return status

    def f_due(self, e, site):
        node_id = site.owner.id

        def due(ctx):
            book = ctx.progress
            d = book.due.get(node_id) if book is not None else None
            if d is None:
                if book is not None and node_id in book.no_due:
                    return NotRated(f"no due day is set for {node_id}")
                return NotRated(f"no due day of {node_id} was given")
            if ctx.trace is not None:
                ctx.trace.append(DateEvent("due", d))
            return d
        return due

    def f_evaluated_on(self, e, site):
        def evaluated_on(ctx):
            book = ctx.progress
            if book is None or book.on is None:
                return NotRated("no day to evaluate on was given")
            if ctx.trace is not None:
                ctx.trace.append(DateEvent("evaluated on", book.on))
            return book.on
        return evaluated_on


def figure_called(e: ast.Call, site: Site, fw: Framework, kind: str) -> tuple[str, str]:
    """(the node id, the figure: ``value``, ``previous`` or ``comparator:NAME``) a call of ``kind`` reads."""
    args = e.args[:-1] if kind == "comparator" else e.args
    node_id = resolve_node(args[0], fw).id if args else site.owner.id
    last = e.args[-1] if e.args else None
    if kind == "comparator" and isinstance(last, ast.String):
        kind += ":" + last.value
    return node_id, kind


def read_figure(values: Mapping[str, Any], node_id: str, figure: str) -> tuple[Any, Any]:
    """(the number, or NotRated with why not; the evidence's reading of it, or None) of a published figure."""
    if figure == "value":
        what = f"the value of {node_id}"
    elif figure == "previous":
        what = f"the value of {node_id} for the previous period"
    else:
        what = f"the {figure.split(':', 1)[1]} comparator of {node_id}"
    v = values.get(node_id)
    r = None
    if v is not None:
        r = v.value if figure == "value" else v.previous if figure == "previous" else \
            v.comparators.get(figure.split(":", 1)[1])
    if r is None:  # binding lets a figure be missing only where the evidence is declared partial
        return NotRated(f"{what} was not given (the evidence is declared partial)"), None
    if r.value is None:
        return NotRated(f"{what} is not available: {r.reason}"), r
    return r.value, r


def max_score(members) -> Fraction | None:
    """The highest total score the members' ratings can reach; None when one of them has no scored level."""
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
