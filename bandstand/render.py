"""Renderers of results: text (a readable tree), JSON, Markdown.

Renderers read a :class:`~bandstand.engine.result.Result` and never decide
anything: every rating, reason and margin comes from the engine.
"""

from __future__ import annotations

import json
import re

from .dsl.model import Framework, Node, fmt_number
from .engine.result import MarginStep, NodeResult, Result
from .errors import printable


def to_json(result: Result) -> str:
    """The JSON contract (with its ``format`` version, :mod:`bandstand.contract`), deterministic: same input,
    same bytes."""
    from .contract import result_document

    return json.dumps(result_document(result), indent=2, ensure_ascii=False) + "\n"


# -- shared wording ------------------------------------------------------------------


def _label(r: NodeResult) -> str:
    if r.level is not None:
        return r.level.label
    return "not rated" if r.rated else "-"


def _step_text(step: MarginStep, direction: str) -> str:
    if step.more_yes is not None:
        return f"{step.level.label} with {_count(step.more_yes, step.unit, 'more ')}"
    if step.fewer_yes is not None:
        return f"{step.level.label} with {_count(step.fewer_yes, step.unit, 'fewer ')}"
    if step.levels is not None:
        return f"{step.level.label} if {_levels_text(step, direction)}"
    if step.points is not None:
        word = "higher" if direction == "up" else "lower"
        return f"{step.level.label} if {fmt_number(step.points)} point{'s' if step.points != 1 else ''} {word}"
    if step.needs:
        return f"{step.level.label} if " + " and ".join(_needs_text(node_id, s, direction)
                                                         for node_id, s in step.needs.items())
    return step.level.label


def _levels_text(step: MarginStep, direction: str) -> str:
    """'its 3 key questions gain 2 levels between them', 'its key question 1.1 falls 1 level'."""
    n = step.levels
    assert step.among is not None  # margins.py sets among whenever it sets levels
    levels = f"{n} level{'s' if n != 1 else ''}"
    if not step.among.split(" ")[1].isdigit():  # one child: "its key question 1.1"
        return f"{step.among} {'rises' if direction == 'up' else 'falls'} {levels}"
    return f"{step.among} {'gain' if direction == 'up' else 'lose'} {levels} between them"


def _blocked_text(b) -> str:
    """'Outstanding is blocked while 4.1 is Inadequate (limit resettlement-inadequate)'."""
    return f"{b.level.label} is blocked while {b.condition} (limit '{b.limit}')"


def _count(n: int, unit: str, adjective: str = "") -> str:
    """'1 sufficient case', '3 more sufficient answers'."""
    word = unit[:-1] if n == 1 and unit.endswith("s") else unit
    return f"{n} {adjective}sufficient {word}"


def _needs_text(node_id: str, s: MarginStep, direction: str) -> str:
    if s.more_yes is not None:
        return f"{node_id} gains {_count(s.more_yes, s.unit)}"
    if s.fewer_yes is not None:
        return f"{node_id} loses {_count(s.fewer_yes, s.unit)}"
    if s.points is not None:
        word = "rises" if direction == "up" else "falls"
        return f"{node_id} {word} {fmt_number(s.points)} point{'s' if s.points != 1 else ''}"
    return f"{node_id} reaches {s.level.label}"


def margin_text(r: NodeResult) -> str:
    """'up: Good with 2 more sufficient cases; down: ...', or ''."""
    if r.margin is None:
        return ""
    parts = []
    if r.margin.up is not None:
        parts.append("up: " + _step_text(r.margin.up, "up"))
    elif r.margin.blocked_up is not None:
        parts.append("up: " + _blocked_text(r.margin.blocked_up))
    if r.margin.down is not None:
        parts.append("down: " + _step_text(r.margin.down, "down"))
    elif r.margin.blocked_down is not None:
        parts.append("down: " + _blocked_text(r.margin.blocked_down))
    return "; ".join(parts)


def reference_text(r: NodeResult) -> str:
    """'for reference: Lowest 37%, Highest 91%, Average 68% (source)'."""
    ref = r.reference
    figures = ", ".join(f"{f.label} {fmt_number(f.value)}{'%' if f.unit == 'percent' else ''}" for f in ref.figures)
    return f"for reference: {figures}" + (f" ({' '.join(ref.source.split())})" if ref.source else "")


def figures_text(r: NodeResult) -> str:
    if r.measure is None:
        return ""
    pct = r.percent
    if pct is None:
        return "no applicable cases" if r.measure.of == 0 else ""
    text = f"{fmt_number(pct)}%"
    if r.measure.of is not None:
        text += f" ({r.measure.yes} of {r.measure.of})"
    return text


def _heading(node: Node) -> str:
    return node.title or node.question or ""


def _inferred_note(fw: Framework, named: bool = False) -> list[str]:
    tables = [t for t in fw.bands.values() if t.inferred]
    if not tables:
        return []
    names = ", ".join(t.label or t.id for t in tables)
    of = f"{fw.ref}: the thresholds" if named else "the thresholds"
    return [f"Note: {of} of {names} are inferred from published results, not published."]


def evidence_notes(result: Result) -> list[str]:
    """What every output says about the evidence besides the ratings: partial evidence, and the published
    ratings the rules disagree with (findings)."""
    out = []
    if result.partial:
        left = ", ".join(result.left_out)
        one = len(result.left_out) == 1
        out.append("Partial evidence: " + (f"no evidence for {left}, left out on purpose; {'it is' if one else 'they are'} "
                                           f"not rated, and the ratings above {'it' if one else 'them'} are made "
                                           f"without {'it' if one else 'them'}" if left else
                                           "declared partial, though nothing the framework rates is left out"))
    out += [f"Finding: {f.message}" for f in result.findings]
    return out


# -- text --------------------------------------------------------------------------------


def _one_line(text: str) -> str:
    return " ".join(text.split())


def to_text(result: Result, *, show_prompts: bool = False) -> str:
    """A readable tree: every rated node with its rating, why, and margin."""
    fw = result.framework
    lines = []
    title = result.subject or "(no subject)"
    lines.append(f"{title}: {fw.ref} {fw.title}")
    if result.date or result.evidence_file:
        bits = []
        if result.date:
            bits.append(f"date {result.date}")
        if result.evidence_file:
            bits.append(f"evidence {result.evidence_file}")
        lines.append("  " + ", ".join(bits))
    lines.append("")
    notes = evidence_notes(result)
    if notes:
        lines += notes + [""]
    o = result.overall
    if o is not None:
        score = f" (score {fmt_number(o.value)} of {fmt_number(o.maximum)})" if o.value is not None else ""
        lines.append(f"Overall rating: {_label(o)}{score}")
        lines.append(f"  why: {o.reason}")
        m = margin_text(o)
        if m:
            lines.append(f"  margin: {m}")
        lines.append("")
    shown = [n for n in fw.walk() if result.nodes[n.id].rated or show_prompts]
    id_width = max((len(n.id) + 2 * _depth(n) for n in shown), default=4)
    for node in fw.walk():
        r = result.nodes[node.id]
        depth = _depth(node)
        if depth == 0 and not r.rated:
            lines.append(f"{node.id} {_heading(node)}".rstrip())
            continue
        if not r.rated and not show_prompts:
            continue
        ident = ("  " * depth + node.id).ljust(id_width)
        if not r.rated:
            lines.append(f"{ident}  {'':21} {figures_text(r):15} {_one_line(_heading(node))}".rstrip())
            continue
        detail = figures_text(r)
        if r.how == "judgement":
            detail = "judged" if r.level is not None else ""
        elif r.how == "published":
            detail = "published"
        elif r.decided_by and not detail:
            detail = ("lowest: " if "lowest" in r.reason else "from: ") + ", ".join(r.decided_by)
        lines.append(f"{ident}  {_label(r):21} {detail:15} {_one_line(_heading(node))}".rstrip())
        pad = " " * (id_width + 4)
        if r.level is None:
            lines.append(f"{pad}{r.reason}")
        elif r.how == "judgement" and r.note:
            lines.append(f"{pad}note: {_one_line(r.note)}")
        elif _own_rule(r):
            lines.append(f"{pad}why: {_one_line(r.reason)}")
        m = margin_text(r)
        if m and (r.measure is not None or _own_rule(r)):
            lines.append(f"{pad}{m}")
        if r.reference is not None:
            lines.append(f"{pad}{reference_text(r)}")
    if result.limits_applied:
        lines.append("")
        for a in result.limits_applied:
            lines.append(f"Limit applied: '{a.id}' lowered {a.node_id} from {a.before.label} to {a.after.label}"
                         f" ({a.description or a.condition})")
    notes = _inferred_note(fw)
    if notes:
        lines.append("")
        lines.extend(notes)
    for w in result.warnings:
        lines.append(f"warning: {w.message}")
    return "\n".join(printable(line) for line in lines) + "\n"  # no control characters reach a terminal


def _own_rule(r: NodeResult) -> bool:
    """Rated by a rule whose reason the figures and the deciding nodes do not already give: a banded number
    (a mean, a total), or a domain with a rule of its own."""
    return r.level is not None and r.how == "rule" and r.measure is None and (
        r.value is not None or not r.decided_by or r.limits != [] or r.tier is None)


def _depth(node: Node) -> int:
    d = 0
    while node.parent is not None:
        d += 1
        node = node.parent
    return d


# -- markdown ---------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def md(text: str | None) -> str:
    """Text made safe for a Markdown table cell or paragraph.

    Markdown and HTML characters are escaped, line breaks folded, and a
    leading character that a spreadsheet would read as a formula
    (= + - @) is escaped too.

    >>> md("=HYPERLINK(1)|<b>")
    '\\\\=HYPERLINK\\\\(1\\\\)\\\\|\\\\<b\\\\>'
    """
    if text is None:
        return ""
    text = printable(" ".join(str(text).split()))
    text = _MD_SPECIAL.sub(r"\\\1", text)
    if text[:1] in ("=", "-", "@", "+", "\uff1d", "\uff0b", "\uff0d", "\uff20"):  # and full-width forms
        text = "\\" + text
    return text


def _tier_label(nodes: list[Node], default: str) -> str:
    tiers = {n.tier.id for n in nodes if n.tier is not None}
    return nodes[0].tier.label if len(tiers) == 1 and nodes[0].tier is not None else default


def to_markdown(result: Result) -> str:
    fw = result.framework
    out = []
    subject = md(result.subject or "Inspection")
    o = result.overall
    out.append(f"# {subject}: {md(_label(o)) if o else 'result'}")
    out.append("")
    out.append(f"Framework: **{md(fw.title)}** (`{fw.ref}`)" + (f". Date: {md(result.date)}." if result.date else "."))
    out.append("")
    for note in evidence_notes(result):
        out.append(f"> **{md(note)}**")
        out.append("")
    if o is not None:
        score = f" (score {fmt_number(o.value)} of {fmt_number(o.maximum)})" if o.value is not None else ""
        out.append(f"**Overall rating: {md(_label(o))}**{score}. {md(o.reason[:1].upper() + o.reason[1:])}.")
        m = margin_text(o)
        if m:
            out.append("")
            out.append(f"Margin: {md(m)}.")
        out.append("")
    for root in fw.roots:
        rr = result.nodes[root.id]
        out.append(f"## {md(root.id)} {md(_heading(root))}" + (f": {md(_label(rr))}" if rr.rated else ""))
        out.append("")
        if rr.rated:  # a domain rated by a rule of its own: why, and its margin
            out.append(md(rr.reason[:1].upper() + rr.reason[1:]) + ".")
            m = margin_text(rr)
            if m:
                out.append("")
                out.append(f"Margin: {md(m)}.")
            out.append("")
        rows = [c for c in root.children if result.nodes[c.id].rated]
        if rows:
            out.append(f"| {md(_tier_label(rows, 'Standard'))} | Rating | Why |")
            out.append("|---|---|---|")
            for c in rows:
                r = result.nodes[c.id]
                out.append(f"| {md(c.id)} {md(_heading(c))} | {md(_label(r))} | {md(r.reason)} |")
            out.append("")
        for c in rows:
            kqs = [k for k in c.children if result.nodes[k.id].rated]
            if not kqs:
                continue
            out.append(f"### {md(c.id)} {md(_heading(c))}: {md(_label(result.nodes[c.id]))}")
            out.append("")
            out.append("| Key question | Sufficient | Rating | Margin |")
            out.append("|---|---|---|---|")
            for k in kqs:
                r = result.nodes[k.id]
                out.append(f"| {md(k.id)} {md(_heading(k))} | {md(figures_text(r))} | {md(_label(r))} | "
                           f"{md(margin_text(r))} |")
            out.append("")
    if result.limits_applied:
        out.append("## Limits applied")
        out.append("")
        for a in result.limits_applied:
            out.append(f"- {md(a.id)}: {md(a.node_id)} lowered from {md(a.before.label)} to {md(a.after.label)} "
                       f"({md(a.description or a.condition)})")
        out.append("")
    for note in _inferred_note(fw):
        out.append(f"> {md(note)}")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


class Summary:
    """A summary table of many inspections, one row per result, written as the results come.

    The columns follow the framework: its overall rating and score where it
    has one, otherwise a column per top-level rated node (the 2011 areas).
    A result under a framework with other columns starts a new table. The
    end gives the notes the results rely on (inferred thresholds).
    """

    def __init__(self, fmt: str):
        if fmt not in ("text", "markdown"):
            raise ValueError(f"a summary is text or markdown, not {fmt!r}")
        self.fmt = fmt
        self.columns: tuple | None = None
        self.used: dict[str, tuple[Framework, tuple]] = {}  # ref -> (framework, its columns)
        self._widths: list[int] = []
        self.findings: list[str] = []  # partial evidence and published ratings the rules disagree with: at the end

    @staticmethod
    def _columns(fw: Framework) -> tuple:
        """(key, heading, width) per rating column."""
        level = max((len(lv.label) for sc in fw.scales.values() for lv in sc.levels), default=10)
        if fw.overall is not None:
            limits = (("limits", "Limited by", min(max([10] + [len(lim.id) for lim in fw.limits]), 30)),) \
                if fw.limits else ()
            return (("overall", "Overall rating", max(level, 14)), ("score", "Score", 7)) + limits
        tops = [n for n in fw.nodes.values() if n.parent is None and n.rated]
        return tuple((n.id, _one_line(_heading(n)) or n.id, min(max(level, len(_heading(n) or n.id)), 34))
                     for n in tops)

    def row(self, result: Result) -> str:
        """The result's row, after a table head when the columns change."""
        fw = result.framework
        if fw.ref not in self.used:  # columns worked out once per framework, not per row
            self.used[fw.ref] = (fw, self._columns(fw))
        columns = self.used[fw.ref][1]
        head = ""
        if columns != self.columns:
            head = ("\n" if self.columns is not None else "") + self._head(columns)
            self.columns = columns
        cells = [result.subject or "(no subject)", result.evidence_file or "-", fw.ref]
        for key, _, _ in columns:
            if key == "score":
                o = result.overall
                cells.append(f"{fmt_number(o.value)}/{fmt_number(o.maximum)}"
                             if o is not None and o.value is not None else "-")
            elif key == "limits":  # the limits that changed a rating: the overall's by id, others with the node
                cells.append(", ".join(a.id if a.node_id == "overall" else f"{a.node_id}: {a.id}"
                                       for a in result.limits_applied) or "-")
            else:
                r = result.overall if key == "overall" else result.nodes[key]
                cells.append(_label(r) if r is not None else "-")
        who = result.subject or result.evidence_file or "(no subject)"
        if result.partial:
            self.findings.append(f"Partial evidence: {who}: " + (f"no evidence for {', '.join(result.left_out)}"
                                                                 if result.left_out else "declared partial"))
        self.findings += [f"Finding: {who}: {f.message}" for f in result.findings]
        unrated = [k for k, r in result.nodes.items() if r.rated and r.level is None]
        cells.append(", ".join(unrated) or "-")
        return head + self._line(cells)

    def _head(self, columns: tuple) -> str:
        names = ["Inspection", "Evidence", "Framework", *(name for _, name, _ in columns), "Not rated"]
        if self.fmt == "markdown":
            return "| " + " | ".join(md(n) for n in names) + " |\n|" + "---|" * len(names) + "\n"
        # text: fixed widths (a stream cannot be measured first); long cells are cut
        self._widths = [28, 36, 22] + [w for _, _, w in columns]
        return self._line([n.upper() for n in names])

    def _line(self, cells: list[str]) -> str:
        if self.fmt == "markdown":
            return "| " + " | ".join(md(c) for c in cells) + " |\n"
        out = []
        for i, (cell, width) in enumerate(zip(cells, self._widths)):
            cell = _one_line(cell)
            if len(cell) > width:  # a path loses its start, anything else its end
                cell = "..." + cell[-(width - 3):] if i == 1 else cell[:width - 3] + "..."
            out.append(cell.ljust(width))
        return "  ".join(out + [_one_line(cells[-1])]).rstrip() + "\n"

    def end(self) -> str:
        """The notes for the frameworks the table used."""
        notes = [n for fw, _ in self.used.values() for n in _inferred_note(fw, named=True)]
        notes += self.findings
        if not notes:
            return ""
        return "\n" + "".join(("" if self.fmt == "text" else "> ") + n + "\n" for n in notes)


RENDERERS = {"text": to_text, "json": to_json, "markdown": to_markdown}


def render(result, fmt: str, **options) -> str:
    """Any result as ``text``, ``json`` or ``markdown``: the one protocol every command ends in.

    An evaluation's :class:`Result` is rendered here; every other result
    (a diff, a comparison, an impact, a stability) renders itself through its
    ``render(fmt, **options)`` method.
    """
    if not isinstance(result, Result):
        return result.render(fmt, **options)
    if fmt == "text":
        return to_text(result, **options)
    return RENDERERS[fmt](result)


__all__ = ["to_json", "to_text", "to_markdown", "render", "md", "margin_text"]
