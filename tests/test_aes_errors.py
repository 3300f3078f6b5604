"""
Bad input, on every implementation: the exact exception type and text of
mtcore/_errors.py, the order of the checks (data, key, iv, data length,
out), and no buffer export left behind by a failing call (a bytearray
argument must stay resizable, a memoryview releasable).
"""

from __future__ import annotations

from typing import Any, Callable

import pytest

from mtcore.exceptions import (
    ArgumentTypeError,
    ArgumentValueError,
    InvalidLength,
    MtcoreError,
)

ONE_SHOT = ["ige_encrypt", "ige_decrypt", "cbc_encrypt", "cbc_decrypt"]
JUNK = [
    pytest.param("x" * 32, "str", id="str"),
    pytest.param(32, "int", id="int"),
    pytest.param(1.5, "float", id="float"),
    pytest.param([0] * 32, "list", id="list"),
    pytest.param(object(), "object", id="object"),
]


def iv_size(fn: str) -> int:
    return 32 if fn.startswith("ige") else 16


def expect(
    exc_type: type, message: str, func: Callable[..., Any], *args: Any, **kwargs: Any
) -> None:
    with pytest.raises(MtcoreError) as info:
        func(*args, **kwargs)
    assert type(info.value) is exc_type
    assert str(info.value) == message


def noncontiguous(n: int, writable: bool = True) -> memoryview:
    base = bytearray(2 * n) if writable else bytes(2 * n)
    return memoryview(base)[::2]


def test_exception_hierarchy():
    assert issubclass(ArgumentTypeError, TypeError)
    assert issubclass(ArgumentTypeError, MtcoreError)
    assert issubclass(ArgumentValueError, ValueError)
    assert issubclass(InvalidLength, ArgumentValueError)
    assert issubclass(InvalidLength, ValueError)
    assert issubclass(InvalidLength, MtcoreError)
    assert not issubclass(ArgumentTypeError, ValueError)


# --- one-shot IGE / CBC -------------------------------------------------------


@pytest.mark.parametrize("fn", ONE_SHOT)
@pytest.mark.parametrize(("junk", "tname"), JUNK)
@pytest.mark.parametrize("arg", ["data", "key", "iv", "out"])
def test_not_a_buffer(aes_impl, fn, arg, junk, tname):
    kwargs = {
        "data": bytes(48),
        "key": bytes(32),
        "iv": bytes(iv_size(fn)),
        "out": bytearray(48),
    }
    kwargs[arg] = junk
    out = kwargs.pop("out")
    expect(
        ArgumentTypeError,
        f"{arg} must be a bytes-like object, not {tname!r}",
        getattr(aes_impl, fn),
        kwargs["data"],
        kwargs["key"],
        kwargs["iv"],
        out=out,
    )


@pytest.mark.parametrize("fn", ONE_SHOT)
@pytest.mark.parametrize("arg", ["data", "key", "iv"])
def test_none_is_not_a_buffer(aes_impl, fn, arg):
    args = {"data": bytes(16), "key": bytes(32), "iv": bytes(iv_size(fn))}
    args[arg] = None
    expect(
        ArgumentTypeError,
        f"{arg} must be a bytes-like object, not 'NoneType'",
        getattr(aes_impl, fn),
        *args.values(),
    )


@pytest.mark.parametrize("fn", ONE_SHOT)
@pytest.mark.parametrize("n", [0, 1, 16, 31, 33, 64])
def test_key_length(aes_impl, fn, n):
    expect(
        InvalidLength,
        f"key must be 32 bytes, got {n}",
        getattr(aes_impl, fn),
        bytes(32),
        bytes(n),
        bytes(iv_size(fn)),
    )


@pytest.mark.parametrize(
    ("fn", "n"),
    [
        (fn, n)
        for fn in ONE_SHOT
        for n in (0, 1, 15, 16, 17, 31, 32, 33, 48)
        if n != iv_size(fn)
    ],
)
def test_iv_length(aes_impl, fn, n):
    size = iv_size(fn)
    expect(
        InvalidLength,
        f"iv must be {size} bytes, got {n}",
        getattr(aes_impl, fn),
        bytes(32),
        bytes(32),
        bytes(n),
    )


@pytest.mark.parametrize("fn", ONE_SHOT)
@pytest.mark.parametrize("n", [1, 8, 15, 17, 31, 33, 4095, 4097])
def test_data_length(aes_impl, fn, n):
    expect(
        InvalidLength,
        f"data length must be a multiple of 16, got {n}",
        getattr(aes_impl, fn),
        bytes(n),
        bytes(32),
        bytes(iv_size(fn)),
    )


@pytest.mark.parametrize("fn", ONE_SHOT)
@pytest.mark.parametrize(
    ("n", "out_n"), [(48, 32), (48, 64), (48, 0), (48, 47), (0, 16), (16, 17)]
)
def test_out_length(aes_impl, fn, n, out_n):
    expect(
        InvalidLength,
        f"out must be {n} bytes (the length of data), got {out_n}",
        getattr(aes_impl, fn),
        bytes(n),
        bytes(32),
        bytes(iv_size(fn)),
        out=bytearray(out_n),
    )


READ_ONLY_OUTS = [
    pytest.param(lambda n: bytes(n), "bytes", id="bytes"),
    pytest.param(lambda n: memoryview(bytes(n)), "memoryview", id="memoryview"),
    pytest.param(
        lambda n: memoryview(bytearray(n)).toreadonly(),
        "memoryview",
        id="memoryview-toreadonly",
    ),
    # read-only and non-contiguous: read-only is reported first
    pytest.param(
        lambda n: noncontiguous(n, writable=False),
        "memoryview",
        id="memoryview-ro-strided",
    ),
]


@pytest.mark.parametrize("fn", ONE_SHOT)
@pytest.mark.parametrize(("make", "tname"), READ_ONLY_OUTS)
def test_out_read_only(aes_impl, fn, make, tname):
    expect(
        ArgumentValueError,
        f"out must be a writable buffer, got a read-only {tname!r}",
        getattr(aes_impl, fn),
        bytes(48),
        bytes(32),
        bytes(iv_size(fn)),
        out=make(48),
    )


@pytest.mark.parametrize("fn", ONE_SHOT)
def test_out_read_only_numpy(aes_impl, fn):
    np = pytest.importorskip("numpy")
    out = np.zeros(48, dtype=np.uint8)
    out.flags.writeable = False
    expect(
        ArgumentValueError,
        "out must be a writable buffer, got a read-only 'ndarray'",
        getattr(aes_impl, fn),
        bytes(48),
        bytes(32),
        bytes(iv_size(fn)),
        out=out,
    )


@pytest.mark.parametrize("fn", ONE_SHOT)
@pytest.mark.parametrize("arg", ["data", "key", "iv", "out"])
def test_not_contiguous(aes_impl, fn, arg):
    sizes = {"data": 48, "key": 32, "iv": iv_size(fn), "out": 48}
    args: dict[str, Any] = {a: bytearray(n) for a, n in sizes.items()}
    args[arg] = noncontiguous(sizes[arg])
    out = args.pop("out")
    expect(
        ArgumentValueError,
        f"{arg} must be a C-contiguous buffer",
        getattr(aes_impl, fn),
        *args.values(),
        out=out,
    )


@pytest.mark.parametrize("fn", ONE_SHOT)
def test_not_contiguous_numpy(aes_impl, fn):
    np = pytest.importorskip("numpy")
    fortran = np.zeros((16, 3), dtype=np.uint8, order="F")  # 48 bytes, F order
    expect(
        ArgumentValueError,
        "data must be a C-contiguous buffer",
        getattr(aes_impl, fn),
        fortran,
        bytes(32),
        bytes(iv_size(fn)),
    )
    expect(
        ArgumentValueError,
        "out must be a C-contiguous buffer",
        getattr(aes_impl, fn),
        bytes(48),
        bytes(32),
        bytes(iv_size(fn)),
        out=fortran,
    )


# Check order: data, key, iv, data length, out.  Each case breaks several
# arguments; the first broken one in that order is reported.
IV = object()  # stands for a valid IV of the function's size
ORDER_CASES = [
    pytest.param(
        dict(data="x", key=bytes(31), iv=bytes(3), out=b""),
        ArgumentTypeError,
        "data must be a bytes-like object, not 'str'",
        id="data-type",
    ),
    pytest.param(
        dict(data=noncontiguous(48), key="k", iv=None, out=b""),
        ArgumentValueError,
        "data must be a C-contiguous buffer",
        id="data-contiguity",
    ),
    pytest.param(
        dict(data=bytes(17), key=bytes(31), iv="iv", out=b""),
        InvalidLength,
        "key must be 32 bytes, got 31",
        id="key-length",
    ),
    pytest.param(
        dict(data=bytes(17), key=5, iv=bytes(1), out=b""),
        ArgumentTypeError,
        "key must be a bytes-like object, not 'int'",
        id="key-type",
    ),
    pytest.param(
        dict(data=bytes(17), key=bytes(32), iv=bytes(1), out=b""),
        InvalidLength,
        "iv must be {iv_size} bytes, got 1",
        id="iv-length",
    ),
    pytest.param(
        dict(data=bytes(17), key=bytes(32), iv=noncontiguous(32), out=5),
        ArgumentValueError,
        "iv must be a C-contiguous buffer",
        id="iv-contiguity",
    ),
    pytest.param(
        dict(data=bytes(17), key=bytes(32), iv=IV, out=b"ro"),
        InvalidLength,
        "data length must be a multiple of 16, got 17",
        id="data-length-vs-read-only-out",
    ),
    pytest.param(
        dict(data=bytes(17), key=bytes(32), iv=IV, out="x"),
        InvalidLength,
        "data length must be a multiple of 16, got 17",
        id="data-length-vs-out-type",
    ),
    pytest.param(
        dict(data=bytes(17), key=bytes(32), iv=IV, out=noncontiguous(17)),
        InvalidLength,
        "data length must be a multiple of 16, got 17",
        id="data-length-vs-strided-out",
    ),
    pytest.param(
        dict(data=bytes(48), key=bytes(32), iv=IV, out=bytes(3)),
        ArgumentValueError,
        "out must be a writable buffer, got a read-only 'bytes'",
        id="out-read-only-vs-length",
    ),
    pytest.param(
        dict(data=bytes(48), key=bytes(32), iv=IV, out=noncontiguous(3)),
        ArgumentValueError,
        "out must be a C-contiguous buffer",
        id="out-contiguity-vs-length",
    ),
]


@pytest.mark.parametrize("fn", ONE_SHOT)
@pytest.mark.parametrize(("args", "exc_type", "message"), ORDER_CASES)
def test_check_order(aes_impl, fn, args, exc_type, message):
    values = [bytes(iv_size(fn)) if v is IV else v for v in args.values()]
    data, key, iv, out = values
    expect(
        exc_type,
        message.format(iv_size=iv_size(fn)),
        getattr(aes_impl, fn),
        data,
        key,
        iv,
        out=out,
    )


# --- CTR ----------------------------------------------------------------------


@pytest.mark.parametrize(("junk", "tname"), JUNK)
def test_ctr_init_not_a_buffer(aes_impl, junk, tname):
    expect(
        ArgumentTypeError,
        f"key must be a bytes-like object, not {tname!r}",
        aes_impl.Ctr,
        junk,
        bytes(16),
    )
    expect(
        ArgumentTypeError,
        f"iv must be a bytes-like object, not {tname!r}",
        aes_impl.Ctr,
        bytes(32),
        junk,
    )
    expect(
        ArgumentTypeError,
        "iv must be a bytes-like object, not 'NoneType'",
        aes_impl.Ctr,
        bytes(32),
        None,
    )


@pytest.mark.parametrize("n", [0, 16, 31, 33])
def test_ctr_key_length(aes_impl, n):
    expect(
        InvalidLength,
        f"key must be 32 bytes, got {n}",
        aes_impl.Ctr,
        bytes(n),
        bytes(16),
    )


@pytest.mark.parametrize("n", [0, 8, 15, 17, 32])
def test_ctr_iv_length(aes_impl, n):
    expect(
        InvalidLength,
        f"iv must be 16 bytes, got {n}",
        aes_impl.Ctr,
        bytes(32),
        bytes(n),
    )


def test_ctr_init_order_and_contiguity(aes_impl):
    expect(InvalidLength, "key must be 32 bytes, got 1", aes_impl.Ctr, bytes(1), "iv")
    expect(
        ArgumentTypeError,
        "key must be a bytes-like object, not 'str'",
        aes_impl.Ctr,
        "k",
        bytes(1),
    )
    expect(
        ArgumentValueError,
        "key must be a C-contiguous buffer",
        aes_impl.Ctr,
        noncontiguous(32),
        None,
    )
    expect(
        ArgumentValueError,
        "iv must be a C-contiguous buffer",
        aes_impl.Ctr,
        bytes(32),
        noncontiguous(16),
    )


@pytest.mark.parametrize(("junk", "tname"), JUNK)
def test_ctr_update_not_a_buffer(aes_impl, junk, tname):
    ctr = aes_impl.Ctr(bytes(32), bytes(16))
    expect(
        ArgumentTypeError,
        f"data must be a bytes-like object, not {tname!r}",
        ctr.update,
        junk,
    )
    expect(
        ArgumentTypeError,
        f"data must be a bytes-like object, not {tname!r}",
        ctr.update_into,
        junk,
        bytearray(64),
    )
    expect(
        ArgumentTypeError,
        f"out must be a bytes-like object, not {tname!r}",
        ctr.update_into,
        b"abc",
        junk,
    )
    expect(
        ArgumentTypeError,
        "data must be a bytes-like object, not 'NoneType'",
        ctr.update,
        None,
    )


def test_ctr_update_contiguity(aes_impl):
    ctr = aes_impl.Ctr(bytes(32), bytes(16))
    expect(
        ArgumentValueError,
        "data must be a C-contiguous buffer",
        ctr.update,
        noncontiguous(5),
    )
    expect(
        ArgumentValueError,
        "data must be a C-contiguous buffer",
        ctr.update_into,
        noncontiguous(5),
        bytearray(5),
    )
    expect(
        ArgumentValueError,
        "out must be a C-contiguous buffer",
        ctr.update_into,
        b"abcde",
        noncontiguous(5),
    )


@pytest.mark.parametrize(("make", "tname"), READ_ONLY_OUTS)
def test_ctr_update_into_read_only(aes_impl, make, tname):
    ctr = aes_impl.Ctr(bytes(32), bytes(16))
    expect(
        ArgumentValueError,
        f"out must be a writable buffer, got a read-only {tname!r}",
        ctr.update_into,
        b"abcde",
        make(5),
    )


@pytest.mark.parametrize(("n", "out_n"), [(5, 4), (5, 0), (16, 15), (100, 99)])
def test_ctr_update_into_out_too_small(aes_impl, n, out_n):
    ctr = aes_impl.Ctr(bytes(32), bytes(16))
    expect(
        InvalidLength,
        f"out must be at least {n} bytes, got {out_n}",
        ctr.update_into,
        bytes(n),
        bytearray(out_n),
    )


def test_ctr_update_into_order(aes_impl):
    ctr = aes_impl.Ctr(bytes(32), bytes(16))
    expect(
        ArgumentTypeError,
        "data must be a bytes-like object, not 'str'",
        ctr.update_into,
        "d",
        "o",
    )
    expect(
        ArgumentValueError,
        "data must be a C-contiguous buffer",
        ctr.update_into,
        noncontiguous(5),
        bytes(1),
    )
    # read-only is reported before the size
    expect(
        ArgumentValueError,
        "out must be a writable buffer, got a read-only 'bytes'",
        ctr.update_into,
        bytes(5),
        b"",
    )
    expect(
        ArgumentTypeError,
        "out must be a bytes-like object, not 'int'",
        ctr.update_into,
        bytes(5),
        1,
    )


def test_ctr_failed_calls_consume_no_keystream(aes_impl):
    # SP 800-38A F.5.5: after any number of rejected calls the stream goes
    # on exactly where it was.
    key = bytes.fromhex(
        "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4"
    )
    ctr = aes_impl.Ctr(key, bytes.fromhex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"))
    pt = bytes.fromhex(
        "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
    )
    ct = bytes.fromhex(
        "601ec313775789a5b7a7f504bbf3d228f443e3ca4d62b59aca84e990cacaf5c5"
    )
    assert ctr.update(pt[:5]) == ct[:5]
    for bad in (
        lambda: ctr.update("x"),
        lambda: ctr.update(noncontiguous(4)),
        lambda: ctr.update_into(pt[5:], bytearray(3)),
        lambda: ctr.update_into(pt[5:], bytes(27)),
        lambda: ctr.update_into(pt[5:], noncontiguous(27)),
        lambda: ctr.update_into(None, bytearray(27)),
    ):
        with pytest.raises(MtcoreError):
            bad()
    assert ctr.update(pt[5:]) == ct[5:]


# --- AesKernel ------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "nope", "", "python", "portable", "aesni", "vaes", "armaes", "neonvp",
        "ssse3vp",
        "AESNI", 5, None,
    ],
)
def test_unavailable_kernel(backend_module, name):
    available = backend_module.aes_kernels()
    if name in available:
        assert backend_module.AesKernel(name).name == name
        return
    expect(
        ArgumentValueError,
        f"AES kernel {name!r} is not available here; available: {', '.join(available)}",
        backend_module.AesKernel,
        name,
    )


def test_ctr_not_initialised(backend_module):
    ctr = backend_module.Ctr.__new__(backend_module.Ctr)
    expect(ArgumentValueError, "Ctr was not initialised", ctr.update, b"x")
    expect(
        ArgumentValueError,
        "Ctr was not initialised",
        ctr.update_into,
        b"x",
        bytearray(1),
    )


# --- no buffer export survives a failing call -----------------------------------


def assert_released(*objs: Any) -> None:
    """
    Each bytearray can be resized and each memoryview released: a leaked
    Py_buffer export would make either raise BufferError.
    """
    for obj in objs:
        if isinstance(obj, bytearray):
            obj.append(0)
            obj.pop()
        elif isinstance(obj, memoryview):
            base = obj.obj
            obj.release()
            if isinstance(base, bytearray):
                base.append(0)
                base.pop()


# (argument overrides, what fails): every other argument is a valid bytearray
FAILURES = [
    pytest.param({"data": "x"}, id="data-type"),
    pytest.param({"data": lambda n: noncontiguous(48)}, id="data-strided"),
    pytest.param({"key": lambda n: bytearray(31)}, id="key-length"),
    pytest.param({"key": 7}, id="key-type"),
    pytest.param({"key": lambda n: noncontiguous(32)}, id="key-strided"),
    pytest.param({"iv": lambda n: bytearray(n + 1)}, id="iv-length"),
    pytest.param({"iv": None}, id="iv-type"),
    pytest.param({"iv": lambda n: noncontiguous(n)}, id="iv-strided"),
    pytest.param({"data": lambda n: bytearray(47)}, id="data-length"),
    pytest.param({"out": lambda n: bytearray(32)}, id="out-length"),
    pytest.param({"out": lambda n: bytes(48)}, id="out-read-only"),
    pytest.param(
        {"out": lambda n: memoryview(bytearray(48)).toreadonly()},
        id="out-read-only-view",
    ),
    pytest.param({"out": lambda n: noncontiguous(48)}, id="out-strided"),
    pytest.param({"out": "x"}, id="out-type"),
]


@pytest.mark.parametrize("fn", ONE_SHOT)
@pytest.mark.parametrize("override", FAILURES)
def test_no_export_left_after_failure(aes_impl, fn, override):
    n = iv_size(fn)
    args: dict[str, Any] = {
        "data": bytearray(48),
        "key": bytearray(32),
        "iv": bytearray(n),
        "out": bytearray(48),
    }
    for name, value in override.items():
        args[name] = value(n) if callable(value) else value
    with pytest.raises(MtcoreError):
        getattr(aes_impl, fn)(args["data"], args["key"], args["iv"], out=args["out"])
    assert_released(*args.values())


@pytest.mark.parametrize("fn", ONE_SHOT)
def test_no_export_left_after_success(aes_impl, fn):
    data, key, iv, out = (
        bytearray(48),
        bytearray(32),
        bytearray(iv_size(fn)),
        bytearray(48),
    )
    getattr(aes_impl, fn)(data, key, iv, out=out)
    getattr(aes_impl, fn)(data, key, iv, out=data)
    getattr(aes_impl, fn)(data, key, iv)
    view = memoryview(data)
    getattr(aes_impl, fn)(view, key, iv, out=view)
    assert_released(view, data, key, iv, out)


@pytest.mark.parametrize(
    ("key", "iv"),
    [
        pytest.param(lambda: bytearray(31), lambda: bytearray(16), id="key-length"),
        pytest.param(
            lambda: noncontiguous(32), lambda: bytearray(16), id="key-strided"
        ),
        pytest.param(lambda: bytearray(32), lambda: bytearray(15), id="iv-length"),
        pytest.param(lambda: bytearray(32), lambda: noncontiguous(16), id="iv-strided"),
        pytest.param(lambda: bytearray(32), lambda: "iv", id="iv-type"),
    ],
)
def test_ctr_init_no_export_left(aes_impl, key, iv):
    k, v = key(), iv()
    with pytest.raises(MtcoreError):
        aes_impl.Ctr(k, v)
    assert_released(k, v)


@pytest.mark.parametrize(
    ("data", "out"),
    [
        pytest.param(lambda: noncontiguous(8), lambda: bytearray(8), id="data-strided"),
        pytest.param(lambda: bytearray(8), lambda: bytearray(7), id="out-too-small"),
        pytest.param(lambda: bytearray(8), lambda: bytes(8), id="out-read-only"),
        pytest.param(
            lambda: bytearray(8),
            lambda: memoryview(bytearray(8)).toreadonly(),
            id="out-read-only-view",
        ),
        pytest.param(lambda: bytearray(8), lambda: noncontiguous(8), id="out-strided"),
        pytest.param(lambda: bytearray(8), lambda: 8, id="out-type"),
    ],
)
def test_ctr_update_no_export_left(aes_impl, data, out):
    key, iv = bytearray(32), bytearray(16)
    ctr = aes_impl.Ctr(key, iv)
    d, o = data(), out()
    with pytest.raises(MtcoreError):
        ctr.update_into(d, o)
    if isinstance(d, memoryview):
        with pytest.raises(MtcoreError):
            ctr.update(d)
    # and after successful calls
    ok_data, ok_out = bytearray(8), bytearray(8)
    ctr.update(ok_data)
    ctr.update_into(ok_data, ok_out)
    ctr.update_into(ok_out, ok_out)
    assert_released(key, iv, d, o, ok_data, ok_out)
