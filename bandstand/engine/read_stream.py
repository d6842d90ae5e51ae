"""Evidence read as a stream: standard input (``-``), and a CSV of many inspections read a line at a time.

A CSV file with an ``inspection`` column may hold a million inspections:
it is read one inspection at a time (:func:`~.read_csv.iter_inspections`),
so memory stays that of one inspection, and the file's size is not
bounded. What is bounded instead: each line, and each inspection's rows,
at ``max_file_bytes`` characters; each inspection at ``max_cases`` cases;
each cell at ``csv.field_size_limit()`` characters (131,072). Bytes that
are not UTF-8 are refused at their line and column when they are met.

``-`` reads standard input: YAML, JSON or CSV, told apart by the first
line that is not blank (:func:`sniff_format`) unless ``input_format``
names the format. YAML, JSON and a CSV of one inspection's cases are read
whole (at most ``max_file_bytes``); a CSV of inspections streams.
"""

from __future__ import annotations

import io
import os
import re
import sys
from dataclasses import dataclass
from functools import partial
from itertools import chain
from pathlib import Path
from typing import Callable, Collection, Iterator, cast

from ..dsl import loader
from ..errors import Diagnostic, InputError
from ..files import open_regular, path_error
from ..limits import DEFAULT_LIMITS, Limits, exceeded
from .evidence_model import Evidence
from .read_csv import Rows, cases_evidence, iter_inspections, names_inspection_column, read_cases_rows
from .read_yaml import from_document

#: the evidence argument that names standard input, and how messages name it
STDIN, STDIN_NAME = "-", "<stdin>"
FORMATS = ("yaml", "json", "csv")

_SURROGATE = re.compile("[\udc80-\udcff]")  # a byte that is not UTF-8, as surrogateescape keeps it
_SEP = re.compile(r"^sep=.\s*$", re.IGNORECASE)


def sniff_format(first: str) -> str:
    """``"csv"`` or ``"yaml"`` (JSON is read as YAML) from the start of a text.

    The first line that is not blank decides: Excel's ``sep=;``, or a comma,
    semicolon or tab before any ``key:``, is CSV; anything else (``key:
    value``, ``{``, ``[``, ``---``, ``- item``) is YAML.

    >>> sniff_format("inspection,case,part,2.1.1\\n"), sniff_format("subject: X\\nkey_questions: {a: 1, b: 2}\\n")
    ('csv', 'yaml')
    >>> sniff_format('{"subject": "X", "cases": []}'), sniff_format("sep=;\\ncase;part\\n")
    ('yaml', 'csv')
    """
    for line in first.lstrip("\ufeff").splitlines():
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        if _SEP.match(s):
            return "csv"
        if s.startswith(("{", "[", "---", "%", "- ")):
            return "yaml"
        colon = re.search(r":(\s|$)", s)
        delimiter = re.search(r"[,;\t]", s)
        if delimiter and (colon is None or delimiter.start() < colon.start()):
            return "csv"
        return "yaml"
    return "yaml"


class Lines:
    """The lines of a binary stream as text, each with its ending, checked as they are read.

    Each line is at most ``max_file_bytes`` characters; with :attr:`budget`
    set, all of them together too. A byte that is not UTF-8 is an
    ``input.encoding`` error at its line and column.
    """

    def __init__(self, binary, name: str, limits: Limits, prefix: bytes = b""):
        self.binary, self.name, self.limit = binary, name, limits.max_file_bytes
        self.prefix = prefix
        self.budget: int | None = None
        self.size = 0
        self.line = 0

    def __iter__(self) -> Iterator[str]:
        name, limit = self.name, self.limit
        text = io.TextIOWrapper(self.binary, encoding="utf-8", errors="surrogateescape", newline="")
        readline = text.readline
        head = io.StringIO(self.prefix.decode("utf-8", "surrogateescape"), newline="")
        for line in chain(head, self._read_lines(readline, limit + 1)):
            self.line += 1
            if len(line) > limit:
                raise InputError(exceeded("max_file_bytes", limit, f"line {self.line}'s length"), name,
                                 "limit.file-size", self.line, 1)
            if not line.isascii():
                bad = _SURROGATE.search(line)
                if bad is not None:
                    raise InputError(f"the file is not valid UTF-8 (byte 0x{ord(bad.group()) - 0xDC00:02x}); "
                                     "save it as UTF-8", name, "input.encoding", self.line, bad.start() + 1)
            if self.budget is not None:
                self.size += len(line)
                if self.size > self.budget:
                    raise InputError(exceeded("max_file_bytes", self.budget, "the input's size"), name,
                                     "limit.file-size")
            yield line

    def _read_lines(self, readline, size: int) -> Iterator[str]:
        """The stream's lines, each of at most ``size`` characters (a longer one is cut there)."""
        try:
            yield from iter(partial(readline, size), "")
        except OSError as e:
            raise path_error(e, self.name) from None


@dataclass
class Opened:
    """Evidence opened for reading: one inspection (``evidence``), or a CSV of inspections that streams
    (``inspections(judged)``: (evidence, problems) one at a time; ``judged`` the ids of judged nodes)."""

    name: str
    evidence: Evidence | None = None
    inspections: Callable[[Collection[str]], Iterator[tuple[Evidence, list[Diagnostic]]]] | None = None
    close: Callable[[], None] = lambda: None


def _first_lines(binary, limit: int) -> bytes:
    """The start of a stream up to its first line that is not blank (at most ``limit`` + 1 bytes)."""
    head = b""
    while len(head) <= limit:
        line = binary.readline(limit + 1 - len(head))
        head += line
        if not line or line.strip(b"\xef\xbb\xbf \t\r\n"):
            break
    return head


def _csv(binary, name: str, limits: Limits, prefix: bytes, close) -> Opened | None:
    """A CSV of inspections, streaming; None when its header names no inspection column."""
    lines = Lines(binary, name, limits, prefix)
    rows = iter(Rows(lines, name))
    header = next(rows, None)
    if not names_inspection_column(header):
        if name != STDIN_NAME:
            return None
        lines.budget = limits.max_file_bytes  # one inspection's cases, read whole: bounded as a file is
        lines.size = len(prefix)
        return _cases(chain([header] if header else [], rows), name, limits)
    assert header is not None  # names_inspection_column is false for no header
    return Opened(name, inspections=lambda judged: iter_inspections(chain([header], rows), name, limits, judged),
                  close=close)


def _cases(rows, name: str, limits: Limits) -> Opened:
    return Opened(name, evidence=cases_evidence(name, lambda: read_cases_rows(rows, name, limits)))


def open_csv(path: str | Path, limits: Limits, display: str | None = None) -> Opened | None:
    """A CSV file of inspections, opened to stream; None when its header names no inspection column
    (then it is one inspection's cases, read whole by :func:`~.evidence.load_evidence`)."""
    name = display or str(path)
    fd, _ = open_regular(path, name)
    binary = os.fdopen(fd, "rb")
    try:
        prefix = _first_lines(binary, limits.max_file_bytes)
        loader.refuse_binary(prefix, Path(path).suffix, name)
        opened = _csv(binary, name, limits, prefix, binary.close)
    except BaseException:
        binary.close()
        raise
    if opened is None:
        binary.close()
    return opened


def open_stdin(limits: Limits, input_format: str | None = None) -> Opened:
    """Standard input as evidence: YAML, JSON or CSV (sniffed unless ``input_format`` says)."""
    name = STDIN_NAME
    stream = sys.stdin
    binary = getattr(stream, "buffer", None) if stream is not None else None
    if binary is None:
        raise InputError("standard input is not open; give evidence on it, or name a file instead of '-'",
                         STDIN, "input.missing")
    prefix = _first_lines(binary, limits.max_file_bytes)
    if not prefix.strip(b"\xef\xbb\xbf \t\r\n"):
        raise InputError("standard input is empty; expected evidence (YAML, JSON or CSV)", name, "input.empty")
    loader.refuse_binary(prefix, "", name)
    fmt = input_format or sniff_format(prefix.decode("utf-8", "replace"))
    if fmt == "csv":
        opened = _csv(binary, name, limits, prefix, lambda: None)
        assert opened is not None  # _csv reads standard input's cases whole when it has no inspection column
        return opened
    rest = binary.read(limits.max_file_bytes + 1 - len(prefix)) if len(prefix) <= limits.max_file_bytes else b""
    data = prefix + rest
    if len(data) > limits.max_file_bytes:
        raise InputError(exceeded("max_file_bytes", limits.max_file_bytes, "the input's size"), name,
                         "limit.file-size")
    text = loader.decode(data, name)
    return Opened(name, evidence=from_document(loader.load_text(text, name, limits), Path("."), limits))


def stream_inspections(path: str | Path, framework, limits: Limits = DEFAULT_LIMITS,
                       display: str | None = None) -> Iterator[tuple[Evidence, list[Diagnostic]]]:
    """The inspections of a CSV file with an ``inspection`` column, read one at a time: (evidence, problems).

    The columns named by ``framework``'s judged nodes hold judgements. An
    inspection with problems comes with them (and is not to be evaluated);
    a problem after which nothing can be read on is raised when it is met.
    The file is closed when the iteration ends.
    """
    name = display or str(path)
    opened = open_csv(path, limits, name)
    if opened is None:
        raise InputError(f"{name} has no 'inspection' column; it is one inspection's cases: read it with "
                         "load_evidence", name, "input.kind")
    # (open_csv opens a file's inspections to stream: only a CSV named '<stdin>' is read whole, as cases)
    inspections = cast(Callable[[Collection[str]], Iterator[tuple[Evidence, list[Diagnostic]]]], opened.inspections)
    try:
        yield from inspections({n.id for n in framework.walk() if n.is_judged})
    finally:
        opened.close()
