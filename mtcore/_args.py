"""
The argument checks of the sans-I/O layers (mtcore.handshake, mtcore.srp,
mtcore.transport): one checker per rule, each raising the text of
mtcore/_errors.py that names the argument.
"""

from __future__ import annotations

import os
import time
from typing import Any, Callable

from mtcore import _errors

#: A source of random bytes: ``rng(n)`` returns ``n`` bytes.
Rng = Callable[[int], bytes]


def int_arg(name: str, value: Any, lo: int, hi: int) -> int:
    """
    ``value``, an int (not a bool) in ``lo..hi``.
    """
    if not isinstance(value, int) or isinstance(value, bool):
        raise _errors.not_int(name, value)
    if not lo <= value <= hi:
        raise _errors.out_of_range(name, lo, hi, value)
    return int(value)


def rng_arg(rng: Rng | None) -> Rng:
    """
    The ``rng`` argument: ``os.urandom`` for None, else a callable.
    """
    if rng is None:
        return os.urandom
    if not callable(rng):
        raise _errors.not_callable("rng", rng)
    return rng


def draw(rng: Rng, size: int) -> bytes:
    """
    ``size`` bytes of ``rng``, checked (a wrong length would skew every
    field made of them).
    """
    data = rng(size)
    if not isinstance(data, bytes) or len(data) != size:
        raise _errors.rng_output(size, data)
    return data


def clock_arg(clock: Callable[[], float] | None) -> Callable[[], float]:
    """
    The ``clock`` argument: ``time.time`` for None, else a callable.
    """
    if clock is None:
        return time.time
    if not callable(clock):
        raise _errors.not_callable("clock", clock)
    return clock
