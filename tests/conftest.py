"""
Fixtures that hand the tests an implementation (STYLE.md point 50, after
``MultidictImplementation`` in aio-libs/multidict ``tests/conftest.py``).

Every fixture here is one shape: an :class:`Implementation` (a backend and
the AES and SHA kernels it runs) or one of its views, ``.aes`` (the one-shot
functions and ``Ctr`` of an ``AesKernel``), ``.mtproto`` (an
:class:`MtprotoImpl`: the kernel's MTProto functions and hashes, then its
backend's ``AuthKey`` and ``encrypted_length``), ``.tl`` (a :class:`TLImpl`:
the writer and reader classes and the codec loops) and ``.module`` (the
backend module).  The implementations, by test id:

* ``python``      the pure twin (``mtcore._py``);
* ``c-<aes>``     a compiled AES kernel: ``portable`` (constant-time
  bitsliced), ``ssse3vp`` (constant-time vector permutes, the fallback where
  AES-NI is missing), ``aesni``, ``vaes`` (AVX-512) on x86-64, and every other
  kernel the compiled module runs here (``armaes``, ``neonvp`` on AArch64);
* ``c-<aes>/<sha>`` a compiled (AES, SHA) pair for the MTProto layer;
* ``c``           the compiled backend where no kernel is chosen (TL);
* ``public``      the public modules (``mtcore.aes``, ``mtcore.mtproto`` and
  ``mtcore.hashes``, ``mtcore.tl``) on the default kernels.

``implementation`` runs a test over every one of them (the MTProto list);
``aes_impl``, ``mt_impl``, ``tl_impl``, ``tl_loops`` and ``backend_module``
are the per-layer lists of views, and ``c_kernel``/``py_kernel``,
``mt_c_kernel``/``mt_py_kernel``, ``tl_c``/``tl_py``, ``tl_py_loops``,
``c_backend`` the compiled ones and the twin, for tests that compare them.

Compiled params carry the ``c_extension`` mark; ``--no-extensions``
deselects them, and so does a run with ``MTCORE_PUREPYTHON`` set (or on a
non-CPython interpreter), where only ``python`` and ``public`` run.  A
compiled kernel this CPU cannot run is skipped with a reason that names it.
The params of the pure twin where its AES may run (all but the TL lists)
carry the ``needs_cryptography`` mark: the twin's AES runs on cryptography
(the ``pure`` extra), which some interpreters cannot install (3.13t),
where ``-m "not needs_cryptography"`` leaves them out.

The x86 kernels are listed on x86-64 whether this CPU runs them or not (a
skip says which are missing); other compiled kernels (the ARM ones) are
those the compiled module runs here (``aes_kernels()``, ``sha_kernels()``),
so that an emulated AArch64 run tests them wherever a test takes a kernel.
"""

from __future__ import annotations

import importlib
import os
import platform
from dataclasses import dataclass
from types import ModuleType, SimpleNamespace
from typing import Any, Optional

import pytest

import mtcore
import mtcore.aes
from mtcore import _backend
from mtcore._backend import MTPROTO_KERNEL_API

from utils import TLLoops

C_EXTENSION = pytest.mark.c_extension
NEEDS_CRYPTOGRAPHY = pytest.mark.needs_cryptography

# A run on the compiled backend: the child processes tests start must run
# it too, not fall back to the pure twin with a warning nobody reads (as
# one started in a checkout's root would, from its ./mtcore).
if _backend.IMPLEMENTATION == "c":
    os.environ.setdefault("MTCORE_REQUIRE_COMPILED", "1")


def _import_compiled() -> tuple[Optional[ModuleType], Optional[str]]:
    """
    The compiled backend module, or None and why it could not be imported.
    """
    if _backend.impl.__name__ == "mtcore._cmtcore":
        return _backend.impl, None
    if _backend.NO_EXTENSIONS:
        return (
            None,
            "the pure twin was requested (MTCORE_PUREPYTHON) or this is not CPython",
        )
    try:
        return importlib.import_module("mtcore._cmtcore"), None
    except ImportError as exc:  # test_backend.test_c_extension_loaded fails on this
        return None, f"the compiled extension did not import: {exc}"


def _kernels_here() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """
    The AES and SHA kernels the compiled module runs here, slowest first
    (none without it).
    """
    module, _ = _import_compiled()
    if module is None:
        return (), ()
    return tuple(reversed(module.aes_kernels())), tuple(reversed(module.sha_kernels()))


X86 = platform.machine().lower() in ("x86_64", "amd64")
X86_AES = ("ssse3vp", "aesni", "vaes")
AES_HERE, SHA_HERE = _kernels_here()
# The other compiled AES kernels this machine runs (on AArch64: neonvp,
# armaes), slowest first.
OTHER_AES = tuple(k for k in AES_HERE if k not in ("portable", *X86_AES))

# The compiled AES kernels, slowest first.
C_KERNELS = ("portable", *(X86_AES if X86 else ()), *OTHER_AES)

# The compiled (AES, SHA) kernel pairs the MTProto tests run, as
# MtprotoKernel(aes, sha) of mtcore._cmtcore takes them: the x86 ones on
# x86-64, then each other AES kernel here with each SHA kernel here, fastest
# SHA first (on AArch64: armaes/armsha, the fused decrypt, armaes/portable,
# the unfused one, and neonvp with each).
X86_MTPROTO_KERNELS = (
    ("ssse3vp", "shani"),
    ("aesni", "shani"),
    ("vaes", "shani"),
    # Without SHA-NI (many Intel client CPUs): the unfused decrypt.
    ("ssse3vp", "portable"),
    ("aesni", "portable"),
    ("vaes", "portable"),
)
C_MTPROTO_KERNELS = (
    ("portable", "portable"),
    *(X86_MTPROTO_KERNELS if X86 else ()),
    *((a, s) for a in OTHER_AES for s in reversed(SHA_HERE)),
)

MTPROTO_API_NAMES = frozenset((*MTPROTO_KERNEL_API, "AuthKey", "encrypted_length"))


class MtprotoImpl:
    """
    The ``.mtproto`` view: the kernel's functions (never the module's
    default-kernel ones in their place: a kernel that lacks one is an
    error, see test_backend), then the kernel-independent names of its
    backend module (``AuthKey``, ``encrypted_length``).
    """

    def __init__(self, label: str, kernel: Any, module: Any, compiled: bool) -> None:
        self.label = label
        self.kernel = kernel
        self.module = module
        self.is_compiled = compiled

    def __getattr__(self, name: str) -> Any:
        if name in MTPROTO_KERNEL_API:
            return getattr(self.kernel, name)
        if name in MTPROTO_API_NAMES:
            return getattr(self.module, name)
        raise AttributeError(name)  # copy, pickle, pytest, hypothesis probes

    def __repr__(self) -> str:
        return f"<MtprotoImpl {self.label}>"


@dataclass(frozen=True)
class TLImpl:
    """
    The ``.tl`` view: the writer and reader classes and the codec loops
    (``TLLoops``: decode, encode, build over the shared plans).
    """

    label: str
    Writer: Any
    Reader: Any
    loops: Any
    is_compiled: bool

    def __repr__(self) -> str:
        return f"<TLImpl {self.label}>"


@dataclass(frozen=True)
class Implementation:
    """
    One implementation under test: a backend (``python``, ``c`` or
    ``public``) and the AES and SHA kernels it runs (``None``: the layer's
    default, or no kernel chosen), with a view per layer.  Each view checks
    on first use that this build and CPU can run it and skips with the
    reason otherwise.
    """

    backend: str
    aes_kernel: Optional[str] = None
    sha_kernel: Optional[str] = None

    def __str__(self) -> str:
        if self.backend != "c":
            return self.backend
        kernels = [k for k in (self.aes_kernel, self.sha_kernel) if k is not None]
        return "c-" + "/".join(kernels) if kernels else "c"

    @property
    def is_compiled(self) -> bool:
        """
        Whether the code under test is the compiled extension's.
        """
        if self.backend == "public":
            return _backend.IMPLEMENTATION == "c"
        return self.backend == "c"

    def param(self, aes: bool = True) -> Any:
        """
        This implementation as a pytest param (aes: whether the test may run
        its AES, which the pure twin's needs cryptography for).
        """
        if self.is_compiled:
            marks: Any = C_EXTENSION
        else:
            marks = NEEDS_CRYPTOGRAPHY if aes else ()
        return pytest.param(self, marks=marks, id=str(self))

    @property
    def module(self) -> ModuleType:
        """
        The backend module (``mtcore._py`` or ``mtcore._cmtcore``; the
        chosen one for ``public``).
        """
        if self.backend == "python":
            return importlib.import_module("mtcore._py")
        if self.backend == "public":
            return _backend.impl
        module, why = _import_compiled()
        if module is None:
            pytest.skip(f"{self}: {why}")
        assert module is not None
        return module

    def _check(self, what: str, name: str, available: Any) -> None:
        if name not in available:
            pytest.skip(
                f"{what} kernel {name!r} cannot run on this CPU/build "
                f"(available: {', '.join(available)})"
            )

    @property
    def aes(self) -> Any:
        """
        The AES view: ``ige_encrypt``, ``ige_decrypt``, ``cbc_*``,
        ``ctr_*``, ``Ctr`` of one kernel (``mtcore.aes`` for ``public``).
        """
        if self.backend == "public":
            return mtcore.aes
        module = self.module
        kernel = self.aes_kernel or "python"
        self._check("AES", kernel, module.aes_kernels())
        return module.AesKernel(kernel)

    @property
    def mtproto(self) -> MtprotoImpl:
        """
        The MTProto view (:class:`MtprotoImpl`).
        """
        if self.backend == "public":
            return self._public_mtproto()
        module = self.module
        aes, sha = self.aes_kernel or "python", self.sha_kernel or "python"
        self._check("AES", aes, module.aes_kernels())
        self._check("SHA", sha, module.sha_kernels())
        return MtprotoImpl(str(self), module.MtprotoKernel(aes, sha), module, self.is_compiled)

    def _public_mtproto(self) -> MtprotoImpl:
        mtproto = importlib.import_module("mtcore.mtproto")
        hashes = importlib.import_module("mtcore.hashes")
        names: dict[str, Any] = {"sha1": hashes.sha1, "sha256": hashes.sha256}
        for name in ("ige_encrypt_many", "ige_decrypt_many"):
            names[name] = getattr(mtcore.aes, name)
        for name in MTPROTO_KERNEL_API:
            if name not in names:
                names[name] = getattr(mtproto, name)
        return MtprotoImpl("public", SimpleNamespace(**names), mtproto, self.is_compiled)

    @property
    def tl(self) -> TLImpl:
        """
        The TL view (:class:`TLImpl`); ``public`` is ``mtcore.tl``'s
        ``Writer``/``Reader`` and the chosen backend's loops.
        """
        module = self.module
        label = "c" if module.__name__ == "mtcore._cmtcore" else "python"
        loops = TLLoops(label, module)
        if self.backend == "public":
            tl = importlib.import_module("mtcore.tl")
            return TLImpl("public", tl.Writer, tl.Reader, loops, self.is_compiled)
        return TLImpl(str(self), module.TLWriter, module.TLReader, loops, self.is_compiled)


PY = Implementation("python")
PUBLIC = Implementation("public")
C = Implementation("c")
C_AES = tuple(Implementation("c", k) for k in C_KERNELS)
C_MTPROTO = tuple(Implementation("c", a, s) for a, s in C_MTPROTO_KERNELS)


# --- options and deselection ---------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--no-extensions",
        action="store_true",
        default=False,
        help="deselect the tests of the compiled extension (c_extension mark)",
    )


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    if not (config.getoption("--no-extensions") or _backend.NO_EXTENSIONS):
        return
    selected, deselected = [], []
    for item in items:
        compiled = item.get_closest_marker("c_extension") is not None
        (deselected if compiled else selected).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


def pytest_report_header(config: pytest.Config) -> str:
    info = mtcore.backend_info()
    return (
        f"mtcore backend: {info['implementation']}, default AES kernel "
        f"{info['aes']}, kernels {', '.join(info['aes_kernels'])}, "
        f"cpu features {', '.join(info['cpu_features']) or '-'}"
    )


# --- fixtures ------------------------------------------------------------


def _params(*impls: Implementation, aes: bool = True) -> list[Any]:
    return [i.param(aes) for i in impls]


@pytest.fixture(scope="session", params=_params(PY, *C_MTPROTO, PUBLIC))
def implementation(request: pytest.FixtureRequest) -> Implementation:
    """
    Every implementation reachable here, each with its AES, MTProto and TL
    views (the MTProto list: the compiled AES kernels with and without
    SHA-NI).
    """
    return request.param  # type: ignore[no-any-return]


@pytest.fixture(scope="session", params=_params(PY, *C_AES, PUBLIC))
def aes_impl(request: pytest.FixtureRequest) -> Any:
    """
    Every AES implementation's ``.aes`` view.
    """
    return request.param.aes


@pytest.fixture(scope="session", params=_params(*C_AES))
def c_kernel(request: pytest.FixtureRequest) -> Any:
    """
    Each compiled AES kernel, for tests that compare it with the pure twin.
    """
    return request.param.aes


@pytest.fixture(scope="session")
def py_kernel() -> Any:
    """
    The pure twin's only AES kernel, ``AesKernel("python")``, as an oracle:
    a test skips where its AES cannot run (no cryptography), as without
    the other oracles.
    """
    pytest.importorskip("cryptography")
    return PY.aes


@pytest.fixture(scope="session")
def aes_public() -> ModuleType:
    """
    The public module ``mtcore.aes``, bound to the default kernel.
    """
    return PUBLIC.aes  # type: ignore[no-any-return]


@pytest.fixture(scope="session", params=_params(PY, *C_MTPROTO, PUBLIC))
def mt_impl(request: pytest.FixtureRequest) -> MtprotoImpl:
    """
    Every MTProto/SHA implementation's ``.mtproto`` view.
    """
    return request.param.mtproto  # type: ignore[no-any-return]


@pytest.fixture(scope="session", params=_params(*C_MTPROTO))
def mt_c_kernel(request: pytest.FixtureRequest) -> MtprotoImpl:
    """
    Each compiled (AES, SHA) pair, for tests that compare it with the pure
    twin.
    """
    return request.param.mtproto  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def mt_py_kernel() -> MtprotoImpl:
    """
    The pure twin, ``MtprotoKernel("python", "python")``, as an oracle
    (skips without cryptography, as ``py_kernel``).
    """
    pytest.importorskip("cryptography")
    return PY.mtproto


@pytest.fixture(scope="session", params=_params(PY, C, PUBLIC, aes=False))
def tl_impl(request: pytest.FixtureRequest) -> TLImpl:
    """
    Every TL implementation's ``.tl`` view: ``python``, ``c`` and
    ``public`` (``mtcore.tl.Writer``/``Reader``).
    """
    return request.param.tl  # type: ignore[no-any-return]


@pytest.fixture(scope="session", params=_params(PY, C, aes=False))
def tl_loops(request: pytest.FixtureRequest) -> Any:
    """
    Each backend's TL codec loops (``.tl.loops``).
    """
    return request.param.tl.loops


@pytest.fixture(scope="session")
def tl_py_loops() -> Any:
    """
    The pure twin's TL codec loops.
    """
    return PY.tl.loops


@pytest.fixture(scope="session", params=_params(C))
def tl_c(request: pytest.FixtureRequest) -> TLImpl:
    """
    The compiled TL primitives, for tests that compare them with the twin.
    """
    return request.param.tl  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def tl_py() -> TLImpl:
    """
    The pure twin's TL primitives.
    """
    return PY.tl


@pytest.fixture(scope="session")
def c_backend() -> ModuleType:
    """
    The compiled backend module (skipped with the reason where it is not
    importable; tests using it carry the c_extension mark).
    """
    return C.module


@pytest.fixture(scope="session", params=_params(PY, C))
def backend_module(request: pytest.FixtureRequest) -> ModuleType:
    """
    Each backend module itself (``mtcore._py``, ``mtcore._cmtcore``).
    """
    return request.param.module  # type: ignore[no-any-return]


# --- hypothesis profiles -------------------------------------------------

try:
    from hypothesis import HealthCheck, settings
except ImportError:  # hypothesis is a test extra; its module importorskips
    pass
else:
    # The full CI runs the suite twice (compiled and pure) on 2 cores:
    # keep each property small and free of timing flakiness.
    settings.register_profile(
        "ci",
        max_examples=40,
        deadline=None,
        derandomize=True,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
    settings.register_profile("dev", max_examples=60, deadline=None)
    # The AArch64 kernels under qemu-user (.ci/arm64), tens of times slower
    # than natively: the ci profile with a few examples a property on each
    # kernel.
    settings.register_profile("emulated", settings.get_profile("ci"), max_examples=10)
    # For a long search by hand: HYPOTHESIS_PROFILE=long pytest ...
    settings.register_profile(
        "long",
        max_examples=5000,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    settings.load_profile(
        os.environ.get("HYPOTHESIS_PROFILE")
        or ("ci" if os.environ.get("CI") else "dev")
    )
