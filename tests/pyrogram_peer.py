"""
Pyrogram 2.0.106 against the test cluster, in this (child) process, which
prints what happened as one JSON document::

    python pyrogram_peer.py mtcore     # mtcore.compat.install() first: mtcore is tgcrypto
    python pyrogram_peer.py tgcrypto   # Pyrogram's own backend

A child process, because a Pyrogram imported once keeps the backend it
found.  The cluster runs here too.  The client connects to DC 2 (the key
exchange), makes RPCs, logs in by QR code with mtcore's adapter
(``mtcore.login.pyrogram_qr_login``: a 2FA account on DC 1, so a
migration and a password), then uploads a 512 KiB part and reads it back.

Pyrogram speaks layer 158 and the cluster layer 229, whose ``user``
constructor differs (``0x8f97c628`` in 158, ``0xb1b8cc83`` in 229): the
results that carry users are re-encoded in layer 158 by handlers added
here, as Telegram answers each client in its own layer.
"""

from __future__ import annotations

import asyncio
import json
import struct
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

from mtcore import login, tl  # noqa: E402
from mtcore.testing import TestCluster  # noqa: E402
from mtcore.testing._handlers import BUILTIN  # noqa: E402  (the handlers wrapped below)

API_ID = 94575
API_HASH = "a3406de8d171bb422bb6ddf3bbd800e2"
_VECTOR = struct.Struct("<Ii")


def layer158(value: Any) -> Any:
    # A result of the built-in handlers with its users in Pyrogram's layer.
    if isinstance(value, list):
        return _VECTOR.pack(0x1CB5C415, len(value)) + b"".join(layer158(v) for v in value)
    return _convert(value).write()


def _convert(obj: Any) -> Any:
    name = obj.tl_name
    if name == "user":
        return raw.types.User(
            id=obj.id, is_self=obj.self or None, access_hash=obj.access_hash,
            first_name=obj.first_name, last_name=obj.last_name, username=obj.username,
            phone=obj.phone, status=raw.types.UserStatusRecently(),
        )
    if name == "auth.authorization":
        return raw.types.auth.Authorization(user=_convert(obj.user))
    if name == "auth.loginTokenSuccess":
        return raw.types.auth.LoginTokenSuccess(authorization=_convert(obj.authorization))
    return raw.core.TLObject.read(__import__("io").BytesIO(bytes(obj)))


def speak_layer158(cluster: TestCluster) -> None:
    for name in ("auth.exportLoginToken", "auth.importLoginToken", "auth.checkPassword",
                 "users.getUsers"):
        builtin = BUILTIN[name]

        def handler(ctx: Any, request: Any, builtin: Any = builtin) -> Any:
            return layer158(builtin(ctx, request))

        cluster.handler(name)(handler)


async def main() -> dict[str, Any]:
    out: dict[str, Any] = {"backend": pyrogram.crypto.aes.tgcrypto.__name__}
    async with TestCluster(dcs=2) as cluster:
        speak_layer158(cluster)
        user = cluster.add_user("Pyro", dc=1, password="pw")
        public = cluster.public_key
        pyrogram_rsa.server_public_keys[cluster.fingerprint] = pyrogram_rsa.PublicKey(public.n, public.e)
        addresses = {dc: server.address for dc, server in cluster.servers.items()}
        pyrogram_connection.DataCenter = lambda dc_id, test_mode, ipv6, media: addresses[dc_id]

        client = pyrogram.Client("peer", api_id=API_ID, api_hash=API_HASH, in_memory=True)
        await client.connect()
        try:
            out["dc"] = await client.storage.dc_id()
            out["keys_on_dc2"] = cluster.server(2).auth_keys
            nearest = await asyncio.gather(
                *(client.invoke(raw.functions.help.GetNearestDc()) for _ in range(100))
            )
            out["rpcs"] = sorted({n.this_dc for n in nearest})
            config = await client.invoke(raw.functions.help.GetConfig())
            out["dc_options"] = sorted({(o.id, o.port) for o in config.dc_options})
            urls: list[str] = []

            async def scan(url: str, expires: Any) -> None:
                urls.append(url)
                await cluster.accept_login(url, user=user)

            me = await login.pyrogram_qr_login(client, scan, password="pw", timeout=30)
            out["login"] = {"id": me.id, "first_name": me.first_name, "urls": len(urls),
                            "url_prefix": urls[0].startswith(login.URL_PREFIX),
                            "dc": await client.storage.dc_id(),
                            "stored_user": await client.storage.user_id()}
            users = await client.invoke(raw.functions.users.GetUsers(id=[raw.types.InputUserSelf()]))
            out["me"] = users[0].id
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
            out["user_id"] = user.id
        finally:
            await client.disconnect()
    return out


if __name__ == "__main__":
    print(json.dumps(asyncio.run(asyncio.wait_for(main(), 60))))
