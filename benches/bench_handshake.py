"""
The client side of the auth key exchange, whole (pq factorised, RSA_PAD,
two 2048-bit exponentiations with a 2048-bit exponent, every check): mtcore's
ClientHandshake against Telethon's ``do_authentication`` and Pyrogram's
``Auth.create``.  Each replays the answers one ServerHandshake (one RSA key,
Telegram's prime, seeded randomness) gave it when it ran with the same
seeded randomness, so only client work is timed, on the same server
transcripts.  Also the 2048-bit modular exponentiation alone: the
backend's ``modexp`` against ``pow``.  Absent peers are skipped with a
reason.
"""

from __future__ import annotations

import asyncio
import random
import sys
from pathlib import Path
from typing import Any, Callable

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import handshake_peers as hp  # noqa: E402

from mtcore import _dh  # noqa: E402
from mtcore.handshake import ServerHandshake  # noqa: E402

SEED = 9  # the clients' randomness
SERVER_SEED = 1


def _server() -> ServerHandshake:
    return ServerHandshake([hp.server_key()], rng=hp.seeded(SERVER_SEED))


def _mtcore() -> Callable[[], Any]:
    transcript = hp.Transcript()
    hp.mtcore_client(transcript.record(_server().receive), hp.seeded(SEED))
    return lambda: hp.mtcore_client(transcript.rewind().replay, hp.seeded(SEED))


def _telethon() -> Callable[[], Any]:
    pytest.importorskip("telethon", reason="Telethon is not installed")
    loop = asyncio.new_event_loop()
    transcript = hp.Transcript()
    with hp.telethon_patched(hp.seeded(SEED)):
        hp.telethon_client(transcript.record(_server().receive), loop)

    def run() -> Any:
        with hp.telethon_patched(hp.seeded(SEED)):
            return hp.telethon_client(transcript.rewind().replay, loop)

    return run


def _pyrogram() -> Callable[[], Any]:
    pytest.importorskip("pyrogram", reason="Pyrogram is not installed")
    loop = asyncio.new_event_loop()
    transcript = hp.Transcript()
    box = [transcript.record(_server().receive)]
    with hp.pyrogram_patched(hp.seeded(SEED), box):
        hp.pyrogram_client(loop)

    def run() -> Any:
        box[0] = transcript.rewind().replay
        with hp.pyrogram_patched(hp.seeded(SEED), box):
            return hp.pyrogram_client(loop)

    return run


CLIENTS = {"mtcore": _mtcore, "telethon": _telethon, "pyrogram": _pyrogram}


@pytest.mark.parametrize("contender", list(CLIENTS))
def bench_handshake_client(benchmark: Any, contender: str) -> None:
    benchmark(CLIENTS[contender]())


@pytest.mark.parametrize("contender", ["mtcore", "pow"])
def bench_modexp_2048(benchmark: Any, contender: str) -> None:
    rng = random.Random(3)
    base, exponent = rng.getrandbits(2048), rng.getrandbits(2048)
    p = _dh.TELEGRAM_DH_PRIME
    expected = pow(base, exponent, p)
    fn = _dh.modexp if contender == "mtcore" else pow
    assert fn(base, exponent, p) == expected
    benchmark(fn, base, exponent, p)
