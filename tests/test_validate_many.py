"""`bandstand validate` over folders, with output for CI: text, json, github, sarif (issue 16, section 1)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from helpers import ROOT

BAD = ROOT / "tests" / "bad_inputs" / "230-framework-unknown-field-and-rule-together" / "framework.yaml"


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "bandstand", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=120)


def demo(mistake: bool) -> str:
    """A small framework; with ``mistake``, its standard's rule calls 'lowset' (a misspelt 'lowest')."""
    text = BAD.read_text(encoding="utf-8").replace("titel:", "title:")
    return text if mistake else text.replace("lowset(", "lowest(")


def where(text: str, needle: str) -> tuple[int, int]:
    """The line and column (from 1) where ``needle`` first appears in ``text``."""
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return number, line.index(needle) + 1
    raise AssertionError(needle)


@pytest.fixture
def repo(tmp_path):
    """A methodology repository: a framework with a mistake, evidence, a crosswalk, and YAML that is not bandstand's."""
    (tmp_path / "frameworks").mkdir()
    (tmp_path / "frameworks" / "demo.yaml").write_text(demo(True), encoding="utf-8")
    (tmp_path / "evidence" / "2021").mkdir(parents=True)
    shutil.copy(ROOT / "frameworks" / "examples" / "hmip-youth-2018" / "bedfordshire-2021-published.yaml",
                tmp_path / "evidence" / "2021" / "bedfordshire.yaml")
    shutil.copy(ROOT / "frameworks" / "crosswalks" / "hmip-youth-2018-to-cci-2011.yaml", tmp_path / "walk.yml")
    (tmp_path / "mkdocs.yml").write_text("site_name: docs\nnav: [index.md]\n", encoding="utf-8")
    (tmp_path / "list.yaml").write_text("- a\n- b\n", encoding="utf-8")
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "ci.yml").write_text("on: push\njobs: {}\n", encoding="utf-8")
    (tmp_path / ".pre-commit-config.yaml").write_text("repos: []\n", encoding="utf-8")
    (tmp_path / "notes.csv").write_text("not,evidence\n", encoding="utf-8")
    return tmp_path


def test_a_folder_is_checked_file_by_file_with_the_kind_sniffed_and_other_yaml_skipped(repo):
    done = run("validate", ".", cwd=repo)
    line, col = where(demo(True), "lowset")
    assert done.returncode == 1, done.stderr
    out = done.stdout.splitlines()
    assert out[2] == (f"frameworks/demo.yaml:{line}:{col}: error: unknown function 'lowset' (did you mean 'lowest'?) "
                      "[check.unknown-function]")  # files first, then folders, each in name order
    assert out[:2] == ["walk.yml: ok (crosswalk from hmip-youth@2018 to hmip-youth-cci@2011)",
                       "evidence/2021/bedfordshire.yaml: ok (evidence for hmip-youth@2018)"]
    assert len(out) == 3
    # listed once: what is not a framework, evidence or crosswalk; hidden files and folders, CSV files are not read
    assert done.stderr == ("bandstand: skipped 2 files that are no framework, evidence or crosswalk file: "
                           "list.yaml, mkdocs.yml\n")
    (repo / "frameworks" / "demo.yaml").write_text(demo(False), encoding="utf-8")
    fixed = run("validate", ".", cwd=repo)
    assert fixed.returncode == 0, fixed.stdout
    assert "frameworks/demo.yaml: ok (framework demo@1, 4 nodes)" in fixed.stdout


def test_github_format_annotates_the_exact_line(repo):
    done = run("validate", "--output-format", "github", "frameworks", "evidence", cwd=repo)
    line, col = where(demo(True), "lowset")
    assert done.returncode == 1
    assert done.stdout == (f"::error file=frameworks/demo.yaml,line={line},col={col},title=check.unknown-function"
                           "::unknown function 'lowset' (did you mean 'lowest'?)\n")


def test_github_format_escapes_what_would_end_a_property_or_a_command():
    from bandstand.annotate import to_github
    from bandstand.errors import Diagnostic, WARNING

    d = Diagnostic("schema.type", "50% of a\nline", "a,b:c.yaml", 2, None, WARNING)
    assert to_github([d]) == "::warning file=a%2Cb%3Ac.yaml,line=2,title=schema.type::50%25 of a line\n"


def test_json_format_is_a_list_of_problems(repo):
    (repo / "frameworks" / "broken.yaml").write_text("bandstand: 1\nid: [unclosed\n", encoding="utf-8")
    done = run("validate", "--output-format", "json", "frameworks", cwd=repo)
    assert done.returncode == 1
    problems = json.loads(done.stdout)
    line, col = where(demo(True), "lowset")
    assert [(p["file"], p["code"], p["severity"]) for p in problems] == [
        ("frameworks/broken.yaml", problems[0]["code"], "error"),
        ("frameworks/demo.yaml", "check.unknown-function", "error")]
    assert problems[0]["code"].startswith("yaml.") and problems[0]["line"] >= 2  # a file that is not YAML is a problem
    assert (problems[1]["line"], problems[1]["column"]) == (line, col)
    assert set(problems[1]) == {"code", "severity", "message", "file", "line", "column"}


def test_sarif_format_has_a_rule_for_each_code_and_a_region_for_each_problem(repo):
    (repo / "frameworks" / "demo.yaml").write_text(demo(True).replace("title: Leadership", "titel: Leadership"),
                                                   encoding="utf-8")
    done = run("validate", "--output-format", "sarif", "frameworks", cwd=repo)
    assert done.returncode == 1
    log = json.loads(done.stdout)
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    (run_,) = log["runs"]
    rules = [r["id"] for r in run_["tool"]["driver"]["rules"]]
    assert rules == ["check.unknown-function", "schema.unknown-field"]
    found = {(r["ruleId"], r["level"], rules[r["ruleIndex"]] == r["ruleId"],
              r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
              r["locations"][0]["physicalLocation"]["region"]["startLine"],
              r["locations"][0]["physicalLocation"]["region"]["startColumn"]) for r in run_["results"]}
    text = demo(True).replace("title: Leadership", "titel: Leadership")
    assert found == {("check.unknown-function", "error", True, "frameworks/demo.yaml", *where(text, "lowset")),
                     ("schema.unknown-field", "error", True, "frameworks/demo.yaml", *where(text, "titel"))}


def test_machine_formats_give_an_empty_list_when_all_is_well(repo):
    (repo / "frameworks" / "demo.yaml").write_text(demo(False), encoding="utf-8")
    assert json.loads(run("validate", "--output-format", "json", ".", cwd=repo).stdout) == []
    done = run("validate", "--output-format", "github", "frameworks", cwd=repo)
    assert (done.returncode, done.stdout) == (0, "")
    assert json.loads(run("validate", "--output-format", "sarif", ".", cwd=repo).stdout)["runs"][0]["results"] == []


def test_a_named_file_is_checked_whatever_its_keys_unless_unknown_files_are_ignored(repo):
    named = run("validate", "mkdocs.yml", cwd=repo)  # a misspelt evidence file is not passed over in silence
    assert named.returncode == 1 and "mkdocs.yml:1:1: error:" in named.stdout
    ignored = run("validate", "--ignore-unknown", "mkdocs.yml", "walk.yml", cwd=repo)
    assert ignored.returncode == 0, ignored.stdout
    assert ignored.stderr == ("bandstand: skipped 1 file that is no framework, evidence or crosswalk file: "
                              "mkdocs.yml\n")


def test_unusable_input_exits_2(repo, tmp_path):
    (repo / "empty").mkdir()
    assert run("validate", "empty", cwd=repo).returncode == 2
    assert "empty holds no .yaml, .yml or .json files to check [input.empty]" in run("validate", "empty", cwd=repo).stdout
    both = run("validate", "empty", "frameworks", cwd=repo)  # the other paths are still checked
    assert both.returncode == 2 and "frameworks/demo.yaml:27:43: error: unknown function 'lowset'" in both.stdout
    missing = run("validate", "frameworks", "nowhere.yaml", cwd=repo)
    assert missing.returncode == 2
    assert "nowhere.yaml: error: no such file: nowhere.yaml [input.missing]" in missing.stdout


def test_evidence_naming_a_framework_id_is_checked_against_the_version_evaluate_uses():
    # Doncaster (2015) names hmip-youth-fji alone; its judgements fit only the 2016 court version (see the file)
    path = ROOT / "frameworks" / "examples" / "hmip-youth-fji" / "doncaster-2015.yaml"
    done = run("validate", str(path))
    assert done.returncode == 0, done.stdout
    assert done.stdout.endswith("ok (evidence for hmip-youth-fji@2016-court)\n")


def test_every_bundled_file_validates_as_a_folder():
    done = run("validate", "frameworks", cwd=ROOT)
    assert done.returncode == 0, done.stdout
    files = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "frameworks").rglob("*.yaml"))
    assert sorted(line.split(": ok")[0] for line in done.stdout.splitlines()) == files


def test_test_takes_a_folder_of_frameworks():
    done = run("test", "frameworks", cwd=ROOT)
    assert done.returncode == 0, done.stdout
    refs = {line.split()[1] for line in done.stdout.splitlines() if line.startswith("PASS ")}
    assert refs == {"hmip-youth@2018", "hmip-youth@2018-original", "hmip-youth-cci@2011", "hmip-youth-fji@2012",
                    "hmip-youth-fji@2014", "hmip-youth-fji@2016-court", "cqc-asc@2022", "yjb-indicators@2016-17",
                    "bucks-yos-plan@2023"}
    assert "hmip-youth@2018-good70: no examples" in done.stdout  # frameworks/what-if: found too
    empty = run("test", "docs", cwd=ROOT)
    assert empty.returncode == 2 and "docs holds no framework files" in empty.stderr


def test_validate_and_test_take_framework_path_after_the_command(tmp_path):
    # pre-commit appends a hook's args after its entry (bandstand validate ...): the option must work there
    fji = tmp_path / "frameworks"
    (fji / "examples" / "hmip-youth-fji").mkdir(parents=True)
    (fji / "fji.yaml").write_text((ROOT / "frameworks" / "hmip-youth-fji-2012.yaml").read_text(encoding="utf-8")
                                  .replace("\nid: hmip-youth-fji\n", "\nid: my-fji\n"), encoding="utf-8")
    evidence = fji / "examples" / "hmip-youth-fji" / "warwickshire-2013.yaml"
    evidence.write_text((ROOT / "frameworks" / "examples" / "hmip-youth-fji" / "warwickshire-2013.yaml")
                        .read_text(encoding="utf-8").replace("framework: hmip-youth-fji@2012", "framework: my-fji@2012"),
                        encoding="utf-8")
    without = run("validate", str(evidence))
    assert without.returncode == 2 and "unknown framework 'my-fji'" in without.stdout
    done = run("validate", str(evidence), "--framework-path", str(fji))
    assert done.returncode == 0, done.stdout
    assert run("test", "my-fji@2012", "--framework-path", str(fji)).stdout.startswith("PASS my-fji@2012 warwickshire")
