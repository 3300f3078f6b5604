"""
mtcore.session.ServerSession, message by message: client packets crafted
with the reference encryption (``mtproto_ref``, x = 0), the server's
packets read back with it (x = 8): every rule it enforces with its
notification, the service messages it answers, answers kept for resends,
and refused calls.
"""

from __future__ import annotations

import gzip
import struct
from typing import Any

import pytest
from mtproto_ref import HEADER, ref_decrypt, ref_encrypt, ref_padding_length

from mtcore import tl
from mtcore.exceptions import ArgumentTypeError, ArgumentValueError, MessageKeyMismatch
from mtcore.session import Query, ServerSession

T, F = tl.types, tl.functions
KEY = bytes((13 * i + 7) & 255 for i in range(256))
SID = 0x0A0B0C0D0E0F1011
SALT = 0x5A17
NOW = 1_700_000_000.0


class Client:
    """
    Crafts a client's packets (msg_ids ~ its clock, seq_nos by hand).
    """

    def __init__(self, offset: float = 0.0) -> None:
        self.offset = offset
        self.last = 0

    def msg_id(self, now: float = NOW) -> int:
        mid = max(int((now + self.offset) * 2**32) & ~3, self.last + 4)
        self.last = mid
        return mid

    def packet(self, body: bytes, seq_no: int, *, msg_id: int | None = None,
               salt: int = SALT, session_id: int = SID) -> bytes:
        mid = self.msg_id() if msg_id is None else msg_id
        plain = HEADER.pack(salt, session_id, mid, seq_no, len(body)) + body
        plain += bytes(ref_padding_length(len(plain)))
        return ref_encrypt(KEY, plain, 0)


def read(packet: bytes) -> list[tuple[int, int, Any]]:
    """
    The server's packet, decrypted by the reference: (msg_id, seq_no, object)
    of its message or each message of its container.
    """
    plain = ref_decrypt(KEY, packet, 8)
    salt, sid, mid, seq, length = HEADER.unpack_from(plain)
    assert sid == SID and mid % 2 == 1
    obj = tl.decode(plain[32 : 32 + length])
    if obj.tl_name == "msg_container":
        return [(m.msg_id, m.seqno, m.body) for m in obj.messages]
    return [(mid, seq, obj)]


def replies(server: ServerSession, now: float = NOW) -> list[tuple[int, int, Any]]:
    return [m for p in server.flush(now) for m in read(p)]


def by_name(msgs: list[tuple[int, int, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for _, _, obj in msgs:
        name = obj.tl_name if hasattr(obj, "tl_name") else type(obj).__name__
        out.setdefault(name, obj)
    return out


def started() -> tuple[ServerSession, Client]:
    # A server that saw (and answered nothing yet to) a first good message.
    server, client = ServerSession(KEY, salt=SALT), Client()
    assert server.receive(client.packet(bytes(T.msgs_ack(msg_ids=[1])), 0), NOW) == []
    return server, client


def test_first_message_and_query() -> None:
    server, client = ServerSession(KEY, salt=SALT), Client()
    assert server.flush(NOW) == []  # no session yet
    mid = client.msg_id()
    (q,) = server.receive(client.packet(bytes(F.help.getConfig()), 1, msg_id=mid), NOW)
    assert q == Query(mid, F.help.getConfig())
    server.reply(mid, T.nearestDc(country="X", this_dc=1, nearest_dc=1))
    msgs = replies(server)
    got = by_name(msgs)
    assert got["new_session_created"].first_msg_id == mid
    assert got["new_session_created"].server_salt == SALT
    assert got["rpc_result"].req_msg_id == mid
    assert got["msgs_ack"].msg_ids == [mid]
    # Answers are 1 mod 4, content-related ones odd seq_no, increasing.
    assert all(m % 4 == 1 for m, _, _ in msgs)
    content = [s for _, s, o in msgs if o.tl_name != "msgs_ack"]
    assert content == [1, 3]


@pytest.mark.parametrize("delta, code", [(-301, 16), (31, 17)])
def test_clock_notifications(delta: float, code: int) -> None:
    server, client = ServerSession(KEY, salt=SALT), Client(offset=delta)
    mid = client.msg_id()
    assert server.receive(client.packet(bytes(F.help.getConfig()), 1, msg_id=mid), NOW) == []
    (m_id, seq, note), = replies(server)
    assert note == T.bad_msg_notification(bad_msg_id=mid, bad_msg_seqno=1, error_code=code)
    assert seq % 2 == 0
    # The notification's msg_id carries the server's time.
    assert abs(m_id / 2**32 - NOW) < 1e-3


def test_rules() -> None:
    server, client = started()
    cases = [
        (client.msg_id() | 2, 1, bytes(F.help.getConfig()), 18),
        (client.msg_id(), 2, bytes(F.help.getConfig()), 35),  # a query must be odd
        (client.msg_id(), 3, bytes(T.msgs_ack(msg_ids=[1])), 34),  # an ack must be even
    ]
    for mid, seq, body, code in cases:
        assert server.receive(client.packet(body, seq, msg_id=mid), NOW) == []
        (_, _, note), = [m for m in replies(server) if m[2].tl_name == "bad_msg_notification"]
        assert (note.bad_msg_id, note.error_code) == (mid, code)
    # seq_no order: a higher msg_id with a lower seq_no (32), and the other way (33).
    server, client = started()
    hi = client.msg_id()
    server.receive(client.packet(bytes(F.help.getConfig()), 9, msg_id=hi), NOW)
    replies(server)
    later = client.msg_id()
    server.receive(client.packet(bytes(F.help.getConfig()), 5, msg_id=later), NOW)
    (_, _, note), = [m for m in replies(server) if m[2].tl_name == "bad_msg_notification"]
    assert (note.bad_msg_id, note.error_code) == (later, 32)
    earlier = hi - 400
    server.receive(client.packet(bytes(F.help.getConfig()), 11, msg_id=earlier), NOW)
    (_, _, note), = [m for m in replies(server) if m[2].tl_name == "bad_msg_notification"]
    assert (note.bad_msg_id, note.error_code) == (earlier, 33)


def test_bad_salt_and_future_salts() -> None:
    t = int(NOW)
    server = ServerSession(KEY, salt=SALT, future_salts=((t - 5, t + 60, 0x99), (t + 60, t + 120, 0x98)))
    client = Client()
    mid = client.msg_id()
    assert server.receive(client.packet(bytes(F.help.getConfig()), 1, msg_id=mid, salt=1), NOW) == []
    (_, _, note), = replies(server)
    assert note == T.bad_server_salt(bad_msg_id=mid, bad_msg_seqno=1, error_code=48, new_server_salt=SALT)
    # A future salt valid now is accepted; get_future_salts lists them.
    ask = client.msg_id()
    assert server.receive(client.packet(bytes(F.get_future_salts(num=5)), 3, msg_id=ask, salt=0x99), NOW) == []
    fs = by_name(replies(server))["future_salts"]
    assert fs.req_msg_id == ask and fs.now == t
    assert [(s.valid_since, s.valid_until, s.salt) for s in fs.salts] == [
        (t - 5, t + 60, 0x99), (t + 60, t + 120, 0x98)]


def test_ping_and_gzip_and_container() -> None:
    server, client = started()
    ping, query = client.msg_id(), client.msg_id()
    inner = [
        (ping, 1, bytes(F.ping_delay_disconnect(ping_id=7, disconnect_delay=75))),
        (query, 3, bytes(T.gzip_packed(packed_data=gzip.compress(bytes(F.help.getConfig()))))),
    ]
    body = struct.pack("<Ii", 0x73F1F8DC, 2) + b"".join(
        struct.pack("<qii", m, s, len(b)) + b for m, s, b in inner)
    events = server.receive(client.packet(body, 4), NOW)
    assert events == [Query(query, F.help.getConfig())]
    got = by_name(replies(server))
    assert got["pong"] == T.pong(msg_id=ping, ping_id=7)
    # ping_delay_disconnect sets when to close; each one sets it anew.
    assert server.disconnect_at == NOW + 75
    server.receive(client.packet(bytes(F.ping_delay_disconnect(ping_id=8, disconnect_delay=5)), 5), NOW + 1)
    assert server.disconnect_at == NOW + 6
    server.receive(client.packet(bytes(F.ping(ping_id=9)), 7), NOW + 2)
    assert server.disconnect_at == NOW + 6
    # A ping is answered with either parity (Pyrogram sends it with an even
    # seq_no, Telegram answers); other content-related messages are not.
    replies(server, NOW + 2)
    mid = client.msg_id()
    server.receive(client.packet(bytes(F.ping(ping_id=10)), 8, msg_id=mid), NOW + 2)
    assert by_name(replies(server, NOW + 2))["pong"] == T.pong(msg_id=mid, ping_id=10)
    mid = client.msg_id()
    server.receive(client.packet(bytes(F.ping_delay_disconnect(ping_id=11, disconnect_delay=5)), 8, msg_id=mid), NOW + 2)
    assert by_name(replies(server, NOW + 2))["bad_msg_notification"].error_code == 35
    # A container whose msg_id is not above its messages' is invalid (64).
    server, client = started()
    low = client.msg_id()
    high = client.msg_id()
    body = struct.pack("<Ii", 0x73F1F8DC, 1) + struct.pack("<qii", high, 1, 4) + bytes(F.help.getConfig())
    assert server.receive(client.packet(body, 2, msg_id=low), NOW) == []
    note = by_name(replies(server))["bad_msg_notification"]
    assert (note.bad_msg_id, note.error_code) == (low, 64)


def test_duplicates_resends_and_announce() -> None:
    server, client = started()
    mid = client.msg_id()
    packet = client.packet(bytes(F.help.getConfig()), 1, msg_id=mid)
    server.receive(packet, NOW)
    assert server.receive(packet, NOW) == []  # not answered yet: ignored
    server.reply(mid, T.boolTrue())
    answer_id = next(m for m, _, o in replies(server) if o.tl_name == "rpc_result")
    # The same query again: msg_detailed_info names the answer.
    assert server.receive(packet, NOW) == []
    info = by_name(replies(server))["msg_detailed_info"]
    assert (info.msg_id, info.answer_msg_id) == (mid, answer_id)
    # msg_resend_req: the kept answer again, with its msg_id, in a container.
    ask = client.packet(bytes(T.msg_resend_req(msg_ids=[answer_id])), 3)
    server.receive(ask, NOW + 1)
    (p,) = server.flush(NOW + 1)
    msgs = read(p)
    assert any(m == answer_id for m, _, _ in msgs) and len(msgs) >= 1
    assert HEADER.unpack_from(ref_decrypt(KEY, p, 8))[2] != answer_id
    # announce(): msg_new_detailed_info about the kept answer.
    server.announce(mid)
    new = by_name(replies(server, NOW + 2))["msg_new_detailed_info"]
    assert new.answer_msg_id == answer_id
    with pytest.raises(ArgumentValueError, match="a sent answer to msg_id 4 is not waiting"):
        server.announce(4)


def test_push_and_session_change() -> None:
    server, client = started()
    server.push(T.updatesTooLong())
    msgs = replies(server)
    assert [o.tl_name for _, _, o in msgs] == ["new_session_created", "updatesTooLong"]
    mid, seq, obj = msgs[1]
    assert mid % 4 == 3 and seq % 2 == 1 and msgs[0][0] % 4 == 1
    # A client on a new session id: the server follows, announcing it.
    other = 0x7777
    mid = client.msg_id()
    server.receive(client.packet(bytes(F.help.getConfig()), 1, msg_id=mid, session_id=other), NOW)
    assert server.session_id == other
    plain = ref_decrypt(KEY, server.flush(NOW)[0], 8)
    assert HEADER.unpack_from(plain)[1] == other


def test_undecodable_query_is_answerable() -> None:
    # A query of a constructor the schema lacks: DecodeFailed, and the
    # owner can still answer it with an error; a service message that does
    # not decode is not a query.
    server, client = started()
    assert server.disconnect_at is None
    mid = client.msg_id()
    events = server.receive(client.packet(b"\x78\x56\x34\x12" + bytes(8), 1, msg_id=mid), NOW)
    assert [type(e).__name__ for e in events] == ["DecodeFailed"] and events[0].msg_id == mid
    server.reply_error(mid, 400, "INPUT_METHOD_INVALID")
    msgs = replies(server)
    result = next(o for _, _, o in msgs if o.tl_name == "rpc_result")
    assert result.req_msg_id == mid
    assert result.result == T.rpc_error(error_code=400, error_message="INPUT_METHOD_INVALID")
    ack = client.msg_id()
    events = server.receive(client.packet(b"\x59\xb4\xd6\x62" + b"\x15\xc4\xb5\x1c" + (5).to_bytes(4, "little"), 2, msg_id=ack), NOW)
    assert [type(e).__name__ for e in events] == ["DecodeFailed"]
    with pytest.raises(ArgumentValueError, match="is not waiting"):
        server.reply_error(ack, 400, "X")


def test_refused() -> None:
    server, client = started()
    with pytest.raises(ArgumentValueError, match="a query with msg_id 8 is not waiting in this session"):
        server.reply(8, T.boolTrue())
    with pytest.raises(ArgumentTypeError, match="result must be a TL object or its TL bytes, not 'int'"):
        server.reply(8, 5)
    good = client.packet(bytes(F.help.getConfig()), 1)
    with pytest.raises(MessageKeyMismatch):
        server.receive(good[:30] + bytes([good[30] ^ 1]) + good[31:], NOW)
