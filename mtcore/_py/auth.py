"""
The pure-Python twin of the compiled pq factorization (src_c/pq.c): the
same algorithm (Brent's rho, batched gcds, bounded work, deterministic
Miller-Rabin) on Python ints, the same results and errors.
"""

from __future__ import annotations

import math

from mtcore import _errors
from mtcore._args import modexp_args
from mtcore._primes import miller_rabin
from mtcore._typing import Buffer
from mtcore._py.aes import _view

_U64_MAX = (1 << 64) - 1
# The codes of mtc_factorize_pq (src_c/mtc.h).
_OK, _TOO_SMALL, _EVEN, _PRIME, _SQUARE, _NOT_SEMIPRIME, _GAVE_UP = range(7)
# J. Sinclair's bases: Miller-Rabin with them decides every n < 2^64.
_MR_BASES = (2, 325, 9375, 28178, 450775, 9780504, 1795265022)
_SMALL_PRIMES = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37)
# As in pq.c: steps between gcds, walks side by side, step and try bounds.
_BATCH = 256
_WALKS = 4
_MAX_STEPS = 1 << 20
_MAX_TRIES = 4


def is_prime(n: int) -> bool:
    if n < 2:
        return False
    for p in _SMALL_PRIMES:
        if n % p == 0:
            return n == p
    if n < 41 * 41:
        return True
    return miller_rabin(n, _MR_BASES)


def _rho(n: int, c0: int) -> int:
    # Brent's rho with _WALKS walks x^2 + c (c = c0, c0 + 1, ...); a
    # nontrivial factor of the odd composite n, or 0.
    walks = range(_WALKS)
    c = [c0 + j for j in walks]
    y = [2] * _WALKS
    x = list(y)
    ys = list(y)
    acc = [1] * _WALKS
    g = 1
    r = 1
    while g == 1 and r <= _MAX_STEPS:
        x = list(y)
        for _ in range(r):
            y = [(y[j] * y[j] + c[j]) % n for j in walks]
        k = 0
        while k < r and g == 1:
            ys = list(y)
            for _ in range(min(_BATCH, r - k)):
                for j in walks:
                    y[j] = (y[j] * y[j] + c[j]) % n
                    acc[j] = acc[j] * (x[j] - y[j]) % n
            g = math.gcd(math.prod(acc), n)
            k += _BATCH
        r *= 2
    if g == n:
        for j in walks:
            t = ys[j]
            g = 1
            for _ in range(_BATCH):
                t = (t * t + c[j]) % n
                g = math.gcd(x[j] - t, n)
                if g != 1:
                    break
            if g not in (1, n):
                return g
    return 0 if g in (1, n) else g


def _factorize(n: int) -> tuple[int, int, int]:
    if n < 2:
        return _TOO_SMALL, 0, 0
    if n % 2 == 0:
        return _EVEN, 0, 0
    if is_prime(n):
        return _PRIME, 0, 0
    if math.isqrt(n) ** 2 == n:
        return _SQUARE, 0, 0
    f = 0
    for t in range(_MAX_TRIES):
        f = _rho(n, 1 + _WALKS * t)
        if f:
            break
    else:
        return _GAVE_UP, 0, 0
    p, q = sorted((f, n // f))
    if p == q or not is_prime(p) or not is_prime(q):
        return _NOT_SEMIPRIME, 0, 0
    return _OK, p, q


def _pq_value(pq: int | Buffer) -> int:
    if isinstance(pq, int) and not isinstance(pq, bool):
        # A value below 2 is the factorizer's to refuse, whatever its form.
        if pq < 2:
            raise _errors.pq_refused(int(pq), _TOO_SMALL)
        if pq > _U64_MAX:
            raise _errors.out_of_range("pq", 2, _U64_MAX, pq)
        return int(pq)
    try:
        memoryview(pq)  # type: ignore[arg-type]
    except TypeError:
        raise _errors.pq_type("pq", pq) from None
    with _view("pq", pq) as view:  # type: ignore[arg-type]
        if not 1 <= len(view) <= 8:
            raise _errors.pq_bytes_length(len(view))
        value = int.from_bytes(view, "big")
    if value < 2:
        raise _errors.pq_refused(value, _TOO_SMALL)
    return value


def factorize_pq(pq: int | Buffer) -> tuple[int, int]:
    """
    Split the key exchange's pq (core.telegram.org/mtproto/auth_key) into
    its two primes.

    :param pq: an int, or the big-endian bytes of ``resPQ.pq`` (1..8).
    :returns: ``(p, q)``, ints with ``p < q``.
    :raises FactorizationError: pq is not a product of two distinct odd
        primes (even, prime, a perfect square, more factors).
    """
    n = _pq_value(pq)
    code, p, q = _factorize(n)
    if code != _OK:
        raise _errors.pq_refused(n, code)
    return p, q


def modexp(base: int, exponent: int, modulus: int) -> int:
    """
    ``base ** exponent % modulus``, the 2048-bit modular exponentiation of
    the key exchange and SRP (core.telegram.org/mtproto/auth_key): here
    CPython's ``pow``, whose time depends on the exponent's bits (the
    compiled twin's does not).

    :param base: an int.
    :param exponent: an int >= 0.
    :param modulus: an int >= 1.
    :returns: an int in ``0 .. modulus - 1``.
    """
    modexp_args(base, exponent, modulus)
    return pow(base, exponent, modulus)
