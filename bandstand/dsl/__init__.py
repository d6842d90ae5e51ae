"""The framework DSL: YAML with positions, JSON Schema, the rule language,
the framework model and its static checks.

>>> from bandstand.dsl import load_framework
>>> fw = load_framework("frameworks/hmip-youth-2018.yaml")   # doctest: +SKIP
>>> fw.ref                                                    # doctest: +SKIP
'hmip-youth@2018'
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import BandstandError, Diagnostic
from ..limits import DEFAULT_LIMITS, Limits, too_deep
from . import ast, loader, schema
from .build import Builder
from .checks import CHECKS, run_checks
from .extend import Chain, DocumentLike, MergedDocument, Resolver, apply_extension, base_path
from .model import Framework


def load_framework(path: str | Path, *, limits: Limits = DEFAULT_LIMITS, checks=CHECKS,
                   display: str | None = None, resolver: Resolver | None = None) -> Framework:
    """Load, schema-check, build and statically check one framework file.

    A file that ``extends`` another is resolved first (``resolver`` finds a
    base named by ``id@version``; the catalogue passes its own). Raises
    :class:`BandstandError` with every problem found; warnings of a
    framework that loads are in ``framework.diagnostics``.
    """
    from ..files import is_regular

    path = Path(path)
    try:  # a FIFO or device is never opened here (it could block): the loader refuses it
        data = path.read_bytes() if is_regular(path) and path.stat().st_size <= limits.max_file_bytes else None
    except (OSError, ValueError):
        data = None  # the loader says why, with the file's name
    key = _cache_key(path, data, limits, checks, display)
    fw = _from_cache(key, resolver)
    if fw is None:
        chain = Chain()
        doc = resolve_document(path, limits=limits, display=display, resolver=resolver, chain=chain)
        fw = framework_from_document(doc, limits=limits, checks=checks)
        _to_cache(key, fw, chain)
        fw.bases = tuple(found.resolve() for _, _, found in chain.bases)
    fw.path = path.resolve()
    return fw


# -- the cache of loaded frameworks ------------------------------------------------------------------
# A framework is cached under a key made of its file's bytes, the name it is shown by, the limits and
# bandstand's own version (see bandstand.cache). A framework that extends another also depends on its
# bases: the entry lists each `extends` with the file it found and a digest of that file, and is used
# only if the same reference finds the same file with the same bytes today.

def _cache_key(path: Path, data: bytes | None, limits: Limits, checks, display: str | None) -> str | None:
    if data is None or checks is not CHECKS:
        return None
    from .. import cache

    if cache.folder() is None:
        return None
    return cache.key("framework", data, str(path), display, repr(limits))


def _from_cache(key: str | None, resolver: Resolver | None) -> Framework | None:
    if key is None:
        return None
    from .. import cache

    entry = cache.get("frameworks", key)
    if not isinstance(entry, tuple) or len(entry) != 2:
        return None
    bases, fw = entry
    for ref, extending, found, digest in bases:
        now = base_path(ref, extending, resolver)
        try:
            if not isinstance(now, Path) or now.resolve() != found or cache.digest(found.read_bytes()) != digest:
                return None
        except OSError:
            return None
    if not isinstance(fw, Framework):
        return None
    fw.bases = tuple(found for _, _, found, _ in bases)
    return fw


def _to_cache(key: str | None, fw: Framework, chain: Chain) -> None:
    if key is None:
        return
    from .. import cache

    try:
        bases = [(ref, extending, found.resolve(), cache.digest(found.read_bytes()))
                 for ref, extending, found in chain.bases]
    except OSError:
        return
    cache.put("frameworks", key, (bases, fw))


def load_framework_text(text: str, file: str | None = None, *, limits: Limits = DEFAULT_LIMITS,
                        checks=CHECKS, resolver: Resolver | None = None) -> Framework:
    """The same as :func:`load_framework`, from text.

    Text that ``extends`` another version finds its base with ``resolver``
    (by default the catalogue's), or beside ``file`` when that names a file.
    """
    doc = _checked(loader.load_text(text, file, limits))
    if "extends" in doc.data:
        if resolver is None:
            from ..catalogue import Catalogue

            resolver = Catalogue(limits=limits).find
        here = Path(file) if file else Path("<text>")
        doc = _extend(doc, here, limits=limits, display=file, resolver=resolver, chain=Chain())
    return framework_from_document(doc, limits=limits, checks=checks)


def _checked(doc: loader.Document) -> loader.Document:
    """The document, refused if its schema problems leave any of it unreadable; problems that do not
    (an unknown field, which the builder ignores) are kept to be reported with what building finds."""
    schema.check_kind(doc, "framework")
    found, unreadable = schema.problems(doc, "framework")
    if unreadable or (found and doc.data.get("extends") is not None):  # changes apply only to a readable file
        raise BandstandError(found)
    doc.problems = found
    return doc


def resolve_document(path: Path, *, limits: Limits = DEFAULT_LIMITS, display: str | None = None,
                     resolver: Resolver | None = None, chain: Chain | None = None) -> DocumentLike:
    """A framework file's data, with any ``extends`` applied (recursively)."""
    chain = chain or Chain()
    doc = _checked(loader.load_file(path, limits, display))
    if doc.data.get("extends") is None:
        return doc
    return _extend(doc, path, limits=limits, display=display, resolver=resolver, chain=chain)


def _extend(doc: loader.Document, path: Path, *, limits: Limits, display: str | None, resolver: Resolver | None,
            chain: Chain) -> DocumentLike:
    ref = doc.data["extends"]
    where = doc.pos(("extends",))
    chain.enter(path, where)
    found = base_path(ref, path, resolver)
    if isinstance(found, str):
        raise BandstandError([Diagnostic.at("extend.base", found, where)])
    chain.bases.append((ref, path, found))
    base = resolve_document(found, limits=limits, display=_shown(found, path, display), resolver=resolver,
                            chain=chain)
    return apply_extension(base, doc)


def _shown(base: Path, extending: Path, display: str | None) -> str:
    """The base's name as messages show it: beside the extending file's name."""
    if display is None:
        return str(base)
    return str(Path(display).parent / base.name)


_UNKNOWN_NODE = re.compile(r"unknown node '([^']+)'")


def framework_from_document(doc: DocumentLike, *, limits: Limits = DEFAULT_LIMITS, checks=CHECKS) -> Framework:
    builder = Builder(doc, limits)
    builder.out.extend(getattr(doc, "problems", ()))  # found by the schema, reported in the same round
    fw = builder.build()
    if fw is None:
        raise BandstandError(_explain_removed(builder.out.diagnostics, doc))
    try:  # what could not be built is left out: the checks report the rest's problems too, in one round
        found = run_checks(fw, checks)
    except RecursionError:  # the checks recurse over rules: a --max-expression-depth raised far past the default
        raise too_deep_error(fw) from None
    fw.diagnostics = fw.diagnostics + found
    if builder.out.has_errors or any(d.is_error for d in fw.diagnostics):
        raise BandstandError(_explain_removed([d for d in builder.out.diagnostics if d.is_error]
                                              + fw.diagnostics, doc))
    return fw


def _explain_removed(diags: list[Diagnostic], doc: DocumentLike) -> list[Diagnostic]:
    """An unknown node that an extension removed or renamed says so."""
    if not isinstance(doc, MergedDocument) or not doc.removed:
        return diags
    out = []
    for d in diags:
        m = _UNKNOWN_NODE.search(d.message)
        if m and m.group(1) in doc.removed:
            d = Diagnostic(d.code, f"{d.message.split(' (did you mean')[0]}: it was {doc.removed[m.group(1)]}, "
                           "but this still refers to it", d.file, d.line, d.column, d.severity)
        out.append(d)
    return out


def too_deep_error(fw: Framework) -> BandstandError:
    """The error for rules nested deeper than Python's stack allows, at the deepest rule."""
    deepest, where = 0, None
    rules = [n.rule for n in fw.nodes.values() if n.rule is not None] + [lim.when for lim in fw.limits]
    for rule in rules:
        stack = [(rule.expr, 1)]
        while stack:
            e, depth = stack.pop()
            if depth > deepest:
                deepest, where = depth, rule.position_of(e.span[0])
            stack.extend((c, depth + 1) for c in ast.children(e))
    return BandstandError([Diagnostic.at("limit.expression-depth", too_deep("max_expression_depth", "a rule"),
                                         where)])


__all__ = ["load_framework", "load_framework_text", "framework_from_document", "resolve_document", "Framework"]
