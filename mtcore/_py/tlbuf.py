"""
Pure-Python twin of ``mtcore/_tlbuf.pyx``: the TL primitive writer and
reader on ``bytearray``, ``struct`` and ``bytes`` slices, with the same
checks and error texts (``mtcore/_errors.py``).

Wire formats: core.telegram.org/mtproto/serialize.
"""

from __future__ import annotations

import inspect
import struct
import threading
from typing import Any, TypeVar

from mtcore._typing import Buffer
from mtcore import _errors, _wire
from mtcore._py.aes import _view


_I32_MIN = _wire.INT32_MIN
_I32_MAX = _wire.INT32_MAX
_U32_MAX = _wire.UINT32_MAX
_I64_MIN = _wire.INT64_MIN
_U64_MAX = _wire.UINT64_MAX
_BYTES_MAX = _wire.BYTES_LIMIT - 1  # TL's 3-byte length

_pack_i32 = struct.Struct("<i").pack
_pack_u32 = struct.Struct("<I").pack
_pack_u64 = struct.Struct("<Q").pack
_pack_f64 = struct.Struct("<d").pack
_unpack_i32 = struct.Struct("<i").unpack_from
_unpack_u32 = struct.Struct("<I").unpack_from
_unpack_i64 = struct.Struct("<q").unpack_from
_unpack_f64 = struct.Struct("<d").unpack_from

_TRUE = _pack_u32(_wire.BOOL_TRUE_ID)
_FALSE = _pack_u32(_wire.BOOL_FALSE_ID)
_VECTOR = _pack_u32(_wire.VECTOR_ID)
_PAD = (b"", b"\0", b"\0\0", b"\0\0\0")


def _int(name: str, v: Any, lo: int, hi: int) -> int:
    if not isinstance(v, int):
        raise _errors.not_int(name, v)
    if not lo <= v <= hi:
        raise _errors.out_of_range(name, lo, hi, v)
    return v


def _double(name: str, v: Any) -> float:
    if isinstance(v, float):
        return v
    if not isinstance(v, int):
        raise _errors.not_float(name, v)
    try:
        return float(v)
    except OverflowError:
        raise _errors.float_overflow(name, v) from None


def _sequence(name: str, seq: Any) -> list[Any] | tuple[Any, ...]:
    if not isinstance(seq, (list, tuple)):
        raise _errors.not_sequence(name, seq)
    if len(seq) > _I32_MAX:
        raise _errors.out_of_range("count", 0, _I32_MAX, len(seq))
    return seq


_T = TypeVar("_T")


def _serialized(cls: type[_T]) -> type[_T]:
    """
    A subclass of cls whose public methods each run whole under the
    instance's lock (``self._lock``): the public writer and reader, which
    threads may share, take one call at a time, as the compiled twin's
    critical sections make it do.  The codec's loops use cls itself (their
    reader or writer is never shared) and pay nothing for it.
    """
    ns: dict[str, Any] = {"__slots__": (), "__doc__": cls.__doc__}
    for name, fn in vars(cls).items():
        if name.startswith("_") and name != "__len__" or not callable(fn):
            continue
        # The same parameters, so a call costs one frame more and no
        # argument packing.
        params = str(inspect.signature(fn)).partition(" ->")[0][1:-1]
        args = ", ".join(p.split(":")[0].split("=")[0].strip() for p in params.split(","))
        code = (
            f"def {name}({params}):\n"
            "    with self._lock:\n"
            f"        return _fn({args})\n"
        )
        scope: dict[str, Any] = {"_fn": fn, "Any": Any, "Buffer": Buffer}
        exec(code, scope)  # noqa: S102 - the text is built from our own signatures
        locked = scope[name]
        locked.__qualname__ = f"{cls.__name__.lstrip('_')}.{name}"
        locked.__doc__ = fn.__doc__
        ns[name] = locked
    public: type[_T] = type(cls.__name__.lstrip("_"), (cls,), ns)
    public.__module__ = "mtcore.tl"  # its public home (the twin is private)
    return public


class _TLWriter:
    """
    Builds TL bytes (core.telegram.org/mtproto/serialize): every
    ``write_*`` method appends
    one value, :meth:`getvalue` returns everything written so far.  A
    method that raises leaves the writer as it was.
    """

    __slots__ = ("_buf", "_lock")

    def __init__(self) -> None:
        self._buf = bytearray()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._buf)

    def getvalue(self) -> bytes:
        """
        Everything written so far, as ``bytes``.
        """
        return bytes(self._buf)

    def clear(self) -> None:
        """
        Forget everything written (the writer keeps its memory for reuse).
        """
        del self._buf[:]

    def write_int(self, v: int) -> None:
        """
        A TL ``int``: signed 32-bit, -2**31..2**31-1.
        """
        self._buf += _pack_i32(_int("int", v, _I32_MIN, _I32_MAX))

    def write_uint(self, v: int) -> None:
        """
        An unsigned 32-bit word, 0..2**32-1.
        """
        self._buf += _pack_u32(_int("uint", v, 0, _U32_MAX))

    def write_flags(self, v: int) -> None:
        """
        A TL ``#`` (flags word): unsigned 32-bit, 0..2**32-1.
        """
        self._buf += _pack_u32(_int("flags", v, 0, _U32_MAX))

    def write_constructor(self, v: int) -> None:
        """
        A constructor number, unsigned 32-bit (``0xbe7e8ef1`` is written
        ``f1 8e 7e be``).
        """
        self._buf += _pack_u32(_int("constructor", v, 0, _U32_MAX))

    def write_long(self, v: int) -> None:
        """
        A TL ``long``: 64-bit, given signed (-2**63..2**63-1) or unsigned
        (up to 2**64-1, written as its two's complement).
        """
        self._buf += _pack_u64(_int("long", v, _I64_MIN, _U64_MAX) & _U64_MAX)

    def write_int128(self, b: Buffer) -> None:
        """
        A TL ``int128``: exactly 16 bytes, copied as they are.
        """
        with _view("int128", b) as view:
            if len(view) != 16:
                raise _errors.bad_length("int128", 16, len(view))
            self._buf += view

    def write_int256(self, b: Buffer) -> None:
        """
        A TL ``int256``: exactly 32 bytes, copied as they are.
        """
        with _view("int256", b) as view:
            if len(view) != 32:
                raise _errors.bad_length("int256", 32, len(view))
            self._buf += view

    def write_double(self, f: float) -> None:
        """
        A TL ``double``: IEEE-754 binary64, from a float or an int.
        """
        self._buf += _pack_f64(_double("double", f))

    def write_bytes(self, b: Buffer) -> None:
        """
        A TL ``bytes``: a length prefix (1 byte below 254, else ``fe`` and 3
        bytes), the data and zero padding to a multiple of 4 bytes.  The
        data must be shorter than 2**24 bytes.
        """
        if type(b) is bytes:
            self._tl_bytes("bytes", b)
        else:
            with _view("bytes", b) as view:
                self._tl_bytes("bytes", view)

    def write_string(self, s: str) -> None:
        """
        A TL ``string``: the UTF-8 encoding of s, written as ``bytes``.
        """
        if not isinstance(s, str):
            raise _errors.not_str("string", s)
        try:
            data = s.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise _errors.not_utf8("string", exc.start) from None
        self._tl_bytes("string", data)

    def _tl_bytes(self, name: str, data: bytes | memoryview) -> None:
        n = len(data)
        buf = self._buf
        if n <= 253:
            buf.append(n)
            buf += data
            buf += _PAD[-(n + 1) & 3]
        elif n <= _BYTES_MAX:
            buf += _pack_u32((n << 8) | 254)
            buf += data
            buf += _PAD[-n & 3]
        else:
            raise _errors.tl_bytes_too_long(name, n)

    def write_bool(self, v: bool) -> None:
        """
        A TL ``Bool``: ``boolTrue#997275b5`` or ``boolFalse#bc799737``.
        Only ``True`` and ``False`` are taken.
        """
        if v is True:
            self._buf += _TRUE
        elif v is False:
            self._buf += _FALSE
        else:
            raise _errors.not_bool("Bool", v)

    def write_vector_header(self, count: int) -> None:
        """
        The head of a boxed ``Vector<T>``: ``0x1cb5c415`` then the count
        (0..2**31-1); write the elements after it.
        """
        count = _int("count", count, 0, _I32_MAX)
        self._buf += _VECTOR
        self._buf += _pack_i32(count)

    def write_count(self, count: int) -> None:
        """
        The count of a bare ``vector<T>`` (0..2**31-1).
        """
        self._buf += _pack_i32(_int("count", count, 0, _I32_MAX))

    def write_raw(self, data: Buffer) -> None:
        """
        data as it is, without a length prefix or padding.
        """
        if type(data) is bytes:
            self._buf += data
        else:
            with _view("data", data) as view:
                self._buf += view

    def write_vector_long(self, seq: Any) -> None:
        """
        A boxed ``Vector<long>`` of a list or tuple of ints (each signed or
        unsigned 64-bit, as :meth:`write_long`).
        """
        self._vector(_sequence("vector", seq), "q", "long", _I64_MIN, _U64_MAX)

    def write_vector_int(self, seq: Any) -> None:
        """
        A boxed ``Vector<int>`` of a list or tuple of ints, each
        -2**31..2**31-1.
        """
        self._vector(_sequence("vector", seq), "i", "int", _I32_MIN, _I32_MAX)

    def _vector(self, seq: Any, fmt: str, name: str, lo: int, hi: int) -> None:
        n = len(seq)
        head = _VECTOR + _pack_i32(n)
        if not n:
            self._buf += head
            return
        if set(map(type, seq)) <= {int}:
            # one struct call when every element is a plain int in the
            # signed range (struct raises otherwise)
            try:
                self._buf += head + struct.pack(f"<{n}{fmt}", *seq)
                return
            except struct.error:
                pass
        # element by element: unsigned longs, int subclasses, and errors
        # that name the element
        pack, mask = (_pack_u64, _U64_MAX) if fmt == "q" else (_pack_u32, _U32_MAX)
        parts = [head]
        for i, v in enumerate(seq):
            if not isinstance(v, int) or not lo <= v <= hi:
                _int(f"{name}[{i}]", v, lo, hi)
            parts.append(pack(v & mask))
        self._buf += b"".join(parts)


class _TLReader:
    """
    Reads TL values (core.telegram.org/mtproto/serialize) from a
    bytes-like object, front
    to back.  A ``bytes`` object is read in place; any other bytes-like
    object is copied once into ``bytes`` here, so changing or resizing it
    afterwards does not affect the reader.

    Every read is bounds-checked: one that would pass the end raises
    :class:`~mtcore.exceptions.TLDecodeError` naming what was asked, what
    was left and the offset, and leaves the position where it was.

    :param data: the bytes to read.
    """

    # The input is _data[_start:_end] (a reader made by read_sub shares its
    # parent's bytes); _pos is an index into _data, offsets in the API and
    # in errors count from _start.
    __slots__ = ("_data", "_end", "_lock", "_pos", "_start")

    def __init__(self, data: Buffer) -> None:
        if type(data) is bytes:
            self._data = data
        else:
            with _view("data", data) as view:
                self._data = view.tobytes()
        self._pos = self._start = 0
        self._end = len(self._data)
        self._lock = threading.Lock()

    @property
    def position(self) -> int:
        """
        The offset of the next byte to read.
        """
        return self._pos - self._start

    @property
    def remaining(self) -> int:
        """
        How many bytes are left to read.
        """
        return self._end - self._pos

    def at_end(self) -> bool:
        """
        Whether every byte has been read.
        """
        return self._pos >= self._end

    def seek(self, pos: int) -> None:
        """
        Move to offset pos (0..the input's length).
        """
        self._pos = self._start + _int("pos", pos, 0, self._end - self._start)

    def _take(self, n: int, what: str) -> int:
        # The index of the next n bytes, which the read then consumes.
        pos = self._pos
        left = self._end - pos
        if n > left:
            raise _errors.tl_short(what, n, left, pos - self._start)
        self._pos = pos + n
        return pos

    def read_int(self) -> int:
        """
        A TL ``int`` (signed 32-bit).
        """
        return _unpack_i32(self._data, self._take(4, "read_int"))[0]  # type: ignore[no-any-return]

    def read_uint(self) -> int:
        """
        An unsigned 32-bit word (a ``#`` flags word).
        """
        return _unpack_u32(self._data, self._take(4, "read_uint"))[0]  # type: ignore[no-any-return]

    def read_constructor(self) -> int:
        """
        A constructor number, as an unsigned 32-bit int.
        """
        return _unpack_u32(self._data, self._take(4, "read_constructor"))[0]  # type: ignore[no-any-return]

    def read_long(self) -> int:
        """
        A TL ``long`` (signed 64-bit).
        """
        return _unpack_i64(self._data, self._take(8, "read_long"))[0]  # type: ignore[no-any-return]

    def read_double(self) -> float:
        """
        A TL ``double``.
        """
        return _unpack_f64(self._data, self._take(8, "read_double"))[0]  # type: ignore[no-any-return]

    def read_int128(self) -> bytes:
        """
        A TL ``int128``: 16 raw bytes.
        """
        pos = self._take(16, "read_int128")
        return self._data[pos : pos + 16]

    def read_int256(self) -> bytes:
        """
        A TL ``int256``: 32 raw bytes.
        """
        pos = self._take(32, "read_int256")
        return self._data[pos : pos + 32]

    def read_raw(self, n: int) -> bytes:
        """
        The next n bytes as they are.
        """
        if not isinstance(n, int):
            raise _errors.not_int("n", n)
        if n < 0:
            raise _errors.negative("n", n)
        pos = self._take(n, "read_raw")
        return self._data[pos : pos + n]

    def read_sub(self, n: int) -> _TLReader:
        """
        The next n bytes as a reader of their own (offsets count from their
        start), over this reader's memory: nothing is copied.
        """
        if not isinstance(n, int):
            raise _errors.not_int("n", n)
        if n < 0:
            raise _errors.negative("n", n)
        pos = self._take(n, "read_sub")
        sub = type(self).__new__(type(self))
        sub._data = self._data
        sub._pos = sub._start = pos
        sub._end = pos + n
        sub._lock = threading.Lock()
        return sub

    def _tl_bytes(self, what: str) -> tuple[int, int]:
        # (index, length) of the data of a TL bytes value; consumes it
        # with its prefix and padding.
        data = self._data
        pos = self._pos
        left = self._end - pos
        if left < 1:
            raise _errors.tl_short(what, 4, left, pos - self._start)
        n = data[pos]
        if n < 254:
            start = pos + 1
            total = (n + 4) & ~3  # 1 + n rounded up to 4
        elif n == 254:
            if left < 4:
                raise _errors.tl_short(what, 4, left, pos - self._start)
            n = _unpack_u32(data, pos)[0] >> 8
            start = pos + 4
            total = (n + 7) & ~3  # 4 + n rounded up to 4
        else:
            raise _errors.tl_bad_length_byte(what, pos - self._start)
        if total > left:
            raise _errors.tl_short(what, total, left, pos - self._start)
        self._pos = pos + total
        return start, n

    def read_bytes(self) -> bytes:
        """
        A TL ``bytes`` value (prefix, data, padding); returns the data.
        The padding bytes are not checked, a first byte of 255 is an error.
        """
        start, n = self._tl_bytes("read_bytes")
        return self._data[start : start + n]

    def read_string(self) -> str:
        """
        A TL ``string``: ``bytes`` decoded as UTF-8, invalid sequences
        replaced by U+FFFD (as Telethon does).
        """
        start, n = self._tl_bytes("read_string")
        return self._data[start : start + n].decode("utf-8", "replace")

    def read_bool(self) -> bool:
        """
        A TL ``Bool``; any constructor but boolTrue/boolFalse is an error.
        """
        pos = self._pos
        cid = _unpack_u32(self._data, self._take(4, "read_bool"))[0]
        if cid == _wire.BOOL_TRUE_ID:
            return True
        if cid == _wire.BOOL_FALSE_ID:
            return False
        self._pos = pos
        raise _errors.tl_bad_bool(cid, pos - self._start)

    def _count(self, what: str, min_size: int) -> int:
        # A vector count that min_size-byte elements can fit in the bytes
        # left; consumed only when it does.
        pos = self._take(4, what)
        count = _unpack_i32(self._data, pos)[0]
        left = self._end - self._pos
        if count < 0:
            self._pos = pos
            raise _errors.tl_negative_count(what, count, pos - self._start)
        if count * min_size > left:
            self._pos = pos
            raise _errors.tl_count_too_large(
                what, count, min_size, left, pos - self._start
            )
        return count  # type: ignore[no-any-return]

    def _vector(self, what: str, min_size: int) -> int:
        pos = self._take(4, what)
        cid = _unpack_u32(self._data, pos)[0]
        if cid != _wire.VECTOR_ID:
            self._pos = pos
            raise _errors.tl_bad_vector(what, cid, pos - self._start)
        try:
            return self._count(what, min_size)
        except BaseException:
            self._pos = pos
            raise

    def read_vector_header(self) -> int:
        """
        The head of a boxed ``Vector<T>``: checks ``0x1cb5c415`` and
        returns the count, which must fit the bytes left at 4 bytes per
        element (the smallest TL value) -- checked before anything is
        allocated.
        """
        return self._vector("read_vector_header", 4)

    def read_count(self) -> int:
        """
        The count of a bare ``vector<T>``, checked as in
        :meth:`read_vector_header`.
        """
        return self._count("read_count", 4)

    def read_vector_long(self) -> list[int]:
        """
        A boxed ``Vector<long>``.
        """
        n = self._vector("read_vector_long", 8)
        pos = self._pos
        self._pos = pos + 8 * n
        return list(struct.unpack_from(f"<{n}q", self._data, pos))

    def read_vector_int(self) -> list[int]:
        """
        A boxed ``Vector<int>``.
        """
        n = self._vector("read_vector_int", 4)
        pos = self._pos
        self._pos = pos + 4 * n
        return list(struct.unpack_from(f"<{n}i", self._data, pos))


TLWriter = _serialized(_TLWriter)
TLReader = _serialized(_TLReader)
