"""How much of a framework version's rules its worked examples exercise, for its overview page.

The figures are :func:`bandstand.rulecov.rule_coverage` of the examples as
the site ran them (the same results the example pages show), as
``bandstand test --coverage`` reports them.
"""

from __future__ import annotations

import posixpath

from ..dsl.model import Framework
from ..rulecov import KIND_LABELS, KINDS, percent_text, rule_coverage
from ..testing import ExampleOutcome, ExamplesReport
from .examples import WorkedExample
from .markdown import code, escape

__all__ = ["coverage_lines"]

#: at most this many unexercised parts are listed on the page; the rest are counted
SHOWN = 20


def coverage_lines(fw: Framework, examples: list[WorkedExample]) -> list[str]:
    """A paragraph and a list: the share of the rules the examples exercise, and the parts they do not."""
    outcomes = [ExampleOutcome(w.example, list(w.failures), [], w.checked, None, w.evidence, w.result)
                for w in examples]
    cov = rule_coverage(fw, ExamplesReport(fw, outcomes))
    parts = [f"{KIND_LABELS[k]} {sum(1 for i in items if i.covered)} of {len(items)}"
             for k in KINDS if (items := cov.of_kind(k))]
    out = [f"**Coverage of the rules by these examples: {percent_text(cov.percent)}** ({cov.covered} of "
           f"{cov.total}: {escape(', '.join(parts))}), as `bandstand test --coverage` reports it.", ""]
    missed = cov.missed
    if missed:
        out += ["Not exercised by any example:", ""]
        for item in missed[:SHOWN]:
            pos = item.pos
            # the file's name and line, not the folder it was built in
            name = posixpath.basename(pos.file or fw.file or "") if pos else ""
            where = f" ({code(f'{name}:{pos.line}')})" if pos else ""
            label = ("in " if item.kind == "branch" else "") + item.label
            out.append(f"- {escape(item.kind.replace('_', ' '))} {code(item.id)}"
                       f"{' ' + escape(label) if item.label else ''}{where}")
        if len(missed) > SHOWN:
            out.append(f"- and {len(missed) - SHOWN} more")
        out.append("")
    return out
