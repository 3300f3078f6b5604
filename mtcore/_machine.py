"""
What mtcore's sans-I/O state machines share (the key exchange of
:mod:`mtcore.handshake`, the QR login of :mod:`mtcore.login`): their state,
and the lock every input runs under.
"""

from __future__ import annotations

import threading
from typing import Generic, TypeVar

_S = TypeVar("_S")


class Machine(Generic[_S]):
    """
    A state machine of state type ``_S`` (an enum).
    """

    def __init__(self, state: _S) -> None:
        self._state = state
        # Every input runs under it: a machine shared by threads takes one
        # input at a time (re-entrant: an input may hand over to another).
        self._lock = threading.RLock()

    @property
    def state(self) -> _S:
        """
        The current state: a :class:`~mtcore.handshake.HandshakeState` or a
        :class:`~mtcore.login.QRLoginState`.
        """
        return self._state
