"""
Generate ``mtcore/tl/__init__.pyi``: type stubs for ``mtcore.tl``, so that
editors and type checkers know every constructor and function of the
bundled schema (layer 229) and their fields.

At run time ``mtcore.tl.types`` and ``mtcore.tl.functions`` are namespaces
whose classes the codec builds from the schema on first use.  The stub
declares them as classes with nested classes, one per namespace and one
per combinator, named as at run time (``types.auth.loginToken``,
``functions.auth.exportLoginToken``): each combinator class has typed
attributes and a keyword-only ``__init__``.  Each boxed type ``ns.T`` is a
type alias ``types.ns.TypeT`` (the union of its constructors, for
annotations only: it does not exist at run time).  The rest of the stub
is ``mtcore/tl/__init__.py``'s own imports, copied.

Usage, from the repository root::

    python tools/gen_tl_stubs.py          # (re)write the stub
    python tools/gen_tl_stubs.py --check  # exit 1 if it is stale

The output depends only on the schema and ``mtcore/tl/__init__.py``;
``tests/test_tl_stubs.py`` checks that the committed stub is up to date.
"""

from __future__ import annotations

import argparse
import ast
import keyword
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
STUB = ROOT / "mtcore" / "tl" / "__init__.pyi"
INIT = ROOT / "mtcore" / "tl" / "__init__.py"

if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from mtcore.tl.codec import Codec
from mtcore.tl.schema import ANY_TYPE, Combinator, Schema, TLType

_PRIMS = {
    "int": "_int",
    "long": "_int",
    "double": "_float",
    "string": "_str",
    "bytes": "_bytes",
    "int128": "_bytes",
    "int256": "_bytes",
}
# Any complete boxed value (Object, !X): a TL object, a Bool, a raw vector.
_ANY = "_TLObject | _bool | _RawVector"

_PRELUDE = """\
from builtins import bool as _bool
from builtins import bytes as _bytes
from builtins import float as _float
from builtins import int as _int
from builtins import list as _list
from builtins import str as _str
from collections.abc import Sequence as _Sequence
from typing_extensions import TypeAlias as _TypeAlias

from mtcore.tl.codec import RawVector as _RawVector
from mtcore.tl.codec import TLObject as _TLObject
"""


@dataclass
class _Node:
    """
    A namespace or combinator in the stub's class tree.
    """

    name: str
    combinator: Combinator | None = None
    children: dict[str, _Node] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)


def _header() -> str:
    """
    ``mtcore/tl/__init__.py``'s docstring, imports and assignments (its
    module ``__getattr__``, which makes ``types``/``functions``, is what the
    generated classes replace).
    """
    tree = ast.parse(INIT.read_text(encoding="utf-8"))
    body: list[ast.stmt] = []
    for stmt in tree.body:
        if isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__":
            continue
        if isinstance(stmt, ast.ImportFrom) and stmt.module == "typing":
            continue
        if (
            isinstance(stmt, ast.ImportFrom)
            and stmt.module == "mtcore._backend"
            and [a.name for a in stmt.names] == ["impl"]
        ):
            # What type checkers see: mtcore._backend imports the pure twin
            # as impl under TYPE_CHECKING (and does not re-export it).
            stmt = ast.ImportFrom("mtcore", [ast.alias("_py", stmt.names[0].asname)], 0)
        if isinstance(stmt, (ast.Import, ast.ImportFrom, ast.Assign, ast.AnnAssign)):
            body.append(stmt)
    lines = []
    for prev, stmt in zip([None, *body], body):
        if prev is not None and isinstance(
            prev, (ast.Import, ast.ImportFrom)
        ) != isinstance(stmt, (ast.Import, ast.ImportFrom)):
            lines.append("")
        lines.append(ast.unparse(stmt))
    return "\n".join(lines) + "\n"


class _Gen:
    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.codec = Codec(schema)  # its own: the Python field names
        self.lines: list[str] = []
        self.skipped: list[str] = []

    # annotations

    def ann(self, t: TLType, param: bool) -> str:
        """
        The annotation of a (non-optional) value of type ``t``: as an
        ``__init__`` parameter (vectors as any sequence) or an attribute.
        """
        if t.arg is not None:
            inner = self.ann(t.arg, param)
            return f"_Sequence[{inner}]" if param else f"_list[{inner}]"
        name = t.name
        prim = _PRIMS.get(name)
        if prim is not None:
            return prim
        if t.query or t.generic or name == ANY_TYPE:
            return _ANY
        if name == "Bool" and not t.percent:
            return "_bool"
        if t.percent:
            return self.cls_path(self.schema.types[name][0])
        if not t.boxed:
            return self.cls_path(self.schema.constructors[name])
        ns, _, short = name.rpartition(".")
        return "_T." + (ns + "." if ns else "") + "Type" + short

    @staticmethod
    def cls_path(c: Combinator) -> str:
        return ("_F." if c.is_function else "_T.") + c.name

    # the tree

    def tree(self, functions: bool) -> _Node:
        root = _Node("functions" if functions else "types")
        table = self.schema.functions if functions else self.schema.constructors
        for name in sorted(table):
            *path, last = name.split(".")
            node = root
            for p in path:
                node = node.children.setdefault(p, _Node(p))
            child = node.children.setdefault(last, _Node(last))
            child.combinator = table[name]
        if not functions:
            for tname, cons in sorted(self.schema.types.items()):
                *path, last = tname.split(".")
                if not last.isidentifier() or not last[:1].isupper():
                    continue
                node = root
                for p in path:
                    node = node.children.setdefault(p, _Node(p))
                union = " | ".join(self.cls_path(c) for c in cons)
                node.aliases["Type" + last] = union
        return root

    # output

    def emit(self, node: _Node, indent: str, qual: str) -> None:
        out = self.lines
        c = node.combinator
        if keyword.iskeyword(node.name) or not node.name.isidentifier():
            self.skipped.append(f"{qual}: not a Python name")
            return
        fields: list[tuple[str, Any]] = []
        if c is not None:
            d = self.codec.desc_by_name(c.name, c.is_function)
            assert d is not None
            params = [p for p in c.params if not p.is_flag_word]
            fields = list(zip(d.fields, params))
            out.append(f"{indent}class {node.name}(_TLObject):")
            out.append(f'{indent}    """{_doc(c)}"""')
            for name, p in fields:
                out.append(f"{indent}    {name}: {self.attr_ann(p)}")
            init_self = "_self" if any(n == "self" for n, _ in fields) else "self"
            if fields:
                out.append(f"{indent}    def __init__(")
                out.append(f"{indent}        {init_self},")
                out.append(f"{indent}        /,")
                out.append(f"{indent}        *,")
                for name, p in fields:
                    out.append(f"{indent}        {name}: {self.param_ann(p)},")
                out.append(f"{indent}    ) -> None: ...")
            else:
                out.append(f"{indent}    def __init__({init_self}, /) -> None: ...")
        else:
            out.append(f"{indent}class {node.name}:")
            out.append(f'{indent}    """The ``{qual}`` namespace."""')
        taken = {name for name, _ in fields}
        for name in sorted(node.children):
            child = node.children[name]
            if name in taken:
                # The field wins at run time (``_TLMeta`` falls back to the
                # namespace only for names the class lacks).
                self.skipped.append(f"{qual}.{name}: hidden by the field {name}")
                continue
            self.emit(child, indent + "    ", f"{qual}.{name}")
        for name in sorted(node.aliases):
            if name in taken:
                self.skipped.append(f"{qual}.{name}: hidden by the field {name}")
                continue
            out.append(f"{indent}    {name}: _TypeAlias = {node.aliases[name]}")

    def attr_ann(self, p: Any) -> str:
        if p.is_true_flag:
            return "_bool"
        a = self.ann(p.type, param=False)
        return f"{a} | None" if p.flag is not None else a

    def param_ann(self, p: Any) -> str:
        if p.is_true_flag:
            return "_bool = ..."
        a = self.ann(p.type, param=True)
        return f"{a} | None = ..." if p.flag is not None else a


def _doc(c: Combinator) -> str:
    text = str(c).replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    return text


def generate(schema: Schema | None = None) -> dict[Path, str]:
    """
    The stub files and their text (for the bundled schema by default).
    """
    if schema is None:
        from mtcore.tl.registry import default_schema

        schema = default_schema()
    g = _Gen(schema)
    types_root = g.tree(functions=False)
    functions_root = g.tree(functions=True)
    g.emit(types_root, "", "types")
    g.emit(functions_root, "", "functions")
    layer = f"layer {schema.layer}" if schema.layer is not None else "the schema"
    head = (
        f'"""\nType stubs for mtcore.tl: {layer}, {len(schema.constructors)} '
        f"constructors and {len(schema.functions)} functions.\n\n"
        "Generated by tools/gen_tl_stubs.py from the bundled schema and "
        "mtcore/tl/__init__.py:\ndo not edit; rerun the script.\n"
        "``types.<ns>.Type<T>`` are type aliases for annotations only (the union "
        "of the\nconstructors of the boxed type ``<ns>.<T>``); they do not exist "
        'at run time.\n"""\n\n'
    )
    skipped = "".join(f"# not declared: {s}\n" for s in g.skipped)
    text = (
        head
        + _PRELUDE
        + "\n"
        + _header()
        + "\n"
        + skipped
        + ("\n" if skipped else "")
        + "\n".join(g.lines)
        + "\n\n_T = types\n_F = functions\n"
    )
    return {STUB: text}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if a stub is missing or stale"
    )
    args = parser.parse_args(argv)
    stale = []
    for path, text in generate().items():
        old = path.read_text(encoding="utf-8") if path.exists() else None
        if old == text:
            continue
        stale.append(path)
        if not args.check:
            path.write_text(text, encoding="utf-8", newline="\n")
    rel = ", ".join(str(p.relative_to(ROOT)) for p in stale)
    if args.check:
        if stale:
            print(f"stale: {rel} (run python tools/gen_tl_stubs.py)", file=sys.stderr)
            return 1
        print("stubs are up to date")
        return 0
    print(f"wrote {rel}" if stale else "stubs are up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
