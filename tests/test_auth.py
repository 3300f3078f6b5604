"""
mtcore.auth.factorize_pq on both backends: known splits, cryptg's answers
on 1,000 random 63-bit pq (the pure twin on a sample), every refusal, and
compiled == pure under hypothesis.  Primes are made by this file's own
Miller-Rabin (tests/utils.py), checked against a sieve.
"""

from __future__ import annotations

import math
import random
import threading

import pytest
from hypothesis import given
from hypothesis import strategies as st
from mtproto_ref import load_json
from utils import is_prime, random_prime

from mtcore import auth
from mtcore.exceptions import (
    ArgumentTypeError,
    ArgumentValueError,
    FactorizationError,
    InvalidLength,
    MtcoreError,
)

U64_MAX = (1 << 64) - 1


def test_is_prime_matches_a_sieve():
    sieve = bytearray([1]) * 20000
    sieve[0] = sieve[1] = 0
    for i in range(2, 142):
        if sieve[i]:
            sieve[i * i :: i] = bytearray(len(sieve[i * i :: i]))
    assert [n for n in range(20000) if is_prime(n)] == [
        n for n in range(20000) if sieve[n]
    ]


def semiprimes(seed: str, count: int, bits: tuple[int, int] = (31, 32)) -> list[int]:
    rng = random.Random(seed)
    out = []
    while len(out) < count:
        p, q = random_prime(rng, bits[0]), random_prime(rng, bits[1])
        if p != q:
            out.append(p * q)
    return out


@pytest.fixture(
    scope="module",
    params=[
        "python",
        pytest.param("c", marks=pytest.mark.c_extension),
        "public",
    ],
)
def factorize(request):
    """
    Each backend's factorize_pq, and the public one (compiled where built).
    """
    if request.param == "c":
        return request.getfixturevalue("c_backend").factorize_pq
    if request.param == "python":
        from mtcore import _py

        return _py.factorize_pq
    return auth.factorize_pq


def test_telegram_sample(factorize):
    # core.telegram.org/mtproto/samples-auth_key (tests/vectors/README.rst):
    # resPQ's pq as TL bytes (length byte, 8 bytes, padding) and as an int.
    (vector,) = load_json("auth_key_exchange.json")["vectors"]
    fields = vector["resPQ_fields"]
    raw = bytes.fromhex(fields["pq_tl"])[1:9]
    want = (vector["p"], vector["q"])
    assert factorize(raw) == want
    assert factorize(fields["pq"]) == want == factorize(vector["pq"])


KNOWN = [
    (15, (3, 5)),
    (21, (3, 7)),
    (1000000007 * 1000000009, (1000000007, 1000000009)),
    (4294967279 * 4294967291, (4294967279, 4294967291)),  # the two largest 32-bit primes
    (3 * 6148914691236517199, (3, 6148914691236517199)),  # just below 2^64
    (65537 * 4294967291, (65537, 4294967291)),
]


@pytest.mark.parametrize("pq, want", KNOWN)
def test_known_splits(factorize, pq, want):
    assert is_prime(want[0]) and is_prime(want[1])
    assert factorize(pq) == want
    assert factorize(pq.to_bytes(8, "big")) == want
    assert factorize(bytearray(pq.to_bytes((pq.bit_length() + 7) // 8, "big"))) == want
    assert factorize(memoryview(pq.to_bytes(8, "big"))) == want
    p, q = factorize(pq)
    assert type(p) is int and type(q) is int


def test_equals_cryptg(factorize):
    cryptg = pytest.importorskip("cryptg")
    # The pure twin takes tens of milliseconds each: a sample of it.
    count = 40 if factorize.__module__ == "mtcore._py.auth" else 1000
    for pq in semiprimes(f"cryptg-{count}", count):
        assert factorize(pq) == tuple(sorted(cryptg.factorize_pq_pair(pq)))


def test_64_bit_and_unbalanced(factorize):
    for pq in semiprimes("64", 20, (32, 32)) + semiprimes("unbalanced", 20, (12, 50)):
        p, q = factorize(pq)
        assert p < q and p * q == pq and is_prime(p) and is_prime(q)


@pytest.mark.parametrize(
    "pq, why",
    [
        (1, "is less than 2"),
        (2, "is even"),
        (4, "is even"),
        (2 * 1000000007, "is even"),
        (1 << 63, "is even"),
        (3, "is prime"),
        (97, "is prime"),
        ((1 << 61) - 1, "is prime"),
        (18446744073709551557, "is prime"),  # the largest 64-bit prime
        (9, "is a perfect square"),
        (1000000007**2, "is a perfect square"),
        (4294967291**2, "is a perfect square"),
        (15**2, "is a perfect square"),
        (3 * 5 * 7, "has more than two prime factors"),
        (3**3, "has more than two prime factors"),
        (U64_MAX, "has more than two prime factors"),
        (1000003 * 1000033 * 1000037, "has more than two prime factors"),
    ],
)
def test_refused(factorize, pq, why):
    with pytest.raises(FactorizationError) as info:
        factorize(pq)
    assert str(info.value) == (
        f"pq must be a product of two distinct odd primes; {pq} {why}"
    )
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("pq", [0, 1, -1, -15, -(1 << 64)])
def test_below_two_is_refused_like_one(factorize, pq):
    # 0, 1 and negatives: one type and one reason, as for the bytes forms.
    with pytest.raises(FactorizationError) as info:
        factorize(pq)
    assert str(info.value) == (
        f"pq must be a product of two distinct odd primes; {pq} is less than 2"
    )


@pytest.mark.parametrize("pq", [1 << 64, 1 << 200])
def test_out_of_range(factorize, pq):
    with pytest.raises(ArgumentValueError, match=r"^pq must be in 2\.\.18446744073709551615, got "):
        factorize(pq)
    with pytest.raises(ArgumentValueError) as info:
        factorize(pq)
    assert not isinstance(info.value, FactorizationError)


@pytest.mark.parametrize("pq", [b"", bytes(9), bytearray(16)])
def test_bytes_length(factorize, pq):
    with pytest.raises(InvalidLength, match=rf"^pq must be 1\.\.8 bytes \(big-endian\), got {len(pq)}$"):
        factorize(pq)


@pytest.mark.parametrize("pq", [bytes(8), b"\x00", b"\x01", bytes(7) + b"\x01"])
def test_bytes_below_two(factorize, pq):
    value = int.from_bytes(pq, "big")
    with pytest.raises(FactorizationError) as info:
        factorize(pq)
    assert str(info.value) == (
        f"pq must be a product of two distinct odd primes; {value} is less than 2"
    )


@pytest.mark.parametrize("pq", [True, 15.0, "15", None, [15]])
def test_wrong_type(factorize, pq):
    with pytest.raises(ArgumentTypeError, match=r"^pq must be an int or a bytes-like object, not "):
        factorize(pq)


def test_int_subclass(factorize):
    class Big(int):
        pass

    assert factorize(Big(21)) == (3, 7)


def test_threads(factorize):
    # The compiled side releases the GIL; every thread gets its own answer.
    pqs = semiprimes("threads", 8)
    results: dict[int, tuple[int, int]] = {}

    def work(pq: int) -> None:
        results[pq] = factorize(pq)

    threads = [threading.Thread(target=work, args=(pq,)) for pq in pqs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for pq in pqs:
        p, q = results[pq]
        assert p * q == pq and p < q


@st.composite
def pqs(draw):
    kind = draw(st.sampled_from(["any", "odd", "semiprime", "square", "three"]))
    if kind == "any":
        return draw(st.integers(1, U64_MAX))
    if kind == "odd":
        return draw(st.integers(0, (U64_MAX - 1) // 2)) * 2 + 1
    rng = random.Random(draw(st.integers(0, 2**32)))
    if kind == "semiprime":
        a = draw(st.integers(2, 62))
        b = draw(st.integers(2, 64 - a))
        return random_prime(rng, a) * random_prime(rng, b)
    if kind == "square":
        return random_prime(rng, draw(st.integers(2, 32))) ** 2
    return random_prime(rng, 10) * random_prime(rng, 20) * random_prime(rng, 30)


def outcome(fn, arg):
    # Only mtcore's own errors are outcomes; anything else fails the test.
    try:
        return fn(arg)
    except MtcoreError as exc:
        return type(exc), str(exc)


def expected_refusal(pq: int) -> tuple[type, str]:
    # What both backends must say of a pq they cannot split, from the
    # number itself (independently of either implementation).
    if pq < 2:
        why = "is less than 2"
    elif pq % 2 == 0:
        why = "is even"
    elif is_prime(pq):
        why = "is prime"
    elif math.isqrt(pq) ** 2 == pq:
        why = "is a perfect square"
    else:
        why = "has more than two prime factors"
    return FactorizationError, f"pq must be a product of two distinct odd primes; {pq} {why}"


@pytest.mark.c_extension
@given(pq=pqs())
def test_compiled_equals_pure(c_backend, pq):
    from mtcore import _py

    got = outcome(c_backend.factorize_pq, pq)
    assert got == outcome(_py.factorize_pq, pq)
    if isinstance(got, tuple) and type(got[0]) is int:
        p, q = got
        assert p * q == pq and p < q and is_prime(p) and is_prime(q)
    else:
        assert got == expected_refusal(pq)
