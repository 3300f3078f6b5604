"""
Benchmarks of mtcore against its peers, behind ``python -m mtcore bench``.

A small registry: an :class:`Operation` (``"ige_encrypt"``, later MTProto
messages and TL) has payload sizes and a list of :class:`Contender` s, each a
name and a factory that turns the case's :class:`Inputs` into a zero-argument
callable.  mtcore's default kernel comes first: it is the reference for the
outputs (every contender is checked against it before any timing) and for the
ratios (peer time / mtcore time, so above 1 means mtcore is faster).

Peers are test and bench extras, never runtime needs: each is imported only
when a contender that needs it is built, and is skipped with a reason when it
is absent.  ``benches/`` (pytest-benchmark) uses the same definitions.

Timing: each contender gets a loop count that makes one sample last about
15 ms; samples are taken round-robin across the contenders of a case (the
starting contender rotates), so drift on a shared machine hits all alike;
the median per call is reported.  Calls made through ``functools.partial``
are unwrapped into a generated loop that calls the function directly, as
``timeit`` does, so the harness adds the same small cost (shown in the
header) to every contender.
"""

from __future__ import annotations

import argparse
import datetime
import functools
import gc
import importlib
import itertools
import json
import os
import platform
import random
import statistics
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

import mtcore
from mtcore import _backend

KiB = 1024
MiB = 1024 * KiB

#: The payload sizes of the AES operations.
SIZES = (16, 64, 1 * KiB, 16 * KiB, 512 * KiB, 4 * MiB)

#: The pure-Python twin and pyaes are timed only up to these sizes (slow).
PURE_MAX = 16 * KiB
PYAES_MAX = 1 * KiB

#: The compiled kernels, fastest first (``mtcore-<name>`` contenders).
KERNELS = ("vaes", "aesni", "portable")

SAMPLES = 9
QUICK_SAMPLES = 3
TARGET_NS = 15_000_000  # one sample of one contender
THREAD_TARGET_NS = 40_000_000  # one thread's run in the two-thread check
MAX_LOOPS = 1_000_000

# Distribution names of the peers, for the version report.
PEERS = {
    "tgcrypto": "TgCrypto",
    "cryptg": "cryptg",
    "hypercrypto": "hypercrypto",
    "cryptography": "cryptography",
    "pyaes": "pyaes",
}

Bench = Callable[[], Any]


class Unavailable(Exception):
    """
    A contender cannot run here; the message says why.
    """


# --- inputs -------------------------------------------------------------


@dataclass(frozen=True)
class Inputs:
    """
    The arguments of one case: a payload, a 32-byte key and an IV.
    """

    data: bytes
    key: bytes
    iv: bytes

    def copy(self) -> Inputs:
        """
        Fresh objects with the same bytes, so that a contender that writes
        into its arguments cannot disturb the others (tgcrypto's CBC and
        CTR write the next IV into the iv object, even into ``bytes``).
        """
        return Inputs(
            bytes(bytearray(self.data)),
            bytes(bytearray(self.key)),
            bytes(bytearray(self.iv)),
        )


@functools.cache
def make_inputs(size: int, iv_size: int) -> Inputs:
    """
    Deterministic pseudo-random inputs for a case (not secret: benchmarks).
    """
    rng = random.Random(f"mtcore-bench/{size}/{iv_size}")
    return Inputs(rng.randbytes(size), rng.randbytes(32), rng.randbytes(iv_size))


# --- the registry -------------------------------------------------------


@dataclass(frozen=True)
class Contender:
    """
    One implementation of an operation.

    :param name: the label in tables, JSON and pytest ids.
    :param make: builds the zero-argument callable to time from the case's
        inputs (its own copy); may raise :class:`Unavailable`.
    :param requires: returns why the contender cannot run here, or ``None``.
    :param max_size: larger payloads are skipped (too slow to time).
    """

    name: str
    make: Callable[[Inputs], Bench]
    requires: Callable[[], str | None] = lambda: None
    max_size: int | None = None

    def skip_reason(self, size: int) -> str | None:
        """
        Why this contender is not timed at ``size``, or ``None``.
        """
        reason = self.requires()
        if reason is None and self.max_size is not None and size > self.max_size:
            reason = f"too slow above {size_label(self.max_size)}"
        return reason


@dataclass(frozen=True)
class Operation:
    """
    A benchmarked operation.

    :param name: the key (``"ige_encrypt"``), used by ``--filter``.
    :param title: the heading of its table.
    :param sizes: the payload sizes.
    :param inputs: builds the inputs for a size.
    :param contenders: mtcore's default first (the reference), then the rest.
    :param verify_calls: how many successive calls of a fresh contender are
        compared with mtcore's (2 for streams: the second call must continue
        the keystream).
    :param notes: printed under the title.
    """

    name: str
    title: str
    sizes: tuple[int, ...]
    inputs: Callable[[int], Inputs]
    contenders: tuple[Contender, ...]
    verify_calls: int = 1
    notes: tuple[str, ...] = ()

    def contender(self, name: str) -> Contender:
        for c in self.contenders:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no contender {name!r}")


#: Every operation, in table order.
OPERATIONS: dict[str, Operation] = {}


def register(op: Operation) -> Operation:
    """
    Add an operation to the registry (its name must be new).
    """
    if op.name in OPERATIONS:
        raise ValueError(f"operation {op.name!r} is already registered")
    if not op.contenders or not op.contenders[0].name == "mtcore":
        raise ValueError("mtcore's default must be the first contender")
    OPERATIONS[op.name] = op
    return op


def contender_names(op_name: str) -> list[str]:
    """
    The contenders of an operation, for pytest parametrization (imports no
    peer).
    """
    return [c.name for c in OPERATIONS[op_name].contenders]


def size_label(size: int, sep: str = " ") -> str:
    """
    ``16 B``, ``1 KiB``, ``4 MiB`` (``sep=""`` for ids).
    """
    for unit, scale in (("MiB", MiB), ("KiB", KiB)):
        if size >= scale and size % scale == 0:
            return f"{size // scale}{sep}{unit}"
    return f"{size}{sep}B"


# --- availability -------------------------------------------------------


def _peer(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise Unavailable(f"{module} is not installed ({exc})") from None


def _peer_missing(module: str) -> Callable[[], str | None]:
    def check() -> str | None:
        try:
            _peer(module)
        except Unavailable as exc:
            return str(exc)
        return None

    return check


def _impl() -> Any:
    """
    The implementation module the public functions come from.
    """
    if _backend.IMPLEMENTATION == "c":
        return importlib.import_module("mtcore._cmtcore")
    return importlib.import_module("mtcore._py")


def _kernel_missing(name: str) -> Callable[[], str | None]:
    def check() -> str | None:
        impl = _impl()
        if _backend.IMPLEMENTATION != "c":
            return "the compiled extension is not loaded"
        if name == impl.aes_kernel:
            return f"{name} is mtcore's default kernel (the mtcore row)"
        if name not in impl.aes_kernels():
            return f"the {name} kernel does not run on this machine"
        return None

    return check


def _pure_missing() -> str | None:
    if _backend.IMPLEMENTATION != "c":
        return "mtcore itself runs the pure twin here (the mtcore row)"
    return None


def _kernel(name: str) -> Any:
    reason = _kernel_missing(name)()
    if reason is not None:
        raise Unavailable(reason)
    return _impl().AesKernel(name)


def _pure() -> Any:
    from mtcore import _py

    return _py


# --- AES contenders -----------------------------------------------------


def _mtcore_one_shot(fname: str) -> list[Contender]:
    """
    mtcore's default, its other kernels and the pure twin for a one-shot
    function of the (data, key, iv) shape.
    """
    import mtcore.aes

    def default(i: Inputs) -> Bench:
        return functools.partial(getattr(mtcore.aes, fname), i.data, i.key, i.iv)

    def kernel(name: str) -> Callable[[Inputs], Bench]:
        def make(i: Inputs) -> Bench:
            return functools.partial(getattr(_kernel(name), fname), i.data, i.key, i.iv)

        return make

    def pure(i: Inputs) -> Bench:
        return functools.partial(getattr(_pure(), fname), i.data, i.key, i.iv)

    return [
        Contender("mtcore", default),
        *(Contender(f"mtcore-{k}", kernel(k), _kernel_missing(k)) for k in KERNELS),
        Contender("mtcore-pure", pure, _pure_missing, PURE_MAX),
    ]


def _mtcore_ctr() -> list[Contender]:
    import mtcore.aes

    def default(i: Inputs) -> Bench:
        return functools.partial(mtcore.aes.Ctr(i.key, i.iv).update, i.data)

    def kernel(name: str) -> Callable[[Inputs], Bench]:
        def make(i: Inputs) -> Bench:
            return functools.partial(_kernel(name).Ctr(i.key, i.iv).update, i.data)

        return make

    def pure(i: Inputs) -> Bench:
        return functools.partial(_pure().Ctr(i.key, i.iv).update, i.data)

    return [
        Contender("mtcore", default),
        *(Contender(f"mtcore-{k}", kernel(k), _kernel_missing(k)) for k in KERNELS),
        Contender("mtcore-pure", pure, _pure_missing, PURE_MAX),
    ]


def _peer_fn(module: str, fname: str, iv: str = "bytes") -> Contender:
    """
    A peer's one-shot ``fname(data, key, iv)``; ``iv="bytearray"`` hands
    it a private bytearray, for peers that write the next IV into it.
    """

    def make(i: Inputs) -> Bench:
        fn = getattr(_peer(module), fname)
        return functools.partial(
            fn, i.data, i.key, bytearray(i.iv) if iv == "bytearray" else i.iv
        )

    return Contender(module, make, _peer_missing(module))


def _cryptography(mode: str, decrypt: bool = False) -> Contender:
    """
    cryptography with one encryptor/decryptor reused across calls (CBC
    then chains from call to call: the same work per call).
    """

    def make(i: Inputs) -> Bench:
        _peer("cryptography")
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

        cipher = Cipher(algorithms.AES(i.key), getattr(modes, mode)(i.iv))
        ctx = cipher.decryptor() if decrypt else cipher.encryptor()
        return functools.partial(ctx.update, i.data)

    return Contender("cryptography", make, _peer_missing("cryptography"))


def _ctr_state_peer(module: str) -> Contender:
    """
    tgcrypto / hypercrypto ``ctr256_encrypt(data, key, iv, state)``: a
    stream when the 16-byte iv and the 1-byte state are bytearrays that
    the call updates.
    """

    def make(i: Inputs) -> Bench:
        fn = _peer(module).ctr256_encrypt
        return functools.partial(fn, i.data, i.key, bytearray(i.iv), bytearray(1))

    return Contender(module, make, _peer_missing(module))


def _pyaes_ctr() -> Contender:
    def make(i: Inputs) -> Bench:
        pyaes = _peer("pyaes")
        counter = pyaes.Counter(initial_value=int.from_bytes(i.iv, "big"))
        return functools.partial(
            pyaes.AESModeOfOperationCTR(i.key, counter=counter).encrypt, i.data
        )

    return Contender("pyaes", make, _peer_missing("pyaes"), PYAES_MAX)


_CHAINED = (
    "tgcrypto and cryptography carry the IV from call to call (a reused "
    "context): the same work per call."
)

register(
    Operation(
        "ige_encrypt",
        "AES-256-IGE encrypt",
        SIZES,
        lambda size: make_inputs(size, 32),
        (
            *_mtcore_one_shot("ige_encrypt"),
            _peer_fn("tgcrypto", "ige256_encrypt"),
            _peer_fn("cryptg", "encrypt_ige"),
            _peer_fn("hypercrypto", "ige256_encrypt"),
        ),
        notes=("cryptography offers no IGE.",),
    )
)
register(
    Operation(
        "ige_decrypt",
        "AES-256-IGE decrypt",
        SIZES,
        lambda size: make_inputs(size, 32),
        (
            *_mtcore_one_shot("ige_decrypt"),
            _peer_fn("tgcrypto", "ige256_decrypt"),
            _peer_fn("cryptg", "decrypt_ige"),
            _peer_fn("hypercrypto", "ige256_decrypt"),
        ),
    )
)
register(
    Operation(
        "ctr",
        "AES-256-CTR stream (update into fresh bytes)",
        SIZES,
        lambda size: make_inputs(size, 16),
        (
            *_mtcore_ctr(),
            _ctr_state_peer("tgcrypto"),
            _ctr_state_peer("hypercrypto"),
            _cryptography("CTR"),
            _pyaes_ctr(),
        ),
        verify_calls=2,
        notes=("Every contender keeps one stream and continues it call after call.",),
    )
)
register(
    Operation(
        "cbc_encrypt",
        "AES-256-CBC encrypt",
        SIZES,
        lambda size: make_inputs(size, 16),
        (
            *_mtcore_one_shot("cbc_encrypt"),
            _peer_fn("tgcrypto", "cbc256_encrypt", iv="bytearray"),
            _cryptography("CBC"),
        ),
        notes=(_CHAINED,),
    )
)
register(
    Operation(
        "cbc_decrypt",
        "AES-256-CBC decrypt",
        SIZES,
        lambda size: make_inputs(size, 16),
        (
            *_mtcore_one_shot("cbc_decrypt"),
            _peer_fn("tgcrypto", "cbc256_decrypt", iv="bytearray"),
            _cryptography("CBC", decrypt=True),
        ),
        notes=(_CHAINED,),
    )
)


# --- verification -------------------------------------------------------


def _as_bytes(result: Any) -> bytes:
    return bytes(result)


@functools.lru_cache(maxsize=64)
def reference(op_name: str, size: int) -> tuple[bytes, ...]:
    """
    mtcore's outputs for the first ``verify_calls`` calls of a fresh
    instance.
    """
    op = OPERATIONS[op_name]
    fn = op.contenders[0].make(op.inputs(size).copy())
    return tuple(_as_bytes(fn()) for _ in range(op.verify_calls))


@dataclass
class Check:
    """
    The outcome of comparing one contender with mtcore on one case.
    """

    error: str | None = None  # the output is wrong or the call failed
    warning: str | None = None  # e.g. it wrote into its arguments


def verify(op: Operation, contender: Contender, size: int) -> Check:
    """
    Run a fresh instance of ``contender`` and compare its outputs with
    mtcore's, and check that it left its arguments alone.
    """
    original = op.inputs(size)
    given = original.copy()
    try:
        fn = contender.make(given)
        outputs = [_as_bytes(fn()) for _ in range(op.verify_calls)]
    except Unavailable:
        raise
    except Exception as exc:  # noqa: BLE001 -- a peer failing is a finding, not a crash
        return Check(error=f"raised {type(exc).__name__}: {exc}")
    check = Check()
    for n, (got, want) in enumerate(zip(outputs, reference(op.name, size)), 1):
        if got != want:
            check.error = (
                f"output of call {n} differs from mtcore's"
                if len(got) == len(want)
                else f"call {n} returned {len(got)} bytes, expected {len(want)}"
            )
            break
    changed = [
        name
        for name in ("data", "key", "iv")
        if getattr(given, name) != getattr(original, name)
    ]
    if changed:
        check.warning = f"wrote into its {'/'.join(changed)} argument (bytes)"
    return check


# --- timing -------------------------------------------------------------

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


def make_timer(fn: Bench) -> Timer:
    """
    A function ``timed(n)`` that calls ``fn`` n times and returns the
    nanoseconds taken; a ``functools.partial`` is unwrapped so the loop
    calls the function itself with local arguments, as ``timeit`` does.
    """
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
    namespace: dict[str, Any] = {
        "_repeat": itertools.repeat,
        "_clock": time.perf_counter_ns,
    }
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
    fns: Sequence[tuple[str, Bench]],
    samples: int,
    target_ns: int,
    progress: Callable[[str], None] = lambda s: None,
) -> list[Result]:
    """
    Time the callables round-robin: calibrate each, then take ``samples``
    rounds, each round timing every callable once, starting one further
    along each round.
    """
    timers = [make_timer(fn) for _, fn in fns]
    with _GcOff():
        progress("calibrating")
        loops = [calibrate(t, target_ns) for t in timers]
        per_call: list[list[float]] = [[] for _ in timers]
        k = len(timers)
        for s in range(samples):
            progress(f"sample {s + 1}/{samples}")
            for j in range(k):
                i = (s + j) % k
                per_call[i].append(timers[i](loops[i]) / loops[i])
    results = [
        Result(name, n, times) for (name, _), n, times in zip(fns, loops, per_call)
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


# --- machine description -------------------------------------------------


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _version(dist: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _openssl() -> str | None:
    try:
        from cryptography.hazmat.backends.openssl.backend import backend

        return str(backend.openssl_version_text())
    except Exception:  # noqa: BLE001 -- only a label; any failure means "unknown"
        return None


def _extension() -> dict[str, Any] | None:
    """
    Which build of the compiled module ran (it changes under development).
    """
    path = getattr(_impl(), "__file__", None)
    if _backend.IMPLEMENTATION != "c" or not path:
        return None
    import hashlib

    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    mtime = datetime.datetime.fromtimestamp(
        os.stat(path).st_mtime, datetime.timezone.utc
    )
    return {
        "file": os.path.basename(path),
        "sha256": digest,
        "built": mtime.isoformat(timespec="seconds"),
    }


def machine_info() -> dict[str, Any]:
    """
    What ran: backend, CPU, Python, peer versions, date.
    """
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(
            timespec="seconds"
        ),
        "mtcore": mtcore.__version__,
        "backend": mtcore.backend_info(),
        "extension": _extension(),
        "cpu": _cpu_model(),
        "cpus": _cpus(),
        "platform": platform.platform(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "peers": {name: _version(dist) for name, dist in PEERS.items()},
        "openssl": _openssl(),
    }


# --- the command ---------------------------------------------------------


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
    size: int
    skipped: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    warnings: dict[str, str] = field(default_factory=dict)
    verified: list[str] = field(default_factory=list)
    results: list[Result] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.op.name}/{size_label(self.size, '')}"


def _format_time(ns: float) -> str:
    if ns < 1e3:
        return f"{ns:.0f} ns"
    if ns < 1e6:
        return f"{ns / 1e3:.2f} us"
    return f"{ns / 1e6:.2f} ms"


def _format_rate(mb: float) -> str:
    return f"{mb:,.0f} MB/s" if mb >= 10 else f"{mb:.2f} MB/s"


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
        if c is not op.contenders[0]:
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
    case.results = time_contenders(fns, samples, target_ns, progress.detail)


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


def _table(cases: list[Case], out: TextIO) -> None:
    by_op: dict[str, list[Case]] = {}
    for case in cases:
        by_op.setdefault(case.op.name, []).append(case)
    width = max(
        [len(r.contender) for case in cases for r in case.results] + [len("contender")]
    )
    for op_cases in by_op.values():
        op = op_cases[0].op
        print(f"\n{op.title}", file=out)
        for note in op.notes:
            print(f"  ({note})", file=out)
        skipped: dict[str, str] = {}
        for case in op_cases:
            for name, reason in case.skipped.items():
                skipped.setdefault(name, reason)
        if skipped:
            print(
                "  (not timed: "
                + "; ".join(f"{name}: {reason}" for name, reason in skipped.items())
                + ")",
                file=out,
            )
        print(
            f"  {'size':<8} {'contender':<{width}} {'per call':>10} "
            f"{'throughput':>13} {'vs mtcore':>10} {'spread':>7}",
            file=out,
        )
        for case in op_cases:
            label = size_label(case.size)
            for r in case.results:
                ratio = "-" if r.ratio is None else f"{r.ratio:.2f}x"
                print(
                    f"  {label:<8} {r.contender:<{width}} "
                    f"{_format_time(r.median_ns):>10} "
                    f"{_format_rate(r.mb_per_s(case.size)):>13} "
                    f"{ratio:>10} {r.spread():>6.0%}",
                    file=out,
                )
                label = ""
            for name, err in case.errors.items():
                print(f"  {label:<8} {name:<{width}} NOT TIMED: {err}", file=out)
                label = ""


def _threads_table(threads: list[dict[str, Any]], out: TextIO) -> None:
    if not threads:
        return
    print(
        "\nTwo threads vs one (IGE encrypt; each thread its own inputs; "
        "2.00x is perfect on 2 cores;\n  the hashlib control, which releases "
        "the GIL, shows what the machine allowed during the run)",
        file=out,
    )
    print(
        f"  {'size':<8} {'contender':<24} {'1 thread':>13} {'2 threads':>13} {'speedup':>8}",
        file=out,
    )
    for entry in threads:
        label = size_label(entry["size"])
        for r in entry["results"]:
            print(
                f"  {label:<8} {r['contender']:<24} "
                f"{_format_rate(r['one_thread_mb_per_s']):>13} "
                f"{_format_rate(r['two_threads_mb_per_s']):>13} "
                f"{r['speedup']:>7.2f}x",
                file=out,
            )
            label = ""
        for name, reason in entry["skipped"].items():
            print(f"  {label:<8} {name:<24} skipped: {reason}", file=out)
            label = ""


def _header(info: dict[str, Any], samples: int, target_ns: int, overhead: float) -> str:
    b = info["backend"]
    peers = (
        ", ".join(f"{name} {v}" for name, v in info["peers"].items() if v is not None)
        or "none installed"
    )
    missing = [name for name, v in info["peers"].items() if v is None]
    ext = info["extension"]
    built = (
        f"; extension built {ext['built']}, sha256 {ext['sha256'][:12]}" if ext else ""
    )
    openssl = f"; {info['openssl']}" if info["openssl"] else ""
    kernels = ", ".join(b["aes_kernels"])
    lines = [
        f"mtcore {info['mtcore']}: {b['implementation']} implementation, "
        + f"AES kernel {b['aes']} (available: {kernels})",
        f"{info['cpu']}, {info['cpus']} CPUs; {info['python']}; {info['date']}{built}",
        f"peers: {peers}{openssl}",
    ]
    if missing:
        lines.append(f"not installed (skipped): {', '.join(missing)}")
    lines.append(
        f"Medians of {samples} samples of ~{target_ns / 1e6:.0f} ms per contender, "
        "contenders timed round-robin in one run."
    )
    lines.append(
        "'vs mtcore' = contender time / mtcore time (above 1: mtcore is faster); "
        "'spread' = (slowest - fastest sample) / median; MB = 10^6 bytes."
    )
    lines.append(f"Harness cost per call, included in every figure: {overhead:.0f} ns.")
    return "\n".join(lines)


def _verification_summary(cases: list[Case]) -> list[str]:
    checked = sum(len(c.verified) + len(c.errors) for c in cases)
    lines = []
    errors = [(c, n, e) for c in cases for n, e in c.errors.items()]
    if not errors:
        lines.append(
            f"Outputs verified before timing: all {checked} contender/case "
            "pairs equal mtcore's output."
        )
    else:
        lines.append(
            f"Outputs verified before timing: {len(errors)} of {checked} "
            "contender/case pairs DIFFER from mtcore and were not timed:"
        )
        for case, name, err in errors:
            lines.append(f"  {case.key} {name}: {err}")
        for case in cases:
            peers = [
                n
                for n in case.verified + list(case.errors)
                if not n.startswith("mtcore")
            ]
            if peers and all(n in case.errors for n in peers):
                lines.append(
                    f"  {case.key}: every peer disagrees with mtcore: suspect mtcore"
                )
    seen = set()
    for case in cases:
        for name, warning in case.warnings.items():
            if (name, warning, case.op.name) not in seen:
                seen.add((name, warning, case.op.name))
                lines.append(f"Note: {name} {case.op.name} {warning}.")
    return lines


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


def main(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    """
    Run the benchmarks; returns the exit status (1 if an mtcore kernel
    disagreed with the default).
    """
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
                    "size": case.size,
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
                            "mb_per_s": r.mb_per_s(case.size),
                            "ratio": r.ratio,
                            "spread": r.spread(),
                        }
                        for r in case.results
                    ],
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
