"""Evidence of one inspection: read (YAML, JSON, CSV), then checked against
a framework.

Reading is framework-independent (:func:`load_evidence`, schema-checked);
:func:`bind` checks the evidence against a framework, all problems at once,
and counts the case answers into one :class:`Measure` per node.

>>> ev = load_evidence_text("subject: X\\nkey_questions: {'2.1.1': {yes: 1, of: 6}}\\n", "e.yaml")
>>> ev.figures["2.1.1"].yes, ev.figures["2.1.1"].of
(1, 6)
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path, PurePath
from typing import Iterable, Iterator

from ..dsl import loader, schema
from ..dsl.build import suggest
from ..dsl.model import JUDGED_OPTIONAL, JUDGED_YES, Framework, Level, Node, fmt_number
from ..errors import BandstandError, Collector, Diagnostic, InputError, Position
from ..limits import DEFAULT_LIMITS, Limits, exceeded
from .coverage import (check_partial, coverage_error, declared_left_out, needed, published_cover,
                       uncovered_in_cases)
from .published import bind_published, stand_ins

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


@dataclass
class Figure:
    """Published figures for a node: counts, a percentage, or both."""

    node_id: str
    yes: int | None
    of: int | None
    percent: Fraction | None
    pos: Position


@dataclass
class Case:
    id: str
    part: str
    answers: dict[str, bool | None]
    pos: Position
    answer_pos: dict[str, Position] = field(default_factory=dict)
    part_pos: Position | None = None
    label: str | None = None


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
    cases_pos: Position | None = None
    cases_file: Path | None = None  # the CSV file the cases were read from, if another file
    section_pos: dict[str, Position] = field(default_factory=dict)
    framework_pos: Position | None = None  # where the framework is named
    # evidence written but not readable (reported when read): not to be called missing
    unread: set[str] = field(default_factory=set)  # node ids
    unread_sections: set[str] = field(default_factory=set)  # top-level fields (judgements, cases, partial, ...)

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


def load_evidence_many(path: str | Path, *, limits: Limits = DEFAULT_LIMITS, display: str | None = None) -> list[Evidence]:
    """The inspections in an evidence file: one, or several in a CSV with an ``inspection`` column."""
    name = display or str(path)
    if str(path).lower().endswith((".csv", ".tsv")):
        text = loader.read_text(path, limits, name)
        if has_inspection_column(text):
            return read_inspections_csv(text, name, limits)
    return [load_evidence(path, limits=limits, display=display)]


def load_evidence(path: str | Path, *, limits: Limits = DEFAULT_LIMITS, display: str | None = None) -> Evidence:
    """Read an evidence file: YAML, JSON, or a CSV of cases."""
    name = display or str(path)
    text = loader.read_text(path, limits, name)
    if str(path).lower().endswith((".csv", ".tsv")):
        ev = Evidence(name)
        ev.cases_pos = Position(name, 1, 1)
        try:
            ev.cases = read_cases_csv(text, name, limits)
        except CasesError as e:  # some rows unreadable: the others can still be checked
            ev.cases, ev.unread = e.cases, e.unread
            raise EvidenceError(e.diagnostics, ev) from None
        return ev
    return _from_document(loader.load_text(text, name, limits), Path(path).parent, limits)


def load_evidence_text(text: str, file: str | None = None, *, limits: Limits = DEFAULT_LIMITS,
                       base: Path | None = None) -> Evidence:
    return _from_document(loader.load_text(text, file, limits), base or Path("."), limits)


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


def _from_document(doc: loader.Document, base: Path, limits: Limits) -> Evidence:
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
    cases = d.get("cases")
    if isinstance(cases, str):
        csv_path = _inside(base, cases)
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


def _partial(value) -> bool | tuple[str, ...]:
    """``partial:`` as read: true / false, or the ids of the nodes left out on purpose."""
    return tuple(str(v) for v in value) if isinstance(value, list) else bool(value)


def _inside(base: Path, relative: str) -> Path | None:
    """``base/relative`` if it stays inside ``base``; None otherwise."""
    rel = PurePath(relative)
    if rel.is_absolute() or ".." in rel.parts:
        return None
    from ..files import realpath

    target = realpath(base / rel)  # a loop or a NUL byte is refused when the file is read, with its cause
    try:
        target.relative_to(realpath(base))
    except ValueError:
        return None
    return target


inside = _inside

_ID_COLUMNS = ("case", "case_id", "case id", "case ref", "case_ref", "id")
_PART_COLUMNS = ("part", "disposal", "type")


@dataclass(frozen=True, slots=True)
class Cell:
    text: str
    line: int
    column: int


def csv_rows(text: str, delimiter: str, file: str | None) -> list[list[Cell]]:
    """Split CSV text into rows of cells, each cell with its line and column.

    RFC 4180 quoting (``"a, b"``, ``""`` for a quote, line breaks inside
    quotes); ``\r\n`` and ``\n`` both end a row. Blank rows are dropped.
    """
    return list(iter_csv_rows(text, delimiter, file))


def iter_csv_rows(text: str, delimiter: str, file: str | None) -> Iterator[list[Cell]]:
    """The rows of :func:`csv_rows`, one at a time (a reader may stop at its case limit)."""
    row: list[Cell] = []
    buf: list[str] = []
    line = col = 1
    start = (1, 1)
    quote_at: tuple[int, int] | None = None
    in_quotes = False
    i, n = 0, len(text)

    def end_cell():
        row.append(Cell("".join(buf), *start))
        buf.clear()

    while i < n:
        ch = text[i]
        if in_quotes:
            if ch == '"':
                if i + 1 < n and text[i + 1] == '"':
                    buf.append('"')
                    i, col = i + 2, col + 2
                    continue
                in_quotes = False
                i, col = i + 1, col + 1
                continue
            buf.append(ch)
            if ch == "\n":
                line, col = line + 1, 1
            else:
                col += 1
            i += 1
            continue
        if ch == '"' and not buf:
            in_quotes, quote_at = True, (line, col)
            i, col = i + 1, col + 1
            continue
        if ch == delimiter:
            end_cell()
            i, col = i + 1, col + 1
            start = (line, col)
            continue
        if ch in "\r\n":
            end_cell()
            if any(c.text.strip() for c in row):
                yield row
            row = []
            if ch == "\r" and i + 1 < n and text[i + 1] == "\n":
                i += 1
            i, line, col = i + 1, line + 1, 1
            start = (line, col)
            continue
        buf.append(ch)
        i, col = i + 1, col + 1
    if in_quotes:
        raise BandstandError([Diagnostic("csv.syntax", "a quoted cell is never closed: no matching '\"'",
                                         file, *quote_at)])
    if buf or row:
        end_cell()
        if any(c.text.strip() for c in row):
            yield row


def read_cases_csv(text: str, file: str | None, limits: Limits = DEFAULT_LIMITS) -> list[Case]:
    """Cases from CSV: one row per case, a column per node id, blank = n/a.

    The first row names the columns: ``case`` (or ``id``), ``part``, then
    node ids. Commas, semicolons and tabs are recognised as delimiters.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise BandstandError([Diagnostic("csv.empty", "the CSV file is empty; expected a header row", file, 1, 1)])
    first_line = text.lstrip("\r\n").splitlines()[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    # row by row: memory stops growing at max_cases
    return _cases_from_rows(iter_csv_rows(text, delimiter, file), file, limits)


class CaseList(list):
    """Cases read from a CSV file, with where each column's header cell is (for messages about columns)."""

    header: dict[str, Position]


def _cases_from_rows(rows: Iterable[list[Cell]], file: str | None, limits: Limits) -> list[Case]:
    out = Collector()
    body = iter(rows)
    header = next(body, None)
    if header is None:  # only blank rows, such as ",,,"
        raise BandstandError([Diagnostic("csv.empty", "the CSV file has only blank rows; expected a header row",
                                         file, 1, 1)])
    columns = [c.text.strip() for c in header]
    lowered = [c.lower() for c in columns]
    id_col = next((lowered.index(c) for c in _ID_COLUMNS if c in lowered), None)
    part_col = next((lowered.index(c) for c in _PART_COLUMNS if c in lowered), None)
    if id_col is None or part_col is None:
        missing = " and ".join(n for n, c in (("'case'", id_col), ("'part'", part_col)) if c is None)
        raise BandstandError([Diagnostic(
            "csv.header", f"the header row has no {missing} column; the first row must name the columns: "
            f"case, part, then node ids (found: {', '.join(_safe(c) for c in columns[:6])})",
            file, header[0].line, 1)])
    seen_cols: dict[str, int] = {}
    for cell, name in zip(header, columns):
        if name in seen_cols:
            out.error("csv.header", f"column '{_safe(name)}' appears twice", Position(file, cell.line, cell.column))
        seen_cols[name] = 1
    node_cols = [i for i in range(len(columns)) if i not in (id_col, part_col)]
    cases = CaseList()
    cases.header = {name: Position(file, cell.line, cell.column) for cell, name in zip(header, columns)}
    cases.header[""] = Position(file, header[0].line, 1)  # the header row
    unread: set[str] = set()  # columns with a cell that could not be read
    for row in body:
        line = row[0].line
        if len(cases) >= limits.max_cases:
            out.error("limit.cases", exceeded("max_cases", limits.max_cases, "the number of cases"),
                      Position(file, line, 1))
            unread.update(columns[i] for i in node_cols)
            break
        if len(row) != len(columns):
            out.error("csv.row", f"this row has {len(row)} cells but the header has {len(columns)}",
                      Position(file, line, 1))
            unread.update(columns[i] for i in node_cols)
            continue
        answers, answer_pos = {}, {}
        for i in node_cols:
            node_id, cell = columns[i], row[i]
            ok, answer = parse_answer(cell.text)
            cell_pos = Position(file, cell.line, cell.column)
            if not ok:
                out.error("csv.answer", f"'{_safe(cell.text)}' in column '{_safe(node_id)}' is not an answer; "
                          "expected yes, no or blank (not applicable)", cell_pos)
                unread.add(node_id)
                continue
            answers[node_id] = answer
            answer_pos[node_id] = cell_pos
        part = row[part_col]
        cases.append(Case(row[id_col].text.strip(), part.text.strip(), answers, Position(file, line, 1), answer_pos,
                          Position(file, part.line, part.column)))
    if out.has_errors:
        raise CasesError(out.diagnostics, cases, unread)
    return cases


def _safe(cell: str) -> str:
    """A cell as text for a message: short, one line."""
    cell = " ".join(cell.split())
    return cell if len(cell) <= 30 else cell[:27] + "..."


_INSPECTION_COLUMNS = ("inspection", "subject")


def has_inspection_column(text: str) -> bool:
    """Whether a CSV's header names an inspection column (several inspections in one file)."""
    first = text.lstrip("\ufeff\r\n").split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    return any(c.strip().strip('"').lower() in _INSPECTION_COLUMNS for c in first.split(delimiter))


def read_inspections_csv(text: str, file: str | None, limits: Limits = DEFAULT_LIMITS) -> list[Evidence]:
    """Several inspections from one CSV: an ``inspection`` column names each row's inspection.

    The other columns are as in :func:`read_cases_csv`: ``case``, ``part``,
    then node ids. A column whose cells are not all yes / no / blank holds
    the judgement of a judged node, repeated on the inspection's rows (it
    must be the same on each).
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    first_line = text.lstrip("\r\n").splitlines()[0] if text.strip() else ""
    delimiter = max((",", ";", "\t"), key=first_line.count)
    rows = csv_rows(text, delimiter, file)
    header = rows[0]
    names = [c.text.strip() for c in header]
    col = next(i for i, n in enumerate(names) if n.lower() in _INSPECTION_COLUMNS)
    judged = [i for i in range(len(names)) if i != col and names[i].lower() not in _ID_COLUMNS + _PART_COLUMNS
              and any(c.text.strip() and not parse_answer(c.text)[0] for r in rows[1:] if i < len(r) for c in [r[i]])]
    out = Collector()
    groups: dict[str, list[list[Cell]]] = {}
    for r in rows[1:]:
        if len(r) != len(names):
            out.error("csv.row", f"this row has {len(r)} cells but the header has {len(names)}",
                      Position(file, r[0].line, 1))
        elif not r[col].text.strip():
            out.error("csv.inspection", f"this row names no inspection in column '{names[col]}'; every row must "
                      "name the inspection it belongs to", Position(file, r[col].line, r[col].column))
        else:
            groups.setdefault(r[col].text.strip(), []).append(r)
    inspections: list[Evidence] = []
    keep = [i for i in range(len(names)) if i != col and i not in judged]

    for subject, group in groups.items():
        ev = Evidence(file, subject=subject)
        ev.section_pos = {"cases": Position(file, group[0][0].line, 1)}
        for i in judged:
            values = {}
            for r in group:
                if i < len(r) and r[i].text.strip():
                    values.setdefault(r[i].text.strip().casefold(), r[i])
            if len(values) > 1:
                cells = list(values.values())
                out.error("csv.judgement", f"inspection '{subject}': '{names[i]}' is given as "
                          f"{' and '.join(repr(c.text.strip()) for c in cells[:2])} on different rows; a judgement "
                          "must be the same on every row of its inspection",
                          Position(file, cells[1].line, cells[1].column))
            elif values:
                cell = next(iter(values.values()))
                ev.judgements[names[i]] = Judgement(names[i], cell.text.strip(), None,
                                                    Position(file, cell.line, cell.column))
        # the case rows, re-read without the inspection and judgement columns (positions kept)
        try:
            ev.cases = _cases_from_rows([[header[i] for i in keep if i < len(header)]]
                                        + [[r[i] for i in keep if i < len(r)] for r in group], file, limits)
        except BandstandError as e:
            out.extend(e.diagnostics)
        inspections.append(ev)
    out.raise_if_errors()
    return inspections


# -- binding evidence to a framework ---------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    """A node's share of cases: counts, or a published percentage."""

    yes: int | None
    of: int | None
    percent: Fraction | None  # as published, when given

    @functools.cached_property
    def value(self) -> Fraction | None:
        """The percentage (exact), or None when nothing applied."""
        if self.percent is not None:
            return self.percent
        if not self.of:
            return None
        whole, rest = divmod(100 * self.yes, self.of)
        return whole if not rest else Fraction(100 * self.yes, self.of)


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


def share_nodes(fw: Framework) -> tuple[set[str], set[str]]:
    """(nodes answered case by case, nodes that take published figures).

    A node is answered case by case when a rule reads its share of cases
    (``share()``, ``yes()``, ``applicable()``, or as a member of
    ``pooled_share(...)``), and so are the unrated nodes under it (prompts).
    Figures may be given for those and for a node whose rule pools its
    members' answers (the pooled score as published).
    """
    from ..dsl import ast as A

    answered: set[str] = set()
    pooled: set[str] = set()
    for node in fw.nodes.values():
        if node.rule is None or not node.rated:
            continue
        for e in A.walk(node.rule.expr):
            if not isinstance(e, A.Call):
                continue
            if e.func in ("share", "yes", "applicable") and not e.args:
                answered.add(node.id)
            elif e.func == "share" and e.args and isinstance(e.args[0], A.String):
                answered.add(e.args[0].value)
            elif e.func == "pooled_share":
                pooled.add(node.id)
                if e.args and isinstance(e.args[0], A.Name) and e.args[0].text == "children":
                    answered.update(c.id for c in node.children)
                else:
                    answered.update(a.value for a in (e.args[0].args if isinstance(e.args[0], A.Call) else ())
                                    if isinstance(a, A.String))
    for node_id in list(answered):
        node = fw.nodes.get(node_id)
        if node is not None:
            answered.update(d.id for d in node.walk() if not d.rated)
    return answered, answered | pooled


_NOT_RATED = ("not_rated", "none", "n/a", "null", "~", "")
_NOT_EVIDENCE = frozenset({"$schema", "framework", "subject", "date", "source", "notes"})  # fields that hold none


def bind(ev: Evidence, fw: Framework) -> Bound:
    """Check evidence against a framework; raise every problem at once."""
    out = Collector()
    nodes = fw.nodes
    judgements: dict[str, Level | None] = {}
    notes: dict[str, str] = {}
    left_out: list[str] = []

    def unknown(node_id: str, pos: Position, what: str, among=None):
        ids = [n for n in (nodes if among is None else among) if n != "overall"]  # suggest what fits here
        out.error("evidence.unknown-node", f"{what} for '{node_id}', which is not a node of {fw.ref}"
                  + suggest(node_id, ids), pos)

    # published ratings (a judged node's is its judgement)
    published, judged = bind_published(ev, fw, out, unknown)
    # nodes beneath a published rating (one with a wrong level too: its error is the one to show)
    covered = published_cover(fw, [n for n in ev.published if n in nodes and nodes[n].rated])

    # judgements
    for node_id, j in list(ev.judgements.items()) + list(judged.items()):
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
        if j.rating is None or str(j.rating).strip().lower().replace(" ", "_") in _NOT_RATED:
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
        if j.note:
            notes[node_id] = j.note
    # a section that could not be read (or a misspelt one) may hold what would be called missing
    unsure = ev.unread_sections - _NOT_EVIDENCE
    missing = [n for n in fw.walk() if n.judged == JUDGED_YES and n.id not in ev.judgements and n.id not in judged
               and n.id not in covered and n.id not in ev.unread and not unsure - {"key_questions", "figures", "cases"}]
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
    answerable, figured = share_nodes(fw)
    measures: dict[str, Measure] = {}
    given: set[str] = set()  # nodes with evidence, accepted or not
    for node_id, f in ev.figures.items():
        given.add(node_id)
        node = nodes.get(node_id)
        if node is None or node_id == "overall":
            unknown(node_id, f.pos, "figures")
            continue
        if node_id not in figured:
            out.error("evidence.not-share", f"'{node_id}' is not rated on a share of cases, so it takes no "
                      "figures" + (" (it is rated by judgement: give a judgement)" if node.is_judged else ""), f.pos)
            continue
        if f.percent is not None and f.of:
            exact = Fraction(100 * f.yes, f.of)
            if abs(exact - f.percent) >= 1:
                out.error("evidence.counts", f"{f.yes} of {f.of} is {float(exact):.1f}%, not "
                          f"{fmt_number(f.percent)}%", f.pos)
                continue
        percent = f.percent
        if percent is not None and percent.denominator == 1:
            percent = int(percent)  # whole percentages compare as plain ints on every evaluation
        measures[node_id] = Measure(f.yes, f.of, percent)

    # cases
    counts: dict[str, list[int]] = {}
    case_count: dict[str, int] = {}
    if ev.cases is not None:
        if not ev.cases:
            out.error("evidence.no-cases", "no cases are given; list the inspected cases or remove 'cases'",
                      ev.cases_pos)
        seen: dict[str, Position] = {}
        unknown_answers: dict[str, tuple[Position, str]] = {}  # answer key -> (first place, case)
        unknown_parts: dict[str, list[Case]] = {}
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
            for node_id, answer in case.answers.items():
                pos = case.answer_pos.get(node_id, case.pos)
                node = nodes.get(node_id)
                if node is None or node_id == "overall":
                    unknown_answers.setdefault(node_id, (pos, case.id))  # reported once, below
                    rejected_unknown = True
                    continue
                if node_id not in answerable:
                    hint = "; answer its questions instead" if node_id in figured else ""
                    out.error("evidence.not-share",
                              f"case '{case.id}': '{node_id}' is not answered case by case{hint}", pos)
                    continue
                if node.part is not None and node.part.id != part.id:
                    if answer is not None:
                        wrong_part.setdefault(node.part.label, []).append((node_id, pos))
                    continue
                if node_id in measures:
                    out.error("evidence.duplicate", f"'{node_id}' has both published figures and case answers; "
                              "give one or the other", pos)
                    continue
                c = counts.setdefault(node_id, [0, 0])
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
    from_cases = set()
    for node_id, (y, n) in counts.items():
        measures[node_id] = Measure(y, n, None)
        from_cases.add(node_id)
    # a needed node that no case answers is missing evidence, never 'not applicable in every case'
    declared = {n for n in needed(fw) if declared_left_out(ev.partial, nodes[n])}
    uncovered = []
    if ev.cases and not unknown_parts and "cases" not in unsure:  # an unknown part or unread cases: their error
        uncovered = uncovered_in_cases(ev, fw, given, set(ev.figures), set(case_count),
                                       covered | declared | ev.unread)
    named = set()
    if uncovered:
        diagnostic, named = coverage_error(ev, fw, uncovered, unknown_answers if ev.cases else {})
        out.extend([diagnostic])
    for node_id, (pos, case_id) in (unknown_answers.items() if ev.cases else ()):
        if node_id not in named:
            unknown(node_id, pos, f"case '{case_id}' has an answer")
    left_out += [n for n in declared if n not in measures and n not in given and n not in covered
                 and nodes[n].rated]

    # every share-rated node needs evidence
    if ev.partial is not True and not (ev.cases and unknown_parts) and not unsure - {"judgements"}:
        _missing(out, ev, [node for node in fw.walk() if node.id in answerable and node.rated and node.id not in
                           measures and node.id not in given and node.id not in ev.unread and _own_share(node)
                           and node.id not in covered and node.id not in declared and node.id not in uncovered])
    check_partial(ev, fw, out, given, uncovered)
    out.raise_if_errors()
    order = {n.id: i for i, n in enumerate(fw.walk())}
    return Bound(fw, ev, judgements, notes, measures, from_cases, case_count,
                 [d for d in out.diagnostics if not d.is_error], published,
                 *stand_ins(fw, published, judgements, measures, left_out), sorted(set(left_out), key=order.get))


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


def _own_share(node: Node) -> bool:
    from ..dsl import ast as A

    return node.rule is not None and any(
        isinstance(e, A.Call) and e.func in ("share", "yes", "applicable") and not e.args
        for e in A.walk(node.rule.expr))
