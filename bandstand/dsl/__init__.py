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
from .resolve import resolve
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
    path = Path(path)
    chain = Chain()
    doc = resolve_document(path, limits=limits, display=display, resolver=resolver, chain=chain)
    fw = framework_from_document(doc, limits=limits, checks=checks)
    fw.bases = tuple(chain.bases)  # the files it extends, resolved: protected from --output
    fw.path = path.resolve()
    return fw


def load_framework_text(text: str, file: str | None = None, *, limits: Limits = DEFAULT_LIMITS,
                        checks=CHECKS, resolver: Resolver | None = None) -> Framework:
    """The same as :func:`load_framework`, from text.

    Text that ``extends`` another version finds its base with ``resolver``,
    or beside ``file`` when that names a file. :func:`bandstand.load_framework_text`
    (:func:`bandstand.catalogue.load_framework_text`) passes the catalogue's.
    """
    doc: DocumentLike  # the file's own Document, or the MergedDocument of one that extends another
    doc = _checked(loader.load_text(text, file, limits))
    if "extends" in doc.data:
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
    from ..files import realpath

    chain.bases.append(realpath(found))
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
    resolve(fw)  # every name resolves: record what each rule reads, once
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
