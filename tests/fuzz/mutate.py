"""Mutations of the bundled framework, evidence and CSV files, and the check each mutant must pass.

A mutation is a list of operations, each a plain tuple, so that the same
mutant can be built from a seeded ``random.Random`` (``tests/fuzz/run.py``)
or from hypothesis strategies (``tests/test_fuzz.py``) and printed to
reproduce it.

The check (:func:`check`) runs a mutant through the whole library pipeline
(decode, YAML, schema, build, static checks, evidence binding, evaluation
and the three renderers). It passes when the input loads and evaluates, or
when it is refused with :class:`bandstand.BandstandError` whose every
diagnostic is one line and, unless it is about a file as a whole, names
a file, line and column (the mutant's, or that of the evidence it was
evaluated with). Any other exception is a finding.
"""

from __future__ import annotations

import functools
import random
import re

from bandstand import BandstandError, evaluate, load_evidence, load_framework_text, load_evidence_text
from bandstand.catalogue import bundled_dir
from bandstand.dsl.loader import decode
from bandstand.engine.evidence import Evidence, read_cases_csv
from bandstand.errors import Position, format as format_diagnostic
from bandstand.render import render

FRAMEWORK = bundled_dir() / "hmip-youth-2018.yaml"
EXAMPLES = bundled_dir() / "examples" / "hmip-youth-2018"
SOURCES = {
    "framework": [FRAMEWORK],
    "evidence": [EXAMPLES / "bedfordshire-2021-published.yaml", EXAMPLES / "bedfordshire-2021-cases.yaml"],
    "csv": [EXAMPLES / "bedfordshire-2021-cases.csv"],
}

# values a careless or hostile author might write in place of another
TRAPS = [
    "no", "yes", "on", "off", "2.10", "1.1", "0800", "0x1F", "0o17", "2021-12-01", "~", "null", "", "[]", "{}",
    ".inf", "-.inf", ".nan", "1e400", "1e308", "9" * 400, "-1", "100.5", "6.0", '"', "'", "&a x", "*a", "!!str",
    "!!binary x", "<<: *a", "{a: 1, a: 2}", "[[[[[[[[", "\t", "\ufeff", "=HYPERLINK(\"x\")", "+1", "@SUM(1)",
    "<script>alert(1)</script>", "lowest(", "band(share(), nope)", "rating(\"9.9\")", "1 / 0", "(1 - 1)",
    "if x then", "((((((((((((((((((((((((((((((((((((((((((((((((((((1))))))))))))))))))))))))))))))))))))))))))))",
    "Requires improvement", "not_rated", "n/a", "Y", "1", "0", "\x1b[2J", "\u202e", "100000000", "1.0",
    "share() * " + "9" * 40 + ".5", "mean_score(counted)", "count(children, good)", "yes() / applicable()",
    "0x41", "0o17", "65.0", "2.0", "1e2", "-0", "+5", "0", "true", "false", "{}", "{yes: 1, of: 0}",
    "{percent: 65}", "[yes, no]", "Good", "good", "n", "?", "null", "'2.1.1'",
]
KEY_TRAPS = ["judgments", "key_question", "case", "answer", "rule", "rules", "level", "id", "ID", "children",
             "tier", "bands", "min", "max", "below", "percent", "yes", "of", "part", "parts", "extends", "<<"]
CSV_TRAPS = ["", ",,,,", ",,,,,,,,,,,,,,,,,,,,,,",
             "Yes", "Y", "1", "n/a", "N/A", "maybe", "=cmd|' /C calc'!A0", "+1", "-1", "@SUM(1)", '"', '""',
             '"a\nb"', ";", ",", "\r", "\r\n", "\t", "court", "out_of_court", "prison", "2.1.1", "9.9"]

OPS = ("flip", "delete", "insert", "drop_line", "dup_line", "swap_lines", "rename_key", "replace_value",
       "indent", "truncate", "csv_cell")


@functools.cache
def source(kind: str, index: int) -> bytes:
    paths = SOURCES[kind]
    return paths[index % len(paths)].read_bytes()


def random_ops(rng: random.Random, kind: str) -> list[tuple]:
    """One to three random operations (positions are fractions of the file, so any file takes them)."""
    ops = []
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        op = rng.choice(OPS if kind == "csv" else OPS[:-1])
        where, other = rng.random(), rng.random()
        if op == "flip":
            ops.append((op, where, rng.randrange(256)))
        elif op == "delete":
            ops.append((op, where, rng.randrange(1, 40)))
        elif op == "insert":
            ops.append((op, where, bytes(rng.randrange(256) for _ in range(rng.randrange(1, 6)))))
        elif op in ("drop_line", "dup_line", "truncate"):
            ops.append((op, where))
        elif op == "swap_lines":
            ops.append((op, where, other))
        elif op == "rename_key":
            ops.append((op, where, rng.choice(KEY_TRAPS + ["x" + str(rng.randrange(100))])))
        elif op == "replace_value":
            ops.append((op, where, rng.choice(TRAPS)))
        elif op == "indent":
            ops.append((op, where, rng.choice((-4, -2, -1, 1, 2, 4))))
        elif op == "csv_cell":
            ops.append((op, where, rng.choice(CSV_TRAPS)))
    return ops


def _line_span(data: bytes, where: float) -> tuple[int, int]:
    """The start and end (after its newline) of the line at fraction ``where`` of the file."""
    if not data:
        return 0, 0
    i = min(int(where * len(data)), len(data) - 1)
    start = data.rfind(b"\n", 0, i) + 1
    end = data.find(b"\n", i)
    return start, (len(data) if end < 0 else end + 1)


_KEY = re.compile(rb"^(\s*-?\s*)([\"']?[A-Za-z0-9_.$]+[\"']?)(\s*:)")
# a scalar value: after "key: ", "- ", "[" or ", " (up to the next flow indicator, comment or line end)
_VALUE = re.compile(rb"(?:(?<=: )|(?<=- )|(?<=\[)|(?<=, ))([^,{}\[\]\n#:][^,{}\[\]\n#]*)")


def apply(data: bytes, ops: list[tuple]) -> bytes:
    """The mutant: ``ops`` applied in order."""
    for op in ops:
        kind = op[0]
        n = len(data)
        i = min(int(op[1] * n), max(n - 1, 0))
        if kind == "flip" and n:
            data = data[:i] + bytes([op[2]]) + data[i + 1:]
        elif kind == "delete":
            data = data[:i] + data[i + op[2]:]
        elif kind == "insert":
            data = data[:i] + op[2] + data[i:]
        elif kind == "truncate":
            data = data[:i]
        elif kind in ("drop_line", "dup_line"):
            start, end = _line_span(data, op[1])
            data = data[:start] + data[end:] if kind == "drop_line" else data[:end] + data[start:end] + data[end:]
        elif kind == "swap_lines":
            a, b = sorted([_line_span(data, op[1]), _line_span(data, op[2])])
            if a[1] <= b[0]:
                data = data[:a[0]] + data[b[0]:b[1]] + data[a[1]:b[0]] + data[a[0]:a[1]] + data[b[1]:]
        elif kind == "rename_key":
            start, end = _line_span(data, op[1])
            line = _KEY.sub(lambda m: m.group(1) + op[2].encode() + m.group(3), data[start:end], count=1)  # noqa: B023 - called here
            data = data[:start] + line + data[end:]
        elif kind == "replace_value":  # one of the line's scalar values, chosen by the position's digits
            start, end = _line_span(data, op[1])
            line = data[start:end]
            found = list(_VALUE.finditer(line))
            if found:
                m = found[int(op[1] * 7919) % len(found)]
                line = line[:m.start()] + op[2].encode() + line[m.end():]
            data = data[:start] + line + data[end:]
        elif kind == "indent":
            start, end = _line_span(data, op[1])
            line = data[start:end]
            line = b" " * op[2] + line if op[2] > 0 else line[min(-op[2], len(line) - len(line.lstrip(b" "))):]
            data = data[:start] + line + data[end:]
        elif kind == "csv_cell":
            start, end = _line_span(data, op[1])
            cells = data[start:end].split(b",")
            j = int(op[1] * 7919) % len(cells)
            cells[j] = op[2].encode()
            data = data[:start] + b",".join(cells) + data[end:]
    return data


# -- the check ---------------------------------------------------------------------------------


@functools.cache
def _framework():
    from bandstand import Catalogue
    return Catalogue().resolve("hmip-youth@2018")


@functools.cache
def _evidence():
    return load_evidence(EXAMPLES / "bedfordshire-2021-published.yaml")


@functools.cache
def _cases():
    return load_evidence(EXAMPLES / "bedfordshire-2021-cases.yaml")


# codes that are about a file as a whole, so carry no line
WHOLE_FILE = {"limit.file-size", "limit.yaml-nodes", "input.missing", "input.directory", "input.unreadable"}


class Finding(Exception):
    """A mutant that gave something other than a result or located errors."""


def check(kind: str, data: bytes, name: str | None = None) -> str:
    """'ok' or 'refused'; raises :class:`Finding` (with the cause chained) for anything else."""
    name = name or {"framework": "framework.yaml", "evidence": "evidence.yaml", "csv": "cases.csv"}[kind]
    try:
        text = decode(data, name)
        if kind == "framework":  # evaluated with the published figures and with case answers
            fw, ev = load_framework_text(text, name), _evidence()
            for fmt in ("text", "json", "markdown"):
                render(evaluate(fw, _cases()), fmt)
        elif kind == "evidence":
            fw, ev = _framework(), load_evidence_text(text, name, base=EXAMPLES)
        else:
            fw, ev = _framework(), Evidence(name, subject="fuzz", partial=True, cases_pos=Position(name, 1, 1))
            ev.cases = read_cases_csv(text, name)  # as load_evidence reads a CSV file
        result = evaluate(fw, ev)
        for fmt in ("text", "json", "markdown"):
            render(result, fmt)
    except BandstandError as e:
        if not e.diagnostics:
            raise Finding("a BandstandError without diagnostics") from e
        for d in e.diagnostics:
            line = format_diagnostic(d)
            if "\n" in line or "\r" in line:
                raise Finding(f"a diagnostic over several lines: {line!r}") from e
            if d.code not in WHOLE_FILE and (d.file is None or d.line is None or d.column is None):
                raise Finding(f"a diagnostic without file:line:col: {line}") from e
        return "refused"
    except Finding:
        raise
    except Exception as e:  # noqa: BLE001 - any other exception is what we are looking for
        raise Finding(f"{type(e).__name__}: {e}") from e
    return "ok"
