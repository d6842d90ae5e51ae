"""Spreadsheets as analysts keep them: headers in the framework's wording, extra columns, labels in any case.

The expectations come from the tidy evidence (frameworks/examples), whose
results the Bedfordshire report publishes (tests/test_bedfordshire.py): a
spreadsheet holding the same answers, headed and labelled as people head
and label them, must evaluate to exactly the same result. Each refusal is
one located line, and is checked here as a whole line.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bandstand import evaluate
from bandstand.catalogue import Catalogue, bundled_dir
from bandstand.dsl import load_framework_text
from bandstand.engine.evidence import bind, load_evidence
from bandstand.engine.headers import id_like, map_columns, normalise_label, wording_key
from bandstand.errors import BandstandError, Position, format as format_diagnostic

EXAMPLES = bundled_dir() / "examples" / "hmip-youth-2018"
SHEETS = Path(__file__).resolve().parent / "data" / "spreadsheets"
TIDY_CSV = (EXAMPLES / "bedfordshire-2021-cases.csv").read_text(encoding="utf-8")
JUDGEMENTS = (EXAMPLES / "bedfordshire-2021-csv.yaml").read_text(encoding="utf-8")

DEMO = """\
bandstand: 1
id: demo
version: "1"
title: Demo
status: draft
scales:
  - id: rating
    levels:
      - {id: inadequate, label: Inadequate, score: 0}
      - {id: requires_improvement, label: Requires improvement, score: 1, aliases: [RI]}
      - {id: good, label: Good, score: 2}
bands:
  - id: key_question
    scale: rating
    unit: percent
    rounding: {places: 0}
    bands:
      - {level: inadequate, min: 0, max: 49}
      - {level: requires_improvement, min: 50, max: 64}
      - {level: good, min: 65, max: 100}
  - id: overall
    scale: rating
    unit: score
    bands:
      - {level: inadequate, min: 0, max: 2}
      - {level: requires_improvement, min: 3, max: 4}
      - {level: good, min: 5, max: 6}
tiers:
  - {id: standard, label: Standard, rule: lowest(children), counts_toward_overall: true}
  - {id: key_question, label: Key question, rule: "band(share(), key_question)"}
parts:
  - {id: court, label: Court disposals, aliases: [Court]}
  - {id: out_of_court, label: Out-of-court disposals, aliases: [Out-of-court, OOCD]}
nodes:
  - id: "1.1"
    title: Leadership
    judged: true
  - id: "2.1"
    title: Assessment
    part: court
    children:
      - {id: "2.1.1", question: Does assessment analyse desistance?}
      - {id: "2.1.2", question: Does assessment keep the child safe?}
  - id: "3.1"
    title: Assessment
    part: out_of_court
    children:
      - {id: "3.1.1", question: Does assessment analyse desistance?}
overall:
  rule: band(sum_scores(counted), overall)
"""


def demo():
    return load_framework_text(DEMO, "framework.yaml")


def lines(error: BandstandError) -> list[str]:
    return [format_diagnostic(d) for d in error.diagnostics]


def write(tmp_path: Path, csv: str, judgement: str = "RI") -> Path:
    (tmp_path / "cases.csv").write_text(csv, encoding="utf-8", newline="")
    path = tmp_path / "evidence.yaml"
    path.write_text(f"framework: demo@1\nsubject: X\njudgements: {{'1.1': {judgement}}}\ncases: cases.csv\n",
                    encoding="utf-8")
    return path


def run(tmp_path: Path, csv: str, fw=None, judgement: str = "RI"):
    fw = fw or demo()
    ev = load_evidence(write(tmp_path, csv, judgement), display="evidence.yaml")
    return evaluate(fw, ev)


def ratings(result) -> dict:
    return {k: (v.level.id if v.level else None, v.reason) for k, v in result.nodes.items()} | {
        "overall": (result.overall.level.id if result.overall.level else None, result.overall.reason)}


TIDY = "case,part,2.1.1,2.1.2,3.1.1\nC1,court,yes,no,\nC2,court,yes,yes,\nC3,out_of_court,,,no\n"


# -- the framework declares its labels; two that read the same are refused at load -------------------


def test_labels_that_read_the_same_are_a_framework_error_at_load():
    text = DEMO.replace("aliases: [Out-of-court, OOCD]", "aliases: [Out-of-court, court]")
    with pytest.raises(BandstandError) as e:
        load_framework_text(text, "framework.yaml")
    assert lines(e.value) == [
        "framework.yaml:33:79: error: 'court' of part 'out_of_court' reads the same as 'court' of part 'court' "
        "in the parts (case, spaces, '_' and '-' are not told apart in evidence); give each a name of its own "
        "[check.ambiguous-label]"]


def test_level_aliases_that_read_the_same_are_a_framework_error_at_load():
    text = DEMO.replace("label: Good, score: 2}", "label: Good, score: 2, aliases: [R-I]}")
    with pytest.raises(BandstandError) as e:
        load_framework_text(text, "framework.yaml")
    assert lines(e.value) == [
        "framework.yaml:11:53: error: 'R-I' of level 'good' reads the same as 'RI' of level 'requires_improvement' "
        "in scale 'rating' (case, spaces, '_' and '-' are not told apart in evidence); give each a name of its own "
        "[check.ambiguous-label]"]


def test_the_2018_framework_declares_the_part_spellings_of_its_source():
    fw = Catalogue().resolve("hmip-youth@2018")
    # the Bedfordshire report writes 'Court disposals', 'Out-of-court disposals', 'court', 'out-of-court'
    # and 'out of court'
    assert fw.parts["court"].names == ("court", "Court disposals", "Court")
    assert fw.parts["out_of_court"].names == ("out_of_court", "Out-of-court disposals", "Out-of-court")
    assert normalise_label("out of court") == normalise_label("Out-of-court")


# -- headers, one by one ---------------------------------------------------------------------------


def test_id_like_headers():
    assert [id_like(h) for h in ("2.1.1", "KQ 2.1.1", "kq2.1.1", "Q 2.1.1:", "2.1.1 Does it?", "2.1.1. Does it?",
                                 "2.1.l", "Inspector", "Visit 2", "Notes 2.1.1")] == \
        ["2.1.1", "2.1.1", "2.1.1", "2.1.1", "2.1.1", "2.1.1", "2.1.l", None, None, None]


def test_wording_compares_without_case_spacing_or_curly_quotes():
    assert wording_key("Does  it support the CHILD\u2019S desistance? ") == "does it support the child's desistance"


@pytest.mark.parametrize("header, node", [
    ("2.1.1", "2.1.1"),
    ("2.1.1 Does assessment analyse desistance?", "2.1.1"),
    ("2.1.1: Does assessment analyse ...", "2.1.1"),
    ("KQ 2.1.2", "2.1.2"),
    ("Key question 2.1.2", "2.1.2"),
    ("Does assessment keep the child safe?", "2.1.2"),
    ("does assessment keep the CHILD safe", "2.1.2"),
])
def test_a_column_is_recognised_by_id_wording_or_prefix(header, node):
    cmap = map_columns([(header, Position("c.csv", 1, 1))], demo())
    assert cmap.nodes == {header: node} and not cmap.errors and not cmap.unused


def test_wording_shared_by_two_key_questions_names_one_of_the_part_the_cases_are_in():
    fw = demo()
    header = [("Does assessment analyse desistance?", Position("c.csv", 1, 7))]
    assert map_columns(header, fw, {"court"}).nodes == {header[0][0]: "2.1.1"}
    assert map_columns(header, fw, {"out_of_court"}).nodes == {header[0][0]: "3.1.1"}
    both = map_columns(header, fw, {"court", "out_of_court"})
    assert not both.nodes and [format_diagnostic(d) for d in both.errors] == [
        "c.csv:1:7: error: column 'Does assessment analyse desistance?' could be any of 2 questions with this "
        "wording: 2.1.1, Court disposals; 3.1.1, Out-of-court disposals; head the column with the id, such as "
        "'2.1.1 Does assessment analyse desistance?' [evidence.ambiguous-column]"]


def test_other_columns_are_not_rated():
    cmap = map_columns([(h, Position("c.csv", 1, 1)) for h in ("Inspector", "Notes", "Date seen", "Visit 2")],
                       demo())
    assert cmap.unused == ["Inspector", "Notes", "Date seen", "Visit 2"] and not cmap.nodes


# -- whole spreadsheets: the same results as the tidy CSV --------------------------------------------


def test_a_spreadsheet_as_kept_evaluates_as_the_tidy_csv(tmp_path):
    kept = ("Case ref,Inspector,Disposal type,2.1.1 Does assessment analyse desistance?,KQ 2.1.2,"
            "\"3.1.1: Does assessment analyse ...\",Notes,Date\r\n"
            "C1,A. Adams,Court,Yes,NO,,\"seen twice, file thin\",03/11/2021\r\n"
            "C2,B. Brown,court , y ,yes,n/a,,04/11/2021\r\n"
            "C3,A. Adams,OOCD,,,No,no,05/11/2021\r\n"
            ",,,,,,,\r\n")
    (tmp_path / "tidy").mkdir()
    (tmp_path / "kept").mkdir()
    tidy = run(tmp_path / "tidy", TIDY)
    result = run(tmp_path / "kept", kept, judgement="requires improvement")
    assert ratings(result) == ratings(tidy)
    assert ratings(tidy)["2.1.2"][0] == "requires_improvement"  # 1 of 2: 50%
    assert [format_diagnostic(w) for w in result.warnings] == [
        "cases.csv:1:1: warning: columns not used for rating: Inspector, Notes, Date [evidence.unused-columns]"]
    cases = result_cases(tmp_path / "kept")
    assert cases[0].attributes == {"Inspector": "A. Adams", "Notes": "seen twice, file thin", "Date": "03/11/2021"}
    assert cases[2].attributes["Notes"] == "no"  # kept as written, never rated


def result_cases(folder: Path):
    ev = load_evidence(folder / "evidence.yaml", display="evidence.yaml")
    return bind(ev, demo()).evidence.cases


def test_bedfordshire_as_kept_evaluates_as_the_tidy_example():
    """The Bedfordshire cases headed in the framework's wording (id and wording, `KQ` and the id, or the
    wording alone where it names one key question), with inspector, date and notes columns, parts written
    'Court', 'Out of court', 'COURT DISPOSALS', answers 'YES', 'y', 'N/A', CRLF line ends."""
    fw = Catalogue().resolve("hmip-youth@2018")
    tidy = evaluate(fw, load_evidence(EXAMPLES / "bedfordshire-2021-csv.yaml"))
    kept = evaluate(fw, load_evidence(SHEETS / "bedfordshire-2021-as-kept.yaml"))
    assert json.dumps({**kept.to_json(), "evidence_file": None}) == json.dumps({**tidy.to_json(), "evidence_file": None})
    assert [w.message for w in kept.warnings] == ["columns not used for rating: Inspector, Date inspected, Notes"]
    header = (SHEETS / "bedfordshire-2021-as-kept.csv").read_text(encoding="utf-8").splitlines()[0]
    assert "Does service delivery effectively support the child's desistance?," in header  # wording alone
    assert "KQ 2.1.2" in header and "2.1.1 Does assessment" in header


def test_part_labels_in_yaml_cases_read_as_in_csv(tmp_path):
    fw = demo()
    path = tmp_path / "evidence.yaml"
    path.write_text("subject: X\njudgements: {'1.1': ri}\ncases:\n"
                    "  - {id: C1, part: Court, answers: {'2.1.1': yes, '2.1.2': no}}\n"
                    "  - {id: C2, part: ' court disposals', answers: {'2.1.1': yes, '2.1.2': yes}}\n"
                    "  - {id: C3, part: Out of court, answers: {'3.1.1': no}}\n", encoding="utf-8")
    result = evaluate(fw, load_evidence(path))
    tidy = run(tmp_path, TIDY)
    assert ratings(result) == ratings(tidy)


# -- refusals: each one located line ---------------------------------------------------------------


def refusal(tmp_path: Path, csv: str) -> list[str]:
    with pytest.raises(BandstandError) as e:
        run(tmp_path, csv)
    return lines(e.value)


def test_an_ambiguous_header_lists_the_candidates(tmp_path):
    csv = "case,part,2.1.1,2.1.2,Does assessment analyse desistance?\nC1,court,yes,no,\nC3,out_of_court,,,no\n"
    assert refusal(tmp_path, csv) == [
        "cases.csv:1:23: error: column 'Does assessment analyse desistance?' could be any of 2 questions with this "
        "wording: 2.1.1, Court disposals; 3.1.1, Out-of-court disposals; head the column with the id, such as "
        "'2.1.1 Does assessment analyse desistance?' [evidence.ambiguous-column]"]


def test_a_mistyped_key_question_header_is_not_an_unused_column(tmp_path):
    long = "KQ 2.1.l Does assessment keep the child safe? (count only cases open 6 months or more)"
    csv = f"case,part,2.1.1,\"{long}\",3.1.1,Notes\nC1,court,yes,no,,x\nC3,out_of_court,,,no,\n"
    assert refusal(tmp_path, csv) == [
        "cases.csv:1:1: warning: columns not used for rating: Notes [evidence.unused-columns]",
        f"cases.csv:1:17: error: key question 2.1.2 of the Court disposals part has no column in cases.csv (did you "
        f"mean column '{long}'?), so it would be rated from no evidence: add the column (blank cells where it did not "
        "apply), or declare the evidence partial (partial: [2.1.2]) [evidence.coverage]"]


def test_mistyped_wording_is_not_an_unused_column(tmp_path):
    csv = "case,part,2.1.1,Does asessment keep the child safe,3.1.1\nC1,court,yes,no,\nC3,out_of_court,,,no\n"
    assert refusal(tmp_path, csv) == [
        "cases.csv:1:17: error: key question 2.1.2 of the Court disposals part has no column in cases.csv (did you "
        "mean column 'Does asessment keep the child safe'?), so it would be rated from no evidence: add the column "
        "(blank cells where it did not apply), or declare the evidence partial (partial: [2.1.2]) [evidence.coverage]"]


def test_a_missing_key_question_column_is_never_an_unused_one(tmp_path):
    csv = "case,part,2.1.1,Inspector,3.1.1\nC1,court,yes,A,\nC3,out_of_court,,B,no\n"
    assert refusal(tmp_path, csv) == [
        "cases.csv:1:1: warning: columns not used for rating: Inspector [evidence.unused-columns]",
        "cases.csv:1:1: error: key question 2.1.2 of the Court disposals part has no column in cases.csv, so it "
        "would be rated from no evidence: add the column (blank cells where it did not apply), or declare the "
        "evidence partial (partial: [2.1.2]) [evidence.coverage]"]


def test_an_unknown_label_names_what_is_expected(tmp_path):
    csv = "case,part,2.1.1,2.1.2,3.1.1\nC1,Crown court,yes,no,\nC3,out_of_court,,,no\n"
    assert refusal(tmp_path, csv) == [
        "cases.csv:2:4: error: case 'C1': unknown part 'Crown court'; expected one of: court, out_of_court "
        "(did you mean 'court'?) [evidence.part]"]


def test_a_cell_that_is_no_answer_under_a_worded_header(tmp_path):
    csv = "case,part,2.1.1,Does assessment keep the child safe?,3.1.1\nC1,court,yes,partly,\nC3,out_of_court,,,no\n"
    assert refusal(tmp_path, csv) == [
        "cases.csv:2:14: error: 'partly' in column 'Does assessment keep the child safe?' is not an answer; "
        "expected yes, no or blank (not applicable) [csv.answer]"]


def test_id_and_wording_of_different_key_questions_is_refused(tmp_path):
    csv = "case,part,2.1.1 Does assessment keep the child safe?,2.1.2,3.1.1\nC1,court,yes,no,\nC3,out_of_court,,,no\n"
    assert refusal(tmp_path, csv) == [
        "cases.csv:1:11: error: column '2.1.1 Does assessment keep the child safe?' names '2.1.1' but gives the "
        "wording of '2.1.2'; correct the id or the wording [evidence.column-conflict]"]


def test_two_columns_for_one_key_question_are_refused(tmp_path):
    csv = "case,part,2.1.1,KQ 2.1.1,2.1.2,3.1.1\nC1,court,yes,no,no,\nC3,out_of_court,,,,no\n"
    assert refusal(tmp_path, csv) == [
        "cases.csv:1:17: error: columns '2.1.1' and 'KQ 2.1.1' both answer '2.1.1' (2.1.1 Does assessment analyse "
        "desistance?); keep one of them [evidence.duplicate-column]"]


def test_the_evidence_given_is_not_changed(tmp_path):
    csv = "case,part,KQ 2.1.1,2.1.2,3.1.1,Notes\nC1,Court,yes,no,,x\nC3,OOCD,,,no,\n"
    ev = load_evidence(write(tmp_path, csv))
    before = [(c.part, dict(c.answers), dict(c.attributes)) for c in ev.cases]
    bound = bind(ev, demo())
    assert [(c.part, dict(c.answers), dict(c.attributes)) for c in ev.cases] == before
    assert [(c.part, c.answers) for c in bound.evidence.cases] == [
        ("court", {"2.1.1": True, "2.1.2": False, "3.1.1": None}), ("out_of_court", {"2.1.1": None, "2.1.2": None,
                                                                                      "3.1.1": False})]


def test_several_inspections_as_kept_evaluate_as_the_tidy_csv(tmp_path):
    """An inspection column, a judgement headed by its id and title, an inspector column the same on each
    inspection's rows, and notes that differ: judgements and answers as in the tidy file, the rest unused."""
    from bandstand.engine.evidence import load_evidence_many

    tidy = ("inspection,1.1,case,part,2.1.1,2.1.2,3.1.1\n"
            "A,good,C1,court,yes,no,\nA,good,C2,court,yes,yes,\nA,good,C3,out_of_court,,,no\n"
            "B,RI,D1,court,no,no,\nB,RI,D2,out_of_court,,,yes\n")
    kept = ("Inspection,1.1 Leadership,Lead inspector,Case ref,Disposal type,KQ 2.1.1,"
            "Does assessment keep the child safe?,3.1.1 Does assessment analyse desistance?,Notes\n"
            "A,Good,J. Okafor,C1,Court,Yes,No,,thin file\nA,Good,J. Okafor,C2,court,y,YES,,\n"
            "A,good,J. Okafor,C3,Out of court,,,no,seen twice\n"
            "B,RI,R. Patel,D1,COURT,N,no,,\nB,ri,R. Patel,D2,OOCD,,,Yes,late\n")
    fw = demo()
    results = {}
    for name, text in (("tidy.csv", tidy), ("kept.csv", kept)):
        (tmp_path / name).write_text(text, encoding="utf-8")
        results[name] = [evaluate(fw, ev) for ev in load_evidence_many(tmp_path / name, display=name)]
    assert [ratings(r) for r in results["kept.csv"]] == [ratings(r) for r in results["tidy.csv"]]
    # not vacuous: 3.1.1 is 0 of 1 in A, 1 of 1 in B; 1.1 is judged Good in A, Requires improvement in B
    assert [(r.nodes["3.1"].level.id, r.nodes["1.1"].level.id) for r in results["tidy.csv"]] == [
        ("inadequate", "good"), ("good", "requires_improvement")]
    assert [format_diagnostic(w) for w in results["kept.csv"][0].warnings] == [
        "kept.csv:1:1: warning: columns not used for rating: Lead inspector, Notes [evidence.unused-columns]"]


def test_many_inspections_name_their_unused_columns_once(tmp_path, capsys):
    from bandstand.cli import main

    fw = tmp_path / "framework.yaml"
    fw.write_text(DEMO, encoding="utf-8")
    (tmp_path / "kept.csv").write_text(
        "inspection,1.1,Lead inspector,case,part,2.1.1,2.1.2,3.1.1,Notes\n"
        "A,good,J. Okafor,C1,court,yes,no,,thin file\nA,good,J. Okafor,C3,out_of_court,,,no,\n"
        "B,RI,R. Patel,D1,court,no,no,,\nB,RI,R. Patel,D2,out_of_court,,,yes,late\n", encoding="utf-8")
    with pytest.raises(SystemExit) as e:
        main(["evaluate", str(fw), str(tmp_path / "kept.csv"), "--format", "jsonl"])
    err = capsys.readouterr().err.splitlines()
    assert e.value.code == 0
    assert err == [f"{tmp_path / 'kept.csv'}:1:1: warning: columns not used for rating: Lead inspector, Notes "
                   "[evidence.unused-columns]", "bandstand: 2 inspections evaluated"]


def test_a_prefixed_column_of_unreadable_cells_is_not_called_missing(tmp_path, capsys):
    """Problems of form and of meaning come in one round (the command line binds what could be read): a
    column whose every cell is unreadable is reported at its cells, not again as a missing key question."""
    from bandstand.cli import main

    (tmp_path / "framework.yaml").write_text(DEMO, encoding="utf-8")
    write(tmp_path, "case,part,KQ 2.1.1,2.1.2,3.1.1\nC1,court,maybe,no,\nC3,out_of_court,tbc,,no\n")
    with pytest.raises(SystemExit) as e:
        main(["evaluate", str(tmp_path / "framework.yaml"), str(tmp_path / "evidence.yaml")])
    assert e.value.code == 2
    assert [line.split("cases.csv:", 1)[1] for line in capsys.readouterr().err.splitlines()] == [
        "2:10: error: 'maybe' in column 'KQ 2.1.1' is not an answer; expected yes, no or blank (not applicable) "
        "[csv.answer]",
        "3:17: error: 'tbc' in column 'KQ 2.1.1' is not an answer; expected yes, no or blank (not applicable) "
        "[csv.answer]"]


def test_a_long_header_is_shown_whole(tmp_path):
    long = "2.1.2 Does assessment keep the child safe? (count only cases open 6 months or more)"
    csv = f"case,part,2.1.1,{long},3.1.1\nC1,court,yes,partly,\nC3,out_of_court,,,no\n"
    with pytest.raises(BandstandError) as e:
        load_evidence(write(tmp_path, csv), display="evidence.yaml")
    assert lines(e.value) == [
        f"cases.csv:2:14: error: 'partly' in column '{long}' is not an answer; expected yes, no or blank "
        "(not applicable) [csv.answer]"]
