"""Excel workbooks as evidence (bandstand/engine/read_xlsx.py): read as a person reads the sheet.

The sheet of cases is read by the CSV's own row reader: the Bedfordshire
cases as a workbook evaluate exactly as their CSV file does. Formulas are
their saved values; merged, hidden and blank cells are handled as the sheet
shows them; problems are located at their cell (``audit.xlsx:Cases!C7``);
what is not a workbook, or would unpack to too much, is one line.
"""

from __future__ import annotations

import csv
import re
import sys
import zipfile
from pathlib import Path

import pytest

openpyxl = pytest.importorskip("openpyxl")

from bandstand.catalogue import Catalogue  # noqa: E402
from bandstand.cli import main  # noqa: E402
from bandstand.engine.evaluate import evaluate  # noqa: E402
from bandstand.engine.evidence import EvidenceError, load_evidence  # noqa: E402
from bandstand.errors import BandstandError  # noqa: E402
from bandstand.limits import Limits  # noqa: E402
from helpers import ROOT  # noqa: E402

EXAMPLES = ROOT / "frameworks" / "examples" / "hmip-youth-2018"
JUDGEMENTS = {"1.1": "Requires improvement", "1.2": "Good", "1.3": "Good", "1.4": "Good", "3.4": "requires_improvement",
              "4.1": "good"}


@pytest.fixture(scope="module")
def fw():
    return Catalogue().resolve("hmip-youth@2018")


def csv_rows() -> list[list[str]]:
    with open(EXAMPLES / "bedfordshire-2021-cases.csv", newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def workbook(rows=None, judgements=JUDGEMENTS, framework="hmip-youth@2018"):
    """The Bedfordshire evidence as a workbook: Inspection, Judgements and Cases sheets."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Inspection"
    ws.append(["field", "value"])
    ws.append(["framework", framework])
    ws.append(["subject", "Bedfordshire YOS"])
    ws.append(["date", "2021-12"])
    if judgements is not None:
        ws = wb.create_sheet("Judgements")
        ws.append(["node", "rating", "note"])
        for k, v in judgements.items():
            ws.append([k, v, None])
    ws = wb.create_sheet("Cases")
    for row in rows if rows is not None else csv_rows():
        ws.append([c if c != "" else None for c in row])
    return wb


def save(wb, path: Path) -> Path:
    wb.save(path)
    return path


def result(fw, path) -> dict:
    out = evaluate(fw, load_evidence(path)).to_json()
    out.pop("evidence_file")
    return out


@pytest.fixture(scope="module")
def expected(fw):
    """The Bedfordshire result from its CSV file (judgements in YAML naming it)."""
    out = evaluate(fw, load_evidence(EXAMPLES / "bedfordshire-2021-csv.yaml")).to_json()
    out.pop("evidence_file")
    return out


def errors_of(path, **kw) -> list[str]:
    with pytest.raises(BandstandError) as info:
        load_evidence(path, **kw)
    return [str(d) for d in info.value.diagnostics]


def test_the_bedfordshire_workbook_evaluates_as_its_csv_file(fw, expected, tmp_path):
    path = save(workbook(), tmp_path / "audit.xlsx")
    got = result(fw, path)
    assert got == expected
    assert got["overall"]["rating"] == "requires_improvement" and got["overall"]["score"] == 14  # as published


def test_formulas_are_read_as_their_saved_values(fw, expected, tmp_path):
    rows = csv_rows()
    answer = rows[1][2]  # C01's answer to 2.1.1
    wb = workbook()
    wb["Cases"]["C2"] = f'=IF(TRUE,"{answer}","")'
    path = save(wb, tmp_path / "audit.xlsx")
    _cache(path, "Cases", "C2", answer)
    assert result(fw, path) == expected


def test_a_formula_whose_saved_value_is_empty_text_is_a_blank_cell(fw, expected, tmp_path):
    """=IF(...,"") as Excel saves it: <v></v> with t="str", an empty text, not a missing value."""
    rows = csv_rows()
    assert rows[1][14] == ""  # C01 is a court case: 3.1.1 does not apply
    wb = workbook()
    wb["Cases"]["O2"] = '=IF(B2="court","","yes")'
    path = save(wb, tmp_path / "audit.xlsx")
    _cache(path, "Cases", "O2", "")
    assert result(fw, path) == expected


def test_a_formula_saved_without_its_value_is_an_error_at_its_cell(tmp_path):
    wb = workbook()
    wb["Cases"]["E7"] = '=IF(A7="C06","yes","no")'
    path = save(wb, tmp_path / "audit.xlsx")
    assert errors_of(path) == [
        f"{path}:Cases!E7: error: the formula =IF(A7=\"C06\",\"yes\",\"no\") has no saved value: open the workbook "
        "in Excel or LibreOffice and save it, so that its values are stored with it [xlsx.formula]"]


def test_title_rows_merged_header_cells_and_merged_parts_read_as_the_sheet_shows(fw, expected, tmp_path):
    rows = csv_rows()
    wb = workbook(rows=[])
    ws = wb["Cases"]
    ws.append(["Bedfordshire case audit, December 2021"])  # a title over the table, merged across it
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[0]))
    ws.append(["case", "part", "Assessment"])  # a group heading over three columns; case and part merged down
    ws.merge_cells("A2:A3")
    ws.merge_cells("B2:B3")
    ws.merge_cells("C2:E2")
    ws.append([None, None, *rows[0][2:]])
    court = [r for r in rows[1:] if r[1] == "court"]
    for r in rows[1:]:
        ws.append([c if c != "" else None for c in r])
    # the part written once, merged down over the court cases
    for i in range(1, len(court)):
        ws.cell(4 + i, 2).value = None
    ws.merge_cells(start_row=4, start_column=2, end_row=3 + len(court), end_column=2)
    path = save(wb, tmp_path / "audit.xlsx")
    assert result(fw, path) == expected


def test_hidden_columns_are_read_and_blank_trailing_rows_and_columns_skipped(fw, expected, tmp_path):
    wb = workbook()
    ws = wb["Cases"]
    ws.column_dimensions["D"].hidden = True  # 2.1.2: hidden, still evidence (as Excel's CSV export has it)
    ws.row_dimensions[5].hidden = True
    for r in range(ws.max_row + 1, ws.max_row + 40):  # formatted but empty rows below the table
        ws.cell(r, 1).number_format = "@"
        ws.cell(r, 3).value = "  "
    ws.cell(1, 40).number_format = "@"
    path = save(wb, tmp_path / "audit.xlsx")
    assert result(fw, path) == expected


def test_a_merged_key_question_header_is_refused_at_its_cell(tmp_path):
    wb = workbook()
    wb["Cases"].merge_cells("C1:D1")
    path = save(wb, tmp_path / "audit.xlsx")
    assert errors_of(path)[0] == (
        f"{path}:Cases!C1: error: the header cell '2.1.1' is merged across 2 columns (C1:D1); give each column "
        "its own header (unmerge the cells) [xlsx.merged]")


def test_problems_in_cells_are_located_as_a_spreadsheet_names_them(fw, tmp_path):
    rows = csv_rows()
    rows[6][4] = "maybe"  # row 7, column E
    rows[0][2] = "2.1.l"  # a mistyped header
    path = save(workbook(rows=rows, judgements={**JUDGEMENTS, "1.1": "Requires improvment"}), tmp_path / "a.xlsx")
    with pytest.raises(EvidenceError) as info:
        load_evidence(path)
    assert [str(d) for d in info.value.diagnostics] == [
        f"{path}:Cases!E7: error: 'maybe' in column '2.1.3' is not an answer; expected yes, no or blank (not "
        "applicable) [csv.answer]"]
    from bandstand.engine.evidence import bind

    with pytest.raises(BandstandError) as bound:
        bind(info.value.evidence, fw)
    lines = [str(d) for d in bound.value.diagnostics]
    assert f"{path}:Judgements!B2: error: 'Requires improvment' is not a level of scale 'rating'" in lines[0]
    assert lines[-1].startswith(f"{path}:Cases!C1: error: key question 2.1.1 of the Court disposals part has no "
                                f"column in {path} (did you mean column '2.1.l'?)")


def test_figures_and_percentages_on_a_figures_sheet(fw, tmp_path):
    """The published Bedfordshire figures, a percentage cell formatted as one (64.7% is stored as 0.647)."""
    import yaml

    doc = yaml.safe_load((EXAMPLES / "bedfordshire-2021-published.yaml").read_text(encoding="utf-8"))
    wb = workbook(rows=[], judgements={k: v["rating"] if isinstance(v, dict) else v
                                       for k, v in doc["judgements"].items()})
    del wb["Cases"]
    ws = wb.create_sheet("Figures")
    ws.append(["node", "yes", "of", "percent"])
    for node_id, f in doc["key_questions"].items():
        ws.append([node_id, f.get("yes"), f.get("of"), None])
        if "percent" in f:
            cell = ws.cell(ws.max_row, 4)
            cell.value = f["percent"] / 100
            cell.number_format = "0.0%"
    path = save(wb, tmp_path / "published.xlsx")
    plain = evaluate(fw, load_evidence(EXAMPLES / "bedfordshire-2021-published.yaml")).to_json()
    got = evaluate(fw, load_evidence(path)).to_json()
    assert got["nodes"] == plain["nodes"] and got["overall"] == plain["overall"]


def test_a_number_is_read_to_the_15_digits_the_sheet_shows_and_exports(fw, tmp_path):
    """A percentage worked out by a formula (=0.071+0.574) is saved as 0.6449999999999999: the sheet shows 64.5%,
    and Excel's CSV export writes it so; 64.5% rounds to 65%, Good (the 2018 bands: Good from 65%), where
    64.49999999999999 would round to 64, Requires improvement."""
    import yaml

    doc = yaml.safe_load((EXAMPLES / "bedfordshire-2021-published.yaml").read_text(encoding="utf-8"))
    saved = 0.071 + 0.574
    assert saved < 0.645 and f"{saved:.15g}" == "0.645"
    wb = workbook(rows=[], judgements={k: v for k, v in doc["judgements"].items()})
    del wb["Cases"]
    ws = wb.create_sheet("Figures")
    ws.append(["node", "yes", "of", "percent"])
    for node_id, f in doc["key_questions"].items():
        ws.append([node_id, None, None, f["percent"]])
    ws["D2"].value, ws["D2"].number_format = saved, "0.0%"  # 2.1.1
    ws["D3"].value = 3.0000000000000004  # 2.1.2 as a percentage typed in, summed: shown as 3
    path = save(wb, tmp_path / "published.xlsx")
    doc["key_questions"]["2.1.1"] = {"percent": 64.5}
    doc["key_questions"]["2.1.2"] = {"percent": 3}
    plain = evaluate(fw, load_evidence(write_yaml(tmp_path / "plain.yaml", doc))).to_json()
    got = evaluate(fw, load_evidence(path)).to_json()
    assert got["nodes"]["2.1.1"]["rating"] == "good" and got["nodes"]["2.1.1"]["percent"] == 64.5
    assert got["nodes"] == plain["nodes"] and got["overall"] == plain["overall"]


def test_a_count_left_out_is_located_at_the_cell_to_fill(tmp_path):
    wb = workbook(rows=[])
    del wb["Cases"]
    ws = wb.create_sheet("Figures")
    ws.append(["node", "question", "yes", "of", "percent"])
    ws.append(["2.1.1", "Does assessment ...?", 3, None, None])  # of left out: D2
    ws.append(["2.1.2", "Does assessment ...?", None, 6, None])  # yes left out: C3
    path = save(wb, tmp_path / "a.xlsx")
    message = "give both yes and of (the cases judged sufficient, of how many), or a percentage [evidence.counts]"
    assert errors_of(path) == [f"{path}:Figures!D2: error: {message}", f"{path}:Figures!C3: error: {message}"]


def write_yaml(path: Path, doc: dict) -> Path:
    import yaml

    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


# -- files that are not workbooks, or too much of one -------------------------------------------------


def test_a_file_that_is_not_a_zip_is_one_line(tmp_path):
    path = tmp_path / "audit.xlsx"
    path.write_text("case,part\n", encoding="utf-8")
    assert errors_of(path) == [f"{path}: error: {path} is not an Excel workbook (.xlsx): it is not a zip file; save "
                               "it from your spreadsheet as an Excel Workbook (.xlsx) [input.workbook]"]


def test_an_old_xls_workbook_and_an_ods_spreadsheet_are_named(tmp_path):
    xls = tmp_path / "audit.xlsx"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500))
    assert "is an Excel 97-2003 workbook (.xls), which bandstand does not read" in errors_of(xls)[0]
    ods = tmp_path / "audit2.xlsx"
    with zipfile.ZipFile(ods, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<office:document-content/>")
    assert "is an OpenDocument spreadsheet (.ods), not an Excel workbook (.xlsx)" in errors_of(ods)[0]


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (2 * 2**20))  # 2 MB of zeros packs to a few KB
    assert path.stat().st_size < 20_000
    (line,) = errors_of(path, limits=Limits(max_file_bytes=100_000))
    assert re.fullmatch(re.escape(f"{path}: error: the workbook would unpack to ") + r"\d+ bytes, more than "
                        r"10 times the limit max_file_bytes=100000, and is not unpacked; .*\[limit.file-size\]", line), line


def test_a_merge_over_the_whole_sheet_and_a_value_in_its_last_cell_are_refused_or_read_quickly(fw, tmp_path):
    """openpyxl makes an object per merged cell, and iter_rows every cell of the rectangle up to the last one."""
    wb = workbook()
    wb["Cases"].cell(1048576, 16384).number_format = "@"
    wb["Cases"]["XFD1048576"] = None
    path = save(wb, tmp_path / "sparse.xlsx")
    _merge(path, "Cases", "A1:XFD1048576")
    (line,) = errors_of(path)
    assert line == (f"{path}: error: the workbook's merged cells cover more than 2000000 cells (the last: "
                    "A1:XFD1048576); unmerge them, or give the cases of one inspection [limit.cells]")
    wb = workbook()
    wb["Cases"]["XFD1048576"] = "a stray value"
    path = save(wb, tmp_path / "stray.xlsx")
    assert errors_of(path) == [f"{path}:Cases!XFD1048576: error: this column has values but no header; give it one "
                               "(a key question's id) or clear it [xlsx.column]"]


def test_a_workbook_over_the_size_limit_is_not_opened(tmp_path):
    path = save(workbook(), tmp_path / "audit.xlsx")
    assert "exceeds the limit max_file_bytes=1000" in errors_of(path, limits=Limits(max_file_bytes=1000))[0]


def test_without_openpyxl_a_workbook_is_refused_naming_the_extra(tmp_path, monkeypatch, capsys):
    save(workbook(), tmp_path / "audit.xlsx")
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # as if not installed
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as info:
        main(["evaluate", "hmip-youth@2018", "audit.xlsx"])
    assert info.value.code == 2
    assert capsys.readouterr().err == ("audit.xlsx: error: reading and writing Excel workbooks needs openpyxl, which "
                                       "is not installed: pip install 'bandstand[excel]' [input.extra]\n")


def test_evaluate_reads_a_workbook_from_the_command_line(tmp_path, monkeypatch, capsys):
    save(workbook(), tmp_path / "audit.xlsx")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as info:
        main(["evaluate", "hmip-youth@2018", "audit.xlsx", "--format", "json"])
    assert info.value.code == 0
    import json

    assert json.loads(capsys.readouterr().out)["overall"]["score"] == 14


def _cache(path: Path, sheet: str, ref: str, value: str) -> None:
    """Give a formula cell the value a spreadsheet saves with it (openpyxl writes formulas without one)."""
    wb = openpyxl.load_workbook(path)
    index = wb.sheetnames.index(sheet) + 1
    member = f"xl/worksheets/sheet{index}.xml"
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    xml = parts[member].decode()
    new, n = re.subn(rf'<c r="{ref}"(?: [^>]*)?><f>(.*?)</f><v\s*/>', rf'<c r="{ref}" t="str"><f>\1</f><v>{value}</v>',
                     xml)
    assert n == 1, xml[:500]
    parts[member] = new.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


def test_validate_checks_a_workbook_and_a_folder_evaluates_the_workbooks_in_it(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "audits"
    folder.mkdir()
    save(workbook(), folder / "audit.xlsx")
    (folder / "published.yaml").write_bytes((EXAMPLES / "bedfordshire-2021-published.yaml").read_bytes())
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as info:
        main(["validate", "audits/audit.xlsx"])
    assert info.value.code == 0
    assert capsys.readouterr().out == "audits/audit.xlsx: ok (evidence for hmip-youth@2018)\n"
    with pytest.raises(SystemExit) as info:
        main(["evaluate", "hmip-youth@2018", "audits", "--format", "jsonl"])
    out, err = capsys.readouterr()
    assert info.value.code == 0, err
    import json

    results = [json.loads(line) for line in out.splitlines()]
    assert sorted(r["evidence_file"] for r in results) == ["audits/audit.xlsx", "audits/published.yaml"]
    assert {r["overall"]["score"] for r in results} == {14}


def _merge(path: Path, sheet: str, ref: str) -> None:
    """Add a merged range to a sheet's XML as it is, without openpyxl (which would make every cell of it)."""
    wb = openpyxl.load_workbook(path)
    member = f"xl/worksheets/sheet{wb.sheetnames.index(sheet) + 1}.xml"
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    xml = parts[member].decode()
    parts[member] = xml.replace("</sheetData>", f'</sheetData><mergeCells count="1"><mergeCell ref="{ref}"/></mergeCells>'
                                ).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
