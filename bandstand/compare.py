"""The same evidence under two frameworks or two versions, side by side.

Two versions of one framework are compared node by node (evidence for a
node one version lacks is left out, and said so). Two frameworks of
different shapes are compared through a crosswalk, which reads the first's
evidence as the second's. Over many inspections, :func:`impact` counts how
ratings move: a transition table (old level by new level) for the overall
rating and for each node, and the inspections that change.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable

from .crosswalk import Crosswalk, correspond, translate
from .dsl.model import OVERALL, Framework, Level
from .dsl.resolve import facts as framework_facts
from .engine import coverage
from .engine.evaluate import compile_framework, evaluate
from .engine.evidence import Case, Evidence
from .engine.headers import resolve_evidence
from .engine.result import NodeResult, Result
from .errors import BandstandError, InputError
from .contract import FORMAT

NOT_RATED = "not rated"
ABSENT = "absent"
NO_CORRESPONDENCE = "no correspondence"
NO_EVIDENCE = "no evidence"


def adapt(ev: Evidence, fw: Framework, other: Framework | None = None) -> tuple[Evidence, list[str]]:
    """Evidence cut to the nodes ``fw`` has, and what was left out or is missing.

    A node only ``fw`` has (not ``other``) that the evidence says nothing about is left out, and said
    so: it is rated 'no evidence', never read as not applicable.
    """
    notes: list[str] = []
    known = fw.nodes
    unknown_answers = {n for c in (ev.cases or ()) for n in c.answers if n not in known}
    dropped = sorted({n for n in ev.judgements if n not in known} | {n for n in ev.figures if n not in known}
                     | unknown_answers)
    if dropped:
        notes.append(f"evidence for {', '.join(dropped)} left out: not in {fw.ref}")
    # (what is kept is not copied: evaluation never changes its evidence)
    judgements = {k: v for k, v in ev.judgements.items() if k in known} if dropped else ev.judgements
    figures = {k: v for k, v in ev.figures.items() if k in known} if dropped else ev.figures
    cases = None
    if ev.cases is not None and unknown_answers:
        cases = [Case(c.id, c.part, {k: a for k, a in c.answers.items() if k in known}, c.pos,
                      {k: p for k, p in c.answer_pos.items() if k in known}, c.part_pos, c.label)
                 for c in ev.cases]
    elif ev.cases is not None:  # (a CSV's answer positions stay worked out only when asked for)
        cases = [Case(c.id, c.part, c.answers, c.pos, c.answer_pos, c.part_pos, c.label) for c in ev.cases]
    published = ev.published
    if not known.keys() >= published.keys():
        published = {k: v for k, v in published.items() if k in known}
    covered = coverage.published_cover(fw, published)
    facts = framework_facts(fw).evidence
    missing = [n.id for n in facts.judged if n.id not in judgements
               and n.id not in published and n.id not in covered]
    partial = ev.partial
    if missing and not ev.partial:
        notes.append(f"no judgement for {', '.join(missing)}: not rated in {fw.ref}")
        partial = coverage.add_left_out(partial, missing)
    cut = _copy(ev, judgements=judgements, figures=figures, cases=cases, published=published, partial=partial,
                framework=fw.ref)
    if other is not None and partial is not True and not other.nodes.keys() >= facts.needed.keys():
        new = [n for n in coverage.without_evidence(cut, fw) if n not in other.nodes]
        if new:
            notes.append(f"no evidence for {', '.join(new)} (only in {fw.ref}): not rated")
            cut.partial = coverage.add_left_out(partial, new)
    return cut, notes


def _copy(ev: Evidence, **changes) -> Evidence:
    """``dataclasses.replace(ev, **changes)``, made without calling the class: :func:`impact` cuts the evidence
    of every inspection twice, and ``replace`` of a twenty-field dataclass costs several times more."""
    out = _new(type(ev))
    out.__dict__ = {**ev.__dict__, **changes}
    return out


_new = object.__new__


@dataclass
class Row:
    node_id: str
    title: str | None
    a: NodeResult | None
    b: NodeResult | None
    fed_by: list[str] = field(default_factory=list)  # crosswalk: the first framework's nodes that feed this one
    #: crosswalk: the level of the second framework that the crosswalk's correspondence gives to the lowest
    #: rating among ``fed_by`` (None when they are not rated or the crosswalk gives no correspondence)
    corresponds: Level | None = None
    no_evidence: bool = False  # the evidence says nothing for it (a node only one version has)

    @property
    def verdict(self) -> str:
        if self.no_evidence:
            return NO_EVIDENCE
        if self.fed_by:
            return _order(self.corresponds, self.b.level if self.b is not None else None) if self.corresponds else ""
        if self.a is None or self.b is None:
            return "only in " + ("the first" if self.b is None else "the second")
        if _different_nodes(self.a, self.b):
            return "a different node: not compared"
        return _order(self.a.level, self.b.level)

    @property
    def changed(self) -> bool:
        return self.verdict not in ("same", "")


def _order(la: Level | None, lb: Level | None) -> str:
    if la is None and lb is None:
        return "same"
    if la is None or lb is None:
        return "now rated" if la is None else "no longer rated"
    if la.scale_id != lb.scale_id:
        return "differs"
    if la.index == lb.index:
        return "same"
    return "higher" if lb.index > la.index else "lower"


def _different_nodes(a: NodeResult, b: NodeResult) -> bool:
    """Two versions' nodes of one id that are not the same node: a standard replaced under its old number.

    Told by their titles (or questions): reworded, they are the same node; with hardly a word in common,
    another node has taken the id (2018's 3.4, 'Joint working', became 'Out-of-court disposal policy and
    provision').
    """
    return _different_titles(a.title, b.title)


def _different_titles(title_a: str | None, title_b: str | None) -> bool:
    import difflib

    ta, tb = (title_a or "").casefold(), (title_b or "").casefold()
    if not ta or not tb or ta == tb:
        return False
    return difflib.SequenceMatcher(None, ta.split(), tb.split()).ratio() < 0.5


@dataclass
class Comparison:
    subject: str | None
    file: str | None
    first: Result
    second: Result
    rows: list[Row]
    notes: list[str]
    crosswalk: Crosswalk | None = None
    #: what heads each side, when it is not the framework's ref alone (the days two evaluations are on)
    labels: tuple[str, str] | None = None

    @property
    def changed(self) -> list[Row]:
        return [r for r in self.rows if r.changed]

    def render(self, fmt: str, changes_only: bool = False) -> str:
        """The comparison as ``text``, ``json`` or ``markdown`` (what :func:`bandstand.render.render` calls)."""
        if fmt == "json":
            return json.dumps({"format": FORMAT, **comparison_json(self)}, indent=2, ensure_ascii=False) + "\n"
        return (comparison_markdown if fmt == "markdown" else comparison_text)(self, changes_only)


def compare(a: Framework, b: Framework, ev: Evidence, crosswalk: Crosswalk | None = None, *,
            second_evidence: Evidence | None = None, on=None, second_on=None) -> Comparison:
    """Evaluate ``ev`` under ``a`` and under ``b`` (through ``crosswalk`` when their shapes differ).

    ``on`` and ``second_on`` are the days the two evaluations are on (rules that read ``evaluated_on()``;
    default: the evidence's date); ``second_evidence`` is evaluated under ``b`` in place of ``ev`` (two dates of
    one plan: what moved between them). With either, the sides are headed by the days they are evaluated on.
    """
    e = _evaluated(a, b, ev, crosswalk, True, second_evidence, on, second_on)
    if crosswalk is None:
        rows = _rows_by_id(e.first, e.second, _given(e.ev) | _given(e.ev2))
    else:
        rows = _rows_by_crosswalk(e.first, e.second, crosswalk)
    return Comparison(e.ev.subject, e.ev.file, e.first, e.second, rows, e.notes, crosswalk, e.labels)


@dataclass
class _Evaluated:
    """One inspection evaluated under both sides of a comparison, as :func:`compare` and :func:`impact` read it."""

    ev: Evidence  # the evidence as read for the first framework
    ev2: Evidence  # the evidence evaluated under the second (before it is cut to it), or under a crosswalk ``ev``
    first: Result
    second: Result
    notes: list[str]
    labels: tuple[str, str] | None


def _evaluated(a: Framework, b: Framework, ev: Evidence, crosswalk: Crosswalk | None, explain: bool,
               second_evidence: Evidence | None = None, on=None, second_on=None) -> _Evaluated:
    """``ev`` evaluated under ``a`` and ``b``, with the notes of the comparison. Without ``explain``, ratings only
    (the notes the same: a published rating the rules disagree with is noted with the rule's reason, so a side
    with such findings is evaluated again, explained, for their words)."""
    ev, found = resolve_evidence(ev, a)  # a spreadsheet's headers and labels, read as written for ``a``
    if any(d.is_error for d in found):
        raise BandstandError(found)
    if second_evidence is not None and crosswalk is not None:
        raise InputError("a second evidence is compared with the first under versions of one framework, not "
                         "through a crosswalk", None, "input.crosswalk")
    ev_a, notes = adapt(ev, a, b)
    first = evaluate(a, ev_a, on=on, explain=explain)
    labels = None
    if crosswalk is None:
        if a.id != b.id:
            raise InputError(f"{a.ref} and {b.ref} are different frameworks: name a crosswalk between them "
                             "(--crosswalk FILE), or put one in a catalogue folder's crosswalks/", None,
                             "input.crosswalk")
        ev2 = ev
        if second_evidence is not None:
            ev2, found = resolve_evidence(second_evidence, b)
            if any(d.is_error for d in found):
                raise BandstandError(found)
        ev_b, notes_b = adapt(ev2, b, a)
        notes += [n for n in notes_b if n not in notes]
        second = evaluate(b, ev_b, on=second_on, explain=explain)
        if second_evidence is not None or on is not None or second_on is not None:
            labels = (_side(a, ev_a, on), _side(b, ev_b, second_on))
    else:
        ev2 = ev
        ev_b, notes_b = translate(ev, crosswalk, a, b)
        notes += notes_b
        second_on = None
        second = evaluate(b, ev_b, explain=explain)
    for result, side, day in ((first, ev_a, on), (second, ev_b, second_on)):
        if result.findings:
            if not explain:  # (the same findings, with the rule's reasons)
                result = evaluate(result.framework, side, on=day)
            notes += [f"finding under {result.framework.ref}: {f.message}" for f in result.findings]
    return _Evaluated(ev, ev2, first, second, notes, labels)


def _side(fw: Framework, ev: Evidence, on) -> str:
    """'plan@2 on 2024-01-25': a side of a comparison of days (the day asked, else the evidence's)."""
    day = on or ev.date
    return f"{fw.ref} on {day}" if day else f"{fw.ref} ({ev.file or 'evidence'})"


def _rows_by_id(first: Result, second: Result, given: set[str] | frozenset[str] = frozenset()) -> list[Row]:
    rows = [Row(OVERALL, "Overall rating", first.overall, second.overall)] if (first.overall or second.overall) else []
    ids = list(second.nodes) + [i for i in first.nodes if i not in second.nodes]
    for i in ids:
        a, b = first.nodes.get(i), second.nodes.get(i)
        if (a is None or not a.rated) and (b is None or not b.rated):
            continue
        only = first if b is None else second if a is None else None
        rows.append(Row(i, (b or a).title, a, b,  # type: ignore[union-attr]  # both None is skipped above
                        no_evidence=only is not None and not _has_evidence(only, i, given)))
    return rows


def _has_evidence(result: Result, node_id: str, given: set[str] | frozenset[str]) -> bool:
    """Whether the evidence says anything about a node or what is beneath it."""
    node = result.framework.nodes.get(node_id)
    return node is not None and any(d.id in given for d in node.walk())


def _given(ev: Evidence) -> set[str]:
    """The nodes evidence says something about: judgements, figures, case answers, published ratings."""
    return ({k for k, j in ev.judgements.items() if j.rating is not None} | set(ev.figures) | set(ev.published)
            | {n for c in (ev.cases or ()) for n, a in c.answers.items()} | set(ev.progress))


def _rows_by_crosswalk(first: Result, second: Result, cw: Crosswalk) -> list[Row]:
    feeds: dict[str, list[str]] = {m.to_node: list(m.from_nodes) for m in cw.answers}
    for to_node, (from_node, _) in cw.judgements.items():
        feeds.setdefault(to_node, []).append(from_node)
    fw = second.framework
    rows = []

    def corresponding(fed: list[str]) -> Level | None:
        levels = [x.level for f in fed if (x := first.overall if f == OVERALL else first.nodes.get(f)) is not None]
        if not levels or any(lv is None for lv in levels):
            return None
        return correspond(min(levels, key=lambda lv: lv.index), cw, fw)  # type: ignore[union-attr]  # no None: see above

    if second.overall is not None:
        fed = [OVERALL] if first.overall else []
        rows.append(Row(OVERALL, "Overall rating", None, second.overall, fed, corresponding(fed)))
    for node in fw.walk():
        r = second.nodes[node.id]
        if not r.rated:
            continue
        fed = list(dict.fromkeys(f for d in node.walk() for f in feeds.get(d.id, ())))
        rows.append(Row(node.id, r.title, None, r, fed, corresponding(fed)))
    return rows


# -- many inspections ------------------------------------------------------------------------------


@dataclass
class Impact:
    first: Framework
    second: Framework
    crosswalk: Crosswalk | None = None
    inspections: int = 0
    transitions: dict[str, Counter] = field(default_factory=dict)  # node -> Counter[(from, to)]
    changed: list[tuple[str, str | None, list[tuple[str, str, str]]]] = field(default_factory=list)
    #: through a crosswalk: inspections with nodes the second framework could not rate from the evidence
    #: (not a difference in rating: nothing to compare)
    unrated: list[tuple[str, str | None, list[str]]] = field(default_factory=list)
    notes: Counter = field(default_factory=Counter)

    def table(self, node_id: str) -> Counter:
        return self.transitions.get(node_id, Counter())

    def render(self, fmt: str) -> str:
        """The impact as ``text``, ``json`` or ``markdown`` (what :func:`bandstand.render.render` calls)."""
        if fmt == "json":
            return json.dumps({"format": FORMAT, **impact_json(self)}, indent=2, ensure_ascii=False) + "\n"
        return {"text": impact_text, "markdown": impact_markdown}[fmt](self)


def _level_key(r: NodeResult | None) -> str:
    if r is None:
        return ABSENT
    return r.level.id if isinstance(r.level, Level) else NOT_RATED


def impact(a: Framework, b: Framework, evidence: Iterable[Evidence], crosswalk: Crosswalk | None = None) -> Impact:
    """How the ratings of many inspections move from ``a`` to ``b``.

    Each inspection is evaluated for its ratings only (``explain=False``): a transition table needs each node's
    level under each version, and the rows of the comparison, which do not depend on the evidence, are worked
    out once (:class:`_RowPlan`). What it counts is what :func:`compare` of each inspection would give.
    """
    out = Impact(a, b, crosswalk)
    plan = _RowPlan(a, b, crosswalk)
    transitions, notes, changed, unrated_out = out.transitions, out.notes, out.changed, out.unrated
    for key in plan.keys:  # (each row's table, in the order of the rows)
        transitions[key] = Counter()
    for ev in evidence:
        e = _evaluated(a, b, ev, crosswalk, False)
        out.inspections += 1
        for n in e.notes:
            notes[n] += 1
        moves, unrated = plan.count(e, transitions, notes)
        subject = e.ev.subject or ev.file or "(no subject)"
        if moves:
            changed.append((subject, ev.file, moves))
        if unrated:
            unrated_out.append((subject, ev.file, unrated))
    for key in plan.keys:  # (a row counted for no inspection has no table)
        if not transitions[key]:
            del transitions[key]
    return out


class _RowPlan:
    """The rows :func:`compare` makes for any evidence under two frameworks, worked out once for :func:`impact`.

    Which nodes are compared, which are a different node in each version, which a crosswalk feeds from which:
    these depend on the frameworks (and crosswalk) alone. What depends on the evidence is each node's level
    under each version, read from the plan's ratings of a ratings-only result (:meth:`Result.plan_values`, or
    :meth:`Result.rating`), and, for a node only one version has, whether the evidence says anything about it.
    """

    def __init__(self, a: Framework, b: Framework, cw: Crosswalk | None):
        self.cw, self.b = cw, b
        #: every node's slot in each framework's ratings (engine.compile), the overall rating's too
        self.index_a, self.index_b = compile_framework(a).index, compile_framework(b).index
        #: without a crosswalk, per row: (node id, its slot in a, in b (-1: not there), the nodes whose evidence
        #: counts for a node only one version has (else None), the note when it is a different node in each
        #: version (else None))
        self.by_id: list[tuple[str, int, int, frozenset[str] | None, str | None]] = []
        #: through a crosswalk, per row: (node id, its slot in b, the slots in a of the nodes that feed it)
        self.by_crosswalk: list[tuple[str, int, list[int]]] = []
        self.memo: dict[str, Level | None] = {}  # a level of ``a`` -> the level of ``b`` it corresponds to
        if cw is None:
            if OVERALL in a.nodes or OVERALL in b.nodes:
                self.by_id.append(self._row(a, b, OVERALL, False))
            ids = [i for i in b.nodes if i != OVERALL] + [i for i in a.nodes if i != OVERALL and i not in b.nodes]
            for i in ids:
                na, nb = a.nodes.get(i), b.nodes.get(i)
                if (na is None or not na.rated) and (nb is None or not nb.rated):
                    continue
                self.by_id.append(self._row(a, b, i, True))
            self.keys = [row[0] for row in self.by_id if row[4] is None]
        else:
            feeds: dict[str, list[str]] = {m.to_node: list(m.from_nodes) for m in cw.answers}
            for to_node, (from_node, _) in cw.judgements.items():
                feeds.setdefault(to_node, []).append(from_node)
            if OVERALL in b.nodes:
                fed = [self.index_a[OVERALL]] if OVERALL in a.nodes else []
                self.by_crosswalk.append((OVERALL, self.index_b[OVERALL], fed))
            for node in b.walk():
                if node.rated:
                    ids = list(dict.fromkeys(f for d in node.walk() for f in feeds.get(d.id, ())))
                    self.by_crosswalk.append((node.id, self.index_b[node.id],
                                              [self.index_a[f] for f in ids if f in a.nodes]))
            self.keys = [row[0] for row in self.by_crosswalk]

    def _row(self, a: Framework, b: Framework, i: str, evidence_counts: bool):
        na, nb = a.nodes.get(i), b.nodes.get(i)
        beneath = None
        if evidence_counts and (na is None) != (nb is None):
            beneath = frozenset(d.id for d in (na or nb).walk())  # type: ignore[union-attr]  # one is there
        different = None
        if na is not None and nb is not None and _different_titles(na.title or na.question, nb.title or nb.question):
            different = f"{i} is a different node in each version: not compared"
        return (i, self.index_a[i] if na is not None else -1, self.index_b[i] if nb is not None else -1, beneath,
                different)

    def count(self, e: _Evaluated, transitions: dict[str, Counter], notes: Counter) -> tuple[list, list]:
        """Count one inspection's rows into ``transitions`` (and notes): (its moves, its nodes not rated)."""
        va, vb = _values(e.first, self.index_a), _values(e.second, self.index_b)
        moves: list[tuple[str, str, str]] = []
        unrated: list[str] = []
        if self.cw is None:
            given: set[str] | None = None
            for i, sa, sb, beneath, different in self.by_id:
                if different is not None:
                    notes[different] += 1
                    continue
                before = _slot_key(va, sa)
                if beneath is not None:
                    if given is None:
                        given = _given(e.ev) | _given(e.ev2)
                    if given.isdisjoint(beneath):
                        transitions[i][(before, NO_EVIDENCE)] += 1
                        continue
                after = _slot_key(vb, sb)
                transitions[i][(before, after)] += 1
                if before != after:
                    moves.append((i, before, after))
            return moves, unrated
        for i, sb, fed in self.by_crosswalk:
            corresponds = self._corresponding(va, fed)
            before = corresponds.id if corresponds is not None else NO_CORRESPONDENCE
            after = _slot_key(vb, sb)
            transitions[i][(before, after)] += 1
            if after == NOT_RATED and before != NOT_RATED:
                unrated.append(i)
            elif before != after and before != NO_CORRESPONDENCE:
                moves.append((i, before, after))
        return moves, unrated

    def _corresponding(self, values, fed: list[int]) -> Level | None:
        """What ``_rows_by_crosswalk`` gives: the level the crosswalk gives the lowest rating among ``fed``."""
        if not fed:
            return None
        levels = []
        for slot in fed:
            level = values[slot]
            if not isinstance(level, Level):
                return None
            levels.append(level)
        low = min(levels, key=lambda lv: lv.index)
        memo = self.memo
        key = f"{low.scale_id}\0{low.id}"
        if key not in memo:
            memo[key] = correspond(low, self.cw, self.b)  # type: ignore[arg-type]  # through a crosswalk: given
        return memo[key]


def _slot_key(values, slot: int) -> str:
    """What :func:`_level_key` gives of the node in ``slot`` of a plan's values (-1: the version has no such node)."""
    if slot < 0:
        return ABSENT
    v = values[slot]
    return v.id if isinstance(v, Level) else NOT_RATED


def _values(result: Result, index: dict[str, int]) -> list | tuple:
    """Each node's value by its slot in the framework's ratings (a :class:`Level` where it is rated): the plan's
    own, or, where the node results are made, read from them."""
    plan = result.plan_values()
    if plan is not None:
        return plan[1]
    return [result.rating(i) for i in index]


def _unrated_heading(imp: Impact) -> str:
    n = len(imp.unrated)
    return (f"{n} inspection{'s' if n != 1 else ''} with nodes {imp.second.ref} could not rate from the evidence "
            "(not compared; see the notes)")


# -- renderers ---------------------------------------------------------------------------------------


def _cell(r: NodeResult | None) -> str:
    if r is None:
        return "-"
    text = r.level.label if r.level is not None else NOT_RATED
    if r.measure is not None and r.percent is not None:
        from .dsl.model import fmt_number

        text += f" {fmt_number(r.percent)}%"
        if r.measure.of is not None:
            text += f" ({r.measure.yes}/{r.measure.of})"
    elif r.value is not None and r.maximum is not None:
        from .dsl.model import fmt_number

        text += f" {fmt_number(r.value)}/{fmt_number(r.maximum)}"
    return text


def _fed_text(row: Row, first: Result) -> str:
    parts = []
    for f in row.fed_by:
        r = first.overall if f == OVERALL else first.nodes.get(f)
        parts.append(f"{f} {_cell(r)}")
    return "from " + ", ".join(parts)


def comparison_text(c: Comparison, changes_only: bool = False) -> str:
    a, b = c.first.framework, c.second.framework
    la, lb = c.labels or (a.ref, b.ref)
    how = f" (through crosswalk {c.crosswalk.id})" if c.crosswalk else ""
    lines = [f"{c.subject or '(no subject)'}: {la} -> {lb}{how}"]
    rows = [r for r in c.rows if r.changed or not changes_only]
    width = max((len(r.node_id) for r in rows), default=7) + 2
    if c.crosswalk is None:
        wa = max([len(_cell(r.a)) for r in rows] + [len(la)]) + 2
        wb = max([len(_cell(r.b)) for r in rows] + [len(lb)]) + 2
        lines.append(f"{'':{width}}{la:{wa}}{lb}")
        for r in rows:
            lines.append(f"{r.node_id:{width}}{_cell(r.a):{wa}}{_cell(r.b):{wb}}{r.verdict}".rstrip())
    else:
        o = c.first.overall
        if o is not None:
            lines.append(f"{a.ref}: overall {_cell(o)}")
        lines.append(f"{b.ref}:")
        wb = max([len(_cell(r.b)) for r in rows] + [10]) + 2
        for r in rows:
            lines.append(f"  {r.node_id:{width}}{_cell(r.b):{wb}}{r.verdict}".rstrip())
            if r.fed_by:
                lines.append(f"  {'':{width}}{_fed_text(r, c.first)}")
            if r.corresponds is not None:
                lines.append(f"  {'':{width}}the lowest of these corresponds to {r.corresponds.label}")
            if r.b is not None and r.b.level is None:
                lines.append(f"  {'':{width}}{r.b.reason}")
    lines += [f"note: {n}" for n in _notes(c.first.framework, c.second.framework, c.crosswalk) + c.notes]
    return "\n".join(lines) + "\n"


def _notes(a: Framework, b: Framework, cw: Crosswalk | None) -> list[str]:
    """What every comparison says besides its rows: how a crosswalk compares, its note, inferred thresholds."""
    out = []
    if cw is not None:
        out.append(f"through crosswalk {cw.id}, a node of {b.ref} is compared with the level the crosswalk's "
                   f"correspondence gives to the lowest rating among the nodes of {a.ref} that feed it")
        if cw.note:
            out.append(f"crosswalk note: {' '.join(cw.note.split())}")
    for fw in (a, b):
        for t in fw.bands.values():
            if t.inferred:
                out.append(f"the thresholds of {fw.ref} '{t.label or t.id}' are inferred, not published")
    return out


def _level_order(imp: Impact):
    """Sort keys for table headings: levels low to high, then 'not rated', then 'absent'."""
    rank: dict[str, int] = {}
    for fw in (imp.first, imp.second):
        for scale in fw.scales.values():
            for lv in scale.levels:
                rank.setdefault(lv.id, lv.index)
    return lambda x: (rank.get(x, 100 + (x == ABSENT)), x)


def impact_text(imp: Impact) -> str:
    lines = [f"{imp.inspections} inspection{'s' if imp.inspections != 1 else ''}: {imp.first.ref} -> {imp.second.ref}"]
    for node_id, table in imp.transitions.items():
        if all(before == after for before, after in table) and node_id != OVERALL:
            continue
        lines.append("")
        lines.append(f"{node_id}:" if node_id != OVERALL else "overall rating:")
        order = _level_order(imp)
        befores = sorted({k[0] for k in table}, key=order)
        afters = sorted({k[1] for k in table}, key=order)
        corner = "from / to"
        w = max(len(x) for x in befores + afters + [corner]) + 2
        lines.append("  " + corner.ljust(w) + "".join(f"{x:{w}}" for x in afters) + "total")
        for before in befores:
            counts = [table.get((before, after), 0) for after in afters]
            lines.append("  " + f"{before:{w}}" + "".join(f"{n:<{w}}" for n in counts) + str(sum(counts)))
        lines.append("  " + f"{'total':{w}}" + "".join(f"{sum(table.get((x, y), 0) for x in befores):<{w}}"
                                                     for y in afters) + str(sum(table.values())))
    verb = "differ" if imp.crosswalk is not None else "change"
    if imp.changed:
        lines.append("")
        one = len(imp.changed) == 1
        lines.append(f"{len(imp.changed)} inspection{'' if one else 's'} {verb}{'s' if one else ''}:")
        for subject, file, moves in imp.changed:
            what = "; ".join(f"{n} {x} -> {y}" for n, x, y in moves)
            lines.append(f"  {subject}" + (f" ({file})" if file else "") + f": {what}")
    else:
        lines.append("")
        lines.append("no rating changes" if imp.crosswalk is None else "no rating differs from its correspondence")
    if imp.unrated:
        lines += ["", _unrated_heading(imp) + ":"]
        for subject, file, nodes in imp.unrated:
            lines.append(f"  {subject}" + (f" ({file})" if file else "") + f": {', '.join(nodes)}")
    lines += [f"note: {n}" for n in _notes(imp.first, imp.second, imp.crosswalk)]
    for note, n in imp.notes.items():
        lines.append(f"note ({n} inspection{'s' if n != 1 else ''}): {note}")
    return "\n".join(lines) + "\n"


def comparison_json(c: Comparison) -> dict:
    return {
        "subject": c.subject,
        "evidence": c.file,
        "first": c.first.to_json(),
        "second": c.second.to_json(),
        "crosswalk": c.crosswalk.id if c.crosswalk else None,
        **({"labels": list(c.labels)} if c.labels else {}),
        "rows": [{"node": r.node_id, "first": _level_key(r.a) if r.a is not None else None,
                  "second": _level_key(r.b) if r.b is not None else None, "verdict": r.verdict,
                  **({"fed_by": r.fed_by} if r.fed_by else {}),
                  **({"corresponds": r.corresponds.id} if r.corresponds else {})} for r in c.rows],
        "notes": _notes(c.first.framework, c.second.framework, c.crosswalk) + c.notes,
    }


def impact_json(imp: Impact) -> dict:
    return {
        "first": imp.first.ref,
        "second": imp.second.ref,
        "inspections": imp.inspections,
        "transitions": {node: [{"from": a, "to": b, "count": n} for (a, b), n in sorted(t.items(), key=str)]
                        for node, t in imp.transitions.items()},
        "crosswalk": imp.crosswalk.id if imp.crosswalk else None,
        "changed": [{"subject": s, "evidence": f, "moves": [{"node": n, "from": a, "to": b} for n, a, b in m]}
                    for s, f, m in imp.changed],
        "not_rated_by_second": [{"subject": s, "evidence": f, "nodes": nodes} for s, f, nodes in imp.unrated],
        "notes": dict(imp.notes),
        "inferred_thresholds": [f"{fw.ref}:{t.id}" for fw in (imp.first, imp.second) for t in fw.bands.values()
                                if t.inferred],
    }


def comparison_markdown(c: Comparison, changes_only: bool = False) -> str:
    from .render import md

    a, b = c.first.framework, c.second.framework
    la, lb = c.labels or (a.ref, b.ref)
    how = f" (through crosswalk `{c.crosswalk.id}`)" if c.crosswalk else ""
    out = [f"# {md(c.subject or 'Inspection')}: {md(la)} and {md(lb)}{how}", ""]
    rows = [r for r in c.rows if r.changed or not changes_only]
    if c.crosswalk is None:
        out += [f"| Node | {md(la)} | {md(lb)} | Change |", "|---|---|---|---|"]
        out += [f"| {md(r.node_id)} | {md(_cell(r.a))} | {md(_cell(r.b))} | {md(r.verdict)} |" for r in rows]
    else:
        out += [f"| {md(b.ref)} | Rating | Read from {md(a.ref)} | Corresponds to | Change |", "|---|---|---|---|---|"]
        out += [f"| {md(r.node_id)} {md(r.title)} | {md(_cell(r.b))} | {md(_fed_text(r, c.first) if r.fed_by else '')} "
                f"| {md(r.corresponds.label) if r.corresponds else ''} | {md(r.verdict)} |" for r in rows]
    out.append("")
    for n in _notes(a, b, c.crosswalk) + c.notes:
        out.append(f"- {md(n)}")
    return "\n".join(out).rstrip() + "\n"


def impact_markdown(imp: Impact) -> str:
    from .render import md

    out = [f"# {imp.inspections} inspections: {md(imp.first.ref)} and {md(imp.second.ref)}", ""]
    for node_id, table in imp.transitions.items():
        if all(x == y for x, y in table) and node_id != OVERALL:
            continue
        order = _level_order(imp)
        befores = sorted({k[0] for k in table}, key=order)
        afters = sorted({k[1] for k in table}, key=order)
        out.append(f"## {md('Overall rating' if node_id == OVERALL else node_id)}")
        out.append("")
        out.append("| from \\ to | " + " | ".join(md(x) for x in afters) + " | total |")
        out.append("|---" * (len(afters) + 2) + "|")
        for before in befores:
            counts = [table.get((before, after), 0) for after in afters]
            out.append(f"| {md(before)} | " + " | ".join(str(n) for n in counts) + f" | {sum(counts)} |")
        out.append("")
    if imp.changed:
        out.append("## Inspections that " + ("differ" if imp.crosswalk is not None else "change"))
        out.append("")
        for subject, _file, moves in imp.changed:
            out.append(f"- {md(subject)}: " + "; ".join(f"{md(n)} {md(x)} → {md(y)}" for n, x, y in moves))
        out.append("")
    if imp.unrated:
        out += ["## Not compared", "", md(_unrated_heading(imp)) + ":", ""]
        out += [f"- {md(subject)}: {md(', '.join(nodes))}" for subject, _, nodes in imp.unrated]
        out.append("")
    notes = _notes(imp.first, imp.second, imp.crosswalk)
    notes += [f"{note} ({n} inspection{'s' if n != 1 else ''})" for note, n in imp.notes.items()]
    if notes:
        out += ["## Notes", ""] + [f"- {md(n)}" for n in notes]
    return "\n".join(out).rstrip() + "\n"
