"""
Build of the one extension, mtcore._cmtcore (mtcore/_cmtcore.pyx + src_c/).

MTCORE_PUREPYTHON=1 (or a non-CPython interpreter) gives an announced
pure-Python install; otherwise a compiler failure fails the build, with a
message that says how to get the pure-Python install.
MTCORE_DEBUG_BUILD=1 builds with -O0 -g3 and Cython line tracing.
MTCORE_SANITIZE=1 builds with AddressSanitizer and UndefinedBehaviorSanitizer
(GCC/Clang; run it as .ci/sanitize does: libasan preloaded).
"""

import glob
import os
import platform
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext
from setuptools.command.build_py import build_py
from setuptools.errors import CCompilerError, ExecError, PlatformError


def flag(name):
    return os.environ.get(name, "") not in ("", "0")


PURE = flag("MTCORE_PUREPYTHON") or platform.python_implementation() != "CPython"
DEBUG = flag("MTCORE_DEBUG_BUILD")
SANITIZE = flag("MTCORE_SANITIZE")
# Build switches that leave C out: (environment variable, C macro); the
# constant-time test compiles its harness with the same ones.
C_SWITCHES = (
    ("MTCORE_NO_X86NI", "MTC_NO_X86NI"),
    ("MTCORE_NO_ARM64", "MTC_NO_ARM64"),
    ("MTCORE_PORTABLE_C", "MTC_PORTABLE_C"),
)

ext_modules = []
cflags = []
ldflags = []
if PURE:
    print(
        "*" * 72 + "\n"
        "mtcore: building the PURE-PYTHON install (no C extension), as\n"
        "MTCORE_PUREPYTHON or this interpreter asks. It is much slower.\n"
        + "*" * 72,
        file=sys.stderr,
    )
else:
    from Cython.Build import cythonize

    # MSVC (Windows): its own warning level and /O2; the GCC/Clang flags
    # elsewhere.
    MSVC = sys.platform == "win32"
    cflags = [] if MSVC else ["-Wall", "-Wsign-compare", "-Wno-unused-function"]
    if not MSVC:
        # Release builds carry no debug information (-g0 overrides the
        # interpreter's -g, and the linker drops what static parts of the C
        # library bring): the extension is about 0.6 MB instead of 3.3.
        cflags += ["-O0", "-g3", "-UNDEBUG"] if DEBUG else ["-O3", "-g0"]
        if not (DEBUG or SANITIZE):
            ldflags.append("-Wl,-S")
    if SANITIZE:
        # Any UB report aborts (no recovery), with stacks that name lines.
        sanitize = ["-fsanitize=address,undefined", "-fno-sanitize-recover=undefined"]
        cflags += sanitize + ["-fno-omit-frame-pointer", "-g", "-O1"]  # -O1 wins
        ldflags += sanitize
    if flag("MTCORE_WERROR"):
        cflags.append("/WX" if MSVC else "-Werror")
    # MTCORE_NO_X86NI: without the x86 AES-NI/VAES/SHA-NI kernels;
    # MTCORE_NO_ARM64: without the AArch64 ones (NEON vector-permute AES,
    # ARMv8 Crypto Extensions); MTCORE_PORTABLE_C: plain C where GCC/Clang
    # builtins would do (byte order, 128-bit products, bit scans), the code
    # other compilers build.
    cflags += [f"-D{define}" for env, define in C_SWITCHES if flag(env)]
    directives = {
        "language_level": 3,
        "embedsignature": True,
        "freethreading_compatible": True,
        "boundscheck": False,
        "wraparound": False,
    }
    if DEBUG:
        directives["linetrace"] = True
    ext_modules = cythonize(
        [
            Extension(
                "mtcore._cmtcore",
                sources=["mtcore/_cmtcore.pyx"] + sorted(glob.glob("src_c/*.c")),
                include_dirs=["src_c"],
                depends=glob.glob("src_c/*.h") + glob.glob("mtcore/*.pxd")
                + glob.glob("mtcore/_*.pyx"),
                extra_compile_args=cflags,
                extra_link_args=ldflags,
                define_macros=[("CYTHON_TRACE", "1")] if DEBUG else [],
            )
        ],
        compiler_directives=directives,
    )


class build_ext_or_explain(build_ext):
    """
    build_ext that says, when the C build fails (no compiler, most often),
    how to install without it.
    """

    def run(self):
        # Objects built with other flags (MTCORE_SANITIZE, MTCORE_NO_X86NI,
        # ...) in this tree's build/ are not reused: setuptools would see
        # them up to date and link them.
        stamp = os.path.join(self.build_temp, "mtcore-flags")
        flags = repr((cflags, ldflags, [e.define_macros for e in self.extensions]))
        try:
            with open(stamp, encoding="utf-8") as f:
                self.force = self.force or f.read() != flags
        except OSError:
            self.force = True
        os.makedirs(self.build_temp, exist_ok=True)
        with open(stamp, "w", encoding="utf-8") as f:
            f.write(flags)
        try:
            super().run()
        except (CCompilerError, ExecError, PlatformError) as exc:
            raise SystemExit(
                f"error: {exc}\n" + "*" * 72 + "\n"
                "mtcore: the C extension did not build (above). Without a\n"
                "working C compiler, install the pure-Python version instead\n"
                "(much slower; cryptography is its AES):\n"
                "    MTCORE_PUREPYTHON=1 pip install 'mtcore[pure]'\n" + "*" * 72
            ) from exc


class build_py_with_info(build_py):
    """
    build_py that also writes mtcore/_buildinfo.py, how this copy was built
    (mtcore.backend_info()["build"]; its absence means a source tree).
    """

    def run(self):
        super().run()
        info = {"pure": PURE, "debug": DEBUG, "cflags": cflags}
        path = os.path.join(self.build_lib, "mtcore", "_buildinfo.py")
        with open(path, "w", encoding="utf-8") as f:
            f.write('"""Written by setup.py: how this copy was built."""\n\n')
            f.write(f"BUILD = {info!r}\n")


setup(
    ext_modules=ext_modules,
    cmdclass={"build_py": build_py_with_info, "build_ext": build_ext_or_explain},
)
