"""Coverage of a framework's rules by its examples (``bandstand test --coverage``).

Not to be confused with :mod:`bandstand.engine.coverage`, which is about
whether evidence covers what a framework needs. This module answers the
question a methodology author asks of their examples, as ``opa test
--coverage`` does of a policy's tests: which parts of the rules did no
example exercise? Four kinds of item are counted:

- ``node``: each rated node (and the overall rating) is covered when an
  example rates it by its rule or its judgement (a published rating that
  stands in for the rule does not count: the rule decided nothing);
- ``band_row``: each row of every band table a rule bands into is covered
  when some ``band(...)`` call lands in it;
- ``limit``: each limit is covered when it fires, that is changes a rating,
  in some example (one whose condition holds but whose rating is already
  within bounds is counted as held, and is not covered);
- ``branch``: the ``then`` and the ``else`` of every ``if`` in a rule or a
  limit's condition, each covered when an evaluation takes it.

Rows and branches count from the evaluations of a node's rule that rated it,
or that left it unrated from evidence the example gives at or beneath it (a
deliberate ``else not_rated(...)``); a rule run over no evidence of its own
(beneath a published rating that stands in, say) exercises nothing.

Everything is found by evaluating the examples again: the engine gives the
results (and so the nodes rated and the limits applied), and a tracing
evaluator (:mod:`bandstand.engine.tracer`) walks each rule that decided a
node, with the ratings and evidence of that evaluation, to see the rows and
branches it passed through. Its every value is checked against the
engine's: a difference raises :class:`CoverageMismatch` (a bug), never a
guess.

>>> from bandstand.catalogue import Catalogue
>>> cov = rule_coverage(Catalogue().resolve("hmip-youth@2018"))  # doctest: +SKIP
>>> cov.percent  # doctest: +SKIP
Fraction(100, 1)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Iterable

from .dsl import ast, too_deep_error
from .dsl.resolve import Site, sites
from .dsl.model import OVERALL, Framework, Level, Rule
from .engine.coverage import beneath
from .engine.evidence import bind
from .engine.compile import NotRated
from .engine.result import number
from .engine.tracer import Trace, Tracer
from .errors import Position
from .limits import DEFAULT_LIMITS, Limits
from .testing import ExamplesReport, run_examples

#: the kinds of item, in the order they are shown
KINDS = ("node", "band_row", "limit", "branch")
PLURALS = {"node": "nodes", "band_row": "band_rows", "limit": "limits", "branch": "branches"}
KIND_LABELS = {"node": "nodes rated", "band_row": "band rows hit", "limit": "limits fired",
               "branch": "if branches taken"}


class CoverageMismatch(RuntimeError):
    """The tracing evaluator and the engine disagree about a value: a bug in bandstand, never in the input."""


@dataclass
class Item:
    """One part of the rules that an example can exercise."""

    kind: str  # one of KINDS
    id: str  # what it is called in reports: "2.1.1", "key_question: 0-49%", the limit's id, "if ... then"
    pos: Position | None
    label: str = ""  # a few words about it (a node's title, a row's level, a branch's expression)
    examples: list[str] = field(default_factory=list)  # the examples that exercised it, in order
    detail: dict[str, Any] = field(default_factory=dict)  # kind-specific facts for JSON

    @property
    def covered(self) -> bool:
        return bool(self.examples)

    def to_json(self) -> dict:
        pos = self.pos
        out: dict[str, Any] = {"id": self.id, "covered": self.covered, "label": self.label,
                               "file": pos.file if pos else None, "line": pos.line if pos else None,
                               "column": pos.column if pos else None, "examples": list(self.examples)}
        out.update(self.detail)
        return out


@dataclass
class RuleCoverage:
    """The coverage of one framework's rules by its examples."""

    framework: Framework
    report: ExamplesReport
    items: list[Item]

    def of_kind(self, kind: str) -> list[Item]:
        return [i for i in self.items if i.kind == kind]

    @property
    def covered(self) -> int:
        return sum(1 for i in self.items if i.covered)

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def percent(self) -> Fraction:
        """Items covered, in percent, exactly (a framework with nothing to cover is fully covered)."""
        return Fraction(100 * self.covered, self.total) if self.total else Fraction(100)

    @property
    def missed(self) -> list[Item]:
        return [i for i in self.items if not i.covered]

    def to_json(self) -> dict:
        fw = self.framework
        out: dict[str, Any] = {"framework": fw.ref, "file": fw.file, "examples": len(self.report.outcomes),
                               "percent": number(self.percent), "covered": self.covered, "total": self.total}
        for kind in KINDS:
            items = self.of_kind(kind)
            out[PLURALS[kind]] = {"covered": sum(1 for i in items if i.covered), "total": len(items),
                               "items": [i.to_json() for i in items]}
        return out


def percent_text(p: Fraction) -> str:
    """'97.5%': one decimal place, rounded down, so that only full coverage ever shows as 100%."""
    tenths = (p * 10).numerator // (p * 10).denominator
    return f"{tenths // 10}.{tenths % 10}%"


# -- working it out ------------------------------------------------------------------------------


def rule_coverage(fw: Framework, report: ExamplesReport | None = None, limits: Limits = DEFAULT_LIMITS
                  ) -> RuleCoverage:
    """Which nodes, band rows, limits and ``if`` branches of ``fw`` its examples exercise.

    ``report`` is a run of the examples (:func:`bandstand.testing.run_examples`); without one they are run.
    Examples that could not be evaluated exercise nothing; examples that ran but failed their expectations
    still count (the run has failed anyway).
    """
    if report is None:
        report = run_examples(fw, limits)
    rule_sites = [s for s in sites(fw) if s.kind == "limit" or not s.owner.is_judged]
    canon = _canonical_rules(rule_sites)
    nodes: dict[str, list[str]] = {n.id: [] for n in fw.nodes.values() if n.rated}
    fired: dict[str, list[str]] = {lim.id: [] for lim in fw.limits}
    held: dict[str, int] = {lim.id: 0 for lim in fw.limits}
    evaluated: dict[str, int] = {lim.id: 0 for lim in fw.limits}
    rows: dict[tuple[str, int], list[str]] = {}
    branches: dict[tuple, list[str]] = {}
    for outcome in report.outcomes:
        if outcome.result is None or outcome.evidence is None:
            continue
        trace = Trace()
        example_id = outcome.example.id
        try:
            replayed = list(_replay(fw, outcome.evidence, outcome.result, trace))
        except RecursionError:  # rules nested past what the stack allows (with --max-expression-depth raised)
            raise too_deep_error(fw) from None
        for node_id, limit_ids, held_ids, tried_ids in replayed:
            if example_id not in nodes[node_id]:
                nodes[node_id].append(example_id)
            for lim_id in limit_ids:
                if example_id not in fired[lim_id]:
                    fired[lim_id].append(example_id)
            for lim_id in held_ids:
                held[lim_id] += 1
            for lim_id in tried_ids:
                evaluated[lim_id] += 1
        for key in trace.rows:
            rows.setdefault(key, []).append(example_id)
        for (rule_id, span, taken) in trace.branches:
            seen = branches.setdefault((canon.get(rule_id, rule_id), span, taken), [])
            if example_id not in seen:
                seen.append(example_id)
    items = _node_items(fw, nodes)
    items += _row_items(fw, rule_sites, rows)
    items += _limit_items(fw, fired, held, evaluated)
    items += _branch_items(rule_sites, canon, branches)
    return RuleCoverage(fw, report, items)


def _same(a, b) -> bool:
    """Two evaluation values agree: the same level, or neither is a level."""
    if isinstance(a, Level) or isinstance(b, Level):
        return a is b
    return True


def _replay(fw: Framework, evidence, result, trace: Trace) -> Iterable[tuple[str, list[str], list[str], list[str]]]:
    """For each node the example's result rates by its rule or judgement: (node id, limits that fired on it,
    limits whose condition held, limits whose condition was evaluated), tracing its rule and limits into
    ``trace`` and checking every value against the engine's result."""
    bound = bind(evidence, fw)
    given = {*bound.measures, *bound.judgements, *bound.published, *bound.values}
    results = dict(result.nodes)
    if result.overall is not None:
        results[OVERALL] = result.overall
    ratings: dict[str, Any] = {k: (r.level if r.level is not None else NotRated("not rated"))
                               for k, r in results.items() if r.rated}
    by_node: dict[str, list] = {}
    for a in result.limits_applied:
        by_node.setdefault(a.node_id, []).append(a)
    limits_on: dict[str, list] = {}
    for lim in fw.limits:
        limits_on.setdefault(lim.applies_to, []).append(lim)
    for node in fw.nodes.values():
        if not node.rated or node.id in bound.stand_in or node.id in bound.incomplete:
            continue  # a published rating stood in for the rule, or the evidence beneath could not rate it
        r = results.get(node.id)
        if r is None:
            continue
        local = Trace()  # kept only where the example exercises this node (below)
        tracer = Tracer(fw, {**ratings, node.id: None}, bound.measures, bound.judgements, local, bound.values, bound.progress)
        applied = by_node.get(node.id, [])
        engine_value = applied[0].before if applied else r.level
        if node.is_judged:
            value = bound.judgements.get(node.id)
        else:
            assert node.rule is not None  # rated and not judged: checks.py refuses it without a rule
            value = tracer.run(Site(node.rule, node, "rule", f"the rule of {node.id}"))
        if not _same(value, engine_value):
            raise CoverageMismatch(f"{fw.ref}: the rule of {node.id} gives {value!r} when traced, but "
                                   f"{engine_value!r} in the engine")
        fired, held, tried = [], [], []
        for lim in limits_on.get(node.id, ()):
            if not isinstance(value, Level):
                break
            tried.append(lim.id)
            if tracer.run(Site(lim.when, node, "limit", lim.id)) is not True:
                continue
            held.append(lim.id)
            new = lim.bound(value)
            if new is not value:
                fired.append(lim.id)
                value = new
        if fired != [a.id for a in applied] or not _same(value, r.level):
            raise CoverageMismatch(f"{fw.ref}: the limits on {node.id} fire {fired} when traced, but "
                                   f"{[a.id for a in applied]} in the engine")
        if isinstance(r.level, Level):  # (a rule that gives no level leaves no limit to try)
            trace.merge(local)
            yield node.id, fired, held, tried
        elif any(d.id in given for d in (node, *beneath(fw, node.id))):
            trace.merge(local)  # not rated, but from evidence the example gives: a path of the rule all the same


def _canonical_rules(rule_sites: list[Site]) -> dict[int, int]:
    """One rule object per written rule: a tier's rule is shared by its nodes, and so counted once."""
    first: dict[tuple, int] = {}
    out: dict[int, int] = {}
    for s in rule_sites:
        key = (s.rule.pos, s.rule.text) if s.rule.pos is not None else (id(s.rule),)
        out[id(s.rule)] = first.setdefault(key, id(s.rule))
    return out


def _node_items(fw: Framework, hits: dict[str, list[str]]) -> list[Item]:
    out = []
    for node in fw.nodes.values():
        if not node.rated:
            continue
        how = "judgement" if node.is_judged else "rule"
        label = "the overall rating" if node.id == OVERALL else (node.title or node.question or "")
        out.append(Item("node", node.id, node.pos, label, hits[node.id], {"by": how}))
    return out


def _tables_used(fw: Framework, rule_sites: list[Site]) -> list[str]:
    used: list[str] = []
    for s in rule_sites:
        for e in ast.walk(s.rule.expr):
            if isinstance(e, ast.Call) and e.func == "band" and len(e.args) == 2 and isinstance(e.args[1], ast.Name):
                name = e.args[1].text
                if name in fw.bands and name not in used:
                    used.append(name)
    return [t for t in fw.bands if t in used]  # in the order the framework lists them


def _row_items(fw: Framework, rule_sites: list[Site], rows: dict) -> list[Item]:
    out = []
    for table_id in _tables_used(fw, rule_sites):
        table = fw.bands[table_id]
        for i, band in enumerate(table.bands):
            shown = band.describe(table.unit)
            out.append(Item("band_row", f"{table.id}: {shown}", band.pos, band.level.label, rows.get((table.id, i), []),
                            {"table": table.id, "row": i + 1, "level": band.level.id, "range": shown}))
    return out


def _limit_items(fw: Framework, fired: dict, held: dict, evaluated: dict) -> list[Item]:
    out = []
    for lim in fw.limits:
        bounds = [f"at most {lim.at_most.label}" if lim.at_most else "", f"at least {lim.at_least.label}"
                  if lim.at_least else ""]
        label = f"{lim.applies_to}: {' and '.join(b for b in bounds if b)} when {lim.when.text.strip()}"
        out.append(Item("limit", lim.id, lim.pos, label, fired[lim.id],
                        {"applies_to": lim.applies_to, "held": held[lim.id], "evaluated": evaluated[lim.id]}))
    return out


def _where(s: Site) -> str:
    if s.kind == "limit":
        return f"the condition of limit {s.label}"
    node = s.owner
    if node.rule_from_tier and node.tier is not None:
        return f"the rule of tier {node.tier.id}"
    return "the overall rule" if node.id == OVERALL else f"the rule of {node.id}"


def _branch_items(rule_sites: list[Site], canon: dict[int, int], branches: dict) -> list[Item]:
    out = []
    done: set[int] = set()
    for s in rule_sites:
        rule_id = canon[id(s.rule)]
        if rule_id in done:
            continue
        done.add(rule_id)
        for e in ast.walk(s.rule.expr):
            if not isinstance(e, ast.Conditional):
                continue
            for taken, part in (("then", e.then), ("else", e.otherwise)):
                out.append(Item("branch", f"if {e.condition} {taken} {part}", _position(s.rule, part),
                                _where(s), branches.get((rule_id, e.span, taken), []),
                                {"rule": _where(s), "condition": str(e.condition), "branch": taken,
                                 "expression": str(part)}))
    return out


def _position(rule: Rule, e: ast.Expr) -> Position | None:
    return rule.position_of(e.span[0])


# -- reports ---------------------------------------------------------------------------------------


def total_percent(coverages: list[RuleCoverage]) -> Fraction:
    covered, total = sum(c.covered for c in coverages), sum(c.total for c in coverages)
    return Fraction(100 * covered, total) if total else Fraction(100)


def to_text(coverages: list[RuleCoverage]) -> str:
    """Each framework's coverage, its parts no example exercised by file:line, and the total."""
    lines = ["", "Coverage of rules by examples"]
    for c in coverages:
        fw = c.framework
        where = f" ({fw.file})" if fw.file else ""
        head = f"{fw.ref}{where}: {percent_text(c.percent)} ({c.covered} of {c.total})"
        ran = sum(1 for o in c.report.outcomes if o.result is not None)
        if not ran and c.total:  # what is missed is a consequence: one line, not a list of everything
            lines.append(head + (": no examples" if not c.report.outcomes
                                 else ": no example could be evaluated (see above)"))
            continue
        lines.append(head)
        for kind in KINDS:
            items = c.of_kind(kind)
            if items:
                lines.append(f"  {KIND_LABELS[kind]:<18} {sum(1 for i in items if i.covered)} of {len(items)}")
        for item in c.missed:
            lines.append(f"  {item.pos if item.pos else fw.file or fw.ref}: not exercised: {_missed_text(item)}")
    covered, total = sum(c.covered for c in coverages), sum(c.total for c in coverages)
    lines.append(f"Total: {percent_text(total_percent(coverages))} ({covered} of {total})")
    return "\n".join(lines) + "\n"


def _missed_text(item: Item) -> str:
    if item.kind == "node":
        how = "judges it" if item.detail.get("by") == "judgement" else "rates it by its rule"
        name = "the overall rating" if item.id == OVERALL else f"node {item.id}" + (
            f" ({item.label})" if item.label else "")
        return f"{name}: no example {how}"
    if item.kind == "band_row":
        return f"band row {item.detail['table']} {item.detail['range']} ({item.label}): no value falls in it"
    if item.kind == "limit":
        held = item.detail["held"]
        why = (f"its condition held {held} time(s) but the rating was already within bounds" if held
               else "its condition held in no example")
        return f"limit {item.id} ({item.label}): never fired; {why}"
    return (f"{item.detail['branch']} branch of 'if {item.detail['condition']}' in {item.detail['rule']} "
            "never taken")


def to_json(coverages: list[RuleCoverage]) -> dict:
    covered, total = sum(c.covered for c in coverages), sum(c.total for c in coverages)
    return {"percent": number(total_percent(coverages)), "covered": covered, "total": total,
            "frameworks": [c.to_json() for c in coverages]}


__all__ = ["CoverageMismatch", "Item", "KINDS", "RuleCoverage", "percent_text", "rule_coverage", "to_json",
           "to_text", "total_percent"]
