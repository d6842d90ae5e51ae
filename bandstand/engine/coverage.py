"""Whether evidence covers what a framework rates: no missing evidence is read as "not applicable".

A key question rated on its share of cases is either answered (figures,
or an answer key in at least one case: a CSV column), explicitly not
applicable (the column is there and every cell is blank or n/a), covered
by a published rating above it, or left out on purpose by the evidence's
``partial`` declaration. Anything else is an error: a spreadsheet that lost
a column, or a header typed ``2.1.l``, must not change a rating silently.

``partial`` is ``true`` (anything may be missing) or a list of node ids
left out (a standard's id leaves out everything beneath it). Results then
say what was left out (:attr:`Bound.left_out`).
"""

from __future__ import annotations

from typing import Iterable

from ..dsl.model import OVERALL, Framework, Node
from ..dsl.resolve import facts as framework_facts
from ..errors import Diagnostic, Position
from .headers import closest_column


def declared_left_out(partial, node: Node | None) -> bool:
    """Whether ``partial`` (True, False or a collection of ids) leaves ``node`` out: itself or an ancestor."""
    if partial is True:
        return True
    if not partial or node is None:
        return False
    while node is not None:
        if node.id in partial:
            return True
        node = node.parent
    return False


def beneath(fw: Framework, node_id: str) -> Iterable[Node]:
    """The nodes below ``node_id`` (every node, below the overall rating)."""
    if node_id == OVERALL:
        return (n for n in fw.walk() if n.id != OVERALL)
    node = fw.nodes[node_id]
    return (d for d in node.walk() if d is not node)


def published_cover(fw: Framework, published: Iterable[str]) -> set[str]:
    """The nodes a published rating covers: those beneath each published node."""
    out: set[str] = set()
    for node_id in published:
        out.update(d.id for d in beneath(fw, node_id))
    return out


def _ids(ids: list[str]) -> str:
    return ", ".join(ids) if len(ids) <= 20 else ", ".join(ids[:20]) + f" and {len(ids) - 20} more"


def uncovered_in_cases(ev, fw: Framework, given: set[str], figured: set[str], case_parts: set[str],
                       covered: set[str]) -> list[str]:
    """The needed nodes that no figure and no case answers, in a part that has cases (or in no part), and
    that nothing else covers (``covered``: published ratings above them, or a partial declaration)."""
    out = []
    for node_id, owner in framework_facts(fw).evidence.needed.items():
        node = fw.nodes[node_id]
        if node_id in given or node_id in figured or node_id in covered:
            continue
        if owner is not None and (owner in figured or owner in covered):
            continue
        if node.part is not None and node.part.id not in case_parts:
            continue  # no case of its part: 'no evidence' for it is said elsewhere
        out.append(node_id)
    return out


def coverage_error(ev, fw: Framework, missing: list[str], unknown: dict[str, tuple[Position, str]]) \
        -> tuple[Diagnostic, set[str]]:
    """One error for every needed node the cases leave unanswered, and the unknown columns (answer keys)
    it names as their likely misspelling (those need no error of their own)."""
    csv = ev.cases_file is not None or (ev.file or "").lower().endswith((".csv", ".tsv"))
    cases_file = ev.cases[0].pos.file if ev.cases else ev.file
    guesses: dict[str, str] = {}
    free = dict(unknown)
    for node_id in missing:
        guess = closest_column(node_id, fw, free)
        if guess is not None:
            guesses[node_id] = guess
            del free[guess]
    parts = sorted({part.label for m in missing if (part := fw.nodes[m].part) is not None})
    of_parts = f" of the {' and '.join(parts)} part{'s' if len(parts) > 1 else ''}" if parts else ""
    one = len(missing) == 1
    what = "key question" if all(fw.nodes[m].rated for m in missing) else "question"
    named = f"{what}{'' if one else 's'} {_ids(missing)}"
    lacks = (f"{'has' if one else 'have'} no column" if csv else f"{'is' if one else 'are'} answered by no case")
    hint = ""
    if guesses:
        hint = " (did you mean " + ", ".join(
            f"{'column' if csv else 'answer'} '{g}'" + ("" if one else f" for {m}") for m, g in guesses.items()) + "?)"
    where = "" if not cases_file else f" in {cases_file}"
    fix = ("add the column (blank cells where it did not apply)" if csv and one else
           "add a column for each (blank cells where one did not apply)" if csv else
           "answer it in the cases (n/a where it did not apply)" if one else
           "answer each in the cases (n/a where one did not apply)")
    message = (f"{named}{of_parts} {lacks}{where}{hint}, so {'it' if one else 'they'} would be rated from no "
               f"evidence: {fix}, or declare the evidence partial (partial: [{', '.join(missing[:20])}])")
    header = getattr(ev.cases, "header", None) or {}
    if guesses:
        first = next(iter(guesses.values()))
        pos = header.get(first) or unknown[first][0]
    elif csv and ev.cases:
        pos = header.get("") or Position(cases_file, 1, 1)  # the header row
    else:
        pos = ev.cases_pos or Position(ev.file, 1, 1)
    return Diagnostic.at("evidence.coverage", message, pos), set(guesses.values())


def check_partial(ev, fw: Framework, out, given: set[str], uncovered: list[str]) -> None:
    """A list of nodes left out must name nodes of the framework that the evidence does leave out."""
    if not isinstance(ev.partial, tuple):
        return
    from ..dsl.build import suggest

    pos = ev.where("partial")
    ids = [n for n in fw.nodes if n != OVERALL]
    for node_id in ev.partial:
        if node_id not in fw.nodes or node_id == OVERALL:
            out.error("evidence.unknown-node", f"partial leaves out '{node_id}', which is not a node of {fw.ref}"
                      + (suggest(node_id, uncovered) or suggest(node_id, ids)), pos)
        elif node_id in given or ev.judgements.get(node_id) is not None:
            out.error("evidence.partial", f"partial leaves out '{node_id}', but the evidence gives it; remove it "
                      "from partial, or remove its evidence", pos)


def mark_partial(fw: Framework, results: dict, overall, left_out: list[str]) -> None:
    """Results say where evidence was left out: the nodes themselves, and every rating above them."""
    if not left_out:
        return
    for node_id in left_out:
        r = results.get(node_id)
        if r is not None and r.level is None:
            r.reason = "not rated: no evidence was given (the evidence is declared partial)"
    above: dict[str, list[str]] = {}
    for node_id in left_out:
        node = fw.nodes[node_id].parent
        while node is not None:
            above.setdefault(node.id, []).append(node_id)
            node = node.parent
        above.setdefault(OVERALL, []).append(node_id)
    for node_id, missing in above.items():
        r = overall if node_id == OVERALL else results.get(node_id)
        if r is None or r.level is None or not r.rated:
            continue
        r.reason += f"; from partial evidence: no evidence for {_ids(missing)}"


def without_evidence(ev, fw: Framework) -> list[str]:
    """The rated nodes whose case answers or figures a rule reads and that the evidence gives nothing for
    (no figures, no answer in any case, no published rating above them), in framework order."""
    answered = set(ev.figures) | {n for c in (ev.cases or ()) for n in c.answers}
    covered = published_cover(fw, [p for p in ev.published if p in fw.nodes])
    return [n for n, owner in framework_facts(fw).evidence.needed.items() if fw.nodes[n].rated and n not in answered
            and n not in covered and (owner is None or owner not in answered)]


def add_left_out(partial, ids: Iterable[str]):
    """A partial declaration that also leaves out ``ids``."""
    ids = list(ids)
    if partial is True or not ids:
        return partial
    return tuple(dict.fromkeys((partial or ()) + tuple(ids)))
