"""
TL (Telegram's Type Language): the binary form of every MTProto message
(core.telegram.org/mtproto/serialize).

:class:`Writer` and :class:`Reader` pack and read the TL primitives (int,
long, int128, int256, double, bytes, string, Bool, flags words, boxed and
bare vectors).

:class:`Schema` parses ``.tl`` schema files into :class:`Combinator`,
:class:`Param`, :class:`Flag` and :class:`TLType` objects;
:func:`default_schema` is the bundled layer 229.

:func:`encode` / :func:`decode` (``mtcore.tl.codec``) serialize objects of
any combinator of a schema; ``types.<ns>.<name>(**fields)`` and
``functions.<ns>.<name>(**fields)`` build them for the bundled layer
(``mtcore.tl.functions.auth.exportLoginToken(api_id=..., ...)``).
"""

from __future__ import annotations

from typing import Any

from mtcore._backend import impl as _impl
from mtcore.tl.codec import MessageContainer as MessageContainer
from mtcore.tl.codec import MTMessage as MTMessage
from mtcore.tl.codec import RawVector as RawVector
from mtcore.tl.codec import TLObject as TLObject
from mtcore.tl.codec import codec_for as codec_for
from mtcore.tl.codec import decode as decode
from mtcore.tl.codec import encode as encode
from mtcore.tl.registry import default_schema as default_schema
from mtcore.tl.schema import Combinator as Combinator
from mtcore.tl.schema import Flag as Flag
from mtcore.tl.schema import Param as Param
from mtcore.tl.schema import Schema as Schema
from mtcore.tl.schema import TLType as TLType
from mtcore.tl.schema import crc32_id as crc32_id

Writer = _impl.TLWriter
Reader = _impl.TLReader


def __getattr__(name: str) -> Any:
    # types / functions: built on first use (parsing the bundled schema),
    # then module globals, so later lookups do not come here.
    if name == "types" or name == "functions":
        value = getattr(codec_for(), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'mtcore.tl' has no attribute {name!r}")
