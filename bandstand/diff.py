"""What changed between two framework versions.

>>> from bandstand import Catalogue
>>> cat = Catalogue()
>>> d = diff(cat.resolve("hmip-youth@2018-original"), cat.resolve("hmip-youth@2018"))  # doctest: +SKIP
>>> [c.kind for c in d.changes][:3]  # doctest: +SKIP
['node-wording', 'node-added', 'limit-added']

Nodes are matched by id, then (for ids that disappear and appear) by
wording, so a renamed node shows as renamed, not as removed and added. Each
change has a kind, the thing it is about, a one-line description, and for
wording the words that changed. The version's identity (version, status,
dates, title) is reported apart: it does not make two versions differ.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from typing import Any

from .contract import FORMAT
from .dsl.model import BandTable, Framework, Level, Node, Scale

WORDING_FIELDS = ("title", "question", "statement", "guidance")


@dataclass
class Change:
    kind: str
    subject: str  # a node id, band table id, scale id, limit id, tier id, or "overall"
    text: str  # one line, for people
    before: Any = None
    after: Any = None
    words: list[tuple[str, str]] | None = None  # (op, text) with op equal | delete | insert
    note: str | None = None  # the author's note on the change, where the file gives one

    def to_json(self) -> dict:
        out: dict[str, Any] = {"kind": self.kind, "subject": self.subject, "text": self.text}
        if self.before is not None:
            out["before"] = self.before
        if self.after is not None:
            out["after"] = self.after
        if self.words is not None:
            out["words"] = [{"op": op, "text": t} for op, t in self.words]
        if self.note:
            out["note"] = self.note
        return out


@dataclass
class FrameworkDiff:
    old: Framework
    new: Framework
    changes: list[Change] = field(default_factory=list)
    identity: list[Change] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        return not self.changes

    def to_json(self) -> dict:
        return {
            "old": {"id": self.old.id, "version": self.old.version},
            "new": {"id": self.new.id, "version": self.new.version},
            "identical": self.identical,
            "identity": [c.to_json() for c in self.identity],
            "changes": [c.to_json() for c in self.changes],
        }

    def render(self, fmt: str) -> str:
        """The diff as ``text``, ``json`` (with the contract's ``format``) or ``markdown`` (what
        :func:`bandstand.render.render` calls)."""
        if fmt == "json":
            return json.dumps({"format": FORMAT, **self.to_json()}, indent=2, ensure_ascii=False) + "\n"
        return {"text": to_text, "markdown": to_markdown}[fmt](self)


def word_diff(before: str, after: str) -> list[tuple[str, str]]:
    """The words of ``before`` and ``after`` as equal, deleted and inserted runs.

    >>> word_diff("Good: 65 to 79", "Good: 70 to 79")
    [('equal', 'Good:'), ('delete', '65'), ('insert', '70'), ('equal', 'to 79')]
    """
    a, b = before.split(), after.split()
    out: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(("equal", " ".join(a[i1:i2])))
        else:
            if i2 > i1:
                out.append(("delete", " ".join(a[i1:i2])))
            if j2 > j1:
                out.append(("insert", " ".join(b[j1:j2])))
    return out


def marked(words: list[tuple[str, str]]) -> str:
    """Word changes marked for a terminal: [-old-]{+new+}."""
    return " ".join(t if op == "equal" else (f"[-{t}-]" if op == "delete" else f"{{+{t}+}}") for op, t in words)


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def _name(n: Node) -> str:
    text = n.title or n.question or ""
    return f"{n.id} {_one_line(text)}".strip()


def _rule_text(n: Node) -> str | None:
    if n.is_judged:
        return "judged by inspectors" + (" (optional)" if n.judged == "optional" else "")
    if n.rule is None:
        return None
    return str(n.rule.expr)


def _similarity(a: Node, b: Node) -> float:
    ta = " ".join(_one_line(getattr(a, f)) for f in WORDING_FIELDS[:3])
    tb = " ".join(_one_line(getattr(b, f)) for f in WORDING_FIELDS[:3])
    if not ta.strip() or not tb.strip():
        return 0.0
    return difflib.SequenceMatcher(a=ta, b=tb, autojunk=False).ratio()


def _match_renames(old: Framework, new: Framework, gone: list[str], came: list[str]) -> dict[str, str]:
    """Pairs of (removed id -> added id) whose wording is alike: the same node renamed."""
    pairs = []
    for o in gone:
        for n in came:
            a, b = old.nodes[o], new.nodes[n]
            if (a.tier and a.tier.id) == (b.tier and b.tier.id):
                score = _similarity(a, b)
                if score >= 0.85:
                    pairs.append((score, o, n))
    out: dict[str, str] = {}
    for _score, o, n in sorted(pairs, reverse=True):
        if o not in out and n not in out.values():
            out[o] = n
    return out


def _top_level(ids: list[str], nodes: dict[str, Node]) -> list[str]:
    """The ids whose parent is not in the list too (a subtree is reported once)."""
    chosen = set(ids)
    out = []
    for i in ids:
        parent = nodes[i].parent
        if parent is None or parent.id not in chosen:
            out.append(i)
    return out


def _count_below(node: Node) -> str:
    below = sum(1 for _ in node.walk()) - 1
    return f" (with {below} node{'s' if below != 1 else ''} below it)" if below else ""


def diff(old: Framework, new: Framework) -> FrameworkDiff:
    """Every change from ``old`` to ``new``."""
    d = FrameworkDiff(old, new)
    _identity(d)
    _scales(d)
    _bands(d)
    _tiers(d)
    _parts(d)
    _nodes(d)
    _overall(d)
    _limits(d)
    return d


def _identity(d: FrameworkDiff) -> None:
    o, n = d.old, d.new
    for attr, label in (("id", "id"), ("version", "version"), ("title", "title"), ("status", "status"),
                        ("effective_from", "in force from"), ("effective_to", "in force until"),
                        ("publisher", "publisher")):
        a, b = getattr(o, attr), getattr(n, attr)
        if a != b:
            d.identity.append(Change("identity", attr, f"{label}: {a or '-'} -> {b or '-'}", a, b))


def _scale_levels(s: Scale) -> list[str]:
    return [lv.id for lv in s.levels]


def _own_level(s: Scale, level_id: str) -> Level:
    """A level of ``s`` by an id from its own levels (so never None)."""
    level = s.level(level_id)
    assert level is not None
    return level


def _scales(d: FrameworkDiff) -> None:
    o, n = d.old.scales, d.new.scales
    for sid in o.keys() - n.keys():
        d.changes.append(Change("scale-removed", sid, f"scale '{sid}' removed", _scale_levels(o[sid])))
    for sid in n.keys() - o.keys():
        d.changes.append(Change("scale-added", sid, f"scale '{sid}' added: {', '.join(lv.label for lv in n[sid].levels)}",
                                None, _scale_levels(n[sid])))
    for sid in sorted(o.keys() & n.keys()):
        a, b = o[sid], n[sid]
        la, lb = _scale_levels(a), _scale_levels(b)
        for lv in la:
            if lv not in lb:
                d.changes.append(Change("level-removed", sid, f"scale '{sid}': level '{_own_level(a, lv).label}' removed",
                                        lv))
        for lv in lb:
            if lv not in la:
                d.changes.append(Change("level-added", sid, f"scale '{sid}': level '{_own_level(b, lv).label}' added",
                                        None, lv))
        common = [lv for lv in la if lv in lb]
        if common != [lv for lv in lb if lv in la]:
            d.changes.append(Change("level-order", sid, f"scale '{sid}': levels reordered", la, lb))
        for lv in common:
            x, y = _own_level(a, lv), _own_level(b, lv)
            if x.label != y.label:
                d.changes.append(Change("level-label", sid, f"scale '{sid}': '{x.label}' -> '{y.label}'",
                                        x.label, y.label))
            if x.score != y.score:
                d.changes.append(Change("level-score", sid, f"scale '{sid}': score of {y.label}: "
                                        f"{_num(x.score)} -> {_num(y.score)}", _json_num(x.score),
                                        _json_num(y.score)))


def _num(x) -> str:
    from .dsl.model import fmt_number
    return fmt_number(x) if x is not None else "none"


def _json_num(x):
    from .engine.result import number
    return number(x) if x is not None else None


def _band_text(t: BandTable, level_id: str) -> str | None:
    parts = [b.describe(t.unit) for b in t.bands if b.level.id == level_id]
    return ", ".join(parts) if parts else None


def _bands(d: FrameworkDiff) -> None:
    o, n = d.old.bands, d.new.bands
    for tid in sorted(o.keys() - n.keys()):
        d.changes.append(Change("band-table-removed", tid, f"band table '{tid}' removed"))
    for tid in sorted(n.keys() - o.keys()):
        t = n[tid]
        bands = "; ".join(f"{b.level.label}: {b.describe(t.unit)}" for b in t.bands)
        d.changes.append(Change("band-table-added", tid, f"band table '{tid}' added: {bands}"))
    for tid in sorted(o.keys() & n.keys()):
        a, b = o[tid], n[tid]
        if a.rounding != b.rounding:
            d.changes.append(Change("rounding", tid, f"band table '{tid}': rounding {a.rounding.describe()} -> "
                                    f"{b.rounding.describe()}", a.rounding.describe(), b.rounding.describe()))
        if a.scale.id != b.scale.id:
            d.changes.append(Change("band-scale", tid, f"band table '{tid}': scale {a.scale.id} -> {b.scale.id}",
                                    a.scale.id, b.scale.id))
        moved = _moved_thresholds(a, b)
        if moved is not None:
            d.changes.extend(moved)
            levels = []
        else:
            levels = list(dict.fromkeys([x.level.id for x in a.bands] + [x.level.id for x in b.bands]))
        for lv in levels:
            before, after = _band_text(a, lv), _band_text(b, lv)
            if before != after:
                # lv is the level of a band of a or b, so one of the two scales has it
                label = (b.scale.level(lv) or a.scale.level(lv)).label  # type: ignore[union-attr]
                d.changes.append(Change("band", tid, f"band table '{tid}': {label}: {before or 'none'} -> "
                                        f"{after or 'none'}", before, after))
        pa = a.provenance.status if a.provenance else "unstated"
        pb = b.provenance.status if b.provenance else "unstated"
        if pa != pb:
            d.changes.append(Change("band-provenance", tid, f"band table '{tid}': thresholds {pa} -> {pb}", pa, pb))


def _moved_thresholds(a: BandTable, b: BandTable) -> list[Change] | None:
    """When two tables differ only in where neighbouring bands meet, one change per moved threshold."""
    oa, ob = _sorted_bands(a), _sorted_bands(b)
    if [x.level.id for x in oa] != [x.level.id for x in ob] or len(oa) < 2:
        return None
    if (oa[0].min, ob[-1].upper) != (ob[0].min, oa[-1].upper) or oa[-1].max != ob[-1].max:
        return None
    changes = []
    for i in range(len(oa) - 1):
        lo_a, hi_a, lo_b, hi_b = oa[i], oa[i + 1], ob[i], ob[i + 1]
        if (lo_a.upper, hi_a.min) == (lo_b.upper, hi_b.min):
            continue
        u = "%" if b.unit == "percent" else ""
        changes.append(Change(
            "threshold", a.id,
            f"band table '{a.id}': {hi_b.level.label} from {_num(hi_a.min)}{u} -> {_num(hi_b.min)}{u} "
            f"({lo_b.level.label}: {lo_a.describe(a.unit)} -> {lo_b.describe(b.unit)}; "
            f"{hi_b.level.label}: {hi_a.describe(a.unit)} -> {hi_b.describe(b.unit)})",
            _json_num(hi_a.min), _json_num(hi_b.min)))
    return changes


def _sorted_bands(t: BandTable):
    return sorted(t.bands, key=lambda x: (float("-inf") if x.min is None else x.min))


def _tiers(d: FrameworkDiff) -> None:
    o = {t.id: t for t in d.old.tiers}
    n = {t.id: t for t in d.new.tiers}
    if list(o) != list(n):
        d.changes.append(Change("tiers", "tiers", f"tiers: {', '.join(o)} -> {', '.join(n)}", list(o), list(n)))
    for tid in o.keys() & n.keys():
        a, b = o[tid], n[tid]
        ra = str(a.rule.expr) if a.rule else None
        rb = str(b.rule.expr) if b.rule else None
        if ra != rb:
            d.changes.append(Change("tier-rule", tid, f"the rule of every {b.label.lower()}: {ra or 'none'} -> "
                                    f"{rb or 'none'}", ra, rb))
        if a.rated != b.rated:
            d.changes.append(Change("tier-rated", tid, f"{b.label}s {'are now' if b.rated else 'are no longer'} rated",
                                    a.rated, b.rated))
        if a.counts_toward_overall != b.counts_toward_overall:
            d.changes.append(Change("tier-counts", tid, f"{b.label}s {'now count' if b.counts_toward_overall else 'no longer count'} "
                                    "toward the overall rating", a.counts_toward_overall, b.counts_toward_overall))


def _parts(d: FrameworkDiff) -> None:
    o, n = d.old.parts, d.new.parts
    for pid in sorted(o.keys() - n.keys()):
        d.changes.append(Change("part-removed", pid, f"part '{o[pid].label}' removed"))
    for pid in sorted(n.keys() - o.keys()):
        d.changes.append(Change("part-added", pid, f"part '{n[pid].label}' added"))
    for pid in sorted(o.keys() & n.keys()):
        if o[pid].label != n[pid].label:
            d.changes.append(Change("part-label", pid, f"part '{pid}': '{o[pid].label}' -> '{n[pid].label}'"))


def _nodes(d: FrameworkDiff) -> None:
    old, new = d.old, d.new
    o_ids = [i for i in old.nodes if i != "overall"]
    n_ids = [i for i in new.nodes if i != "overall"]
    gone = [i for i in o_ids if i not in new.nodes]
    came = [i for i in n_ids if i not in old.nodes]
    renamed = _match_renames(old, new, gone, came)
    notes = new.change_notes
    for o_id in _top_level([i for i in gone if i not in renamed], old.nodes):
        node = old.nodes[o_id]
        d.changes.append(Change("node-removed", o_id, f"removed {_name(node)}{_count_below(node)}",
                                [n.id for n in node.walk()], note=notes.get(o_id)))
    for n_id in _top_level([i for i in came if i not in renamed.values()], new.nodes):
        node = new.nodes[n_id]
        where = f" under {node.parent.id}" if node.parent else ""
        d.changes.append(Change("node-added", n_id, f"added {_name(node)}{where}{_count_below(node)}",
                                None, [n.id for n in node.walk()], note=notes.get(n_id)))
    for o_id, n_id in renamed.items():
        d.changes.append(Change("node-renamed", n_id, f"renamed {o_id} -> {n_id} ({_one_line(new.nodes[n_id].title or new.nodes[n_id].question)})",
                                o_id, n_id, note=notes.get(n_id)))
    pairs = [(i, i) for i in o_ids if i in new.nodes] + list(renamed.items())
    order = {i: k for k, i in enumerate(n_ids)}
    pairs.sort(key=lambda p: order.get(p[1], 0))
    for o_id, n_id in pairs:
        _node_pair(d, old.nodes[o_id], new.nodes[n_id], notes.get(n_id), renamed)


def _node_pair(d: FrameworkDiff, a: Node, b: Node, note: str | None, renamed: dict[str, str]) -> None:
    pa = a.parent.id if a.parent else None
    pb = b.parent.id if b.parent else None
    if (renamed.get(pa, pa) if pa is not None else None) != pb:
        d.changes.append(Change("node-moved", b.id, f"moved {b.id} from under {pa or 'the top'} to under {pb or 'the top'}",
                                pa, pb, note=note))
    for f in WORDING_FIELDS:
        x, y = _one_line(getattr(a, f)), _one_line(getattr(b, f))
        if x != y:
            if not x:
                text = f"{b.id}: {f} added: {y}"
            elif not y:
                text = f"{b.id}: {f} removed"
            else:
                text = f"{b.id}: {f} changed"
            d.changes.append(Change("node-wording", b.id, text, x or None, y or None,
                                    word_diff(x, y) if x and y else None, note=note))
    ra, rb = _rule_text(a), _rule_text(b)
    tier_rule = a.rule_from_tier and b.rule_from_tier  # reported once, as the tier's change
    if ra != rb and not tier_rule and (a.rated or b.rated):
        d.changes.append(Change("node-rule", b.id, f"{b.id}: rated by {ra or 'nothing'} -> {rb or 'nothing'}",
                                ra, rb, note=note))
    if a.rated != b.rated and not (a.tier and b.tier and a.tier.rated != b.tier.rated):
        d.changes.append(Change("node-rated", b.id, f"{b.id} {'is now' if b.rated else 'is no longer'} rated",
                                a.rated, b.rated, note=note))
    if a.counts_toward_overall != b.counts_toward_overall:
        d.changes.append(Change("node-counts", b.id, f"{b.id} {'now counts' if b.counts_toward_overall else 'no longer counts'}"
                                " toward the overall rating", a.counts_toward_overall, b.counts_toward_overall, note=note))
    if (a.part and a.part.id) != (b.part and b.part.id) and not (a.parent and b.parent and a.parent.part == a.part
                                                                 and b.parent.part == b.part):
        d.changes.append(Change("node-part", b.id, f"{b.id}: part {a.part.id if a.part else 'none'} -> "
                                f"{b.part.id if b.part else 'none'}", note=note))
    if a.scale.id != b.scale.id:
        d.changes.append(Change("node-scale", b.id, f"{b.id}: scale {a.scale.id} -> {b.scale.id}", note=note))


def _overall(d: FrameworkDiff) -> None:
    a, b = d.old.overall, d.new.overall
    ra = str(a.rule.expr) if a is not None and a.rule else None
    rb = str(b.rule.expr) if b is not None and b.rule else None
    if ra != rb:
        d.changes.append(Change("overall-rule", "overall", f"the overall rating: {ra or 'none'} -> {rb or 'none'}",
                                ra, rb))
    ca = [n.id for n in d.old.counted]
    cb = [n.id for n in d.new.counted]
    if ca != cb:
        added = [i for i in cb if i not in ca]
        removed = [i for i in ca if i not in cb]
        bits = []
        if added:
            bits.append("now counted: " + ", ".join(added))
        if removed:
            bits.append("no longer counted: " + ", ".join(removed))
        d.changes.append(Change("counted", "overall", "what counts toward the overall rating: " + "; ".join(bits),
                                ca, cb))


def _limit_text(lim) -> str:
    bound = f"at most {lim.at_most.label}" if lim.at_most else f"at least {lim.at_least.label}"
    return f"if {_one_line(lim.when.text)}, {lim.applies_to} is {bound}"


def _limits(d: FrameworkDiff) -> None:
    o = {x.id: x for x in d.old.limits}
    n = {x.id: x for x in d.new.limits}
    for lid in o:
        if lid not in n:
            d.changes.append(Change("limit-removed", lid, f"limit '{lid}' removed: {_limit_text(o[lid])}",
                                    _limit_text(o[lid])))
    for lid in n:
        if lid not in o:
            d.changes.append(Change("limit-added", lid, f"limit '{lid}' added: {_limit_text(n[lid])}", None,
                                    _limit_text(n[lid])))
        elif _limit_text(o[lid]) != _limit_text(n[lid]):
            d.changes.append(Change("limit-changed", lid, f"limit '{lid}': {_limit_text(o[lid])} -> "
                                    f"{_limit_text(n[lid])}", _limit_text(o[lid]), _limit_text(n[lid])))


# -- renderers ------------------------------------------------------------------------------------

_SECTIONS = (
    ("Scales", ("scale-", "level-")),
    ("Band tables", ("band", "rounding", "threshold")),
    ("Tiers and parts", ("tier", "part-", "tiers")),
    ("Nodes", ("node-",)),
    ("Overall rating", ("overall-rule", "counted")),
    ("Limiting rules", ("limit-",)),
)


def sections(d: FrameworkDiff):
    """The changes grouped for reading: (section title, changes) for each section with any."""
    for title, prefixes in _SECTIONS:
        items = [c for c in d.changes if c.kind.startswith(prefixes)]
        if items:
            yield title, items


def to_text(d: FrameworkDiff) -> str:
    lines = [f"{d.old.ref} -> {d.new.ref}"]
    for c in d.identity:
        lines.append(f"  {c.text}")
    if d.identical:
        lines.append("no changes to the rules, bands, scales or wording")
        return "\n".join(lines) + "\n"
    explained: set[str] = set()
    for title, items in sections(d):
        lines.append("")
        lines.append(f"{title}:")
        for c in items:
            lines.append(f"  {c.text}")
            if c.words:
                lines.append(f"    {marked(c.words)}")
            if c.note and c.note not in explained:  # the author's note, once
                explained.add(c.note)
                lines.append(f"    why: {_one_line(c.note)}")
    lines.append("")
    lines.append(f"{len(d.changes)} change{'s' if len(d.changes) != 1 else ''}")
    return "\n".join(lines) + "\n"


def to_markdown(d: FrameworkDiff) -> str:
    from .render import md

    out = [f"# Changes from {md(d.old.ref)} to {md(d.new.ref)}", ""]
    for c in d.identity:
        out.append(f"- {md(c.text)}")
    if d.identity:
        out.append("")
    if d.identical:
        out.append("No changes to the rules, bands, scales or wording.")
        return "\n".join(out) + "\n"
    explained: set[str] = set()
    for title, items in sections(d):
        out.append(f"## {title}")
        out.append("")
        for c in items:
            line = f"- {md(c.text)}"
            if c.words:
                # removed words are <del>, inline HTML every Markdown renderer shows: ~~ needs an extension
                line += ": " + " ".join(md(t) if op == "equal" else (f"<del>{md(t)}</del>" if op == "delete"
                                                                     else f"**{md(t)}**") for op, t in c.words)
            if c.note and c.note not in explained:
                explained.add(c.note)
                line += f" *Why: {md(_one_line(c.note))}*"
            out.append(line)
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def to_json(d: FrameworkDiff) -> str:
    return json.dumps(d.to_json(), indent=2, ensure_ascii=False) + "\n"

