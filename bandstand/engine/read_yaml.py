"""Reading an evidence document (YAML, or JSON, which the YAML reader reads): schema-checked, positioned.

Framework-independent: what the document says, with where it says it
(:class:`~.evidence_model.Evidence`). A part that breaks the schema is
reported and left out alone (a figure, a judgement, a case), or with its
section; what was left out is recorded as unread, so that binding does not
call it missing. Cases may be given in the document or in a CSV file beside
it (``cases: cases.csv``), read by :mod:`.read_csv`.
"""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path, PurePath

from ..dsl import loader, schema
from ..errors import BandstandError, Collector, InputError
from ..files import inside
from ..limits import Limits, exceeded
from .evidence_model import (Case, CasesError, Evidence, EvidenceError, Figure, Judgement, Progress, Reading, Values,
                             parse_answer)
from .read_csv import read_cases_csv

def _readable(doc: loader.Document, unreadable: list[tuple]) -> tuple[dict, set[int], set[str], set[str]]:
    """The document's data without what its schema problems make unreadable.

    Returns (data, indices of cases to skip, node ids unread, sections unread).
    A bad figure, judgement or case is left out alone; a bad section, whole.
    """
    d = dict(doc.data)
    skip_cases: set[int] = set()
    ids: set[str] = set()
    sections: set[str] = set()
    for path in unreadable:
        if not path or path[0] not in d:
            continue
        top = path[0]
        if len(path) == 1 or not isinstance(d[top], (dict, list)):
            d.pop(top)
            sections.add(top)
        elif top == "cases" and isinstance(path[1], int):
            skip_cases.add(path[1])
            case = doc.data["cases"][path[1]]
            if isinstance(case, dict) and isinstance(case.get("answers"), dict):
                ids.update(case["answers"])
            else:  # the case's answers are unknown: no share can be called missing
                sections.add("cases")
        elif isinstance(d[top], dict):
            d[top] = {k: v for k, v in d[top].items() if k != path[1]}
            ids.add(path[1])
    return d, skip_cases, ids, sections


def from_document(doc: loader.Document, base: Path, limits: Limits) -> Evidence:
    schema.check_kind(doc, "evidence")
    found, unreadable = schema.problems(doc, "evidence")
    if () in unreadable:  # nothing can be read
        raise BandstandError(found)
    d, skip_cases, unread, unread_sections = _readable(doc, unreadable)
    out = Collector(list(found))
    ev = Evidence(doc.file, d.get("framework"), d.get("subject"), d.get("date"), d.get("source"),
                  d.get("notes"), _partial(d.get("partial", False)))
    ev.section_pos = {k: doc.key_pos((k,)) for k in d}
    ev.framework_pos = doc.pos(("framework",)) if "framework" in d else None
    ev.unread, ev.unread_sections = unread, unread_sections
    ev.unread_sections.update(k for k in d if k not in schema.load_schema("evidence")["properties"])  # misspelt?
    if "date" in d and not schema.real_date(d["date"]):  # the schema checks the form; this, the calendar
        out.error("evidence.date", f"'{d['date']}' is not a date of the calendar; expected YYYY-MM-DD or YYYY-MM",
                  doc.pos(("date",)))
    for node_id, j in (d.get("judgements") or {}).items():
        path = ("judgements", node_id)
        if isinstance(j, dict):
            rating, note = j.get("rating"), j.get("note")
        else:
            rating, note = j, None
        ev.judgements[node_id] = Judgement(node_id, rating, note, doc.pos(path))
    for node_id, j in (d.get("published") or {}).items():
        rating, note = (j.get("rating"), j.get("note")) if isinstance(j, dict) else (j, None)
        ev.published[node_id] = Judgement(node_id, rating, note, doc.pos(("published", node_id)))
    _read_progress(doc, d, ev, out)
    for section in ("key_questions", "figures"):
        for node_id, f in (d.get(section) or {}).items():
            path = (section, node_id)
            if node_id in ev.figures:
                out.error("evidence.duplicate", f"figures for '{node_id}' are given twice "
                          "(in key_questions and figures)", doc.key_pos(path))
                continue
            f = {k: int(v) if k in ("yes", "of") else v for k, v in f.items()}  # the schema lets 6.0 be a count
            if f.get("of") is not None and f["of"] > limits.max_cases:  # margins count case by case up to 'of'
                out.error("limit.cases", exceeded("max_cases", limits.max_cases, f"the number of cases ({f['of']})"),
                          doc.pos(path + ("of",)))
                ev.unread.add(node_id)  # reported here, not missing
                continue
            if "yes" in f and f["yes"] > f["of"]:
                out.error("evidence.counts", f"yes ({f['yes']}) is greater than of ({f['of']})",
                          doc.pos(path + ("yes",)))
                ev.unread.add(node_id)  # reported here, not missing
                continue
            percent = None
            if "percent" in f:
                text = doc.text_of(path + ("percent",))
                if isinstance(f["percent"], float) and not math.isfinite(f["percent"]):
                    out.error("evidence.counts", "a percentage must be a number from 0 to 100; got "
                              f"{text or f['percent']}", doc.pos(path + ("percent",)))
                    ev.unread.add(node_id)  # reported here, not missing
                    continue
                try:  # exactly as written: 64.7 is 647/10, not a binary float
                    percent = Fraction(text) if text is not None else Fraction(f["percent"])
                except ValueError:  # 0x40 or 0o100: the value the YAML reader gave
                    percent = Fraction(f["percent"])
            ev.figures[node_id] = Figure(node_id, f.get("yes"), f.get("of"), percent, doc.key_pos(path))
    for node_id, v in (d.get("values") or {}).items():
        bad = _not_finite(doc, ("values", node_id), v)
        if bad is not None:
            out.error("evidence.value", f"a figure must be a finite number; got {doc.text_of(bad)}", doc.pos(bad))
            ev.unread.add(node_id)  # reported here, not missing
            continue
        ev.values[node_id] = _values(doc, node_id, v)
    cases = d.get("cases")
    if isinstance(cases, str):
        csv_path = inside(base, cases)
        if csv_path is None:
            out.error("evidence.path", f"the cases file '{cases}' must be a relative path inside the "
                      "evidence file's folder", doc.pos(("cases",)))
            ev.unread_sections.add("cases")
        else:
            shown = str(PurePath(doc.file).parent / cases) if doc.file else str(csv_path)  # as the user named it
            ev.cases_file = csv_path
            try:
                ev.cases = read_cases_csv(loader.read_text(csv_path, limits, shown), shown, limits)
            except InputError as e:
                code = e.diagnostics[0].code
                if code in ("input.missing", "input.directory"):  # say where it was named
                    what = "does not exist" if code == "input.missing" else "is a folder"
                    out.error(e.diagnostics[0].code, f"the cases file '{cases}' {what}; expected the path of a "
                              "CSV file, relative to the evidence file", doc.pos(("cases",)))
                elif code in ("input.path", "input.not-regular", "input.unreadable"):
                    out.error(code, e.diagnostics[0].message, doc.pos(("cases",)))
                else:
                    out.extend(e.diagnostics)
                ev.unread_sections.add("cases")
            except CasesError as e:  # some rows unreadable: the others can still be checked
                out.extend(e.diagnostics)
                ev.cases = e.cases
                ev.unread |= e.unread
            except BandstandError as e:
                out.extend(e.diagnostics)
                ev.unread_sections.add("cases")
    elif cases is not None:
        if len(cases) > limits.max_cases:
            out.error("limit.cases", exceeded("max_cases", limits.max_cases, f"the number of cases ({len(cases)})"),
                      doc.pos(("cases",)))
            ev.unread_sections.add("cases")
        else:
            ev.cases = []
            for i, c in enumerate(cases):
                if i in skip_cases:  # its schema problem is reported
                    continue
                path = ("cases", i)
                answers, answer_pos = {}, {}
                for node_id, a in c["answers"].items():
                    answers[node_id] = parse_answer(a)[1]
                    answer_pos[node_id] = doc.key_pos(path + ("answers", node_id))
                ev.cases.append(Case(c["id"], c["part"], answers, doc.pos(path), answer_pos,
                                     doc.pos(path + ("part",)), c.get("label")))
    ev.cases_pos = doc.pos(("cases",)) if "cases" in doc.data else None
    if out.has_errors:
        raise EvidenceError(out.diagnostics, ev)
    return ev


def _not_finite(doc: loader.Document, path: tuple, v) -> tuple | None:
    """The path of the first figure under ``v`` that is infinite or not a number (.inf, .nan), or None."""
    if isinstance(v, float) and not math.isfinite(v):
        return path
    if isinstance(v, dict):
        for k, x in v.items():
            found = _not_finite(doc, path + (k,), x)
            if found is not None:
                return found
    return None


def _values(doc: loader.Document, node_id: str, v: dict) -> Values:
    """A node's published figures as read (the schema has checked their form)."""
    path = ("values", node_id)
    comparators = {}
    for name, r in (v.get("comparators") or {}).items():
        comparators[str(name)] = reading = _reading(doc, path + ("comparators", name), r)
        reading.pos = doc.key_pos(path + ("comparators", name))  # a comparator is named where its name is
    own = v["value"] if not isinstance(v.get("value"), (int, float)) else {"value": v["value"]}
    if isinstance(own, dict) and "value" in own:  # the node's period and source are its value's, unless it says
        own = {"period": v.get("period"), "source": v.get("source"), **own}
    return Values(node_id, _reading(doc, path + ("value",), own, path + ("value",)) if "value" in v else None,
                  _reading(doc, path + ("previous",), v["previous"]) if "previous" in v else None,
                  comparators, doc.key_pos(path), v.get("unit"), v.get("source"), v.get("note"))


def _reading(doc: loader.Document, path: tuple, r, written: tuple | None = None) -> Reading:
    """One figure: exactly as written (0.11 is 11/100, not a binary float), or not available with the reason.
    ``written``: where its number is written, when not at ``path`` or ``path`` + value."""
    fields = r if isinstance(r, dict) else {"value": r}
    pos = doc.pos(path)
    extra = (fields.get("period"), fields.get("label"), fields.get("source"), fields.get("note"))
    if "not_available" in fields:
        return Reading(None, " ".join(str(fields["not_available"]).split()), pos, *extra)
    where = written if written is not None and doc.text_of(written) is not None else \
        path + ("value",) if isinstance(r, dict) else path
    number = fields["value"]
    text = doc.text_of(where)
    try:
        value = Fraction(text) if text is not None else Fraction(number)
    except (ValueError, ZeroDivisionError):  # 0x40, or a form Fraction does not read: the value the reader gave
        value = Fraction(number)
    return Reading(value, None, pos, *extra)


def _read_progress(doc: loader.Document, d: dict, ev: Evidence, out: Collector) -> None:
    """The ``progress:`` section: each node's status and due day (a day that is not of the calendar is an error
    where it is written, and the entry is unread, not missing)."""
    for node_id, p in (d.get("progress") or {}).items():
        path = ("progress", node_id)
        due = p.get("due")
        if due is not None and not schema.real_date(due):
            out.error("evidence.date", f"due '{due}' is not a date of the calendar; expected YYYY-MM-DD or YYYY-MM",
                      doc.pos(path + ("due",)))
            ev.unread.add(node_id)
            continue
        ev.progress[node_id] = Progress(node_id, p.get("status"), due, p.get("note"), doc.key_pos(path),
                                        doc.pos(path + ("status",)) if "status" in p else None,
                                        doc.pos(path + ("due",)) if "due" in p else None)


def _partial(value) -> bool | tuple[str, ...]:
    """``partial:`` as read: true / false, or the ids of the nodes left out on purpose."""
    return tuple(str(v) for v in value) if isinstance(value, list) else bool(value)

