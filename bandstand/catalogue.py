"""Finding frameworks: bundled ones by id, or a file by path.

The bundled frameworks are the YAML files in ``frameworks/`` (shipped in
the wheel as ``bandstand/frameworks``). A reference is ``id@version``,
``id`` alone (the latest published version), or the path of a file.

>>> parse_ref("hmip-youth@2018")
('hmip-youth', '2018')
>>> parse_ref("hmip-youth")
('hmip-youth', None)
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .dsl import load_framework
from .dsl.model import Framework
from .errors import InputError
from .limits import DEFAULT_LIMITS, Limits

_REF = re.compile(r"^([a-z][a-z0-9_-]*)(?:@([^@\s/\\]+))?$")


def bundled_dir() -> Path:
    """The folder of bundled frameworks (installed, or in a source checkout)."""
    installed = resources.files("bandstand").joinpath("frameworks")
    if installed.is_dir():
        return Path(str(installed))
    return Path(__file__).resolve().parent.parent / "frameworks"


def parse_ref(ref: str) -> tuple[str, str | None] | None:
    m = _REF.match(ref)
    return (m.group(1), m.group(2)) if m else None


@dataclass(frozen=True)
class Entry:
    """One framework file in the catalogue, read only as far as its identity."""

    id: str
    version: str
    title: str
    status: str
    path: Path
    effective_from: str | None = None
    effective_to: str | None = None


def _version_key(version: str):
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"[.\-_]", version)]


class Catalogue:
    """The bundled frameworks plus any folders on the search path."""

    def __init__(self, paths: list[str | Path] | None = None, limits: Limits = DEFAULT_LIMITS,
                 include_bundled: bool = True):
        self.limits = limits
        self.dirs: list[Path] = []
        if include_bundled:
            self.dirs.append(bundled_dir())
        for p in paths or []:
            self.dirs.append(Path(p))
        env = os.environ.get("BANDSTAND_PATH")
        if env:
            self.dirs.extend(Path(p) for p in env.split(os.pathsep) if p)
        self._entries: list[Entry] | None = None
        self._loaded: dict[Path, Framework] = {}

    def files(self) -> list[Path]:
        out = []
        for d in self.dirs:
            if d.is_dir():
                out.extend(sorted(p for p in d.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()))
        return out

    def entries(self) -> list[Entry]:
        """Every framework version found, sorted by id then version."""
        if self._entries is None:
            entries = []
            for path in self.files():
                fw = self.load_path(path)
                entries.append(Entry(fw.id, fw.version, fw.title, fw.status, path,
                                     fw.effective_from, fw.effective_to))
            entries.sort(key=lambda e: (e.id, _version_key(e.version)))
            self._entries = entries
        return self._entries

    def load_path(self, path: str | Path, display: str | None = None) -> Framework:
        p = Path(path).resolve()
        fw = self._loaded.get(p)
        if fw is None:
            fw = load_framework(p, limits=self.limits, display=display or _display(p))
            self._loaded[p] = fw
        return fw

    def resolve(self, ref: str) -> Framework:
        """A framework by ``id@version``, ``id`` or path.

        Raises :class:`InputError` naming what was found instead.
        """
        parsed = parse_ref(ref)
        if parsed is None or (not self._known_id(parsed[0]) and Path(ref).exists()):
            path = Path(ref)
            if not path.exists():
                raise InputError(f"no such framework file: {ref} (and not a framework id; known: "
                                 f"{self._known()})", ref, "input.missing")
            if path.is_dir():
                raise InputError(f"{ref} is a directory; expected a framework file or id@version", ref,
                                 "input.directory")
            return self.load_path(path, display=ref)
        fid, version = parsed
        candidates = [e for e in self.entries() if e.id == fid]
        if not candidates:
            raise InputError(f"unknown framework '{fid}'; known: {self._known()}", None, "input.framework")
        if version is not None:
            for e in candidates:
                if e.version == version:
                    return self.load_path(e.path)
            versions = ", ".join(e.version for e in candidates)
            raise InputError(f"framework '{fid}' has no version '{version}'; versions: {versions}", None,
                             "input.framework")
        published = [e for e in candidates if e.status == "published"] or candidates
        return self.load_path(published[-1].path)

    def _known_id(self, fid: str) -> bool:
        return any(e.id == fid for e in self.entries())

    def _known(self) -> str:
        refs = [f"{e.id}@{e.version}" for e in self.entries()]
        return ", ".join(refs) if refs else "(none)"


def _display(path: Path) -> str:
    """A path as the user would like to see it: relative to the working directory when inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
