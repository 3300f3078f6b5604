# Included by _cmtcore.pyx: AES-256 IGE, CBC and CTR over the C kernels.
# The pure twin is mtcore/_py/aes.py; both raise the errors of
# mtcore/_errors.py in the same order: data, key, iv, then out.

cdef enum AesOp:
    IGE_ENCRYPT
    IGE_DECRYPT
    CBC_ENCRYPT
    CBC_DECRYPT


cdef object _one_shot(const mtc_aes_impl *impl, AesOp op, object data,
                      object key, object iv, object out,
                      str dname="data"):
    # dname: the data argument's name in errors (cryptg's plain/cipher).
    cdef Py_buffer d, k, v, o
    cdef Py_ssize_t iv_size = 32 if op == IGE_ENCRYPT or op == IGE_DECRYPT \
        else 16
    cdef uint8_t ivbuf[16]
    cdef uint8_t keyiv[64]
    cdef const uint8_t *keyp = NULL
    cdef uint8_t *ivp = NULL
    cdef uint8_t *dst
    cdef uint8_t *tmp = NULL
    cdef const uint8_t *src
    cdef size_t n
    cdef object result
    buf_init(&d)
    buf_init(&k)
    buf_init(&v)
    buf_init(&o)
    try:
        get_buffer(data, &d, dname, False)
        get_buffer(key, &k, "key", False)
        if k.len != 32:
            raise _errors.bad_length("key", 32, k.len)
        get_buffer(iv, &v, "iv", False)
        if v.len != iv_size:
            raise _errors.bad_length("iv", iv_size, v.len)
        if d.len % 16:
            raise _errors.not_whole_blocks(dname, d.len)
        n = <size_t>d.len
        src = <const uint8_t *>d.buf
        if out is None:
            result = PyBytes_FromStringAndSize(NULL, d.len)
            dst = <uint8_t *>PyBytes_AS_STRING(result)
        else:
            get_buffer(out, &o, "out", True)
            if o.len != d.len:
                raise _errors.out_mismatch(d.len, o.len)
            result = out
            dst = <uint8_t *>o.buf
            if partial_overlap(src, dst, n):
                tmp = <uint8_t *>PyMem_Malloc(n)
                if tmp == NULL:
                    raise MemoryError()
        keyp = <const uint8_t *>k.buf
        ivp = <uint8_t *>v.buf
        if out is not None and (overlaps(dst, n, keyp, 32)
                                or overlaps(dst, n, ivp, <size_t>iv_size)):
            # out covers the key or the IV: read both before writing.
            memcpy(keyiv, keyp, 32)
            memcpy(keyiv + 32, ivp, <size_t>iv_size)
            keyp = keyiv
            ivp = keyiv + 32
        if op == CBC_ENCRYPT or op == CBC_DECRYPT:
            # The CBC kernels write the next IV back; the caller's stays.
            memcpy(ivbuf, ivp, 16)
            ivp = ivbuf
        if d.len >= NOGIL_MIN:
            with nogil:
                _run(impl, op, keyp, ivp, src, dst, tmp, n)
        else:
            _run(impl, op, keyp, ivp, src, dst, tmp, n)
        return result
    finally:
        if ivp == ivbuf:
            mtc_memzero(ivbuf, 16)
        if keyp == keyiv:
            mtc_memzero(keyiv, sizeof(keyiv))
        if tmp != NULL:
            mtc_memzero(tmp, n)
            PyMem_Free(tmp)
        buf_release(&o)
        buf_release(&v)
        buf_release(&k)
        buf_release(&d)


cdef inline void _run(const mtc_aes_impl *impl, AesOp op, const uint8_t *key,
                      uint8_t *iv, const uint8_t *src, uint8_t *dst,
                      uint8_t *tmp, size_t n) noexcept nogil:
    # tmp, when set, stands in for a dst that partly overlaps src.
    cdef uint8_t *to = tmp if tmp != NULL else dst
    if op == IGE_ENCRYPT:
        impl.ige_encrypt(key, iv, src, to, n)
    elif op == IGE_DECRYPT:
        impl.ige_decrypt(key, iv, src, to, n)
    elif op == CBC_ENCRYPT:
        impl.cbc_encrypt(key, iv, src, to, n)
    else:
        impl.cbc_decrypt(key, iv, src, to, n)
    if tmp != NULL:
        memcpy(dst, tmp, n)


#: The kernel the module-level functions use (chosen in _cmtcore.pyx).
aes_kernel = (<bytes>_best.name).decode()


ctypedef fused _kernel:
    mtc_aes_impl
    mtc_sha_impl


cdef tuple _runnable(const _kernel *(*at)(size_t) noexcept,
                     const _kernel *(*get)(const char *) noexcept):
    # The names of the kernels of one registry (mtc_aes_at and mtc_aes_get,
    # or the SHA ones) this machine can run, fastest first.
    cdef size_t i = 0
    cdef const _kernel *impl = at(0)
    names = []
    while impl != NULL:
        if get(impl.name) != NULL:
            names.append((<bytes>impl.name).decode())
        i += 1
        impl = at(i)
    return tuple(names)


def aes_kernels():
    """
    The AES kernels this machine can run, fastest first.
    """
    return _runnable(mtc_aes_at, mtc_aes_get)


def cpu_features():
    """
    The CPU features the C side detected and may use.
    """
    cdef unsigned f = mtc_cpu_features()
    return tuple(name for bit, name in ((MTC_CPU_AESNI, "aesni"),
                                        (MTC_CPU_VAES, "vaes"),
                                        (MTC_CPU_SHANI, "shani"),
                                        (MTC_CPU_ARMAES, "armaes"),
                                        (MTC_CPU_ARMSHA, "armsha"),
                                        (MTC_CPU_SSSE3, "ssse3"))
                 if f & bit)


def ige_encrypt(data, key, iv, *, out=None):
    """
    Encrypt with AES-256-IGE.

    :param data: the plaintext, a multiple of 16 bytes long (may be empty).
    :param key: the 32-byte key.
    :param iv: the 32-byte IV: the previous ciphertext block, then the
        previous plaintext block (Telegram's and OpenSSL's order).
    :param out: optional writable buffer of len(data) bytes to write the
        result into; it may be ``data`` itself.
    :returns: the ciphertext as ``bytes``, or ``out``.
    """
    return _one_shot(_best, IGE_ENCRYPT, data, key, iv, out)


def ige_decrypt(data, key, iv, *, out=None):
    """
    Decrypt with AES-256-IGE; the arguments are as for :func:`ige_encrypt`.
    """
    return _one_shot(_best, IGE_DECRYPT, data, key, iv, out)


def encrypt_ige(plain, key, iv):
    """
    cryptg's ``encrypt_ige(plain, key, iv)`` (see mtcore.compat.cryptg):
    AES-256-IGE encryption of ``plain`` (a multiple of 16 bytes).

    :returns: the ciphertext as ``bytes``.
    """
    return _one_shot(_best, IGE_ENCRYPT, plain, key, iv, None, "plain")


def decrypt_ige(cipher, key, iv):
    """
    cryptg's ``decrypt_ige(cipher, key, iv)``: AES-256-IGE decryption.

    :returns: the plaintext as ``bytes``.
    """
    return _one_shot(_best, IGE_DECRYPT, cipher, key, iv, None, "cipher")


def cbc_encrypt(data, key, iv, *, out=None):
    """
    Encrypt with AES-256-CBC, no padding.

    :param data: the plaintext, a multiple of 16 bytes long (may be empty).
    :param key: the 32-byte key.
    :param iv: the 16-byte IV.
    :param out: optional writable buffer of len(data) bytes; may be ``data``.
    :returns: the ciphertext as ``bytes``, or ``out``.
    """
    return _one_shot(_best, CBC_ENCRYPT, data, key, iv, out)


def cbc_decrypt(data, key, iv, *, out=None):
    """
    Decrypt with AES-256-CBC; the arguments are as for :func:`cbc_encrypt`.
    """
    return _one_shot(_best, CBC_DECRYPT, data, key, iv, out)


cdef inline void _ctr_run(const mtc_aes_impl *impl,
                          const mtc_aes256_keys *ks, mtc_ctr_pos *pos,
                          const uint8_t *src, uint8_t *dst, uint8_t *tmp,
                          size_t n) noexcept nogil:
    # tmp, when set, stands in for a dst that partly overlaps src.
    mtc_ctr_xor(impl, ks, pos, src, tmp if tmp != NULL else dst, n)
    if tmp != NULL:
        memcpy(dst, tmp, n)


cdef int _state_buffer(object obj, Py_buffer *view, str name) except -1:
    # A buffer the call updates in place (tgcrypto's iv and state): a
    # read-only one is a TypeError, as mtcore.compat.tgcrypto documents.
    cdef Py_buffer probe
    cdef bint readonly = False
    if _take_buffer(obj, view, True, False):
        return 0
    if PyObject_CheckBuffer(obj):
        buf_init(&probe)
        if PyObject_GetBuffer_noraise(obj, &probe, PyBUF_FULL_RO) == 0:
            readonly = probe.readonly
            buf_release(&probe)
        else:
            PyErr_Clear()
        if readonly:
            raise _errors.immutable_state(name, obj)
    _raise_buffer_error(obj, name, True)


# Serialises the reservation step of _ctr256 across threads (the
# GIL does so on its own; a free-threaded build needs the lock).
cdef cython.pymutex _ctr_state_lock


def ctr256_encrypt(data, key, iv, state, /):
    """
    Encrypt or decrypt with AES-256-CTR, continuing the keystream that
    ``iv`` (the 16-byte counter block) and ``state`` (a 1-byte buffer, the
    offset 0..15 of the next keystream byte in ``AES(iv)``) describe, and
    update both in place (tgcrypto's function; see mtcore.compat.tgcrypto).

    :returns: ``data`` (at least one byte) XOR the keystream, as ``bytes``.
    """
    return _ctr256(data, key, iv, state)


def ctr256_decrypt(data, key, iv, state, /):
    """
    The same as :func:`ctr256_encrypt` (CTR is its own inverse).
    """
    return _ctr256(data, key, iv, state)


cdef object _ctr256(object data, object key, object iv, object state):
    # Everything is checked before iv and state are written.  The range is
    # reserved (iv and state moved on) before the keystream is made, so
    # threads sharing one iv and state get disjoint keystream.
    cdef Py_buffer d, k, v, st
    cdef mtc_ctr_stream stream
    cdef unsigned offset
    cdef uint64_t total
    cdef uint8_t *dst
    buf_init(&d)
    buf_init(&k)
    buf_init(&v)
    buf_init(&st)
    try:
        _state_buffer(iv, &v, "iv")
        _state_buffer(state, &st, "state")
        if st.len != 1:
            raise _errors.state_length(st.len)
        offset = (<uint8_t *>st.buf)[0]
        if offset > 15:
            raise _errors.out_of_range("state", 0, 15, offset)
        get_buffer(key, &k, "key", False)
        if k.len != 32:
            raise _errors.bad_length("key", 32, k.len)
        if v.len != 16:
            raise _errors.bad_length("iv", 16, v.len)
        get_buffer(data, &d, "data", False)
        if d.len == 0:
            raise _errors.empty_data("data")
        result = PyBytes_FromStringAndSize(NULL, d.len)
        dst = <uint8_t *>PyBytes_AS_STRING(result)
        mtc_ctr_init(_best, &stream, <const uint8_t *>k.buf, <const uint8_t *>v.buf)
        with _ctr_state_lock:
            # Read the position again under the lock (another thread may
            # have moved it since the check), then reserve the range.
            offset = (<uint8_t *>st.buf)[0] & 15
            memcpy(stream.pos.ctr, v.buf, 16)
            total = offset + <uint64_t>d.len
            mtc_ctr_add(<uint8_t *>v.buf, total >> 4)
            (<uint8_t *>st.buf)[0] = <uint8_t>(total & 15)
        if offset:
            mtc_ctr_skip(_best, &stream.ks, &stream.pos, offset)
        if d.len >= NOGIL_MIN:
            with nogil:
                mtc_ctr_update(_best, &stream, <const uint8_t *>d.buf, dst,
                               <size_t>d.len)
        else:
            mtc_ctr_update(_best, &stream, <const uint8_t *>d.buf, dst,
                           <size_t>d.len)
        return result
    finally:
        mtc_memzero(&stream, sizeof(stream))
        buf_release(&st)
        buf_release(&v)
        buf_release(&k)
        buf_release(&d)


@cython.final
@cython.auto_pickle(False)
cdef class Ctr:
    """
    An AES-256-CTR stream: the 16-byte ``iv`` is the first counter block,
    incremented as one 128-bit big-endian integer per 16 bytes of
    keystream.  Successive calls continue the keystream at any byte
    boundary; encryption and decryption are the same operation.  The
    expanded key is wiped when the object is released.

    :param key: the 32-byte key.
    :param iv: the 16-byte initial counter block.
    """
    cdef const mtc_aes_impl *_impl
    cdef mtc_ctr_stream _st
    cdef bint _ready

    def __cinit__(self):
        self._impl = _best
        self._ready = False

    @cython.critical_section
    def __init__(self, key, iv):
        cdef Py_buffer k, v
        if self._ready:
            # Other threads may be reading the expanded key without the GIL.
            raise _errors.already_initialised("Ctr")
        buf_init(&k)
        buf_init(&v)
        try:
            get_buffer(key, &k, "key", False)
            if k.len != 32:
                raise _errors.bad_length("key", 32, k.len)
            get_buffer(iv, &v, "iv", False)
            if v.len != 16:
                raise _errors.bad_length("iv", 16, v.len)
            mtc_ctr_init(self._impl, &self._st, <const uint8_t *>k.buf,
                         <const uint8_t *>v.buf)
            self._ready = True
        finally:
            buf_release(&v)
            buf_release(&k)

    def __dealloc__(self):
        mtc_memzero(&self._st, sizeof(self._st))

    cdef int _xor(self, const uint8_t *src, uint8_t *dst,
                  Py_ssize_t n) except -1:
        # Called with the object's critical section held (update,
        # update_into) and no Python code run from here to the kernel.
        cdef uint8_t *tmp = NULL
        cdef mtc_ctr_pos at
        if not self._ready:
            raise _errors.not_initialised("Ctr")
        if partial_overlap(src, dst, <size_t>n):
            tmp = <uint8_t *>PyMem_Malloc(<size_t>n)
            if tmp == NULL:
                raise MemoryError()
        if n < NOGIL_MIN:
            # The GIL (or the critical section) is held throughout.
            _ctr_run(self._impl, &self._st.ks, &self._st.pos, src, dst, tmp,
                     <size_t>n)
        else:
            # Releasing the GIL releases the critical section too, so the
            # call first reserves its keystream: it takes the position and
            # moves the stream past n bytes, and another thread entering
            # meanwhile starts after them.  Keystream is never used twice.
            at = self._st.pos
            mtc_ctr_skip(self._impl, &self._st.ks, &self._st.pos, <size_t>n)
            with nogil:
                _ctr_run(self._impl, &self._st.ks, &at, src, dst, tmp,
                         <size_t>n)
            mtc_memzero(&at, sizeof(at))
        if tmp != NULL:
            mtc_memzero(tmp, <size_t>n)
            PyMem_Free(tmp)
        return 0

    @cython.critical_section
    def update(self, data):
        """
        XOR the next ``len(data)`` keystream bytes into data.

        :returns: the result as ``bytes``.
        """
        cdef Py_buffer d
        buf_init(&d)
        try:
            get_buffer(data, &d, "data", False)
            result = PyBytes_FromStringAndSize(NULL, d.len)
            self._xor(<const uint8_t *>d.buf,
                      <uint8_t *>PyBytes_AS_STRING(result), d.len)
            return result
        finally:
            buf_release(&d)

    @cython.critical_section
    def update_into(self, data, out):
        """
        Like :meth:`update`, but write into ``out`` (at least ``len(data)``
        bytes; may be ``data`` itself).

        :returns: the number of bytes written, ``len(data)``.
        """
        cdef Py_buffer d, o
        buf_init(&d)
        buf_init(&o)
        try:
            get_buffer(data, &d, "data", False)
            get_buffer(out, &o, "out", True)
            if o.len < d.len:
                raise _errors.out_too_small(d.len, o.len)
            self._xor(<const uint8_t *>d.buf, <uint8_t *>o.buf, d.len)
            return d.len
        finally:
            buf_release(&o)
            buf_release(&d)


cdef Ctr _new_ctr(const mtc_aes_impl *impl, object key, object iv):
    cdef Ctr ctr = Ctr.__new__(Ctr)
    ctr._impl = impl
    ctr.__init__(key, iv)
    return ctr


@cython.final
@cython.auto_pickle(False)
cdef class AesKernel:
    """
    The AES functions bound to one named kernel (``"portable"``,
    ``"ssse3vp"``, ``"aesni"``, ``"vaes"``; on AArch64 ``"neonvp"``,
    ``"armaes"``), whatever the default is: ``aes_kernels()`` lists those
    this machine runs.  A test and benchmark hook (forcing one kernel);
    applications use the module-level functions.
    """
    cdef const mtc_aes_impl *_impl
    cdef readonly str name

    def __cinit__(self, name):
        if isinstance(name, str):
            self._impl = mtc_aes_get(name.encode())
        if self._impl == NULL:
            raise _errors.no_kernel(name, aes_kernels())
        self.name = name

    def ige_encrypt(self, data, key, iv, *, out=None):
        return _one_shot(self._impl, IGE_ENCRYPT, data, key, iv, out)

    def ige_decrypt(self, data, key, iv, *, out=None):
        return _one_shot(self._impl, IGE_DECRYPT, data, key, iv, out)

    def cbc_encrypt(self, data, key, iv, *, out=None):
        return _one_shot(self._impl, CBC_ENCRYPT, data, key, iv, out)

    def cbc_decrypt(self, data, key, iv, *, out=None):
        return _one_shot(self._impl, CBC_DECRYPT, data, key, iv, out)

    def Ctr(self, key, iv):
        return _new_ctr(self._impl, key, iv)


cdef object _ige_many(const mtc_aes_impl *impl, AesOp op, object items):
    """
    IGE over a list of (data, key, iv[, out]) items in one call: the kernel
    interleaves independent messages, and the GIL is released once.  The
    result equals the one-at-a-time calls in item order: when an out shares
    memory with anything but its own data in place (another item's data,
    key, iv or out, or its own key or iv), the items run one at a time.
    """
    cdef tuple seq
    cdef Py_ssize_t count, i
    cdef Py_buffer *views = NULL
    cdef mtc_ige_job *jobs = NULL
    cdef mtc_span *spans = NULL
    cdef size_t total = 0, nspans = 0
    cdef bint any_out = False, one_by_one = False
    if not isinstance(items, (list, tuple)):
        raise _errors.not_sequence("items", items)
    # One snapshot: Python code run below (an item's __iter__, a
    # __buffer__) cannot change what is read.  Each view owns a reference
    # to its object, so nothing read in place is freed before the kernel
    # returns.
    seq = tuple(items)
    count = len(seq)
    results = [None] * count
    views = <Py_buffer *>PyMem_Calloc(<size_t>(4 * count + 1),
                                      sizeof(Py_buffer))
    jobs = <mtc_ige_job *>PyMem_Calloc(<size_t>(count + 1),
                                       sizeof(mtc_ige_job))
    if views == NULL or jobs == NULL:
        PyMem_Free(views)
        PyMem_Free(jobs)
        raise MemoryError()
    try:
        for i in range(count):
            results[i] = _ige_job(seq[i], i, &views[4 * i], &jobs[i])
            total += jobs[i].len
            if buf_filled(&views[4 * i + 3]):
                any_out = True
        if any_out:
            spans = <mtc_span *>PyMem_Malloc(<size_t>(4 * count) *
                                             sizeof(mtc_span))
            if spans == NULL:
                raise MemoryError()
            for i in range(count):
                nspans = _job_spans(&jobs[i], buf_filled(&views[4 * i + 3]),
                                    spans, nspans)
            one_by_one = mtc_spans_conflict(spans, nspans) != 0
        if one_by_one:
            for i in range(count):
                _ige_job_alone(impl, op, &jobs[i])
        elif total >= <size_t>NOGIL_MIN:
            with nogil:
                impl.ige_many(op == IGE_DECRYPT, jobs, <size_t>count)
        else:
            impl.ige_many(op == IGE_DECRYPT, jobs, <size_t>count)
        return results
    finally:
        for i in range(4 * count):
            buf_release(&views[i])
        PyMem_Free(spans)
        PyMem_Free(views)
        PyMem_Free(jobs)


cdef size_t _job_spans(const mtc_ige_job *job, bint has_out, mtc_span *spans,
                       size_t n) noexcept:
    # The memory job reads and writes, appended at spans[n]; an out that is
    # its data (in place) is one written span.  Returns the new count.
    spans[n] = mtc_span(p=job.key, len=32, write=0)
    spans[n + 1] = mtc_span(p=job.iv, len=32, write=0)
    n += 2
    if not has_out:
        # A fresh bytes object: no other span can touch it.
        spans[n] = mtc_span(p=job.inp, len=job.len, write=0)
        return n + 1
    if <const uint8_t *>job.out != job.inp:
        spans[n] = mtc_span(p=job.inp, len=job.len, write=0)
        n += 1
    spans[n] = mtc_span(p=job.out, len=job.len, write=1)
    return n + 1


cdef int _ige_job_alone(const mtc_aes_impl *impl, AesOp op,
                        const mtc_ige_job *job) except -1:
    # One item as ige_encrypt/ige_decrypt would run it: every input read
    # before the output is written.
    cdef uint8_t *tmp = NULL
    cdef uint8_t keyiv[64]
    if partial_overlap(job.inp, job.out, job.len):
        tmp = <uint8_t *>PyMem_Malloc(job.len + 1)
        if tmp == NULL:
            raise MemoryError()
    # The key and IV are read before out is written (out may cover them).
    memcpy(keyiv, job.key, 32)
    memcpy(keyiv + 32, job.iv, 32)
    try:
        _run(impl, op, keyiv, keyiv + 32, job.inp, job.out, tmp, job.len)
    finally:
        mtc_memzero(keyiv, sizeof(keyiv))
        if tmp != NULL:
            mtc_memzero(tmp, job.len)
            PyMem_Free(tmp)
    return 0


cdef object _ige_job(object item, Py_ssize_t i, Py_buffer *views,
                     mtc_ige_job *job):
    """
    Fills job from items[i], (data, key, iv) or (data, key, iv, out), with
    views[0..3] holding their buffers; returns the object the result goes
    to (a new bytes, or out).
    """
    cdef Py_ssize_t n
    cdef tuple t
    if not isinstance(item, (tuple, list)):
        raise _errors.bad_item(f"items[{i}]", item)
    t = tuple(item)   # a snapshot, as for items
    if not 3 <= len(t) <= 4:
        raise _errors.bad_item(f"items[{i}]", item)
    get_buffer_at(t[0], &views[0], "items", i, "data", False)
    get_buffer_at(t[1], &views[1], "items", i, "key", False)
    if views[1].len != 32:
        raise _errors.bad_length(f"items[{i}].key", 32, views[1].len)
    get_buffer_at(t[2], &views[2], "items", i, "iv", False)
    if views[2].len != 32:
        raise _errors.bad_length(f"items[{i}].iv", 32, views[2].len)
    n = views[0].len
    if n % 16:
        raise _errors.not_whole_blocks(f"items[{i}].data", n)
    job.inp = <const uint8_t *>views[0].buf
    job.key = <const uint8_t *>views[1].buf
    job.iv = <const uint8_t *>views[2].buf
    job.len = <size_t>n
    if len(t) == 3:
        result = PyBytes_FromStringAndSize(NULL, n)
        job.out = <uint8_t *>PyBytes_AS_STRING(result)
        return result
    result = t[3]
    get_buffer_at(result, &views[3], "items", i, "out", True)
    if views[3].len != n:
        raise _errors.out_mismatch(n, views[3].len)
    job.out = <uint8_t *>views[3].buf
    return result


def ige_encrypt_many(items):
    """
    :func:`ige_encrypt` over a list of ``(data, key, iv)`` items (e.g. the
    parts of an upload) in one call, interleaving the messages so that the
    AES unit works on several at once.  An item may carry a fourth element,
    a writable buffer of ``len(data)`` bytes for the result (it may be
    ``data`` itself, or overlap it); reusing such buffers avoids fresh
    pages.  The results are those of the one-at-a-time calls in item order,
    also where an ``out`` overlaps another item's buffers.

    :returns: a list of ciphertexts (``bytes``, or each item's ``out``), as
        the one-at-a-time calls give.
    """
    return _ige_many(_best, IGE_ENCRYPT, items)


def ige_decrypt_many(items):
    """
    :func:`ige_decrypt` over a list of ``(data, key, iv)`` items.

    :returns: a list of plaintexts.
    """
    return _ige_many(_best, IGE_DECRYPT, items)
