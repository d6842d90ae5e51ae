"""JSON Schema validation of positioned data (bandstand.dsl.schema.validate).

Every problem is reported at once, located in the YAML, and worded for a
person: never a raw jsonschema message.
"""

from __future__ import annotations

import copy
import json

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bandstand.catalogue import bundled_dir
from bandstand.dsl.loader import load_file, load_text
from bandstand.dsl.schema import SCHEMAS, load_schema, validate

MINI = """\
id: mini
version: "1"
title: Mini
status: draft
scales:
  - id: rating
    levels:
      - {id: bad, label: Bad}
      - {id: good, label: Good}
tiers:
  - {id: standard, label: Standard, rule: lowest(children)}
nodes:
  - id: "1"
    title: One
"""

EVIDENCE = """\
framework: mini@1
subject: Somewhere YOS
date: 2021-12
judgements:
  "1": good
  "2": {rating: bad, note: A note}
key_questions:
  "3": {yes: 1, of: 2}
  "4": {percent: 65}
cases:
  - {id: C01, part: court, answers: {"3": yes, "4": n/a}}
"""

# Phrases of jsonschema's own messages, which must never reach a person.
RAW_PHRASES = [
    "is not of type", "is not valid under", "is a required property", "Additional properties",
    "does not match", "is not one of", "is too short", "is greater than", "is less than",
    "non-empty", "was expected", "is valid under each of", "is a dependency of", "Failed validating",
]


def mutate(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} must occur exactly once"
    return text.replace(old, new)


def check(text: str, schema: str = "framework"):
    """(document, diagnostics) of validating ``text`` as f.yaml."""
    doc = load_text(text, "f.yaml")
    return doc, validate(doc, schema)


def summary(diagnostics) -> list[tuple]:
    return sorted((d.code, d.message, d.line, d.column) for d in diagnostics)


def assert_plain(diagnostics) -> None:
    for d in diagnostics:
        assert d.code.startswith("schema."), d
        assert d.file == "f.yaml" and d.line and d.column, d
        assert not any(p in d.message for p in RAW_PHRASES), d.message


# --- the schemas themselves ------------------------------------------------------------------

@pytest.mark.parametrize("name", SCHEMAS)
def test_shipped_schemas_are_valid_draft_2020_12(name):
    schema = load_schema(name)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)  # raises SchemaError if not
    assert jsonschema.validators.validator_for(schema) is jsonschema.Draft202012Validator


def test_the_schemas_are_framework_evidence_and_crosswalk():
    assert set(SCHEMAS) == {"framework", "evidence", "crosswalk"}
    with pytest.raises(ValueError, match="no schema called 'nope'"):
        load_schema("nope")


def test_the_bundled_files_are_valid():
    root = bundled_dir()
    frameworks = sorted(root.glob("*.yaml"))
    evidence = sorted(root.glob("examples/*/*.yaml"))
    assert frameworks and evidence
    for path in frameworks:
        assert validate(load_file(path), "framework") == [], path
    for path in evidence:
        assert validate(load_file(path), "evidence") == [], path


@pytest.mark.parametrize("text, schema", [(MINI, "framework"), (EVIDENCE, "evidence")])
def test_valid_documents_give_no_diagnostics(text, schema):
    assert check(text, schema)[1] == []


# --- unknown fields --------------------------------------------------------------------------

@pytest.mark.parametrize("schema, text, field, suggestion, line, column", [
    ("framework", MINI + "titel: x\n", "titel", "title", 15, 1),
    ("framework", mutate(MINI, "    title: One", "    title: One\n    questoin: Q?"), "questoin", "question", 15, 5),
    ("framework", mutate(MINI, "{id: bad, label: Bad}", "{id: bad, label: Bad, scroe: 0}"),
     "scroe", "score", 8, 31),
    ("evidence", EVIDENCE + "judgments: {}\n", "judgments", "judgements", 12, 1),
    ("evidence", mutate(EVIDENCE, "{rating: bad, note: A note}", "{rating: bad, notes: A note}"),
     "notes", "note", 6, 22),
    ("evidence", mutate(EVIDENCE, "part: court,", "prat: court, part: court,"), "prat", "part", 11, 15),
])
def test_an_unknown_field_is_located_at_its_key_with_a_suggestion(schema, text, field, suggestion, line, column):
    _, diags = check(text, schema)
    assert summary(diags) == [("schema.unknown-field", f"unknown field '{field}' (did you mean '{suggestion}'?)",
                               line, column)]


def test_an_unknown_field_without_a_close_match_has_no_suggestion():
    _, diags = check(MINI + "zzzzzz: 1\n")
    assert summary(diags) == [("schema.unknown-field", "unknown field 'zzzzzz'", 15, 1)]


# --- missing required fields -----------------------------------------------------------------

def test_every_missing_required_field_is_reported():
    _, diags = check("id: mini\n")
    assert summary(diags) == sorted(
        ("schema.required", f"missing required field '{f}'", 1, 1)
        for f in ("version", "title", "status", "scales", "tiers", "nodes"))


@pytest.mark.parametrize("schema, text, fields, line, column", [
    ("framework", mutate(MINI, "{id: bad, label: Bad}", "{id: bad}"), ["label"], 8, 9),
    ("framework", mutate(MINI, "  - {id: standard, label: Standard, rule: lowest(children)}", "  - {rule: x}"),
     ["id", "label"], 11, 5),
    ("evidence", mutate(EVIDENCE, "{id: C01, part: court, answers: {\"3\": yes, \"4\": n/a}}", "{id: C01}"),
     ["part", "answers"], 11, 5),
    ("evidence", mutate(EVIDENCE, "{rating: bad, note: A note}", "{note: A note}"), ["rating"], 6, 8),
])
def test_nested_missing_fields_are_located_at_their_mapping(schema, text, fields, line, column):
    _, diags = check(text, schema)
    assert summary(diags) == sorted(("schema.required", f"missing required field '{f}'", line, column)
                                    for f in fields)


def test_yes_needs_of():
    _, diags = check(mutate(EVIDENCE, "{yes: 1, of: 2}", "{yes: 1}"), "evidence")
    assert summary(diags) == [("schema.required", "'of' is needed with 'yes'", 8, 8)]


# --- wrong types, in plain words -------------------------------------------------------------

@pytest.mark.parametrize("schema, old, new, message, line, column", [
    ("framework", "title: Mini", "title: [a, b]", "expected a text, got a list", 3, 8),
    ("framework", "title: Mini", "title: {a: 1}", "expected a text, got a mapping", 3, 8),
    ("framework", "    title: One", "    rated: maybe", "expected true or false, got 'maybe'", 14, 12),
    ("framework", "    title: One", "    counts_toward_overall: 1", "expected true or false, got the number 1",
     14, 28),
    ("framework", "    title: One", "    children: {id: x}", "expected a list, got a mapping", 14, 15),
    ("framework", "{id: bad, label: Bad}", "{id: bad, label: Bad, score: high}", "expected a number, got 'high'",
     8, 38),
    ("framework", "tiers:\n", "tiers: 3\nxtiers:\n", "expected a list, got the number 3", 10, 8),
    ("evidence", "subject: Somewhere YOS", "subject: [x]", "expected a text, got a list", 2, 10),
    ("evidence", "date: 2021-12", "partial: yes", "expected true or false or a list, got 'yes' ('yes' meant true in YAML 1.1; "
     "bandstand reads YAML 1.2, where it is text: write true)", 3, 10),
    ("evidence", "{yes: 1, of: 2}", "{yes: 1.5, of: 2}", "expected a whole number, got the number 1.5", 8, 14),
    ("evidence", '"4": {percent: 65}', '"4": 65', "expected a mapping (key: value), got the number 65 "
     "(write {percent: 65} or {yes: 11, of: 17})", 9, 8),
    ("evidence", "{rating: bad, note: A note}", "{rating: [bad]}", "expected a text or nothing (null), got a list",
     6, 17),
    ("evidence", 'answers: {"3": yes, "4": n/a}', "answers: [yes]", "expected a mapping (key: value), got a list",
     11, 37),
    ("evidence", "cases:\n  - {id: C01, part: court, answers: {\"3\": yes, \"4\": n/a}}", "cases: {a: 1}",
     "expected a text or a list, got a mapping", 10, 8),
])
def test_wrong_types_are_worded_plainly(schema, old, new, message, line, column):
    base = MINI if schema == "framework" else EVIDENCE
    _, diags = check(mutate(base, old, new), schema)
    diags = [d for d in diags if d.code != "schema.unknown-field"]
    assert summary(diags) == [("schema.type", message, line, column)]
    assert_plain(diags)


@pytest.mark.parametrize("text, schema", [("[1, 2]\n", "evidence"), ("hello\n", "framework")])
def test_a_document_that_is_not_a_mapping(text, schema):
    _, diags = check(text, schema)
    assert [(d.code, d.line, d.column) for d in diags] == [("schema.type", 1, 1)]
    assert diags[0].message.startswith("expected a mapping (key: value), got ")


@pytest.mark.parametrize("schema, old, new, code, message", [
    ("framework", "id: mini", "id: Mini Framework", "schema.pattern",
     "expected an id of lower-case letters, digits, '-' and '_', starting with a letter; got 'Mini Framework'"),
    ("framework", "title: Mini", "title: ''", "schema.empty", "must not be empty text"),
    ("framework", "version: \"1\"", "version: \"1\"\nbandstand: 2", "schema.const", "expected 1, got the number 2"),
    ("evidence", "framework: mini@1", "framework: HMIP youth", "schema.pattern",
     "expected a framework written id@version (such as hmip-youth@2018); got 'HMIP youth'"),
    ("evidence", "{percent: 65}", "{percent: 120}", "schema.range", "must be at most 100; got the number 120"),
    ("evidence", "{yes: 1, of: 2}", "{yes: -1, of: 2}", "schema.range", "must be at least 0; got the number -1"),
    ("evidence", "{percent: 65}", "{}", "schema.empty", "must not be empty"),
])
def test_other_constraints_are_worded_plainly(schema, old, new, code, message):
    base = MINI if schema == "framework" else EVIDENCE
    _, diags = check(mutate(base, old, new), schema)
    assert [(d.code, d.message) for d in diags] == [(code, message)]
    assert_plain(diags)


# --- every problem at once -------------------------------------------------------------------

def test_three_problems_give_three_diagnostics():
    text = "subject: [x]\njudgments: {}\npartial: maybe\n"
    _, diags = check(text, "evidence")
    assert summary(diags) == [
        ("schema.type", "expected a text, got a list", 1, 10),
        ("schema.type", "expected true or false or a list, got 'maybe'", 3, 10),
        ("schema.unknown-field", "unknown field 'judgments' (did you mean 'judgements'?)", 2, 1),
    ]


def test_problems_in_different_places_of_a_framework_are_all_reported():
    text = mutate(MINI, "status: draft", "status: drafty")
    text = mutate(text, "{id: good, label: Good}", "{id: good}")
    text = mutate(text, "    title: One", "    titel: One")
    _, diags = check(text)
    assert [(d.code, d.line) for d in sorted(diags, key=lambda d: d.line)] == [
        ("schema.enum", 4), ("schema.required", 9), ("schema.unknown-field", 14)]
    assert_plain(diags)


# --- ids written as numbers ------------------------------------------------------------------

def test_ids_written_as_numbers_are_read_as_written():
    text = mutate(MINI, 'version: "1"', "version: 2018")
    text = mutate(text, '  - id: "1"\n    title: One',
                  "  - id: 2.10\n    title: One\n    children:\n      - id: 3\n      - id: 2.10.1\n      - id: 1.0")
    doc = load_text(text, "f.yaml")
    assert doc.data["nodes"][0]["id"] == 2.1  # before validation: what YAML read
    assert validate(doc, "framework") == []
    assert doc.data["version"] == "2018"
    assert doc.data["nodes"][0]["id"] == "2.10"
    assert [c["id"] for c in doc.data["nodes"][0]["children"]] == ["3", "2.10.1", "1.0"]


def test_numbers_and_booleans_written_for_text_in_evidence_are_kept_as_written():
    text = mutate(EVIDENCE, "{id: C01, part: court,", "{id: 007, part: court, label: true,")
    text = mutate(text, "subject: Somewhere YOS", "subject: 1.50")
    doc = load_text(text, "f.yaml")
    assert validate(doc, "evidence") == []
    assert doc.data["subject"] == "1.50"
    assert doc.data["cases"][0]["id"] == "007"
    assert doc.data["cases"][0]["label"] == "true"


def test_numbers_stay_numbers_where_numbers_are_wanted():
    doc = load_text(EVIDENCE, "f.yaml")
    assert validate(doc, "evidence") == []
    assert doc.data["key_questions"]["3"] == {"yes": 1, "of": 2}
    assert doc.data["key_questions"]["4"] == {"percent": 65}


# --- enums -----------------------------------------------------------------------------------

@pytest.mark.parametrize("schema, old, new, options, got, line, column", [
    ("framework", "status: draft", "status: publsihed", "draft, published, superseded",
     "'publsihed' (did you mean 'published'?)", 4, 9),
    ("framework", "status: draft", "status: 3", "draft, published, superseded", "the number 3", 4, 9),
    ("framework", "    title: One", "    judged: sometimes", "true, false, optional", "'sometimes'", 14, 13),
    ("evidence", '"4": n/a', '"4": maybe',
     "yes, no, n/a, na, Yes, No, N/A, NA, y, n, Y, N, true, false, null", "'maybe'", 11, 53),
])
def test_enum_errors_list_the_options(schema, old, new, options, got, line, column):
    base = MINI if schema == "framework" else EVIDENCE
    _, diags = check(mutate(base, old, new), schema)
    assert summary(diags) == [("schema.enum", f"expected one of: {options}; got {got}", line, column)]


def test_a_band_table_unit_enum_suggests_the_option():
    text = MINI + "bands:\n  - id: kq\n    scale: rating\n    unit: percentage\n    bands:\n      - {level: good}\n"
    _, diags = check(text)
    assert summary(diags) == [("schema.enum", "expected one of: percent, score, number; got 'percentage' "
                                              "(did you mean 'percent'?)", 18, 11)]


def test_a_limit_with_both_bounds_is_refused():
    text = MINI + "limits:\n  - {id: cap, applies_to: overall, when: x, at_most: good, at_least: bad}\n"
    _, diags = check(text)
    assert [(d.code, d.line) for d in diags] == [("schema.invalid", 16)]
    assert "exactly one" in diags[0].message and "at_most" in diags[0].message
    assert_plain(diags)


def test_wrong_contents_of_a_rounding_mapping_are_named():
    text = (MINI + "bands:\n  - id: kq\n    scale: rating\n    rounding: {places: 9, mode: sideways}\n"
            "    bands:\n      - {level: good}\n")
    _, diags = check(text)
    codes = sorted(d.code for d in diags)
    assert codes == ["schema.enum", "schema.range"]
    assert not any("got a mapping" in d.message for d in diags)


@pytest.mark.parametrize("written", ["null", "~"])
def test_null_is_not_turned_into_text(written):
    doc, diags = check(mutate(EVIDENCE, "subject: Somewhere YOS", f"subject: {written}"), "evidence")
    assert doc.data["subject"] is None
    assert summary(diags) == [("schema.type", "expected a text, got nothing", 2, 10)]


# --- no raw jsonschema wording, whatever the document ----------------------------------------

def _paths(data, prefix=()):
    if prefix:
        yield prefix
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _paths(v, prefix + (i,))


_TEXT = st.text(alphabet="abcxyz_-.01 ", max_size=8)
_KEY = st.text(alphabet="abcxyz_-.01", min_size=1, max_size=8)
_JUNK = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 200) | st.floats(allow_nan=False, allow_infinity=False) | _TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEY, inner, max_size=3),
    max_leaves=6)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schema=st.sampled_from(["framework", "evidence"]), data=st.data())
def test_messages_are_never_raw_jsonschema_wording(schema, data):
    base = copy.deepcopy(load_text(MINI if schema == "framework" else EVIDENCE).data)
    path = data.draw(st.sampled_from(list(_paths(base))))
    parent = base
    for key in path[:-1]:
        parent = parent[key]
    if isinstance(parent, list) or data.draw(st.booleans()):
        parent[path[-1]] = data.draw(_JUNK)  # a wrong value
    else:
        parent[data.draw(_KEY)] = data.draw(_JUNK)  # an extra field
    doc = load_text(json.dumps(base, indent=1), "f.yaml")
    diags = validate(doc, schema)
    assert_plain(diags)
