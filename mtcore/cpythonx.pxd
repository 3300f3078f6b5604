# CPython declarations that Cython's cpython package lacks or declares with
# an exception clause we do not want.

from cpython.object cimport PyObject


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

cdef extern from *:
    """
    /* Shrinks b, whose only reference the caller hands over, to n bytes;
     * returns the (possibly moved) object, or NULL with an exception. */
    static PyObject *mtc_bytes_shrunk(PyObject *b, Py_ssize_t n)
    {
        if (_PyBytes_Resize(&b, n) < 0) {
            return NULL;
        }
        return b;
    }
    """
    object bytes_shrunk "mtc_bytes_shrunk" (PyObject *b, Py_ssize_t n)
