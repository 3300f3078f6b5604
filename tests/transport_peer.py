"""
The client half of ``test_transport_interop.py``: Telethon's or Pyrogram's
own transport classes, in this (child) process, on their original backends
or on mtcore's drop-ins::

    python transport_peer.py telethon original PORT
    python transport_peer.py pyrogram mtcore PORT

For each case of ``CASES`` (in order, one connection each) the client
connects to 127.0.0.1:PORT, sends ``client_payloads(case)``, reads
``len(server_payloads(case))`` payloads and closes; it prints one JSON
document with what it read.  The test's server (mtcore's codecs) holds the
other half.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import sys
from typing import Any

# (name, client library, class, MTProxy secret or None)
CASES = (
    ("telethon-full", "telethon", "ConnectionTcpFull", None),
    ("telethon-abridged", "telethon", "ConnectionTcpAbridged", None),
    ("telethon-intermediate", "telethon", "ConnectionTcpIntermediate", None),
    ("telethon-obfuscated", "telethon", "ConnectionTcpObfuscated", None),
    ("telethon-mtproxy-abridged", "telethon", "ConnectionTcpMTProxyAbridged", "5a" * 16),
    ("telethon-mtproxy-intermediate", "telethon", "ConnectionTcpMTProxyIntermediate", "a5" * 16),
    ("telethon-mtproxy-dd", "telethon", "ConnectionTcpMTProxyRandomizedIntermediate", "dd" + "3c" * 16),
    ("pyrogram-full", "pyrogram", "TCPFull", None),
    ("pyrogram-abridged", "pyrogram", "TCPAbridged", None),
    ("pyrogram-intermediate", "pyrogram", "TCPIntermediate", None),
    ("pyrogram-abridged-o", "pyrogram", "TCPAbridgedO", None),
    ("pyrogram-intermediate-o", "pyrogram", "TCPIntermediateO", None),
)
# Client frames across the abridged length forms; the server's frames
# (24 bytes and more: a shorter one reads as a transport error), then a
# transport error (404).
CLIENT_SIZES = (8, 64, 504, 508, 512, 1024, 65536)
SERVER_SIZES = (24, 508, 2048, 65536)
DC_ID = 2


def client_payloads(case: str) -> list[bytes]:
    rng = random.Random(f"transport-peer/{case}/client")
    return [rng.randbytes(n) for n in CLIENT_SIZES]


def server_payloads(case: str) -> list[bytes]:
    rng = random.Random(f"transport-peer/{case}/server")
    return [rng.randbytes(n) for n in SERVER_SIZES]


class _Loggers(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> logging.Logger:
        return logging.getLogger(key)


async def telethon_case(name: str, cls_name: str, secret: Any, port: int) -> list[str]:
    from telethon.network import connection

    cls = getattr(connection, cls_name)
    proxy = ("127.0.0.1", port, secret) if secret else None
    conn = cls("127.0.0.1", port, DC_ID, loggers=_Loggers(), proxy=proxy)
    await conn.connect(timeout=10)
    for payload in client_payloads(name):
        await conn.send(payload)
    got = [await asyncio.wait_for(conn.recv(), 10) for _ in range(len(SERVER_SIZES) + 1)]
    await conn.disconnect()
    return [g.hex() for g in got]


async def pyrogram_case(name: str, cls_name: str, port: int) -> list[str]:
    import importlib

    tcp = importlib.import_module("pyrogram.connection.transport.tcp")
    transport = getattr(tcp, cls_name)(ipv6=False, proxy={})
    await transport.connect(("127.0.0.1", port))
    for payload in client_payloads(name):
        await transport.send(payload)
    got = [await asyncio.wait_for(transport.recv(), 10) for _ in range(len(SERVER_SIZES) + 1)]
    await transport.close()
    return [g.hex() for g in got]


def main() -> None:
    client, mode, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    logging.basicConfig(level=logging.CRITICAL)
    out: dict[str, Any] = {}
    if mode == "mtcore":
        import mtcore.compat

        out["installed"] = list(mtcore.compat.install())
    if client == "telethon":
        import telethon  # noqa: F401 -- imported as an application does

        if mode == "mtcore":
            import mtcore.compat.telethon

            out["patched"] = list(mtcore.compat.telethon.install())
        from telethon.network.connection import tcpobfuscated

        out["ctr"] = tcpobfuscated.AESModeCTR.__module__
    else:
        import pyrogram
        from pyrogram.crypto import aes

        out["ctr"] = aes.tgcrypto.__name__ if hasattr(aes, "tgcrypto") else "?"

    async def run() -> None:
        for name, lib, cls_name, secret in CASES:
            if lib != client:
                continue
            if lib == "telethon":
                out[name] = await telethon_case(name, cls_name, secret, port)
            else:
                out[name] = await pyrogram_case(name, cls_name, port)

    asyncio.run(run())
    if client == "pyrogram":
        pyrogram.crypto_executor.shutdown()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
