"""
Runs a Telegram client's own crypto code paths in this (child) process and
prints what they produced, as one JSON document::

    python compat_driver.py pyrogram original   # Pyrogram on tgcrypto
    python compat_driver.py pyrogram mtcore     # after mtcore.compat.install()
    python compat_driver.py telethon original   # Telethon on cryptg + pyaes
    python compat_driver.py telethon mtcore     # + mtcore.compat.telethon.install()

``test_compat_clients.py`` runs both modes and compares.  Every input is
deterministic: ``os.urandom`` (message padding, the obfuscation header) is
replaced by a seeded generator, reseeded at the start of each part, so both
modes draw the same bytes.  The obfuscated transports talk to a local TCP
server whose side of AES-CTR is ``cryptography``'s, not the client's.
"""

from __future__ import annotations

import asyncio
import collections
import hashlib
import io
import json
import logging
import os
import random
import struct
import sys
import time
from typing import Any, Callable

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

# Client frames (multiples of 4: abridged lengths count words) across the
# one-byte / 0x7f length forms, and the server's frames back.
CLIENT_FRAMES = (8, 64, 500, 504, 508, 512, 1024, 16384)
SERVER_FRAMES = (8, 12, 508, 2048, 16384)
IGE_SIZES = (16, 32, 1024, 65536)
CTR_CHUNKS = (1, 3, 64, 1, 508, 4096, 17, 65536)
MESSAGE_BODIES = (64, 1024, 512 * 1024)


def show(data: bytes) -> str:
    # Short outputs in full, long ones as their length and SHA-256.
    data = bytes(data)
    if len(data) <= 256:
        return data.hex()
    return f"{len(data)}:sha256:{hashlib.sha256(data).hexdigest()}"


def seed_urandom(label: str, *modules: Any) -> None:
    # os.urandom, and the modules that imported it by name, draw from a
    # generator seeded with ``label``.
    draw = random.Random(f"compat-driver/{label}").randbytes
    os.urandom = draw
    for module in modules:
        module.urandom = draw


def ctr_stream(key: bytes, iv: bytes) -> Callable[[bytes], bytes]:
    return Cipher(algorithms.AES(key), modes.CTR(iv)).encryptor().update


def abridged(payload: bytes) -> bytes:
    n = len(payload) // 4
    return (bytes([n]) if n < 127 else b"\x7f" + n.to_bytes(3, "little")) + payload


class ObfuscatedServer:
    """
    The server end of an obfuscated abridged connection (MTPROTO.md 5.3):
    reads the 64-byte header and ``frames`` client frames, then sends
    ``replies`` as frames; records the wire bytes both ways.
    """

    def __init__(self, frames: int, replies: list[bytes]) -> None:
        self.frames = frames
        self.replies = replies
        self.record: dict[str, Any] = {}
        self.done = asyncio.Event()

    async def handle(self, reader: asyncio.StreamReader, writer: Any) -> None:
        try:
            header = await reader.readexactly(64)
            decrypt = ctr_stream(header[8:40], header[40:56])
            rev = header[8:56][::-1]
            encrypt = ctr_stream(rev[:32], rev[32:48])
            self.record["header"] = header.hex()
            self.record["tag"] = decrypt(header)[56:60].hex()
            wire, frames = [], []
            for _ in range(self.frames):
                raw = await reader.readexactly(1)
                words = decrypt(raw)[0]
                if words == 0x7F:
                    more = await reader.readexactly(3)
                    raw += more
                    words = int.from_bytes(decrypt(more), "little")
                body = await reader.readexactly(4 * words)
                wire.append(show(raw + body))
                frames.append(show(decrypt(body)))
            self.record["client_wire"] = wire
            self.record["client_frames"] = frames
            sent = [encrypt(abridged(p)) for p in self.replies]
            for chunk in sent:
                writer.write(chunk)
            await writer.drain()
            self.record["server_wire"] = [show(s) for s in sent]
            await reader.read()  # until the client closes
        finally:
            writer.close()
            self.done.set()


async def run_transport(connect: Callable[[int], Any], label: str) -> dict[str, Any]:
    rng = random.Random(f"compat-driver/{label}/frames")
    frames = [rng.randbytes(n) for n in CLIENT_FRAMES]
    replies = [rng.randbytes(n) for n in SERVER_FRAMES]
    server = ObfuscatedServer(len(frames), replies)
    listener = await asyncio.start_server(server.handle, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    try:
        received = await asyncio.wait_for(connect(port)(frames, len(replies)), 30)
        await asyncio.wait_for(server.done.wait(), 30)
    finally:
        listener.close()
        await listener.wait_closed()
    record = server.record
    record["sent"] = [show(f) for f in frames]
    record["received"] = [show(r) for r in received]
    record["replies"] = [show(r) for r in replies]
    return record


# --- MTProto messages (the same for both clients) -------------------------------


def message_inputs(size: int, from_client: bool) -> dict[str, Any]:
    """
    A deterministic message of ``size`` body bytes: its auth key, header
    fields, body (a boxed upload.file, which both clients parse) and the
    packet that carries it (sealed with hashlib + mtcore.aes, independently
    of either client).
    """
    from mtcore._bench.mtproto import make_message

    m = make_message(size, from_client)
    return {
        "auth_key": m.auth_key,
        "salt": m.salt,
        "session_id": m.session_id,
        "msg_id": m.msg_id,
        "seq_no": m.seq_no,
        "body": m.body,
        "plaintext": m.plaintext,
        "packet": m.packet,
    }


# --- Pyrogram -----------------------------------------------------------------------


def pyrogram_paths(mode: str) -> dict[str, Any]:
    if mode == "mtcore":
        import mtcore.compat

        installed = mtcore.compat.install()
    import pyrogram
    from pyrogram.crypto import aes, mtproto
    from pyrogram.raw import functions
    from pyrogram.raw.core import Message

    out: dict[str, Any] = {"backend": aes.tgcrypto.__name__}
    if mode == "mtcore":
        out["installed"] = list(installed)
    rng = random.Random("compat-driver/pyrogram/aes")
    key = rng.randbytes(32)

    ige = []
    for n in IGE_SIZES:
        data, iv = rng.randbytes(n), rng.randbytes(32)
        ct = aes.ige256_encrypt(data, key, iv)
        ige.append([show(ct), aes.ige256_decrypt(ct, key, iv) == data])
    out["ige"] = ige

    # The transports' shape: key and iv slices of a bytearray nonce, one
    # iv/state pair per direction for the life of the connection.
    nonce = bytearray(rng.randbytes(64))
    enc = (nonce[8:40], nonce[40:56], bytearray(1))
    dec = (nonce[8:40], nonce[40:56], bytearray(1))
    ctr = [show(aes.ctr256_encrypt(nonce, *enc))]
    aes.ctr256_decrypt(bytes(64), *dec)  # the reader's side of the header
    for n in CTR_CHUNKS:
        data = rng.randbytes(n)
        ct = aes.ctr256_encrypt(data, *enc)
        pt = aes.ctr256_decrypt(ct, *dec)
        ctr.append([show(ct), pt == data, enc[1].hex(), enc[2].hex(), dec[2].hex()])
    # no state given: Pyrogram passes a fresh bytearray(1)
    iv = bytearray(rng.randbytes(16))
    ctr.append([show(aes.ctr256_encrypt(b"x" * 33, key, iv)), iv.hex()])
    # the CDN download: a fresh iv ending in offset // 16 per chunk
    cdn_iv = rng.randbytes(16)
    for offset in (0, 131072, 262144):
        chunk = rng.randbytes(131072)
        iv = bytearray(cdn_iv[:-4] + (offset // 16).to_bytes(4, "big"))
        ctr.append(show(aes.ctr256_decrypt(chunk, key, iv)))
    out["ctr"] = ctr

    # mtproto.pack (client to server) of real TL requests, and unpack
    # (server to client) of packets sealed independently.
    seed_urandom("pyrogram/pack", mtproto)
    packed = []
    for n in MESSAGE_BODIES:
        m = message_inputs(n, True)
        if n == 64:
            body = functions.Ping(ping_id=m["msg_id"])
        else:
            body = functions.upload.SaveFilePart(
                file_id=m["salt"], file_part=7, bytes=m["body"]
            )
        message = Message(body, m["msg_id"], m["seq_no"], len(body.write()))
        key_id = hashlib.sha1(m["auth_key"]).digest()[-8:]
        packet = mtproto.pack(
            message,
            m["salt"],
            struct.pack("<q", m["session_id"]),
            m["auth_key"],
            key_id,
        )
        packed.append(show(packet))
    out["pack"] = packed
    unpacked = []
    for n in MESSAGE_BODIES:
        m = message_inputs(n, False)
        key_id = hashlib.sha1(m["auth_key"]).digest()[-8:]
        msg = mtproto.unpack(
            io.BytesIO(m["packet"]),
            struct.pack("<q", m["session_id"]),
            m["auth_key"],
            key_id,
        )
        unpacked.append([msg.msg_id, msg.seq_no, msg.length, show(msg.body.write())])
    out["unpack"] = unpacked

    # the obfuscated abridged TCP transport over a socket
    from pyrogram.connection.transport.tcp.tcp_abridged_o import TCPAbridgedO

    def connect(port: int) -> Any:
        async def talk(frames: list[bytes], replies: int) -> list[bytes]:
            transport = TCPAbridgedO(ipv6=False, proxy={})
            await transport.connect(("127.0.0.1", port))
            for frame in frames:
                await transport.send(frame)
            received = [await transport.recv() for _ in range(replies)]
            await transport.close()
            return received

        return talk

    seed_urandom("pyrogram/transport")
    out["transport"] = asyncio.run(run_transport(connect, "pyrogram"))
    pyrogram.crypto_executor.shutdown()
    return out


# --- Telethon -----------------------------------------------------------------------


class _Loggers(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> logging.Logger:
        return logging.getLogger(key)


def telethon_paths(mode: str) -> dict[str, Any]:
    if mode == "mtcore":
        import mtcore.compat

        installed = mtcore.compat.install()  # cryptg, before telethon
    import telethon  # noqa: F401 -- the client, imported as an app does
    import telethon.crypto.aes as telethon_aes
    import telethon.crypto.cdndecrypter as cdn
    from telethon.network.connection import tcpobfuscated

    if mode == "mtcore":
        import mtcore.compat.telethon

        patched = mtcore.compat.telethon.install()  # AESModeCTR
    from telethon.crypto import AES, AuthKey
    from telethon.network.mtprotostate import MTProtoState

    out: dict[str, Any] = {
        "backend": telethon_aes.cryptg.__name__,
        "ctr_backend": tcpobfuscated.AESModeCTR.__module__,
    }
    if mode == "mtcore":
        out["installed"] = list(installed)
        out["patched"] = list(patched)
    rng = random.Random("compat-driver/telethon/aes")
    key = rng.randbytes(32)

    # telethon.crypto.AES: encrypt pads to 16 with os.urandom itself
    seed_urandom("telethon/aes")
    ige = []
    for n in (*IGE_SIZES, 20, 1000):
        data, iv = rng.randbytes(n), rng.randbytes(32)
        ct = AES.encrypt_ige(data, key, iv)
        ige.append([show(ct), AES.decrypt_ige(ct, key, iv)[:n] == data])
    out["ige"] = ige

    # MTProtoState: encrypt_message_data (it adds salt + session_id and
    # random padding) and decrypt_message_data (every check, TL parsed).
    seed_urandom("telethon/state")
    encrypted, decrypted = [], []
    for n in MESSAGE_BODIES:
        m = message_inputs(n, True)
        state = MTProtoState(AuthKey(m["auth_key"]), _Loggers())
        state.salt, state.id = m["salt"], m["session_id"]
        encrypted.append(show(state.encrypt_message_data(m["plaintext"][16:])))
    for n in MESSAGE_BODIES:
        m = message_inputs(n, False)
        state = MTProtoState(AuthKey(m["auth_key"]), _Loggers())
        state.salt, state.id = m["salt"], m["session_id"]
        state.time_offset = (m["msg_id"] >> 32) - int(time.time())
        state._recent_remote_ids = collections.deque(maxlen=0)
        msg = state.decrypt_message_data(m["packet"])
        decrypted.append([msg.msg_id, msg.seq_no, show(bytes(msg.obj))])
    out["encrypt"] = encrypted
    out["decrypt"] = decrypted

    # the CDN download's CTR, built with keywords as CdnDecrypter does
    cdn_ctr = cdn.AESModeCTR(key=key, iv=rng.randbytes(12) + bytes(4))
    out["cdn"] = [show(cdn_ctr.encrypt(rng.randbytes(n))) for n in (1, 100, 4096, 13)]

    # the obfuscated connection over a socket
    from telethon.network.connection.tcpobfuscated import ConnectionTcpObfuscated

    def connect(port: int) -> Any:
        async def talk(frames: list[bytes], replies: int) -> list[bytes]:
            conn = ConnectionTcpObfuscated("127.0.0.1", port, 2, loggers=_Loggers())
            await conn.connect(timeout=10)
            for frame in frames:
                await conn.send(frame)
            received = [await conn.recv() for _ in range(replies)]
            await conn.disconnect()
            return received

        return talk

    seed_urandom("telethon/transport")
    out["transport"] = asyncio.run(run_transport(connect, "telethon"))
    return out


def main() -> None:
    client, mode = sys.argv[1], sys.argv[2]
    logging.basicConfig(level=logging.CRITICAL)
    paths = {"pyrogram": pyrogram_paths, "telethon": telethon_paths}[client]
    print(json.dumps(paths(mode)))


if __name__ == "__main__":
    main()
