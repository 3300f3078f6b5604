"""
The registry: what an operation is, who its contenders are, and the
inputs they share.  The operation families (``aes.py``, ``mtproto.py``,
...) call :func:`register` when imported; nothing here imports them.
"""

from __future__ import annotations

import dataclasses
import functools
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

KiB = 1024
MiB = 1024 * KiB

Bench = Callable[[], Any]


class Stmt:
    """
    A bench written as one expression over named values, for calls that a
    ``functools.partial`` cannot express (``hashlib.sha256(d).digest()``,
    a list comprehension over a batch); the timer inlines the expression
    into its loop, with the names as locals, as ``timeit`` inlines its
    statement.  Calling the object evaluates the expression once.

    :param expr: a Python expression.
    :param names: the values the expression uses.
    """

    def __init__(self, expr: str, **names: Any) -> None:
        self.expr = expr
        self.names = names
        params = ", ".join(f"{n}={n}" for n in names)
        namespace: dict[str, Any] = {}
        exec(  # noqa: S102 -- our own expressions, as timeit does
            f"def outer({', '.join(names)}):\n"
            f"    def stmt({params}):\n"
            f"        return {expr}\n"
            "    return stmt\n",
            namespace,
        )
        self._fn: Bench = namespace["outer"](**names)

    def __call__(self) -> Any:
        return self._fn()

    def __repr__(self) -> str:
        return f"Stmt({self.expr!r})"


class Unavailable(Exception):
    """
    A contender cannot run here; the message says why.
    """


def _fresh(value: Any) -> Any:
    """
    A copy of ``value`` whose bytes objects are new ones (through lists
    and tuples); other values as they are.
    """
    if isinstance(value, (bytes, bytearray)):
        return type(value)(bytearray(value))
    if isinstance(value, (list, tuple)):
        return type(value)(_fresh(v) for v in value)
    return value


class Args:
    """
    Base of the input dataclasses: :meth:`copy` and the fields that
    :func:`verify` checks for writes.
    """

    def copy(self: Any) -> Any:
        """
        Fresh objects with the same bytes, so that a contender that writes
        into its arguments cannot disturb the others (tgcrypto's CBC and
        CTR write the next IV into the iv object, even into ``bytes``).
        """
        return dataclasses.replace(
            self,
            **{f.name: _fresh(getattr(self, f.name)) for f in dataclasses.fields(self)},
        )


@dataclass(frozen=True)
class Inputs(Args):
    """
    The arguments of one case: a payload, a 32-byte key and an IV.
    """

    data: bytes
    key: bytes
    iv: bytes


@functools.cache
def make_inputs(size: int, iv_size: int) -> Inputs:
    """
    Deterministic pseudo-random inputs for a case (not secret: benchmarks).
    """
    rng = random.Random(f"mtcore-bench/{size}/{iv_size}")
    return Inputs(rng.randbytes(size), rng.randbytes(32), rng.randbytes(iv_size))


@dataclass(frozen=True)
class Contender:
    """
    One implementation of an operation.

    :param name: the label in tables, JSON and pytest ids.
    :param make: builds the zero-argument callable to time from the case's
        inputs (its own copy); may raise :class:`Unavailable`.
    :param requires: returns why the contender cannot run here, or ``None``.
    :param max_size: larger payloads (bytes per call) are skipped (too slow
        to time).
    :param output: turns a result into the bytes compared at verification
        (``output(inputs, result)``; default ``bytes(result)``), e.g. a
        decrypted message object into msg_id + seq_no + body.
    :param cross: an extra check at verification, ``cross(inputs)``:
        returns what went wrong or ``None`` (e.g. the peer's own decrypt
        reading mtcore's packet).
    :param quick_max_size: with ``--quick``, larger payloads are skipped
        too (0: a call takes seconds at any size).
    """

    name: str
    make: Callable[[Any], Bench]
    requires: Callable[[], str | None] = lambda: None
    max_size: int | None = None
    output: Callable[[Any, Any], bytes] | None = None
    cross: Callable[[Any], str | None] | None = None
    quick_max_size: int | None = None

    def skip_reason(self, size: int | Batch, quick: bool = False) -> str | None:
        """
        Why this contender is not timed at ``size`` (with ``--quick``), or
        ``None``.
        """
        reason = self.requires()
        if reason is not None:
            return reason
        if self.max_size is not None and total_bytes(size) > self.max_size:
            return f"too slow above {size_label(self.max_size)}"
        if quick and self.quick_max_size is not None:
            if self.quick_max_size == 0:
                return "seconds a call: timed only without --quick"
            if total_bytes(size) > self.quick_max_size:
                return f"too slow for --quick above {size_label(self.quick_max_size)}"
        return None

    def result_bytes(self, inputs: Any, result: Any) -> bytes:
        """
        The bytes of a result that verification compares.
        """
        if self.output is not None:
            return self.output(inputs, result)
        return as_bytes(result)


@dataclass(frozen=True)
class Operation:
    """
    A benchmarked operation.

    :param name: the key (``"ige_encrypt"``), used by ``--filter``.
    :param title: the heading of its table.
    :param sizes: the payload sizes (a :class:`Batch` for batch cases).
    :param inputs: builds the inputs for a size.
    :param contenders: mtcore's default first (the reference), then the rest.
    :param verify_calls: how many successive calls of a fresh contender are
        compared with mtcore's (2 for streams: the second call must continue
        the keystream).
    :param notes: printed under the title.
    :param check: for outputs that differ from call to call (random
        padding): ``check(inputs, output_bytes)`` returns what is wrong
        with one output or ``None``; it replaces the comparison with
        mtcore's output and is applied to mtcore's own row too.

    :param headline: the sizes that belong in the summary table (and, with
        ``--quick``, the sizes timed; an operation without any is timed at
        its smallest and largest size there).
    :param memory: when set, the peak of memory allocated during one call
        of each timed contender is measured too (tracemalloc), and reported
        as a multiple of ``memory(inputs, contender_name)``, the bytes that
        contender reads.
    """

    name: str
    title: str
    sizes: tuple[Any, ...]
    inputs: Callable[[Any], Any]
    contenders: tuple[Contender, ...]
    verify_calls: int = 1
    notes: tuple[str, ...] = ()
    check: Callable[[Any, bytes], str | None] | None = None
    memory: Callable[[Any, str], int] | None = None
    headline: tuple[Any, ...] = ()

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
    if not set(op.headline) <= set(op.sizes):
        raise ValueError(f"{op.name}: a headline size is not one of its sizes")
    OPERATIONS[op.name] = op
    return op


def contender_names(op_name: str) -> list[str]:
    """
    The contenders of an operation, for pytest parametrization (imports no
    peer).
    """
    return [c.name for c in OPERATIONS[op_name].contenders]


def needs_verify(op: Operation, contender: Contender) -> bool:
    """
    Whether ``contender``'s output is checked before timing: every peer
    and kernel; mtcore's own row too where the operation has a
    :attr:`Operation.check`.
    """
    return contender is not op.contenders[0] or op.check is not None


@dataclass(frozen=True, order=True)
class Batch:
    """
    The size of a batch case: ``count`` independent payloads of ``size``
    bytes each (in :attr:`Operation.sizes`, where plain ints are one
    payload).
    """

    count: int
    size: int


def total_bytes(size: int | Batch) -> int:
    """
    The bytes a case processes per call (throughput is reckoned on it).
    """
    return size.count * size.size if isinstance(size, Batch) else size


def size_label(size: int | Batch, sep: str = " ") -> str:
    """
    ``16 B``, ``1 KiB``, ``4 MiB``, ``8 x 512 KiB`` (``sep=""`` for ids:
    ``8x512KiB``).
    """
    if isinstance(size, Batch):
        return f"{size.count}{sep}x{sep}{size_label(size.size, sep)}"
    for unit, scale in (("MiB", MiB), ("KiB", KiB)):
        if size >= scale and size % scale == 0:
            return f"{size // scale}{sep}{unit}"
    return f"{size}{sep}B"


def as_bytes(result: Any) -> bytes:
    """
    A result as bytes; a list of results (a batch) joined.
    """
    if isinstance(result, (list, tuple)):
        return b"".join(bytes(r) for r in result)
    return bytes(result)
