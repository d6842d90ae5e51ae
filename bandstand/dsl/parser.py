"""Rule expression text to AST, once, at load.

The LALR parser is Lark's standalone parser for ``grammar.lark``, generated
into ``_lalr.py`` beside this module (its tables are plain Python data, so no
run builds them and nothing is read from a cache)::

    python -m lark.tools.standalone --propagate_positions bandstand/dsl/grammar.lark -o bandstand/dsl/_lalr.py

``tests/test_cache.py`` checks that the shipped tables are the ones Lark
builds from ``grammar.lark`` today. Lark's trees are turned into
:mod:`bandstand.dsl.ast` nodes by an explicit stack, not recursion, so
nesting depth is bounded only by the limit checked right after parsing. No ``lark`` exception escapes: every
failure is an :class:`ExpressionError` with the offset of the problem in the
expression's text.

>>> parse_expression("rating('4.1') == inadequate")
Compare(span=(0, 27), left=Call(span=(0, 13), func='rating', args=(String(span=(7, 12), value='4.1'),)), op='==', right=Name(span=(17, 27), parts=('inadequate',)))
>>> parse_expression("lowest(children")
Traceback (most recent call last):
...
bandstand.dsl.parser.ExpressionError: at offset 15: expected ')' or ',' but the expression ended
"""

from __future__ import annotations

import functools
import re
from fractions import Fraction

from typing import TYPE_CHECKING

from ..limits import DEFAULT_LIMITS, Limits, exceeded
from . import ast

if TYPE_CHECKING:
    from ._lalr import Lark, Token


class ExpressionError(Exception):
    """A problem in an expression, at ``offset`` in its text."""

    def __init__(self, message: str, offset: int, code: str = "syntax.expression"):
        self.message = message
        self.offset = offset
        self.code = code
        super().__init__(f"at offset {offset}: {message}")


@functools.cache
def _parser() -> Lark:
    """The LALR parser, loaded on first use from the tables generated into ``_lalr.py``."""
    from ._lalr import Lark_StandAlone

    return Lark_StandAlone()


_TERMINALS = {
    "LPAR": "'('", "RPAR": "')'", "COMMA": "','", "DOT": "'.'", "NUMBER": "a number",
    "STRING": "a quoted text", "NAME": "a name", "MINUS": "'-'", "PLUS": "'+'", "STAR": "'*'",
    "SLASH": "'/'", "COMPARE": "a comparison", "IF": "'if'", "THEN": "'then'", "ELSE": "'else'",
    "AND": "'and'", "OR": "'or'", "NOT": "'not'", "TRUE": "'true'", "FALSE": "'false'",
    "$END": "the end of the expression",
}
_VALUE_STARTS = {"LPAR", "NUMBER", "STRING", "NAME", "MINUS", "IF", "NOT", "TRUE", "FALSE"}


def _describe_expected(expected: set[str]) -> str:
    if _VALUE_STARTS & expected and len(_VALUE_STARTS & expected) >= 4:
        return "a value (a number, a name, a quoted text or '(')"
    names = sorted({_TERMINALS.get(t, t.lower()) for t in expected if t != "$END"})
    if not names:
        return "the end of the expression"
    if len(names) > 4:
        return "an operator, ')' or ','"
    return " or ".join(names)


def _open_context(prefix: str) -> tuple[list[str], str | None]:
    """The brackets open before an offset ("call" or "group", innermost last),
    and which keyword an unfinished if/then is waiting for."""
    prefix = re.sub(r'"[^"\\]*(?:\\.[^"\\]*)*"|\'[^\'\\]*(?:\\.[^\'\\]*)*\'', '""', prefix)
    brackets: list[str] = []
    pending: list[str] = []
    for m in re.finditer(r"[A-Za-z_][A-Za-z0-9_]*\s*\(|\(|\)|\b(?:if|then|else)\b", prefix):
        tok = m.group(0)
        if tok.endswith("(") and len(tok) > 1 and tok.split("(")[0].strip() not in _KEYWORDS:
            brackets.append("call")
        elif tok.endswith("("):
            brackets.append("group")
        elif tok == ")":
            if brackets:
                brackets.pop()
        elif tok == "if":
            pending.append("then")
        elif tok == "then" and pending and pending[-1] == "then":
            pending[-1] = "else"
        elif tok == "else" and pending and pending[-1] == "else":
            pending.pop()
    return brackets, (pending[-1] if pending else None)


_KEYWORDS = {"if", "then", "else", "and", "or", "not", "true", "false"}


def _after_value(prefix: str, expected: set[str]) -> str:
    """What may follow a complete value here, from what the text before it opened."""
    brackets, awaiting = _open_context(prefix)
    options = []
    if expected & {"PLUS", "MINUS", "STAR", "SLASH", "COMPARE", "AND", "OR"}:
        options.append("an operator")
    if awaiting == "then" and "THEN" in expected:
        options.append("'then'")
    if awaiting == "else" and "ELSE" in expected:
        options.append("'else'")
    if brackets and "RPAR" in expected:
        options.append("')'")
    if brackets and brackets[-1] == "call" and "COMMA" in expected:
        options.append("','")
    if not brackets and awaiting is None and "$END" in expected:
        options.append("the end of the expression")
    if not options:
        return _describe_expected(expected)
    return ", ".join(options[:-1]) + (" or " if len(options) > 1 else "") + options[-1]


def _token_text(tok: Token) -> str:
    if tok.type == "$END":
        return "the end of the expression"
    return f"'{tok.value}'"


def parse_expression(text: str, limits: Limits = DEFAULT_LIMITS) -> ast.Expr:
    """Parse one rule expression; raise :class:`ExpressionError` on failure."""
    if len(text) > limits.max_expression_length:
        raise ExpressionError(exceeded("max_expression_length", limits.max_expression_length,
                                       f"the expression's length ({len(text)} characters)"),
                              0, "limit.expression-length")
    if not text.strip():
        raise ExpressionError("the expression is empty", 0)
    parser = _parser()
    from ._lalr import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

    try:
        tree = parser.parse(text)
    except UnexpectedCharacters as e:
        ch = text[e.pos_in_stream]
        if ch in "\"'":
            raise ExpressionError(f"unterminated text: no closing {ch}", e.pos_in_stream) from None
        raise ExpressionError(f"unexpected character '{ch}'", e.pos_in_stream) from None
    except UnexpectedEOF as e:
        raise ExpressionError(f"the expression ended; expected {_describe_expected(set(e.expected))}",
                              len(text)) from None
    except UnexpectedToken as e:
        tok = e.token
        at_end = tok.type == "$END"
        offset = len(text.rstrip()) if at_end else tok.start_pos
        expected = set(e.expected)
        wants_value = len(_VALUE_STARTS & expected) >= 4
        if wants_value:
            found = "the expression ended" if at_end else f"unexpected {_token_text(tok)}"
            msg = (f"expected {_describe_expected(expected)} but {found}" if at_end
                   else f"{found}; expected {_describe_expected(expected)}")
        elif tok.type == "COMPARE":
            msg = f"comparisons cannot be chained: use 'and' between them (found {_token_text(tok)})"
        elif at_end:
            msg = f"expected {_after_value(text, expected)} but the expression ended"
        else:
            msg = f"unexpected {_token_text(tok)}; expected {_after_value(text[:offset], expected)}"
            if tok.type == "NAME" and re.match(r"[eE][0-9]", tok.value) and text[offset - 1:offset].isdigit():
                msg += " (numbers are written out in full: the rule language has no exponents)"
        raise ExpressionError(msg, offset) from None
    except UnexpectedInput as e:  # pragma: no cover - the three above are exhaustive for LALR
        raise ExpressionError("invalid expression", getattr(e, "pos_in_stream", 0) or 0) from None
    expr = _to_ast(tree, text)
    _check_depth(expr, limits)
    return expr


def _check_depth(expr: ast.Expr, limits: Limits) -> None:
    stack = [(expr, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limits.max_expression_depth:
            raise ExpressionError(exceeded("max_expression_depth", limits.max_expression_depth,
                                           "the expression's nesting depth"),
                                  node.span[0], "limit.expression-depth")
        stack.extend((c, depth + 1) for c in ast.children(node))


def _span(item) -> ast.Span:
    from ._lalr import Token

    if isinstance(item, Token):
        return (item.start_pos, item.end_pos)
    meta = item.meta
    return (meta.start_pos, meta.end_pos)


def _unquote(raw: str) -> str:
    body = raw[1:-1]
    out, i = [], 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            i += 1
            ch = {"n": "\n", "t": "\t"}.get(body[i], body[i])
        out.append(ch)
        i += 1
    return "".join(out)


def _to_ast(tree, text: str) -> ast.Expr:
    """Post-order conversion with an explicit stack (no recursion)."""
    from ._lalr import Token, Tree

    results: dict[int, ast.Expr] = {}
    stack: list[tuple[Tree, bool]] = [(tree, False)]
    while stack:
        item, done = stack.pop()
        if isinstance(item, Token):
            continue
        if not done:
            stack.append((item, True))
            for child in item.children:
                if isinstance(child, Tree):
                    stack.append((child, False))
            continue
        kids = [results.pop(id(c)) if isinstance(c, Tree) else c for c in item.children if c is not None]
        results[id(item)] = _build(item.data, kids, _span(item))
    return results[id(tree)]


def _build(kind: str, kids: list, span: ast.Span) -> ast.Expr:
    if kind == "number":
        return ast.Number(span, Fraction(kids[0].value))
    if kind == "string":
        return ast.String(span, _unquote(kids[0].value))
    if kind in ("true_", "false_"):
        return ast.Boolean(span, kind == "true_")
    if kind == "name":
        return ast.Name(span, tuple(t.value for t in kids))
    if kind == "call":
        return ast.Call(span, kids[0].value, tuple(kids[1:]))
    if kind == "negate":
        return ast.Negate(span, kids[1])
    if kind == "arith":
        return ast.Arith(span, kids[0], kids[1].value, kids[2])
    if kind == "compare":
        return ast.Compare(span, kids[0], kids[1].value, kids[2])
    if kind == "not_":
        return ast.Not(span, kids[0])
    if kind == "and_":
        return ast.And(span, kids[0], kids[1])
    if kind == "or_":
        return ast.Or(span, kids[0], kids[1])
    if kind == "conditional":
        return ast.Conditional(span, kids[0], kids[1], kids[2])
    raise AssertionError(f"grammar rule without an AST class: {kind}")  # pragma: no cover
