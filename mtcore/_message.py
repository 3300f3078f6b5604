"""
The decrypted MTProto message, shared by both backends.
"""

from __future__ import annotations

from typing import NamedTuple


class Message(NamedTuple):
    """
    One MTProto 2.0 message after decryption and every check
    (core.telegram.org/mtproto/description); the integers as the signed
    TL values.
    """

    salt: int
    session_id: int
    msg_id: int
    seq_no: int
    body: bytes


Message.__module__ = "mtcore.mtproto"  # its public home
