"""CI proves both ends of every declared range: .ci/floors.py pins every floor pyproject.toml writes."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import tomllib

import pytest

from helpers import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def floors_module():
    spec = importlib.util.spec_from_file_location("ci_floors", ROOT / ".ci" / "floors.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pins(*args: str) -> dict[str, str]:
    done = subprocess.run([sys.executable, str(ROOT / ".ci" / "floors.py"), *args],
                          capture_output=True, text=True, check=True)
    lines = [line for line in done.stdout.splitlines() if not line.startswith("#")]
    return dict(line.split("==") for line in lines)


def declared() -> dict[str, str]:
    """Every requirement pyproject.toml writes (run time, every extra, build backend): name -> its floor."""
    project = PYPROJECT["project"]
    reqs = project["dependencies"] + [r for extra in project["optional-dependencies"].values() for r in extra]
    out = {}
    for req in reqs + PYPROJECT["build-system"]["requires"]:
        name, rest = re.match(r"([A-Za-z0-9._-]+)(.*)", req).groups()
        if name.lower() == project["name"]:
            continue  # bandstand[docs], bandstand[bench]: the extras themselves are read above
        out[name.lower()] = re.search(r">=\s*([0-9][^,\s]*)", rest).group(1)
    return out


def test_every_declared_floor_is_pinned_by_the_lowest_versions_runs():
    # the run-time step pins the run-time floors; the extras step the test extra's, through docs and bench
    runtime, extras = pins("test"), pins("--extras-only", "test")
    names = {n.lower() for n in (re.match(r"[A-Za-z0-9._-]+", r).group(0) for r in PYPROJECT["project"]["dependencies"])}
    assert {n: runtime[n] for n in names} == {n: declared()[n] for n in names}
    assert runtime["hatchling"] == declared()["hatchling"]
    assert not names & set(extras)
    assert {**extras, **{n: runtime[n] for n in names}, "hatchling": runtime["hatchling"]} == declared()


def test_a_requirement_without_a_floor_is_refused():
    floors = floors_module()
    assert floors.floors(["lark>=1.1.9,<2", "click~=8.1"]) == ["click==8.1", "lark==1.1.9"]
    with pytest.raises(SystemExit) as e:
        floors.floors(["lark>=1.1.9", "pyyaml<7"])
    assert str(e.value) == "floors.py: 'pyyaml<7' in pyproject.toml has no lower bound; give it one (>=)"


def test_ci_runs_the_newest_and_both_lowest_versions_steps():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert 'PIP_CONSTRAINT="$lowest/floors.txt"' in ci and "floors.py test >" in ci
    assert 'PIP_CONSTRAINT="$lowest/extras.txt"' in ci and "floors.py --extras-only test >" in ci
    assert ci.index(".venv/bin/python -m pytest || exit") < ci.index("floors.py test >")  # the newest step fails the run
    done = subprocess.run(["bash", "-n", str(ROOT / ".ci" / "run")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
