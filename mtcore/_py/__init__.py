"""
The pure-Python twin of ``mtcore._cmtcore``: the same public names
(``mtcore._backend.PUBLIC_API``), on hashlib, ``cryptography`` and struct.
"""

from __future__ import annotations

from mtcore._py.aes import AesKernel as AesKernel
from mtcore._py.aes import Ctr as Ctr
from mtcore._py.aes import aes_kernel as aes_kernel
from mtcore._py.aes import aes_kernels as aes_kernels
from mtcore._py.aes import cbc_decrypt as cbc_decrypt
from mtcore._py.aes import cbc_encrypt as cbc_encrypt
from mtcore._py.aes import cpu_features as cpu_features
from mtcore._py.aes import ige_decrypt as ige_decrypt
from mtcore._py.aes import ige_encrypt as ige_encrypt
