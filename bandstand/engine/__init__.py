"""The interpreter: evidence in, a result tree out, with reasons."""

from .compile import CompiledFramework, NotRated
from .evaluate import compile_framework, evaluate, evaluate_many
from .evidence import Evidence, bind, load_evidence, load_evidence_text, read_cases_csv
from .result import NodeResult, Result

__all__ = ["CompiledFramework", "NotRated", "compile_framework", "evaluate", "evaluate_many", "Evidence",
           "bind", "load_evidence", "load_evidence_text", "read_cases_csv", "NodeResult", "Result"]
