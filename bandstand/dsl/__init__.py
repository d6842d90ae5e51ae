"""The framework DSL: YAML with positions, JSON Schema, the rule language,
the framework model and its static checks.

>>> from bandstand.dsl import load_framework
>>> fw = load_framework("frameworks/hmip-youth-2018.yaml")   # doctest: +SKIP
>>> fw.ref                                                    # doctest: +SKIP
'hmip-youth@2018'
"""

from __future__ import annotations

from pathlib import Path

from ..errors import BandstandError, Diagnostic
from ..limits import DEFAULT_LIMITS, Limits, too_deep
from . import ast, loader, schema
from .build import Builder
from .checks import CHECKS, run_checks
from .model import Framework


def load_framework(path: str | Path, *, limits: Limits = DEFAULT_LIMITS, checks=CHECKS,
                   display: str | None = None) -> Framework:
    """Load, schema-check, build and statically check one framework file.

    Raises :class:`BandstandError` with every problem found; warnings of a
    framework that loads are in ``framework.diagnostics``.
    """
    doc = loader.load_file(path, limits, display)
    fw = framework_from_document(doc, limits=limits, checks=checks)
    fw.path = Path(path).resolve()
    return fw


def load_framework_text(text: str, file: str | None = None, *, limits: Limits = DEFAULT_LIMITS,
                        checks=CHECKS) -> Framework:
    """The same as :func:`load_framework`, from text."""
    return framework_from_document(loader.load_text(text, file, limits), limits=limits, checks=checks)


def framework_from_document(doc: loader.Document, *, limits: Limits = DEFAULT_LIMITS, checks=CHECKS) -> Framework:
    if not isinstance(doc.data, dict):
        raise BandstandError([Diagnostic("schema.type", "expected a mapping of framework fields at the top "
                                         f"of the file, got {schema.describe(doc.data)}", doc.file, 1, 1)])
    own = [k for k in ("tiers", "nodes", "scales") if k in doc.data]
    theirs = [k for k in ("judgements", "key_questions", "figures", "cases") if k in doc.data]
    if theirs and not own:  # the arguments swapped, most likely
        raise BandstandError([Diagnostic.at(
            "input.kind", f"this is an evidence file (it has '{theirs[0]}'), not a framework; is it given in the "
            "framework's place? (bandstand evaluate FRAMEWORK EVIDENCE)", doc.key_pos((theirs[0],)))])
    diags = schema.validate(doc, "framework")
    if diags:
        raise BandstandError(diags)
    builder = Builder(doc, limits)
    fw = builder.build()
    if fw is None:
        raise BandstandError(builder.out.diagnostics)
    try:
        found = run_checks(fw, checks)
    except RecursionError:  # the checks recurse over rules: a --max-expression-depth raised far past the default
        raise too_deep_error(fw) from None
    fw.diagnostics = fw.diagnostics + found
    if any(d.is_error for d in fw.diagnostics):
        raise BandstandError(fw.diagnostics)
    return fw


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


__all__ = ["load_framework", "load_framework_text", "framework_from_document", "Framework"]
