"""The framework model: scales, band tables, the node hierarchy, rules.

Built from schema-checked data by :mod:`bandstand.dsl.build`; every object
knows where in which file it was defined (``pos``). Rules hold their parsed
AST; nothing here re-parses text.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable, Iterator

from ..errors import Position
from . import ast


def normalise(text: str) -> str:
    """Level ids, labels and aliases compare without case, spaces, '_' or '-'.

    >>> normalise("Requires improvement") == normalise("requires_improvement")
    True
    """
    return re.sub(r"[\s_\-']+", "", text).casefold()


@dataclass(eq=False)
class Level:
    id: str
    label: str
    index: int  # position on the scale, 0 = lowest
    scale_id: str
    score: Fraction | None = None
    description: str | None = None
    aliases: tuple[str, ...] = ()
    pos: Position | None = None

    def __repr__(self) -> str:
        return f"Level({self.scale_id}.{self.id})"

    def __lt__(self, other: "Level") -> bool:
        return self.index < other.index


@dataclass(eq=False)
class Scale:
    id: str
    label: str
    levels: tuple[Level, ...]
    description: str | None = None
    pos: Position | None = None

    def __post_init__(self):
        self._by_id = {lv.id: lv for lv in self.levels}
        self._by_name: dict[str, Level] = {}
        for lv in self.levels:
            for name in (lv.id, lv.label, *lv.aliases):
                self._by_name.setdefault(normalise(name), lv)

    def level(self, level_id: str) -> Level | None:
        return self._by_id.get(level_id)

    def find(self, text: str) -> Level | None:
        """A level by id, label or alias, ignoring case, spaces and '_'/'-'."""
        found = self.__dict__.get("_found")
        if found is None or len(found) >= 1024:
            found = {}
            self._found = found
        if text in found:
            return found[text]
        level = found[text] = self._by_name.get(normalise(text))
        return level

    @property
    def names(self) -> list[str]:
        return [lv.id for lv in self.levels]


ROUNDING_MODES = ("half_up", "half_even", "down", "up")


@dataclass(frozen=True)
class Rounding:
    """The rounding applied to a number before it is banded.

    >>> r = Rounding(0, "half_up")
    >>> [r.apply(Fraction(x)) for x in ("64.5", "49.4", "1100/17")]
    [65, 49, 65]
    >>> Rounding(0, "half_even").apply(Fraction("64.5"))
    64
    >>> Rounding(1, "half_up").apply(Fraction("64.25"))
    Fraction(643, 10)
    """

    places: int | None  # None: no rounding
    mode: str = "half_up"

    @functools.cached_property
    def step(self) -> Fraction | None:
        return None if self.places is None else Fraction(1, 10 ** self.places)

    def apply(self, x: Fraction | int) -> Fraction | int:
        """``x`` rounded, exactly; whole numbers come back as ``int``."""
        if self.places is None:
            return x
        return self.ratio(x.numerator, x.denominator)

    def ratio(self, num: int, den: int) -> Fraction | int:
        """``num / den`` (``den > 0``) rounded, exactly, without building the fraction first.

        >>> Rounding(0, "half_up").ratio(1100, 17)
        65
        """
        if self.places is None:
            return Fraction(num, den)
        scale = 10 ** self.places
        num *= scale  # num / den * scale, as integers
        floor, rem = divmod(num, den)  # = floor + rem / den, 0 <= rem < den
        if self.mode == "down":
            n = floor
        elif self.mode == "up":
            n = floor if rem == 0 else floor + 1
        elif self.mode == "half_up":
            n = floor + 1 if 2 * rem >= den else floor
        else:  # half_even
            n = floor + 1 if 2 * rem > den or (2 * rem == den and floor % 2 == 1) else floor
        return n if scale == 1 else Fraction(n, scale)

    def describe(self) -> str:
        if self.places is None:
            return "no rounding"
        unit = "whole numbers" if self.places == 0 else f"{self.places} decimal places"
        how = {"half_up": "halves rounded up", "half_even": "halves rounded to even",
               "down": "rounded down", "up": "rounded up"}[self.mode]
        return f"rounded to {unit} ({how})"


@dataclass(eq=False)
class Band:
    level: Level
    min: Fraction | int | None  # inclusive (a whole-number bound is an int)
    max: Fraction | int | None  # inclusive
    below: Fraction | int | None  # exclusive upper bound
    label: str | None = None
    pos: Position | None = None

    def contains(self, x: Fraction | int) -> bool:
        if self.min is not None and x < self.min:
            return False
        if self.max is not None and x > self.max:
            return False
        if self.below is not None and x >= self.below:
            return False
        return True

    @property
    def upper(self) -> Fraction | int | None:
        return self.max if self.max is not None else self.below

    def describe(self, unit: str = "") -> str:
        """'65-79%', '80% or more', 'below 50%'."""
        known = self.__dict__.setdefault("_described", {})
        text = known.get(unit)
        if text is None:
            text = known[unit] = self._describe(unit)
        return text

    def _describe(self, unit: str) -> str:
        u = "%" if unit == "percent" else ""

        def num(x: Fraction | int) -> str:
            return _num(x)

        if self.min is not None and self.max is not None:
            return f"{num(self.min)}-{num(self.max)}{u}"
        if self.min is not None and self.below is not None:
            return f"{num(self.min)}{u} to below {num(self.below)}{u}"
        if self.min is not None:
            return f"{num(self.min)}{u} or more"
        if self.max is not None:
            return f"{num(self.max)}{u} or less"
        if self.below is not None:
            return f"below {num(self.below)}{u}"
        return "any value"


def _num(x: Fraction | int | float | None) -> str:
    if x is None:
        return "-"
    if type(x) is int:
        return str(x)
    x = Fraction(x)
    if x.denominator == 1:
        return str(x.numerator)
    return ast.float_text(x, ".6g")


fmt_number = _num


@dataclass(eq=False)
class Provenance:
    status: str  # published | inferred
    source: str | None = None
    note: str | None = None
    inferred_from: tuple[str, ...] = ()
    confidence: str | None = None  # high | medium | low


@dataclass(frozen=True)
class ReferenceFigure:
    label: str
    value: Fraction
    unit: str | None = None


@dataclass(eq=False)
class Reference:
    """Figures a report shows beside a result (national lowest, highest, average)."""

    figures: tuple[ReferenceFigure, ...]
    source: str | None = None


@dataclass(eq=False)
class BandTable:
    id: str
    scale: Scale
    bands: tuple[Band, ...]
    rounding: Rounding
    unit: str = "number"
    label: str | None = None
    description: str | None = None
    domain: tuple[Fraction, Fraction] | None = None
    provenance: Provenance | None = None
    pos: Position | None = None

    def lookup(self, x: Fraction | int) -> Band | None:
        if type(x) is int:  # a whole number, as rounding to whole numbers gives: one dictionary lookup
            whole = self.__dict__.get("_whole")
            if whole is None:
                whole = self.__dict__["_whole"] = self._whole_numbers()
            if x in whole:
                return whole[x]
        for band in self.bands:
            if band.contains(x):
                return band
        return None

    def _whole_numbers(self) -> dict[int, Band | None]:
        """The band of every whole number between the table's finite bounds (at most a few thousand)."""
        ends = [b for band in self.bands for b in (band.min, band.max, band.below) if b is not None]
        if not ends:
            return {}
        lo, hi = math.floor(min(ends)), math.ceil(max(ends))
        if hi - lo > 10_000:
            return {}
        out = {}
        for x in range(lo, hi + 1):
            out[x] = next((band for band in self.bands if band.contains(x)), None)
        return out

    @property
    def inferred(self) -> bool:
        return self.provenance is not None and self.provenance.status == "inferred"


@dataclass(eq=False)
class Rule:
    """A parsed rule expression and where its text lies."""

    text: str
    expr: ast.Expr
    path: tuple  # the YAML path of the expression string
    pos: Position | None = None
    locate: Callable[[int], Position] | None = field(default=None, repr=False)

    def position_of(self, offset: int) -> Position | None:
        """The file position of character ``offset`` of the expression."""
        return self.locate(offset) if self.locate is not None else self.pos


@dataclass(eq=False)
class Tier:
    id: str
    label: str
    plural: str | None = None
    rated: bool = True
    rule: Rule | None = None
    counts_toward_overall: bool = False
    depth: int = 0
    #: the scale of the status the evidence records for each node of the tier (``status()``), if any
    status_scale: "Scale | None" = None


@dataclass(eq=False)
class Part:
    id: str
    label: str
    description: str | None = None
    aliases: tuple[str, ...] = ()  # other spellings accepted in evidence

    @property
    def names(self) -> tuple[str, ...]:
        """Every spelling evidence may give the part by: id, label, aliases."""
        return (self.id, self.label, *self.aliases)


JUDGED_NO, JUDGED_YES, JUDGED_OPTIONAL = "no", "yes", "optional"


@dataclass(eq=False)
class Node:
    id: str
    tier: Tier | None
    scale: Scale
    title: str | None = None
    question: str | None = None
    statement: str | None = None
    guidance: str | None = None
    description: str | None = None
    part: Part | None = None
    judged: str = JUDGED_NO
    rule: Rule | None = None  # the node's own rule, or its tier's default
    rule_from_tier: bool = False
    rated: bool = True
    counts_toward_overall: bool = False
    not_rated_reason: str | None = None
    reference: "Reference | None" = None
    children: list["Node"] = field(default_factory=list)
    parent: "Node | None" = None
    pos: Position | None = None
    path: tuple = ()
    #: the scale of the status the evidence records for the node (``status()``): its own, or its tier's
    status_scale: "Scale | None" = None

    def __repr__(self) -> str:
        return f"Node({self.id})"

    @property
    def name(self) -> str:
        """The id with the title or question, for messages."""
        text = self.title or self.question
        return f"{self.id} {text}" if text else self.id

    @property
    def is_judged(self) -> bool:
        return self.judged != JUDGED_NO

    def walk(self) -> Iterator["Node"]:
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))


OVERALL = "overall"


@dataclass(eq=False)
class Limit:
    id: str
    applies_to: str
    when: Rule
    at_most: Level | None
    at_least: Level | None
    description: str | None = None
    pos: Position | None = None

    def bound(self, level: Level) -> Level:
        """``level`` held within this limit's bounds (the same object when it already is)."""
        if self.at_most is not None and level.index > self.at_most.index:
            level = self.at_most
        if self.at_least is not None and level.index < self.at_least.index:
            level = self.at_least
        return level


@dataclass(eq=False)
class Example:
    id: str
    evidence: str  # path relative to the framework file
    expect: dict
    title: str | None = None
    pos: Position | None = None


@dataclass(eq=False)
class Framework:
    id: str
    version: str
    title: str
    status: str
    scales: dict[str, Scale]
    bands: dict[str, BandTable]
    tiers: list[Tier]
    parts: dict[str, Part]
    roots: list[Node]
    nodes: dict[str, Node]  # every node by id, in document order, and OVERALL
    overall: Node | None
    limits: list[Limit]
    examples: list[Example]
    publisher: str | None = None
    effective_from: str | None = None
    effective_to: str | None = None
    effective_note: str | None = None
    effective_sources: list[dict[str, Any]] = field(default_factory=list)  # where each date comes from
    source: dict[str, Any] = field(default_factory=dict)
    description: str | None = None
    file: str | None = None  # the file's name as shown in messages
    path: Any = None  # the file's resolved path (a pathlib.Path), when loaded from a file
    bases: tuple = ()  # the resolved paths of the files it extends, nearest first: inputs too
    diagnostics: list = field(default_factory=list)  # warnings found at load
    change_notes: dict[str, str] = field(default_factory=dict)  # node id -> why an extension changed it
    # what could not be built, reported where it is written, as (kind, id): "node" (left out with its
    # subtree), "band" (a band table left out), "bands" (a table with a band left out), "rule" (a node
    # whose rule does not parse), "score" (scale.level whose score is unusable). The static checks say
    # nothing more of these: their problems are consequences of one already reported.
    unbuilt: set = field(default_factory=set)
    #: the compiled form (bandstand.engine.compile_framework), made on first use and kept with the framework;
    #: not an argument, so a framework made by dataclasses.replace() compiles its own
    compiled: Any = field(default=None, init=False, repr=False, compare=False)
    #: what the resolve pass records of its rules (bandstand.dsl.resolve.facts), made once the checks pass or
    #: on first use; like ``compiled``, derived and not an argument
    facts: Any = field(default=None, init=False, repr=False, compare=False)

    @property
    def ref(self) -> str:
        """``id@version``."""
        return f"{self.id}@{self.version}"

    def __getstate__(self) -> dict:
        """What a pickle keeps: the model, not its compiled form (closures), which is rebuilt on use."""
        state = dict(self.__dict__)
        state["compiled"] = None
        state["facts"] = None  # derived: worked out again on use
        return state

    @property
    def default_scale(self) -> Scale:
        return next(iter(self.scales.values()))

    def node(self, node_id: str) -> Node | None:
        return self.nodes.get(node_id)

    def walk(self) -> Iterator[Node]:
        """Every node of the hierarchy in document order (not the overall)."""
        for root in self.roots:
            yield from root.walk()

    @property
    def counted(self) -> list[Node]:
        """The nodes whose scores make up the overall rating."""
        return [n for n in self.walk() if n.counts_toward_overall]
