"""
Property tests for the MTProto layer and the hashes (STYLE.md point 59):
every compiled (AES, SHA) pair equals the pure twin, including the error
raised for random packets; encrypt/decrypt and pack/unpack round trips on
every implementation; SHA-1/SHA-256 equal hashlib on random splits.
"""

from __future__ import annotations

import hashlib
from typing import Any, Callable

import pytest

pytest.importorskip("hypothesis")

from hypothesis import example, given
from hypothesis import strategies as st
from mtproto_ref import ref_decrypt, ref_encrypt, ref_msg_key

from mtcore.exceptions import MtcoreError

KEY = st.binary(min_size=256, max_size=256)
MSG_KEY = st.binary(min_size=16, max_size=16)
INT64 = st.integers(-(2**63), 2**64 - 1)
INT32 = st.integers(-(2**31), 2**32 - 1)
BODY = st.integers(0, 300).flatmap(lambda n: st.binary(min_size=4 * n, max_size=4 * n))
FIXED_KEY = bytes(range(256))


def outcome(func: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[str, Any]:
    """
    ("ok", result) or (exception type name, text), to compare two sides.
    """
    try:
        return "ok", func(*args, **kwargs)
    except MtcoreError as exc:
        return type(exc).__name__, str(exc)


@st.composite
def padded(draw: Any) -> tuple[bytes, bytes]:
    """
    A plaintext and a valid padding for it (12..1024 bytes, total % 16 == 0).
    """
    pt = draw(st.binary(max_size=600))
    base = 12 + (-(len(pt) + 12)) % 16
    pad_len = base + 16 * draw(st.integers(0, (1024 - base) // 16))
    return pt, draw(st.binary(min_size=pad_len, max_size=pad_len))


# --- compiled == pure --------------------------------------------------------


@given(key=KEY, data=padded(), from_client=st.booleans())
def test_encrypt_equals_pure(mt_c_kernel, mt_py_kernel, key, data, from_client):
    pt, pad = data
    kw = dict(from_client=from_client, padding=pad)
    assert mt_c_kernel.encrypt_message(key, pt, **kw) == mt_py_kernel.encrypt_message(
        key, pt, **kw
    )
    assert mt_c_kernel.msg_key(key, pt + pad, from_client=from_client) == (
        mt_py_kernel.msg_key(key, pt + pad, from_client=from_client)
    )


@given(key=KEY, mk=MSG_KEY, from_client=st.booleans())
def test_kdf_equals_pure(mt_c_kernel, mt_py_kernel, key, mk, from_client):
    assert mt_c_kernel.kdf(key, mk, from_client=from_client) == mt_py_kernel.kdf(
        key, mk, from_client=from_client
    )


@st.composite
def packets(draw: Any) -> bytes:
    """
    Packets of every kind: random, with the right key id, or a real
    encryption of a random plaintext (valid or not) with some bytes changed.
    """
    kind = draw(st.sampled_from(["random", "key_id", "sealed", "tampered"]))
    key_id = hashlib.sha1(FIXED_KEY).digest()[12:20]
    if kind == "random":
        return draw(st.binary(max_size=200))
    if kind == "key_id":
        n = draw(st.integers(0, 12)) * 16 + draw(st.sampled_from([0, 0, 0, 1, 15]))
        return key_id + draw(st.binary(min_size=16 + n, max_size=16 + n))
    length = draw(st.sampled_from([0, 4, 8, 12, 20, -4, 2**31 - 4, 3]))
    total = draw(st.integers(3, 40)) * 16
    head = draw(st.binary(min_size=28, max_size=28)) + length.to_bytes(
        4, "little", signed=True
    )
    data = head + draw(st.binary(min_size=total - 32, max_size=total - 32))
    packet = bytearray(ref_encrypt(FIXED_KEY, data, draw(st.sampled_from([0, 8]))))
    if kind == "tampered":
        i = draw(st.integers(0, len(packet) - 1))
        packet[i] ^= draw(st.integers(1, 255))
    return bytes(packet)


@example(packet=b"", from_client=False, session_id=0)
@given(packet=packets(), from_client=st.booleans(), session_id=INT64)
def test_decrypt_equals_pure(
    mt_c_kernel, mt_py_kernel, packet, from_client, session_id
):
    for name, args, kw in [
        ("decrypt_message", (FIXED_KEY, packet), {}),
        ("unpack_message", (FIXED_KEY, packet), {"session_id": session_id}),
    ]:
        c = outcome(getattr(mt_c_kernel, name), *args, from_client=from_client, **kw)
        p = outcome(getattr(mt_py_kernel, name), *args, from_client=from_client, **kw)
        assert c == p
    c_out, p_out = bytearray(len(packet)), bytearray(len(packet))
    c = outcome(
        mt_c_kernel.decrypt_message_into,
        FIXED_KEY,
        packet,
        c_out,
        from_client=from_client,
    )
    p = outcome(
        mt_py_kernel.decrypt_message_into,
        FIXED_KEY,
        packet,
        p_out,
        from_client=from_client,
    )
    assert c == p
    assert c_out == p_out


@given(
    key=KEY,
    salt=INT64,
    session_id=INT64,
    msg_id=INT64,
    seq_no=INT32,
    body=BODY,
    from_client=st.booleans(),
    pad_seed=st.binary(min_size=1024, max_size=1024),
)
def test_pack_equals_pure(
    mt_c_kernel,
    mt_py_kernel,
    key,
    salt,
    session_id,
    msg_id,
    seq_no,
    body,
    from_client,
    pad_seed,
):
    n = 32 + len(body)
    pad = pad_seed[: 12 + (-(n + 12)) % 16]
    # a valid msg_id for the direction (the rule is tested on its own)
    msg_id = msg_id - msg_id % 4 if from_client else msg_id | 1
    if msg_id < -(2**63):
        msg_id += 4
    kw = dict(
        salt=salt,
        session_id=session_id,
        msg_id=msg_id,
        seq_no=seq_no,
        body=body,
        from_client=from_client,
        padding=pad,
    )
    assert mt_c_kernel.pack_message(key, **kw) == mt_py_kernel.pack_message(key, **kw)


@given(
    nn=st.binary(min_size=32, max_size=32),
    sn=st.binary(min_size=16, max_size=16),
    key=KEY,
    number=st.integers(1, 3),
)
def test_key_exchange_helpers_equal_pure(
    mt_c_kernel, mt_py_kernel, nn, sn, key, number
):
    assert mt_c_kernel.tmp_aes_key_iv(nn, sn) == mt_py_kernel.tmp_aes_key_iv(nn, sn)
    assert mt_c_kernel.new_nonce_hash(key, nn, number) == mt_py_kernel.new_nonce_hash(
        key, nn, number
    )


IGE_ITEM = st.tuples(
    st.integers(0, 40).flatmap(lambda n: st.binary(min_size=16 * n, max_size=16 * n)),
    st.binary(min_size=32, max_size=32),
    st.binary(min_size=32, max_size=32),
)


@given(items=st.lists(IGE_ITEM, max_size=40))
def test_ige_many_equals_pure(mt_c_kernel, mt_py_kernel, items):
    enc = mt_c_kernel.ige_encrypt_many(items)
    assert enc == mt_py_kernel.ige_encrypt_many(items)
    back = [(c, k, iv) for c, (_, k, iv) in zip(enc, items)]
    assert mt_c_kernel.ige_decrypt_many(back) == [d for d, _, _ in items]


JUNK = st.one_of(
    st.none(),
    st.integers(-(2**70), 2**70),
    st.text(max_size=4),
    st.binary(max_size=300),
    st.lists(st.binary(max_size=40), max_size=3),
    st.tuples(st.binary(max_size=40), st.binary(max_size=40), st.binary(max_size=40)),
)


@given(a=JUNK, b=JUNK, c=JUNK)
def test_junk_arguments_same_error(mt_c_kernel, mt_py_kernel, a, b, c):
    calls = [
        ("msg_key", (a, b), {"from_client": True}),
        ("kdf", (FIXED_KEY, a), {"from_client": False}),
        ("encrypt_message", (FIXED_KEY, a), {"from_client": True, "padding": b}),
        ("encrypt_messages", (FIXED_KEY, a), {"from_client": True}),
        (
            "pack_message",
            (FIXED_KEY,),
            {"salt": a, "session_id": 1, "msg_id": b, "seq_no": 0, "body": c},
        ),
        ("unpack_message", (FIXED_KEY, a), {"session_id": b}),
        ("new_nonce_hash", (FIXED_KEY, a, b), {}),
        ("tmp_aes_key_iv", (a, b), {}),
        ("ige_encrypt_many", ([a, b, c],), {}),
        ("sha256", (b"x", a, b), {}),
    ]
    for name, args, kw in calls:
        c_res = outcome(getattr(mt_c_kernel, name), *args, **kw)
        p_res = outcome(getattr(mt_py_kernel, name), *args, **kw)
        if c_res[0] == p_res[0] == "ok" and name in (
            "encrypt_message",
            "encrypt_messages",
            "pack_message",
        ):
            continue  # random padding: compared by the round trips
        assert c_res == p_res, name


# --- round trips, every implementation ---------------------------------------


@given(
    key=KEY,
    salt=INT64,
    session_id=INT64,
    seq_no=INT32,
    body=BODY,
    from_client=st.booleans(),
    msg_hi=st.integers(0, 2**61 - 1),
)
def test_pack_unpack_round_trip(
    mt_impl, key, salt, session_id, seq_no, body, from_client, msg_hi
):
    msg_id = 4 * msg_hi + (0 if from_client else 1)
    packet = mt_impl.pack_message(
        key,
        salt=salt,
        session_id=session_id,
        msg_id=msg_id,
        seq_no=seq_no,
        body=body,
        from_client=from_client,
    )
    msg = mt_impl.unpack_message(
        key, packet, session_id=session_id, from_client=from_client
    )

    def s64(v: int) -> int:
        return v - 2**64 if v >= 2**63 else v

    assert tuple(msg) == (
        s64(salt),
        s64(session_id),
        msg_id,
        seq_no - 2**32 if seq_no >= 2**31 else seq_no,
        body,
    )
    # and the reference decrypts it to the same
    x = 0 if from_client else 8
    data = ref_decrypt(key, packet, x)
    assert data[32 : 32 + len(body)] == body
    assert ref_msg_key(key, data, x) == packet[8:24]


@given(
    key=KEY,
    head=st.binary(min_size=28, max_size=28),
    body=BODY,
    extra=st.integers(0, 62),
    from_client=st.booleans(),
    pad_bytes=st.binary(min_size=1024, max_size=1024),
)
def test_encrypt_decrypt_round_trip(
    mt_impl, key, head, body, extra, from_client, pad_bytes
):
    inner = head + len(body).to_bytes(4, "little") + body
    base = 12 + (-(len(inner) + 12)) % 16
    pad = pad_bytes[: min(base + 16 * extra, 1024)]
    packet = mt_impl.encrypt_message(key, inner, from_client=from_client, padding=pad)
    assert packet == ref_encrypt(key, inner + pad, 0 if from_client else 8)
    assert mt_impl.decrypt_message(key, packet, from_client=from_client) == inner
    random_packet = mt_impl.encrypt_message(key, inner, from_client=from_client)
    assert mt_impl.decrypt_message(key, random_packet, from_client=from_client) == inner


# --- hashes against hashlib --------------------------------------------------


@example(data=b"", cuts=[])
@example(data=bytes(64 * 70 + 55), cuts=[1, 64, 4096])
@given(data=st.binary(max_size=5000), cuts=st.lists(st.integers(0, 5000), max_size=6))
def test_sha_equals_hashlib(mt_impl, data, cuts):
    points = sorted(min(c, len(data)) for c in cuts)
    parts = [data[a:b] for a, b in zip([0, *points], [*points, len(data)])]
    assert mt_impl.sha1(*parts) == hashlib.sha1(data).digest()
    assert mt_impl.sha256(*parts) == hashlib.sha256(data).digest()
