"""
What the two key-exchange fuzz targets share (``fuzz_handshake_client.py``,
``fuzz_handshake_server.py``): a fixed RSA key, a client and a server on
seeded randomness and a fixed clock, the exchange they make (recorded
once), the sealing of a fuzzed payload into a message whose outer
checks pass, so that the fuzzer reaches the inner ones, and the oracle of
a failed step (:func:`receive`).

Everything here is deterministic, so the corpus ``make_corpus.py`` writes
stays valid from run to run.  The key is test material, not a secret.
"""

from __future__ import annotations

import functools
import hashlib
import math
import random
import struct
import sys
from typing import Any, NamedTuple

from fuzzlib import HERE, Finding, instrumented, outcome

sys.path.insert(0, str(HERE.parent))  # tests/: utils, mtproto_ref
from mtproto_ref import ref_tmp_key_iv as tmp_key_iv  # noqa: E402
from utils import is_prime  # noqa: E402

with instrumented():
    from mtcore import handshake, tl
    from mtcore._py.aes import ige_encrypt
    from mtcore.exceptions import MtcoreError

ALLOWED = (MtcoreError,)
CLOCK = 1_700_000_000.0
CLIENT_SEED = 0xC11E
SERVER_SEED = 0x5E1F


def _prime(rng: random.Random) -> int:
    # A 1024-bit probable prime (utils.is_prime: Miller-Rabin, 12 bases).
    while True:
        n = rng.getrandbits(1024) | (3 << 1022) | 1
        if pow(2, n - 1, n) == 1 and is_prime(n):
            return n


@functools.lru_cache(maxsize=None)
def server_key() -> handshake.RSAPrivateKey:
    """
    A 2048-bit RSA key drawn from a fixed seed (the same on every run).
    """
    from cryptography.hazmat.primitives.asymmetric import rsa

    rng = random.Random(0x4B4559)
    while True:
        p, q = _prime(rng), _prime(rng)
        phi = (p - 1) * (q - 1)
        if p != q and math.gcd(65537, phi) == 1:
            break
    d = pow(65537, -1, phi)
    public = rsa.RSAPublicNumbers(65537, p * q)
    numbers = rsa.RSAPrivateNumbers(
        p, q, d, d % (p - 1), d % (q - 1), pow(q, -1, p), public
    )
    return handshake.RSAPrivateKey(numbers.private_key())


class Draws:
    """
    A seeded ``rng`` that keeps what it gave (the client's nonce is its
    first draw, new_nonce its second).
    """

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)
        self.given: list[bytes] = []

    def __call__(self, n: int) -> bytes:
        data = self._rng.randbytes(n)
        self.given.append(data)
        return data


def client() -> tuple[handshake.ClientHandshake, Draws]:
    draws = Draws(CLIENT_SEED)
    hs = handshake.ClientHandshake(
        [server_key().public_key], dc_id=2, rng=draws, clock=lambda: CLOCK
    )
    return hs, draws


def server() -> handshake.ServerHandshake:
    return handshake.ServerHandshake(
        [server_key()],
        dc=2,
        rng=random.Random(SERVER_SEED).randbytes,
        clock=lambda: CLOCK,
    )


class Exchange(NamedTuple):
    sent: list[bytes]  # the client's messages
    answers: list[bytes]  # the server's
    new_nonce: bytes
    auth_key: bytes


@functools.lru_cache(maxsize=None)
def recorded() -> Exchange:
    """
    One whole exchange of :func:`client` with :func:`server`.
    """
    c, draws = client()
    s = server()
    sent, answers = [c.start()], []
    while True:
        answers.append(s.receive(sent[-1]))
        out = c.receive(answers[-1])
        if isinstance(out, handshake.AuthKeyResult):
            return Exchange(sent, answers, draws.given[1], bytes(out.auth_key))
        sent.append(out)


def plain(body: bytes, from_client: bool) -> bytes:
    """
    An unencrypted message of ``body`` with a valid header.
    """
    msg_id = (int(CLOCK) << 32) | (0 if from_client else 1)
    return struct.pack("<qqi", 0, msg_id, len(body)) + body


def body(message: bytes) -> Any:
    return tl.decode(message[20:])


def seal(data: bytes, key: bytes, iv: bytes) -> bytes:
    """
    AES-IGE of SHA1(data) + data + zero padding to 16 bytes.
    """
    block = hashlib.sha1(data).digest() + data
    return ige_encrypt(block + bytes(-len(block) % 16), key, iv)


def secrets_of(exchange: Exchange) -> list[bytes]:
    """
    What no error message may quote: new_nonce, the temporary AES key and
    IV, the auth key.
    """
    ok = body(exchange.answers[1])
    key, iv = tmp_key_iv(exchange.new_nonce, ok.server_nonce)
    return [exchange.new_nonce, key, iv, exchange.auth_key]


def quotes(message: str, secrets: list[bytes]) -> list[str]:
    """
    The secrets (8-byte pieces of them, as hex) that ``message`` quotes.
    """
    low = message.lower()
    found = []
    for secret in secrets:
        for i in range(0, len(secret) - 7, 4):
            if secret[i : i + 8].hex() in low:
                found.append(secret[i : i + 8].hex())
    return found


def receive(hs: Any, message: bytes, exchange: Exchange) -> Any:
    """
    The outcome (``fuzzlib.outcome``) of ``hs.receive(message)``, either
    side's: an error must be an mtcore error, leave the exchange
    ``FAILED`` and quote none of the exchange's secrets.
    """
    got = outcome(lambda: hs.receive(message), ALLOWED)
    if got[0] != "ok":
        if hs.state is not handshake.HandshakeState.FAILED:
            raise Finding(f"{got[0].__name__} left the state {hs.state.name}")
        leaked = quotes(got[1], secrets_of(exchange))
        if leaked:
            raise Finding(f"the message quotes a secret {leaked[:2]}: {got[1]}")
    return got
