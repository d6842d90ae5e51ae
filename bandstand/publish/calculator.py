"""The rating calculator in a framework version's page: the compiled framework as JSON, for the browser.

The calculator is a second backend of the compiler. :func:`calculator_plan`
describes a framework as :class:`~bandstand.engine.compile.CompiledFramework`
sees it, resolved once: the steps in dependency order, each rule's typed AST
with every name, node set and band table already resolved (as the Python
compiler resolves them to slots), the limits, the band tables with their
rounding, the scales and their scores, the texts a result shows whatever the
evidence (titles, why an unrated node is unrated, how a limit's condition
reads), and what the framework asks of evidence (which nodes take a
judgement, which take figures, which need them). One hand-written
interpreter, ``bandstand/assets/calculator.js``, runs that plan in the page
with exact rational arithmetic (``BigInt`` numerators and denominators, as
Python's ``Fraction``) and gives the result tree as ``bandstand evaluate
--format json`` gives it: rating, reason, ``decided_by`` and margin of every
node. Nothing is ``eval``-ed on either side: the plan is data.

Why compile rather than run bandstand itself in the page (Pyodide): a
reader downloads one small script and the framework's plan (tens of
kilobytes) instead of a Python runtime and its standard library (several
megabytes, which would have to ship inside a pip package because the
project's CI installs with pip only); the first result appears as soon as
the page has loaded, not after a runtime has started. The cost, a second
implementation, is paid in the browser test: it checks the page's results
equal the library's for every bundled example and thousands of random
evidence sets (``tests/test_calculator.py``).

Each version page gets the calculator from :func:`calculator_markdown` (a
heading, a mount point and two script tags); the site gets the plan of each
version and the shared interpreter from :func:`calculator_files`.
"""

from __future__ import annotations

import json
import posixpath
from fractions import Fraction
from importlib import resources
from typing import Any, overload

from ..dsl import ast
from ..dsl.functions import FUNCTIONS
from ..dsl.resolve import Site, facts as framework_facts, resolve_name, resolve_node, resolve_nodes
from ..dsl.model import JUDGED_YES, Framework, Level
from ..engine.compile import CompiledFramework, max_score, plural
from ..engine.evaluate import compile_framework
from ..engine.margins import condition_text
from ..limits import DEFAULT_LIMITS
from .addresses import version_dir
from .markdown import escape

__all__ = ["calculator_plan", "calculator_json", "calculator_markdown", "calculator_files", "interpreter_source",
           "SCRIPT_PATH", "PLAN_NAME", "NOT_CALCULATED", "not_calculated", "NotCalculated", "not_in_form", "NOT_IN_FORM"]

#: where the interpreter is published, under the docs folder
SCRIPT_PATH = "assets/bandstand/calculator.js"
#: the plan's file name, in each version's folder
PLAN_NAME = "calculator-plan.js"


def _q(x: Fraction | int | None) -> list[str] | None:
    """A rational as [numerator, denominator] strings (read as BigInt in the page)."""
    if x is None:
        return None
    x = Fraction(x)
    return [str(x.numerator), str(x.denominator)]


class _Plan:
    def __init__(self, fw: Framework):
        self.fw = fw
        self.compiled: CompiledFramework = compile_framework(fw)
        self.levels: list[Level] = []
        self.level_ix: dict[int, int] = {}

    @overload
    def level(self, lv: Level) -> int: ...
    @overload
    def level(self, lv: Level | None) -> int | None: ...
    def level(self, lv: Level | None) -> int | None:
        if lv is None:
            return None
        i = self.level_ix.get(id(lv))
        if i is None:
            i = self.level_ix[id(lv)] = len(self.levels)
            self.levels.append(lv)
        return i

    def scale(self, scale) -> list[int]:
        return [self.level(lv) for lv in scale.levels]

    # -- expressions: the typed AST, every name resolved -----------------------------------------

    def expr(self, e: ast.Expr, site: Site) -> dict:
        if isinstance(e, ast.Number):
            return {"k": "num", "v": _q(e.value)}
        if isinstance(e, ast.String):
            return {"k": "str", "v": e.value}
        if isinstance(e, ast.Boolean):
            return {"k": "bool", "v": e.value}
        if isinstance(e, ast.Name):
            kind, value = resolve_name(e, site, self.fw)
            if kind == "level":
                return {"k": "level", "v": self.level(value)}
            if kind == "table":
                return {"k": "table", "v": value.id}
            return {"k": "nodes", "v": [n.id for n in value]}
        if isinstance(e, ast.Negate):
            return {"k": "neg", "a": self.expr(e.operand, site)}
        if isinstance(e, ast.Not):
            return {"k": "not", "a": self.expr(e.operand, site)}
        if isinstance(e, ast.Arith):
            return {"k": "arith", "op": e.op, "a": self.expr(e.left, site), "b": self.expr(e.right, site),
                    "text": str(e)}
        if isinstance(e, ast.Compare):
            return {"k": "cmp", "op": e.op, "a": self.expr(e.left, site), "b": self.expr(e.right, site)}
        if isinstance(e, ast.And):
            return {"k": "and", "a": self.expr(e.left, site), "b": self.expr(e.right, site)}
        if isinstance(e, ast.Or):
            return {"k": "or", "a": self.expr(e.left, site), "b": self.expr(e.right, site)}
        if isinstance(e, ast.Conditional):
            return {"k": "if", "c": self.expr(e.condition, site), "t": self.expr(e.then, site),
                    "o": self.expr(e.otherwise, site), "text": str(e.condition)}
        if isinstance(e, ast.Call):
            return self.call(e, site)
        raise TypeError(f"no calculator form for {type(e).__name__}")  # pragma: no cover (every node kind above)

    def call(self, e: ast.Call, site: Site) -> dict:
        f, fw = e.func, self.fw
        out: dict[str, Any] = {"k": "call", "f": f}
        if f in ("share", "rating", "is_rated"):
            out["node"] = (resolve_node(e.args[0], fw) if e.args else site.owner).id
        elif f == "pooled_share":
            out["owner"] = site.owner.id
            out["members"] = [n.id for n in resolve_nodes(e.args[0], site, fw, rated_only=False)]
        elif f in ("yes", "applicable"):
            out["node"] = site.owner.id
        elif f == "band":
            out["x"] = self.expr(e.args[0], site)
            table = e.args[1]
            assert isinstance(table, ast.Name)  # band()'s second argument has type table: only a name has
            out["table"] = table.text
        elif f in ("lowest", "highest", "sum_scores", "mean_score", "count", "count_rated"):
            members = resolve_nodes(e.args[0], site, fw)
            out["members"] = [n.id for n in members]
            out["plural"] = plural(members)
            if f in ("lowest", "highest"):
                out["none"] = "none of " + ", ".join(n.id for n in members) + " is rated"
            if f == "sum_scores":
                out["maximum"] = _q(max_score(members))
            if f == "count":
                out["level"] = self.expr(e.args[1], site)
        elif f == "score":
            arg = e.args[0]
            out["x"] = ({"k": "call", "f": "rating", "node": resolve_node(arg, fw).id} if isinstance(arg, ast.String)
                        else self.expr(arg, site))
        elif f == "nodes":
            out["members"] = [resolve_node(a, fw).id for a in e.args]
        elif f in ("min", "max"):
            out["args"] = [self.expr(a, site) for a in e.args]
        elif f == "judgement":
            out["node"] = site.owner.id
            out["reason"] = site.owner.not_rated_reason or "no judgement was given"
        elif f == "not_rated":
            out["reason"] = e.args[0].value if isinstance(e.args[0], ast.String) else "not rated"
        else:  # pragma: no cover (tests/test_calculator.py checks every built-in has a form here)
            raise TypeError(f"no calculator form for {f}()")
        return out


#: the built-ins the calculator has a form for (a test checks it is every one the compiler implements)
CALLS = frozenset({"share", "rating", "is_rated", "pooled_share", "yes", "applicable", "band", "lowest", "highest",
                   "sum_scores", "mean_score", "count", "count_rated", "score", "nodes", "min", "max",
                   "judgement", "not_rated"})


#: the built-ins the calculator refuses, and why: the published figures of a node (``value()``, ``previous()``,
#: ``comparator(...)``) would need a form of their own (a value, a period, named comparators, each possibly
#: "not available"), so a framework whose rules read them gets a page that says so instead of a calculator
NOT_CALCULATED = frozenset(f.name for overloads in FUNCTIONS.values() for f in overloads if f.reads_figure)


class NotCalculated(ValueError):
    """A framework the calculator does not take (see :data:`NOT_CALCULATED`)."""


def not_calculated(fw: Framework) -> list[str]:
    """The built-ins of :data:`NOT_CALCULATED` that ``fw``'s rules and limits call, in the order first called."""
    found: dict[str, None] = {}
    for f in framework_facts(fw).rated():
        for e in ast.walk(f.site.rule.expr):
            if isinstance(e, ast.Call) and e.func in NOT_CALCULATED:
                found[e.func] = None
    return list(found)


#: the built-ins whose values the calculator's form does not take: what the evidence records of each piece of
#: planned work (its status and due day) and the day it is evaluated on. A framework whose rules call one gets no
#: calculator, and its page says why (:func:`not_in_form`), rather than a form that could not give its results.
NOT_IN_FORM = frozenset({"status", "due", "evaluated_on"})


def not_in_form(fw: Framework) -> list[str]:
    """The built-ins ``fw``'s rules and limits call that the calculator's form does not take, in name order."""
    found: set[str] = set()
    for f in framework_facts(fw).rated():
        found.update(e.func for e in ast.walk(f.site.rule.expr) if isinstance(e, ast.Call) and e.func in NOT_IN_FORM)
    return sorted(found)


def calculator_plan(fw: Framework) -> dict:
    """The framework as the page's interpreter runs it (plain JSON data); :class:`NotCalculated` (a ValueError) for
    a framework whose rules call a built-in the calculator does not take (:func:`not_calculated`,
    :func:`not_in_form`)."""
    figures, progress = not_calculated(fw), not_in_form(fw)
    why = []
    if figures:
        why.append(f"the calculator does not take rules that read published figures "
                   f"({', '.join(f + '()' for f in figures)})")
    if progress:
        why.append(f"its rules call {', '.join(progress)}(), which the form does not take")
    if why:
        raise NotCalculated(f"{fw.ref} has no calculator: {'; '.join(why)}")
    p = _Plan(fw)
    compiled = p.compiled
    known = framework_facts(fw)
    facts = known.evidence
    site_by_node = {f.site.owner.id: f.site for f in known.rated() if f.site.kind == "rule"}
    nodes = []
    for shown in compiled.shown:
        n = shown.node
        ref = None
        if n.reference is not None:
            ref = {"source": n.reference.source,
                   "figures": [[f.label, _q(f.value)] for f in n.reference.figures]}
        nodes.append({
            "id": n.id, "title": shown.title, "tier": shown.tier, "rated": shown.rated, "how": shown.how,
            "children": list(shown.children), "unrated": shown.unrated_reason, "reference": ref,
            "parent": n.parent.id if n.parent is not None else None, "judged": n.judged,
            "scale": p.scale(n.scale) if n.scale is not None else [],
            "scores": _scale_scores(n.scale),
            "tierPlural": _tier_names(n)[0], "tierSingular": _tier_names(n)[1],
            "notRatedReason": n.not_rated_reason,
        })
    steps = []
    for step in compiled.order:
        node = step.node
        entry: dict[str, Any] = {"node": node.id, "ownShare": step.own_share,
                                 "shareTable": step.share_table.id if step.share_table is not None else None}
        if node.is_judged:
            entry["expr"] = {"k": "call", "f": "judgement", "node": node.id,
                             "reason": node.not_rated_reason or "no judgement was given"}
            entry["banded"] = None
        else:
            site = site_by_node[node.id]
            assert node.rule is not None  # compile.py plans an unjudged node only from its rule
            entry["expr"] = p.expr(node.rule.expr, site)
            b = step.banded
            entry["banded"] = None if b is None else {"table": b[0].id, "kind": b[1],
                                                       "members": [n.id for n in b[2]]}
        limits = []
        for ls in step.limits:
            lim = ls.limit
            site = Site(lim.when, fw.nodes[lim.applies_to], "limit", lim.id)
            limits.append({"id": lim.id, "cond": p.expr(lim.when.expr, site), "atMost": p.level(lim.at_most),
                           "atLeast": p.level(lim.at_least), "description": lim.description,
                           "condition": lim.when.text.strip(), "blocked": condition_text(lim, fw)})
        entry["limits"] = limits
        steps.append(entry)
    tables = {}
    for t in fw.bands.values():
        tables[t.id] = {
            "unit": t.unit, "inferred": t.inferred, "places": t.rounding.places, "mode": t.rounding.mode,
            "bands": [{"level": p.level(b.level), "min": _q(b.min), "max": _q(b.max), "below": _q(b.below),
                       "text": b.describe(t.unit)} for b in t.bands],
        }
    inputs = _inputs(fw, p)
    levels = [{"id": lv.id, "label": lv.label, "index": lv.index, "score": _q(lv.score)} for lv in p.levels]
    return {
        "format": 1,
        "framework": {"id": fw.id, "version": fw.version, "title": fw.title},
        "levels": levels,
        "tables": tables,
        "nodes": nodes,
        "steps": steps,
        "inputs": inputs,
        "shareRated": [n.id for n in facts.share_rated],
        "judgedRequired": [n.id for n in facts.judged],
        "needed": [[k, owner] for k, owner in facts.needed.items()],
        "inferred": [t.id for t in fw.bands.values() if t.inferred],
        "maxCases": DEFAULT_LIMITS.max_cases,
    }


def _tier_names(n) -> tuple[str, str]:
    if n.tier is None:
        return "nodes", "node"
    return (n.tier.plural or n.tier.label.lower() + "s"), n.tier.label.lower()


def _scale_scores(scale) -> list | None:
    if scale is None:
        return None
    scores = sorted(lv.score for lv in scale.levels if lv.score is not None)
    if not scores:
        return None
    return [_q(scores[0]), _q(scores[-1]), [_q(b - a) for a, b in zip(scores, scores[1:])]]


def _inputs(fw: Framework, p: _Plan) -> list[dict]:
    """What a reader enters, in the framework's order: a judgement for each judged node, figures for each node
    whose share of cases a rule reads (and for a node that pools its questions' answers)."""
    facts = framework_facts(fw).evidence
    out = []
    for n in facts.nodes:
        if n.is_judged and n.rated:
            out.append({"node": n.id, "kind": "judgement", "required": n.judged == JUDGED_YES,
                        "levels": p.scale(n.scale), "label": n.name})
        elif n.id in facts.figured and (n.id in facts.needed or (n.rated and not n.is_judged)):
            owner = facts.needed.get(n.id)
            out.append({"node": n.id, "kind": "figures", "required": n.id in {s.id for s in facts.share_rated},
                        "pooledBy": owner, "label": n.name})
    return out


def calculator_json(fw: Framework) -> str:
    """The plan as JSON text, safe inside a ``<script>`` element."""
    text = json.dumps(calculator_plan(fw), ensure_ascii=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def interpreter_source() -> str:
    """The hand-written interpreter shipped with the package."""
    return resources.files("bandstand").joinpath("assets", "calculator.js").read_text(encoding="utf-8")


def calculator_files(frameworks: list[Framework], prefix: str = "frameworks") -> dict[str, str]:
    """The files the calculators of a site need (path under the docs folder -> text): the interpreter, and each
    version's plan in its pages' folder."""
    out = {SCRIPT_PATH: interpreter_source()}
    prefix = prefix.strip("/") or "frameworks"  # as plan_site reads it
    for fw in frameworks:
        if not_calculated(fw) or not_in_form(fw):  # its page says why it has no calculator (calculator_markdown)
            continue
        out[posixpath.join(version_dir(fw, prefix), PLAN_NAME)] = (
            "window.bandstandPlans = window.bandstandPlans || {};\n"
            f"window.bandstandPlans[{json.dumps(fw.ref)}] = {calculator_json(fw)};\n")
    return out


def calculator_markdown(fw: Framework, page_path: str, anchor: str) -> list[str]:
    """The calculator section of a version's page at ``page_path`` (under the docs folder): a heading, the mount
    point and the scripts. The form is built by the script; without scripts the section says so."""
    figures, progress = not_calculated(fw), not_in_form(fw)
    if figures or progress:
        out = [f"## Rating calculator {{#{anchor}}}", ""]
        if figures:
            calls = ", ".join(f"`{f}()`" for f in figures)
            out += [
                f"This version has no calculator in the page: its rules read published figures ({calls}: a value, "
                "the previous period's, and the values it is compared with, any of which may be declared not "
                "available), and the calculator has no form for them yet. Its ratings are worked out by "
                "`bandstand evaluate` with an evidence file that gives the figures under `values` (see the "
                "evidence formats).", ""]
        if progress:
            calls = ", ".join(f"`{name}()`" for name in progress)
            out += [
                "This version has no rating calculator. Its rules read what the calculator's form does not take: the "
                f"status and due day the evidence records of each piece of work, or the day it is evaluated on ({calls}), "
                "and a form without them could only guess. Evaluate the evidence with "
                f"`bandstand evaluate {fw.ref} EVIDENCE --on YYYY-MM-DD` (without `--on`, on the evidence's own date).",
                ""]
        return out
    here = posixpath.dirname(page_path)
    script = posixpath.relpath(SCRIPT_PATH, here)
    ref = escape(fw.ref)
    return [
        f"## Rating calculator {{#{anchor}}}", "",
        "Enter the inspectors' judgements and the key questions' figures (a published percentage, or the "
        "cases judged sufficient and the cases inspected) to see every rating this version's rules give, why, "
        "and how far each is from the next level: the same results as `bandstand evaluate`, worked out in your "
        "browser. Leave a field blank for evidence you do not have: the ratings that need it are shown as not "
        "rated, never guessed.", "",
        f'<div class="bandstand-calculator" data-framework="{ref}">'
        "<p><em>The calculator needs JavaScript.</em></p></div>", "",
        f'<script src="{PLAN_NAME}"></script>',
        f'<script src="{script}"></script>', "",
    ]
