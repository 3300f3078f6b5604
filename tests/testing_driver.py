"""
A minimal raw MTProto client for the tests of ``mtcore.testing``: a
transport codec, :class:`mtcore.handshake.ClientHandshake` and
:class:`mtcore.session.Session` over an asyncio connection, and nothing
else (no retries, no reconnects), so that the server is tested without
any real client in the way.
"""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any, Callable, Optional

from mtcore import login, mtproto, tl, transport
from mtcore.exceptions import RpcError
from mtcore.handshake import AuthKeyResult, ClientHandshake, bind_temp_auth_key_message
from mtcore.session import RpcFailed, RpcResult, Session, Update

F, T = tl.functions, tl.types
API_ID, API_HASH = 12345, "0123456789abcdef0123456789abcdef"
TIMEOUT = 30.0  # seconds any single wait of a test may take

FRAMINGS: dict[str, Callable[[], Any]] = {
    "abridged": transport.Abridged,
    "intermediate": transport.Intermediate,
    "padded": transport.PaddedIntermediate,
    "full": transport.Full,
    "obfuscated-abridged": lambda: transport.Obfuscated(transport.Abridged()),
    "obfuscated-intermediate": lambda: transport.Obfuscated(transport.Intermediate(), dc_id=2),
    "obfuscated-padded": lambda: transport.Obfuscated(transport.PaddedIntermediate()),
}


class Closed(Exception):
    """
    The server closed the connection; ``code`` is its transport error, if any.
    """

    def __init__(self, code: Optional[int] = None) -> None:
        super().__init__(f"connection closed (transport error {code})")
        self.code = code


def wrap(query: Any) -> Any:
    # The first request of a connection, as every client sends it.
    return F.invokeWithLayer(
        layer=229,
        query=F.initConnection(
            api_id=API_ID, device_model="pytest", system_version="1", app_version="1",
            system_lang_code="en", lang_pack="", lang_code="en", query=query,
        ),
    )


class RawClient:
    """
    One connection to one DC of a cluster.
    """

    def __init__(self, cluster: Any, dc_id: int, framing: str = "intermediate") -> None:
        self.cluster = cluster
        self.dc_id = dc_id
        self.codec = FRAMINGS[framing]()
        self.reader: Optional[asyncio.StreamReader] = None
        self.writer: Optional[asyncio.StreamWriter] = None
        self.frames: list[Any] = []
        self.session: Optional[Session] = None
        self.updates: list[Any] = []
        self.first = True

    async def connect(self) -> RawClient:
        host, port = self.cluster.server(self.dc_id).address
        self.reader, self.writer = await asyncio.wait_for(
            asyncio.open_connection(host, port), TIMEOUT
        )
        return self

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except ConnectionError:
                pass

    def send(self, payload: bytes) -> None:
        assert self.writer is not None
        self.writer.write(self.codec.encode(payload))

    async def frame(self) -> Any:
        # The next frame; Closed when the server ends the connection.
        assert self.reader is not None
        while not self.frames:
            try:
                data = await asyncio.wait_for(self.reader.read(1 << 16), TIMEOUT)
            except ConnectionError:
                data = b""
            if not data:
                raise Closed()
            self.frames.extend(self.codec.feed(data))
        frame = self.frames.pop(0)
        if isinstance(frame, transport.TransportFailure):
            raise Closed(frame.code)
        return frame

    async def exchange(self, *, expires_in: Optional[int] = None) -> AuthKeyResult:
        """
        Run a key exchange with the cluster's RSA key.
        """
        hs = ClientHandshake([self.cluster.public_key], dc_id=self.dc_id, expires_in=expires_in)
        out: Any = hs.start()
        while not isinstance(out, AuthKeyResult):
            self.send(out)
            out = hs.receive((await self.frame()).payload)
        return out

    def use(self, result: AuthKeyResult, **kw: Any) -> Session:
        """
        Start a session over the key of ``result`` (``first`` request wrapped).
        """
        self.session = Session(
            result.auth_key, salt=result.server_salt, time_offset=result.time_offset,
            ping_interval=None, **kw,
        )
        self.first = True
        return self.session

    async def start(self, **kw: Any) -> RawClient:
        """
        Connect, make a key and start a session on it.
        """
        await self.connect()
        self.use(await self.exchange(), **kw)
        return self

    def _submit(self, request: Any) -> Any:
        assert self.session is not None
        if self.first:
            self.first = False
            return self.session.send(wrap(request), result_type=request.tl_type)
        return self.session.send(request)

    async def calls(self, *requests: Any) -> list[Any]:
        """
        Send the requests together and return their results in order (an
        RpcError or other failure in place of a result).
        """
        assert self.session is not None and self.writer is not None
        sent = [self._submit(r) for r in requests]
        waiting = {id(r): i for i, r in enumerate(sent)}
        out: list[Any] = [None] * len(sent)
        for packet in self.session.flush(time.time()):
            self.send(packet)
        while waiting:
            frame = await self.frame()
            for event in self.session.receive(frame, time.time()):
                if isinstance(event, (RpcResult, RpcFailed)) and id(event.request) in waiting:
                    i = waiting.pop(id(event.request))
                    out[i] = event.result if isinstance(event, RpcResult) else event.error
                elif isinstance(event, Update):
                    self.updates.append(event.object)
            for packet in self.session.flush(time.time()):
                self.send(packet)
        return out

    async def call(self, request: Any) -> Any:
        """
        One request's result; an RpcError is raised.
        """
        (result,) = await self.calls(request)
        if isinstance(result, Exception):
            raise result
        return result

    async def wait_update(self) -> Any:
        """
        The next update the server pushes.
        """
        assert self.session is not None
        while not self.updates:
            frame = await self.frame()
            for event in self.session.receive(frame, time.time()):
                if isinstance(event, Update):
                    self.updates.append(event.object)
        return self.updates.pop(0)

    async def bind(self, perm: AuthKeyResult, temp: AuthKeyResult) -> Any:
        """
        Bind the temporary key ``temp`` (this connection's) to ``perm``: the
        request is made by hand, in a session of its own, since its msg_id
        must be known before it is built.  Returns its result (True, or
        the ``rpc_error`` object).
        """
        sid = int.from_bytes(os.urandom(8), "little", signed=True)
        now = time.time() + temp.time_offset
        msg_id = int(now * 2**32) & ~3
        request = bind_temp_auth_key_message(
            perm.auth_key, temp.auth_key, msg_id=msg_id, temp_session_id=sid,
            expires_at=temp.expires_at or int(now) + 60,
        )
        self.send(mtproto.pack_message(
            temp.auth_key, salt=temp.server_salt, session_id=sid, msg_id=msg_id, seq_no=1,
            body=bytes(request),
        ))
        while True:
            frame = await self.frame()
            msg = mtproto.unpack_message(temp.auth_key, frame.payload, session_id=sid)
            obj = tl.decode(msg.body)
            bodies = [m.body for m in obj.messages] if obj.tl_name == "msg_container" else [obj]
            for body in bodies:
                if getattr(body, "tl_name", "") == "rpc_result" and body.req_msg_id == msg_id:
                    return body.result

    # QR login -------------------------------------------------------------------

    async def export_token(self, except_ids: tuple[int, ...] = ()) -> Any:
        return await self.call(
            F.auth.exportLoginToken(api_id=API_ID, api_hash=API_HASH, except_ids=list(except_ids))
        )


def url(token: Any) -> str:
    return login.login_url(token.token)


async def expect_rpc_error(awaitable: Any, code: int, message: str) -> RpcError:
    try:
        await awaitable
    except RpcError as exc:
        assert (exc.code, exc.message) == (code, message), exc
        return exc
    raise AssertionError(f"no RpcError {code} {message}")
