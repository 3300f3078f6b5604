"""
Telegram's TL schema language: a parser for ``.tl`` files and the immutable
data model that the schema-driven codec is built on.

A schema file holds one *combinator* per line::

    name#id {X:Type} arg:type flags:# opt:flags.N?type ... = ResultType;

``---types---`` and ``---functions---`` switch between constructors (the
default) and functions; ``//`` starts a comment, and a comment of the form
``// LAYER 229`` states the layer.  The model has one class per concept:

* :class:`Schema`     a whole schema: the layer, its constructors and
  functions by name and by id, and each type's constructors;
* :class:`Combinator` one line: a constructor or a function;
* :class:`Param`      one argument of a combinator;
* :class:`Flag`       the ``flags.N`` condition of an optional argument;
* :class:`TLType`     the type of an argument or the result of a combinator.

Every schema also holds :data:`CORE_TL`, the builtin and MTProto service
combinators that Telegram's copies of the schema usually comment out as
"parsed manually" (``boolFalse``, ``boolTrue``, ``true``, ``gzip_packed``,
``future_salt``, ``future_salts``); a schema text that defines one of them
(by id or by name) replaces the core definition.

Constructor numbers follow the CRC32 rule of the TL documentation
(:func:`crc32_id`): a line without ``#id`` gets the CRC32 of its normalized
text, and :attr:`Combinator.computed_id` recomputes it for lines that state
one.  A few hand-numbered combinators break the rule (``ipPortSecret``,
``accessPointRule``, ``help.configSimple``); the stated id always wins.
"""

from __future__ import annotations

import os
import re
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Protocol, Union

from mtcore import _errors, _wire

__all__ = [
    "ANY_TYPE",
    "BUILTIN_TYPES",
    "CORE_TL",
    "VECTOR_ID",
    "Combinator",
    "Flag",
    "Param",
    "Schema",
    "TLType",
    "crc32_id",
    "normalized_line",
]

#: The constructor number of a boxed ``Vector<T>``
#: (``vector#1cb5c415 {t:Type} # [ t ] = Vector t;``).
VECTOR_ID = _wire.VECTOR_ID

#: The bare primitive types every schema knows without declaring them.
BUILTIN_TYPES: frozenset[str] = frozenset(
    {"int", "long", "double", "string", "bytes", "int128", "int256"}
)

#: The type of "any boxed object" (``rpc_result.result``, ``message.body``).
ANY_TYPE = "Object"

#: The combinators every :class:`Schema` starts from.  Telegram's schema
#: copies comment these out ("parsed manually"), yet types and functions
#: refer to them (``Bool``, ``flags.N?true``, ``get_future_salts =
#: FutureSalts``).  Their ids are the ones of core.telegram.org/mtproto and
#: all follow the CRC32 rule; ``gzip_packed`` carries ``bytes`` (the wire
#: form of ``string``, same id) because its payload is binary.
#:
#: ``message#5bb8e511`` (``msg_id:long seqno:int bytes:int body:Object =
#: Message``), ``msg_container#73f1f8dc`` (``messages:vector<message>``) and
#: ``msg_copy#e06046b2`` are left out: the API has its own ``message``
#: constructor of its own ``Message`` type, so they cannot share one name
#: space with it; a codec handles the container by hand
#: (core.telegram.org/mtproto/service_messages).
CORE_TL = """\
boolFalse#bc799737 = Bool;
boolTrue#997275b5 = Bool;
true#3fedd339 = True;
vector#1cb5c415 {t:Type} # [ t ] = Vector t;
gzip_packed#3072cfa1 packed_data:bytes = Object;
future_salt#0949d9dc valid_since:int valid_until:int salt:long = FutureSalt;
future_salts#ae500895 req_msg_id:long now:int salts:vector<future_salt> = FutureSalts;
"""

_VECTORS = ("Vector", "vector")

_NAME = r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*"
_HEAD_RE = re.compile(rf"({_NAME})(?:#([0-9a-fA-F]{{1,8}}))?\Z")
_PARAM_RE = re.compile(r"(\w+):(?:(\w+)\.(\d+)\?)?(\S+)\Z")
_TYPE_RE = re.compile(rf"([!%]?)({_NAME}|#)(?:<(.+)>)?\Z")
_GENERIC_RE = re.compile(r"\{(\w+):(\S+)\}\Z")
_REPEAT_RE = re.compile(r"(?:\d+\*)?\[ \w+ \]\Z")
_LAYER_RE = re.compile(r"//\s*LAYER\s+(\d+)\b")
_LAYER_MAX = 0x7FFFFFFF  # a TL int

# Normalization for the CRC32 rule (core.telegram.org/mtproto/TL-tl).
_NORM_ID_RE = re.compile(r"^(\S+?)#[0-9a-fA-F]+")
_NORM_TRUE_RE = re.compile(r"(?<!\S)\w+:\w+\.\d+\?true(?!\S)")
_NORM_BYTES_RE = re.compile(r"([:?])bytes\b")
_NORM_EQ_RE = re.compile(r"\s*=\s*")


def normalized_line(line: str) -> str:
    """
    Return a schema line in the normalized form its constructor number is
    the CRC32 of: ``#id`` and the trailing ``;`` dropped, every
    ``name:flags.N?true`` argument removed, ``bytes`` written ``string``,
    ``<`` turned into a space, ``>``, ``{`` and ``}`` deleted, and single
    spaces between tokens.

    :param line: One combinator line, with or without ``#id`` and ``;``.
    :returns: The normalized text, e.g. ``"vector t:Type # [ t ] = Vector t"``.
    """
    text = line.strip()
    text = text.removesuffix(";")
    text = _NORM_ID_RE.sub(r"\1", text, count=1)
    text = _NORM_TRUE_RE.sub(" ", text)
    text = _NORM_BYTES_RE.sub(r"\1string", text)
    text = text.replace("<", " ").replace(">", "").replace("{", "").replace("}", "")
    text = _NORM_EQ_RE.sub(" = ", text)
    return " ".join(text.split())


def crc32_id(line: str) -> int:
    """
    Return the constructor number the TL documentation's CRC32 rule gives a
    schema line: the unsigned CRC32 (zlib) of :func:`normalized_line`.

    :param line: One combinator line, with or without ``#id`` and ``;``.
    :returns: The id as an unsigned 32-bit int.
    """
    return zlib.crc32(normalized_line(line).encode("utf-8"))


@dataclass(frozen=True, repr=False)
class TLType:
    """
    The type of an argument or the result of a combinator, as written.

    ``Vector<long>`` is ``TLType("Vector", arg=TLType("long"))``; ``%Message``
    is ``TLType("Message", percent=True)`` (the bare form of a boxed type);
    ``!X`` is ``TLType("X", generic=True, query=True)``; a flags word is
    ``TLType("#")``.
    """

    #: The name without ``%``, ``!`` and ``<...>``: ``"int"``, ``"User"``,
    #: ``"messages.Messages"``, ``"Vector"``, ``"vector"``, ``"message"``,
    #: ``"true"``, ``"#"`` or a generic parameter such as ``"X"``.
    name: str
    #: The element type of ``Vector<T>`` and ``vector<T>``, else None.
    arg: TLType | None = None
    #: Written ``%T``: the bare form of the boxed type ``T``.
    percent: bool = False
    #: Names a generic parameter (``{X:Type}``) of its combinator.
    generic: bool = False
    #: Written ``!X``: a complete boxed function call whose result is ``X``.
    query: bool = False

    @property
    def boxed(self) -> bool:
        """
        Whether a value of this type starts with its constructor number:
        true for capitalized names (``User``, ``Vector<T>``, ``Bool``,
        ``Object``, ``!X``), false for the primitives, ``#``, lower-case
        constructor names (``vector<T>``, ``message``, ``true``) and ``%T``.
        """
        if self.percent:
            return False
        if self.query:
            return True
        return self.name.rpartition(".")[2][:1].isupper()

    @property
    def is_vector(self) -> bool:
        """
        Whether this is ``Vector<T>`` (boxed) or ``vector<T>`` (bare).
        """
        return self.arg is not None

    @property
    def is_builtin(self) -> bool:
        """
        Whether this is a bare primitive (``int``, ``long``, ``double``,
        ``string``, ``bytes``, ``int128``, ``int256``).
        """
        return self.name in BUILTIN_TYPES

    @property
    def is_nat(self) -> bool:
        """
        Whether this is ``#``, the unsigned 32-bit flags word.
        """
        return self.name == "#"

    @property
    def is_true(self) -> bool:
        """
        Whether this is the bare ``true`` of ``name:flags.N?true`` (no bytes).
        """
        return self.name == "true"

    @property
    def namespace(self) -> str | None:
        """
        The namespace of the name (``"messages"`` for ``messages.Messages``),
        or None.
        """
        return self.name.rpartition(".")[0] or None

    def __str__(self) -> str:
        prefix = "!" if self.query else "%" if self.percent else ""
        if self.arg is None:
            return prefix + self.name
        return f"{prefix}{self.name}<{self.arg}>"

    def __repr__(self) -> str:
        return f"TLType({str(self)!r})"


@dataclass(frozen=True, repr=False)
class Flag:
    """
    The condition ``word.bit?`` of an optional argument: the argument is
    present iff bit ``bit`` of the ``#`` argument named ``word`` is set.
    """

    #: The name of the flags word (``"flags"``, ``"flags2"``).
    word: str
    #: The bit, 0..31.
    bit: int

    def __str__(self) -> str:
        return f"{self.word}.{self.bit}"

    def __repr__(self) -> str:
        return f"Flag({self.word!r}, {self.bit})"


@dataclass(frozen=True, repr=False)
class Param:
    """
    One argument of a combinator, in wire order.
    """

    #: The argument's name.
    name: str
    #: Its type (for ``flags.N?T``, the type ``T``).
    type: TLType
    #: The flag that makes it present, or None if it is always present.
    flag: Flag | None = None

    @property
    def is_flag_word(self) -> bool:
        """
        Whether this argument is a flags word (``flags:#``, ``flags2:#``),
        computed from the optional arguments that refer to it.
        """
        return self.type.name == "#"

    @property
    def is_optional(self) -> bool:
        """
        Whether this argument is conditional on a flag bit.
        """
        return self.flag is not None

    @property
    def is_true_flag(self) -> bool:
        """
        Whether this is ``name:flags.N?true``: the bit is the whole value and
        nothing is serialized.
        """
        return self.flag is not None and self.type.name == "true"

    def __str__(self) -> str:
        if self.flag is None:
            return f"{self.name}:{self.type}"
        return f"{self.name}:{self.flag}?{self.type}"

    def __repr__(self) -> str:
        return f"Param({str(self)!r})"


def _line(
    name: str,
    id: int | None,
    generics: tuple[str, ...],
    params: tuple[Param, ...],
    result: TLType,
) -> str:
    parts = [name if id is None else f"{name}#{id:08x}"]
    parts.extend(f"{{{g}:Type}}" for g in generics)
    parts.extend(str(p) for p in params)
    parts.append("=")
    parts.append(f"{result};")
    return " ".join(parts)


@dataclass(frozen=True, repr=False)
class Combinator:
    """
    One schema line: a constructor of a type, or a function.

    Two combinators are equal when their definitions are (name, id,
    arguments, result, kind); where they were read from does not count.
    """

    #: The full name, namespace included: ``"auth.exportLoginToken"``.
    name: str
    #: The constructor number (the stated ``#id``, else the CRC32 rule).
    id: int
    #: The arguments in wire order, flags words included.
    params: tuple[Param, ...]
    #: The result type: for a constructor the type it builds, for a
    #: function what ``rpc_result.result`` holds.
    result: TLType
    #: Whether the line is in the ``---functions---`` section.
    is_function: bool = False
    #: The generic parameters, ``("X",)`` for ``{X:Type}``.
    generics: tuple[str, ...] = ()
    #: Where it was read from: a file name, or None.
    source: str | None = field(default=None, compare=False)
    #: The line number it was read from (1-based), or None.
    line: int | None = field(default=None, compare=False)

    @property
    def namespace(self) -> str | None:
        """
        The namespace (``"auth"`` for ``auth.exportLoginToken``), or None.
        """
        return self.name.rpartition(".")[0] or None

    @property
    def short_name(self) -> str:
        """
        The name without its namespace (``"exportLoginToken"``).
        """
        return self.name.rpartition(".")[2]

    @property
    def flag_words(self) -> tuple[str, ...]:
        """
        The names of the flags words (``#`` arguments), in wire order.
        """
        return tuple(p.name for p in self.params if p.type.name == "#")

    @property
    def computed_id(self) -> int:
        """
        The id the CRC32 rule gives this combinator; equal to :attr:`id`
        except for the few hand-numbered ones.
        """
        return crc32_id(_line(self.name, None, self.generics, self.params, self.result))

    @classmethod
    def parse(cls, line: str, *, is_function: bool = False) -> Combinator:
        """
        Parse one schema line on its own.

        :param line: The line, e.g. ``"pong#347773c5 msg_id:long ping_id:long
            = Pong;"``; a trailing ``//`` comment is ignored.
        :param is_function: Whether it is a function (a line of the
            ``---functions---`` section).
        :returns: The combinator; argument types are not checked against any
            schema.
        :raises mtcore.exceptions.TLSchemaError: If the line is malformed or
            is a builtin declaration (``int ? = Int;``, the ``vector`` line).
        """
        cut = line.find("//")
        if cut >= 0:
            line = line[:cut]
        parsed = _Parser(None).parse_line(line, 1, is_function)
        if not isinstance(parsed, Combinator):
            raise _errors.schema_not_combinator("line 1", line.strip())
        return parsed

    def __str__(self) -> str:
        return _line(self.name, self.id, self.generics, self.params, self.result)

    def __repr__(self) -> str:
        kind = "function" if self.is_function else "constructor"
        return f"<Combinator {kind} {str(self)!r}>"


def _where(source: str | None, line: int | None) -> str:
    # "main_api.tl line 12", "line 12", or "" for a combinator built in code.
    if line is None:
        return source or ""
    return f"{source} line {line}" if source else f"line {line}"


class _Parser:
    """
    The line parser; one per source text, with caches shared across its
    lines (argument tokens and types repeat thousands of times).
    """

    def __init__(self, source: str | None) -> None:
        self.source = source
        self.combinators: list[Combinator] = []
        self.builtins: list[str] = []
        self.layer: int | None = None
        self.layer_line = 0
        self._types: dict[str, TLType] = {}
        self._params: dict[str, Param] = {}

    def parse_text(self, text: str) -> None:
        is_function = False
        source = self.source
        for number, raw in enumerate(text.splitlines(), 1):
            cut = raw.find("//")
            if cut >= 0:
                if "LAYER" in raw:
                    self._layer(raw[cut:], number)
                raw = raw[:cut]
            line = raw.strip()
            if not line:
                continue
            if line.startswith("---"):
                if line == "---functions---":
                    is_function = True
                elif line == "---types---":
                    is_function = False
                else:
                    raise _errors.schema_unknown_section(_where(source, number), line)
                continue
            parsed = self.parse_line(line, number, is_function)
            if isinstance(parsed, Combinator):
                self.combinators.append(parsed)
            elif parsed is not None:
                self.builtins.append(parsed)

    def _layer(self, comment: str, number: int) -> None:
        match = _LAYER_RE.match(comment)
        if match is None:
            return
        digits = match.group(1)
        # int() of a long run of digits is slow, and refused past 4300
        if len(digits) > 10 or int(digits) > _LAYER_MAX:
            raise _errors.schema_layer_range(_where(self.source, number), digits)
        layer = int(digits)
        if self.layer is not None and layer != self.layer:
            raise _errors.schema_layer_conflict(
                _where(self.source, number),
                layer,
                self.layer,
                _where(self.source, self.layer_line),
            )
        self.layer, self.layer_line = layer, number

    def parse_line(
        self, line: str, number: int, is_function: bool
    ) -> Combinator | str | None:
        """
        Parse one line (comment already removed): a :class:`Combinator`, the
        name of the bare type a builtin line declares (``int128 4*[ int ] =
        Int128;``), or None for the builtin ``vector`` line.
        """
        where = _where(self.source, number)
        line = line.strip()
        if not line.endswith(";"):
            raise _errors.schema_missing_semicolon(where, line)
        left, eq, right = line[:-1].partition("=")
        tokens = left.split()
        result_text = right.strip()
        if not eq:
            raise _errors.schema_missing_result(where, line)
        if not tokens or not result_text or "=" in right:
            raise _errors.schema_malformed_line(where, line)
        head = _HEAD_RE.match(tokens[0])
        if head is None:
            raise _errors.schema_malformed_name(where, tokens[0])
        name, id_text = head.groups()
        args = tokens[1:]
        if "?" in args or any("[" in a for a in args):
            return self._builtin(where, line, name, id_text, args, result_text)

        generics: list[str] = []
        while args and args[0].startswith("{"):
            match = _GENERIC_RE.match(args[0])
            if match is None:
                raise _errors.schema_malformed_param(where, args[0], name)
            if match.group(2) != "Type":
                raise _errors.schema_unsupported_generic(where, args[0], name)
            generics.append(match.group(1))
            args = args[1:]
        gen = tuple(generics)

        params: list[Param] = []
        seen: dict[str, Param] = {}
        for token in args:
            param = self._params.get(token) if not gen else None
            if param is None:
                param = self._param(where, token, name, gen)
            if param.name in seen:
                raise _errors.schema_duplicate_param(where, param.name, name)
            flag = param.flag
            if flag is not None:
                word = seen.get(flag.word)
                if word is None or word.type.name != "#":
                    raise _errors.schema_unknown_flag_word(
                        where, str(param), name, flag.word
                    )
            seen[param.name] = param
            params.append(param)

        result = self._type(where, result_text, name, gen)
        if not is_function and (
            not result.boxed or result.arg is not None or result.generic
        ):
            raise _errors.schema_bad_result(where, name, result_text)
        ps = tuple(params)
        if id_text is None:
            cid = crc32_id(_line(name, None, gen, ps, result))
        else:
            cid = int(id_text, 16)
        return Combinator(name, cid, ps, result, is_function, gen, self.source, number)

    def _builtin(
        self,
        where: str,
        line: str,
        name: str,
        id_text: str | None,
        args: list[str],
        result: str,
    ) -> str | None:
        # int ? = Int;   int128 4*[ int ] = Int128;
        # vector#1cb5c415 {t:Type} # [ t ] = Vector t;
        if name == "vector":
            if args != ["{t:Type}", "#", "[", "t", "]"] or result.split() != [
                "Vector",
                "t",
            ]:
                raise _errors.schema_malformed_line(where, line)
            if id_text is not None and int(id_text, 16) != VECTOR_ID:
                raise _errors.schema_bad_vector_id(where, int(id_text, 16))
            return None
        if args != ["?"] and not _REPEAT_RE.match(" ".join(args)):
            raise _errors.schema_malformed_line(where, line)
        return name

    def _param(
        self, where: str, token: str, combinator: str, generics: tuple[str, ...]
    ) -> Param:
        match = _PARAM_RE.match(token)
        if match is None:
            raise _errors.schema_malformed_param(where, token, combinator)
        name, word, bit, type_text = match.groups()
        flag = None
        if word is not None:
            if len(bit) > 2 or int(bit) > 31:
                raise _errors.schema_flag_bit_range(where, bit, token, combinator)
            b = int(bit)
            flag = Flag(word, b)
        type_ = self._type(where, type_text, combinator, generics)
        if type_.name == "#" and flag is not None:
            raise _errors.schema_malformed_param(where, token, combinator)
        param = Param(name, type_, flag)
        if not generics:
            self._params[token] = param
        return param

    def _type(
        self, where: str, text: str, combinator: str, generics: tuple[str, ...]
    ) -> TLType:
        if not generics:
            cached = self._types.get(text)
            if cached is not None:
                return cached
        match = _TYPE_RE.match(text)
        if match is None:
            raise _errors.schema_malformed_type(where, text, combinator)
        prefix, name, arg_text = match.groups()
        arg = None
        if arg_text is not None:
            if name not in _VECTORS or prefix:
                raise _errors.schema_malformed_type(where, text, combinator)
            arg = self._type(where, arg_text, combinator, generics)
            if arg.name == "#" or arg.query:
                raise _errors.schema_malformed_type(where, text, combinator)
        elif name in _VECTORS:
            raise _errors.schema_malformed_type(where, text, combinator)
        generic = name in generics
        if prefix == "!" and not generic:
            raise _errors.schema_not_generic(where, text, combinator)
        if prefix == "%" and (
            generic or name == "#" or not name.rpartition(".")[2][:1].isupper()
        ):
            raise _errors.schema_malformed_type(where, text, combinator)
        type_ = TLType(name, arg, prefix == "%", generic, prefix == "!")
        if not generics:
            self._types[text] = type_
        return type_


_core_cache: list[_Parser] = []


def _core() -> _Parser:
    if not _core_cache:
        parser = _Parser("<core>")
        parser.parse_text(CORE_TL)
        _core_cache.append(parser)
    return _core_cache[0]


class _Traversable(Protocol):
    # pathlib.Path or an importlib.resources Traversable.
    @property
    def name(self) -> str: ...

    def read_text(self, encoding: str | None = None) -> str: ...


_Path = Union[str, "os.PathLike[str]", _Traversable]


class Schema:
    """
    A parsed TL schema: immutable, with its combinators indexed by name and
    by id and each type's constructors.

    Build one with :meth:`parse` or :meth:`from_file`;
    :func:`mtcore.tl.default_schema` is the bundled layer 229.

    Constructors and functions share one id space and one name space: the
    same id or name defined twice with different definitions is an error
    (an identical repetition is ignored), and so is an argument or function
    result whose type the schema does not define.
    """

    __slots__ = (
        "_builtins",
        "_combinators",
        "_constructors",
        "_constructors_by_id",
        "_functions",
        "_functions_by_id",
        "_layer",
        "_types",
    )

    def __init__(
        self,
        combinators: Iterable[Combinator],
        *,
        layer: int | None = None,
        builtins: Iterable[str] = (),
    ) -> None:
        """
        Index and check a set of combinators.

        :param combinators: The combinators, in definition order.
        :param layer: The layer number, or None if unknown.
        :param builtins: Bare builtin type names declared beyond
            :data:`BUILTIN_TYPES` (by lines such as ``int32 ? = Int32;``).
        :raises mtcore.exceptions.TLSchemaError: On a duplicate id or name
            with a different definition, or an unknown type.
        """
        if layer is not None:
            if type(layer) is not int:
                raise _errors.not_int("layer", layer)
            if not 0 <= layer < 2**31:
                raise _errors.out_of_range("layer", 0, 2**31 - 1, layer)
        by_id: dict[int, Combinator] = {}
        by_name: dict[str, Combinator] = {}
        ordered: list[Combinator] = []
        for c in combinators:
            other = by_id.get(c.id)
            if other is not None:
                if other == c:
                    continue
                raise _errors.schema_duplicate_id(
                    _where(c.source, c.line),
                    c.id,
                    c.name,
                    other.name,
                    _where(other.source, other.line),
                )
            other = by_name.get(c.name)
            if other is not None:
                raise _errors.schema_duplicate_name(
                    _where(c.source, c.line),
                    c.name,
                    c.id,
                    other.id,
                    _where(other.source, other.line),
                )
            by_id[c.id] = c
            by_name[c.name] = c
            ordered.append(c)

        types: dict[str, list[Combinator]] = {}
        for c in ordered:
            if not c.is_function:
                types.setdefault(c.result.name, []).append(c)

        self._layer = layer
        self._builtins = BUILTIN_TYPES.union(builtins)
        self._combinators = tuple(ordered)
        self._constructors = MappingProxyType(
            {c.name: c for c in ordered if not c.is_function}
        )
        self._functions = MappingProxyType(
            {c.name: c for c in ordered if c.is_function}
        )
        self._constructors_by_id = MappingProxyType(
            {c.id: c for c in ordered if not c.is_function}
        )
        self._functions_by_id = MappingProxyType(
            {c.id: c for c in ordered if c.is_function}
        )
        self._types = MappingProxyType({k: tuple(v) for k, v in types.items()})
        self._check_types()

    def _check_types(self) -> None:
        known: set[TLType] = set()
        for c in self._combinators:
            for p in c.params:
                if p.type not in known:
                    self._check_type(c, p.type)
                    known.add(p.type)
            if c.is_function and c.result not in known:
                self._check_type(c, c.result)
                known.add(c.result)

    def _check_type(self, c: Combinator, t: TLType) -> None:
        if t.arg is not None:
            self._check_type(c, t.arg)
            return
        name = t.name
        if (
            t.generic
            or name == "#"
            or name == ANY_TYPE
            or name in self._builtins
            or name in self._types
            or (not t.boxed and not t.percent and name in self._constructors)
        ):
            return
        raise _errors.schema_unknown_type(_where(c.source, c.line), name, c.name)

    @property
    def layer(self) -> int | None:
        """
        The layer (from ``// LAYER N`` or the ``layer`` argument), or None.
        """
        return self._layer

    @property
    def combinators(self) -> tuple[Combinator, ...]:
        """
        Every constructor and function, in definition order (the core ones
        first).
        """
        return self._combinators

    @property
    def constructors(self) -> Mapping[str, Combinator]:
        """
        The constructors by full name (``"auth.loginToken"``).
        """
        return self._constructors

    @property
    def functions(self) -> Mapping[str, Combinator]:
        """
        The functions by full name (``"auth.exportLoginToken"``).
        """
        return self._functions

    @property
    def constructors_by_id(self) -> Mapping[int, Combinator]:
        """
        The constructors by constructor number.
        """
        return self._constructors_by_id

    @property
    def functions_by_id(self) -> Mapping[int, Combinator]:
        """
        The functions by constructor number.
        """
        return self._functions_by_id

    @property
    def types(self) -> Mapping[str, tuple[Combinator, ...]]:
        """
        Each boxed type (``"Bool"``, ``"messages.Messages"``) and its
        constructors, in definition order.
        """
        return self._types

    @property
    def builtins(self) -> frozenset[str]:
        """
        The bare builtin types: :data:`BUILTIN_TYPES` and any the schema
        declared (``int32 ? = Int32;``).
        """
        return self._builtins

    def __repr__(self) -> str:
        return (
            f"<Schema layer {self._layer}: {len(self._constructors)} constructors, "
            f"{len(self._functions)} functions>"
        )

    @classmethod
    def parse(cls, *texts: str, layer: int | None = None) -> Schema:
        """
        Parse one or more schema texts into one schema (for example the API,
        the MTProto service messages and the auth-key exchange).

        :param texts: The ``.tl`` texts.
        :param layer: The layer; by default the one the texts state in a
            ``// LAYER N`` comment (all that state one must agree), else None.
        :returns: The schema, :data:`CORE_TL` included.
        :raises mtcore.exceptions.TLSchemaError: On the first malformed line,
            duplicate id or name, or unknown type; the message starts with
            the line number (``"text 2 line 40: ..."`` when several texts
            are given).
        """
        named: list[tuple[str | None, str]] = []
        for i, text in enumerate(texts, 1):
            if not isinstance(text, str):
                raise _errors.not_str("text", text)
            named.append((None if len(texts) == 1 else f"text {i}", text))
        return cls._from_sources(named, layer)

    @classmethod
    def from_file(cls, *paths: _Path, layer: int | None = None) -> Schema:
        """
        Read and parse one or more ``.tl`` files (UTF-8) into one schema.

        :param paths: File paths (``str``, ``os.PathLike`` or an
            :mod:`importlib.resources` traversable).
        :param layer: As for :meth:`parse`.
        :returns: The schema.
        :raises mtcore.exceptions.TLSchemaError: As for :meth:`parse`; the
            message starts with the file name and line number
            (``"main_api.tl line 1234: ..."``).
        :raises OSError: If a file cannot be read.
        """
        named: list[tuple[str | None, str]] = []
        for path in paths:
            if isinstance(path, (str, os.PathLike)):
                with open(path, encoding="utf-8") as f:
                    named.append((os.path.basename(os.fspath(path)), f.read()))
            else:
                named.append((path.name, path.read_text(encoding="utf-8")))
        return cls._from_sources(named, layer)

    @classmethod
    def _from_sources(
        cls, sources: list[tuple[str | None, str]], layer: int | None
    ) -> Schema:
        core = _core()
        user: list[Combinator] = []
        builtins: list[str] = []
        stated: tuple[int, str] | None = None
        for source, text in sources:
            parser = _Parser(source)
            parser.parse_text(text)
            user.extend(parser.combinators)
            builtins.extend(parser.builtins)
            if parser.layer is not None:
                here = _where(source, parser.layer_line)
                if stated is not None and stated[0] != parser.layer:
                    raise _errors.schema_layer_conflict(here, parser.layer, *stated)
                if stated is None:
                    stated = (parser.layer, here)
        ids = {c.id for c in user}
        names = {c.name for c in user}
        merged = [
            c for c in core.combinators if c.id not in ids and c.name not in names
        ]
        merged.extend(user)
        if layer is None and stated is not None:
            layer = stated[0]
        return cls(merged, layer=layer, builtins=builtins)
