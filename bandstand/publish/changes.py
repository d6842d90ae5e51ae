"""What changed from the previous version: the changes page, as ``bandstand diff`` shows it."""

from __future__ import annotations

import posixpath
import re

from ..diff import FrameworkDiff, diff, sections as diff_sections
from ..dsl.model import Framework
from .addresses import label, node_link, version_dir
from .markdown import escape, link
from .page import Page, make_page

__all__ = ["compare_versions", "changes_summary", "changes_page"]


def compare_versions(previous: Framework, current: Framework) -> FrameworkDiff:
    """What changed from ``previous`` to ``current``: :func:`bandstand.diff.diff`, as ``bandstand diff`` shows it.

    >>> from bandstand.catalogue import Catalogue
    >>> fw = Catalogue().resolve("hmip-youth@2018")
    >>> compare_versions(fw, fw).identical
    True
    """
    return diff(previous, current)


def changes_summary(changes: FrameworkDiff) -> str:
    if changes.identical:
        return "no changes to the rules, bands, scales or wording"
    counts: dict[str, int] = {}
    for title, items in diff_sections(changes):
        counts[title.lower()] = len(items)
    return ", ".join(f"{n} change{'s' if n != 1 else ''} to {what}" for what, n in counts.items())


def _words(words: list[tuple[str, str]]) -> str:
    """Changed words marked: struck through when removed, bold when added.

    Removed words are ``<del>``, plain HTML, not ``~~``: that needs an extension a site may not have.
    """
    return " ".join(escape(t) if op == "equal" else (f"<del>{escape(t)}</del>" if op == "delete" else f"**{escape(t)}**")
                    for op, t in words)


def changes_page(changes: FrameworkDiff, base: str, prefix: str) -> Page:
    fw, prev = changes.new, changes.old
    path = posixpath.join(base, "changes", "index.md")
    prev_base = version_dir(prev, prefix)
    title = f"Changes from version {prev.version} to {fw.version}"
    out = [f"# {escape(title)} {{#top}}", "",
           f"{link(escape(fw.title), path, posixpath.join(base, 'index.md'))} compared with "
           f"{link('version ' + escape(prev.version), path, posixpath.join(prev_base, 'index.md'))}: "
           f"{escape(changes_summary(changes))}. The command line shows the same: bandstand diff "
           f"{escape(prev.ref)} {escape(fw.ref)}.", ""]
    if changes.identity:
        out += ["## The versions {#versions}", ""] + [f"- {escape(c.text)}" for c in changes.identity] + [""]
    explained: set[str] = set()
    for section, items in diff_sections(changes):
        out += [f"## {escape(section)} {{#{_slug(section)}}}", ""]
        for c in items:
            line = f"- {escape(c.text)}"
            if c.kind == "node-removed" and c.subject in prev.nodes:
                line = f"- removed {node_link(prev.nodes[c.subject], path, prev_base, label(prev.nodes[c.subject]))}"
            elif c.kind == "node-added" and c.subject in fw.nodes:
                node = fw.nodes[c.subject]
                where = f" under {escape(node.parent.id)}" if node.parent else ""
                below = len(c.after or ()) - 1
                count = " " + escape(f"(with {below} node{'s' if below != 1 else ''} below it)") if below > 0 else ""
                line = f"- added {node_link(node, path, base, label(node))}{where}{count}"
            elif c.kind.startswith("node-") and c.subject in fw.nodes:
                text = c.text[len(c.subject) + 2:] if c.text.startswith(f"{c.subject}: ") else c.text
                line = f"- {node_link(fw.nodes[c.subject], path, base, c.subject)}: {escape(text)}"
            if c.words:
                line += f": {_words(c.words)}"
            if c.note and c.note not in explained:
                explained.add(c.note)
                line += f" *Why: {escape(c.note)}*"
            out.append(line)
        out.append("")
    return make_page(path, title, out)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
