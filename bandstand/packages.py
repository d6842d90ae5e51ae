"""Frameworks from installed packages: the ``bandstand.frameworks`` entry-point group.

A package of frameworks joins the catalogue by declaring, in its
``pyproject.toml``::

    [project.entry-points."bandstand.frameworks"]
    acme = "acme_frameworks"

The value names a package whose folder holds the framework files (YAML, one
per version, with ``crosswalks/`` and examples beside them, as bandstand's own
``frameworks/``); it is found without running the package's code. The value
may instead name an object, ``module:attribute``: a path, or a function
returning one.

A package that cannot be found, or whose entry does not give a folder, is an
error naming the package (``input.package``), never a traceback; so is a
package whose frameworks take an id of bandstand's own, or of another package:
each framework id comes from one place, so naming it never silently picks up
another's version.
"""

from __future__ import annotations

import functools
import importlib.metadata
import importlib.util
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError, printable

GROUP = "bandstand.frameworks"
CODE = "input.package"


@dataclass(frozen=True)
class Package:
    """An installed package of frameworks: its distribution's name, its entry point, its folder."""

    name: str
    entry: str
    folder: Path

    @property
    def label(self) -> str:
        return f"the framework package '{self.name}' (entry point '{self.entry}' in {GROUP})"


def installed() -> list[Package]:
    """Every package in the group, sorted by name; raises :class:`InputError` for one that gives no folder.

    Looked up once for each value of ``sys.path`` in a process (what is installed does not change under it).
    """
    return list(_installed(tuple(sys.path)))


@functools.lru_cache(maxsize=8)
def _installed(path: tuple[str, ...]) -> tuple[Package, ...]:
    out: list[Package] = []
    seen: set[str] = set()
    for dist in importlib.metadata.distributions():
        try:
            text = dist.read_text("entry_points.txt")
        except (OSError, UnicodeDecodeError):
            text = None
        if not text or f"[{GROUP}]" not in text:
            continue  # only packages that declare frameworks are read: another package's mistakes are not ours
        name = dist.metadata["Name"] or "?"
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in seen:  # installed twice on the path: the first is the one imported, as importlib takes it
            continue
        seen.add(key)
        try:
            eps = list(dist.entry_points.select(group=GROUP))
        except Exception:  # noqa: BLE001 - a malformed entry_points.txt (what Python says of it differs by release)
            raise InputError(f"the framework package '{name}' has an entry_points.txt that cannot be read (each line "
                             "of a section is 'name = module' or 'name = module:attribute'); reinstall or uninstall "
                             "it", None, CODE) from None
        out.extend(Package(name, ep.name, _folder(ep, name)) for ep in eps)
    return tuple(sorted(out, key=lambda p: (p.name.lower(), p.entry)))


def _folder(ep, name: str) -> Path:
    where = f"the framework package '{name}' (entry point '{ep.name} = {ep.value}' in {GROUP})"

    def refuse(what: str) -> InputError:
        return InputError(f"{where} {what}", None, CODE)

    if ep.pattern.match(ep.value) is None:
        raise refuse(f"names '{printable(ep.value)}', which is no module (write module or module:attribute); fix "
                     "its entry point, or uninstall it")
    try:
        if ep.attr is None:
            spec = importlib.util.find_spec(ep.module)  # found, not run
            if spec is None:
                raise refuse(f"names the module '{ep.module}', which is not installed; reinstall the package, "
                             "or uninstall it")
            locations = list(spec.submodule_search_locations or [])
            if not locations:
                raise refuse(f"names '{ep.module}', a module, not a package whose folder holds frameworks; "
                             "fix its entry point, or uninstall it")
            path = Path(locations[0])
        else:
            found = ep.load()
            found = found() if callable(found) else found
            if not isinstance(found, (str, os.PathLike)) and not hasattr(found, "is_dir"):
                raise refuse(f"gives {type(found).__name__}, not the path of a folder of frameworks; fix its "
                             "entry point, or uninstall it")
            path = Path(str(found))
    except InputError:
        raise
    except Exception as e:  # noqa: BLE001 - whatever a broken package raises becomes one line naming it
        what = printable(" ".join(f"{type(e).__name__}: {e}".split()))[:300]
        raise refuse(f"cannot be loaded: {what}; reinstall or uninstall it") from None
    if not path.is_dir():
        raise refuse(f"gives {printable(str(path))}, which is not a folder; fix its entry point, or uninstall it")
    return path


def check_ids(by_source: dict[str, set[str]], bundled: set[str]) -> None:
    """Refuse a package whose framework ids are bundled ones or another package's (``by_source``: label -> ids)."""
    owner: dict[str, str] = {}
    for label, ids in by_source.items():
        for fid in sorted(ids):
            if fid in bundled:
                raise InputError(f"{label} provides framework '{fid}', an id of a framework bundled with bandstand; "
                                 "a package cannot add versions to it or replace it: give its frameworks an id of "
                                 "their own", None, CODE)
            if fid in owner:
                raise InputError(f"{owner[fid]} and {label} both provide framework '{fid}'; an id comes from one "
                                 "package: uninstall one of them", None, CODE)
            owner[fid] = label
