"""The built-in functions and names of the rule language, declared once.

The checker (:mod:`bandstand.dsl.checks`) reads these signatures to type
expressions; the compiler (:mod:`bandstand.engine.compile`) has one
implementation per entry; the documentation lists them from here.

Parameter kinds: ``number``, ``bool``, ``text``, ``node`` (a node id in
quotes), ``nodes`` (a set of nodes: ``children``, ``counted`` or
``nodes("a", "b")``), ``table`` (a band table's id), ``level`` (a rating),
and ``number|level``; a leading ``*`` means "one or more".

Return kinds are a type, or ``level:X``: a rating on the scale of X
(the ``table`` argument, the ``nodes`` argument, the ``node`` argument, the
other arguments, or ``self``, the node whose rule it is), or ``level:status``: a
level of the status scale of the node whose rule it is (its ``status_scale``).
A ``date`` is a day of the calendar; dates compare with ``<``, ``==`` and the rest.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Function:
    name: str
    params: tuple[str, ...]
    returns: str
    summary: str
    example: str
    needs_cases: bool = False  # reads case answers or figures of a node
    reads_scores: bool = False  # reads the score of a rating: every level it can meet needs one
    pools: bool = False  # reads the answers of a set of nodes pooled together (margins count answers)
    rates_over: str | None = None  # how a set's ratings decide: "lowest", "highest", "sum" or "mean"
    #: reads a published figure of a node from the evidence's ``values``: "value", "previous" or "comparator"
    #: (a comparator is named by its last argument, a text in quotes)
    reads_figure: str | None = None

    @property
    def reads_rating(self) -> bool:
        """Whether it reads the rating of the node named by its first argument (an ordering dependency)."""
        return self.params[:1] == ("node",) and not self.needs_cases and not self.reads_figure


FUNCTIONS: dict[str, tuple[Function, ...]] = {}


def _declare(*overloads: Function) -> None:
    FUNCTIONS[overloads[0].name] = overloads


_declare(
    Function("share", (), "number",
             "The percentage of this node's applicable cases answered yes (0-100), "
             "or the published percentage. Not rated when no case applies.",
             "band(share(), key_question)", needs_cases=True),
    Function("share", ("node",), "number",
             "The percentage of the named node's applicable cases answered yes.",
             'share("2.1.1") >= 50', needs_cases=True),
)
_declare(
    Function("pooled_share", ("nodes",), "number",
             "Yes answers over all applicable answers to every question in the set, across all "
             "cases, as a percentage (a pooled share, not a share of cases).",
             "band(pooled_share(children), area)", needs_cases=True, pools=True),
)
_declare(
    Function("yes", (), "number", "How many of this node's applicable cases were answered yes.",
             "yes() >= 3", needs_cases=True),
)
_declare(
    Function("applicable", (), "number", "How many cases this node applied to.",
             "applicable() == 0", needs_cases=True),
)
_declare(
    Function("band", ("number", "table"), "level:table",
             "The level of the band the number falls in, after the table's rounding.",
             "band(sum_scores(counted), overall)"),
)
_declare(
    Function("lowest", ("nodes",), "level:nodes",
             "The lowest rating among the rated nodes of the set.", "lowest(children)",
             rates_over="lowest"),
)
_declare(
    Function("highest", ("nodes",), "level:nodes",
             "The highest rating among the rated nodes of the set.", "highest(children)",
             rates_over="highest"),
)
_declare(
    Function("rating", ("node",), "level:node", "The named node's rating.",
             'rating("4.1") == inadequate'),
)
_declare(
    Function("is_rated", ("node",), "bool", "Whether the named node has a rating.",
             'is_rated("4.1")'),
)
_declare(
    Function("score", ("node",), "number", "The score of the named node's rating.",
             'score("2.1") + score("2.2")', reads_scores=True),
    Function("score", ("level",), "number", "The score of a rating.", "score(good)", reads_scores=True),
)
_declare(
    Function("sum_scores", ("nodes",), "number",
             "The sum of the scores of the nodes' ratings; not rated if any of them is not.",
             "band(sum_scores(counted), overall)", reads_scores=True, rates_over="sum"),
)
_declare(
    Function("mean_score", ("nodes",), "number",
             "The mean score of the rated nodes of the set.", "mean_score(children) >= 2", reads_scores=True,
             rates_over="mean"),
)
_declare(
    Function("count", ("nodes", "level"), "number",
             "How many nodes of the set are rated at the level.",
             "count(children, inadequate) >= 2"),
)
_declare(
    Function("count_rated", ("nodes",), "number", "How many nodes of the set are rated.",
             "count_rated(children) == 0"),
)
_declare(
    Function("nodes", ("*node",), "nodes", "The set of the named nodes.",
             'lowest(nodes("2.1", "3.1"))'),
)
_declare(
    Function("min", ("*number|level",), "level:args",
             "The smallest of numbers, or the lowest of ratings.", "min(lowest(children), good)"),
)
_declare(
    Function("max", ("*number|level",), "level:args",
             "The largest of numbers, or the highest of ratings.", "max(band(share(), key_question), inadequate)"),
)
_declare(
    Function("judgement", (), "level:self",
             "The inspector's judgement of this node (what `judged: true` means).", "judgement()"),
)
_declare(
    Function("not_rated", ("text",), "nothing",
             "No rating, with the reason given.",
             'if applicable() == 0 then not_rated("no cases inspected") else band(share(), key_question)'),
)

# published figures of a node (the evidence's `values`): its value, the value of the period before, and the
# values it is compared with, each of which the evidence may declare not available, with the reason
_declare(
    Function("value", (), "number",
             "This node's published value (the evidence's `values`). Not rated, with the evidence's reason, "
             "where the evidence declares it not available.",
             "value() < comparator(\"national\")", reads_figure="value"),
    Function("value", ("node",), "number", "The named node's published value.",
             'value("2.1") < comparator("2.1", "national")', reads_figure="value"),
)
_declare(
    Function("previous", (), "number",
             "This node's published value for the previous period. Not rated, with the evidence's reason, "
             "where the evidence declares it not available.",
             "value() < previous()", reads_figure="previous"),
    Function("previous", ("node",), "number", "The named node's published value for the previous period.",
             'value("2.1") < previous("2.1")', reads_figure="previous"),
)
_declare(
    Function("comparator", ("text",), "number",
             "The published value this node is compared with, by the comparator's name (a national or "
             "regional average, say). Not rated, with the evidence's reason, where the evidence declares it "
             "not available.",
             'value() < comparator("national")', reads_figure="comparator"),
    Function("comparator", ("node", "text"), "number",
             "The named node's comparator of that name.",
             'value("2.1") < comparator("2.1", "national")', reads_figure="comparator"),
)
_declare(
    Function("status", (), "level:status",
             "The status the evidence records for this node (its progress), a level of the scale its node or "
             "tier names in `status_scale`.",
             "status() == completed"),
)
_declare(
    Function("due", (), "date",
             "The date by which the evidence records this node's work is due.",
             "due() < evaluated_on()"),
)
_declare(
    Function("evaluated_on", (), "date",
             "The date the evidence is evaluated on: `--on DATE`, else the evidence's own date (a day). "
             "Without either, evaluating is an error, never today's date.",
             "evaluated_on() > due()"),
)

#: names that stand for sets of nodes
NODE_SETS = {
    "children": "The node's children.",
    "counted": "The nodes that count toward the overall rating (counts_toward_overall).",
}

#: the calls that read the cases (or published figures) of the node whose rule it is: share(), yes(), applicable()
OWN_CASES = frozenset(f.name for overloads in FUNCTIONS.values() for f in overloads
                      if f.needs_cases and not f.params)


#: the calls that read the cases of the node whose rule it is in any form: those, and pooled_share(...)
CASES_HERE = OWN_CASES | frozenset(f.name for overloads in FUNCTIONS.values() for f in overloads if f.pools)


def figure_read(call) -> tuple[str | None, str] | None:
    """(the node id named, or None for the rule's own node; the figure) that a call reads from the evidence's
    ``values``, or None for a call that reads none. The figure is ``value``, ``previous`` or
    ``comparator:NAME``; a comparator named by anything but a text in quotes gives None (the checks refuse it).

    >>> from bandstand.dsl.parser import parse_expression as parse
    >>> figure_read(parse('comparator("2.1", "national")')), figure_read(parse("previous()"))
    (('2.1', 'comparator:national'), (None, 'previous'))
    """
    from . import ast

    kinds = {f.reads_figure for f in FUNCTIONS.get(call.func, ()) if f.reads_figure}
    if not kinds:
        return None
    kind = kinds.pop()
    args = list(call.args)
    node_id = None
    if kind == "comparator":
        if not args or not isinstance(args[-1], ast.String):
            return None
        name = args.pop()
        kind = "comparator:" + name.value
    if args:
        if not isinstance(args[0], ast.String):
            return None
        node_id = args[0].value
    return node_id, kind


def reads_rating(name: str) -> bool:
    """Whether a call of ``name`` with a node id in quotes reads that node's rating.

    >>> reads_rating("rating"), reads_rating("score"), reads_rating("share")
    (True, True, False)
    """
    return any(f.reads_rating for f in FUNCTIONS.get(name, ()))


def reads_own_cases(expr) -> bool:
    """Whether the rule expression ``expr`` reads its own node's cases (:data:`OWN_CASES`, called without arguments).

    >>> from bandstand.dsl.parser import parse_expression as parse
    >>> reads_own_cases(parse("band(share(), key_question)")), reads_own_cases(parse('share("2.1.1") > 50'))
    (True, False)
    """
    from . import ast

    return any(isinstance(e, ast.Call) and e.func in OWN_CASES and not e.args for e in ast.walk(expr))


#: the calls that read what the evidence records of a node's progress (its ``progress:`` entry): a node whose
#: rule makes one needs that entry, as a node whose rule reads its share needs cases
PROGRESS = frozenset({"status", "due"})

#: the calls that read the date the evidence is evaluated on: a framework whose rules make one needs that date
DATED = frozenset({"evaluated_on"})
