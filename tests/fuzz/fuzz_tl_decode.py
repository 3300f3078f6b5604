"""
Fuzz target: :func:`mtcore.tl.decode` of hostile bytes, on both backends.

Input: one selector byte, then the bytes to decode; the selector picks
what is read, ``TYPES[selector % len(TYPES)]`` (None: any boxed value).

Oracle: the compiled loops and the pure twin's (``fuzzlib.tl_both``)
give the same value, or a ``TLDecodeError`` with the same text; nothing
else may be raised.  A boxed value that decodes is encoded again (both
encoders give the same bytes) and decodes back to the same value.

Run: ``python tests/fuzz/fuzz_tl_decode.py CORPUS_DIR [libFuzzer flags]``.
"""

from __future__ import annotations

from fuzzlib import instrumented, run, same, tl_both

with instrumented():
    from mtcore.exceptions import TLDecodeError

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


def target(data: bytes) -> None:
    if not data:
        return
    type_ = TYPES[data[0] % len(TYPES)]
    body = data[1:]
    got = tl_both(lambda L: L.decode(body, type=type_), (TLDecodeError,))
    if got[0] != "ok" or type_ is not None:
        return
    # Whatever decodes encodes again (as the Bool or object it is), and
    # the encoding reads back as the same value.
    obj = got[1]
    again = tl_both(lambda L: L.encode(obj), ())[1]
    back = tl_both(lambda L: L.decode(again), ())
    same(back, got, "decode(encode(decode(x))) != decode(x)")


if __name__ == "__main__":
    run(target)
