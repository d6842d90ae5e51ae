"""The results of a batch are written in large pieces (output.Chunks), and nothing about what is written changes.

``bandstand evaluate`` of many inspections writes its results many at a time, not one write for each: the
bytes written are the same, a warning or error on standard error still comes after the results of the
inspections before it when both streams go to one file, and the results made before a Ctrl-C are written.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bandstand import batch, evaluate
from bandstand.catalogue import Catalogue
from bandstand.cli import main
from bandstand.errors import BandstandError
from test_batch_text import plain, random_inspections, streamed
from test_cli import run


def test_many_results_are_the_same_bytes_through_a_pipe_and_to_a_file(tmp_path):
    """Standard output to a pipe (bytes, in pieces), and --output (text, in pieces): each the plain text of every
    inspection evaluated, one line each, more than one piece's worth."""
    youth = Catalogue([]).resolve("hmip-youth@2018")
    path = random_inspections(tmp_path / "inspections.csv", 150, seed=41)
    want = []
    for ev, _ in streamed(path, youth):
        try:
            want.append(plain(evaluate(youth, ev, explain=False)) + "\n")
        except BandstandError:
            pass
    command = [sys.executable, "-m", "bandstand", "evaluate", "hmip-youth@2018", str(path), "--format", "jsonl",
               "--ratings-only"]
    piped = subprocess.run(command, capture_output=True, timeout=300)
    assert piped.returncode == 2  # (some inspections are refused)
    assert piped.stdout.decode("utf-8") == "".join(want) and len(piped.stdout) > 1 << 19  # (pieces of 256 KB)
    subprocess.run(command + ["--output", str(tmp_path / "out.jsonl")], capture_output=True, timeout=300)
    assert (tmp_path / "out.jsonl").read_text("utf-8") == "".join(want)


def test_an_error_on_standard_error_comes_after_the_results_before_it(tmp_path):
    """Both streams to one file (2>&1): each refused inspection's error line sits between the results of the
    inspections before and after it, as the command met them."""
    path = random_inspections(tmp_path / "inspections.csv", 60, seed=7)
    with open(tmp_path / "both.txt", "wb") as both:
        subprocess.run([sys.executable, "-m", "bandstand", "evaluate", "hmip-youth@2018", str(path), "--format",
                        "jsonl", "--ratings-only"], stdout=both, stderr=both, timeout=300)
    youth = Catalogue([]).resolve("hmip-youth@2018")
    want = []
    for ev, _ in streamed(path, youth):  # what each inspection gives, in order: its result, or its errors
        try:
            want.append(json.loads(plain(evaluate(youth, ev, explain=False)))["subject"])
        except BandstandError:
            if want[-1:] != ["error"]:
                want.append("error")  # (the errors of inspections one after another: lines together)
    got = []
    for line in (tmp_path / "both.txt").read_text("utf-8").splitlines():
        if line.startswith("{"):
            got.append(json.loads(line)["subject"])
        elif ": error: " in line and got[-1:] != ["error"]:
            got.append("error")
    assert "error" in want and got == want


def test_the_results_made_before_ctrl_c_are_written(capsys, monkeypatch, tmp_path):
    path = random_inspections(tmp_path / "inspections.csv", 80, seed=13)
    made = []
    real = batch.Writers.text

    def text(self, result, bound):  # Ctrl-C after 40 results
        if len(made) == 40:
            raise KeyboardInterrupt
        made.append(real(self, result, bound))
        return made[-1]

    monkeypatch.setattr(batch.Writers, "text", text)
    capsys.readouterr()
    with pytest.raises(SystemExit) as info:
        main(["evaluate", "hmip-youth@2018", str(path), "--format", "jsonl", "--ratings-only"])
    out, err = capsys.readouterr()
    assert info.value.code == 130 and "interrupted" in err
    assert out == "".join(m + "\n" for m in made) and len(made) == 40


def test_a_summary_of_many_is_written_whole(capsys, tmp_path):
    """The text summary goes through the same pieces: its table whole, its end last."""
    path = random_inspections(tmp_path / "inspections.csv", 30, seed=3)
    code, out, err = run(capsys, "evaluate", "hmip-youth@2018", path)
    rows = [line for line in out.splitlines() if line.strip()]
    assert code == 2 and len(rows) > 20 and "inspections evaluated" in err.splitlines()[-1]


def test_a_terminal_gets_each_result_as_it_is_made(capsys, monkeypatch, tmp_path):
    path = random_inspections(tmp_path / "inspections.csv", 20, seed=17)
    capsys.readouterr()
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    shown = []
    real = batch.Writers.text

    def text(self, result, bound):  # what standard output holds when each result is made
        shown.append(sys.stdout.getvalue().count("\n"))
        return real(self, result, bound)

    monkeypatch.setattr(batch.Writers, "text", text)
    with pytest.raises(SystemExit):
        main(["evaluate", "hmip-youth@2018", str(path), "--format", "jsonl", "--ratings-only"])
    assert len(shown) > 10 and shown == list(range(len(shown)))  # (every result before it already written)
