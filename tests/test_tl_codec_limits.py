"""
The TL decoder's defences (``mtcore.tl.decode``; the compiled loops of
``mtcore/_tlcodec.pyx`` and the Python loops of ``mtcore/tl/codec.py``):

* no list with empty slots is ever visible to a gc callback that walks
  ``gc.get_objects()`` while objects are decoded (in a subprocess, so a
  crash is a clean failure).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from test_tl_codec import SAMPLES

from mtcore.tl import codec

VECTOR_ID = bytes.fromhex("15c4b51c")


def le32(n: int) -> bytes:
    return n.to_bytes(4, "little", signed=n < 0)


def child(script: str, stdin: str = "") -> str:
    """
    What script printed, run by a new interpreter on this checkout's mtcore
    and backend (a crash fails the test cleanly).
    """
    root = str(Path(codec.__file__).resolve().parents[2])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    # cwd=root too: "python -c" puts the working directory first on sys.path
    proc = subprocess.run(
        [sys.executable, "-c", CHILD_CHECK + script],
        input=stdin,
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, (proc.returncode, proc.stderr[-3000:])
    return proc.stdout


# The child runs the loops this process does.
CHILD_CHECK = (
    "from mtcore.tl import codec as _c\n"
    f"assert (_c._CIMPL is not None) == {codec._CIMPL is not None}\n"
)


# --- 1. no partly filled list is ever visible ---------------------------------

_GC_SCRIPT = textwrap.dedent(
    """
    import gc, json, sys
    from mtcore.tl import codec, decode

    cases = [(bytes.fromhex(h), t) for h, t in json.load(sys.stdin)]
    expected = [repr(decode(d, type=t)) for d, t in cases]
    loops = ["compiled", "python"] if codec._CIMPL is not None else ["python"]
    seen = 0

    def walk(phase, info):
        # what a memory profiler does: every young list, every item
        global seen
        if phase != "start":
            return
        for gen in (0, 1):
            for o in gc.get_objects(gen):
                if o.__class__ is list:
                    for x in o:
                        x.__class__
                    seen += 1

    gc.callbacks.append(walk)
    gc.set_threshold(5, 2, 1000)
    for loop in loops:
        for _ in range(2):
            # a fresh codec: constructors are compiled (Python code runs)
            # in the middle of the decode
            codec.codec_for.cache_clear()
            codec._default_codec.cache_clear()
            if loop == "python":
                codec._use_compiled(False)
            got = [repr(decode(d, type=t)) for d, t in cases]
            codec._use_compiled(codec._CIMPL is not None)
            assert got == expected, loop
    gc.callbacks.remove(walk)
    print("lists walked:", seen)
    """
)


def test_gc_callbacks_never_see_a_partly_filled_list() -> None:
    # Objects with many fields, vectors of objects, of longs and of ints.
    cases = [(d.hex(), None) for d in SAMPLES] + [
        ((VECTOR_ID + le32(40) + bytes(range(1, 41)) * 8).hex(), "Vector<long>"),
        ((VECTOR_ID + le32(50) + bytes(range(50)) * 4).hex(), "Vector<int>"),
    ]
    out = child(_GC_SCRIPT, json.dumps(cases))
    assert out.startswith("lists walked: ")
    assert int(out.split(":")[1]) > 1000  # the hook ran, and saw lists
