"""The positioned YAML/JSON loader (bandstand.dsl.loader).

Every value and key has a line and column; duplicate keys, YAML 1.1 traps,
merge keys, foreign tags, alias bombs, deep nesting, bad encodings and
oversized files are refused with one located diagnostic and a stable code.
"""

from __future__ import annotations

import json

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bandstand.dsl.loader import decode, load_file, load_text, read_text, resolve_plain
from bandstand.errors import BandstandError, Diagnostic, InputError
from bandstand.limits import Limits

HAVE_LIBYAML = getattr(yaml, "__with_libyaml__", False)


def load_error(text: str, limits: Limits = Limits()) -> Diagnostic:
    """The single diagnostic of loading ``text`` as f.yaml."""
    with pytest.raises(BandstandError) as info:
        load_text(text, "f.yaml", limits)
    assert len(info.value.diagnostics) == 1, info.value.diagnostics
    d = info.value.diagnostics[0]
    assert d.file == "f.yaml"
    return d


def input_error(call, *args, **kwargs) -> Diagnostic:
    with pytest.raises(InputError) as info:
        call(*args, **kwargs)
    [d] = info.value.diagnostics
    return d


def source_at(text: str, pos) -> str:
    """The source text from a 1-based (line, column) position to the end of its line."""
    return text.split("\n")[pos.line - 1][pos.column - 1:]


def value_at(data, path):
    for key in path:
        data = data[key]
    return data


# --- positions -------------------------------------------------------------------------------

NESTED = """\
id: mini
scales:
  - id: rating
    levels: [good, bad]
meta:
  title: "Quoted title"
  empty: {}
"""


@pytest.mark.parametrize("path, line, column", [
    ((), 1, 1),
    (("id",), 1, 5),
    (("scales",), 3, 3),
    (("scales", 0), 3, 5),
    (("scales", 0, "id"), 3, 9),
    (("scales", 0, "levels"), 4, 13),
    (("scales", 0, "levels", 0), 4, 14),
    (("scales", 0, "levels", 1), 4, 20),
    (("meta",), 6, 3),
    (("meta", "title"), 6, 10),
    (("meta", "empty"), 7, 10),
])
def test_value_positions(path, line, column):
    doc = load_text(NESTED, "f.yaml")
    pos = doc.pos(path)
    assert (pos.file, pos.line, pos.column) == ("f.yaml", line, column)


@pytest.mark.parametrize("path, line, column", [
    (("id",), 1, 1),
    (("scales",), 2, 1),
    (("scales", 0, "id"), 3, 5),
    (("scales", 0, "levels"), 4, 5),
    (("meta", "title"), 6, 3),
    (("meta", "empty"), 7, 3),
])
def test_key_positions(path, line, column):
    doc = load_text(NESTED, "f.yaml")
    pos = doc.key_pos(path)
    assert (pos.line, pos.column) == (line, column)


def test_positions_fall_back_to_the_nearest_ancestor():
    doc = load_text(NESTED, "f.yaml")
    assert doc.pos(("meta", "title", "no", "such")) == doc.pos(("meta", "title"))
    assert doc.pos(("nothing",)) == doc.pos(())
    # list items have no key: key_pos gives the value's position
    assert doc.key_pos(("scales", 0)) == doc.pos(("scales", 0))


def test_a_position_formats_as_file_line_column():
    doc = load_text("id: 2.10\nanswers: {a: no}\n", "f.yaml")
    assert str(doc.pos(("answers", "a"))) == "f.yaml:2:14"
    assert str(doc.key_pos(("answers", "a"))) == "f.yaml:2:11"


# --- positions inside scalars (pos_in_scalar) -----------------------------------------------

SCALARS = [
    pytest.param("rule: band(share(), key_question)\n", id="plain"),
    pytest.param("rule:   lowest(children)  \n", id="plain-with-spaces"),
    pytest.param("x:\n  - rule: foo  bar(1, 2)\n", id="plain-in-list"),
    pytest.param("rule: 'rating(\"4.1\") == good'\n", id="single-quoted"),
    pytest.param("rule: \"rating('4.1') == good\"\n", id="double-quoted"),
    pytest.param("rule: |\n  if a then\n    b\n  else c\nnext: 1\n", id="literal-block"),
    pytest.param("rule: >\n  lowest(children)\n  and x\nnext: 1\n", id="folded-block"),
    pytest.param("rule: a\n  b  c\n", id="plain-multi-line"),
]


def _scalar_path(doc):
    return ("x", 0, "rule") if "x" in doc.data else ("rule",)


@pytest.mark.parametrize("text", SCALARS)
def test_pos_in_scalar_finds_every_visible_character(text):
    doc = load_text(text, "f.yaml")
    path = _scalar_path(doc)
    value = value_at(doc.data, path)
    visible = [k for k, ch in enumerate(value) if not ch.isspace()]
    assert visible
    for k in visible:
        pos = doc.pos_in_scalar(path, k)
        assert pos.file == "f.yaml"
        assert source_at(text, pos)[:1] == value[k], (k, value[k], pos)


@pytest.mark.parametrize("text, offset, line, column", [
    ("rule: band(share(), kq)\n", 0, 1, 7),
    ("rule: band(share(), kq)\n", 11, 1, 18),
    ("rule: band(share(), kq)\n", 17, 1, 24),  # the end of the value: just after it
    ("rule: 'band(x)'\n", 0, 1, 8),  # the quote is stepped over
    ("rule: \"band(x)\"\n", 5, 1, 13),
    ('rule: "rating(\\"4.1\\") == good"\n', 7, 1, 15),  # an escaped quote: at its backslash
    ('rule: "rating(\\"4.1\\") == good"\n', 8, 1, 17),
    ("rule: |\n  lowest(children)\n  and x\n", 0, 2, 3),  # indentation is stepped over
    ("rule: |\n  lowest(children)\n  and x\n", 17, 3, 3),
    ("rule: |\n  lowest(children)\n  and x\n", 21, 3, 7),
    ("rule: >\n  lowest(children)\n  and x\n", 17, 3, 3),
])
def test_pos_in_scalar_exact(text, offset, line, column):
    pos = load_text(text, "f.yaml").pos_in_scalar(("rule",), offset)
    assert (pos.line, pos.column) == (line, column)


def test_pos_in_scalar_of_a_non_string_is_the_value_position():
    doc = load_text("n: 12\nm: {a: 1}\n", "f.yaml")
    assert doc.pos_in_scalar(("n",), 1) == doc.pos(("n",))
    assert doc.pos_in_scalar(("m",), 0) == doc.pos(("m",))
    assert doc.pos_in_scalar(("missing",), 3) == doc.pos(())


def test_pos_in_scalar_steps_over_doubled_single_quotes():
    text = "rule: 'it''s x'\n"  # the value is: it's x
    doc = load_text(text, "f.yaml")
    assert doc.data["rule"] == "it's x"
    pos = doc.pos_in_scalar(("rule",), 3)  # the 's'
    assert (pos.line, pos.column) == (1, 12)


def test_pos_in_scalar_steps_over_escapes_in_double_quotes():
    text = 'rule: "a\\tb + c"\n'  # the value is: a<TAB>b + c
    doc = load_text(text, "f.yaml")
    assert doc.data["rule"] == "a\tb + c"
    assert source_at(text, doc.pos_in_scalar(("rule",), 2))[:1] == "b"
    assert source_at(text, doc.pos_in_scalar(("rule",), 6))[:1] == "c"


WORD = st.builds(str.__add__, st.sampled_from("abcxyz"), st.text("abcxyz0123456789(),.=<>+*/_", max_size=7))
PHRASE = st.lists(WORD, min_size=1, max_size=6).map(" ".join)


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(PHRASE, min_size=1, max_size=4),
       style=st.sampled_from(["plain", "single", "double", "literal"]))
def test_pos_in_scalar_property(lines, style):
    if style == "literal":
        text = "rule: |\n" + "".join(f"  {line}\n" for line in lines)
    else:
        body = " ".join(lines)
        text = {"plain": f"rule: {body}\n", "single": f"rule: '{body}'\n", "double": f'rule: "{body}"\n'}[style]
    doc = load_text(text, "f.yaml")
    value = doc.data["rule"]
    assert isinstance(value, str)
    for k, ch in enumerate(value):
        if not ch.isspace():
            assert source_at(text, doc.pos_in_scalar(("rule",), k))[:1] == ch, (text, k)


# --- duplicate keys --------------------------------------------------------------------------

@pytest.mark.parametrize("text, line, column, first_line", [
    ("a: 1\na: 2\n", 2, 1, 1),
    ("x:\n  a: 1\n  b: 2\n  a: 3\n", 4, 3, 2),
    ("- a: 1\n  b: 2\n  a: 3\n", 3, 3, 1),
    ("{a: 1, a: 2}\n", 1, 8, 1),
    ("a: 1\n'a': 2\n", 2, 1, 1),  # quoted or not, the same key
    ('a: 1\n"a": 2\n', 2, 1, 1),
    ("1: x\n'1': y\n", 2, 1, 1),  # keys are text: 1 and '1' are the same key
    ('{"a": 1,\n "b": {"c": 2,\n       "c": 3}}\n', 3, 8, 2),  # JSON
])
def test_duplicate_keys_are_refused_at_the_second_key(text, line, column, first_line):
    d = load_error(text)
    assert d.code == "yaml.duplicate-key"
    assert (d.line, d.column) == (line, column)
    assert f"first defined at line {first_line}" in d.message
    assert "duplicate key" in d.message


def test_the_same_key_in_different_mappings_is_fine():
    doc = load_text("a: {x: 1}\nb: {x: 2}\nc:\n  - x: 1\n  - x: 2\n")
    assert doc.data == {"a": {"x": 1}, "b": {"x": 2}, "c": [{"x": 1}, {"x": 2}]}


# --- YAML 1.1 traps: the YAML 1.2 core schema ------------------------------------------------

@pytest.mark.parametrize("written, value, text", [
    ("no", "no", None),
    ("yes", "yes", None),
    ("on", "on", None),
    ("off", "off", None),
    ("y", "y", None),
    ("N", "N", None),
    ("Yes", "Yes", None),
    ("true", True, "true"),
    ("False", False, "False"),
    ("1.10", 1.1, "1.10"),
    ("2.0", 2.0, "2.0"),
    ("0800", 800, "0800"),
    ("08", 8, "08"),
    ("2018", 2018, "2018"),
    ("-3", -3, "-3"),
    ("0o17", 15, "0o17"),
    ("0x1F", 31, "0x1F"),
    ("1e3", 1000.0, "1e3"),
    ("2021-09-01", "2021-09-01", None),  # dates stay text
    ("2021-09-01T10:00:00", "2021-09-01T10:00:00", None),
    ("12:30", "12:30", None),  # YAML 1.1 read this as 750
    ("1_000", "1_000", None),
    ("0b101", "0b101", None),
    ("~", None, "~"),
    ("null", None, "null"),
    ("hello", "hello", None),
])
def test_plain_scalars_follow_the_yaml_1_2_core_schema(written, value, text):
    doc = load_text(f"k: {written}\n", "f.yaml")
    assert doc.data["k"] == value
    assert type(doc.data["k"]) is type(value)
    assert doc.text_of(("k",)) == text
    assert resolve_plain(written) == value


@pytest.mark.parametrize("written", ["'1.10'", '"0800"', "'no'", '"true"', "|\n  1.10\n"])
def test_quoted_and_block_scalars_are_always_text(written):
    doc = load_text(f"k: {written}", "f.yaml")
    assert isinstance(doc.data["k"], str)
    assert doc.data["k"].strip() in ("1.10", "0800", "no", "true")
    assert doc.text_of(("k",)) is None


def test_keys_stay_text():
    doc = load_text("yes: 1\nno: 2\non: 3\n1.10: 4\n2021-01-01: 5\nnull: 6\n")
    assert list(doc.data) == ["yes", "no", "on", "1.10", "2021-01-01", "null"]


def test_special_floats():
    doc = load_text("a: .inf\nb: -.inf\nc: .nan\n")
    assert doc.data["a"] == float("inf") and doc.data["b"] == float("-inf")
    assert doc.data["c"] != doc.data["c"]


# --- merge keys and tags ---------------------------------------------------------------------

def test_merge_keys_are_refused():
    d = load_error("base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n")
    assert d.code == "yaml.merge-key"
    assert (d.line, d.column) == (3, 3)
    assert "'<<'" in d.message


def test_a_quoted_double_angle_key_is_an_ordinary_key():
    assert load_text("'<<': 1\n").data == {"<<": 1}


@pytest.mark.parametrize("text, line, column", [
    ("a: !!python/object:os.system {}\n", 1, 4),
    ("a: !!python/object/apply:os.system ['ls']\n", 1, 4),
    ("a: !!python/object/new:os.system [ls]\n", 1, 4),
    ("a: !!python/name:os.system ''\n", 1, 4),
    ("a: !!python/tuple [1, 2]\n", 1, 4),
    ("--- !!python/object:collections.OrderedDict\na: 1\n", 1, 5),
    ("!!python/object/new:os.system [ls]\n", 1, 1),
    ("a: !!binary aGVsbG8=\n", 1, 4),
    ("a: !!set {x}\n", 1, 4),
    ("a: !!timestamp 2021-01-01\n", 1, 4),
    ("a:\n  b: !custom x\n", 2, 6),
])
def test_unsupported_tags_are_refused(text, line, column):
    d = load_error(text)
    assert d.code == "yaml.tag"
    assert "unsupported tag" in d.message
    assert (d.line, d.column) == (line, column)


def test_standard_tags_are_read():
    doc = load_text("a: !!str 1.10\nb: !!int '12'\nc: !!float '1.5'\nd: !!map {x: 1}\ne: !!seq [1]\n")
    assert doc.data == {"a": "1.10", "b": 12, "c": 1.5, "d": {"x": 1}, "e": [1]}


@pytest.mark.parametrize("text, fragment", [
    ("a: !!int x\n", "'x' is not an integer"),
    ("a: !!float abc\n", "'abc' is not a number"),
])
def test_a_standard_tag_on_a_wrong_value_is_refused(text, fragment):
    d = load_error(text)
    assert d.code == "yaml.tag" and fragment in d.message
    assert (d.line, d.column) == (1, 4)


def test_the_non_specific_tag_makes_text():
    assert load_text("a: ! 12\n").data == {"a": "12"}


# --- aliases and the alias bomb ---------------------------------------------------------------

def billion_laughs(levels: int = 9, width: int = 9) -> str:
    lines = ["a0: &a0 [" + ", ".join(['"lol"'] * width) + "]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("limits", [Limits(), Limits(max_yaml_nodes=10_000)], ids=["default", "small"])
def test_an_alias_bomb_is_refused(limits):
    d = load_error(billion_laughs(), limits)
    assert d.code == "limit.yaml-nodes"
    assert f"max_yaml_nodes={limits.max_yaml_nodes}" in d.message
    assert "--max-yaml-nodes" in d.message
    assert d.line is not None and d.line <= 9


def test_an_alias_bomb_of_mappings_is_refused():
    lines = ["a0: &a0 {x: lol, y: lol, z: lol}"]
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} {{" + ", ".join(f"k{j}: *a{i - 1}" for j in range(9)) + "}")
    assert load_error("\n".join(lines) + "\n").code == "limit.yaml-nodes"


def test_aliases_within_the_limits_are_expanded():
    doc = load_text("a: &x {k: [1, 2]}\nb: *x\nc: [*x]\n", "f.yaml")
    assert doc.data == {"a": {"k": [1, 2]}, "b": {"k": [1, 2]}, "c": [{"k": [1, 2]}]}
    assert (doc.pos(("b",)).line, doc.pos(("b",)).column) == (2, 4)


def test_too_many_aliases_are_refused():
    text = "a: &x 1\nb: [*x, *x, *x, *x]\n"
    assert load_text(text, limits=Limits(max_aliases=4)).data["b"] == [1, 1, 1, 1]
    d = load_error(text, Limits(max_aliases=3))
    assert d.code == "limit.aliases"
    assert (d.line, d.column) == (2, 17)
    assert "max_aliases=3" in d.message


@pytest.mark.parametrize("text, code", [
    ("a: *nope\n", "yaml.alias"),
    ("a: &x [*x]\n", "yaml.alias"),  # an anchor cannot refer to itself
    ("a: &k x\n*k : 1\n", "yaml.complex-key"),
    ("? [a]\n: 1\n", "yaml.complex-key"),
    ("{[a]: 1}\n", "yaml.complex-key"),
])
def test_bad_aliases_and_keys(text, code):
    assert load_error(text).code == code


def test_the_node_count_is_limited_without_aliases_too():
    text = "a: 1\nb: 2\nc: 3\n"  # 7 nodes: the mapping, 3 keys, 3 values
    assert load_text(text, limits=Limits(max_yaml_nodes=7)).data == {"a": 1, "b": 2, "c": 3}
    assert load_error(text, Limits(max_yaml_nodes=6)).code == "limit.yaml-nodes"


# --- nesting depth ---------------------------------------------------------------------------

@pytest.mark.parametrize("depth, ok", [(3, True), (4, False), (50, False)])
def test_flow_nesting_beyond_max_depth_is_refused(depth, ok):
    text = "[" * depth + "]" * depth
    limits = Limits(max_depth=3)
    if ok:
        assert load_text(text, limits=limits).data == [[[]]]
    else:
        d = load_error(text, limits)
        assert d.code == "limit.depth"
        assert (d.line, d.column) == (1, 4)  # the first collection too deep
        assert "max_depth=3" in d.message and "--max-depth" in d.message


def test_block_nesting_beyond_max_depth_is_refused():
    text = "a:\n  b:\n    c:\n      d: 1\n"  # four mappings
    assert load_text(text, limits=Limits(max_depth=4)).data == {"a": {"b": {"c": {"d": 1}}}}
    d = load_error(text, Limits(max_depth=3))
    assert d.code == "limit.depth"
    assert (d.line, d.column) == (4, 7)


def test_the_default_depth_limit():
    assert load_text("[" * 100 + "]" * 100).data is not None
    assert load_error("[" * 101 + "]" * 101).code == "limit.depth"


@pytest.mark.parametrize("text", [
    pytest.param("[" * 100_000 + "]" * 100_000, id="sequences"),
    pytest.param("[" * 100_000, id="unclosed"),
    pytest.param("{a: " * 100_000 + "1" + "}" * 100_000, id="mappings"),
])
def test_a_hundred_thousand_levels_raise_and_do_not_crash(text):
    assert load_error(text).code == "limit.depth"


@pytest.mark.parametrize("parser", ["libyaml", "python"])
@pytest.mark.parametrize("text, position", [
    pytest.param("a:\n  b: " + "[" * 1500 + "]" * 1500 + "\n", (2, 104), id="flow-1500"),
    pytest.param("[" * 1001, (1, 101), id="flow-unclosed-1001"),
    pytest.param("".join("  " * i + f"k{i}:\n" for i in range(1200)) + "  " * 1200 + "v: 1\n",
                 (101, 201), id="block-1200"),
])
def test_the_depth_limit_holds_whichever_libyaml_is_underneath(monkeypatch, parser, text, position):
    """libyaml 0.2.6 (PyYAML 6.0.4) stops at 1000 levels with a syntax error of its own, older
    libyaml and the pure-Python parser do not: bandstand's limit, at the same place, in every case."""
    from bandstand.dsl import loader
    if parser == "python":
        monkeypatch.setattr(loader, "_Parser", None)
    elif loader._Parser is None:  # pragma: no cover - PyYAML built without libyaml
        pytest.skip("PyYAML has no libyaml here")
    d = load_error(text)
    assert d.code == "limit.depth"
    assert (d.line, d.column) == position


@pytest.mark.parametrize("parser", ["libyaml", "python"])
def test_the_highest_depth_limit_reads_what_it_allows(monkeypatch, parser):
    from bandstand.dsl import loader
    if parser == "python":
        monkeypatch.setattr(loader, "_Parser", None)
    deepest = Limits(max_depth=1000)
    assert load_text("[" * 1000 + "]" * 1000, limits=deepest).data is not None
    assert load_error("[" * 1001 + "]" * 1001, deepest).code == "limit.depth"


# --- tabs, BOM, NUL, control characters -------------------------------------------------------

@pytest.mark.parametrize("text, line, column", [
    ("a:\n\tb: 1\n", 2, 1),
    ("a: 1\n\tb: 2\n", 2, 1),
    ("\ta: 1\n", 1, 1),
    ("a:\n  b: 1\n\tc: 2\n", 3, 1),
    ("- a\n-\tb\n", 2, 2),
])
def test_tabs_are_explained(text, line, column):
    d = load_error(text)
    assert d.code == "yaml.syntax"
    assert "tab" in d.message
    assert (d.line, d.column) == (line, column)


def test_a_utf8_bom_is_accepted():
    doc = load_text("\ufeffa: 1\n", "f.yaml")
    assert doc.data == {"a": 1}
    assert (doc.key_pos(("a",)).line, doc.key_pos(("a",)).column) == (1, 1)
    assert decode(b"\xef\xbb\xbfa: 1\n", "f.yaml").lstrip("\ufeff") == "a: 1\n"


def test_a_utf8_bom_is_accepted_from_a_file(tmp_path):
    p = tmp_path / "bom.yaml"
    p.write_bytes(b"\xef\xbb\xbfa: 1\nb: [x]\n")
    assert load_file(p).data == {"a": 1, "b": ["x"]}


@pytest.mark.parametrize("text, line, column", [
    ("a: 1\x00\n", 1, 5),
    ("a: 1\nb: x\x00y\n", 2, 5),
    ("\x00", 1, 1),
])
def test_nul_bytes_are_refused(text, line, column):
    d = load_error(text)
    assert d.code == "yaml.nul"
    assert (d.line, d.column) == (line, column)


def test_a_utf16_file_without_bom_is_refused_for_its_nul_bytes(tmp_path):
    p = tmp_path / "u16.yaml"
    p.write_bytes("a: 1\n".encode("utf-16-le"))
    with pytest.raises(BandstandError) as info:
        load_file(p)
    assert [d.code for d in info.value.diagnostics] == ["yaml.nul"]


@pytest.mark.parametrize("text", ["a: x\x07\n", "a: 'x\x1b'\n", '{"a": "\x7f"}'])
def test_control_characters_never_raise_a_raw_yaml_error(text):
    try:
        load_text(text, "f.yaml")
    except BandstandError as e:
        assert e.diagnostics[0].code == "yaml.syntax"
    except Exception as e:  # noqa: BLE001 - the point: nothing but BandstandError
        pytest.fail(f"raised {type(e).__name__}: {e}")


@pytest.mark.skipif(not HAVE_LIBYAML, reason="PyYAML is built without libyaml here")
def test_libyaml_is_used_when_available():
    from bandstand.dsl import loader

    assert loader._Parser is not None


# --- encodings -------------------------------------------------------------------------------

@pytest.mark.parametrize("data, line, column, byte", [
    (b"a: 1\nb: caf\xe9\n", 2, 7, "0xe9"),
    (b"\xff", 1, 1, "0xff"),
    (b"line: 1\nname: lin\xc3\xa9\nab\xc3(", 3, 3, "0xc3"),  # a valid two-byte character before it
])
def test_invalid_utf8_is_refused_with_its_position(data, line, column, byte):
    d = input_error(decode, data, "f.yaml")
    assert d.code == "input.encoding"
    assert (d.file, d.line, d.column) == ("f.yaml", line, column)
    assert byte in d.message and "UTF-8" in d.message


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_a_bom_is_refused(tmp_path, encoding):
    data = "a: 1\n".encode(encoding)
    if encoding != "utf-16":
        data = ("\ufeff" + "a: 1\n").encode(encoding)
    d = input_error(decode, data, "f.yaml")
    assert d.code == "input.encoding"
    assert (d.line, d.column) == (1, 1)
    assert "UTF-16" in d.message
    p = tmp_path / "u16.yaml"
    p.write_bytes(data)
    d = input_error(read_text, p)
    assert d.code == "input.encoding" and d.file == str(p)


def test_read_text_refuses_invalid_utf8_in_a_file(tmp_path):
    p = tmp_path / "latin1.yaml"
    p.write_bytes("a: 1\nb: café\n".encode("latin-1"))
    d = input_error(read_text, p)
    assert (d.code, d.file, d.line, d.column) == ("input.encoding", str(p), 2, 7)


# --- empty, multiple documents, syntax errors ---------------------------------------------------

@pytest.mark.parametrize("text", ["", "   \n\n", "# only a comment\n", "---\n", "~\n", "null\n", "\ufeff"])
def test_an_empty_file_is_refused(text):
    d = load_error(text)
    assert d.code == "yaml.empty"
    assert (d.line, d.column) == (1, 1)


def test_an_empty_file_on_disk_is_refused(tmp_path):
    p = tmp_path / "empty.yaml"
    p.write_bytes(b"")
    with pytest.raises(BandstandError) as info:
        load_file(p)
    assert [d.code for d in info.value.diagnostics] == ["yaml.empty"]


def test_multiple_documents_are_refused():
    d = load_error("a: 1\n---\nb: 2\n")
    assert d.code == "yaml.documents"
    assert d.line == 2


@pytest.mark.parametrize("text", ["---\na: 1\n", "---\na: 1\n...\n", "%YAML 1.1\n---\na: 1\n"])
def test_one_explicit_document_is_fine(text):
    assert load_text(text).data == {"a": 1}


@pytest.mark.parametrize("text, line, fragment", [
    ("a: 1\nb: [1, 2\n", 3, "started at line 2"),
    ("a: 'unterminated\n", 2, "quoted scalar"),
    ("a: b: c\n", 1, "mapping values are not allowed"),
])
def test_syntax_errors_are_located(text, line, fragment):
    d = load_error(text)
    assert d.code == "yaml.syntax"
    assert d.line == line
    assert fragment in d.message


# --- files -----------------------------------------------------------------------------------

def test_a_file_larger_than_max_file_bytes_is_refused(tmp_path):
    p = tmp_path / "big.yaml"
    p.write_bytes(b"a: " + b"x" * 200 + b"\n")  # 204 bytes
    d = input_error(read_text, p, Limits(max_file_bytes=100))
    assert d.code == "limit.file-size"
    assert d.file == str(p)
    assert "204 bytes" in d.message
    assert "max_file_bytes=100" in d.message
    assert "--max-file-bytes" in d.message and "Limits(max_file_bytes=...)" in d.message
    with pytest.raises(InputError):
        load_file(p, Limits(max_file_bytes=203))
    assert load_file(p, Limits(max_file_bytes=204)).data == {"a": "x" * 200}


def test_a_missing_file(tmp_path):
    d = input_error(read_text, tmp_path / "nope.yaml")
    assert d.code == "input.missing"
    assert "no such file" in d.message and "nope.yaml" in d.message
    d = input_error(load_file, tmp_path / "nope.yaml", display="shown.yaml")
    assert (d.code, d.file) == ("input.missing", "shown.yaml")
    assert "shown.yaml" in d.message


def test_a_directory(tmp_path):
    d = input_error(read_text, tmp_path)
    assert d.code == "input.directory"
    assert "directory" in d.message and d.file == str(tmp_path)


def test_load_file_names_the_file_in_positions(tmp_path):
    p = tmp_path / "fw.yaml"
    p.write_text("id: x\nnodes:\n  - id: '1'\n", encoding="utf-8")
    doc = load_file(p)
    assert doc.file == str(p)
    assert str(doc.pos(("nodes", 0, "id"))) == f"{p}:3:9"


# --- JSON ------------------------------------------------------------------------------------

JSON_TEXT = """\
{
  "id": 2.10,
  "tags": ["a", "b"],
  "nested": {"yes": true, "of": null}
}
"""


def test_json_parses_with_positions():
    doc = load_text(JSON_TEXT, "f.json")
    assert doc.data == {"id": 2.1, "tags": ["a", "b"], "nested": {"yes": True, "of": None}}
    assert doc.text_of(("id",)) == "2.10"
    cases = {
        ("id",): (2, 9), ("tags",): (3, 11), ("tags", 1): (3, 17),
        ("nested",): (4, 13), ("nested", "yes"): (4, 21), ("nested", "of"): (4, 33),
    }
    for path, (line, column) in cases.items():
        pos = doc.pos(path)
        assert (pos.file, pos.line, pos.column) == ("f.json", line, column), path
    assert (doc.key_pos(("nested", "of")).line, doc.key_pos(("nested", "of")).column) == (4, 27)


def test_compact_json_parses():
    assert load_text('{"a":1,"b":[1,2],"c":{"d":"x\\/y"}}').data == {"a": 1, "b": [1, 2], "c": {"d": "x/y"}}


@pytest.mark.parametrize("text, line, column", [
    ('{"a": 1, "a": 2}', 1, 10),
    ('[{"id": "x", "part": "p", "id": "y"}]', 1, 27),
    ('{\n  "a": {"k": 1},\n  "a": {"k": 2}\n}\n', 3, 3),
])
def test_json_duplicate_keys_are_caught(text, line, column):
    d = load_error(text)
    assert d.code == "yaml.duplicate-key"
    assert (d.line, d.column) == (line, column)


def test_tab_indented_json_parses():
    data = {"a": [1, {"b": None}], "c": "x"}
    assert load_text(json.dumps(data, indent="\t"), "f.json").data == data


def test_json_surrogate_pairs_give_one_character():
    try:
        data = load_text(json.dumps({"subject": "YOS \U0001F600"}), "f.json").data
    except BandstandError:
        data = None
    assert data == {"subject": "YOS \U0001F600"}


TEXT = st.text(st.characters(max_codepoint=0xFFFD, exclude_categories=("Cs", "Cc", "Cn", "Zl", "Zp"),
                             exclude_characters="\ufeff"), max_size=8)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=20)


def leaves(data, prefix=()):
    if isinstance(data, dict):
        for k, v in data.items():
            yield from leaves(v, prefix + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from leaves(v, prefix + (i,))
    else:
        yield prefix, data


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.dictionaries(TEXT, JSON_VALUES, min_size=1, max_size=4),
       indent=st.sampled_from([None, 2]), ascii=st.booleans())
def test_json_round_trips_and_every_leaf_is_located(data, indent, ascii):
    text = json.dumps(data, indent=indent, ensure_ascii=ascii)
    doc = load_text(text, "f.json", Limits(max_depth=1000))
    assert doc.data == data
    for path, leaf in leaves(data):
        if not path:
            continue
        assert source_at(text, doc.pos(path)).startswith(json.dumps(leaf, ensure_ascii=ascii)), path
        if isinstance(path[-1], str):
            assert source_at(text, doc.key_pos(path)).startswith(json.dumps(path[-1], ensure_ascii=ascii)), path
