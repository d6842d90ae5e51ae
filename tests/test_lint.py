"""The linters configured in pyproject.toml ([tool.ruff], [tool.mypy]) pass, so the suite enforces them.

Each runs as its own process from the repository root, as a contributor would run it, with the
configuration pyproject.toml gives; a finding fails the test with the linter's own report.
"""

from __future__ import annotations

import subprocess
import sys

from helpers import ROOT


def lint(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_passes_on_the_package_tests_and_benchmarks():
    run = lint("ruff", "check", "--no-cache", "bandstand", "tests", "benchmarks")
    assert run.returncode == 0, run.stdout + run.stderr


def test_mypy_passes_on_the_package(tmp_path):
    run = lint("mypy", "--cache-dir", str(tmp_path / "mypy"))  # files = bandstand, from [tool.mypy]
    assert run.returncode == 0, run.stdout + run.stderr
    assert "no issues found in" in run.stdout and " 0 source files" not in run.stdout, run.stdout
