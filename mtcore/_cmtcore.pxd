# The C-level declarations of mtcore._cmtcore: the tables of contents of
# the parts that other Cython code (the TL codec) calls directly, included
# as MagicStack/py-pgproto pgproto.pxd includes its buffer.pxd.

include "_state.pxd"
include "_wire.pxd"
include "_tlbuf.pxd"
