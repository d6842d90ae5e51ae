"""`bandstand test`: examples kept with a framework, run and checked."""

from __future__ import annotations

import shutil

from bandstand import load_framework, run_examples
from bandstand.catalogue import bundled_dir


def test_bundled_examples_pass(hmip):
    report = run_examples(hmip)
    assert [o.example.id for o in report.outcomes] == [
        "bedfordshire-2021-published", "bedfordshire-2021-cases", "bedfordshire-2021-csv",
        "constructed-resettlement-limit", "constructed-good-19", "constructed-inadequate-6"]
    assert report.passed, [(o.example.id, o.failures, o.errors) for o in report.outcomes]
    assert all(o.checked >= 30 for o in report.outcomes[:3])


def copy_framework(tmp_path, *replacements: tuple[str, str]):
    """A copy of hmip-youth@2018 and the version it extends, with each text replaced in the file holding it."""
    texts = {name: (bundled_dir() / name).read_text(encoding="utf-8")
             for name in ("hmip-youth-2018.yaml", "hmip-youth-2018-original.yaml")}
    for old, new in replacements:
        holders = [name for name, text in texts.items() if text.count(old) == 1]
        assert len(holders) == 1, old
        texts[holders[0]] = texts[holders[0]].replace(old, new)
    for name, text in texts.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    shutil.copytree(bundled_dir() / "examples", tmp_path / "examples")
    return load_framework(tmp_path / "hmip-youth-2018.yaml")


def test_a_wrong_expectation_fails_with_what_was_got(tmp_path):
    fw = copy_framework(tmp_path, ('expect: &bedfordshire\n      overall: {rating: requires_improvement, score: 14}',
                                   'expect: &bedfordshire\n      overall: {rating: good, score: 14}'))
    report = run_examples(fw)
    assert not report.passed
    assert all("overall: expected good, got requires_improvement" in o.failures for o in report.outcomes
               if o.example.id.startswith("bedfordshire"))


def test_a_changed_threshold_changes_the_result(tmp_path):
    # Good from 70% instead of 65%: Bedfordshire's 3.3.3 (65%) drops to Requires improvement
    fw = copy_framework(tmp_path, ("min: 50, max: 64,", "min: 50, max: 69,"),
                        ("{level: good, min: 65, max: 79,", "{level: good, min: 70, max: 79,"))
    assert fw.diagnostics == []
    failures = run_examples(fw).outcomes[0].failures
    assert any(f.startswith("3.3.3: expected good, got requires_improvement") for f in failures), failures


def test_evidence_path_must_stay_inside_the_framework_folder(tmp_path):
    fw = copy_framework(tmp_path, ("evidence: examples/hmip-youth-2018/bedfordshire-2021-published.yaml",
                                   "evidence: ../../etc/passwd"))
    outcome = run_examples(fw).outcomes[0]
    assert [d.code for d in outcome.errors] == ["check.example-path"]
