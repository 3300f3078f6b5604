"""
Bad arguments to the MTProto layer, the hashes and the batched IGE, on
every implementation: the exact exception type and text of
mtcore/_errors.py, the order of the checks (the order of the arguments),
and no buffer export left behind by a failing call.
"""

from __future__ import annotations

from typing import Any, Callable

import pytest
from mtproto_ref import header, ref_encrypt
from test_aes_errors import assert_released, expect, noncontiguous

from mtcore.exceptions import (
    ArgumentTypeError,
    ArgumentValueError,
    InvalidLength,
    MessageKeyMismatch,
    MtcoreError,
    SecurityError,
)

KEY = bytes((7 * i + 3) & 0xFF for i in range(256))
SESSION_ID = 0x0123456789ABCDEF
SERVER_MSG_ID = (1_700_000_000 << 32) | 1
BODY = bytes(range(20))
INNER = header(5, SESSION_ID, SERVER_MSG_ID, 1, len(BODY)) + BODY  # 52 bytes
PACKET = ref_encrypt(KEY, INNER + bytes(12), 8)  # 88 bytes, a server message
I64 = (-(2**63), 2**64 - 1)
I32 = (-(2**31), 2**32 - 1)

P, K = "positional", "keyword"

# Each function's arguments in order: (name, factory of a valid value, kind).
# Factories give fresh bytearrays so a test can check their exports.
SPECS: dict[str, list[tuple[str, Callable[[], Any], str]]] = {
    "AuthKey": [("auth_key", lambda: bytearray(KEY), P)],
    "msg_key": [
        ("auth_key", lambda: bytearray(KEY), P),
        ("plaintext", lambda: bytearray(48), P),
        ("from_client", lambda: True, K),
    ],
    "kdf": [
        ("auth_key", lambda: bytearray(KEY), P),
        ("msg_key", lambda: bytearray(16), P),
        ("from_client", lambda: True, K),
    ],
    "encrypt_message": [
        ("auth_key", lambda: bytearray(KEY), P),
        ("plaintext", lambda: bytearray(36), P),
        ("from_client", lambda: True, K),
        ("padding", lambda: bytearray(12), K),
        ("out", lambda: bytearray(72), K),
    ],
    "encrypt_messages": [
        ("auth_key", lambda: bytearray(KEY), P),
        ("plaintexts", lambda: [bytearray(36), bytearray(5)], P),
        ("from_client", lambda: True, K),
    ],
    "decrypt_message": [
        ("auth_key", lambda: bytearray(KEY), P),
        ("packet", lambda: bytearray(PACKET), P),
        ("from_client", lambda: False, K),
    ],
    "decrypt_message_into": [
        ("auth_key", lambda: bytearray(KEY), P),
        ("packet", lambda: bytearray(PACKET), P),
        ("out", lambda: bytearray(len(PACKET) - 24), P),
        ("from_client", lambda: False, K),
    ],
    "pack_message": [
        ("auth_key", lambda: bytearray(KEY), P),
        ("salt", lambda: 5, K),
        ("session_id", lambda: SESSION_ID, K),
        ("msg_id", lambda: SERVER_MSG_ID, K),
        ("seq_no", lambda: 1, K),
        ("body", lambda: bytearray(BODY), K),
        ("from_client", lambda: False, K),
        ("padding", lambda: bytearray(12), K),
    ],
    "unpack_message": [
        ("auth_key", lambda: bytearray(KEY), P),
        ("packet", lambda: bytearray(PACKET), P),
        ("session_id", lambda: SESSION_ID, K),
        ("from_client", lambda: False, K),
    ],
    "new_nonce_hash": [
        ("auth_key", lambda: bytearray(KEY), P),
        ("new_nonce", lambda: bytearray(32), P),
        ("number", lambda: 1, P),
    ],
    "tmp_aes_key_iv": [
        ("new_nonce", lambda: bytearray(32), P),
        ("server_nonce", lambda: bytearray(16), P),
    ],
}
WITH_AUTH_KEY = [fn for fn, spec in SPECS.items() if spec[0][0] == "auth_key"]
# (function, argument) for every plain buffer argument
BUFFER_ARGS = [
    ("msg_key", "plaintext"),
    ("kdf", "msg_key"),
    ("encrypt_message", "plaintext"),
    ("encrypt_message", "padding"),
    ("encrypt_message", "out"),
    ("decrypt_message", "packet"),
    ("decrypt_message_into", "packet"),
    ("decrypt_message_into", "out"),
    ("pack_message", "body"),
    ("pack_message", "padding"),
    ("unpack_message", "packet"),
    ("new_nonce_hash", "new_nonce"),
    ("tmp_aes_key_iv", "new_nonce"),
    ("tmp_aes_key_iv", "server_nonce"),
]
JUNK = [
    pytest.param("x" * 32, "str", id="str"),
    pytest.param(32, "int", id="int"),
    pytest.param(1.5, "float", id="float"),
    pytest.param([0] * 32, "list", id="list"),
    pytest.param(object(), "object", id="object"),
]


def make_args(fn: str, **overrides: Any) -> dict[str, Any]:
    return {
        name: overrides[name] if name in overrides else factory()
        for name, factory, _ in SPECS[fn]
    }


def invoke(impl: Any, fn: str, args: dict[str, Any]) -> Any:
    pos = [args[n] for n, _, kind in SPECS[fn] if kind == P]
    kw = {n: args[n] for n, _, kind in SPECS[fn] if kind == K}
    return getattr(impl, fn)(*pos, **kw)


def check(impl: Any, fn: str, exc_type: type, message: str, **overrides: Any) -> None:
    args = make_args(fn, **overrides)
    expect(exc_type, message, invoke, impl, fn, args)
    assert_released(*_buffers(args))


def _buffers(args: dict[str, Any]) -> list[Any]:
    out = []
    for v in args.values():
        if isinstance(v, (bytearray, memoryview)):
            out.append(v)
        elif isinstance(v, list):
            out.extend(x for x in v if isinstance(x, (bytearray, memoryview)))
    return out


@pytest.mark.parametrize("fn", list(SPECS))
def test_defaults_are_valid(mt_impl, fn):
    # the baseline every error case below changes one argument of
    args = make_args(fn)
    invoke(mt_impl, fn, args)
    assert_released(*_buffers(args))


# --- auth_key ----------------------------------------------------------------


@pytest.mark.parametrize("fn", WITH_AUTH_KEY)
@pytest.mark.parametrize(
    ("junk", "tname"), [*JUNK, pytest.param(None, "NoneType", id="None")]
)
def test_auth_key_not_a_buffer(mt_impl, fn, junk, tname):
    check(
        mt_impl,
        fn,
        ArgumentTypeError,
        f"auth_key must be a bytes-like object, not {tname!r}",
        auth_key=junk,
    )


@pytest.mark.parametrize("fn", WITH_AUTH_KEY)
@pytest.mark.parametrize("n", [0, 8, 128, 255, 257, 512])
def test_auth_key_length(mt_impl, fn, n):
    check(
        mt_impl,
        fn,
        InvalidLength,
        f"auth_key must be 256 bytes, got {n}",
        auth_key=bytearray(n),
    )


@pytest.mark.parametrize("fn", WITH_AUTH_KEY)
def test_auth_key_not_contiguous(mt_impl, fn):
    check(
        mt_impl,
        fn,
        ArgumentValueError,
        "auth_key must be a C-contiguous buffer",
        auth_key=noncontiguous(256),
    )


# --- plain buffer arguments --------------------------------------------------


def _size(fn: str, arg: str) -> int:
    value = dict((n, f()) for n, f, _ in SPECS[fn])[arg]
    return len(value)


@pytest.mark.parametrize(("fn", "arg"), BUFFER_ARGS)
@pytest.mark.parametrize(("junk", "tname"), JUNK)
def test_not_a_buffer(mt_impl, fn, arg, junk, tname):
    check(
        mt_impl,
        fn,
        ArgumentTypeError,
        f"{arg} must be a bytes-like object, not {tname!r}",
        **{arg: junk},
    )


@pytest.mark.parametrize(
    ("fn", "arg"),
    [a for a in BUFFER_ARGS if a[1] not in ("padding", "out")]
    + [("decrypt_message_into", "out")],
)
def test_none_is_not_a_buffer(mt_impl, fn, arg):
    check(
        mt_impl,
        fn,
        ArgumentTypeError,
        f"{arg} must be a bytes-like object, not 'NoneType'",
        **{arg: None},
    )


@pytest.mark.parametrize(("fn", "arg"), BUFFER_ARGS)
def test_not_contiguous(mt_impl, fn, arg):
    check(
        mt_impl,
        fn,
        ArgumentValueError,
        f"{arg} must be a C-contiguous buffer",
        **{arg: noncontiguous(_size(fn, arg))},
    )


READ_ONLY = [
    pytest.param(lambda n: bytes(n), "bytes", id="bytes"),
    pytest.param(
        lambda n: memoryview(bytearray(n)).toreadonly(),
        "memoryview",
        id="memoryview-toreadonly",
    ),
    pytest.param(
        lambda n: noncontiguous(n, writable=False),
        "memoryview",
        id="memoryview-ro-strided",
    ),
]


@pytest.mark.parametrize("fn", ["encrypt_message", "decrypt_message_into"])
@pytest.mark.parametrize(("make", "tname"), READ_ONLY)
def test_out_read_only(mt_impl, fn, make, tname):
    check(
        mt_impl,
        fn,
        ArgumentValueError,
        f"out must be a writable buffer, got a read-only {tname!r}",
        out=make(_size(fn, "out")),
    )


def test_numpy_buffers(mt_impl):
    np = pytest.importorskip("numpy")
    key = np.frombuffer(KEY, dtype=np.uint8)
    assert mt_impl.AuthKey(key) == mt_impl.AuthKey(KEY)
    fortran = np.zeros((16, 16), dtype=np.uint8, order="F")
    expect(
        ArgumentValueError,
        "auth_key must be a C-contiguous buffer",
        mt_impl.AuthKey,
        fortran,
    )
    # a 2-D C-contiguous array is taken as its 256 bytes
    assert mt_impl.AuthKey(key.reshape(16, 16)) == mt_impl.AuthKey(KEY)
    ro = np.zeros(72, dtype=np.uint8)
    ro.flags.writeable = False
    expect(
        ArgumentValueError,
        "out must be a writable buffer, got a read-only 'ndarray'",
        mt_impl.encrypt_message,
        KEY,
        bytes(36),
        from_client=True,
        out=ro,
    )


# --- fixed lengths -----------------------------------------------------------


@pytest.mark.parametrize(
    ("fn", "arg", "size"),
    [
        ("kdf", "msg_key", 16),
        ("new_nonce_hash", "new_nonce", 32),
        ("tmp_aes_key_iv", "new_nonce", 32),
        ("tmp_aes_key_iv", "server_nonce", 16),
    ],
)
@pytest.mark.parametrize("delta", [-100, -1, 1, 16])
def test_fixed_length(mt_impl, fn, arg, size, delta):
    n = max(size + delta, 0)
    check(
        mt_impl,
        fn,
        InvalidLength,
        f"{arg} must be {size} bytes, got {n}",
        **{arg: bytearray(n)},
    )


# --- integers ----------------------------------------------------------------

INT_ARGS = [
    ("pack_message", "salt", *I64),
    ("pack_message", "session_id", *I64),
    ("pack_message", "msg_id", *I64),
    ("pack_message", "seq_no", *I32),
    ("unpack_message", "session_id", *I64),
    ("new_nonce_hash", "number", 1, 3),
]
NOT_INTS = [
    pytest.param(1.0, "float", id="float"),
    pytest.param("1", "str", id="str"),
    pytest.param(b"\x01", "bytes", id="bytes"),
    pytest.param(None, "NoneType", id="None"),
]


# salt and session_id: an int or the 8 bytes of the wire form
LONG_IDS = {("pack_message", "salt"), ("pack_message", "session_id"), ("unpack_message", "session_id")}


@pytest.mark.parametrize(("fn", "arg", "lo", "hi"), INT_ARGS)
@pytest.mark.parametrize(("junk", "tname"), NOT_INTS)
def test_not_int(mt_impl, fn, arg, lo, hi, junk, tname):
    if (fn, arg) not in LONG_IDS:
        check(mt_impl, fn, ArgumentTypeError, f"{arg} must be an int, not {tname!r}", **{arg: junk})
    elif isinstance(junk, bytes):
        check(mt_impl, fn, InvalidLength, f"{arg} must be 8 bytes, got {len(junk)}", **{arg: junk})
    else:
        check(
            mt_impl,
            fn,
            ArgumentTypeError,
            f"{arg} must be an int or 8 bytes (the wire form), not {tname!r}",
            **{arg: junk},
        )


@pytest.mark.parametrize("arg", ["salt", "session_id"])
@pytest.mark.parametrize("value", [0, 1, -1, 2**63 - 1, -(2**63), 2**64 - 1, 0x0123456789ABCDEF])
def test_long_id_as_wire_bytes(mt_impl, arg, value):
    # the 8 bytes Pyrogram keeps are the int's little-endian wire form
    wire = (value % 2**64).to_bytes(8, "little")
    pad = bytes(range(12))
    as_int = invoke(mt_impl, "pack_message", make_args("pack_message", **{arg: value, "padding": pad}))
    for form in (wire, bytearray(wire), memoryview(wire)):
        got = invoke(mt_impl, "pack_message", make_args("pack_message", **{arg: form, "padding": pad}))
        assert got == as_int
    if arg == "session_id":
        msg = mt_impl.unpack_message(KEY, as_int, session_id=wire, from_client=False)
        assert msg.session_id == value - (2**64 if value >= 2**63 else 0)


@pytest.mark.parametrize("from_client", [True, False])
@pytest.mark.parametrize("msg_id", [4, 8, -4, 0, 5, 7, -3, 1, 2, 6, -2])
def test_pack_msg_id_rule_per_direction(mt_impl, from_client, msg_id):
    # a client's msg_id is divisible by 4, a server's odd, as unpack checks
    ok = msg_id % 4 == 0 if from_client else msg_id % 2 == 1
    args = make_args("pack_message", msg_id=msg_id, from_client=from_client)
    if ok:
        packet = invoke(mt_impl, "pack_message", args)
        msg = mt_impl.unpack_message(
            KEY, packet, session_id=args["session_id"], from_client=from_client
        )
        assert msg.msg_id == msg_id
    else:
        sender, rule = ("client", "divisible by 4") if from_client else ("server", "odd")
        check(
            mt_impl,
            "pack_message",
            ArgumentValueError,
            f"msg_id of a message from the {sender} must be {rule}, got {msg_id}",
            msg_id=msg_id,
            from_client=from_client,
        )


def test_own_packet_wrong_direction_says_why(mt_impl):
    # a packet from the server, unpacked as if the client had sent it
    packet = invoke(mt_impl, "pack_message", make_args("pack_message"))
    with pytest.raises(MessageKeyMismatch) as info:
        mt_impl.unpack_message(KEY, packet, session_id=SESSION_ID, from_client=True)
    assert str(info.value) == (
        "msg_key does not match the decrypted message (the usual causes: "
        "another auth key, or the wrong from_client direction)"
    )


@pytest.mark.parametrize(("fn", "arg", "lo", "hi"), INT_ARGS)
@pytest.mark.parametrize("where", ["below", "above", "far"])
def test_out_of_range(mt_impl, fn, arg, lo, hi, where):
    value = {"below": lo - 1, "above": hi + 1, "far": -(2**200)}[where]
    check(
        mt_impl,
        fn,
        ArgumentValueError,
        f"{arg} must be in {lo}..{hi}, got {value}",
        **{arg: value},
    )


@pytest.mark.parametrize(("arg", "lo", "hi"), [a[1:] for a in INT_ARGS[:4]])
def test_pack_int_limits_accepted(mt_impl, arg, lo, hi):
    # both ends of each range pack, the unsigned form as its signed value
    if arg == "msg_id":  # a server's (the default direction here): odd
        lo += 1
    for value in (lo, hi):
        args = make_args("pack_message", **{arg: value})
        packet = invoke(mt_impl, "pack_message", args)
        assert len(packet) == 24 + 32 + len(BODY) + 12


@pytest.mark.parametrize(("junk", "tname"), NOT_INTS)
def test_encrypted_length_not_int(mt_impl, junk, tname):
    expect(
        ArgumentTypeError,
        f"n must be an int, not {tname!r}",
        mt_impl.encrypted_length,
        junk,
    )


@pytest.mark.parametrize("n", [-1, -(2**40), 2**31, 2**64])
def test_encrypted_length_out_of_range(mt_impl, n):
    expect(
        ArgumentValueError,
        f"n must be in 0..2147483647, got {n}",
        mt_impl.encrypted_length,
        n,
    )


# --- padding, body, out sizes ------------------------------------------------


@pytest.mark.parametrize(
    ("pt_len", "pad_len"),
    [
        (36, 0),
        (36, 11),  # short and misaligned
        (36, 13),  # misaligned
        (36, 27),
        (8, 8),  # aligned but short
        (4, 4),
        (48, 1040),  # aligned but long
        (36, 1036),
        (52, 1100),
    ],
)
def test_encrypt_bad_padding(mt_impl, pt_len, pad_len):
    message = (
        "padding must be 12..1024 bytes and make the total a multiple of 16; "
        f"got {pad_len} for {pt_len} bytes of plaintext"
    )
    check(
        mt_impl,
        "encrypt_message",
        InvalidLength,
        message,
        plaintext=bytearray(pt_len),
        padding=bytearray(pad_len),
        out=bytearray(24 + pt_len + pad_len),
    )


@pytest.mark.parametrize(
    ("body_len", "pad_len"),
    [(20, 0), (20, 11), (20, 16), (16, 1040), (0, 8), (4, 1036)],
)
def test_pack_bad_padding(mt_impl, body_len, pad_len):
    pt_len = 32 + body_len
    message = (
        "padding must be 12..1024 bytes and make the total a multiple of 16; "
        f"got {pad_len} for {pt_len} bytes of plaintext"
    )
    check(
        mt_impl,
        "pack_message",
        InvalidLength,
        message,
        body=bytearray(body_len),
        padding=bytearray(pad_len),
    )


@pytest.mark.parametrize(
    ("pt_len", "pad_len"),
    [(4, 12), (36, 12), (36, 1020), (48, 1024), (0, 16), (16, 16)],
)
def test_padding_limits_accepted(mt_impl, pt_len, pad_len):
    packet = mt_impl.encrypt_message(
        KEY, bytes(pt_len), from_client=True, padding=bytes(pad_len)
    )
    assert len(packet) == 24 + pt_len + pad_len


@pytest.mark.parametrize("n", [1, 2, 3, 5, 22, 1023])
def test_body_not_aligned(mt_impl, n):
    check(
        mt_impl,
        "pack_message",
        InvalidLength,
        f"body length must be a multiple of 4, got {n}",
        body=bytearray(n),
        padding=None,
    )


@pytest.mark.parametrize(
    ("pt_len", "padding", "out_len"),
    [
        (36, None, 71),
        (36, None, 73),
        (36, None, 0),
        (36, 28, 72),
        (0, None, 39),
        (5, None, 48),
    ],
)
def test_encrypt_out_size(mt_impl, pt_len, padding, out_len):
    pad = None if padding is None else bytearray(padding)
    pad_len = padding if padding is not None else 12 + (-(pt_len + 12)) % 16
    expected = 24 + pt_len + pad_len
    check(
        mt_impl,
        "encrypt_message",
        InvalidLength,
        f"out must be {expected} bytes, got {out_len}",
        plaintext=bytearray(pt_len),
        padding=pad,
        out=bytearray(out_len),
    )


@pytest.mark.parametrize("short_by", [1, 16, 64])
def test_decrypt_into_out_too_small(mt_impl, short_by):
    n = len(PACKET) - 24
    check(
        mt_impl,
        "decrypt_message_into",
        InvalidLength,
        f"out must be at least {n} bytes, got {n - short_by}",
        out=bytearray(n - short_by),
    )


# --- sequences ---------------------------------------------------------------

NOT_SEQUENCES = [
    pytest.param(b"abc", "bytes", id="bytes"),
    pytest.param(bytearray(16), "bytearray", id="bytearray"),
    pytest.param("abc", "str", id="str"),
    pytest.param(None, "NoneType", id="None"),
    pytest.param({}, "dict", id="dict"),
    pytest.param(iter([]), "list_iterator", id="iterator"),
    pytest.param(5, "int", id="int"),
]


@pytest.mark.parametrize(("junk", "tname"), NOT_SEQUENCES)
def test_encrypt_messages_not_sequence(mt_impl, junk, tname):
    check(
        mt_impl,
        "encrypt_messages",
        ArgumentTypeError,
        f"plaintexts must be a list or tuple, not {tname!r}",
        plaintexts=junk,
    )


@pytest.mark.parametrize(
    ("junk", "tname"), [*JUNK, pytest.param(None, "NoneType", id="None")]
)
def test_encrypt_messages_bad_element(mt_impl, junk, tname):
    check(
        mt_impl,
        "encrypt_messages",
        ArgumentTypeError,
        f"plaintexts[1] must be a bytes-like object, not {tname!r}",
        plaintexts=[bytearray(4), junk, "not reached"],
    )
    check(
        mt_impl,
        "encrypt_messages",
        ArgumentValueError,
        "plaintexts[2] must be a C-contiguous buffer",
        plaintexts=(b"", bytearray(3), noncontiguous(4), junk),
    )


@pytest.mark.parametrize("fn", ["ige_encrypt_many", "ige_decrypt_many"])
@pytest.mark.parametrize(("junk", "tname"), NOT_SEQUENCES)
def test_ige_many_not_sequence(mt_impl, fn, junk, tname):
    expect(
        ArgumentTypeError,
        f"items must be a list or tuple, not {tname!r}",
        getattr(mt_impl, fn),
        junk,
    )


GOOD_ITEM = (bytes(32), bytes(32), bytes(32))


@pytest.mark.parametrize("fn", ["ige_encrypt_many", "ige_decrypt_many"])
@pytest.mark.parametrize(
    ("item", "tname"),
    [
        pytest.param(b"x" * 96, "bytes", id="bytes"),
        pytest.param(None, "NoneType", id="None"),
        pytest.param({"data": b""}, "dict", id="dict"),
        pytest.param(GOOD_ITEM[:2], "tuple", id="2-tuple"),
        pytest.param([*GOOD_ITEM, bytearray(32), b""], "list", id="5-list"),
        pytest.param((), "tuple", id="empty-tuple"),
        pytest.param(iter(GOOD_ITEM), "tuple_iterator", id="iterator"),
    ],
)
def test_ige_many_bad_item(mt_impl, fn, item, tname):
    expect(
        ArgumentTypeError,
        f"items[1] must be a (data, key, iv) or (data, key, iv, out) tuple, "
        f"not {tname!r}",
        getattr(mt_impl, fn),
        [GOOD_ITEM, item, "not reached"],
    )


@pytest.mark.parametrize("fn", ["ige_encrypt_many", "ige_decrypt_many"])
@pytest.mark.parametrize(
    ("item", "exc_type", "message"),
    [
        pytest.param(
            ("d", b"k", b"i"),
            ArgumentTypeError,
            "items[2].data must be a bytes-like object, not 'str'",
            id="data-type",
        ),
        pytest.param(
            (noncontiguous(32), 1, 2),
            ArgumentValueError,
            "items[2].data must be a C-contiguous buffer",
            id="data-strided",
        ),
        pytest.param(
            (bytes(17), bytes(31), None),
            InvalidLength,
            "items[2].key must be 32 bytes, got 31",
            id="key-length",
        ),
        pytest.param(
            (bytes(16), None, bytes(32)),
            ArgumentTypeError,
            "items[2].key must be a bytes-like object, not 'NoneType'",
            id="key-type",
        ),
        pytest.param(
            (bytes(17), bytes(32), bytes(16)),
            InvalidLength,
            "items[2].iv must be 32 bytes, got 16",
            id="iv-length",
        ),
        pytest.param(
            [bytes(16), bytes(32), noncontiguous(32)],
            ArgumentValueError,
            "items[2].iv must be a C-contiguous buffer",
            id="iv-strided",
        ),
        pytest.param(
            (bytes(17), bytes(32), bytes(32)),
            InvalidLength,
            "items[2].data length must be a multiple of 16, got 17",
            id="data-length",
        ),
    ],
)
def test_ige_many_bad_field(mt_impl, fn, item, exc_type, message):
    items = [GOOD_ITEM, [bytearray(16), bytearray(32), bytearray(32)], item, 5]
    expect(exc_type, message, getattr(mt_impl, fn), items)
    assert_released(*items[1])


OUT_CASES = [
    pytest.param(
        lambda d: "o",
        ArgumentTypeError,
        "items[1].out must be a bytes-like object, not 'str'",
        id="out-type",
    ),
    pytest.param(
        lambda d: None,
        ArgumentTypeError,
        "items[1].out must be a bytes-like object, not 'NoneType'",
        id="out-None",
    ),
    pytest.param(
        lambda d: bytes(48),
        ArgumentValueError,
        "items[1].out must be a writable buffer, got a read-only 'bytes'",
        id="out-read-only",
    ),
    pytest.param(
        lambda d: noncontiguous(48),
        ArgumentValueError,
        "items[1].out must be a C-contiguous buffer",
        id="out-strided",
    ),
    pytest.param(
        lambda d: bytearray(32),
        InvalidLength,
        "out must be 48 bytes (the length of data), got 32",
        id="out-size",
    ),
]


@pytest.mark.parametrize("fn", ["ige_encrypt_many", "ige_decrypt_many"])
@pytest.mark.parametrize(("make_out", "exc_type", "message"), OUT_CASES)
def test_ige_many_bad_out(mt_impl, fn, make_out, exc_type, message):
    base = bytearray(range(80))
    data = memoryview(base)[8:56]  # 48 bytes
    first_out = bytearray(32)
    out = make_out(data)
    items = [
        (bytes(32), bytes(32), bytes(32), first_out),
        (data, bytes(32), bytes(32), out),
    ]
    expect(exc_type, message, getattr(mt_impl, fn), items)
    # nothing was written, not even for the valid first item
    assert first_out == bytes(32)
    assert base == bytearray(range(80))
    if isinstance(out, memoryview):
        out.release()
    assert_released(data, first_out)


# --- hashes ------------------------------------------------------------------


@pytest.mark.parametrize("fn", ["sha1", "sha256"])
@pytest.mark.parametrize(
    ("junk", "tname"), [*JUNK, pytest.param(None, "NoneType", id="None")]
)
def test_sha_part_not_a_buffer(mt_impl, fn, junk, tname):
    first = bytearray(b"abc")
    expect(
        ArgumentTypeError,
        f"parts[1] must be a bytes-like object, not {tname!r}",
        getattr(mt_impl, fn),
        first,
        junk,
        "not reached",
    )
    expect(
        ArgumentTypeError,
        f"parts[0] must be a bytes-like object, not {tname!r}",
        getattr(mt_impl, fn),
        junk,
    )
    assert_released(first)


@pytest.mark.parametrize("fn", ["sha1", "sha256"])
def test_sha_part_not_contiguous(mt_impl, fn):
    first, bad = bytearray(100), noncontiguous(8)
    expect(
        ArgumentValueError,
        "parts[2] must be a C-contiguous buffer",
        getattr(mt_impl, fn),
        first,
        b"",
        bad,
    )
    assert_released(first, bad)


# --- check order -------------------------------------------------------------
# Each case breaks several arguments; the first one in argument order is
# reported (argument errors before any security check).

ORDER = [
    (
        "msg_key",
        dict(auth_key=bytearray(1), plaintext="p"),
        InvalidLength,
        "auth_key must be 256 bytes, got 1",
    ),
    (
        "kdf",
        dict(auth_key="k", msg_key=bytearray(1)),
        ArgumentTypeError,
        "auth_key must be a bytes-like object, not 'str'",
    ),
    (
        "encrypt_message",
        dict(plaintext="p", padding=bytearray(1), out=b""),
        ArgumentTypeError,
        "plaintext must be a bytes-like object, not 'str'",
    ),
    (
        "encrypt_message",
        dict(padding=bytearray(1), out="o"),
        InvalidLength,
        (
            "padding must be 12..1024 bytes and make the total a multiple of 16; "
            "got 1 for 36 bytes of plaintext"
        ),
    ),
    (
        "encrypt_message",
        dict(padding=None, out=b"ro"),
        ArgumentValueError,
        "out must be a writable buffer, got a read-only 'bytes'",
    ),
    (
        "encrypt_messages",
        dict(auth_key=bytearray(3), plaintexts="p"),
        InvalidLength,
        "auth_key must be 256 bytes, got 3",
    ),
    (
        "decrypt_message",
        dict(auth_key=bytearray(3), packet=bytearray(1)),
        InvalidLength,
        "auth_key must be 256 bytes, got 3",
    ),
    (
        "decrypt_message",
        dict(auth_key=bytearray(KEY), packet=5),
        ArgumentTypeError,
        "packet must be a bytes-like object, not 'int'",
    ),
    (
        "decrypt_message_into",
        dict(packet=bytearray(1), out=b""),
        ArgumentValueError,
        "out must be a writable buffer, got a read-only 'bytes'",
    ),
    # the size of out is checked before the packet is looked at
    (
        "decrypt_message_into",
        dict(packet=bytearray(PACKET[:40]), out=bytearray(15)),
        InvalidLength,
        "out must be at least 16 bytes, got 15",
    ),
    (
        "pack_message",
        dict(salt=1.5, session_id="s", body="b", padding="p"),
        ArgumentTypeError,
        "salt must be an int or 8 bytes (the wire form), not 'float'",
    ),
    (
        "pack_message",
        dict(session_id=2**64, msg_id=None, body="b"),
        ArgumentValueError,
        f"session_id must be in {I64[0]}..{I64[1]}, got {2**64}",
    ),
    (
        "pack_message",
        dict(msg_id=None, seq_no=2**32),
        ArgumentTypeError,
        "msg_id must be an int, not 'NoneType'",
    ),
    (
        "pack_message",
        dict(msg_id=4, seq_no=2**32),
        ArgumentValueError,
        "msg_id of a message from the server must be odd, got 4",
    ),
    (
        "pack_message",
        dict(seq_no=2**32, body=bytearray(1)),
        ArgumentValueError,
        f"seq_no must be in {I32[0]}..{I32[1]}, got {2**32}",
    ),
    (
        "pack_message",
        dict(body=bytearray(1), padding=bytearray(1)),
        InvalidLength,
        "body length must be a multiple of 4, got 1",
    ),
    (
        "unpack_message",
        dict(packet="p", session_id="s"),
        ArgumentTypeError,
        "packet must be a bytes-like object, not 'str'",
    ),
    (
        "unpack_message",
        dict(packet=bytearray(1), session_id="s"),
        ArgumentTypeError,
        "session_id must be an int or 8 bytes (the wire form), not 'str'",
    ),
    (
        "new_nonce_hash",
        dict(auth_key=bytearray(1), new_nonce=bytearray(1), number=0),
        InvalidLength,
        "auth_key must be 256 bytes, got 1",
    ),
    (
        "new_nonce_hash",
        dict(new_nonce=bytearray(1), number=0),
        InvalidLength,
        "new_nonce must be 32 bytes, got 1",
    ),
    (
        "tmp_aes_key_iv",
        dict(new_nonce="n", server_nonce=bytearray(1)),
        ArgumentTypeError,
        "new_nonce must be a bytes-like object, not 'str'",
    ),
]


@pytest.mark.parametrize(
    ("fn", "overrides", "exc_type", "message"),
    ORDER,
    ids=[f"{c[0]}-{i}" for i, c in enumerate(ORDER)],
)
def test_check_order(mt_impl, fn, overrides, exc_type, message):
    check(mt_impl, fn, exc_type, message, **overrides)


@pytest.mark.parametrize(
    ("packet", "out_len", "exc_type"),
    [
        # a packet that fails a security check still needs a large enough out
        pytest.param(PACKET[:40], 16, SecurityError, id="short-packet-out-ok"),
        pytest.param(b"\x00" * 88, 64, SecurityError, id="wrong-key-id-out-ok"),
        pytest.param(b"\x00" * 88, 63, InvalidLength, id="wrong-key-id-out-small"),
        pytest.param(b"", 0, SecurityError, id="empty-packet"),
    ],
)
def test_decrypt_into_out_checked_first(mt_impl, packet, out_len, exc_type):
    with pytest.raises(MtcoreError) as info:
        mt_impl.decrypt_message_into(KEY, packet, bytearray(out_len), from_client=False)
    assert isinstance(info.value, exc_type)


# --- MtprotoKernel -----------------------------------------------------------


@pytest.mark.parametrize(
    "aes",
    [
        "python", "portable", "aesni", "vaes", "armaes", "neonvp", "ssse3vp",
        "nope", "", 5, None,
    ],
)
@pytest.mark.parametrize(
    "sha", ["python", "portable", "shani", "armsha", "SHANI", 5, None]
)
def test_unavailable_kernels(backend_module, aes, sha):
    if not hasattr(backend_module, "MtprotoKernel"):
        pytest.skip(f"{backend_module.__name__} has no MtprotoKernel yet")
    aes_ok = aes in backend_module.aes_kernels()
    sha_ok = sha in backend_module.sha_kernels()
    if aes_ok and sha_ok:
        kernel = backend_module.MtprotoKernel(aes, sha)
        assert (kernel.aes, kernel.sha) == (aes, sha)
        return
    kind, name, available = (
        ("AES", aes, backend_module.aes_kernels())
        if not aes_ok
        else ("SHA", sha, backend_module.sha_kernels())
    )
    expect(
        ArgumentValueError,
        f"{kind} kernel {name!r} is not available here; available: {', '.join(available)}",
        backend_module.MtprotoKernel,
        aes,
        sha,
    )


def test_sha_kernels_described(backend_module):
    if not hasattr(backend_module, "sha_kernels"):
        pytest.skip(f"{backend_module.__name__} has no sha_kernels yet")
    kernels = backend_module.sha_kernels()
    assert isinstance(kernels, tuple)
    assert backend_module.sha_kernel in kernels
    if backend_module.__name__ == "mtcore._py":
        assert kernels == ("python",)
    else:
        assert "portable" in kernels
        assert kernels == tuple(
            k for k in ("shani", "armsha", "portable") if k in kernels
        )


# --- no export left behind ---------------------------------------------------

# Failing calls whose every buffer argument is a bytearray (check() asserts
# the release for all cases above too); these add the security failures.
SECURITY_FAILURES = [
    ("decrypt_message", dict(packet=bytearray(PACKET[:-16]))),
    ("decrypt_message", dict(packet=bytearray(b"\x01" + PACKET[1:]))),
    ("decrypt_message", dict(packet=bytearray(PACKET[:30] + b"\x00" + PACKET[31:]))),
    (
        "decrypt_message_into",
        dict(packet=bytearray(PACKET[:30] + b"\x00" + PACKET[31:])),
    ),
    ("decrypt_message_into", dict(packet=bytearray(PACKET[:-1]))),
    ("unpack_message", dict(session_id=SESSION_ID + 1)),
    ("unpack_message", dict(packet=bytearray(PACKET[:30] + b"\x00" + PACKET[31:]))),
    ("unpack_message", dict(from_client=True)),
]


@pytest.mark.parametrize(("fn", "overrides"), SECURITY_FAILURES)
def test_no_export_left_after_security_failure(mt_impl, fn, overrides):
    args = make_args(fn, **overrides)
    with pytest.raises(SecurityError):
        invoke(mt_impl, fn, args)
    assert_released(*_buffers(args))


def test_no_export_left_with_memoryviews(mt_impl):
    key, packet = memoryview(bytearray(KEY)), memoryview(bytearray(PACKET))
    out = memoryview(bytearray(len(PACKET) - 24))
    assert mt_impl.decrypt_message_into(
        key, packet, out, from_client=False
    ) == 32 + len(BODY)
    assert mt_impl.unpack_message(key, packet, session_id=SESSION_ID).body == BODY
    with pytest.raises(SecurityError):
        mt_impl.unpack_message(key, packet, session_id=0)
    assert_released(key, packet, out)
