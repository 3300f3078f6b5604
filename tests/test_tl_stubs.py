"""
The generated type stubs of mtcore.tl (``mtcore/tl/__init__.pyi``, written
by ``tools/gen_tl_stubs.py``): up to date with the schema and
``mtcore/tl/__init__.py``, valid Python, in step with the classes the codec
builds at run time, and (when mypy is installed) understood by mypy.
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path
from typing import Any

import pytest
from utils import load_tool, run_mypy

import mtcore.tl

ROOT = Path(__file__).resolve().parent.parent
TOOL = ROOT / "tools" / "gen_tl_stubs.py"
STUB = Path(mtcore.tl.__file__).with_name("__init__.pyi")


@pytest.fixture(scope="module")
def gen() -> Any:
    return load_tool(TOOL, "gen_tl_stubs")


@pytest.fixture(scope="module")
def tree() -> ast.Module:
    return ast.parse(STUB.read_text(encoding="utf-8"), filename=str(STUB))


def test_stubs_are_up_to_date(gen: Any) -> None:
    files = gen.generate()
    assert set(files) == {gen.STUB}
    for path, text in files.items():
        assert path.exists(), f"{path} is missing: run python tools/gen_tl_stubs.py"
        assert path.read_text(encoding="utf-8") == text, (
            f"{path.name} is stale: run python tools/gen_tl_stubs.py"
        )


def test_generator_is_deterministic(gen: Any) -> None:
    assert gen.generate() == gen.generate()


def _classes(node: ast.ClassDef, prefix: str) -> dict[str, ast.ClassDef]:
    out = {}
    for child in node.body:
        if isinstance(child, ast.ClassDef):
            name = f"{prefix}{child.name}"
            out[name] = child
            out.update(_classes(child, name + "."))
    return out


def _top(tree: ast.Module, name: str) -> ast.ClassDef:
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == name:
            return node
    raise AssertionError(f"no class {name} in the stub")


def _init_params(cls: ast.ClassDef) -> tuple[list[str], list[str]]:
    for node in cls.body:
        if isinstance(node, ast.FunctionDef) and node.name == "__init__":
            a = node.args
            required = [k.arg for k, d in zip(a.kwonlyargs, a.kw_defaults) if d is None]
            return [k.arg for k in a.kwonlyargs], required
    raise AssertionError(f"{cls.name} has no __init__")


def test_stub_parses_and_keeps_the_public_names(tree: ast.Module) -> None:
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            names.update(a.asname or a.name for a in node.names)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.ClassDef):
            names.add(node.name)
    public = {n for n in dir(mtcore.tl) if not n.startswith("_")}
    public |= {"types", "functions"}
    # submodules, and what __init__.py imports for itself
    modules = {"codec", "registry", "schema", "annotations", "Any"}
    assert public - modules <= names


@pytest.mark.parametrize("kind", ["types", "functions"])
def test_stub_classes_match_the_runtime_classes(tree: ast.Module, kind: str) -> None:
    schema = mtcore.tl.default_schema()
    table = schema.functions if kind == "functions" else schema.constructors
    classes = _classes(_top(tree, kind), "")
    codec = mtcore.tl.codec_for()
    for name, c in table.items():
        stub = classes.get(name)
        assert stub is not None, f"{kind}.{name} is not in the stub"
        d = codec.desc_by_name(name, c.is_function)
        assert d is not None
        params, required = _init_params(stub)
        assert params == list(d.fields), name
        want = [f for f, op in zip(d.fields, d.field_ops) if op[1] < 0]
        assert required == want, name
        attrs = [
            n.target.id
            for n in stub.body
            if isinstance(n, ast.AnnAssign)
            and isinstance(n.target, ast.Name)
            and ast.unparse(n.annotation) != "_TypeAlias"
        ]
        assert attrs == list(d.fields), name
        # the class exists at run time under the same path
        obj: Any = getattr(mtcore.tl, kind)
        for part in name.split("."):
            obj = getattr(obj, part)
        assert obj.tl_name == name


SNIPPET = """\
from __future__ import annotations

import mtcore.tl
from mtcore.tl import functions, types

req = mtcore.tl.functions.auth.exportLoginToken(
    api_id=1, api_hash="0123", except_ids=[1, 2]
)
data: bytes = bytes(req)
ids: list[int] = req.except_ids
msg = types.message(id=1, peer_id=types.peerUser(user_id=2), date=0, message="hi")
sender: types.TypePeer | None = msg.from_id
out: bool = msg.out
user: types.TypeUser = types.userEmpty(id=3)
state = types.updates.state(pts=1, qts=2, date=3, seq=4, unread_count=0)
sent = functions.messages.sendMessage(
    peer=types.inputPeerSelf(),
    message="x",
    random_id=1,
    entities=[types.messageEntityBold(offset=0, length=1)],
)
token: types.auth.TypeLoginToken = types.auth.loginTokenSuccess(
    authorization=types.auth.authorizationSignUpRequired()
)
w = mtcore.tl.Writer()
obj = mtcore.tl.decode(data)
bad_type = functions.auth.exportLoginToken(api_id="1", api_hash="h", except_ids=[])
bad_name = types.peerUser(user=2)
"""


def test_stub_type_checks_with_mypy(tmp_path: Path) -> None:
    pytest.importorskip("mypy", reason="mypy is not installed (not a dependency)")
    errors, report = run_mypy(tmp_path, SNIPPET, [str(STUB)])
    lines = SNIPPET.splitlines()
    bad_type = lines.index(next(x for x in lines if x.startswith("bad_type"))) + 1
    bad_name = lines.index(next(x for x in lines if x.startswith("bad_name"))) + 1
    report = textwrap.indent(report, "    ")
    assert len(errors) == 2, f"expected two planted errors, mypy said:\n{report}"
    assert f"snippet.py:{bad_type}: error:" in errors[0], report
    assert '"api_id"' in errors[0], report
    assert f"snippet.py:{bad_name}: error:" in errors[1], report
    assert '"user"' in errors[1], report
