"""
Fuzz target: :meth:`mtcore.handshake.ClientHandshake.receive` of hostile
server answers, at each step of an exchange with the fixed server of
``exchange.py``.

Input: one control byte, then the payload.  Control bits 0-1 pick the
step (0: the answer to ``req_pq_multi``, 1: to ``req_DH_params``, 2 or 3:
to ``set_client_DH_params``), bit 2 the form:

* raw: the payload is the whole unencrypted message;
* sealed, so that the checks inside are reached: at step 0 the payload is
  the TL body of ``resPQ``, the client's nonce written over its bytes
  4..20; at step 1 it is the bytes of ``server_DH_inner_data`` (nonces
  written over bytes 4..36), under their SHA-1 and the temporary AES key
  in a ``server_DH_params_ok`` with the right nonces; at step 2 its first
  byte picks ``dh_gen_ok``, ``_retry`` or ``_fail`` and the next 16 are
  XORed into the right ``new_nonce_hash``.

Oracle: only mtcore errors are raised, and after one the exchange is
``FAILED``; no message quotes new_nonce, the temporary AES key or IV, or
the auth key; a ``dh_gen_ok`` that passes gives the recorded key.

Run: ``python tests/fuzz/fuzz_handshake_client.py CORPUS_DIR [libFuzzer flags]``.
"""

from __future__ import annotations

import hashlib

from exchange import body, client, plain, receive, recorded, seal, tmp_key_iv
from fuzzlib import Finding, instrumented, run

with instrumented():
    from mtcore import tl
    from mtcore.handshake import AuthKeyResult

_DH_GEN = ("dh_gen_ok", "dh_gen_retry", "dh_gen_fail")


def sealed(step: int, payload: bytes) -> bytes:
    """
    The server message of ``step`` made around ``payload`` (see above).
    """
    ex = recorded()
    res = body(ex.answers[0])
    nonce, server_nonce = res.nonce, res.server_nonce
    if step == 0:
        data = payload[:4] + nonce + payload[20:] if len(payload) >= 20 else payload
        return plain(data, from_client=False)
    if step == 1:
        inner = payload
        if len(inner) >= 36:
            inner = inner[:4] + nonce + server_nonce + inner[36:]
        key, iv = tmp_key_iv(ex.new_nonce, server_nonce)
        ok = tl.types.server_DH_params_ok(
            nonce=nonce,
            server_nonce=server_nonce,
            encrypted_answer=seal(inner, key, iv),
        )
        return plain(bytes(ok), from_client=False)
    number = payload[0] % 3 + 1 if payload else 1
    aux = hashlib.sha1(ex.auth_key).digest()[:8]
    right = hashlib.sha1(ex.new_nonce + bytes([number]) + aux).digest()[4:20]
    mask = payload[1:17].ljust(16, b"\0")
    value = bytes(a ^ b for a, b in zip(right, mask))
    answer = getattr(tl.types, _DH_GEN[number - 1])(
        nonce=nonce, server_nonce=server_nonce, **{f"new_nonce_hash{number}": value}
    )
    return plain(bytes(answer), from_client=False)


def target(data: bytes) -> None:
    if not data:
        return
    step = min(data[0] & 3, 2)
    payload = data[1:]
    message = sealed(step, payload) if data[0] & 4 else payload
    ex = recorded()
    hs, _ = client()
    hs.start()
    for answer in ex.answers[:step]:
        hs.receive(answer)  # the recorded exchange: it must pass
    got = receive(hs, message, ex)
    if got[0] != "ok":
        return
    out = got[1]
    if isinstance(out, AuthKeyResult) and bytes(out.auth_key) != ex.auth_key:
        raise Finding("dh_gen_ok accepted with another key")
    if not isinstance(out, (bytes, AuthKeyResult)):
        raise Finding(f"receive() returned a {type(out).__name__}")


if __name__ == "__main__":
    # the RSA key and the recorded exchange (seconds of prime search) before
    # the fuzzer times its first input
    recorded()
    run(target)
