"""
What can run here: mtcore's backend and kernels, the pure twin, mtcore's
public API names, and the peers, as ``requires`` checks for
:class:`~mtcore._bench.registry.Contender` and as getters that raise
:class:`~mtcore._bench.registry.Unavailable`.  Peers are imported only
here, and only when a contender that needs them is built.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from typing import Any

from mtcore import _backend
from mtcore._bench.registry import Bench, Contender, Inputs, KiB, Unavailable

#: The compiled kernels, fastest first (``mtcore-<name>`` contenders).
KERNELS = ("vaes", "aesni", "armaes", "ssse3vp", "neonvp", "portable")

#: The pure-Python twin and pyaes are timed only up to these sizes (slow).
PURE_MAX = 16 * KiB
PYAES_MAX = 1 * KiB


def import_peer(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise Unavailable(f"{module} is not installed ({exc})") from None


def _reason(get: Callable[[], Any]) -> Callable[[], str | None]:
    """
    A ``requires`` check: why ``get()`` raises :class:`Unavailable`, or
    ``None``.
    """

    def check() -> str | None:
        try:
            get()
        except Unavailable as exc:
            return str(exc)
        return None

    return check


def peer_missing(module: str) -> Callable[[], str | None]:
    return _reason(lambda: import_peer(module))


def backend_module() -> Any:
    """
    The implementation module the public functions come from.
    """
    if _backend.IMPLEMENTATION == "c":
        return importlib.import_module("mtcore._cmtcore")
    return importlib.import_module("mtcore._py")


def _kernels_missing(aes: str | None, sha: str | None) -> str | None:
    # Why the row of mtcore's AES kernel aes, SHA kernel sha, or the pair,
    # is not timed here, or None.
    if _backend.IMPLEMENTATION != "c":
        return "the compiled extension is not loaded"
    impl = backend_module()
    if sha is not None and not (
        hasattr(impl, "MtprotoKernel") and hasattr(impl, "sha_kernels")
    ):
        return "this build has no MtprotoKernel"
    if aes is None:
        default, text = sha == impl.sha_kernel, f"{sha} is mtcore's default SHA kernel"
    elif sha is None:
        default, text = aes == impl.aes_kernel, f"{aes} is mtcore's default kernel"
    else:
        default = (aes, sha) == (impl.aes_kernel, impl.sha_kernel)
        text = f"{aes}+{sha} are mtcore's default kernels"
    if default:
        return f"{text} (the mtcore row)"
    if aes is not None and aes not in impl.aes_kernels():
        return f"the {aes} kernel does not run on this machine"
    if sha is not None and sha not in impl.sha_kernels():
        return f"the {sha} SHA kernel does not run on this machine"
    return None


def kernel_missing(name: str) -> Callable[[], str | None]:
    return lambda: _kernels_missing(name, None)


def sha_kernel_missing(sha: str) -> Callable[[], str | None]:
    return lambda: _kernels_missing(None, sha)


def pair_missing(aes: str, sha: str) -> Callable[[], str | None]:
    """
    Why ``MtprotoKernel(aes, sha)`` is not timed here, or ``None``.
    """
    return lambda: _kernels_missing(aes, sha)


def pure_missing() -> str | None:
    if _backend.IMPLEMENTATION != "c":
        return "mtcore itself runs the pure twin here (the mtcore row)"
    return None


def aes_kernel(name: str) -> Any:
    reason = kernel_missing(name)()
    if reason is not None:
        raise Unavailable(reason)
    return backend_module().AesKernel(name)


def pure_twin() -> Any:
    from mtcore import _py

    return _py


def sha_kernel(name: str) -> Any:
    """
    The MTProto kernel object of SHA kernel ``name`` beside the default AES
    kernel (its ``sha256``/``sha1`` hash on that kernel).
    """
    reason = sha_kernel_missing(name)()
    if reason is not None:
        raise Unavailable(reason)
    impl = backend_module()
    return impl.MtprotoKernel(impl.aes_kernel, name)


def mtcore_rows(
    call: Callable[[Any, Inputs], Bench],
    default: Callable[[], Any],
    default_requires: Callable[[], str | None] = lambda: None,
    kernels: tuple[str, ...] = KERNELS,
    kernel: Callable[[str], Any] = aes_kernel,
    missing: Callable[[str], Callable[[], str | None]] = kernel_missing,
    pure_requires: Callable[[], str | None] = pure_missing,
    pure_max: int | None = PURE_MAX,
) -> list[Contender]:
    """
    mtcore's rows of an operation: its default (the reference), each
    compiled kernel and the pure twin, each timing ``call(target, inputs)``
    on its own target: ``default()``, ``kernel(name)`` (``missing(name)``
    says why it cannot run), the pure twin module.
    """

    def on(target: Callable[[], Any]) -> Callable[[Inputs], Bench]:
        return lambda i: call(target(), i)

    return [
        Contender("mtcore", on(default), default_requires),
        *(
            Contender(f"mtcore-{k}", on(functools.partial(kernel, k)), missing(k))
            for k in kernels
        ),
        Contender("mtcore-pure", on(pure_twin), pure_requires, pure_max),
    ]


def api_attr(module: str, name: str) -> Any:
    """
    ``module.name`` of mtcore's public API, or :class:`Unavailable` (the
    backend in use may not have it yet).
    """
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise Unavailable(f"{module}.{name} is missing here ({exc})") from None


def api_missing(*names: str) -> Callable[[], str | None]:
    """
    Why the backend in use cannot run mtcore's own row, or ``None``.
    """

    def check() -> str | None:
        impl = backend_module()
        for name in names:
            if not hasattr(impl, name):
                return f"the {_backend.IMPLEMENTATION} backend has no {name} yet"
        return None

    return check


def pure_api_missing(*names: str) -> Callable[[], str | None]:
    """
    Why the ``mtcore-pure`` row cannot run: mtcore itself is the pure twin,
    or the twin lacks a name (it may be in progress).
    """

    def check() -> str | None:
        reason = pure_missing()
        if reason is not None:
            return reason
        try:
            py = pure_twin()
        except Exception as exc:  # noqa: BLE001 -- a half-written twin must not stop the bench
            return f"the pure twin does not import ({type(exc).__name__}: {exc})"
        for name in names:
            if not hasattr(py, name):
                return f"the pure twin (mtcore/_py) has no {name} yet"
        return None

    return check


def mtproto_kernel(aes: str, sha: str) -> Any:
    reason = pair_missing(aes, sha)()
    if reason is not None:
        raise Unavailable(reason)
    return backend_module().MtprotoKernel(aes, sha)


def peers_missing(*modules: str) -> Callable[[], str | None]:
    checks = [peer_missing(m) for m in modules]

    def check() -> str | None:
        for c in checks:
            reason = c()
            if reason is not None:
                return reason
        return None

    return check


def real_peer(name: str) -> Any:
    """
    The installed peer module itself, not mtcore's alias of it.
    """
    module = import_peer(name)
    if getattr(module, "__name__", "").startswith("mtcore.compat"):
        raise Unavailable(f"{name} is aliased to mtcore.compat in this process")
    return module


def real_missing(name: str) -> Callable[[], str | None]:
    return _reason(lambda: real_peer(name))


def compat_module(name: str) -> Any:
    return importlib.import_module(f"mtcore.compat.{name}")
