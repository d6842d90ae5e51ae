"""``bandstand fmt``: one canonical layout, idempotent, comments kept, meaning unchanged.

The meaning test loads every bundled framework, evidence and crosswalk file,
and every file of the bad-input corpus that loads, before and after
formatting, and compares the models bandstand builds from them (every
field, positions aside). A file that does not load is refused and left
byte for byte as it was.
"""

from __future__ import annotations

import dataclasses
import enum
import random
import shutil
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from bandstand.catalogue import Catalogue, bundled_dir
from bandstand.cli import main
from bandstand.dsl import loader
from bandstand.errors import BandstandError, Position
from bandstand.fmt import files_in, format_text, kind_of, load_model

from test_bad_inputs import CASES, LINE, materialise

BUNDLED = bundled_dir()
ROOT = Path(__file__).resolve().parent.parent


def run(args, capsys, monkeypatch, cwd=None):
    if cwd is not None:
        monkeypatch.chdir(cwd)
    capsys.readouterr()
    with pytest.raises(SystemExit) as info:
        main(list(args))
    out, err = capsys.readouterr()
    return info.value.code, out, err


# -- models, compared ----------------------------------------------------------------------------------

_SKIP = {"pos", "path", "locate", "file", "parent", "bases", "diagnostics", "section_pos", "cases_pos",
         "framework_pos", "expr", "display",
         "facts"}  # derived from the rules, which are compared


def model(obj, depth=0):
    """Everything a loaded model says, as plain data: positions and file names left out, children by id."""
    assert depth < 60
    if isinstance(obj, (Position, loader.Document)):  # where things are written, not what they say
        return None
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out = {}
        for f in dataclasses.fields(obj):
            if f.name in _SKIP:
                continue
            value = getattr(obj, f.name)
            if f.name in ("children", "roots"):
                value = [c.id for c in value]
            out[f.name] = model(value, depth + 1)
        return (type(obj).__name__, out)
    if isinstance(obj, dict):
        return {str(k): model(v, depth + 1) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [model(v, depth + 1) for v in obj]
    if isinstance(obj, (set, frozenset)):
        return sorted(repr(model(v, depth + 1)) for v in obj)
    if isinstance(obj, (str, int, float, bool, Fraction, enum.Enum)) or obj is None:
        return obj
    if isinstance(obj, Path):
        return obj.name
    if hasattr(obj, "__dict__"):  # a plain class (a crosswalk): its attributes
        return (type(obj).__name__, {k: model(v, depth + 1) for k, v in vars(obj).items() if k not in _SKIP})
    return repr(obj)


def framework_essentials(fw) -> dict:
    """What the brief names, spelled out: nodes, rules' source text, bands, levels, limits."""
    return {
        "nodes": [(n.id, n.title, n.question, n.judged, n.rule.text if n.rule else None, n.rated,
                   n.counts_toward_overall, [c.id for c in n.children]) for n in fw.nodes.values()],
        "bands": {k: [(b.level.id, b.min, b.max, b.below, b.label) for b in t.bands] for k, t in fw.bands.items()},
        "levels": {k: [(lv.id, lv.label, lv.score) for lv in s.levels] for k, s in fw.scales.items()},
        "limits": [(lm.id, lm.applies_to, lm.when.text, lm.at_most and lm.at_most.id,
                    lm.at_least and lm.at_least.id) for lm in fw.limits],
    }


def models_of(files: list[Path]) -> dict:
    """The model of each file that loads (kind sniffed as fmt does), by path; files that do not are left out."""
    out = {}
    resolver = Catalogue([]).find
    for f in files:
        try:
            kind = kind_of(loader.load_file(f).data)
            if kind is None:
                continue
            m = load_model(str(f), kind, resolver=resolver)
        except BandstandError:
            continue
        out[f] = (kind, model(m), framework_essentials(m) if kind == "framework" else None)
    return out


def yaml_files(folder: Path) -> list[Path]:
    return [Path(p) for p, _ in files_in([str(folder)])]


def test_fmt_changes_no_meaning_of_any_bundled_file(tmp_path, capsys, monkeypatch):
    work = tmp_path / "frameworks"
    shutil.copytree(BUNDLED, work)
    files = yaml_files(work)
    before = models_of(files)
    assert {k for k, *_ in before.values()} == {"framework", "evidence", "crosswalk"}
    assert len(before) == len(files)  # every bundled YAML file loads, and each is formatted
    code, out, err = run(["fmt", str(work)], capsys, monkeypatch)
    assert code == 0, err
    after = models_of(files)
    assert after.keys() == before.keys()
    for f in files:
        assert after[f] == before[f], f
    code, out, err = run(["fmt", "--check", str(work)], capsys, monkeypatch)
    assert (code, out) == (0, ""), out  # idempotent: a second run changes nothing


@pytest.mark.parametrize("case_dir", CASES, ids=[p.name for p in CASES])
def test_fmt_changes_no_meaning_of_corpus_files_and_refuses_the_rest(case_dir, tmp_path, capsys, monkeypatch):
    work = materialise(case_dir, tmp_path)
    files = [p for p in sorted(work.rglob("*")) if p.is_file() and p.name != "case.yaml"
             and p.suffix.lower() in (".yaml", ".yml")]
    monkeypatch.delenv("BANDSTAND_PATH", raising=False)
    before = models_of(files)
    for f in files:
        text = f.read_bytes()
        code, out, err = run(["fmt", f.name], capsys, monkeypatch, cwd=f.parent)
        assert "Traceback" not in out + err
        if f in before:
            assert code == 0, err
            assert models_of([f]) == {f: before[f]}, f
            assert run(["fmt", "--check", f.name], capsys, monkeypatch)[0] == 0
        else:
            assert code == 2, (f, out, err)
            assert f.read_bytes() == text  # refused: left exactly as it was
            assert LINE.match(err.splitlines()[0]), err  # the loader's one-line located error


def test_the_bundled_files_are_formatted(capsys, monkeypatch):
    code, out, err = run(["fmt", "--check", str(ROOT / "frameworks")], capsys, monkeypatch)
    assert (code, out) == (0, ""), f"run `bandstand fmt frameworks` and commit the result:\n{out}"


# -- the layout --------------------------------------------------------------------------------------------

FRAMEWORK = """\
# header comment
nodes:
  - title: Standard  # the title
    id: 2.1.1.a
    rule: worst(children)
    children: []
scales:
- levels:
  - score: 0
    id: low
    label: Low
  id: rating
  label: Rating
# about the bands
bands:
  - id: kq
    scale: rating
    bands:
      - max: 49
        level: low
        min: 0
id: demo
bandstand: 1
version: 2018
"""


def test_keys_follow_the_schema_and_comments_move_with_their_keys():
    out = format_text(FRAMEWORK.replace("version: 2018", 'version: "2018"'), "framework")
    assert out.splitlines()[:4] == ["# header comment", "bandstand: 1", "id: demo", 'version: "2018"']
    assert "# about the bands\nbands:\n" in out  # the comment above bands is still above it
    assert "  - id: \"2.1.1.a\"\n    title: Standard  # the title\n" in out
    assert "      - {level: low, min: 0, max: 49}\n" in out  # a band row: one flow line, schema order
    assert out.index("scales:") < out.index("bands:") < out.index("nodes:")
    assert "  - id: rating\n    label: Rating\n    levels:\n      - id: low\n" in out  # indentation


def test_ids_are_quoted_where_a_yaml_1_1_reader_would_misread_them():
    text = 'judgements:\n  "1.1": good\n  1.2.3: good\n  "C01": good\n  "yes": good\npartial: [2.1.1, "x"]\n'
    out = format_text(text, "evidence")
    assert out == ('partial: ["2.1.1", x]\n'
                   'judgements:\n  "1.1": good\n  "1.2.3": good\n  C01: good\n  "yes": good\n')


def test_a_band_row_holding_a_comment_stays_in_block_style():
    text = "bands:\n  - id: kq\n    bands:\n      - level: low  # why\n        max: 49\n"
    assert "- level: low  # why\n" in format_text(text, "framework")


def test_check_lists_files_that_would_change_and_diff_shows_how(tmp_path, capsys, monkeypatch):
    (tmp_path / "evidence.yaml").write_text("subject: X\nframework: demo@1\n", encoding="utf-8")
    (tmp_path / "tidy.yaml").write_text("framework: demo@1\nsubject: X\n", encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text("site_name: x\n", encoding="utf-8")  # other YAML in a folder: skipped
    code, out, err = run(["fmt", "--check", "."], capsys, monkeypatch, cwd=tmp_path)
    assert (code, out) == (1, "would reformat ./evidence.yaml\n")
    assert err == "1 file would be reformatted, 1 left unchanged\n"
    code, out, err = run(["fmt", "--diff", "evidence.yaml"], capsys, monkeypatch)
    assert code == 0
    assert out.splitlines() == ["--- evidence.yaml", "+++ evidence.yaml (formatted)", "@@ -1,2 +1,2 @@",
                                "+framework: demo@1", " subject: X", "-framework: demo@1"]
    assert (tmp_path / "evidence.yaml").read_text(encoding="utf-8") == "subject: X\nframework: demo@1\n"
    code, out, err = run(["fmt", "evidence.yaml"], capsys, monkeypatch)
    assert (code, out) == (0, "reformatted evidence.yaml\n")
    assert (tmp_path / "evidence.yaml").read_text(encoding="utf-8") == "framework: demo@1\nsubject: X\n"


def test_a_file_that_does_not_load_is_refused_and_left_untouched(tmp_path, capsys, monkeypatch):
    bad = tmp_path / "evidence.yaml"
    bad.write_text("subject: X\njudgements:\n  1.1: [good\n", encoding="utf-8")
    before = bad.read_bytes()
    code, out, err = run(["fmt", "evidence.yaml"], capsys, monkeypatch, cwd=tmp_path)
    assert code == 2
    assert out == ""
    assert err.splitlines()[0].startswith("evidence.yaml:4:1: error: ")
    assert bad.read_bytes() == before
    (tmp_path / "notes.yaml").write_text("site_name: x\n", encoding="utf-8")
    code, out, err = run(["fmt", "notes.yaml"], capsys, monkeypatch)
    assert code == 2
    assert err.splitlines()[0] == ("notes.yaml:1:1: error: notes.yaml is not a framework, evidence or crosswalk "
                                   "file; fmt formats only those [input.kind]")


def test_formatting_keeps_the_file_mode(tmp_path, capsys, monkeypatch):
    f = tmp_path / "evidence.yaml"
    f.write_text("subject: X\nframework: demo@1\n", encoding="utf-8")
    f.chmod(0o640)
    assert run(["fmt", str(f)], capsys, monkeypatch)[0] == 0
    assert f.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["evidence.yaml"]  # no temporary file left behind


# -- idempotence on mutated bundled files ------------------------------------------------------------------

SOURCES = sorted(p for p in yaml_files(BUNDLED))


def _mutate(text: str, seed: int, indent: tuple[int, int, int]) -> str:
    """``text`` with keys shuffled, collections switched between flow and block style, another indentation."""
    import io

    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    rng = random.Random(seed)
    y = YAML()
    y.preserve_quotes = True
    y.width = 1 << 16
    mapping, sequence, offset = indent
    y.indent(mapping=mapping, sequence=max(sequence, offset + 2), offset=offset)
    data = y.load(text)

    def walk(node):
        if isinstance(node, CommentedMap):
            if rng.random() < 0.3:
                keys = list(node)
                rng.shuffle(keys)
                for k in keys:
                    node.move_to_end(k)
            for v in node.values():
                walk(v)
        elif isinstance(node, CommentedSeq):
            for v in node:
                walk(v)
        if isinstance(node, (CommentedMap, CommentedSeq)) and node and rng.random() < 0.1:
            if not any(isinstance(v, (CommentedMap, CommentedSeq)) for v in
                       (node.values() if isinstance(node, CommentedMap) else node)):
                node.fa.set_flow_style() if node.fa.flow_style() is False else node.fa.set_block_style()

    walk(data)
    out = io.StringIO()
    y.dump(data, out)
    return out.getvalue()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=st.sampled_from(SOURCES), seed=st.integers(0, 2**32),
       indent=st.tuples(st.integers(2, 4), st.integers(2, 4), st.integers(0, 2)))
def test_fmt_is_idempotent_on_mutated_bundled_files(source, seed, indent):
    text = source.read_text(encoding="utf-8")
    kind = kind_of(loader.load_text(text).data)
    mutated = _mutate(text, seed, indent)
    once = format_text(mutated, kind)
    assert format_text(once, kind) == once
    assert loader.load_text(once).data == loader.load_text(mutated).data  # the same data, whatever the layout


def test_a_date_like_text_that_is_no_date_is_kept_as_text(tmp_path, capsys, monkeypatch):
    # bandstand reads YAML 1.2, where 2021-13-01 is text; the round-trip library must not fail on it
    f = tmp_path / "evidence.yaml"
    f.write_text("notes: 2021-13-01\nsubject: X\n", encoding="utf-8")
    before = loader.load_file(f).data
    code, out, err = run(["fmt", str(f)], capsys, monkeypatch)
    assert code == 0, err
    assert loader.load_file(f).data == before
    assert "2021-13-01" in f.read_text(encoding="utf-8")
