"""
Load with the real client: 200 mtcore clients at once against the test
cluster (in a child process, ``mtcore._bench.e2e.ClusterProcess``,
with tracemalloc on), each with a new key (a key exchange) making 100
RPCs, while 20 more log in by QR code in parallel; then the same 220
clients again on their stored keys (less on the pure twin: see CLIENTS).

Everything completes, and the server comes back to its baseline: no
connection and no task left, and its traced memory after the second
round equals what it was after the first (the first round adds what a DC
keeps by design: one auth key per client, a few KiB at most each).
"""

from __future__ import annotations

import asyncio
from typing import Any

from mtcore import _backend
from mtcore._bench.e2e import API_HASH, API_ID, DC, ClusterProcess
from mtcore.client import Client, SessionStore

from client_utils import run

# The load on the compiled backend.  The pure twin's run of the
# suite (MTCORE_PUREPYTHON=1, the cluster's child process too) took three
# minutes for it on a loaded 2-core machine, mostly in pure-Python key
# exchanges: there a quarter of the clients and a fifth of the RPCs go
# through the same checks.
COMPILED = _backend.IMPLEMENTATION == "c"
CLIENTS, RPCS, LOGINS = (200, 100, 20) if COMPILED else (50, 20, 5)


def client_of(cluster: dict[str, Any], store: SessionStore) -> Client:
    host, port = cluster["dcs"][str(DC)]
    return Client(store, API_ID, API_HASH, dc=(DC, host, port), rsa_keys=[cluster["pem"]])


async def rpcs(cluster: dict[str, Any], store: SessionStore) -> int:
    async with client_of(cluster, store) as client:
        for _ in range(RPCS):
            assert (await client.help.getNearestDc()).this_dc == DC
    return RPCS


async def qr_login(cluster: dict[str, Any], store: SessionStore) -> int:
    async with client_of(cluster, store) as client:
        if not client.is_authorized:
            await client.qr_login(lambda url, expires: None)
        return (await client.get_me()).id  # type: ignore[no-any-return]


async def round_(cluster: dict[str, Any], plain: list[SessionStore], logins: list[SessionStore]) -> tuple[list[int], list[int]]:
    done = await asyncio.gather(
        asyncio.gather(*(rpcs(cluster, s) for s in plain)),
        asyncio.gather(*(qr_login(cluster, s) for s in logins)),
    )
    return done[0], done[1]


def test_load_many_clients_and_qr_logins() -> None:
    with ClusterProcess(trace=True) as server:
        cluster = server.hello
        user = cluster["user"]
        plain = [SessionStore() for _ in range(CLIENTS)]
        logins = [SessionStore() for _ in range(LOGINS)]

        # Warm up: one of each, so that what is made once (classes,
        # caches) is in the baseline.
        run(lambda: round_(cluster, [SessionStore()], [SessionStore()]))
        base = server.stats()
        assert base["connections"] == 0

        counts, ids = run(lambda: round_(cluster, plain, logins), limit=600)
        assert counts == [RPCS] * CLIENTS and ids == [user] * LOGINS
        assert all(s.dc(DC).auth_key for s in plain + logins)  # type: ignore[union-attr]
        first = server.stats()
        assert first["connections"] == 0 and first["tasks"] == base["tasks"]
        assert first["auth_keys"] == base["auth_keys"] + CLIENTS + LOGINS
        # What the DC keeps: the keys (and a login per key of the second
        # group), a few KiB each.
        assert first["traced"] - base["traced"] < (CLIENTS + LOGINS) * 4096 + (256 << 10)

        counts, ids = run(lambda: round_(cluster, plain, logins), limit=600)
        assert counts == [RPCS] * CLIENTS and ids == [user] * LOGINS
        second = server.stats()
        assert second["connections"] == 0 and second["tasks"] == base["tasks"]
        assert second["auth_keys"] == first["auth_keys"]  # the stored keys served
        assert abs(second["traced"] - first["traced"]) < 64 << 10, (first, second)
