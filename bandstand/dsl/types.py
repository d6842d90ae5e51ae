"""Types of the rule language, as the checker sees them.

>>> str(LevelType("rating"))
'a rating on scale rating'
>>> NUMBER.accepts(NOTHING)
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeGuard


@dataclass(frozen=True)
class Type:
    kind: str  # number, bool, text, node, nodes, table, level, date, nothing

    def accepts(self, other: "Type") -> bool:
        return other.kind == "nothing" or other == self

    def __str__(self) -> str:
        return _NAMES[self.kind]


@dataclass(frozen=True)
class LevelType(Type):
    """A level of one scale (``scale`` None: of a scale not yet known)."""

    scale: str | None = None

    def __init__(self, scale: str | None = None):
        object.__setattr__(self, "kind", "level")
        object.__setattr__(self, "scale", scale)

    def accepts(self, other: Type) -> bool:
        if other.kind == "nothing":
            return True
        return isinstance(other, LevelType) and (
            self.scale is None or other.scale is None or other.scale == self.scale)

    def __str__(self) -> str:
        return f"a rating on scale {self.scale}" if self.scale else "a rating"


_NAMES = {
    "number": "a number", "bool": "true or false", "text": "a text", "node": "a node",
    "nodes": "a set of nodes", "table": "a band table", "level": "a rating",
    "nothing": "'not rated'", "date": "a date",
}

NUMBER = Type("number")
BOOL = Type("bool")
TEXT = Type("text")
NODE = Type("node")
NODES = Type("nodes")
TABLE = Type("table")
DATE = Type("date")  # a day of the calendar: due(), evaluated_on()
NOTHING = Type("nothing")  # not_rated(...): fits where any type is expected


def is_level(t: Type) -> TypeGuard[LevelType]:
    return isinstance(t, LevelType)
