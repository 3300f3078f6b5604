"""
Pure-Python twin of ``mtcore/_hashes.pyx``: SHA-1 and SHA-256 over the
concatenation of any number of buffers, on :mod:`hashlib` (the reference
the tests hold the compiled SHA code to).
"""

from __future__ import annotations

import hashlib
from typing import Any

from mtcore._typing import Buffer
from mtcore._py.aes import _view


sha_kernel = "python"


def sha_kernels() -> tuple[str, ...]:
    return ("python",)


def _hash(h: Any, parts: tuple[Buffer, ...]) -> bytes:
    for i, part in enumerate(parts):
        with _view(f"parts[{i}]", part) as view:
            h.update(view)
    return bytes(h.digest())


def sha1(*parts: Buffer) -> bytes:
    """
    SHA-1 of the concatenation of parts.

    :param parts: any number of bytes-like objects (none hashes the empty
        string).
    :returns: the 20-byte digest.
    """
    return _hash(hashlib.sha1(), parts)


def sha256(*parts: Buffer) -> bytes:
    """
    SHA-256 of the concatenation of parts.

    :param parts: any number of bytes-like objects (none hashes the empty
        string).
    :returns: the 32-byte digest.
    """
    return _hash(hashlib.sha256(), parts)
