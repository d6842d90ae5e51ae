"""The guides' commands are run, and every output they quote must be what bandstand prints.

How a page is read (the convention for guide authors)
======================================================

Pages: every ``docs/guides/*.md``, ``docs/index.md`` and ``docs/install.md``. Each page is worked
through from top to bottom in a scratch folder of its own that holds a copy of the repository's
``frameworks/`` folder, as if the reader were at the root of a checkout. ``bandstand`` is this
checkout's bandstand (``python -m bandstand`` with this checkout first on ``PYTHONPATH``).

Commands
    Every line of a ```` ```sh ```` block is a command, run on its own with bash in the scratch
    folder (a line ending in ``\\`` continues on the next; ``# ...`` lines are comments). A
    ```` ```python ```` block is one command: the block, run with this Python. Other blocks
    (``yaml``, ``json``, ...) are not run.

Outputs
    A ```` ```text ```` block shows the standard output of a command above it. The text blocks
    between one command block and the next belong to that block:

    * with one command, each of them shows that command's output;
    * with several commands, there is one text block per command, in order (or none at all).

    A command none of whose output is shown must exit with status 0. A shown output is checked
    exactly; the exit status is checked only where the page shows it (``...; echo "exit $?"``).

Elisions, the only inexact matching
    * A line that is only ``...`` (indented or not) stands for one or more whole lines left out.
    * ``...`` inside a line stands for text left out of that line: a line ending in ``...``
      continues, ``a,...,z`` has cells left out between ``a,`` and ``,z``.

    Apart from these, each line must be the output's line exactly, in order, with no line more
    or less; spaces at the ends of lines and blank lines at the end of the output are ignored.

Paths
    The scratch folder's own path is removed from outputs, and the bundled frameworks' folder
    is shown as ``frameworks``: what a reader at the root of a checkout sees.

Directives
    An HTML comment ``<!-- guide-test: ... -->`` on the last non-blank line before a fenced block
    applies to that block; readers of the site do not see it.

    * ``skip``: the ``sh`` block is not run (it installs software, or starts a server).
    * ``write PATH``: the block's text is written to ``PATH`` in the scratch folder, there and
      then: it is the file the page tells the reader to make.
    * ``stderr``: the text block shows the command's standard error, not its standard output.
    * ``output of COMMAND``: the text block shows the output of ``COMMAND``, run there and then:
      for an output quoted without its command on the page, or under a skipped block.
    * ``contents of PATH``: the text block shows the contents of the file ``PATH`` in the
      scratch folder.

    On a line of its own, not before a block, ``<!-- guide-test: copy PATH -->`` copies the
    file ``PATH``, relative to the page (a file the page links to, for the reader to save),
    into the scratch folder, there and then.

A page that breaks these rules (a text block tied to no command, a count of text blocks that
does not match the commands) fails ``test_page_ties_every_output``.

A page shows what bandstand should print. Where bandstand has a bug, the page is not bent to
fit it: the command goes in ``KNOWN_BUGS``, with the reason, and its checks are expected to fail.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bandstand.catalogue import bundled_dir
from helpers import ROOT

DOCS = ROOT / "docs"
PAGES = sorted(p.relative_to(DOCS).as_posix() for p in (DOCS / "guides").glob("*.md")) + ["index.md", "install.md"]

#: (page, command as the page writes it) -> why what the page shows of it is expected to fail: a bug in
#: bandstand, not a stale quote (the checks of that command are then strict xfails, so a fix is noticed)
KNOWN_BUGS: dict[tuple[str, str], str] = {}

_FENCE = re.compile(r"^(\s*)```(\S*)\s*$")
_DIRECTIVE = re.compile(r"^\s*<!--\s*guide-test:\s*(.*?)\s*-->\s*$")
_TIMEOUT = 60


class PageError(Exception):
    """A page that does not follow the convention."""


@dataclass
class Command:
    text: str
    line: int
    python: bool = False
    shown: bool = False  # some text block shows its output


@dataclass
class Check:
    """A text block and what it shows."""

    page: str
    line: int
    expected: str
    command: Command | None = None
    stream: str = "stdout"
    contents_of: str | None = None

    @property
    def id(self) -> str:
        return f"{self.page}:{self.line}"


@dataclass
class Page:
    name: str
    # ("run", Command) | ("write", path, text) | ("copy", path) | ("contents", Check), in page order
    steps: list = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    commands: list[Command] = field(default_factory=list)


def _blocks(text: str):
    """(kind, line, lang, body, directive) in page order: kind is "block" or "directive"."""
    lines = text.splitlines()
    i, pending = 0, None
    while i < len(lines):
        line = lines[i]
        d = _DIRECTIVE.match(line)
        fence = _FENCE.match(line)
        if d:
            if pending is not None:
                yield "directive", pending[0], None, None, pending[1]
            pending = (i + 1, d.group(1))
        elif fence:
            indent, lang, start = fence.group(1), fence.group(2), i + 1
            body = []
            i += 1
            while i < len(lines) and not _FENCE.match(lines[i]):
                body.append(lines[i][len(indent):] if lines[i].startswith(indent) else lines[i].lstrip())
                i += 1
            directive = pending[1] if pending is not None else None
            pending = None
            yield "block", start, lang, "\n".join(body) + ("\n" if body else ""), directive
        elif line.strip() and pending is not None:
            yield "directive", pending[0], None, None, pending[1]
            pending = None
        i += 1
    if pending is not None:
        yield "directive", pending[0], None, None, pending[1]


def _commands(body: str, first_line: int) -> list[Command]:
    out: list[Command] = []
    joined, start = "", None
    for n, line in enumerate(body.splitlines(), first_line + 1):
        if not joined and (not line.strip() or line.lstrip().startswith("#")):
            continue
        start = start if joined else n
        if line.rstrip().endswith("\\"):
            joined += line.rstrip()[:-1] + " "
            continue
        out.append(Command(joined + line.strip(), start))
        joined = ""
    return out


def parse_page(name: str) -> Page:
    """The page's steps and checks, tied as the convention says; PageError when it cannot be."""
    page = Page(name)
    group: list[Command] | None = None
    texts: list[Check] = []

    def close_group():
        if group is not None and len(group) > 1 and texts and len(texts) != len(group):
            raise PageError(f"{name}:{group[0].line}: {len(group)} commands are followed by {len(texts)} text "
                            f"blocks: give one text block per command, or split the block")
        if group is not None and len(group) > 1:
            for check, command in zip(texts, group):
                check.command = command
                command.shown = True

    for kind, line, lang, body, directive in _blocks((DOCS / name).read_text(encoding="utf-8")):
        words = (directive or "").split(None, 1)
        verb, arg = (words[0], words[1] if len(words) > 1 else "") if words else (None, "")
        if kind == "directive":
            if verb != "copy" or not arg:
                raise PageError(f"{name}:{line}: '{directive}' is not a directive that stands on its own line")
            if not (DOCS / name).parent.joinpath(arg).is_file():
                raise PageError(f"{name}:{line}: copy {arg}: no such file beside the page")
            page.steps.append(("copy", arg))
            continue
        if verb == "write":
            if not arg:
                raise PageError(f"{name}:{line}: write needs a path")
            page.steps.append(("write", arg, body))
            continue
        if lang in ("sh", "python"):
            if verb not in (None, "skip"):
                raise PageError(f"{name}:{line}: '{directive}' does not apply to a {lang} block")
            close_group()
            texts = []
            if verb == "skip":
                group = None
                continue
            group = _commands(body, line) if lang == "sh" else [Command(body, line, python=True)]
            for command in group:
                page.steps.append(("run", command))
                page.commands.append(command)
            continue
        if lang != "text":
            if verb is not None:
                raise PageError(f"{name}:{line}: '{directive}' does not apply to a {lang} block")
            continue
        check = Check(name, line, body)
        if verb == "contents" and arg.startswith("of "):
            check.contents_of = arg[3:].strip()
            page.steps.append(("contents", check))
            page.checks.append(check)
            continue
        if verb == "output" and arg.startswith("of "):
            close_group()
            command = Command(arg[3:].strip(), line)
            page.steps.append(("run", command))
            page.commands.append(command)
            group, texts = [command], []
        elif verb == "stderr":
            check.stream = "stderr"
        elif verb is not None:
            raise PageError(f"{name}:{line}: '{directive}' is not a directive for a text block")
        if group is None:
            raise PageError(f"{name}:{line}: a text block that follows no command: say whose output it is "
                            f"(<!-- guide-test: output of COMMAND -->) or which file it shows")
        if len(group) == 1:
            check.command = group[0]
            group[0].shown = True
        texts.append(check)
        page.checks.append(check)
    close_group()
    return page


@dataclass
class Ran:
    stdout: str
    stderr: str
    status: int


def run_page(page: Page, folder: Path) -> dict[int, Ran]:
    """Work through the page's steps in ``folder``: what each command gave, and each file shown
    held at that point of the page, by id() of the command or check."""
    shutil.copytree(ROOT / "frameworks", folder / "frameworks")
    tools = folder.parent / f"{folder.name}-bin"
    tools.mkdir()
    (tools / "bandstand").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m bandstand "$@"\n', encoding="utf-8")
    (tools / "bandstand").chmod(0o755)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("BANDSTAND_") or k == "BANDSTAND_CACHE_DIR"}
    env.update(PATH=f"{tools}{os.pathsep}{os.environ.get('PATH', '')}", PYTHONPATH=str(ROOT),
               PYTHONIOENCODING="utf-8")
    env.pop("COLUMNS", None)
    ran: dict[int, Ran] = {}
    for step in page.steps:
        if step[0] == "copy":
            shutil.copy((DOCS / page.name).parent / step[1], folder / Path(step[1]).name)
        elif step[0] == "contents":
            shown = folder / step[1].contents_of
            text = shown.read_text(encoding="utf-8") if shown.is_file() else f"(no file {step[1].contents_of})\n"
            ran[id(step[1])] = Ran(text, "", 0)
        elif step[0] == "write":
            target = folder / step[1]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(step[2], encoding="utf-8")
        else:
            command: Command = step[1]
            argv = [sys.executable, "-c", command.text] if command.python else ["bash", "-c", command.text]
            done = subprocess.run(argv, cwd=folder, env=env, capture_output=True, text=True, timeout=_TIMEOUT)
            ran[id(command)] = Ran(_paths(done.stdout, folder), _paths(done.stderr, folder), done.returncode)
    return ran


def _paths(text: str, folder: Path) -> str:
    """Output as a reader at the root of a checkout sees it."""
    for real, shown in ((f"{folder}{os.sep}", ""), (str(folder), "."), (str(bundled_dir()), "frameworks"),
                        (str(ROOT / "frameworks"), "frameworks")):
        text = text.replace(real, shown)
    return text


def _pattern(lines: list[str]) -> str:
    out = []
    for line in lines:
        line = line.rstrip()
        if line.strip() == "...":
            out.append(r"(?:[^\n]*\n)+")
        else:
            out.append("[^\n]*".join(re.escape(part) for part in line.split("...")) + "\n")
    return "".join(out)


def matches(expected: str, actual: str) -> bool:
    """Does ``actual`` fit ``expected``, with its elisions (see the top of this file)?"""
    return re.fullmatch(_pattern(expected.rstrip("\n").splitlines()), _normal(actual)) is not None


def first_mismatch(expected: str, actual: str) -> str:
    """Where ``actual`` stops fitting ``expected``, in words."""
    lines, text = expected.rstrip("\n").splitlines(), _normal(actual)
    k = 0
    while k < len(lines) and re.match(_pattern(lines[:k + 1]), text):
        k += 1
    if k == len(lines):
        rest = text[re.match(_pattern(lines), text).end():].splitlines()
        return f"the output goes on after the quoted lines, with {rest[0]!r}" if rest else "?"
    done = re.match(_pattern(lines[:k]), text).end()
    there = text[done:].splitlines()
    return (f"quoted line {k + 1}, {lines[k]!r}, does not match; "
            + (f"the output has {there[0]!r} there" if there else "the output has ended"))


def _normal(text: str) -> str:
    lines = [line.rstrip() for line in text.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return "".join(line + "\n" for line in lines)


# -- the tests ------------------------------------------------------------------------------------


def _parsed() -> dict[str, Page | PageError]:
    out: dict[str, Page | PageError] = {}
    for name in PAGES:
        try:
            out[name] = parse_page(name)
        except PageError as e:
            out[name] = e
    return out


PARSED = _parsed()


CHECKS = {c.id: c for page in PARSED.values() if isinstance(page, Page) for c in page.checks}
UNSHOWN = {f"{page.name}:{c.line}": (page, c) for page in PARSED.values() if isinstance(page, Page)
           for c in page.commands if not c.shown}


def _with_bugs(test_id: str, page: str, command: Command | None):
    bug = KNOWN_BUGS.get((page, command.text)) if command is not None else None
    marks = [pytest.mark.xfail(reason=bug, strict=True)] if bug else []
    return pytest.param(test_id, id=test_id, marks=marks)


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    """Each page worked through once, on first use: page name -> {id(command): Ran}."""
    done: dict[str, dict[int, Ran]] = {}

    def get(page: Page) -> dict[int, Ran]:
        if page.name not in done:
            done[page.name] = run_page(page, tmp_path_factory.mktemp(page.name.replace("/", "-")))
        return done[page.name]

    return get


@pytest.mark.parametrize("name", PAGES)
def test_page_ties_every_output(name):
    page = PARSED[name]
    if isinstance(page, PageError):
        pytest.fail(str(page))


@pytest.mark.parametrize("check_id", [_with_bugs(i, c.page, c.command) for i, c in CHECKS.items()])
def test_quoted_output_is_what_bandstand_prints(check_id, ran):
    check = CHECKS[check_id]
    results = ran(PARSED[check.page])
    if check.contents_of is not None:
        actual, what = results[id(check)].stdout, f"the file {check.contents_of}"
    else:
        got = results[id(check.command)]
        actual = got.stdout if check.stream == "stdout" else got.stderr
        what = f"the {check.stream} of `{check.command.text}` (line {check.command.line}, exit status {got.status})"
    if not matches(check.expected, actual):
        other = ""
        if check.command is not None:
            stream = "stderr" if check.stream == "stdout" else "stdout"
            text = getattr(results[id(check.command)], stream)
            other = f"\n\nand its {stream}:\n{_indent(text)}" if text.strip() else ""
        pytest.fail(f"{check.id}: the block does not match {what}: {first_mismatch(check.expected, actual)}\n\n"
                    f"printed:\n{_indent(actual)}{other}", pytrace=False)


def _indent(text: str) -> str:
    return "".join("    " + line + "\n" for line in _normal(text).splitlines()) or "    (nothing)\n"


@pytest.mark.parametrize("command_id", [_with_bugs(i, p.name, c) for i, (p, c) in UNSHOWN.items()])
def test_commands_whose_output_is_not_shown_succeed(command_id, ran):
    page, command = UNSHOWN[command_id]
    got = ran(page)[id(command)]
    assert got.status == 0, (f"{command_id}: `{command.text}` exited with status {got.status}\n"
                             f"stdout:\n{got.stdout}\nstderr:\n{got.stderr}")


def test_known_bugs_name_commands_on_the_pages():
    commands = {(page.name, c.text) for page in PARSED.values() if isinstance(page, Page) for c in page.commands}
    assert set(KNOWN_BUGS) <= commands, f"not a command on its page: {sorted(set(KNOWN_BUGS) - commands)}"


# -- the checker itself ---------------------------------------------------------------------------


@pytest.mark.parametrize("expected, actual, ok", [
    ("a\nb\n", "a\nb\n", True),
    ("a\nb\n", "a\nb  \n\n", True),             # spaces at ends of lines, blank lines at the end
    ("a\nb\n", "a\nb\nc\n", False),             # a line more
    ("a\nb\n", "a\n", False),                   # a line less
    ("a\n...\nd\n", "a\nb\nc\nd\n", True),      # lines left out
    ("a\n  ...\nd\n", "a\nb\nd\n", True),
    ("a\n...\nb\n", "a\nb\n", False),           # ... is at least one line
    ("a\n...\n", "a\nb\n", True),
    ("ab...\n", "abc def\n", True),             # the line continues
    ("ab...\n", "xabc\n", False),
    ("a,...,z\n", "a,b,c,z\n", True),
    ("a,...,z\n", "a,b,c,y\n", False),
    ("  a  b\n", "  a b\n", False),             # spacing inside a line counts
])
def test_matching(expected, actual, ok):
    assert matches(expected, actual) is ok


def test_a_text_block_after_several_commands_must_be_one_per_command(tmp_path, monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "DOCS", tmp_path)
    (tmp_path / "p.md").write_text("```sh\nbandstand list\nbandstand list\n```\n\n```text\nx\n```\n", encoding="utf-8")
    with pytest.raises(PageError, match="2 commands are followed by 1 text blocks"):
        parse_page("p.md")
    (tmp_path / "p.md").write_text("Prose.\n\n```text\nx\n```\n", encoding="utf-8")
    with pytest.raises(PageError, match="follows no command"):
        parse_page("p.md")
