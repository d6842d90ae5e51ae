"""Static checks of frameworks: every problem, located, with a clear message.

The data-driven cases are in ``cases/check_cases.yaml``: each applies text
replacements to ``cases/mini.yaml`` and lists the exact diagnostics the
result must give. The tests after them call each check function alone.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bandstand import load_framework, load_framework_text
from bandstand.catalogue import bundled_dir
from bandstand.dsl import checks
from bandstand.dsl.checks import (CHECKS, check_band_coverage, check_cycles, check_rated, check_scores,
                                  check_types, check_unused, run_checks)
from bandstand.errors import BandstandError, format as format_diagnostic, sort_key

CASES = Path(__file__).resolve().parent / "cases"
MINI = (CASES / "mini.yaml").read_text(encoding="utf-8")


def mutate(text: str, old: str, new: str) -> str:
    """Replace ``old``, which must occur exactly once, by ``new``."""
    count = text.count(old)
    assert count == 1, f"{old!r} occurs {count} times; a case must name text that occurs once"
    return text.replace(old, new)


def apply_case(case: dict) -> str:
    text = MINI
    replacements = case.get("replacements") or [{"old": case["old"], "new": case["new"]}]
    for r in replacements:
        text = mutate(text, r["old"], r["new"])
    return text


def diagnostics_of(text: str, name: str = "mini.yaml", **kwargs) -> list[str]:
    """Every diagnostic (errors and warnings) of loading ``text``, formatted, in position order."""
    try:
        fw = load_framework_text(text, name, **kwargs)
    except BandstandError as e:
        diags = e.diagnostics
    else:
        diags = fw.diagnostics
    return [format_diagnostic(d) for d in sorted(diags, key=sort_key)]


def load_unchecked(text: str):
    """The framework built from ``text`` with no static check run."""
    return load_framework_text(text, "mini.yaml", checks=())


def formatted(diags) -> list[str]:
    return [format_diagnostic(d) for d in sorted(diags, key=sort_key)]


def _cases():
    data = yaml.safe_load((CASES / "check_cases.yaml").read_text(encoding="utf-8"))
    params = []
    for case in data:
        marks = [pytest.mark.xfail(reason=case["xfail"], strict=True)] if case.get("xfail") else []
        params.append(pytest.param(case, id=case["id"], marks=marks))
    return params


CASE_PARAMS = _cases()


# -- the fixture itself -----------------------------------------------------------


def test_mini_loads_without_any_diagnostic():
    fw = load_framework_text(MINI, "mini.yaml")
    assert fw.ref == "mini@1"
    assert fw.diagnostics == []
    assert list(fw.nodes) == ["1", "1.1", "2", "2.1", "2.1.1", "2.1.1.a", "2.1.2", "overall"]
    assert [n.id for n in fw.counted] == ["1.1", "2.1"]
    assert fw.nodes["2.1.1"].part.id == "court"  # inherited from domain 2
    assert not fw.nodes["2.1.1.a"].rated and not fw.nodes["1"].rated
    assert fw.nodes["2.1"].rule_from_tier and fw.nodes["2.1"].rule.text == "lowest(children)"
    assert fw.nodes["1.1"].is_judged and fw.nodes["1.1"].rule is None
    assert [lim.id for lim in fw.limits] == ["leadership"]


def test_case_file_is_well_formed():
    ids = [p.values[0]["id"] for p in CASE_PARAMS]
    assert len(ids) == len(set(ids)), "case ids must be unique"
    for p in CASE_PARAMS:
        case = p.values[0]
        assert set(case) <= {"id", "old", "new", "replacements", "expect", "xfail"}, case["id"]
        assert isinstance(case["expect"], list), case["id"]
        apply_case(case)  # every replacement names text that occurs exactly once


# -- the data-driven cases ----------------------------------------------------------


@pytest.mark.parametrize("case", CASE_PARAMS)
def test_check_case(case):
    assert diagnostics_of(apply_case(case)) == case["expect"]


def test_diagnostics_name_the_file_they_were_given():
    text = mutate(MINI, "rule: lowest(children)", "rule: lowset(children)")
    assert diagnostics_of(text, "frameworks/other.yaml") == [
        "frameworks/other.yaml:41:11: error: unknown function 'lowset' (did you mean 'lowest'?) "
        "[check.unknown-function]"]


def test_every_problem_is_reported_at_once():
    text = mutate(MINI, "rule: lowest(children)", "rule: lowset(children)")
    text = mutate(text, 'when: rating("1.1") == inadequate', 'when: rating("1.9") == inadequate')
    text = mutate(text, "{level: requires_improvement, min: 50, max: 64}",
                  "{level: requires_improvement, min: 52, max: 64}")
    got = diagnostics_of(text)
    assert [line.rsplit("[", 1)[1] for line in got] == [
        "check.band-gap]", "check.unknown-function]", "check.unknown-node]"]


# -- wording that misleads (the cases above pin the locations) -------------------------


def _block_rule(last_line: str) -> str:
    return mutate(MINI, "rule: lowest(children)\n",
                  "rule: |\n      if count(children, inadequate) >= 2\n      then inadequate\n"
                  f"      {last_line}\n")


def test_syntax_error_in_a_block_scalar_is_located_at_the_offending_word():
    got = diagnostics_of(_block_rule("els lowest(children)"))
    assert len(got) == 1
    assert got[0].startswith("mini.yaml:44:7: error: unexpected 'els'; ")
    assert got[0].endswith("[syntax.expression]")


def test_syntax_error_message_names_what_can_follow():
    (line,) = diagnostics_of(_block_rule("els lowest(children)"))
    message = line.split(": error: ", 1)[1]
    assert "'else'" in message
    assert "')'" not in message and "','" not in message


def test_syntax_error_at_top_level_does_not_suggest_a_closing_parenthesis():
    (line,) = diagnostics_of(mutate(MINI, "rule: lowest(children)", "rule: lowest(children) good"))
    assert line.startswith("mini.yaml:41:28: error: unexpected 'good'")
    assert "')'" not in line and "','" not in line


def test_error_in_a_tier_rule_names_the_node_it_fails_for():
    text = mutate(MINI, "        title: Leadership\n        judged: true\n", "        title: Leadership\n")
    with pytest.raises(BandstandError) as info:
        load_framework_text(text, "mini.yaml")
    (d,) = info.value.diagnostics
    assert d.code == "check.unrated"
    assert d.line == 56 or "1.1" in d.message


def test_a_rule_on_a_node_of_an_unrated_tier_makes_it_rated():
    """A prompt's tier is not rated, but a prompt given its own rule is: the rule says so."""
    text = mutate(MINI, "question: Is offending behaviour analysed?",
                  "question: Is offending behaviour analysed?\n                rule: good")
    fw = load_framework_text(text, "mini.yaml")
    assert fw.nodes["2.1.1.a"].rated and fw.diagnostics == []


def test_limit_reading_its_own_node_is_reported_at_the_limit():
    text = mutate(MINI, 'when: rating("1.1") == inadequate', 'when: rating("overall") == inadequate')
    with pytest.raises(BandstandError) as info:
        load_framework_text(text, "mini.yaml")
    (d,) = info.value.diagnostics
    assert d.line == 79
    assert "the rule of overall depends" not in d.message


# -- each check alone -----------------------------------------------------------------


def test_checks_run_in_the_documented_order():
    assert CHECKS == (check_types, check_rated, check_cycles, check_band_coverage, check_scores, check_unused)


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_each_check_passes_the_clean_fixture(check):
    assert check(load_unchecked(MINI)) == []


def test_check_types_alone():
    text = mutate(MINI, "rule: lowest(children)", "rule: lowset(children)")
    text = mutate(text, 'when: rating("1.1") == inadequate', 'when: rating("1.1") == 0')
    fw = load_unchecked(text)  # loads: no check has run
    assert fw.diagnostics == []
    assert formatted(check_types(fw)) == [
        "mini.yaml:41:11: error: unknown function 'lowset' (did you mean 'lowest'?) [check.unknown-function]",
        "mini.yaml:79:11: error: cannot compare a rating with a number ('rating(\"1.1\") == 0'); "
        "use score(...) to compare a rating's score [check.type]",
    ]
    # the other checks do not report what check_types does
    assert check_rated(fw) == [] and check_cycles(fw) == [] and check_unused(fw) == []


def test_check_rated_alone():
    text = mutate(MINI, "question: Is offending behaviour analysed?",
                  "question: Is offending behaviour analysed?\n                rated: true")
    fw = load_unchecked(text)
    assert formatted(check_rated(fw)) == [
        "mini.yaml:69:17: error: Prompt '2.1.1.a' has no way to be rated: give it a rule or judged: true, "
        "a rule to its tier 'prompt', or rated: false [check.unrated]"]
    assert check_types(fw) == [] and check_cycles(fw) == []


def test_check_cycles_alone():
    text = mutate(MINI, "question: Does assessment keep the child safe?",
                  "question: Does assessment keep the child safe?\n            rule: rating(\"2.1\")")
    fw = load_unchecked(text)
    assert formatted(check_cycles(fw)) == [
        "mini.yaml:41:11: error: rules depend on each other in a cycle: 2.1 -> 2.1.2 -> 2.1 [check.cycle]"]
    assert check_types(fw) == [] and check_rated(fw) == []


def test_find_cycles_on_a_graph():
    graph = {"a": ["b"], "b": ["c"], "c": ["a"], "d": ["d"], "e": ["a"], "f": []}
    cycles = checks.find_cycles(graph)
    assert sorted(sorted(c) for c in cycles) == [["a", "b", "c"], ["d"]]


def test_check_band_coverage_alone():
    text = mutate(MINI, "{level: good, min: 4, max: 5}", "{level: good, min: 4, max: 4}")
    text = mutate(text, "{level: good, min: 65, max: 79}", "{level: good, min: 60, max: 79}")
    fw = load_unchecked(text)
    assert formatted(check_band_coverage(fw)) == [
        "mini.yaml:25:9: error: band table 'key_question': bands 'requires_improvement' and 'good' overlap on "
        "60% to 64% [check.band-overlap]",
        "mini.yaml:34:9: error: band table 'overall': 5 falls in no band (the table must cover 0 to 6 exactly "
        "once) [check.band-gap]",
    ]
    assert check_types(fw) == [] and check_unused(fw) == []


def test_check_band_coverage_skips_rules_that_do_not_type_check():
    # the only use of key_question no longer type-checks: its domain is unknown,
    # so the gap at 50-51 cannot be claimed (check_types reports the rule)
    text = mutate(MINI, "rule: band(share(), key_question)", "rule: band(share() + nonsense, key_question)")
    text = mutate(text, "{level: requires_improvement, min: 50, max: 64}",
                  "{level: requires_improvement, min: 52, max: 64}")
    fw = load_unchecked(text)
    assert check_band_coverage(fw) == []
    assert formatted(check_types(fw)) == [
        "mini.yaml:45:26: error: unknown name 'nonsense' [check.unknown-name]"]


def test_check_band_coverage_uses_a_declared_domain():
    text = mutate(MINI, "rounding: {places: 0, mode: half_up}",
                  "rounding: {places: 0, mode: half_up}\n    domain: {min: 0, max: 120}")
    fw = load_unchecked(text)
    assert formatted(check_band_coverage(fw)) == [
        "mini.yaml:27:9: error: band table 'key_question': 101% to 120% falls in no band (the table must cover "
        "0% to 120% exactly once) [check.band-gap]"]


def test_check_band_coverage_grid_follows_the_rounding_places():
    text = mutate(MINI, "rounding: {places: 0, mode: half_up}", "rounding: {places: 1, mode: half_up}")
    got = formatted(check_band_coverage(load_unchecked(text)))
    assert got == [
        f"mini.yaml:{line}:9: error: band table 'key_question': {lo}% to {hi}% falls in no band "
        "(the table must cover 0% to 100% exactly once) [check.band-gap]"
        for line, lo, hi in ((24, "49.1", "49.9"), (25, "64.1", "64.9"), (26, "79.1", "79.9"))]


@pytest.mark.parametrize("scored", ["sum_scores(counted)", "mean_score(counted)", 'score("2.1")',
                                    "score(lowest(counted))", "score(good)"])
def test_check_scores_finds_a_level_without_a_score_that_a_rule_reads(scored):
    text = mutate(MINI, "{id: good, label: Good, score: 2}", "{id: good, label: Good}")
    text = mutate(text, "rule: band(sum_scores(counted), overall)", f"rule: if {scored} >= 2 then good else inadequate")
    fw = load_unchecked(text)
    assert formatted(check_scores(fw)) == [
        f"mini.yaml:15:9: error: level 'good' of scale 'rating' has no score, but the rule of overall reads its "
        f"score ({scored}); give it a score [check.no-score]"]
    with pytest.raises(BandstandError) as info:  # validate and evaluate refuse it, not "not rated" at run time
        load_framework_text(text, "mini.yaml")
    assert [d.code for d in info.value.errors] == ["check.no-score"]


@pytest.mark.parametrize("rule", ["band(score(lowest(counted)) * 12, overall)",
                                  'band(sum_scores(counted) / (score(rating("1.1")) + 1), overall)'])
def test_band_coverage_of_a_score_worked_out_from_a_rating(rule):
    """The score of a rating worked out (not named) ranges over its scale's scores; an unbounded one is
    described in words. Both crashed the coverage check (OverflowError) before."""
    lines = diagnostics_of(mutate(MINI, "rule: band(sum_scores(counted), overall)", f"rule: {rule}"))
    assert lines and all(line.endswith("[check.band-gap]") for line in lines)
    if "* 12" in rule:  # scores 0 to 3, times 12: 0 to 36, of which the table covers 0 to 6
        assert lines == ["mini.yaml:34:9: error: band table 'overall': 7 to 36 falls in no band (the table must "
                         "cover 0 to 36 exactly once) [check.band-gap]"]


def test_check_scores_leaves_a_scale_no_rule_scores_alone():
    text = mutate(MINI, "{id: good, label: Good, score: 2}", "{id: good, label: Good}")
    text = mutate(text, "rule: band(sum_scores(counted), overall)", "rule: lowest(counted)")
    assert check_scores(load_unchecked(text)) == []


def test_check_unused_alone():
    text = mutate(MINI, "tiers:\n", "  - id: spare\n    scale: rating\n    bands:\n"
                                    "      - {level: inadequate, below: 50}\n      - {level: outstanding, min: 50}\n"
                                    "tiers:\n")
    text = mutate(text, "{id: outstanding, label: Outstanding, score: 3}\n",
                  "{id: outstanding, label: Outstanding, score: 3}\n  - id: verdict\n    label: Verdict\n"
                  "    levels:\n      - {id: met, label: Met}\n      - {id: not_met, label: Not met}\n")
    fw = load_unchecked(text)
    got = formatted(check_unused(fw))
    assert got == [
        "mini.yaml:20:9: warning: level 'met' of scale 'verdict' is given by no band, judgement or rule "
        "[check.unused-level]",
        "mini.yaml:21:9: warning: level 'not_met' of scale 'verdict' is given by no band, judgement or rule "
        "[check.unused-level]",
        "mini.yaml:40:5: warning: band table 'spare' is not used by any rule [check.unused-band]",
    ]
    assert all(d.severity == "warning" for d in check_unused(fw))


def test_run_checks_concatenates_in_order():
    text = mutate(MINI, "rule: lowest(children)", "rule: lowset(children)")
    text = mutate(text, "tiers:\n", "  - id: spare\n    scale: rating\n    bands:\n"
                                    "      - {level: inadequate, below: 50}\n      - {level: outstanding, min: 50}\n"
                                    "tiers:\n")
    fw = load_unchecked(text)
    codes = [d.code for d in run_checks(fw)]
    assert codes == ["check.unknown-function", "check.unused-band"]
    assert [d.code for d in run_checks(fw, [check_unused])] == ["check.unused-band"]


def test_warnings_alone_do_not_stop_loading():
    text = mutate(MINI, "tiers:\n", "  - id: spare\n    scale: rating\n    bands:\n"
                                    "      - {level: inadequate, below: 50}\n      - {level: outstanding, min: 50}\n"
                                    "tiers:\n")
    fw = load_framework_text(text, "mini.yaml")
    assert [d.code for d in fw.diagnostics] == ["check.unused-band"]
    assert not any(d.is_error for d in fw.diagnostics)


# -- the bundled framework --------------------------------------------------------------


def test_bundled_framework_loads_with_no_diagnostics_at_all():
    path = bundled_dir() / "hmip-youth-2018.yaml"
    fw = load_framework(path)
    assert fw.ref == "hmip-youth@2018"
    assert fw.diagnostics == []
    assert run_checks(fw) == []
    for check in CHECKS:
        assert check(fw) == [], check.__name__
    assert len(fw.counted) == 12  # the 12 core standards; 4.1 is rated separately
    assert "4.1" not in [n.id for n in fw.counted]


@pytest.mark.parametrize("name", ["hmip-youth-2018-original.yaml", "hmip-youth-2018.yaml"])
def test_bundled_frameworks_load_with_no_diagnostics(name):
    assert load_framework(bundled_dir() / name).diagnostics == []
