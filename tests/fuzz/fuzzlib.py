"""
What the fuzz targets of this folder share (see README): the backends
they compare, how an outcome is recorded and compared, and the entry
point that hands a target to atheris.

A target is a function of one ``bytes`` argument that returns normally
for every input and raises (:class:`Finding`, or any exception the
function under test should never raise) on a defect.  The same function
runs under atheris (``python tests/fuzz/fuzz_X.py ...``) and under pytest,
which replays the committed corpus (``test_fuzz_corpus.py``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import struct
import sys
from pathlib import Path
from typing import Any, Callable, Iterator

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"


class Finding(Exception):
    """
    A target saw a defect other than an unexpected exception: the two
    backends disagree, a round trip changes a value, an error message
    quotes a secret.
    """


def _fuzzing() -> bool:
    # True when a fuzz script of this folder is the program being run
    # (as atheris runs it), False under pytest or an import.
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if path is None:
        return False
    path = Path(path).resolve()
    return path.parent == HERE and path.name.startswith("fuzz_")


@contextlib.contextmanager
def instrumented() -> Iterator[None]:
    """
    Import mtcore inside this block: when a fuzz script runs under atheris
    its Python code is instrumented for coverage (the compiled extension
    is not: its pure twin, run beside it, gives the fuzzer its map).
    """
    if not _fuzzing():
        yield
        return
    import atheris

    with atheris.instrument_imports(include=["mtcore"]):
        yield


def run(target: Callable[[bytes], None]) -> None:
    """
    Fuzz ``target`` with atheris; the command line is libFuzzer's
    (corpus folders, ``-max_total_time=N``, ``-jobs=N`` ...).
    """
    import atheris

    atheris.Setup(sys.argv, target)
    atheris.Fuzz()


# --- outcomes --------------------------------------------------------------


def outcome(f: Callable[[], Any], allowed: tuple[type[BaseException], ...]) -> Any:
    """
    ``("ok", value)`` or, for an exception of an ``allowed`` type, its type
    and text; any other exception propagates (it is a finding).
    """
    try:
        return ("ok", f())
    except allowed as exc:
        return (type(exc), str(exc))


def canon(v: Any) -> Any:
    """
    A form of a result that compares equal exactly when the results are
    the same: types kept, floats by their bits (a NaN equals itself).
    """
    if isinstance(v, float):
        return (float, struct.pack("<d", v))
    if isinstance(v, (list, tuple)):
        return (type(v), tuple(canon(x) for x in v))
    if hasattr(v, "tl_name") and hasattr(v, "__iter__"):  # a TLObject
        return (type(v), tuple((k, canon(x)) for k, x in v))
    if dataclasses.is_dataclass(v):
        return (type(v), tuple(canon(getattr(v, f.name)) for f in dataclasses.fields(v)))
    return (type(v), v)


def same(a: Any, b: Any, what: str) -> None:
    """
    Raise a :class:`Finding` unless outcomes ``a`` and ``b`` are the same
    value, or the same exception type with the same text.
    """
    if a[0] == "ok" and b[0] == "ok":
        if canon(a[1]) == canon(b[1]):
            return
    elif a == b:
        return
    raise Finding(f"{what}: {_short(a)} != {_short(b)}")


def _short(o: Any) -> str:
    text = repr(o)
    return text if len(text) <= 600 else text[:600] + "..."


def own_text(*names: str) -> str:
    """
    The text of these files of the mtcore package (``"_errors.py"``,
    ``"tl/data/*.tl"``): what an error message may say of its own, so a
    piece of the input that also appears there is no sign of a leak.
    """
    import mtcore

    root = Path(mtcore.__file__).parent
    return "\n".join(
        p.read_text(encoding="utf-8") for name in names for p in sorted(root.glob(name))
    )


# --- backends ----------------------------------------------------------------


def compiled_module() -> Any:
    """
    ``mtcore._cmtcore`` when the compiled backend is in use, else None
    (a pure run, ``MTCORE_PUREPYTHON=1``, checks the pure side alone).
    """
    from mtcore import _backend

    return _backend.impl if _backend.IMPLEMENTATION == "c" else None


def tl_loops() -> list[Any]:
    """
    The TL codec loops to compare (mtcore.tl.codec._Loops): the compiled
    ones first when the extension runs, then the pure twin's.
    """
    from mtcore import _backend, _py
    from mtcore.tl.codec import _Loops

    modules = [_backend.impl] if _backend.impl is not _py else []
    return [_Loops(m) for m in (*modules, _py)]


def tl_both(f: Callable[[Any], Any], allowed: tuple[type[BaseException], ...]) -> Any:
    """
    The outcome of f(loops) over the compiled loops, checked against the
    pure twin's (the pure backend has only those).
    """
    first, *rest = (outcome(lambda L=L: f(L), allowed) for L in tl_loops())
    for other in rest:
        same(first, other, "compiled != python loops")
    return first


# --- transports (the fuzz_transport.py target) ---------------------------------

# A fixed obfuscation header and MTProxy secret (test material, not secrets).
OBFUSCATION_HEADER = bytes(range(7, 71))
PROXY_SECRET = "dd" + "42" * 16


def chunked(data: bytes, seed: int) -> list[bytes]:
    """
    ``data`` cut at points drawn from ``seed`` (one byte at a time for
    seed 0).
    """
    import random

    if seed == 0:
        return [data[i : i + 1] for i in range(len(data))]
    rng = random.Random(seed)
    cuts = sorted({rng.randrange(len(data) + 1) for _ in range(seed)} | {0, len(data)})
    return [data[a:b] for a, b in zip(cuts, cuts[1:])]


def transport_target(framing: Any, data: bytes) -> None:
    """
    The oracle of every framing's target: ``data`` is a control byte and
    the plaintext stream one side receives (bit 0: the server side; bit 1:
    obfuscated, the stream then encrypted as the peer would; bit 2: with
    an MTProxy secret; bits 3..7 pick a chunking).  The outcome is the same
    whole or chunked; only a TransportError is raised; frames are frames;
    the buffer holds no more than was fed; a packet re-encoded by the other
    side reads back the same.
    """
    from mtcore import transport
    from mtcore.exceptions import TransportError

    if not data:
        return
    control, stream = data[0], data[1:]
    server = bool(control & 1)
    obfuscated = bool(control & 2) and framing.TAG is not None
    secret = PROXY_SECRET if control & 4 and obfuscated else None
    cls = transport.PaddedIntermediate if secret else framing

    def make(side_server: bool) -> Any:
        if not obfuscated:
            codec = cls(server=side_server)
            if side_server:
                codec.feed(codec.prefix)
            return codec
        if side_server:
            codec = transport.Obfuscated(server=True, secret=secret)
            codec.feed(transport.Obfuscated(cls(), header=OBFUSCATION_HEADER, secret=secret,
                                            dc_id=1 if secret else None).start())
            return codec
        return transport.Obfuscated(cls(), header=OBFUSCATION_HEADER, secret=secret,
                                    dc_id=1 if secret else None)

    wire = stream
    if obfuscated:
        # Encrypt the stream as the peer's CTR stream would (the client's
        # after its 64-byte header, or the server's from byte 0).
        head = make(False).header
        enc, dec = _obfuscation_streams(head, secret)
        if server:
            enc.update(bytes(64))
            wire = enc.update(stream)
        else:
            wire = dec.update(stream)

    def run(parts: list[bytes]) -> Any:
        codec = make(server)
        frames: list[Any] = []
        try:
            for part in parts:
                frames.extend(codec.feed(part))
                if codec.buffered > len(wire):
                    raise Finding(f"{codec.buffered} bytes buffered of {len(wire)} fed")
        except TransportError as exc:
            return frames + exc.frames, type(exc), str(exc)
        return frames, None, codec.buffered

    whole = run([wire])
    same(("ok", whole), ("ok", run(chunked(wire, control >> 3))), "whole != chunked")
    frames = whole[0]
    for f in frames:
        if not isinstance(f, (transport.Packet, transport.QuickAck, transport.TransportFailure)):
            raise Finding(f"not a frame: {f!r}")
    # Packets re-encoded by the other side read back the same.
    peer, again = make(not server), make(server)
    if server:
        peer.start()  # the prefix or header the other side has read
    for f in frames:
        if not isinstance(f, transport.Packet) or len(f.payload) % 4 or len(f.payload) < 24:
            continue
        kw: dict[str, Any] = {"padding": b""} if f.padded else {}
        if server:
            kw["quick_ack"] = f.quick_ack
        back = again.feed(peer.encode(f.payload, **kw))
        if back != [f]:
            raise Finding(f"re-encoded {f!r} read back as {back!r}")


def _obfuscation_streams(header: bytes, secret: Any) -> tuple[Any, Any]:
    # The client's encryption and decryption streams of a sent header,
    # keyed here from its bytes 8..55 with hashlib and mtcore's CTR.
    import hashlib

    from mtcore import aes, transport

    rev = header[::-1]
    ek, ei, dk, di = header[8:40], header[40:56], rev[8:40], rev[40:56]
    if secret is not None:
        key = transport.parse_proxy_secret(secret).key
        ek = hashlib.sha256(ek + key).digest()
        dk = hashlib.sha256(dk + key).digest()
    return aes.Ctr(ek, ei), aes.Ctr(dk, di)
