"""A judgement repeated on each row of its inspection in a CSV of inspections is matched to the framework's
levels before the rows are compared: one level written two ways ('Requires improvement', 'RI') is one
judgement; two levels are still an error at the cell where the second is written.

The guide's file (docs/guides/inspections.csv) holds Bedfordshire's 2021 inspection with its published
judgements, rated Requires improvement with 14 of 36 (seed 004, Annexe 2 scoring).
"""

from __future__ import annotations

import json

import pytest

from bandstand import evaluate
from bandstand.dsl import load_framework_text
from bandstand.engine.evidence import bind, load_evidence_many
from bandstand.engine.read_stream import stream_inspections
from bandstand.errors import BandstandError, format as format_diagnostic
from helpers import ROOT
from test_cli import run
from test_headers import DEMO

GUIDE_CSV = ROOT / "docs" / "guides" / "inspections.csv"
PREFIX = "Bedfordshire YOS,Requires improvement,"


def jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def guide_with(tmp_path, spellings: dict[int, str]):
    """The guide's file with 1.1 (its second column) written otherwise on some of Bedfordshire's rows."""
    rows = GUIDE_CSV.read_text("utf-8").splitlines()
    for i, text in spellings.items():
        assert rows[i].startswith(PREFIX)
        rows[i] = f"Bedfordshire YOS,{text}," + rows[i][len(PREFIX):]
    path = tmp_path / "inspections.csv"
    path.write_text("\n".join(rows) + "\n", "utf-8")
    return path


def test_one_level_written_differently_on_rows_of_an_inspection_is_one_judgement(capsys, tmp_path):
    code, plain, _ = run(capsys, "evaluate", "hmip-youth@2018", GUIDE_CSV, "--format", "jsonl")
    assert code == 0
    path = guide_with(tmp_path, {2: "requires_improvement", 3: "REQUIRES IMPROVEMENT", 5: " requires-improvement "})
    code, out, err = run(capsys, "evaluate", "hmip-youth@2018", path, "--format", "jsonl")
    assert (code, err.splitlines()[-1]) == (0, "bandstand: 2 inspections evaluated")
    got, expected = jsonl(out), jsonl(plain)
    assert got[0]["overall"] == {**expected[0]["overall"]} and got[0]["overall"]["score"] == 14
    assert [r["nodes"] for r in got] == [r["nodes"] for r in expected]
    assert got[0]["nodes"]["1.1"]["rating"] == "requires_improvement"


def demo_csv(tmp_path, first: str, second: str):
    path = tmp_path / "demo.csv"
    path.write_text("inspection,1.1,case,part,2.1.1,2.1.2,3.1.1\n"
                    f"A,{first},C1,court,yes,no,\n"
                    f"A,{second},C2,court,yes,yes,\n"
                    "A,,C3,out_of_court,,,no\n", "utf-8")  # a blank cell: the judgement is on the other rows
    return path


@pytest.mark.parametrize("second", ["RI", "ri", "requires_improvement"])
def test_an_abbreviation_the_framework_declares_is_the_same_judgement_read_whole_or_streamed(tmp_path, second):
    fw = load_framework_text(DEMO, "framework.yaml")  # declares RI for Requires improvement
    path = demo_csv(tmp_path, "Requires improvement", second)
    whole = [evaluate(fw, ev) for ev in load_evidence_many(path)]
    streamed = []
    for ev, problems in stream_inspections(path, fw):
        assert problems == []
        streamed.append(evaluate(fw, ev))
    for results in (whole, streamed):
        assert [r.nodes["1.1"].level.id for r in results] == ["requires_improvement"]
        # scores: 1.1 Requires improvement 1; 2.1 the lowest of 2.1.1 (2 of 2, Good) and 2.1.2 (1 of 2, 50%:
        # Requires improvement), 1; 3.1 from 3.1.1 (0 of 1, Inadequate), 0: 2, in the Inadequate band (0-2)
        assert (results[0].overall.level.id, results[0].overall.value) == ("inadequate", 2)


def test_two_levels_on_rows_of_an_inspection_are_an_error_at_the_second(tmp_path):
    fw = load_framework_text(DEMO, "framework.yaml")
    path = demo_csv(tmp_path, "RI", "Good")
    [ev] = load_evidence_many(path)
    with pytest.raises(BandstandError) as info:
        bind(ev, fw)
    assert [format_diagnostic(d) for d in info.value.diagnostics] == [
        f"{path}:3:3: error: inspection 'A': '1.1' is given as 'RI' and 'Good' on different rows; a judgement must "
        "be the same on every row of its inspection [csv.judgement]"]
    [(ev, problems)] = list(stream_inspections(path, fw))
    assert problems == []  # a problem of meaning: found against the framework, as evaluating finds it
    with pytest.raises(BandstandError) as streamed:
        evaluate(fw, ev)
    assert [format_diagnostic(d) for d in streamed.value.diagnostics] == [
        format_diagnostic(d) for d in info.value.diagnostics]


def test_an_abbreviation_the_framework_does_not_declare_is_refused_at_its_cell(capsys, tmp_path):
    """hmip-youth@2018 declares no RI: it is another text, not Requires improvement."""
    path = guide_with(tmp_path, {4: "RI"})
    code, out, err = run(capsys, "evaluate", "hmip-youth@2018", path, "--format", "jsonl")
    assert code == 2 and [r["subject"] for r in jsonl(out)] == ["Mock inspection June"]
    assert err.splitlines() == [
        f"{path}:5:18: error: inspection 'Bedfordshire YOS': '1.1' is given as 'Requires improvement' and 'RI' on "
        "different rows; a judgement must be the same on every row of its inspection [csv.judgement]",
        "bandstand: 1 inspection evaluated; 1 could not be (see above)"]
