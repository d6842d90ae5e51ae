"""Crosswalks: one framework's evidence read under another.

A crosswalk file says which parts and nodes of the ``from`` framework feed
which of the ``to`` framework, and how levels correspond. It is checked
against both frameworks when it is used; :func:`translate` turns evidence
for ``from`` into evidence for ``to``.

>>> from bandstand import Catalogue
>>> cat = Catalogue()
>>> cw = cat.crosswalk("hmip-youth", "hmip-youth-cci")  # doctest: +SKIP
>>> cw.to_ref  # doctest: +SKIP
'hmip-youth-cci@2011'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .refs import parse_ref
from .dsl import loader, schema
from .dsl.build import suggest
from .dsl.model import Framework, Level
from .dsl.resolve import facts as framework_facts
from .engine.evidence import Evidence, Figure, Judgement
from .errors import BandstandError, Collector, Position
from .limits import DEFAULT_LIMITS, Limits


@dataclass
class Mapping:
    to_node: str
    from_nodes: tuple[str, ...]
    combine: str
    pos: Position


@dataclass
class Crosswalk:
    id: str
    title: str
    from_ref: str
    to_ref: str
    description: str | None
    parts: dict[str, str]
    answers: list[Mapping]
    judgements: dict[str, tuple[str, Position]]
    levels: list[tuple[str, str]]
    note: str | None
    file: str | None
    doc: loader.Document | None = field(repr=False, default=None)  # None: not read from a file

    def applies(self, source: Framework, target: Framework) -> bool:
        return _matches(self.from_ref, source) and _matches(self.to_ref, target)

    def level_map(self) -> dict[str, str]:
        return dict(self.levels)

    def check(self, source: Framework, target: Framework) -> None:
        """Every id in the crosswalk exists in the frameworks it joins; raise all problems at once."""
        out = Collector()
        d = self.doc
        assert d is not None  # load_crosswalk, the only maker of crosswalks, gives each its document

        def node_in(fw: Framework, node_id: str, where: Position, side: str) -> None:
            if node_id not in fw.nodes or node_id == "overall":
                out.error("crosswalk.unknown-node", f"'{node_id}' is not a node of {fw.ref} (the '{side}' framework)"
                          + suggest(node_id, fw.nodes), where)

        for fp, tp in self.parts.items():
            if fp not in source.parts:
                out.error("crosswalk.unknown-part", f"'{fp}' is not a part of {source.ref}" + suggest(fp, source.parts),
                          d.key_pos(("parts", fp)))
            if tp not in target.parts:
                out.error("crosswalk.unknown-part", f"'{tp}' is not a part of {target.ref}" + suggest(tp, target.parts),
                          d.pos(("parts", fp)))
        figured = framework_facts(target).evidence.figured
        for m in self.answers:
            node_in(target, m.to_node, m.pos, "to")
            if m.to_node in target.nodes and m.to_node not in figured:
                out.error("crosswalk.not-answered", f"'{m.to_node}' of {target.ref} is not answered case by case",
                          m.pos)
            for f in m.from_nodes:
                node_in(source, f, m.pos, "from")
        for to_node, (from_node, where) in self.judgements.items():
            node_in(target, to_node, where, "to")
            node_in(source, from_node, where, "from")
        for i, (a, b) in enumerate(self.levels):
            if not any(s.find(a) for s in source.scales.values()):
                out.error("crosswalk.unknown-level", f"'{a}' is not a level of {source.ref}", d.pos(("levels", i, "from")))
            if not any(s.find(b) for s in target.scales.values()):
                out.error("crosswalk.unknown-level", f"'{b}' is not a level of {target.ref}", d.pos(("levels", i, "to")))
        out.raise_if_errors()


def _matches(ref: str, fw: Framework) -> bool:
    fid, version = parse_ref(ref) or (None, None)
    return fid == fw.id and (version is None or version == fw.version)


def load_crosswalk(path: str | Path, limits: Limits = DEFAULT_LIMITS, display: str | None = None) -> Crosswalk:
    """Read and schema-check a crosswalk file."""
    doc = loader.load_file(path, limits, display)
    schema.require_mapping(doc, "crosswalk")
    diags = schema.validate(doc, "crosswalk")
    if diags:
        raise BandstandError(diags)
    d = doc.data
    answers = []
    for to_node, spec in (d.get("answers") or {}).items():
        if isinstance(spec, list):
            spec = {"from": spec}
        answers.append(Mapping(to_node, tuple(spec["from"]), spec.get("combine", "each"),
                               doc.key_pos(("answers", to_node))))
    judgements = {k: (v, doc.pos(("judgements", k))) for k, v in (d.get("judgements") or {}).items()}
    levels = [(x["from"], x["to"]) for x in d.get("levels", ())]
    return Crosswalk(d["id"], d["title"], d["from"], d["to"], d.get("description"), dict(d.get("parts") or {}),
                     answers, judgements, levels, d.get("note"), doc.file, doc)


def translate(ev: Evidence, cw: Crosswalk, source: Framework, target: Framework) -> tuple[Evidence, list[str]]:
    """Evidence for ``target`` from evidence for ``source``, and notes on what was carried over or left out."""
    cw.check(source, target)
    notes: list[str] = []
    out = Evidence(ev.file, target.ref, ev.subject, ev.date, ev.source, ev.notes, partial=True)
    out.section_pos = dict(ev.section_pos)
    # judgements, through the level correspondence where the scales differ
    level_map = {k.casefold(): v for k, v in cw.level_map().items()}
    for to_node, (from_node, _) in cw.judgements.items():
        j = ev.judgements.get(from_node)
        if j is None or j.rating is None:
            continue
        level = source.nodes[from_node].scale.find(str(j.rating))
        rating = level.id if level else str(j.rating)
        scale = target.nodes[to_node].scale
        if scale.find(rating) is None and rating.casefold() in level_map:
            rating = level_map[rating.casefold()]
        out.judgements[to_node] = Judgement(to_node, rating, j.note, j.pos)
    # answers: counted across the cases of the mapped parts
    if ev.cases is not None:
        left_out = sorted({c.part for c in ev.cases if c.part not in cw.parts})
        if left_out:
            n = sum(1 for c in ev.cases if c.part not in cw.parts)
            notes.append(f"{n} case{'s' if n != 1 else ''} of part{'s' if len(left_out) > 1 else ''} "
                         f"{', '.join(left_out)} left out: the crosswalk reads only {', '.join(cw.parts)}")
        cases = [c for c in ev.cases if c.part in cw.parts]
        for m in cw.answers:
            yes = of = 0
            for c in cases:
                answers = [c.answers.get(f) for f in m.from_nodes]
                given = [a for a in answers if a is not None]
                if m.combine == "each":
                    yes += sum(1 for a in given if a)
                    of += len(given)
                elif given:
                    of += 1
                    yes += all(given) if m.combine == "all" else any(given)
            out.figures[m.to_node] = Figure(m.to_node, yes, of, None, Position(cw.file, m.pos.line, m.pos.column))
    else:
        for m in cw.answers:
            looked_up = [ev.figures.get(f) for f in m.from_nodes]
            figs = [f for f in looked_up if f is not None]
            if len(figs) < len(looked_up):
                continue
            if all(f.of is not None for f in figs) and (m.combine == "each" or len(figs) == 1):
                # counts come as a pair (the evidence schema's dependentRequired): each of given, so each yes
                out.figures[m.to_node] = Figure(m.to_node, sum(f.yes for f in figs), sum(f.of for f in figs), None,  # type: ignore[misc]
                                                m.pos)
            elif len(figs) == 1:
                out.figures[m.to_node] = Figure(m.to_node, None, None, figs[0].percent, m.pos)
            else:
                notes.append(f"{m.to_node}: its answers pool {', '.join(m.from_nodes)}, which the evidence gives "
                             "only as percentages; percentages cannot be pooled, so it is not rated")
    return out, notes


def correspond(level: Level | None, cw: Crosswalk, target: Framework) -> Level | None:
    """The ``to`` level a ``from`` level corresponds to, if the crosswalk says."""
    if level is None:
        return None
    to = cw.level_map().get(level.id)
    if to is None:
        return None
    for s in target.scales.values():
        found = s.find(to)
        if found is not None:
            return found
    return None


__all__ = ["Crosswalk", "load_crosswalk", "translate", "correspond"]
