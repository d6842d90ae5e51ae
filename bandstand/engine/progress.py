"""Progress records: the status and due day the evidence gives each node of planned work, and the day it is
evaluated on.

A framework whose rules call ``status()`` or ``due()`` (:data:`bandstand.dsl.functions.PROGRESS`) needs, for
each node whose rule calls them, an entry in the evidence's ``progress:`` section; one whose rules call
``evaluated_on()`` (:data:`~bandstand.dsl.functions.DATED`) needs the day it is evaluated on: the one asked for
(``--on``, ``evaluate(..., on=...)``), else the evidence's own date, which must then be a day. Nothing here is
guessed: a missing entry is an error unless the evidence declares it left out (``partial``), and there is no
default day (never today's).

A due day may be written as a month (``2015-09``: due by the end of September, as plans are often
kept); ``due: null`` says, explicitly, that no due day is set, and ``due()`` is then not rated, with that
reason, wherever a rule reads it.

>>> import datetime
>>> day("2015-11-24"), day("2015-11"), day("2015-02-30")
(datetime.date(2015, 11, 24), None, None)
>>> due_day("2015-09"), due_day("2016-02"), due_day("2015-09-15")
(datetime.date(2015, 9, 30), datetime.date(2016, 2, 29), datetime.date(2015, 9, 15))
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from ..dsl.build import suggest
from ..dsl.model import Framework, Level
from ..dsl.resolve import facts as framework_facts
from ..errors import Collector
from .coverage import declared_left_out
from .evidence_model import Evidence


def day(text) -> datetime.date | None:
    """A YYYY-MM-DD day of the calendar, or None (a month, or not a date)."""
    if isinstance(text, datetime.date):
        return text
    if not isinstance(text, str) or len(text) != 10:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


def due_day(text: str) -> datetime.date | None:
    """A due day: YYYY-MM-DD, or YYYY-MM for the last day of that month; None when it is not of the calendar."""
    if isinstance(text, str) and len(text) == 7:
        start = day(text + "-01")
        if start is None:
            return None
        return (start.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1)
    return day(text)


@dataclass
class Book:
    """The progress records of one evidence, checked against a framework, ready to evaluate."""

    statuses: dict[str, Level] = field(default_factory=dict)
    due: dict[str, datetime.date] = field(default_factory=dict)
    no_due: set[str] = field(default_factory=set)  # nodes whose entry says no due day is set (due: null)
    notes: dict[str, str] = field(default_factory=dict)
    #: the day the evidence is evaluated on, and where it comes from ("asked" or "the evidence's date")
    on: datetime.date | None = None
    on_from: str | None = None


def bind_progress(ev: Evidence, fw: Framework, out: Collector, on, given: set[str],
                  left_out: list[str]) -> Book:
    """Check the evidence's ``progress:`` entries and the day it is evaluated on; report every problem to ``out``.

    ``given`` gains the nodes that have an entry (so ``partial`` cannot also leave them out); ``left_out``, the
    nodes that need one, have none, and are declared left out.
    """
    need = framework_facts(fw).evidence
    book = Book()
    nodes = fw.nodes
    for node_id, p in ev.progress.items():
        node = nodes.get(node_id)
        given.add(node_id)
        if node is None or node_id == "overall":
            with_status = [n.id for n in nodes.values() if n.status_scale is not None or n.id in need.progress]
            out.error("evidence.unknown-node", f"progress for '{node_id}', which is not a node of {fw.ref}"
                      + suggest(node_id, with_status), p.pos)
            continue
        reads = need.progress.get(node_id)
        if reads is None:
            out.error("evidence.not-progress", f"'{node_id}' ({node.name}) is not rated on its progress (no rule "
                      "reads its status() or due()); remove this entry", p.pos)
            continue
        if p.status is not None:
            scale = node.status_scale
            level = scale.find(str(p.status)) if scale is not None else None
            if scale is not None and level is None:
                out.error("evidence.level", f"status '{p.status}' is not a level of scale '{scale.id}'; expected one "
                          f"of: {', '.join(scale.names)}" + suggest(str(p.status), scale.names), p.status_pos or p.pos)
            elif level is not None:
                book.statuses[node_id] = level
        elif "status" in reads:
            out.error("evidence.missing", f"progress of '{node_id}' ({node.name}) gives no status; its rule reads "
                      f"status(): give status: one of {', '.join(node.status_scale.names)}"
                      if node.status_scale is not None else f"progress of '{node_id}' gives no status", p.pos)
        if p.due is not None:
            d = due_day(p.due)
            if d is not None:
                book.due[node_id] = d
        elif p.due_pos is not None:  # due: null, written
            book.no_due.add(node_id)
        elif "due" in reads:
            out.error("evidence.missing", f"progress of '{node_id}' ({node.name}) gives no due day; its rule "
                      "reads due(): give due: YYYY-MM-DD (or due: null to say none is set)", p.pos)
        if p.note:
            book.notes[node_id] = p.note
    missing = [nodes[k] for k in need.progress if k not in ev.progress and k not in ev.unread]
    if missing and "progress" not in ev.unread_sections:
        absent = []
        for node in missing:
            if declared_left_out(ev.partial, node):
                left_out.append(node.id)
            else:
                absent.append(node.id)
        if absent:
            shown = ", ".join(absent[:8]) + (f" and {len(absent) - 8} more" if len(absent) > 8 else "")
            out.error("evidence.missing", f"no progress for {shown}: "
                      f"{'its' if len(absent) == 1 else 'their'} rule reads status() or due(); give "
                      f"progress: {{{absent[0]}: {{status: ..., due: YYYY-MM-DD}}}} (or declare it left out with "
                      f"partial: [{absent[0]}])", ev.where("progress"))
    if need.dated:
        _evaluated_on(ev, fw, out, on, book)
    return book


def _evaluated_on(ev: Evidence, fw: Framework, out: Collector, on, book: Book) -> None:
    """The day the evidence is evaluated on: ``on``, else the evidence's date; never a day made up."""
    if on is not None:
        d = day(on)
        if d is None:
            out.error("evidence.no-date", f"the day to evaluate on must be written YYYY-MM-DD, got '{on}': "
                      f"{fw.ref}'s rules compare days with evaluated_on()", None)
            return
        book.on, book.on_from = d, "asked"
        return
    if ev.date is None:
        out.error("evidence.no-date", f"{fw.ref}'s rules compare days with the day the evidence is evaluated on "
                  "(evaluated_on()), and the evidence has no date: give date: YYYY-MM-DD in it, or the day "
                  "with --on YYYY-MM-DD", ev.where("date") if "date" in ev.section_pos else
                  ev.where("framework"))
        return
    d = day(ev.date)
    if d is None:
        out.error("evidence.no-date", f"the evidence's date '{ev.date}' is not a day, and {fw.ref}'s rules compare "
                  "days with evaluated_on(): write it YYYY-MM-DD, or give the day with --on YYYY-MM-DD",
                  ev.where("date"))
        return
    book.on, book.on_from = d, "the evidence's date"
