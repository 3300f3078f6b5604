# Included by _cmtcore.pyx: MTProto 2.0 message encryption over the C
# core in src_c/mtproto.c (the pure twin is mtcore/_py/mtproto.py).  Each
# public function is a thin wrapper over a cdef core that takes the AES and
# SHA kernels, so MtprotoKernel can run the same code on any of them.

from mtcore._message import Message



@cython.final
@cython.auto_pickle(False)
cdef class AuthKey:
    """
    A 256-byte MTProto auth key with its ``key_id`` (the 8 bytes sent on
    the wire: SHA1(key)[12:20]) and ``aux_hash`` (SHA1(key)[0:8]) computed
    once.  The copy the object holds is wiped when it is released.

    :param data: the 256-byte key (big-endian, left-padded with zeros).
    """
    cdef uint8_t _key[256]
    cdef uint8_t _id[8]
    cdef uint8_t _aux[8]

    def __cinit__(self, data):
        _copy_key(data, self._key)
        mtc_mtp_key_id(_sha_best, self._key, self._id, self._aux)

    def __dealloc__(self):
        mtc_memzero(self._key, sizeof(self._key))
        mtc_memzero(self._aux, sizeof(self._aux))

    @property
    def key_id(self):
        """The 8-byte auth_key_id, as on the wire."""
        return PyBytes_FromStringAndSize(<char *>self._id, 8)

    @property
    def aux_hash(self):
        """The 8-byte auth_key_aux_hash of the key exchange."""
        return PyBytes_FromStringAndSize(<char *>self._aux, 8)

    def __bytes__(self):
        return PyBytes_FromStringAndSize(<char *>self._key, 256)

    def __eq__(self, other):
        if not isinstance(other, AuthKey):
            return NotImplemented
        return mtc_ct_equal(self._key, (<AuthKey>other)._key, 256) == 1

    def __hash__(self):
        return hash(self.key_id)

    def __repr__(self):
        return f"AuthKey(key_id={self.key_id.hex()})"


cdef struct KeyRef:
    # The key material of an auth_key argument: an AuthKey's own, or a
    # copy (wiped after the call) of a 256-byte buffer.
    const uint8_t *key
    const uint8_t *key_id
    const uint8_t *aux_hash
    uint8_t copy[256 + 16]


cdef int _copy_key(object data, uint8_t *dst) except -1:
    # The 256 bytes of an auth_key argument into dst.
    cdef Py_buffer b
    buf_init(&b)
    try:
        get_buffer(data, &b, "auth_key", False)
        if b.len != 256:
            raise _errors.bad_length("auth_key", 256, b.len)
        memcpy(dst, b.buf, 256)
    finally:
        buf_release(&b)
    return 0


cdef int _key_ref(object auth_key, KeyRef *ref,
                  const mtc_sha_impl *sha) except -1:
    ref.key = NULL
    if type(auth_key) is AuthKey:
        ref.key = (<AuthKey>auth_key)._key
        ref.key_id = (<AuthKey>auth_key)._id
        ref.aux_hash = (<AuthKey>auth_key)._aux
        return 0
    _copy_key(auth_key, ref.copy)
    mtc_mtp_key_id(sha, ref.copy, ref.copy + 256, ref.copy + 264)
    ref.key = ref.copy
    ref.key_id = ref.copy + 256
    ref.aux_hash = ref.copy + 264
    return 0


cdef inline void _key_done(KeyRef *ref) noexcept:
    # Only a copy made from a buffer needs wiping (an AuthKey wipes its own).
    if ref.key == ref.copy:
        mtc_memzero(ref.copy, sizeof(ref.copy))


cdef inline unsigned _x(object from_client):
    # x = 0 for messages from the client, 8 for messages from the server.
    return 0 if from_client else 8


cdef int _fixed(object obj, Py_buffer *view, str name,
                Py_ssize_t size) except -1:
    get_buffer(obj, view, name, False)
    if view.len != size:
        raise _errors.bad_length(name, size, view.len)
    return 0


cdef object _msg_key(const mtc_kernels *k, object auth_key, object plaintext,
                     object from_client):
    cdef KeyRef ref
    cdef Py_buffer p
    cdef uint8_t large[32]
    cdef unsigned x = _x(from_client)
    buf_init(&p)
    try:
        _key_ref(auth_key, &ref, k.sha)
        get_buffer(plaintext, &p, "plaintext", False)
        if p.len >= NOGIL_MIN:
            with nogil:
                mtc_mtp_msg_key_large(k.sha, ref.key, x,
                                      <const uint8_t *>p.buf, <size_t>p.len,
                                      NULL, 0, large)
        else:
            mtc_mtp_msg_key_large(k.sha, ref.key, x,
                                  <const uint8_t *>p.buf, <size_t>p.len,
                                  NULL, 0, large)
        return PyBytes_FromStringAndSize(<char *>large + 8, 16)
    finally:
        mtc_memzero(large, sizeof(large))
        _key_done(&ref)
        buf_release(&p)


cdef object _kdf(const mtc_kernels *k, object auth_key, object msg_key,
                 object from_client):
    cdef KeyRef ref
    cdef Py_buffer m
    cdef uint8_t out[64]
    buf_init(&m)
    try:
        _key_ref(auth_key, &ref, k.sha)
        _fixed(msg_key, &m, "msg_key", 16)
        mtc_mtp_kdf(k.sha, ref.key, _x(from_client),
                    <const uint8_t *>m.buf, out, out + 32)
        return (PyBytes_FromStringAndSize(<char *>out, 32),
                PyBytes_FromStringAndSize(<char *>out + 32, 32))
    finally:
        mtc_memzero(out, sizeof(out))
        _key_done(&ref)
        buf_release(&m)


def encrypted_length(n):
    """
    The length of the packet :func:`encrypt_message` makes from ``n``
    bytes of plaintext with its own padding: 24 + n + 12..27.
    """
    if not isinstance(n, int):
        raise _errors.not_int("n", n)
    if not 0 <= n <= 0x7FFFFFFF:
        raise _errors.out_of_range("n", 0, 0x7FFFFFFF, n)
    return 24 + n + mtc_mtp_padding(<size_t>n)


cdef int _fill_padding(const mtc_aes_impl *aes, uint8_t *dst,
                       size_t n) except -1:
    cdef bytes fallback
    if mtc_random(aes, dst, n) != 0:
        fallback = os.urandom(n)
        memcpy(dst, PyBytes_AS_STRING(fallback), n)
    return 0


cdef object _encrypt(const mtc_kernels *k, KeyRef *ref, unsigned x,
                     const uint8_t *head, size_t headlen,
                     const uint8_t *pt, size_t ptlen, object padding,
                     object out):
    """
    key_id + msg_key + IGE(head + pt + padding) into a new bytes object or
    out; padding None draws it from the CSPRNG.  ref is the caller's.
    """
    cdef Py_buffer pad, o
    cdef size_t n = headlen + ptlen, padlen
    cdef uint8_t *dst
    cdef uint8_t padbuf[1024]
    cdef object result
    buf_init(&pad)
    buf_init(&o)
    try:
        if padding is None:
            padlen = mtc_mtp_padding(n)
        else:
            get_buffer(padding, &pad, "padding", False)
            padlen = <size_t>pad.len
            if padlen < 12 or padlen > 1024 or (n + padlen) % 16:
                raise _errors.bad_padding(pad.len, n)
        if out is None:
            result = PyBytes_FromStringAndSize(NULL, <Py_ssize_t>(24 + n + padlen))
            dst = <uint8_t *>PyBytes_AS_STRING(result)
        else:
            get_buffer(out, &o, "out", True)
            if <size_t>o.len != 24 + n + padlen:
                raise _errors.bad_length("out", 24 + n + padlen, o.len)
            result = out
            dst = <uint8_t *>o.buf
        if padding is not None:
            # The padding may lie in out too: take it before out changes.
            memcpy(padbuf, pad.buf, padlen)
        # The plaintext first (it may lie anywhere in out), then what goes
        # around it: nothing is written over bytes still to be read.
        if n >= <size_t>NOGIL_MIN:
            with nogil:
                _place(dst, head, headlen, pt, ptlen)
        else:
            _place(dst, head, headlen, pt, ptlen)
        if padding is None:
            _fill_padding(k.aes, dst + 24 + n, padlen)
        else:
            memcpy(dst + 24 + n, padbuf, padlen)
        if n >= <size_t>NOGIL_MIN:
            with nogil:
                mtc_mtp_encrypt(k, ref.key, ref.key_id, x, dst, n + padlen)
        else:
            mtc_mtp_encrypt(k, ref.key, ref.key_id, x, dst, n + padlen)
        return result
    finally:
        mtc_memzero(padbuf, sizeof(padbuf))
        buf_release(&o)
        buf_release(&pad)


cdef inline void _place(uint8_t *dst, const uint8_t *head, size_t headlen,
                        const uint8_t *pt, size_t ptlen) noexcept nogil:
    # head + pt at dst + 24; pt may overlap dst (head never does).
    if ptlen:
        memmove(dst + 24 + headlen, pt, ptlen)
    if headlen:
        memcpy(dst + 24, head, headlen)


cdef object _encrypt_message(const mtc_kernels *k, object auth_key,
                             object plaintext, object from_client,
                             object padding, object out):
    cdef KeyRef ref
    cdef Py_buffer p
    buf_init(&p)
    try:
        _key_ref(auth_key, &ref, k.sha)
        get_buffer(plaintext, &p, "plaintext", False)
        return _encrypt(k, &ref, _x(from_client), NULL, 0,
                        <const uint8_t *>p.buf, <size_t>p.len, padding, out)
    finally:
        _key_done(&ref)
        buf_release(&p)


cdef object _encrypt_messages(const mtc_kernels *k, object auth_key,
                              object plaintexts, object from_client):
    """
    encrypt_message over a list: each packet gets its own padding, msg_key
    and KDF, then all IGE passes run side by side (ige_many).
    """
    cdef KeyRef ref
    cdef Py_buffer p
    cdef tuple seq
    cdef Py_ssize_t i, count
    cdef size_t n, padlen, total = 0
    cdef unsigned x = _x(from_client)
    cdef mtc_ige_job *jobs = NULL
    cdef uint8_t *keyiv = NULL
    cdef uint8_t *dst
    try:
        _key_ref(auth_key, &ref, k.sha)
        if not isinstance(plaintexts, (list, tuple)):
            raise _errors.not_sequence("plaintexts", plaintexts)
        # One snapshot (Python code run by a __buffer__ cannot change it);
        # each plaintext is copied out while its view is held.
        seq = tuple(plaintexts)
        count = len(seq)
        results = [None] * count
        jobs = <mtc_ige_job *>PyMem_Calloc(<size_t>count + 1,
                                           sizeof(mtc_ige_job))
        keyiv = <uint8_t *>PyMem_Malloc(64 * <size_t>count + 1)
        if jobs == NULL or keyiv == NULL:
            raise MemoryError()
        for i in range(count):
            buf_init(&p)
            try:
                get_buffer_at(seq[i], &p, "plaintexts", i, None, False)
                n = <size_t>p.len
                padlen = mtc_mtp_padding(n)
                result = PyBytes_FromStringAndSize(
                    NULL, <Py_ssize_t>(24 + n + padlen))
                results[i] = result
                dst = <uint8_t *>PyBytes_AS_STRING(result)
                if n:
                    memcpy(dst + 24, p.buf, n)
                _fill_padding(k.aes, dst + 24 + n, padlen)
                jobs[i].out = dst
                jobs[i].len = n + padlen
                total += n + padlen
            finally:
                buf_release(&p)
        if total >= <size_t>NOGIL_MIN:
            with nogil:
                mtc_mtp_encrypt_many(k, ref.key, ref.key_id, x, jobs,
                                     <size_t>count, keyiv)
        else:
            mtc_mtp_encrypt_many(k, ref.key, ref.key_id, x, jobs,
                                 <size_t>count, keyiv)
        return results
    finally:
        PyMem_Free(keyiv)
        PyMem_Free(jobs)
        _key_done(&ref)


cdef enum:
    # Packets up to this many bytes after the key id and msg_key decrypt
    # into a stack buffer (_decrypt_message).
    SMALL_PACKET = 1024


cdef Py_ssize_t _decrypt(const mtc_kernels *k, KeyRef *ref, unsigned x,
                         Py_buffer *packet, uint8_t *dst) except -1:
    """
    Checks and decrypts packet into dst (len - 24 bytes); returns the
    length of header + message data, or raises the failed check's error.
    """
    cdef int32_t length = 0
    cdef int rc
    if packet.len >= NOGIL_MIN:
        with nogil:
            rc = mtc_mtp_decrypt(k, ref.key, ref.key_id, x,
                                 <const uint8_t *>packet.buf,
                                 <size_t>packet.len, dst, &length)
    else:
        rc = mtc_mtp_decrypt(k, ref.key, ref.key_id, x,
                             <const uint8_t *>packet.buf, <size_t>packet.len,
                             dst, &length)
    if rc == MTC_MTP_OK:
        return 32 + length
    if rc == MTC_MTP_BAD_KEY_ID:
        raise _errors.key_id_mismatch()
    if rc == MTC_MTP_BAD_LENGTH:
        raise _errors.packet_length(packet.len)
    if rc == MTC_MTP_BAD_MSG_KEY:
        raise _errors.msg_key_mismatch()
    raise _errors.data_length(length, packet.len - 24)


cdef object _decrypt_message(const mtc_kernels *k, object auth_key,
                             object packet, object from_client,
                             bint as_message, object session_id):
    """
    decrypt_message, or with as_message unpack_message's checks and
    Message result.
    """
    cdef KeyRef ref
    cdef Py_buffer p
    cdef Py_ssize_t n
    cdef PyObject *raw
    cdef const uint8_t *d
    cdef uint8_t *dst
    cdef int64_t sid = 0
    cdef int64_t msg_id
    cdef bint other_session
    # Small packets decrypt on the stack and are copied out at their exact
    # size, which is cheaper than shrinking a bytes object (wiped after).
    cdef uint8_t small[SMALL_PACKET]
    cdef bint on_stack = False
    buf_init(&p)
    try:
        _key_ref(auth_key, &ref, k.sha)
        get_buffer(packet, &p, "packet", False)
        if as_message:
            sid = _long_id(session_id, "session_id")
        if p.len - 24 <= SMALL_PACKET:
            on_stack = True
            dst = small
        else:
            # Room for every decrypted byte, shrunk to the message after.
            result = PyBytes_FromStringAndSize(NULL, p.len - 24)
            dst = <uint8_t *>PyBytes_AS_STRING(result)
        n = _decrypt(k, &ref, _x(from_client), &p, dst)
        if not as_message:
            if on_stack:
                return PyBytes_FromStringAndSize(<char *>small, n)
            # Hand our only reference to the resize (it may move the object).
            raw = <PyObject *>result
            Py_INCREF(result)
            result = None
            return bytes_shrunk(raw, n)
        d = dst
        msg_id = <int64_t>mtc_dec64le(d + 16)
        other_session = <int64_t>mtc_dec64le(d + 8) != sid
        if other_session or (msg_id & 3 if from_client else not msg_id & 1):
            # A failed check leaves no plaintext behind (the stack buffer
            # is wiped below, a heap one here).
            mtc_memzero(dst, <size_t>(p.len - 24))
            if other_session:
                raise _errors.session_mismatch()
            raise _errors.msg_id_parity(msg_id, bool(from_client))
        # Filled in place: the namedtuple's own __new__ would take a
        # quarter of unpack_message's time at 64 B.
        return tuple5(
            Message, <int64_t>mtc_dec64le(d), sid, msg_id,
            <int32_t>mtc_dec32le(d + 24),
            PyBytes_FromStringAndSize(<char *>d + 32, n - 32))
    finally:
        if on_stack and p.len > 24:
            mtc_memzero(small, <size_t>(p.len - 24))
        _key_done(&ref)
        buf_release(&p)


cdef object _decrypt_into(const mtc_kernels *k, object auth_key,
                          object packet, object out, object from_client):
    cdef KeyRef ref
    cdef Py_buffer p, o
    cdef uint8_t *tmp = NULL
    cdef size_t n
    buf_init(&p)
    buf_init(&o)
    try:
        _key_ref(auth_key, &ref, k.sha)
        get_buffer(packet, &p, "packet", False)
        get_buffer(out, &o, "out", True)
        n = <size_t>max(p.len - 24, 0)
        if <size_t>o.len < n:
            raise _errors.out_too_small(n, o.len)
        if not partial_overlap(<const uint8_t *>p.buf + 24,
                               <uint8_t *>o.buf, n):
            return _decrypt(k, &ref, _x(from_client), &p, <uint8_t *>o.buf)
        tmp = <uint8_t *>PyMem_Malloc(n)
        if tmp == NULL:
            raise MemoryError()
        result = _decrypt(k, &ref, _x(from_client), &p, tmp)
        memcpy(o.buf, tmp, n)
        return result
    finally:
        if tmp != NULL:
            mtc_memzero(tmp, n)
            PyMem_Free(tmp)
        _key_done(&ref)
        buf_release(&o)
        buf_release(&p)


cdef int64_t _long_id(object v, str name) except? -1:
    # salt or session_id: a TL long given signed or unsigned, or the 8
    # bytes of its wire form (little-endian, as Pyrogram keeps session_id).
    cdef Py_buffer b
    cdef int64_t out
    if isinstance(v, int):
        return wire_long(v, name)
    if not PyObject_CheckBuffer(v):
        raise _errors.not_long_id(name, v)
    buf_init(&b)
    try:
        _fixed(v, &b, name, 8)
        out = <int64_t>mtc_dec64le(<const uint8_t *>b.buf)
    finally:
        buf_release(&b)
    return out


cdef object _pack_message(const mtc_kernels *k, object auth_key, object salt,
                          object session_id, object msg_id, object seq_no,
                          object body, object from_client, object padding):
    cdef KeyRef ref
    cdef Py_buffer b
    cdef uint8_t head[32]
    cdef int64_t mid
    buf_init(&b)
    try:
        _key_ref(auth_key, &ref, k.sha)
        mtc_enc64le(head, <uint64_t>_long_id(salt, "salt"))
        mtc_enc64le(head + 8, <uint64_t>_long_id(session_id, "session_id"))
        mid = wire_long(msg_id, "msg_id")
        if (mid & 3 if from_client else not mid & 1):
            raise _errors.pack_msg_id(<object>mid, bool(from_client))
        mtc_enc64le(head + 16, <uint64_t>mid)
        mtc_enc32le(head + 24, <uint32_t>wire_word(seq_no, "seq_no"))
        get_buffer(body, &b, "body", False)
        if b.len % 4:
            raise _errors.body_not_aligned(b.len)
        mtc_enc32le(head + 28, <uint32_t>b.len)
        return _encrypt(k, &ref, _x(from_client), head, 32,
                        <const uint8_t *>b.buf, <size_t>b.len, padding, None)
    finally:
        _key_done(&ref)
        buf_release(&b)


cdef object _tmp_aes_key_iv(const mtc_kernels *k, object new_nonce,
                            object server_nonce):
    cdef Py_buffer nn, sn
    cdef mtc_sha1_ctx c
    cdef uint8_t h1[20]
    cdef uint8_t h2[20]
    cdef uint8_t h3[20]
    cdef uint8_t out[64]
    buf_init(&nn)
    buf_init(&sn)
    try:
        _fixed(new_nonce, &nn, "new_nonce", 32)
        _fixed(server_nonce, &sn, "server_nonce", 16)
        _sha1_two(k.sha, &c, &nn, &sn, h1)   # SHA1(new_nonce + server_nonce)
        _sha1_two(k.sha, &c, &sn, &nn, h2)   # SHA1(server_nonce + new_nonce)
        _sha1_two(k.sha, &c, &nn, &nn, h3)   # SHA1(new_nonce + new_nonce)
        # tmp_aes_key = h1 + h2[0:12]
        memcpy(out, h1, 20)
        memcpy(out + 20, h2, 12)
        # tmp_aes_iv = h2[12:20] + h3 + new_nonce[0:4]
        memcpy(out + 32, h2 + 12, 8)
        memcpy(out + 40, h3, 20)
        memcpy(out + 60, nn.buf, 4)
        return (PyBytes_FromStringAndSize(<char *>out, 32),
                PyBytes_FromStringAndSize(<char *>out + 32, 32))
    finally:
        mtc_memzero(h1, 20)
        mtc_memzero(h2, 20)
        mtc_memzero(h3, 20)
        mtc_memzero(out, 64)
        buf_release(&sn)
        buf_release(&nn)


cdef void _sha1_two(const mtc_sha_impl *sha, mtc_sha1_ctx *c, Py_buffer *a,
                    Py_buffer *b, uint8_t *out) noexcept:
    mtc_sha1_init(c, sha)
    mtc_sha1_update(c, a.buf, <size_t>a.len)
    mtc_sha1_update(c, b.buf, <size_t>b.len)
    mtc_sha1_final(c, out)


cdef object _new_nonce_hash(const mtc_kernels *k, object auth_key,
                            object new_nonce, object number):
    cdef KeyRef ref
    cdef Py_buffer nn
    cdef mtc_sha1_ctx c
    cdef uint8_t num
    cdef uint8_t h[20]
    buf_init(&nn)
    try:
        _key_ref(auth_key, &ref, k.sha)
        _fixed(new_nonce, &nn, "new_nonce", 32)
        if not isinstance(number, int):
            raise _errors.not_int("number", number)
        if not 1 <= number <= 3:
            raise _errors.out_of_range("number", 1, 3, number)
        num = <uint8_t>number
        # new_nonce_hashN = SHA1(new_nonce + bytes([N]) + aux_hash)[4:20]
        mtc_sha1_init(&c, k.sha)
        mtc_sha1_update(&c, nn.buf, 32)
        mtc_sha1_update(&c, &num, 1)
        mtc_sha1_update(&c, ref.aux_hash, 8)
        mtc_sha1_final(&c, h)
        return PyBytes_FromStringAndSize(<char *>h + 4, 16)
    finally:
        mtc_memzero(h, 20)
        _key_done(&ref)
        buf_release(&nn)


def msg_key(auth_key, plaintext, *, from_client):
    """
    msg_key = SHA256(auth_key[88+x : 120+x] + plaintext)[8:24], where
    plaintext includes the padding.

    :returns: the 16-byte msg_key.
    """
    return _msg_key(&_kernels_best, auth_key, plaintext, from_client)


def kdf(auth_key, msg_key, *, from_client):
    """
    The MTProto 2.0 KDF (core.telegram.org/mtproto/description, "Defining
    AES Key and Initialization Vector").

    :returns: ``(aes_key, aes_iv)``, 32 bytes each.
    """
    return _kdf(&_kernels_best, auth_key, msg_key, from_client)


def encrypt_message(auth_key, plaintext, *, from_client, padding=None,
                    out=None):
    """
    Encrypt one MTProto 2.0 message: ``key_id + msg_key +
    AES-IGE(plaintext + padding)``.

    :param plaintext: the inner plaintext (salt, session_id, msg_id,
        seq_no, length and message data), not parsed here.
    :param padding: the padding bytes (12..1024, making the total a
        multiple of 16), for known-answer tests; by default 12..27 bytes
        from the OS CSPRNG.
    :param out: optional writable buffer of exactly the packet's length
        (:func:`encrypted_length` without ``padding``).
    :returns: the packet as ``bytes``, or ``out``.
    """
    return _encrypt_message(&_kernels_best, auth_key, plaintext, from_client,
                            padding, out)


def encrypt_messages(auth_key, plaintexts, *, from_client):
    """
    :func:`encrypt_message` over a list of plaintexts (e.g. the parts of an
    upload), with the IGE passes of all messages run side by side.

    :returns: a list of packets.
    """
    return _encrypt_messages(&_kernels_best, auth_key, plaintexts,
                             from_client)


def decrypt_message(auth_key, packet, *, from_client):
    """
    Check and decrypt one MTProto 2.0 packet: the key id, the length, the
    msg_key (recomputed over all decrypted bytes and compared in constant
    time) and message_data_length with 12..1024 bytes of padding.

    :returns: the inner plaintext without padding (32-byte header and
        message data).
    :raises AuthKeyIdMismatch, MessageLengthError, MessageKeyMismatch: the
        check that failed (all are :class:`SecurityError`).
    """
    return _decrypt_message(&_kernels_best, auth_key, packet, from_client,
                            False, None)


def decrypt_message_into(auth_key, packet, out, *, from_client):
    """
    Like :func:`decrypt_message`, but decrypt into ``out`` (writable, at
    least ``len(packet) - 24`` bytes; zeroed again if a check fails).

    :returns: the length of the inner plaintext without padding.
    """
    return _decrypt_into(&_kernels_best, auth_key, packet, out, from_client)


def pack_message(auth_key, *, salt, session_id, msg_id, seq_no, body,
                 from_client=True, padding=None):
    """
    Build and encrypt one message: the 32-byte header (salt, session_id,
    msg_id, seq_no, length) and ``body`` (a boxed TL object, length a
    multiple of 4).

    :param salt: the server salt: an int (signed or unsigned 64-bit), or
        its 8 bytes as on the wire (little-endian).
    :param session_id: likewise (Pyrogram keeps it as 8 bytes).
    :param msg_id: signed or unsigned 64-bit; divisible by 4 from the
        client, odd from the server.
    :returns: the packet as ``bytes``.
    """
    return _pack_message(&_kernels_best, auth_key, salt, session_id, msg_id,
                         seq_no, body, from_client, padding)


def unpack_message(auth_key, packet, *, session_id, from_client=False):
    """
    :func:`decrypt_message`, then check the session and the msg_id parity
    (odd from the server, divisible by 4 from the client).

    :returns: a :class:`Message`.
    :raises SecurityError: a subclass naming the failed check.
    """
    return _decrypt_message(&_kernels_best, auth_key, packet, from_client,
                            True, session_id)


def tmp_aes_key_iv(new_nonce, server_nonce):
    """
    The temporary AES key and IV of the key exchange
    (core.telegram.org/mtproto/auth_key, step 5).

    :returns: ``(tmp_aes_key, tmp_aes_iv)``, 32 bytes each.
    """
    return _tmp_aes_key_iv(&_kernels_best, new_nonce, server_nonce)


def new_nonce_hash(auth_key, new_nonce, number):
    """
    new_nonce_hashN = SHA1(new_nonce + bytes([N]) + aux_hash)[4:20], N in
    1..3 (dh_gen_ok / retry / fail).

    :returns: 16 bytes.
    """
    return _new_nonce_hash(&_kernels_best, auth_key, new_nonce, number)


@cython.final
@cython.auto_pickle(False)
cdef class MtprotoKernel:
    """
    The MTProto and hash functions bound to one AES and one SHA kernel.  A
    test and benchmark hook; applications use the module-level functions.
    """
    cdef mtc_kernels _k
    cdef readonly str aes
    cdef readonly str sha

    def __cinit__(self, aes, sha):
        self._k.aes = NULL
        if isinstance(aes, str):
            self._k.aes = mtc_aes_get((<str>aes).encode())
        if self._k.aes == NULL:
            raise _errors.no_kernel(aes, aes_kernels())
        self._k.sha = _sha_named(sha)
        self.aes = aes
        self.sha = sha

    def sha1(self, *parts):
        return _digest(self._k.sha, parts, True)

    def sha256(self, *parts):
        return _digest(self._k.sha, parts, False)

    def msg_key(self, auth_key, plaintext, *, from_client):
        return _msg_key(&self._k, auth_key, plaintext, from_client)

    def kdf(self, auth_key, msg_key, *, from_client):
        return _kdf(&self._k, auth_key, msg_key, from_client)

    def encrypt_message(self, auth_key, plaintext, *, from_client,
                        padding=None, out=None):
        return _encrypt_message(&self._k, auth_key, plaintext, from_client,
                                padding, out)

    def encrypt_messages(self, auth_key, plaintexts, *, from_client):
        return _encrypt_messages(&self._k, auth_key, plaintexts, from_client)

    def decrypt_message(self, auth_key, packet, *, from_client):
        return _decrypt_message(&self._k, auth_key, packet, from_client,
                                False, None)

    def decrypt_message_into(self, auth_key, packet, out, *, from_client):
        return _decrypt_into(&self._k, auth_key, packet, out, from_client)

    def pack_message(self, auth_key, *, salt, session_id, msg_id, seq_no,
                     body, from_client=True, padding=None):
        return _pack_message(&self._k, auth_key, salt, session_id, msg_id,
                             seq_no, body, from_client, padding)

    def unpack_message(self, auth_key, packet, *, session_id,
                       from_client=False):
        return _decrypt_message(&self._k, auth_key, packet, from_client,
                                True, session_id)

    def tmp_aes_key_iv(self, new_nonce, server_nonce):
        return _tmp_aes_key_iv(&self._k, new_nonce, server_nonce)

    def new_nonce_hash(self, auth_key, new_nonce, number):
        return _new_nonce_hash(&self._k, auth_key, new_nonce, number)

    def ige_encrypt_many(self, items):
        return _ige_many(self._k.aes, IGE_ENCRYPT, items)

    def ige_decrypt_many(self, items):
        return _ige_many(self._k.aes, IGE_DECRYPT, items)
