"""
The wire rules both backends share, in one place for the Python side
(mtcore/_wire.pxd and _wire.pyx are the compiled side's): the service
constructor numbers and the integer ranges of TL and MTProto
(core.telegram.org/mtproto/serialize, core.telegram.org/mtproto/description).
"""

from __future__ import annotations

BOOL_TRUE_ID = 0x997275B5
BOOL_FALSE_ID = 0xBC799737
VECTOR_ID = 0x1CB5C415
GZIP_ID = 0x3072CFA1
CONTAINER_ID = 0x73F1F8DC
MESSAGE_ID = 0x5BB8E511

INT32_MIN = -(1 << 31)
INT32_MAX = (1 << 31) - 1
UINT32_MAX = (1 << 32) - 1
INT64_MIN = -(1 << 63)
INT64_MAX = (1 << 63) - 1
UINT64_MAX = (1 << 64) - 1
#: A TL bytes value is shorter than this (its length has three bytes).
BYTES_LIMIT = 1 << 24

#: A TL long may be given signed or unsigned: -2**63..2**64-1.
LONG_RANGE = (INT64_MIN, UINT64_MAX)
#: So may an int where MTProto reads a 32-bit word (seq_no).
WORD_RANGE = (INT32_MIN, UINT32_MAX)


def signed(value: int, bits: int) -> int:
    """The two's-complement signed value of a bits-wide unsigned one."""
    return value - (1 << bits) if value >= 1 << (bits - 1) else value
