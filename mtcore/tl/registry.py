"""
The bundled layer 229 schema (``mtcore/tl/data/``, provenance in its
``README``).
"""

from __future__ import annotations

import functools
from importlib import resources

from mtcore.tl.schema import Schema

__all__ = ["SCHEMA_FILES", "default_schema"]

#: The bundled schema files: the API, the MTProto service messages and the
#: auth-key exchange.
SCHEMA_FILES = ("main_api.tl", "sys_msgs.tl", "auth_key.tl")


@functools.cache
def default_schema() -> Schema:
    """
    Return the bundled schema: layer 229 of the API with the MTProto service
    and auth-key combinators, parsed once and cached.

    :returns: The schema; ``default_schema().layer == 229``.
    """
    data = resources.files("mtcore.tl") / "data"
    return Schema.from_file(*(data / name for name in SCHEMA_FILES))
