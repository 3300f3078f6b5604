"""
A run: the cases that ``--filter`` keeps, each verified and then timed,
and the two-thread check.
"""

from __future__ import annotations

import functools
import statistics
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

from mtcore._bench.registry import (
    OPERATIONS,
    Batch,
    Bench,
    KiB,
    Operation,
    Unavailable,
    needs_verify,
    size_label,
)
from mtcore._bench.timing import (
    Result,
    measure_memory,
    time_contenders,
    time_threads,
)
from mtcore._bench.verify import verify


class Progress:
    """
    One status line on stderr: rewritten in place on a terminal, else
    printed once per step.
    """

    def __init__(self, stream: TextIO = sys.stderr) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.step = ""

    def start(self, step: str) -> None:
        self.step = step
        if not self.tty:
            print(step, file=self.stream, flush=True)
        else:
            self.detail("")

    def detail(self, text: str) -> None:
        if self.tty:
            line = f"{self.step} {text}".rstrip()
            self.stream.write(f"\r\x1b[K{line[:200]}")
            self.stream.flush()

    def done(self) -> None:
        if self.tty:
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

    @property
    def key(self) -> str:
        return f"{self.op.name}/{size_label(self.size, '')}"


def _selected(key: str, pattern: str | None) -> bool:
    return pattern is None or pattern.lower() in key.lower()


def plan(pattern: str | None) -> list[Case]:
    """
    The cases that ``--filter`` keeps, with their skipped contenders.
    """
    cases = []
    for op in OPERATIONS.values():
        for size in op.sizes:
            case = Case(op, size)
            if not _selected(case.key, pattern):
                continue
            for c in op.contenders:
                reason = c.skip_reason(size)
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


def run_case(case: Case, samples: int, target_ns: int, progress: Progress) -> None:
    """
    Verify, then time, the contenders of one case.
    """
    op = case.op
    fns = []
    for c in op.contenders:
        if c.name in case.skipped:
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
    case.results = time_contenders(fns, samples, target_ns, progress.detail)
    if op.memory is not None:
        progress.detail("memory")
        inputs = op.inputs(case.size)
        for name, fn in fns:
            case.memory[name] = measure_memory(fn, op.memory(inputs, name))


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


def run_threads(
    pattern: str | None, samples: int, target_ns: int, progress: Progress
) -> list[dict[str, Any]]:
    """
    The two-thread check: IGE encrypt, two threads vs one.
    """
    op = OPERATIONS[THREAD_OP]
    out = []
    for size in THREAD_SIZES:
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
        results = time_threads(fns, samples, target_ns, progress.detail)
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
