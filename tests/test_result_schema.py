"""The JSON contract: results carry a ``format`` version and match the result schema, written by hand.

Every output of the bundled examples (``evaluate --format json`` and ``jsonl``,
explained and ratings only, and both results of a ``compare --format json``)
is validated against ``bandstand schema result``, the generic schema and the
one narrowed to the framework. The schema is precise: a key it does not
document, a missing required key or a rating that is no level is refused.
"""

from __future__ import annotations

import copy
import re
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from bandstand import contract
from bandstand.catalogue import Catalogue
from bandstand.engine.evidence import inside

from helpers import ROOT


def run(*args, cwd=ROOT):
    done = subprocess.run([sys.executable, "-m", "bandstand", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)
    return done


def examples():
    """(framework ref, evidence path) of every example the bundled frameworks keep."""
    out = []
    for entry in Catalogue().entries():
        fw = Catalogue().load_path(entry.path)
        for ex in fw.examples:
            out.append((fw.ref, inside(fw.path.parent, ex.evidence)))
    return out


EXAMPLES = examples()


def problems(schema: dict, doc) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in jsonschema.Draft202012Validator(schema).iter_errors(doc)]


def test_the_schemas_are_valid_json_schemas_with_stable_distinct_ids():
    ids = []
    for name in contract.NAMES:
        schema = contract.load(name)
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["$id"] == f"https://bandstand.invalid/schemas/{name}.schema.json"  # documented: never changes
        ids.append(schema["$id"])
    assert len(set(ids)) == len(ids)
    fw = Catalogue().resolve("hmip-youth@2018")
    narrowed = contract.result_schema(fw)
    jsonschema.Draft202012Validator.check_schema(narrowed)
    assert narrowed["$id"] not in ids


def test_every_bundled_framework_keeps_examples_to_check():
    refs = {ref for ref, _ in EXAMPLES}
    assert {"hmip-youth@2018", "hmip-youth@2018-original", "hmip-youth-cci@2011"} <= refs
    assert len(EXAMPLES) >= 10


@pytest.mark.parametrize("ref, path", EXAMPLES, ids=[f"{r}:{p.name}" for r, p in EXAMPLES])
def test_every_example_result_matches_the_schema(ref, path, tmp_path):
    generic = contract.result_schema()
    narrowed = contract.result_schema(Catalogue().resolve(ref))
    out = tmp_path / "one.json"
    done = run("evaluate", ref, str(path), "--format", "json", "-o", str(out))
    assert done.returncode == 0, done.stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["format"] == 1 and next(iter(doc)) == "format"  # first, where a reader looks
    assert problems(generic, doc) == [] and problems(narrowed, doc) == []
    assert set(doc["nodes"]) == set(narrowed["$defs"]["result"]["properties"]["nodes"]["required"])
    done = run("evaluate", ref, str(path), "--format", "jsonl")
    assert done.returncode == 0, done.stderr
    (line,) = done.stdout.splitlines()
    assert json.loads(line) == doc  # the same document, on one line


@pytest.mark.parametrize("ratings_only", [False, True])
@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_every_batch_of_examples_matches_the_schema(fmt, ratings_only, tmp_path):
    generic = contract.result_schema()
    by_ref: dict[str, list[Path]] = {}
    for ref, path in EXAMPLES:
        by_ref.setdefault(ref, []).append(path)
    seen = 0
    for ref, paths in by_ref.items():
        if len(paths) < 2:
            continue
        out = tmp_path / f"batch.{fmt}"
        done = run("evaluate", ref, *map(str, paths), "--format", fmt, "-o", str(out),
                   *(["--ratings-only"] if ratings_only else []))
        assert done.returncode == 0, done.stderr
        text = out.read_text(encoding="utf-8")
        docs = json.loads(text) if fmt == "json" else [json.loads(line) for line in text.splitlines()]
        assert len(docs) == len(paths)
        narrowed = contract.result_schema(Catalogue().resolve(ref))
        for doc in docs:
            assert doc["format"] == 1
            assert problems(generic, doc) == [] and problems(narrowed, doc) == []
            seen += 1
    assert seen >= 8


def test_both_results_of_a_comparison_match_the_schema():
    generic = contract.result_schema()
    result = {"$ref": generic["$id"] + "#/$defs/result"}
    registry_schema = {"$schema": generic["$schema"], "$defs": {"contract": generic}, **result}
    examples_2018 = [p for r, p in EXAMPLES if r == "hmip-youth@2018"]
    for first, second in (("hmip-youth@2018-original", "hmip-youth@2018"), ("hmip-youth@2018", "hmip-youth-cci@2011")):
        done = run("compare", first, second, str(examples_2018[0]), "--format", "json")
        assert done.returncode == 0, done.stderr
        doc = json.loads(done.stdout)
        for side in ("first", "second"):
            assert problems(registry_schema, doc[side]) == [], side


def test_the_schema_is_precise(tmp_path):
    """What the schema refuses: it is no ``{"type": "object"}`` that passes anything."""
    ref, path = EXAMPLES[0]
    good = json.loads(run("evaluate", ref, str(path), "--format", "json").stdout)
    generic, narrowed = contract.result_schema(), contract.result_schema(Catalogue().resolve(ref))
    node = next(k for k, v in good["nodes"].items() if v["rating"] is not None)

    def broken(change):
        doc = copy.deepcopy(good)
        change(doc)
        return doc

    for doc in (broken(lambda d: d.pop("format")), broken(lambda d: d.update(format=2)),
                broken(lambda d: d["nodes"][node].pop("reason")), broken(lambda d: d["nodes"][node].update(by="guess")),
                broken(lambda d: d["nodes"][node].update(ratng="good")), broken(lambda d: d.update(extra=1)),
                broken(lambda d: d["overall"].pop("max_score")), broken(lambda d: d.pop("limits_applied"))):
        assert problems(generic, doc), doc
    # narrowed to the framework: a level it does not have, a node left out
    assert problems(narrowed, broken(lambda d: d["nodes"][node].update(rating="excellent")))
    assert problems(narrowed, broken(lambda d: d["nodes"].pop(node)))
    assert problems(generic, broken(lambda d: d["nodes"][node].update(rating="excellent"))) == []


def test_schema_prints_each_schema_and_writes_them_all(tmp_path):
    for name in contract.NAMES:
        done = run("schema", name)
        assert done.returncode == 0 and json.loads(done.stdout) == contract.load(name)
    done = run("schema", "result", "--framework", "hmip-youth@2018")
    assert json.loads(done.stdout)["$defs"]["level_id"]["enum"] == [
        "inadequate", "requires_improvement", "good", "outstanding"]
    done = run("schema", "--write", str(tmp_path / "schemas"))
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "schemas").iterdir()) == sorted(
        f"{n}.schema.json" for n in contract.NAMES)
    for name in contract.NAMES:
        assert json.loads((tmp_path / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8")) == (
            contract.load(name))
    usage = run("schema")
    assert usage.returncode == 2 and usage.stderr.startswith("bandstand: error: name one schema")


SCHEMA_COMMENT = re.compile(r"^# yaml-language-server: \$schema=(\S+)$", re.M)
SCHEMA_KEY = re.compile(r"^\$schema: (\S+)$", re.M)


def schema_references(folder: Path) -> list[tuple[Path, str]]:
    """(file, the schema path it names) for every ``$schema`` comment and key in the YAML files under ``folder``."""
    out = []
    for path in sorted(folder.rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        out += [(path, m.group(1)) for m in SCHEMA_COMMENT.finditer(text)]
        out += [(path, m.group(1)) for m in SCHEMA_KEY.finditer(text)]
    return out


def check_schema_references(folder: Path) -> int:
    """Every ``$schema`` in the frameworks under ``folder`` names a file beside them that is the schema of its kind."""
    refs = schema_references(folder)
    for path, named in refs:
        target = (path.parent / named).resolve()
        assert target.is_file(), f"{path}: $schema {named} does not resolve"
        kind = target.name.removesuffix(".schema.json")
        assert json.loads(target.read_text(encoding="utf-8")) == contract.load(kind), (path, named)
        assert ("crosswalks" in path.parts) == (kind == "crosswalk") and kind in ("framework", "crosswalk")
    return len(refs)


def test_the_schemas_the_shipped_frameworks_name_are_there_and_current(tmp_path):
    """The bundled frameworks name ``.schemas/`` beside them, which ships in the wheel with them; it holds exactly
    what ``bandstand schema --write`` writes, so it is never stale."""
    assert check_schema_references(ROOT / "frameworks") >= 13  # a comment and a key in each framework; the crosswalk
    done = run("schema", "--write", str(tmp_path / "fresh"))
    assert done.returncode == 0, done.stderr
    fresh = {p.name: p.read_bytes() for p in (tmp_path / "fresh").iterdir()}
    shipped = {p.name: p.read_bytes() for p in (ROOT / "frameworks" / ".schemas").iterdir()}
    assert shipped == fresh, "run: bandstand schema --write frameworks/.schemas"
