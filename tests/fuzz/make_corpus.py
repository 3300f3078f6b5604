"""
Write the seed corpus of the fuzz targets: ``corpus/<target>/<name>``.

The seeds are real encodings (TL objects of the bundled schema, packets
encrypted under the targets' fixed key, login URLs, schema text) and a few
hand-made edge inputs; the output is the same on every run, and a test
(``test_fuzz_corpus.py``) checks that the committed files are what this
script writes.  Other files in the corpus folders (inputs a fuzzer found,
kept as regression cases) are left alone.

Run: ``python tests/fuzz/make_corpus.py``.
"""

from __future__ import annotations

import random
import struct
import sys
import zlib
from pathlib import Path
from typing import Any

from fuzzlib import CORPUS, HERE

sys.path.insert(0, str(HERE.parent))  # tests/: the TL sample objects

import exchange  # noqa: E402
import fuzz_mtproto_decrypt as mt  # noqa: E402
import fuzz_session_receive as sr  # noqa: E402
import fuzz_tl_decode  # noqa: E402
import fuzz_transport  # noqa: E402
import test_tl_codec  # noqa: E402

import mtcore  # noqa: E402
from mtcore import login, tl  # noqa: E402
from mtcore._py import encrypt_message  # noqa: E402
from mtcore._py.aes import ige_decrypt  # noqa: E402

T, F = tl.types, tl.functions


def _gzip(data: bytes) -> bytes:
    # zlib's gzip stream, whose header is the same on every CPython
    # (gzip.compress wrote another OS byte before 3.12)
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    return packer.compress(data) + packer.flush()


def _type_seed(type_: str | None, data: bytes) -> bytes:
    return bytes([fuzz_tl_decode.TYPES.index(type_)]) + data


def tl_decode_seeds() -> dict[str, bytes]:
    out = {}
    for i, data in enumerate(test_tl_codec.SAMPLES):
        out[f"sample-{i:02d}"] = _type_seed(None, data)
    # Random objects of random combinators (the plans of test_tl_codec).
    rng = random.Random(20240601)
    combinators = test_tl_codec.ALL
    n = 0
    while n < 40:
        c = rng.choice(combinators)
        obj = test_tl_codec.to_mtcore(test_tl_codec.gen_plan(rng, c))
        data = bytes(obj)
        if len(data) <= 1024:
            out[f"random-{n:02d}-{c.name}"] = _type_seed(None, data)
            n += 1
    token = T.auth.loginToken(expires=1, token=b"t" * 16)
    out["gzip-packed"] = _type_seed(
        None, bytes(T.gzip_packed(packed_data=_gzip(bytes(token))))
    )
    out["gzip-nested"] = _type_seed(
        None,
        bytes(
            T.gzip_packed(
                packed_data=_gzip(bytes(T.gzip_packed(packed_data=_gzip(bytes(token)))))
            )
        ),
    )
    ping = F.ping(ping_id=1)
    out["deep-invoke"] = _type_seed(
        None, bytes(F.invokeAfterMsg(msg_id=1, query=F.invokeAfterMsg(msg_id=2, query=ping)))
    )
    # Values of the other types the selector can ask for.
    w = tl.Writer()
    w.write_vector_long([1, -1, 2**62])
    out["type-vector-long"] = _type_seed("Vector<long>", w.getvalue())
    out["type-vector-vector-long"] = _type_seed(
        "Vector<Vector<long>>",
        struct.pack("<Ii", 0x1CB5C415, 1) + w.getvalue(),
    )
    out["type-bare-vector-int"] = _type_seed("vector<int>", struct.pack("<iii", 2, 7, -7))
    out["type-double-nan"] = _type_seed("double", struct.pack("<Q", 0x7FF8000000000001))
    out["type-string-bad-utf8"] = _type_seed("string", b"\x03\xff\xfe\x80")
    out["type-bytes-long-form"] = _type_seed("bytes", b"\xfe\x00\x01\x00" + b"b" * 256)
    out["type-future-salts"] = _type_seed("future_salts", struct.pack("<qii", 1, 2, 0))
    out["type-bool"] = _type_seed("Bool", bytes(T.boolTrue()))
    out["type-login-token"] = _type_seed("auth.LoginToken", bytes(token))
    # Edges: nothing, an unknown constructor, a vector count far beyond
    # the bytes, trailing bytes, a message container with a wrong length.
    out["edge-empty"] = _type_seed(None, b"")
    out["edge-unknown-constructor"] = _type_seed(None, b"\xef\xbe\xad\xde")
    out["edge-vector-count"] = _type_seed("Vector<User>", struct.pack("<II", 0x1CB5C415, 2**31 - 1))
    out["edge-trailing"] = _type_seed(None, bytes(ping) + b"\0" * 4)
    out["edge-container-length"] = _type_seed(
        None, struct.pack("<IiqiI", 0x73F1F8DC, 1, 4, 1, 2**31 - 4) + bytes(ping)
    )
    return out


def mtproto_seeds() -> dict[str, bytes]:
    out = {}
    key, sid = mt.AUTH_KEY, mt.SESSION_ID
    body = bytes(T.pong(msg_id=4, ping_id=7))

    def packet(pad: int, from_client: bool, msg_id: int) -> bytes:
        # The header by hand, as pack_message writes it: pack_message itself
        # refuses a msg_id of the wrong parity, which one seed needs.
        plaintext = struct.pack("<qqqii", -2, sid, msg_id, 1, len(body)) + body
        return encrypt_message(
            key,
            plaintext,
            from_client=from_client,
            padding=bytes(i & 255 for i in range(pad)),
        )

    # mode 0: whole packets as pack_message makes them.
    for pad in (12, 28, 1020):
        out[f"packet-server-pad{pad}"] = b"\x00" + packet(pad, False, 5)
        out[f"packet-client-pad{pad}"] = b"\x04" + packet(pad, True, 8)
    out["packet-wrong-parity"] = b"\x00" + packet(12, False, 8)
    out["packet-short"] = b"\x00" + packet(12, False, 5)[:71]
    out["packet-other-key"] = b"\x00" + b"\x11" * 8 + packet(12, False, 5)[8:]
    # mode 1: the key id, then msg_key and ciphertext that do not match.
    out["keyid-garbage"] = b"\x01" + bytes(range(16)) + bytes(64)
    out["keyid-odd-length"] = b"\x01" + bytes(range(16)) + bytes(65)
    # modes 2/3: plaintexts that are encrypted correctly, so that the
    # checks after msg_key decide (message_data_length, padding, session,
    # msg_id parity).
    head = struct.Struct("<qqqii")

    def plain(msg_id: int, length: int, data: bytes, pad: int) -> bytes:
        return head.pack(-2, sid, msg_id, 1, length) + data + bytes(pad)

    out["plain-ok"] = b"\x02" + plain(5, len(body), body, 12)
    out["plain-ok-client"] = b"\x06" + plain(8, len(body), body, 12)
    out["plain-pad-too-short"] = b"\x02" + plain(5, len(body) + 4, body + bytes(4), 8)
    out["plain-pad-too-long"] = b"\x02" + plain(5, 0, b"", 1040)
    out["plain-length-negative"] = b"\x02" + plain(5, -16, body, 12)
    out["plain-length-unaligned"] = b"\x02" + plain(5, len(body) - 1, body, 12)
    out["plain-length-huge"] = b"\x02" + plain(5, 2**31 - 4, body, 12)
    out["plain-other-session"] = b"\x02" + head.pack(0, sid ^ 1, 5, 1, 0) + bytes(16)
    out["plain-bytes-key"] = b"\x0a" + plain(5, len(body), body, 12)
    out["plain-empty"] = b"\x02"
    return out


def login_url_seeds() -> dict[str, str]:
    token = test_tl_codec.TOKEN
    url = login.login_url(token)
    b64 = url.partition("=")[2]
    out = {
        "url": url,
        "url-short": login.login_url(b"\x00"),
        "url-long": login.login_url(bytes(range(256)) * 2),
        "url-padded": url + "=" * (-len(b64) % 4),
        "url-upper": "TG://LOGIN?token=" + b64,
        "url-escaped": "tg://login?token=" + "".join(f"%{ord(c):02X}" for c in b64[:8]) + b64[8:],
        "bad-scheme": "https://login?token=" + b64,
        "bad-no-scheme": b64,
        "bad-host": "tg://resolve?domain=telegram",
        "bad-port": "tg://login:443?token=" + b64,
        "bad-user": "tg://user@login?token=" + b64,
        "bad-path": "tg://login/x?token=" + b64,
        "bad-fragment": "tg://login?token=" + b64 + "#f",
        "bad-other-param": "tg://login?token=" + b64 + "&x=1",
        "bad-repeated": "tg://login?token=" + b64 + "&token=" + b64,
        "bad-empty-token": "tg://login?token=",
        "bad-alphabet": "tg://login?token=ab+/",
        "bad-length": "tg://login?token=abcde",
        "bad-padding": "tg://login?token=ab=",
        "bad-unused-bits": "tg://login?token=AB",
        "bad-unicode": "tg://login?token=Привет",
        # Token text where the URL has no room for it: a message must not
        # quote it (each part was echoed, up to 16 or 32 characters).
        "leak-scheme": b64 + "://login?token=" + b64,
        "leak-host": "tg://login" + b64 + "?token=" + b64,
        "leak-path": "tg://login/" + b64,
        "leak-query-key": "tg://login?" + b64,
    }
    return out


def login_token_seeds() -> dict[str, bytes]:
    token = test_tl_codec.TOKEN
    answer = T.auth.loginToken(expires=1700000000, token=token)
    return {
        "login-token": bytes(answer),
        "login-token-long": bytes(T.auth.loginToken(expires=-1, token=b"L" * 300)),
        "migrate-to": bytes(T.auth.loginTokenMigrateTo(dc_id=4, token=token)),
        "success": bytes(
            T.auth.loginTokenSuccess(
                authorization=T.auth.authorization(user=T.userEmpty(id=777000))
            )
        ),
        "gzip-packed": bytes(
            T.gzip_packed(packed_data=_gzip(bytes(answer)))
        ),
        "wrong-type": bytes(F.ping(ping_id=1)),
        "truncated": bytes(answer)[:-3],
    }


def tl_schema_seeds() -> dict[str, str | bytes]:
    data = Path(mtcore.__file__).parent / "tl" / "data"
    lines = (data / "main_api.tl").read_text(encoding="utf-8").splitlines()
    mini = (
        "// LAYER 7\n"
        "---types---\n"
        "int ? = Int;\n"
        "vector {t:Type} # [ t ] = Vector t;\n"
        "point x:double y:double = Point;\n"
        "box#0badf00d flags:# p:flags.0?Point ok:flags.1?true ids:Vector<long> = Box;\n"
        "holder {X:Type} what:!X = Holder;\n"
        "bare_list items:vector<%Point> = BareList;\n"
        "---functions---\n"
        "getBox#12345678 id:int = Box;\n"
    )
    mini_codec = tl.codec_for(tl.Schema.parse(mini))
    t, f = mini_codec.types, mini_codec.functions
    point = t.point(x=1.0, y=-2.0)
    values = {
        "box": t.box(p=point, ok=True, ids=[9, -9]),
        "holder": t.holder(what=f.getBox(id=1)),
        "bare-list": t.bare_list(items=[point, point]),
    }
    out = {f"mini-{k}": mini.encode() + b"\0" + bytes(v) for k, v in values.items()}
    return out | {
        "sys-msgs": (data / "sys_msgs.tl").read_text(encoding="utf-8"),
        "auth-key": (data / "auth_key.tl").read_text(encoding="utf-8"),
        "api-head": "\n".join(lines[:60]) + "\n",
        "api-functions": "\n".join(lines[2284:2330]) + "\n",
        "mini": mini,
        "edge-generic": "wrap {X:Type} {Y:Type} a:X b:Y = Wrap<X>;\n",
        "edge-flags-bit": "f flags:# a:flags.31?int b:flags.32?int = F;\n",
        "edge-duplicate": "a#1 = A;\nb#1 = A;\n",
        "edge-unknown-type": "a x:Nowhere = A;\n",
        "edge-bad-section": "---nothing---\n",
        "edge-layers": "// LAYER 1\n// LAYER 2\n",
        "edge-bytes": b"a\xff#1 = A;\n",
        # found by the fuzzer: a layer past a TL int, or too long for int()
        "found-layer-range": "//$LAYER 1\n// LAYER 26666666666666666666666666\n",
        "found-layer-digits": "// LAYER " + "9" * 5000 + "\n",
        "found-flag-bit-digits": "f flags:# a:flags." + "9" * 5000 + "?int = F;\n",
    }


def transport_seeds() -> dict[str, bytes]:
    """
    Every framing's seeds, each behind the selector byte that picks it, in
    files named after the framing (``Abridged-server-chunked``).
    """
    return {
        f"{cls.__name__}-{name}": bytes([selector]) + seed
        for selector, cls in enumerate(fuzz_transport.FRAMINGS)
        for name, seed in framing_seeds(cls).items()
    }


def framing_seeds(cls: Any) -> dict[str, bytes]:
    """
    Streams each side of a framing receives: real frames (with quick acks
    and transport errors), then edge cases; control bit 0 picks the server
    side, bit 1 obfuscation, bit 2 an MTProxy secret, bits 3..7 a chunking.
    """
    from mtcore import transport

    payloads = [bytes((i + j) & 255 for j in range(n)) for i, n in ((0, 24), (1, 72), (2, 508), (3, 512))]
    pad = {"padding": b"xyz"} if cls is transport.PaddedIntermediate else {}
    out = {}
    for chunking, label in ((0, "bytewise"), (3, "chunked")):
        client = cls()
        client.start()
        to_server = b"".join(client.encode(p, quick_ack=cls is not transport.Full and i == 1, **pad)
                             for i, p in enumerate(payloads))
        server = cls(server=True)
        to_client = server.encode(payloads[0], **pad) + server.encode_error(404, **pad)
        if cls is not transport.Full:
            to_client = server.encode_quick_ack(0x1234) + to_client
        out[f"server-{label}"] = bytes([1 | chunking << 3]) + to_server
        out[f"client-{label}"] = bytes([0 | chunking << 3]) + to_client
        if cls.TAG is not None:
            out[f"obfuscated-server-{label}"] = bytes([3 | chunking << 3]) + to_server
            out[f"obfuscated-client-{label}"] = bytes([2 | chunking << 3]) + to_client
    if cls is transport.PaddedIntermediate:
        out["mtproxy-server"] = b"\x07" + to_server
        out["mtproxy-client"] = b"\x06" + to_client
    # Edges: a length over max_frame, zero, unaligned; a bad CRC/seq_no.
    if cls is transport.Abridged:
        out["edge-huge"] = b"\x01\x7f\xff\xff\xff"
        out["edge-zero"] = b"\x00\x00"
    elif cls is transport.Full:
        frame = transport.Full().encode(payloads[0])
        out["edge-crc"] = b"\x01" + frame[:-1] + bytes([frame[-1] ^ 1])
        out["edge-seq"] = b"\x01" + frame + frame
        out["edge-negative"] = b"\x00" + struct.pack("<iii", -429, -429, -429)
        out["edge-short"] = b"\x01" + struct.pack("<i", 12)
    else:
        out["edge-huge"] = b"\x01" + struct.pack("<I", 0x7FFFFFFF) + bytes(8)
        out["edge-unaligned"] = b"\x00" + struct.pack("<I", 6) + bytes(6)
        out["edge-failure-short"] = b"\x00" + struct.pack("<Ii", 5, -444) + b"p"
    return out


def session_seeds() -> dict[str, bytes]:
    """
    Session.receive inputs: raw packets, then correctly encrypted messages
    (control 2: to the client, 6: to the server): ``delta + seq_no + body``,
    ``Q``*8 / ``R``*8 standing for the waiting request's / the container's
    msg_id.
    """
    Q, R = b"Q" * 8, b"R" * 8

    def msg(body: bytes, seq: int = 1, delta: int = 0, to_client: bool = True) -> bytes:
        return bytes([2 if to_client else 6]) + struct.pack("<ii", delta, seq) + body

    def rpc(result: bytes) -> bytes:
        return struct.pack("<I", 0xF35C6D01) + Q + result

    def container(*bodies: bytes) -> bytes:
        out = struct.pack("<Ii", 0x73F1F8DC, len(bodies))
        for i, b in enumerate(bodies):
            out += struct.pack("<qii", int(sr.NOW * 2**32) + 4 * i + 1, 2 * i + 1, len(b)) + b
        return out

    def zipped(body: bytes) -> bytes:
        return bytes(T.gzip_packed(packed_data=_gzip(body)))

    config_error = bytes(T.rpc_error(error_code=420, error_message="FLOOD_WAIT_3"))
    bad_salt = struct.pack("<I", 0xEDAB447B) + Q + struct.pack("<iiq", 1, 48, 99)
    out = {
        "raw-empty": b"\x00",
        "raw-short": b"\x00" + bytes(40),
        "keyid-garbage": b"\x01" + bytes(range(16)) + bytes(48),
        "update": msg(bytes(T.updatesTooLong())),
        "update-old": msg(bytes(T.updatesTooLong()), delta=-400 * 1048576),
        "update-gzip": msg(zipped(bytes(T.updateShort(update=T.updateLoginToken(), date=1)))),
        "rpc-error": msg(rpc(config_error)),
        "rpc-gzip-error": msg(rpc(zipped(config_error))),
        "rpc-wrong-type": msg(rpc(bytes(T.boolTrue()))),
        "bad-salt": msg(bad_salt, seq=0),
        "bad-salt-far": msg(bad_salt, seq=0, delta=2000 * 1048576),
        "bad-container": msg(struct.pack("<I", 0xA7EFF811) + R + struct.pack("<ii", 2, 32), seq=0),
        "bad-msg-17": msg(struct.pack("<I", 0xA7EFF811) + Q + struct.pack("<ii", 1, 17), seq=0),
        "new-session": msg(bytes(T.new_session_created(first_msg_id=2**62, unique_id=1, server_salt=5))),
        "detailed-info": msg(struct.pack("<I", 0x276D3EC6) + Q + struct.pack("<qii", 5, 100, 0)),
        "future-salts": msg(struct.pack("<I", 0xAE500895) + Q + struct.pack(
            "<iiiiq", int(sr.NOW), 1, int(sr.NOW) - 5, int(sr.NOW) + 50, 77)),
        "container": msg(container(bytes(T.updatesTooLong()), bytes(T.msgs_ack(msg_ids=[1])),
                                   rpc(config_error), bytes(T.msg_resend_req(msg_ids=[1]))), seq=0),
        "container-nested": msg(container(container(bytes(T.updatesTooLong()))), seq=0),
        "container-bad-length": msg(struct.pack("<Iiqii", 0x73F1F8DC, 1, 5, 1, 2**30)),
        "gzip-bomb": msg(zipped(bytes(1 << 20))),
        "server-query": msg(bytes(F.help.getConfig()), delta=1, to_client=False),
        "server-ping": msg(bytes(F.ping(ping_id=5)), delta=2, to_client=False),
        "server-future-salts": msg(bytes(F.get_future_salts(num=3)), delta=3, to_client=False),
        "server-ack": msg(bytes(T.msgs_ack(msg_ids=[1])), seq=2, delta=4, to_client=False),
        "server-resend": msg(bytes(T.msg_resend_req(msg_ids=[1])), delta=5, to_client=False),
        "server-duplicate": msg(bytes(F.help.getConfig()), delta=0, to_client=False),
        "server-bad-parity": msg(bytes(F.help.getConfig()), seq=2, delta=6, to_client=False),
        "server-container": msg(container(bytes(F.help.getConfig())), seq=0, delta=9, to_client=False),
    }
    return out


def _unpadded(data: bytes) -> bytes:
    # The one TL object at the start of data, without the 0..15 random
    # bytes after it.
    for pad in range(16):
        try:
            tl.decode(data[: len(data) - pad])
        except mtcore.exceptions.TLDecodeError:
            continue
        return data[: len(data) - pad]
    raise ValueError("no TL object in the data")


def handshake_client_seeds() -> dict[str, bytes]:
    ex = exchange.recorded()
    res = exchange.body(ex.answers[0])
    key, iv = exchange.tmp_key_iv(ex.new_nonce, res.server_nonce)
    answer = ige_decrypt(exchange.body(ex.answers[1]).encrypted_answer, key, iv)
    inner = _unpadded(answer[20:])
    return {
        "raw-res-pq": b"\x00" + ex.answers[0],
        "raw-server-dh-params": b"\x01" + ex.answers[1],
        "raw-dh-gen-ok": b"\x02" + ex.answers[2],
        "raw-transport-error": b"\x00" + struct.pack("<i", -404),
        "raw-truncated": b"\x01" + ex.answers[1][:100],
        "sealed-res-pq": b"\x04" + ex.answers[0][20:],
        "sealed-res-pq-other-key": b"\x04" + ex.answers[0][20:-8] + bytes(8),
        "sealed-server-dh-inner-data": b"\x05" + inner,
        "sealed-g-2": b"\x05" + inner[:36] + struct.pack("<i", 2) + inner[40:],
        "sealed-dh-gen-ok": b"\x06\x00",
        "sealed-dh-gen-retry": b"\x06\x01",
        "sealed-dh-gen-fail": b"\x06\x02",
        "sealed-dh-gen-ok-bad-hash": b"\x06\x00\x01",
    }


def handshake_server_seeds() -> dict[str, bytes]:
    ex = exchange.recorded()
    res = exchange.body(ex.answers[0])
    req = exchange.body(ex.sent[2])
    key, iv = exchange.tmp_key_iv(ex.new_nonce, req.server_nonce)
    client_inner = _unpadded(ige_decrypt(req.encrypted_data, key, iv)[20:])
    p, q = mtcore.auth.factorize_pq(res.pq)
    fields = {
        "pq": res.pq,
        "p": p.to_bytes(4, "big"),
        "q": q.to_bytes(4, "big"),
        "nonce": res.nonce,
        "server_nonce": res.server_nonce,
        "new_nonce": ex.new_nonce,
        "dc": 2,
    }
    pq_inner = bytes(T.p_q_inner_data_dc(**fields))
    temp_inner = bytes(T.p_q_inner_data_temp_dc(**fields, expires_in=60))
    return {
        "raw-req-pq-multi": b"\x00" + ex.sent[0],
        "raw-req-dh-params": b"\x01" + ex.sent[1],
        "raw-set-client-dh-params": b"\x02" + ex.sent[2],
        "raw-short": b"\x00" + ex.sent[0][:19],
        "sealed-req-pq": b"\x04" + bytes(F.req_pq(nonce=res.nonce)),
        "sealed-p-q-inner-data-dc": b"\x05" + pq_inner,
        "sealed-p-q-inner-data-temp-dc": b"\x05" + temp_inner,
        "sealed-legacy": b"\x0d" + pq_inner,
        "sealed-client-dh-inner-data": b"\x06" + client_inner,
        "sealed-g-b-1": b"\x06" + client_inner[:44] + b"\x01\x01\x00\x00",
    }


def seeds() -> dict[str, dict[str, bytes]]:
    """
    Every generated seed: ``{target: {file name: content}}``.
    """

    def raw(d: dict[str, str | bytes]) -> dict[str, bytes]:
        return {k: v.encode("utf-8") if isinstance(v, str) else v for k, v in d.items()}

    return {
        "tl_decode": tl_decode_seeds(),
        "mtproto_decrypt": mtproto_seeds(),
        "login_url": raw(login_url_seeds()),  # type: ignore[arg-type]
        "login_token": login_token_seeds(),
        "tl_schema": raw(tl_schema_seeds()),
        "handshake_client": handshake_client_seeds(),
        "handshake_server": handshake_server_seeds(),
        "session_receive": session_seeds(),
        "transport": transport_seeds(),
    }


def main() -> None:
    for target, files in seeds().items():
        folder = CORPUS / target
        folder.mkdir(parents=True, exist_ok=True)
        for name, content in files.items():
            (folder / name).write_bytes(content)
        print(f"{folder}: {len(files)} seeds, {sum(map(len, files.values()))} bytes")


if __name__ == "__main__":
    main()
