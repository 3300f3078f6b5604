"""
The MTProto session, sans-I/O (core.telegram.org/mtproto/description,
/mtproto/service_messages, /mtproto/service_messages_about_messages,
/mtproto/security_guidelines): requests in, encrypted packets out; packets
in, typed results out.  No socket and no clock of its own: every call that
depends on time takes ``now``, the current Unix time (``time.time()``).

:class:`Session` is the client side::

    session = Session(auth_key, salt=salt)
    req = session.send(tl.functions.help.getConfig())
    for packet in session.flush(time.time()):
        sock.sendall(codec.encode(packet))          # a mtcore.transport codec
    ...
    for frame in codec.feed(data):
        for event in session.receive(frame, time.time()):
            if isinstance(event, RpcResult) and event.request is req:
                config = event.result               # decoded as help.getConfig's Config

It gives each outgoing message its msg_id (monotonic, corrected by the
server's clock) and seq_no, piggy-backs acknowledgments, packs queued
messages into a ``msg_container``, gzips large requests when that is
smaller; checks every incoming message as the security guidelines ask
(decryption checks, session, msg_id parity, a window of 300 s in the past
and 30 s in the future, duplicates), and handles the service messages:
``new_session_created``, ``msgs_ack``, ``bad_server_salt`` (new salt,
request sent again), ``bad_msg_notification`` (16/17: clock corrected and
sent again; 32/33: a new session; 20, 48: sent again; the others fail the
request), ``future_salts``, ``pong``, ``msg_detailed_info`` and
``msg_new_detailed_info`` (acknowledged, or asked for again), containers
and ``gzip_packed``.  ``rpc_result`` is matched to its request and decoded
as the request's result type; ``rpc_error`` becomes an
:class:`~mtcore.exceptions.RpcError`.

:class:`ServerSession` is the other side, for servers and test servers:
it checks a client's messages (answering with ``bad_server_salt`` and
``bad_msg_notification`` where they break a rule), answers pings and
``get_future_salts``, keeps its answers for ``msg_resend_req``, and
surfaces queries as :class:`Query` events.

State is bounded everywhere: ``max_pending`` requests, 8192 acks, the
``max_msg_ids`` newest received msg_ids, ``max_resends`` resends of a
request, ``max_unpacked`` bytes of one ``gzip_packed``.

Both classes are safe to share between threads: every public method holds
the object's lock.
"""

from __future__ import annotations

import heapq
import keyword
import math
import os
import struct
import threading
from collections import OrderedDict, deque
from dataclasses import dataclass
from typing import Any, Callable, Optional, Union

from mtcore import _errors, mtproto, tl
from mtcore._args import int_at_least, number_arg
from mtcore._tlplan import gunzip
from mtcore._typing import Buffer
from mtcore.exceptions import RpcError, SessionError, TLDecodeError
from mtcore.transport import Packet

__all__ = [
    "DecodeFailed",
    "Event",
    "NewSession",
    "Query",
    "Request",
    "RpcFailed",
    "RpcResult",
    "ServerSession",
    "Session",
    "Update",
]

# Constructor numbers of the service messages (core.telegram.org/schema/mtproto).
RPC_RESULT = 0xF35C6D01
RPC_ERROR = 0x2144CA19
GZIP_PACKED = 0x3072CFA1
MSG_CONTAINER = 0x73F1F8DC
MSGS_ACK = 0x62D6B459
BAD_MSG_NOTIFICATION = 0xA7EFF811
BAD_SERVER_SALT = 0xEDAB447B
NEW_SESSION_CREATED = 0x9EC20908
PONG = 0x347773C5
PING = 0x7ABE77EC
PING_DELAY_DISCONNECT = 0xF3427B8C
FUTURE_SALTS = 0xAE500895
GET_FUTURE_SALTS = 0xB921BD04
MSG_DETAILED_INFO = 0x276D3EC6
MSG_NEW_DETAILED_INFO = 0x809DB6DF
MSG_RESEND_REQ = 0x7D861A08
MSG_RESEND_ANS_REQ = 0x8610BAEB
MSGS_STATE_REQ = 0xDA69FB52
MSGS_STATE_INFO = 0x04DEB57D
MSGS_ALL_INFO = 0x8CC0D131
DESTROY_SESSION_OK = 0xE22045FC
DESTROY_SESSION_NONE = 0x62D350C9

#: A message is ignored when its msg_id says it was made more than this
#: many seconds before now (core.telegram.org/mtproto/security_guidelines) ...
MAX_PAST = 300
#: ... or more than this many seconds after now.
MAX_FUTURE = 30
#: The most msg_ids one msgs_ack may carry (core.telegram.org/mtproto/service_messages_about_messages).
MAX_ACKS = 8192
#: The most messages in one container the session sends (Telethon's
#: ``MessageContainer.MAXIMUM_LENGTH``: Telegram answers bad_msg 64 beyond
#: a limit of about that size).
CONTAINER_MESSAGES = 100
#: The most bytes of messages in one container (Telethon's
#: ``MessageContainer.MAXIMUM_SIZE``, found by experiment; Telegram closes
#: the connection beyond it).
CONTAINER_BYTES = 1044456 - 8

# Service messages that are not content-related (no ack, even seq_no).
_NOT_CONTENT = frozenset((MSGS_ACK, MSG_CONTAINER, BAD_MSG_NOTIFICATION, BAD_SERVER_SALT, PONG))
# Service messages a client's checks let through outside the time window
# (the guidelines: they are how the clock and the salt get fixed).
_TIME_EXEMPT = frozenset((BAD_MSG_NOTIFICATION, BAD_SERVER_SALT))

# How many sent service messages and containers are remembered.
_RECENT = 512
# How many unanswered queries a ServerSession keeps.
_OPEN_QUERIES = 4096

_HEADER = struct.Struct("<qqqii")  # salt, session_id, msg_id, seq_no, length
_INNER = struct.Struct("<qii")  # msg_id, seqno, bytes of a container's message
_U32 = struct.Struct("<I")
_I64 = struct.Struct("<q")


# --- events ---------------------------------------------------------------------


class Event:
    """
    The base of what :meth:`Session.receive` returns.
    """

    __slots__ = ()


# Each event below is a dataclass (its repr, and == over its fields in
# order, unhashable) with slots of its own.
@dataclass
class RpcResult(Event):
    """
    The answer to a request.

    :ivar request: the :class:`Request` it answers.
    :ivar result: the result, decoded as the request's result type (a list
        for ``Vector<...>``; a TL object; True/False for ``Bool``).
    """

    __slots__ = ("request", "result")
    request: Request
    result: Any


@dataclass
class RpcFailed(Event):
    """
    A request that will get no result.

    :ivar request: the :class:`Request`.
    :ivar error: an :class:`~mtcore.exceptions.RpcError` (the server
        answered ``rpc_error``), a :class:`~mtcore.exceptions.SessionError`
        (refused by a ``bad_msg_notification``, sent ``max_resends`` times
        in vain, cancelled) or a :class:`~mtcore.exceptions.TLDecodeError`
        (the result does not decode as the request's result type).
    """

    __slots__ = ("error", "request")
    request: Request
    error: Exception


@dataclass
class Update(Event):
    """
    A message that is neither an answer nor a service message: an update
    (``updates``, ``updateShort``, ...) for the client.

    :ivar msg_id: its msg_id.
    :ivar object: the decoded TL object.
    """

    __slots__ = ("msg_id", "object")
    msg_id: int
    object: Any


@dataclass
class NewSession(Event):
    """
    The server started a new session (``new_session_created``): updates
    sent before it may be lost (fetch the difference).  Unanswered requests
    sent before ``first_msg_id`` are sent again.
    """

    __slots__ = ("first_msg_id", "server_salt", "unique_id")
    first_msg_id: int
    unique_id: int
    server_salt: int


@dataclass
class DecodeFailed(Event):
    """
    A message passed every check but its body does not decode (a
    constructor of a newer layer, a malformed container): it was
    acknowledged and is otherwise dropped.  On the server side, a
    content-related one is a query still waiting for its answer
    (:meth:`ServerSession.reply_error`).

    :ivar msg_id: its msg_id.
    :ivar body: its bytes.
    :ivar error: the :class:`~mtcore.exceptions.TLDecodeError`.
    """

    __slots__ = ("body", "error", "msg_id")
    msg_id: int
    body: bytes
    error: Exception

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, DecodeFailed)
        return (self.msg_id, self.body, str(self.error)) == (
            other.msg_id,
            other.body,
            str(other.error),
        )


@dataclass
class Query(Event):
    """
    (:class:`ServerSession`) a client's query: answer it with
    :meth:`ServerSession.reply` or :meth:`ServerSession.reply_error`.

    :ivar msg_id: its msg_id (what the answer refers to).
    :ivar query: the decoded TL function object.
    """

    __slots__ = ("msg_id", "query")
    msg_id: int
    query: Any


for _cls in (Event, RpcResult, RpcFailed, Update, NewSession, DecodeFailed, Query):
    _cls.__module__ = __name__


# --- outgoing messages --------------------------------------------------------------


class _Out:
    """
    One outgoing message: its body and, once sent, its msg_id and seq_no.
    """

    __slots__ = ("acked", "body", "content", "fresh", "msg_id", "notification", "seq_no", "sent_at")

    def __init__(self, body: bytes, content: bool, notification: bool = False) -> None:
        self.body = body
        self.content = content
        self.msg_id: Optional[int] = None
        self.seq_no = 0
        self.sent_at: Optional[float] = None
        # Whether the next flush gives it a new msg_id (sent again after
        # the server refused it); whether the peer acknowledged it; (server)
        # whether it answers nothing (msg_id 3 mod 4).
        self.fresh = False
        self.acked = False
        self.notification = notification


class Request(_Out):
    """
    A request given to :meth:`Session.send`, until its result or failure.
    Events name it; it is compared by identity.

    :ivar name: the TL name of the function (None for raw bytes).
    :ivar object: the TL object sent (None for raw bytes).
    :ivar result_type: the type its result is decoded as (None: any).
    :ivar msg_id: the msg_id it was last sent with (None before).
    :ivar acked: whether the server acknowledged receiving it.
    :ivar resends: how many times it was sent again.
    :ivar done: whether its result or failure was reported.

    Its session updates it under the session's lock; read it, do not change it.
    """

    __slots__ = ("_ids", "_internal", "done", "name", "object", "resends", "result_type")

    def __init__(self, body: bytes, name: Optional[str], obj: Any, result_type: Optional[str],
                 internal: bool = False) -> None:
        super().__init__(body, True)
        self.name = name
        self.object = obj
        self.result_type = result_type
        self.resends = 0
        # Every msg_id it was sent with: an answer to any of them counts.
        self._ids: list[int] = []
        self.done = False
        self._internal = internal

    def __repr__(self) -> str:
        return f"<Request {self.name or 'raw'} msg_id={self.msg_id}>"

    def _label(self) -> str:
        return self.name or "the request"


Request.__module__ = __name__


# --- helpers ------------------------------------------------------------------------


def _signed64(name: str, value: Any) -> int:
    # An int (signed or unsigned 64-bit) or 8 little-endian bytes.
    if isinstance(value, int) and not isinstance(value, bool):
        if not -(1 << 63) <= value < (1 << 64):
            raise _errors.out_of_range(name, -(1 << 63), (1 << 64) - 1, value)
        return value - (1 << 64) if value >= 1 << 63 else int(value)
    try:
        with memoryview(value) as view:
            raw = view.tobytes()
    except TypeError:
        raise _errors.not_long_id(name, value) from None
    if len(raw) != 8:
        raise _errors.bad_length(name, 8, len(raw))
    return int(_I64.unpack(raw)[0])


def _cid(body: bytes) -> int:
    return int(_U32.unpack_from(body)[0]) if len(body) >= 4 else -1


class _Seen:
    """
    The newest received msg_ids (at most ``size``): a msg_id is new unless
    it is one of them, or lower than all of them while they are ``size``.
    """

    __slots__ = ("_heap", "_ids", "size")

    def __init__(self, size: int) -> None:
        self.size = size
        self._ids: set[int] = set()
        self._heap: list[int] = []

    def __contains__(self, msg_id: int) -> bool:
        return msg_id in self._ids

    def is_new(self, msg_id: int) -> bool:
        if msg_id in self._ids:
            return False
        return len(self._ids) < self.size or msg_id > self._heap[0]

    def add(self, msg_id: int) -> None:
        self._ids.add(msg_id)
        heapq.heappush(self._heap, msg_id)
        if len(self._heap) > self.size:
            self._ids.discard(heapq.heappop(self._heap))

    def clear(self) -> None:
        self._ids.clear()
        self._heap.clear()


def _unzip(data: bytes, limit: int) -> bytes:
    """
    The payload of a ``gzip_packed`` (the whole of ``data``), at most
    ``limit`` bytes.
    """
    r = tl.Reader(data)
    r.read_constructor()
    packed = r.read_bytes()
    if not r.at_end():
        raise _errors.tl_trailing("gzip_packed", r.position, len(data))
    return gunzip(packed, 0, limit, limit)


def _messages(body: bytes) -> list[tuple[int, int, bytes]]:
    """
    The (msg_id, seq_no, body) of each message of a ``msg_container``.
    """
    n = len(body)
    if n < 8:
        raise _errors.tl_short("msg_container", 8, n, 0)
    count = _U32.unpack_from(body, 4)[0]
    if count > (n - 8) // 16:
        raise _errors.tl_count_too_large("msg_container", count, 16, n - 8, 4)
    out = []
    pos = 8
    for _ in range(count):
        if n - pos < 16:
            raise _errors.tl_short("message", 16, n - pos, pos)
        msg_id, seq_no, length = _INNER.unpack_from(body, pos)
        pos += 16
        if length < 4 or length & 3 or length > n - pos:
            raise _errors.tl_message_length(length, pos - 4, n - pos)
        out.append((msg_id, seq_no, body[pos : pos + length]))
        pos += length
    if pos != n:
        raise _errors.tl_trailing("msg_container", pos, n)
    return out


def _container(messages: list[tuple[int, int, bytes]]) -> bytes:
    parts = [struct.pack("<Ii", MSG_CONTAINER, len(messages))]
    for msg_id, seq_no, body in messages:
        parts.append(_INNER.pack(msg_id, seq_no, len(body)))
        parts.append(body)
    return b"".join(parts)


def _gzip(body: bytes) -> bytes:
    import gzip

    return bytes(tl.types.gzip_packed(packed_data=gzip.compress(body, mtime=0)))


# --- the shared machinery -------------------------------------------------------------


class _Endpoint:
    """
    What both sides share: the key, msg_ids and seq_nos, the outgoing queue,
    acknowledgments, containers, the received-id window and decoding.
    """

    _CLIENT = True  # which side this is

    def __init__(
        self,
        auth_key: Union[mtproto.AuthKey, Buffer],
        *,
        session_id: Union[int, Buffer, None],
        salt: Union[int, Buffer],
        time_offset: float,
        schema: Optional[tl.Schema],
        ack_delay: float,
        ack_threshold: int,
        max_msg_ids: int,
        max_unpacked: int,
        gzip_min: Optional[int],
        random: Callable[[int], bytes],
    ) -> None:
        self._lock = threading.Lock()
        self._key = auth_key if isinstance(auth_key, mtproto.AuthKey) else mtproto.AuthKey(auth_key)
        if not callable(random):
            raise _errors.not_callable("random", random)
        self._random = random
        self.session_id = (
            _signed64("session_id", session_id) if session_id is not None else self._random_long()
        )
        self.salt = _signed64("salt", salt)
        self.time_offset = number_arg("time_offset", time_offset)
        self.schema = schema if schema is not None else tl.default_schema()
        self.ack_delay = number_arg("ack_delay", ack_delay)
        self.ack_threshold = int_at_least("ack_threshold", ack_threshold, 1)
        self.max_unpacked = int_at_least("max_unpacked", max_unpacked, 1024)
        self.gzip_min = None if gzip_min is None else int_at_least("gzip_min", gzip_min, 0)
        self._seen = _Seen(int_at_least("max_msg_ids", max_msg_ids, 1))
        self._queue: deque[_Out] = deque()
        self._acks: list[int] = []
        self._ack_since: Optional[float] = None
        self._seq = 0  # content-related messages sent
        self._last_msg_id = 0
        # Recently sent messages by msg_id (bad_msg_notification and
        # msgs_ack name them), containers with their inner msg_ids.
        self._sent: OrderedDict[int, _Out] = OrderedDict()
        self._containers: OrderedDict[int, list[int]] = OrderedDict()

    # identifiers ------------------------------------------------------------------

    def _random_long(self) -> int:
        raw = self._random(8)
        if len(raw) != 8:
            raise _errors.bad_length("random(8)", 8, len(raw))
        return int(_I64.unpack(raw)[0])

    def _new_msg_id(self, now: float, residue: int) -> int:
        # ~ server time * 2**32; unique and increasing within the session;
        # the low two bits: 0 from a client, 1 (answers) or 3 from a server.
        t = now + self.time_offset
        sec = math.floor(t)
        frac = int((t - sec) * 4294967296.0) & 0xFFFFFFFC or 4
        msg_id = (sec << 32) | frac
        if msg_id <= self._last_msg_id:
            msg_id = (self._last_msg_id & ~3) + 4
        msg_id |= residue
        self._last_msg_id = msg_id
        return msg_id

    def _next_seq(self, content: bool) -> int:
        if content:
            self._seq += 1
            return 2 * self._seq - 1
        return 2 * self._seq

    def _server_time(self, msg_id: int) -> float:
        return msg_id / 4294967296.0

    # acknowledgments ------------------------------------------------------------

    def _ack(self, msg_id: int, now: float) -> None:
        if not self._acks:
            self._ack_since = now
        self._acks.append(msg_id)
        if len(self._acks) > MAX_ACKS:  # the oldest are dropped (sent again by the peer)
            del self._acks[: len(self._acks) - MAX_ACKS]

    def _acks_due(self, now: float) -> bool:
        if not self._acks:
            return False
        return len(self._acks) >= self.ack_threshold or now >= self._ack_since + self.ack_delay  # type: ignore[operator]

    # sending ----------------------------------------------------------------------

    def _residue(self, out: _Out) -> int:
        return 0

    def _prepare(self, out: _Out, now: float) -> None:
        # A message sent for the first time, or again after the server
        # refused it: a new msg_id and seq_no.
        out.msg_id = self._new_msg_id(now, self._residue(out))
        out.seq_no = self._next_seq(out.content)
        if out.sent_at is None:
            out.sent_at = now
        out.fresh = False
        self._track(out)

    def _track(self, out: _Out) -> None:
        # Service messages are remembered for a while: a notification may
        # name them.
        self._sent[out.msg_id] = out  # type: ignore[index]
        while len(self._sent) > _RECENT:
            self._sent.popitem(last=False)

    def _pack(self, now: float) -> list[bytes]:
        """
        Everything queued, with the acks, as packets: as many messages as
        fit in each container, a message alone when it does not fit.
        """
        items: list[_Out] = []
        while self._queue:
            items.append(self._queue.popleft())
        if self._acks and (items or self._acks_due(now)):
            for start in range(0, len(self._acks), MAX_ACKS):
                ids = self._acks[start : start + MAX_ACKS]
                items.append(_Out(bytes(tl.types.msgs_ack(msg_ids=ids)), False))
            self._acks = []
            self._ack_since = None
        packets = []
        batch: list[_Out] = []
        size = 0
        old = False  # whether the batch sends a message again with its msg_id
        for out in items:
            again = out.msg_id is not None and not out.fresh
            if not again:
                self._prepare(out, now)
            cost = len(out.body) + 16
            if batch and (len(batch) >= CONTAINER_MESSAGES or size + cost > CONTAINER_BYTES):
                packets.append(self._seal(batch, now, old))
                batch, size, old = [], 0, False
            batch.append(out)
            size += cost
            old = old or again
        if batch:
            packets.append(self._seal(batch, now, old))
        return packets

    def _seal(self, batch: list[_Out], now: float, old: bool) -> bytes:
        # A message sent again with its msg_id goes in a container, whose
        # new msg_id is what the receiver's time window judges.
        if len(batch) == 1 and not old:
            out = batch[0]
            return self._encrypt(out.msg_id, out.seq_no, out.body)  # type: ignore[arg-type]
        body = _container([(o.msg_id, o.seq_no, o.body) for o in batch])  # type: ignore[misc]
        holder = _Out(body, False)
        holder.msg_id = self._new_msg_id(now, self._container_residue())
        holder.seq_no = self._next_seq(False)
        self._containers[holder.msg_id] = [o.msg_id for o in batch]  # type: ignore[misc]
        while len(self._containers) > _RECENT:
            self._containers.popitem(last=False)
        return self._encrypt(holder.msg_id, holder.seq_no, body)

    def _container_residue(self) -> int:
        return 0

    def _encrypt(self, msg_id: int, seq_no: int, body: bytes) -> bytes:
        return mtproto.pack_message(
            self._key,
            salt=self._current_salt(msg_id),
            session_id=self.session_id,
            msg_id=msg_id,
            seq_no=seq_no,
            body=body,
            from_client=self._CLIENT,
        )

    def _current_salt(self, msg_id: int) -> int:
        return self.salt

    def _maybe_gzip(self, body: bytes) -> bytes:
        if self.gzip_min is None or len(body) < self.gzip_min:
            return body
        packed = _gzip(body)
        return packed if len(packed) < len(body) else body

    # receiving --------------------------------------------------------------------

    def _open(self, packet: Any, padded: bool) -> tuple[int, int, int, int, bytes]:
        """
        Decrypt and check one packet: (salt, session_id, msg_id, seq_no, body).
        """
        if isinstance(packet, Packet):
            padded = padded or packet.padded
            packet = packet.payload
        sender_is_client = not self._CLIENT
        if not padded:
            data = mtproto.decrypt_message(self._key, packet, from_client=sender_is_client)
        else:
            # The padded intermediate framing adds 0..15 bytes after the
            # packet: the packet is the largest 24 + 16k bytes prefix.
            try:
                view = memoryview(packet)
            except TypeError:
                raise _errors.not_buffer("packet", packet) from None
            with view:
                flat = view if view.ndim == 1 and view.format == "B" else view.cast("B")
                size = 24 + (len(flat) - 24) // 16 * 16 if len(flat) > 24 else len(flat)
                data = mtproto.decrypt_message(self._key, flat[:size], from_client=sender_is_client)
        salt, session_id, msg_id, seq_no, _ = _HEADER.unpack_from(data)
        return salt, session_id, msg_id, seq_no, data[32:]

    def _unpacked(self, body: bytes) -> bytes:
        return _unzip(body, self.max_unpacked)


# --- the client ------------------------------------------------------------------------


class Session(_Endpoint):
    """
    The client side of an MTProto session (see the module's description).

    :param auth_key: the :class:`mtcore.mtproto.AuthKey` (or its 256 bytes).
    :param session_id: the session's id (an int or 8 bytes); None draws one.
    :param salt: the server salt (int or 8 bytes): from the key exchange
        or a stored session; a wrong one is corrected by ``bad_server_salt``.
    :param time_offset: the server's clock minus ours, in seconds (kept
        from an earlier session; corrected by the server's messages).
    :param layer: the API layer of the requests; it must be the schema's
        (the default is the schema's layer).  Wrap a connection's first
        request in ``invokeWithLayer(layer, initConnection(...))``.
    :param schema: the :class:`mtcore.tl.Schema` to decode with (the
        bundled layer 229 by default).
    :param max_pending: the most requests queued or waiting for an answer
        (:meth:`send` raises :class:`~mtcore.exceptions.PendingLimitError`
        beyond).
    :param max_resends: how many times a request is sent again (after a
        bad salt or clock, a new session, :meth:`connection_reset`) before
        it fails with :class:`~mtcore.exceptions.ResendLimitError`.
    :param ack_delay: acknowledgments wait at most this many seconds for a
        request to ride along before they are sent alone ...
    :param ack_threshold: ... or until this many are waiting.
    :param ping_interval: :meth:`flush` adds ``ping_delay_disconnect``
        after this many seconds without one (the server closes the
        connection if nothing arrives for ``ping_interval + 15`` seconds);
        None: no automatic pings.
    :param gzip_min: requests of at least this many bytes are sent as
        ``gzip_packed`` when that is smaller (None: never).
    :param max_msg_ids: how many received msg_ids are kept for the
        duplicate check.
    :param max_unpacked: the most bytes one ``gzip_packed`` may unpack to.
    :param random: ``os.urandom``-like source of session ids and ping ids.
    """

    _CLIENT = True

    def __init__(
        self,
        auth_key: Union[mtproto.AuthKey, Buffer],
        *,
        session_id: Union[int, Buffer, None] = None,
        salt: Union[int, Buffer],
        time_offset: float = 0,
        layer: Optional[int] = None,
        schema: Optional[tl.Schema] = None,
        max_pending: int = 1024,
        max_resends: int = 5,
        ack_delay: float = 15.0,
        ack_threshold: int = 16,
        ping_interval: Optional[float] = 60.0,
        gzip_min: Optional[int] = 512,
        max_msg_ids: int = 500,
        max_unpacked: int = 16 * 1024 * 1024,
        random: Callable[[int], bytes] = os.urandom,
    ) -> None:
        super().__init__(
            auth_key,
            session_id=session_id,
            salt=salt,
            time_offset=time_offset,
            schema=schema,
            ack_delay=ack_delay,
            ack_threshold=ack_threshold,
            max_msg_ids=max_msg_ids,
            max_unpacked=max_unpacked,
            gzip_min=gzip_min,
            random=random,
        )
        schema_layer = self.schema.layer
        if layer is None:
            layer = schema_layer
        elif layer != schema_layer:
            raise _errors.layer_mismatch(layer, schema_layer)
        self.layer = layer
        self.max_pending = int_at_least("max_pending", max_pending, 1)
        self.max_resends = int_at_least("max_resends", max_resends, 0)
        self.ping_interval = None if ping_interval is None else number_arg("ping_interval", ping_interval)
        self._last_ping: Optional[float] = None
        self._ping: Optional[Request] = None  # the automatic ping in flight
        # The requests not done yet (given to send(), not internal), and
        # those sent, by their current msg_id.
        self._live: set[Request] = set()
        self._pending: dict[int, Request] = {}
        # Salts from future_salts: (valid_since, valid_until, salt), by time.
        self._salts: list[tuple[int, int, int]] = []
        self._old_sessions: deque[int] = deque(maxlen=4)
        # Answers to ask for again (msg_resend_req).
        self._asks: list[int] = []

    def __repr__(self) -> str:
        return (
            f"<Session {self.session_id & 0xFFFFFFFFFFFFFFFF:016x}, "
            f"{len(self._live)} requests pending>"
        )

    # the public API -------------------------------------------------------------

    @property
    def pending(self) -> int:
        """
        How many requests are queued or waiting for their answers.
        """
        return len(self._live)

    def send(self, request: Any, *, result_type: Optional[str] = None) -> Request:
        """
        Queue a request for the next :meth:`flush`.

        :param request: a TL function object (``tl.functions...``), or its
            TL bytes (another library's request: ``bytes(obj)``).
        :param result_type: the type to decode the result as
            (``"Vector<long>"``, ``"Updates"``); by default the function's
            result type, seen through ``invokeWithLayer``, ``initConnection``
            and the other wrappers (raw bytes: any boxed object).
        :returns: the :class:`Request`, which the events name.
        :raises mtcore.exceptions.PendingLimitError: ``max_pending``
            requests are queued or waiting.
        """
        body, name, obj, rtype = self._request(request, result_type)
        with self._lock:
            if len(self._live) >= self.max_pending:
                raise _errors.pending_limit(self.max_pending)
            req = Request(self._maybe_gzip(body), name, obj, rtype)
            self._live.add(req)
            self._queue.append(req)
            return req

    def request_future_salts(self, num: int = 32) -> Request:
        """
        Queue ``get_future_salts(num)``: the salts it returns are used as
        the current one expires; its result is the ``future_salts`` too.
        """
        num = int_at_least("num", num, 1)
        return self.send(tl.functions.get_future_salts(num=num))

    def cancel(self, request: Request) -> RpcFailed:
        """
        Give up a request: it is not sent (again), and an answer that still
        comes is acknowledged and dropped.

        :returns: its :class:`RpcFailed` event (a
            :class:`~mtcore.exceptions.ResendLimitError`).
        """
        with self._lock:
            if request not in self._live:
                raise _errors.unknown_request(repr(request))
            return self._fail(request, _errors.cancelled(request._label()))

    def flush(self, now: float) -> list[bytes]:
        """
        The packets to send now: queued requests and requests to send
        again, acknowledgments (with them, or alone when ``ack_delay`` or
        ``ack_threshold`` says so) and a ping when one is due.  Frame each
        with a transport codec.
        """
        now = number_arg("now", now)
        with self._lock:
            if self.ping_interval is not None:
                if self._last_ping is None:
                    self._last_ping = now
                elif now >= self._last_ping + self.ping_interval:
                    self._send_ping(now)
            if self._asks:
                ask = tl.types.msg_resend_req(msg_ids=self._asks)
                self._queue.append(_Out(bytes(ask), True))
                self._asks = []
            return self._pack(now)

    def next_flush(self, now: float) -> Optional[float]:
        """
        When :meth:`flush` next has something to send without new input:
        ``now`` if it has already, else the time acknowledgments or a ping
        fall due (the ping timer starts with the first flush); None when
        nothing is scheduled.
        """
        now = number_arg("now", now)
        with self._lock:
            if self._queue or self._asks or len(self._acks) >= self.ack_threshold:
                return now
            times = []
            if self._acks:
                times.append(self._ack_since + self.ack_delay)  # type: ignore[operator]
            if self.ping_interval is not None and self._last_ping is not None:
                times.append(self._last_ping + self.ping_interval)
            return max(min(times), now) if times else None

    def connection_reset(self, now: float) -> list[Event]:
        """
        The transport connection was replaced: every request sent and not
        acknowledged goes out again with the next :meth:`flush` (with its
        msg_id while that is less than four minutes old, so that the server
        runs it once), and the ping timer restarts.

        :returns: :class:`RpcFailed` for the requests that reached
            ``max_resends``.
        """
        now = number_arg("now", now)
        with self._lock:
            self._last_ping = None
            if self._ping is not None:
                self._finish(self._ping)
                self._ping = None
            events: list[Event] = []
            server_now = now + self.time_offset
            for req in self._unanswered():
                if not req.acked:
                    age = server_now - self._server_time(req.msg_id)  # type: ignore[arg-type]
                    self._resend(req, events, same_id=age < MAX_PAST - 60)
            return events

    def receive(self, packet: Union[Buffer, Packet], now: float, *, padded: bool = False) -> list[Event]:
        """
        Take one packet from the server (a :class:`mtcore.transport.Packet`
        or its payload) and return what it means.

        Messages outside the time window or with a msg_id seen before are
        ignored (the guidelines' rules); service messages are handled; a
        message to acknowledge is acknowledged by a later :meth:`flush`.

        :param padded: the packet may end with padding (the padded
            intermediate framing; a Packet says so itself).
        :raises mtcore.exceptions.SecurityError: the packet fails a check
            of decryption (key id, length, msg_key), belongs to another
            session, or has an even msg_id: drop it, and preferably
            reconnect.
        """
        now = number_arg("now", now)
        with self._lock:
            salt, session_id, msg_id, seq_no, body = self._open(packet, padded)
            if session_id != self.session_id:
                if session_id in self._old_sessions:
                    return []  # a late message of a session we left
                raise _errors.session_mismatch()
            if msg_id & 1 != 1:
                raise _errors.msg_id_parity(msg_id, False)
            events: list[Event] = []
            self._message(msg_id, seq_no, body, now, events, self._in_window(msg_id, now), True)
            return events

    # receiving ---------------------------------------------------------------------

    def _in_window(self, msg_id: int, now: float) -> bool:
        delta = now + self.time_offset - self._server_time(msg_id)
        return -MAX_FUTURE <= delta <= MAX_PAST

    def _message(self, msg_id: int, seq_no: int, body: bytes, now: float, events: list[Event],
                 in_window: bool, top: bool) -> None:
        cid = _cid(body)
        if not in_window:
            # Only a notification about one of our recent messages is
            # taken (it is how a wrong clock or salt gets fixed).
            if cid == MSG_CONTAINER and top:
                try:
                    inner = _messages(body)
                except TLDecodeError:
                    return
                for i_id, i_seq, i_body in inner:
                    if i_id & 1 and _cid(i_body) in _TIME_EXEMPT:
                        self._message(i_id, i_seq, i_body, now, events, False, False)
                return
            if cid in _TIME_EXEMPT and self._seen.is_new(msg_id):
                try:
                    if self._bad_msg(msg_id, body, now, events):
                        self._seen.add(msg_id)
                except TLDecodeError:
                    pass
            return
        if not self._seen.is_new(msg_id):
            if seq_no & 1:
                self._ack(msg_id, now)  # acknowledged again: the server sent it again
            return
        self._seen.add(msg_id)
        if seq_no & 1:
            self._ack(msg_id, now)
        try:
            self._dispatch(msg_id, cid, body, now, events, top)
        except TLDecodeError as exc:
            events.append(DecodeFailed(msg_id, body, exc))

    def _dispatch(self, msg_id: int, cid: int, body: bytes, now: float, events: list[Event],
                  top: bool) -> None:
        if cid == MSG_CONTAINER:
            if not top:
                raise _errors.tl_wrong_type(cid, "msg_container", "a message in a container", 0)
            for i_id, i_seq, i_body in _messages(body):
                if i_id & 1:  # an inner msg_id of the wrong parity is dropped
                    self._message(i_id, i_seq, i_body, now, events, True, False)
            return
        if cid == GZIP_PACKED:
            inner = self._unpacked(body)
            inner_cid = _cid(inner)
            if inner_cid in (GZIP_PACKED, MSG_CONTAINER):
                raise _errors.tl_gzip_nested(0)
            self._dispatch(msg_id, inner_cid, inner, now, events, False)
            return
        if cid == RPC_RESULT:
            self._rpc_result(body, events)
            return
        if cid in _TIME_EXEMPT:
            self._bad_msg(msg_id, body, now, events)
            return
        obj: Any = tl.decode(body, self.schema)
        if cid == MSGS_ACK:
            for acked in obj.msg_ids:
                req = self._pending.get(acked)
                if req is not None:
                    req.acked = True
        elif cid == PONG:
            req = self._pending.get(obj.msg_id)
            if req is not None and req.name in ("ping", "ping_delay_disconnect"):
                self._complete(req, obj, events)
        elif cid == FUTURE_SALTS:
            self._store_salts(obj)
            req = self._pending.get(obj.req_msg_id)
            if req is not None:
                self._complete(req, obj, events)
        elif cid == NEW_SESSION_CREATED:
            self.salt = obj.server_salt
            # The server forgot what came before first_msg_id (the messages
            # of a container with that id excepted): again.
            first = obj.first_msg_id
            kept = self._containers.get(first, ())
            for req in self._unanswered():
                if req.msg_id < first and req.msg_id not in kept and not req.acked:
                    self._resend(req, events, same_id=False)
            events.append(NewSession(obj.first_msg_id, obj.unique_id, obj.server_salt))
        elif cid in (MSG_DETAILED_INFO, MSG_NEW_DETAILED_INFO):
            if cid == MSG_DETAILED_INFO:
                req = self._pending.get(obj.msg_id)
                if req is not None:
                    req.acked = True
            if obj.answer_msg_id in self._seen:
                self._ack(obj.answer_msg_id, now)
            elif obj.answer_msg_id not in self._asks and len(self._asks) < MAX_ACKS:
                self._asks.append(obj.answer_msg_id)  # msg_resend_req with the next flush
        elif cid in (MSG_RESEND_REQ, MSG_RESEND_ANS_REQ):
            for wanted in obj.msg_ids:
                req = self._pending.get(wanted)
                if req is not None:
                    self._resend(req, events, same_id=True)
        elif cid in (MSGS_STATE_REQ, MSGS_STATE_INFO, MSGS_ALL_INFO,
                     DESTROY_SESSION_OK, DESTROY_SESSION_NONE):
            pass  # nothing a client has to do
        else:
            events.append(Update(msg_id, obj))

    def _rpc_result(self, body: bytes, events: list[Event]) -> None:
        if len(body) < 16:
            raise _errors.tl_short("rpc_result", 16, len(body), 0)
        req = self._pending.get(_I64.unpack_from(body, 4)[0])
        if req is None:
            return  # not ours (any more): acknowledged and dropped
        data = body[12:]
        try:
            if _cid(data) == GZIP_PACKED:
                data = self._unpacked(data)
            if _cid(data) == RPC_ERROR:
                err: Any = tl.decode(data, self.schema)
                self._fail(req, RpcError(err.error_code, err.error_message, request=req), events)
                return
            result = tl.decode(data, self.schema, type=req.result_type)
        except TLDecodeError as exc:
            self._fail(req, exc, events)
            return
        if getattr(result, "tl_id", None) == FUTURE_SALTS:
            self._store_salts(result)
        self._complete(req, result, events)

    def _store_salts(self, answer: Any) -> None:
        # The newest 64, by time.
        salts = sorted((s.valid_since, s.valid_until, s.salt) for s in answer.salts)
        self._salts = salts[-64:]

    def _bad_msg(self, msg_id: int, body: bytes, now: float, events: list[Event]) -> bool:
        """
        Handle bad_server_salt / bad_msg_notification; False when it names
        nothing we sent recently (then it is not trusted).
        """
        note: Any = tl.decode(body, self.schema)
        bad = note.bad_msg_id
        if bad not in self._pending and bad not in self._sent and bad not in self._containers:
            return False
        targets = self._targets(bad)
        code = note.error_code
        if note.tl_id == BAD_SERVER_SALT:
            self.salt = note.new_server_salt
            self._salts = []
            for req in targets:
                self._resend(req, events, same_id=False)
        elif code in (16, 17):
            # The notification's own msg_id carries the server's time.
            self.time_offset = self._server_time(msg_id) - now
            self._last_msg_id = 0
            for req in targets:
                self._resend(req, events, same_id=False)
        elif code in (32, 33):
            # Our msg_id / seq_no order broke: a new session (as tdlib
            # does), with every unanswered request sent again in it.
            self._new_session()
            for req in self._unanswered():
                self._resend(req, events, same_id=False)
        elif code in (20, 48):
            for req in targets:
                self._resend(req, events, same_id=False)
        else:
            for req in targets:
                self._fail(req, _errors.bad_message(code, req._label()), events)
        return True

    def _targets(self, msg_id: int) -> list[Request]:
        # The unanswered requests a notification about msg_id concerns
        # (one message, or every message of a container) when they were
        # last sent with it.
        ids = self._containers.get(msg_id, [msg_id])
        found = (self._pending.get(i) for i in ids)
        return [r for r in found if r is not None and r.msg_id in ids]

    def _unanswered(self) -> list[Request]:
        # Each request waiting for its answer, once, oldest first.
        return list(dict.fromkeys(self._pending.values()))

    def _new_session(self) -> None:
        self._old_sessions.append(self.session_id)
        self.session_id = self._random_long()
        self._seq = 0
        self._seen.clear()

    # request bookkeeping --------------------------------------------------------------

    def _send_ping(self, now: float) -> None:
        # The previous automatic ping is given up (bounded state on a
        # silent server).
        if self._ping is not None:
            self._finish(self._ping)
        self._last_ping = now
        ping = tl.functions.ping_delay_disconnect(
            ping_id=self._random_long(), disconnect_delay=int(self.ping_interval) + 15  # type: ignore[arg-type]
        )
        self._ping = Request(bytes(ping), ping.tl_name, ping, "Pong", internal=True)
        self._queue.append(self._ping)

    def _finish(self, req: Request) -> None:
        req.done = True
        self._live.discard(req)
        for msg_id in req._ids:
            if self._pending.get(msg_id) is req:
                del self._pending[msg_id]
        if req in self._queue:
            self._queue.remove(req)

    def _complete(self, req: Request, result: Any, events: list[Event]) -> None:
        self._finish(req)
        if not req._internal:
            events.append(RpcResult(req, result))

    def _fail(self, req: Request, error: Exception, events: Optional[list[Event]] = None) -> RpcFailed:
        if isinstance(error, SessionError):
            error.request = req
        self._finish(req)
        event = RpcFailed(req, error)
        if events is not None and not req._internal:
            events.append(event)
        return event

    def _resend(self, req: Request, events: list[Event], *, same_id: bool) -> None:
        if req.done or req in self._queue:
            return
        if req._internal:  # an automatic ping is not sent again
            self._finish(req)
            return
        if req.resends >= self.max_resends:
            self._fail(req, _errors.resend_limit(req._label(), req.resends + 1), events)
            return
        req.resends += 1
        req.acked = False
        # With a new msg_id, the old ones still match a late answer.
        req.fresh = not same_id
        self._queue.append(req)

    def _track(self, out: _Out) -> None:
        if isinstance(out, Request):
            self._pending[out.msg_id] = out  # type: ignore[index]
            out._ids.append(out.msg_id)  # type: ignore[arg-type]
        else:
            super()._track(out)

    def _current_salt(self, msg_id: int) -> int:
        # A future salt valid at the message's time replaces the current one.
        t = int(self._server_time(msg_id))
        while self._salts and self._salts[0][1] <= t:
            self._salts.pop(0)
        if self._salts and self._salts[0][0] <= t:
            self.salt = self._salts[0][2]
        return self.salt

    # requests --------------------------------------------------------------------------

    def _request(self, request: Any, result_type: Optional[str]) -> tuple[bytes, Optional[str], Any, Optional[str]]:
        if result_type is not None and not isinstance(result_type, str):
            raise _errors.not_str("result_type", result_type)
        if isinstance(request, tl.TLObject):
            desc = request._desc
            if not desc.is_function:
                raise _errors.not_function(desc.name)
            body = bytes(request)
            if result_type is None:
                result_type = self._result_type(request)
            return body, desc.name, request, result_type
        try:
            with memoryview(request) as view:
                body = view.tobytes()
        except TypeError:
            raise _errors.not_request("request", request) from None
        if not body or len(body) & 3:
            raise _errors.request_length(len(body))
        return body, None, None, result_type

    def _result_type(self, obj: Any) -> Optional[str]:
        # A generic wrapper (invokeWithLayer, initConnection, invokeAfterMsg,
        # ...) returns what its !X query returns.
        for _ in range(16):
            comb = self.schema.functions.get(obj.tl_name)
            if comb is None:
                return None
            if not comb.result.generic:
                return str(comb.result)
            inner = None
            for p in comb.params:
                if p.type.query and p.type.name == comb.result.name:
                    inner = getattr(obj, p.name + "_" if keyword.iskeyword(p.name) else p.name)
            if not isinstance(inner, tl.TLObject):
                return None
            obj = inner
        return None


# --- the server ------------------------------------------------------------------------


class ServerSession(_Endpoint):
    """
    The server side of an MTProto session (one auth key; a client changing
    its session id starts a new one here too).  It checks each client
    message and answers the rule-breakers itself: ``bad_msg_notification``
    18 (msg_id not divisible by 4), 16/17 (msg_id more than 300 s old or
    30 s ahead of ``now``), 34/35 (seq_no parity), 32/33 (seq_no order),
    ``bad_server_salt``; a known msg_id gets ``msg_detailed_info`` once
    answered.  It sends ``new_session_created``, answers ``ping``,
    ``ping_delay_disconnect`` and ``get_future_salts``, resends kept
    answers on ``msg_resend_req``, and surfaces every other message as a
    :class:`Query` (a query whose body does not decode comes as a
    :class:`DecodeFailed` that :meth:`reply_error` can answer).  The
    owner closes the connection at :attr:`disconnect_at`, which
    ``ping_delay_disconnect`` sets.

    :param auth_key: the client's key.
    :param salt: the current server salt; ``future_salts`` may add more
        (``(valid_since, valid_until, salt)`` tuples, also what
        ``get_future_salts`` answers).
    :param max_answers: how many answers are kept for resending.
    """

    _CLIENT = False

    def __init__(
        self,
        auth_key: Union[mtproto.AuthKey, Buffer],
        *,
        salt: Union[int, Buffer],
        future_salts: tuple[tuple[int, int, int], ...] = (),
        schema: Optional[tl.Schema] = None,
        ack_delay: float = 15.0,
        ack_threshold: int = 16,
        max_msg_ids: int = 500,
        max_unpacked: int = 16 * 1024 * 1024,
        max_answers: int = 256,
        gzip_min: Optional[int] = 512,
        random: Callable[[int], bytes] = os.urandom,
    ) -> None:
        super().__init__(
            auth_key,
            session_id=0,
            salt=salt,
            time_offset=0,
            schema=schema,
            ack_delay=ack_delay,
            ack_threshold=ack_threshold,
            max_msg_ids=max_msg_ids,
            max_unpacked=max_unpacked,
            gzip_min=gzip_min,
            random=random,
        )
        self.session_id = None  # type: ignore[assignment]
        self.future_salts = tuple(
            (int(a), int(b), _signed64("future salt", s)) for a, b, s in future_salts
        )
        self.max_answers = int_at_least("max_answers", max_answers, 1)
        # Answers kept for msg_resend_req / msg_detailed_info, by the
        # msg_id of the query they answer; queries not answered yet.
        self._answers: OrderedDict[int, _Out] = OrderedDict()
        self._open_queries: dict[int, int] = {}  # query msg_id -> its seq_no
        # The highest content-related (msg_id, seq_no) of the session.
        self._last_content: tuple[int, int] = (0, -1)
        self._announce = False  # new_session_created is due
        #: When the connection is to be closed (``now`` of the last
        #: ``ping_delay_disconnect`` plus its ``disconnect_delay``), or None
        #: while none came; each one sets it anew.
        self.disconnect_at: Optional[float] = None

    def __repr__(self) -> str:
        sid = "no session yet" if self.session_id is None else f"{self.session_id & 0xFFFFFFFFFFFFFFFF:016x}"
        return f"<ServerSession {sid}, {len(self._open_queries)} queries open>"

    # the public API ----------------------------------------------------------------

    def receive(self, packet: Union[Buffer, Packet], now: float, *, padded: bool = False) -> list[Event]:
        """
        Take one packet from the client; answers to service messages and
        notifications are queued for :meth:`flush`.

        :raises mtcore.exceptions.SecurityError: the packet fails a check of
            decryption.
        """
        now = number_arg("now", now)
        with self._lock:
            salt, session_id, msg_id, seq_no, body = self._open(packet, padded)
            events: list[Event] = []
            if session_id != self.session_id:
                # A new session: answered in it (notifications too), and
                # announced with the first message that passes the checks.
                self.session_id = session_id
                self._seq = 0
                self._seen.clear()
                self._last_content = (0, -1)
                self._announce = True
            if msg_id & 3:
                return self._notify(msg_id, seq_no, 18)
            delta = self._server_time(msg_id) - now
            if delta < -MAX_PAST:
                return self._notify(msg_id, seq_no, 16)
            if delta > MAX_FUTURE:
                return self._notify(msg_id, seq_no, 17)
            if not self._salt_ok(salt, now):
                bad = tl.types.bad_server_salt(
                    bad_msg_id=msg_id, bad_msg_seqno=seq_no, error_code=48,
                    new_server_salt=self.salt,
                )
                self._queue.append(_Out(bytes(bad), False))
                return events
            if self._announce:
                self._announce = False
                note = tl.types.new_session_created(
                    first_msg_id=msg_id, unique_id=self._random_long(), server_salt=self.salt
                )
                self._queue.append(_Out(bytes(note), True))
            self._client_message(msg_id, seq_no, body, now, events, True)
            return events

    def reply(self, msg_id: int, result: Any) -> None:
        """
        Queue the answer to a :class:`Query`: ``rpc_result`` of ``result``
        (a TL object or its bytes), gzipped when that is smaller.
        """
        body = self._tl_body("result", result)
        with self._lock:
            self._answer(msg_id, body)

    def reply_error(self, msg_id: int, code: int, message: str) -> None:
        """
        Queue an ``rpc_error`` as the answer to a :class:`Query`.
        """
        err = tl.types.rpc_error(error_code=code, error_message=message)
        with self._lock:
            self._answer(msg_id, bytes(err))

    def push(self, update: Any) -> None:
        """
        Queue a message that answers nothing (an update).
        """
        body = self._tl_body("update", update)
        with self._lock:
            self._queue.append(_Out(self._maybe_gzip(body), True, notification=True))

    def announce(self, msg_id: int) -> None:
        """
        Queue ``msg_new_detailed_info`` about the kept answer to the query
        ``msg_id`` (the client asks for it if it did not get it).
        """
        with self._lock:
            answer = self._answers.get(msg_id)
            if answer is None or answer.msg_id is None:  # unknown, or not sent yet
                raise _errors.unknown_request(f"a sent answer to msg_id {msg_id}")
            note = tl.types.msg_new_detailed_info(
                answer_msg_id=answer.msg_id, bytes=len(answer.body), status=0
            )
            self._queue.append(_Out(bytes(note), True))

    def flush(self, now: float) -> list[bytes]:
        """
        The packets to send now: answers, pushed messages, notifications and
        acknowledgments.
        """
        now = number_arg("now", now)
        with self._lock:
            if self.session_id is None:
                return []
            return self._pack(now)

    # checks ------------------------------------------------------------------------------

    def _salt_ok(self, salt: int, now: float) -> bool:
        if salt == self.salt:
            return True
        return any(a <= now < b and s == salt for a, b, s in self.future_salts)

    def _notify(self, msg_id: int, seq_no: int, code: int) -> list[Event]:
        note = tl.types.bad_msg_notification(bad_msg_id=msg_id, bad_msg_seqno=seq_no, error_code=code)
        self._queue.append(_Out(bytes(note), False))
        return []

    def _client_message(self, msg_id: int, seq_no: int, body: bytes, now: float,
                        events: list[Event], top: bool) -> None:
        cid = _cid(body)
        if msg_id in self._seen:
            answer = self._answers.get(msg_id)
            if answer is not None and answer.msg_id is not None:
                info = tl.types.msg_detailed_info(
                    msg_id=msg_id, answer_msg_id=answer.msg_id, bytes=len(answer.body), status=0
                )
                self._queue.append(_Out(bytes(info), True))
            return
        if not self._seen.is_new(msg_id):
            self._notify(msg_id, seq_no, 20)
            return
        inner_cid = cid
        if cid == GZIP_PACKED:
            try:
                body = self._unpacked(body)
            except TLDecodeError as exc:
                events.append(DecodeFailed(msg_id, body, exc))
                return
            inner_cid = _cid(body)
        content = inner_cid not in _NOT_CONTENT
        if inner_cid == PING:
            # Pyrogram sends ping as not content-related (an even seq_no),
            # and Telegram answers it all the same: the client decides.
            content = bool(seq_no & 1)
        if content != bool(seq_no & 1):
            self._notify(msg_id, seq_no, 35 if content else 34)
            return
        if content:
            last_id, last_seq = self._last_content
            if msg_id > last_id and seq_no <= last_seq:
                self._notify(msg_id, seq_no, 32)
                return
            if msg_id < last_id and seq_no >= last_seq:
                self._notify(msg_id, seq_no, 33)
                return
            if msg_id > last_id:
                self._last_content = (msg_id, seq_no)
        self._seen.add(msg_id)
        if content:
            self._ack(msg_id, now)
        try:
            self._serve(msg_id, seq_no, inner_cid, body, now, events, top)
        except TLDecodeError as exc:
            if content:
                # A query of a constructor this schema lacks still gets its
                # answer: the owner replies with an error.
                self._open_query(msg_id, seq_no)
            events.append(DecodeFailed(msg_id, body, exc))

    def _serve(self, msg_id: int, seq_no: int, cid: int, body: bytes, now: float,
               events: list[Event], top: bool) -> None:
        if cid == MSG_CONTAINER:
            if not top:
                raise _errors.tl_wrong_type(cid, "msg_container", "a message in a container", 0)
            for i_id, i_seq, i_body in _messages(body):
                if i_id >= msg_id:
                    self._notify(msg_id, seq_no, 64)
                    return
            for i_id, i_seq, i_body in _messages(body):
                if i_id & 3:
                    self._notify(i_id, i_seq, 18)
                    continue
                self._client_message(i_id, i_seq, i_body, now, events, False)
            return
        obj: Any = tl.decode(body, self.schema)
        if cid == MSGS_ACK:
            for acked in obj.msg_ids:
                for q_id, answer in list(self._answers.items()):
                    if answer.msg_id == acked:
                        answer.acked = True
        elif cid in (PING, PING_DELAY_DISCONNECT):
            self._queue.append(_Out(bytes(tl.types.pong(msg_id=msg_id, ping_id=obj.ping_id)), False))
            if cid == PING_DELAY_DISCONNECT:
                self.disconnect_at = now + obj.disconnect_delay
        elif cid == GET_FUTURE_SALTS:
            salts = [tl.types.future_salt(valid_since=a, valid_until=b, salt=s)
                     for a, b, s in self.future_salts[: obj.num]]
            reply = tl.types.future_salts(req_msg_id=msg_id, now=int(now), salts=salts)
            self._queue.append(_Out(bytes(reply), True))
        elif cid in (MSG_RESEND_REQ, MSG_RESEND_ANS_REQ):
            for wanted in obj.msg_ids:
                for answer in self._answers.values():
                    if answer.msg_id == wanted:
                        self._queue.append(answer)  # the same msg_id again
        elif cid in (MSGS_STATE_REQ, MSGS_STATE_INFO, MSGS_ALL_INFO, MSG_DETAILED_INFO,
                     MSG_NEW_DETAILED_INFO):
            pass
        else:
            self._open_query(msg_id, seq_no)
            events.append(Query(msg_id, obj))

    def _open_query(self, msg_id: int, seq_no: int) -> None:
        self._open_queries[msg_id] = seq_no
        if len(self._open_queries) > _OPEN_QUERIES:  # never answered: forgotten
            del self._open_queries[next(iter(self._open_queries))]

    # answers ----------------------------------------------------------------------------

    def _tl_body(self, name: str, obj: Any) -> bytes:
        if isinstance(obj, tl.TLObject) or getattr(obj, "_desc", None) is not None:
            return tl.encode(obj)
        if obj is True or obj is False:
            return bytes(tl.types.boolTrue() if obj else tl.types.boolFalse())
        try:
            with memoryview(obj) as view:
                return view.tobytes()
        except TypeError:
            raise _errors.not_tl_object(name, obj) from None

    def _answer(self, msg_id: int, result: bytes) -> None:
        if msg_id not in self._open_queries:
            raise _errors.unknown_request(f"a query with msg_id {msg_id}")
        del self._open_queries[msg_id]
        data = self._maybe_gzip(result)
        body = struct.pack("<Iq", RPC_RESULT, msg_id) + data
        out = _Out(body, True)
        self._answers[msg_id] = out
        while len(self._answers) > self.max_answers:
            self._answers.popitem(last=False)
        self._queue.append(out)

    def _residue(self, out: _Out) -> int:
        # Answers are 1 mod 4, messages answering nothing 3 mod 4.
        return 3 if out.notification else 1

    def _container_residue(self) -> int:
        return 1

