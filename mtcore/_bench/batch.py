"""
The batch family: AES-IGE over many independent messages in one call
(``ige_encrypt_many``) and MTProto encryption of many messages in one call
(``encrypt_messages``), against loops of one-message calls.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mtcore import _backend
from mtcore._bench.available import (
    KERNELS,
    PURE_MAX,
    backend_module,
    kernel_missing,
    pure_api_missing,
    pure_twin,
)
from mtcore._bench.mtproto import (
    HEADER,
    MSG_TIME,
    auth_key_id_of,
    mtcore_mtproto,
    upload_file_body,
)
from mtcore._bench.registry import (
    Args,
    Batch,
    Bench,
    Contender,
    KiB,
    MiB,
    Operation,
    Stmt,
    Unavailable,
    register,
)
from mtcore._bench.rivals import RIVALS, rival_missing, rival_module

#: The batch cases: count x payload size.
BATCHES = (Batch(8, 512 * KiB), Batch(16, 512 * KiB), Batch(32, 64 * KiB))

#: The portable kernel's batch row is timed up to this many bytes a call
#: (~0.1 s a call: its figure is the ige_encrypt one, times the count).
PORTABLE_BATCH_MAX = 4 * MiB


@dataclass(frozen=True)
class BatchInputs(Args):
    """
    The argument of a batch call: ``(data, key, iv)`` items, each with its
    own key and IV.
    """

    items: tuple[tuple[bytes, bytes, bytes], ...]


@functools.cache
def make_batch(size: Batch) -> BatchInputs:
    rng = random.Random(f"mtcore-bench/batch/{size.count}/{size.size}")
    return BatchInputs(
        tuple(
            (rng.randbytes(size.size), rng.randbytes(32), rng.randbytes(32))
            for _ in range(size.count)
        )
    )


def _many_fn(name: str) -> Any:
    """
    mtcore.aes's batch function (the backend's while mtcore.aes does not
    re-export it yet).
    """
    import mtcore.aes

    fn = getattr(mtcore.aes, name, None)
    if fn is None:
        fn = getattr(backend_module(), name, None)
    if fn is None:
        raise Unavailable(f"mtcore has no {name} here")
    return fn


def _loop(fn: Callable[..., Any], items: Any) -> Stmt:
    return Stmt("[f(d, k, v) for d, k, v in items]", f=fn, items=items)


def _batch_kernel_missing(aes: str) -> Callable[[], str | None]:
    plain = kernel_missing(aes)

    def check() -> str | None:
        reason = plain()
        if reason is None and not hasattr(backend_module(), "MtprotoKernel"):
            reason = "this build has no MtprotoKernel"
        return reason

    return check


def _ige_many_contenders() -> list[Contender]:
    def default(i: BatchInputs) -> Bench:
        return functools.partial(_many_fn("ige_encrypt_many"), i.items)

    def into(i: BatchInputs) -> Bench:
        items = tuple((d, k, v, bytearray(len(d))) for d, k, v in i.items)
        return functools.partial(_many_fn("ige_encrypt_many"), items)

    def loop(i: BatchInputs) -> Bench:
        import mtcore.aes

        return _loop(mtcore.aes.ige_encrypt, i.items)

    def kernel(aes: str) -> Callable[[BatchInputs], Bench]:
        def make(i: BatchInputs) -> Bench:
            reason = _batch_kernel_missing(aes)()
            if reason is not None:
                raise Unavailable(reason)
            k = backend_module().MtprotoKernel(aes, backend_module().sha_kernel)
            return functools.partial(k.ige_encrypt_many, i.items)

        return make

    def pure(i: BatchInputs) -> Bench:
        return functools.partial(pure_twin().ige_encrypt_many, i.items)

    def peer(name: str, fname: str) -> Contender:
        rival = RIVALS[name]

        def make(i: BatchInputs) -> Bench:
            return _loop(getattr(rival_module(rival), fname), i.items)

        return Contender(name, make, rival_missing(rival))

    def compiled() -> str | None:
        if _backend.IMPLEMENTATION != "c":
            return "the pure twin's batch is itself this loop (the mtcore row)"
        return None

    return [
        Contender("mtcore", default),
        Contender("mtcore-out", into),
        Contender("mtcore-loop", loop, compiled),
        *(
            Contender(
                f"mtcore-{k}",
                kernel(k),
                _batch_kernel_missing(k),
                PORTABLE_BATCH_MAX if k == "portable" else None,
            )
            for k in KERNELS
        ),
        Contender("mtcore-pure", pure, pure_api_missing("ige_encrypt_many"), PURE_MAX),
        peer("tgcrypto", "ige256_encrypt"),
        peer("cryptg", "encrypt_ige"),
        peer("hypercrypto", "ige256_encrypt"),
    ]


register(
    Operation(
        "ige_encrypt_many",
        "AES-256-IGE encrypt of independent messages in one call "
        "(throughput = all items)",
        BATCHES,
        make_batch,
        tuple(_ige_many_contenders()),
        headline=(Batch(16, 512 * KiB), Batch(32, 64 * KiB)),
        notes=(
            (
                "mtcore and mtcore-<kernel>: ige_encrypt_many(items), one call; "
                "mtcore-out: the same with each item's fourth element, an "
                "output buffer kept from call to call (no fresh pages); "
                "mtcore-loop and the peers (none batches): "
                "[f(d, k, iv) for d, k, iv in items]."
            ),
        ),
    )
)


@dataclass(frozen=True)
class MsgBatchInputs(Args):
    """
    The arguments of a batch of MTProto messages: one auth key, the inner
    plaintexts (header + body of ``size`` bytes each).
    """

    auth_key: bytes
    plaintexts: tuple[bytes, ...]


#: Uploads: many 512 KiB parts; a server: many small messages.
MSG_BATCHES = (Batch(16, 512 * KiB), Batch(64, 1 * KiB))


@functools.cache
def make_msg_batch(size: Batch) -> MsgBatchInputs:
    rng = random.Random(f"mtcore-bench/messages/{size.count}/{size.size}")
    plaintexts = []
    for _ in range(size.count):
        msg_id = (MSG_TIME << 32) | (rng.getrandbits(30) << 2)
        body = upload_file_body(size.size, rng)
        head = HEADER.pack(
            rng.getrandbits(63), rng.getrandbits(63), msg_id, 1, len(body)
        )
        plaintexts.append(head + body)
    return MsgBatchInputs(rng.randbytes(256), tuple(plaintexts))


def _msg_batch_plaintexts(prefix: bool) -> Callable[[MsgBatchInputs, Any], bytes]:
    """
    A batch's packets, each decrypted by mtcore (every check), joined: the
    padding is random, so the packets themselves differ from run to run.
    """

    def output(i: MsgBatchInputs, packets: Any) -> bytes:
        mt = mtcore_mtproto()
        key = mt.AuthKey(i.auth_key)
        head = auth_key_id_of(i.auth_key) if prefix else b""
        return b"".join(
            bytes(mt.decrypt_message(key, head + bytes(p), from_client=True))
            for p in packets
        )

    return output


def _check_msg_batch(i: MsgBatchInputs, got: bytes) -> str | None:
    if got != b"".join(i.plaintexts):
        return "a packet does not decrypt to its plaintext"
    return None


def _encrypt_messages_contenders() -> list[Contender]:
    def default(i: MsgBatchInputs) -> Bench:
        mt = mtcore_mtproto()
        return functools.partial(
            mt.encrypt_messages,
            mt.AuthKey(i.auth_key),
            i.plaintexts,
            from_client=True,
        )

    def loop(i: MsgBatchInputs) -> Bench:
        mt = mtcore_mtproto()
        return Stmt(
            "[f(k, p, from_client=True) for p in pts]",
            f=mt.encrypt_message,
            k=mt.AuthKey(i.auth_key),
            pts=i.plaintexts,
        )

    hc = RIVALS["hypercrypto"]

    def hypercrypto(i: MsgBatchInputs) -> Bench:
        return Stmt(
            "[f(k, p, True) for p in pts]",
            f=rival_module(hc).pack_message,
            k=i.auth_key,
            pts=i.plaintexts,
        )

    return [
        Contender("mtcore", default, output=_msg_batch_plaintexts(False)),
        Contender("mtcore-loop", loop, output=_msg_batch_plaintexts(False)),
        Contender(
            "hypercrypto",
            hypercrypto,
            rival_missing(hc),
            output=_msg_batch_plaintexts(True),
        ),
    ]


register(
    Operation(
        "mtproto_encrypt_many",
        "MTProto 2.0 encrypt of many messages in one call (throughput = all bodies)",
        MSG_BATCHES,
        make_msg_batch,
        tuple(_encrypt_messages_contenders()),
        notes=(
            (
                "mtcore: encrypt_messages(AuthKey, plaintexts), one call; "
                "mtcore-loop and hypercrypto: a packet a call (hypercrypto's "
                "pack_message leaves out the auth_key_id)."
            ),
            ("Checked: mtcore decrypts every packet of every row to its plaintext."),
        ),
        check=_check_msg_batch,
        headline=(Batch(16, 512 * KiB),),
    )
)
