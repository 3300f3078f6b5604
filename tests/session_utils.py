"""
An in-memory link between a client :class:`mtcore.session.Session` and a
:class:`mtcore.session.ServerSession`, with faults (dropped, duplicated,
reordered and delayed packets, a server clock off by any amount), and a
server that answers a few queries deterministically.  Everything is driven
by a seeded generator and a simulated clock, so a run is reproducible.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any, Optional

from mtcore import mtproto, tl
from mtcore.session import Query, RpcFailed, RpcResult, ServerSession, Session

T, F = tl.types, tl.functions
START = 1_700_000_000.0  # the client's clock at the start
CONTAINER = b"\xdc\xf8\xf1\x73"
GZIP = b"\xa1\xcf\x72\x30"
RPC_RESULT = b"\x01\x6d\x5c\xf3"


def user_query(k: int) -> Any:
    """
    A request whose answer says which request it answers: ``users.getUsers``
    of user ``k`` (answered with ``[userEmpty(id=k)]``).
    """
    return F.users.getUsers(id=[T.inputUser(user_id=k, access_hash=0)])


def answer(query: Any) -> Any:
    """
    The test server's answer: a result object, or ``(code, message)`` for
    an rpc_error.
    """
    if query.tl_name == "users.getUsers":
        k = query.id[0].user_id
        if k % 97 == 13:
            return (420, f"FLOOD_WAIT_{k}")
        if k % 10 == 5:  # a large answer (the server gzips it)
            return [T.userEmpty(id=k + i) for i in range(60)]
        return [T.userEmpty(id=k)]
    if query.tl_name == "messages.sendMessage":
        return T.updatesTooLong()
    if query.tl_name == "help.getNearestDc":
        return T.nearestDc(country="ZZ", this_dc=2, nearest_dc=4)
    raise AssertionError(query)


def vector(items: list[Any]) -> bytes:
    return b"\x15\xc4\xb5\x1c" + len(items).to_bytes(4, "little") + b"".join(map(bytes, items))


@dataclass
class Faults:
    drop: float = 0.0  # each packet lost with this probability
    duplicate: float = 0.0  # delivered twice
    reorder: float = 0.0  # a step's packets shuffled
    delay: float = 0.0  # held back for 1..max_delay steps
    max_delay: int = 3
    skew: float = 0.0  # the server's clock minus the client's


@dataclass
class Link:
    client: Session
    server: ServerSession
    faults: Faults = field(default_factory=Faults)
    seed: int = 1
    now: float = START
    step_seconds: float = 1.0

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        # Steps left during which every packet to a side is lost.
        self.blocked = {"client": 0, "server": 0}
        # The names of the messages that went each way (inner ones too).
        self.names: dict[str, set[str]] = {"client": set(), "server": set()}
        self.in_flight: list[tuple[int, str, bytes]] = []  # (due step, to, packet)
        self.steps = 0
        self.executed: dict[int, int] = {}  # k -> times the server ran it
        self.client_events: list[Any] = []
        self.server_events: list[Any] = []

    def _trace(self, to: str, packet: bytes) -> None:
        # What the packet carries, read with the key (for the tests' record):
        # the names of its message and of a container's messages, with
        # "gzip_packed" and "rpc_result" where they wrap something.
        data = mtproto.decrypt_message(self.client._key, packet, from_client=to == "server")
        length = int.from_bytes(data[28:32], "little")
        bodies = [data[32 : 32 + length]]
        if bodies[0][:4] == CONTAINER:
            self.names[to].add("msg_container")
            body, bodies, pos = bodies[0], [], 8
            for _ in range(int.from_bytes(body[4:8], "little")):
                n = int.from_bytes(body[pos + 12 : pos + 16], "little")
                bodies.append(body[pos + 16 : pos + 16 + n])
                pos += 16 + n
        for b in bodies:
            for cid, name in ((GZIP, "gzip_packed"), (RPC_RESULT, "rpc_result")):
                if b[:4] == cid or (name == "gzip_packed" and b[:4] == RPC_RESULT and b[12:16] == GZIP):
                    self.names[to].add(name)
            if b[:4] not in (GZIP, RPC_RESULT):
                self.names[to].add(tl.decode(b).tl_name)

    def _carry(self, to: str, packets: list[bytes]) -> None:
        f = self.faults
        for p in packets:
            self._trace(to, p)
            if self.blocked[to] or self.rng.random() < f.drop:
                continue
            copies = 2 if self.rng.random() < f.duplicate else 1
            for _ in range(copies):
                due = self.steps
                if self.rng.random() < f.delay:
                    due += self.rng.randint(1, f.max_delay)
                self.in_flight.append((due, to, p))

    def step(self) -> None:
        """
        One step of the simulated clock: both sides flush, the due packets
        arrive (in a shuffled order with ``reorder``), the server answers.
        """
        self.now += self.step_seconds
        self._carry("server", self.client.flush(self.now))
        self._carry("client", self.server.flush(self.now + self.faults.skew))
        for side in self.blocked:
            self.blocked[side] = max(self.blocked[side] - 1, 0)
        due = [x for x in self.in_flight if x[0] <= self.steps]
        self.in_flight = [x for x in self.in_flight if x[0] > self.steps]
        if len(due) > 1 and self.rng.random() < self.faults.reorder:
            self.rng.shuffle(due)
        for _, to, packet in due:
            if to == "server":
                events = self.server.receive(packet, self.now + self.faults.skew)
                self.server_events.extend(events)
                for ev in events:
                    if isinstance(ev, Query):
                        self._serve(ev)
            else:
                self.client_events.extend(self.client.receive(packet, self.now))
        self.steps += 1

    def _serve(self, q: Query) -> None:
        if q.query.tl_name == "users.getUsers":
            k = q.query.id[0].user_id
            self.executed[k] = self.executed.get(k, 0) + 1
        result = answer(q.query)
        if isinstance(result, tuple):
            self.server.reply_error(q.msg_id, *result)
        elif isinstance(result, list):
            self.server.reply(q.msg_id, vector(result))
        else:
            self.server.reply(q.msg_id, result)

    def run(self, requests: list[Any], *, max_steps: int = 400, reset_after: int = 5) -> dict[Any, Any]:
        """
        Run until every request is resolved: ``{request: event}``.  When
        nothing resolves for ``reset_after`` steps, the client is told its
        connection was replaced (what a client does after a lost packet).
        """
        resolved: dict[Any, Any] = {}
        idle = 0
        while len(resolved) < len(requests) and self.steps < max_steps:
            before = len(self.client_events)
            self.step()
            for ev in self.client_events[before:]:
                if isinstance(ev, (RpcResult, RpcFailed)):
                    assert ev.request not in resolved, f"{ev.request} resolved twice"
                    resolved[ev.request] = ev
            idle = 0 if len(self.client_events) > before else idle + 1
            if idle >= reset_after and self.in_flight == []:
                self.client_events.extend(self.client.connection_reset(self.now))
                for ev in self.client_events[-len(requests):]:
                    if isinstance(ev, RpcFailed) and ev.request not in resolved:
                        resolved[ev.request] = ev
                idle = 0
        return resolved


def pair(key: bytes, *, client_salt: int = 0, server_salt: int = 0x5A17, seed: int = 7,
         faults: Optional[Faults] = None, **client_kw: Any) -> Link:
    """
    A client and a server on ``key``, their randomness seeded.
    """
    rng = random.Random(seed)
    client = Session(key, salt=client_salt, random=rng.randbytes, **client_kw)
    server = ServerSession(key, salt=server_salt, random=rng.randbytes)
    return Link(client, server, faults or Faults(), seed=seed)
