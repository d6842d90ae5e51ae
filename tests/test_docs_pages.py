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
