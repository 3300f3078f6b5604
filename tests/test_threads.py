"""
Every stateful object shared between threads (issue 11): several threads
use one object at once, and the outputs are checked against a
single-threaded oracle.  A CTR stream may serve the threads in any order,
but no keystream byte may be used twice or skipped; a flow takes one input
at a time.  The work is fixed (not timed) and small; the switch interval
is shortened so that the threads really interleave.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from typing import Any, Callable

import pytest

from mtcore import login, tl
from mtcore.exceptions import LoginFlowError

THREADS = 4
KEY = bytes(range(32))
IV16 = bytes(range(200, 216))
# Chunk sizes: over and under the 4 KiB GIL-release threshold, odd ones
# that end mid-block, whole blocks.
SIZES = (65536, 4097, 17, 5000, 4096, 31, 65536 + 5, 1000)


@pytest.fixture(autouse=True)
def fast_switching() -> Iterator[None]:
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(old)


def run_threads(work: Callable[[int], Any], n: int = THREADS) -> list[Any]:
    """work(i) in n threads started together; their results, in thread order."""
    start = threading.Barrier(n)
    results: list[Any] = [None] * n
    errors: list[BaseException] = []

    def body(i: int) -> None:
        try:
            start.wait()
            results[i] = work(i)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=body, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread did not finish"
    if errors:
        raise errors[0]
    return results


def assert_tiles(chunks: list[bytes], keystream: bytes) -> None:
    """
    The chunks (keystream XOR zeros, from any thread in any order) are
    disjoint pieces that together cover keystream exactly once.
    """
    spans = []
    for c in chunks:
        at = keystream.find(c)
        assert at >= 0, f"a {len(c)}-byte chunk is not keystream"
        spans.append((at, at + len(c)))
    spans.sort()
    pos = 0
    for a, b in spans:
        assert a == pos, f"keystream reused or skipped at byte {pos} (next chunk at {a})"
        pos = b
    assert pos == len(keystream)


def stream_chunks(update: Callable[[bytes], bytes], rounds: int) -> Callable[[int], list[bytes]]:
    def work(i: int) -> list[bytes]:
        out = []
        for r in range(rounds):
            n = SIZES[(i + r) % len(SIZES)]
            out.append(bytes(update(bytes(n))))
        return out

    return work


def total(rounds: int) -> int:
    return sum(SIZES[(i + r) % len(SIZES)] for i in range(THREADS) for r in range(rounds))


def test_shared_ctr(aes_impl):
    rounds = 50
    oracle = aes_impl.Ctr(KEY, IV16).update(bytes(total(rounds)))
    shared = aes_impl.Ctr(KEY, IV16)
    chunks = [c for part in run_threads(stream_chunks(shared.update, rounds)) for c in part]
    assert_tiles(chunks, oracle)


def test_shared_ctr_update_into(aes_impl):
    rounds = 50
    oracle = aes_impl.Ctr(KEY, IV16).update(bytes(total(rounds)))
    shared = aes_impl.Ctr(KEY, IV16)

    def update(data: bytes) -> bytes:
        out = bytearray(len(data))
        assert shared.update_into(data, out) == len(data)
        return bytes(out)

    chunks = [c for part in run_threads(stream_chunks(update, rounds)) for c in part]
    assert_tiles(chunks, oracle)


def test_ctr_cannot_be_initialised_again(aes_impl):
    # Another thread may be using its key: a second __init__ is refused.
    ctr = aes_impl.Ctr(KEY, IV16)
    with pytest.raises(ValueError, match="^Ctr is already initialised$"):
        ctr.__init__(bytes(32), bytes(16))
    assert ctr.update(bytes(16)) == aes_impl.Ctr(KEY, IV16).update(bytes(16))


def test_shared_tgcrypto_state(backend_module):
    # tgcrypto's ctr256_encrypt with one iv and state shared by threads.
    rounds = 50
    oracle = backend_module.Ctr(KEY, IV16).update(bytes(total(rounds)))
    iv, state = bytearray(IV16), bytearray(1)

    def update(data: bytes) -> bytes:
        return backend_module.ctr256_encrypt(data, KEY, iv, state)

    chunks = [c for part in run_threads(stream_chunks(update, rounds)) for c in part]
    assert_tiles(chunks, oracle)
    # and the shared state ends where one stream of that length ends
    n = total(rounds)
    assert int.from_bytes(iv, "big") == int.from_bytes(IV16, "big") + n // 16
    assert state[0] == n % 16


def test_shared_telethon_ctr():
    from mtcore.compat.telethon import AESModeCTR

    rounds = 50
    oracle = AESModeCTR(KEY, IV16).encrypt(bytes(total(rounds)))
    shared = AESModeCTR(KEY, IV16)
    chunks = [c for part in run_threads(stream_chunks(shared.encrypt, rounds)) for c in part]
    assert_tiles(chunks, oracle)


def test_shared_auth_key_and_padding(mt_impl):
    # One AuthKey used by every thread; each packet must decrypt, and no
    # two may be equal (the padding comes from each thread's own bytes).
    auth_key = mt_impl.AuthKey(bytes((5 * i + 1) & 0xFF for i in range(256)))
    body = bytes(range(64))

    def work(i: int) -> list[bytes]:
        packets = []
        for seq in range(40):
            packets.append(
                mt_impl.pack_message(
                    auth_key, salt=1, session_id=2, msg_id=4 * (1000 + seq), seq_no=seq, body=body
                )
            )
        return packets

    packets = [p for part in run_threads(work) for p in part]
    assert len(set(packets)) == len(packets)
    for p in packets:
        msg = mt_impl.unpack_message(auth_key, p, session_id=2, from_client=True)
        assert msg.body == body


def test_shared_qr_login_flow():
    # Four threads answer the one pending export at once: exactly one
    # answer is taken, the others are refused (no request is pending).
    for _ in range(20):
        flow = login.QRLoginFlow(12345, "0123456789abcdef0123456789abcdef", clock=lambda: 1000.0)
        flow.start()
        answer = bytes(tl.types.auth.loginToken(expires=1030, token=b"tok"))

        def work(i: int) -> str:
            try:
                return type(flow.on_response(answer)).__name__
            except LoginFlowError:
                return "refused"

        got = sorted(run_threads(work))
        assert got == ["ShowQR"] + ["refused"] * (THREADS - 1)


# --- TL ---------------------------------------------------------------------


def test_shared_tl_writer(tl_impl):
    # Each write lands whole: the shared writer's output parses back into
    # exactly the records the threads wrote, in some interleaving.
    w = tl_impl.Writer()
    per_thread = 300

    def work(i: int) -> None:
        for r in range(per_thread):
            w.write_bytes(bytes([i]) * (1 + r % 300))

    run_threads(work)
    reader = tl_impl.Reader(w.getvalue())
    got: dict[int, list[int]] = {i: [] for i in range(THREADS)}
    while not reader.at_end():
        rec = reader.read_bytes()
        assert rec == rec[:1] * len(rec)
        got[rec[0]].append(len(rec))
    assert got == {i: [1 + r % 300 for r in range(per_thread)] for i in range(THREADS)}


def test_shared_tl_reader(tl_impl):
    # Each read takes whole values: every record is read exactly once.
    n = 8000
    w = tl_impl.Writer()
    for v in range(n):
        w.write_bytes(v.to_bytes(4, "little") * (1 + v % 70))
    reader = tl_impl.Reader(w.getvalue())

    def work(i: int) -> list[int]:
        out = []
        for _ in range(n // THREADS):
            rec = reader.read_bytes()
            out.append(int.from_bytes(rec[:4], "little"))
            assert rec == rec[:4] * (1 + out[-1] % 70)
        return out

    values = sorted(v for part in run_threads(work) for v in part)
    assert values == list(range(n))
    assert reader.at_end()


def test_first_use_of_a_class_from_threads():
    # Threads that name the same combinators of a fresh codec at once get
    # one class each, not one per thread.
    from mtcore.tl.codec import Codec
    from mtcore.tl.registry import default_schema

    names = sorted(default_schema().constructors)[:300]
    for _ in range(3):
        codec = Codec(default_schema())

        def work(i: int) -> list[type]:
            return [codec.desc_by_name(name, False).cls for name in names]

        first, *others = run_threads(work)
        assert all(o == first for o in others)


def test_encode_decode_from_threads():
    # The compiled encoder's spare writer and the plan tables under threads:
    # every result equals the single-threaded one.
    from mtcore.tl import decode, functions, types

    objs = [
        functions.messages.sendMessage(
            peer=types.inputPeerUser(user_id=i, access_hash=-i),
            message="x" * (i % 50),
            random_id=i,
            entities=[types.messageEntityBold(offset=0, length=i % 7)],
        )
        for i in range(200)
    ]
    expected = [bytes(o) for o in objs]

    def work(t: int) -> bool:
        for _ in range(5):
            for o, e in zip(objs, expected):
                if bytes(o) != e or decode(e) != o:
                    return False
        return True

    assert run_threads(work) == [True] * THREADS


def test_objects_changed_while_other_threads_encode_them():
    # One thread sets the fields of an object (new values each time) and
    # runs __init__ on it again while the others encode it: each result is
    # the encoding of one combination of the values (each field is read
    # once, and held while it is written: on a free-threaded build the
    # values replaced meanwhile may otherwise be freed under the encoder).
    from mtcore.tl import functions, types

    messages = ["m" * 40, "n" * 3]
    entities = [
        [types.messageEntityBold(offset=0, length=1)],
        [types.messageEntityItalic(offset=1, length=2)] * 3,
    ]

    def make(m: int, e: int, random_id: int = 7) -> Any:
        return functions.messages.sendMessage(
            peer=types.inputPeerEmpty(), message=messages[m],
            random_id=random_id, entities=entities[e],
        )

    valid = {bytes(make(m, e, r)) for m in (0, 1) for e in (0, 1) for r in (7, 8)}
    shared = make(0, 0)
    done = threading.Event()

    def work(i: int) -> set[bytes]:
        seen: set[bytes] = set()
        if i == 0:
            try:
                for r in range(4000):
                    # New objects each time, referenced by the object only.
                    shared.message = messages[r % 2][:-1] + messages[r % 2][-1]
                    shared.entities = list(entities[r // 2 % 2])
                    if r % 16 == 0:
                        shared.__init__(
                            peer=types.inputPeerEmpty(), message=messages[r % 2],
                            random_id=7 + r // 16 % 2, entities=entities[r // 2 % 2],
                        )
            finally:
                done.set()
            return seen
        while not done.is_set():
            seen.add(bytes(shared))
        return seen

    results = run_threads(work)
    outputs = set().union(*results)
    assert outputs and outputs <= valid


def one_winner(work: Callable[[int], Any]) -> tuple[list[Any], list[BaseException]]:
    """work(i) in THREADS threads at once; what returned, and what raised."""
    done: list[Any] = []
    failed: list[BaseException] = []

    def body(i: int) -> None:
        try:
            done.append(work(i))
        except Exception as exc:  # the outcome under test
            failed.append(exc)

    run_threads(body)
    return done, failed


def test_shared_server_handshake():
    # Four clients send one ServerHandshake their req_pq_multi at once.  A
    # server may be asked to start over, so each gets its own resPQ (its own
    # nonce back, a fresh server_nonce and pq), and the server goes on with
    # the last one it answered: the answer with the highest msg_id.  The
    # exchange then completes with that client.  Ten rounds, to let the
    # threads interleave in many ways.
    from handshake_peers import server_key

    key = server_key()
    for _ in range(10):
        one_exchange(key)


def one_exchange(key: Any) -> None:
    import struct

    from mtcore import handshake

    clients = [handshake.ClientHandshake([key.public_key], dc_id=2) for _ in range(THREADS)]
    server = handshake.ServerHandshake([key], dc=2)
    starts = [c.start() for c in clients]
    answers = run_threads(lambda i: server.receive(starts[i]))
    res_pqs = [tl.decode(a[20:]) for a in answers]
    for start, res_pq in zip(starts, res_pqs):
        assert res_pq.nonce == tl.decode(start[20:]).nonce
    assert len({(r.server_nonce, r.pq) for r in res_pqs}) == THREADS
    msg_ids = [struct.unpack_from("<q", a, 8)[0] for a in answers]
    last = msg_ids.index(max(msg_ids))
    client = clients[last]
    message = client.receive(answers[last])
    while client.result is None:
        reply = server.receive(message)
        out = client.receive(reply)
        if isinstance(out, bytes):
            message = out
    assert server.result is not None
    assert server.result.auth_key == client.result.auth_key


def test_shared_srp_server_session():
    # One srp_id can be checked once: four threads checking the same right
    # answer at once give one success and three SRPIdInvalid.
    from mtcore import srp
    from mtcore.exceptions import SRPIdInvalid

    algo = srp.new_password_algo(
        tl.types.passwordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow(
            salt1=bytes(range(8)), salt2=bytes(16), g=3, p=_srp_prime()
        )
    )
    session = srp.ServerSession(srp.make_verifier("pw", algo), algo)
    check = srp.compute_check(session.password(), "pw")
    done, failed = one_winner(lambda i: session.verify(check))
    assert done == [None]
    assert len(failed) == THREADS - 1
    assert all(isinstance(exc, SRPIdInvalid) for exc in failed), failed


def _srp_prime() -> bytes:
    from mtcore import _dh

    return _dh.TELEGRAM_DH_PRIME.to_bytes(256, "big")
