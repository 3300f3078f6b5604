# The state the compiled parts share, decided once when the extension is
# imported (in _cmtcore.pyx, from mtcore._env) and read-only after.

from mtcore._kernels cimport mtc_aes_impl, mtc_kernels, mtc_sha_impl

# Calls on at least this many bytes release the GIL (below, the kernel runs
# faster than releasing it costs).
cdef Py_ssize_t NOGIL_MIN

# The kernels the module-level functions use.
cdef const mtc_aes_impl *_best
cdef const mtc_sha_impl *_sha_best
cdef mtc_kernels _kernels_best
