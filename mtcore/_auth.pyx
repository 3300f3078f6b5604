# Included by _cmtcore.pyx: the key exchange's pq factorization over
# src_c/pq.c (the pure twin is mtcore/_py/auth.py).


cdef uint64_t _pq_value(object pq) except? 0:
    # An int below 2^64, or 1..8 big-endian bytes (as in res_pq); a value
    # below 2 is the factorizer's to refuse, whatever its form.
    cdef Py_buffer b
    if isinstance(pq, int) and not isinstance(pq, bool):
        if pq < 2:
            raise _errors.pq_refused(pq, MTC_PQ_TOO_SMALL)
        if pq > 0xFFFFFFFFFFFFFFFF:
            raise _errors.out_of_range("pq", 2, 0xFFFFFFFFFFFFFFFF, pq)
        return <uint64_t>pq
    if not PyObject_CheckBuffer(pq):
        raise _errors.pq_type(pq)
    buf_init(&b)
    try:
        get_buffer(pq, &b, "pq", False)
        if not 1 <= b.len <= 8:
            raise _errors.pq_bytes_length(b.len)
        value = int.from_bytes((<char *>b.buf)[:b.len], "big")
    finally:
        buf_release(&b)
    if value < 2:
        raise _errors.pq_refused(value, MTC_PQ_TOO_SMALL)
    return <uint64_t>value


def factorize_pq(pq):
    """
    Split the key exchange's pq (core.telegram.org/mtproto/auth_key) into
    its two primes.

    :param pq: an int, or the big-endian bytes of ``resPQ.pq`` (1..8).
    :returns: ``(p, q)``, ints with ``p < q``.
    :raises FactorizationError: pq is not a product of two distinct odd
        primes (even, prime, a perfect square, more factors).
    """
    cdef uint64_t n = _pq_value(pq)
    cdef uint64_t p, q
    cdef int rc
    with nogil:
        rc = mtc_factorize_pq(n, &p, &q)
    if rc != MTC_PQ_OK:
        raise _errors.pq_refused(n, rc)
    return (p, q)
