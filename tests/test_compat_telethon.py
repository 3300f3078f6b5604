"""
mtcore.compat.telethon.AESModeCTR against Telethon's own class (pyaes
underneath): the same keystream across calls cut anywhere; and
``install()``/``uninstall()``, which patch Telethon's modules, run in a
child interpreter so that this one's Telethon stays as shipped for the
other tests.
"""

from __future__ import annotations

import os
import random

import pytest

pytest.importorskip("hypothesis")
pytest.importorskip("cryptography")  # the oracle (no wheel for 3.13t)

from compat_utils import READ_KINDS, as_kind, run_json
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from hypothesis import given
from hypothesis import strategies as st

from mtcore.compat.telethon import AESModeCTR
from mtcore.exceptions import ArgumentTypeError, InvalidLength


@pytest.fixture(scope="module")
def telethon_ctr():
    aesctr = pytest.importorskip("telethon.crypto.aesctr")
    original = aesctr.AESModeCTR
    assert original is not AESModeCTR, "Telethon is patched in this process"
    return original


KEY = st.binary(min_size=32, max_size=32)
IV16 = st.binary(min_size=16, max_size=16)


@given(
    key=KEY,
    iv=IV16,
    chunks=st.lists(
        st.tuples(st.integers(0, 300), st.sampled_from(READ_KINDS), st.booleans()),
        min_size=1,
        max_size=6,
    ),
    seed=st.binary(min_size=4, max_size=4),
)
def test_stream_matches_telethon(telethon_ctr, key, iv, chunks, seed):
    rng = random.Random(seed)
    theirs = telethon_ctr(key, iv)
    mine = AESModeCTR(as_kind(key, "bytearray"), as_kind(iv, "memoryview"))
    for n, kind, decrypt in chunks:
        data = rng.randbytes(n)
        got = (mine.decrypt if decrypt else mine.encrypt)(as_kind(data, kind))
        want = (theirs.decrypt if decrypt else theirs.encrypt)(data)  # bytes only
        assert type(got) is bytes
        assert got == want


def test_large_stream_matches_openssl():
    key, iv = os.urandom(32), os.urandom(16)
    data = os.urandom(512 * 1024 + 5)
    mine = AESModeCTR(key, iv)
    got = (
        mine.encrypt(data[:7])
        + mine.encrypt(data[7:100_003])
        + mine.encrypt(data[100_003:])
    )
    assert got == Cipher(algorithms.AES(key), modes.CTR(iv)).encryptor().update(data)


def test_keywords_as_cdn_decrypter_passes_them(telethon_ctr):
    # CdnDecrypter.prepare_decrypter: AESModeCTR(key=..., iv=...)
    key, iv = os.urandom(32), os.urandom(12) + bytes(4)
    assert AESModeCTR(key=key, iv=iv).encrypt(b"x" * 40) == telethon_ctr(
        key=key, iv=iv
    ).encrypt(b"x" * 40)


def test_empty_data():
    ctr = AESModeCTR(bytes(32), bytes(16))
    assert ctr.encrypt(b"") == b""
    assert ctr.decrypt(bytearray()) == b""


@pytest.mark.parametrize(
    "key, iv, exc, pattern",
    [
        (bytes(16), bytes(16), InvalidLength, "key must be 32 bytes, got 16"),
        (bytes(24), bytes(16), InvalidLength, "key must be 32 bytes, got 24"),
        (bytes(32), bytes(15), InvalidLength, "iv must be 16 bytes, got 15"),
        (bytes(32), bytes(32), InvalidLength, "iv must be 16 bytes, got 32"),
        ("k" * 32, bytes(16), ArgumentTypeError, "key must be a bytes-like object"),
        (bytes(32), None, ArgumentTypeError, "iv must be a bytes-like object"),
    ],
)
def test_bad_constructor_arguments(key, iv, exc, pattern):
    # Telethon's class asserts (AssertionError); these are Type/ValueErrors.
    with pytest.raises(exc, match=pattern):
        AESModeCTR(key, iv)


def test_bad_data():
    ctr = AESModeCTR(bytes(32), bytes(16))
    with pytest.raises(ArgumentTypeError, match="data must be a bytes-like"):
        ctr.encrypt("text")
    # the stream did not move
    assert ctr.encrypt(bytes(16)) == AESModeCTR(bytes(32), bytes(16)).encrypt(bytes(16))


# --- install() --------------------------------------------------------------------

_INSTALL = """
import json, sys
import mtcore.compat.telethon as mct
from mtcore.compat import cryptg as compat_cryptg

out = {}
if sys.argv[1] == "after":
    import telethon  # the client first, then install()
import telethon.crypto.aesctr as aesctr
original = aesctr.AESModeCTR
out["patched"] = list(mct.install())
out["again"] = list(mct.install())

import telethon.crypto as crypto
import telethon.crypto.aes as aes
import telethon.crypto.cdndecrypter as cdn
import telethon.network.connection.tcpobfuscated as obf
import telethon.network.connection.tcpmtproxy as proxy
users = {"crypto": crypto, "aesctr": aesctr, "cdn": cdn, "obf": obf, "proxy": proxy}
out["ours"] = {k: m.AESModeCTR is mct.AESModeCTR for k, m in users.items()}
out["cryptg"] = aes.cryptg is compat_cryptg
ct = aes.AES.encrypt_ige(b"x" * 20, bytes(32), bytes(32))  # pads to 32
out["ige"] = aes.AES.decrypt_ige(ct, bytes(32), bytes(32))[:20].hex()
out["restored"] = sorted(mct.uninstall())
out["back"] = {k: m.AESModeCTR is original for k, m in users.items()}
out["cryptg_back"] = aes.cryptg is not compat_cryptg
print(json.dumps(out))
"""


@pytest.mark.parametrize("when", ["before", "after"])
def test_install_patches_every_user(telethon_ctr, when):
    out = run_json(_INSTALL, when)
    names = {
        "telethon.crypto.AESModeCTR",
        "telethon.crypto.aesctr.AESModeCTR",
        "telethon.crypto.cdndecrypter.AESModeCTR",
        "telethon.network.connection.tcpobfuscated.AESModeCTR",
        "telethon.network.connection.tcpmtproxy.AESModeCTR",
        "telethon.crypto.aes.cryptg",
    }
    assert names <= set(out["patched"])
    assert out["again"] == out["patched"]
    assert all(out["ours"].values()), out["ours"]
    assert out["cryptg"]
    assert out["ige"] == (b"x" * 20).hex()
    assert set(out["restored"]) == set(out["patched"])
    assert all(out["back"].values()) and out["cryptg_back"]
