"""Print (or, with --write, store) what corpus cases give now.

    python tests/bad_inputs/record.py 042-yaml-tab-indentation       # print the case's expectations
    python tests/bad_inputs/record.py --write 042-yaml-tab-indentation

To add a case: make its folder with the input files and a case.yaml holding
``class``, ``title`` and ``args`` (and ``generate`` if needed), then run
this with --write, and read every recorded line before committing it: the
corpus states what bandstand *must* say, so a wrong message recorded here
is a bug made permanent.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from test_bad_inputs import materialise, spec_of  # noqa: E402

from bandstand.cli import main  # noqa: E402

ORDER = ("class", "title", "args", "generate", "crafted", "sys_path", "exit", "stdout", "stdout_includes", "stderr")


def run(case_dir: Path) -> tuple[int, list[str], list[str]]:
    with tempfile.TemporaryDirectory() as tmp:
        work = materialise(case_dir, Path(tmp))
        old, old_path = Path.cwd(), list(sys.path)
        os.chdir(work)
        sys.path[:0] = [str(work / folder) for folder in spec_of(case_dir).get("sys_path", ())]
        out, err = io.StringIO(), io.StringIO()
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                try:
                    main(list(spec_of(case_dir)["args"]))
                except SystemExit as e:
                    code = e.code
        finally:
            os.chdir(old)
            sys.path[:] = old_path
    return code, out.getvalue().splitlines(), err.getvalue().splitlines()


def dump(spec: dict) -> str:
    """case.yaml text: one key a line, strings as JSON (which is YAML), lists one item a line."""
    lines = []
    for key in ORDER:
        if key not in spec:
            continue
        value = spec[key]
        if key in ("stdout", "stdout_includes", "stderr") or (key == "args" and len(json.dumps(value)) > 100):
            if not value:
                lines.append(f"{key}: []")
                continue
            lines.append(f"{key}:")
            lines.extend(f"  - {json.dumps(v, ensure_ascii=False)}" for v in value)
        elif key == "generate":
            lines.append("generate:")
            for name, pieces in value.items():
                lines.append(f"  {name}:")
                lines.extend(f"    - {json.dumps(p, ensure_ascii=False)}" for p in pieces)
        elif key == "class":  # plain words
            lines.append(f"{key}: {value}")
        else:
            lines.append(f"{key}: {json.dumps(value, ensure_ascii=False)}")
    return "\n".join(lines) + "\n"


def main_(argv: list[str]) -> None:
    write = "--write" in argv
    for name in [a for a in argv if a != "--write"]:
        case_dir = HERE / name
        spec = spec_of(case_dir)
        code, out, err = run(case_dir)
        spec.update(exit=code, stderr=err)
        if "stdout_includes" in spec:  # kept as written: the lines the output must hold
            missing = [line for line in spec["stdout_includes"] if line not in out]
            if missing:
                print(f"# {name}: the output lacks {missing}; it is:\n" + "\n".join(out))
        else:
            spec["stdout"] = out
        text = dump(spec)
        if write:
            (case_dir / "case.yaml").write_text(text, encoding="utf-8")
        print(f"# {name}\n{text}")


if __name__ == "__main__":
    main_(sys.argv[1:])
