"""
mtcore under Telethon 1.x: a fast ``AESModeCTR`` and :func:`install`.

Telethon runs the AES-256-CTR of its obfuscated transports
(``ConnectionTcpObfuscated``, ``ConnectionTcpMTProxy*``) and of CDN
downloads on its class ``telethon.crypto.AESModeCTR``, a wrapper of
pure-Python pyaes (about 0.3 MB/s), whatever else is installed.
:class:`AESModeCTR` here is a drop-in on mtcore's CTR stream.

:func:`install` puts it and :mod:`mtcore.compat.cryptg` into an imported
Telethon, before or after the client is created::

    import mtcore.compat.telethon
    mtcore.compat.telethon.install()

.. warning::
   Hazardous material, as :mod:`mtcore.aes`: unauthenticated CTR.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any, Callable

from mtcore._typing import Buffer
from mtcore import aes as _aes

__all__ = ["AESModeCTR", "install", "uninstall"]



class AESModeCTR:
    """
    AES-256-CTR with a 16-byte initial counter block, as Telethon's
    ``AESModeCTR(key, iv)``: ``encrypt(data)`` and ``decrypt(data)`` (the
    same operation) return ``bytes`` and continue one keystream across
    calls, at any byte boundary; the counter block is one 128-bit
    big-endian integer.

    Differences from Telethon's class: ``key``, ``iv`` and ``data`` may be
    any bytes-like objects (Telethon takes ``bytes`` only); the key must be
    32 bytes (pyaes would also run AES-128 or AES-192 with a 16- or
    24-byte key, which Telegram never uses); bad arguments raise
    :class:`~mtcore.exceptions.ArgumentTypeError` (a :class:`TypeError`)
    or :class:`~mtcore.exceptions.InvalidLength` (a :class:`ValueError`)
    rather than :class:`AssertionError`.

    :param key: the 32-byte key.
    :param iv: the 16-byte initial counter block.
    """

    __slots__ = ("decrypt", "encrypt")

    #: ``encrypt(data) -> bytes``: XOR data with the next keystream bytes.
    encrypt: Callable[[Buffer], bytes]
    #: ``decrypt(data) -> bytes``: the same as :attr:`encrypt`.
    decrypt: Callable[[Buffer], bytes]

    def __init__(self, key: Buffer, iv: Buffer) -> None:
        # The stream's own update method, bound once: a call costs what
        # the compiled update costs, with no Python frame in between.
        self.encrypt = self.decrypt = _aes.Ctr(key, iv).update


# Where Telethon 1.x binds the class (``from ...crypto import AESModeCTR``)
# and where it looks cryptg up; other telethon modules that bound the
# class are found by scanning sys.modules.
_CTR_USERS = (
    "telethon.crypto",
    "telethon.crypto.aesctr",
    "telethon.crypto.cdndecrypter",
    "telethon.network.connection.tcpobfuscated",
    "telethon.network.connection.tcpmtproxy",
)
_AES_MODULE = "telethon.crypto.aes"

# (module name, attribute) -> the value install() replaced.
_saved: dict[tuple[str, str], Any] = {}


def _telethon_modules() -> list[tuple[str, Any]]:
    return [
        (name, module)
        for name, module in list(sys.modules.items())
        if module is not None and (name == "telethon" or name.startswith("telethon."))
    ]


def install() -> tuple[str, ...]:
    """
    Make an imported (or importable) Telethon 1.x use mtcore: its
    ``AESModeCTR`` becomes :class:`AESModeCTR` in every module that bound
    it, and ``telethon.crypto.aes`` calls :mod:`mtcore.compat.cryptg` for
    AES-IGE (even where cryptg is not installed).  Connections made
    before the call keep the CTR objects they have.

    Imports Telethon if needed; calling it again is harmless.

    :returns: the ``module.attribute`` names now pointing at mtcore.
    """
    from mtcore.compat import cryptg as compat_cryptg

    for name in (_AES_MODULE, *_CTR_USERS):
        importlib.import_module(name)
    original = _saved.get(("telethon.crypto.aesctr", "AESModeCTR"))
    if original is None:
        original = sys.modules["telethon.crypto.aesctr"].AESModeCTR
    patched = []
    for name, module in _telethon_modules():
        if getattr(module, "AESModeCTR", None) in (original, AESModeCTR):
            _patch(name, module, "AESModeCTR", AESModeCTR)
            patched.append(f"{name}.AESModeCTR")
    _patch(_AES_MODULE, sys.modules[_AES_MODULE], "cryptg", compat_cryptg)
    patched.append(f"{_AES_MODULE}.cryptg")
    return tuple(patched)


def _patch(name: str, module: Any, attr: str, value: Any) -> None:
    key = (name, attr)
    if key not in _saved:
        _saved[key] = getattr(module, attr)
    setattr(module, attr, value)


def uninstall() -> tuple[str, ...]:
    """
    Put back what :func:`install` replaced (for tests and tools).

    :returns: the ``module.attribute`` names restored.
    """
    restored = []
    for (name, attr), value in list(_saved.items()):
        module = sys.modules.get(name)
        if module is not None:
            setattr(module, attr, value)
            restored.append(f"{name}.{attr}")
        del _saved[(name, attr)]
    return tuple(restored)
