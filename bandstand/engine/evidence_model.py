"""The evidence of one inspection, as read: judgements, published ratings, figures and cases.

Plain records, the same whatever the file's format (:mod:`.read_yaml`,
:mod:`.read_csv`), with where each thing was written, so that
:func:`bandstand.engine.bind.bind` can name file:line:col for a problem of
meaning; and the answers a case may give (:func:`parse_answer`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Iterable, Protocol

from ..errors import BandstandError, Diagnostic, Position

YES, NO, NA = True, False, None

_ANSWERS = {
    "yes": YES, "y": YES, "true": YES, "1": YES, "sufficient": YES,
    "no": NO, "n": NO, "false": NO, "0": NO, "insufficient": NO,
    "n/a": NA, "na": NA, "": NA, "-": NA, "not applicable": NA, "null": NA,
}


def parse_answer(value) -> tuple[bool, bool | None]:
    """(understood, answer) for a yes / no / not-applicable answer.

    >>> [parse_answer(v) for v in ("Yes", "N", "n/a", "", True, None, "maybe")]
    [(True, True), (True, False), (True, None), (True, None), (True, True), (True, None), (False, None)]
    """
    if value is None or isinstance(value, bool):
        return True, value
    if isinstance(value, int) and value in (0, 1):
        return True, bool(value)
    if isinstance(value, str):
        key = value.strip().lower()
        if key in _ANSWERS:
            return True, _ANSWERS[key]
    return False, None


@dataclass
class Judgement:
    node_id: str
    rating: str | None  # as written; None: explicitly not rated
    note: str | None
    pos: Position
    #: a CSV of inspections repeats a judgement on each row of its inspection: the other ways it is written
    #: there ('requires_improvement', 'RI'), each where first written, to be the same level of the
    #: framework's scale (checked against it, :func:`.headers.resolve_evidence`)
    others: tuple[tuple[str, Position], ...] = ()


@dataclass
class Figure:
    """Published figures for a node: counts, a percentage, or both."""

    node_id: str
    yes: int | None
    of: int | None
    percent: Fraction | None
    pos: Position


@dataclass
class Reading:
    """One published figure: a number, or why it is not available (the source says so). ``period``, ``label``
    (a comparator's own name, such as the region's) and ``source`` are as written, for reasons and readers."""

    value: Fraction | None  # None: not available, and ``reason`` says why
    reason: str | None
    pos: Position
    period: str | None = None
    label: str | None = None
    source: str | None = None
    note: str | None = None


@dataclass
class Values:
    """The published figures of a node: its value, the previous period's, and the values it is compared with."""

    node_id: str
    value: Reading | None
    previous: Reading | None
    comparators: dict[str, Reading]
    pos: Position
    unit: str | None = None
    source: str | None = None
    note: str | None = None


@dataclass
class Progress:
    """What the evidence records of one node's planned work: its status (as written) and the day it is due."""

    node_id: str
    status: str | None
    due: str | None  # YYYY-MM-DD, a day of the calendar (checked when read)
    note: str | None
    pos: Position
    status_pos: Position | None = None
    due_pos: Position | None = None


class AnswerPlaces(Protocol):
    """Where each of a case's answers is written (node id -> position), as a case's readers read it: a dict, or
    a CSV's stand-in for one that works a cell's place out only when asked (:mod:`.read_csv`)."""

    def get(self, node_id: str, default: Position, /) -> Position: ...

    def items(self) -> Iterable[tuple[str, Position]]: ...


@dataclass
class Case:
    id: str
    part: str
    answers: dict[str, bool | None]
    pos: Position
    answer_pos: AnswerPlaces = field(default_factory=dict[str, Position])
    part_pos: Position | None = None
    label: str | None = None
    #: a CSV's cells as written, in columns not headed by an id (which may be notes, dates, or wording that
    #: names a key question): the columns a framework does not rate stay here, as the case's attributes
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass
class Evidence:
    file: str | None
    framework: str | None = None
    subject: str | None = None
    date: str | None = None
    source: str | None = None
    notes: str | None = None
    partial: bool | tuple[str, ...] = False  # True, or the ids of the nodes left out on purpose
    judgements: dict[str, Judgement] = field(default_factory=dict)
    published: dict[str, Judgement] = field(default_factory=dict)  # published ratings of rule-rated nodes
    figures: dict[str, Figure] = field(default_factory=dict)
    cases: list[Case] | None = None
    values: dict[str, Values] = field(default_factory=dict)  # published figures with comparators, by node id
    cases_pos: Position | None = None
    cases_file: Path | None = None  # the CSV file the cases were read from, if another file
    section_pos: dict[str, Position] = field(default_factory=dict)
    framework_pos: Position | None = None  # where the framework is named
    # evidence written but not readable (reported when read): not to be called missing
    unread: set[str] = field(default_factory=set)  # node ids
    unread_sections: set[str] = field(default_factory=set)  # top-level fields (judgements, cases, partial, ...)
    progress: dict[str, Progress] = field(default_factory=dict)  # node id -> its planned work's status and due date

    def where(self, section: str) -> Position:
        """Where a top-level section is (or the file's start)."""
        return self.section_pos.get(section, Position(self.file, 1, 1))


class EvidenceError(BandstandError):
    """The problems found reading an evidence file, with what could be read (``evidence``).

    What was read can still be checked against a framework (:func:`bind`),
    so that problems of meaning come with the problems of form, not a round
    later; what could not be read is in ``evidence.unread`` and
    ``evidence.unread_sections``.
    """

    def __init__(self, diagnostics: Iterable[Diagnostic], evidence: Evidence):
        super().__init__(diagnostics)
        self.evidence = evidence


class CasesError(BandstandError):
    """Problems in some rows or cells of a CSV of cases, with the cases that could be read."""

    def __init__(self, diagnostics: Iterable[Diagnostic], cases: list[Case], unread: set[str]):
        super().__init__(diagnostics)
        self.cases, self.unread = cases, unread

