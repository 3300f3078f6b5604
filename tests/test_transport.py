"""
mtcore.transport: the framings and obfuscation against the vectors of
``vectors/transports.json`` (both sides), quick acks, transport errors,
every refused input with its exact error, MTProxy secrets, bounded
buffering and sharing between threads.  The hypothesis round trips are in
``test_transport_properties.py``; the clients' own transport classes over
loopback sockets in ``test_transport_interop.py``.
"""

from __future__ import annotations

import hashlib
import struct
import threading
import tracemalloc
import zlib
from typing import Any

import pytest
from mtproto_ref import header, load_json, ref_encrypt
from utils import ref_ctr

from mtcore import mtproto, transport
from mtcore.exceptions import (
    ArgumentTypeError,
    ArgumentValueError,
    FrameChecksumError,
    FrameLengthError,
    FrameSeqNoError,
    InvalidLength,
    MessageKeyMismatch,
    MtcoreError,
    ProxySecretError,
    TransportError,
    TransportTagError,
)
from mtcore.transport import (
    Abridged,
    Full,
    Intermediate,
    Obfuscated,
    Packet,
    PaddedIntermediate,
    QuickAck,
    TransportFailure,
)

h = bytes.fromhex
VECTORS = {v["name"]: v for v in load_json("transports.json")["vectors"]}
FRAMINGS = {"abridged": Abridged, "intermediate": Intermediate,
            "padded_intermediate": PaddedIntermediate, "full": Full}
TAGGED = (Abridged, Intermediate, PaddedIntermediate)


def pair(cls: Any, **kw: Any) -> tuple[Any, Any]:
    """
    A client codec and a server codec that has read its prefix.
    """
    client, server = cls(**kw), cls(server=True, **kw)
    assert server.feed(client.start()) == []
    return client, server


def ready(codec: Any) -> Any:
    """
    The codec, a server one past the client's connection prefix.
    """
    if codec.server:
        assert codec.feed(codec.prefix) == []
    return codec


def obfuscated_pair(cls: Any, **kw: Any) -> tuple[Obfuscated, Obfuscated]:
    secret = kw.pop("secret", None)
    client = Obfuscated(cls(), secret=secret, **kw)
    server = Obfuscated(server=True, secret=secret)
    assert server.feed(client.start()) == []
    return client, server


# --- the framing vectors ------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [n for n, v in VECTORS.items() if v.get("transport") in FRAMINGS and "frame" in v],
)
def test_framing_vector(name: str) -> None:
    v = VECTORS[name]
    cls = FRAMINGS[v["transport"]]
    payload, frame, prefix = h(v["payload"]), h(v["frame"]), h(v["connection_prefix"])
    kw = {"padding": h(v["padding"])} if "padding" in v else {}
    # The client: the prefix before the first frame, then frames alone.
    client = cls()
    assert client.prefix == prefix
    assert client.encode(payload, **kw) == prefix + frame
    assert client.encode(payload, **kw) == frame
    # The server reads the prefix and the frames, in one piece or byte by byte.
    expect = [Packet(payload + h(v.get("padding", "")), padded=cls is PaddedIntermediate)]
    assert cls(server=True).feed(prefix + frame) == expect
    server = cls(server=True)
    got = [f for byte in prefix + frame for f in server.feed(bytes([byte]))]
    assert got == expect and server.buffered == 0
    # The server's frames are the same bytes without the prefix.
    assert cls(server=True).encode(payload, **kw) == frame
    assert cls().feed(frame) == expect


def test_full_vector_two_packets() -> None:
    v = VECTORS["full_two_packets"]
    client, server = Full(), Full(server=True)
    wire = b""
    for p in v["packets"]:
        frame = client.encode(h(p["payload"]))
        assert frame == h(p["frame"])
        seq, = struct.unpack_from("<I", frame, 4)
        assert seq == p["seqno"]
        wire += frame
    assert server.feed(wire) == [Packet(h(p["payload"])) for p in v["packets"]]
    assert client.start() == b""  # no prefix


def test_abridged_length_forms() -> None:
    # 126 words fit one byte; 127 and more take 0x7f + 3 bytes.
    for words, head in ((2, b"\x02"), (126, b"\x7e"), (127, b"\x7f\x7f\x00\x00"),
                        (256, b"\x7f\x00\x01\x00"), (65536, b"\x7f\x00\x00\x01")):
        frame = Abridged(server=True).encode(bytes(4 * words))
        assert frame[: len(head)] == head and len(frame) == len(head) + 4 * words
        assert Abridged().feed(frame) == [Packet(bytes(4 * words))]


# --- quick acks ------------------------------------------------------------------


def test_quick_ack_request_vectors() -> None:
    v = VECTORS["quick_ack_length_flags"]
    payload = h(VECTORS["abridged_payload_40"]["payload"])
    a = Abridged().encode(payload, quick_ack=True)
    assert a[1:2] == h(v["abridged_first_byte_for_40_bytes_with_quick_ack"])
    i = Intermediate().encode(payload, quick_ack=True)
    assert i[4:8] == h(v["intermediate_length_for_40_bytes_with_quick_ack"])
    # The server sees the request on the packet.
    assert Abridged(server=True).feed(a) == [Packet(payload, quick_ack=True)]
    assert Intermediate(server=True).feed(i) == [Packet(payload, quick_ack=True)]
    # The long abridged form: 0xff + 3 bytes.
    big = bytes(4 * 200)
    frame = Abridged(server=True).encode(big)
    assert frame[0] == 0x7F
    c = Abridged()
    c.start()
    assert c.encode(big, quick_ack=True)[0] == 0xFF
    s = Abridged(server=True)
    s.feed(b"\xef")
    assert s.feed(c.encode(big, quick_ack=True)) == [Packet(big, quick_ack=True)]


@pytest.mark.parametrize("cls", TAGGED)
def test_quick_ack_answer(cls: Any) -> None:
    client, server = pair(cls)
    token = 0x12345678
    wire = server.encode_quick_ack(token)
    assert len(wire) == 4
    # Abridged sends the 4 bytes byte-swapped: the top bit comes first.
    if cls is Abridged:
        assert wire == bytes.fromhex("92345678")
    else:
        assert wire == bytes.fromhex("78563492")
    payload = bytes(range(40))
    frames = client.feed(wire + server.encode(payload))
    assert frames[0] == QuickAck(0x92345678)
    assert frames[1] == Packet(payload, padded=cls is PaddedIntermediate) or (
        cls is PaddedIntermediate and frames[1].payload[:40] == payload
    )
    assert len(frames) == 2


def test_quick_ack_answer_padded_and_obfuscated() -> None:
    for make in (lambda: pair(PaddedIntermediate), lambda: obfuscated_pair(Intermediate)):
        client, server = make()
        frames = client.feed(server.encode_quick_ack(7) + server.encode(bytes(24)))
        assert frames[0] == QuickAck(0x80000007)
        assert isinstance(frames[1], Packet) and frames[1].payload[:24] == bytes(24)


def test_quick_ack_token_formula() -> None:
    # SHA256(auth_key[88:120] + plaintext_with_padding)[0:4] little-endian,
    # top bit set: the plaintext as the reference builds it, not mtcore.
    # The auth key of Telegram's worked key exchange.
    key = h(load_json("auth_key_exchange.json")["vectors"][0]["auth_key"])
    plaintext = header(1, 2, 4, 1, 16) + bytes(range(16)) + bytes(16)  # 64 bytes
    packet = ref_encrypt(key, plaintext, 0)
    large = hashlib.sha256(key[88:120] + plaintext).digest()
    expect = int.from_bytes(large[:4], "little") | 0x80000000
    assert transport.quick_ack_token(key, packet) == expect
    assert transport.quick_ack_token(mtproto.AuthKey(key), bytearray(packet)) == expect
    with pytest.raises(MessageKeyMismatch):
        transport.quick_ack_token(key, packet[:30] + b"\0" + packet[31:])


# --- transport errors ------------------------------------------------------------


@pytest.mark.parametrize("cls", list(FRAMINGS.values()))
@pytest.mark.parametrize("code", [404, 429, 444, 403])
def test_transport_failure(cls: Any, code: int) -> None:
    client, server = pair(cls)
    wire = server.encode_error(code)
    assert client.feed(wire) == [TransportFailure(code)]
    assert TransportFailure(code).description != "unknown transport error"


def test_transport_failure_obfuscated_and_padded() -> None:
    for cls in TAGGED:
        client, server = obfuscated_pair(cls)
        assert client.feed(server.encode_error(404)) == [TransportFailure(404)]
    # A padded failure carries 0..15 padding bytes after the code.
    client = PaddedIntermediate()
    for pad in range(16):
        frame = struct.pack("<Ii", 4 + pad, -429) + bytes(pad)
        assert client.feed(frame) == [TransportFailure(429)]
    assert TransportFailure(7).description == "unknown transport error"


def test_full_raw_negative_length() -> None:
    # Servers were seen sending -429 as the length, the seq_no and the body
    # (Telethon issue 4042): one failure, and the rest is ignored.
    client = Full()
    raw = struct.pack("<iii", -429, -429, -429)
    assert client.feed(raw[:4]) == [TransportFailure(429)]
    assert client.feed(raw[4:]) == []
    assert client.feed(b"anything at all") == []


# --- bad input on the wire ----------------------------------------------------------


def refuses(codec: Any, data: bytes, exc: type[BaseException], text: str) -> None:
    with pytest.raises(exc) as info:
        codec.feed(data)
    assert str(info.value) == text
    assert isinstance(info.value, TransportError)
    assert info.value.frames == []
    # A broken stream stays broken: the same error for any later input.
    with pytest.raises(exc) as again:
        codec.feed(b"\0" * 8)
    assert str(again.value) == text
    assert codec.buffered == 0


@pytest.mark.parametrize("side", ["client", "server"])
def test_length_over_max_frame(side: str) -> None:
    server = side == "server"
    refuses(ready(Intermediate(server=server, max_frame=1024)),
            struct.pack("<I", 1028), FrameLengthError,
            "frame length 1028 is over max_frame (1024)")
    refuses(ready(Abridged(server=server, max_frame=1024)),
            b"\x7f\x01\x01\x00", FrameLengthError, "frame length 1028 is over max_frame (1024)")
    refuses(Full(server=server, max_frame=1024), struct.pack("<i", 1040 + 4), FrameLengthError,
            "frame length 1032 is over max_frame (1024)")


def test_bad_lengths() -> None:
    refuses(Intermediate(), struct.pack("<I", 6), FrameLengthError,
            "frame length 6 is not a multiple of 4")
    refuses(Intermediate(), struct.pack("<I", 0), FrameLengthError,
            "frame length 0: a frame carries at least 4 bytes")
    refuses(Abridged(), b"\x00", FrameLengthError,
            "frame length 0: a frame carries at least 4 bytes")
    refuses(PaddedIntermediate(), struct.pack("<I", 3) + b"abc", FrameLengthError,
            "frame length 3: a frame carries at least 4 bytes")
    refuses(Full(), struct.pack("<i", 12), FrameLengthError,
            "full frame length 12 is below 16 (length, seq_no, 4 payload bytes, CRC32)")
    refuses(Full(server=True), struct.pack("<i", -4), FrameLengthError,
            "full frame length -4 is below 16 (length, seq_no, 4 payload bytes, CRC32)")
    refuses(Full(), struct.pack("<i", 18), FrameLengthError,
            "frame length 18 is not a multiple of 4")
    # Padded frames may have any length from 4 on (the padding).
    assert ready(PaddedIntermediate(server=True)).feed(
        struct.pack("<I", 5) + b"abcde") == [Packet(b"abcde", padded=True)]


def test_frames_before_the_error() -> None:
    # One chunk with good frames, then a bad length: the error carries them.
    client, server = pair(Intermediate)
    good = client.encode(b"abcd") + client.encode(bytes(8))
    with pytest.raises(FrameLengthError) as info:
        server.feed(good + struct.pack("<I", 7) + bytes(7))
    assert info.value.frames == [Packet(b"abcd"), Packet(bytes(8))]
    with pytest.raises(FrameLengthError) as again:
        server.feed(good)
    assert again.value.frames == []


def test_full_checks() -> None:
    frame = Full().encode(bytes(range(8)))
    bad_crc = frame[:-1] + bytes([frame[-1] ^ 1])
    refuses(Full(), bad_crc, FrameChecksumError, "full frame 0: CRC32 does not match its bytes")
    flipped = frame[:9] + bytes([frame[9] ^ 0x80]) + frame[10:]
    refuses(Full(), flipped, FrameChecksumError, "full frame 0: CRC32 does not match its bytes")
    second = Full()
    second.encode(b"abcd")
    refuses(Full(), second.encode(b"abcd"), FrameSeqNoError, "full frame seq_no 1, expected 0")
    # The CRC covers length, seq_no and payload (zlib's CRC-32).
    length, seq = struct.unpack_from("<iI", frame)
    assert struct.unpack_from("<I", frame, length - 4)[0] == zlib.crc32(frame[:-4])


def test_server_prefix() -> None:
    for cls in TAGGED:
        server = cls(server=True)
        refuses(server, b"\x00", TransportTagError,
                f"the connection does not start with the {cls.NAME} prefix {cls.PREFIX.hex()}")
    # The prefix may arrive a byte at a time.
    server = Intermediate(server=True)
    for b in b"\xee\xee\xee":
        assert server.feed(bytes([b])) == []
    refuses(server, b"\xef", TransportTagError,
            "the connection does not start with the intermediate prefix eeeeeeee")


def test_obfuscated_wrong_secret() -> None:
    client = Obfuscated(Intermediate(), secret="11" * 16, dc_id=2)
    server = Obfuscated(server=True, secret="22" * 16)
    refuses(server, client.start(), TransportTagError,
            "the obfuscation header's protocol tag is none of efefefef, eeeeeeee, "
            "dddddddd (with MTProxy: most likely another secret)")


def test_never_allocates_the_claimed_length() -> None:
    # A header claiming max_frame bytes: only what arrived is kept.
    for codec, head in (
        (Intermediate(), struct.pack("<I", transport.MAX_FRAME)),
        (Abridged(), b"\x7f" + (transport.MAX_FRAME // 4).to_bytes(3, "little")),
        (Full(), struct.pack("<i", transport.MAX_FRAME + 12)),
    ):
        tracemalloc.start()
        try:
            assert codec.feed(head + bytes(100)) == []
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert codec.buffered == len(head) + 100
        assert peak < 64 * 1024, peak


# --- refused calls ------------------------------------------------------------------


def raises(exc: type[BaseException], text: str, f: Any, *args: Any, **kw: Any) -> None:
    with pytest.raises(exc) as info:
        f(*args, **kw)
    assert str(info.value) == text
    assert isinstance(info.value, MtcoreError)


def test_encode_refuses() -> None:
    raises(InvalidLength, "payload length must be a multiple of 4 for the intermediate "
           "framing, got 5", Intermediate().encode, b"12345")
    raises(InvalidLength, "payload must not be empty, got 0 bytes", Abridged().encode, b"")
    raises(InvalidLength, "payload must be at most 8 bytes (max_frame), got 12",
           Full(max_frame=8).encode, bytes(12))
    raises(InvalidLength, "payload must be at most 8 bytes (max_frame), got 12",
           PaddedIntermediate(max_frame=8).encode, bytes(8), padding=b"abcd")
    raises(ArgumentTypeError, "payload must be a bytes-like object, not 'str'",
           Intermediate().encode, "text")
    raises(ArgumentValueError, "the full framing has no quick acks",
           Full().encode, b"abcd", quick_ack=True)
    raises(ArgumentValueError, "len(padding) must be in 0..15, got 16",
           PaddedIntermediate().encode, b"abcd", padding=bytes(16))
    raises(ArgumentValueError, "quick_ack=True is for the client side of a connection "
           "(construct with server=False (the default))",
           Intermediate(server=True).encode, b"abcd", quick_ack=True)
    raises(ArgumentValueError, "encode_quick_ack() is for the server side of a "
           "connection (construct with server=True)", Intermediate().encode_quick_ack, 1)
    raises(ArgumentValueError, "encode_error() is for the server side of a "
           "connection (construct with server=True)", Abridged().encode_error, 404)
    raises(ArgumentValueError, "start() is for the client side of a connection "
           "(construct with server=False (the default))", Abridged(server=True).start)
    raises(ArgumentValueError, "the full framing has no quick acks",
           Full(server=True).encode_quick_ack, 1)
    raises(ArgumentValueError, "token must be in 0..4294967295, got -1",
           Intermediate(server=True).encode_quick_ack, -1)
    raises(ArgumentValueError, "code must be in 1..2147483648, got 0",
           Intermediate(server=True).encode_error, 0)
    raises(ArgumentTypeError, "code must be an int, not 'str'",
           Intermediate(server=True).encode_error, "404")
    raises(ArgumentValueError, "max_frame must be in 4..2147483647, got 0", Intermediate,
           max_frame=0)
    raises(ArgumentTypeError, "data must be a bytes-like object, not 'int'",
           Intermediate().feed, 5)


def test_abridged_largest_payload() -> None:
    big = Abridged(server=True, max_frame=2**30)
    raises(InvalidLength, f"payload must be at most {2**26 - 4} bytes (max_frame), got {2**26}",
           big.encode, bytes(2**26))


# --- obfuscation -------------------------------------------------------------------


OBFUSCATED = [n for n, v in VECTORS.items() if n.startswith("obfuscated_") and "client_frame_1" in v]


def _payload_and_padding(cls: Any, frame: bytes) -> tuple[bytes, dict[str, bytes]]:
    if cls is Abridged:
        return frame[1:], {}
    if cls is Intermediate:
        return frame[4:], {}
    # The padded vectors pad 40 bytes of payload with 3 bytes.
    return frame[4:44], {"padding": frame[44:]}


@pytest.mark.parametrize("name", OBFUSCATED)
def test_obfuscated_vector(name: str) -> None:
    v = VECTORS[name]
    cls = FRAMINGS[v["transport"]]
    client = Obfuscated(cls(), header=h(v["random_init"]))
    assert client.header == h(v["header_sent"])
    assert client.tag == h(v["protocol_tag"])
    # The keys are those of the vector: an independent CTR with them
    # encrypts the whole header to its encrypted_init.
    assert ref_ctr(h(v["encrypt_key"]), h(v["encrypt_iv"]), h(v["init_with_tag"])) == h(
        v["encrypted_init"]
    )
    # Two frames continue one stream; the header goes before the first.
    payload, kw = _payload_and_padding(cls, h(v["client_frame_1"]))
    assert client.encode(payload, **kw) == h(v["header_sent"]) + h(v["client_frame_1_encrypted"])
    payload, kw = _payload_and_padding(cls, h(v["client_frame_2"]))
    assert client.encode(payload, **kw) == h(v["client_frame_2_encrypted"])
    # The server frame decrypts from keystream byte 0.
    (frame,) = client.feed(h(v["server_frame_encrypted"]))
    head = 1 if cls is Abridged else 4
    assert frame.payload == h(v["server_frame_decrypted"])[head:]
    # The server side reads the same bytes.
    server = Obfuscated(server=True)
    wire = h(v["header_sent"]) + h(v["client_frame_1_encrypted"]) + h(v["client_frame_2_encrypted"])
    got = [f for i in range(0, len(wire), 7) for f in server.feed(wire[i : i + 7])]
    frames = [h(v["client_frame_1"]), h(v["client_frame_2"])]
    assert got == [Packet(f[head:], padded=cls is PaddedIntermediate) for f in frames]
    assert server.tag == h(v["protocol_tag"]) and isinstance(server.framing, cls)
    assert server.dc_id == struct.unpack_from("<h", h(v["init_with_tag"]), 60)[0]


def test_obfuscated_mtproxy_vector() -> None:
    v = VECTORS["obfuscated_mtproxy_padded_intermediate_dc_minus4"]
    for secret in (v["proxy_secret_17"], h(v["proxy_secret_17"]),
                   transport.parse_proxy_secret(v["proxy_secret_17"])):
        client = Obfuscated(PaddedIntermediate(), header=h(v["random_init"]), secret=secret,
                            dc_id=v["dc_id"])
        assert client.header == h(v["header_sent"])
    assert ref_ctr(h(v["encrypt_key"]), h(v["encrypt_iv"]), h(v["init_with_tag_and_dc"]))[56:] == (
        h(v["header_sent"])[56:]
    )
    server = Obfuscated(server=True, secret=v["proxy_secret_17"])
    assert server.feed(h(v["header_sent"])) == []
    assert server.dc_id == -4 and server.tag == b"\xdd" * 4
    client = Obfuscated(PaddedIntermediate(), header=h(v["random_init"]),
                        secret=v["proxy_secret_17"], dc_id=-4)
    client.start()
    assert server.feed(client.encode(bytes(24), padding=b"xyz")) == [
        Packet(bytes(24) + b"xyz", padded=True)]
    assert client.feed(server.encode(bytes(28))) [0].payload[:28] == bytes(28)


def test_obfuscated_random_headers() -> None:
    # Drawn headers never break a rule, carry the tag and dc_id, and the
    # server recovers both (media DC -4, test DC 10002).
    for dc_id in (None, 2, -4, 10002, -32768, 32767):
        for cls in TAGGED:
            client = Obfuscated(cls(), dc_id=dc_id)
            head = client.header
            assert transport._header_rule(head) is None
            server = Obfuscated(server=True)
            server.feed(head)
            assert server.tag == cls.TAG and isinstance(server.framing, cls)
            if dc_id is not None:
                assert server.dc_id == dc_id
            assert server.framing.server


def test_obfuscated_refuses() -> None:
    raises(ArgumentValueError, "the full framing cannot be obfuscated (it has no protocol "
           "tag): use Abridged, Intermediate or PaddedIntermediate", Obfuscated, Full())
    raises(ArgumentTypeError, "framing must be an Abridged, Intermediate or "
           "PaddedIntermediate object, not 'type'", Obfuscated, Intermediate)
    raises(ArgumentTypeError, "framing must be an Abridged, Intermediate or "
           "PaddedIntermediate object, not 'NoneType'", Obfuscated)
    used = Intermediate()
    used.encode(b"abcd")
    for framing in (used, Intermediate(server=True)):
        raises(ArgumentValueError, "framing must be a new client-side framing (server=False, "
               "nothing encoded, fed or started yet)", Obfuscated, framing)
    inner = Intermediate()
    stream = Obfuscated(inner)
    raises(ArgumentValueError, "framing must be a new client-side framing (server=False, "
           "nothing encoded, fed or started yet)", Obfuscated, inner)
    for call in (lambda: inner.encode(b"abcd"), lambda: inner.feed(b""), inner.start):
        raises(ArgumentValueError,
               "this framing carries an Obfuscated stream: call the Obfuscated object", call)
    assert stream.framing is inner
    raises(ArgumentValueError, "a dd MTProxy secret needs the PaddedIntermediate framing",
           Obfuscated, Intermediate(), secret="dd" + "00" * 16, dc_id=2)
    raises(ArgumentValueError, "dc_id is required with an MTProxy secret (the proxy "
           "connects to that DC)", Obfuscated, Intermediate(), secret="00" * 16)
    raises(ProxySecretError, "fake-TLS (ee) MTProxy secrets are not supported by "
           "mtcore.transport; use the proxy's dd or plain secret",
           Obfuscated, Intermediate(), secret="ee" + "00" * 16 + b"example.com".hex(), dc_id=2)
    raises(ArgumentValueError, "dc_id must be in -32768..32767, got 40000",
           Obfuscated, Intermediate(), dc_id=40000)
    raises(InvalidLength, "header must be 64 bytes, got 63", Obfuscated, Intermediate(),
           header=bytes(63))
    good = bytearray(b"\x01" * 64)
    for first, rule in (
        (b"\xef\x01\x01\x01", "start with 0xef (the abridged prefix)"),
        (b"GET ", "start with an HTTP method, a TLS record or a transport prefix"),
        (b"\x16\x03\x01\x02", "start with an HTTP method, a TLS record or a transport prefix"),
        (b"\xee" * 4, "start with an HTTP method, a TLS record or a transport prefix"),
        (b"\xdd" * 4, "start with an HTTP method, a TLS record or a transport prefix"),
        (b"PVrG", "start with an HTTP method, a TLS record or a transport prefix"),
    ):
        raises(ArgumentValueError, f"header must not {rule} (a server would take it for "
               "another protocol)", Obfuscated, Intermediate(), header=first + good[4:])
    raises(ArgumentValueError, "header must not have zero bytes 4..7 (a server would take "
           "it for another protocol)", Obfuscated, Intermediate(),
           header=b"\x01" * 4 + bytes(4) + good[8:])
    for kw in ({"dc_id": 2}, {"header": bytes(64)}, {"framing": Intermediate()}):
        with pytest.raises(ArgumentValueError):
            Obfuscated(server=True, **kw)  # type: ignore[arg-type]
    server = Obfuscated(server=True)
    raises(ArgumentValueError, "encode(): the client's 64-byte obfuscation header has not "
           "arrived yet", server.encode, b"abcd")
    raises(ArgumentValueError, "padding= is for the padded intermediate framing, not "
           "intermediate", Obfuscated(Intermediate()).encode, b"abcd", padding=b"")
    client = Obfuscated(Abridged())
    raises(ArgumentValueError, "encode_error() is for the server side of a connection "
           "(construct with server=True)", client.encode_error, 404)
    raises(ArgumentValueError, "start() is for the client side of a connection (construct "
           "with server=False (the default))", server.start)


def test_obfuscated_header_is_not_repeated() -> None:
    client = Obfuscated(Intermediate())
    first = client.start()
    assert len(first) == 64 and client.start() == b""
    assert len(client.encode(b"abcd")) == 8
    other = Obfuscated(Intermediate())
    assert len(other.encode(b"abcd")) == 64 + 8 and other.start() == b""


# --- MTProxy secrets -------------------------------------------------------------------


def test_proxy_secrets() -> None:
    key = bytes(range(16))
    parse = transport.parse_proxy_secret
    import base64

    b64url = lambda b: base64.urlsafe_b64encode(b).decode()  # noqa: E731
    cases = {
        key.hex(): ("plain", None),
        key.hex().upper(): ("plain", None),
        "dd" + key.hex(): ("dd", None),
        "ee" + key.hex() + b"example.com".hex(): ("ee", "example.com"),
        b64url(key): ("plain", None),
        b64url(key).rstrip("="): ("plain", None),
        b64url(b"\xdd" + key): ("dd", None),
        b64url(b"\xee" + key + b"cdn.example"): ("ee", "cdn.example"),
        base64.b64encode(b"\xdd" + key).decode(): ("dd", None),
        "  " + key.hex() + "\n": ("plain", None),
    }
    for text, (kind, domain) in cases.items():
        s = parse(text)
        assert (s.key, s.kind, s.domain) == (key, kind, domain), text
        assert s.padded == (kind == "dd")
        assert key.hex() not in repr(s) and repr(key) not in repr(s)
    assert parse(b"\xdd" + key) == parse("dd" + key.hex())
    assert parse(bytearray(key)).kind == "plain"
    same = parse(key)
    assert parse(same) is same


def test_proxy_secret_errors() -> None:
    parse = transport.parse_proxy_secret
    for text, reason in (
        ("", "it is empty"),
        ("zz!!" * 8, "it is neither hex nor base64url"),
        ("00" * 15, "15 bytes; expected 16, 0xdd + 16, or 0xee + 16 + a domain"),
        ("ab" * 17, "17 bytes; expected 16, 0xdd + 16, or 0xee + 16 + a domain"),
        ("ee" + "00" * 16, "17 bytes; expected 16, 0xdd + 16, or 0xee + 16 + a domain"),
        ("ee" + "00" * 16 + "ff", "the fake-TLS domain is not ASCII"),
        ("AAAAA", "5 base64 characters cannot be decoded"),
        ("AA===", "it is neither hex nor base64url"),
    ):
        raises(ProxySecretError, f"not an MTProxy secret: {reason}", parse, text)
    raises(ArgumentTypeError, "secret must be a str (hex or base64url), a bytes-like object "
           "or a ProxySecret, not 'int'", parse, 16)
    # dd + 15 bytes is a 16-byte plain secret (it starts with 0xdd).
    assert parse("dd" + "00" * 15).kind == "plain"


def test_secret_never_quoted() -> None:
    secret = "q9Zx" * 9  # not hex, not decodable to a valid length
    with pytest.raises(ProxySecretError) as info:
        transport.parse_proxy_secret(secret)
    assert "q9Zx" not in str(info.value)


# --- sharing between threads --------------------------------------------------------------


def test_threads_share_a_codec() -> None:
    # Eight threads encode on one client and feed one server: every frame
    # arrives whole (calls never interleave inside a codec).
    client, server = pair(Intermediate)
    wire: list[bytes] = []
    wire_lock = threading.Lock()
    got: list[Any] = []

    def work(i: int) -> None:
        for j in range(100):
            payload = struct.pack("<II", i, j) * (1 + j % 5)
            with wire_lock:  # keep the bytes in the order they were framed
                wire.append(client.encode(payload))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stream = b"".join(wire)

    def read(part: bytes) -> None:
        got.extend(server.feed(part))

    # Feeding in pieces from several threads, in order, also stays whole.
    pieces = [stream[i : i + 333] for i in range(0, len(stream), 333)]
    for p in pieces:
        t = threading.Thread(target=read, args=(p,))
        t.start()
        t.join()
    assert len(got) == 800
    assert sorted(f.payload for f in got) == sorted(
        struct.pack("<II", i, j) * (1 + j % 5) for i in range(8) for j in range(100)
    )


def test_repr_and_events() -> None:
    assert repr(Packet(b"abcd", quick_ack=True)) == "Packet(<4 bytes>, quick_ack=True)"
    assert repr(QuickAck(0x80000001)) == "QuickAck(0x80000001)"
    assert repr(TransportFailure(404)) == "TransportFailure(404)"
    assert Packet(b"a") != QuickAck(1) and Packet(b"a") == Packet(b"a")
    assert len({Packet(b"a"), Packet(b"a"), TransportFailure(1)}) == 2
    assert "client" in repr(Intermediate()) and "server" in repr(Full(server=True))
    assert "MTProxy dd" in repr(Obfuscated(PaddedIntermediate(), secret="dd" + "00" * 16, dc_id=1))
    assert Packet.__module__ == "mtcore.transport"


def _client_bytes(cls: Any, obfuscated: bool) -> bytes:
    # What a client of this framing sends first: its prefix (or header) and one frame.
    client = Obfuscated(cls()) if obfuscated else cls()
    return client.encode(bytes(range(24)) * 2)


# The full transport has no obfuscation tag (Obfuscated refuses it).
@pytest.mark.parametrize(
    ("cls", "obfuscated"),
    [(cls, False) for cls in (*TAGGED, Full)] + [(cls, True) for cls in TAGGED],
)
def test_server_codec_detects(cls: Any, obfuscated: bool) -> None:
    data = _client_bytes(cls, obfuscated)
    # Fed one byte at a time: None until the bytes decide, then the codec,
    # which reads the same bytes from the start.
    for n in range(len(data)):
        codec = transport.server_codec(data[:n], max_frame=1000)
        if codec is not None:
            break
    assert n <= 8
    if obfuscated:
        assert isinstance(codec, Obfuscated) and codec.server
    else:
        assert type(codec) is cls and codec.server and codec.max_frame == 1000
    (frame,) = codec.feed(data)
    assert frame.payload[:48] == bytes(range(24)) * 2
    if obfuscated:
        assert type(codec.framing) is cls


def test_server_codec_refuses() -> None:
    for head in (b"GET / HTTP/1.1\r\n", b"POST", b"\x16\x03\x01\x02\x00"):
        with pytest.raises(TransportTagError, match="^the connection starts with an HTTP request or a TLS record"):
            transport.server_codec(head)
    # Bytes that decide nothing yet; bad arguments.
    assert transport.server_codec(b"") is None
    assert transport.server_codec(b"\xee\xee\xee") is None
    assert transport.server_codec(b"\x34\x00\x00\x00\x00\x00\x00") is None
    with pytest.raises(ArgumentTypeError, match="head must be a bytes-like object, not 'str'"):
        transport.server_codec("ef")  # type: ignore[arg-type]
    with pytest.raises(ArgumentValueError, match="max_frame"):
        transport.server_codec(b"\xef", max_frame=2)
    # Any other 8 bytes are taken for an obfuscation header, whose tag then
    # decides (here none of the three).
    codec = transport.server_codec(b"garbage!")
    assert isinstance(codec, Obfuscated)
    with pytest.raises(TransportTagError):
        codec.feed(b"garbage!" * 8)
