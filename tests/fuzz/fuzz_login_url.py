"""
Fuzz target: :func:`mtcore.login.parse_login_url` of hostile strings.

Input: the URL as UTF-8 (an invalid byte becomes a lone surrogate, so
any str can be reached).

Oracle: only ``LoginURLError`` is raised; the token of an accepted URL
gives through :func:`mtcore.login.login_url` a URL that parses to the same
token; and no error message contains 8 characters in a row of the input's
token-looking text (:func:`leaks`).

Run: ``python tests/fuzz/fuzz_login_url.py CORPUS_DIR [libFuzzer flags]``.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from fuzzlib import Finding, instrumented, own_text, run

with instrumented():
    from mtcore import login
    from mtcore.exceptions import LoginURLError

_OWN_TEXT = own_text("_errors.py", "login.py")
_TOKEN_RUN = re.compile(r"[A-Za-z0-9_-]{8,}")
RUN = 8


def leaks(text: str, message: str) -> list[str]:
    """
    The 8-character pieces of ``text``'s base64url runs (what a token
    looks like in a URL), percent-escapes decoded or not, that ``message``
    quotes.
    """
    found = []
    for m in (*_TOKEN_RUN.finditer(text), *_TOKEN_RUN.finditer(unquote(text))):
        s = m.group()
        for i in range(len(s) - RUN + 1):
            piece = s[i : i + RUN]
            if piece in message and piece not in _OWN_TEXT:
                found.append(piece)
    return found


def target(data: bytes) -> None:
    url = data.decode("utf-8", "surrogateescape")
    try:
        token = login.parse_login_url(url)
    except LoginURLError as exc:
        bad = leaks(url, str(exc))
        if bad:
            raise Finding(f"the message quotes the input {bad[:3]}: {exc}") from None
        return
    if not token:
        raise Finding("an empty token was accepted")
    if login.parse_login_url(login.login_url(token)) != token:
        raise Finding("login_url(token) does not parse back to the token")


if __name__ == "__main__":
    run(target)
