"""The long fuzz run: many random mutations of the bundled files, each checked.

    python tests/fuzz/run.py --mutations 100000 --seed 1

Each mutant of the bundled framework, evidence or CSV file (see
``mutate.py``) must load and evaluate, or be refused with located
``BandstandError`` diagnostics. Anything else (another exception, a
diagnostic without a position, a run over ``--timeout`` seconds, memory
over ``--memory-mb``) is a finding: the mutant is saved under
``--findings`` with the operations that made it, and one line per distinct
finding is printed at the end. CI does not run this; ``tests/test_fuzz.py``
runs a few hundred mutants of the same kind on every test run.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import random
import resource
import signal
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mutate import Finding, apply, check, random_ops, source, SOURCES  # noqa: E402

EXT = {"framework": "yaml", "evidence": "yaml", "csv": "csv"}


class Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise Timeout()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mutations", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--kinds", default="framework,evidence,csv")
    ap.add_argument("--timeout", type=float, default=10.0, help="seconds one mutant may take")
    ap.add_argument("--memory-mb", type=int, default=2048, help="address space cap for the whole run")
    ap.add_argument("--findings", default=str(Path(__file__).resolve().parent / "findings"))
    ap.add_argument("--progress", type=int, default=5000, help="print a progress line every N mutants")
    args = ap.parse_args(argv)

    resource.setrlimit(resource.RLIMIT_AS, (args.memory_mb * 2**20, args.memory_mb * 2**20))
    signal.signal(signal.SIGALRM, _alarm)
    rng = random.Random(args.seed)
    kinds = args.kinds.split(",")
    counts: collections.Counter = collections.Counter()
    findings: dict[str, tuple[str, str]] = {}  # signature -> (message, saved file)
    slowest = (0.0, "")
    start = time.perf_counter()
    for i in range(args.mutations):
        kind = rng.choice(kinds)
        index = rng.randrange(len(SOURCES[kind]))
        ops = random_ops(rng, kind)
        mutant = apply(source(kind, index), ops)
        t0 = time.perf_counter()
        signal.setitimer(signal.ITIMER_REAL, args.timeout)
        try:
            outcome = check(kind, mutant)
        except Finding as f:
            outcome = "finding"
            cause = f.__cause__
            where = ""
            if cause is not None:
                tb = traceback.extract_tb(cause.__traceback__)
                if tb:
                    where = f" at {Path(tb[-1].filename).name}:{tb[-1].lineno}"
            signature = (f"{type(cause).__name__}{where}" if cause is not None
                         else str(f).split(":")[0] + ": " + str(f).split(":")[-1].strip()[:60])
            message = str(f)
        except Timeout:
            outcome, signature, message = "finding", "timeout", f"over {args.timeout}s"
        except MemoryError:
            outcome, signature, message = "finding", "memory", f"over {args.memory_mb} MB"
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        took = time.perf_counter() - t0
        if took > slowest[0]:
            slowest = (took, f"{kind} #{index} {ops!r}")
        counts[(kind, outcome)] += 1
        if outcome == "finding" and signature not in findings:
            folder = Path(args.findings)
            folder.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha1(mutant).hexdigest()[:12]
            saved = folder / f"{kind}-{digest}.{EXT[kind]}"
            saved.write_bytes(mutant)
            saved.with_suffix(".txt").write_text(f"{kind} #{index}\n{ops!r}\n{message}\n", encoding="utf-8")
            findings[signature] = (message, str(saved))
            print(f"FINDING {signature}: {message[:200]} ({saved})", flush=True)
        if args.progress and (i + 1) % args.progress == 0:
            print(f"{i + 1} mutants, {time.perf_counter() - start:.0f}s, {len(findings)} distinct findings",
                  flush=True)
    elapsed = time.perf_counter() - start
    print(f"\n{args.mutations} mutants (seed {args.seed}) in {elapsed:.0f}s "
          f"({args.mutations / elapsed:.0f}/s); slowest {slowest[0]:.2f}s: {slowest[1][:160]}")
    for kind in kinds:
        print(f"  {kind:10} ok {counts[(kind, 'ok')]:7}  refused {counts[(kind, 'refused')]:7}  "
              f"findings {counts[(kind, 'finding')]:5}")
    print(f"{len(findings)} distinct findings")
    for signature, (message, saved) in findings.items():
        print(f"  {signature}: {message[:160]} ({saved})")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
