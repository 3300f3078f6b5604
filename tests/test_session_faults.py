"""
A client Session and a ServerSession talking in memory (``session_utils.Link``)
through every service message, with injected faults: dropped, duplicated,
reordered and delayed packets, a wrong salt, a server clock one hour off
either way, a broken seq_no order, answers lost and announced.  Every
request must end in exactly one event, with the right answer, and a query
the server ran once must not run twice unless the client had to start a
new session.
"""

from __future__ import annotations

import collections
from typing import Any

import pytest
from session_utils import START, Faults, Link, pair, user_query

from mtcore import tl
from mtcore.exceptions import RpcError
from mtcore.session import NewSession, Query, RpcFailed, RpcResult

T, F = tl.types, tl.functions
KEY = bytes((5 * i + 1) & 255 for i in range(256))


def check(link: Link, requests: list[Any], resolved: dict[Any, Any], *, once: bool = True) -> None:
    assert set(resolved) == set(requests), "every request ends in one event"
    for req, ev in resolved.items():
        k = req.object.id[0].user_id if req.name == "users.getUsers" else None
        if k is not None and k % 97 == 13:
            assert isinstance(ev, RpcFailed) and isinstance(ev.error, RpcError)
            assert (ev.error.name, ev.error.value) == ("FLOOD_WAIT", k)
        elif k is not None:
            assert isinstance(ev, RpcResult), ev
            assert ev.result[0] == T.userEmpty(id=k)
            assert len(ev.result) == (60 if k % 10 == 5 else 1)
    if once:
        assert max(link.executed.values()) == 1, "no query ran twice"
    assert link.client.pending == 0


FAULTS = {
    "clean": Faults(),
    "drop": Faults(drop=0.25),
    "duplicate": Faults(duplicate=0.4),
    "reorder": Faults(reorder=0.7),
    "delay": Faults(delay=0.4, max_delay=4),
    "skew +1h": Faults(skew=3600.0),
    "skew -1h": Faults(skew=-3600.0),
    "everything": Faults(drop=0.1, duplicate=0.2, reorder=0.5, delay=0.2, skew=-3600.0),
}


@pytest.mark.parametrize("name", list(FAULTS))
@pytest.mark.parametrize("seed", [1, 2])
def test_faults(name: str, seed: int) -> None:
    link = pair(KEY, seed=seed, faults=FAULTS[name], max_resends=50)
    requests = [link.client.send(user_query(k)) for k in range(40)]
    resolved = link.run(requests)
    check(link, requests, resolved)
    # The wrong starting salt was corrected; so was the clock.
    assert link.client.salt == link.server.salt
    assert abs(link.client.time_offset - FAULTS[name].skew) < 1.0
    assert {"bad_server_salt", "new_session_created"} <= link.names["client"]
    if FAULTS[name].skew:
        assert "bad_msg_notification" in link.names["client"]
    # Both sides acknowledged, containers and gzip went both ways.
    assert {"msgs_ack", "msg_container", "rpc_result", "gzip_packed"} <= link.names["client"]
    assert {"msg_container"} <= link.names["server"]


def test_service_messages_both_ways() -> None:
    link = pair(KEY, seed=3, ping_interval=4.0)
    c, s = link.client, link.server
    t0 = int(START)
    s.future_salts = ((t0 - 10, t0 + 40, s.salt), (t0 + 40, t0 + 4000, 0x7777))
    big = F.messages.sendMessage(peer=T.inputPeerSelf(), message="long text " * 100, random_id=9)
    reqs = [c.send(user_query(k)) for k in range(5)] + [c.send(big)]
    salts = c.request_future_salts(2)
    resolved = link.run(reqs + [salts])
    assert isinstance(resolved[salts], RpcResult) and resolved[salts].result.tl_name == "future_salts"
    assert resolved[reqs[-1]].result == T.updatesTooLong()
    assert "gzip_packed" in link.names["server"]  # the large request went packed
    # Pings and pongs, while idle.
    for _ in range(12):
        link.step()
    assert {"ping_delay_disconnect"} <= link.names["server"] and "pong" in link.names["client"]
    # The server moves to the next salt: the client is on it already.
    link.now = START + 60
    s.salt = 0x7777
    bad_salts = link.names["client"].copy()
    more = [c.send(user_query(100 + k)) for k in range(3)]
    resolved = link.run(more)
    check(link, more, resolved)
    assert c.salt == 0x7777 and all(isinstance(e, RpcResult) for e in resolved.values())
    del bad_salts


def test_lost_answer_detailed_info() -> None:
    # The server's answers are lost; the client, after a new connection,
    # sends its requests again with their msg_ids: the server tells it the
    # answers exist (msg_detailed_info), it asks for them (msg_resend_req)
    # and gets them in a container, without the queries running again.
    link = pair(KEY, seed=4)
    warm = [link.client.send(user_query(0))]
    link.run(warm)
    requests = [link.client.send(user_query(k)) for k in (1, 2, 3)]
    link.step()  # the queries reach the server ...
    link.blocked["client"] = 3  # ... and its answers are lost
    link.step()
    link.step()
    assert not any(r.done for r in requests)
    resolved = link.run(requests, reset_after=2)
    check(link, requests, resolved)
    assert "msg_detailed_info" in link.names["client"]
    assert "msg_resend_req" in link.names["server"]


def test_lost_answer_announced() -> None:
    # msg_new_detailed_info: the server announces an answer the client did
    # not get; the client asks for it.
    link = pair(KEY, seed=5)
    link.run([link.client.send(user_query(0))])
    req = link.client.send(user_query(7))
    link.step()
    query = [e for e in link.server_events if isinstance(e, Query)][-1]
    link.blocked["client"] = 2
    link.step()
    assert not req.done
    link.server.announce(query.msg_id)
    resolved = link.run([req], reset_after=50)
    check(link, [req], resolved)
    assert "msg_new_detailed_info" in link.names["client"]
    assert "msg_resend_req" in link.names["server"]


def test_seq_no_order_new_session() -> None:
    # A client whose seq_no goes back (Telethon's old 32/33 trouble): the
    # server answers bad_msg_notification 32, the client starts a new
    # session and sends its requests again there.
    link = pair(KEY, seed=6)
    link.run([link.client.send(user_query(k)) for k in range(3)])
    first = link.client.session_id
    link.client._seq = 0  # the injected fault
    requests = [link.client.send(user_query(k)) for k in range(10, 14)]
    resolved = link.run(requests)
    check(link, requests, resolved, once=False)
    assert link.client.session_id != first
    assert "bad_msg_notification" in link.names["client"]
    assert sum(isinstance(e, NewSession) for e in link.client_events) == 2


def test_flood_of_requests() -> None:
    link = pair(KEY, seed=8, faults=Faults(duplicate=0.1, reorder=0.3), max_pending=300)
    requests = [link.client.send(user_query(k)) for k in range(300)]
    resolved = link.run(requests)
    check(link, requests, resolved)
    kinds = collections.Counter(type(e).__name__ for e in resolved.values())
    assert kinds == {"RpcResult": 297, "RpcFailed": 3}
