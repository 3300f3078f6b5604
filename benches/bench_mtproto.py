"""
MTProto 2.0 messages end to end (encrypt; decrypt with every check), many
messages encrypted in one call, and AES-256-IGE over several independent
messages in one call: mtcore's
kernels against Telethon, Pyrogram and hypercrypto, per body size.  The
contenders come from ``mtcore._bench`` (shared with
``python -m mtcore bench``); absent peers are skipped with a reason.
"""

from __future__ import annotations

from typing import Any

import pytest

from mtcore._bench.batch import BATCHES, MSG_BATCHES
from mtcore._bench.mtproto import MTPROTO_SIZES
from mtcore._bench.registry import contender_names, size_label

sizes = pytest.mark.parametrize("size", MTPROTO_SIZES, ids=lambda n: size_label(n, ""))
batches = pytest.mark.parametrize("size", BATCHES, ids=lambda b: size_label(b, ""))
msg_batches = pytest.mark.parametrize(
    "size", MSG_BATCHES, ids=lambda b: size_label(b, "")
)


def contenders(op_name: str) -> pytest.MarkDecorator:
    return pytest.mark.parametrize("contender", contender_names(op_name))


@sizes
@contenders("mtproto_encrypt")
def bench_mtproto_encrypt(
    benchmark: Any, prepare: Any, contender: str, size: int
) -> None:
    benchmark(prepare("mtproto_encrypt", contender, size))


@sizes
@contenders("mtproto_decrypt")
def bench_mtproto_decrypt(
    benchmark: Any, prepare: Any, contender: str, size: int
) -> None:
    benchmark(prepare("mtproto_decrypt", contender, size))


@batches
@contenders("ige_encrypt_many")
def bench_ige_encrypt_many(
    benchmark: Any, prepare: Any, contender: str, size: Any
) -> None:
    benchmark(prepare("ige_encrypt_many", contender, size))


@msg_batches
@contenders("mtproto_encrypt_many")
def bench_mtproto_encrypt_many(
    benchmark: Any, prepare: Any, contender: str, size: Any
) -> None:
    benchmark(prepare("mtproto_encrypt_many", contender, size))
