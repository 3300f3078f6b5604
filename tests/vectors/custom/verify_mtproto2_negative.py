"""
Re-derives the outcome of every vector in ``tests/vectors/mtproto2_negative.json``
with code that shares nothing with its generator or with mtcore: the KDF of
Telethon (``MTProtoState._calc_key``) and the IGE of tgcrypto, msg_key with
hashlib, the header with struct.  The receiver checks run in the order of
MTPROTO.md 3.5; the first that fails must be the vector's ``error``, and a
``valid`` vector must decrypt to its ``decrypted`` bytes.

Run from the repository root (needs Telethon and tgcrypto)::

    python tests/vectors/custom/verify_mtproto2_negative.py
"""

from __future__ import annotations

import hashlib
import json
import struct
import sys
from pathlib import Path

import tgcrypto
from telethon.network.mtprotostate import MTProtoState

PATH = Path(__file__).resolve().parent.parent / "mtproto2_negative.json"


def outcome(v: dict) -> tuple[str, bytes]:
    key = bytes.fromhex(v["auth_key"])
    packet = bytes.fromhex(v["packet"])
    x = v["x"]
    if len(packet) >= 8 and packet[:8] != hashlib.sha1(key).digest()[12:20]:
        return "AuthKeyIdMismatch", b""
    if len(packet) < 72 or (len(packet) - 24) % 16:
        return "MessageLengthError", b""
    msg_key = packet[8:24]
    aes_key, aes_iv = MTProtoState._calc_key(key, msg_key, x == 0)
    data = tgcrypto.ige256_decrypt(packet[24:], aes_key, aes_iv)
    if hashlib.sha256(key[88 + x : 120 + x] + data).digest()[8:24] != msg_key:
        return "MessageKeyMismatch", b""
    _, session_id, msg_id, _, length = struct.unpack_from("<qqqii", data)
    padding = len(data) - 32 - length
    if length < 0 or length % 4 or not 12 <= padding <= 1024:
        return "MessageLengthError", b""
    if v["function"] == "unpack_message":
        if session_id != v["session_id"]:
            return "SessionIdMismatch", b""
        if (msg_id % 4 != 0) if x == 0 else (msg_id % 2 != 1):
            return "MessageIdError", b""
    return "valid", data[: 32 + length]


def main() -> int:
    doc = json.loads(PATH.read_text(encoding="utf-8"))
    bad = 0
    for v in doc["vectors"]:
        got, decrypted = outcome(v)
        want = v["error"] if v["expected"] == "invalid" else "valid"
        ok = got == want and (got != "valid" or decrypted.hex() == v["decrypted"])
        bad += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {v['name']}: {got}")
    print(f"{len(doc['vectors']) - bad}/{len(doc['vectors'])} agree")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
