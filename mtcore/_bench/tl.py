"""
The TL family: encode prebuilt objects, build and encode, and decode a
large response and one message, mtcore's codec (compiled, and its Python
loops over the pure twin) against Telethon and Pyrogram.
"""

from __future__ import annotations

import datetime
import functools
import importlib
import json
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mtcore import _backend
from mtcore._bench.available import (
    import_peer,
    peer_missing,
    pure_missing,
    pure_twin,
)
from mtcore._bench.mtproto import MSG_TIME
from mtcore._bench.registry import (
    Args,
    Bench,
    Contender,
    Operation,
    Stmt,
    Unavailable,
    register,
)

#: The bytes of each TL case as mtcore writes it (layer 229), which is the
#: size of its table (checked when the inputs are built: the inputs are
#: deterministic, so a change here means the case or the schema changed).
TL_SIZES = {
    "tl_encode_login_token": 68,
    "tl_build_login_token": 68,
    "tl_encode_send_message": 208,
    "tl_build_send_message": 208,
    "tl_decode_messages": 24_496,
    "tl_decode_message": 260,
}

_PYROGRAM_LAYER = (
    "pyrogram 2.0.106 speaks layer 158: it gets the same content in its own "
    "layer's constructors"
)


@dataclass(frozen=True)
class TLInputs(Args):
    """
    One TL case: the content as plain data (``spec``, built into each
    library's own objects by its contender), mtcore's bytes of it (layer
    229, which Telethon 1.45 speaks too) and Pyrogram's (its layer 158).
    """

    spec: Any
    data: bytes
    data_pyrogram: bytes


def _tl_text(rng: random.Random, n: int) -> str:
    words = (
        "the", "MTProto", "layer", "message", "sent", "from", "a", "client",
        "server", "über", "données", "привет", "мир", "telegram", "is", "fast",
        "and", "secure", "bytes", "of", "TL", "objects", "decode", "encode",
    )  # fmt: skip
    out: list[str] = []
    while sum(len(w) + 1 for w in out) < n:
        out.append(rng.choice(words))
    return " ".join(out)[:n]


def _tl_entities(rng: random.Random, text: str, count: int) -> list[tuple[Any, ...]]:
    # (kind, offset, length, url): offsets in UTF-16 units, as Telegram's.
    n = len(text.encode("utf-16-le")) // 2
    kinds = ("bold", "italic", "textUrl")
    out = []
    for k in range(count):
        offset = rng.randrange(0, max(1, n - 8))
        length = rng.randrange(1, min(8, n - offset) + 1)
        url = f"https://example.org/{rng.getrandbits(32):08x}"
        kind = kinds[k % len(kinds)]
        out.append((kind, offset, length, url if kind == "textUrl" else None))
    return out


def _tl_login_spec() -> dict[str, Any]:
    rng = random.Random("mtcore-bench/tl/exportLoginToken")
    return {
        "api_id": rng.randrange(1, 1 << 24),
        "api_hash": rng.randbytes(16).hex(),
        "except_ids": [rng.getrandbits(40) for _ in range(2)],
    }


def _tl_send_spec() -> dict[str, Any]:
    rng = random.Random("mtcore-bench/tl/sendMessage")
    text = _tl_text(rng, 80)
    return {
        "user_id": rng.getrandbits(40),
        "access_hash": rng.getrandbits(64) - (1 << 63),
        "message": text,
        "random_id": rng.getrandbits(64) - (1 << 63),
        "entities": _tl_entities(rng, text, 3),
    }


def _tl_messages_spec() -> dict[str, Any]:
    rng = random.Random("mtcore-bench/tl/messages.messages")
    me = rng.getrandbits(40)
    users = []
    for _ in range(20):
        users.append(
            {
                "id": rng.getrandbits(40),
                "access_hash": rng.getrandbits(64) - (1 << 63),
                "first_name": rng.choice(("Alice", "Bob", "Иван", "Zoë", "Mohammed")),
                "last_name": rng.choice(("Smith", "Müller", "Петров", "Dupont")),
                "username": f"user_{rng.getrandbits(32):x}",
                "phone": str(rng.randrange(10**10, 10**11)),
                "photo_id": rng.getrandbits(63),
                "dc_id": rng.randrange(1, 6),
                "stripped_thumb": rng.randbytes(rng.randrange(40, 80)),
                "was_online": MSG_TIME - rng.randrange(0, 86400),
            }
        )
    messages = []
    for k in range(100):
        text = _tl_text(rng, rng.randrange(60, 200))
        sender = rng.choice(users)["id"]
        out = sender == me
        messages.append(
            {
                "id": 100_000 + k,
                "out": out,
                "from_id": sender,
                "peer_id": me if not out else users[0]["id"],
                "date": MSG_TIME - 60 * (100 - k),
                "message": text,
                "entities": _tl_entities(rng, text, rng.choice((0, 0, 1, 3))),
                "edit_date": MSG_TIME if k % 7 == 0 else None,
            }
        )
    return {"messages": messages, "users": users}


class _Call:
    """
    An object not built yet: its class and fields (values, other calls,
    lists of them).  :func:`_realize` builds it; :func:`_call_expr` writes
    the expression that builds it, for a build-and-encode :class:`Stmt`.
    """

    __slots__ = ("cls", "fields")

    def __init__(self, cls: Any, fields: dict[str, Any]) -> None:
        self.cls = cls
        self.fields = fields


def _realize(v: Any) -> Any:
    if isinstance(v, _Call):
        return v.cls(**{k: _realize(x) for k, x in v.fields.items()})
    if isinstance(v, list):
        return [_realize(x) for x in v]
    return v


def _call_expr(v: Any, names: dict[str, Any]) -> str:
    # The expression text; classes and values become names in ``names``.
    if isinstance(v, _Call):
        c = f"C{len(names)}"
        names[c] = v.cls
        args = ", ".join(f"{k}={_call_expr(x, names)}" for k, x in v.fields.items())
        return f"{c}({args})"
    if isinstance(v, list):
        return "[" + ", ".join(_call_expr(x, names) for x in v) + "]"
    if v is None or v is True or v is False or isinstance(v, int):
        return repr(v)
    n = f"v{len(names)}"
    names[n] = v
    return n


class _TLBuild:
    """
    A case's content as one library's objects (as :class:`_Call` s, built
    with :func:`_realize`): ``mtcore`` (the types/functions namespaces of a
    codec), ``telethon`` (layer 229) and ``pyrogram`` (its layer 158).
    """

    def __init__(self, lib: str, codec: Any = None) -> None:
        self.lib = lib
        if lib == "mtcore":
            c = codec if codec is not None else importlib.import_module("mtcore.tl")
            self.t = c.types
            self.f = c.functions
        elif lib == "telethon":
            self.t = import_peer("telethon.tl.types")
            self.f = import_peer("telethon.tl.functions")
        else:
            self.t = import_peer("pyrogram.raw.types")
            self.f = import_peer("pyrogram.raw.functions")

    def _cls(self, function: bool, name: str) -> Any:
        # "auth.exportLoginToken": ns.auth.exportLoginToken (mtcore),
        # ns.auth.ExportLoginToken (pyrogram), ...Request (telethon).
        ns = self.f if function else self.t
        *path, last = name.split(".")
        for p in path:
            ns = getattr(ns, p)
        if self.lib == "mtcore":
            return getattr(ns, last)
        last = last[0].upper() + last[1:]
        if self.lib == "telethon" and function:
            last += "Request"
        return getattr(ns, last)

    def type(self, name: str, **fields: Any) -> _Call:
        return _Call(self._cls(False, name), fields)

    def func(self, name: str, **fields: Any) -> _Call:
        return _Call(self._cls(True, name), fields)

    def entity(self, e: tuple[Any, ...]) -> _Call:
        kind, offset, length, url = e
        name = "messageEntity" + kind[0].upper() + kind[1:]
        if url is not None:
            return self.type(name, offset=offset, length=length, url=url)
        return self.type(name, offset=offset, length=length)

    def date(self, t: int | None) -> Any:
        # Telethon takes and gives dates as datetimes.
        if t is None or self.lib != "telethon":
            return t
        return datetime.datetime.fromtimestamp(t, datetime.timezone.utc)

    def login(self, s: dict[str, Any]) -> _Call:
        return self.func(
            "auth.exportLoginToken",
            api_id=s["api_id"],
            api_hash=s["api_hash"],
            except_ids=list(s["except_ids"]),
        )

    def send(self, s: dict[str, Any]) -> _Call:
        return self.func(
            "messages.sendMessage",
            peer=self.type(
                "inputPeerUser", user_id=s["user_id"], access_hash=s["access_hash"]
            ),
            message=s["message"],
            random_id=s["random_id"],
            entities=[self.entity(e) for e in s["entities"]],
        )

    def message(self, m: dict[str, Any]) -> _Call:
        fields: dict[str, Any] = {
            "id": m["id"],
            "peer_id": self.type("peerUser", user_id=m["peer_id"]),
            "date": self.date(m["date"]),
            "message": m["message"],
            "from_id": self.type("peerUser", user_id=m["from_id"]),
        }
        if m["out"]:
            fields["out"] = True
        if m["entities"]:
            fields["entities"] = [self.entity(e) for e in m["entities"]]
        if m["edit_date"] is not None:
            fields["edit_date"] = self.date(m["edit_date"])
        return self.type("message", **fields)

    def user(self, u: dict[str, Any]) -> _Call:
        return self.type(
            "user",
            id=u["id"],
            access_hash=u["access_hash"],
            first_name=u["first_name"],
            last_name=u["last_name"],
            username=u["username"],
            phone=u["phone"],
            photo=self.type(
                "userProfilePhoto",
                photo_id=u["photo_id"],
                dc_id=u["dc_id"],
                stripped_thumb=u["stripped_thumb"],
            ),
            status=self.type(
                "userStatusOffline", was_online=self.date(u["was_online"])
            ),
        )

    def messages(self, s: dict[str, Any]) -> _Call:
        fields: dict[str, Any] = {
            "messages": [self.message(m) for m in s["messages"]],
            "chats": [],
            "users": [self.user(u) for u in s["users"]],
        }
        if self.lib != "pyrogram":  # topics: after layer 158
            fields["topics"] = []
        return self.type("messages.messages", **fields)

    def build(self, what: str, spec: Any) -> Any:
        return _realize(getattr(self, what)(spec))


def _tl_write(obj: Any) -> bytes:
    # Pyrogram's objects serialize with write(), the others with bytes().
    write = getattr(obj, "write", None)
    return bytes(write() if callable(write) else obj)


_TL_SPECS: dict[str, tuple[Callable[[], Any], str]] = {
    "tl_encode_login_token": (_tl_login_spec, "login"),
    "tl_build_login_token": (_tl_login_spec, "login"),
    "tl_encode_send_message": (_tl_send_spec, "send"),
    "tl_build_send_message": (_tl_send_spec, "send"),
    "tl_decode_messages": (_tl_messages_spec, "messages"),
    "tl_decode_message": (
        lambda: next(
            m for m in _tl_messages_spec()["messages"] if len(m["entities"]) == 3
        ),
        "message",
    ),
}


@functools.cache
def make_tl(op_name: str) -> TLInputs:
    """
    The inputs of a TL case: its content, mtcore's bytes of it and, when
    Pyrogram is installed, Pyrogram's (else empty).
    """
    make_spec, what = _TL_SPECS[op_name]
    spec = make_spec()
    data = _tl_write(_TLBuild("mtcore").build(what, spec))
    if len(data) != TL_SIZES[op_name]:
        raise ValueError(
            f"{op_name}: mtcore wrote {len(data)} bytes, TL_SIZES says "
            f"{TL_SIZES[op_name]} (the case or the schema changed: update TL_SIZES)"
        )
    try:
        data_pyrogram = _tl_write(_TLBuild("pyrogram").build(what, spec))
    except Unavailable:
        data_pyrogram = b""
    return TLInputs(spec, data, data_pyrogram)


def _tl_pure_missing() -> str | None:
    reason = pure_missing()
    if reason is not None:
        return reason
    from mtcore.tl import codec

    if not str(codec.__file__).endswith(".py"):
        return (
            "mtcore.tl.codec is compiled here: its Writer/Reader cannot be swapped "
            "for the pure twin's"
        )
    return None


@functools.cache
def _pure_codec() -> Any:
    """
    A second copy of ``mtcore.tl.codec`` loaded over the pure twin: its
    objects and loops the twin's, the codec as it runs under
    ``MTCORE_PUREPYTHON=1``, side by side with the compiled one.
    """
    reason = _tl_pure_missing()
    if reason is not None:
        raise Unavailable(reason)
    import importlib.util
    import types

    from mtcore.tl import codec

    name = "mtcore._bench_pure_tl_codec"
    spec = importlib.util.spec_from_file_location(name, codec.__file__)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    py = pure_twin()
    # The copy's ``from mtcore._backend import impl`` must find the pure
    # twin, as under MTCORE_PUREPYTHON=1.
    shim = types.ModuleType("mtcore._backend")
    shim.__dict__.update(vars(_backend))
    shim.impl = py  # type: ignore[attr-defined]
    sys.modules[name] = mod
    real = sys.modules["mtcore._backend"]
    sys.modules["mtcore._backend"] = shim
    try:
        spec.loader.exec_module(mod)
    finally:
        sys.modules["mtcore._backend"] = real
    # Its objects and loops must be the pure twin's.
    if mod.TLObject.__init__ is not py.tl_init:
        raise Unavailable("the codec copy did not take the pure twin's loops")
    return mod


def _pyrogram_send_output(i: TLInputs, result: Any) -> bytes:
    # Layer 158's sendMessage has another constructor number; with no
    # reply_to the rest of the bytes are the same as layer 229's.
    return i.data[:4] + bytes(result)[4:]


def _tl_encode_contenders(what: str, build: bool) -> list[Contender]:
    """
    mtcore, its codec over the pure twin, Telethon and Pyrogram: encode a
    prebuilt object, or (``build``) build it from plain values (nested
    objects too) and encode it, as one inlined expression.
    """

    def row(lib: str, how: str) -> Callable[[TLInputs], Bench]:
        # how: "encode" (codec.encode(obj)), "_bytes" / "write" (a method)
        def make(i: TLInputs) -> Bench:
            codec = _pure_codec() if lib == "mtcore-pure" else None
            b = _TLBuild(lib.partition("-")[0], codec and codec.codec_for())
            call = getattr(b, what)(i.spec)
            enc = None
            if how == "encode":
                enc = (
                    codec.encode
                    if codec
                    else importlib.import_module("mtcore.tl").encode
                )
            if build:
                names: dict[str, Any] = {}
                expr = _call_expr(call, names)
                if enc is not None:
                    return Stmt(f"enc({expr})", enc=enc, **names)
                return Stmt(f"{expr}.{how}()", **names)
            obj = _realize(call)
            if enc is not None:
                return functools.partial(enc, obj)
            return functools.partial(getattr(obj, how))

        return make

    return [
        Contender("mtcore", row("mtcore", "encode")),
        Contender("mtcore-pure", row("mtcore-pure", "encode"), _tl_pure_missing),
        Contender("telethon", row("telethon", "_bytes"), peer_missing("telethon")),
        Contender(
            "pyrogram",
            row("pyrogram", "write"),
            peer_missing("pyrogram"),
            output=_pyrogram_send_output if what == "send" else None,
        ),
    ]


def _tl_date(t: Any) -> Any:
    return int(t.timestamp()) if isinstance(t, datetime.datetime) else t


def _tl_peer(p: Any) -> Any:
    return None if p is None else p.user_id


def _tl_message_key(m: Any) -> list[Any]:
    return [
        m.id,
        bool(m.out),
        _tl_peer(m.from_id),
        _tl_peer(m.peer_id),
        _tl_date(m.date),
        m.message,
        [
            [type(e).__name__.lower(), e.offset, e.length, getattr(e, "url", None)]
            for e in (m.entities or ())
        ],
        _tl_date(m.edit_date),
    ]


def _tl_user_key(u: Any) -> list[Any]:
    return [
        u.id,
        u.access_hash,
        u.first_name,
        u.last_name,
        u.username,
        u.phone,
        u.photo.photo_id,
        u.photo.dc_id,
        bytes(u.photo.stripped_thumb).hex(),
        _tl_date(u.status.was_online),
    ]


def _tl_decoded_key(what: str) -> Callable[[TLInputs, Any], bytes]:
    """
    What a decode contender's result is compared by: the fields the case
    set, read back by name (the same names in all three libraries; dates as
    unix times), as JSON.  Pyrogram decodes its own layer's bytes, so bytes
    cannot be compared; mtcore's own round trip is in the tests.
    """

    def output(i: TLInputs, obj: Any) -> bytes:
        if what == "message":
            key: Any = _tl_message_key(obj)
        else:
            key = {
                "messages": [_tl_message_key(m) for m in obj.messages],
                "chats": len(obj.chats),
                "users": [_tl_user_key(u) for u in obj.users],
            }
        return json.dumps(key, ensure_ascii=False).encode()

    return output


def _tl_decode_contenders(what: str) -> list[Contender]:
    def mtcore_row(i: TLInputs) -> Bench:
        return functools.partial(importlib.import_module("mtcore.tl").decode, i.data)

    def pure_row(i: TLInputs) -> Bench:
        return functools.partial(_pure_codec().decode, i.data)

    def telethon_row(i: TLInputs) -> Bench:
        reader = import_peer("telethon.extensions").BinaryReader
        return Stmt("R(d).tgread_object()", R=reader, d=i.data)

    def pyrogram_row(i: TLInputs) -> Bench:
        import io

        if not i.data_pyrogram:
            raise Unavailable("pyrogram is not installed")
        read = import_peer("pyrogram.raw.core").TLObject.read
        return Stmt("read(B(d))", read=read, B=io.BytesIO, d=i.data_pyrogram)

    def telethon_same_bytes(i: TLInputs) -> str | None:
        # Telethon (layer 229 too) builds the case into mtcore's bytes.
        mine = _tl_write(_TLBuild("telethon").build(what, i.spec))
        return None if mine == i.data else "Telethon builds the case into other bytes"

    out = _tl_decoded_key(what)
    return [
        Contender("mtcore", mtcore_row, output=out),
        Contender("mtcore-pure", pure_row, _tl_pure_missing, output=out),
        Contender(
            "telethon",
            telethon_row,
            peer_missing("telethon"),
            output=out,
            cross=telethon_same_bytes,
        ),
        Contender("pyrogram", pyrogram_row, peer_missing("pyrogram"), output=out),
    ]


def _tl_input_size(i: TLInputs, contender: str) -> int:
    """
    The bytes a decode contender reads (Pyrogram: its layer's).
    """
    return len(i.data_pyrogram if contender == "pyrogram" else i.data)


_TL_ENCODE_NOTES = (
    "mtcore: mtcore.tl.encode(obj) (bytes(obj) adds a __bytes__ call); "
    "mtcore-pure: the codec as under MTCORE_PUREPYTHON=1 (Python loops, pure "
    "Writer); telethon: obj._bytes(); pyrogram: obj.write()."
)
_TL_BUILD_NOTES = (
    "Build the object from plain values (nested objects too), then encode: "
    "mtcore: encode(functions.<ns>.<name>(**fields)) (fields checked); "
    "telethon: <Name>Request(...)._bytes(); pyrogram: <Name>(...).write()."
)


def _register_tl(
    name: str,
    title: str,
    contenders: list[Contender],
    notes: tuple[str, ...],
    headline: bool = False,
    **extra: Any,
) -> None:
    # One TL case: one size, the bytes mtcore writes of it.
    size = TL_SIZES[name]
    register(
        Operation(
            name,
            title,
            (size,),
            lambda size: make_tl(name),
            tuple(contenders),
            notes=notes,
            headline=(size,) if headline else (),
            **extra,
        )
    )


_register_tl(
    "tl_encode_login_token",
    "TL encode auth.exportLoginToken, prebuilt object (2 except_ids)",
    _tl_encode_contenders("login", build=False),
    (_TL_ENCODE_NOTES,),
)
_register_tl(
    "tl_build_login_token",
    "TL build + encode auth.exportLoginToken (2 except_ids)",
    _tl_encode_contenders("login", build=True),
    (_TL_BUILD_NOTES,),
)
_register_tl(
    "tl_encode_send_message",
    "TL encode messages.sendMessage with 3 entities, prebuilt object",
    _tl_encode_contenders("send", build=False),
    (
        _TL_ENCODE_NOTES,
        (
            f"{_PYROGRAM_LAYER}; its bytes differ from layer 229's only in "
            "sendMessage's constructor number (checked)."
        ),
    ),
    headline=True,
)
_register_tl(
    "tl_build_send_message",
    "TL build + encode messages.sendMessage with 3 entities",
    _tl_encode_contenders("send", build=True),
    (_TL_BUILD_NOTES,),
    headline=True,
)
_register_tl(
    "tl_decode_messages",
    "TL decode messages.messages: 100 messages, 20 users",
    _tl_decode_contenders("messages"),
    (
        (
            "mtcore: mtcore.tl.decode(data); mtcore-pure: the codec as under "
            "MTCORE_PUREPYTHON=1 (Python loops, pure Reader); telethon: "
            "BinaryReader(data).tgread_object(); pyrogram: "
            "TLObject.read(BytesIO(data))."
        ),
        (
            f"{_PYROGRAM_LAYER}. Checked: every field the case sets (ids, "
            "texts, dates, entities, users) reads back equal."
        ),
    ),
    headline=True,
    memory=_tl_input_size,
)
_register_tl(
    "tl_decode_message",
    "TL decode one message (text, 3 entities)",
    _tl_decode_contenders("message"),
    ("As the 100-message case, one message of it.",),
)
