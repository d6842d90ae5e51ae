"""What each rating of a node means under its rule, level by level, in plain English.

"Good: every key question at 65% or more, and not all at 80% or more" is
read off the rule (``lowest(children)``), the children's rules
(``band(share(), key_question)``) and the band table: nothing is written by
hand, so a changed threshold changes the sentence. A rule this module cannot
read level by level gives no sentences (the rule is still described in words
on the page); a judged node says that inspectors judge it.

>>> from bandstand.catalogue import Catalogue
>>> fw = Catalogue().resolve("hmip-youth@2018")
>>> level_meanings(fw.nodes["2.1"], fw)[1]
('Good', 'every key question at 65% or more, and not all at 80% or more')
"""

from __future__ import annotations

from fractions import Fraction

from ..dsl.resolve import facts
from ..dsl.model import BandTable, Framework, Node, fmt_number

__all__ = ["level_meanings", "judged_meaning", "rounding_note"]


def judged_meaning(node: Node) -> str:
    what = node.tier.label.lower() if node.tier is not None else "node"
    return (f"Inspectors judge this {what}: no thresholds are published, and its rating is their judgement, "
            "not the result of a rule.")


def level_meanings(node: Node, fw: Framework) -> list[tuple[str, str]] | None:
    """(level label, what it means) for each level of ``node``'s scale, highest first; None when not readable."""
    if not node.rated or node.is_judged or node.rule is None:
        return None
    rules = facts(fw).rules
    picks = rules[node.id].picks if node.id in rules else None
    if picks is None:
        return None
    func, children = picks[0], list(picks[1])
    if not children or any(c.scale is not node.scale for c in children):
        return None
    tiers = {c.tier.id if c.tier is not None else None for c in children}
    kind = children[0].tier.label.lower() if len(tiers) == 1 and children[0].tier is not None else "node"
    if len(children) == 1:
        kind = f"{kind} ({children[0].id})"
    table = _common_table(children, fw)
    levels = sorted(node.scale.levels, key=lambda lv: lv.index, reverse=True)
    floors: dict[str, Fraction | None] = {}  # read only while table is set
    if table is not None:
        found = _floors(table)
        if found is None:
            table = None
        else:
            floors = found

    def at(lv) -> str:
        return f"at {_number(floors[lv.id], table.unit)} or more" if table is not None else f"rated {lv.label} or better"

    def below(lv) -> str:
        return f"below {_number(floors[lv.id], table.unit)}" if table is not None else f"rated below {lv.label}"

    def reaches(lv) -> bool:  # whether reaching the level says anything (the lowest level every child reaches)
        return floors[lv.id] is not None if table is not None else lv.index > 0

    out = []
    for i, level in enumerate(levels):
        higher = levels[i - 1] if i > 0 else None
        is_bottom = not reaches(level)  # every child reaches the lowest level
        if func == "lowest":
            if higher is None:
                text = f"every {kind} {at(level)}" if not is_bottom else f"every {kind}"
            elif is_bottom:
                text = f"at least one {kind} {below(higher)}"
            else:
                text = f"every {kind} {at(level)}, and not all {at(higher)}"
        else:  # highest
            if higher is None:
                text = f"at least one {kind} {at(level)}"
            elif is_bottom:
                text = f"every {kind} {below(higher)}"
            else:
                text = f"at least one {kind} {at(level)}, and none {at(higher)}"
        if len(children) == 1:
            text = text.replace("every ", "its ").replace("at least one ", "its ").replace(", and not all", ", but not")
            text = text.replace(", and none", ", but not")
        out.append((level.label, text))
    return out


def rounding_note(node: Node, fw: Framework) -> str | None:
    """How the figures compared in :func:`level_meanings` are rounded first, as a sentence; None if not."""
    rules = facts(fw).rules
    picks = rules[node.id].picks if node.rule is not None and node.id in rules else None
    if picks is None:
        return None
    table = _common_table(list(picks[1]), fw)
    if table is None or table.rounding.places is None:
        return None
    return f"Each figure is {table.rounding.describe()} before it is compared."


def _common_table(children: list[Node], fw: Framework) -> BandTable | None:
    """The band table every child is rated by (``band(x, table)``), when they share one; else None."""
    rules = facts(fw).rules
    tables = set()
    for c in children:
        banded = rules[c.id].banded if c.id in rules and c.rated and not c.is_judged else None
        if banded is None:
            return None
        tables.add(banded[0].id)
    if len(tables) != 1:
        return None
    return fw.bands[tables.pop()]


def _floors(table: BandTable) -> dict[str, Fraction | None] | None:
    """Each level's least figure (None for the lowest level open below); None unless higher levels band higher.

    "At 65% or more" means Good or better only when each level has one band and the bands rise with the levels.
    """
    by_level: dict[str, list] = {}
    for band in table.bands:
        by_level.setdefault(band.level.id, []).append(band)
    levels = sorted(table.scale.levels, key=lambda lv: lv.index)
    if any(len(by_level.get(lv.id, ())) != 1 for lv in levels):
        return None
    bands = [by_level[lv.id][0] for lv in levels]
    for lower, upper in zip(bands, bands[1:]):
        if upper.min is None or lower.upper is None or lower.upper > upper.min:
            return None
        if lower.min is not None and lower.min >= upper.min:
            return None
    floors: dict[str, Fraction | None] = {}
    for i, (lv, band) in enumerate(zip(levels, bands)):
        floors[lv.id] = None if i == 0 else band.min
    return floors


def _number(x: Fraction | None, unit: str) -> str:
    return f"{fmt_number(x)}{'%' if unit == 'percent' else ''}"
