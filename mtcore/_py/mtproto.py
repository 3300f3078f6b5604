"""
Pure-Python twin of ``mtcore/_mtproto.pyx``: MTProto 2.0 message
encryption and decryption with every receiver check of the security
guidelines, and the SHA-1 helpers of the key exchange, on :mod:`hashlib`
and the IGE of :mod:`mtcore._py.aes`.  Same functions, checks, order of
checks and error texts as the compiled side.

Formulas: core.telegram.org/mtproto/description ("Defining AES Key and
Initialization Vector") and core.telegram.org/mtproto/security_guidelines;
key exchange:
core.telegram.org/mtproto/auth_key.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import struct
from collections.abc import Sequence
from typing import Any, Optional, overload

from mtcore import _errors, _wire
from mtcore._message import Message
from mtcore._typing import Buffer, Out
from mtcore._py.aes import (
    _bytes_arg,
    _ige,
    _view,
    aes_kernels,
    ige_decrypt_many,
    ige_encrypt_many,
)
from mtcore._py.hashes import sha1, sha256, sha_kernels


_AUTH_KEY_SIZE = 256
_HEADER = struct.Struct("<qqqii")  # salt, session_id, msg_id, seq_no, length
_MIN_PACKET = 72  # 24 + (32-byte header + 12 bytes of padding, in blocks)
_INT64 = _wire.LONG_RANGE  # signed or unsigned 64-bit
_INT32 = _wire.WORD_RANGE


class AuthKey:
    """
    A 256-byte MTProto authorization key with its ``key_id`` and
    ``aux_hash`` computed once.

    :param data: the 256-byte key (big-endian DH result, left-padded with
        zeros).
    """

    __module__ = "mtcore.mtproto"  # its public home (the twin is private)

    __slots__ = ("_aux_hash", "_key", "_key_id")

    _key: bytes
    _key_id: bytes
    _aux_hash: bytes

    # Set up in __new__ (like the compiled __cinit__), so that calling
    # __init__ again cannot change a key; final and not picklable, as the
    # compiled class is.
    def __new__(cls, data: Buffer) -> AuthKey:
        key = _bytes_arg("auth_key", data, _AUTH_KEY_SIZE)
        digest = hashlib.sha1(key).digest()
        self = super().__new__(cls)
        self._key = key
        # auth_key_id = substr(SHA1(auth_key), 12, 8)  (core.telegram.org/mtproto/description)
        self._key_id = digest[12:20]
        # auth_key_aux_hash = substr(SHA1(auth_key), 0, 8)  (core.telegram.org/mtproto/auth_key)
        self._aux_hash = digest[0:8]
        return self

    def __init_subclass__(cls, **kwargs: Any) -> None:
        raise TypeError("type 'AuthKey' is not an acceptable base type")

    def __reduce__(self) -> Any:
        raise TypeError(f"cannot pickle {type(self).__qualname__!r} object")

    @property
    def key_id(self) -> bytes:
        """
        The 8-byte auth_key_id, ``SHA1(key)[12:20]``, as sent on the wire.
        """
        return self._key_id

    @property
    def aux_hash(self) -> bytes:
        """
        The 8-byte auth_key_aux_hash, ``SHA1(key)[0:8]``.
        """
        return self._aux_hash

    def __bytes__(self) -> bytes:
        return self._key

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AuthKey):
            return NotImplemented
        return hmac.compare_digest(self._key, other._key)

    def __ne__(self, other: object) -> bool:
        if not isinstance(other, AuthKey):
            return NotImplemented
        return not hmac.compare_digest(self._key, other._key)

    def __hash__(self) -> int:
        return hash(self._key_id)

    def __repr__(self) -> str:
        return f"AuthKey(key_id={self._key_id.hex()})"


def _auth_key(obj: Any) -> AuthKey:
    if isinstance(obj, AuthKey):
        return obj
    return AuthKey(obj)


def _key_bytes(obj: Any) -> bytes:
    if isinstance(obj, AuthKey):
        return obj._key
    return _bytes_arg("auth_key", obj, _AUTH_KEY_SIZE)


def _x(from_client: Any) -> int:
    # x = 0 for messages from client to server and x = 8 for those from
    # server to client (core.telegram.org/mtproto/description).
    return 0 if from_client else 8


def _int_arg(name: str, value: Any, lo: int, hi: int) -> int:
    if not isinstance(value, int):
        raise _errors.not_int(name, value)
    if not lo <= value <= hi:
        raise _errors.out_of_range(name, lo, hi, value)
    return int(value)


def _long_id(name: str, value: Any) -> int:
    # salt or session_id: an int (signed or unsigned 64-bit) or the 8
    # bytes of its wire form (little-endian, as Pyrogram keeps session_id).
    if isinstance(value, int):
        return _wire.signed(_int_arg(name, value, *_INT64), 64)
    try:
        view = memoryview(value)
    except TypeError:
        raise _errors.not_long_id(name, value) from None
    with view:
        raw = _bytes_arg(name, view, 8)
    return int.from_bytes(raw, "little", signed=True)


def _pad_len(n: int) -> int:
    # 12..27 bytes, making the total a multiple of 16 (Telethon's choice)
    return 12 + (-(n + 12)) % 16


def _padding_arg(padding: Buffer, plaintext_len: int) -> bytes:
    with _view("padding", padding) as view:
        n = len(view)
        if not 12 <= n <= 1024 or (plaintext_len + n) % 16:
            raise _errors.bad_padding(n, plaintext_len)
        return view.tobytes()


def _msg_key(key: bytes, data: bytes, x: int) -> bytes:
    # msg_key_large = SHA256(substr(auth_key, 88+x, 32) + plaintext + random_padding)
    h = hashlib.sha256(key[88 + x : 120 + x])
    h.update(data)
    # msg_key = substr(msg_key_large, 8, 16)
    return h.digest()[8:24]


def _kdf(key: bytes, mkey: bytes, x: int) -> tuple[bytes, bytes]:
    # core.telegram.org/mtproto/description#defining-aes-key-and-initialization-vector
    # sha256_a = SHA256(msg_key + substr(auth_key, x, 36))
    a = hashlib.sha256(mkey + key[x : x + 36]).digest()
    # sha256_b = SHA256(substr(auth_key, 40+x, 36) + msg_key)
    b = hashlib.sha256(key[40 + x : 76 + x] + mkey).digest()
    # aes_key = substr(sha256_a, 0, 8) + substr(sha256_b, 8, 16)
    #           + substr(sha256_a, 24, 8)
    aes_key = a[0:8] + b[8:24] + a[24:32]
    # aes_iv = substr(sha256_b, 0, 8) + substr(sha256_a, 8, 16)
    #          + substr(sha256_b, 24, 8)
    aes_iv = b[0:8] + a[8:24] + b[24:32]
    return aes_key, aes_iv


def _encrypt(auth_key: AuthKey, plaintext: bytes, padding: bytes, x: int) -> bytes:
    """
    The deterministic core of :func:`encrypt_message`: the caller draws the
    padding.
    """
    data = plaintext + padding
    mkey = _msg_key(auth_key._key, data, x)
    aes_key, aes_iv = _kdf(auth_key._key, mkey, x)
    # encrypted_message = auth_key_id + msg_key + AES256_IGE(data, aes_key, aes_iv)
    return auth_key._key_id + mkey + _ige(data, aes_key, aes_iv, False)


def _check_packet(auth_key: AuthKey, packet: memoryview) -> None:
    # Security guidelines, checks 1 and the length half of 4
    # (core.telegram.org/mtproto/security_guidelines).
    n = len(packet)
    if n >= 8 and not hmac.compare_digest(packet[:8], auth_key._key_id):
        raise _errors.key_id_mismatch()
    if n < _MIN_PACKET or (n - 24) % 16:
        raise _errors.packet_length(n)


def _decrypt_checked(
    auth_key: AuthKey, packet: memoryview, x: int
) -> tuple[bytes, int]:
    """
    IGE-decrypt a packet that passed :func:`_check_packet`.

    :returns: the decrypted bytes and the total length of header and
        message data; raises if msg_key or message_data_length is wrong.
    """
    mkey = packet[8:24].tobytes()
    aes_key, aes_iv = _kdf(auth_key._key, mkey, x)
    data = _ige(packet[24:].tobytes(), aes_key, aes_iv, True)
    return data, _verify(auth_key._key, data, mkey, x)


def _verify(key: bytes, data: bytes, mkey: bytes, x: int) -> int:
    # Both checks are computed before either is reported (security
    # guidelines: check msg_key even if something else already failed).
    key_ok = hmac.compare_digest(_msg_key(key, data, x), mkey)
    n = len(data)
    length = int.from_bytes(data[28:32], "little", signed=True)
    len_ok = length >= 0 and length % 4 == 0 and 12 <= n - 32 - length <= 1024
    if not key_ok:
        raise _errors.msg_key_mismatch()
    if not len_ok:
        raise _errors.data_length(length, n)
    return 32 + length


# --- public functions --------------------------------------------------------


def msg_key(auth_key: AuthKey | Buffer, plaintext: Buffer, *, from_client: bool) -> bytes:
    """
    The msg_key of a plaintext: ``SHA256(auth_key[88+x:120+x] +
    plaintext)[8:24]``.

    :param auth_key: an :class:`AuthKey` or its 256 bytes.
    :param plaintext: the whole plaintext, padding included.
    :param from_client: ``True`` for a message the client sends (x = 0),
        ``False`` for one the server sends (x = 8).
    :returns: the 16-byte msg_key.
    """
    key = _key_bytes(auth_key)
    with _view("plaintext", plaintext) as view:
        return _msg_key(key, view.tobytes(), _x(from_client))


def kdf(auth_key: AuthKey | Buffer, msg_key: Buffer, *, from_client: bool) -> tuple[bytes, bytes]:
    """
    The MTProto 2.0 key derivation.

    :param auth_key: an :class:`AuthKey` or its 256 bytes.
    :param msg_key: the 16-byte msg_key.
    :param from_client: the direction, as for :func:`msg_key`.
    :returns: ``(aes_key, aes_iv)``, 32 bytes each.
    """
    key = _key_bytes(auth_key)
    mkey = _bytes_arg("msg_key", msg_key, 16)
    return _kdf(key, mkey, _x(from_client))


def encrypted_length(n: int) -> int:
    """
    The size of the packet :func:`encrypt_message` makes of ``n`` bytes of
    plaintext with its default padding: 24 + n + 12..27.
    """
    n = _int_arg("n", n, 0, 2**31 - 1)
    return 24 + n + _pad_len(n)


@overload
def encrypt_message(
    auth_key: AuthKey | Buffer,
    plaintext: Buffer,
    *,
    from_client: bool,
    padding: Optional[Buffer] = None,
    out: None = None,
) -> bytes: ...
@overload
def encrypt_message(
    auth_key: AuthKey | Buffer,
    plaintext: Buffer,
    *,
    from_client: bool,
    padding: Optional[Buffer] = None,
    out: Out,
) -> Out: ...
def encrypt_message(
    auth_key: AuthKey | Buffer,
    plaintext: Buffer,
    *,
    from_client: bool,
    padding: Optional[Buffer] = None,
    out: Optional[Buffer] = None,
) -> Any:
    """
    Encrypt one message: ``auth_key_id + msg_key + AES-256-IGE(plaintext +
    padding)``.

    :param auth_key: an :class:`AuthKey` or its 256 bytes.
    :param plaintext: the inner plaintext (header and message data); it is
        not parsed.
    :param from_client: the direction, as for :func:`msg_key`.
    :param padding: ``None`` for 12..27 random bytes (``os.urandom``), or
        12..1024 bytes that make the total a multiple of 16.
    :param out: optional writable buffer of exactly the packet's size.
    :returns: the packet as ``bytes``, or ``out``.
    """
    ak = _auth_key(auth_key)
    with _view("plaintext", plaintext) as view:
        pt = view.tobytes()
    if padding is None:
        pad_len = _pad_len(len(pt))
        pad = b""
    else:
        pad = _padding_arg(padding, len(pt))
        pad_len = len(pad)
    size = 24 + len(pt) + pad_len
    oview = None if out is None else _view("out", out, writable=True)
    try:
        if oview is not None and len(oview) != size:
            raise _errors.bad_length("out", size, len(oview))
        if padding is None:
            pad = os.urandom(pad_len)
        packet = _encrypt(ak, pt, pad, _x(from_client))
        if oview is None:
            return packet
        oview[:] = packet
        return out
    finally:
        if oview is not None:
            oview.release()


def encrypt_messages(
    auth_key: AuthKey | Buffer, plaintexts: Sequence[Buffer], *, from_client: bool
) -> list[bytes]:
    """
    :func:`encrypt_message` with random padding over each plaintext.

    :param plaintexts: a list or tuple of bytes-like objects.
    :returns: the packets, in order.
    """
    ak = _auth_key(auth_key)
    if not isinstance(plaintexts, (list, tuple)):
        raise _errors.not_sequence("plaintexts", plaintexts)
    pts = []
    for i, item in enumerate(tuple(plaintexts)):  # one snapshot, as compiled
        with _view(f"plaintexts[{i}]", item) as view:
            pts.append(view.tobytes())
    x = _x(from_client)
    return [_encrypt(ak, pt, os.urandom(_pad_len(len(pt))), x) for pt in pts]


def decrypt_message(auth_key: AuthKey | Buffer, packet: Buffer, *, from_client: bool) -> bytes:
    """
    Decrypt one packet and run the receiver checks: auth_key_id, packet
    length, msg_key (constant time) and message_data_length with 12..1024
    bytes of padding.

    :param auth_key: an :class:`AuthKey` or its 256 bytes.
    :param packet: ``auth_key_id + msg_key + ciphertext``.
    :param from_client: who sent it: ``False`` for a server message (x = 8)
        when a client decrypts.
    :returns: header and message data, without the padding.
    :raises SecurityError: a subclass naming the check that failed.
    """
    ak = _auth_key(auth_key)
    with _view("packet", packet) as view:
        _check_packet(ak, view)
        data, end = _decrypt_checked(ak, view, _x(from_client))
    return data[:end]


def decrypt_message_into(
    auth_key: AuthKey | Buffer, packet: Buffer, out: Buffer, *, from_client: bool
) -> int:
    """
    Like :func:`decrypt_message`, but write the decrypted bytes (padding
    included) into ``out``, which must hold at least ``len(packet) - 24``
    bytes.  On a failed check after decryption that part of ``out`` is
    zeroed before the error is raised.

    :returns: the length of header and message data, ``32 + L``.
    """
    ak = _auth_key(auth_key)
    with _view("packet", packet) as view:
        oview = _view("out", out, writable=True)
        try:
            n = max(len(view) - 24, 0)
            if len(oview) < n:
                raise _errors.out_too_small(n, len(oview))
            _check_packet(ak, view)
            mkey = view[8:24].tobytes()
            x = _x(from_client)
            aes_key, aes_iv = _kdf(ak._key, mkey, x)
            data = _ige(view[24:].tobytes(), aes_key, aes_iv, True)
            oview[:n] = data
            try:
                return _verify(ak._key, data, mkey, x)
            except BaseException:
                oview[:n] = bytes(n)
                raise
        finally:
            oview.release()


def pack_message(
    auth_key: AuthKey | Buffer,
    *,
    salt: int | Buffer,
    session_id: int | Buffer,
    msg_id: int,
    seq_no: int,
    body: Buffer,
    from_client: bool = True,
    padding: Optional[Buffer] = None,
) -> bytes:
    """
    Build and encrypt one message: ``salt + session_id + msg_id + seq_no +
    len(body) + body`` (little-endian), then :func:`encrypt_message`.

    :param salt: the server salt: an int (signed or unsigned 64-bit), or
        its 8 bytes as on the wire (little-endian).
    :param session_id: likewise (Pyrogram keeps it as 8 bytes).
    :param msg_id: signed or unsigned 64-bit; divisible by 4 from the
        client, odd from the server.
    :param seq_no: signed or unsigned 32-bit.
    :param body: the serialized TL object, a multiple of 4 bytes.
    :param from_client: the direction (default: the client sends).
    :param padding: as for :func:`encrypt_message`.
    :returns: the packet.
    """
    ak = _auth_key(auth_key)
    salt = _long_id("salt", salt)
    session_id = _long_id("session_id", session_id)
    msg_id = _wire.signed(_int_arg("msg_id", msg_id, *_INT64), 64)
    if (msg_id % 4 != 0) if from_client else (msg_id % 2 != 1):
        raise _errors.pack_msg_id(msg_id, bool(from_client))
    seq_no = _wire.signed(_int_arg("seq_no", seq_no, *_INT32), 32)
    with _view("body", body) as view:
        data = view.tobytes()
    if len(data) % 4:
        raise _errors.body_not_aligned(len(data))
    plaintext = _HEADER.pack(salt, session_id, msg_id, seq_no, len(data)) + data
    if padding is None:
        pad = os.urandom(_pad_len(len(plaintext)))
    else:
        pad = _padding_arg(padding, len(plaintext))
    return _encrypt(ak, plaintext, pad, _x(from_client))


def unpack_message(
    auth_key: AuthKey | Buffer, packet: Buffer, *, session_id: int | Buffer, from_client: bool = False
) -> Message:
    """
    :func:`decrypt_message`, then the session_id and msg_id parity checks.

    :param session_id: this session's id, as for :func:`pack_message`.
    :param from_client: who sent it (default: the server, so msg_id must be
        odd; a client's must be divisible by 4).
    :returns: a :class:`Message` with the integers as signed values.
    :raises SecurityError: a subclass naming the check that failed.
    """
    ak = _auth_key(auth_key)
    with _view("packet", packet) as view:
        expected = _long_id("session_id", session_id)
        _check_packet(ak, view)
        data, end = _decrypt_checked(ak, view, _x(from_client))
    salt, sid, msg_id, seq_no, _ = _HEADER.unpack_from(data)
    if sid != expected:
        raise _errors.session_mismatch()
    if (msg_id % 4 != 0) if from_client else (msg_id % 2 != 1):
        raise _errors.msg_id_parity(msg_id, bool(from_client))
    return Message(salt, sid, msg_id, seq_no, data[32:end])


def tmp_aes_key_iv(new_nonce: Buffer, server_nonce: Buffer) -> tuple[bytes, bytes]:
    """
    The temporary AES key and IV of the key exchange (steps 6-7).

    :param new_nonce: the client's 32-byte new_nonce.
    :param server_nonce: the 16-byte server_nonce.
    :returns: ``(tmp_aes_key, tmp_aes_iv)``, 32 bytes each.
    """
    nn = _bytes_arg("new_nonce", new_nonce, 32)
    sn = _bytes_arg("server_nonce", server_nonce, 16)
    nn_sn = hashlib.sha1(nn + sn).digest()
    sn_nn = hashlib.sha1(sn + nn).digest()
    nn_nn = hashlib.sha1(nn + nn).digest()
    # tmp_aes_key = SHA1(new_nonce + server_nonce)
    #               + substr(SHA1(server_nonce + new_nonce), 0, 12)
    key = nn_sn + sn_nn[0:12]
    # tmp_aes_iv = substr(SHA1(server_nonce + new_nonce), 12, 8)
    #              + SHA1(new_nonce + new_nonce) + substr(new_nonce, 0, 4)
    iv = sn_nn[12:20] + nn_nn + nn[0:4]
    return key, iv


def new_nonce_hash(auth_key: AuthKey | Buffer, new_nonce: Buffer, number: int) -> bytes:
    """
    new_nonce_hash1/2/3 of dh_gen_ok/retry/fail (key exchange step 9).

    :param auth_key: an :class:`AuthKey` or its 256 bytes.
    :param new_nonce: the 32-byte new_nonce.
    :param number: 1 (ok), 2 (retry) or 3 (fail).
    :returns: the 16-byte hash.
    """
    ak = _auth_key(auth_key)
    nn = _bytes_arg("new_nonce", new_nonce, 32)
    number = _int_arg("number", number, 1, 3)
    # new_nonce_hashN = substr(SHA1(new_nonce + byte(N) + auth_key_aux_hash), 4, 16)
    return hashlib.sha1(nn + bytes([number]) + ak._aux_hash).digest()[4:20]


class MtprotoKernel:
    """
    The functions above bound to one AES and one SHA kernel; the pure side
    has only ``("python", "python")``.  A test hook, mirrored by the
    compiled ``MtprotoKernel``.
    """

    def __init__(self, aes: str, sha: str) -> None:
        if aes not in aes_kernels():
            raise _errors.no_kernel(aes, aes_kernels())
        if sha not in sha_kernels():
            raise _errors.no_kernel(sha, sha_kernels(), "SHA")
        self.aes = aes
        self.sha = sha
        self.msg_key = msg_key
        self.kdf = kdf
        self.encrypt_message = encrypt_message
        self.encrypt_messages = encrypt_messages
        self.decrypt_message = decrypt_message
        self.decrypt_message_into = decrypt_message_into
        self.pack_message = pack_message
        self.unpack_message = unpack_message
        self.tmp_aes_key_iv = tmp_aes_key_iv
        self.new_nonce_hash = new_nonce_hash
        self.sha1 = sha1
        self.sha256 = sha256
        self.ige_encrypt_many = ige_encrypt_many
        self.ige_decrypt_many = ige_decrypt_many
