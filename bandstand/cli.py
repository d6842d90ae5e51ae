"""The ``bandstand`` command line: parse arguments, call the library, render.

Exit codes: 0 success; 1 a failed check or test (``validate`` found
problems, ``test`` had a failing example); 2 unusable input or usage (a
missing file, an unknown framework, a malformed file given to ``evaluate``,
a bad option, and any file or path the OS refuses: a full disk, no
permission, a link loop); 3 an internal error, which is a bug (``--debug``
shows the traceback); 130 interrupted (Ctrl-C); 143 terminated (SIGTERM);
141 standard output's reader went away (a broken pipe), quietly.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import re
import stat
import sys
import traceback
import dataclasses
from dataclasses import dataclass
from fractions import Fraction
from itertools import chain, islice
from pathlib import Path

import click

from . import __version__, annotate, completion, contract, output as output_, sniff
from .engine import read_stream
from .files import status as path_status
from .batch import Writers, evaluate_each
from .catalogue import Catalogue, parse_ref
from .contract import result_document
from .dsl import loader, schema
from .engine.evaluate import evaluate as evaluate_evidence
from .engine.evidence import Evidence, EvidenceError, bind, load_evidence, load_evidence_many
from .errors import BandstandError, InputError, format as format_diagnostic, printable, shown
from .limits import CEILINGS, DESCRIPTIONS, Limits, option_name
from .render import render
from .testing import run_examples
from .usage import Group, message as usage_message

EXIT_OK, EXIT_FAILED, EXIT_INPUT, EXIT_BUG = 0, 1, 2, 3
EXIT_TERMINATED, EXIT_BROKEN_PIPE = 128 + 15, 128 + 13  # as a shell reports a process killed by SIGTERM, SIGPIPE


class _Path(click.Path):
    """click's path type, refusing a NUL byte (which it would pass to os.stat, and crash)."""

    def convert(self, value, param, ctx):
        if "\0" in str(value):
            self.fail(f"'{printable(str(value))}': the path holds a NUL byte", param, ctx)
        return super().convert(value, param, ctx)


class State:
    def __init__(self, paths: tuple[str, ...], limits: Limits):
        self.limits = limits
        self.paths: list[str | Path] = list(paths)
        self.catalogue = Catalogue(self.paths, limits)

    def add_paths(self, paths) -> None:
        """Folders of frameworks named after the command (where pre-commit's ``args`` go): added to the catalogue."""
        if paths:
            self.paths.extend(paths)
            self.catalogue = Catalogue(self.paths, self.limits)


#: ``--framework-path`` after a command, as before it
_more_paths = click.option("--framework-path", "more_paths", multiple=True, type=_Path(file_okay=False),
                           help="A folder of framework files to add to the catalogue, as the same option before "
                                "the command (repeatable).")


def _limit_options(f):
    for name in reversed(Limits.names()):
        default = getattr(Limits(), name)
        f = click.option(option_name(name), name, type=click.IntRange(min=1, max=CEILINGS.get(name)), default=default,
                         show_default=True,
                         help=f"Limit: the {DESCRIPTIONS[name]}.")(f)
    return f


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="bandstand")
@click.option("--framework-path", "paths", multiple=True, type=_Path(file_okay=False),
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


_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}(-[0-9]{2})?$")


def _date(value: str | None, option: str) -> str | None:
    if value is None:
        return value
    try:
        if not _DATE.match(value):
            raise ValueError
        datetime.date.fromisoformat(value if len(value) == 10 else value + "-01")
    except ValueError:
        raise click.BadParameter(f"expected a date written YYYY-MM-DD (or YYYY-MM), got '{value}'",
                                 param_hint=option) from None
    return value


def _choose(state: State, ref: str, on: str | None, evidence=None):
    """The framework a command names, with how it was chosen (:meth:`Catalogue.choose`)."""
    return state.catalogue.choose(ref, on, evidence)


def _pick(state: State, ref: str, on: str | None, evidence=None):
    """The framework a command names: a version, the one in force on a date, or the latest published."""
    choice = _choose(state, ref, on, evidence)
    if choice.note:
        click.echo(f"bandstand: {choice.note}", err=True)
    if choice.warning:
        click.echo(f"{evidence.file or 'bandstand'}: warning: {choice.warning}", err=True)
    return choice.framework


def _out(text: str | bytes, output: str | None, inputs=()) -> None:
    """Write to standard output, or atomically to a file that is none of ``inputs`` (see bandstand/output.py)."""
    output_.write(text, output, inputs)


def _sources(fw) -> tuple:
    """The files a framework was read from: its own and every base it extends."""
    return (fw.path, *fw.bases)


def _warn(diags) -> None:
    for d in diags:
        click.echo(format_diagnostic(d), err=True)


def _first_time(d, said: set) -> bool:
    """Whether a warning is new here (remembered in ``said``): many inspections from one file say it once."""
    line = format_diagnostic(d)
    if line in said:
        return False
    said.add(line)
    return True


@cli.command("list")
@click.pass_obj
def list_cmd(state: State):
    """List the frameworks in the catalogue (bundled and on the search path)."""
    entries = state.catalogue.entries()
    rows = [("FRAMEWORK", "STATUS", "IN FORCE", "TITLE")]
    for e in entries:
        if e.status == "draft":  # never in force, whatever dates it plans
            span = f"none (planned from {e.effective_from})" if e.effective_from else "none"
        elif e.effective_from and e.effective_to:
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


@cli.command()
@click.argument("paths", nargs=-1, required=True, shell_complete=completion.files)
@click.option("--framework", "framework_ref", help="Check evidence against this framework (id@version or path).",
              shell_complete=completion.frameworks)
@click.option("--output-format", "output_format", type=click.Choice(list(annotate.FORMATS)), default="text",
              show_default=True,
              help="How problems are written: text (path:line:col: ...), json (a list of problems), github "
                   "(workflow commands that annotate the line in a pull request), sarif (SARIF 2.1.0, for code "
                   "scanning).")
@click.option("--ignore-unknown", is_flag=True,
              help="Skip a named file that is no framework, evidence or crosswalk file, as in folders "
                   "(for pre-commit, which names every YAML file).")
@_more_paths
@click.pass_obj
def validate(state: State, paths, framework_ref, output_format, ignore_unknown, more_paths):
    """Check framework, evidence and crosswalk files, and folders of them; print every problem as path:line:col.

    In a folder, every .yaml, .yml and .json file is checked as the kind its
    top-level keys show (a framework has `bandstand:`, a crosswalk `from:` and
    `to:`, evidence `framework:`, `cases:`, `judgements:`...); other YAML is
    skipped and listed once. Exit 1 if any file has a problem, 2 if a file or
    folder cannot be used at all.
    """
    state.add_paths(more_paths)
    status, problems, skipped = EXIT_OK, [], []
    for path, found in _validate_targets(paths, ignore_unknown):
        try:
            if isinstance(found, InputError):  # a folder with nothing to check: said, and the others checked
                raise found
            checked = _validate_one(state, path, framework_ref, found)
        except BandstandError as e:
            checked = [d if d.file else dataclasses.replace(d, file=path) for d in e.diagnostics], None
            if any(d.code.startswith("input.") for d in e.diagnostics):
                status = EXIT_INPUT
        if checked is None:
            skipped.append(path)
            continue
        diags, summary = checked
        problems.extend(diags)
        if output_format == "text":
            for line in shown(diags):
                click.echo(line)
        if any(d.is_error for d in diags):
            status = max(status, EXIT_FAILED)
        elif summary and output_format == "text":
            click.echo(f"{path}: ok ({summary})")
    if skipped:
        listed = ", ".join(printable(p) for p in skipped[:10]) + (f" and {len(skipped) - 10} more"
                                                                  if len(skipped) > 10 else "")
        click.echo(f"bandstand: skipped {len(skipped)} file{'s' if len(skipped) != 1 else ''} that "
                   f"{'are' if len(skipped) != 1 else 'is'} no framework, evidence or crosswalk file: {listed}",
                   err=True)
    if output_format == "json":
        click.echo(annotate.to_json(problems), nl=False)
    elif output_format == "github":
        click.echo(annotate.to_github(problems), nl=False)
    elif output_format == "sarif":
        click.echo(annotate.to_sarif(problems, __version__), nl=False)
    return status


def _validate_targets(paths, ignore_unknown: bool):
    """(path, found) for each file to check: named ones, and those a named folder holds (found=True); for a
    folder with no file to check, (folder, the error saying so)."""
    for path in paths:
        st = path_status(path)
        if st is None or not stat.S_ISDIR(st.st_mode):
            yield path, ignore_unknown
            continue
        inside = sniff.walk(path)
        if not inside:
            yield path, InputError(f"{path} holds no .yaml, .yml or .json files to check", path, "input.empty")
        for f in inside:
            yield f, True


def _validate_one(state: State, path: str, framework_ref: str | None, found: bool = False):
    """(problems, summary) for one file; None for a file found in a folder that is no bandstand file."""
    if path.lower().endswith((".csv", ".tsv", ".xlsx", ".xlsm")):
        ev, earlier = _as_read(lambda: load_evidence(path, limits=state.limits))
        return _check_evidence(state, ev, framework_ref, path, earlier)
    doc = loader.load_file(path, state.limits)
    kind = sniff.kind(doc.data)
    if kind is None and found:
        return None
    schema.require_mapping(doc, "framework or evidence")  # neither: say so, not "evidence fields"
    if kind == "crosswalk":
        return _check_crosswalk(state, path)
    if kind == "framework":
        fw = state.catalogue.load_path(path, display=path)
        return fw.diagnostics, f"framework {fw.ref}, {sum(1 for _ in fw.walk())} nodes"
    from .engine.evidence import from_document

    ev, earlier = _as_read(lambda: from_document(doc, Path(path).parent, state.limits))
    return _check_evidence(state, ev, framework_ref, path, earlier)


def _as_read(read):
    """(evidence, problems): what an evidence file's reader could read, and what it could not."""
    try:
        return read(), []
    except EvidenceError as e:
        return e.evidence, e.diagnostics


def _check_crosswalk(state: State, path: str):
    from .crosswalk import load_crosswalk

    cw = load_crosswalk(path, state.limits)
    source, target = state.catalogue.resolve(cw.from_ref), state.catalogue.resolve(cw.to_ref)
    cw.check(source, target)
    return [], f"crosswalk from {source.ref} to {target.ref}"


def _check_evidence(state: State, ev, framework_ref, path, earlier=()):
    """Evidence checked against its framework; problems of meaning come with those found reading it."""
    ref = framework_ref or ev.framework
    if ref is None:
        if earlier:
            raise BandstandError(earlier)
        return [], "evidence; name a framework with --framework to check it against one"
    try:
        if framework_ref is None:  # an unknown framework is reported where the evidence names it
            state.catalogue.resolve_named(ref, ev.framework_pos)
        fw = state.catalogue.choose(ref, None, ev).framework  # an id alone: the version evaluate would use
        bound = bind(ev, fw)
    except BandstandError as e:
        raise BandstandError([*earlier, *e.diagnostics]) from None
    if earlier:
        raise BandstandError([*earlier, *bound.warnings])
    return bound.warnings, f"evidence for {fw.ref}"


@cli.command()
@click.argument("framework", shell_complete=completion.frameworks)
@click.argument("evidence", nargs=-1, required=True, shell_complete=completion.files)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "jsonl", "markdown"]), default=None,
              help="Output format: text (default), json, markdown; for several inspections also jsonl "
                   "(one JSON object per line); text and markdown then give a summary table.")
@click.option("--output", "-o", help="Write to this file (atomically) instead of standard output.")
@click.option("--prompts", is_flag=True, help="Text format: also show prompts and other unrated nodes.")
@click.option("--on", "on", callback=lambda ctx, p, v: _date(v, "--on"), metavar="DATE",
              help="With a framework id alone: use the version in force on DATE (YYYY-MM-DD). "
                   "Without it, the evidence's date decides; failing that, the latest published version. "
                   "Also the day rules that read evaluated_on() compare with (default: the evidence's date).")
@click.option("--ratings-only", is_flag=True,
              help="Several inspections: the ratings and the overall score, without reasons or margins (faster).")
@click.option("--input-format", type=click.Choice(list(read_stream.FORMATS)), default=None,
              help="EVIDENCE '-' (standard input): read it as this format instead of telling it from its first "
                   "line.")
@click.pass_obj
def evaluate(state: State, framework, evidence, fmt, output, prompts, on, ratings_only, input_format):
    """Evaluate EVIDENCE against FRAMEWORK and show the ratings, why, and margins.

    EVIDENCE is a YAML, JSON or CSV file, or '-' for standard input; several
    files, a folder, or a CSV with an `inspection` column give one result
    per inspection, streamed (a CSV of inspections is read one inspection
    at a time, however large).
    """
    inputs = _evidence_files(evidence, state.catalogue, "bandstand evaluate FRAMEWORK EVIDENCE...")
    if len(inputs.files) == 1 and not inputs.found:
        streamed = _open_stream(state, framework, on, inputs.files[0], input_format)
        if streamed is not None:
            return _evaluate_stream(state, framework, on, streamed, inputs, fmt, output, prompts, ratings_only)
        try:
            inspections = load_evidence_many(inputs.files[0], limits=state.limits)
        except EvidenceError as e:
            raise _with_meaning(state, framework, on, e) from None
        if len(inspections) == 1:
            return _evaluate_one(state, framework, inspections[0], str(inputs.files[0]), fmt or "text", output,
                                 prompts, on)
    return _evaluate_many(state, framework, inputs, fmt or "text", output, on, ratings_only)


def _with_meaning(state, framework, on, error: EvidenceError) -> BandstandError:
    """An evidence file's problems of form, with the problems of meaning in what could be read."""
    try:
        bind(error.evidence, _choose(state, framework, on, error.evidence).framework, on)
    except BandstandError as e:
        return BandstandError([*error.diagnostics, *e.diagnostics])
    return error


class _Stopped(Exception):
    """A streamed CSV that cannot be read on (see :func:`_evaluate_stream`)."""

    def __init__(self, error: BandstandError):
        super().__init__(str(error))
        self.error = error


def _open_stream(state, framework, on, path: Path, input_format):
    """Standard input, or a CSV file of inspections, opened to stream; None for any other file."""
    if str(path) == read_stream.STDIN:
        try:
            return read_stream.open_stdin(state.limits, input_format)
        except EvidenceError as e:
            raise _with_meaning(state, framework, on, e) from None
    if input_format is not None:
        raise click.UsageError("--input-format is for standard input (EVIDENCE '-'); a file's format is told "
                               "by its name")
    if not str(path).lower().endswith((".csv", ".tsv")):
        return None
    return read_stream.open_csv(path, state.limits)


def _evaluate_stream(state, framework, on, opened, inputs, fmt, output, prompts, ratings_only):
    """Evidence from standard input, or a CSV of inspections read one inspection at a time.

    A CSV of inspections is never held whole: each inspection is evaluated
    and written as soon as its rows end, so memory stays that of one
    inspection. An inspection with problems is reported (file:line:col) and
    left out, and the others are still evaluated: exit 2 at the end, as for
    several files. A problem after which nothing can be read on (a quote
    left open, an inspection whose rows are not together, a line over
    --max-file-bytes) stops the command at once with exit 2: the results
    already written to standard output stay, each a complete line, and an
    --output file is not written at all (an existing one is left as it was).
    """
    if opened.inspections is None:
        ev = opened.evidence
        return _evaluate_one(state, framework, ev, opened.name, fmt or "text", output, prompts, on)
    try:
        fw = _choose(state, framework, on, Evidence(opened.name)).framework
    except BandstandError:  # the version depends on each inspection's nodes: read the file whole, as before
        opened.close()
        if opened.name == read_stream.STDIN_NAME:
            raise
        return _evaluate_many(state, framework, inputs, fmt or "text", output, on, ratings_only)
    judged = {n.id for n in fw.walk() if n.is_judged}
    stream = opened.inspections(judged)
    first = second = stopped = None
    try:
        first = next(stream, None)
        second = next(stream, None) if first is not None else None
    except BandstandError as e:
        if first is None:
            opened.close()
            raise
        stopped = e  # a second inspection was begun: the first is written, then the command stops
    if first is not None and second is None and stopped is None:  # one inspection: shown in full
        opened.close()
        ev, problems = first
        if problems:  # the problems of its rows (their consequences for its meaning would only repeat them)
            raise BandstandError(problems)
        return _evaluate_one(state, framework, ev, opened.name, fmt or "text", output, prompts, on)

    def items():
        try:
            for ev, problems in chain([first] if stopped else [first, second], () if stopped else stream):
                if problems:
                    yield [], BandstandError(problems)
                else:
                    yield [ev], None
            if stopped is not None:
                raise stopped
        except BandstandError as e:
            raise _Stopped(e) from None
        finally:
            opened.close()

    said: list = []

    def pick(ev):  # the framework chosen above: the inspections of one CSV name no version and no date
        if not said:  # how it was chosen, said once
            said.append(_pick_quietly(state, framework, on, ev, set()))
        return fw

    return _evaluate_many(state, framework, inputs, fmt or "text", output, on, ratings_only, items(), pick)


def _evaluate_one(state, framework, ev, name, fmt, output, prompts, on):
    fw = _pick(state, framework, on, ev)
    if ev.framework and ev.framework not in (fw.ref, fw.id):
        click.echo(f"{name}: warning: the evidence names {ev.framework}; evaluating with {fw.ref} as asked",
                   err=True)
    result = evaluate_evidence(fw, ev, on=on)
    _warn(result.warnings)
    if fmt == "jsonl":  # one inspection, one line
        text = json.dumps(result_document(result), ensure_ascii=False) + "\n"
    else:
        text = render(result, fmt, **({"show_prompts": prompts} if fmt == "text" else {}))
    _out(text, output, (*_sources(fw), name, ev.cases_file))
    return EXIT_OK


def _evaluate_many(state, framework, inputs, fmt, output, on, ratings_only, items=None, pick=None):
    """One result per inspection, written as it is made: memory stays flat however many there are.

    ``items`` gives (inspections, error) in turn (default: each file's); a :class:`BandstandError` it raises
    stops the command (see :func:`_evaluate_stream`); ``pick(ev)`` chooses each one's framework (default:
    :func:`_pick_quietly`)."""
    from .render import Summary

    sink = output_.Output(output, [f for f in inputs.files if str(f) != read_stream.STDIN])
    failed = total = 0
    announced: set[str] = set()
    protected: set = set()
    # a bar on a terminal, unless the results are being written to that same terminal
    show_progress = (sys.stderr.isatty() and len(inputs.files) > 1
                     and (output not in (None, "-") or not sys.stdout.isatty()))
    bar = click.progressbar(length=len(inputs.files), label="evaluating", file=sys.stderr) if show_progress else None
    summary = Summary(fmt) if fmt in ("text", "markdown") else None
    writers = Writers()
    out = output_.Chunks(sink)  # (flushed before anything goes to standard error: the two keep their order)
    last = None  # the framework of the inspection before
    try:
        if fmt == "json":
            out.write("[")
        for inspections, error in _each_inspection(inputs, state.limits) if items is None else items:
            if bar is not None:
                bar.update(1)
            if error is not None:
                failed += 1
                out.flush()
                _warn(error.diagnostics)
                continue
            for ev in inspections:
                if pick is None:  # (it may say how it chose)
                    out.flush()
                try:
                    fw = _pick_quietly(state, framework, on, ev, announced) if pick is None else pick(ev)
                    if fw is not last or ev.cases_file is not None:  # (the same framework's files: protected)
                        found = [f for f in (*_sources(fw), ev.cases_file) if f not in protected]
                        if found:  # an input found late
                            sink.protect(*found)
                            protected.update(found)
                        last = fw
                    result, bound = evaluate_each(fw, ev, explain=not ratings_only, on=on)
                except output_.OverInput:  # not this inspection's problem: the whole command is refused
                    raise
                except BandstandError as e:  # each problem names the file it is about
                    failed += 1
                    out.flush()
                    _warn(d if d.file else dataclasses.replace(d, file=ev.file) for d in e.diagnostics)
                    continue
                if result.warnings:
                    out.flush()
                    _warn(d for d in result.warnings if _first_time(d, announced))  # once for many inspections
                if fmt == "jsonl":  # (written as json.dumps(result_document(result)) writes it: batch.py)
                    out.write(writers.text(result, bound) + "\n")
                elif fmt == "json":
                    out.write(("," if total else "") + "\n" + writers.text(result, bound))
                else:
                    out.write(summary.row(result))
                total += 1
        if fmt == "json":
            out.write("\n]\n")
        elif summary is not None:
            out.write(summary.end())
        out.flush()
        sink.close()
    except _Stopped as e:  # the rest of a streamed CSV cannot be read: what was written stays, -o is not written
        out.flush()
        _warn(e.error.diagnostics)
        listed = fmt == "json" and sink.to_stdout
        if listed:  # the list begun on standard output is closed: it stays one JSON document, of what was written
            sink.write("\n]\n")
        click.echo(f"bandstand: stopped at this error after {total} inspection{'s' if total != 1 else ''} "
                   f"evaluated" + (f" ({failed} could not be, see above)" if failed else "")
                   + ("; nothing was written to " + output if not sink.to_stdout else
                      "; the results written before it are " + ("a complete JSON list" if listed else
                                                                "complete lines")), err=True)
        return EXIT_INPUT
    finally:
        if sink.to_stdout:  # stopped by something else (Ctrl-C, a bug): the results made before it are written
            with contextlib.suppress(Exception):
                out.flush()
        if bar is not None:
            bar.render_finish()
        sink.discard()
    click.echo(f"bandstand: {total} inspection{'s' if total != 1 else ''} evaluated"
               + (f"; {failed} could not be (see above)" if failed else ""), err=True)
    return EXIT_INPUT if failed else EXIT_OK


_WHY = {"named": "where the evidence names it", "dated": "where it is in force on the evidence's date",
        "fitted": "where it is the only version in force on the date that the evidence's nodes match",
        "latest": "as the latest published, where the evidence has no date"}


def _pick_quietly(state, framework, on, ev, announced: set):
    """The framework for one of many inspections, saying once per version how it was chosen."""
    choice = _choose(state, framework, on, ev)
    fw, how, first = choice.framework, choice.how, ev.subject or ev.file or "an inspection"
    if how is not None and (fw.ref, how) not in announced:
        announced.add((fw.ref, how))
        click.echo(f"bandstand: using {fw.ref} {_WHY[how]} (first: {first})", err=True)
    if choice.warning and (fw.ref, "outside") not in announced:
        announced.add((fw.ref, "outside"))
        click.echo(f"bandstand: warning: some inspections are dated outside the dates of {fw.ref} (first: {first}: "
                   f"{choice.warning})", err=True)
    return fw


def _finite(ctx, param, value):
    if value is not None and value != value:  # NaN passes a range check: no comparison holds
        raise click.BadParameter(f"'{value}' is not a number from 0 to 100", ctx, param)
    return value


@cli.command()
@click.argument("frameworks", nargs=-1, shell_complete=completion.frameworks)
@_more_paths
@click.option("--coverage", is_flag=True, help="Also show which nodes, band rows, limits and if branches the "
              "examples exercise, and where the rest are written.")
@click.option("--fail-under", type=click.FloatRange(0, 100), metavar="PERCENT", callback=_finite,
              help="Exit 1 if any framework's coverage is below PERCENT (implies --coverage).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format.")
@click.pass_obj
def test(state: State, frameworks, more_paths, coverage, fail_under, fmt):
    """Run the examples kept with FRAMEWORKS (default: every one in the catalogue).

    A framework is named by id@version, id, or path; a folder names every
    framework file in it (found as `validate` finds them).

    Exit 1 if any example gives a result other than the one it expects, or
    (with --fail-under) if coverage falls short.
    """
    if coverage or fail_under is not None or fmt == "json":
        return _test_covered(state, frameworks, more_paths, fail_under, fmt, coverage or fail_under is not None)
    state.add_paths(more_paths)
    unusable: list = []  # frameworks found in a folder that cannot be read: reported, the others still tested
    if frameworks:
        fws = [fw for f in frameworks for fw in _frameworks_named(state, f, unusable)]
    else:
        fws = [state.catalogue.load_path(e.path) for e in state.catalogue.entries()]
    for line in shown(unusable):
        click.echo(line, err=True)
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
    click.echo(f"{total - failed} passed, {failed} failed"
               + (f"; {len({d.file for d in unusable})} framework file(s) could not be read (see above)"
                  if unusable else ""))
    return EXIT_INPUT if unusable else EXIT_FAILED if failed else EXIT_OK


def _test_covered(state: State, frameworks, more_paths, fail_under, fmt, coverage: bool) -> int:
    """``test`` with coverage of the rules by the examples, or as JSON (bandstand/rulecov.py does the work)."""
    from . import rulecov

    state.add_paths(more_paths)
    unusable: list = []
    if frameworks:
        fws = [fw for f in frameworks for fw in _frameworks_named(state, f, unusable)]
    else:
        fws = [state.catalogue.load_path(e.path) for e in state.catalogue.entries()]
    for line in shown(unusable):
        click.echo(line, err=True)
    reports = [run_examples(fw, state.limits) for fw in fws]
    covs = [rulecov.rule_coverage(r.framework, r, state.limits) for r in reports] if coverage else []
    outcomes = [o for r in reports for o in r.outcomes]
    failed = sum(1 for o in outcomes if not o.passed)
    short = [c for c in covs if fail_under is not None and c.percent < Fraction(str(fail_under))]
    if fmt == "json":
        out = {"passed": len(outcomes) - failed, "failed": failed,
               "frameworks": [{"framework": r.framework.ref, "file": r.framework.file,
                               "examples": [o.to_json() for o in r.outcomes]} for r in reports]}
        if coverage:
            out["coverage"] = rulecov.to_json(covs)
            out["fail_under"] = fail_under
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        for r in reports:
            _echo_outcomes(r)
        click.echo(f"{len(outcomes) - failed} passed, {failed} failed"
                   + (f"; {len({d.file for d in unusable})} framework file(s) could not be read (see above)"
                      if unusable else ""))
        if coverage:
            click.echo(rulecov.to_text(covs), nl=False)
    for c in short:
        click.echo(f"bandstand: coverage of {c.framework.ref} is {rulecov.percent_text(c.percent)}, below "
                   f"--fail-under {fail_under:g}%", err=True)
    return EXIT_INPUT if unusable else EXIT_FAILED if failed or short else EXIT_OK


def _echo_outcomes(report) -> None:
    fw = report.framework
    if not report.outcomes:
        click.echo(f"{fw.ref}: no examples")
    for o in report.outcomes:
        if o.passed:
            click.echo(f"PASS {fw.ref} {o.example.id} ({o.checked} checks)")
            continue
        click.echo(f"FAIL {fw.ref} {o.example.id}")
        for d in o.errors:
            click.echo(f"  {format_diagnostic(d)}")
        for f in o.failures:
            click.echo(f"  {f}")


def _frameworks_named(state: State, ref: str, unusable: list):
    """The framework ``ref`` names, or, for a folder, every framework file in it; ``unusable`` gets the problems
    of the files in the folder that cannot be read."""
    st = path_status(ref)
    if st is None or not stat.S_ISDIR(st.st_mode):
        return [state.catalogue.resolve(ref)]
    found: list = []
    problems: list = []
    for path in sniff.walk(ref):
        try:
            if sniff.kind(loader.load_file(path, state.limits).data) == "framework":
                found.append(state.catalogue.load_path(path, display=path))
        except BandstandError as e:
            problems.extend(d if d.file else dataclasses.replace(d, file=path) for d in e.diagnostics)
    if not found and not problems:
        raise InputError(f"{ref} holds no framework files (YAML with 'bandstand:' at the top)", ref, "input.empty")
    unusable.extend(problems)
    return found


@cli.command("examples")
@click.argument("framework", required=False, shell_complete=completion.frameworks)
@click.option("--paths", is_flag=True, help="Print only the evidence files, one a line (for scripts).")
@click.pass_obj
def examples_cmd(state: State, framework, paths):
    """List the examples kept with FRAMEWORK (default: every framework), and where their evidence is installed.

    An id alone lists every version's. Each evidence file can be given to
    `bandstand evaluate` as it is printed.
    """
    from .catalogue import display_path
    from .testing import example_files

    found = example_files(state.catalogue, framework)
    rows = [(f.framework.ref, f.example.id, display_path(f.path) if f.path else f"(outside its folder: "
             f"{f.example.evidence})") for f in found]
    if paths:
        for _, _, where in rows:
            click.echo(where)
        return EXIT_OK
    if not rows:
        click.echo(f"{framework or 'the catalogue'}: no examples", err=True)
        return EXIT_OK
    rows.insert(0, ("FRAMEWORK", "EXAMPLE", "EVIDENCE"))
    widths = [max(len(r[i]) for r in rows) for i in range(2)]
    for r in rows:
        click.echo(f"{r[0].ljust(widths[0])}  {r[1].ljust(widths[1])}  {r[2]}")
    return EXIT_OK


@cli.command("diff")
@click.argument("old", shell_complete=completion.frameworks)
@click.argument("new", shell_complete=completion.frameworks)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text",
              show_default=True, help="Output format.")
@click.option("--output", "-o", help="Write to this file (atomically) instead of standard output.")
@click.pass_obj
def diff_cmd(state: State, old, new, fmt, output):
    """What changed from framework OLD to NEW: nodes, wording, bands, rules, scales, limits.

    Exit 0 when they are the same, 1 when they differ (as diff does). A
    change of version, status, dates or title alone is shown but is not a
    difference.
    """
    from . import diff as diffing

    a, b = _pick(state, old, None), _pick(state, new, None)
    result = diffing.diff(a, b)
    _out(render(result, fmt), output, (*_sources(a), *_sources(b)))
    return EXIT_OK if result.identical else EXIT_FAILED


@dataclass
class _Inputs:
    """The evidence files a command was given, folders walked."""

    files: list[Path]
    found: set[Path]  # those found in a folder rather than named


def _evidence_files(args: tuple[str, ...], catalogue: Catalogue, usage: str) -> _Inputs:
    files: list[Path] = []
    found: set[Path] = set()
    for arg in args:
        p = Path(arg)
        if arg == read_stream.STDIN:  # standard input: evaluate's, and alone
            if not usage.startswith("bandstand evaluate") or len(args) > 1:
                raise click.UsageError("'-' (standard input) is read by 'bandstand evaluate' as its only evidence; "
                                       "name files instead")
            files.append(p)
            continue
        ref = parse_ref(arg)
        st = path_status(arg)  # a NUL byte, a name too long, a link loop: said so, with the path
        if st is None and ref is not None and catalogue.has_id(ref[0]):
            raise InputError(f"{arg} names a framework, not an evidence file: frameworks come first ({usage})",
                             arg, "input.kind")
        if st is not None and stat.S_ISDIR(st.st_mode):
            inside = sorted(x for x in p.rglob("*")
                            if x.is_file() and x.suffix.lower() in (".yaml", ".yml", ".json", ".csv", ".tsv", ".xlsx"))
            if not inside:
                raise InputError(f"{arg} holds no evidence files (.yaml, .yml, .json, .csv, .tsv)", arg, "input.empty")
            files.extend(inside)
            found.update(inside)
        else:
            files.append(p)
    return _Inputs(files, found)


def _each_inspection(inputs: _Inputs, limits: Limits):
    """(inspections, None) or ([], error) for each file, in order.

    A CSV found in a folder is read after the other files, and not at all
    when one of them reads its cases from it (``cases: cases.csv``): it is
    part of that inspection, not another one.
    """
    referenced: set[Path] = set()
    later: list[Path] = []

    def read(f: Path):
        try:
            inspections = load_evidence_many(f, limits=limits)
        except BandstandError as e:
            return [], e
        referenced.update(ev.cases_file.resolve() for ev in inspections if ev.cases_file is not None)
        return inspections, None

    for f in inputs.files:
        if f in inputs.found and f.suffix.lower() in (".csv", ".tsv"):
            later.append(f)
        else:
            yield read(f)
    for f in later:
        yield ([], None) if f.resolve() in referenced else read(f)


@cli.command("compare")
@click.argument("first", shell_complete=completion.frameworks)
@click.argument("second", shell_complete=completion.frameworks)
@click.argument("evidence", nargs=-1, required=True, shell_complete=completion.files)
@click.option("--crosswalk", "crosswalk_path", type=_Path(dir_okay=False),
              help="Read FIRST's evidence under SECOND through this crosswalk file (default: one from the catalogue).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text",
              show_default=True, help="Output format.")
@click.option("--changes-only", is_flag=True, help="One inspection: show only the nodes whose rating changes.")
@click.option("--output", "-o", help="Write to this file (atomically) instead of standard output.")
@click.option("--on", "on", callback=lambda ctx, p, v: _date(v, "--on"), metavar="DATE",
              help="One inspection: the day FIRST's evaluation is on, for rules that read evaluated_on() "
                   "(default: the evidence's date).")
@click.option("--second-on", "second_on", callback=lambda ctx, p, v: _date(v, "--second-on"), metavar="DATE",
              help="One inspection: the day SECOND's evaluation is on (default: its evidence's date).")
@click.option("--second-evidence", "second_evidence", type=_Path(dir_okay=False),
              help="One inspection: evaluate this evidence under SECOND instead (two dates of one plan: what "
                   "moved between them).")
@click.pass_obj
def compare_cmd(state: State, first, second, evidence, crosswalk_path, fmt, changes_only, output, on=None,
                second_on=None, second_evidence=None):
    """Evaluate EVIDENCE under FIRST and SECOND and show the results side by side.

    With one evidence file, node by node; with several (or a folder), how
    many ratings change: a transition table for the overall rating and each
    node, and the inspections that change. Versions of one framework are
    compared directly; different frameworks through a crosswalk.
    """
    from . import compare as comparing
    from .crosswalk import load_crosswalk

    a, b = _pick(state, first, None), _pick(state, second, None)
    cw = None
    if crosswalk_path is not None:
        cw = load_crosswalk(crosswalk_path, state.limits)
    elif a.id != b.id:
        cw = state.catalogue.crosswalk(a, b)
    inputs = _evidence_files(evidence, state.catalogue, "bandstand compare FIRST SECOND EVIDENCE...")
    streamed = _compare_stream(state, (a, b), inputs)
    if streamed is not None:
        return _compare_streamed(a, b, cw, streamed, inputs, fmt, changes_only, output, crosswalk_path)
    loaded, errors = [], []
    for inspections, error in _each_inspection(inputs, state.limits):
        loaded.extend(inspections)
        if error is not None:
            errors.extend(error.diagnostics)
    if errors:
        raise BandstandError(errors)
    dated = on is not None or second_on is not None or second_evidence is not None
    if len(loaded) == 1 and len(inputs.files) == 1 and not inputs.found:
        other = load_evidence(second_evidence, limits=state.limits) if second_evidence is not None else None
        text = render(comparing.compare(a, b, loaded[0], cw, second_evidence=other, on=on, second_on=second_on),
                      fmt, changes_only=changes_only)
    elif dated:
        raise click.UsageError("--on, --second-on and --second-evidence compare one inspection: give one "
                               "evidence file")
    else:
        text = render(comparing.impact(a, b, loaded, cw), fmt)
    _out(text, output, [*_sources(a), *_sources(b), crosswalk_path, cw.file if cw is not None else None,
                        *inputs.files, *(ev.cases_file for ev in loaded), second_evidence])
    return EXIT_OK


def _compare_stream(state, fws, inputs):
    """A single CSV of inspections, opened to stream for ``compare`` (its judgement columns: the nodes judged in
    either framework); None for anything else."""
    if len(inputs.files) != 1 or inputs.found or not str(inputs.files[0]).lower().endswith((".csv", ".tsv")):
        return None
    opened = read_stream.open_csv(inputs.files[0], state.limits)
    if opened is not None:
        judged = {n.id for fw in fws for n in fw.walk() if n.is_judged}
        return opened, opened.inspections(judged)
    return None


def _compare_streamed(a, b, cw, streamed, inputs, fmt, changes_only, output, crosswalk_path):
    """``compare`` over a CSV of inspections read one inspection at a time, as ``evaluate`` reads it: the
    transition tables are counted as the inspections come, so its size is not bounded by --max-file-bytes
    (each inspection's rows are). Every problem is reported, and then nothing is written, as for files."""
    from . import compare as comparing

    opened, stream = streamed
    errors: list = []

    def inspections():
        try:
            for ev, problems in stream:
                if problems:
                    errors.extend(problems)
                else:
                    yield ev
        except BandstandError as e:  # no row after it can be trusted: reported with the others
            errors.extend(e.diagnostics)
        finally:
            opened.close()

    each = inspections()
    first = list(islice(each, 2))
    if len(first) == 1 and not errors:
        text = render(comparing.compare(a, b, first[0], cw), fmt, changes_only=changes_only)
    else:
        text = render(comparing.impact(a, b, chain(first, each), cw), fmt)
    if errors:
        raise BandstandError(errors)
    _out(text, output, [*_sources(a), *_sources(b), crosswalk_path, cw.file if cw is not None else None,
                        *inputs.files])
    return EXIT_OK


@cli.command()
@click.argument("framework", shell_complete=completion.frameworks)
@click.argument("evidence", shell_complete=completion.files)
@click.option("--resamples", type=click.IntRange(min=1, max=10_000_000), default=1000, show_default=True,
              help="How many bootstrap resamples of the cases.")
@click.option("--seed", type=int, default=0, show_default=True, help="The random seed (the same seed, the same output).")
@click.option("--confidence", type=click.FloatRange(min=0.5, max=0.999), default=0.95, show_default=True,
              help="The confidence of the exact intervals.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text",
              show_default=True, help="Output format.")
@click.option("--output", "-o", help="Write to this file (atomically) instead of standard output.")
@click.pass_obj
def stability(state: State, framework, evidence, resamples, seed, confidence, fmt, output):
    """How sure are the ratings of case-level EVIDENCE?

    For each key question, the exact binomial interval of its percentage and
    the chance of each band; for every node and the overall rating, the share
    of bootstrap resamples of the cases (within each part) giving each level.
    """
    from . import stability as st

    inspections = load_evidence_many(evidence, limits=state.limits)
    if len(inspections) != 1:
        raise InputError(f"{evidence} holds {len(inspections)} inspections (it has an inspection column); "
                         "stability takes one inspection's cases: give a file of one", evidence, "input.many")
    ev = inspections[0]
    fw = _pick(state, framework, None, ev)
    result = st.stability(fw, ev, resamples=resamples, seed=seed, confidence=confidence)
    _out(render(result, fmt), output, (*_sources(fw), evidence, ev.cases_file))
    return EXIT_OK


@cli.command("template")
@click.argument("framework")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv", "yaml"]), default=None,
              help="xlsx (an Excel workbook; needs bandstand[excel]), csv (the header of a CSV of cases) or yaml "
                   "[default: from --output's name, else yaml].")
@click.option("--output", "-o", help="Write to this file (atomically) instead of standard output.")
@click.pass_obj
def template_cmd(state: State, framework, fmt, output):
    """Write blank evidence for FRAMEWORK to fill in: an audit template.

    Every judged node with its levels, every key question with its wording
    and prompts, and the parts; in xlsx, with drop-down lists.
    """
    from . import template as templates

    fw = _pick(state, framework, None)
    fmt = fmt or templates.format_for(output) or "yaml"
    if fmt == "xlsx" and output in (None, "-") and sys.stdout.isatty():
        raise InputError("an xlsx workbook is not text to show on a terminal: give --output FILE.xlsx", None,
                         "input.usage")
    _out(templates.template(fw, fmt), output, _sources(fw))
    return EXIT_OK


@cli.command("fmt")
@click.argument("paths", nargs=-1, required=True, shell_complete=completion.files)
@click.option("--check", is_flag=True, help="Write nothing; list the files that would change and exit 1 if any would.")
@click.option("--diff", is_flag=True, help="Write nothing; print each change as a unified diff.")
@click.pass_obj
def fmt_cmd(state: State, paths, check, diff):
    """Put framework, evidence and crosswalk files in the canonical layout (folders: their YAML files).

    Key order as the schema lists it, ids quoted, comments kept. A file that
    does not load is left untouched and reported (exit 2).
    """
    from .fmt import run

    return run(paths, check=check, diff=diff, limits=state.limits, resolver=state.catalogue.find,
               out=lambda text: click.echo(text, nl=False), err=lambda text: click.echo(text, nl=False, err=True))


@cli.command("schema")
@click.argument("which", type=click.Choice(list(contract.NAMES)), required=False)
@click.option("--framework", "framework_ref", help="result: narrowed to this framework (its node ids and levels).",
              shell_complete=completion.frameworks)
@click.option("--write", "folder", type=_Path(file_okay=False),
              help="Write every schema into this folder as NAME.schema.json (made if missing), for an editor.")
@click.pass_obj
def schema_cmd(state: State, which, framework_ref, folder):
    """Print the JSON Schema of framework, evidence or crosswalk files, or of JSON results.

    Each has a stable $id; with --write, all of them are written to a folder
    your files' `$schema` (or `# yaml-language-server: $schema=`) can name.
    """
    if (which is None) == (folder is None):
        raise click.UsageError(f"name one schema ({', '.join(contract.NAMES)}), or write them all with --write DIR")
    if framework_ref is not None and which != "result":
        raise click.UsageError("--framework narrows only the result schema: bandstand schema result --framework REF")
    if folder is not None:
        for path in contract.write_all(output_.folder(folder), lambda text, path: _out(text, path)):
            click.echo(f"wrote {path}", err=True)
        return EXIT_OK
    fw = state.catalogue.resolve(framework_ref) if framework_ref else None
    click.echo(contract.text(contract.result_schema(fw) if which == "result" else contract.load(which)), nl=False)
    return EXIT_OK


@cli.group("cache", cls=Group, invoke_without_command=True)
@click.pass_context
def cache_cmd(ctx: click.Context):
    """Where bandstand keeps checks already made on unchanged files, and clearing it.

    BANDSTAND_CACHE_DIR moves it; BANDSTAND_NO_CACHE=1 turns it off.
    """
    if ctx.invoked_subcommand is None:
        raise click.UsageError("name what to do with the cache: bandstand cache dir, or bandstand cache clear")


@cache_cmd.command("dir")
def cache_dir_cmd():
    """Print the cache folder (BANDSTAND_CACHE_DIR, else the platform's user cache folder)."""
    from . import cache

    click.echo(str(cache.where()))
    if not cache.folder():
        click.echo("bandstand: the cache is not in use (BANDSTAND_NO_CACHE is set, or the folder cannot be used)",
                   err=True)
    return EXIT_OK


@cache_cmd.command("clear")
def cache_clear_cmd():
    """Remove every cache entry, of this version and older ones; other files in the folder are left alone."""
    from . import cache

    path = cache.where()
    try:
        done = cache.clear(path)
    except cache.UnsafeFolder as e:
        raise InputError(f"not clearing the cache folder {printable(str(path))}: {e}", printable(str(path)),
                         "input.cache") from None
    except OSError as e:
        from .files import cause

        raise InputError(f"cannot clear the cache folder {printable(str(path))}: {cause(e)}", printable(str(path)),
                         "input.cache") from None
    click.echo(f"removed {done.removed} cache entr{'y' if done.removed == 1 else 'ies'} from {done.path}")
    if done.left:
        listed = ", ".join(printable(n) for n in done.left[:5]) + (f" and {len(done.left) - 5} more"
                                                                   if len(done.left) > 5 else "")
        click.echo(f"bandstand: left {len(done.left)} file{'s' if len(done.left) != 1 else ''} there that "
                   f"{'are' if len(done.left) != 1 else 'is'} not bandstand's: {listed}", err=True)
    return EXIT_OK


def main(argv: list[str] | None = None) -> None:
    """Entry point: every error becomes one line; exit codes as documented above."""
    args = sys.argv[1:] if argv is None else list(argv)
    debug = "--debug" in args
    try:
        with output_.terminate_on_sigterm(), output_.guarded_streams():
            code = cli.main(args=args, prog_name="bandstand", standalone_mode=False)
    except output_.StreamClosed:  # the reader went away (| head): stop quietly, as SIGPIPE would
        output_.after_broken_pipe()
        code = EXIT_BROKEN_PIPE
    except output_.StreamFailed as e:
        click.echo(f"bandstand: error: cannot write standard output: {e} [input.output]", err=True)
        code = EXIT_INPUT
    except output_.Terminated:
        click.echo("bandstand: terminated", err=True)
        code = EXIT_TERMINATED
    except click.exceptions.Abort:
        click.echo("bandstand: interrupted", err=True)
        code = 130
    except click.ClickException as e:
        click.echo(f"bandstand: error: {' '.join(usage_message(e).split())} [input.usage]", err=True)
        code = EXIT_INPUT if e.exit_code == 2 else e.exit_code
    except BandstandError as e:
        for line in shown(e.diagnostics):
            click.echo(line, err=True)
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
