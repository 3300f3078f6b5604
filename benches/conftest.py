"""
Shared pieces of the pytest-benchmark suite (STYLE.md point 62).

The contenders (mtcore's kernels, the pure twin and the peers) and the
payload sizes are defined once, in the operation families of the
``mtcore._bench`` package, which also backs ``mtcore bench``.  The default
``addopts`` carry ``--benchmark-disable``, so the normal test run calls each
bench once as a smoke test; ``pytest benches --benchmark-enable`` times
them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from mtcore._bench import machine
from mtcore._bench.registry import (
    OPERATIONS,
    Batch,
    Bench,
    Unavailable,
    needs_verify,
    size_label,
    total_bytes,
)
from mtcore._bench.timing import measure_memory
from mtcore._bench.verify import verify

Prepare = Callable[[str, str, Any], Bench]


@pytest.fixture
def prepare(benchmark: Any) -> Prepare:
    """
    ``prepare(operation, contender, size)``: the zero-argument callable to
    time, after checking once that its output agrees with mtcore's (or,
    for MTProto encryption, that mtcore decrypts it to the message that
    went in).  Skips with the reason when the contender is absent here (a
    peer not installed, a kernel this CPU cannot run, a name the pure twin
    lacks yet) or too slow at that size (the pure twin and pyaes, which
    keeps the smoke run fast).  ``size`` is a payload size or a
    :class:`mtcore._bench.registry.Batch`.
    """

    def prepare(op_name: str, contender_name: str, size: Any) -> Bench:
        op = OPERATIONS[op_name]
        contender = op.contender(contender_name)
        reason = contender.skip_reason(size)
        if reason is None and contender is not op.contenders[0]:
            mtc = op.contenders[0].skip_reason(size)
            if mtc is not None:
                reason = f"no mtcore row to compare with ({mtc})"
        if reason is not None:
            pytest.skip(reason)
        label = size_label(size)
        if needs_verify(op, contender):
            try:
                check = verify(op, contender, size)
            except Unavailable as exc:
                pytest.skip(str(exc))
            if check.error is not None:
                pytest.fail(f"{contender_name} {op_name} {label}: {check.error}")
        benchmark.group = f"{op.title} {label}"
        benchmark.extra_info["contender"] = contender_name
        benchmark.extra_info["size"] = total_bytes(size)
        if isinstance(size, Batch):
            benchmark.extra_info["count"] = size.count
            benchmark.extra_info["item_size"] = size.size
        try:
            fn = contender.make(op.inputs(size).copy())
        except Unavailable as exc:
            pytest.skip(str(exc))
        fn()  # warm up (first-call costs would skew pytest-benchmark's calibration)
        if op.memory is not None and benchmark.enabled:
            # The peak allocated by one call, as python -m mtcore bench reports.
            benchmark.extra_info["memory"] = measure_memory(
                fn, op.memory(op.inputs(size), contender_name)
            )
        return fn

    return prepare


def pytest_benchmark_update_machine_info(
    config: Any, machine_info: dict[str, Any]
) -> None:
    """
    Record what ran (backend, kernels, CPU model, peer versions) in the
    saved benchmark JSON.
    """
    info = machine.machine_info()
    machine_info["mtcore"] = {
        key: info[key]
        for key in ("mtcore", "backend", "extension", "cpu", "cpus", "peers", "openssl")
    }
