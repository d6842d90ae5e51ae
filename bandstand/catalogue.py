"""The catalogue: every framework version bandstand can find, by id.

The bundled frameworks are the YAML files in ``frameworks/`` (shipped in
the wheel as ``bandstand/frameworks``); folders given with
``--framework-path`` or ``BANDSTAND_PATH`` add more. A reference is

* ``id@version``: that version;
* ``id`` alone: the latest published version (with none published, the one
  in force last), or, with a date (``--on``, or an evidence file's date), the
  version in force on that date; a draft is in force on no date. When two
  versions were in force on the date, the evidence decides if the nodes of
  exactly one of them match it (:meth:`Catalogue.choose`); otherwise the
  version must be named;
* the path of a file.

>>> parse_ref("hmip-youth@2018")
('hmip-youth', '2018')
>>> parse_ref("hmip-youth")
('hmip-youth', None)
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .dsl import load_framework, load_framework_text as load_text_with
from .dsl.checks import CHECKS
from .dsl.loader import load_text, read_text
from .dsl.model import Framework
from .dsl.resolve import facts as framework_facts
from .engine.headers import resolve_evidence
from .errors import BandstandError, InputError, Position
from .limits import DEFAULT_LIMITS, Limits
from .refs import date_key, parse_ref, version_key  # parse_ref: also what the command line imports from here

def bundled_dir() -> Path:
    """The folder of bundled frameworks (installed, or in a source checkout)."""
    installed = resources.files("bandstand").joinpath("frameworks")
    if installed.is_dir():
        return Path(str(installed))
    return Path(__file__).resolve().parent.parent / "frameworks"


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
        return _within(on, self.effective_from, self.effective_to)


def _within(on: str, start: str | None, end: str | None) -> bool:
    """Whether the date ``on`` lies between ``start`` and ``end`` (either may be open)."""
    day, first, last = date_key(on), date_key(start), date_key(end, end=True)
    return (first is None or first <= day) and (last is None or day <= last)


@dataclass(frozen=True)
class Choice:
    """The version a command uses, and what to tell the user about how it was chosen.

    ``how`` is ``named`` (the version the evidence names), ``dated`` (the one in
    force on the evidence's date), ``fitted`` (of the versions in force on the
    date, the only one the evidence fits), ``latest`` (no date: the latest
    published), or None (the caller named the version, or gave the date).
    ``note`` says in one line why, when a choice was made; ``warning`` says
    in one line that the evidence's date lies outside the dates of the
    version named (on the command line, or by the evidence).
    """

    framework: Framework
    how: str | None = None
    note: str | None = None
    warning: str | None = None


class Catalogue:
    """The bundled frameworks plus any folders on the search path."""

    def __init__(self, paths: list[str | Path] | None = None, limits: Limits = DEFAULT_LIMITS,
                 include_bundled: bool = True):
        self.limits = limits
        self._bundled = [bundled_dir()] if include_bundled else []
        self._more = [Path(p) for p in paths or []]
        env = os.environ.get("BANDSTAND_PATH")
        if env:
            self._more.extend(Path(p) for p in env.split(os.pathsep) if p)
        self._packages: list | None = None if include_bundled else []  # installed packages come with the bundled
        self._dirs: list[Path] | None = None
        self._entries: list[Entry] | None = None
        self._loaded: dict[Path, Framework] = {}

    @property
    def dirs(self) -> list[Path]:
        """The folders searched: the bundled one, installed packages' (:mod:`bandstand.packages`), the paths."""
        if self._dirs is None:
            self._dirs = [*self._bundled, *(p.folder for p in self.packages()), *self._more]
        return self._dirs

    def packages(self) -> list:
        """The installed packages of frameworks (the ``bandstand.frameworks`` entry points) the catalogue reads."""
        if self._packages is None:
            from .packages import installed

            self._packages = installed()
        return self._packages

    def files(self) -> list[Path]:
        out = []
        for d in self.dirs:
            if d.is_dir():
                out.extend(sorted(p for p in d.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()))
        return out

    def entries(self) -> list[Entry]:
        """Every framework version found, sorted by id, then by when it came into force, drafts last.

        A draft is in force on no date, whatever dates it plans, so it never comes before an adopted version.
        """
        if self._entries is None:
            quick = [(path, self._quick(path)) for path in self.files()]
            # identities first (what `extends` needs), then what versions inherit from their bases
            entries = self._entries = [e for _, (e, _) in quick if e is not None]  # what `extends` looks in
            for path, (entry, complete) in quick:
                if entry is not None and not complete:
                    fw = self.load_path(path)
                    entries[entries.index(entry)] = Entry(
                        fw.id, fw.version, fw.title, fw.status, path, fw.effective_from, fw.effective_to,
                        entry.extends)
            entries.sort(key=lambda e: (e.id, e.status == "draft", date_key(e.effective_from) or "",
                                        version_key(e.version)))
            try:
                self._check_packages(entries)
            except BandstandError:
                self._entries = None
                raise
        return self._entries

    def _check_packages(self, entries: list[Entry]) -> None:
        """No package's framework takes a bundled framework's id, or another package's."""
        if not self.packages():
            return
        from .packages import check_ids

        labels = {p.folder.resolve(): p.label for p in self.packages()}
        bundled = {d.resolve() for d in self._bundled}
        by_source: dict[str, set[str]] = {}
        for e in entries:
            label = labels.get(e.path.parent.resolve())
            if label is not None:
                by_source.setdefault(label, set()).add(e.id)
        check_ids(by_source, {e.id for e in entries if e.path.parent.resolve() in bundled})

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
            # fields: Entry's 7 fields other than path, as cached (checked above); mypy cannot count them
            return (None if fields is None else Entry(*fields[:4], path, *fields[4:])), complete  # type: ignore[call-arg]
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
        eff = data["effective"] if isinstance(data.get("effective"), dict) else {}
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
        from .files import realpath

        p = realpath(path)
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

    def choose(self, ref: str, on: str | None = None, evidence=None) -> Choice:
        """The version of ``ref`` to evaluate ``evidence`` with, and why.

        A version or a path is used as named. An id alone, with evidence and no
        ``on`` date, is the version the evidence names (of the same
        framework), else the version in force on the evidence's date, else
        the latest published. With a date on which several versions were in
        force, the evidence decides when the nodes of exactly one of them
        match its judgements and key questions (:func:`mismatches`); if none
        or several do, the error asks for a version.
        """
        parsed = parse_ref(ref)
        how, date = None, on
        if parsed is not None and parsed[1] is None and evidence is not None and on is None:
            named = parse_ref(evidence.framework) if evidence.framework else None
            if named is not None and named[0] == parsed[0] and named[1] is not None:
                fw = self.resolve_named(evidence.framework, getattr(evidence, "framework_pos", None))
                return Choice(fw, "named", f"using {fw.ref}, the version the evidence names",
                              _outside(fw, evidence))
            if not evidence.date:
                fw = self.resolve(ref)
                return Choice(fw, "latest", None, None)
            how, date = "dated", evidence.date
        if parsed is None or parsed[1] is not None:  # a version or a file, named on the command line
            fw = self.resolve(ref)
            return Choice(fw, None, None, _outside(fw, evidence) if evidence is not None else None)
        if date is None or evidence is None:
            return Choice(self.resolve(ref, on=on))
        try:
            path = self.locate(ref, on=date)
        except InputError as e:
            fitted = self._fit(parsed[0], date, "the evidence's date" if how else "the date asked", evidence)
            if fitted is None:
                raise e from None
            return Choice(fitted[0], "fitted", fitted[1])
        fw = self.load_path(path)
        return Choice(fw, how, f"using {fw.ref}, in force on {date} (the evidence's date)" if how else None)

    def _fit(self, fid: str, date: str, whose: str, evidence) -> tuple[Framework, str] | None:
        """Of the versions in force on ``date``, the only one whose nodes match the evidence, and why; else None."""
        in_force = [e for e in self.entries() if e.id == fid and e.status != "draft" and e.in_force(date)]
        if len(in_force) < 2:
            return None
        frameworks = [self.load_path(e.path) for e in in_force]
        misfits = {fw.version: mismatches(fw, evidence) for fw in frameworks}
        fitting = [fw for fw in frameworks if not misfits[fw.version]]
        if len(fitting) != 1:
            return None
        others = "; ".join(f"{v} {_and(m)}" for v, m in misfits.items() if m)
        return fitting[0], (f"using {fitting[0].ref}: of the {len(in_force)} versions in force on {date} ({whose}), "
                            f"the only one whose nodes match the evidence's judgements and key questions ({others})")

    def resolve_named(self, ref: str, where: Position | None, on: str | None = None) -> Framework:
        """:meth:`resolve` for a reference written in a file: an unknown one is reported where it is written."""
        try:
            return self.resolve(ref, on)
        except InputError as e:
            if where is None or any(d.file is not None or d.code == "input.package" for d in e.diagnostics):
                raise
            d = e.diagnostics[0]
            raise InputError(d.message, where.file, d.code, where.line, where.column) from None

    def locate(self, ref: str, on: str | None = None) -> Path:
        from .files import shown, status

        parsed = parse_ref(ref)
        if parsed is None or (not self.has_id(parsed[0]) and status(ref) is not None):
            path = Path(ref)
            st = status(ref)  # a NUL byte, a name too long, a link loop: said so, with the path
            if st is None:
                raise InputError(f"no such framework file: {shown(ref)}, and no framework has that id; {self._known()}",
                                 shown(ref), "input.missing")
            if stat.S_ISDIR(st.st_mode):
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


def load_framework_text(text: str, file: str | None = None, *, limits: Limits = DEFAULT_LIMITS, checks=CHECKS,
                        resolver=None) -> Framework:
    """:func:`bandstand.dsl.load_framework_text`, finding the base a text ``extends`` in the catalogue.

    The catalogue is above the DSL, so the DSL cannot look in it itself.
    """
    return load_text_with(text, file, limits=limits, checks=checks,
                          resolver=resolver or Catalogue(limits=limits).find)


def mismatches(fw: Framework, evidence) -> list[str]:
    """Why ``evidence`` does not fit version ``fw``: each node it names that the version does not have or
    does not rate that way, and each node the version needs that it does not give. Empty: it fits.

    Only the node ids are compared (and the parts of cases), not the levels or figures given.
    """
    evidence = resolve_evidence(evidence, fw)[0]  # a spreadsheet's headers and part labels, read for this version
    nodes = {k: n for k, n in fw.nodes.items() if k != "overall"}
    facts = framework_facts(fw).evidence
    answerable, figured = facts.answered, facts.figured
    out: list[str] = []
    absent: list[str] = []

    def known(node_id: str) -> bool:
        if node_id not in nodes:
            if node_id not in absent:
                absent.append(node_id)
            return False
        return True

    for node_id in evidence.judgements:
        if known(node_id) and not nodes[node_id].is_judged:
            out.append(f"rates '{node_id}' by rule, not by judgement")
    for node_id in evidence.figures:
        if known(node_id) and node_id not in figured:
            out.append(f"does not rate '{node_id}' on a share of cases")
    given = set(evidence.figures)
    for case in evidence.cases or ():
        if case.part not in fw.parts:
            out.append(f"has no part '{case.part}'")
        for node_id in case.answers:
            if known(node_id) and node_id not in answerable:
                out.append(f"does not answer '{node_id}' case by case")
            given.add(node_id)
    # published ratings of rule-rated nodes (where evidence gives them) stand in for what is beneath them
    covered: set[str] = set()
    for node_id in getattr(evidence, "published", None) or ():
        if known(node_id):
            covered.update(d.id for d in nodes[node_id].walk())
    out[:0] = [f"has no node '{node_id}'" for node_id in absent]
    if not evidence.partial:
        out += [f"needs a judgement for '{n.id}'" for n in facts.judged
                if n.id not in covered and n.id not in evidence.judgements]
        out += [f"needs evidence for '{n.id}'" for n in facts.share_rated if n.id not in covered and n.id not in given]
    return list(dict.fromkeys(out))


def _and(reasons: list[str]) -> str:
    """'has no node 'x'', 'has no node 'x' and needs ...', or the first two and how many more."""
    text = " and ".join(reasons[:2])
    return text + (f" and {len(reasons) - 2} more" if len(reasons) > 2 else "")


def _outside(fw: Framework, evidence) -> str | None:
    """A warning when the evidence's date lies outside the dates ``fw`` was in force (a draft has none)."""
    date = getattr(evidence, "date", None)
    if not date or fw.status == "draft" or not (fw.effective_from or fw.effective_to):
        return None
    if _within(date, fw.effective_from, fw.effective_to):
        return None
    span = (f"{fw.effective_from} to {fw.effective_to}" if fw.effective_from and fw.effective_to
            else f"from {fw.effective_from}" if fw.effective_from else f"until {fw.effective_to}")
    return f"the evidence is dated {date}, outside the dates of {fw.ref} ({span})"


def _span(e: Entry) -> str:
    return f"{e.effective_from or '?'} to {e.effective_to or 'now'}"


def display_path(path: Path) -> str:
    """A path as the user would like to see it: relative to the working directory when inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


_display = display_path
