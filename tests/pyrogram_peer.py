"""
Pyrogram 2.0.106 against the test cluster, in this (child) process, which
prints what happened as one JSON document::

    python pyrogram_peer.py mtcore     # mtcore.compat.install() first: mtcore is tgcrypto
    python pyrogram_peer.py tgcrypto   # Pyrogram's own backend

A child process, because a Pyrogram imported once keeps the backend it
found.  The cluster runs here too.  A first client connects to DC 2 (the
key exchange), makes RPCs and logs in by QR code with mtcore's adapter
(``mtcore.login.pyrogram_qr_login``) as a user of DC 2; a second logs in
as a user of DC 1 with a 2FA password (a migration, then the password),
then uploads a 512 KiB part and reads it back.

Pyrogram speaks layer 158 and the cluster layer 229, whose ``user``
constructor differs: the cluster answers layer-158 keys in their layer
where users are carried (``speak_layer158``, as Telegram answers each
client in its own layer).
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

MODE = sys.argv[1]
if MODE == "mtcore":
    import mtcore.compat

    mtcore.compat.install()

import pyrogram  # noqa: E402
from pyrogram import raw  # noqa: E402
from pyrogram.connection import connection as pyrogram_connection  # noqa: E402
from pyrogram.crypto import rsa as pyrogram_rsa  # noqa: E402

from mtcore import login  # noqa: E402
from mtcore._bench.e2e import API_HASH, API_ID, speak_layer158  # noqa: E402
from mtcore.testing import TestCluster  # noqa: E402


async def log_in(cluster: TestCluster, user: Any, password: Any) -> tuple[Any, dict[str, Any]]:
    client = pyrogram.Client(f"peer{user.id}", api_id=API_ID, api_hash=API_HASH, in_memory=True)
    await client.connect()
    out: dict[str, Any] = {"start_dc": await client.storage.dc_id()}
    urls: list[str] = []

    async def scan(url: str, expires: Any) -> None:
        urls.append(url)
        await cluster.accept_login(url, user=user)

    me = await login.pyrogram_qr_login(client, scan, password=password, timeout=30)
    out.update(id=me.id, first_name=me.first_name, urls=len(urls),
               url_prefix=urls[0].startswith(login.URL_PREFIX),
               dc=await client.storage.dc_id(), stored_user=await client.storage.user_id())
    users = await client.invoke(raw.functions.users.GetUsers(id=[raw.types.InputUserSelf()]))
    out["me"] = users[0].id
    return client, out


async def main() -> dict[str, Any]:
    out: dict[str, Any] = {"backend": pyrogram.crypto.aes.tgcrypto.__name__}
    async with TestCluster(dcs=2) as cluster:
        speak_layer158(cluster)
        here = cluster.add_user("Near", dc=2)
        there = cluster.add_user("Far", dc=1, password="pw")
        out["ids"] = [here.id, there.id]
        public = cluster.public_key
        pyrogram_rsa.server_public_keys[cluster.fingerprint] = pyrogram_rsa.PublicKey(public.n, public.e)
        addresses = {dc: server.address for dc, server in cluster.servers.items()}
        pyrogram_connection.DataCenter = lambda dc_id, test_mode, ipv6, media: addresses[dc_id]

        client, out["same_dc"] = await log_in(cluster, here, None)
        try:
            out["keys_on_dc2"] = cluster.server(2).auth_keys
            nearest = await asyncio.gather(
                *(client.invoke(raw.functions.help.GetNearestDc()) for _ in range(100))
            )
            out["rpcs"] = sorted({n.this_dc for n in nearest})
            config = await client.invoke(raw.functions.help.GetConfig())
            out["dc_options"] = sorted({o.id for o in config.dc_options})
        finally:
            await client.disconnect()

        client, out["migrated_2fa"] = await log_in(cluster, there, "pw")
        try:
            part = bytes(range(256)) * 2048
            out["saved"] = await client.invoke(
                raw.functions.upload.SaveFilePart(file_id=9, file_part=0, bytes=part)
            )
            got = await client.invoke(
                raw.functions.upload.GetFile(
                    location=raw.types.InputDocumentFileLocation(
                        id=9, access_hash=0, file_reference=b"", thumb_size=""
                    ),
                    offset=0,
                    limit=1 << 19,
                )
            )
            out["read_back"] = got.bytes == part
        finally:
            await client.disconnect()
    return out


if __name__ == "__main__":
    print(json.dumps(asyncio.run(asyncio.wait_for(main(), 60))))
