"""
The TL decoder's defences (``mtcore.tl.decode``; the compiled loops of
``mtcore/_tlcodec.pyx`` and the pure twin's of ``mtcore/_py/tlcodec.py``):

* no list with empty slots is ever visible to a gc callback that walks
  ``gc.get_objects()`` while objects are decoded (in a subprocess, so a
  crash is a clean failure);
* the budget of one decode, ``max_unpacked`` bytes unpacked from all its
  ``gzip_packed`` values and ``max_objects`` objects and vector elements,
  reached exactly and passed by one, with containers, nested gzip, raw
  vectors and the plans the compiled loops hand to the Python ones;
* the nesting limit reached exactly and passed by one;
* gzip streams with bytes after them, or a second member, are refused;
* a boxed vector of unknown elements whose count cannot fit the bytes left
  is refused;
* the peak memory of adversarial inputs (nested containers, gzip bombs of
  nested containers, many gzip_packed in one packet) stays within a small
  multiple of the input size plus the budget (tracemalloc);
* the compiled loops check the codec's tables.

Every case runs over both loops (``loops`` fixture); :func:`test_limit_errors_alike`
compares the two for type and text.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import textwrap
import tracemalloc
from pathlib import Path
from typing import Any, Callable

import pytest
from test_tl_codec import SAMPLES
from utils import TLLoops

from mtcore import _backend, _py

from mtcore.exceptions import (
    ArgumentTypeError,
    ArgumentValueError,
    TLDecodeError,
    TLLimitError,
)
from mtcore.tl import (
    MessageContainer,
    RawVector,
    Schema,
    TLObject,
    codec,
    decode,
    encode,
    types,
)
from mtcore.tl import functions as fn

@pytest.fixture
def loops(tl_loops: TLLoops) -> TLLoops:
    """
    Each test once over the compiled loops and once over the pure twin's.
    """
    return tl_loops


VECTOR_ID = bytes.fromhex("15c4b51c")


def le32(n: int) -> bytes:
    return n.to_bytes(4, "little", signed=n < 0)


def gzip_packed(payload: bytes, *, extra: bytes = b"") -> bytes:
    # a boxed gzip_packed of payload (a boxed value's bytes), extra bytes
    # after its gzip stream
    return encode(
        types.gzip_packed(packed_data=gzip.compress(payload, mtime=0) + extra)
    )


def container(*bodies: bytes) -> bytes:
    # a msg_container of the boxed values' bytes
    out = le32(codec.CONTAINER_ID) + le32(len(bodies))
    for i, body in enumerate(bodies):
        out += (4 * (i + 1)).to_bytes(8, "little") + le32(1) + le32(len(body)) + body
    return out


def wrap(body: bytes, levels: int) -> bytes:
    # body as the only message of a container, that container as the only
    # message of another, ... levels deep
    for _ in range(levels):
        body = container(body)
    return body


def child(script: str, stdin: str = "") -> str:
    """
    What script printed, run by a new interpreter on this checkout's mtcore
    and backend (a crash fails the test cleanly).
    """
    root = str(Path(codec.__file__).resolve().parents[2])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    # cwd=root too: "python -c" puts the working directory first on sys.path
    proc = subprocess.run(
        [sys.executable, "-c", CHILD_CHECK + script],
        input=stdin,
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, (proc.returncode, proc.stderr[-3000:])
    return proc.stdout


# The child runs the backend this process does.
CHILD_CHECK = (
    "from mtcore import _backend as _b\n"
    f"assert _b.IMPLEMENTATION == {_backend.IMPLEMENTATION!r}\n"
)


def count(v: Any) -> int:
    # What max_objects counts in a decoded value, counted here from the
    # result: one per TL object, the length of every vector, one per
    # container and one per message of it.
    if isinstance(v, MessageContainer):
        return 1 + len(v.messages) + sum(count(m.body) for m in v.messages)
    if isinstance(v, TLObject):
        return 1 + sum(count(x) for x in v._v)
    if isinstance(v, list):
        return len(v) + sum(count(x) for x in v)
    return 0


def outcome(f: Callable[[], Any]) -> tuple[str, Any]:
    try:
        return "ok", f()
    except Exception as exc:  # noqa: BLE001 (compared by type and text)
        return type(exc).__name__, str(exc)


# --- 1. no partly filled list is ever visible ---------------------------------

_GC_SCRIPT = textwrap.dedent(
    """
    import gc, json, sys
    from mtcore import _backend, _py
    from mtcore.tl import codec, decode

    cases = [(bytes.fromhex(h), t) for h, t in json.load(sys.stdin)]
    expected = [repr(decode(d, type=t)) for d, t in cases]
    loops = {_backend.impl, _py}  # the compiled and the pure loops, or the pure
    seen = 0

    def walk(phase, info):
        # what a memory profiler does: every young list, every item
        global seen
        if phase != "start":
            return
        for gen in (0, 1):
            for o in gc.get_objects(gen):
                if o.__class__ is list:
                    for x in o:
                        x.__class__
                    seen += 1

    gc.callbacks.append(walk)
    gc.set_threshold(5, 2, 1000)
    for loop in loops:
        for _ in range(2):
            # a fresh codec: constructors are compiled (Python code runs)
            # in the middle of the decode
            codec.codec_for.cache_clear()
            codec._default_codec.cache_clear()
            c = codec.codec_for()
            got = [
                repr(loop.tl_decode(c, d, None if t is None else c.type_op(t),
                                    codec.MAX_UNPACKED, codec.MAX_OBJECTS))
                for d, t in cases
            ]
            assert got == expected, loop
    gc.callbacks.remove(walk)
    print("lists walked:", seen)
    """
)


def test_gc_callbacks_never_see_a_partly_filled_list() -> None:
    # Objects with many fields, vectors of objects, of longs and of ints.
    cases = [(d.hex(), None) for d in SAMPLES] + [
        ((VECTOR_ID + le32(40) + bytes(range(1, 41)) * 8).hex(), "Vector<long>"),
        ((VECTOR_ID + le32(50) + bytes(range(50)) * 4).hex(), "Vector<int>"),
    ]
    out = child(_GC_SCRIPT, json.dumps(cases))
    assert out.startswith("lists walked: ")
    # the hook ran, and saw lists (over 1000 with the GIL; the free-threaded
    # build's collector runs less often: 774 on 3.13t)
    assert int(out.split(":")[1]) > 300


# --- 2. the budget of one decode -------------------------------------------------


def ping(i: int = 1) -> bytes:
    return encode(fn.ping(ping_id=i))


def upload_file(n: int) -> bytes:
    # a boxed upload.file of n zero bytes (as large as it is, compresses well)
    return encode(
        types.upload.file(type=types.storage.fileUnknown(), mtime=0, bytes=bytes(n))
    )


NESTED_GZIP = gzip_packed(container(gzip_packed(container(ping(2), ping(3))), ping(4)))


def test_defaults() -> None:
    assert codec.MAX_UNPACKED == 16 * 1024 * 1024
    assert codec.MAX_OBJECTS == 1 << 20
    assert issubclass(TLLimitError, TLDecodeError)


def test_max_objects_reached_exactly(loops: TLLoops) -> None:
    for data in [*SAMPLES, container(ping(), NESTED_GZIP), NESTED_GZIP]:
        obj = loops.decode(data)
        n = count(obj)
        assert loops.decode(data, max_objects=n) == obj
        if not n:  # a raw vector
            continue
        with pytest.raises(TLLimitError) as exc:
            loops.decode(data, max_objects=n - 1)
        assert str(exc.value).startswith(
            f"the decode passes max_objects={n - 1} at offset "
        )


def test_max_objects_texts(loops: TLLoops) -> None:
    users = VECTOR_ID + le32(3) + encode(types.userEmpty(id=1)) * 3
    assert (
        loops.decode(users, type="Vector<User>", max_objects=6) == [types.userEmpty(id=1)] * 3
    )
    with pytest.raises(TLLimitError) as exc:
        loops.decode(users, type="Vector<User>", max_objects=5)
    assert str(exc.value) == (
        "the decode passes max_objects=5 at offset 36: 5 objects and vector "
        "elements made so far, 1 more needed"
    )
    with pytest.raises(TLLimitError) as exc:
        loops.decode(users, type="Vector<User>", max_objects=2)
    assert str(exc.value) == (
        "the decode passes max_objects=2 at offset 0: 0 objects and vector "
        "elements made so far, 3 more needed"
    )
    # a container: itself and its messages, counted at its count
    data = container(ping(1), ping(2))
    with pytest.raises(TLLimitError) as exc:
        loops.decode(data, max_objects=2)
    assert str(exc.value) == (
        "the decode passes max_objects=2 at offset 4: 0 objects and vector "
        "elements made so far, 3 more needed"
    )
    assert loops.decode(data, max_objects=5) == loops.decode(data)


def test_max_objects_refuses_a_vector_before_making_it(loops: TLLoops) -> None:
    n = 1 << 20
    data = VECTOR_ID + le32(n) + bytes(8 * n)
    for t in ("Vector<long>", "Vector<int>", "Vector<Bool>"):
        tracemalloc.start()
        try:
            with pytest.raises(TLLimitError) as exc:
                loops.decode(data, type=t, max_objects=n - 1)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert str(exc.value) == (
            f"the decode passes max_objects={n - 1} at offset 0: 0 objects and "
            f"vector elements made so far, {n} more needed"
        )
        assert peak < 64 * 1024, (t, peak)  # nothing of the size of the vector
    small = VECTOR_ID + le32(1000) + bytes(8000)
    assert loops.decode(small, type="Vector<long>", max_objects=1000) == [0] * 1000


def assert_unpack_budget(
    loops: TLLoops, data: bytes, total: int, before: int, last: int
) -> Any:
    """
    data decodes with max_unpacked=total, the bytes its gzip_packed values
    unpack to; one byte less is refused at the last of them, which unpacks
    to last bytes after before bytes.  Returns the decoded value.
    """
    obj = loops.decode(data, max_unpacked=total)
    with pytest.raises(TLLimitError) as exc:
        loops.decode(data, max_unpacked=total - 1)
    assert str(exc.value) == (
        f"gzip_packed at offset 0 unpacks to more than the {last - 1} bytes "
        f"left of max_unpacked={total - 1} ({before} unpacked before it in this "
        f"decode)"
    )
    return obj


def test_max_unpacked_reached_exactly(loops: TLLoops) -> None:
    a, b = upload_file(1000), upload_file(3000)
    one = gzip_packed(a)
    assert assert_unpack_budget(loops, one, len(a), 0, len(a)) == loops.decode(a)
    # the budget is the whole decode's: the second one gets what is left
    two = container(gzip_packed(a), gzip_packed(b))
    total = len(a) + len(b)
    got = assert_unpack_budget(loops, two, total, len(a), len(b))
    assert got == loops.decode(container(a, b))
    with pytest.raises(TLLimitError):
        loops.decode(one, max_unpacked=0)


def test_gzip_in_container_in_gzip(loops: TLLoops) -> None:
    inner = container(ping(2), ping(3))
    middle = container(gzip_packed(inner), ping(4))
    total = len(middle) + len(inner)
    obj = assert_unpack_budget(loops, NESTED_GZIP, total, len(middle), len(inner))
    assert obj == loops.decode(container(inner, ping(4)))
    assert obj.messages[0].body.messages[1].body == fn.ping(ping_id=3)
    with pytest.raises(TLLimitError):
        loops.decode(NESTED_GZIP, max_unpacked=len(middle) - 1)


def test_budget_arguments(loops: TLLoops, monkeypatch: pytest.MonkeyPatch) -> None:
    data = ping(1)
    for name in ("max_unpacked", "max_objects"):
        for bad, exc, text in [
            ("1", ArgumentTypeError, f"{name} must be an int, not 'str'"),
            (True, ArgumentTypeError, f"{name} must be an int, not 'bool'"),
            (1.0, ArgumentTypeError, f"{name} must be an int, not 'float'"),
            (-1, ArgumentValueError, f"{name} must be >= 0, got -1"),
        ]:
            with pytest.raises(exc) as info:
                loops.decode(data, **{name: bad})
            assert str(info.value) == text
        # beyond any memory: no limit
        assert loops.decode(data, **{name: 2**200}) == fn.ping(ping_id=1)
    # the module's defaults are read by each call
    monkeypatch.setattr(codec, "MAX_OBJECTS", 0)
    with pytest.raises(TLLimitError, match="max_objects=0 "):
        loops.decode(data)
    assert loops.decode(data, max_objects=1) == fn.ping(ping_id=1)
    monkeypatch.setattr(codec, "MAX_UNPACKED", len(data) - 1)
    with pytest.raises(TLLimitError, match=f"max_unpacked={len(data) - 1} "):
        loops.decode(gzip_packed(data), max_objects=1)
    assert loops.decode(gzip_packed(data), max_unpacked=len(data), max_objects=1)


def test_raw_vector_decode_has_its_own_budget(loops: TLLoops) -> None:
    rv = loops.decode(bytes.fromhex("016d5cf3") + bytes(8) + VECTOR_ID + le32(3) + bytes(24))
    rv = rv.result
    assert isinstance(rv, RawVector)
    # RawVector.decode (through mtcore.tl.decode) and the loops alike
    for dec in (rv.decode, lambda t, **kw: loops.decode(rv.data, type=t, **kw)):
        assert dec("Vector<long>", max_objects=3) == [0, 0, 0]
        with pytest.raises(TLLimitError, match="max_objects=2 "):
            dec("Vector<long>", max_objects=2)
    g = RawVector(VECTOR_ID + le32(1) + gzip_packed(ping(7)))
    for dec in (g.decode, lambda t, **kw: loops.decode(g.data, type=t, **kw)):
        assert dec("Vector<Object>") == [fn.ping(ping_id=7)]
        with pytest.raises(TLLimitError, match="max_unpacked=3 "):
            dec("Vector<Object>", max_unpacked=3)


# A schema with a combinator of nine flags words: the compiled loops hand
# its objects to the pure twin's read_body, budget and all.
WIDE = Schema.parse(
    "leaf#11111111 v:Vector<long> = Leaf;\n"
    "wide#22222222 "
    + " ".join(f"f{i}:#" for i in range(9))
    + " a:f8.0?int leaves:Vector<Leaf> = Wide;\n"
    "box#33333333 w:Wide = Box;"
)


def wide_box() -> Any:
    t = codec.codec_for(WIDE).types
    return t.box(w=t.wide(a=5, leaves=[t.leaf(v=[1, 2, 3]), t.leaf(v=[])]))


def test_budget_across_python_only_plans(loops: TLLoops) -> None:
    obj = wide_box()
    data = encode(obj)
    n = count(obj)
    assert n == 9
    assert loops.decode(data, WIDE, max_objects=n) == obj
    for m in range(n):
        with pytest.raises(TLLimitError, match=f"max_objects={m} "):
            loops.decode(data, WIDE, max_objects=m)
    packed = gzip_packed(data)
    assert loops.decode(packed, WIDE, max_unpacked=len(data)) == obj
    with pytest.raises(TLLimitError):
        loops.decode(packed, WIDE, max_unpacked=len(data) - 1)


# --- 3. nesting -------------------------------------------------------------------


def test_nested_containers_at_the_depth_limit(loops: TLLoops) -> None:
    # a container's message is one level deeper than the container, its
    # body one more: 63 containers around an object reach MAX_DEPTH (64)
    assert codec.MAX_DEPTH == 64
    obj = loops.decode(wrap(ping(9), 63))
    for _ in range(63):
        assert isinstance(obj, MessageContainer) and len(obj.messages) == 1
        obj = obj.messages[0].body
    assert obj == fn.ping(ping_id=9)
    with pytest.raises(TLLimitError) as exc:
        loops.decode(wrap(ping(9), 64))
    assert str(exc.value) == "objects nested deeper than 64 levels at offset 4"


def test_nested_gzip_at_the_depth_limit(loops: TLLoops) -> None:
    # each gzip_packed counts 16 levels: 3 around an object fit, a 4th
    # leaves its object too deep, a 5th is refused outright
    data = ping(9)
    for _ in range(3):
        data = gzip_packed(data)
    assert loops.decode(data) == fn.ping(ping_id=9)
    with pytest.raises(TLLimitError) as exc:
        loops.decode(gzip_packed(data))
    assert str(exc.value) == "objects nested deeper than 64 levels at offset 4"
    with pytest.raises(TLLimitError) as exc:
        loops.decode(gzip_packed(gzip_packed(data)))
    assert str(exc.value) == "gzip_packed at offset 0 is nested too deeply"


# --- 4. gzip streams and raw vectors --------------------------------------------


def test_gzip_with_bytes_after_its_stream(loops: TLLoops) -> None:
    for extra, reason in [
        (b"\0", "1 bytes follow the end of the gzip stream"),
        (b"junk" * 10, "40 bytes follow the end of the gzip stream"),
        (gzip.compress(ping(2)), "a second gzip member follows the first"),
        (gzip.compress(b""), "a second gzip member follows the first"),
    ]:
        with pytest.raises(TLDecodeError) as exc:
            loops.decode(gzip_packed(ping(1), extra=extra))
        assert type(exc.value) is TLDecodeError
        assert str(exc.value) == f"gzip_packed at offset 0: {reason}"
    assert loops.decode(gzip_packed(ping(1))) == fn.ping(ping_id=1)


def test_raw_vector_count_checked(loops: TLLoops) -> None:
    huge = VECTOR_ID + le32(2**31 - 1) + bytes(16)
    with pytest.raises(TLDecodeError) as exc:
        loops.decode(huge)
    assert str(exc.value) == (
        "read_vector_header: count 2147483647 at offset 4 needs at least "
        "8589934588 bytes, 16 left after it"
    )
    # as an rpc_result's result, where raw vectors come from
    rpc = bytes.fromhex("016d5cf3") + bytes(8)
    with pytest.raises(TLDecodeError) as exc:
        loops.decode(rpc + huge)
    assert str(exc.value) == (
        "read_vector_header: count 2147483647 at offset 16 needs at least "
        "8589934588 bytes, 16 left after it"
    )
    with pytest.raises(TLDecodeError) as exc:
        loops.decode(rpc + VECTOR_ID + b"\x01\x00")
    assert str(exc.value) == "read_vector_header needs 4 bytes, 2 left at offset 16"
    with pytest.raises(TLDecodeError) as exc:
        loops.decode(rpc + VECTOR_ID + le32(-1))
    assert str(exc.value) == "read_vector_header: count -1 at offset 16 is negative"
    ok = loops.decode(rpc + VECTOR_ID + le32(4) + bytes(16)).result
    assert ok == RawVector(VECTOR_ID + le32(4) + bytes(16)) and ok.count == 4


# --- 5. peak memory of adversarial inputs -------------------------------------------

BUDGET = 1 << 20  # max_unpacked of these decodes
FACTOR = 4  # peak <= FACTOR * (input + BUDGET)


def peak_of(f: Callable[[], Any]) -> tuple[int, str]:
    # The most memory allocated at once while f runs (its result kept).
    tracemalloc.start()
    try:
        kind, _ = result = outcome(f)
        return tracemalloc.get_traced_memory()[1], kind
    finally:
        del result
        tracemalloc.stop()


def adversarial() -> list[Any]:
    big = upload_file(BUDGET - 4096)
    quarter = upload_file(BUDGET // 4 - 64)
    # (upload.file holds an object: 62 containers around it reach the
    # depth limit, 46 in a gzip_packed; one more is too deep, refused once
    # every level is read)
    return [
        # nested containers over a large body, no gzip: each level used to
        # copy the body
        pytest.param(wrap(big, 62), "ok", id="62-containers"),
        pytest.param(wrap(big, 63), "TLLimitError", id="63-containers"),
        # a small gzip of nested containers over a large body
        pytest.param(gzip_packed(wrap(big, 46)), "ok", id="gzip-46-containers"),
        pytest.param(
            gzip_packed(wrap(big, 47)), "TLLimitError", id="gzip-47-containers"
        ),
        # the same unpacking past the budget
        pytest.param(
            gzip_packed(wrap(upload_file(4 * BUDGET), 47)),
            "TLLimitError",
            id="gzip-bomb-47-containers",
        ),
        # many gzip_packed in one packet, each within the old per-gzip limit
        pytest.param(
            container(*[gzip_packed(quarter)] * 200), "TLLimitError", id="200-gzips"
        ),
        # as many as the budget allows
        pytest.param(container(*[gzip_packed(quarter)] * 4), "ok", id="4-gzips"),
        # gzip in a container in a gzip, within the budget
        pytest.param(
            gzip_packed(wrap(container(gzip_packed(quarter), quarter), 20)),
            "ok",
            id="gzip-container-gzip",
        ),
    ]


@pytest.mark.parametrize("data, expect", adversarial())
def test_peak_memory_of_adversarial_input(loops: TLLoops, data: bytes, expect: str) -> None:
    peak, kind = peak_of(lambda: loops.decode(data, max_unpacked=BUDGET))
    assert kind == expect
    bound = FACTOR * (len(data) + BUDGET)
    assert peak <= bound, (
        f"peak {peak} bytes > {FACTOR} * ({len(data)} + {BUDGET}) = {bound}"
    )


# --- 6. the private compiled entry point ----------------------------------------------


@pytest.mark.c_extension
@pytest.mark.skipif(_backend.IMPLEMENTATION != "c", reason="the compiled extension is not loaded")
def test_compiled_decode_checks_its_table() -> None:
    # A codec whose tables are missing or were never initialised is an
    # error, not a NULL dereference (on 4f8e4ad: a segfault).
    out = child(
        textwrap.dedent(
            """
            import types
            from mtcore import _cmtcore
            from mtcore.exceptions import ArgumentValueError
            from mtcore.tl import codec
            empty = _cmtcore._TLTables.__new__(_cmtcore._TLTables)
            for tables, limit in ((empty, 16), (None, 16), (codec.codec_for().tables, -1)):
                fake = types.SimpleNamespace(tables=tables)
                try:
                    _cmtcore.tl_decode(fake, bytes(8), None, 16, limit)
                except ArgumentValueError as exc:
                    print(exc)
            """
        )
    )
    assert out == (
        "the codec's _TLTables was not initialised\n"
        "the codec's _TLTables was not initialised\n"
        "max_objects must be >= 0, got -1\n"
    )


# --- 7. the two loops alike ---------------------------------------------------------


def limit_cases() -> list[tuple[bytes, dict[str, Any]]]:
    out: list[tuple[bytes, dict[str, Any]]] = []
    for data in [*SAMPLES[::3], NESTED_GZIP, container(ping(), NESTED_GZIP)]:
        n = count(decode(data))
        for m in sorted({0, 1, n // 3, n // 2, n - 1, n}):
            out.append((data, {"max_objects": m}))
    for data in (NESTED_GZIP, gzip_packed(upload_file(100))):
        for u in range(0, 400, 7):
            out.append((data, {"max_unpacked": u}))
    out += [
        (wrap(ping(), 63), {}),
        (wrap(ping(), 64), {}),
        (gzip_packed(ping(), extra=b"\0\0"), {}),
        (gzip_packed(ping(), extra=gzip.compress(b"x")), {}),
        (VECTOR_ID + le32(2**31 - 1) + bytes(16), {}),
        (bytes.fromhex("016d5cf3") + bytes(8) + VECTOR_ID + le32(5) + bytes(16), {}),
        (VECTOR_ID + le32(1 << 16) + bytes(8 << 16), {"max_objects": 1000}),
    ]
    return out


@pytest.mark.c_extension
@pytest.mark.skipif(_backend.IMPLEMENTATION != "c", reason="the compiled extension is not loaded")
def test_limit_errors_alike() -> None:
    c_loops, py_loops = TLLoops("c", _backend.impl), TLLoops("python", _py)
    for data, kw in limit_cases():
        fast = outcome(lambda: c_loops.decode(data, **kw))
        slow = outcome(lambda: py_loops.decode(data, **kw))
        assert fast[0] == slow[0], (kw, fast, slow)
        if fast[0] == "ok":
            assert fast[1] == slow[1] and repr(fast[1]) == repr(slow[1])
        else:
            assert fast[1] == slow[1], kw
    data = encode(wide_box())
    for m in range(10):
        fast = outcome(lambda: c_loops.decode(data, WIDE, max_objects=m))
        slow = outcome(lambda: py_loops.decode(data, WIDE, max_objects=m))
        assert fast == slow
