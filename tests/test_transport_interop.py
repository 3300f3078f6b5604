"""
mtcore.transport against the transport classes of Telethon 1.45 and
Pyrogram 2.0, their real code, over loopback sockets (127.0.0.1 only, a
bounded number of connections, every wait bounded): the clients run in a
child interpreter (``transport_peer.py``) on their original backends and
on mtcore's drop-ins; the server here is mtcore's codecs.  Both ways:

- what a client sends, mtcore's server side reads, payload for payload,
  and mtcore's client side reproduces byte for byte (for the obfuscated
  ones from the same 64 random bytes and padding);
- what mtcore's server side sends (payloads, then a transport error), the
  client reads as sent.

And MTProxy secrets as Telethon parses them.
"""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import struct
import subprocess
import sys
import threading
from typing import Any

import pytest
from compat_utils import TESTS_DIR, child_env
from transport_peer import CASES, CLIENT_SIZES, client_payloads, server_payloads
from utils import ref_ctr

from mtcore import transport
from mtcore.transport import Abridged, Full, Intermediate, Obfuscated, Packet, PaddedIntermediate

PLAIN = {
    "ConnectionTcpFull": Full, "TCPFull": Full,
    "ConnectionTcpAbridged": Abridged, "TCPAbridged": Abridged,
    "ConnectionTcpIntermediate": Intermediate, "TCPIntermediate": Intermediate,
}
OBFUSCATED = {
    "ConnectionTcpObfuscated": Abridged, "TCPAbridgedO": Abridged,
    "TCPIntermediateO": Intermediate,
    "ConnectionTcpMTProxyAbridged": Abridged,
    "ConnectionTcpMTProxyIntermediate": Intermediate,
    "ConnectionTcpMTProxyRandomizedIntermediate": PaddedIntermediate,
}
TIMEOUT = 20.0


def reply_padding(i: int) -> bytes:
    # Telethon's randomized intermediate strips len % 4 bytes: 0..3 of padding.
    return bytes(range(i % 4))


class Server:
    """
    Accepts the child's connections in the order of CASES and serves each
    with mtcore's server-side codecs; records what went over the wire.
    """

    def __init__(self, client: str) -> None:
        self.cases = [c for c in CASES if c[1] == client]
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(TIMEOUT)
        self.port = self.listener.getsockname()[1]
        self.record: dict[str, dict[str, Any]] = {}
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            for case in self.cases:
                conn, _ = self.listener.accept()
                with conn:
                    conn.settimeout(TIMEOUT)
                    self.record[case[0]] = self._serve(conn, case)
        except BaseException as exc:  # reported by the test
            self.error = exc
        finally:
            self.listener.close()

    def _serve(self, conn: socket.socket, case: tuple[Any, ...]) -> dict[str, Any]:
        name, _, cls_name, secret = case
        if cls_name in PLAIN:
            codec: Any = PLAIN[cls_name](server=True)
        else:
            codec = Obfuscated(server=True, secret=secret)
        padded = cls_name.endswith("RandomizedIntermediate")

        def replies() -> bytes:
            out = b""
            for i, p in enumerate(server_payloads(name)):
                out += codec.encode(p, padding=reply_padding(i)) if padded else codec.encode(p)
            return out + (codec.encode_error(404, padding=b"") if padded else codec.encode_error(404))

        raw, frames, sent = bytearray(), [], None
        if cls_name in PLAIN:
            sent = replies()
            conn.sendall(sent)
        while len(frames) < len(CLIENT_SIZES):
            data = conn.recv(1 << 16)
            if not data:
                break
            raw += data
            frames += codec.feed(data)
            if sent is None and codec.framing is not None:
                sent = replies()
                conn.sendall(sent)
        while conn.recv(1 << 16):  # until the client closes
            pass
        return {"raw": bytes(raw), "frames": frames, "sent": sent, "codec": codec}


def _run_child(client: str, mode: str) -> tuple[dict[str, Any], Server]:
    server = Server(client)
    proc = subprocess.run(
        [sys.executable, str(TESTS_DIR / "transport_peer.py"), client, mode, str(server.port)],
        capture_output=True, text=True, timeout=180, env=child_env(), check=False,
    )
    server.thread.join(TIMEOUT)
    if proc.returncode != 0 or server.error is not None:
        raise AssertionError(f"{client} {mode}: {server.error!r}\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1]), server


RUNS: dict[tuple[str, str], tuple[dict[str, Any], Server]] = {}


def run(client: str, mode: str) -> tuple[dict[str, Any], Server]:
    pytest.importorskip(client)
    if (client, mode) not in RUNS:
        RUNS[client, mode] = _run_child(client, mode)
    return RUNS[client, mode]


def _plain_tail(raw: bytes, secret: Any) -> bytes:
    # Bytes 56..63 of the client's header as it chose them, decrypted here
    # with cryptography's CTR (not mtcore's).
    key = raw[8:40]
    if secret is not None:
        key = hashlib.sha256(key + transport.parse_proxy_secret(secret).key).digest()
    return ref_ctr(key, raw[40:56], raw[:64])[56:64]


CASE_IDS = [c[0] for c in CASES]


@pytest.mark.parametrize("mode", ["original", "mtcore"])
@pytest.mark.parametrize("name", CASE_IDS)
def test_client_to_mtcore(name: str, mode: str) -> None:
    _, lib, cls_name, secret = next(c for c in CASES if c[0] == name)
    out, server = run(lib, mode)
    if mode == "mtcore":
        assert out["ctr"] in ("mtcore.compat.telethon", "mtcore.compat.tgcrypto"), out["ctr"]
    rec = server.record[name]
    payloads = client_payloads(name)
    frames = rec["frames"]
    # mtcore's server side read every payload.
    padded = cls_name.endswith("RandomizedIntermediate")
    assert len(frames) == len(payloads)
    for f, p in zip(frames, payloads):
        assert isinstance(f, Packet) and f.padded == padded
        assert f.payload[: len(p)] == p and len(f.payload) - len(p) in (range(4) if padded else (0,))
    # mtcore's client side makes the same bytes.
    raw = rec["raw"]
    if cls_name in PLAIN:
        mine = PLAIN[cls_name]()
        assert b"".join(mine.encode(p) for p in payloads) == raw
    else:
        init = raw[:56] + _plain_tail(raw, secret)
        codec = rec["codec"]
        assert codec.dc_id == 2 or secret is None
        mine_o = Obfuscated(OBFUSCATED[cls_name](), header=init, secret=secret,
                            dc_id=codec.dc_id if secret else None)
        wire = mine_o.start()
        for f, p in zip(frames, payloads):
            kw = {"padding": f.payload[len(p):]} if padded else {}
            wire += mine_o.encode(p, **kw)
        assert wire == raw


@pytest.mark.parametrize("mode", ["original", "mtcore"])
@pytest.mark.parametrize("name", CASE_IDS)
def test_mtcore_to_client(name: str, mode: str) -> None:
    _, lib, _, _ = next(c for c in CASES if c[0] == name)
    out, _ = run(lib, mode)
    got = [bytes.fromhex(h) for h in out[name]]
    assert got == server_payloads(name) + [struct.pack("<i", -404)]


def test_proxy_secrets_as_telethon_reads_them() -> None:
    pytest.importorskip("telethon")
    from telethon.network.connection.tcpmtproxy import TcpMTProxy

    key = bytes.fromhex("00112233445566778899aabbccddeeff")
    same = [key.hex(), "dd" + key.hex(), "ee" + key.hex() + b"example.com".hex(),
            base64.b64encode(key).decode()]
    for text in same:
        assert TcpMTProxy.normalize_secret(text) == transport.parse_proxy_secret(text).key
    # Where Telethon reads a secret differently (documented in the README):
    # base64url's '-' and '_' are dropped by its b64decode, and a dd or ee
    # secret in base64 keeps its first byte.
    url_key = bytes.fromhex("fbff" + "00" * 14)  # base64url "-_8AAAA..."
    url = base64.urlsafe_b64encode(url_key).decode()
    assert "-" in url and transport.parse_proxy_secret(url).key == url_key
    assert TcpMTProxy.normalize_secret(url) != url_key
    dd64 = base64.urlsafe_b64encode(b"\xdd" + key).decode()
    assert transport.parse_proxy_secret(dd64).key == key
    assert TcpMTProxy.normalize_secret(dd64) == (b"\xdd" + key)[:16]
