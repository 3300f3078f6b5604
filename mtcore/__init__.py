"""
mtcore: fast, safe MTProto crypto and TL serialization for Python.

:mod:`mtcore.mtproto` encrypts and checks MTProto 2.0 messages,
:mod:`mtcore.hashes` has SHA-1/SHA-256 over several buffers, and
:mod:`mtcore.aes` the raw AES-256 modes; :func:`backend_info` says which
implementation and kernels run them.  The other public modules
(:mod:`mtcore.tl`, :mod:`mtcore.handshake`, :mod:`mtcore.srp`,
:mod:`mtcore.transport`, :mod:`mtcore.session`, :mod:`mtcore.login`,
:mod:`mtcore.qr`, :mod:`mtcore.auth`, :mod:`mtcore.client`,
:mod:`mtcore.compat`) are imported on first use of the attribute, so
``import mtcore`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from mtcore import aes as aes
from mtcore import exceptions as exceptions
from mtcore import hashes as hashes
from mtcore import mtproto as mtproto
from mtcore._backend import backend_info as backend_info

if TYPE_CHECKING:
    from mtcore import auth as auth
    from mtcore import client as client
    from mtcore import compat as compat
    from mtcore import handshake as handshake
    from mtcore import login as login
    from mtcore import qr as qr
    from mtcore import session as session
    from mtcore import srp as srp
    from mtcore import tl as tl
    from mtcore import transport as transport

__version__ = "0.1.0"

# Public submodules imported when first used as attributes.
_LAZY = (
    "auth",
    "client",
    "compat",
    "handshake",
    "login",
    "qr",
    "session",
    "srp",
    "tl",
    "transport",
)

__all__ = [
    "__version__",
    "aes",
    "auth",
    "backend_info",
    "client",
    "compat",
    "exceptions",
    "handshake",
    "hashes",
    "login",
    "mtproto",
    "qr",
    "session",
    "srp",
    "tl",
    "transport",
]


if not TYPE_CHECKING:  # a type checker reads the imports above instead

    def __getattr__(name: str) -> Any:
        if name in _LAZY:
            return importlib.import_module(f"mtcore.{name}")
        raise AttributeError(f"module 'mtcore' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
