"""Explanation text: a node's reason, ``decided_by`` and shown figures, from what its plan recorded.

The compiled plan records what it decides as trace events
(:mod:`.compile`); :func:`explain` turns one node's events into the
clauses of its reason. The parts of a clause that depend only on the
framework (a band's text, a table's note, a figure as shown) are made once
and kept in the compiled framework's ``texts`` memo, whose entries never
change once made.
"""

from __future__ import annotations

from fractions import Fraction

from ..dsl.ast import float_text
from ..dsl.model import Level
from .compile import (BandEvent, CompiledFramework, DateEvent, FigureEvent, JudgementEvent, MeanEvent, NotRated,
                      PickEvent, ShareEvent, StatusEvent, SumEvent)


def fmt(x: Fraction | int | None, unit: str = "") -> str:
    """A number as a reason shows it: whole, or to one decimal place; '%' for percentages; '-' for none."""
    if x is None:
        return "-"
    if type(x) is not int:
        x = Fraction(x)
        x = x.numerator if x.denominator == 1 else x
    text = str(x) if isinstance(x, int) else float_text(x, ".1f")  # x is an int or a Fraction here, never a bool
    return text + ("%" if unit == "percent" else "")


def decimal(x: Fraction) -> str:
    """'1.3333', '2': to four places, no trailing zeros."""
    return x if isinstance(x, str) else (str(x.numerator) if x.denominator == 1
                                         else float_text(x, ".4f").rstrip("0").rstrip("."))


def _remember(texts: dict, key, text: str) -> str:
    if len(texts) >= 10_000:
        texts.clear()
    texts[key] = text
    return text


def _band_text(texts: dict, e: BandEvent) -> str:
    """'in the Good band (65-79%)' and the table's note: the same for every inspection."""
    key = ("band", e.band)
    text = texts.get(key)
    if text is None:
        t = e.table
        note = " (thresholds inferred, not published)" if t.inferred else ""
        text = _remember(texts, key, f"in the {e.band.level.label} band ({e.band.describe(t.unit)}){note}")
    return text


def _published_text(texts: dict, percent) -> str:
    """'65% sufficient (published figure)'."""
    key = ("published", percent)
    text = texts.get(key)
    if text is None:
        text = _remember(texts, key, f"{fmt(percent, 'percent')} sufficient (published figure)")
    return text


class Explained:
    """What a node's events record: ``decided_by``, and the figures its result shows (no words)."""

    __slots__ = ("decided_by", "has_fields", "measure", "pooled", "value", "sum_value", "rounded", "table", "band",
                 "maximum")
    decided_by: list[str]  # set by explain() (a slot: the annotation only types it)

    def __init__(self):
        self.has_fields = False  # any figure recorded (a share, a band, a sum)
        self.measure = self.value = self.sum_value = self.rounded = self.table = self.band = self.maximum = None
        self.pooled = False

    @property
    def shown_value(self):
        """The number the result shows: a sum of scores, else the number banded."""
        return self.sum_value if self.sum_value is not None else self.value


def explain(events) -> Explained:
    """The figures and ``decided_by`` of a node's result, from its trace events (its reason: :func:`reason`)."""
    out = Explained()
    decided_by: list[str] = []
    for e in events:
        kind = type(e)
        if kind is BandEvent:
            out.has_fields = True
            out.value, out.rounded, out.table, out.band = e.value, e.rounded, e.table, e.band
        elif kind is ShareEvent:
            out.has_fields = True
            out.measure = e.measure
            out.pooled = e.pooled
        elif kind is PickEvent:
            decided_by.extend(n.id for n in e.chosen if n.id not in decided_by)
        elif kind is SumEvent:
            out.has_fields = True
            out.sum_value = e.total
            out.maximum = e.maximum
            decided_by.extend(n.id for n in e.nodes if n.id not in decided_by)
        elif kind is MeanEvent:
            decided_by.extend(n.id for n in e.nodes if n.id not in decided_by)
    out.decided_by = decided_by
    return out


def reason(compiled: CompiledFramework, value, events, limits=()) -> str:
    """A node's reason: a clause for each of its trace events, then why it is not rated (or its level), then
    each limit that changed it (engine.result.AppliedLimit)."""
    texts = compiled.texts
    clauses: list[str] = []
    for e in _dates_paired(events):
        kind = type(e)
        if kind is str:
            clauses.append(e)
        elif kind is StatusEvent:
            text = f"status {e.level.label}" + (f": {e.note}" if e.note else "")
            if text not in clauses:  # (a rule may read the status more than once)
                clauses.append(text)
        elif kind is DateEvent:
            clauses.append(f"{e.what} {e.day.isoformat()}")
        elif kind is BandEvent:
            if e.rounded != e.value:
                clauses.append(f"rounds to {fmt(e.rounded, e.table.unit)}, {_band_text(texts, e)}")
            else:
                clauses.append(_band_text(texts, e))
        elif kind is ShareEvent:
            m = e.measure
            if m.of is not None and m.percent is None:
                unit = "answers" if e.pooled else "cases"
                shown = fmt(e.value, "percent") if e.value.denominator != 1 else fmt(round(e.value), "percent")
                clauses.append(f"{m.yes} of {m.of} {unit} sufficient ({shown})")
            elif m.percent is not None:
                clauses.append(_published_text(texts, m.percent))
            else:
                clauses.append(f"{fmt(round(e.value), 'percent')} sufficient (published figure)")
        elif kind is JudgementEvent:
            if e.level is not None:
                clauses.append("judged by inspectors" + (f": {e.note}" if e.note else ""))
        elif kind is PickEvent:
            which = "lowest" if e.func == "lowest" else "highest"
            chosen = ", ".join(n.id for n in e.chosen)
            clauses.append(f"the {which} rating of its {e.plural}: {chosen} "
                           f"{'is' if len(e.chosen) == 1 else 'are'} {e.level.label}")
        elif kind is SumEvent:
            of = f" of {fmt(e.maximum)}" if e.maximum is not None else ""
            clauses.append(f"the scores of its {len(e.nodes)} counted {e.plural} add up to {fmt(e.total)}{of}")
        elif kind is MeanEvent:
            rated = "" if len(e.nodes) == e.of else f" rated (of {e.of})"
            clauses.append(f"the mean score of its {len(e.nodes)}{rated} {e.plural} is {decimal(e.value)}")
        elif kind is FigureEvent:
            text = figure_text(e)
            if text not in clauses:  # a figure read twice (in two branches' conditions) is said once
                clauses.append(text)
    if isinstance(value, NotRated):
        clauses.append(f"not rated: {value.reason}")
    elif not clauses and isinstance(value, Level):
        clauses.append(f"{value.label} by its rule")
    text = "; ".join(clauses)
    for a in limits:
        text += f"; limited from {a.before.label} to {a.after.label} by '{a.id}' ({a.description or a.condition})"
    return text


def figure_text(e: FigureEvent) -> str:
    """'the value of 2.1 is 234 (2015-16)', 'the national comparator of 2.1 is 376 (England)'."""
    r = e.reading
    said = [x for x in (r.label, r.period) if x]
    shown = decimal(Fraction(e.value)) + (f" ({', '.join(said)})" if said else "")
    if e.figure == "value":
        return f"the value of {e.node_id} is {shown}"
    if e.figure == "previous":
        return f"the value of {e.node_id} for the previous period is {shown}"
    return f"the {e.figure.split(':', 1)[1]} comparator of {e.node_id} is {shown}"


def _dates_paired(events):
    """The events, with a due day read next to the day evaluated on said as one clause: 'due 2015-09-30, past on
    2015-11-24' (or 'still ahead on', or 'the day evaluated on')."""
    if not any(type(e) is DateEvent for e in events):
        yield from events
        return
    events = list(events)
    i = 0
    while i < len(events):
        e, nxt = events[i], events[i + 1] if i + 1 < len(events) else None
        if type(e) is DateEvent and type(nxt) is DateEvent and {e.what, nxt.what} == {"due", "evaluated on"}:
            due, on = (e.day, nxt.day) if e.what == "due" else (nxt.day, e.day)
            if due == on:
                yield f"due {due.isoformat()}, the day evaluated on"
            else:
                yield f"due {due.isoformat()}, {'past' if due < on else 'still ahead'} on {on.isoformat()}"
            i += 2
            continue
        yield e
        i += 1


def figures(value, events) -> tuple:
    """(the number shown, the maximum) of a ratings-only result (the overall score): no text is made."""
    shown = maximum = None
    summed = False
    for e in events:
        kind = type(e)
        if kind is SumEvent:
            summed, shown, maximum = True, e.total, e.maximum
        elif kind is BandEvent and not summed:
            shown = e.value
    return shown, maximum
