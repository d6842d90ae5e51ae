"""One engine: every public path gives what a straightforward evaluator gives (hypothesis).

Random frameworks are written in the DSL (small hierarchies, a scale with
scores, band tables with rounding, the rules the bundled frameworks use,
limits) and loaded as users' files are; random evidence gives each key
question counts or a published percentage and each judged standard a level.
For each, `evaluate` (explained and ratings only, raw and bound evidence),
`evaluate_many`, the command line (one inspection, a batch, `--ratings-only`),
`compare` and `stability` must give the ratings, reasons and decided_by of
the reference evaluator in tests/reference_engine.py, and the margins it
finds by trying every case (or step of a figure) in turn.
"""

from __future__ import annotations

import json
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bandstand import bind, compile_framework, evaluate, evaluate_many, load_framework_text
from bandstand.cli import main
from bandstand.compare import compare
from bandstand.dsl.model import OVERALL
from bandstand.stability import stability
from helpers import evidence
from reference_engine import Reference, ratings

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                            HealthCheck.function_scoped_fixture])


def dec(x: Fraction) -> str:
    """A number as YAML text, exactly (finite decimals only)."""
    if x.denominator == 1:
        return str(x.numerator)
    d = 0
    while (x * 10 ** d).denominator != 1:
        d += 1
    return f"{float(x):.{d}f}"


@st.composite
def thresholds(draw, k: int, lo: int, hi: int) -> list[int]:
    """k - 1 rising whole thresholds in (lo, hi]."""
    return sorted(draw(st.lists(st.integers(lo + 1, hi), min_size=k - 1, max_size=k - 1, unique=True)))


def band_lines(table_id: str, unit: str, levels: list[str], mins: list[Fraction], top: Fraction, step: Fraction,
               rounding: str | None) -> list[str]:
    out = [f"  - id: {table_id}", "    scale: r", f"    unit: {unit}"]
    if rounding:
        out.append(f"    rounding: {rounding}")
    out.append("    bands:")
    for i, level in enumerate(levels):
        hi = top if i == len(levels) - 1 else mins[i + 1] - step
        out.append(f"      - {{level: {level}, min: {dec(mins[i])}, max: {dec(hi)}}}")
    return out


@st.composite
def framework(draw):
    """(YAML text, {key question: 'counts' | 'percent' | 'either'}, judged standards, level ids)."""
    k = draw(st.integers(2, 4))
    levels = [f"l{i}" for i in range(k)]
    factor = draw(st.sampled_from([1, 1, 2]))
    lines = ["bandstand: 1", "id: random", 'version: "1"', "title: Random", "status: draft", "scales:", "  - id: r",
             "    levels:"]
    lines += [f"      - {{id: l{i}, label: Level {i}, score: {i * factor}}}" for i in range(k)]
    places = draw(st.sampled_from([0, 0, 1]))
    mode = draw(st.sampled_from(["half_up", "half_up", "half_even", "down", "up"]))
    unit = Fraction(1, 10 ** places)
    cuts = draw(thresholds(k, 0, 100 * 10 ** places))
    lines += ["bands:"] + band_lines("share", "percent", levels, [Fraction(0)] + [c * unit for c in cuts],
                                     Fraction(100), unit, f"{{places: {places}, mode: {mode}}}")
    # standards, their key questions, the overall
    n = draw(st.integers(2, 4))
    kinds = [draw(st.sampled_from(["judged", "lowest", "lowest", "pooled"])) for _ in range(n)]
    maximum = n * (k - 1) * factor
    total_cuts = draw(thresholds(k, 0, maximum))
    lines += band_lines("total", "score", levels, [Fraction(0)] + [Fraction(c) for c in total_cuts],
                        Fraction(maximum), Fraction(1), None)
    lines += ["parts:", "  - {id: all, label: All cases}"]
    lines += ["tiers:", "  - {id: standard, label: Standard, counts_toward_overall: true}",
              '  - {id: key_question, label: Key question, rule: "band(share(), share)"}', "nodes:"]
    questions: dict[str, str] = {}
    judged = []
    for i, kind in enumerate(kinds, 1):
        lines.append(f'  - id: "{i}"')
        lines.append(f"    title: Standard {i}")
        if kind == "judged":
            lines.append("    judged: true")
            judged.append(str(i))
            continue
        lines.append("    part: all")
        lines.append("    rule: " + ("lowest(children)" if kind == "lowest" else "band(pooled_share(children), share)"))
        lines.append("    children:")
        for j in range(1, draw(st.integers(1, 3)) + 1):
            qid = f"{i}.{j}"
            lines.append(f'      - {{id: "{qid}", title: Question {qid}}}')
            questions[qid] = "counts" if kind == "pooled" else "either"
    lines += ["overall:", "  rule: band(sum_scores(counted), total)"]
    limits = []
    for _ in range(draw(st.integers(0, 2))):
        target = draw(st.sampled_from(["overall"] + [str(i) for i in range(2, n + 1)]))
        top = n if target == "overall" else int(target) - 1
        other = str(draw(st.integers(1, top)))
        when, bound = draw(st.sampled_from(levels)), draw(st.sampled_from(levels))
        which = draw(st.sampled_from(["at_most", "at_least"]))
        lid = f"lim{len(limits) + 1}"
        limits += [f"  - id: {lid}", f"    applies_to: {'overall' if target == 'overall' else repr(target)}",
                   f'    when: rating("{other}") == {when}', f"    {which}: {bound}"]
        if draw(st.booleans()):
            limits.append(f"    description: {lid} holds")
    if limits:
        lines += ["limits:"] + limits
    return "\n".join(lines) + "\n", questions, judged, levels


@st.composite
def case(draw):
    text, questions, judged, levels = draw(framework())
    figures: dict = {}
    for qid, how in questions.items():
        if how == "counts" or draw(st.booleans()):
            of = draw(st.integers(1, 9))
            figures[qid] = (draw(st.integers(0, of)), of)
        else:
            figures[qid] = Fraction(draw(st.integers(0, 1000)), 10 ** draw(st.sampled_from([0, 1])))
            figures[qid] = min(figures[qid], Fraction(100))
    judgements = {j: draw(st.sampled_from(levels)) for j in judged}
    return text, figures, judgements


def evidence_data(figures: dict, judgements: dict, subject: str = "random") -> dict:
    kqs = {k: ({"yes": v[0], "of": v[1]} if isinstance(v, tuple) else {"percent": float(v)})
           for k, v in figures.items()}
    return {"subject": subject, "judgements": judgements, "key_questions": kqs}


def as_cases(figures: dict, judgements: dict) -> dict | None:
    """The same counts as case-level evidence (case c answers 'yes' while c < yes, 'no' while c < of), or None
    when a figure is a percentage."""
    if not figures or not all(isinstance(v, tuple) for v in figures.values()):
        return None
    cases = []
    for c in range(max(of for _, of in figures.values())):
        answers = {k: ("yes" if c < yes else "no" if c < of else "n/a") for k, (yes, of) in figures.items()}
        cases.append({"id": f"case-{c}", "part": "all", "answers": answers})
    return {"subject": "random", "judgements": judgements, "cases": cases}


def seen(result, explained: bool = True) -> dict:
    """Each rated node's (rating, reason, decided_by, margin) as a result shows them."""
    out = {}
    for node_id, r in [*result.nodes.items(), (OVERALL, result.overall)]:
        if r.rated:
            out[node_id] = (r.level.id if r.level else None, r.reason, list(r.decided_by),
                            r.margin.to_json() if r.margin is not None else None)
    return out


def cli(*argv: str) -> int:
    """The command line's exit code (``main`` ends in ``sys.exit``)."""
    try:
        main(list(argv))
    except SystemExit as done:
        return done.code
    return 0


def as_json(shown: dict) -> dict:
    """What the JSON output shows of ``seen``: the overall's decided_by is not among its fields."""
    out = dict(shown)
    level, reason, _, margin = out[OVERALL]
    out[OVERALL] = (level, reason, [], margin)
    return out


def seen_json(doc: dict) -> dict:
    out = {}
    for node_id, r in [*doc["nodes"].items(), (OVERALL, doc["overall"])]:
        if r.get("by", "rule") != "not rated":
            out[node_id] = (r["rating"], r["reason"], r.get("decided_by", []), r.get("margin"))
    return out


def expected(fw, figures, judgements) -> tuple[dict, dict]:
    """(explained, ratings only): what the reference evaluator gives."""
    ref = Reference(fw, figures, judgements)
    levels = ratings(ref)
    full, quick = {}, {}
    for node_id, level in levels.items():
        reason = ref.reason(node_id)
        decided_by = ref.decide(node_id)[2]
        full[node_id] = (level, reason, decided_by)
        quick[node_id] = (level, reason if level is None else "", [], None)
    return full, quick


def check_margins(fw, figures, judgements, result) -> None:
    """Every margin of a node banded on a share is what trying each case (or figure step) in turn finds."""
    ref = Reference(fw, figures, judgements)
    for node_id, r in result.nodes.items():
        found = ref.margin(node_id) if r.rated else None
        if found is None:
            continue
        up, down, unit = found
        m = r.margin
        got_up = m.up if m is not None else None
        got_down = m.down if m is not None else None
        for want, got, field in ((up, got_up, "more_yes"), (down, got_down, "fewer_yes")):
            if want is None:
                assert got is None, (node_id, got)
                continue
            assert got is not None, (node_id, want)
            amount = getattr(got, field) if unit == "cases" else got.points
            assert (got.level.id, amount) == (want[0].id, want[1]), (node_id, got, want)


@SETTINGS
@given(case())
def test_every_public_path_gives_the_reference_ratings_reasons_and_margins(tmp_path_factory, drawn):
    text, figures, judgements = drawn
    fw = load_framework_text(text, "random.yaml")
    compiled = compile_framework(fw)
    data = evidence_data(figures, judgements)
    ev = evidence(data)
    full, quick = expected(fw, figures, judgements)

    explained = evaluate(fw, ev)
    got = seen(explained)
    assert {k: v[:3] for k, v in got.items()} == full
    check_margins(fw, figures, judgements, explained)
    assert seen(evaluate(compiled, bind(ev, fw))) == got  # evidence bound first
    assert seen(evaluate(fw, ev, explain=False)) == quick
    assert seen(evaluate(compiled, bind(ev, fw), explain=False)) == quick
    many = list(evaluate_many(fw, [ev, ev]))
    assert [seen(r) for r in many] == [quick, quick]
    assert [seen(r) for r in evaluate_many(compiled, [ev], explain=True)] == [got]

    # the command line: one inspection, a batch (explained and ratings only)
    folder = tmp_path_factory.mktemp("cli")
    (folder / "random.yaml").write_text(text, encoding="utf-8")
    (folder / "a.json").write_text(json.dumps(data), encoding="utf-8")
    (folder / "b.json").write_text(json.dumps(evidence_data(figures, judgements, "other")), encoding="utf-8")
    fw_path, a, b = str(folder / "random.yaml"), str(folder / "a.json"), str(folder / "b.json")
    out = folder / "one.json"
    assert cli("evaluate", fw_path, a, "--format", "json", "-o", str(out)) == 0
    assert seen_json(json.loads(out.read_text(encoding="utf-8"))) == as_json(got)
    for flags, want in (([], got), (["--ratings-only"], quick)):
        out = folder / "batch.jsonl"
        assert cli("evaluate", fw_path, a, b, "--format", "jsonl", "-o", str(out), *flags) == 0
        docs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        assert [seen_json(d) for d in docs] == [as_json(want), as_json(want)]

    # compare (a framework with itself)
    cmp = compare(fw, fw, ev)
    assert seen(cmp.first) == got and seen(cmp.second) == got

    # the same counts as cases: the same results, and stability observes the same ratings
    cases = as_cases(figures, judgements)
    if cases is not None:
        from_cases = evidence(cases)
        assert seen(evaluate(fw, from_cases)) == got
        st_ = stability(fw, from_cases, resamples=2, seed=1)
        assert st_.observed == {k: v[0] for k, v in full.items()}
