"""
The drop-in family (``mtcore.compat``): each client's own code (Pyrogram's
crypto.aes and crypto.mtproto, Telethon's crypto.AES, MTProtoState and
AESModeCTR) timed on its original backend and on mtcore, side by side in
one process; tgcrypto's and cryptg's functions against mtcore.compat's; pq
factorization.  mtcore.compat.install() works at import time, so the rows
on mtcore run private copies of the clients' functions: the same code
objects, with the module names ``tgcrypto``/``cryptg``/``aes`` bound to
what install() would have given them.
"""

from __future__ import annotations

import functools
import importlib
import json
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mtcore._bench.available import (
    PYAES_MAX,
    api_attr,
    compat_module,
    import_peer,
    peer_missing,
    peers_missing,
    real_missing,
    real_peer,
)
from mtcore._bench.mtproto import (
    MTPROTO_SIZES,
    MsgInputs,
    check_message,
    check_packet,
    make_message,
    pyrogram_output,
    pyrogram_pack_bench,
    pyrogram_unpack_bench,
    telethon_message_key,
    telethon_state,
)
from mtcore._bench.registry import (
    Args,
    Batch,
    Bench,
    Contender,
    Inputs,
    KiB,
    Operation,
    Stmt,
    Unavailable,
    make_inputs,
    register,
)

#: The payload sizes of the raw drop-in cases (1 B: Pyrogram's length reads).
COMPAT_CTR_SIZES = (1, 64, 1 * KiB, 16 * KiB, 512 * KiB)
COMPAT_IGE_SIZES = (64, 1 * KiB, 512 * KiB)
#: Telethon's own AESModeCTR (pyaes) is timed up to this size: the goal is
#: stated at 512 KiB (about 2 s a call).
TELETHON_PYAES_MAX = 512 * KiB
#: The factorization case: this many pq, 63-bit products of a 31-bit and a
#: 32-bit prime, in one call.
PQ_COUNT = 50

_MISSING = object()


def _rebound(fn: Any, **names: Any) -> Any:
    """
    A copy of the function ``fn`` (same code, defaults and closure) whose
    global ``names`` are bound to other objects.
    """
    import types

    scope = dict(fn.__globals__)
    scope.update(names)
    copy = types.FunctionType(
        fn.__code__, scope, fn.__name__, fn.__defaults__, fn.__closure__
    )
    copy.__kwdefaults__ = fn.__kwdefaults__
    copy.__qualname__ = fn.__qualname__
    return copy


def _module_copy(name: str, label: str, imports: dict[str, Any]) -> Any:
    """
    A private copy of the installed module ``name``, executed afresh while
    ``sys.modules`` maps each key of ``imports`` to its value (a module:
    what ``import key`` gives; ``None``: the import fails), as the module
    would have come out after ``mtcore.compat.install()`` (or without the
    package).  Its log records go nowhere.
    """
    import importlib.util
    import logging

    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        raise Unavailable(f"{name} is not installed")
    alias = f"mtcore._bench.{name}[{label}]"
    copy_spec = importlib.util.spec_from_file_location(alias, spec.origin)
    assert copy_spec is not None and copy_spec.loader is not None
    module = importlib.util.module_from_spec(copy_spec)
    log = logging.getLogger(alias)
    log.addHandler(logging.NullHandler())
    log.propagate = False
    saved: dict[str, Any] = {key: sys.modules.get(key, _MISSING) for key in imports}
    sys.modules.update(imports)
    try:
        copy_spec.loader.exec_module(module)
    finally:
        for key, value in saved.items():
            if value is _MISSING:
                sys.modules.pop(key, None)
            else:
                sys.modules[key] = value
    return module


#: Pyrogram's backends: "tgcrypto" (its own), "mtcore" (after
#: mtcore.compat.install()), "pyaes" (its fallback without tgcrypto, as on
#: Pythons that tgcrypto has no wheels for).
_PYROGRAM_BACKENDS = ("mtcore", "tgcrypto", "pyaes")


@functools.cache
def _pyrogram_on(backend: str) -> Any:
    """
    Pyrogram's crypto.aes (a private copy imported with ``tgcrypto``
    resolving to the backend) and crypto.mtproto's pack/unpack calling it.
    """
    import types

    import_peer("pyrogram")
    getters: dict[str, Callable[[], Any]] = {
        "mtcore": lambda: compat_module("tgcrypto"),
        "tgcrypto": lambda: real_peer("tgcrypto"),
        "pyaes": lambda: (import_peer("pyaes"), None)[1],
    }
    target = getters[backend]()
    aes = _module_copy("pyrogram.crypto.aes", backend, {"tgcrypto": target})
    if (getattr(aes, "tgcrypto", None) is None) != (backend == "pyaes"):
        raise Unavailable(f"Pyrogram's crypto.aes did not take {backend}")
    mtproto = import_peer("pyrogram.crypto.mtproto")
    return types.SimpleNamespace(
        aes=aes,
        pack=_rebound(mtproto.pack, aes=aes),
        unpack=_rebound(mtproto.unpack, aes=aes),
    )


def _pyrogram_missing(backend: str) -> Callable[[], str | None]:
    peers = {"mtcore": (), "tgcrypto": ("tgcrypto",), "pyaes": ("pyaes",)}[backend]
    check_peers = peers_missing("pyrogram", *peers)

    def check() -> str | None:
        reason = check_peers()
        if reason is None and backend == "tgcrypto":
            reason = real_missing("tgcrypto")()
        return reason

    return check


def _pyrogram_row(
    backend: str, bench: Callable[[Any, MsgInputs], Bench], **kw: Any
) -> Contender:
    # Pyrogram's pack or unpack (bench) on a backend.
    def make(i: MsgInputs) -> Bench:
        return bench(_pyrogram_on(backend), i)

    return Contender(
        backend,
        make,
        _pyrogram_missing(backend),
        PYAES_MAX if backend == "pyaes" else None,
        **kw,
    )


def _pyrogram_ctr_row(backend: str) -> Contender:
    def make(i: Inputs) -> Bench:
        # One stream, as a transport keeps one (iv, state) per direction.
        return functools.partial(
            _pyrogram_on(backend).aes.ctr256_encrypt,
            i.data,
            bytearray(i.key),
            bytearray(i.iv),
            bytearray(1),
        )

    return Contender(
        backend,
        make,
        _pyrogram_missing(backend),
        PYAES_MAX if backend == "pyaes" else None,
    )


_PYROGRAM_NOTE = (
    "Pyrogram's own functions on each backend: mtcore = after "
    "mtcore.compat.install() (mtcore.compat.tgcrypto), tgcrypto = as shipped, "
    "pyaes = its fallback where tgcrypto is missing (no tgcrypto wheels past "
    "Python 3.11)."
)

register(
    Operation(
        "compat_pyrogram_pack",
        "Pyrogram crypto.mtproto.pack, client to server (size = message body)",
        MTPROTO_SIZES,
        lambda size: make_message(size, True),
        tuple(_pyrogram_row(b, pyrogram_pack_bench) for b in _PYROGRAM_BACKENDS),
        notes=(
            _PYROGRAM_NOTE,
            (
                "Its Message body pre-serialized; random padding: checked by "
                "decrypting every packet with mtcore."
            ),
        ),
        check=check_packet,
    )
)
register(
    Operation(
        "compat_pyrogram_unpack",
        "Pyrogram crypto.mtproto.unpack, server to client (size = message body)",
        MTPROTO_SIZES,
        lambda size: make_message(size, False),
        tuple(
            _pyrogram_row(b, pyrogram_unpack_bench, output=pyrogram_output)
            for b in _PYROGRAM_BACKENDS
        ),
        notes=(_PYROGRAM_NOTE, "A BytesIO per call, as its Session does."),
        check=check_message,
    )
)
register(
    Operation(
        "compat_pyrogram_ctr",
        "Pyrogram crypto.aes.ctr256_encrypt, its obfuscated transports' CTR",
        COMPAT_CTR_SIZES,
        lambda size: make_inputs(size, 16),
        tuple(_pyrogram_ctr_row(b) for b in _PYROGRAM_BACKENDS),
        verify_calls=2,
        notes=(
            _PYROGRAM_NOTE,
            (
                "One (iv, state) pair continued call after call, as a connection "
                "does; 1 B is its read of a frame's length byte."
            ),
        ),
    )
)


@functools.cache
def _telethon_state_class(backend: str) -> Any:
    """
    Telethon's MTProtoState whose encrypt/decrypt_message_data call its
    crypto.AES, whose encrypt_ige/decrypt_ige call ``backend``: the real
    cryptg or mtcore.compat.cryptg (as after mtcore.compat.install() or
    mtcore.compat.telethon.install()).
    """
    target = real_peer("cryptg") if backend == "cryptg" else compat_module("cryptg")
    aes = import_peer("telethon.crypto.aes").AES
    aes_copy = type(
        "AES",
        (aes,),
        {
            name: staticmethod(_rebound(getattr(aes, name), cryptg=target))
            for name in ("encrypt_ige", "decrypt_ige")
        },
    )
    state = import_peer("telethon.network.mtprotostate").MTProtoState
    return type(
        "MTProtoState",
        (state,),
        {
            name: _rebound(getattr(state, name), AES=aes_copy)
            for name in ("encrypt_message_data", "decrypt_message_data")
        },
    )


def _telethon_missing(backend: str) -> Callable[[], str | None]:
    if backend == "cryptg":
        return peers_missing("telethon", "cryptg")
    return peer_missing("telethon")


def _telethon_encrypt_row(backend: str) -> Contender:
    def make(i: MsgInputs) -> Bench:
        state = telethon_state(i, _telethon_state_class(backend))
        return functools.partial(state.encrypt_message_data, i.plaintext[16:])

    return Contender(backend, make, _telethon_missing(backend))


def _telethon_decrypt_row(backend: str) -> Contender:
    def make(i: MsgInputs) -> Bench:
        state = telethon_state(i, _telethon_state_class(backend))
        return functools.partial(state.decrypt_message_data, i.packet)

    return Contender(
        backend, make, _telethon_missing(backend), output=telethon_message_key
    )


def _telethon_original_ctr() -> Any:
    cls = import_peer("telethon.crypto.aesctr").AESModeCTR
    if cls.__module__.startswith("mtcore."):
        raise Unavailable("Telethon's AESModeCTR is patched by mtcore in this process")
    return cls


def _telethon_ctr_rows() -> tuple[Contender, ...]:
    def mtcore_row(i: Inputs) -> Bench:
        return functools.partial(
            compat_module("telethon").AESModeCTR(i.key, i.iv).encrypt, i.data
        )

    def pyaes_row(i: Inputs) -> Bench:
        return functools.partial(_telethon_original_ctr()(i.key, i.iv).encrypt, i.data)

    return (
        Contender("mtcore", mtcore_row, peer_missing("telethon")),
        Contender(
            "pyaes",
            pyaes_row,
            peers_missing("telethon", "pyaes"),
            TELETHON_PYAES_MAX,
            quick_max_size=PYAES_MAX,
        ),
    )


_TELETHON_NOTE = (
    "Telethon's own MTProtoState on each backend: mtcore = "
    "mtcore.compat.cryptg (after mtcore.compat.install() or "
    "mtcore.compat.telethon.install()), cryptg = as shipped with cryptg."
)

register(
    Operation(
        "compat_telethon_encrypt",
        "Telethon MTProtoState.encrypt_message_data (size = message body)",
        MTPROTO_SIZES,
        lambda size: make_message(size, True),
        tuple(_telethon_encrypt_row(b) for b in ("mtcore", "cryptg")),
        notes=(
            _TELETHON_NOTE,
            "Random padding: checked by decrypting every packet with mtcore.",
        ),
        check=check_packet,
    )
)
register(
    Operation(
        "compat_telethon_decrypt",
        "Telethon MTProtoState.decrypt_message_data (size = message body)",
        MTPROTO_SIZES,
        lambda size: make_message(size, False),
        tuple(_telethon_decrypt_row(b) for b in ("mtcore", "cryptg")),
        notes=(_TELETHON_NOTE, "The TL body is parsed (an upload.File)."),
        check=check_message,
    )
)
register(
    Operation(
        "compat_telethon_ctr",
        "Telethon AESModeCTR.encrypt, its obfuscated transports' and CDN's CTR",
        (64, 1 * KiB, 16 * KiB, 512 * KiB),
        lambda size: make_inputs(size, 16),
        _telethon_ctr_rows(),
        verify_calls=2,
        notes=(
            (
                "mtcore = mtcore.compat.telethon.AESModeCTR (what "
                "mtcore.compat.telethon.install() puts in); pyaes = Telethon's own "
                "class, whatever else is installed.  One stream, continued."
            ),
        ),
    )
)


def _raw_rows(
    module: str, fname: str, stream: bool = False
) -> tuple[Contender, Contender]:
    """
    mtcore.compat.<module>.<fname> and the real <module>.<fname>, called as
    (data, key, iv) or, for a CTR stream, (data, key, iv, state) with one
    bytearray iv and state each.
    """

    def row(get: Callable[[], Any]) -> Callable[[Inputs], Bench]:
        def make(i: Inputs) -> Bench:
            fn = getattr(get(), fname)
            if stream:
                return functools.partial(
                    fn, i.data, i.key, bytearray(i.iv), bytearray(1)
                )
            return functools.partial(fn, i.data, i.key, i.iv)

        return make

    return (
        Contender("mtcore", row(lambda: compat_module(module))),
        Contender(module, row(lambda: real_peer(module)), real_missing(module)),
    )


register(
    Operation(
        "compat_tgcrypto_ctr",
        "tgcrypto.ctr256_encrypt vs mtcore.compat.tgcrypto (one stream)",
        COMPAT_CTR_SIZES,
        lambda size: make_inputs(size, 16),
        _raw_rows("tgcrypto", "ctr256_encrypt", stream=True),
        verify_calls=2,
    )
)
register(
    Operation(
        "compat_tgcrypto_ige",
        "tgcrypto.ige256_encrypt vs mtcore.compat.tgcrypto",
        COMPAT_IGE_SIZES,
        lambda size: make_inputs(size, 32),
        _raw_rows("tgcrypto", "ige256_encrypt"),
    )
)
register(
    Operation(
        "compat_cryptg_ige",
        "cryptg.encrypt_ige vs mtcore.compat.cryptg",
        COMPAT_IGE_SIZES,
        lambda size: make_inputs(size, 32),
        _raw_rows("cryptg", "encrypt_ige"),
        notes=("mtcore.compat.cryptg.encrypt_ige is mtcore.aes.ige_encrypt.",),
    )
)


def _random_prime(rng: random.Random, bits: int) -> int:
    # Inputs only: mtcore's own primality test is checked by the tests.
    from mtcore._py.auth import is_prime

    while True:
        n = rng.getrandbits(bits) | (1 << (bits - 1)) | 1
        if is_prime(n):
            return n


@dataclass(frozen=True)
class PQInputs(Args):
    """
    The pq of the factorization case.
    """

    pqs: tuple[int, ...]


@functools.cache
def make_pqs(size: Batch) -> PQInputs:
    """
    ``size.count`` random 63-bit pq, each the product of a random 31-bit
    and a random 32-bit prime (as Telegram's servers send).
    """
    rng = random.Random(f"mtcore-bench/pq/{size.count}")
    pqs: list[int] = []
    while len(pqs) < size.count:
        pq = _random_prime(rng, 31) * _random_prime(rng, 32)
        if pq.bit_length() == 63:
            pqs.append(pq)
    return PQInputs(tuple(pqs))


def _factor_pairs(i: PQInputs, result: Any) -> bytes:
    return json.dumps([sorted(int(f) for f in pair) for pair in result]).encode()


def _factorize_rows() -> tuple[Contender, ...]:
    def row(get: Callable[[], Any]) -> Callable[[PQInputs], Bench]:
        def make(i: PQInputs) -> Bench:
            return Stmt("[f(pq) for pq in pqs]", f=get(), pqs=i.pqs)

        return make

    def auth_missing() -> str | None:
        try:
            importlib.import_module("mtcore.auth")
        except (ImportError, AttributeError) as exc:
            return f"mtcore.auth is not in this build ({exc})"
        return None

    return (
        Contender(
            "mtcore",
            row(lambda: api_attr("mtcore.auth", "factorize_pq")),
            auth_missing,
            output=_factor_pairs,
        ),
        Contender(
            "mtcore-compat",
            row(lambda: compat_module("cryptg").factorize_pq_pair),
            auth_missing,
            output=_factor_pairs,
        ),
        Contender(
            "cryptg",
            row(lambda: real_peer("cryptg").factorize_pq_pair),
            real_missing("cryptg"),
            output=_factor_pairs,
        ),
        Contender(
            "telethon",
            row(
                lambda: (
                    import_peer("telethon.crypto.factorization").Factorization.factorize
                )
            ),
            peer_missing("telethon"),
            output=_factor_pairs,
            quick_max_size=0,
        ),
    )


register(
    Operation(
        "compat_factorize",
        f"pq factorization, {PQ_COUNT} random 63-bit pq per call",
        (Batch(PQ_COUNT, 8),),
        make_pqs,
        _factorize_rows(),
        headline=(Batch(PQ_COUNT, 8),),
        notes=(
            (
                f"Per call: all {PQ_COUNT} pq (divide by {PQ_COUNT} for the mean per "
                "pq). mtcore: mtcore.auth.factorize_pq; mtcore-compat: "
                "mtcore.compat.cryptg.factorize_pq_pair; cryptg: "
                "cryptg.factorize_pq_pair; telethon: "
                "telethon.crypto.factorization.Factorization.factorize (pure Python)."
            ),
        ),
    )
)
