"""
Pure-Python twin of ``mtcore/_tlcodec.pyx``: the loops of the schema-driven
TL codec over the plans of ``mtcore._tlplan`` (core.telegram.org/mtproto/
serialize).  The same reads in the same order as the compiled loops, the
same objects and the same errors (mtcore/_errors.py); the public layer is
mtcore.tl.codec, which makes the plans from a schema and whose object
classes take ``__init__`` and ``__bytes__`` from the backend
(``tl_init``, ``tl_encode``).

The hot loops read and write through the primitive reader and writer of
``mtcore._py.tlbuf`` (the unlocked classes: the loops' own are never
shared), find the method of a primitive kind in a list by kind and test
the other kinds with integer comparisons, and never format strings unless
they raise.  The service specials (``gzip_packed``,
``msg_container``, ``message``, a boxed ``Vector`` whose element type the
schema cannot say, ``Bool`` where any object may stand) are taken off the
slow path: their ids are never in the table of compiled combinators.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mtcore import _errors
from mtcore._py.tlbuf import _TLReader as Reader
from mtcore._py.tlbuf import _TLWriter as Writer
from mtcore._tlplan import (
    GZIP_STEP,
    K_ANY,
    K_BARE,
    K_BOOL,
    K_BVEC,
    K_FLAGS,
    K_INT256,
    K_OBJ,
    K_TRUE,
    K_VEC,
    K_VINT,
    K_VLONG,
    MAX_DEPTH,
    MISSING,
    PRIMITIVES,
    Desc,
    RawVector,
    boxed_desc,
    check,
    gunzip,
    limit,
)
from mtcore._wire import (
    BOOL_FALSE_ID,
    BOOL_TRUE_ID,
    CONTAINER_ID,
    GZIP_ID,
    MESSAGE_ID,
    VECTOR_ID,
)
from mtcore.exceptions import ArgumentTypeError, ArgumentValueError

if TYPE_CHECKING:
    from mtcore.tl.codec import Codec

_new = object.__new__


def _methods(cls: type, prefix: str) -> list[Any]:
    # The methods of cls for the kinds whose values are one call of a
    # reader's or writer's method (prefix + the TL type), by kind; None for
    # the other kinds.  The loops look them up instead of testing each kind.
    table: list[Any] = [None] * (K_INT256 + 1)
    for name, kind in {**PRIMITIVES, "bool": K_BOOL}.items():
        table[kind] = getattr(cls, prefix + name)
    return table


_WRITE = _methods(Writer, "write_")
_READ = _methods(Reader, "read_")
_FOREIGN_READ: dict[type, list[Any]] = {}


def _foreign_reads(r: Any) -> list[Any]:
    # The read methods by kind of a reader not a Reader: the compiled loops
    # hand read_body their own for the plans they do not run.
    cls = type(r)
    table = _FOREIGN_READ.get(cls)
    if table is None:
        table = _FOREIGN_READ[cls] = _methods(cls, "read_")
    return table


# --- object construction ------------------------------------------------------


def tl_init(self: Any, /, *args: Any, **fields: Any) -> None:
    """
    The fields of a new TL object, checked (``TLObject.__init__``).
    """
    d = self._desc
    if args:
        raise _errors.tl_positional(d.name, d.fields, len(args))
    vals = []
    for name, op in zip(d.fields, d.field_ops):
        v = fields.pop(name, MISSING)
        if v is MISSING or (v is None and op[1] >= 0):
            if op[1] < 0:
                raise _errors.tl_missing_field(d.name, name)
            v = op[4]
        else:
            v = check(d, name, op, v)
        vals.append(v)
    if fields:
        raise _errors.tl_unknown_field(d.name, next(iter(fields)))
    self._v = vals


def tl_tables(codec: Codec) -> Any:
    """
    The compiled loops' tables of a codec: none here.
    """
    return None


def tl_plan(desc: Desc) -> Any:
    """
    The compiled loops' plan of a Desc: none here.
    """
    return None


# --- decoding --------------------------------------------------------------------


class Decoding:
    # One decode() call: the codec's descriptors and what is left of the
    # call's budget (the compiled loops keep the same in a C struct).
    __slots__ = (
        "container_cls",
        "desc",
        "descs",
        "max_objects",
        "max_unpacked",
        "message_cls",
        "objects",
        "unpacked",
    )

    def __init__(self, c: Codec, max_unpacked: int, max_objects: int) -> None:
        self.descs = c.descs
        self.desc = c.desc
        self.message_cls = c.message_cls
        self.container_cls = c.container_cls
        self.max_unpacked = self.unpacked = max_unpacked
        self.max_objects = self.objects = max_objects


def _spend(x: Decoding, n: int, offset: int) -> None:
    # n more objects or vector elements, read at offset.
    if n > x.objects:
        raise _errors.tl_object_budget(x.max_objects, x.objects, n, offset)
    x.objects -= n


def read_body(x: Decoding, r: Any, d: Desc, depth: int) -> Any:
    # The fields of d (its constructor number already read).
    if depth > MAX_DEPTH:
        raise _errors.tl_too_deep(MAX_DEPTH, r.position)
    if x.objects <= 0:
        raise _errors.tl_object_budget(x.max_objects, x.objects, 1, r.position)
    x.objects -= 1
    vals: list[Any] = []
    append = vals.append
    fw = [0] * d.nwords
    reads = _READ if type(r) is Reader else _foreign_reads(r)
    for kind, word, mask, sub, absent in d.ops:  # type: ignore[union-attr]
        if word >= 0 and not fw[word] & mask:
            append(absent)
        elif (read := reads[kind]) is not None:
            append(read(r))
        elif kind == K_FLAGS:
            fw[mask] = r.read_uint()
        elif kind == K_OBJ:
            append(_read_obj(x, r, sub, depth))
        elif kind == K_TRUE:
            append(True)
        else:
            append(_read_value(x, r, kind, sub, depth))
    o: Any = _new(d.cls)
    o._v = vals
    return o


def _read_obj(x: Decoding, r: Any, tl_type: str, depth: int) -> Any:
    # A boxed object of type tl_type.
    cid = r.read_constructor()
    d = x.descs.get(cid)
    if d is None or d.tl_type is not tl_type:
        return _read_obj_slow(x, r, cid, tl_type, depth)
    return read_body(x, r, d, depth + 1)


def _read_obj_slow(
    x: Decoding, r: Any, cid: int, tl_type: str | None, depth: int
) -> Any:
    # A boxed object whose constructor is not compiled yet, is a special,
    # or is of another type than tl_type (None: any type).
    if cid == GZIP_ID:
        return _read_gzip(x, r, tl_type, depth)
    if tl_type is None:
        if cid == BOOL_TRUE_ID or cid == BOOL_FALSE_ID:
            return cid == BOOL_TRUE_ID
        if cid == VECTOR_ID:
            pos = r.position - 4
            r.seek(pos)
            r.read_vector_header()  # its count must fit the bytes left
            r.seek(pos)
            return RawVector(r.read_raw(r.remaining))
        if cid == CONTAINER_ID:
            return _read_container(x, r, depth)
    d = boxed_desc(x.desc, cid, tl_type, r.position - 4)
    return read_body(x, r, d, depth + 1)



def _read_any(x: Decoding, r: Any, depth: int) -> Any:
    cid = r.read_constructor()
    d = x.descs.get(cid)
    if d is None:
        return _read_obj_slow(x, r, cid, None, depth)
    return read_body(x, r, d, depth + 1)


def _read_value(x: Decoding, r: Any, kind: int, sub: Any, depth: int) -> Any:
    # One value of any kind but K_FLAGS/K_TRUE.
    read = (_READ if type(r) is Reader else _foreign_reads(r))[kind]
    if read is not None:
        return read(r)
    if kind == K_OBJ:
        return _read_obj(x, r, sub, depth)
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
    if kind == K_ANY:
        return _read_any(x, r, depth)
    if kind == K_BARE:
        d = x.desc(sub)
        return read_body(x, r, d, depth + 1)  # type: ignore[arg-type]
    raise AssertionError(kind)  # pragma: no cover


def _read_gzip(x: Decoding, r: Any, tl_type: str | None, depth: int) -> Any:
    pos = r.position - 4
    if depth + GZIP_STEP > MAX_DEPTH:
        raise _errors.tl_gzip_nested(pos)
    data = gunzip(r.read_bytes(), pos, x.unpacked, x.max_unpacked)
    x.unpacked -= len(data)
    inner = Reader(data)
    if tl_type is None:
        obj = _read_any(x, inner, depth + GZIP_STEP)
    else:
        obj = _read_obj(x, inner, tl_type, depth + GZIP_STEP)
    if not inner.at_end():
        raise _errors.tl_trailing("the gzip_packed payload", inner.position, len(data))
    return obj


def _read_container(x: Decoding, r: Any, depth: int) -> Any:
    pos = r.position
    n = r.read_count()
    _spend(x, n + 1, pos)
    msgs = []
    for _ in range(n):
        msgs.append(_read_message(x, r, depth + 1))
    o = _new(x.container_cls)
    o._v = [msgs]
    return o


def _read_message(x: Decoding, r: Any, depth: int) -> Any:
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
    o = _new(x.message_cls)
    o._v = [msg_id, seqno, body]
    return o


def tl_decode(
    c: Codec, data: Any, op: tuple[Any, ...] | None, max_unpacked: Any, max_objects: Any
) -> Any:
    """
    One complete value of data (a boxed one when op is None, else one of
    op's kind), within the budgets: :func:`mtcore.tl.decode`'s loops.
    """
    x = Decoding(c, limit("max_unpacked", max_unpacked), limit("max_objects", max_objects))
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
                fw[mask] = f
                w.write_uint(f)
                continue
            v = vals[i]
            i += 1
            if word >= 0:
                if not fw[word] & mask:
                    continue
                if v is absent:
                    raise _errors.tl_shared_flag(
                        d.name, d.fields[i - 1], _flag_text(d, i - 1)
                    )
            write = _WRITE[kind]
            if write is not None:
                write(w, v)
            elif kind == K_OBJ:
                od = v._desc
                if od.tl_type is not sub and od.tl_type != sub:
                    raise _errors.tl_field_type(
                        d.name, d.fields[i - 1], f"a {sub} object", v
                    )
                w.write_uint(od.id)
                _write_body(w, od, v._v)
            elif kind != K_TRUE:
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
    write = _WRITE[kind]
    if write is not None:
        write(w, v)
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
    elif kind == K_ANY:
        _write_any(w, v)
    elif kind == K_BARE:
        od = v._desc
        if od.id != sub:
            raise _errors.tl_field_type("bare", "value", f"constructor 0x{sub:08x}", v)
        _write_body(w, od, v._v)
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
            if getattr(getattr(m, "_desc", None), "id", None) != MESSAGE_ID:
                raise _errors.tl_field_type("msg_container", "messages", "MTMessage", m)
            _write_message(w, m)
    elif d.id == MESSAGE_ID:
        _write_message(w, v)
    else:  # pragma: no cover
        raise _errors.tl_not_object("value", v)


def _write_message(w: Any, m: Any) -> None:
    msg_id, seqno, body = m._v
    inner = Writer()
    _write_any(inner, body)
    data = inner.getvalue()
    w.write_long(msg_id)
    w.write_int(seqno)
    w.write_int(len(data))
    w.write_raw(data)


def tl_encode(obj: Any) -> bytes:
    """
    Serialize a TL object boxed (a ``message`` bare, as inside a
    container): :func:`mtcore.tl.encode` and ``bytes(obj)``.  Flags words
    are computed from which optional fields are set.
    """
    w = Writer()
    d = getattr(obj, "_desc", None)
    if d is not None and d.ops is not None:
        w.write_uint(d.id)
        _write_body(w, d, obj._v)
    else:
        _write_any(w, obj)
    return w.getvalue()
