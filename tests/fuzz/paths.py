"""Fuzzing the filesystem around the files: odd paths and odd kinds of file in every place a path goes.

    python tests/fuzz/paths.py --runs 5000 --seed 1

The content fuzzer (``mutate.py``, ``run.py``) changes the bytes of files;
this one changes what the paths name. Each run builds a folder holding a
framework, evidence naming a CSV of cases, published results and a
framework extending the first, then puts one odd thing in one place:

* places: the framework, the evidence (named, or found in a folder), the
  ``cases:`` an evidence file names, the ``extends:`` of a framework, a file
  given to ``validate``, a ``--crosswalk``, and ``--output`` (one inspection
  or many);
* things: nothing (missing), a folder, a FIFO, a device, a symbolic link
  loop (of one link or two), a dangling link, a name over NAME_MAX, a path
  over PATH_MAX, a NUL byte, odd bytes in a name (line breaks, escapes, bidi
  overrides, a byte that is not UTF-8), an empty file, an unreadable file, a
  read-only folder or file as the output, a full device as the output, and
  an output that is an input under another name (a link, a hard link, a
  path through ``..``).

Every run must end with exit 0, 1 or 2, each line on standard error one
line of the documented forms, no internal error, within ``--timeout``
seconds; no input changed, no temporary file left, and no device replaced.
Anything else is a finding, printed with the seed that rebuilds it.

Root ignores permissions: run as root, the unreadable and read-only cases
are still made but read and written as they are (their outcome is then
exit 0, which is right for root), and the devices written to are nodes
made in the run's own folder, so a defect can only ever replace those.
``tests/test_fuzz.py`` runs a few dozen of these on every test run.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
import re
import shutil
import signal
import stat
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
BUNDLED = ROOT / "frameworks"
EXAMPLES = BUNDLED / "examples" / "hmip-youth-2018"
CROSSWALK = BUNDLED / "crosswalks" / "hmip-youth-2018-to-cci-2011.yaml"

PLACES = ["framework", "evidence", "evidence-in-folder", "cases", "extends", "validate", "crosswalk", "output",
          "output-batch"]
THINGS = ["regular", "missing", "folder", "fifo", "device", "loop", "self-loop", "dangling", "long-name",
          "long-path", "nul", "odd-bytes", "empty", "unreadable", "read-only", "full", "an-input"]
OUTPUT_ONLY = {"read-only", "full", "an-input"}

#: the lines bandstand may print on standard error
LINE = re.compile(r"^(\S.*?(?::\d+:\d+)?|bandstand): error: .+ \[[a-z0-9]+\.[a-z0-9-]+\]$"
                  r"|^\S.*: warning: .+$|^bandstand: (using .+|\d+ inspections? evaluated.*)$")

INPUTS = ["fw.yaml", "ev.yaml", "cases.csv", "pub.yaml", "ext.yaml", "cw.yaml"]


class Finding(Exception):
    pass


class Timeout(BaseException):
    pass


@dataclass
class Scenario:
    place: str
    thing: str
    name: str = ""
    argv: list[str] = field(default_factory=list)
    devices: list[str] = field(default_factory=list)  # device nodes that must still be devices after


def _device(folder: Path, name: str, minor: int) -> str:
    """A character device to write to: a node made here as root (only it could ever be replaced), else /dev's."""
    if os.geteuid() == 0:
        path = folder / name
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, minor))
        return str(path)
    return {3: "/dev/null", 7: "/dev/full"}[minor]


def build(folder: Path, place: str, thing: str, rng: random.Random) -> Scenario:
    """The inputs, and the one odd thing in one place; the command line that meets it."""
    shutil.copy(BUNDLED / "hmip-youth-2018.yaml", folder / "fw.yaml")
    shutil.copy(EXAMPLES / "bedfordshire-2021-csv.yaml", folder / "ev.yaml")
    (folder / "ev.yaml").write_text((folder / "ev.yaml").read_text(encoding="utf-8")
                                    .replace("bedfordshire-2021-cases.csv", "cases.csv"), encoding="utf-8")
    shutil.copy(EXAMPLES / "bedfordshire-2021-cases.csv", folder / "cases.csv")
    shutil.copy(EXAMPLES / "bedfordshire-2021-published.yaml", folder / "pub.yaml")
    shutil.copy(CROSSWALK, folder / "cw.yaml")
    (folder / "ext.yaml").write_text('bandstand: 1\nid: hmip-youth\nversion: "2018x"\ntitle: X\nstatus: draft\n'
                                     "extends: fw.yaml\n", encoding="utf-8")
    s = Scenario(place, thing)
    output = place.startswith("output")
    suffix = {"cases": ".csv", "output": ".txt", "output-batch": ".txt"}.get(place, ".yaml")
    content = {"framework": "fw.yaml", "extends": "fw.yaml", "validate": "fw.yaml", "crosswalk": "cw.yaml",
               "cases": "cases.csv"}.get(place, "pub.yaml")
    name = "thing" + suffix

    if thing == "regular":
        if not output:
            shutil.copy(folder / content, folder / name)
    elif thing == "missing":
        name = "missing" + suffix
    elif thing == "folder":
        (folder / name).mkdir()
    elif thing == "fifo":
        os.mkfifo(folder / name)
    elif thing == "device":
        if output:
            name = _device(folder, "null-device", 3)
            s.devices.append(name)
        else:
            (folder / name).symlink_to(rng.choice(["/dev/zero", "/dev/null", "/dev/urandom"]))
    elif thing == "loop":
        (folder / name).symlink_to("other")
        (folder / "other").symlink_to(name)
    elif thing == "self-loop":
        (folder / name).symlink_to(name)
    elif thing == "dangling":
        (folder / name).symlink_to("nowhere/at/all" + suffix)
    elif thing == "long-name":
        name = "n" * rng.randint(256, 1200) + suffix
    elif thing == "long-path":
        name = rng.choice(["d/", "./", "x/../"]) * rng.randint(1100, 2600) + "f" + suffix
    elif thing == "nul":
        cut = rng.randint(0, len(name))
        name = name[:cut] + "\0" + name[cut:]
    elif thing == "odd-bytes":
        odd = rng.choice(["\n", "\t", "\x1b[2J", "\u202e", " ", "\udcff", "\r", ":1:1: error: ", "\\", "'", '"'])
        name = "a" + odd + "b" + suffix
        if not output:
            try:
                shutil.copy(folder / content, folder / name)
            except (OSError, UnicodeEncodeError):
                pass
    elif thing == "empty":
        if not output:
            (folder / name).write_bytes(b"")
    elif thing == "unreadable":
        if not output:
            shutil.copy(folder / content, folder / name)
            (folder / name).chmod(0)
    elif thing == "read-only":
        if rng.random() < 0.5:
            (folder / "ro").mkdir(mode=0o555)
            name = "ro/" + name
        else:
            (folder / name).write_text("old\n", encoding="utf-8")
            (folder / name).chmod(0o444)
    elif thing == "full":
        name = _device(folder, "full-device", 7)
        s.devices.append(name)
    elif thing == "an-input":
        victim = rng.choice(["fw.yaml", "cases.csv", "ev.yaml"] + (["pub.yaml"] if place == "output-batch" else []))
        how = rng.choice(["link", "hardlink", "dots", "same"])
        if how == "link":
            (folder / name).symlink_to(victim)
        elif how == "hardlink":
            os.link(folder / victim, folder / name)
        elif how == "dots":
            (folder / "sub").mkdir()
            name = "sub/../" + victim
        else:
            name = victim

    s.name = name
    if place == "framework":
        s.argv = ["evaluate", name, "pub.yaml"]
    elif place == "evidence":
        s.argv = ["evaluate", "fw.yaml", name]
    elif place == "evidence-in-folder":
        batch = folder / "batch"
        batch.mkdir()
        shutil.copy(folder / "pub.yaml", batch / "a.yaml")
        if thing not in ("missing", "long-name", "long-path", "nul") and os.path.lexists(folder / name):
            os.rename(folder / name, batch / name)
        s.argv = ["evaluate", "fw.yaml", "batch"]
    elif place == "cases":
        (folder / "named.yaml").write_text("framework: hmip-youth@2018\nsubject: X\ncases: "
                                           f"{_yaml_string(name)}\n", encoding="utf-8")
        s.argv = ["evaluate", "fw.yaml", "named.yaml"]
    elif place == "extends":
        (folder / "named.yaml").write_text('bandstand: 1\nid: hmip-youth\nversion: "2018y"\ntitle: Y\nstatus: '
                                           f"draft\nextends: {_yaml_string(name)}\n", encoding="utf-8")
        s.argv = ["evaluate", "named.yaml", "pub.yaml"]
    elif place == "validate":
        s.argv = ["validate", name]
    elif place == "crosswalk":
        s.argv = ["compare", "hmip-youth@2018", "hmip-youth-cci@2011", "pub.yaml", "--crosswalk", name]
    elif place == "output":
        s.argv = ["evaluate", "fw.yaml", "ev.yaml", "--output", name]
    else:
        s.argv = ["evaluate", rng.choice(["fw.yaml", "ext.yaml"]), "ev.yaml", "pub.yaml", "--format",
                  rng.choice(["text", "json", "jsonl"]), "--output", name]
    return s


def _yaml_string(text: str) -> str:
    """``text`` as a double-quoted YAML scalar (NUL and other control characters escaped)."""
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or 0xD800 <= ord(ch) <= 0xDFFF:
            out.append(f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else "?")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _digests(folder: Path) -> dict[str, bytes]:
    out = {}
    for name in INPUTS:
        p = folder / name
        if p.is_file():
            out[name] = p.read_bytes()
    return out


def _alarm(signum, frame):
    raise Timeout()


def check(place: str, thing: str, seed: int, timeout: float = 20.0) -> int:
    """Build the scenario of ``seed`` in a fresh folder, run it, and raise :class:`Finding` if anything is wrong.

    Returns the exit code.
    """
    from bandstand.cli import main

    rng = random.Random(seed)
    folder = Path(tempfile.mkdtemp(prefix="bandstand-paths-"))
    cwd = os.getcwd()
    try:
        s = build(folder, place, thing, rng)
        before = _digests(folder)
        os.chdir(folder)
        out, err = io.StringIO(), io.StringIO()
        old = signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                try:
                    main(list(s.argv))
                    code = 0
                except SystemExit as e:
                    code = e.code
        except Timeout:
            raise Finding(f"{place}/{thing} (seed {seed}): no answer within {timeout}s") from None
        except MemoryError:
            raise Finding(f"{place}/{thing} (seed {seed}): out of memory") from None
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)
            os.chdir(cwd)
        problems = []
        if code not in (0, 1, 2):
            problems.append(f"exit {code}")
        text = err.getvalue()
        if "internal error" in text or "Traceback" in text:
            problems.append("an internal error")
        for line in text.splitlines():
            if not LINE.match(line):
                problems.append(f"a line of an unexpected form: {line[:200]!r}")
        if _digests(folder) != before:
            problems.append("an input changed")
        left = [p.name for p in folder.rglob(".*.tmp")]
        if left:
            problems.append(f"temporary files left: {left}")
        for device in s.devices:
            if not stat.S_ISCHR(os.stat(device).st_mode):
                problems.append(f"the device {device} was replaced")
        if problems:
            raise Finding(f"{place}/{thing} (seed {seed}, argv {s.argv!r:.300}): {'; '.join(problems)}; "
                          f"stderr: {text[-400:]!r}")
        return code
    finally:
        for p in folder.rglob("*"):
            with contextlib.suppress(OSError):
                if p.is_dir() and not p.is_symlink():
                    p.chmod(0o755)
                elif p.is_file() and not p.is_symlink():
                    p.chmod(0o644)
        shutil.rmtree(folder, ignore_errors=True)


def pairs() -> list[tuple[str, str]]:
    """Every (place, thing) that makes sense: the output-only things only where the output goes."""
    return [(p, t) for p in PLACES for t in THINGS
            if (t not in OUTPUT_ONLY or p.startswith("output"))]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=20.0, help="seconds one run may take")
    ap.add_argument("--memory-mb", type=int, default=2048, help="address space cap for the whole run")
    args = ap.parse_args(argv)
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (args.memory_mb * 2**20, args.memory_mb * 2**20))
    os.environ.pop("BANDSTAND_PATH", None)
    rng = random.Random(args.seed)
    every = pairs()
    findings: dict[str, str] = {}
    codes: dict[int, int] = {}
    for i in range(args.runs):
        place, thing = every[i % len(every)] if i < len(every) else rng.choice(every)
        seed = rng.randrange(2**32)
        try:
            code = check(place, thing, seed, args.timeout)
            codes[code] = codes.get(code, 0) + 1
        except Finding as f:
            key = f"{place}/{thing}"
            if key not in findings:
                findings[key] = str(f)
                print(f"FINDING {f}", flush=True)
    print(f"{args.runs} runs (seed {args.seed}) over {len(every)} places and things; exit codes "
          f"{dict(sorted(codes.items()))}; {len(findings)} distinct findings")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
