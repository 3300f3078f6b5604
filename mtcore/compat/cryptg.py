"""
A drop-in for ``cryptg`` (Telethon's optional backend) on mtcore.

.. warning::
   Hazardous material, as :mod:`mtcore.aes`: raw, unauthenticated
   AES-256-IGE for code that builds MTProto around it.

On the input Telethon gives it the results are cryptg 0.6's:
``encrypt_ige`` and ``decrypt_ige`` return the same ``bytes`` for a
multiple of 16 bytes (empty included), and ``factorize_pq_pair`` the same
``(p, q)``, ``p < q``, for a product of two distinct odd primes.

Where this module differs from cryptg:

- ``encrypt_ige(plain, key, iv)`` and ``decrypt_ige(cipher, key, iv)``
  are the backend's own functions (compiled, no Python layer), with
  cryptg's names and arguments: they take any bytes-like object, not
  only ``bytes``, and release the GIL on large inputs (compiled backend).
- A length that is not a multiple of 16 raises
  :class:`~mtcore.exceptions.InvalidLength` (a :class:`ValueError`).
  cryptg pads the plaintext with random bytes when encrypting (a
  ciphertext longer than its input, which no caller can decrypt back to
  it) and panics when decrypting (a ``PanicException``, which is not an
  :class:`Exception`).
- ``factorize_pq_pair`` runs :func:`mtcore.auth.factorize_pq` (bounded
  work, GIL released) and raises a :class:`ValueError`
  (:class:`~mtcore.exceptions.FactorizationError` or
  :class:`~mtcore.exceptions.ArgumentValueError`) at once for a pq that
  is not a product of two distinct odd primes or not in 1..2**64-1.
  cryptg 0.6 there returns ``(2, pq // 2)`` for any even pq (0 and 2
  included), loops without end for 1, 3, 9 and large primes, panics for
  small primes and some products of three primes, splits products of
  more primes into a non-prime pair (2**64-1 gives ``(3, 6148914691236517205)``),
  and raises :class:`OverflowError` for negative or too large values.
- ``factorize_pq_pair`` is positional only, as cryptg's type stub
  declares.
"""

from __future__ import annotations

from operator import index as _index

from mtcore import _errors
from mtcore._backend import impl as _impl
from mtcore.auth import factorize_pq as _factorize_pq

__all__ = ["decrypt_ige", "encrypt_ige", "factorize_pq_pair"]

# The backend's own functions, named and with the arguments of cryptg's.
encrypt_ige = _impl.encrypt_ige
decrypt_ige = _impl.decrypt_ige


def factorize_pq_pair(pq: int, /) -> tuple[int, int]:
    """
    Split the key exchange's pq into its two prime factors.

    :param pq: an int (any object with ``__index__`` but a bool): a
        product of two distinct odd primes below 2**64.
    :returns: ``(p, q)``, ``p < q``.
    :raises ArgumentTypeError: pq is not an integer.
    :raises ValueError: pq is out of range or not such a product.
    """
    if isinstance(pq, bool):  # an int subclass, but never a pq
        raise _errors.not_int("pq", pq)
    try:
        n = int(_index(pq))
    except TypeError:
        raise _errors.not_int("pq", pq) from None
    p, q = _factorize_pq(n)
    return p, q
