"""
The TL primitives (``mtcore.tl.Writer``/``Reader``, MTPROTO.md 6.1-6.3) on
every implementation: the vectors of ``tl_serialization.json`` both ways,
range limits, accepted input types, bounds-checked reads, hostile counts,
and the exact type and text of every error (the same on both backends,
STYLE.md point 60).
"""

from __future__ import annotations

import array
import math
import struct
import tracemalloc
from typing import Any, Callable

import pytest
from utils import load_vectors

from mtcore.exceptions import (
    ArgumentTypeError,
    ArgumentValueError,
    InvalidLength,
    MtcoreError,
    TLDecodeError,
)

VECTORS = "tl_serialization.json"
VECTOR_ID = bytes.fromhex("15c4b51c")
TRUE_ID = bytes.fromhex("b5757299")
FALSE_ID = bytes.fromhex("379779bc")

I32_MIN, I32_MAX = -(2**31), 2**31 - 1
I64_MIN, U64_MAX = -(2**63), 2**64 - 1


def vectors(prefix: str) -> list[Any]:
    found = load_vectors(VECTORS, lambda v: v["name"].startswith(prefix))
    return [pytest.param(v, id=v["name"]) for v in found]


def encode(impl: Any, method: str, *args: Any) -> bytes:
    w = impl.Writer()
    getattr(w, method)(*args)
    assert len(w) == len(w.getvalue())
    return w.getvalue()


def decode(impl: Any, data: bytes, method: str, *args: Any) -> Any:
    r = impl.Reader(data)
    value = getattr(r, method)(*args)
    assert r.at_end() and r.remaining == 0 and r.position == len(data)
    return value


# --- vectors -------------------------------------------------------------


@pytest.mark.parametrize("v", vectors("int_"))
def test_int_vectors(tl_impl, v):
    wire = bytes.fromhex(v["serialized"])
    assert encode(tl_impl, "write_int", v["value"]) == wire
    assert decode(tl_impl, wire, "read_int") == v["value"]


@pytest.mark.parametrize("v", vectors("long_"))
def test_long_vectors(tl_impl, v):
    wire = bytes.fromhex(v["serialized"])
    assert encode(tl_impl, "write_long", v["value"]) == wire
    assert decode(tl_impl, wire, "read_long") == v["value"]
    # the unsigned spelling of a negative long gives the same bytes
    if v["value"] < 0:
        assert encode(tl_impl, "write_long", v["value"] + 2**64) == wire


@pytest.mark.parametrize("v", vectors("constructor_id_as_uint32"))
def test_constructor_vector(tl_impl, v):
    wire = bytes.fromhex(v["serialized"])
    cid = int(v["value"].split()[0], 16)
    assert encode(tl_impl, "write_constructor", cid) == wire
    assert encode(tl_impl, "write_uint", cid) == wire
    assert encode(tl_impl, "write_int", int(v["signed_value"])) == wire
    assert decode(tl_impl, wire, "read_constructor") == cid
    assert decode(tl_impl, wire, "read_uint") == cid
    assert decode(tl_impl, wire, "read_int") == int(v["signed_value"])


@pytest.mark.parametrize("v", vectors("double_"))
def test_double_vectors(tl_impl, v):
    wire = bytes.fromhex(v["serialized"])
    assert encode(tl_impl, "write_double", v["value"]) == wire
    assert decode(tl_impl, wire, "read_double") == v["value"]


@pytest.mark.parametrize("v", vectors("int128_"))
def test_int128_vector(tl_impl, v):
    wire = bytes.fromhex(v["serialized"])
    assert int.from_bytes(wire, "little") == int(v["as_little_endian_integer"])
    assert encode(tl_impl, "write_int128", wire) == wire
    assert decode(tl_impl, wire, "read_int128") == wire


@pytest.mark.parametrize("v", vectors("bytes_len_"))
def test_bytes_vectors(tl_impl, v):
    wire = bytes.fromhex(v["serialized"])
    payload = bytes.fromhex(v["payload"])
    assert payload == bytes((7 * i + 1) % 256 for i in range(len(payload)))
    assert len(wire) == v["total_length"]
    for data in (payload, bytearray(payload), memoryview(payload)):
        assert encode(tl_impl, "write_bytes", data) == wire
    assert decode(tl_impl, wire, "read_bytes") == payload


@pytest.mark.parametrize("v", vectors("string_"))
def test_string_vector(tl_impl, v):
    wire = bytes.fromhex(v["serialized"])
    assert v["value"].encode() == bytes.fromhex(v["utf8"])
    assert encode(tl_impl, "write_string", v["value"]) == wire
    assert decode(tl_impl, wire, "read_string") == v["value"]
    assert decode(tl_impl, wire, "read_bytes") == bytes.fromhex(v["utf8"])


@pytest.mark.parametrize("v", vectors("bool_"))
def test_bool_vectors(tl_impl, v):
    wire = bytes.fromhex(v["serialized"])
    assert encode(tl_impl, "write_bool", v["value"]) is not None
    assert encode(tl_impl, "write_bool", v["value"]) == wire
    assert decode(tl_impl, wire, "read_bool") is v["value"]


@pytest.mark.parametrize("v", vectors("vector_long") + vectors("vector_empty"))
def test_vector_long_vectors(tl_impl, v):
    wire = bytes.fromhex(v["serialized"])
    for seq in (v["value"], tuple(v["value"])):
        assert encode(tl_impl, "write_vector_long", seq) == wire
    w = tl_impl.Writer()
    w.write_vector_header(len(v["value"]))
    for x in v["value"]:
        w.write_long(x)
    assert w.getvalue() == wire
    assert decode(tl_impl, wire, "read_vector_long") == v["value"]
    r = tl_impl.Reader(wire)
    assert [r.read_long() for _ in range(r.read_vector_header())] == v["value"]
    assert r.at_end()


@pytest.mark.parametrize("v", vectors("vector_string"))
def test_vector_string_vector(tl_impl, v):
    wire = bytes.fromhex(v["serialized"])
    w = tl_impl.Writer()
    w.write_vector_header(len(v["value"]))
    for s in v["value"]:
        w.write_string(s)
    assert w.getvalue() == wire
    r = tl_impl.Reader(wire)
    assert [r.read_string() for _ in range(r.read_vector_header())] == v["value"]
    assert r.at_end()


@pytest.mark.parametrize("v", vectors("bare_vector_long"))
def test_bare_vector_vector(tl_impl, v):
    wire = bytes.fromhex(v["serialized"])
    w = tl_impl.Writer()
    w.write_count(len(v["value"]))
    for x in v["value"]:
        w.write_long(x)
    assert w.getvalue() == wire
    r = tl_impl.Reader(wire)
    assert [r.read_long() for _ in range(r.read_count())] == v["value"]
    assert r.at_end()


@pytest.mark.parametrize("v", vectors("auth.exportLoginToken"))
def test_primitives_compose_export_login_token(tl_impl, v):
    # auth.exportLoginToken#b7e085fe api_id:int api_hash:string
    # except_ids:Vector<long>, written and read field by field.
    wire = bytes.fromhex(v["serialized"])
    f = v["value"]
    w = tl_impl.Writer()
    w.write_constructor(0xB7E085FE)
    w.write_int(f["api_id"])
    w.write_string(f["api_hash"])
    w.write_vector_long(f["except_ids"])
    assert w.getvalue() == wire
    r = tl_impl.Reader(wire)
    assert r.read_constructor() == 0xB7E085FE
    assert (r.read_int(), r.read_string(), r.read_vector_long()) == (
        f["api_id"],
        f["api_hash"],
        f["except_ids"],
    )
    assert r.at_end()


def test_every_primitive_vector_is_used():
    names = {v["name"] for v in load_vectors(VECTORS)}
    primitive = {
        n
        for n in names
        if n.split("_")[0]
        in ("int", "long", "double", "int128", "bytes", "string", "bool")
        or n.startswith(("vector_", "bare_vector_", "constructor_id"))
    }
    assert len(primitive) == 37
    assert {
        f"bytes_len_{n}" for n in (0, 1, 2, 3, 4, 5, 253, 254, 255, 256, 1000)
    } <= names


# --- writer: limits and types ----------------------------------------------

RANGES = [
    ("write_int", "int", I32_MIN, I32_MAX),
    ("write_uint", "uint", 0, 2**32 - 1),
    ("write_flags", "flags", 0, 2**32 - 1),
    ("write_constructor", "constructor", 0, 2**32 - 1),
    ("write_long", "long", I64_MIN, U64_MAX),
    ("write_count", "count", 0, I32_MAX),
    ("write_vector_header", "count", 0, I32_MAX),
]


@pytest.mark.parametrize("method, name, lo, hi", RANGES, ids=[r[0] for r in RANGES])
def test_int_ranges(tl_impl, method, name, lo, hi):
    w = tl_impl.Writer()
    write = getattr(w, method)
    write(lo)
    write(hi)
    good = w.getvalue()
    for bad in (lo - 1, hi + 1, lo - 2**70, hi + 2**70):
        with pytest.raises(ArgumentValueError) as exc:
            write(bad)
        assert type(exc.value) is ArgumentValueError
        assert str(exc.value) == f"{name} must be in {lo}..{hi}, got {bad}"
    for bad in (1.0, "1", b"\x01", None, 2**70 * 1.0):
        with pytest.raises(ArgumentTypeError) as exc:
            write(bad)
        assert str(exc.value) == f"{name} must be an int, not {type(bad).__name__!r}"
    assert w.getvalue() == good  # failed writes wrote nothing


def test_huge_int_error_text(tl_impl):
    # str() of an int over 4300 digits raises; the message must not.
    with pytest.raises(ArgumentValueError) as exc:
        tl_impl.Writer().write_long(10**5000)
    assert str(exc.value) == (
        "long must be in -9223372036854775808..18446744073709551615, "
        "got a 16610-bit int"
    )


def test_int_subclasses_are_ints(tl_impl):
    import enum

    class Code(enum.IntEnum):
        A = 7

    w = tl_impl.Writer()
    w.write_int(True)
    w.write_long(Code.A)
    w.write_uint(False)
    assert w.getvalue() == struct.pack("<iqI", 1, 7, 0)


def test_long_signed_and_unsigned(tl_impl):
    for v in (2**63, 2**64 - 1, 2**63 + 12345):
        wire = encode(tl_impl, "write_long", v)
        assert wire == struct.pack("<Q", v)
        assert decode(tl_impl, wire, "read_long") == v - 2**64


def test_double_values(tl_impl):
    for v in (0.0, -0.0, 1e308, -1e-308, 5e-324, math.inf, -math.inf, 2**53 + 1, True):
        wire = encode(tl_impl, "write_double", v)
        assert wire == struct.pack("<d", v)
        got = decode(tl_impl, wire, "read_double")
        assert struct.pack("<d", got) == wire
    nan = struct.pack("<Q", 0x7FF8_0000_DEAD_BEEF)
    assert struct.pack("<d", decode(tl_impl, nan, "read_double")) == nan


def test_double_errors(tl_impl):
    w = tl_impl.Writer()
    for bad in ("1.0", None, b"", 1j):
        with pytest.raises(ArgumentTypeError) as exc:
            w.write_double(bad)
        assert str(exc.value) == (
            f"double must be a float or an int, not {type(bad).__name__!r}"
        )
    with pytest.raises(ArgumentValueError) as exc:
        w.write_double(10**400)
    assert str(exc.value) == "double must fit a float, got an int of 1329 bits"
    assert len(w) == 0


def test_bool_accepts_only_bools(tl_impl):
    w = tl_impl.Writer()
    w.write_bool(True)
    w.write_bool(False)
    assert w.getvalue() == TRUE_ID + FALSE_ID
    for bad in (1, 0, None, "True"):
        with pytest.raises(ArgumentTypeError) as exc:
            w.write_bool(bad)
        assert str(exc.value) == f"Bool must be a bool, not {type(bad).__name__!r}"


@pytest.mark.parametrize("method, size", [("write_int128", 16), ("write_int256", 32)])
def test_int128_int256(tl_impl, method, size):
    name = method[len("write_") :]
    data = bytes(range(size))
    for form in (data, bytearray(data), memoryview(data), array.array("I", data)):
        assert encode(tl_impl, method, form) == data
    for n in (0, size - 1, size + 1):
        with pytest.raises(InvalidLength) as exc:
            encode(tl_impl, method, bytes(n))
        assert str(exc.value) == f"{name} must be {size} bytes, got {n}"
    with pytest.raises(ArgumentTypeError) as exc:
        encode(tl_impl, method, 2**100)
    assert str(exc.value) == f"{name} must be a bytes-like object, not 'int'"
    with pytest.raises(ArgumentValueError) as exc:
        encode(tl_impl, method, memoryview(bytes(2 * size))[::2])
    assert str(exc.value) == f"{name} must be a C-contiguous buffer"
    r = tl_impl.Reader(data + b"tail")
    assert getattr(r, method.replace("write", "read"))() == data
    assert r.read_raw(4) == b"tail"


def test_bytes_input_forms(tl_impl):
    data = bytes(range(10))
    wire = encode(tl_impl, "write_bytes", data)
    assert wire == b"\x0a" + data + b"\0"
    assert encode(tl_impl, "write_bytes", array.array("H", data)) == wire
    assert encode(tl_impl, "write_bytes", memoryview(data).cast("B", (2, 5))) == wire
    with pytest.raises(ArgumentTypeError) as exc:
        encode(tl_impl, "write_bytes", "text")
    assert str(exc.value) == "bytes must be a bytes-like object, not 'str'"
    with pytest.raises(ArgumentValueError) as exc:
        encode(tl_impl, "write_bytes", memoryview(data)[::2])
    assert str(exc.value) == "bytes must be a C-contiguous buffer"


def test_bytes_length_limit(tl_impl):
    # TL lengths are 3 bytes: 2**24 - 1 is the largest.
    big = bytes(2**24 - 1)
    wire = encode(tl_impl, "write_bytes", big)
    assert wire[:4] == b"\xfe\xff\xff\xff" and len(wire) == 2**24 + 4
    assert decode(tl_impl, wire, "read_bytes") == big
    w = tl_impl.Writer()
    w.write_int(1)
    with pytest.raises(InvalidLength) as exc:
        w.write_bytes(bytearray(2**24))
    assert str(exc.value) == (
        "bytes must be shorter than 16777216 bytes (2**24) in TL, got 16777216"
    )
    with pytest.raises(InvalidLength) as exc:
        w.write_string("\u00e9" * 2**23)
    assert str(exc.value) == (
        "string must be shorter than 16777216 bytes (2**24) in TL, got 16777216"
    )
    assert w.getvalue() == b"\x01\0\0\0"


def test_string_errors(tl_impl):
    w = tl_impl.Writer()
    with pytest.raises(ArgumentTypeError) as exc:
        w.write_string(b"bytes")
    assert str(exc.value) == "string must be a str, not 'bytes'"
    with pytest.raises(ArgumentValueError) as exc:
        w.write_string("ok \ud800 bad")
    assert str(exc.value) == (
        "string cannot be encoded as UTF-8: lone surrogate at index 3"
    )
    assert len(w) == 0


@pytest.mark.parametrize(
    "text",
    ["", "a", "abc", "abcd", "x" * 253, "x" * 254, "\u044f" * 200, "\U0001f600" * 70],
)
def test_string_forms(tl_impl, text):
    wire = encode(tl_impl, "write_string", text)
    assert wire == encode(tl_impl, "write_bytes", text.encode())
    assert decode(tl_impl, wire, "read_string") == text


def test_raw(tl_impl):
    w = tl_impl.Writer()
    w.write_raw(b"abc")
    w.write_raw(bytearray(b"de"))
    w.write_raw(memoryview(b"xfx")[1:2])
    w.write_raw(b"")
    assert w.getvalue() == b"abcdef"
    with pytest.raises(ArgumentTypeError) as exc:
        w.write_raw([1, 2])
    assert str(exc.value) == "data must be a bytes-like object, not 'list'"


@pytest.mark.parametrize(
    "method, name, lo, hi, fmt",
    [
        ("write_vector_long", "long", I64_MIN, U64_MAX, "<Q"),
        ("write_vector_int", "int", I32_MIN, I32_MAX, "<i"),
    ],
)
def test_vector_helpers(tl_impl, method, name, lo, hi, fmt):
    w = tl_impl.Writer()
    write = getattr(w, method)
    write([lo, hi, 0, True])
    values = [lo if fmt != "<Q" else lo + 2**64, hi, 0, 1]
    expected = (
        VECTOR_ID + struct.pack("<i", 4) + b"".join(struct.pack(fmt, x) for x in values)
    )
    assert w.getvalue() == expected
    write(())
    expected += VECTOR_ID + bytes(4)
    assert w.getvalue() == expected
    # a bad element anywhere: nothing of that vector stays written
    for seq, text in [
        ([1, 2, hi + 1], f"{name}[2] must be in {lo}..{hi}, got {hi + 1}"),
        ((lo - 1,), f"{name}[0] must be in {lo}..{hi}, got {lo - 1}"),
        ([1] * 100 + ["x"], f"{name}[100] must be an int, not 'str'"),
        ([0.5], f"{name}[0] must be an int, not 'float'"),
    ]:
        with pytest.raises(MtcoreError) as exc:
            write(seq)
        assert str(exc.value) == text
        assert w.getvalue() == expected
    for bad in ({1, 2}, iter([1]), b"\x01", 5, None):
        with pytest.raises(ArgumentTypeError) as exc:
            write(bad)
        assert str(exc.value) == (
            f"vector must be a list or tuple, not {type(bad).__name__!r}"
        )
    assert w.getvalue() == expected


def test_vector_helpers_read_back(tl_impl):
    longs = list(range(-5, 300, 7)) + [I64_MIN, 2**63 - 1]
    ints = [I32_MIN, -1, 0, 1, I32_MAX] * 30
    w = tl_impl.Writer()
    w.write_vector_long(longs)
    w.write_vector_int(ints)
    r = tl_impl.Reader(w.getvalue())
    assert r.read_vector_long() == longs
    assert r.read_vector_int() == ints
    assert r.at_end()


# --- writer: buffer behaviour ---------------------------------------------


def test_growth_clear_and_reuse(tl_impl):
    w = tl_impl.Writer()
    assert len(w) == 0 and w.getvalue() == b""
    expected = bytearray()
    for i in range(3000):  # crosses the inline buffer and many growths
        w.write_int(i)
        expected += struct.pack("<i", i)
        if i % 97 == 0:
            w.write_bytes(bytes(i % 300))
            expected += encode(tl_impl, "write_bytes", bytes(i % 300))
    assert w.getvalue() == bytes(expected) and len(w) == len(expected)
    w.clear()
    assert len(w) == 0 and w.getvalue() == b""
    w.write_long(-2)
    assert w.getvalue() == b"\xfe" + b"\xff" * 7
    assert type(w.getvalue()) is bytes


def test_inline_boundary(tl_impl):
    # 64 bytes fit inline; the 65th moves everything to the heap intact.
    for first in (60, 63, 64):
        w = tl_impl.Writer()
        w.write_raw(bytes(range(first)))
        w.write_long(0x0102030405060708)
        assert w.getvalue() == bytes(range(first)) + bytes(range(8, 0, -1))


def test_getvalue_is_a_snapshot(tl_impl):
    w = tl_impl.Writer()
    w.write_int(1)
    snap = w.getvalue()
    w.write_int(2)
    w.clear()
    assert snap == b"\x01\0\0\0"


# --- reader --------------------------------------------------------------


def test_reader_copies_mutable_input(tl_impl):
    data = bytearray(struct.pack("<iq", 7, -8))
    r = tl_impl.Reader(data)
    data[:] = b"\xff" * 100  # resize and overwrite the caller's buffer
    data.clear()
    assert r.read_int() == 7 and r.read_long() == -8 and r.at_end()
    mv = memoryview(bytearray(b"\x05\0\0\0"))
    r = tl_impl.Reader(mv)
    mv[0] = 9
    assert r.read_int() == 5


def test_reader_input_types(tl_impl):
    payload = struct.pack("<ii", 1, -1)
    for data in (
        payload,
        bytearray(payload),
        memoryview(payload),
        array.array("i", [1, -1]),
    ):
        r = tl_impl.Reader(data)
        assert (r.read_int(), r.read_int()) == (1, -1)
    for bad in ("text", 5, None, [1]):
        with pytest.raises(ArgumentTypeError) as exc:
            tl_impl.Reader(bad)
        assert (
            str(exc.value)
            == f"data must be a bytes-like object, not {type(bad).__name__!r}"
        )
    with pytest.raises(ArgumentValueError) as exc:
        tl_impl.Reader(memoryview(payload)[::2])
    assert str(exc.value) == "data must be a C-contiguous buffer"


def test_position_seek_remaining(tl_impl):
    r = tl_impl.Reader(bytes(range(12)))
    assert (r.position, r.remaining, r.at_end()) == (0, 12, False)
    r.read_int()
    assert (r.position, r.remaining) == (4, 8)
    r.seek(12)
    assert r.at_end() and r.remaining == 0
    r.seek(2)
    assert r.read_raw(3) == b"\x02\x03\x04" and r.position == 5
    r.seek(0)
    assert r.read_raw(0) == b"" and r.position == 0
    for bad in (-1, 13, 2**80):
        with pytest.raises(ArgumentValueError) as exc:
            r.seek(bad)
        assert str(exc.value) == f"pos must be in 0..12, got {bad}"
    with pytest.raises(ArgumentTypeError) as exc:
        r.seek(1.0)
    assert str(exc.value) == "pos must be an int, not 'float'"
    with pytest.raises(ArgumentValueError) as exc:
        r.read_raw(-1)
    assert str(exc.value) == "n must be >= 0, got -1"
    with pytest.raises(ArgumentTypeError) as exc:
        r.read_raw("1")
    assert str(exc.value) == "n must be an int, not 'str'"
    assert r.position == 0


def test_read_sub(tl_impl):
    # The sub-reader reads the parent's bytes in place; its offsets, and
    # those its errors name, count from its own start.
    wire = (
        b"\x00" * 4
        + struct.pack("<iq", -5, 2**40)
        + b"\x03abc"
        + VECTOR_ID
        + struct.pack("<iq", 1, 9)
        + b"\xff" * 8
    )
    r = tl_impl.Reader(wire)
    r.seek(4)
    sub = r.read_sub(len(wire) - 12)
    assert type(sub) is tl_impl.Reader
    assert r.position == len(wire) - 8 and r.remaining == 8
    assert (sub.position, sub.remaining, sub.at_end()) == (0, len(wire) - 12, False)
    assert sub.read_int() == -5 and sub.read_long() == 2**40
    assert sub.read_bytes() == b"abc" and sub.position == 16
    assert sub.read_vector_long() == [9] and sub.at_end()
    sub.seek(0)
    assert sub.read_raw(4) == struct.pack("<i", -5)
    inner = sub.read_sub(8)  # a reader of a reader
    assert inner.read_long() == 2**40 and inner.at_end()
    with pytest.raises(TLDecodeError) as exc:
        inner.read_int()
    assert str(exc.value) == "read_int needs 4 bytes, 0 left at offset 8"
    sub.seek(12)
    with pytest.raises(TLDecodeError) as exc:
        sub.read_vector_int()  # the string "abc" is no vector
    assert str(exc.value) == (
        "read_vector_int: constructor 0x63626103 at offset 12 is not vector "
        "(0x1cb5c415)"
    )
    assert sub.position == 12
    with pytest.raises(ArgumentValueError) as exc:
        sub.seek(len(wire) - 11)
    assert str(exc.value) == f"pos must be in 0..{len(wire) - 12}, got {len(wire) - 11}"
    # the parent's bytes after the sub-reader's end are not its
    sub.seek(len(wire) - 16)
    with pytest.raises(TLDecodeError) as exc:
        sub.read_long()
    assert (
        str(exc.value) == f"read_long needs 8 bytes, 4 left at offset {len(wire) - 16}"
    )
    assert r.read_raw(8) == b"\xff" * 8 and r.at_end()
    assert r.read_sub(0).at_end()


@pytest.mark.parametrize("method", ["read_raw", "read_sub"])
def test_sized_read_errors(tl_impl, method):
    r = tl_impl.Reader(bytes(20))
    r.seek(17)
    read = getattr(r, method)
    with pytest.raises(TLDecodeError) as exc:
        read(4)
    assert str(exc.value) == f"{method} needs 4 bytes, 3 left at offset 17"
    with pytest.raises(TLDecodeError) as exc:
        read(2**100)
    assert str(exc.value) == f"{method} needs {2**100} bytes, 3 left at offset 17"
    with pytest.raises(ArgumentValueError) as exc:
        read(-1)
    assert str(exc.value) == "n must be >= 0, got -1"
    with pytest.raises(ArgumentValueError) as exc:
        read(-(2**100))
    assert str(exc.value) == f"n must be >= 0, got {-(2**100)}"
    with pytest.raises(ArgumentTypeError) as exc:
        read(1.0)
    assert str(exc.value) == "n must be an int, not 'float'"
    assert r.position == 17


# (method, needed bytes): the fixed-size reads
FIXED = [
    ("read_int", 4),
    ("read_uint", 4),
    ("read_constructor", 4),
    ("read_bool", 4),
    ("read_long", 8),
    ("read_double", 8),
    ("read_int128", 16),
    ("read_int256", 32),
]


@pytest.mark.parametrize("method, need", FIXED, ids=[f[0] for f in FIXED])
def test_short_fixed_reads(tl_impl, method, need):
    for prefix in (0, 4, 5):
        for have in range(need):
            r = tl_impl.Reader(bytes(prefix + have))
            r.seek(prefix)
            with pytest.raises(TLDecodeError) as exc:
                getattr(r, method)()
            assert str(exc.value) == (
                f"{method} needs {need} bytes, {have} left at offset {prefix}"
            )
            assert r.position == prefix  # a failed read consumes nothing


def test_decode_error_is_a_value_error():
    assert issubclass(TLDecodeError, ValueError)
    assert issubclass(TLDecodeError, MtcoreError)


@pytest.mark.parametrize("method", ["read_bytes", "read_string"])
def test_short_bytes_reads(tl_impl, method):
    cases = [
        (b"", 4, 0),  # nothing at all
        (b"\x05abc", 8, 4),  # short form, data cut
        (b"\x04abcd", 8, 5),  # padding missing
        (b"\x00\x00\x00", 4, 3),  # empty value without its padding
        (b"\xfe\x01", 4, 2),  # long prefix cut
        (b"\xfe\x00\x01\x00" + bytes(255), 260, 259),  # long form, data cut
    ]
    for data, need, left in cases:
        r = tl_impl.Reader(b"\0\0\0\0" + data)
        r.read_int()
        with pytest.raises(TLDecodeError) as exc:
            getattr(r, method)()
        assert str(exc.value) == f"{method} needs {need} bytes, {left} left at offset 4"
        assert r.position == 4
    r = tl_impl.Reader(b"\xff" + bytes(11))
    with pytest.raises(TLDecodeError) as exc:
        getattr(r, method)()
    assert str(exc.value) == f"{method}: length byte 0xff at offset 0 is not valid TL"
    assert r.position == 0


def test_bytes_decoding_is_lenient(tl_impl):
    # Like Telethon and tdlib: the long form may carry a short length and
    # the padding is not checked (encoders never produce either).
    r = tl_impl.Reader(b"\xfe\x03\x00\x00abc\x00" + b"\x02xy\x07")
    assert r.read_bytes() == b"abc"
    assert r.read_bytes() == b"xy"
    assert r.at_end()


def test_invalid_utf8_is_replaced(tl_impl):
    raw = b"ok\xff\xfe \xe2\x82 \xed\xa0\x80 end"
    w = tl_impl.Writer()
    w.write_bytes(raw)
    r = tl_impl.Reader(w.getvalue())
    assert r.read_string() == raw.decode("utf-8", "replace")


def test_read_bool_rejects_other_ids(tl_impl):
    for cid in (0, 0x997275B4, 0x1CB5C415, 0xFFFFFFFF):
        r = tl_impl.Reader(bytes(4) + struct.pack("<I", cid))
        r.seek(4)
        with pytest.raises(TLDecodeError) as exc:
            r.read_bool()
        assert str(exc.value) == (
            f"read_bool: constructor 0x{cid:08x} at offset 4 is neither "
            "boolTrue (0x997275b5) nor boolFalse (0xbc799737)"
        )
        assert r.position == 4


def test_unsigned_reads(tl_impl):
    wire = b"\xff\xff\xff\xff" * 2
    r = tl_impl.Reader(wire)
    assert r.read_uint() == 2**32 - 1 and r.read_int() == -1


# --- vector counts -----------------------------------------------------------

COUNTS = [
    ("read_vector_header", True, 4),
    ("read_count", False, 4),
    ("read_vector_long", True, 8),
    ("read_vector_int", True, 4),
]


@pytest.mark.parametrize("method, boxed, size", COUNTS, ids=[c[0] for c in COUNTS])
def test_vector_counts_checked_before_allocation(tl_impl, method, boxed, size):
    head = VECTOR_ID if boxed else b""
    at = len(head)
    for count, left in (
        (I32_MAX, 0),
        (I32_MAX, 12),
        (1000, 3999),
        (3, 8 * 3 - 1),
        (1, 0),
    ):
        if count * size <= left:
            continue
        data = head + struct.pack("<i", count) + bytes(left)
        r = tl_impl.Reader(data)
        tracemalloc.start()
        try:
            with pytest.raises(TLDecodeError) as exc:
                getattr(r, method)()
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert peak < 64 * 1024
        assert str(exc.value) == (
            f"{method}: count {count} at offset {at} needs at least "
            f"{count * size} bytes, {left} left after it"
        )
        assert r.position == 0
    for count in (-1, I32_MIN):
        r = tl_impl.Reader(head + struct.pack("<i", count) + bytes(64))
        with pytest.raises(TLDecodeError) as exc:
            getattr(r, method)()
        assert str(exc.value) == f"{method}: count {count} at offset {at} is negative"
        assert r.position == 0
    # the largest count that fits is accepted
    n = 6
    data = head + struct.pack("<i", n) + bytes(n * size)
    r = tl_impl.Reader(data)
    got = getattr(r, method)()
    assert got == (n if method in ("read_vector_header", "read_count") else [0] * n)


@pytest.mark.parametrize(
    "method", ["read_vector_header", "read_vector_long", "read_vector_int"]
)
def test_vector_constructor_checked(tl_impl, method):
    data = bytes(4) + struct.pack("<Ii", 0x1CB5C416, 0)
    r = tl_impl.Reader(data)
    r.seek(4)
    with pytest.raises(TLDecodeError) as exc:
        getattr(r, method)()
    assert str(exc.value) == (
        f"{method}: constructor 0x1cb5c416 at offset 4 is not vector (0x1cb5c415)"
    )
    assert r.position == 4
    # header present, count cut short
    r = tl_impl.Reader(VECTOR_ID + b"\x01\x00")
    with pytest.raises(TLDecodeError) as exc:
        getattr(r, method)()
    assert str(exc.value) == f"{method} needs 4 bytes, 2 left at offset 4"
    assert r.position == 0


# --- both backends raise the same ----------------------------------------


def _outcome(func: Callable[[], Any]) -> tuple[str, Any]:
    # floats compared by their bits (NaN != NaN)
    try:
        value = func()
        return "ok", struct.pack("<d", value) if type(value) is float else value
    except MtcoreError as exc:
        return type(exc).__name__, str(exc)


BAD_WRITES: list[tuple[str, Any]] = [
    ("write_int", 2**31),
    ("write_int", -(2**31) - 1),
    ("write_int", "1"),
    ("write_uint", -1),
    ("write_flags", 2**32),
    ("write_constructor", -1099002127),
    ("write_long", 2**64),
    ("write_long", 1.5),
    ("write_double", "x"),
    ("write_double", 10**309),
    ("write_bytes", "str"),
    ("write_bytes", memoryview(bytes(8))[::2]),
    ("write_string", b"x"),
    ("write_string", "\udfff"),
    ("write_bool", 1),
    ("write_int128", bytes(15)),
    ("write_int256", bytearray(33)),
    ("write_raw", 7),
    ("write_count", -1),
    ("write_vector_header", 2**31),
    ("write_vector_long", [1, "2"]),
    ("write_vector_int", (1, 2**31)),
    ("write_vector_int", {1}),
]


@pytest.mark.c_extension
@pytest.mark.parametrize(
    "method, arg", BAD_WRITES, ids=[f"{m}-{i}" for i, (m, _) in enumerate(BAD_WRITES)]
)
def test_write_errors_match(tl_c, tl_py, method, arg):
    c = _outcome(lambda: getattr(tl_c.Writer(), method)(arg))
    py = _outcome(lambda: getattr(tl_py.Writer(), method)(arg))
    assert c == py
    assert c[0] != "ok"


BAD_READS = [
    b"",
    b"\x01",
    b"\xff\x00\x00\x00",
    b"\xfe\x10\x00\x00abc",
    VECTOR_ID + b"\xff\xff\xff\x7f",
    VECTOR_ID + b"\xff\xff\xff\xff",
    b"\x15\xc4\xb5\x1d" + bytes(8),
    bytes.fromhex("b5757298"),
]
READS = [m for m, _ in FIXED] + [
    "read_bytes",
    "read_string",
    "read_vector_header",
    "read_count",
    "read_vector_long",
    "read_vector_int",
]


@pytest.mark.c_extension
@pytest.mark.parametrize("data", BAD_READS, ids=[d.hex() or "empty" for d in BAD_READS])
def test_read_errors_match(tl_c, tl_py, data):
    for method in READS:
        rc, rp = tl_c.Reader(data), tl_py.Reader(data)
        c = _outcome(getattr(rc, method))
        py = _outcome(getattr(rp, method))
        assert c == py, method
        assert rc.position == rp.position


@pytest.mark.c_extension
def test_compiled_classes_are_the_public_ones(tl_c):
    import mtcore.tl
    from mtcore import _backend

    if _backend.IMPLEMENTATION == "c":
        assert mtcore.tl.Writer is tl_c.Writer
        assert mtcore.tl.Reader is tl_c.Reader
    assert tl_c.Writer.__module__ == "mtcore._cmtcore"
