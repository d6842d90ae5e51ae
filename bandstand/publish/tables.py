"""Rating scales and band tables as Markdown tables, shared by the overview and the domain pages."""

from __future__ import annotations

from typing import Iterable

from ..describe import describe
from ..dsl.checks import interval_of
from ..dsl.model import BandTable, Framework, Node, Scale, fmt_number
from ..dsl.resolve import facts
from .markdown import end_sentence, escape, paragraphs
from .page import Anchors

__all__ = ["tables_used", "table_anchor", "band_table", "scale_table"]


def tables_used(nodes: Iterable[Node], fw: Framework) -> list[BandTable]:
    """The band tables the rules of ``nodes`` band with, in the framework's order."""
    rules = facts(fw).rules
    used = {table.id for node in nodes if node.rated and node.id in rules for _, table in rules[node.id].band_calls}
    return [t for t in fw.bands.values() if t.id in used]


def table_anchor(table: BandTable) -> str:
    return f"bands-{table.id}"


def band_table(table: BandTable, fw: Framework, anchors: Anchors, level: int) -> list[str]:
    """A band table as a table, highest band first, with its rounding and provenance.

    Its heading names the ratings it gives, so that searching the site for a rating ("Requires improvement")
    finds the tables that say what it takes (search ranks words in headings first).
    """
    levels = ", ".join(dict.fromkeys(b.level.label for b in sorted(table.bands, key=lambda b: b.level.index,
                                                                     reverse=True)))
    out = [f"{'#' * level} {escape(table.label or table.id)}: {escape(levels)} {{#{anchors(table_anchor(table))}}}",
           ""]
    if table.description:
        out += [paragraphs(table.description), ""]
    has_labels = any(b.label for b in table.bands)
    header = "| Rating | Range |" + (" Published as |" if has_labels else "")
    out += [header, "|---|---|" + ("---|" if has_labels else "")]
    for band in sorted(table.bands, key=lambda b: b.level.index, reverse=True):
        row = f"| {escape(band.level.label)} | {escape(band.describe(table.unit))} |"
        if has_labels:
            row += f" {escape(band.label)} |"
        out.append(row)
    out.append("")
    notes = []
    what = _banded_numbers(table, fw)
    if what:
        notes.append(f"What is banded: {escape(what)}.")
    if table.rounding.places is not None:
        notes.append(f"The number is {escape(table.rounding.describe())} before it is banded.")
    if table.provenance is not None:
        p = table.provenance
        if p.status == "inferred":
            src = f" from {', '.join(p.inferred_from)}" if p.inferred_from else ""
            notes.append(f"These thresholds are inferred{' ' + escape(src) if src else ''}, not published.")
        elif p.source:
            notes.append(end_sentence(f"Source: {escape(p.source)}"))
        if p.note:
            notes.append(escape(p.note))
    if notes:
        out += [" ".join(notes), ""]
    return out


def _banded_numbers(table: BandTable, fw: Framework) -> str:
    """What the rules band with ``table``, in words: 'the share of ... (0-100)'."""
    seen: list[str] = []
    for site, call in facts(fw).band_uses[table.id]:
        if site.kind != "rule":
            continue
        text = describe(call.args[0], site, fw)
        span = interval_of(call.args[0], site, fw)
        if span.lo != float("-inf") and span.hi != float("inf"):
            bounds = f"({fmt_number(span.lo)}-{fmt_number(span.hi)})"
            if bounds not in text:  # sum_scores describes its own range
                text += " " + bounds
        if text not in seen:
            seen.append(text)
    return "; or ".join(seen)


def scale_table(scale: Scale, anchors: Anchors) -> list[str]:
    out = [f"### {escape(scale.label)} {{#{anchors('scale-' + scale.id)}}}", ""]
    if scale.description:
        out += [paragraphs(scale.description), ""]
    has_score = any(lv.score is not None for lv in scale.levels)
    has_desc = any(lv.description or lv.aliases for lv in scale.levels)
    header = "| Rating |" + (" Score |" if has_score else "") + (" Description |" if has_desc else "")
    out += [header, "|---|" + ("---|" if has_score else "") + ("---|" if has_desc else "")]
    for lv in sorted(scale.levels, key=lambda lv: lv.index, reverse=True):
        row = f"| {escape(lv.label)} |"
        if has_score:
            row += f" {fmt_number(lv.score) if lv.score is not None else ''} |"
        if has_desc:
            desc = escape(lv.description)
            if lv.aliases:
                desc += (" " if desc else "") + "Also written: " + ", ".join(escape(a) for a in lv.aliases) + "."
            row += f" {desc} |"
        out.append(row)
    out.append("")
    return out
