"""
The AES family: IGE, CTR and CBC one-shot calls and streams, mtcore's
kernels and pure twin against tgcrypto, cryptg, hypercrypto, cryptography
and pyaes.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from mtcore._bench.available import PYAES_MAX, import_peer, mtcore_rows, peer_missing
from mtcore._bench.registry import (
    Bench,
    Contender,
    Inputs,
    KiB,
    MiB,
    Operation,
    make_inputs,
    register,
)
from mtcore._bench.rivals import Rival, rival_missing, rival_module, rival_rows

#: The payload sizes of the AES operations.
SIZES = (16, 64, 1 * KiB, 16 * KiB, 512 * KiB, 4 * MiB)


def _mtcore_aes() -> Any:
    import mtcore.aes

    return mtcore.aes


def _mtcore_one_shot(fname: str) -> list[Contender]:
    """
    mtcore's default, its other kernels and the pure twin for a one-shot
    function of the (data, key, iv) shape.
    """

    def call(aes: Any, i: Inputs) -> Bench:
        return functools.partial(getattr(aes, fname), i.data, i.key, i.iv)

    return mtcore_rows(call, _mtcore_aes)


def _mtcore_ctr(aes: Any, i: Inputs) -> Bench:
    return functools.partial(aes.Ctr(i.key, i.iv).update, i.data)


def _rival_fn(fname: str, iv: str = "bytes") -> Callable[[Rival], Contender]:
    """
    A rival's one-shot ``fname(data, key, iv)``; ``iv="bytearray"`` hands
    it a private bytearray, for rivals that write the next IV into it.
    """

    def row(rival: Rival) -> Contender:
        def make(i: Inputs) -> Bench:
            fn = getattr(rival_module(rival), fname)
            return functools.partial(
                fn, i.data, i.key, bytearray(i.iv) if iv == "bytearray" else i.iv
            )

        return Contender(rival.name, make, rival_missing(rival))

    return row


def _cryptography(mode: str, decrypt: bool = False) -> Contender:
    """
    cryptography with one encryptor/decryptor reused across calls (CBC
    then chains from call to call: the same work per call).
    """

    def make(i: Inputs) -> Bench:
        import_peer("cryptography")
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

        cipher = Cipher(algorithms.AES(i.key), getattr(modes, mode)(i.iv))
        ctx = cipher.decryptor() if decrypt else cipher.encryptor()
        return functools.partial(ctx.update, i.data)

    return Contender("cryptography", make, peer_missing("cryptography"))


def _rival_ctr(rival: Rival) -> Contender:
    """
    tgcrypto's ``ctr256_encrypt(data, key, iv, state)`` (and its
    followers'): a stream when the 16-byte iv and the 1-byte state are
    bytearrays that the call updates.
    """

    def make(i: Inputs) -> Bench:
        fn = rival_module(rival).ctr256_encrypt
        return functools.partial(fn, i.data, i.key, bytearray(i.iv), bytearray(1))

    return Contender(rival.name, make, rival_missing(rival))


def _pyaes_ctr() -> Contender:
    def make(i: Inputs) -> Bench:
        pyaes = import_peer("pyaes")
        counter = pyaes.Counter(initial_value=int.from_bytes(i.iv, "big"))
        return functools.partial(
            pyaes.AESModeOfOperationCTR(i.key, counter=counter).encrypt, i.data
        )

    return Contender("pyaes", make, peer_missing("pyaes"), PYAES_MAX)


_CHAINED = (
    "tgcrypto (and its followers) and cryptography carry the IV from call to "
    "call (a reused context): the same work per call."
)

register(
    Operation(
        "ige_encrypt",
        "AES-256-IGE encrypt",
        SIZES,
        lambda size: make_inputs(size, 32),
        (
            *_mtcore_one_shot("ige_encrypt"),
            *rival_rows(
                ige=_rival_fn("ige256_encrypt"), ige_cryptg=_rival_fn("encrypt_ige")
            ),
        ),
        notes=("cryptography offers no IGE.",),
        headline=(16, 64, 16 * KiB, 512 * KiB),
    )
)
register(
    Operation(
        "ige_decrypt",
        "AES-256-IGE decrypt",
        SIZES,
        lambda size: make_inputs(size, 32),
        (
            *_mtcore_one_shot("ige_decrypt"),
            *rival_rows(
                ige=_rival_fn("ige256_decrypt"), ige_cryptg=_rival_fn("decrypt_ige")
            ),
        ),
        headline=(64, 512 * KiB),
    )
)
register(
    Operation(
        "ctr",
        "AES-256-CTR stream (update into fresh bytes)",
        SIZES,
        lambda size: make_inputs(size, 16),
        (
            *mtcore_rows(_mtcore_ctr, _mtcore_aes),
            *rival_rows(ctr=_rival_ctr),
            _cryptography("CTR"),
            _pyaes_ctr(),
        ),
        verify_calls=2,
        headline=(16, 512 * KiB),
        notes=("Every contender keeps one stream and continues it call after call.",),
    )
)
for _op in ("cbc_encrypt", "cbc_decrypt"):
    _fname = _op.replace("cbc_", "cbc256_")
    register(
        Operation(
            _op,
            f"AES-256-CBC {_op[4:]}",
            SIZES,
            lambda size: make_inputs(size, 16),
            (
                *_mtcore_one_shot(_op),
                *rival_rows(
                    cbc=_rival_fn(_fname, iv="bytearray"),
                    cbc_bytes=_rival_fn(_fname),
                ),
                _cryptography("CBC", decrypt=_op == "cbc_decrypt"),
            ),
            notes=(_CHAINED,),
            headline=(16 * KiB,),
        )
    )
