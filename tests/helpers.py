"""Helpers shared by the tests (import as `from helpers import ...`)."""

from __future__ import annotations

from pathlib import Path

import json

import pytest

from bandstand import load_evidence_text
from bandstand.cli import main
from bandstand.catalogue import bundled_dir

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
EXAMPLES = bundled_dir() / "examples" / "hmip-youth-2018"
def evidence(data: dict, name: str = "evidence.json"):
    """Evidence from a plain dict, through the same reader users' files go through (as JSON)."""
    return load_evidence_text(json.dumps(data), name)


def published_evidence(published: dict, **changes) -> dict:
    """Evidence dict of key-question percentages and judgements, with changes."""
    data = {
        "subject": published["subject"],
        "judgements": dict(published["judgements"]),
        "key_questions": {k: {"percent": v["percent"]} for k, v in published["key_questions"].items()},
    }
    for key, value in changes.items():
        data[key] = value
    return data


def build_site(config, site_dir, *, strict: bool = True):
    """``mkdocs build`` of ``config`` into ``site_dir``, as a reader of the README would run it."""
    import os
    import subprocess
    import sys

    command = [sys.executable, "-m", "mkdocs", "build", "-f", str(config), "-d", str(site_dir)]
    if strict:
        command.insert(4, "--strict")
    # mkdocs-material prints a notice about its successor on every build; it is not a warning
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def site_config(folder, frameworks: list[str], *, reference: bool = False) -> Path:
    """A small MkDocs site in ``folder`` that publishes ``frameworks``; the path of its mkdocs.yml."""
    folder = Path(folder)
    (folder / "docs").mkdir(parents=True, exist_ok=True)
    (folder / "docs" / "index.md").write_text("# A site\n\n[Frameworks](frameworks/index.md)\n", encoding="utf-8")
    config = {
        "site_name": "A site",
        "theme": {"name": "material", "font": False},
        "plugins": ["search", {"bandstand": {"frameworks": frameworks, "reference": reference}}],
        "validation": {"links": {"not_found": "warn", "anchors": "warn", "unrecognized_links": "warn"}},
        "nav": ["index.md", "frameworks/index.md"],
    }
    path = folder / "mkdocs.yml"
    path.write_text(json.dumps(config, indent=2), encoding="utf-8")  # JSON is YAML
    return path


def copy_framework(folder, edit=lambda text: text) -> Path:
    """The bundled 2018 framework and its examples copied into ``folder``, its text changed by ``edit``."""
    import shutil

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copytree(bundled_dir() / "examples", folder / "examples")
    # hmip-youth@2018 extends the version first published: copy that too, so the copy extends its own base
    base = (bundled_dir() / "hmip-youth-2018-original.yaml").read_text(encoding="utf-8")
    (folder / "youth-2018-original.yaml").write_text(edit(base), encoding="utf-8")
    path = folder / "youth-2018.yaml"
    text = (bundled_dir() / "hmip-youth-2018.yaml").read_text(encoding="utf-8")
    path.write_text(edit(text), encoding="utf-8")
    return path


HOSTILE = "<script>alert(1)</script>"


def hostile_edit(text: str) -> str:
    """Framework text a browser would run if it were not escaped, in the places a reader sees it."""
    return (text.replace("title: Inspection of youth offending services (2018 standards)", f"title: '{HOSTILE}'")
            .replace("title: Assessment", "title: 'Assessment <img src=x onerror=alert(2)>'")
            .replace("question: Does assessment sufficiently analyse how to keep the child safe?",
                     "question: \"Keep the child safe? </title><script>alert(3)</script>\"")
            .replace('label: "Reasonable majority: 65-79%"', "label: '[65-79%](javascript:alert(4))'")
            .replace("publisher: HM Inspectorate of Probation", "publisher: '<b onmouseover=alert(5)>HMIP</b>'"))


def run(capsys, *argv) -> tuple[int, str, str]:
    """Run the CLI; (exit code, stdout, stderr). Never a traceback without --debug."""
    capsys.readouterr()  # start clean
    with pytest.raises(SystemExit) as info:
        main([str(a) for a in argv])
    out, err = capsys.readouterr()
    if "--debug" not in argv:
        assert "Traceback" not in out and "Traceback" not in err
    return info.value.code, out, err
