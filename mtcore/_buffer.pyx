# Included by _cmtcore.pyx: taking buffers from Python objects.
#
# Every Py_buffer a function takes starts with obj = NULL and is released
# in a finally clause (buf_release ignores one that holds nothing),
# so no error path leaks an export.


cdef inline bint _take_buffer(object obj, Py_buffer *view, bint writable,
                              bint hold) noexcept:
    """
    Fills view with a flat C-contiguous byte view of obj; False (and no
    exception set) when obj cannot give one.  A bytes object is read in
    place, with no buffer export: its view owns a reference when hold is
    true (an item of a sequence, whose only other reference Python code run
    meanwhile -- an item's __iter__, a __buffer__ -- may drop), and none for
    an argument of the call (the caller holds it until the call returns).
    """
    if not writable and PyBytes_CheckExact(obj):
        if hold:
            buf_hold(view, obj, PyBytes_AS_STRING(obj), PyBytes_GET_SIZE(obj))
        else:
            view.buf = PyBytes_AS_STRING(obj)
            view.len = PyBytes_GET_SIZE(obj)
        return True
    if PyObject_GetBuffer_noraise(
            obj, view, PyBUF_WRITABLE if writable else PyBUF_SIMPLE) == 0:
        return True
    PyErr_Clear()
    buf_init(view)
    return False


cdef inline int get_buffer(object obj, Py_buffer *view, str name,
                           bint writable) except -1:
    """
    Fills view with a flat C-contiguous byte view of obj, an argument of
    the call, or raises the error mtcore._errors names for it.
    """
    if not _take_buffer(obj, view, writable, False):
        _raise_buffer_error(obj, name, writable)
    return 0


cdef int _raise_buffer_error(object obj, str name, bint writable) except -1:
    cdef Py_buffer probe
    cdef bint readonly
    if not PyObject_CheckBuffer(obj):
        raise _errors.not_buffer(name, obj)
    if writable:
        # The pure side checks read-only before contiguity: do the same.
        buf_init(&probe)
        if PyObject_GetBuffer_noraise(obj, &probe, PyBUF_FULL_RO) == 0:
            readonly = probe.readonly
            buf_release(&probe)
            if readonly:
                raise _errors.read_only(name, obj)
        else:
            PyErr_Clear()
    raise _errors.not_contiguous(name)


cdef inline bint partial_overlap(const uint8_t *a, const uint8_t *b,
                                 size_t n) noexcept nogil:
    # True when [a, a+n) and [b, b+n) overlap without being the same range.
    return a != b and a < b + n and b < a + n


cdef inline bint overlaps(const uint8_t *a, size_t na, const uint8_t *b,
                          size_t nb) noexcept nogil:
    # True when [a, a+na) and [b, b+nb) share a byte.
    return na != 0 and nb != 0 and a < b + nb and b < a + na


cdef int get_buffer_at(object obj, Py_buffer *view, str base, Py_ssize_t i,
                       str field, bint writable) except -1:
    """
    get_buffer for element i of a sequence argument (the view owns a
    reference to it): the error names it base[i] (or base[i].field), a name
    built only on failure.
    """
    if not _take_buffer(obj, view, writable, True):
        _raise_buffer_error(obj, _element_name(base, i, field), writable)
    return 0


cdef str _element_name(str base, Py_ssize_t i, str field):
    return f"{base}[{i}].{field}" if field else f"{base}[{i}]"
