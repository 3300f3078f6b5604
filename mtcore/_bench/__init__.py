"""
Benchmarks of mtcore against its peers, behind ``mtcore bench``
(``python -m mtcore bench``) and the pytest-benchmark suite in ``benches/``.

One module per concern; each imports only the ones listed before it::

    registry    Operation, Contender, register(), OPERATIONS, sizes, inputs
    available   what can run here: mtcore's kernels, the pure twin, peers
    rivals      the peers on PyPI, installed in a cache and timed in
                their own process when they cannot share this one
    aes, mtproto, batch, hashes, tl, compat
                the operation families: inputs, contenders, register()
    verify      every contender's output checked against mtcore's
    timing      generated loops, calibration, round-robin samples
    limits      this machine's limits: C loops with no Python call
    machine     what ran (CPU, Python, versions)
    run         a run: plan, verify, time; the JSON document
    report      the text, Markdown and plot of a JSON document
    cli         the arguments and main()
    worker      the child process that times one rival beside mtcore
    e2e         the end-to-end section: whole clients (mtcore's, Telethon,
                Pyrogram) logged in to a test cluster, each in a process

Adding an operation family (say key exchange):

1. Write ``mtcore/_bench/kex.py``: an inputs dataclass (a subclass of
   :class:`registry.Args`, built deterministically by a cached function
   of the size), the contenders (mtcore's default first: it is the
   reference for outputs and ratios; peers through
   :func:`available.import_peer` and a ``requires`` check such as
   :func:`available.peer_missing`), then ``register(Operation(...))``
   for each operation.  Give ``headline=`` the sizes that belong in the
   summary table.
2. Add ``"kex"`` to :data:`FAMILIES` below (the table order).
3. Optionally add a bench module in ``benches/`` parametrized with
   :func:`registry.contender_names`, and a limit row (a C loop in
   ``src_c/bench_limits.c``, reached through ``mtcore/_limits.pyx``, and
   its case in :func:`limits.limit_for`).

A peer that several families time (an AES library, say) belongs in
:data:`rivals.RIVALS` with the call shapes it offers; the families then
build its rows with :func:`rivals.rival_rows`, and ``--rivals all`` can
install it where it cannot share this environment.

The registry is filled when this package is imported (any submodule
import does that first), in the order of :data:`FAMILIES`.
"""

from __future__ import annotations

import importlib

#: The operation families, in table order.
FAMILIES = ("aes", "mtproto", "batch", "hashes", "tl", "compat")

for _family in FAMILIES:
    importlib.import_module(f"{__name__}.{_family}")
