# Included by _cmtcore.pyx after _tlbuf.pyx: the compiled loops of the
# schema-driven TL codec (core.telegram.org/mtproto/serialize), over the
# plans of mtcore._tlplan (which they import, with RawVector, the object
# storage base and the construction checks); the pure twin is
# mtcore/_py/tlcodec.py and the public layer mtcore.tl.codec, whose object
# classes take __init__ and __bytes__ from here (tl_init, tl_encode).
#
# * decoding mirrors the pure twin's read_body/_read_obj/_read_obj_slow/
#   _read_value/_read_any/_read_gzip/_read_container/_read_message step for
#   step (the same reads in the same order, the same ``what`` names, the same
#   _errors texts, the same budget spent at the same points), so every input
#   gives the same object or the same TLDecodeError; the lists of fields
#   and elements stay untracked by the GC until full (mtc_list_open), and
#   message bodies are read where they are (TLReader.sub);
# * encoding writes the values whose types are exactly the common ones (int
#   in range, str, bytes, list, TL objects of the right type ...); anything
#   else -- a wrong type, an int subclass, a container, a bad flag -- makes
#   the compiled pass give up (_TLGiveUp, and nothing else), and the pure
#   twin encodes the object again from the start, so results and error
#   texts are its.
#
# The compiled plan of a Desc (_TLPlan) is the same op tuple unpacked into a
# C array; it keeps a reference to the tuple, so the sub and absent objects
# its ops point to stay alive.

from cpython.object cimport PyObject_TypeCheck, PyTypeObject
from cpython.buffer cimport PyBUF_READ
from cpython.dict cimport PyDict_GetItem
from cpython.list cimport PyList_SET_ITEM
from cpython.memoryview cimport PyMemoryView_FromMemory

cdef extern from *:
    """
    /* The member-descriptor names of CPython 3.12+, and structmember.h's
     * before (3.9..3.11). */
    #ifndef Py_T_OBJECT_EX
    #include <structmember.h>
    #define Py_T_OBJECT_EX T_OBJECT_EX
    #endif
    #ifndef Py_READONLY
    #define Py_READONLY READONLY
    #endif

    /* A new instance of a TL object class, as object.__new__(cls) makes it
     * (the classes have no __init__ side effects the decoder needs). */
    static PyObject *mtc_tl_alloc(PyObject *cls)
    {
        PyTypeObject *tp = (PyTypeObject *)cls;
        return tp->tp_alloc(tp, 0);
    }

    /*
     * The slot of an instance at offset off: a new reference to its value,
     * or to None when it is unset.  On a free-threaded build another
     * thread may set the slot meanwhile (__init__ again), so the slot is
     * read and written under the object's critical section, as CPython's
     * own member descriptors write it there; elsewhere the macros are
     * empty.
     */
    #ifndef Py_BEGIN_CRITICAL_SECTION
    #define Py_BEGIN_CRITICAL_SECTION(o) {
    #define Py_END_CRITICAL_SECTION() }
    #endif
    static inline PyObject *mtc_tl_get_slot_ref(PyObject *o, Py_ssize_t off)
    {
        PyObject *v;
        Py_BEGIN_CRITICAL_SECTION(o);
        v = *(PyObject **)((char *)o + off);
        v = v != NULL ? v : Py_None;
        Py_INCREF(v);
        Py_END_CRITICAL_SECTION();
        return v;
    }

    /* Sets the slot at offset off to v (a new reference is taken). */
    static inline void mtc_tl_set_slot(PyObject *o, Py_ssize_t off, PyObject *v)
    {
        PyObject **p = (PyObject **)((char *)o + off);
        PyObject *old;
        Py_INCREF(v);
        Py_BEGIN_CRITICAL_SECTION(o);
        old = *p;
        *p = v;
        Py_END_CRITICAL_SECTION();
        Py_XDECREF(old);
    }

    /* The offset of a __slots__ member descriptor, or -1. */
    static Py_ssize_t mtc_tl_member_offset(PyObject *d)
    {
        PyMemberDef *m;
        if (!Py_IS_TYPE(d, &PyMemberDescr_Type)) {
            return -1;
        }
        m = ((PyMemberDescrObject *)d)->d_member;
        if (m->type != Py_T_OBJECT_EX || (m->flags & Py_READONLY)) {
            return -1;
        }
        return m->offset;
    }

    /* name looked up on the type of o, through its MRO (borrowed). */
    static inline PyObject *mtc_tl_type_attr(PyObject *o, PyObject *name)
    {
        return _PyType_Lookup(Py_TYPE(o), name);
    }

    #ifdef Py_GIL_DISABLED
    #define MTC_TL_SHARE_WRITER 0
    #else
    #define MTC_TL_SHARE_WRITER 1
    #endif
    /* The item of a list or tuple the caller checked (borrowed): only to
     * compare, for a list, which another thread may change meanwhile. */
    #define mtc_list_item(l, i) PyList_GET_ITEM(l, i)
    #define mtc_tuple_item(t, i) PyTuple_GET_ITEM(t, i)
    /* A new reference to item i of list l, or NULL with IndexError past
     * its end: on a free-threaded build PyList_GetItemRef, as another
     * thread may replace or remove the item meanwhile. */
    #ifdef Py_GIL_DISABLED
    #define mtc_list_item_ref(l, i) PyList_GetItemRef(l, i)
    #else
    static inline PyObject *mtc_list_item_ref(PyObject *l, Py_ssize_t i)
    {
        PyObject *v;
        if (i < 0 || i >= PyList_GET_SIZE(l)) {
            PyErr_SetString(PyExc_IndexError, "list index out of range");
            return NULL;
        }
        v = PyList_GET_ITEM(l, i);
        Py_INCREF(v);
        return v;
    }
    #endif
    """
    object mtc_tl_alloc(object cls)
    object mtc_tl_get_slot_ref(object o, Py_ssize_t off)
    void mtc_tl_set_slot(object o, Py_ssize_t off, object v)
    Py_ssize_t mtc_tl_member_offset(object d)
    PyObject *mtc_tl_type_attr(object o, object name)
    PyObject *mtc_list_item(object l, Py_ssize_t i)
    object mtc_list_item_ref(object l, Py_ssize_t i)
    PyObject *mtc_tuple_item(object t, Py_ssize_t i)
    bint PyList_CheckExact(object o)
    bint PyTuple_CheckExact(object o)
    bint PyLong_CheckExact(object o)
    bint PyUnicode_CheckExact(object o)
    bint PyFloat_CheckExact(object o)
    Py_ssize_t PyList_GET_SIZE(object o)
    Py_ssize_t PyTuple_GET_SIZE(object o)
    unsigned long PyLong_AsUnsignedLong(object o) except? <unsigned long>-1
    PyObject *MTC_TRUE "Py_True"
    PyTypeObject *Py_TYPE(object o)
    bint PyType_IsSubtype(PyTypeObject *a, PyTypeObject *b)
    # 0 on a free-threaded build
    bint TL_SHARE_WRITER "MTC_TL_SHARE_WRITER"
    PyObject *MTC_NONE "Py_None"

# The op kinds and limits of mtcore._tlplan, as C constants (checked
# against it when the extension is imported, below).
cdef enum:
    K_INT = 0
    K_LONG = 1
    K_FLAGS = 2
    K_STRING = 3
    K_OBJ = 4
    K_TRUE = 5
    K_BOOL = 6
    K_BYTES = 7
    K_DOUBLE = 8
    K_VEC = 9
    K_VLONG = 10
    K_VINT = 11
    K_BVEC = 12
    K_ANY = 13
    K_BARE = 14
    K_INT128 = 15
    K_INT256 = 16
    # the most flags words a plan the compiled loops run may have
    TL_MAX_WORDS = 8
    # the deepest nesting the compiled encoder writes (the Python loops
    # take deeper objects, and cycles, and raise RecursionError for them)
    TL_MAX_WRITE_DEPTH = 200
    TL_MAX_DEPTH = 64
    TL_GZIP_STEP = 16



cdef struct TLOp:
    int kind
    int word            # the flags word of a flags.N?T argument, else -1
    uint32_t mask       # its bit; for K_FLAGS the index of the word
    PyObject *sub       # op[3], borrowed from the plan's op tuple
    PyObject *absent    # op[4], likewise
    Py_ssize_t fs       # K_FLAGS: the first of its sources in fsrc
    Py_ssize_t nfs      # K_FLAGS: how many


cdef struct TLFlagSrc:
    Py_ssize_t vi       # the field whose presence sets the bit
    uint32_t mask
    bint is_true        # a flags.N?true field: set when it is True


# What the loops take from the plan layer, once, here.
from mtcore import _tlplan

cdef object _tl_TLBase = _tlplan.TLBase
cdef object _tl_RawVector = _tlplan.RawVector
cdef object _tl_check_py = _tlplan.check
cdef object _tl_limit_py = _tlplan.limit
cdef object _tl_gunzip = _tlplan.gunzip
cdef object _tl_boxed_desc = _tlplan.boxed_desc
# the offset of TLBase._v, the field list of every object
cdef Py_ssize_t _tl_v_off = mtc_tl_member_offset(_tlplan.TLBase.__dict__["_v"])
cdef str _tl_cplan_name = "_cplan"


cdef int _tl_check_plan() except -1:
    # The C constants above are the plan's.
    kinds = dict(K_INT=K_INT, K_LONG=K_LONG, K_FLAGS=K_FLAGS, K_STRING=K_STRING,
                 K_OBJ=K_OBJ, K_TRUE=K_TRUE, K_BOOL=K_BOOL, K_BYTES=K_BYTES,
                 K_DOUBLE=K_DOUBLE, K_VEC=K_VEC, K_VLONG=K_VLONG, K_VINT=K_VINT,
                 K_BVEC=K_BVEC, K_ANY=K_ANY, K_BARE=K_BARE, K_INT128=K_INT128,
                 K_INT256=K_INT256, MAX_DEPTH=TL_MAX_DEPTH,
                 GZIP_STEP=TL_GZIP_STEP)
    for name, value in kinds.items():
        if getattr(_tlplan, name) != value:
            raise ImportError(f"mtcore._tlplan.{name} is not {value}")
    if _tl_v_off < 0:
        raise ImportError("TLBase._v is not a __slots__ member")
    return 0


_tl_check_plan()


cdef object _tl_pure():
    # The pure loops: where the compiled ones give up (encoding), and for
    # plans they do not run (more flags words than TL_MAX_WORDS); imported
    # on first use (sys.modules afterwards), with no module state to share
    # between threads.
    from mtcore._py import tlcodec
    return tlcodec


class _TLGiveUp(Exception):
    # The compiled encoder met a value it leaves to the Python loops.
    pass


@cython.final
@cython.auto_pickle(False)
cdef class _TLPlan:
    """
    The compiled form of a codec.Desc (its ops as a C array); private.
    """
    cdef TLOp *ops
    cdef TLFlagSrc *fsrc
    cdef Py_ssize_t nops
    cdef Py_ssize_t nfields
    cdef int nwords
    cdef uint32_t id
    cdef bint python_only   # too many flags words: codec.py's loops run it
    cdef object desc
    cdef object cls
    cdef object tl_type     # the interned type name, None for a function
    cdef object op_tuple    # desc.ops: keeps every sub and absent alive

    def __cinit__(self):
        self.ops = NULL
        self.fsrc = NULL

    def __init__(self, desc):
        cdef tuple ops = desc.ops
        cdef Py_ssize_t k, n, nfs = 0, j = 0, f = 0
        cdef TLOp *op
        self.desc = desc
        self.cls = desc.cls
        self.tl_type = desc.tl_type
        self.id = <uint32_t>desc.id
        self.op_tuple = ops
        self.nwords = desc.nwords
        self.nfields = len(desc.fields)
        self.python_only = self.nwords > TL_MAX_WORDS
        n = len(ops)
        for o in ops:
            if o[0] == K_FLAGS:
                nfs += len(o[3])
        self.ops = <TLOp *>PyMem_Calloc(<size_t>(n if n else 1), sizeof(TLOp))
        self.fsrc = <TLFlagSrc *>PyMem_Calloc(<size_t>(nfs if nfs else 1),
                                              sizeof(TLFlagSrc))
        if self.ops == NULL or self.fsrc == NULL:
            raise MemoryError()
        self.nops = n
        for k in range(n):
            o = ops[k]
            op = &self.ops[k]
            op.kind = o[0]
            op.word = o[1]
            op.sub = <PyObject *>o[3]
            op.absent = <PyObject *>o[4]
            if op.kind == K_FLAGS:
                op.mask = <uint32_t>o[2]
                op.fs = j
                for vi, m, is_true in o[3]:
                    self.fsrc[j].vi = vi
                    self.fsrc[j].mask = <uint32_t>m
                    self.fsrc[j].is_true = is_true
                    j += 1
                op.nfs = j - op.fs
            else:
                op.mask = <uint32_t>o[2]
                if op.word >= self.nwords or op.word < -1:
                    raise ValueError("bad flags word index")
                f += 1
        if f != self.nfields:
            raise ValueError("the plan's fields do not match the Desc")

    def __dealloc__(self):
        PyMem_Free(self.ops)
        PyMem_Free(self.fsrc)


cdef struct TLSlot:
    uint32_t key
    PyObject *plan      # NULL: empty; owned by _TLTables.keep


cdef struct TLTable:
    # One open-addressing table; replaced whole (never resized in place),
    # so a reader that loaded the pointer sees a consistent mask and slots.
    size_t mask
    TLTable *retired    # the table this one replaced, freed at dealloc
    TLSlot slots[1]     # mask + 1 of them


@cython.final
@cython.auto_pickle(False)
cdef class _TLTables:
    """
    The compiled plans of one codec.Codec by constructor number: a mirror
    of Codec.descs (filled on first use), for the compiled loops; private.
    """
    cdef object codec
    cdef object message_cls    # what a msg_container's messages are made of
    cdef object container_cls  # and the container itself
    cdef dict descs         # codec.descs
    cdef list keep          # the plans in the table
    cdef TLTable *table
    cdef size_t used

    def __cinit__(self):
        self.table = NULL

    def __init__(self, codec):
        if self.table != NULL:
            raise _errors.already_initialised("_TLTables")
        self.codec = codec
        self.message_cls = codec.message_cls
        self.container_cls = codec.container_cls
        self.descs = codec.descs
        self.keep = []
        self.used = 0
        self.table = _tl_table_new(512, NULL)

    def __dealloc__(self):
        cdef TLTable *t = self.table
        cdef TLTable *older
        while t != NULL:
            older = t.retired
            PyMem_Free(t)
            t = older

    cdef inline PyObject *find(self, uint32_t cid) noexcept:
        # Lock-free: tables are published whole and old ones stay allocated.
        cdef TLTable *t = self.table
        cdef size_t h = (cid * <uint32_t>2654435761u) & t.mask
        while t.slots[h].plan != NULL:
            if t.slots[h].key == cid:
                return t.slots[h].plan
            h = (h + 1) & t.mask
        return NULL

    cdef int _put(self, uint32_t cid, _TLPlan p) except -1:
        cdef size_t h, i
        cdef TLTable *t = self.table
        cdef TLTable *grown
        if 2 * (self.used + 1) > t.mask + 1:
            grown = _tl_table_new(2 * (t.mask + 1), t)
            for i in range(t.mask + 1):
                if t.slots[i].plan != NULL:
                    h = (t.slots[i].key * <uint32_t>2654435761u) & grown.mask
                    while grown.slots[h].plan != NULL:
                        h = (h + 1) & grown.mask
                    grown.slots[h] = t.slots[i]
            self.table = grown
            t = grown
        self.keep.append(p)
        h = (cid * <uint32_t>2654435761u) & t.mask
        while t.slots[h].plan != NULL:
            h = (h + 1) & t.mask
        t.slots[h].key = cid
        t.slots[h].plan = <PyObject *>p
        self.used += 1
        return 0

    cdef object get(self, uint32_t cid):
        # The plan of cid when cid is in codec.descs (compiled, not a
        # special), else None -- as codec.py's ``c.descs.get(cid)``.
        cdef PyObject *pp
        with cython.critical_section(self):
            pp = self.find(cid)
            if pp != NULL:
                return <object>pp
            d = self.descs.get(cid)
            if d is None:
                return None
            p = _tl_plan_of(d)
            self._put(cid, p)
            return p


cdef TLTable *_tl_table_new(size_t size, TLTable *retired) except NULL:
    cdef TLTable *t = <TLTable *>PyMem_Calloc(
        1, sizeof(TLTable) + (size - 1) * sizeof(TLSlot))
    if t == NULL:
        raise MemoryError()
    t.mask = size - 1
    t.retired = retired
    return t


cdef inline _TLPlan _tl_plan_of(object d):
    p = d.cplan
    if type(p) is not _TLPlan:
        raise AssertionError(f"{d!r} has no compiled plan")
    return <_TLPlan>p


# --- decoding --------------------------------------------------------------------

cdef struct TLDecoding:
    # One _tl_decode call: what is left of its budget (codec._Decoding in
    # the Python loops).
    Py_ssize_t objects          # left of max_objects
    Py_ssize_t unpacked         # left of max_unpacked
    Py_ssize_t max_objects
    Py_ssize_t max_unpacked


cdef int _tl_spend(TLDecoding *s, Py_ssize_t n, Py_ssize_t offset) except -1:
    # codec._spend: n more objects or vector elements, read at offset.
    if n > s.objects:
        raise _errors.tl_object_budget(s.max_objects, s.objects, n, offset)
    s.objects -= n
    return 0


cdef object _tl_new(object cls, object vals):
    o = mtc_tl_alloc(cls)
    mtc_tl_set_slot(o, _tl_v_off, vals)
    return o


cdef object _tl_read_body(_TLTables t, TLDecoding *s, TLReader r, _TLPlan p,
                          int depth):
    # codec._read_body: the fields of p (its constructor number read).
    cdef uint32_t fw[TL_MAX_WORDS]
    cdef Py_ssize_t k, i = 0
    cdef TLOp *op
    cdef const char *b
    cdef Py_ssize_t n
    cdef uint32_t cid
    cdef Py_ssize_t pos
    cdef object v
    cdef list vals
    if depth > TL_MAX_DEPTH:
        raise _errors.tl_too_deep(TL_MAX_DEPTH, r.frame.pos)
    if p.python_only:
        return _tl_py_read_body(t, s, r, p, depth)
    if s.objects <= 0:
        raise _errors.tl_object_budget(s.max_objects, s.objects, 1, r.frame.pos)
    s.objects -= 1
    for k in range(p.nwords):
        fw[k] = 0
    vals = mtc_list_open(p.nfields)
    for k in range(p.nops):
        op = &p.ops[k]
        if op.word >= 0 and not (fw[op.word] & op.mask):
            v = <object>op.absent
        elif op.kind == K_INT:
            v = PyLong_FromLong(r.read_int32("read_int"))
        elif op.kind == K_LONG:
            v = PyLong_FromLongLong(r.read_int64("read_long"))
        elif op.kind == K_FLAGS:
            fw[op.mask] = r.read_uint32("read_uint")
            continue
        elif op.kind == K_STRING:
            b = r.read_tl_bytes("read_string", &n)
            v = PyUnicode_DecodeUTF8(<char *>b, n, "replace")
        elif op.kind == K_OBJ:
            v = _tl_read_obj(t, s, r, op.sub, depth)
        elif op.kind == K_TRUE:
            v = True
        elif op.kind == K_BOOL:
            pos = r.frame.pos
            cid = r.read_uint32("read_bool")
            if cid == TL_BOOL_TRUE:
                v = True
            elif cid == TL_BOOL_FALSE:
                v = False
            else:
                r.frame.pos = pos
                raise _errors.tl_bad_bool(cid, pos)
        else:
            v = _tl_read_value(t, s, r, op.kind, <object>op.sub, depth)
        Py_INCREF(v)
        PyList_SET_ITEM(vals, i, v)
        i += 1
    mtc_list_close(vals)
    return _tl_new(p.cls, vals)


cdef object _tl_py_read_body(_TLTables t, TLDecoding *s, TLReader r, _TLPlan p,
                             int depth):
    # A plan the compiled loops do not run: codec._read_body, the budget
    # handed over and back.
    py = _tl_pure()
    x = py.Decoding(t.codec, s.max_unpacked, s.max_objects)
    x.objects = s.objects
    x.unpacked = s.unpacked
    obj = py.read_body(x, r, p.desc, depth)
    s.objects = x.objects
    s.unpacked = x.unpacked
    return obj


cdef object _tl_read_obj(_TLTables t, TLDecoding *s, TLReader r,
                         PyObject *tl_type, int depth):
    # codec._read_obj: a boxed object of type tl_type (interned).
    cdef uint32_t cid = r.read_uint32("read_constructor")
    cdef PyObject *pp = t.find(cid)
    if pp == NULL:
        p = t.get(cid)
        if p is None:
            return _tl_read_obj_slow(t, s, r, cid, <object>tl_type, depth)
        pp = <PyObject *>p
    if <PyObject *>(<_TLPlan>pp).tl_type != tl_type:
        return _tl_read_obj_slow(t, s, r, cid, <object>tl_type, depth)
    return _tl_read_body(t, s, r, <_TLPlan>pp, depth + 1)


cdef object _tl_read_obj_slow(_TLTables t, TLDecoding *s, TLReader r,
                              uint32_t cid, object tl_type, int depth):
    # codec._read_obj_slow.
    cdef Py_ssize_t pos
    if cid == TL_GZIP:
        return _tl_read_gzip(t, s, r, tl_type, depth)
    if tl_type is None:
        if cid == TL_BOOL_TRUE:
            return True
        if cid == TL_BOOL_FALSE:
            return False
        if cid == TL_VECTOR:
            pos = r.frame.pos - 4
            r.frame.pos = pos
            r.read_count_c("read_vector_header", True, 4)
            r.frame.pos = pos
            n = r.frame.len - pos
            return _tl_RawVector(
                PyBytes_FromStringAndSize(r.read_mem(n, "read_raw"), n))
        if cid == TL_CONTAINER:
            return _tl_read_container(t, s, r, depth)
    d = _tl_boxed_desc(t.codec.desc, cid, tl_type, r.frame.pos - 4)
    return _tl_read_body(t, s, r, _tl_plan_of(d), depth + 1)


cdef object _tl_read_any(_TLTables t, TLDecoding *s, TLReader r, int depth):
    # codec._read_any: any complete boxed value.
    cdef uint32_t cid = r.read_uint32("read_constructor")
    cdef PyObject *pp = t.find(cid)
    if pp == NULL:
        p = t.get(cid)
        if p is None:
            return _tl_read_obj_slow(t, s, r, cid, None, depth)
        pp = <PyObject *>p
    return _tl_read_body(t, s, r, <_TLPlan>pp, depth + 1)


cdef list _tl_read_vector(_TLTables t, TLDecoding *s, TLReader r, bint boxed,
                          object esub_op, int depth):
    # A Vector<T> (boxed) or vector<T> of the element op esub_op.
    cdef Py_ssize_t pos = r.frame.pos
    cdef Py_ssize_t n, i
    cdef int ek = esub_op[0]
    cdef object es = esub_op[3]
    cdef list out
    if boxed:
        n = r.read_count_c("read_vector_header", True, 4)
    else:
        n = r.read_count_c("read_count", False, 4)
    _tl_spend(s, n, pos)
    out = mtc_list_open(n)
    for i in range(n):
        if ek == K_OBJ:
            v = _tl_read_obj(t, s, r, <PyObject *>es, depth)
        else:
            v = _tl_read_value(t, s, r, ek, es, depth)
        Py_INCREF(v)
        PyList_SET_ITEM(out, i, v)
    mtc_list_close(out)
    return out


cdef object _tl_read_value(_TLTables t, TLDecoding *s, TLReader r, int kind,
                           object sub, int depth):
    # codec._read_value: one value of any kind but K_FLAGS/K_TRUE.
    cdef const char *b
    cdef const uint8_t *q
    cdef Py_ssize_t n, pos
    cdef uint32_t cid
    cdef uint64_t u
    cdef double dbl
    if kind == K_INT:
        return PyLong_FromLong(r.read_int32("read_int"))
    if kind == K_LONG:
        return PyLong_FromLongLong(r.read_int64("read_long"))
    if kind == K_STRING:
        b = r.read_tl_bytes("read_string", &n)
        return PyUnicode_DecodeUTF8(<char *>b, n, "replace")
    if kind == K_OBJ:
        return _tl_read_obj(t, s, r, <PyObject *>sub, depth)
    if kind == K_BYTES:
        b = r.read_tl_bytes("read_bytes", &n)
        return PyBytes_FromStringAndSize(b, n)
    if kind == K_VEC or kind == K_BVEC:
        return _tl_read_vector(t, s, r, kind == K_VEC, sub, depth)
    if kind == K_VLONG:
        pos = r.frame.pos
        n = r.read_count_c("read_vector_long", True, 8)
        q = <const uint8_t *>r.read_mem(8 * n, "read_vector_long")
        _tl_spend(s, n, pos)
        return mtc_tl_int_list(q, n, True)
    if kind == K_VINT:
        pos = r.frame.pos
        n = r.read_count_c("read_vector_int", True, 4)
        q = <const uint8_t *>r.read_mem(4 * n, "read_vector_int")
        _tl_spend(s, n, pos)
        return mtc_tl_int_list(q, n, False)
    if kind == K_BOOL:
        pos = r.frame.pos
        cid = r.read_uint32("read_bool")
        if cid == TL_BOOL_TRUE:
            return True
        if cid == TL_BOOL_FALSE:
            return False
        r.frame.pos = pos
        raise _errors.tl_bad_bool(cid, pos)
    if kind == K_DOUBLE:
        u = <uint64_t>r.read_int64("read_double")
        memcpy(&dbl, &u, 8)
        return PyFloat_FromDouble(dbl)
    if kind == K_ANY:
        return _tl_read_any(t, s, r, depth)
    if kind == K_BARE:
        d = t.codec.desc(sub)
        return _tl_read_body(t, s, r, _tl_plan_of(d), depth + 1)
    if kind == K_INT128:
        return PyBytes_FromStringAndSize(r.read_mem(16, "read_int128"), 16)
    if kind == K_INT256:
        return PyBytes_FromStringAndSize(r.read_mem(32, "read_int256"), 32)
    raise AssertionError(kind)


cdef object _tl_read_gzip(_TLTables t, TLDecoding *s, TLReader r, object tl_type,
                          int depth):
    # The pure twin's _read_gzip; zlib reads the packed bytes where they are.
    cdef Py_ssize_t pos = r.frame.pos - 4
    cdef Py_ssize_t n, left = s.unpacked
    cdef const char *b
    cdef TLReader inner
    if depth + TL_GZIP_STEP > TL_MAX_DEPTH:
        raise _errors.tl_gzip_nested(pos)
    b = r.read_tl_bytes("read_bytes", &n)
    data = _tl_gunzip(PyMemoryView_FromMemory(<char *>b, n, PyBUF_READ), pos,
                      left, s.max_unpacked)
    n = PyBytes_GET_SIZE(data)
    s.unpacked = left - n
    inner = TLReader(data)
    if tl_type is None:
        obj = _tl_read_any(t, s, inner, depth + TL_GZIP_STEP)
    else:
        obj = _tl_read_obj(t, s, inner, <PyObject *>tl_type,
                           depth + TL_GZIP_STEP)
    if inner.frame.pos < inner.frame.len:
        raise _errors.tl_trailing("the gzip_packed payload", inner.frame.pos, n)
    return obj


cdef object _tl_read_container(_TLTables t, TLDecoding *s, TLReader r, int depth):
    # codec._read_container.
    cdef Py_ssize_t pos = r.frame.pos
    cdef Py_ssize_t n, i
    cdef list msgs = []
    n = r.read_count_c("read_count", False, 4)
    _tl_spend(s, n + 1, pos)
    for i in range(n):
        msgs.append(_tl_read_message(t, s, r, depth + 1))
    return _tl_new(t.container_cls, [msgs])


cdef object _tl_read_message(_TLTables t, TLDecoding *s, TLReader r, int depth):
    # codec._read_message; the body is read where it is (TLReader.sub).
    cdef int64_t msg_id
    cdef int32_t seqno, length
    cdef Py_ssize_t pos, left
    cdef TLReader body_reader
    if depth > TL_MAX_DEPTH:
        raise _errors.tl_too_deep(TL_MAX_DEPTH, r.frame.pos)
    msg_id = r.read_int64("read_long")
    seqno = r.read_int32("read_int")
    pos = r.frame.pos
    length = r.read_int32("read_int")
    left = r.frame.len - r.frame.pos
    if length < 0 or length & 3 or length > left:
        raise _errors.tl_message_length(length, pos, left)
    body_reader = r.sub(length, "read_sub")
    body = _tl_read_any(t, s, body_reader, depth)
    if body_reader.frame.pos < body_reader.frame.len:
        raise _errors.tl_trailing(f"the body of message {msg_id}",
                                  body_reader.frame.pos, length)
    return _tl_new(t.message_cls, [msg_id, seqno, body])


cdef Py_ssize_t _tl_limit(object v, str name) except -1:
    # codec._limit: a budget, an int in 0..sys.maxsize // 2 (so that
    # left + 1 cannot overflow); codec._limit says what is wrong with
    # anything else, or caps it.
    cdef int overflow = 0
    cdef long long x
    if PyLong_CheckExact(v):
        x = PyLong_AsLongLongAndOverflow(v, &overflow)
        if not overflow and 0 <= x <= PY_SSIZE_T_MAX // 2:
            return <Py_ssize_t>x
    return _tl_limit_py(name, v)


def tl_decode(codec, data, op, max_unpacked, max_objects):
    """
    One complete value of data (a boxed one when op is None, else one of
    the kind of op, as codec.type_op gives it), within the budgets
    (max_unpacked, max_objects): the loops of mtcore.tl.decode.
    """
    cdef TLDecoding s
    cdef TLReader r
    cdef int kind
    tables = codec.tables
    if type(tables) is not _TLTables or (<_TLTables>tables).table == NULL:
        raise _errors.not_initialised("the codec's _TLTables")
    s.unpacked = s.max_unpacked = _tl_limit(max_unpacked, "max_unpacked")
    s.objects = s.max_objects = _tl_limit(max_objects, "max_objects")
    r = TLReader(data)
    if op is None:
        obj = _tl_read_any(<_TLTables>tables, &s, r, 0)
    else:
        kind = op[0]
        obj = _tl_read_value(<_TLTables>tables, &s, r, kind, op[3], 0)
    if r.frame.pos < r.frame.len:
        raise _errors.tl_trailing("the object", r.frame.pos, r.frame.len)
    return obj


# --- encoding --------------------------------------------------------------------


cdef inline _TLPlan _tl_plan_of_obj(object v):
    # The plan of a TL object whose class has one (its _v set), else None.
    cdef PyObject *pp = mtc_tl_type_attr(v, _tl_cplan_name)
    if pp == NULL or type(<object>pp) is not _TLPlan:
        return None
    if not PyType_IsSubtype(Py_TYPE(v), <PyTypeObject *>_tl_TLBase):
        return None
    return <_TLPlan>pp


cdef int _tl_write_obj_body(TLWriter w, _TLPlan p, object v, int depth) except -1:
    # (vals: a reference of our own, whatever becomes of _v)
    cdef object vals = mtc_tl_get_slot_ref(v, _tl_v_off)
    if vals is None or depth > TL_MAX_WRITE_DEPTH:
        # unset, or nested so deep (a cycle?) that the Python loops should
        # say what is wrong
        raise _TLGiveUp()
    return _tl_write_body(w, p, vals, depth)


cdef int _tl_write_body(TLWriter w, _TLPlan p, object vals, int depth) except -1:
    # codec._write_body for the values it writes without complaint; raises
    # (_TLGiveUp or any error) for everything else.  Another thread may
    # change the fields meanwhile (setting one replaces an item of vals,
    # whose length stays): each value is held while it is written.
    cdef uint32_t fw[TL_MAX_WORDS]
    cdef uint32_t f
    cdef Py_ssize_t k, j, i = 0
    cdef TLOp *op
    cdef TLFlagSrc *src
    cdef PyObject *v
    cdef object item
    if (p.python_only or not PyList_CheckExact(vals)
            or PyList_GET_SIZE(vals) != p.nfields):
        raise _TLGiveUp()
    for k in range(p.nwords):
        fw[k] = 0
    for k in range(p.nops):
        op = &p.ops[k]
        if op.kind == K_FLAGS:
            f = 0
            for j in range(op.fs, op.fs + op.nfs):
                src = &p.fsrc[j]
                v = mtc_list_item(vals, src.vi)
                if src.is_true:
                    if v == MTC_TRUE:
                        f |= src.mask
                elif v != MTC_NONE:
                    f |= src.mask
            fw[op.mask] = f
            w.write_uint32(f)
            continue
        if PyList_GET_SIZE(vals) != p.nfields:
            # changed by Python code run meanwhile (a lookup on a type with
            # odd attribute names can run some): the Python loops decide
            raise _TLGiveUp()
        item = mtc_list_item_ref(vals, i)
        i += 1
        if op.word >= 0:
            if not (fw[op.word] & op.mask):
                continue
            if <PyObject *>item == op.absent:
                raise _TLGiveUp()
        if op.kind == K_TRUE:
            continue
        _tl_write_value(w, op.kind, op.sub, item, depth)
    return 0


cdef int _tl_write_str(TLWriter w, object v) except -1:
    cdef const char *s
    cdef Py_ssize_t n
    if not PyUnicode_CheckExact(v):
        raise _TLGiveUp()
    if PyUnicode_IS_ASCII(v):
        s = PyUnicode_AsUTF8AndSize(v, &n)
        if n > TL_BYTES_MAX:
            raise _TLGiveUp()
        return w.write_tl_bytes(s, n)
    try:
        data = PyUnicode_AsUTF8String(v)
    except UnicodeEncodeError:   # a lone surrogate: the pure loops say so
        raise _TLGiveUp() from None
    n = PyBytes_GET_SIZE(data)
    if n > TL_BYTES_MAX:
        raise _TLGiveUp()
    return w.write_tl_bytes(PyBytes_AS_STRING(data), n)


cdef inline int64_t _tl_exact_int(object v, int64_t lo, int64_t hi) except? -1:
    cdef int overflow = 0
    cdef long long x
    if not PyLong_CheckExact(v):
        raise _TLGiveUp()
    x = PyLong_AsLongLongAndOverflow(v, &overflow)
    if overflow or x < lo or x > hi:
        raise _TLGiveUp()
    return x


cdef inline int64_t _tl_exact_long(object v) except? -1:
    # a signed 64-bit int (the unsigned upper half is left to Python)
    cdef int overflow = 0
    cdef long long x
    if not PyLong_CheckExact(v):
        raise _TLGiveUp()
    x = PyLong_AsLongLongAndOverflow(v, &overflow)
    if overflow:
        raise _TLGiveUp()
    return x


cdef int _tl_write_value(TLWriter w, int kind, PyObject *sub, object v,
                         int depth) except -1:
    cdef _TLPlan p
    cdef Py_ssize_t n, i
    cdef int ek
    cdef PyObject *es
    cdef object item
    if kind == K_INT:
        return w.write_int32(<int32_t>_tl_exact_int(v, -0x80000000, 0x7FFFFFFF))
    if kind == K_LONG:
        return w.write_int64(_tl_exact_long(v))
    if kind == K_STRING:
        return _tl_write_str(w, v)
    if kind == K_OBJ or kind == K_ANY or kind == K_BARE:
        if kind == K_ANY and (v is True or v is False):
            return w.write_uint32(TL_BOOL_TRUE if v is True else TL_BOOL_FALSE)
        p = _tl_plan_of_obj(v)
        if p is None:
            raise _TLGiveUp()
        if kind == K_OBJ and <PyObject *>p.tl_type != sub:
            raise _TLGiveUp()
        if kind == K_BARE:
            if p.id != <uint32_t>PyLong_AsUnsignedLong(<object>sub):
                raise _TLGiveUp()
        else:
            w.write_uint32(p.id)
        return _tl_write_obj_body(w, p, v, depth + 1)
    if kind == K_BOOL:
        if v is True:
            return w.write_uint32(TL_BOOL_TRUE)
        if v is False:
            return w.write_uint32(TL_BOOL_FALSE)
        raise _TLGiveUp()
    if kind == K_BYTES:
        if not PyBytes_CheckExact(v) or PyBytes_GET_SIZE(v) > TL_BYTES_MAX:
            raise _TLGiveUp()
        return w.write_tl_bytes(PyBytes_AS_STRING(v), PyBytes_GET_SIZE(v))
    if kind == K_VEC or kind == K_BVEC or kind == K_VLONG or kind == K_VINT:
        if PyList_CheckExact(v):
            n = PyList_GET_SIZE(v)
        elif PyTuple_CheckExact(v):
            n = PyTuple_GET_SIZE(v)
        else:
            raise _TLGiveUp()
        if n > 0x7FFFFFFF:
            raise _TLGiveUp()
        if kind != K_BVEC:
            w.write_uint32(TL_VECTOR)
        w.write_int32(<int32_t>n)
        if kind == K_VLONG:
            ek = K_LONG
            es = NULL
        elif kind == K_VINT:
            ek = K_INT
            es = NULL
        else:
            ek = <object>mtc_tuple_item(<object>sub, 0)
            es = mtc_tuple_item(<object>sub, 3)
        for i in range(n):
            # Each element held while it is written, and the list's size
            # checked again: Python code run meanwhile (see _tl_write_body)
            # may have changed it.
            if PyList_CheckExact(v):
                if i >= PyList_GET_SIZE(v):
                    raise _TLGiveUp()
                item = mtc_list_item_ref(v, i)
            else:
                item = <object>mtc_tuple_item(v, i)
            _tl_write_value(w, ek, es, item, depth)
        return 0
    if kind == K_DOUBLE:
        if not PyFloat_CheckExact(v):
            raise _TLGiveUp()
        return w.write_float64(PyFloat_AsDouble(v))
    if kind == K_INT128 or kind == K_INT256:
        n = 16 if kind == K_INT128 else 32
        if not PyBytes_CheckExact(v) or PyBytes_GET_SIZE(v) != n:
            raise _TLGiveUp()
        return w.write_mem(PyBytes_AS_STRING(v), n)
    raise _TLGiveUp()


# A writer kept for the next encode (GIL builds only: there the compiled
# encoder runs no Python code between taking and returning it, and a nested
# encode finds None and makes its own).
cdef TLWriter _tl_spare = None


cdef object _tl_encode_c(object obj):
    global _tl_spare
    cdef _TLPlan p = _tl_plan_of_obj(obj)
    cdef TLWriter w
    if p is None:
        raise _TLGiveUp()
    if TL_SHARE_WRITER and _tl_spare is not None:
        w = _tl_spare
        _tl_spare = None
        w._length = 0
    else:
        w = TLWriter.__new__(TLWriter)
    w.write_uint32(p.id)
    _tl_write_obj_body(w, p, obj, 0)
    out = PyBytes_FromStringAndSize(w._buf, w._length)
    if TL_SHARE_WRITER and w._size <= 65536:
        _tl_spare = w
    return out


def tl_encode(obj):
    """
    Serialize a TL object boxed (a ``message`` bare, as inside a container):
    mtcore.tl.encode and ``bytes(obj)``.  Flags words are computed from
    which optional fields are set.
    """
    try:
        return _tl_encode_c(obj)
    except _TLGiveUp:
        # the pure loops encode it again and raise the errors, if any
        return _tl_pure().tl_encode(obj)


def tl_tables(codec):
    """
    The compiled plans of a codec by constructor number (codec.tables).
    """
    return _TLTables(codec)


def tl_plan(desc):
    """
    The compiled plan of a Desc (desc.cplan).
    """
    return _TLPlan(desc)


# --- object construction -------------------------------------------------------

cdef tuple _TL_LONG_OP = (K_LONG, -1, 0, None, None)
cdef tuple _TL_INT_OP = (K_INT, -1, 0, None, None)


cdef bint _tl_fast_ok(tuple op, object v):
    # True when v is a value codec._check would return unchanged for op:
    # the exact types a caller usually passes.  False sends v to _check.
    cdef int kind = op[0]
    t = type(v)
    if kind == K_INT:
        return t is int and -0x80000000 <= v <= 0x7FFFFFFF
    if kind == K_LONG:
        return t is int and -0x8000000000000000 <= v <= 0x7FFFFFFFFFFFFFFF
    if kind == K_STRING:
        return t is str and (<str>v).isascii()
    if kind == K_BYTES:
        return t is bytes and PyBytes_GET_SIZE(v) < (1 << 24)
    if kind == K_BOOL or kind == K_TRUE:
        return v is True or v is False
    if kind == K_DOUBLE:
        return t is float
    if kind == K_OBJ:
        if not isinstance(v, _tl_TLBase):
            return False
        od = (<object>t)._desc
        return od.ops is not None and od.tl_type == op[3]
    return False


cdef object _tl_check(object d, object name, tuple op, object v):
    # codec._check(d, name, op, v), with its common cases done here.
    cdef int kind = op[0]
    cdef tuple eop
    if _tl_fast_ok(op, v):
        return v
    if (kind == K_VEC or kind == K_VLONG or kind == K_VINT
            or kind == K_BVEC) and (type(v) is list or type(v) is tuple):
        eop = (_TL_LONG_OP if kind == K_VLONG else _TL_INT_OP
               if kind == K_VINT else <tuple>op[3])
        for x in v:
            if not _tl_fast_ok(eop, x):
                break
        else:
            return list(v)
    return _tl_check_py(d, name, op, v)


def tl_init(self, /, *args, **fields):
    """
    The fields of a new TL object, checked (TLObject.__init__): the same
    checks in the same order with the same errors as the pure twin, the
    common value types checked here and the rest by mtcore._tlplan.check.
    """
    d = type(self)._desc
    if args:
        raise _errors.tl_positional(d.name, d.fields, len(args))
    cdef tuple names = d.fields
    cdef tuple ops = d.field_ops
    cdef Py_ssize_t n = len(names), i, used = 0
    cdef list vals = [None] * n
    cdef tuple op
    cdef PyObject *pv
    for i in range(n):
        name = names[i]
        op = <tuple>ops[i]
        pv = PyDict_GetItem(fields, name)
        if pv != NULL:
            used += 1
        if pv == NULL or (<object>pv is None and <int>op[1] >= 0):
            if <int>op[1] < 0:
                raise _errors.tl_missing_field(d.name, name)
            vals[i] = op[4]
        else:
            vals[i] = _tl_check(d, name, op, <object>pv)
    if used != len(fields):
        for key in fields:
            if key not in names:
                raise _errors.tl_unknown_field(d.name, key)
    mtc_tl_set_slot(self, _tl_v_off, vals)
