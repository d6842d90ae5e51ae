"""Reading cases from CSV: one row per case, a column per node id; several inspections in one file.

Every cell keeps its line and column (:class:`Cell`), for messages that
point at it; a row that cannot be read is reported and left out, and the
cases that could be read come with the error (:class:`CasesError`), to be
checked against a framework all the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator

from ..errors import BandstandError, Collector, Diagnostic, Position
from ..limits import DEFAULT_LIMITS, Limits, exceeded
from .evidence_model import Case, CasesError, Evidence, Judgement, parse_answer
from .headers import id_like

_ID_COLUMNS = ("case", "case_id", "case id", "case ref", "case_ref", "id")
_PART_COLUMNS = ("part", "disposal", "type", "disposal type")


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
    free = [id_like(name) is None for name in columns]  # headers.py: which columns are not headed by an id
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
        answers, answer_pos, attributes = {}, {}, {}
        for i in node_cols:
            node_id, cell = columns[i], row[i]
            ok, answer = parse_answer(cell.text)
            cell_pos = Position(file, cell.line, cell.column)
            if free[i]:  # notes, dates, or a key question's wording: told apart against a framework
                attributes[node_id] = cell.text
                answer_pos[node_id] = cell_pos
                if ok:
                    answers[node_id] = answer
                continue
            if not ok:
                out.error("csv.answer", f"'{_safe(cell.text)}' in column '{_whole(node_id)}' is not an answer; "
                          "expected yes, no or blank (not applicable)", cell_pos)
                unread.add(node_id)
                continue
            answers[node_id] = answer
            answer_pos[node_id] = cell_pos
        part = row[part_col]
        cases.append(Case(row[id_col].text.strip(), part.text.strip(), answers, Position(file, line, 1), answer_pos,
                          Position(file, part.line, part.column), attributes=attributes))
    if out.has_errors:
        raise CasesError(out.diagnostics, cases, unread)
    return cases


def _whole(header: str) -> str:
    """A header for a message: whole (long headers copied from a framework's wording are told apart by their
    end), on one line."""
    return " ".join(header.split())


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

    def constant(i: int) -> bool:  # the same on every row of each inspection, as a judgement is
        return all(len({r[i].text.strip().casefold() for r in g if i < len(r) and r[i].text.strip()}) <= 1
                   for g in groups.values())

    # a column of text (not yes / no) is a judgement if headed by an id (headers.py), or the same on each
    # inspection's rows; other text (notes, dates) is the cases', told apart against a framework
    judged = [i for i in range(len(names)) if i != col and names[i].lower() not in _ID_COLUMNS + _PART_COLUMNS
              and any(c.text.strip() and not parse_answer(c.text)[0] for r in rows[1:] if i < len(r) for c in [r[i]])
              and (id_like(names[i]) is not None or constant(i))]
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

