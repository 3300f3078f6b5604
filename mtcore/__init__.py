"""
mtcore: fast, safe MTProto crypto and TL serialization for Python.

:mod:`mtcore.mtproto` encrypts and checks MTProto 2.0 messages,
:mod:`mtcore.hashes` has SHA-1/SHA-256 over several buffers, and
:mod:`mtcore.aes` the raw AES-256 modes; :func:`backend_info` says which
implementation and kernels run them.
"""

from __future__ import annotations

from mtcore import aes as aes
from mtcore import exceptions as exceptions
from mtcore import hashes as hashes
from mtcore import mtproto as mtproto
from mtcore._backend import backend_info as backend_info

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "aes",
    "backend_info",
    "exceptions",
    "hashes",
    "mtproto",
]
