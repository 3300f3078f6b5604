"""
End-to-end: clients logged in to the test cluster over loopback
(mtcore/_bench/e2e.py): mtcore's client, Telethon on cryptg and on
mtcore, Pyrogram on tgcrypto and on mtcore, each in its child process, the
cluster in another.  One timed call is one batch in the contender's
process: 50 sequential small RPCs, 200 concurrent ones, or 4 sequential
512 KiB ``upload.saveFilePart`` calls.  The child's own wall and CPU
times of the last batch go to ``extra_info``.

With ``--benchmark-disable`` (the default) each runs once as a smoke test.
``mtcore bench --filter e2e`` prints the full table.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from mtcore._bench.e2e import CONTENDERS, ClusterProcess, ContenderProcess

BATCHES = {"rpc": 50, "rpc_par": 200, "upload": 4}


@pytest.fixture(scope="module")
def cluster() -> Iterator[ClusterProcess]:
    with ClusterProcess() as proc:
        yield proc


@pytest.fixture(scope="module", params=list(CONTENDERS))
def contender(request: Any, cluster: ClusterProcess) -> Iterator[ContenderProcess]:
    with ContenderProcess(request.param, cluster.hello) as proc:
        yield proc


def _bench(benchmark: Any, proc: ContenderProcess, command: str) -> None:
    n = BATCHES[command]
    last: dict[str, Any] = {}

    def batch() -> None:
        last.update(proc.run(command, n))

    benchmark(batch)
    assert last["n"] == n
    benchmark.extra_info.update(
        contender=proc.name,
        messages=n,
        child_wall_us_per_msg=last["wall"] / n * 1e6,
        child_cpu_us_per_msg=last["cpu"] / n * 1e6,
    )


def bench_e2e_small_rpcs_sequential(benchmark: Any, contender: ContenderProcess) -> None:
    _bench(benchmark, contender, "rpc")


def bench_e2e_small_rpcs_concurrent(benchmark: Any, contender: ContenderProcess) -> None:
    _bench(benchmark, contender, "rpc_par")


def bench_e2e_upload_512k(benchmark: Any, contender: ContenderProcess) -> None:
    _bench(benchmark, contender, "upload")
