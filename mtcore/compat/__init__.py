"""
Drop-in backends for existing Telegram clients.

- :mod:`mtcore.compat.tgcrypto`: the six functions of ``tgcrypto``, the
  backend of Pyrogram and its forks.
- :mod:`mtcore.compat.cryptg`: the three functions of ``cryptg``, the
  optional backend of Telethon.
- :mod:`mtcore.compat.telethon`: ``AESModeCTR``, for Telethon's
  obfuscated transports and CDN downloads, which otherwise run on
  pure-Python pyaes whatever else is installed.

Importing this package changes nothing.  :func:`install` registers
``sys.modules`` aliases, so that a client that runs ``import tgcrypto``
or ``import cryptg`` *afterwards* gets mtcore's module::

    import mtcore.compat
    mtcore.compat.install()   # before the client is imported
    import pyrogram

The aliases live only in the process that calls :func:`install`: mtcore
never installs a top-level ``tgcrypto`` or ``cryptg`` package.

The aliases shadow a real ``tgcrypto`` or ``cryptg`` installed beside
mtcore: after :func:`install`, ``import tgcrypto`` gives mtcore's module
even where the real one is installed (call :func:`uninstall` to reach it
again).

What :func:`install` does not do: it never replaces a module that is
already imported.  A client imports its backend when it is imported
itself and keeps that module object, so swapping ``sys.modules`` later
would change nothing for it (and would split one process between two
backends).  :func:`install` leaves such a module in place, warns with a
:class:`RuntimeWarning`, and leaves its name out of what it returns.

A Pyrogram (or a fork: any ``<package>.crypto.aes`` module of that
shape) imported *before* :func:`install` without tgcrypto has already
fallen back to pure-Python pyaes; :func:`install` finds such a module and
points its functions at mtcore, as the tgcrypto branch of that module
would have, and names it in what it returns.
"""

from __future__ import annotations

import importlib
import sys
import warnings
from collections.abc import Iterable
from types import ModuleType

from mtcore import _errors

__all__ = ["ALIASES", "install", "installed", "uninstall"]

#: The module names :func:`install` can alias, and mtcore's modules behind
#: them.
ALIASES = {
    "tgcrypto": "mtcore.compat.tgcrypto",
    "cryptg": "mtcore.compat.cryptg",
}


def _names(names: Iterable[str] | None) -> tuple[str, ...]:
    if names is None:
        return tuple(ALIASES)
    if isinstance(names, str):  # install("cryptg") means ("cryptg",)
        names = (names,)
    out = tuple(names)
    for name in out:
        if name not in ALIASES:
            raise _errors.unknown_alias(name, tuple(ALIASES))
    return out


def install(names: Iterable[str] | None = None) -> tuple[str, ...]:
    """
    Make ``import tgcrypto`` and ``import cryptg`` give mtcore's drop-in
    modules in this process.

    Call it before the client (or anything else that imports these
    names) is imported.  Where a name is already in ``sys.modules`` (the
    real module was imported, or an import was blocked with ``None``),
    that entry is left alone and a :class:`RuntimeWarning` says so.
    Calling it again is harmless.

    :param names: the aliases to register, from :data:`ALIASES`; a
        string is one name; default: all.
    :returns: the names that now resolve to mtcore, in the order given,
        then the names of the already imported Pyrogram-style crypto
        modules that were patched (e.g. ``"pyrogram.crypto.aes"``).
    :raises ArgumentValueError: a name mtcore has no drop-in for.
    """
    done = []
    for name in _names(names):
        module = importlib.import_module(ALIASES[name])
        if name not in sys.modules:
            sys.modules[name] = module
        current = sys.modules[name]
        if current is module:
            done.append(name)
        else:
            warnings.warn(_errors.alias_taken(name, current), stacklevel=2)
    if "tgcrypto" in done:
        done.extend(_patch_fallen_back(sys.modules["tgcrypto"]))
    return tuple(done)


# The functions of a Pyrogram-style "<package>.crypto.aes" module, and the
# originals install() replaced in each: module name -> {attribute: value}.
_PYROGRAM_AES = ("ige256_encrypt", "ige256_decrypt", "ctr256_encrypt", "ctr256_decrypt")
_patched: dict[str, dict[str, object]] = {}


def _patch_fallen_back(tg: ModuleType) -> list[str]:
    # Every imported Pyrogram-style crypto module that bound pyaes (it has
    # a pyaes attribute and no tgcrypto) gets the functions of its own
    # tgcrypto branch, over mtcore's drop-in.
    patched = []
    for name, module in list(sys.modules.items()):
        if (
            module is None
            or not name.endswith(".crypto.aes")
            or name in _patched
            or getattr(module, "tgcrypto", None) is not None
            or not hasattr(module, "pyaes")
            or not all(callable(getattr(module, f, None)) for f in _PYROGRAM_AES)
        ):
            continue
        _patched[name] = {f: getattr(module, f) for f in _PYROGRAM_AES}

        def ctr256_encrypt(data: object, key: object, iv: object, state: object = None) -> bytes:
            return tg.ctr256_encrypt(data, key, iv, state or bytearray(1))  # type: ignore[no-any-return]

        module.tgcrypto = tg  # type: ignore[attr-defined]
        module.ige256_encrypt = tg.ige256_encrypt  # type: ignore[attr-defined]
        module.ige256_decrypt = tg.ige256_decrypt  # type: ignore[attr-defined]
        module.ctr256_encrypt = module.ctr256_decrypt = ctr256_encrypt  # type: ignore[attr-defined]
        patched.append(name)
    return patched


def installed() -> tuple[str, ...]:
    """
    The names whose ``sys.modules`` entry is mtcore's drop-in now.
    """
    return tuple(
        name
        for name, target in ALIASES.items()
        if _is_ours(sys.modules.get(name), target)
    )


def uninstall(names: Iterable[str] | None = None) -> tuple[str, ...]:
    """
    Remove the aliases that :func:`install` registered (entries that are
    not mtcore's are left alone).  Clients imported meanwhile keep the
    module they already hold; this is for tests and tools.

    :param names: as for :func:`install`.
    :returns: the names removed.
    """
    removed = []
    for name in _names(names):
        if _is_ours(sys.modules.get(name), ALIASES[name]):
            del sys.modules[name]
            removed.append(name)
    if "tgcrypto" in removed:
        for module_name, originals in list(_patched.items()):
            module = sys.modules.get(module_name)
            if module is not None:
                for attr, value in originals.items():
                    setattr(module, attr, value)
                del module.tgcrypto
                removed.append(module_name)
            del _patched[module_name]
    return tuple(removed)


def _is_ours(module: ModuleType | None, target: str) -> bool:
    return module is not None and getattr(module, "__name__", None) == target
