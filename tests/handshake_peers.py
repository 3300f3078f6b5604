"""
Other libraries' key exchanges driven in memory, for the interop tests
(``test_handshake_peers.py``) and the benchmark (``benches/bench_handshake.py``).

* :func:`telethon_client` runs Telethon's ``do_authentication`` with its own
  ``MTProtoPlainSender`` over a connection that hands each message to a
  ``reply(message) -> bytes`` function (a :class:`~mtcore.handshake.ServerHandshake`,
  or a :class:`Transcript` replaying one);
* :func:`pyrogram_client` runs Pyrogram's ``Auth.create`` the same way (its
  ``Connection`` replaced for the call);
* :func:`mtcore_client` runs :class:`~mtcore.handshake.ClientHandshake`;
* :class:`TelethonPiecesServer` is a server made of Telethon's TL classes,
  reader, IGE and nonce hashes (neither library has a server), with an
  RSA_PAD decryption written here from core.telegram.org/mtproto/auth_key
  on the ``rsa`` package that Telethon uses.

Every randomness of the clients comes from ``seeded(seed)``, so a run can
be recorded against a live server and replayed with the same answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import logging
import random
import struct
import time
from collections import defaultdict
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any, Callable

from mtcore import handshake

Reply = Callable[[bytes], bytes]


def seeded(seed: int) -> Callable[[int], bytes]:
    """
    ``rng(n) -> n bytes``, the same sequence for the same seed.
    """
    return random.Random(seed).randbytes


@functools.lru_cache(maxsize=None)
def server_key() -> handshake.RSAPrivateKey:
    """
    One RSA key for the servers of a test run (generation takes ~0.1 s).
    """
    return handshake.RSAPrivateKey.generate()


class Transcript:
    """
    Records the answers of ``reply`` (a live server) and plays them back, in
    order, to a client whose randomness is seeded the same way.
    """

    def __init__(self) -> None:
        self.answers: list[bytes] = []
        self.position = 0

    def record(self, reply: Reply) -> Reply:
        def recorded(message: bytes) -> bytes:
            answer = reply(message)
            self.answers.append(answer)
            return answer

        return recorded

    def replay(self, message: bytes) -> bytes:
        answer = self.answers[self.position]
        self.position += 1
        return answer

    def rewind(self) -> Transcript:
        self.position = 0
        return self


def mtcore_client(
    reply: Reply, rng: Callable[[int], bytes], dc_id: int = 2, **kw: Any
) -> Any:
    """
    A whole exchange of mtcore's client against ``reply``.
    """
    client = handshake.ClientHandshake(
        [server_key().public_key], dc_id=dc_id, rng=rng, **kw
    )
    out: Any = client.start()
    while not isinstance(out, handshake.AuthKeyResult):
        out = client.receive(reply(out))
    return out


# --- Telethon --------------------------------------------------------------------


@contextlib.contextmanager
def telethon_patched(rng: Callable[[int], bytes]) -> Iterator[None]:
    """
    Telethon's key exchange with ``server_key()`` registered and its
    ``os.urandom`` (authenticator and RSA padding) drawing from ``rng``.
    """
    from telethon.crypto import rsa
    from telethon.network import authenticator

    pub = server_key().public_key
    saved = dict(rsa._server_keys)
    rsa.add_key(pub.to_pem(), old=False)
    fake_os = SimpleNamespace(urandom=rng)
    real = authenticator.os, rsa.os
    authenticator.os = rsa.os = fake_os  # type: ignore[assignment]
    try:
        yield
    finally:
        authenticator.os, rsa.os = real
        rsa._server_keys.clear()
        rsa._server_keys.update(saved)


class _TelethonConnection:
    # What MTProtoPlainSender needs of a connection: whole messages.
    def __init__(self, reply: Reply) -> None:
        self._reply = reply
        self._answer = b""

    async def send(self, data: bytes) -> None:
        self._answer = self._reply(data)

    async def recv(self) -> bytes:
        return self._answer


def telethon_client(reply: Reply, loop: asyncio.AbstractEventLoop) -> tuple[Any, int]:
    """
    Telethon 1.x's ``do_authentication`` against ``reply`` (inside
    :func:`telethon_patched`): its ``(AuthKey, time_offset)``.
    """
    from telethon.network.authenticator import do_authentication
    from telethon.network.mtprotoplainsender import MTProtoPlainSender

    loggers = defaultdict(lambda: logging.getLogger("telethon"))
    sender = MTProtoPlainSender(_TelethonConnection(reply), loggers=loggers)
    return loop.run_until_complete(do_authentication(sender))


# --- Pyrogram --------------------------------------------------------------------


@contextlib.contextmanager
def pyrogram_patched(
    rng: Callable[[int], bytes], reply_box: list[Reply]
) -> Iterator[None]:
    """
    Pyrogram's ``Auth`` with ``server_key()`` registered, its ``urandom``
    drawing from ``rng`` and its ``Connection`` answering with
    ``reply_box[0]``.
    """
    from pyrogram.crypto import rsa
    from pyrogram.session import auth

    pub = server_key().public_key

    class Connection:
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            self._answer = b""

        async def connect(self) -> None:
            pass

        async def close(self) -> None:
            pass

        async def send(self, data: bytes) -> None:
            self._answer = reply_box[0](data)

        async def recv(self) -> bytes:
            return self._answer

    rsa.server_public_keys[pub.fingerprint] = rsa.PublicKey(pub.n, pub.e)
    real = auth.Connection, auth.urandom
    auth.Connection, auth.urandom = Connection, rng  # type: ignore[assignment, misc]
    try:
        yield
    finally:
        auth.Connection, auth.urandom = real
        del rsa.server_public_keys[pub.fingerprint]


def pyrogram_client(loop: asyncio.AbstractEventLoop, dc_id: int = 2) -> bytes:
    """
    Pyrogram's ``Auth.create`` (inside :func:`pyrogram_patched`): the auth
    key bytes.
    """
    from pyrogram.session.auth import Auth

    client = SimpleNamespace(ipv6=False, proxy=None)
    logging.getLogger("pyrogram").setLevel(logging.WARNING)
    return loop.run_until_complete(Auth(client, dc_id, False).create())  # type: ignore[arg-type]


# --- a server of Telethon's pieces ---------------------------------------------------


def _rsa_pad_decrypt(encrypted: bytes, key: handshake.RSAPrivateKey) -> bytes:
    # RSA_PAD undone (core.telegram.org/mtproto/auth_key, step 4) with the
    # rsa package's private operation and Telethon's IGE.
    import rsa.core
    from cryptography.hazmat.primitives import serialization
    from telethon.crypto import AES

    numbers = serialization.load_pem_private_key(key.to_pem(), None).private_numbers()  # type: ignore[union-attr]
    n = numbers.public_numbers.n
    block = rsa.core.decrypt_int(
        int.from_bytes(encrypted, "big"), numbers.d, n
    ).to_bytes(256, "big")
    temp_key_xor, aes_encrypted = block[:32], block[32:]
    digest = hashlib.sha256(aes_encrypted).digest()
    temp_key = bytes(x ^ y for x, y in zip(temp_key_xor, digest))
    data_with_hash = AES.decrypt_ige(aes_encrypted, temp_key, bytes(32))
    data_with_padding = data_with_hash[:192][::-1]
    if hashlib.sha256(temp_key + data_with_padding).digest() != data_with_hash[192:]:
        raise ValueError("RSA_PAD hash mismatch")
    return data_with_padding


class TelethonPiecesServer:
    """
    The server side of the exchange on Telethon's TL classes (``bytes()``
    of them; ``BinaryReader.tgread_object`` to read the client), its
    ``generate_key_data_from_nonce``, ``AES.encrypt_ige`` and
    ``AuthKey.calc_new_nonce_hash``, with Telegram's prime and g = 3.
    After ``dh_gen_ok``, :attr:`auth_key` holds the key it derived.
    """

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)
        self.auth_key: bytes | None = None
        self._msg_id = int(time.time() * 2**32) | 1

    def _send(self, obj: Any) -> bytes:
        self._msg_id += 4
        body = bytes(obj)
        return struct.pack("<qqi", 0, self._msg_id, len(body)) + body

    def receive(self, message: bytes) -> bytes:
        from telethon.crypto import AES
        from telethon.crypto.authkey import AuthKey
        from telethon.extensions import BinaryReader
        from telethon.helpers import generate_key_data_from_nonce
        from telethon.tl import types

        request = BinaryReader(message[20:]).tgread_object()
        name = type(request).__name__
        if name == "ReqPqMultiRequest":
            self._nonce = request.nonce
            self._server_nonce = self._rng.getrandbits(127)
            self._pq = 1054028803 * 1436520779  # the pq of Telegram's worked example
            return self._send(
                types.ResPQ(
                    nonce=self._nonce,
                    server_nonce=self._server_nonce,
                    pq=self._pq.to_bytes(8, "big"),
                    server_public_key_fingerprints=[server_key().fingerprint],
                )
            )
        if name == "ReqDHParamsRequest":
            assert (
                request.nonce == self._nonce
                and request.server_nonce == self._server_nonce
            )
            data = _rsa_pad_decrypt(request.encrypted_data, server_key())
            inner = BinaryReader(data).tgread_object()
            assert type(inner).__name__ in ("PQInnerDataDc", "PQInnerDataTempDc"), inner
            assert (
                inner.nonce == self._nonce and inner.server_nonce == self._server_nonce
            )
            self._new_nonce = inner.new_nonce
            self._p = handshake.TELEGRAM_DH_PRIME
            self._a = self._rng.getrandbits(2048)
            g_a = pow(3, self._a, self._p)
            answer = bytes(
                types.ServerDHInnerData(
                    nonce=self._nonce,
                    server_nonce=self._server_nonce,
                    g=3,
                    dh_prime=self._p.to_bytes(256, "big"),
                    g_a=g_a.to_bytes(256, "big"),
                    server_time=int(time.time()),
                )
            )
            with_hash = hashlib.sha1(answer).digest() + answer
            with_hash += bytes(-len(with_hash) % 16)
            self._key, self._iv = generate_key_data_from_nonce(
                self._server_nonce, self._new_nonce
            )
            return self._send(
                types.ServerDHParamsOk(
                    nonce=self._nonce,
                    server_nonce=self._server_nonce,
                    encrypted_answer=AES.encrypt_ige(with_hash, self._key, self._iv),
                )
            )
        assert name == "SetClientDHParamsRequest", name
        plain = AES.decrypt_ige(request.encrypted_data, self._key, self._iv)
        inner = BinaryReader(plain[20:]).tgread_object()
        assert type(inner).__name__ == "ClientDHInnerData"
        g_b = int.from_bytes(inner.g_b, "big")
        self.auth_key = pow(g_b, self._a, self._p).to_bytes(256, "big")
        return self._send(
            types.DhGenOk(
                nonce=self._nonce,
                server_nonce=self._server_nonce,
                new_nonce_hash1=AuthKey(self.auth_key).calc_new_nonce_hash(
                    self._new_nonce, 1
                ),
            )
        )
