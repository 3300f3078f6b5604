"""
An in-process MTProto test cluster on loopback, built on mtcore's sans-I/O
layers: test a client (mtcore's, Telethon, Pyrogram, ...) offline, QR
login and 2FA included.

API in brief (stable; see each docstring)::

    from mtcore import tl
    from mtcore.testing import TestCluster, ManualClock

    async with TestCluster(dcs=2, clock=None, rsa_key=None) as cluster:
        cluster.public_pem, cluster.fingerprint      # the RSA key to trust
        cluster.server(1).address                    # ("127.0.0.1", port)
        alice = cluster.add_user("Alice", dc=2, password="pw")   # an Account
        token = await cluster.next_login_token(timeout=5)         # bytes
        await cluster.accept_login(token_or_url, user=alice)      # the scanner
        @cluster.handler(tl.functions.help.getNearestDc)          # or server.handler
        async def nearest(ctx, request): ...       # -> TL object / bool / list
                                                   # raise RpcError(code, "TEXT")
    async with TestServer(dc_id=2) as server: ...  # a one-DC cluster

* Every transport of :mod:`mtcore.transport` (told apart by the first
  bytes, :func:`mtcore.transport.server_codec`); the key exchange with
  permanent and temporary keys (``auth.bindTempAuthKey``); a
  :class:`~mtcore.session.ServerSession` per connection and auth key.
* Built in: ``invokeWithLayer``, ``initConnection`` and the other
  ``invokeWith*`` wrappers; ``help.getConfig`` (``dc_options`` are the
  cluster's ports), ``help.getNearestDc``; ``ping``, ``ping_delay_disconnect``,
  ``get_future_salts``, ``msgs_ack``, ``destroy_session``,
  ``rpc_drop_answer``; ``auth.exportLoginToken`` / ``importLoginToken`` /
  ``acceptLoginToken`` (tokens live 30 s of the cluster clock,
  ``except_ids`` honoured, ``updateLoginToken`` pushed to the sessions of
  the key that asked, ``loginTokenMigrateTo`` for a user of another DC,
  ``SESSION_PASSWORD_NEEDED``), ``account.getPassword``,
  ``auth.checkPassword`` (SRP; ``PASSWORD_HASH_INVALID``),
  ``auth.exportAuthorization`` / ``importAuthorization``, ``auth.logOut``,
  ``users.getUsers`` / ``getFullUser``, ``updates.getState`` /
  ``getDifference``, ``upload.saveFilePart`` / ``saveBigFilePart`` /
  ``getFile`` (an upload is read back as
  ``inputDocumentFileLocation(id=file_id)``).  A user's RPC on another DC
  than the user's gets ``USER_MIGRATE_X``, a file of another DC
  ``FILE_MIGRATE_X``; without a login ``AUTH_KEY_UNREGISTERED``; any
  other function ``400 METHOD_INVALID``, an unknown constructor
  ``400 INPUT_METHOD_INVALID``.
* Bounded: connections, frames, write buffers, auth keys, tokens and
  files have limits; idle and slow connections are closed; garbage,
  failed key exchanges and bad packets close only their own connection.

``mtcore serve`` runs a cluster from the command line.
"""

from __future__ import annotations

from mtcore.exceptions import RpcError as RpcError
from mtcore.testing._accounts import Account as Account
from mtcore.testing._accounts import ManualClock as ManualClock
from mtcore.testing._cluster import TestCluster as TestCluster
from mtcore.testing._server import Context as Context
from mtcore.testing._server import TestServer as TestServer

__all__ = ["Account", "Context", "ManualClock", "RpcError", "TestCluster", "TestServer"]
