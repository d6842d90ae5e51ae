"""Shell completion, through click's own: commands, framework ids and versions, files.

Run as the shell runs it: ``_BANDSTAND_COMPLETE=bash_complete`` with the
words typed so far; and once through bash itself, with the script
``_BANDSTAND_COMPLETE=bash_source bandstand`` prints.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import ROOT

COMMANDS = ["cache", "compare", "diff", "evaluate", "examples", "fmt", "list", "schema", "stability", "template",
            "test", "validate"]


def complete(words: str, cwd: Path = ROOT, **env) -> list[tuple[str, str]]:
    """(type, value) of each completion of the last word of ``words`` (an empty last word when it ends in a space)."""
    typed = words.split()
    cword = len(typed) if words.endswith(" ") else len(typed) - 1
    environ = {**os.environ, "_BANDSTAND_COMPLETE": "bash_complete", "COMP_WORDS": words, "COMP_CWORD": str(cword),
               **env}
    environ.pop("BANDSTAND_PATH", None)
    done = subprocess.run([sys.executable, "-m", "bandstand"], env=environ, cwd=cwd, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    return [tuple(line.split(",", 1)) for line in done.stdout.splitlines()]


def test_commands_complete():
    assert [v for _, v in complete("bandstand ")] == COMMANDS
    assert complete("bandstand ev") == [("plain", "evaluate")]
    assert complete("bandstand cache ") == [("plain", "clear"), ("plain", "dir")]
    assert ("plain", "--format") in complete("bandstand evaluate --fo")


def test_framework_arguments_complete_ids_and_versions():
    assert complete("bandstand evaluate hmip-youth@") == [("plain", "hmip-youth@2018-original"),
                                                         ("plain", "hmip-youth@2018")]
    fji = [v for _, v in complete("bandstand diff hmip-youth-fji@2012 hmip-youth-f")]
    assert fji == ["hmip-youth-fji", "hmip-youth-fji@2012", "hmip-youth-fji@2014", "hmip-youth-fji@2016-court"]
    assert ("plain", "hmip-youth-cci@2011") in complete("bandstand validate x.yaml --framework hmip-youth-c")
    assert [v for _, v in complete("bandstand examples hmip-youth-cc")] == ["hmip-youth-cci", "hmip-youth-cci@2011"]


def test_a_framework_path_given_first_is_completed_from(tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    text = (ROOT / "tests" / "cases" / "mini.yaml").read_text(encoding="utf-8").replace("id: mini", "id: zz-mine")
    (mine / "zz.yaml").write_text(text, encoding="utf-8")
    assert complete(f"bandstand --framework-path {mine} evaluate zz") == [("plain", "zz-mine"), ("plain", "zz-mine@1")]


def test_evidence_and_paths_complete_as_files():
    assert complete("bandstand evaluate hmip-youth@2018 frameworks/ex") == [("file", "frameworks/ex")]
    assert complete("bandstand fmt fr") == [("file", "fr")]
    assert complete("bandstand evaluate ./fr") == [("file", "./fr")]  # no framework id: a framework file


def test_the_bash_script_completes_in_bash(tmp_path):
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("no bash")
    env = {k: v for k, v in os.environ.items() if k != "BANDSTAND_PATH"}
    source = subprocess.run([sys.executable, "-m", "bandstand"], env={**env, "_BANDSTAND_COMPLETE": "bash_source"},
                            capture_output=True, text=True, timeout=300).stdout
    assert "complete -o nosort -F _bandstand_completion bandstand" in source
    # bash calls `bandstand`: put one on PATH that is this checkout's
    shim = tmp_path / "bin"
    shim.mkdir()
    (shim / "bandstand").write_text(f"#!/bin/sh\nexec {sys.executable} -m bandstand \"$@\"\n")
    (shim / "bandstand").chmod(0o755)
    script = source + '\nCOMP_WORDS=(bandstand evaluate hmip-youth@20); COMP_CWORD=2\n' \
                      '_bandstand_completion bandstand\nprintf "%s\\n" "${COMPREPLY[@]}"\n'
    done = subprocess.run([bash, "-c", script], env={**env, "PATH": f"{shim}:{env.get('PATH', '')}"}, cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.stdout.splitlines() == ["hmip-youth@2018-original", "hmip-youth@2018"], done.stderr
