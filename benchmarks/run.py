"""bandstand's benchmarks, each a ratio against a yardstick measured in the same run.

    python benchmarks/run.py            # the full run: writes benchmarks/RESULTS.md and growth.svg
    python benchmarks/run.py --quick    # small sizes, a few repetitions: checks agreement, no file written

Workloads (see the issue that asked for them, and RESULTS.md for figures):

1. command-line cold start, against importing the dependencies alone;
2. one inspection, ratings only and fully explained, against hand-written Python;
3. other rule engines on the same rules, each checked to agree on random inspections;
4. batch and impact: many random inspections under two versions, and peak memory;
5. stability: bootstrap resamples of Bedfordshire's cases;
6. growth: frameworks of 1,000 to 100,000 nodes, evidence of 1,000 to 1,000,000 cases;
7. reading a CSV of 50,000 cases and evaluating it, against csv.reader plus evaluating the same cases as data.

``--split`` prints the CPU time per inspection of each stage of the batch path (reading, bind,
evaluate, writing). BANDSTAND_BENCH_CLI_SIZES=10000,100000,1000000 sets the inspection counts of 4c/4d;
``--reading`` runs only 4d's reading-alone row (``BANDSTAND_BENCH_CLI_SIZES=10000,1000000 python
benchmarks/run.py --reading``: a million inspections read in about a minute, where the command line
would take many).

Times are medians of repeated runs; a ratio is bandstand's median over the
yardstick's. No timing is asserted anywhere: the test suite runs the quick
mode only to check that every yardstick agrees with bandstand.
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import math
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import handwritten  # noqa: E402
from bandstand import Catalogue, bind, cache, compile_framework, evaluate, load_evidence, load_framework  # noqa: E402
from bandstand.batch import Writers  # noqa: E402
from bandstand.engine.evidence import Case, Evidence, Figure, Judgement  # noqa: E402
from bandstand.errors import Position  # noqa: E402

LEVELS = handwritten.LEVELS
EXAMPLE = ROOT / "frameworks" / "examples" / "hmip-youth-2018"


# -- random inspections ----------------------------------------------------------------------------


def random_inspection(rng: random.Random) -> tuple[dict, dict]:
    """Key-question percentages and judgements of a random inspection (4.1 sometimes absent)."""
    figures = {k: rng.randint(0, 100) for k in handwritten.KEY_QUESTIONS}
    judgements = {j: rng.choice(LEVELS) for j in handwritten.JUDGED}
    if rng.random() < 0.8:
        judgements["4.1"] = rng.choice(LEVELS)
    return figures, judgements


def as_evidence(figures: dict, judgements: dict, subject: str = "random") -> Evidence:
    here = Position(None, 1, 1)
    ev = Evidence(None, subject=subject)
    ev.figures = {k: Figure(k, None, None, _fraction(v), here) for k, v in figures.items()}
    ev.judgements = {k: Judgement(k, v, None, here) for k, v in judgements.items()}
    return ev


def ratings(compiled, figures: dict, judgements: dict) -> dict:
    """bandstand's ratings of an inspection (level ids), by the public path: bind, then evaluate without reasons."""
    r = evaluate(compiled, bind(as_evidence(figures, judgements), compiled.framework), explain=False)
    out = {k: (n.level.id if n.level else None) for k, n in r.nodes.items() if n.rated}
    out["overall"] = r.overall.level.id if r.overall.level else None
    return out


def _fraction(v):
    from fractions import Fraction
    return Fraction(v)


# -- timing ---------------------------------------------------------------------------------------


def median_time(fn, repeats: int, number: int) -> float:
    """Median seconds per call of ``fn`` over ``repeats`` runs of ``number`` calls."""
    times = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - start) / number)
    return statistics.median(times)


def paired_time(ours, theirs, repeats: int, number: int, their_number: int | None = None) -> tuple[float, float]:
    """Median CPU seconds per call of ``ours`` and of ``theirs``, the two taking turns run by run: a ratio of two
    small functions measured minutes apart moved by half on this machine, as its state did; in turns, each run of
    one has a run of the other beside it (and waiting for a core is neither side's cost)."""
    spent: tuple[list, list] = ([], [])
    for _ in range(repeats):
        for times, fn, calls in ((spent[0], ours, number), (spent[1], theirs, their_number or number)):
            gc.collect()
            start = time.process_time()
            for _ in range(calls):
                fn()
            times.append((time.process_time() - start) / calls)
    return statistics.median(spent[0]), statistics.median(spent[1])


def median_batch(fn, inputs: list, repeats: int) -> float:
    """Median seconds per input of ``fn`` applied to every input, over ``repeats`` runs."""
    times = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        for x in inputs:
            fn(x)
        times.append((time.perf_counter() - start) / len(inputs))
    return statistics.median(times)


def us(seconds: float) -> str:
    return f"{seconds * 1e6:,.1f} µs" if seconds < 1e-3 else f"{seconds * 1e3:,.1f} ms" if seconds < 1 else f"{seconds:,.2f} s"


# -- the workloads --------------------------------------------------------------------------------


def cold_start(quick: bool) -> list[dict]:
    """1. `bandstand evaluate ... --format json` as a whole process, against importing its dependencies.

    Both sides run from byte-compiled modules, as after ``pip install``
    (the dependencies in site-packages are compiled by pip; bandstand's own
    modules are compiled here, since an editable install under
    ``PYTHONDONTWRITEBYTECODE`` would otherwise compile them on every run).
    The runs alternate, so a busy machine slows both alike. bandstand's cache
    lives in a fresh folder: the first run fills it, as any first use would;
    a second row shows every run with the cache turned off.
    """
    import compileall

    compileall.compile_dir(str(ROOT / "bandstand"), quiet=1)
    exe = Path(sys.executable).parent / "bandstand"
    evidence = EXAMPLE / "bedfordshire-2021-cases.yaml"
    ours = [str(exe), "evaluate", "hmip-youth@2018", str(evidence), "--format", "json"]
    imports = [sys.executable, "-c", "import yaml, jsonschema, lark, click"]
    runs = 3 if quick else 21

    def run(cmd, env):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT, env=env)
        return time.perf_counter() - start

    with tempfile.TemporaryDirectory() as folder:
        cached = dict(os.environ, BANDSTAND_CACHE_DIR=folder)
        cached.pop("BANDSTAND_NO_CACHE", None)
        uncached = dict(os.environ, BANDSTAND_NO_CACHE="1")
        first = run(ours, cached)  # fills the cache
        warm, none, deps = [], [], []
        for _ in range(runs):
            warm.append(run(ours, cached))
            none.append(run(ours, uncached))
            deps.append(run(imports, os.environ))
    b = statistics.median(deps)
    name = "python -c 'import yaml, jsonschema, lark, click'"
    return [{"workload": "1. cold start: `bandstand evaluate hmip-youth@2018 <Bedfordshire cases> --format json`",
             "bandstand": statistics.median(warm), "yardstick": b, "yardstick_name": name, "target": 1.5},
            {"workload": f"1. the same with the cache off (BANDSTAND_NO_CACHE=1; the run that filled the cache "
                         f"took {us(first)})", "bandstand": statistics.median(none), "yardstick": b,
             "yardstick_name": name, "target": None}]


def one_inspection(quick: bool, agree_n: int) -> list[dict]:
    """2. One inspection: ratings only and fully explained, against the hand-written function."""
    fw = Catalogue().resolve("hmip-youth@2018")
    compiled = compile_framework(fw)
    rng = random.Random(2018)
    # agreement on random inspections: every standard, 4.1 and the overall rating
    for _ in range(agree_n):
        figures, judgements = random_inspection(rng)
        hand = handwritten.rate(figures, judgements)
        ours = ratings(compiled, figures, judgements)
        for node_id, v in hand.items():
            assert ours[node_id] == LEVELS[v], (node_id, figures, judgements)
        if rng.random() < 0.05:  # the explained path agrees too (checked on a sample: it is slower)
            r = evaluate(compiled, as_evidence(figures, judgements))
            assert r.overall.level.id == LEVELS[hand["overall"]]
    # Bedfordshire, from published figures and from its 23 cases
    published = load_evidence(EXAMPLE / "bedfordshire-2021-published.yaml")
    figures = {k: int(v.percent) for k, v in published.figures.items()}
    judgements = {k: v.rating for k, v in published.judgements.items()}
    cases_ev = load_evidence(EXAMPLE / "bedfordshire-2021-cases.yaml")
    cases = [(c.part, c.answers) for c in cases_ev.cases]
    case_judgements = {k: v.rating for k, v in cases_ev.judgements.items()}
    hand_levels = handwritten.rate_cases(cases, case_judgements)
    assert hand_levels == handwritten.rate(figures, judgements)
    bound_figures = bind(as_evidence(figures, judgements), fw)
    quick_result = evaluate(compiled, bound_figures, explain=False)
    assert {k: LEVELS.index(quick_result.overall.level.id if k == "overall" else quick_result.nodes[k].level.id)
            for k in hand_levels} == hand_levels
    bound_published = bind(published, fw)
    bound_cases = bind(cases_ev, fw)
    raw_figures = as_evidence(figures, judgements)
    reps, n = (3, 200) if quick else (9, 20000)
    m = n // 20
    rated = [k for k, node in fw.nodes.items() if node.rated]

    def hand_fig():
        handwritten.rate(figures, judgements)

    def hand_cases():
        handwritten.rate_cases(cases, case_judgements)

    def against(fn, hand=hand_fig) -> dict:  # (each row timed in turns with its yardstick)
        ours, theirs = paired_time(fn, hand, reps, m, n if hand is hand_fig else n // 4)
        return {"bandstand": ours, "yardstick": theirs, "yardstick_name": "hand-written function"}

    rows = [
        {"workload": "2a. one inspection from published figures, ratings only: `evaluate(fw, bound, explain=False)` "
                     "(timed: evaluate, every rating and the overall rating decided; not timed: binding the "
                     "evidence, done once, and making the result's node results, which happens when they are "
                     "first read: see 2a2)",
         **against(lambda: evaluate(compiled, bound_figures, explain=False)), "target": 3},
        {"workload": "2a2. the same, then every rating read with `result.rating(id)` (timed: evaluate and the "
                     "reads, which do not make the node results)",
         **against(lambda: _read_ratings(evaluate(compiled, bound_figures, explain=False), rated)), "target": None},
        {"workload": "2a3. the same, then the whole result tree read (`result.nodes` and `result.overall`: the "
                     "155 node results made)",
         **against(lambda: evaluate(compiled, bound_figures, explain=False).nodes), "target": None},
        {"workload": "2b. the same as 2a from raw evidence: `evaluate(fw, evidence, explain=False)` (timed: binding "
                     "(checking the evidence against the framework) and evaluate; not timed: building the Evidence "
                     "object from the figures, and making the node results, as in 2a)",
         **against(lambda: evaluate(compiled, raw_figures, explain=False)), "target": 10},
        {"workload": "2c. one inspection from published figures, full explained result tree (evidence checked once)",
         **against(lambda: evaluate(compiled, bound_published)), "target": 15},
        {"workload": "2d. one inspection from 23 cases, full explained result tree (evidence checked once)",
         **against(lambda: evaluate(compiled, bound_cases), hand_cases), "target": 15},
        {"workload": "2e. the same, checking the evidence too (`bind` + `evaluate`)",
         **against(lambda: evaluate(compiled, bind(cases_ev, fw)), hand_cases), "target": None},
    ]
    rows += explained_tree(quick, compiled, rng)
    return rows


def _read_ratings(result, ids: list[str]) -> None:
    for k in ids:
        result.rating(k)


def _read_reasons(result) -> None:
    for r in result.nodes.values():
        r.reason  # noqa: B018 - reading the property is the work measured
    result.overall.reason  # noqa: B018 - as above


def explained_tree(quick: bool, compiled, rng: random.Random) -> list[dict]:
    """2f. The explained tree against a hand-written function giving the identical tree (checked on 1,000)."""
    import handwritten_tree

    fw = compiled.framework
    tree = handwritten_tree.Tree(fw)  # per framework, once (as compiling is)
    for _ in range(100 if quick else 1000):
        figures, judgements = random_inspection(rng)
        ours = evaluate(compiled, bind(as_evidence(figures, judgements), fw)).to_json()
        assert handwritten_tree.explain(tree, figures, judgements).to_json() == ours, (figures, judgements)
    sample = [random_inspection(rng) for _ in range(50 if quick else 500)]
    bound = [bind(as_evidence(f, j), fw) for f, j in sample]
    reps = 3 if quick else 7
    name = ("hand-written function giving the identical tree (benchmarks/handwritten_tree.py), checked identical "
            "on random inspections")
    return [{"workload": "2f. explained `evaluate(fw, bound)` from published figures, random inspections (timed: "
                         "evaluate and its whole result tree: every node result, decided_by, margins; not timed: "
                         "binding, done once per inspection, and writing the reasons, which happens when each is "
                         "first read: see 2g)",
             "bandstand": median_batch(lambda b: evaluate(compiled, b), bound, reps),
             "yardstick": median_batch(lambda fj: handwritten_tree.explain(tree, *fj), sample, reps),
             "yardstick_name": name, "target": 2},
            {"workload": "2g. the same, then every node's reason read (timed on both sides: evaluate, then "
                         "`.reason` of every node result and of the overall rating; the hand-written function "
                         "writes its reasons as it builds the tree)",
             "bandstand": median_batch(lambda b: _read_reasons(evaluate(compiled, b)), bound, reps),
             "yardstick": median_batch(lambda fj: _read_reasons(handwritten_tree.explain(tree, *fj)), sample, reps),
             "yardstick_name": name, "target": None}]


def other_engines(quick: bool, agree_n: int) -> list[dict]:
    """3. The same rules in other engines: agreement, then time per inspection."""
    import engines

    fw = Catalogue().resolve("hmip-youth@2018")
    compiled = compile_framework(fw)
    rng = random.Random(3)
    inspections = [random_inspection(rng) for _ in range(agree_n)]
    level = {name: i for i, name in enumerate(LEVELS)}
    flat = [engines.flat_inputs(f, j, level) for f, j in inspections]
    expected = [LEVELS.index(ratings(compiled, f, j)["overall"]) for f, j in inspections]
    rows = []
    sample = inspections[: 200 if quick else 2000]
    bound = [bind(as_evidence(f, j), fw) for f, j in sample]  # not timed: binding (as the engines are given inputs)
    ours = median_batch(lambda b: evaluate(compiled, b, explain=False), bound, 3 if quick else 7)
    for name, (rate, lines) in engines.available().items():
        # cel-python takes tens of milliseconds an inspection: the quick mode checks fewer with it
        checks = min(agree_n, 30) if quick and name.startswith("cel") else agree_n
        for inputs, want in zip(flat[:checks], expected):
            got = rate(inputs)
            assert got == want, (name, inputs, got, want)
        timed = flat[: max(10, len(sample) // (50 if name.startswith("cel") else 1))]
        t = median_batch(rate, timed, 3 if quick else 5)
        rows.append({"workload": f"3. {name}", "bandstand": ours, "yardstick": t, "yardstick_name": name,
                     "target": 1.0, "lines": lines, "agreed": checks})
    return rows


def batch_impact(quick: bool) -> list[dict]:
    """4. Many random inspections under two versions (Good from 65% and from 70%): the public ``impact()``
    against a hand-written loop doing the same job; then the peak memory of ratings-only evaluation streamed."""
    from collections import Counter

    from bandstand.compare import impact

    base = Catalogue().resolve("hmip-youth@2018")
    variant = Catalogue([ROOT / "frameworks" / "what-if"]).resolve("hmip-youth@2018-good70")
    a, b = compile_framework(base), compile_framework(variant)

    def band70(p):
        return 3 if p >= 80 else 2 if p >= 70 else 1 if p >= 50 else 0

    level, judged, case_based = handwritten.LEVEL, handwritten.JUDGED, handwritten.CASE_BASED

    def hand_levels(figures, judgements, band):
        """Every rated node's level (0-3, None: not rated) under one version: the 21 key questions, the 12
        standards, 4.1 and the overall rating (handwritten.rate's rules, the key questions kept)."""
        out = {}
        total = 0
        for j in judged:
            v = out[j] = level[judgements[j]]
            total += v
        for s, k1, k2, k3 in case_based:
            l1, l2, l3 = out[k1], out[k2], out[k3] = band(figures[k1]), band(figures[k2]), band(figures[k3])
            v = out[s] = min(l1, l2, l3)
            total += v
        overall = 0 if total <= 6 else 1 if total <= 18 else 2 if total <= 30 else 3
        r41 = judgements.get("4.1")
        out["4.1"] = None if r41 is None else level[r41]
        if r41 is not None and out["4.1"] == 0 and overall == 3:
            overall = 2
        out["overall"] = overall
        return out

    def hand_impact(inspections):
        """Both versions' levels of every rated node, a transition table per node, the moves of each inspection."""
        tables: dict = {}
        changed = []
        for figures, judgements in inspections:
            x, y = hand_levels(figures, judgements, handwritten.band), hand_levels(figures, judgements, band70)
            moves = []
            for node, before in x.items():
                after = y[node]
                table = tables.get(node)
                if table is None:
                    table = tables[node] = Counter()
                table[(before, after)] += 1
                if before != after:
                    moves.append((node, before, after))
            if moves:
                changed.append(moves)
        return tables, changed

    n = 2000 if quick else 20_000
    rng = random.Random(4)
    raw = [random_inspection(rng) for _ in range(n)]  # not timed: generating the inspections, and as evidence
    evidence = [as_evidence(figures, judgements) for figures, judgements in raw]
    # agreement: the same tables and the same moves, every rated node
    got, (tables, changed) = impact(base, variant, evidence), hand_impact(raw)
    name = {None: "not rated", **dict(enumerate(LEVELS))}
    assert got.inspections == n and not got.notes and not got.unrated
    assert {k: dict(t) for k, t in got.transitions.items()} == {
        k: {(name[x], name[y]): c for (x, y), c in t.items()} for k, t in tables.items()}
    assert [sorted(m) for _, _, m in got.changed] == [sorted((k, name[x], name[y]) for k, x, y in m) for m in changed]
    # CPU time, the two runs taking turns: on a shared machine, waiting for a core is neither side's cost
    times: tuple[list, list] = ([], [])
    repeats = 1 if quick else 5
    for _ in range(repeats):
        for spent, job in zip(times, (lambda: impact(base, variant, evidence), lambda: hand_impact(raw))):
            gc.collect()
            start = time.process_time()
            job()
            spent.append(time.process_time() - start)
    t_ours, t_hand = statistics.median(times[0]) / n, statistics.median(times[1]) / n
    rows = [{"workload": f"4. impact: `impact(fw, what_if, inspections)`, {n:,} random inspections under two versions "
                         "(timed: the public impact(), each inspection's evidence cut to each version, bound and "
                         "evaluated for its ratings, and the transitions of every rated node (35) and its moves "
                         "counted; the loop: both versions' levels of the same nodes and the same counts; not "
                         f"timed: generating the inspections; CPU time, the two taking turns, median of {repeats})",
             "bandstand": t_ours, "yardstick": t_hand,
             "yardstick_name": "hand-written loop, every rated node counted", "target": 3}]

    def run(n):
        """Ratings-only evaluation under both versions, the overall ratings compared, inspections made as they
        are evaluated (streamed)."""
        rng = random.Random(4)
        changed = 0
        for _ in range(n):
            ev = as_evidence(*random_inspection(rng))
            x = evaluate(a, bind(ev, base), explain=False).overall.level.id
            y = evaluate(b, bind(ev, variant), explain=False).overall.level.id
            changed += x != y
        return changed

    # peak memory: streaming means the same peak at 10,000 and at 1,000,000 inspections
    peaks = {}
    for size in ((1000, 10_000) if quick else (10_000, 100_000)):
        tracemalloc.start()
        run(size)
        peaks[size] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    small, large = sorted(peaks)
    rows.append({"workload": f"4. peak memory, {large:,} inspections over {small:,} (traced Python memory of "
                             "ratings-only evaluation under both versions, each inspection made as it is "
                             "evaluated and its overall ratings compared)", "bandstand": peaks[large],
                 "yardstick": peaks[small], "yardstick_name": f"{small:,} inspections", "target": 1.1,
                 "unit": "bytes"})
    return rows




COURT = [k for k in handwritten.KEY_QUESTIONS if k.startswith("2.")]
OUT_OF_COURT = [k for k in handwritten.KEY_QUESTIONS if k.startswith("3.")]
LABELS = ["Inadequate", "Requires improvement", "Good", "Outstanding"]


def write_inspections_csv(path: Path, n: int, seed: int = 7, cases: int = 6) -> None:
    """``n`` random inspections as one CSV, one row per case (three court, three out-of-court cases each; with
    ``cases=1``, one court case)."""
    rng = random.Random(seed)
    judged = [*handwritten.JUDGED, "4.1"]
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(",".join(["inspection", *judged, "case", "part", *COURT, *OUT_OF_COURT]) + "\n")
        for i in range(n):
            name = f"Inspection {i}"
            head = [name] + [rng.choice(LABELS) for _ in judged]
            for c in range(cases):
                court = c < 3
                answers = [rng.choice(("yes", "no")) if (k in COURT) == court else "" for k in COURT + OUT_OF_COURT]
                f.write(",".join(head + [f"C{c}", "court" if court else "out_of_court"] + answers) + "\n")


#: runs a command as its own child and reports that child's CPU time and peak RSS (see run_measured)
_MEASURE = ("import os, sys\n"
            "pid = os.fork()\n"
            "if pid == 0:\n"
            "    os.execvp(sys.argv[2], sys.argv[2:])\n"
            "_, status, usage = os.wait4(pid, 0)\n"
            "with open(sys.argv[1], 'w') as f:\n"
            "    f.write(f'{usage.ru_utime + usage.ru_stime} {usage.ru_maxrss}')\n"
            "sys.exit(os.waitstatus_to_exitcode(status))\n")


def run_measured(cmd: list[str], out_path: Path) -> tuple[float, int]:
    """(CPU seconds, peak resident memory in bytes) of one process writing to ``out_path``.

    The command is started by a small Python process, not by this one: on Linux a child's peak RSS
    (``ru_maxrss``) counts the memory of the process it was forked from, so a command forked from this
    process, which grows as the workloads run, would report this process's size as its own."""
    with tempfile.NamedTemporaryFile("r", suffix=".rusage") as measured:
        with open(out_path, "wb") as out:
            proc = subprocess.run([sys.executable, "-c", _MEASURE, measured.name, *cmd], stdout=out,
                                  stderr=subprocess.DEVNULL, cwd=ROOT)
        assert proc.returncode == 0, (cmd, proc.returncode)
        cpu, maxrss = measured.read().split()
    rss = int(maxrss) * (1 if sys.platform == "darwin" else 1024)
    return float(cpu), rss


def cli_sizes(quick: bool) -> tuple[int, ...]:
    """The inspection counts of 4c/4d: BANDSTAND_BENCH_CLI_SIZES (comma-separated) or the defaults."""
    given = os.environ.get("BANDSTAND_BENCH_CLI_SIZES")
    if given:
        return tuple(int(n) for n in given.split(","))
    return (300, 1500) if quick else (10_000, 100_000)


def cli_batch(quick: bool) -> list[dict]:
    """4c/4d. The command line's batch mode on one CSV of many inspections, against a streaming script.

    No limit is raised: a CSV of inspections streams, so neither --max-file-bytes nor --max-cases bounds it.
    """
    exe = str(Path(sys.executable).parent / "bandstand")
    sizes = cli_sizes(quick)
    small, large = sizes[0], sizes[-1]
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        measured = {}
        for n in sizes:
            csv_path = folder / f"inspections-{n}.csv"
            write_inspections_csv(csv_path, n)
            ours = [exe, "evaluate", "hmip-youth@2018", str(csv_path), "--format", "jsonl", "--ratings-only"]
            hand = [sys.executable, str(HERE / "csv_to_jsonl.py"), str(csv_path)]
            measured[n] = (run_measured(ours, folder / "ours.jsonl"), run_measured(hand, folder / "hand.jsonl"))
            with open(folder / "ours.jsonl", encoding="utf-8") as a, open(folder / "hand.jsonl", encoding="utf-8") as b:
                count = 0
                for line_a, line_b in zip(a, b):  # the same ratings, inspection by inspection
                    g, w = json.loads(line_a), json.loads(line_b)
                    assert g["subject"] == w["subject"] and g["overall"]["rating"] == w["overall"], (g["subject"],)
                    assert all(g["nodes"][k]["rating"] == v for k, v in w["nodes"].items()), (g["subject"],)
                    count += 1
                assert count == n and not a.readline() and not b.readline(), (count, n)
            csv_path.unlink()
        (cpu_ours, _), (cpu_hand, _) = measured[large]
        rows.append({"workload": f"4c. CLI batch: `bandstand evaluate hmip-youth@2018 INSPECTIONS.csv --format jsonl "
                                 f"--ratings-only` (no limit raised), {large:,} inspections of 6 cases (timed: CPU "
                                 "time of the whole process, start-up included; not timed: writing the CSV)",
                     "bandstand": cpu_ours, "yardstick": cpu_hand,
                     "yardstick_name": "hand-written streaming CSV->jsonl script, same ratings", "target": 5})
        rows.append({"workload": f"4d. CLI batch: peak RSS of the whole process at {large:,} inspections over "
                                 f"{small:,}" + "".join(f"; at {n:,}: {measured[n][0][1] / 1e6:,.1f} MB"
                                                        for n in sizes[1:-1]),
                     "bandstand": measured[large][0][1], "yardstick": measured[small][0][1],
                     "yardstick_name": f"{small:,} inspections", "target": 1.2, "unit": "bytes"})
    return rows


READ_ALONE = ("import sys\n"
              "from bandstand import Catalogue\n"
              "from bandstand.engine.read_stream import stream_inspections\n"
              "fw = Catalogue([]).resolve('hmip-youth@2018')\n"
              "n = sum(1 for _ in stream_inspections(sys.argv[1], fw))\n"
              "assert n == int(sys.argv[2]), n\n")


def stream_reading(quick: bool) -> list[dict]:
    """4d, reading alone: peak RSS of a process streaming a CSV of inspections of one case each
    (``stream_inspections``, no evaluation), at the largest count of BANDSTAND_BENCH_CLI_SIZES over the smallest.
    What grows with the count here is what the reader remembers of the inspections met."""
    import compileall

    compileall.compile_dir(str(ROOT / "bandstand"), quiet=1)  # as installed: compiling would be the peak
    sizes = cli_sizes(quick)
    small, large = sizes[0], sizes[-1]
    measured = {}
    with tempfile.TemporaryDirectory() as folder:
        for n in (small, large):
            path = Path(folder) / f"inspections-{n}.csv"
            write_inspections_csv(path, n, cases=1)
            size = path.stat().st_size
            measured[n] = run_measured([sys.executable, "-c", READ_ALONE, str(path), str(n)], Path(os.devnull))
            path.unlink()
    return [{"workload": f"4d. reading alone (`stream_inspections`, no evaluation): peak RSS of the whole process "
                         f"at {large:,} inspections of 1 case ({size / 1e6:,.0f} MB) over {small:,} (CPU time: "
                         f"{measured[small][0]:,.1f} s and {measured[large][0]:,.1f} s)",
             "bandstand": measured[large][1], "yardstick": measured[small][1],
             "yardstick_name": f"{small:,} inspections", "target": 1.2, "unit": "bytes"}]


def split_per_inspection(n: int = 2000) -> dict[str, float]:
    """CPU seconds per inspection of each stage of the batch path, on ``n`` random inspections of 6 cases:
    reading (CSV rows to Evidence), bind, evaluate (ratings only), writing (the JSON text, as the command line
    writes it: batch.Writers); and csv.reader alone over the same file."""
    from bandstand.engine.read_csv import Rows, iter_inspections
    from bandstand.engine.read_stream import Lines
    from bandstand.limits import Limits

    fw = Catalogue([]).resolve("hmip-youth@2018")
    judged = {node.id for node in fw.walk() if node.is_judged}
    writers = Writers()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "inspections.csv"
        write_inspections_csv(path, n)
        clock = time.process_time
        binding = evaluating = writing = 0.0
        with open(path, "rb") as f:  # streamed as the command line does: one inspection at a time
            start = clock()
            for ev, _ in iter_inspections(Rows(Lines(f, "x", Limits()), "x"), "x", Limits(), judged):
                t0 = clock()
                bound = bind(ev, fw)
                t1 = clock()
                result = evaluate(fw, bound, explain=False)
                t2 = clock()
                writers.text(result, bound)  # as the command line writes it (json.dumps(result_document(...)))
                t3 = clock()
                binding, evaluating, writing = binding + t1 - t0, evaluating + t2 - t1, writing + t3 - t2
            read = clock() - start - binding - evaluating - writing
        with open(path, newline="", encoding="utf-8") as f:
            start = clock()
            for _ in csv.reader(f):
                pass
            reader = clock() - start
    return {"read": read / n, "bind": binding / n, "evaluate": evaluating / n, "write": writing / n,
            "csv.reader": reader / n}


def cpu_time(fn) -> float:
    """CPU seconds of one call of ``fn`` (this process), after a collection."""
    gc.collect()
    start = time.process_time()
    fn()
    return time.process_time() - start


def csv_read(quick: bool) -> list[dict]:
    """7. Reading and evaluating a CSV of 50,000 cases, against csv.reader reading it plus evaluating the same
    cases given as data (issue 14)."""
    import csv as csv_module

    n = 2_000 if quick else 50_000
    fw = Catalogue([]).resolve("hmip-youth@2018")
    rng = random.Random(11)
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        cases = folder / "cases.csv"
        with open(cases, "w", encoding="utf-8", newline="") as f:
            f.write(",".join(["case", "part", *COURT, *OUT_OF_COURT]) + "\n")
            for i in range(n):
                court = i % 2 == 0
                answers = [rng.choice(("yes", "no")) if (k in COURT) == court else "" for k in COURT + OUT_OF_COURT]
                f.write(",".join([f"C{i}", "court" if court else "out_of_court", *answers]) + "\n")
        evidence = folder / "evidence.yaml"
        evidence.write_text((EXAMPLE / "bedfordshire-2021-csv.yaml").read_text(encoding="utf-8").replace(
            "cases: bedfordshire-2021-cases.csv", "cases: cases.csv"), encoding="utf-8")
        loaded = load_evidence(evidence)
        as_data = Evidence(None, subject=loaded.subject, date=loaded.date)  # the same cases, made beforehand
        as_data.judgements = loaded.judgements
        as_data.cases = [Case(c.id, c.part, dict(c.answers), Position(None, i + 2, 1))
                         for i, c in enumerate(loaded.cases)]
        assert evaluate(fw, as_data).to_json()["nodes"] == evaluate(fw, loaded).to_json()["nodes"]

        def ours():
            evaluate(fw, load_evidence(evidence))

        def yardstick():
            with open(cases, newline="", encoding="utf-8") as f:
                for _ in csv_module.reader(f):
                    pass
            evaluate(fw, as_data)

        def reader():
            with open(cases, newline="", encoding="utf-8") as f:
                for _ in csv_module.reader(f):
                    pass

        repeats = 3 if quick else 7
        t_ours, t_yard = [], []
        for _ in range(repeats):  # alternated, so a busy machine slows both alike
            t_ours.append(cpu_time(ours))
            t_yard.append(cpu_time(yardstick))
        t_ours, t_yard = statistics.median(t_ours), statistics.median(t_yard)
        t_read = statistics.median(cpu_time(lambda: load_evidence(evidence)) for _ in range(repeats))
        t_reader = statistics.median(cpu_time(reader) for _ in range(repeats))
    return [{"workload": f"7. a CSV of {n:,} cases (one inspection, judgements in its YAML evidence): "
                         "`evaluate(fw, load_evidence(evidence.yaml))` (timed, CPU time: reading the YAML and the "
                         "CSV, binding, the explained evaluation)",
             "bandstand": t_ours, "yardstick": t_yard,
             "yardstick_name": "csv.reader reading the same file plus `evaluate` of the same cases given as data "
                               "(timed, CPU time: both; not timed: building the cases)", "target": 2},
            {"workload": f"7. reading alone: `load_evidence` of the same {n:,} cases (timed, CPU time: reading "
                         "the YAML and the CSV into Evidence)",
             "bandstand": t_read, "yardstick": t_reader, "yardstick_name": "csv.reader over the same file"}]


def stability_workload(quick: bool) -> list[dict]:
    """5. Bootstrap resamples of Bedfordshire's 23 cases, against the same resampling driving the hand-written function."""
    from bandstand.stability import _resampled

    fw = Catalogue().resolve("hmip-youth@2018")
    compiled = compile_framework(fw)
    ev = load_evidence(EXAMPLE / "bedfordshire-2021-cases.yaml")
    bound = bind(ev, fw)
    n = 500 if quick else 10_000
    judgements = {k: v.rating for k, v in ev.judgements.items()}
    by_part = {}
    for c in ev.cases:
        by_part.setdefault(c.part, []).append((c.part, c.answers))

    def hand(resamples, seed):
        rng = random.Random(seed)
        parts = sorted(by_part)
        out = []
        for _ in range(resamples):
            sample = []
            for p in parts:
                sample.extend(rng.choices(by_part[p], k=len(by_part[p])))
            out.append(handwritten.rate_cases(sample, judgements)["overall"])
        return out

    def ours(resamples, seed):
        return [r["overall"] for r in _resampled(compiled, bound, resamples, seed)]

    a, b = ours(min(n, 300), 9), hand(min(n, 300), 9)
    assert [LEVELS.index(x) for x in a] == b  # same seed, same draws: the same overall ratings
    t_ours = median_time(lambda: ours(n, 1), 1 if quick else 3, 1)
    t_hand = median_time(lambda: hand(n, 1), 1 if quick else 3, 1)
    return [{"workload": f"5. stability: {n:,} resamples of Bedfordshire's 23 cases", "bandstand": t_ours,
             "yardstick": t_hand, "yardstick_name": "the same resampling, hand-written rating", "target": 3}]


# -- 6. growth ----------------------------------------------------------------------------------------


def synthetic_framework(nodes: int) -> str:
    """A framework of about ``nodes`` nodes: domains of 10 standards of 5 key questions of 4 prompts."""
    per_standard = 1 + 5 * (1 + 4)
    standards = max(1, nodes // per_standard)
    domains = max(1, standards // 10)
    lines = ["id: synthetic", f'version: "{nodes}"', "title: Synthetic", "status: draft",
             "scales:", "  - id: r", "    levels:"]
    for i, name in enumerate(LEVELS):
        lines.append(f"      - {{id: {name}, label: {name}, score: {i}}}")
    total = standards * 3
    q = total // 4
    lines += ["bands:", "  - id: pct", "    scale: r", "    unit: percent", "    rounding: {places: 0}", "    bands:",
              "      - {level: inadequate, min: 0, max: 49}", "      - {level: requires_improvement, min: 50, max: 64}",
              "      - {level: good, min: 65, max: 79}", "      - {level: outstanding, min: 80, max: 100}",
              "  - id: total", "    scale: r", "    bands:",
              f"      - {{level: inadequate, min: 0, max: {q}}}",
              f"      - {{level: requires_improvement, min: {q + 1}, max: {2 * q}}}",
              f"      - {{level: good, min: {2 * q + 1}, max: {3 * q}}}",
              f"      - {{level: outstanding, min: {3 * q + 1}, max: {total}}}",
              "tiers:", "  - {id: domain, label: Domain, rated: false}",
              "  - {id: standard, label: Standard, rule: lowest(children), counts_toward_overall: true}",
              "  - {id: question, label: Question, rule: 'band(share(), pct)'}",
              "  - {id: prompt, label: Prompt, rated: false}",
              "parts: [{id: p, label: Part}]", "nodes:"]
    s = 0
    for d in range(domains):
        lines += [f"  - id: d{d}", f"    title: Domain {d}", "    part: p", "    children:"]
        for _ in range(standards // domains):
            lines += [f"      - id: s{s}", f"        title: Standard {s}", "        children:"]
            for k in range(5):
                lines += [f"          - id: s{s}.{k}", f"            question: Question {k} of standard {s}?",
                          "            children:"]
                lines += [f"              - {{id: s{s}.{k}.{x}, question: Prompt {x}?}}" for x in range(4)]
            s += 1
    lines += ["overall:", "  rule: band(sum_scores(counted), total)"]
    return "\n".join(lines) + "\n"


def growth(quick: bool) -> tuple[list[dict], dict]:
    """6. Load and check time over framework size; evaluate time and memory over evidence size."""
    from bandstand.limits import Limits

    sizes = (1000, 3000, 10_000) if quick else (1000, 10_000, 100_000)
    load = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            path = Path(tmp) / f"synthetic-{n}.yaml"
            path.write_text(synthetic_framework(n), encoding="utf-8")
            limits = Limits(max_nodes=10 * n, max_file_bytes=1 << 30, max_yaml_nodes=1 << 30)
            with cache.off():  # the work itself: reading, schema, building, every static check
                fw = load_framework(path, limits=limits)  # once for any one-off cost
                count = sum(1 for _ in fw.walk())
                # B023: median_time calls the lambda before this iteration ends
                t = median_time(lambda: load_framework(path, limits=limits), 1 if quick or n >= 100_000 else 3, 1)  # noqa: B023
            load.append((count, t))
    fw = Catalogue().resolve("hmip-youth@2018")
    compiled = compile_framework(fw)
    judgements = {j: Judgement(j, "good", None, Position(None, 1, 1)) for j in handwritten.JUDGED}
    case_sizes = (1000, 10_000, 30_000) if quick else (1000, 10_000, 100_000, 1_000_000)
    cases = []
    for n in case_sizes:
        rng = random.Random(n)
        here = Position(None, 1, 1)
        ev = Evidence(None, subject=f"{n} cases")
        ev.judgements = judgements
        ev.cases = []
        for i in range(n):
            if i % 2:
                answers = {k: rng.random() < 0.7 for k in handwritten.KEY_QUESTIONS if k.startswith("3.")}
                ev.cases.append(Case(f"c{i}", "out_of_court", answers, here))
            else:
                answers = {k: rng.random() < 0.7 for k in handwritten.KEY_QUESTIONS if k.startswith("2.")}
                ev.cases.append(Case(f"c{i}", "court", answers, here))
        # time and memory in separate runs: tracing allocations slows them, and not evenly
        # B023, F821: median_time calls the lambda before this iteration ends (and its `del ev`)
        elapsed = median_time(lambda: evaluate(compiled, bind(ev, fw)), 1 if quick or n >= 100_000 else 3, 1)  # noqa: B023, F821
        gc.collect()
        tracemalloc.start()
        r = evaluate(compiled, bind(ev, fw))
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert r.overall.level is not None
        cases.append((n, elapsed, peak))
        del ev
    load_exp = fit_exponent([x for x, _ in load], [t for _, t in load])
    case_exp = fit_exponent([n for n, _, _ in cases], [t for _, t, _ in cases])
    mem_exp = fit_exponent([n for n, _, _ in cases], [m for _, _, m in cases])
    rows = [
        {"workload": f"6. load and check frameworks of {load[0][0]:,} to {load[-1][0]:,} nodes: growth exponent",
         "value": load_exp, "target": 1.1, "detail": ", ".join(f"{n:,} nodes {us(t)}" for n, t in load)},
        {"workload": f"6. check and evaluate evidence of {cases[0][0]:,} to {cases[-1][0]:,} cases: time exponent",
         "value": case_exp, "target": 1.1, "detail": ", ".join(f"{n:,} cases {us(t)}" for n, t, _ in cases)},
        {"workload": "6. the same: memory exponent", "value": mem_exp, "target": 1.1,
         "detail": ", ".join(f"{n:,} cases {m / 1e6:,.1f} MB" for n, _, m in cases)},
    ]
    return rows, {"load": load, "cases": cases}


def fit_exponent(xs, ys) -> float:
    """The slope of log y against log x (least squares): 1 is linear growth."""
    lx = [math.log(x) for x in xs]
    ly = [math.log(y) for y in ys]
    mx, my = statistics.fmean(lx), statistics.fmean(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly)) / sum((a - mx) ** 2 for a in lx)


def growth_svg(data: dict) -> str:
    """A log-log plot of the growth workload, as SVG (no plotting library needed)."""
    width, height, pad = 720, 320, 50
    series = [
        ("load and check time (s) / framework nodes", [(n, t) for n, t in data["load"]], "#1d70b8"),
        ("evaluate time (s) / cases", [(n, t) for n, t, _ in data["cases"]], "#d4351c"),
        ("evaluate peak memory (MB) / cases", [(n, m / 1e6) for n, _, m in data["cases"]], "#00703c"),
    ]
    xs = [x for _, pts, _ in series for x, _ in pts]
    ys = [y for _, pts, _ in series for _, y in pts]
    x0, x1 = math.log10(min(xs)), math.log10(max(xs))
    y0, y1 = math.floor(math.log10(min(ys))), math.ceil(math.log10(max(ys)))

    def px(x):
        return pad + (math.log10(x) - x0) / ((x1 - x0) or 1) * (width - 2 * pad)

    def py(y):
        return height - pad - (math.log10(y) - y0) / ((y1 - y0) or 1) * (height - 2 * pad)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" '
           'font-size="11">', f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" stroke="black"/>',
           f'<line x1="{pad}" y1="{pad}" x2="{pad}" y2="{height - pad}" stroke="black"/>']
    for e in range(int(y0), int(y1) + 1):
        y = py(10 ** e)
        out.append(f'<text x="{pad - 6}" y="{y + 4:.1f}" text-anchor="end">1e{e}</text>')
        out.append(f'<line x1="{pad}" y1="{y:.1f}" x2="{width - pad}" y2="{y:.1f}" stroke="#ddd"/>')
    for e in range(math.floor(x0), math.ceil(x1) + 1):
        if x0 <= e <= x1:
            x = px(10 ** e)
            out.append(f'<text x="{x:.1f}" y="{height - pad + 16}" text-anchor="middle">1e{e}</text>')
    for i, (label, pts, colour) in enumerate(series):
        path = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in pts)
        out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for x, y in pts:
            out.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" fill="{colour}"/>')
        out.append(f'<text x="{pad + 10}" y="{pad + 14 * i}" fill="{colour}">{label}</text>')
    out.append(f'<text x="{width / 2}" y="{height - 12}" text-anchor="middle">size (log scale)</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


# -- the report -----------------------------------------------------------------------------------------


def machine() -> list[str]:
    import importlib.metadata as md

    versions = []
    for pkg in ("bandstand", "lark", "pyyaml", "jsonschema", "click", "zen-engine", "rule-engine", "cel-python",
                "panzi-json-logic"):
        try:
            versions.append(f"{pkg} {md.version(pkg)}")
        except md.PackageNotFoundError:
            versions.append(f"{pkg} (not installed)")
    return [f"- date: {date.today().isoformat()}",
            f"- machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}",
            f"- Python {platform.python_version()} ({platform.python_implementation()})",
            "- versions: " + ", ".join(versions)]


def report(rows: list[dict], notes: list[str]) -> str:
    # the documentation site includes the part between the snippet markers (docs/performance.md)
    lines = ["# bandstand benchmarks", "", "<!-- --8<-- [start:results] -->", "", "Measured by `python benchmarks/run.py` (see its docstring). Each time is "
             "the median of repeated runs; each ratio is bandstand's time over the yardstick's, measured in the "
             "same run. Lower is better.", ""] + machine() + ["", "| workload | bandstand | yardstick | ratio | target | met |",
                                                               "|---|---|---|---|---|---|"]
    for r in rows:
        if "value" in r:
            met = "yes" if r["value"] <= r["target"] else "no"
            lines.append(f"| {r['workload']} ({r['detail']}) | | | {r['value']:.2f} | <= {r['target']} | {met} |")
            continue
        unit = r.get("unit")
        fmt = (lambda v: f"{v / 1e6:,.2f} MB" if v >= 1e6 else f"{v / 1e3:,.1f} KB") if unit == "bytes" else us
        ratio = r["bandstand"] / r["yardstick"]
        target = r.get("target")
        met = "" if target is None else ("yes" if ratio <= target else "no")
        extra = (f"; {r['lines']} line{'' if r['lines'] == 1 else 's'} of rules; agreed on {r['agreed']:,} inspections"
                 if "lines" in r else "")
        lines.append(f"| {r['workload']} | {fmt(r['bandstand'])} | {fmt(r['yardstick'])} ({r['yardstick_name']}{extra}) | "
                     f"{ratio:.2f} | {'' if target is None else f'<= {target}'} | {met} |")
    lines += ["", "## Notes", ""] + [f"- {n}" for n in notes]
    lines += ["", "<!-- --8<-- [end:results] -->", "", "![growth](growth.svg)", ""]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, few repetitions; write nothing")
    parser.add_argument("--out", default=str(HERE / "RESULTS.md"), help="where to write the results (full run)")
    parser.add_argument("--only", nargs="*", type=int, help="run only these workloads (1-7)")
    parser.add_argument("--reading", action="store_true",
                        help="run only 4d's reading-alone row (peak memory of streaming a CSV of inspections)")
    parser.add_argument("--split", action="store_true",
                        help="print the CPU time per inspection of each stage of the batch path, and stop")
    args = parser.parse_args(argv)
    if args.split:
        for stage, seconds in split_per_inspection().items():
            print(f"{stage}: {seconds * 1e6:,.0f} us per inspection")
        return 0
    if args.reading:
        for r in stream_reading(args.quick):
            print(f"{r['workload']}: {r['bandstand'] / 1e6:,.2f} MB vs {r['yardstick'] / 1e6:,.2f} MB "
                  f"({r['yardstick_name']}) ratio {r['bandstand'] / r['yardstick']:.2f}")
        return 0
    only = set(args.only or range(1, 8))
    agree_n = 300 if args.quick else 10_000
    rows: list[dict] = []
    growth_data = None
    steps = [(1, lambda: cold_start(args.quick)), (2, lambda: one_inspection(args.quick, agree_n)),
             (3, lambda: other_engines(args.quick, agree_n)), (4, lambda: batch_impact(args.quick)),
             (4, lambda: cli_batch(args.quick)), (4, lambda: stream_reading(args.quick)),
             (5, lambda: stability_workload(args.quick))]
    if 7 in only:
        steps.append((7, lambda: csv_read(args.quick)))
    for number, step in steps:
        if number in only:
            print(f"workload {number}...", file=sys.stderr, flush=True)
            rows += step()
    if 6 in only:
        print("workload 6...", file=sys.stderr, flush=True)
        more, growth_data = growth(args.quick)
        rows += more
    for r in rows:
        if "value" in r:
            print(f"{r['workload']}: {r['value']:.2f} ({r['detail']})")
        else:
            print(f"{r['workload']}: {r['bandstand']:.3g} vs {r['yardstick']:.3g} "
                  f"({r['yardstick_name']}) ratio {r['bandstand'] / r['yardstick']:.2f}")
    if not args.quick:
        Path(args.out).write_text(report(rows, NOTES), encoding="utf-8")
        if growth_data:
            (Path(args.out).parent / "growth.svg").write_text(growth_svg(growth_data), encoding="utf-8")
        print(f"wrote {args.out}", file=sys.stderr)
    return 0


NOTES: list[str] = [
    "1: both sides run from byte-compiled modules and alternate run by run, so a busy machine slows both alike. "
    "The rule grammar's parse tables ship with bandstand (`bandstand/dsl/_lalr.py`), so no run imports lark; "
    "the cache (`bandstand/cache.py`, plain JSON sealed with a per-user key) keeps only schema verdicts and "
    "catalogue identities, so a warm run reads and builds the framework but never imports jsonschema, which is "
    "why it can start about as fast as the yardstick, which imports both. The second row is every run with "
    "the cache off; its note gives the one run that filled the cache.",
    "2a/2b, ratings only: `evaluate(..., explain=False)` runs the same compiled plan as the explained path "
    "(there is no second interpreter): every rating and the overall rating are decided inside the timed "
    "region. Its result makes its 155 node results (35 rated) when they are first read, so 2a and 2b do not "
    "time making them; 2a2 times reading every rating with `result.rating(id)` (which does not make them) and "
    "2a3 reading the whole tree. 2b also checks the raw evidence against the framework (`bind`) on every call. "
    "Rows 2a to 2e are CPU time, each row and its yardstick taking turns run by run (the median of each): the "
    "hand-written function takes 4 to 6 microseconds, and timed minutes apart from bandstand's it moved the "
    "ratio by half between runs.",
    "2c/2d/2e, the explained result tree against the hand-written ratings function: kept to compare with "
    "earlier runs; the like-for-like yardstick of the explained path is 2f.",
    "2f/2g: `benchmarks/handwritten_tree.py` builds the same result objects (reasons, decided_by, margins, the "
    "limit, the shared results of the nodes that are not rated) by hand for the 2018 rules, and is checked "
    "to give the identical `Result.to_json()` on 1,000 random inspections before it is timed. bandstand "
    "writes a node's reason when it is first read, the hand-written function as it builds the tree: 2f times "
    "evaluate alone, 2g evaluate and then reading every reason on both sides.",
    "3: each engine is given the same inspection as flat fields, converted before timing; its time is its "
    "own evaluation call. Lines of rules are the rules as written for that engine (`benchmarks/engines.py`). "
    "cel-python is timed on fewer inspections (tens of milliseconds each), and checked on all of them.",
    "4: both sides stream: one inspection generated, rated under both versions, compared, dropped (each "
    "inspection is bound and evaluated through the public API). The memory row is the peak traced while "
    "rating the larger number over the peak at the smaller: flat memory is a ratio near 1.",
    "4c/4d: each side is a whole process reading one CSV file written beforehand; CPU time (user + system) "
    "and peak resident memory come from the operating system (`wait4`, in a small process that starts the command, so that the runner's own size is not counted). The outputs are checked to give "
    "the same ratings inspection by inspection. The command line streams the CSV (one inspection read, "
    "bound, evaluated and written at a time), with no limit raised. The reading-alone row runs "
    "`bandstand.engine.read_stream.stream_inspections` in a child process (from compiled modules, as "
    "installed) over a file of one case per inspection, and takes its peak RSS from `wait4` too.",
    "7: one inspection of 50,000 cases in a CSV file named by its YAML evidence (which holds the "
    "judgements). Timed for bandstand: `load_evidence` (the YAML and the CSV) and the explained `evaluate` "
    "(binding included); for the yardstick: `csv.reader` over the same file and the same `evaluate` of "
    "Evidence holding the same cases, built before timing. Both evaluate the same way, so the difference "
    "is reading the CSV into cases.",
    "6: load and check is timed with the cache off (`bandstand.cache.off()`), so it measures reading, the "
    "schema, building the model and every static check; evaluation time and memory are measured in separate "
    "runs (tracing allocations slows Python, and not evenly). The exponent is the least-squares slope of "
    "log time over log size.",
]

if __name__ == "__main__":
    sys.exit(main())
