"""
The Miller-Rabin test on Python ints, shared by the pure twin of the pq
factorization (mtcore._py.auth, deterministic below 2^64) and the
Diffie-Hellman checks (mtcore._dh, random bases on safe primes).  It
imports nothing of mtcore, so either may use it.
"""

from __future__ import annotations

from collections.abc import Iterable


def miller_rabin(n: int, bases: Iterable[int]) -> bool:
    """
    Whether the odd ``n`` > 3 is a strong probable prime to every base (a
    base that is a multiple of n tells nothing and is passed over).
    """
    d, s = n - 1, 0
    while d % 2 == 0:
        d //= 2
        s += 1
    for a in bases:
        a %= n
        if a == 0:
            continue
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True
