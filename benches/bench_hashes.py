"""
SHA-256 and SHA-1 (the MTProto KDF, msg_key and auth_key_id hashes):
mtcore's SHA kernels and pure twin against hashlib, per payload size.  The
contenders come from ``mtcore._bench`` (shared with
``python -m mtcore bench``).
"""

from __future__ import annotations

from typing import Any

import pytest

from mtcore._bench.registry import OPERATIONS, contender_names, size_label


def cases(op_name: str) -> pytest.MarkDecorator:
    op = OPERATIONS[op_name]
    return pytest.mark.parametrize("size", op.sizes, ids=lambda n: size_label(n, ""))


def contenders(op_name: str) -> pytest.MarkDecorator:
    return pytest.mark.parametrize("contender", contender_names(op_name))


@cases("sha256")
@contenders("sha256")
def bench_sha256(benchmark: Any, prepare: Any, contender: str, size: int) -> None:
    benchmark(prepare("sha256", contender, size))


@cases("sha1")
@contenders("sha1")
def bench_sha1(benchmark: Any, prepare: Any, contender: str, size: int) -> None:
    benchmark(prepare("sha1", contender, size))
