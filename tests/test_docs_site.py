"""The documentation site: it builds with --strict, and what it publishes comes from the framework files."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

import bandstand
from bandstand.dsl import ast
from bandstand.dsl.parser import parse_expression
from helpers import HOSTILE, ROOT, build_site, copy_framework, site_config
from test_readme import readme_commands

DOCS = ROOT / "docs"
BASE = "frameworks/hmip-youth/2018"


def visible_text(page: Path) -> str:
    """The text of a built page's article, as a reader sees it."""
    source = page.read_text(encoding="utf-8")
    article = source[source.index("<article"):source.index("</article>")]
    article = re.sub(r"</?(?:a|code|strong|em|span)\b[^>]*>", "", article)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", article)).split())


def code_blocks(page: Path, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", page.read_text(encoding="utf-8"), re.S)


# -- the project's site ----------------------------------------------------------------------


def test_the_site_builds_strictly_with_every_page(docs_site):
    for page in ["index.html", "install/index.html", "guides/writing-a-framework/index.html",
                 "guides/evaluating-evidence/index.html", "guides/reading-results/index.html",
                 "evidence-formats/index.html", "rule-language/index.html", "reference/framework/index.html",
                 "reference/evidence/index.html", "reference/functions/index.html", "reference/cli/index.html",
                 "frameworks/index.html", "frameworks/hmip-youth/index.html", f"{BASE}/index.html",
                 *(f"{BASE}/{d}/index.html" for d in "1234"), f"{BASE}/examples/index.html",
                 f"{BASE}/examples/bedfordshire-2021-published/index.html", "search/search_index.json"]:
        assert (docs_site / page).is_file(), page
    # nothing generated is written into the docs folder
    assert not (DOCS / "frameworks").exists() and not (DOCS / "reference").exists()


def test_the_2018_pages_show_the_rules_from_the_file(docs_site):
    standard = visible_text(docs_site / BASE / "2" / "index.html")
    assert "2.1 Assessment" in standard
    assert "Standard · Rated by rule: the lowest rating of its key questions (lowest(children))" in standard
    assert "Outstanding 80-100% Large majority: 80%+ Good 65-79%" in standard
    overview = visible_text(docs_site / BASE / "index.html")
    assert "Outstanding 31-36 Good 19-30 Requires improvement 7-18 Inadequate 0-6" in overview
    assert "If 4.1 is rated Inadequate, the overall rating is at most Good." in overview
    example = visible_text(docs_site / BASE / "examples" / "bedfordshire-2021-published" / "index.html")
    assert "Overall rating: Requires improvement (score 14 of 36)" in example


def test_the_performance_page_shows_the_last_benchmark_run_and_its_plot(docs_site):
    """From benchmarks/RESULTS.md and growth.svg as committed: nothing about them is written twice."""
    html = (docs_site / "performance" / "index.html").read_text("utf-8")
    results = (ROOT / "benchmarks" / "RESULTS.md").read_text("utf-8")
    first_row = next(line for line in results.splitlines() if line.startswith("| 1. cold start"))
    ratio = first_row.split(" | ")[3]
    text = visible_text(docs_site / "performance" / "index.html")
    assert "1. cold start" in text and ratio in text
    assert "--8<--" not in html and 'src="growth.svg"' not in html  # markers and the file's own image link left out
    assert html.count("<svg") >= 1 and "evaluate time (s) / cases" in html


def test_the_reference_is_generated(docs_site):
    functions = visible_text(docs_site / "reference" / "functions" / "index.html")
    assert "band(number, band table) gives a rating on the band table's scale." in functions
    cli = visible_text(docs_site / "reference" / "cli" / "index.html")
    assert "Usage: bandstand evaluate [OPTIONS] FRAMEWORK EVIDENCE" in cli
    framework = visible_text(docs_site / "reference" / "framework" / "index.html")
    assert "rounding" in framework and "The rounding applied before banding" in framework


def test_install_page_has_the_readme_commands():
    assert [line for line in code_blocks(DOCS / "install.md", "sh")[0].splitlines() if line.strip()] \
        == readme_commands()


# what the install page shows the first command printing is checked, exactly, by tests/test_guides.py


def test_rule_language_examples_parse_and_show_every_construct():
    seen = set()
    for block in code_blocks(DOCS / "rule-language.md", "rule"):
        for e in ast.walk(parse_expression(block.strip())):
            seen.add(type(e).__name__)
    every = {"Number", "String", "Boolean", "Name", "Call", "Negate", "Arith", "Compare", "Not", "And", "Or",
             "Conditional"}
    assert every <= seen, f"no example of {sorted(every - seen)}"


def test_the_guide_framework_is_valid():
    fw = bandstand.load_framework_text(code_blocks(DOCS / "guides" / "writing-a-framework.md", "yaml")[0],
                                       "guide.yaml")
    assert fw.ref == "example-youth@2024" and not fw.diagnostics


def test_the_json_evidence_example_is_valid():
    fw = bandstand.Catalogue().resolve("hmip-youth@2018")
    ev = bandstand.load_evidence_text(code_blocks(DOCS / "evidence-formats.md", "json")[0], "evidence.json")
    result = bandstand.evaluate(fw, ev)
    assert result.nodes["2.1.1"].level.id == "inadequate"


# -- publishing a framework file that is not bundled -------------------------------------------------


def test_a_changed_threshold_changes_the_published_page(tmp_path):
    """The key-question bands moved (Good from 65-79% to 70-79%) in a copy published by path."""
    copy_framework(tmp_path / "methodology", lambda text: text.replace("max: 64", "max: 69").replace("min: 65", "min: 70"))
    config = site_config(tmp_path, ["methodology/youth-2018.yaml"])
    # not --strict: the moved thresholds change Bedfordshire's results, and the build warns that the
    # examples no longer give the results the file expects
    done = build_site(config, tmp_path / "site", strict=False)
    assert done.returncode == 0, done.stderr
    assert ("WARNING -  hmip-youth@2018: example 'bedfordshire-2021-published' does not give the result it "
            "expects: overall score: expected 14, got 13 (and 7 more)") in done.stderr.splitlines()
    page = visible_text(tmp_path / "site" / BASE / "2" / "index.html")
    assert "Good 70-79%" in page and "Requires improvement 50-69%" in page
    assert "65-79%" not in page.replace("Reasonable majority: 65-79%", "")
    example = visible_text(tmp_path / "site" / BASE / "examples" / "bedfordshire-2021-published" / "index.html")
    assert "This result does not give what the framework file expects" in example
    assert strict_fails(config, tmp_path / "strict-site")


def strict_fails(config: Path, site: Path) -> bool:
    return build_site(config, site).returncode != 0


def test_a_framework_that_fails_to_load_fails_the_build(tmp_path):
    copy_framework(tmp_path / "fw", lambda text: text.replace("max: 64", "max: 66"))
    done = build_site(site_config(tmp_path, ["fw/youth-2018.yaml"]), tmp_path / "site")
    assert done.returncode != 0
    # the band table is inherited: the error points into the file that defines it, the base version
    assert ("ERROR   -  bandstand: cannot publish fw/youth-2018.yaml: fw/youth-2018-original.yaml:107:9: error: band "
            "table 'key_question': bands 'requires_improvement' and 'good' overlap on 65% to 66% [check.band-overlap]"
            ) in done.stderr.splitlines()


def test_an_unknown_framework_fails_the_build_in_one_line(tmp_path):
    done = build_site(site_config(tmp_path, ["hmip-adult@2021"]), tmp_path / "site")
    assert done.returncode != 0
    lines = [line for line in done.stderr.splitlines() if "hmip-adult" in line]
    (line,) = lines
    assert line.startswith("ERROR   -  bandstand: 'hmip-adult@2021' is neither a framework file, a folder nor a known "
                           "framework (known: ")
    assert "hmip-youth@2018" in line


# -- framework text is text, never markup --------------------------------------------------------------


class _Scripts(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.scripts: list[str] = []
        self.handlers: list[str] = []
        self.hrefs: list[str] = []
        self.titles: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        self._in = tag
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append(f"{tag} {name}={value}")
            if name == "href" and value and value.strip().lower().startswith("javascript:"):
                self.hrefs.append(value)

    def handle_data(self, data):
        if self._in == "script":
            self.scripts.append(data)
        elif self._in == "title":
            self.titles.append(data)

    def handle_endtag(self, tag):
        self._in = None


def test_a_hostile_framework_publishes_text_not_script(hostile_site):
    pages = sorted(hostile_site.rglob("*.html"))
    assert len(pages) > 5
    for page in pages:
        source = page.read_text(encoding="utf-8")
        assert "<script>alert(" not in source, page
        parser = _Scripts()
        parser.feed(source)
        assert not any("alert(" in s for s in parser.scripts), page
        assert parser.handlers == [], page
        assert parser.hrefs == [], page
    overview = hostile_site / BASE / "index.html"
    source = overview.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in source or "&#60;script&#62;alert&#40;1&#41;" in source
    text = visible_text(overview)
    assert text.startswith(HOSTILE)  # the title, as written
    assert "<b onmouseover=alert(5)>HMIP</b>" in text
    domain = visible_text(hostile_site / BASE / "2" / "index.html")
    assert "2.1 Assessment <img src=x onerror=alert(2)>" in domain
    assert "Keep the child safe? </title><script>alert(3)</script>" in domain
    assert "[65-79%](javascript:alert(4))" in domain


@pytest.mark.parametrize("page", ["index.html", "2/index.html"])
def test_hostile_titles_in_the_nav_and_tab_are_inert(hostile_site, page):
    parser = _Scripts()
    parser.feed((hostile_site / BASE / page).read_text(encoding="utf-8"))
    assert parser.titles and all("<" not in t and ">" not in t for t in parser.titles)


def test_the_browser_install_says_why_it_cannot(monkeypatch):
    import conftest

    monkeypatch.setattr(conftest.shutil, "which", lambda name: None)
    assert conftest._install_chromium() == "apt-get is not available to install chromium and chromium-driver"
    monkeypatch.setattr(conftest.shutil, "which", lambda name: "/usr/bin/apt-get")
    monkeypatch.setattr(conftest.os, "geteuid", lambda: 1000)
    assert conftest._install_chromium() == ("not running as root, so apt-get cannot install chromium and "
                                            "chromium-driver")


def test_the_site_address_comes_from_the_environment(tmp_path, monkeypatch):
    """Served below a domain's root, the sitemap, canonical links and the 404 page's links need the address:
    mkdocs.yml reads it from BANDSTAND_SITE_URL (the project has no public address to write there)."""
    monkeypatch.setenv("BANDSTAND_SITE_URL", "https://example.org/bandstand")
    site = tmp_path / "site"
    done = build_site(ROOT / "mkdocs.yml", site)
    assert done.returncode == 0, done.stderr
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert f"<loc>https://example.org/bandstand/{BASE}/2/</loc>" in sitemap
    assert '<link rel="canonical" href="https://example.org/bandstand/frameworks/">' in \
        (site / "frameworks" / "index.html").read_text(encoding="utf-8")
    missing = (site / "404.html").read_text(encoding="utf-8")
    assets = re.findall(r'(?:href|src)="([^"]*assets/[^"]*)"', missing)
    assert assets and all(a.startswith("/bandstand/assets/") for a in assets), assets
