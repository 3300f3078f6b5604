"""
The asyncio client: connections per DC, requests with typed results, DC
migration, updates and QR login.
"""

from __future__ import annotations

import asyncio
import logging
import os
import platform
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Iterable
from typing import Any, Callable, Optional, Union

from mtcore import _errors, _qr_drive, handshake, login, tl, transport
from mtcore._args import int_at_least
from mtcore.client._connection import Connection
from mtcore.client._store import DCState, SessionStore
from mtcore.exceptions import RpcError

__all__ = ["PRODUCTION_DC", "Client"]

log = logging.getLogger("mtcore.client")

#: Telegram's DC 2, where a new client starts: (dc_id, host, port).
PRODUCTION_DC = (2, "149.154.167.51", 443)

# RPC errors *_MIGRATE_X (code 303) that move the account's home DC; the
# others (FILE_MIGRATE, STATS_MIGRATE) send one request elsewhere.
_HOME_MIGRATIONS = frozenset(("PHONE_MIGRATE", "NETWORK_MIGRATE", "USER_MIGRATE"))
# RPC errors (code 401) that say the key is logged out.
_LOGGED_OUT = frozenset(("AUTH_KEY_UNREGISTERED", "SESSION_REVOKED", "SESSION_EXPIRED", "USER_DEACTIVATED"))
# Functions sent to a DC as they are: the login's own (no authorization
# is exported for them).
_LOGIN_FUNCTIONS = frozenset(
    (
        "auth.exportAuthorization",
        "auth.importAuthorization",
        "auth.importLoginToken",
        "auth.exportLoginToken",
        "auth.checkPassword",
        "account.getPassword",
        "auth.bindTempAuthKey",
    )
)
# The layer of the bundled schema, sent in invokeWithLayer.
_LAYER: int = tl.default_schema().layer or 0
# How many *_MIGRATE answers one request follows.
_MAX_MIGRATIONS = 3


class Client:
    """
    An asyncio MTProto client on mtcore's layers.

    ::

        async with Client("me.session", api_id, api_hash) as client:
            token = await client.auth.exportLoginToken(
                api_id=api_id, api_hash=api_hash, except_ids=[])
            me = await client.qr_login(print)

    Every function of the schema is a method by its TL name
    (``client.help.getConfig()``, ``client.auth.exportLoginToken(...)``)
    taking the TL fields as keywords, checked when called; ``await
    client(request)`` sends a TL function object.  Results are TL objects
    (lists for ``Vector<...>``, True/False for ``Bool``); the server's
    errors raise :class:`~mtcore.exceptions.RpcError`.

    ``*_MIGRATE_X`` errors are followed: the request goes to DC X (the
    logged-in authorization exported and imported there first), and
    ``PHONE_MIGRATE``, ``NETWORK_MIGRATE`` and ``USER_MIGRATE`` make X the
    home DC.  A lost connection is opened again with the same session and
    its unanswered requests sent again (``retries`` attempts with growing
    pauses, then :class:`~mtcore.exceptions.ConnectionFailed`).

    :param session_store: A :class:`SessionStore`, the path of its file
        (opened, and closed with the client), or None for one in memory.
    :param api_id: The application's api_id.
    :param api_hash: The application's api_hash (32 hex characters).
    :param dc: The DC to start on when the store has no home DC yet:
        ``(dc_id, host, port)``; Telegram's DC 2 by default.
    :param transport: A callable returning a new client-side framing of
        :mod:`mtcore.transport` for each connection (default
        :class:`~mtcore.transport.Intermediate`).
    :param obfuscated: Wrap the framing in
        :class:`~mtcore.transport.Obfuscated` (not the full framing).
    :param rsa_keys: The servers' RSA public keys (PEM texts or
        :class:`~mtcore.handshake.RSAPublicKey`); Telegram's by default.
    :param clock: The unix time, ``clock() -> float`` (default
        ``time.time``): msg_ids, token expiry.
    :param pfs: Use temporary keys of this many seconds, bound to the
        permanent one with ``auth.bindTempAuthKey`` (perfect forward
        secrecy); None (the default) uses the permanent key.
    :param retries: Attempts to connect again after a connection is lost.
    :param connect_timeout: Seconds to wait for a TCP connection.
    :param ping_interval: Seconds between pings (the server closes a
        connection silent for this plus 15 s); None: no pings.
    :param max_pending: The most requests in flight on one connection
        (more wait for a free place).
    :param gzip_min: Requests of at least this many bytes go as
        ``gzip_packed`` when that is smaller; None (the default) never:
        the large requests are file parts, which do not compress, and
        trying costs more than sending them.
    :param max_updates: The most updates kept for :meth:`updates` (the
        oldest are dropped beyond).
    :param device_model: ``initConnection`` field (and the next three).
    :param system_version: ``initConnection`` field.
    :param app_version: ``initConnection`` field.
    :param lang_code: ``initConnection`` ``lang_code`` and
        ``system_lang_code``.
    """

    def __init__(
        self,
        session_store: Union[SessionStore, str, "os.PathLike[str]", None],
        api_id: int,
        api_hash: str,
        *,
        dc: tuple[int, str, int] = PRODUCTION_DC,
        transport: Callable[[], Any] = transport.Intermediate,
        obfuscated: bool = False,
        rsa_keys: Optional[Iterable[Any]] = None,
        clock: Optional[Callable[[], float]] = None,
        pfs: Optional[int] = None,
        retries: int = 5,
        connect_timeout: float = 10.0,
        ping_interval: Optional[float] = 60.0,
        max_pending: int = 1024,
        max_updates: int = 1024,
        gzip_min: Optional[int] = None,
        device_model: Optional[str] = None,
        system_version: Optional[str] = None,
        app_version: str = "1.0",
        lang_code: str = "en",
    ) -> None:
        # The same checks as auth.exportLoginToken's.
        self.api_id = login.export_login_token(api_id, api_hash).api_id
        self.api_hash = api_hash
        self._dc = _check_dc(dc)
        if not callable(transport):
            raise _errors.not_callable("transport", transport)
        self._transport = transport
        self._obfuscated = bool(obfuscated)
        self.rsa_keys = tuple(handshake.PRODUCTION_KEYS if rsa_keys is None else rsa_keys)
        if clock is None:
            import time

            clock = time.time
        elif not callable(clock):
            raise _errors.not_callable("clock", clock)
        self._clock: Callable[[], float] = clock
        self.pfs = None if pfs is None else int_at_least("pfs", pfs, 60)
        self.retries = int_at_least("retries", retries, 0)
        self.connect_timeout = float(connect_timeout)
        self.ping_interval = ping_interval
        self.max_pending = int_at_least("max_pending", max_pending, 1)
        self.gzip_min = None if gzip_min is None else int_at_least("gzip_min", gzip_min, 0)
        self._init_fields: dict[str, Any] = {
            "api_id": self.api_id,
            "device_model": device_model or platform.machine() or "PC",
            "system_version": system_version or platform.system() or "unknown",
            "app_version": app_version,
            "system_lang_code": lang_code,
            "lang_pack": "",
            "lang_code": lang_code,
        }
        if session_store is None:
            session_store = SessionStore()
        if isinstance(session_store, SessionStore):
            self.store = session_store
            self._own_store = False
        else:
            self.store = SessionStore(session_store)
            self._own_store = True
        self._conns: dict[int, Connection] = {}
        self._dc_options: dict[int, tuple[str, int]] = {}
        self._updates: deque[Any] = deque(maxlen=int_at_least("max_updates", max_updates, 1))
        self._update_event: Optional[asyncio.Event] = None
        self._listeners: list[asyncio.Queue[Any]] = []
        self._closed = False

    def __repr__(self) -> str:
        return f"<Client home DC {self.home_dc}, {len(self._conns)} connections>"

    # the account --------------------------------------------------------------

    @property
    def home_dc(self) -> int:
        """
        The DC requests go to by default: the store's, else ``dc``'s.
        """
        home = self.store.home_dc
        return self._dc[0] if home is None else home

    @property
    def user(self) -> Any:
        """
        The logged-in user (a TL ``User``, as stored at login), or None.
        """
        return self.store.user

    @property
    def is_authorized(self) -> bool:
        """
        Whether the store holds a login.
        """
        return self.store.user is not None

    # lifetime -----------------------------------------------------------------

    async def connect(self) -> None:
        """
        Connect to the home DC (key exchange and ``initConnection``, then
        ``help.getConfig`` for the other DCs' addresses).

        :raises mtcore.exceptions.ConnectionFailed: The DC cannot be reached.
        """
        if self._closed:
            raise _errors.client_closed()
        if self.store.home_dc is None:
            dc_id, host, port = self._dc
            if self.store.dc(dc_id) is None:
                self.store.save_dc(DCState(dc_id, host, port))
            self.store.set_home_dc(dc_id)
        await self._connection(self.home_dc)

    async def close(self) -> None:
        """
        Close every connection (pending requests fail with
        :class:`~mtcore.exceptions.ConnectionFailed`), end :meth:`updates`,
        and close the store if the client opened it.
        """
        if self._closed:
            return
        self._closed = True
        conns = list(self._conns.values())
        self._conns.clear()
        for conn in conns:
            await conn.close()
        self._push(_qr_drive.CLOSED)
        if self._own_store:
            self.store.close()

    disconnect = close

    async def __aenter__(self) -> Client:
        await self.connect()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()

    # requests -------------------------------------------------------------------

    async def __call__(self, request: Any, *, dc_id: Optional[int] = None) -> Any:
        """
        Send a TL function object and return its result.

        :param request: ``tl.functions.<ns>.<name>(...)``.
        :param dc_id: The DC to send it to (default: the home DC).
        :raises mtcore.exceptions.RpcError: The server's error.
        :raises mtcore.exceptions.ConnectionFailed: The DC cannot be reached.
        """
        if not isinstance(request, tl.TLObject):
            raise _errors.client_not_function("request", request)
        if not request._desc.is_function:
            raise _errors.not_function(request.tl_name)
        dc = self.home_dc if dc_id is None else dc_id
        for _ in range(_MAX_MIGRATIONS):
            home = self.home_dc
            if dc != home and request.tl_name not in _LOGIN_FUNCTIONS:
                # Another DC serves the logged-in user once it imported
                # the home DC's authorization.
                await self._authorize(dc, home)
            conn = self._conns.get(dc)
            if conn is None or not conn.ready:
                conn = await self._connection(dc)
            try:
                result = await conn.invoke(request)
            except RpcError as exc:
                if exc.code == 303 and exc.name.endswith("_MIGRATE") and exc.value is not None:
                    dc = await self._migrate(exc, dc)
                    continue
                if exc.code == 401 and exc.name in _LOGGED_OUT and self.is_authorized:
                    self.store.clear_login()
                raise
            self._note(request, result, dc)
            return result
        raise _errors.too_many_migrations(request.tl_name, _MAX_MIGRATIONS)

    invoke = __call__

    def __getattr__(self, name: str) -> Any:
        # client.auth.exportLoginToken(...), client.ping(...): the schema's
        # functions by TL name.
        if name.startswith("_"):
            raise AttributeError(name)
        return _bind(self, getattr(tl.functions, name))

    async def get_me(self) -> Any:
        """
        The logged-in user, asked of the server (``users.getUsers`` of
        ``inputUserSelf``).
        """
        users = await self(tl.functions.users.getUsers(id=[tl.types.inputUserSelf()]))
        return users[0]

    async def _migrate(self, exc: RpcError, dc: int) -> int:
        target = int(exc.value)  # type: ignore[arg-type]
        log.info("%s: to DC %d", exc.message, target)
        if exc.name in _HOME_MIGRATIONS:
            self.store.set_home_dc(target)
            await self._authorize(target, dc)
        return target

    async def _authorize(self, target: int, source: int) -> None:
        """
        Log DC ``target`` in with the authorization of DC ``source``
        (``auth.exportAuthorization`` / ``auth.importAuthorization``), if
        ``source`` is logged in and ``target`` is not.
        """
        src = self.store.dc(source)
        if src is None or not src.authorized:
            return
        await self._connection(target)
        state = self.store.dc(target)
        if state is not None and state.authorized:
            return
        exported = await self(tl.functions.auth.exportAuthorization(dc_id=target), dc_id=source)
        await self(
            tl.functions.auth.importAuthorization(id=exported.id, bytes=exported.bytes),
            dc_id=target,
        )
        self.store.update_dc(target, authorized=True)

    def _note(self, request: Any, result: Any, dc: int) -> None:
        # Logins and logouts, whatever method made them.
        name = getattr(result, "tl_name", None)
        if name == "auth.authorization":
            if request.tl_name == "auth.importAuthorization":
                self.store.update_dc(dc, authorized=True)
            else:
                self.store.save_login(result.user, dc)
        elif name == "auth.loginTokenSuccess" and result.authorization.tl_name == "auth.authorization":
            self.store.save_login(result.authorization.user, dc)
        elif request.tl_name == "auth.logOut":
            self.store.clear_login()

    # connections -----------------------------------------------------------------

    async def _connection(self, dc_id: int) -> Connection:
        if self._closed:
            raise _errors.client_closed()
        conn = self._conns.get(dc_id)
        if conn is None:
            conn = self._conns[dc_id] = Connection(self, dc_id)
        await conn.start()
        return conn

    def _connection_lost(self, conn: Connection) -> None:
        # A connection that gave up is replaced by a new one on next use.
        if self._conns.get(conn.dc_id) is conn:
            del self._conns[conn.dc_id]

    def _address(self, dc_id: int) -> tuple[str, int]:
        state = self.store.dc(dc_id)
        if state is not None:
            return state.host, state.port
        if dc_id in self._dc_options:
            return self._dc_options[dc_id]
        if dc_id == self._dc[0]:
            return self._dc[1], self._dc[2]
        raise _errors.unknown_dc(dc_id)

    def _new_codec(self, dc_id: int) -> Any:
        codec = self._transport()
        if self._obfuscated:
            codec = transport.Obfuscated(codec, dc_id=dc_id)
        return codec

    def _init_request(self) -> Any:
        return tl.functions.invokeWithLayer(
            layer=_LAYER,
            query=tl.functions.initConnection(
                **self._init_fields, query=tl.functions.help.getConfig()
            ),
        )

    def _on_config(self, config: Any) -> None:
        # The DCs' addresses: IPv4, not media-only, not CDN.
        for option in config.dc_options:
            if option.ipv6 or option.media_only or option.cdn or option.tcpo_only:
                continue
            self._dc_options.setdefault(option.id, (option.ip_address, option.port))

    def _time_offset(self, dc_id: int) -> float:
        conn = self._conns.get(dc_id)
        session = None if conn is None else conn.session
        return 0.0 if session is None else session.time_offset

    # updates ------------------------------------------------------------------------

    def _dispatch_update(self, update: Any) -> None:
        self._push(update)

    def _push(self, item: Any) -> None:
        if item is not _qr_drive.RECONNECTED:
            self._updates.append(item)
            if self._update_event is not None:
                self._update_event.set()
        for queue in self._listeners:
            queue.put_nowait(item)

    async def updates(self) -> AsyncIterator[Any]:
        """
        The updates the server pushes (``Updates`` and ``Update`` TL
        objects), as they come, until the client closes::

            async for update in client.updates():
                ...

        At most ``max_updates`` wait here (older ones are dropped); one
        consumer at a time.
        """
        if self._update_event is None:
            self._update_event = asyncio.Event()
        while True:
            while self._updates:
                item = self._updates.popleft()
                if item is _qr_drive.CLOSED:
                    return
                yield item
            if self._closed:
                return
            self._update_event.clear()
            await self._update_event.wait()

    # QR login ---------------------------------------------------------------------

    async def qr_login(
        self,
        on_url: Callable[[str, Any], Any],
        *,
        password: Union[str, Callable[[Optional[str]], Awaitable[str]], None] = None,
        except_ids: Iterable[int] = (),
        timeout: Optional[float] = None,
    ) -> Any:
        """
        Log in by QR code (core.telegram.org/api/qr-login), driving
        :class:`mtcore.login.QRLoginFlow` over this client's connections.

        :param on_url: Called as ``on_url(url, expires)`` for each new
            token (``expires`` an aware UTC datetime of the server's clock):
            show ``url`` as a QR code (``mtcore.qr.qr_terminal(url)``). May be
            a coroutine function.
        :param password: The 2FA password, if the account has one: a str,
            or an async callable ``password(hint) -> str``, asked again
            after a wrong one.
        :param except_ids: Ids of users already logged in here.
        :param timeout: Seconds to give up after (``TimeoutError``); None
            waits until the code is scanned.
        :returns: The logged-in user (a TL ``User``).
        :raises mtcore.exceptions.RpcError: The server refused the login
            (``PASSWORD_HASH_INVALID`` with a wrong str password;
            ``SESSION_PASSWORD_NEEDED`` without a password).
        """
        _qr_drive.check_arguments(on_url, password)
        flow_args = (self.api_id, self.api_hash, except_ids)
        login.QRLoginFlow(*flow_args)  # the arguments checked now, not when awaited
        run = self._qr_login(on_url, password, flow_args)
        if timeout is None:
            return await run
        return await asyncio.wait_for(run, timeout)

    async def _qr_login(self, on_url: Any, password: Any, flow_args: tuple[Any, ...]) -> Any:
        await self.connect()
        dc = self.home_dc
        flow = login.QRLoginFlow(
            *flow_args, dc_id=dc, clock=self._clock, clock_offset=self._time_offset(dc)
        )
        port = _ClientPort(self)
        self._listeners.append(port.updates)
        try:
            return await _qr_drive.drive(flow, port, on_url, password)
        finally:
            self._listeners.remove(port.updates)

    def _reconnected(self, conn: Connection) -> None:
        self._push(_qr_drive.RECONNECTED)


class _ClientPort:
    # The QR-login driver's view of a Client (see mtcore._qr_drive).

    def __init__(self, client: Client) -> None:
        self.client = client
        self.updates: asyncio.Queue[Any] = asyncio.Queue()
        self._dc: Optional[int] = None

    async def call(self, request: Any, dc_id: Optional[int]) -> Any:
        self._dc = dc_id
        return await self.client(request, dc_id=dc_id)

    def time_offset(self) -> float:
        return self.client._time_offset(self.client.home_dc if self._dc is None else self._dc)

    async def logged_in(self, authorization: Any) -> Any:
        # Recorded in the store by Client.__call__ (_note) already.
        return authorization.user


class _Namespace:
    """
    ``client.auth``: the functions of one schema namespace as methods.
    """

    def __init__(self, client: Client, namespace: Any) -> None:
        self._client = client
        self._namespace = namespace

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return _bind(self._client, getattr(self._namespace, name))

    def __dir__(self) -> list[str]:
        return dir(self._namespace)

    def __repr__(self) -> str:
        return f"<methods of {self._namespace!r}>"


def _bind(client: Client, target: Any) -> Any:  # target: a TL class or namespace
    # A function class becomes a method that builds the request (its
    # fields checked now) and returns the awaitable call; a namespace
    # becomes a namespace of such methods.
    if not isinstance(target, type):
        return _Namespace(client, target)

    def method(**fields: Any) -> Awaitable[Any]:
        return client(target(**fields))

    name: str = getattr(target, "tl_name")  # noqa: B009 (a TL class, typed as type)
    method.__name__ = name.rpartition(".")[2]
    method.__qualname__ = f"Client.{name}"
    method.__doc__ = target.__doc__
    return method


def _check_dc(dc: Any) -> tuple[int, str, int]:
    try:
        dc_id, host, port = dc
    except (TypeError, ValueError):
        raise _errors.dc_tuple("dc", dc) from None
    if not isinstance(host, str):
        raise _errors.not_str("dc host", host)
    return int_at_least("dc id", dc_id, 1), host, int_at_least("dc port", port, 1)
