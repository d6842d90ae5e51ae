"""Running a framework's examples: evidence beside the results it must give.

>>> from bandstand.catalogue import Catalogue
>>> report = run_examples(Catalogue().resolve("hmip-youth@2018"))  # doctest: +SKIP
>>> report.passed  # doctest: +SKIP
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from .dsl.model import Example, Framework
from .engine.evaluate import evaluate
from .engine.evidence import Evidence, inside, load_evidence
from .engine.result import Result
from .errors import BandstandError, Diagnostic
from .limits import DEFAULT_LIMITS, Limits


@dataclass
class ExampleOutcome:
    """One example run: what it failed to give (``failures``) or why it could not be run (``errors``).

    ``path`` is the evidence file, and ``evidence`` and ``result`` what was read
    from it and what it gave, when it could be read and evaluated.
    """

    example: Example
    failures: list[str] = field(default_factory=list)
    errors: list[Diagnostic] = field(default_factory=list)
    checked: int = 0
    path: Path | None = None
    evidence: Evidence | None = None
    result: Result | None = None

    @property
    def passed(self) -> bool:
        return not self.failures and not self.errors

    def to_json(self) -> dict:
        return {"id": self.example.id, "passed": self.passed, "checks": self.checked,
                "failures": list(self.failures), "errors": [d.to_json() for d in self.errors]}


@dataclass
class ExamplesReport:
    framework: Framework
    outcomes: list[ExampleOutcome]

    @property
    def passed(self) -> bool:
        return all(o.passed for o in self.outcomes)


def _level_id(value) -> str | None:
    return value if value is None or isinstance(value, str) else value.get("rating")


def check_expectations(result, expect: dict) -> tuple[list[str], int]:
    """Compare a result with an example's expectations; (failures, checks made)."""
    failures: list[str] = []
    checked = 0
    fw = result.framework
    o = expect.get("overall")
    if o is not None:
        got = result.overall
        if "rating" in o:
            checked += 1
            gid = got.level.id if got and got.level else None
            if gid != o["rating"]:
                failures.append(f"overall: expected {o['rating']}, got {gid}")
        if "score" in o:
            checked += 1
            if got is None or got.value != Fraction(str(o["score"])):
                failures.append(f"overall score: expected {o['score']}, got {got.value if got else None}")
    for node_id, want in (expect.get("nodes") or {}).items():
        r = result.nodes.get(node_id)
        if r is None:
            failures.append(f"{node_id}: no such node in {fw.ref}")
            continue
        rating = _level_id(want)
        if isinstance(want, str) or want is None or "rating" in want:
            checked += 1
            got = r.level.id if r.level else None
            if got != rating:
                failures.append(f"{node_id}: expected {rating}, got {got}" + (f" ({r.reason})" if r.reason else ""))
        if isinstance(want, dict):
            for key in ("percent", "yes", "of", "score"):
                if key in want:
                    checked += 1
                    got = {"percent": r.percent, "yes": r.measure.yes if r.measure else None,
                           "of": r.measure.of if r.measure else None, "score": r.score}[key]
                    if got is None or Fraction(got) != Fraction(str(want[key])):
                        failures.append(f"{node_id} {key}: expected {want[key]}, got {got}")
    if "limits_applied" in expect:
        checked += 1
        got = [a.id for a in result.limits_applied]
        if sorted(got) != sorted(expect["limits_applied"]):
            failures.append(f"limits applied: expected {expect['limits_applied']}, got {got}")
    return failures, checked


def run_examples(fw: Framework, limits: Limits = DEFAULT_LIMITS) -> ExamplesReport:
    """Evaluate each example's evidence and compare with its expectations."""
    base = fw.path.parent if fw.path is not None else Path(".")
    outcomes = []
    for ex in fw.examples:
        outcome = ExampleOutcome(ex)
        outcomes.append(outcome)
        path = inside(base, ex.evidence)
        if path is None:
            outcome.errors.append(Diagnostic.at(
                "check.example-path", f"example '{ex.id}': the evidence path '{ex.evidence}' must be relative "
                "and stay inside the framework's folder", ex.pos))
            continue
        outcome.path = path
        try:
            display = str(Path(fw.file).parent / ex.evidence) if fw.file else ex.evidence  # as the user sees it
            outcome.evidence = load_evidence(path, limits=limits, display=display)
            outcome.result = evaluate(fw, outcome.evidence)
        except BandstandError as e:
            outcome.errors.extend(e.diagnostics)
            continue
        outcome.failures, outcome.checked = check_expectations(outcome.result, ex.expect)
        # a published rating the rules disagree with fails the example, whatever it expects
        outcome.failures += [f"finding: {f.message}" for f in outcome.result.findings]
    return ExamplesReport(fw, outcomes)


@dataclass
class ExampleFile:
    """An example a framework keeps: its framework, its id and title, and where its evidence is (None: outside)."""

    framework: Framework
    example: Example
    path: Path | None


def example_files(catalogue, ref: str | None = None) -> list[ExampleFile]:
    """The examples of ``ref`` (every version of an id alone; a version; a path), or of the whole catalogue."""
    from .refs import parse_ref

    parsed = parse_ref(ref) if ref is not None else None
    if ref is None or (parsed is not None and parsed[1] is None and catalogue.has_id(parsed[0])):
        wanted = parsed[0] if parsed is not None else None  # None: every framework (ref is None)
        frameworks = [catalogue.load_path(e.path) for e in catalogue.entries() if ref is None or e.id == wanted]
    else:
        frameworks = [catalogue.resolve(ref)]
    out: list[ExampleFile] = []
    for fw in frameworks:
        base = fw.path.parent if fw.path is not None else Path(".")
        out.extend(ExampleFile(fw, ex, inside(base, ex.evidence)) for ex in fw.examples)
    return out
