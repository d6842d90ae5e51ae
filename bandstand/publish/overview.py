"""A framework version's overview page: its facts, scales, how a rating is reached, bands, limits, contents."""

from __future__ import annotations

import posixpath
from pathlib import Path
from urllib.parse import quote

from ..describe import describe_limit, describe_rule, plural
from ..diff import FrameworkDiff
from ..dsl.model import Framework, Node
from .addresses import label, node_link, version_dir
from .calculator import calculator_markdown
from .changes import changes_summary
from .coverage import coverage_lines
from .diagram import rating_diagram
from .domain import as_list_item, depth_of, judged_parent
from .examples import WorkedExample, examples_table
from .indexes import in_force
from .markdown import code, escape, link, paragraphs, safe_url
from .page import Anchors, Page, make_page
from .tables import band_table, scale_table

__all__ = ["overview_page", "rules_sections", "source_files", "PRINT_PAGE"]


def overview_page(fw: Framework, base: str, examples: list[WorkedExample], changes: FrameworkDiff | None,
                   previous: Framework | None, prefix: str) -> Page:
    path = posixpath.join(base, "index.md")
    anchors = Anchors(path)
    out = [f"# {escape(fw.title)} {{#{anchors('top')}}}", ""]
    facts = [("Framework", f"{code(fw.id)} version {escape(fw.version)} ({code(fw.ref)})"),
             ("Status", escape(fw.status))]
    if fw.publisher:
        facts.append(("Publisher", escape(fw.publisher)))
    if fw.effective_from or fw.effective_to:
        facts.append(("In force", escape(in_force(fw))))
    src = fw.source or {}
    if src:
        title = escape(src.get("title") or src.get("document") or "source")
        url = src.get("url")
        text = f"[{title}]({safe_url(url)})" if safe_url(url) else title
        if src.get("title") and src.get("document"):
            text += f". {escape(src['document'])}"
        if src.get("published"):
            text += f" (published {escape(src['published'])})"
        if src.get("note"):
            text += f". {escape(src['note'])}"
        facts.append(("Source", text))
    files = source_files(fw, base)
    if files:
        mine, *bases = [_download(name) for name in files]
        text = mine + (", which extends " + ", ".join(bases) if bases else "")
        facts.append(("Definition file", text + " (YAML, as bandstand reads it)"))
    facts.append(("On one page", link("the whole framework, for printing", path, posixpath.join(base, PRINT_PAGE))))
    if previous is not None:
        facts.append(("Previous version", link(escape(previous.version), path,
                                                posixpath.join(version_dir(previous, prefix), "index.md"))))
    out += [f"- **{k}:** {v}" for k, v in facts] + [""]
    if fw.effective_note:
        out += [f"*When in force:* {escape(fw.effective_note)}", ""]
    if fw.effective_sources:
        out += _date_sources(fw.effective_sources)
    if fw.description:
        out += [paragraphs(fw.description), ""]

    out += rules_sections(fw, path, base, anchors)
    out += calculator_markdown(fw, path, anchors("calculator"))

    out += [f"## Contents {{#{anchors('contents')}}}", "",
            "Every node of the framework, linked to its page. Cite a node as this page's address followed "
            "by `#` and the node's id.", ""]
    for root in fw.roots:
        out += _contents(root, fw, path, base, anchors)
    out.append("")

    if examples:
        out += [f"## Worked examples {{#{anchors('examples')}}}", ""]
        out += examples_table(examples, path, base)
        out += coverage_lines(fw, examples)
    if changes is not None:
        out += [f"## Changes from version {escape(changes.old.version)} {{#{anchors('changes')}}}", "",
                link("What changed", path, posixpath.join(base, "changes", "index.md")) + ": "
                + escape(changes_summary(changes)) + ".", ""]
    return make_page(path, fw.title, out)


PRINT_PAGE = "print/index.md"


def source_files(fw: Framework, base: str) -> dict[str, str]:
    """The framework's definition file and those it extends, nearest first, as copied into the site beside its pages.

    Empty for a framework not read from a file.
    """
    if fw.path is None:
        return {}
    out = {}
    for source in (fw.path, *fw.bases):
        source = Path(source)
        out[posixpath.join(base, source.name)] = source.read_text(encoding="utf-8")
    return out


def _download(path: str) -> str:
    """A link that downloads a file copied beside the overview (``path``)."""
    name = posixpath.basename(path)
    return f"[{escape(name)}]({quote(name)}){{: download }}"


def rules_sections(fw: Framework, path: str, base: str, anchors: Anchors) -> list[str]:
    """The scales, how a rating is reached (diagram and table), band tables and limiting rules."""
    out: list[str] = []
    out += [f"## Rating scales {{#{anchors('scales')}}}", ""]
    for scale in fw.scales.values():
        out += scale_table(scale, anchors)

    out += [f"## How a rating is reached {{#{anchors('how-rated')}}}", ""]
    out += rating_diagram(fw)
    out += _how_reached(fw, path, base)

    if fw.bands:
        out += [f"## Band tables {{#{anchors('bands')}}}", ""]
        for table in fw.bands.values():
            out += band_table(table, fw, anchors, 3)

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

    return out


def _date_sources(sources) -> list[str]:
    """The sources of a version's dates, one bullet each: the date, what the source shows, and where."""
    out = ["*Sources of the dates:*", ""]
    for s in sources:
        where = escape(s["source"])
        if safe_url(s.get("url")):
            where = f"[{where}]({safe_url(s['url'])})"
        out.append(f"- {escape(s['date'])}: {escape(s['shows'])} ({where})")
    return out + [""]


def _contents(root: Node, fw: Framework, page: str, base: str, anchors: Anchors) -> list[str]:
    out = []
    for node in root.walk():
        if as_list_item(node):
            continue
        indent = "    " * depth_of(node)
        tier = f" ({escape(node.tier.label.lower())})" if node.tier is not None else ""
        line = (f'{indent}- <a id="{anchors(node.id)}"></a>'
                f"{node_link(node, page, base, label(node))}{tier}")
        items = [c for c in node.children if as_list_item(c)]
        if items:
            links = []
            for c in items:
                links.append(f'<a id="{anchors(c.id)}"></a>{node_link(c, page, base)}')
            line += ": " + ", ".join(links)
        out.append(line)
    return out


def _nodes_list(nodes: list[Node], page: str, base: str) -> str:
    return ", ".join(node_link(n, page, base) for n in nodes)


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
                sentences.append(f"{node_link(n, page, base)} by its own rule: "
                                 f"{escape(describe_rule(n, fw))} {code(n.rule.text)}.")
        unrated = [n for n in nodes if not n.rated]
        if unrated:
            judges = list(dict.fromkeys(j for j in (judged_parent(n) for n in unrated) if j is not None))
            if judges and all(judged_parent(n) is not None for n in unrated):
                judged_tier = judges[0].tier
                assert judged_tier is not None  # a node of the tree: build.py gives each its depth's tier
                sentences.append(f"Not rated under a judged {escape(judged_tier.label.lower())} "
                                 f"({_nodes_list(judges, page, base)}): inspectors take them into account.")
            else:
                sentences.append(f"Not rated: {_nodes_list(unrated, page, base)}.")
        if tier.counts_toward_overall:
            apart = [n for n in nodes if n.rated and not n.counts_toward_overall]
            sentences.append("Each counts toward the overall rating"
                             + (f", except {_nodes_list(apart, page, base)}, rated separately." if apart else "."))
        out.append(f"| {name} | {' '.join(sentences)} | {rule} |")
    if (o := fw.overall) is not None and o.rule is not None:
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
