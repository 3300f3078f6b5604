"""
An MTProto 2.0 reference for the tests, independent of mtcore: hashlib for
SHA, ``utils.ref_ige`` (OpenSSL's AES block) for IGE, the formulas of
MTPROTO.md section 3.3 written out once more.  Also the loaders of the
MTProto vector files.
"""

from __future__ import annotations

import hashlib
import json
import struct
from typing import Any

from utils import VECTORS_DIR, ref_ige

HEADER = struct.Struct("<qqqii")  # salt, session_id, msg_id, seq_no, length


def load_json(filename: str) -> dict[str, Any]:
    with open(VECTORS_DIR / filename, encoding="utf-8") as f:
        doc: dict[str, Any] = json.load(f)
    return doc


def mtproto_vectors(kind: str) -> list[dict[str, Any]]:
    """
    The entries of mtproto2_message.json of one kind ("kdf", "encrypt",
    "decrypt"), as loaded (hex left as str).
    """
    vs = [v for v in load_json("mtproto2_message.json")["vectors"] if v["kind"] == kind]
    assert vs, kind
    return vs


def handshake() -> dict[str, Any]:
    """
    Telegram's worked key exchange (auth_key_exchange.json).
    """
    doc = load_json("auth_key_exchange.json")
    (v,) = doc["vectors"]
    return v


def negative_vectors() -> list[dict[str, Any]]:
    return list(load_json("mtproto2_negative.json")["vectors"])


def ref_key_id(key: bytes) -> bytes:
    return hashlib.sha1(key).digest()[12:20]


def ref_msg_key(key: bytes, data: bytes, x: int) -> bytes:
    return hashlib.sha256(key[88 + x : 120 + x] + data).digest()[8:24]


def ref_kdf(key: bytes, mkey: bytes, x: int) -> tuple[bytes, bytes]:
    a = hashlib.sha256(mkey + key[x : x + 36]).digest()
    b = hashlib.sha256(key[40 + x : 76 + x] + mkey).digest()
    return a[:8] + b[8:24] + a[24:32], b[:8] + a[8:24] + b[24:32]


def ref_encrypt(key: bytes, data: bytes, x: int) -> bytes:
    """
    auth_key_id + msg_key + IGE(data), data already padded.
    """
    mkey = ref_msg_key(key, data, x)
    aes_key, aes_iv = ref_kdf(key, mkey, x)
    return ref_key_id(key) + mkey + ref_ige(aes_key, aes_iv, data, decrypt=False)


def ref_decrypt(key: bytes, packet: bytes, x: int) -> bytes:
    """
    The whole decrypted plaintext (padding included), without any check.
    """
    aes_key, aes_iv = ref_kdf(key, packet[8:24], x)
    return ref_ige(aes_key, aes_iv, packet[24:], decrypt=True)


def ref_tmp_key_iv(new_nonce: bytes, server_nonce: bytes) -> tuple[bytes, bytes]:
    """
    The key exchange's temporary AES key and IV
    (core.telegram.org/mtproto/auth_key, "Server responds with
    Server_DH_Params").
    """

    def h(*parts: bytes) -> bytes:
        return hashlib.sha1(b"".join(parts)).digest()

    a, b, c = (
        h(new_nonce, server_nonce),
        h(server_nonce, new_nonce),
        h(new_nonce, new_nonce),
    )
    return a + b[:12], b[12:] + c + new_nonce[:4]


def ref_padding_length(n: int) -> int:
    """
    The smallest padding of at least 12 bytes that makes n + padding a
    multiple of 16 (MTPROTO.md 3.2), found by counting.
    """
    p = 12
    while (n + p) % 16:
        p += 1
    return p


def header(salt: int, session_id: int, msg_id: int, seq_no: int, length: int) -> bytes:
    return HEADER.pack(salt, session_id, msg_id, seq_no, length)
