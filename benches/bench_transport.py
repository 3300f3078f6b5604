"""
One frame through obfuscated intermediate, encoded by the client and
decoded by the server, per payload size (the measure of issue 15):
mtcore's ``Obfuscated(Intermediate())`` against Telethon 1.45's
``ObfuscatedIO`` with ``IntermediatePacketCodec`` (AES-CTR on pyaes, as
``ConnectionTcpObfuscated`` runs it) and Pyrogram 2.0's ``TCPIntermediateO``
(tgcrypto).  The peers' own code does the work on both ends, with their
sockets replaced by in-memory buffers (their coroutines stepped by hand).
And a Session round trip: a request packed, read by a ServerSession,
answered, and the answer decoded.

Absent peers are skipped with a reason; Telethon at 512 KiB (seconds a
frame) only runs when timing is enabled.
"""

from __future__ import annotations

import logging
import os
import random
import warnings
from typing import Any, Callable

import pytest

from mtcore import tl, transport
from mtcore.session import RpcResult, ServerSession, Session

SIZES = (1024, 512 * 1024)
CONTENDERS = ("mtcore", "telethon", "pyrogram")


def _step(coro: Any) -> Any:
    # Run a coroutine that never waits (the buffers are in memory).
    try:
        coro.send(None)
    except StopIteration as stop:
        return stop.value
    raise RuntimeError("the coroutine waited")


def mtcore_frame(payload: bytes) -> Callable[[], bytes]:
    client = transport.Obfuscated(transport.Intermediate())
    server = transport.Obfuscated(server=True)
    server.feed(client.start())

    def run() -> bytes:
        (frame,) = server.feed(client.encode(payload))
        return frame.payload  # type: ignore[no-any-return]

    return run


def telethon_frame(payload: bytes) -> Callable[[], bytes]:
    crypto = pytest.importorskip("telethon.crypto")
    from telethon.network.connection.tcpintermediate import IntermediatePacketCodec
    from telethon.network.connection.tcpobfuscated import ObfuscatedIO

    class Pipe:
        def __init__(self) -> None:
            self.data = b""

        def write(self, data: bytes) -> None:
            self.data += data

        async def readexactly(self, n: int) -> bytes:
            out, self.data = self.data[:n], self.data[n:]
            return out

    class Conn:
        packet_codec = IntermediatePacketCodec

        def __init__(self, pipe: Pipe) -> None:
            self._reader = self._writer = pipe

    pipe = Pipe()
    client = ObfuscatedIO(Conn(pipe))
    codec = IntermediatePacketCodec(None)
    # The server end: Telethon's own reader, decrypting with the keys of
    # the client's header (its encryption stream, as a server keys it).
    header = bytes(client.header)
    server = ObfuscatedIO.__new__(ObfuscatedIO)
    server._reader = pipe
    server._decrypt = crypto.AESModeCTR(header[8:40], header[40:56])
    server._decrypt.encrypt(header)  # the 64 header bytes of the stream

    def run() -> bytes:
        client.write(codec.encode_packet(payload))
        return _step(codec.read_packet(server))  # type: ignore[no-any-return]

    return run


def pyrogram_frame(payload: bytes) -> Callable[[], bytes]:
    pytest.importorskip("tgcrypto")
    pytest.importorskip("pyrogram")
    from pyrogram.connection.transport.tcp.tcp import TCP
    from pyrogram.connection.transport.tcp.tcp_intermediate_o import TCPIntermediateO

    class Memory(TCP):
        def __init__(self) -> None:  # no socket, no event loop
            self.out: list[bytes] = []
            self.inbox = b""

        async def send(self, data: bytes) -> None:
            self.out.append(data)

        async def recv(self, length: int = 0) -> bytes:
            out, self.inbox = self.inbox[:length], self.inbox[length:]
            return out

    class End(TCPIntermediateO, Memory):
        def __init__(self) -> None:
            Memory.__init__(self)

    client, server = End(), End()
    nonce = bytearray(os.urandom(64))
    nonce[56:60] = b"\xee" * 4
    rev = bytes(nonce[55:7:-1])
    # As TCPIntermediateO.connect keys them; the server holds the mirror.
    client.encrypt = (bytes(nonce[8:40]), bytearray(nonce[40:56]), bytearray(1))
    server.decrypt = (bytes(nonce[8:40]), bytearray(nonce[40:56]), bytearray(1))
    client.decrypt = (rev[:32], bytearray(rev[32:48]), bytearray(1))

    def run() -> bytes:
        client.out.clear()
        _step(client.send(payload))
        server.inbox = client.out[0]
        return _step(server.recv())  # type: ignore[no-any-return]

    return run


MAKERS = {"mtcore": mtcore_frame, "telethon": telethon_frame, "pyrogram": pyrogram_frame}


@pytest.mark.parametrize("size", SIZES, ids=lambda n: f"{n // 1024}KiB")
@pytest.mark.parametrize("contender", CONTENDERS)
def bench_obfuscated_intermediate_frame(benchmark: Any, contender: str, size: int) -> None:
    if contender == "telethon" and size > 4096 and not benchmark.enabled:
        pytest.skip("Telethon's pure-Python CTR takes seconds a frame: timed runs only")
    warnings.simplefilter("ignore", DeprecationWarning)
    logging.getLogger("pyrogram").setLevel(logging.CRITICAL)
    payload = random.Random(size).randbytes(size)
    run = MAKERS[contender](payload)
    assert run() == payload  # the peer's server end read what its client sent
    benchmark.group = f"obfuscated intermediate frame {size // 1024} KiB"
    benchmark.extra_info["contender"] = contender
    benchmark.extra_info["size"] = size
    if contender == "telethon" and size > 4096:
        benchmark.pedantic(run, rounds=3, iterations=1)
    else:
        benchmark(run)


def bench_session_round_trip(benchmark: Any) -> None:
    # A request packed, read by the server, answered; the answer decoded.
    key = os.urandom(256)
    client = Session(key, salt=1, ping_interval=None)
    server = ServerSession(key, salt=1)
    answer = tl.types.nearestDc(country="NL", this_dc=2, nearest_dc=2)
    now = [1_700_000_000.0]

    def run() -> Any:
        now[0] += 0.001
        req = client.send(tl.functions.help.getNearestDc())
        for p in client.flush(now[0]):
            for q in server.receive(p, now[0]):
                server.reply(q.msg_id, answer)
        events = [e for p in server.flush(now[0]) for e in client.receive(p, now[0])]
        result = [e for e in events if isinstance(e, RpcResult)]
        assert result[0].request is req
        return result[0].result

    assert run() == answer
    benchmark.group = "session round trip"
    benchmark(run)
