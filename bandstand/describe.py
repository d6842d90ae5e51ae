"""Rules in plain English, generated from their ASTs.

One small describer per construct of the rule language, so that a reader
who does not read expressions learns how a rating is reached, and a changed
rule changes its description with nothing else edited. Descriptions are
plain text; whoever renders them escapes them.

>>> from bandstand.catalogue import Catalogue
>>> fw = Catalogue().resolve("hmip-youth@2018")
>>> describe_rule(fw.nodes["2.1"], fw)
'the lowest rating of its key questions'
>>> describe_rule(fw.nodes["2.1.1"], fw)
'the share of inspected cases judged sufficient, rounded to whole numbers (halves rounded up), banded by the key question bands'
>>> describe_limit(fw.limits[0], fw)
'If 4.1 is rated Inadequate, the overall rating is at most Good.'
"""

from __future__ import annotations

import math
from typing import Callable, TypeGuard

from .dsl import ast
from .dsl.checks import interval_of
from .dsl.functions import FUNCTIONS
from .dsl.resolve import ResolveError, Site, resolve_name, resolve_nodes
from .dsl.model import OVERALL, BandTable, Framework, Limit, Node, Tier, fmt_number

__all__ = ["describe", "describe_rule", "describe_limit", "plural", "table_name", "node_set_name"]


def plural(tier: Tier) -> str:
    """The lower-case plural of a tier's label: ``key questions``."""
    return tier.plural or tier.label.lower() + "s"


def table_name(table: BandTable) -> str:
    """How a sentence names a band table: ``the key question bands``.

    The label's first letter is lowered unless the first word is an
    acronym (``HMIP bands`` stays as it is).
    """
    label = table.label or f"{table.id} bands"
    first = label.split(" ", 1)[0]
    if not (len(first) > 1 and first.isupper()):
        label = label[:1].lower() + label[1:]
    return f"the {label}"


def _list(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def node_set_name(nodes: list[Node], fw: Framework, *, word: str | None = None) -> str:
    """A set of nodes in words: ``its key questions``, ``the 12 standards that count toward the overall rating``.

    ``word`` is the name the rule used (``children``, ``counted``), or None
    for nodes named one by one.
    """
    tiers = {n.tier.id for n in nodes if n.tier is not None}
    kind = plural(nodes[0].tier) if len(tiers) == 1 and nodes[0].tier is not None else "nodes"
    if word == "children":
        return f"its {kind}"
    if word == "counted":
        return f"the {len(nodes)} {kind} that count toward the overall rating"
    return _list([n.id for n in nodes])


_COMPARE = {"==": "is", "!=": "is not", "<": "is below", "<=": "is at most", ">": "is above", ">=": "is at least"}
_RATED = {"==": "is rated", "!=": "is not rated", "<": "is rated below", "<=": "is rated at most",
          ">": "is rated above", ">=": "is rated at least"}
_DATES = {"==": "is", "!=": "is not", "<": "is before", "<=": "is on or before", ">": "is after",
          ">=": "is on or after"}
_NEGATED = {"==": "!=", "!=": "==", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}
_FLIPPED = {"==": "==", "!=": "!=", "<": ">", ">": "<", "<=": ">=", ">=": "<="}
_ARITH = {"+": "plus", "-": "minus", "*": "times", "/": "divided by"}


class _Describer:
    """Describes the expressions of one rule, in its place (whose rule it is)."""

    def __init__(self, site: Site, fw: Framework):
        self.site, self.fw = site, fw

    def __call__(self, e: ast.Expr) -> str:
        method: Callable[[ast.Expr], str] = getattr(self, "_" + type(e).__name__.lower())
        try:
            return method(e)
        except (ResolveError, IndexError, KeyError, AttributeError):
            # a rule the checks would reject; describe it as written rather than fail
            return str(e)

    # -- atoms ------------------------------------------------------------

    def _number(self, e: ast.Number) -> str:
        return fmt_number(e.value)

    def _string(self, e: ast.String) -> str:
        return f"\u201c{e.value}\u201d"

    def _boolean(self, e: ast.Boolean) -> str:
        return "true" if e.value else "false"

    def _name(self, e: ast.Name) -> str:
        kind, value = resolve_name(e, self.site, self.fw)
        if kind == "level":
            return value.label
        if kind == "table":
            return table_name(value)
        return self._nodes(e)

    def _nodes(self, arg: ast.Expr, rated_only: bool = True) -> str:
        nodes = resolve_nodes(arg, self.site, self.fw, rated_only=rated_only)
        word = arg.text if isinstance(arg, ast.Name) else None
        if not nodes:
            return "its rated children (none)" if word == "children" else "no nodes"
        return node_set_name(nodes, self.fw, word=word)

    def _node(self, arg: ast.Expr) -> str:
        return arg.value if isinstance(arg, ast.String) else self(arg)

    # -- calls ------------------------------------------------------------

    def _call(self, e: ast.Call) -> str:
        describe = getattr(self, "_fn_" + e.func, None)
        return describe(*e.args) if describe is not None else str(e)

    def _fn_share(self, node: ast.Expr | None = None) -> str:
        of = f" for {self._node(node)}" if node is not None else ""
        return f"the share of inspected cases judged sufficient{of}"

    def _fn_pooled_share(self, nodes: ast.Expr) -> str:
        # every child's answers are pooled, rated or not
        return (f"the share of all answers to {self._nodes(nodes, rated_only=False)} that were sufficient, "
                "pooled across cases")

    def _fn_yes(self) -> str:
        return "the number of inspected cases judged sufficient"

    def _fn_applicable(self) -> str:
        return "the number of inspected cases it applies to"

    def _fn_band(self, number: ast.Expr, table: ast.Name) -> str:
        t = self.fw.bands[table.text]
        rounding = "" if t.rounding.places is None else f", {t.rounding.describe()}"
        return f"{self(number)}{rounding}, banded by {table_name(t)}"

    def _fn_lowest(self, nodes: ast.Expr) -> str:
        return f"the lowest rating of {self._nodes(nodes)}"

    def _fn_highest(self, nodes: ast.Expr) -> str:
        return f"the highest rating of {self._nodes(nodes)}"

    def _fn_rating(self, node: ast.Expr) -> str:
        return f"the rating of {self._node(node)}"

    def _fn_is_rated(self, node: ast.Expr) -> str:
        return f"{self._node(node)} has a rating"

    def _fn_score(self, arg: ast.Expr) -> str:
        if isinstance(arg, ast.String):
            return f"the score of the rating of {arg.value}"
        level = self(arg)
        score = ""
        if isinstance(arg, ast.Name):  # a level named: its score too; a rating worked out (lowest(...)) has none yet
            kind, value = resolve_name(arg, self.site, self.fw)
            if kind == "level" and value.score is not None:
                score = f" ({fmt_number(value.score)})"
        return f"the score of {level}{score}"

    def _fn_sum_scores(self, nodes: ast.Expr) -> str:
        span = interval_of(ast.Call(nodes.span, "sum_scores", (nodes,)), self.site, self.fw)
        bounds = ""
        if not math.isinf(span.lo) and not math.isinf(span.hi):
            bounds = f" ({fmt_number(span.lo)}-{fmt_number(span.hi)})"
        return f"the sum of the scores of {self._nodes(nodes)}{bounds}"

    def _fn_mean_score(self, nodes: ast.Expr) -> str:
        return f"the mean score of the rated ones of {self._nodes(nodes)}"

    def _fn_count(self, nodes: ast.Expr, level: ast.Expr) -> str:
        return f"the number of {self._nodes(nodes)} rated {self(level)}"

    def _fn_count_rated(self, nodes: ast.Expr) -> str:
        return f"the number of {self._nodes(nodes)} that are rated"

    def _fn_nodes(self, *ids: ast.Expr) -> str:
        return _list([self._node(a) for a in ids])

    def _fn_min(self, *args: ast.Expr) -> str:
        return f"the {'lower' if len(args) == 2 else 'lowest'} of {_list([self(a) for a in args])}"

    def _fn_max(self, *args: ast.Expr) -> str:
        return f"the {'higher' if len(args) == 2 else 'highest'} of {_list([self(a) for a in args])}"

    def _fn_judgement(self) -> str:
        return "the inspectors' judgement"

    def _fn_value(self, node: ast.Expr | None = None) -> str:
        return "its published value" if node is None else f"the published value of {self._node(node)}"

    def _fn_previous(self, node: ast.Expr | None = None) -> str:
        of = "its" if node is None else f"{self._node(node)}'s"
        return f"{of} published value for the previous period"

    def _fn_comparator(self, *args: ast.Expr) -> str:
        name = args[-1].value if isinstance(args[-1], ast.String) else self(args[-1])
        of = "its" if len(args) == 1 else f"{self._node(args[0])}'s"
        return f"{of} {name} comparator"

    def _fn_status(self) -> str:
        return "its status"

    def _fn_due(self) -> str:
        return "its due day"

    def _fn_evaluated_on(self) -> str:
        return "the day the evidence is evaluated on"

    def _fn_not_rated(self, reason: ast.Expr) -> str:
        text = reason.value if isinstance(reason, ast.String) else self(reason)
        return f"not rated ({text})"

    # -- operators ----------------------------------------------------------

    def _operand(self, e: ast.Expr) -> str:
        """An operand of arithmetic, in brackets when it is itself an operation."""
        text = self(e)
        return f"({text})" if isinstance(e, (ast.Arith, ast.Negate, ast.Conditional)) else text

    def _negate(self, e: ast.Negate) -> str:
        return f"minus {self._operand(e.operand)}"

    def _arith(self, e: ast.Arith) -> str:
        return f"{self._operand(e.left)} {_ARITH[e.op]} {self._operand(e.right)}"

    def _compare(self, e: ast.Compare, op: str | None = None) -> str:
        op = op or e.op
        left, right = e.left, e.right
        if _is_rating(right) and not _is_rating(left):
            left, right, op = right, left, _FLIPPED[op]
        if _is_rating(left):
            return f"{self._node(left.args[0])} {_RATED[op]} {self(right)}"
        if _is_date(left) or _is_date(right):
            return f"{self(left)} {_DATES[op]} {self(right)}"
        return f"{self(left)} {_COMPARE[op]} {self(right)}"

    def _not(self, e: ast.Not) -> str:
        inner = e.operand
        if isinstance(inner, ast.Compare):
            return self._compare(inner, _NEGATED[inner.op])
        if isinstance(inner, ast.Call) and inner.func == "is_rated":
            return f"{self._node(inner.args[0])} has no rating"
        return f"it is not the case that {self(inner)}"

    def _logic(self, e: ast.And | ast.Or, word: str) -> str:
        def side(x: ast.Expr) -> str:
            text = self(x)
            # "a and b or c" is ambiguous in English: bracket a mixed operand
            mixed = isinstance(x, (ast.And, ast.Or, ast.Conditional)) and type(x) is not type(e)
            return f"({text})" if mixed else text

        return f"{side(e.left)} {word} {side(e.right)}"

    def _and(self, e: ast.And) -> str:
        return self._logic(e, "and")

    def _or(self, e: ast.Or) -> str:
        return self._logic(e, "or")

    def _conditional(self, e: ast.Conditional) -> str:
        return f"if {self(e.condition)}, {self(e.then)}; otherwise {self(e.otherwise)}"


def _is_date(e: ast.Expr) -> bool:
    """Whether ``e`` is a call that gives a day (due(), evaluated_on()): compared in words of time."""
    return isinstance(e, ast.Call) and any(f.returns == "date" for f in FUNCTIONS.get(e.func, ()))


def _is_rating(e: ast.Expr) -> TypeGuard[ast.Call]:
    return isinstance(e, ast.Call) and e.func == "rating" and len(e.args) == 1


def describe(expr: ast.Expr, site: Site, fw: Framework) -> str:
    """An expression in plain English, read in its place ``site``.

    >>> from bandstand.catalogue import Catalogue
    >>> from bandstand.dsl.resolve import Site
    >>> from bandstand.dsl.parser import parse_expression
    >>> fw = Catalogue().resolve("hmip-youth@2018")
    >>> site = Site(fw.nodes["2.1"].rule, fw.nodes["2.1"], "rule", "the rule of 2.1")
    >>> describe(parse_expression("if count(children, inadequate) >= 2 then inadequate else lowest(children)"),
    ...          site, fw)
    'if the number of its key questions rated Inadequate is at least 2, Inadequate; otherwise the lowest rating of its key questions'
    """
    return _Describer(site, fw)(expr)


def describe_rule(node: Node, fw: Framework) -> str:
    """The rule that rates ``node``, in plain English ('' for a node without one).

    >>> from bandstand.catalogue import Catalogue
    >>> fw = Catalogue().resolve("hmip-youth@2018")
    >>> describe_rule(fw.nodes["overall"], fw)
    'the sum of the scores of the 12 standards that count toward the overall rating (0-36), banded by the overall rating bands'
    """
    if node.rule is None:
        return ""
    return describe(node.rule.expr, Site(node.rule, node, "rule", f"the rule of {node.id}"), fw)


def describe_limit(limit: Limit, fw: Framework) -> str:
    """A limiting rule as one sentence.

    ``If 4.1 is rated Inadequate, the overall rating is at most Good.``
    """
    target = fw.nodes[limit.applies_to]
    site = Site(limit.when, target, "limit", limit.id)
    whose = "the overall rating" if target.id == OVERALL else f"the rating of {target.id}"
    bounds = []
    if limit.at_most is not None:
        bounds.append(f"at most {limit.at_most.label}")
    if limit.at_least is not None:
        bounds.append(f"at least {limit.at_least.label}")
    return f"If {describe(limit.when.expr, site, fw)}, {whose} is {' and '.join(bounds)}."
