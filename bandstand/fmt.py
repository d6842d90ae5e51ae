"""``bandstand fmt``: one canonical layout for framework, evidence and crosswalk files.

The layout, whatever the file looked like before:

* keys in the order the JSON Schema of the file's kind lists them
  (``bandstand/dsl/schemas/``); maps keyed by node id (``judgements``,
  ``answers``, ``expect: nodes`` ...) keep the author's order;
* ids (mapping keys, and the values of ``id``, ``version`` and every
  node-id field) in double quotes when they start with a digit (``"2.1"``,
  ``"2.1.1"``, ``"2018"``: a YAML 1.1 reader takes some of these for
  numbers) or a YAML 1.1 reader would take them for something else
  (``"yes"``, ``"null"``), plain otherwise;
* two spaces of indentation, sequence items indented under their key;
* band rows in flow style, one row a line: ``- {level: good, min: 65, max: 79}``
  (a row holding a comment stays in block style, so that the comment is kept).

Everything else is kept as written: comments (a comment above a key moves
with the key), blank lines, anchors and aliases, the style of each scalar
(folded, quoted, plain) and of other flow collections. Lines are never
wrapped; plain text written over several lines is joined into one (YAML
reads it as one line anyway): long text belongs in a folded block (``>-``),
whose line breaks are kept. The text is
round-tripped by ruamel.yaml, a YAML library made for editing YAML while
keeping its comments; this module only decides the layout.

Formatting changes no meaning: the command line refuses a file that does not
load (see :func:`bandstand.cli.fmt_cmd`), and the tests load every bundled
and corpus file before and after and compare the models.
"""

from __future__ import annotations

import difflib
import io
import os
import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache

import yaml as pyyaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import YAMLError
from ruamel.yaml.error import CommentMark
from ruamel.yaml.scalarstring import (DoubleQuotedScalarString, FoldedScalarString, LiteralScalarString,
                                      PlainScalarString)
from ruamel.yaml.tokens import CommentToken

from .dsl import loader, schema as schema_
from .dsl.loader import resolve_plain
from .errors import BandstandError, InputError, printable, shown as shown_diagnostics
from .files import shown
from .limits import DEFAULT_LIMITS, Limits

KINDS = ("framework", "evidence", "crosswalk")
_ID_FIELDS = {"id", "version"}  # and every value whose schema is a node id or a slug
_ID_REFS = {"#/$defs/node_id", "#/$defs/slug"}
_ID_LISTS = {"partial", "limits_applied", "from"}  # lists of node ids (evidence, examples, crosswalk answers)
_BAND_TABLE = "#/$defs/band_table"
WIDTH = 1 << 16  # lines are never wrapped (ruamel would leave a space at the break); see the module docstring


def kind_of(data) -> str | None:
    """The kind of a loaded YAML document: ``framework``, ``evidence``, ``crosswalk``, or None (other YAML).

    >>> kind_of({"bandstand": 1, "id": "x"}), kind_of({"from": "a@1", "to": "b@2"}), kind_of({"judgements": {}})
    ('framework', 'crosswalk', 'evidence')
    >>> kind_of({"site_name": "docs"}) is None
    True
    """
    if not isinstance(data, dict) or not data:
        return None
    if "bandstand" in data or any(k in data for k in ("tiers", "scales", "nodes", "extends")):
        return "framework"
    if "from" in data and "to" in data:
        return "crosswalk"
    known = set(schema_.load_schema("evidence").get("properties", {}))
    if all(isinstance(k, str) for k in data) and set(data) <= known and set(data) - {"$schema", "notes", "source"}:
        return "evidence"
    return None


class _Constructor(RoundTripConstructor):
    """ruamel's round-trip constructor, reading a date-like scalar that is no date of the calendar
    (``2021-13-01``) as the text it is, as bandstand's YAML 1.2 reading does, instead of failing."""

    def construct_yaml_timestamp(self, node, values=None):
        try:
            return super().construct_yaml_timestamp(node, values)
        except ValueError:
            return self.construct_scalar(node)


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_timestamp)


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.Constructor = _Constructor
    y.preserve_quotes = True
    y.indent(mapping=2, sequence=4, offset=2)
    y.width = WIDTH
    return y


def format_text(text: str, kind: str) -> str:
    """``text``, a framework, evidence or crosswalk file, in the canonical layout.

    >>> print(format_text('bands:\\n- id: b\\n  scale: rating\\n  bands:\\n  - max: 49\\n    level: low\\n'
    ...                   'id: x\\nversion: 2.10\\n', "framework"), end="")
    id: x
    version: 2.10
    bands:
      - id: b
        scale: rating
        bands:
          - {level: low, max: 49}
    >>> print(format_text('judgements:\\n  2.1.1: good\\n  "C1": "good"\\n', "evidence"), end="")
    judgements:
      "2.1.1": good
      C1: "good"
    """
    if kind not in KINDS:
        raise ValueError(f"no kind {kind!r}; expected one of {', '.join(KINDS)}")
    y = _yaml()
    data = y.load(text)
    root = schema_.load_schema(kind)
    _walk(data, root, root, None)
    out = io.StringIO()
    y.dump(data, out)
    return out.getvalue()


# -- the schema --------------------------------------------------------------------------------------


def _resolve(s, root) -> tuple[dict, str | None]:
    """A schema with its ``$ref`` followed, and the last reference followed (None when there was none)."""
    ref = None
    while isinstance(s, dict) and "$ref" in s:
        ref = s["$ref"]
        target = root
        for part in ref.lstrip("#/").split("/"):
            target = target[part]
        s = target
    return (s if isinstance(s, dict) else {}), ref


def _object_schema(s: dict, node: CommentedMap, root) -> dict:
    """The branch of a ``oneOf``/``anyOf`` that fits ``node`` best (a change is one of several shapes)."""
    branches = [_resolve(b, root)[0] for b in s.get("oneOf", []) + s.get("anyOf", [])]
    branches = [b for b in branches if "properties" in b]
    if "properties" in s or not branches:
        return s
    keys = set(node)
    return max(branches, key=lambda b: (set(b.get("required", [])) <= keys, len(keys & set(b["properties"]))))


def _items_schema(s: dict) -> dict | None:
    for key in ("items", "additionalProperties"):
        if isinstance(s.get(key), dict):
            return s[key]
    for b in s.get("oneOf", []) + s.get("anyOf", []):
        if isinstance(b, dict) and isinstance(b.get("items"), dict):
            return b["items"]
    return None


# -- walking the document -----------------------------------------------------------------------------


def _walk(node, s, root, ref, ids: bool = False) -> None:
    """Lay out ``node`` as schema ``s`` (reached through ``ref``) describes it; ``ids``: a list of node ids."""
    s, own_ref = _resolve(s, root)
    ref = own_ref or ref
    if isinstance(node, CommentedMap):
        s = _object_schema(s, node, root)
        props = s.get("properties", {})
        _quote_keys(node)
        order = [k for k in props if k in node] + [k for k in node if k not in props]
        if order != list(node):
            _reorder(node, order)
        for key in list(node):
            child = props.get(key) if key in props else s.get("additionalProperties")
            child_ref = _resolve(child, root)[1] if isinstance(child, dict) else None
            if isinstance(node[key], str) and (key in _ID_FIELDS and key in props or child_ref in _ID_REFS):
                node[key] = _id(node[key])
            if isinstance(child, dict):
                _walk(node[key], child, root, None, ids=key in _ID_LISTS or key not in props)
        if ref == _BAND_TABLE and isinstance(node.get("bands"), CommentedSeq):
            for row in node["bands"]:
                if isinstance(row, CommentedMap) and not _holds_comment(row):
                    row.fa.set_flow_style()
    elif isinstance(node, CommentedSeq):
        item = _items_schema(s)
        if item is None:
            return
        item_ref = _resolve(item, root)[1]
        for i, value in enumerate(node):
            if isinstance(value, str) and (ids or item_ref in _ID_REFS):
                node[i] = _id(value)
            _walk(node[i], item, root, None)


# -- ids ------------------------------------------------------------------------------------------------


def _ambiguous(text: str) -> bool:
    """Whether plain ``text`` would be read as something other than a string (YAML 1.1 or 1.2).

    >>> [_ambiguous(t) for t in ("2.1", "2018", "yes", "No", "~", "2021-07-01", "0800", "2.1.1", "C01", "good")]
    [True, True, True, True, True, True, True, False, False, False]
    """
    if not text or text != text.strip():
        return True
    if not isinstance(resolve_plain(text), str):
        return True
    return _yaml11(text) != "tag:yaml.org,2002:str"


@lru_cache(maxsize=4096)
def _yaml11(text: str) -> str:
    return pyyaml.SafeLoader.resolve(pyyaml.SafeLoader, pyyaml.ScalarNode, text, (True, False))


def _id(value: str):
    """An id scalar: double-quoted when a reader could take it for something else, plain when it is a simple
    name (letters, digits, ``_.@+-``), as it was otherwise."""
    if isinstance(value, (FoldedScalarString, LiteralScalarString)):
        return value
    text = str(value)
    if _ambiguous(text) or text[:1].isdigit():
        return value if isinstance(value, DoubleQuotedScalarString) else DoubleQuotedScalarString(text)
    if _SIMPLE.fullmatch(text):
        return PlainScalarString(text)  # a plain str would keep the old quotes (ruamel keeps a value's style)
    return value


_SIMPLE = re.compile(r"[A-Za-z_][A-Za-z0-9_.@+-]*")


def _style(value) -> str:
    return "plain" if type(value) in (str, PlainScalarString) else type(value).__name__


def _quote_keys(node: CommentedMap) -> None:
    """Mapping keys are ids (or field names): quoted as :func:`_id` says, in place, keeping the order."""
    keys = list(node)
    if not any(isinstance(k, str) and _style(_id(k)) != _style(k) for k in keys):
        return
    values = [(k, node[k]) for k in keys]
    for k in keys:
        del node[k]  # ca.items is keyed by the key's text, which does not change: comments stay
    for k, v in values:
        node[str(_id(k)) if isinstance(k, str) and _style(_id(k)) == "plain" else _id(k) if isinstance(k, str)
             else k] = v


# -- comments when keys move ----------------------------------------------------------------------------


def _token(text: str, column: int) -> CommentToken:
    return CommentToken(text, CommentMark(column), None)


def _is_block(value) -> bool:
    return isinstance(value, (CommentedMap, CommentedSeq)) and len(value) > 0 and not value.fa.flow_style()


def _tail(container, key):
    """The comment slot that holds the comments after ``container[key]`` (at its deepest last item)."""
    value = container[key]
    if _is_block(value):
        last = next(reversed(value)) if isinstance(value, CommentedMap) else len(value) - 1
        return _tail(value, last)
    slots = container.ca.items.setdefault(key, [None, None, None, None])
    return slots, (2 if isinstance(container, CommentedMap) else 0), value


def _split_tail(container, key) -> tuple[list[str], bool]:
    """Take the whole-line comments after ``container[key]`` off it, as lines; and whether it ends a block scalar.

    What stays is the comment on the value's own line, if any.
    """
    slots, i, value = _tail(container, key)
    block_scalar = isinstance(value, (FoldedScalarString, LiteralScalarString))
    tok = slots[i]
    if tok is None:
        return [], block_scalar
    text = tok.value
    if block_scalar:
        own, rest = "", text
    else:
        own, _, rest = text.partition("\n")
        own += "\n"
    if isinstance(value, (CommentedMap, CommentedSeq)) and value.ca.comment:  # a flow collection keeps a copy
        value.ca.comment = None
    slots[i] = _token(own, tok.column) if own.strip() else None
    return rest.splitlines(), block_scalar


def _set_tail(container, key, lines: list[str]) -> None:
    if not lines:
        return
    slots, i, value = _tail(container, key)
    block_scalar = isinstance(value, (FoldedScalarString, LiteralScalarString))
    tok = slots[i]
    own = tok.value if tok is not None else ("" if block_scalar else "\n")
    if own and not own.endswith("\n"):
        own += "\n"
    slots[i] = _token(own + "".join(line + "\n" for line in lines), tok.column if tok is not None else 0)


def _before_tokens(lines: list[str], column: int) -> list[CommentToken]:
    return [_token(f"{line.strip()}\n" if line.strip() else "\n", column) for line in lines]


def _reorder(node: CommentedMap, order: list) -> None:
    """Put ``node``'s keys in ``order``; the whole-line comments above a key move with it.

    The comments above the first key stay at the top of the mapping, and those after the last key at its end:
    they belong to what is around the mapping, not to a key.
    """
    keys = list(node)
    column = node.lc.col if node.lc.col is not None else 0
    above: dict = {}
    for n, key in enumerate(keys):
        lines, _ = _split_tail(node, key)
        slots = node.ca.items.get(key)
        if n + 1 < len(keys):
            following = keys[n + 1]
            before = node.ca.items.get(following)
            earlier = [t.value.rstrip("\n") for t in (before[1] or [])] if before and before[1] else []
            if before and before[1]:
                before[1] = None
            above[following] = lines + earlier
        else:
            trailing = lines
        if slots is not None and not any(slots):
            del node.ca.items[key]
    for key in order:
        node.move_to_end(key)
    for n, key in enumerate(order):
        lines = above.get(key, [])
        if not lines:
            continue
        if n == 0:  # now first: its comment joins those above the mapping (a key's own slot would print `-` alone)
            if node.ca.comment is None:
                node.ca.comment = [None, None]
            node.ca.comment[1] = (node.ca.comment[1] or []) + _before_tokens(lines, column)
        else:
            node.ca.items.setdefault(key, [None, None, None, None])[1] = _before_tokens(lines, column)
    _set_tail(node, order[-1], trailing)


def _holds_comment(node) -> bool:
    """Whether a collection holds a comment anywhere inside it."""
    if isinstance(node, (CommentedMap, CommentedSeq)):
        ca = node.ca
        if ca.comment and any(ca.comment) or any(any(slot) for slot in ca.items.values()):
            return True
        values = node.values() if isinstance(node, CommentedMap) else node
        return any(_holds_comment(v) for v in values)
    return False



# -- files -----------------------------------------------------------------------------------------------

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass
class Outcome:
    """What formatting one file found: its kind, its text before and after (None: refused, see ``errors``)."""

    path: str
    kind: str | None = None
    before: str | None = None
    after: str | None = None
    errors: list = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.after is not None and self.after != self.before


def files_in(paths, limits: Limits = DEFAULT_LIMITS) -> list[tuple[str, bool]]:
    """The files ``paths`` name, as (path, named): a folder gives every ``*.yaml``/``*.yml`` file beneath it
    (hidden folders left out), in sorted order; ``named`` is False for those, which are skipped unless they are
    framework, evidence or crosswalk files."""
    out: list[tuple[str, bool]] = []
    for p in paths:
        if os.path.isdir(p):
            found = []
            for folder, dirs, names in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                found += [os.path.join(folder, n) for n in names if n.lower().endswith(YAML_SUFFIXES)]
            out += [(f, False) for f in sorted(found)]
        else:
            out.append((p, True))
    return out


def load_model(path: str, kind: str, limits: Limits = DEFAULT_LIMITS, resolver=None):
    """The model of a file of ``kind``, as bandstand reads it; raises :class:`BandstandError` if it does not load."""
    if kind == "framework":
        from .dsl import load_framework

        return load_framework(path, limits=limits, display=path, resolver=resolver)
    if kind == "evidence":
        from .engine.evidence import load_evidence

        return load_evidence(path, limits=limits, display=path)
    from .crosswalk import load_crosswalk

    return load_crosswalk(path, limits, path)


def format_file(path: str, named: bool = True, limits: Limits = DEFAULT_LIMITS, resolver=None) -> Outcome:
    """Format one file (nothing is written). A file that does not load is refused: ``errors`` holds why.

    A file found in a folder (not ``named``) that is no framework, evidence or crosswalk file is skipped
    (``kind`` None, no errors).
    """
    out = Outcome(path)
    try:
        doc = loader.load_file(path, limits, path)
        out.kind = kind_of(doc.data)
        if out.kind is None:
            if named:
                raise InputError(f"{shown(path)} is not a framework, evidence or crosswalk file; "
                                 "fmt formats only those", path, "input.kind", 1, 1)
            return out
        load_model(path, out.kind, limits, resolver)
        text = loader.read_text(path, limits, path)
    except BandstandError as e:
        out.errors = list(e.diagnostics)
        return out
    out.before = text
    try:
        out.after = format_text(text, out.kind)
    except YAMLError as e:  # bandstand reads it, ruamel does not: say so, and leave the file alone
        mark = getattr(e, "problem_mark", None)
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        out.errors = [InputError(f"fmt cannot lay out this file: the YAML library it uses (ruamel.yaml) reads it "
                                 f"differently ({printable(' '.join(str(getattr(e, 'problem', None) or e).split()))})",
                                 path, "input.fmt", line, column).diagnostics[0]]
        return out
    if out.changed and not _same_data(doc.data, loader.load_text(out.after, path, limits).data):
        raise AssertionError(f"formatting {path} would change what it says; it was left as it was")
    return out


def _same_data(a, b) -> bool:
    """Whether two loaded documents hold the same data (NaN equal to itself)."""
    if isinstance(a, float) and isinstance(b, float) and a != a and b != b:
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same_data(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same_data(x, y) for x, y in zip(a, b))
    return a == b


def unified_diff(outcome: Outcome) -> str:
    """The change ``outcome`` makes, as a unified diff."""
    assert outcome.before is not None and outcome.after is not None  # a file formatted, not refused
    return "".join(difflib.unified_diff(outcome.before.splitlines(True), outcome.after.splitlines(True),
                                        f"{outcome.path}", f"{outcome.path} (formatted)"))


def run(paths, *, check: bool = False, diff: bool = False, limits: Limits = DEFAULT_LIMITS, resolver=None,
        out=sys.stdout.write, err=sys.stderr.write) -> int:
    """``bandstand fmt``: format ``paths``; the exit code.

    Without ``check`` or ``diff``, files that change are rewritten (atomically: the old file stays whole until
    the new one is in place). ``check`` lists the files that would change and returns 1 if any would;
    ``diff`` prints each change as a unified diff (and writes nothing). A file that does not load is never
    touched: its errors are printed (file:line:col) and the code is 2. ``out`` and ``err`` take text
    (whole lines, ending in a newline).
    """
    from . import output

    status, changed, unchanged = 0, 0, 0
    for path, named in files_in(paths, limits):
        outcome = format_file(path, named, limits, resolver)
        if outcome.errors:
            for line in shown_diagnostics(outcome.errors):
                err(line + "\n")
            status = 2
            continue
        if outcome.kind is None:
            continue
        if not outcome.changed:
            unchanged += 1
            continue
        changed += 1
        if diff:
            out(unified_diff(outcome))
        if check and not diff:
            out(f"would reformat {printable(path)}\n")
        if not check and not diff:
            assert outcome.after is not None  # outcome.changed
            try:
                output.write(outcome.after, path)
            except BandstandError as e:
                for line in shown_diagnostics(e.diagnostics):
                    err(line + "\n")
                status = 2
                continue
            out(f"reformatted {printable(path)}\n")
    verb = "would be reformatted" if check or diff else "reformatted"
    err(f"{changed} file{'s' * (changed != 1)} {verb}, {unchanged} left unchanged\n")
    if status:
        return status
    return 1 if check and changed else 0
