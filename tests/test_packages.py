"""Frameworks from installed packages (the ``bandstand.frameworks`` entry-point group), installed with pip.

A tiny package of frameworks is built by hand as a wheel in a temporary
folder and installed with ``pip install --no-index --no-deps --target``, then
put on ``PYTHONPATH``: no network, no build backend. Its framework joins
``bandstand list`` and evaluates like a bundled one; a broken package, or one
that takes a bundled framework's id, is one line naming the package.
"""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from helpers import ROOT

MINI = (ROOT / "tests" / "cases" / "mini.yaml").read_text(encoding="utf-8")


def wheel(folder: Path, name: str, files: dict[str, str], entry_points: str) -> Path:
    """A wheel of ``files`` (path -> text) declaring ``entry_points`` (the text of entry_points.txt)."""
    module = name.replace("-", "_")
    info = f"{module}-1.0.dist-info"
    files = {**files,
             f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n",
             f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: bandstand-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
             f"{info}/entry_points.txt": entry_points}
    record = []
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(text.encode())}")
    record.append(f"{info}/RECORD,,")
    out = folder / f"{module}-1.0-py3-none-any.whl"
    with zipfile.ZipFile(out, "w") as z:
        for path, text in files.items():
            z.writestr(path, text)
        z.writestr(f"{info}/RECORD", "\n".join(record) + "\n")
    return out


def install(tmp_path: Path, *wheels: Path) -> Path:
    target = tmp_path / "site"
    done = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-index", "--no-deps",
                           "--disable-pip-version-check", "--target", str(target), *map(str, wheels)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return target


def bandstand(site: Path, *args, cwd=None):
    env = {**os.environ, "PYTHONPATH": str(site)}
    env.pop("BANDSTAND_PATH", None)
    return subprocess.run([sys.executable, "-m", "bandstand", *args], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=300)


def acme(folder: Path, entry: str = "acme = acme_frameworks\n", framework: str | None = None,
         name: str = "acme-frameworks") -> Path:
    text = framework or MINI.replace("id: mini", "id: acme-mini").replace("status: draft", "status: published")
    return wheel(folder, name, {"acme_frameworks/__init__.py": "",
                                "acme_frameworks/acme-mini-1.yaml": text},
                 f"[bandstand.frameworks]\n{entry}")


def test_an_installed_package_of_frameworks_joins_the_catalogue(tmp_path):
    site = install(tmp_path, acme(tmp_path))
    done = bandstand(site, "list")
    assert done.returncode == 0, done.stderr
    rows = {line.split()[0]: line for line in done.stdout.splitlines()[1:]}
    assert "acme-mini@1" in rows and "Mini framework" in rows["acme-mini@1"]
    assert "hmip-youth@2018" in rows  # the bundled ones still there
    shown = bandstand(site, "validate", str(site / "acme_frameworks" / "acme-mini-1.yaml"))
    assert shown.returncode == 0, shown.stdout + shown.stderr
    # by id, as any catalogue framework: `test` finds it (no examples), `schema` narrows to it
    tested = bandstand(site, "test", "acme-mini")
    assert tested.returncode == 0 and "acme-mini@1: no examples" in tested.stdout, tested.stdout + tested.stderr
    narrowed = bandstand(site, "schema", "result", "--framework", "acme-mini")
    assert narrowed.returncode == 0 and '"const": "acme-mini"' in narrowed.stdout
    # without the package on the path, the framework is unknown again
    assert "acme-mini" not in bandstand(tmp_path / "nothing", "list").stdout


def test_an_entry_point_may_name_a_function_giving_the_folder(tmp_path):
    files = {"acme_frameworks/__init__.py": "from pathlib import Path\n\n\ndef folder():\n"
                                            "    return Path(__file__).parent / 'yaml'\n",
             "acme_frameworks/yaml/acme-mini-1.yaml": MINI.replace("id: mini", "id: acme-mini")}
    site = install(tmp_path, wheel(tmp_path, "acme-frameworks", files,
                                   "[bandstand.frameworks]\nacme = acme_frameworks:folder\n"))
    done = bandstand(site, "list")
    assert done.returncode == 0 and "acme-mini@1" in done.stdout, done.stderr


@pytest.mark.parametrize("entry, says", [
    ("acme = acme_missing\n", "names the module 'acme_missing', which is not installed; reinstall the package"),
    ("acme = acme_frameworks:nowhere\n", "cannot be loaded: AttributeError:"),
    ("acme = acme_frameworks:broken\n", "cannot be loaded: RuntimeError: boom; reinstall or uninstall it"),
    ("acme = acme_frameworks:number\n", "gives int, not the path of a folder of frameworks"),
    ("acme = acme_frameworks:missing_folder\n", "/nowhere, which is not a folder"),
    ("acme = acme_single\n", "names 'acme_single', a module, not a package whose folder holds frameworks"),
    ("acme = 3 acme\n", "names '3 acme', which is no module (write module or module:attribute)"),
])
def test_a_broken_package_is_one_line_naming_it(tmp_path, entry, says):
    files = {"acme_frameworks/__init__.py": "number = 7\nmissing_folder = '/nowhere'\n\n\n"
                                            "def broken():\n    raise RuntimeError('boom')\n",
             "acme_single.py": ""}
    site = install(tmp_path, wheel(tmp_path, "acme-frameworks", files, f"[bandstand.frameworks]\n{entry}"))
    done = bandstand(site, "list")
    assert done.returncode == 2 and done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert line.startswith("bandstand: error: the framework package 'acme-frameworks' (entry point 'acme = ")
    assert says in line and line.endswith("[input.package]"), line
    assert "Traceback" not in done.stderr


def by_hand(site: Path, name: str, entry_points: str) -> Path:
    """A distribution's metadata written straight into ``site`` (pip refuses to install a malformed one)."""
    info = site / f"{name.replace('-', '_')}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(entry_points)
    return site


def test_a_malformed_entry_points_file_is_one_line_and_another_packages_is_not_read(tmp_path):
    site = by_hand(tmp_path / "site", "acme-frameworks", "[bandstand.frameworks]\nacme_frameworks\n")
    done = bandstand(site, "list")
    assert done.returncode == 2 and done.stderr == (
        "bandstand: error: the framework package 'acme-frameworks' has an entry_points.txt that cannot be read "
        "(each line of a section is 'name = module' or 'name = module:attribute'); reinstall or uninstall it "
        "[input.package]\n")
    # a package that declares no frameworks is none of bandstand's business, however broken its entry points
    other = by_hand(tmp_path / "other", "other-tool", "[console_scripts]\nbroken line\n")
    done = bandstand(other, "list")
    assert done.returncode == 0 and "hmip-youth@2018" in done.stdout, done.stderr


def test_a_package_cannot_shadow_a_bundled_framework(tmp_path):
    hmip = (ROOT / "frameworks" / "hmip-youth-2018.yaml").read_text(encoding="utf-8")
    # a newer 'version' of a bundled id would silently become what `hmip-youth` names
    site = install(tmp_path, acme(tmp_path, framework=hmip.replace('version: "2018"', 'version: "2030"', 1)))
    done = bandstand(site, "evaluate", "hmip-youth", str(ROOT / "frameworks/examples/hmip-youth-2018/"
                                                         "bedfordshire-2021-published.yaml"))
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == [
        "bandstand: error: the framework package 'acme-frameworks' (entry point 'acme' in bandstand.frameworks) "
        "provides framework 'hmip-youth', an id of a framework bundled with bandstand; a package cannot add "
        "versions to it or replace it: give its frameworks an id of their own [input.package]"]


def test_two_packages_cannot_give_the_same_id(tmp_path):
    (tmp_path / "a").mkdir()
    one = acme(tmp_path / "a")
    files = {"other_frameworks/__init__.py": "",
             "other_frameworks/acme-mini-2.yaml": MINI.replace("id: mini", "id: acme-mini").replace(
                 'version: "1"', 'version: "2"')}
    (tmp_path / "b").mkdir()
    two = wheel(tmp_path / "b", "other-frameworks", files, "[bandstand.frameworks]\nother = other_frameworks\n")
    site = install(tmp_path, one, two)
    done = bandstand(site, "list")
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "bandstand: error: the framework package 'acme-frameworks' (entry point 'acme' in bandstand.frameworks) "
        "and the framework package 'other-frameworks' (entry point 'other' in bandstand.frameworks) both provide "
        "framework 'acme-mini'; an id comes from one package: uninstall one of them [input.package]"]


@pytest.fixture(scope="module")
def installed_wheel(tmp_path_factory):
    """bandstand's own wheel, built from this checkout and installed with --target: the site folder."""
    tmp_path = tmp_path_factory.mktemp("wheel")
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "dist"),
                            str(ROOT)], capture_output=True, text=True, timeout=600)
    if built.returncode != 0 and ("No matching distribution" in built.stderr or "Could not find" in built.stderr):
        pytest.skip(f"pip cannot fetch the build backend offline: {built.stderr.strip().splitlines()[-1]}")
    assert built.returncode == 0, built.stderr
    (whl,) = (tmp_path / "dist").glob("bandstand-*.whl")
    return install(tmp_path, whl)


def test_the_readme_first_command_works_from_an_installed_wheel(installed_wheel, tmp_path):
    """Installed from a wheel, away from a checkout, `bandstand examples` says where the README's evidence is."""
    site = installed_wheel
    away = tmp_path / "elsewhere"
    away.mkdir()
    probe = subprocess.run([sys.executable, "-c", "import bandstand; print(bandstand.__file__)"],
                           env={**os.environ, "PYTHONPATH": str(site)}, cwd=away, capture_output=True, text=True)
    assert probe.stdout.strip() == str(site / "bandstand" / "__init__.py")  # the wheel's, not the checkout's
    listed = bandstand(site, "examples", "hmip-youth@2018", cwd=away)
    assert listed.returncode == 0, listed.stderr
    rows = {line.split()[1]: line.split()[2] for line in listed.stdout.splitlines()[1:]}
    evidence = Path(rows["bedfordshire-2021-cases"])
    assert evidence == site / "bandstand" / "frameworks" / "examples" / "hmip-youth-2018" / "bedfordshire-2021-cases.yaml"
    done = bandstand(site, "evaluate", "hmip-youth@2018", str(evidence), cwd=away)
    assert done.returncode == 0, done.stderr
    assert "Overall rating: Requires improvement (score 14 of 36)" in done.stdout.splitlines()  # Bedfordshire 2021
    paths = bandstand(site, "examples", "--paths", "hmip-youth", cwd=away).stdout.splitlines()
    assert str(evidence) in paths and all(Path(p).is_file() for p in paths)


def test_the_schemas_named_by_the_installed_frameworks_are_installed_too(installed_wheel):
    from test_result_schema import check_schema_references

    assert check_schema_references(installed_wheel / "bandstand" / "frameworks") >= 13
