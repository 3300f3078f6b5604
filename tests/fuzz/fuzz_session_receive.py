"""
Fuzz target: ``Session.receive`` and ``ServerSession.receive`` of hostile
packets under a fixed key.

Input: a control byte, then the payload.  Control bits 0-1 pick the mode,
bit 2 the side (0: a client Session with three requests waiting; 1: a
ServerSession that has seen the client's first packet):

* mode 0: the payload is the packet;
* mode 1: the key's auth_key_id, then the payload (the length and msg_key
  checks decide);
* modes 2 and 3: a correctly encrypted message of the session: the payload
  is ``msg_id delta (4 bytes) + seq_no (4 bytes) + body``, the msg_id near
  the receiver's clock with the payload's low bits; 8-byte runs of ``Q``
  and ``R`` in the body become the first waiting request's and the last
  container's msg_ids (so that answers and notifications find them).

Oracle: only a ``SecurityError`` is raised; every event is an Event; the
same packet again gives no new result or update (duplicates are
ignored); a later ``flush`` works; the state stays within its bounds.

Run: ``python tests/fuzz/fuzz_session_receive.py CORPUS_DIR [libFuzzer flags]``.
"""

from __future__ import annotations

import struct
from fuzzlib import Finding, instrumented, run

with instrumented():
    from mtcore import mtproto, tl
    from mtcore.exceptions import SecurityError
    from mtcore.session import Event, RpcResult, ServerSession, Session, Update

# Fixed test material (not secrets).
AUTH_KEY = bytes((3 * i + 1) & 255 for i in range(256))
KEY = mtproto.AuthKey(AUTH_KEY)
SID = 0x0123456789ABCDEF
SALT = 0x7777
NOW = 1_700_000_000.0
F = tl.functions


def _rng(n: int) -> bytes:
    return bytes(n)  # session and ping ids: fixed


def client() -> tuple[Session, bytes, bytes]:
    s = Session(KEY, session_id=SID, salt=SALT, ping_interval=None, random=_rng)
    reqs = [s.send(F.help.getConfig()), s.send(F.users.getUsers(id=[])), s.send(F.ping(ping_id=1))]
    (packet,) = s.flush(NOW)
    container = mtproto.decrypt_message(KEY, packet, from_client=True)[16:24]
    return s, struct.pack("<q", reqs[0].msg_id), container


def server() -> tuple[ServerSession, bytes, bytes]:
    c = Session(KEY, session_id=SID, salt=SALT, ping_interval=None, random=_rng)
    req = c.send(F.help.getConfig())
    s = ServerSession(KEY, salt=SALT, random=_rng)
    for p in c.flush(NOW):
        s.receive(p, NOW)
    (answer,) = s.flush(NOW)
    mid = mtproto.decrypt_message(KEY, answer, from_client=False)[16:24]
    return s, struct.pack("<q", req.msg_id), mid


def packet(mode: int, to_client: bool, payload: bytes, q: bytes, r: bytes) -> bytes:
    if mode == 0:
        return payload
    if mode == 1:
        return KEY.key_id + payload
    head = payload[:8].ljust(8, b"\0")
    delta, seq_no = struct.unpack("<ii", head)
    body = payload[8:].replace(b"Q" * 8, q).replace(b"R" * 8, r)
    body += bytes(-len(body) % 4)
    # Near the receiver's clock: within a few hours either way.
    base = int(NOW * 2**32)
    msg_id = (base + delta * 4096) & ~3 | (1 if to_client else 0) | (delta & 2 if to_client else 0)
    plain = struct.pack("<qqqii", SALT, SID, msg_id, seq_no, len(body)) + body
    return mtproto.encrypt_message(
        KEY, plain, from_client=not to_client, padding=bytes(12 + (-(len(plain) + 12) % 16))
    )


def target(data: bytes) -> None:
    if not data:
        return
    mode, to_client = data[0] & 3, not data[0] & 4
    s, q, r = client() if to_client else server()
    pkt = packet(mode, to_client, data[1:], q, r)
    try:
        events = s.receive(pkt, NOW)
    except SecurityError:
        return
    for ev in events:
        if not isinstance(ev, Event):
            raise Finding(f"not an event: {ev!r}")
    again = s.receive(pkt, NOW)
    if any(isinstance(ev, (RpcResult, Update)) for ev in again):
        raise Finding(f"a duplicate packet gave {again!r}")
    for p in s.flush(NOW + 100):
        if not isinstance(p, bytes):
            raise Finding("flush gave something other than bytes")
    if len(s._acks) > 8192 or len(s._seen._ids) > s._seen.size:
        raise Finding("state beyond its bounds")
    if to_client and s.pending > 3:
        raise Finding(f"{s.pending} requests pending of 3 sent")


if __name__ == "__main__":
    run(target)
