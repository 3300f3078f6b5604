"""
A drop-in for ``tgcrypto`` (Pyrogram's backend) on mtcore's AES kernels.

.. warning::
   Hazardous material, as :mod:`mtcore.aes`: raw, unauthenticated
   AES-256 modes for code that builds MTProto around them.

The six functions take the arguments of tgcrypto 1.2.5 (positional only,
any bytes-like object) and give its results: ``bytes`` of the length of
``data``, the same ciphertexts, and the same in-place updates:

- ``ctr256_encrypt(data, key, iv, state)`` (``ctr256_decrypt`` is the
  same function) continues a keystream: ``iv`` (16 bytes) is the counter
  block and ``state`` (1 byte, 0..15) the offset of the next keystream
  byte in ``AES(iv)``; after the call both point past the bytes used, so
  the next call with the same two objects continues the stream at any
  byte boundary.
- ``cbc256_encrypt``/``cbc256_decrypt`` leave the last ciphertext block
  in ``iv`` (the output's when encrypting, the input's when decrypting),
  so successive calls chain.
- ``ige256_encrypt``/``ige256_decrypt`` never change ``iv``.

Where this module differs from tgcrypto, on input tgcrypto mishandles:

- An ``iv`` or ``state`` that the call would update must be writable
  (a ``bytearray``, a writable ``memoryview``, an ``array``...).
  tgcrypto writes into a ``bytes`` object all the same, changing a value
  Python treats as constant (and possibly shared); here a read-only
  buffer raises :class:`~mtcore.exceptions.ArgumentTypeError`, a
  :class:`TypeError`, before anything is computed.
- The counter is one 128-bit big-endian integer that wraps to zero after
  ``ff..ff``; tgcrypto writes past the end of ``iv`` there.
- Errors come from :mod:`mtcore.exceptions`: they subclass the built-in
  types tgcrypto raises (:class:`ValueError` for sizes, :class:`TypeError`
  for types) and say which argument and what size was seen.  A
  non-contiguous buffer raises
  :class:`~mtcore.exceptions.ArgumentValueError` (tgcrypto:
  :class:`BufferError`).  No buffer stays exported after an error
  (tgcrypto keeps them when it refuses an argument, and always keeps
  ``state``).
"""

from __future__ import annotations

import struct
from typing import Any

from mtcore._typing import Buffer
from mtcore import _errors
from mtcore import aes as _aes
from mtcore._backend import impl as _impl
from mtcore._py.aes import _state_view as _writable

__all__ = [
    "cbc256_decrypt",
    "cbc256_encrypt",
    "ctr256_decrypt",
    "ctr256_encrypt",
    "ige256_decrypt",
    "ige256_encrypt",
]


_ige_encrypt = _aes.ige_encrypt
_ige_decrypt = _aes.ige_decrypt
_cbc_encrypt = _aes.cbc_encrypt
_cbc_decrypt = _aes.cbc_decrypt

# One 16-byte block.
_BLOCK = struct.Struct("16s")
# Writes 16 bytes into a buffer (about twice as fast as a bytearray slice
# assignment).
_set_block = _BLOCK.pack_into


def ige256_encrypt(data: Buffer, key: Buffer, iv: Buffer, /) -> bytes:
    """
    Encrypt with AES-256-IGE.

    :param data: the plaintext, a non-zero multiple of 16 bytes.
    :param key: the 32-byte key.
    :param iv: the 32-byte IV (not changed).
    :returns: the ciphertext.
    """
    out: bytes = _ige_encrypt(data, key, iv)
    if out:
        return out
    raise _errors.empty_data("data")


def ige256_decrypt(data: Buffer, key: Buffer, iv: Buffer, /) -> bytes:
    """
    Decrypt with AES-256-IGE; the arguments are as for
    :func:`ige256_encrypt`.
    """
    out: bytes = _ige_decrypt(data, key, iv)
    if out:
        return out
    raise _errors.empty_data("data")


# The backend's own functions, named as tgcrypto's: compiled where the
# backend is (one C call for the checks, the keystream and the updates).
ctr256_encrypt = _impl.ctr256_encrypt
ctr256_decrypt = _impl.ctr256_decrypt


def _last_block(data: Buffer) -> Any:
    # The last 16 bytes of a buffer that decryption has just accepted.
    if type(data) is bytes or type(data) is bytearray:
        return data[-16:]
    with memoryview(data) as view:
        if view.ndim == 1 and view.format == "B":
            return view[-16:].tobytes()
        with view.cast("B") as flat:
            return flat[-16:].tobytes()


def cbc256_encrypt(data: Buffer, key: Buffer, iv: Buffer, /) -> bytes:
    """
    Encrypt with AES-256-CBC (no padding) and leave the last ciphertext
    block in ``iv``, so that the next call continues the chain.

    :param data: the plaintext, a non-zero multiple of 16 bytes.
    :param key: the 32-byte key.
    :param iv: the 16-byte IV, a writable buffer (a ``bytearray``).
    :returns: the ciphertext.
    :raises ArgumentTypeError: ``iv`` is read-only (a ``bytes``).
    """
    if type(iv) is bytearray:
        out: bytes = _cbc_encrypt(data, key, iv)
        if not out:
            raise _errors.empty_data("data")
        _set_block(iv, 0, out[-16:])
        return out
    with _writable("iv", iv) as view:
        out = _cbc_encrypt(data, key, view)
        if not out:
            raise _errors.empty_data("data")
        _set_block(view, 0, out[-16:])
        return out


def cbc256_decrypt(data: Buffer, key: Buffer, iv: Buffer, /) -> bytes:
    """
    Decrypt with AES-256-CBC and leave the last block of ``data`` in
    ``iv``; the arguments are as for :func:`cbc256_encrypt`.
    """
    if type(iv) is bytearray:
        out: bytes = _cbc_decrypt(data, key, iv)
        if not out:
            raise _errors.empty_data("data")
        _set_block(iv, 0, _last_block(data))
        return out
    with _writable("iv", iv) as view:
        out = _cbc_decrypt(data, key, view)
        if not out:
            raise _errors.empty_data("data")
        _set_block(view, 0, _last_block(data))
        return out
