"""
Fuzz target: the full framing's ``feed`` (mtcore.transport.Full), on
the client and the server side (it has no obfuscation), whole and
chunked: see ``fuzzlib.transport_target``.

Input: a control byte, then the plaintext stream the side receives.

Run: ``python tests/fuzz/fuzz_transport_full.py CORPUS_DIR [libFuzzer flags]``.
"""

from __future__ import annotations

from fuzzlib import instrumented, run, transport_target

with instrumented():
    from mtcore.transport import Full


def target(data: bytes) -> None:
    transport_target(Full, data)


if __name__ == "__main__":
    run(target)
