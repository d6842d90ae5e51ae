"""The written guarantees (docs/guarantees.md) that are not a corpus case or a fuzz run.

* No traceback, ever: an internal error is one line saying it is a bug, exit 3.
* Nothing lost or changed: no command writes into an input file; --output is
  atomic, so an interrupted run leaves the old file whole.
* Determinism and thread safety.
* Output safety: Markdown cells never begin with a formula character; text
  output and messages never carry control characters to a terminal.
* Limits: each has a default, a library argument and a command-line option.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import click
import pytest

import bandstand
import bandstand.cli
import bandstand.output
from bandstand import BandstandError, Limits, compile_framework, evaluate, load_evidence, load_framework
from bandstand.catalogue import bundled_dir
from bandstand.cli import main
from bandstand.render import RENDERERS, md, render
from helpers import EXAMPLES, evidence, run

FRAMEWORK = bundled_dir() / "hmip-youth-2018.yaml"
EXAMPLE_FILES = sorted(p.name for p in EXAMPLES.iterdir() if p.suffix in (".yaml", ".csv"))




# -- no traceback, ever ---------------------------------------------------------------------


def test_an_internal_error_deep_in_the_library_is_one_line_and_exit_3(capsys, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a message\nover two lines\x1b[2J")

    monkeypatch.setattr(bandstand.cli, "render", broken)
    code, out, err = run(capsys, "evaluate", "hmip-youth@2018", EXAMPLES / "bedfordshire-2021-published.yaml")
    assert code == 3 and out == ""
    assert err.count("\n") == 1 and "\x1b" not in err
    assert err.startswith("bandstand: internal error (RuntimeError: a message over two lines\\x1b[2J); this is a bug")
    assert err.rstrip().endswith("run again with --debug to see the traceback")


def test_an_internal_error_in_a_real_process_exits_3(tmp_path):
    script = ("import bandstand.cli as c\n"
              "def boom(*a, **k): raise ZeroDivisionError('x')\n"
              "c.evaluate_evidence = boom\n"
              f"c.main(['evaluate', 'hmip-youth@2018', {str(EXAMPLES / 'bedfordshire-2021-published.yaml')!r}])\n")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 3 and proc.stdout == ""
    assert proc.stderr.splitlines() == ["bandstand: internal error (ZeroDivisionError: x); this is a bug in bandstand; "
                                        "run again with --debug to see the traceback"]


# -- nothing lost or changed --------------------------------------------------------------------


def digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def inputs(tmp_path) -> Path:
    """A copy of the bundled framework and its examples: inputs the commands below may read."""
    folder = tmp_path / "inputs"
    shutil.copytree(bundled_dir(), folder, ignore=shutil.ignore_patterns("__pycache__"))
    return folder


COMMANDS = [
    ["validate", "{fw}"],
    ["validate", "--framework", "{fw}", "{ex}/bedfordshire-2021-cases.yaml", "{ex}/bedfordshire-2021-csv.yaml"],
    ["evaluate", "{fw}", "{ex}/bedfordshire-2021-published.yaml"],
    ["evaluate", "{fw}", "{ex}/bedfordshire-2021-csv.yaml", "--format", "json"],
    ["evaluate", "{fw}", "{ex}/bedfordshire-2021-cases.yaml", "--format", "markdown"],
    ["evaluate", "{fw}", "{ex}/bedfordshire-2021-csv.yaml", "--prompts"],
    ["evaluate", "{fw}", "{ex}/bedfordshire-2021-published.yaml", "--output", "{out}/result.txt"],
    ["test", "{fw}"],
    ["--framework-path", "{dir}", "list"],
    ["--framework-path", "{dir}", "test"],
    ["schema", "framework"],
]


@pytest.mark.parametrize("argv", COMMANDS, ids=[" ".join(a[:2]) + f" #{i}" for i, a in enumerate(COMMANDS)])
def test_no_command_writes_into_an_input_file(argv, inputs, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    before = digests(inputs)
    names = {"fw": inputs / "hmip-youth-2018.yaml", "ex": inputs / "examples" / "hmip-youth-2018", "dir": inputs,
             "out": out}
    code, _, err = run(capsys, *[a.format(**names) for a in argv])
    assert code == 0, err
    assert digests(inputs) == before


def test_output_over_an_input_file_is_refused_and_the_input_kept(inputs, capsys):
    ev = inputs / "examples" / "hmip-youth-2018" / "bedfordshire-2021-csv.yaml"
    csv = ev.with_name("bedfordshire-2021-cases.csv")
    before = digests(inputs)
    link = inputs / "link.yaml"
    link.symlink_to(ev)
    for target in (ev, csv, inputs / "hmip-youth-2018.yaml", link, inputs / "examples" / ".." / "hmip-youth-2018.yaml"):
        code, out, err = run(capsys, "evaluate", inputs / "hmip-youth-2018.yaml", ev, "--output", target)
        assert code == 2 and out == ""
        assert err.endswith("is an input of this command; bandstand never writes over its inputs: choose another "
                            "--output [input.output]\n")
    link.unlink()
    assert digests(inputs) == before


OLD = "the previous result, which an interrupted run must leave whole\n"


def _interrupt_at(monkeypatch, name: str, after=None):
    real = getattr(os, name)

    def interrupted(*args, **kwargs):
        if after:
            after()
        raise KeyboardInterrupt

    monkeypatch.setattr(bandstand.output.os, name, interrupted)
    return real


@pytest.mark.parametrize("where", ["fsync", "replace"])
def test_an_interrupted_output_leaves_the_old_file_whole(where, tmp_path, capsys, monkeypatch):
    target = tmp_path / "result.json"
    target.write_text(OLD, encoding="utf-8")
    _interrupt_at(monkeypatch, where)  # after the temporary file is written, before or at the rename
    code, out, err = run(capsys, "evaluate", "hmip-youth@2018", EXAMPLES / "bedfordshire-2021-published.yaml",
                         "--format", "json", "--output", target)
    assert code == 130 and err.strip() == "bandstand: interrupted"
    assert target.read_text(encoding="utf-8") == OLD
    assert [p.name for p in tmp_path.iterdir()] == ["result.json"]  # the temporary file is gone


def test_an_interrupted_write_midway_leaves_the_old_file_whole(tmp_path, capsys, monkeypatch):
    target = tmp_path / "result.md"
    target.write_text(OLD, encoding="utf-8")
    real_fdopen = os.fdopen

    class HalfWriter:
        def __init__(self, fh):
            self.fh = fh

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

        def write(self, text):
            self.fh.write(text[: len(text) // 2])
            self.fh.flush()
            raise KeyboardInterrupt

    monkeypatch.setattr(bandstand.output.os, "fdopen", lambda *a, **k: HalfWriter(real_fdopen(*a, **k)))
    code, _, err = run(capsys, "evaluate", "hmip-youth@2018", EXAMPLES / "bedfordshire-2021-published.yaml",
                       "--format", "markdown", "--output", target)
    assert code == 130 and err.strip() == "bandstand: interrupted"
    assert target.read_text(encoding="utf-8") == OLD
    assert [p.name for p in tmp_path.iterdir()] == ["result.md"]


KILLED = """
import os, sys, time
import bandstand.cli as c, bandstand.output as o
real = os.fsync
def slow_fsync(fd):
    real(fd)
    open(sys.argv[1], "w").close()  # the temporary file is written and synced: say so, then wait to be killed
    time.sleep(60)
o.os.fsync = slow_fsync
c.main(["evaluate", "hmip-youth@2018", sys.argv[2], "--format", "json", "--output", sys.argv[3]])
"""


def test_a_run_killed_while_writing_leaves_the_old_file_whole(tmp_path):
    """SIGKILL cannot be caught: the old file is whole; a hidden temporary file may be left beside it."""
    target = tmp_path / "out" / "result.json"
    target.parent.mkdir()
    target.write_text(OLD, encoding="utf-8")
    ready = tmp_path / "ready"
    proc = subprocess.Popen([sys.executable, "-c", KILLED, str(ready),
                             str(EXAMPLES / "bedfordshire-2021-published.yaml"), str(target)])
    try:
        deadline = time.monotonic() + 60
        while not ready.exists():
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert target.read_text(encoding="utf-8") == OLD
    left = sorted(p.name for p in target.parent.iterdir())
    assert left[-1] == "result.json"
    assert all(name.startswith(".result.json.") and name.endswith(".tmp") for name in left[:-1])


# -- determinism and thread safety ------------------------------------------------------------------


@pytest.mark.parametrize("name, fmt", [("bedfordshire-2021-cases.yaml", "json"), ("bedfordshire-2021-csv.yaml", "json"),
                                       ("bedfordshire-2021-published.yaml", "markdown")])
def test_output_is_byte_identical_under_any_hash_seed(name, fmt):
    outputs = set()
    for seed in ("0", "1", "42", "4294967295", "random"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        env.pop("BANDSTAND_PATH", None)
        proc = subprocess.run([sys.executable, "-m", "bandstand", "evaluate", "hmip-youth@2018", str(EXAMPLES / name),
                               "--format", fmt], capture_output=True, env=env, timeout=60)
        assert proc.returncode == 0, proc.stderr
        outputs.add(proc.stdout)
    assert len(outputs) == 1


COURT = ["2.1.1", "2.1.2", "2.1.3", "2.2.1", "2.2.2", "2.2.3", "2.3.1", "2.3.2", "2.3.3", "2.4.1", "2.4.2", "2.4.3"]
OOC = ["3.1.1", "3.1.2", "3.1.3", "3.2.1", "3.2.2", "3.2.3", "3.3.1", "3.3.2", "3.3.3"]
LEVELS = ["inadequate", "requires_improvement", "good", "outstanding"]


def random_evidence(rng: random.Random) -> dict:
    cases = []
    for part, questions in (("court", COURT), ("out_of_court", OOC)):
        for i in range(rng.randrange(1, 12)):
            answers = {q: rng.choice(["yes", "no", "n/a"]) for q in questions}
            answers[questions[0]] = rng.choice(["yes", "no"])
            cases.append({"id": f"{part}-{i}", "part": part, "answers": answers})
    judgements = {j: rng.choice(LEVELS) for j in ("1.1", "1.2", "1.3", "1.4", "3.4", "4.1")}
    return {"subject": f"random {rng.random()}", "judgements": judgements, "cases": cases}


def test_one_compiled_framework_evaluated_from_8_threads_gives_the_sequential_results():
    fw = load_framework(FRAMEWORK)
    compiled = compile_framework(fw)
    rng = random.Random(6)
    inputs = [load_evidence(EXAMPLES / n) for n in EXAMPLE_FILES if n.endswith(".yaml")]
    inputs += [evidence(random_evidence(rng)) for _ in range(60)]
    sequential = [json.dumps(evaluate(compiled, ev).to_json(), sort_keys=True) for ev in inputs]
    start = threading.Barrier(8)

    def work(indices):
        start.wait()  # all eight at once
        return [(i, json.dumps(evaluate(compiled, inputs[i]).to_json(), sort_keys=True)) for i in indices]

    for _ in range(3):
        order = list(range(len(inputs))) * 2
        random.Random(_).shuffle(order)
        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
            chunks = list(pool.map(work, [order[k::8] for k in range(8)]))
        for chunk in chunks:
            for i, got in chunk:
                assert got == sequential[i], i


def test_compiling_from_8_threads_at_once_gives_one_equivalent_program():
    fw = load_framework(FRAMEWORK)
    ev = load_evidence(EXAMPLES / "bedfordshire-2021-cases.yaml")
    start = threading.Barrier(8)

    def work(_):
        start.wait()
        return json.dumps(evaluate(fw, ev).to_json(), sort_keys=True)

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        assert len(set(pool.map(work, range(8)))) == 1


# -- output safety ----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1+1", "\r=1+1", " =1", "\n@x", "\u00a0=1",
                                  "\uff1d1+1", "\uff0b1", "\uff0d1", "\uff20x", "=cmd|' /C calc'!A0"])
def test_markdown_never_begins_a_cell_with_a_formula_character(text):
    cell = md(text)
    assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
    assert "|" not in cell.replace("\\|", "")  # nor closes the cell


def test_there_is_no_csv_output():
    """The guarantee for CSV output is vacuous today: say so in docs/guarantees.md if this changes.

    (``jsonl`` is the JSON renderer, one inspection per line.)"""
    assert set(RENDERERS) == {"text", "json", "markdown"}
    option = next(p for p in bandstand.cli.evaluate.params if p.name == "fmt")
    assert isinstance(option.type, click.Choice) and set(option.type.choices) == set(RENDERERS) | {"jsonl"}


def test_user_text_in_markdown_output_is_escaped(tmp_path):
    data = {"subject": "=HYPERLINK(\"http://x\")", "partial": True,
            "judgements": {"1.1": {"rating": "good", "note": "-2+3"},
                           "1.2": {"rating": "good", "note": "<script>x</script>"}}}
    result = evaluate(load_framework(FRAMEWORK), evidence(data))
    text = render(result, "markdown")
    assert text.startswith("# \\=HYPERLINK")
    assert "| 1.1 Governance and leadership | Good | judged by inspectors: -2\\+3 |" in text
    assert "<script>" not in text and "\\<script\\>x\\</script\\>" in text
    for line in text.splitlines():
        if line.startswith("|"):
            for cell in line.strip("|").split(" | "):
                assert cell.strip()[:1] not in ("=", "+", "@"), line


def test_control_characters_never_reach_the_terminal(tmp_path, capsys):
    ev = tmp_path / "e.yaml"
    ev.write_text('subject: "A\\e[2J\\u009b\\u202eB"\npartial: true\n'
                  'judgements: {"1.1": {rating: good, note: "\\e]0;x\\a"}}\n',
                  encoding="utf-8")
    code, out, err = run(capsys, "evaluate", "hmip-youth@2018", ev)
    assert code == 0
    assert not any(ch in out + err for ch in "\x1b\x07\x9b\u202e")
    assert "A\\x1b[2J\\x9b\\u202eB" in out
    bad = tmp_path / "b.yaml"
    bad.write_text('partial: true\njudgements: {"1.1": "\\e[2Jgood"}\n', encoding="utf-8")
    code, out, err = run(capsys, "evaluate", "hmip-youth@2018", bad)
    assert code == 2 and "\x1b" not in err and "'\\x1b[2Jgood' is not a level" in err


# -- limits ---------------------------------------------------------------------------------------


def test_every_limit_has_a_command_line_option(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0
    for name in Limits.names():
        assert bandstand.limits.option_name(name) in out, name


@pytest.mark.parametrize("name, value, make", [
    ("max_file_bytes", 100, lambda d: "subject: " + "x" * 200 + "\n"),
    ("max_depth", 3, lambda d: "notes: [[[[x]]]]\n"),
    ("max_expression_length", 5, None),
    ("max_nodes", 10, None),
    ("max_cases", 1, lambda d: "cases:\n  - {id: a, part: court, answers: {}}\n"
                               "  - {id: b, part: court, answers: {}}\n"),
])
def test_a_limit_given_to_the_library_is_named_when_exceeded(name, value, make, tmp_path):
    limits = Limits(**{name: value})
    with pytest.raises(BandstandError) as info:
        if make is None:
            load_framework(FRAMEWORK, limits=limits)
        else:
            p = tmp_path / "e.yaml"
            p.write_text(make(None), encoding="utf-8")
            load_evidence(p, limits=limits)
    message = str(info.value)
    assert f"{name}={value}" in message and bandstand.limits.option_name(name) in message
    assert f"Limits({name}=...)" in message


def test_limits_past_what_can_be_read_are_refused_when_made():
    with pytest.raises(ValueError, match="max_depth=1001 is above 1000"):
        Limits(max_depth=1001)


# -- the guarantees page ----------------------------------------------------------------------------

PAGE = Path(__file__).resolve().parent.parent / "docs" / "guarantees.md"
LANDS_LATER = {"tests/test_docs_site.py"}  # the docs branch's XSS test on the built site


def test_every_test_named_here_exists():
    """Every ``tests/....py::test_name[case]`` on docs/guarantees.md names a test (and corpus case) that exists."""
    import re

    root = PAGE.parent.parent
    named = re.findall(r"`(tests/[\w/]+\.py)(?:::([\w]+)(?:\[([^\]]+)\])?)?`", PAGE.read_text(encoding="utf-8"))
    assert len(named) > 40
    for path, test, case in named:
        if path in LANDS_LATER and not (root / path).exists():
            continue
        source = (root / path).read_text(encoding="utf-8")
        if test:
            assert re.search(rf"^def {test}\(", source, re.M), f"{path}::{test}"
        if case and path == "tests/test_bad_inputs.py":
            assert (root / "tests" / "bad_inputs" / case / "case.yaml").is_file(), case


def test_every_limit_is_described():
    from bandstand.limits import DESCRIPTIONS, Limits

    assert set(DESCRIPTIONS) == set(Limits.names())


def test_more_than_20_problems_end_with_how_many_more(tmp_path, capsys):
    """Twenty problems are all shown; past twenty, the first twenty and a line counting the rest."""
    from bandstand.errors import Diagnostic, shown

    def problems(n):
        return [Diagnostic("csv.answer", f"problem {i}", "cases.csv", i, 1) for i in range(1, n + 1)]

    assert shown(problems(20))[-1].startswith("cases.csv:20:1: error: problem 20")
    assert shown(problems(21))[20:] == ["... and 1 more problem"]
    assert shown(problems(45))[20:] == ["... and 25 more problems"]
    # through the command line, on standard error too (evaluate refuses the file with exit 2)
    rows = "".join(f"C{i},court,perhaps,yes\n" for i in range(30))
    (tmp_path / "cases.csv").write_text("case,part,2.1.1,2.1.2\n" + rows, encoding="utf-8")
    with pytest.raises(SystemExit) as info:
        main(["evaluate", "hmip-youth@2018", str(tmp_path / "cases.csv")])
    err = capsys.readouterr().err.splitlines()
    assert info.value.code == 2
    assert len(err) == 21 and err[-1].startswith("... and ") and err[-1].endswith(" more problems")
