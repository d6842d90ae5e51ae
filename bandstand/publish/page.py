"""A generated page (its path, title and Markdown), and the anchors on it."""

from __future__ import annotations

import json
from dataclasses import dataclass

from .markdown import safe_title

__all__ = ["PublishError", "Page", "make_page", "Anchors"]


class PublishError(Exception):
    """A framework cannot be published as asked; the message is one line."""


@dataclass(frozen=True)
class Page:
    """One page: its path under the docs folder, its plain title, its Markdown."""

    path: str
    title: str
    markdown: str


def make_page(path: str, title: str, lines: list[str], *, nav_title: str | None = None) -> Page:
    """A :class:`Page` of Markdown ``lines``, its title (for the nav and the browser tab) set in its front matter.

    ``nav_title`` is a shorter title for the nav than the page's own.
    """
    # a JSON string is a YAML string: the title is never read as YAML syntax
    front = f"---\ntitle: {json.dumps(safe_title(nav_title or title))}\n---\n\n"
    return Page(path, title, front + "\n".join(lines).rstrip() + "\n")


class Anchors:
    """The anchors of one page; a second use of one is a clash the reader would trip over."""

    def __init__(self, page: str):
        self.page, self.used = page, set()

    def __call__(self, anchor: str) -> str:
        if anchor in self.used:
            raise PublishError(f"{self.page}: the anchor '#{anchor}' would be used twice (a node id that "
                               "is also the name of a section of the page); rename the node")
        self.used.add(anchor)
        return anchor
