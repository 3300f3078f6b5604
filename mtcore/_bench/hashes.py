"""
The hash family: SHA-256 and SHA-1 of one buffer, mtcore's kernels and pure
twin against hashlib and hypercrypto.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from mtcore._bench.available import (
    api_attr,
    api_missing,
    backend_module,
    pure_api_missing,
    pure_twin,
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
    Unavailable,
    make_inputs,
    register,
)
from mtcore._bench.rivals import Rival, rival_missing, rival_module, rival_rows


def _hash_contenders(name: str) -> list[Contender]:
    def default(i: Inputs) -> Bench:
        return functools.partial(api_attr("mtcore.hashes", name), i.data)

    def kernel(sha: str) -> Callable[[Inputs], Bench]:
        def make(i: Inputs) -> Bench:
            reason = sha_kernel_missing(sha)()
            if reason is not None:
                raise Unavailable(reason)
            k = backend_module().MtprotoKernel(backend_module().aes_kernel, sha)
            return functools.partial(getattr(k, name), i.data)

        return make

    def pure(i: Inputs) -> Bench:
        return functools.partial(getattr(pure_twin(), name), i.data)

    def hashlib_(i: Inputs) -> Bench:
        import hashlib

        return Stmt("h(d).digest()", h=getattr(hashlib, name), d=i.data)

    rows = [
        Contender("mtcore", default, api_missing(name)),
        *(
            Contender(f"mtcore-{k}", kernel(k), sha_kernel_missing(k))
            for k in ("shani", "armsha", "portable")
        ),
        Contender("mtcore-pure", pure, pure_api_missing(name)),
        Contender("hashlib", hashlib_),
    ]
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
