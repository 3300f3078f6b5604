"""
Known answers over every AES implementation (``aes_impl``), and the
invariants of OpenSSL's ``test/igetest.c`` and BearSSL's chained-CBC tests:
in place == out of place, split calls == one call, partial overlap, every
buffer type.  Expected values come from the vector files only.
"""

from __future__ import annotations

import array
import mmap
import random
from typing import Any, Callable

import pytest
from utils import blocks, load_vectors, ref_ige, split_at


def aes256(v: dict[str, Any]) -> bool:
    # The OpenSSL igetest vectors use a 128-bit key: not applicable to an
    # AES-256 API, so they are left out by construction.
    return v.get("key_bits", 256) == 256


IGE = load_vectors("aes_ige.json", aes256)
CBC = load_vectors("aes_cbc.json", lambda v: "plaintext" in v)
CBC_CHAINED = load_vectors("aes_cbc.json", lambda v: "plaintext_parts" in v)
CTR = load_vectors("aes_ctr.json", lambda v: "plaintext" in v)
CTR_CHUNKED = load_vectors("aes_ctr.json", lambda v: "chunks" in v)
CTR_WRAP = load_vectors(
    "aes_ctr.json", lambda v: v["name"] == "counter_wraps_full_128_bits"
)[0]


def _one_shot_cases(min_len: int = 0) -> list[Any]:
    """
    (function name, key, iv, input, expected) for both directions of every
    IGE and CBC vector at least min_len bytes long.
    """
    cases = []
    for mode, vectors in (("ige", IGE), ("cbc", CBC)):
        for v in vectors:
            if len(v["plaintext"]) < min_len:
                continue
            key, iv, pt, ct = v["key"], v["iv"], v["plaintext"], v["ciphertext"]
            cases.append(
                pytest.param(
                    f"{mode}_encrypt", key, iv, pt, ct, id=f"{v['name']}-encrypt"
                )
            )
            cases.append(
                pytest.param(
                    f"{mode}_decrypt", key, iv, ct, pt, id=f"{v['name']}-decrypt"
                )
            )
    return cases


ALL_CASES = _one_shot_cases()
LONG_CASES = _one_shot_cases(min_len=64)  # at least 4 blocks: room for overlap bugs
# for the buffer-type matrix: the two Telegram IGE vectors and SP 800-38A CBC
BUFFER_CASES = [
    c
    for c in LONG_CASES
    if c.id.rsplit("-", 1)[0].startswith(("telegram_sample", "nist_sp800_38a"))
]


def _block_cases() -> list[Any]:
    cases = []
    for v in load_vectors("aes256_block.json"):
        pairs = zip(blocks(v["plaintext"]), blocks(v["ciphertext"]))
        for i, (p, c) in enumerate(pairs):
            cases.append(pytest.param(v["key"], p, c, id=f"{v['name']}-block{i}"))
    return cases


BLOCKS = _block_cases()


# --- the raw block (FIPS-197 C.3, SP 800-38A F.1.5) through each mode -----


@pytest.mark.parametrize(("key", "p", "c"), BLOCKS)
def test_block_via_cbc(aes_impl, key, p, c):
    # one block of CBC with a zero IV is E_K(p)
    assert aes_impl.cbc_encrypt(p, key, bytes(16)) == c
    assert aes_impl.cbc_decrypt(c, key, bytes(16)) == p


@pytest.mark.parametrize(("key", "p", "c"), BLOCKS)
def test_block_via_ige(aes_impl, key, p, c):
    # one block of IGE with c_0 = p_0 = 0: c_1 = E_K(p_1 ^ 0) ^ 0
    assert aes_impl.ige_encrypt(p, key, bytes(32)) == c
    assert aes_impl.ige_decrypt(c, key, bytes(32)) == p


@pytest.mark.parametrize(("key", "p", "c"), BLOCKS)
def test_block_via_ige_iv_halves(aes_impl, key, p, c):
    # c_0 = iv[:16] is XORed in before E, p_0 = iv[16:] after: a zero
    # plaintext with c_0 = p encrypts to E_K(p) ^ p_0.
    p0 = bytes(range(16))
    expected = bytes(x ^ y for x, y in zip(c, p0))
    assert aes_impl.ige_encrypt(bytes(16), key, p + p0) == expected
    assert aes_impl.ige_decrypt(expected, key, p + p0) == bytes(16)


@pytest.mark.parametrize(("key", "p", "c"), BLOCKS)
def test_block_via_ctr(aes_impl, key, p, c):
    # the first CTR keystream block is E_K(counter block)
    assert aes_impl.Ctr(key, p).update(bytes(16)) == c


# --- IGE and CBC known answers --------------------------------------------


@pytest.mark.parametrize(("fn", "key", "iv", "data", "expected"), ALL_CASES)
def test_one_shot_vector(aes_impl, fn, key, iv, data, expected):
    result = getattr(aes_impl, fn)(data, key, iv)
    assert type(result) is bytes
    assert result == expected


def test_ige_vector_selection():
    # guards the selection above: every AES-256 IGE vector, none of AES-128
    names = {v["name"] for v in IGE}
    assert len(IGE) >= 4
    assert not any("aes128" in n for n in names)
    assert {
        "telegram_sample_server_DH_inner_data",
        "telegram_sample_client_DH_inner_data",
    } <= names


@pytest.mark.parametrize("v", load_vectors("aes_ige.json"), ids=lambda v: v["name"])
def test_reference_ige_follows_the_vectors(v):
    # The property tests compare against tests/utils.ref_ige: it must
    # reproduce every IGE vector, OpenSSL's AES-128 igetest ones included
    # (OpenSSL's chaining and IV halves; the block cipher follows the key).
    assert ref_ige(v["key"], v["iv"], v["plaintext"], decrypt=False) == v["ciphertext"]
    assert ref_ige(v["key"], v["iv"], v["ciphertext"], decrypt=True) == v["plaintext"]


@pytest.mark.parametrize(("fn", "key", "iv", "data", "expected"), LONG_CASES)
def test_in_place(aes_impl, fn, key, iv, data, expected):
    buf = bytearray(data)
    result = getattr(aes_impl, fn)(buf, key, iv, out=buf)
    assert result is buf
    assert buf == expected


@pytest.mark.parametrize(("fn", "key", "iv", "data", "expected"), LONG_CASES)
def test_out_of_place_into_buffer(aes_impl, fn, key, iv, data, expected):
    out = bytearray(len(data))
    src = bytes(data)
    assert getattr(aes_impl, fn)(src, key, iv, out=out) is out
    assert out == expected
    assert src == data


@pytest.mark.parametrize("offset", [16, 1])
@pytest.mark.parametrize("out_first", [False, True], ids=["out-after", "out-before"])
@pytest.mark.parametrize(("fn", "key", "iv", "data", "expected"), LONG_CASES)
def test_partial_overlap(aes_impl, fn, key, iv, data, expected, offset, out_first):
    n = len(data)
    buf = bytearray(n + offset)
    view = memoryview(buf)
    if out_first:
        src, dst = view[offset : offset + n], view[:n]
    else:
        src, dst = view[:n], view[offset : offset + n]
    src[:] = data
    getattr(aes_impl, fn)(src, key, iv, out=dst)
    assert bytes(dst) == expected
    view.release()


@pytest.mark.parametrize("cut_blocks", [1, 2, "half", -1])
@pytest.mark.parametrize(
    "v", [v for v in IGE if len(v["plaintext"]) >= 64], ids=lambda v: v["name"]
)
def test_ige_two_half_calls(aes_impl, v, cut_blocks):
    # igetest.c: two calls, the second with iv = last c + last p, equal one call
    key, iv, pt, ct = v["key"], v["iv"], v["plaintext"], v["ciphertext"]
    nblocks = len(pt) // 16
    k = {"half": nblocks // 2, -1: nblocks - 1}.get(cut_blocks, cut_blocks)
    cut = 16 * k
    first = aes_impl.ige_encrypt(pt[:cut], key, iv)
    second = aes_impl.ige_encrypt(pt[cut:], key, first[-16:] + pt[cut - 16 : cut])
    assert first + second == ct
    first = aes_impl.ige_decrypt(ct[:cut], key, iv)
    second = aes_impl.ige_decrypt(ct[cut:], key, ct[cut - 16 : cut] + first[-16:])
    assert first + second == pt


@pytest.mark.parametrize("v", CBC_CHAINED, ids=lambda v: v["name"])
def test_cbc_chained_vector(aes_impl, v):
    # each call's IV is the last ciphertext block of the call before
    iv = v["iv"]
    for p, c in zip(v["plaintext_parts"], v["ciphertext_parts"]):
        assert aes_impl.cbc_encrypt(p, v["key"], iv) == c
        assert aes_impl.cbc_decrypt(c, v["key"], iv) == p
        iv = c[-16:]
    assert iv == v["iv_after"]


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize(
    "v", [v for v in CBC if len(v["plaintext"]) >= 64], ids=lambda v: v["name"]
)
def test_cbc_random_chained_calls(aes_impl, v, seed):
    rng = random.Random(seed)
    key, pt, ct = v["key"], v["plaintext"], v["ciphertext"]
    nblocks = len(pt) // 16
    cuts = sorted(16 * c for c in rng.sample(range(nblocks + 1), rng.randint(1, 3)))
    enc, dec, iv = [], [], v["iv"]
    for p, c in zip(split_at(pt, cuts), split_at(ct, cuts)):
        enc.append(aes_impl.cbc_encrypt(p, key, iv))
        dec.append(aes_impl.cbc_decrypt(c, key, iv))
        iv = c[-16:] if c else iv
    assert b"".join(enc) == ct
    assert b"".join(dec) == pt


@pytest.mark.parametrize(
    "fn", ["ige_encrypt", "ige_decrypt", "cbc_encrypt", "cbc_decrypt"]
)
def test_empty_data(aes_impl, fn):
    iv = bytes(32 if fn.startswith("ige") else 16)
    result = getattr(aes_impl, fn)(b"", bytes(32), iv)
    assert type(result) is bytes and result == b""
    out = bytearray()
    assert getattr(aes_impl, fn)(bytearray(), bytes(32), iv, out=out) is out
    assert out == b""


@pytest.mark.parametrize(("fn", "key", "iv", "data", "expected"), LONG_CASES)
def test_arguments_not_modified(aes_impl, fn, key, iv, data, expected):
    # the C kernels update a CBC IV in place: on a copy, never the caller's
    k, v, d = bytearray(key), bytearray(iv), bytearray(data)
    assert getattr(aes_impl, fn)(d, k, v) == expected
    assert (k, v, d) == (key, iv, data)
    # and a second call with the same arguments gives the same answer
    assert getattr(aes_impl, fn)(d, k, v) == expected


# --- CTR -------------------------------------------------------------------


@pytest.mark.parametrize("v", CTR, ids=lambda v: v["name"])
def test_ctr_vector(aes_impl, v):
    key, iv = v["key"], v["initial_counter_block"]
    result = aes_impl.Ctr(key, iv).update(v["plaintext"])
    assert type(result) is bytes
    assert result == v["ciphertext"]
    assert aes_impl.Ctr(key, iv).update(v["ciphertext"]) == v["plaintext"]


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize(
    "v", [v for v in CTR if len(v["plaintext"]) > 16], ids=lambda v: v["name"]
)
def test_ctr_random_chunks(aes_impl, v, seed):
    rng = random.Random(seed)
    pt, ct = v["plaintext"], v["ciphertext"]
    cuts = sorted(rng.choices(range(len(pt) + 1), k=rng.randint(1, 8)))
    ctr = aes_impl.Ctr(v["key"], v["initial_counter_block"])
    for p, c in zip(split_at(pt, cuts), split_at(ct, cuts)):
        assert ctr.update(p) == c


@pytest.mark.parametrize("v", CTR_CHUNKED, ids=lambda v: v["name"])
def test_ctr_vector_chunks(aes_impl, v):
    ctr = aes_impl.Ctr(v["key"], v["initial_counter_block"])
    pos = 0
    for chunk in v["chunks"]:
        n = chunk["length"]
        assert ctr.update(v["plaintext"][pos : pos + n]) == chunk["ciphertext"]
        pos += n
    # the stream goes on after the listed chunks
    assert ctr.update(v["plaintext"][pos:]) == v["ciphertext"][pos:]


@pytest.mark.parametrize("cut", [1, 15, 16, 17, 31, 33])
def test_ctr_counter_wrap(aes_impl, cut):
    # ff..ff, then 00..00: the carry runs through all 16 bytes and wraps
    v = CTR_WRAP
    ctr = aes_impl.Ctr(v["key"], v["initial_counter_block"])
    assert (
        ctr.update(v["plaintext"][:cut]) + ctr.update(v["plaintext"][cut:])
        == v["ciphertext"]
    )
    # keystream block 1 is E_K(00..00): the vector's second block
    assert aes_impl.Ctr(v["key"], bytes(16)).update(bytes(16)) == v["ciphertext"][16:32]


def test_ctr_empty_updates(aes_impl):
    v = CTR_CHUNKED[0]
    ctr = aes_impl.Ctr(v["key"], v["initial_counter_block"])
    assert ctr.update(b"") == b""
    assert ctr.update(v["plaintext"][:3]) == v["ciphertext"][:3]
    assert ctr.update(b"") == b""
    assert ctr.update_into(b"", bytearray()) == 0
    assert ctr.update(v["plaintext"][3:]) == v["ciphertext"][3:]


@pytest.mark.parametrize("extra", [0, 1, 16, 100])
def test_ctr_update_into_larger_out(aes_impl, extra):
    v = CTR_CHUNKED[0]
    ctr = aes_impl.Ctr(v["key"], v["initial_counter_block"])
    pt, ct = v["plaintext"], v["ciphertext"]
    pos = 0
    for n in (5, 11, 16, 1, 31, 36):
        out = bytearray(b"\xa5" * (n + extra))
        assert ctr.update_into(pt[pos : pos + n], out) == n
        assert out[:n] == ct[pos : pos + n]
        assert out[n:] == b"\xa5" * extra  # untouched past len(data)
        pos += n
    assert pos == len(pt)


def test_ctr_update_into_in_place(aes_impl):
    v = CTR_CHUNKED[0]
    buf = bytearray(v["plaintext"])
    ctr = aes_impl.Ctr(v["key"], v["initial_counter_block"])
    view = memoryview(buf)
    assert ctr.update_into(view[:7], view[:7]) == 7
    assert ctr.update_into(buf[7:], view[7:]) == len(buf) - 7  # a copy in, into buf
    view.release()
    assert buf == v["ciphertext"]


@pytest.mark.parametrize("offset", [16, 1, 3])
@pytest.mark.parametrize("out_first", [False, True], ids=["out-after", "out-before"])
def test_ctr_partial_overlap(aes_impl, offset, out_first):
    v = CTR_CHUNKED[0]
    pt, ct = v["plaintext"], v["ciphertext"]
    n = len(pt)
    buf = bytearray(n + offset)
    view = memoryview(buf)
    src, dst = (
        (view[offset : offset + n], view[:n])
        if out_first
        else (view[:n], view[offset : offset + n])
    )
    src[:] = pt
    ctr = aes_impl.Ctr(v["key"], v["initial_counter_block"])
    # a partial first block, then whole blocks: both paths see the overlap
    assert ctr.update_into(src[:5], dst[:5]) == 5
    assert bytes(dst[:5]) == ct[:5]
    src[:] = pt
    ctr2 = aes_impl.Ctr(v["key"], v["initial_counter_block"])
    assert ctr2.update_into(src, dst) == n
    assert bytes(dst) == ct
    for m in (src, dst, view):
        m.release()


# --- buffer types ------------------------------------------------------------

np = None
try:
    import numpy as np  # type: ignore[no-redef]
except ImportError:  # numpy is optional
    pass


def _array(code: str) -> Callable[[bytes], Any]:
    def make(b: bytes) -> array.array:
        a = array.array(code)
        a.frombytes(b)
        return a

    return make


def _mmap(b: bytes) -> mmap.mmap:
    m = mmap.mmap(-1, len(b))
    m.write(b)
    return m


def _numpy(dtype: str) -> Callable[[bytes], Any]:
    def make(b: bytes) -> Any:
        return np.frombuffer(bytearray(b), dtype=dtype)

    return make


BUFFER_TYPES = [
    pytest.param(bytes, id="bytes"),
    pytest.param(bytearray, id="bytearray"),
    pytest.param(lambda b: memoryview(bytes(b)), id="memoryview-ro"),
    pytest.param(lambda b: memoryview(bytearray(b)), id="memoryview-rw"),
    pytest.param(
        lambda b: memoryview(bytes(8) + b + bytes(8))[8:-8], id="memoryview-slice"
    ),
    pytest.param(_array("B"), id="array-B"),
    pytest.param(_array("I"), id="array-I"),
    pytest.param(_mmap, id="mmap"),
    pytest.param(
        _numpy("uint8"),
        id="numpy-uint8",
        marks=pytest.mark.skipif(np is None, reason="numpy not installed"),
    ),
    pytest.param(
        _numpy("uint32"),
        id="numpy-uint32",
        marks=pytest.mark.skipif(np is None, reason="numpy not installed"),
    ),
]
WRITABLE_TYPES = [
    p
    for p in BUFFER_TYPES
    if p.id not in ("bytes", "memoryview-ro", "memoryview-slice")
]


def _close(*objs: Any) -> None:
    # an mmap with a leaked buffer export refuses to close (BufferError)
    for obj in objs:
        if isinstance(obj, mmap.mmap):
            obj.close()


def _tobytes(obj: Any) -> bytes:
    with memoryview(obj) as m:
        return m.tobytes()


@pytest.mark.parametrize("make", BUFFER_TYPES)
@pytest.mark.parametrize(("fn", "key", "iv", "data", "expected"), BUFFER_CASES)
def test_buffer_types_in(aes_impl, make, fn, key, iv, data, expected):
    d, k, v = make(data), make(key), make(iv)
    assert getattr(aes_impl, fn)(d, k, v) == expected
    _close(d, k, v)


@pytest.mark.parametrize("make", WRITABLE_TYPES)
@pytest.mark.parametrize(("fn", "key", "iv", "data", "expected"), BUFFER_CASES)
def test_buffer_types_out(aes_impl, make, fn, key, iv, data, expected):
    out = make(bytes(len(data)))
    assert getattr(aes_impl, fn)(data, key, iv, out=out) is out
    assert _tobytes(out) == expected
    # in place on the same object
    buf = make(data)
    assert getattr(aes_impl, fn)(buf, key, iv, out=buf) is buf
    assert _tobytes(buf) == expected
    _close(out, buf)


@pytest.mark.parametrize("make", BUFFER_TYPES)
def test_buffer_types_ctr(aes_impl, make):
    v = CTR[0]  # SP 800-38A F.5.5, 64 bytes
    k, iv, d = make(v["key"]), make(v["initial_counter_block"]), make(v["plaintext"])
    assert aes_impl.Ctr(k, iv).update(d) == v["ciphertext"]
    _close(k, iv, d)


@pytest.mark.parametrize("make", WRITABLE_TYPES)
def test_buffer_types_ctr_out(aes_impl, make):
    v = CTR[0]
    out = make(bytes(len(v["plaintext"])))
    assert (
        aes_impl.Ctr(v["key"], v["initial_counter_block"]).update_into(
            v["plaintext"], out
        )
        == 64
    )
    assert _tobytes(out) == v["ciphertext"]
    _close(out)


@pytest.mark.skipif(np is None, reason="numpy not installed")
def test_numpy_2d_and_empty_shapes(aes_impl):
    v = CBC[0]  # SP 800-38A F.2.5, 4 blocks
    grid = np.frombuffer(v["plaintext"], dtype=np.uint8).reshape(4, 16)
    assert aes_impl.cbc_encrypt(grid, v["key"], v["iv"]) == v["ciphertext"]
    # an empty 2-D array is an empty, valid buffer
    empty = np.zeros((0, 16), dtype=np.uint8)
    assert aes_impl.cbc_encrypt(empty, v["key"], v["iv"]) == b""
    assert aes_impl.cbc_encrypt(b"", v["key"], v["iv"], out=empty) is empty
    assert aes_impl.Ctr(v["key"], v["iv"]).update(empty) == b""
