"""The resolve pass: what the checker works out about each rule, worked out once and kept on the model.

Every rule has a *site* (whose rule it is, and whether it is a node's rule
or a limit's condition). Names in a rule resolve against its site:
``children`` and ``counted`` to sets of nodes, a band table's id to the
table, a level's name to the level (:func:`resolve_name`); node ids in
quotes to nodes (:func:`resolve_node`).

The checker (:mod:`bandstand.dsl.checks`) resolves every name while it
types the rules, and rejects a framework where one does not resolve. Once
the checks pass, :func:`facts` records what the later stages need to know
of each rule, so that they read it rather than work it out again:

- the nodes whose ratings it reads (evaluation order),
- whether it reads its own node's cases, and whose cases it reads,
- the band tables it bands with, and whether it is a plain banding of its
  own share of cases or of a sum or mean of scores (margins),
- what the framework as a whole asks of evidence (:class:`EvidenceFacts`).

What each built-in function does is declared once, in
:mod:`bandstand.dsl.functions` (``needs_cases``, ``pools``, ``reads_rating``,
``rates_over``); nothing here matches a function by name except through it.
The compiler (:mod:`bandstand.engine.compile`), the describer
(:mod:`bandstand.describe`), binding and the published pages read these facts.

>>> from bandstand import load_framework
>>> fw = load_framework("frameworks/hmip-youth-2018.yaml")
>>> f = facts(fw)
>>> f.rules["2.1.1"].share_table.id, f.rules["2.1.1"].own_share, [n.id for n in f.rules["2.1"].depends_on]
('key_question', True, ['2.1.1', '2.1.2', '2.1.3'])
>>> f.rules["overall"].banded[1], len(f.rules["overall"].banded[2])
('sum', 12)
>>> f.rules["2.1"].picks[0], [n.id for n in f.rules["2.1"].picks[1]]
('lowest', ['2.1.1', '2.1.2', '2.1.3'])
"""

from __future__ import annotations

from dataclasses import dataclass

from . import ast
from .build import suggest
from .functions import CASES_HERE, DATED, FUNCTIONS, NODE_SETS, OWN_CASES, PROGRESS, figure_read, reads_rating
from .model import JUDGED_YES, BandTable, Framework, Node, Rule
from .types import BOOL, LevelType, Type

@dataclass(frozen=True)
class Site:
    """A rule in its place: whose rule it is, and what it must give."""

    rule: Rule
    owner: Node  # the node rated (for a limit: the node it limits)
    kind: str  # "rule" or "limit"
    label: str  # for messages: "rule of 2.1", or the limit's id

    @property
    def expected(self) -> Type:
        return BOOL if self.kind == "limit" else LevelType(self.owner.scale.id)


def sites(fw: Framework) -> list[Site]:
    out = []
    for node in fw.nodes.values():
        if node.rule is not None and node.rated:
            out.append(Site(node.rule, node, "rule", f"the rule of {node.id}"))
    for lim in fw.limits:
        out.append(Site(lim.when, fw.nodes[lim.applies_to], "limit", lim.id))
    return out


class ResolveError(Exception):
    def __init__(self, message: str, code: str = "check.unknown-name"):
        self.message, self.code = message, code
        super().__init__(message)


#: the code of a name that fails because what it names could not be built: reported there, not here
UNBUILT = "check.unbuilt"


def resolve_name(name: ast.Name, site: Site, fw: Framework):
    """What a name stands for: ("nodes", [..]), ("table", t) or ("level", lv)."""
    parts = name.parts
    if len(parts) == 2:
        scale = fw.scales.get(parts[0])
        if scale is None:
            raise ResolveError(f"unknown scale '{parts[0]}'" + suggest(parts[0], fw.scales))
        level = scale.level(parts[1])
        if level is None:
            raise ResolveError(f"level '{parts[1]}' is not on scale '{scale.id}'" + suggest(parts[1], scale.names),
                               "check.unknown-level")
        return ("level", level)
    if len(parts) > 2:
        raise ResolveError(f"'{name.text}' is not a name: write a level as scale.level")
    word = parts[0]
    if word in NODE_SETS:
        if word == "children":
            return ("nodes", [c for c in site.owner.children if c.rated])
        return ("nodes", fw.counted)
    if word in fw.bands:
        return ("table", fw.bands[word])
    if ("band", word) in fw.unbuilt:
        raise ResolveError(f"band table '{word}' could not be built", UNBUILT)
    # a level: of the owner's scale first, then of any one scale
    level = site.owner.scale.level(word)
    if level is not None:
        return ("level", level)
    found = [lv for s in fw.scales.values() if (lv := s.level(word)) is not None]
    if len(found) == 1:
        return ("level", found[0])
    if len(found) > 1:
        raise ResolveError(f"'{word}' is a level of several scales ({', '.join(lv.scale_id for lv in found)}); "
                           f"write it as scale.{word}", "check.ambiguous-name")
    if word in FUNCTIONS:
        raise ResolveError(f"'{word}' is a function: write {word}(...)")
    choices = list(NODE_SETS) + list(fw.bands) + [lv.id for s in fw.scales.values() for lv in s.levels]
    raise ResolveError(f"unknown name '{word}'" + suggest(word, choices))


def resolve_node(arg: ast.Expr, fw: Framework) -> Node:
    if not isinstance(arg, ast.String):
        raise ResolveError("expected a node id in quotes, such as \"2.1\"", "check.type")
    node = fw.nodes.get(arg.value)
    if node is None and ("node", arg.value) in fw.unbuilt:
        raise ResolveError(f"node '{arg.value}' could not be built", UNBUILT)
    if node is None:
        raise ResolveError(f"unknown node '{arg.value}'" + suggest(arg.value, fw.nodes), "check.unknown-node")
    return node


def resolve_nodes(arg: ast.Expr, site: Site, fw: Framework, rated_only: bool = True) -> list[Node]:
    """A node-set argument: a set name or nodes("a", "b").

    ``children`` means the rated children, except where answers are pooled
    (``rated_only=False``): there every child's answers count.
    """
    if isinstance(arg, ast.Name) and arg.parts == ("children",) and not rated_only:
        return list(site.owner.children)
    if isinstance(arg, ast.Name):
        kind, value = resolve_name(arg, site, fw)
        if kind == "nodes":
            return value
        raise ResolveError(f"expected a set of nodes (children, counted or nodes(...)), got {_kind_name(kind)} "
                           f"'{arg.text}'", "check.type")
    if isinstance(arg, ast.Call) and arg.func == "nodes":
        return [resolve_node(a, fw) for a in arg.args]
    raise ResolveError("expected a set of nodes (children, counted or nodes(...))", "check.type")


def _kind_name(kind: str) -> str:
    return {"table": "the band table", "level": "the level", "nodes": "the node set"}[kind]


def rule_dependencies(site: Site, fw: Framework) -> list[Node]:
    """The nodes whose ratings a rule reads (for ordering and cycles)."""
    deps: list[Node] = []
    for e in ast.walk(site.rule.expr):
        try:
            if isinstance(e, ast.Name):
                kind, value = resolve_name(e, site, fw)
                if kind == "nodes":
                    deps.extend(value)
            elif isinstance(e, ast.Call) and e.args and isinstance(e.args[0], ast.String) and reads_rating(e.func):
                deps.append(resolve_node(e.args[0], fw))
            elif isinstance(e, ast.Call) and e.func == "nodes":
                deps.extend(resolve_node(a, fw) for a in e.args)
        except ResolveError:
            continue
    return deps


# -- the facts of each rule ---------------------------------------------------------------


class RuleFacts:
    """What one rule reads and how it decides, worked out once from its resolved names."""

    __slots__ = ("site", "depends_on", "own_share", "cases_here", "shares", "pooled", "band_calls",
                 "share_table", "banded", "picks")

    def __init__(self, site: Site, fw: Framework):
        expr = site.rule.expr
        calls = [e for e in ast.walk(expr) if isinstance(e, ast.Call)]
        self.site = site
        #: the nodes whose ratings the rule reads, in the order it names them (repeats kept)
        self.depends_on: tuple[Node, ...] = tuple(rule_dependencies(site, fw))
        #: it reads its own node's share of cases: share(), yes() or applicable(), with no argument
        self.own_share: bool = any(e.func in OWN_CASES and not e.args for e in calls)
        #: it reads cases of its own node in any form: those, or the answers its pooled_share(...) pools
        self.cases_here: bool = any(e.func in CASES_HERE and (not e.args or e.func not in OWN_CASES)
                                    for e in calls)
        #: the nodes whose share of cases it reads by id: share("2.1.1")
        self.shares: tuple[str, ...] = tuple(e.args[0].value for e in calls if e.func in OWN_CASES
                                             and e.args and isinstance(e.args[0], ast.String))
        #: the ids of the nodes whose answers its pooled_share(...) pools, or None when it pools none
        pooled: list[str] | None = None
        for e in calls:
            if e.args and any(f.pools for f in FUNCTIONS.get(e.func, ())):
                pooled = (pooled or []) + _member_ids(e.args[0], site.owner)
        self.pooled: tuple[str, ...] | None = tuple(pooled) if pooled is not None else None
        #: every band(x, table) call with the table it names
        self.band_calls: tuple[tuple[ast.Call, BandTable], ...] = tuple(
            (e, fw.bands[e.args[1].text]) for e in calls if e.func == "band" and len(e.args) == 2
            and isinstance(e.args[1], ast.Name) and e.args[1].text in fw.bands)
        top = expr if isinstance(expr, ast.Call) and expr.func == "band" and self.band_calls \
            and self.band_calls[0][0] is expr else None
        #: the table, when the rule is band(share(), table): its own share of cases decides alone
        self.share_table: BandTable | None = None
        #: (table, kind, members) when the rule is band(x, table): kind "sum" or "mean" with the nodes
        #: whose scores x sums or averages, or "other" and no nodes
        self.banded: tuple | None = None
        if top is not None:
            table, x = self.band_calls[0][1], top.args[0]
            if isinstance(x, ast.Call) and x.func == "share" and not x.args:
                self.share_table = table
            over = next((f.rates_over for f in FUNCTIONS.get(x.func, ()) if f.reads_scores and f.rates_over),
                        None) if isinstance(x, ast.Call) and len(x.args) == 1 else None
            try:
                # (over is set only for a call: isinstance tells mypy so)
                members = (tuple(resolve_nodes(x.args[0], site, fw))
                           if over is not None and isinstance(x, ast.Call) else ())
            except ResolveError:
                over, members = None, ()
            self.banded = (table, over or "other", members)
        #: ("lowest" or "highest", the nodes) when the rule is lowest(set) or highest(set): it picks one of
        #: the nodes' ratings
        self.picks: tuple[str, tuple[Node, ...]] | None = None
        pick = next((f.rates_over for f in FUNCTIONS.get(expr.func, ()) if f.rates_over in ("lowest", "highest")),
                    None) if isinstance(expr, ast.Call) and len(expr.args) == 1 else None
        if pick is not None and isinstance(expr, ast.Call):  # (pick is set only for a call: isinstance tells mypy)
            try:
                self.picks = (pick, tuple(resolve_nodes(expr.args[0], site, fw)))
            except ResolveError:
                pass


def _member_ids(arg: ast.Expr, owner: Node) -> list[str]:
    """The ids a pooled set names: every child (rated or not) for ``children``, else the ids in nodes(...)."""
    if isinstance(arg, ast.Name) and arg.text == "children":
        return [c.id for c in owner.children]
    return [a.value for a in (arg.args if isinstance(arg, ast.Call) else ()) if isinstance(a, ast.String)]


class EvidenceFacts:
    """What a framework asks of evidence, worked out once per framework (``facts(fw).evidence``).

    Binding evidence (:func:`bandstand.engine.bind.bind`) reads these on
    every call instead of walking the rules again; they depend on the
    framework alone, never on the evidence.
    """

    __slots__ = ("nodes", "order", "judged", "answered", "figured", "own_share", "needed", "share_rated", "valued",
                 "progress", "dated")

    def __init__(self, fw: Framework, rules: dict[str, RuleFacts], limits: dict[str, RuleFacts] | None = None):
        #: every node of the hierarchy in document order (not the overall), and each one's place in it
        self.nodes: tuple[Node, ...] = tuple(fw.walk())
        self.order: dict[str, int] = {n.id: i for i, n in enumerate(self.nodes)}
        #: the nodes that must be judged (not optionally), in order
        self.judged: tuple[Node, ...] = tuple(n for n in self.nodes if n.judged == JUDGED_YES)
        answered: set[str] = set()
        pooled: set[str] = set()
        wanted: dict[str, str | None] = {}
        for node_id, f in rules.items():
            node = fw.nodes[node_id]
            if not node.rated:
                continue
            if f.own_share:
                answered.add(node_id)
            answered.update(f.shares)
            if f.pooled is not None:
                pooled.add(node_id)
                answered.update(f.pooled)
            if node.is_judged:
                continue
            for e in ast.walk(f.site.rule.expr):  # in the order the rule names them
                if not isinstance(e, ast.Call) or e.func not in CASES_HERE:
                    continue
                if not e.args:
                    wanted.setdefault(node_id, None)
                elif e.func in OWN_CASES:
                    if isinstance(e.args[0], ast.String):
                        wanted.setdefault(e.args[0].value, None)
                else:
                    for m in _member_ids(e.args[0], node):
                        wanted.setdefault(m, node_id)
        for node_id in list(answered):  # the unrated nodes under one answered case by case (prompts) are too
            under = fw.nodes.get(node_id)
            if under is not None:
                answered.update(d.id for d in under.walk() if not d.rated)
        #: the nodes answered case by case: a rule reads their share of cases (``share()``, ``yes()``,
        #: ``applicable()``, or as a member of ``pooled_share(...)``), and the unrated nodes under them
        self.answered: frozenset[str] = frozenset(answered)
        #: the nodes that take published figures: those, and a node whose rule pools its members' answers
        self.figured: frozenset[str] = frozenset(answered | pooled)
        #: the nodes whose rule reads their own share of cases
        self.own_share: frozenset[str] = frozenset(k for k, f in rules.items() if f.own_share)
        #: the nodes whose case answers a rule reads, in framework order: node id -> the node whose rule
        #: pools it (``pooled_share``), or None when the node's own share is read. Prompts (unrated, read by
        #: no rule) are not needed.
        self.needed: dict[str, str | None] = {
            k: wanted[k] for k in sorted((k for k in wanted if k in fw.nodes), key=lambda k: self.order.get(k, 0))}
        #: the rated nodes answered case by case whose own share their rule reads, in order: each needs evidence
        self.share_rated: tuple[Node, ...] = tuple(n for n in self.nodes if n.id in self.answered and n.rated
                                                   and n.id in self.own_share)
        progress: dict[str, set[str]] = {}
        dated = False
        for f in [*rules.values(), *(limits or {}).values()]:
            if not f.site.owner.rated:
                continue
            for e in ast.walk(f.site.rule.expr):
                if isinstance(e, ast.Call) and e.func in PROGRESS:
                    progress.setdefault(f.site.owner.id, set()).add(e.func)
                dated = dated or (isinstance(e, ast.Call) and e.func in DATED)
        #: the nodes whose rule (or limit) reads what the evidence records of their progress, in order: node id ->
        #: what it reads ("status", "due"); each needs its ``progress:`` entry
        self.progress: dict[str, frozenset[str]] = {
            k: frozenset(progress[k]) for k in sorted(progress, key=lambda k: self.order.get(k, len(self.order)))}
        #: some rule reads the date the evidence is evaluated on (``evaluated_on()``)
        self.dated: bool = dated
        #: the published figures the rules read of each node (the evidence's ``values``), in framework order:
        #: node id -> the figures, in the order first read: ``value``, ``previous``, ``comparator:NAME``
        self.valued: dict[str, tuple[str, ...]] = _figures_read(fw, rules, limits or {}, self.order)


def _figures_read(fw: Framework, rules: dict[str, RuleFacts], limits: dict[str, RuleFacts],
                  order: dict[str, int]) -> dict[str, tuple[str, ...]]:
    """Node id -> the figures the rated nodes' rules and the limits read of it (see ``EvidenceFacts.valued``)."""
    read: dict[str, dict[str, None]] = {}
    for f in list(rules.values()) + list(limits.values()):
        if not f.site.owner.rated:
            continue
        for e in ast.walk(f.site.rule.expr):
            found = figure_read(e) if isinstance(e, ast.Call) else None
            if found is not None:
                node_id = found[0] if found[0] is not None else f.site.owner.id
                if node_id in fw.nodes:
                    read.setdefault(node_id, {})[found[1]] = None
    return {k: tuple(read[k]) for k in sorted(read, key=lambda k: order.get(k, len(order)))}


class FrameworkFacts:
    """The facts of every rule of a framework, and what it asks of evidence: see :func:`facts`."""

    __slots__ = ("rules", "limits", "band_uses", "evidence")

    def __init__(self, fw: Framework):
        #: the facts of each node's rule (every node with a rule, rated or not), by node id
        self.rules: dict[str, RuleFacts] = {}
        for node in fw.nodes.values():
            if node.rule is not None:
                self.rules[node.id] = RuleFacts(Site(node.rule, node, "rule", f"the rule of {node.id}"), fw)
        #: the facts of each limit's condition, by limit id
        self.limits: dict[str, RuleFacts] = {lim.id: RuleFacts(Site(lim.when, fw.nodes[lim.applies_to], "limit",
                                                                    lim.id), fw) for lim in fw.limits}
        #: for each band table, the band(...) calls of rated nodes' rules and limits that use it
        self.band_uses: dict[str, list[tuple[Site, ast.Call]]] = {t: [] for t in fw.bands}
        for f in self.rated():
            for call, table in f.band_calls:
                self.band_uses[table.id].append((f.site, call))
        #: what the framework asks of evidence
        self.evidence = EvidenceFacts(fw, self.rules, self.limits)

    def rated(self) -> list[RuleFacts]:
        """The facts of the rules that rate (a rated node's rule) and of every limit, as :func:`sites` orders them."""
        return [f for f in self.rules.values() if f.site.owner.rated] + list(self.limits.values())


def facts(fw: Framework) -> FrameworkFacts:
    """The facts of ``fw``'s rules, worked out on first use and kept on the framework (``fw.facts``).

    A framework is resolved when it loads; a copy made with
    ``dataclasses.replace`` or read from a pickle resolves again on use.
    """
    found = fw.facts
    if found is None:
        found = fw.facts = FrameworkFacts(fw)
    return found


def resolve(fw: Framework) -> FrameworkFacts:
    """The resolve pass, run once a framework has passed its checks: record its facts on it."""
    fw.facts = FrameworkFacts(fw)
    return fw.facts
