"""
QR-code login (``mtcore.login``, MTPROTO.md section 7).

* The vectors of ``qr_login.json`` (copied unchanged from the digest; their
  request bodies equal Telethon 1.45.0's ``bytes()`` and their responses
  parse with Telethon's reader): token -> URL cases, exact request bytes,
  response decoding, and the whole transcript walked through
  :class:`QRLoginFlow` as bytes.
* Round trips token -> URL -> token for random tokens, and random strings
  through :func:`parse_login_url` (a result or a ``LoginURLError``, nothing
  else).
* Every bad argument, with its exception type and message.
* :class:`QRLoginFlow` through every branch, fed objects built by mtcore's
  own TL codec (and, in turn, their bytes); bad and unexpected inputs in
  each state leave the flow unchanged; a random walk checks the state and
  action invariants.
* The same flow fed by Telethon's and Pyrogram's own TL objects (as bytes),
  when they are installed.

The module is pure Python over the TL codec, so running the suite with and
without ``MTCORE_PUREPYTHON`` covers both backends.
"""

from __future__ import annotations

import base64
import datetime
import gzip
import json
from typing import Any, Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st
from utils import VECTORS_DIR, import_pyrogram

from mtcore import tl
from mtcore.exceptions import (
    ArgumentTypeError,
    ArgumentValueError,
    InvalidLength,
    LoginFlowError,
    LoginURLError,
    MtcoreError,
    TLDecodeError,
)
from mtcore.login import (
    SESSION_PASSWORD_NEEDED,
    Done,
    Failed,
    LoginToken,
    LoginTokenMigrateTo,
    LoginTokenSuccess,
    PasswordNeeded,
    QRLoginFlow,
    QRLoginState,
    Send,
    ShowQR,
    Wait,
    accept_login_token,
    export_login_token,
    import_login_token,
    login_url,
    parse_login_token,
    parse_login_url,
)

with open(VECTORS_DIR / "qr_login.json", encoding="utf-8") as _f:
    _DOC = json.load(_f)

URL_VECTORS = [v for v in _DOC["vectors"] if v["name"].startswith("qr_url_")]
(_TRANSCRIPT,) = [v for v in _DOC["vectors"] if v["name"] == "qr_login_flow_transcript"]
STEPS = _TRANSCRIPT["steps"]


def _step(tl_prefix: str, index: int = 0) -> dict[str, Any]:
    found = [s for s in STEPS if s["tl"].startswith(tl_prefix)]
    return found[index]


def _body(tl_prefix: str, index: int = 0) -> bytes:
    return bytes.fromhex(_step(tl_prefix, index)["body"])


# The dummy values of the transcript (MTPROTO.md 7; see the vector's source).
API_ID = 12345
API_HASH = "0123456789abcdef0123456789abcdef"
TOKEN = bytes.fromhex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff0001feff") + b"QR-token"
EXPIRES = 1700000030
EXPIRES_DT = datetime.datetime(2023, 11, 14, 22, 13, 50, tzinfo=datetime.timezone.utc)

EXPORT_BODY = _body("auth.exportLoginToken")
LOGIN_TOKEN_BODY = _body("auth.loginToken ")
ACCEPT_BODY = _body("auth.acceptLoginToken")
UPDATE_SHORT_BODY = _body("updateShort")
EXPORT_AGAIN_BODY = _body("auth.exportLoginToken", 1)
SUCCESS_BODY = _body("auth.loginTokenSuccess")
MIGRATE_BODY = _body("auth.loginTokenMigrateTo")
IMPORT_BODY = _body("auth.importLoginToken")
PASSWORD_ERROR_BODY = _body("rpc_result")
GET_PASSWORD_BODY = _body("account.getPassword")


def test_vector_file_is_the_digest_copy():
    # The transcript must be what this module assumes it is.
    assert [s["tl"].split()[0] for s in STEPS] == [
        "auth.exportLoginToken",
        "auth.loginToken",
        "auth.acceptLoginToken",
        "updateShort#78d4dec1",
        "auth.exportLoginToken",
        "auth.loginTokenSuccess(auth.authorization(flags=0,",
        "auth.loginTokenMigrateTo",
        "auth.importLoginToken",
        "rpc_result(req_msg_id)",
        "account.getPassword#548a30f5",
        "auth.checkPassword(inputCheckPasswordSRP(srp_id,",
    ]
    assert len(URL_VECTORS) == 5
    assert all(v["verified"] for v in _DOC["vectors"])


# --- URL vectors ----------------------------------------------------------


@pytest.mark.parametrize("v", URL_VECTORS, ids=[v["name"] for v in URL_VECTORS])
def test_url_vectors(v):
    token = bytes.fromhex(v["token"])
    assert login_url(token) == v["url"]
    assert v["url"] == "tg://login?token=" + v["base64url_nopad"]
    assert parse_login_url(v["url"]) == token
    assert parse_login_url("tg://login?token=" + v["base64url_padded"]) == token
    assert parse_login_url("TG://login?token=" + v["base64url_padded"]) == token


@pytest.mark.parametrize("v", URL_VECTORS, ids=[v["name"] for v in URL_VECTORS])
def test_url_vectors_bytes_like(v):
    token = bytes.fromhex(v["token"])
    assert login_url(bytearray(token)) == v["url"]
    assert login_url(memoryview(token)) == v["url"]


def test_url_of_range_32():
    # The example: bytes(range(32)); the expected text is RFC 4648
    # base64 of 00..1f with '+' '/' mapped and the padding dropped, by hand.
    assert login_url(bytes(range(32))) == (
        "tg://login?token=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"
    )
    assert parse_login_url(login_url(bytes(range(32)))) == bytes(range(32))


def test_transcript_url():
    step = _step("auth.loginToken ")
    assert login_url(TOKEN) == step["url"]
    assert parse_login_token(LOGIN_TOKEN_BODY).url == step["url"]


# --- request vectors ----------------------------------------------------


def test_export_request_bytes():
    req = export_login_token(API_ID, API_HASH)
    assert req.tl_name == "auth.exportLoginToken"
    assert bytes(req) == EXPORT_BODY
    assert bytes(export_login_token(API_ID, API_HASH, [])) == EXPORT_AGAIN_BODY
    assert bytes(export_login_token(API_ID, API_HASH, iter(()))) == EXPORT_BODY


def test_export_request_with_except_ids():
    # Layout by hand (MTPROTO.md 6.3): Vector<long> boxed, longs bare.
    req = export_login_token(API_ID, API_HASH, [777000, -1, 2**63 - 1])
    expected = (
        EXPORT_BODY[:-4]
        + (3).to_bytes(4, "little")
        + (777000).to_bytes(8, "little")
        + b"\xff" * 8
        + (2**63 - 1).to_bytes(8, "little")
    )
    assert bytes(req) == expected
    assert req.except_ids == [777000, -1, 2**63 - 1]


def test_accept_and_import_request_bytes():
    assert bytes(accept_login_token(TOKEN)) == ACCEPT_BODY
    assert bytes(import_login_token(TOKEN)) == IMPORT_BODY
    assert bytes(accept_login_token(bytearray(TOKEN))) == ACCEPT_BODY
    assert bytes(import_login_token(memoryview(TOKEN))) == IMPORT_BODY
    assert accept_login_token(TOKEN).tl_name == "auth.acceptLoginToken"
    assert import_login_token(TOKEN).tl_name == "auth.importLoginToken"


def test_token_from_scanned_url_gives_accept_bytes():
    # App B's side: scan, decode, accept.
    url = _step("auth.loginToken ")["url"]
    assert bytes(accept_login_token(parse_login_url(url))) == ACCEPT_BODY


# --- response vectors ---------------------------------------------------


def test_parse_login_token_vector():
    tok = parse_login_token(LOGIN_TOKEN_BODY)
    assert isinstance(tok, LoginToken)
    assert tok.token == TOKEN
    assert tok.expires == EXPIRES_DT
    assert tok.expires.tzinfo is datetime.timezone.utc
    assert tok.expires_timestamp == EXPIRES
    assert tok.tl_name == "auth.loginToken"
    assert bytes(tok.to_tl()) == LOGIN_TOKEN_BODY


def test_parse_migrate_vector():
    mig = parse_login_token(MIGRATE_BODY)
    assert isinstance(mig, LoginTokenMigrateTo)
    assert (mig.dc_id, mig.token) == (4, TOKEN)
    assert bytes(mig.to_tl()) == MIGRATE_BODY


def test_parse_success_vector():
    ok = parse_login_token(SUCCESS_BODY)
    assert isinstance(ok, LoginTokenSuccess)
    assert ok.authorization.tl_name == "auth.authorization"
    assert ok.authorization.user.tl_name == "userEmpty"
    assert ok.authorization.user.id == 777000
    assert bytes(ok.to_tl()) == SUCCESS_BODY


@pytest.mark.parametrize(
    "convert",
    [bytes, bytearray, memoryview, tl.decode, lambda b: parse_login_token(b)],
    ids=["bytes", "bytearray", "memoryview", "decoded", "parsed"],
)
@pytest.mark.parametrize("body", [LOGIN_TOKEN_BODY, MIGRATE_BODY, SUCCESS_BODY])
def test_parse_login_token_inputs(convert, body):
    result = parse_login_token(convert(body))
    assert bytes(result.to_tl()) == body


def test_parse_login_token_gzip_packed():
    w = tl.Writer()
    w.write_constructor(0x3072CFA1)
    w.write_bytes(gzip.compress(LOGIN_TOKEN_BODY))
    assert parse_login_token(w.getvalue()).token == TOKEN


@pytest.mark.parametrize(
    "data, error, message",
    [
        (None, ArgumentTypeError, "data must be an auth.LoginToken .* not 'NoneType'"),
        (42, ArgumentTypeError, "not 'int'"),
        ("80199f62", ArgumentTypeError, "not 'str'"),
        (tl.types.updateLoginToken(), ArgumentTypeError, "not 'updateLoginToken'"),
        (
            tl.types.auth.authorization(user=tl.types.userEmpty(id=1)),
            ArgumentTypeError,
            "not 'auth.authorization'",
        ),
        (b"", TLDecodeError, "needs 4 bytes, 0 left at offset 0"),
        (LOGIN_TOKEN_BODY[:-4], TLDecodeError, "left at offset"),
        (LOGIN_TOKEN_BODY + b"\0\0\0\0", TLDecodeError, "ends at offset 40"),
        (
            UPDATE_SHORT_BODY,
            TLDecodeError,
            r"updateShort.*not of type auth\.LoginToken",
        ),
        (bytes(4), TLDecodeError, "unknown constructor 0x00000000"),
    ],
)
def test_parse_login_token_errors(data, error, message):
    with pytest.raises(error, match=message):
        parse_login_token(data)


def test_is_expired():
    tok = parse_login_token(LOGIN_TOKEN_BODY)
    assert not tok.is_expired(EXPIRES - 1)
    assert not tok.is_expired(EXPIRES - 0.001)
    assert tok.is_expired(EXPIRES)
    assert tok.is_expired(EXPIRES + 100.5)
    assert not tok.is_expired(EXPIRES_DT - datetime.timedelta(seconds=1))
    assert tok.is_expired(EXPIRES_DT)
    # An aware datetime in another zone is the same instant.
    cet = datetime.timezone(datetime.timedelta(hours=1))
    assert tok.is_expired(EXPIRES_DT.astimezone(cet))
    assert not tok.is_expired(
        (EXPIRES_DT - datetime.timedelta(seconds=1)).astimezone(cet)
    )
    # clock_offset is server minus local: a local clock 10 s behind.
    assert tok.is_expired(EXPIRES - 10, clock_offset=10)
    assert not tok.is_expired(EXPIRES - 10, clock_offset=9.5)
    assert not tok.is_expired(EXPIRES + 5, clock_offset=-6)


def test_is_expired_system_clock():
    far = LoginToken(
        token=b"x", expires=datetime.datetime(9999, 1, 1, tzinfo=datetime.timezone.utc)
    )
    past = LoginToken(token=b"x", expires=EXPIRES_DT)
    assert not far.is_expired()
    assert past.is_expired()
    assert not past.is_expired(clock_offset=-(10**10))


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"now": "now"}, ArgumentTypeError, "now must be a unix time .* not 'str'"),
        ({"now": True}, ArgumentTypeError, "now must be a unix time .* not 'bool'"),
        ({"now": datetime.date(2024, 1, 1)}, ArgumentTypeError, "not 'date'"),
        (
            {"now": datetime.datetime(2024, 1, 1)},
            ArgumentValueError,
            "now must be an aware datetime",
        ),
        (
            {"now": 0, "clock_offset": "1"},
            ArgumentTypeError,
            "clock_offset must be an int or a float, not 'str'",
        ),
        ({"now": 0, "clock_offset": None}, ArgumentTypeError, "not 'NoneType'"),
    ],
)
def test_is_expired_errors(kwargs, error, message):
    tok = parse_login_token(LOGIN_TOKEN_BODY)
    with pytest.raises(error, match=message):
        tok.is_expired(**kwargs)


def test_negative_and_extreme_expires():
    for expires in (0, -1, -(2**31), 2**31 - 1):
        body = bytes(tl.types.auth.loginToken(expires=expires, token=b"t"))
        tok = parse_login_token(body)
        assert tok.expires_timestamp == expires
        assert tok.expires.tzinfo is datetime.timezone.utc
        assert bytes(tok.to_tl()) == body


# --- URL parsing ------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "tg://login?token=-_8",
        "tg://login?token=-_8=",
        "TG://login?token=-_8",
        "Tg://Login?token=-_8",
        "tg://LOGIN?token=-_8",
        "tg://login?token=-_8%3D",
        "tg://login?token=%2D_8",
    ],
)
def test_parse_url_accepts(url):
    assert parse_login_url(url) == b"\xfb\xff"


@pytest.mark.parametrize(
    "url, message",
    [
        ("", "it has no scheme"),
        ("-_8", "it has no scheme"),
        ("https://login?token=-_8", r"the scheme must be 'tg' \(5 characters\)"),
        ("tgx://login?token=-_8", r"the scheme must be 'tg' \(3 characters\)"),
        (" tg://login?token=-_8", r"the scheme must be 'tg' \(3 characters\)"),
        ("tg:login?token=-_8", "'tg:' must be followed by '//login'"),
        ("tg:/login?token=-_8", "'tg:' must be followed by '//login'"),
        ("tg://resolve?token=-_8", r"the host must be 'login' \(7 characters\)"),
        ("tg://?token=-_8", r"the host must be 'login' \(empty\)"),
        ("tg://user@login?token=-_8", r"the host must be 'login' \(10 characters\)"),
        ("tg://login:443?token=-_8", r"the host must be 'login' \(9 characters\)"),
        ("tg://login/?token=-_8", r"it has a path \(1 characters\)"),
        ("tg://login/x?token=-_8", r"it has a path \(2 characters\)"),
        ("tg://login?token=-_8#frag", "it has a fragment"),
        ("tg://login", r"it has no query \('\?token=...'\)"),
        ("tg://login?", "unexpected query parameter: only 'token' is allowed, got a name of empty"),
        ("tg://login?tok=-_8", "only 'token' is allowed, got a name of 3 characters"),
        ("tg://login?TOKEN=-_8", "the parameter is 'token', in lower case"),
        ("tg://login?token-_8", "'token' must be followed by '='"),
        ("tg://login?token=-_8&x=1", "got a name of 1 characters"),
        ("tg://login?x=1&token=-_8", "got a name of 1 characters"),
        ("tg://login?token=-_8&", "got a name of empty"),
        ("tg://login?token=-_8&token=-_8", "appears more than once"),
        ("tg://login?token", "the token is empty"),
        ("tg://login?token=", "the token is empty"),
        ("tg://login?token===", "the token is empty"),
        ("tg://login?token=+_8", r"'\+' or '/' \(standard base64, not base64url\) at index 0"),
        ("tg://login?token=-/8", r"'\+' or '/' \(standard base64, not base64url\) at index 1"),
        ("tg://login?token=-_8.", "a character outside base64url at index 3"),
        ("tg://login?token=-_ 8", "white space at index 2"),
        ("tg://login?token=-=_8", r"'=' before its end \(padding goes last\) at index 1"),
        ("tg://login?token=-_\u00e98", "a non-ASCII character at index 2"),
        ("tg://login?token=%C3%A98", "a non-ASCII character at index 0"),
        ("tg://login?token=-_8\n", "white space at index 3"),
        ("tg://login?token=A", r"a token of 1 base64url characters cannot be decoded"),
        ("tg://login?token=AAAAA", "a token of 5 base64url"),
        ("tg://login?token=-w=", r"1 '=' after 2 base64url characters"),
        ("tg://login?token=-w===", r"3 '=' after 2 base64url characters"),
        ("tg://login?token=-_-_=", r"1 '=' after 4 base64url characters"),
        ("tg://login?token=-x", "non-zero unused bits"),
        ("tg://login?token=-_9", "non-zero unused bits"),
    ],
)
def test_parse_url_rejects(url, message):
    with pytest.raises(LoginURLError, match=message) as info:
        parse_login_url(url)
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, ArgumentValueError)
    assert str(info.value).startswith("not a tg://login?token=... URL: ")


def test_parse_url_error_does_not_repeat_the_token():
    secret = base64.urlsafe_b64encode(b"\x01" * 30).decode().rstrip("=")
    for url in (
        f"https://login?token={secret}",
        f"tg://login?token={secret}!",
        f"tg://login?token={secret}&other=1",
        f"tg://login?token={secret}#x",
        f"tg://login?token={secret}A",
        # on 4f8e4ad these quoted up to 32 characters of the token
        f"tg://login?token{secret}",
        f"tg://login%3Ftoken={secret}",
        f"tg://login/{secret}?token=AA",
        f"tg://{secret}?token=AA",
        f"{secret}://login?token=AA",
        f"tg://login?{secret}=1",
    ):
        with pytest.raises(LoginURLError) as info:
            parse_login_url(url)
        text = str(info.value)
        assert not any(secret[i : i + 6] in text for i in range(len(secret) - 5)), text


@given(
    token=st.binary(min_size=8, max_size=64),
    mangle=st.sampled_from(
        [
            "tg://login?token{}",
            "tg://login%3Ftoken={}",
            "tg://login/{}",
            "tg://{}?token=AA",
            "tg{}://login?token=AA",
            "tg://login?x{}=1",
            "tg://login?token={}&{}",
            "tg://login?token={}#{}",
            "https://login?token={}",
            "tg://login?token={}!",
        ]
    ),
)
def test_no_error_quotes_token_text(token, mangle):
    secret = base64.urlsafe_b64encode(token).decode().rstrip("=")
    try:
        parse_login_url(mangle.format(secret, secret))
    except LoginURLError as exc:
        text = str(exc)
        assert not any(secret[i : i + 6] in text for i in range(len(secret) - 5)), text


@pytest.mark.parametrize("url", [None, b"tg://login?token=-w", 5, ["tg://login"]])
def test_parse_url_type_errors(url):
    with pytest.raises(ArgumentTypeError, match="url must be a str, not"):
        parse_login_url(url)


# --- bad arguments of the request builders --------------------------------

BAD_EXPORT = [
    ({"api_id": True}, ArgumentTypeError, "api_id must be an int, not 'bool'"),
    ({"api_id": "12345"}, ArgumentTypeError, "api_id must be an int, not 'str'"),
    ({"api_id": 12345.0}, ArgumentTypeError, "api_id must be an int, not 'float'"),
    ({"api_id": None}, ArgumentTypeError, "api_id must be an int, not 'NoneType'"),
    ({"api_id": 0}, ArgumentValueError, r"api_id must be in 1\.\.2147483647, got 0"),
    ({"api_id": -5}, ArgumentValueError, r"api_id must be in 1\.\.2147483647, got -5"),
    ({"api_id": 2**31}, ArgumentValueError, "got 2147483648"),
    ({"api_hash": None}, ArgumentTypeError, "api_hash must be a str, not 'NoneType'"),
    ({"api_hash": API_HASH.encode()}, ArgumentTypeError, "not 'bytes'"),
    ({"api_hash": ""}, InvalidLength, "api_hash must be 32 hex characters, got 0"),
    ({"api_hash": API_HASH[:31]}, InvalidLength, "got 31"),
    ({"api_hash": API_HASH + "0"}, InvalidLength, "got 33"),
    (
        {"api_hash": API_HASH[:5] + "g" + API_HASH[6:]},
        ArgumentValueError,
        "'g' at index 5 is not a hex digit",
    ),
    ({"api_hash": " " + API_HASH[1:]}, ArgumentValueError, "' ' at index 0"),
    # Unicode digits are digits to str.isdigit(), not hex digits.
    ({"api_hash": "\u0661" + API_HASH[1:]}, ArgumentValueError, "at index 0"),
    (
        {"except_ids": None},
        ArgumentTypeError,
        "except_ids must be an iterable of ints, not 'NoneType'",
    ),
    ({"except_ids": 5}, ArgumentTypeError, "iterable of ints, not 'int'"),
    ({"except_ids": b"\x01\x02"}, ArgumentTypeError, "iterable of ints, not 'bytes'"),
    ({"except_ids": bytearray(2)}, ArgumentTypeError, "not 'bytearray'"),
    ({"except_ids": "12"}, ArgumentTypeError, "not 'str'"),
    (
        {"except_ids": [1, "2"]},
        ArgumentTypeError,
        r"except_ids\[1\] must be an int, not 'str'",
    ),
    (
        {"except_ids": [True]},
        ArgumentTypeError,
        r"except_ids\[0\] must be an int, not 'bool'",
    ),
    (
        {"except_ids": [1.0]},
        ArgumentTypeError,
        r"except_ids\[0\] must be an int, not 'float'",
    ),
    (
        {"except_ids": (2**63,)},
        ArgumentValueError,
        r"except_ids\[0\] must be in -9223372036854775808\.\.9223372036854775807, got 9223372036854775808",
    ),
    (
        {"except_ids": [0, -(2**63) - 1]},
        ArgumentValueError,
        r"except_ids\[1\] must be in",
    ),
]


@pytest.mark.parametrize("kwargs, error, message", BAD_EXPORT)
def test_export_bad_arguments(kwargs, error, message):
    args = {"api_id": API_ID, "api_hash": API_HASH, "except_ids": (), **kwargs}
    with pytest.raises(error, match=message) as info:
        export_login_token(**args)
    assert isinstance(info.value, MtcoreError)
    # The flow checks its arguments the same way, when it is created.
    with pytest.raises(error, match=message):
        QRLoginFlow(**args)


def test_export_accepts_int_subclasses_and_iterables():
    import enum

    class App(enum.IntEnum):
        ID = API_ID

    req = export_login_token(App.ID, API_HASH.upper(), (i for i in [1, 2]))
    assert type(req.api_id) is int
    assert req.except_ids == [1, 2]


BAD_TOKEN = [
    pytest.param(
        None,
        ArgumentTypeError,
        "token must be a bytes-like object, not 'NoneType'",
        id="None",
    ),
    pytest.param(
        "QR-token",
        ArgumentTypeError,
        "token must be a bytes-like object, not 'str'",
        id="str",
    ),
    pytest.param(5, ArgumentTypeError, "not 'int'", id="int"),
    pytest.param([1, 2], ArgumentTypeError, "not 'list'", id="list"),
    pytest.param(b"", InvalidLength, "token must not be empty, got 0 bytes", id="b''"),
    pytest.param(
        bytearray(), InvalidLength, "token must not be empty", id="bytearray()"
    ),
    pytest.param(
        memoryview(b""), InvalidLength, "token must not be empty", id="memoryview"
    ),
    pytest.param(
        bytes(1 << 24),
        InvalidLength,
        "token must be shorter than 16777216 bytes",
        id="16MiB",
    ),
]


@pytest.mark.parametrize(
    "build",
    [accept_login_token, import_login_token, login_url],
    ids=["accept", "import", "login_url"],
)
@pytest.mark.parametrize("token, error, message", BAD_TOKEN)
def test_token_bad_arguments(build, token, error, message):
    with pytest.raises(error, match=message):
        build(token)


def test_token_any_buffer():
    import array

    data = array.array("B", TOKEN)
    assert bytes(accept_login_token(data)) == ACCEPT_BODY
    strided = memoryview(bytes(x for b in TOKEN for x in (b, 0)))[::2]
    assert bytes(import_login_token(strided)) == IMPORT_BODY


# --- QRLoginFlow ------------------------------------------------------------


class Clock:
    """
    A settable clock for the flow.
    """

    def __init__(self, now: float = EXPIRES - 30) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def login_token(expires: int = EXPIRES, token: bytes = TOKEN) -> Any:
    return tl.types.auth.loginToken(expires=expires, token=token)


def migrate_to(dc_id: int = 4, token: bytes = TOKEN) -> Any:
    return tl.types.auth.loginTokenMigrateTo(dc_id=dc_id, token=token)


def success(user_id: int = 777000) -> Any:
    return tl.types.auth.loginTokenSuccess(
        authorization=tl.types.auth.authorization(user=tl.types.userEmpty(id=user_id))
    )


def rpc_error(code: int, message: str) -> Any:
    return tl.types.rpc_error(error_code=code, error_message=message)


UPDATE = tl.types.updateLoginToken()


# Each answer and update reaches the flow as the object itself and as its
# TL bytes (a client that does not use mtcore's decoder).
@pytest.fixture(params=["object", "bytes"])
def feed(request: pytest.FixtureRequest) -> Callable[[Any], Any]:
    if request.param == "object":
        return lambda obj: obj
    return lambda obj: bytes(obj)


@pytest.fixture
def clock() -> Clock:
    return Clock()


def new_flow(clock: Clock, **kwargs: Any) -> QRLoginFlow:
    return QRLoginFlow(API_ID, API_HASH, clock=clock, **kwargs)


def showing(clock: Clock, feed: Callable[[Any], Any], **kwargs: Any) -> QRLoginFlow:
    flow = new_flow(clock, **kwargs)
    flow.start()
    action = flow.on_response(feed(login_token()))
    assert isinstance(action, ShowQR)
    return flow


def assert_export(action: Any, dc_id: int | None = None) -> None:
    assert isinstance(action, Send)
    assert bytes(action) == EXPORT_BODY
    assert bytes(action.request) == EXPORT_BODY
    assert action.request.tl_name == "auth.exportLoginToken"
    assert action.dc_id == dc_id
    assert action.migrate is False
    assert action.final is False


def test_flow_transcript_success():
    # The digest's transcript, every message as bytes.
    clock = Clock(EXPIRES - 30)
    flow = new_flow(clock)
    assert flow.state is QRLoginState.IDLE
    action = flow.start()
    assert bytes(action) == EXPORT_BODY
    assert flow.state is QRLoginState.EXPORTING
    action = flow.on_response(LOGIN_TOKEN_BODY)
    assert isinstance(action, ShowQR)
    assert action.url == _step("auth.loginToken ")["url"]
    assert action.login_token.expires == EXPIRES_DT
    assert flow.state is QRLoginState.SHOWING
    clock.now += 20  # the date of the updateShort
    action = flow.on_update(UPDATE_SHORT_BODY)
    assert bytes(action) == EXPORT_AGAIN_BODY
    assert flow.state is QRLoginState.EXPORTING
    action = flow.on_response(SUCCESS_BODY)
    assert isinstance(action, Done)
    assert action.final
    assert action.authorization.user.id == 777000
    assert action.dc_id is None
    assert flow.state is QRLoginState.DONE


def test_flow_transcript_migrate():
    flow = new_flow(Clock(), dc_id=2)
    flow.start()
    flow.on_response(LOGIN_TOKEN_BODY)
    flow.on_update(UPDATE_SHORT_BODY)
    action = flow.on_response(MIGRATE_BODY)
    assert isinstance(action, Send)
    assert bytes(action) == IMPORT_BODY
    assert (action.dc_id, action.migrate) == (4, True)
    assert flow.state is QRLoginState.IMPORTING
    assert flow.dc_id == 4
    action = flow.on_response(SUCCESS_BODY)
    assert isinstance(action, Done)
    assert action.dc_id == 4


@pytest.mark.parametrize("after", ["export", "import"])
def test_flow_transcript_password(after):
    flow = new_flow(Clock())
    flow.start()
    flow.on_response(LOGIN_TOKEN_BODY)
    flow.on_update(UPDATE_SHORT_BODY)
    if after == "import":
        flow.on_response(MIGRATE_BODY)
    action = flow.on_response(PASSWORD_ERROR_BODY)  # rpc_result(rpc_error)
    assert isinstance(action, PasswordNeeded)
    assert action.final
    assert bytes(action.request) == GET_PASSWORD_BODY
    assert action.dc_id == (4 if after == "import" else None)
    assert flow.state is QRLoginState.PASSWORD_NEEDED


def test_flow_show_and_timeouts(clock, feed):
    flow = new_flow(clock)
    assert_export(flow.start())
    action = flow.on_response(feed(login_token()))
    assert isinstance(action, ShowQR)
    assert action.final is False
    assert action.url == login_url(TOKEN)
    assert action.login_token.token == TOKEN
    assert action.timeout == 30
    assert action.refresh_at == EXPIRES
    assert flow.login_token == action.login_token
    # An early timer: wait for the rest.
    clock.now += 10
    assert flow.on_timeout() == Wait(20.0)
    # An unrelated update: the same.
    clock.now += 5
    assert flow.on_update(feed(tl.types.updateConfig())) == Wait(15.0)
    assert flow.state is QRLoginState.SHOWING
    # The refresh time: export again, same request.
    clock.now = EXPIRES
    assert_export(flow.on_timeout())
    assert flow.state is QRLoginState.EXPORTING
    # A timer while the export is pending does nothing.
    clock.now += 100
    assert flow.on_timeout() == Wait(None)
    # The new token is shown with its own deadline.
    action = flow.on_response(feed(login_token(EXPIRES + 130, b"second")))
    assert isinstance(action, ShowQR)
    assert action.login_token.token == b"second"
    assert action.timeout == 30
    assert action.refresh_at == clock.now + 30


def test_flow_refresh_uses_the_server_clock(clock, feed):
    # The local clock is 12.5 s behind the server's.
    flow = new_flow(clock, clock_offset=12.5)
    assert flow.clock_offset == 12.5
    flow.start()
    action = flow.on_response(feed(login_token()))
    assert action.timeout == 30 - 12.5
    assert action.refresh_at == clock.now + 17.5
    # Updated offset: used for the next token.
    flow.clock_offset = -10
    clock.now = action.refresh_at
    flow.on_timeout()
    action = flow.on_response(feed(login_token(EXPIRES + 30)))
    assert action.timeout == pytest.approx(EXPIRES + 30 - (clock.now - 10))


@pytest.mark.parametrize("expires", [EXPIRES - 29, EXPIRES - 30, 0, -(2**31)])
def test_flow_refresh_at_least_one_second(feed, expires):
    # tdlib: now + max(expires - server_time, 1), so an expired token (or
    # a skewed clock) cannot make the client loop without pause.
    clock = Clock(EXPIRES - 30)
    flow = new_flow(clock)
    flow.start()
    action = flow.on_response(feed(login_token(expires)))
    assert action.timeout == 1.0
    assert action.refresh_at == clock.now + 1


@pytest.mark.parametrize(
    "update",
    [
        UPDATE,
        tl.types.updateShort(update=UPDATE, date=EXPIRES - 10),
        tl.types.updates(
            updates=[tl.types.updateConfig(), UPDATE], users=[], chats=[], date=1, seq=0
        ),
        tl.types.updatesCombined(
            updates=[UPDATE], users=[], chats=[], date=1, seq_start=0, seq=0
        ),
    ],
    ids=["bare", "updateShort", "updates", "updatesCombined"],
)
def test_flow_update_login_token_exports_again(clock, feed, update):
    flow = showing(clock, feed)
    assert_export(flow.on_update(feed(update)))
    assert flow.state is QRLoginState.EXPORTING
    # The answer: a new token, or success.
    assert isinstance(flow.on_response(feed(success())), Done)


@pytest.mark.parametrize(
    "update",
    [
        tl.types.updateConfig(),
        tl.types.updateShort(update=tl.types.updateConfig(), date=1),
        tl.types.updates(updates=[], users=[], chats=[], date=1, seq=0),
        tl.types.updatesTooLong(),
    ],
    ids=["other", "updateShort-other", "updates-empty", "updatesTooLong"],
)
def test_flow_unrelated_updates(clock, feed, update):
    flow = showing(clock, feed)
    assert flow.on_update(feed(update)) == Wait(30.0)
    assert flow.state is QRLoginState.SHOWING


def test_flow_update_while_exporting_exports_again(clock, feed):
    # The token was scanned just as the timer renewed it: the answer to
    # that export may be a token issued before the scan, so the flow asks
    # once more instead of showing it.
    flow = showing(clock, feed)
    clock.now = EXPIRES
    assert_export(flow.on_timeout())
    assert flow.on_update(feed(UPDATE)) == Wait(None)
    assert flow.state is QRLoginState.EXPORTING
    assert_export(flow.on_response(feed(login_token(EXPIRES + 30, b"stale"))))
    assert flow.login_token.token == TOKEN  # "stale" was never shown
    # The flag is spent: the next token is shown.
    action = flow.on_response(feed(login_token(EXPIRES + 30, b"next")))
    assert isinstance(action, ShowQR)
    assert action.login_token.token == b"next"


def test_flow_update_before_the_first_token_is_ignored(clock, feed):
    flow = new_flow(clock)
    assert flow.on_update(feed(UPDATE)) == Wait(None)  # IDLE
    flow.start()
    assert flow.on_update(feed(UPDATE)) == Wait(None)  # nothing shown yet
    assert isinstance(flow.on_response(feed(login_token())), ShowQR)


def test_flow_update_while_exporting_then_success(clock, feed):
    flow = showing(clock, feed)
    clock.now = EXPIRES
    flow.on_timeout()
    flow.on_update(feed(UPDATE))
    assert isinstance(flow.on_response(feed(success())), Done)
    assert flow.state is QRLoginState.DONE


def test_flow_success(clock, feed):
    flow = showing(clock, feed, dc_id=2)
    assert_export(flow.on_update(feed(UPDATE)), dc_id=2)
    action = flow.on_response(feed(success(42)))
    assert isinstance(action, Done)
    assert action.authorization == success(42).authorization
    assert action.dc_id == 2
    assert flow.state is QRLoginState.DONE


def test_flow_success_on_first_export(clock, feed):
    # A session that is already authorized gets success at once.
    flow = new_flow(clock)
    flow.start()
    assert isinstance(flow.on_response(feed(success())), Done)


@pytest.mark.parametrize(
    "start_dc, migrate_dc, migrate",
    [(None, 4, True), (2, 4, True), (4, 4, False)],
)
def test_flow_migrate_and_import(clock, feed, start_dc, migrate_dc, migrate):
    flow = showing(clock, feed, dc_id=start_dc)
    flow.on_update(feed(UPDATE))
    action = flow.on_response(feed(migrate_to(migrate_dc, b"import-me")))
    assert isinstance(action, Send)
    assert action.request.tl_name == "auth.importLoginToken"
    assert action.request.token == b"import-me"
    assert bytes(action) == bytes(import_login_token(b"import-me"))
    assert (action.dc_id, action.migrate) == (migrate_dc, migrate)
    assert flow.state is QRLoginState.IMPORTING
    assert flow.dc_id == migrate_dc
    # While importing, updates and timers are not the flow's business.
    assert flow.on_update(feed(UPDATE)) == Wait(None)
    assert flow.on_timeout() == Wait(None)
    assert flow.state is QRLoginState.IMPORTING
    action = flow.on_response(feed(success()))
    assert isinstance(action, Done)
    assert action.dc_id == migrate_dc


def test_flow_import_answered_with_a_token(clock, feed):
    # importLoginToken returns an auth.LoginToken too; a new token is shown
    # and renewed on the new DC.
    flow = showing(clock, feed)
    flow.on_update(feed(UPDATE))
    flow.on_response(feed(migrate_to(5)))
    action = flow.on_response(feed(login_token(EXPIRES + 10, b"on-dc5")))
    assert isinstance(action, ShowQR)
    clock.now = action.refresh_at
    assert_export(flow.on_timeout(), dc_id=5)


@pytest.mark.parametrize("via", ["call", "rpc_error", "rpc_result"])
@pytest.mark.parametrize("after", ["first export", "export", "import"])
def test_flow_password_needed(clock, feed, via, after):
    flow = new_flow(clock)
    flow.start()
    if after != "first export":
        flow.on_response(feed(login_token()))
        flow.on_update(feed(UPDATE))
    if after == "import":
        flow.on_response(feed(migrate_to(3)))
    if via == "call":
        action = flow.on_rpc_error(401, SESSION_PASSWORD_NEEDED)
    elif via == "rpc_error":
        action = flow.on_response(feed(rpc_error(401, "SESSION_PASSWORD_NEEDED")))
    else:
        result = tl.types.rpc_result(
            req_msg_id=1, result=rpc_error(401, "SESSION_PASSWORD_NEEDED")
        )
        action = flow.on_response(feed(result))
    assert isinstance(action, PasswordNeeded)
    assert action.dc_id == (3 if after == "import" else None)
    assert bytes(action.request) == GET_PASSWORD_BODY
    assert flow.state is QRLoginState.PASSWORD_NEEDED


@pytest.mark.parametrize(
    "code, message, after",
    [
        (400, "API_ID_INVALID", "export"),
        (400, "API_ID_PUBLISHED_FLOOD", "export"),
        (420, "FLOOD_WAIT_30", "export"),
        (401, "AUTH_KEY_UNREGISTERED", "export"),
        (400, "AUTH_TOKEN_EXPIRED", "import"),
        (400, "AUTH_TOKEN_INVALID", "import"),
        (500, "INTERNAL", "import"),
        (-503, "Timeout", "export"),
    ],
)
@pytest.mark.parametrize("via", ["call", "rpc_error"])
def test_flow_failed(clock, feed, code, message, after, via):
    flow = showing(clock, feed)
    flow.on_update(feed(UPDATE))
    if after == "import":
        flow.on_response(feed(migrate_to()))
    if via == "call":
        action = flow.on_rpc_error(code, message)
    else:
        action = flow.on_response(feed(rpc_error(code, message)))
    assert action == Failed(
        error_code=code, error_message=message, request=f"auth.{after}LoginToken"
    )
    assert action.final
    assert flow.state is QRLoginState.FAILED


def test_flow_failed_on_first_export(clock):
    flow = new_flow(clock)
    flow.start()
    action = flow.on_rpc_error(400, "API_ID_INVALID")
    assert action == Failed(400, "API_ID_INVALID", "auth.exportLoginToken")


def test_flow_password_message_decides(clock):
    # The message names the error; the code Telegram uses is 401.
    flow = new_flow(clock)
    flow.start()
    assert isinstance(flow.on_rpc_error(400, SESSION_PASSWORD_NEEDED), PasswordNeeded)
    flow = new_flow(clock)
    flow.start()
    assert isinstance(flow.on_rpc_error(401, "session_password_needed"), Failed)


# Bad or unexpected inputs, state by state: each raises and changes nothing.


def _snapshot(flow: QRLoginFlow) -> tuple[Any, ...]:
    return (flow.state, flow.dc_id, flow.login_token, repr(flow))


def _flow_in(state: str, clock: Clock) -> QRLoginFlow:
    flow = new_flow(clock)
    if state == "IDLE":
        return flow
    flow.start()
    if state == "EXPORTING":
        return flow
    flow.on_response(login_token())
    if state == "SHOWING":
        return flow
    flow.on_update(UPDATE)
    if state == "IMPORTING":
        flow.on_response(migrate_to())
    elif state == "DONE":
        flow.on_response(success())
    elif state == "FAILED":
        flow.on_rpc_error(400, "API_ID_INVALID")
    elif state == "PASSWORD_NEEDED":
        flow.on_rpc_error(401, SESSION_PASSWORD_NEEDED)
    assert flow.state.name == state
    return flow


ALL_STATES = [s.name for s in QRLoginState]
FINAL_STATES = ["PASSWORD_NEEDED", "DONE", "FAILED"]
WAITING_STATES = ["IDLE", "SHOWING", *FINAL_STATES]  # no request pending


@pytest.mark.parametrize("state", WAITING_STATES)
@pytest.mark.parametrize(
    "call",
    [
        lambda f: f.on_response(login_token()),
        lambda f: f.on_response(bytes(success())),
        lambda f: f.on_response(rpc_error(400, "X")),
        lambda f: f.on_rpc_error(401, SESSION_PASSWORD_NEEDED),
    ],
    ids=["token", "success-bytes", "rpc_error", "on_rpc_error"],
)
def test_flow_answer_without_request(clock, state, call):
    flow = _flow_in(state, clock)
    before = _snapshot(flow)
    with pytest.raises(LoginFlowError, match=f"no request pending in state {state}"):
        call(flow)
    assert _snapshot(flow) == before


@pytest.mark.parametrize("state", [s for s in ALL_STATES if s != "IDLE"])
def test_flow_start_twice(clock, state):
    flow = _flow_in(state, clock)
    before = _snapshot(flow)
    with pytest.raises(
        LoginFlowError, match=f"start\\(\\) called again in state {state}"
    ):
        flow.start()
    assert _snapshot(flow) == before


@pytest.mark.parametrize("state", FINAL_STATES)
def test_flow_final_states_ignore_updates_and_timers(clock, state):
    flow = _flow_in(state, clock)
    before = _snapshot(flow)
    assert flow.on_update(UPDATE) == Wait(None)
    assert flow.on_update(bytes(tl.types.updateShort(update=UPDATE, date=1))) == Wait(
        None
    )
    clock.now += 1000
    assert flow.on_timeout() == Wait(None)
    assert _snapshot(flow) == before


@pytest.mark.parametrize("state", ["EXPORTING", "IMPORTING"])
@pytest.mark.parametrize(
    "response, error, message",
    [
        (tl.types.updateLoginToken(), LoginFlowError, "got 'updateLoginToken'"),
        (
            tl.types.auth.authorization(user=tl.types.userEmpty(id=1)),
            LoginFlowError,
            "expected an auth.LoginToken or an rpc_error in answer to auth.(ex|im)portLoginToken, got 'auth.authorization'",
        ),
        (bytes.fromhex("b5757299"), LoginFlowError, "got 'bool'"),  # boolTrue
        (
            tl.types.rpc_result(req_msg_id=1, result=tl.types.updateConfig()),
            LoginFlowError,
            "got 'updateConfig'",
        ),
        (
            login_token(token=b""),
            LoginFlowError,
            "sent auth.loginToken with an empty token",
        ),
        (
            migrate_to(token=b""),
            LoginFlowError,
            "sent auth.loginTokenMigrateTo with an empty token",
        ),
        (b"", TLDecodeError, "needs 4 bytes"),
        (b"\x01\x02\x03\x04", TLDecodeError, "unknown constructor 0x04030201"),
        (LOGIN_TOKEN_BODY[:-1], TLDecodeError, "offset"),
        (LOGIN_TOKEN_BODY + b"\0" * 4, TLDecodeError, "ends at offset"),
        (
            None,
            ArgumentTypeError,
            "response must be a TL object or its TL bytes, not 'NoneType'",
        ),
        (5, ArgumentTypeError, "not 'int'"),
        ("80199f62", ArgumentTypeError, "not 'str'"),
        ({"_": "auth.loginToken"}, ArgumentTypeError, "not 'dict'"),
    ],
)
def test_flow_bad_answers(clock, state, response, error, message):
    flow = _flow_in(state, clock)
    before = _snapshot(flow)
    with pytest.raises(error, match=message):
        flow.on_response(response)
    assert _snapshot(flow) == before
    # ... and the flow goes on.
    assert isinstance(flow.on_response(success()), Done)


@pytest.mark.parametrize("state", ["EXPORTING", "IMPORTING"])
@pytest.mark.parametrize(
    "code, message, text",
    [
        ("401", SESSION_PASSWORD_NEEDED, "error_code must be an int, not 'str'"),
        (True, SESSION_PASSWORD_NEEDED, "error_code must be an int, not 'bool'"),
        (None, "X", "error_code must be an int, not 'NoneType'"),
        (401, b"SESSION_PASSWORD_NEEDED", "error_message must be a str, not 'bytes'"),
        (401, None, "error_message must be a str, not 'NoneType'"),
    ],
)
def test_flow_bad_rpc_error_arguments(clock, state, code, message, text):
    flow = _flow_in(state, clock)
    before = _snapshot(flow)
    with pytest.raises(ArgumentTypeError, match=text):
        flow.on_rpc_error(code, message)
    assert _snapshot(flow) == before


@pytest.mark.parametrize("state", ALL_STATES)
@pytest.mark.parametrize(
    "update, message",
    [
        (login_token(), "not 'auth.loginToken'"),
        (tl.types.rpc_error(error_code=1, error_message="x"), "not 'rpc_error'"),
        (bytes(success()), "not 'auth.loginTokenSuccess'"),
        (bytes.fromhex("b5757299"), "not 'bool'"),
        (None, "update must be a TL object or its TL bytes, not 'NoneType'"),
        ("updateLoginToken", "not 'str'"),
        (0x564FE691, "not 'int'"),
    ],
)
def test_flow_bad_updates(clock, state, update, message):
    flow = _flow_in(state, clock)
    before = _snapshot(flow)
    with pytest.raises(ArgumentTypeError, match=message):
        flow.on_update(update)
    assert _snapshot(flow) == before


@pytest.mark.parametrize("state", ALL_STATES)
def test_flow_undecodable_update(clock, state):
    flow = _flow_in(state, clock)
    before = _snapshot(flow)
    with pytest.raises(TLDecodeError):
        flow.on_update(UPDATE_SHORT_BODY[:-2])
    assert _snapshot(flow) == before


def test_flow_idle_timer(clock):
    flow = new_flow(clock)
    assert flow.on_timeout() == Wait(None)
    assert flow.state is QRLoginState.IDLE


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"dc_id": True}, ArgumentTypeError, "dc_id must be an int, not 'bool'"),
        ({"dc_id": "2"}, ArgumentTypeError, "dc_id must be an int, not 'str'"),
        ({"dc_id": 0}, ArgumentValueError, r"dc_id must be in 1\.\.2147483647, got 0"),
        ({"clock": 5}, ArgumentTypeError, "clock must be callable, not 'int'"),
        (
            {"clock_offset": "1"},
            ArgumentTypeError,
            "clock_offset must be an int or a float, not 'str'",
        ),
        (
            {"clock_offset": None},
            ArgumentTypeError,
            "clock_offset must be an int or a float",
        ),
    ],
)
def test_flow_constructor_errors(kwargs, error, message):
    with pytest.raises(error, match=message):
        QRLoginFlow(API_ID, API_HASH, **kwargs)


def test_flow_clock_offset_setter(clock):
    flow = new_flow(clock)
    flow.clock_offset = 3
    assert flow.clock_offset == 3.0
    with pytest.raises(
        ArgumentTypeError, match="clock_offset must be an int or a float, not 'bool'"
    ):
        flow.clock_offset = True
    assert flow.clock_offset == 3.0


def test_flow_system_clock(monkeypatch):
    # Without a clock argument the flow reads time.time() (looked up when
    # the flow is made), here a stand-in with a known reading.
    import time

    monkeypatch.setattr(time, "time", lambda: 1_700_000_000.25)
    flow = QRLoginFlow(API_ID, API_HASH)
    flow.start()
    action = flow.on_response(login_token(1_700_000_060))
    assert action.timeout == 59.75
    assert action.refresh_at == 1_700_000_060.0


def test_flow_except_ids_in_every_export(clock):
    flow = new_flow(clock, except_ids=[777000])
    first = flow.start()
    flow.on_response(login_token())
    again = flow.on_update(UPDATE)
    assert (
        bytes(first)
        == bytes(again)
        == bytes(export_login_token(API_ID, API_HASH, [777000]))
    )
    assert first.request is not again.request  # fresh objects


def test_flow_accepts_parsed_answers(clock):
    flow = new_flow(clock)
    flow.start()
    action = flow.on_response(parse_login_token(LOGIN_TOKEN_BODY))
    assert isinstance(action, ShowQR)
    flow.on_update(UPDATE)
    action = flow.on_response(parse_login_token(MIGRATE_BODY))
    assert bytes(action) == IMPORT_BODY


# --- other clients' TL objects --------------------------------------------


def test_flow_driven_with_telethon_objects():
    telethon = pytest.importorskip("telethon")
    from telethon.tl import functions as tf
    from telethon.tl import types as tt

    assert telethon.__version__
    clock = Clock()
    flow = new_flow(clock)
    action = flow.start()
    # The client sends its own request object, built from the action's fields.
    fields = action.request.to_dict()
    request = tf.auth.ExportLoginTokenRequest(
        api_id=fields["api_id"],
        api_hash=fields["api_hash"],
        except_ids=fields["except_ids"],
    )
    assert bytes(request) == bytes(action)
    answer = tt.auth.LoginToken(expires=EXPIRES_DT, token=TOKEN)
    action = flow.on_response(bytes(answer))
    assert action.url == _step("auth.loginToken ")["url"]
    update = tt.UpdateShort(update=tt.UpdateLoginToken(), date=EXPIRES_DT)
    assert bytes(flow.on_update(bytes(update))) == EXPORT_AGAIN_BODY
    action = flow.on_response(bytes(tt.auth.LoginTokenMigrateTo(dc_id=4, token=TOKEN)))
    assert bytes(action) == bytes(tf.auth.ImportLoginTokenRequest(token=TOKEN))
    # Telethon raises SessionPasswordNeededError, whose .message is the
    # generic "UNAUTHORIZED": the client names the error from the class.
    from telethon.errors import SessionPasswordNeededError

    exc = SessionPasswordNeededError(request=None)
    assert exc.code == 401
    action = flow.on_rpc_error(exc.code, SESSION_PASSWORD_NEEDED)
    assert isinstance(action, PasswordNeeded)
    assert bytes(action.request) == bytes(tf.account.GetPasswordRequest())


def test_flow_driven_with_pyrogram_objects():
    import_pyrogram()
    from pyrogram import raw
    from pyrogram.errors import SessionPasswordNeeded

    clock = Clock()
    flow = new_flow(clock)
    action = flow.start()
    request = raw.functions.auth.ExportLoginToken(
        api_id=API_ID, api_hash=API_HASH, except_ids=[]
    )
    assert request.write() == bytes(action)
    action = flow.on_response(
        raw.types.auth.LoginToken(expires=EXPIRES, token=TOKEN).write()
    )
    assert isinstance(action, ShowQR)
    update = raw.types.UpdateShort(update=raw.types.UpdateLoginToken(), date=1)
    assert isinstance(flow.on_update(update.write()), Send)
    action = flow.on_rpc_error(SessionPasswordNeeded.CODE, SessionPasswordNeeded.ID)
    assert isinstance(action, PasswordNeeded)


def test_reprs_leave_the_token_out():
    # A login token is a credential: logging an answer or an action must
    # not leak it (nor the URL that carries it).
    token = bytes(range(32))
    lt = LoginToken(token=token, expires=datetime.datetime.now(datetime.timezone.utc))
    migrate = LoginTokenMigrateTo(dc_id=4, token=token)
    show = ShowQR(login_token=lt, url=lt.url, timeout=1.0, refresh_at=2.0)
    for obj in (lt, migrate, show):
        text = repr(obj)
        assert repr(token)[2:-1] not in text and token.hex() not in text
        assert lt.url.split("=", 1)[1] not in text
    assert "dc_id=4" in repr(migrate)


# --- other libraries' objects (issue 12) --------------------------------------


def test_parse_login_token_from_telethon_and_pyrogram_objects():
    pytest.importorskip("telethon")
    import_pyrogram()
    from pyrogram.raw.types.auth import LoginToken as PyrogramLoginToken
    from telethon.tl.types.auth import LoginToken as TelethonLoginToken

    expires = datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    expected = LoginToken(token=b"\x01\x02tok", expires=expires)
    telethon_obj = TelethonLoginToken(expires=expires, token=b"\x01\x02tok")
    pyrogram_obj = PyrogramLoginToken(expires=int(expires.timestamp()), token=b"\x01\x02tok")
    assert parse_login_token(telethon_obj) == expected
    assert parse_login_token(pyrogram_obj) == expected
    # and the flow takes them as answers
    flow = QRLoginFlow(API_ID, API_HASH, clock=lambda: expires.timestamp() - 30)
    flow.start()
    action = flow.on_response(telethon_obj)
    assert isinstance(action, ShowQR) and action.timeout == 30


def test_parse_login_token_says_what_it_takes():
    with pytest.raises(ArgumentTypeError) as info:
        parse_login_token(object())
    assert str(info.value) == (
        "data must be an auth.LoginToken (TL bytes, a decoded object, or "
        "another library's TL object), not 'object'"
    )
