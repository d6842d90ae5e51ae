"""The inspections met in a stream are remembered exactly, in memory that does not grow (issue 13 section 2).

An inspection whose rows appear again after another's must be refused, never rated twice from
halves; engine/seen.py answers "met before?" exactly over millions of names, keeping older names in
sorted runs in temporary files. The expectations here come from a Python set given the same names.
"""

from __future__ import annotations

import os
import tempfile

import pytest
from hypothesis import given, settings, strategies as st

from bandstand.engine import seen as seen_module
from bandstand.engine.read_csv import Rows, iter_inspections, text_lines
from bandstand.engine.seen import Seen
from bandstand.errors import BandstandError, InputError, format as format_diagnostic

NAMES = st.lists(st.text(alphabet=st.sampled_from(["a", "b", "c", "é", "\udcff", " "]), max_size=4), max_size=300)


@settings(max_examples=200, deadline=None)
@given(NAMES, st.sampled_from([1, 2, 3, 7]), st.sampled_from([8, 64, 1 << 12]))
def test_seen_agrees_with_a_set(names, buffer, bits):
    """Small buffers spill to runs (merged as they grow), a small filter says "maybe" often: each answer is
    still the set's."""
    expected: set[str] = set()
    with Seen(bloom_bits=bits, buffer=buffer) as seen:
        for name in names:
            assert seen.add(name) == (name not in expected), name
            expected.add(name)
        assert len(seen) == len(expected)
        assert all(name in seen for name in expected)
        assert all(name + "x" in seen for name in names) == all(name + "x" in expected for name in names)


def test_names_of_the_same_hash_are_told_apart(monkeypatch):
    """Two names whose hashes are equal are still two names: no answer rests on a hash alone."""
    monkeypatch.setattr(seen_module, "hash", lambda name: 42, raising=False)
    with Seen(bloom_bits=8, buffer=2) as seen:
        names = [f"inspection {i}" for i in range(20)]
        assert all(seen.add(n) for n in names)
        assert not any(seen.add(n) for n in names)
        assert seen.runs and seen.add("inspection 20")


def test_many_names_spill_to_a_few_runs_and_the_files_are_removed():
    seen = Seen(buffer=100)
    names = [f"Inspection {i}" for i in range(20_000)]
    assert all(seen.add(n) for n in names)
    assert not any(seen.add(n) for n in names[::97])
    assert len(seen.runs) == 4  # 200 runs of 100 written, merged eight at a time: 200 is 310 in base 8
    files = [run.file for run in seen.runs]
    seen.close()
    assert all(f.closed for f in files) and seen.runs == []


def test_the_temporary_files_are_made_in_the_users_temporary_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    made = []
    real = tempfile.TemporaryFile

    def spy(*args, **kwargs):
        f = real(*args, **kwargs)
        made.append(os.path.realpath(f"/proc/self/fd/{f.fileno()}") if os.path.exists("/proc/self/fd") else "")
        return f

    monkeypatch.setattr(tempfile, "TemporaryFile", spy)
    with Seen(buffer=2) as seen:
        for i in range(5):
            seen.add(str(i))
    assert made and all(str(tmp_path) in m for m in made if m)
    assert list(tmp_path.iterdir()) == []  # no name left behind


def test_a_temporary_file_that_cannot_be_made_is_one_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "gone"))
    monkeypatch.setattr(seen_module, "BUFFER", 2)
    rows = ["inspection,case,part,2.1.1"] + [f"YOS {i},C1,court,yes" for i in range(5)]
    stream = iter_inspections(Rows(text_lines("\n".join(rows) + "\n"), "i.csv"), "i.csv")
    with pytest.raises(InputError) as info:
        list(stream)
    (d,) = info.value.diagnostics
    assert format_diagnostic(d) == (
        f"bandstand: error: cannot make a temporary file in {tmp_path / 'gone'} to remember the inspections read so "
        "far: no such file or folder; set TMPDIR to a folder where files can be made [input.temp-file]")


def test_rows_apart_are_refused_after_the_names_were_spilled(monkeypatch):
    """The first inspection's name is on disk by the time its rows appear again: still refused, at its row."""
    monkeypatch.setattr(seen_module, "BUFFER", 3)
    rows = ["inspection,case,part,2.1.1"] + [f"YOS {i},C1,court,yes" for i in range(10)] + ["YOS 0,C2,court,no"]
    with pytest.raises(BandstandError) as info:
        list(iter_inspections(Rows(text_lines("\n".join(rows) + "\n"), "i.csv"), "i.csv"))
    assert [format_diagnostic(d) for d in info.value.diagnostics] == [
        "i.csv:12:1: error: the rows of inspection 'YOS 0' appear again here, after those of another inspection; "
        "the rows of an inspection must be together (sort the file by its 'inspection' column) [csv.inspection]"]


def test_the_command_line_exits_2_when_no_temporary_file_can_be_made(tmp_path, monkeypatch, capsys):
    from helpers import ROOT
    from test_cli import run

    framework = ROOT / "tests" / "bad_inputs" / "125-csv-semicolons" / "framework.yaml"
    path = tmp_path / "inspections.csv"
    path.write_text("inspection,1.1,case,part,2.1.1,2.1.2\n" + "".join(f"YOS {i},good,C1,court,yes,no\n"
                                                                     for i in range(6)), "utf-8")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "gone"))
    monkeypatch.setattr(seen_module, "BUFFER", 2)
    code, out, err = run(capsys, "evaluate", framework, path, "--format", "jsonl")
    assert code == 2 and len(out.splitlines()) == 1  # the inspection read before it is written
    assert err.splitlines()[0] == (
        f"bandstand: error: cannot make a temporary file in {tmp_path / 'gone'} to remember the inspections read so "
        "far: no such file or folder; set TMPDIR to a folder where files can be made [input.temp-file]")
    assert "Traceback" not in err
