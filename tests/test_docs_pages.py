"""What a reader needs on each generated page (issue 15, section 2), checked on the built site.

Thresholds are those of the source: the Bedfordshire report (Annexe 2) bands a key question Outstanding at 80%
or more, Good at 65-79%, Requires improvement at 50-64%, Inadequate below 50%, and a standard "is aligned to
the lowest banding at the key question level".
"""

from __future__ import annotations

import random
import re

import bandstand
from helpers import published_evidence, evidence
from test_docs_site import visible_text

BASE = "frameworks/hmip-youth/2018"
# from the source's bands and its rule "the lowest banding at the key question level"
SOURCE_MEANINGS = ["Outstanding: every key question at 80% or more",
                   "Good: every key question at 65% or more, and not all at 80% or more",
                   "Requires improvement: every key question at 50% or more, and not all at 65% or more",
                   "Inadequate: at least one key question below 50%"]


def section(text: str, start: str, end: str) -> str:
    i = text.index(start)
    return text[i:text.index(end, i + len(start))]


def test_each_case_standard_says_what_each_rating_means(docs_site):
    for domain, standards in (("2", ["2.1", "2.2", "2.3", "2.4"]), ("3", ["3.1", "3.2", "3.3"])):
        text = visible_text(docs_site / BASE / domain / "index.html")
        for i, sid in enumerate(standards):
            end = f"{standards[i + 1]} " if i + 1 < len(standards) else "Band tables used on this page"
            part = section(text, f"{sid} ", end)
            assert "What each rating means: " + " ".join(SOURCE_MEANINGS) in part, sid
            assert "Each figure is rounded to whole numbers (halves rounded up) before it is compared." in part


def test_judged_standards_say_inspectors_judge_them(docs_site):
    text = visible_text(docs_site / BASE / "1" / "index.html")
    for sid, end in (("1.1", "1.2 "), ("1.4", "Key questions, which inspectors")):
        part = section(text, f"{sid} ", end) if sid == "1.1" else text[text.index("1.4 "):]
        assert "Inspectors judge this standard: no thresholds are published" in part
        assert "What each rating means" not in part
    fji = visible_text(docs_site / "frameworks/hmip-youth-fji/2014/index.html")
    assert "Judged by inspectors" in fji


def test_the_stated_meaning_is_what_the_engine_gives(docs_site, hmip, published):
    """For random key-question figures, the rating the engine gives standard 2.1 is the level whose stated
    condition, read back from the page, holds, and no other level's does."""
    text = visible_text(docs_site / BASE / "2" / "index.html")
    part = section(text, "2.1 ", "2.2 ")
    levels = ["Outstanding", "Good", "Requires improvement", "Inadequate"]
    after = "|".join(f" {lv}: " for lv in levels) + "| Each figure"
    stated = {lv: re.search(rf" {lv}: (.*?)(?={after})", part)[1] for lv in levels}

    def holds(condition: str, shares: list[int]) -> bool:
        m = re.fullmatch(r"every key question at (\d+)% or more(?:, and not all at (\d+)% or more)?", condition)
        if m:
            lo, hi = int(m[1]), m[2]
            return all(s >= lo for s in shares) and (hi is None or not all(s >= int(hi) for s in shares))
        m = re.fullmatch(r"at least one key question below (\d+)%", condition)
        assert m, condition
        return any(s < int(m[1]) for s in shares)

    rng = random.Random(15)
    kqs = [n.id for n in hmip.nodes["2.1"].children if n.rated]
    for _ in range(300):
        shares = [rng.choice([0, 49, 50, 64, 65, 79, 80, 100, rng.randint(0, 100)]) for _ in kqs]
        figures = {k: {"percent": v["percent"]} for k, v in published["key_questions"].items()}
        figures.update({k: {"percent": s} for k, s in zip(kqs, shares)})
        result = bandstand.evaluate(hmip, evidence(published_evidence(published, key_questions=figures)))
        level = result.nodes["2.1"].level.label
        assert [lv for lv, cond in stated.items() if holds(cond, shares)] == [level], (shares, level)


def mermaid(page) -> list[str]:
    """The steps of the page's Mermaid flowchart, in the order its arrows join them."""
    import html as html_

    source = page.read_text(encoding="utf-8")
    (block,) = re.findall(r'<pre class="mermaid"><code>(.*?)</code></pre>', source, re.S)
    text = html_.unescape(block)
    labels = dict(re.findall(r'^\s+(s\d+)\["(.*)"\]$', text, re.M))
    edges = re.findall(r"^\s+(s\d+) --> (s\d+)$", text, re.M)
    order = [edges[0][0]] + [b for _, b in edges] if edges else list(labels)
    assert all(a == order[i] for i, (a, _) in enumerate(edges))  # one chain, bottom to top
    return [labels[s].replace("#quot;", '"') for s in order]


def test_the_rating_diagram_follows_the_rules_from_prompts_to_the_cap(docs_site):
    steps = mermaid(docs_site / BASE / "index.html")
    assert [s.split(":")[0] for s in steps[:3]] == ["Prompts", "Key questions", "Standards"]
    assert "banded by the key question bands" in steps[1]
    assert steps[2].startswith("Standards: the lowest rating of its key questions")
    assert steps[3] == "The sum of the scores of the 12 standards that count toward the overall rating (0-36)"
    assert steps[4].endswith("(Outstanding 31-36, Good 19-30, Requires improvement 7-18, Inadequate 0-6)")
    assert steps[5] == ("Limiting rule resettlement-inadequate: If 4.1 is rated Inadequate, the overall rating is "
                        "at most Good.")
    # as first published: no resettlement standard, so no cap
    assert not any(s.startswith("Limiting rule") for s in mermaid(docs_site / "frameworks/hmip-youth/2018-original/index.html"))


def test_the_older_schemes_have_their_diagrams(docs_site):
    cci = mermaid(docs_site / "frameworks/hmip-youth-cci/2011/index.html")
    assert cci[0] == "Stages: not rated" and "pooled across cases" in cci[1] and "area score bands" in cci[1]
    for version in ("2012", "2014", "2016-court"):
        assert mermaid(docs_site / f"frameworks/hmip-youth-fji/{version}/index.html") == [
            "Key judgements: judged by inspectors"]


# -- superseded and draft versions ----------------------------------------------------------------------


def article(page) -> str:
    source = page.read_text(encoding="utf-8")
    return source[source.index("<article"):source.index("</article>")]


def test_every_page_of_a_superseded_version_links_to_the_version_in_force(docs_site):
    import posixpath

    old = sorted((docs_site / "frameworks/hmip-youth/2018-original").rglob("index.html"))
    assert len(old) >= 6
    for page in old:
        html_ = article(page)
        banner = re.search(r'<div class="admonition warning">\s*<p class="admonition-title">Superseded version</p>'
                           r'(.*?)</div>', html_, re.S)
        assert banner, page
        assert "Version 2018-original (in force from 2018-06 to 2021-06) is superseded" in banner[1]
        (href,) = re.findall(r'href="([^"]+)"', banner[1])
        here = page.parent.relative_to(docs_site).as_posix()
        assert posixpath.normpath(posixpath.join(here, href)) == "frameworks/hmip-youth/2018", page
    for page in (docs_site / "frameworks/hmip-youth/2018").rglob("index.html"):
        assert "Superseded version" not in article(page) and "Draft version" not in article(page), page
    # every FJI version is superseded: the banner says none is in force, and links to the list of versions
    for page in (docs_site / "frameworks/hmip-youth-fji/2014").rglob("index.html"):
        fji = article(page)
        assert "Superseded version" in fji and "No version of this framework is in force now" in fji, page


def test_a_draft_carries_a_banner_on_every_page(hmip):
    from bandstand import load_framework_text
    from bandstand.publish import plan_site

    draft = load_framework_text("id: hmip-youth\nversion: 2026-draft\nextends: hmip-youth@2018\nstatus: draft\n",
                                "draft.yaml")
    plan = plan_site([hmip, draft], examples={hmip.ref: [], draft.ref: []})
    pages = [p for path, p in plan.pages.items() if path.startswith("frameworks/hmip-youth/2026-draft/")]
    assert len(pages) >= 5
    for page in pages:
        assert '!!! warning "Draft version"' in page.markdown, page.path
        assert "it is in force on no date. The version in force is [version 2018](" in page.markdown, page.path
        assert "search:\n  boost: 0.5\n" in page.markdown


def test_titles_name_the_version_and_search_ranks_the_version_in_force_first(docs_site):
    import json

    for version in ("2018", "2018-original"):
        source = (docs_site / f"frameworks/hmip-youth/{version}/2/index.html").read_text(encoding="utf-8")
        assert f"<title>2 Court disposals · version {version} - bandstand</title>" in source
        assert re.search(rf"<h1[^>]*>2 Court disposals · version {version}<", source)
    index = json.loads((docs_site / "search/search_index.json").read_text(encoding="utf-8"))
    boosts = {}
    for doc in index["docs"]:
        m = re.match(r"frameworks/hmip-youth/([^/]+)/", doc["location"])
        if m:
            boosts.setdefault(m[1], set()).add(doc.get("boost"))
    assert boosts == {"2018": {2}, "2018-original": {0.5}}


# -- the definition file, and the whole framework on one page --------------------------------------------


def test_each_version_offers_its_definition_files_for_download(docs_site):
    from helpers import ROOT

    for version, files in (("2018", ["hmip-youth-2018.yaml", "hmip-youth-2018-original.yaml"]),
                           ("2018-original", ["hmip-youth-2018-original.yaml"])):
        folder = docs_site / "frameworks/hmip-youth" / version
        html_ = article(folder / "index.html")
        assert re.findall(r'<a download href="([^"]+)">', html_) == files
        for name in files:  # the very file bandstand reads, byte for byte
            assert (folder / name).read_bytes() == (ROOT / "frameworks" / name).read_bytes()


def test_each_version_offers_the_whole_framework_on_one_page(docs_site, hmip):
    overview = article(docs_site / BASE / "index.html")
    assert 'href="print/">the whole framework, for printing</a>' in overview
    page = docs_site / BASE / "print" / "index.html"
    source = page.read_text(encoding="utf-8")
    ids = set(re.findall(r'id="([^"]+)"', source))
    missing = [n.id for n in hmip.walk() if n.id not in ids and n.id != "overall"]
    assert missing == []
    text = visible_text(page)
    for needed in ["Outstanding 80-100% Large majority: 80%+", "Outstanding 31-36 Good 19-30",
                   "If 4.1 is rated Inadequate, the overall rating is at most Good.",
                   "Good: every key question at 65% or more, and not all at 80% or more",
                   "Does assessment sufficiently analyse how to support the child's desistance?"]:
        assert needed in text, needed
    # one page of a version, and titled so
    assert "<title>Inspection of youth offending services (2018 standards), on one page · version 2018" in source


# -- the changes page, side by side ---------------------------------------------------------------------


def table_rows(page, heading_id: str) -> tuple[list[str], list[list[str]]]:
    """The header cells and body rows (cell texts) of the first table after the element ``heading_id``."""
    import html as html_

    source = page.read_text(encoding="utf-8")
    rest = source[source.index(f'id="{heading_id}"'):]
    table = rest[rest.index("<table"):rest.index("</table>")]

    def cells(row, tag):
        return [" ".join(html_.unescape(re.sub(r"<[^>]+>", "", c)).split())
                for c in re.findall(rf"<{tag}[^>]*>(.*?)</{tag}>", row, re.S)]
    header = cells(re.search(r"<thead>(.*?)</thead>", table, re.S)[1], "th")
    body = [cells(r, "td") for r in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], re.S)]
    return header, body


def test_the_changes_page_sets_the_two_versions_side_by_side(docs_site):
    header, rows = table_rows(docs_site / BASE / "changes" / "index.html", "side-by-side")
    assert header == ["Threshold or rule", "Version 2018-original", "Version 2018", "Changed"]
    by_name = {r[0]: r[1:] for r in rows}
    # the source's thresholds, unchanged by the 2021 refresh; the resettlement cap, new in it
    assert by_name["Key question bands: Good"] == ["65-79%", "65-79%", "same"]
    assert by_name["Overall rating bands: Outstanding"] == ["31-36", "31-36", "same"]
    assert by_name["Rule of each standard"] == ["lowest(children)", "lowest(children)", "same"]
    assert by_name["Limiting rule resettlement-inadequate"] == [
        "none", 'when rating("4.1") == inadequate, overall is at most Good', "changed"]
    assert by_name["Rule of 4.1"] == ["not in this version", "judged by inspectors", "changed"]


def test_a_moved_threshold_shows_side_by_side():
    from bandstand import load_framework_text
    from bandstand.catalogue import Catalogue
    from bandstand.publish import plan_site
    from helpers import ROOT

    old = Catalogue().resolve("hmip-youth@2018-original")
    text = (ROOT / "frameworks" / "hmip-youth-2018-original.yaml").read_text(encoding="utf-8")
    text = (text.replace('version: "2018-original"', 'version: "2019"').replace("status: superseded", "status: draft")
            .replace("max: 64,", "max: 69,").replace("min: 65,", "min: 70,"))
    new = load_framework_text(text, "new.yaml")
    plan = plan_site([old, new], examples={old.ref: [], new.ref: []})
    page = plan.pages["frameworks/hmip-youth/2019/changes/index.md"].markdown
    assert "| Key question bands: Good | 65-79% | 70-79% | changed |" in page
    assert "| Key question bands: Requires improvement | 50-64% | 50-69% | changed |" in page
    assert "| Key question bands: Outstanding | 80-100% | 80-100% | same |" in page


# -- accessibility of the generated markup (the browser checks are in test_docs_browser.py) -------------------


def test_every_generated_table_names_each_of_its_columns(docs_site):
    """Every table on a framework page has a header row with a non-empty header cell for each column."""
    pages = sorted((docs_site / "frameworks").rglob("index.html"))
    tables = 0
    for page in pages:
        source = page.read_text(encoding="utf-8")
        for table in re.findall(r"<table>(.*?)</table>", source, re.S):
            tables += 1
            head = re.search(r"<thead>(.*?)</thead>", table, re.S)
            assert head, page
            headers = [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<th[^>]*>(.*?)</th>", head[1], re.S)]
            assert all(headers), (page, headers)
            for row in re.findall(r"<tr>(.*?)</tr>", table.split("</thead>")[1], re.S):
                assert len(re.findall(r"<td[^>]*>", row)) == len(headers), (page, headers)
    assert tables > 100


def test_the_plugin_ships_its_style_sheet_and_script_to_every_page(docs_site):
    css = (docs_site / "assets/bandstand/bandstand.css").read_text(encoding="utf-8")
    assert "text-decoration: underline" in css
    assert 'setAttribute("tabindex", "0")' in (docs_site / "assets/bandstand/bandstand.js").read_text(encoding="utf-8")
    for page in [docs_site / BASE / "index.html", docs_site / "guides/ci/index.html", docs_site / "index.html"]:
        source = page.read_text(encoding="utf-8")
        assert re.search(r'<link rel="stylesheet" href="[./]*assets/bandstand/bandstand.css', source), page
        assert re.search(r'<script src="[./]*assets/bandstand/bandstand.js', source), page


def test_a_hostile_framework_draws_no_markup_in_its_diagram(hostile_site):
    for page in (hostile_site / "frameworks").rglob("index.html"):
        source = page.read_text(encoding="utf-8")
        for block in re.findall(r'<pre class="mermaid"><code>(.*?)</code></pre>', source, re.S):
            import html as html_

            text = html_.unescape(block).replace("-->", "")
            # neither as written nor as Mermaid's entity codes, which it turns back into angle brackets
            assert not any(c in text for c in ("<", ">", "#lt;", "#gt;", "#60;", "#62;")), page
            assert "accTitle: How a rating is reached:" in text
