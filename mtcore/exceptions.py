"""
The exceptions mtcore raises.

Caller mistakes subclass the built-in :class:`TypeError` or
:class:`ValueError`, so code that already catches those keeps working; every
exception also subclasses :class:`MtcoreError`.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "AnswerHashMismatch",
    "ArgumentTypeError",
    "ArgumentValueError",
    "AuthKeyIdMismatch",
    "BadMessageError",
    "ClientError",
    "ConnectionFailed",
    "DHGeneratorError",
    "DHParamsError",
    "DHPrimeError",
    "DHRangeError",
    "FactorizationError",
    "FieldMismatch",
    "FingerprintMismatch",
    "FrameChecksumError",
    "FrameLengthError",
    "FrameSeqNoError",
    "HandshakeFailed",
    "HandshakeStateError",
    "InvalidLength",
    "LoginFlowError",
    "LoginURLError",
    "MessageIdError",
    "MessageKeyMismatch",
    "MessageLengthError",
    "MissingExtra",
    "MtcoreError",
    "NonceHashMismatch",
    "NonceMismatch",
    "PasswordHashInvalid",
    "PendingLimitError",
    "ProxySecretError",
    "RSAPadError",
    "ResendLimitError",
    "RpcError",
    "SRPIdInvalid",
    "SecurityError",
    "SessionError",
    "SessionIdMismatch",
    "TLDecodeError",
    "TLLimitError",
    "TLSchemaError",
    "TransportError",
    "TransportTagError",
    "UnsupportedPasswordAlgorithm",
]


class MtcoreError(Exception):
    """
    The base of every exception mtcore raises.
    """


class ArgumentTypeError(MtcoreError, TypeError):
    """
    An argument has the wrong type, e.g. a ``str`` where bytes belong.
    """


class ArgumentValueError(MtcoreError, ValueError):
    """
    An argument has the right type but a value mtcore cannot take, e.g. a
    read-only ``out`` buffer or a non-contiguous memoryview.
    """


class InvalidLength(ArgumentValueError):
    """
    A key, IV, data or output buffer has the wrong size.
    """


class FactorizationError(ArgumentValueError):
    """
    :func:`mtcore.auth.factorize_pq` got a pq that is not a product of two
    distinct odd primes (the message says why: even, prime, a square, ...).
    """


class LoginURLError(ArgumentValueError):
    """
    A string is not a QR-login URL: its scheme is not ``tg``, its host not
    ``login``, it has a path, a fragment or query parameters other than one
    ``token``, or the token is empty or not base64url (RFC 4648 section 5).
    """


class TLDecodeError(MtcoreError, ValueError):
    """
    TL input is malformed: it ends before a value does, a Bool or vector
    constructor is not the expected one, a vector count cannot fit the
    bytes left, or a length prefix is not valid.  The message names what
    was read and where (the offset from the start of the input).
    """


class TLLimitError(TLDecodeError):
    """
    A TL decode passed one of its limits (:func:`mtcore.tl.decode`): objects
    nested deeper than ``MAX_DEPTH``, more objects and vector elements than
    ``max_objects``, or more bytes unpacked from ``gzip_packed`` values than
    ``max_unpacked``.  The input may be well-formed TL; it is refused to
    bound the memory and time one decode can take.  The message names the
    limit and what was seen.
    """


class TLSchemaError(MtcoreError, ValueError):
    """
    A TL schema text is malformed, defines one constructor number or name
    twice with different definitions, or uses a type it does not define.
    The message starts with where (``"main_api.tl line 1234: ..."``).
    """


class LoginFlowError(MtcoreError, ValueError):
    """
    :class:`~mtcore.login.QRLoginFlow` got an input its state does not
    allow: an answer while no request is pending, an object that is not
    an ``auth.LoginToken``, a second ``start()``.  The flow is unchanged.
    """


class MissingExtra(MtcoreError, ImportError):
    """
    A feature needs a package of an optional extra that is not installed;
    the message says what to install (``pip install segno`` for the ``qr`` extra).
    """


class SecurityError(MtcoreError, ValueError):
    """
    A received MTProto message failed a check of the security guidelines:
    drop it (and preferably reconnect).  The message says which check, never
    which byte differed.
    """


class AuthKeyIdMismatch(SecurityError):
    """
    The packet's auth_key_id is not the key's.
    """


class MessageKeyMismatch(SecurityError):
    """
    The msg_key recomputed from the decrypted message differs from the one
    received (compared in constant time).
    """


class MessageLengthError(SecurityError):
    """
    The packet, message_data_length or padding has an invalid length.
    """


class SessionIdMismatch(SecurityError):
    """
    The decrypted message belongs to another session.
    """


class MessageIdError(SecurityError):
    """
    The msg_id breaks the parity rule for its sender.
    """


class ProxySecretError(ArgumentValueError):
    """
    A string or buffer is not an MTProxy secret: not hex or base64url, or
    not 16 bytes, ``0xdd`` + 16 bytes or ``0xee`` + 16 bytes + a domain; or
    a fake-TLS (``ee``) secret was given where it is not supported.  The
    message describes the input, never quotes it.
    """


# --- transports (mtcore.transport) -------------------------------------------


class TransportError(MtcoreError, ValueError):
    """
    The bytes received on a transport connection break its framing.  The
    stream cannot be resynchronized: close the connection.  The codec keeps
    refusing input after one (each later call raises the same error again),
    and it never allocated the length a bad header claimed.

    :ivar frames: the frames the failing call completed before the bad
        bytes, in order (none when a broken stream is fed again).
    """

    frames: list[Any]


class FrameLengthError(TransportError):
    """
    A frame's length is zero, over the codec's ``max_frame``, or not a
    multiple of 4 where the framing requires it.
    """


class FrameChecksumError(TransportError):
    """
    A full-transport frame's CRC32 does not match its bytes.
    """


class FrameSeqNoError(TransportError):
    """
    A full-transport frame's sequence number is not the next one expected.
    """


class TransportTagError(TransportError):
    """
    A server got a connection prefix, or an obfuscation header's protocol
    tag, that is not the one of a supported framing (with obfuscation: the
    usual sign of a wrong MTProxy secret).
    """


# --- sessions (mtcore.session) -----------------------------------------------


class RpcError(MtcoreError):
    """
    The server answered a request with ``rpc_error`` (core.telegram.org/api/errors).

    :ivar code: the error code (``420``, ``401``, ``303`` ...).
    :ivar message: the error text as sent (``"FLOOD_WAIT_17"``).
    :ivar name: the text without its number (``"FLOOD_WAIT"``,
        ``"USER_MIGRATE"``, ``"SESSION_PASSWORD_NEEDED"``): what to match on.
    :ivar value: the number the text carries (``17`` seconds to wait,
        ``2`` for the DC to migrate to), or None.
    :ivar request: the request it answers (a :class:`mtcore.session.Request`),
        or None.
    """

    code: int
    message: str
    name: str
    value: int | None
    request: object

    def __init__(self, code: int, message: str, *, request: object = None) -> None:
        self.code = code
        self.message = message
        self.request = request
        # A part of the text made of digits only is the value: FLOOD_WAIT_17,
        # USER_MIGRATE_2, FILE_PART_5_MISSING (the last such part counts).
        parts = message.split("_")
        words = [p for p in parts if not (p.isdigit() and p.isascii())]
        digits = [p for p in parts if p.isdigit() and p.isascii()]
        self.name = "_".join(words) if digits else message
        self.value = int(digits[-1]) if digits and len(digits[-1]) <= 18 else None
        super().__init__(code, message)

    def __str__(self) -> str:
        text = f"RPC error {self.code}: {self.message}"
        tl_name = getattr(self.request, "name", None)
        return f"{text} (in answer to {tl_name})" if tl_name else text

    def __repr__(self) -> str:
        return f"RpcError({self.code!r}, {self.message!r})"

    def __reduce__(self) -> Any:
        return (type(self), (self.code, self.message))


class SessionError(MtcoreError):
    """
    A request failed for a reason of the MTProto session rather than an
    answer of the server's API: see the subclasses.

    :ivar request: the :class:`mtcore.session.Request` that failed, or None.
    """

    request: object = None


class BadMessageError(SessionError):
    """
    The server refused a request with a ``bad_msg_notification`` the session
    cannot repair by itself (core.telegram.org/mtproto/service_messages_about_messages):
    codes 18, 19, 34, 35 and 64 mean a bug in the sender.

    :ivar code: the notification's error code.
    """

    code: int


class ResendLimitError(SessionError):
    """
    A request was sent ``max_resends`` + 1 times without an answer, or the
    session gave it up otherwise (``Session.cancel``).
    """


class PendingLimitError(SessionError):
    """
    :meth:`mtcore.session.Session.send` was called while ``max_pending``
    requests were waiting for their answers: wait for some first.
    """


# --- the auth key exchange (mtcore.handshake) and SRP (mtcore.srp) ----------


class HandshakeStateError(MtcoreError, ValueError):
    """
    A :class:`~mtcore.handshake.ClientHandshake` or
    :class:`~mtcore.handshake.ServerHandshake` got a call its state does not
    allow: ``start()`` twice, ``receive()`` before ``start()``, anything
    after the exchange ended.  The state is unchanged.
    """


class HandshakeFailed(MtcoreError):
    """
    The peer ended the key exchange: the server answered
    ``server_DH_params_fail`` or ``dh_gen_fail`` (their hashes checked), a
    transport error code such as -404, or more ``dh_gen_retry`` than the
    limit.  Start a new exchange.  ``code`` holds the transport error code
    when there was one, else None.
    """

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


class NonceMismatch(SecurityError):
    """
    A ``nonce``, ``server_nonce`` or ``new_nonce`` field of a key-exchange
    message is not the value this exchange uses.
    """


class NonceHashMismatch(SecurityError):
    """
    ``new_nonce_hash`` (of ``server_DH_params_fail``) or
    ``new_nonce_hash1/2/3`` (of ``dh_gen_ok/retry/fail``) is not the hash
    of this exchange's new_nonce and key (compared in constant time).
    """


class AnswerHashMismatch(SecurityError):
    """
    An AES-IGE encrypted part of the key exchange (``encrypted_answer`` or
    ``set_client_DH_params.encrypted_data``) does not decrypt to SHA-1 of
    the data, the data and 0..15 bytes of padding.
    """


class FingerprintMismatch(SecurityError):
    """
    No RSA key of the client matches a fingerprint of ``resPQ``, or
    ``req_DH_params`` names a key the server does not have.
    """


class RSAPadError(SecurityError):
    """
    ``req_DH_params.encrypted_data`` decrypts neither to RSA_PAD with a
    valid SHA-256 nor to the legacy SHA-1 padded block.
    """


class FieldMismatch(SecurityError):
    """
    A field of a key-exchange or binding message disagrees with what the
    exchange established: ``pq``, ``p`` or ``q``, the DC, ``retry_id``,
    ``expires_at``, a key id or session id of ``auth.bindTempAuthKey``.
    The message names the field.
    """


class DHParamsError(SecurityError):
    """
    A Diffie-Hellman value of the key exchange or of SRP failed a check of
    core.telegram.org/mtproto/security_guidelines; the subclass names
    which.
    """


class DHPrimeError(DHParamsError):
    """
    ``dh_prime`` (or SRP's ``p``) is not a 2048-bit safe prime.
    """


class DHGeneratorError(DHParamsError):
    """
    ``g`` is not in 2..7 or does not generate the subgroup of order
    (p - 1) / 2 (the quadratic-residue condition for its value).
    """


class DHRangeError(DHParamsError):
    """
    ``g_a``, ``g_b``, SRP's ``srp_B`` or one derived from them is outside
    1 < x < dh_prime - 1 or ``2^(2048-64) <= x <= dh_prime - 2^(2048-64)``.
    """


class PasswordHashInvalid(SecurityError):
    """
    The SRP proof ``M1`` (or ``A``) of an ``inputCheckPasswordSRP`` does not
    match the password: Telegram answers ``400 PASSWORD_HASH_INVALID``.
    """


class SRPIdInvalid(SecurityError):
    """
    An ``inputCheckPasswordSRP`` names an ``srp_id`` the server did not
    issue, or one already used: Telegram answers ``400 SRP_ID_INVALID``.
    """


class UnsupportedPasswordAlgorithm(MtcoreError, ValueError):
    """
    The account's password uses a key-derivation algorithm other than
    ``passwordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow``
    (Telegram's apps ask the user to update).
    """


# --- the asyncio client (mtcore.client) -------------------------------------------


class ClientError(MtcoreError):
    """
    The :class:`~mtcore.client.Client` cannot do what was asked: it is
    closed, no address is known for a DC, or a request was sent on to other
    DCs too many times.
    """


class ConnectionFailed(ClientError, ConnectionError):
    """
    The connection to a DC failed for good: it could not be opened again
    after the client's ``retries``, the key exchange or ``initConnection``
    failed, or the server answered a transport error.  Requests waiting
    for answers on it fail with it; the next request opens a new one.
    """
