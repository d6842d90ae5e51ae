"""Reading cases from CSV: one row per case, a column per node id; several inspections in one file.

Rows are split as the standard library's :mod:`csv` module splits them (a
line with no quote at its delimiters, any other row by the module itself).
A file of cases with no quote in it, each row one line, is read whole at
once (:func:`read_cases_csv`): its lines split, and the answers of each
distinct row read once; anything else in it (a quote, a lone carriage
return, a row or cell that cannot be read) has it read row by row, which
reports what is wrong.
A case keeps of its row only where it starts and its text
(:class:`RowStart`); where a cell is (its line and column) is worked out
only when a message points at it (:meth:`RowStart.place`), from that text
(:func:`iter_csv_rows` where it is quoted). A row that cannot be read is reported and left
out, and the cases that could be read come with the error
(:class:`CasesError`), to be checked against a framework all the same.

A CSV with an ``inspection`` column holds several inspections, one after
another: :func:`iter_inspections` reads them one at a time, so a file of a
million inspections is read in the memory of one (docs/guides/many-inspections.md);
the names met are remembered exactly in memory that does not grow (:mod:`.seen`).
What the header's columns are is decided in one place, :func:`header_columns`.
"""

from __future__ import annotations

import contextlib
import csv
import gc
import io
import re
from itertools import chain, repeat
from operator import itemgetter
from dataclasses import dataclass, field
from typing import Callable, Collection, Iterable, Iterator, Sequence

from ..dsl.model import normalise
from ..errors import BandstandError, Collector, Diagnostic, Position
from ..limits import DEFAULT_LIMITS, Limits, exceeded
from .evidence_model import Case, CasesError, Evidence, EvidenceError, Judgement, parse_answer
from .headers import id_like
from .seen import Seen

_ID_COLUMNS = ("case", "case_id", "case id", "case ref", "case_ref", "id")
_PART_COLUMNS = ("part", "disposal", "type", "disposal type")
_INSPECTION_COLUMNS = ("inspection", "subject")
_DELIMITERS = (",", ";", "\t")
_SEP = re.compile(r"^sep=(.)\s*$", re.IGNORECASE)  # Excel's first line naming the delimiter


@dataclass(frozen=True, slots=True)
class Cell:
    text: str
    line: int
    column: int


def csv_rows(text: str, delimiter: str, file: str | None) -> list[list[Cell]]:
    """Split CSV text into rows of cells, each cell with its line and column.

    RFC 4180 quoting (``"a, b"``, ``""`` for a quote, line breaks inside
    quotes); ``\r\n`` and ``\n`` both end a row. Blank rows are dropped.
    Slow (a character at a time): used to place cells for messages.
    """
    return list(iter_csv_rows(text, delimiter, file))


def iter_csv_rows(text: str, delimiter: str, file: str | None, first_line: int = 1) -> Iterator[list[Cell]]:
    """The rows of :func:`csv_rows`, one at a time; lines count from ``first_line``."""
    row: list[Cell] = []
    buf: list[str] = []
    line, col = first_line, 1
    start = (line, 1)
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
        assert quote_at is not None  # set where the quotes opened
        raise BandstandError([Diagnostic("csv.syntax", "a quoted cell is never closed: no matching '\"'",
                                         file, *quote_at)])
    if buf or row:
        end_cell()
        if any(c.text.strip() for c in row):
            yield row


# -- rows, read by the csv module -------------------------------------------------------------------


class Dialect:
    """What the rows of one file share: its name (for messages) and its delimiter."""

    __slots__ = ("file", "delimiter")

    def __init__(self, file: str | None, delimiter: str):
        self.file, self.delimiter = file, delimiter


class _LazyPosition(Position):
    """A :class:`Position` whose line and column are worked out when first read, not when made: it equals,
    hashes, copies and pickles as the plain position it stands for (:meth:`_plain`)."""

    __slots__ = ()

    @property
    def sheet(self):  # a CSV cell is on no sheet (see Position.sheet)
        return None

    def _plain(self) -> Position:
        return Position(self.file, self.line, self.column)

    def __eq__(self, other):
        if not isinstance(other, Position):
            return NotImplemented
        return self._plain() == (other._plain() if isinstance(other, _LazyPosition) else other)

    def __hash__(self):
        return hash(self._plain())

    def __repr__(self):
        return repr(self._plain())

    def __reduce__(self):
        return Position, (self.file, self.line, self.column)

    def __copy__(self):
        return self._plain()

    def __deepcopy__(self, memo):
        return self._plain()


_new = object.__new__


class RowStart(_LazyPosition):
    """Where a row starts (its first line, column 1), with the row's text as read: all a case keeps of its row.
    Where any of the row's cells is (:meth:`place`) is worked out from the text when a message points at it."""

    __slots__ = ("text", "_line", "dialect")
    text: str
    _line: int
    dialect: Dialect

    def __init__(self, text: str, line: int, dialect: Dialect):
        _set_text(self, text)
        _set_line(self, line)
        _set_dialect(self, dialect)

    @property
    def file(self):
        return self.dialect.file

    @property
    def line(self):
        return self._line

    @property
    def column(self):
        return 1

    def _plain(self) -> Position:
        return Position(self.dialect.file, self._line, 1)

    def place(self, i: int) -> Position:
        """Where cell ``i`` of the row starts (its line and column), worked out now."""
        text, file, line = self.text, self.dialect.file, self._line
        if '"' not in text:  # one line, no quoting: the cells and delimiters before it
            cells = text.rstrip("\r\n").split(self.dialect.delimiter)
            return Position(file, line, 1 + sum(map(len, cells[:i])) + i)
        for row in iter_csv_rows(text, self.dialect.delimiter, file, line):
            if i < len(row):
                return Position(file, row[i].line, row[i].column)
        return Position(file, line, 1)


# (each slot's own setter, its descriptor's; read from __dict__, since mypy takes RowStart.text for a str)
_set_text, _set_line, _set_dialect = (RowStart.__dict__[s].__set__ for s in ("text", "_line", "dialect"))


class PlacedStart(RowStart):
    """Where a row of cells whose places are known already starts (a workbook's sheet: each cell has its row
    and column)."""

    __slots__ = ("columns",)
    columns: list[int]

    def __init__(self, line: int, file: str | None, columns: list[int]):
        super().__init__("", line, Dialect(file, ","))
        object.__setattr__(self, "columns", columns)

    def place(self, i: int) -> Position:
        return Position(self.dialect.file, self._line, self.columns[i] if i < len(self.columns) else 1)


class Row:
    """One row's cells, and where it starts (:class:`RowStart`): enough to place any cell later."""

    __slots__ = ("cells", "start")

    def __init__(self, cells: list[str], start: RowStart):
        self.cells, self.start = cells, start

    @property
    def line(self) -> int:
        return self.start.line

    @property
    def raw(self) -> str:
        return self.start.text

    @property
    def file(self) -> str | None:
        return self.start.file

    def place(self, i: int) -> Position:
        """Where cell ``i`` starts (its line and column), worked out now."""
        return self.start.place(i)


_set_cells, _set_row_start = (Row.__dict__[s].__set__ for s in ("cells", "start"))  # (as RowStart's)


class CellPosition(_LazyPosition):
    """Where cell ``i`` of a row is: a :class:`Position` whose line and column are worked out when first
    read (a message points at it), not when the row is read."""

    __slots__ = ("_start", "_i", "_at")
    _start: RowStart
    _i: int
    _at: tuple[int, int]  # (set when first read)

    def __init__(self, start: RowStart, i: int):
        _set_start(self, start)
        _set_i(self, i)

    def _place(self) -> tuple[int, int]:
        try:
            return self._at
        except AttributeError:
            p = self._start.place(self._i)
            object.__setattr__(self, "_at", (p.line, p.column))
            return self._at

    @property
    def file(self):
        return self._start.file

    @property
    def line(self):
        return self._place()[0]

    @property
    def column(self):
        return self._place()[1]


_set_start, _set_i = (CellPosition.__dict__[s].__set__ for s in ("_start", "_i"))  # (as RowStart's)


class Rows:
    """The non-blank rows of CSV text given line by line (each line with its ending), as :class:`Row`.

    The delimiter is Excel's ``sep=X`` first line where there is one, else
    whichever of comma, semicolon and tab the first non-blank line holds
    most. A byte-order mark is left out. A quote left open, a cell longer
    than ``csv.field_size_limit()`` characters, or a NUL character is a
    ``csv.syntax`` error (:class:`BandstandError`) raised where it is met.

    A line with no quote (nor anything else the :mod:`csv` module would
    refuse) is split at its delimiters, as the csv module splits it; any
    other row is read by the csv module, over as many lines as it takes.
    """

    def __init__(self, lines: Iterable[str], file: str | None):
        self.file = file
        self._source = iter(lines)
        self._buf: list[str] = []  # the lines of the row the csv module is reading
        self._skipped = 0  # lines before the reader's first (a sep= line)
        peeked: list[str] = []
        for line in self._source:
            if not peeked and line.startswith("\ufeff"):
                line = line[1:]
            peeked.append(line)
            if line.strip("\r\n"):
                break
        self.delimiter = ","
        first = peeked[-1].strip("\r\n") if peeked else ""
        sep = _SEP.match(first) if len(peeked) == 1 else None
        if sep is not None:
            self.delimiter = sep.group(1)
            self._skipped, peeked = 1, []
        elif first:
            self.delimiter = max(_DELIMITERS, key=first.count)
        self._peeked = peeked

    def _feed(self, lines: Iterator[str], given: list[str]) -> Iterator[str]:
        """The csv module's lines: the one ``given``, then (a quoted cell's line breaks) the next ones."""
        buf = self._buf
        while True:
            line = given.pop() if given else next(lines, None)
            if line is None:
                return
            buf.append(line)
            yield line

    def __iter__(self) -> Iterator[Row]:
        dialect, delimiter, buf = Dialect(self.file, self.delimiter), self.delimiter, self._buf
        lines = chain(self._peeked, self._source)
        self._peeked = []
        given: list[str] = []
        reader = csv.reader(self._feed(lines, given), delimiter=delimiter, strict=False)
        limit = csv.field_size_limit()
        line = self._skipped
        blank = delimiter + " \t\r\n\""
        for raw in lines:
            line += 1
            body = raw.rstrip("\r\n")
            if '"' in raw or "\x00" in raw or "\n" in body or "\r" in body or len(raw) > limit:
                first = line  # quoted, or what the csv module refuses: read by it
                given.append(raw)
                try:
                    cells = next(reader)
                except csv.Error as e:
                    raise self._syntax(str(e), first) from None
                line += len(buf) - 1
                raw = buf[0] if len(buf) == 1 else "".join(buf)
                buf.clear()
                if '"' in raw and raw.count('"') % 2:  # an odd number of quotes: perhaps one left open, to the end
                    for _ in iter_csv_rows(raw, delimiter, self.file, first):
                        pass
                if not raw.strip(blank) and not any(c.strip() for c in cells):
                    continue
                yield Row(cells, RowStart(raw, first, dialect))
                continue
            cells = body.split(delimiter)
            if not raw.strip(blank) and not any(c.strip() for c in cells):
                continue
            start = _new(RowStart)  # RowStart(raw, line, dialect), without the call: this is every row
            _set_text(start, raw)
            _set_line(start, line)
            _set_dialect(start, dialect)
            row = _new(Row)  # Row(cells, start), as above
            _set_cells(row, cells)
            _set_row_start(row, start)
            yield row

    def _syntax(self, what: str, line: int) -> BandstandError:
        raw = "".join(self._buf)
        self._buf.clear()
        try:
            for _ in iter_csv_rows(raw, self.delimiter, self.file, line):
                pass
        except BandstandError as e:  # a quote left open
            d = e.diagnostics[0]
            if "larger than field limit" in what:
                return BandstandError([Diagnostic(
                    "csv.syntax", f"a quoted cell is not closed within {csv.field_size_limit():,} characters, "
                    "the most a cell may hold: no matching '\"'", d.file, d.line, d.column)])
            return e
        if "larger than field limit" in what:
            what = f"a cell is longer than {csv.field_size_limit():,} characters, the most a cell may hold"
        elif "NUL" in what:
            what = "the row holds a NUL character; is this a text file?"
        return BandstandError([Diagnostic("csv.syntax", what, self.file, line, 1)])


def text_lines(text: str) -> Iterator[str]:
    """The lines of text, each with its ending (``\\r\\n``, ``\\n`` or ``\\r``)."""
    return iter(io.StringIO(text, newline=""))


# -- the header --------------------------------------------------------------------------------


@dataclass
class Columns:
    """What each column of a header is (indices into a row), and where each header cell is."""

    names: list[str]
    places: list[Position]
    case: int
    part: int
    inspection: int | None = None
    judgements: list[int] = field(default_factory=list)  # judged nodes: one rating per inspection
    answers: list[int] = field(default_factory=list)  # node ids answered case by case
    problems: list[Diagnostic] = field(default_factory=list)  # reported with the rows (a column given twice)


def header_columns(header: Row, *, inspections: bool = False, judged: Collection[str] = ()) -> Columns:
    """The columns a header row names: ``case`` (or ``id``), ``part``, ``inspection`` (when ``inspections``),
    judged nodes (the names in ``judged``), and answers (every other column).

    Raises ``csv.header`` when the case or part column is missing; a column
    named twice is in :attr:`Columns.problems`.
    """
    file = header.file
    names = [c.strip() for c in header.cells]
    places = [header.place(i) for i in range(len(names))]
    lowered = [c.lower() for c in names]
    id_col = next((lowered.index(c) for c in _ID_COLUMNS if c in lowered), None)
    part_col = next((lowered.index(c) for c in _PART_COLUMNS if c in lowered), None)
    if id_col is None or part_col is None:
        missing = " and ".join(n for n, c in (("'case'", id_col), ("'part'", part_col)) if c is None)
        raise BandstandError([Diagnostic(
            "csv.header", f"the header row has no {missing} column; the first row must name the columns: "
            f"case, part, then node ids (found: {', '.join(_safe(c) for c in names[:6])})",
            file, header.line, 1)])
    inspection = next((i for i, n in enumerate(lowered) if n in _INSPECTION_COLUMNS), None) if inspections else None
    cols = Columns(names, places, id_col, part_col, inspection)
    seen: set[str] = set()
    for i, name in enumerate(names):
        if name in seen and i != inspection:
            cols.problems.append(Diagnostic.at("csv.header", f"column '{_safe(name)}' appears twice", places[i]))
        seen.add(name)
        if i in (id_col, part_col, inspection):
            continue
        (cols.judgements if name in judged or id_like(name) in judged else cols.answers).append(i)
    return cols


# -- cases ----------------------------------------------------------------------------------------

_MISSING = object()
#: answers as written in cells, memoised (the common spellings first; others as they are met)
_MEMO: dict[str, bool | None] = {
    s: parse_answer(s)[1] for w in ("yes", "no", "y", "n", "", "n/a", "na", "-", "1", "0", "true", "false")
    for s in (w, w.upper(), w.capitalize())}


class _Places:
    """A case's answer positions, worked out when one is asked for (a message points at it)."""

    __slots__ = ("start", "index")

    def __init__(self, start: RowStart, index: dict[str, int]):
        self.start, self.index = start, index

    def get(self, node_id: str, default=None):
        i = self.index.get(node_id)
        return default if i is None else self.start.place(i)

    def __getitem__(self, node_id: str) -> Position:
        return self.start.place(self.index[node_id])

    def __contains__(self, node_id) -> bool:
        return node_id in self.index

    def __iter__(self):
        return iter(self.index)

    def __len__(self) -> int:
        return len(self.index)

    def keys(self):
        return self.index.keys()

    def __reduce__(self):
        """Copied and pickled as the plain positions it stands for (its row start copies as a plain position,
        which cannot work out a cell's)."""
        return dict, ({k: self.start.place(i) for k, i in self.index.items()},)

    def items(self):
        return [(k, self.start.place(i)) for k, i in self.index.items()]

    def values(self):
        return [self.start.place(i) for i in self.index.values()]

    def __eq__(self, other) -> bool:
        return dict(self.items()) == (dict(other.items()) if hasattr(other, "items") else other)

    def __repr__(self) -> str:
        return repr(dict(self.items()))


class CaseList(list):
    """Cases read from a CSV file, with where each column's header cell is (for messages about columns)."""

    header: dict[str, Position]


class _Cases:
    """Reads the case rows of one header into :class:`Case` records."""

    def __init__(self, cols: Columns, limits: Limits):
        self.cols, self.limits = cols, limits
        self.width = len(cols.names)
        self.ids = [cols.names[i] for i in cols.answers]
        self.index = dict(zip(self.ids, cols.answers))
        self.header = {cols.names[i]: cols.places[i] for i in (cols.case, cols.part, *cols.answers)}
        self.header[""] = Position(cols.places[0].file, cols.places[0].line, 1) if cols.places else Position(None)
        self.get = _getter(cols.answers)
        #: the columns not headed by an id (notes, dates, or a key question's wording): their cells are kept as
        #: the case's attributes, and read as answers where they are answers; told apart against a framework
        #: when bound (headers.py)
        self.free = frozenset(i for i in cols.answers if id_like(cols.names[i]) is None)
        self.case, self.part, self.max_cases = cols.case, cols.part, limits.max_cases
        self.known: dict[tuple[str, ...], dict[str, bool | None]] = {}  # answer cells -> the answers they give
        self.parts: dict[str, str] = {}
        self.read = self._reader()

    def new_list(self) -> CaseList:
        cases = CaseList()
        cases.header = self.header
        return cases

    def _reader(self):
        """The function :meth:`read` is: made once per header, with what it needs at hand (a row is read in a
        few microseconds, so looking things up on ``self`` for each would be a good part of the time)."""
        width, case_col, part_col, max_cases, ids = self.width, self.case, self.part, self.max_cases, self.ids
        get, known, same_index, parts = self.get, self.known.get, self.index, self.parts.get
        answers_of, part_of = self._answers, self._part

        def read(row: Row, cases: CaseList, out: Collector, unread: set[str]) -> bool:
            """Append the row's case to ``cases``; False (reported) when the case limit is reached.

            The case keeps of its row only where it starts (:class:`RowStart`, the row's text): where its
            cells are is worked out from that when a message points at one.
            """
            if len(cases) >= max_cases:
                out.error("limit.cases", exceeded("max_cases", max_cases, "the number of cases"), row.start)
                unread.update(ids)
                return False
            cells = row.cells
            if len(cells) != width:
                out.error("csv.row", f"this row has {len(cells)} cells but the header has {width}", row.start)
                unread.update(ids)
                return True
            start = row.start
            values = get(cells)
            answers = known(values)
            if answers is not None:  # cells as another row's: the same answers, in a dict of this case's own
                answers, index, attributes = answers.copy(), same_index, {}
            else:
                answers, index, attributes = answers_of(values, start, out, unread)
            part = cells[part_col].strip()
            places = _new(_Places)  # _Places(start, index), without the call: this is every row
            _set_places_start(places, start)
            _set_places_index(places, index)
            part_pos = _new(CellPosition)  # CellPosition(start, part_col), as above
            _set_start(part_pos, start)
            _set_i(part_pos, part_col)
            cases.append(Case(cells[case_col].strip(), parts(part) or part_of(part), answers, start, places, part_pos,
                              None, attributes))
            return True

        return read

    def _answers(self, values: tuple[str, ...], start: RowStart, out: Collector, unread: set[str]) \
            -> tuple[dict[str, bool | None], dict[str, int], dict[str, str]]:
        """A row's answers, the columns of its answers (and attributes), and its attributes: each cell read,
        a cell that is no answer reported; what the cells gave kept for the rows that give the same."""
        attributes: dict[str, str] = {}
        if not self.free:
            try:
                answers = dict(zip(self.ids, map(_MEMO.__getitem__, values)))
            except KeyError:
                pass
            else:
                if len(self.known) < _KNOWN_ROWS:
                    self.known[values] = answers.copy()
                return answers, self.index, attributes
        answers = {}
        free = self.free
        for node_id, i, text in zip(self.ids, self.cols.answers, values):
            ok, answer = parse_answer(text)
            if i in free:
                attributes[node_id] = text
                if ok:
                    answers[node_id] = answer
                continue
            if not ok:
                out.error("csv.answer", f"'{_safe(text)}' in column '{_whole(node_id)}' is not an answer; "
                          "expected yes, no or blank (not applicable)", start.place(i))
                unread.add(node_id)
                continue
            if len(_MEMO) < 4096 and len(text) < 40:
                _MEMO[text] = answer
            answers[node_id] = answer
        index = {k: i for k, i in self.index.items() if k in answers or i in free}
        return answers, index, attributes

    def _part(self, part: str) -> str:
        """A part as written, kept once for the rows that give it (at most a few hundred spellings)."""
        if len(self.parts) < 256:
            self.parts[part] = part
        return part


_set_places_start, _set_places_index = (_Places.__dict__[s].__set__ for s in ("start", "index"))  # (as RowStart's)
#: the most distinct rows of answers a reader keeps, so that a row like one before is read without parsing it
_KNOWN_ROWS = 2048


def _getter(indices: list[int]):
    """A function giving the cells at ``indices`` of a row, as a tuple."""
    if len(indices) >= 2:
        return itemgetter(*indices)
    return lambda cells: tuple(cells[i] for i in indices)


def read_cases_csv(text: str, file: str | None, limits: Limits = DEFAULT_LIMITS) -> list[Case]:
    """Cases from CSV: one row per case, a column per node id, blank = n/a.

    The first row names the columns: ``case`` (or ``id``), ``part``, then
    node ids. Commas, semicolons and tabs are recognised as delimiters.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise BandstandError([Diagnostic("csv.empty", "the CSV file is empty; expected a header row", file, 1, 1)])
    quick = _quick_cases(text, file, limits)
    if quick is not None:
        return quick
    return read_cases_rows(Rows(text_lines(text), file), file, limits)


def _quick_cases(text: str, file: str | None, limits: Limits) -> CaseList | None:
    """The cases of :func:`read_cases_rows` from the whole text at once, when every row is one line split at its
    delimiters (no quote anywhere) and every cell reads as it should; None otherwise (a row of the wrong
    length, a cell that is no answer, ...), to be read row by row, which reports what is wrong."""
    if '"' in text or "\x00" in text:
        return None
    if "\r" not in text:
        ending = "\n"
    elif text.count("\r") == text.count("\n") == text.count("\r\n"):
        ending = "\r\n"
    else:
        return None  # a lone carriage return, or line endings mixed: row by row
    lines = text.split(ending)
    if not lines[-1]:
        lines.pop()
    if max(map(len, lines)) >= csv.field_size_limit() - 2:
        return None
    rows = Rows(text_lines(text), file)
    header = next(iter(rows), None)
    if header is None:
        return None
    cols = header_columns(header)
    if cols.problems:
        return None
    reader = _Cases(cols, limits)
    if reader.free:
        return None
    delimiter = rows.delimiter
    first = header.line  # (the body's first line is lines[first], line first + 1)
    body = lines[first:]
    blank = delimiter + " \t\r\n\""
    if all(map(str.strip, body, repeat(blank))):
        numbers: Iterable[int] = range(first + 1, first + 1 + len(body))
    else:
        kept = [i for i, line in enumerate(body) if line.strip(blank)]
        body = [body[i] for i in kept]
        numbers = [first + 1 + i for i in kept]
    if len(body) > limits.max_cases:
        return None
    width, case_col, part_col, ids, index = reader.width, reader.case, reader.part, reader.ids, reader.index
    # the answers of each distinct row, read once: the dict given to the row's first case, copied for the others
    # (no case is seen before all are read); a row's answer cells are the rest of its line where the case and
    # part columns come first, else the tuple of its answer cells
    known: dict[str | tuple[str, ...], dict[str, bool | None]] = {}
    lookup = known.get
    values: Sequence[str]
    memo = dict(_MEMO)
    parts: dict[str, str] = {}
    dialect = Dialect(file, delimiter)
    lead = {case_col, part_col} == {0, 1} and width > 2
    get = reader.get
    cases = reader.new_list()
    append = cases.append
    with _collector_paused():
        for line, number in zip(body, numbers):
            if lead:
                cells = line.split(delimiter, 2)
                if len(cells) != 3:
                    return None
                key = cells[2]
                answers = lookup(key)
                if answers is None:
                    values = key.split(delimiter)
                    if len(values) != width - 2:
                        return None
            else:
                cells = line.split(delimiter)
                if len(cells) != width:
                    return None
                key = values = get(cells)
                answers = lookup(key)
            if answers is None:
                answers = _quick_answers(ids, values, memo)
                if answers is None:
                    return None
                known[key] = answers
            else:
                answers = answers.copy()
            start = _new(RowStart)
            _set_text(start, line)
            _set_line(start, number)
            _set_dialect(start, dialect)
            places = _new(_Places)
            _set_places_start(places, start)
            _set_places_index(places, index)
            part_pos = _new(CellPosition)
            _set_start(part_pos, start)
            _set_i(part_pos, part_col)
            part = cells[part_col].strip()
            append(Case(cells[case_col].strip(), parts.setdefault(part, part), answers, start, places, part_pos,
                        None, {}))
    return cases


def _quick_answers(ids: list[str], values: Sequence[str], memo: dict[str, bool | None]) \
        -> dict[str, bool | None] | None:
    """A row's answers, from its answer cells (each spelling read once, in ``memo``); None when a cell is no
    answer."""
    try:
        return dict(zip(ids, map(memo.__getitem__, values)))
    except KeyError:
        pass
    answers = {}
    for node_id, text in zip(ids, values):
        ok, answer = parse_answer(text)
        if not ok:
            return None
        answers[node_id] = answer
        if len(memo) < 4096 and len(text) < 40:
            memo[text] = answer
    return answers


def read_cases_rows(rows: Iterable[Row], file: str | None, limits: Limits = DEFAULT_LIMITS) -> list[Case]:
    """The cases of :func:`read_cases_csv`, from rows: read one at a time, so memory stops growing at max_cases."""
    body = iter(rows)
    header = next(body, None)
    if header is None:  # only blank rows, such as ",,,"
        raise BandstandError([Diagnostic("csv.empty", "the CSV file has only blank rows; expected a header row",
                                         file, 1, 1)])
    cols = header_columns(header)
    out = Collector(list(cols.problems))
    reader = _Cases(cols, limits)
    cases = reader.new_list()
    unread: set[str] = set()  # columns with a cell that could not be read
    with _collector_paused():
        for row in body:
            if not reader.read(row, cases, out, unread):
                break
    if out.has_errors:
        raise CasesError(out.diagnostics, cases, unread)
    return cases


@contextlib.contextmanager
def _collector_paused():
    """Python's cycle collector paused while many cases are made: they hold no cycles, and its full passes over
    a growing list of them took nearly half the time of reading 50,000 rows.

    Then the objects made are moved to the collector's oldest generation at once (freezing all objects and
    unfreezing them puts them there), rather than each examined as young by the first collection after: no
    object is kept from being collected, and a cycle among them is found by the next full collection. Not
    done when the program has frozen objects of its own (:func:`gc.freeze`, before forking workers, say):
    unfreezing would undo that.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            if not gc.get_freeze_count():
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def placed_row(cells: list[Cell], file: str | None) -> Row:
    """A row whose cells' places are known already (a workbook's sheet: each cell has its row and column)."""
    return Row([c.text for c in cells], PlacedStart(cells[0].line if cells else 1, file, [c.column for c in cells]))


def cases_from_rows(rows: Iterable[list[Cell]], file: str | None, limits: Limits = DEFAULT_LIMITS) -> list[Case]:
    """Cases from rows of cells, the header row first, however they were read (a workbook's sheet:
    :mod:`.read_xlsx`); as :func:`read_cases_csv` reads them, each cell placed where its row says."""
    return read_cases_rows((placed_row(cells, file) for cells in rows), file, limits)


def _whole(header: str) -> str:
    """A header for a message: whole (long headers copied from a framework's wording are told apart by their
    end), on one line."""
    return " ".join(header.split())


def _safe(cell: str) -> str:
    """A cell as text for a message: short, one line."""
    cell = " ".join(cell.split())
    return cell if len(cell) <= 30 else cell[:27] + "..."


# -- several inspections ----------------------------------------------------------------------------


def has_inspection_column(text: str) -> bool:
    """Whether a CSV's header names an inspection column (several inspections in one file)."""
    return names_inspection_column(next(iter(Rows(text_lines(text), None)), None))


def names_inspection_column(header: Row | None) -> bool:
    """Whether a header row names an inspection column."""
    return header is not None and any(c.strip().lower() in _INSPECTION_COLUMNS for c in header.cells)


def read_inspections_csv(text: str, file: str | None, limits: Limits = DEFAULT_LIMITS) -> list[Evidence]:
    """Several inspections from one CSV: an ``inspection`` column names each row's inspection.

    The other columns are as in :func:`read_cases_csv`: ``case``, ``part``,
    then node ids. A column whose cells are not all yes / no / blank holds
    the judgement of a judged node, repeated on the inspection's rows (it
    must be the same on each). Every problem in the file is raised at once.
    """
    rows = list(Rows(text_lines(text.removeprefix("\ufeff")), file))
    if not rows:
        raise BandstandError([Diagnostic("csv.empty", "the CSV file is empty; expected a header row", file, 1, 1)])
    header = rows[0]
    col = next(i for i, c in enumerate(header.cells) if c.strip().lower() in _INSPECTION_COLUMNS)
    names = [c.strip() for c in header.cells]
    groups: dict[str, list[Row]] = {}
    for r in rows[1:]:
        if col < len(r.cells) and r.cells[col].strip():
            groups.setdefault(r.cells[col].strip(), []).append(r)

    def constant(i: int) -> bool:  # the same on every row of each inspection, as a judgement is
        return all(len({normalise(r.cells[i]) for r in g if i < len(r.cells) and r.cells[i].strip()}) <= 1
                   for g in groups.values())

    # a column of text (not yes / no) is a judgement if headed by an id (headers.py), or the same on each
    # inspection's rows; other text (notes, dates) is the cases', told apart against a framework
    judged = {names[i] for i in range(len(names))
              if i != col and names[i].lower() not in _ID_COLUMNS + _PART_COLUMNS
              and any(i < len(r.cells) and r.cells[i].strip() and not parse_answer(r.cells[i])[0] for r in rows[1:])
              and (id_like(names[i]) is not None or constant(i))}
    out = Collector()
    inspections: list[Evidence] = []
    try:
        for ev, problems in iter_inspections(rows, file, limits, judged):
            out.extend(problems)
            inspections.append(ev)
    except BandstandError as e:
        out.extend(e.diagnostics)
    out.raise_if_errors()
    return inspections


def iter_inspections(rows: Iterable[Row], file: str | None, limits: Limits = DEFAULT_LIMITS,
                     judged: Collection[str] = ()) -> Iterator[tuple[Evidence, list[Diagnostic]]]:
    """The inspections of a CSV with an inspection column, one at a time: (evidence, problems).

    ``rows`` starts with the header; columns named in ``judged`` hold
    judgements. Each inspection's rows must be together. An inspection with
    problems (a cell that is no answer, a row of the wrong length, more
    than max_cases cases or max_file_bytes of rows) comes with them, and
    with what could be read. A judgement written differently on some rows
    ('Requires improvement', 'RI') comes with those spellings
    (``Judgement.others``): whether they are one level is told against the
    framework's scale, when the evidence is bound to it.
    A problem after which no row can be trusted (the header, a quote left
    open, an inspection whose rows are not together) is raised
    (:class:`BandstandError`) when it is met, after the inspections before it.
    """
    body = iter(rows)
    header = next(body, None)
    if header is None:
        raise BandstandError([Diagnostic("csv.empty", "the CSV file has only blank rows; expected a header row",
                                         file, 1, 1)])
    cols = header_columns(header, inspections=True, judged=judged)
    col = cols.inspection
    if col is None:
        raise BandstandError([Diagnostic("csv.header", "the header row has no 'inspection' column",
                                         file, header.line, 1)])
    names = cols.names
    cases_cols = Columns(names, cols.places, cols.case, cols.part, None, [], cols.answers)
    reader = _Cases(cases_cols, limits)
    jget = _getter(cols.judgements) if cols.judgements else None
    seen = Seen()  # the inspections met: exact, in memory that does not grow (seen.py)
    pending = list(cols.problems)  # problems not of one inspection: reported with the first
    group: _Group | None = None
    try:
        for row in body:
            cells = row.cells
            name = cells[col].strip() if col < len(cells) else ""
            if not name:
                problem = (Diagnostic.at("csv.row", f"this row has {len(cells)} cells but the header has {len(names)}",
                                         row.start) if len(cells) != len(names) else
                           Diagnostic.at("csv.inspection", f"this row names no inspection in column '{names[col]}'; "
                                         "every row must name the inspection it belongs to", row.place(col)))
                if group is not None:
                    group.out.extend([problem])
                else:
                    pending.append(problem)
                continue
            if group is None or name != group.subject:
                if group is not None:
                    yield group.finish()
                if not seen.add(name):
                    raise BandstandError([Diagnostic.at(
                        "csv.inspection", f"the rows of inspection '{_safe(name)}' appear again here, after those of "
                        "another inspection; the rows of an inspection must be together (sort the file by its "
                        f"'{names[col]}' column)", row.place(col))])
                group = _Group(name, row, cols, reader, limits, jget)
                group.out.extend(pending)
                pending = []
            group.add(row)
        if group is not None:
            yield group.finish()
        elif pending:
            raise BandstandError(pending)
    finally:
        seen.close()


class _Group:
    """The rows of one inspection, read as they come."""

    def __init__(self, subject: str, first: Row, cols: Columns, reader: _Cases, limits: Limits, jget):
        self.subject, self.cols, self.reader, self.limits = subject, cols, reader, limits
        self.ev = Evidence(first.file, subject=subject)
        self.ev.section_pos = {"cases": first.start}
        self.out = Collector()
        self.cases = reader.new_list()
        self.unread: set[str] = set()
        self.judged_rows: list[Row] = []
        self.first_judged: tuple | None = None
        self.size = 0
        self.jget = jget
        self.full = False  # a limit was reached: the rest of its rows are passed over

    def add(self, row: Row) -> None:
        if self.full:
            return
        self.size += len(row.start.text)
        if self.size > self.limits.max_file_bytes:
            self.out.error("limit.file-size", exceeded("max_file_bytes", self.limits.max_file_bytes,
                                                       f"the rows of inspection '{_safe(self.subject)}'"), row.start)
            self.full = True
            self.unread.update(self.reader.ids)
            return
        if self.jget is not None and len(row.cells) == self.reader.width:
            values = self.jget(row.cells)
            if self.first_judged is None:
                self.first_judged = values
                self.judged_rows.append(row)
            elif values != self.first_judged:
                self.judged_rows.append(row)  # compared when the inspection ends
        if not self.reader.read(row, self.cases, self.out, self.unread):
            self.full = True

    def finish(self) -> tuple[Evidence, list[Diagnostic]]:
        ev, names = self.ev, self.cols.names
        if len(self.judged_rows) == 1:  # the same on every row (or one row)
            row = self.judged_rows[0]
            for i in self.cols.judgements:
                text = row.cells[i].strip()
                if text:
                    ev.judgements[names[i]] = Judgement(names[i], text, None, CellPosition(row.start, i))
        else:
            for i in self.cols.judgements:
                values: dict[str, tuple[str, Row]] = {}
                for r in self.judged_rows:
                    text = r.cells[i].strip()
                    if text:
                        values.setdefault(normalise(text), (text, r))
                if values:  # written differently on some rows: to be one level, checked against the framework
                    (text, r), *others = values.values()
                    ev.judgements[names[i]] = Judgement(names[i], text, None, CellPosition(r.start, i),
                                                        tuple((t, CellPosition(o.start, i)) for t, o in others))
        ev.cases = self.cases
        ev.unread |= self.unread
        return ev, self.out.diagnostics


def cases_evidence(name: str, read: Callable[[], list[Case]]) -> Evidence:
    """The evidence of a bare CSV of cases named ``name``: its cases, ``read()``; when some rows cannot be read,
    an EvidenceError holding the evidence of the others, so that they can still be checked."""
    ev = Evidence(name)
    ev.cases_pos = Position(name, 1, 1)
    try:
        ev.cases = read()
    except CasesError as e:
        ev.cases, ev.unread = e.cases, e.unread
        raise EvidenceError(e.diagnostics, ev) from None
    return ev
