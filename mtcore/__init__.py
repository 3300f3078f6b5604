"""
mtcore: fast, safe MTProto crypto and TL serialization for Python.

:mod:`mtcore.aes` holds the raw AES-256 modes; :func:`backend_info` says
which implementation and kernel run them.
"""

from __future__ import annotations

from mtcore import aes as aes
from mtcore import exceptions as exceptions
from mtcore._backend import backend_info as backend_info

__version__ = "0.1.0"

__all__ = ["__version__", "aes", "backend_info", "exceptions"]
