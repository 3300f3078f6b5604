"""
The plan of the TL codec, below both of its loops (the compiled ones in
mtcore/_tlcodec.pyx and the pure ones in mtcore/_py/tlcodec.py, which
import it) and below the public layer (mtcore.tl.codec, which makes the
plans from a schema): the op kinds, the limits, the descriptor of a
compiled combinator, the base of the object classes, RawVector, and the
checks of object construction.

An op is a 5-tuple ``(kind, word, mask, sub, absent)``:

* ``kind``   what is on the wire (``K_INT``, ``K_OBJ``, ``K_VEC`` ...);
* ``word``   for a ``flags.N?T`` argument the index of its flags word,
  else -1; for a flags word itself -1;
* ``mask``   ``1 << N`` for a conditional argument; for a flags word the
  index the word is kept at while reading;
* ``sub``    the element op of a vector, the type name a boxed object must
  have, the constructor id of a bare object, or for a flags word the
  ``(value index, mask, is_true)`` triples that set its bits;
* ``absent`` the value of a conditional argument whose bit is clear
  (``None``, or ``False`` for ``flags.N?true``).

The compiled loops have the kinds and limits as C constants of their own
(mtcore/_tlcodec.pyx); a test checks they equal these.
"""

from __future__ import annotations

import sys
import zlib
from typing import TYPE_CHECKING, Any, Callable

from mtcore import _errors
from mtcore._wire import (
    BOOL_FALSE_ID,
    BOOL_TRUE_ID,
    CONTAINER_ID,
    INT32_MAX,
    INT32_MIN,
    LONG_RANGE,
    MESSAGE_ID,
    VECTOR_ID,
)
from mtcore.exceptions import ArgumentTypeError, ArgumentValueError

if TYPE_CHECKING:
    from mtcore.tl.codec import Codec
    from mtcore.tl.schema import Combinator, Schema

#: The deepest nesting of objects the decoder accepts.
MAX_DEPTH = 64
#: The default ``max_unpacked`` of :func:`mtcore.tl.decode`: the most bytes
#: the ``gzip_packed`` values of one call may unpack to, together.
MAX_UNPACKED = 16 * 1024 * 1024
#: The default ``max_objects`` of :func:`mtcore.tl.decode`: the most TL
#: objects and vector elements one call may make.  Real responses count one
#: per 30 to 40 bytes (the 100-message ``messages.messages`` of the
#: benchmark: 659 in 24.5 kB), so 2**20 pass a response of 30 MiB or more,
#: about twice what :data:`MAX_UNPACKED` lets a gzip_packed one unpack to,
#: while capping what hostile input can make: an object of many absent flag
#: fields, read from 8 bytes, takes about 300 bytes, so 2**20 of them stay
#: under 300 MiB.
MAX_OBJECTS = 1 << 20
#: Budgets above this (more than any memory) are taken as this.
LIMIT_CAP = sys.maxsize // 2
#: A gzip_packed counts as this many levels of nesting, so at most
#: MAX_DEPTH // GZIP_STEP of them can be open at once (bounded memory).
GZIP_STEP = 16

# Op kinds, roughly by frequency (the decoder tests them in this order).
K_INT = 0
K_LONG = 1
K_FLAGS = 2
K_STRING = 3
K_OBJ = 4  # boxed object of a named type: sub = the type name
K_TRUE = 5  # flags.N?true: no bytes
K_BOOL = 6
K_BYTES = 7
K_DOUBLE = 8
K_VEC = 9  # boxed Vector<T>: sub = element op
K_VLONG = 10  # boxed Vector<long>
K_VINT = 11  # boxed Vector<int>
K_BVEC = 12  # bare vector<T>: sub = element op
K_ANY = 13  # Object, !X: any complete boxed value
K_BARE = 14  # a bare constructor (%T, future_salt): sub = its id
K_INT128 = 15
K_INT256 = 16

#: The TL types whose values are one call of the reader's and the writer's
#: method of that name (``read_int``, ``write_int`` ...), and their kinds.
PRIMITIVES = {
    "int": K_INT,
    "long": K_LONG,
    "string": K_STRING,
    "bytes": K_BYTES,
    "double": K_DOUBLE,
    "int128": K_INT128,
    "int256": K_INT256,
}

#: The specials a boxed value may be where any object may stand, which are
#: never in a codec's table of compiled combinators (gzip_packed and
#: message are special too).
SPECIAL_NAMES = {
    BOOL_TRUE_ID: "boolTrue",
    BOOL_FALSE_ID: "boolFalse",
    VECTOR_ID: "vector",
    CONTAINER_ID: "msg_container",
}

#: A field not given to a constructor.
MISSING = object()


class Desc:
    """
    A compiled combinator: its wire plan and the class of its objects.
    """

    __slots__ = (
        "absent",
        "cls",
        "codec",
        "combinator",
        "cplan",
        "field_ops",
        "fields",
        "id",
        "is_function",
        "name",
        "nwords",
        "ops",
        "tl_fields",
        "tl_type",
    )

    id: int
    name: str
    #: The wire plan, flags words included (None for the hand-made specials).
    ops: tuple[tuple[Any, ...], ...] | None
    #: The op of each field, in field order (no flags words).
    field_ops: tuple[tuple[Any, ...], ...]
    #: The Python names of the fields (``from`` becomes ``from_``).
    fields: tuple[str, ...]
    #: The names as in the schema.
    tl_fields: tuple[str, ...]
    #: The boxed type a constructor builds; None for a function.
    tl_type: str | None
    nwords: int
    is_function: bool
    #: The schema line (None for the specials), its codec, the class.
    combinator: Combinator | None
    codec: Codec | None
    cls: type
    #: The value of each field when its flag bit is clear.
    absent: tuple[Any, ...]
    #: The plan compiled for the extension's loops (None: pure backend,
    #: or a special).
    cplan: Any

    def __repr__(self) -> str:
        return f"<Desc {self.name}#{self.id:08x}>"


class TLBase:
    """
    The storage of every TL object: its field values, a list in field
    order.  mtcore.tl.TLObject (the public layer) adds the behaviour.
    """

    __slots__ = ("_v",)

    _v: list[Any]
    _desc: Desc


class RawVector:
    """
    A boxed ``Vector`` where the schema cannot say the element type (the
    result of an ``rpc_result``, a ``gzip_packed`` payload): its bytes, from
    the ``0x1cb5c415`` to the end of the enclosing input.  Decode it with
    :meth:`decode` once the type is known (the request's result type).
    """

    __slots__ = ("data",)
    __module__ = "mtcore.tl"  # its public home

    tl_id = VECTOR_ID
    tl_name = "vector"

    def __init__(self, data: bytes) -> None:
        self.data = bytes(data)

    @property
    def count(self) -> int:
        """
        The element count (from the header; 0 if the data is too short).
        """
        return int.from_bytes(self.data[4:8], "little") if len(self.data) >= 8 else 0

    def decode(
        self,
        type: str,
        schema: Schema | None = None,
        *,
        max_unpacked: int | None = None,
        max_objects: int | None = None,
    ) -> list[Any]:
        """
        Decode the elements as ``type`` (``"Vector<long>"``,
        ``"Vector<User>"``, or the name of the function whose result this
        is), with a budget of its own (``max_unpacked``, ``max_objects``:
        as in :func:`decode`).
        """
        from mtcore.tl.codec import decode

        return decode(  # type: ignore[no-any-return]
            self.data,
            schema,
            type=type,
            max_unpacked=max_unpacked,
            max_objects=max_objects,
        )

    def __bytes__(self) -> bytes:
        return self.data

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RawVector):
            return NotImplemented
        return self.data == other.data

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"RawVector(count={self.count}, data={self.data!r})"

    def to_dict(self) -> dict[str, Any]:
        return {"_": "vector", "data": self.data}


# --- validation (object construction) -----------------------------------------


def check(d: Desc, name: str, op: tuple[Any, ...], v: Any) -> Any:
    # v checked against op and normalized (long to signed, bytes-likes to
    # bytes, sequences to lists); errors name d.name and the field.
    kind = op[0]
    if type(v) is int and (
        kind == K_INT
        and -0x80000000 <= v <= 0x7FFFFFFF
        or kind == K_LONG
        and -0x8000000000000000 <= v <= 0x7FFFFFFFFFFFFFFF
    ):
        return v
    if kind == K_STRING and type(v) is str and v.isascii():
        return v
    if kind == K_INT or kind == K_LONG:
        if type(v) is not int:
            if not isinstance(v, int) or isinstance(v, bool):
                raise _errors.tl_field_type(d.name, name, "an int", v)
            v = int(v)
        lo, hi = (INT32_MIN, INT32_MAX) if kind == K_INT else LONG_RANGE
        if not lo <= v <= hi:
            raise _errors.tl_field_value(
                d.name, name, f"must be in {lo}..{hi}, got {_errors._int_text(v)}"
            )
        if v > 0x7FFFFFFFFFFFFFFF:
            v -= 1 << 64
        return v
    if kind == K_STRING:
        if not isinstance(v, str):
            raise _errors.tl_field_type(d.name, name, "a str", v)
        try:
            v.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise _errors.tl_field_value(
                d.name, name, f"lone surrogate at index {exc.start}"
            ) from None
        return str(v)
    if kind == K_OBJ or kind == K_BARE:
        od = getattr(v, "_desc", None)
        if kind == K_OBJ:
            ok = od is not None and od.tl_type == op[3] and od.ops is not None
        else:
            ok = od is not None and od.id == op[3] and od.ops is not None
        if not ok:
            want = (
                f"a {op[3]} object" if kind == K_OBJ else f"constructor 0x{op[3]:08x}"
            )
            raise _errors.tl_field_type(d.name, name, want, v)
        return v
    if kind == K_TRUE or kind == K_BOOL:
        if v is not True and v is not False:
            raise _errors.tl_field_type(d.name, name, "a bool", v)
        return v
    if kind == K_BYTES or kind == K_INT128 or kind == K_INT256:
        if not isinstance(v, bytes):
            if isinstance(v, (str, int)) or v is None:
                raise _errors.tl_field_type(d.name, name, "bytes", v)
            try:
                v = bytes(memoryview(v))
            except TypeError:
                raise _errors.tl_field_type(d.name, name, "bytes", v) from None
        n = 16 if kind == K_INT128 else 32 if kind == K_INT256 else -1
        if n > 0 and len(v) != n:
            raise _errors.tl_field_value(
                d.name, name, f"must be {n} bytes, got {len(v)}"
            )
        if n < 0 and len(v) >= 1 << 24:
            raise _errors.tl_field_value(
                d.name, name, f"must be shorter than 16777216 bytes, got {len(v)}"
            )
        return bytes(v)
    if kind == K_DOUBLE:
        if isinstance(v, float):
            return float(v)
        if isinstance(v, int) and not isinstance(v, bool):
            try:
                return float(v)
            except OverflowError:
                raise _errors.tl_field_value(
                    d.name, name, "does not fit a float"
                ) from None
        raise _errors.tl_field_type(d.name, name, "a float", v)
    if kind in (K_VEC, K_VLONG, K_VINT, K_BVEC):
        # any iterable but text, bytes and mappings (whose items are not
        # the elements a caller means)
        if isinstance(v, (str, bytes, bytearray, memoryview, dict)) or not hasattr(
            v, "__iter__"
        ):
            raise _errors.tl_field_type(d.name, name, "a list (or other iterable)", v)
        if kind == K_VLONG:
            eop = (K_LONG, -1, 0, None, None)
        elif kind == K_VINT:
            eop = (K_INT, -1, 0, None, None)
        else:
            eop = op[3]
        out = []
        for x in v:
            try:
                out.append(check(d, name, eop, x))
            except (ArgumentTypeError, ArgumentValueError):
                check(d, f"{name}[{len(out)}]", eop, x)  # raises, naming the index
                raise
        return out
    if kind == K_ANY:
        if v is True or v is False or isinstance(v, RawVector):
            return v
        od = getattr(v, "_desc", None)
        if od is None or od.id == MESSAGE_ID:
            raise _errors.tl_field_type(d.name, name, "a TL object", v)
        return v
    raise AssertionError(kind)  # pragma: no cover


def limit(name: str, v: Any) -> int:
    # A budget argument of decode(): an int >= 0, taken as LIMIT_CAP (more
    # than any memory) above that.  The compiled loops check the common
    # case (an int in range) themselves and call this for the rest.
    if v.__class__ is int and 0 <= v <= LIMIT_CAP:
        return int(v)
    if not isinstance(v, int) or isinstance(v, bool):
        raise _errors.not_int(name, v)
    if v < 0:
        raise _errors.negative(name, v)
    return min(int(v), LIMIT_CAP)


def boxed_desc(
    desc: Callable[[int], Desc | None], cid: int, tl_type: str | None, offset: int
) -> Desc:
    # The descriptor (desc: a codec's Codec.desc) of the boxed constructor
    # cid read at offset where a tl_type stands (None: any object), once the
    # loops have read the specials that may stand there; else the error.
    # Both codec loops call it where a constructor is not compiled yet or
    # not of the type their tables expect.
    name = SPECIAL_NAMES.get(cid)
    if name is not None:
        raise _errors.tl_wrong_type(cid, name, tl_type or "Object", offset)
    d = desc(cid)
    if d is None:
        raise _errors.tl_unknown_constructor(cid, offset)
    if tl_type is not None and d.tl_type != tl_type:
        raise _errors.tl_wrong_type(cid, d.name, tl_type, offset)
    return d


def gunzip(packed: Any, pos: int, left: int, max_unpacked: int) -> bytes:
    """
    The payload of a ``gzip_packed`` whose packed bytes are packed (any
    bytes-like object, read where it is), at offset pos: one whole gzip
    stream (RFC 1952) and nothing after it, of at most left bytes
    (max_unpacked, for the error text, being the call's whole budget).
    The one home of this rule: both codec loops and mtcore.session use it.
    """
    z = zlib.decompressobj(31)  # gzip only
    try:
        # one byte more than the budget allows tells a stream that would
        # pass it from one that ends right at it
        data = z.decompress(packed, left + 1)
    except zlib.error as exc:
        raise _errors.tl_gzip_bad(pos, str(exc)) from None
    if len(data) > left:
        raise _errors.tl_unpacked_budget(pos, max_unpacked, left)
    if not z.eof:
        raise _errors.tl_gzip_bad(pos, "the gzip stream is truncated")
    if z.unused_data:
        raise _errors.tl_gzip_trailing(pos, z.unused_data)
    return data
