"""
Property tests (STYLE.md point 59): every implementation against an
independent reference (OpenSSL through ``cryptography``, IGE written from
MTPROTO.md 2.2 over its ECB), every compiled kernel against the pure twin,
round trips, in place == out of place, CTR chunking, and the same error
type and text on both backends for random junk arguments.
"""

from __future__ import annotations

from typing import Any, Callable

import pytest

pytest.importorskip("hypothesis")

from hypothesis import example, given
from hypothesis import strategies as st
from utils import ref_cbc, ref_ctr, ref_ige, split_at

from mtcore import _errors
from mtcore.exceptions import MtcoreError

MAX_BLOCKS = 48
KEY = st.binary(min_size=32, max_size=32)
IV16 = st.binary(min_size=16, max_size=16)
IV32 = st.binary(min_size=32, max_size=32)
BLOCKS = st.integers(0, MAX_BLOCKS).flatmap(
    lambda n: st.binary(min_size=16 * n, max_size=16 * n)
)
ANY_BYTES = st.binary(max_size=16 * MAX_BLOCKS + 15)

# Edge sizes pinned on every run: empty, one block, four blocks, one block
# past the GIL-release threshold (4096 bytes) and a large buffer with an
# odd number of blocks.
K0 = bytes(range(32))
V32 = bytes(range(32, 64))
V16 = bytes(range(64, 80))
SIZES = (0, 16, 64, 4096 + 16, 65536 + 48)


def pin_sizes(iv: bytes) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def wrap(test: Callable[..., Any]) -> Callable[..., Any]:
        for n in SIZES:
            test = example(data=bytes((7 * i) & 0xFF for i in range(n)), key=K0, iv=iv)(
                test
            )
        return test

    return wrap


# --- against the independent reference ------------------------------------


@pin_sizes(V32)
@given(data=BLOCKS, key=KEY, iv=IV32)
def test_ige_matches_reference(aes_impl, data, key, iv):
    assert aes_impl.ige_encrypt(data, key, iv) == ref_ige(key, iv, data, decrypt=False)
    assert aes_impl.ige_decrypt(data, key, iv) == ref_ige(key, iv, data, decrypt=True)


@pin_sizes(V16)
@given(data=BLOCKS, key=KEY, iv=IV16)
def test_cbc_matches_reference(aes_impl, data, key, iv):
    assert aes_impl.cbc_encrypt(data, key, iv) == ref_cbc(key, iv, data, decrypt=False)
    assert aes_impl.cbc_decrypt(data, key, iv) == ref_cbc(key, iv, data, decrypt=True)


# Counter blocks whose increments carry: the 128-bit wrap, a carry into the
# high half at the first block, and carries inside the wide loops (block 5
# of an 8-block AES-NI run, block 21 of a 32-block VAES run).
CARRY_IVS = (
    b"\xff" * 16,
    b"\x00" * 8 + b"\xff" * 8,
    b"\x12" * 8 + (2**64 - 5).to_bytes(8, "big"),
    b"\xff" * 8 + (2**64 - 21).to_bytes(8, "big"),
)
# Long enough for every kernel's widest path (ct64: 4 blocks, AES-NI: 8,
# VAES: 8 and 32 at a time) and a ragged tail.
CARRY_LENGTHS = (100, 16 * 8 + 5, 16 * 40 + 7, 16 * 70)


def carry_examples(test: Callable[..., Any]) -> Callable[..., Any]:
    for iv in CARRY_IVS:
        for n in CARRY_LENGTHS:
            test = example(data=bytes(n), key=K0, iv=iv)(test)
    return test


@pin_sizes(V16)
@carry_examples
@given(data=ANY_BYTES, key=KEY, iv=IV16)
def test_ctr_matches_reference(aes_impl, data, key, iv):
    assert aes_impl.Ctr(key, iv).update(data) == ref_ctr(key, iv, data)


# --- compiled kernels against the pure twin ----------------------------------


@pin_sizes(V32)
@given(data=BLOCKS, key=KEY, iv=IV32)
def test_compiled_equals_pure_ige(c_kernel, py_kernel, data, key, iv):
    assert c_kernel.ige_encrypt(data, key, iv) == py_kernel.ige_encrypt(data, key, iv)
    assert c_kernel.ige_decrypt(data, key, iv) == py_kernel.ige_decrypt(data, key, iv)


@pin_sizes(V16)
@given(data=BLOCKS, key=KEY, iv=IV16)
def test_compiled_equals_pure_cbc(c_kernel, py_kernel, data, key, iv):
    assert c_kernel.cbc_encrypt(data, key, iv) == py_kernel.cbc_encrypt(data, key, iv)
    assert c_kernel.cbc_decrypt(data, key, iv) == py_kernel.cbc_decrypt(data, key, iv)


@pin_sizes(V16)
@carry_examples
@given(data=ANY_BYTES, key=KEY, iv=IV16)
def test_compiled_equals_pure_ctr(c_kernel, py_kernel, data, key, iv):
    assert c_kernel.Ctr(key, iv).update(data) == py_kernel.Ctr(key, iv).update(data)


# --- round trips and aliasing --------------------------------------------------


@pin_sizes(V32)
@given(data=BLOCKS, key=KEY, iv=IV32)
def test_ige_round_trip(aes_impl, data, key, iv):
    ct = aes_impl.ige_encrypt(data, key, iv)
    assert len(ct) == len(data)
    assert aes_impl.ige_decrypt(ct, key, iv) == data


@pin_sizes(V16)
@given(data=BLOCKS, key=KEY, iv=IV16)
def test_cbc_round_trip(aes_impl, data, key, iv):
    assert aes_impl.cbc_decrypt(aes_impl.cbc_encrypt(data, key, iv), key, iv) == data


@given(data=ANY_BYTES, key=KEY, iv=IV16)
def test_ctr_round_trip(aes_impl, data, key, iv):
    assert aes_impl.Ctr(key, iv).update(aes_impl.Ctr(key, iv).update(data)) == data


@given(
    fn=st.sampled_from(["ige_encrypt", "ige_decrypt", "cbc_encrypt", "cbc_decrypt"]),
    data=BLOCKS,
    key=KEY,
    iv=IV32,
)
def test_in_place_equals_out_of_place(aes_impl, fn, data, key, iv):
    iv = iv if fn.startswith("ige") else iv[:16]
    expected = getattr(aes_impl, fn)(data, key, iv)
    buf = bytearray(data)
    assert getattr(aes_impl, fn)(buf, key, iv, out=buf) is buf
    assert buf == expected


@given(
    data=ANY_BYTES, key=KEY, iv=IV16, shift=st.integers(1, 40), out_first=st.booleans()
)
def test_ctr_overlap_equals_out_of_place(aes_impl, data, key, iv, shift, out_first):
    expected = ref_ctr(key, iv, data)
    n = len(data)
    buf = bytearray(n + shift)
    with memoryview(buf) as view:
        src, dst = (view[shift:], view[:n]) if out_first else (view[:n], view[shift:])
        src[:] = data
        assert aes_impl.Ctr(key, iv).update_into(src, dst) == n
        assert bytes(dst) == expected
        src.release()
        dst.release()


@given(
    data=ANY_BYTES,
    key=KEY,
    iv=IV16,
    cuts=st.lists(st.integers(0, 16 * MAX_BLOCKS + 15), max_size=8),
)
def test_ctr_chunks_equal_one_call(aes_impl, data, key, iv, cuts):
    cuts = sorted(c for c in cuts if c <= len(data))
    ctr = aes_impl.Ctr(key, iv)
    parts = split_at(data, cuts)
    # update and update_into interleaved: one keystream
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            buf = bytearray(len(part) + 3)
            assert ctr.update_into(part, buf) == len(part)
            out.append(bytes(buf[: len(part)]))
        else:
            out.append(ctr.update(part))
    assert b"".join(out) == aes_impl.Ctr(key, iv).update(data) == ref_ctr(key, iv, data)


TWO_OR_MORE_BLOCKS = st.integers(2, MAX_BLOCKS).flatmap(
    lambda n: st.binary(min_size=16 * n, max_size=16 * n)
)


@given(data=TWO_OR_MORE_BLOCKS, key=KEY, iv=IV32, cut=st.integers(0, 10**6))
def test_ige_split_calls_chain(aes_impl, data, key, iv, cut):
    cut = 16 * (1 + cut % (len(data) // 16 - 1))  # 1 .. n-1 blocks
    first = aes_impl.ige_encrypt(data[:cut], key, iv)
    second = aes_impl.ige_encrypt(data[cut:], key, first[-16:] + data[cut - 16 : cut])
    assert first + second == ref_ige(key, iv, data, decrypt=False)


# --- same error, type and text, on both backends ---------------------------------

# An argument is described by (kind, size) and built afresh for each backend.
KINDS = (
    "bytes",
    "bytearray",
    "memoryview",
    "readonly-view",
    "strided",
    "str",
    "int",
    "none",
    "float",
)


def build(spec: tuple[str, int]) -> Any:
    kind, n = spec
    return {
        "bytes": lambda: bytes(n),
        "bytearray": lambda: bytearray(n),
        "memoryview": lambda: memoryview(bytearray(n)),
        "readonly-view": lambda: memoryview(bytes(n)),
        "strided": lambda: memoryview(bytearray(2 * n))[::2],
        "str": lambda: "x" * n,
        "int": lambda: n,
        "none": lambda: None,
        "float": lambda: n / 2,
    }[kind]()


# sizes near the valid ones are the interesting ones
SIZE = st.sampled_from([0, 1, 15, 16, 17, 31, 32, 33, 48, 64])
ARG = st.tuples(st.sampled_from(KINDS), SIZE)


def outcome(func: Callable[[], Any], out: Any = None) -> tuple[Any, ...]:
    # Only mtcore's own errors are outcomes; anything else fails the test.
    try:
        result = func()
    except MtcoreError as exc:
        return ("raised", type(exc), str(exc))
    if out is None:
        return ("ok", result)
    # a call that wrote into out: the one-shots return out itself,
    # update_into the count
    with memoryview(out) as m:
        return ("ok", "out" if result is out else result, m.tobytes())


@given(
    fn=st.sampled_from(["ige_encrypt", "ige_decrypt", "cbc_encrypt", "cbc_decrypt"]),
    data=ARG,
    key=ARG,
    iv=ARG,
    out=st.one_of(st.none(), ARG),
)
@example(
    fn="ige_encrypt",
    data=("bytes", 48),
    key=("bytearray", 32),
    iv=("memoryview", 32),
    out=("bytearray", 48),
)
@example(fn="ige_encrypt", data=("bytes", 0), key=("bytes", 32), iv=("bytes", 32), out=("none", 0))
def test_same_errors_one_shot(c_kernel, py_kernel, fn, data, key, iv, out):
    if out is not None and out[0] == "none":
        out = None  # out=None is the default: no out (not a bad buffer)

    def run(impl: Any) -> tuple[Any, ...]:
        o = None if out is None else build(out)
        args = build(data), build(key), build(iv)
        return outcome(lambda: getattr(impl, fn)(*args, out=o), o)

    got = run(c_kernel)
    assert got == run(py_kernel)
    iv_size = 32 if fn.startswith("ige") else 16
    error = (
        buffer_error("data", data)
        or buffer_error("key", key)
        or size_error("key", key, 32)
        or buffer_error("iv", iv)
        or size_error("iv", iv, iv_size)
        or (_errors.not_whole_blocks("data", data[1]) if data[1] % 16 else None)
        or (out is not None and buffer_error("out", out, writable=True))
        or (
            out is not None
            and out[1] != data[1]
            and _errors.out_mismatch(data[1], out[1])
        )
    )
    assert got[0] == ("raised" if error else "ok")
    if error:
        assert got[1:] == (type(error), str(error))


# What the rules say of an argument built by build(): the error expected,
# or None.  Derived from the spec of each kind, not from either backend.
NOT_BUFFERS = ("str", "int", "none", "float")


def buffer_error(name: str, spec: tuple[str, int], writable: bool = False) -> Any:
    kind, n = spec
    if kind in NOT_BUFFERS:
        return _errors.not_buffer(name, build(spec))
    if writable and kind in ("bytes", "readonly-view"):
        return _errors.read_only(name, build(spec))
    # A strided view is C-contiguous only with exactly one element.
    if kind == "strided" and n != 1:
        return _errors.not_contiguous(name)
    return None


def size_error(name: str, spec: tuple[str, int], size: int) -> Any:
    return _errors.bad_length(name, size, spec[1]) if spec[1] != size else None


@given(
    key=ARG, iv=ARG, data=ARG, out=st.one_of(st.none(), ARG), start=st.integers(0, 17)
)
@example(
    key=("bytes", 32),
    iv=("bytes", 16),
    data=("bytes", 17),
    out=("bytearray", 33),
    start=5,
)
@example(
    key=("bytes", 32),
    iv=("bytes", 16),
    data=("bytes", 0),
    out=("bytearray", 0),
    start=0,
)
def test_same_errors_ctr(c_kernel, py_kernel, key, iv, data, out, start):
    def run(impl: Any) -> tuple[Any, ...]:
        k, v = build(key), build(iv)
        made = outcome(lambda: impl.Ctr(k, v))
        if made[0] == "raised":
            return made
        ctr = made[1]
        ctr.update(bytes(start))  # a stream already mid-block
        d = build(data)
        if out is None:
            return outcome(lambda: ctr.update(d))
        o = build(out)
        return outcome(lambda: ctr.update_into(d, o), o)

    got = run(c_kernel)
    assert got == run(py_kernel)
    error = (
        buffer_error("key", key)
        or size_error("key", key, 32)
        or buffer_error("iv", iv)
        or size_error("iv", iv, 16)
        or buffer_error("data", data)
        or (out is not None and buffer_error("out", out, writable=True))
        or (
            out is not None
            and out[1] < data[1]
            and _errors.out_too_small(data[1], out[1])
        )
    )
    assert got[0] == ("raised" if error else "ok")
    if error:
        assert got[1:] == (type(error), str(error))
