"""The index pages: every published framework, and the versions of one."""

from __future__ import annotations

import posixpath

from ..dsl.model import Framework
from .addresses import page_of, version_dir
from .markdown import code, escape, link
from .page import Page, make_page

__all__ = ["in_force", "index_page", "id_page"]


def in_force(fw: Framework) -> str:
    """'from 2018-06 to 2021-06', 'from 2021-07', or nothing."""
    return " ".join(filter(None, [f"from {fw.effective_from}" if fw.effective_from else "",
                                  f"to {fw.effective_to}" if fw.effective_to else ""]))


def index_page(frameworks: list[Framework], prefix: str) -> Page:
    path = posixpath.join(prefix, "index.md")
    out = ["# Published frameworks {#top}", "",
           "Each page below is generated, when this site is built, from the framework's definition file: the "
           "same file bandstand evaluates evidence with.", "",
           "| Framework | Version | Status | In force | Publisher |", "|---|---|---|---|---|"]
    for fw in frameworks:
        target = posixpath.join(version_dir(fw, prefix), "index.md")
        span = in_force(fw)
        out.append(f"| {link(escape(fw.title), path, target)} | {link(escape(fw.version), path, target)} | "
                   f"{escape(fw.status)} | {escape(span)} | {escape(fw.publisher)} |")
    out += ["", "## Citing a framework {#citing}", "",
            f"Every version has its own address, {code(prefix + '/<id>/<version>/')}, each top-level node a page "
            f"below it, and every node an anchor named by its id."]
    # a rated question makes the best example (2.1.1 for HMIP's youth framework); else any node below the top
    nodes = [n for n in frameworks[0].walk() if n.parent is not None] if frameworks else []
    example = next((n for n in nodes if n.rated and n.question), nodes[0] if nodes else None)
    if example is not None:
        fw = frameworks[0]
        at = f"{version_dir(fw, prefix)}/"
        out[-1] += (f" For example, {code(at + '#' + example.id)} is {escape(example.id)} of {escape(fw.ref)}: "
                    f"the overview's contents link it to the page that holds it, "
                    f"{code(at + page_of(example).id + '/#' + example.id)}.")
    out += ["These addresses stay the same from one build to the next.", ""]
    return make_page(path, "Published frameworks", out)


def id_page(fid: str, versions: list[Framework], prefix: str) -> Page:
    path = posixpath.join(prefix, fid, "index.md")
    latest = versions[-1]
    out = [f"# {escape(latest.title)} {{#top}}", "",
           f"The published versions of {code(fid)}, newest last.", "",
           "| Version | Title | Status | In force |", "|---|---|---|---|"]
    for fw in versions:
        target = posixpath.join(version_dir(fw, prefix), "index.md")
        span = in_force(fw)
        out.append(f"| {link(escape(fw.version), path, target)} | {escape(fw.title)} | {escape(fw.status)} | "
                   f"{escape(span)} |")
    return make_page(path, latest.title, out)
