"""
mtcore: fast, safe MTProto crypto and TL serialization for Python.
"""

from __future__ import annotations

from mtcore._backend import backend_info as backend_info

__version__ = "0.1.0"

__all__ = ["__version__", "backend_info"]
