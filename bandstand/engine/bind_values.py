"""Binding the published figures of nodes (the evidence's ``values``) to what a framework's rules read of them.

A rule reads a node's figures with ``value()``, ``previous()`` and
``comparator("name")`` (:mod:`bandstand.dsl.functions`); the resolve pass
records which figures of which node each framework reads
(``facts(fw).evidence.valued``). Every figure read must be given, as a
number or as not available with the source's reason: a figure left out is
an error, unless the evidence declares the node left out (``partial``), so
that a missing comparator can never read as a default. Figures for a node
no rule reads, and comparators no rule names (a misspelt name), are errors
too: they would be ignored silently.
"""

from __future__ import annotations

from ..dsl.build import suggest
from ..dsl.model import OVERALL, Framework
from ..dsl.resolve import facts as framework_facts
from ..errors import Collector
from .coverage import declared_left_out
from .evidence_model import Evidence, Values

__all__ = ["bind_values", "figure_name"]


def figure_name(figure: str) -> str:
    """How a message names a figure: 'its value', 'its previous period's value', 'its national comparator'."""
    if figure == "value":
        return "its value"
    if figure == "previous":
        return "its value for the previous period"
    return f"its {figure.split(':', 1)[1]} comparator"


def bind_values(ev: Evidence, fw: Framework, out: Collector, unknown) -> tuple[dict[str, Values], list[str]]:
    """(the figures by node id, the nodes whose figures partial evidence leaves out); problems go to ``out``.

    ``unknown(node_id, pos, what, among)`` reports a node id the framework does not have.
    """
    valued = framework_facts(fw).evidence.valued
    values: dict[str, Values] = {}
    for node_id, v in ev.values.items():
        if node_id not in fw.nodes or node_id == OVERALL:
            unknown(node_id, v.pos, "values", list(valued) or None)
            continue
        read = valued.get(node_id)
        if read is None:
            out.error("evidence.not-valued", f"'{node_id}' ({_title(fw.nodes[node_id])}) takes no values: no rule "
                      "reads its value, previous value or comparators" + _which(valued), v.pos)
            continue
        names = [f.split(":", 1)[1] for f in read if f.startswith("comparator:")]
        bad = False
        meant: set[str] = set()  # comparators a misspelt name stands for: its error says so, not 'missing'
        for name, r in v.comparators.items():
            if "comparator:" + name not in read:
                wanted = f"its rules compare it with: {', '.join(names)}" if names else "no rule compares it"
                hint = suggest(name, names)
                out.error("evidence.comparator", f"'{node_id}' has no comparator called '{name}' ({wanted})" + hint,
                          r.pos)
                meant.update(n for n in names if hint and f"'{n}'" in hint)
                bad = True
        for figure in read:
            if _given(v, figure) or declared_left_out(ev.partial, fw.nodes[node_id]):
                continue
            bad = True
            if figure.startswith("comparator:") and figure.split(":", 1)[1] in meant:
                continue
            how = "{not_available: the reason the source gives}"
            out.error("evidence.missing-value", f"'{node_id}' ({_title(fw.nodes[node_id])}) is missing "
                      f"{figure_name(figure)}, which its rules read; give it, or {how} where the source says it "
                      "is not available (or declare the evidence partial)", v.pos)
        if not bad:
            values[node_id] = v
    left_out: list[str] = []
    missing: list[str] = []
    unsure = "values" in ev.unread_sections
    for node_id in valued:
        if node_id in ev.values or node_id in ev.unread or unsure:
            continue
        if declared_left_out(ev.partial, fw.nodes[node_id]):
            left_out.append(node_id)
        else:
            missing.append(node_id)
    if len(missing) == 1:  # one line for what is missing, however many nodes
        node = fw.nodes[missing[0]]
        listed = ", ".join(figure_name(f).removeprefix("its ") for f in valued[node.id])
        out.error("evidence.missing-value", f"no values for '{node.id}' ({_title(node)}): its rules read {listed}; "
                  f"give them under values: {node.id}: (or declare the evidence partial)", ev.where("values"))
    elif missing:
        out.error("evidence.missing-value", f"no values for {len(missing)} nodes whose published figures the rules "
                  f"read: {', '.join(missing)}; give them under values (or declare the evidence partial)",
                  ev.where("values"))
    return values, left_out


def _title(node) -> str:
    return node.title or node.question or node.name


def _given(v: Values, figure: str) -> bool:
    if figure == "value":
        return v.value is not None
    if figure == "previous":
        return v.previous is not None
    return figure.split(":", 1)[1] in v.comparators


def _which(valued: dict) -> str:
    return f"; the nodes that take values are: {', '.join(valued)}" if valued else ""
