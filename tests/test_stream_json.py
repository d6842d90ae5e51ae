"""A CSV of inspections that stops part-way (a quote left open, a byte that is not UTF-8, an inspection's rows
apart) leaves standard output valid in every format that promises a document: jsonl's lines, and json's list,
closed, holding the results written before the error; the error is on standard error, with exit 2.

Bedfordshire YOS 2021: Requires improvement, 14 of 36 (seed 004, Annexe 2 scoring).
"""

from __future__ import annotations

import json

import pytest

from test_cli import run
from test_stream import line_of, three_inspections, unclosed_quote


def not_utf8(path):
    """The third inspection's first row with a byte that is not UTF-8 (0xff) in its case id."""
    rows = path.read_bytes().split(b"\n")
    i = next(i for i, r in enumerate(rows) if r.startswith(b"Third YOS"))
    rows[i] = rows[i].replace(b",C01,", b",C\xff01,", 1)
    path.write_bytes(b"\n".join(rows))


def apart(rows):
    """Bedfordshire's first row again after the Mock inspection's and the third's."""
    return rows + [rows[line_of(rows, "Bedfordshire YOS") - 1]]


@pytest.mark.parametrize("stop", ["quote", "encoding", "apart"])
def test_json_output_stays_one_valid_list_when_a_stream_stops(capsys, tmp_path, stop):
    path, rows = three_inspections(tmp_path, {"quote": unclosed_quote, "apart": apart}.get(stop))
    if stop == "encoding":
        not_utf8(path)
    code, out, err = run(capsys, "evaluate", "hmip-youth@2018", path, "--format", "json")
    assert code == 2
    results = json.loads(out)  # the whole of standard output is one JSON document
    expected = {"quote": ["Bedfordshire YOS"], "encoding": ["Bedfordshire YOS"],
                "apart": ["Bedfordshire YOS", "Mock inspection June", "Third YOS"]}[stop]
    assert [r["subject"] for r in results] == expected
    assert (results[0]["overall"]["rating"], results[0]["overall"]["score"]) == ("requires_improvement", 14)
    lines = err.splitlines()
    assert lines[0].startswith(f"{path}:") and " error: " in lines[0]
    n = len(expected)
    assert lines[-1] == (f"bandstand: stopped at this error after {n} inspection{'s' if n != 1 else ''} evaluated; "
                         "the results written before it are a complete JSON list")


def test_json_results_of_a_whole_stream_are_the_same_list(capsys, tmp_path):
    """Without an error, the same command gives the list with every inspection (the closing is not doubled)."""
    path, _ = three_inspections(tmp_path)
    code, out, err = run(capsys, "evaluate", "hmip-youth@2018", path, "--format", "json")
    assert code == 0
    assert [r["subject"] for r in json.loads(out)] == ["Bedfordshire YOS", "Mock inspection June", "Third YOS"]
