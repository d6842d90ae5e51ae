"""Many inspections at once: evaluate_many, and `bandstand evaluate` with several files, a folder, or a CSV
with an inspection column (jsonl, json, summary tables, progress, errors per file).

Expected ratings are the published ones: Bedfordshire 2021 Requires improvement, 14 of 36 (report, Annexe 2
scoring); Oxfordshire 2011 Moderate / Substantial / Moderate improvement required (seed 002).
"""

from __future__ import annotations

import json
import shutil
import sys
import tracemalloc

import pytest

from bandstand import compile_framework, evaluate, evaluate_many, load_framework
from bandstand.catalogue import bundled_dir
from bandstand.engine.evidence import Evidence, load_evidence, load_evidence_many
from helpers import ROOT
from test_cli import run

EXAMPLES = bundled_dir() / "examples"
YOUTH = EXAMPLES / "hmip-youth-2018"
CCI = EXAMPLES / "hmip-youth-cci-2011"
GUIDE_CSV = ROOT / "docs" / "guides" / "inspections.csv"


def jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


# -- the library ----------------------------------------------------------------------------


def test_evaluate_many_streams_the_results_of_evaluate():
    fw = load_framework(bundled_dir() / "hmip-youth-2018.yaml")
    files = sorted(YOUTH.glob("bedfordshire-*.yaml"))  # Bedfordshire's findings, written three ways
    stream = evaluate_many(fw, (load_evidence(f) for f in files), explain=True)
    assert not isinstance(stream, (list, tuple))  # a generator: nothing is evaluated before it is asked for
    got = list(stream)
    assert [r.evidence_file for r in got] == [str(f) for f in files]
    for r, f in zip(got, files):
        one = evaluate(fw, load_evidence(f))
        assert r.to_json() == one.to_json()
        assert (r.overall.level.id, r.overall.value) == ("requires_improvement", 14)


def _figures(n: int):
    """n inspections from published figures, made one at a time."""
    base = load_evidence(YOUTH / "bedfordshire-2021-published.yaml")
    for i in range(n):
        ev = Evidence(None, subject=f"inspection {i}")
        ev.judgements, ev.figures, ev.date = base.judgements, base.figures, base.date
        yield ev


def _peak(compiled, n: int) -> int:
    tracemalloc.start()
    try:
        for _ in evaluate_many(compiled, _figures(n)):
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_stays_flat_as_inspections_grow():
    compiled = compile_framework(load_framework(bundled_dir() / "hmip-youth-2018.yaml"))
    _peak(compiled, 5)  # warm every cache first
    small, large = _peak(compiled, 50), _peak(compiled, 2000)
    assert large < small * 1.5 + 64_000, (small, large)


# -- the command line: what is read ---------------------------------------------------------


def test_a_folder_is_one_result_per_inspection_and_its_cases_csv_is_not_another(capsys):
    """bedfordshire-2021-csv.yaml reads its cases from bedfordshire-2021-cases.csv in the same folder:
    the CSV is part of that inspection, not another one (it has no judgements, so it would fail)."""
    code, out, err = run(capsys, "evaluate", "hmip-youth", YOUTH, "--format", "jsonl")
    assert code == 0, err
    results = jsonl(out)
    assert sorted(r["evidence_file"] for r in results) == sorted(str(f) for f in YOUTH.glob("*.yaml"))
    # Bedfordshire three ways, and the three constructed inspections (each file works out its rating by hand)
    assert {(r["overall"]["rating"], r["overall"]["score"], r["overall"]["max_score"]) for r in results} == {
        ("requires_improvement", 14, 36), ("good", 19, 36), ("inadequate", 6, 36), ("good", 31, 36)}
    assert err.splitlines()[-1] == "bandstand: 6 inspections evaluated"


def test_a_csv_named_on_the_command_line_is_always_read(capsys, tmp_path):
    for f in YOUTH.iterdir():
        shutil.copy(f, tmp_path / f.name)
    code, out, err = run(capsys, "evaluate", "hmip-youth", tmp_path / "bedfordshire-2021-csv.yaml",
                         tmp_path / "bedfordshire-2021-cases.csv", "--format", "jsonl")
    assert code == 2  # the bare CSV of cases carries no judgements: named, it is read, and refused
    assert len(jsonl(out)) == 1
    assert (f"{tmp_path / 'bedfordshire-2021-cases.csv'}:1:1: error: a CSV of cases gives no judgements, and "
            "hmip-youth@2018 needs them for 1.1, 1.2, 1.3, 1.4, 3.4; give them in a YAML evidence file that "
            "reads these cases (cases: bedfordshire-2021-cases.csv)") in err


def test_a_csv_with_an_inspection_column_is_one_result_per_inspection(capsys):
    code, out, err = run(capsys, "evaluate", "hmip-youth@2018", GUIDE_CSV, "--format", "jsonl")
    assert code == 0, err
    results = {r["subject"]: r for r in jsonl(out)}
    assert list(results) == ["Bedfordshire YOS", "Mock inspection June"]
    beds = results["Bedfordshire YOS"]
    assert (beds["overall"]["rating"], beds["overall"]["score"]) == ("requires_improvement", 14)
    assert beds["evidence_file"] == str(GUIDE_CSV)
    assert results["Mock inspection June"]["nodes"]["4.1"]["rating"] is None  # no resettlement cases


def test_rows_of_an_inspection_csv_are_checked(capsys, tmp_path):
    bad = tmp_path / "inspections.csv"
    bad.write_text("inspection,case,part,2.1.1\nA,1,court,yes,extra\n,2,court,no\nA,3,court\n", "utf-8")
    code, out, err = run(capsys, "evaluate", "hmip-youth@2018", bad)
    assert code == 2 and out == ""
    assert err.splitlines() == [
        f"{bad}:2:1: error: this row has 5 cells but the header has 4 [csv.row]",
        f"{bad}:3:1: error: this row names no inspection in column 'inspection'; every row must name the "
        "inspection it belongs to [csv.inspection]",
        f"{bad}:4:1: error: this row has 3 cells but the header has 4 [csv.row]",
    ]


def test_a_judgement_must_be_the_same_on_every_row_of_its_inspection(capsys, tmp_path):
    rows = GUIDE_CSV.read_text("utf-8").splitlines()
    rows[2] = rows[2].replace("Bedfordshire YOS,Requires improvement,Good,", "Bedfordshire YOS,Good,Good,", 1)
    bad = tmp_path / "inspections.csv"
    bad.write_text("\n".join(rows) + "\n", "utf-8")
    code, out, err = run(capsys, "evaluate", "hmip-youth@2018", bad, "--format", "jsonl")
    # the inspections stream: this one is reported and left out, the next still evaluated
    assert code == 2 and [r["subject"] for r in jsonl(out)] == ["Mock inspection June"]
    assert (f"{bad}:3:18: error: inspection 'Bedfordshire YOS': '1.1' is given as 'Requires improvement' and "
            "'Good' on different rows; a judgement must be the same on every row of its inspection") in err
    assert err.splitlines()[-1] == "bandstand: 1 inspection evaluated; 1 could not be (see above)"


def test_one_bad_file_is_reported_by_name_and_the_rest_evaluated(capsys, tmp_path):
    good = tmp_path / "a.yaml"
    shutil.copy(YOUTH / "bedfordshire-2021-published.yaml", good)
    bad = tmp_path / "b.yaml"
    bad.write_text(good.read_text("utf-8").replace("subject:", "subjet:"), "utf-8")
    code, out, err = run(capsys, "evaluate", "hmip-youth", tmp_path, "--format", "jsonl")
    assert code == 2
    assert [r["evidence_file"] for r in jsonl(out)] == [str(good)]
    problems = [line for line in err.splitlines() if ": error: " in line]
    assert len(problems) == 1 and problems[0].startswith(f"{bad}:")
    assert "unknown field 'subjet' (did you mean 'subject'?)" in problems[0]
    assert err.splitlines()[-1] == "bandstand: 1 inspection evaluated; 1 could not be (see above)"


# -- the command line: what is written ------------------------------------------------------


def test_jsonl_of_one_inspection_is_one_line(capsys):
    code, out, _ = run(capsys, "evaluate", "hmip-youth@2018", YOUTH / "bedfordshire-2021-published.yaml",
                       "--format", "jsonl")
    assert code == 0 and out.count("\n") == 1
    assert jsonl(out)[0]["overall"]["rating"] == "requires_improvement"


def test_json_of_many_is_one_array(capsys):
    code, out, _ = run(capsys, "evaluate", "hmip-youth", YOUTH, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert isinstance(data, list) and len(data) == 6


def test_ratings_only_keeps_the_ratings_and_the_overall_score(capsys):
    code, out, _ = run(capsys, "evaluate", "hmip-youth", YOUTH, "--format", "jsonl", "--ratings-only")
    assert code == 0
    full = jsonl(run(capsys, "evaluate", "hmip-youth", YOUTH, "--format", "jsonl")[1])
    assert len(full) == 6 and {r["overall"]["score"] for r in jsonl(out)} == {14, 19, 6, 31}
    for quick, slow in zip(jsonl(out), full):
        assert (quick["overall"]["score"], quick["overall"]["max_score"]) == (slow["overall"]["score"], 36)
        assert {k: v["rating"] for k, v in quick["nodes"].items()} == {k: v["rating"] for k, v in slow["nodes"].items()}
        assert all(not v["reason"] or v["reason"].startswith("not rated") for v in quick["nodes"].values())
        assert "margin" not in quick["overall"] and "margin" in slow["overall"]


def test_the_summary_table_has_the_overall_rating_and_score(capsys):
    code, out, _ = run(capsys, "evaluate", "hmip-youth@2018", GUIDE_CSV)
    assert code == 0
    head, beds, mock = out.splitlines()
    assert head.split()[:5] == ["INSPECTION", "EVIDENCE", "FRAMEWORK", "OVERALL", "RATING"]
    assert beds.startswith("Bedfordshire YOS") and "Requires improvement  14/36" in beds
    assert mock.startswith("Mock inspection June") and mock.endswith("4.1")


def test_the_summary_of_a_framework_without_an_overall_rating_shows_its_areas(capsys):
    code, out, _ = run(capsys, "evaluate", "hmip-youth-cci", CCI)
    assert code == 0
    text = out.splitlines()
    assert "SAFEGUARDING" in text[0] and "RISK OF HARM TO OTHERS" in text[0] and "LIKELIHOOD OF REOFFENDING" in text[0]
    rows = [row for row in text[1:] if row.startswith("Oxfordshire YOS")]
    assert len(rows) == 2
    for row in rows:
        assert row.split("  hmip-youth-cci@2011")[1].split() == (
            "Moderate improvement required Substantial improvement required Moderate improvement required -".split())
    assert text[-1] == ("Note: hmip-youth-cci@2011: the thresholds of Area score bands (inferred) are inferred "
                        "from published results, not published.")
    code, out, _ = run(capsys, "evaluate", "hmip-youth-cci", CCI, "--format", "markdown")
    assert out.splitlines()[0] == ("| Inspection | Evidence | Framework | Safeguarding | Risk of Harm to others "
                                   "| Likelihood of Reoffending | Not rated |")
    assert out.splitlines()[-1].startswith("> Note: hmip-youth-cci@2011: the thresholds")


def test_a_new_table_starts_where_the_columns_change(capsys):
    """The id alone: Bromley 2015 names the six-judgement version, Doncaster 2015's court work judgement fits
    only the court-work variant, Warwickshire 2013 names the five-judgement one."""
    code, out, _ = run(capsys, "evaluate", "hmip-youth-fji", EXAMPLES / "hmip-youth-fji")
    assert code == 0
    first, second, third = out.split("\n\n")
    assert "INTERVENTIONS TO REDUCE REOFFEN" in first.splitlines()[0]
    assert first.splitlines()[1].split("hmip-youth-fji@2014")[1].split() == [
        "Poor", "Poor", "Unsatisfactory", "Satisfactory", "Poor", "Poor", "-"]  # seed 003: Bromley 2015
    assert "COURT WORK AND REPORTS" in second.splitlines()[0] and "Doncaster YOS" in second
    assert "INTERVENTIONS" not in third.splitlines()[0] and "hmip-youth-fji@2012" in third


def test_a_framework_that_cannot_be_chosen_for_one_file_is_reported_with_that_file(capsys):
    oxford = CCI / "oxfordshire-2011-published.yaml"
    code, out, err = run(capsys, "evaluate", "hmip-youth", oxford, YOUTH / "bedfordshire-2021-published.yaml",
                         "--format", "jsonl")
    assert code == 2 and len(jsonl(out)) == 1
    assert f"{oxford}: error: no version of 'hmip-youth' was in force on 2011-02" in err


def test_user_text_in_the_markdown_summary_is_escaped(capsys, tmp_path):
    rows = GUIDE_CSV.read_text("utf-8").replace("Mock inspection June", "=HYPERLINK(\"x\")")
    f = tmp_path / "inspections.csv"
    f.write_text(rows, "utf-8")
    code, out, _ = run(capsys, "evaluate", "hmip-youth@2018", f, "--format", "markdown")
    assert code == 0
    assert "| =" not in out and "HYPERLINK" in out


def test_many_results_are_written_atomically_and_never_over_an_input(capsys, tmp_path):
    for f in YOUTH.iterdir():
        shutil.copy(f, tmp_path / f.name)
    target = tmp_path / "out" / "results.jsonl"
    target.parent.mkdir()
    code, out, _ = run(capsys, "evaluate", "hmip-youth", tmp_path, "--format", "jsonl", "-o", target)
    assert code == 0 and out == "" and len(jsonl(target.read_text("utf-8"))) == 6
    assert not list(target.parent.glob(".*.tmp"))
    before = (tmp_path / "bedfordshire-2021-published.yaml").read_bytes()
    code, out, err = run(capsys, "evaluate", "hmip-youth", tmp_path / "bedfordshire-2021-published.yaml",
                         tmp_path / "bedfordshire-2021-cases.yaml", "-o", tmp_path / "bedfordshire-2021-published.yaml")
    assert code == 2 and "bandstand never writes over its inputs" in err
    assert (tmp_path / "bedfordshire-2021-published.yaml").read_bytes() == before


# -- progress -----------------------------------------------------------------------------


@pytest.mark.parametrize("stdout_tty, output, shown", [(False, None, True), (True, None, False), (True, "f", True)])
def test_the_progress_bar_is_on_a_terminal_and_never_across_the_results(capsys, monkeypatch, tmp_path,
                                                                      stdout_tty, output, shown):
    capsys.readouterr()
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: stdout_tty)
    args = ["evaluate", "hmip-youth", YOUTH] + (["-o", tmp_path / "results.txt"] if output else [])
    code, out, err = run(capsys, *args)
    assert code == 0
    assert ("evaluating" in err) == shown
    assert "evaluating" not in out


def test_no_progress_bar_when_standard_error_is_not_a_terminal(capsys):
    code, out, err = run(capsys, "evaluate", "hmip-youth", YOUTH)
    assert code == 0 and "evaluating" not in err


# -- stability takes one inspection ------------------------------------------------------------


def test_stability_refuses_a_csv_of_several_inspections(capsys):
    code, out, err = run(capsys, "stability", "hmip-youth@2018", GUIDE_CSV)
    assert code == 2 and out == ""
    assert err.splitlines() == [f"{GUIDE_CSV}: error: {GUIDE_CSV} holds 2 inspections (it has an inspection "
                                "column); stability takes one inspection's cases: give a file of one [input.many]"]


def test_load_evidence_many_of_a_plain_file_is_that_one_inspection():
    (ev,) = load_evidence_many(YOUTH / "bedfordshire-2021-published.yaml")
    assert ev.subject == "Bedfordshire YOS"
