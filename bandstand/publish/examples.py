"""Worked examples: the examples kept with a framework, run as ``bandstand test`` runs them, and their pages."""

from __future__ import annotations

import html
import posixpath
from dataclasses import dataclass

from ..dsl.model import OVERALL, Example, Framework, fmt_number
from ..engine.evidence import Evidence
from ..engine.result import NodeResult, Result
from ..errors import BandstandError
from ..limits import DEFAULT_LIMITS, Limits
from ..render import figures_text, margin_text
from ..testing import run_examples
from .addresses import heading, label, node_link
from .markdown import code, end_sentence, escape, link
from .page import Page, make_page

__all__ = ["WorkedExample", "work_examples", "examples_index", "examples_table", "example_page"]


@dataclass
class WorkedExample:
    """An example of a framework, evaluated: its evidence, full result, and expectations checked."""

    example: Example
    evidence: Evidence
    evidence_text: str
    result: Result
    failures: list[str]
    checked: int


def work_examples(fw: Framework, limits: Limits = DEFAULT_LIMITS) -> list[WorkedExample]:
    """Every example kept with ``fw``, run by :func:`bandstand.testing.run_examples` (as ``bandstand test`` runs it).

    Raises :class:`BandstandError` with the located diagnostics of every
    example whose evidence cannot be read or does not fit the framework.
    """
    report = run_examples(fw, limits)
    errors = [d for o in report.outcomes for d in o.errors]
    if errors:
        raise BandstandError(errors)
    worked = []
    for o in report.outcomes:
        # no errors: run_examples read and evaluated each example's evidence file
        assert o.path is not None and o.evidence is not None and o.result is not None
        worked.append(WorkedExample(o.example, o.evidence, o.path.read_text(encoding="utf-8", errors="replace"),
                                    o.result, o.failures, o.checked))
    return worked


def examples_index(fw: Framework, base: str, examples: list[WorkedExample]) -> Page:
    path = posixpath.join(base, "examples", "index.md")
    title = f"Worked examples: {fw.title}"
    out = ["# Worked examples {#top}", "",
           f"Evidence kept with {link(escape(fw.title), path, posixpath.join(base, 'index.md'))}, "
           "evaluated when this site was built, and checked against the results the framework file says "
           "they must give (as `bandstand test` does).", ""]
    out += examples_table(examples, path, base)
    return make_page(path, title, out, nav_title="Worked examples")


def examples_table(examples: list[WorkedExample], page: str, base: str) -> list[str]:
    out = ["| Example | Subject | Overall rating | Checked |", "|---|---|---|---|"]
    for w in examples:
        target = posixpath.join(base, "examples", w.example.id, "index.md")
        o = w.result.overall
        overall = _result_label(o) if o is not None else ""
        if o is not None and o.value is not None and o.maximum is not None:
            overall += f" ({fmt_number(o.value)} of {fmt_number(o.maximum)})"
        checked = (f"meets its {w.checked} expectations" if not w.failures
                   else f"{len(w.failures)} of {w.checked} expectations not met")
        out.append(f"| {link(escape(w.example.title or w.example.id), page, target)} | "
                   f"{escape(w.result.subject)} | {escape(overall)} | {checked} |")
    out.append("")
    return out


def _result_label(r: NodeResult) -> str:
    if r.level is not None:
        return r.level.label
    return "not rated" if r.rated else "-"


def _answer(value: bool | None) -> str:
    return {True: "yes", False: "no", None: "n/a"}[value]


def example_page(w: WorkedExample, fw: Framework, base: str) -> Page:
    path = posixpath.join(base, "examples", w.example.id, "index.md")
    ev, result = w.evidence, w.result
    title = w.example.title or w.example.id
    out = [f"# {escape(title)} {{#top}}", ""]
    out += [f"Example {code(w.example.id)} of {link(escape(fw.title), path, posixpath.join(base, 'index.md'))}, "
            f"from the evidence file {code(w.example.evidence)}.", ""]
    if w.failures:
        out += [f"**This result does not give what the framework file expects** "
                f"({len(w.failures)} of {w.checked} expectations not met):", ""]
        out += [f"- {escape(f)}" for f in w.failures] + [""]
    else:
        out += [f"This result gives all {w.checked} of the ratings and scores the framework file expects "
                "for this example.", ""]

    out += ["## Evidence {#evidence}", ""]
    facts = [("Subject", ev.subject), ("Date", ev.date), ("Source", ev.source), ("Notes", ev.notes)]
    facts = [(k, v) for k, v in facts if v]
    if facts:
        out += [f"- **{k}:** {escape(v)}" for k, v in facts] + [""]
    if ev.judgements:
        out += ["### Judgements {#judgements}", "", "| Node | Judgement | Note |", "|---|---|---|"]
        for j in ev.judgements.values():
            node = fw.nodes.get(j.node_id)
            where = node_link(node, path, base) if node is not None and node.id != OVERALL else escape(j.node_id)
            level = node.scale.find(j.rating) if node is not None and j.rating is not None else None
            shown = level.label if level is not None else (j.rating if j.rating is not None else "not rated")
            out.append(f"| {where} | {escape(shown)} | "
                       f"{escape(j.note)} |")
        out.append("")
    if ev.figures:
        out += ["### Published figures {#figures}", "", "| Node | Sufficient | Of | Percent |", "|---|---|---|---|"]
        for f in ev.figures.values():
            node = fw.nodes.get(f.node_id)
            where = node_link(node, path, base) if node is not None and node.id != OVERALL else escape(f.node_id)
            cells = ["" if x is None else fmt_number(x) for x in (f.yes, f.of, f.percent)]
            out.append(f"| {where} | {cells[0]} | {cells[1]} | {cells[2] + '%' if cells[2] else ''} |")
        out.append("")
    if ev.cases:
        out += ["### Cases {#cases}", ""]
        parts = list(dict.fromkeys(c.part for c in ev.cases))
        for part_id in parts:
            cases = [c for c in ev.cases if c.part == part_id]
            part = fw.parts.get(part_id)
            out += [f"{escape(part.label if part else part_id)}: {len(cases)} case{'s' if len(cases) != 1 else ''}.",
                    ""]
            columns = list(dict.fromkeys(k for c in cases for k in c.answers))
            has_label = any(c.label for c in cases)
            head = ["Case"] + (["Label"] if has_label else []) + [
                node_link(fw.nodes[k], path, base) if k in fw.nodes else escape(k) for k in columns]
            out += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
            for c in cases:
                row = [escape(c.id)] + ([escape(c.label)] if has_label else [])
                row += [_answer(c.answers[k]) if k in c.answers else "" for k in columns]
                out.append("| " + " | ".join(row) + " |")
            out.append("")
    # the file as written, verbatim; a raw HTML block, so Markdown does not read its text
    out += ["<details>", f"<summary>The evidence file, {html.escape(w.example.evidence)}</summary>",
            f"<pre><code>{html.escape(w.evidence_text)}</code></pre>", "</details>", ""]

    out += ["## Result {#result}", ""]
    o = result.overall
    if o is not None:
        score = (f" (score {fmt_number(o.value)} of {fmt_number(o.maximum)})"
                 if o.value is not None and o.maximum is not None else "")
        out += [f"**Overall rating: {escape(_result_label(o))}**{' ' + escape(score) if score else ''}. "
                + end_sentence(f"Why: {escape(o.reason)}"), ""]
        m = margin_text(o)
        if m:
            out += [end_sentence(f"Margin: {escape(m)}"), ""]
    if result.limits_applied:
        for a in result.limits_applied:
            out += [f"Limit applied: {escape(a.id)} lowered {escape(a.node_id)} from {escape(a.before.label)} "
                    f"to {escape(a.after.label)} ({escape(a.description or a.condition)}).", ""]
    else:
        out += ["No limiting rule applied.", ""]
    for root in fw.roots:
        rows = [n for n in root.walk() if result.nodes[n.id].rated]
        if not rows:
            continue
        out += [f"### {escape(label(root))} {{#result-{root.id}}}", "",
                "| Node | Title or question | Rating | Sufficient | Why | Margin |", "|---|---|---|---|---|---|"]
        for n in rows:
            r = result.nodes[n.id]
            out.append(f"| {node_link(n, path, base)} | {escape(heading(n))} | {escape(_result_label(r))} | "
                       f"{escape(figures_text(r))} | {escape(r.reason)} | {escape(margin_text(r))} |")
        out.append("")
    if result.warnings:
        out += ["Warnings from the evidence:", ""] + [f"- {escape(d.message)}" for d in result.warnings] + [""]
    return make_page(path, title, out)
