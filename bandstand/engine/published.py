"""Published ratings as evidence.

Most published outcomes are ratings of standards and the overall rating,
not key-question figures. Evidence may give them under ``published:``, a
mapping of node id to level (id or label):

- where nothing is given beneath a node (or what is given does not cover
  what its rule reads), its published rating stands in for its rule: the
  result says ``by: published``, ``decided_by: [published]``, and why;
- where the evidence beneath it is complete, the rule decides, and a rating
  that differs from the published one is a :class:`Finding`, shown in every
  output (and a failed example in ``bandstand test``).

A judged node's published rating is its judgement.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from ..dsl.model import OVERALL, JUDGED_YES, Framework, Level, Node
from ..dsl.resolve import facts as framework_facts
from ..errors import Collector
from .coverage import beneath
from .evidence_model import Judgement

PUBLISHED = "published"


@dataclass(frozen=True)
class Finding:
    """A rule's rating that differs from the published rating of the same node."""

    node_id: str
    published: Level
    rated: Level | None  # None: the rule does not rate it
    reason: str = ""  # why the rule gives what it gives

    @property
    def message(self) -> str:
        name = "the overall rating" if self.node_id == OVERALL else self.node_id
        got = self.rated.label if self.rated is not None else "not rated"
        why = f" ({self.reason})" if self.reason else ""
        return (f"{name} was published as {self.published.label}, but its rule gives {got} from the "
                f"evidence{why}")

    def to_json(self) -> dict:
        return {"node": self.node_id, "published": self.published.id,
                "rated": self.rated.id if self.rated is not None else None, "reason": self.reason,
                "message": self.message}


def bind_published(ev, fw: Framework, out: Collector, unknown: Callable) -> tuple[dict[str, Level], dict]:
    """(published levels of rule-rated nodes, judgements taken from published ratings of judged nodes)."""
    levels: dict[str, Level] = {}
    judged: dict[str, Judgement] = {}
    for node_id, j in ev.published.items():
        node = fw.nodes.get(node_id)
        if node is None:
            unknown(node_id, j.pos, "a published rating", [n.id for n in fw.nodes.values() if n.rated] + [OVERALL])
            continue
        if not node.rated:
            out.error("evidence.not-rated", f"'{node_id}' ({node.name}) is not rated, so it has no published "
                      "rating; remove it", j.pos)
            continue
        level = node.scale.find(str(j.rating)) if j.rating is not None else None
        if level is None:
            out.error("evidence.level", f"'{j.rating}' is not a level of scale '{node.scale.id}'; expected one of: "
                      f"{', '.join(node.scale.names)}", j.pos)
            continue
        if node.is_judged:
            given = ev.judgements.get(node_id)
            if given is None:
                judged[node_id] = Judgement(node_id, level.id, j.note or "the published rating", j.pos)
            elif node.scale.find(str(given.rating)) is not level:
                out.error("evidence.published", f"'{node_id}' is judged {given.rating} under judgements but "
                          f"published as {j.rating}; a judged node's published rating is its judgement: give "
                          "one", j.pos)
            continue
        levels[node_id] = level
    return levels, judged


def _gaps(fw: Framework, node_id: str, below: list[Node], published: dict, judgements: dict, measures: dict,
          wanted: dict) -> list[str]:
    """What a node's rule would read that the evidence does not give (published ratings further down count)."""
    inner = [d for d in below if d.id in published]
    covered = {x.id for p in inner for x in beneath(fw, p.id)}
    return [d.id for d in below if d.id not in covered and (
        (d.id in wanted and d.id not in measures and (wanted[d.id] is None or wanted[d.id] not in measures))
        or (d.judged == JUDGED_YES and judgements.get(d.id) is None))]


def stand_ins(fw: Framework, published: dict[str, Level], judgements: dict, measures: dict,
              left_out: Iterable[str] = ()) -> tuple[dict[str, str], dict[str, str]]:
    """(the published nodes whose published rating stands in for the rule, with why; the nodes beneath a
    published rating that their own evidence cannot rate, with why).

    A rule decides only where the evidence beneath the node covers
    everything it reads (published ratings further down count as evidence);
    otherwise the published rating stands in. A node beneath it with such a
    gap (and no published rating of its own) is not rated: its rule would
    rate it from part of what it reads. Gaps the evidence declares (partial)
    are not gaps here: those ratings are made, and marked, without them.
    """
    wanted = framework_facts(fw).evidence.needed
    declared = set(left_out)
    out: dict[str, str] = {}
    unrated: dict[str, str] = {}
    for node_id, level in published.items():
        below = list(beneath(fw, node_id))
        if not any(d.id in judgements or d.id in measures or d.id in published for d in below):
            out[node_id] = (f"the published rating ({level.label}) stands in for its rule: no evidence is given "
                            "beneath it")
            continue
        gaps = [g for g in _gaps(fw, node_id, below, published, judgements, measures, wanted) if g not in declared]
        if gaps:
            shown = _shown(_grouped(fw, gaps, below))
            out[node_id] = (f"the published rating ({level.label}) stands in for its rule: the evidence beneath it "
                            f"is incomplete (no evidence for {shown})")
        for d in below:
            if d.id in published or d.id in unrated or not d.rated or d.is_judged or d.rule is None:
                continue
            inner = list(beneath(fw, d.id))
            if not any(x.id in judgements or x.id in measures or x.id in published for x in inner):
                continue  # nothing given beneath it: not rated by its rule anyway, for want of evidence
            mine = [g for g in _gaps(fw, d.id, inner, published, judgements, measures, wanted) if g not in declared]
            if mine:
                unrated[d.id] = (f"the evidence beneath it is incomplete (no evidence for "
                                 f"{_shown(_grouped(fw, mine, inner))}), so its rule cannot rate it")
    return out, unrated


def _shown(ids: list[str]) -> str:
    return ", ".join(ids[:10]) + (f" and {len(ids) - 10} more" if len(ids) > 10 else "")


def _grouped(fw: Framework, gaps: list[str], below: list[Node]) -> list[str]:
    """The gaps, with a node named in place of its children where nothing beneath it is given."""
    missing = set(gaps)
    out, skip = [], set()
    for d in below:
        if d.id in skip:
            continue
        inner = [x.id for x in d.walk() if x is not d]
        wanted = [x for x in inner if x in missing]
        if d.id in missing:
            out.append(d.id)
            skip.update(inner)
        elif wanted and d.rated and not d.is_judged and len(d.children) > 0 and all(
                c.id in missing for c in d.children if c.rated):
            out.append(d.id)
            skip.update(inner)
    return out


def decide(node: Node, value, bound, stood: dict[str, str]):
    """The value of a node with a published rating: the published level where it stands in, else the rule's."""
    reason = bound.stand_in.get(node.id)
    if reason is None:
        return value
    stood[node.id] = reason
    return bound.published[node.id]


def findings(results: dict, overall, bound, stood: dict[str, str]) -> list[Finding]:
    """The published ratings the rules disagree with."""
    out = []
    for node_id, level in bound.published.items():
        if node_id in stood:
            continue
        r = overall if node_id == OVERALL else results.get(node_id)
        if r is None:
            continue
        got = r.level
        if got is None or got.id != level.id:
            reason = r.reason[len("not rated: "):] if got is None and r.reason.startswith("not rated: ") else r.reason
            out.append(Finding(node_id, level, got, reason))
    return out


def _depth(fw: Framework, node_id: str) -> int:
    if node_id == OVERALL:
        return -1
    d, node = 0, fw.nodes[node_id]
    while node.parent is not None:
        d, node = d + 1, node.parent
    return d


def mark(fw: Framework, results: dict, overall, stood: dict[str, str], keep=()) -> None:
    """Results of nodes whose published rating stood in say so, and so do the unrated nodes beneath them."""
    done: set[str] = set()
    for node_id in sorted(stood, key=lambda n: -_depth(fw, n)):  # the nearest published rating speaks first
        r = overall if node_id == OVERALL else results.get(node_id)
        if r is None:
            continue
        r.how = PUBLISHED
        r.decided_by = [PUBLISHED]
        r.reason = stood[node_id]
        r.margin = None
        r.limits = []
        name = "the overall rating" if node_id == OVERALL else node_id
        for d in beneath(fw, node_id):
            below = results.get(d.id)
            if below is not None and below.rated and below.level is None and d.id not in done and d.id not in keep:
                done.add(d.id)
                below.reason = f"not rated: no evidence; the published rating of {name} stands in above it"


__all__ = ["Finding", "PUBLISHED", "bind_published", "stand_ins", "decide", "findings", "mark"]
