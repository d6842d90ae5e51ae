"""Where each page and node is: the site's URL scheme, and links to a node's anchor.

See :mod:`bandstand.publish` for the scheme.
"""

from __future__ import annotations

import posixpath
import re

from ..dsl.model import Framework, Node
from .markdown import escape, link
from .page import PublishError

__all__ = ["RESERVED", "heading", "label", "version_slug", "version_dir", "domain_path", "page_of", "node_link"]


RESERVED = ("examples", "changes")


def heading(node: Node) -> str:
    return node.title or node.question or node.statement or ""


def label(node: Node) -> str:
    return f"{node.id} {heading(node)}".strip()


def version_slug(version: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", version).strip("-") or "version"


def version_dir(fw: Framework, prefix: str = "frameworks") -> str:
    """The folder of a framework version's pages: ``frameworks/hmip-youth/2018``."""
    return posixpath.join(prefix, fw.id, version_slug(fw.version))


def domain_path(base: str, root: Node) -> str:
    if root.id.lower() in RESERVED:
        raise PublishError(f"the top-level node '{root.id}' cannot have a page of its own: "
                           f"{', '.join(RESERVED)} are the names of other pages of a framework version")
    return posixpath.join(base, root.id, "index.md")


def page_of(node: Node) -> Node:
    while node.parent is not None:
        node = node.parent
    return node


def node_link(node: Node, page: str, base: str, text: str | None = None) -> str:
    """A link to a node's anchor on its domain page (``page`` is the linking page)."""
    target = domain_path(base, page_of(node))
    label = escape(text if text is not None else node.id)
    if target == page:
        return f"[{label}](#{node.id})"
    return link(label, page, target, node.id)
