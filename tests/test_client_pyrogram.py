"""
Pyrogram 2.0.106 against the test cluster (pyrogram_peer.py, in a child
process): with mtcore installed as its tgcrypto, and on tgcrypto itself,
it connects (key exchange on DC 2), makes 100 concurrent RPCs and
help.getConfig, logs in by QR code through mtcore's adapter
(``mtcore.login.pyrogram_qr_login``: a migration to DC 1 and a 2FA
password), then uploads a 512 KiB part and reads it back.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

TESTS_DIR = Path(__file__).parent


def run_peer(mode: str) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, str(TESTS_DIR / "pyrogram_peer.py"), mode],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


@pytest.mark.parametrize("mode, backend", [("mtcore", "mtcore.compat.tgcrypto"), ("tgcrypto", "TgCrypto")])
def test_pyrogram_against_the_cluster(mode: str, backend: str) -> None:
    out = run_peer(mode)
    assert out["backend"] == backend
    assert out["dc"] == 2 and out["keys_on_dc2"] == 1
    assert out["rpcs"] == [2] and [dc for dc, _ in out["dc_options"]] == [1, 2]
    user_id = out["user_id"]
    assert out["login"] == {
        "id": user_id, "first_name": "Pyro", "urls": 1, "url_prefix": True,
        "dc": 1, "stored_user": user_id,
    }
    assert out["me"] == user_id and out["saved"] is True and out["read_back"] is True
