"""
A run: the cases that ``--filter`` keeps, each verified and then timed
beside its limit row, the rivals that run in their own process, and the
two-thread check; the result is one JSON-ready document, which the report
renders (:mod:`mtcore._bench.report`).
"""

from __future__ import annotations

import functools
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TextIO

from mtcore._bench import e2e, limits, rivals
from mtcore._bench.machine import machine_info
from mtcore._bench.registry import (
    OPERATIONS,
    Batch,
    Bench,
    KiB,
    Operation,
    Unavailable,
    needs_verify,
    size_label,
    total_bytes,
)
from mtcore._bench.timing import (
    Result,
    Timer,
    harness_overhead,
    make_timer,
    measure_memory,
    time_contenders,
    time_threads,
)
from mtcore._bench.verify import verify

#: A row is noisy when (slowest - fastest sample) / median is above this,
#: and the run is noisy when more than NOISY_SHARE of its rows are.
NOISY_SPREAD = 0.10
NOISY_SHARE = 0.25


@dataclass(frozen=True)
class Config:
    """
    How a run times.

    :param samples: samples per contender.
    :param target_ns: the length of one sample of one contender.
    :param thread_target_ns: one thread's run in the two-thread check.
    :param quick: the headline sizes only (:attr:`Operation.headline`, or
        an operation's smallest and largest size), and no contender that
        is too slow for it (:attr:`Contender.quick_max_size`).
    :param stable: how many more times a noisy case may be timed (the
        attempt with the smallest worst spread is kept).
    :param limits: time the limit rows (not in a rival's child process).
    """

    samples: int = 9
    target_ns: int = 15_000_000
    thread_target_ns: int = 40_000_000
    quick: bool = False
    stable: int = 0
    limits: bool = True


FULL = Config()
QUICK = Config(samples=3, target_ns=5_000_000, thread_target_ns=20_000_000, quick=True)


class Progress:
    """
    One status line on a stream (stderr): rewritten in place on a terminal,
    else printed once per step; nothing when ``stream`` is ``None``.
    """

    def __init__(self, stream: TextIO | None = sys.stderr) -> None:
        self.stream = stream
        self.tty = stream is not None and stream.isatty()
        self.step = ""

    def start(self, step: str) -> None:
        self.step = step
        if self.stream is not None and not self.tty:
            print(step, file=self.stream, flush=True)
        else:
            self.detail("")

    def detail(self, text: str) -> None:
        if self.tty and self.stream is not None:
            line = f"{self.step} {text}".rstrip()
            self.stream.write(f"\r\x1b[K{line[:200]}")
            self.stream.flush()

    def done(self) -> None:
        if self.tty and self.stream is not None:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


@dataclass
class Case:
    """
    One operation at one size: what was verified, skipped and timed.
    """

    op: Operation
    size: int | Batch
    skipped: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    warnings: dict[str, str] = field(default_factory=dict)
    verified: list[str] = field(default_factory=list)
    results: list[Result] = field(default_factory=list)
    #: Per contender, for operations with :attr:`Operation.memory`:
    #: ``peak_bytes``, ``input_bytes`` and ``multiple`` (peak / input).
    memory: dict[str, dict[str, Any]] = field(default_factory=dict)
    limit: limits.Limit | None = None
    attempts: int = 0

    @property
    def key(self) -> str:
        return case_key(self.op.name, self.size)


def case_key(op_name: str, size: int | Batch) -> str:
    """
    ``ige_encrypt/64B``, ``ige_encrypt_many/16x512KiB``: what ``--filter``
    matches and ``--list`` prints.
    """
    return f"{op_name}/{size_label(size, '')}"


def sizes_of(op: Operation, quick: bool) -> tuple[Any, ...]:
    """
    The sizes a run times: all of them, or with ``--quick`` the headline
    ones (else the smallest and the largest).
    """
    if not quick:
        return op.sizes
    if op.headline:
        return op.headline
    return tuple(dict.fromkeys((min(op.sizes), max(op.sizes))))


def _selected(key: str, pattern: str | None) -> bool:
    return pattern is None or pattern.lower() in key.lower()


def plan(
    pattern: str | None = None,
    quick: bool = False,
    keys: Iterable[str] | None = None,
    only: Iterable[str] | None = None,
) -> list[Case]:
    """
    The cases that ``--filter`` keeps (or exactly those of ``keys``), with
    their skipped contenders; ``only``: the contenders to consider (the
    rest are left out, not skipped).
    """
    wanted = None if keys is None else set(keys)
    names = None if only is None else set(only)
    cases = []
    for op in OPERATIONS.values():
        for size in op.sizes if wanted is not None else sizes_of(op, quick):
            case = Case(op, size)
            if wanted is not None and case.key not in wanted:
                continue
            if not _selected(case.key, pattern):
                continue
            for c in op.contenders:
                if names is not None and c.name not in names:
                    continue
                reason = c.skip_reason(size, quick)
                if reason is not None:
                    case.skipped[c.name] = reason
            first = op.contenders[0].name
            if first in case.skipped:
                # No reference row: nothing to verify against or compare with.
                for c in op.contenders[1:]:
                    case.skipped.setdefault(
                        c.name, f"no mtcore row to compare with ({case.skipped[first]})"
                    )
            cases.append(case)
    return cases


def _worst_spread(results: list[Result]) -> float:
    return max(r.spread() for r in results)


def run_case(
    case: Case,
    config: Config,
    progress: Progress,
    only: Iterable[str] | None = None,
) -> None:
    """
    Verify, then time, the contenders of one case, beside its limit row
    (when ``config.limits`` and the backend has one); a noisy case is timed
    again up to ``config.stable`` times.
    """
    op = case.op
    names = None if only is None else set(only)
    fns: list[tuple[str, Bench]] = []
    for c in op.contenders:
        if c.name in case.skipped or (names is not None and c.name not in names):
            continue
        if needs_verify(op, c):
            try:
                check = verify(op, c, case.size)
            except Unavailable as exc:
                case.skipped[c.name] = str(exc)
                continue
            if check.warning:
                case.warnings[c.name] = check.warning
            if check.error:
                case.errors[c.name] = check.error
                continue
            case.verified.append(c.name)
        fns.append((c.name, c.make(op.inputs(case.size).copy())))
    if not fns or fns[0][0] != op.contenders[0].name:
        return  # mtcore's own row failed: no ratios, nothing timed
    timers: list[tuple[str, Timer]] = [(name, make_timer(fn)) for name, fn in fns]
    if config.limits and limits.unavailable() is None:
        case.limit = limits.limit_for(op.name, case.size)
        if case.limit is not None:
            timers.append((limits.ROW, limits.timer(case.limit)))
    for attempt in range(1 + config.stable):
        if attempt:
            progress.detail(f"noisy: timing again ({attempt}/{config.stable})")
        results = time_contenders(
            timers, config.samples, config.target_ns, progress.detail
        )
        case.attempts = attempt + 1
        if not case.results or _worst_spread(results) < _worst_spread(case.results):
            case.results = results
        if _worst_spread(case.results) <= NOISY_SPREAD:
            break
    if op.memory is not None:
        progress.detail("memory")
        inputs = op.inputs(case.size)
        for name, fn in fns:
            case.memory[name] = measure_memory(fn, op.memory(inputs, name))


def case_doc(case: Case) -> dict[str, Any]:
    """
    One case as the JSON document holds it.
    """
    size = case.size
    return {
        "key": case.key,
        "operation": case.op.name,
        "title": case.op.title,
        "notes": list(case.op.notes),
        "size": total_bytes(size),
        **(
            {"count": size.count, "item_size": size.size}
            if isinstance(size, Batch)
            else {}
        ),
        "headline": size in case.op.headline,
        "own_check": case.op.check is not None,
        "verified": case.verified,
        "errors": case.errors,
        "warnings": case.warnings,
        "skipped": case.skipped,
        "attempts": case.attempts,
        "results": [
            {
                "contender": r.contender,
                "loops": r.loops,
                "samples_ns": r.samples_ns,
                "median_ns": r.median_ns,
                "mb_per_s": r.mb_per_s(total_bytes(size)),
                "ratio": r.ratio,
                "spread": r.spread(),
                "noisy": r.spread() > NOISY_SPREAD,
            }
            for r in case.results
        ],
        **({"limit": case.limit.describe()} if case.limit is not None else {}),
        **({"memory": case.memory} if case.memory else {}),
    }


def noise(case_docs: list[dict[str, Any]]) -> dict[str, Any]:
    """
    How many rows were noisy, and whether that makes the run noisy.
    """
    rows = [r for c in case_docs for r in c["results"]]
    noisy = sum(1 for r in rows if r["noisy"])
    return {
        "threshold": NOISY_SPREAD,
        "share": NOISY_SHARE,
        "rows": len(rows),
        "noisy_rows": noisy,
        "noisy": bool(rows) and noisy > NOISY_SHARE * len(rows),
    }


THREAD_OP = "ige_encrypt"
THREAD_SIZES = (16 * KiB, 512 * KiB)
THREAD_CONTENDERS = ("mtcore", "tgcrypto", "cryptg", "hypercrypto")
# Timed alongside: hashlib releases the GIL above 2 KiB, so its speedup is
# what the machine gives two threads right now (a busy host or two vCPUs
# on one physical core show as well under 2x for everybody).
THREAD_CONTROL = "control: hashlib.sha256"


def _sha256(data: bytes) -> Bench:
    import hashlib

    return functools.partial(hashlib.sha256, bytes(data))


def thread_keys(quick: bool) -> list[str]:
    sizes = THREAD_SIZES[-1:] if quick else THREAD_SIZES
    return [f"threads/{THREAD_OP}/{size_label(s, '')}" for s in sizes]


def run_threads(
    pattern: str | None, config: Config, progress: Progress
) -> list[dict[str, Any]]:
    """
    The two-thread check: IGE encrypt, two threads vs one.
    """
    op = OPERATIONS[THREAD_OP]
    out = []
    for size in THREAD_SIZES[-1:] if config.quick else THREAD_SIZES:
        key = f"threads/{THREAD_OP}/{size_label(size, '')}"
        if not _selected(key, pattern):
            continue
        progress.start(f"two threads vs one: {op.title} {size_label(size)}")
        fns: list[tuple[str, Callable[[], Bench]]] = []
        skipped = {}
        for name in THREAD_CONTENDERS:
            c = op.contender(name)
            reason = c.skip_reason(size)
            if reason is None and name != "mtcore":
                check = verify(op, c, size)
                reason = check.error and f"wrong output: {check.error}"
            if reason:
                skipped[name] = reason
                continue
            fns.append((name, functools.partial(c.make, op.inputs(size).copy())))
        fns.append((THREAD_CONTROL, functools.partial(_sha256, op.inputs(size).data)))
        results = time_threads(
            fns, config.samples, config.thread_target_ns, progress.detail
        )
        out.append(
            {
                "operation": THREAD_OP,
                "size": size,
                "skipped": skipped,
                "results": [
                    {
                        "contender": r.contender,
                        "loops": r.loops,
                        "one_thread_ns": r.one_ns,
                        "two_threads_ns": r.two_ns,
                        "one_thread_mb_per_s": size
                        * r.loops
                        / statistics.median(r.one_ns)
                        * 1e3,
                        "two_threads_mb_per_s": 2
                        * size
                        * r.loops
                        / statistics.median(r.two_ns)
                        * 1e3,
                        "speedup": r.speedup,
                    }
                    for r in results
                ],
            }
        )
    progress.done()
    return out


def run_rivals(
    install: Iterable[str],
    case_docs: list[dict[str, Any]],
    config: Config,
    progress: Progress,
) -> list[dict[str, Any]]:
    """
    What became of each rival: timed here when it is installed here; else,
    when it is one of ``install``, installed in the cache and timed in its
    own process beside mtcore on the cases of this run that it has a row
    in, its rows then merged into ``case_docs``.
    """
    by_key = {c["key"]: c for c in case_docs}
    install = set(install)
    out = []
    for name, rival in rivals.RIVALS.items():
        entry: dict[str, Any] = {"name": name, "module": rival.module}
        keys = [
            key
            for key, c in by_key.items()
            if any(x.name == name for x in OPERATIONS[c["operation"]].contenders)
        ]
        if rivals.rival_missing(rival)() is None:
            entry.update(status="here", version=rivals.version(rival))
        elif name not in install:
            entry.update(
                status="not installed",
                reason="not installed here (--rivals all installs it in a cache)",
            )
        elif not keys:
            entry.update(status="no case", reason="no case of this run has its row")
        else:
            progress.start(f"rival {name}: installing (cache {rivals.cache_dir()})")
            target, why = rivals.install(rival)
            if target is None:
                entry.update(status="not installable", reason=why)
            else:
                entry.update(
                    version=rivals.installed_version(rival, target), path=str(target)
                )
                progress.start(
                    f"rival {name}: {len(keys)} cases in its own process beside mtcore"
                )
                got = rivals.run_worker(
                    rival,
                    target,
                    {"cases": keys, "config": {**vars(config), "limits": False}},
                )
                if "error" in got:
                    entry.update(status="failed", reason=got["error"])
                else:
                    entry["status"] = "own process"
                    _merge(name, got["cases"], by_key)
        out.append(entry)
    progress.done()
    return out


def _merge(
    name: str, worker_cases: list[dict[str, Any]], by_key: dict[str, dict[str, Any]]
) -> None:
    # A rival's rows from its process into this run's cases, each with
    # mtcore's figure in that process (its ratio is against that one).
    for wc in worker_cases:
        case = by_key[wc["key"]]
        case["skipped"].pop(name, None)
        for part in ("errors", "warnings", "skipped"):
            if name in wc[part]:
                case[part][name] = wc[part][name]
        if name in wc["verified"]:
            case["verified"].append(name)
        mtcore_ns = wc["results"][0]["median_ns"] if wc["results"] else None
        for r in wc["results"]:
            if r["contender"] == name:
                case["results"].append({**r, "process": "own", "mtcore_ns": mtcore_ns})


def run(
    pattern: str | None,
    config: Config,
    install: Iterable[str],
    progress: Progress,
) -> dict[str, Any]:
    """
    The whole run, as the JSON document.
    """
    started = time.perf_counter()
    info = machine_info()
    cases = plan(pattern, config.quick)
    progress.start("measuring the harness")
    overhead = harness_overhead(config.target_ns, config.samples)
    for n, case in enumerate(cases, 1):
        progress.start(f"[{n}/{len(cases)}] {case.op.title} {size_label(case.size)}:")
        run_case(case, config, progress)
    threads = run_threads(pattern, config, progress)
    docs = [case_doc(c) for c in cases]
    rival_status = run_rivals(install, docs, config, progress)
    end_to_end = e2e.run(pattern, quick=config.quick, progress=progress.start)
    progress.done()
    return {
        "machine": info,
        "config": {
            "samples": config.samples,
            "target_ns": config.target_ns,
            "thread_target_ns": config.thread_target_ns,
            "quick": config.quick,
            "stable": config.stable,
            "filter": pattern,
        },
        "harness_overhead_ns": overhead,
        "limits": {
            "reason": limits.unavailable(),
            "kernels": None if limits.unavailable() else limits.kernels(),
        },
        "cases": docs,
        "threads": threads,
        "e2e": end_to_end,
        "rivals": rival_status,
        "noise": noise(docs),
        "elapsed_s": time.perf_counter() - started,
    }
