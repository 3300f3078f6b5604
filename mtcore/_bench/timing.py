"""
Timing: generated loops that call the function under test directly (as
``timeit`` does), calibration, round-robin sampling across the contenders
of a case, the two-thread check and the memory peak of one call.
"""

from __future__ import annotations

import functools
import gc
import itertools
import statistics
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from mtcore._bench.registry import Bench, Stmt

#: A loop can be at most this many calls.
MAX_LOOPS = 1_000_000

Timer = Callable[[int], int]

_LOOP = """\
def outer(_f{params}):
    def timed(_n, _repeat=_repeat, _clock=_clock, _f=_f{defaults}):
        _it = _repeat(None, _n)
        _t0 = _clock()
        for _ in _it:
            _f({call})
        return _clock() - _t0
    return timed
"""

# The loop for a Stmt: its expression inline, its names as locals.
_STMT_LOOP = """\
def outer({params}):
    def timed(_n, _repeat=_repeat, _clock=_clock{defaults}):
        _it = _repeat(None, _n)
        _t0 = _clock()
        for _ in _it:
            {expr}
        return _clock() - _t0
    return timed
"""


def make_timer(fn: Bench) -> Timer:
    """
    A function ``timed(n)`` that calls ``fn`` n times and returns the
    nanoseconds taken; a ``functools.partial`` is unwrapped so the loop
    calls the function itself with local arguments, as ``timeit`` does,
    and a :class:`Stmt` is inlined.
    """
    namespace: dict[str, Any] = {
        "_repeat": itertools.repeat,
        "_clock": time.perf_counter_ns,
    }
    if isinstance(fn, Stmt):
        src = _STMT_LOOP.format(
            params=", ".join(fn.names),
            defaults="".join(f", {n}={n}" for n in fn.names),
            expr=fn.expr,
        )
        exec(src, namespace)  # noqa: S102 -- our own template, as timeit does
        inlined: Timer = namespace["outer"](**fn.names)
        return inlined
    func: Callable[..., Any] = fn
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = {}
    if type(fn) is functools.partial:
        func, args, kwargs = fn.func, fn.args, dict(fn.keywords)
    names = [f"_a{n}" for n in range(len(args))]
    knames = [f"_k{n}" for n in range(len(kwargs))]
    call = ", ".join(names + [f"{k}={v}" for k, v in zip(kwargs, knames)])
    src = _LOOP.format(
        params="".join(f", {n}" for n in names + knames),
        defaults="".join(f", {n}={n}" for n in names + knames),
        call=call,
    )
    exec(src, namespace)  # noqa: S102 -- our own template, as timeit does
    timed: Timer = namespace["outer"](func, *args, *kwargs.values())
    return timed


def calibrate(timed: Timer, target_ns: int) -> int:
    """
    The loop count that makes ``timed(n)`` last about ``target_ns`` (at
    least one call, at most ``MAX_LOOPS``).
    """
    timed(1)  # warm up
    n = 1
    quarter = target_ns // 4
    while True:
        t = max(timed(n), 1)
        if t >= quarter or n >= MAX_LOOPS:
            break
        n = min(MAX_LOOPS, n * max(2, min(100, quarter // t + 1)))
    return max(1, min(MAX_LOOPS, round(n * target_ns / t)))


def harness_overhead(target_ns: int, samples: int) -> float:
    """
    Nanoseconds per iteration of the generated loop calling a C builtin
    that does nothing (``bool()``): included in every figure, not
    subtracted.
    """
    timed = make_timer(functools.partial(bool))
    n = calibrate(timed, target_ns)
    return statistics.median(timed(n) / n for _ in range(samples))


@dataclass
class Result:
    """
    The timing of one contender on one case.
    """

    contender: str
    loops: int
    samples_ns: list[float]  # per call, one per sample
    median_ns: float = 0.0
    ratio: float | None = None  # this time / mtcore's time

    def __post_init__(self) -> None:
        self.median_ns = statistics.median(self.samples_ns)

    def mb_per_s(self, size: int) -> float:
        return size / self.median_ns * 1e3

    def spread(self) -> float:
        """
        (slowest - fastest sample) / median.
        """
        return (max(self.samples_ns) - min(self.samples_ns)) / self.median_ns


class _GcOff:
    def __enter__(self) -> None:
        self.was = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc: object) -> None:
        if self.was:
            gc.enable()


def time_contenders(
    timers: Sequence[tuple[str, Timer]],
    samples: int,
    target_ns: int,
    progress: Callable[[str], None] = lambda s: None,
) -> list[Result]:
    """
    Time the loops (:func:`make_timer`, or a limit loop) round-robin:
    calibrate each, then take ``samples`` rounds, each round timing every
    loop once, starting one further along each round.  Ratios are against
    the first.
    """
    with _GcOff():
        progress("calibrating")
        loops = [calibrate(t, target_ns) for _, t in timers]
        per_call: list[list[float]] = [[] for _ in timers]
        k = len(timers)
        for s in range(samples):
            progress(f"sample {s + 1}/{samples}")
            for j in range(k):
                i = (s + j) % k
                per_call[i].append(timers[i][1](loops[i]) / loops[i])
    results = [
        Result(name, n, times) for (name, _), n, times in zip(timers, loops, per_call)
    ]
    base = results[0].median_ns
    for r in results[1:]:
        r.ratio = r.median_ns / base
    return results


def _two_threads(a: Timer, b: Timer, n: int) -> int:
    """
    Wall time for two threads each running n calls at once.
    """
    barrier = threading.Barrier(3)

    def work(timed: Timer) -> None:
        barrier.wait()
        timed(n)

    threads = [threading.Thread(target=work, args=(t,)) for t in (a, b)]
    for th in threads:
        th.start()
    barrier.wait()
    t0 = time.perf_counter_ns()
    for th in threads:
        th.join()
    return time.perf_counter_ns() - t0


@dataclass
class ThreadResult:
    """
    One contender in the two-thread check.
    """

    contender: str
    loops: int
    one_ns: list[float]  # one thread, n calls
    two_ns: list[float]  # two threads, n calls each, wall time

    @property
    def speedup(self) -> float:
        """
        Throughput of two threads / throughput of one (2.0 is perfect).
        """
        return 2 * statistics.median(self.one_ns) / statistics.median(self.two_ns)


def time_threads(
    fns: Sequence[tuple[str, Callable[[], Bench]]],
    samples: int,
    target_ns: int,
    progress: Callable[[str], None] = lambda s: None,
) -> list[ThreadResult]:
    """
    Two threads vs one, round-robin across contenders; ``fns`` gives a
    factory per contender (each thread gets its own instance).
    """
    timers = [
        (name, make_timer(f()), make_timer(f()), make_timer(f())) for name, f in fns
    ]
    with _GcOff():
        progress("calibrating")
        loops = [calibrate(t[1], target_ns) for t in timers]
        results = [ThreadResult(t[0], n, [], []) for t, n in zip(timers, loops)]
        k = len(timers)
        for s in range(samples):
            progress(f"sample {s + 1}/{samples}")
            for j in range(k):
                i = (s + j) % k
                _, one, a, b = timers[i]
                results[i].one_ns.append(one(loops[i]))
                results[i].two_ns.append(_two_threads(a, b, loops[i]))
    return results


def measure_memory(fn: Bench, input_bytes: int) -> dict[str, Any]:
    """
    The peak of the memory allocated during one call of ``fn`` (tracemalloc,
    the result included, as it is alive when the call returns), after a
    warm-up call; as bytes and as a multiple of ``input_bytes``.
    """
    import tracemalloc

    fn()  # warm up: caches and lazily created classes are not the call's
    gc.collect()
    was = tracemalloc.is_tracing()
    if not was:
        tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        result = fn()
        peak = tracemalloc.get_traced_memory()[1] - base
        del result
    finally:
        if not was:
            tracemalloc.stop()
    return {
        "peak_bytes": peak,
        "input_bytes": input_bytes,
        "multiple": peak / input_bytes if input_bytes else None,
    }
