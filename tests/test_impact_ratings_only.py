"""Impact from ratings alone: what ``impact()`` counts is what explained comparisons of each inspection give.

``impact()`` evaluates each inspection for its ratings only (``explain=False``) and works the rows of the
comparison out once per pair of frameworks. The oracle here is the plain path it replaced: an impact built
from :func:`bandstand.compare.compare` of each inspection, fully explained, row by row. The two must render
byte for byte the same (text, JSON, Markdown) on many random inspections of the bundled frameworks: versions
of one framework, a what-if version, and two frameworks through the bundled crosswalk.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace
from fractions import Fraction

import pytest

from bandstand import BandstandError, Catalogue, load_evidence
from bandstand.catalogue import bundled_dir
from bandstand.compare import (ABSENT, NO_CORRESPONDENCE, NO_EVIDENCE, NOT_RATED, Impact, _different_nodes,
                               compare, impact)
from bandstand.dsl.model import Level
from bandstand.engine.evidence import Judgement
from bandstand.render import render
from helpers import ROOT

EXAMPLES = bundled_dir() / "examples"


def reference_impact(a, b, evidence, crosswalk=None) -> Impact:
    """The impact as built from explained comparisons, one per inspection (the path impact() had before)."""

    def key(r):
        if r is None:
            return ABSENT
        return r.level.id if isinstance(r.level, Level) else NOT_RATED

    out = Impact(a, b, crosswalk)
    for ev in evidence:
        c = compare(a, b, ev, crosswalk)
        out.inspections += 1
        for n in c.notes:
            out.notes[n] += 1
        moves, unrated = [], []
        for row in c.rows:
            if row.a is not None and row.b is not None and _different_nodes(row.a, row.b):
                out.notes[f"{row.node_id} is a different node in each version: not compared"] += 1
                continue
            if crosswalk is None:
                before = key(row.a)
            else:
                before = row.corresponds.id if row.corresponds is not None else NO_CORRESPONDENCE
            after = NO_EVIDENCE if row.no_evidence else key(row.b)
            out.transitions.setdefault(row.node_id, Counter())[(before, after)] += 1
            if crosswalk is not None and after == NOT_RATED and before != NOT_RATED:
                unrated.append(row.node_id)
            elif before != after and before != NO_CORRESPONDENCE and after != NO_EVIDENCE:
                moves.append((row.node_id, before, after))
        subject = c.subject or ev.file or "(no subject)"
        if moves:
            out.changed.append((subject, ev.file, moves))
        if unrated:
            out.unrated.append((subject, ev.file, unrated))
    return out


def _levels(fw, node_id, other=None):
    """The levels a judgement of ``node_id`` may be given under ``fw`` (and under ``other``, where it has the
    node too)."""
    node = fw.nodes.get(node_id)
    scale = node.scale if node is not None else None
    levels = [lv.id for lv in scale.levels] if scale is not None else []
    if other is not None and other.nodes.get(node_id) is not None and other.nodes[node_id].scale is not None:
        levels = [lv for lv in levels if other.nodes[node_id].scale.find(lv) is not None]
    return levels


def mutated(ev, fw, rng: random.Random, other=None):
    """A random inspection like ``ev`` (which is not changed): its judgements, published ratings, figures and
    case answers redrawn, some left out."""
    tables = []
    for table in (ev.judgements, ev.published):
        table = dict(table)
        for node_id, j in list(table.items()):
            roll = rng.random()
            levels = _levels(fw, node_id, other)
            if roll < 0.08:
                del table[node_id]  # left out: noted, not rated
            elif levels and roll < 0.8:
                table[node_id] = replace(j, rating=rng.choice(levels))
        tables.append(table)
    partial = ev.partial or rng.random() < 0.2  # declared partial: figures left out are not rated
    figures = {}
    for node_id, f in ev.figures.items():
        if partial and rng.random() < 0.2:
            continue
        if f.of:
            yes = rng.randint(0, f.of)
            percent = None if f.percent is None else Fraction(round(100 * yes / f.of))
            figures[node_id] = replace(f, yes=yes, percent=percent)
        elif f.percent is not None:
            figures[node_id] = replace(f, percent=Fraction(rng.randint(0, 100)))
        else:
            figures[node_id] = f
    cases = None if ev.cases is None else [
        replace(c, answers={k: None if a is None or rng.random() < 0.05 else rng.random() < 0.6
                            for k, a in c.answers.items()}) for c in ev.cases]
    return replace(ev, judgements=tables[0], published=tables[1], figures=figures, cases=cases, partial=partial,
                   subject=f"{ev.subject or 'inspection'} #{rng.randrange(10**6)}")


def inspections(a, b, files, n, seed, crosswalk=None):
    """``n`` random inspections drawn from ``files`` (read for ``a``), each usable for the comparison (evidence
    the comparison refuses is checked to be refused by impact() too, and left out)."""
    rng = random.Random(seed)
    base = [load_evidence(f) for f in files]
    out = []
    for i in range(n):
        ev = base[i % len(base)] if i < len(base) else mutated(rng.choice(base), a, rng, None if crosswalk else b)
        try:
            compare(a, b, ev, crosswalk)
        except BandstandError as e:
            with pytest.raises(BandstandError) as got:
                impact(a, b, [ev], crosswalk)
            assert str(got.value) == str(e)
            continue
        out.append(ev)
    return out


@pytest.fixture(scope="module")
def cat():
    return Catalogue([ROOT / "frameworks" / "what-if"])


def _same(a, b, evidence, crosswalk=None):
    want, got = reference_impact(a, b, evidence, crosswalk), impact(a, b, evidence, crosswalk)
    for fmt in ("text", "json", "markdown"):
        assert render(got, fmt) == render(want, fmt), fmt
    assert got.transitions == want.transitions and list(got.transitions) == list(want.transitions)
    assert got.changed == want.changed and got.unrated == want.unrated
    assert list(got.notes.items()) == list(want.notes.items())
    return got


YOUTH_2018 = sorted((EXAMPLES / "hmip-youth-2018").glob("*.yaml"))
YOUTH_2018_ORIGINAL = sorted((EXAMPLES / "hmip-youth-2018-original").glob("*.yaml"))
FJI = sorted((EXAMPLES / "hmip-youth-fji").glob("*.yaml"))


@pytest.mark.parametrize("first, second, files", [
    ("hmip-youth@2018-original", "hmip-youth@2018", YOUTH_2018_ORIGINAL + YOUTH_2018),
    ("hmip-youth@2018", "hmip-youth@2018-original", YOUTH_2018 + YOUTH_2018_ORIGINAL),
    ("hmip-youth@2018", "hmip-youth@2018-good70", YOUTH_2018),
    ("hmip-youth-fji@2012", "hmip-youth-fji@2014", FJI),
    ("hmip-youth-fji@2014", "hmip-youth-fji@2016-court", FJI),
    ("hmip-youth-fji@2016-court", "hmip-youth-fji@2012", FJI),
])
def test_impact_of_versions_is_what_explained_comparisons_give(cat, first, second, files):
    a, b = cat.resolve(first), cat.resolve(second)
    evidence = inspections(a, b, files, 150, seed=len(first) * 7 + len(second))
    assert len(evidence) >= 100
    got = _same(a, b, evidence)
    assert got.changed  # ratings do move between them, so the moves were compared too
    assert sum(got.notes.values())  # and so were the notes (left out, different nodes, findings)


def test_impact_through_a_crosswalk_is_what_explained_comparisons_give(cat):
    a, b = cat.resolve("hmip-youth@2018"), cat.resolve("hmip-youth-cci@2011")
    cw = cat.crosswalk(a, b)
    assert cw is not None
    evidence = inspections(a, b, YOUTH_2018, 120, seed=11, crosswalk=cw)
    assert len(evidence) >= 80
    got = _same(a, b, evidence, cw)
    assert got.changed and got.unrated  # both kinds of difference were met


def test_published_ratings_the_rules_disagree_with_are_noted_with_the_rules_reasons(cat):
    """A finding's note gives the rule's reason, which a ratings-only evaluation does not write: impact()
    notes it as the explained comparison does."""
    a, b = cat.resolve("hmip-youth@2018"), cat.resolve("hmip-youth@2018-good70")
    ev = load_evidence(EXAMPLES / "hmip-youth-2018" / "bedfordshire-2021-published.yaml")
    ev.published = dict(ev.published)
    ev.published["2.1"] = Judgement("2.1", "outstanding", None, next(iter(ev.judgements.values())).pos)
    ev.figures.pop("4.1", None)
    got = _same(a, b, [ev, ev])
    findings = [n for n in got.notes if n.startswith("finding under")]
    assert findings and all(got.notes[n] == 2 for n in findings)
    assert any("(" in n for n in findings)  # with the rule's reason


def test_no_inspections(cat):
    a, b = cat.resolve("hmip-youth@2018"), cat.resolve("hmip-youth@2018-good70")
    _same(a, b, [])


def test_impact_evaluates_for_ratings_only(cat, monkeypatch):
    """Without published ratings the rules disagree with, impact() works no reason and no margin out: an
    impact table needs each node's level under each version."""
    import sys

    evaluating, explaining = sys.modules["bandstand.engine.evaluate"], sys.modules["bandstand.engine.explain"]

    a, b = cat.resolve("hmip-youth@2018"), cat.resolve("hmip-youth@2018-good70")
    evidence = [e for e in inspections(a, b, YOUTH_2018, 40, seed=5) if not e.published]
    want = render(reference_impact(a, b, evidence), "json")

    def never(*args, **kwargs):
        raise AssertionError("an explanation was worked out")

    monkeypatch.setattr(evaluating, "margin", never)
    monkeypatch.setattr(explaining, "reason", never)
    monkeypatch.setattr(explaining, "explain", never)
    assert render(impact(a, b, evidence), "json") == want


def reference_adapt(ev, fw, other=None):
    """adapt() as it was written before impact() came to call it on every inspection (it walked every node)."""
    from bandstand.engine import coverage
    from bandstand.engine.evidence import Case

    notes = []
    known = fw.nodes
    dropped = sorted({n for n in list(ev.judgements) + list(ev.figures) if n not in known}
                     | {n for c in (ev.cases or ()) for n in c.answers if n not in known})
    if dropped:
        notes.append(f"evidence for {', '.join(dropped)} left out: not in {fw.ref}")
    judgements = {k: v for k, v in ev.judgements.items() if k in known}
    figures = {k: v for k, v in ev.figures.items() if k in known}
    cases = None
    if ev.cases is not None:
        cases = [Case(c.id, c.part, {k: a for k, a in c.answers.items() if k in known}, c.pos,
                      {k: p for k, p in c.answer_pos.items() if k in known}, c.part_pos, c.label) for c in ev.cases]
    published = {k: v for k, v in ev.published.items() if k in known}
    covered = coverage.published_cover(fw, published)
    missing = [n.id for n in fw.walk() if n.judged == "yes" and n.id not in judgements and n.id not in published
               and n.id not in covered]
    partial = ev.partial
    if missing and not ev.partial:
        notes.append(f"no judgement for {', '.join(missing)}: not rated in {fw.ref}")
        partial = coverage.add_left_out(partial, missing)
    cut = replace(ev, judgements=judgements, figures=figures, cases=cases, published=published)
    new = [n for n in coverage.without_evidence(cut, fw) if other is not None and n not in other.nodes]
    if new and partial is not True:
        notes.append(f"no evidence for {', '.join(new)} (only in {fw.ref}): not rated")
        partial = coverage.add_left_out(partial, new)
    return replace(cut, partial=partial, framework=fw.ref), notes


@pytest.mark.parametrize("first, second, files", [
    ("hmip-youth@2018-original", "hmip-youth@2018", YOUTH_2018_ORIGINAL + YOUTH_2018),
    ("hmip-youth@2018", "hmip-youth@2018-original", YOUTH_2018 + YOUTH_2018_ORIGINAL),
    ("hmip-youth-fji@2016-court", "hmip-youth-fji@2012", FJI),
    ("hmip-youth@2018", "hmip-youth-cci@2011", YOUTH_2018),
])
def test_evidence_is_cut_to_a_version_as_before(cat, first, second, files):
    from bandstand.compare import adapt
    from bandstand.engine.headers import resolve_evidence

    a, b = cat.resolve(first), cat.resolve(second)
    rng = random.Random(17)
    base = [load_evidence(f) for f in files]
    kinds = Counter()
    for i in range(150):
        ev = base[i % len(base)] if i < len(base) else mutated(rng.choice(base), a, rng, b)
        ev = resolve_evidence(ev, a)[0]
        for fw, other in ((a, b), (b, a), (a, None)):
            got, want = adapt(ev, fw, other), reference_adapt(ev, fw, other)
            assert got == want
            kinds.update(note.split(" ")[0] for note in want[1])
    assert kinds["evidence"] and kinds["no"]  # evidence was cut, and noted missing
