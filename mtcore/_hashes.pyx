# Included by _cmtcore.pyx: SHA-1 and SHA-256 over several buffers (the
# pure twin is mtcore/_py/hashes.py).

# Chosen once, at import; read-only afterwards.
cdef const mtc_sha_impl *_sha_best = mtc_sha_best(
    _flag("MTCORE_FORCE_PORTABLE"))

#: The SHA kernel the module-level functions use.
sha_kernel = (<bytes>_sha_best.name).decode()


def sha_kernels():
    """
    The SHA kernels this machine can run, fastest first.
    """
    return tuple(name for name in ("shani", "portable")
                 if mtc_sha_get(name.encode()) != NULL)


cdef const mtc_sha_impl *_sha_named(object name) except NULL:
    cdef const mtc_sha_impl *impl = NULL
    if isinstance(name, str):
        impl = mtc_sha_get((<str>name).encode())
    if impl == NULL:
        raise _errors.no_kernel(name, sha_kernels(), "SHA")
    return impl


cdef object _digest(const mtc_sha_impl *sha, tuple parts, bint use_sha1):
    cdef mtc_sha256_ctx c256
    cdef mtc_sha1_ctx c1
    cdef Py_buffer b
    cdef uint8_t out[32]
    cdef Py_ssize_t i
    if use_sha1:
        mtc_sha1_init(&c1, sha)
    else:
        mtc_sha256_init(&c256, sha)
    try:
        for i in range(len(parts)):
            buf_init(&b)
            try:
                get_buffer_at(parts[i], &b, "parts", i, None, False)
                if b.len >= NOGIL_MIN:
                    with nogil:
                        _absorb(&c1, &c256, use_sha1, b.buf, <size_t>b.len)
                else:
                    _absorb(&c1, &c256, use_sha1, b.buf, <size_t>b.len)
            finally:
                PyBuffer_Release(&b)
        if use_sha1:
            mtc_sha1_final(&c1, out)
            return PyBytes_FromStringAndSize(<char *>out, 20)
        mtc_sha256_final(&c256, out)
        return PyBytes_FromStringAndSize(<char *>out, 32)
    finally:
        mtc_memzero(&c1, sizeof(c1))
        mtc_memzero(&c256, sizeof(c256))
        mtc_memzero(out, sizeof(out))


cdef inline void _absorb(mtc_sha1_ctx *c1, mtc_sha256_ctx *c256,
                         bint use_sha1, const void *p,
                         size_t n) noexcept nogil:
    if use_sha1:
        mtc_sha1_update(c1, p, n)
    else:
        mtc_sha256_update(c256, p, n)


def sha1(*parts):
    """
    SHA-1 of the concatenation of parts (any bytes-like objects).

    :returns: the 20-byte digest.
    """
    return _digest(_sha_best, parts, True)


def sha256(*parts):
    """
    SHA-256 of the concatenation of parts (any bytes-like objects).

    :returns: the 32-byte digest.
    """
    return _digest(_sha_best, parts, False)
