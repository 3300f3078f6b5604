"""
Differential tests against the libraries Telegram clients use today:
tgcrypto (pyrogram; IGE, CBC and CTR) and cryptg (Telethon; IGE), on
random inputs, over every implementation.  Both are test extras: each
block skips when its peer is not installed.
"""

from __future__ import annotations

import os
import random

import pytest

# sizes in bytes: one block, small messages, around the 4-block and
# 8-block batches of the parallel kernels, past the GIL threshold (4096)
BLOCK_SIZES = [16, 32, 48, 64, 80, 128, 144, 1024, 4096, 4096 + 16, 65536 + 112]
STREAM_SIZES = [1, 15, 16, 17, 63, 64, 65, 127, 129, 1000, 4097, 65536 + 7]
SEEDS = range(3)


def rand(rng: random.Random, n: int) -> bytes:
    return rng.getrandbits(8 * n).to_bytes(n, "little") if n else b""


@pytest.fixture(scope="module")
def tgcrypto():
    return pytest.importorskip("tgcrypto")


@pytest.fixture(scope="module")
def cryptg():
    return pytest.importorskip("cryptg")


# --- tgcrypto -------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("size", BLOCK_SIZES)
def test_ige_vs_tgcrypto(aes_impl, tgcrypto, size, seed):
    rng = random.Random(f"ige-{size}-{seed}")
    data, key, iv = rand(rng, size), rand(rng, 32), rand(rng, 32)
    assert aes_impl.ige_encrypt(data, key, iv) == tgcrypto.ige256_encrypt(data, key, iv)
    assert aes_impl.ige_decrypt(data, key, iv) == tgcrypto.ige256_decrypt(data, key, iv)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("size", BLOCK_SIZES)
def test_cbc_vs_tgcrypto(aes_impl, tgcrypto, size, seed):
    rng = random.Random(f"cbc-{size}-{seed}")
    data, key, iv = rand(rng, size), rand(rng, 32), rand(rng, 16)
    # tgcrypto writes the next IV into the buffer it is given: give it copies
    assert aes_impl.cbc_encrypt(data, key, iv) == tgcrypto.cbc256_encrypt(
        data, key, bytearray(iv)
    )
    assert aes_impl.cbc_decrypt(data, key, iv) == tgcrypto.cbc256_decrypt(
        data, key, bytearray(iv)
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_cbc_chaining_vs_tgcrypto(aes_impl, tgcrypto, seed):
    # tgcrypto carries the IV across calls in its buffer; mtcore's caller
    # passes the last ciphertext block: both give one stream.
    rng = random.Random(f"cbc-chain-{seed}")
    key, iv = rand(rng, 32), rand(rng, 16)
    tg_iv, my_iv = bytearray(iv), iv
    for _ in range(6):
        data = rand(rng, 16 * rng.randint(1, 20))
        ct = aes_impl.cbc_encrypt(data, key, my_iv)
        assert ct == tgcrypto.cbc256_encrypt(data, key, tg_iv)
        my_iv = ct[-16:]
        assert bytes(tg_iv) == my_iv


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("size", STREAM_SIZES)
def test_ctr_vs_tgcrypto(aes_impl, tgcrypto, size, seed):
    rng = random.Random(f"ctr-{size}-{seed}")
    data, key, iv = rand(rng, size), rand(rng, 32), rand(rng, 16)
    expected = tgcrypto.ctr256_encrypt(data, key, bytearray(iv), bytearray(1))
    assert aes_impl.Ctr(key, iv).update(data) == expected


@pytest.mark.parametrize("seed", range(6))
def test_ctr_stream_vs_tgcrypto(aes_impl, tgcrypto, seed):
    # the obfuscated transport's use: one context, many odd-sized chunks,
    # tgcrypto's (iv, state) pair carried across calls
    rng = random.Random(f"ctr-stream-{seed}")
    key, iv = rand(rng, 32), rand(rng, 16)
    if seed == 0:
        iv = b"\xff" * 15 + bytes([0xFE])  # wraps within the stream
    tg_iv, tg_state = bytearray(iv), bytearray(1)
    ctr = aes_impl.Ctr(key, iv)
    for _ in range(40):
        chunk = rand(rng, rng.choice([1, 2, 5, 15, 16, 17, 31, 64, 100, 257]))
        assert ctr.update(chunk) == tgcrypto.ctr256_encrypt(chunk, key, tg_iv, tg_state)


# --- cryptg ---------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("size", BLOCK_SIZES)
def test_ige_vs_cryptg(aes_impl, cryptg, size, seed):
    rng = random.Random(f"cryptg-{size}-{seed}")
    data, key, iv = rand(rng, size), rand(rng, 32), rand(rng, 32)
    assert aes_impl.ige_encrypt(data, key, iv) == cryptg.encrypt_ige(data, key, iv)
    assert aes_impl.ige_decrypt(data, key, iv) == cryptg.decrypt_ige(data, key, iv)


def test_peers_agree_with_each_other(tgcrypto, cryptg):
    # the two oracles are independent; a disagreement would void both
    data, key, iv = os.urandom(4096), os.urandom(32), os.urandom(32)
    assert tgcrypto.ige256_encrypt(data, key, iv) == cryptg.encrypt_ige(data, key, iv)
