"""
A real client against mtcore.testing: Telethon 1.45's TelegramClient over
each of its TCP transports makes its key exchange with the cluster's RSA
key, sends its connection request (invokeWithLayer, initConnection,
help.getConfig) and a few RPCs.  The end-to-end logins with Telethon and
Pyrogram are the client side's tests.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import telethon.crypto.rsa as telethon_rsa
from telethon import TelegramClient, connection, errors, functions
from telethon.sessions import MemorySession

from mtcore.handshake import RSAPrivateKey
from mtcore.testing import TestCluster

from utils import readme_python, run_snippet

CONNECTIONS = [
    connection.ConnectionTcpFull,
    connection.ConnectionTcpAbridged,
    connection.ConnectionTcpIntermediate,
    connection.ConnectionTcpObfuscated,
]


@pytest.fixture(scope="module")
def rsa_key() -> Any:
    # The cluster's key, trusted by Telethon for this module only (its
    # key table and its config cache are process-wide).
    key = RSAPrivateKey.generate()
    saved = dict(telethon_rsa._server_keys)
    telethon_rsa.add_key(key.public_key.to_pem(), old=False)
    yield key
    telethon_rsa._server_keys.clear()
    telethon_rsa._server_keys.update(saved)
    TelegramClient._config = None


@pytest.mark.parametrize("conn", CONNECTIONS, ids=lambda c: c.__name__)
def test_telethon_connects(rsa_key: RSAPrivateKey, conn: Any) -> None:
    async def main() -> None:
        async with TestCluster(dcs=2, rsa_key=rsa_key) as cluster:
            session = MemorySession()
            session.set_dc(2, *cluster.server(2).address)
            TelegramClient._config = None
            # One retry: Telethon writes g^ab with rsa.get_byte_array, which
            # drops a leading zero byte, so one key in 256 is 255 bytes on its
            # side and its check of dh_gen_ok fails ("invalid new nonce
            # hash"); against Telegram it retries too.
            client = TelegramClient(
                session, 12345, "0123456789abcdef", connection=conn,
                connection_retries=1, timeout=10, receive_updates=False,
            )
            await client.connect()
            try:
                assert cluster.server(2).auth_keys in (1, 2)
                config = await client(functions.help.GetConfigRequest())
                assert config.this_dc == 2
                assert sorted((o.id, o.port) for o in config.dc_options) == sorted(
                    (dc, s.port) for dc, s in cluster.servers.items())
                pong = await client(functions.PingRequest(ping_id=1234))
                assert pong.ping_id == 1234
                nearest = await client(functions.help.GetNearestDcRequest())
                assert nearest.this_dc == 2
                assert not await client.is_user_authorized()
                with pytest.raises(errors.AuthKeyUnregisteredError):
                    await client(functions.updates.GetStateRequest())
            finally:
                await client.disconnect()
            for _ in range(200):
                if cluster.server(2).connections == 0:
                    break
                await asyncio.sleep(0.01)
            assert cluster.server(2).connections == 0
            assert list(cluster.errors) == []

    asyncio.run(asyncio.wait_for(main(), 60))


def test_readme_example(rsa_key: RSAPrivateKey, capsys: pytest.CaptureFixture[str]) -> None:
    # The README's "Test your client offline" block as written there (its
    # cluster's key joins Telethon's table, which the fixture restores).
    code = readme_python("Test your client offline")

    async def main() -> dict[str, Any]:
        TelegramClient._config = None
        got = await run_snippet(code)
        await got["client"].disconnect()
        return got

    got = asyncio.run(asyncio.wait_for(main(), 60))
    assert got["client"].session.dc_id == 2
    out = capsys.readouterr().out
    assert "first_name='Alice'" in out and "is_self=True" in out
