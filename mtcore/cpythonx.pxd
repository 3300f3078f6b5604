# CPython declarations that Cython's cpython package lacks or declares with
# an exception clause we do not want.

cdef extern from "Python.h":
    # PyObject_GetBuffer without Cython's automatic raise, so the caller can
    # replace CPython's error with mtcore's.
    int PyObject_GetBuffer_noraise "PyObject_GetBuffer" (
        object obj, Py_buffer *view, int flags)

cdef extern from *:
    """
    /* Marks a Py_buffer as empty: PyBuffer_Release then does nothing. */
    static inline void mtc_buf_init(Py_buffer *view)
    {
        view->obj = NULL;
        view->buf = NULL;
        view->len = 0;
    }
    """
    void buf_init "mtc_buf_init" (Py_buffer *view) noexcept nogil
