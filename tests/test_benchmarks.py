"""The benchmarks' quick mode: every workload runs and every yardstick agrees with bandstand (never a time)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

from helpers import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))

import engines  # noqa: E402
import handwritten  # noqa: E402
# by path, under a name of its own: tests/fuzz/run.py is also a module called 'run' (doctest collection)
_spec = importlib.util.spec_from_file_location("benchmarks_run", ROOT / "benchmarks" / "run.py")
run = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(run)

ENGINES = ["GoRules ZEN (decision graph)", "GoRules ZEN (one compiled expression)", "rule-engine", "cel-python",
           "json-logic (panzi-json-logic)"]


def test_every_yardstick_engine_is_installed():
    """The test extra installs the benchmarks' extra: a missing engine would drop out of the comparison."""
    assert sorted(engines.available()) == sorted(ENGINES)


def test_quick_mode_runs_every_workload():
    results = ROOT / "benchmarks" / "RESULTS.md"
    before = results.stat().st_mtime_ns if results.exists() else None
    done = subprocess.run([sys.executable, "benchmarks/run.py", "--quick"], cwd=ROOT, capture_output=True, text=True,
                          timeout=900)
    assert done.returncode == 0, done.stderr[-4000:]
    lines = done.stdout.splitlines()
    for start in ["1. cold start", "1. the same with the cache off", "2a.", "2b.", "2c.", "2d.", "2e.", "2f.",
                  *(f"3. {name}:" for name in ENGINES), "4. impact", "4. peak memory", "4c. CLI batch", "4d. CLI batch", "5. stability",
                  "6. load and check", "6. check and evaluate", "6. the same: memory", "7. a CSV of", "7. reading alone"]:
        assert any(line.startswith(start) for line in lines), (start, done.stdout)
    assert (results.stat().st_mtime_ns if results.exists() else None) == before  # quick mode writes nothing


def test_a_hand_written_function_that_disagrees_is_caught(monkeypatch):
    real = handwritten.rate

    def wrong(figures, judgements):
        out = dict(real(figures, judgements))
        out["overall"] = (out["overall"] + 1) % 4
        return out

    monkeypatch.setattr(handwritten, "rate", wrong)
    with pytest.raises(AssertionError):
        run.one_inspection(True, 50)


def test_an_engine_that_disagrees_is_caught(monkeypatch):
    real = engines.available

    def skewed():
        return {name: ((lambda inputs, rate=rate: (rate(inputs) + 1) % 4), lines)
                for name, (rate, lines) in real().items()}

    monkeypatch.setattr(engines, "available", skewed)
    with pytest.raises(AssertionError):
        run.other_engines(True, 20)
