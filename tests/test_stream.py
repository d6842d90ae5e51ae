"""A CSV of inspections streams, and '-' reads standard input (issue 13 section 2, issue 14 sections 1 and 4).

Expected ratings are the published ones: Bedfordshire 2021 Requires improvement, 14 of 36 (seed 004,
Annexe 2 scoring), from frameworks/examples/hmip-youth-2018 and docs/guides/inspections.csv.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest
import yaml

from bandstand.catalogue import bundled_dir
from bandstand.engine.read_csv import (CellPosition, Rows, iter_inspections, read_cases_csv,
                                       read_inspections_csv, text_lines)
from bandstand.engine.seen import Seen
from bandstand.errors import BandstandError, Position, format as format_diagnostic
from helpers import ROOT
from test_cli import run

YOUTH = bundled_dir() / "examples" / "hmip-youth-2018"
PUBLISHED = YOUTH / "bedfordshire-2021-published.yaml"
GUIDE_CSV = ROOT / "docs" / "guides" / "inspections.csv"
JUDGED = {"1.1", "1.2", "1.3", "1.4", "3.4", "4.1"}


def jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def guide_rows() -> list[str]:
    return GUIDE_CSV.read_text("utf-8").splitlines()


def three_inspections(tmp_path, change=None):
    """The guide's two inspections and a third (Bedfordshire's rows again under another name), one file."""
    rows = guide_rows()
    beds = [r.replace("Bedfordshire YOS", "Third YOS", 1) for r in rows[1:] if r.startswith("Bedfordshire YOS")]
    rows = rows + beds
    if change:
        rows = change(rows)
    path = tmp_path / "inspections.csv"
    path.write_text("\n".join(rows) + "\n", "utf-8")
    return path, rows


def line_of(rows: list[str], start: str) -> int:
    return next(i for i, r in enumerate(rows, 1) if r.startswith(start))


# -- standard input ---------------------------------------------------------------------------------


def with_stdin(monkeypatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def as_json(path) -> bytes:
    return json.dumps(yaml.safe_load(path.read_text("utf-8"))).encode()


@pytest.mark.parametrize("kind", ["yaml", "json"])
def test_a_dash_reads_one_inspection_from_standard_input(capsys, monkeypatch, kind):
    with_stdin(monkeypatch, PUBLISHED.read_bytes() if kind == "yaml" else as_json(PUBLISHED))
    code, out, err = run(capsys, "evaluate", "hmip-youth@2018", "-", "--format", "json")
    assert code == 0, err
    result = json.loads(out)
    assert (result["overall"]["rating"], result["overall"]["score"]) == ("requires_improvement", 14)
    assert result["evidence_file"] == "<stdin>"


def test_a_dash_reads_a_csv_of_inspections_from_standard_input(capsys, monkeypatch):
    with_stdin(monkeypatch, GUIDE_CSV.read_bytes())
    code, out, err = run(capsys, "evaluate", "hmip-youth@2018", "-", "--format", "jsonl")
    assert code == 0, err
    results = jsonl(out)
    assert [r["subject"] for r in results] == ["Bedfordshire YOS", "Mock inspection June"]
    assert (results[0]["overall"]["rating"], results[0]["overall"]["score"]) == ("requires_improvement", 14)


def test_a_dash_reads_a_csv_of_one_inspections_cases_from_standard_input(capsys, monkeypatch):
    """A bare CSV of cases has no judgements: the error says so, naming standard input."""
    with_stdin(monkeypatch, (YOUTH / "bedfordshire-2021-cases.csv").read_bytes())
    code, out, err = run(capsys, "evaluate", "hmip-youth@2018", "-")
    assert code == 2 and out == ""
    assert err.startswith("<stdin>:1:1: error: no judgement for '1.1'")


def test_input_format_overrides_the_sniffing(capsys, monkeypatch):
    with_stdin(monkeypatch, PUBLISHED.read_bytes())
    code, out, err = run(capsys, "evaluate", "hmip-youth@2018", "-", "--input-format", "csv")
    assert code == 2 and out == ""
    assert err.splitlines()[0].startswith("<stdin>:") and "[csv.header]" in err.splitlines()[0]
    with_stdin(monkeypatch, GUIDE_CSV.read_bytes())
    code, out, err = run(capsys, "evaluate", "hmip-youth@2018", "-", "--input-format", "yaml")
    assert code == 2 and out == "" and err.startswith("<stdin>:")


def test_input_format_is_for_standard_input_only(capsys):
    code, out, err = run(capsys, "evaluate", "hmip-youth@2018", PUBLISHED, "--input-format", "yaml")
    assert code == 2 and out == ""
    assert err.startswith("bandstand: error: --input-format is for standard input") and "[input.usage]" in err


@pytest.mark.parametrize("args", [("evaluate", "hmip-youth@2018", PUBLISHED, "-"),
                                  ("compare", "hmip-youth@2018", "hmip-youth@2018", "-")])
def test_standard_input_is_the_only_evidence_of_evaluate(capsys, args):
    code, out, err = run(capsys, *args)
    assert (code, out) == (2, "")
    assert err.splitlines() == ["bandstand: error: '-' (standard input) is read by 'bandstand evaluate' as its only "
                                "evidence; name files instead [input.usage]"]


def test_empty_standard_input_is_one_line(capsys, monkeypatch):
    with_stdin(monkeypatch, b"\n\n")
    code, out, err = run(capsys, "evaluate", "hmip-youth@2018", "-")
    assert (code, out) == (2, "")
    assert err.splitlines() == ["<stdin>: error: standard input is empty; expected evidence (YAML, JSON or CSV) "
                                "[input.empty]"]


def test_standard_input_that_is_not_utf8_is_refused_at_its_byte(capsys, monkeypatch):
    data = GUIDE_CSV.read_bytes().replace(b"Mock inspection June", b"Mock inspection Juin \xe9t\xe9", 1)
    line = data[: data.index(b"\xe9")].count(b"\n") + 1
    column = data.index(b"\xe9") - data.rfind(b"\n", 0, data.index(b"\xe9"))
    with_stdin(monkeypatch, data)
    code, out, err = run(capsys, "evaluate", "hmip-youth@2018", "-", "--format", "jsonl")
    assert code == 2
    assert f"<stdin>:{line}:{column}: error: the file is not valid UTF-8 (byte 0xe9); save it as UTF-8 " \
           "[input.encoding]" in err.splitlines()


def test_a_pipe_into_the_command(tmp_path):
    """The real thing: the guide's CSV piped into the installed command."""
    done = subprocess.run([sys.executable, "-m", "bandstand", "evaluate", "hmip-youth@2018", "-", "--format",
                           "jsonl", "--ratings-only"], input=GUIDE_CSV.read_bytes(), capture_output=True,
                          timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert [r["subject"] for r in jsonl(done.stdout.decode())] == ["Bedfordshire YOS", "Mock inspection June"]


# -- a CSV of inspections streams ---------------------------------------------------------------------


def test_inspections_are_read_one_at_a_time():
    """The first inspection comes out before the reader has seen past the row that ends it."""
    rows = guide_rows()
    ends = line_of(rows, "Mock inspection June")

    def lines():
        for i, row in enumerate(rows, 1):
            if i > ends:
                raise RuntimeError("read too far")
            yield row + "\n"

    stream = iter_inspections(Rows(lines(), "i.csv"), "i.csv", judged=JUDGED)
    ev, problems = next(stream)
    assert (ev.subject, len(ev.cases), problems) == ("Bedfordshire YOS", 23, [])
    assert ev.judgements["1.1"].rating == "Requires improvement" and ev.judgements["1.1"].pos == Position("i.csv", 2, 18)
    with pytest.raises(RuntimeError):
        next(stream)


DEMO = ROOT / "tests" / "bad_inputs" / "125-csv-semicolons" / "framework.yaml"  # a small framework


def demo_inspections(tmp_path, n: int, cases: int):
    path = tmp_path / "inspections.csv"
    rows = ["inspection,1.1,case,part,2.1.1,2.1.2"] + [f"YOS {i},good,C{c},court,yes,no" for i in range(n)
                                                      for c in range(cases)]
    path.write_text("\n".join(rows) + "\n", "utf-8")
    return path


def test_a_csv_of_inspections_is_not_bounded_by_max_file_bytes(capsys, tmp_path):
    path = demo_inspections(tmp_path, 200, 3)
    limit = DEMO.stat().st_size + 100
    assert path.stat().st_size > 5 * limit
    code, out, err = run(capsys, "--max-file-bytes", limit, "evaluate", DEMO, path, "--format", "jsonl")
    assert code == 0, err
    assert [r["subject"] for r in jsonl(out)] == [f"YOS {i}" for i in range(200)]


def test_the_rows_of_one_inspection_are_bounded_by_max_file_bytes(capsys, tmp_path):
    limit = DEMO.stat().st_size + 100
    path = demo_inspections(tmp_path, 2, limit // 20)  # each inspection's rows, over the limit
    code, out, err = run(capsys, "--max-file-bytes", limit, "evaluate", DEMO, path, "--format", "jsonl")
    assert code == 2 and out == ""
    problems = err.splitlines()
    line = 2 + next(i for i in range(limit) if sum(len(f"YOS 0,good,C{c},court,yes,no") + 1
                                                   for c in range(i + 1)) > limit)
    assert problems[0] == (f"{path}:{line}:1: error: the rows of inspection 'YOS 0' exceeds the limit max_file_bytes="
                           f"{limit}; raise it with --max-file-bytes on the command line or "
                           "Limits(max_file_bytes=...) in the library [limit.file-size]")
    assert problems[-1] == "bandstand: 0 inspections evaluated; 2 could not be (see above)"


def test_a_line_longer_than_max_file_bytes_is_refused_where_it_is(capsys, tmp_path):
    path = demo_inspections(tmp_path, 2, 1)
    limit = DEMO.stat().st_size + 100
    path.write_text(path.read_text("utf-8") + "YOS 2,good,C0,court,yes," + "n" * limit + "\n", "utf-8")
    code, out, err = run(capsys, "--max-file-bytes", limit, "evaluate", DEMO, path, "--format", "jsonl")
    assert code == 2 and [r["subject"] for r in jsonl(out)] == ["YOS 0"]
    assert err.splitlines()[0] == (f"{path}:4:1: error: line 4's length exceeds the limit max_file_bytes={limit}; "
                                   "raise it with --max-file-bytes on the command line or Limits(max_file_bytes=...) "
                                   "in the library [limit.file-size]")


def test_an_inspection_with_problems_is_left_out_and_the_rest_evaluated(capsys, tmp_path):
    def bad_cell(rows):
        i = line_of(rows, "Mock inspection June") - 1
        rows[i] = rows[i].replace(",court,yes,", ",court,maybe,", 1)
        return rows

    path, rows = three_inspections(tmp_path, bad_cell)
    line = line_of(rows, "Mock inspection June")
    column = rows[line - 1].index("maybe") + 1
    code, out, err = run(capsys, "evaluate", "hmip-youth@2018", path, "--format", "jsonl")
    assert code == 2
    assert [r["subject"] for r in jsonl(out)] == ["Bedfordshire YOS", "Third YOS"]
    assert err.splitlines() == [
        f"{path}:{line}:{column}: error: 'maybe' in column '2.1.1' is not an answer; expected yes, no or blank "
        "(not applicable) [csv.answer]",
        "bandstand: 2 inspections evaluated; 1 could not be (see above)"]


def unclosed_quote(rows):
    i = line_of(rows, "Third YOS") - 1
    rows[i] = rows[i].replace(",C01,", ',"C01,', 1)
    return rows


def test_a_quote_left_open_stops_the_command_and_keeps_what_was_written(capsys, tmp_path):
    path, rows = three_inspections(tmp_path, unclosed_quote)
    line = line_of(rows, "Third YOS")
    column = rows[line - 1].index('"') + 1
    code, out, err = run(capsys, "evaluate", "hmip-youth@2018", path, "--format", "jsonl")
    assert code == 2
    # the inspection being read when the error is met is not evaluated (its rows may go on past it)
    assert [r["subject"] for r in jsonl(out)] == ["Bedfordshire YOS"]  # each a whole line
    assert err.splitlines() == [
        f"{path}:{line}:{column}: error: a quoted cell is never closed: no matching '\"' [csv.syntax]",
        "bandstand: stopped at this error after 1 inspection evaluated; the results written before it are "
        "complete lines"]


def test_a_quote_left_open_writes_no_output_file(capsys, tmp_path):
    path, _ = three_inspections(tmp_path, unclosed_quote)
    target = tmp_path / "results.jsonl"
    target.write_text("the last run's results\n", "utf-8")
    code, out, err = run(capsys, "evaluate", "hmip-youth@2018", path, "--format", "jsonl", "-o", target)
    assert code == 2 and out == ""
    assert target.read_text("utf-8") == "the last run's results\n"  # as it was: written whole or not at all
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inspections.csv", "results.jsonl"]  # no temporary file
    assert err.splitlines()[-1] == (f"bandstand: stopped at this error after 1 inspection evaluated; nothing was "
                                    f"written to {target}")


def test_the_rows_of_an_inspection_must_be_together(capsys, tmp_path):
    def apart(rows):
        beds = line_of(rows, "Bedfordshire YOS") - 1
        moved = rows.pop(beds)
        return rows + [moved]

    path, rows = three_inspections(tmp_path, apart)
    code, out, err = run(capsys, "evaluate", "hmip-youth@2018", path, "--format", "jsonl", "--ratings-only")
    assert code == 2
    # Bedfordshire's result was written before its last row was met: exit 2 and the error say so
    assert [r["subject"] for r in jsonl(out)] == ["Bedfordshire YOS", "Mock inspection June", "Third YOS"]
    assert err.splitlines() == [
        f"{path}:{len(rows)}:1: error: the rows of inspection 'Bedfordshire YOS' appear again here, after those "
        "of another inspection; the rows of an inspection must be together (sort the file by its 'inspection' "
        "column) [csv.inspection]",
        "bandstand: stopped at this error after 3 inspections evaluated; the results written before it are "
        "complete lines"]


def test_the_library_reader_refuses_rows_apart_too():
    rows = guide_rows()
    rows.append(rows[1])
    with pytest.raises(BandstandError) as info:
        read_inspections_csv("\n".join(rows) + "\n", "i.csv")
    assert [d.code for d in info.value.diagnostics] == ["csv.inspection"]


def test_the_names_met_are_remembered_exactly():
    with Seen() as seen:  # more than its buffer: some names are in runs on disk (tests/test_seen.py)
        names = [f"inspection {i}" for i in range(20_000)]
        assert all(seen.add(n) for n in names)
        assert not any(seen.add(n) for n in names[::97])
        assert seen.add("inspection 20000") and seen.runs and len(seen) == 20_001


# -- reading CSV with the csv module ---------------------------------------------------------------


def test_excel_sep_line_names_the_delimiter_and_counts_as_a_line():
    text = "sep=;\r\ncase;part;2.1.1;2.1.2\r\nC1;court;yes;no\r\nC2;court;no;maybe\r\n"
    with pytest.raises(BandstandError) as info:
        read_cases_csv(text, "cases.csv")
    assert [format_diagnostic(d) for d in info.value.diagnostics] == [
        "cases.csv:4:13: error: 'maybe' in column '2.1.2' is not an answer; expected yes, no or blank "
        "(not applicable) [csv.answer]"]
    (c,) = read_cases_csv("sep=,\ncase,part,2.1.1\nC1,court,yes\n", "cases.csv")
    assert (c.pos.line, c.answers) == (3, {"2.1.1": True})


def test_a_cell_position_is_a_position():
    (c,) = read_cases_csv('case,part,2.1.1\n"C 1","court",yes\n', "cases.csv")
    assert c.part_pos == Position("cases.csv", 2, 7) and Position("cases.csv", 2, 7) == c.part_pos
    assert isinstance(c.part_pos, CellPosition) and str(c.part_pos) == "cases.csv:2:7"
    assert hash(c.part_pos) == hash(Position("cases.csv", 2, 7))
    assert c.answer_pos["2.1.1"] == Position("cases.csv", 2, 15)


def test_old_mac_line_endings_are_rows():
    cases = read_cases_csv("case,part,2.1.1\rC1,court,yes\rC2,court,no\r", "cases.csv")
    assert [(c.id, c.pos.line, c.answers["2.1.1"]) for c in cases] == [("C1", 2, True), ("C2", 3, False)]


def test_rows_split_as_csv_reader_splits_them():
    text = 'a,b,c\r\n"x, ""y""",2,"multi\nline"\n\n,,\nlast,"",z'
    import csv

    want = [r for r in csv.reader(io.StringIO(text, newline="")) if any(c.strip() for c in r)]
    got = [(r.cells, r.line) for r in Rows(text_lines(text), "f.csv")]
    assert [cells for cells, _ in got] == want
    assert [line for _, line in got] == [1, 2, 6]
