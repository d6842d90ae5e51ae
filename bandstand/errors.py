"""One diagnostic type for the whole project.

Every problem bandstand reports, from a YAML syntax error to an evidence
file that answers a question outside its part, is a :class:`Diagnostic`:
a stable code, a message, and where it is. Codes are grouped by the stage
that finds them: ``yaml.*``, ``schema.*``, ``syntax.*``, ``check.*``,
``evidence.*``, ``eval.*``, ``input.*``.

Diagnostics are structured first and formatted second, by :func:`format`:

>>> print(Diagnostic("check.unknown-node", "unknown node '9.9'", "f.yaml", 3, 14))
f.yaml:3:14: error: unknown node '9.9' [check.unknown-node]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Position:
    """A place in a file; line and column count from 1.

    In a workbook, ``sheet`` names the sheet, and line and column are the
    cell's row and column, shown as a spreadsheet shows them:

    >>> str(Position("audit.xlsx", 7, 3, "Cases")), str(Position("a.xlsx", 2, 28, "My cases"))
    ('audit.xlsx:Cases!C7', "a.xlsx:'My cases'!AB2")
    """

    file: str | None
    line: int | None = None
    column: int | None = None
    sheet: str | None = None

    def __str__(self) -> str:
        if self.sheet is not None:
            return f"{self.file or '<input>'}:{cell_ref(self.sheet, self.line, self.column)}"
        parts = [self.file or "<input>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)


def cell_ref(sheet: str, row: int | None, column: int | None) -> str:
    """A workbook cell as spreadsheets name it: ``Cases!C7``, ``'My cases'!C7`` (a row alone: ``Cases!7``)."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", sheet):
        sheet = "'" + sheet.replace("'", "''") + "'"
    letters, n = "", column or 0
    while n > 0:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return f"{sheet}!{letters}{row if row is not None else ''}"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    severity: str = ERROR
    sheet: str | None = None  # a workbook's sheet: line and column are then its row and column

    @classmethod
    def at(cls, code: str, message: str, pos: Position | None, severity: str = ERROR) -> "Diagnostic":
        if pos is None:
            return cls(code, message, severity=severity)
        return cls(code, message, pos.file, pos.line, pos.column, severity, pos.sheet)

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    @property
    def position(self) -> Position:
        return Position(self.file, self.line, self.column, self.sheet)

    def __str__(self) -> str:
        return format(self)

    def to_json(self) -> dict:
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            **({"sheet": self.sheet} if self.sheet is not None else {}),
        }


#: the longest message printed whole; longer ones (a quoted megabyte expression) lose their middle
MAX_MESSAGE = 400

# control characters (a crafted file's ESC sequences would drive the terminal) and bidi overrides
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    r"""``text`` with control and bidi-override characters shown as escapes, for a terminal.

    >>> print(printable("a\x1b[2Jb"))
    a\x1b[2Jb
    """
    return _UNSAFE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                       else f"\\u{ord(m.group()):04x}", text)


def format(d: Diagnostic) -> str:  # noqa: A001 - the one formatter, named for what it does
    """``path:line:col: severity: message [code]``, all on one line."""
    message = " ".join(d.message.split())  # one line, whatever the message held
    if len(message) > MAX_MESSAGE:
        message = message[:MAX_MESSAGE - 150] + " ... " + message[-140:]
    where = str(d.position) if d.file is not None else "bandstand"
    return printable(f"{where}: {d.severity}: {message} [{d.code}]")


#: codes saying that something is missing: often the consequence of a mistake written elsewhere (a
#: misspelt column, a list of cases left empty), so they come after every other problem
CONSEQUENCES = frozenset({"evidence.missing", "evidence.missing-judgement", "evidence.coverage"})


def sort_key(d: Diagnostic):
    """The order problems are shown in: mistakes before what is missing, then by file and position."""
    return (d.code in CONSEQUENCES, d.file or "", d.sheet or "", d.line or 0, d.column or 0, d.code, d.message)


#: the most problems shown at once; the rest are counted (``... and N more``)
MAX_SHOWN = 20


def shown(diagnostics: Iterable[Diagnostic], most: int = MAX_SHOWN) -> list[str]:
    """The diagnostics formatted one a line, at most ``most`` of them and a last line counting the rest.

    >>> lines = shown([Diagnostic("check.x", f"problem {i}", "f.yaml", i, 1) for i in range(1, 24)])
    >>> len(lines), lines[-1]
    (21, '... and 3 more problems')
    """
    diagnostics = list(diagnostics)
    lines = [format(d) for d in diagnostics[:most]]
    if len(diagnostics) > most:
        rest = len(diagnostics) - most
        lines.append(f"... and {rest} more problem{'s' if rest != 1 else ''}")
    return lines


class BandstandError(Exception):
    """Raised with every problem found, never just the first.

    ``str(error)`` is the diagnostics formatted one per line.
    """

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics: list[Diagnostic] = sorted(diagnostics, key=sort_key)
        super().__init__("\n".join(format(d) for d in self.diagnostics))

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]


class InputError(BandstandError):
    """The input cannot be used at all (missing file, unknown framework id, ...)."""

    def __init__(self, message: str, file: str | None = None, code: str = "input.unusable",
                 line: int | None = None, column: int | None = None):
        super().__init__([Diagnostic(code, message, file, line, column)])


@dataclass
class Collector:
    """Gathers diagnostics from a stage; raises them all at once."""

    diagnostics: list[Diagnostic] = field(default_factory=list)

    def error(self, code: str, message: str, pos: Position | None = None) -> None:
        self.diagnostics.append(Diagnostic.at(code, message, pos))

    def warning(self, code: str, message: str, pos: Position | None = None) -> None:
        self.diagnostics.append(Diagnostic.at(code, message, pos, WARNING))

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics.extend(diagnostics)

    @property
    def has_errors(self) -> bool:
        return any(d.is_error for d in self.diagnostics)

    def raise_if_errors(self) -> None:
        if self.has_errors:
            raise BandstandError(self.diagnostics)
