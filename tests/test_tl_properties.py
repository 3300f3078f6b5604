"""
Property tests for the TL primitives (STYLE.md point 59): read(write(v))
== v for every primitive on every implementation; the compiled writer and
reader equal the pure twin, including on truncated, bit-flipped and random
input, where only ``TLDecodeError`` may come out; and Telethon 1.45
(``TLObject.serialize_bytes``, ``BinaryReader``, its generated request
classes) as an independent oracle.
"""

from __future__ import annotations

import functools
import struct
from typing import Any, Callable

import pytest

pytest.importorskip("hypothesis")

from hypothesis import example, given
from hypothesis import strategies as st

from mtcore.exceptions import MtcoreError

INT32 = st.integers(-(2**31), 2**31 - 1)
UINT32 = st.integers(0, 2**32 - 1)
LONG = st.integers(-(2**63), 2**64 - 1)
DOUBLE = st.floats(allow_nan=True, allow_infinity=True)
# lengths around the short/long prefix switch (253/254) come up often
BLOB = st.one_of(
    st.binary(max_size=40),
    st.integers(248, 260).flatmap(lambda n: st.binary(min_size=n, max_size=n)),
    st.binary(max_size=2000),
)

# TL values: every one is at least 4 bytes, as vector counts assume
VALUE = st.one_of(
    st.tuples(st.just("int"), INT32),
    st.tuples(st.just("uint"), UINT32),
    st.tuples(st.just("flags"), UINT32),
    st.tuples(st.just("constructor"), UINT32),
    st.tuples(st.just("long"), LONG),
    st.tuples(st.just("double"), DOUBLE),
    st.tuples(st.just("int128"), st.binary(min_size=16, max_size=16)),
    st.tuples(st.just("int256"), st.binary(min_size=32, max_size=32)),
    st.tuples(st.just("bytes"), BLOB),
    st.tuples(st.just("string"), st.text(max_size=300)),
    st.tuples(st.just("bool"), st.booleans()),
    st.tuples(st.just("vector_long"), st.lists(LONG, max_size=20)),
    st.tuples(st.just("vector_int"), st.lists(INT32, max_size=20)),
)
OP = st.one_of(
    VALUE,
    st.tuples(st.just("raw"), st.binary(max_size=12)),  # any length, unaligned
    st.tuples(st.just("vector"), st.lists(VALUE, max_size=6)),
    st.tuples(st.just("bare"), st.lists(VALUE, max_size=6)),
)
OPS = st.lists(OP, max_size=12)

WRITE = {
    "int": "write_int",
    "uint": "write_uint",
    "flags": "write_flags",
    "constructor": "write_constructor",
    "long": "write_long",
    "double": "write_double",
    "int128": "write_int128",
    "int256": "write_int256",
    "bytes": "write_bytes",
    "string": "write_string",
    "bool": "write_bool",
    "raw": "write_raw",
    "vector_long": "write_vector_long",
    "vector_int": "write_vector_int",
}
READ = {
    "int": "read_int",
    "uint": "read_uint",
    "flags": "read_uint",
    "constructor": "read_constructor",
    "long": "read_long",
    "double": "read_double",
    "int128": "read_int128",
    "int256": "read_int256",
    "bytes": "read_bytes",
    "string": "read_string",
    "bool": "read_bool",
    "vector_long": "read_vector_long",
    "vector_int": "read_vector_int",
}


def canon(kind: str, v: Any) -> Any:
    """
    The value a reader gives back for what ``kind`` wrote: longs signed,
    doubles by their bits (NaN payloads included).
    """
    if kind == "long":
        return v - 2**64 if v >= 2**63 else v
    if kind == "vector_long":
        return [canon("long", x) for x in v]
    if kind == "double":
        return struct.pack("<d", v)
    if kind in ("vector", "bare"):
        return [canon(k, x) for k, x in v]
    return v


def write_op(w: Any, op: tuple[str, Any]) -> None:
    kind, v = op
    if kind in ("vector", "bare"):
        (w.write_vector_header if kind == "vector" else w.write_count)(len(v))
        for item in v:
            write_op(w, item)
    else:
        getattr(w, WRITE[kind])(v)


def read_op(r: Any, op: tuple[str, Any]) -> Any:
    kind, v = op
    if kind in ("vector", "bare"):
        n = r.read_vector_header() if kind == "vector" else r.read_count()
        if n != len(v):  # damaged input: the elements are of unknown types
            return ("count", n)
        return [read_op(r, item) for item in v]
    if kind == "raw":
        return r.read_raw(len(v))
    value = getattr(r, READ[kind])()
    return struct.pack("<d", value) if kind == "double" else value


def encode_ops(impl: Any, ops: list[Any]) -> bytes:
    w = impl.Writer()
    for op in ops:
        write_op(w, op)
    return w.getvalue()


def outcome(func: Callable[[], Any]) -> tuple[str, Any]:
    """
    ("ok", value) or (exception type name, text); floats by their bits.
    Anything but an mtcore error propagates and fails the test.
    """
    try:
        value = func()
    except MtcoreError as exc:
        return type(exc).__name__, str(exc)
    return "ok", struct.pack("<d", value) if type(value) is float else value


# --- round trips ----------------------------------------------------------


@given(ops=OPS)
@example(ops=[("bytes", bytes(253)), ("bytes", bytes(254)), ("string", "")])
@example(ops=[("long", 2**64 - 1), ("long", -(2**63)), ("int", -(2**31))])
@example(
    ops=[("vector", [("vector_int", []), ("bytes", b"")]), ("bare", [("bool", True)])]
)
def test_round_trip(tl_impl, ops):
    wire = encode_ops(tl_impl, ops)
    assert len(wire) % 4 == 0 or any(k == "raw" for k, _ in ops)
    r = tl_impl.Reader(wire)
    assert [read_op(r, op) for op in ops] == [canon(k, v) for k, v in ops]
    assert r.at_end()


@given(ops=OPS, data=st.data())
def test_split_writes_and_reads(tl_impl, ops, data):
    # Writing in two writers and concatenating equals one writer; a reader
    # seeked to the cut reads the second part.
    cut = data.draw(st.integers(0, len(ops)))
    first = encode_ops(tl_impl, ops[:cut])
    second = encode_ops(tl_impl, ops[cut:])
    whole = encode_ops(tl_impl, ops)
    assert first + second == whole
    r = tl_impl.Reader(bytearray(whole))
    r.seek(len(first))
    assert [read_op(r, op) for op in ops[cut:]] == [canon(k, v) for k, v in ops[cut:]]
    assert r.at_end()


@given(ops=OPS)
def test_writer_reuse_after_clear(tl_impl, ops):
    w = tl_impl.Writer()
    for op in ops:
        write_op(w, op)
    w.clear()
    for op in ops:
        write_op(w, op)
    assert w.getvalue() == encode_ops(tl_impl, ops)


# --- compiled == pure ------------------------------------------------------


@pytest.mark.c_extension
@given(ops=OPS)
def test_compiled_writes_equal_pure(tl_c, tl_py, ops):
    assert encode_ops(tl_c, ops) == encode_ops(tl_py, ops)


def read_all(impl: Any, wire: bytes, ops: list[Any]) -> list[Any]:
    """
    The outcome of reading each op in turn (stopping at the first error),
    with the position after it.
    """
    r = impl.Reader(wire)
    results = []
    for op in ops:
        before = r.position
        got = outcome(functools.partial(read_op, r, op))
        results.append((got, r.position))
        if got[0] != "ok":
            assert got[0] == "TLDecodeError"
            if op[0] not in ("vector", "bare"):
                assert r.position == before  # failed reads consume nothing
            break
    return results


@pytest.mark.c_extension
@given(ops=OPS.filter(bool), data=st.data())
def test_truncated_input(tl_c, tl_py, ops, data):
    wire = encode_ops(tl_py, ops)
    cut = data.draw(st.integers(0, max(0, len(wire) - 1)))
    c = read_all(tl_c, wire[:cut], ops)
    assert c == read_all(tl_py, wire[:cut], ops)
    if cut < len(wire) and wire:
        assert c[-1][0][0] == "TLDecodeError"


READ_METHODS = sorted(set(READ.values())) + [
    "read_vector_header",
    "read_count",
    "read_raw",
]


def hostile_reads(impl: Any, wire: bytes, methods: list[tuple[str, int]]) -> list[Any]:
    r = impl.Reader(wire)
    results = []
    for method, n in methods:
        args = (n,) if method == "read_raw" else ()
        got = outcome(functools.partial(getattr(r, method), *args))
        assert got[0] in ("ok", "TLDecodeError"), got
        results.append((got, r.position, r.remaining))
    return results


METHODS = st.lists(
    st.tuples(st.sampled_from(READ_METHODS), st.integers(0, 40)),
    min_size=1,
    max_size=20,
)


@pytest.mark.c_extension
@given(wire=st.binary(max_size=200), methods=METHODS)
@example(wire=b"\x15\xc4\xb5\x1c\xff\xff\xff\x7f", methods=[("read_vector_long", 0)])
@example(wire=b"\xfe\xff\xff\xff", methods=[("read_bytes", 0), ("read_string", 0)])
def test_random_bytes(tl_c, tl_py, wire, methods):
    assert hostile_reads(tl_c, wire, methods) == hostile_reads(tl_py, wire, methods)


@pytest.mark.c_extension
@given(ops=OPS.filter(bool), data=st.data())
def test_bit_flips(tl_c, tl_py, ops, data):
    wire = bytearray(encode_ops(tl_py, ops))
    if not wire:
        return
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(wire) - 1))
        wire[i] ^= 1 << data.draw(st.integers(0, 7))
    methods = data.draw(METHODS)
    assert hostile_reads(tl_c, bytes(wire), methods) == hostile_reads(
        tl_py, bytes(wire), methods
    )
    # reading back as the ops say: same outcome on both, only TLDecodeError
    assert read_all(tl_c, bytes(wire), ops) == read_all(tl_py, bytes(wire), ops)


@given(wire=st.binary(max_size=200), methods=METHODS)
def test_random_bytes_only_decode_errors(tl_impl, wire, methods):
    hostile_reads(tl_impl, wire, methods)


BAD_VALUE = st.one_of(
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False),
    st.text(max_size=3),
    st.binary(max_size=40),
    st.none(),
    st.booleans(),
    st.lists(st.integers(-(2**65), 2**65), max_size=3),
)


@pytest.mark.c_extension
@given(
    method=st.sampled_from(
        sorted(set(WRITE.values()) | {"write_count", "write_vector_header"})
    ),
    value=BAD_VALUE,
)
def test_write_outcomes_equal(tl_c, tl_py, method, value):
    wc, wp = tl_c.Writer(), tl_py.Writer()
    c = outcome(lambda: getattr(wc, method)(value))
    p = outcome(lambda: getattr(wp, method)(value))
    assert c == p
    assert wc.getvalue() == wp.getvalue()


# --- Telethon as an oracle ----------------------------------------------------


@pytest.fixture(scope="module")
def telethon() -> Any:
    return pytest.importorskip("telethon")


@given(blob=BLOB)
@example(blob=bytes(254))
@example(blob=b"")
def test_bytes_equal_telethon(tl_impl, telethon, blob):
    from telethon.extensions import BinaryReader
    from telethon.tl.tlobject import TLObject

    wire = TLObject.serialize_bytes(blob)
    w = tl_impl.Writer()
    w.write_bytes(blob)
    assert w.getvalue() == wire
    assert tl_impl.Reader(wire).read_bytes() == blob
    assert BinaryReader(w.getvalue()).tgread_bytes() == blob


@given(text=st.text(max_size=400))
def test_string_equal_telethon(tl_impl, telethon, text):
    from telethon.extensions import BinaryReader
    from telethon.tl.tlobject import TLObject

    w = tl_impl.Writer()
    w.write_string(text)
    assert w.getvalue() == TLObject.serialize_bytes(text)
    assert BinaryReader(w.getvalue()).tgread_string() == text


@given(raw=st.binary(max_size=100))
def test_invalid_utf8_like_telethon(tl_impl, telethon, raw):
    from telethon.extensions import BinaryReader
    from telethon.tl.tlobject import TLObject

    wire = TLObject.serialize_bytes(raw)
    assert tl_impl.Reader(wire).read_string() == BinaryReader(wire).tgread_string()


@given(
    i=INT32,
    u=UINT32,
    q=LONG,
    d=DOUBLE,
    b=st.booleans(),
    n128=st.binary(min_size=16, max_size=16),
    n256=st.binary(min_size=32, max_size=32),
)
def test_telethon_reads_ours(tl_impl, telethon, i, u, q, d, b, n128, n256):
    from telethon.extensions import BinaryReader

    w = tl_impl.Writer()
    w.write_int(i)
    w.write_uint(u)
    w.write_long(q)
    w.write_double(d)
    w.write_bool(b)
    w.write_int128(n128)
    w.write_int256(n256)
    r = BinaryReader(w.getvalue())
    assert r.read_int() == i
    assert r.read_int(signed=False) == u
    assert r.read_long() == canon("long", q)
    assert struct.pack("<d", r.read_double()) == struct.pack("<d", d)
    assert r.tgread_bool() is b
    assert r.read_large_int(128, signed=False) == int.from_bytes(n128, "little")
    assert r.read_large_int(256, signed=False) == int.from_bytes(n256, "little")


@given(
    api_id=INT32,
    api_hash=st.text(max_size=64),
    except_ids=st.lists(st.integers(-(2**63), 2**63 - 1), max_size=30),
)
def test_telethon_request_both_ways(tl_impl, telethon, api_id, api_hash, except_ids):
    # auth.exportLoginToken#b7e085fe api_id:int api_hash:string
    # except_ids:Vector<long>, as Telethon's generated class writes it.
    from telethon.tl.functions.auth import ExportLoginTokenRequest

    wire = bytes(ExportLoginTokenRequest(api_id, api_hash, except_ids))
    w = tl_impl.Writer()
    w.write_constructor(ExportLoginTokenRequest.CONSTRUCTOR_ID)
    w.write_int(api_id)
    w.write_string(api_hash)
    w.write_vector_long(except_ids)
    assert w.getvalue() == wire
    r = tl_impl.Reader(wire)
    assert r.read_constructor() == 0xB7E085FE
    assert (r.read_int(), r.read_string(), r.read_vector_long()) == (
        api_id,
        api_hash,
        except_ids,
    )
    assert r.at_end()


@given(
    lat=DOUBLE, long=DOUBLE, accuracy=st.one_of(st.none(), INT32), offline=st.booleans()
)
def test_telethon_doubles_flags_bools(tl_impl, telethon, lat, long, accuracy, offline):
    # inputGeoPoint#48222faf flags:# lat:double long:double
    # accuracy_radius:flags.0?int; account.updateStatus#6628562c offline:Bool
    from telethon.tl.functions.account import UpdateStatusRequest
    from telethon.tl.types import InputGeoPoint

    w = tl_impl.Writer()
    w.write_constructor(0x48222FAF)
    w.write_flags(0 if accuracy is None else 1)
    w.write_double(lat)
    w.write_double(long)
    if accuracy is not None:
        w.write_int(accuracy)
    w.write_constructor(0x6628562C)
    w.write_bool(offline)
    assert w.getvalue() == bytes(InputGeoPoint(lat, long, accuracy)) + bytes(
        UpdateStatusRequest(offline)
    )
