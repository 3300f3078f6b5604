"""
The implementation choice: the PUBLIC_API contract, backend_info(), the
extension-loaded check and the MTCORE_PUREPYTHON / MTCORE_FORCE_PORTABLE
switches (in subprocesses, as they are read once at import).
"""

from __future__ import annotations

import ctypes
import importlib
import json
import os
import platform
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from utils import load_vectors

import mtcore
from mtcore import _backend

INFO_KEYS = {
    "implementation",
    "aes",
    "aes_kernels",
    "sha",
    "sha_kernels",
    "cpu_features",
    "pure_requested",
    "force_portable",
    "extension_error",
    "version",
    "package_dir",
    "build",
}
C_KERNELS_FASTEST_FIRST = (
    "vaes", "aesni", "armaes", "ssse3vp", "neonvp", "portable",
)
# The CPU feature each compiled kernel needs (neonvp: NEON, which every
# AArch64 CPU has; portable: none).
C_KERNEL_FEATURES = {
    "vaes": "vaes", "aesni": "aesni", "armaes": "armaes", "ssse3vp": "ssse3",
}


def test_public_api_exported(backend_module):
    missing = [n for n in _backend.PUBLIC_API if not hasattr(backend_module, n)]
    assert missing == []


def test_public_api_names_are_the_contract():
    # The AES part of the contract this suite tests; a name dropped from
    # PUBLIC_API would no longer be checked on both sides.
    assert set(_backend.PUBLIC_API) >= {
        "ige_encrypt",
        "ige_decrypt",
        "cbc_encrypt",
        "cbc_decrypt",
        "Ctr",
        "AesKernel",
        "aes_kernel",
        "aes_kernels",
        "cpu_features",
    }


def test_public_module_is_the_backend(aes_public):
    # No Python layer between mtcore.aes and the backend (STYLE.md).
    names = (
        "ige_encrypt",
        "ige_decrypt",
        "cbc_encrypt",
        "cbc_decrypt",
        "Ctr",
        "ige_encrypt_many",
        "ige_decrypt_many",
    )
    assert set(aes_public.__all__) == set(names)
    for name in names:
        assert getattr(aes_public, name) is getattr(_backend.impl, name)


def test_backend_info_contents():
    info = mtcore.backend_info()
    assert set(info) == INFO_KEYS
    assert info["implementation"] in ("c", "python")
    assert info["implementation"] == _backend.IMPLEMENTATION
    assert isinstance(info["aes_kernels"], tuple)
    assert isinstance(info["cpu_features"], tuple)
    assert info["aes"] == _backend.impl.aes_kernel
    assert info["aes"] in info["aes_kernels"]
    assert info["sha"] == _backend.impl.sha_kernel
    assert info["sha"] in info["sha_kernels"]
    assert info["pure_requested"] is _backend.PURE_REQUESTED
    assert isinstance(info["force_portable"], bool)
    assert info["version"] == mtcore.__version__
    assert info["package_dir"] == os.path.dirname(os.path.abspath(mtcore.__file__))
    assert info["extension_error"] is _backend.EXTENSION_ERROR
    if info["implementation"] == "c" or _backend.PURE_REQUESTED:
        assert info["extension_error"] is None
    assert info["build"] is None or set(info["build"]) == {"pure", "debug", "cflags"}
    if info["implementation"] == "python":
        assert info["aes"] == "python"
        assert info["aes_kernels"] == ("python",)
        assert info["sha_kernels"] == ("python",)
        assert info["cpu_features"] == ()
    else:
        kernels = info["aes_kernels"]
        assert "portable" in kernels
        # fastest first, no unknown names
        assert kernels == tuple(k for k in C_KERNELS_FASTEST_FIRST if k in kernels)
        features = {"aesni", "vaes", "shani", "armaes", "armsha", "ssse3"}
        assert set(info["cpu_features"]) <= features
        for name in kernels:
            if name in C_KERNEL_FEATURES:
                assert C_KERNEL_FEATURES[name] in info["cpu_features"]
        expected_default = "portable" if info["force_portable"] else kernels[0]
        assert info["aes"] == expected_default
        assert info["sha_kernels"][-1] == "portable"
        for name in ("shani", "armsha"):
            assert (name in info["sha_kernels"]) == (name in info["cpu_features"])
        sha_default = "portable" if info["force_portable"] else info["sha_kernels"][0]
        assert info["sha"] == sha_default


def test_backend_module_describes_itself(backend_module):
    kernels = backend_module.aes_kernels()
    assert backend_module.aes_kernel in kernels
    for name in kernels:
        assert backend_module.AesKernel(name).name == name


@pytest.mark.c_extension
@pytest.mark.skipif(
    not (
        sys.platform.startswith("linux") and platform.machine() in ("x86_64", "AMD64")
    ),
    reason="reads x86 CPU flags from /proc/cpuinfo",
)
def test_cpu_features_match_proc_cpuinfo(c_backend):
    flags: set[str] = set()
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("flags"):
            flags = set(line.split(":", 1)[1].split())
            break
    expected = set()
    if {"aes", "sse4_1"} <= flags:
        expected.add("aesni")
    if "sha_ni" in flags:
        expected.add("shani")
    if "ssse3" in flags:
        expected.add("ssse3")
    # The kernel lists avx512* only when the OS saves the ZMM state.
    if {"aes", "sse4_1", "vaes", "avx512f", "avx512bw", "avx512vl"} <= flags:
        expected.add("vaes")
    detected = set(c_backend.cpu_features())
    assert detected <= expected
    if detected:  # empty only on a build without the x86 kernels (MTC_NO_X86NI)
        assert detected == expected


@pytest.mark.c_extension
@pytest.mark.skipif(
    not (sys.platform.startswith("linux") and platform.machine() == "aarch64"),
    reason="reads the AArch64 hardware capabilities Linux reports (AT_HWCAP)",
)
def test_cpu_features_match_hwcap(c_backend):
    # getauxval(AT_HWCAP) through the C library (qemu-user answers it for
    # the CPU it emulates; /proc/cpuinfo there is the host's).  The bits of
    # Linux's arch/arm64/include/uapi/asm/hwcap.h: AES 3, SHA1 5, SHA2 6.
    libc = ctypes.CDLL(None)
    libc.getauxval.restype = ctypes.c_ulong
    libc.getauxval.argtypes = [ctypes.c_ulong]
    hwcap = libc.getauxval(16)  # AT_HWCAP
    expected = set()
    if hwcap >> 3 & 1:
        expected.add("armaes")
    if hwcap >> 5 & 1 and hwcap >> 6 & 1:
        expected.add("armsha")
    detected = set(c_backend.cpu_features())
    assert detected <= expected
    if detected:  # empty only on a build without them (MTC_NO_ARM64)
        assert detected == expected


def test_c_extension_loaded():
    """
    Fails when the compiled extension should have loaded and did not, so a
    broken build cannot pass on the fallback (yarl's test_quoting_c_loaded).
    """
    info = mtcore.backend_info()
    if info["pure_requested"]:
        pytest.skip("MTCORE_PUREPYTHON is set: the pure twin is expected")
    if platform.python_implementation() != "CPython":
        pytest.skip("the extension is built for CPython only")
    # the ImportError, if any, is the useful message
    compiled = importlib.import_module("mtcore._cmtcore")
    assert info["implementation"] == "c"
    assert _backend.impl is compiled


# --- the environment switches, read at import: run in a subprocess -------

# A known answer the child computes with whatever kernel it chose.
_IGE = load_vectors(
    "aes_ige.json", lambda v: v["name"] == "telegram_sample_client_DH_inner_data"
)[0]

_CHILD = textwrap.dedent(
    """
    import json, sys
    import mtcore
    from mtcore import aes
    data, key, iv = (bytes.fromhex(a) for a in sys.argv[1:4])
    info = mtcore.backend_info()
    info["ige"] = aes.ige_encrypt(data, key, iv).hex()
    print(json.dumps(info))
    """
)


def _child_info(**env_vars: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MTCORE_")}
    env.update(env_vars)
    # import this checkout's mtcore, whatever the child's working directory
    root = str(Path(mtcore.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    args = [_IGE["plaintext"].hex(), _IGE["key"].hex(), _IGE["iv"].hex()]
    # cwd=root too: "python -c" puts the working directory first on sys.path,
    # where a source checkout's mtcore (without the built extension) would
    # shadow the installed one.
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    info = json.loads(proc.stdout)
    assert info["ige"] == _IGE["ciphertext"].hex()
    return info


@pytest.mark.needs_cryptography
def test_purepython_switch():
    info = _child_info(MTCORE_PUREPYTHON="1")
    assert info["implementation"] == "python"
    assert info["aes"] == "python"
    assert info["aes_kernels"] == ["python"]
    assert info["pure_requested"] is True


@pytest.mark.c_extension
def test_purepython_switch_zero_means_off():
    info = _child_info(MTCORE_PUREPYTHON="0")
    assert info["implementation"] == "c"
    assert info["pure_requested"] is False


@pytest.mark.c_extension
def test_force_portable_switch():
    info = _child_info(MTCORE_FORCE_PORTABLE="1")
    assert info["implementation"] == "c"
    assert info["aes"] == "portable"
    assert info["force_portable"] is True
    # the faster kernels are still listed (and reachable through AesKernel)
    assert "portable" in info["aes_kernels"]


@pytest.mark.c_extension
def test_default_kernel_without_switches():
    info = _child_info()
    assert info["implementation"] == "c"
    assert info["force_portable"] is False
    assert info["aes"] == info["aes_kernels"][0]


def test_every_kernel_object_has_every_method(backend_module):
    # The kernel fixtures hand tests the kernel's own methods; one missing
    # would otherwise mean testing another kernel.  Every AES and MTProto
    # kernel object of this backend must implement all of them.
    aes_methods = ("ige_encrypt", "ige_decrypt", "cbc_encrypt", "cbc_decrypt", "Ctr")
    for name in backend_module.aes_kernels():
        kernel = backend_module.AesKernel(name)
        missing = [m for m in aes_methods if not callable(getattr(kernel, m, None))]
        assert not missing, (name, missing)
    for aes in backend_module.aes_kernels():
        for sha in backend_module.sha_kernels():
            kernel = backend_module.MtprotoKernel(aes, sha)
            names = _backend.MTPROTO_KERNEL_API
            missing = [m for m in names if not callable(getattr(kernel, m, None))]
            assert not missing, (aes, sha, missing)
