"""
The auth key exchange (mtcore.handshake): Telegram's worked example
replayed through ClientHandshake, the RSA vectors, ClientHandshake against
ServerHandshake, and every check of the security guidelines failed on
purpose on each side, by messages rewritten between the two.

Expected values come from the vectors (tests/vectors/README.rst) or from
references written here from core.telegram.org/mtproto/auth_key (hashlib,
``utils.ref_ige`` on OpenSSL's AES block, ``pow``); messages are built
with mtcore's TL codec, which its own tests hold to Telethon's bytes.
"""

from __future__ import annotations

import hashlib
import json
import re
import struct
from typing import Any, Callable

import pytest
from handshake_peers import seeded, server_key
from mtproto_ref import handshake as worked_example
from mtproto_ref import ref_tmp_key_iv
from utils import VECTORS_DIR, is_prime, readme_python, ref_ige

from mtcore import _dh, handshake, tl
from mtcore.exceptions import (
    AnswerHashMismatch,
    ArgumentTypeError,
    ArgumentValueError,
    AuthKeyIdMismatch,
    DHGeneratorError,
    DHPrimeError,
    DHRangeError,
    FactorizationError,
    FieldMismatch,
    FingerprintMismatch,
    HandshakeFailed,
    HandshakeStateError,
    InvalidLength,
    MessageIdError,
    MessageKeyMismatch,
    MessageLengthError,
    MtcoreError,
    NonceHashMismatch,
    NonceMismatch,
    RSAPadError,
    SecurityError,
    TLDecodeError,
)
from mtcore.handshake import (
    AuthKeyResult,
    ClientHandshake,
    HandshakeState,
    ServerHandshake,
)

H = bytes.fromhex
FAILED = HandshakeState.FAILED
# RFC 3526 group 14: a 2048-bit safe prime other than Telegram's (g = 2 suits it).
RFC3526_2048 = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
    "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
    "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05"
    "98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB"
    "9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718"
    "3995497CEA956AE515D2261898FA051015728E5A8AACAA68FFFFFFFFFFFFFFFF",
    16,
)


def sha1(*parts: bytes) -> bytes:
    return hashlib.sha1(b"".join(parts)).digest()


def sha256(*parts: bytes) -> bytes:
    return hashlib.sha256(b"".join(parts)).digest()


def xor(a: bytes, b: bytes) -> bytes:
    return bytes(x ^ y for x, y in zip(a, b))


def ref_nonce_hash(new_nonce: bytes, number: int, auth_key: bytes) -> bytes:
    return sha1(new_nonce, bytes([number]), sha1(auth_key)[:8])[4:20]


def ref_rsa_pad(
    data_with_padding: bytes, temp_key: bytes, n: int, e: int
) -> int | None:
    # RSA_PAD for one temp_key, or None when key_aes_encrypted >= n.
    data_with_hash = data_with_padding[::-1] + sha256(temp_key, data_with_padding)
    aes_encrypted = ref_ige(temp_key, bytes(32), data_with_hash, decrypt=False)
    value = int.from_bytes(xor(temp_key, sha256(aes_encrypted)) + aes_encrypted, "big")
    return pow(value, e, n) if value < n else None


def plain(obj: Any, msg_id: int = (0x68DFDD5E << 32) | 1) -> bytes:
    body = bytes(obj) if not isinstance(obj, bytes) else obj
    return struct.pack("<qqi", 0, msg_id, len(body)) + body


def body_of(message: bytes) -> Any:
    return tl.decode(message[20:])


def no_secret_in(exc: BaseException, *secrets: bytes) -> None:
    text = str(exc)
    for secret in secrets:
        if secret:
            assert secret.hex() not in text and secret.hex()[:16] not in text


class Run:
    """
    A ClientHandshake and a ServerHandshake on seeded randomness, stepped
    by hand; the client's draws are kept (nonce, new_nonce, ...).
    """

    def __init__(
        self,
        seed: int = 1,
        client: dict[str, Any] | None = None,
        server: dict[str, Any] | None = None,
    ) -> None:
        rng = seeded(seed)
        self.draws: list[bytes] = []

        def client_rng(n: int) -> bytes:
            data = rng(n)
            self.draws.append(data)
            return data

        ckw = {"dc_id": 2, "rng": client_rng, **(client or {})}
        self.client = ClientHandshake([server_key().public_key], **ckw)
        skw = {"dc": 2, "rng": seeded(seed + 1000), **(server or {})}
        self.server = ServerHandshake([server_key()], **skw)

    @property
    def nonce(self) -> bytes:
        return self.draws[0]

    @property
    def new_nonce(self) -> bytes:
        return self.draws[1]

    def res_pq(self) -> bytes:
        return self.server.receive(self.client.start())

    def req_dh_params(self) -> bytes:
        return self.client.receive(self.res_pq())  # type: ignore[return-value]

    def server_dh_params(self) -> bytes:
        return self.server.receive(self.req_dh_params())

    def set_client_dh_params(self) -> bytes:
        return self.client.receive(self.server_dh_params())  # type: ignore[return-value]

    def dh_gen(self) -> bytes:
        return self.server.receive(self.set_client_dh_params())

    def finish(self) -> AuthKeyResult:
        out = self.client.receive(self.dh_gen())
        assert isinstance(out, AuthKeyResult)
        return out


def open_sealed(key: bytes, iv: bytes, encrypted: bytes) -> tuple[Any, int]:
    """
    The TL object under SHA-1(data) + data + padding, AES-IGE encrypted
    (as both sides seal their inner data), and its padding length.
    """
    data = ref_ige(key, iv, encrypted, decrypt=True)
    for pad in range(16):
        try:
            inner = tl.decode(data[20 : len(data) - pad])
        except TLDecodeError:
            continue
        assert data[:20] == sha1(bytes(inner))
        return inner, pad
    raise AssertionError("no inner data under the encryption")


def open_answer(run: Run, message: bytes) -> tuple[Any, int]:
    """
    The server_DH_inner_data of a server_DH_params_ok and its padding length.
    """
    ok = body_of(message)
    key, iv = ref_tmp_key_iv(run.new_nonce, ok.server_nonce)
    return open_sealed(key, iv, ok.encrypted_answer)


def seal_answer(
    run: Run,
    message: bytes,
    inner: Any,
    *,
    digest: bytes | None = None,
    padding: bytes | None = None,
) -> bytes:
    """
    ``message`` with its encrypted answer replaced by ``inner`` (bytes or a
    TL object), hashed and padded as the spec says unless told otherwise.
    """
    ok = body_of(message)
    data = inner if isinstance(inner, bytes) else bytes(inner)
    head = (sha1(data) if digest is None else digest) + data
    tail = bytes(-len(head) % 16) if padding is None else padding
    key, iv = ref_tmp_key_iv(run.new_nonce, ok.server_nonce)
    encrypted = ref_ige(key, iv, head + tail, decrypt=False)
    return plain(
        tl.types.server_DH_params_ok(
            nonce=ok.nonce, server_nonce=ok.server_nonce, encrypted_answer=encrypted
        )
    )


def edit_answer(run: Run, message: bytes, **fields: Any) -> bytes:
    inner, _ = open_answer(run, message)
    values = {k: v for k, v in inner.to_dict().items() if k != "_"}
    values.update(fields)
    return seal_answer(run, message, tl.types.server_DH_inner_data(**values))


def be(n: int) -> bytes:
    return n.to_bytes((n.bit_length() + 7) // 8, "big")


# --- the bundled keys ------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "pem", "fingerprint"),
    [
        ("PRODUCTION_KEYS", handshake._PRODUCTION_PEM, 0xD09D1D85DE64FD85),
        ("TEST_KEYS", handshake._TEST_PEM, 0xB25898DF208D2603),
    ],
)
def test_bundled_keys_are_their_pem_texts(name: str, pem: str, fingerprint: int) -> None:
    # The moduli are kept as numbers (no PEM parser needed at run time):
    # they must be what cryptography reads from the PEM texts beside them.
    (key,) = getattr(handshake, name)
    assert key == handshake.RSAPublicKey.from_pem(pem)
    assert key.to_pem() == pem
    assert key.fingerprint & 0xFFFFFFFFFFFFFFFF == fingerprint


# --- Telegram's worked example -----------------------------------------------


def test_worked_example_replayed_step_by_step() -> None:
    v = worked_example()
    prod = handshake.PRODUCTION_KEYS[0]
    padding = H(v["rsa_pad_random_padding_bytes"])
    # temp_keys until RSA_PAD accepts one (the reference says which).
    temp_keys = [bytes([i]) * 32 for i in range(1, 9)]
    data_with_padding = H(v["rsa_pad_data_with_padding"])
    used = next(
        i
        for i, k in enumerate(temp_keys)
        if ref_rsa_pad(data_with_padding, k, prod.n, prod.e) is not None
    )
    draws = [
        H(v["nonce"]),
        H(v["new_nonce"]),
        padding,
        *temp_keys[: used + 1],
        H(v["b"]),
        H(v["client_padding"]),
    ]

    def rng(n: int) -> bytes:
        data = draws.pop(0)
        assert len(data) == n
        return data

    msg_ids = [v["req_pq_multi_msg_id"]] + [
        struct.unpack_from("<q", H(v[k]), 8)[0]
        for k in ("req_DH_params_packet", "set_client_DH_params_packet")
    ]
    server_time = v["server_DH_inner_data_fields"]["server_time"]
    client = ClientHandshake(
        handshake.PRODUCTION_KEYS,
        dc_id=v["dc"],
        rng=rng,
        new_msg_id=iter(msg_ids).__next__,
        clock=lambda: server_time - 2.5,
    )
    assert client.start() == H(v["req_pq_multi_packet"])
    assert client.state is HandshakeState.AWAITING_RES_PQ

    req_dh = client.receive(H(v["resPQ_packet"]))
    expected = H(v["req_DH_params_packet"])
    assert isinstance(req_dh, bytes) and len(req_dh) == len(expected)
    # Everything but the RSA ciphertext (its temp_key is not published).
    assert req_dh[:-256] == expected[:-256]
    rsa = ref_rsa_pad(data_with_padding, temp_keys[used], prod.n, prod.e)
    assert req_dh[-256:] == rsa.to_bytes(256, "big")  # type: ignore[union-attr]
    assert client.last_sent == req_dh

    set_dh = client.receive(H(v["server_DH_params_ok_packet"]))
    assert set_dh == H(v["set_client_DH_params_packet"])
    assert client.state is HandshakeState.AWAITING_DH_GEN

    result = client.receive(H(v["dh_gen_ok_packet"]))
    assert isinstance(result, AuthKeyResult)
    assert bytes(result.auth_key) == H(v["auth_key"])
    assert result.auth_key.key_id == H(v["auth_key_id"])
    assert result.auth_key.aux_hash == H(v["auth_key_aux_hash"])
    assert result.server_salt == v["initial_server_salt_int64"]
    assert result.time_offset == 2.5
    assert result.dc == v["dc"] and not result.temporary and result.expires_at is None
    assert client.state is HandshakeState.DONE and client.result is result
    assert not draws


def test_worked_example_answers_checked_in_order() -> None:
    # The published answers, each given where it does not belong.
    v = worked_example()
    client = ClientHandshake(handshake.PRODUCTION_KEYS, dc_id=2, rng=seeded(3))
    client.start()
    with pytest.raises(TLDecodeError, match="not of type ResPQ"):
        client.receive(H(v["server_DH_params_ok_packet"]))
    assert client.state is FAILED


# --- RSA keys and RSA_PAD ----------------------------------------------------


def rsa_vectors() -> dict[str, Any]:
    with open(VECTORS_DIR / "rsa_pad.json", encoding="utf-8") as f:
        return {v["name"]: v for v in json.load(f)["vectors"]}


def test_production_key_and_fingerprint() -> None:
    v = rsa_vectors()["telegram_production_rsa_key_fingerprint"]
    key = handshake.RSAPublicKey.from_pem(v["pem"])
    assert key.n == int(v["n_hex"], 16) and key.e == v["e"]
    assert key.fingerprint == v["fingerprint_int64"]
    assert key.fingerprint % 2**64 == int(v["fingerprint_uint64_hex"], 16)
    assert sha1(H(v["rsa_public_key_tl_bare"])) == H(v["sha1"])
    assert handshake.PRODUCTION_KEYS == (key,)
    assert repr(key) == "RSAPublicKey(fingerprint=0xd09d1d85de64fd85)"


def test_rsa_pad_vector_with_retry() -> None:
    v = rsa_vectors()["rsa_pad_grammers"]
    key = handshake.RSAPublicKey(int(v["n_decimal"]), v["e"])
    assert key.fingerprint % 2**64 == int(v["key_fingerprint_uint64_hex"], 16)
    assert handshake.TEST_KEYS == (key,)  # the key of Telegram's test servers
    first, second = (H(a["temp_key"]) for a in v["attempts"])
    assert [a["accepted"] for a in v["attempts"]] == [False, True]
    draws = [H(v["random_padding_bytes"]), first, second]
    out = handshake.rsa_pad(H(v["data"]), key, rng=lambda n: draws.pop(0))
    assert out == H(v["encrypted_data"]) and not draws


def test_rsa_pad_round_trip_through_the_private_key() -> None:
    key = server_key()
    data = bytes(range(144))
    encrypted = handshake.rsa_pad(data, key.public_key, rng=seeded(5))
    value = key.decrypt(int.from_bytes(encrypted, "big"))
    block = value.to_bytes(256, "big")
    temp_key = xor(block[:32], sha256(block[32:]))
    data_with_hash = ref_ige(temp_key, bytes(32), block[32:], decrypt=True)
    assert data_with_hash[:192][::-1][:144] == data
    assert key.public_key.encrypt(value) == int.from_bytes(encrypted, "big")


def test_rsa_pad_refuses_long_data() -> None:
    with pytest.raises(
        InvalidLength, match=r"^data must be at most 144 bytes for RSA_PAD, got 145$"
    ):
        handshake.rsa_pad(bytes(145), server_key().public_key)
    with pytest.raises(
        ArgumentTypeError, match="data must be a bytes-like object, not 'str'"
    ):
        handshake.rsa_pad("x", server_key().public_key)  # type: ignore[arg-type]


def test_rsa_keys_from_pem_both_formats_and_back() -> None:
    from cryptography.hazmat.primitives import serialization

    pub = server_key().public_key
    pkcs1 = pub.to_pem()
    assert pkcs1.startswith("-----BEGIN RSA PUBLIC KEY-----")
    spki = serialization.load_pem_public_key(pkcs1.encode()).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert (
        handshake.RSAPublicKey.from_pem(pkcs1)
        == handshake.RSAPublicKey.from_pem(spki)
        == pub
    )
    assert hash(handshake.RSAPublicKey(pub.n, pub.e)) == hash(pub)
    private = handshake.RSAPrivateKey.from_pem(server_key().to_pem())
    assert private.public_key == pub and private.fingerprint == pub.fingerprint
    assert "fingerprint=0x" in repr(private) and str(private.public_key.n) not in repr(
        private
    )


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        (
            (3, 65537),
            ArgumentValueError,
            r"the RSA modulus must be 2048 bits \(RSA_PAD fills 256 bytes\), got 2",
        ),
        (
            ((1 << 2047) + 1, 4),
            ArgumentValueError,
            "the RSA public exponent must be odd",
        ),
        (
            ((1 << 2047) + 1, 1),
            ArgumentValueError,
            "the RSA public exponent must be odd",
        ),
        (("1", 3), ArgumentTypeError, "n must be an int, not 'str'"),
    ],
)
def test_rsa_public_key_refuses(
    args: tuple[Any, Any], error: type, message: str
) -> None:
    with pytest.raises(error, match=message):
        handshake.RSAPublicKey(*args)


def test_pem_errors() -> None:
    with pytest.raises(ArgumentValueError, match="^not a PEM RSA public key: "):
        handshake.RSAPublicKey.from_pem("garbage")
    with pytest.raises(
        ArgumentTypeError, match="pem must be an RSAPublicKey or its PEM text"
    ):
        handshake.RSAPublicKey.from_pem(5)  # type: ignore[arg-type]
    with pytest.raises(ArgumentValueError, match="^not a PEM RSA private key: "):
        handshake.RSAPrivateKey.from_pem(server_key().public_key.to_pem())


# --- client against server ---------------------------------------------------


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("expires_in", [None, 3600])
def test_client_and_server_agree(seed: int, expires_in: int | None) -> None:
    clock = lambda: 1_700_000_000.75  # noqa: E731
    run = Run(
        seed, client={"expires_in": expires_in, "clock": clock}, server={"clock": clock}
    )
    result = run.finish()
    assert (
        run.server.state is HandshakeState.DONE
        and run.client.state is HandshakeState.DONE
    )
    theirs = run.server.result
    assert theirs is not None and theirs.auth_key == result.auth_key
    assert theirs.server_salt == result.server_salt
    assert result.time_offset == -0.75 and theirs.time_offset == 0.0
    assert result.dc == theirs.dc == 2
    assert result.expires_in == theirs.expires_in == expires_in
    assert result.temporary is (expires_in is not None)
    if expires_in is not None:
        assert result.expires_at == theirs.expires_at == 1_700_000_000 + expires_in


def test_salt_and_key_from_the_transcript() -> None:
    # The derived values recomputed from what crossed the wire and the
    # client's draws, with hashlib and pow.
    run = Run(7)
    r1 = run.res_pq()
    server_nonce = body_of(r1).server_nonce
    m2 = run.client.receive(r1)
    r2 = run.server.receive(m2)  # type: ignore[arg-type]
    inner, _ = open_answer(run, r2)
    m3 = run.client.receive(r2)
    b = int.from_bytes(run.draws[-2], "big")  # b, then the padding
    result = run.client.receive(run.server.receive(m3))  # type: ignore[arg-type]
    assert isinstance(result, AuthKeyResult)
    p = int.from_bytes(inner.dh_prime, "big")
    key = pow(int.from_bytes(inner.g_a, "big"), b, p).to_bytes(256, "big")
    assert bytes(result.auth_key) == key
    salt = xor(run.new_nonce[:8], server_nonce[:8])
    assert result.server_salt == int.from_bytes(salt, "little", signed=True)


@pytest.mark.parametrize(
    ("test", "media", "dc"),
    [(False, False, 2), (True, False, 10002), (False, True, -2), (True, True, -10002)],
)
def test_dc_field(test: bool, media: bool, dc: int) -> None:
    run = Run(2, client={"test": test, "media": media}, server={"dc": None})
    assert run.finish().dc == dc
    assert run.server.result is not None and run.server.result.dc == dc


def test_server_refuses_another_dc() -> None:
    run = Run(2, client={"test": True})
    m2 = run.req_dh_params()
    with pytest.raises(
        FieldMismatch, match=r"^p_q_inner_data_dc\.dc is 10002, not this server's 2$"
    ):
        run.server.receive(m2)
    assert run.server.state is FAILED


def test_default_msg_ids() -> None:
    times = iter([100.0, 100.0, 99.0, 101.5])
    run = Run(4, client={"clock": lambda: next(times)}, server={"clock": lambda: 100.0})
    m1 = run.client.start()
    r1 = run.server.receive(m1)
    m2 = run.client.receive(r1)
    ids = [struct.unpack_from("<q", m, 8)[0] for m in (m1, m2)]
    assert ids[0] == 100 << 32 and ids[1] == ids[0] + 4  # never backwards
    (server_id,) = struct.unpack_from("<q", r1, 8)
    assert server_id % 4 == 1


def test_dh_gen_retry_then_ok() -> None:
    refused: list[bytes] = []

    def in_use(key_id: bytes) -> bool:
        refused.append(key_id)
        return len(refused) <= 2

    run = Run(5, server={"key_id_in_use": in_use})
    m3 = run.set_client_dh_params()
    retry = run.server.receive(m3)
    assert body_of(retry).tl_name == "dh_gen_retry"
    m3b = run.client.receive(retry)
    assert isinstance(m3b, bytes)
    retry2 = run.server.receive(m3b)
    assert body_of(retry2).tl_name == "dh_gen_retry"
    ok = run.server.receive(run.client.receive(retry2))  # type: ignore[arg-type]
    result = run.client.receive(ok)
    assert isinstance(result, AuthKeyResult)
    assert (
        run.server.result is not None and run.server.result.auth_key == result.auth_key
    )
    assert len(set(refused)) == 3 and refused[-1] == result.auth_key.key_id


def test_dh_gen_fail_after_the_retries() -> None:
    run = Run(6, server={"key_id_in_use": lambda key_id: True, "max_retries": 1})
    retry = run.dh_gen()
    fail = run.server.receive(run.client.receive(retry))  # type: ignore[arg-type]
    assert body_of(fail).tl_name == "dh_gen_fail" and run.server.state is FAILED
    with pytest.raises(
        HandshakeFailed, match="^the server answered dh_gen_fail: start a new exchange$"
    ):
        run.client.receive(fail)
    assert run.client.state is FAILED


def test_client_gives_up_after_five_retries() -> None:
    run = Run(6, server={"key_id_in_use": lambda key_id: True, "max_retries": 100})
    message = run.dh_gen()
    for _ in range(5):
        message = run.server.receive(run.client.receive(message))  # type: ignore[arg-type]
    with pytest.raises(HandshakeFailed, match="more than 5 times"):
        run.client.receive(message)


def test_server_accepts_a_new_req_pq() -> None:
    run = Run(8)
    run.res_pq()
    again = ClientHandshake([server_key().public_key], dc_id=2, rng=seeded(99))
    r1 = run.server.receive(again.start())
    out = again.receive(r1)
    out = again.receive(run.server.receive(out))  # type: ignore[arg-type]
    result = again.receive(run.server.receive(out))  # type: ignore[arg-type]
    assert isinstance(result, AuthKeyResult)


def test_custom_prime_and_every_generator() -> None:
    # RFC 3526's prime (g = 2 suits it), and g drawn among 3, 4, 7 for Telegram's.
    run = Run(9, server={"dh_prime": RFC3526_2048, "g": 2})
    run.finish()
    seen = set()
    for seed in range(10, 22):
        run = Run(seed)
        inner, _ = open_answer(run, run.server_dh_params())
        seen.add(inner.g)
        if len(seen) == 3:
            break
    assert seen == {3, 4, 7}


def test_server_refuses_a_bad_configuration() -> None:
    with pytest.raises(DHGeneratorError, match=r"^g = 2 needs dh_prime mod 8 to be 7"):
        ServerHandshake([server_key()], g=2)
    with pytest.raises(DHPrimeError, match="^dh_prime is not a safe prime"):
        ServerHandshake([server_key()], dh_prime=_dh.TELEGRAM_DH_PRIME + 2)
    with pytest.raises(
        ArgumentValueError, match="rsa_private_keys must hold at least one key"
    ):
        ServerHandshake([])


# --- the client's checks, each failed by a rewritten server message ----------


def tamper_res_pq(run: Run, **fields: Any) -> bytes:
    res = body_of(run.res_pq())
    values = {k: v for k, v in res.to_dict().items() if k != "_"}
    values.update(fields)
    return plain(tl.types.resPQ(**values))


def test_client_checks_res_pq_nonce() -> None:
    run = Run()
    bad = tamper_res_pq(run, nonce=bytes(16))
    with pytest.raises(
        NonceMismatch, match=r"^resPQ\.nonce is not this exchange's nonce$"
    ) as e:
        run.client.receive(bad)
    no_secret_in(e.value, run.nonce)
    assert run.client.state is FAILED
    with pytest.raises(
        HandshakeStateError, match=r"^ClientHandshake: receive\(\) in state FAILED$"
    ):
        run.client.receive(bad)


def test_client_needs_a_key_for_a_fingerprint() -> None:
    run = Run()
    bad = tamper_res_pq(run, server_public_key_fingerprints=[1, -2])
    with pytest.raises(
        FingerprintMismatch, match=r"\(2: 0000000000000001, fffffffffffffffe\)$"
    ):
        run.client.receive(bad)


def test_client_picks_the_servers_first_known_fingerprint() -> None:
    run = Run()
    fp = server_key().fingerprint
    m2 = run.client.receive(
        tamper_res_pq(run, server_public_key_fingerprints=[5, fp, 7])
    )
    assert body_of(m2).public_key_fingerprint == fp  # type: ignore[arg-type]


def test_client_refuses_a_bad_pq() -> None:
    run = Run()
    with pytest.raises(FactorizationError, match="is prime"):
        run.client.receive(tamper_res_pq(run, pq=be(1000000007)))


def step2(run: Run) -> bytes:
    return run.server_dh_params()


@pytest.mark.parametrize("field", ["nonce", "server_nonce"])
def test_client_checks_server_dh_params_nonces(field: str) -> None:
    run = Run()
    ok = body_of(step2(run))
    values = {k: v for k, v in ok.to_dict().items() if k != "_"}
    values[field] = bytes(16)
    with pytest.raises(NonceMismatch, match=rf"^server_DH_params_ok\.{field} is not"):
        run.client.receive(plain(tl.types.server_DH_params_ok(**values)))


@pytest.mark.parametrize("field", ["nonce", "server_nonce"])
def test_client_checks_inner_nonces(field: str) -> None:
    run = Run()
    message = step2(run)
    with pytest.raises(NonceMismatch, match=rf"^server_DH_inner_data\.{field} is not"):
        run.client.receive(edit_answer(run, message, **{field: b"\x01" * 16}))


def test_client_checks_the_answer_hash() -> None:
    run = Run()
    message = step2(run)
    inner, _ = open_answer(run, message)
    with pytest.raises(
        AnswerHashMismatch,
        match="^the SHA-1 at the start of the decrypted encrypted_answer does not match",
    ):
        run.client.receive(seal_answer(run, message, inner, digest=bytes(20)))


def test_client_checks_the_answer_padding() -> None:
    run = Run()
    message = step2(run)
    inner, pad = open_answer(run, message)
    assert pad <= 15
    data = bytes(inner)
    too_much = bytes(-(20 + len(data)) % 16 + 16)
    with pytest.raises(
        AnswerHashMismatch,
        match=r"has (1[6-9]|2\d|3[01]) bytes after its data; 0\.\.15",
    ):
        run.client.receive(seal_answer(run, message, inner, padding=too_much))


def test_client_checks_the_answer_length() -> None:
    run = Run()
    ok = body_of(step2(run))
    short = tl.types.server_DH_params_ok(
        nonce=ok.nonce,
        server_nonce=ok.server_nonce,
        encrypted_answer=ok.encrypted_answer[:-1],
    )
    with pytest.raises(
        AnswerHashMismatch,
        match="^encrypted_answer must be a non-empty multiple of 16 bytes, got 591$",
    ):
        run.client.receive(plain(short))


def test_client_checks_the_answer_constructor() -> None:
    run = Run()
    message = step2(run)
    inner, _ = open_answer(run, message)
    wrong = struct.pack("<I", 0x12345678) + bytes(inner)[4:]
    with pytest.raises(
        AnswerHashMismatch,
        match="^the decrypted encrypted_answer does not start with a SHA-1 and server_DH_inner_data",
    ):
        run.client.receive(seal_answer(run, message, wrong))


@pytest.mark.parametrize(
    ("kw", "error", "message"),
    [
        ({"g": 2}, DHGeneratorError, r"^g = 2 needs dh_prime mod 8 to be 7"),
        ({"g": 5}, DHGeneratorError, r"^g = 5 needs dh_prime mod 5 to be 1 or 4"),
        ({"g": 6}, DHGeneratorError, r"^g = 6 needs dh_prime mod 24 to be 19 or 23"),
        ({"g": 8}, DHGeneratorError, r"^g must be in 2\.\.7, got 8$"),
        ({"g": 1}, DHGeneratorError, r"^g must be in 2\.\.7, got 1$"),
        (
            {"dh_prime": be(_dh.TELEGRAM_DH_PRIME >> 1)},
            DHPrimeError,
            r"^dh_prime must be a 2048-bit prime, got a 2047-bit number$",
        ),
        (
            {"dh_prime": be(_dh.TELEGRAM_DH_PRIME + 4)},
            DHPrimeError,
            "^dh_prime is not a safe prime",
        ),
        (
            {"g_a": be(1)},
            DHRangeError,
            "^g_a must be greater than 1 and less than dh_prime - 1$",
        ),
        (
            {"g_a": be(_dh.TELEGRAM_DH_PRIME - 1)},
            DHRangeError,
            "^g_a must be greater than 1",
        ),
        (
            {"g_a": be(_dh.TELEGRAM_DH_PRIME + 5)},
            DHRangeError,
            "^g_a must be greater than 1",
        ),
        (
            {"g_a": be((1 << 1984) - 1)},
            DHRangeError,
            r"^g_a must be in \[2\^\(2048-64\), dh_prime - 2\^\(2048-64\)\]",
        ),
        (
            {"g_a": be(_dh.TELEGRAM_DH_PRIME - (1 << 1984) + 1)},
            DHRangeError,
            r"^g_a must be in \[",
        ),
    ],
)
def test_client_checks_dh_params(kw: dict[str, Any], error: type, message: str) -> None:
    run = Run()
    with pytest.raises(error, match=message):
        run.client.receive(edit_answer(run, step2(run), **kw))
    assert run.client.state is FAILED


def test_client_accepts_g_a_on_the_range_limits() -> None:
    p = _dh.TELEGRAM_DH_PRIME
    for g_a in (1 << 1984, p - (1 << 1984)):
        run = Run()
        out = run.client.receive(edit_answer(run, step2(run), g_a=be(g_a)))
        assert isinstance(out, bytes)


def test_client_checks_a_prime_that_is_not_safe_but_prime() -> None:
    # p = 2^2047 + 2895 is prime, 3 mod 4, and (p - 1) / 2 is composite
    # with no factor below 2000 (found by a search with utils.is_prime):
    # only Miller-Rabin on (p - 1) / 2 can refuse it.
    p = (1 << 2047) + 2895
    q = p >> 1
    assert is_prime(p) and p % 4 == 3 and pow(2, q - 1, q) != 1
    assert all(q % d for d in range(3, 2000, 2))
    run = Run()
    with pytest.raises(DHPrimeError, match="^dh_prime is not a safe prime"):
        run.client.receive(edit_answer(run, step2(run), dh_prime=be(p), g=4))


def test_server_dh_params_fail() -> None:
    run = Run()
    ok = body_of(step2(run))
    good = sha1(run.new_nonce)[4:20]
    fail = tl.types.server_DH_params_fail(
        nonce=ok.nonce, server_nonce=ok.server_nonce, new_nonce_hash=good
    )
    with pytest.raises(
        HandshakeFailed,
        match="^the server answered server_DH_params_fail: start a new exchange$",
    ):
        run.client.receive(plain(fail))
    run = Run()
    ok = body_of(step2(run))
    fail = tl.types.server_DH_params_fail(
        nonce=ok.nonce, server_nonce=ok.server_nonce, new_nonce_hash=bytes(16)
    )
    with pytest.raises(
        NonceHashMismatch,
        match=r"^server_DH_params_fail\.new_nonce_hash does not match",
    ):
        run.client.receive(plain(fail))


def dh_gen_answer(
    run: Run, name: str, number: int, good: bool = True, **fields: Any
) -> bytes:
    ok = body_of(run.dh_gen())
    assert run.server.result is not None
    digest = ref_nonce_hash(run.new_nonce, number, bytes(run.server.result.auth_key))
    values = {
        "nonce": ok.nonce,
        "server_nonce": ok.server_nonce,
        f"new_nonce_hash{number}": digest if good else bytes(16),
    }
    values.update(fields)
    return plain(getattr(tl.types, name)(**values))


@pytest.mark.parametrize(
    ("name", "number"), [("dh_gen_ok", 1), ("dh_gen_retry", 2), ("dh_gen_fail", 3)]
)
def test_client_checks_new_nonce_hashes(name: str, number: int) -> None:
    run = Run()
    with pytest.raises(
        NonceHashMismatch, match=rf"^{name}\.new_nonce_hash{number} does not match"
    ) as e:
        run.client.receive(dh_gen_answer(run, name, number, good=False))
    no_secret_in(e.value, run.new_nonce)
    # A hash of another kind does not pass for this one (ok sent as retry).
    run = Run()
    wrong = dh_gen_answer(run, "dh_gen_ok", 1)
    wrong = wrong[:20] + struct.pack("<I", tl.types.dh_gen_retry.tl_id) + wrong[24:]
    with pytest.raises(NonceHashMismatch):
        run.client.receive(wrong)


@pytest.mark.parametrize("field", ["nonce", "server_nonce"])
def test_client_checks_dh_gen_nonces(field: str) -> None:
    run = Run()
    with pytest.raises(NonceMismatch, match=rf"^dh_gen_ok\.{field} is not"):
        run.client.receive(dh_gen_answer(run, "dh_gen_ok", 1, **{field: bytes(16)}))


@pytest.mark.parametrize(
    ("mutate", "error", "message"),
    [
        (
            lambda m: m[:3],
            MessageLengthError,
            "^an unencrypted message must be at least 20 bytes, got 3$",
        ),
        (
            lambda m: b"\x01" + m[1:],
            AuthKeyIdMismatch,
            "^an unencrypted message must have auth_key_id 0$",
        ),
        (
            lambda m: m[:8] + b"\x04" + m[9:],
            MessageIdError,
            r"^msg_id -?\d+ from the server must be odd$",
        ),
        (
            lambda m: m[:16] + struct.pack("<i", len(m) - 19) + m[20:],
            MessageLengthError,
            r"^message_data_length \d+ does not fit",
        ),
        (
            lambda m: m + bytes(16),
            MessageLengthError,
            r"^message_data_length \d+ does not fit the \d+ bytes after the header",
        ),
        (
            lambda m: m[:16] + struct.pack("<i", -4) + m[20:],
            MessageLengthError,
            "^message_data_length -4",
        ),
        (
            lambda m: struct.pack("<i", -404),
            HandshakeFailed,
            r"^the server answered transport error -404 \(no such auth key",
        ),
        (
            lambda m: struct.pack("<i", -444),
            HandshakeFailed,
            r"transport error -444 \(the DC id is of the other kind",
        ),
    ],
)
def test_client_checks_the_unencrypted_header(
    mutate: Callable[[bytes], bytes], error: type, message: str
) -> None:
    run = Run()
    with pytest.raises(error, match=message) as e:
        run.client.receive(mutate(run.res_pq()))
    if error is HandshakeFailed:
        assert e.value.code in (-404, -444)  # type: ignore[attr-defined]
    assert run.client.state is FAILED


def test_client_ignores_transport_padding() -> None:
    run = Run()
    run.client.receive(run.res_pq() + bytes(15))
    assert run.client.state is HandshakeState.AWAITING_SERVER_DH_PARAMS


# --- the server's checks, each failed by a rewritten client message ----------


def client_plain(obj: Any, msg_id: int = 1 << 34) -> bytes:
    return plain(obj, msg_id)


def manual_req_dh_params(
    run: Run,
    *,
    inner_name: str = "p_q_inner_data_dc",
    inner: dict[str, Any] | None = None,
    legacy: bool = False,
    **outer: Any,
) -> tuple[bytes, bytes]:
    """
    A req_DH_params built here for resPQ (with the inner data's fields
    overridden), RSA_PAD or the legacy padding; and its new_nonce.
    """
    from mtcore.auth import factorize_pq

    res = body_of(run.res_pq())
    p, q = factorize_pq(res.pq)
    new_nonce = b"\x5a" * 32
    fields: dict[str, Any] = {
        "pq": res.pq,
        "p": be(p),
        "q": be(q),
        "nonce": res.nonce,
        "server_nonce": res.server_nonce,
        "new_nonce": new_nonce,
    }
    if inner_name.endswith("_dc"):
        fields["dc"] = 2
    if "_temp" in inner_name:
        fields["expires_in"] = 60
    fields.update(inner or {})
    data = bytes(getattr(tl.types, inner_name)(**fields))
    key = server_key().public_key
    if legacy:
        block = sha1(data) + data + bytes(235 - len(data))
        encrypted = pow(int.from_bytes(block, "big"), key.e, key.n).to_bytes(256, "big")
    else:
        encrypted = handshake.rsa_pad(data, key, rng=seeded(11))
    values = {
        "nonce": res.nonce,
        "server_nonce": res.server_nonce,
        "p": be(p),
        "q": be(q),
        "public_key_fingerprint": key.fingerprint,
        "encrypted_data": encrypted,
    }
    values.update(outer)
    return client_plain(tl.functions.req_DH_params(**values)), fields["new_nonce"]


@pytest.mark.parametrize(
    "name",
    [
        "p_q_inner_data",
        "p_q_inner_data_dc",
        "p_q_inner_data_temp",
        "p_q_inner_data_temp_dc",
    ],
)
@pytest.mark.parametrize("legacy", [False, True])
def test_server_takes_every_inner_data_and_both_paddings(
    name: str, legacy: bool
) -> None:
    run = Run(server={"dc": None})
    message, _ = manual_req_dh_params(run, inner_name=name, legacy=legacy)
    answer = body_of(run.server.receive(message))
    assert answer.tl_name == "server_DH_params_ok"


def nonce_cases(request: str, inner: str) -> list[tuple[dict[str, Any], type, str]]:
    """
    The rows of the server's checks that zero each nonce of ``request`` and
    of its encrypted ``inner`` data: a NonceMismatch naming the field.
    """
    return [
        (kw, NonceMismatch, rf"^{name}\.{field} is not")
        for field in ("nonce", "server_nonce")
        for name, kw in (
            (request, {field: bytes(16)}),
            (inner, {"inner": {field: bytes(16)}}),
        )
    ]


@pytest.mark.parametrize(
    ("kw", "error", "message"),
    [
        *nonce_cases("req_DH_params", "p_q_inner_data_dc"),
        ({"p": be(3)}, FieldMismatch, r"^req_DH_params\.p is not the p of resPQ$"),
        ({"q": be(5)}, FieldMismatch, r"^req_DH_params\.q is not the q of resPQ$"),
        (
            {"public_key_fingerprint": 42},
            FingerprintMismatch,
            "^req_DH_params names the key 000000000000002a",
        ),
        (
            {"encrypted_data": bytes(256)},
            RSAPadError,
            "^req_DH_params.encrypted_data decrypts neither",
        ),
        ({"encrypted_data": b"\xff" * 256}, RSAPadError, "decrypts neither"),
        ({"encrypted_data": bytes(255)}, RSAPadError, "decrypts neither"),
        # the inner data
        (
            {"inner": {"pq": be(15)}},
            FieldMismatch,
            r"^p_q_inner_data_dc\.pq is not the pq of resPQ$",
        ),
        ({"inner": {"p": be(3)}}, FieldMismatch, r"^p_q_inner_data_dc\.p is not"),
        (
            {"inner": {"dc": 3}},
            FieldMismatch,
            r"^p_q_inner_data_dc\.dc is 3, not this server's 2$",
        ),
    ],
)
def test_server_checks_req_dh_params(
    kw: dict[str, Any], error: type, message: str
) -> None:
    run = Run()
    request, _ = manual_req_dh_params(run, **kw)
    with pytest.raises(error, match=message):
        run.server.receive(request)
    assert run.server.state is FAILED


def test_server_checks_expires_in_and_the_legacy_hash() -> None:
    run = Run()
    request, _ = manual_req_dh_params(
        run, inner_name="p_q_inner_data_temp_dc", inner={"expires_in": 0}
    )
    with pytest.raises(
        FieldMismatch,
        match=r"^p_q_inner_data_temp_dc\.expires_in must be positive, got 0$",
    ):
        run.server.receive(request)
    run = Run()  # a server with a dc wants the dc
    request, _ = manual_req_dh_params(run, inner_name="p_q_inner_data")
    with pytest.raises(FieldMismatch, match=r"^p_q_inner_data\.dc is missing$"):
        run.server.receive(request)
    # A legacy block whose SHA-1 does not cover the data.
    run = Run(server={"dc": None})
    res = body_of(run.res_pq())
    from mtcore.auth import factorize_pq

    p, q = factorize_pq(res.pq)
    data = bytes(
        tl.types.p_q_inner_data(
            pq=res.pq,
            p=be(p),
            q=be(q),
            nonce=res.nonce,
            server_nonce=res.server_nonce,
            new_nonce=bytes(32),
        )
    )
    key = server_key().public_key
    block = bytes(20) + data + bytes(235 - len(data))
    encrypted = pow(int.from_bytes(block, "big"), key.e, key.n).to_bytes(256, "big")
    request = tl.functions.req_DH_params(
        nonce=res.nonce,
        server_nonce=res.server_nonce,
        p=be(p),
        q=be(q),
        public_key_fingerprint=key.fingerprint,
        encrypted_data=encrypted,
    )
    with pytest.raises(RSAPadError):
        run.server.receive(client_plain(request))


def manual_set_client_dh_params(
    run: Run,
    *,
    g_b: int | None = None,
    retry_id: int = 0,
    inner: dict[str, Any] | None = None,
    digest: bytes | None = None,
    padding: bytes | None = None,
    **outer: Any,
) -> bytes:
    request, new_nonce = manual_req_dh_params(run)
    ok = body_of(run.server.receive(request))
    key, iv = ref_tmp_key_iv(new_nonce, ok.server_nonce)
    p = _dh.TELEGRAM_DH_PRIME
    fields = {
        "nonce": ok.nonce,
        "server_nonce": ok.server_nonce,
        "retry_id": retry_id,
        "g_b": be(pow(3, 1 << 2000 | 12345, p) if g_b is None else g_b),
    }
    fields.update(inner or {})
    data = bytes(tl.types.client_DH_inner_data(**fields))
    head = (sha1(data) if digest is None else digest) + data
    tail = bytes(-len(head) % 16) if padding is None else padding
    values = {
        "nonce": ok.nonce,
        "server_nonce": ok.server_nonce,
        "encrypted_data": ref_ige(key, iv, head + tail, decrypt=False),
    }
    values.update(outer)
    return client_plain(tl.functions.set_client_DH_params(**values), 1 << 36)


def test_server_accepts_a_hand_made_client() -> None:
    run = Run()
    answer = body_of(run.server.receive(manual_set_client_dh_params(run)))
    assert answer.tl_name == "dh_gen_ok"


@pytest.mark.parametrize(
    ("kw", "error", "message"),
    [
        *nonce_cases("set_client_DH_params", "client_DH_inner_data"),
        ({"retry_id": 5}, FieldMismatch, r"^client_DH_inner_data\.retry_id must be 0$"),
        (
            {"digest": bytes(20)},
            AnswerHashMismatch,
            "decrypted encrypted_data does not match",
        ),
        (
            {"padding": bytes(28)},
            AnswerHashMismatch,
            r"encrypted_data has 2\d bytes after its data",
        ),
        (
            {"encrypted_data": bytes(17)},
            AnswerHashMismatch,
            "^encrypted_data must be a non-empty multiple of 16 bytes, got 17$",
        ),
        ({"g_b": 1}, DHRangeError, "^g_b must be greater than 1"),
        (
            {"g_b": _dh.TELEGRAM_DH_PRIME - 1},
            DHRangeError,
            "^g_b must be greater than 1",
        ),
        ({"g_b": 1 << 1983}, DHRangeError, r"^g_b must be in \["),
    ],
)
def test_server_checks_set_client_dh_params(
    kw: dict[str, Any], error: type, message: str
) -> None:
    run = Run()
    with pytest.raises(error, match=message):
        run.server.receive(manual_set_client_dh_params(run, **kw))
    assert run.server.state is FAILED


def test_server_checks_the_retry_id() -> None:
    run = Run(server={"key_id_in_use": lambda key_id: True})
    retry = run.dh_gen()
    again = run.client.receive(retry)
    assert isinstance(again, bytes)
    # The same message with retry 0 (a replay of the first attempt).
    with pytest.raises(
        FieldMismatch,
        match="retry_id is not the auth_key_aux_hash of the key refused last",
    ):
        run.server.receive(replay_first(run, again))


def replay_first(run: Run, message: bytes) -> bytes:
    # message with its client_DH_inner_data's retry_id set to 0.
    req = body_of(message)
    key, iv = ref_tmp_key_iv(run.new_nonce, req.server_nonce)
    inner, _ = open_sealed(key, iv, req.encrypted_data)
    fields = {k: v for k, v in inner.to_dict().items() if k != "_"}
    assert fields["retry_id"] != 0
    fields["retry_id"] = 0
    raw = bytes(tl.types.client_DH_inner_data(**fields))
    head = sha1(raw) + raw
    encrypted = ref_ige(key, iv, head + bytes(-len(head) % 16), decrypt=False)
    return client_plain(
        tl.functions.set_client_DH_params(
            nonce=req.nonce, server_nonce=req.server_nonce, encrypted_data=encrypted
        ),
        1 << 38,
    )


@pytest.mark.parametrize(
    ("mutate", "error", "message"),
    [
        (
            lambda m: m[:8] + b"\x01" + m[9:],
            MessageIdError,
            r"^msg_id -?\d+ from the client must be divisible by 4$",
        ),
        (lambda m: b"\x07" + m[1:], AuthKeyIdMismatch, "auth_key_id 0"),
        (
            lambda m: m[:20] + b"\x00\x00\x00\x00" + m[24:],
            TLDecodeError,
            "unknown constructor 0x00000000 at offset 0",
        ),
    ],
)
def test_server_checks_the_unencrypted_header(
    mutate: Callable[[bytes], bytes], error: type, message: str
) -> None:
    run = Run()
    with pytest.raises(error, match=message):
        run.server.receive(mutate(run.client.start()))


def test_server_wants_req_pq_first() -> None:
    run = Run()
    run.client.start()
    with pytest.raises(
        TLDecodeError,
        match="^constructor 0x3bcbf734 at offset 0 is not req_pq_multi or req_pq$",
    ):
        run.server.receive(
            client_plain(
                tl.types.dh_gen_ok(
                    nonce=bytes(16), server_nonce=bytes(16), new_nonce_hash1=bytes(16)
                )
            )
        )


# --- states and arguments ----------------------------------------------------


def test_client_state_errors() -> None:
    client = ClientHandshake(handshake.TEST_KEYS, dc_id=1)
    with pytest.raises(
        HandshakeStateError,
        match=r"^ClientHandshake: receive\(\) before start\(\) in state IDLE$",
    ):
        client.receive(b"")
    assert client.state is HandshakeState.IDLE and client.last_sent is None
    first = client.start()
    with pytest.raises(
        HandshakeStateError,
        match=r"^ClientHandshake: start\(\) called again in state AWAITING_RES_PQ$",
    ):
        client.start()
    assert client.state is HandshakeState.AWAITING_RES_PQ and client.last_sent == first
    assert repr(client) == "<ClientHandshake AWAITING_RES_PQ dc=1>"


def test_server_state_errors() -> None:
    run = Run()
    run.finish()
    with pytest.raises(
        HandshakeStateError, match=r"^ServerHandshake: receive\(\) in state DONE$"
    ):
        run.server.receive(run.client.last_sent)  # type: ignore[arg-type]
    assert run.server.state is HandshakeState.DONE


@pytest.mark.parametrize(
    ("kw", "error", "message"),
    [
        ({"dc_id": "2"}, ArgumentTypeError, "^dc_id must be an int, not 'str'$"),
        (
            {"dc_id": 0},
            ArgumentValueError,
            r"^dc_id must be in 1\.\.2147473647, got 0$",
        ),
        ({"dc_id": True}, ArgumentTypeError, "^dc_id must be an int, not 'bool'$"),
        (
            {"dc_id": 2, "expires_in": 0},
            ArgumentValueError,
            r"^expires_in must be in 1\.\.2147483647, got 0$",
        ),
        (
            {"dc_id": 2, "rng": 5},
            ArgumentTypeError,
            "^rng must be callable, not 'int'$",
        ),
        (
            {"dc_id": 2, "clock": "now"},
            ArgumentTypeError,
            "^clock must be callable, not 'str'$",
        ),
        (
            {"dc_id": 2, "new_msg_id": 4},
            ArgumentTypeError,
            "^new_msg_id must be callable, not 'int'$",
        ),
    ],
)
def test_client_arguments(kw: dict[str, Any], error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        ClientHandshake(handshake.TEST_KEYS, **kw)


def test_client_key_arguments() -> None:
    with pytest.raises(
        ArgumentValueError, match="^rsa_keys must hold at least one key$"
    ):
        ClientHandshake([], dc_id=2)
    with pytest.raises(
        ArgumentTypeError,
        match=r"^rsa_keys\[1\] must be an RSAPublicKey or its PEM text",
    ):
        ClientHandshake([handshake.TEST_KEYS[0], 5], dc_id=2)  # type: ignore[list-item]
    with pytest.raises(
        ArgumentTypeError, match="^rsa_keys must be an RSAPublicKey or its PEM text"
    ):
        ClientHandshake(5, dc_id=2)  # type: ignore[arg-type]
    # One key, or PEM text, stands for a list of one.
    pem = server_key().public_key.to_pem()
    for keys in (pem, [pem], server_key().public_key):
        client = ClientHandshake(keys, dc_id=2)  # type: ignore[arg-type]
        out = client.receive(ServerHandshake([server_key()]).receive(client.start()))
        assert isinstance(out, bytes)


@pytest.mark.parametrize(
    ("kw", "error", "message"),
    [
        (
            {"clock": lambda: "now"},
            ArgumentTypeError,
            r"^clock\(\) must be an int or a float, not 'str'$",
        ),
        (
            {"clock": lambda: float("nan")},
            ArgumentValueError,
            r"^clock\(\) must be a finite number, got nan$",
        ),
        (
            {"clock": lambda: 10**400},  # beyond a float's range: not an OverflowError
            ArgumentValueError,
            r"^clock\(\) must be a finite number, got 1000",
        ),
        (
            {"new_msg_id": lambda: 6},
            ArgumentValueError,
            "^msg_id of a message from the client must be divisible by 4, got 6$",
        ),
        (
            {"new_msg_id": lambda: 1 << 63},
            ArgumentValueError,
            r"^new_msg_id\(\) must be in -9223372036854775808\.\.9223372036854775807",
        ),
        (
            {"new_msg_id": lambda: 4.0},
            ArgumentTypeError,
            r"^new_msg_id\(\) must be an int, not 'float'$",
        ),
    ],
)
def test_bad_clock_and_msg_ids_are_reported(
    kw: dict[str, Any], error: type, message: str
) -> None:
    client = ClientHandshake(handshake.TEST_KEYS, dc_id=2, **kw)
    with pytest.raises(error, match=message):
        client.start()
    assert client.state is HandshakeState.IDLE
    server = ServerHandshake([server_key()], new_msg_id=lambda: 8)
    with pytest.raises(
        ArgumentValueError,
        match="^msg_id of a message from the server must be odd, got 8$",
    ):
        server.receive(ClientHandshake(handshake.TEST_KEYS, dc_id=2).start())
    assert server.state is FAILED


def test_a_bad_rng_is_reported() -> None:
    client = ClientHandshake(handshake.TEST_KEYS, dc_id=2, rng=lambda n: bytes(n - 1))
    with pytest.raises(
        ArgumentValueError, match=r"^rng\(16\) must return 16 bytes, got 15 bytes$"
    ):
        client.start()
    # An rng that never gives a usable exponent: bounded, then an error.
    run = Run()
    real = run.client._rng
    run.client._rng = lambda n: bytes(n) if n == 256 else real(n)  # type: ignore[method-assign]
    with pytest.raises(
        ArgumentValueError,
        match="^rng gave 16 exponents b in a row that fail the range check",
    ):
        run.set_client_dh_params()


def test_errors_are_mtcore_errors() -> None:
    # Every exception class of the exchange is a MtcoreError; the checks'
    # are SecurityErrors (and so ValueErrors).
    for cls in (
        NonceMismatch,
        NonceHashMismatch,
        AnswerHashMismatch,
        FingerprintMismatch,
        RSAPadError,
        FieldMismatch,
        DHPrimeError,
    ):
        assert issubclass(cls, SecurityError) and issubclass(cls, ValueError)
    assert issubclass(HandshakeFailed, MtcoreError) and issubclass(
        HandshakeStateError, ValueError
    )


# --- check_dh_params ---------------------------------------------------------


@pytest.mark.parametrize(
    ("g", "ok"), [(2, False), (3, True), (4, True), (5, False), (6, False), (7, True)]
)
def test_generators_for_telegrams_prime(g: int, ok: bool) -> None:
    # The residue rules of core.telegram.org/mtproto/auth_key, checked
    # against Euler's criterion: g is a square mod p.
    p = _dh.TELEGRAM_DH_PRIME
    assert (pow(g, (p - 1) // 2, p) == 1) is ok
    if ok:
        handshake.check_dh_params(p, g)
    else:
        with pytest.raises(DHGeneratorError):
            handshake.check_dh_params(p, g)


def test_generator_rules_match_eulers_criterion() -> None:
    p = RFC3526_2048
    for g in range(2, 8):
        is_square = pow(g, (p - 1) // 2, p) == 1
        modulus, residues = _dh.GENERATOR_RULES[g]
        assert (p % modulus in residues) is is_square


def test_a_new_prime_is_tested_once() -> None:
    handshake.check_dh_params(RFC3526_2048, 2)
    assert _dh._verdicts.get(RFC3526_2048) is True
    handshake.check_dh_params(RFC3526_2048, 4)  # from the cache
    assert _dh.TELEGRAM_DH_PRIME not in _dh._verdicts  # known at once


def test_small_primes_match_the_reference() -> None:
    # The server's p and q come from is_small_prime (bases 2, 7 and 61: a
    # base that is a multiple of n, as 61 is of 61, must not count against it).
    assert [n for n in range(5000) if _dh.is_small_prime(n)] == [
        n for n in range(5000) if is_prime(n)
    ]
    near = range(0x7FFFF000, 0x80000000)
    assert [n for n in near if _dh.is_small_prime(n)] == [n for n in near if is_prime(n)]


def test_check_dh_range_limits() -> None:
    p = _dh.TELEGRAM_DH_PRIME
    handshake.check_dh_range("x", 1 << 1984, p)
    handshake.check_dh_range("x", p - (1 << 1984), p)
    for bad in (0, 1, (1 << 1984) - 1, p - (1 << 1984) + 1, p - 1, p):
        with pytest.raises(DHRangeError):
            handshake.check_dh_range("x", bad, p)


# --- binding a temporary key -------------------------------------------------


def ref_kdf_v1(key: bytes, msg_key: bytes, x: int = 0) -> tuple[bytes, bytes]:
    # core.telegram.org/mtproto/description_v1
    a = sha1(msg_key, key[x : x + 32])
    b = sha1(key[32 + x : 48 + x], msg_key, key[48 + x : 64 + x])
    c = sha1(key[64 + x : 96 + x], msg_key)
    d = sha1(msg_key, key[96 + x : 128 + x])
    return a[:8] + b[8:20] + c[4:16], a[8:20] + b[:8] + c[16:20] + d[:8]


PERM = bytes(range(256))
TEMP = bytes(range(255, -1, -1))


def bind(**kw: Any) -> Any:
    args = {
        "msg_id": 0x6000000000000004,
        "temp_session_id": 0x1122334455667788,
        "expires_at": 1_800_000_000,
    }
    args.update(kw)
    return handshake.bind_temp_auth_key_message(PERM, TEMP, rng=seeded(21), **args)


def test_bind_message_against_a_reference() -> None:
    req = bind()
    assert req.tl_name == "auth.bindTempAuthKey"
    perm_id, temp_id = sha1(PERM)[12:20], sha1(TEMP)[12:20]
    assert req.perm_auth_key_id == int.from_bytes(perm_id, "little", signed=True)
    assert req.expires_at == 1_800_000_000
    enc = req.encrypted_message
    assert enc[:8] == perm_id and len(enc) == 8 + 16 + 80
    msg_key = enc[8:24]
    key, iv = ref_kdf_v1(PERM, msg_key)
    data = ref_ige(key, iv, enc[24:], decrypt=True)
    assert sha1(data[:72])[4:20] == msg_key
    msg_id, seqno, length = struct.unpack_from("<qii", data, 16)
    assert (msg_id, seqno, length) == (0x6000000000000004, 0, 40)
    inner = tl.decode(data[32:72])
    assert inner.tl_name == "bind_auth_key_inner"
    assert inner.nonce == req.nonce
    assert inner.temp_auth_key_id == int.from_bytes(temp_id, "little", signed=True)
    assert inner.perm_auth_key_id == req.perm_auth_key_id
    assert inner.temp_session_id == 0x1122334455667788
    assert inner.expires_at == 1_800_000_000
    # The wire form of the session id, and an unsigned one, mean the same.
    assert bind(temp_session_id=struct.pack("<q", 0x1122334455667788)) == req
    assert bytes(bind(nonce=-5)).startswith(bytes(req)[:12])


def verify(req: Any, **kw: Any) -> int:
    args = {
        "temp_key": TEMP,
        "temp_session_id": 0x1122334455667788,
        "msg_id": 0x6000000000000004,
    }
    args.update(kw)
    return handshake.verify_bind_temp_auth_key(req, PERM, **args)


def test_verify_bind_accepts_and_names_what_differs() -> None:
    req = bind()
    assert verify(req) == verify(bytes(req)) == 1_800_000_000
    for kw, field in (
        ({"temp_session_id": 1}, "temp_session_id"),
        ({"msg_id": 8}, "msg_id"),
        ({"temp_key": PERM}, "temp_auth_key_id"),
    ):
        with pytest.raises(
            FieldMismatch, match=rf"^bind_auth_key_inner\.{field} is not the one"
        ):
            verify(req, **kw)
    values = {k: v for k, v in req.to_dict().items() if k != "_"}
    for field in ("nonce", "expires_at"):
        other = tl.functions.auth.bindTempAuthKey(
            **{**values, field: values[field] + 1}
        )
        with pytest.raises(FieldMismatch, match=rf"\.{field} is not"):
            verify(other)
    with pytest.raises(AuthKeyIdMismatch):
        verify(tl.functions.auth.bindTempAuthKey(**{**values, "perm_auth_key_id": 1}))
    enc = bytearray(values["encrypted_message"])
    enc[40] ^= 1
    with pytest.raises(MessageKeyMismatch):
        verify(
            tl.functions.auth.bindTempAuthKey(
                **{**values, "encrypted_message": bytes(enc)}
            )
        )
    with pytest.raises(
        FieldMismatch, match=r"encrypted_message must be 104 bytes, got 88$"
    ):
        verify(
            tl.functions.auth.bindTempAuthKey(
                **{**values, "encrypted_message": bytes(enc[:88])}
            )
        )
    with pytest.raises(
        ArgumentTypeError, match="request must be an auth.bindTempAuthKey"
    ):
        verify(tl.functions.auth.logOut())


def test_bind_arguments() -> None:
    with pytest.raises(
        ArgumentValueError,
        match=r"^msg_id of a message from the client must be divisible by 4, got 5$",
    ):
        bind(msg_id=5)
    with pytest.raises(
        ArgumentTypeError, match="^temp_session_id must be an int or 8 bytes"
    ):
        bind(temp_session_id="x")
    with pytest.raises(InvalidLength, match="^temp_session_id must be 8 bytes, got 3$"):
        bind(temp_session_id=b"abc")
    with pytest.raises(InvalidLength, match="^auth_key must be 256 bytes, got 3$"):
        handshake.bind_temp_auth_key_message(
            b"abc", TEMP, msg_id=4, temp_session_id=1, expires_at=1
        )


def test_bind_with_keys_from_exchanges() -> None:
    perm = Run(30).finish()
    temp = Run(31, client={"expires_in": 600}).finish()
    assert temp.expires_at is not None
    req = handshake.bind_temp_auth_key_message(
        perm.auth_key,
        temp.auth_key,
        msg_id=1 << 40,
        temp_session_id=9,
        expires_at=temp.expires_at,
    )
    assert (
        handshake.verify_bind_temp_auth_key(
            req,
            perm.auth_key,
            temp_key=temp.auth_key,
            temp_session_id=9,
            msg_id=1 << 40,
        )
        == temp.expires_at
    )


def test_module_attributes() -> None:
    import mtcore

    assert mtcore.handshake is handshake
    with pytest.raises(AttributeError, match="has no attribute 'NOPE'"):
        handshake.NOPE  # noqa: B018
    assert re.fullmatch(
        r"RSAPublicKey\(fingerprint=0x[0-9a-f]{16}\)", repr(handshake.TEST_KEYS[0])
    )


def test_readme_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    # The README's in-memory exchange, as written there ("the whole program").
    exec(compile(readme_python("Auth key exchange"), "<README.md>", "exec"), {})  # noqa: S102
    printed = capsys.readouterr().out.split()
    assert len(printed) == 3 and printed[0].startswith("AuthKey(")
