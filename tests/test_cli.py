"""The command line, through ``bandstand.cli.main(argv)``: output, exit codes, errors.

Exit codes: 0 success; 1 a failed check or test; 2 unusable input or usage;
3 an internal error (a bug). No run may show a traceback unless --debug.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

import bandstand.cli
from bandstand.catalogue import bundled_dir

from helpers import run

FRAMEWORK = bundled_dir() / "hmip-youth-2018.yaml"
EXAMPLES = bundled_dir() / "examples" / "hmip-youth-2018"
PUBLISHED = EXAMPLES / "bedfordshire-2021-published.yaml"
MINI = Path(__file__).resolve().parent / "cases" / "mini.yaml"




def lines(text: str) -> list[str]:
    return text.splitlines()


# -- list and schema ----------------------------------------------------------------------


def test_list_shows_the_bundled_framework(capsys):
    code, out, err = run(capsys, "list")
    assert code == 0 and err == ""
    rows = lines(out)
    assert rows[0].split()[:2] == ["FRAMEWORK", "STATUS"]
    row = next(r for r in rows if r.startswith("hmip-youth@2018 "))
    assert "published" in row
    assert "Inspection of youth offending services (2018 standards)" in row


@pytest.mark.parametrize("which, title", [("framework", "bandstand framework"), ("evidence", "bandstand evidence")])
def test_schema_prints_json_schema(capsys, which, title):
    code, out, err = run(capsys, "schema", which)
    assert code == 0 and err == ""
    data = json.loads(out)
    assert data["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert data["title"] == title


def test_schema_of_an_unknown_kind(capsys):
    code, out, err = run(capsys, "schema", "results")
    assert code == 2 and out == ""
    assert len(lines(err)) == 1 and err.startswith("bandstand: error: ")


# -- validate ------------------------------------------------------------------------------


def test_validate_the_bundled_framework(capsys):
    code, out, err = run(capsys, "validate", FRAMEWORK)
    assert code == 0 and err == ""
    (line,) = lines(out)
    assert re.fullmatch(rf"{re.escape(str(FRAMEWORK))}: ok \(framework hmip-youth@2018, \d+ nodes\)", line)


def test_validate_a_good_framework(capsys):
    code, out, err = run(capsys, "validate", MINI)
    assert code == 0 and err == ""
    assert lines(out)[0].startswith(f"{MINI}: ok (framework mini@1, ")


def test_validate_counts_the_nodes_of_the_hierarchy(capsys):
    code, out, _ = run(capsys, "validate", MINI)
    assert lines(out) == [f"{MINI}: ok (framework mini@1, 7 nodes)"]


def test_validate_a_bad_framework_lists_every_problem_located(capsys, tmp_path):
    text = MINI.read_text(encoding="utf-8")
    text = text.replace("{level: requires_improvement, min: 50, max: 64}", "{level: requires_improvement, min: 52, max: 64}")
    text = text.replace("rule: lowest(children)", "rule: lowset(children)")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    code, out, err = run(capsys, "validate", bad)
    assert code == 1 and err == ""
    assert lines(out) == [
        f"{bad}:24:9: error: band table 'key_question': 50% to 51% falls in no band (the table must cover "
        "0% to 100% exactly once) [check.band-gap]",
        f"{bad}:41:11: error: unknown function 'lowset' (did you mean 'lowest'?) [check.unknown-function]",
    ]


def test_validate_a_framework_with_warnings_only(capsys, tmp_path):
    text = MINI.read_text(encoding="utf-8").replace(
        "tiers:\n", "  - id: spare\n    scale: rating\n    bands:\n      - {level: inadequate, below: 50}\n"
                    "      - {level: outstanding, min: 50}\ntiers:\n")
    path = tmp_path / "warned.yaml"
    path.write_text(text, encoding="utf-8")
    code, out, err = run(capsys, "validate", path)
    assert code == 0
    assert lines(out)[0] == f"{path}:35:5: warning: band table 'spare' is not used by any rule [check.unused-band]"


def test_validate_a_missing_file(capsys, tmp_path):
    missing = tmp_path / "nothing.yaml"
    code, out, err = run(capsys, "validate", missing)
    assert code == 2
    assert lines(out + err) == [f"{missing}: error: no such file: {missing} [input.missing]"]


def test_validate_a_missing_file_among_good_ones(capsys, tmp_path):
    code, out, err = run(capsys, "validate", MINI, tmp_path / "nothing.yaml")
    assert code == 2
    assert any(line.startswith(f"{MINI}: ok") for line in lines(out))


def test_validate_evidence(capsys):
    code, out, err = run(capsys, "validate", PUBLISHED)
    assert code == 0
    assert lines(out) == [f"{PUBLISHED}: ok (evidence for hmip-youth@2018)"]


def test_validate_bad_evidence(capsys, tmp_path):
    path = tmp_path / "bad-evidence.yaml"
    path.write_text(PUBLISHED.read_text(encoding="utf-8").replace('"1.1": Requires improvement', '"1.1": Brilliant'),
                    encoding="utf-8")
    code, out, err = run(capsys, "validate", path)
    assert code == 1
    assert lines(out) == [f"{path}:11:10: error: 'Brilliant' is not a level of scale 'rating'; expected one of: "
                          "inadequate, requires_improvement, good, outstanding [evidence.level]"]


def test_validate_a_file_that_is_not_yaml(capsys, tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("id: x\nnodes: [1, 2\n", encoding="utf-8")
    code, out, err = run(capsys, "validate", path)
    assert code == 1
    (line,) = lines(out)
    assert line.startswith(f"{path}:3:1: error: ") and line.endswith("[yaml.syntax]")


# -- evaluate --------------------------------------------------------------------------------


def test_evaluate_published_evidence_as_json(capsys):
    code, out, err = run(capsys, "evaluate", "hmip-youth@2018", PUBLISHED, "--format", "json")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert data["framework"]["id"] == "hmip-youth" and data["framework"]["version"] == "2018"
    assert data["subject"] == "Bedfordshire YOS"
    assert data["overall"]["rating"] == "requires_improvement"
    assert data["overall"]["score"] == 14
    assert data["overall"]["max_score"] == 36
    assert data["nodes"]["2.1"]["rating"] == "inadequate"
    assert data["nodes"]["2.1"]["decided_by"] == ["2.1.1"]
    assert data["nodes"]["2.2"]["decided_by"] == ["2.2.2", "2.2.3"]
    assert data["nodes"]["4.1"]["rating"] == "good"
    assert data["limits_applied"] == []


def test_evaluate_by_framework_file_gives_the_same_result(capsys):
    _, by_id, _ = run(capsys, "evaluate", "hmip-youth@2018", PUBLISHED, "--format", "json")
    code, by_path, err = run(capsys, "evaluate", FRAMEWORK, PUBLISHED, "--format", "json")
    assert code == 0
    assert json.loads(by_path)["overall"] == json.loads(by_id)["overall"]


def test_evaluate_as_markdown(capsys):
    code, out, err = run(capsys, "evaluate", "hmip-youth@2018", PUBLISHED, "--format", "markdown")
    assert code == 0 and err == ""
    assert lines(out)[0] == "# Bedfordshire YOS: Requires improvement"
    assert "**Overall rating: Requires improvement** (score 14 of 36)" in out
    assert "| 1.1 Governance and leadership | Requires improvement |" in out


@pytest.mark.parametrize("extra", [(), ("--format", "text")])
def test_evaluate_as_text(capsys, extra):
    code, out, err = run(capsys, "evaluate", "hmip-youth@2018", PUBLISHED, *extra)
    assert code == 0 and err == ""
    assert "Overall rating: Requires improvement (score 14 of 36)" in out
    assert "Bedfordshire YOS" in lines(out)[0]
    assert "{" not in lines(out)[0]  # not JSON


def test_evaluate_output_file(capsys, tmp_path):
    target = tmp_path / "result.json"
    code, out, err = run(capsys, "evaluate", "hmip-youth@2018", PUBLISHED, "--format", "json", "--output", target)
    assert code == 0 and out == "" and err == ""
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["overall"]["rating"] == "requires_improvement"
    _, printed, _ = run(capsys, "evaluate", "hmip-youth@2018", PUBLISHED, "--format", "json")
    assert target.read_text(encoding="utf-8") == printed
    assert [p.name for p in tmp_path.iterdir()] == ["result.json"]  # no temporary file left


def test_evaluate_output_to_a_directory(capsys, tmp_path):
    code, out, err = run(capsys, "evaluate", "hmip-youth@2018", PUBLISHED, "--output", tmp_path)
    assert code == 2 and out == ""
    assert lines(err) == [f"{tmp_path}: error: {tmp_path} is a directory; expected a file to write "
                          "[input.directory]"]


def test_evaluate_output_into_a_missing_folder(capsys, tmp_path):
    target = tmp_path / "no" / "such" / "result.json"
    code, out, err = run(capsys, "evaluate", "hmip-youth@2018", PUBLISHED, "--output", target)
    assert code == 2
    assert len(lines(err)) == 1 and "bug" not in err


def test_unknown_format(capsys):
    code, out, err = run(capsys, "evaluate", "hmip-youth@2018", PUBLISHED, "--format", "xml")
    assert code == 2 and out == ""
    assert len(lines(err)) == 1
    assert err.startswith("bandstand: error: ")
    assert "xml" in err and "json" in err


@pytest.mark.parametrize("argv", [("frobnicate",), ("evaluate", "hmip-youth@2018"), ("--no-such-option", "list")])
def test_usage_errors(capsys, argv):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert len(lines(err)) == 1 and err.startswith("bandstand: error: ")


def test_unknown_framework_id(capsys):
    code, out, err = run(capsys, "evaluate", "nosuch@2018", PUBLISHED)
    assert code == 2 and out == ""
    (line,) = lines(err)
    assert line.startswith("bandstand: error: unknown framework 'nosuch'; known ids: ")
    assert "hmip-youth," in line and line.endswith("[input.framework]")


def test_unknown_framework_version(capsys):
    code, out, err = run(capsys, "evaluate", "hmip-youth@2099", PUBLISHED)
    assert code == 2 and out == ""
    assert lines(err) == ["bandstand: error: framework 'hmip-youth' has no version '2099'; versions: 2018-original, 2018 "
                          "[input.framework]"]


def test_missing_framework_file(capsys, tmp_path):
    missing = tmp_path / "fw.yaml"
    code, out, err = run(capsys, "evaluate", missing, PUBLISHED)
    assert code == 2 and out == ""
    (line,) = lines(err)
    assert line.startswith(f"{missing}: error: no such framework file: {missing}")
    assert line.endswith("[input.missing]")


def test_a_folder_without_evidence(capsys, tmp_path):
    """A folder is a batch of evidence files; an empty one is unusable input."""
    code, out, err = run(capsys, "evaluate", "hmip-youth@2018", tmp_path)
    assert code == 2 and out == ""
    assert lines(err) == [f"{tmp_path}: error: {tmp_path} holds no evidence files (.yaml, .yml, .json, .csv, .tsv) "
                          "[input.empty]"]


def test_missing_evidence(capsys, tmp_path):
    code, out, err = run(capsys, "evaluate", "hmip-youth@2018", tmp_path / "nothing.yaml")
    assert code == 2 and out == ""
    assert lines(err) == [f"{tmp_path / 'nothing.yaml'}: error: no such file: {tmp_path / 'nothing.yaml'} "
                          "[input.missing]"]


def test_malformed_evidence_lists_located_errors(capsys, tmp_path):
    path = tmp_path / "bad.yaml"
    text = PUBLISHED.read_text(encoding="utf-8")
    text = text.replace('"2.1.1": {percent: 17}', '"2.1.1": {percent: 100.5}')
    text = text.replace('"2.1.2": {percent: 50}', '"2.1.2": {percent: -50}')
    path.write_text(text, encoding="utf-8")
    code, out, err = run(capsys, "evaluate", "hmip-youth@2018", path)
    assert code == 2 and out == ""
    assert lines(err) == [
        f"{path}:20:22: error: must be at most 100; got the number 100.5 [schema.range]",
        f"{path}:21:22: error: must be at least 0; got the number -50 [schema.range]",
    ]


def test_evidence_that_does_not_fit_the_framework(capsys, tmp_path):
    path = tmp_path / "bad.yaml"
    text = PUBLISHED.read_text(encoding="utf-8")
    text = text.replace('"1.1": Requires improvement', '"1.1": Brilliant')
    text = text.replace('"3.4": Requires improvement', '"3.4": Requires improvement\n  "2.1": Good')
    path.write_text(text, encoding="utf-8")
    code, out, err = run(capsys, "evaluate", "hmip-youth@2018", path)
    assert code == 2 and out == ""
    assert [line.split(": error: ")[0] for line in lines(err)] == [f"{path}:11:10", f"{path}:16:10"]


def test_evidence_that_is_not_yaml(capsys, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_bytes(b"judgements: {\"1.1\": good\n")
    code, out, err = run(capsys, "evaluate", "hmip-youth@2018", path)
    assert code == 2 and out == ""
    (line,) = lines(err)
    assert line.startswith(f"{path}:2:1: error: ") and line.endswith("[yaml.syntax]")


# -- test ------------------------------------------------------------------------------------


def test_test_runs_the_bundled_examples(capsys):
    code, out, err = run(capsys, "test", "hmip-youth@2018")
    assert code == 0
    assert lines(out) == [
        "PASS hmip-youth@2018 bedfordshire-2021-published (37 checks)",
        "PASS hmip-youth@2018 bedfordshire-2021-cases (37 checks)",
        "PASS hmip-youth@2018 bedfordshire-2021-csv (37 checks)",
        "PASS hmip-youth@2018 constructed-resettlement-limit (8 checks)",
        "PASS hmip-youth@2018 constructed-good-19 (15 checks)",
        "PASS hmip-youth@2018 constructed-inadequate-6 (14 checks)",
        "6 passed, 0 failed",
    ]


def test_test_with_no_framework_runs_the_whole_catalogue(capsys):
    from bandstand import Catalogue

    catalogue = Catalogue()
    examples = sum(len(catalogue.load_path(e.path).examples) for e in catalogue.entries())
    code, out, err = run(capsys, "test")
    assert code == 0
    assert examples >= 3
    assert lines(out)[-1] == f"{examples} passed, 0 failed"


def test_test_fails_on_a_wrong_expectation(capsys, tmp_path):
    text = FRAMEWORK.read_text(encoding="utf-8")
    old = "overall: {rating: requires_improvement, score: 14}"
    assert text.count(old) == 1
    framework = tmp_path / "wrong.yaml"
    framework.write_text(text.replace(old, "overall: {rating: good, score: 14}"), encoding="utf-8")
    shutil.copytree(EXAMPLES, tmp_path / "examples" / "hmip-youth-2018")
    code, out, err = run(capsys, "test", framework)
    assert code == 1
    got = lines(out)
    for example in ("bedfordshire-2021-published", "bedfordshire-2021-cases", "bedfordshire-2021-csv"):
        i = got.index(f"FAIL hmip-youth@2018 {example}")
        assert got[i + 1] == "  overall: expected good, got requires_improvement"
    assert got[-1] == "3 passed, 3 failed"  # the constructed examples expect other ratings


def test_test_reports_missing_example_evidence(capsys, tmp_path):
    framework = tmp_path / "alone.yaml"
    shutil.copy(FRAMEWORK, framework)  # without the example files beside it
    code, out, err = run(capsys, "test", framework)
    assert code == 1
    assert lines(out)[-1] == "0 passed, 6 failed"
    assert sum(line.startswith("FAIL ") for line in lines(out)) == 6
    assert all("[input.missing]" in line for line in lines(out) if line.startswith("  "))


# -- internal errors ---------------------------------------------------------------------------


def _boom(*args, **kwargs):
    raise RuntimeError("boom")


def test_internal_error_is_one_line_saying_it_is_a_bug(capsys, monkeypatch):
    monkeypatch.setattr(bandstand.cli, "evaluate_evidence", _boom)
    code, out, err = run(capsys, "evaluate", "hmip-youth@2018", PUBLISHED)
    assert code == 3 and out == ""
    assert len(lines(err)) == 1
    assert err.startswith("bandstand: internal error (RuntimeError: boom)")
    assert "this is a bug" in err
    assert "--debug" in err


def test_internal_error_with_debug_shows_the_traceback(capsys, monkeypatch):
    monkeypatch.setattr(bandstand.cli, "evaluate_evidence", _boom)
    code, out, err = run(capsys, "--debug", "evaluate", "hmip-youth@2018", PUBLISHED)
    assert code == 3
    assert "Traceback (most recent call last)" in err
    assert "RuntimeError: boom" in err
    assert "_boom" in err  # the frame that raised
    assert lines(err)[-1].startswith("bandstand: internal error (RuntimeError: boom)")
