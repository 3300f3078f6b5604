"""
The behaviour of the MTProto API beyond known answers, on every
implementation: AuthKey, encrypted_length, random padding, ``out=``,
encrypt_messages, decrypt_message_into, the batched IGE, the directions.
Expected values come from the independent reference in mtproto_ref.py
(hashlib and OpenSSL's AES block).
"""

from __future__ import annotations

import copy
import hashlib
import pickle
import random
import sys

import pytest
from mtproto_ref import (
    HEADER,
    header,
    ref_decrypt,
    ref_encrypt,
    ref_kdf,
    ref_key_id,
    ref_msg_key,
    ref_padding_length,
)
from utils import GuardedPages, ref_ige

from mtcore._message import Message
from mtcore.exceptions import MessageIdError, MessageKeyMismatch, SessionIdMismatch

KEY = bytes((11 * i + 5) & 0xFF for i in range(256))
OTHER = bytes(255) + b"\x01"


def rand(rng: random.Random, n: int) -> bytes:
    return rng.getrandbits(8 * n).to_bytes(n, "little") if n else b""


# --- AuthKey -----------------------------------------------------------------


def test_auth_key_attributes(mt_impl):
    k = mt_impl.AuthKey(KEY)
    digest = hashlib.sha1(KEY).digest()
    assert k.key_id == digest[12:20]
    assert k.aux_hash == digest[0:8]
    assert type(k.key_id) is bytes and type(k.aux_hash) is bytes
    assert bytes(k) == KEY
    assert type(bytes(k)) is bytes


@pytest.mark.parametrize(
    "make", [bytes, bytearray, memoryview, lambda b: memoryview(b)[:]]
)
def test_auth_key_from_any_buffer(mt_impl, make):
    assert bytes(mt_impl.AuthKey(make(KEY))) == KEY


def test_auth_key_is_a_copy(mt_impl):
    buf = bytearray(KEY)
    k = mt_impl.AuthKey(buf)
    buf[0] ^= 1
    assert bytes(k) == KEY
    buf.append(0)  # no export kept


def test_auth_key_equality_and_hash(mt_impl):
    a, b, c = (
        mt_impl.AuthKey(KEY),
        mt_impl.AuthKey(bytearray(KEY)),
        mt_impl.AuthKey(OTHER),
    )
    assert a == b and not (a != b)
    assert a != c and not (a == c)
    assert hash(a) == hash(b) == hash(a.key_id)
    assert len({a, b, c}) == 2
    # not equal to its bytes or anything else
    assert a != KEY and not (a == KEY)
    assert a != a.key_id
    assert a != None  # noqa: E711 (the operator itself is tested)


def test_auth_key_differs_in_the_last_byte(mt_impl):
    # keys equal but for one byte anywhere are unequal
    for i in (0, 127, 255):
        other = bytearray(KEY)
        other[i] ^= 0x80
        assert mt_impl.AuthKey(KEY) != mt_impl.AuthKey(other)


def test_auth_key_repr_hides_the_key(mt_impl):
    k = mt_impl.AuthKey(KEY)
    text = repr(k)
    assert k.key_id.hex() in text
    assert "AuthKey" in text
    assert KEY.hex()[:16] not in text
    assert KEY[:8].hex() not in str(k)


def test_auth_key_read_only(mt_impl):
    k = mt_impl.AuthKey(KEY)
    for name in ("key_id", "aux_hash"):
        with pytest.raises(AttributeError):
            setattr(k, name, b"\x00" * 8)
    assert k.key_id == ref_key_id(KEY)


def test_auth_key_is_final_and_not_picklable(mt_impl):
    # a key is not written into pickles, copies or subclasses by accident
    k = mt_impl.AuthKey(KEY)
    for copier in (pickle.dumps, copy.copy, copy.deepcopy):
        with pytest.raises(TypeError):
            copier(k)
    with pytest.raises(TypeError):
        type("Sub", (mt_impl.AuthKey,), {})
    with pytest.raises(AttributeError):
        k.other = 1
    k.__init__(OTHER)  # no effect: the key is set when the object is made
    assert bytes(k) == KEY


# --- sizes -------------------------------------------------------------------


@pytest.mark.parametrize(
    "n", [0, 1, 3, 4, 15, 16, 17, 19, 20, 31, 32, 36, 100, 4096, 2**31 - 1]
)
def test_encrypted_length(mt_impl, n):
    assert mt_impl.encrypted_length(n) == 24 + n + ref_padding_length(n)


def test_encrypted_length_takes_int_subclasses(mt_impl):
    assert mt_impl.encrypted_length(True) == 24 + 1 + ref_padding_length(1)


# --- random padding ----------------------------------------------------------


@pytest.mark.parametrize("n", [0, 4, 20, 36, 52, 1000])
@pytest.mark.parametrize("from_client", [True, False])
def test_random_padding(mt_impl, n, from_client):
    x = 0 if from_client else 8
    pt = bytes(i & 0xFF for i in range(n))
    packets = {
        mt_impl.encrypt_message(KEY, pt, from_client=from_client) for _ in range(4)
    }
    assert len(packets) == 4  # the padding is drawn every time
    for packet in packets:
        assert len(packet) == mt_impl.encrypted_length(n)
        assert packet[:8] == ref_key_id(KEY)
        data = ref_decrypt(KEY, packet, x)
        assert data[:n] == pt
        assert 12 <= len(data) - n <= 27
        assert ref_msg_key(KEY, data, x) == packet[8:24]


def test_encrypt_out_is_returned(mt_impl):
    pt = header(1, 2, 4, 1, 4) + b"abcd"
    out = bytearray(mt_impl.encrypted_length(len(pt)))
    assert mt_impl.encrypt_message(KEY, pt, from_client=True, out=out) is out
    data = ref_decrypt(KEY, bytes(out), 0)
    assert data[: len(pt)] == pt
    view = memoryview(bytearray(24 + len(pt) + 28))
    res = mt_impl.encrypt_message(
        KEY, pt, from_client=True, padding=bytes(28), out=view
    )
    assert res is view
    assert bytes(view) == ref_encrypt(KEY, pt + bytes(28), 0)


def test_pack_message_random_padding(mt_impl):
    body = bytes(range(24))
    packet = mt_impl.pack_message(
        KEY, salt=-1, session_id=2**64 - 2, msg_id=2**62, seq_no=2**32 - 1, body=body
    )
    assert len(packet) == mt_impl.encrypted_length(32 + len(body))
    data = ref_decrypt(KEY, packet, 0)
    assert data[:32] == HEADER.pack(-1, -2, 2**62, -1, len(body))
    assert data[32 : 32 + len(body)] == body
    assert ref_msg_key(KEY, data, 0) == packet[8:24]


# --- directions --------------------------------------------------------------


@pytest.mark.parametrize("sender_is_client", [True, False])
def test_directions(mt_impl, sender_is_client):
    x = 0 if sender_is_client else 8
    msg_id = (1_700_000_000 << 32) | (0 if sender_is_client else 1)
    pt = header(7, 99, msg_id, 2, 8) + b"12345678"
    packet = mt_impl.encrypt_message(KEY, pt, from_client=sender_is_client)
    assert ref_decrypt(KEY, packet, x)[: len(pt)] == pt
    assert mt_impl.decrypt_message(KEY, packet, from_client=sender_is_client) == pt
    with pytest.raises(MessageKeyMismatch):
        mt_impl.decrypt_message(KEY, packet, from_client=not sender_is_client)
    msg = mt_impl.unpack_message(
        KEY, packet, session_id=99, from_client=sender_is_client
    )
    assert tuple(msg) == (7, 99, msg_id, 2, b"12345678")
    # A real Message: its fields, equal and hashing as the same tuple.
    assert type(msg) is Message and msg.msg_id == msg_id and msg.body == b"12345678"
    assert msg == Message(*msg) and hash(msg) == hash(tuple(msg))
    assert {tuple(msg): 1}[msg] == 1
    assert (
        mt_impl.msg_key(KEY, ref_decrypt(KEY, packet, x), from_client=sender_is_client)
        == (packet[8:24])
    )


@pytest.mark.parametrize("body_len", [64, 2048])  # stack and heap buffers
def test_unpack_session_and_parity_checks(mt_impl, body_len):
    body = bytes(range(256)) * (body_len // 256) or bytes(64)
    good, even = (1_700_000_000 << 32) | 1, 1_700_000_000 << 32
    for msg_id, session_id, error in [
        (good, 99, None),
        (good, 98, SessionIdMismatch),
        (even, 99, MessageIdError),
        (even, 98, SessionIdMismatch),  # the session is checked first
    ]:
        pt = header(7, 99, msg_id, 2, len(body)) + body
        packet = mt_impl.encrypt_message(KEY, pt, from_client=False)
        if error is None:
            msg = mt_impl.unpack_message(KEY, packet, session_id=session_id)
            assert msg.body == body and msg.msg_id == msg_id
            continue
        with pytest.raises(error):
            mt_impl.unpack_message(KEY, packet, session_id=session_id)


@pytest.mark.parametrize("from_client", [True, False])
def test_kdf_and_msg_key_reference(mt_impl, from_client):
    rng = random.Random(f"kdf-{from_client}")
    x = 0 if from_client else 8
    for _ in range(8):
        key, mk, data = rand(rng, 256), rand(rng, 16), rand(rng, rng.randrange(0, 300))
        assert mt_impl.kdf(key, mk, from_client=from_client) == ref_kdf(key, mk, x)
        assert mt_impl.msg_key(key, data, from_client=from_client) == ref_msg_key(
            key, data, x
        )


@pytest.mark.parametrize("from_client", [True, False])
def test_msg_key_every_block_layout(mt_impl, from_client):
    # Whole 16-byte vectors (what encryption hashes) take the SHA-NI
    # kernel's register path: the padding at each place in its block, one
    # to several blocks, and long runs of whole blocks.
    rng = random.Random(f"msg-key-layout-{from_client}")
    x = 0 if from_client else 8
    key = rand(rng, 256)
    for n in [*range(0, 400, 16), 4096, 4096 + 16, 4096 + 32, 4096 + 48]:
        data = rand(rng, n)
        assert mt_impl.msg_key(key, data, from_client=from_client) == ref_msg_key(
            key, data, x
        ), n


@pytest.mark.skipif(sys.platform != "linux", reason="mprotect through libc")
def test_no_read_outside_the_buffers(mt_impl):
    # msg_key's whole-vector path and the packet path, with plaintexts and
    # packets at either edge of a page between two unreadable ones.
    pages = GuardedPages()
    rng = random.Random("mtproto-guard")
    for n in range(0, 208, 16):
        data = rand(rng, n)
        want = ref_msg_key(KEY, data, 0)
        assert mt_impl.msg_key(KEY, pages.at_start(data), from_client=True) == want
        assert mt_impl.msg_key(KEY, pages.at_end(data), from_client=True) == want
    for body_len in (0, 4, 64, 1024):
        pt = header(1, 2, 4 * body_len + 4, 3, body_len) + rand(rng, body_len)
        packet = mt_impl.encrypt_message(KEY, pages.at_end(pt), from_client=True)
        for place in (pages.at_start, pages.at_end):
            got = mt_impl.decrypt_message(KEY, place(packet), from_client=True)
            assert bytes(got) == pt


def test_from_client_truthiness(mt_impl):
    # from_client is read for its truth value
    assert mt_impl.kdf(KEY, bytes(16), from_client=1) == ref_kdf(KEY, bytes(16), 0)
    assert mt_impl.kdf(KEY, bytes(16), from_client=0) == ref_kdf(KEY, bytes(16), 8)


def test_auth_key_bytes_above_128_unused(mt_impl):
    # MTPROTO.md 3.3: only bytes 0..127 enter msg_key and the KDF
    changed = KEY[:128] + bytes(128)
    pt = header(1, 2, 3, 4, 0)
    for fc in (True, False):
        assert mt_impl.kdf(KEY, bytes(16), from_client=fc) == mt_impl.kdf(
            changed, bytes(16), from_client=fc
        )
        assert mt_impl.msg_key(KEY, pt, from_client=fc) == mt_impl.msg_key(
            changed, pt, from_client=fc
        )


# --- decrypt_message_into ----------------------------------------------------
@pytest.mark.parametrize("from_client", [True, False])
def test_decrypt_every_block_count(mt_impl, from_client):
    # The fused IGE + SHA-256 kernel hashes a few AES blocks behind the
    # decryption and leaves the rest to a streaming context: every packet
    # size from the smallest (3 blocks) past several of its groups, each
    # with the last ciphertext byte and the first one changed.
    rng = random.Random(f"blocks-{from_client}")
    x = 0 if from_client else 8
    for blocks in range(3, 60):
        length = 16 * blocks - 32 - 12
        pt = header(5, 6, 7 if from_client else 9, 8, length) + rand(rng, length)
        packet = ref_encrypt(KEY, pt + rand(rng, 12), x)
        assert mt_impl.decrypt_message(KEY, packet, from_client=from_client) == pt
        for i in (24, len(packet) - 1):
            bad = bytearray(packet)
            bad[i] ^= 0x80
            with pytest.raises(MessageKeyMismatch):
                mt_impl.decrypt_message(KEY, bytes(bad), from_client=from_client)




def test_decrypt_into_larger_out(mt_impl):
    pt = header(1, 2, 5, 0, 16) + bytes(range(16))
    packet = ref_encrypt(KEY, pt + b"\xee" * 16, 8)
    out = bytearray(b"\x55" * 200)
    n = mt_impl.decrypt_message_into(
        mt_impl.AuthKey(KEY), packet, out, from_client=False
    )
    assert n == len(pt)
    assert out[:n] == pt
    assert out[n : len(packet) - 24] == b"\xee" * 16  # the padding is written too
    assert out[len(packet) - 24 :] == b"\x55" * (200 - len(packet) + 24)


def test_decrypt_into_in_place(mt_impl):
    pt = header(1, 2, 5, 0, 16) + bytes(range(16))
    packet = ref_encrypt(KEY, pt + bytes(16), 8)
    buf = bytearray(packet)
    n = mt_impl.decrypt_message_into(KEY, buf, memoryview(buf)[24:], from_client=False)
    assert buf[24 : 24 + n] == pt
    buf2 = bytearray(packet)
    n = mt_impl.decrypt_message_into(KEY, buf2, buf2, from_client=False)
    assert buf2[:n] == pt


def test_decrypt_returns_bytes(mt_impl):
    pt = header(1, 2, 5, 0, 4) + b"abcd"
    packet = ref_encrypt(KEY, pt + bytes(12), 8)
    res = mt_impl.decrypt_message(KEY, bytearray(packet), from_client=False)
    assert type(res) is bytes and res == pt
    msg = mt_impl.unpack_message(KEY, memoryview(packet), session_id=2)
    assert type(msg).__name__ == "Message"
    assert msg._fields == ("salt", "session_id", "msg_id", "seq_no", "body")
    assert type(msg.body) is bytes


# --- encrypt_messages --------------------------------------------------------


@pytest.mark.parametrize("container", [list, tuple])
@pytest.mark.parametrize("from_client", [True, False])
def test_encrypt_messages(mt_impl, container, from_client):
    x = 0 if from_client else 8
    pts = [header(1, 2, 4 * i, i, 4 * i) + bytes(4 * i) for i in range(5)] + [
        b"",
        b"xyz",
    ]
    packets = mt_impl.encrypt_messages(
        mt_impl.AuthKey(KEY),
        container(bytearray(p) for p in pts),
        from_client=from_client,
    )
    assert type(packets) is list and len(packets) == len(pts)
    for pt, packet in zip(pts, packets):
        assert type(packet) is bytes
        assert len(packet) == mt_impl.encrypted_length(len(pt))
        data = ref_decrypt(KEY, packet, x)
        assert data[: len(pt)] == pt
        assert ref_msg_key(KEY, data, x) == packet[8:24]
    assert mt_impl.encrypt_messages(KEY, [], from_client=from_client) == []


# From 8 messages a SHA kernel with a batch function (AVX-512 lanes) hashes
# the msg_keys side by side, 64 messages a call, lanes taking the next
# message as theirs end and the last few finishing one by one.
@pytest.mark.parametrize("count", [8, 16, 17, 40, 70])
def test_encrypt_messages_batches(mt_impl, count):
    rng = random.Random(f"messages-{count}")
    sizes = [rng.choice([0, 1, 15, 16, 20, 47, 48, 100, 1000, 5000]) for _ in range(count)]
    if count >= 16:
        sizes[rng.randrange(count)] = 65536 + 12  # one long message
    pts = [rand(rng, n) for n in sizes]
    packets = mt_impl.encrypt_messages(KEY, pts, from_client=True)
    for pt, packet in zip(pts, packets):
        data = ref_decrypt(KEY, packet, 0)
        assert data[: len(pt)] == pt
        assert ref_msg_key(KEY, data, 0) == packet[8:24]


# --- batched IGE -------------------------------------------------------------


# Up to 8 the AES-NI lanes take a batch; from 12 the VAES registers (16
# lanes), handing their last jobs back to AES-NI; 33 and 50 refill lanes.
@pytest.mark.parametrize("count", [1, 2, 3, 4, 5, 8, 9, 12, 16, 17, 20, 21, 24, 25, 33, 50])
def test_ige_many_equals_one_at_a_time(mt_impl, count):
    rng = random.Random(f"many-{count}")
    items = [
        (
            rand(rng, 16 * rng.choice([0, 1, 2, 3, 7, 64, 300])),
            rand(rng, 32),
            rand(rng, 32),
        )
        for _ in range(count)
    ]
    enc = mt_impl.ige_encrypt_many(items)
    assert enc == [ref_ige(k, iv, d, decrypt=False) for d, k, iv in items]
    assert all(type(c) is bytes for c in enc)
    dec = mt_impl.ige_decrypt_many(
        [[c, bytearray(k), memoryview(iv)] for c, (_, k, iv) in zip(enc, items)]
    )
    assert dec == [d for d, _, _ in items]


def _long_jobs(rng: random.Random, count: int, layout: str) -> list[tuple]:
    # (data, key, iv, out) with data and out placed as the layout says
    sizes = [16 * rng.choice([1024, 4096, 4096 + 3, 5000]) for _ in range(count)]
    keys = [rand(rng, 32) for _ in sizes]
    ivs = [rand(rng, 32) for _ in sizes]
    if layout == "separate":
        return [(rand(rng, n), k, iv) for n, k, iv in zip(sizes, keys, ivs)]
    # one arena: every buffer at the same offset mod 4096 (as from mmap),
    # or inputs and outputs packed one after another (as on the heap)
    step = [(-n % 4096) + 48 if layout == "same_offset" else 80 for n in sizes]
    arena = memoryview(bytearray(sum(2 * (n + g) for n, g in zip(sizes, step))))
    items, at = [], 0
    for n, g, k, iv in zip(sizes, step, keys, ivs):
        data = arena[at : at + n]
        data[:] = rand(rng, n)
        out = data if layout == "in_place" else arena[at + n + g : at + 2 * n + g]
        items.append((data, k, iv, out))
        at += 2 * (n + g)
    return items


# Jobs of 16 KiB and more open their lanes one step apart, of 64 KiB and
# more at delays planned from the buffers' addresses: long jobs, in the
# layouts the plan looks at.
@pytest.mark.parametrize("layout", ["separate", "same_offset", "packed", "in_place"])
@pytest.mark.parametrize("count", [12, 16, 24, 33])
def test_ige_many_long_jobs(mt_impl, layout, count):
    tgcrypto = pytest.importorskip("tgcrypto")  # an independent oracle, fast
    rng = random.Random(f"many-long-{layout}-{count}")
    items = _long_jobs(rng, count, layout)
    plain = [bytes(it[0]) for it in items]
    want = [tgcrypto.ige256_encrypt(d, it[1], it[2]) for d, it in zip(plain, items)]
    got = mt_impl.ige_encrypt_many(items)
    assert [bytes(c) for c in got] == want
    # back: from the fresh results, or from each out into its data
    if layout == "separate":
        back = [(c, k, iv) for c, (_, k, iv) in zip(got, items)]
    else:
        back = [(out, k, iv, data) for data, k, iv, out in items]
    assert [bytes(p) for p in mt_impl.ige_decrypt_many(back)] == plain


def test_ige_many_same_key_different_ivs(mt_impl):
    key = bytes(range(32))
    items = [(bytes(64), key, bytes([i]) * 32) for i in range(6)]
    assert mt_impl.ige_encrypt_many(tuple(items)) == [
        ref_ige(k, iv, d, decrypt=False) for d, k, iv in items
    ]


@pytest.mark.parametrize("fn", ["ige_encrypt_many", "ige_decrypt_many"])
def test_ige_many_with_out(mt_impl, fn):
    rng = random.Random(f"many-out-{fn}")
    decrypt = fn == "ige_decrypt_many"
    datas = [rng.randbytes(16 * n) for n in (1, 3, 0, 64)]
    keys = [rng.randbytes(32) for _ in datas]
    ivs = [rng.randbytes(32) for _ in datas]
    expected = [
        ref_ige(k, iv, d, decrypt=decrypt) for d, k, iv in zip(datas, keys, ivs)
    ]
    in_place = bytearray(datas[1])
    separate = bytearray(len(datas[0]))
    view = memoryview(bytearray(len(datas[3])))
    items = [
        (datas[0], keys[0], ivs[0], separate),
        [in_place, keys[1], ivs[1], in_place],  # out may be data itself
        (datas[2], keys[2], ivs[2]),
        (datas[3], keys[3], ivs[3], view),
    ]
    res = getattr(mt_impl, fn)(items)
    assert res[0] is separate and res[1] is in_place and res[3] is view
    assert type(res[2]) is bytes
    assert [bytes(r) for r in res] == expected
    # an out right after its data, touching but not overlapping
    buf = bytearray(datas[1] + bytes(len(datas[1])))
    n = len(datas[1])
    with memoryview(buf) as m:
        getattr(mt_impl, fn)([(m[:n], keys[1], ivs[1], m[n:])])
    assert buf == datas[1] + expected[1]


@pytest.mark.parametrize("fn", ["ige_encrypt_many", "ige_decrypt_many"])
@pytest.mark.parametrize("shift", [-16, -1, 1, 16, 47])
def test_ige_many_out_overlapping_data(mt_impl, fn, shift):
    # An out that partly overlaps its data gets what a separate buffer would.
    rng = random.Random(f"many-overlap-{fn}-{shift}")
    decrypt = fn == "ige_decrypt_many"
    data, key, iv = rng.randbytes(64), rng.randbytes(32), rng.randbytes(32)
    expected = ref_ige(key, iv, data, decrypt=decrypt)
    base = bytearray(64 + 2 * 64)
    start = 64
    base[start : start + 64] = data
    with memoryview(base) as m:
        items = [(m[start : start + 64], key, iv, m[start + shift : start + shift + 64])]
        getattr(mt_impl, fn)(items * 1 + [(data, key, iv)] * 12)
    assert bytes(base[start + shift : start + shift + 64]) == expected


def test_ige_many_does_not_modify_inputs(mt_impl):
    data, key, iv = bytearray(range(64)), bytearray(range(32)), bytearray(range(32, 64))
    before = (bytes(data), bytes(key), bytes(iv))
    mt_impl.ige_encrypt_many([(data, key, iv), (data, key, iv)])
    assert (bytes(data), bytes(key), bytes(iv)) == before
