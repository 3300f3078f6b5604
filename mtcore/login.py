"""
QR-code login (core.telegram.org/api/qr-login).

The logging-in app exports a login token, shows it as a QR code of
``tg://login?token=<base64url>``, and an app where the user is already
logged in scans it and accepts it.  This module has the pieces:

* :func:`export_login_token`, :func:`import_login_token` and
  :func:`accept_login_token` build the TL requests, checking every
  argument first (``bytes(request)`` is what goes on the wire);
* :func:`parse_login_token` reads the answer, an ``auth.LoginToken``, into
  :class:`LoginToken`, :class:`LoginTokenMigrateTo` or
  :class:`LoginTokenSuccess`;
* :func:`login_url` and :func:`parse_login_url` convert between a token
  and its URL;
* :class:`QRLoginFlow` runs the whole flow as a state machine without I/O:
  it consumes answers, RPC errors, updates and timer expiries and returns
  an action (:class:`Send`, :class:`ShowQR`, :class:`Wait`,
  :class:`PasswordNeeded`, :class:`Done` or :class:`Failed`) that tells
  the client what to do next, so any client can drive it over its own
  connection;
* :func:`qr_terminal`, :func:`qr_svg` and :func:`qr_png` (from
  :mod:`mtcore.qr`, optional extra ``qr``) draw the QR code.

The 2FA password check (SRP, ``auth.checkPassword``) is not part of the
flow: it stops in :class:`PasswordNeeded` and hands over to the client,
which answers with :func:`mtcore.srp.compute_check`.

Drivers of the flow over live connections, 2FA included:
:meth:`mtcore.client.Client.qr_login`, :func:`telethon_qr_login` (a
Telethon 1.x ``TelegramClient``) and :func:`pyrogram_qr_login` (a
Pyrogram 2.x ``Client``).
"""

from __future__ import annotations

import base64
import datetime
import enum
import functools
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar, TypeVar, Union
from urllib.parse import unquote

from mtcore import _errors, tl
from mtcore._args import clock_arg, int_arg, number_arg
from mtcore._machine import Machine
from mtcore._typing import Buffer
from mtcore.qr import qr_png, qr_svg, qr_terminal

__all__ = [
    "SESSION_PASSWORD_NEEDED",
    "URL_PREFIX",
    "Action",
    "Done",
    "Failed",
    "LoginToken",
    "LoginTokenMigrateTo",
    "LoginTokenResult",
    "LoginTokenSuccess",
    "PasswordNeeded",
    "MAX_SHOW_SECONDS",
    "QRLoginFlow",
    "QRLoginState",
    "Send",
    "ShowQR",
    "Wait",
    "accept_login_token",
    "export_login_token",
    "import_login_token",
    "login_url",
    "parse_login_token",
    "parse_login_url",
    "pyrogram_qr_login",
    "qr_png",
    "qr_svg",
    "qr_terminal",
    "telethon_qr_login",
]

#: What a QR-login URL starts with; the base64url token follows.
URL_PREFIX = "tg://login?token="

#: The RPC error (code 401) that means the account has a 2FA password.
SESSION_PASSWORD_NEEDED = "SESSION_PASSWORD_NEEDED"


_INT32_MAX = (1 << 31) - 1
_INT64_MIN = -(1 << 63)
_INT64_MAX = (1 << 63) - 1
_TL_BYTES_LIMIT = 1 << 24
_HEX = frozenset("0123456789abcdefABCDEF")
_B64URL = re.compile(r"[A-Za-z0-9_-]*")
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
_ONE_SECOND = datetime.timedelta(seconds=1)


# --- argument checks (one per rule; the texts live in mtcore/_errors.py) ----


def _check_api_id(api_id: object) -> int:
    return int_arg("api_id", api_id, 1, _INT32_MAX)


def _check_api_hash(api_hash: object) -> str:
    if not isinstance(api_hash, str):
        raise _errors.not_str("api_hash", api_hash)
    if len(api_hash) != 32:
        raise _errors.api_hash_length(len(api_hash))
    for i, c in enumerate(api_hash):
        if c not in _HEX:
            raise _errors.api_hash_char(c, i)
    return str(api_hash)


def _check_except_ids(except_ids: object) -> list[int]:
    # bytes-likes iterate as ints, which would pass silently: refuse them.
    if isinstance(except_ids, (str, bytes, bytearray, memoryview)):
        raise _errors.not_int_iterable("except_ids", except_ids)
    try:
        items = list(except_ids)  # type: ignore[call-overload]
    except TypeError:
        raise _errors.not_int_iterable("except_ids", except_ids) from None
    out = []
    for i, v in enumerate(items):
        name = f"except_ids[{i}]"
        if not isinstance(v, int) or isinstance(v, bool):
            raise _errors.not_int(name, v)
        if not _INT64_MIN <= v <= _INT64_MAX:
            raise _errors.out_of_range(name, _INT64_MIN, _INT64_MAX, v)
        out.append(int(v))
    return out


def _check_token(token: object, name: str = "token") -> bytes:
    if isinstance(token, bytes):
        data = bytes(token)
    elif isinstance(token, str):
        raise _errors.not_buffer(name, token)
    else:
        try:
            data = memoryview(token).tobytes()  # type: ignore[arg-type]
        except TypeError:
            raise _errors.not_buffer(name, token) from None
    if not data:
        raise _errors.empty(name)
    if len(data) >= _TL_BYTES_LIMIT:
        raise _errors.tl_bytes_too_long(name, len(data))
    return data


def _unix_time(name: str, value: object) -> float:
    # None: the system clock; an aware datetime; or a unix time.
    if value is None:
        return time.time()
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise _errors.naive_datetime(name)
        return value.timestamp()
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise _errors.not_time(name, value)
    return number_arg(name, value)


# --- requests -------------------------------------------------------------


def export_login_token(
    api_id: int, api_hash: str, except_ids: Iterable[int] = ()
) -> tl.functions.auth.exportLoginToken:
    """
    Build ``auth.exportLoginToken``, the request that starts a QR login and
    renews its token.

    :param api_id: The application's api_id: a positive int32.
    :param api_hash: The application's api_hash: 32 hex characters.
    :param except_ids: Ids of the users already logged in on this client
        (int64 each; usually none), so that the server does not log one
        of them in twice.
    :returns: The TL request; ``bytes(request)`` is its serialization.
    :raises mtcore.exceptions.ArgumentTypeError: If an argument has the
        wrong type (a ``bool`` is not an api_id).
    :raises mtcore.exceptions.ArgumentValueError: If api_id is not in
        1..2147483647, api_hash is not 32 hex characters, or an id does
        not fit an int64.  The message names the argument.
    """
    return tl.functions.auth.exportLoginToken(
        api_id=_check_api_id(api_id),
        api_hash=_check_api_hash(api_hash),
        except_ids=_check_except_ids(except_ids),
    )


def import_login_token(token: Buffer) -> tl.functions.auth.importLoginToken:
    """
    Build ``auth.importLoginToken``, sent to the DC named by
    ``auth.loginTokenMigrateTo`` with the token it carried.

    :param token: The token: a non-empty bytes-like object.
    :raises mtcore.exceptions.ArgumentTypeError: If token is not bytes-like.
    :raises mtcore.exceptions.InvalidLength: If token is empty (or longer
        than TL bytes can be).
    """
    return tl.functions.auth.importLoginToken(token=_check_token(token))


def accept_login_token(token: Buffer) -> tl.functions.auth.acceptLoginToken:
    """
    Build ``auth.acceptLoginToken``: what an app where the user is already
    logged in sends after scanning a QR code (the token from
    :func:`parse_login_url`).  The answer is an ``authorization``.

    :param token: The token: a non-empty bytes-like object.
    :raises mtcore.exceptions.ArgumentTypeError: If token is not bytes-like.
    :raises mtcore.exceptions.InvalidLength: If token is empty (or longer
        than TL bytes can be).
    """
    return tl.functions.auth.acceptLoginToken(token=_check_token(token))


# --- URLs -----------------------------------------------------------------


def login_url(token: Buffer) -> str:
    """
    The URL a QR code shows: ``tg://login?token=`` followed by the token in
    base64url (RFC 4648 section 5: ``-`` and ``_`` for ``+`` and ``/``)
    without ``=`` padding, as Telegram's apps write it.

    :param token: The token: a non-empty bytes-like object.
    :raises mtcore.exceptions.ArgumentTypeError: If token is not bytes-like.
    :raises mtcore.exceptions.InvalidLength: If token is empty.
    """
    data = _check_token(token)
    return URL_PREFIX + base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def parse_login_url(url: str) -> bytes:
    """
    The token of a QR-login URL (the inverse of :func:`login_url`).

    Accepted: scheme ``tg`` and host ``login`` in any case, then exactly one
    query parameter, ``token``, in base64url with or without ``=`` padding
    (percent-escapes are decoded first).  Refused, with
    :class:`~mtcore.exceptions.LoginURLError`: any other scheme or host, a
    user, port, path or fragment, other or repeated parameters, an empty
    token, characters outside the base64url alphabet, wrong padding, and
    a last character with unused bits set (so one token has one URL).
    Messages never repeat the token.

    :param url: The URL, as a str.
    :returns: The token bytes.
    :raises mtcore.exceptions.ArgumentTypeError: If url is not a str.
    :raises mtcore.exceptions.LoginURLError: If url is not a QR-login URL.
    """
    if not isinstance(url, str):
        raise _errors.not_str("url", url)
    scheme, colon, rest = url.partition(":")
    if not colon:
        raise _errors.login_url("it has no scheme")
    # The messages below describe what is wrong, never quote the input:
    # a mangled URL may carry the token anywhere.
    if scheme.lower() != "tg":
        raise _errors.login_url(f"the scheme must be 'tg' ({_length(scheme)})")
    if not rest.startswith("//"):
        raise _errors.login_url("'tg:' must be followed by '//login'")
    rest = rest[2:]
    end = len(rest)
    for sep in "/?#":
        i = rest.find(sep)
        if i >= 0:
            end = min(end, i)
    host, rest = rest[:end], rest[end:]
    if host.lower() != "login":
        raise _errors.login_url(f"the host must be 'login' ({_length(host)})")
    rest, hash_, _ = rest.partition("#")
    if hash_:
        raise _errors.login_url("it has a fragment ('#...')")
    path, question, query = rest.partition("?")
    if path:
        raise _errors.login_url(f"it has a path ({_length(path)})")
    if not question:
        raise _errors.login_url("it has no query ('?token=...')")
    params = query.split("&")
    for param in params:
        key, eq, _ = param.partition("=")
        if key != "token":
            if key.lower() == "token":
                why = "the parameter is 'token', in lower case"
            elif not eq and key.lower().startswith("token"):
                why = "'token' must be followed by '='"
            else:
                why = f"only 'token' is allowed, got a name of {_length(key)}"
            raise _errors.login_url(f"unexpected query parameter: {why}")
    if len(params) > 1:
        raise _errors.login_url("the token parameter appears more than once")
    value = params[0].partition("=")[2]
    return _decode_token(unquote(value, encoding="ascii", errors="replace"))


def _length(text: str) -> str:
    # What an error may say of a part of a URL: its length, not its text.
    return "empty" if not text else f"{len(text)} characters"


def _decode_token(value: str) -> bytes:
    body = value.rstrip("=")
    if not body:
        raise _errors.login_url("the token is empty")
    if _B64URL.fullmatch(body) is None:
        for i, c in enumerate(body):
            if _B64URL.fullmatch(c) is None:
                raise _errors.login_url_alphabet(c, i)
    n = len(body)
    pad = len(value) - n
    if n % 4 == 1:
        raise _errors.login_url_length(n)
    if pad and (n + pad) % 4:
        raise _errors.login_url_padding(n, pad)
    data = base64.urlsafe_b64decode(body + "=" * (-n % 4))
    if base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii") != body:
        raise _errors.login_url_bits()
    return data


# --- answers: auth.LoginToken ------------------------------------------------


@dataclass(frozen=True)
class LoginToken:
    """
    ``auth.loginToken``: a token to show as a QR code until it expires.

    :param token: The token bytes (:attr:`url` is its QR-login URL).
    :param expires: When the token expires, an aware UTC datetime; the
        field is an absolute unix time on the *server's* clock, so compare
        it with a local clock only through :meth:`is_expired`'s
        ``clock_offset``.
    """

    token: bytes = field(repr=False)  # a credential: not in logs
    expires: datetime.datetime

    tl_name: ClassVar[str] = "auth.loginToken"

    @property
    def expires_timestamp(self) -> int:
        """
        :attr:`expires` as the unix time the TL field holds.
        """
        return (self.expires - _EPOCH) // _ONE_SECOND

    @property
    def url(self) -> str:
        """
        The QR-login URL of the token (:func:`login_url`).
        """
        return login_url(self.token)

    def is_expired(
        self,
        now: float | datetime.datetime | None = None,
        *,
        clock_offset: float = 0,
    ) -> bool:
        """
        Whether the token has expired.

        :param now: The local time: a unix time, an aware datetime, or None
            for the system clock.
        :param clock_offset: Seconds to add to the local time to get the
            server's (``server_time - local_time``, e.g. as learnt from the
            msg_id of a server message).
        :returns: True from the second of :attr:`expires` on.
        :raises mtcore.exceptions.ArgumentTypeError: If now or clock_offset
            has the wrong type.
        :raises mtcore.exceptions.ArgumentValueError: If now is a naive
            datetime.
        """
        server_now = _unix_time("now", now) + number_arg(
            "clock_offset", clock_offset
        )
        return server_now >= self.expires_timestamp

    def to_tl(self) -> tl.types.auth.loginToken:
        """
        The TL object (``bytes(token.to_tl())`` is its serialization).
        """
        return tl.types.auth.loginToken(
            expires=self.expires_timestamp, token=self.token
        )


@dataclass(frozen=True)
class LoginTokenMigrateTo:
    """
    ``auth.loginTokenMigrateTo``: the account lives on DC ``dc_id``; call
    ``auth.importLoginToken(token)`` there (:func:`import_login_token`).
    """

    dc_id: int
    token: bytes = field(repr=False)  # a credential: not in logs

    tl_name: ClassVar[str] = "auth.loginTokenMigrateTo"

    def to_tl(self) -> tl.types.auth.loginTokenMigrateTo:
        """
        The TL object.
        """
        return tl.types.auth.loginTokenMigrateTo(dc_id=self.dc_id, token=self.token)


@dataclass(frozen=True)
class LoginTokenSuccess:
    """
    ``auth.loginTokenSuccess``: logged in; ``authorization`` is the
    ``auth.Authorization`` TL object (``auth.authorization`` holds the user).
    """

    authorization: Any

    tl_name: ClassVar[str] = "auth.loginTokenSuccess"

    def to_tl(self) -> tl.types.auth.loginTokenSuccess:
        """
        The TL object.
        """
        return tl.types.auth.loginTokenSuccess(authorization=self.authorization)


#: What :func:`parse_login_token` returns.
LoginTokenResult = Union[LoginToken, LoginTokenMigrateTo, LoginTokenSuccess]

_LOGIN_TOKEN_CLASSES = (LoginToken, LoginTokenMigrateTo, LoginTokenSuccess)


def parse_login_token(data: Any) -> LoginTokenResult:
    """
    Read an ``auth.LoginToken``, the answer to ``auth.exportLoginToken`` and
    ``auth.importLoginToken``.

    :param data: Its TL bytes (any bytes-like object; a ``gzip_packed``
        is unpacked), the object :func:`mtcore.tl.decode` made of them, or
        another library's TL object (Telethon's, Pyrogram's: anything
        ``bytes(obj)`` or Pyrogram's ``obj.write()`` serialises).  A result
        of this function is returned as it is.
    :returns: A :class:`LoginToken` (``expires`` as an aware UTC datetime),
        :class:`LoginTokenMigrateTo` or :class:`LoginTokenSuccess`; each
        gives the TL object back with ``to_tl()``.
    :raises mtcore.exceptions.ArgumentTypeError: If data is neither
        bytes-like nor an ``auth.LoginToken`` object.
    :raises mtcore.exceptions.TLDecodeError: If the bytes are not one
        complete ``auth.LoginToken``.
    """
    if isinstance(data, _LOGIN_TOKEN_CLASSES):
        return data
    if isinstance(data, tl.TLObject):
        obj: Any = data
    else:
        raw = _tl_bytes_of(data)
        if raw is None:
            raise _errors.not_login_token("data", data)
        obj = tl.decode(raw, type="auth.LoginToken")
    name = obj.tl_name
    if name == "auth.loginToken":
        return LoginToken(
            token=obj.token, expires=_EPOCH + datetime.timedelta(seconds=obj.expires)
        )
    if name == "auth.loginTokenMigrateTo":
        return LoginTokenMigrateTo(dc_id=obj.dc_id, token=obj.token)
    if name == "auth.loginTokenSuccess":
        return LoginTokenSuccess(authorization=obj.authorization)
    raise _errors.not_login_token("data", obj)


# --- the flow ---------------------------------------------------------------


class QRLoginState(enum.Enum):
    """
    Where a :class:`QRLoginFlow` is.
    """

    #: Created; :meth:`QRLoginFlow.start` not called yet.
    IDLE = "idle"
    #: ``auth.exportLoginToken`` sent; its answer is pending.
    EXPORTING = "exporting"
    #: A token is shown; waiting for ``updateLoginToken`` or its expiry.
    SHOWING = "showing"
    #: ``auth.importLoginToken`` sent (after a migration); answer pending.
    IMPORTING = "importing"
    #: Final: the account has a 2FA password; the client takes over.
    PASSWORD_NEEDED = "password_needed"
    #: Final: logged in.
    DONE = "done"
    #: Final: an RPC error ended the flow.
    FAILED = "failed"


@dataclass(frozen=True)
class Send:
    """
    Send ``request`` (``bytes(action)`` is its TL serialization) and give
    the flow its answer (:meth:`QRLoginFlow.on_response`) or its RPC error
    (:meth:`QRLoginFlow.on_rpc_error`).

    :param request: The TL request object.
    :param dc_id: The DC to send it to: the flow's current DC, None if the
        client never named it (then: the connection the flow started on).
    :param migrate: True if ``dc_id`` is a new DC: connect there first (its
        own auth key and session), and make it the main DC once logged in.
    """

    request: Any
    dc_id: int | None = None
    migrate: bool = False

    final: ClassVar[bool] = False

    def __bytes__(self) -> bytes:
        return bytes(self.request)


@dataclass(frozen=True)
class ShowQR:
    """
    Show ``url`` as a QR code (e.g. :func:`qr_terminal`), then wait for an
    update (:meth:`QRLoginFlow.on_update`) at most ``timeout`` seconds and
    call :meth:`QRLoginFlow.on_timeout` when none came.

    :param login_token: The token shown.
    :param url: Its QR-login URL.
    :param timeout: Seconds until the token is renewed:
        ``max(expires - server_time, 1)`` (as tdlib schedules it), at most
        :data:`MAX_SHOW_SECONDS`.
    :param refresh_at: The same moment as a time of the flow's clock.
    """

    login_token: LoginToken
    url: str = field(repr=False)  # carries the token
    timeout: float
    refresh_at: float

    final: ClassVar[bool] = False


@dataclass(frozen=True)
class Wait:
    """
    Nothing to send: keep waiting.

    :param timeout: Seconds until the flow wants :meth:`QRLoginFlow.on_timeout`
        (while a token is shown), or None: no timer, wait for the pending
        answer or an update.
    """

    timeout: float | None = None

    final: ClassVar[bool] = False


@dataclass(frozen=True)
class PasswordNeeded:
    """
    Final: the server answered ``401 SESSION_PASSWORD_NEEDED``; the account
    has a 2FA password.  The client continues on DC ``dc_id``: it sends
    ``request`` (``account.getPassword``), computes the SRP proof from the
    user's password (core.telegram.org/api/srp: :func:`mtcore.srp.compute_check`)
    and calls ``auth.checkPassword``, whose answer is the
    ``auth.authorization``.
    """

    dc_id: int | None
    request: Any

    final: ClassVar[bool] = True


@dataclass(frozen=True)
class Done:
    """
    Final: logged in.  ``authorization`` is the ``auth.Authorization`` TL
    object (``auth.authorization`` holds the user); ``dc_id`` the DC it
    was given on, which becomes the main DC (None: the DC the flow started
    on, when the client did not name it).
    """

    authorization: Any
    dc_id: int | None

    final: ClassVar[bool] = True


@dataclass(frozen=True)
class Failed:
    """
    Final: ``request`` (``"auth.exportLoginToken"`` or
    ``"auth.importLoginToken"``) got an RPC error other than
    ``SESSION_PASSWORD_NEEDED``, e.g. ``400 API_ID_INVALID``.
    """

    error_code: int
    error_message: str
    request: str

    final: ClassVar[bool] = True


#: What the methods of :class:`QRLoginFlow` return.
Action = Union[Send, ShowQR, Wait, PasswordNeeded, Done, Failed]

_EXPORT = "auth.exportLoginToken"
_IMPORT = "auth.importLoginToken"
_LOGIN_TOKEN_NAMES = frozenset(c.tl_name for c in _LOGIN_TOKEN_CLASSES)


#: The longest a :class:`ShowQR` asks to wait, in seconds, whatever the
#: token's ``expires`` says (Telegram's tokens live about 30 seconds).
MAX_SHOW_SECONDS = 300.0

_F = TypeVar("_F", bound=Callable[..., Any])


def _locked(method: _F) -> _F:
    # The method under the flow's lock.
    @functools.wraps(method)
    def run(self: QRLoginFlow, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            return method(self, *args, **kwargs)

    return run  # type: ignore[return-value]


class QRLoginFlow(Machine[QRLoginState]):
    """
    QR-code login as a state machine without I/O (core.telegram.org/api/qr-login).

    The client owns the connection: it calls :meth:`start`, carries out
    each action returned, and reports what happens through
    :meth:`on_response`, :meth:`on_rpc_error`, :meth:`on_update` and
    :meth:`on_timeout`, which return the next action:

    * :class:`Send`: send ``action.request`` to ``action.dc_id``;
    * :class:`ShowQR`: show ``action.url``; wait up to ``action.timeout``
      seconds for an update;
    * :class:`Wait`: nothing to do (an unrelated update, an early timer);
    * :class:`PasswordNeeded`, :class:`Done`, :class:`Failed`: the end
      (``action.final`` is True).

    The flow: ``auth.exportLoginToken`` → ``auth.loginToken`` (show it) →
    on expiry, or on ``updateLoginToken`` (bare, or in ``updateShort`` /
    ``updates`` / ``updatesCombined``), export again → the answer is
    ``auth.loginTokenSuccess`` (done), ``auth.loginTokenMigrateTo`` (send
    ``auth.importLoginToken`` on that DC; its answer is handled the same
    way), a new ``auth.loginToken`` (show it), ``401
    SESSION_PASSWORD_NEEDED`` (2FA hand-off) or another error (failed).
    An ``updateLoginToken`` that arrives while an export is pending makes
    the flow export once more as soon as that answer comes.

    Inputs the state does not allow (an answer with no request pending,
    an object that is not an ``auth.LoginToken``) raise
    :class:`~mtcore.exceptions.LoginFlowError` and leave the flow as it
    was; so do undecodable bytes (:class:`~mtcore.exceptions.TLDecodeError`).
    After a final action updates and timers give :class:`Wait`.
    A flow is safe to share between threads (each input is taken whole
    under a lock), though one per login attempt is the natural use.

    :param api_id: The application's api_id (checked as in
        :func:`export_login_token`).
    :param api_hash: The application's api_hash.
    :param except_ids: Ids of users already logged in on this client.
    :param dc_id: The DC the connection is on, if the client wants it
        named in the actions (else None until a migration).
    :param clock: The local clock, unix seconds (by default ``time.time``,
        looked up when the flow is made).
    :param clock_offset: ``server_time - local_time`` in seconds; the
        client may update :attr:`clock_offset` whenever it learns better.
    """

    def __init__(
        self,
        api_id: int,
        api_hash: str,
        except_ids: Iterable[int] = (),
        *,
        dc_id: int | None = None,
        clock: Callable[[], float] | None = None,
        clock_offset: float = 0.0,
    ) -> None:
        self._api_id = _check_api_id(api_id)
        self._api_hash = _check_api_hash(api_hash)
        self._except_ids = _check_except_ids(except_ids)
        if dc_id is not None:
            int_arg("dc_id", dc_id, 1, _INT32_MAX)
        self._clock = clock_arg(clock)
        self._clock_offset = number_arg("clock_offset", clock_offset)
        self._dc_id = dc_id
        super().__init__(QRLoginState.IDLE)  # re-entrant: on_response may call on_rpc_error
        self._login_token: LoginToken | None = None
        self._refresh_at = 0.0
        self._reexport = False

    def __repr__(self) -> str:
        return f"<QRLoginFlow {self._state.name} dc_id={self._dc_id}>"

    @property
    def dc_id(self) -> int | None:
        """
        The DC the flow talks to: the ``dc_id`` given, or the one named by
        ``auth.loginTokenMigrateTo``.
        """
        return self._dc_id

    @property
    def login_token(self) -> LoginToken | None:
        """
        The last token shown (None before the first).
        """
        return self._login_token

    @property
    def clock_offset(self) -> float:
        """
        ``server_time - local_time`` in seconds, used for the refresh time.
        """
        return self._clock_offset

    @clock_offset.setter
    def clock_offset(self, value: float) -> None:
        value = number_arg("clock_offset", value)
        with self._lock:
            self._clock_offset = value

    # inputs

    @_locked
    def start(self) -> Send:
        """
        Begin: the first ``auth.exportLoginToken``.

        :raises mtcore.exceptions.LoginFlowError: If the flow has started.
        """
        if self._state is not QRLoginState.IDLE:
            raise _errors.flow_state("start() called again", self._state.name)
        return self._export()

    @_locked
    def on_response(self, response: Any) -> Action:
        """
        The answer to the pending :class:`Send`.

        :param response: The ``auth.LoginToken`` as a decoded TL object, a
            result of :func:`parse_login_token`, or TL bytes; an
            ``rpc_result`` (whose ``req_msg_id`` the client has matched) is
            unwrapped, and an ``rpc_error`` goes to :meth:`on_rpc_error`.
        :raises mtcore.exceptions.LoginFlowError: If no request is pending,
            or the answer is not an ``auth.LoginToken``.
        :raises mtcore.exceptions.TLDecodeError: If the bytes do not decode.
        """
        pending = self._pending()
        obj = self._object("response", response)
        if getattr(obj, "tl_name", None) == "rpc_result":
            obj = obj.result
        name = getattr(obj, "tl_name", None)
        if name == "rpc_error":
            return self.on_rpc_error(obj.error_code, obj.error_message)
        if name not in _LOGIN_TOKEN_NAMES:
            raise _errors.flow_unexpected(obj, pending)
        answer = parse_login_token(obj)
        if isinstance(answer, LoginTokenSuccess):
            self._state = QRLoginState.DONE
            self._reexport = False
            return Done(authorization=answer.authorization, dc_id=self._dc_id)
        if not answer.token:
            raise _errors.flow_empty_token(answer.tl_name)
        if isinstance(answer, LoginTokenMigrateTo):
            request = import_login_token(answer.token)
            migrate = answer.dc_id != self._dc_id
            self._dc_id = answer.dc_id
            self._state = QRLoginState.IMPORTING
            self._reexport = False
            return Send(request, dc_id=self._dc_id, migrate=migrate)
        if self._reexport:
            # updateLoginToken came while this export was in flight: the
            # token it answers may predate the scan, so ask again.
            self._reexport = False
            return self._export()
        now = self._now()
        # As tdlib schedules it, but never past MAX_SHOW_SECONDS: a server
        # clock far ahead (or a hostile expires) must not park the flow.
        delay = min(
            max(answer.expires_timestamp - (now + self._clock_offset), 1.0),
            MAX_SHOW_SECONDS,
        )
        url = answer.url
        self._login_token = answer
        self._refresh_at = now + delay
        self._state = QRLoginState.SHOWING
        return ShowQR(
            login_token=answer, url=url, timeout=delay, refresh_at=now + delay
        )

    @_locked
    def on_rpc_error(self, error_code: int, error_message: str) -> Action:
        """
        The pending request failed with an RPC error.

        Libraries raise these as exceptions: Pyrogram's carry ``CODE`` and
        ``ID`` (the message); Telethon's ``RPCError`` carries ``code`` and
        ``message``, but its typed subclasses replace the message with a
        generic one, so catch ``SessionPasswordNeededError`` and pass
        :data:`SESSION_PASSWORD_NEEDED` yourself.

        :returns: :class:`PasswordNeeded` for ``SESSION_PASSWORD_NEEDED``
            (sent with code 401), else :class:`Failed`.
        :raises mtcore.exceptions.ArgumentTypeError: If error_code is not an
            int or error_message not a str.
        :raises mtcore.exceptions.LoginFlowError: If no request is pending.
        """
        if not isinstance(error_code, int) or isinstance(error_code, bool):
            raise _errors.not_int("error_code", error_code)
        if not isinstance(error_message, str):
            raise _errors.not_str("error_message", error_message)
        pending = self._pending()
        self._reexport = False
        # Telegram sends it with code 401; the message alone identifies it.
        if error_message == SESSION_PASSWORD_NEEDED:
            self._state = QRLoginState.PASSWORD_NEEDED
            return PasswordNeeded(
                dc_id=self._dc_id, request=tl.functions.account.getPassword()
            )
        self._state = QRLoginState.FAILED
        return Failed(
            error_code=int(error_code), error_message=error_message, request=pending
        )

    @_locked
    def on_update(self, update: Any) -> Action:
        """
        An update from the server; give it every update (or those that may
        hold ``updateLoginToken``): others give :class:`Wait`.

        :param update: An ``Update`` or ``Updates`` TL object, or its TL
            bytes (e.g. ``bytes()`` of another library's object).
        :returns: :class:`Send` (export again) when ``updateLoginToken``
            arrives while a token is shown, else :class:`Wait`.
        :raises mtcore.exceptions.ArgumentTypeError: If update is not an
            ``Update`` or ``Updates``.
        :raises mtcore.exceptions.TLDecodeError: If the bytes do not decode.
        """
        obj = self._object("update", update)
        if getattr(obj, "tl_type", None) not in ("Update", "Updates"):
            raise _errors.not_update("update", obj)
        if _holds_login_token_update(obj):
            if self._state is QRLoginState.SHOWING:
                return self._export()
            if self._state is QRLoginState.EXPORTING and self._login_token is not None:
                self._reexport = True
        return self._wait()

    @_locked
    def on_timeout(self) -> Action:
        """
        The timer of the last :class:`ShowQR` or :class:`Wait` expired.

        :returns: :class:`Send` (export again) if a token is shown and its
            refresh time has come; else :class:`Wait` (with the time left,
            for an early or stale timer).
        """
        if self._state is QRLoginState.SHOWING and self._now() >= self._refresh_at:
            return self._export()
        return self._wait()

    # helpers

    def _export(self) -> Send:
        request = tl.functions.auth.exportLoginToken(
            api_id=self._api_id,
            api_hash=self._api_hash,
            except_ids=list(self._except_ids),
        )
        self._state = QRLoginState.EXPORTING
        return Send(request, dc_id=self._dc_id)

    def _now(self) -> float:
        return number_arg("clock()", self._clock())

    def _pending(self) -> str:
        if self._state is QRLoginState.EXPORTING:
            return _EXPORT
        if self._state is QRLoginState.IMPORTING:
            return _IMPORT
        raise _errors.flow_state(
            "an answer came with no request pending", self._state.name
        )

    def _wait(self) -> Wait:
        if self._state is QRLoginState.SHOWING:
            return Wait(max(self._refresh_at - self._now(), 0.0))
        return Wait(None)

    @staticmethod
    def _object(name: str, value: Any) -> Any:
        if isinstance(value, (tl.TLObject, *_LOGIN_TOKEN_CLASSES)):
            return value
        raw = _tl_bytes_of(value)
        if raw is None:
            raise _errors.flow_not_tl(name, value)
        return tl.decode(raw)


def _tl_bytes_of(value: Any) -> Any:
    """
    The TL bytes of value: a bytes-like object itself, another library's
    TL object serialised (``bytes(obj)`` for Telethon's, ``obj.write()``
    for Pyrogram's), or None when value is none of these.
    """
    if isinstance(value, (str, int)):
        return None
    try:
        memoryview(value)
        return value
    except TypeError:
        pass
    if callable(getattr(type(value), "__bytes__", None)):
        return bytes(value)
    write = getattr(value, "write", None)
    if callable(write) and hasattr(type(value), "QUALNAME"):  # Pyrogram
        raw = write()
        return raw if isinstance(raw, bytes) else None
    return None


def _holds_login_token_update(obj: Any) -> bool:
    name = obj.tl_name
    if name == "updateLoginToken":
        return True
    if name == "updateShort":
        return obj.update.tl_name == "updateLoginToken"  # type: ignore[no-any-return]
    if name in ("updates", "updatesCombined"):
        return any(u.tl_name == "updateLoginToken" for u in obj.updates)
    return False



def __getattr__(name: str) -> Any:
    # telethon_qr_login and pyrogram_qr_login: the flow over a live Telethon
    # or Pyrogram connection (mtcore._qr_drive, which imports this module).
    if name in ("telethon_qr_login", "pyrogram_qr_login"):
        from mtcore import _qr_drive

        return getattr(_qr_drive, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
