"""
The schema-driven TL codec (MTPROTO.md 6.3-6.7): one table-driven encoder
and decoder for every combinator of a :class:`~mtcore.tl.Schema`.

Each combinator is compiled once, on first use, into a :class:`Desc`: its
wire plan (a tuple of *ops*, one per argument) and a lazily created class
(a :class:`TLObject` subclass) whose instances hold the field values in a
list.  An op is a 5-tuple ``(kind, word, mask, sub, absent)``:

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

The hot loops read and write through the public methods of
:class:`mtcore.tl.Reader` / :class:`mtcore.tl.Writer`, test op kinds with
integer comparisons and never format strings unless they raise.  The
service specials (``gzip_packed``, ``msg_container``, ``message``, a boxed
``Vector`` whose element type the schema cannot say, ``Bool`` where any
object may stand) are taken off the slow path: their ids are never in the
table of compiled combinators.

With the compiled backend, :func:`decode` and :func:`encode` (and
``bytes(obj)``) run the same plans through typed loops in the extension
(``mtcore/_tlcodec.pyx``, given this module by ``_tl_install``): each Desc
gets a compiled plan (``Desc.cplan``, also the class's ``_cplan``), decoding
mirrors the functions below read for read (same objects, same errors), and
encoding hands anything but the plain cases back to :func:`_encode_py`, so
its errors are the ones below.  ``MTCORE_PUREPYTHON=1`` runs the loops
below only; :func:`_python_loops` does so for a while with the extension
loaded (tests compare the two).
"""

from __future__ import annotations

import contextlib
import functools
import keyword
import sys
import threading
import zlib
from collections.abc import Iterator
from typing import Any

from mtcore import _errors
from mtcore._backend import impl as _impl
from mtcore.exceptions import ArgumentTypeError, ArgumentValueError
from mtcore.tl.registry import default_schema
from mtcore.tl.schema import ANY_TYPE, VECTOR_ID, Combinator, Schema, TLType

__all__ = [
    "MAX_DEPTH",
    "MAX_OBJECTS",
    "MAX_UNPACKED",
    "Codec",
    "Desc",
    "MTMessage",
    "MessageContainer",
    "RawVector",
    "TLObject",
    "codec_for",
    "decode",
    "encode",
]

if _impl.__name__ == "mtcore._py":
    # The pure loops' own reader and writer are never shared: the unlocked
    # classes under the public (locked) ones.
    from mtcore._py.tlbuf import _TLReader as Reader
    from mtcore._py.tlbuf import _TLWriter as Writer
else:
    Writer = _impl.TLWriter
    Reader = _impl.TLReader

# The extension's compiled loops over the same plans (mtcore/_tlcodec.pyx),
# or None on the pure backend; _fast is what decode()/encode() use now
# (_python_loops() clears it for a while).
_CIMPL: Any = _impl if hasattr(_impl, "_tl_install") else None
_fast: Any = _CIMPL

#: The deepest nesting of objects the decoder accepts.
MAX_DEPTH = 64
#: The default ``max_unpacked`` of :func:`decode`: the most bytes the
#: ``gzip_packed`` values of one call may unpack to, together.
MAX_UNPACKED = 16 * 1024 * 1024
#: The default ``max_objects`` of :func:`decode`: the most TL objects and
#: vector elements one call may make.  Real responses count one per 30 to
#: 40 bytes (the 100-message ``messages.messages`` of the benchmark: 659 in
#: 24.5 kB), so 2**20 pass a response of 30 MiB or more, about twice what
#: :data:`MAX_UNPACKED` lets a gzip_packed one unpack to, while capping what
#: hostile input can make: an object of many absent flag fields, read from
#: 8 bytes, takes about 300 bytes, so 2**20 of them stay under 300 MiB.
MAX_OBJECTS = 1 << 20
# Budgets above this (more than any memory) are taken as this.
_LIMIT_CAP = sys.maxsize // 2
# A gzip_packed counts as this many levels of nesting, so at most
# MAX_DEPTH // _GZIP_STEP of them can be open at once (bounded memory).
_GZIP_STEP = 16

BOOL_TRUE_ID = 0x997275B5
BOOL_FALSE_ID = 0xBC799737
GZIP_ID = 0x3072CFA1
CONTAINER_ID = 0x73F1F8DC
MESSAGE_ID = 0x5BB8E511

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

_PRIMS = {
    "int": K_INT,
    "long": K_LONG,
    "string": K_STRING,
    "bytes": K_BYTES,
    "double": K_DOUBLE,
    "int128": K_INT128,
    "int256": K_INT256,
}

_I32 = (-(1 << 31), (1 << 31) - 1)
_I64 = (-(1 << 63), (1 << 64) - 1)


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


# --- objects ------------------------------------------------------------------


class _TLMeta(type):
    # A constructor whose name is also a namespace (``types.updates`` and
    # ``types.updates.state``): the class answers for the namespace too.
    def __getattr__(cls, name: str) -> Any:
        ns = cls.__dict__.get("_namespace")
        if ns is None or name.startswith("__"):
            raise AttributeError(name)
        return getattr(ns, name)


class TLObject(metaclass=_TLMeta):
    """
    The base of every TL object: one subclass per combinator, created from
    the schema on first use (``mtcore.tl.types.auth.loginToken``).

    Fields are attributes named as in the schema (a Python keyword gets a
    trailing ``_``: ``from_``).  An absent ``flags.N?T`` field is None, an
    absent ``flags.N?true`` field False.  ``bytes(obj)`` serializes the
    object boxed.
    """

    __slots__ = ("_v",)

    _desc: Desc
    # The class's compiled plan (Desc.cplan), found by the compiled encoder.
    _cplan: Any = None
    #: The constructor number.
    tl_id: int
    #: The full name, ``"auth.loginToken"``.
    tl_name: str
    #: The type a constructor builds (``"auth.LoginToken"``); for a function
    #: its result type (``"auth.LoginToken"``, ``"Vector<long>"``).
    tl_type: str

    def __init__(self, /, **fields: Any) -> None:
        d = self._desc
        vals = []
        for name, op in zip(d.fields, d.field_ops):
            v = fields.pop(name, _MISSING)
            if v is _MISSING or (v is None and op[1] >= 0):
                if op[1] < 0:
                    raise _errors.tl_missing_field(d.name, name)
                v = op[4]
            else:
                v = _check(d, name, op, v)
            vals.append(v)
        if fields:
            raise _errors.tl_unknown_field(d.name, next(iter(fields)))
        self._v = vals

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TLObject):
            return NotImplemented
        return type(self) is type(other) and self._v == other._v

    def __ne__(self, other: object) -> bool:
        if not isinstance(other, TLObject):
            return NotImplemented
        return type(self) is not type(other) or self._v != other._v

    __hash__ = None  # type: ignore[assignment]

    def __bytes__(self) -> bytes:
        return encode(self)

    def __repr__(self) -> str:
        d = self._desc
        parts = []
        for name, op, v in zip(d.fields, d.field_ops, self._v):
            if op[1] >= 0 and v is op[4]:
                continue
            parts.append(f"{name}={v!r}")
        return f"{d.name}({', '.join(parts)})"

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        """
        The (field name, value) pairs, in wire order.
        """
        return zip(self._desc.fields, self._v)

    def to_dict(self) -> dict[str, Any]:
        """
        The object as plain data: ``{"_": tl_name, field: value, ...}``, nested
        objects and vectors converted too.
        """
        out: dict[str, Any] = {"_": self._desc.name}
        for name, v in zip(self._desc.fields, self._v):
            out[name] = _plain(v)
        return out


def _plain(v: Any) -> Any:
    if isinstance(v, (TLObject, RawVector)):
        return v.to_dict()
    if isinstance(v, list):
        return [_plain(x) for x in v]
    return v


_new = object.__new__
_MISSING = object()


def _field_property(i: int, doc: str) -> property:
    def get(self: TLObject) -> Any:
        return self._v[i]

    def set(self: TLObject, v: Any) -> None:
        d = self._desc
        op = d.field_ops[i]
        if v is None and op[1] >= 0:
            v = op[4]
        else:
            v = _check(d, d.fields[i], op, v)
        self._v[i] = v

    return property(get, set, doc=doc)


def _make_class(d: Desc, base: type = TLObject) -> type:
    ns: dict[str, Any] = {
        "__slots__": (),
        "__module__": "mtcore.tl.functions" if d.is_function else "mtcore.tl.types",
        "__qualname__": d.name,
        "_desc": d,
        "tl_id": d.id,
        "tl_name": d.name,
        "__doc__": str(d.combinator) if d.combinator is not None else d.name,
    }
    c = d.combinator
    ns["tl_type"] = str(c.result) if c is not None else (d.tl_type or "")
    fparams = [p for p in c.params if not p.is_flag_word] if c is not None else []
    for i, name in enumerate(d.fields):
        ns[name] = _field_property(i, str(fparams[i]) if fparams else name)
    return type(d.name.rpartition(".")[2], (base,), ns)


class RawVector:
    """
    A boxed ``Vector`` where the schema cannot say the element type (the
    result of an ``rpc_result``, a ``gzip_packed`` payload): its bytes, from
    the ``0x1cb5c415`` to the end of the enclosing input.  Decode it with
    :meth:`decode` once the type is known (the request's result type).
    """

    __slots__ = ("data",)

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


def _special_desc(cid: int, name: str, fields: tuple[str, ...], tl_type: str) -> Desc:
    d = Desc()
    d.id = cid
    d.name = name
    d.ops = None
    d.fields = d.tl_fields = fields
    d.field_ops = tuple((K_ANY, -1, 0, None, None) for _ in fields)
    d.tl_type = tl_type
    d.nwords = 0
    d.is_function = False
    d.combinator = None
    d.codec = None
    d.absent = ()
    d.cplan = None
    return d


class MTMessage(TLObject):
    """
    ``message msg_id:long seqno:int bytes:int body:Object`` of a
    ``msg_container`` (MTPROTO.md 6.7), not the API's ``message``.  The
    ``bytes`` length is computed when encoding; ``bytes(msg)`` is the bare
    form (no constructor number), as inside a container.
    """

    __slots__ = ()
    _desc = _special_desc(MESSAGE_ID, "message", ("msg_id", "seqno", "body"), "Message")
    tl_id = MESSAGE_ID
    tl_name = "message"
    tl_type = "Message"

    def __init__(self, msg_id: int, seqno: int, body: Any) -> None:
        d = self._desc
        self._v = [
            _check(d, "msg_id", (K_LONG, -1, 0, None, None), msg_id),
            _check(d, "seqno", (K_INT, -1, 0, None, None), seqno),
            _check(d, "body", (K_ANY, -1, 0, None, None), body),
        ]

    msg_id = _field_property(0, "msg_id:long")
    seqno = _field_property(1, "seqno:int")
    body = _field_property(2, "body:Object")


MTMessage._desc.field_ops = (
    (K_LONG, -1, 0, None, None),
    (K_INT, -1, 0, None, None),
    (K_ANY, -1, 0, None, None),
)


class MessageContainer(TLObject):
    """
    ``msg_container#73f1f8dc messages:vector<message>`` (MTPROTO.md 6.7).
    """

    __slots__ = ()
    _desc = _special_desc(
        CONTAINER_ID, "msg_container", ("messages",), "MessageContainer"
    )
    tl_id = CONTAINER_ID
    tl_name = "msg_container"
    tl_type = "MessageContainer"

    def __init__(self, messages: Any) -> None:
        if not isinstance(messages, (list, tuple)):
            raise _errors.tl_field_type("msg_container", "messages", "a list", messages)
        for m in messages:
            if not isinstance(m, MTMessage):
                raise _errors.tl_field_type(
                    "msg_container", "messages", "a list of MTMessage", m
                )
        self._v = [list(messages)]

    messages = _field_property(0, "messages:vector<message>")


# --- validation (object construction) -----------------------------------------

_KIND_TEXT = {
    K_INT: "an int",
    K_LONG: "an int",
    K_STRING: "a str",
    K_BYTES: "bytes",
    K_BOOL: "a bool",
    K_TRUE: "a bool",
    K_DOUBLE: "a float",
    K_INT128: "16 bytes",
    K_INT256: "32 bytes",
    K_VEC: "a list",
    K_VLONG: "a list",
    K_VINT: "a list",
    K_BVEC: "a list",
    K_ANY: "a TL object",
}


def _check(d: Desc, name: str, op: tuple[Any, ...], v: Any) -> Any:
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
        lo, hi = _I32 if kind == K_INT else _I64
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
        if not isinstance(v, (list, tuple)):
            raise _errors.tl_field_type(d.name, name, "a list", v)
        if kind == K_VLONG:
            eop = (K_LONG, -1, 0, None, None)
        elif kind == K_VINT:
            eop = (K_INT, -1, 0, None, None)
        else:
            eop = op[3]
        out = []
        for x in v:
            try:
                out.append(_check(d, name, eop, x))
            except (ArgumentTypeError, ArgumentValueError):
                _check(d, f"{name}[{len(out)}]", eop, x)  # raises, naming the index
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


# --- the codec -----------------------------------------------------------------


class Codec:
    """
    The compiled form of one :class:`~mtcore.tl.Schema`: descriptors and
    classes by id and by name, compiled on first use.  Get one with
    :func:`codec_for`.
    """

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        # id -> Desc of every combinator compiled so far; the specials
        # (Bool, gzip_packed, vector, msg_container) are never in it.
        self.descs: dict[int, Desc] = {}
        self._all: dict[int, Desc] = {}
        self._by_name: dict[str, Desc] = {}
        self.types = Namespace(self, "", False)
        self.functions = Namespace(self, "", True)
        self._lock = threading.RLock()
        # The compiled loops' table of plans by id (None: pure backend).
        self._ctab = _CIMPL._TLTables(self) if _CIMPL is not None else None

    # compile

    def desc(self, cid: int) -> Desc | None:
        """
        The descriptor of the combinator numbered cid, or None.
        """
        d = self._all.get(cid)
        if d is not None:
            return d
        c = self.schema.constructors_by_id.get(cid) or self.schema.functions_by_id.get(
            cid
        )
        if c is None:
            return None
        return self._compile(c)

    def desc_by_name(self, name: str, function: bool) -> Desc | None:
        """
        The descriptor of a constructor (or function) by full name, or None.
        """
        d = self._by_name.get(name)
        if d is not None and d.is_function == function:
            return d
        table = self.schema.functions if function else self.schema.constructors
        c = table.get(name)
        return None if c is None else self._compile(c)

    def _compile(self, c: Combinator) -> Desc:
        # One Desc (and one class) per combinator, whatever the threads:
        # two compiling the same one at once would make two classes, and
        # objects of one would not equal those of the other.
        with self._lock:
            d = self._all.get(c.id)
            return d if d is not None else self._compile_new(c)

    def _compile_new(self, c: Combinator) -> Desc:
        d = Desc()
        d.id = c.id
        d.name = c.name
        d.combinator = c
        d.codec = self
        d.is_function = c.is_function
        d.tl_type = None if c.is_function else sys.intern(c.result.name)
        words: dict[str, int] = {}
        sources: dict[str, list[tuple[int, int, bool]]] = {}
        ops: list[Any] = []
        field_ops: list[Any] = []
        names: list[str] = []
        tl_names: list[str] = []
        for p in c.params:
            if p.is_flag_word:
                words[p.name] = len(words)
                sources[p.name] = []
                ops.append(None)  # filled in below
                continue
            if p.flag is None:
                word, mask, absent = -1, 0, None
                kind, sub = self._op(p.type)
            else:
                word, mask = words[p.flag.word], 1 << p.flag.bit
                if p.is_true_flag:
                    kind, sub, absent = K_TRUE, None, False
                else:
                    kind, sub = self._op(p.type)
                    absent = None
                sources[p.flag.word].append((len(field_ops), mask, kind == K_TRUE))
            op = (kind, word, mask, sub, absent)
            ops.append(op)
            field_ops.append(op)
            tl_names.append(p.name)
            names.append(p.name + "_" if keyword.iskeyword(p.name) else p.name)
        i = 0
        for p in c.params:
            if p.is_flag_word:
                while ops[i] is not None:
                    i += 1
                ops[i] = (K_FLAGS, -1, words[p.name], tuple(sources[p.name]), None)
        d.ops = tuple(ops)
        d.field_ops = tuple(field_ops)
        d.fields = tuple(names)
        d.tl_fields = tuple(tl_names)
        d.nwords = len(words)
        d.absent = tuple(op[4] for op in field_ops)
        d.cls = _make_class(d)
        d.cplan = None
        if _CIMPL is not None:
            d.cplan = _CIMPL._TLPlan(d)
            d.cls._cplan = d.cplan  # type: ignore[attr-defined]
        if c.id not in _SPECIAL_NAMES and c.id != GZIP_ID:
            self.descs[c.id] = d
        self._all[c.id] = d
        self._by_name[c.name] = d
        return d

    def _op(self, t: TLType) -> tuple[int, Any]:
        # (kind, sub) of a non-optional occurrence of t.
        if t.arg is not None:
            a = t.arg
            if t.name == "Vector":
                if a.name == "long" and a.arg is None:
                    return K_VLONG, None
                if a.name == "int" and a.arg is None:
                    return K_VINT, None
            ek, es = self._op(a)
            return (K_VEC if t.name == "Vector" else K_BVEC), (ek, -1, 0, es, None)
        name = t.name
        k = _PRIMS.get(name)
        if k is not None:
            return k, None
        if t.query or t.generic or name == ANY_TYPE:
            return K_ANY, None
        if name == "Bool" and not t.percent:
            return K_BOOL, None
        if t.percent:
            cons = self.schema.types[name]
            return K_BARE, cons[0].id
        if not t.boxed:
            return K_BARE, self.schema.constructors[name].id
        return K_OBJ, sys.intern(name)

    def type_op(self, text: str) -> tuple[Any, ...]:
        """
        The op that reads a value of the type written ``text``
        (``"Vector<long>"``, ``"User"``), or of the result of the function
        named ``text``.
        """
        f = self.schema.functions.get(text)
        if f is not None:
            t = f.result
        else:
            from mtcore.tl.schema import _Parser

            t = _Parser(None)._type("", text, "decode", ())
        kind, sub = self._op(t)
        return (kind, -1, 0, sub, None)


class Namespace:
    """
    ``mtcore.tl.types`` / ``mtcore.tl.functions`` and their sub-namespaces
    (``types.auth``): attribute access returns the class of the combinator
    named so, created on first use.
    """

    def __init__(self, codec: Codec, prefix: str, functions: bool) -> None:
        self._codec = codec
        self._prefix = prefix
        self._functions = functions

    def __getattr__(self, name: str) -> Any:
        # Called only on a first lookup: the result is then stored as an
        # instance attribute, which later lookups find without this call.
        if name.startswith("__"):
            raise AttributeError(name)
        full = self._prefix + name
        d = self._codec.desc_by_name(full, self._functions)
        table = (
            self._codec.schema.functions
            if self._functions
            else self._codec.schema.constructors
        )
        dotted = full + "."
        ns = None
        if any(k.startswith(dotted) for k in table):
            ns = Namespace(self._codec, dotted, self._functions)
        if d is not None:
            value: Any = d.cls
            if ns is not None:
                value._namespace = ns
        elif ns is not None:
            value = ns
        else:
            raise _errors.tl_unknown_name(
                "function" if self._functions else "constructor or namespace", full
            )
        setattr(self, name, value)
        return value

    def __dir__(self) -> list[str]:
        table = (
            self._codec.schema.functions
            if self._functions
            else self._codec.schema.constructors
        )
        n = len(self._prefix)
        return sorted(
            {k[n:].partition(".")[0] for k in table if k.startswith(self._prefix)}
        )

    def __repr__(self) -> str:
        kind = "functions" if self._functions else "types"
        return f"<mtcore.tl.{kind} namespace {self._prefix.rstrip('.') or '(root)'}>"


@functools.lru_cache(maxsize=16)
def codec_for(schema: Schema | None = None) -> Codec:
    """
    The codec of a schema (the bundled layer 229 by default), built once.
    """
    if schema is None:
        return _default_codec()
    if schema is default_schema():
        return _default_codec()
    return Codec(schema)


@functools.cache
def _default_codec() -> Codec:
    return Codec(default_schema())


# --- decoding --------------------------------------------------------------------


class _Decoding:
    # One decode() call: the codec's descriptors and what is left of the
    # call's budget (the compiled loops keep the same in a C struct).
    __slots__ = ("desc", "descs", "max_objects", "max_unpacked", "objects", "unpacked")

    def __init__(self, c: Codec, max_unpacked: int, max_objects: int) -> None:
        self.descs = c.descs
        self.desc = c.desc
        self.max_unpacked = self.unpacked = max_unpacked
        self.max_objects = self.objects = max_objects


def _spend(x: _Decoding, n: int, offset: int) -> None:
    # n more objects or vector elements, read at offset.
    if n > x.objects:
        raise _errors.tl_object_budget(x.max_objects, x.objects, n, offset)
    x.objects -= n


def _read_body(x: _Decoding, r: Any, d: Desc, depth: int) -> TLObject:
    # The fields of d (its constructor number already read).
    if depth > MAX_DEPTH:
        raise _errors.tl_too_deep(MAX_DEPTH, r.position)
    if x.objects <= 0:
        raise _errors.tl_object_budget(x.max_objects, x.objects, 1, r.position)
    x.objects -= 1
    vals: list[Any] = []
    append = vals.append
    fw = [0] * d.nwords
    for kind, word, mask, sub, absent in d.ops:  # type: ignore[union-attr]
        if word >= 0 and not fw[word] & mask:  # type: ignore[index]
            append(absent)
        elif kind == K_INT:
            append(r.read_int())
        elif kind == K_LONG:
            append(r.read_long())
        elif kind == K_FLAGS:
            fw[mask] = r.read_uint()  # type: ignore[index]
        elif kind == K_STRING:
            append(r.read_string())
        elif kind == K_OBJ:
            append(_read_obj(x, r, sub, depth))
        elif kind == K_TRUE:
            append(True)
        elif kind == K_BOOL:
            append(r.read_bool())
        else:
            append(_read_value(x, r, kind, sub, depth))
    o: Any = _new(d.cls)
    o._v = vals
    return o


def _read_obj(x: _Decoding, r: Any, tl_type: str, depth: int) -> Any:
    # A boxed object of type tl_type.
    cid = r.read_constructor()
    d = x.descs.get(cid)
    if d is None or d.tl_type is not tl_type:
        return _read_obj_slow(x, r, cid, tl_type, depth)
    return _read_body(x, r, d, depth + 1)


def _read_obj_slow(
    x: _Decoding, r: Any, cid: int, tl_type: str | None, depth: int
) -> Any:
    # A boxed object whose constructor is not compiled yet, is a special,
    # or is of another type than tl_type (None: any type).
    if cid == GZIP_ID:
        return _read_gzip(x, r, tl_type, depth)
    if tl_type is None:
        if cid == BOOL_TRUE_ID:
            return True
        if cid == BOOL_FALSE_ID:
            return False
        if cid == VECTOR_ID:
            pos = r.position - 4
            r.seek(pos)
            r.read_vector_header()  # its count must fit the bytes left
            r.seek(pos)
            return RawVector(r.read_raw(r.remaining))
        if cid == CONTAINER_ID:
            return _read_container(x, r, depth)
    if cid in _SPECIAL_NAMES:
        raise _errors.tl_wrong_type(
            cid, _SPECIAL_NAMES[cid], tl_type or "Object", r.position - 4
        )
    d = x.desc(cid)
    if d is None:
        raise _errors.tl_unknown_constructor(cid, r.position - 4)
    if tl_type is not None and d.tl_type != tl_type:
        raise _errors.tl_wrong_type(cid, d.name, tl_type, r.position - 4)
    return _read_body(x, r, d, depth + 1)


_SPECIAL_NAMES = {
    BOOL_TRUE_ID: "boolTrue",
    BOOL_FALSE_ID: "boolFalse",
    VECTOR_ID: "vector",
    CONTAINER_ID: "msg_container",
}


def _read_any(x: _Decoding, r: Any, depth: int) -> Any:
    cid = r.read_constructor()
    d = x.descs.get(cid)
    if d is None:
        return _read_obj_slow(x, r, cid, None, depth)
    return _read_body(x, r, d, depth + 1)


def _read_value(x: _Decoding, r: Any, kind: int, sub: Any, depth: int) -> Any:
    # One value of any kind but K_FLAGS/K_TRUE.
    if kind == K_INT:
        return r.read_int()
    if kind == K_LONG:
        return r.read_long()
    if kind == K_STRING:
        return r.read_string()
    if kind == K_OBJ:
        return _read_obj(x, r, sub, depth)
    if kind == K_BYTES:
        return r.read_bytes()
    if kind == K_VEC or kind == K_BVEC:
        pos = r.position
        n = r.read_vector_header() if kind == K_VEC else r.read_count()
        _spend(x, n, pos)
        ek = sub[0]
        es = sub[3]
        if ek == K_OBJ:
            return [_read_obj(x, r, es, depth) for _ in range(n)]
        return [_read_value(x, r, ek, es, depth) for _ in range(n)]
    if kind == K_VLONG or kind == K_VINT:
        # the count spent before the list is made, once the read below
        # would take it (else that read raises its own error)
        pos = r.position
        if r.remaining >= 8 and r.read_constructor() == VECTOR_ID:
            n = r.read_int()
            if 0 <= n and n * (8 if kind == K_VLONG else 4) <= r.remaining:
                _spend(x, n, pos)
        r.seek(pos)
        return r.read_vector_long() if kind == K_VLONG else r.read_vector_int()
    if kind == K_BOOL:
        return r.read_bool()
    if kind == K_DOUBLE:
        return r.read_double()
    if kind == K_ANY:
        return _read_any(x, r, depth)
    if kind == K_BARE:
        d = x.desc(sub)
        return _read_body(x, r, d, depth + 1)  # type: ignore[arg-type]
    if kind == K_INT128:
        return r.read_int128()
    if kind == K_INT256:
        return r.read_int256()
    raise AssertionError(kind)  # pragma: no cover


def _read_gzip(x: _Decoding, r: Any, tl_type: str | None, depth: int) -> Any:
    pos = r.position - 4
    if depth + _GZIP_STEP > MAX_DEPTH:
        raise _errors.tl_gzip_nested(pos)
    packed = r.read_bytes()
    left = x.unpacked
    z = zlib.decompressobj(31)  # gzip only
    try:
        # one byte more than the budget allows tells a stream that would
        # pass it from one that ends right at it
        data = z.decompress(packed, left + 1)
    except zlib.error as exc:
        raise _errors.tl_gzip_bad(pos, str(exc)) from None
    del packed
    if len(data) > left:
        raise _errors.tl_unpacked_budget(pos, x.max_unpacked, left)
    if not z.eof:
        raise _errors.tl_gzip_bad(pos, "the gzip stream is truncated")
    if z.unused_data:
        raise _errors.tl_gzip_trailing(pos, z.unused_data)
    x.unpacked = left - len(data)
    inner = Reader(data)
    if tl_type is None:
        obj = _read_any(x, inner, depth + _GZIP_STEP)
    else:
        obj = _read_obj(x, inner, tl_type, depth + _GZIP_STEP)
    if not inner.at_end():
        raise _errors.tl_trailing("the gzip_packed payload", inner.position, len(data))
    return obj


def _read_container(x: _Decoding, r: Any, depth: int) -> MessageContainer:
    pos = r.position
    n = r.read_count()
    _spend(x, n + 1, pos)
    msgs = []
    for _ in range(n):
        msgs.append(_read_message(x, r, depth + 1))
    o = _new(MessageContainer)
    o._v = [msgs]
    return o


def _read_message(x: _Decoding, r: Any, depth: int) -> MTMessage:
    if depth > MAX_DEPTH:
        raise _errors.tl_too_deep(MAX_DEPTH, r.position)
    msg_id = r.read_long()
    seqno = r.read_int()
    pos = r.position
    length = r.read_int()
    if length < 0 or length & 3 or length > r.remaining:
        raise _errors.tl_message_length(length, pos, r.remaining)
    body_reader = r.read_sub(length)  # the body where it is, not a copy
    body = _read_any(x, body_reader, depth)
    if not body_reader.at_end():
        raise _errors.tl_trailing(
            f"the body of message {msg_id}", body_reader.position, length
        )
    o = _new(MTMessage)
    o._v = [msg_id, seqno, body]
    return o


def _limit(name: str, v: Any) -> int:
    # A budget argument of decode(): an int >= 0, taken as _LIMIT_CAP (more
    # than any memory) above that.  The compiled loops check the common
    # case (an int in range) themselves and call this for the rest.
    if v.__class__ is int and 0 <= v <= _LIMIT_CAP:
        return v  # type: ignore[no-any-return]
    if not isinstance(v, int) or isinstance(v, bool):
        raise _errors.not_int(name, v)
    if v < 0:
        raise _errors.negative(name, v)
    return min(int(v), _LIMIT_CAP)


def decode(
    data: Any,
    schema: Schema | None = None,
    *,
    type: str | None = None,
    max_unpacked: int | None = None,
    max_objects: int | None = None,
) -> Any:
    """
    Decode one complete boxed TL value.

    The input is read where it is (message bodies of a ``msg_container``
    too), so one call holds at most the input, ``max_unpacked`` bytes of
    unpacked ``gzip_packed`` data and the objects it makes, at most
    ``max_objects`` of them.

    :param data: The bytes (any bytes-like object); all of them must be used.
    :param schema: The schema; the bundled layer 229 by default.
    :param type: Read a value of this type instead of any boxed object:
        a type as written in the schema (``"Vector<long>"``, ``"User"``,
        ``"int"``) or the name of a function, meaning its result type.
    :param max_unpacked: The most bytes the ``gzip_packed`` values of this
        call may unpack to, all of them together (nested ones too);
        :data:`MAX_UNPACKED` (16 MiB) when None.
    :param max_objects: The most objects and vector elements this call may
        make: each TL object counts one, each vector (``Vector<long>``
        too) its length, a ``msg_container`` one and one per message;
        :data:`MAX_OBJECTS` (1048576) when None.
    :returns: A :class:`TLObject`; ``True``/``False`` for ``boolTrue`` /
        ``boolFalse``; a :class:`MessageContainer`; a :class:`RawVector` for
        a boxed vector of unknown elements; the unpacked object for a
        ``gzip_packed``; a list for ``type="Vector<...>"``.
    :raises mtcore.exceptions.TLDecodeError: If the bytes are not a valid
        value (an unknown constructor is named in hex).  Its subclass
        :class:`~mtcore.exceptions.TLLimitError` if they nest deeper than
        :data:`MAX_DEPTH` or pass ``max_unpacked`` or ``max_objects``; a
        ``gzip_packed`` with bytes after its gzip stream (a second member)
        is a TLDecodeError.
    :raises mtcore.exceptions.ArgumentTypeError: If a budget is not an int.
    :raises mtcore.exceptions.ArgumentValueError: If a budget is negative.
    """
    c = codec_for(schema)
    op = None if type is None else c.type_op(type)
    if max_unpacked is None:
        max_unpacked = MAX_UNPACKED
    if max_objects is None:
        max_objects = MAX_OBJECTS
    # The compiled loops (mtcore/_tlcodec.pyx) run the same plans when the
    # compiled backend is in use (checking the budget as _limit does); the
    # Python loops below otherwise.
    if _fast is not None:
        return _fast._tl_decode(c._ctab, data, op, max_unpacked, max_objects)
    x = _Decoding(
        c, _limit("max_unpacked", max_unpacked), _limit("max_objects", max_objects)
    )
    r = Reader(data)
    if op is None:
        obj = _read_any(x, r, 0)
    else:
        obj = _read_value(x, r, op[0], op[3], 0)
    if not r.at_end():
        raise _errors.tl_trailing("the object", r.position, r.position + r.remaining)
    return obj


# --- encoding --------------------------------------------------------------------


def _write_body(w: Any, d: Desc, vals: list[Any]) -> None:
    fw = [0] * d.nwords
    i = 0
    try:
        for kind, word, mask, sub, absent in d.ops:  # type: ignore[union-attr]
            if kind == K_FLAGS:
                f = 0
                for vi, m, is_true in sub:
                    v = vals[vi]
                    if (v is True) if is_true else (v is not None):
                        f |= m
                fw[mask] = f  # type: ignore[index]
                w.write_uint(f)
                continue
            v = vals[i]
            i += 1
            if word >= 0:
                if not fw[word] & mask:  # type: ignore[index]
                    continue
                if v is absent:
                    raise _errors.tl_shared_flag(
                        d.name, d.fields[i - 1], _flag_text(d, i - 1)
                    )
            if kind == K_INT:
                w.write_int(v)
            elif kind == K_LONG:
                w.write_long(v)
            elif kind == K_STRING:
                w.write_string(v)
            elif kind == K_OBJ:
                od = v._desc
                if od.tl_type is not sub and od.tl_type != sub:
                    raise _errors.tl_field_type(
                        d.name, d.fields[i - 1], f"a {sub} object", v
                    )
                w.write_uint(od.id)
                _write_body(w, od, v._v)
            elif kind == K_TRUE:
                pass
            elif kind == K_BOOL:
                w.write_bool(v)
            else:
                _write_value(w, kind, sub, v)
    except (ArgumentTypeError, ArgumentValueError) as exc:
        if i and not str(exc).startswith(d.name + "."):
            raise _errors.tl_field_error(d.name, d.fields[i - 1], exc) from None
        raise
    except AttributeError:
        if i:
            raise _errors.tl_field_type(
                d.name, d.fields[i - 1], "a TL object", vals[i - 1]
            ) from None
        raise


def _flag_text(d: Desc, i: int) -> str:
    c = d.combinator
    p = [p for p in c.params if not p.is_flag_word][i]  # type: ignore[union-attr]
    return str(p.flag)


def _write_value(w: Any, kind: int, sub: Any, v: Any) -> None:
    if kind == K_INT:
        w.write_int(v)
    elif kind == K_LONG:
        w.write_long(v)
    elif kind == K_STRING:
        w.write_string(v)
    elif kind == K_BYTES:
        w.write_bytes(v)
    elif kind == K_OBJ:
        od = v._desc
        if od.tl_type != sub:
            raise _errors.tl_field_type("vector", "element", f"a {sub} object", v)
        w.write_uint(od.id)
        _write_body(w, od, v._v)
    elif kind == K_VEC or kind == K_BVEC:
        if not isinstance(v, (list, tuple)):
            raise _errors.not_sequence("vector", v)
        if kind == K_VEC:
            w.write_vector_header(len(v))
        else:
            w.write_count(len(v))
        ek = sub[0]
        es = sub[3]
        for x in v:
            _write_value(w, ek, es, x)
    elif kind == K_VLONG:
        w.write_vector_long(v)
    elif kind == K_VINT:
        w.write_vector_int(v)
    elif kind == K_BOOL:
        w.write_bool(v)
    elif kind == K_DOUBLE:
        w.write_double(v)
    elif kind == K_ANY:
        _write_any(w, v)
    elif kind == K_BARE:
        od = v._desc
        if od.id != sub:
            raise _errors.tl_field_type("bare", "value", f"constructor 0x{sub:08x}", v)
        _write_body(w, od, v._v)
    elif kind == K_INT128:
        w.write_int128(v)
    elif kind == K_INT256:
        w.write_int256(v)
    else:  # pragma: no cover
        raise AssertionError(kind)


def _write_any(w: Any, v: Any) -> None:
    # A complete boxed value.
    if v is True or v is False:
        w.write_bool(v)
        return
    if isinstance(v, RawVector):
        w.write_raw(v.data)
        return
    d = getattr(v, "_desc", None)
    if d is None:
        raise _errors.tl_not_object("value", v)
    if d.ops is not None:
        w.write_uint(d.id)
        _write_body(w, d, v._v)
    elif d.id == CONTAINER_ID:
        msgs = v._v[0]
        w.write_uint(CONTAINER_ID)
        w.write_count(len(msgs))
        for m in msgs:
            if not isinstance(m, MTMessage):
                raise _errors.tl_field_type("msg_container", "messages", "MTMessage", m)
            _write_message(w, m)
    elif d.id == MESSAGE_ID:
        _write_message(w, v)
    else:  # pragma: no cover
        raise _errors.tl_not_object("value", v)


def _write_message(w: Any, m: MTMessage) -> None:
    msg_id, seqno, body = m._v
    inner = Writer()
    _write_any(inner, body)
    data = inner.getvalue()
    w.write_long(msg_id)
    w.write_int(seqno)
    w.write_int(len(data))
    w.write_raw(data)


def encode(obj: Any) -> bytes:
    """
    Serialize a TL object boxed (a :class:`MTMessage` bare, as inside a
    container): ``bytes(obj)`` does the same.  Flags words are computed
    from which optional fields are set.

    :raises mtcore.exceptions.ArgumentTypeError: If obj is not a TL object,
        or a field (changed after construction) has the wrong type; the
        message names the field.
    :raises mtcore.exceptions.ArgumentValueError: If a field is out of range,
        or fields sharing a flag bit are not all set.
    """
    if _fast is not None:
        return _fast._tl_encode(obj)  # type: ignore[no-any-return]
    return _encode_py(obj)


def _encode_py(obj: Any) -> bytes:
    # encode() over the Python loops (the compiled encoder's fallback).
    w = Writer()
    d = getattr(obj, "_desc", None)
    if d is not None and d.ops is not None:
        w.write_uint(d.id)
        _write_body(w, d, obj._v)
    else:
        _write_any(w, obj)
    return w.getvalue()  # type: ignore[no-any-return]


def _use_compiled(on: bool) -> None:
    global _fast
    _fast = _CIMPL if on else None
    TLObject.__bytes__ = (  # type: ignore[method-assign]
        _CIMPL._tl_encode if _fast is not None else _TLObject_bytes
    )
    TLObject.__init__ = (  # type: ignore[method-assign]
        _CIMPL._tl_init if _fast is not None else _TLObject_init
    )


@contextlib.contextmanager
def _python_loops() -> Iterator[None]:
    """
    Run decode()/encode()/bytes(obj) and object construction over the
    Python loops for a while, even
    with the compiled backend (for tests and benchmarks: the compiled loops
    must give the same results and errors); private, not thread-safe.
    """
    was = _fast is not None
    _use_compiled(False)
    try:
        yield
    finally:
        _use_compiled(was)


_TLObject_bytes = TLObject.__bytes__
_TLObject_init = TLObject.__init__
if _CIMPL is not None:
    _CIMPL._tl_install(sys.modules[__name__])
    _use_compiled(True)
