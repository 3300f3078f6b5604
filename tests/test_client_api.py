"""
mtcore.client.Client without a server: argument checks, the schema's
functions as methods (fields checked when called, before any I/O),
unknown names, and what a closed client says.
"""

from __future__ import annotations

import asyncio

import pytest

from mtcore import tl, transport
from mtcore.client import Client, ClientError, SessionStore
from mtcore.exceptions import ArgumentTypeError, ArgumentValueError

HASH = "0123456789abcdef0123456789abcdef"


def test_arguments_checked() -> None:
    with pytest.raises(ArgumentTypeError, match="^api_id must be an int, not 'str'$"):
        Client(None, "1", HASH)  # type: ignore[arg-type]
    with pytest.raises(ArgumentValueError, match="api_hash"):
        Client(None, 1, "abc")
    with pytest.raises(ArgumentTypeError, match=r"^dc must be a \(dc_id, host, port\) tuple, not 'int'$"):
        Client(None, 1, HASH, dc=2)  # type: ignore[arg-type]
    with pytest.raises(ArgumentValueError, match="^dc port must be >= 1, got 0$"):
        Client(None, 1, HASH, dc=(2, "h", 0))
    with pytest.raises(ArgumentTypeError, match="^transport must be callable, not 'str'$"):
        Client(None, 1, HASH, transport="abridged")  # type: ignore[arg-type]
    with pytest.raises(ArgumentTypeError, match="^clock must be callable, not 'float'$"):
        Client(None, 1, HASH, clock=1.0)  # type: ignore[arg-type]
    with pytest.raises(ArgumentValueError, match="^pfs must be >= 60, got 5$"):
        Client(None, 1, HASH, pfs=5)
    with pytest.raises(ArgumentTypeError, match="^path must be a str or path-like object, not 'int'$"):
        Client(3, 1, HASH)  # type: ignore[arg-type]


def test_methods_by_tl_name() -> None:
    client = Client(SessionStore(), 1, HASH, transport=transport.Abridged)
    method = client.auth.exportLoginToken
    assert method.__name__ == "exportLoginToken"
    assert "auth.exportLoginToken#b7e085fe" in (method.__doc__ or "")
    # Fields are checked as the TL objects check them, when called.
    with pytest.raises(ArgumentTypeError, match="api_id"):
        client.auth.exportLoginToken(api_id="x", api_hash=HASH, except_ids=[])
    with pytest.raises(ArgumentTypeError, match="except_ids"):
        client.auth.exportLoginToken(api_id=1, api_hash=HASH, except_ids=5)
    with pytest.raises(AttributeError, match="did you mean 'auth.exportLoginToken'"):
        _ = client.auth.exportLoginTokn
    with pytest.raises(AttributeError, match="no function or namespace|no function"):
        _ = client.nosuchthing
    assert "exportLoginToken" in dir(client.auth)
    # A valid call returns an awaitable without touching the network; it
    # fails only when awaited (here: the client is closed).
    call = client.help.getConfig()
    asyncio.run(client.close())
    with pytest.raises(ClientError, match="^the client is closed$"):
        asyncio.run(call)


def test_requests_must_be_functions() -> None:
    client = Client(None, 1, HASH)
    with pytest.raises(ArgumentTypeError, match="^request must be a TL function object"):
        asyncio.run(client(b"\x00" * 8))
    with pytest.raises(ArgumentValueError, match="^inputUserSelf is a constructor"):
        asyncio.run(client(tl.types.inputUserSelf()))


def test_qr_login_arguments_checked_before_io() -> None:
    client = Client(None, 1, HASH)
    with pytest.raises(ArgumentTypeError, match="^on_url must be callable"):
        asyncio.run(client.qr_login("print"))  # type: ignore[arg-type]
    with pytest.raises(ArgumentTypeError, match="^password must be a str or a callable"):
        asyncio.run(client.qr_login(print, password=b"pw"))  # type: ignore[arg-type]
    with pytest.raises(ArgumentTypeError, match="except_ids"):
        asyncio.run(client.qr_login(print, except_ids="12"))
