"""The 2018 youth rating rules written for other rule engines, as yardsticks.

Each engine gets the same inspection as flat fields (key question ``2.1.1``
becomes ``k211``, judgement ``1.1`` becomes ``j11``, levels as numbers 0-3,
4.1 as ``j41``, -1 when not rated) and must give the overall level number;
the ZEN decision graph gives the 12 standards as well. The rules are
generated from the same table of standards as the hand-written function, so
that they say one thing; ``lines`` counts the lines of rules each engine
needed, as it would be written out by hand.

Every engine is optional: ``available()`` lists the ones installed (the
``test`` extra installs them all).
"""

from __future__ import annotations

import json
from typing import Callable

from handwritten import CASE_BASED, JUDGED

STANDARDS = [s for s, *_ in CASE_BASED]


def flat(name: str) -> str:
    return name.replace(".", "")


def flat_inputs(figures: dict, judgements: dict, level: dict) -> dict:
    """An inspection as flat fields: kNNN percentages, jNN level numbers (4.1 -1 when absent)."""
    out = {f"k{flat(k)}": v for k, v in figures.items()}
    for j in JUDGED:
        out[f"j{flat(j)}"] = level[judgements[j]]
    out["j41"] = level[judgements["4.1"]] if "4.1" in judgements else -1
    return out


# -- expressions in the C-like syntax shared by ZEN, rule-engine and CEL -------------------------

def _band(var: str) -> str:
    return f"({var} >= 80 ? 3 : ({var} >= 65 ? 2 : ({var} >= 50 ? 1 : 0)))"


def _min3(a: str, b: str, c: str, style: str) -> str:
    if style == "zen":
        return f"min([{a}, {b}, {c}])"
    ab = f"({a} < {b} ? {a} : {b})"
    return f"({ab} < {c} ? {ab} : {c})"


def standard_expr(kqs: tuple[str, str, str], style: str) -> str:
    return _min3(*(_band("k" + flat(k)) for k in kqs), style)


def total_expr(style: str, standard_names: dict | None = None) -> str:
    parts = [f"j{flat(j)}" for j in JUDGED]
    for s, *kqs in CASE_BASED:
        parts.append(standard_names[s] if standard_names else standard_expr(tuple(kqs), style))
    return " + ".join(parts)


def overall_expr(total: str) -> str:
    level = f"(({total}) <= 6 ? 0 : (({total}) <= 18 ? 1 : (({total}) <= 30 ? 2 : 3)))"
    return level


def single_expression(style: str) -> str:
    """The overall level as one expression (the total is written out where it is used)."""
    total = total_expr(style)
    level = overall_expr(total)
    return f"(j41 == 0 && {level} == 3) ? 2 : {level}" if style != "rule_engine" else \
        f"(j41 == 0 and {level} == 3) ? 2 : {level}"


# -- the engines ---------------------------------------------------------------------------------


def _zen_graph() -> dict:
    """A JDM decision graph: input -> standards -> total and overall -> output."""
    standards = [{"id": f"s{flat(s)}", "key": f"s{flat(s)}", "value": standard_expr(tuple(kqs), "zen")}
                 for s, *kqs in CASE_BASED]
    names = {s: f"s{flat(s)}" for s in STANDARDS}
    total = total_expr("zen", names)
    overall = [  # within a node, earlier results are read through $
        {"id": "total", "key": "total", "value": total},
        {"id": "level", "key": "level", "value": overall_expr("$.total")},
        {"id": "overall", "key": "overall", "value": "(j41 == 0 and $.level == 3) ? 2 : $.level"},
    ]
    nodes = [
        {"id": "in", "type": "inputNode", "name": "inspection", "position": {"x": 0, "y": 0}},
        {"id": "std", "type": "expressionNode", "name": "standards", "position": {"x": 1, "y": 0},
         "content": {"expressions": standards, "passThrough": True}},
        {"id": "ovr", "type": "expressionNode", "name": "overall", "position": {"x": 2, "y": 0},
         "content": {"expressions": overall, "passThrough": True}},
        {"id": "out", "type": "outputNode", "name": "result", "position": {"x": 3, "y": 0}},
    ]
    edges = [{"id": f"e{i}", "type": "edge", "sourceId": a, "targetId": b}
             for i, (a, b) in enumerate((("in", "std"), ("std", "ovr"), ("ovr", "out")))]
    return {"nodes": nodes, "edges": edges}


def zen_graph() -> tuple[Callable[[dict], int], int]:
    import zen

    graph = _zen_graph()
    decision = zen.ZenEngine().create_decision(json.dumps(graph))

    def rate(inputs: dict) -> int:
        return int(decision.evaluate(inputs)["result"]["overall"])
    lines = sum(len(n.get("content", {}).get("expressions", [])) for n in graph["nodes"]) + len(graph["edges"])
    return rate, lines


def zen_expression() -> tuple[Callable[[dict], int], int]:
    import zen

    expr = zen.compile_expression(single_expression("zen").replace("&&", "and"))
    return (lambda inputs: int(expr.evaluate(inputs))), 1


def staged(style: str) -> list[tuple[str, str]]:
    """The rules as named expressions evaluated in order, each reading the ones before
    (how a user of an engine without functions or variables would write them)."""
    out = [(f"b{flat(k)}", _band("k" + flat(k))) for k in handwritten_kqs()]
    for s, a, b, c in CASE_BASED:
        out.append((f"s{flat(s)}", _min3(f"b{flat(a)}", f"b{flat(b)}", f"b{flat(c)}", style)))
    out.append(("total", " + ".join([f"j{flat(j)}" for j in JUDGED] + [f"s{flat(s)}" for s in STANDARDS])))
    out.append(("level", overall_expr("total")))
    both = "and" if style == "rule_engine" else "&&"
    out.append(("overall", f"(j41 == 0 {both} level == 3) ? 2 : level"))
    return out


def handwritten_kqs() -> list[str]:
    return [k for _s, *kqs in CASE_BASED for k in kqs]


def rule_engine_rule() -> tuple[Callable[[dict], int], int]:
    import rule_engine

    rules = [(name, rule_engine.Rule(expr)) for name, expr in staged("rule_engine")]

    def rate(inputs: dict) -> int:
        values = dict(inputs)
        for name, rule in rules:
            values[name] = rule.evaluate(values)
        return int(values["overall"])
    return rate, len(rules)


def cel() -> tuple[Callable[[dict], int], int]:
    import celpy

    env = celpy.Environment()
    programs = [(name, env.program(env.compile(expr))) for name, expr in staged("cel")]
    int_type = celpy.celtypes.IntType

    def rate(inputs: dict) -> int:
        values = {k: int_type(v) for k, v in inputs.items()}
        for name, program in programs:
            values[name] = program.evaluate(values)
        return int(values["overall"])
    return rate, len(programs)


def _logic_band(var: str) -> dict:
    v = {"var": var}
    return {"if": [{">=": [v, 80]}, 3, {">=": [v, 65]}, 2, {">=": [v, 50]}, 1, 0]}


def json_logic_rule() -> tuple[Callable[[dict], int], int]:
    from json_logic import jsonLogic

    standards = [{"min": [_logic_band("k" + flat(k)) for k in kqs]} for _s, *kqs in CASE_BASED]
    total = {"+": [{"var": f"j{flat(j)}"} for j in JUDGED] + standards}
    level = {"if": [{"<=": [total, 6]}, 0, {"<=": [total, 18]}, 1, {"<=": [total, 30]}, 2, 3]}
    rule = {"if": [{"and": [{"==": [{"var": "j41"}, 0]}, {"==": [level, 3]}]}, 2, level]}

    def rate(inputs: dict) -> int:
        return int(jsonLogic(rule, inputs))
    return rate, len(json.dumps(rule, indent=1).splitlines())


ENGINES: dict[str, Callable] = {
    "GoRules ZEN (decision graph)": zen_graph,
    "GoRules ZEN (one compiled expression)": zen_expression,
    "rule-engine": rule_engine_rule,
    "cel-python": cel,
    "json-logic (panzi-json-logic)": json_logic_rule,
}


def available() -> dict[str, tuple[Callable[[dict], int], int]]:
    """The engines that are installed, ready to rate flat inputs: name -> (rate, lines of rules)."""
    out = {}
    for name, make in ENGINES.items():
        try:
            out[name] = make()
        except ImportError:
            continue
    return out
