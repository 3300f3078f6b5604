"""
Helpers of the end-to-end tests: a cluster and mtcore clients pointed at
it, every run bounded in time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, Callable, Optional, TypeVar

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


def client_for(cluster: TestCluster, dc: int = 1, store: Any = None, **options: Any) -> Client:
    """
    An mtcore client that starts on DC ``dc`` of the cluster and trusts its key.
    """
    host, port = cluster.server(dc).address
    return Client(
        store, API_ID, API_HASH, dc=(dc, host, port), rsa_keys=[cluster.public_key], **options
    )


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
