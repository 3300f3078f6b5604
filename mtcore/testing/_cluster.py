"""
The test cluster: DCs (:class:`TestServer`) sharing one RSA key, one clock
and one account store, and the phone that scans QR codes.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import deque
from collections.abc import Iterable
from typing import Any, Callable, Optional, Union

from mtcore import _errors, login, tl
from mtcore._typing import Buffer
from mtcore.exceptions import RpcError
from mtcore.handshake import RSAPrivateKey, RSAPublicKey, ServerHandshake
from mtcore.testing._accounts import Account, LoginToken, Store
from mtcore.testing._handlers import USER_ONLY
from mtcore.testing._server import Handler, TestServer, check_loopback, function_name


class TestCluster:
    """
    An in-process Telegram for tests: one :class:`TestServer` per DC, each
    on its own loopback port, sharing one RSA key, one clock and one store
    of accounts, login tokens, exported authorizations and files::

        async with TestCluster(dcs=2) as cluster:
            alice = cluster.add_user("Alice", dc=2, password="secret")
            host, port = cluster.server(1).address
            ...                                   # a client logs in by QR code
            await cluster.accept_login(url, user=alice)

    :param dcs: How many DCs (ids 1..n), or their ids.
    :param host: The loopback address every DC listens on (127.0.0.1 or
        ::1; nothing else is accepted).
    :param ports: ``{dc_id: port}`` for fixed ports; the others are picked
        by the system.
    :param rsa_key: The server key (an :class:`~mtcore.handshake.RSAPrivateKey`
        or its PEM); None generates one (about 0.1 s), once per cluster.
    :param clock: The server clock, ``clock() -> unix time`` (default
        ``time.time``; :class:`ManualClock` for tests of expiry): the key
        exchange's ``server_time``, msg_ids and their time window, login
        tokens (30 s), temporary keys and ``ping_delay_disconnect``.
    :param auto_accept: An account (or its id) that accepts every fresh
        login token at once, as if it scanned it (``mtcore serve`` uses it).
    :param idle_timeout: Seconds without a complete frame after which a
        connection is closed.
    :param handshake_timeout: The same, for a connection without a key in
        use yet: its first frame and each step of a key exchange.
    :param max_connections: Connections a DC keeps open at once (more are
        closed at once).
    :param max_frame: The largest frame a client may send.
    :param max_write_buffer: Bytes a connection may have waiting to be sent
        (a client that does not read is closed beyond it).
    :param max_auth_keys: Auth keys a DC keeps (the least recently used go
        first).
    :param max_file_bytes: Bytes of uploaded parts kept (the oldest files go
        first).
    """

    __test__ = False  # not a pytest test class, whatever its name

    def __init__(
        self,
        dcs: Union[int, Iterable[int]] = 1,
        *,
        host: str = "127.0.0.1",
        ports: Optional[dict[int, int]] = None,
        rsa_key: Union[RSAPrivateKey, str, bytes, None] = None,
        clock: Optional[Callable[[], float]] = None,
        auto_accept: Union[Account, int, None] = None,
        idle_timeout: float = 120.0,
        handshake_timeout: float = 10.0,
        max_connections: int = 1024,
        max_frame: int = 2 << 20,
        max_write_buffer: int = 8 << 20,
        max_auth_keys: int = 10000,
        max_file_bytes: int = 64 << 20,
    ) -> None:
        ids = list(range(1, dcs + 1)) if isinstance(dcs, int) else list(dcs)
        if not ids or len(set(ids)) != len(ids) or not all(
            isinstance(i, int) and 0 < i < 1000 for i in ids
        ):
            raise _errors.testing_dcs(dcs)
        self.host = check_loopback(host)
        self._ports = dict(ports or {})
        if rsa_key is None:
            rsa_key = RSAPrivateKey.generate()
        elif not isinstance(rsa_key, RSAPrivateKey):
            rsa_key = RSAPrivateKey.from_pem(rsa_key)
        self.rsa_key: RSAPrivateKey = rsa_key
        if clock is not None and not callable(clock):
            raise _errors.not_callable("clock", clock)
        self.clock: Callable[[], float] = clock or time.time
        self.idle_timeout = float(idle_timeout)
        self.handshake_timeout = float(handshake_timeout)
        self.max_connections = int(max_connections)
        self.max_frame = int(max_frame)
        self.max_write_buffer = int(max_write_buffer)
        self.max_auth_keys = int(max_auth_keys)
        #: The last exceptions raised by handlers (each answered 500).
        self.errors: deque[BaseException] = deque(maxlen=64)
        self._store = Store(clock=self.clock, max_file_bytes=max_file_bytes)
        self._handlers: dict[str, Handler] = {}
        self._servers: dict[int, TestServer] = {}
        self._next_user_id = 1000001
        self._waiters: set[asyncio.Future[LoginToken]] = set()
        self._started = False
        for dc in ids:
            if dc not in self._servers:  # a TestServer made alone registers itself
                self._servers[dc] = TestServer(dc, cluster=self)
        self._auto_accept: Optional[int] = None
        self.auto_accept = auto_accept
        #: The methods a key logged in as a bot is answered
        #: ``400 BOT_METHOD_INVALID`` (Telegram's method pages say which
        #: bots may use); add the names of your handlers' user-only methods.
        self.bot_refused: set[str] = set(USER_ONLY)

    def __repr__(self) -> str:
        dcs = ", ".join(f"{dc}: {s.host}:{s.port}" for dc, s in sorted(self._servers.items()))
        return f"<TestCluster {{{dcs}}}, {len(self._store.accounts)} accounts>"

    # the cluster's face -------------------------------------------------------------

    @property
    def servers(self) -> dict[int, TestServer]:
        """
        ``{dc_id: TestServer}``.
        """
        return dict(self._servers)

    def server(self, dc_id: int) -> TestServer:
        """
        The DC ``dc_id``.
        """
        try:
            return self._servers[dc_id]
        except KeyError:
            raise _errors.testing_unknown_dc(dc_id, sorted(self._servers)) from None

    @property
    def public_key(self) -> RSAPublicKey:
        """
        The RSA public key clients must trust.
        """
        return self.rsa_key.public_key

    @property
    def public_pem(self) -> str:
        """
        The public key as ``-----BEGIN RSA PUBLIC KEY-----`` PEM (what
        Telethon's ``telethon.crypto.rsa.add_key`` takes).
        """
        return self.public_key.to_pem()

    @property
    def fingerprint(self) -> int:
        """
        The key's fingerprint, a signed 64-bit int as in ``resPQ``.
        """
        return self.rsa_key.fingerprint

    @property
    def accounts(self) -> dict[int, Account]:
        """
        ``{user_id: Account}``.
        """
        return dict(self._store.accounts)

    def handler(self, function: Any) -> Callable[[Handler], Handler]:
        """
        Decorate a handler of one function on every DC (a DC's own
        :meth:`TestServer.handler` comes first); see there.
        """
        name = function_name(function)

        def register(fn: Handler) -> Handler:
            if not callable(fn):
                raise _errors.not_callable("handler", fn)
            self._handlers[name] = fn
            return fn

        return register

    def add_user(
        self,
        first_name: str = "Test",
        last_name: Optional[str] = None,
        *,
        dc: Optional[int] = None,
        password: Optional[str] = None,
        hint: Optional[str] = None,
        username: Optional[str] = None,
        phone: Optional[str] = None,
        user_id: Optional[int] = None,
    ) -> Account:
        """
        A new account.

        :param dc: Its home DC (default: the first).
        :param password: A 2FA password (then logging in asks for it; about
            0.1 s here to make its SRP verifier).
        :param user_id: Its id (default: the next free one from 1000001).
        """
        if password is not None and not isinstance(password, str):
            raise _errors.not_str("password", password)
        return self._new_account(
            first_name, last_name, dc, password, hint, username, phone, user_id, bot=False
        )

    def add_bot(
        self,
        first_name: str = "Bot",
        *,
        dc: Optional[int] = None,
        username: Optional[str] = None,
        user_id: Optional[int] = None,
    ) -> Account:
        """
        A new bot account: it logs in with ``auth.importBotAuthorization``
        and its :attr:`~mtcore.testing.Account.bot_token`, and the methods
        of :attr:`bot_refused` answer it ``400 BOT_METHOD_INVALID``.

        :param dc: Its home DC (default: the first).
        :param user_id: Its id (default: the next free one from 1000001).
        """
        return self._new_account(first_name, None, dc, None, None, username, None, user_id, bot=True)

    def _new_account(self, first_name: str, last_name: Optional[str], dc: Optional[int],
                     password: Optional[str], hint: Optional[str], username: Optional[str],
                     phone: Optional[str], user_id: Optional[int], *, bot: bool) -> Account:
        dc = min(self._servers) if dc is None else dc
        self.server(dc)
        if user_id is None:
            while self._next_user_id in self._store.accounts:
                self._next_user_id += 1
            user_id = self._next_user_id
        if not isinstance(user_id, int) or isinstance(user_id, bool) or user_id <= 0:
            raise _errors.testing_user_id(user_id)
        if user_id in self._store.accounts:
            raise _errors.testing_user_exists(user_id)
        account = Account(
            user_id, dc, first_name, last_name, username, phone, password, hint, os.urandom,
            bot=bot,
        )
        self._store.accounts[user_id] = account
        return account

    # the phone that scans the QR code -------------------------------------------------------

    async def accept_login(self, token_or_url: Union[str, Buffer], *, user: Union[Account, int]) -> None:
        """
        Accept a QR-login token as ``user``, from another device (what
        ``auth.acceptLoginToken`` does): the sessions of the auth key that
        asked for the token get ``updateLoginToken``, and their next
        ``auth.exportLoginToken`` logs in, or answers
        ``loginTokenMigrateTo`` to the user's DC, or ``SESSION_PASSWORD_NEEDED``
        for a user with a password.

        :param token_or_url: The token, or its ``tg://login?token=...`` URL.
        :param user: The account, or its id.
        :raises mtcore.exceptions.RpcError: As Telegram answers
            ``auth.acceptLoginToken``: ``AUTH_TOKEN_INVALID``,
            ``AUTH_TOKEN_EXPIRED``, ``AUTH_TOKEN_ALREADY_ACCEPTED``,
            ``AUTH_TOKEN_EXCEPTION`` (the user is in the token's ``except_ids``).
        """
        if isinstance(token_or_url, str):
            token = login.parse_login_url(token_or_url)
        else:
            token = login._check_token(token_or_url)
        self._accept(token, self._store.account(user))

    async def next_login_token(self, *, timeout: Optional[float] = None) -> bytes:
        """
        Wait for the next login token any DC issues, and return it (the QR
        code a test would otherwise read from the client).
        """
        fut: asyncio.Future[LoginToken] = asyncio.get_running_loop().create_future()
        self._waiters.add(fut)
        try:
            tok = await asyncio.wait_for(fut, timeout)
        finally:
            self._waiters.discard(fut)
        return tok.token

    def _accept(self, token: bytes, user: Account) -> LoginToken:
        # The key that asked for the token is logged in from now on (or
        # awaits the password) when the user lives on its DC; the others
        # learn where to go from their next export.
        tok = self._store.accept(token, user)
        server = self._servers.get(tok.dc)
        if server is not None:
            key = server._keys.get(tok.key_id)
            holder = None if key is None else key.holder
            if holder is not None and user.dc == tok.dc:
                if user.has_password:
                    holder.password_user = user
                else:
                    holder.user = user
            update = tl.types.updateShort(update=tl.types.updateLoginToken(), date=int(self.clock()))
            for conn, session in server._sessions_of(tok.key_id):
                session.push(update)
                conn.flush(session)
        return tok

    def _issued(self, tok: LoginToken) -> None:
        for fut in self._waiters:
            if not fut.done():
                fut.set_result(tok)
        if self._auto_accept_user() is not None:
            asyncio.get_running_loop().call_soon(self._auto_accept_now, tok.token)

    @property
    def auto_accept(self) -> Optional[Account]:
        """
        The account that accepts every fresh login token at once, or None
        (set it to an account, its id or None).
        """
        return self._auto_accept_user()

    @auto_accept.setter
    def auto_accept(self, user: Union[Account, int, None]) -> None:
        self._auto_accept = None if user is None else self._store.account(user).id

    def _auto_accept_user(self) -> Optional[Account]:
        if self._auto_accept is None:
            return None
        return self._store.accounts.get(self._auto_accept)

    def _auto_accept_now(self, token: bytes) -> None:
        user = self._auto_accept_user()
        if user is None:
            return
        try:
            self._accept(token, user)
        except RpcError:  # expired or taken in the meantime
            pass

    def _authorization_of(self, tok: LoginToken) -> Any:
        # The `authorization` acceptLoginToken returns: the new session, as
        # its initConnection described it.
        server = self._servers.get(tok.dc)
        key = server._keys.get(tok.key_id) if server is not None else None
        init = (key.init if key is not None else None) or {}
        now = int(self.clock())
        return tl.types.authorization(
            hash=int.from_bytes(os.urandom(8), "little", signed=True),
            device_model=init.get("device_model", ""),
            platform="",
            system_version=init.get("system_version", ""),
            api_id=init.get("api_id", 0),
            app_name="",
            app_version=init.get("app_version", ""),
            date_created=now,
            date_active=now,
            ip="127.0.0.1",
            country="",
            region="",
        )

    def _new_handshake(self, server: TestServer) -> ServerHandshake:
        return ServerHandshake(
            [self.rsa_key],
            clock=self.clock,
            key_id_in_use=lambda key_id: key_id in server._keys,
        )

    # running --------------------------------------------------------------------------

    async def start(self) -> None:
        """
        Start every DC (``async with`` does it).
        """
        if self._started:
            return
        self._started = True
        try:
            for server in self._servers.values():
                await server._listen()
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        """
        Stop every DC and close their connections; returns when all their
        tasks have ended.
        """
        for server in self._servers.values():
            await server._stop()
        waiting = [fut for fut in self._waiters if fut.cancel()]
        if waiting:
            await asyncio.sleep(0)  # the waiters' tasks take the cancellation
        self._started = False

    async def __aenter__(self) -> TestCluster:
        await self.start()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()
