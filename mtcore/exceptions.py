"""
The exceptions mtcore raises.

Caller mistakes subclass the built-in :class:`TypeError` or
:class:`ValueError`, so code that already catches those keeps working; every
exception also subclasses :class:`MtcoreError`.
"""

from __future__ import annotations

__all__ = [
    "ArgumentTypeError",
    "ArgumentValueError",
    "AuthKeyIdMismatch",
    "FactorizationError",
    "InvalidLength",
    "LoginFlowError",
    "LoginURLError",
    "MessageIdError",
    "MessageKeyMismatch",
    "MessageLengthError",
    "MissingExtra",
    "MtcoreError",
    "SecurityError",
    "SessionIdMismatch",
    "TLDecodeError",
    "TLLimitError",
    "TLSchemaError",
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
