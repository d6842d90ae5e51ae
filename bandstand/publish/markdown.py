"""Markdown that Python-Markdown reads as plain text: escaping, titles, links.

Every piece of framework text is escaped where it is written (:func:`escape`,
:func:`code`, :func:`safe_title`): a framework whose title is
``<script>alert(1)</script>`` publishes that text, not a script.
"""

from __future__ import annotations

import posixpath
import re

__all__ = ["escape", "paragraphs", "code", "safe_title", "safe_url", "link", "end_sentence"]

# Characters that mean something to Python-Markdown or one of the extensions a
# site may enable (tables, attr_list, emoji, mark, tilde, magiclink, arithmatex),
# or to HTML. Written as character references they are only ever text.
_SPECIAL = frozenset("\\`*_{}[]()#+!|<>&~=^:$@")
_LINE_START = re.compile(r"^(\d+)([.)])(?=\s|$)")


def escape(text: str | None) -> str:
    """Text shown as written in Markdown that Python-Markdown reads: no markup, no HTML.

    Whitespace is folded to single spaces. :func:`bandstand.render.md` uses
    backslash escapes, which CommonMark reads as escapes but Python-Markdown
    shows for ``<``, ``=`` and ``@``; character references read the same
    everywhere.

    >>> escape("<script>alert(1)</script>")
    '&#60;script&#62;alert&#40;1&#41;&#60;/script&#62;'
    >>> escape("1. Good | *very*")
    '1&#46; Good &#124; &#42;very&#42;'
    >>> escape("Requires improvement")
    'Requires improvement'
    """
    if text is None:
        return ""
    text = " ".join(str(text).split())
    out = "".join(f"&#{ord(c)};" if c in _SPECIAL else c for c in text)
    # a list marker or rule at the start of a line: "1. ", "- ", "+ "
    out = _LINE_START.sub(lambda m: m.group(1) + f"&#{ord(m.group(2))};", out)
    if out[:1] in ("-", "+"):
        out = f"&#{ord(out[0])};" + out[1:]
    return out


def end_sentence(markdown: str) -> str:
    """A sentence of escaped Markdown, ending in one full stop: none added after its own end.

    >>> end_sentence("Children sentenced (community and custodial sentences)")
    'Children sentenced (community and custodial sentences).'
    >>> end_sentence(escape("Sentenced (community and custodial sentences).")), end_sentence(escape("Why?"))
    ('Sentenced &#40;community and custodial sentences&#41;.', 'Why?')
    """
    text = markdown.rstrip()
    return text if text.endswith((".", "?", "!", f"&#{ord('!')};", "…")) else text + "."


def paragraphs(text: str | None) -> str:
    """Text of one or more paragraphs (split at blank lines), each escaped."""
    if not text:
        return ""
    return "\n\n".join(escape(p) for p in re.split(r"\n\s*\n", text.strip()) if p.strip())


def code(text: str) -> str:
    """An expression shown as code, safe inside a paragraph or a table cell.

    >>> code('rating("4.1") == inadequate')
    '<code>rating&#40;"4.1"&#41; &#61;&#61; inadequate</code>'
    """
    return f"<code>{escape(text)}</code>"


def safe_title(text: str) -> str:
    """A page or section title for a site's navigation and the browser tab.

    Themes print titles into HTML without escaping them in some places and
    after unescaping them in others (``<title>{{ page.title | striptags }}``),
    so no title may hold ``<`` or ``>`` at all: they become single
    guillemets, which read the same. The page itself shows the exact text.

    >>> safe_title("</title><script>x</script> & co")
    '‹/title›‹script›x‹/script› &amp; co'
    """
    text = " ".join(str(text).split())
    return text.replace("&", "&amp;").replace("<", "\u2039").replace(">", "\u203a")


def safe_url(url) -> str | None:
    """A web address made safe as a Markdown link's destination; None for anything but http(s).

    >>> safe_url("https://example.org/a b(1)"), safe_url("javascript:alert(1)")
    ('https://example.org/a%20b%281%29', None)
    """
    if not isinstance(url, str) or not re.match(r"^https?://[^\s]", url.strip(), re.I):
        return None
    # characters that could end the destination or start a title are percent-encoded
    return re.sub(r'[\s()<>"\'\\`]', lambda m: f"%{ord(m.group()):02X}", url.strip()).replace("&", "&amp;")


def link(text: str, source: str, target: str, anchor: str | None = None) -> str:
    """A Markdown link from page ``source`` to page ``target``; ``text`` is already escaped."""
    rel = posixpath.relpath(target, posixpath.dirname(source))
    return f"[{text}]({rel}{'#' + anchor if anchor else ''})"
