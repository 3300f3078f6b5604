"""
Real Telethon 1.45 logging in by QR code against the test cluster, with
mtcore.compat installed as its crypto backend (cryptg's functions and
AESModeCTR are mtcore's): Telethon's own ``qr_login()`` + ``qr.wait()``,
a DC migration (loginTokenMigrateTo, which ``wait()`` follows with
``_switch_dc``) and a 2FA ``sign_in(password=...)``, then ``get_me()``;
and the same through mtcore's adapter, ``mtcore.login.telethon_qr_login``,
which also renews expired tokens and does the 2FA step itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
import telethon
from telethon import TelegramClient, errors
from telethon.crypto import rsa
from telethon.network import ConnectionTcpFull, ConnectionTcpObfuscated
from telethon.sessions import MemorySession

import mtcore.compat.cryptg
import mtcore.compat.telethon
from mtcore import login
from mtcore.exceptions import RpcError
from mtcore.testing import TestCluster

from client_utils import API_HASH, API_ID, Scanner, run
from utils import readme_python, run_snippet

assert telethon.__version__.startswith("1.45"), telethon.__version__


@pytest.fixture(autouse=True)
def mtcore_backend() -> Iterator[None]:
    mtcore.compat.telethon.install()
    assert telethon.crypto.aes.cryptg is mtcore.compat.cryptg
    yield
    mtcore.compat.telethon.uninstall()


def telethon_client(cluster: TestCluster, dc: int, connection: Any = ConnectionTcpFull) -> TelegramClient:
    rsa.add_key(cluster.public_pem, old=False)
    # Telethon caches help.getConfig on the class: a cluster's ports differ.
    TelegramClient._config = None
    client = TelegramClient(MemorySession(), API_ID, API_HASH, connection=connection)
    host, port = cluster.server(dc).address
    client.session.set_dc(dc, host, port)
    return client


async def telethon_wait_login(client: TelegramClient, cluster: TestCluster, user: Any,
                              password: Any = None) -> Any:
    # Telethon's own flow: qr_login(), then wait() while the phone scans.
    qr = await client.qr_login()
    assert qr.url.startswith(login.URL_PREFIX)
    waiting = asyncio.ensure_future(qr.wait(timeout=20))
    await asyncio.sleep(0.2)  # wait() has registered its handler
    await cluster.accept_login(qr.url, user=user)
    try:
        return await waiting
    except errors.SessionPasswordNeededError:
        return await client.sign_in(password=password)


@pytest.mark.parametrize("connection", [ConnectionTcpFull, ConnectionTcpObfuscated],
                         ids=["full", "obfuscated"])
def test_telethon_qr_login_same_dc(connection: Any) -> None:
    async def main() -> None:
        async with TestCluster(dcs=2) as cluster:
            alice = cluster.add_user("Alice", dc=1)
            client = telethon_client(cluster, 1, connection)
            await client.connect()
            try:
                assert not await client.is_user_authorized()
                user = await telethon_wait_login(client, cluster, alice)
                assert user.id == alice.id and await client.is_user_authorized()
                me = await client.get_me()
                assert (me.id, me.first_name) == (alice.id, "Alice")
            finally:
                await client.disconnect()

    run(main)


def test_telethon_qr_login_migration_and_2fa() -> None:
    async def main() -> None:
        async with TestCluster(dcs=2) as cluster:
            bob = cluster.add_user("Bob", dc=2, password="hunter2")
            client = telethon_client(cluster, 1)
            await client.connect()
            try:
                user = await telethon_wait_login(client, cluster, bob, password="hunter2")
                assert user.id == bob.id and client.session.dc_id == 2
                assert (await client.get_me()).id == bob.id
            finally:
                await client.disconnect()

    run(main)


def test_telethon_recreate_breaks_on_migration() -> None:
    # Why the adapter exists: after loginTokenMigrateTo Telethon's QRLogin
    # holds an object with no `expires`.
    async def main() -> None:
        async with TestCluster(dcs=2) as cluster:
            bob = cluster.add_user("Bob", dc=2)
            client = telethon_client(cluster, 1)
            await client.connect()
            try:
                qr = await client.qr_login()
                await cluster.accept_login(qr.url, user=bob)
                await qr.recreate()  # the export after the scan: loginTokenMigrateTo
                with pytest.raises(AttributeError, match="'LoginTokenMigrateTo' object has no attribute 'expires'"):
                    _ = qr.expires
            finally:
                await client.disconnect()

    run(main)


@pytest.mark.parametrize("connection", [ConnectionTcpFull, ConnectionTcpObfuscated],
                         ids=["full", "obfuscated"])
def test_adapter_migration_and_2fa(connection: Any) -> None:
    async def main() -> None:
        async with TestCluster(dcs=2) as cluster:
            carol = cluster.add_user("Carol", dc=2, password="pw", hint="pw?")
            client = telethon_client(cluster, 1, connection)
            await client.connect()
            try:
                hints = []

                async def password(hint: Any) -> str:
                    hints.append(hint)
                    return "nope" if len(hints) == 1 else "pw"

                scanner = Scanner(cluster, carol)
                user = await login.telethon_qr_login(client, scanner, password=password, timeout=30)
                assert isinstance(user, telethon.types.User)
                assert user.id == carol.id and client.session.dc_id == 2
                assert hints == ["pw?", "pw?"] and len(scanner.urls) == 1
                assert await client.is_user_authorized()
                assert (await client.get_me()).id == carol.id
            finally:
                await client.disconnect()

    run(main)


def test_adapter_errors_and_same_dc() -> None:
    async def main() -> None:
        async with TestCluster(dcs=1) as cluster:
            dave = cluster.add_user("Dave", password="pw")
            erin = cluster.add_user("Erin")
            client = telethon_client(cluster, 1)
            await client.connect()
            try:
                with pytest.raises(RpcError) as info:
                    await login.telethon_qr_login(client, Scanner(cluster, dave), password="bad")
                assert (info.value.code, info.value.message) == (400, "PASSWORD_HASH_INVALID")
                user = await login.telethon_qr_login(client, Scanner(cluster, erin), except_ids=[dave.id])
                assert user.id == erin.id and (await client.get_me()).id == erin.id
            finally:
                await client.disconnect()

    run(main)


def test_readme_adapter(capsys: pytest.CaptureFixture[str]) -> None:
    # The README's Telethon adapter block as written there: Alice lives on
    # DC 2 with a password and scans every code; the client starts on DC 1.
    code = readme_python("QR login for Telethon and Pyrogram users")

    async def main() -> None:
        async with TestCluster(dcs=2) as cluster:
            alice = cluster.add_user("Alice", dc=2, password="secret")
            cluster.auto_accept = alice
            client = telethon_client(cluster, 1)
            shown: list[str] = []
            hints: list[Any] = []

            def show(url: str, expires: Any) -> None:
                shown.append(url)

            async def ask_password(hint: Any) -> str:
                hints.append(hint)
                return "secret"

            try:
                got = await run_snippet(code, client=client, show=show, ask_password=ask_password)
                assert got["me"].id == alice.id and client.session.dc_id == 2
                assert len(shown) == 1 and len(hints) == 1
            finally:
                await client.disconnect()

    run(main)
    out = capsys.readouterr().out
    assert "first_name='Alice'" in out and "is_self=True" in out
