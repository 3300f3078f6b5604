"""
The hash family: SHA-256 and SHA-1 of one buffer, mtcore's kernels and pure
twin against hashlib and hypercrypto.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from mtcore._bench.available import (
    api_missing,
    mtcore_rows,
    pure_api_missing,
    sha_kernel,
    sha_kernel_missing,
)
from mtcore._bench.registry import (
    Bench,
    Contender,
    Inputs,
    KiB,
    MiB,
    Operation,
    Stmt,
    make_inputs,
    register,
)
from mtcore._bench.rivals import Rival, rival_missing, rival_module, rival_rows


def _mtcore_hashes() -> Any:
    import mtcore.hashes

    return mtcore.hashes


def _hash_contenders(name: str) -> list[Contender]:
    def call(hashes: Any, i: Inputs) -> Bench:
        return functools.partial(getattr(hashes, name), i.data)

    def hashlib_(i: Inputs) -> Bench:
        import hashlib

        return Stmt("h(d).digest()", h=getattr(hashlib, name), d=i.data)

    rows = mtcore_rows(
        call,
        _mtcore_hashes,
        api_missing(name),
        kernels=("shani", "armsha", "portable"),
        kernel=sha_kernel,
        missing=sha_kernel_missing,
        pure_requires=pure_api_missing(name),
        pure_max=None,
    )
    rows.append(Contender("hashlib", hashlib_))
    if name == "sha256":
        rows += rival_rows(sha256=_rival_digest("sha256"))
    return rows


def _rival_digest(fname: str) -> Callable[[Rival], Contender]:
    def row(rival: Rival) -> Contender:
        def make(i: Inputs) -> Bench:
            return functools.partial(getattr(rival_module(rival), fname), i.data)

        return Contender(rival.name, make, rival_missing(rival))

    return row


register(
    Operation(
        "sha256",
        "SHA-256 (52 B: the msg_key / KDF input size)",
        (52, 1 * KiB, 1 * MiB),
        lambda size: make_inputs(size, 16),
        tuple(_hash_contenders("sha256")),
        headline=(52,),
        notes=(
            (
                "mtcore: mtcore.hashes.sha256(data); hashlib: "
                "hashlib.sha256(data).digest()."
            ),
        ),
    )
)
register(
    Operation(
        "sha1",
        "SHA-1 (256 B: the auth_key_id input)",
        (256,),
        lambda size: make_inputs(size, 16),
        tuple(_hash_contenders("sha1")),
        notes=("hashlib: hashlib.sha1(data).digest().",),
    )
)
