"""Coverage of a framework's rules by its examples: ``bandstand test --coverage`` and bandstand.rulecov.

Each small framework here is written so that which nodes, band rows, limits
and if branches an example exercises can be worked out by hand from the
evidence; the tests compare coverage with that, not with bandstand's output.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from bandstand import load_framework
from bandstand.catalogue import Catalogue
from bandstand.dsl.model import Example
from bandstand.engine.compile import implemented_functions
from bandstand.engine.evaluate import evaluate
from bandstand.engine import tracer as tracer_module
from bandstand.engine.tracer import traced_functions
from bandstand.rulecov import CoverageMismatch, percent_text, rule_coverage
from bandstand.testing import ExampleOutcome, ExamplesReport

from helpers import evidence, run

FRAMEWORK = """\
bandstand: 1
id: covtest
version: "1"
title: Coverage test
status: draft
scales:
  - id: rating
    levels:
      - {id: low, label: Low, score: 0}
      - {id: mid, label: Mid, score: 1}
      - {id: high, label: High, score: 2}
bands:
  - id: pct
    scale: rating
    unit: percent
    rounding: {places: 0}
    bands:
      - {level: low, max: 49}
      - {level: mid, min: 50, max: 79}
      - {level: high, min: 80}
  - id: total
    scale: rating
    bands:
      - {level: low, max: 1}
      - {level: mid, min: 2, max: 3}
      - {level: high, min: 4}
  - id: unused
    scale: rating
    bands:
      - {level: low, max: 1}
      - {level: high, min: 2}
tiers:
  - {id: area, label: Area, counts_toward_overall: true}
  - {id: question, label: Question, rule: "band(share(), pct)"}
nodes:
  - id: a
    rule: |
      if count(children, low) >= 1
      then low
      else lowest(children)
    children: [{id: a1}, {id: a2}]
  - id: b
    judged: true
overall:
  rule: band(sum_scores(counted), total)
limits:
  - id: b-low
    applies_to: overall
    when: rating("b") == low
    at_most: low
examples:
"""

#: evidence of each example: (a1 yes of 10, a2 yes of 10, judgement of b)
EVIDENCE = {
    # a1 90% high, a2 60% mid: no low child, so else: lowest = mid (1); b high (2); 3 in total: mid
    "one": (9, 6, "high"),
    # a1 30% low: then: low (0); b low (0); 0: low, the limit holds but low is within 'at most low'
    "two": (3, 9, "low"),
    # a1, a2 90% high: else: high (2); b low (0); 2: mid, limited to low: the limit fires
    "three": (9, 9, "low"),
}
#: what each example rates a, b and the overall (after the limit), worked out above
EXPECT = {"one": ("mid", "high", "mid"), "two": ("low", "low", "low"), "three": ("high", "low", "low")}


def make(folder: Path, names: list[str], text: str = FRAMEWORK) -> Path:
    for name in names:
        a1, a2, b = EVIDENCE[name]
        (folder / f"{name}.yaml").write_text(
            f"judgements: {{b: {b}}}\nkey_questions:\n  a1: {{yes: {a1}, of: 10}}\n  a2: {{yes: {a2}, of: 10}}\n",
            encoding="utf-8")
        a, b_, overall = EXPECT[name]
        text += (f"  - id: {name}\n    evidence: {name}.yaml\n    expect:\n      overall: {{rating: {overall}}}\n"
                 f"      nodes: {{a: {a}, b: {b_}}}\n")
    path = folder / "covtest.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def covered(cov, kind: str) -> dict[str, bool]:
    return {i.id: i.covered for i in cov.of_kind(kind)}


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_one_example_covers_exactly_what_it_exercises(tmp_path):
    path = make(tmp_path, ["one"])
    cov = rule_coverage(load_framework(path))
    assert cov.report.passed
    assert covered(cov, "node") == {"a": True, "a1": True, "a2": True, "b": True, "overall": True}
    # a1 90% and a2 60%: the pct rows high and mid; the total 3: the mid row; 'unused' is banded by no rule
    assert covered(cov, "band_row") == {"pct: 49% or less": False, "pct: 50-79%": True, "pct: 80% or more": True,
                                        "total: 1 or less": False, "total: 2-3": True, "total: 4 or more": False}
    assert covered(cov, "limit") == {"b-low": False}
    limit = cov.of_kind("limit")[0]
    assert (limit.detail["evaluated"], limit.detail["held"]) == (1, 0)
    branches = {i.detail["branch"]: i for i in cov.of_kind("branch")}
    assert set(branches) == {"then", "else"}
    assert not branches["then"].covered and branches["else"].examples == ["one"]
    # 5 nodes + 3 of 6 rows + 0 of 1 limit + 1 of 2 branches = 9 of 14
    assert (cov.covered, cov.total) == (9, 14)
    assert percent_text(cov.percent) == "64.2%"  # 64.29 rounded down


def test_the_unexercised_parts_are_placed_where_they_are_written(tmp_path):
    path = make(tmp_path, ["one"])
    cov = rule_coverage(load_framework(path))
    missed = {i.id: i.pos for i in cov.missed}
    then = next(i for i in cov.missed if i.kind == "branch")
    assert (then.pos.line, then.pos.column) == (line_of(path, "then low"), len("      then ") + 1)
    assert missed["pct: 49% or less"].line == line_of(path, "{level: low, max: 49}")
    assert missed["total: 4 or more"].line == line_of(path, "{level: high, min: 4}")
    assert missed["b-low"].line == line_of(path, "- id: b-low")


def test_examples_together_cover_the_union_and_a_limit_counts_only_when_it_fires(tmp_path):
    path = make(tmp_path, ["one", "two"])
    cov = rule_coverage(load_framework(path))
    assert cov.report.passed
    limit = cov.of_kind("limit")[0]
    # in 'two' the limit holds (b is low) but the overall is low already: held, not fired
    assert not limit.covered and (limit.detail["evaluated"], limit.detail["held"]) == (2, 1)
    assert all(i.covered for i in cov.of_kind("branch"))
    assert covered(cov, "band_row")["pct: 49% or less"] and covered(cov, "band_row")["total: 1 or less"]
    path = make(tmp_path, ["one", "two", "three"])
    cov = rule_coverage(load_framework(path))
    limit = cov.of_kind("limit")[0]
    assert limit.covered and limit.examples == ["three"] and limit.detail["held"] == 2
    # 'three' bands 2 (mid) before the limit lowers it: the mid row is hit, the high row never
    assert [i.id for i in cov.missed] == ["total: 4 or more"]


def test_a_published_rating_standing_in_covers_nothing(tmp_path):
    path = make(tmp_path, [])
    (tmp_path / "pub.yaml").write_text("published: {overall: mid}\n", encoding="utf-8")
    path.write_text(path.read_text() + "  - id: pub\n    evidence: pub.yaml\n    expect: {overall: {rating: mid}}\n")
    cov = rule_coverage(load_framework(path))
    assert cov.report.passed and cov.covered == 0
    assert cov.percent == 0


def test_a_tier_rule_is_counted_once_and_an_if_in_a_limit_is_a_branch_too(tmp_path):
    text = FRAMEWORK.replace('rule: "band(share(), pct)"', 'rule: "if share() >= 50 then band(share(), pct) else low"')
    text = text.replace('when: rating("b") == low', 'when: "if is_rated(\\"b\\") then rating(\\"b\\") == low else false"')
    path = make(tmp_path, ["one"], text)
    cov = rule_coverage(load_framework(path))
    assert cov.report.passed
    by = {(i.detail["rule"], i.detail["branch"]): i.covered for i in cov.of_kind("branch")}
    # a1 90% and a2 60%: both >= 50, so the tier rule's then, never its else; one pair for the tier, not one per node
    assert by[("the rule of tier question", "then")] and not by[("the rule of tier question", "else")]
    assert by[("the condition of limit b-low", "then")] and not by[("the condition of limit b-low", "else")]
    assert by[("the rule of a", "else")] and not by[("the rule of a", "then")]
    assert len(cov.of_kind("branch")) == 6
    # pct rows are hit from inside the then branch
    assert covered(cov, "band_row")["pct: 80% or more"]


def test_coverage_is_checked_against_the_engine(tmp_path, monkeypatch):
    """A tracer that disagrees with the engine is a bug, raised, never a coverage figure."""
    path = make(tmp_path, ["one"])
    fw = load_framework(path)
    monkeypatch.setattr(tracer_module.Tracer, "f_lowest", tracer_module.Tracer.f_highest)
    with pytest.raises(CoverageMismatch, match="the rule of a gives"):
        rule_coverage(fw)


def test_the_tracer_implements_every_built_in_the_engine_does():
    assert traced_functions() == implemented_functions()


def test_the_tracer_agrees_with_the_engine_on_random_inspections():
    """Every function and operator of the built-ins framework of test_engine, on random answers: rule_coverage
    checks each traced value against the engine's result, so any disagreement raises."""
    import test_engine

    fw = test_engine.load_framework_text(test_engine.FUNCS, "funcs.yaml")
    rng = random.Random(16)
    outcomes = []
    for n in range(150):
        cases = [{q: rng.choice(["yes", "no", "n/a"]) for q in test_engine.QUESTIONS} for _ in range(rng.randint(1, 5))]
        data = {"cases": [{"id": f"c{i}", "part": "all", "answers": a} for i, a in enumerate(cases)]}
        ev = evidence(data, f"random-{n}.json")
        outcomes.append(ExampleOutcome(Example(f"random-{n}", f"random-{n}.json", {}), evidence=ev,
                                       result=evaluate(fw, ev)))
    cov = rule_coverage(fw, ExamplesReport(fw, outcomes))
    assert all(i.covered for i in cov.of_kind("branch")), [i.id for i in cov.missed]


# -- the command line ---------------------------------------------------------------------------




def test_cli_coverage_lists_what_no_example_exercised_by_file_and_line(tmp_path, capsys):
    path = make(tmp_path, ["one"])
    code, out, err = run(capsys, "test", "--coverage", path)
    assert code == 0, out + err
    assert "1 passed, 0 failed" in out
    assert "covtest@1 (" in out and ": 64.2% (9 of 14)" in out
    then_line = line_of(path, "then low")
    assert f"{path}:{then_line}:12: not exercised: then branch of 'if count(children, low) >= 1' in the rule of a" in out
    assert f"{path}:{line_of(path, '- id: b-low')}:5: not exercised: limit b-low" in out
    assert "Total: 64.2% (9 of 14)" in out


def test_cli_fail_under(tmp_path, capsys):
    path = make(tmp_path, ["one"])
    code, out, err = run(capsys, "test", "--fail-under", "64", path)
    assert code == 0 and "Coverage of rules by examples" in out  # --fail-under implies --coverage
    code, out, err = run(capsys, "test", "--fail-under", "64.3", path)
    assert code == 1
    assert "bandstand: coverage of covtest@1 is 64.2%, below --fail-under 64.3%" in err
    path = make(tmp_path, ["one", "two", "three"])
    code, out, err = run(capsys, "test", "--fail-under", "100", path)
    assert code == 1 and "92.8% (13 of 14)" in out
    code, out, err = run(capsys, "test", "--fail-under", "nan", path)
    assert code == 2 and "not a number" in err


def test_cli_coverage_as_json(tmp_path, capsys):
    path = make(tmp_path, ["one", "two"])
    code, out, err = run(capsys, "test", "--coverage", "--format", "json", path)
    assert code == 0, err
    data = json.loads(out)
    assert (data["passed"], data["failed"]) == (2, 0)
    assert [e["id"] for e in data["frameworks"][0]["examples"]] == ["one", "two"]
    fw = data["coverage"]["frameworks"][0]
    assert fw["framework"] == "covtest@1" and fw["file"] == str(path)
    limit = fw["limits"]["items"][0]
    assert (limit["id"], limit["covered"], limit["held"], limit["evaluated"], limit["examples"]) == (
        "b-low", False, 1, 2, [])
    assert limit["line"] == line_of(path, "- id: b-low")
    rows = {i["id"]: i["examples"] for i in fw["band_rows"]["items"]}
    assert rows["total: 1 or less"] == ["two"] and rows["total: 2-3"] == ["one"]
    assert fw["branches"]["covered"] == 2 and (fw["nodes"]["covered"], fw["nodes"]["total"]) == (5, 5)
    assert data["coverage"]["covered"] == fw["covered"] == 12


def test_a_failing_example_still_fails_the_run_with_coverage(tmp_path, capsys):
    path = make(tmp_path, ["one"])
    path.write_text(path.read_text().replace("overall: {rating: mid}", "overall: {rating: high}"))
    code, out, err = run(capsys, "test", "--coverage", path)
    assert code == 1 and "FAIL covtest@1 one" in out and "Coverage of rules by examples" in out


def test_the_bundled_frameworks_are_fully_covered_by_their_examples(capsys):
    """Every bundled framework's examples rate every rated node, hit every band row, fire every limit and take
    every if branch (the examples added for this say whether they come from a report or were constructed)."""
    code, out, err = run(capsys, "test", "--fail-under", "100")
    assert code == 0, out + err
    entries = Catalogue().entries()
    assert sum(1 for e in entries if f"{e.id}@{e.version} (" in out) == len(entries)
    assert out.count(": 100.0% (") == len(entries) + 1 and "not exercised" not in out  # and the total
    assert "Total: 100.0% (" in out


def test_a_framework_version_page_shows_its_coverage(tmp_path):
    from bandstand.publish import framework_pages

    path = make(tmp_path, ["one"])
    overview = framework_pages(load_framework(path))[0].markdown
    assert "**Coverage of the rules by these examples: 64.2%** (9 of 14: nodes rated 5 of 5, band rows hit 3 of 6" \
        in overview
    then_line = line_of(path, "then low")
    assert f"the rule of a (<code>covtest.yaml&#58;{then_line}</code>)" in overview
    assert "- limit <code>b-low</code>" in overview
    assert str(tmp_path) not in overview  # where the site was built is nobody's business
