"""
What the fuzz targets of this folder share (see README): the backends
they compare, how an outcome is recorded and compared, and the entry
point that hands a target to atheris.

A target is a function of one ``bytes`` argument that returns normally
for every input and raises (:class:`Finding`, or any exception the
function under test should never raise) on a defect.  The same function
runs under atheris (``python tests/fuzz/fuzz_X.py ...``) and under pytest,
which replays the committed corpus (``test_fuzz_corpus.py``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import struct
import sys
from pathlib import Path
from typing import Any, Callable, Iterator

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"


class Finding(Exception):
    """
    A target saw a defect other than an unexpected exception: the two
    backends disagree, a round trip changes a value, an error message
    quotes a secret.
    """


def _fuzzing() -> bool:
    # True when a fuzz script of this folder is the program being run
    # (as atheris runs it), False under pytest or an import.
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if path is None:
        return False
    path = Path(path).resolve()
    return path.parent == HERE and path.name.startswith("fuzz_")


@contextlib.contextmanager
def instrumented() -> Iterator[None]:
    """
    Import mtcore inside this block: when a fuzz script runs under atheris
    its Python code is instrumented for coverage (the compiled extension
    is not: its pure twin, run beside it, gives the fuzzer its map).
    """
    if not _fuzzing():
        yield
        return
    import atheris

    with atheris.instrument_imports(include=["mtcore"]):
        yield


def run(target: Callable[[bytes], None]) -> None:
    """
    Fuzz ``target`` with atheris; the command line is libFuzzer's
    (corpus folders, ``-max_total_time=N``, ``-jobs=N`` ...).
    """
    import atheris

    atheris.Setup(sys.argv, target)
    atheris.Fuzz()


# --- outcomes --------------------------------------------------------------


def outcome(f: Callable[[], Any], allowed: tuple[type[BaseException], ...]) -> Any:
    """
    ``("ok", value)`` or, for an exception of an ``allowed`` type, its type
    and text; any other exception propagates (it is a finding).
    """
    try:
        return ("ok", f())
    except allowed as exc:
        return (type(exc), str(exc))


def canon(v: Any) -> Any:
    """
    A form of a result that compares equal exactly when the results are
    the same: types kept, floats by their bits (a NaN equals itself).
    """
    if isinstance(v, float):
        return (float, struct.pack("<d", v))
    if isinstance(v, (list, tuple)):
        return (type(v), tuple(canon(x) for x in v))
    if hasattr(v, "tl_name") and hasattr(v, "__iter__"):  # a TLObject
        return (type(v), tuple((k, canon(x)) for k, x in v))
    if dataclasses.is_dataclass(v):
        return (type(v), tuple(canon(getattr(v, f.name)) for f in dataclasses.fields(v)))
    return (type(v), v)


def same(a: Any, b: Any, what: str) -> None:
    """
    Raise a :class:`Finding` unless outcomes ``a`` and ``b`` are the same
    value, or the same exception type with the same text.
    """
    if a[0] == "ok" and b[0] == "ok":
        if canon(a[1]) == canon(b[1]):
            return
    elif a == b:
        return
    raise Finding(f"{what}: {_short(a)} != {_short(b)}")


def _short(o: Any) -> str:
    text = repr(o)
    return text if len(text) <= 600 else text[:600] + "..."


def own_text(*names: str) -> str:
    """
    The text of these files of the mtcore package (``"_errors.py"``,
    ``"tl/data/*.tl"``): what an error message may say of its own, so a
    piece of the input that also appears there is no sign of a leak.
    """
    import mtcore

    root = Path(mtcore.__file__).parent
    return "\n".join(
        p.read_text(encoding="utf-8") for name in names for p in sorted(root.glob(name))
    )


# --- backends ----------------------------------------------------------------


def compiled_module() -> Any:
    """
    ``mtcore._cmtcore`` when the compiled backend is in use, else None
    (a pure run, ``MTCORE_PUREPYTHON=1``, checks the pure side alone).
    """
    from mtcore import _backend

    return _backend.impl if _backend.IMPLEMENTATION == "c" else None

