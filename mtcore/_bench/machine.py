"""
What ran: mtcore's backend and build, the CPU, Python, the peers' versions.
"""

from __future__ import annotations

import datetime
import os
import platform
from typing import Any

import mtcore
from mtcore import _backend
from mtcore._bench.available import backend_module

# Distribution names of the peers, for the version report.
PEERS = {
    "tgcrypto": "TgCrypto",
    "cryptg": "cryptg",
    "hypercrypto": "hypercrypto",
    "cryptography": "cryptography",
    "pyaes": "pyaes",
    "telethon": "Telethon",
    "pyrogram": "Pyrogram",
}


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _version(dist: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _openssl() -> str | None:
    try:
        from cryptography.hazmat.backends.openssl.backend import backend

        return str(backend.openssl_version_text())
    except Exception:  # noqa: BLE001 -- only a label; any failure means "unknown"
        return None


def _extension() -> dict[str, Any] | None:
    """
    Which build of the compiled module ran (it changes under development).
    """
    path = getattr(backend_module(), "__file__", None)
    if _backend.IMPLEMENTATION != "c" or not path:
        return None
    import hashlib

    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    mtime = datetime.datetime.fromtimestamp(
        os.stat(path).st_mtime, datetime.timezone.utc
    )
    return {
        "file": os.path.basename(path),
        "sha256": digest,
        "built": mtime.isoformat(timespec="seconds"),
    }


def machine_info() -> dict[str, Any]:
    """
    What ran: backend, CPU, Python, peer versions, date.
    """
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(
            timespec="seconds"
        ),
        "mtcore": mtcore.__version__,
        "backend": mtcore.backend_info(),
        "extension": _extension(),
        "cpu": _cpu_model(),
        "cpus": _cpus(),
        "platform": platform.platform(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "peers": {name: _version(dist) for name, dist in PEERS.items()},
        "openssl": _openssl(),
    }
