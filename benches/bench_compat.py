"""
The drop-in backends: each client's own message and CTR paths on its
original backend and on mtcore (Pyrogram on tgcrypto / mtcore / its pyaes
fallback; Telethon on cryptg / mtcore and its pyaes AESModeCTR / mtcore's),
tgcrypto's and cryptg's functions against mtcore.compat's, and pq
factorization against cryptg and Telethon's pure-Python one.  The
contenders come from ``mtcore._bench`` (shared with
``python -m mtcore bench --filter compat``); absent peers are skipped with a
reason.
"""

from __future__ import annotations

from typing import Any

import pytest

from mtcore import _backend
from mtcore._bench.available import PYAES_MAX
from mtcore._bench.compat import COMPAT_CTR_SIZES, COMPAT_IGE_SIZES, PQ_COUNT
from mtcore._bench.mtproto import MTPROTO_SIZES
from mtcore._bench.registry import OPERATIONS, Batch, contender_names, size_label


def cases(op_name: str, sizes: Any = None) -> pytest.MarkDecorator:
    sizes = OPERATIONS[op_name].sizes if sizes is None else sizes
    return pytest.mark.parametrize(
        "contender, size",
        [
            pytest.param(c, s, id=f"{c}-{size_label(s, '')}")
            for c in contender_names(op_name)
            for s in sizes
        ],
    )


def slow_in_smoke(benchmark: Any, contender: str, size: Any) -> None:
    """
    Telethon's pyaes CTR above 1 KiB (about 2 s a call at 512 KiB) and its
    pure-Python factorization (1-2 s a call) run only when timing.
    """
    slow = (contender == "pyaes" and size > PYAES_MAX) or contender == "telethon"
    if slow and not benchmark.enabled:
        pytest.skip("seconds a call: timed only with --benchmark-enable")


def pure_factorizer(benchmark: Any) -> None:
    """
    The pure twin's factorizer (the reference row under
    MTCORE_PUREPYTHON=1) takes some 2 s for 50 pq: timed only when timing.
    """
    if _backend.IMPLEMENTATION != "c" and not benchmark.enabled:
        pytest.skip(
            "the pure twin's factorizer: seconds a call, timed only with --benchmark-enable"
        )


@cases("compat_pyrogram_pack", MTPROTO_SIZES)
def bench_compat_pyrogram_pack(
    benchmark: Any, prepare: Any, contender: str, size: int
) -> None:
    benchmark(prepare("compat_pyrogram_pack", contender, size))


@cases("compat_pyrogram_unpack", MTPROTO_SIZES)
def bench_compat_pyrogram_unpack(
    benchmark: Any, prepare: Any, contender: str, size: int
) -> None:
    benchmark(prepare("compat_pyrogram_unpack", contender, size))


@cases("compat_pyrogram_ctr", COMPAT_CTR_SIZES)
def bench_compat_pyrogram_ctr(
    benchmark: Any, prepare: Any, contender: str, size: int
) -> None:
    benchmark(prepare("compat_pyrogram_ctr", contender, size))


@cases("compat_telethon_encrypt", MTPROTO_SIZES)
def bench_compat_telethon_encrypt(
    benchmark: Any, prepare: Any, contender: str, size: int
) -> None:
    benchmark(prepare("compat_telethon_encrypt", contender, size))


@cases("compat_telethon_decrypt", MTPROTO_SIZES)
def bench_compat_telethon_decrypt(
    benchmark: Any, prepare: Any, contender: str, size: int
) -> None:
    benchmark(prepare("compat_telethon_decrypt", contender, size))


@cases("compat_telethon_ctr")
def bench_compat_telethon_ctr(
    benchmark: Any, prepare: Any, contender: str, size: int
) -> None:
    slow_in_smoke(benchmark, contender, size)
    benchmark(prepare("compat_telethon_ctr", contender, size))


@cases("compat_tgcrypto_ctr", COMPAT_CTR_SIZES)
def bench_compat_tgcrypto_ctr(
    benchmark: Any, prepare: Any, contender: str, size: int
) -> None:
    benchmark(prepare("compat_tgcrypto_ctr", contender, size))


@cases("compat_tgcrypto_ige", COMPAT_IGE_SIZES)
def bench_compat_tgcrypto_ige(
    benchmark: Any, prepare: Any, contender: str, size: int
) -> None:
    benchmark(prepare("compat_tgcrypto_ige", contender, size))


@cases("compat_cryptg_ige", COMPAT_IGE_SIZES)
def bench_compat_cryptg_ige(
    benchmark: Any, prepare: Any, contender: str, size: int
) -> None:
    benchmark(prepare("compat_cryptg_ige", contender, size))


@cases("compat_factorize", (Batch(PQ_COUNT, 8),))
def bench_compat_factorize(
    benchmark: Any, prepare: Any, contender: str, size: Batch
) -> None:
    pure_factorizer(benchmark)
    slow_in_smoke(benchmark, contender, size)
    benchmark(prepare("compat_factorize", contender, size))
