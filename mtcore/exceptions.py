"""
The exceptions mtcore raises.

Caller mistakes subclass the built-in :class:`TypeError` or
:class:`ValueError`, so code that already catches those keeps working; every
exception also subclasses :class:`MtcoreError`.
"""

from __future__ import annotations

__all__ = [
    "ArgumentTypeError",
    "ArgumentValueError",
    "InvalidLength",
    "MtcoreError",
]


class MtcoreError(Exception):
    """
    The base of every exception mtcore raises.
    """


class ArgumentTypeError(MtcoreError, TypeError):
    """
    An argument has the wrong type, e.g. a ``str`` where bytes belong.
    """


class ArgumentValueError(MtcoreError, ValueError):
    """
    An argument has the right type but a value mtcore cannot take, e.g. a
    read-only ``out`` buffer or a non-contiguous memoryview.
    """


class InvalidLength(ArgumentValueError):
    """
    A key, IV, data or output buffer has the wrong size.
    """
