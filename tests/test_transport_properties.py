"""
Properties of mtcore.transport (hypothesis): every framing, plain and
obfuscated, carries any payloads both ways under any chunking of the
stream (one byte at a time included); and any bytes at all, in any
chunking, give the same frames or the same TransportError, and nothing
else.
"""

from __future__ import annotations

from typing import Any

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import example, given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from mtcore.exceptions import TransportError  # noqa: E402
from mtcore import transport  # noqa: E402

FRAMINGS = {"abridged": transport.Abridged, "intermediate": transport.Intermediate,
            "padded": transport.PaddedIntermediate, "full": transport.Full}
MODES = [*FRAMINGS, "obf-abridged", "obf-intermediate", "obf-padded", "mtproxy-dd"]


# A fixed obfuscation header, so that two runs decrypt alike.
HEADER = bytes(range(1, 65))


def make(mode: str) -> tuple[Any, Any]:
    """
    A client and a server codec of the mode, the server past the prefix or
    the header.
    """
    if mode in FRAMINGS:
        client, server = FRAMINGS[mode](), FRAMINGS[mode](server=True)
    elif mode == "mtproxy-dd":
        secret = "dd" + "5a" * 16
        client = transport.Obfuscated(
            transport.PaddedIntermediate(), secret=secret, dc_id=-2, header=HEADER
        )
        server = transport.Obfuscated(server=True, secret=secret)
    else:
        client = transport.Obfuscated(FRAMINGS[mode[4:]](), header=HEADER)
        server = transport.Obfuscated(server=True)
    assert server.feed(client.start()) == []
    return client, server


def chunks(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts} | {0, len(data)})
    return [data[a:b] for a, b in zip(points, points[1:])]


def padded(mode: str) -> bool:
    return mode in ("padded", "obf-padded", "mtproxy-dd")


payloads = st.lists(
    st.integers(min_value=2, max_value=600).flatmap(lambda n: st.binary(min_size=4 * n, max_size=4 * n)),
    min_size=1,
    max_size=6,
)


@pytest.mark.parametrize("mode", MODES)
@given(payloads=payloads, flags=st.lists(st.booleans(), min_size=6, max_size=6),
       cuts=st.lists(st.integers(min_value=0, max_value=1 << 16), max_size=12),
       bytewise=st.booleans())
@example(payloads=[bytes(8), bytes(508), bytes(512)], flags=[True] * 6, cuts=[], bytewise=True)
def test_client_to_server(mode: str, payloads: list[bytes], flags: list[bool],
                          cuts: list[int], bytewise: bool) -> None:
    client, server = make(mode)
    quick = [f and mode != "full" for f in flags[: len(payloads)]]
    wire = b"".join(client.encode(p, quick_ack=q) for p, q in zip(payloads, quick))
    parts = [wire[i : i + 1] for i in range(len(wire))] if bytewise else chunks(wire, cuts)
    got = [f for part in parts for f in server.feed(part)]
    assert len(got) == len(payloads)
    for frame, payload, q in zip(got, payloads, quick):
        assert isinstance(frame, transport.Packet) and frame.quick_ack == q
        assert frame.padded == padded(mode)
        if padded(mode):
            assert frame.payload[: len(payload)] == payload
            assert len(frame.payload) - len(payload) in range(16)
        else:
            assert frame.payload == payload
    assert server.buffered == 0


@pytest.mark.parametrize("mode", MODES)
@given(payloads=payloads, acks=st.lists(st.integers(min_value=0, max_value=2**32 - 1), max_size=6),
       code=st.none() | st.integers(min_value=1, max_value=2**31),
       cuts=st.lists(st.integers(min_value=0, max_value=1 << 16), max_size=12))
def test_server_to_client(mode: str, payloads: list[bytes], acks: list[int],
                          code: Any, cuts: list[int]) -> None:
    client, server = make(mode)
    expect: list[Any] = []
    wire = b""
    for i, p in enumerate(payloads):
        if mode != "full" and i < len(acks):
            wire += server.encode_quick_ack(acks[i])
            expect.append(transport.QuickAck(acks[i] | 0x80000000))
        p = p if len(p) >= 24 else p + bytes(24 - len(p))  # never a failure's size
        wire += server.encode(p)
        expect.append(p)
    if code is not None:
        wire += server.encode_error(code)
        expect.append(transport.TransportFailure(code))
    got = [f for part in chunks(wire, cuts) for f in client.feed(part)]
    assert len(got) == len(expect)
    for frame, want in zip(got, expect):
        if isinstance(want, bytes):
            assert isinstance(frame, transport.Packet) and not frame.quick_ack
            assert frame.payload[: len(want)] == want
            assert len(frame.payload) - len(want) in (range(16) if padded(mode) else (0,))
        else:
            assert frame == want


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("side", ["client", "server"])
@given(data=st.binary(max_size=3000), cuts=st.lists(st.integers(min_value=0, max_value=3000), max_size=20))
@example(data=b"\x7f\xff\xff\xff" + bytes(40), cuts=[1, 2, 3])
@example(data=b"\xff\xff\xff\x7f", cuts=[])
def test_any_bytes(mode: str, side: str, data: bytes, cuts: list[int]) -> None:
    # Any bytes after the handshake: the same frames, or the same
    # TransportError, however they are cut; no other exception.
    def run(parts: list[bytes]) -> Any:
        client, server = make(mode)
        codec = server if side == "server" else client
        frames: list[Any] = []
        try:
            for part in parts:
                frames.extend(codec.feed(part))
        except TransportError as exc:
            # The frames completed before the bad bytes ride on the error.
            return frames + exc.frames, type(exc), str(exc)
        return frames, None, codec.buffered

    whole = run([data])
    assert run(chunks(data, cuts)) == whole
    for frame in whole[0]:
        assert isinstance(
            frame, (transport.Packet, transport.QuickAck, transport.TransportFailure)
        )
