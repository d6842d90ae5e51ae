"""``bandstand compare`` over a CSV of inspections reads it one inspection at a time, as ``evaluate`` does:
its output is byte for byte the comparison of the inspections read whole, and the file's size is not bounded
by --max-file-bytes (each inspection's rows are). Problems are all reported, and then nothing is written.

The guide's file (docs/guides/inspections.csv): Bedfordshire YOS 2021, Requires improvement under both 2018
versions (seed 004), and a mock inspection.
"""

from __future__ import annotations

import pytest

from bandstand import Catalogue
from bandstand.compare import compare, impact
from bandstand.engine.evidence import load_evidence_many
from bandstand.render import render
from helpers import ROOT
from test_cli import run

GUIDE_CSV = ROOT / "docs" / "guides" / "inspections.csv"
FIRST, SECOND = "hmip-youth@2018-original", "hmip-youth@2018"


def whole(path, fmt: str, one: bool = False) -> str:
    """The comparison of the inspections read whole (load_evidence_many), through the library."""
    cat = Catalogue()
    a, b = cat.resolve(FIRST), cat.resolve(SECOND)
    inspections = load_evidence_many(path)
    return render(compare(a, b, inspections[0]) if one else impact(a, b, inspections), fmt)


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_compare_streams_a_csv_of_inspections_to_the_same_output(capsys, fmt):
    code, out, err = run(capsys, "compare", FIRST, SECOND, GUIDE_CSV, "--format", fmt)
    assert (code, err) == (0, "")
    assert out == whole(GUIDE_CSV, fmt)
    assert out.startswith("2 inspections: hmip-youth@2018-original -> hmip-youth@2018") or fmt != "text"


def test_a_csv_of_inspections_over_max_file_bytes_is_compared(capsys, tmp_path):
    """The guide's two inspections ten times over (49 KB) under --max-file-bytes 40000 (the larger framework
    file is 39,848 bytes): each inspection's rows (3,235 and 1,517 bytes) are within it, the file is not."""
    header, *rows = GUIDE_CSV.read_text("utf-8").splitlines()
    path = tmp_path / "inspections.csv"
    path.write_text("\n".join([header] + [r.replace(",", f" {i},", 1) for i in range(10) for r in rows]) + "\n",
                    "utf-8")
    assert path.stat().st_size > 40000
    code, out, err = run(capsys, "--max-file-bytes", "40000", "compare", FIRST, SECOND, path)
    assert (code, err) == (0, "")
    assert out == whole(path, "text")
    assert out.startswith("20 inspections: ")


def test_one_inspection_in_a_csv_of_inspections_is_compared_node_by_node(capsys, tmp_path):
    path = tmp_path / "one.csv"
    path.write_text("\n".join(r for r in GUIDE_CSV.read_text("utf-8").splitlines()
                              if not r.startswith("Mock")) + "\n", "utf-8")
    code, out, err = run(capsys, "compare", FIRST, SECOND, path)
    assert (code, err) == (0, "")
    assert out == whole(path, "text", one=True)
    assert out.startswith("Bedfordshire YOS: hmip-youth@2018-original -> hmip-youth@2018")


def test_problems_anywhere_in_the_stream_are_all_reported_and_nothing_written(capsys, tmp_path):
    rows = GUIDE_CSV.read_text("utf-8").splitlines()
    rows[2] = rows[2].replace(",C02,court,no,", ",C02,court,perhaps,", 1)  # Bedfordshire: a cell no answer
    rows.append('Third,Good,Good,Good,Good,Good,,"T01,court')  # a quote left open: nothing after it is read
    path = tmp_path / "inspections.csv"
    path.write_text("\n".join(rows) + "\n", "utf-8")
    target = tmp_path / "out.txt"
    code, out, err = run(capsys, "compare", FIRST, SECOND, path, "-o", target)
    assert (code, out) == (2, "")
    answer, quote = rows[2].index(",perhaps,") + 2, rows[-1].index('"') + 1
    assert err.splitlines() == [
        f"{path}:3:{answer}: error: 'perhaps' in column '2.1.1' is not an answer; expected yes, no or blank (not "
        "applicable) [csv.answer]",
        f"{path}:{len(rows)}:{quote}: error: a quoted cell is never closed: no matching '\"' [csv.syntax]"]
    assert not target.exists()
