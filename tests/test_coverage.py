"""No silent change of a rating: missing evidence is an error or a declaration, and published
ratings are evidence (issue 11, sections 1 and 4).

Expected figures come from the sources: Bedfordshire 2021 scores 14 of 36 (the report's
Annexe 2), and 2.1.1 is the key question that decides 2.1 there; Cardiff 2020 was rated
Inadequate on all twelve standards (HMIP press release, July 2020), which is 0 of 36.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bandstand import Catalogue, evaluate, load_evidence
from bandstand.catalogue import bundled_dir
from bandstand.compare import compare, comparison_text
from bandstand.errors import BandstandError
from bandstand.render import Summary, to_markdown, to_text
from helpers import EXAMPLES, run

ORIGINAL_EXAMPLES = bundled_dir() / "examples" / "hmip-youth-2018-original"
CARDIFF = ORIGINAL_EXAMPLES / "cardiff-2020-published.yaml"
CSV = EXAMPLES / "bedfordshire-2021-cases.csv"
JUDGEMENTS = (EXAMPLES / "bedfordshire-2021-csv.yaml").read_text(encoding="utf-8")




def csv_without(tmp_path: Path, *columns: str, rename: dict | None = None, extra: str = "") -> Path:
    """Bedfordshire's evidence with its cases CSV lacking ``columns`` (or with headers renamed)."""
    rows = [line.split(",") for line in CSV.read_text(encoding="utf-8").splitlines()]
    keep = [i for i, name in enumerate(rows[0]) if name not in columns]
    rows = [[r[i] for i in keep] for r in rows]
    rows[0] = [(rename or {}).get(c, c) for c in rows[0]]
    (tmp_path / "cases.csv").write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    ev = tmp_path / "evidence.yaml"
    ev.write_text(JUDGEMENTS.replace("cases: bedfordshire-2021-cases.csv", "cases: cases.csv") + extra,
                  encoding="utf-8")
    return ev


@pytest.fixture(scope="module")
def fw():
    return Catalogue().resolve("hmip-youth@2018")


@pytest.fixture(scope="module")
def original():
    return Catalogue().resolve("hmip-youth@2018-original")


# -- 1. missing evidence is never read as not applicable --------------------------------------


def test_the_whole_csv_still_gives_the_published_14(fw):
    r = evaluate(fw, load_evidence(EXAMPLES / "bedfordshire-2021-csv.yaml"))
    assert (r.overall.level.id, r.overall.value) == ("requires_improvement", 14)


def test_a_deleted_key_question_column_is_an_error_not_a_score_of_15(capsys, tmp_path):
    """Today's defect: validate said ok and evaluate scored 15 of 36 with 2.1 rated from 2.1.2 alone."""
    ev = csv_without(tmp_path, "2.1.1")
    code, out, _ = run(capsys, "validate", ev, "--framework", "hmip-youth@2018")
    assert code == 1
    (line,) = out.splitlines()
    assert line.startswith(f"{tmp_path / 'cases.csv'}:1:1: error: key question 2.1.1 of the Court disposals part "
                           f"has no column in {tmp_path / 'cases.csv'}")
    assert line.endswith("[evidence.coverage]") and "partial: [2.1.1]" in line
    code, out, err = run(capsys, "evaluate", "hmip-youth@2018", ev)
    assert code == 2 and out == "" and "score 15" not in err and "evidence.coverage" in err


def test_a_mistyped_header_is_one_line_naming_the_key_question_and_the_column(capsys, tmp_path):
    ev = csv_without(tmp_path, rename={"2.1.1": "2.1.l"})
    code, out, _ = run(capsys, "validate", ev, "--framework", "hmip-youth@2018")
    assert code == 1
    (line,) = out.splitlines()  # not a second line for the unknown column
    assert line.startswith(f"{tmp_path / 'cases.csv'}:1:11: error: key question 2.1.1 ")  # at the header cell
    assert "(did you mean column '2.1.l'?)" in line


def test_several_missing_columns_are_one_line_listing_every_id(capsys, tmp_path):
    ev = csv_without(tmp_path, "2.1.1", "2.4.3", "3.2.2")
    code, out, _ = run(capsys, "validate", ev, "--framework", "hmip-youth@2018")
    assert code == 1
    (line,) = out.splitlines()
    assert "key questions 2.1.1, 2.4.3, 3.2.2 of the Court disposals and Out-of-court disposals parts" in line


def test_yaml_cases_that_never_answer_a_key_question_are_an_error(fw):
    text = (EXAMPLES / "bedfordshire-2021-cases.yaml").read_text(encoding="utf-8")
    text = "\n".join(line for line in text.splitlines() if '"3.3.2"' not in line)
    from bandstand import load_evidence_text

    with pytest.raises(BandstandError) as info:
        evaluate(fw, load_evidence_text(text, "cases.yaml"))
    (d,) = info.value.diagnostics
    assert d.code == "evidence.coverage" and d.file == "cases.yaml"
    assert "key question 3.3.2 of the Out-of-court disposals part is answered by no case" in d.message


def test_a_column_of_blanks_is_written_not_applicable_and_rates_as_not_rated(fw, tmp_path):
    """Explicitly not applicable to every case: the column is there, every cell blank (as a report
    says when no case of a kind was inspected). Not an error; not rated, with that reason."""
    text = CSV.read_text(encoding="utf-8").splitlines()
    i = text[0].split(",").index("2.1.1")
    text = [text[0]] + [",".join("" if j == i else c for j, c in enumerate(r.split(","))) for r in text[1:]]
    ev = csv_without(tmp_path)
    (tmp_path / "cases.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    r = evaluate(fw, load_evidence(ev))
    assert r.nodes["2.1.1"].level is None and r.nodes["2.1.1"].reason == "not rated: no inspected case applied"
    assert not r.partial


def test_a_partial_list_leaves_a_key_question_out_and_every_output_says_so(fw, tmp_path):
    ev = csv_without(tmp_path, "2.1.1", extra='partial: ["2.1.1"]\n')
    r = evaluate(fw, load_evidence(ev))
    assert r.partial and r.left_out == ["2.1.1"]
    assert r.nodes["2.1.1"].level is None and "declared partial" in r.nodes["2.1.1"].reason
    assert r.nodes["2.1"].reason.endswith("; from partial evidence: no evidence for 2.1.1")
    assert r.overall.reason.endswith("; from partial evidence: no evidence for 2.1.1")
    assert r.to_json()["partial"] == {"left_out": ["2.1.1"]}
    assert "Partial evidence: no evidence for 2.1.1, left out on purpose" in to_text(r)
    assert "Partial evidence: no evidence for 2.1.1, left out on purpose" in to_markdown(r)
    summary = Summary("text")
    summary.row(r)
    assert "Partial evidence: Bedfordshire YOS: no evidence for 2.1.1" in summary.end()


def test_a_partial_list_leaves_out_only_what_it_names(fw, tmp_path):
    ev = csv_without(tmp_path, "2.1.1", "2.2.2", extra='partial: ["2.1.1"]\n')
    with pytest.raises(BandstandError) as info:
        evaluate(fw, load_evidence(ev))
    (d,) = info.value.diagnostics
    assert d.code == "evidence.coverage" and "key question 2.2.2 " in d.message and "2.1.1" not in d.message


def test_a_partial_list_that_names_given_evidence_is_an_error(fw, tmp_path):
    ev = csv_without(tmp_path, extra='partial: ["2.1.1"]\n')
    with pytest.raises(BandstandError) as info:
        evaluate(fw, load_evidence(ev))
    assert [d.code for d in info.value.diagnostics] == ["evidence.partial"]


def test_compare_lists_a_key_question_only_in_the_newer_version_as_no_evidence(fw, tmp_path):
    newer = tmp_path / "newer.yaml"
    newer.write_text("bandstand: 1\nid: hmip-youth\nversion: 2018-new\nextends: hmip-youth@2018\n"
                     "title: With a fourth assessment question\nstatus: draft\nchanges:\n"
                     '  - add: {id: "2.1.4", question: Does assessment consider the victim?}\n'
                     '    under: "2.1"\n', encoding="utf-8")
    b = Catalogue().load_path(newer)
    for name in ("bedfordshire-2021-csv.yaml", "bedfordshire-2021-published.yaml"):
        c = compare(fw, b, load_evidence(EXAMPLES / name))
        (row,) = [r for r in c.rows if r.node_id == "2.1.4"]
        assert row.verdict == "no evidence" and row.b.level is None
        assert "2.1.4    -" in comparison_text(c) and "no evidence" in comparison_text(c)
        assert c.second.overall.value == 14  # 2.1 is still its lowest key question, 2.1.1


# -- 4. published ratings are evidence --------------------------------------------------------


def test_cardiff_2020_published_ratings_give_inadequate_0_of_36(capsys):
    code, out, err = run(capsys, "evaluate", "hmip-youth", CARDIFF, "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert (data["overall"]["rating"], data["overall"]["score"], data["overall"]["max_score"]) == ("inadequate", 0, 36)
    for standard in ("2.1", "2.2", "2.3", "2.4", "3.1", "3.2", "3.3"):
        node = data["nodes"][standard]
        assert (node["rating"], node["by"], node["decided_by"]) == ("inadequate", "published", ["published"])
        assert node["reason"] == ("the published rating (Inadequate) stands in for its rule: no evidence is given "
                                  "beneath it")
    assert data["nodes"]["1.1"]["by"] == "judgement"  # a judged standard's published rating is its judgement
    assert "the published rating of 2.1 stands in" in data["nodes"]["2.1.1"]["reason"]
    assert "findings" not in data


def test_the_published_examples_pass_bandstand_test(capsys):
    code, out, _ = run(capsys, "test", "hmip-youth@2018-original")
    assert code == 0
    assert "PASS hmip-youth@2018-original cardiff-2020-published-ratings (15 checks)" in out


def test_published_ratings_cover_the_key_questions_beneath_them(fw, tmp_path):
    ev = csv_without(tmp_path, "2.1.1", extra='published: {"2.1": inadequate}\n')
    r = evaluate(fw, load_evidence(ev))
    assert r.nodes["2.1"].level.id == "inadequate" and r.nodes["2.1"].how == "published"
    assert "incomplete (no evidence for 2.1.1)" in r.nodes["2.1"].reason
    assert (r.overall.level.id, r.overall.value) == ("requires_improvement", 14)


def test_a_disagreement_with_a_published_rating_is_a_finding_in_every_output(fw, tmp_path, capsys):
    # 2.1.1 is 1 of 6 (17%, Inadequate), so the rule rates 2.1 Inadequate, not Requires improvement
    ev = csv_without(tmp_path, extra='published: {"2.1": requires_improvement, overall: requires_improvement}\n')
    r = evaluate(fw, load_evidence(ev))
    assert r.nodes["2.1"].level.id == "inadequate" and r.nodes["2.1"].how == "rule"  # the rule decides
    (f,) = r.findings
    assert (f.node_id, f.published.id, f.rated.id) == ("2.1", "requires_improvement", "inadequate")
    line = ("2.1 was published as Requires improvement, but its rule gives Inadequate from the evidence "
            "(the lowest rating of its key questions: 2.1.1 is Inadequate)")
    assert f"Finding: {line}" in to_text(r)
    assert f"Finding: {line}" in to_markdown(r).replace("\\", "")
    assert r.to_json()["findings"][0]["message"] == line
    summary = Summary("text")
    summary.row(r)
    assert line in summary.end()
    c = compare(fw, fw, load_evidence(ev))
    assert f"finding under hmip-youth@2018: {line}" in c.notes
    code, out, _ = run(capsys, "evaluate", "hmip-youth@2018", ev, tmp_path / "evidence.yaml", "--ratings-only")
    assert code == 0 and line.split(" (the lowest")[0] in out  # ratings only: no reasons


def test_a_published_rating_the_rule_agrees_with_is_no_finding(fw, tmp_path):
    ev = csv_without(tmp_path, extra='published: {"2.1": Inadequate, overall: Requires improvement}\n')
    assert evaluate(fw, load_evidence(ev)).findings == []


def test_bandstand_test_fails_an_example_with_a_finding(capsys, tmp_path):
    shutil.copytree(EXAMPLES, tmp_path / "examples" / "hmip-youth-2018")
    ev = tmp_path / "examples" / "hmip-youth-2018" / "bedfordshire-2021-csv.yaml"
    ev.write_text(ev.read_text(encoding="utf-8") + 'published: {"2.2": good}\n', encoding="utf-8")
    framework = tmp_path / "hmip-youth-2018.yaml"
    shutil.copy(bundled_dir() / "hmip-youth-2018.yaml", framework)
    code, out, _ = run(capsys, "test", framework)
    assert code == 1
    assert "FAIL hmip-youth@2018 bedfordshire-2021-csv" in out
    assert ("  finding: 2.2 was published as Good, but its rule gives Requires improvement from the evidence"
            in out)


def test_published_ratings_of_unknown_nodes_or_levels_are_located_errors(fw):
    from bandstand import load_evidence_text

    with pytest.raises(BandstandError) as info:
        evaluate(fw, load_evidence_text('partial: true\npublished:\n  "2.9": good\n  "2.1": fine\n', "e.yaml"))
    got = [(d.line, d.code) for d in info.value.diagnostics]
    assert got == [(3, "evidence.unknown-node"), (4, "evidence.level")]


def test_a_judged_standard_published_unlike_its_judgement_is_an_error(fw):
    from bandstand import load_evidence_text

    text = (EXAMPLES / "bedfordshire-2021-published.yaml").read_text(encoding="utf-8")
    with pytest.raises(BandstandError) as info:
        evaluate(fw, load_evidence_text(text + 'published: {"1.2": inadequate}\n', "e.yaml"))
    assert [d.code for d in info.value.diagnostics] == ["evidence.published"]


def test_compare_and_batch_evaluation_accept_published_ratings(capsys, original, fw):
    c = compare(original, fw, load_evidence(CARDIFF))
    assert (c.second.overall.level.id, c.second.overall.value) == ("inadequate", 0)
    (row,) = [r for r in c.rows if r.node_id == "4.1"]
    assert row.verdict == "no evidence"
    code, out, err = run(capsys, "evaluate", "hmip-youth", ORIGINAL_EXAMPLES, "--format", "jsonl")
    assert code == 0, err
    got = {json.loads(line)["subject"]: json.loads(line)["overall"]["rating"] for line in out.splitlines()}
    assert got == {"Cardiff YOS": "inadequate", "Liverpool YOS": "good", "North Yorkshire YJS": "good",
                   # the examples with key-question figures (each file works out its rating by hand)
                   "Bedfordshire YOS (2021 figures, standards as first published)": "requires_improvement",
                   "Constructed inspection (19 of 36)": "good", "Constructed inspection (31 of 36)": "outstanding"}


def test_a_published_overall_rating_never_lets_a_standard_be_rated_from_part_of_its_evidence(fw, tmp_path):
    """The overall rating's published rating covers 2.1.1's missing column, but 2.1 is not published: its
    rule would rate it from 2.1.2 and 2.1.3 alone (Requires improvement, where the report has Inadequate)."""
    ev = csv_without(tmp_path, "2.1.1", extra="published: {overall: requires_improvement}\n")
    r = evaluate(fw, load_evidence(ev))
    assert r.overall.level.id == "requires_improvement" and r.overall.how == "published"
    assert r.nodes["2.1"].level is None
    assert r.nodes["2.1"].reason == ("not rated: the evidence beneath it is incomplete (no evidence for 2.1.1), so "
                                     "its rule cannot rate it")
    assert r.nodes["2.2"].level.id == "requires_improvement"  # complete beneath: rated by its rule
