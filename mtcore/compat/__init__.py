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

What :func:`install` does not do: it never replaces a module that is
already imported.  A client imports its backend when it is imported
itself and keeps that module object, so swapping ``sys.modules`` later
would change nothing for it (and would split one process between two
backends).  :func:`install` leaves such a module in place, warns with a
:class:`RuntimeWarning`, and leaves its name out of what it returns.
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
    :returns: the names that now resolve to mtcore, in the order given.
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
    return tuple(done)


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
    return tuple(removed)


def _is_ours(module: ModuleType | None, target: str) -> bool:
    return module is not None and getattr(module, "__name__", None) == target
