"""The whole of a framework version on one page, for printing: its facts, rules, band tables and every node."""

from __future__ import annotations

import posixpath

from ..dsl.model import Framework
from .domain import node_sections
from .markdown import escape, link, paragraphs
from .overview import PRINT_PAGE, rules_sections
from .page import Anchors, Page, make_page

__all__ = ["print_page"]


def print_page(fw: Framework, base: str) -> Page:
    path = posixpath.join(base, PRINT_PAGE)
    anchors = Anchors(path)
    out = [f"# {escape(fw.title)} {{#{anchors('top')}}}", "",
           f"The whole of {link('version ' + escape(fw.version), path, posixpath.join(base, 'index.md'))} on one "
           "page, for printing: the rules and band tables, then every node from the top of the hierarchy down. "
           "Its links lead to the pages of the site.", ""]
    if fw.description:
        out += [paragraphs(fw.description), ""]
    out += rules_sections(fw, path, base, anchors)
    for root in fw.roots:
        out += node_sections(root, fw, path, base, anchors, shift=1, with_root=True)
    return make_page(path, f"{fw.title}, on one page", out, nav_title="On one page, for printing")
