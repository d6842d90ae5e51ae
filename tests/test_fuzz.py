"""Fuzzing with hypothesis (the long run is tests/fuzz/run.py; see tests/fuzz/README.md).

* Random text and random token sequences written as a framework's rule
  either load or are refused with diagnostics located in the file.
* Random mutations of the bundled framework, evidence and CSV files (bytes
  flipped, inserted or deleted, lines dropped, doubled or swapped, keys
  renamed, values replaced by YAML traps, indentation changed) either load
  and evaluate or are refused with located diagnostics; never another
  exception.
* The same mutants through the command line: exit 0, 1 or 2, no traceback.
* Odd paths and kinds of file in every place a path goes (tests/fuzz/paths.py:
  links, loops, FIFOs, devices, long names, NUL and odd bytes, unreadable
  files, read-only and full output targets, an output that is an input):
  exit 0, 1 or 2, one line per problem, no input changed, no temporary file
  left, no device replaced.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bandstand import BandstandError, load_framework_text
from bandstand.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parent / "fuzz"))
from mutate import CSV_TRAPS, KEY_TRAPS, OPS, SOURCES, TRAPS, apply, check, source  # noqa: E402
import paths  # noqa: E402

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# a framework whose overall rule is replaced by the fuzzed text
RULE_FRAMEWORK = """\
bandstand: 1
id: fuzz
version: "1"
title: Fuzz
status: draft
scales:
  - id: rating
    levels:
      - {id: poor, label: Poor, score: 0}
      - {id: good, label: Good, score: 1}
tiers:
  - {id: standard, label: Standard}
nodes:
  - {id: "1", title: One, judged: true}
overall:
  rule: RULE
"""
RULE_LINE = 16


def load_rule(expr: str) -> None:
    """Load the framework with ``expr`` as its overall rule: it loads, or every error is located."""
    text = RULE_FRAMEWORK.replace("RULE", json.dumps(expr))
    try:
        load_framework_text(text, "fuzz.yaml")
    except BandstandError as e:
        for d in e.diagnostics:
            assert d.file == "fuzz.yaml" and d.line is not None and d.column is not None, str(d)
            if d.code.startswith(("syntax.", "check.")) and d.code != "check.unused-level":
                assert d.line == RULE_LINE and d.column >= 9, str(d)  # inside the rule's text
            assert "\n" not in str(d)


TOKENS = ["(", ")", ",", ".", "-", "+", "*", "/", "==", "!=", "<", "<=", ">", ">=", "if", "then", "else", "and",
          "or", "not", "true", "false", "x", "rating", "score", "good", "poor", "lowest", "min", "band", "children",
          "counted", "1", "0", "2.5", "'1'", '"1"', "'", '"', "\\", "$", "\t", "1e5", "9" * 30, "rating.good"]


@SETTINGS
@given(st.text(max_size=60))
def test_random_text_as_a_rule_loads_or_gives_located_errors(text):
    load_rule(text)


@SETTINGS
@given(st.lists(st.sampled_from(TOKENS), max_size=25), st.sampled_from([" ", ""]))
def test_random_token_sequences_as_a_rule_load_or_give_located_errors(tokens, separator):
    load_rule(separator.join(tokens))


def ops(kind: str):
    where = st.floats(0, 1, allow_nan=False)
    one = st.one_of(
        st.tuples(st.just("flip"), where, st.integers(0, 255)),
        st.tuples(st.just("delete"), where, st.integers(1, 40)),
        st.tuples(st.just("insert"), where, st.binary(min_size=1, max_size=5)),
        st.tuples(st.sampled_from(["drop_line", "dup_line", "truncate"]), where),
        st.tuples(st.just("swap_lines"), where, where),
        st.tuples(st.just("rename_key"), where, st.sampled_from(KEY_TRAPS)),
        st.tuples(st.just("replace_value"), where, st.sampled_from(TRAPS)),
        st.tuples(st.just("indent"), where, st.sampled_from([-4, -2, -1, 1, 2, 4])),
        *([st.tuples(st.just("csv_cell"), where, st.sampled_from(CSV_TRAPS))] if kind == "csv" else []),
    )
    return st.lists(one, min_size=1, max_size=3)


assert {"flip", "delete", "insert", "drop_line", "dup_line", "truncate", "swap_lines", "rename_key",
        "replace_value", "indent", "csv_cell"} == set(OPS)


@pytest.mark.parametrize("kind, index", [(k, i) for k, paths in SOURCES.items() for i in range(len(paths))])
def test_mutants_of_the_bundled_files_load_or_give_located_errors(kind, index):
    @SETTINGS
    @given(ops(kind))
    def mutant_passes(operations):
        check(kind, apply(source(kind, index), operations))  # raises Finding otherwise

    mutant_passes()


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(["framework", "evidence"]), operations=ops("evidence"))
def test_mutants_through_the_command_line_exit_0_1_or_2(kind, operations, tmp_path_factory, capsys):
    folder = tmp_path_factory.mktemp("mutant")
    name = "framework.yaml" if kind == "framework" else "evidence.yaml"
    (folder / name).write_bytes(apply(source(kind, 0), operations))
    args = (["validate", str(folder / name)] if kind == "framework"
            else ["evaluate", "hmip-youth@2018", str(folder / name)])
    capsys.readouterr()
    with pytest.raises(SystemExit) as info:
        main(args)
    out, err = capsys.readouterr()
    assert info.value.code in (0, 1, 2), err
    assert "Traceback" not in out + err and "internal error" not in err


@pytest.mark.parametrize("place", paths.PLACES)
def test_odd_paths_and_kinds_of_file_in_every_place_are_one_line_refusals(place, monkeypatch):
    """Every odd thing once in this place, with a seed of its own (the long run: tests/fuzz/paths.py)."""
    monkeypatch.delenv("BANDSTAND_PATH", raising=False)
    things = [t for p, t in paths.pairs() if p == place]
    assert len(things) >= 14
    codes = {thing: paths.check(place, thing, seed=sum(map(ord, place + thing))) for thing in things}
    if place != "evidence-in-folder":  # there, what is not a regular evidence file is passed over
        assert all(codes[t] == 2 for t in ("fifo", "loop", "self-loop", "long-name", "long-path", "nul")), codes
