"""Rows of a CSV are split as the csv module splits them, and every cell is placed where it is (issue 14 section 1).

Most rows are split at their delimiters without the csv module (a row with no quote, which the module
would split the same way); a case keeps only its row's text, and where a cell is is worked out from it
when a message points there. These properties hold for any text: the expectations come from the
standard library's csv module and from the character-by-character reader (:func:`iter_csv_rows`).
"""

from __future__ import annotations

import copy
import csv
import io
import pickle

from hypothesis import given, settings, strategies as st

from bandstand.engine.read_csv import Rows, iter_csv_rows, read_cases_csv, text_lines
from bandstand.errors import BandstandError, Position

TEXT = st.text(alphabet=st.sampled_from(['a', 'b', ' ', ',', ';', '\t', '"', '\n', '\r', 'é', '\x0c']), max_size=80)


def module_rows(text: str, delimiter: str) -> list[list[str]]:
    """The csv module's rows, without blank ones (only spaces, tabs, line breaks, delimiters and quotes)."""
    return [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
            if any(c.strip(" \t\r\n") for c in r)]


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_rows_are_the_csv_modules_rows(text):
    rows = Rows(text_lines("x;y,z\n" + text), "f.csv")
    try:
        got = list(rows)
    except BandstandError as e:  # a quote left open, to the end of the text
        assert [d.code for d in e.diagnostics] == ["csv.syntax"]
        return
    assert [r.cells for r in got] == module_rows("x;y,z\n" + text, rows.delimiter)


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_each_cell_is_placed_where_the_character_reader_finds_it(text):
    text = "h1,h2\n" + text
    try:
        got = list(Rows(text_lines(text), "f.csv"))
        scanned = {r[0].line: r for r in iter_csv_rows(text, ",", "f.csv")}
    except BandstandError:
        return
    for row in got:
        if row.line not in scanned or len(scanned[row.line]) != len(row.cells):
            continue  # a row the two readers tell apart differently (a blank one): nothing to place
        assert [row.place(i) for i in range(len(row.cells))] == [
            Position("f.csv", c.line, c.column) for c in scanned[row.line]]


def test_a_case_keeps_its_rows_text_and_places_cells_from_it():
    text = 'case,part,2.1.1,2.1.2\nC1,court,yes,no\n"C 2","out of\ncourt",no,yes\n'
    first, second = read_cases_csv(text, "cases.csv")
    assert first.pos == Position("cases.csv", 2, 1) and first.answer_pos["2.1.2"] == Position("cases.csv", 2, 14)
    assert second.pos == Position("cases.csv", 3, 1) and second.part_pos == Position("cases.csv", 3, 7)
    assert second.answer_pos["2.1.1"] == Position("cases.csv", 4, 8)
    assert str(second.answer_pos["2.1.2"]) == "cases.csv:4:11"
    for pos in (first.pos, second.part_pos):  # plain positions when copied or pickled
        assert type(copy.deepcopy(pos)) is Position and pickle.loads(pickle.dumps(pos)) == pos
        assert hash(pos) == hash(copy.copy(pos))


def test_rows_of_the_same_answers_give_cases_of_their_own():
    cases = read_cases_csv("case,part,2.1.1\nC1,court,yes\nC2,court,yes\n", "cases.csv")
    cases[0].answers["2.1.1"] = False
    assert cases[1].answers == {"2.1.1": True}
