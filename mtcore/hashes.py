"""
SHA-1 and SHA-256 over any number of buffers, hashed as their
concatenation without building it.  The compiled backend uses SHA-NI where
the CPU has it; the pure one uses :mod:`hashlib`.
"""

from __future__ import annotations

from mtcore._backend import impl as _impl

__all__ = ["sha1", "sha256"]

sha1 = _impl.sha1
sha256 = _impl.sha256
