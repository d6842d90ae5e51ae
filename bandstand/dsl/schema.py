"""JSON Schema checks of positioned data, with located, plain messages.

The schemas (Draft 2020-12) ship in ``bandstand/dsl/schemas/``. Validation
collects every error (``iter_errors``), maps each error's JSON path back to
the YAML line and column, and words it for a person: never ``str(error)``.

A field the schema wants as a string that the YAML reader took for a number
or boolean (``id: 2.10``, ``version: 2018``) gets the text exactly as written;
see :mod:`bandstand.dsl.loader`.

>>> from bandstand.dsl.loader import load_text
>>> doc = load_text("subject: Bedfordshire\\njudgments: {}\\n", "e.yaml")
>>> [str(d) for d in validate(doc, "evidence")]
["e.yaml:2:1: error: unknown field 'judgments' (did you mean 'judgements'?) [schema.unknown-field]"]
"""

from __future__ import annotations

import difflib
import functools
import json
from importlib import resources
from typing import Any, Iterable

from typing import TYPE_CHECKING

from ..errors import BandstandError, Diagnostic
from ..limits import too_deep
from .loader import Document

if TYPE_CHECKING:
    import jsonschema
    from jsonschema.exceptions import ValidationError

SCHEMAS = ("framework", "evidence", "crosswalk")


@functools.cache
def load_schema(name: str) -> dict:
    """The JSON Schema called ``name`` (``framework`` or ``evidence``)."""
    if name not in SCHEMAS:
        raise ValueError(f"no schema called {name!r}; expected one of {', '.join(SCHEMAS)}")
    text = resources.files(__package__).joinpath("schemas", f"{name}.schema.json").read_text("utf-8")
    return json.loads(text)


@functools.cache
def _validator(name: str) -> jsonschema.protocols.Validator:
    import jsonschema  # only when a file is not in the cache as already valid

    schema = load_schema(name)
    # the schemas are checked against the meta-schema by the tests, not on every run
    return jsonschema.Draft202012Validator(schema)


def validate(doc: Document, name: str) -> list[Diagnostic]:
    """Every schema problem in ``doc`` as located diagnostics (empty when valid).

    Plain scalars read as numbers or booleans where the schema wants text
    are replaced, in ``doc.data``, by their source text.
    """
    return problems(doc, name)[0]


def problems(doc: Document, name: str) -> tuple[list[Diagnostic], list[tuple]]:
    """:func:`validate`, and the paths of the data its problems make unreadable.

    An unknown field leaves every value readable (readers ignore it); the
    path ``()`` means nothing is readable (the file nested past what can be
    checked). A reader may skip what lies under the paths and go on
    checking the rest.
    """
    from .. import cache

    cached_as = cache.key("schema", name, doc.text) if doc.text and cache.folder() else None
    coerced = cache.get("schema", cached_as) if cached_as else None
    if isinstance(coerced, list) and all(isinstance(p, list) for p in coerced):
        # this very text passed this schema before: redo its coercions
        for path in coerced:
            _set(doc.data, tuple(path), doc.text_of(path))
        return [], []
    validator = _validator(name)
    coerced = []
    try:
        for _ in range(20):  # each round fixes at least one coercion; nesting bounds the rounds
            errors = list(validator.iter_errors(doc.data))
            if not _coerce_to_text(doc, errors, coerced):
                break
    except RecursionError:  # jsonschema recurses: a --max-depth raised far past the default
        deepest = max(doc.positions, key=len, default=())
        return [Diagnostic.at("limit.depth", too_deep("max_depth", "the file"), doc.pos(deepest))], [()]
    diags = []
    seen = set()
    for error in errors:
        for d in _diagnose(doc, error):
            key = (d.line, d.column, d.message)
            if key not in seen:
                seen.add(key)
                diags.append(d)
    if not diags and cached_as:
        cache.put("schema", cached_as, [list(path) for path in coerced])
    return diags, [p for error in errors for p in _unreadable(error)]


def _unreadable(e: ValidationError) -> list[tuple]:
    """The paths an error makes unreadable: where it is, or, for alternatives of which one fits, where
    that one fails (one bad answer of one case, not the whole list of cases)."""
    if e.validator == "additionalProperties":
        return []
    if e.validator in ("oneOf", "anyOf") and e.context:
        fitting = [i for i, sub in enumerate(e.validator_value) if _fits(e.instance, sub)]
        if len(fitting) == 1:
            subs = [s for s in e.context if s.relative_schema_path[0] == fitting[0]]
            if subs:
                return [p for s in subs for p in _unreadable(s)]
    return [tuple(e.absolute_path)]


def _set(data: Any, path: tuple, value: Any) -> None:
    for part in path[:-1]:
        data = data[part]
    data[path[-1]] = value


def _wants_string(error: ValidationError) -> bool:
    if error.validator == "type":
        types = error.validator_value
        return types == "string" or (isinstance(types, list) and "string" in types)
    return False


def _coerce_to_text(doc: Document, errors: Iterable[ValidationError], done: list | None = None) -> bool:
    changed = False
    stack = list(errors)
    while stack:
        e = stack.pop()
        stack.extend(e.context or ())
        if not _wants_string(e):
            continue
        path = tuple(e.absolute_path)
        text = doc.text_of(path)
        if text is None or not path:
            continue
        parent = doc.data
        for key in path[:-1]:
            parent = parent[key]
        value = parent[path[-1]]
        if value is not None and not isinstance(value, str):  # numbers and booleans only: null stays null
            parent[path[-1]] = text
            changed = True
            if done is not None:
                done.append(path)
    return changed


_TYPE_NAMES = {
    "string": "a text", "number": "a number", "integer": "a whole number", "boolean": "true or false",
    "object": "a mapping (key: value)", "array": "a list", "null": "nothing (null)",
}

_PATTERNS = {
    "^[a-z][a-z0-9_-]*$": "an id of lower-case letters, digits, '-' and '_', starting with a letter",
    "^[A-Za-z0-9][A-Za-z0-9._-]*$": "an id of letters, digits, '.', '-' and '_' (such as 2.1.1.a)",
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}$": "a date written YYYY-MM-DD",
    "^[0-9]{4}-[0-9]{2}(-[0-9]{2})?$": "a date written YYYY-MM-DD or YYYY-MM",
    "^[a-z][a-z0-9_-]*(@[^@\\s]+)?$": "a framework written id@version (such as hmip-youth@2018)",
}


def real_date(text: str) -> bool:
    """Whether YYYY-MM-DD or YYYY-MM text is a date of the calendar (not 2021-13 or 2021-02-30)."""
    import datetime

    try:
        datetime.date.fromisoformat(text if len(text) == 10 else text + "-01")
    except (ValueError, TypeError):
        return False
    return True


def require_mapping(doc: Document, what: str) -> None:
    """Refuse a file whose top level is not a mapping (of ``what`` fields), at line 1."""
    if not isinstance(doc.data, dict):
        raise BandstandError([Diagnostic("schema.type", f"expected a mapping of {what} fields at the top of the "
                                         f"file, got {describe(doc.data)}", doc.file, 1, 1)])


#: top-level fields that tell a framework file from an evidence file given in its place
_OWN_FIELDS = {"framework": ("tiers", "nodes", "scales"),
               "evidence": ("judgements", "key_questions", "figures", "cases", "subject", "values")}
_WHAT = {"framework": ("a framework file", "a framework"), "evidence": ("an evidence file", "evidence")}


def check_document(doc: Document, name: str) -> None:
    """Refuse a framework or evidence file (``name``) that is not a mapping, that is the other kind of
    file given in its place, or that breaks its schema: every schema problem at once."""
    check_kind(doc, name)
    diags = validate(doc, name)
    if diags:
        raise BandstandError(diags)


def check_kind(doc: Document, name: str) -> None:
    """Refuse a file that is not a mapping, or that is the other kind of file given in ``name``'s place."""
    require_mapping(doc, name)
    other = "evidence" if name == "framework" else "framework"
    own = [k for k in _OWN_FIELDS[name] if k in doc.data]
    theirs = [k for k in _OWN_FIELDS[other] if k in doc.data and k != "subject"]
    if theirs and not own:  # the arguments swapped, most likely
        raise BandstandError([Diagnostic.at(
            "input.kind", f"this is {_WHAT[other][0]} (it has '{theirs[0]}'), not {_WHAT[name][1]}; is it given in "
            f"the {name}'s place? (bandstand evaluate FRAMEWORK EVIDENCE)", doc.key_pos((theirs[0],)))])


def describe(value: Any) -> str:
    """A value's kind and, where short, the value itself, for messages."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"'{shown}'"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def _expected_types(types) -> str:
    if isinstance(types, str):
        types = [types]
    return " or ".join(_TYPE_NAMES.get(t, t) for t in types)


# words YAML 1.1 read as booleans; bandstand reads YAML 1.2, where they are text
_YAML11_BOOL = {"yes": True, "no": False, "on": True, "off": False, "y": True, "n": False}


def _yaml11_hint(word: str, write: str) -> str:
    return (f" ('{word}' meant {'true' if _YAML11_BOOL[word.lower()] else 'false'} in YAML 1.1; bandstand reads "
            f"YAML 1.2, where it is text: write {write})")


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""


def _diagnose(doc: Document, e: ValidationError) -> list[Diagnostic]:
    path = tuple(e.absolute_path)
    pos = doc.pos(path)

    def diag(code: str, message: str, where=None) -> Diagnostic:
        return Diagnostic.at(code, message, where or pos)

    v = e.validator
    written = doc.text_of(path)
    if written is not None and isinstance(e.instance, (int, float)) and not isinstance(e.instance, bool) \
            and written != str(e.instance):  # 0800 read as 800, 1e400 as inf: show what was written
        got = f"{describe(e.instance)} (written {written})"
    else:
        got = describe(e.instance)
    if v == "additionalProperties" and isinstance(e.instance, dict):
        allowed = list((e.schema.get("properties") or {}).keys())
        extra = [k for k in e.instance if k not in allowed]
        return [diag("schema.unknown-field", f"unknown field '{k}'{_did_you_mean(k, allowed)}",
                     doc.key_pos(path + (k,))) for k in extra]
    if v == "required":
        missing = [r for r in e.validator_value if r not in e.instance]
        return [diag("schema.required", f"missing required field '{m}'") for m in missing]
    if v == "dependentRequired":
        return [diag("schema.required", e.message.replace("is a dependency of", "is needed with"))]
    if v == "type":
        hint = ""
        text = doc.text_of(path)
        if text is not None and isinstance(e.instance, bool) and "string" in str(e.validator_value):
            hint = f" ('{text}' was read as {describe(e.instance)}; put it in quotes for text)"
        elif path[:1] in (("key_questions",), ("figures",)) and len(path) == 2 and not isinstance(e.instance, dict):
            hint = " (write {percent: 65} or {yes: 11, of: 17})"
        elif "boolean" in str(e.validator_value) and isinstance(e.instance, str) and e.instance.lower() in _YAML11_BOOL:
            hint = _yaml11_hint(e.instance, "true" if _YAML11_BOOL[e.instance.lower()] else "false")
        if isinstance(e.instance, str) and e.instance.strip().endswith("%") and "number" in str(e.validator_value):
            hint = " (write the number without '%')"
        return [diag("schema.type", f"expected {_expected_types(e.validator_value)}, got {got}{hint}")]
    if v == "enum":
        options = ", ".join(json.dumps(x) if not isinstance(x, str) else x for x in e.validator_value)
        hint = _did_you_mean(str(e.instance), [str(x) for x in e.validator_value])
        if isinstance(e.instance, str) and e.instance.lower() in _YAML11_BOOL and e.instance not in e.validator_value:
            choices = [x for x in e.validator_value if x in ("yes", "no", True, False)][:2]
            hint = _yaml11_hint(e.instance, " or ".join(json.dumps(x) if not isinstance(x, str) else x
                                                        for x in choices))
        return [diag("schema.enum", f"expected one of: {options}; got {got}{hint}")]
    if v == "const":
        return [diag("schema.const", f"expected {json.dumps(e.validator_value)}, got {describe(e.instance)}")]
    if v == "pattern":
        wanted = _PATTERNS.get(e.validator_value, f"text matching {e.validator_value}")
        return [diag("schema.pattern", f"expected {wanted}; got {describe(e.instance)}")]
    if v in ("minItems", "minProperties"):
        return [diag("schema.empty", "must not be empty")]
    if v == "minLength":
        return [diag("schema.empty", "must not be empty text")]
    if v in ("minimum", "maximum"):
        side = "at least" if v == "minimum" else "at most"
        return [diag("schema.range", f"must be {side} {e.validator_value}; got {got}")]
    if v in ("oneOf", "anyOf"):
        return _diagnose_alternatives(doc, e, diag)
    return [diag("schema.invalid", e.message)]  # pragma: no cover - keywords our schemas do not use


_JSON_TYPES = {"string": str, "number": (int, float), "integer": int, "boolean": bool, "object": dict,
               "array": list, "null": type(None)}


def _fits(instance, subschema: dict) -> bool:
    """Whether a value is of a kind a oneOf branch accepts (ignoring the branch's details)."""
    if "type" in subschema:
        types = subschema["type"] if isinstance(subschema["type"], list) else [subschema["type"]]
        ok = [_JSON_TYPES[t] for t in types]
        if isinstance(instance, bool):
            return "boolean" in types
        return isinstance(instance, tuple(x for t in ok for x in (t if isinstance(t, tuple) else (t,))))
    if "const" in subschema:
        return type(instance) is type(subschema["const"])
    if "enum" in subschema:
        return any(type(instance) is type(v) for v in subschema["enum"])
    return "oneOf" not in subschema or any(_fits(instance, s) for s in subschema["oneOf"])


def _diagnose_alternatives(doc: Document, e: ValidationError, diag) -> list[Diagnostic]:
    """Explain a failed oneOf: by the branch of the right kind when there is one."""
    if e.validator == "oneOf" and not e.context:
        return [diag("schema.invalid", "give exactly one of the alternatives, not several"
                     + _one_of_names(e))]
    fitting = [i for i, sub in enumerate(e.validator_value) if _fits(e.instance, sub)]
    if len(fitting) > 1 and isinstance(e.instance, dict):
        # mappings told apart by their key fields (a change's 'remove', 'add', ...)
        keyed = [i for i in fitting if e.validator_value[i].get("required")
                 and e.validator_value[i]["required"][0] in e.instance]
        if not keyed:
            names = [sub["required"][0] for sub in e.validator_value if sub.get("required")]
            if names:
                return [diag("schema.invalid", "expected a mapping with one of: " + ", ".join(names)
                             + _did_you_mean_any(e.instance, names))]
        fitting = keyed or fitting
    if len(fitting) == 1:
        out = []
        for sub in e.context:
            if sub.relative_schema_path[0] == fitting[0]:
                out.extend(_diagnose(doc, sub))
        if out:
            return out
    types = []
    for sub in e.validator_value:
        if "type" in sub:
            types.append(sub["type"])
        elif "const" in sub:
            types.append(json.dumps(sub["const"]))
        elif "enum" in sub:
            types.append("one of " + ", ".join(str(x) for x in sub["enum"] if isinstance(x, str)))
        elif "required" in sub:
            types.append(" or ".join(sub["required"]))
    flat = []
    for t in types:
        flat.extend(t if isinstance(t, list) else [t])
    wanted = " or ".join(_TYPE_NAMES.get(t, t) for t in dict.fromkeys(flat))
    written = doc.text_of(tuple(e.absolute_path))
    shown = f" (written {written})" if written is not None and isinstance(e.instance, (int, float)) \
        and not isinstance(e.instance, bool) and written != str(e.instance) else ""
    return [diag("schema.type", f"expected {wanted}, got {describe(e.instance)}{shown}{_figure_hint(e)}")]


def _figure_hint(e: ValidationError) -> str:
    """How to write a published figure that is not a number (a figure of the evidence's ``values``)."""
    path = tuple(e.absolute_path)
    if path[:1] != ("values",) or not isinstance(e.instance, str):
        return ""
    if e.instance.strip().endswith("%"):
        return " (write the number without '%')"
    return (" (write the number alone; where the source says the figure is not available, write "
            "{not_available: the reason it gives})")


def _did_you_mean_any(instance: dict, names: list[str]) -> str:
    for key in instance:
        match = difflib.get_close_matches(str(key), names, n=1, cutoff=0.6)
        if match:
            return f" (for '{key}', did you mean '{match[0]}'?)"
    return ""


def _one_of_names(e: ValidationError) -> str:
    names = [" ".join(sub.get("required", [])) for sub in e.validator_value if "required" in sub]
    return f": {', '.join(names)}" if names else ""
