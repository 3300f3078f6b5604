"""
The compiled loops of the TL codec (mtcore/_tlcodec.pyx) against the pure
twin's (mtcore/_py/tlcodec.py) over the same plans: decoding random valid
encodings, and random, truncated and bit-flipped bytes, gives the same
object or the same TLDecodeError text; encoding gives the same bytes or the
same error (type and text), also for objects whose fields were replaced by
values of the wrong type; so does constructing objects.
"""

from __future__ import annotations

import random
from typing import Any, Callable

import pytest

pytest.importorskip("hypothesis")

from hypothesis import given, settings
from hypothesis import strategies as st
from test_tl_codec import ALL, SAMPLES, gen_plan, to_mtcore
from utils import TLLoops

from mtcore import _backend, _py

from mtcore.exceptions import MtcoreError
from mtcore.tl import (
    MessageContainer,
    MTMessage,
    RawVector,
    types,
)
from mtcore.tl import functions as fn

pytestmark = [
    pytest.mark.c_extension,
    pytest.mark.skipif(
        _backend.IMPLEMENTATION != "c", reason="the compiled extension is not loaded"
    ),
]

C = TLLoops("c", _backend.impl)
PY = TLLoops("python", _py)

IDS = [c.id for c in ALL]


def _outcome(f: Callable[[], Any]) -> tuple[str, Any]:
    # Only mtcore's own errors are outcomes; anything else fails the test.
    try:
        return "ok", f()
    except MtcoreError as exc:
        return type(exc).__name__, str(exc)


def _same(a: tuple[str, Any], b: tuple[str, Any]) -> None:
    assert a[0] == b[0], (a, b)
    if a[0] == "ok":
        assert type(a[1]) is type(b[1])
        assert a[1] == b[1]
        assert repr(a[1]) == repr(b[1])
    else:
        assert a[1] == b[1]


def both(f: Callable[[TLLoops], Any]) -> tuple[str, Any]:
    # f over the compiled loops and over the pure ones: the same outcome
    fast = _outcome(lambda: f(C))
    slow = _outcome(lambda: f(PY))
    _same(fast, slow)
    return fast


def check_decode(data: bytes, type: str | None = None) -> tuple[str, Any]:
    out = both(lambda L: L.decode(data, type=type))
    # hostile input: only TLDecodeError may come out
    assert out[0] in ("ok", "TLDecodeError"), out
    return out


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(ALL), st.integers(0, 2**32), st.booleans())
def test_valid_encodings_decode_alike(c: Any, seed: int, full: bool) -> None:
    obj = to_mtcore(gen_plan(random.Random(seed), c, full=full))
    data = both(lambda L: L.encode(obj))[1]
    assert data == bytes(obj)
    kind, got = check_decode(data)
    if c.id in (0x997275B5, 0xBC799737, 0x3072CFA1):  # Bool, gzip_packed
        return
    assert kind == "ok"
    assert got == obj
    assert bytes(got) == data


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(SAMPLES),
    st.lists(st.tuples(st.integers(0, 2**20), st.integers(0, 255)), max_size=4),
    st.lists(st.integers(0, 2**23), max_size=3),
    st.integers(0, 2**20),
    st.binary(max_size=16),
)
def test_damaged_encodings_decode_alike(
    data: bytes, edits: list[tuple[int, int]], flips: list[int], cut: int, tail: bytes
) -> None:
    b = bytearray(data)
    for i, x in edits:
        b[i % len(b)] = x
    for i in flips:
        i %= len(b) * 8
        b[i >> 3] ^= 1 << (i & 7)
    check_decode(bytes(b))
    check_decode(bytes(b[: cut % (len(b) + 1)]) + tail)


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(IDS), st.binary(max_size=96), st.booleans())
def test_random_bytes_decode_alike(cid: int, rest: bytes, head: bool) -> None:
    data = (cid.to_bytes(4, "little") + rest) if head else rest
    check_decode(data)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(
        [
            "Vector<long>",
            "Vector<int>",
            "Vector<User>",
            "User",
            "int",
            "string",
            "Bool",
            "messages.getHistory",
            "auth.exportLoginToken",
            "Vector<Vector<long>>",
            "bytes",
            "double",
            "int128",
        ]
    ),
    st.binary(max_size=64),
)
def test_typed_decode_alike(type: str, data: bytes) -> None:
    check_decode(data, type)


JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False),
    st.text(max_size=5),
    st.just("\ud800"),
    st.binary(max_size=40),
    st.lists(st.integers(-(2**65), 2**65), max_size=3),
    st.tuples(st.integers(-3, 3)),
    # Made afresh for each draw: a later example may damage a drawn object
    # in place, and a shared one would change what later examples draw.
    st.sampled_from(
        [
            lambda: types.userEmpty(id=1),
            lambda: types.peerUser(user_id=5),
            types.inputPeerEmpty,
            fn.help.getConfig,
            lambda: RawVector(bytes.fromhex("15c4b51c00000000")),
            lambda: MTMessage(1, 2, types.userEmpty(id=1)),
            lambda: MessageContainer([]),
            lambda: bytearray(b"\x01" * 16),
            object,
        ]
    ).map(lambda make: make()),
)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(ALL), st.integers(0, 2**32), st.data())
def test_encode_of_damaged_objects_alike(c: Any, seed: int, data: Any) -> None:
    obj = to_mtcore(gen_plan(random.Random(seed), c, full=True))
    # replace some fields (of this object or a nested one) behind the
    # validating setters' back
    for _ in range(data.draw(st.integers(1, 3))):
        target = obj
        while True:
            nested = [v for v in target._v if hasattr(v, "_v") and v._v]
            if not nested or not data.draw(st.booleans()):
                break
            target = data.draw(st.sampled_from(nested))
        if not target._v:
            break
        i = data.draw(st.integers(0, len(target._v) - 1))
        target._v[i] = data.draw(JUNK)
    both(lambda L: L.encode(obj))


def test_encode_specials_and_cycles_alike() -> None:
    msg = MTMessage(4, 1, fn.ping(ping_id=7))
    for obj in (
        MessageContainer([msg, MTMessage(8, 3, types.boolTrue())]),
        msg,
        types.gzip_packed(packed_data=b"\x1f\x8b"),
        True,
        RawVector(bytes.fromhex("15c4b51c00000000")),
        object(),
        1,
    ):
        both(lambda L, obj=obj: L.encode(obj))
    # a cycle: the compiled encoder gives up, the Python loops raise
    u = fn.invokeWithLayer(layer=1, query=fn.help.getConfig())
    u._v[1] = u
    with pytest.raises(RecursionError):
        C.encode(u)
    with pytest.raises(RecursionError):
        PY.encode(u)
    # deep but finite nesting beyond the compiled encoder's limit
    q: Any = fn.help.getConfig()
    for _ in range(250):
        q = fn.invokeWithLayer(layer=1, query=q)
    assert both(lambda L: L.encode(q))[0] == "ok"


# --- object construction: the compiled tl_init against the pure one ---------

_JUNK = [
    None, 0, -1, 2**31, 2**63, 2**64 - 1, 2**64, -(2**63) - 1, 1.5, "x", "é",
    b"\x00" * 16, b"", True, False, [], [1, 2], (3,), [None], ["a"], [2**63],
    bytearray(b"ab"), object(),
]


@pytest.mark.parametrize(
    "name",
    ["messages.sendMessage", "auth.exportLoginToken", "message", "user",
     "messageEntityTextUrl", "inputGeoPoint", "auth.authorization"],
)
def test_construction_compiled_equals_python(name):
    # Random keyword sets (right, wrong and junk values, missing and unknown
    # fields): the same object or the same error, either way.
    ns, _, leaf = name.rpartition(".")
    root = fn if name in ("messages.sendMessage", "auth.exportLoginToken") else types
    cls = getattr(getattr(root, ns) if ns else root, leaf)
    objs = [
        types.inputPeerUser(user_id=1, access_hash=2),
        types.messageEntityBold(offset=0, length=1),
        types.peerUser(user_id=3),
    ]
    rng = random.Random(f"construct-{name}")
    for _ in range(150):
        kw = {f: rng.choice(_JUNK + objs) for f in cls._desc.fields if rng.random() < 0.6}
        if rng.random() < 0.2:
            kw["bogus"] = 1
        both(lambda L: L.build(cls, **kw))
