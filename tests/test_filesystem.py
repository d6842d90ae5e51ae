"""The filesystem is hostile too: no command writes into an input, and every OS refusal is one line, exit 2.

Issue 12, sections 2 and 3. Each test here reproduces something that went
wrong before: an output written over the framework or a CSV the evidence
names, modes lost, /dev/null unusable for an ordinary user, a temporary
file left behind by SIGTERM; a link loop, a name too long, a NUL byte, a
full disk or a closed pipe reported as a bug (exit 3) or exit 1; a FIFO
read until the end of time.

Root ignores permissions, so the tests about them drop to ``nobody`` in a
forked child when run as root (and are skipped, saying why, where that is
not possible); nothing here writes to a device as root.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bandstand.cli import main
from helpers import EXAMPLES, run

FRAMEWORK = EXAMPLES.parent.parent / "hmip-youth-2018.yaml"
NOBODY = 65534




def one_error_line(code: int, err: str) -> str:
    """The single line of an exit-2 refusal (no traceback, no 'internal error')."""
    lines = err.splitlines()
    assert code == 2, err
    assert len(lines) == 1, err
    assert "internal error" not in err and "Traceback" not in err
    return lines[0]


def fill(tmp_path: Path, monkeypatch) -> Path:
    shutil.copy(FRAMEWORK, tmp_path / "fw.yaml")
    shutil.copy(EXAMPLES / "bedfordshire-2021-csv.yaml", tmp_path / "ev.yaml")
    shutil.copy(EXAMPLES / "bedfordshire-2021-cases.csv", tmp_path)
    shutil.copy(EXAMPLES / "bedfordshire-2021-published.yaml", tmp_path / "pub.yaml")
    (tmp_path / "ext.yaml").write_text('bandstand: 1\nid: hmip-youth\nversion: "2018x"\ntitle: Extended\n'
                                       'status: draft\nextends: fw.yaml\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BANDSTAND_PATH", raising=False)
    return tmp_path


@pytest.fixture
def work(tmp_path, monkeypatch) -> Path:
    """A folder holding the 2018 framework (fw.yaml), Bedfordshire's evidence naming its CSV of cases
    (ev.yaml, bedfordshire-2021-cases.csv), its published results (pub.yaml) and a framework extending
    the 2018 one (ext.yaml); the working directory."""
    return fill(tmp_path, monkeypatch)


@pytest.fixture
def open_work(monkeypatch):
    """The same, in a folder every user can reach (pytest's own is its owner's alone), for tests run as nobody."""
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="bandstand-fs-"))
    folder.chmod(0o755)
    try:
        yield fill(folder, monkeypatch)
    finally:
        for p in folder.rglob("*"):
            if p.is_dir() and not p.is_symlink():
                p.chmod(0o755)
        shutil.rmtree(folder)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.is_symlink()}


# -- 2. no command writes into an input ------------------------------------------------------------------

CSV = "bedfordshire-2021-cases.csv"
OVER_AN_INPUT = [
    # (command line, the input named by --output): every command, every mode, every kind of input
    (["evaluate", "fw.yaml", "ev.yaml", "pub.yaml"], "fw.yaml"),  # batch: the framework
    (["evaluate", "fw.yaml", "ev.yaml", "pub.yaml"], CSV),  # batch: a CSV named inside an evidence file
    (["evaluate", "fw.yaml", "ev.yaml", "pub.yaml", "--format", "jsonl"], CSV),
    (["evaluate", "ext.yaml", "pub.yaml"], "fw.yaml"),  # one inspection: the base the framework extends
    (["evaluate", "ext.yaml", "ev.yaml", "pub.yaml"], "fw.yaml"),  # batch: the base
    (["evaluate", "fw.yaml", "ev.yaml"], CSV),
    (["evaluate", "fw.yaml", "ev.yaml", "pub.yaml"], "link-to-fw.json"),  # through a link to the framework
    (["evaluate", "fw.yaml", "ev.yaml", "pub.yaml"], "hardlink-to-csv.txt"),  # a second name of the CSV
    (["stability", "ext.yaml", "ev.yaml", "--resamples", "3"], "fw.yaml"),
    (["compare", "ext.yaml", "fw.yaml", "pub.yaml"], "fw.yaml"),
    (["compare", "fw.yaml", "fw.yaml", "ev.yaml", "pub.yaml"], CSV),
    (["diff", "ext.yaml", "pub.yaml"], "fw.yaml"),
]


@pytest.mark.parametrize("argv, target", OVER_AN_INPUT, ids=[f"{a[0]}-{len(a)}-{t}" for a, t in OVER_AN_INPUT])
def test_output_over_any_input_is_refused_in_every_command_and_mode(argv, target, work, capsys):
    (work / "link-to-fw.json").symlink_to("fw.yaml")
    os.link(work / CSV, work / "hardlink-to-csv.txt")
    if argv[0] == "diff":
        argv = ["diff", "ext.yaml", "fw.yaml"]
    before = snapshot(work)
    code, out, err = run(capsys, *argv, "--output", target)
    line = err.splitlines()[-1]
    assert code == 2, err
    assert line == (f"{target}: error: {target} is an input of this command; bandstand never writes over its "
                    "inputs: choose another --output [input.output]")
    assert snapshot(work) == before  # nothing written, no temporary file left
    assert (work / "link-to-fw.json").is_symlink()


def test_output_through_a_link_writes_the_file_it_points_to_and_keeps_the_link(work, capsys):
    (work / "results").mkdir()
    (work / "results" / "latest.txt").write_text("old\n", encoding="utf-8")
    (work / "latest.txt").symlink_to("results/latest.txt")
    code, out, err = run(capsys, "evaluate", "fw.yaml", "pub.yaml", "--output", "latest.txt")
    assert code == 0, err
    assert (work / "latest.txt").is_symlink()
    assert (work / "results" / "latest.txt").read_text(encoding="utf-8").startswith("Bedfordshire YOS")


def test_output_keeps_an_existing_files_permission_bits(work, capsys):
    target = work / "result.txt"
    target.write_text("old\n", encoding="utf-8")
    for mode in (0o644, 0o640, 0o664, 0o600):
        target.chmod(mode)
        code, _, err = run(capsys, "evaluate", "fw.yaml", "ev.yaml", "pub.yaml", "--output", target.name)
        assert code == 0, err
        assert stat.S_IMODE(target.stat().st_mode) == mode
        code, _, err = run(capsys, "evaluate", "fw.yaml", "pub.yaml", "--output", target.name)
        assert code == 0, err
        assert stat.S_IMODE(target.stat().st_mode) == mode


@pytest.mark.parametrize("umask", [0o022, 0o027, 0o002])
def test_a_new_output_file_gets_the_mode_the_umask_gives(umask, work, capsys):
    old = os.umask(umask)
    try:
        code, _, err = run(capsys, "evaluate", "fw.yaml", "pub.yaml", "--output", "new.txt")
        code2, _, err2 = run(capsys, "evaluate", "fw.yaml", "ev.yaml", "pub.yaml", "--output", "new-batch.txt")
    finally:
        os.umask(old)
    assert (code, code2) == (0, 0), err + err2
    for name in ("new.txt", "new-batch.txt"):
        assert stat.S_IMODE((work / name).stat().st_mode) == 0o666 & ~umask


def in_child(fn, *, as_nobody: bool) -> dict:
    """``fn()`` (returning a JSON-able value) in a forked child, as ``nobody`` when asked and we are root."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        status = 0
        try:
            os.close(r)
            if as_nobody and os.geteuid() == 0:
                os.setgroups([])
                os.setgid(NOBODY)
                os.setuid(NOBODY)
            result = fn()
        except BaseException as e:  # noqa: BLE001
            result, status = {"child error": repr(e)}, 1
        with os.fdopen(w, "w") as fh:
            json.dump(result, fh)
        os._exit(status)
    os.close(w)
    with os.fdopen(r) as fh:
        text = fh.read()
    os.waitpid(pid, 0)
    result = json.loads(text)
    assert "child error" not in result, result
    return result


def main_in_child(argv: list[str], stdout_to: int | None = None) -> dict:
    """``bandstand ARGV`` run by :func:`main` in this (forked) process; its exit code and standard error."""
    import io

    err_r, err_w = os.pipe()
    os.dup2(err_w, 2)
    if stdout_to is not None:
        os.dup2(stdout_to, 1)
    sys.stdout = sys.__stdout__ = io.TextIOWrapper(open(1, "wb", closefd=False), encoding="utf-8")
    sys.stderr = sys.__stderr__ = io.TextIOWrapper(open(2, "wb", closefd=False), encoding="utf-8")
    try:
        main(argv)
        code = 0
    except SystemExit as e:
        code = e.code
    sys.stderr.flush()
    os.close(2)
    os.close(err_w)
    with os.fdopen(err_r, "rb") as fh:
        err = fh.read().decode("utf-8", "replace")
    return {"code": code, "err": err}


def test_output_to_dev_null_and_dev_stdout_works_for_any_user(open_work, capsys):
    """Not root: root could create files in /dev (and the code before this replaced /dev/null itself)."""
    if not stat.S_ISCHR(os.stat("/dev/null").st_mode):
        pytest.skip("/dev/null is not a character device on this machine")
    work = open_work
    work.chmod(0o755)
    for p in work.iterdir():
        p.chmod(0o644)
    run(capsys, "evaluate", "fw.yaml", "pub.yaml")  # every module imported before the child drops privileges
    got = in_child(lambda: main_in_child(["evaluate", "fw.yaml", "pub.yaml", "--output", "/dev/null"]),
                   as_nobody=True)
    assert got == {"code": 0, "err": ""}
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)

    out_r, out_w = os.pipe()
    got = in_child(lambda: main_in_child(["evaluate", "fw.yaml", "pub.yaml", "--output", "/dev/stdout"], out_w),
                   as_nobody=True)
    os.close(out_w)
    with os.fdopen(out_r, "rb") as fh:
        printed = fh.read().decode("utf-8")
    assert got == {"code": 0, "err": ""}
    assert printed.startswith("Bedfordshire YOS: hmip-youth@2018")
    assert not [p for p in Path("/dev").iterdir() if p.name.endswith(".tmp")]


TERMINATED = """
import os, sys, time
import bandstand.cli as c
real = os.fsync
def slow_fsync(fd):
    real(fd)
    open(sys.argv[1], "w").close()  # the temporary file is written and synced: say so, then wait
    time.sleep(60)
os.fsync = slow_fsync
c.main(["evaluate", "hmip-youth@2018", sys.argv[2], sys.argv[2], "--format", "json", "--output", sys.argv[3]])
"""


def test_sigterm_removes_the_temporary_file_and_leaves_the_old_output_whole(tmp_path):
    target = tmp_path / "out" / "result.json"
    target.parent.mkdir()
    target.write_text("the previous result\n", encoding="utf-8")
    ready = tmp_path / "ready"
    proc = subprocess.Popen([sys.executable, "-c", TERMINATED, str(ready),
                             str(EXAMPLES / "bedfordshire-2021-published.yaml"), str(target)],
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not ready.exists():
            assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read()
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 143, err
    assert err.strip() == "bandstand: terminated"
    assert target.read_text(encoding="utf-8") == "the previous result\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["result.json"]


# -- 3. ordinary OS conditions are exit 2 with one line ----------------------------------------------------

LONG_NAME = "x" * 300 + ".yaml"  # over NAME_MAX (255) everywhere
LONG_PATH = "d/" * 2500 + "e.yaml"  # over PATH_MAX (4096)


def _loop(work: Path) -> None:
    (work / "loop-a").symlink_to("loop-b")
    (work / "loop-b").symlink_to("loop-a")


def _named(work: Path, cases: str | None = None, extends: str | None = None) -> None:
    if cases is not None:
        (work / "named.yaml").write_text(f"framework: hmip-youth@2018\nsubject: X\ncases: {json.dumps(cases)}\n"
                                         "partial: true  # no judgements: only the path is at fault\n",
                                         encoding="utf-8")
    if extends is not None:
        (work / "named.yaml").write_text('bandstand: 1\nid: hmip-youth\nversion: "2018y"\ntitle: Y\nstatus: draft\n'
                                         f"extends: {json.dumps(extends)}\n", encoding="utf-8")


OS_CONDITIONS = {
    # name: (set-up, command line, what the one line must hold)
    "loop-as-cases": (lambda w: (_loop(w), _named(w, cases="loop-a")), ["evaluate", "fw.yaml", "named.yaml"],
                      ["named.yaml:3:8: error: cannot read loop-a: a symbolic link loop"]),
    "loop-as-extends": (lambda w: (_loop(w), _named(w, extends="./loop-a")), ["evaluate", "named.yaml", "pub.yaml"],
                        ["named.yaml:6:10: error: cannot read ./loop-a: a symbolic link loop"]),
    "loop-as-framework": (_loop, ["evaluate", "loop-a", "pub.yaml"],
                          ["loop-a: error: cannot read loop-a: a symbolic link loop"]),
    "loop-as-evidence": (_loop, ["evaluate", "fw.yaml", "loop-a"],
                         ["loop-a: error: cannot read loop-a: a symbolic link loop"]),
    "loop-as-output": (_loop, ["evaluate", "fw.yaml", "pub.yaml", "-o", "loop-a"],
                       ["loop-a: error: cannot write loop-a: a symbolic link loop"]),
    "long-name-evidence": (None, ["evaluate", "fw.yaml", LONG_NAME],
                           ["cannot read xxxxxxxx", "(305 characters): the name is longer than the system allows"]),
    "long-name-as-cases": (lambda w: _named(w, cases=LONG_NAME), ["evaluate", "fw.yaml", "named.yaml"],
                           ["named.yaml:3:8: error: cannot read xxx", "the name is longer than the system allows"]),
    "long-name-output": (None, ["evaluate", "fw.yaml", "pub.yaml", "-o", LONG_NAME],
                         ["cannot write xxxxxxxx", "the name is longer than the system allows [input.output]"]),
    "long-path-evidence": (None, ["evaluate", "fw.yaml", LONG_PATH],
                           ["cannot read d/d/d/", "(5006 characters): the name is longer than the system allows"]),
    "long-path-framework": (None, ["evaluate", "x" * 5000, "pub.yaml"],
                            ["cannot read xxxx", "(5000 characters): the name is longer than the system allows"]),
    "long-framework-name": (None, ["evaluate", "x" * 5000 + "@2018", "pub.yaml"],
                            ["@2018 (5005 characters): the name is longer than the system allows"]),
    "long-path-output": (None, ["evaluate", "fw.yaml", "pub.yaml", "-o", LONG_PATH],
                         ["cannot write d/d/d/", "the name is longer than the system allows [input.output]"]),
    "nul-in-cases": (lambda w: _named(w, cases="a\0b.csv"), ["evaluate", "fw.yaml", "named.yaml"],
                     [r"named.yaml:3:8: error: cannot read a\x00b.csv: the path holds a NUL byte [input.path]"]),
    "nul-in-extends": (lambda w: _named(w, extends="a\0b.yaml"), ["evaluate", "named.yaml", "pub.yaml"],
                       [r"named.yaml:6:10: error: cannot read a\x00b.yaml: the path holds a NUL byte"]),
    "nul-in-evidence": (None, ["evaluate", "fw.yaml", "p\0ub.yaml"],
                        [r"cannot read p\x00ub.yaml: the path holds a NUL byte [input.path]"]),
    "nul-in-output": (None, ["evaluate", "fw.yaml", "pub.yaml", "-o", "o\0.txt"],
                      [r"cannot write o\x00.txt: the path holds a NUL byte [input.output]"]),
    "output-in-a-file": (None, ["evaluate", "fw.yaml", "pub.yaml", "-o", "fw.yaml/out.txt"],
                         ["fw.yaml/out.txt: error: cannot write fw.yaml/out.txt: fw.yaml is not a folder"]),
    "directory-as-extends": (lambda w: ((w / "dir.yaml").mkdir(), _named(w, extends="dir.yaml")),
                             ["evaluate", "named.yaml", "pub.yaml"],
                             ["named.yaml:6:10: error: dir.yaml is not a regular file but a folder"]),
}


@pytest.mark.parametrize("name", list(OS_CONDITIONS))
def test_an_unusable_path_is_one_line_and_exit_2(name, work, capsys):
    setup, argv, expected = OS_CONDITIONS[name]
    if setup is not None:
        setup(work)
    before = snapshot(work)
    code, out, err = run(capsys, *argv)
    line = one_error_line(code, err)
    for part in expected:
        assert part in line, line
    assert len(line) < 800  # a 5000-character path is shown by its start and end
    assert snapshot(work) == before


FIFO_CASES = {
    "fifo-as-evidence": (["evaluate", "fw.yaml", "fifo.yaml"],
                         "fifo.yaml: error: fifo.yaml is not a regular file but a FIFO (named pipe); expected a file "
                         "[input.not-regular]"),
    "fifo-as-cases": (["evaluate", "fw.yaml", "named.yaml"],
                      "named.yaml:3:8: error: fifo.csv is not a regular file but a FIFO (named pipe); expected a file "
                      "[input.not-regular]"),
    "fifo-as-framework": (["evaluate", "fifo.yaml", "pub.yaml"],
                          "fifo.yaml: error: fifo.yaml is not a regular file but a FIFO (named pipe); expected a file "
                          "[input.not-regular]"),
    "fifo-as-extends": (["evaluate", "ext-fifo.yaml", "pub.yaml"],
                        "ext-fifo.yaml:6:10: error: fifo.yaml is not a regular file but a FIFO (named pipe); expected "
                        "a file [extend.base]"),
    "fifo-validated": (["validate", "fifo.yaml"], None),
    "device-as-evidence": (["evaluate", "fw.yaml", "/dev/zero"],
                           "/dev/zero: error: /dev/zero is not a regular file but a character device; expected a file "
                           "[input.not-regular]"),
    "device-as-framework": (["evaluate", "/dev/zero", "pub.yaml"],
                            "/dev/zero: error: /dev/zero is not a regular file but a character device; expected a "
                            "file [input.not-regular]"),
}


def cap_memory():  # in the child before exec: /dev/zero read whole would take all the memory there is
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (1024 * 2**20, 1024 * 2**20))


@pytest.mark.parametrize("name", list(FIFO_CASES))
def test_a_fifo_or_device_given_as_a_file_is_refused_at_once(name, work):
    """In a subprocess with a timeout and a memory cap: a FIFO with no writer would be waited on for ever,
    /dev/zero read for ever."""
    os.mkfifo(work / "fifo.yaml")
    os.mkfifo(work / "fifo.csv")
    _named(work, cases="fifo.csv")
    (work / "ext-fifo.yaml").write_text('bandstand: 1\nid: hmip-youth\nversion: "2018y"\ntitle: Y\nstatus: draft\n'
                                        "extends: fifo.yaml\n", encoding="utf-8")
    argv, expected = FIFO_CASES[name]
    env = {k: v for k, v in os.environ.items() if k != "BANDSTAND_PATH"}
    proc = subprocess.run([sys.executable, "-m", "bandstand", *argv], cwd=work, env=env, capture_output=True,
                          text=True, timeout=60, preexec_fn=cap_memory)
    if expected is None:  # validate prints its findings on standard output
        assert proc.returncode == 2
        assert proc.stdout.splitlines() == ["fifo.yaml: error: fifo.yaml is not a regular file but a FIFO (named "
                                            "pipe); expected a file [input.not-regular]"]
    else:
        assert one_error_line(proc.returncode, proc.stderr) == expected


def test_output_where_the_user_may_not_write_is_one_line_and_exit_2(open_work, capsys):
    work = open_work
    (work / "read-only").mkdir()
    (work / "kept.txt").write_text("kept\n", encoding="utf-8")
    work.chmod(0o755)
    for p in work.iterdir():
        p.chmod(0o755 if p.is_dir() else 0o644)
    (work / "read-only").chmod(0o555)
    (work / "kept.txt").chmod(0o444)
    run(capsys, "evaluate", "fw.yaml", "pub.yaml")  # every module imported before the child drops privileges
    for target in ("read-only/out.txt", "kept.txt"):
        # B023: in_child calls the lambda (in its child) before this iteration ends
        got = in_child(lambda: main_in_child(["evaluate", "fw.yaml", "pub.yaml", "--output", target]),  # noqa: B023
                       as_nobody=True)
        assert got == {"code": 2, "err": f"{target}: error: cannot write {target}: permission denied "
                                         "[input.output]\n"}, got
    assert (work / "kept.txt").read_text(encoding="utf-8") == "kept\n"
    assert list((work / "read-only").iterdir()) == []


def test_a_full_disk_while_writing_the_output_is_one_line_and_exit_2(work, capsys, monkeypatch):
    target = work / "result.txt"
    target.write_text("the previous result\n", encoding="utf-8")
    real_fdopen = os.fdopen

    class FullDisk:
        def __init__(self, fh):
            self.fh = fh

        def write(self, text):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def __getattr__(self, name):
            return getattr(self.fh, name)

    monkeypatch.setattr(os, "fdopen", lambda *a, **k: FullDisk(real_fdopen(*a, **k)))
    for argv in (["evaluate", "fw.yaml", "pub.yaml"], ["evaluate", "fw.yaml", "ev.yaml", "pub.yaml"]):
        code, out, err = run(capsys, *argv, "--output", "result.txt")
        assert one_error_line(code, err) == ("result.txt: error: cannot write result.txt: no space left on the "
                                             "device [input.output]")
        assert target.read_text(encoding="utf-8") == "the previous result\n"
        assert sorted(p.name for p in work.iterdir() if p.name.startswith(".")) == []


def full_device() -> str:
    if not (os.path.exists("/dev/full") and stat.S_ISCHR(os.stat("/dev/full").st_mode)):
        pytest.skip("no /dev/full character device on this machine")
    return "/dev/full"


def test_output_to_a_full_device_is_one_line_and_exit_2(open_work, capsys):
    """As nobody: root could replace the device itself (the code before this did)."""
    device = full_device()
    run(capsys, "evaluate", "fw.yaml", "pub.yaml")  # every module imported before the child drops privileges
    got = in_child(lambda: main_in_child(["evaluate", "fw.yaml", "pub.yaml", "--output", device]), as_nobody=True)
    assert got == {"code": 2, "err": f"{device}: error: cannot write {device}: no space left on the device "
                                     "[input.output]\n"}
    assert stat.S_ISCHR(os.stat(device).st_mode)  # the device is still a device


def test_standard_output_on_a_full_device_is_one_line_and_exit_2(work):
    device = full_device()
    env = {k: v for k, v in os.environ.items() if k != "BANDSTAND_PATH"}
    with open(device, "w") as full:
        proc = subprocess.run([sys.executable, "-m", "bandstand", "evaluate", "fw.yaml", "pub.yaml"], cwd=work,
                              env=env, stdout=full, stderr=subprocess.PIPE, text=True, timeout=60)
    assert one_error_line(proc.returncode, proc.stderr) == ("bandstand: error: cannot write standard output: no "
                                                            "space left on the device [input.output]")


def test_a_closed_pipe_ends_quietly_with_the_sigpipe_status(work):
    """``bandstand ... | head -1``: the reader goes away; exit 141 (128 + SIGPIPE), nothing on standard error."""
    many = work / "many"
    many.mkdir()
    for i in range(40):
        shutil.copy(work / "pub.yaml", many / f"e{i:02}.yaml")
    env = {k: v for k, v in os.environ.items() if k != "BANDSTAND_PATH"}
    proc = subprocess.Popen([sys.executable, "-m", "bandstand", "evaluate", "fw.yaml", "many", "--format", "jsonl"],
                            cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = proc.stdout.readline()
    proc.stdout.close()  # as head does after its first line
    err = proc.stderr.read().decode()
    proc.wait(timeout=120)
    assert first.startswith(b"{")
    assert proc.returncode == 141, err
    assert err == ""


def test_output_to_a_fifo_is_written_when_read_and_refused_at_once_when_not(work, capsys):
    """Process substitution (``--output >(gzip > x)``) is a pipe: it must work; a FIFO nobody reads must not hang."""
    os.mkfifo(work / "unread")
    code, out, err = run(capsys, "evaluate", "fw.yaml", "pub.yaml", "--output", "unread")
    assert one_error_line(code, err) == "unread: error: cannot write unread: no process is reading the FIFO " \
                                        "[input.output]"
    os.mkfifo(work / "read")
    reader = os.open(work / "read", os.O_RDONLY | os.O_NONBLOCK)  # a reader (the output, ~5 kB, fits the pipe)
    try:
        code, out, err = run(capsys, "evaluate", "fw.yaml", "pub.yaml", "--output", "read")
        os.set_blocking(reader, True)
        printed = b"".join(iter(lambda: os.read(reader, 65536), b""))
    finally:
        os.close(reader)
    assert code == 0, err
    assert printed.decode("utf-8").startswith("Bedfordshire YOS: hmip-youth@2018")
    assert stat.S_ISFIFO(os.lstat(work / "read").st_mode)
