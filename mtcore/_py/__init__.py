"""
The pure-Python twin of ``mtcore._cmtcore``: the same public names
(``mtcore._backend.PUBLIC_API``), on hashlib, ``cryptography`` and struct.
"""

from __future__ import annotations

from mtcore._py.aes import AesKernel as AesKernel
from mtcore._py.aes import ctr256_decrypt as ctr256_decrypt
from mtcore._py.aes import ctr256_encrypt as ctr256_encrypt
from mtcore._py.aes import Ctr as Ctr
from mtcore._py.aes import aes_kernel as aes_kernel
from mtcore._py.aes import aes_kernels as aes_kernels
from mtcore._py.aes import cbc_decrypt as cbc_decrypt
from mtcore._py.aes import cbc_encrypt as cbc_encrypt
from mtcore._py.aes import cpu_features as cpu_features
from mtcore._py.aes import decrypt_ige as decrypt_ige
from mtcore._py.aes import encrypt_ige as encrypt_ige
from mtcore._py.aes import ige_decrypt as ige_decrypt
from mtcore._py.aes import ige_decrypt_many as ige_decrypt_many
from mtcore._py.aes import ige_encrypt as ige_encrypt
from mtcore._py.aes import ige_encrypt_many as ige_encrypt_many
from mtcore._py.auth import factorize_pq as factorize_pq
from mtcore._py.auth import modexp as modexp
from mtcore._py.hashes import sha1 as sha1
from mtcore._py.hashes import sha256 as sha256
from mtcore._py.hashes import sha_kernel as sha_kernel
from mtcore._py.hashes import sha_kernels as sha_kernels
from mtcore._py.mtproto import AuthKey as AuthKey
from mtcore._py.mtproto import MtprotoKernel as MtprotoKernel
from mtcore._py.mtproto import decrypt_message as decrypt_message
from mtcore._py.mtproto import decrypt_message_into as decrypt_message_into
from mtcore._py.mtproto import encrypt_message as encrypt_message
from mtcore._py.mtproto import encrypt_messages as encrypt_messages
from mtcore._py.mtproto import encrypted_length as encrypted_length
from mtcore._py.mtproto import kdf as kdf
from mtcore._py.mtproto import msg_key as msg_key
from mtcore._py.mtproto import new_nonce_hash as new_nonce_hash
from mtcore._py.mtproto import pack_message as pack_message
from mtcore._py.mtproto import tmp_aes_key_iv as tmp_aes_key_iv
from mtcore._py.mtproto import unpack_message as unpack_message
from mtcore._py.tlbuf import TLReader as TLReader
from mtcore._py.tlbuf import TLWriter as TLWriter
from mtcore._py.tlcodec import tl_decode as tl_decode
from mtcore._py.tlcodec import tl_encode as tl_encode
from mtcore._py.tlcodec import tl_init as tl_init
from mtcore._py.tlcodec import tl_plan as tl_plan
from mtcore._py.tlcodec import tl_tables as tl_tables
