"""
Constant-time check of the C kernels with valgrind's memcheck (the
"ctgrind" technique, Adam Langley 2010).

``tests/c/ctgrind.c`` marks secrets undefined around every kernel call
(AES, SHA-1/SHA-256, ``mtc_ct_equal``, MTProto key id, msg_key, KDF,
encrypt and decrypt up to its documented decision), so memcheck reports any
branch or memory address that depends on them; it is built here against
``src_c/`` at -O2 and -O3 and must run clean.  Kernels valgrind's virtual
CPU lacks (SHA-NI, AVX-512, VAES) are argued in comments beside them, and
only those may be left out.  The negative controls: ``tests/c/ctneg.c``
(a secret table index, a secret branch, an early-exit comparison) and
``tests/c/ctmutant.c`` (``mtc_ct_equal`` returning at the first differing
byte, linked into the harness), which the same run must flag, or a clean
ctgrind run would prove nothing.

The harness is built with the flags of setup.py, including
``MTCORE_NO_X86NI`` and ``MTCORE_PORTABLE_C`` when set (the CI's
portable-only pass).  Where valgrind, ``valgrind/memcheck.h`` or a C
compiler is missing, or ``src_c/`` is not beside the tests (an installed
copy of the suite), the check fails under ``MTCORE_REQUIRE_VALGRIND=1``
(the CI sets it) and is skipped otherwise, saying what to install.  Under
``MTCORE_PUREPYTHON`` it is skipped: the C sources are the same in every CI
pass, and the compiled ones run it.

Under user-mode emulation of another architecture (the CI's AArch64 step,
``.ci/arm64``: qemu-user runs this Python, while the kernel and valgrind
are the host's) the check does not apply and is skipped saying so:
valgrind runs programs of its own architecture only.  The AArch64 kernels
are argued in ``tests/c/ctgrind.c`` instead, and ``.ci/arm64`` runs the
harness there without valgrind, as a check of their results.
"""

from __future__ import annotations

import ast
import os
import platform
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NoReturn, Optional

import pytest

HERE = Path(__file__).resolve().parent
HARNESS = HERE / "c"
SRC_C = HERE.parent / "src_c"

REQUIRE = "MTCORE_REQUIRE_VALGRIND"
VALGRIND_HINT = (
    "install it: apt-get install valgrind on Debian/Ubuntu (the package "
    "also has valgrind/memcheck.h; .ci/run installs it when missing)"
)
VALGRIND_ARGS = ["--error-exitcode=99", "--track-origins=no", "-q"]
# The flags of setup.py; -Werror as there, only when MTCORE_WERROR asks.
CFLAGS = ["-g", "-Wall", "-Wsign-compare", "-Wno-unused-function"]
# What valgrind cannot run (no SHA-NI, AVX-512 or VAES in its CPU): the
# only kernels the valgrind run may leave out; argued beside the kernels.
ARGUED = {"shani", "vaes"}
TIMEOUT = 300


def _flag(name: str) -> bool:
    return os.environ.get(name, "") not in ("", "0")


def _missing(reason: str, hint: str) -> NoReturn:
    """Fails under MTCORE_REQUIRE_VALGRIND, else skips, saying why."""
    if _flag(REQUIRE):
        pytest.fail(
            f"{REQUIRE} is set and the constant-time check cannot run: "
            f"{reason}; {hint}",
            pytrace=False,
        )
    pytest.skip(f"{reason}: {hint} (with {REQUIRE}=1 this fails)")


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


def _emulated_on() -> Optional[str]:
    """
    The host's architecture when this Python runs under user-mode emulation
    of another (qemu-user, which leaves the host's /proc/cpuinfo in view),
    else None.
    """
    machine = platform.machine().lower()
    if not sys.platform.startswith("linux") or machine in ("x86_64", "amd64"):
        return None
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
    except OSError:
        return None
    # x86 kernels list vendor_id and flags; an AArch64 kernel lists
    # "CPU implementer" and "Features" instead.
    if re.search(r"^vendor_id\s*:", cpuinfo, re.M) and re.search(
        r"^flags\s*:", cpuinfo, re.M
    ):
        return "x86_64"
    return None


@pytest.fixture(scope="module")
def toolchain() -> tuple[list[str], str]:
    """The C compiler and valgrind, or a failure or skip saying what lacks."""
    if _flag("MTCORE_PUREPYTHON"):
        pytest.skip(
            "MTCORE_PUREPYTHON is set: the constant-time check concerns the C "
            "kernels, not the Python backend, and runs in the compiled pass"
        )
    host = _emulated_on()
    if host is not None:
        pytest.skip(
            f"does not apply under emulation: this {platform.machine()} Python "
            f"runs emulated on an {host} host, whose valgrind cannot run "
            f"{platform.machine()} code (the kernels are argued in "
            "tests/c/ctgrind.c; .ci/arm64 runs the harness without valgrind)"
        )
    if not (SRC_C / "mtc.h").is_file():
        _missing(
            f"no C sources beside the tests ({SRC_C} is missing)",
            "run the tests from a checkout of mtcore",
        )
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        _missing("valgrind is not installed", VALGRIND_HINT)
    cc = _compiler()
    if cc is None:
        _missing(
            "no C compiler (cc, gcc or clang) found",
            "install one: apt-get install gcc on Debian/Ubuntu",
        )
    if not _has_memcheck_h(cc):
        _missing(
            f"valgrind/memcheck.h not found by {' '.join(cc)}", VALGRIND_HINT
        )
    return cc, valgrind


def _flags(opt: str) -> list[str]:
    flags = [opt, *CFLAGS, "-DMTC_CTGRIND", f"-I{SRC_C}"]
    if _flag("MTCORE_WERROR"):
        flags.append("-Werror")
    flags += [f"-D{define}" for env, define in _c_switches() if _flag(env)]
    return flags


def _c_switches() -> list[tuple[str, str]]:
    # setup.py's C_SWITCHES (the build's environment switches and their
    # macros), read from its text: importing it would run the build.
    tree = ast.parse((HERE.parent / "setup.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == "C_SWITCHES":
            return list(ast.literal_eval(node.value))
    raise AssertionError("setup.py has no C_SWITCHES")


def _run(cmd: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT)


def _compile(
    cc: list[str], out: Path, sources: list[Path], opt: str
) -> dict[str, Path]:
    """Each source to an object in out, on every core; by source name."""
    out.mkdir(exist_ok=True)

    def one(src: Path) -> Path:
        obj = out / f"{src.stem}.o"
        cmd = [*cc, *_flags(opt), "-c", str(src), "-o", str(obj)]
        proc = _run(cmd)
        assert proc.returncode == 0, (
            f"build failed: {shlex.join(cmd)}\n{proc.stdout}{proc.stderr}"
        )
        return obj

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        return dict(zip((s.name for s in sources), pool.map(one, sources)))


def _link(cc: list[str], exe: Path, objects: list[Path]) -> Path:
    cmd = [*cc, *map(str, objects), "-o", str(exe)]
    proc = _run(cmd)
    assert proc.returncode == 0, (
        f"link failed: {shlex.join(cmd)}\n{proc.stdout}{proc.stderr}"
    )
    return exe


@pytest.fixture(scope="module")
def objects(
    toolchain: tuple[list[str], str], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, dict[str, Path]]:
    """The harness and src_c/ (and the mutant) compiled at -O2 and -O3."""
    cc, _ = toolchain
    root = tmp_path_factory.mktemp("ctgrind")
    sources = [HARNESS / "ctgrind.c", *sorted(SRC_C.glob("*.c"))]
    built = {
        opt: _compile(cc, root / opt.lstrip("-"), sources, opt)
        for opt in ("-O2", "-O3")
    }
    mutant = [HARNESS / "ctmutant.c"]
    built["-O2"].update(_compile(cc, root / "O2", mutant, "-O2"))
    return built


def _valgrind(valgrind: str, exe: Path) -> subprocess.CompletedProcess[str]:
    return _run([valgrind, *VALGRIND_ARGS, str(exe)])


def _report(proc: subprocess.CompletedProcess[str]) -> str:
    return f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"


def _ran(stdout: str) -> set[str]:
    """The AES and SHA implementations a harness run checked."""
    return {
        m.group(2)
        for m in re.finditer(r"^(kernel|sha) (\S+) +(\S+)", stdout, re.M)
        if m.group(3) != "skipped:"
    }


def _reported_in(stderr: str) -> list[str]:
    """The function each memcheck report points at (its first frame)."""
    return re.findall(
        r"^==\d+== \S.*\n==\d+==    at 0x[0-9A-Fa-f]+: ([\w.]+)", stderr, re.M
    )


@pytest.mark.parametrize("opt", ["-O2", "-O3"], ids=["O2", "O3"])
def test_kernels_constant_time(
    toolchain: tuple[list[str], str],
    objects: dict[str, dict[str, Path]],
    tmp_path: Path,
    opt: str,
) -> None:
    """
    No branch or address of the AES kernels, ige_many, SHA-1/SHA-256,
    mtc_ct_equal, mtc_modexp or the MTProto functions depends on a secret; every
    implementation the CPU runs natively runs under valgrind too, but for
    those it cannot run.
    """
    cc, valgrind = toolchain
    built = objects[opt]
    harness = [obj for src, obj in built.items() if src != "ctmutant.c"]
    exe = _link(cc, tmp_path / "ctgrind", harness)
    native = _run([str(exe)])
    assert native.returncode == 0, f"native run failed\n{_report(native)}"
    assert "under valgrind: no" in native.stdout, _report(native)

    proc = _valgrind(valgrind, exe)
    report = _report(proc)
    assert "under valgrind: yes" in proc.stdout, report
    rc = proc.returncode
    assert rc == 0, f"memcheck or a kernel check failed (exit {rc})\n{report}"
    assert "uninitialised" not in proc.stderr, report
    for line in (
        "kernel portable",
        "ige_many portable",
        "sha portable",
        "ct_equal both operands secret",
        "modexp secret base and exponent",
        "mtproto portable+portable",
    ):
        assert line in proc.stdout, report
    left_out = _ran(native.stdout) - _ran(proc.stdout)
    assert left_out <= ARGUED, (
        f"valgrind left out {sorted(left_out - ARGUED)}, which it can run\n"
        f"native:\n{native.stdout}\n{report}"
    )


def test_negative_control_is_flagged(
    toolchain: tuple[list[str], str], tmp_path: Path
) -> None:
    """
    The same run catches a secret table index, a secret branch and an
    early-exit comparison.
    """
    cc, valgrind = toolchain
    exe = tmp_path / "ctneg"
    cmd = [*cc, *_flags("-O2"), str(HARNESS / "ctneg.c"), "-o", str(exe)]
    build = _run(cmd)
    assert build.returncode == 0, f"build failed\n{_report(build)}"
    proc = _valgrind(valgrind, exe)
    report = _report(proc)
    assert "under valgrind: yes" in proc.stdout, report
    rc = proc.returncode
    assert rc == 99, f"memcheck missed the leaks (exit {rc})\n{report}"
    assert "depends on uninitialised value" in proc.stderr, report
    assert "Use of uninitialised value of size" in proc.stderr, report
    where = {name.split(".")[0] for name in _reported_in(proc.stderr)}
    assert where == {"lookup", "branch", "early_exit_equal"}, report


def test_early_exit_ct_equal_is_caught(
    toolchain: tuple[list[str], str],
    objects: dict[str, dict[str, Path]],
    tmp_path: Path,
) -> None:
    """
    mtc_ct_equal rewritten to return at the first differing byte
    (tests/c/ctmutant.c, in place of util.c) fails the harness, with every
    report in mtc_ct_equal.
    """
    cc, valgrind = toolchain
    built = objects["-O2"]
    mutated = [obj for src, obj in built.items() if src != "util.c"]
    exe = _link(cc, tmp_path / "ctmutant", mutated)
    proc = _valgrind(valgrind, exe)
    report = _report(proc)
    assert "under valgrind: yes" in proc.stdout, report
    rc = proc.returncode
    assert rc == 99, f"memcheck missed the early exit (exit {rc})\n{report}"
    where = _reported_in(proc.stderr)
    assert where and set(where) == {"mtc_ct_equal"}, report
