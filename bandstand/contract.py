"""The JSON contract: the version of the result layout, and the JSON Schemas bandstand ships.

``bandstand evaluate --format json`` (and each line of ``jsonl``) writes
:func:`result_document`: :meth:`Result.to_json` with a top-level ``format``,
the version of the layout (README: "Stability of outputs"). Its JSON Schema is
``bandstand/dsl/schemas/result.schema.json``, written by hand beside the
schemas of the input files; ``bandstand schema result`` prints it, and
``bandstand schema result --framework REF`` the same schema narrowed to one
framework (its node ids required, ratings one of its level ids).

Every schema has a stable ``$id`` (``https://bandstand.invalid/schemas/NAME.schema.json``:
an identifier, never fetched). ``bandstand schema --write DIR`` writes them all
as ``DIR/NAME.schema.json``, for an editor's ``$schema``.

>>> FORMAT
1
>>> [name for name in NAMES]
['framework', 'evidence', 'crosswalk', 'result']
"""

from __future__ import annotations

import copy
import json
from importlib import resources
from pathlib import Path
from typing import Any

from .dsl import schema as _input_schemas

#: the version of the layout of JSON results; raised only when a key is removed, renamed or changes meaning
FORMAT = 1

#: the schemas ``bandstand schema`` prints and writes
NAMES = (*_input_schemas.SCHEMAS, "result")


def result_document(result) -> dict:
    """A result as the JSON contract writes it: ``format`` first, then :meth:`Result.to_json`."""
    return {"format": FORMAT, **result.to_json()}


def load(name: str) -> dict:
    """The JSON Schema called ``name`` (one of :data:`NAMES`), a fresh copy."""
    if name not in NAMES:
        raise ValueError(f"no schema called {name!r}; expected one of {', '.join(NAMES)}")
    if name != "result":
        return copy.deepcopy(_input_schemas.load_schema(name))
    text = resources.files("bandstand.dsl").joinpath("schemas", "result.schema.json").read_text("utf-8")
    return json.loads(text)


def result_schema(framework=None) -> dict:
    """The result schema; given a framework, narrowed to it: its node ids, each required, and its levels."""
    out = load("result")
    if framework is None:
        return out
    levels = list(dict.fromkeys(lv.id for sc in framework.scales.values() for lv in sc.levels))
    labels = list(dict.fromkeys(lv.label for sc in framework.scales.values() for lv in sc.levels))
    defs = out["$defs"]
    defs["level_id"] = {**defs["level_id"], "enum": levels}
    defs["level_label"] = {**defs["level_label"], "enum": labels}
    ids = [n for n in framework.nodes if n != "overall"]
    nodes = defs["result"]["properties"]["nodes"]
    nodes["required"] = ids
    nodes["propertyNames"] = {"enum": ids}
    fw = defs["result"]["properties"]["framework"]["properties"]
    fw["id"], fw["version"] = {"const": framework.id}, {"const": framework.version}
    out["title"] = f"bandstand result of {framework.ref}"
    out["$id"] = f"https://bandstand.invalid/schemas/result/{framework.id}/{framework.version}.schema.json"
    return out


def text(schema: dict) -> str:
    """A schema as printed and written: indented, ending in a newline."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def write_all(folder: str | Path, write) -> list[Path]:
    """Write every schema as ``folder/NAME.schema.json`` through ``write(text, path)``; the paths written."""
    folder = Path(folder)
    written = []
    for name in NAMES:
        path = folder / f"{name}.schema.json"
        write(text(load(name)), str(path))
        written.append(path)
    return written


def validator(schema: dict | None = None) -> Any:
    """A Draft 2020-12 validator of results (by default against the shipped result schema)."""
    import jsonschema

    return jsonschema.Draft202012Validator(schema if schema is not None else load("result"))
