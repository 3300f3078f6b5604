"""
Hostile and careless callers (issue 11): sequences that change while a
batch call reads them, buffers that overlap in every way, numbers that are
not finite.  Each case runs on every implementation the fixtures give
(the pure twin and every compiled kernel) and must give what one-at-a-time
calls on untouched copies give, or a clear mtcore error.
"""

from __future__ import annotations

import math
import os
import struct
import sys
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from utils import ref_ige

from mtcore import _errors, login
from mtcore.exceptions import ArgumentTypeError, ArgumentValueError

KEY = bytes(range(32))
IV = bytes(range(100, 132))
AUTH_KEY = bytes((7 * i + 3) & 0xFF for i in range(256))


def fresh(n: int, seed: int) -> bytes:
    # A bytes object no one else refers to (never interned or cached).
    return bytes((seed + 13 * i) & 0xFF for i in range(n))


# --- defect 1: batch calls whose arguments change under them -------------


class ClearsOnIter(list):
    """An item that empties another list while it is read."""

    victim: list[Any]

    def __iter__(self) -> Any:
        self.victim.clear()
        return super().__iter__()

    def __getitem__(self, k: Any) -> Any:
        self.victim.clear()
        return super().__getitem__(k)

    def __len__(self) -> int:
        self.victim.clear()
        return super().__len__()


class RewritesOnIter(list):
    """An item that replaces another item's fields while it is read."""

    def __init__(self, fields: list[Any], target: list[Any], at: int) -> None:
        super().__init__(fields)
        self.target = target
        self.at = at

    def _rewrite(self) -> None:
        if self.target[self.at] is not None:
            # Drops the only reference to the old object.
            self.target[self.at] = None

    def __iter__(self) -> Any:
        self._rewrite()
        return super().__iter__()

    def __getitem__(self, k: Any) -> Any:
        self._rewrite()
        return super().__getitem__(k)

    def __len__(self) -> int:
        self._rewrite()
        return super().__len__()


def test_batch_item_that_clears_the_list(mt_impl):
    # On 4f8e4ad: a NULL read (segfault) in the compiled batch.
    datas = [fresh(64, s) for s in range(3)]
    items: list[Any] = [(datas[0], KEY, IV)]
    evil = ClearsOnIter([datas[1], KEY, IV])
    evil.victim = items
    items += [evil, (datas[2], KEY, IV)]
    got = mt_impl.ige_encrypt_many(items)
    assert got == [ref_ige(KEY, IV, d, decrypt=False) for d in datas]


@pytest.mark.parametrize("field", [0, 1, 2], ids=["data", "key", "iv"])
def test_batch_item_that_frees_another_items_field(mt_impl, field):
    # Item 1 drops item 0's data (a use-after-free in the kernel on
    # 4f8e4ad) or key/iv (silently the wrong key): item 0 must still be
    # encrypted as it was passed.
    first = [fresh(4096 + 64, 1), fresh(32, 2), fresh(32, 3)]
    expected0 = ref_ige(first[1], first[2], first[0], decrypt=False)
    items: list[Any] = [first]
    items.append(RewritesOnIter([fresh(128, 4), KEY, IV], first, field))
    del first  # the item list holds the only references
    got = mt_impl.ige_encrypt_many(items)
    assert got[0] == expected0
    assert got[1] == ref_ige(KEY, IV, fresh(128, 4), decrypt=False)


@pytest.mark.skipif(
    sys.version_info < (3, 12), reason="a Python-level __buffer__ needs 3.12+"
)
def test_batch_buffer_hook_that_clears_the_list(mt_impl):
    # A __buffer__ (PEP 688) runs Python code mid-batch: on 4f8e4ad the
    # compiled encrypt_messages then read past the emptied list.
    plaintexts: list[Any] = []

    def inner(seed: int) -> bytes:
        # A valid inner message: salt, session_id, msg_id, seq_no, 32 bytes.
        return struct.pack("<qqqii", 1, 2, 4 * seed, 0, 32) + fresh(32, seed)

    class Clearing:
        def __buffer__(self, flags: int) -> memoryview:
            plaintexts.clear()
            return memoryview(inner(0))

    plaintexts += [inner(9), Clearing(), inner(10)]
    packets = mt_impl.encrypt_messages(AUTH_KEY, plaintexts, from_client=True)
    assert len(packets) == 3
    for packet, pt in zip(packets, [inner(9), inner(0), inner(10)]):
        assert mt_impl.decrypt_message(AUTH_KEY, packet, from_client=True) == pt
    items: list[Any] = []

    class ClearingData:
        def __buffer__(self, flags: int) -> memoryview:
            items.clear()
            return memoryview(bytes(64))

    items += [(fresh(64, 1), KEY, IV), (ClearingData(), KEY, IV), (fresh(64, 2), KEY, IV)]
    got = mt_impl.ige_encrypt_many(items)
    assert got == [
        ref_ige(KEY, IV, d, decrypt=False) for d in (fresh(64, 1), bytes(64), fresh(64, 2))
    ]


def test_encrypt_messages_list_subclass(mt_impl):
    class Shrinking(list):
        def __getitem__(self, k: Any) -> Any:
            self.clear()
            return b""

        def __iter__(self) -> Any:
            self.clear()
            return iter(())

    pts = Shrinking([fresh(64, 1), fresh(64, 2)])
    # Read once, as the snapshot the sequence gives (here, nothing).
    assert mt_impl.encrypt_messages(AUTH_KEY, pts, from_client=True) == []


# --- defect 7: batch items whose buffers overlap ------------------------------


def sequential(mem: bytearray, jobs: list[tuple[int, int, int, int, int]], decrypt: bool) -> bytearray:
    # The reference: one IGE call per item, in order, each reading the
    # memory as the earlier ones left it (all its inputs read first).
    mem = bytearray(mem)
    for d, n, k, v, o in jobs:
        res = ref_ige(bytes(mem[k : k + 32]), bytes(mem[v : v + 32]), bytes(mem[d : d + n]), decrypt)
        mem[o : o + n] = res
    return mem


@st.composite
def overlapping_jobs(draw: Any) -> tuple[int, list[tuple[int, int, int, int, int]]]:
    # Items laid out anywhere in one 1 KiB arena: data, key, iv and out
    # may overlap each other and other items' buffers.
    size = 1024
    count = draw(st.integers(1, 12))
    jobs = []
    for _ in range(count):
        n = 16 * draw(st.integers(0, 12))
        d = draw(st.integers(0, size - n))
        o = d if draw(st.booleans()) else draw(st.integers(0, size - n))
        k = draw(st.integers(0, size - 32))
        v = draw(st.integers(0, size - 32))
        jobs.append((d, n, k, v, o))
    return size, jobs


@given(layout=overlapping_jobs(), decrypt=st.booleans(), seed=st.integers(0, 255))
def test_batch_overlaps_equal_sequential_calls(mt_impl, layout, decrypt, seed):
    size, jobs = layout
    mem = bytearray(fresh(size, seed))
    expected = sequential(mem, jobs, decrypt)
    view = memoryview(mem)
    items = [(view[d : d + n], view[k : k + 32], view[v : v + 32], view[o : o + n]) for d, n, k, v, o in jobs]
    run = mt_impl.ige_decrypt_many if decrypt else mt_impl.ige_encrypt_many
    got = run(items)
    assert all(r is it[3] for r, it in zip(got, items))
    del items, got
    view.release()
    assert mem == expected


@pytest.mark.parametrize("target", ["key", "iv"])
@pytest.mark.parametrize("fn", ["ige_encrypt", "ige_decrypt", "cbc_encrypt", "cbc_decrypt"])
def test_one_shot_out_over_key_or_iv(aes_impl, fn, target):
    # out may cover the key or the IV: both are read before it is written.
    iv_size = 32 if fn.startswith("ige") else 16
    mem = bytearray(fresh(256, 5))
    view = memoryview(mem)
    key, iv, data = bytes(mem[64:96]), bytes(mem[96 : 96 + iv_size]), bytes(mem[160:224])
    expected = getattr(aes_impl, fn)(data, key, iv)
    at = 48 if target == "key" else 80  # out = mem[at : at + 64] covers it
    got = getattr(aes_impl, fn)(
        view[160:224], view[64:96], view[96 : 96 + iv_size], out=view[at : at + 64]
    )
    assert bytes(got) == expected == bytes(mem[at : at + 64])


# --- defect 5: encrypt_message with the plaintext inside out ---------------


@pytest.mark.parametrize("padding_in_out", [False, True])
def test_encrypt_plaintext_anywhere_in_out(mt_impl, padding_in_out):
    # On 4f8e4ad the compiled side wrote the padding before moving the
    # plaintext, corrupting it whenever it lay in out past offset 24.
    n, padlen = 48, 32  # 24 + 48 + 32 = a 104-byte packet
    pt = fresh(n, 1)
    pad = fresh(padlen, 2)
    expected = mt_impl.encrypt_message(AUTH_KEY, pt, from_client=True, padding=pad)
    total = 24 + n + padlen
    for off in range(0, total - n + 1):
        out = bytearray(total)
        out[off : off + n] = pt
        view = memoryview(out)
        padding: Any = pad
        if padding_in_out:
            # the padding too, wherever it fits beside the plaintext
            spots = [p for p in range(total - padlen + 1) if p + padlen <= off or p >= off + n]
            if not spots:
                continue
            p = spots[off % len(spots)]
            out[p : p + padlen] = pad
            padding = view[p : p + padlen]
        got = mt_impl.encrypt_message(
            AUTH_KEY, view[off : off + n], from_client=True, padding=padding, out=out
        )
        assert got is out
        assert bytes(out) == expected, f"plaintext at offset {off}"


def test_encrypt_random_padding_plaintext_in_out(mt_impl):
    # With padding drawn by the library: every offset still decrypts to
    # the plaintext.
    n = 64
    # a valid inner plaintext: header (salt, session, msg_id, seq_no,
    # length) and 32 bytes of message data
    pt = struct.pack("<qqqii", 1, 2, 4, 0, n - 32) + fresh(n - 32, 3)
    length = mt_impl.encrypted_length(n)
    for off in range(0, length - n + 1):
        out = bytearray(length)
        out[off : off + n] = pt
        mt_impl.encrypt_message(AUTH_KEY, memoryview(out)[off : off + n], from_client=True, out=out)
        assert mt_impl.decrypt_message(AUTH_KEY, bytes(out), from_client=True) == pt, off


# --- defect 7: numbers that are not finite, and pq ---------------------------


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, 10**400])
def test_flow_refuses_non_finite_clock_offset(bad):
    with pytest.raises(ArgumentValueError, match="clock_offset must be a finite number"):
        login.QRLoginFlow(12345, "0123456789abcdef0123456789abcdef", clock_offset=bad)
    flow = login.QRLoginFlow(12345, "0123456789abcdef0123456789abcdef")
    with pytest.raises(ArgumentValueError, match="clock_offset must be a finite number"):
        flow.clock_offset = bad
    with pytest.raises(ArgumentValueError, match="clock_offset must be a finite number"):
        login.LoginToken(b"t", _aware(0)).is_expired(0, clock_offset=bad)


@pytest.mark.parametrize("bad", [math.nan, math.inf, "1", None])
def test_flow_refuses_a_clock_that_is_not_a_finite_number(bad):
    flow = login.QRLoginFlow(12345, "0123456789abcdef0123456789abcdef", clock=lambda: bad)
    flow.start()
    token = _token_bytes(2_000_000_000)
    error = ArgumentValueError if isinstance(bad, float) else ArgumentTypeError
    with pytest.raises(error, match=r"clock\(\) must be a"):
        flow.on_response(token)


def test_flow_caps_a_far_future_token():
    flow = login.QRLoginFlow(12345, "0123456789abcdef0123456789abcdef", clock=lambda: 1000.0)
    flow.start()
    action = flow.on_response(_token_bytes(2**31 - 1))
    assert action.timeout == login.MAX_SHOW_SECONDS
    assert action.refresh_at == 1000.0 + login.MAX_SHOW_SECONDS


def _aware(ts: int) -> Any:
    import datetime

    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc)


def _token_bytes(expires: int) -> bytes:
    from mtcore import tl

    return bytes(tl.types.auth.loginToken(expires=expires, token=os.urandom(16)))


def test_error_texts_are_shared():
    # The new texts come from the one module both backends use.
    assert str(_errors.already_initialised("Ctr")) == "Ctr is already initialised"
