"""Resource limits on what bandstand will read.

Every input is bounded before it is walked: a crafted file (an alias bomb, a
10,000-level nesting, a megabyte-long expression) is refused with a message
that names the limit and how to raise it, never a hang or a crash. The
defaults keep any one run under a few hundred megabytes of memory (a YAML
node costs about 400 bytes once positioned, a case about 4 KB); real
frameworks and inspections are far smaller.

>>> Limits().max_depth
100
>>> Limits(max_cases=10).max_cases
10
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace


@dataclass(frozen=True)
class Limits:
    """The bounds on input; what each bounds is in :data:`DESCRIPTIONS`."""

    max_file_bytes: int = 10 * 1024 * 1024
    max_depth: int = 100
    max_yaml_nodes: int = 500_000
    max_aliases: int = 1_000
    max_expression_length: int = 10_000
    max_expression_depth: int = 50
    max_nodes: int = 200_000
    max_cases: int = 50_000

    def __post_init__(self):
        for name, most in CEILINGS.items():
            if getattr(self, name) > most:
                raise ValueError(f"{name}={getattr(self, name)} is above {most}, the most bandstand can read")

    def with_(self, **changes) -> "Limits":
        return replace(self, **changes)

    @staticmethod
    def names() -> list[str]:
        return [f.name for f in fields(Limits)]


#: What each limit bounds, for --help and the documentation.
DESCRIPTIONS = {
    "max_file_bytes": "largest input file, in bytes",
    "max_depth": "deepest nesting of YAML/JSON collections",
    "max_yaml_nodes": "most YAML nodes in a file, aliases expanded (guards against alias bombs)",
    "max_aliases": "most alias references in one file",
    "max_expression_length": "longest rule expression, in characters",
    "max_expression_depth": "deepest nesting inside one rule expression",
    "max_nodes": "most nodes in one framework",
    "max_cases": "most cases in one evidence file",
}

#: Limits that cannot be raised past a point: positions are kept per nesting level, so reading
#: a million levels would take memory proportional to the square of the depth.
CEILINGS = {"max_depth": 1000}

DEFAULT_LIMITS = Limits()


def option_name(limit: str) -> str:
    """The command-line spelling of a limit: ``max_depth`` -> ``--max-depth``."""
    return "--" + limit.replace("_", "-")


def exceeded(limit: str, value: int, what: str) -> str:
    """A message that names the limit and how to raise it."""
    return (f"{what} exceeds the limit {limit}={value}; raise it with "
            f"{option_name(limit)} on the command line or Limits({limit}=...) in the library")


def too_deep(limit: str, what: str) -> str:
    """A message for input within a raised limit but deeper than Python's stack allows."""
    return (f"{what} is nested too deeply for bandstand to process (Python's recursion limit was reached); "
            f"nest it less deeply, or lower {option_name(limit)} so that such input is refused sooner")
