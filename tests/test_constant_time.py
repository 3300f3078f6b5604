"""
Constant-time check of the C AES kernels with valgrind's memcheck (the
"ctgrind" technique, Adam Langley 2010).

``tests/c/ctgrind.c`` marks key, IV, counter and data undefined around
every kernel call, so memcheck reports any branch or memory address that
depends on them; it is built here against ``src_c/`` at -O2 and -O3 and
must run clean.  ``tests/c/ctneg.c`` is the negative control: a secret
table index and a secret branch, which the same run must flag, or a clean
ctgrind run would prove nothing.

Skipped when valgrind, ``valgrind/memcheck.h`` or a C compiler is missing,
when ``src_c/`` is not beside the tests (an installed copy of the suite),
and under ``MTCORE_PUREPYTHON``: the C sources are the same in both CI
passes, so the check runs once, in the compiled one.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sysconfig
from pathlib import Path
from typing import Optional

import pytest

HERE = Path(__file__).resolve().parent
HARNESS = HERE / "c"
SRC_C = HERE.parent / "src_c"

VALGRIND_ARGS = ["--error-exitcode=99", "--track-origins=no", "-q"]
# The flags of setup.py; -Werror as there, only when MTCORE_WERROR asks.
CFLAGS = ["-g", "-Wall", "-Wsign-compare", "-Wno-unused-function"]
TIMEOUT = 300


def _flag(name: str) -> bool:
    return os.environ.get(name, "") not in ("", "0")


def _compiler() -> Optional[list[str]]:
    """The C compiler Python was built with if present, else cc/gcc/clang."""
    cc = sysconfig.get_config_var("CC")
    if cc:
        argv = shlex.split(cc)
        if argv and shutil.which(argv[0]):
            return argv
    for name in ("cc", "gcc", "clang"):
        path = shutil.which(name)
        if path:
            return [path]
    return None


def _has_memcheck_h(cc: list[str]) -> bool:
    probe = subprocess.run(
        [*cc, "-E", "-x", "c", "-"],
        input="#include <valgrind/memcheck.h>\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    return probe.returncode == 0


@pytest.fixture(scope="module")
def toolchain() -> tuple[list[str], str]:
    """The C compiler and valgrind, or a skip that says what is missing."""
    if _flag("MTCORE_PUREPYTHON"):
        pytest.skip(
            "MTCORE_PUREPYTHON is set: the constant-time check concerns the C "
            "kernels, not the Python backend, and runs in the compiled pass"
        )
    if not (SRC_C / "mtc.h").is_file():
        pytest.skip(f"no C sources beside the tests ({SRC_C} is missing)")
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        pytest.skip("valgrind is not installed")
    cc = _compiler()
    if cc is None:
        pytest.skip("no C compiler (cc, gcc or clang) found")
    if not _has_memcheck_h(cc):
        pytest.skip(f"valgrind/memcheck.h not found by {' '.join(cc)}")
    return cc, valgrind


def _build(cc: list[str], out: Path, sources: list[Path], opt: str) -> Path:
    flags = [opt, *CFLAGS, *(["-Werror"] if _flag("MTCORE_WERROR") else [])]
    cmd = [*cc, *flags, f"-I{SRC_C}", *map(str, sources), "-o", str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT)
    assert proc.returncode == 0, (
        f"build failed: {shlex.join(cmd)}\n{proc.stdout}{proc.stderr}"
    )
    return out


def _valgrind(valgrind: str, exe: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [valgrind, *VALGRIND_ARGS, str(exe)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )


@pytest.mark.parametrize("opt", ["-O2", "-O3"], ids=["O2", "O3"])
def test_kernels_constant_time(
    toolchain: tuple[list[str], str], tmp_path: Path, opt: str
) -> None:
    """
    No branch or address of a ct64 or AES-NI kernel, nor of the CTR stream,
    depends on key, IV, counter or data.
    """
    cc, valgrind = toolchain
    sources = [HARNESS / "ctgrind.c", *sorted(SRC_C.glob("*.c"))]
    exe = _build(cc, tmp_path / "ctgrind", sources, opt)
    proc = _valgrind(valgrind, exe)
    report = f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    assert "under valgrind: yes" in proc.stdout, report
    rc = proc.returncode
    assert rc == 0, f"memcheck or a kernel check failed (exit {rc})\n{report}"
    assert "uninitialised" not in proc.stderr, report
    assert "kernel ct64" in proc.stdout, report
    assert "stream portable" in proc.stdout, report


def test_negative_control_is_flagged(
    toolchain: tuple[list[str], str], tmp_path: Path
) -> None:
    """
    The same run catches a secret table index and a secret branch.
    """
    cc, valgrind = toolchain
    exe = _build(cc, tmp_path / "ctneg", [HARNESS / "ctneg.c"], "-O2")
    proc = _valgrind(valgrind, exe)
    report = f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    assert "under valgrind: yes" in proc.stdout, report
    rc = proc.returncode
    assert rc == 99, f"memcheck missed the leaks (exit {rc})\n{report}"
    assert "depends on uninitialised value" in proc.stderr, report
    assert "Use of uninitialised value of size" in proc.stderr, report
