"""The 2018 youth rules written by hand, giving the whole explained result tree (reasons, decided_by, margins).

The yardstick of the explained ``evaluate`` (benchmarks/run.py, 2f): the
fastest plain Python we could write that builds the same result objects
bandstand builds from published figures and judgements, checked identical
(``Result.to_json()``) on random inspections. What does not depend on the
inspection (titles, the results of the nodes that are not rated, the band
texts) is worked out once, from the framework, as bandstand's compiler does.
"""

from __future__ import annotations

from fractions import Fraction

from bandstand.engine.evidence import Measure
from bandstand.engine.result import AppliedLimit, Blocked, Margin, MarginStep, NodeResult, Result, SharedNodeResult

JUDGED = ("1.1", "1.2", "1.3", "1.4", "3.4")
STANDARDS = ("2.1", "2.2", "2.3", "2.4", "3.1", "3.2", "3.3")


class Tree:
    """The per-framework parts, made once."""

    def __init__(self, fw):
        self.fw = fw
        nodes = fw.nodes
        self.nodes = nodes
        self.kq_table = fw.bands["key_question"]
        self.overall_table = fw.bands["overall"]
        self.levels = nodes["1.1"].scale.levels
        # per key-question level: (band, reason tail, lowest percent of the band, highest)
        self.kq_band = [(b, f"; in the {b.level.label} band ({b.describe('percent')})", int(b.min), int(b.max))
                        for b in self.kq_table.bands]
        self.total_band = {}
        for b in self.overall_table.bands:
            for t in range(int(b.min), int(b.max) + 1):
                self.total_band[t] = (b, f"; in the {b.level.label} band ({b.describe('score')})")
        self.limit = fw.limits[0]  # resettlement-inadequate: overall at most Good while 4.1 is Inadequate
        self.limit_text = (f"; limited from {{}} to {self.limit.at_most.label} by '{self.limit.id}' "
                           f"({self.limit.description or self.limit.when.text.strip()})")
        self.blocked_text = "4.1 is Inadequate"
        self.counted = [n.id for n in fw.counted]
        self.order = list(nodes)
        self.shared = {}
        for node_id, n in nodes.items():
            if not n.rated:
                a = n.parent
                while a is not None and not a.is_judged:
                    a = a.parent
                if n.tier is not None and not n.tier.rated:
                    why = f"{(n.tier.plural or n.tier.label.lower() + 's').capitalize()} are not rated"
                else:
                    why = f"not rated: a question inspectors take into account in judging {a.id}" if a else "not rated"
                self.shared[node_id] = SharedNodeResult.of(NodeResult(
                    node_id, n.title or n.question, n.tier.id if n.tier else None, False, None, why, "not rated",
                    None, None, None, None, None, [], None, [], None, None, False, n.reference,
                    [c.id for c in n.children]))
        self.static = {node_id: (n.title or n.question, n.tier.id if n.tier else None, [c.id for c in n.children])
                       for node_id, n in nodes.items()}


def _kq(tree: Tree, node_id: str, p: int) -> NodeResult:
    bands = tree.kq_band
    i = 0 if p < bands[1][2] else 1 if p < bands[2][2] else 2 if p < bands[3][2] else 3
    band, tail, lo, hi = bands[i]
    level = band.level
    up = down = None
    if i < 3:
        nxt = bands[i + 1]
        up = MarginStep(nxt[0].level, points=Fraction(nxt[2] - p))
    if i > 0:
        down = MarginStep(bands[i - 1][0].level, points=Fraction(p - lo + 1))
    title, tier, children = tree.static[node_id]
    return NodeResult(node_id, title, tier, True, level, f"{p}% sufficient (published figure){tail}", "rule",
                      Measure(None, None, p), p, p, tree.kq_table, band, [], Margin(up, down), [], None, None,
                      False, None, children)


def _standard(tree: Tree, node_id: str, kids: list[NodeResult]) -> NodeResult:
    level = min((k.level for k in kids), key=lambda lv: lv.index)
    chosen = [k.id for k in kids if k.level is level]
    verb = "is" if len(chosen) == 1 else "are"
    reason = f"the lowest rating of its key questions: {', '.join(chosen)} {verb} {level.label}"
    margin = Margin()
    ups = {k.id: k.margin.up for k in kids if k.level is level}
    if all(s is not None for s in ups.values()):
        raised = min((ups[k.id].level if k.id in ups else k.level for k in kids), key=lambda lv: lv.index)
        if raised.index > level.index:
            margin.up = MarginStep(raised, needs=ups)
    downs = sorted(((k.margin.down.points, i, k) for i, k in enumerate(kids) if k.margin.down is not None),
                   key=lambda d: d[:2])
    for _, _, k in downs:
        lowered = min((k.margin.down.level if o is k else o.level for o in kids), key=lambda lv: lv.index)
        if lowered.index < level.index:
            margin.down = MarginStep(lowered, needs={k.id: k.margin.down})
            break
    title, tier, children = tree.static[node_id]
    return NodeResult(node_id, title, tier, True, level, reason, "rule", None, None, None, None, None, chosen,
                      margin if (margin.up or margin.down) else None, [], None, None, False, None, children)


def explain(tree: Tree, figures: dict, judgements: dict, subject: str = "random") -> Result:
    """The explained result of one inspection: key-question percentages (whole) and judgements (level ids)."""
    levels = tree.levels
    by_id = {lv.id: lv for lv in levels}
    out: dict[str, NodeResult] = dict(tree.shared)
    for node_id in JUDGED + ("4.1",):
        title, tier, children = tree.static[node_id]
        j = judgements.get(node_id)
        if j is None:
            out[node_id] = NodeResult(node_id, title, tier, True, None,
                                      "not rated: " + tree.nodes[node_id].not_rated_reason, "judgement", None,
                                      None, None, None, None, [], None, [], None, None, False, None, children)
        else:
            out[node_id] = NodeResult(node_id, title, tier, True, by_id[j], "judged by inspectors", "judgement",
                                      None, None, None, None, None, [], None, [], None, None, False, None, children)
    for s in STANDARDS:
        kids = [_kq(tree, f"{s}.{i}", figures[f"{s}.{i}"]) for i in (1, 2, 3)]
        for k in kids:
            out[k.id] = k
        out[s] = _standard(tree, s, kids)
    # the overall: the sum of the counted standards' scores, banded, then the limit
    total = sum(out[c].level.index for c in tree.counted)
    band, tail = tree.total_band[total]
    raw = band.level
    r41 = out["4.1"].level
    capped = r41 is not None and r41.index == 0
    cap = tree.limit.at_most
    level = cap if capped and raw.index > cap.index else raw
    reason = f"the scores of its 12 counted standards add up to {total} of 36{tail}"
    decided_by = list(tree.counted)
    applied = []
    if level is not raw:
        reason += tree.limit_text.format(raw.label)
        decided_by.append("4.1")
        applied.append(AppliedLimit(tree.limit.id, "overall", raw, level, tree.limit.description,
                                    tree.limit.when.text.strip()))

    def final(t):  # (final, before the limit) at total t
        b = tree.total_band[t][0].level
        return (cap if capped and b.index > cap.index else b), b

    margin = Margin()
    here = level.index
    top, top_raw = final(36)
    if True:  # (as bandstand's search: from the top of the range, k = 0 included when blocked)
        if total < 36 and top.index > here:
            k = next(k for k in range(1, 37 - total) if final(total + k)[0].index > here)
            margin.up = MarginStep(final(total + k)[0], points=Fraction(k))
        elif top_raw.index > here:
            k = next(k for k in range(0, 37 - total) if final(total + k)[1].index > here)
            margin.blocked_up = Blocked(final(total + k)[1], tree.limit.id, tree.blocked_text)
    if total > 0:
        bottom = final(0)[0]
        if bottom.index < here:
            k = next(k for k in range(1, total + 1) if final(total - k)[0].index < here)
            margin.down = MarginStep(final(total - k)[0], points=Fraction(k))
    title, tier, children = tree.static["overall"]
    overall = NodeResult("overall", title, tier, True, level, reason, "rule", None, total, total,
                         tree.overall_table, band, decided_by,
                         margin if (margin.up or margin.down or margin.blocked_up) else None,
                         [tree.limit.id] if applied else [], None, Fraction(36), False, None, children)
    nodes = {k: out[k] for k in tree.order if k != "overall"}
    return Result(tree.fw, subject, None, nodes, overall, applied, None, [])
