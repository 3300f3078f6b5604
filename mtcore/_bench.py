"""
Benchmarks of mtcore against its peers, behind ``python -m mtcore bench``.

A small registry: an :class:`Operation` (``"ige_encrypt"``,
``"mtproto_encrypt"``, ``"sha256"``, later TL) has payload sizes and a list of
:class:`Contender` s, each a name and a factory that turns the case's inputs
(:class:`Inputs`, :class:`MsgInputs`, :class:`BatchInputs`) into a
zero-argument callable.  mtcore's default kernel comes first: it is the
reference for the outputs (every contender is checked against it before any
timing) and for the ratios (peer time / mtcore time, so above 1 means mtcore
is faster).  Where outputs are random (MTProto padding) an operation checks
each output on its own instead: the packet must decrypt, with mtcore, to the
message that went in.

Peers are test and bench extras, never runtime needs: each is imported only
when a contender that needs it is built, and is skipped with a reason when it
is absent.  ``benches/`` (pytest-benchmark) uses the same definitions.

Timing: each contender gets a loop count that makes one sample last about
15 ms; samples are taken round-robin across the contenders of a case (the
starting contender rotates), so drift on a shared machine hits all alike;
the median per call is reported.  Calls made through ``functools.partial``
are unwrapped into a generated loop that calls the function directly, as
``timeit`` does, so the harness adds the same small cost (shown in the
header) to every contender; a :class:`Stmt` (an expression such as
``hashlib.sha256(d).digest()`` or a list comprehension over a batch) is
inlined into the loop the same way.
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import datetime
import functools
import gc
import importlib
import itertools
import json
import os
import platform
import random
import statistics
import struct
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

import mtcore
from mtcore import _backend

KiB = 1024
MiB = 1024 * KiB

#: The payload sizes of the AES operations.
SIZES = (16, 64, 1 * KiB, 16 * KiB, 512 * KiB, 4 * MiB)

#: The pure-Python twin and pyaes are timed only up to these sizes (slow).
PURE_MAX = 16 * KiB
PYAES_MAX = 1 * KiB

#: The compiled kernels, fastest first (``mtcore-<name>`` contenders).
KERNELS = ("vaes", "aesni", "armaes", "ssse3vp", "neonvp", "portable")

SAMPLES = 9
QUICK_SAMPLES = 3
TARGET_NS = 15_000_000  # one sample of one contender
THREAD_TARGET_NS = 40_000_000  # one thread's run in the two-thread check
MAX_LOOPS = 1_000_000

# Distribution names of the peers, for the version report.
PEERS = {
    "tgcrypto": "TgCrypto",
    "cryptg": "cryptg",
    "hypercrypto": "hypercrypto",
    "cryptography": "cryptography",
    "pyaes": "pyaes",
    "telethon": "Telethon",
    "pyrogram": "Pyrogram",
}

Bench = Callable[[], Any]


class Stmt:
    """
    A bench written as one expression over named values, for calls that a
    ``functools.partial`` cannot express (``hashlib.sha256(d).digest()``,
    a list comprehension over a batch); the timer inlines the expression
    into its loop, with the names as locals, as ``timeit`` inlines its
    statement.  Calling the object evaluates the expression once.

    :param expr: a Python expression.
    :param names: the values the expression uses.
    """

    def __init__(self, expr: str, **names: Any) -> None:
        self.expr = expr
        self.names = names
        params = ", ".join(f"{n}={n}" for n in names)
        namespace: dict[str, Any] = {}
        exec(  # noqa: S102 -- our own expressions, as timeit does
            f"def outer({', '.join(names)}):\n"
            f"    def stmt({params}):\n"
            f"        return {expr}\n"
            "    return stmt\n",
            namespace,
        )
        self._fn: Bench = namespace["outer"](**names)

    def __call__(self) -> Any:
        return self._fn()

    def __repr__(self) -> str:
        return f"Stmt({self.expr!r})"


class Unavailable(Exception):
    """
    A contender cannot run here; the message says why.
    """


# --- inputs -------------------------------------------------------------


def _fresh(value: Any) -> Any:
    """
    A copy of ``value`` whose bytes objects are new ones (through lists
    and tuples); other values as they are.
    """
    if isinstance(value, (bytes, bytearray)):
        return type(value)(bytearray(value))
    if isinstance(value, (list, tuple)):
        return type(value)(_fresh(v) for v in value)
    return value


class _Args:
    """
    Base of the input dataclasses: :meth:`copy` and the fields that
    :func:`verify` checks for writes.
    """

    def copy(self: Any) -> Any:
        """
        Fresh objects with the same bytes, so that a contender that writes
        into its arguments cannot disturb the others (tgcrypto's CBC and
        CTR write the next IV into the iv object, even into ``bytes``).
        """
        return dataclasses.replace(
            self,
            **{f.name: _fresh(getattr(self, f.name)) for f in dataclasses.fields(self)},
        )


@dataclass(frozen=True)
class Inputs(_Args):
    """
    The arguments of one case: a payload, a 32-byte key and an IV.
    """

    data: bytes
    key: bytes
    iv: bytes


@functools.cache
def make_inputs(size: int, iv_size: int) -> Inputs:
    """
    Deterministic pseudo-random inputs for a case (not secret: benchmarks).
    """
    rng = random.Random(f"mtcore-bench/{size}/{iv_size}")
    return Inputs(rng.randbytes(size), rng.randbytes(32), rng.randbytes(iv_size))


# --- the registry -------------------------------------------------------


@dataclass(frozen=True)
class Contender:
    """
    One implementation of an operation.

    :param name: the label in tables, JSON and pytest ids.
    :param make: builds the zero-argument callable to time from the case's
        inputs (its own copy); may raise :class:`Unavailable`.
    :param requires: returns why the contender cannot run here, or ``None``.
    :param max_size: larger payloads (bytes per call) are skipped (too slow
        to time).
    :param output: turns a result into the bytes compared at verification
        (``output(inputs, result)``; default ``bytes(result)``), e.g. a
        decrypted message object into msg_id + seq_no + body.
    :param cross: an extra check at verification, ``cross(inputs)``:
        returns what went wrong or ``None`` (e.g. the peer's own decrypt
        reading mtcore's packet).
    """

    name: str
    make: Callable[[Any], Bench]
    requires: Callable[[], str | None] = lambda: None
    max_size: int | None = None
    output: Callable[[Any, Any], bytes] | None = None
    cross: Callable[[Any], str | None] | None = None

    def skip_reason(self, size: int | Batch) -> str | None:
        """
        Why this contender is not timed at ``size``, or ``None``.
        """
        reason = self.requires()
        if (
            reason is None
            and self.max_size is not None
            and total_bytes(size) > self.max_size
        ):
            reason = f"too slow above {size_label(self.max_size)}"
        return reason

    def result_bytes(self, inputs: Any, result: Any) -> bytes:
        """
        The bytes of a result that verification compares.
        """
        if self.output is not None:
            return self.output(inputs, result)
        return _as_bytes(result)


@dataclass(frozen=True)
class Operation:
    """
    A benchmarked operation.

    :param name: the key (``"ige_encrypt"``), used by ``--filter``.
    :param title: the heading of its table.
    :param sizes: the payload sizes (a :class:`Batch` for batch cases).
    :param inputs: builds the inputs for a size.
    :param contenders: mtcore's default first (the reference), then the rest.
    :param verify_calls: how many successive calls of a fresh contender are
        compared with mtcore's (2 for streams: the second call must continue
        the keystream).
    :param notes: printed under the title.
    :param check: for outputs that differ from call to call (random
        padding): ``check(inputs, output_bytes)`` returns what is wrong
        with one output or ``None``; it replaces the comparison with
        mtcore's output and is applied to mtcore's own row too.

    :param memory: when set, the peak of memory allocated during one call
        of each timed contender is measured too (tracemalloc), and reported
        as a multiple of ``memory(inputs, contender_name)``, the bytes that
        contender reads.
    """

    name: str
    title: str
    sizes: tuple[Any, ...]
    inputs: Callable[[Any], Any]
    contenders: tuple[Contender, ...]
    verify_calls: int = 1
    notes: tuple[str, ...] = ()
    check: Callable[[Any, bytes], str | None] | None = None
    memory: Callable[[Any, str], int] | None = None

    def contender(self, name: str) -> Contender:
        for c in self.contenders:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no contender {name!r}")


#: Every operation, in table order.
OPERATIONS: dict[str, Operation] = {}


def register(op: Operation) -> Operation:
    """
    Add an operation to the registry (its name must be new).
    """
    if op.name in OPERATIONS:
        raise ValueError(f"operation {op.name!r} is already registered")
    if not op.contenders or not op.contenders[0].name == "mtcore":
        raise ValueError("mtcore's default must be the first contender")
    OPERATIONS[op.name] = op
    return op


def contender_names(op_name: str) -> list[str]:
    """
    The contenders of an operation, for pytest parametrization (imports no
    peer).
    """
    return [c.name for c in OPERATIONS[op_name].contenders]


def needs_verify(op: Operation, contender: Contender) -> bool:
    """
    Whether ``contender``'s output is checked before timing: every peer
    and kernel; mtcore's own row too where the operation has a
    :attr:`Operation.check`.
    """
    return contender is not op.contenders[0] or op.check is not None


@dataclass(frozen=True, order=True)
class Batch:
    """
    The size of a batch case: ``count`` independent payloads of ``size``
    bytes each (in :attr:`Operation.sizes`, where plain ints are one
    payload).
    """

    count: int
    size: int


def total_bytes(size: int | Batch) -> int:
    """
    The bytes a case processes per call (throughput is reckoned on it).
    """
    return size.count * size.size if isinstance(size, Batch) else size


def size_label(size: int | Batch, sep: str = " ") -> str:
    """
    ``16 B``, ``1 KiB``, ``4 MiB``, ``8 x 512 KiB`` (``sep=""`` for ids:
    ``8x512KiB``).
    """
    if isinstance(size, Batch):
        return f"{size.count}{sep}x{sep}{size_label(size.size, sep)}"
    for unit, scale in (("MiB", MiB), ("KiB", KiB)):
        if size >= scale and size % scale == 0:
            return f"{size // scale}{sep}{unit}"
    return f"{size}{sep}B"


# --- availability -------------------------------------------------------


def _peer(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise Unavailable(f"{module} is not installed ({exc})") from None


def _peer_missing(module: str) -> Callable[[], str | None]:
    def check() -> str | None:
        try:
            _peer(module)
        except Unavailable as exc:
            return str(exc)
        return None

    return check


def _impl() -> Any:
    """
    The implementation module the public functions come from.
    """
    if _backend.IMPLEMENTATION == "c":
        return importlib.import_module("mtcore._cmtcore")
    return importlib.import_module("mtcore._py")


def _kernel_missing(name: str) -> Callable[[], str | None]:
    def check() -> str | None:
        impl = _impl()
        if _backend.IMPLEMENTATION != "c":
            return "the compiled extension is not loaded"
        if name == impl.aes_kernel:
            return f"{name} is mtcore's default kernel (the mtcore row)"
        if name not in impl.aes_kernels():
            return f"the {name} kernel does not run on this machine"
        return None

    return check


def _pure_missing() -> str | None:
    if _backend.IMPLEMENTATION != "c":
        return "mtcore itself runs the pure twin here (the mtcore row)"
    return None


def _kernel(name: str) -> Any:
    reason = _kernel_missing(name)()
    if reason is not None:
        raise Unavailable(reason)
    return _impl().AesKernel(name)


def _pure() -> Any:
    from mtcore import _py

    return _py


# --- AES contenders -----------------------------------------------------


def _mtcore_one_shot(fname: str) -> list[Contender]:
    """
    mtcore's default, its other kernels and the pure twin for a one-shot
    function of the (data, key, iv) shape.
    """
    import mtcore.aes

    def default(i: Inputs) -> Bench:
        return functools.partial(getattr(mtcore.aes, fname), i.data, i.key, i.iv)

    def kernel(name: str) -> Callable[[Inputs], Bench]:
        def make(i: Inputs) -> Bench:
            return functools.partial(getattr(_kernel(name), fname), i.data, i.key, i.iv)

        return make

    def pure(i: Inputs) -> Bench:
        return functools.partial(getattr(_pure(), fname), i.data, i.key, i.iv)

    return [
        Contender("mtcore", default),
        *(Contender(f"mtcore-{k}", kernel(k), _kernel_missing(k)) for k in KERNELS),
        Contender("mtcore-pure", pure, _pure_missing, PURE_MAX),
    ]


def _mtcore_ctr() -> list[Contender]:
    import mtcore.aes

    def default(i: Inputs) -> Bench:
        return functools.partial(mtcore.aes.Ctr(i.key, i.iv).update, i.data)

    def kernel(name: str) -> Callable[[Inputs], Bench]:
        def make(i: Inputs) -> Bench:
            return functools.partial(_kernel(name).Ctr(i.key, i.iv).update, i.data)

        return make

    def pure(i: Inputs) -> Bench:
        return functools.partial(_pure().Ctr(i.key, i.iv).update, i.data)

    return [
        Contender("mtcore", default),
        *(Contender(f"mtcore-{k}", kernel(k), _kernel_missing(k)) for k in KERNELS),
        Contender("mtcore-pure", pure, _pure_missing, PURE_MAX),
    ]


def _peer_fn(module: str, fname: str, iv: str = "bytes") -> Contender:
    """
    A peer's one-shot ``fname(data, key, iv)``; ``iv="bytearray"`` hands
    it a private bytearray, for peers that write the next IV into it.
    """

    def make(i: Inputs) -> Bench:
        fn = getattr(_peer(module), fname)
        return functools.partial(
            fn, i.data, i.key, bytearray(i.iv) if iv == "bytearray" else i.iv
        )

    return Contender(module, make, _peer_missing(module))


def _cryptography(mode: str, decrypt: bool = False) -> Contender:
    """
    cryptography with one encryptor/decryptor reused across calls (CBC
    then chains from call to call: the same work per call).
    """

    def make(i: Inputs) -> Bench:
        _peer("cryptography")
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

        cipher = Cipher(algorithms.AES(i.key), getattr(modes, mode)(i.iv))
        ctx = cipher.decryptor() if decrypt else cipher.encryptor()
        return functools.partial(ctx.update, i.data)

    return Contender("cryptography", make, _peer_missing("cryptography"))


def _ctr_state_peer(module: str) -> Contender:
    """
    tgcrypto / hypercrypto ``ctr256_encrypt(data, key, iv, state)``: a
    stream when the 16-byte iv and the 1-byte state are bytearrays that
    the call updates.
    """

    def make(i: Inputs) -> Bench:
        fn = _peer(module).ctr256_encrypt
        return functools.partial(fn, i.data, i.key, bytearray(i.iv), bytearray(1))

    return Contender(module, make, _peer_missing(module))


def _pyaes_ctr() -> Contender:
    def make(i: Inputs) -> Bench:
        pyaes = _peer("pyaes")
        counter = pyaes.Counter(initial_value=int.from_bytes(i.iv, "big"))
        return functools.partial(
            pyaes.AESModeOfOperationCTR(i.key, counter=counter).encrypt, i.data
        )

    return Contender("pyaes", make, _peer_missing("pyaes"), PYAES_MAX)


_CHAINED = (
    "tgcrypto and cryptography carry the IV from call to call (a reused "
    "context): the same work per call."
)

register(
    Operation(
        "ige_encrypt",
        "AES-256-IGE encrypt",
        SIZES,
        lambda size: make_inputs(size, 32),
        (
            *_mtcore_one_shot("ige_encrypt"),
            _peer_fn("tgcrypto", "ige256_encrypt"),
            _peer_fn("cryptg", "encrypt_ige"),
            _peer_fn("hypercrypto", "ige256_encrypt"),
        ),
        notes=("cryptography offers no IGE.",),
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
            _peer_fn("tgcrypto", "ige256_decrypt"),
            _peer_fn("cryptg", "decrypt_ige"),
            _peer_fn("hypercrypto", "ige256_decrypt"),
        ),
    )
)
register(
    Operation(
        "ctr",
        "AES-256-CTR stream (update into fresh bytes)",
        SIZES,
        lambda size: make_inputs(size, 16),
        (
            *_mtcore_ctr(),
            _ctr_state_peer("tgcrypto"),
            _ctr_state_peer("hypercrypto"),
            _cryptography("CTR"),
            _pyaes_ctr(),
        ),
        verify_calls=2,
        notes=("Every contender keeps one stream and continues it call after call.",),
    )
)
register(
    Operation(
        "cbc_encrypt",
        "AES-256-CBC encrypt",
        SIZES,
        lambda size: make_inputs(size, 16),
        (
            *_mtcore_one_shot("cbc_encrypt"),
            _peer_fn("tgcrypto", "cbc256_encrypt", iv="bytearray"),
            _cryptography("CBC"),
        ),
        notes=(_CHAINED,),
    )
)
register(
    Operation(
        "cbc_decrypt",
        "AES-256-CBC decrypt",
        SIZES,
        lambda size: make_inputs(size, 16),
        (
            *_mtcore_one_shot("cbc_decrypt"),
            _peer_fn("tgcrypto", "cbc256_decrypt", iv="bytearray"),
            _cryptography("CBC", decrypt=True),
        ),
        notes=(_CHAINED,),
    )
)


# --- shared by the MTProto, batch and hash operations --------------------


def _api(module: str, name: str) -> Any:
    """
    ``module.name`` of mtcore's public API, or :class:`Unavailable` (the
    backend in use may not have it yet).
    """
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise Unavailable(f"{module}.{name} is missing here ({exc})") from None


def _api_missing(*names: str) -> Callable[[], str | None]:
    """
    Why the backend in use cannot run mtcore's own row, or ``None``.
    """

    def check() -> str | None:
        impl = _impl()
        for name in names:
            if not hasattr(impl, name):
                return f"the {_backend.IMPLEMENTATION} backend has no {name} yet"
        return None

    return check


def _pure_api_missing(*names: str) -> Callable[[], str | None]:
    """
    Why the ``mtcore-pure`` row cannot run: mtcore itself is the pure twin,
    or the twin lacks a name (it may be in progress).
    """

    def check() -> str | None:
        reason = _pure_missing()
        if reason is not None:
            return reason
        try:
            py = _pure()
        except Exception as exc:  # noqa: BLE001 -- a half-written twin must not stop the bench
            return f"the pure twin does not import ({type(exc).__name__}: {exc})"
        for name in names:
            if not hasattr(py, name):
                return f"the pure twin (mtcore/_py) has no {name} yet"
        return None

    return check


def _pair_missing(aes: str, sha: str) -> Callable[[], str | None]:
    """
    Why ``MtprotoKernel(aes, sha)`` is not timed here, or ``None``.
    """

    def check() -> str | None:
        if _backend.IMPLEMENTATION != "c":
            return "the compiled extension is not loaded"
        impl = _impl()
        if not hasattr(impl, "MtprotoKernel") or not hasattr(impl, "sha_kernels"):
            return "this build has no MtprotoKernel"
        if (aes, sha) == (impl.aes_kernel, impl.sha_kernel):
            return f"{aes}+{sha} are mtcore's default kernels (the mtcore row)"
        if aes not in impl.aes_kernels():
            return f"the {aes} kernel does not run on this machine"
        if sha not in impl.sha_kernels():
            return f"the {sha} SHA kernel does not run on this machine"
        return None

    return check


def _mtproto_kernel(aes: str, sha: str) -> Any:
    reason = _pair_missing(aes, sha)()
    if reason is not None:
        raise Unavailable(reason)
    return _impl().MtprotoKernel(aes, sha)


def _sha_kernel_missing(sha: str) -> Callable[[], str | None]:
    def check() -> str | None:
        if _backend.IMPLEMENTATION != "c":
            return "the compiled extension is not loaded"
        impl = _impl()
        if not hasattr(impl, "MtprotoKernel") or not hasattr(impl, "sha_kernels"):
            return "this build has no MtprotoKernel"
        if sha == impl.sha_kernel:
            return f"{sha} is mtcore's default SHA kernel (the mtcore row)"
        if sha not in impl.sha_kernels():
            return f"the {sha} SHA kernel does not run on this machine"
        return None

    return check


def _peers_missing(*modules: str) -> Callable[[], str | None]:
    checks = [_peer_missing(m) for m in modules]

    def check() -> str | None:
        for c in checks:
            reason = c()
            if reason is not None:
                return reason
        return None

    return check


# --- MTProto 2.0 messages ------------------------------------------------

#: The body sizes of the MTProto cases (the message body, a TL object; the
#: inner plaintext adds the 32-byte header).
MTPROTO_SIZES = (64, 1 * KiB, 512 * KiB)

#: The (AES, SHA) kernel pairs of the ``mtcore-<aes>+<sha>`` rows: those of
#: x86-64, then those of AArch64.
MTPROTO_KERNELS = (
    *(
        (a, s)
        for s in ("shani", "portable")
        for a in ("vaes", "aesni", "ssse3vp", "portable")
    ),
    *(
        (a, s)
        for s in ("armsha", "portable")
        for a in ("armaes", "neonvp", "portable")
    ),
)

#: The unix time in the cases' msg_ids: fixed, so the inputs are the same
#: on every run (Telethon, which checks the time, is told the offset).
MSG_TIME = 1_750_000_000

_HEADER = struct.Struct("<qqqii")  # salt, session_id, msg_id, seq_no, length
_UPLOAD_FILE = 0x096A18D5  # upload.file type:storage.FileType mtime:int bytes:bytes
_FILE_PARTIAL = 0x40BC6F52  # storage.filePartial


def upload_file_body(size: int, rng: random.Random) -> bytes:
    """
    A boxed ``upload.file`` (what ``upload.getFile`` returns) of exactly
    ``size`` bytes with random file bytes: a body Telethon and Pyrogram
    can parse, of any size that is a multiple of 4 from 16 bytes.
    """
    fixed = struct.pack("<IIi", _UPLOAD_FILE, _FILE_PARTIAL, MSG_TIME)
    room = size - len(fixed)
    if size % 4 or room < 4 or room == 256:
        raise ValueError(f"no upload.file body of {size} bytes")
    if room <= 254:  # TL bytes: 1-byte length, data, padding to 4
        n = room - 1
        return fixed + bytes([n]) + rng.randbytes(n)
    n = room - 4  # 0xfe, 3-byte length, data (a multiple of 4: no padding)
    return fixed + b"\xfe" + n.to_bytes(3, "little") + rng.randbytes(n)


@dataclass(frozen=True)
class MsgInputs(_Args):
    """
    One MTProto message: the auth key, the header fields, the body, the
    inner plaintext (header + body) and the packet that carries it.

    ``from_client`` gives the direction (client messages have msg_id
    divisible by 4, server messages an odd one); ``packet`` is encrypted
    with a fixed padding by :func:`seal`, independently of
    ``mtcore.mtproto``.
    """

    auth_key: bytes
    salt: int
    session_id: int
    msg_id: int
    seq_no: int
    body: bytes
    from_client: bool
    plaintext: bytes
    packet: bytes


def seal(auth_key: bytes, data: bytes, from_client: bool) -> bytes:
    """
    key_id + msg_key + AES-IGE(data), data being the inner plaintext with
    its padding: the MTProto 2.0 formulas on hashlib and
    ``mtcore.aes.ige_encrypt`` (core.telegram.org/mtproto/description),
    to make the decrypt cases' packets without the code under test.
    """
    import hashlib

    import mtcore.aes

    x = 0 if from_client else 8
    # msg_key_large = SHA256(substr(auth_key, 88+x, 32) + plaintext + padding)
    msg_key = hashlib.sha256(auth_key[88 + x : 120 + x] + data).digest()[8:24]
    # sha256_a = SHA256(msg_key + substr(auth_key, x, 36))
    a = hashlib.sha256(msg_key + auth_key[x : x + 36]).digest()
    # sha256_b = SHA256(substr(auth_key, 40+x, 36) + msg_key)
    b = hashlib.sha256(auth_key[40 + x : 76 + x] + msg_key).digest()
    aes_key = a[:8] + b[8:24] + a[24:32]
    aes_iv = b[:8] + a[8:24] + b[24:32]
    key_id = hashlib.sha1(auth_key).digest()[12:20]
    return key_id + msg_key + mtcore.aes.ige_encrypt(data, aes_key, aes_iv)


@functools.cache
def make_message(size: int, from_client: bool) -> MsgInputs:
    """
    Deterministic inputs of an MTProto case: a body of ``size`` bytes.
    """
    rng = random.Random(f"mtcore-bench/mtproto/{size}/{from_client}")
    auth_key = rng.randbytes(256)
    salt = rng.getrandbits(64) - 2**63
    session_id = rng.getrandbits(64) - 2**63
    msg_id = (MSG_TIME << 32) | (rng.getrandbits(30) << 2) | (0 if from_client else 1)
    seq_no = 2 * rng.getrandbits(16) + 1
    body = upload_file_body(size, rng)
    plaintext = _HEADER.pack(salt, session_id, msg_id, seq_no, len(body)) + body
    padding = rng.randbytes(12 + -(len(plaintext) + 12) % 16)
    packet = seal(auth_key, plaintext + padding, from_client)
    return MsgInputs(
        auth_key, salt, session_id, msg_id, seq_no, body, from_client, plaintext, packet
    )


def _message_key(i: MsgInputs) -> bytes:
    """
    What every decrypt contender returns, as bytes: msg_id + seq_no + body
    (Telethon and Pyrogram return neither salt nor session_id).
    """
    return struct.pack("<qi", i.msg_id, i.seq_no) + i.body


def _check_packet(i: MsgInputs, packet: bytes) -> str | None:
    """
    An encrypted packet is right if mtcore decrypts it to the plaintext
    that went in (the padding is random, so no two packets are equal).
    """
    mt = _mtcore_mtproto()
    try:
        got = mt.decrypt_message(
            mt.AuthKey(i.auth_key), packet, from_client=i.from_client
        )
    except Exception as exc:  # noqa: BLE001 -- the finding is the message
        return f"mtcore rejects the packet ({type(exc).__name__}: {exc})"
    if bytes(got) != i.plaintext:
        return "mtcore decrypts the packet to a different message"
    return None


def _check_message(i: MsgInputs, got: bytes) -> str | None:
    if got != _message_key(i):
        return "the decrypted message (msg_id, seq_no, body) is not the one sent"
    return None


def _mtcore_mtproto() -> Any:
    try:
        return importlib.import_module("mtcore.mtproto")
    except (ImportError, AttributeError) as exc:
        raise Unavailable(f"mtcore.mtproto does not import here ({exc})") from None


def _plaintext_key(i: MsgInputs, pt: Any) -> bytes:
    """
    decrypt_message's result (header + body) as :func:`_message_key`.
    """
    pt = bytes(pt)
    return pt[16:28] + pt[32:]


def _message_obj_key(i: MsgInputs, m: Any) -> bytes:
    """
    unpack_message's :class:`Message` as :func:`_message_key`.
    """
    return struct.pack("<qi", m.msg_id, m.seq_no) + bytes(m.body)


def _mtcore_messages(encrypt: bool) -> list[Contender]:
    """
    mtcore's rows: the default (encrypt_message / decrypt_message), the
    header-building pair (pack_message / unpack_message), every kernel
    pair and the pure twin.
    """
    fname = "encrypt_message" if encrypt else "decrypt_message"
    pname = "pack_message" if encrypt else "unpack_message"

    def one(fn: Callable[..., Any], ak: Any, i: MsgInputs) -> Bench:
        if encrypt:
            return functools.partial(fn, ak, i.plaintext, from_client=i.from_client)
        return functools.partial(fn, ak, i.packet, from_client=i.from_client)

    def default(i: MsgInputs) -> Bench:
        return one(
            _api("mtcore.mtproto", fname),
            _api("mtcore.mtproto", "AuthKey")(i.auth_key),
            i,
        )

    def paired(i: MsgInputs) -> Bench:
        ak = _api("mtcore.mtproto", "AuthKey")(i.auth_key)
        fn = _api("mtcore.mtproto", pname)
        if encrypt:
            return functools.partial(
                fn,
                ak,
                salt=i.salt,
                session_id=i.session_id,
                msg_id=i.msg_id,
                seq_no=i.seq_no,
                body=i.body,
                from_client=i.from_client,
            )
        return functools.partial(
            fn, ak, i.packet, session_id=i.session_id, from_client=i.from_client
        )

    def kernel(aes: str, sha: str) -> Callable[[MsgInputs], Bench]:
        def make(i: MsgInputs) -> Bench:
            k = _mtproto_kernel(aes, sha)
            return one(getattr(k, fname), _impl().AuthKey(i.auth_key), i)

        return make

    def pure(i: MsgInputs) -> Bench:
        py = _pure()
        return one(getattr(py, fname), py.AuthKey(i.auth_key), i)

    out = None if encrypt else _plaintext_key
    return [
        Contender("mtcore", default, _api_missing("AuthKey", fname), output=out),
        Contender(
            f"mtcore-{pname.split('_')[0]}",
            paired,
            _api_missing("AuthKey", pname),
            output=None if encrypt else _message_obj_key,
        ),
        *(
            Contender(f"mtcore-{a}+{s}", kernel(a, s), _pair_missing(a, s), output=out)
            for a, s in MTPROTO_KERNELS
        ),
        Contender(
            "mtcore-pure",
            pure,
            _pure_api_missing("AuthKey", fname),
            PURE_MAX,
            output=out,
        ),
    ]


class _Loggers(dict):  # type: ignore[type-arg]
    """
    The logger mapping Telethon's MTProtoState takes (as its client's).
    """

    def __missing__(self, key: str) -> Any:
        import logging

        return logging.getLogger(key)


def _telethon_state(i: MsgInputs, cls: Any = None) -> Any:
    """
    A Telethon MTProtoState on the case's key, salt and session, its clock
    offset set (as a server's time correction would) so that the msg_id is
    fresh now, and with no memory of seen msg_ids, so that every call
    decrypts the same packet anew rather than dropping it as a repeat.
    ``cls``: another MTProtoState class (Telethon's own by default, which
    needs cryptg).
    """
    if cls is None:
        _peer("cryptg")  # without it Telethon falls back to slower AES
        cls = _peer("telethon.network.mtprotostate").MTProtoState
    auth_key = _peer("telethon.crypto").AuthKey(i.auth_key)
    state = cls(auth_key, _Loggers())
    state.salt = i.salt
    state.id = i.session_id
    state.time_offset = (i.msg_id >> 32) - int(time.time())
    state._recent_remote_ids = collections.deque(maxlen=0)
    return state


def _telethon_message_key(i: MsgInputs, m: Any) -> bytes:
    if m is None:
        raise ValueError("Telethon dropped the message (returned None)")
    return struct.pack("<qi", m.msg_id, m.seq_no) + bytes(m.obj)


def _pyrogram() -> Any:
    _peer("tgcrypto")  # without it Pyrogram falls back to pyaes
    return _peer("pyrogram.crypto.mtproto")


class _Prebuilt:
    """
    A body for Pyrogram's Message whose ``write()`` returns bytes made
    once (a C call: Pyrogram would serialize a TL object there).
    """

    __slots__ = ("write",)

    def __init__(self, body: bytes) -> None:
        self.write = itertools.repeat(body).__next__


def _key_id(auth_key: bytes) -> bytes:
    import hashlib

    return hashlib.sha1(auth_key).digest()[-8:]


def _server_only(name: str, i: MsgInputs) -> None:
    if i.from_client:
        raise Unavailable(f"{name} decrypts only messages from the server")


def _telethon_decrypt() -> Contender:
    def make(i: MsgInputs) -> Bench:
        _server_only("Telethon", i)
        return functools.partial(_telethon_state(i).decrypt_message_data, i.packet)

    return Contender(
        "telethon",
        make,
        _peers_missing("telethon", "cryptg"),
        output=_telethon_message_key,
    )


def _pyrogram_pack_bench(pm: Any, i: MsgInputs) -> Bench:
    # pm.pack (pyrogram.crypto.mtproto) of the case, its body pre-serialized.
    message = _peer("pyrogram.raw.core").Message(
        _Prebuilt(i.body), i.msg_id, i.seq_no, len(i.body)
    )
    return functools.partial(
        pm.pack,
        message,
        i.salt,
        struct.pack("<q", i.session_id),
        i.auth_key,
        _key_id(i.auth_key),
    )


def _pyrogram_unpack_bench(pm: Any, i: MsgInputs) -> Bench:
    # pm.unpack of the case's packet, with a BytesIO per call as its
    # Session does.
    import io

    return Stmt(
        "unpack(BytesIO(packet), session_id, auth_key, key_id)",
        unpack=pm.unpack,
        BytesIO=io.BytesIO,
        packet=i.packet,
        session_id=struct.pack("<q", i.session_id),
        auth_key=i.auth_key,
        key_id=_key_id(i.auth_key),
    )


def _pyrogram_output(i: MsgInputs, m: Any) -> bytes:
    # What a Message from unpack holds, in the bytes mtcore's rows give.
    return struct.pack("<qi", m.msg_id, m.seq_no) + m.body.write()


def _pyrogram_decrypt() -> Contender:
    def make(i: MsgInputs) -> Bench:
        _server_only("Pyrogram", i)
        return _pyrogram_unpack_bench(_pyrogram(), i)

    return Contender(
        "pyrogram",
        make,
        _peers_missing("pyrogram", "tgcrypto"),
        output=_pyrogram_output,
    )


def _hypercrypto_decrypt() -> Contender:
    def make(i: MsgInputs) -> Bench:
        hc = _peer("hypercrypto")
        # It takes msg_key + ciphertext, without the auth_key_id.
        return functools.partial(
            hc.unpack_message, i.auth_key, i.packet[8:], i.from_client
        )

    def output(i: MsgInputs, pt: bytes) -> bytes:
        # It returns the plaintext with its padding: cut at the length field.
        (length,) = struct.unpack_from("<i", pt, 28)
        return pt[16:28] + pt[32 : 32 + length]

    return Contender("hypercrypto", make, _peer_missing("hypercrypto"), output=output)


def _reads_mtcore(
    peer: Contender, from_client: bool
) -> Callable[[MsgInputs], str | None]:
    """
    A cross check for an encrypt row: the peer's own decrypt must read a
    packet that mtcore's encrypt_message made (the direction the peer can
    decrypt: Telethon and Pyrogram read only server messages).
    """
    direction = "client to server" if from_client else "server to client"

    def cross(i: MsgInputs) -> str | None:
        base = make_message(len(i.body), from_client)
        mt = _mtcore_mtproto()
        packet = mt.encrypt_message(
            mt.AuthKey(base.auth_key), base.plaintext, from_client=from_client
        )
        fed = dataclasses.replace(base, packet=packet)
        try:
            got = peer.result_bytes(fed, peer.make(fed)())
        except Unavailable:
            raise
        except Exception as exc:  # noqa: BLE001 -- the finding is the message
            return (
                f"its own decrypt rejects mtcore's packet ({direction}): "
                f"{type(exc).__name__}: {exc}"
            )
        if got != _message_key(fed):
            return f"its own decrypt reads mtcore's packet ({direction}) wrong"
        return None

    return cross


def _telethon_encrypt() -> Contender:
    def make(i: MsgInputs) -> Bench:
        # It takes msg_id + seq_no + length + body and adds salt + session_id.
        return functools.partial(
            _telethon_state(i).encrypt_message_data, i.plaintext[16:]
        )

    return Contender(
        "telethon",
        make,
        _peers_missing("telethon", "cryptg"),
        cross=_reads_mtcore(_telethon_decrypt(), from_client=False),
    )


def _pyrogram_encrypt() -> Contender:
    def make(i: MsgInputs) -> Bench:
        return _pyrogram_pack_bench(_pyrogram(), i)

    return Contender(
        "pyrogram",
        make,
        _peers_missing("pyrogram", "tgcrypto"),
        cross=_reads_mtcore(_pyrogram_decrypt(), from_client=False),
    )


def _hypercrypto_encrypt() -> Contender:
    def make(i: MsgInputs) -> Bench:
        hc = _peer("hypercrypto")
        return functools.partial(
            hc.pack_message, i.auth_key, i.plaintext, i.from_client
        )

    def output(i: MsgInputs, packet: bytes) -> bytes:
        # Its packet lacks the auth_key_id, which the caller prepends.
        return _key_id(i.auth_key) + packet

    return Contender(
        "hypercrypto",
        make,
        _peer_missing("hypercrypto"),
        output=output,
        cross=_reads_mtcore(_hypercrypto_decrypt(), from_client=True),
    )


register(
    Operation(
        "mtproto_encrypt",
        "MTProto 2.0 encrypt, client to server (size = message body)",
        MTPROTO_SIZES,
        lambda size: make_message(size, True),
        (
            *_mtcore_messages(encrypt=True),
            _telethon_encrypt(),
            _pyrogram_encrypt(),
            _hypercrypto_encrypt(),
        ),
        notes=(
            (
                "Inner plaintext = 32-byte header + a body (a boxed upload.file); "
                "random padding; the whole packet (auth_key_id + msg_key + "
                "ciphertext) into fresh bytes."
            ),
            (
                "mtcore: encrypt_message(AuthKey, plaintext); mtcore-pack: "
                "pack_message builds the header from its fields."
            ),
            (
                "telethon: MTProtoState.encrypt_message_data (cryptg), given the "
                "header without salt and session_id, which it adds; pyrogram: "
                "mtproto.pack (tgcrypto), its Message body pre-serialized; "
                "hypercrypto: pack_message, whose packet lacks the 8-byte "
                "auth_key_id (the caller's concatenation is not timed)."
            ),
            (
                "Checked: mtcore decrypts every packet to the plaintext that went "
                "in, and each peer's own decrypt reads mtcore's packet."
            ),
        ),
        check=_check_packet,
    )
)
register(
    Operation(
        "mtproto_decrypt",
        "MTProto 2.0 decrypt + checks, server to client (size = message body)",
        MTPROTO_SIZES,
        lambda size: make_message(size, False),
        (
            *_mtcore_messages(encrypt=False),
            _telethon_decrypt(),
            _pyrogram_decrypt(),
            _hypercrypto_decrypt(),
        ),
        notes=(
            (
                "mtcore: decrypt_message checks auth_key_id, length, msg_key (in "
                "constant time) and message_data_length/padding, returns header + "
                "body; mtcore-unpack adds session_id and msg_id parity, returns a "
                "Message."
            ),
            (
                "telethon: decrypt_message_data also parses the TL body into an "
                "upload.File and checks session_id, msg_id parity and time, but "
                "not the padding length; pyrogram: unpack (a BytesIO per call, as "
                "its Session does) parses the TL body too and checks session_id, "
                "padding and msg_id parity; hypercrypto: unpack_message checks "
                "msg_key only, is given the packet without its auth_key_id and "
                "returns the plaintext with its padding."
            ),
        ),
        check=_check_message,
    )
)


# --- IGE over several messages at once -----------------------------------

#: The batch cases: count x payload size.
BATCHES = (Batch(8, 512 * KiB), Batch(16, 512 * KiB), Batch(32, 64 * KiB))

#: The portable kernel's batch row is timed up to this many bytes a call
#: (~0.1 s a call: its figure is the ige_encrypt one, times the count).
PORTABLE_BATCH_MAX = 4 * MiB


@dataclass(frozen=True)
class BatchInputs(_Args):
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
        fn = getattr(_impl(), name, None)
    if fn is None:
        raise Unavailable(f"mtcore has no {name} here")
    return fn


def _loop(fn: Callable[..., Any], items: Any) -> Stmt:
    return Stmt("[f(d, k, v) for d, k, v in items]", f=fn, items=items)


def _batch_kernel_missing(aes: str) -> Callable[[], str | None]:
    plain = _kernel_missing(aes)

    def check() -> str | None:
        reason = plain()
        if reason is None and not hasattr(_impl(), "MtprotoKernel"):
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
            k = _impl().MtprotoKernel(aes, _impl().sha_kernel)
            return functools.partial(k.ige_encrypt_many, i.items)

        return make

    def pure(i: BatchInputs) -> Bench:
        return functools.partial(_pure().ige_encrypt_many, i.items)

    def peer(module: str, fname: str) -> Contender:
        def make(i: BatchInputs) -> Bench:
            return _loop(getattr(_peer(module), fname), i.items)

        return Contender(module, make, _peer_missing(module))

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
        Contender("mtcore-pure", pure, _pure_api_missing("ige_encrypt_many"), PURE_MAX),
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
class MsgBatchInputs(_Args):
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
        head = _HEADER.pack(
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
        mt = _mtcore_mtproto()
        key = mt.AuthKey(i.auth_key)
        head = _key_id(i.auth_key) if prefix else b""
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
        mt = _mtcore_mtproto()
        return functools.partial(
            mt.encrypt_messages, mt.AuthKey(i.auth_key), i.plaintexts,
            from_client=True,
        )

    def loop(i: MsgBatchInputs) -> Bench:
        mt = _mtcore_mtproto()
        return Stmt(
            "[f(k, p, from_client=True) for p in pts]",
            f=mt.encrypt_message, k=mt.AuthKey(i.auth_key), pts=i.plaintexts,
        )

    def hypercrypto(i: MsgBatchInputs) -> Bench:
        return Stmt(
            "[f(k, p, True) for p in pts]",
            f=_peer("hypercrypto").pack_message, k=i.auth_key, pts=i.plaintexts,
        )

    return [
        Contender("mtcore", default, output=_msg_batch_plaintexts(False)),
        Contender("mtcore-loop", loop, output=_msg_batch_plaintexts(False)),
        Contender(
            "hypercrypto",
            hypercrypto,
            _peer_missing("hypercrypto"),
            output=_msg_batch_plaintexts(True),
        ),
    ]


register(
    Operation(
        "mtproto_encrypt_many",
        "MTProto 2.0 encrypt of many messages in one call "
        "(throughput = all bodies)",
        MSG_BATCHES,
        make_msg_batch,
        tuple(_encrypt_messages_contenders()),
        notes=(
            (
                "mtcore: encrypt_messages(AuthKey, plaintexts), one call; "
                "mtcore-loop and hypercrypto: a packet a call (hypercrypto's "
                "pack_message leaves out the auth_key_id)."
            ),
            (
                "Checked: mtcore decrypts every packet of every row to its "
                "plaintext."
            ),
        ),
        check=_check_msg_batch,
    )
)


# --- hashes --------------------------------------------------------------


def _hash_contenders(name: str) -> list[Contender]:
    def default(i: Inputs) -> Bench:
        return functools.partial(_api("mtcore.hashes", name), i.data)

    def kernel(sha: str) -> Callable[[Inputs], Bench]:
        def make(i: Inputs) -> Bench:
            reason = _sha_kernel_missing(sha)()
            if reason is not None:
                raise Unavailable(reason)
            k = _impl().MtprotoKernel(_impl().aes_kernel, sha)
            return functools.partial(getattr(k, name), i.data)

        return make

    def pure(i: Inputs) -> Bench:
        return functools.partial(getattr(_pure(), name), i.data)

    def hashlib_(i: Inputs) -> Bench:
        import hashlib

        return Stmt("h(d).digest()", h=getattr(hashlib, name), d=i.data)

    rows = [
        Contender("mtcore", default, _api_missing(name)),
        *(
            Contender(f"mtcore-{k}", kernel(k), _sha_kernel_missing(k))
            for k in ("shani", "armsha", "portable")
        ),
        Contender("mtcore-pure", pure, _pure_api_missing(name)),
        Contender("hashlib", hashlib_),
    ]
    if name == "sha256":
        rows.append(_peer_digest("hypercrypto", "sha256"))
    return rows


def _peer_digest(module: str, fname: str) -> Contender:
    def make(i: Inputs) -> Bench:
        return functools.partial(getattr(_peer(module), fname), i.data)

    return Contender(module, make, _peer_missing(module))


register(
    Operation(
        "sha256",
        "SHA-256 (52 B: the msg_key / KDF input size)",
        (52, 1 * KiB, 1 * MiB),
        lambda size: make_inputs(size, 16),
        tuple(_hash_contenders("sha256")),
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


# --- TL serialization --------------------------------------------------------

#: The bytes of each TL case as mtcore writes it (layer 229), which is the
#: size of its table (checked when the inputs are built: the inputs are
#: deterministic, so a change here means the case or the schema changed).
TL_SIZES = {
    "tl_encode_login_token": 68,
    "tl_build_login_token": 68,
    "tl_encode_send_message": 208,
    "tl_build_send_message": 208,
    "tl_decode_messages": 24_496,
    "tl_decode_message": 260,
}

_PYROGRAM_LAYER = (
    "pyrogram 2.0.106 speaks layer 158: it gets the same content in its own "
    "layer's constructors"
)


@dataclass(frozen=True)
class TLInputs(_Args):
    """
    One TL case: the content as plain data (``spec``, built into each
    library's own objects by its contender), mtcore's bytes of it (layer
    229, which Telethon 1.45 speaks too) and Pyrogram's (its layer 158).
    """

    spec: Any
    data: bytes
    data_pyrogram: bytes


def _tl_text(rng: random.Random, n: int) -> str:
    words = (
        "the", "MTProto", "layer", "message", "sent", "from", "a", "client",
        "server", "über", "données", "привет", "мир", "telegram", "is", "fast",
        "and", "secure", "bytes", "of", "TL", "objects", "decode", "encode",
    )  # fmt: skip
    out: list[str] = []
    while sum(len(w) + 1 for w in out) < n:
        out.append(rng.choice(words))
    return " ".join(out)[:n]


def _tl_entities(rng: random.Random, text: str, count: int) -> list[tuple[Any, ...]]:
    # (kind, offset, length, url): offsets in UTF-16 units, as Telegram's.
    n = len(text.encode("utf-16-le")) // 2
    kinds = ("bold", "italic", "textUrl")
    out = []
    for k in range(count):
        offset = rng.randrange(0, max(1, n - 8))
        length = rng.randrange(1, min(8, n - offset) + 1)
        url = f"https://example.org/{rng.getrandbits(32):08x}"
        kind = kinds[k % len(kinds)]
        out.append((kind, offset, length, url if kind == "textUrl" else None))
    return out


def _tl_login_spec() -> dict[str, Any]:
    rng = random.Random("mtcore-bench/tl/exportLoginToken")
    return {
        "api_id": rng.randrange(1, 1 << 24),
        "api_hash": rng.randbytes(16).hex(),
        "except_ids": [rng.getrandbits(40) for _ in range(2)],
    }


def _tl_send_spec() -> dict[str, Any]:
    rng = random.Random("mtcore-bench/tl/sendMessage")
    text = _tl_text(rng, 80)
    return {
        "user_id": rng.getrandbits(40),
        "access_hash": rng.getrandbits(64) - (1 << 63),
        "message": text,
        "random_id": rng.getrandbits(64) - (1 << 63),
        "entities": _tl_entities(rng, text, 3),
    }


def _tl_messages_spec() -> dict[str, Any]:
    rng = random.Random("mtcore-bench/tl/messages.messages")
    me = rng.getrandbits(40)
    users = []
    for _ in range(20):
        users.append(
            {
                "id": rng.getrandbits(40),
                "access_hash": rng.getrandbits(64) - (1 << 63),
                "first_name": rng.choice(("Alice", "Bob", "Иван", "Zoë", "Mohammed")),
                "last_name": rng.choice(("Smith", "Müller", "Петров", "Dupont")),
                "username": f"user_{rng.getrandbits(32):x}",
                "phone": str(rng.randrange(10**10, 10**11)),
                "photo_id": rng.getrandbits(63),
                "dc_id": rng.randrange(1, 6),
                "stripped_thumb": rng.randbytes(rng.randrange(40, 80)),
                "was_online": MSG_TIME - rng.randrange(0, 86400),
            }
        )
    messages = []
    for k in range(100):
        text = _tl_text(rng, rng.randrange(60, 200))
        sender = rng.choice(users)["id"]
        out = sender == me
        messages.append(
            {
                "id": 100_000 + k,
                "out": out,
                "from_id": sender,
                "peer_id": me if not out else users[0]["id"],
                "date": MSG_TIME - 60 * (100 - k),
                "message": text,
                "entities": _tl_entities(rng, text, rng.choice((0, 0, 1, 3))),
                "edit_date": MSG_TIME if k % 7 == 0 else None,
            }
        )
    return {"messages": messages, "users": users}


class _Call:
    """
    An object not built yet: its class and fields (values, other calls,
    lists of them).  :func:`_realize` builds it; :func:`_call_expr` writes
    the expression that builds it, for a build-and-encode :class:`Stmt`.
    """

    __slots__ = ("cls", "fields")

    def __init__(self, cls: Any, fields: dict[str, Any]) -> None:
        self.cls = cls
        self.fields = fields


def _realize(v: Any) -> Any:
    if isinstance(v, _Call):
        return v.cls(**{k: _realize(x) for k, x in v.fields.items()})
    if isinstance(v, list):
        return [_realize(x) for x in v]
    return v


def _call_expr(v: Any, names: dict[str, Any]) -> str:
    # The expression text; classes and values become names in ``names``.
    if isinstance(v, _Call):
        c = f"C{len(names)}"
        names[c] = v.cls
        args = ", ".join(f"{k}={_call_expr(x, names)}" for k, x in v.fields.items())
        return f"{c}({args})"
    if isinstance(v, list):
        return "[" + ", ".join(_call_expr(x, names) for x in v) + "]"
    if v is None or v is True or v is False or isinstance(v, int):
        return repr(v)
    n = f"v{len(names)}"
    names[n] = v
    return n


class _TLBuild:
    """
    A case's content as one library's objects (as :class:`_Call` s, built
    with :func:`_realize`): ``mtcore`` (the types/functions namespaces of a
    codec), ``telethon`` (layer 229) and ``pyrogram`` (its layer 158).
    """

    def __init__(self, lib: str, codec: Any = None) -> None:
        self.lib = lib
        if lib == "mtcore":
            c = codec if codec is not None else importlib.import_module("mtcore.tl")
            self.t = c.types
            self.f = c.functions
        elif lib == "telethon":
            self.t = _peer("telethon.tl.types")
            self.f = _peer("telethon.tl.functions")
        else:
            self.t = _peer("pyrogram.raw.types")
            self.f = _peer("pyrogram.raw.functions")

    def _cls(self, function: bool, name: str) -> Any:
        # "auth.exportLoginToken": ns.auth.exportLoginToken (mtcore),
        # ns.auth.ExportLoginToken (pyrogram), ...Request (telethon).
        ns = self.f if function else self.t
        *path, last = name.split(".")
        for p in path:
            ns = getattr(ns, p)
        if self.lib == "mtcore":
            return getattr(ns, last)
        last = last[0].upper() + last[1:]
        if self.lib == "telethon" and function:
            last += "Request"
        return getattr(ns, last)

    def type(self, name: str, **fields: Any) -> _Call:
        return _Call(self._cls(False, name), fields)

    def func(self, name: str, **fields: Any) -> _Call:
        return _Call(self._cls(True, name), fields)

    def entity(self, e: tuple[Any, ...]) -> _Call:
        kind, offset, length, url = e
        name = "messageEntity" + kind[0].upper() + kind[1:]
        if url is not None:
            return self.type(name, offset=offset, length=length, url=url)
        return self.type(name, offset=offset, length=length)

    def date(self, t: int | None) -> Any:
        # Telethon takes and gives dates as datetimes.
        if t is None or self.lib != "telethon":
            return t
        return datetime.datetime.fromtimestamp(t, datetime.timezone.utc)

    def login(self, s: dict[str, Any]) -> _Call:
        return self.func(
            "auth.exportLoginToken",
            api_id=s["api_id"],
            api_hash=s["api_hash"],
            except_ids=list(s["except_ids"]),
        )

    def send(self, s: dict[str, Any]) -> _Call:
        return self.func(
            "messages.sendMessage",
            peer=self.type(
                "inputPeerUser", user_id=s["user_id"], access_hash=s["access_hash"]
            ),
            message=s["message"],
            random_id=s["random_id"],
            entities=[self.entity(e) for e in s["entities"]],
        )

    def message(self, m: dict[str, Any]) -> _Call:
        fields: dict[str, Any] = {
            "id": m["id"],
            "peer_id": self.type("peerUser", user_id=m["peer_id"]),
            "date": self.date(m["date"]),
            "message": m["message"],
            "from_id": self.type("peerUser", user_id=m["from_id"]),
        }
        if m["out"]:
            fields["out"] = True
        if m["entities"]:
            fields["entities"] = [self.entity(e) for e in m["entities"]]
        if m["edit_date"] is not None:
            fields["edit_date"] = self.date(m["edit_date"])
        return self.type("message", **fields)

    def user(self, u: dict[str, Any]) -> _Call:
        return self.type(
            "user",
            id=u["id"],
            access_hash=u["access_hash"],
            first_name=u["first_name"],
            last_name=u["last_name"],
            username=u["username"],
            phone=u["phone"],
            photo=self.type(
                "userProfilePhoto",
                photo_id=u["photo_id"],
                dc_id=u["dc_id"],
                stripped_thumb=u["stripped_thumb"],
            ),
            status=self.type(
                "userStatusOffline", was_online=self.date(u["was_online"])
            ),
        )

    def messages(self, s: dict[str, Any]) -> _Call:
        fields: dict[str, Any] = {
            "messages": [self.message(m) for m in s["messages"]],
            "chats": [],
            "users": [self.user(u) for u in s["users"]],
        }
        if self.lib != "pyrogram":  # topics: after layer 158
            fields["topics"] = []
        return self.type("messages.messages", **fields)

    def build(self, what: str, spec: Any) -> Any:
        return _realize(getattr(self, what)(spec))


def _tl_write(obj: Any) -> bytes:
    # Pyrogram's objects serialize with write(), the others with bytes().
    write = getattr(obj, "write", None)
    return bytes(write() if callable(write) else obj)


_TL_SPECS: dict[str, tuple[Callable[[], Any], str]] = {
    "tl_encode_login_token": (_tl_login_spec, "login"),
    "tl_build_login_token": (_tl_login_spec, "login"),
    "tl_encode_send_message": (_tl_send_spec, "send"),
    "tl_build_send_message": (_tl_send_spec, "send"),
    "tl_decode_messages": (_tl_messages_spec, "messages"),
    "tl_decode_message": (
        lambda: next(
            m for m in _tl_messages_spec()["messages"] if len(m["entities"]) == 3
        ),
        "message",
    ),
}


@functools.cache
def make_tl(op_name: str) -> TLInputs:
    """
    The inputs of a TL case: its content, mtcore's bytes of it and, when
    Pyrogram is installed, Pyrogram's (else empty).
    """
    make_spec, what = _TL_SPECS[op_name]
    spec = make_spec()
    data = _tl_write(_TLBuild("mtcore").build(what, spec))
    if len(data) != TL_SIZES[op_name]:
        raise ValueError(
            f"{op_name}: mtcore wrote {len(data)} bytes, TL_SIZES says "
            f"{TL_SIZES[op_name]} (the case or the schema changed: update TL_SIZES)"
        )
    try:
        data_pyrogram = _tl_write(_TLBuild("pyrogram").build(what, spec))
    except Unavailable:
        data_pyrogram = b""
    return TLInputs(spec, data, data_pyrogram)


def _tl_pure_missing() -> str | None:
    reason = _pure_missing()
    if reason is not None:
        return reason
    from mtcore.tl import codec

    if not str(codec.__file__).endswith(".py"):
        return (
            "mtcore.tl.codec is compiled here: its Writer/Reader cannot be swapped "
            "for the pure twin's"
        )
    return None


@functools.cache
def _pure_codec() -> Any:
    """
    A second copy of ``mtcore.tl.codec`` loaded over the pure twin: its
    Python loops over the twin's Writer/Reader, the codec as it runs under
    ``MTCORE_PUREPYTHON=1``, side by side with the compiled one.
    """
    reason = _tl_pure_missing()
    if reason is not None:
        raise Unavailable(reason)
    import importlib.util
    import types

    from mtcore.tl import codec

    name = "mtcore._bench_pure_tl_codec"
    spec = importlib.util.spec_from_file_location(name, codec.__file__)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    py = _pure()
    # The copy's ``from mtcore._backend import impl`` must find the pure
    # twin, as under MTCORE_PUREPYTHON=1: then it also takes its Python
    # loops, and never hooks itself into the compiled extension.
    shim = types.ModuleType("mtcore._backend")
    shim.__dict__.update(vars(_backend))
    shim.impl = py  # type: ignore[attr-defined]
    sys.modules[name] = mod
    real = sys.modules["mtcore._backend"]
    sys.modules["mtcore._backend"] = shim
    try:
        spec.loader.exec_module(mod)
    finally:
        sys.modules["mtcore._backend"] = real
    if mod.Writer is not py.TLWriter or mod.Reader is not py.TLReader:  # type: ignore[attr-defined]
        raise Unavailable("the codec copy did not take the pure twin's Writer/Reader")
    return mod


def _relabel(want_id: int) -> Callable[[TLInputs, Any], bytes]:
    """
    Pyrogram's encode output compared with mtcore's: its function's
    constructor number (layer 158) swapped for layer 229's; the rest of
    the bytes must be equal.
    """

    def output(i: TLInputs, result: Any) -> bytes:
        return struct.pack("<I", want_id) + bytes(result)[4:]

    return output


def _tl_encode_contenders(what: str, build: bool) -> list[Contender]:
    """
    mtcore, its codec over the pure twin, Telethon and Pyrogram: encode a
    prebuilt object, or (``build``) build it from plain values (nested
    objects too) and encode it, as one inlined expression.
    """

    def row(lib: str, how: str) -> Callable[[TLInputs], Bench]:
        # how: "encode" (codec.encode(obj)), "_bytes" / "write" (a method)
        def make(i: TLInputs) -> Bench:
            codec = _pure_codec() if lib == "mtcore-pure" else None
            b = _TLBuild(lib.partition("-")[0], codec and codec.codec_for())
            call = getattr(b, what)(i.spec)
            enc = None
            if how == "encode":
                enc = (
                    codec.encode
                    if codec
                    else importlib.import_module("mtcore.tl").encode
                )
            if build:
                names: dict[str, Any] = {}
                expr = _call_expr(call, names)
                if enc is not None:
                    return Stmt(f"enc({expr})", enc=enc, **names)
                return Stmt(f"{expr}.{how}()", **names)
            obj = _realize(call)
            if enc is not None:
                return functools.partial(enc, obj)
            return functools.partial(getattr(obj, how))

        return make

    pyro_out = None
    if what == "send":
        # layer 158's sendMessage has another constructor number; with no
        # reply_to the rest of the bytes are the same as layer 229's.
        def pyro_out(i: TLInputs, result: Any) -> bytes:
            return i.data[:4] + bytes(result)[4:]

    return [
        Contender("mtcore", row("mtcore", "encode")),
        Contender("mtcore-pure", row("mtcore-pure", "encode"), _tl_pure_missing),
        Contender("telethon", row("telethon", "_bytes"), _peer_missing("telethon")),
        Contender(
            "pyrogram",
            row("pyrogram", "write"),
            _peer_missing("pyrogram"),
            output=pyro_out,
        ),
    ]


def _tl_date(t: Any) -> Any:
    return int(t.timestamp()) if isinstance(t, datetime.datetime) else t


def _tl_peer(p: Any) -> Any:
    return None if p is None else p.user_id


def _tl_message_key(m: Any) -> list[Any]:
    return [
        m.id,
        bool(m.out),
        _tl_peer(m.from_id),
        _tl_peer(m.peer_id),
        _tl_date(m.date),
        m.message,
        [
            [type(e).__name__.lower(), e.offset, e.length, getattr(e, "url", None)]
            for e in (m.entities or ())
        ],
        _tl_date(m.edit_date),
    ]


def _tl_user_key(u: Any) -> list[Any]:
    return [
        u.id,
        u.access_hash,
        u.first_name,
        u.last_name,
        u.username,
        u.phone,
        u.photo.photo_id,
        u.photo.dc_id,
        bytes(u.photo.stripped_thumb).hex(),
        _tl_date(u.status.was_online),
    ]


def _tl_decoded_key(what: str) -> Callable[[TLInputs, Any], bytes]:
    """
    What a decode contender's result is compared by: the fields the case
    set, read back by name (the same names in all three libraries; dates as
    unix times), as JSON.  Pyrogram decodes its own layer's bytes, so bytes
    cannot be compared; mtcore's own round trip is in the tests.
    """

    def output(i: TLInputs, obj: Any) -> bytes:
        if what == "message":
            key: Any = _tl_message_key(obj)
        else:
            key = {
                "messages": [_tl_message_key(m) for m in obj.messages],
                "chats": len(obj.chats),
                "users": [_tl_user_key(u) for u in obj.users],
            }
        return json.dumps(key, ensure_ascii=False).encode()

    return output


def _tl_decode_contenders(what: str) -> list[Contender]:
    def mtcore_row(i: TLInputs) -> Bench:
        return functools.partial(importlib.import_module("mtcore.tl").decode, i.data)

    def pure_row(i: TLInputs) -> Bench:
        return functools.partial(_pure_codec().decode, i.data)

    def telethon_row(i: TLInputs) -> Bench:
        reader = _peer("telethon.extensions").BinaryReader
        return Stmt("R(d).tgread_object()", R=reader, d=i.data)

    def pyrogram_row(i: TLInputs) -> Bench:
        import io

        if not i.data_pyrogram:
            raise Unavailable("pyrogram is not installed")
        read = _peer("pyrogram.raw.core").TLObject.read
        return Stmt("read(B(d))", read=read, B=io.BytesIO, d=i.data_pyrogram)

    def telethon_same_bytes(i: TLInputs) -> str | None:
        # Telethon (layer 229 too) builds the case into mtcore's bytes.
        mine = _tl_write(_TLBuild("telethon").build(what, i.spec))
        return None if mine == i.data else "Telethon builds the case into other bytes"

    out = _tl_decoded_key(what)
    return [
        Contender("mtcore", mtcore_row, output=out),
        Contender("mtcore-pure", pure_row, _tl_pure_missing, output=out),
        Contender(
            "telethon",
            telethon_row,
            _peer_missing("telethon"),
            output=out,
            cross=telethon_same_bytes,
        ),
        Contender("pyrogram", pyrogram_row, _peer_missing("pyrogram"), output=out),
    ]


def _tl_input_size(i: TLInputs, contender: str) -> int:
    """
    The bytes a decode contender reads (Pyrogram: its layer's).
    """
    return len(i.data_pyrogram if contender == "pyrogram" else i.data)


_TL_ENCODE_NOTES = (
    "mtcore: mtcore.tl.encode(obj) (bytes(obj) adds a __bytes__ call); "
    "mtcore-pure: the codec as under MTCORE_PUREPYTHON=1 (Python loops, pure "
    "Writer); telethon: obj._bytes(); pyrogram: obj.write()."
)
_TL_BUILD_NOTES = (
    "Build the object from plain values (nested objects too), then encode: "
    "mtcore: encode(functions.<ns>.<name>(**fields)) (fields checked); "
    "telethon: <Name>Request(...)._bytes(); pyrogram: <Name>(...).write()."
)

register(
    Operation(
        "tl_encode_login_token",
        "TL encode auth.exportLoginToken, prebuilt object (2 except_ids)",
        (TL_SIZES["tl_encode_login_token"],),
        lambda size: make_tl("tl_encode_login_token"),
        tuple(_tl_encode_contenders("login", build=False)),
        notes=(_TL_ENCODE_NOTES,),
    )
)
register(
    Operation(
        "tl_build_login_token",
        "TL build + encode auth.exportLoginToken (2 except_ids)",
        (TL_SIZES["tl_build_login_token"],),
        lambda size: make_tl("tl_build_login_token"),
        tuple(_tl_encode_contenders("login", build=True)),
        notes=(_TL_BUILD_NOTES,),
    )
)
register(
    Operation(
        "tl_encode_send_message",
        "TL encode messages.sendMessage with 3 entities, prebuilt object",
        (TL_SIZES["tl_encode_send_message"],),
        lambda size: make_tl("tl_encode_send_message"),
        tuple(_tl_encode_contenders("send", build=False)),
        notes=(
            _TL_ENCODE_NOTES,
            (
                f"{_PYROGRAM_LAYER}; its bytes differ from layer 229's only in "
                "sendMessage's constructor number (checked)."
            ),
        ),
    )
)
register(
    Operation(
        "tl_build_send_message",
        "TL build + encode messages.sendMessage with 3 entities",
        (TL_SIZES["tl_build_send_message"],),
        lambda size: make_tl("tl_build_send_message"),
        tuple(_tl_encode_contenders("send", build=True)),
        notes=(_TL_BUILD_NOTES,),
    )
)
register(
    Operation(
        "tl_decode_messages",
        "TL decode messages.messages: 100 messages, 20 users",
        (TL_SIZES["tl_decode_messages"],),
        lambda size: make_tl("tl_decode_messages"),
        tuple(_tl_decode_contenders("messages")),
        notes=(
            (
                "mtcore: mtcore.tl.decode(data); mtcore-pure: the codec as under "
                "MTCORE_PUREPYTHON=1 (Python loops, pure Reader); telethon: "
                "BinaryReader(data)"
                ".tgread_object(); pyrogram: TLObject.read(BytesIO(data))."
            ),
            (
                f"{_PYROGRAM_LAYER}. Checked: every "
                "field the case sets (ids, texts, dates, entities, users) reads "
                "back equal."
            ),
        ),
        memory=_tl_input_size,
    )
)
register(
    Operation(
        "tl_decode_message",
        "TL decode one message (text, 3 entities)",
        (TL_SIZES["tl_decode_message"],),
        lambda size: make_tl("tl_decode_message"),
        tuple(_tl_decode_contenders("message")),
        notes=("As the 100-message case, one message of it.",),
    )
)


# --- drop-in backends (mtcore.compat) -----------------------------------------
#
# Each client's own code (Pyrogram's crypto.aes and crypto.mtproto,
# Telethon's crypto.AES, MTProtoState and AESModeCTR) timed on its original
# backend and on mtcore, side by side in one process.  mtcore.compat.install()
# works at import time, so the rows on mtcore run private copies of the
# clients' functions: the same code objects, with the module names
# ``tgcrypto``/``cryptg``/``aes`` bound to what install() would have given
# them.

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


def _real(name: str) -> Any:
    """
    The installed peer module itself, not mtcore's alias of it.
    """
    module = _peer(name)
    if getattr(module, "__name__", "").startswith("mtcore.compat"):
        raise Unavailable(f"{name} is aliased to mtcore.compat in this process")
    return module


def _real_missing(name: str) -> Callable[[], str | None]:
    def check() -> str | None:
        try:
            _real(name)
        except Unavailable as exc:
            return str(exc)
        return None

    return check


def _compat(name: str) -> Any:
    return importlib.import_module(f"mtcore.compat.{name}")


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

    _peer("pyrogram")
    target: Any = {
        "mtcore": lambda: _compat("tgcrypto"),
        "tgcrypto": lambda: _real("tgcrypto"),
        "pyaes": lambda: (_peer("pyaes"), None)[1],
    }[backend]()
    aes = _module_copy("pyrogram.crypto.aes", backend, {"tgcrypto": target})
    if (getattr(aes, "tgcrypto", None) is None) != (backend == "pyaes"):
        raise Unavailable(f"Pyrogram's crypto.aes did not take {backend}")
    mtproto = _peer("pyrogram.crypto.mtproto")
    return types.SimpleNamespace(
        aes=aes,
        pack=_rebound(mtproto.pack, aes=aes),
        unpack=_rebound(mtproto.unpack, aes=aes),
    )


def _pyrogram_missing(backend: str) -> Callable[[], str | None]:
    peers = {"mtcore": (), "tgcrypto": ("tgcrypto",), "pyaes": ("pyaes",)}[backend]
    check_peers = _peers_missing("pyrogram", *peers)

    def check() -> str | None:
        reason = check_peers()
        if reason is None and backend == "tgcrypto":
            reason = _real_missing("tgcrypto")()
        return reason

    return check


def _pyrogram_pack_row(backend: str) -> Contender:
    def make(i: MsgInputs) -> Bench:
        return _pyrogram_pack_bench(_pyrogram_on(backend), i)

    return Contender(
        backend,
        make,
        _pyrogram_missing(backend),
        PYAES_MAX if backend == "pyaes" else None,
    )


def _pyrogram_unpack_row(backend: str) -> Contender:
    def make(i: MsgInputs) -> Bench:
        return _pyrogram_unpack_bench(_pyrogram_on(backend), i)

    return Contender(
        backend,
        make,
        _pyrogram_missing(backend),
        PYAES_MAX if backend == "pyaes" else None,
        output=_pyrogram_output,
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
        tuple(_pyrogram_pack_row(b) for b in _PYROGRAM_BACKENDS),
        notes=(
            _PYROGRAM_NOTE,
            (
                "Its Message body pre-serialized; random padding: checked by "
                "decrypting every packet with mtcore."
            ),
        ),
        check=_check_packet,
    )
)
register(
    Operation(
        "compat_pyrogram_unpack",
        "Pyrogram crypto.mtproto.unpack, server to client (size = message body)",
        MTPROTO_SIZES,
        lambda size: make_message(size, False),
        tuple(_pyrogram_unpack_row(b) for b in _PYROGRAM_BACKENDS),
        notes=(_PYROGRAM_NOTE, "A BytesIO per call, as its Session does."),
        check=_check_message,
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
    target = _real("cryptg") if backend == "cryptg" else _compat("cryptg")
    aes = _peer("telethon.crypto.aes").AES
    aes_copy = type(
        "AES",
        (aes,),
        {
            name: staticmethod(_rebound(getattr(aes, name), cryptg=target))
            for name in ("encrypt_ige", "decrypt_ige")
        },
    )
    state = _peer("telethon.network.mtprotostate").MTProtoState
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
        return _peers_missing("telethon", "cryptg")
    return _peer_missing("telethon")


def _telethon_encrypt_row(backend: str) -> Contender:
    def make(i: MsgInputs) -> Bench:
        state = _telethon_state(i, _telethon_state_class(backend))
        return functools.partial(state.encrypt_message_data, i.plaintext[16:])

    return Contender(backend, make, _telethon_missing(backend))


def _telethon_decrypt_row(backend: str) -> Contender:
    def make(i: MsgInputs) -> Bench:
        state = _telethon_state(i, _telethon_state_class(backend))
        return functools.partial(state.decrypt_message_data, i.packet)

    return Contender(
        backend, make, _telethon_missing(backend), output=_telethon_message_key
    )


def _telethon_original_ctr() -> Any:
    cls = _peer("telethon.crypto.aesctr").AESModeCTR
    if cls.__module__.startswith("mtcore."):
        raise Unavailable("Telethon's AESModeCTR is patched by mtcore in this process")
    return cls


def _telethon_ctr_rows() -> tuple[Contender, ...]:
    def mtcore_row(i: Inputs) -> Bench:
        return functools.partial(
            _compat("telethon").AESModeCTR(i.key, i.iv).encrypt, i.data
        )

    def pyaes_row(i: Inputs) -> Bench:
        return functools.partial(_telethon_original_ctr()(i.key, i.iv).encrypt, i.data)

    return (
        Contender("mtcore", mtcore_row, _peer_missing("telethon")),
        Contender(
            "pyaes",
            pyaes_row,
            _peers_missing("telethon", "pyaes"),
            TELETHON_PYAES_MAX,
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
        check=_check_packet,
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
        check=_check_message,
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
        Contender("mtcore", row(lambda: _compat(module))),
        Contender(module, row(lambda: _real(module)), _real_missing(module)),
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
class PQInputs(_Args):
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
            row(lambda: _api("mtcore.auth", "factorize_pq")),
            auth_missing,
            output=_factor_pairs,
        ),
        Contender(
            "mtcore-compat",
            row(lambda: _compat("cryptg").factorize_pq_pair),
            auth_missing,
            output=_factor_pairs,
        ),
        Contender(
            "cryptg",
            row(lambda: _real("cryptg").factorize_pq_pair),
            _real_missing("cryptg"),
            output=_factor_pairs,
        ),
        Contender(
            "telethon",
            row(lambda: _peer("telethon.crypto.factorization").Factorization.factorize),
            _peer_missing("telethon"),
            output=_factor_pairs,
        ),
    )


register(
    Operation(
        "compat_factorize",
        f"pq factorization, {PQ_COUNT} random 63-bit pq per call",
        (Batch(PQ_COUNT, 8),),
        make_pqs,
        _factorize_rows(),
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


# --- verification -------------------------------------------------------


def _as_bytes(result: Any) -> bytes:
    """
    A result as bytes; a list of results (a batch) joined.
    """
    if isinstance(result, (list, tuple)):
        return b"".join(bytes(r) for r in result)
    return bytes(result)


@functools.lru_cache(maxsize=64)
def reference(op_name: str, size: int | Batch) -> tuple[bytes, ...]:
    """
    mtcore's outputs for the first ``verify_calls`` calls of a fresh
    instance.

    :raises Unavailable: mtcore's own row cannot run here.
    """
    op = OPERATIONS[op_name]
    mtc = op.contenders[0]
    reason = mtc.requires()
    if reason is not None:
        raise Unavailable(f"no reference: mtcore cannot run this here ({reason})")
    given = op.inputs(size).copy()
    fn = mtc.make(given)
    return tuple(mtc.result_bytes(given, fn()) for _ in range(op.verify_calls))


@dataclass
class Check:
    """
    The outcome of comparing one contender with mtcore on one case.
    """

    error: str | None = None  # the output is wrong or the call failed
    warning: str | None = None  # e.g. it wrote into its arguments


def verify(op: Operation, contender: Contender, size: int | Batch) -> Check:
    """
    Run a fresh instance of ``contender`` and compare its outputs with
    mtcore's (or apply the operation's own check), run the contender's
    cross check, and check that it left its arguments alone.
    """
    original = op.inputs(size)
    given = original.copy()
    want = None if op.check is not None else reference(op.name, size)
    try:
        fn = contender.make(given)
        outputs = [
            contender.result_bytes(original, fn()) for _ in range(op.verify_calls)
        ]
        cross = None if contender.cross is None else contender.cross(original.copy())
    except Unavailable:
        raise
    except Exception as exc:  # noqa: BLE001 -- a peer failing is a finding, not a crash
        return Check(error=f"raised {type(exc).__name__}: {exc}")
    check = Check()
    for n, got in enumerate(outputs, 1):
        if op.check is not None:
            problem = op.check(original, got)
            if problem is not None:
                check.error = f"call {n}: {problem}"
                break
            continue
        assert want is not None
        if got != want[n - 1]:
            check.error = (
                f"output of call {n} differs from mtcore's"
                if len(got) == len(want[n - 1])
                else f"call {n} returned {len(got)} bytes, expected {len(want[n - 1])}"
            )
            break
    if check.error is None and cross is not None:
        check.error = cross
    changed = [
        f.name
        for f in dataclasses.fields(original)
        if getattr(given, f.name) != getattr(original, f.name)
    ]
    if changed:
        check.warning = f"wrote into its {'/'.join(changed)} argument (bytes)"
    return check


# --- timing -------------------------------------------------------------

Timer = Callable[[int], int]

_LOOP = """\
def outer(_f{params}):
    def timed(_n, _repeat=_repeat, _clock=_clock, _f=_f{defaults}):
        _it = _repeat(None, _n)
        _t0 = _clock()
        for _ in _it:
            _f({call})
        return _clock() - _t0
    return timed
"""

# The loop for a Stmt: its expression inline, its names as locals.
_STMT_LOOP = """\
def outer({params}):
    def timed(_n, _repeat=_repeat, _clock=_clock{defaults}):
        _it = _repeat(None, _n)
        _t0 = _clock()
        for _ in _it:
            {expr}
        return _clock() - _t0
    return timed
"""


def make_timer(fn: Bench) -> Timer:
    """
    A function ``timed(n)`` that calls ``fn`` n times and returns the
    nanoseconds taken; a ``functools.partial`` is unwrapped so the loop
    calls the function itself with local arguments, as ``timeit`` does,
    and a :class:`Stmt` is inlined.
    """
    namespace: dict[str, Any] = {
        "_repeat": itertools.repeat,
        "_clock": time.perf_counter_ns,
    }
    if isinstance(fn, Stmt):
        src = _STMT_LOOP.format(
            params=", ".join(fn.names),
            defaults="".join(f", {n}={n}" for n in fn.names),
            expr=fn.expr,
        )
        exec(src, namespace)  # noqa: S102 -- our own template, as timeit does
        inlined: Timer = namespace["outer"](**fn.names)
        return inlined
    func: Callable[..., Any] = fn
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = {}
    if type(fn) is functools.partial:
        func, args, kwargs = fn.func, fn.args, dict(fn.keywords)
    names = [f"_a{n}" for n in range(len(args))]
    knames = [f"_k{n}" for n in range(len(kwargs))]
    call = ", ".join(names + [f"{k}={v}" for k, v in zip(kwargs, knames)])
    src = _LOOP.format(
        params="".join(f", {n}" for n in names + knames),
        defaults="".join(f", {n}={n}" for n in names + knames),
        call=call,
    )
    exec(src, namespace)  # noqa: S102 -- our own template, as timeit does
    timed: Timer = namespace["outer"](func, *args, *kwargs.values())
    return timed


def calibrate(timed: Timer, target_ns: int) -> int:
    """
    The loop count that makes ``timed(n)`` last about ``target_ns`` (at
    least one call, at most ``MAX_LOOPS``).
    """
    timed(1)  # warm up
    n = 1
    quarter = target_ns // 4
    while True:
        t = max(timed(n), 1)
        if t >= quarter or n >= MAX_LOOPS:
            break
        n = min(MAX_LOOPS, n * max(2, min(100, quarter // t + 1)))
    return max(1, min(MAX_LOOPS, round(n * target_ns / t)))


def harness_overhead(target_ns: int, samples: int) -> float:
    """
    Nanoseconds per iteration of the generated loop calling a C builtin
    that does nothing (``bool()``): included in every figure, not
    subtracted.
    """
    timed = make_timer(functools.partial(bool))
    n = calibrate(timed, target_ns)
    return statistics.median(timed(n) / n for _ in range(samples))


@dataclass
class Result:
    """
    The timing of one contender on one case.
    """

    contender: str
    loops: int
    samples_ns: list[float]  # per call, one per sample
    median_ns: float = 0.0
    ratio: float | None = None  # this time / mtcore's time

    def __post_init__(self) -> None:
        self.median_ns = statistics.median(self.samples_ns)

    def mb_per_s(self, size: int) -> float:
        return size / self.median_ns * 1e3

    def spread(self) -> float:
        """
        (slowest - fastest sample) / median.
        """
        return (max(self.samples_ns) - min(self.samples_ns)) / self.median_ns


class _GcOff:
    def __enter__(self) -> None:
        self.was = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc: object) -> None:
        if self.was:
            gc.enable()


def time_contenders(
    fns: Sequence[tuple[str, Bench]],
    samples: int,
    target_ns: int,
    progress: Callable[[str], None] = lambda s: None,
) -> list[Result]:
    """
    Time the callables round-robin: calibrate each, then take ``samples``
    rounds, each round timing every callable once, starting one further
    along each round.
    """
    timers = [make_timer(fn) for _, fn in fns]
    with _GcOff():
        progress("calibrating")
        loops = [calibrate(t, target_ns) for t in timers]
        per_call: list[list[float]] = [[] for _ in timers]
        k = len(timers)
        for s in range(samples):
            progress(f"sample {s + 1}/{samples}")
            for j in range(k):
                i = (s + j) % k
                per_call[i].append(timers[i](loops[i]) / loops[i])
    results = [
        Result(name, n, times) for (name, _), n, times in zip(fns, loops, per_call)
    ]
    base = results[0].median_ns
    for r in results[1:]:
        r.ratio = r.median_ns / base
    return results


def _two_threads(a: Timer, b: Timer, n: int) -> int:
    """
    Wall time for two threads each running n calls at once.
    """
    barrier = threading.Barrier(3)

    def work(timed: Timer) -> None:
        barrier.wait()
        timed(n)

    threads = [threading.Thread(target=work, args=(t,)) for t in (a, b)]
    for th in threads:
        th.start()
    barrier.wait()
    t0 = time.perf_counter_ns()
    for th in threads:
        th.join()
    return time.perf_counter_ns() - t0


@dataclass
class ThreadResult:
    """
    One contender in the two-thread check.
    """

    contender: str
    loops: int
    one_ns: list[float]  # one thread, n calls
    two_ns: list[float]  # two threads, n calls each, wall time

    @property
    def speedup(self) -> float:
        """
        Throughput of two threads / throughput of one (2.0 is perfect).
        """
        return 2 * statistics.median(self.one_ns) / statistics.median(self.two_ns)


def time_threads(
    fns: Sequence[tuple[str, Callable[[], Bench]]],
    samples: int,
    target_ns: int,
    progress: Callable[[str], None] = lambda s: None,
) -> list[ThreadResult]:
    """
    Two threads vs one, round-robin across contenders; ``fns`` gives a
    factory per contender (each thread gets its own instance).
    """
    timers = [
        (name, make_timer(f()), make_timer(f()), make_timer(f())) for name, f in fns
    ]
    with _GcOff():
        progress("calibrating")
        loops = [calibrate(t[1], target_ns) for t in timers]
        results = [ThreadResult(t[0], n, [], []) for t, n in zip(timers, loops)]
        k = len(timers)
        for s in range(samples):
            progress(f"sample {s + 1}/{samples}")
            for j in range(k):
                i = (s + j) % k
                _, one, a, b = timers[i]
                results[i].one_ns.append(one(loops[i]))
                results[i].two_ns.append(_two_threads(a, b, loops[i]))
    return results


# --- machine description -------------------------------------------------


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _version(dist: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _openssl() -> str | None:
    try:
        from cryptography.hazmat.backends.openssl.backend import backend

        return str(backend.openssl_version_text())
    except Exception:  # noqa: BLE001 -- only a label; any failure means "unknown"
        return None


def _extension() -> dict[str, Any] | None:
    """
    Which build of the compiled module ran (it changes under development).
    """
    path = getattr(_impl(), "__file__", None)
    if _backend.IMPLEMENTATION != "c" or not path:
        return None
    import hashlib

    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    mtime = datetime.datetime.fromtimestamp(
        os.stat(path).st_mtime, datetime.timezone.utc
    )
    return {
        "file": os.path.basename(path),
        "sha256": digest,
        "built": mtime.isoformat(timespec="seconds"),
    }


def machine_info() -> dict[str, Any]:
    """
    What ran: backend, CPU, Python, peer versions, date.
    """
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(
            timespec="seconds"
        ),
        "mtcore": mtcore.__version__,
        "backend": mtcore.backend_info(),
        "extension": _extension(),
        "cpu": _cpu_model(),
        "cpus": _cpus(),
        "platform": platform.platform(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "peers": {name: _version(dist) for name, dist in PEERS.items()},
        "openssl": _openssl(),
    }


# --- the command ---------------------------------------------------------


class Progress:
    """
    One status line on stderr: rewritten in place on a terminal, else
    printed once per step.
    """

    def __init__(self, stream: TextIO = sys.stderr) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.step = ""

    def start(self, step: str) -> None:
        self.step = step
        if not self.tty:
            print(step, file=self.stream, flush=True)
        else:
            self.detail("")

    def detail(self, text: str) -> None:
        if self.tty:
            line = f"{self.step} {text}".rstrip()
            self.stream.write(f"\r\x1b[K{line[:200]}")
            self.stream.flush()

    def done(self) -> None:
        if self.tty:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


@dataclass
class Case:
    """
    One operation at one size: what was verified, skipped and timed.
    """

    op: Operation
    size: int | Batch
    skipped: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    warnings: dict[str, str] = field(default_factory=dict)
    verified: list[str] = field(default_factory=list)
    results: list[Result] = field(default_factory=list)
    #: Per contender, for operations with :attr:`Operation.memory`:
    #: ``peak_bytes``, ``input_bytes`` and ``multiple`` (peak / input).
    memory: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.op.name}/{size_label(self.size, '')}"


def _format_time(ns: float) -> str:
    if ns < 1e3:
        return f"{ns:.0f} ns"
    if ns < 1e6:
        return f"{ns / 1e3:.2f} us"
    return f"{ns / 1e6:.2f} ms"


def _format_rate(mb: float) -> str:
    return f"{mb:,.0f} MB/s" if mb >= 10 else f"{mb:.2f} MB/s"


def _selected(key: str, pattern: str | None) -> bool:
    return pattern is None or pattern.lower() in key.lower()


def plan(pattern: str | None) -> list[Case]:
    """
    The cases that ``--filter`` keeps, with their skipped contenders.
    """
    cases = []
    for op in OPERATIONS.values():
        for size in op.sizes:
            case = Case(op, size)
            if not _selected(case.key, pattern):
                continue
            for c in op.contenders:
                reason = c.skip_reason(size)
                if reason is not None:
                    case.skipped[c.name] = reason
            first = op.contenders[0].name
            if first in case.skipped:
                # No reference row: nothing to verify against or compare with.
                for c in op.contenders[1:]:
                    case.skipped.setdefault(
                        c.name, f"no mtcore row to compare with ({case.skipped[first]})"
                    )
            cases.append(case)
    return cases


def run_case(case: Case, samples: int, target_ns: int, progress: Progress) -> None:
    """
    Verify, then time, the contenders of one case.
    """
    op = case.op
    fns = []
    for c in op.contenders:
        if c.name in case.skipped:
            continue
        if needs_verify(op, c):
            try:
                check = verify(op, c, case.size)
            except Unavailable as exc:
                case.skipped[c.name] = str(exc)
                continue
            if check.warning:
                case.warnings[c.name] = check.warning
            if check.error:
                case.errors[c.name] = check.error
                continue
            case.verified.append(c.name)
        fns.append((c.name, c.make(op.inputs(case.size).copy())))
    if not fns or fns[0][0] != op.contenders[0].name:
        return  # mtcore's own row failed: no ratios, nothing timed
    case.results = time_contenders(fns, samples, target_ns, progress.detail)
    if op.memory is not None:
        progress.detail("memory")
        inputs = op.inputs(case.size)
        for name, fn in fns:
            case.memory[name] = measure_memory(fn, op.memory(inputs, name))


def measure_memory(fn: Bench, input_bytes: int) -> dict[str, Any]:
    """
    The peak of the memory allocated during one call of ``fn`` (tracemalloc,
    the result included, as it is alive when the call returns), after a
    warm-up call; as bytes and as a multiple of ``input_bytes``.
    """
    import tracemalloc

    fn()  # warm up: caches and lazily created classes are not the call's
    gc.collect()
    was = tracemalloc.is_tracing()
    if not was:
        tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        result = fn()
        peak = tracemalloc.get_traced_memory()[1] - base
        del result
    finally:
        if not was:
            tracemalloc.stop()
    return {
        "peak_bytes": peak,
        "input_bytes": input_bytes,
        "multiple": peak / input_bytes if input_bytes else None,
    }


def _memory_note(case: Case) -> str | None:
    if not case.memory:
        return None
    parts = []
    for name, m in case.memory.items():
        mult = "-" if m["multiple"] is None else f"{m['multiple']:.1f}x"
        parts.append(f"{name} {mult} ({m['peak_bytes'] / 1e3:,.0f} kB)")
    return (
        "peak memory allocated by one call, result included (tracemalloc), "
        "as a multiple of the input size: " + ", ".join(parts)
    )


THREAD_OP = "ige_encrypt"
THREAD_SIZES = (16 * KiB, 512 * KiB)
THREAD_CONTENDERS = ("mtcore", "tgcrypto", "cryptg", "hypercrypto")
# Timed alongside: hashlib releases the GIL above 2 KiB, so its speedup is
# what the machine gives two threads right now (a busy host or two vCPUs
# on one physical core show as well under 2x for everybody).
THREAD_CONTROL = "control: hashlib.sha256"


def _sha256(data: bytes) -> Bench:
    import hashlib

    return functools.partial(hashlib.sha256, bytes(data))


def run_threads(
    pattern: str | None, samples: int, target_ns: int, progress: Progress
) -> list[dict[str, Any]]:
    """
    The two-thread check: IGE encrypt, two threads vs one.
    """
    op = OPERATIONS[THREAD_OP]
    out = []
    for size in THREAD_SIZES:
        key = f"threads/{THREAD_OP}/{size_label(size, '')}"
        if not _selected(key, pattern):
            continue
        progress.start(f"two threads vs one: {op.title} {size_label(size)}")
        fns: list[tuple[str, Callable[[], Bench]]] = []
        skipped = {}
        for name in THREAD_CONTENDERS:
            c = op.contender(name)
            reason = c.skip_reason(size)
            if reason is None and name != "mtcore":
                check = verify(op, c, size)
                reason = check.error and f"wrong output: {check.error}"
            if reason:
                skipped[name] = reason
                continue
            fns.append((name, functools.partial(c.make, op.inputs(size).copy())))
        fns.append((THREAD_CONTROL, functools.partial(_sha256, op.inputs(size).data)))
        results = time_threads(fns, samples, target_ns, progress.detail)
        out.append(
            {
                "operation": THREAD_OP,
                "size": size,
                "skipped": skipped,
                "results": [
                    {
                        "contender": r.contender,
                        "loops": r.loops,
                        "one_thread_ns": r.one_ns,
                        "two_threads_ns": r.two_ns,
                        "one_thread_mb_per_s": size
                        * r.loops
                        / statistics.median(r.one_ns)
                        * 1e3,
                        "two_threads_mb_per_s": 2
                        * size
                        * r.loops
                        / statistics.median(r.two_ns)
                        * 1e3,
                        "speedup": r.speedup,
                    }
                    for r in results
                ],
            }
        )
    progress.done()
    return out


def _table(cases: list[Case], out: TextIO) -> None:
    by_op: dict[str, list[Case]] = {}
    for case in cases:
        by_op.setdefault(case.op.name, []).append(case)
    width = max(
        [len(r.contender) for case in cases for r in case.results] + [len("contender")]
    )
    for op_cases in by_op.values():
        op = op_cases[0].op
        print(f"\n{op.title}", file=out)
        for note in op.notes:
            print(f"  ({note})", file=out)
        for case in op_cases:
            mem = _memory_note(case)
            if mem is not None:
                label = f"{size_label(case.size)}: " if len(op_cases) > 1 else ""
                print(f"  ({label}{mem})", file=out)
        skipped: dict[str, str] = {}
        for case in op_cases:
            for name, reason in case.skipped.items():
                skipped.setdefault(name, reason)
        if skipped:
            print(
                "  (not timed: "
                + "; ".join(f"{name}: {reason}" for name, reason in skipped.items())
                + ")",
                file=out,
            )
        lw = max(8, *(len(size_label(case.size)) for case in op_cases))
        print(
            f"  {'size':<{lw}} {'contender':<{width}} {'per call':>10} "
            f"{'throughput':>13} {'vs mtcore':>10} {'spread':>7}",
            file=out,
        )
        for case in op_cases:
            label = size_label(case.size)
            for r in case.results:
                ratio = "-" if r.ratio is None else f"{r.ratio:.2f}x"
                print(
                    f"  {label:<{lw}} {r.contender:<{width}} "
                    f"{_format_time(r.median_ns):>10} "
                    f"{_format_rate(r.mb_per_s(total_bytes(case.size))):>13} "
                    f"{ratio:>10} {r.spread():>6.0%}",
                    file=out,
                )
                label = ""
            for name, err in case.errors.items():
                print(f"  {label:<{lw}} {name:<{width}} NOT TIMED: {err}", file=out)
                label = ""


def _threads_table(threads: list[dict[str, Any]], out: TextIO) -> None:
    if not threads:
        return
    print(
        "\nTwo threads vs one (IGE encrypt; each thread its own inputs; "
        "2.00x is perfect on 2 cores;\n  the hashlib control, which releases "
        "the GIL, shows what the machine allowed during the run)",
        file=out,
    )
    print(
        f"  {'size':<8} {'contender':<24} {'1 thread':>13} {'2 threads':>13} {'speedup':>8}",
        file=out,
    )
    for entry in threads:
        label = size_label(entry["size"])
        for r in entry["results"]:
            print(
                f"  {label:<8} {r['contender']:<24} "
                f"{_format_rate(r['one_thread_mb_per_s']):>13} "
                f"{_format_rate(r['two_threads_mb_per_s']):>13} "
                f"{r['speedup']:>7.2f}x",
                file=out,
            )
            label = ""
        for name, reason in entry["skipped"].items():
            print(f"  {label:<8} {name:<24} skipped: {reason}", file=out)
            label = ""


def _header(info: dict[str, Any], samples: int, target_ns: int, overhead: float) -> str:
    b = info["backend"]
    peers = (
        ", ".join(f"{name} {v}" for name, v in info["peers"].items() if v is not None)
        or "none installed"
    )
    missing = [name for name, v in info["peers"].items() if v is None]
    ext = info["extension"]
    built = (
        f"; extension built {ext['built']}, sha256 {ext['sha256'][:12]}" if ext else ""
    )
    openssl = f"; {info['openssl']}" if info["openssl"] else ""
    kernels = ", ".join(b["aes_kernels"])
    lines = [
        f"mtcore {info['mtcore']}: {b['implementation']} implementation, "
        + f"AES kernel {b['aes']} (available: {kernels})",
        f"{info['cpu']}, {info['cpus']} CPUs; {info['python']}; {info['date']}{built}",
        f"peers: {peers}{openssl}",
    ]
    if missing:
        lines.append(f"not installed (skipped): {', '.join(missing)}")
    lines.append(
        f"Medians of {samples} samples of ~{target_ns / 1e6:.0f} ms per contender, "
        "contenders timed round-robin in one run."
    )
    lines.append(
        "'vs mtcore' = contender time / mtcore time (above 1: mtcore is faster); "
        "'spread' = (slowest - fastest sample) / median; MB = 10^6 bytes."
    )
    lines.append(f"Harness cost per call, included in every figure: {overhead:.0f} ns.")
    return "\n".join(lines)


def _verification_summary(cases: list[Case]) -> list[str]:
    checked = sum(len(c.verified) + len(c.errors) for c in cases)
    lines = []
    errors = [(c, n, e) for c in cases for n, e in c.errors.items()]
    checked_ops = sorted({c.op.name for c in cases if c.op.check is not None})
    how = (
        f" ({', '.join(checked_ops)}: each output checked on its own, as the notes say)"
        if checked_ops
        else ""
    )
    if not errors:
        lines.append(
            f"Outputs verified before timing: all {checked} contender/case "
            f"pairs agree with mtcore{how}."
        )
    else:
        lines.append(
            f"Outputs verified before timing: {len(errors)} of {checked} "
            f"contender/case pairs DISAGREE with mtcore{how} and were not timed:"
        )
        for case, name, err in errors:
            lines.append(f"  {case.key} {name}: {err}")
        for case in cases:
            peers = [
                n
                for n in case.verified + list(case.errors)
                if not n.startswith("mtcore")
            ]
            if peers and all(n in case.errors for n in peers):
                lines.append(
                    f"  {case.key}: every peer disagrees with mtcore: suspect mtcore"
                )
    seen = set()
    for case in cases:
        for name, warning in case.warnings.items():
            if (name, warning, case.op.name) not in seen:
                seen.add((name, warning, case.op.name))
                lines.append(f"Note: {name} {case.op.name} {warning}.")
    return lines


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"{QUICK_SAMPLES} samples instead of {SAMPLES}",
    )
    parser.add_argument(
        "--json", metavar="FILE", help="also write every figure to FILE"
    )
    parser.add_argument(
        "--filter",
        metavar="SUBSTR",
        help="only the cases whose key contains SUBSTR, e.g. 'ige', 'ctr/16KiB', "
        "'threads' (keys: operation/size, threads/operation/size)",
    )
    parser.add_argument(
        "--pure",
        action="store_true",
        help="measure the pure-Python twin as the mtcore row when the compiled "
        "extension is not in use (refused otherwise)",
    )


def main(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    """
    Run the benchmarks; returns the exit status (1 if an mtcore kernel
    disagreed with the default).
    """
    if _backend.IMPLEMENTATION != "c":
        # Never present the pure twin as "mtcore" by accident.
        why = (
            "MTCORE_PUREPYTHON is set"
            if _backend.PURE_REQUESTED
            else _backend.EXTENSION_ERROR or "this is a pure-Python install"
        )
        if not getattr(args, "pure", False):
            print(
                "mtcore bench: refusing to run: mtcore here is the pure-Python "
                f"twin, not the compiled extension ({why}). Pass --pure to "
                "measure the twin as the mtcore row.",
                file=sys.stderr,
            )
            return 2
        print(f"mtcore bench: the mtcore row is the PURE-PYTHON twin ({why}).", file=out)
    started = time.perf_counter()
    samples = QUICK_SAMPLES if args.quick else SAMPLES
    target_ns = TARGET_NS
    progress = Progress()
    info = machine_info()
    cases = plan(args.filter)
    progress.start("measuring the harness")
    overhead = harness_overhead(target_ns, samples)
    for n, case in enumerate(cases, 1):
        progress.start(f"[{n}/{len(cases)}] {case.op.title} {size_label(case.size)}:")
        run_case(case, samples, target_ns, progress)
    threads = run_threads(args.filter, samples, THREAD_TARGET_NS, progress)
    progress.done()
    elapsed = time.perf_counter() - started

    if not cases and not threads:
        print(f"no case matches --filter {args.filter!r}", file=sys.stderr)
        return 2
    print(_header(info, samples, target_ns, overhead), file=out)
    for line in _verification_summary(cases):
        print(line, file=out)
    _table(cases, out)
    _threads_table(threads, out)
    print(f"\nTotal time {elapsed:.1f} s.", file=out)

    if args.json:
        doc = {
            "machine": info,
            "config": {
                "samples": samples,
                "target_ns": target_ns,
                "thread_target_ns": THREAD_TARGET_NS,
                "quick": args.quick,
                "filter": args.filter,
            },
            "harness_overhead_ns": overhead,
            "cases": [
                {
                    "operation": case.op.name,
                    "size": total_bytes(case.size),
                    **(
                        {"count": case.size.count, "item_size": case.size.size}
                        if isinstance(case.size, Batch)
                        else {}
                    ),
                    "verified": case.verified,
                    "errors": case.errors,
                    "warnings": case.warnings,
                    "skipped": case.skipped,
                    "results": [
                        {
                            "contender": r.contender,
                            "loops": r.loops,
                            "samples_ns": r.samples_ns,
                            "median_ns": r.median_ns,
                            "mb_per_s": r.mb_per_s(total_bytes(case.size)),
                            "ratio": r.ratio,
                            "spread": r.spread(),
                        }
                        for r in case.results
                    ],
                    **({"memory": case.memory} if case.memory else {}),
                }
                for case in cases
            ],
            "threads": threads,
            "elapsed_s": elapsed,
        }
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")
        print(f"Wrote {args.json}.", file=out)
    return 1 if any(n.startswith("mtcore") for c in cases for n in c.errors) else 0
