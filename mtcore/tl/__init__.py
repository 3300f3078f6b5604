"""
TL (Telegram's Type Language): the binary form of every MTProto message
(MTPROTO.md section 6).

:class:`Writer` and :class:`Reader` pack and read the TL primitives (int,
long, int128, int256, double, bytes, string, Bool, flags words, boxed and
bare vectors).

:class:`Schema` parses ``.tl`` schema files into :class:`Combinator`,
:class:`Param`, :class:`Flag` and :class:`TLType` objects;
:func:`default_schema` is the bundled layer 229.
"""

from __future__ import annotations

from mtcore._backend import impl as _impl
from mtcore.tl.registry import default_schema as default_schema
from mtcore.tl.schema import Combinator as Combinator
from mtcore.tl.schema import Flag as Flag
from mtcore.tl.schema import Param as Param
from mtcore.tl.schema import Schema as Schema
from mtcore.tl.schema import TLType as TLType
from mtcore.tl.schema import crc32_id as crc32_id

Writer = _impl.TLWriter
Reader = _impl.TLReader
