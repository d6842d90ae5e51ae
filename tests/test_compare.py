"""bandstand compare: the same evidence under two versions, or two frameworks through a crosswalk."""

from __future__ import annotations

import json
import shutil

import pytest

from bandstand import Catalogue, load_evidence
from bandstand.cli import main
from bandstand.compare import compare, impact, impact_text
from bandstand.crosswalk import load_crosswalk
from bandstand.catalogue import bundled_dir
from helpers import EXAMPLES, ROOT


@pytest.fixture(scope="module")
def cat():
    return Catalogue()


def test_bedfordshire_cases_under_2018_and_2011_side_by_side(cat):
    a, b = cat.resolve("hmip-youth@2018"), cat.resolve("hmip-youth-cci@2011")
    cw = cat.crosswalk(a, b)
    assert cw is not None and cw.id == "hmip-youth-2018-to-cci-2011"
    c = compare(a, b, load_evidence(EXAMPLES / "bedfordshire-2021-cases.yaml"), cw)
    assert c.first.overall.level.id == "requires_improvement"
    # the court cases' answers pool: keep the child safe 3+3+3+3 of 24; keep others safe 4+3+3+4 of 24;
    # desistance 1+4+5+5 of 24 (the report's counts: tests/data/bedfordshire-2021.yaml)
    got = {n: (c.second.nodes[n].measure.yes, c.second.nodes[n].measure.of, c.second.nodes[n].level.id)
           for n in ("safeguarding", "risk_of_harm", "likelihood_of_reoffending")}
    assert got == {"safeguarding": (12, 24, "substantial"), "risk_of_harm": (14, 24, "substantial"),
                   "likelihood_of_reoffending": (15, 24, "moderate")}
    row = next(r for r in c.rows if r.node_id == "safeguarding")
    assert row.fed_by == ["2.1.2", "2.2.2", "2.3.2", "2.4.2"]
    assert any("17 cases of part out_of_court left out" in n for n in c.notes)


def test_cli_compare_one_inspection(capsys):
    with pytest.raises(SystemExit) as e:
        main(["compare", "hmip-youth@2018", "hmip-youth-cci@2011", str(EXAMPLES / "bedfordshire-2021-cases.yaml")])
    out, err = capsys.readouterr()
    assert e.value.code == 0
    assert "through crosswalk hmip-youth-2018-to-cci-2011" in out
    assert "Substantial improvement required 50% (12/24)" in out
    assert "inferred, not published" in out


def test_versions_compared_node_by_node(cat):
    a, b = cat.resolve("hmip-youth@2018"), cat.resolve("hmip-youth@2018-original")
    c = compare(a, b, load_evidence(EXAMPLES / "bedfordshire-2021-published.yaml"))
    # 3.4 was 'Joint working' when first published and became 'Out-of-court disposal policy and provision'
    assert [(r.node_id, r.verdict) for r in c.changed] == [("3.4", "a different node: not compared"),
                                                          ("4.1", "only in the first")]
    overall = next(r for r in c.rows if r.node_id == "overall")
    assert overall.verdict == "same"
    reworded = next(r for r in c.rows if r.node_id == "2.1.1")
    assert reworded.verdict == "same"


def test_impact_leaves_out_a_node_that_is_a_different_node_in_each_version(cat):
    a, b = cat.resolve("hmip-youth@2018-original"), cat.resolve("hmip-youth@2018")
    ev = load_evidence(EXAMPLES / "bedfordshire-2021-published.yaml")
    imp = impact(a, b, [ev])
    assert "3.4" not in imp.transitions
    assert imp.notes["3.4 is a different node in each version: not compared"] == 1


def test_compare_columns_line_up(capsys):
    with pytest.raises(SystemExit):
        main(["compare", "hmip-youth@2018-original", "hmip-youth@2018",
              str(EXAMPLES / "bedfordshire-2021-published.yaml")])
    rows = [line for line in capsys.readouterr().out.splitlines()[2:] if not line.startswith("note")]
    starts = {line.rindex(verdict) for line in rows for verdict in ("same",) if line.endswith(verdict)}
    assert len(starts) == 1, rows


def test_different_frameworks_need_a_crosswalk(cat):
    from bandstand import BandstandError

    with pytest.raises(BandstandError, match="name a crosswalk"):
        compare(cat.resolve("hmip-youth@2018"), cat.resolve("hmip-youth-fji@2014"),
                load_evidence(EXAMPLES / "bedfordshire-2021-published.yaml"))


GOOD70 = (ROOT / "frameworks" / "what-if" / "hmip-youth-2018-good70.yaml").read_text(encoding="utf-8")


def test_moving_the_good_threshold_over_many_inspections(cat, tmp_path, capsys):
    (tmp_path / "good70.yaml").write_text(GOOD70)
    folder = tmp_path / "evidence"
    folder.mkdir()
    shutil.copy(EXAMPLES / "bedfordshire-2021-published.yaml", folder / "bedfordshire.yaml")
    for i, pct in enumerate((66, 72, 90)):
        (folder / f"yot{i}.yaml").write_text(
            f"subject: YOT {i}\njudgements: {{'1.1': good, '1.2': good, '1.3': good, '1.4': good, '3.4': good}}\n"
            "key_questions: {" + ", ".join(f"'{k}': {{percent: {pct}}}" for k in (
                "2.1.1 2.1.2 2.1.3 2.2.1 2.2.2 2.2.3 2.3.1 2.3.2 2.3.3 2.4.1 2.4.2 2.4.3 "
                "3.1.1 3.1.2 3.1.3 3.2.1 3.2.2 3.2.3 3.3.1 3.3.2 3.3.3").split()) + "}\n")
    with pytest.raises(SystemExit) as e:
        main(["compare", "hmip-youth@2018", str(tmp_path / "good70.yaml"), str(folder), "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    assert e.value.code == 0
    assert out["inspections"] == 4
    for node, cells in out["transitions"].items():
        assert sum(cell["count"] for cell in cells) == 4, node  # every table adds up to the inspections
    overall = {(c["from"], c["to"]): c["count"] for c in out["transitions"]["overall"]}
    # YOT 0 (every key question 66%): 7 standards Good -> Requires improvement: 24 -> 17, Good -> RI
    assert overall[("good", "requires_improvement")] == 1
    changed = {c["subject"] for c in out["changed"]}
    assert "YOT 0" in changed and "YOT 1" not in changed and "YOT 2" not in changed
    # Bedfordshire: 3.3.3 and 3.1.1/3.2.1 (65%) fall to Requires improvement; overall stays RI
    beds = next(c for c in out["changed"] if c["subject"] == "Bedfordshire YOS")
    assert {"node": "3.3.3", "from": "good", "to": "requires_improvement"} in beds["moves"]
    assert not [m for m in beds["moves"] if m["node"] == "overall"]


def test_impact_through_a_crosswalk_counts_the_second_frameworks_levels(cat):
    a, b = cat.resolve("hmip-youth@2018"), cat.resolve("hmip-youth-cci@2011")
    imp = impact(a, b, [load_evidence(EXAMPLES / "bedfordshire-2021-cases.yaml")] * 2, cat.crosswalk(a, b))
    assert imp.inspections == 2
    # each CCI area against the level its 2018 feeders' lowest rating corresponds to (the crosswalk's ordinal
    # correspondence): keeping the child safe, lowest Requires improvement (Substantial), scores 50%: Substantial;
    # desistance, lowest 2.1.1 Inadequate (Drastic), pools 15 of 24 (63%): Moderate
    assert imp.table("safeguarding") == {("substantial", "substantial"): 2}
    assert imp.table("likelihood_of_reoffending") == {("drastic", "moderate"): 2}
    assert [[m for m in moves] for _, _, moves in imp.changed] == [[("likelihood_of_reoffending", "drastic",
                                                                    "moderate")]] * 2
    text = impact_text(imp)
    assert "2 inspections differ" in text and "no rating changes" not in text
    assert "inferred, not published" in text and "crosswalk note:" in text


def test_through_a_crosswalk_what_the_second_cannot_rate_is_not_a_difference(cat):
    """Published 2018 percentages cannot be pooled into the CCI's area scores: those areas are not rated,
    which is nothing to compare, not a rating that differs."""
    from bandstand.compare import impact_json, impact_markdown

    a, b = cat.resolve("hmip-youth@2018"), cat.resolve("hmip-youth-cci@2011")
    published = load_evidence(EXAMPLES / "bedfordshire-2021-published.yaml")
    imp = impact(a, b, [published, load_evidence(EXAMPLES / "bedfordshire-2021-cases.yaml")], cat.crosswalk(a, b))
    assert [(file, moves) for _, file, moves in imp.changed] == [
        (str(EXAMPLES / "bedfordshire-2021-cases.yaml"), [("likelihood_of_reoffending", "drastic", "moderate")])]
    assert imp.unrated == [("Bedfordshire YOS", published.file,
                            ["safeguarding", "risk_of_harm", "likelihood_of_reoffending"])]
    text = impact_text(imp)
    assert "1 inspection differs:" in text
    assert ("1 inspection with nodes hmip-youth-cci@2011 could not rate from the evidence (not compared; see the "
            "notes):") in text
    assert impact_json(imp)["not_rated_by_second"] == [
        {"subject": "Bedfordshire YOS", "evidence": published.file,
         "nodes": ["safeguarding", "risk_of_harm", "likelihood_of_reoffending"]}]
    assert "## Not compared" in impact_markdown(imp)


def test_a_crosswalk_naming_unknown_nodes_is_refused(cat, tmp_path):
    from bandstand import BandstandError

    text = (bundled_dir() / "crosswalks" / "hmip-youth-2018-to-cci-2011.yaml").read_text()
    path = tmp_path / "cw.yaml"
    path.write_text(text.replace('["2.1.1", "2.2.1"]', '["2.1.1", "2.2.9"]'))
    cw = load_crosswalk(path)
    with pytest.raises(BandstandError) as e:
        compare(cat.resolve("hmip-youth@2018"), cat.resolve("hmip-youth-cci@2011"),
                load_evidence(EXAMPLES / "bedfordshire-2021-cases.yaml"), cw)
    (d,) = e.value.diagnostics
    assert d.code == "crosswalk.unknown-node" and "'2.2.9' is not a node of hmip-youth@2018" in d.message
    assert (d.file, d.line) == (str(path), text.splitlines().index(
        '  likelihood_of_reoffending.assessment: ["2.1.1", "2.2.1"]') + 1)


INSPECTIONS_CSV = """\
inspection,case,part,1.1,1.2,1.3,1.4,3.4,2.1.1,2.1.2,2.1.3,2.2.1,2.2.2,2.2.3,2.3.1,2.3.2,2.3.3,2.4.1,2.4.2,2.4.3,3.1.1,3.1.2,3.1.3,3.2.1,3.2.2,3.2.3,3.3.1,3.3.2,3.3.3
Alpha,c1,court,good,good,good,good,good,yes,yes,yes,yes,yes,yes,yes,yes,yes,yes,yes,yes,,,,,,,,,
Alpha,o1,out_of_court,,,,,,,,,,,,,,,,,,yes,yes,yes,yes,yes,yes,yes,yes,yes
Beta,c1,court,Requires improvement,good,good,good,good,no,yes,yes,yes,yes,yes,yes,yes,yes,yes,yes,yes,,,,,,,,,
Beta,o1,out_of_court,,,,,,,,,,,,,,,,,,yes,no,yes,yes,yes,yes,yes,yes,yes
"""


def test_a_csv_with_an_inspection_column_holds_several_inspections(tmp_path):
    from bandstand import evaluate
    from bandstand.engine.evidence import load_evidence_many

    path = tmp_path / "audits.csv"
    path.write_text(INSPECTIONS_CSV)
    inspections = load_evidence_many(path)
    assert [ev.subject for ev in inspections] == ["Alpha", "Beta"]
    fw = Catalogue().resolve("hmip-youth@2018")
    alpha, beta = (evaluate(fw, ev) for ev in inspections)
    assert (alpha.overall.value, alpha.overall.level.id) == (31, "outstanding")  # 7 x 3 + 5 x 2
    assert beta.nodes["1.1"].level.id == "requires_improvement"
    assert beta.nodes["2.1"].level.id == "inadequate" and beta.nodes["3.1"].level.id == "inadequate"


def test_a_judgement_that_differs_between_rows_of_one_inspection(tmp_path):
    from bandstand import BandstandError
    from bandstand.engine.evidence import bind, load_evidence_many

    path = tmp_path / "audits.csv"
    path.write_text(INSPECTIONS_CSV.replace("Alpha,o1,out_of_court,,", "Alpha,o1,out_of_court,outstanding,"))
    alpha = load_evidence_many(path)[0]  # read whole, before the framework is known: compared as its levels
    with pytest.raises(BandstandError) as e:
        bind(alpha, Catalogue().resolve("hmip-youth@2018"))
    (d,) = e.value.diagnostics
    assert (d.code, d.line, d.column) == ("csv.judgement", 3, 23)
    assert "'1.1' is given as 'good' and 'outstanding'" in d.message


def test_validate_checks_a_crosswalk_against_both_frameworks(capsys):
    path = bundled_dir() / "crosswalks" / "hmip-youth-2018-to-cci-2011.yaml"
    with pytest.raises(SystemExit) as e:
        main(["validate", str(path)])
    assert e.value.code == 0
    assert "ok (crosswalk from hmip-youth@2018 to hmip-youth-cci@2011)" in capsys.readouterr().out
