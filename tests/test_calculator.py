"""The rating calculator in the published pages equals `bandstand evaluate`, in a real browser.

The calculator (bandstand/assets/calculator.js, running the plan that
bandstand/publish/calculator.py compiles) is a second backend of the
compiler. These tests build the project's site, open each framework
version's page in headless Chromium, and compare what the page computes with
the library's result JSON, node by node (rating, reason, margin, decided_by,
figures), for every bundled example and for 1,000 random evidence sets per
bundled framework version. The random sets are driven through the page's own
function in batches (typing 1,000 forms would take the CI's time); one test
fills the form itself, by keyboard, as a reader does. Expectations come from
the library, never from the calculator.
"""

from __future__ import annotations

import json
import random
from fractions import Fraction
from pathlib import Path

import pytest

from bandstand import BandstandError, bind, evaluate, load_evidence, load_evidence_text
from bandstand.catalogue import Catalogue, bundled_dir
from bandstand.dsl.model import Framework
from bandstand.engine.compile import implemented_functions
from bandstand.publish.calculator import (CALLS, NOT_CALCULATED, NOT_IN_FORM, PLAN_NAME, SCRIPT_PATH, NotCalculated,
                                         calculator_files, calculator_markdown, calculator_plan, not_calculated,
                                         not_in_form)

RANDOM_SETS = 1000  # per bundled framework version
RANDOM_FRAMEWORKS = 40  # over the whole language, 25 evidence sets each
BATCH = 200


def bundled() -> list[Framework]:
    catalogue = Catalogue()
    return [catalogue.load_path(e.path) for e in catalogue.entries() if e.path.is_relative_to(bundled_dir())]


ALL_BUNDLED = bundled()
#: the bundled versions the page calculates (the others read what its form does not take: their pages say why)
FRAMEWORKS = [fw for fw in ALL_BUNDLED if not not_calculated(fw) and not not_in_form(fw)]


def page_of(fw: Framework) -> str:
    from bandstand.publish import version_dir

    return "/" + version_dir(fw) + "/"


# -- evidence both sides read ---------------------------------------------------------------------------


def decimal_text(x: Fraction) -> str:
    """A percentage with a finite decimal expansion (as evidence files give them), written exactly."""
    x = Fraction(x)
    if x.denominator == 1:
        return str(x.numerator)
    places = 0
    while (x * 10 ** places).denominator != 1:
        places += 1
        assert places <= 30, f"{x} has no finite decimal expansion"
    digits = str(int(x * 10 ** places)).rjust(places + 1, "0")
    return digits[:-places] + "." + digits[-places:]


def evidence_text(fw: Framework, inp: dict, partial: bool) -> str:
    data: dict = {"framework": fw.ref, "judgements": {}, "figures": {}}
    for node_id, level in inp["judgements"].items():
        if level is not None:
            data["judgements"][node_id] = level
    for node_id, f in inp["figures"].items():
        if f.get("percent") not in (None, ""):
            data["figures"][node_id] = {"percent": Fraction(f["percent"])}
        elif f.get("of") not in (None, ""):
            data["figures"][node_id] = {"yes": int(f["yes"]), "of": int(f["of"])}
    if partial:
        data["partial"] = True
    lines = [f"framework: {json.dumps(fw.ref)}"]
    for section in ("judgements", "figures"):
        lines.append(f"{section}:" + ("" if data[section] else " {}"))
        for node_id, v in data[section].items():
            if isinstance(v, dict):
                v = "{" + ", ".join(f"{k}: {decimal_text(x) if isinstance(x, Fraction) else x}"
                                    for k, x in v.items()) + "}"
            else:
                v = json.dumps(v)
            lines.append(f"  {json.dumps(node_id)}: {v}")
    if partial:
        lines.append("partial: true")
    return "\n".join(lines) + "\n"


def comparable(result_json: dict) -> dict:
    """What the calculator shows of a result: every node's and the overall's JSON, limits applied, partial."""
    return {k: result_json[k] for k in ("overall", "nodes", "limits_applied", "partial", "inferred_thresholds")
            if k in result_json}


def engine_result(fw: Framework, inp: dict) -> dict:
    """`bandstand evaluate` of the evidence the reader entered: as given, or, where the engine refuses it for
    evidence it needs and lacks, declared partial (what the calculator does with blank fields)."""
    try:
        ev = load_evidence_text(evidence_text(fw, inp, False), "calculator.yaml")
        return comparable(evaluate(fw, ev).to_json())
    except BandstandError as e:
        assert all(d.code in ("evidence.missing-judgement", "evidence.missing") for d in e.diagnostics), e
    ev = load_evidence_text(evidence_text(fw, inp, True), "calculator.yaml")
    return comparable(evaluate(fw, ev).to_json())


def random_input(plan: dict, rng: random.Random) -> dict:
    """Judgements and figures as a reader might enter them: any level or none, whole or decimal percentages,
    counts small and large, blanks."""
    inp: dict = {"judgements": {}, "figures": {}}
    levels = plan["levels"]
    blank_rate = rng.choice((0.0, 0.0, 0.05, 0.3))
    for field in plan["inputs"]:
        node = field["node"]
        if field["kind"] == "judgement":
            choice = None if rng.random() < blank_rate else levels[rng.choice(field["levels"])]["id"]
            inp["judgements"][node] = choice
            continue
        r = rng.random()
        if r < blank_rate:
            inp["figures"][node] = {}
        elif r < 0.45:
            kind = rng.random()
            if kind < 0.6:
                p = Fraction(rng.randint(0, 100))
            elif kind < 0.85:
                p = Fraction(rng.randint(0, 1000), 10)
            elif kind < 0.95:
                p = Fraction(rng.randint(0, 10000), 100)
            else:  # finer than any table rounds, and than margins step
                p = Fraction(rng.randint(0, 10 ** 7), 10 ** 5)
            inp["figures"][node] = {"percent": decimal_text(p)}
        else:
            of = rng.choice((0, 1, 2, 3, 5, 6, 7, 12, 17, 20, 33, rng.randint(1, 60), rng.randint(1, 400)))
            if of and rng.random() < 0.5:  # near a band edge more often than chance would put it
                edge = rng.choice((50, 65, 80, 47, 60, 35, 75))
                yes = min(of, max(0, round(of * edge / 100) + rng.randint(-1, 1)))
            else:
                yes = rng.randint(0, of)
            inp["figures"][node] = {"yes": str(yes), "of": str(of)}
    return inp


def example_inputs(fw: Framework) -> list[tuple[str, dict, dict | None]]:
    """(example id, the calculator's input, the example's own result JSON when the input says all it says)."""
    base = fw.path.parent
    out = []
    for ex in fw.examples:
        ev = load_evidence(base / ex.evidence)
        bound = bind(ev, fw)
        inp: dict = {"judgements": {k: (v.id if v is not None else None) for k, v in bound.judgements.items()},
                     "figures": {}}
        for node_id, m in bound.measures.items():
            inp["figures"][node_id] = ({"percent": decimal_text(m.percent)} if m.percent is not None
                                       else {"yes": str(m.yes), "of": str(m.of)})
        same = not ev.published and not bound.notes
        out.append((ex.id, inp, comparable(evaluate(fw, ev).to_json()) if same else None))
    return out


# -- random frameworks over the whole language -------------------------------------------------------------


def random_framework(rng: random.Random, n_id: int) -> str:
    """A framework over every built-in function: share, yes, applicable, pooled_share, band (rounded by each
    mode, and unrounded), lowest, highest, mean_score, sum_scores, score, count, count_rated, nodes, rating,
    is_rated, min, max, not_rated, judgement (required and optional), arithmetic, if/not/and/or, and limits
    (at most and at least) on standards and the overall rating."""
    k = rng.randint(2, 5)
    levels = [f"l{i}" for i in range(k)]
    factor = rng.choice([1, 1, 2, Fraction(1, 2)])
    def num(x):
        x = Fraction(x)
        return str(x.numerator) if x.denominator == 1 else f"{float(x)}"
    lines = ["bandstand: 1", f"id: random-{n_id}", 'version: "1"', "title: Random", "status: draft", "scales:",
             "  - id: r", "    levels:"]
    lines += [f"      - {{id: l{i}, label: Level {i}, score: {num(i * factor)}}}" for i in range(k)]
    places = rng.choice([0, 0, 1, 2, None])
    mode = rng.choice(["half_up", "half_even", "down", "up"])
    lines.append("bands:")

    def table(tid, unit, lo, hi, places, mode, step, open_ends=False):
        cuts = sorted(rng.sample(range(1, int((hi - lo) / step)), k - 1))
        mins = [Fraction(lo)] + [lo + c * step for c in cuts]
        out = [f"  - id: {tid}", "    scale: r", f"    unit: {unit}"]
        if places is not None:
            out.append(f"    rounding: {{places: {places}, mode: {mode}}}")
        out.append("    bands:")
        for i, lv in enumerate(levels):
            parts = [f"level: {lv}"]
            if not (open_ends and i == 0):
                parts.append(f"min: {num(mins[i])}")
            if i < k - 1:
                parts.append(f"below: {num(mins[i + 1])}")
            elif not open_ends and rng.random() < 0.85:
                parts.append(f"max: {num(hi)}")
            out.append("      - {" + ", ".join(parts) + "}")
        return out

    pstep = Fraction(1, 10 ** places) if places is not None else Fraction(1, 100)
    lines += table("share", "percent", 0, 100, places, mode, pstep)
    lines += table("mean", "score", 0, (k - 1) * factor, 2, rng.choice(["half_up", "down"]), Fraction(1, 100))
    lines += table("wide", "number", 0, 100, places, mode, pstep, open_ends=True)
    n = rng.randint(2, 4)
    kinds = [rng.choice(["judged", "lowest", "highest", "pooled", "mean", "count", "minmax", "ifrated",
                         "arith", "countrated", "scoresum"]) for _ in range(n)]
    whole = factor >= 1
    lines += table("total", "score", 0, n * (k - 1) * factor if whole else n * (k - 1), None, None,
                   Fraction(1) if whole else Fraction(1, 2))
    lines += ["parts:", "  - {id: all, label: All cases}"]
    kq_rules = ["band(share(), share)", "band(share(), share)",
                "if applicable() == 0 then not_rated(\"no case applied\") else band(share(), share)",
                "if yes() >= 3 then max(band(share(), share), l1) else band(share(), share)",
                "if applicable() == 0 then not_rated(\"none\") else band(100 * yes() / applicable() - 5, wide)",
                "band(100 * yes() / applicable(), wide)", "band(-share(), wide)"]
    lines += ["tiers:", "  - {id: standard, label: Standard, counts_toward_overall: true}",
              f"  - {{id: key_question, label: Key question, rule: {rng.choice(kq_rules)!r}}}"]
    lines.append("nodes:")
    for i, kind in enumerate(kinds, 1):
        lines.append(f'  - id: "{i}"')
        lines.append(f"    title: Standard {i}")
        if kind == "judged":
            lines.append("    judged: " + rng.choice(["true", "true", "optional"]))
            continue
        kids = rng.randint(1, 3)
        ids = [f"{i}.{j}" for j in range(1, kids + 1)]
        q = ", ".join(f'"{x}"' for x in ids)
        rule = {
            "lowest": "lowest(children)",
            "highest": "highest(children)",
            "pooled": "band(pooled_share(children), share)",
            "mean": "band(mean_score(children), mean)",
            "count": "if count(children, l0) >= 2 then l0 else lowest(children)",
            "minmax": rng.choice(["min(lowest(children), l1)", "max(highest(nodes(" + q + ")), l0)"]),
            "ifrated": f'if is_rated("{ids[0]}") then rating("{ids[0]}") else highest(children)',
            "arith": f"band(100 * count_rated(children) / {kids} - score(lowest(children)), wide)",
            "countrated": "if count_rated(children) == 0 then not_rated(\"none rated\") else lowest(children)",
            "scoresum": f'band(sum_scores(children) / {kids}, mean)',
        }[kind]
        lines.append("    part: all")
        lines.append(f"    rule: {rule!r}")
        lines.append("    children:")
        for qid in ids:
            lines.append(f'      - {{id: "{qid}", title: Question {qid}}}')
    lines += ["overall:", "  rule: " + repr(rng.choice(["band(sum_scores(counted), total)",
                                                          "band(sum_scores(counted), total)",
                                                          "min(band(sum_scores(counted), total), l1)",
                                                          "lowest(counted)"]))]
    limits = []
    for _ in range(rng.randint(0, 3)):
        target = rng.choice(["overall"] + [str(i) for i in range(2, n + 1)])
        top = n if target == "overall" else int(target) - 1
        other = str(rng.randint(1, top))
        when = rng.choice([f'rating("{other}") == {rng.choice(levels)}', f'not is_rated("{other}")',
                           f'rating("{other}") <= {rng.choice(levels)} or score(rating("{other}")) > 1'])
        lid = f"lim{len(limits) + 1}"
        limits += [f"  - id: {lid}", f"    applies_to: {'overall' if target == 'overall' else repr(target)}",
                   f"    when: {when!r}", f"    {rng.choice(['at_most', 'at_least'])}: {rng.choice(levels)}"]
        if rng.random() < 0.5:
            limits.append(f"    description: {lid} holds")
    if limits:
        lines += ["limits:"] + limits
    return "\n".join(lines) + "\n"


# -- without a browser: the plan covers the language -------------------------------------------------------


def test_the_plan_has_a_form_for_every_built_in():
    """Every built-in has a form in the plan, or is one the calculator refuses, saying so; never neither."""
    assert CALLS | NOT_CALCULATED | NOT_IN_FORM == implemented_functions()
    assert not CALLS & (NOT_CALCULATED | NOT_IN_FORM)
    assert NOT_CALCULATED == {"value", "previous", "comparator"}


def test_a_framework_reading_published_figures_gets_a_page_saying_why_not_a_calculator():
    refused = [fw for fw in ALL_BUNDLED if not_calculated(fw)]
    assert [fw.ref for fw in refused] == ["yjb-indicators@2016-17"]
    fw = refused[0]
    assert not_calculated(fw) == ["value", "comparator", "previous"]
    with pytest.raises(NotCalculated, match="published figures"):
        calculator_plan(fw)
    files = calculator_files(ALL_BUNDLED)
    assert not any(k.endswith(PLAN_NAME) and "yjb-indicators" in k for k in files)
    section = "\n".join(calculator_markdown(fw, "frameworks/yjb-indicators/2016-17/index.md", "calc"))
    assert "no calculator" in section and "`value()`" in section and "bandstand evaluate" in section
    assert "<script" not in section and "bandstand-calculator" not in section


def test_the_built_page_of_a_refused_framework_says_why(docs_site):
    from bandstand.publish import version_dir

    page = docs_site / version_dir(Catalogue().resolve("yjb-indicators@2016-17")) / "index.html"
    html = page.read_text(encoding="utf-8")
    assert "has no calculator in the page" in html and "bandstand-calculator" not in html
    assert not (page.parent / PLAN_NAME).exists()


def test_a_framework_reading_statuses_and_days_gets_no_calculator_and_its_page_says_why():
    """A plan rated from statuses, due days and the day evaluated on: the form takes none of them, so the page
    has no form (a form could only guess them) and says why and what to run instead."""
    refused = [fw for fw in ALL_BUNDLED if not_in_form(fw)]
    assert [fw.ref for fw in refused] == ["bucks-yos-plan@2023"]
    fw = refused[0]
    assert not_in_form(fw) == ["due", "evaluated_on", "status"]
    files = calculator_files(ALL_BUNDLED)
    assert not any(path.endswith(PLAN_NAME) and "/bucks-yos-plan/" in path for path in files)
    assert len([p for p in files if p.endswith(PLAN_NAME)]) == len(FRAMEWORKS)
    text = "\n".join(calculator_markdown(fw, "frameworks/bucks-yos-plan/2023/index.md", "calculator"))
    assert "has no rating calculator" in text and "`status()`" in text and "`evaluated_on()`" in text
    assert "bandstand evaluate bucks-yos-plan@2023 EVIDENCE --on YYYY-MM-DD" in text
    assert "<script" not in text and "bandstand-calculator" not in text
    with pytest.raises(ValueError, match="has no calculator"):
        calculator_plan(fw)


def test_every_bundled_framework_has_a_plan_and_the_site_files():
    files = calculator_files(FRAMEWORKS)
    assert SCRIPT_PATH in files and "bandstandCalculator" in files[SCRIPT_PATH]
    for fw in FRAMEWORKS:
        plan = calculator_plan(fw)
        assert plan["framework"]["version"] == fw.version
        assert [s["node"] for s in plan["steps"]] == [s.node.id for s in fw.compiled.order]
        assert f"{page_of(fw)[1:]}{PLAN_NAME}" in files


def test_a_hostile_title_cannot_end_the_plans_script(tmp_path):
    text = (bundled_dir() / "hmip-youth-fji-2012.yaml").read_text(encoding="utf-8")
    text = text.replace("title: ", "title: </script><script>alert(1)</script> ", 1)
    path = tmp_path / "fji.yaml"
    path.write_text(text, encoding="utf-8")
    fw = Catalogue().load_path(path)
    (script,) = [v for k, v in calculator_files([fw]).items() if k.endswith(PLAN_NAME)]
    assert "</script>" not in script and "<script>" not in script
    assert json.loads(script.split("] = ", 1)[1].rstrip(";\n"))["framework"]["title"].startswith("</script>")


def test_engine_partial_matches_the_calculators_blank_fields():
    """A blank required field is evidence left out, as `partial: true` declares it; never a default."""
    fw = Catalogue().resolve("hmip-youth@2018")
    plan = calculator_plan(fw)
    inp = random_input(plan, random.Random(1))
    inp["figures"]["2.1.1"] = {}
    got = engine_result(fw, inp)
    assert "2.1.1" in got["partial"]["left_out"]
    assert got["nodes"]["2.1.1"]["rating"] is None
    assert got["nodes"]["2.1"]["rating"] is not None and "partial" in got["nodes"]["2.1"]["reason"]


# -- in the browser ----------------------------------------------------------------------------------------

browser_mark = pytest.mark.browser


@pytest.fixture(scope="module")
def calc_browser(chromium, tmp_path_factory):
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    binary, driver = chromium
    options = webdriver.ChromeOptions()
    options.binary_location = str(binary)
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--no-first-run", "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", "--window-size=1400,1000",
                     f"--user-data-dir={tmp_path_factory.mktemp('calculator-profile')}"):
        options.add_argument(argument)
    session = webdriver.Chrome(options=options, service=Service(str(driver)))
    session.set_page_load_timeout(30)
    session.set_script_timeout(300)
    yield session
    session.quit()


@pytest.fixture(scope="module")
def site_url(docs_site):
    import functools
    import http.server
    import threading

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(docs_site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def open_page(browser, site_url: str, fw: Framework) -> None:
    browser.get(site_url + page_of(fw))
    ready = browser.execute_script("return !!(window.bandstandCalculator && window.bandstandPlans && "
                                   "window.bandstandPlans[arguments[0]])", fw.ref)
    assert ready, f"the calculator did not load on {page_of(fw)}"


def page_results(browser, fw: Framework, inputs: list[dict]) -> list[dict]:
    out = []
    for i in range(0, len(inputs), BATCH):
        text = browser.execute_script("return window.bandstandCalculator.evaluateMany(arguments[0], arguments[1])",
                                      fw.ref, inputs[i:i + BATCH])
        out += json.loads(text)
    return out


def first_difference(a, b, path="") -> str:
    if isinstance(a, dict) and isinstance(b, dict):
        for k in list(dict.fromkeys(list(a) + list(b))):
            if k not in a or k not in b:
                return f"{path}.{k}: page {a.get(k, '(missing)')!r}, engine {b.get(k, '(missing)')!r}"
            d = first_difference(a[k], b[k], f"{path}.{k}")
            if d:
                return d
        return ""
    return "" if a == b else f"{path}: page {a!r}, engine {b!r}"


@browser_mark
@pytest.mark.parametrize("fw", FRAMEWORKS, ids=lambda fw: fw.ref)
def test_the_page_equals_evaluate_on_every_bundled_example(calc_browser, site_url, fw):
    cases = example_inputs(fw)
    if not cases:
        pytest.skip(f"{fw.ref} has no examples of its own")
    open_page(calc_browser, site_url, fw)
    got = page_results(calc_browser, fw, [inp for _, inp, _ in cases])
    for (example, inp, own), page in zip(cases, got):
        expected = engine_result(fw, inp)
        if own is not None:  # the input says all the example says: the example's own result, unchanged
            assert expected == own, example
        assert page == expected, f"{fw.ref} example {example}: {first_difference(page, expected)}"


@browser_mark
@pytest.mark.parametrize("fw", FRAMEWORKS, ids=lambda fw: fw.ref)
def test_the_page_equals_evaluate_on_random_evidence(calc_browser, site_url, fw):
    plan = calculator_plan(fw)
    rng = random.Random(f"calculator {fw.ref}")
    inputs = [random_input(plan, rng) for _ in range(RANDOM_SETS)]
    open_page(calc_browser, site_url, fw)
    got = page_results(calc_browser, fw, inputs)
    assert len(got) == RANDOM_SETS
    partial = 0
    for i, (inp, page) in enumerate(zip(inputs, got)):
        expected = engine_result(fw, inp)
        partial += "partial" in expected
        assert page == expected, f"{fw.ref} random set {i} {json.dumps(inp)}: {first_difference(page, expected)}"
    if plan["shareRated"] or plan["judgedRequired"]:  # (a framework that needs no field has no partial path)
        assert partial, "no random set left evidence out: the partial path went untested"


@browser_mark
def test_the_page_equals_evaluate_on_random_frameworks_over_every_built_in(calc_browser, site_url):
    """The bundled frameworks use six of the language's functions; these use all of them, 25 evidence sets each."""
    from bandstand import load_framework_text
    from bandstand.publish.calculator import calculator_json

    open_page(calc_browser, site_url, FRAMEWORKS[0])
    seen = set()
    for i in range(RANDOM_FRAMEWORKS):
        text = random_framework(random.Random(i), i)
        fw = load_framework_text(text, f"random-{i}.yaml")
        plan = calculator_plan(fw)
        seen |= {e["f"] for e in _calls(plan)} | ({"nodes"} if "nodes(" in text else set())  # (resolved to members)
        rng = random.Random(f"evidence {i}")
        inputs = [random_input(plan, rng) for _ in range(25)]
        text = calc_browser.execute_script(
            "window.bandstandPlans[arguments[0]] = JSON.parse(arguments[1]); "
            "return window.bandstandCalculator.evaluateMany(arguments[0], arguments[2])",
            fw.ref, calculator_json(fw), inputs)
        for j, (inp, page) in enumerate(zip(inputs, json.loads(text))):
            expected = engine_result(fw, inp)
            assert page == expected, f"random framework {i}, set {j}: {first_difference(page, expected)}"
    assert seen == CALLS, f"no random framework used {sorted(CALLS - seen)}"


def _calls(plan: dict) -> list[dict]:
    out, stack = [], [s["expr"] for s in plan["steps"]] + [lim["cond"] for s in plan["steps"] for lim in s["limits"]]
    while stack:
        e = stack.pop()
        if isinstance(e, dict):
            if e.get("k") == "call":
                out.append(e)
            stack.extend(v for v in e.values() if isinstance(v, (dict, list)))
        elif isinstance(e, list):
            stack.extend(e)
    return out


@browser_mark
def test_a_reader_fills_the_form_by_keyboard(calc_browser, site_url, tmp_path):
    """Bedfordshire's published figures and judgements, typed into the 2018 page's form: the tree shows the
    engine's ratings, reasons and margins, node by node; the calculator fits a phone's width."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    fw = Catalogue().resolve("hmip-youth@2018")
    ev = load_evidence(bundled_dir() / "examples" / "hmip-youth-2018" / "bedfordshire-2021-published.yaml")
    expected = comparable(evaluate(fw, ev).to_json())
    b = calc_browser
    b.set_window_size(1400, 1000)
    open_page(b, site_url, fw)
    root = b.find_element(By.CSS_SELECTOR, ".bandstand-calculator")
    summary = root.find_element(By.CSS_SELECTOR, "[role=status]")
    assert "partial" in summary.text  # nothing entered yet: every rating waits for its evidence
    for node_id, j in ev.judgements.items():
        select = root.find_element(By.CSS_SELECTOR, f"select[data-node='{node_id}']")
        label = root.find_element(By.CSS_SELECTOR, f"label[for='{select.get_attribute('id')}']")
        assert label.text.startswith(node_id)
        select.send_keys(str(j.rating))  # a select takes the typed label by keyboard
    for node_id, f in ev.figures.items():
        field = root.find_element(By.CSS_SELECTOR, f"input[data-node='{node_id}'][data-part='percent']")
        assert root.find_element(By.CSS_SELECTOR, f"label[for='{field.get_attribute('id')}']").text.strip()
        field.send_keys(decimal_text(f.percent))
    field.send_keys(Keys.TAB)
    assert summary.text.startswith(f"Overall: {expected['overall']['label']} (score {expected['overall']['score']}")
    assert "partial" not in summary.text
    for node_id, want in expected["nodes"].items():
        shown = root.find_elements(By.CSS_SELECTOR, f"li[data-node='{node_id}']")
        if want["by"] == "not rated":
            continue
        (item,) = shown
        rating = item.find_element(By.CSS_SELECTOR, ".bsc-rating").text
        assert rating == (want.get("label") or "not rated"), node_id
        assert item.find_element(By.CSS_SELECTOR, ".bsc-why").text == want["reason"], node_id
        margins = item.find_elements(By.CSS_SELECTOR, ":scope > .bsc-margin")
        assert bool(margins) == bool(want.get("margin")), node_id
    overall = root.find_element(By.CSS_SELECTOR, "li[data-node='overall'] > .bsc-why").text
    assert overall == expected["overall"]["reason"]

    # a wrong figure is named at its field, and no rating is shown from it
    field = root.find_element(By.CSS_SELECTOR, "input[data-node='2.1.1'][data-part='percent']")
    field.send_keys("5")  # 17 -> 175
    error = root.find_element(By.CSS_SELECTOR, f"#{field.get_attribute('aria-describedby')}")
    assert error.is_displayed() and "0 to 100" in error.text
    assert field.get_attribute("aria-invalid") == "true"
    assert not root.find_elements(By.CSS_SELECTOR, "li[data-node]")
    field.send_keys(Keys.BACKSPACE)
    assert summary.text.startswith(f"Overall: {expected['overall']['label']}")

    # the last field's Tab leads to "Clear all", which Enter presses: every rating waits for its evidence again
    last = root.find_elements(By.CSS_SELECTOR, "form input, form select")[-1]
    last.send_keys(Keys.TAB)
    active = b.switch_to.active_element
    assert active.tag_name == "button" and active.text == "Clear all"
    active.send_keys(Keys.ENTER)
    assert "partial" in summary.text and not field.get_attribute("value")
    for node_id, j in ev.judgements.items():  # filled again, for the screenshots
        root.find_element(By.CSS_SELECTOR, f"select[data-node='{node_id}']").send_keys(str(j.rating))
    for node_id, f in ev.figures.items():
        root.find_element(By.CSS_SELECTOR, f"input[data-node='{node_id}'][data-part='percent']").send_keys(
            decimal_text(f.percent))
    assert summary.text.startswith(f"Overall: {expected['overall']['label']}") and "partial" not in summary.text

    shots = Path(tmp_path)
    root_top = root.location["y"]
    b.execute_script("window.scrollTo(0, arguments[0])", max(0, root_top - 80))
    desktop = shots / "calculator-desktop.png"
    assert b.save_screenshot(str(desktop)) and desktop.stat().st_size > 10_000
    b.set_window_size(390, 844)
    try:
        wide = b.execute_script(
            "const r = arguments[0]; return [r.scrollWidth, r.clientWidth, "
            "Math.max(...[...r.querySelectorAll('input,select')].map(e => e.getBoundingClientRect().right)), "
            "document.documentElement.clientWidth]", root)
        assert wide[0] <= wide[1] + 1, f"the calculator is wider than a phone's screen: {wide}"
        assert wide[2] <= wide[3], f"a field runs off a phone's screen: {wide}"
        phone = shots / "calculator-phone.png"
        b.execute_script("arguments[0].scrollIntoView()", root)
        assert b.save_screenshot(str(phone)) and phone.stat().st_size > 10_000
    finally:
        b.set_window_size(1400, 1000)
