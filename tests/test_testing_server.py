"""
mtcore.testing: the in-process test cluster, driven over loopback by the
raw client of ``testing_driver`` (a transport codec, ClientHandshake and
Session, nothing else): every transport, the key exchange with permanent
and temporary keys, the built-in handlers (QR login on one DC and across
DCs, 2FA, token expiry on an injected clock, except_ids, exported
authorizations, files), pluggable handlers and their errors.  The
robustness, load and shutdown tests are in ``test_testing_robust.py``.

Every test runs its own event loop under a timeout and stops by itself.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from typing import Any

import pytest
from client_utils import run, run_in_cluster, serve
from testing_driver import (
    API_HASH,
    API_ID,
    FRAMINGS,
    Closed,
    RawClient,
    expect_rpc_error,
    url,
    wrap,
)

from compat_utils import TESTS_DIR
from mtcore import mtproto, srp, tl, transport
from mtcore.exceptions import ArgumentTypeError, ArgumentValueError, RpcError
from mtcore.handshake import RSAPrivateKey, RSAPublicKey
from mtcore.testing import Account, ManualClock, TestCluster, TestServer

F, T = tl.functions, tl.types
SELF = [T.inputUserSelf()]


@pytest.fixture(scope="module")
def rsa_key() -> RSAPrivateKey:
    # One key for the module's clusters (each cluster makes its own by
    # default: test_default_key_per_cluster).
    return RSAPrivateKey.generate()


async def logged_in(cluster: TestCluster, user: Account, dc: int) -> RawClient:
    """
    A client on DC ``dc`` logged in as ``user`` (a user of that DC, no
    password) through a QR login.
    """
    client = await RawClient(cluster, dc).start()
    token = await client.export_token()
    await cluster.accept_login(url(token), user=user)
    assert (await client.export_token()).tl_name == "auth.loginTokenSuccess"
    return client


# --- the cluster's face ------------------------------------------------------------


def test_loopback_only(rsa_key: RSAPrivateKey) -> None:
    for host in ("0.0.0.0", "192.168.1.1", "localhost", "::", "example.org"):
        with pytest.raises(ArgumentValueError, match=r"^host must be a loopback address \(127.0.0.1 or ::1\), got "):
            TestCluster(host=host, rsa_key=rsa_key)
    with pytest.raises(ArgumentValueError, match="^dcs must be a count of DCs"):
        TestCluster(dcs=0, rsa_key=rsa_key)
    with pytest.raises(ArgumentValueError, match="^dcs must be"):
        TestCluster(dcs=[1, 1], rsa_key=rsa_key)

    async def main(cluster: TestCluster) -> None:
        assert sorted(cluster.servers) == [2, 4]
        for dc, server in cluster.servers.items():
            host, port = server.address
            assert host == "127.0.0.1" and port > 0 and server.dc_id == dc
            # Listening on loopback only: the socket's own address says so.
            (sock,) = server._server.sockets
            assert sock.getsockname()[0] == "127.0.0.1"
        with pytest.raises(ArgumentValueError, match=r"^the cluster has no DC 3 \(its DCs: \[2, 4\]\)"):
            cluster.server(3)

    run_in_cluster(main, dcs=[2, 4], rsa_key=rsa_key)


def test_default_key_per_cluster() -> None:
    a, b = TestCluster(), TestCluster()
    assert a.fingerprint != b.fingerprint
    assert a.public_pem.startswith("-----BEGIN RSA PUBLIC KEY-----")
    assert a.fingerprint == a.public_key.fingerprint == a.rsa_key.fingerprint
    pem = a.rsa_key.to_pem()
    assert TestCluster(rsa_key=pem).fingerprint == a.fingerprint


@pytest.mark.parametrize("framing", sorted(FRAMINGS))
def test_every_transport(rsa_key: RSAPrivateKey, framing: str) -> None:
    async def main(cluster: TestCluster) -> None:
        client = await RawClient(cluster, 2, framing).start()
        config, pong, nearest = await client.calls(
            F.help.getConfig(), F.ping(ping_id=77), F.help.getNearestDc()
        )
        assert config.this_dc == 2
        assert [(o.id, o.ip_address, o.port) for o in config.dc_options] == [
            (dc, "127.0.0.1", s.port) for dc, s in sorted(cluster.servers.items())
        ]
        assert pong.ping_id == 77
        assert (nearest.this_dc, nearest.nearest_dc) == (2, 2)
        assert cluster.server(2).auth_keys == 1 and cluster.server(1).auth_keys == 0
        await client.close()

    run_in_cluster(main, dcs=2, rsa_key=rsa_key)


# (The full framing has no quick acks.)
@pytest.mark.parametrize("framing", ["abridged", "intermediate", "padded", "obfuscated-padded"])
def test_quick_ack(rsa_key: RSAPrivateKey, framing: str) -> None:
    # A packet sent with the quick-ack flag is acknowledged with its token
    # before the answer.
    async def main(cluster: TestCluster) -> None:
        client = await RawClient(cluster, 1, framing).connect()
        result = await client.exchange()
        session = client.use(result)
        session.send(wrap(F.help.getNearestDc()))
        (packet,) = session.flush(time.time())
        assert client.writer is not None
        client.writer.write(client.codec.encode(packet, quick_ack=True))
        ack = await client.frame()
        assert ack == transport.QuickAck(transport.quick_ack_token(result.auth_key, packet))
        answer = await client.frame()
        assert isinstance(answer, transport.Packet)
        await client.close()

    run_in_cluster(main, rsa_key=rsa_key)


def test_wrappers_and_standalone_server(rsa_key: RSAPrivateKey) -> None:
    # invokeWithLayer/initConnection (the driver's first request) and the
    # other invoke* wrappers are unwrapped; the layer and initConnection
    # fields are kept for handlers.
    async def main() -> None:
        async with TestServer(dc_id=3, rsa_key=rsa_key) as server:
            assert server.cluster.server(3) is server
            seen = []

            @server.handler(tl.functions.help.getNearestDc)
            def nearest(ctx: Any, request: Any) -> Any:
                seen.append((ctx.layer, ctx.init_connection["device_model"], ctx.dc_id))
                return T.nearestDc(country="NL", this_dc=ctx.dc_id, nearest_dc=4)

            client = await RawClient(server.cluster, 3).start()
            assert (await client.call(F.help.getNearestDc())).country == "NL"
            wrapped = F.invokeWithoutUpdates(query=F.invokeAfterMsg(msg_id=0, query=F.help.getNearestDc()))
            assert (await client.call(wrapped)).nearest_dc == 4
            assert seen == [(229, "pytest", 3)] * 2
            await client.close()
        assert server.connections == 0

    run(main)


# --- QR login ------------------------------------------------------------------------


def test_qr_login_same_dc(rsa_key: RSAPrivateKey) -> None:
    async def main(cluster: TestCluster) -> None:
        alice = cluster.add_user("Alice", dc=2, username="alice")
        client = await RawClient(cluster, 2).start()
        await expect_rpc_error(client.call(F.users.getUsers(id=SELF)), 401, "AUTH_KEY_UNREGISTERED")
        token = await client.export_token()
        assert token.tl_name == "auth.loginToken"
        assert token.expires - 30 <= cluster.clock() <= token.expires - 29
        waiter = asyncio.ensure_future(cluster.next_login_token(timeout=10))
        await asyncio.sleep(0)
        token2 = await client.export_token()  # the token is refreshed
        assert await waiter == token2.token != token.token
        await cluster.accept_login(url(token2), user=alice)
        # The waiting session gets updateLoginToken, then logs in.
        update = await client.wait_update()
        assert update.tl_name == "updateShort" and update.update.tl_name == "updateLoginToken"
        success = await client.export_token()
        assert success.tl_name == "auth.loginTokenSuccess"
        user = success.authorization.user
        assert (user.id, user.first_name, user.username, user.self) == (alice.id, "Alice", "alice", True)
        (me,) = await client.call(F.users.getUsers(id=SELF))
        assert me == user
        full = await client.call(F.users.getFullUser(id=T.inputUserSelf()))
        assert full.full_user.id == alice.id and full.users == [user]
        state = await client.call(F.updates.getState())
        assert state.date == int(cluster.clock()) or state.date == int(cluster.clock()) - 1
        # The token was used: accepting it again fails, and so does an
        # unknown one.
        with pytest.raises(RpcError, match="AUTH_TOKEN_INVALID"):
            await cluster.accept_login(token2.token, user=alice)
        with pytest.raises(RpcError, match="AUTH_TOKEN_INVALID"):
            await cluster.accept_login(b"\x01" * 32, user=alice.id)
        await client.call(F.auth.logOut())
        await expect_rpc_error(client.call(F.updates.getState()), 401, "AUTH_KEY_UNREGISTERED")
        await client.close()

    run_in_cluster(main, dcs=2, rsa_key=rsa_key)


def test_qr_login_across_dcs(rsa_key: RSAPrivateKey) -> None:
    async def main(cluster: TestCluster) -> None:
        bob = cluster.add_user("Bob", dc=3)
        first = await RawClient(cluster, 1).start()
        token = await first.export_token()
        await cluster.accept_login(token.token, user=bob)
        await first.wait_update()
        moved = await first.export_token()
        assert moved.tl_name == "auth.loginTokenMigrateTo" and moved.dc_id == 3
        # Not logged in on DC 1; the token is for DC 3 only.
        await expect_rpc_error(first.call(F.users.getUsers(id=SELF)), 401, "AUTH_KEY_UNREGISTERED")
        again = await first.call(F.auth.importLoginToken(token=moved.token))
        assert again.tl_name == "auth.loginTokenMigrateTo" and again.dc_id == 3
        home = await RawClient(cluster, 3).start()
        success = await home.call(F.auth.importLoginToken(token=moved.token))
        assert success.authorization.user.id == bob.id
        await expect_rpc_error(home.call(F.auth.importLoginToken(token=moved.token)), 400, "AUTH_TOKEN_INVALID")
        (me,) = await home.call(F.users.getUsers(id=SELF))
        assert me.id == bob.id
        # Exported to DC 2, imported there: files there, the user's
        # own RPCs sent home.
        exported = await home.call(F.auth.exportAuthorization(dc_id=2))
        await expect_rpc_error(home.call(F.auth.exportAuthorization(dc_id=3)), 400, "DC_ID_INVALID")
        await expect_rpc_error(home.call(F.auth.exportAuthorization(dc_id=9)), 400, "DC_ID_INVALID")
        media = await RawClient(cluster, 2).start()
        await expect_rpc_error(
            media.call(F.auth.importAuthorization(id=exported.id, bytes=b"x" * 32)), 400, "AUTH_BYTES_INVALID")
        auth = await media.call(F.auth.importAuthorization(id=exported.id, bytes=exported.bytes))
        assert auth.user.id == bob.id
        await expect_rpc_error(
            media.call(F.auth.importAuthorization(id=exported.id, bytes=exported.bytes)), 400, "AUTH_BYTES_INVALID")
        await expect_rpc_error(media.call(F.updates.getState()), 303, "USER_MIGRATE_3")
        assert await media.call(F.upload.saveFilePart(file_id=5, file_part=0, bytes=b"m" * 1024)) is True
        await expect_rpc_error(
            home.call(F.upload.getFile(location=T.inputDocumentFileLocation(
                id=5, access_hash=0, file_reference=b"", thumb_size=""), offset=0, limit=4096)),
            303, "FILE_MIGRATE_2")
        for c in (first, home, media):
            await c.close()

    run_in_cluster(main, dcs=3, rsa_key=rsa_key)


def test_qr_login_with_password(rsa_key: RSAPrivateKey) -> None:
    async def main(cluster: TestCluster) -> None:
        carol = cluster.add_user("Carol", dc=2, password="correct horse", hint="horse")
        assert carol.has_password
        client = await RawClient(cluster, 2).start()
        token = await client.export_token()
        await cluster.accept_login(url(token), user=carol)
        await expect_rpc_error(client.export_token(), 401, "SESSION_PASSWORD_NEEDED")
        # Not logged in until the password is checked.
        await expect_rpc_error(client.call(F.users.getUsers(id=SELF)), 401, "AUTH_KEY_UNREGISTERED")
        info = await client.call(F.account.getPassword())
        assert info.has_password and info.hint == "horse"
        wrong = srp.compute_check(info, "wrong horse")
        await expect_rpc_error(client.call(F.auth.checkPassword(password=wrong)), 400, "PASSWORD_HASH_INVALID")
        # Each srp_id is good for one check.
        await expect_rpc_error(
            client.call(F.auth.checkPassword(password=srp.compute_check(info, "correct horse"))),
            400, "SRP_ID_INVALID")
        info = await client.call(F.account.getPassword())
        auth = await client.call(F.auth.checkPassword(password=srp.compute_check(info, "correct horse")))
        assert auth.user.id == carol.id
        (me,) = await client.call(F.users.getUsers(id=SELF))
        assert me.id == carol.id
        await client.close()

    run_in_cluster(main, limit=90, dcs=2, rsa_key=rsa_key)


def test_token_expiry_on_the_cluster_clock(rsa_key: RSAPrivateKey) -> None:
    clock = ManualClock(1_700_000_000.0)

    async def main(cluster: TestCluster) -> None:
        dave, erin = cluster.add_user("Dave", dc=1), cluster.add_user("Erin", dc=1)
        client = await RawClient(cluster, 1).start()
        other = await RawClient(cluster, 1).start()
        token = await client.export_token()
        t2 = await other.export_token(except_ids=(dave.id,))
        assert token.expires == t2.expires == 1_700_000_030
        # Good for 30 s of the server clock, and not a moment more.
        clock.advance(29.5)
        with pytest.raises(RpcError, match="AUTH_TOKEN_EXCEPTION"):  # except_ids
            await cluster.accept_login(t2.token, user=dave)
        await cluster.accept_login(t2.token, user=erin)
        with pytest.raises(RpcError, match="AUTH_TOKEN_ALREADY_ACCEPTED"):
            await cluster.accept_login(t2.token, user=erin)
        clock.advance(0.5)
        with pytest.raises(RpcError, match="AUTH_TOKEN_EXPIRED"):
            await cluster.accept_login(token.token, user=dave)
        # An accepted token logs in even after its expiry; an expired
        # one is replaced by a fresh one.
        assert (await other.export_token()).authorization.user.id == erin.id
        fresh = await client.export_token()
        assert fresh.tl_name == "auth.loginToken" and fresh.expires == 1_700_000_060
        await cluster.accept_login(fresh.token, user=dave)
        assert (await client.export_token()).authorization.user.id == dave.id
        with pytest.raises(RpcError, match="AUTH_TOKEN_INVALID"):  # used
            await cluster.accept_login(fresh.token, user=dave)
        await client.close()
        await other.close()

    run_in_cluster(main, rsa_key=rsa_key, clock=clock)


def test_accept_login_token_from_a_client(rsa_key: RSAPrivateKey) -> None:
    # The scanner can also be a logged-in client calling acceptLoginToken.
    async def main(cluster: TestCluster) -> None:
        frank = cluster.add_user("Frank", dc=2)
        phone = await logged_in(cluster, frank, 2)
        desktop = await RawClient(cluster, 2).start()
        token = await desktop.export_token()
        auth = await phone.call(F.auth.acceptLoginToken(token=token.token))
        assert auth.tl_name == "authorization" and auth.device_model == "pytest"
        assert auth.api_id == API_ID
        await desktop.wait_update()
        assert (await desktop.export_token()).authorization.user.id == frank.id
        await expect_rpc_error(
            desktop.call(F.auth.exportLoginToken(api_id=0, api_hash=API_HASH, except_ids=[])),
            400, "API_ID_INVALID")
        await phone.close()
        await desktop.close()

    run_in_cluster(main, dcs=2, rsa_key=rsa_key)


def test_auto_accept(rsa_key: RSAPrivateKey) -> None:
    async def main(cluster: TestCluster) -> None:
        gina = cluster.add_user("Gina")
        cluster.auto_accept = gina
        assert cluster.auto_accept is gina
        client = await RawClient(cluster, 1).start()
        await client.export_token()
        await client.wait_update()
        assert (await client.export_token()).authorization.user.id == gina.id
        with pytest.raises(ArgumentValueError, match="^the cluster has no account with id 5$"):
            cluster.auto_accept = 5
        with pytest.raises(ArgumentTypeError, match="^user must be an Account of this cluster or its id, not 'str'$"):
            await cluster.accept_login(b"x" * 32, user="gina")  # type: ignore[arg-type]
        await client.close()

    run_in_cluster(main, rsa_key=rsa_key)


def test_add_user_checks(rsa_key: RSAPrivateKey) -> None:
    cluster = TestCluster(dcs=2, rsa_key=rsa_key)
    a = cluster.add_user()
    b = cluster.add_user("B", dc=2, user_id=77)
    assert (a.id, a.dc, b.id, b.dc) == (1000001, 1, 77, 2)
    assert cluster.accounts == {a.id: a, 77: b}
    assert repr(b) == "<Account 77 'B' on DC 2>"
    with pytest.raises(ArgumentValueError, match="^the cluster already has an account with id 77$"):
        cluster.add_user(user_id=77)
    with pytest.raises(ArgumentValueError, match="^user_id must be a positive int, got 0$"):
        cluster.add_user(user_id=0)
    with pytest.raises(ArgumentValueError, match="no DC 5"):
        cluster.add_user(dc=5)


# --- temporary keys ------------------------------------------------------------------


def test_temporary_key_bound_to_permanent(rsa_key: RSAPrivateKey) -> None:
    clock = ManualClock()

    async def main(cluster: TestCluster) -> None:
        hana = cluster.add_user("Hana")
        perm_client = await RawClient(cluster, 1).connect()
        perm = await perm_client.exchange()
        perm_client.use(perm)
        token = await perm_client.export_token()
        await cluster.accept_login(token.token, user=hana)
        temp_client = await RawClient(cluster, 1).connect()
        temp = await temp_client.exchange(expires_in=600)
        assert temp.expires_in == 600 and temp.expires_at == int(clock.now) + 600
        temp_client.use(temp)
        # Unbound: no authorization to act with.
        await expect_rpc_error(temp_client.call(F.updates.getState()), 401, "AUTH_KEY_PERM_EMPTY")
        await expect_rpc_error(temp_client.export_token(), 401, "AUTH_KEY_PERM_EMPTY")
        assert await temp_client.bind(perm, temp) is True
        # Bound: the permanent key's login counts.
        assert (await temp_client.call(F.updates.getState())).pts == 1
        second = await temp_client.bind(perm, temp)
        assert second.error_message == "TEMP_AUTH_KEY_ALREADY_BOUND"
        # Expired: the key is forgotten (transport error 404).
        clock.advance(601)
        with pytest.raises(Closed) as closed:
            await temp_client.call(F.help.getConfig())
        assert closed.value.code == 404
        # The permanent key lives on.
        assert (await perm_client.call(F.updates.getState())).pts == 1
        await perm_client.close()
        await temp_client.close()

    run_in_cluster(main, rsa_key=rsa_key, clock=clock)


def test_bind_refusals(rsa_key: RSAPrivateKey) -> None:
    async def main(cluster: TestCluster) -> None:
        a = await RawClient(cluster, 1).connect()
        perm = await a.exchange()
        b = await RawClient(cluster, 1).connect()
        temp = await b.exchange(expires_in=100)
        other = await RawClient(cluster, 1).connect()
        temp2 = await other.exchange(expires_in=100)
        # Over a permanent key; to a temporary key; with the wrong key.
        assert (await a.bind(perm, perm)).error_message == "TEMP_AUTH_KEY_EMPTY"
        assert (await b.bind(temp2, temp)).error_message == "ENCRYPTED_MESSAGE_INVALID"
        # A good binding from another connection than the permanent key's.
        assert await other.bind(perm, temp2) is True
        for c in (a, b, other):
            await c.close()

    run_in_cluster(main, rsa_key=rsa_key)


# --- handlers ------------------------------------------------------------------------


def test_pluggable_handlers(rsa_key: RSAPrivateKey) -> None:
    async def main(cluster: TestCluster) -> None:
        calls = []

        @cluster.handler("messages.getDialogFilters")
        async def filters(ctx: Any, request: Any) -> Any:
            await asyncio.sleep(0.01)
            calls.append(ctx.dc_id)
            return T.messages.dialogFilters(filters=[])

        @cluster.server(2).handler(tl.functions.messages.getDialogFilters)
        def filters2(ctx: Any, request: Any) -> Any:
            raise RpcError(420, "FLOOD_WAIT_7")

        @cluster.handler(tl.functions.help.getNearestDc)
        def broken(ctx: Any, request: Any) -> Any:
            raise KeyError("a bug in a handler")

        @cluster.handler(tl.functions.contacts.getContacts)
        def raw(ctx: Any, request: Any) -> Any:
            return bytes(T.contacts.contactsNotModified())

        one = await RawClient(cluster, 1).start()
        two = await RawClient(cluster, 2).start()
        assert (await one.call(F.messages.getDialogFilters())).filters == []
        err = await expect_rpc_error(two.call(F.messages.getDialogFilters()), 420, "FLOOD_WAIT_7")
        assert err.value == 7
        await expect_rpc_error(one.call(F.help.getNearestDc()), 500, "INTERNAL_SERVER_ERROR")
        assert isinstance(cluster.errors[-1], KeyError)
        assert (await one.call(F.contacts.getContacts(hash=0))).tl_name == "contacts.contactsNotModified"
        # Nothing handles it: a clean error; the connection goes on.
        await expect_rpc_error(one.call(F.messages.getAllStickers(hash=0)), 400, "METHOD_INVALID")
        assert calls == [1]
        assert (await one.call(F.help.getConfig())).this_dc == 1
        await one.close()
        await two.close()

    run_in_cluster(main, dcs=2, rsa_key=rsa_key)


def test_handler_registration_errors(rsa_key: RSAPrivateKey) -> None:
    cluster = TestCluster(rsa_key=rsa_key)
    for bad in (tl.types.user, "no.suchMethod", 5, None):
        with pytest.raises(ArgumentValueError, match="^a handler is registered for a TL function"):
            cluster.handler(bad)
    with pytest.raises(ArgumentTypeError, match="^handler must be callable"):
        cluster.server(1).handler("help.getConfig")(5)  # type: ignore[arg-type]
    with pytest.raises(ArgumentTypeError, match=r"^the options \['idle_timeout'\] are for the cluster"):
        TestServer(1, cluster=cluster, idle_timeout=1)


def test_unknown_constructor_answered(rsa_key: RSAPrivateKey) -> None:
    # A query the server's schema cannot decode still gets an answer.
    async def main(cluster: TestCluster) -> None:
        client = await RawClient(cluster, 1).start()
        assert client.session is not None
        await client.call(F.help.getConfig())
        request = client.session.send(b"\x78\x56\x34\x12" + bytes(8))
        for packet in client.session.flush(time.time()):
            client.send(packet)
        while True:
            frame = await client.frame()
            events = client.session.receive(frame, time.time())
            done = [e for e in events if getattr(e, "request", None) is request]
            if done:
                break
        assert (done[0].error.code, done[0].error.message) == (400, "INPUT_METHOD_INVALID")
        await client.close()

    run_in_cluster(main, rsa_key=rsa_key)


def test_files(rsa_key: RSAPrivateKey) -> None:
    async def main(cluster: TestCluster) -> None:
        ivan = cluster.add_user("Ivan")
        client = await RawClient(cluster, 1).start()
        await expect_rpc_error(
            client.call(F.upload.saveFilePart(file_id=1, file_part=0, bytes=b"x")), 401, "AUTH_KEY_UNREGISTERED")
        token = await client.export_token()
        await cluster.accept_login(token.token, user=ivan)
        parts = [bytes([i]) * 512 * 1024 for i in range(3)] + [b"tail"]
        # Out of order, as parallel uploads send them.
        results = await client.calls(*(
            F.upload.saveFilePart(file_id=9, file_part=i, bytes=parts[i]) for i in (2, 0, 3, 1)))
        assert results == [True] * 4
        assert await client.call(F.upload.saveBigFilePart(
            file_id=10, file_part=1, file_total_parts=2, bytes=b"big")) is True
        for request, message in [
            (F.upload.saveFilePart(file_id=9, file_part=-1, bytes=b"x"), "FILE_PART_INVALID"),
            (F.upload.saveFilePart(file_id=9, file_part=4000, bytes=b"x"), "FILE_PART_INVALID"),
            (F.upload.saveFilePart(file_id=9, file_part=0, bytes=b""), "FILE_PART_EMPTY"),
            (F.upload.saveFilePart(file_id=9, file_part=0, bytes=bytes(512 * 1024 + 1)), "FILE_PART_TOO_BIG"),
            (F.upload.saveBigFilePart(file_id=9, file_part=2, file_total_parts=2, bytes=b"x"), "FILE_PART_INVALID"),
            (F.upload.saveBigFilePart(file_id=9, file_part=0, file_total_parts=0, bytes=b"x"), "FILE_PARTS_INVALID"),
        ]:
            await expect_rpc_error(client.call(request), 400, message)
        whole = b"".join(parts)
        loc = T.inputDocumentFileLocation(id=9, access_hash=0, file_reference=b"", thumb_size="")
        got = b""
        for offset in range(0, len(whole), 1 << 20):
            chunk = await client.call(F.upload.getFile(location=loc, offset=offset, limit=1 << 20))
            assert chunk.type.tl_name == "storage.filePartial"
            got += chunk.bytes
        assert got == whole
        precise = await client.call(F.upload.getFile(precise=True, location=loc, offset=1024, limit=3072))
        assert precise.bytes == whole[1024:4096]
        for offset, limit, message in [
            (0, 3000, "LIMIT_INVALID"), (0, 3 * 4096, "LIMIT_INVALID"), (0, 2 << 20, "LIMIT_INVALID"),
            (1024, 4096, "OFFSET_INVALID"), ((1 << 20) - 4096, 8192, "LIMIT_INVALID"),
        ]:
            await expect_rpc_error(
                client.call(F.upload.getFile(location=loc, offset=offset, limit=limit)), 400, message)
        await expect_rpc_error(client.call(F.upload.getFile(
            location=T.inputDocumentFileLocation(id=99, access_hash=0, file_reference=b"", thumb_size=""),
            offset=0, limit=4096)), 400, "LOCATION_INVALID")
        await expect_rpc_error(client.call(F.upload.getFile(
            location=T.inputPeerPhotoFileLocation(peer=T.inputPeerSelf(), photo_id=1),
            offset=0, limit=4096)), 400, "LOCATION_INVALID")
        await client.close()

    run_in_cluster(main, rsa_key=rsa_key)


def test_service_queries(rsa_key: RSAPrivateKey) -> None:
    # destroy_session is answered by a message of its own (not an
    # rpc_result); rpc_drop_answer finds nothing left to drop.
    async def main(cluster: TestCluster) -> None:
        client = await RawClient(cluster, 1).start()
        assert client.session is not None
        await client.call(F.help.getConfig())
        dropped = await client.call(F.rpc_drop_answer(req_msg_id=5))
        assert dropped.tl_name == "rpc_answer_unknown"
        client.session.send(F.destroy_session(session_id=42))
        for packet in client.session.flush(time.time()):
            client.send(packet)
        names = []
        while "destroy_session_none" not in names:
            frame = await client.frame()
            assert client.session is not None
            # The client session ignores the answer; read it by hand.
            msg = mtproto.unpack_message(client.session._key, frame.payload,
                                         session_id=client.session.session_id)
            obj = tl.decode(msg.body)
            bodies = [m.body for m in obj.messages] if obj.tl_name == "msg_container" else [obj]
            names += [b.tl_name for b in bodies]
        await client.close()

    run_in_cluster(main, rsa_key=rsa_key)


# --- mtcore serve ------------------------------------------------------------------------


def test_mtcore_serve() -> None:
    # The console command: prints the DCs and the key, serves a client that
    # trusts that key (the auto-accepting user logs it in), stops on Ctrl-C.
    with serve("--dcs", "2", "--user", "Zoe:pw@2", "--user", "Yann@1", "--auto-accept") as (
        ports, pem, lines
    ):
        assert sorted(ports) == [1, 2]
        key = RSAPublicKey.from_pem(pem)
        fp_line = next(ln for ln in lines if ln.startswith("RSA key fingerprint: "))
        assert fp_line.split()[3] == f"{key.fingerprint & 0xFFFFFFFFFFFFFFFF:016x}"
        assert "user 1000001 'Zoe' on DC 2, 2FA password, accepts every login token" in lines
        assert "user 1000002 'Yann' on DC 1" in lines

        class Remote:  # what RawClient needs of a cluster
            public_key = key

            def server(self, dc: int) -> Any:
                class S:
                    address = ("127.0.0.1", ports[dc])
                return S()

        async def main() -> None:
            client = await RawClient(Remote(), 2).start()  # type: ignore[arg-type]
            config = await client.call(F.help.getConfig())
            assert sorted((o.id, o.port) for o in config.dc_options) == sorted(ports.items())
            await client.export_token()
            await client.wait_update()  # accepted by Zoe at once
            await expect_rpc_error(client.export_token(), 401, "SESSION_PASSWORD_NEEDED")
            await client.close()

        run(main)


def test_mtcore_serve_arguments() -> None:
    for args, message in [
        (["--user", ":pw"], "--user: expected NAME[:PASSWORD][@DC], got :pw"),
        (["--user", "A@x"], "--user: expected NAME[:PASSWORD][@DC], got A@x"),
        (["--auto-accept"], "--auto-accept needs a --user"),
        (["--host", "0.0.0.0"], "host must be a loopback address"),
        (["--user", "A@7"], "the cluster has no DC 7"),
        (["--dcs", "0"], "--dcs must be 1 or more"),
    ]:
        proc = subprocess.run([sys.executable, "-m", "mtcore", "serve", *args],
                              capture_output=True, text=True, timeout=60, cwd=TESTS_DIR)
        assert proc.returncode == 2 and message in proc.stderr, (args, proc.stderr)
