"""Reading the evidence of one inspection from an Excel workbook (.xlsx), as people keep it.

Needs openpyxl, in the ``excel`` extra (``pip install 'bandstand[excel]'``);
without it, an ``.xlsx`` file is refused in one line that says so. Sheets
are found by name (any case), and the others are left alone:

* **Cases** (or the only sheet): the layout of a CSV of cases (``case``,
  ``part``, a column per key question), read by the CSV's own row reader
  (:func:`.read_csv.cases_from_rows`), so that a sheet and its CSV export
  give the same evidence;
* **Judgements**: a ``node`` and a ``rating`` column (``note`` optional);
* **Figures**: published figures, ``node`` with ``yes`` and ``of``, or
  ``percent`` (a cell formatted as a percentage is read as one);
* **Inspection**: ``framework``, ``subject``, ``date``, ``source``,
  ``notes`` and ``partial``, a field per row, its value beside it.

As a person would read the sheet: a formula is read as the value Excel
saved with it (a formula saved without one is an error at its cell); a
merged cell holds its value in every cell it covers; rows above the header
that only title it (merged, or a single cell) are skipped; blank rows and
blank columns are skipped; hidden rows and columns are read, as Excel's own
CSV export reads them. Problems are located as ``audit.xlsx:Cases!C7``.

A workbook is a zip file: its size is capped before it is opened, and its
unpacked size and number of cells before it is read (a zip bomb is refused,
never unpacked).
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from dataclasses import replace
from fractions import Fraction
from pathlib import Path
from typing import overload

from ..dsl import schema
from ..errors import BandstandError, Collector, Diagnostic, InputError, Position
from ..files import read_regular, shown
from ..limits import DEFAULT_LIMITS, Limits, exceeded
from .evidence_model import CasesError, Evidence, EvidenceError, Figure, Judgement
from .read_csv import CaseList, Cell, cases_from_rows

#: the names of the files read as workbooks (.xls and .ods are refused, saying what they are)
SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
#: what to install to read them
EXTRA = "pip install 'bandstand[excel]'"
#: a workbook may unpack to at most this many times the file size limit (XML packs about tenfold)
UNPACKED_FACTOR = 10
#: the most cells read from one workbook, and the most files inside it
MAX_CELLS = 2_000_000
MAX_MEMBERS = 10_000
#: rows above a sheet's header row that may title it
_TITLE_ROWS = 20

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}(-[0-9]{2})?$")


def is_workbook(path: str | Path) -> bool:
    """Whether a file is read as a workbook (by its name)."""
    return str(path).lower().endswith(SUFFIXES)


def openpyxl_module(name: str | None = None):
    """openpyxl, or the one-line refusal that says which extra to install."""
    try:
        import openpyxl
    except ImportError:
        raise InputError(f"reading and writing Excel workbooks needs openpyxl, which is not installed: {EXTRA}",
                         name, "input.extra") from None
    return openpyxl


def read_xlsx(path: str | Path, *, limits: Limits = DEFAULT_LIMITS, display: str | None = None) -> Evidence:
    """The evidence of one inspection in a workbook (see the module docstring).

    Raises :class:`InputError` for a file that cannot be read as a workbook,
    and :class:`EvidenceError`, with what could be read, for problems in its
    cells.
    """
    name = display or str(path)
    data, size = read_regular(Path(path), name, limits.max_file_bytes)
    if size > limits.max_file_bytes or len(data) > limits.max_file_bytes:
        raise InputError(exceeded("max_file_bytes", limits.max_file_bytes, f"the file's size ({size} bytes)"),
                         shown(name), "limit.file-size")
    _check_package(data, name, limits)
    openpyxl = openpyxl_module(name)
    formulas, cells = _formula_cells(openpyxl, data, name, limits)
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as e:  # noqa: BLE001 - openpyxl raises many kinds for a damaged workbook
        raise _damaged(name, e) from None
    return _Reader(wb, name, Path(path), formulas, limits).evidence()


# -- the file, before openpyxl sees it ------------------------------------------------------------------

def _check_package(data: bytes, name: str, limits: Limits) -> None:
    """Refuse, in one line, what is not an .xlsx package, or would unpack to too much."""
    if data.startswith(_OLE2):
        raise InputError(f"{shown(name)} is an Excel 97-2003 workbook (.xls), which bandstand does not read; save it "
                         "as an Excel Workbook (.xlsx), or export the sheet as CSV (UTF-8)", shown(name),
                         "input.workbook")
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        members = z.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise InputError(f"{shown(name)} is not an Excel workbook (.xlsx): it is not a zip file; save it from your "
                         "spreadsheet as an Excel Workbook (.xlsx)", shown(name), "input.workbook") from None
    names = {m.filename for m in members}
    if "xl/workbook.xml" not in names:
        what = "a zip file"
        if "mimetype" in names:
            try:
                mime = z.read("mimetype")[:100].decode("ascii", "replace")
            except Exception:  # noqa: BLE001 - a damaged member: still not a workbook
                mime = ""
            if "opendocument.spreadsheet" in mime:
                what = "an OpenDocument spreadsheet (.ods)"
        elif any(n.startswith("Index/") for n in names):
            what = "a Numbers spreadsheet"
        raise InputError(f"{shown(name)} is {what}, not an Excel workbook (.xlsx), and bandstand does not read it; "
                         "save it as an Excel Workbook (.xlsx), or export the sheet as CSV (UTF-8)", shown(name),
                         "input.workbook")
    unpacked = sum(m.file_size for m in members)
    _check_merges(z, members, name, limits)
    most = UNPACKED_FACTOR * limits.max_file_bytes
    if len(members) > MAX_MEMBERS:
        raise InputError(f"the workbook holds {len(members)} files, more than the {MAX_MEMBERS} a workbook needs, and "
                         "is not unpacked", shown(name), "limit.file-size")
    if unpacked > most:
        raise InputError(
            f"the workbook would unpack to {unpacked} bytes, more than {UNPACKED_FACTOR} times the limit "
            f"max_file_bytes={limits.max_file_bytes}, and is not unpacked; raise it with --max-file-bytes on the "
            "command line or Limits(max_file_bytes=...) in the library", shown(name), "limit.file-size")


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="\$?([A-Za-z]{1,3})\$?([0-9]{1,7})'
                    rb':\$?([A-Za-z]{1,3})\$?([0-9]{1,7})"')


def _column(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


def _check_merges(z: zipfile.ZipFile, members, name: str, limits: Limits) -> None:
    """Refuse merged ranges covering more than :data:`MAX_CELLS` cells (openpyxl makes an object for each
    cell a merge covers: ``A1:XFD1048576`` would be 17 billion), before openpyxl sees them."""
    if sum(m.file_size for m in members) > UNPACKED_FACTOR * limits.max_file_bytes:
        return  # refused next, without being unpacked
    covered = 0
    for m in members:
        if not (m.filename.startswith("xl/worksheets/") and m.filename.endswith(".xml")):
            continue
        try:
            xml = z.read(m)
        except Exception:  # noqa: BLE001 - a damaged member: openpyxl says so
            continue
        for a, r1, b, r2 in _MERGE.findall(xml):
            covered += (abs(int(r2) - int(r1)) + 1) * (abs(_column(b) - _column(a)) + 1)
            if covered > MAX_CELLS:
                raise InputError(f"the workbook's merged cells cover more than {MAX_CELLS} cells (the last: "
                                 f"{(a + r1 + b':' + b + r2).decode()}); unmerge them, or give the cases of one "
                                 "inspection", shown(name), "limit.cells")


def _damaged(name: str, e: Exception) -> InputError:
    why = " ".join(str(e).split())[:160] or type(e).__name__
    return InputError(f"{shown(name)} cannot be read as an Excel workbook ({why}); open it in your spreadsheet "
                      "and save it again as an Excel Workbook (.xlsx)", shown(name), "input.workbook")


def _formula_cells(openpyxl, data: bytes, name: str, limits: Limits) -> tuple[dict, int]:
    """Every formula cell, (sheet, row, column) -> its formula, read streaming; the number of cells bounded."""
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as e:  # noqa: BLE001
        raise _damaged(name, e) from None
    found: dict[tuple[str, int, int], str] = {}
    cells = 0
    try:
        for ws in wb.worksheets:
            ws.reset_dimensions()  # rows as the file has them: no gaps filled out to a claimed dimension
            for row in ws.iter_rows():
                for c in row:
                    value = getattr(c, "value", None)
                    if value is None:
                        continue
                    cells += 1
                    if cells > MAX_CELLS:
                        raise InputError(f"the workbook has more than {MAX_CELLS} cells with values; bandstand reads "
                                         "one inspection's evidence: give the cases of one inspection",
                                         shown(name), "limit.cells")
                    if getattr(c, "data_type", None) == "f":
                        found[(ws.title, c.row, c.column)] = str(value)
    except BandstandError:
        raise
    except Exception as e:  # noqa: BLE001
        raise _damaged(name, e) from None
    finally:
        wb.close()
    return found, cells


# -- the sheets -------------------------------------------------------------------------------------------

def _text(value) -> str:
    """A cell's value as the text a CSV export would hold (a whole number without '.0', a date as YYYY-MM-DD)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        # to the 15 significant digits a spreadsheet shows and exports: a sum saved as 0.6449999999999999 is
        # 64.5% on the sheet and in its CSV export, and is read so
        value = float(format(value, ".15g"))
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return str(value)


class _Reader:
    def __init__(self, wb, name: str, path: Path, formulas: dict, limits: Limits):
        self.wb, self.name, self.path, self.formulas, self.limits = wb, name, path, formulas, limits
        self.out = Collector()
        self.unread: set[str] = set()
        self.unread_sections: set[str] = set()
        self.valueless: set[tuple[str, int, int]] = set()  # formula cells saved without a value (reported)

    def blank_formula(self, ws, row: int, column: int) -> bool:
        return (ws.title, row, column) in self.valueless

    def at(self, ws, row: int, column: int | None = None) -> Position:
        return Position(self.name, row, column, ws.title)

    def evidence(self) -> Evidence:
        sheets = {ws.title.strip().casefold(): ws for ws in self.wb.worksheets}
        ev = Evidence(self.name)
        cases_ws = sheets.get("cases")
        if cases_ws is None and len(self.wb.worksheets) == 1:
            cases_ws = self.wb.worksheets[0]
        if cases_ws is None and not any(k in sheets for k in ("judgements", "figures")):
            raise InputError(f"{shown(self.name)} has no sheet named Cases, Judgements or Figures (it has "
                             f"{', '.join(ws.title for ws in self.wb.worksheets[:8])}); name the sheet of cases "
                             "'Cases' (see 'bandstand template')", shown(self.name), "xlsx.sheet")
        if "inspection" in sheets:
            self._inspection(sheets["inspection"], ev)
        if "judgements" in sheets:
            self._judgements(sheets["judgements"], ev)
        if "figures" in sheets:
            self._figures(sheets["figures"], ev)
        if cases_ws is not None:
            self._cases(cases_ws, ev)
        for section in ("judgements", "partial"):  # where a message about what is not given points: a cell
            ev.section_pos.setdefault(section, self.at(cases_ws or self.wb.worksheets[0], 1, 1))
        ev.unread |= self.unread
        ev.unread_sections |= self.unread_sections
        if self.out.has_errors:
            raise EvidenceError(self.out.diagnostics, ev)
        return ev

    # -- cells ---------------------------------------------------------------------------------------------

    def _grid(self, ws) -> dict[int, dict[int, str]]:
        """The sheet's non-blank cells as text, row -> column -> text; a merged range's value in every cell of
        it; a formula without a saved value reported (and read as blank)."""
        grid: dict[int, dict[int, str]] = {}
        for c in _cells(ws):
            key = (ws.title, c.row, c.column)
            if key in self.formulas and c.value is None and c.data_type != "str":  # "str": a saved empty text
                self.out.error("xlsx.formula", f"the formula {_short(self.formulas[key])} has no saved value: "
                               "open the workbook in Excel or LibreOffice and save it, so that its values are "
                               "stored with it", self.at(ws, c.row, c.column))
                self.valueless.add(key)
                continue
            text = _text(c.value)
            if text.strip():
                grid.setdefault(c.row, {})[c.column] = text
        for rng in ws.merged_cells.ranges:
            value = grid.get(rng.min_row, {}).get(rng.min_col)
            if value is None:
                continue  # blank
            for r in range(rng.min_row, rng.max_row + 1):
                for col in range(rng.min_col, rng.max_col + 1):
                    grid.setdefault(r, {}).setdefault(col, value)
        return grid

    def _header_row(self, ws, grid) -> int | None:
        """The header row: the first that is not blank and does not only title the sheet (a single value, or
        only merged cells spanning columns); a vertical merge from above counts in the row where it ends."""
        spans = {(r.min_row, r.min_col): r for r in ws.merged_cells.ranges}
        rows = sorted(grid)
        for r in rows[:_TITLE_ROWS]:
            cells = grid[r]
            own = [c for c in cells if not _covered(ws, r, c) or (r, c) in spans]
            titles = [c for c in own if (r, c) in spans and spans[(r, c)].max_col > c and spans[(r, c)].max_row == r]
            if len(cells) <= 1 or len(titles) == len(own) and own:
                continue
            # a header cell merged down: the header is the row where its merge ends
            deepest = max((spans[(r, c)].max_row for c in own if (r, c) in spans), default=r)
            return deepest
        return rows[0] if rows else None

    # -- the sheets ----------------------------------------------------------------------------------------

    def _cases(self, ws, ev: Evidence) -> None:
        grid = self._grid(ws)
        header_row = self._header_row(ws, grid)
        if header_row is None:
            self.out.error("csv.empty", "the sheet of cases is empty; expected a header row: case, part, then "
                           "key question ids", self.at(ws, 1, 1))
            self.unread_sections.add("cases")
            return
        ev.cases_file = self.path
        ev.cases_pos = self.at(ws, header_row, 1)
        ev.section_pos["cases"] = ev.cases_pos
        header = grid[header_row]
        spans = {(r.min_row, r.min_col): r for r in ws.merged_cells.ranges}
        for col in sorted(header):
            rng = spans.get((header_row, col))
            if rng is not None and rng.max_col > col and rng.min_row == header_row:
                self.out.error("xlsx.merged", f"the header cell '{_short(header[col])}' is merged across "
                               f"{rng.max_col - col + 1} columns ({rng.coord}); give each column its own header "
                               "(unmerge the cells)", self.at(ws, header_row, col))
                self.unread_sections.add("cases")
                return
        columns = sorted(header)
        if any(self.blank_formula(ws, header_row, c) for c in range(1, max(columns, default=0) + 2)):
            self.unread_sections.add("cases")  # a formula without value in the header: reported
            return
        data_rows = [r for r in sorted(grid) if r > header_row]
        unheaded: dict[int, int] = {}
        for r in data_rows:
            for c in grid[r]:
                if c not in header and c not in unheaded:
                    unheaded[c] = r
        for c, r in sorted(unheaded.items()):
            self.out.error("xlsx.column", "this column has values but no header; give it one (a key question's id) "
                           "or clear it", self.at(ws, r, c))
        if not any(c in grid[r] or self.blank_formula(ws, r, c) for r in data_rows for c in columns):
            return  # a sheet of cases with no case in it (a blank template): no cases given
        rows = [[Cell(header[c], header_row, c) for c in columns]]
        for r in data_rows:
            cells = grid[r]
            valueless = [c for c in columns if self.blank_formula(ws, r, c)]
            if not valueless and not any(c in cells for c in columns):
                continue  # a blank row (or one with values only under no header: reported)
            self.unread.update(header[c].strip() for c in valueless)  # reported; those columns are not missing
            row = [Cell(cells.get(c, ""), r, c) for c in columns]
            rows.append(row)
        try:
            ev.cases = cases_from_rows(rows, self.name, self.limits)
        except CasesError as e:
            ev.cases = e.cases
            self.unread |= e.unread
            self.out.extend(self._on_sheet(d, ws) for d in e.diagnostics)
        except BandstandError as e:
            self.unread_sections.add("cases")
            self.out.extend(self._on_sheet(d, ws) for d in e.diagnostics)
        if ev.cases is not None:
            header_pos = getattr(ev.cases, "header", None)
            for case in ev.cases:
                case.pos = self._pos(case.pos, ws)
                case.part_pos = self._pos(case.part_pos, ws)
                case.answer_pos = {k: self._pos(p, ws) for k, p in case.answer_pos.items()}
            if header_pos is not None:
                assert isinstance(ev.cases, CaseList)  # (the cases' header is a CaseList's, read_csv's)
                ev.cases.header = {k: self._pos(p, ws) for k, p in header_pos.items()}

    @overload
    def _pos(self, pos: Position, ws) -> Position: ...
    @overload
    def _pos(self, pos: None, ws) -> None: ...

    def _pos(self, pos: Position | None, ws) -> Position | None:
        """A position the CSV's reader gave (row and column) as the cell of this sheet."""
        if pos is None or pos.file != self.name or pos.sheet is not None:
            return pos
        return Position(pos.file, pos.line, pos.column, ws.title)  # a plain one: the reader's may be lazy

    def _on_sheet(self, d: Diagnostic, ws) -> Diagnostic:
        if d.file != self.name or d.sheet is not None or d.line is None:
            return d
        return replace(d, sheet=ws.title)

    def _table(self, ws, required: tuple[str, ...], optional: tuple[str, ...]):
        """(header row, {name: column}, rows) of a sheet with named columns; None if its header is unusable."""
        grid = self._grid(ws)
        header_row = self._header_row(ws, grid)
        if header_row is None:
            return None
        names = {}
        for c, text in grid[header_row].items():
            key = " ".join(text.split()).casefold()
            if key in ("id", "node id"):
                key = "node"
            if key in required + optional and key not in names:
                names[key] = c
        missing = [n for n in required if n not in names]
        if missing:
            self.out.error("xlsx.header", f"the sheet {ws.title} has no {' or '.join(repr(m) for m in missing)} "
                           f"column; its header row must name: {', '.join(required + optional)}",
                           self.at(ws, header_row, 1))
            return None
        return header_row, names, [(r, grid[r]) for r in sorted(grid) if r > header_row]

    def _judgements(self, ws, ev: Evidence) -> None:
        ev.section_pos["judgements"] = self.at(ws, 1, 1)
        table = self._table(ws, ("node", "rating"), ("note",))
        if table is None:
            self.unread_sections.add("judgements")
            return
        _, col, rows = table
        for r, cells in rows:
            node_id = cells.get(col["node"], "").strip()
            rating = cells.get(col["rating"], "")
            note = cells.get(col["note"]) if "note" in col else None
            if any(self.blank_formula(ws, r, c) for c in col.values()):
                self.unread.add(node_id)  # reported
                continue
            if not node_id:
                if rating.strip():
                    self.out.error("xlsx.row", "this rating names no node; put the node's id in column "
                                   f"{Position(None, None, col['node'], ws.title)}", self.at(ws, r, col["rating"]))
                continue
            if not rating.strip():
                continue  # not given: a judged node without one is reported when checked against the framework
            if node_id in ev.judgements:
                self.out.error("evidence.duplicate", f"a judgement for '{node_id}' is given twice (also in row "
                               f"{ev.judgements[node_id].pos.line})", self.at(ws, r, col["node"]))
                continue
            value = None if rating.strip().casefold() in ("not rated", "n/a", "na") else rating.strip()
            ev.judgements[node_id] = Judgement(node_id, value, (note or "").strip() or None,
                                               self.at(ws, r, col["rating"]))

    def _figures(self, ws, ev: Evidence) -> None:
        ev.section_pos["key_questions"] = self.at(ws, 1, 1)
        table = self._table(ws, ("node",), ("yes", "of", "percent"))
        if table is None:
            self.unread_sections.add("key_questions")
            return
        _, col, rows = table
        for r, cells in rows:
            node_id = cells.get(col["node"], "").strip()
            given = {k: cells[col[k]] for k in ("yes", "of", "percent") if k in col and col[k] in cells}
            if any(self.blank_formula(ws, r, c) for c in col.values()):
                self.unread.add(node_id)  # reported
                continue
            if not node_id or not given:
                continue
            counts: dict[str, int] = {}
            bad = False
            for k in ("yes", "of"):
                if k in given:
                    text = given[k].strip()
                    if not text.isdigit():
                        self.out.error("evidence.counts", f"'{_short(text)}' is not a number of cases; expected a "
                                       "whole number", self.at(ws, r, col[k]))
                        bad = True
                    else:
                        counts[k] = int(text)
            percent = None
            if "percent" in given:
                percent = self._percent(ws, r, col["percent"], given["percent"])
                bad = bad or percent is None
            if not bad and ("yes" in counts) != ("of" in counts):
                blank = "of" if "yes" in counts else "yes"  # the cell to fill, where the sheet has its column
                self.out.error("evidence.counts", "give both yes and of (the cases judged sufficient, of how many), "
                               "or a percentage", self.at(ws, r, col.get(blank, col["node"])))
                bad = True
            if not bad and "yes" in counts and counts["yes"] > counts["of"]:
                self.out.error("evidence.counts", f"yes ({counts['yes']}) is greater than of ({counts['of']})",
                               self.at(ws, r, col["yes"]))
                bad = True
            if not bad and counts.get("of", 0) > self.limits.max_cases:
                self.out.error("limit.cases", exceeded("max_cases", self.limits.max_cases,
                                                       f"the number of cases ({counts['of']})"),
                               self.at(ws, r, col["of"]))
                bad = True
            if bad:
                self.unread.add(node_id)
                continue
            if node_id in ev.figures:
                self.out.error("evidence.duplicate", f"figures for '{node_id}' are given twice",
                               self.at(ws, r, col["node"]))
                continue
            ev.figures[node_id] = Figure(node_id, counts.get("yes"), counts.get("of"), percent,
                                         self.at(ws, r, col["node"]))

    def _percent(self, ws, r: int, c: int, text: str) -> Fraction | None:
        cell = ws.cell(r, c)
        try:
            value = Fraction(text.strip().rstrip("%").strip())
            if isinstance(cell.value, (int, float)) and "%" in (cell.number_format or ""):
                value *= 100  # 64.7% is stored as 0.647
        except (ValueError, ZeroDivisionError):
            value = None
        if value is None or not 0 <= value <= 100:
            self.out.error("evidence.counts", f"a percentage must be a number from 0 to 100; got {_short(text)}",
                           self.at(ws, r, c))
            return None
        return value

    def _inspection(self, ws, ev: Evidence) -> None:
        grid = self._grid(ws)
        fields = ("framework", "subject", "date", "source", "notes", "partial")
        for r in sorted(grid):
            cells = grid[r]
            if not cells:
                continue
            first = min(cells)
            key = (cells[first] or "").strip().casefold()
            if key not in fields:
                continue
            value_col = first + 1  # the value beside the field's name (a third column may explain it)
            if self.blank_formula(ws, r, value_col):
                self.unread_sections.add(key)  # reported
                continue
            value = cells.get(value_col, "").strip()
            if not value:
                continue
            pos = self.at(ws, r, value_col)
            ev.section_pos[key] = pos
            if key == "framework":
                ev.framework, ev.framework_pos = value, pos
            elif key == "date":
                if not _DATE.match(value) or not schema.real_date(value):
                    self.out.error("evidence.date", f"'{_short(value)}' is not a date; expected YYYY-MM-DD or "
                                   "YYYY-MM", pos)
                    continue
                ev.date = value
            elif key == "partial":
                low = value.casefold()
                if low in ("yes", "true", "1"):
                    ev.partial = True
                elif low not in ("no", "false", "0"):
                    ev.partial = tuple(v.strip() for v in re.split(r"[,;\s]+", value) if v.strip())
            else:
                setattr(ev, key, value)


def _cells(ws):
    """The cells the sheet's file has, and no others (``iter_rows`` would make every cell of the rectangle
    from A1 to the last one: a value in XFD1048576 would make 17 billion)."""
    cells = getattr(ws, "_cells", None)
    if isinstance(cells, dict):
        return list(cells.values())
    if ws.max_row * ws.max_column > MAX_CELLS:  # pragma: no cover - an openpyxl without _cells
        raise InputError(f"the sheet {ws.title} spans {ws.dimensions}, more than {MAX_CELLS} cells; clear the cells "
                         "outside its table", None, "limit.cells")
    return [c for row in ws.iter_rows() for c in row]


def _covered(ws, row: int, col: int) -> bool:
    """Whether a cell is inside a merged range other than as its top-left cell."""
    for rng in ws.merged_cells.ranges:
        if rng.min_row <= row <= rng.max_row and rng.min_col <= col <= rng.max_col:
            return (row, col) != (rng.min_row, rng.min_col)
    return False


def _short(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= 40 else text[:37] + "..."
