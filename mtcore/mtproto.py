"""
MTProto 2.0 message encryption (core.telegram.org/mtproto/description):
auth_key_id, msg_key, the SHA-256 KDF, whole-message encryption and
decryption with every receiver check of the security guidelines
(core.telegram.org/mtproto/security_guidelines), and the SHA-1 helpers of
the key exchange.

``from_client=True`` means a message the client sends (x = 0 in the
formulas), ``False`` one the server sends (x = 8).  A client encrypts with
``from_client=True`` and decrypts with ``from_client=False``; a server the
other way round.

Wherever an ``auth_key`` is taken, an :class:`AuthKey` is fastest (its
key id is computed once); a 256-byte buffer works too.
"""

from __future__ import annotations

from mtcore._backend import impl as _impl
from mtcore._message import Message as Message

__all__ = [
    "AuthKey",
    "Message",
    "decrypt_message",
    "decrypt_message_into",
    "encrypt_message",
    "encrypt_messages",
    "encrypted_length",
    "kdf",
    "msg_key",
    "new_nonce_hash",
    "pack_message",
    "tmp_aes_key_iv",
    "unpack_message",
]

AuthKey = _impl.AuthKey
msg_key = _impl.msg_key
kdf = _impl.kdf
encrypted_length = _impl.encrypted_length
encrypt_message = _impl.encrypt_message
encrypt_messages = _impl.encrypt_messages
decrypt_message = _impl.decrypt_message
decrypt_message_into = _impl.decrypt_message_into
pack_message = _impl.pack_message
unpack_message = _impl.unpack_message
tmp_aes_key_iv = _impl.tmp_aes_key_iv
new_nonce_hash = _impl.new_nonce_hash
