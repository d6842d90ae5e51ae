"""Outputs show what decided: a limited overall rating is marked in the batch summary, and a node rated
by a rule of its own (a domain with a rule, a mean of scores) gives its reason, in words, in every format.

The 2018 limiting rule (Bedfordshire report, Annexe 2): a service whose resettlement standard (4.1) is
Inadequate cannot be rated Outstanding overall, whatever its score; 31 of 36 is otherwise Outstanding.
"""

from __future__ import annotations

import json

import yaml

from test_cli import run
from test_margins_rerun import MEAN_YAML, thirty_of_36


def write(path, data: dict):
    path.write_text(json.dumps({"framework": "hmip-youth@2018", **data}), encoding="utf-8")
    return path


def test_the_batch_summary_marks_a_limited_overall_rating(capsys, tmp_path):
    held = write(tmp_path / "held.json", {**thirty_of_36(True, 31), "subject": "Held at Good"})
    free = write(tmp_path / "free.json", {**thirty_of_36(False, 31), "subject": "Outstanding"})
    code, out, _ = run(capsys, "evaluate", "hmip-youth@2018", held, free)
    assert code == 0
    head, first, second = out.splitlines()
    assert "LIMITED BY" in head
    assert first.startswith("Held at Good") and first.split()[-4:] == ["Good", "31/36", "resettlement-inadequate", "-"]
    assert second.startswith("Outstanding") and second.split()[-4:] == ["Outstanding", "31/36", "-", "-"]
    code, out, _ = run(capsys, "evaluate", "hmip-youth@2018", held, free, "--format", "markdown")
    assert out.splitlines()[0] == ("| Inspection | Evidence | Framework | Overall rating | Score | Limited by "
                                   "| Not rated |")
    assert "| Good | 31/36 | resettlement-inadequate |" in out.splitlines()[2]


def averages(tmp_path):
    fw = tmp_path / "averages.yaml"
    fw.write_text(MEAN_YAML, encoding="utf-8")
    ev = tmp_path / "evidence.yaml"
    judgements = {"a.1": "requires_improvement", "a.2": "requires_improvement", "a.3": "good",
                  "b.1": "good", "b.2": "good", "b.3": "outstanding"}
    ev.write_text(yaml.safe_dump({"subject": "Averages", "judgements": judgements}), encoding="utf-8")
    return fw, ev


WHY_A = "the mean score of its 3 key questions is 1.3333; rounds to 1.3, in the Adequate band (1-1.7)"
WHY_B = "the mean score of its 3 key questions is 2.3333; rounds to 2.3, in the Strong band (1.8-3)"


def test_a_mean_rated_by_its_own_rule_says_why_in_text(capsys, tmp_path):
    fw, ev = averages(tmp_path)
    code, out, _ = run(capsys, "evaluate", fw, ev)
    assert code == 0
    lines = [line.strip() for line in out.splitlines()]
    assert f"why: {WHY_A}" in lines and f"why: {WHY_B}" in lines
    assert ("up: Strong if its 3 key questions gain 2 levels between them; "
            "down: Weak if its 3 key questions lose 2 levels between them") in lines


def test_a_mean_rated_by_its_own_rule_says_why_in_json(capsys, tmp_path):
    fw, ev = averages(tmp_path)
    code, out, _ = run(capsys, "evaluate", fw, ev, "--format", "json")
    nodes = json.loads(out)["nodes"]
    assert (nodes["a"]["rating"], nodes["a"]["reason"]) == ("adequate", WHY_A)
    assert (nodes["b"]["rating"], nodes["b"]["reason"]) == ("strong", WHY_B)
    assert nodes["a"]["decided_by"] == ["a.1", "a.2", "a.3"]


def test_markdown_includes_rated_domains_with_why(capsys, tmp_path):
    fw, ev = averages(tmp_path)
    code, out, _ = run(capsys, "evaluate", fw, ev, "--format", "markdown")
    lines = out.splitlines()
    assert "## a Averaged: Adequate" in lines
    assert "The mean score of its 3 key questions is 1.3333; rounds to 1.3, in the Adequate band \\(1-1.7\\)." in lines
    assert "## b Averaged, written as a number: Strong" in lines
    assert any(line.startswith("Margin: up: Strong if its 3 key questions gain 2 levels") for line in lines)
    assert "| Key question | Rating | Why |" in lines
