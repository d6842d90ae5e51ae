"""The cache of checked files: plain data only, in a folder of the user's own, and never a different answer.

A run with the cache gives byte for byte what a run with ``BANDSTAND_NO_CACHE=1``
gives, whatever is in the folder: an entry planted, corrupted, truncated,
copied to another name or replaced by a link; a file edited between being
hashed and being read. Nothing in the folder is unpickled or otherwise run,
nothing is written through a link, and a folder another user could write is
not used at all.
"""

from __future__ import annotations

import functools
import json
import os
import pickle
import stat
import subprocess
import sys
from collections import deque
from pathlib import Path

import pytest

from bandstand import Catalogue, cache, evaluate, load_evidence, load_framework
from bandstand.dsl import schema
from bandstand.engine.evaluate import compile_framework
from bandstand.errors import BandstandError
from helpers import ROOT, copy_framework

EXAMPLES = ROOT / "frameworks" / "examples" / "hmip-youth-2018"
CASES = EXAMPLES / "bedfordshire-2021-cases.yaml"
NOBODY = 65534


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    """A cache folder of this test's own."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("BANDSTAND_CACHE_DIR", str(folder))
    monkeypatch.delenv("BANDSTAND_NO_CACHE", raising=False)
    cache.reread_environment()
    yield folder
    cache.reread_environment()


def files_in(folder: Path) -> list[Path]:
    """Every file the cache left in ``folder`` (at any depth)."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()) if folder.is_dir() else []


def entries(folder: Path, kind: str) -> list[Path]:
    return [p for p in files_in(folder) if p.name.startswith(f"{kind}-")]


def cli(*args: str, cache_dir: Path | None, cwd: Path) -> subprocess.CompletedProcess:
    """bandstand in a process of its own, with the cache in ``cache_dir``, or with the cache off when None.

    It runs in ``cwd``, a folder of the test's, so what it imports is the bandstand installed.
    """
    env = {k: v for k, v in os.environ.items() if k not in ("BANDSTAND_CACHE_DIR", "BANDSTAND_NO_CACHE")}
    if cache_dir is None:
        env["BANDSTAND_NO_CACHE"] = "1"
    else:
        env["BANDSTAND_CACHE_DIR"] = str(cache_dir)
    return subprocess.run([sys.executable, "-m", "bandstand", *args], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=300)


def same(run: subprocess.CompletedProcess, plain: subprocess.CompletedProcess) -> tuple:
    return (run.returncode, run.stdout, run.stderr) == (plain.returncode, plain.stdout, plain.stderr)


EVALUATE = ("evaluate", "hmip-youth@2018", str(CASES), "--format", "json")


# -- a hit is the plain path's answer ------------------------------------------------------------------------------

def test_a_warm_run_prints_what_a_run_without_the_cache_prints(tmp_path):
    folder = tmp_path / "cache"
    plain = cli(*EVALUATE, cache_dir=None, cwd=tmp_path)
    assert plain.returncode == 0
    assert json.loads(plain.stdout)["overall"]["rating"] == "requires_improvement"  # Bedfordshire 2021 as published
    cold, warm = cli(*EVALUATE, cache_dir=folder, cwd=tmp_path), cli(*EVALUATE, cache_dir=folder, cwd=tmp_path)
    assert entries(folder, "schema") and entries(folder, "catalogue")  # the second run had hits
    assert same(cold, plain) and same(warm, plain)


def test_a_changed_file_is_read_again(fresh_cache, tmp_path):
    path = copy_framework(tmp_path / "fw")
    assert load_framework(path).title == "Inspection of youth offending services (2018 standards)"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("title: Inspection of youth offending services (2018 standards)",
                                 "title: A changed title"), encoding="utf-8")
    assert load_framework(path).title == "A changed title"


def test_a_changed_base_is_read_again(fresh_cache, tmp_path):
    """hmip-youth@2018 extends the original 2018 version: a threshold moved in the base shows through."""
    path = copy_framework(tmp_path / "fw")
    assert good_from(load_framework(path)) == 65
    base = tmp_path / "fw" / "youth-2018-original.yaml"
    text = base.read_text(encoding="utf-8")
    assert text.count("min: 65") == 1
    base.write_text(text.replace("min: 65", "min: 70").replace("max: 64", "max: 69"), encoding="utf-8")
    assert good_from(load_framework(path)) == 70


def good_from(fw) -> int:
    return next(b.min for b in fw.bands["key_question"].bands if b.level.id == "good")


def test_a_base_found_elsewhere_is_read(fresh_cache, tmp_path):
    """The same extending file whose `extends` now finds another file (a copy beside it) gets that file's nodes."""
    folder = tmp_path / "fw"
    path = copy_framework(folder)
    original = folder / "youth-2018-original.yaml"
    load_framework(path, resolver=Catalogue([folder]).find)
    text = original.read_text(encoding="utf-8")
    original.unlink()
    (folder / "renamed-original.yaml").write_text(text.replace("title: Assessment", "title: Renamed"),
                                                  encoding="utf-8")
    fw = load_framework(path, resolver=Catalogue([folder]).find)
    assert any(n.title == "Renamed" for n in fw.nodes.values())


def test_the_name_a_file_is_shown_by_is_its_own(fresh_cache, tmp_path):
    path = copy_framework(tmp_path / "fw")
    load_framework(path)
    assert load_framework(path, display="shown-as.yaml").file.endswith("shown-as.yaml")
    assert load_framework(path).file == str(path)


def test_no_cache_writes_nothing(fresh_cache, monkeypatch, tmp_path):
    monkeypatch.setenv("BANDSTAND_NO_CACHE", "1")
    cache.reread_environment()
    path = copy_framework(tmp_path / "fw")
    load_framework(path)
    load_evidence(CASES)
    assert not fresh_cache.exists()


def test_an_unwritable_folder_only_costs_time(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("BANDSTAND_CACHE_DIR", str(blocker / "cache"))
    cache.reread_environment()
    try:
        assert cache.folder() is None
        assert load_framework(copy_framework(tmp_path / "fw")).ref == "hmip-youth@2018"
    finally:
        cache.reread_environment()
    assert capsys.readouterr().err == ""


def test_the_compiled_form_is_not_pickled(hmip):
    compiled = compile_framework(hmip)
    assert hmip.compiled is compiled
    copy = pickle.loads(pickle.dumps(hmip))
    assert copy.compiled is None
    assert compile_framework(copy) is not None and compile_framework(copy) is not compiled


def test_a_schema_verdict_redoes_the_coercions(fresh_cache, tmp_path):
    """Text read as a number where the schema wants text (`subject: 1.10`) is the text as written, hit or miss."""
    ev = tmp_path / "e.yaml"
    ev.write_text((EXAMPLES / "bedfordshire-2021-published.yaml").read_text(encoding="utf-8")
                  .replace("subject: Bedfordshire YOS", "subject: 1.10"), encoding="utf-8")
    first = load_evidence(ev)
    assert len(entries(fresh_cache, "schema")) == 1
    second = load_evidence(ev)
    assert first.subject == second.subject == "1.10"


def test_an_invalid_file_is_never_taken_for_valid(fresh_cache, tmp_path):
    ev = tmp_path / "e.yaml"
    ev.write_text("subject: x\njudgments: {}\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(BandstandError, match="judgments"):
            load_evidence(ev)
    assert entries(fresh_cache, "schema") == []


def test_catalogue_identities_follow_the_files(fresh_cache, tmp_path):
    folder = tmp_path / "fw"
    path = copy_framework(folder)
    refs = [e.ref for e in Catalogue([folder], include_bundled=False).entries()]
    assert refs == ["hmip-youth@2018-original", "hmip-youth@2018"]
    path.write_text(path.read_text(encoding="utf-8").replace('version: "2018"', 'version: "2018.1"'),
                    encoding="utf-8")
    again = [e.ref for e in Catalogue([folder], include_bundled=False).entries()]
    assert "hmip-youth@2018.1" in again and "hmip-youth@2018" not in again


def test_a_cached_run_imports_neither_lark_nor_jsonschema(fresh_cache):
    """The cold start: the parse tables ship with bandstand, and a second process finds every file checked."""
    code = ("import sys, bandstand; fw = bandstand.Catalogue().resolve('hmip-youth@2018'); "
            f"ev = bandstand.load_evidence({str(CASES)!r}); "
            "r = bandstand.evaluate(fw, ev); "
            "print(r.overall.level.id, 'lark' in sys.modules, 'jsonschema' in sys.modules)")
    env = dict(os.environ, BANDSTAND_CACHE_DIR=str(fresh_cache))
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True,
                           cwd=fresh_cache.parent)
    second = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True,
                           cwd=fresh_cache.parent)
    assert first.stdout.split() == ["requires_improvement", "False", "True"]
    assert second.stdout.split() == ["requires_improvement", "False", "False"]


def test_off_turns_the_cache_off_within_a_block(fresh_cache):
    with cache.off():
        assert cache.folder() is None
        load_evidence(CASES)
    assert entries(fresh_cache, "schema") == []
    assert cache.folder() == fresh_cache
    load_evidence(CASES)
    assert len(entries(fresh_cache, "schema")) == 1


# -- nothing in the folder runs, lies or is written through ------------------------------------------------------

class _Marker:
    """A pickle that, when loaded, creates the file ``path``: what a planted entry could do."""

    def __init__(self, path: Path):
        self.path = str(path)

    def __reduce__(self):
        return (Path.touch, (Path(self.path),))


def test_nothing_planted_in_the_folder_is_run(tmp_path):
    """Every file in a used folder replaced by a pickle that runs code: no code runs, the output is the plain one."""
    folder, ran = tmp_path / "cache", tmp_path / "code-ran"
    plain = cli(*EVALUATE, cache_dir=None, cwd=tmp_path)
    cli(*EVALUATE, cache_dir=folder, cwd=tmp_path)
    planted = files_in(folder)
    assert planted
    for path in planted:
        path.write_bytes(pickle.dumps(_Marker(ran)))
    run = cli(*EVALUATE, cache_dir=folder, cwd=tmp_path)
    assert not ran.exists()
    assert same(run, plain)


@pytest.mark.parametrize("how", ["group-writable", "world-writable", "another user's", "through a link of another user's"])
def test_a_folder_another_user_could_write_is_not_used(tmp_path, how):
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o700)
    used = folder
    if how in ("another user's", "through a link of another user's") and os.getuid() != 0:
        pytest.skip("needs root to give a file to another user")
    if how == "group-writable":
        folder.chmod(0o770)
    elif how == "world-writable":
        folder.chmod(0o1777)
    elif how == "another user's":
        os.chown(folder, NOBODY, NOBODY)
    else:
        used = tmp_path / "link"
        used.symlink_to(folder)
        os.lchown(used, NOBODY, NOBODY)
    plain = cli(*EVALUATE, cache_dir=None, cwd=tmp_path)
    for _ in range(2):
        run = cli(*EVALUATE, cache_dir=used, cwd=tmp_path)
        assert (run.returncode, run.stdout) == (plain.returncode, plain.stdout)
        lines = run.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"bandstand: warning: not using the cache folder {used}: ")
        assert "carrying on without the cache" in lines[0]
    assert files_in(folder) == []


def test_a_folder_of_the_users_own_is_made_private(tmp_path):
    folder = tmp_path / "new" / "cache"
    cli(*EVALUATE, cache_dir=folder, cwd=tmp_path)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    made = files_in(folder)
    assert made and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in made)
    assert (folder / "key").stat().st_size == 32


def test_nothing_is_written_through_a_link(tmp_path):
    """Links planted at every name a run writes (and at the grammar's old pickle) point at files left untouched."""
    first = tmp_path / "first"
    cli(*EVALUATE, cache_dir=first, cwd=tmp_path)
    names = sorted({p.relative_to(first) for p in files_in(first)} | {Path("grammar.lark.pickle")})
    folder, victims = tmp_path / "cache", tmp_path / "victims"
    folder.mkdir(mode=0o700)
    victims.mkdir()
    for i, name in enumerate(names):
        victim = victims / f"victim-{i}"
        victim.write_text("precious\n")
        (folder / name).parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        (folder / name).symlink_to(victim)
    plain = cli(*EVALUATE, cache_dir=None, cwd=tmp_path)
    for _ in range(2):
        assert same(cli(*EVALUATE, cache_dir=folder, cwd=tmp_path), plain)
    assert all(v.read_bytes() == b"precious\n" for v in victims.iterdir())


def test_an_entry_under_another_name_is_not_believed(fresh_cache, tmp_path):
    """A verdict of a valid file copied to the name an invalid file's verdict would have: the file is still invalid."""
    valid, invalid = tmp_path / "valid.yaml", tmp_path / "invalid.yaml"
    valid.write_text("subject: x\njudgements: {}\n", encoding="utf-8")
    invalid.write_text("subject: x\njudgments: {}\n", encoding="utf-8")
    load_evidence(valid)
    k_valid = cache.key("schema", "evidence", valid.read_text(encoding="utf-8"))
    k_invalid = cache.key("schema", "evidence", invalid.read_text(encoding="utf-8"))
    (entry,) = [p for p in files_in(fresh_cache) if k_valid in p.name]
    planted = entry.parent / entry.name.replace(k_valid, k_invalid)
    planted.write_bytes(entry.read_bytes())
    with pytest.raises(BandstandError, match="judgments"):
        load_evidence(invalid)


def _answers(folder: Path) -> tuple:
    """Everything the cache is consulted for, end to end: the catalogue, a framework, the cases evaluated."""
    refs = [(e.ref, e.title, e.effective_from) for e in Catalogue([folder], include_bundled=False).entries()]
    fw = load_framework(folder / "youth-2018.yaml")
    ev = load_evidence(folder / "examples" / "hmip-youth-2018" / CASES.name)
    return refs, json.dumps(evaluate(fw, ev).to_json(), sort_keys=True), ev.subject, fw.version


def _consulted(folder: Path) -> dict:
    """For each entry a run makes, by its name: what it is consulted for, as a function giving that answer."""
    from bandstand.dsl import loader
    from bandstand.limits import DEFAULT_LIMITS

    def verdict(text, kind):
        doc = loader.load_text(text, "f.yaml")
        return [str(d) for d in schema.validate(doc, kind)], json.dumps(doc.data, sort_keys=True, default=str)

    def identity(path):
        return Catalogue([folder], include_bundled=False)._quick(path)

    out = {}
    for path in (folder / "youth-2018.yaml", folder / "youth-2018-original.yaml"):
        text = path.read_text(encoding="utf-8")
        out[cache.key("schema", "framework", text)] = lambda text=text: verdict(text, "framework")
        out[cache.key("catalogue-entry", text, repr(DEFAULT_LIMITS))] = lambda path=path: identity(path)
    text = (folder / "examples" / "hmip-youth-2018" / CASES.name).read_text(encoding="utf-8")
    out[cache.key("schema", "evidence", text)] = lambda: verdict(text, "evidence")
    return out


def test_every_byte_of_every_entry_changed_is_a_miss(fresh_cache, tmp_path):
    """Real entries changed byte by byte, and cut short: each answer is the plain path's, and the entry is
    written again as it was. Every byte of what an entry says is changed; of its seal, one byte in eight."""
    folder = tmp_path / "fw"
    copy_framework(folder, lambda t: t.replace('version: "2018"', "version: 2018.10"))  # a coercion to redo too
    with cache.off():
        plain = _answers(folder)
    assert _answers(folder) == plain
    consulted = _consulted(folder)
    made = {p: p.read_bytes() for p in files_in(fresh_cache) if p.name != "key"}
    changed, matched = 0, set()
    for path, data in made.items():
        k = next((k for k in consulted if k in path.name), None)
        answer = consulted.get(k)
        matched.add(k)
        if answer is None:  # an entry of a kind not listed above: a sample of its bytes, end to end
            answer, where = functools.partial(_answers, folder), range(0, len(data), max(1, len(data) // 40))
        else:
            payload_from = data.find(b"\n") + 1
            where = list(range(0, payload_from, 8)) + list(range(payload_from, len(data)))
        with cache.off():
            expected = answer()
        spoilt = [data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1:] for i in where]
        spoilt += [data[:i] for i in range(0, len(data), max(8, len(data) // 40))] + [data + b" ", b""]
        for bad in spoilt:
            path.write_bytes(bad)
            assert answer() == expected, (path.name, bad)
            assert path.read_bytes() == data  # recomputed and written again, the same
            changed += 1
    key = fresh_cache / "key"
    secret = key.read_bytes()
    for bad in [secret[:i] + bytes([secret[i] ^ 0x80]) + secret[i + 1:] for i in range(0, 32, 8)] + [secret[:31], b""]:
        key.write_bytes(bad)
        cache.reread_environment()  # the key is read once a process
        assert _answers(folder) == plain
        changed += 1
    assert changed > 300
    assert _answers(folder) == plain
    assert set(consulted) <= matched  # an entry was made for each thing the cache is consulted for


def _edited_between_reads(monkeypatch, target: Path, new_text: str) -> None:
    """The editor saves ``target`` (a new file renamed over it) just after bandstand first opens it."""
    import builtins
    import io

    real_open, done = io.open, []

    def opening(file, *args, **kwargs):
        fh = real_open(file, *args, **kwargs)
        if not done and isinstance(file, (str, os.PathLike)) and Path(file).resolve() == target.resolve():
            done.append(True)
            tmp = target.with_suffix(".saving")
            tmp.write_text(new_text, encoding="utf-8")
            os.replace(tmp, target)
        return fh

    monkeypatch.setattr(io, "open", opening)
    monkeypatch.setattr(builtins, "open", opening)


def test_the_bytes_hashed_are_the_bytes_parsed(fresh_cache, monkeypatch, tmp_path):
    """A framework edited while bandstand reads it is never kept under the other text's hash."""
    path = copy_framework(tmp_path / "fw")
    old = path.read_text(encoding="utf-8")
    new = old.replace("title: Inspection of youth offending services (2018 standards)", "title: Edited meanwhile")
    with monkeypatch.context() as m:
        _edited_between_reads(m, path, new)
        load_framework(path)
    path.write_text(old, encoding="utf-8")
    assert load_framework(path).title == "Inspection of youth offending services (2018 standards)"


def test_the_bytes_hashed_are_the_bytes_parsed_in_the_catalogue(fresh_cache, monkeypatch, tmp_path):
    folder = tmp_path / "fw"
    path = copy_framework(folder)
    old = path.read_text(encoding="utf-8")
    with monkeypatch.context() as m:
        _edited_between_reads(m, path, old.replace('version: "2018"', 'version: "2018.1"'))
        Catalogue([folder], include_bundled=False).entries()
    path.write_text(old, encoding="utf-8")
    refs = [e.ref for e in Catalogue([folder], include_bundled=False).entries()]
    assert refs == ["hmip-youth@2018-original", "hmip-youth@2018"]


# -- the grammar's tables ship with bandstand -------------------------------------------------------------------

def _canonical(data: dict, memo: dict) -> tuple:
    """Lark's LALR tables as a value that does not depend on how states and symbols happen to be numbered
    (Lark numbers them differently from one run to the next)."""
    def rule(r):
        r = memo[r["@"]] if "@" in r else r
        o = r["options"]
        return (r["origin"]["name"], tuple(s["name"] for s in r["expansion"]), r["alias"], r["order"],
                o["keep_all_tokens"], o["expand1"], o["priority"], tuple(o["empty_indices"]))

    frontend = data["parser"]
    lexer = frontend["lexer_conf"]
    terminals = sorted((t["name"], t["pattern"]["__type__"], t["pattern"]["value"], tuple(t["pattern"]["flags"]),
                        t["priority"]) for t in (memo[x["@"]] for x in lexer["terminals"]))
    rules = sorted(rule(x) for x in frontend["parser_conf"]["rules"])
    table = frontend["parser"]
    names, states = table["tokens"], table["states"]
    order: dict[int, int] = {}
    queue: deque[int] = deque()
    rows = []
    for start in sorted(table["start_states"]):
        order.setdefault(table["start_states"][start], len(order))
        queue.append(table["start_states"][start])
    while queue:  # states numbered in the order a walk from the start meets them
        row = []
        for tok, (kind, arg) in sorted(states[queue.popleft()].items(), key=lambda kv: names[kv[0]]):
            if kind == 0:
                if arg not in order:
                    order[arg] = len(order)
                    queue.append(arg)
                row.append((names[tok], "shift", order[arg]))
            else:
                row.append((names[tok], "reduce", rule(arg)))
        rows.append(tuple(row))
    ends = sorted((k, order.get(v)) for k, v in table["end_states"].items())
    options = {k: data["options"][k] for k in ("parser", "lexer", "propagate_positions", "maybe_placeholders",
                                               "keep_all_tokens", "start")}
    return terminals, sorted(lexer["ignore"]), lexer["lexer_type"], rules, rows, ends, len(order), len(states), options


def test_the_shipped_parse_tables_are_the_grammars():
    """bandstand/dsl/_lalr.py is what `python -m lark.tools.standalone` makes of grammar.lark today (see parser.py)."""
    from lark import Lark
    from lark.grammar import Rule
    from lark.lexer import TerminalDef

    from bandstand.dsl import _lalr

    grammar = (ROOT / "bandstand" / "dsl" / "grammar.lark").read_text(encoding="utf-8")
    built = Lark(grammar, parser="lalr", lexer="contextual", propagate_positions=True, maybe_placeholders=False)
    shipped = _canonical(_lalr.DATA, _lalr.MEMO)
    assert shipped == _canonical(*built.memo_serialize([TerminalDef, Rule]))
    assert shipped[6] == shipped[7]  # every state is reachable: the walk compared them all
    # and the comparison sees a change: the same grammar with `or` made right-associative is other tables
    other = Lark(grammar.replace('| or_expr "or" and_expr', '| and_expr "or" or_expr'), parser="lalr",
                 lexer="contextual", propagate_positions=True, maybe_placeholders=False)
    assert _canonical(*other.memo_serialize([TerminalDef, Rule])) != shipped
    assert "Mozilla Public License" in (ROOT / "bandstand" / "dsl" / "_lalr.py").read_text(encoding="utf-8")[:2000]


def test_the_rule_parser_reads_nothing_from_the_cache(fresh_cache):
    from bandstand.dsl import parser

    parser._parser.cache_clear()
    parser.parse_expression("lowest(children)")
    assert files_in(fresh_cache) == []
    assert schema.load_schema("evidence")  # untouched by the cache
