"""bandstand diff: what changed between two framework versions."""

from __future__ import annotations

import json
import shutil

import pytest

from bandstand import Catalogue, load_framework
from bandstand.catalogue import bundled_dir
from bandstand.cli import main
from bandstand.diff import diff, to_json, to_markdown, to_text, word_diff


@pytest.fixture(scope="module")
def cat():
    return Catalogue()


def kinds(d):
    return [(c.kind, c.subject) for c in d.changes]


def test_the_2021_refresh_is_exactly_what_hmip_changed(cat):
    d = diff(cat.resolve("hmip-youth@2018-original"), cat.resolve("hmip-youth@2018"))
    assert sorted(kinds(d)) == sorted([
        ("node-added", "3.4.1"), ("node-added", "3.4.2"), ("node-added", "3.4.3"),  # 3.4's new key questions
        ("node-added", "4"),  # the resettlement domain, with 4.1 and its three questions
        ("node-wording", "3.4"), ("node-wording", "3.4"), ("node-wording", "3.4"),  # title, statement, guidance
        ("limit-added", "resettlement-inadequate"),
    ])
    added = next(c for c in d.changes if c.subject == "4")
    assert added.after == ["4", "4.1", "4.1.1", "4.1.2", "4.1.3"]
    title = next(c for c in d.changes if c.kind == "node-wording" and c.text == "3.4: title changed")
    assert title.words == [("delete", "Joint working"), ("insert", "Out-of-court disposal policy and provision")]
    # nothing about the 12 core standards' rules, bands or what counts toward the overall rating
    assert not [c for c in d.changes if c.kind.startswith(("band", "threshold", "counted", "overall", "tier"))]
    # identity is reported apart, and does not make them differ on its own
    assert {c.subject for c in d.identity} == {"version", "title", "status", "effective_from", "effective_to"}


def copy_pair(tmp_path, *replacements: tuple[str, str]):
    """hmip-youth@2018 as bundled, and a copy whose first-published base has the replacements."""
    moved = tmp_path / "moved"
    moved.mkdir()
    for folder in (tmp_path, moved):
        for name in ("hmip-youth-2018.yaml", "hmip-youth-2018-original.yaml"):
            shutil.copy(bundled_dir() / name, folder / name)
    path = moved / "hmip-youth-2018-original.yaml"
    text = path.read_text(encoding="utf-8")
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return load_framework(tmp_path / "hmip-youth-2018.yaml"), load_framework(moved / "hmip-youth-2018.yaml")


def test_a_copy_with_one_threshold_moved_names_that_threshold_and_nothing_else(tmp_path):
    # the Good band must end where Outstanding starts, or the table has a gap
    a, b = copy_pair(tmp_path, ("{level: outstanding, min: 80, max: 100,", "{level: outstanding, min: 85, max: 100,"),
                     ("{level: good, min: 65, max: 79,", "{level: good, min: 65, max: 84,"))
    d = diff(a, b)
    assert d.identity == []
    assert [(c.kind, c.subject, c.before, c.after) for c in d.changes] == [("threshold", "key_question", 80, 85)]
    assert "Outstanding from 80% -> 85%" in d.changes[0].text


def test_a_changed_question_is_shown_word_by_word(tmp_path):
    a, b = copy_pair(tmp_path, ("Are enforcement actions taken when appropriate?",
                                "Are enforcement actions taken when needed and recorded?"))
    d = diff(a, b)
    (c,) = d.changes
    assert (c.kind, c.subject) == ("node-wording", "2.3.1.h")
    assert c.words == [("equal", "Are enforcement actions taken when"), ("delete", "appropriate?"),
                       ("insert", "needed and recorded?")]
    assert "[-appropriate?-] {+needed and recorded?+}" in to_text(d)
    assert "<del>appropriate?</del> **needed and recorded?**" in to_markdown(d)


def test_diff_markdown_shows_removed_words_struck_through_in_plain_markdown(tmp_path):
    """``~~`` is an extension (GitHub's, pymdownx.tilde): plain Markdown renderers showed it as typed."""
    markdown = pytest.importorskip("markdown")  # Python-Markdown comes with the docs extra (MkDocs), not the core

    a, b = copy_pair(tmp_path, ("Are enforcement actions taken when appropriate?",
                                "Are enforcement actions taken when needed and recorded?"))
    html = markdown.markdown(to_markdown(diff(a, b)))
    assert "<del>appropriate?</del> <strong>needed and recorded?</strong>" in html and "~~" not in html


def test_a_changed_rule_is_shown_before_and_after(tmp_path):
    a, b = copy_pair(tmp_path, ("rule: band(sum_scores(counted), overall)",
                                "rule: 'min(band(sum_scores(counted), overall), good)'"))
    d = diff(a, b)
    (c,) = d.changes
    assert (c.kind, c.before, c.after) == ("overall-rule", "band(sum_scores(counted), overall)",
                                          "min(band(sum_scores(counted), overall), good)")


def test_a_renamed_node_is_matched_by_its_wording(tmp_path):
    a, b = copy_pair(tmp_path, ('id: "1.4.4"', 'id: "1.4.9"'))
    d = diff(a, b)
    assert kinds(d) == [("node-renamed", "1.4.9")]
    assert d.changes[0].before == "1.4.4"


def test_identical_versions_and_the_exit_codes(cat, capsys):
    assert diff(cat.resolve("hmip-youth@2018"), cat.resolve("hmip-youth@2018")).identical
    with pytest.raises(SystemExit) as e:
        main(["diff", "hmip-youth@2018", "hmip-youth@2018"])
    assert e.value.code == 0
    assert "no changes" in capsys.readouterr().out
    with pytest.raises(SystemExit) as e:
        main(["diff", "hmip-youth@2018-original", "hmip-youth@2018", "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    assert e.value.code == 1 and out["identical"] is False
    assert {c["kind"] for c in out["changes"]} >= {"node-added", "limit-added"}


def test_fji_versions(cat):
    d = diff(cat.resolve("hmip-youth-fji@2014"), cat.resolve("hmip-youth-fji@2016-court"))
    assert kinds(d) == [("node-removed", "interventions"), ("node-added", "court_work")]
    d = diff(cat.resolve("hmip-youth-fji@2012"), cat.resolve("hmip-youth-fji@2014"))
    assert ("level-removed", "stars") in kinds(d) and ("node-added", "interventions") in kinds(d)


def test_every_kind_of_change_is_shown_in_the_text(cat, tmp_path):
    d = diff(cat.resolve("hmip-youth-fji@2012"), cat.resolve("hmip-youth-fji@2016-court"))
    text = to_text(d)
    for c in d.changes:
        assert c.text in text
    assert json.loads(to_json(d))["changes"]


def test_word_diff_of_identical_text():
    assert word_diff("a b c", "a b c") == [("equal", "a b c")]
