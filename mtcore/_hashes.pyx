# Included by _cmtcore.pyx: SHA-1 and SHA-256 over several buffers (the
# pure twin is mtcore/_py/hashes.py).

#: The SHA kernel the module-level functions use (chosen in _cmtcore.pyx).
sha_kernel = (<bytes>_sha_best.name).decode()


def sha_kernels():
    """
    The SHA kernels this machine can run, fastest first.
    """
    return _runnable(mtc_sha_at, mtc_sha_get)


cdef const mtc_sha_impl *_sha_named(object name) except NULL:
    cdef const mtc_sha_impl *impl = NULL
    if isinstance(name, str):
        impl = mtc_sha_get((<str>name).encode())
    if impl == NULL:
        raise _errors.no_kernel(name, sha_kernels(), "SHA")
    return impl


cdef object _digest_one(const mtc_sha_impl *sha, object part,
                        bint use_sha1):
    # One part, in one call without a context: a bytes object is read in
    # place (it cannot change), anything else through its buffer.
    cdef Py_buffer b
    cdef const char *p
    cdef Py_ssize_t n
    cdef uint8_t out[32]
    cdef Py_ssize_t size = 20 if use_sha1 else 32
    buf_init(&b)
    try:
        if PyBytes_CheckExact(part):
            p = PyBytes_AS_STRING(part)
            n = PyBytes_GET_SIZE(part)
        else:
            get_buffer_at(part, &b, "parts", 0, None, False)
            p = <const char *>b.buf
            n = b.len
        if n >= NOGIL_MIN:
            with nogil:
                _oneshot(sha, use_sha1, p, <size_t>n, out)
        else:
            _oneshot(sha, use_sha1, p, <size_t>n, out)
        return PyBytes_FromStringAndSize(<char *>out, size)
    finally:
        buf_release(&b)
        mtc_memzero(out, sizeof(out))


cdef inline void _oneshot(const mtc_sha_impl *sha, bint use_sha1,
                          const void *p, size_t n,
                          uint8_t *out) noexcept nogil:
    if use_sha1:
        mtc_sha1(sha, p, n, out)
    else:
        mtc_sha256(sha, p, n, out)


cdef object _digest(const mtc_sha_impl *sha, tuple parts, bint use_sha1):
    return _digest_array(sha, PySequence_Fast_ITEMS(parts), len(parts),
                         use_sha1)


cdef object _digest_array(const mtc_sha_impl *sha, PyObject **parts,
                          Py_ssize_t nparts, bint use_sha1):
    cdef mtc_sha256_ctx c256
    cdef mtc_sha1_ctx c1
    cdef Py_buffer b
    cdef uint8_t out[32]
    cdef Py_ssize_t i
    if nparts == 1:
        return _digest_one(sha, <object>parts[0], use_sha1)
    if use_sha1:
        mtc_sha1_init(&c1, sha)
    else:
        mtc_sha256_init(&c256, sha)
    try:
        for i in range(nparts):
            buf_init(&b)
            try:
                get_buffer_at(<object>parts[i], &b, "parts", i, None, False)
                if b.len >= NOGIL_MIN:
                    with nogil:
                        _absorb(&c1, &c256, use_sha1, b.buf, <size_t>b.len)
                else:
                    _absorb(&c1, &c256, use_sha1, b.buf, <size_t>b.len)
            finally:
                buf_release(&b)
        if use_sha1:
            mtc_sha1_final(&c1, out)
            return PyBytes_FromStringAndSize(<char *>out, 20)
        mtc_sha256_final(&c256, out)
        return PyBytes_FromStringAndSize(<char *>out, 32)
    finally:
        # final() wipes its context; this covers an error on the way.
        if use_sha1:
            mtc_memzero(&c1, sizeof(c1))
        else:
            mtc_memzero(&c256, sizeof(c256))
        mtc_memzero(out, sizeof(out))


cdef inline void _absorb(mtc_sha1_ctx *c1, mtc_sha256_ctx *c256,
                         bint use_sha1, const void *p,
                         size_t n) noexcept nogil:
    if use_sha1:
        mtc_sha1_update(c1, p, n)
    else:
        mtc_sha256_update(c256, p, n)


cdef object _sha1_fast(PyObject **args, Py_ssize_t nargs):
    return _digest_array(_sha_best, args, nargs, True)


cdef object _sha256_fast(PyObject **args, Py_ssize_t nargs):
    return _digest_array(_sha_best, args, nargs, False)


# sha1(*parts) and sha256(*parts): METH_FASTCALL builtins (cpythonx.pxd),
# documented there: SHA-1 / SHA-256 of the concatenation of parts.
sha1_impl = _sha1_fast
sha256_impl = _sha256_fast
sha1 = fastcall_function(True, __name__)
sha256 = fastcall_function(False, __name__)
