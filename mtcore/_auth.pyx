# Included by _cmtcore.pyx: the key exchange's pq factorization over
# src_c/pq.c and its modular exponentiation over src_c/modexp.c (the pure
# twin is mtcore/_py/auth.py).


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
        raise _errors.pq_type("pq", pq)
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


def modexp(base, exponent, modulus):
    """
    ``base ** exponent % modulus``, the 2048-bit modular exponentiation of
    the key exchange and SRP (core.telegram.org/mtproto/auth_key).

    For an odd modulus of 3 to 4096 bits it runs in C (src_c/modexp.c) in
    time that depends only on the lengths of the modulus and of the
    exponent, which is taken at least as long as the modulus: the
    exponent's value and the base do not show.  Other moduli go to
    ``pow``.  The base is first reduced with Python's ``%`` (it is public
    in the protocol's uses).

    :param base: an int.
    :param exponent: an int >= 0.
    :param modulus: an int >= 1.
    :returns: an int in ``0 .. modulus - 1``.
    """
    cdef Py_ssize_t n, elen
    cdef const uint8_t *pb
    cdef const uint8_t *pm
    cdef uint8_t *pe
    cdef uint8_t *po
    cdef int rc
    modexp_args(base, exponent, modulus)
    n = (modulus.bit_length() + 7) // 8
    if not modulus & 1 or modulus < 3 or n > MTC_MODEXP_MAX_BYTES:
        return pow(base, exponent, modulus)
    m = modulus.to_bytes(n, "big")
    b = (base % modulus).to_bytes(n, "big")
    elen = max((exponent.bit_length() + 7) // 8, n)
    e = bytearray(exponent.to_bytes(elen, "big"))
    out = bytearray(n)
    pm = <const uint8_t *>PyBytes_AS_STRING(m)
    pb = <const uint8_t *>PyBytes_AS_STRING(b)
    pe = <uint8_t *>(<char *>e)
    po = <uint8_t *>(<char *>out)
    with nogil:
        rc = mtc_modexp(po, pb, pe, elen, pm, n)
        mtc_memzero(pe, elen)
    if rc != 0:  # pragma: no cover - the checks above rule it out
        raise RuntimeError("mtc_modexp refused a modulus it should take")
    return int.from_bytes(out, "big")
