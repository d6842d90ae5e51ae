"""Evidence of one inspection: read (YAML, JSON, CSV), then checked against
a framework. The public way in, and the names users import from here.

Reading is framework-independent (:func:`load_evidence`, schema-checked):
the format is chosen by the file's name, and read by :mod:`.read_yaml` or
:mod:`.read_csv` into the records of :mod:`.evidence_model`.
:func:`bind` (:mod:`.bind`) checks the evidence against a framework, all
problems at once, and counts the case answers into one :class:`Measure`
per node.

>>> ev = load_evidence_text("subject: X\\nkey_questions: {'2.1.1': {yes: 1, of: 6}}\\n", "e.yaml")
>>> ev.figures["2.1.1"].yes, ev.figures["2.1.1"].of
(1, 6)
"""

from __future__ import annotations

from pathlib import Path

from ..dsl import loader
from ..files import inside
from ..limits import DEFAULT_LIMITS, Limits
from .bind import Bound, Measure, bind
from .evidence_model import Case, CasesError, Evidence, EvidenceError, Figure, Judgement, parse_answer
from .read_csv import (Cell, cases_evidence, csv_rows, has_inspection_column, iter_csv_rows, read_cases_csv,
                       read_inspections_csv)
from .read_xlsx import is_workbook, read_xlsx
from .read_yaml import from_document


def load_evidence_many(path: str | Path, *, limits: Limits = DEFAULT_LIMITS, display: str | None = None) -> list[Evidence]:
    """The inspections in an evidence file: one, or several in a CSV with an ``inspection`` column."""
    name = display or str(path)
    if is_workbook(path):
        return [read_xlsx(path, limits=limits, display=display)]
    if str(path).lower().endswith((".csv", ".tsv")):
        text = loader.read_text(path, limits, name)
        if has_inspection_column(text):
            return read_inspections_csv(text, name, limits)
    return [load_evidence(path, limits=limits, display=display)]


def load_evidence(path: str | Path, *, limits: Limits = DEFAULT_LIMITS, display: str | None = None) -> Evidence:
    """Read an evidence file: YAML, JSON, a CSV of cases, or an Excel workbook (:mod:`.read_xlsx`)."""
    name = display or str(path)
    if is_workbook(path):
        return read_xlsx(path, limits=limits, display=display)
    text = loader.read_text(path, limits, name)
    if str(path).lower().endswith((".csv", ".tsv")):
        return cases_evidence(name, lambda: read_cases_csv(text, name, limits))
    return from_document(loader.load_text(text, name, limits), Path(path).parent, limits)


def load_evidence_text(text: str, file: str | None = None, *, limits: Limits = DEFAULT_LIMITS,
                       base: Path | None = None) -> Evidence:
    return from_document(loader.load_text(text, file, limits), base or Path("."), limits)


__all__ = ["Bound", "Case", "CasesError", "Cell", "Evidence", "EvidenceError", "Figure", "Judgement", "Measure",
           "bind", "csv_rows", "from_document", "has_inspection_column", "inside", "iter_csv_rows",
           "load_evidence", "load_evidence_many", "load_evidence_text", "parse_answer", "read_cases_csv",
           "read_inspections_csv", "read_xlsx"]
