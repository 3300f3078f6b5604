"""
Helpers of the drop-in backend tests (``test_compat_*.py``): buffer kinds,
random semiprimes from an independent primality test, and running Python
in a subprocess (the clients import their backend at import time, and
cryptg can hang or panic on some inputs).
"""

from __future__ import annotations

import array
import json
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

from utils import random_prime

import mtcore

# Buffer kinds the drop-ins must take wherever the original takes bytes.
READ_KINDS = ("bytes", "bytearray", "memoryview", "memoryview-rw", "array")
# Kinds for arguments updated in place (CTR iv/state, CBC iv).
WRITE_KINDS = ("bytearray", "memoryview-rw", "array")


def as_kind(data: bytes, kind: str) -> Any:
    """
    A fresh object of the given kind holding ``data``.
    """
    if kind == "bytes":
        return bytes(bytearray(data))
    if kind == "bytearray":
        return bytearray(data)
    if kind == "memoryview":
        return memoryview(bytes(bytearray(data)))
    if kind == "memoryview-rw":
        return memoryview(bytearray(data))
    if kind == "array":
        return array.array("B", data)
    raise ValueError(kind)


def raw(obj: Any) -> bytes:
    """
    The bytes of any buffer.
    """
    if isinstance(obj, bytes):
        return obj
    with memoryview(obj) as view:
        return view.tobytes()


# --- semiprimes --------------------------------------------------------------

def random_pq(rng: random.Random) -> int:
    """
    A 63-bit product of a random 31-bit and a random 32-bit prime, as
    Telegram's servers send in resPQ.
    """
    while True:
        pq = random_prime(rng, 31) * random_prime(rng, 32)
        if pq.bit_length() == 63:
            return pq


# --- subprocesses --------------------------------------------------------------

TESTS_DIR = Path(__file__).resolve().parent
# The directory that holds the mtcore under test, so that a child imports
# the same one.
MTCORE_ROOT = str(Path(mtcore.__file__).resolve().parent.parent)


def child_env(**extra: str) -> dict[str, str]:
    """
    The environment of a child interpreter: this one's (MTCORE_PUREPYTHON
    included), with mtcore and the tests directory first on its path.
    """
    env = dict(os.environ)
    path = [MTCORE_ROOT, str(TESTS_DIR)]
    if env.get("PYTHONPATH"):
        path.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(path)
    env.update(extra)
    return env


def run_python(
    code: str, *args: str, stdin: str = "", timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """
    Run ``python -c code args...`` in a child and return the finished
    process (raises :class:`subprocess.TimeoutExpired` on a hang).
    """
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=child_env(),
        # "python -c" puts its working directory first on sys.path: not a
        # source checkout, whose mtcore (no built extension) would shadow
        # the one under test
        cwd=TESTS_DIR,
        check=False,
    )


def run_json(code: str, *args: str, stdin: Any = None, timeout: float = 120) -> Any:
    """
    Run a child that prints one JSON document as its last line; fail the
    test with its stderr if it does not exit cleanly.
    """
    proc = run_python(
        code,
        *args,
        stdin="" if stdin is None else json.dumps(stdin),
        timeout=timeout,
    )
    if proc.returncode != 0:
        raise AssertionError(
            f"child exited with {proc.returncode}:\n{proc.stderr[-4000:]}"
        )
    return json.loads(proc.stdout.strip().splitlines()[-1])
