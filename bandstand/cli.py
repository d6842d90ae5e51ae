"""The ``bandstand`` command line: parse arguments, call the library, render.

Exit codes: 0 success; 1 a failed check or test (``validate`` found
problems, ``test`` had a failing example); 2 unusable input or usage (a
missing file, an unknown framework, a malformed file given to ``evaluate``,
a bad option); 3 an internal error, which is a bug (``--debug`` shows the
traceback).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import traceback
from pathlib import Path

import click

from . import __version__
from .catalogue import Catalogue
from .dsl import loader, schema
from .dsl import framework_from_document
from .engine.evaluate import evaluate as evaluate_evidence
from .engine.evidence import bind, load_evidence
from .errors import BandstandError, Diagnostic, InputError, format as format_diagnostic, printable
from .limits import CEILINGS, Limits, option_name
from .render import render
from .testing import run_examples

EXIT_OK, EXIT_FAILED, EXIT_INPUT, EXIT_BUG = 0, 1, 2, 3


class State:
    def __init__(self, paths: tuple[str, ...], limits: Limits):
        self.limits = limits
        self.catalogue = Catalogue(list(paths), limits)


def _limit_options(f):
    for name in reversed(Limits.names()):
        default = getattr(Limits(), name)
        f = click.option(option_name(name), name, type=click.IntRange(min=1, max=CEILINGS.get(name)), default=default,
                         show_default=True,
                         help=f"Limit: {name.replace('_', ' ')}.")(f)
    return f


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="bandstand")
@click.option("--framework-path", "paths", multiple=True, type=click.Path(file_okay=False),
              help="A folder of framework files to add to the catalogue (repeatable; also BANDSTAND_PATH).")
@click.option("--debug", is_flag=True, help="Show the traceback of an internal error.")
@_limit_options
@click.pass_context
def cli(ctx: click.Context, paths, debug, **limits):
    """Evaluate inspection evidence against declarative frameworks.

    Frameworks are named by id@version (hmip-youth@2018), by id alone (its
    latest published version), or by the path of a YAML file.
    """
    ctx.obj = State(paths, Limits(**limits))


def _out(text: str, output: str | None, inputs=()) -> None:
    """Write to standard output, or atomically to a file (temporary file, then rename).

    Never over one of ``inputs``: no command writes into an input file.
    """
    if output is None or output == "-":
        click.echo(text, nl=False)
        return
    target = Path(output)
    if target.is_dir():
        raise InputError(f"{output} is a directory; expected a file to write", output, "input.directory")
    for p in inputs:
        if p is not None and target.exists() and _same_file(target, Path(p)):
            raise InputError(f"{output} is an input of this command; bandstand never writes over its inputs: "
                             "choose another --output", output, "input.output")
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise InputError(f"cannot write {output}: the folder {directory} does not exist", output, "input.output")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as e:
        raise InputError(f"cannot write {output}: {e.strerror or e}", output, "input.output") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _warn(diags) -> None:
    for d in diags:
        click.echo(format_diagnostic(d), err=True)


@cli.command("list")
@click.pass_obj
def list_cmd(state: State):
    """List the frameworks in the catalogue (bundled and on the search path)."""
    entries = state.catalogue.entries()
    rows = [("FRAMEWORK", "STATUS", "IN FORCE", "TITLE")]
    for e in entries:
        if e.effective_from and e.effective_to:
            span = f"{e.effective_from} to {e.effective_to}"
        elif e.effective_from:
            span = f"from {e.effective_from}"
        else:
            span = f"until {e.effective_to}" if e.effective_to else ""
        rows.append((f"{e.id}@{e.version}", e.status, span, e.title))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    for r in rows:
        click.echo("  ".join(r[i].ljust(widths[i]) for i in range(3)) + "  " + r[3])
    return EXIT_OK


def _is_framework(data) -> bool:
    return isinstance(data, dict) and any(k in data for k in ("tiers", "scales", "nodes"))


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--framework", "framework_ref", help="Check evidence against this framework (id@version or path).")
@click.pass_obj
def validate(state: State, paths, framework_ref):
    """Check framework and evidence files; print every problem as path:line:col.

    Exit 1 if any file has a problem, 2 if a file cannot be read at all.
    """
    status = EXIT_OK
    for path in paths:
        try:
            diags, summary = _validate_one(state, path, framework_ref)
        except BandstandError as e:
            diags, summary = e.diagnostics, None
            if any(d.code.startswith("input.") for d in e.diagnostics):
                status = EXIT_INPUT
        for d in diags:
            click.echo(format_diagnostic(d))
        if any(d.is_error for d in diags):
            status = max(status, EXIT_FAILED)
        elif summary:
            click.echo(f"{path}: ok ({summary})")
    return status


def _validate_one(state: State, path: str, framework_ref: str | None):
    if path.lower().endswith((".csv", ".tsv")):
        ev = load_evidence(path, limits=state.limits)
        return _check_evidence(state, ev, framework_ref, path)
    doc = loader.load_file(path, state.limits)
    if not isinstance(doc.data, dict):  # neither a framework nor evidence: say so, not "evidence fields"
        raise BandstandError([Diagnostic("schema.type", "expected a mapping of framework or evidence fields at the "
                                         f"top of the file, got {schema.describe(doc.data)}", doc.file, 1, 1)])
    if _is_framework(doc.data):
        fw = framework_from_document(doc, limits=state.limits)
        return fw.diagnostics, f"framework {fw.ref}, {sum(1 for _ in fw.walk())} nodes"
    from .engine.evidence import _from_document

    ev = _from_document(doc, Path(path).parent, state.limits)
    return _check_evidence(state, ev, framework_ref, path)


def _check_evidence(state: State, ev, framework_ref, path):
    ref = framework_ref or ev.framework
    if ref is None:
        return [], "evidence; name a framework with --framework to check it against one"
    fw = state.catalogue.resolve(ref)
    bound = bind(ev, fw)
    return bound.warnings, f"evidence for {fw.ref}"


@cli.command()
@click.argument("framework")
@click.argument("evidence")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text",
              show_default=True, help="Output format.")
@click.option("--output", "-o", help="Write to this file (atomically) instead of standard output.")
@click.option("--prompts", is_flag=True, help="Text format: also show prompts and other unrated nodes.")
@click.pass_obj
def evaluate(state: State, framework, evidence, fmt, output, prompts):
    """Evaluate EVIDENCE (YAML, JSON or CSV) against FRAMEWORK and show the ratings, why, and margins."""
    fw = state.catalogue.resolve(framework)
    ev = load_evidence(evidence, limits=state.limits)
    if ev.framework and ev.framework not in (fw.ref, fw.id):
        click.echo(f"{evidence}: warning: the evidence names {ev.framework}; evaluating with {fw.ref} as asked",
                   err=True)
    result = evaluate_evidence(fw, ev)
    _warn(result.warnings)
    options = {"show_prompts": prompts} if fmt == "text" else {}
    _out(render(result, fmt, **options), output, (fw.path, evidence, ev.cases_file))
    return EXIT_OK


@cli.command()
@click.argument("frameworks", nargs=-1)
@click.pass_obj
def test(state: State, frameworks):
    """Run the examples kept with FRAMEWORKS (default: every one in the catalogue).

    Exit 1 if any example gives a result other than the one it expects.
    """
    if frameworks:
        fws = [state.catalogue.resolve(f) for f in frameworks]
    else:
        fws = [state.catalogue.load_path(e.path) for e in state.catalogue.entries()]
    failed = 0
    total = 0
    for fw in fws:
        report = run_examples(fw, state.limits)
        if not report.outcomes:
            click.echo(f"{fw.ref}: no examples")
        for o in report.outcomes:
            total += 1
            if o.passed:
                click.echo(f"PASS {fw.ref} {o.example.id} ({o.checked} checks)")
                continue
            failed += 1
            click.echo(f"FAIL {fw.ref} {o.example.id}")
            for d in o.errors:
                click.echo(f"  {format_diagnostic(d)}")
            for f in o.failures:
                click.echo(f"  {f}")
    click.echo(f"{total - failed} passed, {failed} failed")
    return EXIT_FAILED if failed else EXIT_OK


@cli.command("schema")
@click.argument("which", type=click.Choice(list(schema.SCHEMAS)))
def schema_cmd(which):
    """Print the JSON Schema of framework or evidence files (for editors)."""
    click.echo(json.dumps(schema.load_schema(which), indent=2, ensure_ascii=False))
    return EXIT_OK


def main(argv: list[str] | None = None) -> None:
    """Entry point: every error becomes one line; exit codes as documented above."""
    args = sys.argv[1:] if argv is None else list(argv)
    debug = "--debug" in args
    try:
        code = cli.main(args=args, prog_name="bandstand", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("bandstand: interrupted", err=True)
        code = 130
    except click.ClickException as e:
        click.echo(f"bandstand: error: {' '.join(e.format_message().split())} [input.usage]", err=True)
        code = EXIT_INPUT if e.exit_code == 2 else e.exit_code
    except BandstandError as e:
        for d in e.diagnostics:
            click.echo(format_diagnostic(d), err=True)
        code = EXIT_INPUT
    except KeyboardInterrupt:
        click.echo("bandstand: interrupted", err=True)
        code = 130
    except Exception as e:  # noqa: BLE001 - the one place that turns a bug into one line
        if debug:
            traceback.print_exc()
        what = printable(" ".join(f"{type(e).__name__}: {e}".split()))[:300]  # one line, whatever it held
        click.echo(f"bandstand: internal error ({what}); this is a bug in bandstand"
                   + ("" if debug else "; run again with --debug to see the traceback"), err=True)
        code = EXIT_BUG
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
