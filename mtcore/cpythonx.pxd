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

cdef extern from *:
    """
    /* An instance of type, a tuple subclass without instance fields (a
     * named tuple), holding a..e: what tuple.__new__(type, (a, ..., e))
     * makes, without the argument tuple and the method call. */
    static PyObject *mtc_tuple5(PyObject *type, PyObject *a, PyObject *b,
                                PyObject *c, PyObject *d, PyObject *e)
    {
        PyTypeObject *t = (PyTypeObject *)type;
        PyObject *o = t->tp_alloc(t, 5);
        if (o == NULL) {
            return NULL;
        }
        Py_INCREF(a);
        PyTuple_SET_ITEM(o, 0, a);
        Py_INCREF(b);
        PyTuple_SET_ITEM(o, 1, b);
        Py_INCREF(c);
        PyTuple_SET_ITEM(o, 2, c);
        Py_INCREF(d);
        PyTuple_SET_ITEM(o, 3, d);
        Py_INCREF(e);
        PyTuple_SET_ITEM(o, 4, e);
        return o;
    }
    """
    object tuple5 "mtc_tuple5" (object type, object a, object b, object c,
                                object d, object e)
