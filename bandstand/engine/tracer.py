"""A second, tracing evaluator of rule expressions, for coverage of rules by examples.

The engine (:mod:`bandstand.engine.compile`) turns each rule into closures
built for speed and records only what explanations need. Coverage needs
more: which branch of every ``if`` was taken and which row of every band
table a ``band(...)`` call landed in, wherever the call sits. Rather than
slow the engine down with hooks that are off almost always, this module
walks a rule's typed AST (:mod:`bandstand.dsl.ast`) and evaluates it with
the same meaning, given the ratings and measures an evaluation reached, and
reports what it passed through to a :class:`Trace`.

It is never the engine: :mod:`bandstand.rulecov` runs the engine first and
checks that every value this evaluator gives is the value the engine gave
(a difference is a bug, raised as such), so coverage cannot quietly drift
from what the engine does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Mapping

from ..dsl import ast
from ..dsl.resolve import Site, resolve_name, resolve_node, resolve_nodes
from ..dsl.model import Framework, Level, Rule
from .bind import Measure
from .compile import NotRated, figure_called, read_figure


@dataclass
class Trace:
    """What evaluations passed through: band rows hit and ``if`` branches taken, with how often."""

    #: (band table id, index of the row in the table) -> times a ``band(...)`` call landed in it
    rows: dict[tuple[str, int], int] = field(default_factory=dict)
    #: (rule, span of the ``if``, "then" | "else") -> times that branch was taken
    branches: dict[tuple[int, tuple[int, int], str], int] = field(default_factory=dict)

    def row(self, table_id: str, index: int) -> None:
        key = (table_id, index)
        self.rows[key] = self.rows.get(key, 0) + 1

    def branch(self, rule: Rule, e: ast.Conditional, taken: str) -> None:
        key = (id(rule), e.span, taken)
        self.branches[key] = self.branches.get(key, 0) + 1

    def merge(self, other: "Trace") -> None:
        for key, n in other.rows.items():
            self.rows[key] = self.rows.get(key, 0) + n
        for branch, n in other.branches.items():
            self.branches[branch] = self.branches.get(branch, 0) + n


class Tracer:
    """Evaluates one rule (a node's or a limit's condition) the way the engine does, recording to a trace.

    ``ratings`` maps node ids to what the evaluation had decided before the
    rule ran (a :class:`~bandstand.dsl.model.Level`, :class:`NotRated`, or
    None for not decided); ``measures`` and ``judgements`` are the bound
    evidence's.
    """

    def __init__(self, fw: Framework, ratings: Mapping[str, Any], measures: Mapping[str, Measure],
                 judgements: Mapping[str, Level | None], trace: Trace, values: Mapping | None = None, progress=None):
        self.progress = progress  # the bound evidence's progress records (engine.progress.Book), if any
        self.fw = fw
        self.values = values if values is not None else {}  # the bound evidence's published figures, by node id
        self.ratings = ratings
        self.measures = measures
        self.judgements = judgements
        self.trace = trace
        # set by run() before any expression is evaluated
        self.rule: Rule = None  # type: ignore[assignment]
        self.site: Site = None  # type: ignore[assignment]

    def run(self, site: Site) -> Any:
        self.site, self.rule = site, site.rule
        return self._eval(site.rule.expr)

    # -- expressions -------------------------------------------------------------------------------

    def _eval(self, e: ast.Expr) -> Any:
        if isinstance(e, (ast.Number, ast.String, ast.Boolean)):
            return e.value
        if isinstance(e, ast.Name):
            return resolve_name(e, self.site, self.fw)[1]
        if isinstance(e, ast.Negate):
            v = self._eval(e.operand)
            return v if isinstance(v, NotRated) else -v
        if isinstance(e, ast.Arith):
            return self._arith(e)
        if isinstance(e, ast.Compare):
            return self._compare(e)
        if isinstance(e, ast.Not):
            v = self._eval(e.operand)
            return v if isinstance(v, NotRated) else not v
        if isinstance(e, (ast.And, ast.Or)):
            return self._logic(e, isinstance(e, ast.And))
        if isinstance(e, ast.Conditional):
            v = self._eval(e.condition)
            if isinstance(v, NotRated):
                return NotRated(f"cannot decide '{e.condition}': {v.reason}")
            self.trace.branch(self.rule, e, "then" if v else "else")
            return self._eval(e.then) if v else self._eval(e.otherwise)
        if isinstance(e, ast.Call):
            return getattr(self, "f_" + e.func)(e)
        raise TypeError(f"no such expression: {e!r}")  # pragma: no cover - the AST has no other node types

    def _arith(self, e: ast.Arith):
        x, y = self._eval(e.left), self._eval(e.right)
        if isinstance(x, NotRated):
            return x
        if isinstance(y, NotRated):
            return y
        if e.op == "+":
            return x + y
        if e.op == "-":
            return x - y
        if e.op == "*":
            return x * y
        if y == 0:
            return NotRated(f"division by zero in '{e}'")
        return Fraction(x) / y

    def _compare(self, e: ast.Compare):
        x, y = self._eval(e.left), self._eval(e.right)
        if isinstance(x, NotRated):
            return x
        if isinstance(y, NotRated):
            return y
        if isinstance(x, Level):
            x, y = x.index, y.index
        if e.op == "==":
            return x == y
        if e.op == "!=":
            return x != y
        return _order(e.op, x, y)

    def _logic(self, e, is_and: bool):
        stop = not is_and  # and: False decides; or: True decides
        x = self._eval(e.left)
        if x is stop:
            return stop
        y = self._eval(e.right)
        if y is stop:
            return stop
        if isinstance(x, NotRated):
            return x
        if isinstance(y, NotRated):
            return y
        return not stop

    # -- built-in functions: one method each, as the engine has ---------------------------------------

    def _node_id(self, e: ast.Call) -> str:
        return resolve_node(e.args[0], self.fw).id if e.args else self.site.owner.id

    def _members(self, arg, rated_only: bool = True):
        return resolve_nodes(arg, self.site, self.fw, rated_only=rated_only)

    def f_share(self, e):
        m = self.measures.get(self._node_id(e))
        if m is None:
            return NotRated("no cases or figures were given")
        return NotRated("no inspected case applied") if m.value is None else m.value

    def f_pooled_share(self, e):
        own = self.measures.get(self.site.owner.id)
        if own is not None:
            return NotRated("no inspected case applied") if own.value is None else own.value
        yes = of = 0
        for n in self._members(e.args[0], rated_only=False):
            m = self.measures.get(n.id)
            if m is None:
                continue
            if m.of is None:
                return NotRated(f"{n.id} has only a percentage, which cannot be pooled")
            yes += m.yes
            of += m.of
        return NotRated("no applicable answers to pool") if of == 0 else Fraction(100 * yes, of)

    def _count(self, which: str):
        m = self.measures.get(self.site.owner.id)
        if m is None:
            return NotRated("no cases or figures were given")
        if m.of is None:
            return NotRated("only a percentage was given, not counts")
        # counts come as a pair (the evidence schema's dependentRequired), so of given means yes is too
        return Fraction(m.yes if which == "yes" else m.of)  # type: ignore[arg-type]

    def f_yes(self, e):
        return self._count("yes")

    def f_applicable(self, e):
        return self._count("of")

    def f_band(self, e):
        v = self._eval(e.args[0])
        if isinstance(v, NotRated):
            return v
        table = self.fw.bands[e.args[1].text]
        r = table.rounding.apply(v)
        band = table.lookup(r)
        if band is None:
            return NotRated(f"{r} falls in no band of '{table.id}'")
        self.trace.row(table.id, next(i for i, b in enumerate(table.bands) if b is band))
        return band.level

    def _pick(self, e, choose):
        rated = [lv for n in self._members(e.args[0]) if isinstance(lv := self.ratings.get(n.id), Level)]
        if not rated:
            return NotRated("none is rated")
        return choose(rated, key=lambda lv: lv.index)

    def f_lowest(self, e):
        return self._pick(e, min)

    def f_highest(self, e):
        return self._pick(e, max)

    def f_rating(self, e):
        node_id = self._node_id(e)
        v = self.ratings.get(node_id)
        if v is None:
            return NotRated(f"{node_id} is not rated")
        if isinstance(v, NotRated):
            return NotRated(f"{node_id} is not rated ({v.reason})")
        return v

    def f_is_rated(self, e):
        return isinstance(self.ratings.get(self._node_id(e)), Level)

    def f_score(self, e):
        lv = self.f_rating(e) if isinstance(e.args[0], ast.String) else self._eval(e.args[0])
        if isinstance(lv, NotRated):
            return lv
        return NotRated(f"'{lv.label}' has no score") if lv.score is None else lv.score

    def f_sum_scores(self, e):
        total = Fraction(0)
        for n in self._members(e.args[0]):
            lv = self.ratings.get(n.id)
            if not isinstance(lv, Level):
                return NotRated(f"{n.id} is not rated, so the scores cannot be added up")
            if lv.score is None:
                return NotRated(f"{n.id}'s rating '{lv.label}' has no score")
            total += lv.score
        return total

    def f_mean_score(self, e):
        scores = [lv.score for n in self._members(e.args[0])
                  if isinstance(lv := self.ratings.get(n.id), Level) and lv.score is not None]
        return Fraction(sum(scores), len(scores)) if scores else NotRated("none of the nodes is rated")

    def f_count(self, e):
        level = self._eval(e.args[1])
        if isinstance(level, NotRated):
            return level
        return Fraction(sum(1 for n in self._members(e.args[0]) if self.ratings.get(n.id) is level))

    def f_count_rated(self, e):
        return Fraction(sum(1 for n in self._members(e.args[0]) if isinstance(self.ratings.get(n.id), Level)))

    def f_nodes(self, e):
        return [resolve_node(a, self.fw) for a in e.args]

    def _extreme(self, e, pick):
        values = [self._eval(a) for a in e.args]
        for v in values:
            if isinstance(v, NotRated):
                return v
        if isinstance(values[0], Level):
            return pick(values, key=lambda lv: lv.index)
        return pick(values)

    def f_min(self, e):
        return self._extreme(e, min)

    def f_max(self, e):
        return self._extreme(e, max)

    def f_judgement(self, e):
        level = self.judgements.get(self.site.owner.id)
        return level if level is not None else NotRated("no judgement was given")

    def _figure(self, e, kind: str):
        node_id, figure = figure_called(e, self.site, self.fw, kind)
        return read_figure(self.values, node_id, figure)[0]

    def f_value(self, e):
        return self._figure(e, "value")

    def f_previous(self, e):
        return self._figure(e, "previous")

    def f_comparator(self, e):
        return self._figure(e, "comparator")

    def f_not_rated(self, e):
        return NotRated(e.args[0].value if isinstance(e.args[0], ast.String) else "not rated")

    def f_status(self, e):
        node_id = self.site.owner.id
        level = self.progress.statuses.get(node_id) if self.progress is not None else None
        return level if level is not None else NotRated(f"no status of {node_id} was given")

    def f_due(self, e):
        node_id = self.site.owner.id
        book = self.progress
        if book is not None and node_id in book.due:
            return book.due[node_id]
        if book is not None and node_id in book.no_due:
            return NotRated(f"no due day is set for {node_id}")
        return NotRated(f"no due day of {node_id} was given")

    def f_evaluated_on(self, e):
        book = self.progress
        return book.on if book is not None and book.on is not None else NotRated("no day to evaluate on was given")


def _order(op: str, x, y) -> bool:
    if op == "<":
        return x < y
    if op == "<=":
        return x <= y
    if op == ">":
        return x > y
    return x >= y


def traced_functions() -> set[str]:
    """The built-ins this evaluator implements (a test checks it matches the engine's)."""
    return {name[2:] for name in dir(Tracer) if name.startswith("f_")}


__all__ = ["Trace", "Tracer", "traced_functions"]
