"""
Fuzz target: MTProto 2.0 ``decrypt_message``, ``decrypt_message_into`` and
``unpack_message`` of hostile packets under a fixed key, on the pure twin
and every compiled (AES, SHA) kernel pair this machine runs.

Input: one control byte, then the payload.  Control bits 0-1 pick the
mode, bit 2 the direction (``from_client``), bit 3 whether the key is
passed as the backend's ``AuthKey`` or as its 256 bytes:

* mode 0: the payload is the packet;
* mode 1: the packet is the key's auth_key_id followed by the payload
  (so the length and msg_key checks are reached);
* modes 2 and 3: the payload, zero-filled to a multiple of 16 bytes, is
  the plaintext of a correctly encrypted packet (its msg_key right), so
  every check after msg_key is reached: message_data_length, padding,
  session_id and msg_id parity.

Oracle: every implementation gives the same result or the same
``SecurityError`` (type and text); nothing else may be raised;
``decrypt_message_into`` leaves the same bytes in ``out``; a packet that
decrypts gives its plaintext back (modes 2 and 3).

Run: ``python tests/fuzz/fuzz_mtproto_decrypt.py CORPUS_DIR [libFuzzer flags]``.
"""

from __future__ import annotations

from typing import Any

from fuzzlib import Finding, compiled_module, instrumented, outcome, run, same

with instrumented():
    import mtcore._py as py
    from mtcore._py.aes import ige_encrypt
    from mtcore.exceptions import SecurityError

# Fixed test material (not a secret): bytes 0..255, and a session id.
AUTH_KEY = bytes(range(256))
SESSION_ID = 0x0123456789ABCDEF
KEY_ID = py.AuthKey(AUTH_KEY).key_id


def implementations() -> list[tuple[str, Any, Any]]:
    """
    The pure twin, then each compiled (AES, SHA) kernel pair: a name, the
    functions and the key as that backend's ``AuthKey``.
    """
    impls: list[tuple[str, Any, Any]] = [("python", py, py.AuthKey(AUTH_KEY))]
    c = compiled_module()
    if c is not None:
        for aes in c.aes_kernels():
            for sha in c.sha_kernels():
                kernel = c.MtprotoKernel(aes, sha)
                impls.append((f"c-{aes}/{sha}", kernel, c.AuthKey(AUTH_KEY)))
    return impls


IMPLS = implementations()


def encrypt_exactly(plaintext: bytes, from_client: bool) -> bytes:
    """
    The packet of ``plaintext`` (a multiple of 16 bytes, taken as header,
    data and padding whatever they say), built by the formulas.
    """
    mkey = py.msg_key(AUTH_KEY, plaintext, from_client=from_client)
    key, iv = py.kdf(AUTH_KEY, mkey, from_client=from_client)
    return KEY_ID + mkey + ige_encrypt(plaintext, key, iv)


def target(data: bytes) -> None:
    if not data:
        return
    mode, from_client, as_bytes = data[0] & 3, bool(data[0] & 4), bool(data[0] & 8)
    payload = data[1:]
    if mode == 0:
        packet = payload
    elif mode == 1:
        packet = KEY_ID + payload
    else:
        plaintext = payload + bytes(-len(payload) % 16)
        packet = encrypt_exactly(plaintext, from_client)
    allowed = (SecurityError,)

    outs = []
    for name, impl, auth_key in IMPLS:
        key = AUTH_KEY if as_bytes else auth_key
        dec = outcome(
            lambda: impl.decrypt_message(key, packet, from_client=from_client), allowed
        )
        out = bytearray(b"\xa5" * (len(packet) + 7))
        into = outcome(
            lambda: impl.decrypt_message_into(
                key, packet, out, from_client=from_client
            ),
            allowed,
        )
        unpacked = outcome(
            lambda: impl.unpack_message(
                key, packet, session_id=SESSION_ID, from_client=from_client
            ),
            allowed,
        )
        outs.append((name, dec, into, bytes(out), unpacked))

    ref = outs[0]
    for other in outs[1:]:
        for i, what in ((1, "decrypt_message"), (2, "decrypt_message_into")):
            same(ref[i], other[i], f"{what}: {ref[0]} != {other[0]}")
        if ref[3] != other[3]:
            raise Finding(f"decrypt_message_into out: {ref[0]} != {other[0]}")
        same(ref[4], other[4], f"unpack_message: {ref[0]} != {other[0]}")

    _, dec, into, out_bytes, unpacked = ref
    n = max(len(packet) - 24, 0)
    if dec[0] == "ok":
        if into != ("ok", len(dec[1])) or out_bytes[: len(dec[1])] != dec[1]:
            raise Finding(f"decrypt_message_into disagrees with decrypt_message: {into}")
        if mode >= 2 and not plaintext.startswith(dec[1]):
            raise Finding("decrypt_message did not give the plaintext back")
    elif (
        into[0] == "ok"
        or out_bytes[:n] not in (bytes(n), b"\xa5" * n)
        or out_bytes[n:].strip(b"\xa5")
    ):
        # On a failed check no decrypted byte may be left in out.
        raise Finding(f"decrypt_message_into after a failed check: {into}")
    if unpacked[0] == "ok" and (dec[0] != "ok" or dec[1][32:] != unpacked[1].body):
        raise Finding(f"unpack_message accepted what decrypt_message did not: {dec}")


if __name__ == "__main__":
    run(target)
