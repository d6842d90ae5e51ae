"""The bad-input corpus (tests/bad_inputs/): every case gives exactly the error it must.

Each case is a folder holding its input files and a ``case.yaml``:

* ``class``: what kind of mistake (yaml, yaml11, schema, expression, bands,
  framework, evidence, csv, cli, limits);
* ``title``: the mistake, as a user would make it;
* ``args``: the command line, with file names relative to the case folder;
* ``exit``, ``stdout``, ``stderr``: the exact exit code and output lines;
* ``generate`` (optional): files too big (or too odd) to commit, built
  from pieces: a text, ``{repeat: TEXT, times: N}``, ``{lines: TEXT,
  times: N, indent: K}`` (``{i}`` in TEXT is the repetition's number) or
  ``{file: NAME, before: MARK}`` / ``{file: NAME, after: MARK}`` (the part
  of a committed file before or after MARK);
* ``crafted`` (optional): also run in a subprocess capped at 512 MB of
  address space and 60 seconds, to prove no hang and bounded memory;
* ``needs: excel`` (optional): the case reads a workbook with openpyxl (the
  ``excel`` extra), and is skipped where it is not installed.
* ``sys_path`` (optional): folders of the case put on ``sys.path`` for the
  run, where packages are installed (a ``.dist-info`` with entry points).

Every case runs through ``bandstand.cli.main`` in a copy of its folder, so
printed paths are the names in ``args``. ``python tests/bad_inputs/record.py
NAME`` prints what a case gives now, to write a new case's expectations
(read them before you trust them).
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bandstand.cli import main

CORPUS = Path(__file__).resolve().parent / "bad_inputs"
CASES = sorted(p for p in CORPUS.iterdir() if (p / "case.yaml").is_file())
CLASSES = {"yaml", "yaml11", "schema", "expression", "bands", "framework", "evidence", "csv", "cli", "limits"}
LINE = re.compile(r"^(?P<where>\S[^:]*(?::\d+:\d+|:[^:!]+![A-Z]+\d+)?|bandstand): (?:error|warning): .+ "
                  r"\[[a-z0-9]+\.[a-z0-9-]+\]$")  # a workbook's cell: audit.xlsx:Cases!C7


def spec_of(case_dir: Path) -> dict:
    return yaml.safe_load((case_dir / "case.yaml").read_text(encoding="utf-8"))


def build(pieces: list, folder: Path) -> bytes:
    """A generated file's bytes from its recipe (see the module docstring)."""
    out: list[str] = []
    for piece in pieces:
        if isinstance(piece, str):
            out.append(piece)
        elif "repeat" in piece:
            text, n = piece["repeat"], piece["times"]
            out.append(text * n if "{i}" not in text else "".join(text.replace("{i}", str(i)) for i in range(n)))
        elif "lines" in piece:
            text, indent = piece["lines"], piece.get("indent", 0)
            out.extend(" " * (indent * i) + text.replace("{i}", str(i)) + "\n" for i in range(piece["times"]))
        elif "file" in piece:
            whole = (folder / piece["file"]).read_text(encoding="utf-8")
            before, mark, after = whole.partition(piece.get("before") or piece.get("after"))
            assert mark, f"{piece['file']} has no {mark!r}"
            out.append(before if "before" in piece else after)
        else:
            raise AssertionError(f"unknown piece {piece!r}")
    return "".join(out).encode("utf-8")


def materialise(case_dir: Path, tmp_path: Path) -> Path:
    """A working copy of the case folder, with its generated files built."""
    work = tmp_path / case_dir.name
    shutil.copytree(case_dir, work)
    for name, pieces in (spec_of(case_dir).get("generate") or {}).items():
        (work / name).write_bytes(build(pieces, work))
    return work


def run_in_process(args: list[str], work: Path, capsys, monkeypatch, sys_path=()) -> tuple[int, list[str], list[str]]:
    monkeypatch.chdir(work)
    for folder in sys_path:  # packages installed for the case (the bandstand.frameworks entry points)
        monkeypatch.syspath_prepend(str(work / folder))
    monkeypatch.delenv("BANDSTAND_PATH", raising=False)
    capsys.readouterr()
    with pytest.raises(SystemExit) as info:
        main(list(args))
    out, err = capsys.readouterr()
    return info.value.code, out.splitlines(), err.splitlines()


def expect(spec: dict, code: int, out: list[str], err: list[str]) -> None:
    assert not any("Traceback" in line for line in out + err)
    assert code == spec["exit"], (code, out, err)
    if "stdout_includes" in spec:
        missing = [line for line in spec["stdout_includes"] if line not in out]
        assert not missing, missing
    else:
        assert out == spec.get("stdout", [])
    assert err == spec.get("stderr", [])


@pytest.mark.parametrize("case_dir", CASES, ids=[p.name for p in CASES])
def test_bad_input(case_dir: Path, tmp_path, capsys, monkeypatch):
    spec = spec_of(case_dir)
    if spec.get("needs") == "excel":  # a workbook read past its zip: openpyxl, the excel extra
        pytest.importorskip("openpyxl")
    work = materialise(case_dir, tmp_path)
    before = {p: p.read_bytes() for p in work.rglob("*") if p.is_file()}
    code, out, err = run_in_process(spec["args"], work, capsys, monkeypatch, spec.get("sys_path", ()))
    expect(spec, code, out, err)
    after = {p: p.read_bytes() for p in work.rglob("*") if p.is_file()}
    assert after == before  # no command changed, added or removed a file: inputs are never written


def cap_memory():  # runs in the child before exec
    limit = 512 * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


CRAFTED = [p for p in CASES if spec_of(p).get("crafted")]


@pytest.mark.parametrize("case_dir", CRAFTED, ids=[p.name for p in CRAFTED])
def test_crafted_input_in_bounded_memory_and_time(case_dir: Path, tmp_path):
    """The crafted cases again, in a process capped at 512 MB of address space and 60 seconds."""
    spec = spec_of(case_dir)
    work = materialise(case_dir, tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "BANDSTAND_PATH"}
    proc = subprocess.run([sys.executable, "-m", "bandstand", *spec["args"]], cwd=work, env=env,
                          capture_output=True, text=True, timeout=60, preexec_fn=cap_memory)
    expect(spec, proc.returncode, proc.stdout.splitlines(), proc.stderr.splitlines())


# -- the corpus itself -------------------------------------------------------------------------


def test_the_corpus_covers_every_class_with_at_least_80_cases():
    classes = [spec_of(p)["class"] for p in CASES]
    assert len(CASES) >= 80
    assert set(classes) == CLASSES
    for name in CLASSES:
        assert classes.count(name) >= 5, name


@pytest.mark.parametrize("case_dir", CASES, ids=[p.name for p in CASES])
def test_every_error_is_one_located_line(case_dir: Path):
    """Errors are ``path:line:col: error: message [code]`` (or a click usage error), exit 1 or 2."""
    spec = spec_of(case_dir)
    assert set(spec) <= {"class", "title", "args", "exit", "stdout", "stdout_includes", "stderr", "generate",
                         "crafted", "needs", "sys_path"}
    assert spec["exit"] in (0, 1, 2)
    lines = [line.strip() for line in spec.get("stdout", []) + spec.get("stderr", []) if ": error: " in line]
    if spec["exit"] != 0:
        assert lines, "a refused input must say why"
    for line in lines:
        assert LINE.match(line), line
        where = line.split(": error: ")[0]
        if where.endswith((".yaml", ".json", ".csv")) and "input." not in line and "limit.file-size" not in line:
            raise AssertionError(f"an error about a file's content without line and column: {line}")
