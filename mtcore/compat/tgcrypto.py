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

from mtcore import _errors
from mtcore import aes as _aes

__all__ = [
    "cbc256_decrypt",
    "cbc256_encrypt",
    "ctr256_decrypt",
    "ctr256_encrypt",
    "ige256_decrypt",
    "ige256_encrypt",
]

Buffer = Any  # any object with the buffer protocol

_ige_encrypt = _aes.ige_encrypt
_ige_decrypt = _aes.ige_decrypt
_cbc_encrypt = _aes.cbc_encrypt
_cbc_decrypt = _aes.cbc_decrypt
_Ctr = _aes.Ctr

# The counter block as two big-endian 64-bit halves; one 16-byte block.
_COUNTER = struct.Struct(">QQ")
_BLOCK = struct.Struct("16s")
_U64 = (1 << 64) - 1
# Keystream bytes to skip when a call starts inside a block (state 1..15).
_SKIP = tuple(bytes(n) for n in range(16))
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


def _writable(name: str, obj: Buffer) -> memoryview:
    """
    A flat, writable byte view of ``obj`` (the caller releases it), or the
    error: not a buffer, read-only, not contiguous.
    """
    try:
        view = memoryview(obj)
    except TypeError:
        raise _errors.not_buffer(name, obj) from None
    if view.readonly:
        view.release()
        raise _errors.immutable_state(name, obj)
    if not view.c_contiguous:
        view.release()
        raise _errors.not_contiguous(name)
    if view.ndim == 1 and view.format == "B":
        return view
    try:
        # cast() refuses a shape with a zero in it: then any empty view
        # does (the caller reports the size).
        return view.cast("B") if view.nbytes else memoryview(bytearray())
    finally:
        view.release()


def _advance(iv: Any, blocks: int) -> None:
    # iv += blocks, as one 128-bit big-endian integer that wraps.
    last = iv[15] + blocks
    if last < 256:  # no carry out of the last byte: most calls
        iv[15] = last
        return
    high, low = _COUNTER.unpack_from(iv)
    low += blocks
    if low > _U64:
        low &= _U64
        high = (high + 1) & _U64
    _COUNTER.pack_into(iv, 0, high, low)


def ctr256_encrypt(data: Buffer, key: Buffer, iv: Buffer, state: Buffer, /) -> bytes:
    """
    Encrypt or decrypt with AES-256-CTR, continuing the keystream that
    ``iv`` and ``state`` describe and updating both in place.

    :param data: the input, at least one byte.
    :param key: the 32-byte key.
    :param iv: the 16-byte counter block, a writable buffer (a
        ``bytearray``); on return, the block of the next keystream byte.
    :param state: a writable 1-byte buffer holding the offset (0..15) of
        the next keystream byte in ``AES(iv)``; updated likewise.
    :returns: ``data`` XOR the keystream, as ``bytes``.
    :raises ArgumentTypeError: ``iv`` or ``state`` is read-only (a
        ``bytes``), or an argument is not bytes-like.
    """
    views = None
    if type(iv) is not bytearray or type(state) is not bytearray:
        # Flat writable views, released below whatever happens.
        iv = _writable("iv", iv)
        try:
            state = _writable("state", state)
        except BaseException:
            iv.release()
            raise
        views = (iv, state)
    try:
        # Everything is checked (here, by Ctr and by update) before iv and
        # state are written.
        if len(state) != 1:
            raise _errors.state_length(len(state))
        offset = state[0]
        if offset > 15:
            raise _errors.out_of_range("state", 0, 15, offset)
        ctr = _Ctr(key, iv)
        if offset:
            ctr.update(_SKIP[offset])
        out: bytes = ctr.update(data)
        if not out:
            raise _errors.empty_data("data")
        offset += len(out)
        if offset > 15:
            _advance(iv, offset >> 4)
        state[0] = offset & 15
        return out
    finally:
        if views is not None:
            views[0].release()
            views[1].release()


#: The same function as :func:`ctr256_encrypt` (CTR is its own inverse),
#: as in tgcrypto.
ctr256_decrypt = ctr256_encrypt


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
