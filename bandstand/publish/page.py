"""A generated page (its path, title and Markdown), and the anchors on it."""

from __future__ import annotations

import json
from dataclasses import dataclass

from .markdown import escape, safe_title

__all__ = ["PublishError", "Page", "make_page", "versioned", "Anchors"]


class PublishError(Exception):
    """A framework cannot be published as asked; the message is one line."""


@dataclass(frozen=True)
class Page:
    """One page: its path under the docs folder, its plain title, its Markdown.

    ``nav_title`` is the page's label in the site's nav, when it is shorter than its title.
    """

    path: str
    title: str
    markdown: str
    nav_title: str | None = None


def make_page(path: str, title: str, lines: list[str], *, nav_title: str | None = None) -> Page:
    """A :class:`Page` of Markdown ``lines``, its title (for the nav and the browser tab) set in its front matter.

    ``nav_title`` is a shorter title for the nav than the page's own.
    """
    # a JSON string is a YAML string: the title is never read as YAML syntax
    front = f"---\ntitle: {json.dumps(safe_title(nav_title or title))}\n---\n\n"
    return Page(path, title, front + "\n".join(lines).rstrip() + "\n")


def versioned(page: Page, version: str, *, boost: float | None = None, retitle: bool = True) -> Page:
    """``page`` of a framework version, its title and first heading naming the version; ranked by ``boost`` in search.

    Search results show a page's first heading and the browser tab its title, so the pages of two versions
    of a framework differ there; the nav, where the version is the section above, keeps the title it had.
    """
    front, _, body = page.markdown.partition("\n---\n\n")
    nav = json.loads(front.split("title: ", 1)[1])
    title = f"{page.title} · version {version}" if retitle else page.title
    meta = f"---\ntitle: {json.dumps(safe_title(title), ensure_ascii=False)}\n"
    if boost is not None:
        meta += f"search:\n  boost: {boost}\n"
    lines = body.split("\n")
    if not retitle:
        return Page(page.path, title, meta + "---\n\n" + body, nav_title=nav)
    i = next(k for k, line in enumerate(lines) if line.startswith("# "))
    heading, brace, anchor = lines[i].rpartition(" {#")
    if not brace:
        heading, anchor = lines[i], ""
    lines[i] = f"{heading} · version {escape(version)}" + (f" {{#{anchor}" if brace else "")
    return Page(page.path, title, meta + "---\n\n" + "\n".join(lines), nav_title=nav)


class Anchors:
    """The anchors of one page; a second use of one is a clash the reader would trip over."""

    def __init__(self, page: str):
        self.page, self.used = page, set[str]()

    def __call__(self, anchor: str) -> str:
        if anchor in self.used:
            raise PublishError(f"{self.page}: the anchor '#{anchor}' would be used twice (a node id that "
                               "is also the name of a section of the page); rename the node")
        self.used.add(anchor)
        return anchor
