"""
Fuzz target: :func:`mtcore.tl.decode` of hostile bytes, on both backends.

Input: one selector byte, then the bytes to decode; the selector picks
what is read, ``TYPES[selector % len(TYPES)]`` (None: any boxed value).

Oracle: the compiled loops and the Python loops (``codec._python_loops()``)
give the same value, or a ``TLDecodeError`` with the same text; nothing
else may be raised.  A boxed value that decodes is encoded again (both
encoders give the same bytes) and decodes back to the same value.

Run: ``python tests/fuzz/fuzz_tl_decode.py CORPUS_DIR [libFuzzer flags]``.
"""

from __future__ import annotations

from typing import Any, Callable

from fuzzlib import instrumented, outcome, run, same

with instrumented():
    from mtcore.exceptions import TLDecodeError
    from mtcore.tl import codec

TYPES = (
    None,
    "Vector<long>",
    "Vector<int>",
    "Vector<Vector<long>>",
    "Vector<User>",
    "vector<int>",
    "Vector<%Message>",
    "auth.LoginToken",
    "Updates",
    "messages.Messages",
    "User",
    "Bool",
    "int",
    "long",
    "double",
    "string",
    "bytes",
    "int128",
    "int256",
    "future_salts",
    "messages.getHistory",  # a function: its result type
)


def both(f: Callable[[], Any], allowed: tuple[type[BaseException], ...]) -> Any:
    """
    The outcome of ``f`` over the compiled loops, checked against the
    Python loops (the pure backend has only those).
    """
    fast = outcome(f, allowed)
    if codec._fast is not None:
        with codec._python_loops():
            slow = outcome(f, allowed)
        same(fast, slow, "compiled != python loops")
    return fast


def target(data: bytes) -> None:
    if not data:
        return
    type_ = TYPES[data[0] % len(TYPES)]
    body = data[1:]
    got = both(lambda: codec.decode(body, type=type_), (TLDecodeError,))
    if got[0] != "ok" or type_ is not None:
        return
    # Whatever decodes encodes again (as the Bool or object it is), and
    # the encoding reads back as the same value.
    obj = got[1]
    again = both(lambda: codec.encode(obj), ())[1]
    back = both(lambda: codec.decode(again), ())
    same(back, got, "decode(encode(decode(x))) != decode(x)")


if __name__ == "__main__":
    run(target)
