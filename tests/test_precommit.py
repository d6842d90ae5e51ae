"""The pre-commit hooks (.pre-commit-hooks.yaml), run through pre-commit as a user's repository would.

``pre-commit try-repo`` installs bandstand from a clone of this checkout, with
the working changes committed in the clone (so the test runs what is on disk,
whatever the last commit), and runs a hook on a scratch repository.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from helpers import ROOT
from test_validate_many import demo, where

GIT = ["git", "-c", "user.name=bandstand tests", "-c", "user.email=tests@example.invalid",
       "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"]


def git(*args, cwd) -> str:
    return subprocess.run([*GIT, *args], cwd=cwd, capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def hooks_repo(tmp_path_factory) -> Path:
    """A clone of this checkout with its working changes (modified, new, deleted) committed."""
    pytest.importorskip("pre_commit", reason="pre-commit is in the test extra: pip install -e '.[test]'")
    if shutil.which("git") is None or subprocess.run(["git", "-C", str(ROOT), "rev-parse"],
                                                     capture_output=True).returncode != 0:
        pytest.skip("not a git checkout (an unpacked sdist): pre-commit installs hooks from a git repository")
    clone = tmp_path_factory.mktemp("hooks") / "bandstand"
    git("clone", "-q", "--no-hardlinks", str(ROOT), str(clone), cwd=ROOT)
    listed = git("ls-files", "-z", "--modified", "--others", "--exclude-standard", cwd=ROOT)
    for name in filter(None, listed.split("\0")):
        source, target = ROOT / name, clone / name
        if source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
        elif target.exists():  # deleted in the working tree
            target.unlink()
    git("add", "-A", cwd=clone)
    if git("status", "--porcelain", cwd=clone):
        git("commit", "-q", "-m", "working changes", cwd=clone)
    return clone


def try_repo(hooks_repo, home, scratch):
    """``pre-commit try-repo`` of every hook in ``hooks_repo`` on every file of ``scratch``.

    try-repo builds the hooks' environment afresh each time (in a store of its own), so the tests run it twice only.
    """
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    env.pop("VIRTUAL_ENV", None)
    done = subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(hooks_repo), "--all-files"],
                          cwd=scratch, env=env, capture_output=True, text=True, timeout=300)
    if done.returncode not in (0, 1) or "An unexpected error has occurred" in done.stdout + done.stderr:
        log = home / "pre-commit.log"
        reason = log.read_text(encoding="utf-8")[-600:] if log.exists() else (done.stdout + done.stderr)[-600:]
        if "pip" in reason and ("Could not find a version" in reason or "No matching distribution" in reason
                                or "Failed to establish a new connection" in reason):
            pytest.skip(f"pre-commit could not build bandstand's hook environment offline: {reason}")
        raise AssertionError(f"pre-commit failed to run the hook:\n{done.stdout}\n{done.stderr}\n{reason}")
    return done


def scratch_repo(path: Path, files: dict[str, str]) -> Path:
    path.mkdir()
    git("init", "-q", cwd=path)
    for name, text in files.items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_text(text, encoding="utf-8")
    git("add", "-A", cwd=path)
    return path


def test_the_hooks_file_declares_both_hooks():
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    assert set(hooks) == {"bandstand-validate", "bandstand-test"}
    assert hooks["bandstand-validate"]["files"] == r"\.(ya?ml|json)$"
    assert hooks["bandstand-test"]["pass_filenames"] is False


def test_the_hooks_fail_on_a_framework_with_a_mistake_and_pass_when_it_is_fixed(hooks_repo, tmp_path):
    framework = (ROOT / "frameworks" / "hmip-youth-fji-2012.yaml").read_text(encoding="utf-8")
    evidence = (ROOT / "frameworks" / "examples" / "hmip-youth-fji" / "warwickshire-2013.yaml").read_text(
        encoding="utf-8")
    # Warwickshire 2013 was rated very good for 'sentence' (the report, as the bundled example says): expect good
    assert "        sentence: very_good\n" in framework
    wrong = framework.replace("        sentence: very_good\n", "        sentence: good\n", 1)
    scratch = scratch_repo(tmp_path / "methodology", {
        "frameworks/demo.yaml": demo(True),  # a misspelt function
        "frameworks/fji.yaml": wrong,  # an example expecting another rating
        "frameworks/examples/hmip-youth-fji/warwickshire-2013.yaml": evidence,
        ".pre-commit-config.yaml": "repos: []\n",  # YAML that is not bandstand's: skipped, not an error
        "mkdocs.yml": "site_name: methodology\n",
    })
    home = tmp_path / "pre-commit-home"
    failed = try_repo(hooks_repo, home, scratch)
    assert failed.returncode == 1, failed.stdout
    test, validate = failed.stdout.split("bandstand test.")[1].split("bandstand validate.")  # in id order
    line, col = where(demo(True), "lowset")
    assert validate.lstrip(".").startswith("Failed")
    assert (f"frameworks/demo.yaml:{line}:{col}: error: unknown function 'lowset' (did you mean 'lowest'?) "
            "[check.unknown-function]") in validate
    assert "frameworks/fji.yaml: ok (framework hmip-youth-fji@2012, 5 nodes)" in validate
    assert ("bandstand: skipped 2 files that are no framework, evidence or crosswalk file: .pre-commit-config.yaml, "
            "mkdocs.yml") in validate
    assert test.lstrip(".").startswith("Failed")
    assert "FAIL hmip-youth-fji@2012 warwickshire-2013" in test  # the framework that reads is still tested
    assert "frameworks/demo.yaml:27:43: error: unknown function 'lowset'" in test
    (scratch / "frameworks" / "demo.yaml").write_text(demo(False), encoding="utf-8")
    (scratch / "frameworks" / "fji.yaml").write_text(framework, encoding="utf-8")
    git("add", "-A", cwd=scratch)
    passed = try_repo(hooks_repo, home, scratch)
    assert passed.returncode == 0, passed.stdout
    assert [line.rsplit(".", 1)[-1] for line in passed.stdout.splitlines() if line.startswith("bandstand ")] == [
        "Passed", "Passed"]


# The composite action (action.yml): its shell steps, run as GitHub's runner would run them.

def action_steps() -> list[dict]:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    return action["runs"]["steps"], {name: spec.get("default", "") for name, spec in action["inputs"].items()}


def run_step(step: dict, inputs: dict, cwd: Path):
    """A `run:` step under bash as the runner runs it (bash -eo pipefail), its expressions filled in."""
    assert step["shell"] == "bash"

    def fill(value: str) -> str:
        value = re.sub(r"\$\{\{\s*inputs\.([a-z-]+)\s*\}\}", lambda m: inputs[m.group(1)], value)
        return value.replace("${{ github.action_path }}", str(ROOT))

    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           **{k: fill(v) for k, v in step.get("env", {}).items()}}
    assert "${{" not in step["run"]  # inputs reach the script through the environment only: no injection
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_the_action_validates_with_annotations_and_runs_the_examples(tmp_path):
    steps, defaults = action_steps()
    assert steps[0]["uses"].startswith("actions/setup-python@")
    install, validate, test = steps[1:]
    assert subprocess.run(["bash", "-n", "-c", install["run"]]).returncode == 0
    assert "pip install" in install["run"]
    scratch = scratch_repo(tmp_path / "methodology", {"frameworks/demo.yaml": demo(True),
                                                      "mkdocs.yml": "site_name: methodology\n"})
    done = run_step(validate, defaults, scratch)
    line, col = where(demo(True), "lowset")
    assert done.returncode == 1
    assert done.stdout == (f"::error file=frameworks/demo.yaml,line={line},col={col},title=check.unknown-function"
                           "::unknown function 'lowset' (did you mean 'lowest'?)\n")
    assert "!cancelled()" in test["if"]  # the examples run even when validate found problems
    (scratch / "frameworks" / "demo.yaml").write_text(demo(False), encoding="utf-8")
    assert run_step(validate, defaults, scratch).returncode == 0
    tested = run_step(test, {**defaults, "test": "frameworks"}, scratch)
    assert (tested.returncode, tested.stdout) == (0, "demo@1: no examples\n0 passed, 0 failed\n")
    # evidence naming a framework of the repository: found through the framework-path input
    (scratch / "evidence.yaml").write_text(("framework: demo@1\njudgements: {'1.1': good}\n"
                                             "key_questions: {'2.1.1': {yes: 3, of: 4}, '2.1.2': {percent: 60}}\n"), encoding="utf-8")
    assert run_step(validate, defaults, scratch).returncode == 2
    found = run_step(validate, {**defaults, "framework-path": "frameworks"}, scratch)
    assert found.returncode == 0, found.stdout
