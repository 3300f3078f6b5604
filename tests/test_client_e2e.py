"""
mtcore's client against the test cluster (mtcore.testing) on loopback:
requests by TL name with typed results and RpcError; QR login on the same
DC, across DCs (loginTokenMigrateTo + importLoginToken), with 2FA (right,
wrong then right, wrong), with tokens that expire on an injected clock,
with except_ids, through a reconnection in the middle of the wait; the
session file reused by a second run; *_MIGRATE_X with exported
authorizations; every transport; temporary keys; a key the server lost.

Each test runs its own event loop, bounded by client_utils.LIMIT.
"""

from __future__ import annotations

import asyncio
import datetime
from pathlib import Path
from typing import Any

import pytest

from mtcore import login, tl, transport
from mtcore.client import Client, ConnectionFailed, SessionStore
from mtcore.exceptions import RpcError
from mtcore.testing import ManualClock, TestCluster

from client_utils import (API_HASH, API_ID, Scanner, client_for, logged_in, run,
                          run_in_cluster, serve)
from utils import readme_python


def test_requests_by_tl_name() -> None:
    async def main() -> None:
        async with TestCluster(dcs=2) as cluster, client_for(cluster) as client:
            token = await client.auth.exportLoginToken(
                api_id=API_ID, api_hash=API_HASH, except_ids=[]
            )
            assert token.tl_name == "auth.loginToken" and token.token
            assert token.expires > cluster.clock()
            nearest = await client(tl.functions.help.getNearestDc())
            assert nearest == tl.types.nearestDc(country="ZZ", this_dc=1, nearest_dc=1)
            # The server's errors pass through, typed.
            with pytest.raises(RpcError) as info:
                await client.users.getUsers(id=[tl.types.inputUserSelf()])
            assert (info.value.code, info.value.message) == (401, "AUTH_KEY_UNREGISTERED")
            with pytest.raises(RpcError) as info:
                await client.messages.getDialogFilters()
            assert (info.value.code, info.value.message) == (400, "METHOD_INVALID")
            # help.getConfig (with initConnection) named both DCs.
            assert client._address(2) == cluster.server(2).address

    run(main)


def test_qr_login_same_dc(tmp_path: Path) -> None:
    async def main(cluster: TestCluster) -> None:
        alice = cluster.add_user("Alice", dc=1)
        scanner = Scanner(cluster, alice)
        async with client_for(cluster, store=tmp_path / "a.session") as client:
            me = await client.qr_login(scanner)
            assert (me.id, me.first_name, me.self) == (alice.id, "Alice", True)
            assert client.is_authorized and client.home_dc == 1
            assert client.user == me
            assert (await client.get_me()).id == alice.id
            assert len(scanner.urls) == 1 and scanner.urls[0].startswith(login.URL_PREFIX)
            expires = scanner.expires[0]
            assert isinstance(expires, datetime.datetime) and expires.tzinfo is not None

    run_in_cluster(main, dcs=2)


def test_qr_login_across_dcs_and_session_reuse(tmp_path: Path) -> None:
    path = tmp_path / "b.session"

    async def main(cluster: TestCluster) -> None:
        bob = cluster.add_user("Bob", dc=3)
        async with client_for(cluster, store=path) as client:
            me = await client.qr_login(Scanner(cluster, bob))
            assert me.id == bob.id
            # loginTokenMigrateTo: imported on DC 3, now the home DC.
            assert client.home_dc == 3 and set(client._conns) == {1, 3}
            assert (await client.get_me()).id == bob.id
        keys = {dc: s.auth_keys for dc, s in cluster.servers.items()}
        # A second run: the file's keys and login, no new key exchange.
        async with client_for(cluster, store=path) as again:
            assert again.is_authorized and again.home_dc == 3
            assert (await again.get_me()).id == bob.id
            assert set(again._conns) == {3}
        assert {dc: s.auth_keys for dc, s in cluster.servers.items()} == keys

    run_in_cluster(main, dcs=3)


def test_qr_login_2fa_right_password() -> None:
    async def main(cluster: TestCluster) -> None:
        carol = cluster.add_user("Carol", dc=2, password="correct horse", hint="horse")
        async with client_for(cluster) as client:
            me = await client.qr_login(Scanner(cluster, carol), password="correct horse")
            assert me.id == carol.id and client.home_dc == 2
            assert (await client.get_me()).id == carol.id

    run_in_cluster(main, dcs=2)


def test_qr_login_2fa_wrong_then_right() -> None:
    async def main(cluster: TestCluster) -> None:
        dave = cluster.add_user("Dave", password="s3cret", hint="the usual")
        asked: list[Any] = []

        async def password(hint: Any) -> str:
            asked.append(hint)
            return "wrong" if len(asked) == 1 else "s3cret"

        async with client_for(cluster) as client:
            me = await client.qr_login(Scanner(cluster, dave), password=password)
            assert me.id == dave.id and asked == ["the usual", "the usual"]

    run_in_cluster(main, dcs=1)


def test_qr_login_2fa_wrong_or_missing_password_fails() -> None:
    async def main(cluster: TestCluster) -> None:
        erin = cluster.add_user("Erin", password="pw")
        async with client_for(cluster) as client:
            with pytest.raises(RpcError) as info:
                await client.qr_login(Scanner(cluster, erin), password="nope")
            assert info.value.message == "PASSWORD_HASH_INVALID"
            assert not client.is_authorized
        async with client_for(cluster) as client:
            with pytest.raises(RpcError) as info:
                await client.qr_login(Scanner(cluster, erin))
            assert (info.value.code, info.value.message) == (401, "SESSION_PASSWORD_NEEDED")

    run_in_cluster(main, dcs=1)


def test_qr_login_tokens_expire_and_refresh() -> None:
    clock = ManualClock()

    async def main(cluster: TestCluster) -> None:
        frank = cluster.add_user("Frank")
        scanner = Scanner(cluster, frank, skip=2)
        async with client_for(cluster, clock=clock) as client:
            task = asyncio.ensure_future(client.qr_login(scanner))
            for shown in (1, 2):
                while len(scanner.urls) < shown:
                    await asyncio.sleep(0.01)
                await asyncio.sleep(0.3)
                assert len(scanner.urls) == shown  # not renewed before it expires
                clock.advance(31)
            me = await task
            assert me.id == frank.id and len(scanner.urls) == 3
            assert len(set(scanner.urls)) == 3
            # An expired token cannot be accepted.
            with pytest.raises(RpcError) as info:
                await cluster.accept_login(scanner.urls[0], user=frank)
            assert info.value.message in ("AUTH_TOKEN_EXPIRED", "AUTH_TOKEN_INVALID")

    run_in_cluster(main, dcs=1, clock=clock)


def test_qr_login_except_ids() -> None:
    async def main(cluster: TestCluster) -> None:
        gina = cluster.add_user("Gina")
        hal = cluster.add_user("Hal")
        refused: list[str] = []

        async def on_url(url: str, expires: Any) -> None:
            try:
                await cluster.accept_login(url, user=gina)
            except RpcError as exc:
                refused.append(exc.message)
                await cluster.accept_login(url, user=hal)

        async with client_for(cluster) as client:
            me = await client.qr_login(on_url, except_ids=[gina.id])
            assert me.id == hal.id and refused == ["AUTH_TOKEN_EXCEPTION"]

    run_in_cluster(main, dcs=1)


def test_qr_login_survives_a_reconnect() -> None:
    async def main(cluster: TestCluster) -> None:
        ivy = cluster.add_user("Ivy", dc=2)
        async with client_for(cluster) as client:
            conn = client._conns[1]

            async def drop() -> None:
                # The network drops while the code is shown; the scan
                # happens while the client is away, so the server's
                # updateLoginToken goes nowhere.
                conn._transport.abort()
                await asyncio.sleep(0)

            me = await client.qr_login(Scanner(cluster, ivy, before=drop), timeout=30)
            assert me.id == ivy.id and client.home_dc == 2
            assert conn.connects == 2

    run_in_cluster(main, dcs=2)


def test_requests_survive_a_reconnect() -> None:
    async def main(cluster: TestCluster) -> None:
        jo = cluster.add_user("Jo")
        async with logged_in(cluster, jo) as client:
            conn = client._conns[1]
            calls = [client.get_me() for _ in range(20)]
            tasks = [asyncio.ensure_future(c) for c in calls]
            await asyncio.sleep(0)
            conn._transport.abort()
            users = await asyncio.gather(*tasks)
            assert {u.id for u in users} == {jo.id} and conn.connects == 2

    run_in_cluster(main, dcs=1)


def test_acknowledged_request_sent_again_in_a_new_session() -> None:
    # The server acknowledges a request and loses the connection before it
    # answers; its next connection is a new session (new_session_created),
    # in which the client sends the request again.
    from mtcore.testing._handlers import NO_REPLY  # "answered otherwise"

    async def main(cluster: TestCluster) -> None:
        calls = []

        @cluster.handler(tl.functions.help.getNearestDc)
        def first_lost(ctx: Any, request: Any) -> Any:
            calls.append(ctx.session_id)
            if len(calls) == 1:
                return NO_REPLY
            return tl.types.nearestDc(country="ZZ", this_dc=1, nearest_dc=1)

        async with client_for(cluster, ping_interval=None) as client:
            conn = client._conns[1]
            task = asyncio.ensure_future(client.help.getNearestDc())
            await asyncio.sleep(0.1)
            # The pong carries the server's acknowledgment of the request.
            assert (await client.ping(ping_id=5)).ping_id == 5
            assert [req.acked for req in conn._waiters] == [True]
            conn._transport.abort()
            assert (await task).this_dc == 1
            assert len(calls) == 2 and calls[0] == calls[1]

    run_in_cluster(main, dcs=1)


def test_migrate_errors_followed() -> None:
    async def main(cluster: TestCluster) -> None:
        kim = cluster.add_user("Kim", dc=1)

        @cluster.server(1).handler(tl.functions.help.getNearestDc)
        def moved(ctx: Any, request: Any) -> Any:
            raise RpcError(303, "NETWORK_MIGRATE_2")

        async with logged_in(cluster, kim) as client:
            assert client.home_dc == 1
            # A request for another DC: its authorization imported first.
            part = bytes(range(256)) * 16
            assert await client(
                tl.functions.upload.saveFilePart(file_id=8, file_part=0, bytes=part), dc_id=3
            )
            assert client.store.dc(3).authorized  # type: ignore[union-attr]
            # FILE_MIGRATE_3 from the home DC: followed, the home kept.
            location = tl.types.inputDocumentFileLocation(
                id=8, access_hash=0, file_reference=b"", thumb_size=""
            )
            got = await client.upload.getFile(location=location, offset=0, limit=4096)
            assert got.bytes == part and client.home_dc == 1
            # NETWORK_MIGRATE_2: DC 2 becomes the home DC, logged in with
            # an exported authorization.
            assert not client.store.dc(2)  # never used so far
            nearest = await client.help.getNearestDc()
            assert nearest.this_dc == 2 and client.home_dc == 2
            assert client.store.dc(2).authorized  # type: ignore[union-attr]
            # Kim's own requests are served on Kim's DC only: the server
            # sends USER_MIGRATE_1, which moves the home back.
            assert (await client.get_me()).id == kim.id and client.home_dc == 1

    run_in_cluster(main, dcs=3)


@pytest.mark.parametrize(
    "framing, obfuscated",
    [
        (transport.Abridged, False),
        (transport.Intermediate, False),
        (transport.PaddedIntermediate, False),
        (transport.Full, False),
        (transport.Abridged, True),
        (transport.Intermediate, True),
        (transport.PaddedIntermediate, True),
    ],
    ids=lambda v: getattr(v, "__name__", str(v)),
)
def test_every_transport(framing: Any, obfuscated: bool) -> None:
    async def main(cluster: TestCluster) -> None:
        lee = cluster.add_user("Lee")
        async with logged_in(cluster, lee, transport=framing, obfuscated=obfuscated) as client:
            big = bytes(range(256)) * 2048  # 512 KiB, several reads
            assert await client.upload.saveFilePart(file_id=1, file_part=0, bytes=big)
            part = await client.upload.getFile(
                location=tl.types.inputDocumentFileLocation(
                    id=1, access_hash=0, file_reference=b"", thumb_size=""
                ),
                offset=0,
                limit=1 << 19,
            )
            assert part.bytes == big

    run_in_cluster(main, dcs=1)


def test_temporary_keys_bound() -> None:
    async def main(cluster: TestCluster) -> None:
        max_ = cluster.add_user("Max", dc=2, password="pw")
        async with client_for(cluster, pfs=3600) as client:
            me = await client.qr_login(Scanner(cluster, max_), password="pw")
            assert me.id == max_.id and (await client.get_me()).id == max_.id
            # Two keys on each DC used: the permanent and the bound
            # temporary one.
            assert cluster.server(1).auth_keys == 2 and cluster.server(2).auth_keys == 2

    run_in_cluster(main, dcs=2)


def test_a_lost_key_is_replaced() -> None:
    async def main(cluster: TestCluster) -> None:
        async with client_for(cluster) as client:
            await client.help.getNearestDc()
            old = client.store.dc(1).auth_key  # type: ignore[union-attr]
            cluster.server(1)._keys.clear()  # the DC forgets every key: -404
            client._conns[1]._transport.abort()
            assert (await client.help.getNearestDc()).this_dc == 1
            assert client.store.dc(1).auth_key not in (None, old)  # type: ignore[union-attr]

    run_in_cluster(main, dcs=1)


def test_unreachable_dc_fails_after_retries() -> None:
    async def main() -> None:
        async with TestCluster(dcs=1) as cluster:
            host, port = cluster.server(1).address
        # The cluster is gone: nothing listens on the port any more.
        client = Client(None, API_ID, API_HASH, dc=(1, host, port),
                        rsa_keys=[cluster.public_key], retries=2)
        with pytest.raises(ConnectionFailed, match="^the connection to DC 1 failed after 3 attempts"):
            await client.connect()
        await client.close()

    run(main)


def test_updates_iterator() -> None:
    async def main(cluster: TestCluster) -> None:
        nia = cluster.add_user("Nia")
        async with logged_in(cluster, nia) as client:
            got: list[Any] = []

            async def consume() -> None:
                async for update in client.updates():
                    got.append(update)

            task = asyncio.ensure_future(consume())
            # A second login token of this key, accepted: the server
            # pushes updateLoginToken, an update like any other.
            await client.auth.logOut()
            assert not client.is_authorized
            token = await client.auth.exportLoginToken(api_id=API_ID, api_hash=API_HASH, except_ids=[])
            await cluster.accept_login(token.token, user=nia)
            while not got:
                await asyncio.sleep(0.01)
            await client.close()
            await task
            assert got[0].tl_name == "updateShort" and got[0].update.tl_name == "updateLoginToken"

    run_in_cluster(main, dcs=1)


def test_max_pending_makes_requests_wait() -> None:
    async def main(cluster: TestCluster) -> None:
        seen: list[int] = []

        @cluster.handler(tl.functions.help.getNearestDc)
        def count(ctx: Any, request: Any) -> Any:
            seen.append(len(conn._waiters))
            return tl.types.nearestDc(country="ZZ", this_dc=1, nearest_dc=1)

        async with client_for(cluster, max_pending=3) as client:
            conn = client._conns[1]
            got = await asyncio.gather(*(client.help.getNearestDc() for _ in range(40)))
            assert len(got) == 40 and len(seen) == 40
            assert max(seen) == 3 and conn._inflight == 0 and not conn._queued

    run_in_cluster(main, dcs=1)


def test_store_shared_object_kept_open() -> None:
    store = SessionStore()

    async def main(cluster: TestCluster) -> None:
        async with client_for(cluster, store=store) as client:
            await client.help.getNearestDc()

    run_in_cluster(main, dcs=1)
    assert store.dc(1) is not None and store.dc(1).auth_key is not None  # type: ignore[union-attr]


def test_readme_qr_login_in_twenty_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    # The README's example as written there, against `mtcore serve` (Alice
    # on DC 2 with a password, scanning every code; the client starts on
    # DC 1): a wrong password, then the right one; a second run reuses the
    # session file without a QR code or a password.
    import functools
    import getpass

    import mtcore.client

    code = readme_python("QR login in twenty lines")
    assert code.rstrip().endswith("\nasyncio.run(main())")
    code = code.rstrip()[: -len("asyncio.run(main())")] + "asyncio.run(asyncio.wait_for(main(), 60))\n"
    with serve("--dcs", "2", "--user", "Alice:secret@2", "--auto-accept") as (ports, pem, _):
        monkeypatch.chdir(tmp_path)
        monkeypatch.setattr(mtcore.client, "Client", functools.partial(
            Client, dc=(1, "127.0.0.1", ports[1]), rsa_keys=[pem]))
        answers = iter(["wrong", "secret"])
        prompts: list[str] = []

        def fake_getpass(prompt: str) -> str:
            prompts.append(prompt)
            return next(answers)

        monkeypatch.setattr(getpass, "getpass", fake_getpass)
        exec(compile(code, "<README.md>", "exec"), {"__name__": "readme"})  # noqa: S102
        first = capsys.readouterr().out
        assert len(prompts) == 2 and prompts[0].startswith("2FA password (")
        assert "Scan it in Telegram before " in first
        assert first.count("\u2588") > 100  # the code's modules, drawn by qr_terminal
        assert first.rstrip().endswith("Logged in as Alice (id 1000001) on DC 2")
        exec(compile(code, "<README.md>", "exec"), {"__name__": "readme"})  # noqa: S102
        again = capsys.readouterr().out
        assert again == "Logged in as Alice (id 1000001) on DC 2\n" and len(prompts) == 2
    assert (tmp_path / "me.session").exists()


def test_bot_session_refused_user_methods() -> None:
    # A bot logs in by token (on another DC: USER_MIGRATE followed); the
    # methods bots may not call get the server's error, QR login included;
    # the others work.
    async def main(cluster: TestCluster) -> None:
        bot = cluster.add_bot("Robot", dc=2)
        assert bot.bot_token is not None and bot.bot_token.startswith(f"{bot.id}:")
        async with client_for(cluster, 1) as client:
            with pytest.raises(RpcError) as bad:
                await client.auth.importBotAuthorization(
                    flags=0, api_id=API_ID, api_hash=API_HASH,
                    bot_auth_token=f"{bot.id}:{'A' * 35}")
            assert (bad.value.code, bad.value.name) == (400, "ACCESS_TOKEN_INVALID")
            auth = await client.auth.importBotAuthorization(
                flags=0, api_id=API_ID, api_hash=API_HASH, bot_auth_token=bot.bot_token)
            assert auth.user.bot and auth.user.id == bot.id
            assert client.home_dc == 2 and client.is_authorized
            me = await client.get_me()
            assert me.bot and me.self and me.first_name == "Robot"
            assert (await client.help.getNearestDc()).this_dc == 2
            with pytest.raises(RpcError) as refused:
                await client.auth.exportLoginToken(api_id=API_ID, api_hash=API_HASH, except_ids=[])
            assert (refused.value.code, refused.value.name) == (400, "BOT_METHOD_INVALID")
            with pytest.raises(RpcError) as refused:
                await client.qr_login(lambda url, expires: None, timeout=10)
            assert refused.value.name == "BOT_METHOD_INVALID"
            # A handler's user-only method joins the list.
            cluster.handler(tl.functions.messages.getAllStickers)(lambda ctx, request: None)
            cluster.bot_refused.add("messages.getAllStickers")
            with pytest.raises(RpcError) as refused:
                await client.messages.getAllStickers(hash=0)
            assert refused.value.name == "BOT_METHOD_INVALID"
        assert list(cluster.errors) == []

    run_in_cluster(main, dcs=2)
