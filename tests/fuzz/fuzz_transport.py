"""
Fuzz target: the ``feed`` of every framing of mtcore.transport (Abridged,
Intermediate, PaddedIntermediate, Full), on the client and the server
side, plain and obfuscated (and with an MTProxy secret), whole and
chunked: see ``fuzzlib.transport_target``.

Input: a selector byte, which picks the framing
(``FRAMINGS[selector % len(FRAMINGS)]``), a control byte, then the
plaintext stream the side receives.

Run: ``python tests/fuzz/fuzz_transport.py CORPUS_DIR [libFuzzer flags]``.
"""

from __future__ import annotations

from fuzzlib import instrumented, run, transport_target

with instrumented():
    from mtcore.transport import Abridged, Full, Intermediate, PaddedIntermediate

#: The framings, in the order the selector byte numbers them.
FRAMINGS = (Abridged, Intermediate, PaddedIntermediate, Full)


def target(data: bytes) -> None:
    if not data:
        return
    transport_target(FRAMINGS[data[0] % len(FRAMINGS)], data[1:])


if __name__ == "__main__":
    run(target)
