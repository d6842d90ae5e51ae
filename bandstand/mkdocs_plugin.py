"""The ``bandstand`` MkDocs plugin: framework definitions published as pages at build time.

In ``mkdocs.yml``::

    plugins:
      - search
      - bandstand:
          frameworks:                  # what to publish
            - hmip-youth@2018          # a bundled version
            - hmip-youth               # every version of a bundled framework
            - path/to/framework.yaml   # a file, relative to mkdocs.yml
            - path/to/folder           # every framework file in a folder
          prefix: frameworks           # where the pages go (the default)
          reference: false             # also the DSL, rule-language and CLI reference pages

    nav:
      - frameworks/index.md            # replaced by the frameworks' pages, nested

The pages are virtual: nothing generated is written to the docs folder.
Beside them go each version's definition files (for download) and a style
sheet and script for every page (links in text underlined, code blocks
reachable by keyboard); the plugin enables the Markdown extensions the
pages are written for, with a ``mermaid`` fence for the rating diagrams.
Everything on them comes from :mod:`bandstand.publish`, which knows
nothing about MkDocs; this module only loads the frameworks, hands the
pages over (with the command line, for its reference page), and reports
problems.
"""

from __future__ import annotations

import logging
from pathlib import Path

import mkdocs
from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files

from .catalogue import Catalogue, parse_ref
from .dsl.model import Framework
from .errors import BandstandError, format as format_diagnostic
from .publish import Plan, PublishError, add_pages, plan_site, reference_pages
from .publish.calculator import calculator_files

log = logging.getLogger("mkdocs.plugins.bandstand")

# the style sheet and script every site with the plugin gets (bandstand/assets/), and where they go in the site:
# links underlined in running text, code blocks reachable by keyboard
ASSETS = {"bandstand.css": "assets/bandstand/bandstand.css", "bandstand.js": "assets/bandstand/bandstand.js"}

# the Markdown extensions the generated pages are written for (deleted words are <del>, plain HTML);
# pymdownx.superfences carries the ```mermaid fence of the rating diagrams (see enable_mermaid)
PAGE_EXTENSIONS = ("admonition", "attr_list", "tables", "pymdownx.superfences")


class BandstandConfig(Config):
    frameworks = c.ListOfItems(c.Type(str), default=[])
    prefix = c.Type(str, default="frameworks")
    reference = c.Type(bool, default=False)
    crosswalks = c.Type(bool, default=True)  # publish the catalogue's crosswalks between published frameworks


class BandstandPlugin(BasePlugin[BandstandConfig]):
    """Publishes framework definitions (and, optionally, the reference) as virtual pages."""

    plan: Plan | None = None  # the last build's pages, for `mkdocs serve` to watch their sources

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        require_mkdocs_with_generated_files()
        # every extension the pages need, on any site: node anchors are written as {#2.1.1} after
        # headings (attr_list), and warnings as "!!! warning" blocks (admonition)
        for extension in PAGE_EXTENSIONS:
            if extension not in config.markdown_extensions:
                config.markdown_extensions.append(extension)
        enable_mermaid(config)
        if ASSETS["bandstand.css"] not in config.extra_css:
            config.extra_css.append(ASSETS["bandstand.css"])
        if ASSETS["bandstand.js"] not in [str(x) for x in config.extra_javascript]:
            config.extra_javascript.append(ASSETS["bandstand.js"])
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        base = Path(config.config_file_path).parent if config.config_file_path else Path.cwd()
        frameworks = load_frameworks(self.config.frameworks, base)
        if not frameworks:
            log.warning("bandstand: no frameworks to publish; name them under 'frameworks:' in mkdocs.yml")
        for fw in frameworks:
            for d in fw.diagnostics:  # warnings found at load, as `bandstand validate` shows them
                log.warning(format_diagnostic(d))
        try:
            plan = plan_site(frameworks, prefix=self.config.prefix,
                             crosswalks=load_crosswalks(base) if self.config.crosswalks else ())
            if self.config.reference:
                from .cli import cli  # the command line documents itself: its help is the reference

                add_pages(plan, reference_pages(cli))
        except BandstandError as e:
            raise PluginError(f"bandstand: a worked example cannot be evaluated:{_lines(e)}") from None
        except PublishError as e:
            raise PluginError(f"bandstand: {e}") from None
        for warning in plan.warnings:
            log.warning(warning)
        for page in plan.pages.values():
            if files.get_file_from_path(page.path) is not None:
                raise PluginError(f"bandstand: docs/{page.path} is a generated page; remove the file of that name")
            files.append(File.generated(config, page.path, content=page.markdown))
        for path, text in calculator_files(frameworks, self.config.prefix).items():  # the rating calculators
            files.append(File.generated(config, path, content=text))
        for name, path in ASSETS.items():
            if files.get_file_from_path(path) is None:
                source = (Path(__file__).parent / "assets" / name).read_text(encoding="utf-8")
                files.append(File.generated(config, path, content=source))
        for path, text in plan.files.items():  # the definition files, for download beside their pages
            if files.get_file_from_path(path) is None:
                files.append(File.generated(config, path, content=text))
        if config.nav is not None:
            config.nav = _expand_nav(config.nav, plan)
        self.plan = plan
        return files

    def on_serve(self, server, *, config: MkDocsConfig, builder):
        # `mkdocs serve` rebuilds when a published framework file or its examples change
        for path in self.plan.sources if self.plan else ():
            if path.exists():
                server.watch(str(path))
        return server


def enable_mermaid(config: MkDocsConfig) -> None:
    """Add a ``mermaid`` custom fence to pymdownx.superfences, unless the site defines one.

    mkdocs-material draws ``<pre class="mermaid">`` blocks as diagrams (any other theme shows the
    flowchart's text, which reads as a list of steps).
    """
    from pymdownx.superfences import fence_code_format

    settings = config.mdx_configs.setdefault("pymdownx.superfences", {})
    fences = settings.setdefault("custom_fences", [])
    if not any(isinstance(f, dict) and f.get("name") == "mermaid" for f in fences):
        fences.append({"name": "mermaid", "class": "mermaid", "format": fence_code_format})


def require_mkdocs_with_generated_files() -> None:
    """Refuse, in one line, an MkDocs older than 1.6: the pages are ``File.generated``, new in 1.6.

    ``bandstand[docs]`` declares mkdocs>=1.6, but the plugin is registered whenever bandstand is
    installed, so an older MkDocs installed beside it must get a clear error, not a traceback.
    """
    if not hasattr(File, "generated"):
        raise PluginError(f"bandstand: the plugin needs MkDocs 1.6 or later (this is MkDocs "
                          f"{getattr(mkdocs, '__version__', 'unknown')}); install it with "
                          "pip install 'bandstand[docs]' or pip install 'mkdocs>=1.6'")


def load_crosswalks(base: Path) -> list:
    """The catalogue's crosswalks (``crosswalks/`` beside the bundled frameworks and on BANDSTAND_PATH)."""
    from .crosswalk import load_crosswalk

    try:
        return [load_crosswalk(p) for p in Catalogue().crosswalk_files()]
    except BandstandError as e:
        raise PluginError(f"bandstand: a crosswalk cannot be read:{_lines(e)}") from None


def load_frameworks(specs: list[str], base: Path) -> list[Framework]:
    """The frameworks that ``specs`` name: ``id@version``, ``id``, a file, or a folder (relative to ``base``).

    A framework that fails to load fails the build with its located diagnostics.
    """
    catalogue = Catalogue()
    out: list[Framework] = []
    for spec in specs:
        path = (base / spec).resolve()
        try:
            if path.is_dir():
                found = Catalogue([path], include_bundled=False).entries()
                if not found:
                    raise PluginError(f"bandstand: the folder {spec} holds no framework files")
                out += [catalogue.load_path(e.path, display=_display(e.path, base)) for e in found]
            elif path.is_file():
                out.append(catalogue.load_path(path, display=_display(path, base)))
            elif (parsed := parse_ref(spec)) is not None and spec.split("@")[0] in {e.id for e in catalogue.entries()}:
                fid, version = parsed
                if version is None:
                    out += [catalogue.load_path(e.path) for e in catalogue.entries() if e.id == fid]
                else:
                    out.append(catalogue.resolve(spec))
            else:
                known = ", ".join(f"{e.id}@{e.version}" for e in catalogue.entries()) or "(none)"
                raise PluginError(f"bandstand: '{spec}' is neither a framework file, a folder nor a known "
                                  f"framework (known: {known})")
        except BandstandError as e:
            raise PluginError(f"bandstand: cannot publish {spec}:{_lines(e)}") from None
    return out


def _lines(error: BandstandError) -> str:
    """Diagnostics after a colon: on the same line when there is one, else one per line."""
    lines = [format_diagnostic(d) for d in error.diagnostics]
    return f" {lines[0]}" if len(lines) == 1 else "\n" + "\n".join(lines)


def _display(path: Path, base: Path) -> str:
    try:
        return str(path.relative_to(base))
    except ValueError:
        return str(path)


def _expand_nav(nav: list, plan: Plan) -> list:
    """The nav with the entry naming the frameworks' index page replaced by the frameworks' section."""
    index = plan.nav[0] if plan.nav else None

    def expand(items):
        out = []
        for item in items:
            if isinstance(item, str) and item == index:
                out.append({"Frameworks": list(plan.nav)})
            elif isinstance(item, dict) and len(item) == 1:
                (title, value), = item.items()
                if value == index:
                    out.append({title: list(plan.nav)})
                elif isinstance(value, list):
                    out.append({title: expand(value)})
                else:
                    out.append(item)
            else:
                out.append(item)
        return out

    return expand(nav)
