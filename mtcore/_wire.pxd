# The wire rules both backends share, for the compiled side (the Python
# side's are mtcore/_wire.py): the service constructor numbers, and the
# signed-or-unsigned integer rule (defined in _wire.pyx).

from libc.stdint cimport int32_t, int64_t, uint32_t

cdef extern from *:
    """
    #define MTC_WIRE_BOOL_TRUE 0x997275b5u
    #define MTC_WIRE_BOOL_FALSE 0xbc799737u
    #define MTC_WIRE_VECTOR 0x1cb5c415u
    #define MTC_WIRE_GZIP 0x3072cfa1u
    #define MTC_WIRE_CONTAINER 0x73f1f8dcu
    #define MTC_WIRE_MESSAGE 0x5bb8e511u
    """
    const uint32_t TL_BOOL_TRUE "MTC_WIRE_BOOL_TRUE"
    const uint32_t TL_BOOL_FALSE "MTC_WIRE_BOOL_FALSE"
    const uint32_t TL_VECTOR "MTC_WIRE_VECTOR"
    const uint32_t TL_GZIP "MTC_WIRE_GZIP"
    const uint32_t TL_CONTAINER "MTC_WIRE_CONTAINER"
    const uint32_t TL_MESSAGE "MTC_WIRE_MESSAGE"

cdef enum:
    TL_BYTES_MAX = 0xFFFFFF     # TL's 3-byte length

# v as a 64-bit word given signed (-2**63..2**63-1) or unsigned (up to
# 2**64-1, taken as its two's complement); otherwise the error naming name.
cdef int64_t wire_long(object v, str name) except? -1
# The same for a 32-bit word (-2**31..2**32-1).
cdef int32_t wire_word(object v, str name) except? -1
