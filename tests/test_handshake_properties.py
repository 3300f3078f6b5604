"""
Properties of the key exchange (mtcore.handshake) under hypothesis: client
and server agree for any seed, and a message changed anywhere (one byte
flipped, cut short or lengthened) makes the receiving side either raise an
mtcore error and stop, or go on to the very key of the unchanged exchange
(a change it may ignore, such as another odd msg_id) -- never another
exception, another key, or a hang.

A full exchange costs a few 2048-bit modular exponentiations, so the
example counts stay small.
"""

from __future__ import annotations

import functools
from typing import Any

import pytest
from handshake_peers import seeded, server_key

from mtcore.exceptions import MtcoreError
from mtcore.handshake import (
    AuthKeyResult,
    ClientHandshake,
    HandshakeState,
    ServerHandshake,
)

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

FEW = settings(max_examples=12, deadline=None)
CLOCK = lambda: 1_700_000_000.0  # noqa: E731


def client(seed: int) -> ClientHandshake:
    return ClientHandshake(
        [server_key().public_key], dc_id=2, rng=seeded(seed), clock=CLOCK
    )


def server(seed: int) -> ServerHandshake:
    return ServerHandshake([server_key()], dc=2, rng=seeded(seed + 1), clock=CLOCK)


@functools.lru_cache(maxsize=None)
def recorded(seed: int) -> tuple[list[bytes], list[bytes], bytes]:
    """
    The client's messages, the server's answers and the key of one exchange.
    """
    c, s = client(seed), server(seed)
    sent = [c.start()]
    answers: list[bytes] = []
    while True:
        answers.append(s.receive(sent[-1]))
        out = c.receive(answers[-1])
        if isinstance(out, AuthKeyResult):
            return sent, answers, bytes(out.auth_key)
        sent.append(out)


def mutate(message: bytes, how: str, position: int, value: int) -> bytes:
    i = position % len(message)
    if how == "flip":
        return message[:i] + bytes([message[i] ^ (value or 1)]) + message[i + 1 :]
    if how == "cut":
        return message[:i]
    return message + bytes([value]) * (position % 40 + 1)


mutations = st.tuples(
    st.integers(0, 2),  # which message
    st.sampled_from(["flip", "cut", "grow"]),
    st.integers(0, 2**16),
    st.integers(0, 255),
)


@FEW
@given(seed=st.integers(0, 2**32), expires_in=st.none() | st.integers(1, 2**31 - 1))
def test_client_and_server_agree(seed: int, expires_in: int | None) -> None:
    c = ClientHandshake(
        [server_key().public_key], dc_id=3, expires_in=expires_in, rng=seeded(seed)
    )
    s = ServerHandshake([server_key()], rng=seeded(~seed))
    out: Any = c.start()
    while not isinstance(out, AuthKeyResult):
        out = c.receive(s.receive(out))
    assert s.result is not None
    assert (s.result.auth_key, s.result.server_salt, s.result.dc) == (
        out.auth_key,
        out.server_salt,
        3,
    )
    assert s.result.expires_in == out.expires_in == expires_in


def replay_client(seed: int, changed: int, message: bytes) -> bytes | None:
    # The recorded exchange with the server's answer ``changed`` replaced:
    # the key, or None when the client raised (and stopped).
    _, answers, _ = recorded(seed)
    c = client(seed)
    c.start()
    for i, answer in enumerate(answers):
        try:
            out = c.receive(message if i == changed else answer)
        except MtcoreError:
            assert c.state is HandshakeState.FAILED
            return None
        if isinstance(out, AuthKeyResult):
            return bytes(out.auth_key)
    raise AssertionError("the exchange neither ended nor failed")


@FEW
@given(change=mutations)
@example(change=(0, "flip", 8, 2))  # msg_id made even
@example(change=(1, "flip", 9, 4))  # another odd msg_id: accepted
@example(change=(2, "cut", 4, 0))
def test_client_survives_any_change(change: tuple[int, str, int, int]) -> None:
    which, how, position, value = change
    _, answers, key = recorded(5)
    out = replay_client(5, which, mutate(answers[which], how, position, value))
    assert out is None or out == key


def replay_server(seed: int, changed: int, message: bytes) -> bytes | None:
    sent, _, _ = recorded(seed)
    s = server(seed)
    for i, request in enumerate(sent):
        try:
            s.receive(message if i == changed else request)
        except MtcoreError:
            assert s.state is HandshakeState.FAILED
            return None
    assert s.result is not None
    return bytes(s.result.auth_key)


@FEW
@given(change=mutations)
@example(change=(0, "flip", 8, 1))  # msg_id no longer divisible by 4
@example(change=(1, "flip", 300, 1))  # inside the RSA ciphertext
@example(change=(2, "grow", 15, 0))  # 16 bytes more: not transport padding
def test_server_survives_any_change(change: tuple[int, str, int, int]) -> None:
    which, how, position, value = change
    sent, _, key = recorded(6)
    out = replay_server(6, which, mutate(sent[which], how, position, value))
    assert out is None or out == key
