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
from bandstand.errors import BandstandError  # noqa: E402
from bandstand.engine.evaluate import evaluate  # noqa: E402
from bandstand.engine.evidence import load_evidence  # noqa: E402
from helpers import ROOT  # noqa: E402

FRAMEWORKS = sorted((ROOT / "frameworks").glob("*.yaml"))
#: the frameworks whose rules read published figures (values): a YAML template only (see the tests at the end)
VALUED = [p for p in FRAMEWORKS if p.name.startswith("yjb-indicators")]


def framework(path: Path):
    return Catalogue().load_path(path)


# -- a random filling: made once, written in each format -----------------------------------------------

#: how a filling rates what is rated from cases: by cases, by published figures, or each part by either
MODES = ("cases", "figures", "mixed")


def fill(fw, seed: int, mode: str = "cases") -> dict:
    """Random judgements, cases and figures for ``fw``: the answers only, as plain data."""
    rng = random.Random(seed)
    p = templates.plan(fw)
    judgements = {n.id: rng.choice(n.scale.levels) for n in p.judged}
    cases = []
    figures = {}
    for part in p.parts or [None]:
        by = rng.choice(["cases", "figures"]) if mode == "mixed" else mode
        questions = p.questions_of(part) if part is not None else p.questions
        if by == "cases" and questions:
            for i in range(rng.randint(1, 5)):
                answers = {q.id: rng.choice(["yes", "yes", "no", "n/a"]) for q in questions}
                cases.append({"id": f"{part.id if part else 'case'}-{i + 1}",
                              **({"part": part.id} if part else {}), "answers": answers})
        else:
            for node in p.figured:
                if node.part is None or part is None or node.part.id == part.id:
                    figures[node.id] = a_figure(rng)
    return {"subject": f"Audit {seed}", "judgements": judgements, "cases": cases, "figures": figures}


def a_figure(rng: random.Random) -> dict:
    """Published figures: counts, or a percentage (whole, or to one place)."""
    kind = rng.choice(["counts", "percent", "decimal"])
    if kind == "counts":
        of = rng.randint(1, 30)
        return {"yes": rng.randint(0, of), "of": of}
    return {"percent": rng.randint(0, 100) if kind == "percent" else rng.randint(0, 1000) / 10}


def as_yaml(fw, filled: dict) -> dict:
    doc = {"framework": fw.ref, "subject": filled["subject"]}
    if filled["judgements"]:
        doc["judgements"] = {k: lv.id for k, lv in filled["judgements"].items()}
    if filled["figures"]:
        doc["key_questions"] = filled["figures"]
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
    if filled["figures"]:
        ws = wb["Figures"]
        header = [c.value for c in ws[1]]
        for r in range(2, ws.max_row + 1):
            given = filled["figures"].get(ws.cell(r, header.index("node") + 1).value)
            for key, value in (given or {}).items():
                cell = ws.cell(r, header.index(key) + 1)
                if key == "percent" and rng.random() < 0.3:  # typed as 64.7%: stored as 0.647, shown as a percent
                    cell.value, cell.number_format = value / 100, "0.0%"
                else:
                    cell.value = value
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
           "judgements": {k: lv.label for k, lv in filled["judgements"].items()},
           "key_questions": filled["figures"], "cases": "cases.csv"}
    for key in ("judgements", "key_questions"):
        if not doc[key]:
            del doc[key]
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
    if filled["figures"]:  # the YAML template has no figures (a report's figures are not an audit's)
        doc["key_questions"] = filled["figures"]
    if filled["cases"]:
        offered = {c.get("part"): set(c["answers"]) for c in doc["cases"]}
        for case in filled["cases"]:
            assert set(case["answers"]) == offered[case.get("part")]
        doc["cases"] = filled["cases"]
    else:  # a part rated from figures has no cases: the template's blank case entries are taken out
        doc.pop("cases", None)
    return write_yaml(path, doc)


@pytest.mark.parametrize("path", [p for p in FRAMEWORKS if p not in VALUED], ids=lambda p: p.stem)
def test_template_filled_at_random_evaluates_as_the_same_evidence_in_yaml(path: Path, tmp_path):
    fw = framework(path)
    from bandstand.dsl.resolve import facts

    if facts(fw).evidence.progress:  # templates hold judgements and cases; not yet a plan's progress records
        pytest.skip(f"{fw.ref} is rated from progress records, which templates do not hold yet")
    for seed in range(6):
        mode = MODES[seed % len(MODES)]
        filled = fill(fw, seed, mode)
        expected = result_of(fw, write_yaml(tmp_path / f"plain-{seed}.yaml", as_yaml(fw, filled)))
        assert expected["nodes"]  # something is rated
        rng = random.Random(seed)
        assert result_of(fw, filled_xlsx(fw, filled, tmp_path / f"audit-{seed}.xlsx", rng)) == expected, mode
        assert result_of(fw, filled_yaml(fw, filled, tmp_path / f"template-{seed}.yaml")) == expected, mode
        if filled["cases"]:
            folder = tmp_path / f"csv-{seed}"
            folder.mkdir()
            assert result_of(fw, filled_csv(fw, filled, folder)) == expected, mode


def test_the_random_fillings_give_figures_and_cases_in_every_framework_that_takes_them():
    """The round trip above fills the Figures sheet, not only the Cases sheet, where a framework has both."""
    for path in FRAMEWORKS:
        fw = framework(path)
        p = templates.plan(fw)
        fillings = [fill(fw, seed, MODES[seed % len(MODES)]) for seed in range(6)]
        assert any(f["figures"] for f in fillings) == bool(p.figured), path.stem
        assert any(f["cases"] for f in fillings) == bool(p.questions), path.stem
        if len(p.parts) > 1:  # some filling rates one part from cases and another from figures
            assert any(f["figures"] and f["cases"] for f in fillings), path.stem


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
    figures = wb["Figures"]
    rows = list(figures.iter_rows(values_only=True))
    assert rows[0] == ("node", "question", "part", "yes", "of", "percent")
    # the Annexe's 21 key questions, each under its part: 2.1.1 and 3.1.1 ask the same question
    assert [r[0] for r in rows[1:]][::10] == ["2.1.1", "2.4.2", "3.3.3"] and len(rows) == 22
    assert rows[1][1:3] == ("Does assessment sufficiently analyse how to support the child's desistance?",
                            "Court disposals")
    assert rows[13][:3] == ("3.1.1", rows[1][1], "Out-of-court disposals")
    checks = {str(dv.sqref): (dv.type, dv.operator, dv.formula1, dv.formula2)
              for dv in figures.data_validations.dataValidation}
    assert checks == {"D2:E22": ("whole", "greaterThanOrEqual", "0", None),
                      "F2:F22": ("decimal", "between", "0", "100")}
    assert figures.freeze_panes == "A2"
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


# -- published figures (values): a YAML template, and the other formats refused ---------------------------


def test_the_yaml_template_of_published_figures_names_every_figure_the_rules_read(tmp_path):
    fw = framework(VALUED[0])
    doc = yaml.safe_load(templates.template_yaml(fw))
    assert list(doc["values"]) == ["fte", "fte.number", "reoffending", "reoffending.number", "custody",
                                   "custody.number"]
    assert doc["values"]["fte"] == {"value": None, "previous": None,
                                    "comparators": {"national": None, "region": None, "area": None}}
    # left blank, a figure is an error, never zero
    doc["subject"] = "a service"
    del doc["date"]
    with pytest.raises(BandstandError, match="expected a number or a mapping"):
        load_evidence(write_yaml(tmp_path / "blank.yaml", doc))
    rng = random.Random(1)
    for v in doc["values"].values():
        v["value"], v["previous"] = rng.randint(1, 9), rng.randint(1, 9)
        for name in v.get("comparators", {}):
            v["comparators"][name] = rng.choice([rng.randint(1, 9), {"not_available": "not published"}])
    result = evaluate(fw, load_evidence(write_yaml(tmp_path / "filled.yaml", doc)))
    assert result.nodes["fte.trend"].level is not None


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_csv_and_xlsx_templates_of_published_figures_are_refused_saying_why(fmt, tmp_path, capsys):
    code, out, err = run(["template", str(VALUED[0]), "--format", fmt, "--output", str(tmp_path / f"t.{fmt}")], capsys)
    assert code == 2 and out == ""
    assert err.splitlines() == [
        "bandstand: error: yjb-indicators@2016-17's rules read published figures (values, with comparators "
        f"and the previous period), which a {fmt} template has no place for: use --format yaml [input.template]"]
    assert not (tmp_path / f"t.{fmt}").exists()
