"""A diagram of how a framework's ratings are reached, as a Mermaid flowchart generated from its tiers, rules and limits.

From the bottom up: the unrated tiers below the rated ones (prompts), each rated tier with its rule in words
(key questions banded, standards the lowest), the overall rule (scores summed, then banded), and each limiting
rule that caps the result. The text is the describer's (:mod:`bandstand.describe`): a changed rule changes the
diagram. The same facts are in the table beside it, for a reader without the diagram.

>>> from bandstand.catalogue import Catalogue
>>> print("\\n".join(rating_diagram(Catalogue().resolve("hmip-youth@2018"))[3:5]))
    s0["Prompts: not rated"]
    s1["Key questions: the share of inspected cases judged sufficient, rounded to whole numbers (halves rounded up), banded by the key question bands"]
"""

from __future__ import annotations

from ..describe import describe, describe_limit, describe_rule, plural, table_name
from ..dsl import ast
from ..dsl.resolve import facts
from ..dsl.model import Framework

__all__ = ["rating_diagram", "diagram_steps"]

# characters Mermaid reads in a quoted label, written as its entity codes (#quot; and the like); angle brackets
# become single guillemets, as in titles (safe_title), so that no label can hold a tag when Mermaid draws it as HTML
_ENTITIES = {'"': "#quot;", "<": "\u2039", ">": "\u203a", "#": "#35;", "&": "#amp;", "`": "#96;"}


def _label(text: str) -> str:
    return "".join(_ENTITIES.get(c, c) for c in " ".join(text.split()))


def diagram_steps(fw: Framework) -> list[str]:
    """The steps from the bottom of the hierarchy to the overall rating, each one plain sentence."""
    steps: list[str] = []
    nodes = list(fw.walk())
    rated_tiers = [t for t in fw.tiers if t.rated and any(n.tier is t and n.rated for n in nodes)]
    lowest_rated = fw.tiers.index(rated_tiers[-1]) if rated_tiers else len(fw.tiers)
    for i, tier in reversed(list(enumerate(fw.tiers))):
        members = [n for n in nodes if n.tier is tier]
        if not members:
            continue
        name = plural(tier).capitalize()
        if tier not in rated_tiers:
            if i > lowest_rated:  # below the rated tiers: what inspectors read; above them, a grouping
                steps.append(f"{name}: not rated")
            continue
        by_rule = [n for n in members if n.rated and n.rule is not None and n.rule_from_tier]
        judged = [n for n in members if n.is_judged]
        own = [n for n in members if n.rated and n.rule is not None and not n.rule_from_tier]
        parts = []
        if by_rule:
            parts.append(describe_rule(by_rule[0], fw))
        if own:
            parts.append(f"{', '.join(n.id for n in own)} by {'their' if len(own) > 1 else 'its'} own rule")
        if judged:
            parts.append(("judged by inspectors" if not by_rule and not own
                          else f"{', '.join(n.id for n in judged)} judged by inspectors"))
        steps.append(f"{name}: {'; '.join(parts)}")
    overall = fw.overall
    if overall is not None and overall.rule is not None:
        known = facts(fw).rules[overall.id]
        title = overall.title or "Overall rating"
        expr = known.site.rule.expr
        if known.banded is not None and isinstance(expr, ast.Call):  # (banded only when the rule is band(x, table))
            table = known.banded[0]
            number = describe(expr.args[0], known.site, fw)
            steps.append(number[:1].upper() + number[1:])
            ranges = ", ".join(f"{b.level.label} {b.describe(table.unit)}"
                               for b in sorted(table.bands, key=lambda b: b.level.index, reverse=True))
            steps.append(f"{title}: banded by {table_name(table)} ({ranges})")
        else:
            steps.append(f"{title}: {describe_rule(overall, fw)}")
    for lim in fw.limits:
        steps.append(f"Limiting rule {lim.id}: {describe_limit(lim, fw)}")
    return steps


def rating_diagram(fw: Framework) -> list[str]:
    """The Markdown lines of a fenced ``mermaid`` block: a top-down flowchart of :func:`diagram_steps`."""
    steps = diagram_steps(fw)
    out = ["```mermaid", "flowchart TD", f"    accTitle: {_label('How a rating is reached: ' + fw.title)}"]
    out += [f'    s{i}["{_label(step)}"]' for i, step in enumerate(steps)]
    out += [f"    s{i} --> s{i + 1}" for i in range(len(steps) - 1)]
    out += ["```", ""]
    return out
