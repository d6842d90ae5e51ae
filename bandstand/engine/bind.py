"""Binding evidence to a framework: every problem of meaning at once, and one measure per node.

:func:`bind` checks what was read (:mod:`.evidence_model`) against what the
framework rates: judgements on its scales, figures and case answers for the
nodes rated on a share of cases, published ratings (:mod:`.published`), and
that nothing a rule reads is missing (:mod:`.coverage`). It counts the case
answers into one :class:`Measure` per node, ready to evaluate (:class:`Bound`).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from fractions import Fraction
from operator import itemgetter
from pathlib import PurePath
from typing import Callable

from ..dsl.build import suggest
from ..dsl.model import JUDGED_OPTIONAL, Framework, Level, Node, fmt_number
from ..dsl.resolve import facts as framework_facts
from ..errors import Collector, Diagnostic, Position
from .bind_values import bind_values
from .coverage import check_partial, coverage_error, declared_left_out, published_cover, uncovered_in_cases
from .evidence_model import Case, Evidence
from .headers import resolve_evidence
from .progress import Book, bind_progress
from .published import bind_published, stand_ins

class Measure:
    """A node's share of cases: counts, or a published percentage. Not to be changed once made (one may serve
    many bindings).

    ``value`` is the percentage (exact), or None when nothing applied: worked
    out once, when the measure is made, since every evaluation reads it.
    """

    __slots__ = ("yes", "of", "percent", "value")

    def __init__(self, yes: int | None, of: int | None, percent: Fraction | int | None):
        self.yes = yes
        self.of = of
        self.percent = percent  # as published, when given
        if percent is not None:
            self.value: Fraction | int | None = percent
        elif not of:
            self.value = None
        else:
            assert yes is not None  # counts: yes is given with of (the evidence schema's dependentRequired)
            whole, rest = divmod(100 * yes, of)
            self.value = whole if not rest else Fraction(100 * yes, of)

    def __eq__(self, other):
        if other.__class__ is not Measure:
            return NotImplemented
        return (self.yes, self.of, self.percent) == (other.yes, other.of, other.percent)

    def __hash__(self) -> int:
        return hash((self.yes, self.of, self.percent))

    def __repr__(self) -> str:
        return f"Measure(yes={self.yes!r}, of={self.of!r}, percent={self.percent!r})"

    def __reduce__(self):
        return Measure, (self.yes, self.of, self.percent)


@dataclass
class Bound:
    """Evidence checked against a framework, ready to evaluate."""

    framework: Framework
    evidence: Evidence
    judgements: dict[str, Level | None]  # None: not rated (allowed)
    notes: dict[str, str]
    measures: dict[str, Measure]  # per node: figures or counted case answers
    from_cases: set[str]  # nodes whose measure was counted from cases
    case_count: dict[str, int]  # cases per part
    warnings: list[Diagnostic] = field(default_factory=list)
    published: dict[str, Level] = field(default_factory=dict)  # published ratings of rule-rated nodes
    stand_in: dict[str, str] = field(default_factory=dict)  # published nodes whose rating stands in: why
    incomplete: dict[str, str] = field(default_factory=dict)  # nodes beneath one whose evidence is incomplete
    left_out: list[str] = field(default_factory=list)  # rated nodes with no evidence, as partial evidence allows
    values: dict = field(default_factory=dict)  # node id -> its published figures (evidence_model.Values)
    progress: "Book | None" = None  # progress records and the day evaluated on, when the framework reads them


_NOT_RATED = ("not_rated", "none", "n/a", "null", "~", "")
_NOT_EVIDENCE = frozenset({"$schema", "framework", "subject", "date", "source", "notes"})  # fields that hold none


def bind(ev: Evidence, fw: Framework, on=None) -> Bound:
    """Check evidence against a framework; raise every problem at once.

    ``on`` (a YYYY-MM-DD day) is the day the evidence is evaluated on, for rules that read ``evaluated_on()``;
    without it, the evidence's own date (:mod:`.progress`).
    """
    out = Collector()
    ev, found = resolve_evidence(ev, fw)  # a spreadsheet's columns, and parts by label (headers.py)
    out.extend(found)
    nodes = fw.nodes
    facts = framework_facts(fw).evidence  # what the framework asks of evidence, worked out once
    judgements: dict[str, Level | None] = {}
    notes: dict[str, str] = {}
    left_out: list[str] = []

    def unknown(node_id: str, pos: Position, what: str, among=None):
        ids = [n for n in (nodes if among is None else among) if n != "overall"]  # suggest what fits here
        out.error("evidence.unknown-node", f"{what} for '{node_id}', which is not a node of {fw.ref}"
                  + suggest(node_id, ids), pos)

    # published ratings (a judged node's is its judgement)
    published, judged = bind_published(ev, fw, out, unknown) if ev.published else ({}, {})
    # nodes beneath a published rating (one with a wrong level too: its error is the one to show)
    covered = published_cover(fw, [n for n in ev.published if n in nodes and nodes[n].rated]) if ev.published \
        else set()

    # judgements
    known = (bind_facts := _bind_facts(fw, facts)).levels  # (node id, rating) -> the level, as found before
    for node_id, j in list(ev.judgements.items()) + list(judged.items()) if judged else ev.judgements.items():
        rating = j.rating
        if rating.__class__ is str:
            level = known.get((node_id, rating))
            if level is not None:  # what the long way below found for the same node and rating
                judgements[node_id] = level
                if j.note:
                    notes[node_id] = j.note
                continue
        node = nodes.get(node_id)
        if node is None or node_id == "overall":
            unknown(node_id, j.pos, "a judgement", [n.id for n in nodes.values() if n.is_judged])
            continue
        if not node.is_judged:
            if node.rated:
                why = "is rated by rule, not by an inspector's judgement"
            else:
                why = "is not rated (it is a question taken into account, not a standard)"
            out.error("evidence.not-judged", f"'{node_id}' ({node.name}) {why}; remove this judgement", j.pos)
            continue
        if _not_rated(j.rating):
            if node.judged == JUDGED_OPTIONAL or declared_left_out(ev.partial, node):
                judgements[node_id] = None
            else:
                out.error("evidence.missing-judgement", f"'{node_id}' ({node.name}) must be rated; "
                          f"expected one of: {', '.join(node.scale.names)}", j.pos)
            if j.note:
                notes[node_id] = j.note
            continue
        level = node.scale.find(str(j.rating))
        if level is None:
            out.error("evidence.level", f"'{j.rating}' is not a level of scale '{node.scale.id}'; expected one of: "
                      f"{', '.join(node.scale.names)}" + suggest(str(j.rating), node.scale.names), j.pos)
            continue
        judgements[node_id] = level
        if rating.__class__ is str:
            if len(known) >= 4096:
                known.clear()
            known[(node_id, rating)] = level
        if j.note:
            notes[node_id] = j.note
    # a section that could not be read (or a misspelt one) may hold what would be called missing
    unsure = ev.unread_sections - _NOT_EVIDENCE
    missing = [] if ev.judgements.keys() >= bind_facts.judged else (  # (every one judged: none missing)
        [n for n in facts.judged if n.id not in ev.judgements and n.id not in judged
         and n.id not in covered and n.id not in ev.unread and not unsure - {"key_questions", "figures", "cases"}])
    if missing and not ev.partial and ev.file and ev.file.lower().endswith((".csv", ".tsv")) and not ev.judgements:
        # a bare CSV of cases: one line saying where judgements go, not one per judged node
        out.error("evidence.missing-judgement", f"a CSV of cases gives no judgements, and {fw.ref} needs them for "
                  f"{', '.join(n.id for n in missing)}; give them in a YAML evidence file that reads these cases "
                  f"(cases: {PurePath(ev.file).name}), or add an inspection column and a column per judged node",
                  ev.where("judgements"))
        missing = []
    for node in missing:
        if declared_left_out(ev.partial, node):
            judgements[node.id] = None
            left_out.append(node.id)
        else:
            out.error("evidence.missing-judgement",
                      f"no judgement for '{node.id}' ({node.name}); give one of: {', '.join(node.scale.names)} "
                      "(or set partial: true to leave it not rated)",
                      ev.where("judgements"))

    # figures
    figured, takes_figures = facts.figured, bind_facts.takes_figures
    measures: dict[str, Measure] = {}
    given: set[str] = set(ev.figures)  # nodes with evidence, accepted or not
    for node_id, f in ev.figures.items():
        if node_id not in takes_figures:
            node = nodes.get(node_id)
            if node is None or node_id == "overall":
                unknown(node_id, f.pos, "figures")
                continue
            out.error("evidence.not-share", f"'{node_id}' is not rated on a share of cases, so it takes no "
                      "figures" + (" (it is rated by judgement: give a judgement)" if node.is_judged else ""), f.pos)
            continue
        percent: Fraction | int | None = f.percent  # (an int once whole, below)
        if percent is not None:
            if f.of:
                assert f.yes is not None  # yes is given with of (the evidence schema's dependentRequired)
                exact = Fraction(100 * f.yes, f.of)
                if abs(exact - percent) >= 1:
                    out.error("evidence.counts", f"{f.yes} of {f.of} is {float(exact):.1f}%, not "
                              f"{fmt_number(percent)}%", f.pos)
                    continue
            if type(percent) is not int:
                whole, one = percent.as_integer_ratio()
                if one == 1:
                    percent = whole  # whole percentages compare as plain ints on every evaluation
            if f.yes is None and f.of is None and type(percent) is int:
                measure = _published_percent.get(percent)  # (one unchangeable measure per whole percentage)
                if measure is None:
                    if len(_published_percent) >= 1024:
                        _published_percent.clear()
                    measure = _published_percent[percent] = Measure(None, None, percent)
                measures[node_id] = measure
                continue
        measures[node_id] = Measure(f.yes, f.of, percent)

    # cases
    counts: dict[str, tuple[int, int]] | dict[str, list[int]] = {}  # node id -> (yes, applicable)
    case_count: dict[str, int] = {}
    unknown_answers: dict[str, tuple[Position, str]] = {}  # answer key -> (first place, case)
    unknown_parts: dict[str, list[Case]] = {}
    plain = _count_plain(ev.cases, fw.parts, bind_facts) if ev.cases and not measures else None
    if plain is not None:  # nothing in the cases to report: counted a layout of answers at a time
        counts, case_count = plain
        given.update(counts)
    elif ev.cases is not None:
        answer_part = bind_facts.answer_part
        if not ev.cases:
            out.error("evidence.no-cases", "no cases are given; list the inspected cases or remove 'cases'",
                      ev.cases_pos)
        seen: dict[str, Position] = {}
        counted: dict[str, list[int]] = {}  # node id -> [yes, applicable]
        counts = counted
        for case in ev.cases:
            if case.id in seen:
                out.error("evidence.duplicate-case", f"case id '{case.id}' is used twice (first at line "
                          f"{seen[case.id].line})", case.pos)
                continue
            seen[case.id] = case.pos
            part = fw.parts.get(case.part)
            if part is None:
                unknown_parts.setdefault(case.part, []).append(case)  # one line per value, not per case
                continue
            case_count[part.id] = case_count.get(part.id, 0) + 1
            applicable = 0
            errors_before = len(out.diagnostics)
            rejected_unknown = False
            wrong_part: dict[str, list[tuple[str, Position]]] = {}
            pos = case.answer_pos.get  # where an answer is: looked up only for a message (a CSV works it out)
            part_id = part.id
            for node_id, answer in case.answers.items():
                in_part = answer_part.get(node_id)  # (the part of a node answered case by case; "" for none)
                if in_part is None:  # no node, the overall, or a node not answered case by case
                    node = nodes.get(node_id)
                    if node is None or node_id == "overall":
                        if node_id not in unknown_answers:  # reported once, below
                            unknown_answers[node_id] = (pos(node_id, case.pos), case.id)
                        rejected_unknown = True
                        continue
                    hint = "; answer its questions instead" if node_id in figured else ""
                    out.error("evidence.not-share",
                              f"case '{case.id}': '{node_id}' is not answered case by case{hint}",
                              pos(node_id, case.pos))
                    continue
                if in_part and in_part != part_id:
                    if answer is not None:
                        wrong_part.setdefault(nodes[node_id].part.label, []).append(  # type: ignore[union-attr]
                            (node_id, pos(node_id, case.pos)))
                    continue
                if node_id in measures:
                    out.error("evidence.duplicate", f"'{node_id}' has both published figures and case answers; "
                              "give one or the other", pos(node_id, case.pos))
                    continue
                c = counted.get(node_id)
                if c is None:
                    c = counted[node_id] = [0, 0]
                    given.add(node_id)
                if answer is not None:
                    c[1] += 1
                    applicable += 1
                    if answer:
                        c[0] += 1
            _wrong_part(out, case, part, wrong_part)
            rejected = len(out.diagnostics) > errors_before or rejected_unknown  # reported: no second error
            if case.answers and applicable == 0 and not rejected:
                out.error("evidence.empty-case", f"case '{case.id}' answers every question 'not applicable'; "
                          "it counts for nothing: check it or remove it", case.pos)
        for value, cases in unknown_parts.items():
            _unknown_part(out, fw, value, cases)
    from_cases = set(counts)
    if plain is not None:  # (yes, applicable) -> its measure, most often one met before
        made = list(map(_counted_memo.get, plain[0].values()))
        if not all(made):  # (not 'None in made': that compares each measure with None)
            made = [_counted(y, n) for y, n in plain[0].values()]
        measures.update(zip(counts, made))  # type: ignore[arg-type]  # (None in none of them)
    else:
        for node_id, (y, n) in counts.items():
            measures[node_id] = _counted(y, n)
    # a needed node that no case answers is missing evidence, never 'not applicable in every case'
    declared = {n for n in facts.needed if declared_left_out(ev.partial, nodes[n])} if ev.partial else set()
    uncovered = []
    if ev.cases and not unknown_parts and "cases" not in unsure \
            and not bind_facts.needed <= given:  # (every needed node answered: none uncovered)
        uncovered = uncovered_in_cases(ev, fw, given, set(ev.figures), set(case_count),
                                       covered | declared | ev.unread)
    named: set[str] = set()
    if uncovered:
        diagnostic, named = coverage_error(ev, fw, uncovered, unknown_answers if ev.cases else {})
        out.extend([diagnostic])
    for node_id, (where, case_id) in (unknown_answers.items() if ev.cases else ()):
        if node_id not in named:
            unknown(node_id, where, f"case '{case_id}' has an answer")
    if declared:
        left_out += [n for n in declared if n not in measures and n not in given and n not in covered
                     and nodes[n].rated]

    # every share-rated node needs evidence
    if ev.partial is not True and not (ev.cases and unknown_parts) and not unsure - {"judgements"}:
        _missing(out, ev, [] if measures.keys() >= bind_facts.share_rated else  # (every one has a measure)
                 [node for node in facts.share_rated if node.id not in measures and node.id not in given
                  and node.id not in ev.unread and node.id not in covered and node.id not in declared
                  and node.id not in uncovered])
    values, values_left_out = bind_values(ev, fw, out, unknown) if ev.values or facts.valued else ({}, [])
    left_out += values_left_out
    book = bind_progress(ev, fw, out, on, given, left_out) if ev.progress or facts.progress or facts.dated else None
    if isinstance(ev.partial, tuple):
        check_partial(ev, fw, out, given | set(ev.values), uncovered)
    if out.diagnostics:
        out.raise_if_errors()
    bound = Bound(fw, ev, judgements, notes, measures, from_cases, case_count,
                  [d for d in out.diagnostics if not d.is_error], published,
                  *(stand_ins(fw, published, judgements, measures, left_out) if published else ({}, {})),
                  # in the hierarchy's order, the overall (not in it: left out when its rule reads its own values) last
                  sorted(set(left_out), key=lambda n: facts.order.get(n, len(facts.order))) if left_out else [],
                  values=values)
    bound.progress = book
    return bound


_not_rated_memo: dict[str, bool] = {}
_published_percent: dict[int, Measure] = {}
_counted_memo: dict[tuple[int, int], Measure] = {}
_bind_facts_memo: "weakref.WeakKeyDictionary[Framework, _BindFacts]" = weakref.WeakKeyDictionary()
_tallies: dict[tuple, tuple[int, int]] = {}  # a node's answers in a few cases -> (yes, applicable)


def _counted(yes: int, of: int) -> Measure:
    """The measure of ``yes`` of ``of`` counted cases: one unchangeable measure per pair met (most are small)."""
    key = (yes, of)
    measure = _counted_memo.get(key)
    if measure is None:
        measure = Measure(yes, of, None)
        if of <= 1000:
            if len(_counted_memo) >= 4096:
                _counted_memo.clear()
            _counted_memo[key] = measure
    return measure


class _BindFacts:
    """What binding reads of a framework beyond ``facts(fw).evidence``, worked out once per framework."""

    __slots__ = ("answer_part", "takes_figures", "levels", "layouts", "needed", "share_rated", "judged",
                 "__weakref__")

    def __init__(self, fw: Framework, facts):
        nodes = fw.nodes
        #: node id -> the id of its part ("" for none), of every node answered case by case
        self.answer_part: dict[str, str] = {
            n: (nodes[n].part.id if nodes[n].part is not None else "")  # type: ignore[union-attr]
            for n in facts.answered if n in nodes and n != "overall"}
        #: the nodes that take figures
        self.takes_figures = frozenset(n for n in facts.figured if n in nodes and n != "overall")
        #: (node id, a judgement's rating as written) -> the level it gives that judged node: found once, the long
        #: way, then kept (bounded)
        self.levels: dict[tuple[str, str], Level] = {}
        #: the ids of the nodes that need evidence (``facts.needed``), and of the nodes rated on a share of cases
        self.needed = frozenset(facts.needed)
        self.share_rated = frozenset(n.id for n in facts.share_rated)
        self.judged = frozenset(n.id for n in facts.judged)  # (those to be judged: not optionally)
        #: (a part's id, a case's answer keys in order) -> how such a case is counted (:class:`_Layout`), or False
        #: when such a case has something to report: found once, then kept (bounded)
        self.layouts: dict[tuple[str, ...], _Layout | bool] = {}


def _bind_facts(fw: Framework, facts) -> _BindFacts:
    found = _bind_facts_memo.get(fw)
    if found is None:  # (two threads may both make them: either serves)
        found = _bind_facts_memo[fw] = _BindFacts(fw, facts)
    return found


class _Layout:
    """How cases of one part answering one list of node ids (a CSV's rows) are counted, when nothing in them is
    to be reported: the positions of the answers they count for (``inside``: questions of their part, or of
    none), whose nodes are ``ids``, and of the answers to other parts' questions (``outside``), which must
    all be blank."""

    __slots__ = ("part", "ids", "inside", "outside", "blank", "empty")

    def __init__(self, part: str, ids: tuple[str, ...], inside: tuple[int, ...], outside: tuple[int, ...],
                 width: int):
        self.part = part
        self.ids = ids  # the nodes counted, in the order of the cases' answers
        self.inside = _getter(inside)
        self.outside = _getter(outside)
        self.blank = ((0, 0),) * len(outside)  # (yes, applicable) of each blank column
        self.empty = (None,) * width if width else None  # a case answering nothing (with answer keys)


def _getter(positions: tuple[int, ...]) -> Callable[[list], tuple]:
    """A function giving the items of a list at ``positions``, as a tuple."""
    if len(positions) > 1:
        return itemgetter(*positions)
    if positions:
        only = positions[0]
        return lambda items: (items[only],)
    return lambda items: ()


def _layout(key: tuple[str, ...], parts: dict, answer_part: dict[str, str]) -> _Layout | bool:
    """How cases of ``key`` (a part's id, then the cases' answer keys) are counted; False if the part is
    none of the framework's, or an answer key no node answered case by case (the long way reports them)."""
    part_id = key[0]
    if part_id not in parts:
        return False
    ids: list[str] = []
    inside: list[int] = []
    outside: list[int] = []
    for i, node_id in enumerate(key[1:]):
        in_part = answer_part.get(node_id)
        if in_part is None:
            return False
        if not in_part or in_part == part_id:
            ids.append(node_id)
            inside.append(i)
        else:
            outside.append(i)
    return _Layout(part_id, tuple(ids), tuple(inside), tuple(outside), len(key) - 1)


def _tally(column: tuple) -> tuple[int, int] | None:
    """(yes, applicable) of one node's answers in some cases; None if one is neither yes, no nor blank."""
    found = _tallies.get(column)
    if found is None:
        applicable = len(column) - column.count(None)
        yes = column.count(True)
        if yes + column.count(False) != applicable:
            return None
        found = (yes, applicable)
        if len(column) <= 8:  # (the columns of a few cases: most inspections' parts have few)
            if len(_tallies) >= 8192:
                _tallies.clear()
            _tallies[column] = found
    return found


def _count_plain(cases: list[Case], parts: dict, facts: _BindFacts) \
        -> tuple[dict[str, tuple[int, int]], dict[str, int]] | None:
    """(the counts (yes, applicable) of each node the cases answer, the cases of each part) of cases in which
    binding finds nothing to report, as the long way in :func:`bind` counts them, in the same order; None when
    a case may have something to report (an unknown part or answer key, a case id given twice, an answer to
    another part's question, a case answering nothing, an answer neither yes, no nor blank): the long way then
    counts them and says what.

    The cases of one part with the same answer keys (a CSV's rows) are counted together, a node's answers in
    them at once."""
    layouts, answer_part = facts.layouts, facts.answer_part
    counts: dict[str, tuple[int, int]] = {}
    case_count: dict[str, int] = {}
    groups: dict[_Layout, list[tuple]] = {}
    pending = 0
    for case in cases:
        answers = case.answers
        key = (case.part, *answers)
        layout = layouts.get(key)
        if layout is None:
            if len(layouts) >= 1024:
                layouts.clear()
            layout = layouts[key] = _layout(key, parts, answer_part)
        rows = groups.get(layout)  # type: ignore[arg-type]
        if rows is None:
            if layout is False:
                return None
            rows = groups[layout] = []  # type: ignore[index]
        rows.append(tuple(answers.values()))
        pending += 1
        if pending == _CHUNK:  # (counted a chunk at a time: the rows of a million cases are not all kept)
            if not _add_groups(groups, counts, case_count):
                return None
            groups, pending = {}, 0
    if groups and not _add_groups(groups, counts, case_count):
        return None
    if len({case.id for case in cases}) != len(cases):
        return None
    return counts, case_count


_CHUNK = 4096  # the cases whose answers :func:`_count_plain` holds at once


def _add_groups(groups: dict, counts: dict[str, tuple[int, int]], case_count: dict[str, int]) -> bool:
    """Add the counts of cases grouped by layout (each layout's rows of answers) to ``counts`` and
    ``case_count``; False if a case may have something to report (see :func:`_count_plain`)."""
    for layout, rows in groups.items():
        if layout.empty in rows:
            return False
        columns = list(zip(*rows))  # each node's answers in these cases
        tallies = list(map(_tallies.get, columns))
        if None in tallies:  # a column not met before
            tallies = list(map(_tally, columns))
            if None in tallies:
                return False
        if layout.outside(tallies) != layout.blank:
            return False
        part = layout.part
        case_count[part] = case_count.get(part, 0) + len(rows)
        if counts.keys().isdisjoint(layout.ids):  # (most often: each part's questions its own)
            counts.update(zip(layout.ids, layout.inside(tallies)))
            continue
        for node_id, (yes, of) in zip(layout.ids, layout.inside(tallies)):
            c = counts.get(node_id)
            counts[node_id] = (yes, of) if c is None else (c[0] + yes, c[1] + of)
    return True


def _not_rated(rating) -> bool:
    """Whether a judgement's rating says 'not rated' (None, 'n/a', 'none', ...)."""
    if rating is None:
        return True
    text = str(rating)
    found = _not_rated_memo.get(text)
    if found is None:
        if len(_not_rated_memo) >= 1024:
            _not_rated_memo.clear()
        found = _not_rated_memo[text] = text.strip().lower().replace(" ", "_") in _NOT_RATED
    return found


def _ids(ids: list[str], most: int = 8) -> str:
    """'a, b, c' for a few ids; the first ``most`` and how many more for many."""
    if len(ids) <= most:
        return ", ".join(ids)
    return f"{', '.join(ids[:most])} and {len(ids) - most} more"


def _a(label: str) -> str:
    return ("an " if label[:1].lower() in "aeiou" else "a ") + label


def _unknown_part(out: Collector, fw: Framework, value: str, cases: list[Case]) -> None:
    """One line for a part value no part has, however many cases give it (at the first)."""
    expected = (f"expected one of: {', '.join(fw.parts) or '(the framework has no parts)'}"
                + suggest(value, fw.parts))
    first = cases[0]
    if len(cases) == 1:
        message = f"case '{first.id}': unknown part '{value}'; {expected}"
    else:
        message = (f"unknown part '{value}', given for {len(cases)} cases ({_ids([c.id for c in cases])}); "
                   f"{expected}")
    out.error("evidence.part", message, first.part_pos or first.pos)


def _wrong_part(out: Collector, case: Case, part, wrong: dict[str, list[tuple[str, Position]]]) -> None:
    """One line per case for its answers to questions of another part: most likely its part is wrong."""
    for label, answers in wrong.items():
        if len(answers) == 1:
            node_id, pos = answers[0]
            out.error("evidence.wrong-part", f"case '{case.id}' is {_a(part.label)} case, but '{node_id}' belongs "
                      f"to {label}", pos)
        else:
            out.error("evidence.wrong-part",
                      f"case '{case.id}' is {_a(part.label)} case, but answers {len(answers)} questions of {label} "
                      f"({_ids([n for n, _ in answers])}); is its part '{case.part}' right?",
                      case.part_pos or answers[0][1])


def _missing(out: Collector, ev: Evidence, nodes: list[Node]) -> None:
    """One line for every share-rated node without evidence."""
    if not nodes:
        return
    where = ev.where("key_questions" if "key_questions" in ev.section_pos else
                     "figures" if "figures" in ev.section_pos else "cases")
    how = "({yes: N, of: M} or {percent: P}) or case answers (or set partial: true)"
    if len(nodes) == 1:
        node = nodes[0]
        out.error("evidence.missing", f"no evidence for '{node.id}' ({node.name}): give its figures {how}", where)
    else:
        out.error("evidence.missing", f"no evidence for {len(nodes)} nodes rated on a share of cases: "
                  f"{_ids([n.id for n in nodes], 30)}; give their figures {how}", where)

