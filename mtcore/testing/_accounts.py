"""
The cluster's shared state: accounts, QR-login tokens, exported
authorizations and uploaded files.  Plain data and the rules of each
(expiry, single use, bounds); no I/O.
"""

from __future__ import annotations

import base64
import hmac
import os
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from mtcore import _errors, srp, tl
from mtcore._dh import TELEGRAM_DH_PRIME
from mtcore.exceptions import RpcError

#: How long a login token lives, in seconds of the server clock (Telegram's
#: tokens expire about 30 s after they are issued, core.telegram.org/api/qr-login).
TOKEN_LIFETIME = 30
#: How long an exported authorization can be imported.
EXPORT_LIFETIME = 600

_KDF = "passwordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow"


class ManualClock:
    """
    A clock that moves only when told: pass it as ``clock=`` to a
    :class:`~mtcore.testing.TestCluster` and call :meth:`advance` to expire
    login tokens without waiting.

    :param start: The unix time it starts at (default: now).
    """

    __slots__ = ("now",)

    def __init__(self, start: Optional[float] = None) -> None:
        self.now = time.time() if start is None else float(start)

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """
        Move the clock forward by ``seconds``.
        """
        self.now += seconds

    def __repr__(self) -> str:
        return f"ManualClock({self.now!r})"


def password_algo(rng: Callable[[int], bytes] = os.urandom) -> Any:
    """
    A fresh password algorithm (Telegram's one KDF, the key exchange's
    prime, g = 3, random salts), as ``account.password`` carries it.
    """
    kdf = getattr(tl.types, _KDF)
    return kdf(salt1=rng(40), salt2=rng(16), g=3, p=TELEGRAM_DH_PRIME.to_bytes(256, "big"))


#: The attributes of an :class:`Account` that its ``user`` object shows
#: as they are, under the same names.
_USER_FIELDS = ("id", "access_hash", "first_name", "last_name", "username", "phone")


class Account:
    """
    A user of the test cluster.  Make one with
    :meth:`~mtcore.testing.TestCluster.add_user`.

    :ivar id: The user id.
    :ivar dc: The home DC: where a QR login ends (``loginTokenMigrateTo``
        from the others) and where the user's own RPCs are served.
    :ivar first_name: Its names, username and phone, as ``user`` shows them.
    :ivar has_password: Whether logging in needs a 2FA password.
    :ivar bot_token: A bot's token for ``auth.importBotAuthorization``
        (``"<id>:<secret>"``, as BotFather gives them), None for a user.
    """

    __slots__ = (
        "_srp",
        "access_hash",
        "bot_token",
        "dc",
        "first_name",
        "hint",
        "id",
        "last_name",
        "phone",
        "username",
    )

    def __init__(
        self,
        user_id: int,
        dc: int,
        first_name: str,
        last_name: Optional[str],
        username: Optional[str],
        phone: Optional[str],
        password: Optional[str],
        hint: Optional[str],
        rng: Callable[[int], bytes],
        bot: bool = False,
    ) -> None:
        self.id = user_id
        self.bot_token: Optional[str] = None
        if bot:
            secret = base64.urlsafe_b64encode(rng(26)).decode("ascii").rstrip("=")
            self.bot_token = f"{user_id}:{secret}"
        self.dc = dc
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.phone = phone
        self.hint = hint
        self.access_hash = int.from_bytes(rng(8), "little", signed=True)
        self._srp: Optional[srp.ServerSession] = None
        if password is not None:
            algo = password_algo(rng)
            # The verifier costs one PBKDF2 (about 0.1 s), once per account.
            verifier = srp.make_verifier(password, algo)
            self._srp = srp.ServerSession(verifier, algo, hint=hint, rng=rng)

    @property
    def has_password(self) -> bool:
        return self._srp is not None

    @property
    def is_bot(self) -> bool:
        return self.bot_token is not None

    def __repr__(self) -> str:
        kind = ", bot" if self.is_bot else ", 2FA" if self.has_password else ""
        return f"<Account {self.id} {self.first_name!r} on DC {self.dc}{kind}>"

    def to_tl(self, *, is_self: bool = False) -> Any:
        """
        The account as a ``user`` object (``self`` set for its own sessions).
        """
        return tl.types.user(
            self=is_self,
            **{name: getattr(self, name) for name in _USER_FIELDS},
            status=tl.types.userStatusRecently(),
            bot=self.is_bot,
            bot_info_version=1 if self.is_bot else None,
        )

    def password_info(self, rng: Callable[[int], bytes] = os.urandom) -> Any:
        """
        ``account.password`` for ``account.getPassword``: a fresh SRP
        challenge with a password, the algorithms to set one without.
        """
        if self._srp is not None:
            return self._srp.password()
        return tl.types.account.password(
            new_algo=password_algo(rng),
            new_secure_algo=tl.types.securePasswordKdfAlgoPBKDF2HMACSHA512iter100000(salt=rng(8)),
            secure_random=rng(32),
        )

    def check_password(self, check: Any) -> None:
        """
        Check ``auth.checkPassword``'s ``password``.

        :raises mtcore.exceptions.RpcError: ``PASSWORD_HASH_INVALID`` (wrong,
            or no password set) or ``SRP_ID_INVALID`` (an unknown or used
            ``srp_id``), as Telegram answers.
        """
        from mtcore.exceptions import PasswordHashInvalid, SecurityError, SRPIdInvalid

        if self._srp is None:
            raise RpcError(400, "PASSWORD_HASH_INVALID")
        try:
            self._srp.verify(check)
        except SRPIdInvalid:
            raise RpcError(400, "SRP_ID_INVALID") from None
        except (PasswordHashInvalid, SecurityError):
            raise RpcError(400, "PASSWORD_HASH_INVALID") from None


@dataclass
class LoginToken:
    """
    One token of ``auth.exportLoginToken``, or of ``loginTokenMigrateTo``
    (``migrate``: importable on the user's DC only).
    """

    token: bytes
    dc: int  # the DC that issued it
    key_id: bytes  # the auth key that asked for it (its sessions get the update)
    expires: int
    except_ids: frozenset[int] = frozenset()
    user: Optional[Account] = None  # who accepted it (or whom it migrates)
    migrate: bool = False


@dataclass
class _Exported:
    user: Account
    dc: int
    data: bytes
    expires: float


@dataclass
class Store:
    """
    What the DCs of a cluster share.  Every table is bounded: the oldest
    entries go first.
    """

    clock: Callable[[], float]
    rng: Callable[[int], bytes] = os.urandom
    max_tokens: int = 4096
    max_file_bytes: int = 64 << 20
    accounts: dict[int, Account] = field(default_factory=dict)
    tokens: OrderedDict[bytes, LoginToken] = field(default_factory=OrderedDict)
    exported: OrderedDict[int, _Exported] = field(default_factory=OrderedDict)
    # (dc, file_id) -> its parts, and the size of all parts kept.
    files: OrderedDict[tuple[int, int], _Upload] = field(default_factory=OrderedDict)
    file_bytes: int = 0

    # accounts -------------------------------------------------------------------

    def account(self, user: Any) -> Account:
        """
        An account given as itself or its id.
        """
        if isinstance(user, Account):
            if self.accounts.get(user.id) is not user:
                raise _errors.testing_unknown_user(user.id)
            return user
        if not isinstance(user, int) or isinstance(user, bool):
            raise _errors.testing_user_type("user", user)
        found = self.accounts.get(user)
        if found is None:
            raise _errors.testing_unknown_user(user)
        return found

    # login tokens ------------------------------------------------------------------

    def issue(self, dc: int, key_id: bytes, *, except_ids: frozenset[int] = frozenset(),
              user: Optional[Account] = None) -> LoginToken:
        """
        A new token: a fresh one for ``key_id``, or (with ``user``) the
        token of ``loginTokenMigrateTo``.
        """
        now = self.clock()
        for old in [t for t in self.tokens.values() if t.expires <= now]:
            del self.tokens[old.token]
        tok = LoginToken(
            token=self.rng(32),
            dc=dc,
            key_id=key_id,
            expires=int(now) + TOKEN_LIFETIME,
            except_ids=except_ids,
            user=user,
            migrate=user is not None,
        )
        self.tokens[tok.token] = tok
        while len(self.tokens) > self.max_tokens:
            self.tokens.popitem(last=False)
        return tok

    def token(self, token: bytes) -> LoginToken:
        """
        A live token.

        :raises mtcore.exceptions.RpcError: ``AUTH_TOKEN_INVALID`` (never
            issued, or used) or ``AUTH_TOKEN_EXPIRED``.
        """
        tok = self.tokens.get(bytes(token))
        if tok is None:
            raise RpcError(400, "AUTH_TOKEN_INVALID")
        if tok.expires <= self.clock():
            del self.tokens[tok.token]
            raise RpcError(400, "AUTH_TOKEN_EXPIRED")
        return tok

    def accept(self, token: bytes, user: Account) -> LoginToken:
        """
        ``user`` accepts a token (the phone scanning the QR code).

        :raises mtcore.exceptions.RpcError: as :meth:`token`, and
            ``AUTH_TOKEN_ALREADY_ACCEPTED``; ``AUTH_TOKEN_EXCEPTION`` when the
            user is in the token's ``except_ids`` (already logged in there).
        """
        tok = self.token(token)
        if tok.migrate:
            raise RpcError(400, "AUTH_TOKEN_INVALID")
        if tok.user is not None:
            raise RpcError(400, "AUTH_TOKEN_ALREADY_ACCEPTED")
        if user.id in tok.except_ids:
            raise RpcError(400, "AUTH_TOKEN_EXCEPTION")
        tok.user = user
        return tok

    def consume(self, tok: LoginToken) -> None:
        self.tokens.pop(tok.token, None)

    # exported authorizations -----------------------------------------------------------

    def export(self, user: Account, dc: int) -> tuple[int, bytes]:
        now = self.clock()
        for key in [k for k, e in self.exported.items() if e.expires <= now]:
            del self.exported[key]
        ident = int.from_bytes(self.rng(8), "little", signed=True)
        data = self.rng(32)
        self.exported[ident] = _Exported(user, dc, data, now + EXPORT_LIFETIME)
        while len(self.exported) > self.max_tokens:
            self.exported.popitem(last=False)
        return ident, data

    def import_(self, ident: int, data: bytes, dc: int) -> Account:
        """
        :raises mtcore.exceptions.RpcError: ``AUTH_BYTES_INVALID`` unless the
            pair was exported for ``dc``, not used yet and not expired.
        """
        entry = self.exported.get(ident)
        if (
            entry is None
            or entry.dc != dc
            or entry.expires <= self.clock()
            or not hmac.compare_digest(entry.data, bytes(data))
        ):
            raise RpcError(400, "AUTH_BYTES_INVALID")
        del self.exported[ident]
        return entry.user

    # files -------------------------------------------------------------------------------

    def save_part(self, dc: int, file_id: int, part: int, data: bytes) -> None:
        upload = self.files.get((dc, file_id))
        if upload is None:
            upload = self.files[(dc, file_id)] = _Upload()
        self.file_bytes += len(data) - len(upload.parts.get(part, b""))
        upload.parts[part] = data
        upload.joined = None
        while self.file_bytes > self.max_file_bytes and self.files:
            _, dropped = self.files.popitem(last=False)
            self.file_bytes -= sum(map(len, dropped.parts.values()))

    def file(self, file_id: int) -> Optional[tuple[int, bytes]]:
        """
        The DC and the bytes of an uploaded file (its parts in order), if
        any DC has it.
        """
        for (dc, fid), upload in self.files.items():
            if fid == file_id:
                if upload.joined is None:
                    upload.joined = b"".join(upload.parts[i] for i in sorted(upload.parts))
                return dc, upload.joined
        return None


class _Upload:
    __slots__ = ("joined", "parts")

    def __init__(self) -> None:
        self.parts: dict[int, bytes] = {}
        self.joined: Optional[bytes] = None
