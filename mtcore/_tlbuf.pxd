# Table of contents of _tlbuf.pyx, the TL primitive writer and reader
# (core.telegram.org/mtproto/serialize); the pure twin is
# mtcore/_py/tlbuf.py.  Included by
# _cmtcore.pxd, so Cython code in the extension (the TL codec) calls the
# cdef methods below directly.
#
# The cdef methods are the C-level API: they take C values that are already
# in range, and raise (except -1 / except NULL) only for memory or bounds.
# The def methods (write_int, read_long, ...) validate Python arguments,
# with the texts of mtcore/_errors.py, and call them.

from libc.stdint cimport int32_t, int64_t, uint32_t


# Bytes of inline storage in every TLWriter before it allocates.
cdef enum:
    TL_INLINE_SIZE = 64


cdef struct TLFrame:
    # The input of a TLReader, read front to back (after FRBuffer in
    # MagicStack/py-pgproto frb.pxd, plus the start so errors can say the
    # offset).
    const char *buf     # the first byte of the input
    Py_ssize_t len      # the input's size
    Py_ssize_t pos      # the offset of the next byte to read, 0..len


cdef class TLWriter:
    cdef:
        char *_buf          # _inline, or heap memory from PyMem_Malloc
        Py_ssize_t _size    # capacity of _buf
        Py_ssize_t _length  # bytes written
        char _inline[TL_INLINE_SIZE]  # the storage of small messages

    # Make room for extra more bytes (MemoryError when it cannot).
    cdef int _grow(self, Py_ssize_t extra) except -1
    cdef inline int reserve(self, Py_ssize_t extra) except -1
    # Append n bytes from p.
    cdef int write_mem(self, const char *p, Py_ssize_t n) except -1
    cdef int write_int32(self, int32_t v) except -1
    cdef int write_uint32(self, uint32_t v) except -1
    cdef int write_int64(self, int64_t v) except -1
    cdef int write_float64(self, double v) except -1
    # TL bytes: prefix, data, zero padding; n must be < 2**24.
    cdef int write_tl_bytes(self, const char *p, Py_ssize_t n) except -1
    # write_int128/int256: a buffer of exactly size bytes, named name.
    cdef int _write_fixed(self, object b, str name, Py_ssize_t size) except -1
    # write_vector_long/int: a list or tuple, all or nothing.
    cdef int _vector(self, object seq, bint is_long) except -1


cdef class TLReader:
    cdef:
        TLFrame frame       # the input and the position
        object _owner       # the bytes object frame.buf points into

    # The next n bytes (consumed), or TLDecodeError naming what.
    cdef const char *read_mem(self, Py_ssize_t n, str what) except NULL
    cdef int32_t read_int32(self, str what) except? -1
    cdef uint32_t read_uint32(self, str what) except? 0xFFFFFFFF
    cdef int64_t read_int64(self, str what) except? -1
    # The data of a TL bytes value (prefix and padding consumed); its
    # length goes to *n.
    cdef const char *read_tl_bytes(self, str what, Py_ssize_t *n) except NULL
    # A vector count (the 0x1cb5c415 first when boxed) that elements of at
    # least min_size bytes can fit in the bytes left; checked before the
    # caller allocates anything.
    cdef Py_ssize_t read_count_c(self, str what, bint boxed,
                                 Py_ssize_t min_size) except -1
    # The next n bytes (consumed) as a reader of their own over the same
    # memory (offsets from their start), or TLDecodeError naming what.
    cdef TLReader sub(self, Py_ssize_t n, str what)
    # The n argument of read_raw and read_sub: an int >= 0 that the bytes
    # left hold (else the error naming n, or what and the sizes).
    cdef Py_ssize_t size_arg(self, object n, str what) except -1
