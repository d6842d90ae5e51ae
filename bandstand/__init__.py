"""bandstand: a declarative rules engine for inspection frameworks.

The library is the product; the command line and the MkDocs plugin are thin
clients of it.

>>> import bandstand
>>> fw = bandstand.Catalogue().resolve("hmip-youth@2018")
>>> ev = bandstand.load_evidence(
...     bandstand.bundled_dir() / "examples/hmip-youth-2018/bedfordshire-2021-published.yaml")
>>> result = bandstand.evaluate(fw, ev)
>>> result.overall.level.label, int(result.overall.value)
('Requires improvement', 14)
>>> result.nodes["2.1"].decided_by
['2.1.1']
"""

from .catalogue import Catalogue, bundled_dir, load_framework_text  # the catalogue finds what a text extends
from .dsl import load_framework
from .dsl.model import Framework
from .engine import (CompiledFramework, Evidence, Result, bind, compile_framework, evaluate, evaluate_many,
                     load_evidence, load_evidence_text)
from .errors import BandstandError, Diagnostic, InputError
from .limits import DEFAULT_LIMITS, Limits
from .testing import run_examples
from .version import __version__ as __version__  # re-exported


__all__ = [
    "Catalogue", "bundled_dir", "load_framework", "load_framework_text", "Framework", "CompiledFramework",
    "Evidence", "Result", "bind", "compile_framework", "evaluate", "evaluate_many", "load_evidence",
    "load_evidence_text", "BandstandError", "Diagnostic", "InputError", "Limits", "DEFAULT_LIMITS",
    "run_examples",
]
