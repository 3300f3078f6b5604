"""
Fuzz target: :meth:`mtcore.handshake.ServerHandshake.receive` of hostile
client messages, at each step of an exchange with the fixed client of
``exchange.py``.

Input: one control byte, then the payload.  Control bits 0-1 pick the
step (0: the first message, 1: ``req_DH_params``, 2 or 3:
``set_client_DH_params``), bit 2 the form, bit 3 (sealed step 1) the RSA
padding:

* raw: the payload is the whole unencrypted message;
* sealed, so that the checks inside are reached: at step 0 the payload is
  the TL body of the request; at step 1 it is the ``P_Q_inner_data``
  bytes (up to 144, or 235 with the legacy padding), under RSA_PAD or the
  legacy SHA-1 padding for the server's key, in a ``req_DH_params`` whose
  other fields are right; at step 2 it is the ``client_DH_inner_data``
  bytes under their SHA-1 and the temporary AES key, in a
  ``set_client_DH_params`` with the right nonces.

Oracle: only mtcore errors are raised, and after one the exchange is
``FAILED``; no message quotes new_nonce, the temporary AES key or IV, or
the auth key; an answer decodes as the TL object its step allows.

Run: ``python tests/fuzz/fuzz_handshake_server.py CORPUS_DIR [libFuzzer flags]``.
"""

from __future__ import annotations

import hashlib
import random

from exchange import body, plain, receive, recorded, seal, server, server_key, tmp_key_iv
from fuzzlib import Finding, instrumented, run

with instrumented():
    from mtcore import handshake, tl

_ANSWERS = (
    ("resPQ",),
    ("resPQ", "server_DH_params_ok"),
    ("dh_gen_ok", "dh_gen_retry", "dh_gen_fail"),
)


def sealed(step: int, payload: bytes, legacy: bool) -> bytes:
    """
    The client message of ``step`` made around ``payload`` (see above).
    """
    ex = recorded()
    if step == 0:
        return plain(payload, from_client=True)
    if step == 1:
        req = body(ex.sent[1])
        key = server_key().public_key
        if legacy:
            data = payload[:235]
            block = hashlib.sha1(data).digest() + data + bytes(235 - len(data))
            value = int.from_bytes(block, "big")
            encrypted = key.encrypt(value).to_bytes(256, "big")
        else:
            rng = random.Random(len(payload)).randbytes
            encrypted = handshake.rsa_pad(payload[:144], key, rng=rng)
        values = {k: v for k, v in req.to_dict().items() if k != "_"}
        values["encrypted_data"] = encrypted
        return plain(bytes(tl.functions.req_DH_params(**values)), from_client=True)
    req = body(ex.sent[2])
    key, iv = tmp_key_iv(ex.new_nonce, req.server_nonce)
    message = tl.functions.set_client_DH_params(
        nonce=req.nonce,
        server_nonce=req.server_nonce,
        encrypted_data=seal(payload, key, iv),
    )
    return plain(bytes(message), from_client=True)


def target(data: bytes) -> None:
    if not data:
        return
    step = min(data[0] & 3, 2)
    payload = data[1:]
    message = sealed(step, payload, bool(data[0] & 8)) if data[0] & 4 else payload
    ex = recorded()
    hs = server()
    for request in ex.sent[:step]:
        hs.receive(request)  # the recorded exchange: it must pass
    got = receive(hs, message, ex)
    if got[0] != "ok":
        return
    name = body(got[1]).tl_name
    if name not in _ANSWERS[step]:
        raise Finding(f"answered {name} at step {step}")
    if name == "dh_gen_ok" and (
        hs.result is None or len(bytes(hs.result.auth_key)) != 256
    ):
        raise Finding("dh_gen_ok without a result")


if __name__ == "__main__":
    # the RSA key and the recorded exchange (seconds of prime search) before
    # the fuzzer times its first input
    recorded()
    run(target)
