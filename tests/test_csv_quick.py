"""A CSV of cases read whole at once gives what reading it row by row gives (issue 14 section 1).

:func:`read_cases_csv` reads a file whose rows are single lines with no quote in one go (the text split into
lines, each line at its delimiters, each distinct row's answers read once); any file it cannot read so, or
any row it cannot read, goes row by row (:func:`read_cases_rows` over :class:`Rows`). The expectation here is
that row-by-row reading, for any such text: the same cases, the same places, the same errors.
"""

from __future__ import annotations

import gc

from hypothesis import given, settings, strategies as st

from bandstand.engine.read_csv import Rows, _quick_cases, read_cases_csv, read_cases_rows, text_lines
from bandstand.errors import BandstandError, Position
from bandstand.limits import DEFAULT_LIMITS, Limits

CELLS = st.sampled_from(["yes", "no", "", "Yes", " no ", "N/A", "y", "0", "sufficient", "maybe", " ", "C1"])
COLUMNS = ["case", "part", "2.1.1", "2.1.2", "3.1.1"]


def plain(p: Position | None) -> tuple | None:
    return None if p is None else (p.file, p.line, p.column)


def outcome(read) -> tuple:
    """What a reading gives, every position as plain numbers: the cases (or, on an error, its messages and the
    cases that could be read)."""
    try:
        cases, error = read(), None
    except BandstandError as e:
        cases, error = getattr(e, "cases", []), [str(d) for d in e.diagnostics]
    return error, getattr(cases, "header", None), [
        (c.id, c.part, list(c.answers.items()), plain(c.pos), plain(c.part_pos),
         [(k, plain(p)) for k, p in c.answer_pos.items()], c.label, c.attributes) for c in cases]


def row_by_row(text: str, limits: Limits = DEFAULT_LIMITS):
    return lambda: read_cases_rows(Rows(text_lines(text.removeprefix("\ufeff")), "c.csv"), "c.csv", limits)


@st.composite
def csv_texts(draw) -> str:
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    columns = draw(st.permutations(COLUMNS + draw(st.sampled_from([[], ["Notes"], ["2.1.1"]]))))
    rows = []
    for i in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(["case"] * 6 + ["blank", "short", "long"]))
        if kind == "blank":
            rows.append(draw(st.sampled_from(["", delimiter * 3, " \t"])))
            continue
        cells = [f"C{i}" if c == "case" else draw(st.sampled_from(["court", "Out of court", " court "]))
                 if c == "part" else draw(CELLS) for c in columns]
        cells = cells[:-1] if kind == "short" else cells + ["x"] if kind == "long" else cells
        rows.append(delimiter.join(cells))
    head = draw(st.sampled_from(["", "\ufeff", f"sep={delimiter}{ending}", ending]))
    text = head + ending.join([delimiter.join(columns), *rows])
    return text + draw(st.sampled_from(["", ending, ending + delimiter + ending]))


@settings(max_examples=500, deadline=None)
@given(csv_texts(), st.sampled_from([DEFAULT_LIMITS, Limits(max_cases=3)]))
def test_reading_whole_gives_what_reading_row_by_row_gives(text, limits):
    assert outcome(lambda: read_cases_csv(text, "c.csv", limits)) == outcome(row_by_row(text, limits))


def test_a_plain_file_is_read_whole_and_its_cells_placed_from_its_lines():
    text = "case;part;2.1.1;2.1.2\r\nC1;court;yes;no\r\n\r\n  C2 ; out_of_court ;Yes; N/A \r\nC3;court;yes;no\r\n"
    cases = _quick_cases(text, "c.csv", DEFAULT_LIMITS)
    assert cases is not None  # read whole, not row by row
    assert [(c.id, c.part, c.answers) for c in cases] == [
        ("C1", "court", {"2.1.1": True, "2.1.2": False}), ("C2", "out_of_court", {"2.1.1": True, "2.1.2": None}),
        ("C3", "court", {"2.1.1": True, "2.1.2": False})]
    assert cases[1].pos == Position("c.csv", 4, 1) and cases[1].part_pos == Position("c.csv", 4, 7)
    assert cases[1].answer_pos["2.1.2"] == Position("c.csv", 4, 26)
    cases[0].answers["2.1.1"] = None  # rows that read the same give cases of their own
    assert cases[2].answers == {"2.1.1": True, "2.1.2": False}


def test_what_cannot_be_read_whole_is_read_row_by_row():
    for text in ('case,part,2.1.1\n"C1",court,yes\n',  # a quote
                 "case,part,2.1.1\rC1,court,yes\r",  # a line ended by a lone carriage return
                 "case,part,2.1.1\nC1,court,maybe\n",  # a cell that is no answer: reported row by row
                 "case,part,2.1.1\nC1,court\n"):  # a row of the wrong length
        assert _quick_cases(text, "c.csv", DEFAULT_LIMITS) is None
    assert outcome(lambda: read_cases_csv("case,part,2.1.1\nC1,court,maybe\n", "c.csv")) == (
        ["c.csv:2:10: error: 'maybe' in column '2.1.1' is not an answer; expected yes, no or blank (not applicable)"
         " [csv.answer]"], {"case": Position("c.csv", 1, 1), "part": Position("c.csv", 1, 6),
                            "2.1.1": Position("c.csv", 1, 11), "": Position("c.csv", 1, 1)},
        [("C1", "court", [], ("c.csv", 2, 1), ("c.csv", 2, 4), [], None, {})])


def test_reading_leaves_the_collector_as_it_was_and_what_the_program_froze_frozen():
    text = "case,part,2.1.1\n" + "".join(f"C{i},court,yes\n" for i in range(3000))
    frozen = [[] for _ in range(10)]  # a program that froze its objects (say, before forking workers)
    gc.freeze()
    try:
        count = gc.get_freeze_count()
        assert len(read_cases_csv(text, "c.csv")) == 3000
        assert gc.get_freeze_count() == count and gc.isenabled()
    finally:
        gc.unfreeze()
    del frozen
    gc.disable()
    try:
        read_cases_csv(text, "c.csv")
        assert not gc.isenabled()
    finally:
        gc.enable()
