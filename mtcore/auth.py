"""
Helpers of the auth key exchange (core.telegram.org/mtproto/auth_key).

:func:`factorize_pq` splits the server's ``pq`` (step 2, ``resPQ``) into
the primes ``p < q`` the client sends back in ``req_DH_params``.  The
compiled backend runs Pollard's rho with Brent's cycle finding on
Montgomery arithmetic (a few hundred microseconds for a 63-bit pq, the
GIL released); the work is bounded, so no input can make it hang.
"""

from __future__ import annotations

from mtcore._backend import impl as _impl

__all__ = ["factorize_pq"]

factorize_pq = _impl.factorize_pq
