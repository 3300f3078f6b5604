"""
The 2FA password check (SRP, core.telegram.org/api/srp), both sides.

The client: :func:`compute_check` turns the ``account.password`` that
``account.getPassword`` returns and the user's password into the
``InputCheckPasswordSRP`` that ``auth.checkPassword`` sends (the QR login's
:class:`~mtcore.login.PasswordNeeded` hands over here).
:func:`make_verifier` gives ``new_password_hash`` when a password is set
(with the salts of :func:`new_password_algo`).

The server: :func:`make_verifier` is also the verifier ``v`` a server
stores, and :class:`ServerSession` issues ``account.password`` (``srp_B``,
``srp_id``) and checks an ``InputCheckPasswordSRP`` against it.

Only ``passwordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow``
exists; any other algorithm raises
:class:`~mtcore.exceptions.UnsupportedPasswordAlgorithm`.  ``p`` and ``g``
are checked as in the key exchange (:func:`mtcore.handshake.check_dh_params`),
``srp_B`` and the values derived from it as the page asks.

The password, its hashes and the exponents are Python objects that
cannot be wiped.  The exponentiations with a secret exponent run in the
backend's ``modexp`` (in C, constant-time in the exponent; the pure twin's
``pow`` is not), the rest of the arithmetic in CPython.  The server
compares the proof ``M1`` in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from collections import OrderedDict
from typing import Any, NamedTuple

from mtcore import _dh, _errors, tl
from mtcore._args import draw, int_at_least, rng_arg
from mtcore.hashes import sha256

__all__ = [
    "KDF_ALGO",
    "ServerSession",
    "compute_check",
    "make_verifier",
    "new_password_algo",
    "password_hash",
]

#: The name of the one password algorithm Telegram uses.
KDF_ALGO = "passwordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow"
_KDF_ALGO_ID = 0x3A912D4A
_PBKDF2_ITERATIONS = 100000
_SIZE = 256  # numbers are hashed left-padded to 256 bytes
_MAX_DRAWS = 16
_INT64 = (-(1 << 63), (1 << 63) - 1)


class _Algo(NamedTuple):
    salt1: bytes
    salt2: bytes
    g: int
    p: int


def _pad(n: int) -> bytes:
    # A number as 256 big-endian bytes, left-padded with zeros.
    return n.to_bytes(_SIZE, "big")


def _constructor_id(obj: Any) -> int | None:
    # The constructor number of a TL object of mtcore, Telethon or Pyrogram.
    for attr in ("tl_id", "CONSTRUCTOR_ID", "ID"):
        cid = getattr(obj, attr, None)
        if isinstance(cid, int):
            return cid & 0xFFFFFFFF
    return None


def _bytes_field(name: str, obj: Any, field: str) -> bytes:
    value = getattr(obj, field, None)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    raise _errors.srp_missing(name, field, obj)


def _int_field(name: str, obj: Any, field: str) -> int:
    value = getattr(obj, field, None)
    if isinstance(value, int) and not isinstance(value, bool):
        return int(value)
    raise _errors.srp_missing(name, field, obj)


def _algo(obj: Any, name: str = "algo") -> _Algo:
    # A passwordKdfAlgo... object of any library, or its TL bytes.
    if isinstance(obj, (bytes, bytearray, memoryview)):
        obj = tl.decode(obj, type="PasswordKdfAlgo")
    if _constructor_id(obj) != _KDF_ALGO_ID:
        label = getattr(obj, "tl_name", None) or type(obj).__name__
        raise _errors.srp_algo(label)
    return _Algo(
        _bytes_field(name, obj, "salt1"),
        _bytes_field(name, obj, "salt2"),
        _int_field(name, obj, "g"),
        int.from_bytes(_bytes_field(name, obj, "p"), "big"),
    )


def _password_bytes(password: Any) -> bytes:
    if isinstance(password, str):
        try:
            return password.encode("utf-8")
        except UnicodeEncodeError as exc:  # a lone surrogate
            raise _errors.not_utf8("password", exc.start) from None
    if isinstance(password, (bytes, bytearray, memoryview)):
        return bytes(password)
    raise _errors.srp_password_type("password", password)


def _x(password: bytes, algo: _Algo) -> int:
    # SH(data, salt) := H(salt | data | salt)
    # PH1(password, salt1, salt2) := SH(SH(password, salt1), salt2)
    ph1 = sha256(algo.salt2, sha256(algo.salt1, password, algo.salt1), algo.salt2)
    # PH2(password, salt1, salt2) :=
    #     SH(pbkdf2(sha512, PH1(password, salt1, salt2), salt1, 100000), salt2)
    kdf = hashlib.pbkdf2_hmac("sha512", ph1, algo.salt1, _PBKDF2_ITERATIONS)
    # x := PH2(password, salt1, salt2)
    return int.from_bytes(sha256(algo.salt2, kdf, algo.salt2), "big")


def _k(algo: _Algo) -> int:
    # k := H(p | g)
    return int.from_bytes(sha256(_pad(algo.p), _pad(algo.g)), "big")


def _u(g_a: int, g_b: int) -> int:
    # u := H(g_a | g_b)
    return int.from_bytes(sha256(_pad(g_a), _pad(g_b)), "big")


def _m1(algo: _Algo, g_a: int, g_b: int, s: int) -> bytes:
    # k_a := H(s_a)
    k_a = sha256(_pad(s))
    # M1 := H(H(p) xor H(g) | H(salt1) | H(salt2) | g_a | g_b | k_a)
    h_p, h_g = sha256(_pad(algo.p)), sha256(_pad(algo.g))
    xored = (int.from_bytes(h_p, "big") ^ int.from_bytes(h_g, "big")).to_bytes(
        32, "big"
    )
    return sha256(
        xored, sha256(algo.salt1), sha256(algo.salt2), _pad(g_a), _pad(g_b), k_a
    )


def _proof(algo: _Algo, x: int, g_b: int, a: int) -> tuple[bytes, bytes]:
    # The client's A (padded) and M1 for the exponent a (no checks: the
    # deterministic core, also run on the toy vectors).
    p, g = algo.p, algo.g
    # g_a := pow(g, a) mod p
    g_a = _dh.modexp(g, a, p)
    u = _u(g_a, g_b)
    # k_v := (k * v) mod p;  t := (g_b - k_v) mod p
    t = (g_b - _k(algo) * _dh.modexp(g, x, p)) % p
    # s_a := pow(t, a + u * x) mod p
    s_a = _dh.modexp(t, a + u * x, p)
    return _pad(g_a), _m1(algo, g_a, g_b, s_a)


def password_hash(password: str | bytes, algo: Any) -> bytes:
    """
    ``PH2``, the 32-byte password hash whose number is SRP's ``x`` (about
    0.1 s: 100,000 rounds of PBKDF2-HMAC-SHA512, hashlib's).

    :param password: The password: a str (hashed as UTF-8) or bytes.
    :param algo: The password's algorithm object (of mtcore, Telethon or
        Pyrogram: :data:`KDF_ALGO`, with salt1, salt2, g and p) or its TL
        bytes.
    :raises mtcore.exceptions.UnsupportedPasswordAlgorithm: For another algo.
    """
    return _x(_password_bytes(password), _algo(algo)).to_bytes(32, "big")


def make_verifier(password: str | bytes, algo: Any) -> bytes:
    """
    ``v = g^x mod p`` as 256 bytes: the ``new_password_hash`` a client sends
    when it sets a password (``algo`` from :func:`new_password_algo`), and
    the verifier a server keeps (for :class:`ServerSession`).

    :param password: The password: a str (hashed as UTF-8) or bytes.
    :param algo: As for :func:`password_hash`; its p and g are checked.
    :raises mtcore.exceptions.UnsupportedPasswordAlgorithm: For another algo.
    :raises mtcore.exceptions.DHParamsError: If p or g fails its check.
    """
    a = _algo(algo)
    _dh.check_dh_params(a.p, a.g, "p")
    return _pad(_dh.modexp(a.g, _x(_password_bytes(password), a), a.p))


def new_password_algo(new_algo: Any, *, rng: Any = None) -> Any:
    """
    The algorithm to set a new password with: ``account.password.new_algo``
    with 32 random bytes appended to its ``salt1``, as
    core.telegram.org/api/srp ("Setting a new 2FA password") asks.

    :param new_algo: ``new_algo`` of ``account.password`` (any library's
        object, or its TL bytes).
    :param rng: ``rng(n) -> n bytes`` (default ``os.urandom``).
    :returns: The mtcore TL object, for :func:`make_verifier` and
        ``account.passwordInputSettings.new_algo``.
    """
    a = _algo(new_algo, "new_algo")
    rng = rng_arg(rng)
    return tl.types.passwordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow(
        salt1=a.salt1 + draw(rng, 32),
        salt2=a.salt2,
        g=a.g,
        p=a.p.to_bytes(_SIZE, "big"),
    )


def _password_info(info: Any) -> Any:
    if isinstance(info, (bytes, bytearray, memoryview)):
        return tl.decode(info, type="account.Password")
    if not hasattr(info, "current_algo"):
        raise _errors.srp_missing("password_info", "current_algo", info)
    return info


def compute_check(password_info: Any, password: str | bytes, *, rng: Any = None) -> Any:
    """
    The SRP proof for ``auth.checkPassword`` (core.telegram.org/api/srp).

    :param password_info: The ``account.password`` of
        ``account.getPassword``: a TL object of mtcore, Telethon or Pyrogram
        (anything with ``current_algo``, ``srp_B`` and ``srp_id``), or its
        TL bytes.
    :param password: The user's password: a str (hashed as UTF-8) or bytes.
    :param rng: ``rng(n) -> n bytes`` (default ``os.urandom``), called for
        the 256-byte secret ``a`` (again while ``g^a`` is out of range or
        ``u`` is 0).
    :returns: ``inputCheckPasswordSRP(srp_id, A, M1)`` as an mtcore TL
        object (``bytes()`` of it, or its fields, for other libraries); or
        ``inputCheckPasswordEmpty`` when the account has no password
        (``current_algo`` is not set).
    :raises mtcore.exceptions.UnsupportedPasswordAlgorithm: current_algo is
        another algorithm (``passwordKdfAlgoUnknown``: update the app).
    :raises mtcore.exceptions.DHParamsError: p or g fails its check, or
        ``srp_B`` (or ``srp_B - k*v``) is out of range.
    """
    info = _password_info(password_info)
    if info.current_algo is None:
        return tl.types.inputCheckPasswordEmpty()
    algo = _algo(info.current_algo, "current_algo")
    srp_b = _bytes_field("password_info", info, "srp_B")
    srp_id = _int_field("password_info", info, "srp_id")
    if not _INT64[0] <= srp_id <= _INT64[1]:
        raise _errors.out_of_range("srp_id", _INT64[0], _INT64[1], srp_id)
    secret = _password_bytes(password)
    rng = rng_arg(rng)
    p, g = algo.p, algo.g
    _dh.check_dh_params(p, g, "p")
    g_b = int.from_bytes(srp_b, "big")
    if not 0 < g_b < p:
        raise _errors.srp_b_range()
    x = _x(secret, algo)
    # t := (g_b - k*v) mod p is the server's g^b: held to the key
    # exchange's range, as tdesktop and Telethon do.
    _dh.check_dh_range(
        "srp_B - k*v mod p", (g_b - _k(algo) * _dh.modexp(g, x, p)) % p, p
    )
    for _ in range(_MAX_DRAWS):
        a = int.from_bytes(draw(rng, _SIZE), "big")
        g_a = _dh.modexp(g, a, p)
        if _dh.in_range(g_a, p) and _u(g_a, g_b):
            big_a, m1 = _proof(algo, x, g_b, a)
            return tl.types.inputCheckPasswordSRP(srp_id=srp_id, A=big_a, M1=m1)
    raise _errors.rng_stuck("exponents a", _MAX_DRAWS)


class ServerSession:
    """
    The server side of SRP for one account's password: it issues
    ``account.password`` (each with a new ``srp_B`` and ``srp_id``) and
    checks the ``InputCheckPasswordSRP`` of ``auth.checkPassword``.

    Each ``srp_id`` can be checked once, right or wrong; the last
    ``max_pending`` issued are kept.  Safe to share between threads.

    :param verifier: The 256-byte ``v`` of :func:`make_verifier` (what a
        server stores instead of the password).
    :param algo: The password's algorithm object (salts, g, p), as given
        to :func:`make_verifier`.
    :param hint: The password hint ``account.password`` carries, if any.
    :param rng: ``rng(n) -> n bytes`` (default ``os.urandom``).
    :param max_pending: How many issued srp_ids are remembered.
    """

    def __init__(
        self,
        verifier: bytes,
        algo: Any,
        *,
        hint: str | None = None,
        rng: Any = None,
        max_pending: int = 8,
    ) -> None:
        self._algo = _algo(algo)
        _dh.check_dh_params(self._algo.p, self._algo.g, "p")
        if not isinstance(verifier, (bytes, bytearray, memoryview)):
            raise _errors.not_buffer("verifier", verifier)
        if len(verifier) != _SIZE:
            raise _errors.bad_length("verifier", _SIZE, len(verifier))
        self._v = int.from_bytes(verifier, "big")
        if not 1 < self._v < self._algo.p:
            raise _errors.srp_verifier_range()
        if hint is not None and not isinstance(hint, str):
            raise _errors.not_str("hint", hint)
        self._hint = hint
        self._rng = rng_arg(rng)
        self._max_pending = int_at_least("max_pending", max_pending, 1)
        self._pending: OrderedDict[int, tuple[int, int]] = OrderedDict()
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<srp.ServerSession pending={len(self._pending)}>"

    def password(self) -> Any:
        """
        A new ``account.password`` for ``account.getPassword``: this
        password's algorithm, a fresh ``srp_B = k*v + g^b mod p`` and
        ``srp_id``, the hint, and fresh ``new_algo`` salts.

        :returns: The mtcore TL object (``bytes()`` of it is the answer).
        """
        algo, p, g = self._algo, self._algo.p, self._algo.g
        for _ in range(_MAX_DRAWS):
            b = int.from_bytes(draw(self._rng, _SIZE), "big")
            g_b = _dh.modexp(g, b, p)
            # B := k*v + g^b mod p
            big_b = (_k(algo) * self._v + g_b) % p
            if _dh.in_range(g_b, p) and _dh.in_range(big_b, p):
                break
        else:
            raise _errors.rng_stuck("exponents b", _MAX_DRAWS)
        with self._lock:
            srp_id = int.from_bytes(draw(self._rng, 8), "little", signed=True)
            while srp_id in self._pending:
                srp_id = int.from_bytes(draw(self._rng, 8), "little", signed=True)
            self._pending[srp_id] = (b, big_b)
            while len(self._pending) > self._max_pending:
                self._pending.popitem(last=False)
        kdf = tl.types.passwordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow
        return tl.types.account.password(
            has_password=True,
            current_algo=kdf(salt1=algo.salt1, salt2=algo.salt2, g=g, p=_pad(p)),
            srp_B=_pad(big_b),
            srp_id=srp_id,
            hint=self._hint,
            new_algo=kdf(
                salt1=draw(self._rng, 8), salt2=draw(self._rng, 16), g=g, p=_pad(p)
            ),
            new_secure_algo=tl.types.securePasswordKdfAlgoPBKDF2HMACSHA512iter100000(
                salt=draw(self._rng, 8)
            ),
            secure_random=draw(self._rng, 32),
        )

    def verify(self, check: Any) -> None:
        """
        Check the ``password`` of ``auth.checkPassword``.

        :param check: An ``inputCheckPasswordSRP`` (a TL object of any
            library, or its TL bytes).
        :raises mtcore.exceptions.SRPIdInvalid: Its srp_id was not issued by
            :meth:`password`, or was checked before.
        :raises mtcore.exceptions.PasswordHashInvalid: The password is wrong
            (M1 compared in constant time), or the check is
            ``inputCheckPasswordEmpty``.
        :raises mtcore.exceptions.DHRangeError: ``A`` is out of range.
        """
        if isinstance(check, (bytes, bytearray, memoryview)):
            check = tl.decode(check, type="InputCheckPasswordSRP")
        if _constructor_id(check) == 0x9880F658:  # inputCheckPasswordEmpty
            raise _errors.srp_hash_invalid()
        srp_id = _int_field("check", check, "srp_id")
        big_a = _bytes_field("check", check, "A")
        m1 = _bytes_field("check", check, "M1")
        with self._lock:
            entry = self._pending.pop(srp_id, None)
        if entry is None:
            raise _errors.srp_id_invalid(srp_id)
        b, big_b = entry
        algo, p = self._algo, self._algo.p
        g_a = int.from_bytes(big_a, "big")
        _dh.check_dh_range("A", g_a, p)
        u = _u(g_a, big_b)
        # S := (A * v^u)^b mod p, the client's s_a when the password is right
        s = _dh.modexp(g_a * _dh.modexp(self._v, u, p) % p, b, p)
        if not hmac.compare_digest(_m1(algo, g_a, big_b, s), m1) or u == 0:
            raise _errors.srp_hash_invalid()
