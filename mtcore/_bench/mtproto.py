"""
The MTProto 2.0 family: one message encrypted (client to server) and
decrypted with every check (server to client), mtcore's rows (the default
functions, pack/unpack, every kernel pair, the pure twin) against
Telethon, Pyrogram and hypercrypto.  The message inputs (:func:`make_message`)
and the checks of random-padded packets serve the batch and drop-in
families too.
"""

from __future__ import annotations

import collections
import dataclasses
import functools
import importlib
import itertools
import random
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mtcore._bench.available import (
    PURE_MAX,
    api_attr,
    api_missing,
    backend_module,
    import_peer,
    mtproto_kernel,
    pair_missing,
    peers_missing,
    pure_api_missing,
    pure_twin,
)
from mtcore._bench.registry import (
    Args,
    Bench,
    Contender,
    KiB,
    Operation,
    Stmt,
    Unavailable,
    register,
)
from mtcore._bench.rivals import Rival, rival_missing, rival_module, rival_rows

#: The body sizes of the MTProto cases (the message body, a TL object; the
#: inner plaintext adds the 32-byte header).
MTPROTO_SIZES = (64, 1 * KiB, 512 * KiB)

#: The (AES, SHA) kernel pairs of the ``mtcore-<aes>+<sha>`` rows: each
#: architecture's AES kernels and the portable one with its SHA kernel and
#: with the portable one (x86-64's, then AArch64's; portable+portable once).
MTPROTO_KERNELS = tuple(
    dict.fromkeys(
        (a, s)
        for aes, sha in ((("vaes", "aesni", "ssse3vp"), "shani"), (("armaes", "neonvp"), "armsha"))
        for s in (sha, "portable")
        for a in (*aes, "portable")
    )
)

#: The unix time in the cases' msg_ids: fixed, so the inputs are the same
#: on every run (Telethon, which checks the time, is told the offset).
MSG_TIME = 1_750_000_000

HEADER = struct.Struct("<qqqii")  # salt, session_id, msg_id, seq_no, length
_UPLOAD_FILE = 0x096A18D5  # upload.file type:storage.FileType mtime:int bytes:bytes
_FILE_PARTIAL = 0x40BC6F52  # storage.filePartial


def upload_file_body(size: int, rng: random.Random) -> bytes:
    """
    A boxed ``upload.file`` (what ``upload.getFile`` returns) of exactly
    ``size`` bytes with random file bytes: a body Telethon and Pyrogram
    can parse, of any size that is a multiple of 4 from 16 bytes.
    """
    fixed = struct.pack("<IIi", _UPLOAD_FILE, _FILE_PARTIAL, MSG_TIME)
    room = size - len(fixed)
    if size % 4 or room < 4 or room == 256:
        raise ValueError(f"no upload.file body of {size} bytes")
    if room <= 254:  # TL bytes: 1-byte length, data, padding to 4
        n = room - 1
        return fixed + bytes([n]) + rng.randbytes(n)
    n = room - 4  # 0xfe, 3-byte length, data (a multiple of 4: no padding)
    return fixed + b"\xfe" + n.to_bytes(3, "little") + rng.randbytes(n)


@dataclass(frozen=True)
class MsgInputs(Args):
    """
    One MTProto message: the auth key, the header fields, the body, the
    inner plaintext (header + body) and the packet that carries it.

    ``from_client`` gives the direction (client messages have msg_id
    divisible by 4, server messages an odd one); ``packet`` is encrypted
    with a fixed padding by :func:`seal`, independently of
    ``mtcore.mtproto``.
    """

    auth_key: bytes
    salt: int
    session_id: int
    msg_id: int
    seq_no: int
    body: bytes
    from_client: bool
    plaintext: bytes
    packet: bytes


def seal(auth_key: bytes, data: bytes, from_client: bool) -> bytes:
    """
    key_id + msg_key + AES-IGE(data), data being the inner plaintext with
    its padding: the MTProto 2.0 formulas on hashlib and
    ``mtcore.aes.ige_encrypt`` (core.telegram.org/mtproto/description),
    to make the decrypt cases' packets without the code under test.
    """
    import hashlib

    import mtcore.aes

    x = 0 if from_client else 8
    # msg_key_large = SHA256(substr(auth_key, 88+x, 32) + plaintext + padding)
    msg_key = hashlib.sha256(auth_key[88 + x : 120 + x] + data).digest()[8:24]
    # sha256_a = SHA256(msg_key + substr(auth_key, x, 36))
    a = hashlib.sha256(msg_key + auth_key[x : x + 36]).digest()
    # sha256_b = SHA256(substr(auth_key, 40+x, 36) + msg_key)
    b = hashlib.sha256(auth_key[40 + x : 76 + x] + msg_key).digest()
    aes_key = a[:8] + b[8:24] + a[24:32]
    aes_iv = b[:8] + a[8:24] + b[24:32]
    key_id = hashlib.sha1(auth_key).digest()[12:20]
    return key_id + msg_key + mtcore.aes.ige_encrypt(data, aes_key, aes_iv)


@functools.cache
def make_message(size: int, from_client: bool) -> MsgInputs:
    """
    Deterministic inputs of an MTProto case: a body of ``size`` bytes.
    """
    rng = random.Random(f"mtcore-bench/mtproto/{size}/{from_client}")
    auth_key = rng.randbytes(256)
    salt = rng.getrandbits(64) - 2**63
    session_id = rng.getrandbits(64) - 2**63
    msg_id = (MSG_TIME << 32) | (rng.getrandbits(30) << 2) | (0 if from_client else 1)
    seq_no = 2 * rng.getrandbits(16) + 1
    body = upload_file_body(size, rng)
    plaintext = HEADER.pack(salt, session_id, msg_id, seq_no, len(body)) + body
    padding = rng.randbytes(12 + -(len(plaintext) + 12) % 16)
    packet = seal(auth_key, plaintext + padding, from_client)
    return MsgInputs(
        auth_key, salt, session_id, msg_id, seq_no, body, from_client, plaintext, packet
    )


def _message_key(i: MsgInputs) -> bytes:
    """
    What every decrypt contender returns, as bytes: msg_id + seq_no + body
    (Telethon and Pyrogram return neither salt nor session_id).
    """
    return struct.pack("<qi", i.msg_id, i.seq_no) + i.body


def check_packet(i: MsgInputs, packet: bytes) -> str | None:
    """
    An encrypted packet is right if mtcore decrypts it to the plaintext
    that went in (the padding is random, so no two packets are equal).
    """
    mt = mtcore_mtproto()
    try:
        got = mt.decrypt_message(
            mt.AuthKey(i.auth_key), packet, from_client=i.from_client
        )
    except Exception as exc:  # noqa: BLE001 -- the finding is the message
        return f"mtcore rejects the packet ({type(exc).__name__}: {exc})"
    if bytes(got) != i.plaintext:
        return "mtcore decrypts the packet to a different message"
    return None


def check_message(i: MsgInputs, got: bytes) -> str | None:
    if got != _message_key(i):
        return "the decrypted message (msg_id, seq_no, body) is not the one sent"
    return None


def mtcore_mtproto() -> Any:
    try:
        return importlib.import_module("mtcore.mtproto")
    except (ImportError, AttributeError) as exc:
        raise Unavailable(f"mtcore.mtproto does not import here ({exc})") from None


def _plaintext_key(i: MsgInputs, pt: Any) -> bytes:
    """
    decrypt_message's result (header + body) as :func:`_message_key`.
    """
    data = bytes(pt)
    return data[16:28] + data[32:]


def _message_obj_key(i: MsgInputs, m: Any) -> bytes:
    """
    unpack_message's :class:`Message` as :func:`_message_key`.
    """
    return struct.pack("<qi", m.msg_id, m.seq_no) + bytes(m.body)


def _mtcore_messages(encrypt: bool) -> list[Contender]:
    """
    mtcore's rows: the default (encrypt_message / decrypt_message), the
    header-building pair (pack_message / unpack_message), every kernel
    pair and the pure twin.
    """
    fname = "encrypt_message" if encrypt else "decrypt_message"
    pname = "pack_message" if encrypt else "unpack_message"

    def one(fn: Callable[..., Any], ak: Any, i: MsgInputs) -> Bench:
        if encrypt:
            return functools.partial(fn, ak, i.plaintext, from_client=i.from_client)
        return functools.partial(fn, ak, i.packet, from_client=i.from_client)

    def default(i: MsgInputs) -> Bench:
        return one(
            api_attr("mtcore.mtproto", fname),
            api_attr("mtcore.mtproto", "AuthKey")(i.auth_key),
            i,
        )

    def paired(i: MsgInputs) -> Bench:
        ak = api_attr("mtcore.mtproto", "AuthKey")(i.auth_key)
        fn = api_attr("mtcore.mtproto", pname)
        if encrypt:
            return functools.partial(
                fn,
                ak,
                salt=i.salt,
                session_id=i.session_id,
                msg_id=i.msg_id,
                seq_no=i.seq_no,
                body=i.body,
                from_client=i.from_client,
            )
        return functools.partial(
            fn, ak, i.packet, session_id=i.session_id, from_client=i.from_client
        )

    def kernel(aes: str, sha: str) -> Callable[[MsgInputs], Bench]:
        def make(i: MsgInputs) -> Bench:
            k = mtproto_kernel(aes, sha)
            return one(getattr(k, fname), backend_module().AuthKey(i.auth_key), i)

        return make

    def pure(i: MsgInputs) -> Bench:
        py = pure_twin()
        return one(getattr(py, fname), py.AuthKey(i.auth_key), i)

    out = None if encrypt else _plaintext_key
    return [
        Contender("mtcore", default, api_missing("AuthKey", fname), output=out),
        Contender(
            f"mtcore-{pname.split('_')[0]}",
            paired,
            api_missing("AuthKey", pname),
            output=None if encrypt else _message_obj_key,
        ),
        *(
            Contender(f"mtcore-{a}+{s}", kernel(a, s), pair_missing(a, s), output=out)
            for a, s in MTPROTO_KERNELS
        ),
        Contender(
            "mtcore-pure",
            pure,
            pure_api_missing("AuthKey", fname),
            PURE_MAX,
            output=out,
        ),
    ]


class _Loggers(dict):  # type: ignore[type-arg]
    """
    The logger mapping Telethon's MTProtoState takes (as its client's).
    """

    def __missing__(self, key: str) -> Any:
        import logging

        return logging.getLogger(key)


def telethon_state(i: MsgInputs, cls: Any = None) -> Any:
    """
    A Telethon MTProtoState on the case's key, salt and session, its clock
    offset set (as a server's time correction would) so that the msg_id is
    fresh now, and with no memory of seen msg_ids, so that every call
    decrypts the same packet anew rather than dropping it as a repeat.
    ``cls``: another MTProtoState class (Telethon's own by default, which
    needs cryptg).
    """
    if cls is None:
        import_peer("cryptg")  # without it Telethon falls back to slower AES
        cls = import_peer("telethon.network.mtprotostate").MTProtoState
    auth_key = import_peer("telethon.crypto").AuthKey(i.auth_key)
    state = cls(auth_key, _Loggers())
    state.salt = i.salt
    state.id = i.session_id
    state.time_offset = (i.msg_id >> 32) - int(time.time())
    state._recent_remote_ids = collections.deque(maxlen=0)
    return state


def telethon_message_key(i: MsgInputs, m: Any) -> bytes:
    if m is None:
        raise ValueError("Telethon dropped the message (returned None)")
    return struct.pack("<qi", m.msg_id, m.seq_no) + bytes(m.obj)


def _pyrogram() -> Any:
    import_peer("tgcrypto")  # without it Pyrogram falls back to pyaes
    return import_peer("pyrogram.crypto.mtproto")


class _Prebuilt:
    """
    A body for Pyrogram's Message whose ``write()`` returns bytes made
    once (a C call: Pyrogram would serialize a TL object there).
    """

    __slots__ = ("write",)

    def __init__(self, body: bytes) -> None:
        self.write = itertools.repeat(body).__next__


def auth_key_id_of(auth_key: bytes) -> bytes:
    import hashlib

    return hashlib.sha1(auth_key).digest()[-8:]


def _server_only(name: str, i: MsgInputs) -> None:
    if i.from_client:
        raise Unavailable(f"{name} decrypts only messages from the server")


def _telethon_decrypt() -> Contender:
    def make(i: MsgInputs) -> Bench:
        _server_only("Telethon", i)
        return functools.partial(telethon_state(i).decrypt_message_data, i.packet)

    return Contender(
        "telethon",
        make,
        peers_missing("telethon", "cryptg"),
        output=telethon_message_key,
    )


def pyrogram_pack_bench(pm: Any, i: MsgInputs) -> Bench:
    # pm.pack (pyrogram.crypto.mtproto) of the case, its body pre-serialized.
    message = import_peer("pyrogram.raw.core").Message(
        _Prebuilt(i.body), i.msg_id, i.seq_no, len(i.body)
    )
    return functools.partial(
        pm.pack,
        message,
        i.salt,
        struct.pack("<q", i.session_id),
        i.auth_key,
        auth_key_id_of(i.auth_key),
    )


def pyrogram_unpack_bench(pm: Any, i: MsgInputs) -> Bench:
    # pm.unpack of the case's packet, with a BytesIO per call as its
    # Session does.
    import io

    return Stmt(
        "unpack(BytesIO(packet), session_id, auth_key, key_id)",
        unpack=pm.unpack,
        BytesIO=io.BytesIO,
        packet=i.packet,
        session_id=struct.pack("<q", i.session_id),
        auth_key=i.auth_key,
        key_id=auth_key_id_of(i.auth_key),
    )


def pyrogram_output(i: MsgInputs, m: Any) -> bytes:
    # What a Message from unpack holds, in the bytes mtcore's rows give.
    return struct.pack("<qi", m.msg_id, m.seq_no) + bytes(m.body.write())


def _pyrogram_decrypt() -> Contender:
    def make(i: MsgInputs) -> Bench:
        _server_only("Pyrogram", i)
        return pyrogram_unpack_bench(_pyrogram(), i)

    return Contender(
        "pyrogram",
        make,
        peers_missing("pyrogram", "tgcrypto"),
        output=pyrogram_output,
    )


def _hypercrypto_decrypt(rival: Rival) -> Contender:
    def make(i: MsgInputs) -> Bench:
        hc = rival_module(rival)
        # It takes msg_key + ciphertext, without the auth_key_id.
        return functools.partial(
            hc.unpack_message, i.auth_key, i.packet[8:], i.from_client
        )

    def output(i: MsgInputs, pt: bytes) -> bytes:
        # It returns the plaintext with its padding: cut at the length field.
        (length,) = struct.unpack_from("<i", pt, 28)
        return pt[16:28] + pt[32 : 32 + length]

    return Contender(rival.name, make, rival_missing(rival), output=output)


def _pyrogram_shape_decrypt(rival: Rival) -> Contender:
    # unpack_message(packet, session_id, auth_key, auth_key_id) of a server
    # message, giving (msg_id, seq_no, length, body, ...).
    def make(i: MsgInputs) -> Bench:
        _server_only(rival.name, i)
        return functools.partial(
            rival_module(rival).unpack_message,
            i.packet,
            struct.pack("<q", i.session_id),
            i.auth_key,
            auth_key_id_of(i.auth_key),
        )

    def output(i: MsgInputs, m: Any) -> bytes:
        return struct.pack("<qi", m[0], m[1]) + bytes(m[3])

    return Contender(rival.name, make, rival_missing(rival), output=output)


def _reads_mtcore(
    peer: Contender, from_client: bool
) -> Callable[[MsgInputs], str | None]:
    """
    A cross check for an encrypt row: the peer's own decrypt must read a
    packet that mtcore's encrypt_message made (the direction the peer can
    decrypt: Telethon and Pyrogram read only server messages).
    """
    direction = "client to server" if from_client else "server to client"

    def cross(i: MsgInputs) -> str | None:
        base = make_message(len(i.body), from_client)
        mt = mtcore_mtproto()
        packet = mt.encrypt_message(
            mt.AuthKey(base.auth_key), base.plaintext, from_client=from_client
        )
        fed = dataclasses.replace(base, packet=packet)
        try:
            got = peer.result_bytes(fed, peer.make(fed)())
        except Unavailable:
            raise
        except Exception as exc:  # noqa: BLE001 -- the finding is the message
            return (
                f"its own decrypt rejects mtcore's packet ({direction}): "
                f"{type(exc).__name__}: {exc}"
            )
        if got != _message_key(fed):
            return f"its own decrypt reads mtcore's packet ({direction}) wrong"
        return None

    return cross


def _telethon_encrypt() -> Contender:
    def make(i: MsgInputs) -> Bench:
        # It takes msg_id + seq_no + length + body and adds salt + session_id.
        return functools.partial(
            telethon_state(i).encrypt_message_data, i.plaintext[16:]
        )

    return Contender(
        "telethon",
        make,
        peers_missing("telethon", "cryptg"),
        cross=_reads_mtcore(_telethon_decrypt(), from_client=False),
    )


def _pyrogram_encrypt() -> Contender:
    def make(i: MsgInputs) -> Bench:
        return pyrogram_pack_bench(_pyrogram(), i)

    return Contender(
        "pyrogram",
        make,
        peers_missing("pyrogram", "tgcrypto"),
        cross=_reads_mtcore(_pyrogram_decrypt(), from_client=False),
    )


def _hypercrypto_encrypt(rival: Rival) -> Contender:
    def make(i: MsgInputs) -> Bench:
        hc = rival_module(rival)
        return functools.partial(
            hc.pack_message, i.auth_key, i.plaintext, i.from_client
        )

    def output(i: MsgInputs, packet: bytes) -> bytes:
        # Its packet lacks the auth_key_id, which the caller prepends.
        return auth_key_id_of(i.auth_key) + packet

    return Contender(
        rival.name,
        make,
        rival_missing(rival),
        output=output,
        cross=_reads_mtcore(_hypercrypto_decrypt(rival), from_client=True),
    )


def _pyrogram_shape_encrypt(rival: Rival) -> Contender:
    # pack_message(msg_id, seq_no, body, salt, session_id, auth_key,
    # auth_key_id) of a client message: the whole packet.
    def make(i: MsgInputs) -> Bench:
        return functools.partial(
            rival_module(rival).pack_message,
            i.msg_id,
            i.seq_no,
            i.body,
            i.salt,
            struct.pack("<q", i.session_id),
            i.auth_key,
            auth_key_id_of(i.auth_key),
        )

    return Contender(
        rival.name,
        make,
        rival_missing(rival),
        cross=_reads_mtcore(_pyrogram_shape_decrypt(rival), from_client=False),
    )


def _message_rows(encrypt: bool) -> tuple[Contender, ...]:
    """
    mtcore's rows, then Telethon's, Pyrogram's and the rivals'.
    """
    telethon, pyrogram, hypercrypto, pyrogram_shape = (
        (
            _telethon_encrypt,
            _pyrogram_encrypt,
            _hypercrypto_encrypt,
            _pyrogram_shape_encrypt,
        )
        if encrypt
        else (
            _telethon_decrypt,
            _pyrogram_decrypt,
            _hypercrypto_decrypt,
            _pyrogram_shape_decrypt,
        )
    )
    return (
        *_mtcore_messages(encrypt),
        telethon(),
        pyrogram(),
        *rival_rows(mtproto_hypercrypto=hypercrypto, mtproto_pyrogram=pyrogram_shape),
    )


def _register_messages(
    encrypt: bool, title: str, notes: tuple[str, ...], **extra: Any
) -> None:
    # The direction of the cases: client to server for encryption.
    register(
        Operation(
            "mtproto_encrypt" if encrypt else "mtproto_decrypt",
            title,
            MTPROTO_SIZES,
            lambda size: make_message(size, encrypt),
            _message_rows(encrypt),
            notes=notes,
            **extra,
        )
    )


_register_messages(
    True,
    "MTProto 2.0 encrypt, client to server (size = message body)",
    (
        (
            "Inner plaintext = 32-byte header + a body (a boxed upload.file); "
            "random padding; the whole packet (auth_key_id + msg_key + "
            "ciphertext) into fresh bytes."
        ),
        (
            "mtcore: encrypt_message(AuthKey, plaintext); mtcore-pack: "
            "pack_message builds the header from its fields."
        ),
        (
            "telethon: MTProtoState.encrypt_message_data (cryptg), given the "
            "header without salt and session_id, which it adds; pyrogram: "
            "mtproto.pack (tgcrypto), its Message body pre-serialized; "
            "hypercrypto: pack_message, whose packet lacks the 8-byte "
            "auth_key_id (the caller's concatenation is not timed); "
            "warpcrypto, harukacrypto: pack_message(msg_id, seq_no, body, "
            "salt, session_id, auth_key, auth_key_id), as Pyrogram's pack."
        ),
        (
            "Checked: mtcore decrypts every packet to the plaintext that went "
            "in, and each peer's own decrypt reads mtcore's packet."
        ),
    ),
    check=check_packet,
    headline=MTPROTO_SIZES,
)
_register_messages(
    False,
    "MTProto 2.0 decrypt + checks, server to client (size = message body)",
    (
        (
            "mtcore: decrypt_message checks auth_key_id, length, msg_key (in "
            "constant time) and message_data_length/padding, returns header + "
            "body; mtcore-unpack adds session_id and msg_id parity, returns a "
            "Message."
        ),
        (
            "telethon: decrypt_message_data also parses the TL body into an "
            "upload.File and checks session_id, msg_id parity and time, but "
            "not the padding length; pyrogram: unpack (a BytesIO per call, as "
            "its Session does) parses the TL body too and checks session_id, "
            "padding and msg_id parity; hypercrypto: unpack_message checks "
            "msg_key only, is given the packet without its auth_key_id and "
            "returns the plaintext with its padding; warpcrypto, "
            "harukacrypto: unpack_message(packet, session_id, auth_key, "
            "auth_key_id) returns msg_id, seq_no, length and body."
        ),
    ),
    check=check_message,
    headline=(64, 512 * KiB),
)
