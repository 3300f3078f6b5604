"""
The types of mtcore's signatures.  ``Buffer`` is any object with the
buffer protocol (``bytes``, ``bytearray``, ``memoryview``, ``array``,
``mmap``, numpy arrays): ``collections.abc.Buffer`` from Python 3.12,
``typing_extensions.Buffer`` for type checkers before (only they read it:
at run time it is never looked at, and typing_extensions is not needed).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    if sys.version_info >= (3, 12):
        from collections.abc import Buffer as Buffer
    else:
        from typing_extensions import Buffer as Buffer
else:
    Buffer = Any

#: A writable buffer passed as ``out=`` and returned as it is.
Out = TypeVar("Out", bound="Buffer")
