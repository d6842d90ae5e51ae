"""Audit templates (bandstand/template.py, ``bandstand template``): blank evidence generated from a framework.

The round trip, for every bundled framework and every format: the template,
filled at random by reading its own layout (the columns, the rows, the keys
it offers), evaluates to exactly what the same answers give written as
plain YAML evidence.
"""

from __future__ import annotations

import csv
import io
import json
import random
import sys
from pathlib import Path

import pytest
import yaml

openpyxl = pytest.importorskip("openpyxl")

from bandstand import template as templates  # noqa: E402
from bandstand.catalogue import Catalogue  # noqa: E402
from bandstand.cli import main  # noqa: E402
from bandstand.engine.evaluate import evaluate  # noqa: E402
from bandstand.engine.evidence import load_evidence  # noqa: E402
from helpers import ROOT  # noqa: E402

FRAMEWORKS = sorted((ROOT / "frameworks").glob("*.yaml"))


def framework(path: Path):
    return Catalogue().load_path(path)


# -- a random filling: made once, written in each format -----------------------------------------------

def fill(fw, seed: int) -> dict:
    """Random judgements and cases for ``fw``: the answers only, as plain data."""
    rng = random.Random(seed)
    p = templates.plan(fw)
    judgements = {n.id: rng.choice(n.scale.levels) for n in p.judged}
    cases = []
    parts = p.parts or []
    if p.questions:
        for part in parts:
            for i in range(rng.randint(1, 5)):
                answers = {q.id: rng.choice(["yes", "yes", "no", "n/a"]) for q in p.questions_of(part)}
                cases.append({"id": f"{part.id}-{i + 1}", "part": part.id, "answers": answers})
    return {"subject": f"Audit {seed}", "judgements": judgements, "cases": cases}


def as_yaml(fw, filled: dict) -> dict:
    doc = {"framework": fw.ref, "subject": filled["subject"]}
    if filled["judgements"]:
        doc["judgements"] = {k: lv.id for k, lv in filled["judgements"].items()}
    if filled["cases"]:
        doc["cases"] = [{**c, "answers": {k: v for k, v in c["answers"].items()}} for c in filled["cases"]]
    return doc


def result_of(fw, path: Path) -> dict:
    out = evaluate(fw, load_evidence(path)).to_json()
    out.pop("evidence_file")
    return out


def write_yaml(path: Path, doc: dict) -> Path:
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def filled_xlsx(fw, filled: dict, path: Path, rng: random.Random) -> Path:
    """The xlsx template, filled through its own sheets and headers."""
    wb = openpyxl.load_workbook(io.BytesIO(templates.template_xlsx(fw)))
    ws = wb["Inspection"]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "subject")
    ws.cell(row, 2).value = filled["subject"]
    if filled["judgements"]:
        ws = wb["Judgements"]
        rating = [c.value for c in ws[1]].index("rating") + 1
        for r in range(2, ws.max_row + 1):
            level = filled["judgements"][ws.cell(r, 1).value]
            ws.cell(r, rating).value = rng.choice([level.id, level.label, level.label.upper()])
    if filled["cases"]:
        ws = wb["Cases"]
        header = [c.value for c in ws[1]]
        for r, case in enumerate(filled["cases"], 2):
            ws.cell(r, header.index("case") + 1).value = case["id"]
            ws.cell(r, header.index("part") + 1).value = case["part"]
            for node_id, answer in case["answers"].items():
                ws.cell(r, header.index(node_id) + 1).value = {"yes": rng.choice(["yes", "Yes", True]),
                                                               "no": rng.choice(["no", "No", False]),
                                                               "n/a": rng.choice(["n/a", None])}[answer]
        for r in range(len(filled["cases"]) + 2, len(filled["cases"]) + 6):  # empty trailing rows, formatted
            ws.cell(r, 1).number_format = "@"
    wb.save(path)
    return path


def filled_csv(fw, filled: dict, folder: Path) -> Path:
    """The CSV template's header, rows under it; the judgements in a YAML file naming it."""
    header = next(csv.reader(io.StringIO(templates.template_csv(fw))))
    with open(folder / "cases.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        for case in filled["cases"]:
            # a person fills a column by the id its header starts with ("2.1.1 Does assessment ...?")
            w.writerow([case["id"], case["part"], *(case["answers"].get(h.split()[0], "") for h in header[2:])])
    doc = {"framework": fw.ref, "subject": filled["subject"],
           "judgements": {k: lv.label for k, lv in filled["judgements"].items()}, "cases": "cases.csv"}
    if not filled["judgements"]:
        del doc["judgements"]
    return write_yaml(folder / "audit.yaml", doc)


def filled_yaml(fw, filled: dict, path: Path) -> Path:
    """The YAML template loaded, its blanks filled, the questions each part's case offers answered."""
    doc = yaml.safe_load(templates.template_yaml(fw))
    assert doc["framework"] == fw.ref
    doc["subject"] = filled["subject"]
    del doc["date"]
    if filled["judgements"]:
        assert set(doc["judgements"]) == set(filled["judgements"])
        doc["judgements"] = {k: filled["judgements"][k].id for k in doc["judgements"]}
    if filled["cases"]:
        offered = {c["part"]: set(c["answers"]) for c in doc["cases"]}
        for case in filled["cases"]:
            assert set(case["answers"]) == offered[case["part"]]
        doc["cases"] = filled["cases"]
    return write_yaml(path, doc)


@pytest.mark.parametrize("path", FRAMEWORKS, ids=[p.stem for p in FRAMEWORKS])
def test_template_filled_at_random_evaluates_as_the_same_evidence_in_yaml(path: Path, tmp_path):
    fw = framework(path)
    from bandstand.dsl.resolve import facts

    if facts(fw).evidence.progress:  # templates hold judgements and cases; not yet a plan's progress records
        pytest.skip(f"{fw.ref} is rated from progress records, which templates do not hold yet")
    for seed in range(3):
        filled = fill(fw, seed)
        expected = result_of(fw, write_yaml(tmp_path / f"plain-{seed}.yaml", as_yaml(fw, filled)))
        assert expected["nodes"]  # something is rated
        rng = random.Random(seed)
        assert result_of(fw, filled_xlsx(fw, filled, tmp_path / f"audit-{seed}.xlsx", rng)) == expected
        assert result_of(fw, filled_yaml(fw, filled, tmp_path / f"template-{seed}.yaml")) == expected
        if filled["cases"]:
            folder = tmp_path / f"csv-{seed}"
            folder.mkdir()
            assert result_of(fw, filled_csv(fw, filled, folder)) == expected


def test_the_2018_template_holds_every_judged_node_key_question_part_and_prompt():
    fw = Catalogue().resolve("hmip-youth@2018")
    wb = openpyxl.load_workbook(io.BytesIO(templates.template_xlsx(fw)))
    assert [c.value for c in wb["Judgements"]["A"][1:]] == ["1.1", "1.2", "1.3", "1.4", "3.4", "4.1"]
    cases = wb["Cases"]
    header = [c.value for c in cases[1]]
    # the 2021 report's Annexe: 21 case-based key questions, 2.1.1 to 3.3.3
    assert header[:2] == ["case", "part"] and len(header) == 23 and header[2] == "2.1.1" and header[-1] == "3.3.3"
    comment = cases["C1"].comment.text
    assert "Does assessment sufficiently analyse how to support the child's desistance?" in comment
    assert "2.1.1.a Is there sufficient analysis of offending behaviour" in comment  # a prompt, as guidance
    assert cases.freeze_panes == "C2"
    lists = wb["Lists"]
    assert lists.sheet_state == "hidden"
    validations = {str(dv.sqref): dv.formula1 for dv in cases.data_validations.dataValidation}
    answers = [lists[f"{c}{r}"].value for c in "ABC" for r in range(2, 6)]
    assert answers  # the lists are on the sheet
    part_list = validations["B2:B501"]
    col = part_list.split("$")[1]
    assert [lists[f"{col}{r}"].value for r in (2, 3)] == ["court", "out_of_court"]
    answer_list = validations["C2:W501"]
    col = answer_list.split("$")[1]
    assert [lists[f"{col}{r}"].value for r in (2, 3, 4)] == ["yes", "no", "n/a"]
    rating = {str(dv.sqref): dv.formula1 for dv in wb["Judgements"].data_validations.dataValidation}["C2"]
    col = rating.split("$")[1]
    assert [lists[f"{col}{r}"].value for r in range(2, 6)] == ["Inadequate", "Requires improvement", "Good",
                                                                "Outstanding"]
    assert wb["Judgements"].freeze_panes == "A2"
    guide = [r for r in wb["Guide"].iter_rows(values_only=True)]
    assert ("2.1.1.a", "Prompt") == guide[[r[0] for r in guide].index("2.1.1.a")][:2]


def test_a_framework_rated_only_by_judgement_has_no_csv_template(capsys):
    with pytest.raises(SystemExit) as info:
        main(["template", "hmip-youth-fji@2012", "--format", "csv"])
    assert info.value.code == 2
    assert capsys.readouterr().err.splitlines() == [
        "bandstand: error: hmip-youth-fji@2012 rates nothing from cases, and a CSV file holds cases only: use "
        "--format xlsx or --format yaml [input.template]"]


def run(args, capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(list(args))
    out, err = capsys.readouterr()
    return info.value.code, out, err


def test_the_command_writes_the_format_its_output_names(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run(["template", "hmip-youth@2018", "-o", "audit.xlsx"], capsys) == (0, "", "")
    assert openpyxl.load_workbook("audit.xlsx")["Cases"]["C1"].value == "2.1.1"
    assert run(["template", "hmip-youth@2018", "-o", "audit.csv"], capsys) == (0, "", "")
    assert Path("audit.csv").read_text().startswith("case,part,2.1.1 Does assessment sufficiently analyse")
    code, out, _ = run(["template", "hmip-youth@2018"], capsys)
    assert code == 0 and yaml.safe_load(out)["framework"] == "hmip-youth@2018"


def test_the_command_never_writes_over_the_framework(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    fw = tmp_path / "fw.yaml"
    fw.write_bytes((ROOT / "frameworks" / "hmip-youth-fji-2012.yaml").read_bytes())
    before = fw.read_bytes()
    code, _, err = run(["template", "fw.yaml", "--format", "xlsx", "-o", "fw.yaml"], capsys)
    assert code == 2 and "bandstand never writes over its inputs" in err
    assert fw.read_bytes() == before


def test_an_xlsx_template_is_not_written_to_a_terminal(capsys, monkeypatch):
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    code, out, err = run(["template", "hmip-youth@2018", "--format", "xlsx"], capsys)
    assert (code, out) == (2, "")
    assert "give --output FILE.xlsx" in err


def test_without_openpyxl_the_xlsx_template_names_the_extra(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # as if not installed: import fails
    code, out, err = run(["template", "hmip-youth@2018", "-o", "x.xlsx"], capsys)
    assert code == 2
    assert err == ("bandstand: error: reading and writing Excel workbooks needs openpyxl, which is not installed: "
                   "pip install 'bandstand[excel]' [input.extra]\n")


def test_the_yaml_template_says_every_level_and_part(capsys):
    text = templates.template_yaml(Catalogue().resolve("hmip-youth@2018"))
    assert '  # 4.1 Resettlement policy and provision: inadequate | requires_improvement | good | outstanding; ' \
           'optional' in text
    assert '    part: "out_of_court"    # Out-of-court disposals' in text
    assert json.dumps(yaml.safe_load(text)["judgements"]) == json.dumps(
        {k: None for k in ("1.1", "1.2", "1.3", "1.4", "3.4", "4.1")})
