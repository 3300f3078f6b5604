"""
An asyncio MTProto client on mtcore's sans-I/O layers: the only module of
mtcore that opens sockets.

:class:`Client` connects to a DC (key exchange, ``initConnection``),
sends requests by TL name with typed results, follows ``*_MIGRATE_X``,
reconnects with its session kept, yields updates, and logs in by QR code
(:meth:`Client.qr_login`, with 2FA).  :class:`SessionStore` keeps its
state (auth keys per DC, salts, the clock offset, the user and home DC) in
one SQLite file, or in memory.
"""

from __future__ import annotations

from mtcore.client._client import PRODUCTION_DC as PRODUCTION_DC
from mtcore.client._client import Client as Client
from mtcore.client._store import DCState as DCState
from mtcore.client._store import SessionStore as SessionStore
from mtcore.exceptions import ClientError as ClientError
from mtcore.exceptions import ConnectionFailed as ConnectionFailed
from mtcore.exceptions import RpcError as RpcError

__all__ = [
    "PRODUCTION_DC",
    "Client",
    "ClientError",
    "ConnectionFailed",
    "DCState",
    "RpcError",
    "SessionStore",
]
