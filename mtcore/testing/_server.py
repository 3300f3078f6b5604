"""
One DC of the test cluster: an asyncio TCP server on loopback whose
connections run the sans-I/O layers (mtcore.transport, mtcore.handshake,
mtcore.session) and hand queries to handlers.
"""

from __future__ import annotations

import asyncio
import inspect
import ipaddress
import logging
import struct
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Optional

from mtcore import _errors, mtproto, tl, transport
from mtcore.exceptions import MtcoreError, RpcError
from mtcore.handshake import HandshakeState, ServerHandshake
from mtcore.session import DecodeFailed, Query, ServerSession
from mtcore.testing import _handlers
from mtcore.testing._accounts import Account

if TYPE_CHECKING:
    from mtcore.testing._cluster import TestCluster

log = logging.getLogger("mtcore.testing")

_VECTOR = struct.Struct("<Ii")
_VECTOR_ID = 0x1CB5C415
# What a connection may hold at once: auth keys in use (a permanent and a
# temporary one, a few spare), key exchanges (one at a time, this many in
# all), bytes waiting to be sent.
_SESSIONS_PER_CONNECTION = 8
_HANDSHAKES_PER_CONNECTION = 8
# Seconds a closed connection keeps to send what it still buffers.
_CLOSE_GRACE = 2.0
# The largest answer worth a gzip_packed attempt, and how many answers a
# session keeps for msg_resend_req.
_GZIP_MAX = 64 << 10
_KEPT_ANSWERS = 16

Handler = Callable[["Context", Any], Any]


def check_loopback(host: str) -> str:
    """
    ``host`` if it is a loopback address (127.0.0.0/8 or ::1), else raise:
    the test server never listens on a reachable interface.
    """
    try:
        ok = ipaddress.ip_address(host).is_loopback
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise _errors.testing_not_loopback(host)
    return host


def function_name(function: Any) -> str:
    """
    The TL name of a function given as its class (``tl.functions.help.getConfig``)
    or its name (``"help.getConfig"``).
    """
    desc = getattr(function, "_desc", None)
    if desc is not None and desc.is_function:
        return str(desc.name)
    if isinstance(function, str):
        desc = tl.codec_for().desc_by_name(function, True)
        if desc is not None:
            return str(desc.name)
    raise _errors.testing_not_function(function)


def handler_decorator(table: dict[str, Handler], function: Any) -> Callable[[Handler], Handler]:
    """
    The decorator behind :meth:`TestServer.handler` and
    :meth:`TestCluster.handler`: it puts a handler of ``function`` in
    ``table``.
    """
    name = function_name(function)

    def register(fn: Handler) -> Handler:
        if not callable(fn):
            raise _errors.not_callable("handler", fn)
        table[name] = fn
        return fn

    return register


class _Session(ServerSession):
    """
    A ServerSession that does not try to gzip large answers (file parts:
    about 50 ms a MiB of random bytes, for nothing), and keeps a few
    answers for resending, not hundreds of them.
    """

    def _maybe_gzip(self, body: bytes) -> bytes:
        return body if len(body) > _GZIP_MAX else super()._maybe_gzip(body)


class _Key:
    """
    An auth key this DC knows, and what rides on it: the salt, for a
    temporary key its expiry and the permanent key it is bound to, for a
    permanent key the authorization (its user, or the user whose password
    is awaited) and the login token it asked for last; the layer and
    ``initConnection`` fields of its sessions.
    """

    __slots__ = (
        "auth_key",
        "expires_at",
        "init",
        "layer",
        "login_token",
        "password_user",
        "perm",
        "salt",
        "user",
    )

    def __init__(self, auth_key: mtproto.AuthKey, salt: int, expires_at: Optional[int]) -> None:
        self.auth_key = auth_key
        self.salt = salt
        self.expires_at = expires_at
        self.perm: Optional[_Key] = None
        self.user: Optional[Account] = None
        self.password_user: Optional[Account] = None
        self.login_token: Any = None
        self.layer: Optional[int] = None
        self.init: Any = None

    @property
    def holder(self) -> Optional[_Key]:
        # The key whose authorization counts: itself when permanent, the
        # bound permanent key when temporary (None until bound).
        return self if self.expires_at is None else self.perm


class Context:
    """
    What a handler gets with the request: where it came from and what it
    may act on.

    :ivar server: The :class:`~mtcore.testing.TestServer` (the DC).
    :ivar cluster: The :class:`~mtcore.testing.TestCluster`.
    :ivar dc_id: The DC's id.
    :ivar now: The server clock when the query arrived.
    :ivar msg_id: The msg_id of the message that carried the query.
    :ivar session_id: The client's session id.
    :ivar auth_key_id: The 8-byte id of the auth key it came over.
    """

    __slots__ = ("_conn", "_key", "_session", "auth_key_id", "cluster", "dc_id", "msg_id",
                 "now", "server", "session_id")

    def __init__(self, conn: _Connection, key: _Key, session: ServerSession,
                 msg_id: int, now: float) -> None:
        self._conn = conn
        self._key = key
        self._session = session
        self.server = conn.server
        self.cluster = conn.server.cluster
        self.dc_id = conn.server.dc_id
        self.now = now
        self.msg_id = msg_id
        self.session_id: int = session.session_id
        self.auth_key_id: bytes = key.auth_key.key_id

    @property
    def temporary(self) -> bool:
        """
        Whether the query came over a temporary (PFS) key.
        """
        return self._key.expires_at is not None

    @property
    def layer(self) -> Optional[int]:
        """
        The layer of the key's last ``invokeWithLayer``, or None.
        """
        return self._key.layer

    @property
    def init_connection(self) -> Any:
        """
        The key's last ``initConnection`` (its ``query`` left out), or None.
        """
        return self._key.init

    @property
    def user(self) -> Optional[Account]:
        """
        The account the auth key is logged in as on this DC, or None.
        """
        holder = self._key.holder
        return None if holder is None else holder.user

    def require_user(self, *, home: bool = True) -> Account:
        """
        The logged-in account, or the error Telegram gives instead.

        :param home: Whether the method is served on the user's home DC
            only (``USER_MIGRATE_X`` elsewhere).
        :raises mtcore.exceptions.RpcError: ``AUTH_KEY_PERM_EMPTY`` (a
            temporary key not bound yet), ``AUTH_KEY_UNREGISTERED`` (not
            logged in), ``USER_MIGRATE_X``.
        """
        holder = self._key.holder
        if holder is None:
            raise RpcError(401, "AUTH_KEY_PERM_EMPTY")
        if holder.user is None:
            raise RpcError(401, "AUTH_KEY_UNREGISTERED")
        if home and holder.user.dc != self.dc_id:
            raise RpcError(303, f"USER_MIGRATE_{holder.user.dc}")
        return holder.user

    def authorize(self, user: Optional[Account]) -> None:
        """
        Log the auth key (its permanent key) in as ``user`` on this DC, or
        out with None.

        :raises mtcore.exceptions.RpcError: ``AUTH_KEY_PERM_EMPTY`` for a
            temporary key not bound yet.
        """
        holder = self._perm()
        holder.user = user
        holder.password_user = None

    def push(self, update: Any) -> None:
        """
        Send a message that answers nothing (an update) in this session now.
        """
        self._session.push(update)
        self._conn.flush(self._session)

    def _perm(self) -> _Key:
        holder = self._key.holder
        if holder is None:
            raise RpcError(401, "AUTH_KEY_PERM_EMPTY")
        return holder

    def __repr__(self) -> str:
        return f"<Context DC {self.dc_id} msg_id {self.msg_id}>"


def encode_result(value: Any) -> Any:
    """
    A handler's return value as ``ServerSession.reply`` takes it: a TL
    object, a bool or bytes as they are; a list as a ``Vector`` of TL objects.
    """
    if isinstance(value, (list, tuple)):
        parts = [_VECTOR.pack(_VECTOR_ID, len(value))]
        for item in value:
            if not isinstance(item, tl.TLObject):
                raise _errors.not_tl_object("a result vector's item", item)
            parts.append(bytes(item))
        return b"".join(parts)
    return value


class _Connection:
    """
    One client connection: the transport (picked from its first bytes),
    a key exchange when the client runs one, a ServerSession per auth key.
    """

    def __init__(self, server: TestServer, writer: asyncio.StreamWriter) -> None:
        self.server = server
        self.writer = writer
        self.codec: Any = None
        self.head = b""
        self.handshake: Optional[ServerHandshake] = None
        self.handshakes = 0
        self.sessions: dict[bytes, ServerSession] = {}
        self.closed = False
        loop = asyncio.get_running_loop()
        self.last_frame = loop.time()
        # Whether the connection has no key in use yet (nothing received,
        # or a key exchange under way): its next frame is then due within
        # the handshake timeout, else within the idle timeout.
        self.keyless = True

    def deadline(self) -> float:
        srv = self.server
        return self.last_frame + (srv.handshake_timeout if self.keyless else srv.idle_timeout)

    def due(self, now: float) -> bool:
        # Whether a ping_delay_disconnect ran out (on the server clock).
        return any(s.disconnect_at is not None and now >= s.disconnect_at
                   for s in self.sessions.values())

    def abort(self) -> None:
        self.closed = True
        self.writer.transport.abort()

    def write(self, data: bytes) -> None:
        if self.closed:
            return
        self.writer.write(data)
        if self.writer.transport.get_write_buffer_size() > self.server.max_write_buffer:
            log.info("DC %d: a client reads too slowly; closing", self.server.dc_id)
            self.abort()

    def flush(self, session: ServerSession) -> None:
        if self.closed:
            return
        packets = session.flush(self.server.cluster.clock())
        if packets:
            self.write(b"".join(self.codec.encode(p) for p in packets))

    def fail(self, code: int) -> None:
        # A transport error (-404, -429, ...), then the end of the connection.
        if self.codec is not None and not self.closed:
            try:
                self.write(self.codec.encode_error(code))
            except MtcoreError:  # an obfuscated codec without its header yet
                pass
        self.closed = True

    async def received(self, data: bytes) -> None:
        # The bytes of one read; sets self.closed when the connection must end.
        if self.codec is None:
            self.head += data
            self.codec = transport.server_codec(self.head, max_frame=self.server.max_frame)
            if self.codec is None:
                return
            data, self.head = self.head, b""
        frames = self.codec.feed(data)
        for frame in frames:
            if self.closed:
                return
            self.last_frame = asyncio.get_running_loop().time()
            payload = frame.payload
            if payload[:8] == bytes(8):
                self.key_exchange(payload)
            else:
                await self.encrypted(frame)

    def key_exchange(self, payload: bytes) -> None:
        srv = self.server
        hs = self.handshake
        if hs is None or hs.state in (HandshakeState.DONE, HandshakeState.FAILED):
            if self.handshakes >= _HANDSHAKES_PER_CONNECTION:
                self.fail(429)
                return
            self.handshakes += 1
            hs = self.handshake = srv.cluster._new_handshake(srv)
            self.keyless = True
        try:
            answer = hs.receive(payload)
        except MtcoreError as exc:
            log.info("DC %d: key exchange refused: %s", srv.dc_id, exc)
            self.fail(404)
            return
        result = hs.result
        if result is not None:
            srv._add_key(result)
            self.handshake = None
            self.keyless = False
        self.write(self.codec.encode(answer))

    async def encrypted(self, frame: transport.Packet) -> None:
        srv = self.server
        now = srv.cluster.clock()
        key_id = frame.payload[:8]
        key = srv._key(key_id, now)
        if key is None:
            self.fail(404)
            return
        self.keyless = False
        session = self.sessions.get(key_id)
        if session is None:
            if len(self.sessions) >= _SESSIONS_PER_CONNECTION:
                self.fail(429)
                return
            session = self.sessions[key_id] = srv._new_session(key, now)
        try:
            events = session.receive(frame, now)
        except MtcoreError as exc:
            log.info("DC %d: packet refused: %s", srv.dc_id, exc)
            self.closed = True
            return
        if frame.quick_ack:
            n = len(frame.payload)
            packet = frame.payload[: 24 + (n - 24) // 16 * 16] if frame.padded else frame.payload
            self.write(self.codec.encode_quick_ack(transport.quick_ack_token(key.auth_key, packet)))
        for event in events:
            if isinstance(event, Query):
                await srv._answer(self, key, session, event.msg_id, event.query, now)
            elif isinstance(event, DecodeFailed):
                try:
                    session.reply_error(event.msg_id, 400, "INPUT_METHOD_INVALID")
                except MtcoreError:  # not a query (a service message or a container)
                    pass
            if self.closed:
                return
        self.flush(session)


class TestServer:
    """
    One DC of a :class:`~mtcore.testing.TestCluster`: an asyncio TCP server
    on a loopback address that accepts every transport of
    :mod:`mtcore.transport`, runs the key exchange (permanent and temporary
    keys) and a :class:`~mtcore.session.ServerSession` per connection and
    auth key, and answers queries with handlers.

    A server made alone (``TestServer()``) makes a cluster of its own, one
    DC, which ``async with`` / :meth:`close` start and stop with it; the
    keyword arguments then go to :class:`~mtcore.testing.TestCluster`.

    :param dc_id: The DC id.
    :param cluster: The cluster it belongs to (its clusters make their
        servers themselves).
    """

    __test__ = False  # not a pytest test class, whatever its name

    def __init__(self, dc_id: int = 2, *, cluster: Optional[TestCluster] = None,
                 **cluster_options: Any) -> None:
        from mtcore.testing._cluster import TestCluster

        # What start() and close() run: a server made alone starts and
        # stops its cluster with it; one of a cluster, its own DC only.
        self._start: Callable[[], Awaitable[None]] = self._listen
        self._close: Callable[[], Awaitable[None]] = self._stop
        if cluster is None:
            cluster = TestCluster(dcs=[dc_id], **cluster_options)
            cluster._servers[dc_id] = self
            self._start, self._close = cluster.start, cluster.close
        elif cluster_options:
            raise _errors.testing_cluster_options(sorted(cluster_options))
        self.cluster = cluster
        self.dc_id = dc_id
        self.host = cluster.host
        self.port = 0
        self.max_frame = cluster.max_frame
        self.max_write_buffer = cluster.max_write_buffer
        self.idle_timeout = cluster.idle_timeout
        self.handshake_timeout = cluster.handshake_timeout
        self.max_connections = cluster.max_connections
        self._handlers: dict[str, Handler] = {}
        self._keys: OrderedDict[bytes, _Key] = OrderedDict()
        self._conns: dict[_Connection, asyncio.Task[Any]] = {}
        self._server: Optional[asyncio.AbstractServer] = None
        self._reaper: Optional[asyncio.Task[Any]] = None

    def __repr__(self) -> str:
        where = f"{self.host}:{self.port}" if self._server is not None else "not started"
        return f"<TestServer DC {self.dc_id} {where}, {len(self._conns)} connections>"

    @property
    def address(self) -> tuple[str, int]:
        """
        ``(host, port)`` to connect to.
        """
        return self.host, self.port

    @property
    def connections(self) -> int:
        """
        How many client connections are open.
        """
        return len(self._conns)

    @property
    def auth_keys(self) -> int:
        """
        How many auth keys the DC knows.
        """
        return len(self._keys)

    # handlers -------------------------------------------------------------------

    def handler(self, function: Any) -> Callable[[Handler], Handler]:
        """
        Decorate a handler of one function on this DC (before the cluster's
        and the built-in ones)::

            @server.handler(tl.functions.help.getNearestDc)
            async def nearest(ctx, request):
                return tl.types.nearestDc(country="NL", this_dc=ctx.dc_id, nearest_dc=4)

        A handler is called as ``handler(ctx, request)`` (a
        :class:`Context` and the decoded request, the ``invokeWithLayer`` /
        ``initConnection`` / ``invokeWith*`` wrappers removed), may be a
        coroutine function, and returns the result: a TL object, a bool, a
        list (a ``Vector`` of TL objects) or the result's TL bytes; it raises
        :class:`~mtcore.exceptions.RpcError` for an ``rpc_error``.  Other
        exceptions answer ``500 INTERNAL_SERVER_ERROR`` and are kept in
        :attr:`TestCluster.errors`.  The queries of one connection are
        handled one at a time, in order.

        :param function: The TL function's class or its name.
        """
        return handler_decorator(self._handlers, function)

    def _lookup(self, name: str) -> Optional[Handler]:
        fn = self._handlers.get(name)
        if fn is None:
            fn = self.cluster._handlers.get(name)
        if fn is None:
            fn = _handlers.BUILTIN.get(name)
        return fn

    async def _answer(self, conn: _Connection, key: _Key, session: ServerSession,
                      msg_id: int, query: Any, now: float) -> None:
        ctx = Context(conn, key, session, msg_id, now)
        try:
            query = _handlers.unwrap(key, query)
            fn = self._lookup(query.tl_name)
            if fn is None:
                raise RpcError(400, "METHOD_INVALID")
            user = ctx.user
            if user is not None and user.is_bot and query.tl_name in self.cluster.bot_refused:
                raise RpcError(400, "BOT_METHOD_INVALID")
            result = fn(ctx, query)
            if inspect.isawaitable(result):
                result = await result
            if result is not _handlers.NO_REPLY:
                session.reply(msg_id, encode_result(result))
        except RpcError as exc:
            session.reply_error(msg_id, exc.code, exc.message)
        except Exception as exc:  # a handler's bug: the client still gets an answer
            log.exception("DC %d: the handler of %s failed", self.dc_id,
                          getattr(query, "tl_name", "?"))
            self.cluster.errors.append(exc)
            session.reply_error(msg_id, 500, "INTERNAL_SERVER_ERROR")

    # auth keys ------------------------------------------------------------------

    def _add_key(self, result: Any) -> None:
        key = _Key(result.auth_key, result.server_salt, result.expires_at)
        self._keys[key.auth_key.key_id] = key
        while len(self._keys) > self.cluster.max_auth_keys:
            self._keys.popitem(last=False)

    def _key(self, key_id: bytes, now: float) -> Optional[_Key]:
        key = self._keys.get(key_id)
        if key is None:
            return None
        if key.expires_at is not None and key.expires_at <= now:
            del self._keys[key_id]
            return None
        self._keys.move_to_end(key_id)  # the least recently used go first
        return key

    def _new_session(self, key: _Key, now: float) -> ServerSession:
        start = int(now)
        return _Session(
            key.auth_key,
            salt=key.salt,
            future_salts=((start - 60, start + 86400, key.salt),),
            max_unpacked=self.max_frame * 4,
            max_answers=_KEPT_ANSWERS,
        )

    def _sessions_of(self, key_id: bytes) -> list[tuple[_Connection, ServerSession]]:
        return [(c, c.sessions[key_id]) for c in self._conns if key_id in c.sessions and not c.closed]

    # running ----------------------------------------------------------------------

    async def start(self) -> None:
        """
        Start listening (the cluster's :meth:`~TestCluster.start` does it
        for its servers); a server made alone starts its cluster.
        """
        await self._start()

    async def _listen(self) -> None:
        if self._server is not None:
            return
        self._server = await asyncio.start_server(
            self._serve, self.host, self.cluster._ports.get(self.dc_id, 0),
            limit=1 << 16, reuse_address=True,
        )
        self.port = self._server.sockets[0].getsockname()[1]
        self._reaper = asyncio.ensure_future(self._reap())

    async def close(self) -> None:
        """
        Stop listening and close every connection; returns when all their
        tasks have ended.  A server made alone closes its cluster.
        """
        await self._close()

    async def _stop(self) -> None:
        if self._server is not None:
            self._server.close()
        if self._reaper is not None:
            self._reaper.cancel()
        tasks = list(self._conns.values())
        for conn, task in list(self._conns.items()):
            conn.abort()
            task.cancel()
        await asyncio.gather(*tasks, *(t for t in [self._reaper] if t), return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()
        self._server = self._reaper = None

    async def __aenter__(self) -> TestServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()

    async def _reap(self) -> None:
        # Close the connections that went quiet or ran out of time.
        loop = asyncio.get_running_loop()
        tick = max(0.05, min(1.0, self.idle_timeout / 4, self.handshake_timeout / 4))
        while True:
            await asyncio.sleep(tick)
            now, clock = loop.time(), self.cluster.clock()
            for conn in list(self._conns):
                if now >= conn.deadline() or conn.due(clock):
                    conn.abort()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if len(self._conns) >= self.max_connections or task is None:
            writer.transport.abort()
            return
        conn = _Connection(self, writer)
        self._conns[conn] = task
        try:
            while not conn.closed:
                data = await reader.read(1 << 16)
                if not data:
                    break
                await conn.received(data)
                if not conn.closed:
                    await writer.drain()
        except (ConnectionError, MtcoreError) as exc:
            log.debug("DC %d: connection ended: %s", self.dc_id, exc)
        except asyncio.CancelledError:
            pass
        except Exception as exc:  # never lose the server to one connection
            log.exception("DC %d: connection failed", self.dc_id)
            self.cluster.errors.append(exc)
        finally:
            del self._conns[conn]
            conn.closed = True
            # What is still buffered (a transport error) gets a moment to
            # leave; a client that does not read loses it.
            tr = writer.transport
            writer.close()
            if tr.get_write_buffer_size():
                asyncio.get_running_loop().call_later(_CLOSE_GRACE, tr.abort)

