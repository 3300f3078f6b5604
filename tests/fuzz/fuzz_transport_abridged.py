"""
Fuzz target: the abridged framing's ``feed`` (mtcore.transport.Abridged), on
the client and the server side, plain and obfuscated (and with an MTProxy
secret), whole and chunked: see ``fuzzlib.transport_target``.

Input: a control byte, then the plaintext stream the side receives.

Run: ``python tests/fuzz/fuzz_transport_abridged.py CORPUS_DIR [libFuzzer flags]``.
"""

from __future__ import annotations

from fuzzlib import instrumented, run, transport_target

with instrumented():
    from mtcore.transport import Abridged


def target(data: bytes) -> None:
    transport_target(Abridged, data)


if __name__ == "__main__":
    run(target)
