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

import importlib.metadata
import importlib.util
import os
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
    """Every package in the group, sorted by name; raises :class:`InputError` for one that gives no folder."""
    out = []
    seen: set[tuple[str, str]] = set()
    for ep in importlib.metadata.entry_points(group=GROUP):
        dist = getattr(ep, "dist", None)
        name = (dist.name if dist is not None else None) or ep.value.split(":")[0].split(".")[0]
        if (name, ep.name) in seen:  # the same distribution seen twice on the path
            continue
        seen.add((name, ep.name))
        out.append(Package(name, ep.name, _folder(ep, name)))
    return sorted(out, key=lambda p: (p.name.lower(), p.entry))


def _folder(ep, name: str) -> Path:
    where = f"the framework package '{name}' (entry point '{ep.name} = {ep.value}' in {GROUP})"
    try:
        if ep.attr is None:
            spec = importlib.util.find_spec(ep.module)  # found, not run
            locations = list(spec.submodule_search_locations or []) if spec is not None else []
            if spec is None:
                raise ModuleNotFoundError(f"no module named '{ep.module}'")
            if not locations:
                raise ValueError(f"'{ep.module}' is a module, not a package with a folder of frameworks")
            path = Path(locations[0])
        else:
            found = ep.load()
            found = found() if callable(found) else found
            if not isinstance(found, (str, os.PathLike)) and not hasattr(found, "is_dir"):
                raise ValueError(f"'{ep.value}' gives {type(found).__name__}, not the path of a folder")
            path = Path(str(found))
    except Exception as e:  # noqa: BLE001 - whatever a broken package raises becomes one line naming it
        what = printable(" ".join(f"{type(e).__name__}: {e}".split()))[:300]
        raise InputError(f"{where} cannot be loaded: {what}; reinstall or uninstall it", None, CODE) from None
    if not path.is_dir():
        raise InputError(f"{where} names {printable(str(path))}, which is not a folder", None, CODE)
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
                raise InputError(f"{label} and {owner[fid]} both provide framework '{fid}'; an id comes from one "
                                 "package: uninstall one of them", None, CODE)
            owner[fid] = label
