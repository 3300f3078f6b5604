"""
The run-time switches, read from the environment once, at import; every
other module (mtcore._backend, the compiled extension) takes them from
here.  The build-time switches are setup.py's.

``MTCORE_PUREPYTHON``: run the pure-Python twin (anything but ``0`` or
empty).  ``MTCORE_FORCE_PORTABLE``: the compiled extension uses its
portable (constant-time bitsliced) kernels even where faster ones run.
``MTCORE_REQUIRE_COMPILED``: an extension that does not import is an
ImportError instead of a warning and the pure twin (for CI and test runs,
whose child processes must not fall back without a word).
"""

from __future__ import annotations

import os


def _flag(name: str) -> bool:
    return os.environ.get(name, "") not in ("", "0")


PURE_REQUESTED = _flag("MTCORE_PUREPYTHON")
FORCE_PORTABLE = _flag("MTCORE_FORCE_PORTABLE")
REQUIRE_COMPILED = _flag("MTCORE_REQUIRE_COMPILED")
