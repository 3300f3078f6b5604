"""
One DC's connection: a TCP stream, a transport codec, the key exchange and
an MTProto :class:`~mtcore.session.Session`, run by asyncio.

The sans-I/O layers do the protocol; this module only moves their bytes:
``Session.flush`` output goes to the socket (batched: every request made
in one turn of the event loop leaves in one write, one container), socket
bytes go through the codec to ``Session.receive`` as they arrive (an
asyncio protocol, no stream reader or reading task in between), whose
events resolve the futures of :meth:`Connection.invoke` and pass updates
to the client.

A lost connection is opened again with the same session (its unanswered
requests go out again, ``Session.connection_reset``); a ``-404`` from the
server (it does not know the key) starts a new key exchange and a new
session, and the unanswered requests are sent again in it.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections import deque
from typing import TYPE_CHECKING, Any, Optional

from mtcore import _errors, handshake, tl
from mtcore.client._store import DCState
from mtcore.exceptions import (
    HandshakeFailed,
    MtcoreError,
    RpcError,
    SecurityError,
    TransportError,
)
from mtcore.session import NewSession, RpcFailed, RpcResult, Session, Update
from mtcore.transport import Packet, TransportFailure

if TYPE_CHECKING:
    from mtcore.client._client import Client

__all__ = ["Connection"]

log = logging.getLogger("mtcore.client")

# Seconds to wait for each answer of the key exchange.
_EXCHANGE_TIMEOUT = 20.0
# Seconds between attempts to connect again: 0.1, 0.2, 0.4 ... at most 5.
_BACKOFF_FIRST, _BACKOFF_MAX = 0.1, 5.0
# Requests of the connection's own beside the callers' max_pending.
_OWN_REQUESTS = 16
# Writes wait for the socket beyond this many buffered bytes.
_WRITE_HIGH = 1 << 20


class _KeyUnknown(MtcoreError):
    # The server answered -404 to an encrypted packet: it has no such key.
    pass


class _Wire(asyncio.Protocol):
    """
    The socket of one connection attempt.  Bytes received go to the
    connection at once; the first error (the connection lost, a bad frame,
    a -404) ends it: :attr:`ended` holds it, and what arrives after it is
    dropped.
    """

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.transport: Optional[asyncio.Transport] = None
        loop = conn._loop
        self.ended: asyncio.Future[None] = loop.create_future()
        # Frames of the key exchange (before the session reads them all),
        # and a future resolved when one comes or the socket ends.
        self.frames: deque[Any] = deque()
        self.arrived: Optional[asyncio.Future[None]] = None
        # Resolved when a paused writer may write again.
        self.writable: Optional[asyncio.Future[None]] = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        # Requests wait (invoke) once this many bytes are buffered.
        transport.set_write_buffer_limits(high=_WRITE_HIGH)

    def data_received(self, data: bytes) -> None:
        if self.ended.done():
            return
        try:
            self.conn._received(self, data)
        except Exception as exc:
            self.end(exc)

    def eof_received(self) -> None:
        self.end(EOFError("the server closed the connection"))

    def connection_lost(self, exc: Optional[Exception]) -> None:
        self.end(exc if exc is not None else EOFError("the server closed the connection"))
        self.resume_writing()

    def pause_writing(self) -> None:
        if self.writable is None:
            self.writable = self.conn._loop.create_future()

    def resume_writing(self) -> None:
        if self.writable is not None:
            if not self.writable.done():
                self.writable.set_result(None)
            self.writable = None

    def end(self, error: BaseException) -> None:
        if not self.ended.done():  # (cancelled with the task awaiting it: done)
            self.ended.set_exception(error)
            self.ended.exception()  # retrieved: no "never retrieved" warning
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()
        self.wake()

    def wake(self) -> None:
        if self.arrived is not None and not self.arrived.done():
            self.arrived.set_result(None)

    async def next_frame(self) -> Any:
        # The next frame of the key exchange.
        while not self.frames:
            if self.ended.done():
                error = self.ended.exception()
                if isinstance(error, EOFError):
                    raise EOFError("the server closed the connection during the key exchange")
                assert error is not None
                raise error
            self.arrived = self.conn._loop.create_future()
            await asyncio.wait_for(self.arrived, _EXCHANGE_TIMEOUT)
        return self.frames.popleft()


class Connection:
    """
    The connection to one DC (created and owned by a
    :class:`~mtcore.client.Client`).

    :param client: The client (its store, clock, transport, keys and the
        ``initConnection`` fields).
    :param dc_id: The DC.
    """

    def __init__(self, client: Client, dc_id: int) -> None:
        self.client = client
        self.dc_id = dc_id
        self.session: Optional[Session] = None
        self._loop = asyncio.get_running_loop()
        self._wire: Optional[_Wire] = None
        self._transport: Optional[asyncio.Transport] = None  # the wire's, while it is open
        self._codec: Any = None
        self._reading = False  # whether frames go to the session (else to the key exchange)
        # request -> (future, the TL object sent): the object is sent again
        # if the session has to be replaced.
        self._waiters: dict[Any, tuple[asyncio.Future[Any], Any]] = {}
        self._orphans: list[tuple[asyncio.Future[Any], Any]] = []
        # Requests in flight, and those waiting for a place.
        self._inflight = 0
        self._queued: deque[asyncio.Future[None]] = deque()
        self._flush_handle: Optional[asyncio.Handle] = None
        self._timer: Optional[asyncio.TimerHandle] = None
        self._timer_due = 0.0  # when _timer fires, on the client's clock
        # Resolved once the session is initialized (initConnection done);
        # failed when the connection gives up.
        self._ready: asyncio.Future[None] = self._loop.create_future()
        self._closing = False
        self._task: Optional[asyncio.Task[None]] = None
        self._init_task: Optional[asyncio.Task[None]] = None
        #: How many times the socket was opened (1 after the first connect).
        self.connects = 0

    def __repr__(self) -> str:
        state = "ready" if self.ready else "closed" if self._closing else "connecting"
        return f"<Connection DC {self.dc_id}, {state}>"

    @property
    def ready(self) -> bool:
        """
        Whether requests go out now (connected and initialized).
        """
        return (
            self._ready.done()
            and self._ready.exception() is None
            and self._transport is not None
        )

    # lifetime ---------------------------------------------------------------

    async def start(self) -> None:
        """
        Connect (the key exchange first if the DC has no key yet) and send
        ``initConnection``; returns once it is answered.

        :raises mtcore.exceptions.ConnectionFailed: If the DC cannot be
            reached after the client's ``retries``, or the key exchange or
            ``initConnection`` fails.
        """
        if self._task is None:
            self._task = self._loop.create_task(self._run())
        ready = self._ready
        if not ready.done() or ready.exception() is not None:
            await asyncio.shield(ready)

    async def close(self) -> None:
        """
        Close the socket and fail the requests waiting for answers with
        :class:`~mtcore.exceptions.ConnectionFailed`.
        """
        self._closing = True
        for task in (self._init_task, self._task):
            if task is not None and not task.done():
                task.cancel()
                try:
                    await task
                except (asyncio.CancelledError, Exception):
                    pass
        self._drop_socket()
        self._fail_all(_errors.client_closed())
        self._save_state()

    async def _run(self) -> None:
        failures = 0
        while not self._closing:
            try:
                wire = await self._open_socket()
                if self.session is None:
                    await self._new_session()
                else:
                    self._handle(self.session.connection_reset(self._now()))
                    self._poke()
                    self.client._reconnected(self)
                self.connects += 1
                self._reading = True
                if wire.frames:  # came with the key exchange's last answer
                    self._frames_in(list(wire.frames))
                    wire.frames.clear()
                self._flush()
                failures = 0
                await wire.ended
            except _KeyUnknown:
                log.warning("DC %d does not know our auth key: a new key exchange", self.dc_id)
                self._forget_key()
            except (OSError, EOFError, asyncio.TimeoutError, TransportError,
                    SecurityError, HandshakeFailed) as exc:
                failures += 1
                log.info("DC %d: connection lost (%s), attempt %d", self.dc_id, exc, failures)
                if failures > self.client.retries:
                    self._give_up(_errors.connection_failed(self.dc_id, failures, exc))
                    return
            self._drop_socket()
            if failures:
                await asyncio.sleep(min(_BACKOFF_FIRST * 2 ** (failures - 1), _BACKOFF_MAX))

    def _give_up(self, error: Exception) -> None:
        self._closing = True
        self._drop_socket()
        if not self._ready.done():
            self._ready.set_exception(error)
            self._ready.exception()  # retrieved: no "never retrieved" warning
        else:
            self._ready = self._loop.create_future()
            self._ready.set_exception(error)
            self._ready.exception()
        self._fail_all(error)
        self.client._connection_lost(self)

    def _fail_all(self, error: Exception) -> None:
        waiters = [*self._waiters.values(), *self._orphans]
        self._waiters.clear()
        self._orphans.clear()
        for fut, _ in waiters:
            if not fut.done():
                fut.set_exception(error)

    # the socket -------------------------------------------------------------

    async def _open_socket(self) -> _Wire:
        host, port = self.client._address(self.dc_id)
        self._codec = self.client._new_codec(self.dc_id)
        self._reading = False
        transport, wire = await asyncio.wait_for(
            self._loop.create_connection(lambda: _Wire(self), host, port),
            self.client.connect_timeout,
        )
        self._wire, self._transport = wire, transport
        transport.write(self._codec.start())  # the prefix or obfuscation header
        return wire

    def _drop_socket(self) -> None:
        for handle in (self._flush_handle, self._timer):
            if handle is not None:
                handle.cancel()
        self._flush_handle = self._timer = None
        if self._wire is not None:
            self._wire.end(EOFError("the connection was closed"))
        self._wire = self._transport = None

    def _received(self, wire: _Wire, data: bytes) -> None:
        # Bytes from the socket (see _Wire.data_received).
        frames = self._codec.feed(data)
        if not self._reading:
            wire.frames.extend(frames)
            wire.wake()
        elif frames:
            self._frames_in(frames)

    def _frames_in(self, frames: list[Any]) -> None:
        session = self.session
        assert session is not None
        for frame in frames:
            if isinstance(frame, Packet):
                self._handle(session.receive(frame, self._now()))
            elif isinstance(frame, TransportFailure):
                if frame.code == 404:
                    raise _KeyUnknown()
                raise _errors.transport_failure(self.dc_id, frame.code, frame.description)
        self._arm_timer()

    # the key and the session ------------------------------------------------

    async def _exchange(self, expires_in: Optional[int] = None) -> handshake.AuthKeyResult:
        """
        Run the key exchange on the open socket.
        """
        hs = handshake.ClientHandshake(
            self.client.rsa_keys, dc_id=self.dc_id, expires_in=expires_in, clock=self.client._clock
        )
        out: Any = hs.start()
        while True:
            self._transport.write(self._codec.encode(out))  # type: ignore[union-attr]
            frame = await self._wire.next_frame()  # type: ignore[union-attr]
            if isinstance(frame, TransportFailure):
                raise _errors.hs_transport_error(frame.code)
            out = hs.receive(frame.payload)
            if isinstance(out, handshake.AuthKeyResult):
                return out

    async def _new_session(self) -> None:
        store = self.client.store
        state = store.dc(self.dc_id)
        if state is None or state.auth_key is None:
            result = await self._exchange()
            host, port = self.client._address(self.dc_id)
            state = DCState(
                self.dc_id,
                host,
                port,
                auth_key=bytes(result.auth_key),
                salt=result.server_salt,
                time_offset=result.time_offset,
            )
            store.save_dc(state)
            log.info("DC %d: new auth key", self.dc_id)
        pfs = self.client.pfs
        if pfs is None:
            self.session = self._make_session(state.auth_key, state.salt, state.time_offset)
            bind = None
        else:
            temp = await self._exchange(expires_in=pfs)
            self.session = self._make_session(temp.auth_key, temp.server_salt, temp.time_offset)
            bind = (state.auth_key, temp)
        if self._init_task is not None and not self._init_task.done():
            self._init_task.cancel()  # the initConnection of a dropped session
        self._init_task = self._loop.create_task(self._initialize(bind))

    def _make_session(self, key: Any, salt: int, time_offset: float) -> Session:
        return Session(
            key,
            salt=salt,
            time_offset=time_offset,
            ping_interval=self.client.ping_interval,
            # Room for the connection's own requests (initConnection, pings).
            max_pending=self.client.max_pending + _OWN_REQUESTS,
            gzip_min=self.client.gzip_min,
        )

    async def _initialize(self, bind: Any) -> None:
        # The new session's first requests: the binding of a temporary key,
        # then initConnection (which the others wait for).
        try:
            if bind is not None:
                await self._bind(*bind)
            config = await self._call(self.client._init_request())
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self._give_up(_errors.connection_failed(self.dc_id, 1, exc))
            return
        self.client._on_config(config)
        # Requests of a dropped session go out again in this one.
        orphans, self._orphans = self._orphans, []
        for fut, obj in orphans:
            if not fut.done():
                self._send(obj, fut)
        self._ready.set_result(None)
        self._schedule_flush()

    async def _bind(self, perm_key: bytes, temp: handshake.AuthKeyResult) -> None:
        """
        ``auth.bindTempAuthKey`` (core.telegram.org/api/pfs): the request
        embeds the msg_id it is sent with, so it is made for the msg_id the
        session's next flush gives (a session with nothing sent yet gives
        its next message the id after the last one it handed out).
        """
        session = self.session
        assert session is not None and temp.expires_at is not None
        for _ in range(3):
            msg_id = _next_msg_id(session, self._now())
            request = handshake.bind_temp_auth_key_message(
                perm_key,
                temp.auth_key,
                msg_id=msg_id,
                temp_session_id=session.session_id,
                expires_at=temp.expires_at,
            )
            try:
                await self._call(request)
                return
            except RpcError as exc:
                # Sent again under another msg_id (a bad salt or clock)
                # makes the inner msg_id wrong: bind again.
                if exc.name != "ENCRYPTED_MESSAGE_INVALID":
                    raise
        raise _errors.bind_failed(self.dc_id)

    def _forget_key(self) -> None:
        # The session goes with its key: its requests wait for the next
        # one, and so do new requests.
        self.session = None
        self._orphans.extend(self._waiters.values())
        self._waiters.clear()
        if self._ready.done():
            self._ready = self._loop.create_future()
        self.client.store.update_dc(self.dc_id, auth_key=None, authorized=False)

    def _save_state(self) -> None:
        # The salt and clock offset of a permanent key, kept for the next run.
        session = self.session
        state = self.client.store.dc(self.dc_id)
        if session is None or state is None or self.client.pfs is not None:
            return
        if (state.salt, state.time_offset) != (session.salt, session.time_offset):
            self.client.store.update_dc(self.dc_id, salt=session.salt, time_offset=session.time_offset)

    # requests ---------------------------------------------------------------

    async def invoke(self, request: Any) -> Any:
        """
        Send ``request`` (a TL function object) once the connection is
        ready, and return its result.

        :raises mtcore.exceptions.RpcError: The server's error.
        :raises mtcore.exceptions.ConnectionFailed: The connection gave up.
        """
        ready = self._ready
        if not ready.done() or ready.exception() is not None:
            await asyncio.shield(ready)
        wire = self._wire
        if wire is not None and wire.writable is not None:
            await asyncio.shield(wire.writable)  # the socket's buffer is full
        # At most max_pending in flight: the others wait here, in order.
        if self._inflight >= self.client.max_pending or self._queued:
            place: asyncio.Future[None] = self._loop.create_future()
            self._queued.append(place)
            try:
                await place
            except asyncio.CancelledError:
                if place.done() and not place.cancelled():
                    self._next_slot()  # woken and cancelled at once: pass it on
                raise
        else:
            self._inflight += 1
        fut: asyncio.Future[Any] = self._loop.create_future()
        try:
            self._send(request, fut)
            self._schedule_flush()
            return await fut
        except asyncio.CancelledError:
            self._abandon(fut)
            raise
        finally:
            self._next_slot()

    def _next_slot(self) -> None:
        # A request ended: its place goes to the first one waiting.
        while self._queued:
            fut = self._queued.popleft()
            if not fut.done():
                fut.set_result(None)
                return
        self._inflight -= 1

    async def _call(self, request: Any) -> Any:
        fut: asyncio.Future[Any] = self._loop.create_future()
        self._send(request, fut)
        self._schedule_flush()
        try:
            return await fut
        except asyncio.CancelledError:
            self._abandon(fut)
            raise

    def _abandon(self, fut: asyncio.Future[Any]) -> None:
        # Given up by the caller: not sent (again), its answer dropped.
        self._orphans = [entry for entry in self._orphans if entry[0] is not fut]
        for req, (waiting, _) in self._waiters.items():
            if waiting is fut:
                del self._waiters[req]
                if not req.done and self.session is not None:
                    self.session.cancel(req)
                return

    def _send(self, request: Any, fut: asyncio.Future[Any]) -> Any:
        if self.session is None:
            raise _errors.client_closed()
        req = self.session.send(request)
        self._waiters[req] = (fut, request)
        return req

    def _handle(self, events: list[Any]) -> None:
        for event in events:
            if isinstance(event, RpcResult):
                entry = self._waiters.pop(event.request, None)
                if entry is not None and not entry[0].done():
                    entry[0].set_result(event.result)
            elif isinstance(event, RpcFailed):
                entry = self._waiters.pop(event.request, None)
                if entry is not None and not entry[0].done():
                    entry[0].set_exception(event.error)
            elif isinstance(event, Update):
                self.client._dispatch_update(event.object)
            elif isinstance(event, NewSession):
                self._forgotten(event.first_msg_id)
            else:  # DecodeFailed: acknowledged and dropped
                log.warning("DC %d: a message did not decode: %s", self.dc_id, event.error)

    def _poke(self) -> None:
        """
        After a reconnection, requests the server acknowledged and did not
        answer are not sent again: a ping makes the server answer in the
        session, or say it has a new one (new_session_created, see
        :meth:`_forgotten`).
        """
        if self.session is not None and any(req.acked for req in self._waiters):
            self.session.send(tl.functions.ping(ping_id=int.from_bytes(os.urandom(8), "little", signed=True)))

    def _forgotten(self, first_msg_id: int) -> None:
        """
        The server started a new session (``new_session_created``): it
        forgot the messages before ``first_msg_id``.  The session sends
        again those it did not acknowledge; those it did, unanswered, are
        sent again here (a server that keeps a session per connection
        answers them nowhere else).
        """
        session = self.session
        assert session is not None
        for req, (fut, obj) in list(self._waiters.items()):
            if req.acked and not req.done and req.msg_id is not None and req.msg_id < first_msg_id:
                del self._waiters[req]
                session.cancel(req)
                self._send(obj, fut)

    # flushing ---------------------------------------------------------------

    def _schedule_flush(self) -> None:
        # One flush per turn of the event loop: requests made together
        # leave together.
        if self._flush_handle is None and self._transport is not None:
            self._flush_handle = self._loop.call_soon(self._flush)

    def _flush(self) -> None:
        self._flush_handle = None
        transport, session = self._transport, self.session
        if transport is None or session is None or transport.is_closing():
            return
        packets = session.flush(self._now())
        if packets:
            encode = self._codec.encode
            transport.write(b"".join([encode(p) for p in packets]))
        self._arm_timer()

    def _arm_timer(self) -> None:
        # The next flush the session asks for with nothing new (acks, pings).
        # A timer already set for that time or earlier is kept: flushing
        # early sends nothing that is not due and sets the timer again.  (Not
        # moving it on every packet saves the event loop a timer per request.)
        session = self.session
        if session is None or self._transport is None:
            return
        now = self._now()
        due = session.next_flush(now)
        if due is None:
            return
        if due <= now:
            self._schedule_flush()
            return
        if self._timer is not None:
            if self._timer_due <= due:
                return
            self._timer.cancel()
        self._timer_due = due
        self._timer = self._loop.call_later(due - now, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        self._flush()

    def _now(self) -> float:
        return self.client._clock()


def _next_msg_id(session: Session, now: float) -> int:
    """
    The msg_id the next message of ``session`` gets when nothing is
    queued: the ids are made increasing by stepping past the last one, so
    setting the last one to just before a chosen id gives that id.
    """
    msg_id = session._new_msg_id(now + 1, 0)  # one second ahead of any flush soon after
    session._last_msg_id = msg_id - 4
    return msg_id

