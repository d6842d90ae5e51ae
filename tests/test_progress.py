"""Improvement plans rated from progress: status(), due(), evaluated_on() (frameworks/bucks-yos-plan-2023.yaml).

Expectations come from the source documents, never from bandstand's output:

- Bromley's report to its Education PDS Committee, 24 November 2015 (seed 003), 3.1.2: "Green shows the action
  is completed, amber means it is in progress, red shows an action has slipped and white indicates the work is
  not planned to start";
- Buckinghamshire's one-year-on report, 25 January 2024 (seed 000): each recommendation's work, "scheduled for
  January 2024", "a re-audit in February 2024", "interviews were due to take place in December 2023", ...

"Slipped" is computed: not completed, and its due day passed on the day the plan is evaluated on.
"""

from __future__ import annotations

import json
import re

import pytest

from bandstand import Catalogue, evaluate, load_framework_text
from bandstand.catalogue import bundled_dir
from bandstand.errors import BandstandError
from helpers import evidence, run

PLAN = bundled_dir() / "bucks-yos-plan-2023.yaml"
EXAMPLES = bundled_dir() / "examples" / "bucks-yos-plan"
ONE_YEAR_ON = EXAMPLES / "one-year-on-2024.yaml"
ACTIONS = ("1a", "1b", "2a", "2b", "2c", "2d", "3a", "3b", "3c", "4a", "5a", "5b", "6a", "6b", "6c", "7a")


@pytest.fixture(scope="module")
def plan():
    return Catalogue().resolve("bucks-yos-plan@2023")




def progress(**entries) -> dict:
    """Every action completed (no due day set), except the entries given."""
    out = {a: {"status": "completed", "due": None} for a in ACTIONS}
    out.update(entries)
    return out


def rated(result, node_id):
    r = result.overall if node_id == "overall" else result.nodes[node_id]
    return r.level.id if r.level is not None else None


# -- the colours of one action, from Bromley's definitions --------------------------------------------------


@pytest.mark.parametrize("status, due, on, colour", [
    ("completed", "2015-09-30", "2015-11-24", "green"),  # "Green shows the action is completed" (even late)
    ("in_progress", "2015-09-30", "2015-11-24", "red"),  # "red shows an action has slipped": due, not done
    ("not_started", "2015-09-30", "2015-11-24", "red"),  # not started and past due: slipped as well
    ("in_progress", "2016-02-14", "2015-11-24", "amber"),  # "amber means it is in progress"
    ("not_started", "2015-12-31", "2015-11-24", "white"),  # "white indicates the work is not planned to start"
    ("in_progress", "2015-11-24", "2015-11-24", "amber"),  # due that very day: not yet slipped
    ("in_progress", "2015-11", "2015-11-30", "amber"),  # due in November: by its last day
    ("in_progress", "2015-11", "2015-12-01", "red"),
])
def test_an_actions_colour_follows_from_its_status_its_due_day_and_the_day_evaluated_on(plan, status, due, on,
                                                                                          colour):
    ev = evidence({"subject": "a plan", "date": on, "progress": progress(**{"6a": {"status": status, "due": due}})})
    result = evaluate(plan, ev)
    assert rated(result, "6a") == colour
    # a recommendation, and the plan, are red when any action has slipped
    assert rated(result, "6") == ("red" if colour == "red" else "amber" if colour in ("amber", "white") else "green")
    assert rated(result, "overall") == rated(result, "6")


def test_the_reason_says_when_it_was_due_and_the_day_it_was_evaluated_on(plan):
    result = evaluate(plan, evidence({"subject": "a plan", "date": "2015-11-24", "progress": progress(
        **{"6a": {"status": "in_progress", "due": "2015-09-30", "note": "recruitment reopened"}})}))
    assert result.nodes["6a"].reason == ("status In progress: recruitment reopened; "
                                         "due 2015-09-30, past on 2015-11-24")
    assert result.nodes["6"].reason == "the lowest rating of its actions: 6a is Red"
    assert result.overall.reason == "the lowest rating of its recommendations: 6 is Red"


def test_the_one_year_on_report_on_its_own_date(plan):
    """Buckinghamshire, 25 January 2024: the audits of January and February 2024 are in progress and not yet
    due (amber); the recruitment whose interviews were due in December 2023 is not done (red); the rest "has
    been" done (green)."""
    from bandstand import load_evidence

    result = evaluate(plan, load_evidence(ONE_YEAR_ON))
    got = {n: rated(result, n) for n in ("1", "2", "3", "4", "5", "6", "7", "overall")}
    assert got == {"1": "amber", "2": "amber", "3": "green", "4": "green", "5": "green", "6": "red", "7": "green",
                   "overall": "red"}
    assert "due 2024-01-31, still ahead on 2024-01-25" in result.nodes["1b"].reason
    assert "due 2023-12-31, past on 2024-01-25" in result.nodes["6a"].reason
    # ongoing work with no due day set is not rated, saying why: never read as on time
    assert result.nodes["6c"].level is None
    assert "no due day is set for 6c" in result.nodes["6c"].reason


def test_on_another_day_the_same_plan_moves(plan):
    """The same record on 30 November 2023: the recruitment (interviews due in December) had not yet slipped;
    on 1 February 2024 the January audit had."""
    from bandstand import load_evidence

    ev = load_evidence(ONE_YEAR_ON)
    before = evaluate(plan, ev, on="2023-11-30")
    assert (rated(before, "6a"), rated(before, "overall")) == ("amber", "amber")
    after = evaluate(plan, ev, on="2024-02-01")
    assert (rated(after, "1b"), rated(after, "2a"), rated(after, "overall")) == ("red", "amber", "red")
    assert ev.date == "2024-01-25"  # nothing the user gave is changed


# -- what the evidence must give: never a default --------------------------------------------------------


def test_evidence_without_a_date_and_no_day_asked_is_an_error_not_today(plan):
    ev = evidence({"subject": "a plan", "progress": progress()})
    with pytest.raises(BandstandError) as info:
        evaluate(plan, ev)
    (d,) = info.value.diagnostics
    assert d.code == "evidence.no-date" and "evaluated_on()" in d.message and "--on" in d.message
    assert rated(evaluate(plan, ev, on="2024-01-25"), "overall") == "green"  # the day asked for serves


def test_an_evidence_date_that_is_a_month_is_not_a_day_to_evaluate_on(plan):
    with pytest.raises(BandstandError, match="the evidence's date '2024-01' is not a day"):
        evaluate(plan, evidence({"subject": "a plan", "date": "2024-01", "progress": progress()}))


def test_a_missing_progress_entry_is_an_error_unless_declared_left_out(plan):
    entries = progress()
    del entries["6a"]
    with pytest.raises(BandstandError, match=r"no progress for 6a: its rule reads status\(\) or due\(\)"):
        evaluate(plan, evidence({"subject": "a plan", "date": "2024-01-25", "progress": entries}))
    result = evaluate(plan, evidence({"subject": "a plan", "date": "2024-01-25", "progress": entries,
                                      "partial": ["6a"]}))
    assert result.nodes["6a"].level is None and result.left_out == ["6a"]
    assert "from partial evidence: no evidence for 6a" in result.overall.reason


def test_a_missing_due_day_is_an_error_and_null_says_none_is_set(plan):
    with pytest.raises(BandstandError, match="gives no due day"):
        evaluate(plan, evidence({"subject": "a plan", "date": "2024-01-25",
                                 "progress": progress(**{"6a": {"status": "in_progress"}})}))


def test_a_status_not_on_the_status_scale_is_refused_with_a_suggestion(plan):
    with pytest.raises(BandstandError) as info:
        evaluate(plan, evidence({"subject": "a plan", "date": "2024-01-25",
                                 "progress": progress(**{"6a": {"status": "in progres", "due": "2024-03"}})}))
    (d,) = info.value.diagnostics
    assert d.code == "evidence.level" and "did you mean 'in_progress'" in d.message


def test_status_labels_are_read_as_written_in_a_plan(plan):
    result = evaluate(plan, evidence({"subject": "a plan", "date": "2024-01-25",
                                      "progress": progress(**{"6a": {"status": "In progress", "due": "2024-03"}})}))
    assert rated(result, "6a") == "amber"


def test_progress_for_a_node_that_is_not_an_action_is_refused(plan):
    with pytest.raises(BandstandError) as info:
        extra = {"6": {"status": "completed"}, "6z": {"status": "completed"}}
        evaluate(plan, evidence({"subject": "a plan", "date": "2024-01-25", "progress": progress(**extra)}))
    messages = [d.message for d in info.value.diagnostics]
    assert any("'6' (6 Reparation) is not rated on its progress" in m for m in messages)
    assert any("progress for '6z', which is not a node of bucks-yos-plan@2023" in m for m in messages)


@pytest.mark.parametrize("due, expected", [
    ("2015-02-30", "due '2015-02-30' is not a date of the calendar; expected YYYY-MM-DD or YYYY-MM"),
    ("next March", "expected a date written YYYY-MM-DD or YYYY-MM"),
])
def test_a_due_day_that_is_not_a_date_is_one_located_error(capsys, tmp_path, due, expected):
    text = ONE_YEAR_ON.read_text(encoding="utf-8").replace('"6a": {status: in_progress, due: 2023-12,',
                                                          f'"6a": {{status: in_progress, due: \'{due}\',')
    assert f"due: '{due}'" in text
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t.startswith('  "6a":'))
    code, out, err = run(capsys, "evaluate", "bucks-yos-plan@2023", path)
    assert code == 2 and out == ""
    (first,) = [e for e in err.splitlines() if "error" in e]
    assert re.match(rf"{re.escape(str(path))}:{line}:\d+: error: .*{re.escape(expected)}", first), err


# -- the rule language: checked before it runs ----------------------------------------------------------


FRAMEWORK = """\
bandstand: 1
id: p
version: "1"
title: P
status: draft
scales:
  - id: rag
    levels: [{{id: red, label: Red}}, {{id: green, label: Green}}]
  - id: st
    levels: [{{id: open, label: Open}}, {{id: done, label: Done}}]
tiers:
  - {{id: action, label: Action{status}}}
nodes:
  - id: a
    rule: '{rule}'
"""


@pytest.mark.parametrize("rule, status, message", [
    ("if status() == done then green else red", "", "status() is only for nodes whose node or tier names a "
                                                    "status_scale; a has none"),
    ("if due() < 3 then red else green", ", status_scale: st", "cannot compare a date with a number"),
    ("if due() + 1 > evaluated_on() then red else green", ", status_scale: st", "'+' needs a number, but 'due()' "
                                                                                 "is a date"),
    ("if status() == red then red else green", ", status_scale: st", "cannot compare ratings of different scales"),
])
def test_the_new_functions_are_typed_before_any_evidence(rule, status, message):
    with pytest.raises(BandstandError) as info:
        load_framework_text(FRAMEWORK.format(rule=rule, status=status), "p.yaml")
    assert any(message in d.message and d.line == 15 for d in info.value.diagnostics), info.value.diagnostics


def test_dates_compare_in_every_way():
    fw = load_framework_text(FRAMEWORK.format(
        rule="if due() <= evaluated_on() and not (due() == evaluated_on()) then red else green",
        status=", status_scale: st"), "p.yaml")
    ev = lambda due: evidence({"date": "2020-06-15", "progress": {"a": {"status": "open", "due": due}}})  # noqa: E731
    assert [rated(evaluate(fw, ev(d)), "a") for d in ("2020-06-14", "2020-06-15", "2020-06-16")] == \
        ["red", "green", "green"]


def test_the_rules_read_in_plain_english(plan):
    from bandstand.describe import describe_rule

    assert describe_rule(plan.nodes["6a"], plan) == (
        "if its status is Completed, Green; otherwise if its due day is before the day the evidence is evaluated "
        "on, Red; otherwise if its status is In progress, Amber; otherwise White")


# -- the command line: text, JSON, Markdown, --on, compare -----------------------------------------------


def test_evaluate_on_a_day_from_the_command_line(capsys):
    code, out, err = run(capsys, "evaluate", "bucks-yos-plan@2023", ONE_YEAR_ON)
    assert code == 0 and "Overall rating: Red" in out
    assert "why: status In progress: \"This post has been difficult" in out
    assert "due 2023-12-31, past on 2024-01-25" in out
    code, out, err = run(capsys, "evaluate", "bucks-yos-plan@2023", ONE_YEAR_ON, "--on", "2023-11-30")
    assert code == 0 and "Overall rating: Amber" in out and "due 2023-12-31, still ahead on 2023-11-30" in out


def test_evaluate_as_json_and_markdown_carry_the_reasons(capsys):
    code, out, _ = run(capsys, "evaluate", "bucks-yos-plan@2023", ONE_YEAR_ON, "--format", "json")
    doc = json.loads(out)
    assert code == 0 and doc["overall"]["rating"] == "red"
    assert (doc["nodes"]["6a"]["rating"], doc["nodes"]["6c"]["rating"]) == ("red", None)
    assert "due 2023-12-31, past on 2024-01-25" in doc["nodes"]["6a"]["reason"]
    code, out, _ = run(capsys, "evaluate", "bucks-yos-plan@2023", ONE_YEAR_ON, "--format", "markdown")
    assert code == 0 and "due 2023-12-31, past on 2024-01-25" in out


def test_evaluate_without_any_date_exits_2_with_one_line(capsys, tmp_path):
    text = ONE_YEAR_ON.read_text(encoding="utf-8").replace("date: 2024-01-25\n", "")
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    code, out, err = run(capsys, "evaluate", "bucks-yos-plan@2023", path)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "evidence has no date" in err and "--on YYYY-MM-DD" in err


def test_compare_two_days_of_one_plan_shows_what_moved(capsys):
    code, out, _ = run(capsys, "compare", "bucks-yos-plan@2023", "bucks-yos-plan@2023", ONE_YEAR_ON,
                       "--on", "2023-11-30", "--changes-only")
    assert code == 0
    rows = [line.split() for line in out.splitlines()[2:]]
    assert rows == [["overall", "Amber", "Red", "lower"], ["6", "Amber", "Red", "lower"],
                    ["6a", "Amber", "Red", "lower"]]
    assert "bucks-yos-plan@2023 on 2023-11-30 -> bucks-yos-plan@2023 on 2024-01-25" in out


def test_compare_two_records_of_one_plan(capsys):
    code, out, _ = run(capsys, "compare", "bucks-yos-plan@2023", "bucks-yos-plan@2023",
                       EXAMPLES / "constructed-early-2023.yaml", "--second-evidence", ONE_YEAR_ON, "--format", "json")
    doc = json.loads(out)
    assert code == 0 and doc["labels"] == ["bucks-yos-plan@2023 on 2023-03-01", "bucks-yos-plan@2023 on 2024-01-25"]
    moved = {r["node"]: (r["first"], r["second"]) for r in doc["rows"] if r["verdict"] != "same"}
    assert moved["1"] == ("white", "amber") and moved["6"] == ("green", "red") and moved["3"] == ("white", "green")


def test_compare_dates_of_several_inspections_is_a_usage_error(capsys):
    code, _, err = run(capsys, "compare", "bucks-yos-plan@2023", "bucks-yos-plan@2023", ONE_YEAR_ON,
                       EXAMPLES / "constructed-some-done.yaml", "--on", "2023-11-30")
    assert code == 2 and "compare one inspection" in err


def test_the_yaml_template_asks_for_each_actions_progress_and_fills_to_the_published_colours(capsys, tmp_path):
    """The template of a plan lists every action the rules read with its statuses; left as written it is
    refused (a blank status, a due-day placeholder), never read as a default; filled from the one-year-on
    report it gives the report's colours."""
    code, out, err = run(capsys, "template", "bucks-yos-plan@2023", "--format", "yaml")
    assert code == 0, err
    assert "progress:" in out and all(f'  "{a}":' in out for a in ACTIONS)
    assert "status: not_started | in_progress | completed" in out
    blank = tmp_path / "blank.yaml"
    blank.write_text(out, encoding="utf-8")
    code, _, err = run(capsys, "evaluate", "bucks-yos-plan@2023", blank, "--on", "2024-01-25")
    assert code == 2 and "got 'YYYY-MM-DD'" in err and "got nothing" in err
    import yaml

    given = yaml.safe_load(ONE_YEAR_ON.read_text(encoding="utf-8"))
    filled = out.replace("subject:  ", f"subject: {json.dumps(given['subject'])}  ").replace("date:  ", "date: 2024-01-25  ")
    for action, p in given["progress"].items():
        due = "null" if p["due"] is None else p["due"]
        filled = filled.replace(f'  "{action}":\n    status:\n    due: YYYY-MM-DD\n',
                                f'  "{action}":\n    status: {p["status"]}\n    due: {due}\n')
    assert "YYYY-MM-DD\n    #" not in filled
    (tmp_path / "filled.yaml").write_text(filled, encoding="utf-8")
    code, out, err = run(capsys, "evaluate", "bucks-yos-plan@2023", tmp_path / "filled.yaml", "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["overall"]["rating"] == "red"  # 6a slipped: due December 2023, not done on 25 January 2024


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_spreadsheet_template_of_a_plan_is_refused_saying_why(capsys, tmp_path, fmt):
    code, out, err = run(capsys, "template", "bucks-yos-plan@2023", "--format", fmt, "-o", tmp_path / f"t.{fmt}")
    assert code == 2 and err.count("\n") == 1 and "use --format yaml" in err
    assert not (tmp_path / f"t.{fmt}").exists()


def test_the_day_asked_for_is_used_when_problems_of_form_are_reported_with_those_of_meaning(capsys, tmp_path):
    """A blank date beside another problem: with --on given, no error says the evidence lacks a day."""
    text = ONE_YEAR_ON.read_text(encoding="utf-8").replace("date: 2024-01-25", "date:")
    text = text.replace("source: Buckinghamshire Council", "source:\nnotes: Buckinghamshire Council", 1)
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("subject: Buckinghamshire YOS improvement plan", "subject:"), encoding="utf-8")
    code, _, err = run(capsys, "evaluate", "bucks-yos-plan@2023", bad, "--on", "2024-01-25")
    assert code == 2 and "got nothing" in err
    assert "evidence.no-date" not in err
    code, _, err = run(capsys, "evaluate", "bucks-yos-plan@2023", bad)
    assert code == 2 and "evidence.no-date" in err
