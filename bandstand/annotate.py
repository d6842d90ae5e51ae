"""Problems written for machines: JSON, GitHub workflow commands, SARIF 2.1.0.

``bandstand validate --output-format`` picks one; text is
:func:`bandstand.errors.format`. Each takes the diagnostics of every file
checked, in the order they are shown, and gives the whole output.

JSON is a list with one object per problem (:meth:`Diagnostic.to_json`):

>>> from bandstand.errors import Diagnostic
>>> d = Diagnostic("check.unknown-node", "unknown node '9.9'", "fw.yaml", 3, 14)
>>> print(to_json([d]), end="")
[
  {
    "code": "check.unknown-node",
    "severity": "error",
    "message": "unknown node '9.9'",
    "file": "fw.yaml",
    "line": 3,
    "column": 14
  }
]

GitHub's workflow commands annotate the line in a pull request:

>>> print(to_github([d]), end="")
::error file=fw.yaml,line=3,col=14,title=check.unknown-node::unknown node '9.9'
"""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath
from typing import Iterable

from .errors import Diagnostic, printable

FORMATS = ("text", "json", "github", "sarif")

#: what each stage's codes are about (the part of a code before its dot)
STAGES = {
    "yaml": "the file is not YAML or JSON bandstand can read",
    "schema": "a field is missing, unknown or of the wrong type",
    "syntax": "a rule expression does not parse",
    "check": "the framework does not hold together (static checks)",
    "evidence": "the evidence does not fit its framework",
    "eval": "evaluation",
    "input": "the input cannot be used at all",
    "crosswalk": "the crosswalk does not fit its frameworks",
    "csv": "a CSV file of cases or inspections is malformed",
    "extend": "a framework's changes to the version it extends do not apply",
    "limit": "the input is larger than a limit allows (see the --max-* options)",
}

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def to_json(diagnostics: Iterable[Diagnostic]) -> str:
    """A JSON list of problems: code, severity, message, file, line, column (null where unknown)."""
    return json.dumps([d.to_json() for d in diagnostics], indent=2, ensure_ascii=False) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def to_github(diagnostics: Iterable[Diagnostic]) -> str:
    """One ``::error`` (or ``::warning``) workflow command a problem, naming file, line and column."""
    lines = []
    for d in diagnostics:
        props = []
        if d.file is not None:
            props.append(f"file={_escape_property(d.file)}")
            if d.line is not None:
                props.append(f"line={d.line}")
                if d.column is not None:
                    props.append(f"col={d.column}")
        props.append(f"title={_escape_property(d.code)}")
        message = printable(" ".join(d.message.split()))
        lines.append(f"::{'error' if d.is_error else 'warning'} {','.join(props)}::{_escape_data(message)}")
    return "".join(line + "\n" for line in lines)


def _uri(file: str) -> str:
    path = Path(file)
    if path.is_absolute():
        return path.as_uri()
    return str(PurePosixPath(*path.parts))


def _rule(code: str) -> dict:
    stage = STAGES.get(code.split(".", 1)[0], "a problem bandstand found")
    return {"id": code, "name": code, "shortDescription": {"text": f"{code}: {stage}"}}


def to_sarif(diagnostics: Iterable[Diagnostic], version: str) -> str:
    """A SARIF 2.1.0 log of one run: a rule for each diagnostic code found, a result for each problem."""
    diagnostics = list(diagnostics)
    codes = sorted({d.code for d in diagnostics})
    index = {code: i for i, code in enumerate(codes)}
    results = []
    for d in diagnostics:
        result: dict = {"ruleId": d.code, "ruleIndex": index[d.code], "level": "error" if d.is_error else "warning",
                        "message": {"text": " ".join(d.message.split())}}
        if d.file is not None:
            location: dict = {"artifactLocation": {"uri": _uri(d.file)}}
            if d.line is not None:
                location["region"] = {"startLine": d.line, **({"startColumn": d.column} if d.column else {})}
            result["locations"] = [{"physicalLocation": location}]
        results.append(result)
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "bandstand", "version": version,
                                "informationUri": "https://pypi.org/project/bandstand/",
                                "rules": [_rule(code) for code in codes]}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
