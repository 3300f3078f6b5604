# The compiled backend of mtcore: one extension over the kernels in src_c/.
# Directives are set in setup.py: language_level=3, embedsignature=True,
# freethreading_compatible=True.  The parts are included, so the C kernels
# are compiled and linked once.

cimport cython
from cpython.buffer cimport (
    PyBUF_FULL_RO, PyBUF_SIMPLE, PyBUF_WRITABLE, PyBuffer_Release,
    PyObject_CheckBuffer,
)
from cpython.bytes cimport (
    PyBytes_AS_STRING, PyBytes_CheckExact, PyBytes_FromStringAndSize,
    PyBytes_GET_SIZE,
)
from cpython.exc cimport PyErr_Clear
from cpython.long cimport PyLong_AsLongLongAndOverflow, PyLong_AsUnsignedLongLong
from cpython.mem cimport PyMem_Calloc, PyMem_Free, PyMem_Malloc
from cpython.object cimport PyObject
from cpython.ref cimport Py_INCREF
from cpython.sequence cimport PySequence_Fast_ITEMS
from libc.stdint cimport int32_t, int64_t, uint8_t, uint32_t, uint64_t
from libc.string cimport memcpy, memmove, memset

from mtcore._kernels cimport *
from mtcore.cpythonx cimport (
    PyObject_GetBuffer_noraise, buf_filled, buf_hold, buf_init, buf_release,
    bytes_shrunk, fastcall_function, sha1_impl, sha256_impl, tuple5,
)

import os

from mtcore import _env, _errors
from mtcore._args import modexp_args

# The shared state of _state.pxd, decided once, here.
NOGIL_MIN = 4096
_best = mtc_aes_best(_env.FORCE_PORTABLE)
_sha_best = mtc_sha_best(_env.FORCE_PORTABLE)
_kernels_best = mtc_kernels(aes=_best, sha=_sha_best)

include "_buffer.pyx"
include "_wire.pyx"
include "_aes.pyx"
include "_hashes.pyx"
include "_mtproto.pyx"
include "_tlbuf.pyx"
include "_tlcodec.pyx"
include "_auth.pyx"
include "_limits.pyx"
