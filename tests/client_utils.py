"""
Helpers of the end-to-end tests: a cluster and mtcore clients pointed at
it, every run bounded in time.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Iterator
from typing import Any, Callable, NamedTuple, Optional, TypeVar

from compat_utils import TESTS_DIR
from mtcore.client import Client
from mtcore.testing import TestCluster

API_ID = 94575
API_HASH = "a3406de8d171bb422bb6ddf3bbd800e2"

#: The longest one end-to-end test may run, in seconds.
LIMIT = 60.0

T = TypeVar("T")


def run(main: Callable[[], Awaitable[T]], limit: float = LIMIT) -> T:
    """
    Run ``main()`` in a new event loop, failing it after ``limit`` seconds.
    """

    async def bounded() -> T:
        return await asyncio.wait_for(main(), limit)

    return asyncio.run(bounded())


def run_in_cluster(
    main: Callable[[TestCluster], Awaitable[T]], *, limit: float = LIMIT, **options: Any
) -> T:
    """
    :func:`run` ``main(cluster)`` on a new ``TestCluster(**options)``, which
    is closed when ``main`` ends.
    """

    async def in_cluster() -> T:
        async with TestCluster(**options) as cluster:
            return await main(cluster)

    return run(in_cluster, limit)


def client_for(cluster: TestCluster, dc: int = 1, store: Any = None, **options: Any) -> Client:
    """
    An mtcore client that starts on DC ``dc`` of the cluster and trusts its key.
    """
    host, port = cluster.server(dc).address
    return Client(
        store, API_ID, API_HASH, dc=(dc, host, port), rsa_keys=[cluster.public_key], **options
    )


@contextlib.asynccontextmanager
async def logged_in(cluster: TestCluster, user: Any, **options: Any) -> AsyncIterator[Client]:
    """
    :func:`client_for` (``options`` passed on), logged in as ``user`` (an
    account of the cluster with no password) by a QR login.
    """
    async with client_for(cluster, **options) as client:
        assert (await client.qr_login(Scanner(cluster, user))).id == user.id
        yield client


class Scanner:
    """
    The phone: ``on_url`` for ``qr_login`` that scans each code as ``user``
    (after ``skip`` codes it lets pass), and remembers the URLs it saw.
    """

    def __init__(self, cluster: TestCluster, user: Any, *, skip: int = 0,
                 before: Optional[Callable[[], Awaitable[None]]] = None) -> None:
        self.cluster = cluster
        self.user = user
        self.skip = skip
        self.before = before
        self.urls: list[str] = []
        self.expires: list[Any] = []

    async def __call__(self, url: str, expires: Any) -> None:
        self.urls.append(url)
        self.expires.append(expires)
        if len(self.urls) > self.skip:
            if self.before is not None:
                await self.before()
            await self.cluster.accept_login(url, user=self.user)


class Served(NamedTuple):
    """
    What ``mtcore serve`` printed before it served: the port of each DC,
    the RSA public key (PEM) and all its lines.
    """

    ports: dict[int, int]
    pem: str
    lines: list[str]


@contextlib.contextmanager
def serve(*args: str) -> Iterator[Served]:
    """
    ``mtcore serve ARGS`` in a child process, yielding what it printed;
    stopped with Ctrl-C (SIGINT) at the end, and must exit with 0.
    """
    # The child gets Ctrl-C as from a terminal even where this run ignores
    # SIGINT (a background job of a shell without job control does, and an
    # ignored signal stays ignored across exec). With faulthandler on,
    # SIGABRT makes a child that does not stop print where its threads are.
    ignored = signal.getsignal(signal.SIGINT) == signal.SIG_IGN
    if ignored:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "mtcore", "serve", *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            cwd=TESTS_DIR, env={**os.environ, "PYTHONFAULTHANDLER": "1"},
        )
    finally:
        if ignored:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        assert proc.stdout is not None
        lines: list[str] = []
        while not lines or lines[-1] != "Serving until Ctrl-C.":
            line = proc.stdout.readline()
            assert line, proc.stderr.read() if proc.stderr else ""
            lines.append(line.rstrip("\n"))
        ports = {int(ln.split()[1][:-1]): int(ln.rsplit(":", 1)[1]) for ln in lines if ln.startswith("DC ")}
        pem = "\n".join(lines[lines.index("-----BEGIN RSA PUBLIC KEY-----"):
                              lines.index("-----END RSA PUBLIC KEY-----") + 1])
        yield Served(ports, pem, lines)
        proc.send_signal(signal.SIGINT)
        try:
            status = proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGABRT)
            out, err = proc.communicate(timeout=30)
            raise AssertionError(
                f"mtcore serve did not stop on Ctrl-C; its output:\n{out[-2000:]}\n{err[-8000:]}"
            ) from None
        assert status == 0, proc.stderr.read() if proc.stderr else ""
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
