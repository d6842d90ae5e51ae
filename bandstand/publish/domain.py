"""The page of one top-level node (a domain) and every node below it, each with its anchor."""

from __future__ import annotations

import posixpath

from ..describe import describe_limit, describe_rule, plural, table_name
from ..dsl import ast
from ..dsl.model import JUDGED_OPTIONAL, Framework, Limit, Node
from .addresses import domain_path, heading, label, node_link
from .markdown import code, end_sentence, escape, link, paragraphs
from .meaning import judged_meaning, level_meanings, rounding_note
from .page import Anchors, Page, make_page
from .tables import band_table, table_anchor, tables_used

__all__ = ["domain_page", "node_sections", "depth_of", "as_list_item", "judged_parent"]


def domain_page(root: Node, fw: Framework, base: str) -> Page:
    path = domain_path(base, root)
    anchors = Anchors(path)
    title = label(root)
    out = [f"# {escape(title)} {{#{anchors(root.id)}}}", ""]
    out += [f"Part of {link(escape(fw.title), path, posixpath.join(base, 'index.md'))} "
            f"(version {escape(fw.version)})."]
    out += [""]
    out += _node_body(root, fw, path, base)
    out += node_sections(root, fw, path, base, anchors)
    tables = tables_used(list(root.walk()), fw)
    if tables:
        out += [f"## Band tables used on this page {{#{anchors('bands')}}}", ""]
        for table in tables:
            out += band_table(table, fw, anchors, 3)
    return make_page(path, title, out)


def node_sections(root: Node, fw: Framework, page: str, base: str, anchors: Anchors, *, shift: int = 0,
                  with_root: bool = False) -> list[str]:
    """The headed sections of the nodes below ``root`` (and of ``root`` itself ``with_root``), headings ``shift``
    levels deeper than on a domain page; the anchors of the listed nodes (prompts) are taken too."""
    out = []
    for node in root.walk():
        if (node is root and not with_root) or as_list_item(node):
            continue
        level = min(depth_of(node) + 1 + shift, 6)
        out += [f"{'#' * level} {escape(label(node))} {{#{anchors(node.id)}}}", ""]
        out += _node_body(node, fw, page, base)
    # prompts are list items with anchors of their own
    for node in root.walk():
        if as_list_item(node):
            anchors(node.id)
    return out


def depth_of(node: Node) -> int:
    d = 0
    while node.parent is not None:
        d, node = d + 1, node.parent
    return d


def as_list_item(node: Node) -> bool:
    """Unrated leaves (prompts, the questions of a judged standard) are listed, not headed."""
    return node.parent is not None and not node.rated and not node.children


def _node_body(node: Node, fw: Framework, page: str, base: str) -> list[str]:
    out = []
    # the heading shows the title, or else the question, or else the statement: the rest go here
    if node.title and node.question:
        out += [f"**{escape(node.question)}**", ""]
    if node.statement and (node.title or node.question):
        out += [f"> {escape(node.statement)}", ""]
    for sentence in _how_rated(node, fw, page, base):
        out += [sentence, ""]
    out += _meanings(node, fw)
    if node.part is not None and (node.parent is None or node.parent.part is not node.part):
        desc = f": {escape(node.part.description)}" if node.part.description else ""
        out += [end_sentence(f"Cases are inspected under the part *{escape(node.part.label)}*{desc}"), ""]
    if node.description:
        out += [paragraphs(node.description), ""]
    if node.guidance:
        out += [f"Guidance: {escape(node.guidance)}", ""]
    items = [c for c in node.children if as_list_item(c)]
    if items:
        kinds = {c.tier.id for c in items if c.tier is not None}
        name = plural(items[0].tier).capitalize() if len(kinds) == 1 and items[0].tier else "Below"
        if node.is_judged:
            name += ", which inspectors take into account in their judgement (not rated on their own)"
        out += [f"{escape(name)}:", ""]
        for c in items:
            out.append(f'- <a id="{c.id}"></a>**{escape(c.id)}** {escape(heading(c))}')
        out.append("")
    return out


def _meanings(node: Node, fw: Framework) -> list[str]:
    """What each rating of ``node`` means under its rule, or that inspectors judge it (escaped Markdown)."""
    if node.is_judged and node.rated:
        return [escape(judged_meaning(node)), ""]
    meanings = level_meanings(node, fw)
    if not meanings:
        return []
    out = ["What each rating means:", ""]
    out += [f"- **{escape(level)}:** {escape(text)}" for level, text in meanings]
    out.append("")
    note = rounding_note(node, fw)
    if note:
        out += [escape(note), ""]
    return out


def _how_rated(node: Node, fw: Framework, page: str, base: str) -> list[str]:
    """Sentences saying how ``node`` is rated (escaped Markdown)."""
    tier_label = node.tier.label if node.tier is not None else "Node"
    bits = [f"**{escape(tier_label)}**"]
    out: list[str] = []
    if node.is_judged:
        if node.judged == JUDGED_OPTIONAL:
            reason = f" ({escape(node.not_rated_reason)})" if node.not_rated_reason else ""
            bits.append(f"Judged by inspectors; not rated without a judgement{reason}")
        else:
            bits.append("Judged by inspectors")
    elif node.rated and node.rule is not None:
        whose = "Rated by rule" if node.rule_from_tier else "Rated by its own rule"
        bits.append(f"{whose}: {escape(describe_rule(node, fw))} ({code(node.rule.text)})")
        tables = tables_used([node], fw)
        if tables:
            bits.append("See " + ", ".join(f"[{escape(table_name(t))}](#{table_anchor(t)})" for t in tables))
    elif not node.rated:
        judge = judged_parent(node)
        if node.tier is not None and not node.tier.rated:
            bits.append("Not rated")
        elif judge is not None:
            bits.append(f"Not rated on its own: inspectors take it into account in judging "
                        f"{node_link(judge, page, base)}")
        else:
            bits.append("Not rated")
    if node.rated and node.counts_toward_overall:
        bits.append("Counts toward the overall rating")
    elif node.rated and node.tier is not None and node.tier.counts_toward_overall:
        bits.append("Rated separately: does not count toward the overall rating")
    out.append(" · ".join(bits))
    for lim in _limits_on(node, fw):
        out.append(f"Limiting rule: {escape(describe_limit(lim, fw))} {code(lim.when.text)}")
    return out


def _limits_on(node: Node, fw: Framework) -> list[Limit]:
    """The limits that cap ``node`` or read its rating."""
    out = []
    for lim in fw.limits:
        reads = any(isinstance(e, ast.String) and e.value == node.id for e in ast.walk(lim.when.expr))
        if lim.applies_to == node.id or reads:
            out.append(lim)
    return out


def judged_parent(node: Node) -> Node | None:
    a = node.parent
    while a is not None and not a.is_judged:
        a = a.parent
    return a
