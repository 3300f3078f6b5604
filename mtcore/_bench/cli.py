"""
``mtcore bench``: its arguments and its main function.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import TextIO

from mtcore import _backend
from mtcore._bench.machine import machine_info
from mtcore._bench.registry import Batch, size_label, total_bytes
from mtcore._bench.report import (
    _header,
    _table,
    _threads_table,
    _verification_summary,
)
from mtcore._bench.run import Progress, plan, run_case, run_threads
from mtcore._bench.timing import harness_overhead

SAMPLES = 9
QUICK_SAMPLES = 3
TARGET_NS = 15_000_000  # one sample of one contender
THREAD_TARGET_NS = 40_000_000  # one thread's run in the two-thread check


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"{QUICK_SAMPLES} samples instead of {SAMPLES}",
    )
    parser.add_argument(
        "--json", metavar="FILE", help="also write every figure to FILE"
    )
    parser.add_argument(
        "--filter",
        metavar="SUBSTR",
        help="only the cases whose key contains SUBSTR, e.g. 'ige', 'ctr/16KiB', "
        "'threads' (keys: operation/size, threads/operation/size)",
    )
    parser.add_argument(
        "--pure",
        action="store_true",
        help="measure the pure-Python twin as the mtcore row when the compiled "
        "extension is not in use (refused otherwise)",
    )


def main(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    """
    Run the benchmarks; returns the exit status (1 if an mtcore kernel
    disagreed with the default).
    """
    if _backend.IMPLEMENTATION != "c":
        # Never present the pure twin as "mtcore" by accident.
        why = (
            "MTCORE_PUREPYTHON is set"
            if _backend.PURE_REQUESTED
            else _backend.EXTENSION_ERROR or "this is a pure-Python install"
        )
        if not getattr(args, "pure", False):
            print(
                "mtcore bench: refusing to run: mtcore here is the pure-Python "
                f"twin, not the compiled extension ({why}). Pass --pure to "
                "measure the twin as the mtcore row.",
                file=sys.stderr,
            )
            return 2
        print(
            f"mtcore bench: the mtcore row is the PURE-PYTHON twin ({why}).", file=out
        )
    started = time.perf_counter()
    samples = QUICK_SAMPLES if args.quick else SAMPLES
    target_ns = TARGET_NS
    progress = Progress()
    info = machine_info()
    cases = plan(args.filter)
    progress.start("measuring the harness")
    overhead = harness_overhead(target_ns, samples)
    for n, case in enumerate(cases, 1):
        progress.start(f"[{n}/{len(cases)}] {case.op.title} {size_label(case.size)}:")
        run_case(case, samples, target_ns, progress)
    threads = run_threads(args.filter, samples, THREAD_TARGET_NS, progress)
    progress.done()
    elapsed = time.perf_counter() - started

    if not cases and not threads:
        print(f"no case matches --filter {args.filter!r}", file=sys.stderr)
        return 2
    print(_header(info, samples, target_ns, overhead), file=out)
    for line in _verification_summary(cases):
        print(line, file=out)
    _table(cases, out)
    _threads_table(threads, out)
    print(f"\nTotal time {elapsed:.1f} s.", file=out)

    if args.json:
        doc = {
            "machine": info,
            "config": {
                "samples": samples,
                "target_ns": target_ns,
                "thread_target_ns": THREAD_TARGET_NS,
                "quick": args.quick,
                "filter": args.filter,
            },
            "harness_overhead_ns": overhead,
            "cases": [
                {
                    "operation": case.op.name,
                    "size": total_bytes(case.size),
                    **(
                        {"count": case.size.count, "item_size": case.size.size}
                        if isinstance(case.size, Batch)
                        else {}
                    ),
                    "verified": case.verified,
                    "errors": case.errors,
                    "warnings": case.warnings,
                    "skipped": case.skipped,
                    "results": [
                        {
                            "contender": r.contender,
                            "loops": r.loops,
                            "samples_ns": r.samples_ns,
                            "median_ns": r.median_ns,
                            "mb_per_s": r.mb_per_s(total_bytes(case.size)),
                            "ratio": r.ratio,
                            "spread": r.spread(),
                        }
                        for r in case.results
                    ],
                    **({"memory": case.memory} if case.memory else {}),
                }
                for case in cases
            ],
            "threads": threads,
            "elapsed_s": elapsed,
        }
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")
        print(f"Wrote {args.json}.", file=out)
    return 1 if any(n.startswith("mtcore") for c in cases for n in c.errors) else 0
