"""Spreadsheets as analysts keep them: which key question a column answers, and what a label means.

A CSV of cases is read without a framework (:mod:`.read_csv`); its columns
are headed as a person heads them. Against a framework, :func:`map_columns`
says which node each column answers, a pure function of the header cells
and the framework:

- the node's id: ``2.1.1``;
- the id with its wording: ``2.1.1 Does assessment sufficiently analyse ...?``
  (the wording, if it is another key question's, is an error: never guessed);
- the id after a prefix: ``KQ 2.1.1``, ``Q2.1.1``, ``Key question 2.1.1``
  (a tier's label, or its initials);
- the wording alone, where it names one key question of the parts the cases
  are in; wording two key questions share is an error listing both.

Any other column (inspector, notes, dates) is not rated: its cells are kept
as the cases' attributes and named once, in one line. A header that looks
like a key question's (an id-like number, or wording close to a key
question's) but names none stays an answer for no node, so that binding
reports it, and a key question left without a column says "did you mean"
it: a typo never passes as an unused column.

Part values and level labels compare by :func:`normalise_label` (case,
spaces, ``_`` and ``-`` ignored), against the ids, labels and aliases a
framework declares; two of those that read the same are refused when the
framework is loaded, so matching never guesses.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import weakref
from dataclasses import dataclass, field
from operator import attrgetter
from typing import AbstractSet as Set, Sequence

from ..dsl.model import OVERALL, Framework, Node, normalise
from ..dsl.resolve import facts as framework_facts
from ..errors import Diagnostic, Position
from .evidence_model import Case, Evidence, Judgement, parse_answer

#: prefixes any framework's key-question columns may carry, normalised ("KQ 2.1.1", "Q2.1.1")
_PREFIXES = frozenset({"kq", "q", "question", "keyquestion"})
_ID_LIKE = re.compile(r"(?P<prefix>[^\W\d][^\d]*?)?\s*[#:.]?\s*(?P<id>\d+(?:\.[0-9A-Za-z]+)*)"
                      r"(?=$|[\s:;,)\]\u2013\u2014-]|\.(?:\s|$))[\s:;,.)\]\u2013\u2014-]*(?P<rest>.*)$", re.S)
_ELLIPSIS = re.compile(r"\s*(?:\.\.\.|\u2026)\s*$")
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-",
                         "\u00a0": " "})
_CLOSE = 0.85  # how like a key question's wording a header must be to be taken for a mistyped one


def normalise_label(text: str) -> str:
    """A part value or level label as compared: without case, spaces, '_', '-' or apostrophes.

    >>> normalise_label(" Out-of-court ") == normalise_label("out of court") == normalise_label("OUT_OF_COURT")
    True
    """
    return normalise(text)


def wording_key(text: str) -> str:
    """Wording as compared: case, spacing, curly quotes and the final '?' or '.' ignored.

    >>> wording_key("Does assessment  sufficiently analyse the child\u2019s desistance?")
    "does assessment sufficiently analyse the child's desistance"
    """
    return " ".join(text.translate(_QUOTES).casefold().split()).rstrip("?.: ")


@dataclass
class ColumnMap:
    """What each column of a CSV of cases is, against one framework."""

    nodes: dict[str, str] = field(default_factory=dict)  # header -> the node its cells answer
    unused: list[str] = field(default_factory=list)  # headers not used for rating, in order
    suspects: list[str] = field(default_factory=list)  # headers like a key question's that name none
    errors: list[Diagnostic] = field(default_factory=list)
    #: headers reported in errors, and the nodes each might answer: their cells count for no rating (the
    #: evidence is refused), only so that no second error follows from the first
    refused: dict[str, list[str]] = field(default_factory=dict)
    blocked: set[str] = field(default_factory=set)  # nodes whose column is reported: not to be called missing


def id_like(header: str) -> str | None:
    """The id a header gives, framework aside: ``2.1.1`` in ``KQ 2.1.1 Does ...?``; None for other headers.

    >>> [id_like(h) for h in ("2.1.1", "KQ 2.1.1", "2.1.1 Does it?", "Q2.1.l", "Inspector", "Visit 2")]
    ['2.1.1', '2.1.1', '2.1.1', '2.1.l', None, None]
    """
    m = _ID_LIKE.match(header.strip())
    if m is None or (m["prefix"] and normalise(m["prefix"]) not in _PREFIXES):
        return None
    return m["id"]


def _prefixes(fw: Framework) -> frozenset[str]:
    """The prefixes of an id in this framework's headers: the generic ones, each tier's label and initials."""
    out = set(_PREFIXES)
    for tier in fw.tiers:
        out.add(normalise(tier.label))
        words = tier.label.split()
        if len(words) > 1:
            out.add("".join(w[0] for w in words).casefold())
    return frozenset(out)


def _wording(node: Node) -> str | None:
    return node.question or node.title


def _matches(rest: str, node: Node) -> bool:
    """Whether the text after an id is the node's wording (or its start, ending '...')."""
    wording = _wording(node)
    if wording is None:
        return False
    elided = _ELLIPSIS.search(rest)
    key, own = wording_key(_ELLIPSIS.sub("", rest)), wording_key(wording)
    return key == own or (elided is not None and len(key) >= 10 and own.startswith(key))


def _described(node: Node) -> str:
    part = f", {node.part.label}" if node.part is not None else ""
    return f"{node.id}{part}"


class _Facts:
    """What this module reads of a framework, worked out once per framework (not per inspection)."""

    __slots__ = ("nodes", "folded", "prefixes", "worded", "by_parts", "maps", "spellings", "judged", "__weakref__")

    def __init__(self, fw: Framework):
        self.nodes = {k: v for k, v in fw.nodes.items() if k != OVERALL}
        folded: dict[str, list[str]] = {}
        for node_id in self.nodes:
            folded.setdefault(node_id.casefold(), []).append(node_id)
        self.folded = folded
        self.prefixes = _prefixes(fw)
        evidence = framework_facts(fw).evidence
        answered = evidence.answered
        #: (node, its wording_key) of the answered nodes with a wording, in order
        self.worded = [(n, wording_key(w)) for n in evidence.nodes if n.id in answered and (w := _wording(n))]
        #: the parts the cases are in -> wording key -> the nodes of those parts with that wording
        self.by_parts: dict[frozenset[str] | None, dict[str, list[Node]]] = {}
        #: (id of a header, its columns, parts) -> (the header, its ColumnMap, ids as headers): see column_map
        self.maps: dict[tuple, tuple] = {}
        #: every spelling of each part, normalised, to its id (:func:`part_ids`)
        self.spellings = part_ids(fw)
        #: the judged nodes, in order (a CSV's judgement columns are read against them)
        self.judged = [n for n in evidence.nodes if n.is_judged]

    def by_wording(self, parts: frozenset[str] | None) -> dict[str, list[Node]]:
        found = self.by_parts.get(parts)
        if found is None:
            found = {}
            for n, key in self.worded:
                if parts is None or n.part is None or n.part.id in parts:
                    found.setdefault(key, []).append(n)
            if len(self.by_parts) >= 64:
                self.by_parts.clear()
            self.by_parts[parts] = found
        return found


_FACTS: "weakref.WeakKeyDictionary[Framework, _Facts]" = weakref.WeakKeyDictionary()


def _facts(fw: Framework) -> _Facts:
    found = _FACTS.get(fw)
    if found is None:  # (two threads may both make them: either serves)
        found = _FACTS[fw] = _Facts(fw)
    return found


def column_map(header: dict[str, Position], columns: tuple[str, ...], fw: Framework,
               parts: frozenset[str] | None, facts: _Facts | None = None) -> tuple[ColumnMap, bool]:
    """:func:`map_columns` of ``columns`` (each a key of ``header``, which says where its cell is), and whether
    each column it maps is headed by the id of the node it answers; kept per framework for the headers met.

    The inspections of one CSV share their header (the same object, never changed once read), so this is
    worked out once for them all. The map returned is shared: not to be changed.
    """
    facts = facts or _facts(fw)  # (given by a caller that has them)
    key = (id(header), columns, parts)
    found = facts.maps.get(key)
    if found is None or found[0] is not header:
        cmap = map_columns([(h, header[h]) for h in columns], fw, parts)
        by_id = all(cmap.nodes.get(h) == h for h in columns if h not in cmap.suspects)
        if len(facts.maps) >= 64:
            facts.maps.clear()
        found = facts.maps[key] = (header, cmap, by_id)  # (the header kept: its id is not reused while here)
    return found[1], found[2]


def map_columns(headers: list[tuple[str, Position]], fw: Framework, parts: "Set[str] | None" = None) -> ColumnMap:
    """Which node each column answers (see the module's docstring), or why it cannot be told.

    ``headers`` are the answer columns' header cells as written, with where
    each is; ``parts``, the ids of the parts the cases are in (None: all).
    """
    result = ColumnMap()
    facts = _facts(fw)
    nodes, folded, prefixes = facts.nodes, facts.folded, facts.prefixes
    by_wording = facts.by_wording(None if parts is None else frozenset(parts))
    first: dict[str, tuple[str, Position]] = {}  # node -> the column that answers it

    def take(header: str, node_id: str, pos: Position) -> None:
        if node_id in first:
            other = first[node_id][0]
            result.errors.append(Diagnostic.at(
                "evidence.duplicate-column", f"columns '{other}' and '{header}' both answer '{node_id}' "
                f"({nodes[node_id].name}); keep one of them", pos))
            result.blocked.add(node_id)
            result.refused[header] = []  # the first column answers it
            return
        first[node_id] = (header, pos)
        result.nodes[header] = node_id

    def by_id(token: str) -> str | None:
        if token in nodes:
            return token
        found = folded.get(token.casefold(), [])
        return found[0] if len(found) == 1 else None

    for header, pos in headers:
        text = header.strip()
        exact = by_id(text)
        if exact is not None:
            take(header, exact, pos)
            continue
        token, _, rest = text.partition(" ")
        named = by_id(token.rstrip(":")) if rest.strip() else None
        if named is not None and _matches(rest.strip(), nodes[named]):  # any id, then its own wording
            take(header, named, pos)
            continue
        m = _ID_LIKE.match(text)
        if m is not None and (not m["prefix"] or normalise(m["prefix"]) in prefixes):
            node_id = by_id(m["id"])
            if node_id is None:
                result.suspects.append(header)  # an id that is no node's: a typo, reported by binding
                continue
            rest = m["rest"].strip()
            if rest and not _matches(rest, nodes[node_id]):
                others = [n for n in by_wording.get(wording_key(rest), []) if n.id != node_id]
                others = [n for n in others if n.part is nodes[node_id].part] or others  # its own part's first
                if others:
                    result.errors.append(Diagnostic.at(
                        "evidence.column-conflict", f"column '{header}' names '{node_id}' but gives the wording of "
                        f"{' and '.join(repr(n.id) for n in others)}; correct the id or the wording", pos))
                    result.blocked.update([node_id, *(n.id for n in others)])
                    result.refused[header] = [node_id]
                    continue
            take(header, node_id, pos)
            continue
        # the wording alone
        elided = _ELLIPSIS.search(text) is not None
        key = wording_key(_ELLIPSIS.sub("", text))
        found = list(by_wording.get(key, []))
        if not found and elided and len(key) >= 10:
            found = [n for k, ns in by_wording.items() if k.startswith(key) for n in ns]
        if len(found) == 1:
            take(header, found[0].id, pos)
        elif found:
            result.errors.append(Diagnostic.at(
                "evidence.ambiguous-column", f"column '{header}' could be any of {len(found)} questions with this "
                f"wording: {'; '.join(_described(n) for n in found)}; head the column with the id, such as "
                f"'{found[0].id} {text}'", pos))
            result.blocked.update(n.id for n in found)
            result.refused[header] = [n.id for n in found]
        elif key and any(difflib.SequenceMatcher(None, key, k).ratio() >= _CLOSE for k in by_wording):
            result.suspects.append(header)  # close to a key question's wording: mistyped, reported by binding
        else:
            result.unused.append(header)
    return result


def closest_column(node_id: str, fw: Framework, columns) -> str | None:
    """The column most likely meant for ``node_id``, among columns that answer no node: by the id it
    gives, or else by its wording."""
    node = fw.nodes.get(node_id)
    best, score = None, 0.0
    for column in columns:
        token = id_like(column)
        if token is not None:
            ratio = max(difflib.SequenceMatcher(None, node_id, token).ratio(),
                        difflib.SequenceMatcher(None, node_id, column.strip()).ratio())
            cutoff = 0.6
        elif node is not None and (wording := _wording(node)):
            ratio = difflib.SequenceMatcher(None, wording_key(column), wording_key(wording)).ratio()
            cutoff = _CLOSE
        else:
            continue
        if ratio >= cutoff and ratio > score:
            best, score = column, ratio
    return best


def part_ids(fw: Framework) -> dict[str, str]:
    """Every spelling of each part, normalised, to its id (no two read the same: checked at load)."""
    return {normalise_label(name): p.id for p in fw.parts.values() for name in p.names if normalise_label(name)}


_part_of = attrgetter("part")


def _text(answer) -> str:
    return "" if answer is None else "yes" if answer else "no"


def resolve_evidence(ev: Evidence, fw: Framework) -> tuple[Evidence, list[Diagnostic]]:
    """The evidence read against ``fw``: a CSV's judgement columns (``1.1 Governance and leadership``) by
    node id, and its cases (:func:`resolve_cases`); with what this found. The evidence given is not changed."""
    found: list[Diagnostic] = []
    if ev.judgements and (ev.file or "").lower().endswith((".csv", ".tsv")):
        judgements: dict[str, Judgement] = {}
        facts = _facts(fw)
        unused = []
        for key, j in ev.judgements.items():
            node_id = key
            m = _ID_LIKE.match(key.strip()) if key not in fw.nodes else None
            if m is not None and m["id"] in fw.nodes and (not m["prefix"] or normalise(m["prefix"]) in facts.prefixes):
                node_id = m["id"]
            elif key not in fw.nodes and id_like(key) is None and not _like_judged(key, facts.judged):
                unused.append(key)  # a column of text the same on each inspection's rows: an inspector's name
                continue
            if node_id in judgements:
                found.append(Diagnostic.at("evidence.duplicate-column", f"columns '{judgements[node_id].node_id}' "
                                           f"and '{key}' both give the judgement of '{node_id}'; keep one of them",
                                           j.pos))
                continue
            if j.others:
                found.extend(_one_level(ev.subject, key, j, fw.nodes.get(node_id)))
            judgements[node_id] = dataclasses.replace(j, node_id=node_id) if node_id != key else j
        if list(judgements) != list(ev.judgements):
            ev = dataclasses.replace(ev, judgements=judgements)
    else:
        unused = []
    ev, more = resolve_cases(ev, fw, unused)
    return ev, found + more


def _one_level(subject: str | None, column: str, j: Judgement, node: Node | None) -> list[Diagnostic]:
    """A judgement written differently on rows of one inspection (``j.others``) must be one level of the node's
    scale, matched as a single judgement is (id, label or alias, without regard to case, spaces, '_' or '-'):
    an error at the first row where it is another level, or another text."""
    scale = node.scale if node is not None and node.is_judged else None

    def level(text: str) -> str:
        found = scale.find(text) if scale is not None else None
        return found.id if found is not None else normalise(text)

    first = level(str(j.rating))
    for text, pos in j.others:
        if level(text) != first:
            return [Diagnostic.at("csv.judgement", f"inspection '{subject}': '{column}' is given as {j.rating!r} and "
                                  f"{text!r} on different rows; a judgement must be the same on every row of its "
                                  "inspection", pos)]
    return []


def _like_judged(header: str, judged: list[Node]) -> bool:
    """Whether a header is close to a judged node's id or title: a mistyped judgement column."""
    key = wording_key(header)
    for n in judged:
        for name in (n.id, n.title or ""):
            if name and difflib.SequenceMatcher(None, key, wording_key(name)).ratio() >= _CLOSE - 0.1:
                return True
    return False


def resolve_cases(ev: Evidence, fw: Framework, unused_before: Sequence[str] = ()) \
        -> tuple[Evidence, list[Diagnostic]]:
    """The evidence with its cases read against ``fw``: parts by id, a CSV's answers by node id, the
    columns not used for rating as the cases' attributes; and what this found (errors, and one warning
    naming the unused columns).

    The evidence given is not changed; where nothing needs reading (ids as headers, parts by id) it is
    returned as it is.
    """
    if not ev.cases:
        return ev, _unused_note(list(unused_before), ev.cases_pos or ev.where("judgements"))
    facts = _facts(fw)
    spellings = facts.spellings
    header = getattr(ev.cases, "header", None)

    def part_of(case: Case) -> str:
        return case.part if case.part in fw.parts else spellings.get(normalise_label(case.part), case.part)

    if header is None:  # cases written in YAML: only their parts are labels
        if all(c.part in fw.parts for c in ev.cases):
            return ev, []
        return dataclasses.replace(ev, cases=[dataclasses.replace(c, part=part_of(c)) for c in ev.cases]), []

    cases = ev.cases
    # the answer columns, in the file's order (one whose every cell was unreadable is named in unread)
    unread_before = ev.unread
    some_attributes = [c.attributes for c in cases if c.attributes]  # (the cases' that have any)
    given = _given(header, cases, some_attributes)
    columns = tuple([h for h in header if h and (h in given or h in unread_before)])
    parts = fw.parts
    written = set(map(_part_of, cases))  # (the parts as written: most often ids)
    by_label = not written.issubset(parts)
    present = frozenset((written if not by_label else {part_of(c) for c in cases}).intersection(parts))
    cmap, by_id = column_map(header, columns, fw, present or None, facts)
    plain = by_id and not cmap.unused and not cmap.errors and not by_label and not some_attributes
    if plain:
        return ev, _unused_note(list(unused_before), header.get("") or ev.cases_pos)
    found = list(cmap.errors)
    unread = set(ev.unread) | cmap.blocked | {cmap.nodes[h] for h in ev.unread if h in cmap.nodes}
    unused = set(cmap.unused)
    cases = type(ev.cases)()
    # ev.cases is read_csv's CaseList here (it has a header), which cannot be named: read_csv imports this module
    cases.header = header  # type: ignore[attr-defined]
    for case in ev.cases:
        answers, positions, attributes = {}, {}, {}
        for column in columns:
            pos = case.answer_pos.get(column, case.pos)
            if column in unused:
                attributes[column] = case.attributes.get(column, _text(case.answers.get(column)))
                continue
            if column in cmap.refused:  # reported: read as the one node of the case's part it may be, if any
                fits = [n for n in cmap.refused[column] if (part := fw.nodes[n].part) is None
                        or part.id == part_of(case)]
                if len(fits) == 1 and column in case.answers and fits[0] not in answers:
                    answers[fits[0]], positions[fits[0]] = case.answers[column], pos
                continue
            node_id = cmap.nodes.get(column, column)  # a suspect: an answer for no node, reported by binding
            if column in case.attributes and not parse_answer(case.attributes[column])[0]:
                if column in cmap.nodes:
                    found.append(Diagnostic.at(
                        "csv.answer", f"'{_short(case.attributes[column])}' in column '{column}' is not an answer; "
                        "expected yes, no or blank (not applicable)", pos))
                    unread.add(node_id)
                continue
            if column in case.answers:
                answers[node_id] = case.answers[column]
                positions[node_id] = pos
        cases.append(dataclasses.replace(case, part=part_of(case), answers=answers, answer_pos=positions,
                                         attributes=attributes))
    found += _unused_note([*unused_before, *cmap.unused], header.get("") or ev.cases_pos)
    return dataclasses.replace(ev, cases=cases, unread=unread), found


def _given(header: dict[str, Position], cases: list[Case], some_attributes: list[dict[str, str]]) -> set[str]:
    """The header's columns that some case answers or keeps as an attribute: those of the first case, then the
    others (such as the case and part columns) looked for in every case, a column at a time."""
    first = cases[0]
    given = {h for h in header if h in first.answers or h in first.attributes}
    for h in header:
        if h and h not in given and (any(h in c.answers for c in cases) or any(h in a for a in some_attributes)):
            given.add(h)
    return given


def _unused_note(columns: list[str], pos: Position | None) -> list[Diagnostic]:
    """One line naming the columns not used for rating, if any."""
    if not columns:
        return []
    return [Diagnostic.at("evidence.unused-columns", "columns not used for rating: " + ", ".join(columns), pos,
                          "warning")]


def _short(cell: str) -> str:
    """A cell as text for a message: short, one line."""
    cell = " ".join(cell.split())
    return cell if len(cell) <= 30 else cell[:27] + "..."
