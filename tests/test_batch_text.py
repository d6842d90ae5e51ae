"""Writing many results as JSON (bandstand/batch.py): the quick way is the plain way's text, byte for byte.

The plain way is ``json.dumps(result_document(evaluate(fw, ev, explain=...)), ensure_ascii=False)``, what
``bandstand evaluate --format jsonl`` wrote before the quick way. Every test here compares the two on the
same inspections: random ones of the 2018 framework (ratings, limits, a judgement left not rated, subjects
that JSON escapes, inspections with problems), and the examples of every bundled framework.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from bandstand import batch, evaluate
from bandstand.catalogue import Catalogue, bundled_dir
from bandstand.contract import result_document
from bandstand.engine.evidence import load_evidence
from bandstand.engine.read_csv import Rows, iter_inspections
from bandstand.engine.read_stream import Lines
from bandstand.errors import BandstandError
from bandstand.limits import Limits
from test_cli import run

JUDGED = ["1.1", "1.2", "1.3", "1.4", "3.4", "4.1"]  # 4.1 is judged optionally (blank: not rated)
COURT = [f"2.{s}.{q}" for s in range(1, 5) for q in range(1, 4)]
OUT_OF_COURT = [f"3.{s}.{q}" for s in range(1, 4) for q in range(1, 4)]
LABELS = ["Inadequate", "Requires improvement", "Good", "Outstanding"]


def plain(result) -> str:
    return json.dumps(result_document(result), ensure_ascii=False)


def random_inspections(path: Path, n: int, seed: int) -> Path:
    """``n`` random inspections of the 2018 framework in one CSV: most rated, some not rated in part (4.1
    blank), some held by a limit, some with problems (a case answering nothing, no out-of-court cases), names
    that JSON escapes."""
    rng = random.Random(seed)
    lines = [",".join(["inspection", *JUDGED, "case", "part", *COURT, *OUT_OF_COURT])]
    for i in range(n):
        name = rng.choice([f"YOS {i}", f'"Quoted ""{i}"" \u00e9\u00df\u2014\u4e2d"', f"Back\\slash {i}"])
        judgements = [rng.choice(LABELS) for _ in JUDGED]
        if rng.random() < 0.2:
            judgements[-1] = ""
        p_yes = rng.choice([0.1, 0.5, 0.7, 0.9, 1.0])  # some inspections all yes: the highest levels
        if rng.random() < 0.1:  # Outstanding but for resettlement: its limit holds the overall rating at Good
            judgements, p_yes = ["Outstanding"] * (len(JUDGED) - 1) + ["Inadequate"], 1.0
        parts = ["court"] * rng.randint(1, 4) + ["out_of_court"] * (rng.randint(0, 3) if rng.random() < 0.1
                                                                   else rng.randint(1, 3))
        for c, part in enumerate(parts):
            ours = COURT if part == "court" else OUT_OF_COURT
            blank = rng.random() < 0.02  # a case answering nothing: the inspection is refused
            answers = ["" if k not in ours or blank else
                       ("" if rng.random() < 0.1 else "yes" if rng.random() < p_yes else "no")
                       for k in COURT + OUT_OF_COURT]
            lines.append(",".join([name, *judgements, f"C{c}", part, *answers]))
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def streamed(path: Path, fw):
    judged = {n.id for n in fw.walk() if n.is_judged}
    with open(path, "rb") as f:
        yield from iter_inspections(Rows(Lines(f, str(path), Limits()), str(path)), str(path), Limits(), judged)


@pytest.fixture(scope="module")
def youth():
    return Catalogue([]).resolve("hmip-youth@2018")


@pytest.mark.parametrize("explain", [False, True])
def test_the_quick_text_is_the_plain_text_of_random_inspections(youth, tmp_path, explain):
    path = random_inspections(tmp_path / "inspections.csv", 400, seed=13)
    writers = batch.Writers()
    written = refused = quick = 0
    for ev, problems in streamed(path, youth):
        assert not problems
        try:
            want = plain(evaluate(youth, ev, explain=explain))
        except BandstandError as e:
            with pytest.raises(BandstandError) as info:  # the same problems, the same way
                batch.evaluate_each(youth, ev, explain=explain)
            assert info.value.diagnostics == e.diagnostics
            refused += 1
            continue
        result, bound = batch.evaluate_each(youth, ev, explain=explain)
        quick += result.plan_values() is not None
        assert batch.Writers().text(*batch.evaluate_each(youth, ev, explain=explain)) == want  # (new writer)
        assert writers.text(result, bound) == want  # (one that has written many)
        written += 1
    assert written > 300 and refused > 5  # both kinds met
    writer = writers.writers[youth]
    if not explain:  # the quick way was taken, and it learnt from few results
        assert quick == written and writer.usable and 0 < writer.size < written / 2
    else:
        assert quick == 0 and writer.size == 0


def test_the_quick_text_has_what_json_escapes(youth, tmp_path):
    path = random_inspections(tmp_path / "inspections.csv", 60, seed=5)
    writers = batch.Writers()
    chars: set[str] = set()
    for ev, _ in streamed(path, youth):
        try:
            result, bound = batch.evaluate_each(youth, ev)
        except BandstandError:
            continue
        text = writers.text(result, bound)
        assert text == plain(result) and json.loads(text)["subject"] == ev.subject
        chars.update(ev.subject)
    assert {'"', "\\", "\u00e9", "\u4e2d"} <= chars  # escaped by JSON, and letters it leaves as they are


def test_a_not_rated_judgement_and_a_limit_are_written_as_the_plain_way_writes_them(youth, tmp_path):
    path = random_inspections(tmp_path / "inspections.csv", 300, seed=8)
    writers = batch.Writers()
    not_rated = limited = 0
    for ev, _ in streamed(path, youth):
        try:
            result, bound = batch.evaluate_each(youth, ev)
        except BandstandError:
            continue
        text = writers.text(result, bound)
        assert text == plain(evaluate(youth, ev, explain=False))
        doc = json.loads(text)
        not_rated += doc["nodes"]["4.1"]["rating"] is None
        limited += bool(doc["limits_applied"])
    assert not_rated > 20 and limited > 5


def test_notes_and_every_bundled_frameworks_examples_are_written_as_the_plain_way_writes_them():
    catalogue = Catalogue([])
    writers = batch.Writers()
    seen = 0
    for folder in sorted((bundled_dir() / "examples").iterdir()):
        for path in sorted(folder.glob("*.yaml")):
            ev = load_evidence(path)
            try:
                fw = catalogue.choose(folder.name if ev.framework is None else ev.framework, None, ev).framework
            except BandstandError:
                continue
            for explain in (False, True):
                try:
                    want = plain(evaluate(fw, ev, explain=explain))
                except BandstandError:
                    continue
                for _ in range(2):  # learnt from, then written from what was learnt
                    assert writers.text(*batch.evaluate_each(fw, ev, explain=explain)) == want, (path, explain)
                seen += 1
    assert seen > 20 and len(writers.writers) >= 4


# -- the command line ----------------------------------------------------------------------


def _plain_writer(monkeypatch):
    monkeypatch.setattr(batch.ResultWriter, "text", lambda self, result, bound: self.plain(result))


@pytest.mark.parametrize("fmt", ["jsonl", "json"])
def test_the_command_lines_batch_is_the_plain_ways_output_line_for_line(capsys, monkeypatch, tmp_path, youth, fmt):
    path = random_inspections(tmp_path / "inspections.csv", 120, seed=21)
    code, out, err = run(capsys, "evaluate", "hmip-youth@2018", path, "--format", fmt, "--ratings-only")
    want = []
    for ev, _ in streamed(path, youth):  # each inspection alone, the plain way
        try:
            want.append(plain(evaluate(youth, ev, explain=False)))
        except BandstandError:
            pass
    if fmt == "jsonl":
        assert out.splitlines() == want
    else:
        assert out == "[" + ",".join("\n" + w for w in want) + "\n]\n"
    assert code == 2 and "could not be (see above)" in err.splitlines()[-1]  # (some were refused)
    _plain_writer(monkeypatch)  # the plain way through the command line: the same output, the same errors
    assert run(capsys, "evaluate", "hmip-youth@2018", path, "--format", fmt, "--ratings-only") == (code, out, err)


def test_the_explained_batch_is_each_inspection_evaluated_alone(capsys, tmp_path):
    """Without --ratings-only each line is what `bandstand evaluate` of that inspection alone writes."""
    path = random_inspections(tmp_path / "inspections.csv", 12, seed=3)
    code, out, err = run(capsys, "evaluate", "hmip-youth@2018", path, "--format", "jsonl")
    got = {json.loads(line)["subject"]: line for line in out.splitlines()}
    header, *rows = path.read_text("utf-8").splitlines()
    groups: dict[str, list[str]] = {}
    for row in rows:
        groups.setdefault(row.rsplit(",C", 1)[0], []).append(row)
    alone = 0
    for group in groups.values():
        path.write_text("\n".join([header, *group]) + "\n", "utf-8")  # (the same file name: the same evidence_file)
        one_code, one_out, one_err = run(capsys, "evaluate", "hmip-youth@2018", path, "--format", "jsonl")
        if one_code == 0:
            subject = json.loads(one_out)["subject"]
            assert one_out == got.pop(subject) + "\n"
            alone += 1
    assert alone >= 8 and not got  # every line written was one of them
