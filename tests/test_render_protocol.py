"""One render protocol: every command's output is ``render(result, fmt)`` of the library's result."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from bandstand import Catalogue, load_evidence
from bandstand.cli import cli
from bandstand.compare import compare, impact
from bandstand.diff import diff as diff_frameworks
from bandstand.render import render
from bandstand.stability import stability

CASES = "frameworks/examples/hmip-youth-2018/bedfordshire-2021-cases.yaml"


def run(*args: str) -> str:
    done = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert done.exit_code == 0, done.output
    return done.stdout


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_each_command_prints_render_of_its_result(fmt):
    cat = Catalogue()
    old, new = cat.resolve("hmip-youth@2018-original"), cat.resolve("hmip-youth@2018")
    ev = load_evidence(CASES)
    assert run("diff", "hmip-youth@2018-original", "hmip-youth@2018", "--format", fmt) == \
        render(diff_frameworks(old, new), fmt)
    assert run("compare", "hmip-youth@2018-original", "hmip-youth@2018", CASES, "--format", fmt) == \
        render(compare(old, new, ev, None), fmt)
    assert run("compare", "hmip-youth@2018-original", "hmip-youth@2018", CASES, "--format", fmt,
               "--changes-only") == render(compare(old, new, ev, None), fmt, changes_only=True)
    assert run("stability", "hmip-youth@2018", CASES, "--resamples", "50", "--format", fmt) == \
        render(stability(new, ev, resamples=50, seed=0, confidence=0.95), fmt)


def test_an_impact_renders_in_every_format():
    cat = Catalogue()
    old, new = cat.resolve("hmip-youth@2018-original"), cat.resolve("hmip-youth@2018")
    imp = impact(old, new, [load_evidence(CASES)], None)
    outputs = {fmt: render(imp, fmt) for fmt in ("text", "json", "markdown")}
    assert outputs["json"].startswith("{") and outputs["markdown"] != outputs["text"]
    with pytest.raises(KeyError):
        render(imp, "yaml")


def test_every_json_output_carries_the_format_version():
    from bandstand.contract import FORMAT
    import json

    for args in (["diff", "hmip-youth@2018-original", "hmip-youth@2018"],
                 ["compare", "hmip-youth@2018-original", "hmip-youth@2018", CASES],
                 ["stability", "hmip-youth@2018", CASES, "--resamples", "20"],
                 ["evaluate", "hmip-youth@2018", CASES]):
        doc = json.loads(run(*args, "--format", "json"))
        assert next(iter(doc)) == "format" and doc["format"] == FORMAT, args[0]
