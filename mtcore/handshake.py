"""
The auth key exchange (core.telegram.org/mtproto/auth_key), both sides,
as state machines without I/O.

:class:`ClientHandshake` creates an auth key with a server: ``start()``
gives the first message to send, and ``receive(message)`` takes each
answer and gives the next message, until it returns the
:class:`AuthKeyResult` (the key, the first server salt, the clock offset).
:class:`ServerHandshake` is the other side: ``receive(message)`` takes each
client message and gives the answer; once it has sent ``dh_gen_ok`` its
:attr:`~ServerHandshake.result` holds the same key.  Both check every field
of every message as core.telegram.org/mtproto/security_guidelines asks
(nonces, hashes, fingerprints, the DH prime and generator, the range of
g_a and g_b), raising a :class:`~mtcore.exceptions.SecurityError` subclass
that names the check.

Messages are whole unencrypted MTProto messages (auth_key_id 0, msg_id,
length, body: core.telegram.org/mtproto/description, "Unencrypted
Message"), framed and unframed by the transport.

Temporary keys (perfect forward secrecy, core.telegram.org/api/pfs): a
client given ``expires_in`` sends ``p_q_inner_data_temp_dc``; once it has
both keys, :func:`bind_temp_auth_key_message` builds the
``auth.bindTempAuthKey`` request, and :func:`verify_bind_temp_auth_key` is
the server's check of it.

RSA: :class:`RSAPublicKey` (from PEM or numbers, with the fingerprint the
server lists in ``resPQ``), :data:`PRODUCTION_KEYS` and :data:`TEST_KEYS`
(bundled), :func:`rsa_pad` (RSA_PAD, the only padding the client sends)
and :class:`RSAPrivateKey` for servers, which accept RSA_PAD and the legacy
SHA-1 padding that Telethon and Pyrogram still send.

Big numbers live in Python ints: the secret exponents and the auth key
cannot be wiped from memory.  The exponentiations with a secret exponent
run in C, in time independent of the exponent (the compiled backend's
``modexp``; the pure twin uses ``pow``, which is not constant-time); the
other arithmetic on them is CPython's.  The objects drop their references
to the temporaries once the exchange ends, which is all Python allows.
"""

from __future__ import annotations

import enum
import functools
import hmac
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from mtcore import _dh, _errors, tl
from mtcore._args import Rng, clock_arg, draw, int_arg, number_arg, rng_arg
from mtcore._machine import Machine
from mtcore._dh import TELEGRAM_DH_PRIME as TELEGRAM_DH_PRIME
from mtcore._dh import check_dh_params as check_dh_params
from mtcore._dh import check_dh_range as check_dh_range
from mtcore._typing import Buffer
from mtcore.aes import ige_decrypt, ige_encrypt
from mtcore.auth import factorize_pq
from mtcore.exceptions import HandshakeStateError, TLDecodeError
from mtcore.hashes import sha1, sha256
from mtcore.mtproto import AuthKey, new_nonce_hash, tmp_aes_key_iv

__all__ = [
    "PRODUCTION_KEYS",
    "TELEGRAM_DH_PRIME",
    "TEST_KEYS",
    "AuthKeyResult",
    "ClientHandshake",
    "HandshakeState",
    "RSAPrivateKey",
    "RSAPublicKey",
    "ServerHandshake",
    "bind_temp_auth_key_message",
    "check_dh_params",
    "check_dh_range",
    "rsa_pad",
    "verify_bind_temp_auth_key",
]

_INT32_MAX = (1 << 31) - 1
_UINT64 = 1 << 64
_PLAIN = struct.Struct("<qqi")  # auth_key_id, msg_id, message_data_length
_TEST_DC_OFFSET = 10000  # dc of a test server (core.telegram.org/mtproto/auth_key)
_MAX_RETRIES = 5  # dh_gen_retry answers a client follows before giving up
_MAX_DRAWS = 16  # exponents drawn before an rng is deemed broken

# Constructor numbers of what is read by hand (core.telegram.org/mtproto/auth_key).
_REQ_PQ = ("req_pq_multi", "req_pq")
_P_Q_INNER_DATA = {
    0x83C95AEC: "p_q_inner_data",
    0xA9F55F95: "p_q_inner_data_dc",
    0x3C6A84D4: "p_q_inner_data_temp",
    0x56FDDF88: "p_q_inner_data_temp_dc",
}
_SERVER_DH_INNER_DATA = 0xB5890DBA
_CLIENT_DH_INNER_DATA = 0x6643B654
_BIND_AUTH_KEY_INNER = 0x75A3F765


def _now(clock: Callable[[], float]) -> float:
    # A reading of the caller's clock, checked.
    return number_arg("clock()", clock())


def _msg_id(value: Any, from_client: bool) -> int:
    # A msg_id of new_msg_id(), checked: an int64, divisible by 4 from a
    # client, odd from a server.
    msg_id = int_arg("new_msg_id()", value, -(1 << 63), (1 << 63) - 1)
    if (msg_id % 4 != 0) if from_client else (msg_id % 2 != 1):
        raise _errors.pack_msg_id(msg_id, from_client)
    return msg_id


def _be(n: int) -> bytes:
    # The minimal big-endian bytes of n >= 0 (the key exchange's big numbers).
    return n.to_bytes((n.bit_length() + 7) // 8, "big")


def _tl_bytes(data: bytes) -> bytes:
    w = tl.Writer()
    w.write_bytes(data)
    return w.getvalue()


def _long_le(data: bytes) -> int:
    # 8 bytes read as a TL long (signed, little-endian).
    return int.from_bytes(data, "little", signed=True)


def _bytes_of(name: str, obj: Any) -> bytes:
    # A bytes-like argument as bytes (a str is refused, not encoded).
    if isinstance(obj, bytes):
        return obj
    try:
        with memoryview(obj) as view:
            return view.tobytes()
    except TypeError:
        raise _errors.not_buffer(name, obj) from None


def _xor(a: bytes, b: bytes) -> bytes:
    return (int.from_bytes(a, "big") ^ int.from_bytes(b, "big")).to_bytes(len(a), "big")


# --- RSA ----------------------------------------------------------------------


def _cryptography() -> tuple[Any, Any]:
    # PEM files and new keys are cryptography's work (the 'rsa' extra; the
    # exchange itself needs only the numbers).
    try:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
    except ImportError:
        raise _errors.missing_extra(
            "RSA keys from PEM text and new RSA keys", "cryptography", "rsa"
        ) from None
    return serialization, rsa


class RSAPublicKey:
    """
    An RSA public key of Telegram's servers: a 2048-bit modulus ``n`` and
    the exponent ``e``.

    :attr:`fingerprint` is what ``resPQ`` lists and ``req_DH_params``
    names: the low 64 bits of SHA-1 of the bare TL ``rsa_public_key n:bytes
    e:bytes`` (big-endian numbers), read as a TL ``long``
    (core.telegram.org/mtproto/auth_key, "Presenting proof of work").

    :param n: The modulus, 2048 bits.
    :param e: The public exponent: odd, 3 or more, less than ``n``.
    """

    __slots__ = ("_e", "_fingerprint", "_n")

    def __init__(self, n: int, e: int) -> None:
        n = int_arg("n", n, 0, (1 << 2048) - 1)
        if n.bit_length() != 2048:
            raise _errors.rsa_key_bits(n.bit_length())
        e = int_arg("e", e, 0, n)
        if e < 3 or not e & 1 or e >= n:
            raise _errors.rsa_exponent()
        self._n = n
        self._e = e
        digest = sha1(_tl_bytes(_be(n)), _tl_bytes(_be(e)))
        self._fingerprint = _long_le(digest[12:20])

    @classmethod
    def from_pem(cls, pem: str | bytes) -> RSAPublicKey:
        """
        Load a key from PEM text: ``-----BEGIN RSA PUBLIC KEY-----`` (PKCS #1,
        as Telegram publishes its keys) or ``-----BEGIN PUBLIC KEY-----``
        (SubjectPublicKeyInfo).  ``cryptography`` parses it.

        :raises mtcore.exceptions.ArgumentTypeError: If pem is not str or bytes.
        :raises mtcore.exceptions.ArgumentValueError: If it is not a PEM RSA
            public key with a 2048-bit modulus.
        """
        serialization, rsa = _cryptography()

        data = _pem_bytes("pem", pem, "RSAPublicKey")
        try:
            key = serialization.load_pem_public_key(data)
        except (ValueError, TypeError) as exc:
            raise _errors.rsa_pem("RSA public key", _pem_reason(exc)) from None
        if not isinstance(key, rsa.RSAPublicKey):
            raise _errors.rsa_pem("RSA public key", f"it holds a {type(key).__name__}")
        numbers = key.public_numbers()
        return cls(numbers.n, numbers.e)

    @property
    def n(self) -> int:
        """
        The modulus.
        """
        return self._n

    @property
    def e(self) -> int:
        """
        The public exponent.
        """
        return self._e

    @property
    def fingerprint(self) -> int:
        """
        The key's fingerprint as a signed 64-bit int (a TL ``long``);
        ``fingerprint & 0xFFFFFFFFFFFFFFFF`` is the unsigned form
        (``0xd09d1d85de64fd85`` for the production key).
        """
        return self._fingerprint

    def to_pem(self) -> str:
        """
        The key as ``-----BEGIN RSA PUBLIC KEY-----`` PEM text.
        """
        serialization, rsa = _cryptography()

        key = rsa.RSAPublicNumbers(self._e, self._n).public_key()
        pem: bytes = key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.PKCS1
        )
        return pem.decode("ascii")

    def encrypt(self, value: int) -> int:
        """
        ``value ** e % n``: the bare RSA operation RSA_PAD ends with.
        """
        return pow(value, self._e, self._n)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RSAPublicKey):
            return NotImplemented
        return self._n == other._n and self._e == other._e

    def __hash__(self) -> int:
        return hash((self._n, self._e))

    def __repr__(self) -> str:
        return f"RSAPublicKey(fingerprint=0x{self._fingerprint % _UINT64:016x})"


class RSAPrivateKey:
    """
    A server's RSA private key, for :class:`ServerHandshake`.  Make one with
    :meth:`generate` or :meth:`from_pem`; give clients :attr:`public_key`.

    The private numbers are Python ints (they cannot be wiped).  The
    decryption's exponentiations are the backend's (constant-time in the
    exponent when compiled), but the rest is Python arithmetic on secrets,
    and the server side as a whole is meant for tests and in-process
    servers, not for a service exposed to timing measurements.
    """

    __slots__ = ("_d", "_dp", "_dq", "_p", "_public", "_q", "_qinv")

    def __init__(self, key: Any) -> None:
        # ``key``: a ``cryptography`` RSA private key (the constructors below).
        numbers = key.private_numbers()
        self._public = RSAPublicKey(numbers.public_numbers.n, numbers.public_numbers.e)
        self._p: int = numbers.p
        self._q: int = numbers.q
        self._d: int = numbers.d
        self._dp: int = numbers.dmp1
        self._dq: int = numbers.dmq1
        self._qinv: int = numbers.iqmp

    @classmethod
    def generate(cls) -> RSAPrivateKey:
        """
        A new 2048-bit key with exponent 65537 (``cryptography`` draws it).
        """
        _, rsa = _cryptography()

        return cls(rsa.generate_private_key(public_exponent=65537, key_size=2048))

    @classmethod
    def from_pem(cls, pem: str | bytes, password: bytes | None = None) -> RSAPrivateKey:
        """
        Load a 2048-bit RSA private key from PEM text (PKCS #1 or PKCS #8,
        optionally encrypted with ``password``).

        :raises mtcore.exceptions.ArgumentTypeError: If pem is not str or bytes.
        :raises mtcore.exceptions.ArgumentValueError: If it is not such a key.
        """
        serialization, rsa = _cryptography()

        data = _pem_bytes("pem", pem, "RSAPrivateKey")
        try:
            key = serialization.load_pem_private_key(data, password=password)
        except (ValueError, TypeError) as exc:
            raise _errors.rsa_pem("RSA private key", _pem_reason(exc)) from None
        if not isinstance(key, rsa.RSAPrivateKey):
            raise _errors.rsa_pem("RSA private key", f"it holds a {type(key).__name__}")
        return cls(key)

    def to_pem(self) -> bytes:
        """
        The key as unencrypted PKCS #8 PEM (``-----BEGIN PRIVATE KEY-----``).
        """
        serialization, rsa = _cryptography()

        pub = rsa.RSAPublicNumbers(self._public.e, self._public.n)
        key = rsa.RSAPrivateNumbers(
            self._p, self._q, self._d, self._dp, self._dq, self._qinv, pub
        ).private_key()
        pem: bytes = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        return pem

    @property
    def public_key(self) -> RSAPublicKey:
        """
        The public half, for clients.
        """
        return self._public

    @property
    def fingerprint(self) -> int:
        """
        The public key's fingerprint (:attr:`RSAPublicKey.fingerprint`).
        """
        return self._public.fingerprint

    def decrypt(self, value: int) -> int:
        """
        ``value ** d % n`` (by the Chinese remainder theorem): the bare RSA
        operation that undoes :meth:`RSAPublicKey.encrypt`.
        """
        m1 = _dh.modexp(value, self._dp, self._p)
        m2 = _dh.modexp(value, self._dq, self._q)
        return m2 + (self._qinv * (m1 - m2) % self._p) * self._q

    def __repr__(self) -> str:
        return f"RSAPrivateKey(fingerprint=0x{self.fingerprint % _UINT64:016x})"


def _pem_bytes(name: str, pem: object, kind: str) -> bytes:
    if isinstance(pem, str):
        return pem.encode("ascii", "replace")
    if isinstance(pem, (bytes, bytearray, memoryview)):
        return bytes(pem)
    raise _errors.rsa_key_type(name, pem, kind)


def _pem_reason(exc: Exception) -> str:
    # cryptography's reason, first line only (it may list OpenSSL's stack).
    return (str(exc).splitlines() or ["it could not be parsed"])[0][:200]


# Telegram's server keys, as tdlib bundles them (tdlib/td,
# td/telegram/net/PublicRsaKeySharedMain.cpp, commit 0dd1934090ac): the
# production key has the fingerprint 0xd09d1d85de64fd85 that resPQ lists
# in core.telegram.org/mtproto/samples-auth_key; the test servers' key
# 0xb25898df208d2603.
_PRODUCTION_PEM = """\
-----BEGIN RSA PUBLIC KEY-----
MIIBCgKCAQEA6LszBcC1LGzyr992NzE0ieY+BSaOW622Aa9Bd4ZHLl+TuFQ4lo4g
5nKaMBwK/BIb9xUfg0Q29/2mgIR6Zr9krM7HjuIcCzFvDtr+L0GQjae9H0pRB2OO
62cECs5HKhT5DZ98K33vmWiLowc621dQuwKWSQKjWf50XYFw42h21P2KXUGyp2y/
+aEyZ+uVgLLQbRA1dEjSDZ2iGRy12Mk5gpYc397aYp438fsJoHIgJ2lgMv5h7WY9
t6N/byY9Nw9p21Og3AoXSL2q/2IJ1WRUhebgAdGVMlV1fkuOQoEzR7EdpqtQD9Cs
5+bfo3Nhmcyvk5ftB0WkJ9z6bNZ7yxrP8wIDAQAB
-----END RSA PUBLIC KEY-----
"""
_TEST_PEM = """\
-----BEGIN RSA PUBLIC KEY-----
MIIBCgKCAQEAyMEdY1aR+sCR3ZSJrtztKTKqigvO/vBfqACJLZtS7QMgCGXJ6XIR
yy7mx66W0/sOFa7/1mAZtEoIokDP3ShoqF4fVNb6XeqgQfaUHd8wJpDWHcR2OFwv
plUUI1PLTktZ9uW2WE23b+ixNwJjJGwBDJPQEQFBE+vfmH0JP503wr5INS1poWg/
j25sIWeYPHYeOrFp/eXaqhISP6G+q2IeTaWTXpwZj4LzXq5YOpk4bYEQ6mvRq7D1
aHWfYmlEGepfaYR8Q0YqvvhYtMte3ITnuSJs171+GDqpdKcSwHnd6FudwGO4pcCO
j4WcDuXc2CTHgH8gFTNhp/Y8/SpDOhvn9QIDAQAB
-----END RSA PUBLIC KEY-----
"""


# Their moduli (the exponent is 65537), read once from the PEM texts above;
# tests/test_handshake.py checks that they agree, so the bundled keys need
# no PEM parser (cryptography, an optional package) at run time.
_BUNDLED = {
    "PRODUCTION_KEYS": int(
        "e8bb3305c0b52c6cf2afdf7637313489e63e05268e5badb601af417786472e5f"
        "93b85438968e20e6729a301c0afc121bf7151f834436f7fda680847a66bf64ac"
        "cec78ee21c0b316f0edafe2f41908da7bd1f4a5107638eeb67040ace472a14f9"
        "0d9f7c2b7def99688ba3073adb5750bb02964902a359fe745d8170e36876d4fd"
        "8a5d41b2a76cbff9a13267eb9580b2d06d10357448d20d9da2191cb5d8c93982"
        "961cdfdeda629e37f1fb09a0722027696032fe61ed663db7a37f6f263d370f69"
        "db53a0dc0a1748bdaaff6209d5645485e6e001d1953255757e4b8e42813347b1"
        "1da6ab500fd0ace7e6dfa3736199ccaf9397ed0745a427dcfa6cd67bcb1acff3",
        16,
    ),
    "TEST_KEYS": int(
        "c8c11d635691fac091dd9489aedced2932aa8a0bcefef05fa800892d9b52ed03"
        "200865c9e97211cb2ee6c7ae96d3fb0e15aeffd66019b44a08a240cfdd2868a8"
        "5e1f54d6fa5deaa041f6941ddf302690d61dc476385c2fa655142353cb4e4b59"
        "f6e5b6584db76fe8b1370263246c010c93d011014113ebdf987d093f9d37c2be"
        "48352d69a1683f8f6e6c2167983c761e3ab169fde5daaa12123fa1beab621e4d"
        "a5935e9c198f82f35eae583a99386d8110ea6bd1abb0f568759f62694419ea5f"
        "69847c43462abef858b4cb5edc84e7b9226cd7bd7e183aa974a712c079dde85b"
        "9dc063b8a5c08e8f859c0ee5dcd824c7807f20153361a7f63cfd2a433a1be7f5",
        16,
    ),
}

if TYPE_CHECKING:
    #: Telegram's production server key (as tdlib bundles it).
    PRODUCTION_KEYS: tuple[RSAPublicKey, ...]
    #: The key of Telegram's test servers.
    TEST_KEYS: tuple[RSAPublicKey, ...]
else:

    def __getattr__(name: str) -> Any:
        # The bundled keys, made on first use (their fingerprints are
        # SHA-1 work).
        n = _BUNDLED.get(name)
        if n is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        keys = (RSAPublicKey(n, 65537),)
        globals()[name] = keys
        return keys


def _rsa_keys(
    name: str, keys: Any, kind: type, loader: Callable[[Any], Any]
) -> tuple[Any, ...]:
    if isinstance(keys, (kind, str, bytes)):
        keys = (keys,)
    try:
        items = list(keys)
    except TypeError:
        raise _errors.rsa_key_type(name, keys, kind.__name__) from None
    out = []
    for i, key in enumerate(items):
        if isinstance(key, kind):
            out.append(key)
        elif isinstance(key, (str, bytes)):
            out.append(loader(key))
        else:
            raise _errors.rsa_key_type(f"{name}[{i}]", key, kind.__name__)
    if not out:
        raise _errors.no_keys(name)
    return tuple(out)


def rsa_pad(data: Buffer, key: RSAPublicKey, *, rng: Rng | None = None) -> bytes:
    """
    RSA_PAD (core.telegram.org/mtproto/auth_key, "Presenting proof of
    work"): how the client encrypts ``p_q_inner_data`` for the server.

    :param data: At most 144 bytes (the serialized inner data).
    :param key: The server's key.
    :param rng: The source of randomness (default ``os.urandom``), called
        for the ``192 - len(data)`` padding bytes first, then for a 32-byte
        ``temp_key`` per attempt (a new one while the result is not below
        ``key.n``).
    :returns: The 256-byte ``encrypted_data``.
    :raises mtcore.exceptions.InvalidLength: If data is too long.
    """
    rng = rng_arg(rng)
    payload = _bytes_of("data", data)
    if len(payload) > 144:
        raise _errors.rsa_pad_data(len(payload))
    # data_with_padding := data + random_padding_bytes (192 bytes)
    data_with_padding = payload + draw(rng, 192 - len(payload))
    # data_pad_reversed := BYTE_REVERSE(data_with_padding)
    data_pad_reversed = data_with_padding[::-1]
    while True:
        temp_key = draw(rng, 32)
        # data_with_hash := data_pad_reversed + SHA256(temp_key + data_with_padding)
        data_with_hash = data_pad_reversed + sha256(temp_key, data_with_padding)
        # aes_encrypted := AES256_IGE(data_with_hash, temp_key, 0)
        aes_encrypted = ige_encrypt(data_with_hash, temp_key, bytes(32))
        # temp_key_xor := temp_key XOR SHA256(aes_encrypted)
        temp_key_xor = _xor(temp_key, sha256(aes_encrypted))
        # key_aes_encrypted := temp_key_xor + aes_encrypted; below n, else again
        value = int.from_bytes(temp_key_xor + aes_encrypted, "big")
        if value < key.n:
            # encrypted_data := RSA(key_aes_encrypted, server_public_key)
            return key.encrypt(value).to_bytes(256, "big")


def _rsa_unpad(encrypted: bytes, key: RSAPrivateKey) -> tuple[bytes, bytes | None]:
    # The server's side of RSA_PAD, or of the legacy SHA1(data) + data +
    # padding block (255 bytes, Telethon and Pyrogram).  Returns the padded
    # data and, for the legacy block, the SHA-1 its data must have (the
    # length of the data is known only once it is parsed).
    value = int.from_bytes(encrypted, "big")
    if len(encrypted) != 256 or value >= key.public_key.n:
        raise _errors.hs_rsa_pad()
    block = key.decrypt(value).to_bytes(256, "big")
    temp_key = _xor(block[:32], sha256(block[32:]))
    data_with_hash = ige_decrypt(block[32:], temp_key, bytes(32))
    data_with_padding = data_with_hash[191::-1]
    if hmac.compare_digest(data_with_hash[192:], sha256(temp_key, data_with_padding)):
        return data_with_padding, None
    if block[0] == 0:
        return block[21:], block[1:21]
    raise _errors.hs_rsa_pad()


# --- unencrypted messages -------------------------------------------------------


def _pack_plain(msg_id: int, body: bytes) -> bytes:
    return _PLAIN.pack(0, msg_id, len(body)) + body


def _unpack_plain(data: Buffer, from_client: bool) -> bytes:
    # The body of an unencrypted message, after the checks of its header.
    packet = _bytes_of("message", data)
    if len(packet) < _PLAIN.size:
        raise _errors.plain_too_short(len(packet))
    key_id, msg_id, length = _PLAIN.unpack_from(packet)
    if key_id != 0:
        raise _errors.plain_key_id()
    if (msg_id % 4 != 0) if from_client else (msg_id % 2 != 1):
        raise _errors.msg_id_parity(msg_id, from_client)
    left = len(packet) - _PLAIN.size
    if length < 0 or length & 3 or not 0 <= left - length <= 15:
        raise _errors.plain_length(length, left)
    return packet[_PLAIN.size : _PLAIN.size + length]


class _MsgIds:
    # msg_ids from a clock: unix time * 2^32, divisible by 4 from a client
    # and 1 mod 4 from a server (answers), strictly increasing
    # (core.telegram.org/mtproto/description, "Message Identifier").
    def __init__(self, clock: Callable[[], float], from_client: bool) -> None:
        self._clock = clock
        self._low = 0 if from_client else 1
        self._last = 0

    def __call__(self) -> int:
        msg_id = (int(_now(self._clock) * 2**32) & ~3) | self._low
        if msg_id <= self._last:
            msg_id = self._last + 4
        self._last = msg_id
        return msg_id


def _check_msg_ids(
    new_msg_id: Callable[[], int] | None, clock: Callable[[], float], from_client: bool
) -> Callable[[], int]:
    if new_msg_id is None:
        return _MsgIds(clock, from_client)
    if not callable(new_msg_id):
        raise _errors.not_callable("new_msg_id", new_msg_id)
    return new_msg_id


# --- results and states -------------------------------------------------------


@dataclass(frozen=True)
class AuthKeyResult:
    """
    A finished key exchange.

    :param auth_key: The new key.
    :param server_salt: The first server salt, ``new_nonce[0:8] XOR
        server_nonce[0:8]`` read as a TL long (what
        :func:`mtcore.mtproto.pack_message` takes as ``salt``).
    :param time_offset: ``server_time - local_time`` in seconds, from the
        server's clock in ``server_DH_inner_data`` (0.0 on the server side).
    :param dc: The ``dc`` of ``p_q_inner_data_*`` (the DC id, + 10000 on
        test servers, negative for media DCs); None if the client sent the
        legacy ``p_q_inner_data`` without one.
    :param expires_in: For a temporary key, its lifetime in seconds; None
        for a permanent key.
    :param expires_at: For a temporary key, when it expires, as a unix
        time on the server's clock (``server_time + expires_in``): the
        ``expires_at`` of :func:`bind_temp_auth_key_message`.
    """

    auth_key: AuthKey
    server_salt: int
    time_offset: float
    dc: int | None
    expires_in: int | None = None
    expires_at: int | None = None

    @property
    def temporary(self) -> bool:
        """
        Whether the key is temporary (PFS).
        """
        return self.expires_in is not None


class HandshakeState(enum.Enum):
    """
    Where a :class:`ClientHandshake` or :class:`ServerHandshake` is: the
    message it waits for, or the end.
    """

    #: Client: :meth:`ClientHandshake.start` not called yet.
    IDLE = "idle"
    #: Client: ``req_pq_multi`` sent; waiting for ``resPQ``.
    AWAITING_RES_PQ = "awaiting resPQ"
    #: Client: ``req_DH_params`` sent; waiting for ``server_DH_params_ok``.
    AWAITING_SERVER_DH_PARAMS = "awaiting Server_DH_Params"
    #: Client: ``set_client_DH_params`` sent; waiting for ``dh_gen_ok``.
    AWAITING_DH_GEN = "awaiting Set_client_DH_params_answer"
    #: Server: waiting for ``req_pq_multi`` (or the legacy ``req_pq``).
    AWAITING_REQ_PQ = "awaiting req_pq_multi"
    #: Server: ``resPQ`` sent; waiting for ``req_DH_params``.
    AWAITING_REQ_DH_PARAMS = "awaiting req_DH_params"
    #: Server: ``server_DH_params_ok`` (or ``dh_gen_retry``) sent; waiting
    #: for ``set_client_DH_params``.
    AWAITING_SET_CLIENT_DH_PARAMS = "awaiting set_client_DH_params"
    #: Final: the key is made (``result`` holds it).
    DONE = "done"
    #: Final: a check failed or the peer gave up; start a new exchange.
    FAILED = "failed"


_F = TypeVar("_F", bound=Callable[..., Any])


def _step(method: _F) -> _F:
    # An input under the object's lock; any error but a state error ends
    # the exchange (a half-checked exchange must not go on).
    @functools.wraps(method)
    def run(self: Any, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            if self._state in (HandshakeState.DONE, HandshakeState.FAILED):
                raise _errors.hs_state(
                    type(self).__name__, f"{method.__name__}()", self._state.name
                )
            try:
                return method(self, *args, **kwargs)
            except HandshakeStateError:
                raise
            except BaseException:
                self._fail()
                raise

    return run  # type: ignore[return-value]


def _decode_call(body: bytes, names: tuple[str, ...]) -> Any:
    # One of the named functions (requests decode as objects of their own).
    obj = tl.decode(body)
    if getattr(obj, "tl_name", None) not in names:
        cid = int.from_bytes(body[:4], "little")
        raise _errors.hs_constructor(cid, " or ".join(names), 0)
    return obj


def _check_nonce(message: str, field: str, got: bytes, expected: bytes) -> None:
    if not hmac.compare_digest(got, expected):
        raise _errors.hs_nonce(message, field)


def _open_answer(
    what: str,
    encrypted: bytes,
    key: bytes,
    iv: bytes,
    name: str,
    cid: int,
    read: Callable[[Any], tuple[Any, ...]],
) -> tuple[Any, ...]:
    # answer_with_hash := SHA1(answer) + answer + (0-15 random bytes): the
    # fields of the answer (``read`` from a reader past its constructor)
    # once its SHA-1 and padding check out.  Until then the bytes are not
    # authenticated, so a read that fails is reported as a bad hash.
    if not encrypted or len(encrypted) % 16:
        raise _errors.hs_encrypted_length(what, len(encrypted))
    plain = ige_decrypt(encrypted, key, iv)
    r = tl.Reader(plain)
    r.seek(20)
    try:
        fields = read(r) if r.read_constructor() == cid else None
    except TLDecodeError:
        fields = None
    if fields is None:
        raise _errors.hs_answer_parse(what, name)
    if not hmac.compare_digest(plain[:20], sha1(memoryview(plain)[20 : r.position])):
        raise _errors.hs_answer_hash(what)
    if len(plain) - r.position > 15:
        raise _errors.hs_answer_padding(what, len(plain) - r.position)
    return fields


def _encrypt_answer(data: bytes, key: bytes, iv: bytes, rng: Rng) -> bytes:
    # AES-IGE of SHA1(data) + data + 0..15 random bytes to a multiple of 16.
    padding = draw(rng, -(20 + len(data)) % 16)
    return ige_encrypt(sha1(data) + data + padding, key, iv)


def _draw_exponent(rng: Rng, g: int, dh_prime: int, what: str) -> tuple[int, int]:
    # A 2048-bit secret x (256 random bytes) and g^x mod dh_prime, drawn
    # again while g^x falls outside the guidelines' range.
    for _ in range(_MAX_DRAWS):
        x = int.from_bytes(draw(rng, 256), "big")
        public = _dh.modexp(g, x, dh_prime)
        if _dh.in_range(public, dh_prime):
            return x, public
    raise _errors.rng_stuck(what, _MAX_DRAWS)


def _salt(new_nonce: bytes, server_nonce: bytes) -> int:
    # server_salt := substr(new_nonce, 0, 8) XOR substr(server_nonce, 0, 8)
    return _long_le(_xor(new_nonce[:8], server_nonce[:8]))


# --- what both sides share ---------------------------------------------------------


class _Exchange(Machine[HandshakeState]):
    # One side of the key exchange: its checked rng, clock and msg_ids,
    # its state and result, the lock every input runs under (_step), and
    # failing, which forgets the exchange's temporaries (_clear).

    def __init__(
        self,
        state: HandshakeState,
        rng: Rng | None,
        clock: Callable[[], float] | None,
        new_msg_id: Callable[[], int] | None,
        from_client: bool,
    ) -> None:
        self._rng = rng_arg(rng)
        self._clock = clock_arg(clock)
        self._new_msg_id = _check_msg_ids(new_msg_id, self._clock, from_client)
        super().__init__(state)
        self._result: AuthKeyResult | None = None
        self._clear()

    def _clear(self) -> None:  # pragma: no cover - each side has its own
        raise NotImplementedError

    def _fail(self) -> None:
        self._state = HandshakeState.FAILED
        self._clear()

    @property
    def result(self) -> AuthKeyResult | None:
        """
        The :class:`AuthKeyResult` once the exchange is done (the client
        has received ``dh_gen_ok``, the server has answered it), else None.
        """
        return self._result


# --- the client -----------------------------------------------------------------


class ClientHandshake(_Exchange):
    """
    The client side of the key exchange, without I/O
    (core.telegram.org/mtproto/auth_key).

    ``start()`` returns ``req_pq_multi``; send it, and hand each answer to
    ``receive()``, which returns the next message to send (``bytes``) or,
    after ``dh_gen_ok``, the :class:`AuthKeyResult`::

        hs = ClientHandshake(PRODUCTION_KEYS, dc_id=2)
        reply = await conn.roundtrip(hs.start())
        while not isinstance(out := hs.receive(reply), AuthKeyResult):
            reply = await conn.roundtrip(out)

    Steps: ``resPQ`` (nonce checked, pq factorised with
    :func:`mtcore.auth.factorize_pq`, the first fingerprint with a key
    picked) → ``req_DH_params`` (``p_q_inner_data_dc``, or
    ``p_q_inner_data_temp_dc`` with ``expires_in``, under :func:`rsa_pad`)
    → ``server_DH_params_ok`` (nonces, the answer's SHA-1 and padding,
    dh_prime and g by :func:`check_dh_params`, g_a by
    :func:`check_dh_range`) → ``set_client_DH_params`` (a new 2048-bit
    exponent b) → ``dh_gen_ok`` (new_nonce_hash1 checked in constant
    time); ``dh_gen_retry`` sends ``set_client_DH_params`` again with a new
    b and ``retry_id`` (up to 5 times).

    Any exception from ``receive()`` other than
    :class:`~mtcore.exceptions.HandshakeStateError` ends the exchange
    (state ``FAILED``): :class:`~mtcore.exceptions.SecurityError`
    subclasses for failed checks, :class:`~mtcore.exceptions.HandshakeFailed`
    when the server gives up (``server_DH_params_fail``, ``dh_gen_fail``, a
    transport error such as -404 sent as the 4-byte message),
    :class:`~mtcore.exceptions.TLDecodeError` for a malformed answer,
    :class:`~mtcore.exceptions.FactorizationError` for a bad pq.  Start a
    new exchange then.

    :param rsa_keys: The servers' RSA public keys: :class:`RSAPublicKey`
        objects or PEM texts, e.g. :data:`PRODUCTION_KEYS` or
        :data:`TEST_KEYS`.
    :param dc_id: The id of the DC (1..5 on Telegram), sent in the inner
        data.
    :param expires_in: Make a temporary key valid this many seconds
        (``p_q_inner_data_temp_dc``); None for a permanent key.
    :param test: The DC is a test server (``dc`` = ``dc_id`` + 10000).
    :param media: The DC is media-only (``dc`` negated).
    :param rng: The source of randomness, ``rng(n) -> n bytes`` (default
        ``os.urandom``); draws in order: nonce (16), new_nonce (32), the
        RSA_PAD draws (:func:`rsa_pad`), b (256, again if g^b is out of
        range), the padding of ``set_client_DH_params`` (0..15), and on
        ``dh_gen_retry`` b and padding again.
    :param clock: Local unix time in seconds (default ``time.time``): the
        default msg_ids and the time offset.
    :param new_msg_id: Gives the msg_id of each message sent (default: from
        ``clock``, strictly increasing, divisible by 4); a client with a
        session of its own passes its generator.
    """

    def __init__(
        self,
        rsa_keys: Iterable[RSAPublicKey | str | bytes],
        *,
        dc_id: int,
        expires_in: int | None = None,
        test: bool = False,
        media: bool = False,
        rng: Rng | None = None,
        clock: Callable[[], float] | None = None,
        new_msg_id: Callable[[], int] | None = None,
    ) -> None:
        keys = _rsa_keys("rsa_keys", rsa_keys, RSAPublicKey, RSAPublicKey.from_pem)
        self._keys = {key.fingerprint: key for key in reversed(keys)}
        dc = int_arg("dc_id", dc_id, 1, _INT32_MAX - _TEST_DC_OFFSET)
        if test:
            dc += _TEST_DC_OFFSET
        self._dc = -dc if media else dc
        self._expires_in = (
            None
            if expires_in is None
            else int_arg("expires_in", expires_in, 1, _INT32_MAX)
        )
        self._last_sent: bytes | None = None
        super().__init__(HandshakeState.IDLE, rng, clock, new_msg_id, True)

    def _clear(self) -> None:
        # Forget the exchange's temporaries (all Python can do: drop them).
        self._nonce = self._server_nonce = self._new_nonce = b""
        self._tmp_key = self._tmp_iv = b""
        self._dh_prime = self._g = self._g_a = 0
        self._auth_key: AuthKey | None = None
        self._server_time = 0
        self._retries = 0

    def __repr__(self) -> str:
        return f"<ClientHandshake {self._state.name} dc={self._dc}>"

    @property
    def last_sent(self) -> bytes | None:
        """
        The last message :meth:`start` or :meth:`receive` returned: send it
        again if its answer is lost (the server answers a repeated message
        as it did the first time).
        """
        return self._last_sent

    def _send(self, body: bytes) -> bytes:
        self._last_sent = _pack_plain(_msg_id(self._new_msg_id(), True), body)
        return self._last_sent

    def start(self) -> bytes:
        """
        Begin: the unencrypted ``req_pq_multi`` message.

        :raises mtcore.exceptions.HandshakeStateError: If called twice.
        """
        with self._lock:
            if self._state is not HandshakeState.IDLE:
                raise _errors.hs_state(
                    "ClientHandshake", "start() called again", self._state.name
                )
            self._nonce = draw(self._rng, 16)
            message = self._send(bytes(tl.functions.req_pq_multi(nonce=self._nonce)))
            self._state = HandshakeState.AWAITING_RES_PQ
            return message

    @_step
    def receive(self, message: Buffer) -> bytes | AuthKeyResult:
        """
        The server's answer to the last message sent.

        :param message: The whole unencrypted message as the transport
            delivered it (up to 15 bytes of transport padding after it are
            ignored), or the 4-byte transport error.
        :returns: The next message to send, or the :class:`AuthKeyResult`.
        :raises mtcore.exceptions.HandshakeStateError: If not started, or
            already ended (state unchanged).
        """
        if self._state is HandshakeState.IDLE:
            raise _errors.hs_state(
                "ClientHandshake", "receive() before start()", "IDLE"
            )
        packet = _bytes_of("message", message)
        if len(packet) == 4:
            raise _errors.hs_transport_error(
                int.from_bytes(packet, "little", signed=True)
            )
        body = _unpack_plain(packet, from_client=False)
        if self._state is HandshakeState.AWAITING_RES_PQ:
            return self._on_res_pq(tl.decode(body, type="ResPQ"))
        if self._state is HandshakeState.AWAITING_SERVER_DH_PARAMS:
            return self._on_server_dh_params(tl.decode(body, type="Server_DH_Params"))
        return self._on_dh_gen(tl.decode(body, type="Set_client_DH_params_answer"))

    def _on_res_pq(self, res: Any) -> bytes:
        _check_nonce("resPQ", "nonce", res.nonce, self._nonce)
        self._server_nonce = res.server_nonce
        fingerprints = list(res.server_public_key_fingerprints)
        key = next((self._keys[f] for f in fingerprints if f in self._keys), None)
        if key is None:
            raise _errors.hs_no_key(fingerprints)
        p, q = factorize_pq(res.pq)
        p_bytes, q_bytes = _be(p), _be(q)
        self._new_nonce = draw(self._rng, 32)
        fields = dict(
            pq=res.pq,
            p=p_bytes,
            q=q_bytes,
            nonce=self._nonce,
            server_nonce=self._server_nonce,
            new_nonce=self._new_nonce,
            dc=self._dc,
        )
        inner: Any
        if self._expires_in is None:
            inner = tl.types.p_q_inner_data_dc(**fields)
        else:
            inner = tl.types.p_q_inner_data_temp_dc(
                **fields, expires_in=self._expires_in
            )
        request = tl.functions.req_DH_params(
            nonce=self._nonce,
            server_nonce=self._server_nonce,
            p=p_bytes,
            q=q_bytes,
            public_key_fingerprint=key.fingerprint,
            encrypted_data=rsa_pad(bytes(inner), key, rng=self._rng),
        )
        self._state = HandshakeState.AWAITING_SERVER_DH_PARAMS
        return self._send(bytes(request))

    def _on_server_dh_params(self, params: Any) -> bytes:
        name = params.tl_name
        _check_nonce(name, "nonce", params.nonce, self._nonce)
        _check_nonce(name, "server_nonce", params.server_nonce, self._server_nonce)
        if name == "server_DH_params_fail":
            # new_nonce_hash := substr(SHA1(new_nonce), 4, 16)
            if not hmac.compare_digest(
                params.new_nonce_hash, sha1(self._new_nonce)[4:20]
            ):
                raise _errors.hs_nonce_hash(name, "new_nonce_hash")
            raise _errors.hs_failed(name)
        self._tmp_key, self._tmp_iv = tmp_aes_key_iv(
            self._new_nonce, self._server_nonce
        )
        nonce, server_nonce, g, dh_prime, g_a, server_time = _open_answer(
            "encrypted_answer",
            params.encrypted_answer,
            self._tmp_key,
            self._tmp_iv,
            "server_DH_inner_data",
            _SERVER_DH_INNER_DATA,
            lambda r: (
                r.read_int128(),
                r.read_int128(),
                r.read_int(),
                r.read_bytes(),
                r.read_bytes(),
                r.read_int(),
            ),
        )
        _check_nonce("server_DH_inner_data", "nonce", nonce, self._nonce)
        _check_nonce(
            "server_DH_inner_data", "server_nonce", server_nonce, self._server_nonce
        )
        self._dh_prime = int.from_bytes(dh_prime, "big")
        check_dh_params(self._dh_prime, g)
        self._g = g
        self._g_a = int.from_bytes(g_a, "big")
        check_dh_range("g_a", self._g_a, self._dh_prime)
        self._server_time = server_time
        self._time_offset = server_time - _now(self._clock)
        self._state = HandshakeState.AWAITING_DH_GEN
        return self._set_client_dh_params(retry_id=0)

    def _set_client_dh_params(self, retry_id: int) -> bytes:
        b, g_b = _draw_exponent(self._rng, self._g, self._dh_prime, "exponents b")
        # auth_key := pow(g_a, b) mod dh_prime, as 256 big-endian bytes
        self._auth_key = AuthKey(
            _dh.modexp(self._g_a, b, self._dh_prime).to_bytes(256, "big")
        )
        inner = tl.types.client_DH_inner_data(
            nonce=self._nonce,
            server_nonce=self._server_nonce,
            retry_id=retry_id,
            g_b=_be(g_b),
        )
        request = tl.functions.set_client_DH_params(
            nonce=self._nonce,
            server_nonce=self._server_nonce,
            encrypted_data=_encrypt_answer(
                bytes(inner), self._tmp_key, self._tmp_iv, self._rng
            ),
        )
        return self._send(bytes(request))

    def _on_dh_gen(self, answer: Any) -> bytes | AuthKeyResult:
        name = answer.tl_name
        _check_nonce(name, "nonce", answer.nonce, self._nonce)
        _check_nonce(name, "server_nonce", answer.server_nonce, self._server_nonce)
        number = {"dh_gen_ok": 1, "dh_gen_retry": 2, "dh_gen_fail": 3}[name]
        field = f"new_nonce_hash{number}"
        assert self._auth_key is not None
        # new_nonce_hashN :=
        #     substr(SHA1(new_nonce + byte(N) + auth_key_aux_hash), 4, 16)
        expected = new_nonce_hash(self._auth_key, self._new_nonce, number)
        if not hmac.compare_digest(getattr(answer, field), expected):
            raise _errors.hs_nonce_hash(name, field)
        if number == 3:
            raise _errors.hs_failed(name)
        if number == 2:
            self._retries += 1
            if self._retries > _MAX_RETRIES:
                raise _errors.hs_too_many_retries(_MAX_RETRIES)
            # retry_id: the auth_key_aux_hash of the refused key.
            return self._set_client_dh_params(
                retry_id=_long_le(self._auth_key.aux_hash)
            )
        expires_at = None
        if self._expires_in is not None:
            expires_at = self._server_time + self._expires_in
        self._result = AuthKeyResult(
            auth_key=self._auth_key,
            server_salt=_salt(self._new_nonce, self._server_nonce),
            time_offset=self._time_offset,
            dc=self._dc,
            expires_in=self._expires_in,
            expires_at=expires_at,
        )
        self._state = HandshakeState.DONE
        self._clear()
        return self._result


# --- the server -----------------------------------------------------------------


def _parse_p_q_inner_data(data: bytes) -> tuple[str, tuple[Any, ...], int]:
    # The constructor's name, its fields (dc and expires_in None where it
    # has none) and where it ends.
    r = tl.Reader(data)
    cid = r.read_constructor()
    name = _P_Q_INNER_DATA.get(cid)
    if name is None:
        raise _errors.hs_constructor(cid, "P_Q_inner_data", 0)
    pq, p, q = r.read_bytes(), r.read_bytes(), r.read_bytes()
    nonces = r.read_int128(), r.read_int128(), r.read_int256()
    dc = r.read_int() if name.endswith("_dc") else None
    expires_in = r.read_int() if "_temp" in name else None
    return name, (pq, p, q, *nonces, dc, expires_in), r.position


def _next_prime(n: int) -> int:
    # The smallest prime >= the odd n (gaps below 2^31 are under 300).
    while not _dh.is_small_prime(n):
        n += 2
    return n


def _draw_pq(rng: Rng) -> tuple[int, int]:
    # Two distinct 31-bit primes p < q (pq < 2^62, as Telegram's are).
    p = _next_prime(int.from_bytes(draw(rng, 4), "big") & 0x3FFFFFFF | 0x40000001)
    q = _next_prime(int.from_bytes(draw(rng, 4), "big") & 0x3FFFFFFF | 0x40000001)
    if q == p:
        q = _next_prime(q + 2)
    return (p, q) if p < q else (q, p)


class ServerHandshake(_Exchange):
    """
    The server side of the key exchange, without I/O: the counterpart of
    :class:`ClientHandshake`, to test clients (mtcore's own and others')
    in memory or over a loopback connection.

    Give ``receive()`` each client message; it returns the answer
    (``resPQ``, ``server_DH_params_ok``, then ``dh_gen_ok`` or
    ``dh_gen_retry``/``dh_gen_fail``).  After ``dh_gen_ok``,
    :attr:`result` holds the key.  Every client field is checked: the
    nonces, pq, p and q, the key fingerprint, RSA_PAD (or the legacy SHA-1
    padding), the inner data's nonces and ``dc``, the SHA-1 and padding of
    ``client_DH_inner_data``, ``retry_id``, and g_b's range.  A failed
    check raises (a :class:`~mtcore.exceptions.SecurityError` subclass, or
    :class:`~mtcore.exceptions.TLDecodeError`) and ends the exchange;
    Telegram's servers answer transport error -404 and close then.

    :param rsa_private_keys: The server's keys (:class:`RSAPrivateKey` or
        PEM texts); ``resPQ`` lists all their fingerprints.
    :param dh_prime: The 2048-bit safe prime (default Telegram's); checked
        with :func:`check_dh_params`.
    :param g: The generator; None: drawn with ``rng`` among those 2..7
        that suit dh_prime.
    :param dc: The ``dc`` clients must send (DC id, + 10000 for a test
        server, negative for media); None accepts any, and the legacy
        ``p_q_inner_data`` without a dc.
    :param key_id_in_use: ``key_id_in_use(auth_key_id) -> bool``: answer
        ``dh_gen_retry`` while the new key's id is taken (the server's
        duty), ``dh_gen_fail`` after ``max_retries`` retries.
    :param max_retries: How many ``dh_gen_retry`` before ``dh_gen_fail``.
    :param rng: The source of randomness (default ``os.urandom``); draws in
        order: server_nonce (16), p and q (4 each), on ``req_DH_params`` g
        (1, when not given), a (256, again if g^a is out of range), the
        answer's padding (0..15).
    :param clock: Unix time (default ``time.time``): ``server_time`` and
        default msg_ids.
    :param new_msg_id: Gives the msg_id of each answer (default: from
        ``clock``, 1 mod 4, strictly increasing).
    """

    def __init__(
        self,
        rsa_private_keys: Iterable[RSAPrivateKey | str | bytes],
        *,
        dh_prime: int = TELEGRAM_DH_PRIME,
        g: int | None = None,
        dc: int | None = None,
        key_id_in_use: Callable[[bytes], bool] | None = None,
        max_retries: int = 3,
        rng: Rng | None = None,
        clock: Callable[[], float] | None = None,
        new_msg_id: Callable[[], int] | None = None,
    ) -> None:
        keys = _rsa_keys(
            "rsa_private_keys", rsa_private_keys, RSAPrivateKey, RSAPrivateKey.from_pem
        )
        self._keys = {key.fingerprint: key for key in reversed(keys)}
        self._fingerprints = list(dict.fromkeys(key.fingerprint for key in keys))
        dh_prime = int_arg("dh_prime", dh_prime, 0, (1 << 2048) - 1)
        if g is None:
            rules = _dh.GENERATOR_RULES
            self._generators = [c for c, (m, ok) in rules.items() if dh_prime % m in ok]
            check_dh_params(dh_prime, 4)  # 4 suits every safe prime
        else:
            g = int_arg("g", g, 2, 7)
            check_dh_params(dh_prime, g)
            self._generators = [g]
        self._dh_prime = dh_prime
        self._dc = None if dc is None else int_arg("dc", dc, -_INT32_MAX, _INT32_MAX)
        if key_id_in_use is not None and not callable(key_id_in_use):
            raise _errors.not_callable("key_id_in_use", key_id_in_use)
        self._key_id_in_use = key_id_in_use
        self._max_retries = int_arg("max_retries", max_retries, 0, 100)
        super().__init__(HandshakeState.AWAITING_REQ_PQ, rng, clock, new_msg_id, False)

    def _clear(self) -> None:
        self._nonce = self._server_nonce = self._new_nonce = b""
        self._tmp_key = self._tmp_iv = b""
        self._p = self._q = 0
        self._a = self._g = 0
        self._inner_dc: int | None = None
        self._expires_in: int | None = None
        self._server_time = 0
        self._retry_id = 0
        self._retries = 0

    def __repr__(self) -> str:
        return f"<ServerHandshake {self._state.name}>"

    def _send(self, obj: Any) -> bytes:
        return _pack_plain(_msg_id(self._new_msg_id(), False), bytes(obj))

    @_step
    def receive(self, message: Buffer) -> bytes:
        """
        A client message; returns the answer to send.

        :param message: The whole unencrypted message (up to 15 bytes of
            transport padding after it are ignored).
        :raises mtcore.exceptions.HandshakeStateError: If the exchange has
            ended (state unchanged).
        """
        body = _unpack_plain(message, from_client=True)
        if self._state is HandshakeState.AWAITING_REQ_PQ:
            return self._on_req_pq(_decode_call(body, _REQ_PQ))
        if self._state is HandshakeState.AWAITING_REQ_DH_PARAMS:
            # A client may start over with a new req_pq_multi.
            request = _decode_call(body, _REQ_PQ + ("req_DH_params",))
            if request.tl_name != "req_DH_params":
                return self._on_req_pq(request)
            return self._on_req_dh_params(request)
        return self._on_set_client_dh_params(
            _decode_call(body, ("set_client_DH_params",))
        )

    def _on_req_pq(self, request: Any) -> bytes:
        self._nonce = request.nonce
        self._server_nonce = draw(self._rng, 16)
        self._p, self._q = _draw_pq(self._rng)
        self._state = HandshakeState.AWAITING_REQ_DH_PARAMS
        return self._send(
            tl.types.resPQ(
                nonce=self._nonce,
                server_nonce=self._server_nonce,
                pq=_be(self._p * self._q),
                server_public_key_fingerprints=self._fingerprints,
            )
        )

    def _on_req_dh_params(self, request: Any) -> bytes:
        _check_nonce("req_DH_params", "nonce", request.nonce, self._nonce)
        _check_nonce(
            "req_DH_params", "server_nonce", request.server_nonce, self._server_nonce
        )
        self._check_pq("req_DH_params", None, request.p, request.q)
        key = self._keys.get(request.public_key_fingerprint)
        if key is None:
            raise _errors.hs_unknown_fingerprint(request.public_key_fingerprint)
        data, legacy_hash = _rsa_unpad(request.encrypted_data, key)
        self._read_inner(data, legacy_hash)
        # The answer: server_DH_inner_data under the temporary AES key.
        self._g = self._generators[0]
        if len(self._generators) > 1:
            self._g = self._generators[draw(self._rng, 1)[0] % len(self._generators)]
        self._a, g_a = _draw_exponent(self._rng, self._g, self._dh_prime, "exponents a")
        self._server_time = int(_now(self._clock))
        inner = tl.types.server_DH_inner_data(
            nonce=self._nonce,
            server_nonce=self._server_nonce,
            g=self._g,
            dh_prime=_be(self._dh_prime),
            g_a=_be(g_a),
            server_time=self._server_time,
        )
        self._tmp_key, self._tmp_iv = tmp_aes_key_iv(
            self._new_nonce, self._server_nonce
        )
        self._state = HandshakeState.AWAITING_SET_CLIENT_DH_PARAMS
        return self._send(
            tl.types.server_DH_params_ok(
                nonce=self._nonce,
                server_nonce=self._server_nonce,
                encrypted_answer=_encrypt_answer(
                    bytes(inner), self._tmp_key, self._tmp_iv, self._rng
                ),
            )
        )

    def _check_pq(self, message: str, pq: bytes | None, p: bytes, q: bytes) -> None:
        # The client's pq, p and q are the server's (as numbers).
        for field, value, expected in (
            ("pq", pq, self._p * self._q),
            ("p", p, self._p),
            ("q", q, self._q),
        ):
            if value is not None and int.from_bytes(value, "big") != expected:
                raise _errors.hs_field(message, field, f"is not the {field} of resPQ")

    def _read_inner(self, data: bytes, legacy_hash: bytes | None) -> None:
        # P_Q_inner_data, any of its four constructors, then the padding.
        # A legacy block is authenticated only by the SHA-1 of the data, so
        # there nothing read before that check may decide the error.
        try:
            name, fields, end = _parse_p_q_inner_data(data)
        except TLDecodeError:
            if legacy_hash is not None:
                raise _errors.hs_rsa_pad() from None
            raise
        if legacy_hash is not None and not hmac.compare_digest(
            legacy_hash, sha1(data[:end])
        ):
            raise _errors.hs_rsa_pad()
        pq, p, q, nonce, server_nonce, new_nonce, dc, expires_in = fields
        self._check_pq(name, pq, p, q)
        _check_nonce(name, "nonce", nonce, self._nonce)
        _check_nonce(name, "server_nonce", server_nonce, self._server_nonce)
        if self._dc is not None and dc != self._dc:
            why = (
                "is missing" if dc is None else f"is {dc}, not this server's {self._dc}"
            )
            raise _errors.hs_field(name, "dc", why)
        if expires_in is not None and expires_in <= 0:
            raise _errors.hs_field(
                name, "expires_in", f"must be positive, got {expires_in}"
            )
        self._new_nonce = new_nonce
        self._inner_dc = dc
        self._expires_in = expires_in

    def _on_set_client_dh_params(self, request: Any) -> bytes:
        _check_nonce("set_client_DH_params", "nonce", request.nonce, self._nonce)
        _check_nonce(
            "set_client_DH_params",
            "server_nonce",
            request.server_nonce,
            self._server_nonce,
        )
        nonce, server_nonce, retry_id, g_b = _open_answer(
            "encrypted_data",
            request.encrypted_data,
            self._tmp_key,
            self._tmp_iv,
            "client_DH_inner_data",
            _CLIENT_DH_INNER_DATA,
            lambda r: (r.read_int128(), r.read_int128(), r.read_long(), r.read_bytes()),
        )
        _check_nonce("client_DH_inner_data", "nonce", nonce, self._nonce)
        _check_nonce(
            "client_DH_inner_data", "server_nonce", server_nonce, self._server_nonce
        )
        if retry_id != self._retry_id:
            raise _errors.hs_field(
                "client_DH_inner_data",
                "retry_id",
                "is not the auth_key_aux_hash of the key refused last"
                if self._retries
                else "must be 0",
            )
        g_b_value = int.from_bytes(g_b, "big")
        check_dh_range("g_b", g_b_value, self._dh_prime)
        # auth_key := pow(g_b, a) mod dh_prime
        auth_key = AuthKey(
            _dh.modexp(g_b_value, self._a, self._dh_prime).to_bytes(256, "big")
        )
        fields = dict(nonce=self._nonce, server_nonce=self._server_nonce)
        answer: Any
        if self._key_id_in_use is not None and self._key_id_in_use(auth_key.key_id):
            if self._retries >= self._max_retries:
                answer = tl.types.dh_gen_fail(
                    **fields,
                    new_nonce_hash3=new_nonce_hash(auth_key, self._new_nonce, 3),
                )
                self._fail()
                return self._send(answer)
            self._retries += 1
            self._retry_id = _long_le(auth_key.aux_hash)
            return self._send(
                tl.types.dh_gen_retry(
                    **fields,
                    new_nonce_hash2=new_nonce_hash(auth_key, self._new_nonce, 2),
                )
            )
        answer = tl.types.dh_gen_ok(
            **fields, new_nonce_hash1=new_nonce_hash(auth_key, self._new_nonce, 1)
        )
        expires_at = (
            None if self._expires_in is None else self._server_time + self._expires_in
        )
        self._result = AuthKeyResult(
            auth_key=auth_key,
            server_salt=_salt(self._new_nonce, self._server_nonce),
            time_offset=0.0,
            dc=self._inner_dc,
            expires_in=self._expires_in,
            expires_at=expires_at,
        )
        self._state = HandshakeState.DONE
        self._clear()
        return self._send(answer)


# --- binding a temporary key (PFS) --------------------------------------------


def _auth_key_arg(name: str, key: Any) -> AuthKey:
    if isinstance(key, AuthKey):
        return key
    if isinstance(key, (str, int)) or key is None:
        raise _errors.not_key_id(name, key)
    return AuthKey(key)


def _long_arg(name: str, value: Any) -> int:
    # A TL long given as an int (signed or unsigned 64-bit) or its 8 wire
    # bytes, as the signed value.
    if isinstance(value, (bytes, bytearray, memoryview)):
        with memoryview(value) as view:
            if len(view) != 8:
                raise _errors.bad_length(name, 8, len(view))
            return _long_le(view.tobytes())
    if not isinstance(value, int) or isinstance(value, bool):
        raise _errors.not_long_id(name, value)
    n = int_arg(name, value, -(1 << 63), _UINT64 - 1)
    return n - _UINT64 if n >= 1 << 63 else n


def _kdf_v1(auth_key: bytes, msg_key: bytes, x: int) -> tuple[bytes, bytes]:
    # MTProto 1.0 (core.telegram.org/mtproto/description_v1, "Defining AES
    # Key and Initialization Vector"); x = 0 from the client.
    # sha1_a = SHA1(msg_key + substr(auth_key, x, 32))
    a = sha1(msg_key, auth_key[x : x + 32])
    # sha1_b = SHA1(substr(auth_key, 32+x, 16) + msg_key + substr(auth_key, 48+x, 16))
    b = sha1(auth_key[32 + x : 48 + x], msg_key, auth_key[48 + x : 64 + x])
    # sha1_c = SHA1(substr(auth_key, 64+x, 32) + msg_key)
    c = sha1(auth_key[64 + x : 96 + x], msg_key)
    # sha1_d = SHA1(msg_key + substr(auth_key, 96+x, 32))
    d = sha1(msg_key, auth_key[96 + x : 128 + x])
    # aes_key = substr(sha1_a, 0, 8) + substr(sha1_b, 8, 12) + substr(sha1_c, 4, 12)
    key = a[0:8] + b[8:20] + c[4:16]
    # aes_iv = substr(sha1_a, 8, 12) + substr(sha1_b, 0, 8) + substr(sha1_c, 16, 4)
    #          + substr(sha1_d, 0, 8)
    iv = a[8:20] + b[0:8] + c[16:20] + d[0:8]
    return key, iv


_BIND_HEADER = struct.Struct("<qii")  # msg_id, seqno, msg_len after random:int128
_BIND_INNER_LEN = 40


def bind_temp_auth_key_message(
    perm_key: AuthKey | Buffer,
    temp_key: AuthKey | Buffer,
    *,
    msg_id: int,
    temp_session_id: int | Buffer,
    expires_at: int,
    nonce: int | None = None,
    rng: Rng | None = None,
) -> Any:
    """
    The ``auth.bindTempAuthKey`` request that binds a temporary key to the
    permanent one (core.telegram.org/method/auth.bindTempAuthKey,
    core.telegram.org/api/pfs).

    Its ``encrypted_message`` is ``bind_auth_key_inner`` encrypted with the
    permanent key in the MTProto 1.0 scheme (SHA-1 msg_key and KDF,
    core.telegram.org/mtproto/description_v1), which only this message
    still uses: random:int128 in place of salt and session_id, then
    ``msg_id``, seqno 0, the length 40 and the inner data, 8 bytes of
    random padding.

    Send the request over the temporary key, in session
    ``temp_session_id``, as the message ``msg_id``.

    :param perm_key: The permanent key (an :class:`~mtcore.mtproto.AuthKey`
        or its 256 bytes).
    :param temp_key: The temporary key.
    :param msg_id: The msg_id the request will be sent with (divisible by 4).
    :param temp_session_id: The session id of the temporary key's session:
        an int or its 8 wire bytes.
    :param expires_at: When the temporary key expires, a unix time (the
        result's :attr:`AuthKeyResult.expires_at`).
    :param nonce: The random long of the binding (default: drawn from rng).
    :param rng: The source of randomness (default ``os.urandom``); draws
        nonce (8, unless given), random:int128 (16), padding (8).
    :returns: The TL request; ``bytes(request)`` is its body.
    """
    perm = _auth_key_arg("perm_key", perm_key)
    temp = _auth_key_arg("temp_key", temp_key)
    msg_id = _long_arg("msg_id", msg_id)
    if msg_id % 4:
        raise _errors.pack_msg_id(msg_id, True)
    session = _long_arg("temp_session_id", temp_session_id)
    expires_at = int_arg("expires_at", expires_at, -(1 << 31), _INT32_MAX)
    rng = rng_arg(rng)
    nonce = _long_le(draw(rng, 8)) if nonce is None else _long_arg("nonce", nonce)
    perm_id = _long_le(perm.key_id)
    inner = bytes(
        tl.types.bind_auth_key_inner(
            nonce=nonce,
            temp_auth_key_id=_long_le(temp.key_id),
            perm_auth_key_id=perm_id,
            temp_session_id=session,
            expires_at=expires_at,
        )
    )
    plaintext = draw(rng, 16) + _BIND_HEADER.pack(msg_id, 0, len(inner)) + inner
    # msg_key = substr(SHA1(plaintext), 4, 16), over the data without padding
    msg_key = sha1(plaintext)[4:20]
    key, iv = _kdf_v1(bytes(perm), msg_key, 0)
    padding = draw(rng, -len(plaintext) % 16)
    encrypted = perm.key_id + msg_key + ige_encrypt(plaintext + padding, key, iv)
    return tl.functions.auth.bindTempAuthKey(
        perm_auth_key_id=perm_id,
        nonce=nonce,
        expires_at=expires_at,
        encrypted_message=encrypted,
    )


def verify_bind_temp_auth_key(
    request: Any,
    perm_key: AuthKey | Buffer,
    *,
    temp_key: AuthKey | Buffer,
    temp_session_id: int | Buffer,
    msg_id: int,
) -> int:
    """
    The server's check of an ``auth.bindTempAuthKey`` request: that it
    came over ``temp_key`` in session ``temp_session_id`` as the message
    ``msg_id``, and that its ``encrypted_message`` decrypts with the
    permanent key to a ``bind_auth_key_inner`` naming all of these, its
    nonce and its expires_at.

    :param request: The request: a TL object (mtcore's, or another
        library's with the same fields) or its TL bytes.
    :param perm_key: The permanent key named by ``perm_auth_key_id`` (the
        server looks it up).
    :returns: ``expires_at``, when the binding ends.
    :raises mtcore.exceptions.AuthKeyIdMismatch: The request names another
        permanent key.
    :raises mtcore.exceptions.MessageLengthError: encrypted_message has a
        length no binding message has.
    :raises mtcore.exceptions.MessageKeyMismatch: Its msg_key does not
        match (another key, or tampered; compared in constant time).
    :raises mtcore.exceptions.FieldMismatch: A field of the inner data
        (or its header) disagrees; the message names it.
    """
    req = _bind_request(request)
    perm = _auth_key_arg("perm_key", perm_key)
    temp = _auth_key_arg("temp_key", temp_key)
    session = _long_arg("temp_session_id", temp_session_id)
    msg_id = _long_arg("msg_id", msg_id)
    perm_id = _long_le(perm.key_id)
    encrypted = bytes(req.encrypted_message)
    if req.perm_auth_key_id != perm_id or not hmac.compare_digest(
        encrypted[:8], perm.key_id
    ):
        raise _errors.key_id_mismatch()
    # 8 + 16 + the 72-byte plaintext padded to 80 (16 + 16 + 40 + 8).
    if len(encrypted) != 24 + 80:
        raise _errors.hs_field(
            "auth.bindTempAuthKey",
            "encrypted_message",
            f"must be 104 bytes, got {len(encrypted)}",
        )
    msg_key = encrypted[8:24]
    key, iv = _kdf_v1(bytes(perm), msg_key, 0)
    plain = ige_decrypt(encrypted[24:], key, iv)
    # The length is fixed, so the msg_key check needs nothing read from the
    # unauthenticated plaintext.
    if not hmac.compare_digest(sha1(plain[:72])[4:20], msg_key):
        raise _errors.msg_key_mismatch()
    inner_msg_id, seqno, length = _BIND_HEADER.unpack_from(plain, 16)
    r = tl.Reader(plain[32:72])
    checks = (
        ("msg_id", inner_msg_id, msg_id),
        ("seqno", seqno, 0),
        ("msg_len", length, _BIND_INNER_LEN),
        ("constructor", r.read_constructor(), _BIND_AUTH_KEY_INNER),
        ("nonce", r.read_long(), req.nonce),
        ("temp_auth_key_id", r.read_long(), _long_le(temp.key_id)),
        ("perm_auth_key_id", r.read_long(), perm_id),
        ("temp_session_id", r.read_long(), session),
        ("expires_at", r.read_int(), req.expires_at),
    )
    for field, got, expected in checks:
        if got != expected:
            raise _errors.hs_field(
                "bind_auth_key_inner",
                field,
                "is not the one of the request and its session",
            )
    return int(req.expires_at)


def _bind_request(request: Any) -> Any:
    if isinstance(request, (bytes, bytearray, memoryview)):
        request = tl.decode(request)
    for field in ("perm_auth_key_id", "nonce", "expires_at", "encrypted_message"):
        if not hasattr(request, field):
            raise _errors.not_tl_request("request", "an auth.bindTempAuthKey", request)
    return request
