"""The README opens with the two set-up commands, and CI runs the second."""

from __future__ import annotations

import re

from helpers import ROOT


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = re.search(r"```(?:sh|bash)?\n(.*?)```", text, re.S)
    assert first_block and text.index(first_block.group(0)) < text.index("\n\n", text.index("# ")) + 3
    return [line for line in first_block.group(1).splitlines() if line.strip()]


def test_readme_starts_with_exactly_two_commands():
    commands = readme_commands()
    assert len(commands) == 2
    assert "bandstand evaluate hmip-youth@2018" in commands[0]
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert readme_commands()[1] in ci


def test_the_readme_example_exists():
    path = readme_commands()[0].rsplit(" ", 1)[1]
    assert (ROOT / path).is_file()
