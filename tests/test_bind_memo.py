"""What binding works out once and keeps (per framework, per CSV header) gives what working it out again gives.

Binding a stream of inspections keeps, per framework, the map of a CSV's columns (headers.py) and the level
each judgement's rating gives (bind.py). Kept facts must never cross from one file, or one framework, to
another: each error names its own file, each level is its own framework's.
"""

from __future__ import annotations

import pytest

from bandstand.catalogue import Catalogue
from bandstand.engine.evidence import Evidence, Judgement, bind, load_evidence
from bandstand.engine.headers import resolve_evidence
from bandstand.errors import BandstandError, Position
from test_headers import demo, lines, write

CONFLICT = ("case,part,2.1.1 Does assessment keep the child safe?,2.1.2,3.1.1\nC1,court,yes,no,\n"
            "C3,out_of_court,,,no\n")


def refusal(path, fw) -> list[str]:
    with pytest.raises(BandstandError) as e:
        bind(load_evidence(path), fw)
    return lines(e.value)


def test_a_column_error_names_its_own_file_however_many_share_the_header(tmp_path):
    fw = demo()
    first, second, moved = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for folder in (first, second, moved):
        folder.mkdir()
    a = write(first, CONFLICT)
    b = write(second, CONFLICT)
    c = write(moved, CONFLICT.replace("case,part,", "part,case,", 1).replace("C1,court,", "court,C1,", 1)
              .replace("C3,out_of_court,", "out_of_court,C3,", 1))
    message = ("error: column '2.1.1 Does assessment keep the child safe?' names '2.1.1' but gives the wording of "
               "'2.1.2'; correct the id or the wording [evidence.column-conflict]")
    for _ in range(2):  # (the second time from what was kept)
        assert refusal(a, fw) == [f"{first / 'cases.csv'}:1:11: {message}"]
        assert refusal(b, fw) == [f"{second / 'cases.csv'}:1:11: {message}"]
        assert refusal(c, fw) == [f"{moved / 'cases.csv'}:1:11: {message}"]


def test_a_column_read_by_wording_in_one_file_is_read_again_in_the_next(tmp_path):
    """Two files, the same header, cases of different parts: a column headed by wording two key questions
    share is read against the parts each file's cases are in, never those of the file read before it."""
    fw = demo()
    worded = "case,part,Does assessment analyse desistance?\n"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    court = load_evidence(write(tmp_path / "a", worded + "C1,court,yes\n"))
    out_of_court = load_evidence(write(tmp_path / "b", worded + "C3,out_of_court,no\n"))
    for _ in range(2):  # (the second time from what was kept)
        assert [c.answers for c in resolve_evidence(court, fw)[0].cases] == [{"2.1.1": True}]
        assert [c.answers for c in resolve_evidence(out_of_court, fw)[0].cases] == [{"3.1.1": False}]


def test_a_judgement_gives_its_own_frameworks_level():
    """The same ratings bound to two frameworks of the same node ids: each gets its own scale's levels."""
    catalogue = Catalogue([])
    new, old = catalogue.resolve("hmip-youth@2018"), catalogue.resolve("hmip-youth@2018-original")
    ev = Evidence(None, partial=True, judgements={
        node_id: Judgement(node_id, rating, None, Position(None, 1, 1))
        for node_id, rating in (("1.1", "Good"), ("1.2", "requires improvement"), ("1.3", "Outstanding"))})
    for _ in range(2):  # (the second time from what was kept)
        for fw in (new, old, new):
            bound = bind(ev, fw)
            given = {n: bound.judgements[n] for n in ("1.1", "1.2", "1.3")}  # (the rest left out: not rated)
            assert [level.label for level in given.values()] == ["Good", "Requires improvement", "Outstanding"]
            assert all(level is fw.nodes[n].scale.find(level.id) for n, level in given.items())
