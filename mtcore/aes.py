"""
Raw AES-256 modes: IGE, CBC and CTR.

.. warning::
   Hazardous material.  These are unauthenticated cipher modes for code that
   implements a protocol around them (MTProto, its obfuscated transports,
   Telegram's CDN).  They do not detect tampering and do not pad.  To
   protect an MTProto message use :mod:`mtcore.mtproto`, which adds msg_key
   and its checks.

Every function takes any C-contiguous buffer (``bytes``, ``bytearray``,
``memoryview``, ``array``, ``mmap``) and returns ``bytes`` unless ``out=``
is given.  The functions here are the backend's own (compiled when
available), with no Python layer in between.
"""

from __future__ import annotations

from mtcore._backend import impl as _impl

__all__ = [
    "Ctr",
    "cbc_decrypt",
    "cbc_encrypt",
    "ige_decrypt",
    "ige_decrypt_many",
    "ige_encrypt",
    "ige_encrypt_many",
]

ige_encrypt = _impl.ige_encrypt
ige_decrypt = _impl.ige_decrypt
cbc_encrypt = _impl.cbc_encrypt
cbc_decrypt = _impl.cbc_decrypt
Ctr = _impl.Ctr
ige_encrypt_many = _impl.ige_encrypt_many
ige_decrypt_many = _impl.ige_decrypt_many
