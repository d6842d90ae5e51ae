"""Versions written as changes to an earlier version: ``extends``.

A framework file may say ``extends: hmip-youth@2018-original`` (or the
relative path of a file in its own folder) and then give only what differs:
top-level fields that replace the base's; scales, band tables, tiers, parts
and limits that replace the base's entry of the same id or are added; and a
list of ``changes`` to the hierarchy::

    changes:
      - add: {id: "4", title: Resettlement, children: [...]}   # under: <parent id>, after: <sibling id>
      - replace: "3.4"                                          # the node and its children
        with: {id: "3.4", title: ..., children: [...]}
      - update: "2.1.1"                                         # some fields of one node
        set: {question: ...}
      - rename: "2.9"
        to: "2.10"
      - remove: "1.4.4"
      - remove_limit: resettlement-inadequate
      - remove_band: old_table

Not inherited: ``status`` (an extending file must state its own), ``effective``
(when a version is in force is its own fact: left out, it has no dates) and
``examples`` (each version carries its own).

Merging happens on the data, before the model is built, and every piece of
the result remembers the file and line it came from (:class:`MergedDocument`
answers the same position questions as a :class:`~bandstand.dsl.loader.Document`),
so an error in an inherited node points into the base file and an error in a
change points into the extension.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any, Callable

from ..errors import BandstandError, Collector, Diagnostic, Position
from .build import suggest
from .loader import Document

#: the top-level lists merged by id
MERGED_LISTS = ("scales", "bands", "tiers", "parts", "limits")
#: fields of the extension that are not framework fields
EXTENSION_ONLY = ("extends", "changes", "$schema", "bandstand")
#: fields never inherited: when a version came into force (and left it), and its examples
VERSION_OWN = ("effective", "examples")


class MergedDocument:
    """Merged framework data, with each piece's position in the file it came from."""

    def __init__(self, data: dict, file: str | None):
        self.data = data
        self.file = file
        self.origins: dict[int, tuple[Document, tuple]] = {}  # id(container) -> (document, path)
        self.fields: dict[tuple[int, Any], tuple[Document, tuple]] = {}  # (id(dict), key) -> origin
        self.keep: list = []  # every container indexed, kept alive so ids stay unique
        self.removed: dict[str, str] = {}  # node id -> what removed or renamed it, for messages
        self.notes: dict[str, str] = {}  # node id -> the author's note on the change made to it

    def register(self, obj, doc: Document, path: tuple) -> None:
        """Index every container inside ``obj`` as coming from ``doc`` at ``path``."""
        stack = [(obj, path)]
        while stack:
            o, p = stack.pop()
            if isinstance(o, dict):
                self.origins[id(o)] = (doc, p)
                self.keep.append(o)
                stack.extend((v, p + (k,)) for k, v in o.items() if isinstance(v, (dict, list)))
            elif isinstance(o, list):
                self.origins[id(o)] = (doc, p)
                self.keep.append(o)
                stack.extend((v, p + (i,)) for i, v in enumerate(o) if isinstance(v, (dict, list)))

    def resolve(self, path: tuple) -> tuple[Document, tuple]:
        """The document and path a merged path comes from."""
        obj = self.data
        best = self.origins[id(obj)], 0  # the root is registered when the base is cloned
        for i, key in enumerate(path):
            if isinstance(obj, dict) and (id(obj), key) in self.fields:
                best = self.fields[(id(obj), key)], i + 1
            try:
                obj = obj[key]
            except (KeyError, IndexError, TypeError):
                break
            origin = self.origins.get(id(obj))
            if origin is not None:
                best = origin, i + 1
        (doc, opath), depth = best
        return doc, tuple(opath) + tuple(path[depth:])

    # the Document interface the builder uses

    def pos(self, path) -> Position:
        doc, p = self.resolve(tuple(path))
        return doc.pos(p)

    def key_pos(self, path) -> Position:
        doc, p = self.resolve(tuple(path))
        return doc.key_pos(p)

    def text_of(self, path) -> str | None:
        doc, p = self.resolve(tuple(path))
        return doc.text_of(p)

    def pos_in_scalar(self, path, offset: int) -> Position:
        doc, p = self.resolve(tuple(path))
        return doc.pos_in_scalar(p, offset)


DocumentLike = Document | MergedDocument


@dataclass
class _Op:
    data: dict
    index: int


def _clone(base: DocumentLike, merged: MergedDocument) -> dict:
    """Copy the base's containers (never its scalars) so changes leave it untouched,
    recording where each copy came from."""

    def origin(path: tuple) -> tuple[Document, tuple]:
        return base.resolve(path) if isinstance(base, MergedDocument) else (base, path)

    root: dict = {}
    stack: list[tuple[Any, dict | list, tuple]] = [(base.data, root, ())]
    while stack:
        src, dst, path = stack.pop()
        merged.origins[id(dst)] = origin(path)
        merged.keep.append(dst)
        items = src.items() if isinstance(src, dict) else enumerate(src)
        for k, v in items:
            if isinstance(v, (dict, list)):
                copy: dict | list = {} if isinstance(v, dict) else []
                stack.append((v, copy, path + (k,)))
                v = copy
            if isinstance(dst, dict):
                dst[k] = v
                if isinstance(base, MergedDocument) and (id(src), k) in base.fields:
                    merged.fields[(id(dst), k)] = base.fields[(id(src), k)]
            else:
                dst.append(v)
    if isinstance(base, MergedDocument):
        merged.removed.update(base.removed)
    return root


def apply_extension(base: DocumentLike, ext: Document) -> MergedDocument:
    """The base framework's data with the extension's changes applied.

    Raises :class:`BandstandError` with every located problem in the changes.
    """
    merged = MergedDocument({}, ext.file)
    data = _clone(base, merged)
    merged.data = data
    merged.register(ext.data, ext, ())
    out = Collector()
    e = ext.data

    for key, value in e.items():
        if key in EXTENSION_ONLY or key in MERGED_LISTS:
            continue
        data[key] = value
        merged.fields[(id(data), key)] = (ext, (key,))
    for own in VERSION_OWN:
        if own not in e:
            data.pop(own, None)  # they belong to the version that states them

    for key in MERGED_LISTS:
        if key not in e:
            continue
        current = list(data.get(key, []))
        by_id = {item["id"]: i for i, item in enumerate(current)}
        for item in e[key]:
            if item["id"] in by_id:
                current[by_id[item["id"]]] = item
            else:
                by_id[item["id"]] = len(current)
                current.append(item)
        data[key] = current

    for i, change in enumerate(e.get("changes", ())):
        _apply_change(data, change, ("changes", i), ext, merged, out)
        if change.get("note"):
            subject = next((change[k] for k in ("remove", "rename", "replace", "update", "remove_limit", "remove_band")
                            if k in change), None)
            if "add" in change:
                subject = change["add"]["id"]
            if "rename" in change:
                subject = change["to"]
            if "replace" in change:
                subject = change["with"]["id"]
            assert subject is not None  # the schema allows no other kind of change
            merged.notes[subject] = change["note"]
    out.raise_if_errors()
    return merged


def _index(nodes: list) -> dict[str, tuple[dict, list]]:
    """Every node dict by id, with the list that holds it."""
    out: dict[str, tuple[dict, list]] = {}
    stack = [nodes]
    while stack:
        lst = stack.pop()
        for d in lst:
            out.setdefault(d["id"], (d, lst))
            if d.get("children"):
                stack.append(d["children"])
    return out


def _apply_change(data: dict, change: dict, path: tuple, ext: Document, merged: MergedDocument,
                  out: Collector) -> None:
    nodes = data.setdefault("nodes", [])
    index = _index(nodes)
    where = f"{ext.file}:{ext.pos(path).line}" if ext.file else f"line {ext.pos(path).line}"

    def unknown(node_id: str, key: str) -> None:
        out.error("extend.unknown-node", f"no node '{node_id}' in the framework being extended"
                  + suggest(node_id, index), ext.pos(path + (key,)))

    if "remove" in change:
        node_id = change["remove"]
        if node_id not in index:
            return unknown(node_id, "remove")
        d, lst = index[node_id]
        lst.remove(d)
        for gone in _index([d]):
            merged.removed[gone] = f"removed by the change at {where}"
    elif "rename" in change:
        old, new = change["rename"], change["to"]
        if old not in index:
            return unknown(old, "rename")
        if new in index:
            out.error("extend.duplicate-id", f"cannot rename '{old}' to '{new}': a node '{new}' exists already",
                      ext.pos(path + ("to",)))
            return
        d, _ = index[old]
        d["id"] = new
        merged.fields[(id(d), "id")] = (ext, path + ("to",))
        merged.removed[old] = f"renamed to '{new}' by the change at {where}"
    elif "replace" in change:
        node_id = change["replace"]
        if node_id not in index:
            return unknown(node_id, "replace")
        d, lst = index[node_id]
        new = change["with"]
        clash = [i for i in _index([new]) if i in index and i not in _index([d])]
        if clash:
            out.error("extend.duplicate-id", f"the replacement for '{node_id}' uses ids that exist elsewhere: "
                      + ", ".join(clash), ext.pos(path + ("with",)))
            return
        lst[lst.index(d)] = new
        for gone in _index([d]):
            if gone not in _index([new]):
                merged.removed[gone] = f"removed when '{node_id}' was replaced at {where}"
    elif "update" in change:
        node_id = change["update"]
        if node_id not in index:
            return unknown(node_id, "update")
        d, _ = index[node_id]
        for k, v in change["set"].items():
            d[k] = v
            merged.fields[(id(d), k)] = (ext, path + ("set", k))
    elif "add" in change:
        new = change["add"]
        clash = [i for i in _index([new]) if i in index]
        if clash:
            out.error("extend.duplicate-id", f"cannot add '{new['id']}': id{'s' if len(clash) > 1 else ''} "
                      f"{', '.join(clash)} exist{'' if len(clash) > 1 else 's'} already", ext.pos(path + ("add", "id")))
            return
        target = nodes
        if change.get("under") is not None:
            parent_id = change["under"]
            if parent_id not in index:
                return unknown(parent_id, "under")
            target = index[parent_id][0].setdefault("children", [])
        position = len(target)
        for key, offset in (("after", 1), ("before", 0)):
            if key in change:
                sibling = next((i for i, s in enumerate(target) if s["id"] == change[key]), None)
                if sibling is None:
                    out.error("extend.unknown-node", f"no node '{change[key]}' among the siblings where "
                              f"'{new['id']}' is added", ext.pos(path + (key,)))
                    return
                position = sibling + offset
        target.insert(position, new)
    elif "remove_limit" in change or "remove_band" in change:
        key, section = ("remove_limit", "limits") if "remove_limit" in change else ("remove_band", "bands")
        items = data.get(section, [])
        keep = [x for x in items if x["id"] != change[key]]
        if len(keep) == len(items):
            what = "limit" if section == "limits" else "band table"
            out.error("extend.unknown", f"no {what} '{change[key]}' in the framework being extended"
                      + suggest(change[key], [x["id"] for x in items]), ext.pos(path + (key,)))
            return
        data[section] = keep


# -- finding the base ---------------------------------------------------------------------------

Resolver = Callable[[str, Path], Path | None]


def base_path(ref: str, extending: Path, resolver: Resolver | None) -> Path | str:
    """The file an ``extends`` names, or a message saying why there is none.

    A path must be relative and stay inside the extending file's folder; an
    ``id@version`` is looked up by the resolver (the catalogue) and then
    among the files of the same folder.
    """
    folder = extending.parent
    if "/" in ref or "\\" in ref or ref.endswith((".yaml", ".yml")):
        rel = PurePath(ref)
        if rel.is_absolute() or ".." in rel.parts:
            return f"'{ref}' leaves the framework's folder; extends must name a file in the same folder or id@version"
        from ..files import realpath, unusable

        target = realpath(folder / rel)
        try:
            target.relative_to(realpath(folder))
        except ValueError:
            return f"'{ref}' leaves the framework's folder; extends must name a file in the same folder or id@version"
        why = unusable(folder / rel, ref)
        return target if why is None else (f"no file '{ref}' next to {extending.name}" if why == "missing" else why)
    if resolver is not None:
        found = resolver(ref, extending)
        if found is not None:
            return found
    found = find_in_folder(ref, folder)
    if found is not None:
        return found
    return f"no framework '{ref}' found (looked in the catalogue and in {folder})"


def find_in_folder(ref: str, folder: Path) -> Path | None:
    """A framework file in ``folder`` whose id (and version) are those of ``ref``."""
    from .loader import load_file

    fid, _, version = ref.partition("@")
    for p in sorted(folder.glob("*.y*ml")):
        try:
            d = load_file(p).data
        except BandstandError:
            continue
        if isinstance(d, dict) and d.get("id") == fid and (not version or str(d.get("version")) == version):
            return p
    return None


@dataclass
class Chain:
    """The files being resolved, to catch a framework that extends itself, and the bases found
    (resolved), which a command must never write over."""

    paths: list[Path] = field(default_factory=list)
    bases: list[Path] = field(default_factory=list)

    def enter(self, path: Path, where: Position) -> None:
        from ..files import realpath

        p = realpath(path)
        if p in self.paths:
            names = " -> ".join(x.name for x in self.paths[self.paths.index(p):] + [p])
            what = "extends itself" if len(self.paths) - self.paths.index(p) == 1 else f"is part of a cycle ({names})"
            raise BandstandError([Diagnostic.at("extend.cycle", f"{path.name} {what}; a version must extend another "
                                                 "version, and bases must not lead back to it", where)])
        self.paths.append(p)
