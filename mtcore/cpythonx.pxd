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
    /* Fills view with the n bytes at buf, owned by obj, which the view
     * holds a reference to (PyBuffer_Release drops it). */
    static inline void mtc_buf_hold(Py_buffer *view, PyObject *obj,
                                    void *buf, Py_ssize_t n)
    {
        Py_INCREF(obj);
        view->obj = obj;
        view->buf = buf;
        view->len = n;
    }

    /* 1 when view holds a buffer (it was filled and not released). */
    static inline int mtc_buf_filled(const Py_buffer *view)
    {
        return view->obj != NULL;
    }
    """
    void buf_hold "mtc_buf_hold" (Py_buffer *view, object obj, void *buf,
                                  Py_ssize_t n)

cdef extern from *:
    """
    /* PyBuffer_Release, inline for a view that holds nothing (a bytes
     * argument read in place, or one never filled): no call at all. */
    static inline void mtc_buf_release(Py_buffer *view)
    {
        if (view->obj != NULL) {
            PyBuffer_Release(view);
        }
    }
    """
    void buf_release "mtc_buf_release" (Py_buffer *view)
    bint buf_filled "mtc_buf_filled" (const Py_buffer *view) noexcept nogil

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
    /* An instance of type, a tuple subclass (a named tuple), holding
     * a..e, as tuple.__new__(type, (a, ..., e)) makes it.  Up to CPython
     * 3.13 that is tp_alloc and the items set in place, done here without
     * the argument tuples and the method call (a quarter of unpack_message
     * at 64 B).  3.14 caches a tuple's hash in a field its constructor
     * initializes, so there the constructor's own slot runs. */
    static PyObject *mtc_tuple5(PyObject *type, PyObject *a, PyObject *b,
                                PyObject *c, PyObject *d, PyObject *e)
    {
    #if PY_VERSION_HEX < 0x030E0000
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
    #else
        PyObject *items = PyTuple_Pack(5, a, b, c, d, e);
        PyObject *args, *o;
        if (items == NULL) {
            return NULL;
        }
        args = PyTuple_Pack(1, items);
        Py_DECREF(items);
        if (args == NULL) {
            return NULL;
        }
        o = PyTuple_Type.tp_new((PyTypeObject *)type, args, NULL);
        Py_DECREF(args);
        return o;
    #endif
    }
    """
    object tuple5 "mtc_tuple5" (object type, object a, object b, object c,
                                object d, object e)


cdef extern from *:
    """
    /*
     * sha1(*parts) and sha256(*parts) as METH_FASTCALL builtins: Cython
     * gives a def with *args the METH_VARARGS convention, so every call
     * would build an argument tuple (about 16 ns of a 100 ns hash).  Each
     * entry point hands the C array of arguments to the function the
     * module sets in its *_impl pointer at import.
     */
    typedef PyObject *(*mtc_varargs_impl)(PyObject **args,
                                          Py_ssize_t nargs);
    static mtc_varargs_impl mtc_sha1_impl, mtc_sha256_impl;

    static PyObject *mtc_sha1_fast(PyObject *self, PyObject *const *args,
                                   Py_ssize_t nargs)
    {
        (void)self;
        return mtc_sha1_impl((PyObject **)args, nargs);
    }

    static PyObject *mtc_sha256_fast(PyObject *self, PyObject *const *args,
                                     Py_ssize_t nargs)
    {
        (void)self;
        return mtc_sha256_impl((PyObject **)args, nargs);
    }

    static PyMethodDef mtc_sha1_def = {
        "sha1", (PyCFunction)(void (*)(void))mtc_sha1_fast, METH_FASTCALL,
        "sha1(*parts)\\n--\\n\\n"
        "SHA-1 of the concatenation of parts (any bytes-like objects).\\n\\n"
        ":returns: the 20-byte digest.",
    };
    static PyMethodDef mtc_sha256_def = {
        "sha256", (PyCFunction)(void (*)(void))mtc_sha256_fast,
        METH_FASTCALL,
        "sha256(*parts)\\n--\\n\\n"
        "SHA-256 of the concatenation of parts (any bytes-like objects).\\n\\n"
        ":returns: the 32-byte digest.",
    };

    /* The builtin of def (module: the defining module's name). */
    static PyObject *mtc_fastcall_function(int sha1, PyObject *module)
    {
        return PyCFunction_NewEx(sha1 ? &mtc_sha1_def : &mtc_sha256_def,
                                 NULL, module);
    }
    """
    ctypedef object (*varargs_impl "mtc_varargs_impl")(PyObject **args,
                                                       Py_ssize_t nargs)
    varargs_impl sha1_impl "mtc_sha1_impl"
    varargs_impl sha256_impl "mtc_sha256_impl"
    object fastcall_function "mtc_fastcall_function" (bint sha1,
                                                       object module)
