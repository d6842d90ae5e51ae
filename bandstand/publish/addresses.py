"""Where each page and node is: the site's URL scheme, and links to a node's anchor.

See :mod:`bandstand.publish` for the scheme.
"""

from __future__ import annotations

import posixpath
import re

from ..dsl.model import Framework, Node
from .markdown import escape, link
from .page import PublishError

__all__ = ["RESERVED", "heading", "is_numbering", "label", "version_slug", "version_dir", "domain_path", "page_of", "node_link"]


RESERVED = ("examples", "changes")


def heading(node: Node) -> str:
    return node.title or node.question or node.statement or ""


# ids that are the publisher's own numbering ("2", "2.1", "2.1.1.a"), shown beside the heading; any other id
# ("likelihood_of_reoffending") is the file's internal name, and the reader sees the heading alone
_NUMBERING = re.compile(r"^[0-9]+(?:\.[0-9A-Za-z]+)*$")


def is_numbering(node_id: str) -> bool:
    """Whether a node id is published numbering, shown to readers.

    >>> is_numbering("2.1.1.a"), is_numbering("likelihood_of_reoffending"), is_numbering("sentence")
    (True, False, False)
    """
    return bool(_NUMBERING.match(node_id))


def label(node: Node) -> str:
    """A node as readers know it: its number and heading, or its heading alone when its id is internal.

    The id is kept where there is nothing else to show.
    """
    if is_numbering(node.id) or not heading(node):
        return f"{node.id} {heading(node)}".strip()
    return heading(node)


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
