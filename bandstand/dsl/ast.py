"""The typed AST of rule expressions.

One class per alias of ``grammar.lark`` (``true_`` and ``false_`` share
:class:`Boolean`). Nodes are plain frozen dataclasses; ``span`` is the
(start, end) character offsets of the node in the expression's text, which
:mod:`bandstand.dsl.loader` turns into a file line and column.

>>> from bandstand.dsl.parser import parse_expression
>>> parse_expression("lowest(children)")
Call(span=(0, 16), func='lowest', args=(Name(span=(7, 15), parts=('children',)),))
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Iterator, Union

Span = tuple[int, int]


def float_text(x: Fraction, spec: str = "") -> str:
    """``x`` as a float formatted by ``spec``; a value too large for a float is shown whole."""
    try:
        return format(float(x), spec)
    except OverflowError:  # a crafted rule can multiply its way past 1e308; Fractions do not overflow
        return str(round(x))


@dataclass(frozen=True, slots=True)
class Number:
    span: Span
    value: Fraction

    def __str__(self) -> str:
        v = self.value
        return str(v.numerator) if v.denominator == 1 else float_text(v)


@dataclass(frozen=True, slots=True)
class String:
    span: Span
    value: str

    def __str__(self) -> str:
        escaped = self.value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
        return '"' + escaped + '"'


@dataclass(frozen=True, slots=True)
class Boolean:
    span: Span
    value: bool

    def __str__(self) -> str:
        return "true" if self.value else "false"


@dataclass(frozen=True, slots=True)
class Name:
    """A bare or dotted name: a level (``good``, ``rating.good``), a band
    table (``key_question``) or a node set (``children``, ``counted``)."""

    span: Span
    parts: tuple[str, ...]

    @property
    def text(self) -> str:
        return ".".join(self.parts)

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class Call:
    span: Span
    func: str
    args: tuple["Expr", ...]

    def __str__(self) -> str:
        return f"{self.func}({', '.join(str(a) for a in self.args)})"


@dataclass(frozen=True, slots=True)
class Negate:
    span: Span
    operand: "Expr"

    def __str__(self) -> str:
        return f"-{_paren(self.operand)}"


@dataclass(frozen=True, slots=True)
class Arith:
    span: Span
    left: "Expr"
    op: str  # + - * /
    right: "Expr"

    def __str__(self) -> str:
        return f"{_paren(self.left)} {self.op} {_paren(self.right)}"


@dataclass(frozen=True, slots=True)
class Compare:
    span: Span
    left: "Expr"
    op: str  # == != < <= > >=
    right: "Expr"

    def __str__(self) -> str:
        return f"{_paren(self.left)} {self.op} {_paren(self.right)}"


@dataclass(frozen=True, slots=True)
class Not:
    span: Span
    operand: "Expr"

    def __str__(self) -> str:
        return f"not {_paren(self.operand)}"


@dataclass(frozen=True, slots=True)
class And:
    span: Span
    left: "Expr"
    right: "Expr"

    def __str__(self) -> str:
        return f"{_paren(self.left)} and {_paren(self.right)}"


@dataclass(frozen=True, slots=True)
class Or:
    span: Span
    left: "Expr"
    right: "Expr"

    def __str__(self) -> str:
        return f"{_paren(self.left)} or {_paren(self.right)}"


@dataclass(frozen=True, slots=True)
class Conditional:
    span: Span
    condition: "Expr"
    then: "Expr"
    otherwise: "Expr"

    def __str__(self) -> str:
        return f"if {self.condition} then {self.then} else {self.otherwise}"


Expr = Union[Number, String, Boolean, Name, Call, Negate, Arith, Compare, Not, And, Or, Conditional]

_ATOMS = (Number, String, Boolean, Name, Call)


def _paren(e: Expr) -> str:
    return str(e) if isinstance(e, _ATOMS) else f"({e})"


def children(e: Expr) -> tuple[Expr, ...]:
    if isinstance(e, Call):
        return e.args
    if isinstance(e, (Negate, Not)):
        return (e.operand,)
    if isinstance(e, (Arith, Compare, And, Or)):
        return (e.left, e.right)
    if isinstance(e, Conditional):
        return (e.condition, e.then, e.otherwise)
    return ()


def walk(e: Expr) -> Iterator[Expr]:
    """Every node of ``e``, parents before children, without recursion."""
    stack = [e]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(children(node)))
