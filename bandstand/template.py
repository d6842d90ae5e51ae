"""Blank evidence for a framework version, to fill in: an audit template (``bandstand template``).

Everything the framework asks of evidence, worked out from the framework
itself: every judged node with its levels, every key question answered case
by case with its wording and prompts, and the parts cases belong to.

* **yaml**: an evidence file with every field in place and the wording,
  levels and prompts as comments;
* **csv**: the header row of a CSV of cases (``case``, ``part``, a column per
  key question, headed by its id and wording); judgements go in a YAML file
  that names it;
* **xlsx** (needs the ``excel`` extra): sheets Inspection, Judgements,
  Cases and Figures, which :mod:`bandstand.engine.read_xlsx` reads back,
  with drop-down lists (yes / no / n/a, the scale's levels, the parts), a
  frozen header row, the wording and prompts as comments on the header
  cells, and a Guide sheet listing every node. The Figures sheet has a row
  per node that takes published figures, with its wording and part, and
  accepts only whole numbers of cases and percentages from 0 to 100.

>>> from bandstand.catalogue import Catalogue
>>> header = template_csv(Catalogue().resolve("hmip-youth@2018")).splitlines()[0].split(",")
>>> header[:3], len(header)
(['case', 'part', "2.1.1 Does assessment sufficiently analyse how to support the child's desistance?"], 23)
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Callable

from .dsl.model import Framework, Node, Part
from .dsl.resolve import facts as framework_facts
from .errors import InputError

FORMATS = ("xlsx", "csv", "yaml")
ANSWERS = ("yes", "no", "n/a")
#: rows of the Cases sheet that offer drop-down lists
CASE_ROWS = 500


def format_for(path: str | None) -> str | None:
    """The format a file name asks for (``audit.xlsx`` -> ``xlsx``), or None."""
    if not path:
        return None
    low = path.lower()
    for suffix, fmt in ((".xlsx", "xlsx"), (".csv", "csv"), (".yaml", "yaml"), (".yml", "yaml")):
        if low.endswith(suffix):
            return fmt
    return None


def wording(node: Node) -> str:
    """A node's words: its question, or its title, or its statement."""
    return " ".join((node.question or node.title or node.statement or "").split())


@dataclass
class Plan:
    """What a framework's evidence holds, in framework order."""

    fw: Framework
    judged: list[Node]  # nodes rated by judgement (required or optional)
    questions: list[Node]  # nodes answered case by case whose answers a rule reads: the case columns
    figured: list[Node]  # nodes that take published figures
    parts: list[Part]

    def prompts(self, node: Node) -> list[Node]:
        """The unrated nodes beneath a node (its prompts), in order."""
        return [d for d in node.walk() if d is not node and not d.rated]

    def questions_of(self, part: Part) -> list[Node]:
        return [q for q in self.questions if q.part is None or q.part.id == part.id]


def plan(fw: Framework) -> Plan:
    facts = framework_facts(fw).evidence
    questions = [fw.nodes[i] for i in facts.needed]
    figured = [n for n in facts.nodes if n.id in facts.needed or (n.rated and n.id in facts.figured)]
    return Plan(fw, [n for n in facts.nodes if n.is_judged], questions, figured, list(fw.parts.values()))


def template(fw: Framework, fmt: str) -> str | bytes:
    """The template in ``fmt`` (one of :data:`FORMATS`): text, or an xlsx workbook's bytes."""
    if fmt != "yaml" and framework_facts(fw).evidence.valued:
        raise InputError(f"{fw.ref}'s rules read published figures (values, with comparators and the previous "
                         f"period), which a {fmt} template has no place for: use --format yaml", None,
                         "input.template")
    if fmt != "yaml" and framework_facts(fw).evidence.progress:
        raise InputError(f"{fw.ref}'s rules read the progress of planned work (each piece's status and due day), "
                         f"which the {fmt} template has no place for: use --format yaml", None, "input.template")
    makers: dict[str, Callable[[Framework], str | bytes]] = {"yaml": template_yaml, "csv": template_csv,
                                                             "xlsx": template_xlsx}
    return makers[fmt](fw)


def _levels(node: Node) -> str:
    return " | ".join(lv.id for lv in node.scale.levels)


def template_yaml(fw: Framework) -> str:
    p = plan(fw)
    q = json.dumps  # a YAML double-quoted scalar, as JSON writes it
    out = [f"# Evidence for {fw.ref}: {fw.title}",
           f"# Made by 'bandstand template {fw.ref} --format yaml'. Fill in the blanks, then run:",
           f"#   bandstand evaluate {fw.ref} THIS_FILE",
           f"framework: {fw.ref}",
           "subject:            # who was inspected",
           "date:               # YYYY-MM-DD or YYYY-MM"]
    if p.judged:
        out += ["", "# A rating for each judged node (a level's id or label).", "judgements:"]
        for node in p.judged:
            optional = "; optional" if node.judged != "yes" else ""
            out += [f"  # {node.id} {wording(node)}: {_levels(node)}{optional}", f"  {q(node.id)}:"]
    if p.questions:
        out += ["", "# One entry per case inspected, under its part; answer each key question of its part yes, no,",
                "# or n/a where it did not apply. Copy an entry for each case of that part.", "cases:"]
        groups: list[Part | None] = [*p.parts] or [None]  # no parts: one group, of every question
        for part in groups:
            qs = p.questions_of(part) if part is not None else p.questions
            out += ["  - id:           # the case's reference"]
            if part is not None:
                out += [f"    part: {q(part.id)}    # {part.label}"]
            out += ["    answers:"]
            for node in qs:
                out += [f"      # {node.id} {wording(node)}"]
                out += [f"      #   prompt {d.id}: {wording(d)}" for d in p.prompts(node)]
                out += [f"      {q(node.id)}:"]
    out += _values_yaml(fw)
    out += _progress_yaml(fw)
    return "\n".join(out) + "\n"


def _progress_yaml(fw: Framework) -> list[str]:
    """The ``progress`` section: each piece of planned work whose status or due day the rules read, blank (a
    blank is an error, never a default; ``due: null`` says no due day is set)."""
    progress = framework_facts(fw).evidence.progress
    if not progress:
        return []
    q = json.dumps
    out = ["", "# The progress of each piece of planned work: its status (one of the levels given), the day it is",
           "# due (YYYY-MM-DD, or YYYY-MM: by the month's last day; null: no due day is set) and a note.",
           "progress:"]
    for node_id in progress:
        node = fw.nodes[node_id]
        out += [f"  # {node_id} {wording(node)}"]
        if node.status_scale is not None:
            out += [f"  #   status: {' | '.join(lv.id for lv in node.status_scale.levels)}"]
        # (the due day's placeholder is refused until replaced: left blank it would read as null, no due day set)
        out += [f"  {q(node_id)}:", "    status:", "    due: YYYY-MM-DD", "    # note: what the plan says of it"]
    return out


def _values_yaml(fw: Framework) -> list[str]:
    """The ``values`` section: every figure the rules read of each node, blank (a blank is an error, never 0)."""
    valued = framework_facts(fw).evidence.valued
    if not valued:
        return []
    q = json.dumps
    out = ["", "# The published figures the rules read: each a number, or {not_available: the reason the source",
           "# gives} where the source says it is not available.", "values:"]
    for node_id, read in valued.items():
        out += [f"  # {node_id} {wording(fw.nodes[node_id])}", f"  {q(node_id)}:"]
        if "value" in read:
            out += ["    value:", "    # period: the period the value is for", "    # source: where it is published"]
        if "previous" in read:
            out += ["    previous:       # the value for the previous period"]
        names = [f.split(":", 1)[1] for f in read if f.startswith("comparator:")]
        if names:
            out += ["    comparators:"] + [f"      {q(n)}:" for n in names]
    return out


def template_csv(fw: Framework) -> str:
    p = plan(fw)
    if not p.questions:
        raise InputError(f"{fw.ref} rates nothing from cases, and a CSV file holds cases only: use --format xlsx "
                         "or --format yaml", None, "input.template")
    buf = io.StringIO()
    # each key question's column headed by its id and wording, as people copy them into a spreadsheet;
    # bandstand.engine.headers reads such a header back as the id
    csv.writer(buf, lineterminator="\n").writerow(["case", "part", *(_headed(n) for n in p.questions)])
    return buf.getvalue()


def _headed(node: Node) -> str:
    """A key question's column header: its id, then its wording on one line where it has one."""
    words = " ".join((node.question or node.title or "").split())
    return f"{node.id} {words}" if words else node.id


def template_xlsx(fw: Framework) -> bytes:
    from .engine.read_xlsx import openpyxl_module

    openpyxl = openpyxl_module()
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    p = plan(fw)
    wb = openpyxl.Workbook()
    bold = Font(bold=True)

    def header(ws, names, widths):
        ws.append(names)
        for i, w in enumerate(widths, 1):
            ws.cell(1, i).font = bold
            ws.column_dimensions[get_column_letter(i)].width = w
        ws.freeze_panes = "A2"

    def drop_down(ws, source: str, cells: str, what: str):
        dv = DataValidation(type="list", formula1=source, allow_blank=True, showErrorMessage=True,
                            errorTitle="Not in the list", error=f"Choose {what} from the list.")
        ws.add_data_validation(dv)
        dv.add(cells)

    # the lists the drop-downs offer, on a hidden sheet
    lists = wb.active
    lists.title = "Lists"
    columns: dict[str, str] = {}

    def listed(key: str, title: str, values: list[str]) -> str:
        if key not in columns:
            col = get_column_letter(len(columns) + 1)
            lists[f"{col}1"] = title
            for i, v in enumerate(values, 2):
                lists[f"{col}{i}"] = v
            columns[key] = f"=Lists!${col}$2:${col}${len(values) + 1}"
        return columns[key]

    ws = wb.create_sheet("Inspection")
    header(ws, ["field", "value", "what to give"], [14, 40, 70])
    for row in (("framework", fw.ref, "the framework version (leave as it is)"),
                ("subject", None, "who was inspected"),
                ("date", None, "the date of the inspection, YYYY-MM-DD or YYYY-MM (as text)"),
                ("source", None, "where the evidence comes from (optional)"),
                ("notes", None, "notes (optional)"),
                ("partial", None, "yes if evidence is left out on purpose, or the ids left out (optional)")):
        ws.append(list(row))
    ws["B4"].number_format = "@"

    if p.judged:
        ws = wb.create_sheet("Judgements")
        header(ws, ["node", "name", "rating", "note"], [10, 60, 24, 50])
        for r, node in enumerate(p.judged, 2):
            ws.append([node.id, wording(node) + ("" if node.judged == "yes" else " (optional)"), None, None])
            ws.cell(r, 1).number_format = "@"
            scale = node.scale
            drop_down(ws, listed(f"scale:{scale.id}", scale.label, [lv.label for lv in scale.levels]), f"C{r}",
                      f"a level of {scale.label}")
            ws.cell(r, 2).alignment = Alignment(wrap_text=True)

    if p.questions:
        ws = wb.create_sheet("Cases")
        ids = [n.id for n in p.questions]
        header(ws, ["case", "part", *ids], [12, 16, *([9] * len(ids))])
        ws.freeze_panes = "C2"
        for i, node in enumerate(p.questions, 3):
            text = f"{node.id} {wording(node)}"
            if node.part is not None:
                text += f"\n(cases of the {node.part.label} part)"
            prompts = p.prompts(node)
            if prompts:
                text += "\n\nPrompts:\n" + "\n".join(f"{d.id} {wording(d)}" for d in prompts)
            ws.cell(1, i).comment = Comment(text, "bandstand", height=240, width=360)
        last = CASE_ROWS + 1
        for r in range(2, last + 1):
            ws.cell(r, 1).number_format = "@"
        if p.parts:
            drop_down(ws, listed("parts", "part", [part.id for part in p.parts]), f"B2:B{last}", "a part")
        drop_down(ws, listed("answers", "answer", list(ANSWERS)),
                  f"C2:{get_column_letter(len(ids) + 2)}{last}", "yes, no or n/a")

    if p.figured:
        figures_sheet(wb.create_sheet("Figures"), p, header)

    ws = wb.create_sheet("Guide")
    header(ws, ["node", "kind", "wording", "part", "how it is rated"], [14, 14, 80, 22, 50])
    needed = {n.id for n in p.questions}
    for node in fw.walk():
        if node.is_judged:
            how = "judged: " + " / ".join(lv.label for lv in node.scale.levels)
        elif node.id in needed:
            how = "from the cases: yes / no / n/a for each case"
        elif not node.rated:
            how = "not rated (guidance)"
        else:
            how = "by its rule, from the nodes beneath it"
        ws.append([node.id, node.tier.label if node.tier is not None else "", wording(node),
                   node.part.label if node.part is not None else "", how])
        ws.cell(ws.max_row, 3).alignment = Alignment(wrap_text=True)
    lists.sheet_state = "hidden"
    wb.move_sheet(lists, offset=len(wb.sheetnames) - 1)  # last: the sheets to fill come first
    wb.active = wb.sheetnames.index("Cases" if p.questions else "Judgements" if p.judged else "Inspection")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


#: the Figures sheet's columns: the ones read back (node, yes, of, percent), and guidance (question, part)
FIGURE_COLUMNS = ("node", "question", "part", "yes", "of", "percent")


def figures_sheet(ws, p: Plan, header: Callable) -> None:
    """The published figures of each node that takes them, a row per node under its part: the cases judged
    sufficient (``yes``) of how many (``of``), or the ``percent``; the cells accept only such numbers."""
    from openpyxl.comments import Comment
    from openpyxl.worksheet.datavalidation import DataValidation

    header(ws, list(FIGURE_COLUMNS), [12, 60, 22, 8, 8, 10])
    for r, node in enumerate(p.figured, 2):
        ws.append([node.id, wording(node), node.part.label if node.part is not None else None, None, None, None])
        ws.cell(r, 1).number_format = "@"
    last = len(p.figured) + 1
    col = {name: "ABCDEF"[i] for i, name in enumerate(FIGURE_COLUMNS)}
    for name, text in (("yes", "The number of cases judged sufficient, of those in 'of'."),
                       ("of", "The number of cases inspected for this question."),
                       ("percent", "The percentage of cases judged sufficient, from 0 to 100 (or a cell "
                                   "formatted as a percentage); give it, or yes and of."),
                       ("question", "Guidance: the node's wording (not read)."),
                       ("part", "Guidance: the part of the framework the node belongs to (not read).")):
        ws[f"{col[name]}1"].comment = Comment(text, "bandstand", height=90, width=300)
    counts = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                            showErrorMessage=True, errorTitle="Not a number of cases",
                            error="Give a whole number of cases (0 or more).")
    percent = DataValidation(type="decimal", operator="between", formula1="0", formula2="100", allow_blank=True,
                             showErrorMessage=True, errorTitle="Not a percentage",
                             error="Give a percentage from 0 to 100.")
    ranges = {"yes": f"{col['yes']}2:{col['of']}{last}", "percent": f"{col['percent']}2:{col['percent']}{last}"}
    for dv, cells in ((counts, ranges["yes"]), (percent, ranges["percent"])):
        ws.add_data_validation(dv)
        dv.add(cells)
