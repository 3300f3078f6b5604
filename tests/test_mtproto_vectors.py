"""
Known answers for the MTProto 2.0 layer on every implementation, both
directions: mtproto2_message.json (grammers' KDF and messages, the sample
key's ping and pong), auth_key_exchange.json (Telegram's worked key
exchange: key id, aux hash, temporary AES key, new_nonce_hash, the two IGE
steps) and the negative and limit vectors of mtproto2_negative.json, with
the exact exception type and text.
"""

from __future__ import annotations

import importlib.util
import sys

import pytest
from mtproto_ref import HEADER, handshake, mtproto_vectors, negative_vectors
from utils import VECTORS_DIR

from mtcore import exceptions

KDF = mtproto_vectors("kdf")
ENCRYPT = mtproto_vectors("encrypt")
DECRYPT = mtproto_vectors("decrypt")
NEGATIVE = negative_vectors()
HS = handshake()


def h(s: str) -> bytes:
    return bytes.fromhex(s)


def ids(vs):
    return [v["name"] for v in vs]


# --- KDF and msg_key ---------------------------------------------------------


@pytest.mark.parametrize("v", KDF + ENCRYPT + DECRYPT, ids=ids(KDF + ENCRYPT + DECRYPT))
def test_kdf(mt_impl, v):
    key = h(v["auth_key"])
    aes_key, aes_iv = mt_impl.kdf(key, h(v["msg_key"]), from_client=v["x"] == 0)
    assert (aes_key, aes_iv) == (h(v["aes_key"]), h(v["aes_iv"]))
    # an AuthKey and other buffer types give the same
    ak = mt_impl.AuthKey(key)
    assert mt_impl.kdf(ak, bytearray(h(v["msg_key"])), from_client=v["x"] == 0) == (
        aes_key,
        aes_iv,
    )


@pytest.mark.parametrize("v", ENCRYPT + DECRYPT, ids=ids(ENCRYPT + DECRYPT))
def test_msg_key(mt_impl, v):
    key = h(v["auth_key"])
    data = h(v["plaintext_with_padding"])
    got = mt_impl.msg_key(key, data, from_client=v["x"] == 0)
    assert got == h(v["msg_key"])
    assert (
        mt_impl.msg_key(mt_impl.AuthKey(key), memoryview(data), from_client=v["x"] == 0)
        == got
    )
    if "msg_key_large" in v:
        assert got == h(v["msg_key_large"])[8:24]


@pytest.mark.parametrize("v", ENCRYPT + DECRYPT, ids=ids(ENCRYPT + DECRYPT))
def test_auth_key_id(mt_impl, v):
    key = mt_impl.AuthKey(h(v["auth_key"]))
    assert key.key_id == h(v["encrypted_message"])[:8]
    if "auth_key_id" in v:
        assert key.key_id == h(v["auth_key_id"])


# --- whole messages, both directions -----------------------------------------


def split(v):
    """
    (inner plaintext, padding) of a vector.
    """
    data = h(v["plaintext_with_padding"])
    if "padding" in v:
        pad = h(v["padding"])
    elif "fields" in v:
        pad = h(v["fields"]["padding"])
    else:  # a server message: header + message_data_length bytes
        length = int.from_bytes(data[28:32], "little")
        pad = data[32 + length :]
    assert data.endswith(pad)
    return data[: len(data) - len(pad)], pad


@pytest.mark.parametrize("v", ENCRYPT + DECRYPT, ids=ids(ENCRYPT + DECRYPT))
def test_encrypt_message(mt_impl, v):
    plaintext, pad = split(v)
    expected = h(v["encrypted_message"])
    fc = v["x"] == 0
    key = h(v["auth_key"])
    assert (
        mt_impl.encrypt_message(key, plaintext, from_client=fc, padding=pad) == expected
    )
    ak = mt_impl.AuthKey(key)
    out = bytearray(len(expected))
    res = mt_impl.encrypt_message(
        ak, bytearray(plaintext), from_client=fc, padding=memoryview(pad), out=out
    )
    assert res is out
    assert out == expected


@pytest.mark.parametrize("v", ENCRYPT + DECRYPT, ids=ids(ENCRYPT + DECRYPT))
def test_decrypt_message(mt_impl, v):
    data = h(v["plaintext_with_padding"])
    length = int.from_bytes(data[28:32], "little", signed=True)
    fc = v["x"] == 0
    key = h(v["auth_key"])
    packet = h(v["encrypted_message"])
    if v["name"] == "encrypt_client_payload":
        # its "plaintext" is free text, not a header: bytes 28..31 are no length
        with pytest.raises(exceptions.MessageLengthError):
            mt_impl.decrypt_message(key, packet, from_client=fc)
        return
    assert mt_impl.decrypt_message(key, packet, from_client=fc) == data[: 32 + length]
    out = bytearray(len(packet) - 24 + 3)
    n = mt_impl.decrypt_message_into(
        mt_impl.AuthKey(key), bytearray(packet), out, from_client=fc
    )
    assert n == 32 + length
    assert out[: len(data)] == data
    assert out[len(data) :] == bytes(3)


@pytest.mark.parametrize(
    "v",
    [v for v in ENCRYPT + DECRYPT if "fields" in v],
    ids=[v["name"] for v in ENCRYPT + DECRYPT if "fields" in v],
)
def test_pack_unpack(mt_impl, v):
    f = v["fields"]
    fc = v["x"] == 0
    key = h(v["auth_key"])
    packet = h(v["encrypted_message"])
    got = mt_impl.pack_message(
        key,
        salt=f["server_salt"],
        session_id=f["session_id"],
        msg_id=f["msg_id"],
        seq_no=f["seq_no"],
        body=h(f["message_data"]),
        from_client=fc,
        padding=h(f["padding"]),
    )
    assert got == packet
    msg = mt_impl.unpack_message(
        key, packet, session_id=f["session_id"], from_client=fc
    )
    assert tuple(msg) == (
        f["server_salt"],
        f["session_id"],
        f["msg_id"],
        f["seq_no"],
        h(f["message_data"]),
    )
    assert (msg.salt, msg.session_id, msg.msg_id, msg.seq_no) == tuple(msg)[:4]
    assert msg.body == h(f["message_data"])
    assert type(msg.body) is bytes


def test_unpack_server_container(mt_impl):
    (v,) = [v for v in DECRYPT if "parsed" in v]
    p = v["parsed"]
    msg = mt_impl.unpack_message(
        h(v["auth_key"]), h(v["encrypted_message"]), session_id=p["session_id"]
    )
    assert tuple(msg) == (
        p["server_salt"],  # negative: the signed value
        p["session_id"],
        p["msg_id"],
        p["seq_no"],
        h(p["message_data"]),
    )
    assert len(msg.body) == p["message_data_length"]


# --- the key exchange --------------------------------------------------------


def test_handshake_auth_key(mt_impl):
    key = mt_impl.AuthKey(h(HS["auth_key"]))
    assert key.key_id == h(HS["auth_key_id"])
    assert key.aux_hash == h(HS["auth_key_aux_hash"])
    assert (
        h(HS["sha1_auth_key"])
        == key.aux_hash + h(HS["sha1_auth_key"])[8:12] + key.key_id
    )
    assert int.from_bytes(key.key_id, "little", signed=True) == HS["auth_key_id_int64"]


def test_tmp_aes_key_iv(mt_impl):
    key, iv = mt_impl.tmp_aes_key_iv(h(HS["new_nonce"]), h(HS["server_nonce"]))
    assert key == h(HS["tmp_aes_key"])
    assert iv == h(HS["tmp_aes_iv"])
    parts = HS["tmp_aes_key_parts"]
    assert key[:20] == h(parts["sha1_new_nonce_server_nonce"])


@pytest.mark.parametrize("number", [1, 2, 3])
def test_new_nonce_hash(mt_impl, number):
    expected = h(HS[f"new_nonce_hash{number}"])
    raw = h(HS["auth_key"])
    nn = h(HS["new_nonce"])
    assert mt_impl.new_nonce_hash(raw, nn, number) == expected
    assert (
        mt_impl.new_nonce_hash(mt_impl.AuthKey(raw), bytearray(nn), number) == expected
    )


def test_new_nonce_hash1_is_in_dh_gen_ok(mt_impl):
    got = mt_impl.new_nonce_hash(h(HS["auth_key"]), h(HS["new_nonce"]), 1)
    assert h(HS["dh_gen_ok_packet"]).endswith(got)


def test_handshake_ige_many(mt_impl):
    key, iv = h(HS["tmp_aes_key"]), h(HS["tmp_aes_iv"])
    answer = h(HS["answer_with_hash"])
    client = h(HS["client_data_with_hash"])
    dec = mt_impl.ige_decrypt_many(
        [
            (h(HS["encrypted_answer"]), key, iv),
            (h(HS["client_encrypted_data"]), key, iv),
        ]
    )
    assert dec == [answer, client]
    enc = mt_impl.ige_encrypt_many(((client, key, iv), [answer, key, iv]))
    assert enc == [h(HS["client_encrypted_data"]), h(HS["encrypted_answer"])]
    assert mt_impl.ige_encrypt_many([]) == []
    assert mt_impl.ige_decrypt_many(()) == []


def test_handshake_answer_sha1(mt_impl):
    answer = h(HS["answer"])
    assert mt_impl.sha1(answer) == h(HS["answer_sha1"])
    assert mt_impl.sha1(
        answer[:7], bytearray(answer[7:300]), memoryview(answer[300:])
    ) == h(HS["answer_sha1"])


# --- negative and limit vectors ----------------------------------------------


def expect_error(v, func, *args, **kwargs):
    exc_type = getattr(exceptions, v["error"])
    with pytest.raises(exceptions.SecurityError) as info:
        func(*args, **kwargs)
    assert type(info.value) is exc_type
    assert str(info.value) == v["message"]


@pytest.mark.parametrize("v", NEGATIVE, ids=ids(NEGATIVE))
def test_negative_vector(mt_impl, v):
    key = h(v["auth_key"])
    packet = h(v["packet"])
    fc = v["from_client"]
    if v["function"] == "unpack_message":
        call = (mt_impl.unpack_message, key, packet)
        kwargs = {"session_id": v["session_id"], "from_client": fc}
    else:
        call = (mt_impl.decrypt_message, key, packet)
        kwargs = {"from_client": fc}
    if v["expected"] == "valid":
        decrypted = h(v["decrypted"])
        res = call[0](*call[1:], **kwargs)
        if v["function"] == "unpack_message":
            salt, sid, msg_id, seq_no, _ = HEADER.unpack_from(decrypted)
            assert tuple(res) == (salt, sid, msg_id, seq_no, decrypted[32:])
            # the session_id may be given unsigned too
            unsigned = v["session_id"] % 2**64
            res2 = mt_impl.unpack_message(
                key, packet, session_id=unsigned, from_client=fc
            )
            assert res2 == res
        else:
            assert res == decrypted
        return
    expect_error(v, *call, **kwargs)
    if v["function"] == "decrypt_message":
        # the same checks, in the same order, for decrypt_message_into and
        # unpack_message
        out = bytearray(max(len(packet) - 24, 0))
        expect_error(v, mt_impl.decrypt_message_into, key, packet, out, from_client=fc)
        assert out == bytes(len(out))
        expect_error(
            v,
            mt_impl.unpack_message,
            mt_impl.AuthKey(key),
            packet,
            session_id=0,
            from_client=fc,
        )


INTO_FAILURES = [
    v
    for v in NEGATIVE
    if v["function"] == "decrypt_message"
    and v.get("error") in ("MessageKeyMismatch", "MessageLengthError")
]


@pytest.mark.parametrize("v", INTO_FAILURES, ids=ids(INTO_FAILURES))
def test_decrypt_into_zeroes_out_on_failure(mt_impl, v):
    """
    A check that fails after decryption leaves zeros, not plaintext, in the
    part of out that was written; one that fails before leaves out as it
    was.  Bytes past len(packet) - 24 are never touched.
    """
    packet = h(v["packet"])
    n = max(len(packet) - 24, 0)
    out = bytearray(b"\xaa" * (n + 5))
    expect_error(
        v,
        mt_impl.decrypt_message_into,
        h(v["auth_key"]),
        packet,
        out,
        from_client=v["from_client"],
    )
    decrypted = len(packet) >= 72 and (len(packet) - 24) % 16 == 0
    assert out[:n] == (bytes(n) if decrypted else b"\xaa" * n)
    assert out[n:] == b"\xaa" * 5


def test_negative_vectors_reproduce():
    """
    The negative vector file is exactly what its committed generator (which
    does not use mtcore) writes.
    """
    pytest.importorskip("cryptography")
    path = VECTORS_DIR / "custom" / "generate_mtproto2_negative.py"
    spec = importlib.util.spec_from_file_location("_gen_mtproto2_negative", path)
    assert spec is not None and spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = gen
    try:
        spec.loader.exec_module(gen)
        text = gen.dump(gen.build())
    finally:
        del sys.modules[spec.name]
    assert (VECTORS_DIR / "mtproto2_negative.json").read_text(encoding="utf-8") == text
