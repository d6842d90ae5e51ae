"""The package as its users get it: typed (py.typed, real signatures), licensed, its version in one place."""

from __future__ import annotations

import importlib.metadata
import re
import subprocess
import sys
import tomllib
import zipfile

import pytest

import bandstand
from helpers import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))

USER_SCRIPT = '''\
import bandstand
from bandstand import compile_framework, evaluate

framework = bandstand.Catalogue().resolve("hmip-youth@2018")
evidence = bandstand.load_evidence("inspection.yaml")
reveal_type(evaluate)
reveal_type(compile_framework)
reveal_type(evaluate(framework, evidence))
reveal_type(compile_framework(framework))
reveal_type(evaluate(framework, evidence).overall)
evaluate(framework, evidence, explain="no")
'''


def _short(type_text: str) -> str:
    """A revealed type with module paths left off (bandstand.engine.result.Result -> Result), unions written
    with ``|`` (as mypy writes them since 1.11; older versions, within the test extra's range, say Union[...])."""
    text = re.sub(r"\b(?:[A-Za-z_][A-Za-z0-9_]*\.)+([A-Za-z_][A-Za-z0-9_]*)", r"\1", type_text)
    text = re.sub(r"\bUnion\[([^\[\]]*)\]", lambda m: " | ".join(m.group(1).split(", ")), text)
    return re.sub(r"\bOptional\[([^\[\]]*)\]", r"\1 | None", text)


def test_mypy_sees_the_real_types_of_the_public_api(tmp_path):
    pytest.importorskip("mypy", reason="mypy is in the test extra: pip install -e '.[test]'")
    (tmp_path / "user.py").write_text(USER_SCRIPT, encoding="utf-8")
    # run where the user's script is, so bandstand is found installed (needing py.typed), not as source
    done = subprocess.run([sys.executable, "-m", "mypy", "--no-incremental", "--cache-dir", str(tmp_path / "cache"),
                           "--python-executable", sys.executable, "user.py"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    revealed = [_short(m) for m in re.findall(r'Revealed type is "(.*)"', done.stdout)]
    errors = [line for line in done.stdout.splitlines() if ": error:" in line]
    assert len(revealed) == 5, done.stdout
    evaluate_type, compile_type, result, compiled, overall = revealed
    assert evaluate_type.startswith("def (framework: Framework | CompiledFramework, evidence: Evidence | Bound"), (
        evaluate_type)
    assert evaluate_type.endswith("-> Result") and "explain: bool" in evaluate_type
    assert compile_type == "def (framework: Framework) -> CompiledFramework"
    assert (result, compiled, overall) == ("Result", "CompiledFramework", "NodeResult | None")
    # the one mistake in the script, and nothing else (no "missing library stubs or py.typed marker")
    assert len(errors) == 1 and errors[0].startswith("user.py:11: error: Argument \"explain\" to \"evaluate\""), (
        done.stdout)


def test_the_wrapped_functions_take_their_arguments_by_name():
    # the decorator that turns deep recursion into a located error once took the framework positionally only
    fw = bandstand.Catalogue().resolve("hmip-youth@2018")
    ev = bandstand.load_evidence(bandstand.bundled_dir() / "examples/hmip-youth-2018/bedfordshire-2021-published.yaml")
    compiled = bandstand.compile_framework(framework=fw)
    result = bandstand.evaluate(framework=compiled, evidence=ev)
    assert (result.overall.level.label, int(result.overall.value)) == ("Requires improvement", 14)


def test_the_version_is_written_once():
    project = PYPROJECT["project"]
    assert "version" not in project and "version" in project["dynamic"]
    assert PYPROJECT["tool"]["hatch"]["version"]["path"] == "bandstand/version.py"
    assert re.search(r'^__version__ = "[^"]+"$', (ROOT / "bandstand" / "version.py").read_text(encoding="utf-8"), re.M)
    assert '__version__ = "' not in (ROOT / "bandstand" / "__init__.py").read_text(encoding="utf-8")
    assert importlib.metadata.version("bandstand") == bandstand.__version__


def test_the_project_says_its_license_and_where_it_lives():
    project = PYPROJECT["project"]
    assert project["license"] == "MIT"
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License\n")
    assert "Typing :: Typed" in project["classifiers"]
    assert {"Homepage", "Source", "Issues", "Documentation"} <= set(project["urls"])
    assert (ROOT / "bandstand" / "py.typed").is_file()


def test_the_wheel_ships_py_typed_and_the_license(tmp_path):
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0 and ("No matching distribution" in done.stderr or "Could not find" in done.stderr):
        pytest.skip(f"pip cannot fetch the build backend offline: {done.stderr.strip().splitlines()[-1]}")
    assert done.returncode == 0, done.stderr
    (wheel,) = tmp_path.glob("bandstand-*.whl")
    assert wheel.name.startswith(f"bandstand-{bandstand.__version__}-")
    names = zipfile.ZipFile(wheel).namelist()
    assert "bandstand/py.typed" in names
    assert any(re.fullmatch(r"bandstand-[^/]+\.dist-info/licenses/LICENSE|bandstand-[^/]+\.dist-info/LICENSE", n)
               for n in names), names
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "Classifier: Typing :: Typed" in metadata and "Project-URL: Source, " in metadata
