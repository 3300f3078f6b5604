"""
Interoperability with the MTProto 2.0 code of the Python clients in use
today, both directions, on every implementation:

* Telethon: ``MTProtoState.encrypt_message_data`` (a client message, which
  mtcore must accept as a server would) and ``decrypt_message_data`` (which
  must accept mtcore's server messages: msg_key, session, odd msg_id, time
  window, TL body);
* Pyrogram: ``pyrogram.crypto.mtproto.pack`` and ``unpack``.

Both are test extras: each block skips when its peer is not installed.
"""

from __future__ import annotations

import io
import logging
import os
import random
import struct
import time

import pytest
from utils import import_pyrogram

SIZES = [1, 2, 40, 700]  # msgs_ack ids: bodies of 16 B .. 5.6 KiB


def rand_key(rng: random.Random) -> bytes:
    return rng.randbytes(256)


def server_msg_id(i: int) -> int:
    # now, as Telethon's time window wants it; = 1 (mod 4)
    return (int(time.time()) << 32) | (4 * i + 1)


def client_msg_id(i: int) -> int:
    return (int(time.time()) << 32) | (4 * i + 4)


# --- Telethon ----------------------------------------------------------------


class _Loggers(dict):
    def __missing__(self, key):
        return logging.getLogger(key)


@pytest.fixture(scope="module")
def telethon():
    pytest.importorskip("telethon")
    from telethon.crypto import AuthKey
    from telethon.network.mtprotostate import MTProtoState
    from telethon.tl import types

    def state(key: bytes, session_id: int, salt: int) -> MTProtoState:
        s = MTProtoState(AuthKey(key), _Loggers())
        s.id = session_id
        s.salt = salt
        return s

    return state, types


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("seed", range(2))
def test_telethon_client_to_mtcore(mt_impl, telethon, size, seed):
    make_state, types = telethon
    rng = random.Random(f"telethon-c2s-{size}-{seed}")
    key = rand_key(rng)
    session_id = rng.randrange(-(2**63), 2**63)
    salt = rng.randrange(-(2**63), 2**63)
    state = make_state(key, session_id, salt)
    body = bytes(types.MsgsAck(msg_ids=[rng.randrange(2**63) for _ in range(size)]))
    msg_id, seq_no = client_msg_id(seed), 2 * size + 1
    packet = state.encrypt_message_data(
        struct.pack("<qii", msg_id, seq_no, len(body)) + body
    )

    msg = mt_impl.unpack_message(
        mt_impl.AuthKey(key), packet, session_id=session_id, from_client=True
    )
    assert tuple(msg) == (salt, session_id, msg_id, seq_no, body)
    plain = mt_impl.decrypt_message(key, packet, from_client=True)
    assert (
        plain
        == struct.pack("<qqqii", salt, session_id, msg_id, seq_no, len(body)) + body
    )


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("seed", range(2))
def test_mtcore_server_to_telethon(mt_impl, telethon, size, seed):
    make_state, types = telethon
    rng = random.Random(f"telethon-s2c-{size}-{seed}")
    key = rand_key(rng)
    session_id = rng.randrange(-(2**63), 2**63)
    state = make_state(key, session_id, 0)
    ids = [rng.randrange(2**63) for _ in range(size)]
    body = bytes(types.MsgsAck(msg_ids=ids))
    msg_id = server_msg_id(seed)
    packet = mt_impl.pack_message(
        key,
        salt=rng.randrange(2**64),
        session_id=session_id % 2**64,  # unsigned form
        msg_id=msg_id,
        seq_no=3,
        body=body,
        from_client=False,
    )
    got = state.decrypt_message_data(packet)
    assert got is not None
    assert (got.msg_id, got.seq_no) == (msg_id, 3)
    assert isinstance(got.obj, types.MsgsAck) and got.obj.msg_ids == ids


def test_mtcore_pong_to_telethon(mt_impl, telethon):
    make_state, types = telethon
    key = os.urandom(256)
    state = make_state(key, 77, 0)
    # the msg_id once: two calls may straddle a second (the pure backend's
    # encryption takes a while), and the Pong would then differ
    ping_msg_id = client_msg_id(0)
    pong = bytes(types.Pong(msg_id=ping_msg_id, ping_id=-5))
    packet = mt_impl.encrypt_message(
        mt_impl.AuthKey(key),
        struct.pack("<qqqii", 1, 77, server_msg_id(0), 0, len(pong)) + pong,
        from_client=False,
        padding=os.urandom(1024 - (len(pong) + 32 + 1024) % 16),
    )
    got = state.decrypt_message_data(packet)
    assert got.obj == types.Pong(msg_id=ping_msg_id, ping_id=-5)


def test_telethon_rejects_mtcore_client_message(mt_impl, telethon):
    # the direction matters: a client message is not a server message
    make_state, types = telethon
    from telethon.errors import SecurityError as TelethonSecurityError

    key = os.urandom(256)
    state = make_state(key, 9, 0)
    body = bytes(types.Pong(msg_id=0, ping_id=0))
    packet = mt_impl.pack_message(
        key,
        salt=0,
        session_id=9,
        msg_id=client_msg_id(1),
        seq_no=0,
        body=body,
        from_client=True,
    )
    with pytest.raises(TelethonSecurityError):
        state.decrypt_message_data(packet)


# --- Pyrogram ----------------------------------------------------------------


@pytest.fixture(scope="module")
def pyrogram():
    import_pyrogram()
    from pyrogram.crypto import mtproto
    from pyrogram.raw import types
    from pyrogram.raw.core import Message

    return mtproto, types, Message


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("seed", range(2))
def test_pyrogram_pack_to_mtcore(mt_impl, pyrogram, size, seed):
    mtproto, types, Message = pyrogram
    rng = random.Random(f"pyrogram-c2s-{size}-{seed}")
    key = rand_key(rng)
    key_id = mt_impl.AuthKey(key).key_id
    session = rng.randbytes(8)
    salt = rng.randrange(-(2**63), 2**63)
    obj = types.MsgsAck(msg_ids=[rng.randrange(2**63) for _ in range(size)])
    body = obj.write()
    msg_id, seq_no = client_msg_id(seed), 4
    packet = mtproto.pack(
        Message(obj, msg_id, seq_no, len(body)), salt, session, key, key_id
    )

    session_id = int.from_bytes(session, "little", signed=True)
    msg = mt_impl.unpack_message(key, packet, session_id=session_id, from_client=True)
    assert tuple(msg) == (salt, session_id, msg_id, seq_no, body)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("seed", range(2))
def test_mtcore_to_pyrogram_unpack(mt_impl, pyrogram, size, seed):
    mtproto, types, _ = pyrogram
    rng = random.Random(f"pyrogram-s2c-{size}-{seed}")
    key = rand_key(rng)
    ak = mt_impl.AuthKey(key)
    session = rng.randbytes(8)
    ids = [rng.randrange(2**63) for _ in range(size)]
    body = types.MsgsAck(msg_ids=ids).write()
    msg_id = server_msg_id(seed)
    packet = mt_impl.pack_message(
        ak,
        salt=rng.randrange(-(2**63), 2**63),
        session_id=int.from_bytes(session, "little"),  # unsigned form
        msg_id=msg_id,
        seq_no=7,
        body=body,
        from_client=False,
    )
    got = mtproto.unpack(io.BytesIO(packet), session, key, ak.key_id)
    assert (got.msg_id, got.seq_no, got.length) == (msg_id, 7, len(body))
    assert got.body.msg_ids == ids


def test_pyrogram_kdf_matches(mt_impl, pyrogram):
    mtproto, _, _ = pyrogram
    rng = random.Random("pyrogram-kdf")
    for _ in range(4):
        key, mk = rng.randbytes(256), rng.randbytes(16)
        for outgoing in (True, False):
            assert mt_impl.kdf(key, mk, from_client=outgoing) == mtproto.kdf(
                key, mk, outgoing
            )
