"""
Writes ``tests/vectors/mtproto2_negative.json``: MTProto 2.0 packets that a
receiver must reject (each with the check that rejects it) and a few that
sit exactly on a limit and must be accepted (STYLE.md points 55 and 57).

Independent of mtcore: SHA-256 from hashlib, AES-256 from pyca/cryptography
(ECB, one block at a time), IGE, msg_key and the KDF written here from
MTPROTO.md sections 2.2 and 3.3.  Every packet is deterministic (no random
padding), so running this again must reproduce the file byte for byte;
``tests/test_mtproto_vectors.py`` checks that.  ``verify_mtproto2_negative.py``
next to this file re-derives every outcome with Telethon's KDF and
tgcrypto's IGE.

Run from the repository root::

    python tests/vectors/custom/generate_mtproto2_negative.py
"""

from __future__ import annotations

import hashlib
import json
import struct
from pathlib import Path
from typing import Any, Optional

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

OUT = Path(__file__).resolve().parent.parent / "mtproto2_negative.json"

# The auth key of Telegram's worked key exchange
# (core.telegram.org/mtproto/samples-auth_key, 2025-10 snapshot; the same
# key as in auth_key_exchange.json and mtproto2_message.json).
AUTH_KEY = bytes.fromhex(
    "871f0328064f71fe1a23c05f5d5b0fe4b06443cb2f28cfbc182b116e09135e3e"
    "1612e1d2e7c0659c1e9c9fca014b1c763564f6dde147a272b43753bb5eb29acd"
    "c817579cfc79b074416aad43ea252141e9bda65569ab322ac4b8d47ca143f0e8"
    "410c2ec4a193dff7085edea8efb5d4ebbddb51d013b61b11c76ccdeeee032330"
    "dce8c494bcfc990e374cef823c26d727fc59299622a994e4ca7233e96fc6b70c"
    "93b4882fe4650c3cff558c56978191c3dc12c57ec4404b139778e551eea0bce9"
    "4ba9424ccbeea856e839ec097802db10d10b19cbfe07e8d1d411eb68ba2a16b8"
    "f8797e8b8cc08293cc07fb81e93f12e3d9646e71f952f3f34095b0165a8d9b3b"
)
SALT = 1506894117605501418  # the sample's initial server salt
SESSION_ID = 1234605616436508552
SERVER_MSG_ID = 7557002104137580545  # = 1 (mod 4): a server response
CLIENT_MSG_ID = 7557002104137580548  # = 0 (mod 4)
# pong#347773c5 msg_id:long ping_id:long (as in mtproto2_message.json)
PONG = bytes.fromhex("c57377340400000060dddf680807060504030201")
# ping#7abe77ec ping_id:long
PING = bytes.fromhex("ec77be7a0807060504030201")
# the unencrypted req_pq_multi packet of the sample (auth_key_id = 0)
REQ_PQ_MULTI = bytes.fromhex(
    "0000000000000000aca807005edddf6814000000f18e7ebe37d3746b7f006b2c54257af5763139a5"
)

SOURCE = (
    "computed for mtcore by tests/vectors/custom/generate_mtproto2_negative.py "
    "(hashlib SHA-256, pyca/cryptography AES-256 block, IGE and KDF written "
    "from MTPROTO.md 2.2 and 3.3) with the auth key of Telegram's sample "
    "key exchange; padding bytes are fixed patterns"
)
VERIFICATION = (
    "tests/vectors/custom/verify_mtproto2_negative.py: decrypted with "
    "Telethon 1.45.0 MTProtoState._calc_key and tgcrypto 1.2.5 "
    "ige256_decrypt, msg_key recomputed with hashlib, header read with "
    "struct; the first failing receiver check (MTPROTO.md 3.5) is the "
    "expected one"
)


# --- the reference crypto ----------------------------------------------------


def key_id(key: bytes) -> bytes:
    return hashlib.sha1(key).digest()[12:20]


def msg_key(key: bytes, data: bytes, x: int) -> bytes:
    return hashlib.sha256(key[88 + x : 120 + x] + data).digest()[8:24]


def kdf(key: bytes, mkey: bytes, x: int) -> tuple[bytes, bytes]:
    a = hashlib.sha256(mkey + key[x : x + 36]).digest()
    b = hashlib.sha256(key[40 + x : 76 + x] + mkey).digest()
    return a[:8] + b[8:24] + a[24:32], b[:8] + a[8:24] + b[24:32]


def _xor(a: bytes, b: bytes) -> bytes:
    return bytes(i ^ j for i, j in zip(a, b))


def ige_encrypt(data: bytes, key: bytes, iv: bytes) -> bytes:
    enc = Cipher(algorithms.AES(key), modes.ECB()).encryptor().update
    c_prev, p_prev = iv[:16], iv[16:]
    out = b""
    for i in range(0, len(data), 16):
        p = data[i : i + 16]
        c = _xor(enc(_xor(p, c_prev)), p_prev)
        out += c
        c_prev, p_prev = c, p
    return out


def seal(data: bytes, x: int, mkey: Optional[bytes] = None) -> bytes:
    """
    auth_key_id + msg_key + IGE(data); msg_key is the right one unless
    given (then the packet still decrypts to data, under the wrong key).
    """
    assert len(data) % 16 == 0
    if mkey is None:
        mkey = msg_key(AUTH_KEY, data, x)
    aes_key, aes_iv = kdf(AUTH_KEY, mkey, x)
    return key_id(AUTH_KEY) + mkey + ige_encrypt(data, aes_key, aes_iv)


def header(
    length: int,
    *,
    salt: int = SALT,
    session_id: int = SESSION_ID,
    msg_id: int = SERVER_MSG_ID,
    seq_no: int = 0,
) -> bytes:
    return struct.pack("<qqqii", salt, session_id, msg_id, seq_no, length)


def pattern(n: int, start: int = 0x30) -> bytes:
    return bytes((start + i) & 0xFF for i in range(n))


def flip(packet: bytes, index: int, bit: int = 0x01) -> bytes:
    b = bytearray(packet)
    b[index] ^= bit
    return bytes(b)


# --- the error texts of mtcore/_errors.py ------------------------------------


def packet_length(n: int) -> tuple[str, str]:
    return (
        "MessageLengthError",
        f"packet must be 24 + a multiple of 16 bytes and at least 72, got {n}",
    )


def data_length(length: int, n: int) -> tuple[str, str]:
    return (
        "MessageLengthError",
        (
            f"message_data_length {length} does not fit {n} decrypted bytes "
            "with 12..1024 bytes of padding"
        ),
    )


KEY_ID = ("AuthKeyIdMismatch", "the packet's auth_key_id is not this key's")
MSG_KEY = (
    "MessageKeyMismatch",
    "msg_key does not match the decrypted message (the usual causes: "
    "another auth key, or the wrong from_client direction)",
)
SESSION = ("SessionIdMismatch", "session_id is not this session's")


def parity(msg_id: int, from_client: bool) -> tuple[str, str]:
    rule = "divisible by 4" if from_client else "odd"
    sender = "client" if from_client else "server"
    return ("MessageIdError", f"msg_id {msg_id} from the {sender} must be {rule}")


# --- the vectors -------------------------------------------------------------


def vector(
    name: str,
    description: str,
    packet: bytes,
    *,
    x: int = 8,
    function: str = "decrypt_message",
    session_id: Optional[int] = None,
    error: Optional[tuple[str, str]] = None,
    decrypted: Optional[bytes] = None,
) -> dict[str, Any]:
    v: dict[str, Any] = {
        "name": name,
        "source": SOURCE,
        "verified": True,
        "verification": VERIFICATION,
        "description": description,
        "function": function,
        "x": x,
        "from_client": x == 0,
        "auth_key": AUTH_KEY.hex(),
        "packet": packet.hex(),
    }
    if session_id is not None:
        v["session_id"] = session_id
    if error is None:
        assert decrypted is not None
        v["expected"] = "valid"
        v["decrypted"] = decrypted.hex()
    else:
        v["expected"] = "invalid"
        v["error"], v["message"] = error
    return v


def build() -> dict[str, Any]:
    vs: list[dict[str, Any]] = []

    # A well-formed server pong: 32 + 20 + 12 = 64 bytes decrypted.
    pong_pt = header(len(PONG)) + PONG
    pong = seal(pong_pt + pattern(12), 8)

    # -- accepted, on the limits --------------------------------------------
    body = PONG[:4]
    pt = header(4) + body
    vs.append(
        vector(
            "valid_shortest_packet",
            "72 bytes: 4 bytes of message data and the minimum 12 of padding",
            seal(pt + pattern(12), 8),
            decrypted=pt,
        )
    )
    pt = header(0)
    vs.append(
        vector(
            "valid_empty_message_data",
            "message_data_length 0 with 16 bytes of padding",
            seal(pt + pattern(16), 8),
            decrypted=pt,
        )
    )
    vs.append(
        vector(
            "valid_pong_padding_12",
            "the pong of mtproto2_message.json with 12 bytes of padding",
            pong,
            decrypted=pong_pt,
        )
    )
    pt = header(16) + PONG[:16]
    vs.append(
        vector(
            "valid_padding_1024",
            "the maximum 1024 bytes of padding",
            seal(pt + pattern(1024), 8),
            decrypted=pt,
        )
    )
    pt = header(len(PING), msg_id=CLIENT_MSG_ID, seq_no=1) + PING
    vs.append(
        vector(
            "valid_client_ping_server_side",
            "a client ping (x = 0) as a server decrypts it",
            seal(pt + pattern(20), 0),
            x=0,
            decrypted=pt,
        )
    )

    # -- auth_key_id -------------------------------------------------------------
    vs.append(
        vector(
            "key_id_flipped",
            "the pong with the top bit of the last auth_key_id byte flipped",
            flip(pong, 7, 0x80),
            error=KEY_ID,
        )
    )
    vs.append(
        vector(
            "key_id_wrong_before_length",
            "40 bytes with another key id: the key id is checked before the length",
            flip(pong[:40], 0),
            error=KEY_ID,
        )
    )
    vs.append(
        vector(
            "key_id_zero_unencrypted_message",
            "the sample's unencrypted req_pq_multi packet (auth_key_id 0)",
            REQ_PQ_MULTI,
            error=KEY_ID,
        )
    )

    # -- packet length ----------------------------------------------------------
    vs.append(
        vector(
            "packet_empty",
            "no bytes at all",
            b"",
            error=packet_length(0),
        )
    )
    vs.append(
        vector(
            "packet_shorter_than_key_id",
            "7 bytes: too short to hold a key id, so only the length is checked",
            pong[:7],
            error=packet_length(7),
        )
    )
    vs.append(
        vector(
            "packet_key_id_only",
            "just the 8-byte key id",
            pong[:8],
            error=packet_length(8),
        )
    )
    vs.append(
        vector(
            "packet_56_bytes",
            "key id, msg_key and two blocks: below the 72-byte minimum",
            pong[:56],
            error=packet_length(56),
        )
    )
    vs.append(
        vector(
            "packet_trailing_bytes",
            "the pong with 5 more bytes (not 24 + 16k; mtcore does not trim)",
            pong + pattern(5),
            error=packet_length(len(pong) + 5),
        )
    )
    vs.append(
        vector(
            "packet_truncated",
            "the pong without its last byte",
            pong[:-1],
            error=packet_length(len(pong) - 1),
        )
    )

    # -- msg_key ------------------------------------------------------------------
    vs.append(
        vector(
            "msg_key_flipped_first_byte",
            "the pong with msg_key[0] flipped",
            flip(pong, 8),
            error=MSG_KEY,
        )
    )
    vs.append(
        vector(
            "msg_key_flipped_last_byte",
            "the pong with msg_key[15] flipped",
            flip(pong, 23, 0x80),
            error=MSG_KEY,
        )
    )
    vs.append(
        vector(
            "ciphertext_flipped_first_block",
            "the pong with the first ciphertext byte flipped",
            flip(pong, 24),
            error=MSG_KEY,
        )
    )
    vs.append(
        vector(
            "ciphertext_flipped_last_byte",
            "the pong with the last ciphertext byte flipped (padding only)",
            flip(pong, len(pong) - 1),
            error=MSG_KEY,
        )
    )
    vs.append(
        vector(
            "msg_key_of_other_padding",
            "decrypts cleanly to a well-formed pong, but msg_key is that of the "
            "same pong with other padding",
            seal(
                pong_pt + pattern(12),
                8,
                msg_key(AUTH_KEY, pong_pt + pattern(12, 0x31), 8),
            ),
            error=MSG_KEY,
        )
    )
    vs.append(
        vector(
            "wrong_direction",
            "a well-formed client message (x = 0) decrypted as a server one (x = 8)",
            seal(header(len(PING), msg_id=CLIENT_MSG_ID) + PING + pattern(20), 0),
            error=MSG_KEY,
        )
    )
    pt = header(-4) + pattern(32)
    vs.append(
        vector(
            "msg_key_and_length_both_wrong",
            "message_data_length -4 and a msg_key of other data: msg_key is "
            "reported first",
            seal(pt, 8, msg_key(AUTH_KEY, header(20) + pattern(32), 8)),
            error=MSG_KEY,
        )
    )

    # -- message_data_length (msg_key right, so only this check fails) --------------
    def bad_length(name: str, description: str, length: int, total: int) -> None:
        data = header(length) + pattern(total - 32)
        vs.append(
            vector(name, description, seal(data, 8), error=data_length(length, total))
        )

    bad_length("padding_8", "message_data_length 24 of 64: 8 bytes of padding", 24, 64)
    bad_length("padding_0", "message_data_length 32 of 64: no padding", 32, 64)
    bad_length(
        "padding_1040",
        "message_data_length 16 of 1088: 1040 bytes of padding",
        16,
        1088,
    )
    bad_length(
        "padding_1028",
        "message_data_length 12 of 1072: 1028 bytes of padding",
        12,
        1072,
    )
    bad_length("length_past_end", "message_data_length 36 of 64", 36, 64)
    bad_length(
        "length_int32_max_aligned", "message_data_length 0x7ffffffc", 0x7FFFFFFC, 64
    )
    bad_length("length_negative", "message_data_length -4", -4, 64)
    bad_length("length_int32_min", "message_data_length -2**31", -(2**31), 64)
    bad_length(
        "length_not_multiple_of_4",
        "message_data_length 18 of 64 (padding 14 is in range)",
        18,
        64,
    )

    # -- session_id and msg_id (unpack_message) ---------------------------------------
    vs.append(
        vector(
            "unpack_valid_pong",
            "the pong for its own session",
            pong,
            function="unpack_message",
            session_id=SESSION_ID,
            decrypted=pong_pt,
        )
    )
    vs.append(
        vector(
            "unpack_session_mismatch",
            "the pong for session_id + 1",
            pong,
            function="unpack_message",
            session_id=SESSION_ID + 1,
            error=SESSION,
        )
    )
    neg_session = -0x1122334455667788
    pt = header(len(PONG), session_id=neg_session, salt=-(2**63)) + PONG
    vs.append(
        vector(
            "unpack_negative_session_id",
            "session_id and salt negative as int64: give the session as the "
            "signed or the unsigned value",
            seal(pt + pattern(28), 8),
            function="unpack_message",
            session_id=neg_session,
            decrypted=pt,
        )
    )
    even = SERVER_MSG_ID + 1
    pt = header(len(PONG), msg_id=even) + PONG
    vs.append(
        vector(
            "unpack_server_msg_id_even",
            "a server message with an even msg_id",
            seal(pt + pattern(12), 8),
            function="unpack_message",
            session_id=SESSION_ID,
            error=parity(even, False),
        )
    )
    vs.append(
        vector(
            "unpack_session_before_parity",
            "wrong session and even msg_id: the session is reported first",
            seal(pt + pattern(12), 8),
            function="unpack_message",
            session_id=SESSION_ID - 1,
            error=SESSION,
        )
    )
    pt = header(len(PING), msg_id=CLIENT_MSG_ID) + PING
    vs.append(
        vector(
            "unpack_client_msg_id_valid",
            "a client message, msg_id divisible by 4",
            seal(pt + pattern(20), 0),
            x=0,
            function="unpack_message",
            session_id=SESSION_ID,
            decrypted=pt,
        )
    )
    for delta in (1, 2, 3):
        bad = CLIENT_MSG_ID + delta
        pt = header(len(PING), msg_id=bad) + PING
        vs.append(
            vector(
                f"unpack_client_msg_id_mod4_{delta}",
                f"a client message whose msg_id is {delta} (mod 4)",
                seal(pt + pattern(20), 0),
                x=0,
                function="unpack_message",
                session_id=SESSION_ID,
                error=parity(bad, True),
            )
        )
    neg = -(2**63) + 2  # even, and negative as an int64
    pt = header(len(PONG), msg_id=neg) + PONG
    vs.append(
        vector(
            "unpack_server_msg_id_negative_even",
            "a server message whose msg_id is negative and even",
            seal(pt + pattern(12), 8),
            function="unpack_message",
            session_id=SESSION_ID,
            error=parity(neg, False),
        )
    )

    return {
        "file": "mtproto2_negative.json",
        "description": (
            "MTProto 2.0 packets for the receiver checks (MTPROTO.md 3.5): "
            "'expected' is 'valid' (then 'decrypted' is header + message data "
            "without padding) or 'invalid' (then 'error' is the mtcore "
            "exception class and 'message' its text). 'x' is the x the "
            "receiver uses (8: a server message decrypted by a client); "
            "'function' is the mtcore function to call, with 'session_id' "
            "for unpack_message."
        ),
        "vectors": vs,
    }


def dump(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=1) + "\n"


if __name__ == "__main__":
    OUT.write_text(dump(build()), encoding="utf-8")
    print(f"wrote {OUT}")
