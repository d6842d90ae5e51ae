"""The catalogue: every framework version bandstand can find, by id.

The bundled frameworks are the YAML files in ``frameworks/`` (shipped in
the wheel as ``bandstand/frameworks``); folders given with
``--framework-path`` or ``BANDSTAND_PATH`` add more. A reference is

* ``id@version``: that version;
* ``id`` alone: the latest published version (with none published, the one
  in force last), or, with a date (``--on``, or an evidence file's date), the
  version in force on that date; a draft is in force on no date, and two
  versions in force on one date must be told apart by version;
* the path of a file.

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
from .dsl.loader import load_text, read_text
from .dsl.model import Framework
from .errors import BandstandError, InputError
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


def date_key(date: str | None, end: bool = False) -> str | None:
    """A date as a comparable text; a month alone is its first (or, for an end, its last) day.

    >>> date_key("2018-06"), date_key("2021-06", end=True), date_key("2021-12-09")
    ('2018-06-01', '2021-06-31', '2021-12-09')
    """
    if date is None:
        return None
    return date if len(date) == 10 else date + ("-31" if end else "-01")


@dataclass(frozen=True)
class Entry:
    """One framework version in the catalogue, read only as far as its identity."""

    id: str
    version: str
    title: str
    status: str
    path: Path
    effective_from: str | None = None
    effective_to: str | None = None
    extends: str | None = None

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"

    def in_force(self, on: str) -> bool:
        day = date_key(on)
        start, end = date_key(self.effective_from), date_key(self.effective_to, end=True)
        return (start is None or start <= day) and (end is None or day <= end)


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
        """Every framework version found, sorted by id, then by when it came into force."""
        if self._entries is None:
            quick = [(path, self._quick(path)) for path in self.files()]
            # identities first (what `extends` needs), then what versions inherit from their bases
            self._entries = [e for _, (e, _) in quick if e is not None]
            for path, (entry, complete) in quick:
                if entry is not None and not complete:
                    fw = self.load_path(path)
                    self._entries[self._entries.index(entry)] = Entry(
                        fw.id, fw.version, fw.title, fw.status, path, fw.effective_from, fw.effective_to,
                        entry.extends)
            self._entries.sort(key=lambda e: (e.id, date_key(e.effective_from) or "", _version_key(e.version)))
        return self._entries

    def _quick(self, path: Path) -> tuple[Entry | None, bool]:
        """A file's identity from its top-level fields; whether they are all there (not inherited).

        Kept in the cache by the file's bytes: listing the catalogue reads
        every file, but parses only the new and the changed.
        """
        from . import cache

        try:
            text = read_text(path, self.limits)  # read once: the key is of the very text that is parsed
        except BandstandError:
            return None, True  # not a framework: `validate` says why when asked
        key = cache.key("catalogue-entry", text, repr(self.limits)) if cache.folder() else None
        hit = cache.get("catalogue", key) if key else None
        if isinstance(hit, list) and len(hit) == 2 and isinstance(hit[1], bool) and (
                hit[0] is None or (isinstance(hit[0], list) and len(hit[0]) == 7)):
            fields, complete = hit
            return (None if fields is None else Entry(*fields[:4], path, *fields[4:])), complete
        entry, complete = self._read_identity(path, text)
        if key:
            fields = None if entry is None else [entry.id, entry.version, entry.title, entry.status,
                                                 entry.effective_from, entry.effective_to, entry.extends]
            cache.put("catalogue", key, [fields, complete])
        return entry, complete

    def _read_identity(self, path: Path, text: str) -> tuple[Entry | None, bool]:
        try:
            doc = load_text(text, str(path), self.limits)
        except BandstandError:
            return None, True  # not a framework: `validate` says why when asked
        data = doc.data
        if not isinstance(data, dict) or "id" not in data or "version" not in data:
            return None, True
        eff = data.get("effective") if isinstance(data.get("effective"), dict) else {}
        version = doc.text_of(("version",)) or str(data["version"])  # 2018.10 stays '2018.10'
        entry = Entry(str(data["id"]), version, str(data.get("title", "")), str(data.get("status", "")),
                      path, eff.get("from"), eff.get("to"), data.get("extends"))
        complete = all(k in data for k in ("title", "status"))  # effective and status are never inherited
        return entry, complete

    def find(self, ref: str, extending: Path | None = None) -> Path | None:
        """The file of ``id@version`` (the resolver ``extends`` uses).

        A version in the extending file's own folder comes first, so a copied
        pair of files extends its own copy, not the catalogue's.
        """
        from .dsl.extend import find_in_folder

        parsed = parse_ref(ref)
        if parsed is None:
            return None
        fid, version = parsed
        if extending is not None:
            folder = extending.resolve().parent
            if folder not in {d.resolve() for d in self.dirs}:
                local = find_in_folder(ref, folder)
                if local is not None:
                    return local
        matches = [e for e in self.entries() if e.id == fid and (version is None or e.version == version)
                   and (extending is None or e.path.resolve() != extending.resolve())]
        if extending is not None:
            matches.sort(key=lambda e: e.path.resolve().parent != extending.resolve().parent)
        return matches[0].path if matches else None

    def load_path(self, path: str | Path, display: str | None = None) -> Framework:
        p = Path(path).resolve()
        fw = self._loaded.get(p)
        if fw is None:
            fw = load_framework(p, limits=self.limits, display=display or _display(p), resolver=self.find)
            self._loaded[p] = fw
        return fw

    def resolve(self, ref: str, on: str | None = None) -> Framework:
        """A framework by ``id@version``, ``id`` (optionally in force ``on`` a date) or path.

        Raises :class:`InputError` naming what was found instead.
        """
        return self.load_path(self.locate(ref, on), display=ref if parse_ref(ref) is None else None)

    def locate(self, ref: str, on: str | None = None) -> Path:
        parsed = parse_ref(ref)
        if parsed is None or (not self.has_id(parsed[0]) and Path(ref).exists()):
            path = Path(ref)
            if not path.exists():
                raise InputError(f"no such framework file: {ref}, and no framework has that id; {self._known()}", ref, "input.missing")
            if path.is_dir():
                raise InputError(f"{ref} is a directory; expected a framework file or id@version", ref,
                                 "input.directory")
            return path
        fid, version = parsed
        candidates = [e for e in self.entries() if e.id == fid]
        if not candidates:
            from .dsl.build import suggest

            hint = suggest(fid, {e.id for e in self.entries()})
            raise InputError(f"unknown framework '{fid}'{hint}; {self._known()}", None, "input.framework")
        if version is not None:
            for e in candidates:
                if e.version == version:
                    return e.path
            versions = ", ".join(e.version for e in candidates)
            raise InputError(f"framework '{fid}' has no version '{version}'; versions: {versions}", None,
                             "input.framework")
        # a draft is never in force: it is chosen only by its version, or when it is all there is
        adopted = [e for e in candidates if e.status != "draft"]
        if on is not None:
            in_force = [e for e in adopted if e.in_force(on)]
            if len(in_force) == 1:
                return in_force[0].path
            spans = "; ".join(f"{e.version}: {_span(e)}" for e in (in_force or adopted or candidates))
            if not in_force:
                raise InputError(f"no version of '{fid}' was in force on {on} ({spans})", None, "input.framework")
            raise InputError(f"{len(in_force)} versions of '{fid}' were in force on {on} ({spans}); name one as "
                             f"{fid}@VERSION", None, "input.framework")
        published = [e for e in candidates if e.status == "published"]
        if published:
            return published[-1].path
        if adopted:  # all superseded: the one in force last
            return max(adopted, key=lambda e: (date_key(e.effective_to, end=True) or "9999",
                                               date_key(e.effective_from) or "")).path
        return candidates[-1].path

    def crosswalk_files(self) -> list[Path]:
        """The crosswalk files: ``crosswalks/*.yaml`` in each catalogue folder."""
        out = []
        for d in self.dirs:
            folder = d / "crosswalks"
            if folder.is_dir():
                out.extend(sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()))
        return out

    def crosswalk(self, source: Framework, target: Framework):
        """The crosswalk that reads ``source``'s evidence under ``target``, or None."""
        from .crosswalk import load_crosswalk

        for path in self.crosswalk_files():
            cw = load_crosswalk(path, self.limits, _display(path))
            if cw.applies(source, target):
                return cw
        return None

    def has_id(self, fid: str) -> bool:
        """Whether some version of framework ``fid`` is in the catalogue."""
        return any(e.id == fid for e in self.entries())


    def _known(self) -> str:
        ids = list(dict.fromkeys(e.id for e in self.entries()))
        return "known ids: " + ", ".join(ids) + "; bandstand list shows their versions" if ids else "no frameworks known"


def _span(e: Entry) -> str:
    return f"{e.effective_from or '?'} to {e.effective_to or 'now'}"


def _display(path: Path) -> str:
    """A path as the user would like to see it: relative to the working directory when inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
