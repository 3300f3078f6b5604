"""
The schema-driven TL codec (core.telegram.org/mtproto/serialize): one
table-driven encoder and decoder for every combinator of a
:class:`~mtcore.tl.Schema`.

Three layers, each importing only those below it:

* ``mtcore._tlplan``: the plan -- op kinds, limits, :class:`Desc` (a
  compiled combinator), the storage base of objects, :class:`RawVector` and
  the checks of object construction;
* the loops that run plans: ``mtcore/_tlcodec.pyx`` (compiled) and
  ``mtcore._py.tlcodec`` (the pure twin), picked by ``mtcore._backend``
  with the rest of the backend (``tl_decode``, ``tl_encode``, ``tl_init``);
* this module: schema -> plans (:class:`Codec`, compiled on first use),
  the object classes (:class:`TLObject`, one subclass per combinator, whose
  ``__init__`` and ``__bytes__`` are the backend's own functions),
  :func:`decode` and :func:`encode`.

Each combinator is compiled once, on first use, into a :class:`Desc`: its
wire plan (a tuple of ops, see mtcore._tlplan) and a class whose
instances hold the field values in a list.
"""

from __future__ import annotations

import difflib
import functools
import keyword
import sys
import threading
from collections.abc import Iterator
from typing import Any, overload

from mtcore import _errors, _tlplan
from mtcore._backend import impl as _impl
from mtcore._typing import Buffer
from mtcore._tlplan import (
    MAX_DEPTH,
    MAX_OBJECTS,
    MAX_UNPACKED,
    PRIMITIVES,
    SPECIAL_NAMES,
    Desc,
    RawVector,
    TLBase,
    check,
)
from mtcore._wire import CONTAINER_ID, GZIP_ID, MESSAGE_ID
from mtcore.tl.registry import default_schema
from mtcore.tl.schema import ANY_TYPE, Combinator, Schema, TLType

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

# --- objects ------------------------------------------------------------------


class _TLMeta(type):
    # A constructor whose name is also a namespace (``types.updates`` and
    # ``types.updates.state``): the class answers for the namespace too.
    def __getattr__(cls, name: str) -> Any:
        ns = cls.__dict__.get("_namespace")
        if ns is None or name.startswith("__"):
            raise AttributeError(name)
        return getattr(ns, name)


class TLObject(TLBase, metaclass=_TLMeta):
    """
    The base of every TL object: one subclass per combinator, created from
    the schema on first use (``mtcore.tl.types.auth.loginToken``).

    Fields are attributes named as in the schema (a Python keyword gets a
    trailing ``_``: ``from_``).  An absent ``flags.N?T`` field is None, an
    absent ``flags.N?true`` field False.  ``bytes(obj)`` serializes the
    object boxed.
    """

    __slots__ = ()

    # The class's compiled plan (Desc.cplan), found by the compiled encoder.
    _cplan: Any = None
    #: The constructor number.
    tl_id: int
    #: The full name, ``"auth.loginToken"``.
    tl_name: str
    #: The type a constructor builds (``"auth.LoginToken"``); for a function
    #: its result type (``"auth.LoginToken"``, ``"Vector<long>"``).
    tl_type: str

    # The backend's own functions (compiled where the extension runs), so
    # that constructing and serializing cost no Python layer.
    __init__ = _impl.tl_init
    __bytes__ = _impl.tl_encode

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TLObject):
            return NotImplemented
        return type(self) is type(other) and self._v == other._v

    def __ne__(self, other: object) -> bool:
        if not isinstance(other, TLObject):
            return NotImplemented
        return type(self) is not type(other) or self._v != other._v

    __hash__ = None  # type: ignore[assignment]

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


def _field_property(i: int, doc: str) -> property:
    def get(self: TLObject) -> Any:
        return self._v[i]

    def set(self: TLObject, v: Any) -> None:
        d = self._desc
        op = d.field_ops[i]
        if v is None and op[1] >= 0:
            v = op[4]
        else:
            v = check(d, d.fields[i], op, v)
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


def _special_desc(cid: int, name: str, fields: tuple[str, ...], tl_type: str) -> Desc:
    d = Desc()
    d.id = cid
    d.name = name
    d.ops = None
    d.fields = d.tl_fields = fields
    d.field_ops = tuple((_tlplan.K_ANY, -1, 0, None, None) for _ in fields)
    # What the encoders compare with a field's type: not a name the schema
    # can have (the API has a type Message too, which a container's
    # message must not pass for).
    d.tl_type = f"{tl_type} (MTProto)"
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
    ``msg_container`` (core.telegram.org/mtproto/service_messages), not the API's ``message``.  The
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
            check(d, "msg_id", (_tlplan.K_LONG, -1, 0, None, None), msg_id),
            check(d, "seqno", (_tlplan.K_INT, -1, 0, None, None), seqno),
            check(d, "body", (_tlplan.K_ANY, -1, 0, None, None), body),
        ]

    msg_id = _field_property(0, "msg_id:long")
    seqno = _field_property(1, "seqno:int")
    body = _field_property(2, "body:Object")


MTMessage._desc.field_ops = (
    (_tlplan.K_LONG, -1, 0, None, None),
    (_tlplan.K_INT, -1, 0, None, None),
    (_tlplan.K_ANY, -1, 0, None, None),
)


class MessageContainer(TLObject):
    """
    ``msg_container#73f1f8dc messages:vector<message>`` (core.telegram.org/mtproto/service_messages).
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


# The most type texts whose ops a Codec keeps.
_TYPE_OPS_KEPT = 4096


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
        # type text -> its op (type_op, asked once per RPC answer decoded)
        self._type_ops: dict[str, tuple[Any, ...]] = {}
        self.types = Namespace(self, "", False)
        self.functions = Namespace(self, "", True)
        self._lock = threading.RLock()
        # The classes the loops make of the specials.
        self.message_cls = MTMessage
        self.container_cls = MessageContainer
        # The compiled loops' table of plans by id (None: pure backend).
        self.tables = _impl.tl_tables(self)

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
                    kind, sub, absent = _tlplan.K_TRUE, None, False
                else:
                    kind, sub = self._op(p.type)
                    absent = None
                sources[p.flag.word].append((len(field_ops), mask, p.is_true_flag))
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
                flags = tuple(sources[p.name])
                ops[i] = (_tlplan.K_FLAGS, -1, words[p.name], flags, None)
        d.ops = tuple(ops)
        d.field_ops = tuple(field_ops)
        d.fields = tuple(names)
        d.tl_fields = tuple(tl_names)
        d.nwords = len(words)
        d.absent = tuple(op[4] for op in field_ops)
        d.cls = _make_class(d)
        # the compiled loops' plan (None on the pure backend), which the
        # compiled encoder finds through the class
        d.cplan = d.cls._cplan = _impl.tl_plan(d)  # type: ignore[attr-defined]
        if c.id not in SPECIAL_NAMES and c.id != GZIP_ID:
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
                    return _tlplan.K_VLONG, None
                if a.name == "int" and a.arg is None:
                    return _tlplan.K_VINT, None
            ek, es = self._op(a)
            kind = _tlplan.K_VEC if t.name == "Vector" else _tlplan.K_BVEC
            return kind, (ek, -1, 0, es, None)
        name = t.name
        k = PRIMITIVES.get(name)
        if k is not None:
            return k, None
        if t.query or t.generic or name == ANY_TYPE:
            return _tlplan.K_ANY, None
        if name == "Bool" and not t.percent:
            return _tlplan.K_BOOL, None
        if t.percent:
            cons = self.schema.types[name]
            return _tlplan.K_BARE, cons[0].id
        if not t.boxed:
            return _tlplan.K_BARE, self.schema.constructors[name].id
        return _tlplan.K_OBJ, sys.intern(name)

    def type_op(self, text: str) -> tuple[Any, ...]:
        """
        The op that reads a value of the type written ``text``
        (``"Vector<long>"``, ``"User"``), or of the result of the function
        named ``text``.
        """
        op = self._type_ops.get(text)
        if op is not None:
            return op
        f = self.schema.functions.get(text)
        if f is not None:
            t = f.result
        else:
            from mtcore.tl.schema import _Parser

            t = _Parser(None)._type("", text, "decode", ())
        kind, sub = self._op(t)
        op = (kind, -1, 0, sub, None)
        if len(self._type_ops) >= _TYPE_OPS_KEPT:  # texts a caller makes up: bounded
            self._type_ops.clear()
        self._type_ops[text] = op
        return op


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
            near = difflib.get_close_matches(name, self.__dir__(), n=1, cutoff=0.6)
            raise _errors.tl_unknown_name(
                "function" if self._functions else "constructor or namespace",
                full,
                self._prefix + near[0] if near else None,
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


# --- decoding and encoding ---------------------------------------------------


@overload
def decode(
    data: Buffer,
    schema: Schema | None = None,
    *,
    type: None = None,
    max_unpacked: int | None = None,
    max_objects: int | None = None,
) -> TLObject | bool | RawVector: ...
@overload
def decode(
    data: Buffer,
    schema: Schema | None = None,
    *,
    type: str,
    max_unpacked: int | None = None,
    max_objects: int | None = None,
) -> Any: ...
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
    return _impl.tl_decode(
        c,
        data,
        op,
        MAX_UNPACKED if max_unpacked is None else max_unpacked,
        MAX_OBJECTS if max_objects is None else max_objects,
    )


#: Serialize a TL object boxed (a :class:`MTMessage` bare, as inside a
#: container): ``bytes(obj)`` does the same.  Flags words are computed from
#: which optional fields are set.  Raises ArgumentTypeError if obj is not a
#: TL object or a field (changed after construction) has the wrong type,
#: ArgumentValueError if a field is out of range or fields sharing a flag
#: bit are not all set; the message names the field.  The backend's own
#: function.
encode = _impl.tl_encode


class _Loops:
    """
    One backend's loops (``mtcore._py`` or ``mtcore._cmtcore``) with this
    module's signatures, whichever backend the objects' own methods come
    from: tests, fuzz targets and benchmarks compare the two with it.
    """

    def __init__(self, module: Any) -> None:
        self.module = module

    def decode(
        self,
        data: Any,
        schema: Schema | None = None,
        *,
        type: str | None = None,
        max_unpacked: int | None = None,
        max_objects: int | None = None,
    ) -> Any:
        c = codec_for(schema)
        return self.module.tl_decode(
            c,
            data,
            None if type is None else c.type_op(type),
            MAX_UNPACKED if max_unpacked is None else max_unpacked,
            MAX_OBJECTS if max_objects is None else max_objects,
        )

    def encode(self, obj: Any) -> bytes:
        return self.module.tl_encode(obj)  # type: ignore[no-any-return]

    def build(self, cls: type, /, *args: Any, **fields: Any) -> Any:
        # cls(**fields) with these loops' construction checks
        obj: Any = object.__new__(cls)
        self.module.tl_init(obj, *args, **fields)
        return obj
