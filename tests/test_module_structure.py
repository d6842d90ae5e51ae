"""The shape of the package: bandstand's modules import each other downhill only.

Every import counts, at the top of a module or deferred inside a function: a
deferred import hides a cycle from Python's import machinery, not from the
design (the catalogue and crosswalks once imported each other that way).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import bandstand

PACKAGE = Path(bandstand.__file__).resolve().parent

# generated code: lark's standalone parser keeps lark's own relative imports
# (``from . import __version__``, ``from .lexer import Token``) on paths the
# standalone module never runs; they name no bandstand module
GENERATED = {"bandstand.dsl._lalr"}

# (importer, imported module, private name): each with the reason it stays (none today)
PRIVATE_EXCEPTIONS: set[tuple[str, str, str]] = set()

# the command line is a client of the library: only these may import it
CLI_CLIENTS = {"bandstand.__main__", "bandstand.mkdocs_plugin"}


def module_name(path: Path, package: Path = PACKAGE) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules(package: Path = PACKAGE) -> dict[str, Path]:
    return {module_name(p, package): p for p in sorted(package.rglob("*.py"))}


def imports(name: str, path: Path, known: set[str]):
    """(line, module imported, name taken from it or None) for every import of a bandstand module in ``path``."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "bandstand":
                    yield node.lineno, alias.name, None
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                here = name.split(".") if is_package else name.split(".")[:-1]
                here = here[:len(here) - (node.level - 1)]
                source = ".".join(here + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            if source.split(".")[0] != "bandstand":
                continue
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                if submodule in known:  # from . import cache: the module itself
                    yield node.lineno, submodule, None
                else:
                    yield node.lineno, source, alias.name


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    mods = modules(package)
    graph: dict[str, set[str]] = {m: set() for m in mods if m not in GENERATED}
    for name in graph:
        graph[name] = {target for _, target, _ in imports(name, mods[name], set(mods))
                       if target != name and target in mods}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as the list of modules around it (the first repeated at the end), or None."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_the_graph_sees_the_imports_that_matter():
    graph = import_graph()
    assert "bandstand.engine.evaluate" in graph["bandstand.testing"]  # at the top of a module
    assert "bandstand.crosswalk" in graph["bandstand.catalogue"]  # deferred, inside a method
    assert "bandstand.dsl.ast" in graph["bandstand.describe"]  # from .dsl import ast: a module
    assert "bandstand.catalogue" in graph["bandstand"]  # the package root's own imports


def test_a_cycle_is_found_where_there_is_one():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_no_import_cycle_among_bandstand_modules():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_no_module_imports_a_private_name_of_another():
    mods = modules()
    found = set()
    for name, path in mods.items():
        if name in GENERATED:
            continue
        for line, source, taken in imports(name, path, set(mods)):
            private = taken is not None and taken.startswith("_") and not taken.startswith("__")
            if private and source != name:
                found.add((name, source, taken, line))
            # a private module (dsl/_lalr.py) is for the modules of its own package
            last = source.rsplit(".", 1)
            if last[-1].startswith("_") and not last[-1].startswith("__") and not name.startswith(last[0] + "."):
                found.add((name, source, "(the module)", line))
    unexcused = sorted(f"{n} line {line} imports {taken} from {s}" for n, s, taken, line in found
                       if (n, s, taken) not in PRIVATE_EXCEPTIONS)
    assert unexcused == []
    stale = PRIVATE_EXCEPTIONS - {(n, s, taken) for n, s, taken, _ in found}
    assert not stale, f"exceptions no longer needed, remove them: {sorted(stale)}"


def test_nothing_in_the_library_imports_the_command_line():
    mods = modules()
    importers = sorted(name for name, path in mods.items() if name not in GENERATED
                       for _, source, _ in imports(name, path, set(mods)) if source == "bandstand.cli")
    assert set(importers) <= CLI_CLIENTS, importers


def test_the_readme_layout_names_every_module():
    """README's module map matches the code: every module of the package is named in its Layout block."""
    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text(encoding="utf-8")
    layout = readme.split("## Layout", 1)[1].split("```")[1]
    named = set(re.findall(r"[\w.]+\.(?:py|js|css|lark)\b", layout))
    package = root / "bandstand"
    files = [p for p in package.rglob("*") if p.suffix in (".py", ".js", ".css", ".lark")
             and "__pycache__" not in p.parts and p.name not in ("__init__.py", "__main__.py")]
    assert files
    missing = sorted(str(p.relative_to(package)) for p in files if p.name not in named)
    assert missing == []
