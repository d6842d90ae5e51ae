"""A crosswalk between two published frameworks, as tables."""

from __future__ import annotations

import posixpath

from ..dsl.model import Framework
from .addresses import label, node_link, version_dir, version_slug
from .markdown import escape, link
from .page import Page, make_page

__all__ = ["crosswalk_page", "joins"]


def crosswalk_page(cw, frameworks: list[Framework], prefix: str) -> Page:
    """A crosswalk as tables: which parts and nodes feed which, how levels correspond, its caveats."""
    joined = joins(cw, frameworks)
    assert joined is not None  # site.py makes pages only of the crosswalks joins() finds
    source, target = joined
    cw.check(source, target)
    path = posixpath.join(prefix, "crosswalks", version_slug(cw.id), "index.md")
    src_base, dst_base = version_dir(source, prefix), version_dir(target, prefix)
    out = [f"# {escape(cw.title)} {{#top}}", ""]
    if cw.description:
        out += [escape(cw.description), ""]
    out += [f"Evidence for {link(escape(source.title), path, posixpath.join(src_base, 'index.md'))} "
            f"({escape(source.ref)}) read under {link(escape(target.title), path, posixpath.join(dst_base, 'index.md'))} "
            f"({escape(target.ref)}). The command line shows the same evidence under both: bandstand compare "
            f"{escape(source.ref)} {escape(target.ref)} EVIDENCE.", ""]
    if cw.note:
        out += ["!!! note \"Caveats\"", "", f"    {escape(cw.note)}", ""]
    if cw.parts:
        out += ["## Parts {#parts}", "", f"| Cases of {escape(source.ref)} | are read as cases of {escape(target.ref)} |",
                "|---|---|"]
        out += [f"| {escape(source.parts[a].label)} | {escape(target.parts[b].label)} |" for a, b in cw.parts.items()]
        out.append("")
    if cw.answers:
        out += ["## Answers {#answers}", "", f"| {escape(target.ref)} | takes the answers of | counted |", "|---|---|---|"]
        for m in cw.answers:
            to = target.nodes[m.to_node]
            feeds = "<br>".join(node_link(source.nodes[f], path, src_base, label(source.nodes[f])) for f in m.from_nodes)
            how = {"each": "every answer", "all": "yes when all are", "any": "yes when any is"}[m.combine]
            out.append(f"| {node_link(to, path, dst_base, label(to))} | {feeds} | {how} |")
        out.append("")
    if cw.judgements:
        out += ["## Judgements {#judgements}", "", f"| {escape(target.ref)} | takes the judgement of |", "|---|---|"]
        out += [f"| {node_link(target.nodes[t], path, dst_base, label(target.nodes[t]))} | "
                f"{node_link(source.nodes[f], path, src_base, label(source.nodes[f]))} |"
                for t, (f, _) in cw.judgements.items()]
        out.append("")
    if cw.levels:
        out += ["## Levels {#levels}", "", "How ratings correspond where they are compared: an assumption of the "
                "crosswalk, not an equivalence the publishers state.", "",
                f"| {escape(source.ref)} | {escape(target.ref)} |", "|---|---|"]
        for a, b in cw.levels:
            la = next((s.find(a) for s in source.scales.values() if s.find(a)), None)
            lb = next((s.find(b) for s in target.scales.values() if s.find(b)), None)
            out.append(f"| {escape(la.label if la else a)} | {escape(lb.label if lb else b)} |")
        out.append("")
    return make_page(path, cw.title, out, nav_title=cw.title)


def joins(cw, frameworks: list[Framework]) -> tuple[Framework, Framework] | None:
    """The published versions a crosswalk joins (the latest of each side), or None."""
    sources = [fw for fw in frameworks if _matches_ref(cw.from_ref, fw)]
    targets = [fw for fw in frameworks if _matches_ref(cw.to_ref, fw)]
    return (sources[-1], targets[-1]) if sources and targets else None


def _matches_ref(ref: str, fw: Framework) -> bool:
    fid, _, version = ref.partition("@")
    return fw.id == fid and (not version or fw.version == version)
