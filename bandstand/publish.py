"""Framework definitions to the pages of a documentation site, as Markdown.

This module knows nothing about MkDocs: it turns loaded frameworks (and the
results of their worked examples) into :class:`Page` objects, each a path
under the docs folder and its Markdown text, and plans the pages of a whole
site with :func:`plan_site`. The MkDocs plugin
(:mod:`bandstand.mkdocs_plugin`) only hands these pages to MkDocs.

Every fact on a page comes from the same model the engine evaluates, so
changing a threshold in a framework file changes the published page on the
next build. Every piece of framework text is escaped where it is written
(:func:`escape`, :func:`code`, :func:`safe_title`): a framework whose title
is ``<script>alert(1)</script>`` publishes that text, not a script.

The URL scheme (``prefix`` is ``frameworks`` unless configured):

========================================  =======================================
``{prefix}/``                             every published framework
``{prefix}/{id}/``                        the versions of one framework
``{prefix}/{id}/{version}/``              a version's overview; ``#{node id}``
                                          for any node links to the node's page
``{prefix}/{id}/{version}/{domain id}/``  one top-level node (a domain) and all
                                          below it; ``#{node id}`` for each
``{prefix}/{id}/{version}/examples/``     worked examples, one page each below
``{prefix}/{id}/{version}/changes/``      what changed from the previous version
========================================  =======================================

>>> from bandstand.catalogue import Catalogue
>>> plan = plan_site([Catalogue().resolve("hmip-youth@2018")])
>>> sorted(plan.pages)[:4]
['frameworks/hmip-youth/2018/1/index.md', 'frameworks/hmip-youth/2018/2/index.md', \
'frameworks/hmip-youth/2018/3/index.md', 'frameworks/hmip-youth/2018/4/index.md']
"""

from __future__ import annotations

import html
import json
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from .refs import version_key  # versions in the catalogue's order
from .refs import date_key
from .diff import FrameworkDiff, diff, sections as diff_sections
from .describe import describe, describe_limit, describe_rule, plural, table_name
from .dsl import ast
from .dsl.checks import Site, interval_of
from .dsl.model import (JUDGED_OPTIONAL, OVERALL, BandTable, Example, Framework, Limit, Node, Scale,
                        fmt_number)
from .engine.evaluate import evaluate
from .engine.evidence import Evidence, inside, load_evidence
from .engine.result import NodeResult, Result
from .errors import BandstandError, Diagnostic
from .limits import DEFAULT_LIMITS, Limits
from .render import figures_text, margin_text
from .testing import check_expectations

__all__ = ["Page", "Plan", "PublishError", "WorkedExample", "escape", "paragraphs", "code",
           "safe_title", "make_page", "plan_site", "add_pages", "framework_pages", "work_examples",
           "compare_versions", "version_dir"]


class PublishError(Exception):
    """A framework cannot be published as asked; the message is one line."""


# -- escaping --------------------------------------------------------------------------------

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


def make_page(path: str, title: str, lines: list[str], *, nav_title: str | None = None) -> Page:
    """A :class:`Page` of Markdown ``lines``, its title (for the nav and the browser tab) set in its front matter.

    ``nav_title`` is a shorter title for the nav than the page's own.
    """
    # a JSON string is a YAML string: the title is never read as YAML syntax
    front = f"---\ntitle: {json.dumps(safe_title(nav_title or title))}\n---\n\n"
    return Page(path, title, front + "\n".join(lines).rstrip() + "\n")


def _url(url) -> str | None:
    """A web address made safe as a Markdown link's destination; None for anything but http(s).

    >>> _url("https://example.org/a b(1)"), _url("javascript:alert(1)")
    ('https://example.org/a%20b%281%29', None)
    """
    if not isinstance(url, str) or not re.match(r"^https?://[^\s]", url.strip(), re.I):
        return None
    # characters that could end the destination or start a title are percent-encoded
    return re.sub(r'[\s()<>"\'\\`]', lambda m: f"%{ord(m.group()):02X}", url.strip()).replace("&", "&amp;")


def _link(text: str, source: str, target: str, anchor: str | None = None) -> str:
    """A Markdown link from page ``source`` to page ``target``; ``text`` is already escaped."""
    rel = posixpath.relpath(target, posixpath.dirname(source))
    return f"[{text}]({rel}{'#' + anchor if anchor else ''})"


# -- pages and plans ------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """One page: its path under the docs folder, its plain title, its Markdown."""

    path: str
    title: str
    markdown: str


@dataclass
class Plan:
    """The pages of a site, with the published frameworks as an ``mkdocs.yml`` nav section.

    ``nav`` has the shape of a ``nav:`` entry's value in ``mkdocs.yml``: a
    list of page paths and ``{title: [...]}`` sections (titles made safe by
    :func:`safe_title`). ``warnings`` are one line each; ``sources`` are the
    files and folders the pages were made from.
    """

    pages: dict[str, Page] = field(default_factory=dict)
    nav: list = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sources: list[Path] = field(default_factory=list)

    def add(self, page: Page) -> None:
        if page.path in self.pages:
            raise PublishError(f"two generated pages would be {page.path}; each framework version may be "
                               "published once")
        self.pages[page.path] = page


class _Anchors:
    """The anchors of one page; a second use of one is a clash the reader would trip over."""

    def __init__(self, page: str):
        self.page, self.used = page, set()

    def __call__(self, anchor: str) -> str:
        if anchor in self.used:
            raise PublishError(f"{self.page}: the anchor '#{anchor}' would be used twice (a node id that "
                               "is also the name of a section of the page); rename the node")
        self.used.add(anchor)
        return anchor


def _heading(node: Node) -> str:
    return node.title or node.question or node.statement or ""


def _version_slug(version: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", version).strip("-") or "version"


def version_dir(fw: Framework, prefix: str = "frameworks") -> str:
    """The folder of a framework version's pages: ``frameworks/hmip-youth/2018``."""
    return posixpath.join(prefix, fw.id, _version_slug(fw.version))


RESERVED = ("examples", "changes")


def _domain_path(base: str, root: Node) -> str:
    if root.id.lower() in RESERVED:
        raise PublishError(f"the top-level node '{root.id}' cannot have a page of its own: "
                           f"{', '.join(RESERVED)} are the names of other pages of a framework version")
    return posixpath.join(base, root.id, "index.md")


def _page_of(node: Node) -> Node:
    while node.parent is not None:
        node = node.parent
    return node


# -- worked examples ---------------------------------------------------------------------------


@dataclass
class WorkedExample:
    """An example of a framework, evaluated: its evidence, full result, and expectations checked."""

    example: Example
    evidence: Evidence
    evidence_text: str
    result: Result
    failures: list[str]
    checked: int


def work_examples(fw: Framework, limits: Limits = DEFAULT_LIMITS) -> list[WorkedExample]:
    """Evaluate every example kept with ``fw``.

    Raises :class:`BandstandError` with located diagnostics when an
    example's evidence cannot be read or does not fit the framework.
    """
    base = fw.path.parent if fw.path is not None else Path(".")
    worked = []
    for ex in fw.examples:
        path = inside(base, ex.evidence)
        if path is None:
            raise BandstandError([Diagnostic.at(
                "check.example-path", f"example '{ex.id}': the evidence path '{ex.evidence}' must be relative "
                "and stay inside the framework's folder", ex.pos)])
        display = str(Path(fw.file).parent / ex.evidence) if fw.file else ex.evidence
        evidence = load_evidence(path, limits=limits, display=display)
        result = evaluate(fw, evidence)
        failures, checked = check_expectations(result, ex.expect)
        text = path.read_text(encoding="utf-8", errors="replace")
        worked.append(WorkedExample(ex, evidence, text, result, failures, checked))
    return worked


# -- what changed between versions -------------------------------------------------------------


def compare_versions(previous: Framework, current: Framework) -> FrameworkDiff:
    """What changed from ``previous`` to ``current``: :func:`bandstand.diff.diff`, as ``bandstand diff`` shows it.

    >>> from bandstand.catalogue import Catalogue
    >>> fw = Catalogue().resolve("hmip-youth@2018")
    >>> compare_versions(fw, fw).identical
    True
    """
    return diff(previous, current)


# -- pieces shared by the pages ---------------------------------------------------------------


def _tables_used(nodes: Iterable[Node], fw: Framework) -> list[BandTable]:
    """The band tables the rules of ``nodes`` band with, in the framework's order."""
    used = set()
    for node in nodes:
        if node.rule is None or not node.rated:
            continue
        for e in ast.walk(node.rule.expr):
            if isinstance(e, ast.Call) and e.func == "band" and len(e.args) == 2 and isinstance(e.args[1], ast.Name):
                used.add(e.args[1].text)
    return [t for t in fw.bands.values() if t.id in used]


def _table_anchor(table: BandTable) -> str:
    return f"bands-{table.id}"


def _band_table(table: BandTable, fw: Framework, anchors: _Anchors, level: int) -> list[str]:
    """A band table as a table, highest band first, with its rounding and provenance."""
    out = [f"{'#' * level} {escape(table.label or table.id)} {{#{anchors(_table_anchor(table))}}}", ""]
    if table.description:
        out += [paragraphs(table.description), ""]
    has_labels = any(b.label for b in table.bands)
    header = "| Rating | Range |" + (" Published as |" if has_labels else "")
    out += [header, "|---|---|" + ("---|" if has_labels else "")]
    for band in sorted(table.bands, key=lambda b: b.level.index, reverse=True):
        row = f"| {escape(band.level.label)} | {escape(band.describe(table.unit))} |"
        if has_labels:
            row += f" {escape(band.label)} |"
        out.append(row)
    out.append("")
    notes = []
    what = _banded_numbers(table, fw)
    if what:
        notes.append(f"What is banded: {escape(what)}.")
    if table.rounding.places is not None:
        notes.append(f"The number is {escape(table.rounding.describe())} before it is banded.")
    if table.provenance is not None:
        p = table.provenance
        if p.status == "inferred":
            src = f" from {', '.join(p.inferred_from)}" if p.inferred_from else ""
            notes.append(f"These thresholds are inferred{' ' + escape(src) if src else ''}, not published.")
        elif p.source:
            notes.append(f"Source: {escape(p.source)}.")
        if p.note:
            notes.append(escape(p.note))
    if notes:
        out += [" ".join(notes), ""]
    return out


def _banded_numbers(table: BandTable, fw: Framework) -> str:
    """What the rules band with ``table``, in words: 'the share of ... (0-100)'."""
    seen: list[str] = []
    for node in fw.nodes.values():
        if node.rule is None or not node.rated:
            continue
        site = Site(node.rule, node, "rule", node.id)
        for e in ast.walk(node.rule.expr):
            if (isinstance(e, ast.Call) and e.func == "band" and len(e.args) == 2
                    and isinstance(e.args[1], ast.Name) and e.args[1].text == table.id):
                text = describe(e.args[0], site, fw)
                span = interval_of(e.args[0], site, fw)
                if span.lo != float("-inf") and span.hi != float("inf"):
                    bounds = f"({fmt_number(span.lo)}-{fmt_number(span.hi)})"
                    if bounds not in text:  # sum_scores describes its own range
                        text += " " + bounds
                if text not in seen:
                    seen.append(text)
    return "; or ".join(seen)


def _scale_table(scale: Scale, anchors: _Anchors) -> list[str]:
    out = [f"### {escape(scale.label)} {{#{anchors('scale-' + scale.id)}}}", ""]
    if scale.description:
        out += [paragraphs(scale.description), ""]
    has_score = any(lv.score is not None for lv in scale.levels)
    has_desc = any(lv.description or lv.aliases for lv in scale.levels)
    header = "| Rating |" + (" Score |" if has_score else "") + (" Description |" if has_desc else "")
    out += [header, "|---|" + ("---|" if has_score else "") + ("---|" if has_desc else "")]
    for lv in sorted(scale.levels, key=lambda lv: lv.index, reverse=True):
        row = f"| {escape(lv.label)} |"
        if has_score:
            row += f" {fmt_number(lv.score) if lv.score is not None else ''} |"
        if has_desc:
            desc = escape(lv.description)
            if lv.aliases:
                desc += (" " if desc else "") + "Also written: " + ", ".join(escape(a) for a in lv.aliases) + "."
            row += f" {desc} |"
        out.append(row)
    out.append("")
    return out


def _limits_on(node: Node, fw: Framework) -> list[Limit]:
    """The limits that cap ``node`` or read its rating."""
    out = []
    for lim in fw.limits:
        reads = any(isinstance(e, ast.String) and e.value == node.id for e in ast.walk(lim.when.expr))
        if lim.applies_to == node.id or reads:
            out.append(lim)
    return out


def _judged_parent(node: Node) -> Node | None:
    a = node.parent
    while a is not None and not a.is_judged:
        a = a.parent
    return a


def _how_rated(node: Node, fw: Framework, page: str, base: str) -> list[str]:
    """Sentences saying how ``node`` is rated (escaped Markdown)."""
    tier_label = node.tier.label if node.tier is not None else "Node"
    bits = [f"**{escape(tier_label)}**"]
    out: list[str] = []
    if node.is_judged:
        if node.judged == JUDGED_OPTIONAL:
            reason = f" ({escape(node.not_rated_reason)})" if node.not_rated_reason else ""
            bits.append(f"Judged by inspectors; not rated without a judgement{reason}")
        else:
            bits.append("Judged by inspectors")
    elif node.rated and node.rule is not None:
        whose = "Rated by rule" if node.rule_from_tier else "Rated by its own rule"
        bits.append(f"{whose}: {escape(describe_rule(node, fw))} ({code(node.rule.text)})")
        tables = _tables_used([node], fw)
        if tables:
            bits.append("See " + ", ".join(f"[{escape(table_name(t))}](#{_table_anchor(t)})" for t in tables))
    elif not node.rated:
        judge = _judged_parent(node)
        if node.tier is not None and not node.tier.rated:
            bits.append("Not rated")
        elif judge is not None:
            bits.append(f"Not rated on its own: inspectors take it into account in judging "
                        f"{_node_link(judge, page, base)}")
        else:
            bits.append("Not rated")
    if node.rated and node.counts_toward_overall:
        bits.append("Counts toward the overall rating")
    elif node.rated and node.tier is not None and node.tier.counts_toward_overall:
        bits.append("Rated separately: does not count toward the overall rating")
    out.append(" · ".join(bits))
    for lim in _limits_on(node, fw):
        out.append(f"Limiting rule: {escape(describe_limit(lim, fw))} {code(lim.when.text)}")
    return out


def _node_link(node: Node, page: str, base: str, text: str | None = None) -> str:
    """A link to a node's anchor on its domain page (``page`` is the linking page)."""
    target = _domain_path(base, _page_of(node))
    label = escape(text if text is not None else node.id)
    if target == page:
        return f"[{label}](#{node.id})"
    return _link(label, page, target, node.id)


# -- the pages of one framework version --------------------------------------------------------


def _domain_page(root: Node, fw: Framework, base: str) -> Page:
    path = _domain_path(base, root)
    anchors = _Anchors(path)
    title = f"{root.id} {_heading(root)}".strip()
    out = [f"# {escape(title)} {{#{anchors(root.id)}}}", ""]
    out += [f"Part of {_link(escape(fw.title), path, posixpath.join(base, 'index.md'))} "
            f"(version {escape(fw.version)})."]
    out += [""]
    out += _node_body(root, fw, path, base)
    for node in root.walk():
        if node is root:
            continue
        depth = _depth(node)
        if _as_list_item(node):
            continue
        level = min(depth + 1, 6)
        out += [f"{'#' * level} {escape(node.id)} {escape(_heading(node))} {{#{anchors(node.id)}}}", ""]
        out += _node_body(node, fw, path, base)
    tables = _tables_used(list(root.walk()), fw)
    if tables:
        out += [f"## Band tables used on this page {{#{anchors('bands')}}}", ""]
        for table in tables:
            out += _band_table(table, fw, anchors, 3)
    # prompts are list items with anchors of their own
    for node in root.walk():
        if _as_list_item(node):
            anchors(node.id)
    return make_page(path, title, out)


def _depth(node: Node) -> int:
    d = 0
    while node.parent is not None:
        d, node = d + 1, node.parent
    return d


def _as_list_item(node: Node) -> bool:
    """Unrated leaves (prompts, the questions of a judged standard) are listed, not headed."""
    return node.parent is not None and not node.rated and not node.children


def _node_body(node: Node, fw: Framework, page: str, base: str) -> list[str]:
    out = []
    # the heading shows the title, or else the question, or else the statement: the rest go here
    if node.title and node.question:
        out += [f"**{escape(node.question)}**", ""]
    if node.statement and (node.title or node.question):
        out += [f"> {escape(node.statement)}", ""]
    for sentence in _how_rated(node, fw, page, base):
        out += [sentence, ""]
    if node.part is not None and (node.parent is None or node.parent.part is not node.part):
        desc = f": {escape(node.part.description)}" if node.part.description else ""
        out += [f"Cases are inspected under the part *{escape(node.part.label)}*{desc}.", ""]
    if node.description:
        out += [paragraphs(node.description), ""]
    if node.guidance:
        out += [f"Guidance: {escape(node.guidance)}", ""]
    items = [c for c in node.children if _as_list_item(c)]
    if items:
        kinds = {c.tier.id for c in items if c.tier is not None}
        name = plural(items[0].tier).capitalize() if len(kinds) == 1 and items[0].tier else "Below"
        if node.is_judged:
            name += ", which inspectors take into account in their judgement (not rated on their own)"
        out += [f"{escape(name)}:", ""]
        for c in items:
            out.append(f'- <a id="{c.id}"></a>**{escape(c.id)}** {escape(_heading(c))}')
        out.append("")
    return out


def _date_sources(sources) -> list[str]:
    """The sources of a version's dates, one bullet each: the date, what the source shows, and where."""
    out = ["*Sources of the dates:*", ""]
    for s in sources:
        where = escape(s["source"])
        if _url(s.get("url")):
            where = f"[{where}]({_url(s['url'])})"
        out.append(f"- {escape(s['date'])}: {escape(s['shows'])} ({where})")
    return out + [""]


def _overview_page(fw: Framework, base: str, examples: list[WorkedExample], changes: FrameworkDiff | None,
                   previous: Framework | None, prefix: str) -> Page:
    path = posixpath.join(base, "index.md")
    anchors = _Anchors(path)
    out = [f"# {escape(fw.title)} {{#{anchors('top')}}}", ""]
    facts = [("Framework", f"{code(fw.id)} version {escape(fw.version)} ({code(fw.ref)})"),
             ("Status", escape(fw.status))]
    if fw.publisher:
        facts.append(("Publisher", escape(fw.publisher)))
    if fw.effective_from or fw.effective_to:
        facts.append(("In force", escape(_in_force(fw))))
    src = fw.source or {}
    if src:
        title = escape(src.get("title") or src.get("document") or "source")
        url = src.get("url")
        text = f"[{title}]({_url(url)})" if _url(url) else title
        if src.get("title") and src.get("document"):
            text += f". {escape(src['document'])}"
        if src.get("published"):
            text += f" (published {escape(src['published'])})"
        if src.get("note"):
            text += f". {escape(src['note'])}"
        facts.append(("Source", text))
    if previous is not None:
        facts.append(("Previous version", _link(escape(previous.version), path,
                                                posixpath.join(version_dir(previous, prefix), "index.md"))))
    out += [f"- **{k}:** {v}" for k, v in facts] + [""]
    if fw.effective_note:
        out += [f"*When in force:* {escape(fw.effective_note)}", ""]
    if fw.effective_sources:
        out += _date_sources(fw.effective_sources)
    if fw.description:
        out += [paragraphs(fw.description), ""]

    out += [f"## Rating scales {{#{anchors('scales')}}}", ""]
    for scale in fw.scales.values():
        out += _scale_table(scale, anchors)

    out += [f"## How a rating is reached {{#{anchors('how-rated')}}}", ""]
    out += _how_reached(fw, path, base)

    if fw.bands:
        out += [f"## Band tables {{#{anchors('bands')}}}", ""]
        for table in fw.bands.values():
            out += _band_table(table, fw, anchors, 3)

    out += [f"## Limiting rules {{#{anchors('limits')}}}", ""]
    if not fw.limits:
        out += ["This framework has no limiting rules.", ""]
    for lim in fw.limits:
        out += [f"### {escape(lim.id)} {{#{anchors('limit-' + lim.id)}}}", ""]
        bound = " and ".join(f"{k.replace('_', ' ')} {code(v.id)}" for k, v in
                             (("at_most", lim.at_most), ("at_least", lim.at_least)) if v is not None)
        out += [f"{escape(describe_limit(lim, fw))}", "",
                f"Rule: when {code(lim.when.text)}, {code(lim.applies_to)} is {bound}.", ""]
        if lim.description:
            out += [f"*As published:* {escape(lim.description)}", ""]

    out += [f"## Contents {{#{anchors('contents')}}}", "",
            "Every node of the framework, linked to its page. Cite a node as this page's address followed "
            "by `#` and the node's id.", ""]
    for root in fw.roots:
        out += _contents(root, fw, path, base, anchors)
    out.append("")

    if examples:
        out += [f"## Worked examples {{#{anchors('examples')}}}", ""]
        out += _examples_table(examples, path, base)
    if changes is not None:
        out += [f"## Changes from version {escape(changes.old.version)} {{#{anchors('changes')}}}", "",
                _link("What changed", path, posixpath.join(base, "changes", "index.md")) + ": "
                + escape(_changes_summary(changes)) + ".", ""]
    return make_page(path, fw.title, out)


def _contents(root: Node, fw: Framework, page: str, base: str, anchors: _Anchors) -> list[str]:
    out = []
    for node in root.walk():
        if _as_list_item(node):
            continue
        indent = "    " * _depth(node)
        tier = f" ({escape(node.tier.label.lower())})" if node.tier is not None else ""
        line = (f'{indent}- <a id="{anchors(node.id)}"></a>'
                f"{_node_link(node, page, base, f'{node.id} {_heading(node)}'.strip())}{tier}")
        items = [c for c in node.children if _as_list_item(c)]
        if items:
            links = []
            for c in items:
                links.append(f'<a id="{anchors(c.id)}"></a>{_node_link(c, page, base)}')
            line += ": " + ", ".join(links)
        out.append(line)
    return out


def _nodes_list(nodes: list[Node], page: str, base: str) -> str:
    return ", ".join(_node_link(n, page, base) for n in nodes)


def _how_reached(fw: Framework, page: str, base: str) -> list[str]:
    """The tiers from the bottom up, then the overall rating: what rates each, in words and as rules."""
    out = ["From the bottom of the hierarchy up:", "",
           "| Level | How it is rated | Rule |", "|---|---|---|"]
    all_nodes = list(fw.walk())
    for tier in reversed(fw.tiers):
        nodes = [n for n in all_nodes if n.tier is tier]
        if not nodes:
            continue
        name = escape(plural(tier).capitalize())
        if not tier.rated:
            rated = [n for n in nodes if n.rated]
            text = "Not rated."
            if rated:
                text += " Rated all the same: " + _nodes_list(rated, page, base) + "."
            out.append(f"| {name} | {text} | |")
            continue
        by_tier_rule = [n for n in nodes if n.rated and n.rule is not None and n.rule_from_tier]
        sentences, rule = [], ""
        if by_tier_rule:
            sentences.append(escape(_capital(describe_rule(by_tier_rule[0], fw))) + ".")
            rule = code(tier.rule.text) if tier.rule is not None else ""
        judged = [n for n in nodes if n.is_judged]
        if judged:
            lead = "Judged by inspectors instead" if by_tier_rule else "Judged by inspectors"
            sentences.append(f"{lead}: {_nodes_list(judged, page, base)}.")
        for n in nodes:
            if n.rated and n.rule is not None and not n.rule_from_tier:
                sentences.append(f"{_node_link(n, page, base)} by its own rule: "
                                 f"{escape(describe_rule(n, fw))} {code(n.rule.text)}.")
        unrated = [n for n in nodes if not n.rated]
        if unrated:
            judges = list(dict.fromkeys(j for j in (_judged_parent(n) for n in unrated) if j is not None))
            if judges and all(_judged_parent(n) is not None for n in unrated):
                sentences.append(f"Not rated under a judged {escape(judges[0].tier.label.lower())} "
                                 f"({_nodes_list(judges, page, base)}): inspectors take them into account.")
            else:
                sentences.append(f"Not rated: {_nodes_list(unrated, page, base)}.")
        if tier.counts_toward_overall:
            apart = [n for n in nodes if n.rated and not n.counts_toward_overall]
            sentences.append("Each counts toward the overall rating"
                             + (f", except {_nodes_list(apart, page, base)}, rated separately." if apart else "."))
        out.append(f"| {name} | {' '.join(sentences)} | {rule} |")
    if fw.overall is not None and fw.overall.rule is not None:
        o = fw.overall
        out.append(f"| {escape(o.title or 'Overall rating')} | {escape(_capital(describe_rule(o, fw)))}. | "
                   f"{code(o.rule.text)} |")
    for lim in fw.limits:
        out.append(f"| Limit {escape(lim.id)} | {escape(describe_limit(lim, fw))} | {code(lim.when.text)} |")
    out.append("")
    if fw.overall is not None and fw.overall.description:
        out += [f"*As published:* {escape(fw.overall.description)}", ""]
    return out


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _examples_table(examples: list[WorkedExample], page: str, base: str) -> list[str]:
    out = ["| Example | Subject | Overall rating | Checked |", "|---|---|---|---|"]
    for w in examples:
        target = posixpath.join(base, "examples", w.example.id, "index.md")
        o = w.result.overall
        overall = _result_label(o) if o is not None else ""
        if o is not None and o.value is not None and o.maximum is not None:
            overall += f" ({fmt_number(o.value)} of {fmt_number(o.maximum)})"
        checked = (f"meets its {w.checked} expectations" if not w.failures
                   else f"{len(w.failures)} of {w.checked} expectations not met")
        out.append(f"| {_link(escape(w.example.title or w.example.id), page, target)} | "
                   f"{escape(w.result.subject)} | {escape(overall)} | {checked} |")
    out.append("")
    return out


def _result_label(r: NodeResult) -> str:
    if r.level is not None:
        return r.level.label
    return "not rated" if r.rated else "-"


def _examples_index(fw: Framework, base: str, examples: list[WorkedExample]) -> Page:
    path = posixpath.join(base, "examples", "index.md")
    title = f"Worked examples: {fw.title}"
    out = ["# Worked examples {#top}", "",
           f"Evidence kept with {_link(escape(fw.title), path, posixpath.join(base, 'index.md'))}, "
           "evaluated when this site was built, and checked against the results the framework file says "
           "they must give (as `bandstand test` does).", ""]
    out += _examples_table(examples, path, base)
    return make_page(path, title, out, nav_title="Worked examples")


def _answer(value: bool | None) -> str:
    return {True: "yes", False: "no", None: "n/a"}[value]


def _example_page(w: WorkedExample, fw: Framework, base: str) -> Page:
    path = posixpath.join(base, "examples", w.example.id, "index.md")
    ev, result = w.evidence, w.result
    title = w.example.title or w.example.id
    out = [f"# {escape(title)} {{#top}}", ""]
    out += [f"Example {code(w.example.id)} of {_link(escape(fw.title), path, posixpath.join(base, 'index.md'))}, "
            f"from the evidence file {code(w.example.evidence)}.", ""]
    if w.failures:
        out += [f"**This result does not give what the framework file expects** "
                f"({len(w.failures)} of {w.checked} expectations not met):", ""]
        out += [f"- {escape(f)}" for f in w.failures] + [""]
    else:
        out += [f"This result gives all {w.checked} of the ratings and scores the framework file expects "
                "for this example.", ""]

    out += ["## Evidence {#evidence}", ""]
    facts = [("Subject", ev.subject), ("Date", ev.date), ("Source", ev.source), ("Notes", ev.notes)]
    facts = [(k, v) for k, v in facts if v]
    if facts:
        out += [f"- **{k}:** {escape(v)}" for k, v in facts] + [""]
    if ev.judgements:
        out += ["### Judgements {#judgements}", "", "| Node | Judgement | Note |", "|---|---|---|"]
        for j in ev.judgements.values():
            node = fw.nodes.get(j.node_id)
            where = _node_link(node, path, base) if node is not None and node.id != OVERALL else escape(j.node_id)
            level = node.scale.find(j.rating) if node is not None and j.rating is not None else None
            shown = level.label if level is not None else (j.rating if j.rating is not None else "not rated")
            out.append(f"| {where} | {escape(shown)} | "
                       f"{escape(j.note)} |")
        out.append("")
    if ev.figures:
        out += ["### Published figures {#figures}", "", "| Node | Sufficient | Of | Percent |", "|---|---|---|---|"]
        for f in ev.figures.values():
            node = fw.nodes.get(f.node_id)
            where = _node_link(node, path, base) if node is not None and node.id != OVERALL else escape(f.node_id)
            cells = ["" if x is None else fmt_number(x) for x in (f.yes, f.of, f.percent)]
            out.append(f"| {where} | {cells[0]} | {cells[1]} | {cells[2] + '%' if cells[2] else ''} |")
        out.append("")
    if ev.cases:
        out += ["### Cases {#cases}", ""]
        parts = list(dict.fromkeys(c.part for c in ev.cases))
        for part_id in parts:
            cases = [c for c in ev.cases if c.part == part_id]
            part = fw.parts.get(part_id)
            out += [f"{escape(part.label if part else part_id)}: {len(cases)} case{'s' if len(cases) != 1 else ''}.",
                    ""]
            columns = list(dict.fromkeys(k for c in cases for k in c.answers))
            has_label = any(c.label for c in cases)
            head = ["Case"] + (["Label"] if has_label else []) + [
                _node_link(fw.nodes[k], path, base) if k in fw.nodes else escape(k) for k in columns]
            out += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
            for c in cases:
                row = [escape(c.id)] + ([escape(c.label)] if has_label else [])
                row += [_answer(c.answers[k]) if k in c.answers else "" for k in columns]
                out.append("| " + " | ".join(row) + " |")
            out.append("")
    # the file as written, verbatim; a raw HTML block, so Markdown does not read its text
    out += ["<details>", f"<summary>The evidence file, {html.escape(w.example.evidence)}</summary>",
            f"<pre><code>{html.escape(w.evidence_text)}</code></pre>", "</details>", ""]

    out += ["## Result {#result}", ""]
    o = result.overall
    if o is not None:
        score = (f" (score {fmt_number(o.value)} of {fmt_number(o.maximum)})"
                 if o.value is not None and o.maximum is not None else "")
        out += [f"**Overall rating: {escape(_result_label(o))}**{' ' + escape(score) if score else ''}. "
                f"Why: {escape(o.reason)}.", ""]
        m = margin_text(o)
        if m:
            out += [f"Margin: {escape(m)}.", ""]
    if result.limits_applied:
        for a in result.limits_applied:
            out += [f"Limit applied: {escape(a.id)} lowered {escape(a.node_id)} from {escape(a.before.label)} "
                    f"to {escape(a.after.label)} ({escape(a.description or a.condition)}).", ""]
    else:
        out += ["No limiting rule applied.", ""]
    for root in fw.roots:
        rows = [n for n in root.walk() if result.nodes[n.id].rated]
        if not rows:
            continue
        out += [f"### {escape(root.id)} {escape(_heading(root))} {{#result-{root.id}}}", "",
                "| Node | | Rating | Sufficient | Why | Margin |", "|---|---|---|---|---|---|"]
        for n in rows:
            r = result.nodes[n.id]
            out.append(f"| {_node_link(n, path, base)} | {escape(_heading(n))} | {escape(_result_label(r))} | "
                       f"{escape(figures_text(r))} | {escape(r.reason)} | {escape(margin_text(r))} |")
        out.append("")
    if result.warnings:
        out += ["Warnings from the evidence:", ""] + [f"- {escape(d.message)}" for d in result.warnings] + [""]
    return make_page(path, title, out)


def _changes_summary(changes: FrameworkDiff) -> str:
    if changes.identical:
        return "no changes to the rules, bands, scales or wording"
    counts: dict[str, int] = {}
    for title, items in diff_sections(changes):
        counts[title.lower()] = len(items)
    return ", ".join(f"{n} change{'s' if n != 1 else ''} to {what}" for what, n in counts.items())


def _words(words: list[tuple[str, str]]) -> str:
    """Changed words marked: struck through when removed, bold when added."""
    return " ".join(escape(t) if op == "equal" else (f"~~{escape(t)}~~" if op == "delete" else f"**{escape(t)}**")
                    for op, t in words)


def _changes_page(changes: FrameworkDiff, base: str, prefix: str) -> Page:
    fw, prev = changes.new, changes.old
    path = posixpath.join(base, "changes", "index.md")
    prev_base = version_dir(prev, prefix)
    title = f"Changes from version {prev.version} to {fw.version}"
    out = [f"# {escape(title)} {{#top}}", "",
           f"{_link(escape(fw.title), path, posixpath.join(base, 'index.md'))} compared with "
           f"{_link('version ' + escape(prev.version), path, posixpath.join(prev_base, 'index.md'))}: "
           f"{escape(_changes_summary(changes))}. The command line shows the same: bandstand diff "
           f"{escape(prev.ref)} {escape(fw.ref)}.", ""]
    if changes.identity:
        out += ["## The versions {#versions}", ""] + [f"- {escape(c.text)}" for c in changes.identity] + [""]
    explained: set[str] = set()
    for section, items in diff_sections(changes):
        out += [f"## {escape(section)} {{#{_slug(section)}}}", ""]
        for c in items:
            line = f"- {escape(c.text)}"
            if c.kind == "node-removed" and c.subject in prev.nodes:
                line = f"- removed {_node_link(prev.nodes[c.subject], path, prev_base, _label(prev.nodes[c.subject]))}"
            elif c.kind == "node-added" and c.subject in fw.nodes:
                node = fw.nodes[c.subject]
                where = f" under {escape(node.parent.id)}" if node.parent else ""
                below = len(c.after or ()) - 1
                count = " " + escape(f"(with {below} node{'s' if below != 1 else ''} below it)") if below > 0 else ""
                line = f"- added {_node_link(node, path, base, _label(node))}{where}{count}"
            elif c.kind.startswith("node-") and c.subject in fw.nodes:
                text = c.text[len(c.subject) + 2:] if c.text.startswith(f"{c.subject}: ") else c.text
                line = f"- {_node_link(fw.nodes[c.subject], path, base, c.subject)}: {escape(text)}"
            if c.words:
                line += f": {_words(c.words)}"
            if c.note and c.note not in explained:
                explained.add(c.note)
                line += f" *Why: {escape(c.note)}*"
            out.append(line)
        out.append("")
    return make_page(path, title, out)


def _label(node: Node) -> str:
    return f"{node.id} {_heading(node)}".strip()


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def framework_pages(fw: Framework, *, prefix: str = "frameworks", examples: list[WorkedExample] | None = None,
                    previous: Framework | None = None) -> list[Page]:
    """Every page of one framework version: overview, a page per top-level node, examples, changes.

    ``examples`` defaults to :func:`work_examples` of ``fw``; ``previous`` is
    the version before it, when that is published too.

    >>> from bandstand.catalogue import Catalogue
    >>> pages = framework_pages(Catalogue().resolve("hmip-youth@2018"), examples=[])
    >>> [p.path for p in pages][:2]
    ['frameworks/hmip-youth/2018/index.md', 'frameworks/hmip-youth/2018/1/index.md']
    """
    base = version_dir(fw, prefix)
    worked = work_examples(fw) if examples is None else examples
    changes = compare_versions(previous, fw) if previous is not None else None
    inferred = [t for t in fw.bands.values() if t.inferred]
    pages = [_overview_page(fw, base, worked, changes, previous, prefix)]
    pages += [_domain_page(root, fw, base) for root in fw.roots]
    if worked:
        pages.append(_examples_index(fw, base, worked))
        pages += [_example_page(w, fw, base) for w in worked]
    if changes is not None:
        pages.append(_changes_page(changes, base, prefix))
    if inferred:  # every page of the version says so, not only the band tables
        names = ", ".join(f"'{t.label or t.id}'" for t in inferred)
        warning = ["", '!!! warning "Thresholds inferred, not published"', "",
                   f"    The thresholds of {escape(names)} are inferred from published results, not published by "
                   f"{escape(fw.publisher or 'the publisher')}: ratings that use them are the best reading of the "
                   "published results, not the publisher's rule.", ""]
        pages = [_after_heading(p, warning) for p in pages]
    return pages


def _after_heading(page: Page, lines: list[str]) -> Page:
    """The page with ``lines`` inserted after its first heading."""
    text = page.markdown.split("\n")
    i = next(k for k, line in enumerate(text) if line.startswith("# "))
    return Page(page.path, page.title, "\n".join(text[: i + 1] + lines + text[i + 1:]))


# -- the whole site ------------------------------------------------------------------------------


def _in_force(fw: Framework) -> str:
    """'from 2018-06 to 2021-06', 'from 2021-07', or nothing."""
    return " ".join(filter(None, [f"from {fw.effective_from}" if fw.effective_from else "",
                                  f"to {fw.effective_to}" if fw.effective_to else ""]))


def _index_page(frameworks: list[Framework], prefix: str) -> Page:
    path = posixpath.join(prefix, "index.md")
    out = ["# Published frameworks {#top}", "",
           "Each page below is generated, when this site is built, from the framework's definition file: the "
           "same file bandstand evaluates evidence with.", "",
           "| Framework | Version | Status | In force | Publisher |", "|---|---|---|---|---|"]
    for fw in frameworks:
        target = posixpath.join(version_dir(fw, prefix), "index.md")
        span = _in_force(fw)
        out.append(f"| {_link(escape(fw.title), path, target)} | {_link(escape(fw.version), path, target)} | "
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
                    f"{code(at + _page_of(example).id + '/#' + example.id)}.")
    out += ["These addresses stay the same from one build to the next.", ""]
    return make_page(path, "Published frameworks", out)


def _id_page(fid: str, versions: list[Framework], prefix: str) -> Page:
    path = posixpath.join(prefix, fid, "index.md")
    latest = versions[-1]
    out = [f"# {escape(latest.title)} {{#top}}", "",
           f"The published versions of {code(fid)}, newest last.", "",
           "| Version | Title | Status | In force |", "|---|---|---|---|"]
    for fw in versions:
        target = posixpath.join(version_dir(fw, prefix), "index.md")
        span = _in_force(fw)
        out.append(f"| {_link(escape(fw.version), path, target)} | {escape(fw.title)} | {escape(fw.status)} | "
                   f"{escape(span)} |")
    return make_page(path, latest.title, out)


def plan_site(frameworks: list[Framework], *, prefix: str = "frameworks",
              examples: dict[str, list[WorkedExample]] | None = None, crosswalks: Iterable = ()) -> Plan:
    """The pages publishing ``frameworks`` (and the ``crosswalks`` between them), and their nav section.

    ``examples`` maps ``id@version`` to worked examples already evaluated;
    any framework not in it has its examples evaluated here. Raises
    :class:`PublishError` when two files define the same version, and
    :class:`BandstandError` when an example's evidence cannot be used.
    """
    prefix = prefix.strip("/") or "frameworks"
    by_ref: dict[str, Framework] = {}
    for fw in frameworks:
        if fw.ref in by_ref:
            other = by_ref[fw.ref]
            raise PublishError(f"{fw.ref} is published twice: from {other.file or '?'} and {fw.file or '?'}")
        by_ref[fw.ref] = fw
    # versions in the order they came into force (the catalogue's order)
    ordered = sorted(by_ref.values(), key=lambda f: (f.id, date_key(f.effective_from) or "", version_key(f.version)))
    if "crosswalks" in {fw.id for fw in ordered}:
        raise PublishError(f"a framework with the id 'crosswalks' would share the address {prefix}/crosswalks/ "
                           "with the crosswalk pages; choose another id")
    plan = Plan()
    plan.add(_index_page(ordered, prefix))
    plan.nav.append(posixpath.join(prefix, "index.md"))
    ids = list(dict.fromkeys(fw.id for fw in ordered))
    for fid in ids:
        versions = [fw for fw in ordered if fw.id == fid]
        slugs: dict[str, str] = {}
        for fw in versions:
            slug = _version_slug(fw.version)
            if slug in slugs:
                raise PublishError(f"versions '{slugs[slug]}' and '{fw.version}' of {fid} would share the "
                                   f"address {prefix}/{fid}/{slug}/")
            slugs[slug] = fw.version
        plan.add(_id_page(fid, versions, prefix))
        id_nav: list = [posixpath.join(prefix, fid, "index.md")]
        for i, fw in enumerate(versions):
            worked = (examples or {}).get(fw.ref)
            if worked is None:
                worked = work_examples(fw)
            for w in worked:
                if w.failures:
                    plan.warnings.append(f"{fw.ref}: example '{w.example.id}' does not give the result it "
                                         f"expects: {w.failures[0]}"
                                         + (f" (and {len(w.failures) - 1} more)" if len(w.failures) > 1 else ""))
            previous = versions[i - 1] if i > 0 else None
            pages = framework_pages(fw, prefix=prefix, examples=worked, previous=previous)
            base = version_dir(fw, prefix)
            version_nav: list = []
            example_nav: list = []
            for page in pages:
                plan.add(page)
                (example_nav if page.path.startswith(f"{base}/examples/") else version_nav).append(page.path)
            if example_nav:
                changes = [p for p in version_nav if p == f"{base}/changes/index.md"]
                version_nav = [p for p in version_nav if p not in changes]
                version_nav.append({"Worked examples": example_nav})
                version_nav += changes
            id_nav.append({safe_title(fw.version): version_nav})
            if fw.path is not None:
                plan.sources.append(Path(fw.path))
                # the folders of the evidence files: they hold the CSV files that evidence names too
                folders = (Path(fw.path).parent / w.example.evidence for w in worked)
                plan.sources.extend(dict.fromkeys(f.parent for f in folders))
        plan.nav.append({safe_title(versions[-1].title): id_nav})
    published = [cw for cw in crosswalks if _joins(cw, ordered)]
    if published:
        section = []
        for cw in published:
            page = _crosswalk_page(cw, ordered, prefix)
            plan.add(page)
            section.append(page.path)
        plan.nav.append({"Crosswalks": section})
    return plan


def _joins(cw, frameworks: list[Framework]) -> tuple[Framework, Framework] | None:
    """The published versions a crosswalk joins (the latest of each side), or None."""
    sources = [fw for fw in frameworks if _matches_ref(cw.from_ref, fw)]
    targets = [fw for fw in frameworks if _matches_ref(cw.to_ref, fw)]
    return (sources[-1], targets[-1]) if sources and targets else None


def _matches_ref(ref: str, fw: Framework) -> bool:
    fid, _, version = ref.partition("@")
    return fw.id == fid and (not version or fw.version == version)


def _crosswalk_page(cw, frameworks: list[Framework], prefix: str) -> Page:
    """A crosswalk as tables: which parts and nodes feed which, how levels correspond, its caveats."""
    source, target = _joins(cw, frameworks)
    cw.check(source, target)
    path = posixpath.join(prefix, "crosswalks", _version_slug(cw.id), "index.md")
    src_base, dst_base = version_dir(source, prefix), version_dir(target, prefix)
    out = [f"# {escape(cw.title)} {{#top}}", ""]
    if cw.description:
        out += [escape(cw.description), ""]
    out += [f"Evidence for {_link(escape(source.title), path, posixpath.join(src_base, 'index.md'))} "
            f"({escape(source.ref)}) read under {_link(escape(target.title), path, posixpath.join(dst_base, 'index.md'))} "
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
            feeds = "<br>".join(_node_link(source.nodes[f], path, src_base, _label(source.nodes[f])) for f in m.from_nodes)
            how = {"each": "every answer", "all": "yes when all are", "any": "yes when any is"}[m.combine]
            out.append(f"| {_node_link(to, path, dst_base, _label(to))} | {feeds} | {how} |")
        out.append("")
    if cw.judgements:
        out += ["## Judgements {#judgements}", "", f"| {escape(target.ref)} | takes the judgement of |", "|---|---|"]
        out += [f"| {_node_link(target.nodes[t], path, dst_base, _label(target.nodes[t]))} | "
                f"{_node_link(source.nodes[f], path, src_base, _label(source.nodes[f]))} |"
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


def add_pages(plan: Plan, pages: Iterable[Page]) -> Plan:
    """Add pages made elsewhere (the reference pages) to a plan."""
    for page in pages:
        plan.add(page)
    return plan

