# Included by _cmtcore.pyx: taking buffers from Python objects.
#
# Every Py_buffer a function takes starts with obj = NULL and is released
# in a finally clause (PyBuffer_Release ignores one that was never filled),
# so no error path leaks an export.


cdef inline bint _take_buffer(object obj, Py_buffer *view,
                              bint writable) noexcept:
    """
    Fills view with a flat C-contiguous byte view of obj; False (and no
    exception set) when obj cannot give one.
    """
    if not writable and PyBytes_CheckExact(obj):
        # bytes is immutable: read it in place.  The view owns a reference
        # like any other (PyBuffer_Release drops it), so the bytes outlive
        # the call even when Python code run meanwhile (a __buffer__, a
        # sequence's __iter__) drops every other reference to it.
        buf_hold(view, obj, PyBytes_AS_STRING(obj), PyBytes_GET_SIZE(obj))
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
    Fills view with a flat C-contiguous byte view of obj, or raises the
    error mtcore._errors names for it.
    """
    if not _take_buffer(obj, view, writable):
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
            PyBuffer_Release(&probe)
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
    get_buffer for element i of a sequence argument: the error names it
    base[i] (or base[i].field), a name built only on failure.
    """
    if not _take_buffer(obj, view, writable):
        _raise_buffer_error(obj, _element_name(base, i, field), writable)
    return 0


cdef str _element_name(str base, Py_ssize_t i, str field):
    return f"{base}[{i}].{field}" if field else f"{base}[{i}]"
