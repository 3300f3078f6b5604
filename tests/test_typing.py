"""
What a type checker sees of mtcore (issue 12): ``mypy --strict`` on a
user's snippet for each public module must accept the normal uses (bytes
results, ``out=`` giving back its own type, any buffer as input) and
reject each misuse planted on a line marked ``# E``, and nothing else.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from utils import run_mypy

pytest.importorskip("mypy", reason="mypy is a test extra")

SNIPPETS = {
    "aes": """
        from mtcore import aes
        key, iv = bytes(32), bytes(32)
        ct: bytes = aes.ige_encrypt(b"x" * 16, key, iv)
        buf = bytearray(16)
        same: bytearray = aes.ige_decrypt(memoryview(ct), key, iv, out=buf)
        cbc: bytes = aes.cbc_encrypt(bytearray(16), key, iv[:16])
        stream = aes.Ctr(key, iv[:16])
        ks: bytes = stream.update(memoryview(b"ab"))
        n: int = stream.update_into(b"ab", bytearray(2))
        many: list[bytes] = aes.ige_encrypt_many([(b"", key, iv)])
        aes.ige_encrypt("str", key, iv)  # E
        aes.cbc_decrypt(b"", None, iv)  # E
        aes.Ctr(key, 16)  # E
        wrong: str = aes.ige_encrypt(b"", key, iv)  # E
    """,
    "hashes": """
        from mtcore import hashes
        digest: bytes = hashes.sha256(b"a", bytearray(b"b"), memoryview(b"c"))
        short: bytes = hashes.sha1()
        hashes.sha256(1)  # E
        hashes.sha1("text")  # E
    """,
    "mtproto": """
        from mtcore import mtproto
        ak = mtproto.AuthKey(bytes(256))
        kid: bytes = ak.key_id
        pkt: bytes = mtproto.pack_message(
            ak, salt=1, session_id=b"\\0" * 8, msg_id=4, seq_no=0, body=b""
        )
        msg = mtproto.unpack_message(bytes(256), pkt, session_id=1)
        body: bytes = msg.body
        salt: int = msg.salt
        key: bytes = mtproto.msg_key(ak, b"x" * 32, from_client=True)
        out = bytearray(mtproto.encrypted_length(32))
        same: bytearray = mtproto.encrypt_message(ak, bytes(32), from_client=True, out=out)
        mtproto.pack_message(ak, salt="x", session_id=1, msg_id=4, seq_no=0, body=b"")  # E
        mtproto.decrypt_message(ak, "packet", from_client=False)  # E
        mtproto.encrypt_messages(ak, [1], from_client=True)  # E
    """,
    "auth": """
        from mtcore import auth
        p, q = auth.factorize_pq(15)
        pq: tuple[int, int] = auth.factorize_pq(b"\\x0f")
        auth.factorize_pq("15")  # E
    """,
    "login": """
        from mtcore import login
        url: str = login.login_url(bytearray(b"tok"))
        token: bytes = login.parse_login_url(url)
        flow = login.QRLoginFlow(1, "0123456789abcdef0123456789abcdef")
        action = flow.start()
        login.login_url(5)  # E
        login.parse_login_url(b"tg://login?token=AA")  # E
    """,
    "handshake": """
        from mtcore import handshake
        hs = handshake.ClientHandshake(handshake.PRODUCTION_KEYS, dc_id=2)
        first: bytes = hs.start()
        out = hs.receive(memoryview(b""))
        if isinstance(out, handshake.AuthKeyResult):
            salt: int = out.server_salt
        key = handshake.RSAPrivateKey.generate()
        reply: bytes = handshake.ServerHandshake([key]).receive(first)
        fingerprint: int = key.public_key.fingerprint
        padded: bytes = handshake.rsa_pad(bytearray(b"x"), key.public_key)
        handshake.ClientHandshake(handshake.TEST_KEYS, dc_id="2")  # E
        handshake.rsa_pad("x", key.public_key)  # E
        wrong: str = hs.start()  # E
    """,
    "srp": """
        from mtcore import srp
        algo = object()
        verifier: bytes = srp.make_verifier("pw", algo)
        x: bytes = srp.password_hash(b"pw", algo)
        check = srp.compute_check(object(), "pw")
        srp.ServerSession(verifier, algo).verify(check)
        srp.compute_check(object(), 5)  # E
        srp.make_verifier(None, algo)  # E
        bad: int = srp.password_hash("pw", algo)  # E
    """,
    "compat": """
        from mtcore.compat import cryptg, tgcrypto
        from mtcore.compat.telethon import AESModeCTR
        key, iv = bytes(32), bytes(32)
        t: bytes = tgcrypto.ige256_encrypt(b"", key, iv)
        c: bytes = tgcrypto.ctr256_encrypt(b"x", key, bytearray(16), bytearray(1))
        e: bytes = cryptg.encrypt_ige(b"", key, iv)
        d: bytes = cryptg.decrypt_ige(bytearray(16), key, iv)
        ctr: bytes = AESModeCTR(key, iv[:16]).encrypt(b"x")
        tgcrypto.ige256_encrypt("x", key, iv)  # E
        cryptg.encrypt_ige(1, key, iv)  # E
        AESModeCTR("k", iv)  # E
    """,
    "tl": """
        from mtcore import tl
        obj = tl.decode(bytes(tl.functions.ping(ping_id=1)))
        if isinstance(obj, tl.types.auth.loginToken):
            token: bytes = obj.token
        ids = tl.decode(b"", type="Vector<long>")
        data: bytes = tl.encode(tl.functions.ping(ping_id=1))
        w = tl.Writer()
        w.write_int(1)
        raw: bytes = w.getvalue()
        obj.token  # E
        tl.decode("text")  # E
    """,
    "transport": """
        from mtcore import transport
        codec = transport.Intermediate(server=False, max_frame=1 << 20)
        wire: bytes = codec.encode(memoryview(b"abcd"), quick_ack=True)
        frames: list[transport.Frame] = codec.feed(bytearray(b""))
        padded: bytes = transport.PaddedIntermediate().encode(b"abcd", padding=b"")
        obf = transport.Obfuscated(transport.Abridged(), dc_id=-2, secret="dd" + "00" * 16)
        head: bytes = obf.start()
        key: bytes = transport.parse_proxy_secret(b"0" * 16).key
        code: int = transport.TransportFailure(404).code
        codec.encode("text")  # E
        transport.Obfuscated(transport.Abridged(), dc_id="2")  # E
        wrong: str = codec.encode(b"")  # E
    """,
    "session": """
        from typing import Optional
        from mtcore import session, tl
        s = session.Session(bytes(256), salt=b"\\0" * 8, time_offset=1.5)
        req: session.Request = s.send(tl.functions.help.getConfig())
        packets: list[bytes] = s.flush(1.0)
        events: list[session.Event] = s.receive(bytearray(), 1.0, padded=True)
        when: Optional[float] = s.next_flush(2)
        srv = session.ServerSession(bytes(256), salt=1)
        srv.reply_error(4, 420, "FLOOD_WAIT_1")
        s.flush("now")  # E
        s.receive(5, 1.0)  # E
        srv.reply_error(4, "420", "X")  # E
    """,
    "mtcore": """
        import mtcore
        info: dict[str, object] = mtcore.backend_info()
        version: str = mtcore.__version__
        url: str = mtcore.login.login_url(b"t")
        mtcore.nothing  # E
    """,
}


@pytest.mark.parametrize("module", sorted(SNIPPETS))
def test_public_module_types(tmp_path: Path, module: str) -> None:
    snippet = textwrap.dedent(SNIPPETS[module]).lstrip()
    errors, report = run_mypy(tmp_path, snippet)
    planted = [i for i, line in enumerate(snippet.splitlines(), 1) if line.endswith("# E")]
    got = sorted({int(e.split(":")[1]) for e in errors})
    assert got == planted, f"mypy --strict said:\n{textwrap.indent(report, '    ')}"


def test_package_is_strictly_typed(tmp_path: Path) -> None:
    # mtcore's own sources pass mypy --strict (py.typed promises users
    # that the annotations hold).  The sources are this checkout's: the
    # installed copy is the same files.
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    if not (root / "mtcore" / "__init__.py").exists():
        pytest.skip("the mtcore sources are not beside tests/ (an installed copy)")
    # The pure twin imports cryptography: without it (no wheel on 3.13t)
    # mypy cannot follow those imports, and this fails naming the module.
    import cryptography  # noqa: F401

    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path), "-p", "mtcore"],
        cwd=root,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
