"""
mtcore.compat.cryptg against the real cryptg (a test extra): the same IGE
bytes on random input of every buffer kind, the same factors of 1,000
random 63-bit pq; and a prompt ValueError for every input cryptg
mishandles (pads, panics, loops or overflows on), without calling cryptg
there.
"""

from __future__ import annotations

import json
import random

import pytest

pytest.importorskip("hypothesis")

from compat_utils import READ_KINDS, as_kind, random_pq, run_json
from hypothesis import example, given
from hypothesis import strategies as st
from utils import is_prime

from mtcore.compat import cryptg as compat
from mtcore.exceptions import ArgumentTypeError, ArgumentValueError, InvalidLength


@pytest.fixture(scope="module")
def cryptg():
    real = pytest.importorskip("cryptg")
    assert real is not compat, "the real cryptg is aliased to mtcore here"
    return real


@pytest.fixture(scope="module")
def factorize_pq():
    """
    The factorizer under factorize_pq_pair (its module tells the compiled
    one from the pure twin's).
    """
    from mtcore.auth import factorize_pq

    return factorize_pq


KEY = st.binary(min_size=32, max_size=32)
IV32 = st.binary(min_size=32, max_size=32)
BLOCKS = st.integers(0, 40).flatmap(
    lambda n: st.binary(min_size=16 * n, max_size=16 * n)
)


# --- IGE ------------------------------------------------------------------------


@given(
    data=BLOCKS, key=KEY, iv=IV32, kinds=st.tuples(*[st.sampled_from(READ_KINDS)] * 3)
)
@example(data=b"", key=bytes(32), iv=bytes(32), kinds=("bytes", "bytes", "bytes"))
@example(data=bytes(4096 + 16), key=bytes(32), iv=bytes(32), kinds=("array",) * 3)
def test_ige_matches_cryptg(cryptg, data, key, iv, kinds):
    for name in ("encrypt_ige", "decrypt_ige"):
        args = [as_kind(v, k) for v, k in zip((data, key, iv), kinds)]
        got = getattr(compat, name)(*args)
        assert type(got) is bytes
        assert got == getattr(cryptg, name)(data, key, iv)  # cryptg: bytes only


def test_telethon_call_shape(cryptg):
    # telethon.crypto.AES pads the plaintext to 16 itself, then calls
    # cryptg with bytes.
    key, iv = bytes(range(32)), bytes(range(32, 64))
    for n in (16, 32, 1024, 512 * 1024):
        data = random.Random(n).randbytes(n)
        ct = compat.encrypt_ige(data, key, iv)
        assert ct == cryptg.encrypt_ige(data, key, iv)
        assert (
            compat.decrypt_ige(ct, key, iv) == data == cryptg.decrypt_ige(ct, key, iv)
        )


@pytest.mark.parametrize("size", [1, 15, 17, 31, 1023])
@pytest.mark.parametrize("name", ["encrypt_ige", "decrypt_ige"])
def test_partial_block_raises(name, size):
    # cryptg pads with random bytes when encrypting and panics when
    # decrypting; the drop-in refuses.
    with pytest.raises(InvalidLength, match=f"multiple of 16, got {size}"):
        getattr(compat, name)(bytes(size), bytes(32), bytes(32))


@pytest.mark.parametrize(
    "args, exc, pattern, builtin",
    [
        ((bytes(16), bytes(31), bytes(32)), InvalidLength, "key must be 32 bytes, got 31", ValueError),
        ((bytes(16), bytes(32), bytes(16)), InvalidLength, "iv must be 32 bytes, got 16", ValueError),
        (("x" * 16, bytes(32), bytes(32)), ArgumentTypeError, "(plain|cipher) must be a bytes-like", TypeError),
        ((bytes(16), None, bytes(32)), ArgumentTypeError, "key must be a bytes-like", TypeError),
    ],
)  # fmt: skip
@pytest.mark.parametrize("name", ["encrypt_ige", "decrypt_ige"])
def test_bad_arguments(cryptg, name, args, exc, pattern, builtin):
    with pytest.raises(exc, match=pattern):
        getattr(compat, name)(*args)
    assert issubclass(exc, builtin)
    with pytest.raises(builtin):
        getattr(cryptg, name)(*args)


# --- factorization --------------------------------------------------------------

# cryptg run in a child with a timeout: it loops without end or panics on
# some input (none expected here: every pq is a product of two primes).
_CRYPTG_FACTORS = """
import json, sys
import cryptg
print(json.dumps([list(cryptg.factorize_pq_pair(pq)) for pq in json.load(sys.stdin)]))
"""


def test_factorize_1000_random_pq_as_cryptg(factorize_pq):
    # All 1,000 on the compiled factorizer (about 0.3 ms each); the first
    # 150 on the pure twin, which takes some 40 ms a pq.
    count = 1000 if factorize_pq.__module__ == "mtcore._cmtcore" else 150
    rng = random.Random("mtcore-compat-pq-1000")
    pqs = [random_pq(rng) for _ in range(1000)][:count]
    pytest.importorskip("cryptg")
    want = run_json(_CRYPTG_FACTORS, stdin=pqs, timeout=300)
    got = [compat.factorize_pq_pair(pq) for pq in pqs]
    for pq, (p, q), theirs in zip(pqs, got, want):
        assert (p, q) == tuple(sorted(theirs)), pq
        assert p < q and p * q == pq and is_prime(p) and is_prime(q)
        assert type(p) is int and type(q) is int


def test_factorize_known_pq(factorize_pq):
    # From MTPROTO.md's key exchange example and cryptg's own tests.
    assert compat.factorize_pq_pair(0x17ED48941A08F981) == (0x494C553B, 0x53911073)
    assert compat.factorize_pq_pair(1470626929934143021) == (1206429347, 1218991343)
    assert compat.factorize_pq_pair(2363612107535801713) == (1518968219, 1556064227)


class _Index:
    def __index__(self) -> int:
        return 1000000016000000063


def test_factorize_takes_index_objects(factorize_pq):
    assert compat.factorize_pq_pair(_Index()) == (1000000007, 1000000009)


# pq values cryptg 0.6 mishandles, with what it does (probed in a child
# with a timeout): each must raise ValueError here, quickly.
BAD_PQ = [
    (0, "cryptg: (2, 0)"),
    (1, "cryptg: never returns"),
    (2, "cryptg: (2, 1)"),
    (3, "cryptg: never returns"),
    (4, "cryptg: (2, 2)"),
    (16, "cryptg: (2, 8)"),
    (2 * 1000000007, "cryptg: (2, 1000000007): even"),
    (2**62, "cryptg: (2, 2**61)"),
    (9, "cryptg: never returns"),
    (25, "cryptg: (5, 5)"),
    (1000000007**2, "a square"),
    (4294967291**2, "the square of the largest 32-bit prime"),
    (97, "cryptg: panics"),
    (1000003, "cryptg: panics"),
    (2**61 - 1, "a Mersenne prime"),
    (18446744073709551557, "the largest 64-bit prime; cryptg: never returns"),
    (3 * 5 * 7, "cryptg: panics"),
    (2**64 - 1, "cryptg: (3, 6148914691236517205)"),
    (1000003 * 1000033 * 1000037, "three primes"),
    (-15, "cryptg: OverflowError"),
    (-(2**64), "cryptg: OverflowError"),
    (2**64, "cryptg: OverflowError"),
    (2**64 + 1, "cryptg: OverflowError"),
    (2**200, "far over 64 bits"),
]


@pytest.mark.parametrize("pq, note", BAD_PQ, ids=[n for _, n in BAD_PQ])
def test_bad_pq_raises_value_error(factorize_pq, pq, note):
    # (The work is bounded in pq.c; speed belongs to the benchmarks.)
    with pytest.raises(ValueError) as info:
        compat.factorize_pq_pair(pq)
    assert isinstance(info.value, ArgumentValueError)  # FactorizationError or range


@pytest.mark.parametrize("pq", [True, False, 15.0, "15", b"\x0f", None, [15]])
def test_non_integer_pq_is_a_type_error(cryptg, factorize_pq, pq):
    # A bool is an int subclass, but never a pq (cryptg takes True as 1 and
    # never returns).
    if isinstance(pq, bool):
        with pytest.raises(ArgumentTypeError, match="^pq must be an int, not 'bool'$"):
            compat.factorize_pq_pair(pq)
        return
    with pytest.raises(ArgumentTypeError, match="pq must be an int"):
        compat.factorize_pq_pair(pq)
    with pytest.raises(TypeError):
        cryptg.factorize_pq_pair(pq)  # a type check only: no factoring


def test_positional_only():
    with pytest.raises(TypeError):
        compat.factorize_pq_pair(pq=15)  # type: ignore[call-arg]


_PROBE = """
import json, sys
import cryptg
pq = int(sys.argv[1])
try:
    print(json.dumps(list(cryptg.factorize_pq_pair(pq))))
except BaseException as exc:
    print(json.dumps(type(exc).__name__))
"""


@pytest.mark.parametrize(
    "pq, expected",
    [(16, [2, 8]), (2**64 - 1, [3, 6148914691236517205]), (97, "PanicException")],
)
def test_what_cryptg_does_on_bad_pq(cryptg, pq, expected):
    # The differences documented in mtcore/compat/cryptg.py, checked
    # against the installed cryptg (in a child: it may hang or panic).
    assert run_json(_PROBE, str(pq), timeout=60) == json.loads(json.dumps(expected))


@pytest.mark.parametrize(("name", "first"), [("encrypt_ige", "plain"), ("decrypt_ige", "cipher")])
def test_names_and_arguments_read_as_cryptgs(cryptg, name, first):
    # help(), __name__ and argument errors name cryptg's function and
    # arguments, never an mtcore internal.
    ours, theirs = getattr(compat, name), getattr(cryptg, name)
    assert ours.__name__ == theirs.__name__ == name
    args = (bytes(16), bytes(32), bytes(32))
    assert ours(**{first: args[0], "key": args[1], "iv": args[2]}) == theirs(*args)
    with pytest.raises(TypeError, match=f"^{name}\\(\\)"):
        ours(bytes(16))
    with pytest.raises(ArgumentTypeError, match=f"^{first} must be"):
        ours("x", bytes(32), bytes(32))
