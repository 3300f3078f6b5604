"""
Fuzz target: :meth:`mtcore.tl.Schema.parse` of hostile ``.tl`` text, then
the codec of a schema it accepts.

Input: the schema text as UTF-8 (an invalid byte becomes a lone
surrogate), optionally followed by a NUL byte and bytes to decode with
that schema.

Oracle: ``Schema.parse`` raises ``TLSchemaError`` or nothing; every
combinator of an accepted schema compiles, and its text parses back to
the same combinator; decoding the bytes after the NUL gives the same value
or ``TLDecodeError`` text over the compiled and the Python loops.

Run: ``python tests/fuzz/fuzz_tl_schema.py CORPUS_DIR [libFuzzer flags]``.
"""

from __future__ import annotations

from fuzzlib import Finding, instrumented, run, tl_both

with instrumented():
    from mtcore.exceptions import TLDecodeError, TLSchemaError
    from mtcore.tl import Combinator, Schema, codec


def target(data: bytes) -> None:
    text, nul, tail = data.partition(b"\0")
    try:
        schema = Schema.parse(text.decode("utf-8", "surrogateescape"))
    except TLSchemaError:
        return
    c = codec.Codec(schema)
    for comb in schema.combinators:
        c.desc(comb.id)
        again = Combinator.parse(str(comb), is_function=comb.is_function)
        if again != comb:
            raise Finding(f"{comb} parses back as {again}")
    if not nul:
        return
    tl_both(lambda L: L.decode(tail, schema), (TLDecodeError,))


if __name__ == "__main__":
    run(target)
