# Included by _cmtcore.pyx: the integer rule of _wire.pxd (the pure side's
# is mtcore/_wire.py).

cdef object _LONG_MIN = -(1 << 63)
cdef object _LONG_MAX = (1 << 64) - 1
cdef object _WORD_MIN = -(1 << 31)
cdef object _WORD_MAX = (1 << 32) - 1


cdef inline long long _wire_int(object v, str name, int *overflow) except? -1:
    # v as a long long (*overflow set, and -1 returned, where it does not
    # fit); the error naming name if v is not an int.
    if not isinstance(v, int):
        raise _errors.not_int(name, v)
    return PyLong_AsLongLongAndOverflow(v, overflow)


cdef int64_t wire_long(object v, str name) except? -1:
    cdef int overflow = 0
    cdef long long x = _wire_int(v, name, &overflow)
    if overflow == 0:
        return x
    if overflow > 0 and v <= _LONG_MAX:
        return <int64_t>PyLong_AsUnsignedLongLong(v)
    raise _errors.out_of_range(name, _LONG_MIN, _LONG_MAX, v)


cdef int32_t wire_word(object v, str name) except? -1:
    cdef int overflow = 0
    cdef long long x = _wire_int(v, name, &overflow)
    if overflow != 0 or x < -0x80000000 or x > 0xFFFFFFFF:
        raise _errors.out_of_range(name, _WORD_MIN, _WORD_MAX, v)
    return <int32_t><uint32_t>x
