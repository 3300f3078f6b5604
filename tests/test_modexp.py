"""
The backends' modexp (the key exchange's and SRP's modular exponentiation,
src_c/modexp.c and mtcore/_py/auth.py): equal to Python's ``pow`` for every
modulus size the C path takes (odd, 3 to 4096 bits, with and without the
top bit of its last limb) and for the ones it hands to ``pow``, on edge
values and under hypothesis; the same errors on both backends.
"""

from __future__ import annotations

import random
from typing import Any, Callable

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from mtcore import _dh
from mtcore.exceptions import ArgumentTypeError, ArgumentValueError

P = _dh.TELEGRAM_DH_PRIME


@pytest.fixture(
    scope="module",
    params=["python", pytest.param("c", marks=pytest.mark.c_extension)],
)
def modexp(request: Any) -> Callable[[int, int, int], int]:
    if request.param == "c":
        return request.getfixturevalue("c_backend").modexp  # type: ignore[no-any-return]
    from mtcore import _py

    return _py.modexp


def test_the_key_exchange_sizes(modexp: Callable[[int, int, int], int]) -> None:
    rng = random.Random(1)
    for _ in range(4):
        b, e = rng.getrandbits(2048), rng.getrandbits(2048)
        assert modexp(3, e, P) == pow(3, e, P)
        assert modexp(b, e, P) == pow(b, e, P)
        assert modexp(b, e + e * (1 << 2048), P) == pow(b, e + e * (1 << 2048), P)
    # Fermat, and the subgroup of order (p - 1) / 2 that g = 3 generates.
    assert modexp(3, P - 1, P) == 1 and modexp(3, (P - 1) // 2, P) == 1


@pytest.mark.parametrize(
    "modulus",
    [
        3,
        5,
        7,
        2**61 - 1,
        2**64 + 13,
        2**127 - 1,
        (1 << 2047) + 9,
        (1 << 2048) - 159,
        (1 << 4095) + 1,
        (1 << 4096) - 1,
        1 << 4096 | 1,
        2**64 - 59,
    ],
    ids=lambda m: f"{m.bit_length()}-bit",
)
def test_edges(modexp: Callable[[int, int, int], int], modulus: int) -> None:
    for base, exponent in [
        (0, 0),
        (0, 5),
        (1, 0),
        (2, 0),
        (modulus - 1, 2),
        (modulus, 3),
        (modulus + 1, 7),
        (-1, 3),
        (-modulus - 2, 5),
        (1 << 5000, 12345),
        (7, (1 << 5000) + 1),
    ]:
        assert modexp(base, exponent, modulus) == pow(base, exponent, modulus), (
            base,
            exponent,
        )


@pytest.mark.parametrize("modulus", [1, 2, 4, 2**64, (1 << 2048) - 2])
def test_moduli_the_c_path_leaves_to_pow(
    modexp: Callable[[int, int, int], int], modulus: int
) -> None:
    for base, exponent in [(0, 0), (5, 3), (-3, 7), (1 << 3000, 5)]:
        assert modexp(base, exponent, modulus) == pow(base, exponent, modulus)


# Up to a little past 2048 bits (the larger sizes are in test_edges and the
# test below): pow on 4096-bit numbers would make each example slow.
moduli = st.integers(min_value=1, max_value=(1 << 2112) - 1)


@given(
    base=st.integers(),
    exponent=st.integers(min_value=0, max_value=(1 << 2200) - 1),
    modulus=moduli,
)
@example(base=2, exponent=(1 << 2048) - 1, modulus=(1 << 2048) - 1)
@example(base=3, exponent=2**64, modulus=2**64 + 1)
def test_equals_pow(
    modexp: Callable[[int, int, int], int], base: int, exponent: int, modulus: int
) -> None:
    assert modexp(base, exponent, modulus) == pow(base, exponent, modulus)


@given(
    bits=st.integers(min_value=2, max_value=4096),
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_equals_pow_for_odd_moduli_of_every_size(
    modexp: Callable[[int, int, int], int], bits: int, seed: int
) -> None:
    rng = random.Random(seed)
    modulus = rng.getrandbits(bits) | (1 << (bits - 1)) | 1
    if modulus < 3:
        modulus = 3
    base, exponent = (
        rng.getrandbits(bits + 8),
        rng.getrandbits(rng.choice([8, 64, 256])),
    )
    assert modexp(base, exponent, modulus) == pow(base, exponent, modulus)


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        ((1.0, 2, 3), ArgumentTypeError, "^base must be an int, not 'float'$"),
        ((1, True, 3), ArgumentTypeError, "^exponent must be an int, not 'bool'$"),
        ((1, 2, "3"), ArgumentTypeError, "^modulus must be an int, not 'str'$"),
        ((1, -1, 3), ArgumentValueError, "^exponent must be >= 0, got -1$"),
        ((1, 2, 0), ArgumentValueError, "^modulus must be >= 1, got 0$"),
        (
            (1, 2, -(1 << 20000)),
            ArgumentValueError,
            "^modulus must be >= 1, got a 20001-bit int$",
        ),
    ],
)
def test_errors(
    modexp: Callable[[int, int, int], int],
    args: tuple[Any, ...],
    error: type,
    message: str,
) -> None:
    with pytest.raises(error, match=message):
        modexp(*args)
