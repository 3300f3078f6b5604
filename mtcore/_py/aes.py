"""
Pure-Python twin of ``mtcore/_aes.pyx``: the same functions, checks and
error texts, on the AES block of ``cryptography`` (OpenSSL).

IGE is built here from single-block ECB calls (no table-based AES in
Python: OpenSSL's block is constant-time where the CPU has AES-NI); CBC
and CTR use ``cryptography``'s own modes.
"""

from __future__ import annotations

import struct
import threading
from collections.abc import Sequence
from typing import Any, Optional, Union, overload


from mtcore import _errors
from mtcore._typing import Buffer, Out


aes_kernel = "python"


def aes_kernels() -> tuple[str, ...]:
    return ("python",)


def cpu_features() -> tuple[str, ...]:
    return ()


def _view(name: str, obj: Buffer, writable: bool = False) -> memoryview:
    """
    A flat byte view of obj, or the error the compiled side raises.
    The caller must release it.
    """
    try:
        view = memoryview(obj)
    except TypeError:
        raise _errors.not_buffer(name, obj) from None
    if writable and view.readonly:
        view.release()
        raise _errors.read_only(name, obj)
    if not view.c_contiguous:
        view.release()
        raise _errors.not_contiguous(name)
    if view.ndim != 1 or view.itemsize != 1 or view.format != "B":
        flat = view.cast("B") if view.nbytes else memoryview(bytearray())
        view.release()
        view = flat
    return view


def _bytes_arg(name: str, obj: Buffer, size: int) -> bytes:
    with _view(name, obj) as view:
        if len(view) != size:
            raise _errors.bad_length(name, size, len(view))
        return view.tobytes()


def _cipher(key: bytes, mode: str, iv: bytes | None = None) -> Any:
    """
    A ``cryptography`` AES Cipher in mode ("ECB", "CBC", "CTR").  It is
    imported here, not with the module: the compiled backend needs none of
    it (and it has no wheel for some interpreters, such as 3.13t).
    """
    try:
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    except ImportError:
        raise _errors.missing_extra("mtcore's pure-Python AES", "cryptography", "pure") from None
    m = getattr(modes, mode)
    return Cipher(algorithms.AES(key), m() if iv is None else m(iv))


def _ecb(key: bytes, decrypt: bool) -> Any:
    cipher = _cipher(key, "ECB")
    return cipher.decryptor() if decrypt else cipher.encryptor()


def _xor16(a: bytes, b: bytes) -> bytes:
    return (int.from_bytes(a, "little") ^ int.from_bytes(b, "little")).to_bytes(
        16, "little"
    )


def _ige(data: bytes, key: bytes, iv: bytes, decrypt: bool) -> bytes:
    # c_i = E(p_i ^ c_{i-1}) ^ p_{i-1} and p_i = D(c_i ^ p_{i-1}) ^ c_{i-1},
    # with c_0 = iv[:16] and p_0 = iv[16:] (core.telegram.org/mtproto/description).
    block = _ecb(key, decrypt).update
    out = bytearray(len(data))
    if decrypt:
        prev_in, prev_out = iv[:16], iv[16:]
    else:
        prev_out, prev_in = iv[:16], iv[16:]
    # Both directions: out_i = block(in_i ^ out_{i-1}) ^ in_{i-1}.
    for i in range(0, len(data), 16):
        chunk = data[i : i + 16]
        res = _xor16(block(_xor16(chunk, prev_out)), prev_in)
        out[i : i + 16] = res
        prev_in, prev_out = chunk, res
    return bytes(out)


def _one_shot(
    mode: str,
    decrypt: bool,
    iv_size: int,
    data: Buffer,
    key: Buffer,
    iv: Buffer,
    out: Optional[Buffer],
    dname: str = "data",
) -> Any:
    # dname: the data argument's name in errors (cryptg's plain/cipher).
    with _view(dname, data) as dview:
        k = _bytes_arg("key", key, 32)
        v = _bytes_arg("iv", iv, iv_size)
        if len(dview) % 16:
            raise _errors.not_whole_blocks(dname, len(dview))
        oview = None if out is None else _view("out", out, writable=True)
        try:
            if oview is not None and len(oview) != len(dview):
                raise _errors.out_mismatch(len(dview), len(oview))
            src = dview.tobytes()
            if mode == "ige":
                res = _ige(src, k, v, decrypt)
            else:
                cipher = _cipher(k, "CBC", v)
                ctx = cipher.decryptor() if decrypt else cipher.encryptor()
                res = ctx.update(src) + ctx.finalize()
            if oview is None:
                return res
            oview[:] = res
            return out
        finally:
            if oview is not None:
                oview.release()


@overload
def ige_encrypt(data: Buffer, key: Buffer, iv: Buffer, *, out: None = None) -> bytes: ...
@overload
def ige_encrypt(data: Buffer, key: Buffer, iv: Buffer, *, out: Out) -> Out: ...
def ige_encrypt(
    data: Buffer, key: Buffer, iv: Buffer, *, out: Optional[Buffer] = None
) -> Any:
    """
    Encrypt with AES-256-IGE.

    :param data: the plaintext, a multiple of 16 bytes long (may be empty).
    :param key: the 32-byte key.
    :param iv: the 32-byte IV: the previous ciphertext block, then the
        previous plaintext block (Telegram's and OpenSSL's order).
    :param out: optional writable buffer of len(data) bytes to write the
        result into; it may be ``data`` itself.
    :returns: the ciphertext as ``bytes``, or ``out``.
    """
    return _one_shot("ige", False, 32, data, key, iv, out)


@overload
def ige_decrypt(data: Buffer, key: Buffer, iv: Buffer, *, out: None = None) -> bytes: ...
@overload
def ige_decrypt(data: Buffer, key: Buffer, iv: Buffer, *, out: Out) -> Out: ...
def ige_decrypt(
    data: Buffer, key: Buffer, iv: Buffer, *, out: Optional[Buffer] = None
) -> Any:
    """
    Decrypt with AES-256-IGE; the arguments are as for :func:`ige_encrypt`.
    """
    return _one_shot("ige", True, 32, data, key, iv, out)


def encrypt_ige(plain: Buffer, key: Buffer, iv: Buffer) -> bytes:
    """
    cryptg's ``encrypt_ige(plain, key, iv)`` (see mtcore.compat.cryptg):
    AES-256-IGE encryption of ``plain`` (a multiple of 16 bytes).

    :returns: the ciphertext as ``bytes``.
    """
    out: bytes = _one_shot("ige", False, 32, plain, key, iv, None, "plain")
    return out


def decrypt_ige(cipher: Buffer, key: Buffer, iv: Buffer) -> bytes:
    """
    cryptg's ``decrypt_ige(cipher, key, iv)``: AES-256-IGE decryption.

    :returns: the plaintext as ``bytes``.
    """
    out: bytes = _one_shot("ige", True, 32, cipher, key, iv, None, "cipher")
    return out


def _many(items: Any, decrypt: bool) -> list[Any]:
    if not isinstance(items, (list, tuple)):
        raise _errors.not_sequence("items", items)
    # Snapshots of the list and of each item, as the compiled side takes.
    items = tuple(items)
    # (data, key, iv, out view or None, out object or None) views per item
    jobs: list[tuple[memoryview, memoryview, memoryview, Any, Any]] = []
    views: list[memoryview] = []
    try:
        for i, item in enumerate(items):
            if not isinstance(item, (list, tuple)):
                raise _errors.bad_item(f"items[{i}]", item)
            fields = tuple(item)
            if not 3 <= len(fields) <= 4:
                raise _errors.bad_item(f"items[{i}]", item)
            name = f"items[{i}]"
            dview = _view(f"{name}.data", fields[0])
            views.append(dview)
            kview = _sized_view(f"{name}.key", fields[1], 32, views)
            vview = _sized_view(f"{name}.iv", fields[2], 32, views)
            n = len(dview)
            if n % 16:
                raise _errors.not_whole_blocks(f"{name}.data", n)
            oview = out = None
            if len(fields) == 4:
                out = fields[3]
                oview = _view(f"{name}.out", out, writable=True)
                views.append(oview)
                if len(oview) != n:
                    raise _errors.out_mismatch(n, len(oview))
            jobs.append((dview, kview, vview, oview, out))
        # Every item is checked before any is processed, as the compiled
        # side does before it runs the kernel; then one at a time, in
        # order, each reading its buffers as the earlier ones left them.
        results = []
        for dview, kview, vview, oview, out in jobs:
            res = _ige(dview.tobytes(), kview.tobytes(), vview.tobytes(), decrypt)
            if oview is None:
                results.append(res)
            else:
                oview[:] = res
                results.append(out)
        return results
    finally:
        for view in views:
            view.release()


def _sized_view(name: str, obj: Buffer, size: int, views: list[memoryview]) -> memoryview:
    # A view of exactly size bytes, appended to views (released by the caller).
    view = _view(name, obj)
    views.append(view)
    if len(view) != size:
        raise _errors.bad_length(name, size, len(view))
    return view


# A batch item: (data, key, iv), or (data, key, iv, out).
Item = Union[tuple[Buffer, Buffer, Buffer], tuple[Buffer, Buffer, Buffer, Buffer]]


@overload
def ige_encrypt_many(items: Sequence[tuple[Buffer, Buffer, Buffer]]) -> list[bytes]: ...
@overload
def ige_encrypt_many(items: Sequence[Item]) -> list[Any]: ...
def ige_encrypt_many(items: Any) -> list[Any]:
    """
    Encrypt several independent buffers with AES-256-IGE in one call.

    :param items: a list or tuple of ``(data, key, iv)`` tuples (or lists),
        each as the arguments of :func:`ige_encrypt`; a fourth element, a
        writable buffer of ``len(data)`` bytes (which may be or overlap
        ``data``), receives the result.
    :returns: the ciphertexts in order (``bytes``, or each item's ``out``):
        what one :func:`ige_encrypt` call per item, in order, gives (also
        where an ``out`` overlaps another item's buffers).
    """
    return _many(items, False)


@overload
def ige_decrypt_many(items: Sequence[tuple[Buffer, Buffer, Buffer]]) -> list[bytes]: ...
@overload
def ige_decrypt_many(items: Sequence[Item]) -> list[Any]: ...
def ige_decrypt_many(items: Any) -> list[Any]:
    """
    Decrypt several independent buffers with AES-256-IGE in one call; the
    arguments are as for :func:`ige_encrypt_many`.
    """
    return _many(items, True)


@overload
def cbc_encrypt(data: Buffer, key: Buffer, iv: Buffer, *, out: None = None) -> bytes: ...
@overload
def cbc_encrypt(data: Buffer, key: Buffer, iv: Buffer, *, out: Out) -> Out: ...
def cbc_encrypt(
    data: Buffer, key: Buffer, iv: Buffer, *, out: Optional[Buffer] = None
) -> Any:
    """
    Encrypt with AES-256-CBC, no padding.

    :param data: the plaintext, a multiple of 16 bytes long (may be empty).
    :param key: the 32-byte key.
    :param iv: the 16-byte IV.
    :param out: optional writable buffer of len(data) bytes; may be ``data``.
    :returns: the ciphertext as ``bytes``, or ``out``.
    """
    return _one_shot("cbc", False, 16, data, key, iv, out)


@overload
def cbc_decrypt(data: Buffer, key: Buffer, iv: Buffer, *, out: None = None) -> bytes: ...
@overload
def cbc_decrypt(data: Buffer, key: Buffer, iv: Buffer, *, out: Out) -> Out: ...
def cbc_decrypt(
    data: Buffer, key: Buffer, iv: Buffer, *, out: Optional[Buffer] = None
) -> Any:
    """
    Decrypt with AES-256-CBC; the arguments are as for :func:`cbc_encrypt`.
    """
    return _one_shot("cbc", True, 16, data, key, iv, out)


class Ctr:
    """
    An AES-256-CTR stream: the 16-byte ``iv`` is the first counter block,
    incremented as one 128-bit big-endian integer per 16 bytes of
    keystream.  Successive calls continue the keystream at any byte
    boundary; encryption and decryption are the same operation.

    :param key: the 32-byte key.
    :param iv: the 16-byte initial counter block.
    """

    __module__ = "mtcore.aes"  # its public home (the twin is private)

    __slots__ = ("_ctx", "_lock")
    _ctx: Any  # a cryptography CipherContext, or None before __init__
    _lock: threading.Lock  # held by each call: one keystream, one user

    def __new__(cls, *args: Any, **kwargs: Any) -> Ctr:
        self = super().__new__(cls)
        self._ctx = None
        self._lock = threading.Lock()
        return self

    def __init__(self, key: Buffer, iv: Buffer) -> None:
        with self._lock:
            if self._ctx is not None:
                raise _errors.already_initialised("Ctr")
            k = _bytes_arg("key", key, 32)
            v = _bytes_arg("iv", iv, 16)
            self._ctx = _cipher(k, "CTR", v).encryptor()

    def update(self, data: Buffer) -> bytes:
        """
        XOR the next ``len(data)`` keystream bytes into data.

        :returns: the result as ``bytes``.
        """
        with _view("data", data) as view, self._lock:
            if self._ctx is None:
                raise _errors.not_initialised("Ctr")
            return bytes(self._ctx.update(view))

    def update_into(self, data: Buffer, out: Buffer) -> int:
        """
        Like :meth:`update`, but write into ``out`` (at least ``len(data)``
        bytes; may be ``data`` itself).

        :returns: the number of bytes written, ``len(data)``.
        """
        with _view("data", data) as view:
            oview = _view("out", out, writable=True)
            try:
                n = len(view)
                if len(oview) < n:
                    raise _errors.out_too_small(n, len(oview))
                with self._lock:
                    if self._ctx is None:
                        raise _errors.not_initialised("Ctr")
                    oview[:n] = self._ctx.update(view)
                return n
            finally:
                oview.release()


class AesKernel:
    """
    The functions above bound to one named kernel; the pure side has only
    ``"python"``.  A test hook, mirrored by the compiled ``AesKernel``.
    """

    def __init__(self, name: str) -> None:
        if name not in aes_kernels():
            raise _errors.no_kernel(name, aes_kernels())
        self.name = name
        self.ige_encrypt = ige_encrypt
        self.ige_decrypt = ige_decrypt
        self.cbc_encrypt = cbc_encrypt
        self.cbc_decrypt = cbc_decrypt
        self.Ctr = Ctr


# --- tgcrypto's CTR (mtcore.compat.tgcrypto) --------------------------------

# The counter block as two big-endian 64-bit halves.
_COUNTER = struct.Struct(">QQ")
_U64 = (1 << 64) - 1
# Keystream bytes to skip when a call starts inside a block (state 1..15).
_SKIP = tuple(bytes(n) for n in range(16))


def _state_view(name: str, obj: Buffer) -> memoryview:
    """
    A flat, writable byte view of ``obj`` (the caller releases it), or the
    error: not a buffer, read-only, not contiguous.
    """
    try:
        view = memoryview(obj)
    except TypeError:
        raise _errors.not_buffer(name, obj) from None
    if view.readonly:
        view.release()
        raise _errors.immutable_state(name, obj)
    if not view.c_contiguous:
        view.release()
        raise _errors.not_contiguous(name)
    if view.ndim == 1 and view.format == "B":
        return view
    try:
        # cast() refuses a shape with a zero in it: then any empty view
        # does (the caller reports the size).
        return view.cast("B") if view.nbytes else memoryview(bytearray())
    finally:
        view.release()


def _advance(iv: Any, blocks: int) -> None:
    # iv += blocks, as one 128-bit big-endian integer that wraps.
    last = iv[15] + blocks
    if last < 256:  # no carry out of the last byte: most calls
        iv[15] = last
        return
    high, low = _COUNTER.unpack_from(iv)
    low += blocks
    if low > _U64:
        low &= _U64
        high = (high + 1) & _U64
    _COUNTER.pack_into(iv, 0, high, low)


def ctr256_encrypt(data: Buffer, key: Buffer, iv: Buffer, state: Buffer, /) -> bytes:
    """
    tgcrypto's ``ctr256_encrypt`` (see mtcore.compat.tgcrypto): encrypt or
    decrypt with AES-256-CTR, continuing the keystream that ``iv`` and
    ``state`` describe and updating both in place.

    :param data: the input, at least one byte.
    :param key: the 32-byte key.
    :param iv: the 16-byte counter block, a writable buffer (a
        ``bytearray``); on return, the block of the next keystream byte.
    :param state: a writable 1-byte buffer holding the offset (0..15) of
        the next keystream byte in ``AES(iv)``; updated likewise.
    :returns: ``data`` XOR the keystream, as ``bytes``.
    :raises ArgumentTypeError: ``iv`` or ``state`` is read-only (a
        ``bytes``), or an argument is not bytes-like.
    """
    with _ctr_state_lock:
        return _ctr256(data, key, iv, state)


def ctr256_decrypt(data: Buffer, key: Buffer, iv: Buffer, state: Buffer, /) -> bytes:
    """
    The same as :func:`ctr256_encrypt` (CTR is its own inverse).
    """
    with _ctr_state_lock:
        return _ctr256(data, key, iv, state)


# Held around each call: threads sharing one iv and state then take
# turns, and never the same keystream.
_ctr_state_lock = threading.Lock()


def _ctr256(data: Buffer, key: Buffer, iv: Buffer, state: Buffer) -> bytes:
    views = None
    if type(iv) is not bytearray or type(state) is not bytearray:
        # Flat writable views, released below whatever happens.
        iv = _state_view("iv", iv)
        try:
            state = _state_view("state", state)
        except BaseException:
            iv.release()
            raise
        views = (iv, state)
    try:
        # Everything is checked (here, by Ctr and by update) before iv and
        # state are written.
        if len(state) != 1:
            raise _errors.state_length(len(state))
        offset = state[0]
        if offset > 15:
            raise _errors.out_of_range("state", 0, 15, offset)
        ctr = Ctr(key, iv)
        if offset:
            ctr.update(_SKIP[offset])
        out: bytes = ctr.update(data)
        if not out:
            raise _errors.empty_data("data")
        offset += len(out)
        if offset > 15:
            _advance(iv, offset >> 4)
        state[0] = offset & 15
        return out
    finally:
        if views is not None:
            views[0].release()
            views[1].release()
