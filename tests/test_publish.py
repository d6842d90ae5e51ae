"""The pages of the published site, without MkDocs: plain English of rules, escaping, the page plan."""

from __future__ import annotations

import doctest
import html
import importlib
import pkgutil
import re

import markdown
import pytest

import bandstand.describe
import bandstand.publish
from bandstand import Catalogue, load_framework_text
from bandstand.describe import describe, describe_limit, describe_rule
from bandstand.dsl.resolve import Site
from bandstand.dsl.loader import load_file
from bandstand.dsl.parser import parse_expression
from bandstand.publish import (PublishError, WorkedExample, compare_versions, escape, framework_pages, plan_site,
                               safe_title, work_examples)
from bandstand.publish import reference_pages
from helpers import ROOT

BASE = "frameworks/hmip-youth/2018"
# hmip-youth@2018 in one file (the bundled version extends the version first published), for editing
FRAMEWORK_TEXT = (ROOT / "tests" / "data" / "hmip-youth-2018-standalone.yaml").read_text(encoding="utf-8")


def test_the_standalone_copy_says_what_the_bundled_version_says(hmip):
    from bandstand.diff import diff

    copy = load_framework_text(FRAMEWORK_TEXT, "standalone.yaml")
    d = diff(copy, hmip)
    assert d.identical, [c.text for c in d.changes]
    assert {c.subject for c in d.identity} <= {"effective_from"}  # the copy predates the version split


def text_of(page_markdown: str) -> str:
    """What a reader sees: the Markdown rendered as MkDocs renders it, tags stripped, entities decoded."""
    body = page_markdown.split("---\n", 2)[2]
    rendered = markdown.markdown(body, extensions=["tables", "attr_list", "toc"])
    inline = re.sub(r"</?(?:a|code|strong|em)\b[^>]*>", "", rendered)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", inline)).split())


@pytest.fixture(scope="module")
def plan(hmip):
    return plan_site([hmip])


# -- plain English ----------------------------------------------------------------------------

DESCRIBE_CASES = load_file(ROOT / "tests" / "cases" / "describe.yaml").data


@pytest.mark.parametrize("case", DESCRIBE_CASES, ids=[c["rule"] for c in DESCRIBE_CASES])
def test_describe(hmip, case):
    owner = hmip.nodes[case["owner"]]
    site = Site(owner.rule, owner, "rule", case["owner"])
    assert describe(parse_expression(case["rule"]), site, hmip) == case["text"]


def test_describe_rule_and_limit(hmip):
    assert describe_rule(hmip.nodes["2.1"], hmip) == "the lowest rating of its key questions"
    assert describe_rule(hmip.nodes["1.1"], hmip) == ""  # judged: no rule
    assert describe_limit(hmip.limits[0], hmip) == "If 4.1 is rated Inadequate, the overall rating is at most Good."


def test_a_limit_on_a_node_with_a_floor():
    text = FRAMEWORK_TEXT.replace("    applies_to: overall\n    when: rating(\"4.1\") == inadequate\n    at_most: good",
                                  "    applies_to: \"2.1\"\n    when: rating(\"1.1\") >= good\n"
                                  "    at_least: requires_improvement")
    fw = load_framework_text(text, "f.yaml")
    assert describe_limit(fw.limits[0], fw) == ("If 1.1 is rated at least Good, the rating of 2.1 is at least "
                                                "Requires improvement.")


PUBLISH_MODULES = [importlib.import_module(f"bandstand.publish.{m.name}")
                   for m in pkgutil.iter_modules(bandstand.publish.__path__)]


@pytest.mark.parametrize("module", [bandstand.describe, bandstand.publish, *PUBLISH_MODULES],
                         ids=lambda m: m.__name__)
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


# -- escaping ------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "<script>alert(1)</script>", "a | b", "*bold* _it_ `code` [link](http://x) ![i](x)", "# heading",
    "1. not a list", "- not a list", "+ not a list", "> not a quote", "{: #id}", "==mark== ~~del~~ ^sup^",
    ":smile: @user $x$", "&lt;b&gt; & &amp;", "\\<b\\>", "=HYPERLINK(1)",
])
def test_escaped_text_reads_as_written(text):
    rendered = markdown.markdown(f"| x |\n|---|\n| {escape(text)} |\n\n{escape(text)}",
                                 extensions=["tables", "attr_list", "toc"])
    assert "<script" not in rendered and "<a " not in rendered and "<img" not in rendered
    paragraph = re.search(r"<p>(.*)</p>", rendered, re.S).group(1)
    assert html.unescape(paragraph) == text
    cell = re.search(r"<td>(.*)</td>", rendered, re.S).group(1)
    assert html.unescape(cell) == text


def test_safe_title_has_no_markup():
    title = safe_title("</title><script>alert(1)</script> & co")
    assert "<" not in title and ">" not in title
    assert html.unescape(title) == "\u2039/title\u203a\u2039script\u203aalert(1)\u2039/script\u203a & co"


# -- the page plan ----------------------------------------------------------------------------------


def nav_paths(nav):
    """A nav with each titled page ({title: path}) as its path alone."""
    out = []
    for item in nav:
        if isinstance(item, dict):
            (title, value), = item.items()
            out.append(value if isinstance(value, str) else {title: nav_paths(value)})
        else:
            out.append(item)
    return out


def nav_labels(nav) -> list[str]:
    return [label for item in nav if isinstance(item, dict) for label, value in item.items()
            for label in ([label] + (nav_labels(value) if isinstance(value, list) else []))]


def test_plan_pages_and_nav(plan):
    assert sorted(plan.pages) == sorted([
        "frameworks/index.md", "frameworks/hmip-youth/index.md", f"{BASE}/index.md",
        *(f"{BASE}/{d}/index.md" for d in "1234"), f"{BASE}/print/index.md", f"{BASE}/examples/index.md",
        *(f"{BASE}/examples/bedfordshire-2021-{k}/index.md" for k in ("published", "cases", "csv")),
        *(f"{BASE}/examples/constructed-{k}/index.md" for k in ("resettlement-limit", "good-19", "inadequate-6")),
    ])
    assert plan.warnings == []
    title = "Inspection of youth offending services (2018 standards)"
    assert nav_paths(plan.nav) == ["frameworks/index.md", {title: ["frameworks/hmip-youth/index.md", {"2018": [
        f"{BASE}/index.md", *(f"{BASE}/{d}/index.md" for d in "1234"), f"{BASE}/print/index.md",
        {"Worked examples": [f"{BASE}/examples/index.md",
                             *(f"{BASE}/examples/bedfordshire-2021-{k}/index.md"
                               for k in ("published", "cases", "csv")),
                             *(f"{BASE}/examples/constructed-{k}/index.md"
                               for k in ("resettlement-limit", "good-19", "inadequate-6"))]}]}]}]
    # the nav keeps the short titles: the version is the section above them
    assert plan.nav[1][title][1]["2018"][:3] == [{title: f"{BASE}/index.md"},
                                                 {"1 Organisational delivery": f"{BASE}/1/index.md"},
                                                 {"2 Court disposals": f"{BASE}/2/index.md"}]
    assert ROOT / "frameworks" / "hmip-youth-2018.yaml" in [p.resolve() for p in plan.sources]


def test_every_node_has_an_anchor_on_its_domain_page_and_on_the_overview(plan, hmip):
    overview = plan.pages[f"{BASE}/index.md"].markdown
    for node in hmip.walk():
        domain = node
        while domain.parent is not None:
            domain = domain.parent
        page = plan.pages[f"{BASE}/{domain.id}/index.md"].markdown
        assert f"{{#{node.id}}}" in page or f'<a id="{node.id}"></a>' in page, node.id
        assert f'<a id="{node.id}"></a>' in overview, node.id
        assert f"({domain.id}/index.md#{node.id})" in overview, node.id


def test_standard_2_1_page(plan):
    page = plan.pages[f"{BASE}/2/index.md"].markdown
    # the version in force: named in the title, and ranked first in search
    assert page.startswith('---\ntitle: "2 Court disposals · version 2018"\nsearch:\n  boost: 2\n---\n')
    assert "## 2&#46;1 Assessment {#2.1}" in page or "## 2.1 Assessment {#2.1}" in page
    text = text_of(page)
    assert ("Standard · Rated by rule: the lowest rating of its key questions (lowest(children)) · "
            "Counts toward the overall rating") in text
    for question in ("Does assessment sufficiently analyse how to support the child's desistance?",
                     "Does assessment sufficiently analyse how to keep the child safe?",
                     "Does assessment sufficiently analyse how to keep other people safe?"):
        assert question in text
    assert ("Key question · Rated by rule: the share of inspected cases judged sufficient, rounded to whole "
            "numbers (halves rounded up), banded by the key question bands (band(share(), key_question))") in text
    assert "2.1.1.a Is there sufficient analysis of offending behaviour" in text
    # the band table the key questions use is on the same page
    assert ("Rating Range Published as Outstanding 80-100% Large majority: 80%+ Good 65-79% Reasonable majority: "
            "65-79% Requires improvement 50-64% Too few: 50-64% Inadequate 0-49% Minority: <50%") in text


def test_judged_and_unrated_nodes_say_so(plan):
    text = text_of(plan.pages[f"{BASE}/1/index.md"].markdown)
    assert "Standard · Judged by inspectors · Counts toward the overall rating" in text
    assert ("Key questions, which inspectors take into account in their judgement (not rated on their own): "
            "1.1.1 Is there an effective local vision") in text
    text4 = text_of(plan.pages[f"{BASE}/4/index.md"].markdown)
    assert ("Judged by inspectors; not rated without a judgement (no relevant resettlement cases were inspected; "
            "HMIP does not apply a rating to resettlement work then) · Rated separately: does not count toward "
            "the overall rating") in text4
    assert 'Limiting rule: If 4.1 is rated Inadequate, the overall rating is at most Good. rating("4.1") == inadequate' \
        in text4


def test_overview(plan):
    text = text_of(plan.pages[f"{BASE}/index.md"].markdown)
    for fragment in (
        "Framework: hmip-youth version 2018 (hmip-youth@2018)", "Status: published", "In force: from 2021-07",
        "Publisher: HM Inspectorate of Probation",
        "Source: An inspection of youth offending services in Bedfordshire.",
        "Rating Score Outstanding 3 Good 2 Requires improvement 1 Inadequate 0",
        "Key questions The share of inspected cases judged sufficient, rounded to whole numbers (halves rounded up), "
        "banded by the key question bands. Not rated under a judged standard (1.1, 1.2, 1.3, 1.4, 3.4, 4.1): "
        "inspectors take them into account. band(share(), key_question)",
        "Standards The lowest rating of its key questions. Judged by inspectors instead: 1.1, 1.2, 1.3, 1.4, 3.4, "
        "4.1. Each counts toward the overall rating, except 4.1, rated separately. lowest(children)",
        "Domains Not rated.",
        "Overall YOT rating The sum of the scores of the 12 standards that count toward the overall rating (0-36), "
        "banded by the overall rating bands. band(sum_scores(counted), overall)",
        "Rating Range Outstanding 31-36 Good 19-30 Requires improvement 7-18 Inadequate 0-6",
        "What is banded: the sum of the scores of the 12 standards that count toward the overall rating (0-36).",
        "If 4.1 is rated Inadequate, the overall rating is at most Good.",
        'Rule: when rating("4.1") == inadequate, overall is at most good.',
        "Bedfordshire YOS, 2021, from the published key-question percentages and judgements Bedfordshire YOS "
        "Requires improvement (14 of 36) meets its 37 expectations",
    ):
        assert fragment in text, fragment


def test_worked_example_page(plan):
    text = text_of(plan.pages[f"{BASE}/examples/bedfordshire-2021-published/index.md"].markdown)
    assert "This result gives all 37 of the ratings and scores the framework file expects" in text
    assert "Subject: Bedfordshire YOS" in text
    assert "1.1 Requires improvement" in text  # a judgement, by its label
    assert "2.1.1 17%" in text  # a published figure
    assert "Overall rating: Requires improvement (score 14 of 36). Why: the scores of its 12 counted" in text
    assert ("2.1.1 Does assessment sufficiently analyse how to support the child's desistance? Inadequate 17% "
            "17% sufficient (published figure); in the Inadequate band (0-49%)") in text
    cases = text_of(plan.pages[f"{BASE}/examples/bedfordshire-2021-cases/index.md"].markdown)
    assert "Court disposals: 6 cases." in cases and "Out-of-court disposals: 17 cases." in cases
    assert "C01 referral order yes yes yes" in cases


def test_an_example_that_fails_its_expectations_is_published_with_a_warning(hmip):
    worked = work_examples(hmip)
    worked[0].failures = ["overall: expected good, got requires_improvement"]
    plan = plan_site([hmip], examples={hmip.ref: worked})
    assert plan.warnings == ["hmip-youth@2018: example 'bedfordshire-2021-published' does not give the result "
                             "it expects: overall: expected good, got requires_improvement"]
    text = text_of(plan.pages[f"{BASE}/examples/bedfordshire-2021-published/index.md"].markdown)
    assert "This result does not give what the framework file expects (1 of 37 expectations not met)" in text


def test_framework_text_is_escaped_on_every_page(tmp_path):
    hostile = "<script>alert(1)</script>"
    text = (FRAMEWORK_TEXT.replace("title: Inspection of youth offending services (2018 standards)",
                                   f"title: '{hostile}'")
            .replace("title: Assessment", f"title: '{hostile} | [x](javascript:alert(1))'")
            .replace("label: Good\n", f"label: '{hostile}'\n")
            .replace('"Reasonable majority: 65-79%"', f"'{hostile}'"))
    fw = load_framework_text(text, "hostile.yaml")
    pages = framework_pages(fw, examples=[])
    for page in pages:
        rendered = markdown.markdown(page.markdown.split("---\n", 2)[2], extensions=["tables", "attr_list"])
        # the calculator's own two scripts, at fixed addresses, are the only scripts a page may hold
        rendered = re.sub(r'<script src="(calculator-plan\.js|(\.\./)+assets/bandstand/calculator\.js)"></script>',
                          "", rendered)
        assert "<script" not in rendered and "javascript:" not in rendered.replace("javascript&#58;", ""), page.path
        assert "<" not in page.markdown.split("\n")[1], page.path  # the front-matter title
    overview = text_of(pages[0].markdown)
    assert hostile in overview
    assert f"{hostile} | [x](javascript:alert(1))" in text_of(pages[2].markdown)


# -- errors a user can see are one line ------------------------------------------------------------


def test_the_same_version_twice_is_refused(hmip):
    with pytest.raises(PublishError, match=r"^hmip-youth@2018 is published twice: from .* and .*$"):
        plan_site([hmip, load_framework_text(FRAMEWORK_TEXT, "copy.yaml")], examples={hmip.ref: []})


def test_a_domain_named_like_a_page_is_refused():
    fw = load_framework_text(FRAMEWORK_TEXT.replace('  - id: "4"\n', '  - id: "examples"\n'), "f.yaml")
    with pytest.raises(PublishError) as e:
        framework_pages(fw, examples=[])
    assert "\n" not in str(e.value)
    assert "top-level node 'examples' cannot have a page of its own" in str(e.value)


def test_a_node_id_that_clashes_with_an_anchor_is_refused():
    fw = load_framework_text(FRAMEWORK_TEXT.replace('id: "1.4"', 'id: "limits"').replace('id: "1.4.', 'id: "limits.'),
                             "f.yaml")
    with pytest.raises(PublishError, match=r"the anchor '#limits' would be used twice"):
        framework_pages(fw, examples=[])


# -- versions -------------------------------------------------------------------------------------------


def next_version() -> str:
    """A 2019 version: a new key question under 2.1, 3.4 removed, 'Good' moved to 70-79%."""
    text = FRAMEWORK_TEXT.replace('version: "2018"', 'version: "2019"').replace("  from: 2018-06\n", "  from: 2022-01\n")
    text = text.replace("{level: requires_improvement, min: 50, max: 64,", "{level: requires_improvement, min: 50, max: 69,")
    text = text.replace("{level: good, min: 65, max: 79,", "{level: good, min: 70, max: 79,")
    text = text.replace('          - id: "2.1.3"\n',
                        '          - id: "2.1.4"\n            question: Is the assessment timely?\n'
                        '          - id: "2.1.3"\n')
    start = text.index('      - id: "3.4"')
    end = text.index('  - id: "4"\n')
    text = text[:start] + text[end:]
    text = re.sub(r'\n *"3\.4": requires_improvement', "", text)
    return text


def test_compare_versions(hmip):
    later = load_framework_text(next_version(), "later.yaml")
    changes = compare_versions(hmip, later)
    assert [(c.kind, c.subject) for c in changes.changes] == [
        ("threshold", "key_question"), ("node-removed", "3.4"), ("node-added", "2.1.4"), ("counted", "overall")]
    removed = next(c for c in changes.changes if c.kind == "node-removed")
    assert removed.before == ["3.4", "3.4.1", "3.4.2", "3.4.3"]
    assert compare_versions(hmip, hmip).identical


def test_a_later_version_gets_a_changes_page(hmip):
    later = load_framework_text(next_version(), "later.yaml")
    plan = plan_site([later, hmip], examples={hmip.ref: [], later.ref: []})
    assert "frameworks/hmip-youth/2019/changes/index.md" in plan.pages
    assert "frameworks/hmip-youth/2018/changes/index.md" not in plan.pages
    text = text_of(plan.pages["frameworks/hmip-youth/2019/changes/index.md"].markdown)
    assert ("compared with version 2018: 1 change to band tables, 2 changes to nodes, 1 change to overall rating."
            in text)
    assert "added 2.1.4 Is the assessment timely? under 2.1" in text
    assert "Good from 65% -> 70% (Requires improvement: 50-64% -> 50-69%; Good: 65-79% -> 70-79%)" in text
    assert "no longer counted: 3.4" in text
    overview = plan.pages["frameworks/hmip-youth/2019/index.md"].markdown
    assert "(../2018/index.md)" in overview and "(changes/index.md)" in overview
    removed = plan.pages["frameworks/hmip-youth/2019/changes/index.md"].markdown
    assert "(../../2018/3/index.md#3.4)" in removed  # removed nodes link to the version that had them
    assert nav_paths(list(plan.nav[1].values())[0][1:]) == [
        {"2018": nav_paths(plan.nav[1][list(plan.nav[1])[0]][1]["2018"])},
        {"2019": ["frameworks/hmip-youth/2019/index.md", *(f"frameworks/hmip-youth/2019/{d}/index.md" for d in "1234"),
                  "frameworks/hmip-youth/2019/print/index.md", "frameworks/hmip-youth/2019/changes/index.md"]}]


def test_worked_examples_are_evaluated_with_the_engine(hmip):
    worked = work_examples(hmip)
    assert [w.example.id for w in worked] == [e.id for e in hmip.examples]
    assert all(isinstance(w, WorkedExample) and not w.failures for w in worked)
    assert worked[0].result.overall.level.id == "requires_improvement"


# -- reference pages -----------------------------------------------------------------------------------


def schema_fields(schema: dict) -> set[str]:
    names, stack = set(), [schema]
    while stack:
        s = stack.pop()
        if isinstance(s, dict):
            names.update(s.get("properties", {}))
            stack.extend(s.values())
        elif isinstance(s, list):
            stack.extend(s)
    return names


def test_reference_pages_cover_every_field_function_and_command():
    from bandstand.cli import cli
    from bandstand.dsl.functions import FUNCTIONS
    from bandstand.dsl.schema import load_schema

    pages = {p.path: p.markdown for p in reference_pages(cli)}
    for name in ("framework", "evidence"):
        page = pages[f"reference/{name}.md"]
        for field in schema_fields(load_schema(name)):
            assert f"<code>{escape(field)}</code>" in page, (name, field)
    functions = pages["reference/functions.md"]
    for name, overloads in FUNCTIONS.items():
        assert f"{{#{name}}}" in functions
        for fn in overloads:
            assert f"<code>{escape(fn.example)}</code>" in functions
    assert "?start: expr" in functions  # the grammar, as shipped
    commands = pages["reference/cli.md"]
    for name in cli.commands:
        assert f"Usage: bandstand {name} [OPTIONS]" in commands


# -- all the bundled frameworks, crosswalks and inferred thresholds ----------------------------------------


def bundled_plan():
    from bandstand.crosswalk import load_crosswalk

    cat = Catalogue()
    frameworks = [cat.load_path(e.path) for e in cat.entries()]
    crosswalks = [load_crosswalk(p) for p in cat.crosswalk_files()]
    return plan_site(frameworks, crosswalks=crosswalks)


def test_versions_are_ordered_by_when_they_came_into_force():
    plan = bundled_plan()
    assert "frameworks/hmip-youth/2018/changes/index.md" in plan.pages  # 2018 follows 2018-original
    assert "frameworks/hmip-youth/2018-original/changes/index.md" not in plan.pages
    text = text_of(plan.pages["frameworks/hmip-youth/2018/changes/index.md"].markdown)
    assert "added 4 Resettlement (with 4 nodes below it)" in text
    assert "limit 'resettlement-inadequate' added" in text
    assert "Why: Standard 4.1, resettlement policy and provision, added in 2021" in text


def test_every_page_of_a_framework_with_inferred_thresholds_says_so():
    plan = bundled_plan()
    cci = [p for path, p in plan.pages.items() if path.startswith("frameworks/hmip-youth-cci/2011/")]
    assert len(cci) >= 5
    for page in cci:
        assert '!!! warning "Thresholds inferred, not published"' in page.markdown, page.path
    others = [p for path, p in plan.pages.items() if path.startswith("frameworks/hmip-youth/")]
    assert not any("Thresholds inferred" in p.markdown for p in others)


def test_crosswalks_between_published_frameworks_are_published():
    plan = bundled_plan()
    page = plan.pages["frameworks/crosswalks/hmip-youth-2018-to-cci-2011/index.md"]
    text = text_of(page.markdown)
    assert "2018 youth standards read as the 2011 Core Case Inspection" in text
    assert "The CCI's thresholds are inferred, not published." in text
    assert "(../../hmip-youth/2018/2/index.md#2.1.2)" in page.markdown  # the 2018 key questions are linked
    assert {"Crosswalks": ["frameworks/crosswalks/hmip-youth-2018-to-cci-2011/index.md"]} in plan.nav
    # a crosswalk whose frameworks are not both published is left out
    alone = plan_site([Catalogue().resolve("hmip-youth@2018")], examples={"hmip-youth@2018": []},
                      crosswalks=[__import__("bandstand.crosswalk", fromlist=["x"]).load_crosswalk(
                          ROOT / "frameworks" / "crosswalks" / "hmip-youth-2018-to-cci-2011.yaml")])
    assert not any("crosswalks" in path for path in alone.pages)


def test_pooled_scores_are_described_as_pooling_every_childs_answers():
    plan = bundled_plan()
    text = text_of(plan.pages["frameworks/hmip-youth-cci/2011/index.md"].markdown)
    assert "(none)" not in text
    assert "The share of all answers to its stages that were sufficient, pooled across cases" in text


def test_the_sources_of_a_versions_dates_are_on_its_overview():
    plan = bundled_plan()
    page = plan.pages["frameworks/hmip-youth-fji/2016-court/index.md"]
    text = text_of(page.markdown)
    assert "In force: from 2015-09 to 2016-08" in text
    assert "Sources of the dates: 2015-09: the first report found with court work: Doncaster" in text
    assert "(HMIP press release, Doncaster needs to improve, September 2015)" in text
    assert "(https://justiceinspectorates.gov.uk/hmiprobation/media/press-releases/2015/09/doncaster-needs-to-improve)" \
        in page.markdown


def test_no_sentence_ends_in_two_full_stops():
    """The 2018 part 'court' is described as "(community and custodial sentences)." in the file: the page
    said "... (community and custodial sentences).." before."""
    plan = bundled_plan()
    text = text_of(plan.pages[f"{BASE}/2/index.md"].markdown)
    assert ("Cases are inspected under the part Court disposals: Children sentenced by the courts (community "
            "and custodial sentences). ") in text
    for path, page in plan.pages.items():
        assert not re.search(r"[^.]\.\.(?:\s|$)", text_of(page.markdown)), path


@pytest.mark.parametrize("planned", ["", "  from: 2017-01\n"])
def test_a_draft_is_never_the_version_before_an_adopted_one(hmip, planned):
    """A draft without dates (or planned for a date before the adopted version's) was published as the
    version before 2018, and 2018's changes page showed the draft's changes reversed."""
    text = (FRAMEWORK_TEXT.replace('version: "2018"', 'version: "2019-draft"').replace("\nstatus: published\n", "\nstatus: draft\n")
            .replace("{level: good, min: 65, max: 79,", "{level: good, min: 70, max: 79,")
            .replace("{level: requires_improvement, min: 50, max: 64,", "{level: requires_improvement, min: 50, max: 69,"))
    text = text.replace("effective:\n  from: 2018-06\n", f"effective:\n{planned}")
    draft = load_framework_text(text.replace("title: Inspection", "title: Draft inspection", 1), "draft.yaml")
    assert draft.status == "draft"
    plan = plan_site([hmip, draft], examples={hmip.ref: [], draft.ref: []})
    assert "frameworks/hmip-youth/2018/changes/index.md" not in plan.pages
    changes = text_of(plan.pages["frameworks/hmip-youth/2019-draft/changes/index.md"].markdown)
    assert "Changes from version 2018 to 2019-draft" in changes
    assert "Good: 65-79% -> 70-79%" in changes
    versions = [list(v)[0] for v in list(plan.nav[1].values())[0][1:]]
    assert versions == ["2018", "2019-draft"]
    assert list(plan.nav[1]) == [hmip.title]  # the section is named by the adopted version


def test_nav_labels_show_published_numbering_never_internal_ids():
    """The 2011 scheme's sections have internal ids: the nav read "likelihood_of_reoffending Likelihood of
    Reoffending" (cut short by the theme). Numbered ids are the publisher's: "2 Court disposals" keeps its number."""
    plan = bundled_plan()
    cci = plan.pages["frameworks/hmip-youth-cci/2011/likelihood_of_reoffending/index.md"].markdown
    assert cci.startswith('---\ntitle: "Likelihood of Reoffending · version 2011"\n')
    assert "# Likelihood of Reoffending · version 2011 {#likelihood_of_reoffending}" in cci
    assert plan.pages[f"{BASE}/2/index.md"].markdown.startswith('---\ntitle: "2 Court disposals · version 2018"\n')
    assert "Likelihood of Reoffending" in nav_labels(plan.nav) and "2 Court disposals" in nav_labels(plan.nav)
    titles = {path: re.match(r'---\ntitle: "(.*)"\n', p.markdown).group(1) for path, p in plan.pages.items()}
    titles.update({label: label for label in nav_labels(plan.nav)})
    for fw in Catalogue().entries():
        loaded = Catalogue().load_path(fw.path)
        for root in loaded.roots:
            if not re.match(r"^[0-9]", root.id):
                assert not any(t.startswith(f"{root.id} ") for t in titles.values()), root.id


def test_the_score_of_a_rating_worked_out_is_described_in_words():
    """score(lowest(children)) was described as written: the describer asked the name resolver about a call."""
    from bandstand import load_framework
    from bandstand.describe import describe
    from bandstand.dsl.parser import parse_expression
    from bandstand.dsl.resolve import facts

    fw = load_framework("frameworks/hmip-youth-2018.yaml")
    site = facts(fw).rules["2.1"].site
    text = describe(parse_expression("score(lowest(children)) >= 2"), site, fw)
    assert "score(" not in text and "lowest(" not in text, text
    assert text.startswith("the score of the lowest rating of"), text
    named = describe(parse_expression("score(good)"), site, fw)
    assert named == "the score of Good (2)", named
