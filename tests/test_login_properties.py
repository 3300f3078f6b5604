"""
Hypothesis properties of ``mtcore.login`` (STYLE.md point 59: their own
module, skipped without hypothesis; sizes from the conftest's profiles).

* token -> URL -> token for random tokens, with the standard library's
  base64url as the reference for the URL text;
* random strings through :func:`parse_login_url`: a token or a
  ``LoginURLError``, never another exception, and a token has one URL;
* a random walk through :class:`QRLoginFlow`: whatever arrives in whatever
  order, each call returns an action that fits the new state or raises a
  documented error and leaves the flow as it was.
"""

from __future__ import annotations

import base64
import re
from urllib.parse import unquote

import pytest

pytest.importorskip("hypothesis")

from hypothesis import example, given
from hypothesis import strategies as st
from test_login import (
    EXPIRES,
    FINAL_STATES,
    UPDATE,
    Clock,
    _snapshot,
    login_token,
    migrate_to,
    new_flow,
    rpc_error,
    success,
)

from mtcore import tl
from mtcore.exceptions import (
    ArgumentTypeError,
    LoginFlowError,
    LoginURLError,
    TLDecodeError,
)
from mtcore.login import (
    SESSION_PASSWORD_NEEDED,
    URL_PREFIX,
    Done,
    Failed,
    PasswordNeeded,
    QRLoginState,
    Send,
    ShowQR,
    Wait,
    login_url,
    parse_login_url,
)

_URL_RE = re.compile(r"tg://login\?token=[A-Za-z0-9_-]+")


@given(st.binary(min_size=1, max_size=300))
@example(b"\xfb")
@example(b"\xfb\xff")
@example(b"\xfb\xff\xbf")
@example(bytes(range(256)))
def test_url_round_trip(token):
    url = login_url(token)
    assert _URL_RE.fullmatch(url)
    # The standard library's base64url, padding stripped, is the reference.
    reference = base64.urlsafe_b64encode(token).decode("ascii")
    assert url == URL_PREFIX + reference.rstrip("=")
    assert parse_login_url(url) == token
    assert parse_login_url(URL_PREFIX + reference) == token
    assert parse_login_url("TG://LOGIN?token=" + reference) == token


_URL_PIECES = st.sampled_from(
    [*"tgTG:/?=&#%-_+ .Aw89x", "login", "LOGIN", "token", "%3D", "%2D", "\u00e9"]
)


@given(
    st.one_of(
        st.text(max_size=40),
        st.lists(_URL_PIECES, max_size=20).map("".join),
        st.lists(_URL_PIECES, max_size=8).map(lambda p: URL_PREFIX + "".join(p)),
        st.binary(min_size=1, max_size=40).map(
            lambda b: URL_PREFIX + base64.urlsafe_b64encode(b).decode()
        ),
    )
)
@example("tg://login?token=-x")
@example("tg://login?token=-w%3D%3D")
def test_parse_url_fuzz(url):
    try:
        token = parse_login_url(url)
    except LoginURLError:
        return
    assert token
    # Accepted means: exactly one token parameter, whose value (unescaped,
    # unpadded) is the canonical base64url of the token.
    value = url.partition("?")[2].partition("=")[2]
    assert unquote(value).rstrip("=") == login_url(token)[len(URL_PREFIX) :]
    assert parse_login_url(login_url(token)) == token


_EVENTS = [
    ("response", login_token()),
    ("response", login_token(EXPIRES + 60, b"other")),
    ("response", login_token(EXPIRES - 100, b"expired")),
    ("response", migrate_to(2)),
    ("response", migrate_to(4)),
    ("response", success()),
    ("response", rpc_error(401, SESSION_PASSWORD_NEEDED)),
    ("response", rpc_error(400, "API_ID_INVALID")),
    ("response", tl.types.rpc_result(req_msg_id=1, result=success())),
    ("response", tl.types.updateConfig()),
    ("response", b"\x00"),
    ("update", UPDATE),
    ("update", tl.types.updateShort(update=UPDATE, date=1)),
    ("update", tl.types.updateConfig()),
    ("update", login_token()),
    ("timeout", None),
    ("start", None),
    ("tick", 7.0),
    ("tick", 31.0),
]


@given(
    st.lists(st.tuples(st.sampled_from(_EVENTS), st.booleans()), max_size=30),
    st.sampled_from([None, 2, 4]),
)
def test_flow_random_walk(events, dc_id):
    clock = Clock()
    flow = new_flow(clock, dc_id=dc_id)
    for (kind, value), as_bytes in events:
        if kind == "tick":
            clock.now += value
            continue
        if as_bytes and value is not None and not isinstance(value, bytes):
            value = bytes(value)
        before = _snapshot(flow)
        try:
            if kind == "start":
                action = flow.start()
            elif kind == "response":
                action = flow.on_response(value)
            elif kind == "update":
                action = flow.on_update(value)
            else:
                action = flow.on_timeout()
        except (LoginFlowError, TLDecodeError, ArgumentTypeError):
            assert _snapshot(flow) == before
            continue
        state = flow.state
        if isinstance(action, Send):
            name = action.request.tl_name
            assert state is (
                QRLoginState.EXPORTING
                if name == "auth.exportLoginToken"
                else QRLoginState.IMPORTING
            )
            assert action.dc_id == flow.dc_id
            assert action.migrate == (action.dc_id != before[1])
        elif isinstance(action, ShowQR):
            assert state is QRLoginState.SHOWING
            assert action.timeout >= 1
            assert action.refresh_at == clock.now + action.timeout
            assert action.url == login_url(action.login_token.token)
            assert flow.login_token == action.login_token
        elif isinstance(action, Wait):
            assert state is before[0]
            assert (action.timeout is not None) == (state is QRLoginState.SHOWING)
            assert action.timeout is None or action.timeout >= 0
        else:
            expected = {
                Done: QRLoginState.DONE,
                Failed: QRLoginState.FAILED,
                PasswordNeeded: QRLoginState.PASSWORD_NEEDED,
            }[type(action)]
            assert state is expected
            assert before[0] in (QRLoginState.EXPORTING, QRLoginState.IMPORTING)
        # A final action exactly when the flow enters a final state, which
        # nothing leaves.
        was_final = before[0].name in FINAL_STATES
        assert action.final == (state.name in FINAL_STATES and not was_final)
        if was_final:
            assert state is before[0]
