# Included by _cmtcore.pyx: this machine's limits for the benchmark
# (mtcore bench), plain C loops over the default kernels with no Python
# call in between (src_c/bench_limits.c).  The pure twin has none: a
# benchmark run on it reports its limits as unavailable.

#: The limit loops by name: the operation each stands for.
LIMITS = (
    "ige_encrypt",
    "ige_decrypt",
    "cbc_encrypt",
    "cbc_decrypt",
    "ctr",
    "ige_encrypt_many",
    "mtproto_encrypt",
    "mtproto_decrypt",
    "sha256",
)

# Bounds that keep a limit loop's buffers small (PyMem_Malloc(0) is not
# NULL: a size of 0 is fine).
_LIMIT_MAX_SIZE = 64 * 1024 * 1024
_LIMIT_MAX_LANES = 64


def _limit_ns(what, Py_ssize_t size, Py_ssize_t iters, Py_ssize_t lanes=1):
    """
    The nanoseconds that ``iters`` calls of a limit loop take on this
    machine's default kernels, after one untimed call (GIL released).

    :param what: one of :data:`LIMITS`: one-stream IGE or CBC of ``size``
        bytes (the key expanded in each call), CTR continuing one stream,
        IGE of ``lanes`` messages of ``size`` bytes each in one batch call,
        MTProto 2.0 encryption or decryption with every check of a
        message whose body is ``size`` bytes, or SHA-256 of ``size`` bytes.
    :param size: bytes per call (per lane for a batch; the body for
        MTProto): a multiple of 16 for IGE and CBC, of 4 for MTProto.
    :param iters: the calls to time.
    :param lanes: the messages of a batch call.
    """
    cdef uint8_t *buf = NULL
    cdef uint8_t *keyiv = NULL
    cdef mtc_ige_job *jobs = NULL
    cdef uint64_t ns = 0
    cdef size_t n = <size_t>size
    cdef size_t inner
    cdef int op = -1
    cdef int status = MTC_MTP_OK
    cdef uint64_t count = <uint64_t>iters
    cdef bint decrypt = what == "mtproto_decrypt"
    if what not in LIMITS:
        raise _errors.not_one_of("what", LIMITS, what)
    if size < 0 or size > _LIMIT_MAX_SIZE:
        raise _errors.out_of_range("size", 0, _LIMIT_MAX_SIZE, size)
    if iters < 0:
        raise _errors.negative("iters", iters)
    if lanes < 1 or lanes > _LIMIT_MAX_LANES:
        raise _errors.out_of_range("lanes", 1, _LIMIT_MAX_LANES, lanes)
    if what.startswith("mtproto"):
        if size % 4:
            raise _errors.body_not_aligned(size)
        inner = 32 + n
        buf = <uint8_t *>PyMem_Malloc(2 * (24 + inner + mtc_mtp_padding(inner)))
        if buf == NULL:
            raise MemoryError()
        try:
            with nogil:
                status = mtc_limit_mtp(&_kernels_best, decrypt, buf, n,
                                       count, &ns)
        finally:
            PyMem_Free(buf)
        if status != MTC_MTP_OK:
            raise RuntimeError(f"the {what} limit loop failed ({status})")
        return ns
    if what == "sha256":
        buf = <uint8_t *>PyMem_Malloc(n)
        if buf == NULL:
            raise MemoryError()
        with nogil:
            ns = mtc_limit_sha256(_sha_best, buf, n, count)
        PyMem_Free(buf)
        return ns
    if size % 16 and what != "ctr":
        raise _errors.not_whole_blocks("size", size)
    if what == "ige_encrypt_many":
        buf = <uint8_t *>PyMem_Malloc(n * <size_t>lanes)
        keyiv = <uint8_t *>PyMem_Malloc(64 * <size_t>lanes)
        jobs = <mtc_ige_job *>PyMem_Malloc(sizeof(mtc_ige_job) * <size_t>lanes)
        try:
            if buf == NULL or keyiv == NULL or jobs == NULL:
                raise MemoryError()
            with nogil:
                ns = mtc_limit_ige_many(_best, buf, <size_t>lanes, n, keyiv,
                                        jobs, count)
        finally:
            PyMem_Free(buf)
            PyMem_Free(keyiv)
            PyMem_Free(jobs)
        return ns
    op = {
        "ige_encrypt": MTC_LIMIT_IGE_ENCRYPT,
        "ige_decrypt": MTC_LIMIT_IGE_DECRYPT,
        "cbc_encrypt": MTC_LIMIT_CBC_ENCRYPT,
        "cbc_decrypt": MTC_LIMIT_CBC_DECRYPT,
        "ctr": MTC_LIMIT_CTR,
    }[what]
    buf = <uint8_t *>PyMem_Malloc(2 * n)
    if buf == NULL:
        raise MemoryError()
    with nogil:
        ns = mtc_limit_aes(_best, op, buf, n, count)
    PyMem_Free(buf)
    return ns
