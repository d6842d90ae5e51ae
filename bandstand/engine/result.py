"""The result tree: for every node its rating and why, and the overall rating.

Results are plain data; :meth:`Result.to_json` gives the JSON contract that
tools outside the project read (see ``docs/reference/results.md``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable

from ..dsl.model import Band, BandTable, Framework, Level, Rounding
from .bind import Measure

WHOLE = Rounding(0, "half_up")
_new = object.__new__  # (makes an instance without calling its class: see rated_result)


def number(x: Fraction | int | None) -> int | float | None:
    """A JSON number: an int when whole, else a float to 4 decimal places."""
    if x is None:
        return None
    x = Fraction(x)
    if x.denominator == 1:
        return x.numerator
    try:
        return round(float(x), 4)
    except OverflowError:  # past 1e308: whole, as JSON allows
        return round(x)


@dataclass
class MarginStep:
    level: Level
    more_yes: int | None = None  # cases (or answers) that would need to be judged sufficient instead
    fewer_yes: int | None = None
    points: Fraction | None = None  # for percentages and scores
    needs: dict[str, "MarginStep"] | None = None  # for a node decided by its children
    unit: str = "cases"  # what more_yes and fewer_yes count: cases, or answers (a pooled share)
    levels: int | None = None  # for a mean of scores: levels its children gain (or lose) between them
    among: str | None = None  # the children a mean is taken over: "its 3 key questions"

    def to_json(self) -> dict:
        out: dict[str, Any] = {"rating": self.level.id, "label": self.level.label}
        if self.more_yes is not None:
            out["more_yes"] = self.more_yes
        if self.fewer_yes is not None:
            out["fewer_yes"] = self.fewer_yes
        if self.unit != "cases" and (self.more_yes is not None or self.fewer_yes is not None):
            out["unit"] = self.unit
        if self.points is not None:
            out["points"] = number(self.points)
        if self.levels is not None:
            out["levels"] = self.levels
        if self.needs is not None:
            out["needs"] = {k: v.to_json() for k, v in self.needs.items()}
        return out


@dataclass
class Blocked:
    """A level the node's rule would reach but a limit keeps it from, however its input changes."""

    level: Level
    limit: str  # the limit's id
    condition: str  # while what holds: "4.1 is Inadequate"

    def to_json(self) -> dict:
        return {"rating": self.level.id, "label": self.level.label, "limit": self.limit,
                "while": self.condition}


@dataclass
class Margin:
    up: MarginStep | None = None
    down: MarginStep | None = None
    blocked_up: Blocked | None = None
    blocked_down: Blocked | None = None

    def to_json(self) -> dict:
        out = {}
        if self.up is not None:
            out["up"] = self.up.to_json()
        if self.down is not None:
            out["down"] = self.down.to_json()
        if self.blocked_up is not None:
            out["up_blocked"] = self.blocked_up.to_json()
        if self.blocked_down is not None:
            out["down_blocked"] = self.blocked_down.to_json()
        return out


def margin_step(level: Level, more_yes: int | None = None, fewer_yes: int | None = None,
                points: Fraction | None = None, needs: dict[str, MarginStep] | None = None, unit: str = "cases",
                levels: int | None = None, among: str | None = None) -> MarginStep:
    """``MarginStep(...)``, made without calling the dataclass: an explained evaluation makes dozens (two or
    three for each rated node), and on CPython 3.11 calling a class with keywords builds a dict of them first
    (see :func:`rated_result`; tests/test_margins.py checks the two agree)."""
    step = _new(MarginStep)
    step.__dict__ = {"level": level, "more_yes": more_yes, "fewer_yes": fewer_yes, "points": points, "needs": needs,
                     "unit": unit, "levels": levels, "among": among}
    return step


def margin_of(up: MarginStep | None = None, down: MarginStep | None = None, blocked_up: Blocked | None = None,
              blocked_down: Blocked | None = None) -> Margin:
    """``Margin(...)``, made as :func:`margin_step` makes a step."""
    m = _new(Margin)
    m.__dict__ = {"up": up, "down": down, "blocked_up": blocked_up, "blocked_down": blocked_down}
    return m


@dataclass
class AppliedLimit:
    id: str
    node_id: str
    before: Level
    after: Level
    description: str | None
    condition: str

    def to_json(self) -> dict:
        return {"id": self.id, "node": self.node_id, "from": self.before.id, "to": self.after.id,
                "condition": self.condition, "description": self.description}


@dataclass(slots=True)
class NodeResult:
    id: str
    title: str | None
    tier: str | None
    rated: bool  # whether the framework rates this node at all
    level: Level | None = None
    reason: str = ""
    how: str = "rule"  # rule | judgement | not rated
    measure: Measure | None = None
    value: Fraction | None = None  # the number banded, when the rule bands one
    rounded: Fraction | None = None
    table: BandTable | None = None
    band: Band | None = None
    decided_by: list[str] = field(default_factory=list)
    margin: Margin | None = None
    limits: list[str] = field(default_factory=list)
    note: str | None = None
    maximum: Fraction | None = None
    pooled: bool = False  # the measure pools answers across questions and cases
    reference: Any = None  # the node's reference figures (dsl.model.Reference)
    children: list[str] = field(default_factory=list)

    @property
    def score(self) -> Fraction | None:
        return self.level.score if self.level is not None else None

    def copy(self) -> "NodeResult":
        """A plain, changeable copy (its lists copied too)."""
        values = [getattr(self, f) for f in NodeResult.__dataclass_fields__]
        # the dataclass's own fields, in order (mypy cannot match a generator to the parameters)
        return NodeResult(*(list(v) if isinstance(v, (list, tuple)) and f in _LIST_FIELDS else v  # type: ignore[arg-type]
                            for f, v in zip(NodeResult.__dataclass_fields__, values)))

    @property
    def percent(self) -> Fraction | int | None:
        """The percentage as published: rounded as its band table rounds."""
        if self.measure is None:
            return None
        v = self.measure.value
        if v is None:
            return None
        if self.measure.percent is not None:
            return self.measure.percent
        return (self.table.rounding if self.table is not None and self.table.unit == "percent" else WHOLE).apply(v)

    def to_json(self) -> dict:
        out: dict[str, Any] = {"rating": self.level.id if self.level else None}
        if self.level is not None:
            out["label"] = self.level.label
            if self.level.score is not None:
                out["score"] = number(self.level.score)
        if self.measure is not None:
            if self.percent is not None:
                out["percent"] = number(self.percent)
            if self.measure.of is not None:
                out["yes"] = self.measure.yes
                out["of"] = self.measure.of
        elif self.value is not None:
            out["value"] = number(self.value)
        if self.decided_by:
            out["decided_by"] = list(self.decided_by)
        if self.margin is not None:
            out["margin"] = self.margin.to_json()
        if self.limits:
            out["limits_applied"] = list(self.limits)
        if self.reference is not None:
            out["reference"] = {"source": self.reference.source,
                                "figures": {f.label: number(f.value) for f in self.reference.figures}}
        out["by"] = self.how
        if self.note:
            out["note"] = self.note
        out["reason"] = self.reason
        return out


_LIST_FIELDS = ("decided_by", "limits", "children")

_REASON = NodeResult.__dict__["reason"]  # the slot that holds a node result's reason


class ExplainedNodeResult(NodeResult):
    """The result of a rated node whose reason is written when first read.

    Evaluation records what the rule decided; the words come from it on
    first read of :attr:`reason` (or of anything that shows it: ``to_json``,
    the renderers, equality), and are then kept. Setting ``reason`` replaces
    them. Copied or pickled, it is a plain :class:`NodeResult`; in every
    other way it is one too.
    """

    #: ``_why``: (function, its arguments...) that writes the reason, until it has been written (set after
    #: the result is made; None once written)
    __slots__ = ("_why",)
    _why: tuple | None  # (a slot: the annotation only types it)

    @property  # type: ignore[override]
    def reason(self) -> str:
        why = self._why
        if why is not None:
            _REASON.__set__(self, why[0](*why[1:]))
            self._why = None
        return _REASON.__get__(self)

    @reason.setter
    def reason(self, text: str) -> None:
        self._why = None
        _REASON.__set__(self, text)

    def __eq__(self, other):  # equal to a plain NodeResult of the same fields
        if not isinstance(other, NodeResult):
            return NotImplemented
        return all(getattr(self, f) == getattr(other, f) for f in NodeResult.__dataclass_fields__)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return NodeResult.__repr__(self).replace(type(self).__qualname__, "NodeResult", 1)

    def __reduce_ex__(self, protocol):  # copied or pickled, it is a plain NodeResult, its reason written
        return NodeResult, tuple(getattr(self, f) for f in NodeResult.__dataclass_fields__)


def rated_result(shown, level: Level | None, reason: str, measure: Measure | None, figures, decided_by: list[str],
                 limits: list[str], note: str | None, why: tuple | None = None) -> NodeResult:
    """The result of a rated node, made field by field: what ``NodeResult(id=..., ...)`` would make.

    ``shown`` holds the node's parts that do not depend on the evidence
    (``id``, ``title``, ``tier``, ``how``, ``reference``, ``children``:
    :class:`bandstand.engine.compile.Shown`); ``figures`` what its rule
    recorded (``shown_value``, ``rounded``, ``table``, ``band``,
    ``maximum``, ``pooled``: :class:`bandstand.engine.explain.Explained`),
    or None. With ``why`` (the function that writes the reason and its
    arguments) it is an :class:`ExplainedNodeResult` whose reason is written
    when first read. Every evaluation makes one for each rated node, and on
    CPython 3.11 calling a dataclass with twenty keywords costs several
    times more than setting its fields (tests/test_lazy_results.py checks the
    two agree, field by field).
    """
    r: NodeResult
    if why is None:
        r = _new(NodeResult)
    else:
        explained = _new(ExplainedNodeResult)
        explained._why = why
        r = explained
    r.id, r.title, r.tier, r.rated, r.level, r.how = shown.id, shown.title, shown.tier, True, level, shown.how
    _REASON.__set__(r, reason)
    r.measure, r.note, r.reference, r.children = measure, note, shown.reference, list(shown.children)
    if figures is None:
        r.value = r.rounded = r.table = r.band = r.maximum = None
        r.pooled = False
    else:
        r.value, r.rounded, r.table, r.band = figures.shown_value, figures.rounded, figures.table, figures.band
        r.maximum, r.pooled = figures.maximum, figures.pooled
    r.decided_by, r.limits, r.margin = decided_by, limits, None
    return r


class SharedNodeResult(NodeResult):
    """The result of a node that is not rated and has no measure: the same for every inspection, so one
    object per compiled framework serves them all. It cannot be changed (copy it with
    ``dataclasses.replace`` to make a changed one)."""

    __slots__ = ()

    def __setattr__(self, name, value):
        raise AttributeError(f"the result of unrated node {self.id} is shared between results and cannot be "
                             "changed; change a copy (.copy())")

    def __reduce_ex__(self, protocol):  # copied or pickled, it is a plain NodeResult again
        plain = self.copy()
        return NodeResult, tuple(getattr(plain, f) for f in NodeResult.__dataclass_fields__)

    @classmethod
    def of(cls, result: NodeResult) -> "SharedNodeResult":
        # tuples where the fields say lists: nothing shared may be changed in place
        result.children = tuple(result.children)  # type: ignore[assignment]
        result.decided_by, result.limits = (), ()  # type: ignore[assignment]
        result.__class__ = cls
        return result  # type: ignore[return-value]  # its class is now cls


class Result:
    """One inspection's result: every node's :class:`NodeResult`, the overall rating, the limits applied.

    A result of ``evaluate(..., explain=False)`` holds the plan's ratings and
    builds its node results when first read (:attr:`nodes`; :attr:`overall`
    alone, read first, makes the overall result alone): what it then gives
    is what building them at once would give.
    """

    __slots__ = ("framework", "subject", "date", "_nodes", "_overall", "_build", "_ratings", "_make_overall",
                 "_overall_made", "limits_applied", "evidence_file", "warnings", "findings", "partial", "left_out")

    def __init__(self, framework: Framework, subject: str | None, date: str | None,
                 nodes: dict[str, NodeResult] | None, overall: NodeResult | None,
                 limits_applied: list[AppliedLimit], evidence_file: str | None = None,
                 warnings: list | None = None, findings: list | None = None, partial: bool = False,
                 left_out: list[str] | None = None, *, build: Callable[[], tuple] | None = None,
                 ratings: tuple | None = None, overall_alone: Callable[[], Any] | None = None):
        self.framework = framework
        self.subject = subject
        self.date = date
        #: the node results, or None while ``build`` has not yet made them
        self._nodes = nodes
        self._overall = overall
        self._build = build
        #: with ``build``: (slot by node id, the plan's values by slot), which :meth:`rating` reads without
        #: making the node results
        self._ratings = ratings
        #: with ``build``: what makes the overall result alone (NotImplemented where it cannot), until it is made
        self._make_overall = overall_alone
        self._overall_made = build is None
        self.limits_applied = limits_applied
        self.evidence_file = evidence_file
        self.warnings = [] if warnings is None else warnings
        #: published ratings the rules disagree with (engine.published.Finding)
        self.findings = [] if findings is None else findings
        self.partial = partial  # the evidence declares itself partial
        self.left_out = [] if left_out is None else left_out  # rated nodes with no evidence, left out on purpose

    @classmethod
    def lazy(cls, framework: Framework, subject: str | None, date: str | None, limits_applied: list[AppliedLimit],
             evidence_file: str | None, warnings: list, build: Callable[[], tuple], ratings: tuple,
             overall_alone: Callable[[], Any] | None = None) -> "Result":
        """``Result(framework, subject, date, None, None, limits_applied, evidence_file, warnings, build=build,
        ratings=ratings, overall_alone=overall_alone)``: a ratings-only result, made without calling the class
        (see :func:`rated_result`; tests/test_lazy_results.py checks the two agree)."""
        r = _new(cls)
        r.framework, r.subject, r.date, r.limits_applied, r.evidence_file = (framework, subject, date,
                                                                             limits_applied, evidence_file)
        r.warnings, r._nodes, r._overall, r._build, r._ratings = warnings, None, None, build, ratings
        r._make_overall, r._overall_made = overall_alone, False
        r.findings, r.partial, r.left_out = [], False, []
        return r

    def _built(self) -> None:
        build = self._build
        if build is not None:  # (two threads may both build them: either serves)
            nodes, overall = build()
            if not self._overall_made:  # (one made alone before is kept: it may have been changed since)
                self._overall, self._overall_made = overall, True
            self._nodes, self._make_overall = nodes, None
            self._build = None

    @property
    def nodes(self) -> dict[str, NodeResult]:
        if self._build is not None:
            self._built()
        return self._nodes  # type: ignore[return-value]  # given, or made by build just now

    @nodes.setter
    def nodes(self, value: dict[str, NodeResult]) -> None:
        if self._build is not None:
            self._built()
        self._nodes = value

    @property
    def overall(self) -> NodeResult | None:
        if not self._overall_made:  # (a ratings-only result: the overall result made alone, where it can be)
            make = self._make_overall
            made = make() if make is not None else NotImplemented
            if made is NotImplemented:
                self._built()
            else:
                self._overall, self._overall_made, self._make_overall = made, True, None
        return self._overall

    @overall.setter
    def overall(self, value: NodeResult | None) -> None:
        self._overall, self._overall_made, self._make_overall = value, True, None

    _FIELDS = ("framework", "subject", "date", "nodes", "overall", "limits_applied", "evidence_file", "warnings",
               "findings", "partial", "left_out")

    def __eq__(self, other):
        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(getattr(self, f) == getattr(other, f) for f in self._FIELDS)

    __hash__ = None  # type: ignore[assignment]  # (changeable, as the dataclass it was)

    def __repr__(self) -> str:
        return f"Result({', '.join(f'{f}={getattr(self, f)!r}' for f in self._FIELDS)})"

    def __getstate__(self):
        """Copied or pickled, a result is built first (what builds it is not kept)."""
        return {f: getattr(self, f) for f in self._FIELDS}

    def __setstate__(self, state):
        self._build = self._ratings = self._make_overall = None
        self._overall_made = True
        for f, v in state.items():
            setattr(self, f, v)

    def plan_values(self) -> tuple | None:
        """(slot by node id, the plan's values by slot) of a ratings-only result whose node results are not yet
        made; None once they are (or for any other result). Not to be changed."""
        return self._ratings if self._build is not None else None

    def rating(self, node_id: str) -> Level | None:
        """A node's level (``"overall"``: the overall rating's), None where not rated."""
        if self._build is not None and self._ratings is not None:  # (what the node result would hold)
            index, values = self._ratings
            slot = index.get(node_id)
            if slot is None:
                if node_id == "overall":
                    return None
                raise KeyError(node_id)
            value = values[slot]
            return value if isinstance(value, Level) else None
        r = self.overall if node_id == "overall" else self.nodes[node_id]
        return r.level if r is not None else None

    def to_json(self) -> dict:
        fw = self.framework
        out: dict[str, Any] = {
            "framework": {"id": fw.id, "version": fw.version, "title": fw.title},
            "subject": self.subject,
            "date": self.date,
            "evidence_file": self.evidence_file,
        }
        if self.overall is not None:
            o = self.overall
            overall: dict[str, Any] = {"rating": o.level.id if o.level else None}
            if o.level is not None:
                overall["label"] = o.level.label
            overall["score"] = number(o.value)
            overall["max_score"] = number(o.maximum)
            if o.margin is not None:
                overall["margin"] = o.margin.to_json()
            if o.limits:
                overall["limits_applied"] = list(o.limits)
            overall["reason"] = o.reason
            out["overall"] = overall
        out["nodes"] = {k: v.to_json() for k, v in self.nodes.items()}
        out["limits_applied"] = [a.to_json() for a in self.limits_applied]
        if self.findings:
            out["findings"] = [f.to_json() for f in self.findings]
        if self.partial:
            out["partial"] = {"left_out": list(self.left_out)}
        inferred = [t.id for t in fw.bands.values() if t.inferred]
        if inferred:
            out["inferred_thresholds"] = inferred
        return out
