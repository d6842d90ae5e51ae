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
from ..limits import DEFAULT_LIMITS, Limits
from . import loader, schema
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
    diags = schema.validate(doc, "framework")
    if diags:
        raise BandstandError(diags)
    builder = Builder(doc, limits)
    fw = builder.build()
    if fw is None:
        raise BandstandError(builder.out.diagnostics)
    found = run_checks(fw, checks)
    fw.diagnostics = fw.diagnostics + found
    if any(d.is_error for d in fw.diagnostics):
        raise BandstandError(fw.diagnostics)
    return fw


__all__ = ["load_framework", "load_framework_text", "framework_from_document", "Framework"]
