# Included by _cmtcore.pyx: the TL primitive writer and reader
# (core.telegram.org/mtproto/serialize).  Declarations and the
# C-level API are in _tlbuf.pxd; the pure twin is mtcore/_py/tlbuf.py.
#
# TLWriter follows WriteBuffer of MagicStack/py-pgproto buffer.pyx (inline
# small buffer, PyMem_Realloc growth), TLReader follows its FRBuffer
# (frb.pxd): one bounds check per read, raising TLDecodeError with the
# requested and remaining sizes.

from cpython.bool cimport PyBool_Check
from cpython.float cimport PyFloat_AsDouble, PyFloat_Check, PyFloat_FromDouble
from cpython.long cimport (
    PyLong_AsLongLongAndOverflow, PyLong_AsUnsignedLongLong, PyLong_Check,
    PyLong_FromLong, PyLong_FromLongLong, PyLong_FromUnsignedLong,
)
from cpython.mem cimport PyMem_Realloc
from cpython.unicode cimport (
    PyUnicode_AsUTF8AndSize, PyUnicode_AsUTF8String, PyUnicode_Check,
    PyUnicode_DecodeUTF8,
)
from cpython.list cimport PyList_Check
from cpython.tuple cimport PyTuple_Check
from libc.string cimport memset

cdef extern from "Python.h":
    bint PyUnicode_IS_ASCII(object o)
    const Py_ssize_t PY_SSIZE_T_MAX

cdef extern from *:
    """
    /* A new list of n empty slots that the GC does not track until
     * mtc_list_close(): filled in between, while objects are allocated and
     * Python code may run, it is never visible half-filled (to a gc
     * callback walking gc.get_objects(), say; the free-threaded collector
     * skips untracked objects too).  On an error in between, releasing it
     * is enough (list_dealloc skips empty slots). */
    static PyObject *mtc_list_open(Py_ssize_t n)
    {
        PyObject *list = PyList_New(n);
        if (list != NULL) {
            PyObject_GC_UnTrack(list);
        }
        return list;
    }

    /* The list of mtc_list_open, every slot filled. */
    static inline void mtc_list_close(PyObject *list)
    {
        PyObject_GC_Track(list);
    }

    /* The list of the n little-endian ints at p, 64-bit when wide, else
     * 32-bit. */
    static PyObject *mtc_tl_int_list(const uint8_t *p, Py_ssize_t n, int wide)
    {
        Py_ssize_t i;
        PyObject *item;
        PyObject *list = mtc_list_open(n);
        if (list == NULL) {
            return NULL;
        }
        for (i = 0; i < n; i++) {
            item = wide
                ? PyLong_FromLongLong((long long)(int64_t)mtc_dec64le(p + 8 * i))
                : PyLong_FromLong((long)(int32_t)mtc_dec32le(p + 4 * i));
            if (item == NULL) {
                Py_DECREF(list);
                return NULL;
            }
            PyList_SET_ITEM(list, i, item);
        }
        mtc_list_close(list);
        return list;
    }
    """
    list mtc_list_open(Py_ssize_t n)
    void mtc_list_close(object list)
    list mtc_tl_int_list(const uint8_t *p, Py_ssize_t n, bint wide)


# --- Python ints to C, with mtcore's errors ----------------------------------

cdef int64_t _tl_int(object v, str name, int64_t lo, int64_t hi) except? -1:
    # v as an int in lo..hi (both within int64).
    cdef int overflow = 0
    cdef long long x
    if not PyLong_Check(v):
        raise _errors.not_int(name, v)
    x = PyLong_AsLongLongAndOverflow(v, &overflow)
    if overflow or x < lo or x > hi:
        raise _errors.out_of_range(name, lo, hi, v)
    return x


cdef double _tl_double(object v, str name) except? -1.0:
    if PyFloat_Check(v):
        return PyFloat_AsDouble(v)
    if not PyLong_Check(v):
        raise _errors.not_float(name, v)
    try:
        return PyFloat_AsDouble(v)
    except OverflowError:
        raise _errors.float_overflow(name, v) from None


cdef int _check_sequence(object seq, str name) except -1:
    if not (PyList_Check(seq) or PyTuple_Check(seq)):
        raise _errors.not_sequence(name, seq)
    if len(seq) > 0x7FFFFFFF:
        raise _errors.out_of_range("count", 0, 0x7FFFFFFF, len(seq))
    return 0


# --- writer --------------------------------------------------------------------

@cython.final
@cython.auto_pickle(False)
cdef class TLWriter:
    """
    Builds TL bytes (core.telegram.org/mtproto/serialize): every
    ``write_*`` method appends
    one value, :meth:`getvalue` returns everything written so far.  A
    method that raises leaves the writer as it was.

    The first 64 bytes live inside the object; beyond that the buffer grows
    (at least doubling) on the heap.  :meth:`clear` keeps that memory for
    the next message.
    """

    def __cinit__(self):
        self._buf = self._inline
        self._size = TL_INLINE_SIZE
        self._length = 0

    def __dealloc__(self):
        if self._buf != self._inline:
            PyMem_Free(self._buf)
            self._buf = NULL

    # --- C-level API (see _tlbuf.pxd) ---

    cdef int _grow(self, Py_ssize_t extra) except -1:
        cdef Py_ssize_t need, size
        cdef char *p
        if extra > PY_SSIZE_T_MAX - self._length:
            raise MemoryError()
        need = self._length + extra
        size = self._size * 2 if self._size <= PY_SSIZE_T_MAX // 2 else need
        if size < need:
            size = need
        if self._buf == self._inline:
            p = <char *>PyMem_Malloc(<size_t>size)
            if p == NULL:
                raise MemoryError()
            memcpy(p, self._inline, <size_t>self._length)
        else:
            p = <char *>PyMem_Realloc(self._buf, <size_t>size)
            if p == NULL:
                raise MemoryError()
        self._buf = p
        self._size = size
        return 0

    cdef inline int reserve(self, Py_ssize_t extra) except -1:
        if extra > self._size - self._length:
            self._grow(extra)
        return 0

    cdef int write_mem(self, const char *p, Py_ssize_t n) except -1:
        self.reserve(n)
        memcpy(self._buf + self._length, p, <size_t>n)
        self._length += n
        return 0

    cdef int write_uint32(self, uint32_t v) except -1:
        self.reserve(4)
        mtc_enc32le(<uint8_t *>self._buf + self._length, v)
        self._length += 4
        return 0

    cdef int write_int32(self, int32_t v) except -1:
        return self.write_uint32(<uint32_t>v)

    cdef int write_int64(self, int64_t v) except -1:
        self.reserve(8)
        mtc_enc64le(<uint8_t *>self._buf + self._length, <uint64_t>v)
        self._length += 8
        return 0

    cdef int write_float64(self, double v) except -1:
        cdef uint64_t u
        memcpy(&u, &v, 8)
        return self.write_int64(<int64_t>u)

    cdef int write_tl_bytes(self, const char *p, Py_ssize_t n) except -1:
        cdef Py_ssize_t head = 1 if n <= 253 else 4
        cdef Py_ssize_t pad = -(head + n) & 3
        cdef char *out
        self.reserve(head + n + pad)
        out = self._buf + self._length
        if head == 1:
            out[0] = <char>n
        else:
            mtc_enc32le(<uint8_t *>out, (<uint32_t>n << 8) | 254)
        memcpy(out + head, p, <size_t>n)
        memset(out + head + n, 0, <size_t>pad)
        self._length += head + n + pad
        return 0

    # --- Python API ---

    def __len__(self):
        return self._length

    @cython.critical_section
    def getvalue(self):
        """
        Everything written so far, as ``bytes``.
        """
        return PyBytes_FromStringAndSize(self._buf, self._length)

    @cython.critical_section
    def clear(self):
        """
        Forget everything written (the writer keeps its memory for reuse).
        """
        self._length = 0

    @cython.critical_section
    def write_int(self, v):
        """
        A TL ``int``: signed 32-bit, -2**31..2**31-1.
        """
        self.write_int32(<int32_t>_tl_int(v, "int", -0x80000000, 0x7FFFFFFF))

    @cython.critical_section
    def write_uint(self, v):
        """
        An unsigned 32-bit word, 0..2**32-1.
        """
        self.write_uint32(<uint32_t>_tl_int(v, "uint", 0, 0xFFFFFFFF))

    @cython.critical_section
    def write_flags(self, v):
        """
        A TL ``#`` (flags word): unsigned 32-bit, 0..2**32-1.
        """
        self.write_uint32(<uint32_t>_tl_int(v, "flags", 0, 0xFFFFFFFF))

    @cython.critical_section
    def write_constructor(self, v):
        """
        A constructor number, unsigned 32-bit (``0xbe7e8ef1`` is written
        ``f1 8e 7e be``).
        """
        self.write_uint32(<uint32_t>_tl_int(v, "constructor", 0, 0xFFFFFFFF))

    @cython.critical_section
    def write_long(self, v):
        """
        A TL ``long``: 64-bit, given signed (-2**63..2**63-1) or unsigned
        (up to 2**64-1, written as its two's complement).
        """
        self.write_int64(wire_long(v, "long"))

    cdef int _write_fixed(self, object b, str name, Py_ssize_t size) except -1:
        cdef Py_buffer view
        buf_init(&view)
        try:
            get_buffer(b, &view, name, False)
            if view.len != size:
                raise _errors.bad_length(name, size, view.len)
            self.write_mem(<const char *>view.buf, size)
        finally:
            buf_release(&view)
        return 0

    @cython.critical_section
    def write_int128(self, b):
        """
        A TL ``int128``: exactly 16 bytes, copied as they are.
        """
        self._write_fixed(b, "int128", 16)

    @cython.critical_section
    def write_int256(self, b):
        """
        A TL ``int256``: exactly 32 bytes, copied as they are.
        """
        self._write_fixed(b, "int256", 32)

    @cython.critical_section
    def write_double(self, f):
        """
        A TL ``double``: IEEE-754 binary64, from a float or an int.
        """
        self.write_float64(_tl_double(f, "double"))

    @cython.critical_section
    def write_bytes(self, b):
        """
        A TL ``bytes``: a length prefix (1 byte below 254, else ``fe`` and 3
        bytes), the data and zero padding to a multiple of 4 bytes.  The
        data must be shorter than 2**24 bytes.
        """
        cdef Py_buffer view
        buf_init(&view)
        try:
            get_buffer(b, &view, "bytes", False)
            if view.len > TL_BYTES_MAX:
                raise _errors.tl_bytes_too_long("bytes", view.len)
            self.write_tl_bytes(<const char *>view.buf, view.len)
        finally:
            buf_release(&view)

    @cython.critical_section
    def write_string(self, s):
        """
        A TL ``string``: the UTF-8 encoding of s, written as ``bytes``.
        """
        cdef const char *p
        cdef Py_ssize_t n
        cdef object data
        if not PyUnicode_Check(s):
            raise _errors.not_str("string", s)
        if PyUnicode_IS_ASCII(s):
            # the str's own bytes; nothing is encoded or cached
            p = PyUnicode_AsUTF8AndSize(s, &n)
        else:
            # a temporary encoding, not the UTF-8 copy CPython would cache
            # in the str for as long as it lives
            try:
                data = PyUnicode_AsUTF8String(s)
            except UnicodeEncodeError as exc:
                raise _errors.not_utf8("string", exc.start) from None
            p = PyBytes_AS_STRING(data)
            n = PyBytes_GET_SIZE(data)
        if n > TL_BYTES_MAX:
            raise _errors.tl_bytes_too_long("string", n)
        self.write_tl_bytes(p, n)

    @cython.critical_section
    def write_bool(self, v):
        """
        A TL ``Bool``: ``boolTrue#997275b5`` or ``boolFalse#bc799737``.
        Only ``True`` and ``False`` are taken.
        """
        if v is True:
            self.write_uint32(TL_BOOL_TRUE)
        elif v is False:
            self.write_uint32(TL_BOOL_FALSE)
        else:
            raise _errors.not_bool("Bool", v)

    @cython.critical_section
    def write_vector_header(self, count):
        """
        The head of a boxed ``Vector<T>``: ``0x1cb5c415`` then the count
        (0..2**31-1); write the elements after it.
        """
        cdef int32_t n = <int32_t>_tl_int(count, "count", 0, 0x7FFFFFFF)
        self.reserve(8)
        self.write_uint32(TL_VECTOR)
        self.write_int32(n)

    @cython.critical_section
    def write_count(self, count):
        """
        The count of a bare ``vector<T>`` (0..2**31-1).
        """
        self.write_int32(<int32_t>_tl_int(count, "count", 0, 0x7FFFFFFF))

    @cython.critical_section
    def write_raw(self, data):
        """
        data as it is, without a length prefix or padding.
        """
        cdef Py_buffer view
        buf_init(&view)
        try:
            get_buffer(data, &view, "data", False)
            self.write_mem(<const char *>view.buf, view.len)
        finally:
            buf_release(&view)

    cdef int _vector(self, object seq, bint is_long) except -1:
        # Writes the header, then the elements; the count written is the
        # number of elements written.  On error, nothing stays written.
        cdef Py_ssize_t start = self._length
        cdef Py_ssize_t i = 0
        cdef Py_ssize_t size = 8 if is_long else 4
        cdef str name = "long[{}]" if is_long else "int[{}]"
        cdef int overflow = 0
        cdef long long x = 0
        _check_sequence(seq, "vector")
        self.reserve(8 + size * len(seq))
        self.write_uint32(TL_VECTOR)
        self.write_int32(0)
        try:
            for v in seq:
                if is_long:
                    if PyLong_Check(v):
                        x = PyLong_AsLongLongAndOverflow(v, &overflow)
                        if overflow:
                            x = wire_long(v, name.format(i))
                    else:
                        x = wire_long(v, name.format(i))
                    self.write_int64(<int64_t>x)
                else:
                    if PyLong_Check(v):
                        x = PyLong_AsLongLongAndOverflow(v, &overflow)
                        if overflow or x < -0x80000000 or x > 0x7FFFFFFF:
                            _tl_int(v, name.format(i), -0x80000000, 0x7FFFFFFF)
                    else:
                        _tl_int(v, name.format(i), -0x80000000, 0x7FFFFFFF)
                    self.write_int32(<int32_t>x)
                i += 1
        except BaseException:
            self._length = start
            raise
        mtc_enc32le(<uint8_t *>self._buf + start + 4, <uint32_t>i)
        return 0

    @cython.critical_section
    def write_vector_long(self, seq):
        """
        A boxed ``Vector<long>`` of a list or tuple of ints (each signed or
        unsigned 64-bit, as :meth:`write_long`).
        """
        self._vector(seq, True)

    @cython.critical_section
    def write_vector_int(self, seq):
        """
        A boxed ``Vector<int>`` of a list or tuple of ints, each
        -2**31..2**31-1.
        """
        self._vector(seq, False)


# --- reader --------------------------------------------------------------------

@cython.final
@cython.auto_pickle(False)
cdef class TLReader:
    """
    Reads TL values (core.telegram.org/mtproto/serialize) from a
    bytes-like object, front
    to back.  A ``bytes`` object is read in place; any other bytes-like
    object is copied once into ``bytes`` here, so changing or resizing it
    afterwards does not affect the reader.

    Every read is bounds-checked: one that would pass the end raises
    :class:`~mtcore.exceptions.TLDecodeError` naming what was asked, what
    was left and the offset, and leaves the position where it was.

    :param data: the bytes to read.
    """

    def __cinit__(self, data):
        cdef Py_buffer view
        if PyBytes_CheckExact(data):
            self._owner = data
        else:
            buf_init(&view)
            try:
                get_buffer(data, &view, "data", False)
                self._owner = PyBytes_FromStringAndSize(
                    <const char *>view.buf, view.len)
            finally:
                buf_release(&view)
        self.frame.buf = PyBytes_AS_STRING(self._owner)
        self.frame.len = PyBytes_GET_SIZE(self._owner)
        self.frame.pos = 0

    # --- C-level API (see _tlbuf.pxd) ---

    cdef const char *read_mem(self, Py_ssize_t n, str what) except NULL:
        cdef Py_ssize_t pos = self.frame.pos
        if n > self.frame.len - pos:
            raise _errors.tl_short(what, n, self.frame.len - pos, pos)
        self.frame.pos = pos + n
        return self.frame.buf + pos

    cdef uint32_t read_uint32(self, str what) except? 0xFFFFFFFF:
        return mtc_dec32le(<const uint8_t *>self.read_mem(4, what))

    cdef int32_t read_int32(self, str what) except? -1:
        return <int32_t>mtc_dec32le(<const uint8_t *>self.read_mem(4, what))

    cdef int64_t read_int64(self, str what) except? -1:
        return <int64_t>mtc_dec64le(<const uint8_t *>self.read_mem(8, what))

    cdef const char *read_tl_bytes(self, str what, Py_ssize_t *n) except NULL:
        cdef const uint8_t *p
        cdef Py_ssize_t pos = self.frame.pos
        cdef Py_ssize_t left = self.frame.len - pos
        cdef Py_ssize_t size, head, total
        if left < 1:
            raise _errors.tl_short(what, 4, left, pos)
        p = <const uint8_t *>self.frame.buf + pos
        if p[0] < 254:
            size = p[0]
            head = 1
        elif p[0] == 254:
            if left < 4:
                raise _errors.tl_short(what, 4, left, pos)
            size = mtc_dec32le(p) >> 8
            head = 4
        else:
            raise _errors.tl_bad_length_byte(what, pos)
        total = (head + size + 3) & ~3
        if total > left:
            raise _errors.tl_short(what, total, left, pos)
        self.frame.pos = pos + total
        n[0] = size
        return <const char *>p + head

    cdef Py_ssize_t read_count_c(self, str what, bint boxed,
                                 Py_ssize_t min_size) except -1:
        cdef Py_ssize_t start = self.frame.pos
        cdef Py_ssize_t pos, left
        cdef uint32_t cid
        cdef int32_t count
        if boxed:
            cid = self.read_uint32(what)
            if cid != TL_VECTOR:
                self.frame.pos = start
                raise _errors.tl_bad_vector(what, cid, start)
        pos = self.frame.pos
        try:
            count = self.read_int32(what)
        except BaseException:
            self.frame.pos = start
            raise
        left = self.frame.len - self.frame.pos
        if count < 0:
            self.frame.pos = start
            raise _errors.tl_negative_count(what, count, pos)
        if <int64_t>count * min_size > left:
            self.frame.pos = start
            raise _errors.tl_count_too_large(what, count, min_size, left, pos)
        return count

    cdef TLReader sub(self, Py_ssize_t n, str what):
        cdef const char *p = self.read_mem(n, what)
        cdef TLReader out = TLReader.__new__(TLReader, self._owner)
        out.frame.buf = p
        out.frame.len = n
        return out

    cdef Py_ssize_t size_arg(self, object n, str what) except -1:
        cdef int overflow = 0
        cdef long long size
        if not PyLong_Check(n):
            raise _errors.not_int("n", n)
        size = PyLong_AsLongLongAndOverflow(n, &overflow)
        if overflow < 0 or (overflow == 0 and size < 0):
            raise _errors.negative("n", n)
        if overflow or size > self.frame.len - self.frame.pos:
            raise _errors.tl_short(what, n, self.frame.len - self.frame.pos,
                                   self.frame.pos)
        return <Py_ssize_t>size

    # --- Python API ---

    @property
    def position(self):
        """
        The offset of the next byte to read.
        """
        return self.frame.pos

    @property
    def remaining(self):
        """
        How many bytes are left to read.
        """
        return self.frame.len - self.frame.pos

    def at_end(self):
        """
        Whether every byte has been read.
        """
        return self.frame.pos >= self.frame.len

    @cython.critical_section
    def seek(self, pos):
        """
        Move to offset pos (0..the input's length).
        """
        self.frame.pos = <Py_ssize_t>_tl_int(pos, "pos", 0, self.frame.len)

    @cython.critical_section
    def read_int(self):
        """
        A TL ``int`` (signed 32-bit).
        """
        return PyLong_FromLong(self.read_int32("read_int"))

    @cython.critical_section
    def read_uint(self):
        """
        An unsigned 32-bit word (a ``#`` flags word).
        """
        return PyLong_FromUnsignedLong(self.read_uint32("read_uint"))

    @cython.critical_section
    def read_constructor(self):
        """
        A constructor number, as an unsigned 32-bit int.
        """
        return PyLong_FromUnsignedLong(self.read_uint32("read_constructor"))

    @cython.critical_section
    def read_long(self):
        """
        A TL ``long`` (signed 64-bit).
        """
        return PyLong_FromLongLong(self.read_int64("read_long"))

    @cython.critical_section
    def read_double(self):
        """
        A TL ``double``.
        """
        cdef uint64_t u = <uint64_t>self.read_int64("read_double")
        cdef double d
        memcpy(&d, &u, 8)
        return PyFloat_FromDouble(d)

    @cython.critical_section
    def read_int128(self):
        """
        A TL ``int128``: 16 raw bytes.
        """
        return PyBytes_FromStringAndSize(self.read_mem(16, "read_int128"), 16)

    @cython.critical_section
    def read_int256(self):
        """
        A TL ``int256``: 32 raw bytes.
        """
        return PyBytes_FromStringAndSize(self.read_mem(32, "read_int256"), 32)

    @cython.critical_section
    def read_raw(self, n):
        """
        The next n bytes as they are.
        """
        cdef Py_ssize_t size = self.size_arg(n, "read_raw")
        return PyBytes_FromStringAndSize(self.read_mem(size, "read_raw"), size)

    @cython.critical_section
    def read_sub(self, n):
        """
        The next n bytes as a reader of their own (offsets count from their
        start), over this reader's memory: nothing is copied.
        """
        return self.sub(self.size_arg(n, "read_sub"), "read_sub")

    @cython.critical_section
    def read_bytes(self):
        """
        A TL ``bytes`` value (prefix, data, padding); returns the data.
        The padding bytes are not checked, a first byte of 255 is an error.
        """
        cdef Py_ssize_t n
        cdef const char *p = self.read_tl_bytes("read_bytes", &n)
        return PyBytes_FromStringAndSize(p, n)

    @cython.critical_section
    def read_string(self):
        """
        A TL ``string``: ``bytes`` decoded as UTF-8, invalid sequences
        replaced by U+FFFD (as Telethon does).
        """
        cdef Py_ssize_t n
        cdef const char *p = self.read_tl_bytes("read_string", &n)
        return PyUnicode_DecodeUTF8(<char *>p, n, "replace")

    @cython.critical_section
    def read_bool(self):
        """
        A TL ``Bool``; any constructor but boolTrue/boolFalse is an error.
        """
        cdef Py_ssize_t pos = self.frame.pos
        cdef uint32_t cid = self.read_uint32("read_bool")
        if cid == TL_BOOL_TRUE:
            return True
        if cid == TL_BOOL_FALSE:
            return False
        self.frame.pos = pos
        raise _errors.tl_bad_bool(cid, pos)

    @cython.critical_section
    def read_vector_header(self):
        """
        The head of a boxed ``Vector<T>``: checks ``0x1cb5c415`` and
        returns the count, which must fit the bytes left at 4 bytes per
        element (the smallest TL value) -- checked before anything is
        allocated.
        """
        return self.read_count_c("read_vector_header", True, 4)

    @cython.critical_section
    def read_count(self):
        """
        The count of a bare ``vector<T>``, checked as in
        :meth:`read_vector_header`.
        """
        return self.read_count_c("read_count", False, 4)

    @cython.critical_section
    def read_vector_long(self):
        """
        A boxed ``Vector<long>``.
        """
        cdef Py_ssize_t n = self.read_count_c("read_vector_long", True, 8)
        return mtc_tl_int_list(
            <const uint8_t *>self.read_mem(8 * n, "read_vector_long"), n, True)

    @cython.critical_section
    def read_vector_int(self):
        """
        A boxed ``Vector<int>``.
        """
        cdef Py_ssize_t n = self.read_count_c("read_vector_int", True, 4)
        return mtc_tl_int_list(
            <const uint8_t *>self.read_mem(4 * n, "read_vector_int"), n, False)
