"""The plan of a whole site: every page of every published version, and the nav section listing them."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from ..refs import date_key, version_key
from ..dsl.model import Framework
from .addresses import version_dir, version_slug
from .changes import changes_page, compare_versions
from .crosswalks import crosswalk_page, joins
from .domain import domain_page
from .examples import WorkedExample, example_page, examples_index, work_examples
from .indexes import id_page, in_force, index_page
from .markdown import escape, link, safe_title
from .overview import overview_page, source_files
from .printable import print_page
from .page import Page, PublishError, versioned

__all__ = ["Plan", "plan_site", "framework_pages", "add_pages"]


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
    files: dict[str, str] = field(default_factory=dict)  # other files of the site (the definition files), by path

    def add(self, page: Page) -> None:
        if page.path in self.pages:
            raise PublishError(f"two generated pages would be {page.path}; each framework version may be "
                               "published once")
        self.pages[page.path] = page


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
    ordered = sorted(by_ref.values(), key=version_order)
    if "crosswalks" in {fw.id for fw in ordered}:
        raise PublishError(f"a framework with the id 'crosswalks' would share the address {prefix}/crosswalks/ "
                           "with the crosswalk pages; choose another id")
    plan = Plan()
    plan.add(index_page(ordered, prefix))
    plan.nav.append(posixpath.join(prefix, "index.md"))
    ids = list(dict.fromkeys(fw.id for fw in ordered))
    for fid in ids:
        versions = [fw for fw in ordered if fw.id == fid]
        current = in_force_now(versions)
        slugs: dict[str, str] = {}
        for fw in versions:
            slug = version_slug(fw.version)
            if slug in slugs:
                raise PublishError(f"versions '{slugs[slug]}' and '{fw.version}' of {fid} would share the "
                                   f"address {prefix}/{fid}/{slug}/")
            slugs[slug] = fw.version
        plan.add(id_page(fid, versions, prefix))
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
            pages = framework_pages(fw, prefix=prefix, examples=worked, previous=previous, current=current)
            base = version_dir(fw, prefix)
            version_nav: list = []
            example_nav: list = []
            for page in pages:
                plan.add(page)
                entry = {page.nav_title: page.path} if page.nav_title else page.path
                (example_nav if page.path.startswith(f"{base}/examples/") else version_nav).append(entry)
            if example_nav:
                changes = [p for p in version_nav if _path(p) == f"{base}/changes/index.md"]
                version_nav = [p for p in version_nav if p not in changes]
                version_nav.append({"Worked examples": example_nav})
                version_nav += changes
            id_nav.append({safe_title(fw.version): version_nav})
            plan.files.update(source_files(fw, base))
            if fw.path is not None:
                plan.sources.append(Path(fw.path))
                # the folders of the evidence files: they hold the CSV files that evidence names too
                folders = (Path(fw.path).parent / w.example.evidence for w in worked)
                plan.sources.extend(dict.fromkeys(f.parent for f in folders))
        # the section is named by the latest adopted version, not a draft after it
        named = next((v for v in reversed(versions) if v.status != "draft"), versions[-1])
        plan.nav.append({safe_title(named.title): id_nav})
    published = [cw for cw in crosswalks if joins(cw, ordered)]
    if published:
        section = []
        for cw in published:
            page = crosswalk_page(cw, ordered, prefix)
            plan.add(page)
            section.append(page.path)
        plan.nav.append({"Crosswalks": section})
    return plan


def _path(entry) -> str:
    return entry if isinstance(entry, str) else next(iter(entry.values()))


def in_force_now(versions: list[Framework]) -> Framework | None:
    """The version of a framework in force now: its latest published version (as the catalogue picks for an id
    alone); None when every version is superseded or a draft."""
    published = [fw for fw in versions if fw.status == "published"]
    return published[-1] if published else None


def version_order(fw: Framework) -> tuple:
    """The sort key of versions on the site: by id, adopted versions in the order they came into force, then drafts.

    A draft is in force on no date, whatever dates it plans: it comes after every adopted version, so it is
    never published as the version before one of them (with that version's changes shown reversed).
    """
    return (fw.id, fw.status == "draft", date_key(fw.effective_from) or "", version_key(fw.version))


def framework_pages(fw: Framework, *, prefix: str = "frameworks", examples: list[WorkedExample] | None = None,
                    previous: Framework | None = None, current: Framework | None = None) -> list[Page]:
    """Every page of one framework version: overview, a page per top-level node, examples, changes.

    ``examples`` defaults to :func:`work_examples` of ``fw``; ``previous`` is
    the version before it, when that is published too; ``current`` the
    version in force now, which the pages of a superseded or draft version
    link to from a banner at their top. Every page names the version in its
    title and first heading; search ranks the version in force above others.

    >>> from bandstand.catalogue import Catalogue
    >>> pages = framework_pages(Catalogue().resolve("hmip-youth@2018"), examples=[])
    >>> [p.path for p in pages][:2]
    ['frameworks/hmip-youth/2018/index.md', 'frameworks/hmip-youth/2018/1/index.md']
    """
    base = version_dir(fw, prefix)
    worked = work_examples(fw) if examples is None else examples
    changes = compare_versions(previous, fw) if previous is not None else None
    inferred = [t for t in fw.bands.values() if t.inferred]
    pages = [overview_page(fw, base, worked, changes, previous, prefix)]
    pages += [domain_page(root, fw, base) for root in fw.roots]
    pages.append(print_page(fw, base))
    if worked:
        pages.append(examples_index(fw, base, worked))
        pages += [example_page(w, fw, base) for w in worked]
    if changes is not None:
        pages.append(changes_page(changes, base, prefix))
    if inferred:  # every page of the version says so, not only the band tables
        names = ", ".join(f"'{t.label or t.id}'" for t in inferred)
        warning = ["", '!!! warning "Thresholds inferred, not published"', "",
                   f"    The thresholds of {escape(names)} are inferred from published results, not published by "
                   f"{escape(fw.publisher or 'the publisher')}: ratings that use them are the best reading of the "
                   "published results, not the publisher's rule.", ""]
        pages = [_after_heading(p, warning) for p in pages]
    if fw.status in ("superseded", "draft"):
        pages = [_after_heading(p, _banner(fw, current, p.path, prefix)) for p in pages]
    boost = None if current is None else (2 if fw is current else 0.5)
    # the changes page names both versions already
    return [versioned(p, fw.version, boost=boost, retitle=not p.path.endswith("/changes/index.md")) for p in pages]


def _banner(fw: Framework, current: Framework | None, page: str, prefix: str) -> list[str]:
    """An admonition saying the version is superseded (or a draft), linking to the version in force."""
    if fw.status == "draft":
        head, text = "Draft version", f"This is a draft of {escape(fw.title)}: it is in force on no date."
    else:
        span = f" (in force {escape(in_force(fw))})" if fw.effective_from or fw.effective_to else ""
        head, text = "Superseded version", f"Version {escape(fw.version)}{span} is superseded: it is no longer in force."
    if current is not None and current is not fw:
        target = posixpath.join(version_dir(current, prefix), "index.md")
        text += f" The version in force is {link('version ' + escape(current.version), page, target)}."
    else:
        target = posixpath.join(prefix, fw.id, "index.md")
        text += f" No version of this framework is in force now: see {link('its versions', page, target)}."
    return ["", f'!!! warning "{head}"', "", f"    {text}", ""]


def _after_heading(page: Page, lines: list[str]) -> Page:
    """The page with ``lines`` inserted after its first heading."""
    text = page.markdown.split("\n")
    i = next(k for k, line in enumerate(text) if line.startswith("# "))
    return Page(page.path, page.title, "\n".join(text[: i + 1] + lines + text[i + 1:]))


def add_pages(plan: Plan, pages: Iterable[Page]) -> Plan:
    """Add pages made elsewhere (the reference pages) to a plan."""
    for page in pages:
        plan.add(page)
    return plan
