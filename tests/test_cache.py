"""The cache of checked files: a hit gives what a fresh load gives, and a changed byte anywhere is a miss."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from bandstand import Catalogue, cache, evaluate, load_evidence, load_framework
from bandstand.dsl import schema
from bandstand.engine.evaluate import compile_framework
from bandstand.errors import BandstandError
from helpers import ROOT, copy_framework

EXAMPLES = ROOT / "frameworks" / "examples" / "hmip-youth-2018"


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    """A cache folder of this test's own."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("BANDSTAND_CACHE_DIR", str(folder))
    monkeypatch.delenv("BANDSTAND_NO_CACHE", raising=False)
    cache.reread_environment()
    yield folder
    cache.reread_environment()


def entries(folder: Path, kind: str) -> list[Path]:
    return sorted((folder / kind).glob("*")) if (folder / kind).is_dir() else []


def loads_from_text(monkeypatch) -> list[Path]:
    """Record every framework file parsed from text (a cache hit parses none)."""
    import bandstand.dsl as dsl

    seen: list[Path] = []
    real = dsl.resolve_document

    def spy(path, **kwargs):
        seen.append(Path(path))
        return real(path, **kwargs)

    monkeypatch.setattr(dsl, "resolve_document", spy)
    return seen


def test_a_hit_gives_the_same_framework_and_the_same_ratings(fresh_cache, monkeypatch, tmp_path):
    path = copy_framework(tmp_path / "fw")
    evidence = load_evidence(EXAMPLES / "bedfordshire-2021-cases.yaml")
    first = load_framework(path)
    assert len(entries(fresh_cache, "frameworks")) == 1
    parsed = loads_from_text(monkeypatch)
    second = load_framework(path)
    assert parsed == []  # served from the cache
    assert second is not first and second.ref == first.ref == "hmip-youth@2018"
    assert list(second.nodes) == list(first.nodes)
    assert [str(d) for d in second.diagnostics] == [str(d) for d in first.diagnostics]
    a, b = evaluate(first, evidence), evaluate(second, evidence)
    assert json.dumps(a.to_json(), sort_keys=True) == json.dumps(b.to_json(), sort_keys=True)
    assert b.overall.level.label == "Requires improvement"  # Bedfordshire 2021 as published


def test_a_changed_file_is_read_again(fresh_cache, monkeypatch, tmp_path):
    path = copy_framework(tmp_path / "fw")
    assert load_framework(path).title == "Inspection of youth offending services (2018 standards)"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("title: Inspection of youth offending services (2018 standards)",
                                 "title: A changed title"), encoding="utf-8")
    parsed = loads_from_text(monkeypatch)
    assert load_framework(path).title == "A changed title"
    assert parsed[:1] == [path]  # (and its base)


def test_a_changed_base_is_read_again(fresh_cache, monkeypatch, tmp_path):
    """hmip-youth@2018 extends the original 2018 version: a threshold moved in the base shows through."""
    path = copy_framework(tmp_path / "fw")
    before = load_framework(path)
    assert good_from(before) == 65
    base = tmp_path / "fw" / "youth-2018-original.yaml"
    text = base.read_text(encoding="utf-8")
    assert text.count("min: 65") == 1
    base.write_text(text.replace("min: 65", "min: 70").replace("max: 64", "max: 69"), encoding="utf-8")
    parsed = loads_from_text(monkeypatch)
    after = load_framework(path)
    assert parsed[:1] == [path]  # (and its base)
    assert good_from(after) == 70


def good_from(fw) -> int:
    return next(b.min for b in fw.bands["key_question"].bands if b.level.id == "good")


def test_a_base_found_elsewhere_is_a_miss(fresh_cache, monkeypatch, tmp_path):
    """The same extending file whose `extends` now finds another file (a copy beside it) is loaded again."""
    folder = tmp_path / "fw"
    path = copy_framework(folder)
    original = folder / "youth-2018-original.yaml"
    catalogue = Catalogue([folder])
    load_framework(path, resolver=catalogue.find)
    # the base is now another file with other bytes: the entry's record of it no longer holds
    text = original.read_text(encoding="utf-8")
    original.unlink()
    (folder / "renamed-original.yaml").write_text(text.replace("title: Assessment", "title: Renamed"),
                                                  encoding="utf-8")
    parsed = loads_from_text(monkeypatch)
    fw = load_framework(path, resolver=Catalogue([folder]).find)
    assert parsed[:1] == [path]  # (and its base)
    assert any(n.title == "Renamed" for n in fw.nodes.values())


def test_what_a_loaded_framework_depends_on_is_in_the_key(fresh_cache, tmp_path):
    """The limits in force and the name a file is shown by change what a load gives: each is its own entry."""
    from bandstand.limits import Limits

    path = copy_framework(tmp_path / "fw")
    load_framework(path)
    load_framework(path, limits=Limits(max_nodes=100_000))
    load_framework(path, display="shown-as.yaml")
    assert len(entries(fresh_cache, "frameworks")) == 3
    assert load_framework(path, display="shown-as.yaml").file.endswith("shown-as.yaml")


def test_a_framework_that_does_not_load_is_never_cached(fresh_cache, tmp_path):
    path = copy_framework(tmp_path / "fw", lambda t: t.replace("lowest(children)", "lowest(childrn)", 1))
    for _ in range(2):
        with pytest.raises(BandstandError, match="childrn"):
            load_framework(path)
    assert entries(fresh_cache, "frameworks") == []


def test_an_unreadable_entry_is_recomputed(fresh_cache, monkeypatch, tmp_path):
    path = copy_framework(tmp_path / "fw")
    load_framework(path)
    (entry,) = entries(fresh_cache, "frameworks")
    entry.write_bytes(b"not a pickle")
    parsed = loads_from_text(monkeypatch)
    assert load_framework(path).ref == "hmip-youth@2018"
    assert parsed[:1] == [path]  # (and its base)
    assert pickle.loads(entry.read_bytes())[1].ref == "hmip-youth@2018"  # and written again


def test_no_cache_writes_nothing(fresh_cache, monkeypatch, tmp_path):
    monkeypatch.setenv("BANDSTAND_NO_CACHE", "1")
    cache.reread_environment()
    path = copy_framework(tmp_path / "fw")
    load_framework(path)
    load_evidence(EXAMPLES / "bedfordshire-2021-cases.yaml")
    assert not fresh_cache.exists()


def test_an_unwritable_folder_only_costs_time(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("BANDSTAND_CACHE_DIR", str(blocker / "cache"))
    cache.reread_environment()
    try:
        assert cache.folder() is None
        assert load_framework(copy_framework(tmp_path / "fw")).ref == "hmip-youth@2018"
    finally:
        cache.reread_environment()


def test_the_compiled_form_is_not_pickled(hmip):
    compile_framework(hmip)
    assert "_compiled" in hmip.__dict__
    copy = pickle.loads(pickle.dumps(hmip))
    assert "_compiled" not in copy.__dict__
    assert compile_framework(copy) is not None


def test_a_schema_verdict_redoes_the_coercions(fresh_cache, tmp_path):
    """Text read as a number where the schema wants text (`subject: 2021`) is the text as written, hit or miss."""
    ev = tmp_path / "e.yaml"
    ev.write_text((EXAMPLES / "bedfordshire-2021-published.yaml").read_text(encoding="utf-8")
                  .replace("subject: Bedfordshire YOS", "subject: 1.10"), encoding="utf-8")
    first = load_evidence(ev)
    assert len(entries(fresh_cache, "schema")) == 1
    second = load_evidence(ev)
    assert first.subject == second.subject == "1.10"


def test_an_invalid_file_is_never_taken_for_valid(fresh_cache, tmp_path):
    ev = tmp_path / "e.yaml"
    ev.write_text("subject: x\njudgments: {}\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(BandstandError, match="judgments"):
            load_evidence(ev)
    assert entries(fresh_cache, "schema") == []


def test_catalogue_identities_follow_the_files(fresh_cache, tmp_path):
    folder = tmp_path / "fw"
    path = copy_framework(folder)
    refs = [e.ref for e in Catalogue([folder], include_bundled=False).entries()]
    assert refs == ["hmip-youth@2018-original", "hmip-youth@2018"]
    path.write_text(path.read_text(encoding="utf-8").replace('version: "2018"', 'version: "2018.1"'),
                    encoding="utf-8")
    again = [e.ref for e in Catalogue([folder], include_bundled=False).entries()]
    assert "hmip-youth@2018.1" in again and "hmip-youth@2018" not in again


def test_a_cached_run_imports_neither_lark_nor_jsonschema(fresh_cache):
    """The cold start: a second process finds everything checked and needs neither library."""
    code = ("import sys, bandstand; fw = bandstand.Catalogue().resolve('hmip-youth@2018'); "
            f"ev = bandstand.load_evidence({str(EXAMPLES / 'bedfordshire-2021-cases.yaml')!r}); "
            "r = bandstand.evaluate(fw, ev); "
            "print(r.overall.level.id, 'lark' in sys.modules, 'jsonschema' in sys.modules)")
    env = dict(os.environ, BANDSTAND_CACHE_DIR=str(fresh_cache))
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    second = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert first.stdout.split() == ["requires_improvement", "True", "True"]
    assert second.stdout.split() == ["requires_improvement", "False", "False"]


def test_the_grammar_tables_are_kept_in_the_cache(fresh_cache):
    from bandstand.dsl import parser

    parser._parser.cache_clear()
    try:
        parser.parse_expression("lowest(children)")
        assert (fresh_cache / "grammar.lark.pickle").is_file()
    finally:
        parser._parser.cache_clear()
    assert schema.load_schema("evidence")  # untouched by the cache


def test_off_turns_the_cache_off_within_a_block(fresh_cache, monkeypatch, tmp_path):
    path = copy_framework(tmp_path / "fw")
    with cache.off():
        assert cache.folder() is None
        load_framework(path)
    assert entries(fresh_cache, "frameworks") == []
    assert cache.folder() == fresh_cache
    load_framework(path)
    assert len(entries(fresh_cache, "frameworks")) == 1
