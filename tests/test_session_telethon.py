"""
mtcore.session against Telethon 1.45's own MTProto code: what a
ServerSession packs, Telethon's ``MTProtoState.decrypt_message_data``
decrypts and parses (every check it makes, containers, rpc_result, gzip);
what ``MTProtoState`` encrypts, a ServerSession reads; what a client
Session packs, Telethon's KDF, IGE and TL reader read back; what Telethon's
KDF, IGE and TL objects build as server messages, a Session decodes.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import struct
import time
from typing import Any

import pytest

telethon = pytest.importorskip("telethon")

from telethon.crypto import AES, AuthKey  # noqa: E402
from telethon.extensions import BinaryReader  # noqa: E402
from telethon.network.mtprotostate import MTProtoState  # noqa: E402
from telethon.tl import functions as TF  # noqa: E402
from telethon.tl import types as TT  # noqa: E402
from telethon.tl.core import GzipPacked, MessageContainer, RpcResult  # noqa: E402

from mtcore import tl  # noqa: E402
from mtcore.session import Query, RpcFailed, RpcResult as Result, ServerSession, Session  # noqa: E402

T, F = tl.types, tl.functions
KEY = bytes((11 * i + 5) & 255 for i in range(256))
SALT = 0x1020304050607080


class _Loggers(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> logging.Logger:
        return logging.getLogger(key)


def telethon_state(session_id: int) -> MTProtoState:
    state = MTProtoState(AuthKey(KEY), _Loggers())
    state.id = session_id
    state.salt = SALT
    return state


def telethon_packet(state: MTProtoState, *requests: Any) -> list[bytes]:
    out = []
    for req in requests:
        buf = io.BytesIO()
        state.write_data_as_message(buf, bytes(req), True)
        out.append(state.encrypt_message_data(buf.getvalue()))
    return out


def test_server_session_and_telethon_client() -> None:
    now = time.time()  # MTProtoState checks msg_ids against the real clock
    state = telethon_state(int.from_bytes(os.urandom(8), "little", signed=True))
    server = ServerSession(KEY, salt=SALT)
    long_text = "Telethon gzips this " * 60
    requests = [
        TF.users.GetUsersRequest(id=[TT.InputUserSelf()]),
        TF.messages.SendMessageRequest(peer=TT.InputPeerSelf(), message=long_text, random_id=77),
        TF.help.GetNearestDcRequest(),
    ]
    queries = []
    for packet in telethon_packet(state, *requests):
        queries += server.receive(packet, now)
    # mtcore decoded each request (the long one came gzip_packed) as the
    # same bytes Telethon serialized.
    assert [type(q) for q in queries] == [Query] * 3
    assert [bytes(q.query) for q in queries] == [bytes(r) for r in requests]
    users = [T.userEmpty(id=i) for i in range(80)]  # large: gzipped by mtcore
    server.reply(queries[0].msg_id, b"\x15\xc4\xb5\x1c" + struct.pack("<i", 80)
                 + b"".join(bytes(u) for u in users))
    server.reply_error(queries[1].msg_id, 420, "FLOOD_WAIT_5")
    server.reply(queries[2].msg_id, T.nearestDc(country="DE", this_dc=4, nearest_dc=4))
    (packet,) = server.flush(now)
    msg = state.decrypt_message_data(packet)
    assert isinstance(msg.obj, MessageContainer)
    objs = {type(m.obj).__name__: m.obj for m in msg.obj.messages}
    assert isinstance(objs["NewSessionCreated"], TT.NewSessionCreated)
    assert objs["NewSessionCreated"].server_salt == SALT
    results = {r.req_msg_id: r for r in (m.obj for m in msg.obj.messages) if isinstance(r, RpcResult)}
    got_users = BinaryReader(results[queries[0].msg_id].body).tgread_object()
    assert [u.id for u in got_users] == list(range(80))
    err = results[queries[1].msg_id].error
    assert (err.error_code, err.error_message) == (420, "FLOOD_WAIT_5")
    dc = BinaryReader(results[queries[2].msg_id].body).tgread_object()
    assert (dc.country, dc.this_dc) == ("DE", 4)
    # The server acknowledged Telethon's three content-related messages.
    acks = [m.obj for m in msg.obj.messages if isinstance(m.obj, TT.MsgsAck)]
    assert sorted(a for ack in acks for a in ack.msg_ids) == sorted(q.msg_id for q in queries)


def _telethon_read_client_packet(packet: bytes) -> tuple[int, int, list[tuple[int, int, Any]]]:
    # A client packet, decrypted and parsed with Telethon's code (x = 0).
    msg_key = packet[8:24]
    key, iv = MTProtoState._calc_key(KEY, msg_key, True)
    plain = AES.decrypt_ige(packet[24:], key, iv)
    assert hashlib.sha256(KEY[88:120] + plain).digest()[8:24] == msg_key
    r = BinaryReader(plain)
    salt, session_id, msg_id, seq_no = r.read_long(), r.read_long(), r.read_long(), r.read_int()
    r.read_int()  # the length: tgread_object reads one object
    obj = r.tgread_object()
    if isinstance(obj, MessageContainer):
        return salt, session_id, [(m.msg_id, m.seq_no, m.obj) for m in obj.messages]
    return salt, session_id, [(msg_id, seq_no, obj)]


def test_session_packets_read_by_telethon() -> None:
    s = Session(KEY, salt=SALT, ping_interval=None)
    requests = [F.users.getUsers(id=[T.inputUserSelf()]),
                F.messages.sendMessage(peer=T.inputPeerSelf(), message="mtcore " * 200, random_id=5),
                F.help.getConfig()]
    reqs = [s.send(r) for r in requests]
    (packet,) = s.flush(time.time())
    salt, session_id, msgs = _telethon_read_client_packet(packet)
    assert (salt, session_id) == (SALT, s.session_id)
    assert [m for m, _, _ in msgs] == [r.msg_id for r in reqs]
    assert [q for _, q, _ in msgs] == [1, 3, 5]
    # The long one went gzip_packed; Telethon's GzipPacked unpacks it.
    assert [type(o) for _, _, o in msgs][1] is GzipPacked
    raw = [o.data if isinstance(o, GzipPacked) else bytes(o) for _, _, o in msgs]
    assert raw == [bytes(r) for r in requests]


def test_telethon_built_server_messages() -> None:
    # A server message built from Telethon's TL objects, KDF and IGE
    # (msg_key by the formula): the Session decodes it.
    s = Session(KEY, salt=SALT, ping_interval=None)
    now = time.time()
    req = s.send(F.users.getUsers(id=[T.inputUserSelf()]))
    s.flush(now)
    users = [TT.UserEmpty(id=3), TT.UserEmpty(id=4)]
    result = struct.pack("<Iq", 0xF35C6D01, req.msg_id) + b"\x15\xc4\xb5\x1c" + struct.pack("<i", 2)
    result += b"".join(bytes(u) for u in users)
    update = bytes(TT.UpdateShort(update=TT.UpdateLoginToken(), date=1))
    container = struct.pack("<Ii", 0x73F1F8DC, 2)
    base = (int(now * 2**32) & ~3) | 1
    for i, body in enumerate((result, update)):
        container += struct.pack("<qii", base + 4 * i, 2 * i + 1, len(body)) + body
    data = struct.pack("<qqqii", SALT, s.session_id, base + 8, 0, len(container)) + container
    data += os.urandom(-(len(data) + 12) % 16 + 12)
    msg_key = hashlib.sha256(KEY[96:128] + data).digest()[8:24]
    key, iv = MTProtoState._calc_key(KEY, msg_key, False)
    packet = AuthKey(KEY).key_id.to_bytes(8, "little") + msg_key + AES.encrypt_ige(data, key, iv)
    events = s.receive(packet, now)
    assert events[0] == Result(req, [T.userEmpty(id=3), T.userEmpty(id=4)])
    assert events[1].object == T.updateShort(update=T.updateLoginToken(), date=1)
    assert not any(isinstance(e, RpcFailed) for e in events)
