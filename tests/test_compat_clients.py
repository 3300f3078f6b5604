"""
Real client code running on mtcore: Pyrogram after
``mtcore.compat.install()``, Telethon after that and
``mtcore.compat.telethon.install()``, each in a child interpreter (the
clients bind their backend when imported), must produce the very bytes
they produce on their original backends (tgcrypto; cryptg and pyaes):

- Pyrogram: ``crypto.aes`` (IGE, the transports' and the CDN's CTR),
  ``crypto.mtproto.pack``/``unpack``, and ``TCPAbridgedO`` over a socket;
- Telethon: ``crypto.AES``, ``MTProtoState`` encrypt/decrypt, the CDN's
  ``AESModeCTR`` and ``ConnectionTcpObfuscated`` over a socket.

``compat_driver.py`` runs the paths with seeded randomness; the local
server of the transports uses ``cryptography`` for its side of the CTR.
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from typing import Any

import pytest
from compat_utils import TESTS_DIR, child_env
from utils import import_pyrogram


@functools.cache
def _drive(client: str, mode: str) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, str(TESTS_DIR / "compat_driver.py"), client, mode],
        capture_output=True,
        text=True,
        timeout=300,
        env=child_env(),
        check=False,
    )
    if proc.returncode != 0:
        raise AssertionError(f"{client} {mode} failed:\n{proc.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def _runs(client: str, *peers: str) -> tuple[dict[str, Any], dict[str, Any]]:
    for module in (client, *peers, "cryptography"):  # the server side's CTR
        if module == "pyrogram":
            import_pyrogram()  # (its import needs an event loop)
        else:
            pytest.importorskip(module)
    return _drive(client, "original"), _drive(client, "mtcore")


@pytest.fixture(scope="module")
def pyrogram_runs():
    return _runs("pyrogram", "tgcrypto")


@pytest.fixture(scope="module")
def telethon_runs():
    return _runs("telethon", "cryptg", "pyaes")


def test_pyrogram_backends(pyrogram_runs):
    original, mine = pyrogram_runs
    assert original["backend"] == "TgCrypto"  # the real module's own name
    assert mine["backend"] == "mtcore.compat.tgcrypto"
    assert mine["installed"] == ["tgcrypto", "cryptg"]


@pytest.mark.parametrize("part", ["ige", "ctr", "pack", "unpack"])
def test_pyrogram_crypto(pyrogram_runs, part):
    original, mine = pyrogram_runs
    assert mine[part] == original[part]


def test_pyrogram_round_trips(pyrogram_runs):
    _, mine = pyrogram_runs
    assert all(ok for _, ok in mine["ige"])
    assert all(step[1] for step in mine["ctr"][1 : 1 + 8])


@pytest.mark.parametrize(
    "part", ["header", "tag", "client_wire", "client_frames", "server_wire", "received"]
)
def test_pyrogram_obfuscated_transport(pyrogram_runs, part):
    original, mine = pyrogram_runs
    assert mine["transport"][part] == original["transport"][part]


def test_pyrogram_transport_delivers(pyrogram_runs):
    for run in pyrogram_runs:
        t = run["transport"]
        assert t["tag"] == "efefefef"
        assert t["client_frames"] == t["sent"]
        assert t["received"] == t["replies"]


def test_telethon_backends(telethon_runs):
    original, mine = telethon_runs
    assert original["backend"] == "cryptg"
    assert original["ctr_backend"] == "telethon.crypto.aesctr"
    assert mine["backend"] == "mtcore.compat.cryptg"
    assert mine["ctr_backend"] == "mtcore.compat.telethon"
    assert "telethon.network.connection.tcpobfuscated.AESModeCTR" in mine["patched"]


@pytest.mark.parametrize("part", ["ige", "encrypt", "decrypt", "cdn"])
def test_telethon_crypto(telethon_runs, part):
    original, mine = telethon_runs
    assert mine[part] == original[part]


@pytest.mark.parametrize(
    "part", ["header", "tag", "client_wire", "client_frames", "server_wire", "received"]
)
def test_telethon_obfuscated_transport(telethon_runs, part):
    original, mine = telethon_runs
    assert mine["transport"][part] == original["transport"][part]


def test_telethon_transport_delivers(telethon_runs):
    for run in telethon_runs:
        t = run["transport"]
        assert t["tag"] == "efefefef"
        assert t["client_frames"] == t["sent"]
        assert t["received"] == t["replies"]
