"""
Fuzz target: the intermediate framing's ``feed`` (mtcore.transport.Intermediate), on
the client and the server side, plain and obfuscated (and with an MTProxy
secret), whole and chunked: see ``fuzzlib.transport_target``.

Input: a control byte, then the plaintext stream the side receives.

Run: ``python tests/fuzz/fuzz_transport_intermediate.py CORPUS_DIR [libFuzzer flags]``.
"""

from __future__ import annotations

from fuzzlib import instrumented, run, transport_target

with instrumented():
    from mtcore.transport import Intermediate


def target(data: bytes) -> None:
    transport_target(Intermediate, data)


if __name__ == "__main__":
    run(target)
