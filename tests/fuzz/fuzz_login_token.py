"""
Fuzz target: :func:`mtcore.login.parse_login_token` of hostile TL bytes,
over the compiled and the Python loops of the TL codec.

Oracle: both loops give the same result or a ``TLDecodeError`` with the
same text; nothing else may be raised; an accepted answer's ``to_tl()``
encodes to bytes that parse to the same answer; and no error message
quotes 8 bytes in a row of the input (as hex, or as text that is not a
word of mtcore's own messages and schema).

Run: ``python tests/fuzz/fuzz_login_token.py CORPUS_DIR [libFuzzer flags]``.
"""

from __future__ import annotations

import re

from fuzzlib import Finding, canon, instrumented, outcome, own_text, run, tl_both

with instrumented():
    from mtcore import login
    from mtcore.exceptions import TLDecodeError

_OWN_TEXT = own_text("_errors.py", "login.py", "tl/*.py", "tl/data/*.tl")
RUN = 8
_NUMBER = re.compile(r"0x[0-9a-f]+|[0-9]+")


def leaks(data: bytes, message: str) -> list[str]:
    """
    The 8-byte pieces of ``data`` that ``message`` quotes, as hex or as
    text; the numbers a message gives of its own (a constructor id in hex,
    an offset) are not counted as text.
    """
    found = []
    low = message.lower()
    words = _NUMBER.sub(" ", message)
    for i in range(len(data) - RUN + 1):
        piece = data[i : i + RUN]
        text = piece.decode("latin-1")
        if piece.hex() in low or (text in words and text not in _OWN_TEXT):
            found.append(piece.hex())
    return found


def parse(data: bytes) -> tuple[object, bytes]:
    """
    The answer and the encoding of its TL object.
    """
    answer = login.parse_login_token(data)
    return answer, bytes(answer.to_tl())


def target(data: bytes) -> None:
    allowed = (TLDecodeError,)
    got = outcome(lambda: parse(data), allowed)
    # the decode under it, over both loops
    tl_both(lambda L: L.decode(data, type="auth.LoginToken"), allowed)
    if got[0] != "ok":
        bad = leaks(data, got[1])
        if bad:
            raise Finding(f"the message quotes the input {bad[:3]}: {got[1]}")
        return
    answer, again = got[1]
    if canon(login.parse_login_token(again)) != canon(answer):
        raise Finding(f"{answer!r}: to_tl() does not parse back to it")


if __name__ == "__main__":
    run(target)
