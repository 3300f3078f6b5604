"""
Shared pieces of the pytest-benchmark suite (STYLE.md point 62).

The contenders (mtcore's kernels, the pure twin and the peers) and the
payload sizes are defined once, in ``mtcore._bench``, which also backs
``python -m mtcore bench``.  The default ``addopts`` carry
``--benchmark-disable``, so the normal test run calls each bench once as a
smoke test; ``pytest benches --benchmark-enable`` times them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from mtcore import _bench

Prepare = Callable[[str, str, int], _bench.Bench]


@pytest.fixture
def prepare(benchmark: Any) -> Prepare:
    """
    ``prepare(operation, contender, size)``: the zero-argument callable to
    time, after checking once that its output equals mtcore's.  Skips with
    the reason when the contender is absent here (a peer not installed, a
    kernel this CPU cannot run) or too slow at that size (the pure twin and
    pyaes, which keeps the smoke run fast).
    """

    def prepare(op_name: str, contender_name: str, size: int) -> _bench.Bench:
        op = _bench.OPERATIONS[op_name]
        contender = op.contender(contender_name)
        reason = contender.skip_reason(size)
        if reason is not None:
            pytest.skip(reason)
        if contender is not op.contenders[0]:
            try:
                check = _bench.verify(op, contender, size)
            except _bench.Unavailable as exc:
                pytest.skip(str(exc))
            if check.error is not None:
                pytest.fail(f"{contender_name} {op_name} {size} B: {check.error}")
        benchmark.group = f"{op.title} {_bench.size_label(size)}"
        benchmark.extra_info["contender"] = contender_name
        benchmark.extra_info["size"] = size
        fn = contender.make(op.inputs(size).copy())
        fn()  # warm up (first-call costs would skew pytest-benchmark's calibration)
        return fn

    return prepare


def pytest_benchmark_update_machine_info(
    config: Any, machine_info: dict[str, Any]
) -> None:
    """
    Record what ran (backend, kernels, CPU model, peer versions) in the
    saved benchmark JSON.
    """
    info = _bench.machine_info()
    machine_info["mtcore"] = {
        key: info[key]
        for key in ("mtcore", "backend", "extension", "cpu", "cpus", "peers", "openssl")
    }
