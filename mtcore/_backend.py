"""
Chooses the implementation once, at import: the compiled extension
``mtcore._cmtcore`` on CPython unless ``MTCORE_PUREPYTHON`` is set (to
anything but ``0`` or empty; read once, in mtcore._env), else the
pure-Python twin ``mtcore._py``.  The extension picks its kernels itself
when imported; backend_info() reports what was decided.
"""

from __future__ import annotations

import os
import platform
import warnings
from typing import TYPE_CHECKING, Any

from mtcore import _env

__all__ = [
    "BUILD",
    "EXTENSION_ERROR",
    "IMPLEMENTATION",
    "MTPROTO_KERNEL_API",
    "NO_EXTENSIONS",
    "PUBLIC_API",
    "PURE_REQUESTED",
    "backend_info",
    "impl",
]

# What an MtprotoKernel carries, both sides (tests check every kernel):
# the MTProto functions bound to one AES and one SHA kernel, the hashes
# and the batched IGE.
MTPROTO_KERNEL_API = (
    "msg_key",
    "kdf",
    "encrypt_message",
    "encrypt_messages",
    "decrypt_message",
    "decrypt_message_into",
    "pack_message",
    "unpack_message",
    "tmp_aes_key_iv",
    "new_nonce_hash",
    "sha1",
    "sha256",
    "ige_encrypt_many",
    "ige_decrypt_many",
)

# The names both implementations must export (tests check both sides):
# the kernel's functions (those of the default kernel), and these.
PUBLIC_API = (
    *MTPROTO_KERNEL_API,
    # AES
    "ige_encrypt",
    "ige_decrypt",
    "cbc_encrypt",
    "cbc_decrypt",
    "Ctr",
    "AesKernel",
    "aes_kernel",
    "aes_kernels",
    "cpu_features",
    # hashes
    "sha_kernel",
    "sha_kernels",
    # mtproto
    "AuthKey",
    "MtprotoKernel",
    "encrypted_length",
    # TL primitives
    "TLWriter",
    "TLReader",
    # key exchange
    "factorize_pq",
    "modexp",
    # TL codec loops (mtcore.tl.codec is the layer above them)
    "tl_decode",
    "tl_encode",
    "tl_init",
    "tl_plan",
    "tl_tables",
)


def _build_info() -> dict[str, Any] | None:
    # What setup.py recorded of this copy's build (mtcore/_buildinfo.py,
    # written into wheels and installs); None in a source tree.
    try:
        from mtcore import _buildinfo  # type: ignore[attr-defined, unused-ignore]
    except ImportError:
        return None
    build: dict[str, Any] = _buildinfo.BUILD
    return dict(build)


PURE_REQUESTED = _env.PURE_REQUESTED
NO_EXTENSIONS = PURE_REQUESTED or platform.python_implementation() != "CPython"
BUILD = _build_info()
#: Why the compiled extension is not in use although it was expected (the
#: ImportError and a hint), or None.
EXTENSION_ERROR: str | None = None

if TYPE_CHECKING or NO_EXTENSIONS:
    from mtcore import _py as impl
else:
    try:
        from mtcore import _cmtcore as impl
    except ImportError as exc:  # a pure install, or a broken build
        from mtcore import _py as impl

        if BUILD is None or not BUILD.get("pure"):
            here = os.path.dirname(os.path.abspath(__file__))
            EXTENSION_ERROR = f"{type(exc).__name__}: {exc}"
            if BUILD is None:
                EXTENSION_ERROR += (
                    f" (running from a source tree? {here} has no built "
                    "extension: run from another directory, or build it in "
                    "place with 'pip install -e .')"
                )
            if _env.REQUIRE_COMPILED:
                raise ImportError(
                    "mtcore: the compiled extension did not import, and "
                    f"MTCORE_REQUIRE_COMPILED is set: {EXTENSION_ERROR}"
                ) from exc
            warnings.warn(
                "mtcore: the compiled extension did not import, so the much "
                f"slower pure-Python twin runs instead: {EXTENSION_ERROR}. "
                "Set MTCORE_PUREPYTHON=1 to choose the twin without this "
                "warning.",
                RuntimeWarning,
                stacklevel=2,
            )

IMPLEMENTATION = "c" if impl.__name__ == "mtcore._cmtcore" else "python"


def backend_info() -> dict[str, Any]:
    """
    Describe the implementation in use.

    :returns: a dict with ``implementation`` (``"c"`` or ``"python"``),
        ``aes`` (the AES kernel the public functions use: ``"vaes"``,
        ``"aesni"``, ``"armaes"``, ``"ssse3vp"``, ``"neonvp"``,
        ``"portable"`` or ``"python"``),
        ``aes_kernels`` (every kernel this machine can run, fastest first),
        ``sha`` and ``sha_kernels`` likewise for SHA-1/SHA-256
        (``"shani"``, ``"armsha"``, ``"portable"``, ``"python"``),
        ``cpu_features`` (what the compiled side detected),
        ``pure_requested`` and ``force_portable`` (the switches),
        ``extension_error`` (why the compiled extension is not in use
        though it was expected, else None), ``version``, ``package_dir``
        (where mtcore was imported from) and ``build`` (how this copy was
        built, None in a source tree).
    """
    from mtcore import __version__

    return {
        "implementation": IMPLEMENTATION,
        "aes": impl.aes_kernel,
        "aes_kernels": impl.aes_kernels(),
        "sha": impl.sha_kernel,
        "sha_kernels": impl.sha_kernels(),
        "cpu_features": impl.cpu_features(),
        "pure_requested": PURE_REQUESTED,
        "force_portable": _env.FORCE_PORTABLE,
        "extension_error": EXTENSION_ERROR,
        "version": __version__,
        "package_dir": os.path.dirname(os.path.abspath(__file__)),
        "build": BUILD,
    }
