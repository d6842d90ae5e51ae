"""The rule language (bandstand.dsl.parser and bandstand.dsl.ast).

Valid expressions give the AST the grammar promises, with the usual
precedence; invalid ones give an ExpressionError at the offset of the
problem; size and nesting are bounded; and no input, however random, makes
the parser raise anything but ExpressionError.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bandstand.dsl import ast
from bandstand.dsl.parser import ExpressionError, parse_expression
from bandstand.limits import Limits

BIG = Limits(max_expression_length=10**6)


def parse_error(text: str, limits: Limits = Limits()) -> ExpressionError:
    with pytest.raises(ExpressionError) as info:
        parse_expression(text, limits)
    return info.value


# --- valid expressions -----------------------------------------------------------------------

@pytest.mark.parametrize("text, shape, kind", [
    # calls and names
    ("lowest(children)", "lowest(children)", ast.Call),
    ("band(share(), key_question)", "band(share(), key_question)", ast.Call),
    ("f()", "f()", ast.Call),
    ("f(a, b, c)", "f(a, b, c)", ast.Call),
    ("f(g(h(x)))", "f(g(h(x)))", ast.Call),
    ("count(children, inadequate)", "count(children, inadequate)", ast.Call),
    ("x", "x", ast.Name),
    ("rating.good", "rating.good", ast.Name),
    ("a.b.c", "a.b.c", ast.Name),
    ("_x1", "_x1", ast.Name),
    ("ifx", "ifx", ast.Name),  # a name that starts with a keyword
    ("notable", "notable", ast.Name),
    # literals
    ("'4.1'", '"4.1"', ast.String),
    ('"4.1"', '"4.1"', ast.String),
    ("'say \"hi\"'", '"say \\"hi\\""', ast.String),
    ("12", "12", ast.Number),
    ("1.5", "1.5", ast.Number),
    ("true", "true", ast.Boolean),
    ("false", "false", ast.Boolean),
    # comparisons
    ("a == b", "a == b", ast.Compare),
    ("a != b", "a != b", ast.Compare),
    ("a<b", "a < b", ast.Compare),
    ("a <= b", "a <= b", ast.Compare),
    ("a > b", "a > b", ast.Compare),
    ("a >= b", "a >= b", ast.Compare),
    ("rating('4.1') == inadequate", 'rating("4.1") == inadequate', ast.Compare),
    ("a + b == c * d", "(a + b) == (c * d)", ast.Compare),
    # and / or / not
    ("a or b and c", "a or (b and c)", ast.Or),
    ("a and b or c", "(a and b) or c", ast.Or),
    ("(a or b) and c", "(a or b) and c", ast.And),
    ("a or b or c", "(a or b) or c", ast.Or),
    ("not a and b", "(not a) and b", ast.And),
    ("a and not b", "a and (not b)", ast.And),
    ("not (a and b)", "not (a and b)", ast.Not),
    ("not not a", "not (not a)", ast.Not),
    ("not a == b", "not (a == b)", ast.Not),
    ("a == b or c == d", "(a == b) or (c == d)", ast.Or),
    ("true and false", "true and false", ast.And),
    # conditionals
    ("if a then b else c", "if a then b else c", ast.Conditional),
    ("if count(children, inadequate) >= 2 then inadequate else lowest(children)",
     "if count(children, inadequate) >= 2 then inadequate else lowest(children)", ast.Conditional),
    ("if a then b else c or d", "if a then b else c or d", ast.Conditional),
    ("if a then if b then c else d else e", "if a then if b then c else d else e", ast.Conditional),
    ("f(if a then b else c)", "f(if a then b else c)", ast.Call),
    ("(if a then 1 else 2) + 3", "(if a then 1 else 2) + 3", ast.Arith),
    # arithmetic
    ("-x", "-x", ast.Negate),
    ("--x", "-(-x)", ast.Negate),
    ("-1 + 2", "(-1) + 2", ast.Arith),
    ("-a * b", "(-a) * b", ast.Arith),
    ("1 + 2 * 3", "1 + (2 * 3)", ast.Arith),
    ("(1 + 2) * 3", "(1 + 2) * 3", ast.Arith),
    ("1 - 2 - 3", "(1 - 2) - 3", ast.Arith),
    ("1 - (2 - 3)", "1 - (2 - 3)", ast.Arith),
    ("8 / 4 / 2", "(8 / 4) / 2", ast.Arith),
    ("1 * 2 + 3 / 4", "(1 * 2) + (3 / 4)", ast.Arith),
    ("f(-1)", "f(-1)", ast.Call),
    # white space
    ("  x  ", "x", ast.Name),
    ("f(\n  a,\n  b\n)", "f(a, b)", ast.Call),
    ("a\tand\tb", "a and b", ast.And),
])
def test_valid_expressions(text, shape, kind):
    expr = parse_expression(text)
    assert isinstance(expr, kind)
    assert str(expr) == shape


def test_spans_are_character_offsets():
    expr = parse_expression("rating('4.1') == inadequate")
    assert expr == ast.Compare(
        (0, 27), ast.Call((0, 13), "rating", (ast.String((7, 12), "4.1"),)), "==",
        ast.Name((17, 27), ("inadequate",)))


def test_nodes_of_a_conditional():
    expr = parse_expression("if a >= 2 then good else lowest(children)")
    assert isinstance(expr, ast.Conditional)
    assert isinstance(expr.condition, ast.Compare) and expr.condition.op == ">="
    assert expr.then == ast.Name((15, 19), ("good",))
    assert isinstance(expr.otherwise, ast.Call) and expr.otherwise.func == "lowest"
    assert [type(n).__name__ for n in ast.walk(expr)] == [
        "Conditional", "Compare", "Name", "Number", "Name", "Call", "Name"]


@pytest.mark.parametrize("text, value", [
    ("12", Fraction(12)),
    ("0.10", Fraction(1, 10)),
    ("49.5", Fraction(99, 2)),
    ("0", Fraction(0)),
])
def test_numbers_are_exact(text, value):
    expr = parse_expression(text)
    assert isinstance(expr, ast.Number) and expr.value == value


@pytest.mark.parametrize("text, value", [
    ("'it\\'s'", "it's"),
    ('"a\\"b"', 'a"b'),
    ('"\\n"', "\n"),
    ('"\\t"', "\t"),
    ('"\\\\"', "\\"),
    ("''", ""),
    ('"2.1.1"', "2.1.1"),
])
def test_string_escapes(text, value):
    expr = parse_expression(text)
    assert isinstance(expr, ast.String) and expr.value == value


def test_dotted_names_keep_their_parts():
    expr = parse_expression("rating.good")
    assert expr == ast.Name((0, 11), ("rating", "good"))
    assert expr.text == "rating.good"


# --- invalid expressions ---------------------------------------------------------------------

@pytest.mark.parametrize("text, offset, fragment", [
    ("'abc", 0, "unterminated text"),
    ('f("abc', 2, "unterminated text"),
    ("'a\nb'", 0, "unterminated text"),
    ("f(a", 3, "')'"),
    ("lowest(children", 15, "')'"),
    ("band(share(), key_question", 26, "')'"),
    ("lowest(children  ", 15, "')'"),  # at the end of the text, not of the white space
    ("a == b == c", 7, "comparisons cannot be chained"),
    ("a < b >= c", 6, "comparisons cannot be chained"),
    ("a $ b", 2, "unexpected character '$'"),
    ("$", 0, "unexpected character '$'"),
    ("a = b", 2, "unexpected character '='"),
    ("a & b", 2, "unexpected character '&'"),
    ("", 0, "the expression is empty"),
    ("   ", 0, "the expression is empty"),
    ("f(,)", 2, "unexpected ','"),
    ("f(a,)", 4, "unexpected ')'"),
    ("f(a))", 4, "unexpected ')'"),
    (")", 0, "unexpected ')'"),
    ("a b", 2, "unexpected 'b'"),
    ("1 +", 3, "the expression ended"),
    ("not", 3, "the expression ended"),
    ("if a then b", 11, "'else'"),
    ("a.", 2, "a name"),
    ("a..b", 2, "unexpected '.'"),
    ("1.2.3", 3, "unexpected '.'"),
    ("f(a)(b)", 4, "unexpected '('"),
    ("1e3", 1, "unexpected 'e3'"),
])
def test_invalid_expressions(text, offset, fragment):
    e = parse_error(text)
    assert e.code == "syntax.expression"
    assert e.offset == offset
    assert fragment in e.message
    assert str(e) == f"at offset {offset}: {e.message}"


@pytest.mark.parametrize("text, offset", [("== x", 0), ("f(== 1)", 2), ("a and == b", 6)])
def test_a_misplaced_comparison_is_not_called_a_chain(text, offset):
    e = parse_error(text)
    assert e.offset == offset
    assert "chained" not in e.message
    assert "expected a value" in e.message


def test_an_unclosed_parenthesis_does_not_suggest_a_comma():
    e = parse_error("(a == b")
    assert e.offset == 7
    assert "')'" in e.message
    assert "','" not in e.message


@pytest.mark.parametrize("text", ["then", "else", "and", "or", "x and and", "x == not - y", "else(1)",
                                  "f(then)"])
def test_keywords_are_not_names(text):
    with pytest.raises(ExpressionError):
        parse_expression(text)


# --- limits ----------------------------------------------------------------------------------

def test_a_megabyte_expression_is_refused():
    e = parse_error("x" * (1 << 20))
    assert e.code == "limit.expression-length"
    assert e.offset == 0
    assert "1048576 characters" in e.message
    assert "max_expression_length=10000" in e.message and "--max-expression-length" in e.message


def test_the_length_limit_is_inclusive():
    assert parse_expression("a" * 10_000) == ast.Name((0, 10_000), ("a" * 10_000,))
    assert parse_error("a" * 10_001).code == "limit.expression-length"
    assert parse_error("a" * 11, Limits(max_expression_length=10)).code == "limit.expression-length"


def test_ten_thousand_nested_brackets_never_overflow_the_stack():
    text = "(" * 10_000 + "x" + ")" * 10_000
    try:
        expr = parse_expression(text, BIG)
    except ExpressionError as e:
        assert 0 <= e.offset <= len(text)
    else:
        assert expr == ast.Name((10_000, 10_001), ("x",))


@pytest.mark.parametrize("text", [
    pytest.param("(" * 10_000 + "x", id="unclosed"),
    pytest.param("f(" * 10_000, id="unclosed-calls"),
    pytest.param(")" * 10_000, id="closing"),
])
def test_ten_thousand_unbalanced_brackets_give_an_expression_error(text):
    e = parse_error(text, BIG)
    assert e.code == "syntax.expression"
    assert 0 <= e.offset <= len(text)


def nested_calls(n: int) -> str:
    return "f(" * n + "x" + ")" * n


def test_deep_call_nesting_is_refused():
    e = parse_error(nested_calls(51))
    assert e.code == "limit.expression-depth"
    assert e.offset == 100  # the call at depth 51
    assert "max_expression_depth=50" in e.message and "--max-expression-depth" in e.message


def test_the_depth_limit_counts_nodes_from_the_root():
    small = Limits(max_expression_depth=5)
    assert isinstance(parse_expression(nested_calls(4), small), ast.Call)  # 4 calls and x: depth 5
    e = parse_error(nested_calls(5), small)
    assert (e.code, e.offset) == ("limit.expression-depth", 10)  # x, at depth 6


@pytest.mark.parametrize("text", [
    pytest.param(nested_calls(10_000), id="calls"),
    pytest.param("-" * 10_000 + "x", id="negations"),
    pytest.param("not " * 10_000 + "x", id="nots"),
    pytest.param("+".join(["1"] * 4_000), id="sums"),
    pytest.param("if a then " * 2_000 + "x" + " else y" * 2_000, id="conditionals"),
])
def test_very_deep_expressions_are_refused_without_recursion(text):
    assert parse_error(text, BIG).code == "limit.expression-depth"


def test_a_very_deep_expression_parses_when_the_limits_allow_it():
    expr = parse_expression(nested_calls(10_000), Limits(max_expression_length=10**6, max_expression_depth=10**6))
    assert sum(1 for _ in ast.walk(expr)) == 10_001


# --- properties ------------------------------------------------------------------------------

def parses_or_fails_cleanly(text: str):
    """Parse ``text``: an AST whose spans lie in the text, or an ExpressionError in range; nothing else."""
    try:
        expr = parse_expression(text)
    except ExpressionError as e:
        assert 0 <= e.offset <= len(text), (text, e.offset)
        assert e.code in ("syntax.expression", "limit.expression-length", "limit.expression-depth")
        assert e.message
        return None
    for node in ast.walk(expr):
        start, end = node.span
        assert 0 <= start <= end <= len(text), (text, node)
    return expr


SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.text())
def test_random_text_parses_or_raises_expression_error(text):
    parses_or_fails_cleanly(text)


TOKENS = ["(", ")", ",", ".", "-", "+", "*", "/", "==", "!=", "<", "<=", ">", ">=", "if", "then", "else", "and",
          "or", "not", "true", "false", "x", "rating", "good", "lowest", "1", "2.5", "'4.1'", '"t"', "'", '"',
          "\\", "$", "\n", "\t"]


@SETTINGS
@given(st.lists(st.sampled_from(TOKENS), max_size=30), st.sampled_from([" ", ""]))
def test_random_token_sequences_parse_or_raise_expression_error(tokens, separator):
    parses_or_fails_cleanly(separator.join(tokens))


NAMES = st.sampled_from(["x", "good", "children", "key_question", "rating.good", "a.b.c", "if_", "nothing"])
TEXTS = st.text("abc 4.1_-", max_size=6)
ATOMS = st.one_of(
    NAMES,
    st.integers(0, 10**6).map(str),
    st.builds("{}.{}".format, st.integers(0, 999), st.integers(0, 999)),
    TEXTS.map("'{}'".format),
    TEXTS.map('"{}"'.format),
    st.sampled_from(["true", "false"]),
)
OPERATORS = st.sampled_from(["+", "-", "*", "/", "==", "!=", "<", "<=", ">", ">=", "and", "or"])


def _compound(inner):
    return st.one_of(
        st.builds(lambda f, args: f"{f}({', '.join(args)})", st.sampled_from(["f", "lowest", "band"]),
                  st.lists(inner, max_size=3)),
        st.builds("({}) {} ({})".format, inner, OPERATORS, inner),
        inner.map("-({})".format),
        inner.map("(not {})".format),
        st.builds("(if {} then {} else {})".format, inner, inner, inner),
    )


EXPRESSIONS = st.recursive(ATOMS, _compound, max_leaves=12)


@SETTINGS
@given(EXPRESSIONS)
def test_generated_expressions_parse_and_print_faithfully(text):
    expr = parses_or_fails_cleanly(text)
    assert expr is not None, text
    printed = str(expr)
    assert str(parse_expression(printed)) == printed  # printing keeps the structure
