"""
The Diffie-Hellman checks shared by the key exchange (:mod:`mtcore.handshake`)
and SRP (:mod:`mtcore.srp`): the safe-prime and generator conditions on
``dh_prime`` and ``g``, and the range of public values, as
core.telegram.org/mtproto/auth_key ("DH key exchange complete") and
core.telegram.org/mtproto/security_guidelines require them.

Python ints hold these numbers (and the secret exponents beside them), and
an int cannot be wiped; the exponentiations with a secret exponent go to
the backend's ``modexp``, constant-time in the compiled one (the pure
twin's ``pow`` is not).
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict

from mtcore import _errors
from mtcore._backend import impl as _impl
from mtcore._primes import miller_rabin as _miller_rabin

# Telegram's 2048-bit safe prime, the dh_prime its servers send (printed on
# core.telegram.org/mtproto/auth_key and used in the worked example of
# core.telegram.org/mtproto/samples-auth_key); SRP's p is the same number.
TELEGRAM_DH_PRIME = int(
    "c71caeb9c6b1c9048e6c522f70f13f73980d40238e3e21c14934d037563d930f"
    "48198a0aa7c14058229493d22530f4dbfa336f6e0ac925139543aed44cce7c37"
    "20fd51f69458705ac68cd4fe6b6b13abdc9746512969328454f18faf8c595f64"
    "2477fe96bb2a941d5bcd1d4ac8cc49880708fa9b378e3c4f3a9060bee67cf9a4"
    "a4a695811051907e162753b56b0f6b410dba74d8a84b2a14b3144e0ef1284754"
    "fd17ed950d5965b4b9dd46582db1178d169c6bc465b0d6ff9ca3928fef5b9ae4"
    "e418fc15e83ebea0f87fa9ff5eed70050ded2849f47bf959d956850ce929851f"
    "0d8115f635b105ee2e4e15d04b2454bf6f4fadf034b10403119cd8e3b92fcc5b",
    16,
)

DH_BITS = 2048
# The guidelines' margin: 2^(2048-64) <= x <= dh_prime - 2^(2048-64).
_MARGIN = 1 << (DH_BITS - 64)

# Rounds of Miller-Rabin on (p - 1) / 2 with random bases: a composite
# passes each with probability at most 1/4, so all 32 with at most 2^-64.
_MR_ROUNDS = 32
# Small primes for trial division before any modular exponentiation.
_SMALL_PRIMES = tuple(
    n for n in range(3, 2000, 2) if all(n % d for d in range(3, int(n**0.5) + 1, 2))
)
# Verdicts on primes other than Telegram's, most recent last.
_CACHE_SIZE = 32
_verdicts: OrderedDict[int, bool] = OrderedDict()
_lock = threading.Lock()


def modexp(base: int, exponent: int, modulus: int) -> int:
    """
    ``base ** exponent % modulus`` with a secret exponent: the backend's
    (compiled: Montgomery multiplication in C, constant-time in the
    exponent and about four times as fast as ``pow`` at 2048 bits; pure:
    ``pow``).  The one place the key exchange and SRP compute one.
    """
    result: int = _impl.modexp(base, exponent, modulus)
    return result


def is_small_prime(n: int) -> bool:
    """
    Whether ``n`` < 2^32 is prime (deterministic: Miller-Rabin to the bases
    2, 7 and 61 is exact below 4,759,123,141).
    """
    if n < 2:
        return False
    for p in (2, 3, 5, 7, 11, 13):
        if n % p == 0:
            return n == p
    return _miller_rabin(n, (2, 7, 61))


def _trial_division_passes(n: int) -> bool:
    return all(n % p for p in _SMALL_PRIMES)


def _is_safe_prime(p: int) -> bool:
    # p = 2q + 1 with q prime.  q: trial division and Miller-Rabin with
    # random bases; p then follows from Pocklington's criterion with the
    # fully factored part q > sqrt(p): p is prime if 2^(p-1) = 1 (mod p)
    # and gcd(2^2 - 1, p) = 1 (trial division has ruled out 3).
    if p & 3 != 3:  # p odd and q = (p - 1) / 2 odd
        return False
    q = p >> 1
    if not (_trial_division_passes(p) and _trial_division_passes(q)):
        return False
    bases = [2 + secrets.randbelow(q - 3) for _ in range(_MR_ROUNDS)]
    return _miller_rabin(q, bases) and pow(2, p - 1, p) == 1


def _safe_prime_verdict(p: int) -> bool:
    if p == TELEGRAM_DH_PRIME:
        return True
    with _lock:
        verdict = _verdicts.get(p)
        if verdict is not None:
            _verdicts.move_to_end(p)
            return verdict
    # Outside the lock: two threads may test one new prime at once, which
    # costs time but gives the same verdict.
    verdict = _is_safe_prime(p)
    with _lock:
        _verdicts[p] = verdict
        if len(_verdicts) > _CACHE_SIZE:
            _verdicts.popitem(last=False)
    return verdict


# g is a quadratic residue mod p, so that it generates the subgroup of
# prime order (p - 1) / 2, exactly when p falls in these classes
# (core.telegram.org/mtproto/auth_key): g: (modulus, allowed residues).
GENERATOR_RULES = {
    2: (8, (7,)),
    3: (3, (2,)),
    4: (1, (0,)),
    5: (5, (1, 4)),
    6: (24, (19, 23)),
    7: (7, (3, 5, 6)),
}


def check_dh_params(dh_prime: int, g: int, name: str = "dh_prime") -> None:
    """
    Check that ``dh_prime`` is a 2048-bit safe prime and ``g`` one of 2..7
    that generates its subgroup of order (dh_prime - 1) / 2.

    Telegram's prime is recognised at once; any other is tested once
    (about 33 modular exponentiations) and the verdict cached.

    :raises mtcore.exceptions.DHPrimeError: dh_prime is not a 2048-bit safe
        prime.
    :raises mtcore.exceptions.DHGeneratorError: g is not allowed.
    """
    if dh_prime.bit_length() != DH_BITS:
        raise _errors.dh_prime_bits(name, dh_prime.bit_length())
    rule = GENERATOR_RULES.get(g)
    if rule is None:
        raise _errors.dh_generator_range(g)
    modulus, residues = rule
    if dh_prime % modulus not in residues:
        raise _errors.dh_generator_residue(g, name, modulus, residues)
    if not _safe_prime_verdict(dh_prime):
        raise _errors.dh_prime_not_safe(name)


def check_dh_range(name: str, value: int, dh_prime: int) -> None:
    """
    Check ``1 < value < dh_prime - 1`` and ``2^(2048-64) <= value <=
    dh_prime - 2^(2048-64)``.

    :raises mtcore.exceptions.DHRangeError: It is outside.
    """
    if not 1 < value < dh_prime - 1:
        raise _errors.dh_value_trivial(name)
    if not _MARGIN <= value <= dh_prime - _MARGIN:
        raise _errors.dh_value_margin(name)


def in_range(value: int, dh_prime: int) -> bool:
    """
    :func:`check_dh_range` as a test, for values this side draws again
    when they fall outside.
    """
    return 1 < value < dh_prime - 1 and _MARGIN <= value <= dh_prime - _MARGIN
