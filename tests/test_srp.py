"""
SRP for the 2FA password (mtcore.srp): the srp.json vectors, the
auth.checkPassword body of the QR-login transcript, byte equality with
Telethon's and Pyrogram's compute_check under hypothesis, and the server
side (ServerSession) against mtcore's and Telethon's clients.
"""

from __future__ import annotations

import json
import random
from types import SimpleNamespace
from typing import Any

import pytest
from utils import VECTORS_DIR, import_pyrogram

from mtcore import _dh, srp, tl
from mtcore.exceptions import (
    ArgumentTypeError,
    ArgumentValueError,
    DHGeneratorError,
    DHPrimeError,
    DHRangeError,
    InvalidLength,
    PasswordHashInvalid,
    SRPIdInvalid,
    UnsupportedPasswordAlgorithm,
)

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

H = bytes.fromhex
P = _dh.TELEGRAM_DH_PRIME
KDF = tl.types.passwordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow
# Each example runs PBKDF2-HMAC-SHA512 (100,000 rounds) several times.
SLOW = settings(max_examples=5, deadline=None)


def vectors() -> dict[str, Any]:
    with open(VECTORS_DIR / "srp.json", encoding="utf-8") as f:
        return {v["name"]: v for v in json.load(f)["vectors"]}


def algo_of(v: dict[str, Any]) -> Any:
    return KDF(salt1=H(v["salt1"]), salt2=H(v["salt2"]), g=v["g"], p=H(v["p"]))


def password_info(algo: Any, srp_b: bytes, srp_id: int = 1) -> Any:
    return tl.types.account.password(
        has_password=True,
        current_algo=algo,
        srp_B=srp_b,
        srp_id=srp_id,
        new_algo=algo,
        new_secure_algo=tl.types.securePasswordKdfAlgoUnknown(),
        secure_random=b"",
    )


def sequence(seed: int) -> Any:
    return random.Random(seed).randbytes


# --- vectors ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["srp_toy_p47", "srp_real_prime_password_234567"])
def test_vector_formulas(name: str) -> None:
    # The password hash (x), v, and the core of the proof with the
    # vector's a; p = 47 passes no check, so the toy runs the core only.
    v = vectors()[name]
    x = srp.password_hash(H(v["password_hex"]), algo_of(v))
    assert x == H(v["intermediate"]["x"])
    algo = srp._algo(algo_of(v))
    big_a, m1 = srp._proof(
        algo, int.from_bytes(x, "big"), int(v["srp_B"], 16), int(v["a"], 16)
    )
    assert big_a == H(v["expected_A"]) and m1 == H(v["expected_M1"])


def test_real_vector_through_compute_check() -> None:
    v = vectors()["srp_real_prime_password_234567"]
    algo = algo_of(v)
    assert srp.make_verifier(v["password_utf8"], algo) == H(v["intermediate"]["v"])
    srp_id = v["inputCheckPasswordSRP"]["srp_id"]
    info = password_info(algo, H(v["srp_B"]), srp_id)
    check = srp.compute_check(info, v["password_utf8"], rng=lambda n: H(v["a"]))
    assert bytes(check).hex() == v["inputCheckPasswordSRP"]["serialized"]
    # The same from the TL bytes of account.password, and from bytes.
    again = srp.compute_check(bytes(info), b"234567", rng=lambda n: H(v["a"]))
    assert again == check


def test_check_password_body_of_the_qr_login_transcript() -> None:
    v = vectors()["srp_real_prime_password_234567"]
    with open(VECTORS_DIR / "qr_login.json", encoding="utf-8") as f:
        (flow,) = (
            x
            for x in json.load(f)["vectors"]
            if x["name"] == "qr_login_flow_transcript"
        )
    (step,) = (s for s in flow["steps"] if s["tl"].startswith("auth.checkPassword"))
    info = password_info(
        algo_of(v), H(v["srp_B"]), v["inputCheckPasswordSRP"]["srp_id"]
    )
    check = srp.compute_check(info, "234567", rng=lambda n: H(v["a"]))
    assert bytes(tl.functions.auth.checkPassword(password=check)).hex() == step["body"]


# --- the peers -------------------------------------------------------------------


def telethon_objects(salt1: bytes, salt2: bytes, srp_b: bytes, srp_id: int) -> Any:
    from telethon.tl import types

    algo = types.PasswordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow(
        salt1=salt1, salt2=salt2, g=3, p=P.to_bytes(256, "big")
    )
    return types.account.Password(
        new_algo=algo,
        new_secure_algo=types.SecurePasswordKdfAlgoUnknown(),
        secure_random=b"",
        has_password=True,
        current_algo=algo,
        srp_B=srp_b,
        srp_id=srp_id,
    )


def pyrogram_objects(salt1: bytes, salt2: bytes, srp_b: bytes, srp_id: int) -> Any:
    from pyrogram import raw

    algo = raw.types.PasswordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow(
        salt1=salt1, salt2=salt2, g=3, p=P.to_bytes(256, "big")
    )
    return raw.types.account.Password(
        new_algo=algo,
        new_secure_algo=raw.types.SecurePasswordKdfAlgoUnknown(),
        secure_random=b"",
        has_password=True,
        current_algo=algo,
        srp_B=srp_b,
        srp_id=srp_id,
    )


passwords = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=24)


@SLOW
@given(
    password=passwords,
    salt1=st.binary(min_size=1, max_size=48),
    salt2=st.binary(min_size=1, max_size=24),
    srp_b=st.integers(min_value=2, max_value=P - 2),
    srp_id=st.integers(min_value=-(2**63), max_value=2**63 - 1),
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_equal_to_telethon(
    password: str, salt1: bytes, salt2: bytes, srp_b: int, srp_id: int, seed: int
) -> None:
    import telethon.password as tpw

    obj = telethon_objects(salt1, salt2, srp_b.to_bytes(256, "big"), srp_id)
    real = tpw.os
    tpw.os = SimpleNamespace(urandom=sequence(seed))  # type: ignore[assignment]
    try:
        theirs: Any = bytes(tpw.compute_check(obj, password))
    except ValueError as exc:  # 'bad g_b': t out of range
        theirs = exc
    finally:
        tpw.os = real
    try:
        ours: Any = bytes(srp.compute_check(obj, password, rng=sequence(seed)))
    except DHRangeError as exc:
        ours = exc
    if isinstance(theirs, Exception):
        assert isinstance(ours, DHRangeError), (theirs, ours)
    else:
        assert ours == theirs


@SLOW
@given(
    password=passwords,
    salt1=st.binary(min_size=1, max_size=48),
    seed=st.integers(0, 2**32),
)
def test_equal_to_pyrogram(password: str, salt1: bytes, seed: int) -> None:
    import_pyrogram()
    import pyrogram.utils as putils

    srp_b = random.Random(seed).randrange(2**2040, P - 2**1990).to_bytes(256, "big")
    obj = pyrogram_objects(salt1, b"salt2", srp_b, 77)
    real = putils.os
    putils.os = SimpleNamespace(urandom=sequence(seed))  # type: ignore[assignment]
    try:
        theirs = putils.compute_password_check(obj, password)
    finally:
        putils.os = real
    ours = srp.compute_check(obj, password, rng=sequence(seed))
    assert (ours.srp_id, ours.A, ours.M1) == (theirs.srp_id, theirs.A, theirs.M1)


# --- the server side ---------------------------------------------------------------


def server_algo(seed: int = 0) -> Any:
    rng = random.Random(seed)
    return KDF(
        salt1=rng.randbytes(40), salt2=rng.randbytes(16), g=3, p=P.to_bytes(256, "big")
    )


@SLOW
@given(password=passwords, wrong=passwords, seed=st.integers(0, 2**32))
def test_server_verifies_the_client(password: str, wrong: str, seed: int) -> None:
    algo = server_algo(seed)
    session = srp.ServerSession(
        srp.make_verifier(password, algo), algo, rng=sequence(seed)
    )
    session.verify(srp.compute_check(session.password(), password))
    if wrong != password:
        with pytest.raises(
            PasswordHashInvalid,
            match=r"^the SRP proof does not match the password \(PASSWORD_HASH_INVALID\)$",
        ):  # the fixed text, nothing of the input
            session.verify(srp.compute_check(session.password(), wrong))


def test_server_and_telethon_client() -> None:
    import telethon.password as tpw
    from telethon.extensions import BinaryReader

    algo = server_algo(1)
    session = srp.ServerSession(
        srp.make_verifier("correct horse", algo), algo, hint="horse"
    )
    issued = session.password()
    assert issued.hint == "horse" and issued.has_password
    theirs = BinaryReader(bytes(issued)).tgread_object()  # Telethon reads the answer
    session.verify(bytes(tpw.compute_check(theirs, "correct horse")))
    with pytest.raises(PasswordHashInvalid):
        session.verify(
            tpw.compute_check(
                BinaryReader(bytes(session.password())).tgread_object(), "battery"
            )
        )


def test_server_refuses_reused_and_unknown_ids() -> None:
    algo = server_algo(2)
    session = srp.ServerSession(srp.make_verifier("pw", algo), algo, max_pending=2)
    first, second, third = (session.password() for _ in range(3))
    check = srp.compute_check(second, "pw")
    session.verify(check)
    with pytest.raises(
        SRPIdInvalid,
        match=rf"^srp_id {second.srp_id} was not issued by this session or was already used \(SRP_ID_INVALID\)$",
    ):
        session.verify(check)
    with pytest.raises(SRPIdInvalid):  # pushed out by the two after it
        session.verify(srp.compute_check(first, "pw"))
    # A wrong password uses its srp_id up too.
    with pytest.raises(PasswordHashInvalid):
        session.verify(srp.compute_check(third, "nope"))
    with pytest.raises(SRPIdInvalid):
        session.verify(srp.compute_check(third, "pw"))


def test_server_refuses_bad_checks() -> None:
    algo = server_algo(3)
    session = srp.ServerSession(srp.make_verifier("pw", algo), algo)
    with pytest.raises(PasswordHashInvalid):
        session.verify(tl.types.inputCheckPasswordEmpty())
    issued = session.password()
    for bad_a in (b"\x01", P.to_bytes(256, "big"), (1 << 1983).to_bytes(256, "big")):
        check = tl.types.inputCheckPasswordSRP(
            srp_id=issued.srp_id, A=bad_a, M1=bytes(32)
        )
        with pytest.raises(DHRangeError, match="^A must be"):
            session.verify(bytes(check))
        issued = session.password()
    with pytest.raises(ArgumentTypeError, match="has no 'srp_id'"):
        session.verify(SimpleNamespace(A=b"", M1=b""))


def test_server_session_arguments() -> None:
    algo = server_algo(4)
    with pytest.raises(InvalidLength, match="^verifier must be 256 bytes, got 3$"):
        srp.ServerSession(b"abc", algo)
    with pytest.raises(ArgumentValueError, match="^verifier must be g"):
        srp.ServerSession(bytes(256), algo)
    with pytest.raises(
        ArgumentTypeError, match="^verifier must be a bytes-like object"
    ):
        srp.ServerSession("v", algo)  # type: ignore[arg-type]
    with pytest.raises(ArgumentValueError, match="^max_pending must be >= 1, got 0$"):
        srp.ServerSession(srp.make_verifier("x", algo), algo, max_pending=0)
    bad = KDF(salt1=b"a", salt2=b"b", g=2, p=P.to_bytes(256, "big"))
    with pytest.raises(DHGeneratorError, match="^g = 2 needs p mod 8 to be 7"):
        srp.make_verifier("x", bad)


# --- the client's checks and arguments -------------------------------------------------


def test_unknown_algorithms() -> None:
    from telethon.tl import types

    for algo in (tl.types.passwordKdfAlgoUnknown(), types.PasswordKdfAlgoUnknown()):
        info = SimpleNamespace(current_algo=algo, srp_B=b"\x05", srp_id=1)
        with pytest.raises(
            UnsupportedPasswordAlgorithm,
            match="^the password algorithm (passwordKdfAlgoUnknown|PasswordKdfAlgoUnknown) is not supported",
        ):
            srp.compute_check(info, "pw")


def test_no_password_gives_the_empty_check() -> None:
    info = tl.types.account.password(
        new_algo=server_algo(),
        new_secure_algo=tl.types.securePasswordKdfAlgoUnknown(),
        secure_random=b"",
    )
    assert srp.compute_check(info, "").tl_name == "inputCheckPasswordEmpty"


@pytest.mark.parametrize(
    ("algo_fields", "srp_b", "error", "message"),
    [
        ({}, b"", DHRangeError, "^srp_B must be greater than 0 and less than p$"),
        ({}, P.to_bytes(256, "big"), DHRangeError, "^srp_B must be greater than 0"),
        (
            {"p": (P + 2).to_bytes(256, "big"), "g": 4},
            b"\x05",
            DHPrimeError,
            "^p is not a safe prime",
        ),
        (
            {"p": (P >> 8).to_bytes(255, "big")},
            b"\x05",
            DHPrimeError,
            "^p must be a 2048-bit prime, got a 2040-bit number$",
        ),
        ({"g": 2}, b"\x05", DHGeneratorError, "^g = 2 needs p mod 8 to be 7"),
        ({"g": 9}, b"\x05", DHGeneratorError, r"^g must be in 2\.\.7, got 9$"),
    ],
)
def test_client_checks(
    algo_fields: dict[str, Any], srp_b: bytes, error: type, message: str
) -> None:
    fields = {
        "salt1": b"s1",
        "salt2": b"s2",
        "g": 3,
        "p": P.to_bytes(256, "big"),
        **algo_fields,
    }
    with pytest.raises(error, match=message):
        srp.compute_check(password_info(KDF(**fields), srp_b), "password")


def test_client_checks_t() -> None:
    # srp_B = k*v + 1 makes t = srp_B - k*v = 1, which must be refused.
    algo = server_algo(5)
    v = int.from_bytes(srp.make_verifier("pw", algo), "big")
    k = int.from_bytes(
        srp.sha256(P.to_bytes(256, "big"), (3).to_bytes(256, "big")), "big"
    )
    srp_b = ((k * v + 1) % P).to_bytes(256, "big")
    with pytest.raises(
        DHRangeError, match=r"^srp_B - k\*v mod p must be greater than 1"
    ):
        srp.compute_check(password_info(algo, srp_b), "pw")


def test_client_arguments() -> None:
    info = password_info(server_algo(), b"\x05")
    with pytest.raises(
        ArgumentTypeError, match="^password must be a str or bytes, not 'int'$"
    ):
        srp.compute_check(info, 5)  # type: ignore[arg-type]
    with pytest.raises(
        ArgumentValueError,
        match="^password cannot be encoded as UTF-8: lone surrogate at index 1$",
    ):
        srp.compute_check(info, "a\ud800")
    with pytest.raises(
        ArgumentTypeError,
        match="^password_info must be an account.password .* 'int' has no 'current_algo'$",
    ):
        srp.compute_check(5, "pw")
    with pytest.raises(ArgumentTypeError, match="has no 'srp_B'"):
        srp.compute_check(SimpleNamespace(current_algo=server_algo(), srp_id=1), "pw")
    with pytest.raises(ArgumentTypeError, match="^rng must be callable"):
        srp.compute_check(info, "pw", rng=5)


def test_new_password_algo() -> None:
    base = server_algo(6)
    new = srp.new_password_algo(base, rng=sequence(1))
    assert new.salt1[:40] == base.salt1 and len(new.salt1) == 72
    assert (new.salt2, new.g, new.p) == (base.salt2, base.g, base.p)
    assert srp.make_verifier("pw", new) != srp.make_verifier("pw", base)
    session = srp.ServerSession(srp.make_verifier("pw", new), new)
    session.verify(srp.compute_check(session.password(), "pw"))


def test_pyrogram_and_telethon_objects_as_input() -> None:
    v = vectors()["srp_real_prime_password_234567"]
    a = H(v["a"])
    srp_id = v["inputCheckPasswordSRP"]["srp_id"]
    expected = v["inputCheckPasswordSRP"]["serialized"]
    for make in (telethon_objects, pyrogram_objects):
        obj = make(H(v["salt1"]), H(v["salt2"]), H(v["srp_B"]), srp_id)
        assert (
            bytes(srp.compute_check(obj, "234567", rng=lambda n: a)).hex() == expected
        )
