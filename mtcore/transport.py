"""
MTProto transports, sans-I/O (core.telegram.org/mtproto/mtproto-transports):
the four TCP framings, their obfuscation (obfuscated2) and MTProxy secrets.

A codec turns payloads into the bytes a socket carries (:meth:`encode`) and
bytes read from a socket, in any chunks, into :class:`Frame` events
(:meth:`feed`).  It opens no socket and reads no clock::

    codec = transport.Intermediate()           # a client; server=True for a server
    sock.sendall(codec.encode(packet))         # the first frame carries the prefix
    for frame in codec.feed(sock.recv(65536)):
        if isinstance(frame, transport.Packet):
            ...                                # frame.payload: one MTProto packet
        elif isinstance(frame, transport.TransportFailure):
            ...                                # frame.code: 404, 429, 444 ...

    stream = transport.Obfuscated(transport.Intermediate(), dc_id=2)
    sock.sendall(stream.encode(packet))        # the 64-byte header, then AES-CTR

Input the framing cannot take raises a :class:`~mtcore.exceptions.TransportError`
subclass; the codec never allocates the length a header claims (it buffers
what arrived, at most ``max_frame`` bytes a frame) and refuses any further
input after such an error.

Every codec is safe to share between threads: each call holds the object's
lock, so calls never interleave inside the codec (the order of the bytes is
then the callers' business, as with a socket).
"""

from __future__ import annotations

import os
import struct
import threading
import zlib
from typing import Any, Optional, Union

from mtcore import _errors
from mtcore import aes as _aes
from mtcore import hashes as _hashes
from mtcore import mtproto as _mtproto
from mtcore._args import int_arg
from mtcore._typing import Buffer
from mtcore.exceptions import TransportError

__all__ = [
    "MAX_FRAME",
    "Abridged",
    "Frame",
    "Full",
    "Intermediate",
    "Obfuscated",
    "Packet",
    "PaddedIntermediate",
    "ProxySecret",
    "QuickAck",
    "TransportFailure",
    "parse_proxy_secret",
    "quick_ack_token",
    "server_codec",
]

#: The default ``max_frame``: the largest payload a codec accepts, 16 MiB
#: (tdlib's TcpTransport refuses 2**24 bytes and more).
MAX_FRAME = 1 << 24

_U32 = struct.Struct("<I")
_I32 = struct.Struct("<i")
_U32_BE = struct.Struct(">I")
_I16 = struct.Struct("<h")
_FULL_HEAD = struct.Struct("<iI")


# --- events -------------------------------------------------------------------


class Frame:
    """
    The base of what :meth:`feed` returns: a :class:`Packet`, a
    :class:`QuickAck` or a :class:`TransportFailure`.
    """

    __slots__ = ()

    def _key(self) -> tuple[Any, ...]:
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self) or not isinstance(other, Frame):
            return NotImplemented
        return bool(self._key() == other._key())

    def __hash__(self) -> int:
        return hash((type(self), self._key()))


class Packet(Frame):
    """
    One payload: an MTProto packet (encrypted, or unencrypted during the key
    exchange).

    :ivar payload: its bytes.
    :ivar quick_ack: on the server side, whether the client asked for a
        quick ack of it (always False on the client side).
    :ivar padded: whether the payload may end with up to 15 bytes of
        padding (the padded intermediate framing, whose length field counts
        them): an encrypted packet is then the first ``24 + 16k`` bytes,
        which :meth:`mtcore.session.Session.receive` takes care of.
    """

    __slots__ = ("padded", "payload", "quick_ack")

    payload: bytes
    quick_ack: bool
    padded: bool

    def __init__(self, payload: bytes, quick_ack: bool = False, padded: bool = False) -> None:
        self.payload = payload
        self.quick_ack = quick_ack
        self.padded = padded

    def _key(self) -> tuple[Any, ...]:
        return (self.payload, self.quick_ack, self.padded)

    def __repr__(self) -> str:
        flags = "".join(
            f", {name}=True" for name in ("quick_ack", "padded") if getattr(self, name)
        )
        return f"Packet(<{len(self.payload)} bytes>{flags})"


class QuickAck(Frame):
    """
    The server's quick acknowledgment of a packet the client sent with
    ``quick_ack=True``: :func:`quick_ack_token` of that packet.

    :ivar token: the 32-bit value, top bit set, as sent.
    """

    __slots__ = ("token",)

    token: int

    def __init__(self, token: int) -> None:
        self.token = token

    def _key(self) -> tuple[Any, ...]:
        return (self.token,)

    def __repr__(self) -> str:
        return f"QuickAck(0x{self.token:08x})"


class TransportFailure(Frame):
    """
    A transport error sent by the server in place of a packet: a 4-byte
    payload holding a negative int32, ``-code``.  The server closes the
    connection after it.

    :ivar code: the positive code: 404 (the auth key is not known to this
        DC), 429 (too many connections or transport flood), 444 (invalid
        DC), ...
    """

    __slots__ = ("code",)

    code: int

    #: What the usual codes mean.
    DESCRIPTIONS = {
        403: "forbidden",
        404: "auth key not found",
        429: "transport flood (too many connections or messages)",
        444: "invalid DC",
    }

    def __init__(self, code: int) -> None:
        self.code = code

    @property
    def description(self) -> str:
        """
        What the code means, or ``"unknown transport error"``.
        """
        return self.DESCRIPTIONS.get(self.code, "unknown transport error")

    def _key(self) -> tuple[Any, ...]:
        return (self.code,)

    def __repr__(self) -> str:
        return f"TransportFailure({self.code})"


for _cls in (Frame, Packet, QuickAck, TransportFailure):
    _cls.__module__ = __name__


# --- helpers ------------------------------------------------------------------


def _view(name: str, obj: Any) -> memoryview:
    """
    A flat byte view of obj (the caller releases it), or the usual errors.
    """
    try:
        view = memoryview(obj)
    except TypeError:
        raise _errors.not_buffer(name, obj) from None
    if not view.c_contiguous:
        view.release()
        raise _errors.not_contiguous(name)
    if view.ndim != 1 or view.format != "B":
        flat = view.cast("B") if view.nbytes else memoryview(b"")
        view.release()
        view = flat
    return view


def _again(exc: TransportError) -> TransportError:
    # The error of a broken stream, raised anew (with no frames).
    again = type(exc)(*exc.args)
    again.frames = []
    return again


def _padding_arg(padding: Optional[Buffer]) -> Optional[bytes]:
    if padding is None:
        return None
    with _view("padding", padding) as view:
        if len(view) > 15:
            raise _errors.out_of_range("len(padding)", 0, 15, len(view))
        return view.tobytes()


def quick_ack_token(auth_key: Union[_mtproto.AuthKey, Buffer], packet: Buffer) -> int:
    """
    The quick-ack token of a client's encrypted packet: the first 4 bytes
    of ``msg_key_large = SHA256(auth_key[88:120] + plaintext_with_padding)``
    read little-endian, top bit set (core.telegram.org/mtproto/mtproto-transports,
    "Quick ack"; tdlib's Transport.cpp computes it the same way).  A server
    answers a quick-ack request with it (:meth:`Intermediate.encode_quick_ack`);
    a client matches a :class:`QuickAck` against it.

    The packet (without the padded intermediate framing's padding: its
    first ``24 + 16k`` bytes) is decrypted and checked to get the plaintext.

    :raises mtcore.exceptions.SecurityError: the packet is not the key's.
    """
    key = auth_key if isinstance(auth_key, _mtproto.AuthKey) else _mtproto.AuthKey(auth_key)
    with _view("packet", packet) as view:
        out = bytearray(max(len(view) - 24, 0))
        _mtproto.decrypt_message_into(key, view, out, from_client=True)
    large = _hashes.sha256(bytes(key)[88:120], out)
    return int(_U32.unpack_from(large)[0]) | 0x80000000


# --- framings ---------------------------------------------------------------------


class _Framing:
    """
    What the four framings share: the prefix, the lock, the receive buffer
    and the broken-stream state.  Subclasses give ``_frame`` (one payload
    to bytes) and ``_parse`` (whole frames from a buffer).
    """

    __slots__ = (
        "_buf",
        "_error",
        "_lock",
        "_owner",
        "_prefix_at",
        "_send_prefix",
        "_used",
        "max_frame",
        "server",
    )

    #: The framing's name in messages.
    NAME = ""
    #: The connection prefix a client sends first (without obfuscation).
    PREFIX = b""
    #: The protocol tag of an obfuscation header (None: cannot be obfuscated).
    TAG: Optional[bytes] = None
    # Whether frames carry padding (the padded intermediate framing).
    _PADDED = False

    server: bool
    max_frame: int

    def __init__(self, *, server: bool = False, max_frame: int = MAX_FRAME) -> None:
        self.server = bool(server)
        self.max_frame = int_arg("max_frame", max_frame, 4, 2**31 - 1)
        self._buf = bytearray()
        self._lock = threading.Lock()
        self._error: Optional[TransportError] = None
        # The Obfuscated stream this framing runs inside, if any.
        self._owner: Optional[Obfuscated] = None
        # Client: the prefix still to be sent; server: how much of the
        # prefix has arrived (len(PREFIX) when all of it has).
        self._send_prefix = not self.server
        self._prefix_at = 0 if self.server else len(self.PREFIX)
        # Whether anything went through (an Obfuscated takes fresh ones).
        self._used = False

    def __repr__(self) -> str:
        side = "server" if self.server else "client"
        return f"<{type(self).__name__} {side}, {len(self._buf)} bytes buffered>"

    @property
    def prefix(self) -> bytes:
        """
        The bytes a client sends before its first frame (the framing's
        connection prefix; nothing when obfuscated, where the tag is in the
        header).
        """
        return self.PREFIX

    @property
    def buffered(self) -> int:
        """
        How many received bytes wait for the rest of their frame.
        """
        return len(self._buf)

    # public calls (each under the lock) --------------------------------------

    def _check_own(self) -> None:
        if self._owner is not None:
            raise _errors.framing_attached()

    def start(self) -> bytes:
        """
        The bytes a client sends first: the connection prefix, once (then
        ``b""``).  :meth:`encode` puts them before the first frame itself
        when this was not called; calling it lets a client send them at
        connect time.
        """
        with self._lock:
            self._check_own()
            if self.server:
                raise _errors.wrong_side("start()", "client")
            self._used = True
            out = self.PREFIX if self._send_prefix else b""
            self._send_prefix = False
            return out

    def encode(self, payload: Buffer, *, quick_ack: bool = False) -> bytes:
        """
        Frame one payload (a multiple of 4 bytes, 4 .. ``max_frame``).

        :param quick_ack: (client) ask the server to acknowledge the packet
            with a :class:`QuickAck` as soon as it arrives.
        :returns: the bytes to send; a client's first frame starts with the
            connection prefix (see :meth:`start`).
        """
        return self._encode(payload, quick_ack, None)

    def _encode(self, payload: Buffer, quick_ack: bool, pad: Optional[bytes]) -> bytes:
        with self._lock:
            self._check_own()
            if quick_ack and self.server:
                raise _errors.wrong_side("quick_ack=True", "client")
            with _view("payload", payload) as view:
                frame = self._frame(view, bool(quick_ack), pad)
            self._used = True
            if self._send_prefix:
                self._send_prefix = False
                return self.PREFIX + frame
            return frame

    def encode_quick_ack(self, token: int) -> bytes:
        """
        (Server) the quick acknowledgment of a client packet sent with a
        quick-ack request: :func:`quick_ack_token` of that packet, sent as
        4 bytes where a length would be.
        """
        with self._lock:
            self._check_own()
            if not self.server:
                raise _errors.wrong_side("encode_quick_ack()", "server")
            token = int_arg("token", token, 0, 2**32 - 1)
            self._used = True
            return self._quick_ack(token | 0x80000000)

    def encode_error(self, code: int, *, padding: Optional[Buffer] = None) -> bytes:
        """
        (Server) a transport error: the 4-byte payload ``-code`` as int32,
        framed like any payload (a :class:`TransportFailure` for the client).

        :param code: the positive code (404, 429, 444 ...).
        :param padding: (padded intermediate only) as for
            :meth:`PaddedIntermediate.encode`.
        """
        pad = _padding_arg(padding)
        with self._lock:
            self._check_own()
            if not self.server:
                raise _errors.wrong_side("encode_error()", "server")
            if pad is not None and not self._PADDED:
                raise _errors.padding_unpadded(self.NAME)
            code = int_arg("code", code, 1, 2**31)
            self._used = True
            with memoryview(_I32.pack(-code)) as view:
                return self._frame(view, False, pad)

    def feed(self, data: Buffer) -> list[Frame]:
        """
        Take bytes read from the connection, in any chunking (one byte at a
        time included).

        :returns: the frames completed by them, in order (often none).
        :raises mtcore.exceptions.TransportError: the bytes break the
            framing; the connection must be closed.
        """
        with self._lock:
            self._check_own()
            with _view("data", data) as view:
                return self._feed(view)

    # internals (the lock held, or the owner's) ---------------------------------

    def _feed(self, view: memoryview) -> list[Frame]:
        if self._error is not None:
            # A broken stream stays broken: the same error again.
            raise _again(self._error)
        self._used = True
        frames: list[Frame] = []
        try:
            if self._prefix_at < len(self.PREFIX):
                view = self._take_prefix(view)
            if self._buf:
                self._buf += view
                with memoryview(self._buf) as whole:
                    used = self._parse(whole, frames)
                del self._buf[:used]
                return frames
            used = self._parse(view, frames)
            if used < len(view):
                self._buf += view[used:]
            return frames
        except TransportError as exc:
            # The frames completed before the bad bytes ride on the error.
            exc.frames = frames
            self._error = exc
            self._buf = bytearray()
            raise

    def _take_prefix(self, view: memoryview) -> memoryview:
        # The server checks the client's connection prefix as it arrives.
        at = self._prefix_at
        n = min(len(view), len(self.PREFIX) - at)
        if view[:n] != self.PREFIX[at : at + n]:
            raise _errors.transport_prefix(self.NAME, self.PREFIX)
        self._prefix_at = at + n
        return view[n:]

    def _packet(self, payload: bytes, quick_ack: bool) -> Frame:
        # A 4-byte payload from the server is a transport error.
        if len(payload) == 4 and not self.server:
            return TransportFailure(-_I32.unpack(payload)[0])
        return Packet(payload, quick_ack)

    def _check_payload(self, view: memoryview) -> int:
        n = len(view)
        if n == 0:
            raise _errors.empty("payload")
        if n & 3:
            raise _errors.frame_unaligned(self.NAME, n)
        if n > self.max_frame:
            raise _errors.frame_too_long(n, self.max_frame)
        return n

    def _check_length(self, n: int) -> None:
        if n == 0:
            raise _errors.frame_too_short(n)
        if n > self.max_frame:
            raise _errors.frame_length(n, self.max_frame)

    def _frame(self, view: memoryview, quick_ack: bool, pad: Optional[bytes]) -> bytes:
        raise NotImplementedError

    def _quick_ack(self, token: int) -> bytes:
        raise NotImplementedError

    def _parse(self, v: memoryview, frames: list[Frame]) -> int:
        # Append the whole frames at the start of v; return the bytes used.
        raise NotImplementedError


class Abridged(_Framing):
    """
    The abridged framing: a client sends ``0xef`` first; a frame is the
    payload length / 4 in one byte (below 127) or ``0x7f`` and three bytes
    little-endian, then the payload (a multiple of 4 bytes).  A quick-ack
    request sets the top bit of the first byte; the server's quick ack is
    its 4 bytes big-endian (top bit first).

    :param server: the server side of the connection (expects the prefix,
        reads quick-ack requests, may send quick acks and transport errors).
    :param max_frame: the largest payload accepted, either way.
    """

    __slots__ = ()

    NAME = "abridged"
    PREFIX = b"\xef"
    TAG = b"\xef\xef\xef\xef"

    def _frame(self, view: memoryview, quick_ack: bool, pad: Optional[bytes]) -> bytes:
        n = self._check_payload(view) >> 2
        if n >= 1 << 24:  # the length must fit 3 bytes
            raise _errors.frame_too_long(len(view), (1 << 26) - 4)
        flag = 0x80 if quick_ack else 0
        if n < 0x7F:
            return bytes((n | flag,)) + view
        return _U32.pack(((n << 8) | 0x7F | flag) & 0xFFFFFFFF) + view

    def _quick_ack(self, token: int) -> bytes:
        return _U32_BE.pack(token)

    def _parse(self, v: memoryview, frames: list[Frame]) -> int:
        pos, end, server = 0, len(v), self.server
        while pos < end:
            b = v[pos]
            quick_ack = False
            if b & 0x80:
                if not server:  # the server's quick ack: 4 bytes big-endian
                    if end - pos < 4:
                        break
                    frames.append(QuickAck(_U32_BE.unpack_from(v, pos)[0]))
                    pos += 4
                    continue
                quick_ack = True
                b &= 0x7F
            if b == 0x7F:
                if end - pos < 4:
                    break
                n = (_U32.unpack_from(v, pos)[0] >> 8) << 2
                head = 4
            else:
                n = b << 2
                head = 1
            self._check_length(n)
            start = pos + head
            if end - start < n:
                break
            frames.append(self._packet(v[start : start + n].tobytes(), quick_ack))
            pos = start + n
        return pos


class Intermediate(_Framing):
    """
    The intermediate framing: a client sends ``ee ee ee ee`` first; a frame
    is the payload length as 4 bytes little-endian, then the payload (a
    multiple of 4 bytes).  A quick-ack request sets bit 31 of the length;
    the server's quick ack is its 4 bytes little-endian, bit 31 set.

    :param server: the server side of the connection.
    :param max_frame: the largest payload accepted, either way.
    """

    __slots__ = ()

    NAME = "intermediate"
    PREFIX = b"\xee\xee\xee\xee"
    TAG = PREFIX

    def _frame(self, view: memoryview, quick_ack: bool, pad: Optional[bytes]) -> bytes:
        n = self._check_payload(view)
        return _U32.pack(n | 0x80000000 if quick_ack else n) + view

    def _quick_ack(self, token: int) -> bytes:
        return _U32.pack(token)

    def _parse(self, v: memoryview, frames: list[Frame]) -> int:
        pos, end, server, padded = 0, len(v), self.server, self._PADDED
        while end - pos >= 4:
            n = _U32.unpack_from(v, pos)[0]
            quick_ack = False
            if n & 0x80000000:
                if not server:
                    frames.append(QuickAck(n))
                    pos += 4
                    continue
                quick_ack = True
                n &= 0x7FFFFFFF
            self._check_length(n)
            if n & 3 and not padded:
                raise _errors.frame_length_unaligned(n)
            start = pos + 4
            if end - start < n:
                break
            payload = v[start : start + n].tobytes()
            pos = start + n
            if padded:
                frames.append(self._padded_packet(payload, quick_ack))
            else:
                frames.append(self._packet(payload, quick_ack))
        return pos

    def _padded_packet(self, payload: bytes, quick_ack: bool) -> Frame:
        # No MTProto packet is shorter than 24 bytes: from the server, a
        # shorter payload is a transport error and its padding.
        if len(payload) < 24 and not self.server:
            if len(payload) < 4:
                raise _errors.frame_too_short(len(payload))
            return TransportFailure(-_I32.unpack_from(payload)[0])
        return Packet(payload, quick_ack, True)


class PaddedIntermediate(Intermediate):
    """
    The padded intermediate framing (for obfuscated connections and ``dd``
    MTProxy secrets): a client sends ``dd dd dd dd`` first; a frame is as
    in :class:`Intermediate`, with 0..15 random bytes after the payload,
    counted by the length.  A receiver cannot tell them from the payload:
    :class:`Packet` frames have ``padded=True``.

    :param server: the server side of the connection.
    :param max_frame: the largest frame (payload and padding) accepted.
    """

    __slots__ = ()

    NAME = "padded intermediate"
    PREFIX = b"\xdd\xdd\xdd\xdd"
    TAG = PREFIX
    _PADDED = True

    def encode(
        self, payload: Buffer, *, quick_ack: bool = False, padding: Optional[Buffer] = None
    ) -> bytes:
        """
        Frame one payload with padding.

        :param padding: ``None`` for 0..15 random bytes (``os.urandom``), or
            the 0..15 bytes to use (for known-answer tests).
        """
        return self._encode(payload, quick_ack, _padding_arg(padding))

    def _frame(self, view: memoryview, quick_ack: bool, pad: Optional[bytes]) -> bytes:
        n = len(view)
        if n == 0:
            raise _errors.empty("payload")
        if n & 3:
            raise _errors.frame_unaligned(self.NAME, n)
        if pad is None:
            rnd = os.urandom(16)
            pad = rnd[1 : 1 + (rnd[0] & 15)]
        total = n + len(pad)
        if total > self.max_frame:
            raise _errors.frame_too_long(total, self.max_frame)
        return _U32.pack(total | 0x80000000 if quick_ack else total) + view + pad


class Full(_Framing):
    """
    The full framing (no prefix): a frame is its total length (payload + 12)
    and a per-direction sequence number from 0, both 4 bytes little-endian,
    the payload (a multiple of 4 bytes), and the CRC32 of all that.  The
    receiver checks both.  It has no quick acks and cannot be obfuscated.

    A negative length from the server (seen in the wild instead of a framed
    transport error) gives a :class:`TransportFailure`; the rest of the
    stream is then ignored, as the server closes the connection.

    :param server: the server side of the connection.
    :param max_frame: the largest payload accepted, either way.
    """

    __slots__ = ("_closed", "_rseq", "_wseq")

    NAME = "full"

    def __init__(self, *, server: bool = False, max_frame: int = MAX_FRAME) -> None:
        super().__init__(server=server, max_frame=max_frame)
        self._wseq = 0
        self._rseq = 0
        self._closed = False

    def _frame(self, view: memoryview, quick_ack: bool, pad: Optional[bytes]) -> bytes:
        if quick_ack:
            raise _errors.no_quick_ack(self.NAME)
        n = self._check_payload(view)
        head = _FULL_HEAD.pack(n + 12, self._wseq)
        self._wseq = (self._wseq + 1) & 0xFFFFFFFF
        crc = zlib.crc32(view, zlib.crc32(head))
        return b"".join((head, view, _U32.pack(crc)))

    def _quick_ack(self, token: int) -> bytes:
        raise _errors.no_quick_ack(self.NAME)

    def _parse(self, v: memoryview, frames: list[Frame]) -> int:
        pos, end = 0, len(v)
        if self._closed:
            return end
        while end - pos >= 4:
            total = _I32.unpack_from(v, pos)[0]
            if total < 0 and not self.server:
                frames.append(TransportFailure(-total))
                self._closed = True
                return end
            if total < 16:
                raise _errors.full_length_short(total)
            if total & 3:
                raise _errors.frame_length_unaligned(total)
            if total - 12 > self.max_frame:
                raise _errors.frame_length(total - 12, self.max_frame)
            if end - pos < total:
                break
            seq = _U32.unpack_from(v, pos + 4)[0]
            if seq != self._rseq:
                raise _errors.full_seq_no(seq, self._rseq)
            crc = _U32.unpack_from(v, pos + total - 4)[0]
            if zlib.crc32(v[pos : pos + total - 4]) != crc:
                raise _errors.full_checksum(seq)
            self._rseq = (seq + 1) & 0xFFFFFFFF
            frames.append(self._packet(v[pos + 8 : pos + total - 4].tobytes(), False))
            pos += total
        return pos


_FRAMINGS = {cls.TAG: cls for cls in (Abridged, Intermediate, PaddedIntermediate)}


# --- MTProxy secrets ------------------------------------------------------------------

_HEX = frozenset("0123456789abcdefABCDEF")
_B64 = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/")


class ProxySecret:
    """
    An MTProxy secret (core.telegram.org/mtproto/mtproto-transports,
    "Transport obfuscation"), from :func:`parse_proxy_secret`.

    :ivar key: the 16 bytes hashed into the obfuscation keys.
    :ivar kind: ``"plain"`` (16 bytes), ``"dd"`` (``0xdd`` + 16 bytes: use
        the padded intermediate framing) or ``"ee"`` (``0xee`` + 16 bytes +
        a domain: fake TLS, which :class:`Obfuscated` does not support).
    :ivar domain: the fake-TLS domain of an ``ee`` secret, else None.

    The repr does not show the key.
    """

    __slots__ = ("domain", "key", "kind")

    key: bytes
    kind: str
    domain: Optional[str]

    def __init__(self, key: bytes, kind: str = "plain", domain: Optional[str] = None) -> None:
        self.key = bytes(key)
        self.kind = kind
        self.domain = domain

    @property
    def padded(self) -> bool:
        """
        Whether the secret asks for the padded intermediate framing (``dd``).
        """
        return self.kind == "dd"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ProxySecret):
            return NotImplemented
        return (self.key, self.kind, self.domain) == (other.key, other.kind, other.domain)

    def __hash__(self) -> int:
        return hash((self.key, self.kind, self.domain))

    def __repr__(self) -> str:
        extra = f", domain={self.domain!r}" if self.domain is not None else ""
        return f"ProxySecret(kind={self.kind!r}{extra})"


ProxySecret.__module__ = __name__


def _secret_bytes(text: str) -> bytes:
    # Hex, or base64url (standard base64 too), padded or not.
    text = text.strip()
    if not text:
        raise _errors.proxy_secret("it is empty")
    if len(text) % 2 == 0 and all(c in _HEX for c in text):
        return bytes.fromhex(text)
    body = text.rstrip("=")
    if len(text) - len(body) > 2 or not all(c in _B64 for c in body):
        raise _errors.proxy_secret("it is neither hex nor base64url")
    if len(body) % 4 == 1:
        raise _errors.proxy_secret(f"{len(body)} base64 characters cannot be decoded")
    import base64

    std = body.replace("-", "+").replace("_", "/")
    return base64.b64decode(std + "=" * (-len(std) % 4))


def parse_proxy_secret(secret: Union[str, Buffer, ProxySecret]) -> ProxySecret:
    """
    Read an MTProxy secret as proxy links carry it: hex (``"dd0123..."``)
    or base64url (``"3QEjRWeJ..."``, padded or not), or its raw bytes.

    :returns: a :class:`ProxySecret` (a ProxySecret is returned as is).
    :raises mtcore.exceptions.ProxySecretError: the text is neither hex nor
        base64url, or the bytes are not 16, ``0xdd`` + 16, or ``0xee`` + 16
        + a domain; the message never quotes the secret.
    """
    if isinstance(secret, ProxySecret):
        return secret
    if isinstance(secret, str):
        raw = _secret_bytes(secret)
    else:
        try:
            with memoryview(secret) as view:
                raw = view.tobytes()
        except TypeError:
            raise _errors.not_secret("secret", secret) from None
    if len(raw) == 16:
        return ProxySecret(raw)
    if len(raw) == 17 and raw[0] == 0xDD:
        return ProxySecret(raw[1:], "dd")
    if len(raw) > 17 and raw[0] == 0xEE:
        try:
            domain = raw[17:].decode("ascii")
        except UnicodeDecodeError:
            raise _errors.proxy_secret("the fake-TLS domain is not ASCII") from None
        return ProxySecret(raw[1:17], "ee", domain)
    raise _errors.proxy_secret(
        f"{len(raw)} bytes; expected 16, 0xdd + 16, or 0xee + 16 + a domain"
    )


# --- obfuscation ----------------------------------------------------------------------

# First words a header must not start with (tdlib's ObfuscatedTransport::init,
# plus Telethon's "PVrG"): they would make it look like another protocol.
_FORBIDDEN = frozenset(
    (b"HEAD", b"POST", b"GET ", b"OPTI", b"PVrG", b"\x16\x03\x01\x02", b"\xdd" * 4, b"\xee" * 4)
)


def _header_rule(init: bytes) -> Optional[str]:
    # The rule a random header breaks, or None.
    if init[0] == 0xEF:
        return "start with 0xef (the abridged prefix)"
    if init[:4] in _FORBIDDEN:
        return "start with an HTTP method, a TLS record or a transport prefix"
    if init[4:8] == b"\0\0\0\0":
        return "have zero bytes 4..7"
    return None


def _keys(init: bytes, secret: Optional[ProxySecret]) -> tuple[Any, Any]:
    """
    The two CTR streams of a header (as the client sees it): encryption
    from bytes 8..55, decryption from the same bytes reversed; with a
    secret, each key is ``SHA256(key + secret)``.
    """
    rev = init[::-1]
    ek, ei = init[8:40], init[40:56]
    dk, di = rev[8:40], rev[40:56]
    if secret is not None:
        ek = _hashes.sha256(ek, secret.key)
        dk = _hashes.sha256(dk, secret.key)
    return _aes.Ctr(ek, ei), _aes.Ctr(dk, di)


class Obfuscated:
    """
    A framing inside the obfuscated2 stream (core.telegram.org/mtproto/mtproto-transports,
    "Transport obfuscation"): the client sends a 64-byte header, then both
    directions are AES-256-CTR streams keyed from it (each frame one call
    of :class:`mtcore.aes.Ctr`).

    Client: ``Obfuscated(Intermediate(), dc_id=2)``.  The header is drawn
    at random, avoiding the first words that look like other protocols; the
    framing's protocol tag goes in bytes 56..59 and ``dc_id`` in bytes
    60..61.  The first :meth:`encode` starts with the header (or call
    :meth:`start` to send it first).

    Server: ``Obfuscated(server=True)``.  The first 64 bytes fed are the
    header; its tag picks the framing (:attr:`framing`, a server-side one)
    and gives :attr:`dc_id`.

    :param framing: (client) a new client-side :class:`Abridged`,
        :class:`Intermediate` or :class:`PaddedIntermediate`.
    :param server: the server side.
    :param dc_id: (client) the DC to write in the header: negative for a
        media DC, +10000 for a test DC; required with an MTProxy secret;
        None leaves those bytes random (a direct connection).
    :param secret: an MTProxy secret (a :class:`ProxySecret`, or text or
        bytes for :func:`parse_proxy_secret`); ``dd`` secrets need the
        padded intermediate framing; ``ee`` (fake TLS) is not supported.
    :param header: (client) the 64 random bytes to start from (bytes
        56..63 are then overwritten), for known-answer tests; None draws
        them from ``os.urandom``.
    :param max_frame: (server) the framing's ``max_frame``.
    """

    __slots__ = (
        "_dec",
        "_enc",
        "_error",
        "_head",
        "_lock",
        "_max_frame",
        "_send_header",
        "dc_id",
        "framing",
        "header",
        "secret",
        "server",
    )

    server: bool
    framing: Optional[_Framing]
    secret: Optional[ProxySecret]
    dc_id: Optional[int]
    header: bytes

    def __init__(
        self,
        framing: Optional[_Framing] = None,
        *,
        server: bool = False,
        dc_id: Optional[int] = None,
        secret: Union[str, Buffer, ProxySecret, None] = None,
        header: Optional[Buffer] = None,
        max_frame: int = MAX_FRAME,
    ) -> None:
        self._lock = threading.Lock()
        self._error: Optional[TransportError] = None
        self.server = bool(server)
        self.secret = None if secret is None else parse_proxy_secret(secret)
        if self.secret is not None and self.secret.kind == "ee":
            raise _errors.proxy_fake_tls()
        self._max_frame = int_arg("max_frame", max_frame, 4, 2**31 - 1)
        self._head = bytearray()
        # The CTR streams (mtcore.aes.Ctr), once keyed.
        self._enc: Any = None
        self._dec: Any = None
        self._send_header = False
        self.header = b""
        self.dc_id = None
        self.framing = None
        if self.server:
            if framing is not None:
                raise _errors.wrong_side("framing", "client")
            if dc_id is not None:
                raise _errors.wrong_side("dc_id", "client")
            if header is not None:
                raise _errors.wrong_side("header", "client")
            return
        if not isinstance(framing, _Framing):
            raise _errors.framing_type("framing", framing)
        if framing.TAG is None:
            raise _errors.full_not_obfuscated()
        if framing.server or framing._used or framing._owner is not None:
            raise _errors.framing_not_fresh()
        if self.secret is not None:
            if self.secret.padded and not isinstance(framing, PaddedIntermediate):
                raise _errors.dd_needs_padding()
            if dc_id is None:
                raise _errors.proxy_needs_dc()
        if dc_id is not None:
            dc_id = int_arg("dc_id", dc_id, -32768, 32767)
        if header is None:
            while True:
                init = os.urandom(64)
                if _header_rule(init) is None:
                    break
        else:
            with _view("header", header) as hview:
                if len(hview) != 64:
                    raise _errors.bad_length("header", 64, len(hview))
                init = hview.tobytes()
            rule = _header_rule(init)
            if rule is not None:
                raise _errors.obfuscation_header(rule)
        head = bytearray(init)
        head[56:60] = framing.TAG
        if dc_id is not None:
            head[60:62] = _I16.pack(dc_id)
        self._enc, self._dec = _keys(bytes(head), self.secret)
        self.header = bytes(head[:56]) + self._enc.update(head)[56:]
        self._send_header = True
        self.dc_id = dc_id
        framing._owner = self
        framing._send_prefix = False
        self.framing = framing

    def __repr__(self) -> str:
        side = "server" if self.server else "client"
        inner = type(self.framing).__name__ if self.framing is not None else "no header yet"
        proxy = f", MTProxy {self.secret.kind}" if self.secret is not None else ""
        return f"<Obfuscated {side}, {inner}{proxy}>"

    @property
    def buffered(self) -> int:
        """
        How many received bytes wait for the rest of their frame (or of
        the header).
        """
        if self.framing is None:
            return len(self._head)
        return self.framing.buffered

    @property
    def tag(self) -> Optional[bytes]:
        """
        The protocol tag of the framing (None before a server got the header).
        """
        return None if self.framing is None else self.framing.TAG

    def start(self) -> bytes:
        """
        (Client) the 64-byte header, once (then ``b""``); :meth:`encode`
        puts it before the first frame itself when this was not called.
        """
        with self._lock:
            if self.server:
                raise _errors.wrong_side("start()", "client")
            out = self.header if self._send_header else b""
            self._send_header = False
            return out

    def encode(
        self, payload: Buffer, *, quick_ack: bool = False, padding: Optional[Buffer] = None
    ) -> bytes:
        """
        Frame and encrypt one payload, as the framing's ``encode``.

        :param padding: (padded intermediate only) as for
            :meth:`PaddedIntermediate.encode`; None draws it.
        """
        pad = _padding_arg(padding)
        with self._lock:
            framing = self._ready("encode()")
            if quick_ack and self.server:
                raise _errors.wrong_side("quick_ack=True", "client")
            if pad is not None and not framing._PADDED:
                raise _errors.padding_unpadded(framing.NAME)
            with _view("payload", payload) as view:
                out: bytes = self._enc.update(framing._frame(view, bool(quick_ack), pad))
            if self._send_header:
                self._send_header = False
                return self.header + out
            return out

    def encode_quick_ack(self, token: int) -> bytes:
        """
        (Server) a quick ack, encrypted: see :meth:`Intermediate.encode_quick_ack`.
        """
        with self._lock:
            framing = self._ready("encode_quick_ack()")
            if not self.server:
                raise _errors.wrong_side("encode_quick_ack()", "server")
            token = int_arg("token", token, 0, 2**32 - 1)
            out: bytes = self._enc.update(framing._quick_ack(token | 0x80000000))
            return out

    def encode_error(self, code: int, *, padding: Optional[Buffer] = None) -> bytes:
        """
        (Server) a transport error, encrypted: see :meth:`Intermediate.encode_error`.
        """
        pad = _padding_arg(padding)
        with self._lock:
            framing = self._ready("encode_error()")
            if not self.server:
                raise _errors.wrong_side("encode_error()", "server")
            if pad is not None and not framing._PADDED:
                raise _errors.padding_unpadded(framing.NAME)
            code = int_arg("code", code, 1, 2**31)
            with memoryview(_I32.pack(-code)) as view:
                out: bytes = self._enc.update(framing._frame(view, False, pad))
            return out

    def feed(self, data: Buffer) -> list[Frame]:
        """
        Decrypt bytes read from the connection (any chunking) and return
        the frames they complete; a server reads the header first.

        :raises mtcore.exceptions.TransportError: the bytes break the
            framing, or (server) the header's tag is not a framing's.
        """
        with self._lock, _view("data", data) as view:
            if self._error is not None:
                raise _again(self._error)
            if self.framing is None:
                view = self._take_header(view)
                if self.framing is None:
                    return []
            plain: bytes = self._dec.update(view)
            with memoryview(plain) as pview:
                return self.framing._feed(pview)

    def _ready(self, method: str) -> _Framing:
        if self.framing is None:
            raise _errors.header_not_received(method)
        return self.framing

    def _take_header(self, view: memoryview) -> memoryview:
        # Server: collect the 64 header bytes, then key both streams from
        # them (the client's encryption is our decryption) and read the tag.
        n = min(len(view), 64 - len(self._head))
        self._head += view[:n]
        if len(self._head) < 64:
            return view[n:]
        head = bytes(self._head)
        enc, dec = _keys(head, self.secret)
        plain = enc.update(head)
        framing_cls = _FRAMINGS.get(plain[56:60])
        if framing_cls is None:
            self._head = bytearray()
            self._error = _errors.obfuscation_tag()
            raise _again(self._error)
        self._enc, self._dec = dec, enc
        self.dc_id = _I16.unpack_from(plain, 60)[0]
        framing = framing_cls(server=True, max_frame=self._max_frame)
        framing._owner = self
        framing._prefix_at = len(framing.PREFIX)
        self.framing = framing
        return view[n:]


# --- the server's side: which transport a connection speaks -------------------------

_HTTP_TLS = frozenset((b"HEAD", b"POST", b"GET ", b"OPTI", b"\x16\x03\x01\x02"))


def server_codec(head: Buffer, *, max_frame: int = MAX_FRAME) -> Union[_Framing, Obfuscated, None]:
    """
    (Server) the codec of a new connection, picked from its first bytes as
    Telegram's servers do (core.telegram.org/mtproto/mtproto-transports):
    ``ef`` is abridged, ``ee ee ee ee`` intermediate, ``dd dd dd dd`` padded
    intermediate; a first frame whose bytes 4..7 (the full transport's
    first sequence number) are zero is the full transport, which has no
    prefix; anything else is the 64-byte obfuscation header (whose rules
    exclude all of the above, see :class:`Obfuscated`).

    The codec has consumed nothing: feed it ``head`` and what follows.

    :param head: the first bytes received (at most 8 are looked at).
    :param max_frame: the codec's ``max_frame``.
    :returns: a new server-side codec, or None until enough bytes arrived.
    :raises mtcore.exceptions.TransportTagError: the connection starts with
        an HTTP request or a TLS record (neither is served here).
    """
    max_frame = int_arg("max_frame", max_frame, 4, 2**31 - 1)
    with _view("head", head) as view:
        first = view[:8].tobytes()
    if first[:1] == Abridged.PREFIX:
        return Abridged(server=True, max_frame=max_frame)
    if len(first) < 4:
        return None
    for cls in (Intermediate, PaddedIntermediate):
        if first[:4] == cls.PREFIX:
            return cls(server=True, max_frame=max_frame)
    if first[:4] in _HTTP_TLS:
        raise _errors.transport_unsupported()
    if len(first) < 8:
        return None
    if first[4:8] == b"\0\0\0\0":
        return Full(server=True, max_frame=max_frame)
    return Obfuscated(server=True, max_frame=max_frame)
