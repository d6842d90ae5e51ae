"""How sure is a rating? Exact binomial intervals and bootstrap resampling of cases.

For each node rated on a share of cases (a key question):

* the exact (Clopper-Pearson) 95% interval of its percentage;
* the chance of each band if the same number of cases were drawn again from
  a service whose true share is the one observed (binomial, computed exactly);
* how many cases the observed share would need before its interval lay
  inside its band.

For every node and the overall rating: the share of bootstrap resamples of
the cases (drawn with replacement within each part, so a resample has as
many court and out-of-court cases as the inspection) that give each level.
Reproducible: the same seed gives the same output.

>>> lo, hi = clopper_pearson(1, 6)
>>> round(lo, 5), round(hi, 5)
(0.00421, 0.64123)
"""

from __future__ import annotations

import json
import math
import random
from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction

from .dsl.model import OVERALL, BandTable, Framework, Level
from .engine.compile import CompiledFramework
from .engine.evaluate import compile_framework, evaluate
from .engine.evidence import Bound, Evidence, Measure, bind
from .errors import InputError
from .contract import FORMAT


def _log_pmf(k: int, n: int, p: float) -> float:
    if p <= 0.0:
        return 0.0 if k == 0 else -math.inf
    if p >= 1.0:
        return 0.0 if k == n else -math.inf
    return (math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
            + k * math.log(p) + (n - k) * math.log1p(-p))


def binomial_pmf(k: int, n: int, p: float) -> float:
    return math.exp(_log_pmf(k, n, p))


def _betacf(a: float, b: float, x: float) -> float:
    """The continued fraction of the incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 10_000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-15:
            break
    return h


def betainc(a: float, b: float, x: float) -> float:
    """The regularized incomplete beta function I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def _bisect(f, lo: float, hi: float) -> float:
    """The root of an increasing function on [lo, hi], to machine precision."""
    for _ in range(200):
        mid = (lo + hi) / 2
        if mid in (lo, hi):
            break
        if f(mid) < 0:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def clopper_pearson(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """The exact two-sided interval for a proportion of ``k`` successes in ``n`` trials.

    Its ends are the beta quantiles B(a/2; k, n-k+1) and B(1-a/2; k+1, n-k),
    found by bisection on the regularized incomplete beta function.
    """
    if n <= 0:
        raise ValueError("no trials")
    alpha = 1 - confidence
    lower = 0.0 if k == 0 else _bisect(lambda p: betainc(k, n - k + 1, p) - alpha / 2, 0.0, 1.0)
    upper = 1.0 if k == n else _bisect(lambda p: betainc(k + 1, n - k, p) - (1 - alpha / 2), 0.0, 1.0)
    return lower, upper


def band_chances(table: BandTable, yes: int, of: int) -> dict[str, float]:
    """The chance of each level when ``of`` cases are drawn from a true share of ``yes/of``."""
    p = yes / of
    out: dict[str, float] = {}
    for k in range(of + 1):
        band = table.lookup(table.rounding.apply(Fraction(100 * k, of)))
        if band is not None:
            out[band.level.id] = out.get(band.level.id, 0.0) + binomial_pmf(k, of, p)
    return out


#: the most cases :func:`cases_needed` tries
CASES_NEEDED_LIMIT = 100_000


def cases_needed(table: BandTable, yes: int, of: int, confidence: float = 0.95,
                 limit: int = CASES_NEEDED_LIMIT) -> int | None:
    """The fewest cases at the observed share whose exact interval lies inside the share's band.

    The share ``p = yes/of`` is held exactly: at ``n`` cases the interval is
    the Clopper-Pearson interval of ``p*n`` successes in ``n`` trials, which
    need not be a whole number (the beta quantiles are defined for any
    positive parameters). So held, the interval only narrows as ``n`` grows,
    and the fewest ``n`` is found by doubling, then bisection. A band's edges
    are widened by half a rounding step, since a percentage that rounds into
    a band is in it. None when even ``limit`` cases are not enough.

    >>> from bandstand import Catalogue
    >>> table = Catalogue().resolve("hmip-youth@2018").bands["key_question"]
    >>> cases_needed(table, 0, 4)  # 0%: Inadequate is below 50%, and 0 of 6 gives 0% to 45.9%
    6
    """
    band = table.lookup(table.rounding.apply(Fraction(100 * yes, of)))
    if band is None:
        return None
    half = table.rounding.step / 2 if table.rounding.step is not None else 0
    lo = (band.min - half) / 100 if band.min is not None else None
    top = band.max + half if band.max is not None else band.below - half if band.below is not None else None
    hi = top / 100 if top is not None else None
    p = yes / of
    alpha = 1 - confidence

    def inside(n: int) -> bool:
        k = p * n
        # the interval's lower end is at least lo when the beta CDF at lo is at most alpha/2 (and so for the upper)
        low_ok = lo is None or lo <= 0 or (k > 0 and betainc(k, n - k + 1, float(lo)) <= alpha / 2)
        high_ok = hi is None or hi >= 1 or (k < n and betainc(k + 1, n - k, float(hi)) >= 1 - alpha / 2)
        return low_ok and high_ok

    n = max(of, 1)
    if inside(n):
        return n
    step = 1
    while not inside(n + step):
        if n + step >= limit:
            return None
        step = min(step * 2, limit - n)
    return _first(inside, n + step // 2 if step > 1 else n, n + step)


def _first(ok, lo: int, hi: int) -> int:
    """The smallest n in (lo, hi] with ok(n), given ok(hi) and not ok(lo), ok rising with n."""
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if ok(mid):
            hi = mid
        else:
            lo = mid
    return hi


@dataclass
class KeyQuestion:
    node_id: str
    title: str | None
    yes: int
    of: int
    level: Level | None
    interval: tuple[float, float]
    chances: dict[str, float]
    cases_needed: int | None


@dataclass
class Stability:
    framework: Framework
    subject: str | None
    resamples: int
    seed: int
    confidence: float
    key_questions: list[KeyQuestion] = field(default_factory=list)
    levels: dict[str, Counter] = field(default_factory=dict)  # node id -> Counter[level id | None]
    observed: dict[str, str | None] = field(default_factory=dict)

    def render(self, fmt: str) -> str:
        """The stability as ``text``, ``json`` or ``markdown`` (what :func:`bandstand.render.render` calls)."""
        if fmt == "json":
            return json.dumps({"format": FORMAT, **to_json(self)}, indent=2, ensure_ascii=False) + "\n"
        return {"text": to_text, "markdown": to_markdown}[fmt](self)


def stability(framework: Framework | CompiledFramework, evidence: Evidence, *, resamples: int = 1000,
              seed: int = 0, confidence: float = 0.95) -> Stability:
    """Intervals for every share-of-cases node and bootstrap level shares for every node."""
    compiled = framework if isinstance(framework, CompiledFramework) else compile_framework(framework)
    fw = compiled.framework
    if not evidence.cases:
        raise InputError("stability needs case-level evidence (cases), not only published figures",
                         evidence.file, "input.stability")
    bound = bind(evidence, fw)
    result = evaluate(compiled, bound)
    out = Stability(fw, evidence.subject, resamples, seed, confidence)
    for node_id, r in result.nodes.items():
        m = r.measure
        if r.rated and r.table is not None and m is not None and m.of and node_id in bound.from_cases:
            assert m.yes is not None  # a figure counted from cases has both counts
            out.key_questions.append(KeyQuestion(
                node_id, r.title, m.yes, m.of, r.level, clopper_pearson(m.yes, m.of, confidence),
                band_chances(r.table, m.yes, m.of), cases_needed(r.table, m.yes, m.of, confidence)))
    out.observed = {k: (r.level.id if r.level else None) for k, r in result.nodes.items() if r.rated}
    if result.overall is not None:
        out.observed[OVERALL] = result.overall.level.id if result.overall.level else None
    for node_id in out.observed:
        out.levels[node_id] = Counter()
    for ratings in _resampled(compiled, bound, resamples, seed):
        for node_id in out.observed:
            out.levels[node_id][ratings.get(node_id)] += 1
    return out


def _resampled(compiled: CompiledFramework, bound: Bound, resamples: int, seed: int):
    """Ratings of each resample, as {node id: level id or None}."""
    rng = random.Random(seed)
    assert bound.evidence.cases is not None  # stability() refuses evidence without cases
    cases = [c for c in bound.evidence.cases if c.part in bound.framework.parts]
    by_part: dict[str, list] = {}
    for c in cases:
        by_part.setdefault(c.part, []).append(c)
    parts = sorted(by_part)
    counted = sorted(bound.from_cases)
    index = {k: i for i, k in enumerate(counted)}
    # each case's answers as (slot, yes) pairs, so a resample is counted in one pass
    answers = {p: [[(index[k], a) for k, a in c.answers.items() if a is not None and k in index]
                   for c in by_part[p]] for p in parts}
    from dataclasses import replace

    rated: list[str] | None = None
    overall = False
    for _ in range(resamples):
        if bound.published:  # published ratings stand in by what the evidence covers: bind the resample again
            sample = []
            for p in parts:
                sample.extend(rng.choices(by_part[p], k=len(by_part[p])))
            ev = replace(bound.evidence, cases=[replace(c, id=f"{c.id}#{i}") for i, c in enumerate(sample)])
            resampled = bind(ev, bound.framework)
        else:  # the same checked evidence with the resample's counts (a node no drawn case answers: 0 of 0)
            yes = [0] * len(counted)
            of = [0] * len(counted)
            for p in parts:
                pool = answers[p]
                for case in rng.choices(pool, k=len(pool)):
                    for i, a in case:
                        of[i] += 1
                        if a:
                            yes[i] += 1
            measures = dict(bound.measures)
            for node_id, y, n in zip(counted, yes, of):
                measures[node_id] = Measure(y, n, None)
            resampled = replace(bound, measures=measures)
        r = evaluate(compiled, resampled, explain=False)
        if rated is None:  # which nodes the framework rates, and whether it has an overall rating, do not
            # depend on the evidence: read them from the first result's tree, then only the ratings
            rated = [k for k, n in r.nodes.items() if n.rated]
            overall = r.overall is not None
        out = {}
        for k in rated:
            level = r.rating(k)
            out[k] = level.id if level is not None else None
        if overall:
            level = r.rating(OVERALL)
            out[OVERALL] = level.id if level is not None else None
        yield out


# -- renderers -----------------------------------------------------------------------------------


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _label(fw: Framework, node_id: str, level_id: str | None) -> str:
    if level_id is None:
        return "not rated"
    node = fw.overall if node_id == OVERALL else fw.nodes[node_id]
    assert node is not None  # OVERALL is observed only when the framework has an overall rating
    lv = node.scale.level(level_id)
    return lv.label if lv else level_id


def _distribution(st: Stability, node_id: str) -> list[tuple[str, float]]:
    counts = st.levels[node_id]
    total = sum(counts.values()) or 1
    node = st.framework.overall if node_id == OVERALL else st.framework.nodes[node_id]
    assert node is not None  # as in _label
    order = {lv.id: lv.index for lv in node.scale.levels}
    items = sorted(counts.items(), key=lambda kv: order.get(kv[0], -1))
    return [(_label(st.framework, node_id, k), n / total) for k, n in items]


def _inferred(st: Stability) -> list[str]:
    """The band tables whose thresholds are inferred, not published (every output says so)."""
    return [t.id for t in st.framework.bands.values() if t.inferred]


def _inferred_note(st: Stability) -> list[str]:
    return [f"note: the thresholds of '{t.label or t.id}' are inferred, not published"
            for t in st.framework.bands.values() if t.inferred]


def to_text(st: Stability) -> str:
    fw = st.framework
    lines = [f"{st.subject or '(no subject)'}: {fw.ref}, {st.resamples} resamples of the cases (seed {st.seed})", ""]
    shown = [k for k in st.levels if k not in {kq.node_id for kq in st.key_questions}]
    width = max([len(kq.node_id) for kq in st.key_questions] + [len("overall" if k == OVERALL else k) for k in shown]
                + [6])
    if st.key_questions:
        lines.append(f"Key questions: {int(st.confidence * 100)}% exact (Clopper-Pearson) interval; chance of each "
                     "band for a new sample of the same size")
    else:
        lines.append("No node is banded on a share of cases, so there are no intervals of cases; the resamples "
                     "below are of whole cases.")
    for kq in st.key_questions:
        lo, hi = kq.interval
        chances = ", ".join(f"{_label(fw, kq.node_id, k)} {_pct(v)}" for k, v in
                            sorted(kq.chances.items(), key=lambda kv: -kv[1]) if v >= 0.0005)
        need = f"; interval inside its band from {kq.cases_needed} cases" if kq.cases_needed else \
            f"; interval not inside its band even at {CASES_NEEDED_LIMIT:,} cases"
        lines.append(f"  {kq.node_id:{width}} {kq.yes}/{kq.of} = {_pct(kq.yes / kq.of)} "
                     f"[{_pct(lo)}, {_pct(hi)}]  {chances}{need}")
    lines.append("")
    lines.append("Share of resamples giving each level")
    labels = {k: _label(fw, k, st.observed[k]) for k in shown}
    label_width = max([len(v) for v in labels.values()] + [10])
    for node_id in shown:
        dist = ", ".join(f"{label} {_pct(v)}" for label, v in _distribution(st, node_id))
        name = "overall" if node_id == OVERALL else node_id
        lines.append(f"  {name:{width}} {labels[node_id]:{label_width}}  {dist}")
    return "\n".join(lines + _inferred_note(st)) + "\n"


def to_json(st: Stability) -> dict:
    return {
        "framework": {"id": st.framework.id, "version": st.framework.version},
        "subject": st.subject,
        "resamples": st.resamples,
        "seed": st.seed,
        "confidence": st.confidence,
        "key_questions": {kq.node_id: {
            "yes": kq.yes, "of": kq.of, "rating": kq.level.id if kq.level else None,
            "interval": [round(kq.interval[0] * 100, 4), round(kq.interval[1] * 100, 4)],
            "band_chances": {k: round(v, 6) for k, v in kq.chances.items()},
            "cases_needed": kq.cases_needed} for kq in st.key_questions},
        "levels": {node_id: {"observed": st.observed[node_id],
                             "resamples": {str(k) if k is not None else "not_rated": v
                                           for k, v in sorted(c.items(), key=lambda kv: str(kv[0]))}}
                   for node_id, c in st.levels.items()},
        "inferred_thresholds": _inferred(st),
    }


def to_markdown(st: Stability) -> str:
    from .render import md

    fw = st.framework
    out = [f"# {md(st.subject or 'Inspection')}: how sure are the ratings?", "",
           f"{md(fw.ref)}; {st.resamples} resamples of the cases (seed {st.seed}).", "",
           "| Key question | Sufficient | Interval | Chance of each band | Cases needed |", "|---|---|---|---|---|"]
    if not st.key_questions:
        out[-2:] = ["No node is banded on a share of cases: the resamples below are of whole cases."]
    for kq in st.key_questions:
        lo, hi = kq.interval
        chances = ", ".join(f"{md(_label(fw, kq.node_id, k))} {_pct(v)}" for k, v in
                            sorted(kq.chances.items(), key=lambda kv: -kv[1]) if v >= 0.0005)
        out.append(f"| {md(kq.node_id)} | {kq.yes}/{kq.of} | {_pct(lo)}-{_pct(hi)} | {chances} | "
                   f"{kq.cases_needed or f'over {CASES_NEEDED_LIMIT:,}'} |")
    out += ["", "| Node | Rating | Resamples |", "|---|---|---|"]
    for node_id in st.levels:
        if node_id in {kq.node_id for kq in st.key_questions}:
            continue
        dist = ", ".join(f"{md(label)} {_pct(v)}" for label, v in _distribution(st, node_id))
        out.append(f"| {md('overall' if node_id == OVERALL else node_id)} | "
                   f"{md(_label(fw, node_id, st.observed[node_id]))} | {dist} |")
    notes = [f"> **Note:** the thresholds of {md(repr(t.label or t.id))} are inferred, not published."
             for t in fw.bands.values() if t.inferred]
    return "\n".join(out + ([""] + notes if notes else [])) + "\n"


__all__ = ["stability", "clopper_pearson", "band_chances", "cases_needed", "Stability"]
