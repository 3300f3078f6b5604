"""
AES-256 IGE, CTR and CBC: mtcore's kernels against the peers, per payload
size.  The contenders come from ``mtcore._bench`` (shared with
``python -m mtcore bench``); absent peers are skipped with a reason.
"""

from __future__ import annotations

from typing import Any

import pytest

from mtcore._bench.aes import SIZES
from mtcore._bench.registry import contender_names, size_label

sizes = pytest.mark.parametrize("size", SIZES, ids=lambda n: size_label(n, ""))


def contenders(op_name: str) -> pytest.MarkDecorator:
    return pytest.mark.parametrize("contender", contender_names(op_name))


@sizes
@contenders("ige_encrypt")
def bench_ige_encrypt(benchmark: Any, prepare: Any, contender: str, size: int) -> None:
    benchmark(prepare("ige_encrypt", contender, size))


@sizes
@contenders("ige_decrypt")
def bench_ige_decrypt(benchmark: Any, prepare: Any, contender: str, size: int) -> None:
    benchmark(prepare("ige_decrypt", contender, size))


@sizes
@contenders("ctr")
def bench_ctr(benchmark: Any, prepare: Any, contender: str, size: int) -> None:
    benchmark(prepare("ctr", contender, size))


@sizes
@contenders("cbc_encrypt")
def bench_cbc_encrypt(benchmark: Any, prepare: Any, contender: str, size: int) -> None:
    benchmark(prepare("cbc_encrypt", contender, size))


@sizes
@contenders("cbc_decrypt")
def bench_cbc_decrypt(benchmark: Any, prepare: Any, contender: str, size: int) -> None:
    benchmark(prepare("cbc_decrypt", contender, size))
