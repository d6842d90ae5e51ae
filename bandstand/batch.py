"""Many inspections against one framework: bind, evaluate, and write each result as one line of JSON.

:class:`ResultWriter` writes a result as the JSON contract's text
(``json.dumps(result_document(result), ensure_ascii=False)``: ``--format
json`` and each line of ``jsonl``). A ratings-only result
(``evaluate(..., explain=False)``) whose node results have not been made is
written from the plan's ratings, without making them: every node's text is
one the plain path wrote for the same inputs, kept per framework. A result
it has not seen the like of is written the plain way, and its pieces kept.
So the text is the plain path's, byte for byte, or the plain path itself
(tests/test_batch_text.py checks the two agree on random inspections, their
notes, limits and 'not rated' included).

What a node's text depends on, in a ratings-only result (see
``engine.evaluate._results``): a rated node's on its value (its level, or
why it is not rated) and its note; an unrated node's on nothing, unless the
evidence gives it a measure (then the result is written the plain way); the
overall rating's also on its score and the most it could be, which are
worked out again from the plan's ratings as ``engine.evaluate`` works them
out when its node results are made.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring
from operator import itemgetter
from typing import Any, Callable

from .contract import result_document
from .dsl import too_deep_error
from .dsl.model import OVERALL, Level
from .engine import explain as explanation
from .engine.compile import CompiledFramework, NotRated
from .engine.evaluate import compile_framework, context, evaluate
from .engine.evidence import Bound, Evidence, bind
from .engine.result import Result

#: the keys of a ratings-only result's document, in order, that :class:`ResultWriter` writes quickly
_SHAPE = ("format", "framework", "subject", "date", "evidence_file", "overall", "nodes", "limits_applied")
_MOST = 10_000  # results learnt from, at most (each keeps its rated nodes' and overall rating's text, if new)

_dumps = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps(x, ensure_ascii=False), without its checks


def _key(value) -> Any:
    """What a plan value contributes to its node's text: its level, or why it is not rated."""
    if value is None or isinstance(value, Level):
        return value
    if isinstance(value, NotRated):
        return ("not rated", value.reason)
    return ("value", type(value), value)


class ResultWriter:
    """Writes results of one framework as the JSON contract's text (see the module's docstring).

    Not to be shared between threads (it keeps what it has written).
    """

    def __init__(self, framework, document: Callable[[Result], dict] = result_document):
        self.compiled: CompiledFramework = (framework if isinstance(framework, CompiledFramework)
                                            else compile_framework(framework))
        self.document = document
        compiled = self.compiled
        #: (node id, slot, judged) of every rated node but the overall, in the order of the result's nodes
        self.rated = [(s.id, s.slot, s.judged) for s in compiled.shown if s.rated and s.id != OVERALL]
        self.unrated = frozenset(s.id for s in compiled.shown if not s.rated)
        self.overall = compiled.shown_by_id.get(OVERALL)
        self.step = compiled.steps.get(OVERALL)
        #: learnt from the first result written the plain way: the text before the subject, and after the limits
        self.head = self.tail = ""
        #: the nodes' text: the unrated nodes' (the same for every result) with a place (None) for each rated one's
        self.body: list[str | None] | None = None
        self.usable = True
        #: for each rated node: (its value's key -> its text '"id": {...}', its slot)
        self.tables: list[tuple[dict, int]] = [({}, slot) for _, slot, _ in self.rated]
        #: (the overall's value's key, score, maximum) -> its text '{...}'
        self.pieces: dict[tuple, str] = {}
        self.size = 0  # results learnt from
        #: the plan's values of the rated nodes, in the order of the result's nodes (a tuple); their tables
        self.rated_values = _getter(tuple(slot for _, slot, _ in self.rated))
        self.maps = [table for table, _ in self.tables]
        #: the rated judged nodes, whose notes the quick way does not write
        self.judged = frozenset(node_id for node_id, _, judged in self.rated if judged)
        # the overall rating's figures are worked out again (_overall_key) with a Context made from the bound
        # evidence by the function engine.evaluate makes its own with, so it holds what the evaluation held

    # -- the plain way -------------------------------------------------------------------------

    def plain(self, result: Result) -> str:
        return json.dumps(self.document(result), ensure_ascii=False)

    # -- the quick way -------------------------------------------------------------------------

    def text(self, result: Result, bound: Bound) -> str:
        """The result's text; ``bound`` is the evidence it was evaluated from."""
        plan = result.plan_values() if self.usable else None
        if plan is None or result.findings or result.partial or result.framework is not self.compiled.framework:
            return self.plain(result)
        values = plan[1]
        measures, notes = bound.measures, bound.notes
        if notes and not self.judged.isdisjoint(notes):
            return self.plain(result)
        if measures and not self.unrated.isdisjoint(measures):
            return self.plain(result)
        overall_key = self._overall_key(values, bound) if self.overall is not None else None
        body = self.body
        if body is None:
            return self._learn(result, values, overall_key)
        rated = self.rated_values(values)
        pieces = list(map(dict.get, self.maps, rated))  # (a level, or None, is its own key)
        if None in pieces:  # a value not rated (keyed by why), or one not seen before
            for i, piece in enumerate(pieces):
                if piece is None:
                    piece = pieces[i] = self.maps[i].get(_key(rated[i]))
                    if piece is None:  # not seen before: the plain way, and its pieces kept
                        return self._learn(result, values, overall_key)
        body = body.copy()  # the unrated nodes' text, with a place for each rated node's
        body[1::2] = pieces
        overall = self.pieces.get(overall_key) if overall_key is not None else None
        if overall is None and overall_key is not None:
            return self._learn(result, values, overall_key)
        return "".join((self.head, _text(result.subject), ', "date": ', _text(result.date),
                        ', "evidence_file": ', _text(result.evidence_file),
                        *((', "overall": ', overall) if overall is not None else ()),
                        ', "nodes": {', *body, '}, "limits_applied": ',  # type: ignore[arg-type]  # (filled)
                        _dumps([a.to_json() for a in result.limits_applied]) if result.limits_applied else "[]",
                        self.tail))

    def _overall_key(self, values: list, bound: Bound) -> tuple:
        """(the overall rating's value's key, its score, the most it could be): the figures as
        ``engine.evaluate._ratings_only`` works them out (its rule run again, traced, on the plan's ratings,
        its own rating not yet given)."""
        assert self.overall is not None  # (called only then)
        value = values[self.overall.slot]
        step = self.step
        events: list = []
        if step is not None:
            again = context(self.compiled, bound)
            again.ratings = list(values)
            again.ratings[step.slot] = None
            again.owner, again.trace = step.node, events
            step.fn(again)
        shown, maximum = explanation.figures(value, events)
        return (OVERALL, _key(value), shown, maximum)

    def _learn(self, result: Result, values: list, overall_key: tuple | None) -> str:
        """The result written the plain way; its pieces kept for the results like it."""
        doc = self.document(result)
        text = json.dumps(doc, ensure_ascii=False)
        shape = tuple(doc)
        expected = _SHAPE if overall_key is not None else tuple(k for k in _SHAPE if k != "overall")
        extra = shape[len(expected):]
        if shape[:len(expected)] != expected or not set(extra) <= {"inferred_thresholds"}:
            self.usable = False  # a document of another shape: always the plain way
            return text
        nodes = doc["nodes"]
        rated = {node_id for node_id, _, _ in self.rated}
        if [n for n in nodes if n in rated] != [node_id for node_id, _, _ in self.rated]:
            self.usable = False
            return text
        # the nodes' text as segments of unrated nodes' text, a rated node's place between each two
        segments: list[str] = []
        run: list[str] = []
        for i, (node_id, v) in enumerate(nodes.items()):
            sep = ", " if i else ""
            if node_id in rated:
                segments.append("".join(run) + sep)
                run = []
            else:
                run.append(f"{sep}{_dumps(node_id)}: {_dumps(v)}")
        segments.append("".join(run))
        if self.body is None:
            self.body = [None] * (2 * len(segments) - 1)
            self.body[0::2] = segments
            self.head = _dumps({k: doc[k] for k in ("format", "framework")})[:-1] + ', "subject": '
            self.tail = "".join(f", {_dumps(k)}: {_dumps(doc[k])}" for k in extra) + "}"
        elif segments != self.body[0::2]:  # (the unrated nodes' text is the same for every inspection)
            self.usable = False
            return text
        self.size += 1
        if self.size < _MOST:
            for (node_id, slot, _), (table, _) in zip(self.rated, self.tables):
                table[_key(values[slot])] = f"{_dumps(node_id)}: {_dumps(nodes[node_id])}"
            if overall_key is not None:
                self.pieces[overall_key] = _dumps(doc["overall"])
        return text


def _text(value) -> str:
    """``_dumps(value)``: a text or None without the encoder's checks."""
    if type(value) is str:
        return encode_basestring(value)
    return "null" if value is None else _dumps(value)


def _getter(slots: tuple[int, ...]) -> Callable[[list], tuple]:
    """A function giving the items of a list at ``slots``, as a tuple."""
    if len(slots) > 1:
        return itemgetter(*slots)
    if slots:
        only = slots[0]
        return lambda items: (items[only],)
    return lambda items: ()


def evaluate_each(framework, evidence: Evidence, *, explain: bool = False, on=None) -> tuple[Result, Bound]:
    """``evaluate(framework, evidence, explain=explain, on=on)``, and the evidence bound (for
    :meth:`ResultWriter.text`)."""
    fw = framework.framework if isinstance(framework, CompiledFramework) else framework
    try:  # (as evaluate binds raw evidence)
        bound = bind(evidence, fw, on)
    except RecursionError:
        raise too_deep_error(fw) from None
    return evaluate(framework, bound, explain=explain), bound


class Writers:
    """A :class:`ResultWriter` for each framework met: the text of results of any of them."""

    def __init__(self, document: Callable[[Result], dict] = result_document):
        self.document = document
        self.writers: dict[Any, ResultWriter] = {}

    def text(self, result: Result, bound: Bound) -> str:
        writer = self.writers.get(result.framework)
        if writer is None:
            writer = self.writers[result.framework] = ResultWriter(result.framework, self.document)
        return writer.text(result, bound)
