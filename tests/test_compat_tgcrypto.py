"""
mtcore.compat.tgcrypto against the real tgcrypto (a test extra): the same
outputs and the same in-place updates of ``iv`` and ``state`` on random
inputs of every buffer kind, CTR streams cut into random chunks; then
every bad input, where the drop-in must raise (and leave its arguments
alone) and tgcrypto raises the same built-in type or misbehaves.
"""

from __future__ import annotations

import os
import random
import re

import pytest

pytest.importorskip("hypothesis")
pytest.importorskip("cryptography")  # the oracle (no wheel for 3.13t)

from compat_utils import READ_KINDS, WRITE_KINDS, as_kind, raw
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from hypothesis import assume, example, given
from hypothesis import strategies as st

from mtcore.compat import tgcrypto as compat
from mtcore.exceptions import ArgumentTypeError, ArgumentValueError, InvalidLength


@pytest.fixture(scope="module")
def tg():
    real = pytest.importorskip("tgcrypto")
    assert real is not compat, "the real tgcrypto is aliased to mtcore here"
    return real


KEY = st.binary(min_size=32, max_size=32)
IV16 = st.binary(min_size=16, max_size=16)
IV32 = st.binary(min_size=32, max_size=32)
BLOCKS = st.integers(1, 40).flatmap(
    lambda n: st.binary(min_size=16 * n, max_size=16 * n)
)
READ = st.sampled_from(READ_KINDS)
WRITE = st.sampled_from(WRITE_KINDS)
# Counter blocks near a carry: random, or a random prefix then 0xff bytes.
COUNTER = st.one_of(
    IV16,
    st.tuples(st.binary(min_size=1, max_size=15), st.integers(1, 15)).map(
        lambda t: (t[0] + b"\xff" * 16)[: 16 - t[1]] + b"\xff" * t[1]
    ),
)
# Chunk sizes of a CTR stream: mostly short, sometimes across many blocks.
CHUNK = st.one_of(st.integers(1, 40), st.integers(1, 5000))

K0 = bytes(range(32))
V0 = bytes(range(32, 64))


# --- IGE ----------------------------------------------------------------------


@given(data=BLOCKS, key=KEY, iv=IV32, kinds=st.tuples(READ, READ, READ))
@example(data=bytes(16), key=K0, iv=V0, kinds=("bytes", "bytes", "bytes"))
@example(
    data=bytes(4096 + 16), key=K0, iv=V0, kinds=("array", "bytearray", "memoryview")
)
def test_ige_matches_tgcrypto(tg, data, key, iv, kinds):
    for name in ("ige256_encrypt", "ige256_decrypt"):
        args = [as_kind(v, k) for v, k in zip((data, key, iv), kinds)]
        got = getattr(compat, name)(*args)
        assert type(got) is bytes
        assert got == getattr(tg, name)(data, key, iv)
        assert raw(args[2]) == iv  # IGE never changes its IV


# --- CBC ----------------------------------------------------------------------


@given(
    parts=st.lists(BLOCKS, min_size=1, max_size=5),
    key=KEY,
    iv=IV16,
    iv_kind=WRITE,
    data_kind=READ,
    decrypt=st.booleans(),
)
def test_cbc_chain_matches_tgcrypto(tg, parts, key, iv, iv_kind, data_kind, decrypt):
    # tgcrypto leaves the last ciphertext block in iv: the output's when
    # encrypting, the input's when decrypting; successive calls chain.
    name = "cbc256_decrypt" if decrypt else "cbc256_encrypt"
    mine, theirs = as_kind(iv, iv_kind), bytearray(iv)
    for data in parts:
        got = getattr(compat, name)(as_kind(data, data_kind), key, mine)
        want = getattr(tg, name)(data, key, theirs)
        assert type(got) is bytes
        assert got == want
        assert raw(mine) == bytes(theirs) == (data if decrypt else got)[-16:]


@pytest.mark.parametrize("decrypt", [False, True], ids=["encrypt", "decrypt"])
def test_cbc_chain_equals_one_call(tg, decrypt):
    name = "cbc256_decrypt" if decrypt else "cbc256_encrypt"
    fn = getattr(compat, name)
    key, iv, data = os.urandom(32), os.urandom(16), os.urandom(160)
    one = fn(data, key, bytearray(iv))
    chain_iv = bytearray(iv)
    chained = b"".join(fn(data[i : i + 32], key, chain_iv) for i in range(0, 160, 32))
    assert one == chained == getattr(tg, name)(data, key, bytearray(iv))


# --- CTR ----------------------------------------------------------------------


@given(
    key=KEY,
    iv=COUNTER,
    state=st.integers(0, 15),
    chunks=st.lists(st.tuples(CHUNK, READ, st.booleans()), min_size=1, max_size=8),
    kinds=st.tuples(WRITE, WRITE),
    seed=st.binary(min_size=8, max_size=8),
)
@example(
    key=K0,
    iv=b"\x00" * 15 + b"\xff",
    state=15,
    chunks=[(1, "bytes", False), (16, "bytes", True), (4097, "bytearray", False)],
    kinds=("bytearray", "bytearray"),
    seed=b"seed0000",
)
def test_ctr_stream_matches_tgcrypto(tg, key, iv, state, chunks, kinds, seed):
    total = state + sum(n for n, _, _ in chunks)
    # tgcrypto writes out of bounds when the counter wraps past ff..ff
    assume(int.from_bytes(iv, "big") + total // 16 < 1 << 128)
    rng = random.Random(seed)
    mine_iv, mine_state = as_kind(iv, kinds[0]), as_kind(bytes([state]), kinds[1])
    tg_iv, tg_state = bytearray(iv), bytearray([state])
    for n, data_kind, use_decrypt in chunks:
        data = rng.randbytes(n)
        fn = compat.ctr256_decrypt if use_decrypt else compat.ctr256_encrypt
        got = fn(as_kind(data, data_kind), key, mine_iv, mine_state)
        assert type(got) is bytes
        assert got == tg.ctr256_encrypt(data, key, tg_iv, tg_state)
        assert raw(mine_iv) == bytes(tg_iv)
        assert raw(mine_state) == bytes(tg_state)


@given(
    key=KEY,
    iv=IV16,
    data=st.binary(min_size=1, max_size=3000),
    cuts=st.lists(st.integers(1, 3000), max_size=6),
)
def test_ctr_chunks_equal_one_call(key, iv, data, cuts):
    points = sorted({0, len(data), *(c for c in cuts if c < len(data))})
    one = compat.ctr256_encrypt(data, key, bytearray(iv), bytearray(1))
    stream_iv, stream_state = bytearray(iv), bytearray(1)
    parts = [
        compat.ctr256_encrypt(data[a:b], key, stream_iv, stream_state)
        for a, b in zip(points, points[1:])
    ]
    assert b"".join(parts) == one
    ref = Cipher(algorithms.AES(key), modes.CTR(iv)).encryptor().update(data)
    assert one == ref


def test_ctr_counter_wraps_at_2_128():
    # tgcrypto writes past the end of iv here; mtcore wraps to zero as
    # OpenSSL's CTR does.
    key = os.urandom(32)
    iv, state = bytearray(b"\xff" * 16), bytearray([3])
    got = compat.ctr256_encrypt(bytes(45), key, iv, state)
    ref = Cipher(algorithms.AES(key), modes.CTR(b"\xff" * 16)).encryptor()
    assert got == ref.update(bytes(48))[3:]
    assert iv == bytes(15) + b"\x02" and state == bytearray([0])


def test_ctr_carries_across_every_byte():
    key = os.urandom(32)
    for k in range(1, 16):
        start = os.urandom(16 - k - 1) + b"\x00" + b"\xff" * k
        iv, state = bytearray(start), bytearray([9])
        compat.ctr256_encrypt(bytes(7 + 16 * 3), key, iv, state)
        assert int.from_bytes(iv, "big") == int.from_bytes(start, "big") + 4
        assert state == bytearray([0])


def test_ctr_decrypt_is_encrypt(tg):
    key, iv = os.urandom(32), os.urandom(16)
    ct = compat.ctr256_encrypt(b"attack at dawn", key, bytearray(iv), bytearray([5]))
    assert (
        compat.ctr256_decrypt(ct, key, bytearray(iv), bytearray([5]))
        == b"attack at dawn"
    )
    assert ct == tg.ctr256_decrypt(
        b"attack at dawn", key, bytearray(iv), bytearray([5])
    )


def test_pyrogram_call_shape(tg):
    # Pyrogram's transports pass bytearray slices of one nonce as key and
    # iv and keep iv/state across calls; its CDN path passes a fresh
    # bytearray iv and a fresh state for each chunk.
    nonce = bytearray(os.urandom(64))
    mine = (nonce[8:40], nonce[40:56], bytearray(1))
    theirs = (nonce[8:40], nonce[40:56], bytearray(1))
    assert compat.ctr256_encrypt(nonce, *mine) == tg.ctr256_encrypt(nonce, *theirs)
    for n in (1, 3, 64, 1, 508):
        data = os.urandom(n)
        assert compat.ctr256_encrypt(data, *mine) == tg.ctr256_encrypt(data, *theirs)
        assert mine[1:] == theirs[1:]


# --- bad input ------------------------------------------------------------------

K = bytes(32)


def _ctr(data=b"x", key=K, iv=None, state=None):
    return (
        data,
        key,
        bytearray(16) if iv is None else iv,
        bytearray(1) if state is None else state,
    )


# (function, arguments, mtcore's exception, message pattern, the built-in
# type tgcrypto raises, or None where tgcrypto misbehaves instead)
BAD = [
    ("ige256_encrypt", (b"", K, bytes(32)), InvalidLength, "data must not be empty", ValueError),
    ("ige256_decrypt", (b"", K, bytes(32)), InvalidLength, "data must not be empty", ValueError),
    ("ige256_encrypt", (bytes(15), K, bytes(32)), InvalidLength, "multiple of 16, got 15", ValueError),
    ("ige256_decrypt", (bytes(17), K, bytes(32)), InvalidLength, "multiple of 16, got 17", ValueError),
    ("ige256_encrypt", (bytes(16), bytes(31), bytes(32)), InvalidLength, "key must be 32 bytes, got 31", ValueError),
    ("ige256_encrypt", (bytes(16), K, bytes(16)), InvalidLength, "iv must be 32 bytes, got 16", ValueError),
    ("ige256_encrypt", ("x" * 16, K, bytes(32)), ArgumentTypeError, "data must be a bytes-like object, not 'str'", TypeError),
    ("ige256_encrypt", (bytes(16), None, bytes(32)), ArgumentTypeError, "key must be a bytes-like", TypeError),
    ("ige256_encrypt", (memoryview(bytes(32))[::2], K, bytes(32)), ArgumentValueError, "C-contiguous", BufferError),
    ("cbc256_encrypt", (b"", K, bytearray(16)), InvalidLength, "data must not be empty", ValueError),
    ("cbc256_decrypt", (b"", K, bytearray(16)), InvalidLength, "data must not be empty", ValueError),
    ("cbc256_encrypt", (bytes(20), K, bytearray(16)), InvalidLength, "multiple of 16, got 20", ValueError),
    ("cbc256_decrypt", (bytes(16), bytes(16), bytearray(16)), InvalidLength, "key must be 32 bytes, got 16", ValueError),
    ("cbc256_encrypt", (bytes(16), K, bytearray(15)), InvalidLength, "iv must be 16 bytes, got 15", ValueError),
    ("cbc256_encrypt", (bytes(16), K, bytes(16)), ArgumentTypeError, "iv must be a writable buffer.*'bytes'", None),
    ("cbc256_decrypt", (bytes(16), K, bytes(16)), ArgumentTypeError, "iv must be a writable buffer.*'bytes'", None),
    ("cbc256_encrypt", (bytes(16), K, memoryview(bytearray(16)).toreadonly()), ArgumentTypeError, "read-only 'memoryview'", None),
    ("cbc256_encrypt", (bytes(16), K, 16), ArgumentTypeError, "iv must be a bytes-like object, not 'int'", TypeError),
    ("ctr256_encrypt", _ctr(data=b""), InvalidLength, "data must not be empty", ValueError),
    ("ctr256_encrypt", _ctr(key=bytes(16)), InvalidLength, "key must be 32 bytes, got 16", ValueError),
    ("ctr256_encrypt", _ctr(iv=bytearray(15)), InvalidLength, "iv must be 16 bytes, got 15", ValueError),
    ("ctr256_encrypt", _ctr(iv=bytearray(32)), InvalidLength, "iv must be 16 bytes, got 32", ValueError),
    ("ctr256_encrypt", _ctr(state=bytearray(0)), InvalidLength, "state must be 1 byte.*got 0", ValueError),
    ("ctr256_encrypt", _ctr(state=bytearray(2)), InvalidLength, "state must be 1 byte.*got 2", ValueError),
    ("ctr256_encrypt", _ctr(state=bytearray([16])), ArgumentValueError, "state must be in 0..15, got 16", ValueError),
    ("ctr256_decrypt", _ctr(state=bytearray([255])), ArgumentValueError, "state must be in 0..15, got 255", ValueError),
    ("ctr256_encrypt", _ctr(iv=bytes(16)), ArgumentTypeError, "iv must be a writable buffer.*'bytes'", None),
    ("ctr256_encrypt", _ctr(state=bytes(1)), ArgumentTypeError, "state must be a writable buffer.*'bytes'", None),
    ("ctr256_decrypt", _ctr(iv=bytes(16), state=bytes(1)), ArgumentTypeError, "iv must be a writable", None),
    ("ctr256_encrypt", _ctr(state=memoryview(bytearray(1)).toreadonly()), ArgumentTypeError, "read-only 'memoryview'", None),
    ("ctr256_encrypt", _ctr(state=0), ArgumentTypeError, "state must be a bytes-like object, not 'int'", TypeError),
    ("ctr256_encrypt", _ctr(data="x"), ArgumentTypeError, "data must be a bytes-like object, not 'str'", TypeError),
    ("ctr256_encrypt", _ctr(iv=memoryview(bytearray(32))[::2]), ArgumentValueError, "iv must be a C-contiguous", BufferError),
]  # fmt: skip


def _fresh(args):
    # Copies of the mutable arguments (each side gets its own).
    return tuple(bytearray(a) if isinstance(a, bytearray) else a for a in args)


def _bad_id(case):
    name, _args, exc, pattern, _ = case
    return f"{name}-{exc.__name__}-{re.sub(r'[^a-z0-9]+', '_', pattern.lower())[:30]}"


@pytest.mark.parametrize("case", BAD, ids=[_bad_id(c) for c in BAD])
def test_bad_input(tg, case):
    name, args, exc, pattern, builtin = case
    mine = _fresh(args)
    before = [raw(a) if _is_buffer(a) else a for a in mine]
    with pytest.raises(exc, match=pattern) as info:
        getattr(compat, name)(*mine)
    assert type(info.value) is exc
    # nothing was written
    assert [raw(a) if _is_buffer(a) else a for a in mine] == before
    if builtin is not None:
        assert issubclass(exc, builtin) or builtin is BufferError
        with pytest.raises(builtin):
            getattr(tg, name)(*_fresh(args))


def _is_buffer(obj):
    try:
        memoryview(obj).release()
    except TypeError:
        return False
    return True


@pytest.mark.parametrize(
    "call",
    [
        lambda f: f.ige256_encrypt(bytes(16), K),
        lambda f: f.ige256_encrypt(bytes(16), K, bytes(32), bytes(1)),
        lambda f: f.cbc256_decrypt(bytes(16), K),
        lambda f: f.ctr256_encrypt(b"x", K, bytearray(16)),
        lambda f: f.ige256_encrypt(data=bytes(16), key=K, iv=bytes(32)),
        lambda f: f.ctr256_encrypt(b"x", K, bytearray(16), state=bytearray(1)),
    ],
    ids=[
        "ige-2-args",
        "ige-4-args",
        "cbc-2-args",
        "ctr-3-args",
        "ige-keywords",
        "ctr-keyword",
    ],
)
def test_signature_errors_are_type_errors(tg, call):
    # positional only, as tgcrypto's METH_VARARGS functions
    with pytest.raises(TypeError):
        call(compat)
    with pytest.raises(TypeError):
        call(tg)


@pytest.mark.parametrize(
    "name, args, arg, exc",
    [
        ("ctr256_encrypt", (b"", K, bytearray(16), bytearray(1)), 2, ValueError),
        (
            "ctr256_encrypt",
            (b"x", bytes(31), bytearray(16), bytearray(1)),
            3,
            ValueError,
        ),
        ("ctr256_encrypt", (b"x", K, bytearray(16), bytearray([20])), 3, ValueError),
        ("ctr256_encrypt", (b"x", K, bytearray(16), bytearray(2)), 2, ValueError),
        ("ctr256_encrypt", ("x", K, bytearray(16), bytearray(1)), 2, TypeError),
        ("ctr256_encrypt", (b"x", K, bytearray(16), bytes(1)), 2, TypeError),
        ("cbc256_encrypt", (b"", K, bytearray(16)), 2, ValueError),
        ("cbc256_decrypt", (bytes(17), K, bytearray(16)), 2, ValueError),
        ("cbc256_decrypt", ("x", K, bytearray(16)), 2, TypeError),
    ],
)
@pytest.mark.parametrize("wrap", ["bytearray", "memoryview"])
def test_no_buffer_stays_exported_after_an_error(name, args, arg, exc, wrap):
    # The argument that may be updated is resized while the exception (and
    # with it the traceback's frames) is still alive: that fails with
    # BufferError if any view of it was not released.
    args = list(_fresh(args))
    target = args[arg]
    if wrap == "memoryview":
        args[arg] = memoryview(target)
    with pytest.raises(exc) as info:
        getattr(compat, name)(*args)
    assert info.value.__traceback__ is not None
    if wrap == "memoryview":
        args[arg].release()
    target.extend(b"\0")  # raises BufferError while a view is exported
    target.pop()


def test_bytes_iv_is_never_written():
    iv, state = bytes(bytearray(16)), bytes(bytearray(1))
    with pytest.raises(TypeError):
        compat.ctr256_encrypt(b"x" * 40, K, iv, state)
    with pytest.raises(TypeError):
        compat.cbc256_encrypt(bytes(32), K, iv)
    assert iv == bytes(16) and state == bytes(1)


@pytest.mark.parametrize("kind", WRITE_KINDS)
def test_writable_kinds_are_updated(tg, kind):
    key, iv = os.urandom(32), os.urandom(16)
    mine_iv, mine_state = as_kind(iv, kind), as_kind(b"\x07", kind)
    tg_iv, tg_state = bytearray(iv), bytearray(b"\x07")
    assert compat.ctr256_encrypt(
        bytes(50), key, mine_iv, mine_state
    ) == tg.ctr256_encrypt(bytes(50), key, tg_iv, tg_state)
    assert raw(mine_iv) == tg_iv and raw(mine_state) == tg_state


def test_multi_byte_items_are_flattened(tg):
    # An array of 4-byte items or a 2-D view is read and written as bytes,
    # as tgcrypto's buffer arguments are.
    import array

    key, iv = os.urandom(32), os.urandom(16)
    mine_iv = array.array("I", iv)
    shaped = memoryview(bytearray(1)).cast("B", (1, 1))
    tg_iv, tg_state = bytearray(iv), bytearray(1)
    got = compat.ctr256_encrypt(bytes(20), key, mine_iv, shaped)
    assert got == tg.ctr256_encrypt(bytes(20), key, tg_iv, tg_state)
    assert mine_iv.tobytes() == tg_iv and shaped.tobytes() == tg_state


@pytest.mark.parametrize(
    "name",
    ["ige256_encrypt", "ige256_decrypt", "ctr256_encrypt", "ctr256_decrypt",
     "cbc256_encrypt", "cbc256_decrypt"],
)
def test_names_read_as_tgcryptos(name):
    # __name__ and argument-count errors name tgcrypto's function, never an
    # mtcore internal (such as the old "_ctr256_state").
    func = getattr(compat, name)
    assert func.__name__ == name
    with pytest.raises(TypeError, match=f"^{name}\\(\\)"):
        func(b"x")


@pytest.mark.parametrize(("arg", "fix"), [("iv", "bytearray(iv)"), ("state", "bytearray(1)")])
def test_readonly_state_says_the_fix(arg, fix):
    # tgcrypto's README passes bytes(1) and bytes IVs: the error says why
    # that is refused and what to pass, in one line.
    args = {"iv": bytearray(16), "state": bytearray(1), arg: bytes(16 if arg == "iv" else 1)}
    with pytest.raises(ArgumentTypeError) as info:
        compat.ctr256_encrypt(b"x", bytes(32), args["iv"], args["state"])
    text = str(info.value)
    assert "\n" not in text
    assert text.startswith(f"{arg} must be a writable buffer, not a read-only 'bytes'")
    assert fix in text
