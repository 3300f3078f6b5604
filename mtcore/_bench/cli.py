"""
``mtcore bench``: its arguments and its main function.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from typing import Any, TextIO

from mtcore import _backend
from mtcore._bench import e2e, report, rivals, run
from mtcore._bench.registry import OPERATIONS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    # Most options are a switch or name a file: those two kinds are said once.
    switch = functools.partial(parser.add_argument, action="store_true")
    file = functools.partial(parser.add_argument, metavar="FILE")
    switch(
        "--quick",
        help=f"{run.QUICK.samples} samples of ~{run.QUICK.target_ns // 10**6} ms "
        f"instead of {run.FULL.samples} of ~{run.FULL.target_ns // 10**6} ms, the "
        "headline sizes only, no contender that takes seconds a call",
    )
    file("--json", help="also write every figure to FILE")
    parser.add_argument(
        "--filter",
        metavar="SUBSTR",
        help="only the cases whose key contains SUBSTR, e.g. 'ige', 'ctr/16KiB', "
        "'threads', 'e2e', 'e2e/upload' (keys: operation/size, "
        "threads/operation/size, e2e/workload/client; --list prints them)",
    )
    switch("--list", help="print the --filter keys and exit")
    switch(
        "--pure",
        help="measure the pure-Python twin as the mtcore row when the compiled "
        "extension is not in use (refused otherwise)",
    )
    parser.add_argument(
        "--rivals",
        default="installed",
        metavar="WHICH",
        help="'installed' (default): the rivals installed here; 'all': also "
        "install the others (wheels from PyPI, into a cache outside the "
        "source tree) and time each in its own process beside mtcore; or "
        f"a comma-separated list of: {', '.join(rivals.RIVALS)}",
    )
    parser.add_argument(
        "--until-stable",
        type=int,
        default=0,
        metavar="N",
        help="time a noisy case (a row's spread above "
        f"{run.NOISY_SPREAD * 100:.0f}%%) again, up to N more times",
    )
    file("--load", help="report a saved run (a --json FILE) instead of measuring")
    parser.add_argument(
        "--compare",
        metavar="OLD",
        help="also print each row's ratio against a saved run (a --json FILE)",
    )
    file("--markdown", help="also write the report as Markdown tables to FILE")
    file(
        "--plot",
        help="also draw the summary table into FILE (.png, .svg, .pdf; needs "
        "the 'plot' extra: matplotlib)",
    )


def list_keys(out: TextIO, quick: bool = False) -> None:
    """
    Every ``--filter`` key (those ``--quick`` times with ``quick``), with
    its operation's title.
    """
    for op in OPERATIONS.values():
        for size in run.sizes_of(op, quick):
            print(f"{run.case_key(op.name, size):<40} {op.title}", file=out)
    for key in run.thread_keys(quick):
        print(f"{key:<40} two threads vs one", file=out)
    for key in e2e.keys():
        print(f"{key:<40} end to end: clients against a test cluster", file=out)


def _refusal() -> str | None:
    """
    Why this process must not measure mtcore without --pure, or ``None``.
    """
    if _backend.IMPLEMENTATION == "c":
        return None
    return (
        "MTCORE_PUREPYTHON is set"
        if _backend.PURE_REQUESTED
        else _backend.EXTENSION_ERROR or "this is a pure-Python install"
    )


def _rivals_to_install(which: str) -> list[str] | None:
    if which == "installed":
        return []
    if which == "all":
        return list(rivals.RIVALS)
    names = [n.strip() for n in which.split(",") if n.strip()]
    return names if names and all(n in rivals.RIVALS for n in names) else None


def _read(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as f:
        doc: dict[str, Any] = json.load(f)
    return doc


def main(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    """
    Run the benchmarks (or load a saved run) and report; returns the exit
    status (1 if an mtcore kernel disagreed with the default, 2 when
    nothing was measured).
    """
    if args.list:
        list_keys(out, args.quick)
        return 0
    install = _rivals_to_install(args.rivals)
    if install is None:
        print(
            f"mtcore bench: --rivals {args.rivals!r}: expected installed, all, or "
            f"names among {', '.join(rivals.RIVALS)}",
            file=sys.stderr,
        )
        return 2
    if args.load:
        doc = _read(args.load)
    else:
        why = _refusal()
        if why is not None:
            # Never present the pure twin as "mtcore" by accident.
            if not args.pure:
                print(
                    "mtcore bench: refusing to run: mtcore here is the pure-Python "
                    f"twin, not the compiled extension ({why}). Pass --pure to "
                    "measure the twin as the mtcore row.",
                    file=sys.stderr,
                )
                return 2
            print(
                f"mtcore bench: the mtcore row is the PURE-PYTHON twin ({why}).",
                file=out,
            )
        config = run.QUICK if args.quick else run.FULL
        if args.until_stable:
            config = run.Config(**{**vars(config), "stable": args.until_stable})
        doc = run.run(args.filter, config, install, run.Progress())
        if not doc["cases"] and not doc["threads"] and not doc["e2e"]:
            print(f"no case matches --filter {args.filter!r}", file=sys.stderr)
            return 2
    report.text(doc, out)
    if args.compare:
        print(f"\nCompared with {args.compare}:", file=out)
        report.compare(doc, _read(args.compare), out)
    if args.json and not args.load:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")
        print(f"Wrote {args.json}.", file=out)
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as f:
            f.write(report.markdown(doc))
        print(f"Wrote {args.markdown}.", file=out)
    if args.plot:
        from mtcore.exceptions import MissingExtra

        try:
            report.plot(doc, args.plot)
        except MissingExtra as exc:
            print(f"mtcore bench: {exc}", file=sys.stderr)
            return 1
        print(f"Wrote {args.plot}.", file=out)
    failed = any(n.startswith("mtcore") for c in doc["cases"] for n in c["errors"])
    return 1 if failed else 0
