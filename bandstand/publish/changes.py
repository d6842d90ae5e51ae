"""What changed from the previous version: the changes page, as ``bandstand diff`` shows it."""

from __future__ import annotations

import posixpath
import re

from ..diff import FrameworkDiff, diff, sections as diff_sections
from ..dsl.model import Framework, Level
from .addresses import label, node_link, version_dir
from .markdown import code, escape, link
from .page import Page, make_page

__all__ = ["compare_versions", "changes_summary", "changes_page", "side_by_side"]


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
    out += side_by_side(prev, fw)
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


def side_by_side(old: Framework, new: Framework) -> list[str]:
    """The thresholds and rules of two versions in one table, a row each, changed rows marked in words."""
    rows: list[tuple[str, str, str]] = []
    na = "none"
    for tid in dict.fromkeys([*old.bands, *new.bands]):
        a, b = old.bands.get(tid), new.bands.get(tid)
        name = (b or old.bands[tid]).label or tid  # (a table of the new version, or else of the old)
        levels: dict[str, Level] = {}
        for table in (a, b):
            for band in (table.bands if table else ()):
                levels.setdefault(band.level.id, band.level)
        for lid, level in sorted(levels.items(), key=lambda kv: kv[1].index, reverse=True):
            def ranges(table):
                found = [band.describe(table.unit) for band in table.bands if band.level.id == lid] if table else []  # noqa: B023 - called in this iteration
                return escape(", ".join(found)) if found else na
            rows.append((f"{escape(name)}: {escape(level.label)}", ranges(a), ranges(b)))
        def rounding(table):
            return escape(table.rounding.describe()) if table and table.rounding.places is not None else na
        if (a and a.rounding.places is not None) or (b and b.rounding.places is not None):
            rows.append((f"{escape(name)}: rounding", rounding(a), rounding(b)))
    for tid in dict.fromkeys([*(t.id for t in old.tiers), *(t.id for t in new.tiers)]):
        old_tier = next((t for t in old.tiers if t.id == tid), None)
        new_tier = next((t for t in new.tiers if t.id == tid), None)
        tier = new_tier or old_tier
        assert tier is not None  # a tier of one version or the other
        def tier_rule(t):
            if t is None:
                return na
            return code(t.rule.text) if t.rule is not None else ("not rated" if not t.rated else na)
        rows.append((f"Rule of each {escape(tier.label.lower())}", tier_rule(old_tier), tier_rule(new_tier)))
    for nid in dict.fromkeys([*old.nodes, *new.nodes]):
        old_node, new_node = old.nodes.get(nid), new.nodes.get(nid)
        def own(n):
            if n is None:
                return "not in this version"
            if n.is_judged:
                return "judged by inspectors"
            return code(n.rule.text) if n.rule is not None and not n.rule_from_tier else None
        if nid != "overall" and (own(old_node) not in (None, na) or own(new_node) not in (None, na)):
            rows.append((f"Rule of {escape(nid)}", own(old_node) or "its tier's rule",
                         own(new_node) or "its tier's rule"))
    def overall(fw):
        return code(fw.overall.rule.text) if fw.overall is not None and fw.overall.rule is not None else na
    rows.append(("Overall rating", overall(old), overall(new)))
    def counted(fw):
        return escape(", ".join(n.id for n in fw.walk() if n.rated and n.counts_toward_overall)) or na
    rows.append(("Counted toward the overall rating", counted(old), counted(new)))
    for lid in dict.fromkeys([*(lim.id for lim in old.limits), *(lim.id for lim in new.limits)]):
        def limit(fw):
            lim = next((x for x in fw.limits if x.id == lid), None)  # noqa: B023 - called in this iteration
            if lim is None:
                return na
            bound = " and ".join(f"{k.replace('_', ' ')} {escape(v.label)}" for k, v in
                                 (("at_most", lim.at_most), ("at_least", lim.at_least)) if v is not None)
            return f"when {code(lim.when.text)}, {escape(lim.applies_to)} is {bound}"
        rows.append((f"Limiting rule {escape(lid)}", limit(old), limit(new)))
    out = ["## Side by side {#side-by-side}", "",
           f"The thresholds and rules of version {escape(old.version)} and version {escape(new.version)}; "
           "the last column says which differ.", "",
           f"| Threshold or rule | Version {escape(old.version)} | Version {escape(new.version)} | Changed |",
           "|---|---|---|---|"]
    out += [f"| {what} | {a} | {b} | {'changed' if a != b else 'same'} |" for what, a, b in rows]
    return out + [""]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
