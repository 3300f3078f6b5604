"""
QR login over a live connection: one asyncio driver of
:class:`mtcore.login.QRLoginFlow` and the ports it drives it through,
mtcore's own :class:`~mtcore.client.Client`, a Telethon 1.x
``TelegramClient`` and a Pyrogram 2.x ``Client``.

A port sends a request (an mtcore TL object, turned into the library's
own by its TL bytes) to a DC, moving there first when the flow migrates;
gives the updates it receives through a queue; and finishes a login the
library's way.  The library's RPC errors come back as
:class:`~mtcore.exceptions.RpcError`.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import re
from collections.abc import Iterable
from io import BytesIO
from typing import Any, Callable, Optional

from mtcore import _errors, srp, tl
from mtcore.exceptions import ArgumentTypeError, RpcError, TLDecodeError
from mtcore.login import (
    SESSION_PASSWORD_NEEDED,
    Done,
    LoginTokenSuccess,
    PasswordNeeded,
    QRLoginFlow,
    Send,
    ShowQR,
    Wait,
)

__all__ = ["RECONNECTED", "drive", "pyrogram_qr_login", "telethon_qr_login"]

#: Put in a port's queue when its connection was opened again: an
#: ``updateLoginToken`` sent meanwhile may be lost, so the flow exports
#: again to learn where the login stands.
RECONNECTED = object()
#: Put in a port's queue when its client closed.
CLOSED = object()

# The longest the driver sleeps before it looks at the flow's clock again
# (an injected clock may jump ahead).
TICK = 0.25


def _lib(name: str) -> Any:
    # A module of Telethon or Pyrogram, imported when first used (neither
    # is a dependency; neither ships type information).
    return importlib.import_module(name)


async def maybe_await(value: Any) -> Any:
    if inspect.isawaitable(value):
        return await value
    return value


def check_arguments(on_url: Any, password: Any) -> None:
    if not callable(on_url):
        raise _errors.not_callable("on_url", on_url)
    if not (password is None or isinstance(password, str) or callable(password)):
        raise _errors.password_type("password", password)


async def drive(flow: QRLoginFlow, port: Any, on_url: Callable[[str, Any], Any], password: Any) -> Any:
    """
    Run ``flow`` over ``port`` to the end: the logged-in user (as
    ``port.logged_in`` gives it), or :class:`~mtcore.exceptions.RpcError`.
    """
    action: Any = flow.start()
    while True:
        if isinstance(action, Send):
            try:
                result = await port.call(action.request, action.dc_id)
            except RpcError as exc:
                action = flow.on_rpc_error(exc.code, exc.message)
            else:
                flow.clock_offset = port.time_offset()
                action = flow.on_response(_answer(result))
        elif isinstance(action, ShowQR):
            await maybe_await(on_url(action.url, action.login_token.expires))
            action = await _next(flow, port.updates, action.timeout)
        elif isinstance(action, Wait):
            action = await _next(flow, port.updates, action.timeout)
        elif isinstance(action, PasswordNeeded):
            authorization = await _check_password(port, action.dc_id, password)
            return await port.logged_in(authorization)
        elif isinstance(action, Done):
            return await port.logged_in(action.authorization)
        else:  # Failed
            raise RpcError(action.error_code, action.error_message)


def _answer(result: Any) -> Any:
    # Another library's auth.loginTokenSuccess goes to the flow as the
    # wrapper alone: its authorization stays the library's object, whose
    # User may be of another layer than mtcore's schema (Pyrogram 2.0 has
    # layer 158's).
    if not isinstance(result, tl.TLObject) and type(result).__name__ == "LoginTokenSuccess":
        return LoginTokenSuccess(authorization=result.authorization)
    return result


async def _next(flow: QRLoginFlow, updates: asyncio.Queue[Any], timeout: Optional[float]) -> Any:
    # The flow's answer to an update, a reconnection, or its timer.
    step = TICK if timeout is None else min(timeout, TICK)
    try:
        item = await asyncio.wait_for(updates.get(), step)
    except asyncio.TimeoutError:
        return flow.on_timeout()
    if item is CLOSED:
        raise _errors.client_closed()
    if item is RECONNECTED:
        return flow.on_update(tl.types.updateLoginToken())
    try:
        return flow.on_update(item)
    except (ArgumentTypeError, TLDecodeError):
        # Not an update (Pyrogram hands over acks and other service
        # messages too), or a constructor of another layer: not ours.
        return flow.on_timeout()


async def _check_password(port: Any, dc_id: Optional[int], password: Any) -> Any:
    """
    ``account.getPassword``, the SRP proof (in a thread: PBKDF2 with
    100,000 iterations) and ``auth.checkPassword``; a callable password is
    asked again after ``PASSWORD_HASH_INVALID``.
    """
    loop = asyncio.get_running_loop()
    while True:
        info = await port.call(tl.functions.account.getPassword(), dc_id)
        if password is None:
            raise RpcError(401, SESSION_PASSWORD_NEEDED)
        secret = await maybe_await(password(info.hint)) if callable(password) else password
        if not isinstance(secret, str):
            raise _errors.password_type("password", secret)
        check = await loop.run_in_executor(None, srp.compute_check, info, secret)
        try:
            return await port.call(tl.functions.auth.checkPassword(password=check), dc_id)
        except RpcError as exc:
            if exc.message != "PASSWORD_HASH_INVALID" or not callable(password):
                raise


async def _run(flow: QRLoginFlow, port: Any, on_url: Any, password: Any, timeout: Optional[float]) -> Any:
    try:
        if timeout is None:
            return await drive(flow, port, on_url, password)
        return await asyncio.wait_for(drive(flow, port, on_url, password), timeout)
    finally:
        port.close()


# --- Telethon 1.x -----------------------------------------------------------


class _TelethonPort:
    @staticmethod
    async def home_dc(client: Any) -> Any:
        return client.session.dc_id

    def __init__(self, client: Any, dc_id: Any) -> None:
        # The DC is looked up in the session when needed (Telethon keeps
        # it there, and moves it in _switch_dc).
        events = _lib("telethon.events")
        self.client = client
        self.updates: asyncio.Queue[Any] = asyncio.Queue()
        self._event = events.Raw()
        client.add_event_handler(self._on_update, self._event)

    async def _on_update(self, update: Any) -> None:
        self.updates.put_nowait(update)

    def close(self) -> None:
        self.client.remove_event_handler(self._on_update, self._event)

    async def call(self, request: Any, dc_id: Optional[int]) -> Any:
        errors = _lib("telethon.errors")
        reader = _lib("telethon.extensions").BinaryReader
        if dc_id is not None and dc_id != self.client.session.dc_id:
            # Telethon's own way to move (its PHONE_MIGRATE handling): the
            # new DC's address from help.getConfig, a new auth key there.
            await self.client._switch_dc(dc_id)
        try:
            return await self.client(reader(bytes(request)).tgread_object())
        except errors.RPCError as exc:
            raise RpcError(exc.code, _telethon_message(exc)) from exc

    def time_offset(self) -> float:
        state = getattr(self.client._sender, "_state", None)
        return float(getattr(state, "time_offset", 0))

    async def logged_in(self, authorization: Any) -> Any:
        user = authorization.user
        if isinstance(user, tl.TLObject):
            user = _lib("telethon.extensions").BinaryReader(bytes(user)).tgread_object()
        await self.client._on_login(user)  # what Telethon's sign_in does
        return user


def _telethon_message(exc: Any) -> str:
    # Telethon's typed errors keep a generic message (UNAUTHORIZED): the
    # one sent is the key of their class in rpc_errors_dict.
    for message, cls in _lib("telethon.errors.rpcerrorlist").rpc_errors_dict.items():
        if type(exc) is cls:
            return str(message)
    return str(exc.message)


# --- Pyrogram 2.x -----------------------------------------------------------


class _PyrogramPort:
    @staticmethod
    async def home_dc(client: Any) -> Any:
        return await client.storage.dc_id()

    def __init__(self, client: Any, dc_id: int) -> None:
        self.client = client
        self.dc_id = dc_id
        self.updates: asyncio.Queue[Any] = asyncio.Queue()
        # Pyrogram has no handler for updates before login (its dispatcher
        # starts after it): its sessions hand every update to the client's
        # handle_updates, looked up on the instance, so it is wrapped.
        original = client.handle_updates

        async def handle_updates(updates: Any) -> Any:
            self.updates.put_nowait(updates)
            return await original(updates)

        client.handle_updates = handle_updates

    def close(self) -> None:
        self.client.__dict__.pop("handle_updates", None)

    async def call(self, request: Any, dc_id: Optional[int]) -> Any:
        errors = _lib("pyrogram.errors")
        objects = _lib("pyrogram.raw.core").TLObject
        if dc_id is not None and dc_id != self.dc_id:
            await self._switch(dc_id)
        try:
            return await self.client.invoke(objects.read(BytesIO(bytes(request))))
        except errors.RPCError as exc:
            raise RpcError(exc.CODE, _pyrogram_message(exc)) from exc

    async def _switch(self, dc_id: int) -> None:
        # Pyrogram's own way to move (send_code on PHONE_MIGRATE): a new
        # auth key on the DC, a new session there.
        sessions = _lib("pyrogram.session")
        client = self.client
        await client.session.stop()
        test_mode = await client.storage.test_mode()
        await client.storage.dc_id(dc_id)
        await client.storage.auth_key(await sessions.Auth(client, dc_id, test_mode).create())
        client.session = sessions.Session(client, dc_id, await client.storage.auth_key(), test_mode)
        await client.session.start()
        self.dc_id = dc_id

    def time_offset(self) -> float:
        return 0.0  # Pyrogram keeps none

    async def logged_in(self, authorization: Any) -> Any:
        user = authorization.user
        if isinstance(user, tl.TLObject):
            user = _lib("pyrogram.raw.core").TLObject.read(BytesIO(bytes(user)))
        # What Pyrogram's sign_in does.
        await self.client.storage.user_id(user.id)
        await self.client.storage.is_bot(False)
        return _lib("pyrogram.types").User._parse(self.client, user)


_PYROGRAM_UNKNOWN = re.compile(r"\[(-?\d+) (\S+)\]")


def _pyrogram_message(exc: Any) -> str:
    # Pyrogram keeps the message as an ID with "_X" for the number it
    # moved to .value; an error it does not know keeps "[code MESSAGE]".
    if exc.ID is None:
        match = _PYROGRAM_UNKNOWN.search(str(exc.value))
        return match.group(2) if match else str(exc.value)
    if exc.ID.endswith("_X") and exc.value is not None:
        return f"{exc.ID[:-1]}{exc.value}"
    return str(exc.ID)


# --- the public functions -------------------------------------------------

_DOC = """
    {intro}

    :param client: The connected ``{client}``.
    :param on_url: ``on_url(url, expires)`` for each new token (sync or
        async).
    :param password: The 2FA password: a str, or an async callable
        ``password(hint) -> str`` asked again after a wrong one.
    :param except_ids: Ids of users already logged in.
    :param timeout: Seconds to give up after (``TimeoutError``).
    :returns: {returns}
    :raises mtcore.exceptions.RpcError: The server refused the login.
    """


def _qr_login_over(name: str, port_type: Any, **doc: str) -> Callable[..., Any]:
    # The public function of one library: the same steps over its port
    # (``port_type.home_dc(client)``, then ``port_type(client, dc_id)``).
    async def qr_login(
        client: Any,
        on_url: Callable[[str, Any], Any],
        *,
        password: Any = None,
        except_ids: Iterable[int] = (),
        timeout: Optional[float] = None,
    ) -> Any:
        check_arguments(on_url, password)
        dc_id = await port_type.home_dc(client)
        flow = QRLoginFlow(client.api_id, client.api_hash, except_ids, dc_id=dc_id)
        port = port_type(client, dc_id)
        flow.clock_offset = port.time_offset()
        return await _run(flow, port, on_url, password, timeout)

    qr_login.__name__ = qr_login.__qualname__ = name
    qr_login.__doc__ = _DOC.format(**doc)
    return qr_login


telethon_qr_login = _qr_login_over(
    "telethon_qr_login",
    _TelethonPort,
    intro="""QR login over a connected Telethon 1.x ``TelegramClient``, with
    :class:`~mtcore.login.QRLoginFlow` doing the protocol.

    Unlike Telethon's ``qr_login()`` it renews the token when it expires,
    follows ``auth.loginTokenMigrateTo`` (Telethon's ``recreate()`` fails on
    it: the answer has no ``expires``) and does the 2FA step itself.""",
    client="TelegramClient",
    returns="""Telethon's ``User``; the client is logged in (its ``_on_login``
        ran, as after ``sign_in``).""",
)
pyrogram_qr_login = _qr_login_over(
    "pyrogram_qr_login",
    _PyrogramPort,
    intro="""QR login over a Pyrogram 2.x ``Client`` after ``await client.connect()``
    (Pyrogram has no QR login of its own), with
    :class:`~mtcore.login.QRLoginFlow` doing the protocol.""",
    client="pyrogram.Client",
    returns="""Pyrogram's ``types.User``; the storage holds the login (as
        after ``sign_in``): ``await client.initialize()`` next.""",
)
