"""YAML (and JSON) text to positioned data.

``yaml.safe_load`` is not used: it keeps the last of duplicate keys, reads
``2.10`` as the float 2.1 and ``no`` as False, and gives no positions. This
module reads the parser's *events* (libyaml's, when available: fast, and
iterative so deep nesting cannot crash it) and builds the data itself with an
explicit stack, so that:

* every value and key has a line and column;
* duplicate keys are errors, located at the second one;
* plain scalars resolve by the YAML 1.2 core schema (``yes``, ``no``, ``on``
  and dates stay strings), and the text of any plain scalar that became a
  number or boolean is kept, so a field that wants a string (an id such as
  ``2.10``) gets exactly what was written;
* size, nesting depth and alias expansion are bounded before anything walks
  the data.

JSON is read by the same code (JSON is YAML 1.2 flow style), so JSON evidence
gets the same positions and duplicate-key checks.

>>> doc = load_text("id: 2.10\\nanswers: {a: no}\\n", "f.yaml")
>>> doc.data
{'id': 2.1, 'answers': {'a': 'no'}}
>>> doc.text_of(("id",))
'2.10'
>>> str(doc.pos(("answers", "a")))
'f.yaml:2:14'
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import BandstandError, Diagnostic, InputError, Position
from ..limits import DEFAULT_LIMITS, Limits, exceeded

try:  # libyaml's parser: fast, and iterative
    from yaml.cyaml import CParser as _Parser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _Parser = None

PathT = tuple


@dataclass(frozen=True, slots=True)
class ScalarSpan:
    """Where a scalar's source text lies, to place errors inside it."""

    start: int  # character index of the scalar's first source character
    end: int
    line: int  # 1-based
    column: int  # 1-based
    style: str  # '' plain, "'" or '"' quoted, '|' literal, '>' folded


@dataclass
class Document:
    file: str | None
    text: str
    data: Any
    positions: dict = field(default_factory=dict)
    key_positions: dict = field(default_factory=dict)
    scalars: dict = field(default_factory=dict)
    plain_text: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)  # schema problems that leave it readable (unknown fields)

    def pos(self, path: PathT) -> Position:
        """The position of the value at ``path`` (or of its nearest ancestor)."""
        path = tuple(path)
        while path:
            p = self.positions.get(path)
            if p is not None:
                return p
            path = path[:-1]
        return self.positions.get((), Position(self.file, 1, 1))

    def key_pos(self, path: PathT) -> Position:
        """The position of the key naming ``path`` (or of the value, failing that)."""
        p = self.key_positions.get(tuple(path))
        return p if p is not None else self.pos(path)

    def text_of(self, path: PathT) -> str | None:
        """The source text of a plain scalar that was read as a number or boolean."""
        return self.plain_text.get(tuple(path))

    def pos_in_scalar(self, path: PathT, offset: int) -> Position:
        """The position of character ``offset`` of the string value at ``path``.

        The value's characters are matched in order against its source text,
        so quotes, indentation and folded line breaks are stepped over.
        """
        span = self.scalars.get(tuple(path))
        value = _get(self.data, path)
        if span is None or not isinstance(value, str):
            return self.pos(path)
        raw = self.text[span.start:span.end]
        index = _source_index(raw, value, span.style, offset)
        return _index_to_position(self.text, span.start + index, self.file)


_ESCAPE_LENGTH = {"x": 4, "u": 6, "U": 10}


def _source_index(raw: str, value: str, style: str, offset: int) -> int:
    """The index in a scalar's source text of character ``offset`` of its value.

    Value characters are matched in order against the source: quotes and
    indentation are stepped over, an escape (``\\t``, ``\\u00e9``) or a doubled
    quote (``''``) is one character, and folded line breaks match spaces.
    """
    i = 0
    if style in ("'", '"'):
        i = 1
    elif style in ("|", ">"):
        nl = raw.find("\n")
        i = nl + 1 if nl >= 0 else len(raw)
    for k, ch in enumerate(value):
        if k >= offset:
            break
        # find where this value character comes from
        while i < len(raw):
            r = raw[i]
            if style == '"' and r == "\\" and i + 1 < len(raw):
                if raw[i + 1] == "\n":  # an escaped line break: produces nothing
                    i += 2
                    while i < len(raw) and raw[i] in " \t":
                        i += 1
                    continue
                i += _ESCAPE_LENGTH.get(raw[i + 1], 2)
                break
            if style == "'" and r == "'" and raw[i + 1:i + 2] == "'":
                i += 2
                break
            if r == ch or (ch.isspace() and r.isspace()):
                i += 1
                break
            i += 1
        else:
            break
    # at the target character: skip the indentation or line break the value does not contain
    target = value[offset] if offset < len(value) else None
    while i < len(raw) and raw[i] in " \t\n" and (target is None or not target.isspace()):
        i += 1
    return min(i, len(raw))


def _get(data, path):
    for key in path:
        try:
            data = data[key]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _index_to_position(text: str, index: int, file: str | None) -> Position:
    line = text.count("\n", 0, index) + 1
    start = text.rfind("\n", 0, index) + 1
    return Position(file, line, index - start + 1)


# YAML 1.2 core schema resolution for plain scalars.
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT10 = re.compile(r"^[-+]?[0-9]+$")
_INT8 = re.compile(r"^0o[0-7]+$")
_INT16 = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_INF = re.compile(r"^[-+]?\.(?:inf|Inf|INF)$")
_NAN = re.compile(r"^\.(?:nan|NaN|NAN)$")

_STANDARD_TAGS = {
    "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null", "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq", "!",
}


def resolve_plain(text: str) -> Any:
    """Resolve a plain scalar as the YAML 1.2 core schema does.

    >>> [resolve_plain(t) for t in ("no", "yes", "on", "1.10", "0800", "2021-09-01", "~")]
    ['no', 'yes', 'on', 1.1, 800, '2021-09-01', None]
    """
    if _NULL.match(text):
        return None
    if text in _BOOL:
        return _BOOL[text]
    if _INT10.match(text):
        return int(text)
    if _INT8.match(text):
        return int(text[2:], 8)
    if _INT16.match(text):
        return int(text[2:], 16)
    if _FLOAT.match(text):
        return float(text)
    if _INF.match(text):
        return -math.inf if text.startswith("-") else math.inf
    if _NAN.match(text):
        return math.nan
    return text


class _Frame:
    __slots__ = ("container", "path", "key", "key_pos", "size", "anchor", "first_keys")

    def __init__(self, container, path, anchor):
        self.container = container
        self.path = path
        self.key = _NO_KEY
        self.key_pos = None
        self.size = 1
        self.anchor = anchor
        self.first_keys: dict | None = {} if isinstance(container, dict) else None


_NO_KEY = object()


def _friendly(problem: str | None) -> str:
    problem = problem or "invalid YAML"
    if "cannot start any token" in problem:
        return problem + " (is it a tab? YAML indentation must use spaces)"
    if problem.startswith(("did not find expected key", "did not find expected '-' indicator")):
        return problem + " (is this line indented like the lines around it?)"
    if problem.startswith("mapping values are not allowed"):
        return problem + " (a value holding ': ' must be quoted; or is this line indented too far?)"
    return problem


def load_text(text: str, file: str | None = None, limits: Limits = DEFAULT_LIMITS) -> Document:
    """Parse YAML or JSON text into a :class:`Document`.

    Raises :class:`BandstandError` with located diagnostics.
    """
    diags: list[Diagnostic] = []

    def fail(code: str, message: str, line: int | None = None, column: int | None = None):
        diags.append(Diagnostic(code, message, file, line, column))
        raise BandstandError(diags)

    if "\x00" in text:
        i = text.index("\x00")
        p = _index_to_position(text, i, file)
        fail("yaml.nul", "the file contains a NUL byte; is it a binary file or saved as UTF-16?",
             p.line, p.column)
    if text.startswith("\ufeff"):
        text = text[1:]  # a UTF-8 byte-order mark is harmless; libyaml would also accept it
    if not text.strip():
        fail("yaml.empty", "the file is empty; expected a mapping", 1, 1)

    doc = Document(file, text, None)
    positions, key_positions, scalars, plain_text = doc.positions, doc.key_positions, doc.scalars, doc.plain_text
    anchors: dict[str, tuple[Any, int]] = {}
    stack: list[_Frame] = []
    total = 0
    aliases = 0
    documents = 0
    root: Any = None
    have_root = False

    def mark_pos(mark) -> Position:
        return Position(file, mark.line + 1, mark.column + 1)

    def attach(value, ev, size: int, is_scalar_key_ok: bool = True):
        """Put a finished value into the container on top of the stack."""
        nonlocal root, have_root
        if not stack:
            root, have_root = value, True
            return ()
        top = stack[-1]
        if isinstance(top.container, list):
            path = top.path + (len(top.container),)
            top.container.append(value)
        else:
            if top.key is _NO_KEY:
                # this value is a key
                if not isinstance(ev, yaml.ScalarEvent):
                    fail("yaml.complex-key", "a key must be a plain text, not a list or mapping",
                         ev.start_mark.line + 1, ev.start_mark.column + 1)
                key = ev.value
                kp = mark_pos(ev.start_mark)
                if key == "<<" and ev.style in ("", None):
                    fail("yaml.merge-key", "merge keys ('<<') are not supported; write the fields out",
                         kp.line, kp.column)
                first_keys = top.first_keys
                assert first_keys is not None  # a key is read only inside a mapping, whose frame has them
                first = first_keys.get(key)
                if first is not None:
                    fail("yaml.duplicate-key",
                         f"duplicate key '{key}' (first defined at line {first.line}); "
                         "each key may appear only once in a mapping", kp.line, kp.column)
                first_keys[key] = kp
                top.key = key
                top.key_pos = kp
                return None
            path = top.path + (top.key,)
            key_positions[path] = top.key_pos
            top.container[top.key] = value
            top.key = _NO_KEY
        top.size += size
        return path

    events = _events(text, file, fail)
    for ev in events:
        if isinstance(ev, yaml.ScalarEvent):
            total += 1
            if stack and isinstance(stack[-1].container, dict) and stack[-1].key is _NO_KEY:
                attach(ev.value, ev, 1)
                continue
            value = _scalar_value(ev, file, fail)
            path = attach(value, ev, 1)
            if path is not None:
                positions[path] = mark_pos(ev.start_mark)
                scalars[path] = ScalarSpan(ev.start_mark.index, ev.end_mark.index,
                                           ev.start_mark.line + 1, ev.start_mark.column + 1,
                                           ev.style or "")
                if not isinstance(value, str) and ev.style in ("", None):
                    plain_text[path] = ev.value
            if ev.anchor:
                anchors[ev.anchor] = (value, 1)
        elif isinstance(ev, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            total += 1
            if ev.tag is not None and ev.tag not in _STANDARD_TAGS:
                fail("yaml.tag", f"unsupported tag '{ev.tag}'; bandstand reads plain YAML data only",
                     ev.start_mark.line + 1, ev.start_mark.column + 1)
            if len(stack) >= limits.max_depth:
                fail("limit.depth", exceeded("max_depth", limits.max_depth, "nesting depth"),
                     ev.start_mark.line + 1, ev.start_mark.column + 1)
            container: Any = {} if isinstance(ev, yaml.MappingStartEvent) else []
            path = attach(container, ev, 0)
            positions[path] = mark_pos(ev.start_mark)
            stack.append(_Frame(container, path, ev.anchor))
        elif isinstance(ev, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            frame = stack.pop()
            if stack:
                stack[-1].size += frame.size
            if frame.anchor:
                anchors[frame.anchor] = (frame.container, frame.size)
        elif isinstance(ev, yaml.AliasEvent):
            aliases += 1
            line, col = ev.start_mark.line + 1, ev.start_mark.column + 1
            if aliases > limits.max_aliases:
                fail("limit.aliases", exceeded("max_aliases", limits.max_aliases, "the number of aliases"),
                     line, col)
            if ev.anchor not in anchors:
                fail("yaml.alias", f"unknown alias '*{ev.anchor}'", line, col)
            value, size = anchors[ev.anchor]
            total += size
            if total > limits.max_yaml_nodes:
                fail("limit.yaml-nodes",
                     exceeded("max_yaml_nodes", limits.max_yaml_nodes,
                              f"expanding alias '*{ev.anchor}' makes the document larger than allowed; it")
                     , line, col)
            if stack and isinstance(stack[-1].container, dict) and stack[-1].key is _NO_KEY:
                fail("yaml.complex-key", "an alias cannot be used as a key", line, col)
            path = attach(value, ev, size)
            if path is not None:
                positions[path] = Position(file, line, col)
        elif isinstance(ev, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                fail("yaml.documents", "the file holds more than one YAML document; expected one",
                     ev.start_mark.line + 1, ev.start_mark.column + 1)
        if total > limits.max_yaml_nodes:
            fail("limit.yaml-nodes", exceeded("max_yaml_nodes", limits.max_yaml_nodes, "the number of YAML nodes"),
                 ev.start_mark.line + 1, ev.start_mark.column + 1)

    if not have_root or root is None:
        fail("yaml.empty", "the file holds no data; expected a mapping", 1, 1)
    positions.setdefault((), Position(file, 1, 1))
    doc.data = root
    return doc


def _scalar_value(ev, file, fail):
    tag = ev.tag
    if tag == "!":  # the non-specific tag: text, whatever it looks like
        return ev.value
    if ev.style in ("", None):
        value: Any = resolve_plain(ev.value)
    else:
        value = ev.value  # quoted and block scalars are strings
    if tag is not None and ev.implicit[0] is False:
        line, col = ev.start_mark.line + 1, ev.start_mark.column + 1
        if tag not in _STANDARD_TAGS:
            fail("yaml.tag", f"unsupported tag '{tag}'; bandstand reads plain YAML data only", line, col)
        if tag in ("tag:yaml.org,2002:str", "!"):
            value = ev.value
        elif tag == "tag:yaml.org,2002:int":
            value = resolve_plain(ev.value)
            if not isinstance(value, int) or isinstance(value, bool):
                fail("yaml.tag", f"'{ev.value}' is not an integer", line, col)
        elif tag == "tag:yaml.org,2002:float":
            value = resolve_plain(ev.value)
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                fail("yaml.tag", f"'{ev.value}' is not a number", line, col)
            value = float(value)
    return value


# A JSON surrogate pair (json.dumps writes "\ud83d\ude00" for an emoji), preceded by an
# even number of backslashes; libyaml refuses surrogate escapes, so they are decoded first.
_SURROGATE_PAIR = re.compile(r"(?<!\\)((?:\\\\)*)\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})", re.I)


def _join_surrogates(text: str) -> str:
    if "\\u" not in text:
        return text

    def join(m: re.Match) -> str:
        hi, lo = int(m.group(2), 16), int(m.group(3), 16)
        return m.group(1) + chr(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
    return _SURROGATE_PAIR.sub(join, text)


def _libyaml_depth_error(e: yaml.MarkedYAMLError) -> bool:
    """libyaml 0.2.6 (bundled from PyYAML 6.0.4) refuses nesting deeper than 1000 in its scanner,
    often before the first deep event reaches us; older libyaml and the pure-Python parser do not."""
    return "maximum nesting depth" in (e.problem or "")


def _events(text: str, file: str | None, fail):
    """The parse events of ``text``, whichever libyaml (or none) is installed.

    When libyaml stops at its own nesting limit, the same text is parsed again by PyYAML's
    pure-Python parser (iterative too), skipping the events already given, so that the caller's
    depth limit, not the C library's version, decides what is too deep.
    """
    parser = None
    given = 0
    try:
        source = _join_surrogates(text)
        if _Parser is not None:
            parser = _Parser(source)
        else:  # pragma: no cover
            parser = yaml.SafeLoader(source)
        try:
            while True:
                ev = parser.get_event()
                if ev is None or isinstance(ev, yaml.StreamEndEvent):
                    return
                given += 1
                yield ev
        except yaml.MarkedYAMLError as e:
            if _Parser is None or not _libyaml_depth_error(e):
                raise
        dispose = getattr(parser, "dispose", None)
        if dispose:
            dispose()
        parser = yaml.SafeLoader(source)
        skipped = 0
        while True:
            ev = parser.get_event()
            if ev is None or isinstance(ev, yaml.StreamEndEvent):
                return
            skipped += 1
            if skipped > given:
                yield ev
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        message = e.problem or "invalid YAML"
        if e.context:
            ctx = e.context
            if e.context_mark is not None and e.problem_mark is not None and (
                    e.context_mark.line != e.problem_mark.line):
                ctx += f" started at line {e.context_mark.line + 1}"
            message = f"{message} ({ctx})"
        message = _friendly(message)  # the hint last
        fail("yaml.syntax", message, mark.line + 1 if mark else None, mark.column + 1 if mark else None)
    except yaml.reader.ReaderError as e:  # control characters and the like
        p = _index_to_position(text, e.position, file)
        what = f"character U+{e.character:04X}" if isinstance(e.character, int) else "character"
        fail("yaml.syntax", f"the {what} is not allowed in YAML (a control character?); remove it",
             p.line, p.column)
    except UnicodeEncodeError as e:  # a lone surrogate in text given to load_text (no file decodes to one)
        p = _index_to_position(text, e.start, file)
        fail("input.encoding", f"the text holds the lone surrogate U+{ord(text[e.start]):04X}, which is not "
             "Unicode text; was it decoded with errors='surrogateescape'?", p.line, p.column)
    except yaml.YAMLError as e:  # pragma: no cover - every other error is marked
        fail("yaml.syntax", " ".join(str(e).split("\n")[0:1]))
    finally:
        dispose = getattr(parser, "dispose", None)
        if parser is not None and dispose:
            dispose()


def read_text(path: str | Path, limits: Limits = DEFAULT_LIMITS, display: str | None = None) -> str:
    """Read a file as UTF-8 text, refusing what cannot be text.

    Raises :class:`InputError` for a missing file, a directory, a FIFO or
    device, a path the OS refuses (see :mod:`bandstand.files`), a file over
    the size limit, or bytes that are not UTF-8.
    """
    from ..files import read_regular

    p = Path(path)
    name = display or str(path)
    data, size = read_regular(p, name, limits.max_file_bytes)  # a FIFO, device, loop, unreadable path: one line
    if size > limits.max_file_bytes:
        raise InputError(exceeded("max_file_bytes", limits.max_file_bytes, f"the file's size ({size} bytes)"),
                         name, "limit.file-size")
    if len(data) > limits.max_file_bytes:
        raise InputError(exceeded("max_file_bytes", limits.max_file_bytes, "the file's size"),
                         name, "limit.file-size")
    refuse_binary(data, p.suffix, name)
    return decode(data, name)


def refuse_binary(head: bytes, suffix: str, name: str | None) -> None:
    """Refuse, from a file's first bytes and its extension, a spreadsheet workbook or UTF-16 text."""
    if suffix.lower() in _WORKBOOKS or head.startswith(_WORKBOOK_MAGIC):
        raise InputError(f"{name} is a spreadsheet workbook, not text; export the sheet as CSV (UTF-8) and give "
                         "that file", name, "input.workbook")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError("the file is UTF-16; save it as UTF-8", name, "input.encoding", 1, 1)


#: spreadsheet workbooks, which users give where a CSV export is wanted
_WORKBOOKS = (".xlsx", ".xlsm", ".xls", ".ods", ".numbers")
_WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")  # zip (xlsx, ods); OLE2 (xls)


def decode(data: bytes, name: str | None) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError("the file is UTF-16; save it as UTF-8", name, "input.encoding", 1, 1)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        text = data[: e.start].decode("utf-8", "replace")
        p = _index_to_position(text, len(text), name)
        raise InputError(f"the file is not valid UTF-8 (byte 0x{data[e.start]:02x}); save it as UTF-8",
                         name, "input.encoding", p.line, p.column) from None


def load_file(path: str | Path, limits: Limits = DEFAULT_LIMITS, display: str | None = None) -> Document:
    """Read and parse a YAML or JSON file."""
    name = display or str(path)
    return load_text(read_text(path, limits, name), name, limits)
