"""
SHA-1 and SHA-256 over several buffers, on every implementation (each
compiled SHA kernel through MtprotoKernel, the pure twin, the public
``mtcore.hashes``): the FIPS 180 examples of hashes.json, and hashlib as
the reference for random inputs split into random parts.
"""

from __future__ import annotations

import hashlib
import random
import sys

import pytest
from mtproto_ref import load_json
from utils import GuardedPages

VECTORS = [
    v
    for v in load_json("hashes.json")["vectors"]
    if v["algorithm"] in ("sha1", "sha256")
]


def message(v) -> bytes:
    if "repeat" in v:
        return v["message_ascii_repeated"].encode() * v["repeat"]
    return bytes.fromhex(v["message_hex"])


@pytest.mark.parametrize("v", VECTORS, ids=[v["name"] for v in VECTORS])
def test_fips_examples(mt_impl, v):
    fn = getattr(mt_impl, v["algorithm"])
    msg = message(v)
    digest = bytes.fromhex(v["digest"])
    assert fn(msg) == digest
    # the same message in parts of every kind, including empty ones
    cuts = sorted({0, len(msg) // 3, len(msg) // 2, len(msg)})
    parts = [msg[a:b] for a, b in zip(cuts, cuts[1:])]
    assert fn(b"", *[bytearray(p) for p in parts], memoryview(b"")) == digest
    assert fn(*(memoryview(msg)[i : i + 64] for i in range(0, len(msg), 64))) == digest


@pytest.mark.parametrize("algorithm", ["sha1", "sha256"])
def test_no_parts_is_the_empty_message(mt_impl, algorithm):
    assert getattr(mt_impl, algorithm)() == hashlib.new(algorithm).digest()


@pytest.mark.parametrize("algorithm", ["sha1", "sha256"])
@pytest.mark.parametrize("seed", range(4))
def test_random_splits(mt_impl, algorithm, seed):
    rng = random.Random(f"{algorithm}-{seed}")
    fn = getattr(mt_impl, algorithm)
    # every length around the 64-byte block and the 55/56-byte padding edge
    for n in [*range(0, 130), 1000, 4095, 4096, 4097, 65536 + 3]:
        data = rng.randbytes(n)
        k = rng.randrange(1, 6)
        cuts = sorted(rng.randrange(0, n + 1) for _ in range(k - 1))
        parts = [data[a:b] for a, b in zip([0, *cuts], [*cuts, n])]
        assert fn(*parts) == hashlib.new(algorithm, data).digest(), (n, cuts)


@pytest.mark.parametrize("algorithm", ["sha1", "sha256"])
def test_one_part_every_length(mt_impl, algorithm):
    # One part takes the one-shot path (SHA-NI: the tail built in
    # registers): every place of the message's end and of the padding.
    rng = random.Random(f"one-part-{algorithm}")
    fn = getattr(mt_impl, algorithm)
    for n in [*range(0, 260), 1000, 4096 + 55, 4096 + 56]:
        data = rng.randbytes(n)
        assert fn(data) == hashlib.new(algorithm, data).digest(), n


@pytest.mark.skipif(sys.platform != "linux", reason="mprotect through libc")
@pytest.mark.parametrize("algorithm", ["sha1", "sha256"])
def test_no_read_outside_the_message(mt_impl, algorithm):
    pages = GuardedPages()
    rng = random.Random(f"guard-{algorithm}")
    fn = getattr(mt_impl, algorithm)
    for n in [*range(0, 140), 1000]:
        data = rng.randbytes(n)
        want = hashlib.new(algorithm, data).digest()
        assert fn(pages.at_start(data)) == want, n
        assert fn(pages.at_end(data)) == want, n
        assert fn(pages.at_end(data), pages.at_start(data)) == hashlib.new(
            algorithm, data + data
        ).digest(), n


@pytest.mark.parametrize("algorithm", ["sha1", "sha256"])
def test_returns_bytes(mt_impl, algorithm):
    out = getattr(mt_impl, algorithm)(b"abc")
    assert type(out) is bytes
    assert len(out) == (20 if algorithm == "sha1" else 32)


def test_numpy_parts(mt_impl):
    np = pytest.importorskip("numpy")
    a = np.arange(300, dtype=np.uint32)  # itemsize 4: hashed as its bytes
    b = np.arange(77, dtype=np.uint8).reshape(7, 11)
    expected = hashlib.sha256(a.tobytes() + b.tobytes()).digest()
    assert mt_impl.sha256(a, b) == expected
