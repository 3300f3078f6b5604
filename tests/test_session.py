"""
mtcore.session.Session, message by message: what the client packs (read
back with the reference decryption of ``mtproto_ref`` and a container
parser written here), and what it does with each server message, crafted
with the reference encryption: results decoded with the request's type,
RpcError, every service message, the security guidelines' checks, resend
and pending limits, pings, acknowledgments, bounded state and refused
arguments.  Two sessions talking through faults are in
``test_session_faults.py``; Telethon's MTProtoState in
``test_session_telethon.py``.
"""

from __future__ import annotations

import gzip
import random
import struct
import threading
from typing import Any

import pytest
from mtproto_ref import HEADER, ref_decrypt, ref_encrypt, ref_padding_length
from session_utils import START, user_query, vector

from mtcore import tl
from mtcore.exceptions import (
    ArgumentTypeError,
    ArgumentValueError,
    AuthKeyIdMismatch,
    BadMessageError,
    InvalidLength,
    MessageIdError,
    MessageKeyMismatch,
    PendingLimitError,
    ResendLimitError,
    RpcError,
    SessionIdMismatch,
    TLDecodeError,
)
from mtcore.session import (
    ServerSession,
    DecodeFailed,
    NewSession,
    Request,
    RpcFailed,
    RpcResult,
    Session,
    Update,
)
from mtcore.transport import Packet

T, F = tl.types, tl.functions
KEY = bytes((7 * i + 3) & 255 for i in range(256))
SID = 0x1122334455667788
SALT = 0x0102030405060708


# --- the server side, by the reference ---------------------------------------------


def sid_of(s: Session) -> int:
    return s.session_id


class Server:
    """
    Crafts the server's packets for one client session with the reference
    encryption (x = 8), and reads the client's (x = 0).
    """

    def __init__(self, session: Session, now: float = START) -> None:
        self.session = session
        self.last = int(now * 2**32) | 1

    def msg_id(self, now: float, residue: int = 1) -> int:
        mid = max(int(now * 2**32) & ~3, (self.last & ~3) + 4) | residue
        self.last = mid
        return mid

    def packet(self, body: bytes, *, now: float = START, msg_id: int | None = None,
               seq_no: int | None = None, session_id: int | None = None, salt: int = SALT) -> bytes:
        mid = self.msg_id(now) if msg_id is None else msg_id
        if seq_no is None:  # content-related, unless a container
            seq_no = 0 if body[:4] == b"\xdc\xf8\xf1\x73" else 1
        sid = sid_of(self.session) if session_id is None else session_id
        plain = HEADER.pack(salt, sid, mid, seq_no, len(body)) + body
        plain += bytes(ref_padding_length(len(plain)))
        return ref_encrypt(KEY, plain, 8)

    def container(self, messages: list[tuple[int, int, bytes]]) -> bytes:
        out = struct.pack("<Ii", 0x73F1F8DC, len(messages))
        for mid, seq, body in messages:
            out += struct.pack("<qii", mid, seq, len(body)) + body
        return out


def read(packet: bytes) -> tuple[int, int, int, int, bytes]:
    """
    The client's packet decrypted by the reference: (salt, session_id,
    msg_id, seq_no, body).
    """
    plain = ref_decrypt(KEY, packet, 0)
    salt, sid, mid, seq, length = HEADER.unpack_from(plain)
    return salt, sid, mid, seq, plain[32 : 32 + length]


def messages(packet: bytes) -> list[tuple[int, int, bytes]]:
    """
    The (msg_id, seq_no, body) of the client's packet: its message, or the
    messages of its container (checking the container's own rules).
    """
    _, _, mid, seq, body = read(packet)
    if body[:4] != b"\xdc\xf8\xf1\x73":
        return [(mid, seq, body)]
    assert seq % 2 == 0, "a container is not content-related"
    (count,) = struct.unpack_from("<i", body, 4)
    pos, out = 8, []
    for _ in range(count):
        i_mid, i_seq, n = struct.unpack_from("<qii", body, pos)
        out.append((i_mid, i_seq, body[pos + 16 : pos + 16 + n]))
        pos += 16 + n
    assert pos == len(body)
    assert all(i_mid < mid for i_mid, _, _ in out), "the container's msg_id is the highest"
    return out


def names(packet: bytes) -> list[str]:
    return [tl.decode(b).tl_name if b[:4] != b"\xa1\xcf\x72\x30" else "gzip_packed"
            for _, _, b in messages(packet)]


def rpc_result(req: Request, result: bytes) -> bytes:
    return struct.pack("<Iq", 0xF35C6D01, req.msg_id) + result


def client(**kw: Any) -> Session:
    kw.setdefault("session_id", SID)
    kw.setdefault("salt", SALT)
    kw.setdefault("ping_interval", None)
    kw.setdefault("random", random.Random(3).randbytes)
    return Session(KEY, **kw)


def sent(s: Session, *requests: Any, now: float = START) -> tuple[list[Request], list[bytes]]:
    reqs = [s.send(r) for r in requests]
    return reqs, s.flush(now)


# --- packing ------------------------------------------------------------------------------


def test_one_request() -> None:
    s = client()
    (req,), packets = sent(s, F.help.getConfig())
    assert len(packets) == 1
    salt, sid, mid, seq, body = read(packets[0])
    assert (salt, sid) == (SALT, SID)
    assert body == bytes(F.help.getConfig())
    assert mid == req.msg_id and mid % 4 == 0 and seq == req.seq_no == 1
    # msg_id ~ the time * 2**32, with the fractional part in the low bits.
    assert abs(mid / 2**32 - START) < 1e-6
    assert req.name == "help.getConfig" and req.result_type == "Config"
    assert s.flush(START + 1) == [] and s.pending == 1


def test_msg_ids_and_seq_nos() -> None:
    s = client(time_offset=-100.5)
    for _ in range(5):
        s.send(F.help.getConfig())
    (packet,) = s.flush(START)
    inner = messages(packet)
    ids = [m for m, _, _ in inner]
    assert ids == sorted(set(ids)) and all(m % 4 == 0 for m in ids)
    assert [q for _, q, _ in inner] == [1, 3, 5, 7, 9]
    assert abs(ids[0] / 2**32 - (START - 100.5)) < 1e-6
    # The same instant again: still increasing.
    s.send(F.help.getConfig())
    (p2,) = s.flush(START)
    assert read(p2)[2] > read(packet)[2] and read(p2)[3] == 11


def test_result_types() -> None:
    s = client()
    reqs, _ = sent(s,
                   F.users.getUsers(id=[T.inputUserSelf()]),
                   F.invokeWithLayer(layer=229, query=F.initConnection(
                       api_id=1, device_model="d", system_version="s", app_version="a",
                       system_lang_code="en", lang_pack="", lang_code="en",
                       query=F.help.getNearestDc())),
                   F.account.getPassword(),
                   F.auth.logOut())
    assert [r.result_type for r in reqs] == [
        "Vector<User>", "NearestDc", "account.Password", "auth.LoggedOut"]
    raw = s.send(bytes(F.help.getConfig()))
    typed = s.send(bytes(F.users.getUsers(id=[])), result_type="Vector<User>")
    assert raw.name is None and raw.result_type is None and typed.result_type == "Vector<User>"
    srv = Server(s)
    users = vector([T.userEmpty(id=5), T.userEmpty(id=6)])
    nearest = bytes(T.nearestDc(country="NL", this_dc=2, nearest_dc=4))
    events = s.receive(srv.packet(srv.container([
        (srv.msg_id(START), 1, rpc_result(reqs[0], users)),
        (srv.msg_id(START), 3, rpc_result(reqs[1], nearest)),
    ])), START)
    assert events == [RpcResult(reqs[0], [T.userEmpty(id=5), T.userEmpty(id=6)]),
                      RpcResult(reqs[1], T.nearestDc(country="NL", this_dc=2, nearest_dc=4))]
    s.flush(START)
    # A raw request's vector result, without a type, stays a RawVector.
    (ev,) = s.receive(srv.packet(rpc_result(raw, users)), START)
    assert isinstance(ev.result, tl.RawVector) and ev.result.decode("Vector<User>")[0].id == 5
    (ev,) = s.receive(srv.packet(rpc_result(typed, users)), START)
    assert ev.result == [T.userEmpty(id=5), T.userEmpty(id=6)]


def test_gzipped_results_and_errors() -> None:
    s = client()
    (a, b, c, d), _ = sent(s, F.users.getUsers(id=[]), F.help.getConfig(),
                           F.help.getNearestDc(), F.help.getNearestDc())
    srv = Server(s)
    packed = lambda b: bytes(T.gzip_packed(packed_data=gzip.compress(b)))  # noqa: E731
    longs = vector([T.userEmpty(id=i) for i in range(50)])
    err = bytes(T.rpc_error(error_code=420, error_message="FLOOD_WAIT_17"))
    events = s.receive(srv.packet(srv.container([
        (srv.msg_id(START), 1, rpc_result(a, packed(longs))),
        (srv.msg_id(START), 3, rpc_result(b, packed(err))),
        (srv.msg_id(START), 5, rpc_result(c, bytes(T.rpc_error(error_code=303, error_message="USER_MIGRATE_2")))),
        (srv.msg_id(START), 7, rpc_result(d, bytes(T.userEmpty(id=1)))),
    ])), START)
    assert events[0] == RpcResult(a, [T.userEmpty(id=i) for i in range(50)])
    assert isinstance(events[1], RpcFailed) and isinstance(events[1].error, RpcError)
    e = events[1].error
    assert (e.code, e.message, e.name, e.value, e.request) == (420, "FLOOD_WAIT_17", "FLOOD_WAIT", 17, b)
    assert str(e) == "RPC error 420: FLOOD_WAIT_17 (in answer to help.getConfig)"
    assert (events[2].error.name, events[2].error.value) == ("USER_MIGRATE", 2)
    # A result of the wrong type is a decoding failure of that request.
    assert isinstance(events[3], RpcFailed) and isinstance(events[3].error, TLDecodeError)
    assert "is not of type NearestDc" in str(events[3].error)
    assert s.pending == 0


def test_rpc_error_fields() -> None:
    for message, name, value in (
        ("FLOOD_WAIT_17", "FLOOD_WAIT", 17),
        ("USER_MIGRATE_2", "USER_MIGRATE", 2),
        ("SESSION_PASSWORD_NEEDED", "SESSION_PASSWORD_NEEDED", None),
        ("2FA_CONFIRM_WAIT_604800", "2FA_CONFIRM_WAIT", 604800),
        ("FILE_PART_5_MISSING", "FILE_PART_MISSING", 5),
        ("FLOOD_WAIT_" + "9" * 30, "FLOOD_WAIT", None),
        ("", "", None),
    ):
        e = RpcError(400, message)
        assert (e.code, e.message, e.name, e.value) == (400, message, name, value)
    assert repr(RpcError(303, "NETWORK_MIGRATE_4")) == "RpcError(303, 'NETWORK_MIGRATE_4')"
    import pickle

    back = pickle.loads(pickle.dumps(RpcError(420, "FLOOD_WAIT_3")))
    assert (back.code, back.value) == (420, 3)


def test_containers_limit_and_gzip() -> None:
    s = client()
    reqs = [s.send(user_query(k)) for k in range(250)]
    packets = s.flush(START)
    assert [len(messages(p)) for p in packets] == [100, 100, 50]
    assert [m for p in packets for m, _, _ in messages(p)] == [r.msg_id for r in reqs]
    # A large compressible request is gzip_packed; random bytes are not.
    big = F.messages.sendMessage(peer=T.inputPeerSelf(), message="spam " * 400, random_id=1)
    incompressible = F.upload.saveFilePart(file_id=1, file_part=0,
                                           bytes=random.Random(1).randbytes(900))
    small = F.messages.sendMessage(peer=T.inputPeerSelf(), message="hi", random_id=3)
    _, (packet,) = sent(s, big, incompressible, small)
    bodies = [b for _, _, b in messages(packet)]
    assert bodies[0][:4] == b"\xa1\xcf\x72\x30" and len(bodies[0]) < len(bytes(big))
    r = tl.Reader(bodies[0])
    assert r.read_constructor() == 0x3072CFA1
    assert gzip.decompress(r.read_bytes()) == bytes(big)
    assert bodies[1] == bytes(incompressible) and bodies[2] == bytes(small)
    # gzip_min=None never packs.
    s2 = client(gzip_min=None)
    _, (packet,) = sent(s2, big)
    assert read(packet)[4] == bytes(big)


def test_acks() -> None:
    s = client(ack_delay=10.0, ack_threshold=3)
    srv = Server(s)
    update = bytes(T.updatesTooLong())
    s.receive(srv.packet(update, seq_no=1), START)
    s.receive(srv.packet(bytes(T.pong(msg_id=4, ping_id=1)), seq_no=2), START)  # not content
    first = srv.last - 4
    assert s.next_flush(START) == START + 10.0
    assert s.flush(START + 5) == []
    # With a request, the ack rides along in the container.
    _, (packet,) = sent(s, F.help.getConfig(), now=START + 6)
    inner = messages(packet)
    assert [tl.decode(b).tl_name for _, _, b in inner] == ["help.getConfig", "msgs_ack"]
    ack_id, ack_seq, ack_body = inner[1]
    assert tl.decode(ack_body).msg_ids == [first] and ack_seq % 2 == 0
    # Alone once ack_delay passed ...
    s.receive(srv.packet(update, now=START + 7), START + 7)
    assert s.flush(START + 16) == []
    (alone,) = s.flush(START + 17)
    assert names(alone) == ["msgs_ack"]
    # ... or at ack_threshold.
    for _ in range(3):
        s.receive(srv.packet(update, now=START + 20), START + 20)
    assert s.next_flush(START + 20) == START + 20
    (alone,) = s.flush(START + 20)
    assert len(tl.decode(read(alone)[4]).msg_ids) == 3


# --- the checks on what arrives --------------------------------------------------------


def test_security_errors() -> None:
    s = client()
    srv = Server(s)
    good = srv.packet(bytes(T.updatesTooLong()))
    good_id = srv.last
    with pytest.raises(AuthKeyIdMismatch):
        s.receive(b"\x01" * 8 + good[8:], START)
    with pytest.raises(MessageKeyMismatch):
        s.receive(good[:40] + bytes([good[40] ^ 1]) + good[41:], START)
    with pytest.raises(SessionIdMismatch, match="session_id is not this session's"):
        s.receive(srv.packet(bytes(T.updatesTooLong()), session_id=SID + 1), START)
    with pytest.raises(MessageIdError, match="from the server must be odd"):
        s.receive(srv.packet(bytes(T.updatesTooLong()), msg_id=int(START * 2**32) & ~3), START)
    with pytest.raises(ArgumentTypeError, match="packet must be a bytes-like object"):
        s.receive("text", START)  # type: ignore[arg-type]
    # Nothing of those changed the state.
    assert s.receive(good, START) == [Update(good_id, T.updatesTooLong())]


def test_time_window() -> None:
    s = client(time_offset=50)
    srv = Server(s)
    body = bytes(T.updatesTooLong())
    server_now = START + 50
    for delta, kept in ((-301, False), (-299, True), (29, True), (31, False), (0, True)):
        mid = (int((server_now + delta) * 2**32) & ~3) | 3
        events = s.receive(srv.packet(body, msg_id=mid), START)
        assert (events == [Update(mid, T.updatesTooLong())]) == kept, delta
    # The ignored ones were not acknowledged either.
    (packet,) = s.flush(START + 100)
    assert len(tl.decode(read(packet)[4]).msg_ids) == 3


def test_duplicates() -> None:
    s = client(max_msg_ids=5)
    srv = Server(s)
    body = bytes(T.updatesTooLong())
    first = srv.packet(body)
    assert len(s.receive(first, START)) == 1
    assert s.receive(first, START) == []  # the same packet again
    ids = [srv.msg_id(START + 1) for _ in range(6)]
    for mid in ids[1:]:
        assert len(s.receive(srv.packet(body, msg_id=mid), START + 1)) == 1
    # Five ids kept: lower than all of them is refused, a new high one not.
    assert s.receive(srv.packet(body, msg_id=ids[0]), START + 1) == []
    assert len(s.receive(srv.packet(body, msg_id=srv.msg_id(START + 1)), START + 1)) == 1
    # In a container too: each inner msg_id is checked.
    dup = srv.msg_id(START + 1)
    events = s.receive(srv.packet(srv.container([(dup, 1, body), (dup, 1, body)])), START + 1)
    assert events == [Update(dup, T.updatesTooLong())]


def test_padded_packets() -> None:
    s = client()
    srv = Server(s)
    packet = srv.packet(bytes(T.updatesTooLong()))
    for pad in range(16):
        tail = bytes(range(pad))
        assert len(s.receive(Packet(packet + tail, padded=True), START)) == 1
        s._seen.clear()  # the same msg_id again, for the next padding
        assert len(s.receive(packet + tail, START, padded=True)) == 1
        s._seen.clear()
    with pytest.raises(Exception):
        s.receive(packet + b"\0\0\0\0", START)  # not padded: the length check


def test_updates_and_undecodable() -> None:
    s = client()
    srv = Server(s)
    short = bytes(T.updateShort(update=T.updateLoginToken(), date=5))
    zipped = bytes(T.gzip_packed(packed_data=gzip.compress(short)))
    unknown = b"\xef\xbe\xad\xde" + bytes(8)
    nested = srv.container([(srv.msg_id(START), 1, short)])
    zipped_id = srv.msg_id(START)
    events = s.receive(srv.packet(srv.container([
        (zipped_id, 1, zipped),
        (srv.msg_id(START), 3, unknown),
        (srv.msg_id(START), 5, nested),
    ])), START)
    assert events[0] == Update(zipped_id, T.updateShort(update=T.updateLoginToken(), date=5))
    assert isinstance(events[1], DecodeFailed) and events[1].body == unknown
    assert "unknown constructor 0xdeadbeef" in str(events[1].error)
    assert isinstance(events[2], DecodeFailed)
    # All three were content-related: all acknowledged.
    (packet,) = s.flush(START + 60)
    assert len(tl.decode(read(packet)[4]).msg_ids) == 3
    # A gzip bomb beyond max_unpacked is refused without unpacking it all.
    s2 = client(max_unpacked=4096)
    bomb = bytes(T.gzip_packed(packed_data=gzip.compress(bytes(1 << 20))))
    (ev,) = s2.receive(Server(s2).packet(bomb), START)
    assert isinstance(ev, DecodeFailed) and "unpacks to more than the 4096 bytes left" in str(ev.error)


# --- service messages ----------------------------------------------------------------------


def test_new_session_created() -> None:
    s = client()
    (old, kept), (packet,) = sent(s, F.help.getConfig(), F.help.getNearestDc())
    acked, _ = sent(s, F.help.getConfig(), now=START + 1)
    srv = Server(s)
    s.receive(srv.packet(bytes(T.msgs_ack(msg_ids=[acked[0].msg_id])), seq_no=0), START + 1)
    assert acked[0].acked
    later, _ = sent(s, F.auth.logOut(), now=START + 2)
    # first_msg_id is later's: the earlier unacknowledged one goes again,
    # but not those of the container named by first_msg_id.
    note = T.new_session_created(first_msg_id=later[0].msg_id, unique_id=9, server_salt=77)
    events = s.receive(srv.packet(bytes(note)), START + 3)
    assert events == [NewSession(later[0].msg_id, 9, 77)]
    assert s.salt == 77
    (again,) = s.flush(START + 3)
    resent = messages(again)
    assert [tl.decode(b).tl_name for _, _, b in resent][:2] == ["help.getConfig", "help.getNearestDc"]
    assert old.resends == 1 and old.msg_id == resent[0][0] != read(packet)[2]
    assert acked[0].resends == 0
    # A container as first_msg_id keeps its own messages.
    s2 = client()
    reqs2, (p2,) = sent(s2, F.help.getConfig(), F.help.getNearestDc())
    srv2 = Server(s2)
    note2 = T.new_session_created(first_msg_id=read(p2)[2], unique_id=1, server_salt=5)
    assert len(s2.receive(srv2.packet(bytes(note2)), START)) == 1
    assert s2.flush(START + 1) == [] and [r.resends for r in reqs2] == [0, 0]


def test_bad_server_salt() -> None:
    s = client(max_resends=2)
    (req,), (packet,) = sent(s, F.help.getConfig())
    srv = Server(s)
    bad = T.bad_server_salt(bad_msg_id=req.msg_id, bad_msg_seqno=1, error_code=48, new_server_salt=99)
    assert s.receive(srv.packet(bytes(bad), seq_no=0), START) == []
    assert s.salt == 99
    (p2,) = s.flush(START + 1)
    salt, _, mid, seq, body = read(p2)
    assert salt == 99 and mid == req.msg_id != read(packet)[2] and body == bytes(F.help.getConfig())
    assert seq == 3 and req.resends == 1
    # An answer to the first msg_id still counts.
    ev = s.receive(srv.packet(struct.pack("<Iq", 0xF35C6D01, read(packet)[2]) + bytes(T.boolTrue())), START)
    assert isinstance(ev[0], RpcFailed)  # boolTrue is not a Config
    # The resend limit: max_resends times again, then the request fails.
    (req2,), _ = sent(s, F.help.getConfig(), now=START + 2)
    for i in range(3):
        bad = T.bad_server_salt(bad_msg_id=req2.msg_id, bad_msg_seqno=1, error_code=48, new_server_salt=i)
        events = s.receive(srv.packet(bytes(bad), seq_no=0, now=START + 3 + i), START + 3 + i)
        s.flush(START + 3 + i)
    assert len(events) == 1 and isinstance(events[0].error, ResendLimitError)
    assert str(events[0].error) == "help.getConfig was sent 3 times without an answer (max_resends)"
    assert events[0].error.request is req2 and s.pending == 0


def test_bad_salt_for_a_container() -> None:
    s = client()
    reqs, (packet,) = sent(s, F.help.getConfig(), F.help.getNearestDc())
    srv = Server(s)
    container_id = read(packet)[2]
    bad = T.bad_server_salt(bad_msg_id=container_id, bad_msg_seqno=2, error_code=48, new_server_salt=5)
    s.receive(srv.packet(bytes(bad), seq_no=0), START)
    (again,) = s.flush(START)
    assert [m for m, _, _ in messages(again)] == [r.msg_id for r in reqs]
    assert all(r.resends == 1 for r in reqs)


def test_bad_msg_time_correction() -> None:
    for skew in (3600.0, -3600.0, 40.0):
        s = client()
        (req,), (packet,) = sent(s, F.help.getConfig())
        srv = Server(s)
        server_now = START + skew
        code = 16 if skew > 0 else 17
        note = T.bad_msg_notification(bad_msg_id=req.msg_id, bad_msg_seqno=1, error_code=code)
        # Outside the time window, and still taken: it names our message.
        at = lambda t: (int(t * 2**32) & ~3) | 1  # noqa: E731
        s.receive(srv.packet(bytes(note), seq_no=0, msg_id=at(server_now)), START)
        assert abs(s.time_offset - skew) < 1e-3
        (p2,) = s.flush(START + 1)
        assert abs(read(p2)[2] / 2**32 - (START + 1 + skew)) < 1e-3
        # Later server messages now pass the window.
        ok = srv.packet(bytes(T.updatesTooLong()), msg_id=at(server_now + 1))
        assert len(s.receive(ok, START + 1)) == 1


def test_untrusted_notifications() -> None:
    s = client()
    sent(s, F.help.getConfig())
    srv = Server(s)
    # Naming a message we did not send: ignored (no new salt, no clock change).
    bad = T.bad_server_salt(bad_msg_id=12345 * 4, bad_msg_seqno=1, error_code=48, new_server_salt=66)
    s.receive(srv.packet(bytes(bad), seq_no=0), START)
    note = T.bad_msg_notification(bad_msg_id=12345 * 4, bad_msg_seqno=1, error_code=16)
    far = START + 3600
    s.receive(srv.packet(bytes(note), seq_no=0, now=far, msg_id=srv.msg_id(far)), START)
    assert s.salt == SALT and s.time_offset == 0


def test_bad_msg_codes() -> None:
    for code in (18, 19, 34, 35, 64):
        s = client()
        (req,), _ = sent(s, F.help.getConfig())
        srv = Server(s)
        note = T.bad_msg_notification(bad_msg_id=req.msg_id, bad_msg_seqno=1, error_code=code)
        (ev,) = s.receive(srv.packet(bytes(note), seq_no=0), START)
        assert isinstance(ev, RpcFailed) and isinstance(ev.error, BadMessageError)
        assert ev.error.code == code and ev.error.request is req
        assert str(ev.error).startswith(f"the server refused help.getConfig: bad_msg_notification {code} (")
    for code in (20, 48):
        s = client()
        (req,), _ = sent(s, F.help.getConfig())
        srv = Server(s)
        note = T.bad_msg_notification(bad_msg_id=req.msg_id, bad_msg_seqno=1, error_code=code)
        assert s.receive(srv.packet(bytes(note), seq_no=0), START) == []
        old = req.msg_id
        s.flush(START)
        assert req.msg_id != old and req.resends == 1


def test_bad_msg_seqno_new_session() -> None:
    s = client()
    (a, b), _ = sent(s, F.help.getConfig(), F.help.getNearestDc())
    srv = Server(s)
    note = T.bad_msg_notification(bad_msg_id=a.msg_id, bad_msg_seqno=1, error_code=32)
    s.receive(srv.packet(bytes(note), seq_no=0), START)
    assert s.session_id != SID
    (p,) = s.flush(START)
    _, sid, _, _, _ = read(p)
    assert sid == s.session_id
    assert [q for _, q, _ in messages(p)] == [1, 3]  # seq_no counts again from 0
    # A late message of the old session is dropped, not an error.
    assert s.receive(srv.packet(bytes(T.updatesTooLong()), session_id=SID), START) == []


def test_future_salts() -> None:
    s = client()
    req = s.request_future_salts(3)
    s.flush(START)
    srv = Server(s)
    t = int(START)
    salts = [T.future_salt(valid_since=t - 10, valid_until=t + 100, salt=11),
             T.future_salt(valid_since=t + 100, valid_until=t + 200, salt=22)]
    answer = T.future_salts(req_msg_id=req.msg_id, now=t, salts=salts)
    (ev,) = s.receive(srv.packet(bytes(answer)), START)
    assert ev == RpcResult(req, answer)
    for at, salt in ((START + 1, 11), (START + 150, 22), (START + 250, 22)):
        s.send(F.help.getConfig())
        (p,) = s.flush(at)
        assert read(p)[0] == salt


def test_ping_pong() -> None:
    s = client(ping_interval=60.0)
    assert s.next_flush(START) is None
    assert s.flush(START) == []  # the timer starts
    assert s.next_flush(START + 1) == START + 60
    (p,) = s.flush(START + 60)
    (mid, seq, body), = messages(p)
    ping = tl.decode(body)
    assert ping.tl_name == "ping_delay_disconnect" and ping.disconnect_delay == 75 and seq % 2
    srv = Server(s)
    # An automatic ping's pong is no event.
    assert s.receive(srv.packet(bytes(T.pong(msg_id=mid, ping_id=ping.ping_id)), seq_no=0), START + 61) == []
    # A ping of the user's is a request like any.
    (req,), _ = sent(s, F.ping(ping_id=5), now=START + 62)
    (ev,) = s.receive(srv.packet(bytes(T.pong(msg_id=req.msg_id, ping_id=5)), seq_no=0), START + 62)
    assert ev == RpcResult(req, T.pong(msg_id=req.msg_id, ping_id=5))
    # A silent server: one automatic ping in flight at a time.
    for i in range(2, 10):
        s.flush(START + 60 * i)
    assert len(s._pending) <= 1


def test_detailed_info() -> None:
    s = client()
    (req,), _ = sent(s, F.help.getConfig())
    srv = Server(s)
    seen = srv.msg_id(START)
    s.receive(srv.packet(bytes(T.updatesTooLong()), msg_id=seen), START)
    s.flush(START + 100)  # the ack goes
    missing = srv.msg_id(START) + 400
    info = T.msg_detailed_info(msg_id=req.msg_id, answer_msg_id=seen, bytes=100, status=0)
    new = T.msg_new_detailed_info(answer_msg_id=missing, bytes=100, status=0)
    s.receive(srv.packet(srv.container([(srv.msg_id(START), 1, bytes(info)),
                                        (srv.msg_id(START), 3, bytes(new))])), START)
    assert req.acked
    (p,) = s.flush(START)
    bodies = {tl.decode(b).tl_name: tl.decode(b) for _, _, b in messages(p)}
    assert bodies["msg_resend_req"].msg_ids == [missing]
    assert seen in bodies["msgs_ack"].msg_ids


def test_server_asks_for_a_resend() -> None:
    s = client()
    (req,), (packet,) = sent(s, F.help.getConfig())
    srv = Server(s)
    s.receive(srv.packet(bytes(T.msg_resend_req(msg_ids=[req.msg_id]))), START)
    (again,) = s.flush(START + 1)
    # The same msg_id, inside a container with a new one.
    assert [m for m, _, _ in messages(again)][0] == req.msg_id == read(packet)[2]
    assert read(again)[2] != req.msg_id


# --- limits and resets ------------------------------------------------------------------------


def test_pending_limit_and_cancel() -> None:
    s = client(max_pending=2)
    a = s.send(F.help.getConfig())
    b = s.send(F.help.getConfig())
    with pytest.raises(PendingLimitError, match=r"^2 requests wait for their answers \(max_pending\)"):
        s.send(F.help.getConfig())
    ev = s.cancel(a)
    assert isinstance(ev, RpcFailed) and str(ev.error) == "help.getConfig was cancelled"
    c = s.send(F.help.getConfig())
    (p,) = s.flush(START)
    assert [m for m, _, _ in messages(p)] == [b.msg_id, c.msg_id]
    with pytest.raises(ArgumentValueError, match="is not waiting in this session"):
        s.cancel(a)
    s.cancel(b)
    # A late answer to a cancelled request: acknowledged and dropped.
    srv = Server(s)
    assert s.receive(srv.packet(rpc_result(b, bytes(T.boolTrue()))), START) == []


def test_connection_reset() -> None:
    s = client(max_resends=1)
    (young, acked), (packet,) = sent(s, F.help.getConfig(), F.help.getNearestDc())
    (old,), _ = sent(s, F.auth.logOut(), now=START - 250)
    srv = Server(s)
    s.receive(srv.packet(bytes(T.msgs_ack(msg_ids=[acked.msg_id])), seq_no=0), START)
    assert s.connection_reset(START + 5) == []
    (again,) = s.flush(START + 5)
    ids = [m for m, _, _ in messages(again)]
    assert young.msg_id in ids  # the same msg_id (young enough)
    assert old.msg_id in ids and old.msg_id > young.msg_id  # a new one (too old)
    assert acked.msg_id not in ids
    events = s.connection_reset(START + 6)
    assert {e.request for e in events} == {young, old}
    assert all(isinstance(e.error, ResendLimitError) for e in events)


def test_bounded_state() -> None:
    # A hostile (or chatty) server: tens of thousands of messages and
    # notifications, and the client never flushes.
    s = client(max_msg_ids=100)
    srv = Server(s)
    body = bytes(T.updatesTooLong())
    info = lambda i: bytes(T.msg_new_detailed_info(answer_msg_id=(i << 2) | 1, bytes=1, status=0))  # noqa: E731
    for i in range(120):
        msgs = [(srv.msg_id(START), 1, body if j % 2 else info(i * 100 + j)) for j in range(90)]
        s.receive(srv.packet(srv.container(msgs)), START)
    assert len(s._acks) <= 8192 and len(s._asks) <= 8192
    assert len(s._seen._ids) <= 100 and len(s._seen._heap) <= 100
    packets = s.flush(START)
    assert sum(len(tl.decode(b).msg_ids) for p in packets for _, _, b in messages(p)
               if tl.decode(b).tl_name == "msgs_ack") == 8192


def test_threads() -> None:
    s = client(max_pending=10_000)
    out: list[bytes] = []

    def work() -> None:
        for _ in range(200):
            s.send(F.help.getConfig())
        out.extend(s.flush(START))

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.extend(s.flush(START))
    ids = [m for p in out for m, _, _ in messages(p)]
    assert len(ids) == len(set(ids)) == 1200
    seqs = sorted(q for p in out for _, q, _ in messages(p))
    assert seqs == list(range(1, 2400, 2))


# --- arguments ---------------------------------------------------------------------------------


def test_refused_arguments() -> None:
    def raises(exc: type, text: str, f: Any, *a: Any, **kw: Any) -> None:
        with pytest.raises(exc) as info:
            f(*a, **kw)
        assert str(info.value) == text

    raises(ArgumentValueError, "userEmpty is a constructor: only functions are requests",
           client().send, T.userEmpty(id=1))
    raises(ArgumentTypeError, "request must be a TL function object or its TL bytes, not 'int'",
           client().send, 5)
    raises(InvalidLength, "request must be a non-empty multiple of 4 bytes of TL, got 5",
           client().send, b"12345")
    raises(ArgumentTypeError, "result_type must be a str, not 'int'", client().send,
           F.help.getConfig(), result_type=5)
    raises(ArgumentValueError, "layer 230 needs a schema of that layer (schema= has layer "
           "229): pass schema=mtcore.tl.Schema.from_file(...)", client, layer=230)
    raises(InvalidLength, "salt must be 8 bytes, got 7", client, salt=bytes(7))
    raises(ArgumentTypeError, "salt must be an int or 8 bytes (the wire form), not 'str'",
           client, salt="x")
    raises(ArgumentValueError, "max_pending must be >= 1, got 0", client, max_pending=0)
    raises(ArgumentTypeError, "now must be an int or a float, not 'str'", client().flush, "now")
    raises(ArgumentValueError, "now must be a finite number, got nan", client().flush, float("nan"))
    raises(ArgumentValueError, "time_offset must be a finite number, got inf", client,
           time_offset=float("inf"))
    assert client(salt=b"\x08\x07\x06\x05\x04\x03\x02\x01").salt == SALT
    assert client(salt=2**64 - 1).salt == -1
    assert client().layer == 229
    s = Session(KEY, salt=0)
    assert s.session_id != Session(KEY, salt=0).session_id  # drawn


def test_readme_example() -> None:
    # The README's example, with a ServerSession behind an in-memory socket.
    import time

    from mtcore import login, session, transport

    auth_key, salt, api_id, api_hash = KEY, SALT, 12345, "0123456789abcdef0123456789abcdef"
    server = ServerSession(auth_key, salt=salt)
    server_stream = transport.Obfuscated(server=True)

    class Sock:
        inbox = b""

        def sendall(self, data: bytes) -> None:
            for frame in server_stream.feed(data):
                for q in server.receive(frame, time.time()):
                    server.reply(q.msg_id, T.auth.loginToken(expires=5, token=b"t" * 16))
            self.inbox += b"".join(server_stream.encode(p) for p in server.flush(time.time()))

        def recv(self, n: int) -> bytes:
            out, self.inbox = self.inbox[:n], self.inbox[n:]
            return out

    sock = Sock()
    s = session.Session(auth_key, salt=salt)
    req = s.send(tl.functions.invokeWithLayer(layer=s.layer, query=tl.functions.initConnection(
        api_id=api_id, device_model="PC", system_version="Linux", app_version="1.0",
        system_lang_code="en", lang_pack="", lang_code="en",
        query=login.export_login_token(api_id, api_hash))))
    stream = transport.Obfuscated(transport.Intermediate(), dc_id=2)
    wire = b"".join(stream.encode(p) for p in s.flush(time.time()))
    body = len(bytes(req.object))
    assert len(wire) == 64 + 4 + 24 + 32 + body + (-(32 + body + 12) % 16 + 12)
    sock.sendall(wire)
    token = None
    while not req.done:
        for frame in stream.feed(sock.recv(65536)):
            for event in s.receive(frame, time.time()):
                if isinstance(event, session.RpcResult) and event.request is req:
                    token = event.result
                elif isinstance(event, session.RpcFailed):
                    raise event.error
        for p in s.flush(time.time()):
            sock.sendall(stream.encode(p))
    assert token == T.auth.loginToken(expires=5, token=b"t" * 16)
