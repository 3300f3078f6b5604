"""
Pyrogram 2.0.106 against the test cluster (pyrogram_peer.py, in a child
process): with mtcore installed as its tgcrypto, and on tgcrypto itself,
it connects (key exchange on DC 2), logs in by QR code through mtcore's
adapter (``mtcore.login.pyrogram_qr_login``) and makes 100 concurrent RPCs
and help.getConfig; a second client logs in as a user of DC 1 with a 2FA
password (a migration, then the password), then uploads a 512 KiB part
and reads it back.
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
    here, there = out["ids"]
    assert out["same_dc"] == {
        "start_dc": 2, "id": here, "first_name": "Near", "urls": 1, "url_prefix": True,
        "dc": 2, "stored_user": here, "me": here,
    }
    assert out["keys_on_dc2"] == 1 and out["rpcs"] == [2] and out["dc_options"] == [1, 2]
    assert out["migrated_2fa"] == {
        "start_dc": 2, "id": there, "first_name": "Far", "urls": 1, "url_prefix": True,
        "dc": 1, "stored_user": there, "me": there,
    }
    assert out["saved"] is True and out["read_back"] is True
