"""
Fixtures that hand the tests an implementation (STYLE.md point 50, after
``MultidictImplementation`` in aio-libs/multidict ``tests/conftest.py``).

``aes_impl`` runs a test once per AES implementation, each an
``AesKernel``-shaped object (the four one-shot functions and ``Ctr``):

* ``python``      the pure twin (``mtcore._py``);
* ``c-portable``  the compiled constant-time bitsliced kernel;
* ``c-aesni``     the compiled AES-NI kernel (x86-64);
* ``c-vaes``      the compiled VAES (AVX-512) kernel (x86-64);
* ``c-ssse3vp``   the compiled constant-time SSSE3 vector-permute kernel
  (x86-64), the fallback where AES-NI is missing;
* ``c-neonvp``    its NEON twin (AArch64), without the Crypto Extensions;
* ``c-armaes``    the compiled ARMv8 Crypto Extensions kernel (AArch64);
* ``public``      the public module ``mtcore.aes`` (the default kernel).

``mt_impl`` does the same for the MTProto layer and the hashes, each an
``MtprotoImpl`` (``MtprotoKernel(aes, sha)`` plus its backend's
``AuthKey`` and ``encrypted_length``): ``python``, ``c-portable/portable``,
``c-aesni/shani``, ``c-vaes/shani``, ``c-ssse3vp/shani`` (and the same on
the portable SHA),
``c-armaes/armsha`` and ``c-armaes/portable``, and ``public``
(``mtcore.mtproto`` and ``mtcore.hashes``).

The x86 kernels are listed on x86-64 whether this CPU runs them or not;
other compiled kernels (the ARM ones) are those the compiled module runs
here (``aes_kernels()``, ``sha_kernels()``), so that an emulated AArch64 run
tests them wherever a test takes a kernel.

Compiled params carry the ``c_extension`` mark; ``--no-extensions``
deselects them, and so does a run with ``MTCORE_PUREPYTHON`` set (or on a
non-CPython interpreter), where only ``python`` and ``public`` run.  A
compiled kernel this CPU cannot run is skipped with a reason that names it.
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

from utils import MTPROTO_KERNEL_NAMES

C_EXTENSION = pytest.mark.c_extension

X86 = platform.machine().lower() in ("x86_64", "amd64")


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


AES_HERE, SHA_HERE = _kernels_here()
X86_AES = ("ssse3vp", "aesni", "vaes")
# The compiled kernels, slowest first.
C_KERNELS = (
    "portable",
    *(X86_AES if X86 else ()),
    *(k for k in AES_HERE if k not in ("portable", *X86_AES)),
)


@dataclass(frozen=True)
class AesImplementation:
    """
    One AES implementation: a backend ("python" or "c") and a kernel name,
    or the public module.
    """

    backend: str
    kernel: str

    def __str__(self) -> str:
        if self.backend == "public":
            return "public"
        return "python" if self.backend == "python" else f"c-{self.kernel}"

    @property
    def is_compiled(self) -> bool:
        return self.backend == "c"

    def load(self) -> Any:
        if self.backend == "public":
            return mtcore.aes
        if self.backend == "python":
            module: Optional[ModuleType] = importlib.import_module("mtcore._py")
        else:
            module, why = _import_compiled()
            if module is None:
                pytest.skip(f"AES kernel {self.kernel!r}: {why}")
        assert module is not None
        available = module.aes_kernels()
        if self.kernel not in available:
            pytest.skip(
                f"AES kernel {self.kernel!r} cannot run on this CPU/build "
                f"(available: {', '.join(available)})"
            )
        return module.AesKernel(self.kernel)


PY_IMPL = AesImplementation("python", "python")
C_IMPLS = tuple(AesImplementation("c", k) for k in C_KERNELS)
PUBLIC_IMPL = AesImplementation("public", "default")


def _param(impl: AesImplementation) -> Any:
    compiled = impl.is_compiled or (
        impl.backend == "public" and _backend.IMPLEMENTATION == "c"
    )
    return pytest.param(impl, marks=C_EXTENSION if compiled else (), id=str(impl))


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


@pytest.fixture(
    scope="session",
    params=[_param(PY_IMPL), *(_param(i) for i in C_IMPLS), _param(PUBLIC_IMPL)],
)
def aes_impl(request: pytest.FixtureRequest) -> Any:
    """
    Every AES implementation reachable here (see the module docstring).
    """
    return request.param.load()


@pytest.fixture(scope="session", params=[_param(i) for i in C_IMPLS])
def c_kernel(request: pytest.FixtureRequest) -> Any:
    """
    Each compiled kernel, for tests that compare it with the pure twin.
    """
    return request.param.load()


@pytest.fixture(scope="session")
def py_kernel() -> Any:
    """
    The pure twin's only kernel, ``AesKernel("python")``.
    """
    return PY_IMPL.load()


@pytest.fixture(scope="session")
def aes_public() -> ModuleType:
    """
    The public module ``mtcore.aes``, bound to the default kernel.
    """
    return mtcore.aes


@pytest.fixture(scope="session")
def c_backend() -> ModuleType:
    """
    The compiled backend module; tests using it carry the c_extension mark.
    """
    module, why = _import_compiled()
    if module is None:
        pytest.skip(f"compiled backend: {why}")
    return module


@pytest.fixture(
    scope="session",
    params=[
        pytest.param("python", id="python"),
        pytest.param("c", id="c", marks=C_EXTENSION),
    ],
)
def backend_module(request: pytest.FixtureRequest) -> ModuleType:
    """
    Each backend module itself (``mtcore._py``, ``mtcore._cmtcore``).
    """
    if request.param == "python":
        return importlib.import_module("mtcore._py")
    return request.getfixturevalue("c_backend")


# --- MTProto and SHA implementations ----------------------------------------

# The compiled (AES, SHA) kernel pairs the MTProto tests run, as
# MtprotoKernel(aes, sha) of mtcore._cmtcore takes them: the x86 ones on
# x86-64, then each other AES kernel here with each SHA kernel here (on
# AArch64: armaes/armsha, the fused decrypt, and armaes/portable, the
# unfused one), as the x86 ones pair.
X86_MTPROTO_KERNELS = (
    ("aesni", "shani"),
    ("vaes", "shani"),
    # AES-NI without SHA-NI (many Intel client CPUs): the unfused decrypt.
    ("aesni", "portable"),
    ("vaes", "portable"),
    # The vector-permute fallback has no fused decrypt: both SHA kernels.
    ("ssse3vp", "shani"),
    ("ssse3vp", "portable"),
)
C_MTPROTO_KERNELS = (
    ("portable", "portable"),
    *(X86_MTPROTO_KERNELS if X86 else ()),
    *(
        (a, s)
        for a in C_KERNELS
        if a not in ("portable", *X86_AES)
        for s in reversed(SHA_HERE)
    ),
)

MTPROTO_API_NAMES = frozenset((*MTPROTO_KERNEL_NAMES, "AuthKey", "encrypted_length"))


class MtprotoImpl:
    """
    What an ``mt_impl`` test receives: the kernel's functions (never the
    module's default-kernel ones in their place: a kernel that lacks one is
    an error, see test_backend), then the kernel-independent names of its
    backend module (``AuthKey``, ``encrypted_length``).
    """

    def __init__(self, label: str, kernel: Any, module: Any, compiled: bool) -> None:
        self.label = label
        self.kernel = kernel
        self.module = module
        self.is_compiled = compiled

    def __getattr__(self, name: str) -> Any:
        if name in MTPROTO_KERNEL_NAMES:
            return getattr(self.kernel, name)
        if name in MTPROTO_API_NAMES:
            return getattr(self.module, name)
        raise AttributeError(name)  # copy, pickle, pytest, hypothesis probes

    def __repr__(self) -> str:
        return f"<MtprotoImpl {self.label}>"


@dataclass(frozen=True)
class MtprotoImplementation:
    """
    One MTProto implementation: a backend and an (AES, SHA) kernel pair, or
    the public modules ``mtcore.mtproto`` and ``mtcore.hashes``.
    """

    backend: str
    aes: str
    sha: str

    def __str__(self) -> str:
        if self.backend in ("public", "python"):
            return self.backend
        return f"c-{self.aes}/{self.sha}"

    @property
    def is_compiled(self) -> bool:
        return self.backend == "c"

    def _public(self) -> MtprotoImpl:
        try:
            mtproto = importlib.import_module("mtcore.mtproto")
            hashes = importlib.import_module("mtcore.hashes")
        except AttributeError as exc:  # the backend lacks a name they bind
            pytest.skip(f"public mtcore.mtproto/mtcore.hashes: {exc}")
        names: dict[str, Any] = {"sha1": hashes.sha1, "sha256": hashes.sha256}
        for name in ("ige_encrypt_many", "ige_decrypt_many"):
            names[name] = getattr(mtcore.aes, name)
        for name in MTPROTO_KERNEL_NAMES:
            if name not in names:
                names[name] = getattr(mtproto, name)
        compiled = _backend.IMPLEMENTATION == "c"
        return MtprotoImpl("public", SimpleNamespace(**names), mtproto, compiled)

    def load(self) -> MtprotoImpl:
        if self.backend == "public":
            return self._public()
        if self.backend == "python":
            module: Optional[ModuleType] = importlib.import_module("mtcore._py")
        else:
            module, why = _import_compiled()
            if module is None:
                pytest.skip(f"MTProto kernels {self.aes}/{self.sha}: {why}")
        assert module is not None
        for name in ("MtprotoKernel", "sha_kernels"):
            if not hasattr(module, name):
                pytest.skip(f"{module.__name__} has no {name} yet")
        aes_available = module.aes_kernels()
        sha_available = module.sha_kernels()
        if self.aes not in aes_available or self.sha not in sha_available:
            pytest.skip(
                f"kernels {self.aes}/{self.sha} cannot run on this CPU/build "
                f"(AES: {', '.join(aes_available)}; SHA: {', '.join(sha_available)})"
            )
        kernel = module.MtprotoKernel(self.aes, self.sha)
        return MtprotoImpl(str(self), kernel, module, self.is_compiled)


PY_MTPROTO = MtprotoImplementation("python", "python", "python")
C_MTPROTOS = tuple(MtprotoImplementation("c", a, s) for a, s in C_MTPROTO_KERNELS)
PUBLIC_MTPROTO = MtprotoImplementation("public", "default", "default")


def _mt_param(impl: MtprotoImplementation) -> Any:
    compiled = impl.is_compiled or (
        impl.backend == "public" and _backend.IMPLEMENTATION == "c"
    )
    return pytest.param(impl, marks=C_EXTENSION if compiled else (), id=str(impl))


@pytest.fixture(
    scope="session",
    params=[
        _mt_param(PY_MTPROTO),
        *(_mt_param(i) for i in C_MTPROTOS),
        _mt_param(PUBLIC_MTPROTO),
    ],
)
def mt_impl(request: pytest.FixtureRequest) -> MtprotoImpl:
    """
    Every MTProto/SHA implementation reachable here: ``python``, the
    compiled ``MtprotoKernel`` pairs ``c-portable/portable``,
    ``c-aesni/shani``, ``c-vaes/shani``, and ``public`` (the public modules).
    """
    return request.param.load()


@pytest.fixture(scope="session", params=[_mt_param(i) for i in C_MTPROTOS])
def mt_c_kernel(request: pytest.FixtureRequest) -> MtprotoImpl:
    """
    Each compiled (AES, SHA) pair, for tests that compare it with the pure
    twin.
    """
    return request.param.load()


@pytest.fixture(scope="session")
def mt_py_kernel() -> MtprotoImpl:
    """
    The pure twin, ``MtprotoKernel("python", "python")``.
    """
    return PY_MTPROTO.load()


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


# --- TL primitives -------------------------------------------------------


@dataclass(frozen=True)
class TLImpl:
    """
    One implementation of the TL primitives: its writer and reader classes.
    """

    label: str
    Writer: Any
    Reader: Any
    is_compiled: bool

    def __repr__(self) -> str:
        return f"<TLImpl {self.label}>"


def _tl_load(kind: str) -> TLImpl:
    if kind == "public":
        tl = importlib.import_module("mtcore.tl")
        return TLImpl("public", tl.Writer, tl.Reader, _backend.IMPLEMENTATION == "c")
    if kind == "python":
        module: ModuleType | None = importlib.import_module("mtcore._py")
    else:
        module, why = _import_compiled()
        if module is None:
            pytest.skip(f"compiled TL primitives: {why}")
    assert module is not None
    return TLImpl(kind, module.TLWriter, module.TLReader, kind == "c")


@pytest.fixture(
    scope="session",
    params=[
        pytest.param("python", id="python"),
        pytest.param("c", id="c", marks=C_EXTENSION),
        pytest.param(
            "public",
            id="public",
            marks=C_EXTENSION if _backend.IMPLEMENTATION == "c" else (),
        ),
    ],
)
def tl_impl(request: pytest.FixtureRequest) -> TLImpl:
    """
    Every TL writer/reader pair: ``python`` (``mtcore._py``), ``c``
    (``mtcore._cmtcore``) and ``public`` (``mtcore.tl.Writer``/``Reader``).
    """
    return _tl_load(request.param)


@pytest.fixture(scope="session", params=[pytest.param("c", id="c", marks=C_EXTENSION)])
def tl_c(request: pytest.FixtureRequest) -> TLImpl:
    """
    The compiled TL primitives, for tests that compare them with the twin.
    """
    return _tl_load(request.param)


@pytest.fixture(scope="session")
def tl_py() -> TLImpl:
    """
    The pure twin's TL primitives.
    """
    return _tl_load("python")
