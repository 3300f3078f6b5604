"""
The key exchange against real clients, in memory: Telethon 1.x's
``do_authentication`` and Pyrogram's ``Auth.create`` complete an exchange
with mtcore's ServerHandshake (legacy SHA-1 RSA padding and
``p_q_inner_data`` without a dc), and mtcore's ClientHandshake completes one
with a server of Telethon's pieces; on each side the two keys are equal.

Telethon and Pyrogram are test extras: without them these tests fail.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from handshake_peers import (
    TelethonPiecesServer,
    mtcore_client,
    pyrogram_client,
    pyrogram_patched,
    seeded,
    server_key,
    telethon_client,
    telethon_patched,
)

from mtcore.handshake import HandshakeState, ServerHandshake


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.mark.parametrize("seed", [1, 2])
def test_telethon_client_against_mtcore_server(
    loop: asyncio.AbstractEventLoop, seed: int
) -> None:
    server = ServerHandshake(
        [server_key()], rng=seeded(seed), clock=lambda: 1_700_000_000.0
    )
    with telethon_patched(seeded(seed + 50)):
        auth_key, time_offset = telethon_client(server.receive, loop)
    assert server.state is HandshakeState.DONE and server.result is not None
    assert auth_key.key == bytes(server.result.auth_key)
    assert auth_key.key_id == int.from_bytes(server.result.auth_key.key_id, "little")
    assert server.result.dc is None  # Telethon sends p_q_inner_data
    assert isinstance(time_offset, int)


def test_pyrogram_client_against_mtcore_server(loop: asyncio.AbstractEventLoop) -> None:
    # Pyrogram insists on Telegram's dh_prime (ServerHandshake's default).
    server = ServerHandshake([server_key()], rng=seeded(3))
    with pyrogram_patched(seeded(53), [server.receive]):
        auth_key = pyrogram_client(loop)
    assert server.result is not None and auth_key == bytes(server.result.auth_key)


@pytest.mark.parametrize("expires_in", [None, 86400])
def test_mtcore_client_against_telethon_pieces(expires_in: int | None) -> None:
    server = TelethonPiecesServer(seed=4)
    result = mtcore_client(server.receive, seeded(54), expires_in=expires_in)
    assert bytes(result.auth_key) == server.auth_key
    assert result.expires_in == expires_in
