"""
The argument checks of the sans-I/O layers (mtcore.handshake, mtcore.srp,
mtcore.session, mtcore.transport), of mtcore.client, mtcore.qr and of
``modexp`` (both backends'): one checker per rule, each raising the text
of mtcore/_errors.py that names the argument.
"""

from __future__ import annotations

import math
import os
import time
from typing import Any, Callable, TypeVar

from mtcore import _errors

#: A source of random bytes: ``rng(n)`` returns ``n`` bytes.
Rng = Callable[[int], bytes]

_F = TypeVar("_F", bound=Callable[..., Any])


def int_arg(name: str, value: Any, lo: int, hi: int) -> int:
    """
    ``value``, an int (not a bool) in ``lo..hi``.
    """
    if not isinstance(value, int) or isinstance(value, bool):
        raise _errors.not_int(name, value)
    if not lo <= value <= hi:
        raise _errors.out_of_range(name, lo, hi, value)
    return int(value)


def int_at_least(name: str, value: Any, lo: int) -> int:
    """
    ``value``, an int (not a bool) of at least ``lo``.
    """
    if not isinstance(value, int) or isinstance(value, bool):
        raise _errors.not_int(name, value)
    if value < lo:
        raise _errors.at_least(name, lo, value)
    return int(value)


def number_arg(name: str, value: Any) -> float:
    """
    ``value``, an int or a float (not a bool), as a finite float (an int
    beyond a float's range is not finite).
    """
    if type(value) is float and value - value == 0.0:  # finite: the usual case, first
        return value
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise _errors.not_number(name, value)
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise _errors.not_finite(name, value)
    return number


def rng_arg(rng: Rng | None) -> Rng:
    """
    The ``rng`` argument: ``os.urandom`` for None.
    """
    return _callable_arg("rng", rng, os.urandom)


def clock_arg(clock: Callable[[], float] | None) -> Callable[[], float]:
    """
    The ``clock`` argument: ``time.time`` for None.
    """
    return _callable_arg("clock", clock, time.time)


def _callable_arg(name: str, value: _F | None, default: _F) -> _F:
    if value is None:
        return default
    if not callable(value):
        raise _errors.not_callable(name, value)
    return value


def draw(rng: Rng, size: int) -> bytes:
    """
    ``size`` bytes of ``rng``, checked (a wrong length would skew every
    field made of them).
    """
    data = rng(size)
    if not isinstance(data, bytes) or len(data) != size:
        raise _errors.rng_output(size, data)
    return data


def modexp_args(base: Any, exponent: Any, modulus: Any) -> None:
    """
    The arguments of ``modexp``: ints (not bools), ``exponent`` >= 0 and
    ``modulus`` >= 1.
    """
    for name, value in (("base", base), ("exponent", exponent), ("modulus", modulus)):
        if not isinstance(value, int) or isinstance(value, bool):
            raise _errors.not_int(name, value)
    if exponent < 0:
        raise _errors.negative("exponent", exponent)
    if modulus < 1:
        raise _errors.modulus_not_positive(modulus)
