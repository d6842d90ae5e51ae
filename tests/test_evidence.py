"""Evidence: reading (YAML and CSV) and binding to hmip-youth@2018, every problem located.

Evidence files are written into pytest's ``tmp_path`` and read with
``load_evidence(path, display=NAME)`` so that diagnostics can be compared as
whole formatted lines.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from bandstand import evaluate
from bandstand.catalogue import Catalogue, bundled_dir
from bandstand.engine.evidence import bind, load_evidence, parse_answer, read_cases_csv
from bandstand.engine.evidence import EvidenceError
from bandstand.errors import BandstandError, format as format_diagnostic, sort_key

EXAMPLES = bundled_dir() / "examples" / "hmip-youth-2018"
PUBLISHED = (EXAMPLES / "bedfordshire-2021-published.yaml").read_text(encoding="utf-8")
NAME = "evidence.yaml"

# Lines of PUBLISHED used below: 10 `judgements:`, 11 "1.1": Requires improvement,
# 16 "4.1": Good, 18 `key_questions:`, 20 "2.1.1": {percent: 17}; it has 41 lines.

# Complete case-level evidence: every judgement but the optional 4.1, one court
# case answering the 12 court key questions, one out-of-court case the 9 others.
COURT_KQS = [f"2.{s}.{k}" for s in range(1, 5) for k in range(1, 4)]
OOC_KQS = [f"3.{s}.{k}" for s in range(1, 4) for k in range(1, 4)]
CASES = f"""\
framework: hmip-youth@2018
subject: Testshire YOS
judgements:
  "1.1": good
  "1.2": good
  "1.3": good
  "1.4": good
  "3.4": good
cases:
  - id: C1
    part: court
    answers: {{{", ".join(f'"{k}": yes' for k in COURT_KQS)}}}
  - id: O1
    part: out_of_court
    answers: {{{", ".join(f'"{k}": no' for k in OOC_KQS)}}}
"""
# Lines of CASES: 3 `judgements:`, 9 `cases:`, 10-12 case C1, 13-15 case O1;
# a case appended to it starts on line 16.


@pytest.fixture(scope="module")
def fw():
    return Catalogue().resolve("hmip-youth@2018")


def replace(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} must occur exactly once"
    return text.replace(old, new)


def write(tmp_path: Path, text: str, name: str = NAME) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))  # exactly these bytes: BOMs and CRLFs stay
    return path


def bound(tmp_path, fw, text: str, name: str = NAME):
    return bind(load_evidence(write(tmp_path, text, name), display=name), fw)


def problems(tmp_path, fw, text: str, name: str = NAME) -> list[str]:
    """The formatted diagnostics of reading and binding ``text``; fails if there are none."""
    with pytest.raises(BandstandError) as info:
        bound(tmp_path, fw, text, name)
    return [format_diagnostic(d) for d in sorted(info.value.diagnostics, key=sort_key)]


def codes(lines: list[str]) -> list[str]:
    return [line.rsplit("[", 1)[1].rstrip("]") for line in lines]


def case(cid: str, part: str, answers: dict[str, str]) -> str:
    """A case in block style, to append to CASES."""
    out = f"  - id: {cid}\n    part: {part}\n    answers:\n"
    return out + "".join(f'      "{k}": {v}\n' for k, v in answers.items())


# -- the fixtures themselves -------------------------------------------------------------


def test_published_example_binds_cleanly(tmp_path, fw):
    b = bound(tmp_path, fw, PUBLISHED)
    assert b.warnings == []
    assert {k: v.id for k, v in b.judgements.items()} == {
        "1.1": "requires_improvement", "1.2": "good", "1.3": "good", "1.4": "good",
        "3.4": "requires_improvement", "4.1": "good"}
    assert len(b.measures) == 21
    assert b.measures["2.1.1"].percent == 17 and b.measures["2.1.1"].yes is None
    assert b.from_cases == set()


def test_case_evidence_binds_and_counts(tmp_path, fw):
    b = bound(tmp_path, fw, CASES)
    assert b.case_count == {"court": 1, "out_of_court": 1}
    assert b.measures["2.1.1"] == b.measures["2.4.3"]
    assert (b.measures["2.1.1"].yes, b.measures["2.1.1"].of) == (1, 1)
    assert (b.measures["3.3.3"].yes, b.measures["3.3.3"].of) == (0, 1)
    assert b.from_cases >= set(COURT_KQS) | set(OOC_KQS)
    # the prompts under them were not answered: no evidence (no rule reads them), not 'not applicable'
    assert "2.1.1.a" not in b.measures
    assert "4.1" not in b.judgements  # optional: simply not rated


# -- node ids ------------------------------------------------------------------------------


def test_unknown_node_in_figures_with_a_suggestion(tmp_path, fw):
    text = replace(PUBLISHED, '"2.1.1": {percent: 17}', '"2.11": {percent: 17}')
    assert problems(tmp_path, fw, text) == [
        # the mistake first, then what it leaves missing
        "evidence.yaml:20:3: error: figures for '2.11', which is not a node of hmip-youth@2018 "
        "(did you mean '2.1.1'?) [evidence.unknown-node]",
        "evidence.yaml:18:1: error: no evidence for '2.1.1' (2.1.1 Does assessment sufficiently analyse how to "
        "support the child's desistance?): give its figures ({yes: N, of: M} or {percent: P}) or case answers "
        "(or set partial: true) [evidence.missing]",
    ]


def test_unknown_node_in_judgements(tmp_path, fw):
    text = replace(PUBLISHED, '"1.4": Good', '"1.4": Good\n  "1.5": Good')
    (line,) = problems(tmp_path, fw, text)
    assert line.startswith("evidence.yaml:15:10: error: a judgement for '1.5', which is not a node of "
                           "hmip-youth@2018 (did you mean '1.")
    assert line.endswith("[evidence.unknown-node]")


def test_overall_cannot_be_judged(tmp_path, fw):
    text = replace(PUBLISHED, '"4.1": Good', '"4.1": Good\n  overall: Good')
    assert codes(problems(tmp_path, fw, text)) == ["evidence.unknown-node"]


def test_unknown_node_in_a_case_answer(tmp_path, fw):
    text = CASES + case("C2", "court", {"2.1.1": "yes", "2.1.9": "yes"})
    (line,) = problems(tmp_path, fw, text)
    assert line.startswith("evidence.yaml:20:7: error: case 'C2' has an answer for '2.1.9', which is not a node "
                           "of hmip-youth@2018 (did you mean ")


# -- judgements -------------------------------------------------------------------------------


def test_judgement_for_a_rule_rated_node(tmp_path, fw):
    text = replace(PUBLISHED, '"1.1": Requires improvement', '"1.1": Requires improvement\n  "2.1": Good')
    assert problems(tmp_path, fw, text) == [
        "evidence.yaml:12:10: error: '2.1' (2.1 Assessment) is rated by rule, not by an inspector's judgement; "
        "remove this judgement [evidence.not-judged]"]


def test_judgement_for_a_node_that_is_not_rated(tmp_path, fw):
    text = replace(PUBLISHED, '"1.1": Requires improvement', '"1.1": Requires improvement\n  "1.1.1": Good')
    (line,) = problems(tmp_path, fw, text)
    assert line.startswith("evidence.yaml:12:12: error: '1.1.1' ")
    assert line.endswith("[evidence.not-judged]")
    assert "is rated not rated" not in line


def test_level_not_on_the_scale(tmp_path, fw):
    text = replace(PUBLISHED, '"1.1": Requires improvement', '"1.1": Brilliant')
    assert problems(tmp_path, fw, text) == [
        "evidence.yaml:11:10: error: 'Brilliant' is not a level of scale 'rating'; expected one of: inadequate, "
        "requires_improvement, good, outstanding [evidence.level]"]


def test_misspelt_level_gets_a_suggestion(tmp_path, fw):
    text = replace(PUBLISHED, '"1.2": Good', '"1.2": outstandin')
    assert problems(tmp_path, fw, text) == [
        "evidence.yaml:12:10: error: 'outstandin' is not a level of scale 'rating'; expected one of: inadequate, "
        "requires_improvement, good, outstanding (did you mean 'outstanding'?) [evidence.level]"]


@pytest.mark.parametrize("written", ["requires improvement", "Requires Improvement", "REQUIRES_IMPROVEMENT",
                                     "requires-improvement", "  Requires improvement  "])
def test_labels_and_ids_are_accepted_without_regard_to_case(tmp_path, fw, written):
    text = replace(PUBLISHED, '"1.2": Good', f'"1.2": "{written}"')
    assert bound(tmp_path, fw, text).judgements["1.2"].id == "requires_improvement"


def test_missing_judgement(tmp_path, fw):
    text = replace(PUBLISHED, '  "1.1": Requires improvement\n', "")
    assert problems(tmp_path, fw, text) == [
        "evidence.yaml:10:1: error: no judgement for '1.1' (1.1 Governance and leadership); give one of: "
        "inadequate, requires_improvement, good, outstanding (or set partial: true to leave it not rated) "
        "[evidence.missing-judgement]"]


def test_explicitly_not_rated_judgement_of_a_required_node(tmp_path, fw):
    text = replace(PUBLISHED, '"1.1": Requires improvement', '"1.1": {rating: null}')
    assert problems(tmp_path, fw, text) == [
        "evidence.yaml:11:10: error: '1.1' (1.1 Governance and leadership) must be rated; expected one of: "
        "inadequate, requires_improvement, good, outstanding [evidence.missing-judgement]"]


def test_partial_evidence_leaves_a_missing_judgement_not_rated(tmp_path, fw):
    text = "partial: true\n" + replace(PUBLISHED, '  "1.1": Requires improvement\n', "")
    b = bound(tmp_path, fw, text)
    assert b.judgements["1.1"] is None
    result = evaluate(fw, b)
    assert result.nodes["1.1"].level is None
    assert result.nodes["1.2"].level.id == "good"
    # the overall adds up every counted standard: with one not rated it is not rated
    assert result.overall.level is None
    assert "1.1" in result.overall.reason


@pytest.mark.parametrize("how", ["omitted", '{rating: null}', '{rating: null, note: no resettlement cases}',
                                 "not_rated", '"n/a"'])
def test_optional_resettlement_judgement_may_be_left_out(tmp_path, fw, how):
    if how == "omitted":
        text = replace(PUBLISHED, '  "4.1": Good\n', "")
    else:
        text = replace(PUBLISHED, '"4.1": Good', f'"4.1": {how}')
    b = bound(tmp_path, fw, text)
    assert b.judgements.get("4.1") is None
    result = evaluate(fw, b)
    assert result.nodes["4.1"].level is None
    assert "no relevant resettlement cases" in result.nodes["4.1"].reason
    # 4.1 does not count toward the overall rating
    assert result.overall.level.id == "requires_improvement"
    assert result.overall.value == 14


@pytest.mark.parametrize("null", ["null", "~"])
def test_optional_resettlement_judgement_may_be_null(tmp_path, fw, null):
    text = replace(PUBLISHED, '"4.1": Good', f'"4.1": {null}')
    b = bound(tmp_path, fw, text)
    assert b.judgements.get("4.1") is None
    assert evaluate(fw, b).nodes["4.1"].level is None


def test_judged_optional_node_can_still_be_rated(tmp_path, fw):
    text = replace(PUBLISHED, '"4.1": Good', '"4.1": inadequate')
    result = evaluate(fw, bound(tmp_path, fw, text))
    assert result.nodes["4.1"].level.id == "inadequate"


# -- figures ---------------------------------------------------------------------------------


def test_yes_greater_than_of(tmp_path, fw):
    text = replace(PUBLISHED, '"2.1.1": {percent: 17}', '"2.1.1": {yes: 7, of: 6}')
    assert problems(tmp_path, fw, text) == [
        "evidence.yaml:20:18: error: yes (7) is greater than of (6) [evidence.counts]"]


def test_percent_above_100_is_a_schema_error(tmp_path, fw):
    text = replace(PUBLISHED, '"2.1.1": {percent: 17}', '"2.1.1": {percent: 100.5}')
    assert problems(tmp_path, fw, text) == [
        "evidence.yaml:20:22: error: must be at most 100; got the number 100.5 [schema.range]"]


@pytest.mark.parametrize("figures, column, value", [("{yes: -1, of: 6}", 18, "-1"), ("{yes: 1, of: -6}", 25, "-6"),
                                                     ("{percent: -3}", 22, "-3")])
def test_negative_figures_are_schema_errors(tmp_path, fw, figures, column, value):
    text = replace(PUBLISHED, '"2.1.1": {percent: 17}', f'"2.1.1": {figures}')
    assert problems(tmp_path, fw, text) == [
        f"evidence.yaml:20:{column}: error: must be at least 0; got the number {value} [schema.range]"]


def test_yes_without_of_is_a_schema_error(tmp_path, fw):
    text = replace(PUBLISHED, '"2.1.1": {percent: 17}', '"2.1.1": {yes: 1}')
    assert codes(problems(tmp_path, fw, text)) == ["schema.required"]


def test_figures_for_a_judged_node(tmp_path, fw):
    text = replace(PUBLISHED, '"2.1.1": {percent: 17}', '"2.1.1": {percent: 17}\n  "1.1": {percent: 50}')
    assert problems(tmp_path, fw, text) == [
        "evidence.yaml:21:3: error: '1.1' is not rated on a share of cases, so it takes no figures "
        "(it is rated by judgement: give a judgement) [evidence.not-share]"]


def test_figures_for_a_standard_rated_by_its_key_questions(tmp_path, fw):
    text = replace(PUBLISHED, '"2.1.1": {percent: 17}', '"2.1.1": {percent: 17}\n  "2.1": {percent: 50}')
    assert problems(tmp_path, fw, text) == [
        "evidence.yaml:21:3: error: '2.1' is not rated on a share of cases, so it takes no figures "
        "[evidence.not-share]"]


def test_figures_given_twice(tmp_path, fw):
    text = PUBLISHED + 'figures:\n  "2.1.1": {percent: 17}\n'
    (line,) = problems(tmp_path, fw, text)
    assert line == ("evidence.yaml:43:3: error: figures for '2.1.1' are given twice (in key_questions and figures) "
                    "[evidence.duplicate]")


def test_figures_inconsistent_with_the_percent(tmp_path, fw):
    text = replace(PUBLISHED, '"2.1.1": {percent: 17}', '"2.1.1": {yes: 1, of: 6, percent: 50}')
    assert "evidence.yaml:20:3: error: 1 of 6 is 16.7%, not 50% [evidence.counts]" in problems(tmp_path, fw, text)


def test_figures_inconsistent_with_the_percent_is_one_error(tmp_path, fw):
    text = replace(PUBLISHED, '"2.1.1": {percent: 17}', '"2.1.1": {yes: 1, of: 6, percent: 50}')
    assert problems(tmp_path, fw, text) == ["evidence.yaml:20:3: error: 1 of 6 is 16.7%, not 50% [evidence.counts]"]


def test_inconsistent_decimal_percent_is_printed_as_written(tmp_path, fw):
    text = replace(PUBLISHED, '"2.1.1": {percent: 17}', '"2.1.1": {yes: 1, of: 6, percent: 17.7}')
    assert "evidence.yaml:20:3: error: 1 of 6 is 16.7%, not 17.7% [evidence.counts]" in problems(tmp_path, fw, text)


@pytest.mark.parametrize("percent", ["17", "16", "16.7"])
def test_figures_consistent_with_a_rounded_percent(tmp_path, fw, percent):
    text = replace(PUBLISHED, '"2.1.1": {percent: 17}', f'"2.1.1": {{yes: 1, of: 6, percent: {percent}}}')
    m = bound(tmp_path, fw, text).measures["2.1.1"]
    assert (m.yes, m.of, m.percent) == (1, 6, Fraction(percent))
    assert m.value == Fraction(percent)  # the published percentage is what is banded


def test_counts_alone_give_the_exact_share(tmp_path, fw):
    text = replace(PUBLISHED, '"2.1.1": {percent: 17}', '"2.1.1": {yes: 1, of: 6}')
    assert bound(tmp_path, fw, text).measures["2.1.1"].value == Fraction(100, 6)


# -- cases -------------------------------------------------------------------------------------


def test_duplicate_case_ids(tmp_path, fw):
    text = CASES + case("C1", "court", {"2.1.1": "no"})
    assert problems(tmp_path, fw, text) == [
        "evidence.yaml:16:5: error: case id 'C1' is used twice (first at line 10) [evidence.duplicate-case]"]


def test_unknown_part(tmp_path, fw):
    text = CASES + case("C2", "courts", {"2.1.1": "no"})
    assert problems(tmp_path, fw, text) == [
        "evidence.yaml:17:11: error: case 'C2': unknown part 'courts'; expected one of: court, out_of_court "
        "(did you mean 'court'?) [evidence.part]"]


def test_case_answering_a_question_outside_its_part(tmp_path, fw):
    text = CASES + case("C2", "court", {"2.1.1": "yes", "3.1.1": "no"})
    assert problems(tmp_path, fw, text) == [
        "evidence.yaml:20:7: error: case 'C2' is a Court disposals case, but '3.1.1' belongs to Out-of-court "
        "disposals [evidence.wrong-part]"]


def test_not_applicable_answers_outside_the_part_are_ignored(tmp_path, fw):
    # a CSV row has a cell for every column: blank cells of the other part are fine
    text = CASES + case("C2", "court", {"2.1.1": "no", "3.1.1": "n/a"})
    b = bound(tmp_path, fw, text)
    assert (b.measures["2.1.1"].yes, b.measures["2.1.1"].of) == (1, 2)
    assert b.measures["3.1.1"].of == 1


def test_case_with_every_answer_not_applicable(tmp_path, fw):
    text = CASES + case("C2", "court", {"2.1.1": "n/a", "2.1.2": "null", "2.1.3": "NA"})
    assert problems(tmp_path, fw, text) == [
        "evidence.yaml:16:5: error: case 'C2' answers every question 'not applicable'; it counts for nothing: "
        "check it or remove it [evidence.empty-case]"]


def test_rejected_answers_are_not_called_not_applicable(tmp_path, fw):
    text = CASES + case("C2", "court", {"2.1.9": "yes"})
    assert codes(problems(tmp_path, fw, text)) == ["evidence.unknown-node"]


def test_empty_list_of_cases(tmp_path, fw):
    text = replace(CASES, CASES[CASES.index("cases:"):], "cases: []\n")
    lines = problems(tmp_path, fw, text)
    assert "evidence.yaml:9:8: error: no cases are given; list the inspected cases or remove 'cases' " \
           "[evidence.no-cases]" in lines
    # and with no cases, no key question has evidence: one line after the cause, listing them
    assert codes(lines) == ["evidence.no-cases", "evidence.missing"]
    assert lines[1].startswith("evidence.yaml:9:1: error: no evidence for 21 nodes rated on a share of cases: "
                               "2.1.1, 2.1.2, ")


def test_empty_list_of_cases_in_partial_evidence(tmp_path, fw):
    text = "partial: true\n" + replace(CASES, CASES[CASES.index("cases:"):], "cases: []\n")
    assert problems(tmp_path, fw, text) == [
        "evidence.yaml:10:8: error: no cases are given; list the inspected cases or remove 'cases' "
        "[evidence.no-cases]"]


def test_figures_and_case_answers_for_one_node(tmp_path, fw):
    text = CASES + 'key_questions:\n  "2.1.1": {yes: 3, of: 4}\n'
    assert problems(tmp_path, fw, text) == [
        "evidence.yaml:12:15: error: '2.1.1' has both published figures and case answers; give one or the other "
        "[evidence.duplicate]"]


def test_answer_for_a_standard(tmp_path, fw):
    text = CASES + case("C2", "court", {"2.1.1": "yes", "2.1": "yes"})
    assert problems(tmp_path, fw, text) == [
        "evidence.yaml:20:7: error: case 'C2': '2.1' is not answered case by case [evidence.not-share]"]


def test_answer_that_is_not_yes_or_no(tmp_path, fw):
    text = CASES + case("C2", "court", {"2.1.1": "maybe"})
    (line,) = problems(tmp_path, fw, text)
    assert line.startswith("evidence.yaml:19:16: error: expected one of: yes, no, n/a")
    assert line.endswith("got 'maybe' [schema.enum]")


def test_prompt_answers_are_accepted(tmp_path, fw):
    text = CASES + case("C2", "court", {"2.1.1": "no", "2.1.1.a": "no"})
    b = bound(tmp_path, fw, text)
    assert (b.measures["2.1.1"].yes, b.measures["2.1.1"].of) == (1, 2)


def test_a_part_without_cases_leaves_its_questions_without_evidence(tmp_path, fw):
    text = CASES[:CASES.index("  - id: O1")]
    lines = problems(tmp_path, fw, text)
    assert lines == [f"evidence.yaml:9:1: error: no evidence for {len(OOC_KQS)} nodes rated on a share of cases: "
                     f"{', '.join(OOC_KQS)}; give their figures ({{yes: N, of: M}} or {{percent: P}}) or case answers "
                     "(or set partial: true) [evidence.missing]"]


# -- every problem at once ---------------------------------------------------------------------


def test_every_problem_in_a_file_is_reported_at_once(tmp_path, fw):
    text = replace(PUBLISHED, '"1.2": Good', '"1.2": Brilliant')
    text = replace(text, '"1.3": Good', '"1.3": Good\n  "2.2": Good')
    text = replace(text, '"2.1.2": {percent: 50}', '"2.1.2": {percent: 50}\n  "9.9": {percent: 50}')
    lines = problems(tmp_path, fw, text)
    assert len(lines) == 3
    assert codes(lines) == ["evidence.level", "evidence.not-judged", "evidence.unknown-node"]
    assert [line.split(":")[1] for line in lines] == ["12", "14", "23"]


def test_every_schema_problem_is_reported_at_once(tmp_path, fw):
    text = replace(PUBLISHED, '"2.1.1": {percent: 17}', '"2.1.1": {percent: 117}')
    text = replace(text, '"2.1.2": {percent: 50}', '"2.1.2": {yes: -1, of: 6}')
    text = replace(text, "date: 2021-12", "date: December 2021")
    lines = problems(tmp_path, fw, text)
    assert codes(lines) == ["schema.pattern", "schema.range", "schema.range"]
    assert [line.split(":")[1] for line in lines] == ["7", "20", "21"]


def test_problems_of_form_counts_and_meaning_come_together(tmp_path, fw):
    """Not three rounds (schema, then counts, then meaning): what could be read is still checked."""
    text = replace(PUBLISHED, '"2.1.1": {percent: 17}', '"2.1.1": {percent: "17%"}')
    text = replace(text, '"2.1.2": {percent: 50}', '"2.1.2": {yes: 7, of: 6}')
    text = replace(text, '"1.2": Good', '"1.2": Gud')
    with pytest.raises(EvidenceError) as info:
        load_evidence(write(tmp_path, text), display=NAME)
    ev = info.value.evidence
    assert codes(formatted := [format_diagnostic(d) for d in info.value.diagnostics]) == \
        ["schema.type", "evidence.counts"], formatted
    assert ev.unread == {"2.1.1", "2.1.2"} and "2.1.3" in ev.figures  # the rest was read
    with pytest.raises(BandstandError) as bound_info:
        bind(ev, fw)
    # the misspelt level; and the refused figures are not called missing
    assert [d.code for d in bound_info.value.diagnostics] == ["evidence.level"]


def test_a_section_that_cannot_be_read_is_not_called_missing(tmp_path, fw):
    text = replace(PUBLISHED, "judgements:", "judgments:")
    with pytest.raises(BandstandError) as info:
        load_evidence(write(tmp_path, text), display=NAME)
    ev = info.value.evidence
    assert [d.code for d in info.value.diagnostics] == ["schema.unknown-field"]
    bind(ev, fw)  # no 'no judgement for 1.1' and the like: they are under the misspelt field


def test_a_case_with_a_schema_problem_is_left_out_and_the_others_checked(tmp_path, fw):
    text = CASES + case("C2", "court", {"2.1.1": "maybe"}) + case("C3", "courts", {"2.1.1": "yes"})
    with pytest.raises(EvidenceError) as info:
        load_evidence(write(tmp_path, text), display=NAME)
    assert [d.code for d in info.value.diagnostics] == ["schema.enum"]
    assert [c.id for c in info.value.evidence.cases] == ["C1", "O1", "C3"]
    with pytest.raises(BandstandError) as bound_info:
        bind(info.value.evidence, fw)
    assert [d.code for d in bound_info.value.diagnostics] == ["evidence.part"]


# -- CSV cases ----------------------------------------------------------------------------------

CSV_HEADER = "case,part,2.1.1,2.1.2,3.1.1"


def test_csv_cases(tmp_path):
    path = write(tmp_path, CSV_HEADER + "\nC1,court,yes,no,\nO1,out_of_court,,,yes\n", "cases.csv")
    ev = load_evidence(path, display="cases.csv")
    assert [(c.id, c.part, c.answers) for c in ev.cases] == [
        ("C1", "court", {"2.1.1": True, "2.1.2": False, "3.1.1": None}),
        ("O1", "out_of_court", {"2.1.1": None, "2.1.2": None, "3.1.1": True}),
    ]
    assert ev.judgements == {} and ev.figures == {}


@pytest.mark.parametrize("text, missing", [
    ("C1,court,yes,no\n", "'case' and 'part'"),
    ("id,2.1.1,2.1.2\nC1,yes,no\n", "'part'"),
    ("part,2.1.1\ncourt,yes\n", "'case'"),
])
def test_csv_header_must_name_the_case_and_part_columns(text, missing):
    with pytest.raises(BandstandError) as info:
        read_cases_csv(text, "cases.csv")
    (d,) = info.value.diagnostics
    assert (d.code, d.file, d.line, d.column) == ("csv.header", "cases.csv", 1, 1)
    assert d.message.startswith(f"the header row has no {missing} column")
    assert "case, part, then node ids" in d.message


def test_csv_header_names_are_not_case_sensitive():
    (c,) = read_cases_csv("Case,Part,2.1.1\nC1,court,yes\n", "cases.csv")
    assert (c.id, c.part, c.answers) == ("C1", "court", {"2.1.1": True})


def test_empty_csv():
    with pytest.raises(BandstandError) as info:
        read_cases_csv("", "cases.csv")
    assert [format_diagnostic(d) for d in info.value.diagnostics] == [
        "cases.csv:1:1: error: the CSV file is empty; expected a header row [csv.empty]"]


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_csv_semicolon_and_tab_delimiters(delimiter):
    text = CSV_HEADER.replace(",", delimiter) + "\n" + delimiter.join(["C1", "court", "yes", "no", ""]) + "\n"
    (c,) = read_cases_csv(text, "cases.csv")
    assert (c.id, c.part, c.answers) == ("C1", "court", {"2.1.1": True, "2.1.2": False, "3.1.1": None})


def test_csv_with_a_byte_order_mark_and_windows_line_endings(tmp_path):
    text = "\ufeff" + CSV_HEADER + "\r\nC1,court,yes,no,\r\nC2,court,no,yes,\r\n"
    path = write(tmp_path, text, "cases.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbfcase,") and b"\r\n" in path.read_bytes()
    cases = load_evidence(path, display="cases.csv").cases
    assert [(c.id, c.part) for c in cases] == [("C1", "court"), ("C2", "court")]
    assert cases[1].answers == {"2.1.1": False, "2.1.2": True, "3.1.1": None}
    assert [c.pos.line for c in cases] == [2, 3]


def test_csv_windows_line_endings_keep_line_numbers(tmp_path):
    text = CSV_HEADER + "\r\nC1,court,yes,no,\r\n\r\nC2,court,yes,maybe,\r\n"
    with pytest.raises(BandstandError) as info:
        load_evidence(write(tmp_path, text, "cases.csv"), display="cases.csv")
    assert [format_diagnostic(d) for d in info.value.diagnostics] == [
        "cases.csv:4:14: error: 'maybe' in column '2.1.2' is not an answer; expected yes, no or blank "
        "(not applicable) [csv.answer]"]


def test_csv_quoted_cells():
    text = CSV_HEADER + '\n"C1","court","yes","no",""\n"C,2",court," Yes ",N,""\n'
    cases = read_cases_csv(text, "cases.csv")
    assert [(c.id, c.part, c.answers) for c in cases] == [
        ("C1", "court", {"2.1.1": True, "2.1.2": False, "3.1.1": None}),
        ("C,2", "court", {"2.1.1": True, "2.1.2": False, "3.1.1": None}),
    ]


@pytest.mark.parametrize("cell, answer", [
    ("Yes", True), ("yes", True), ("Y", True), ("y", True), ("1", True), ("TRUE", True),
    ("No", False), ("n", False), ("N", False), ("0", False), ("false", False),
    ("n/a", None), ("N/A", None), ("na", None), ("", None), ("  ", None), ("-", None),
])
def test_csv_answer_cells(cell, answer):
    (c,) = read_cases_csv(f"case,part,2.1.1\nC1,court,{cell}\n", "cases.csv")
    assert c.answers == {"2.1.1": answer}


@pytest.mark.parametrize("value, understood", [("Yes", (True, True)), ("n/a", (True, None)),
                                               (1, (True, True)), (0, (True, False)), (2, (False, None)),
                                               ("perhaps", (False, None)), (None, (True, None))])
def test_parse_answer(value, understood):
    assert parse_answer(value) == understood


def test_csv_invalid_cell_is_located_at_its_line_and_column():
    text = CSV_HEADER + "\nC1,court,yes,no,\nC2,court,yes,maybe,\nC3,court,perhaps,no,\n"
    with pytest.raises(BandstandError) as info:
        read_cases_csv(text, "cases.csv")
    assert [format_diagnostic(d) for d in info.value.diagnostics] == [
        "cases.csv:3:14: error: 'maybe' in column '2.1.2' is not an answer; expected yes, no or blank "
        "(not applicable) [csv.answer]",
        "cases.csv:4:10: error: 'perhaps' in column '2.1.1' is not an answer; expected yes, no or blank "
        "(not applicable) [csv.answer]",
    ]


def test_csv_invalid_cell_after_quoted_cells_is_located_at_its_column():
    text = 'case,part,2.1.1,2.1.2\n"C1",court,"yes",maybe\n'
    with pytest.raises(BandstandError) as info:
        read_cases_csv(text, "cases.csv")
    (d,) = info.value.diagnostics
    assert (d.line, d.column) == (2, 18)


def test_csv_invalid_cell_in_a_row_spanning_lines_is_located_where_it_is():
    text = 'case,part,2.1.1,2.1.2\nC1,court,"yes\nno",yes\n'
    with pytest.raises(BandstandError) as info:
        read_cases_csv(text, "cases.csv")
    (d,) = info.value.diagnostics
    assert d.code == "csv.answer"
    assert (d.line, d.column) == (2, 10)


def test_csv_row_after_a_row_spanning_lines_keeps_its_line():
    text = 'case,part,2.1.1,2.1.2\nC1,court,yes,"no\n"\nC2,court,yes,maybe\n'
    with pytest.raises(BandstandError) as info:
        read_cases_csv(text, "cases.csv")
    assert [(d.line, d.column) for d in info.value.diagnostics if "maybe" in d.message] == [(4, 14)]


def test_csv_rows_with_the_wrong_number_of_cells():
    text = CSV_HEADER + "\nC1,court,yes,no,\nC2,court,yes\nC3,court,yes,no,,no\n"
    with pytest.raises(BandstandError) as info:
        read_cases_csv(text, "cases.csv")
    assert [format_diagnostic(d) for d in info.value.diagnostics] == [
        "cases.csv:3:1: error: this row has 3 cells but the header has 5 [csv.row]",
        "cases.csv:4:1: error: this row has 6 cells but the header has 5 [csv.row]",
    ]


def test_csv_blank_rows_are_skipped():
    cases = read_cases_csv(CSV_HEADER + "\n\nC1,court,yes,no,\n,,,,\n", "cases.csv")
    assert [c.id for c in cases] == ["C1"]


def test_csv_duplicate_column():
    with pytest.raises(BandstandError) as info:
        read_cases_csv("case,part,2.1.1,2.1.1\nC1,court,yes,no\n", "cases.csv")
    assert [format_diagnostic(d) for d in info.value.diagnostics] == [
        "cases.csv:1:17: error: column '2.1.1' appears twice [csv.header]"]


def test_yaml_evidence_with_a_csv_of_cases(tmp_path, fw):
    rows = ["case,part," + ",".join(COURT_KQS + OOC_KQS),
            "C1,court," + ",".join(["yes"] * 12 + [""] * 9),
            "C2,court," + ",".join(["no"] * 12 + [""] * 9),
            "O1,out_of_court," + ",".join([""] * 12 + ["Y"] * 9)]
    write(tmp_path, "\n".join(rows) + "\n", "data/cases.csv")
    text = CASES[:CASES.index("cases:")] + "cases: data/cases.csv\n"
    b = bound(tmp_path, fw, text)
    assert b.case_count == {"court": 2, "out_of_court": 1}
    assert (b.measures["2.1.1"].yes, b.measures["2.1.1"].of) == (1, 2)
    assert (b.measures["3.3.3"].yes, b.measures["3.3.3"].of) == (1, 1)


def test_problems_in_a_referenced_csv_are_reported(tmp_path, fw):
    write(tmp_path, CSV_HEADER + "\nC1,court,yes,maybe,\n", "cases.csv")
    text = CASES[:CASES.index("cases:")] + "cases: cases.csv\n"
    lines = problems(tmp_path, fw, text)
    assert len(lines) == 1
    assert lines[0].endswith("cases.csv:2:14: error: 'maybe' in column '2.1.2' is not an answer; expected yes, "
                             "no or blank (not applicable) [csv.answer]")


@pytest.mark.parametrize("reference", ["../x.csv", "data/../../x.csv", "/etc/passwd"])
def test_csv_outside_the_evidence_folder_is_refused(tmp_path, fw, reference):
    folder = tmp_path / "evidence"
    write(tmp_path, CSV_HEADER + "\nC1,court,yes,no,\n", "x.csv")  # it exists: refused all the same
    text = CASES[:CASES.index("cases:")] + f"cases: {reference}\n"
    with pytest.raises(BandstandError) as info:
        load_evidence(write(folder, text), display=NAME)
    assert [format_diagnostic(d) for d in info.value.diagnostics] == [
        f"evidence.yaml:9:8: error: the cases file '{reference}' must be a relative path inside the evidence "
        "file's folder [evidence.path]"]


def test_missing_referenced_csv(tmp_path, fw):
    text = CASES[:CASES.index("cases:")] + "cases: nothing.csv\n"
    with pytest.raises(BandstandError) as info:
        load_evidence(write(tmp_path, text), display=NAME)
    (d,) = info.value.diagnostics
    assert d.code == "input.missing" and "nothing.csv" in d.message


def test_bundled_csv_example_gives_the_same_counts_as_the_yaml_cases(fw):
    from_csv = bind(load_evidence(EXAMPLES / "bedfordshire-2021-csv.yaml"), fw)
    from_yaml = bind(load_evidence(EXAMPLES / "bedfordshire-2021-cases.yaml"), fw)
    assert from_csv.measures == from_yaml.measures
    assert (from_csv.measures["2.1.1"].yes, from_csv.measures["2.1.1"].of) == (1, 6)
    assert (from_csv.measures["3.1.1"].yes, from_csv.measures["3.1.1"].of) == (11, 17)
    assert from_csv.case_count == {"court": 6, "out_of_court": 17}


@pytest.mark.parametrize("how", ["copy", "deepcopy", "pickle"])
def test_evidence_read_from_csv_copies_with_its_positions(how):
    """Evidence read from a CSV copies and pickles whole: each case's answer positions are the same plain
    positions afterwards, and the copy evaluates as the original does (a deep copy once kept a row's start as a
    plain position, and the first position asked of it failed)."""
    import copy
    import pickle

    ev = load_evidence(EXAMPLES / "bedfordshire-2021-csv.yaml")
    other = {"copy": copy.copy, "deepcopy": copy.deepcopy,
             "pickle": lambda e: pickle.loads(pickle.dumps(e))}[how](ev)
    assert len(other.cases) == len(ev.cases) == 23
    for a, b in zip(ev.cases, other.cases):
        assert sorted(b.answer_pos) == sorted(a.answer_pos)
        assert {k: b.answer_pos[k] for k in b.answer_pos} == {k: a.answer_pos[k] for k in a.answer_pos}
        assert b.part_pos == a.part_pos and b.pos == a.pos
    fw = Catalogue().resolve("hmip-youth@2018")
    assert evaluate(fw, other).to_json() == evaluate(fw, ev).to_json()
