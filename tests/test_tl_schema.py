"""
The TL schema parser (``mtcore.tl.schema``) and the bundled layer 229, one
test group per grammar concept.

The parser is pure Python and shared by both backends, so these tests take
no implementation fixture.  Expected ids come from the vectors of
``tl_constructor_ids.json`` (recomputed with zlib for the digest) and from
Telethon 1.45.0 (layer 229), never from mtcore.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

import pytest
from utils import VECTORS_DIR

import mtcore.tl
from mtcore.exceptions import MtcoreError, TLSchemaError
from mtcore.tl import Combinator, Flag, Param, Schema, TLType, crc32_id, default_schema
from mtcore.tl.schema import CORE_TL, VECTOR_ID, normalized_line

DATA_DIR = Path(mtcore.tl.__file__).parent / "data"
SPEC_SCHEMA_DIR = Path(__file__).resolve().parents[2] / "shared" / "spec" / "schema"
SCHEMA_FILES = ("main_api.tl", "sys_msgs.tl", "auth_key.tl")

with open(VECTORS_DIR / "tl_constructor_ids.json", encoding="utf-8") as _f:
    ID_DOC: dict[str, Any] = json.load(_f)
ID_VECTORS = ID_DOC["vectors"]
LINE_VECTORS = [v for v in ID_VECTORS if "schema_line" in v]

# The combinators of layer 229 whose stated id is not the CRC32 of their
# normalized line: the same three hand-numbered lines (all in sys_msgs.tl)
# that tl_constructor_ids.json lists for layer 222.
LAYER_229_ID_EXCEPTIONS = {
    "ipPortSecret": (0x37982646, 0x402D9B47),
    "accessPointRule": (0x4679B65F, 0x020634CE),
    "help.configSimple": (0x5A592A6C, 0x066D2808),
}


def own(names: Any) -> list[str]:
    """
    The names of a schema map without the core combinators.
    """
    core = set(Schema.parse("").constructors)
    return [n for n in names if n not in core]


def parse_one(line: str, *, is_function: bool = False) -> Combinator:
    return Combinator.parse(line, is_function=is_function)


def error_of(*texts: str, **kwargs: Any) -> str:
    with pytest.raises(TLSchemaError) as info:
        Schema.parse(*texts, **kwargs)
    return str(info.value)


# --- the CRC32 constructor-number rule (MTPROTO.md 6.5) ----------------------


@pytest.mark.parametrize("v", ID_VECTORS, ids=[v["name"] for v in ID_VECTORS])
def test_crc32_of_normalized_line(v: dict[str, Any]) -> None:
    assert crc32_id(v["normalized"]) == int(v["crc32"], 16)
    # An already normalized line is its own normal form.
    assert normalized_line(v["normalized"]) == v["normalized"]


@pytest.mark.parametrize("v", LINE_VECTORS, ids=[v["name"] for v in LINE_VECTORS])
def test_normalization_of_schema_line(v: dict[str, Any]) -> None:
    assert normalized_line(v["schema_line"]) == v["normalized"]
    assert crc32_id(v["schema_line"]) == int(v["crc32"], 16)


# The builtin vector line is accepted by Schema.parse, but is no combinator.
COMBINATOR_VECTORS = [v for v in LINE_VECTORS if v["name"] != "vector"]


@pytest.mark.parametrize(
    "v", COMBINATOR_VECTORS, ids=[v["name"] for v in COMBINATOR_VECTORS]
)
def test_parsed_line_has_declared_id(v: dict[str, Any]) -> None:
    c = parse_one(v["schema_line"], is_function=v["section"] == "functions")
    assert c.id == int(v["declared_id"], 16)
    assert c.computed_id == int(v["crc32"], 16)
    assert c.name == v["name"]
    # Without its #id the line gets the CRC32 rule's number.
    bare = re.sub(r"#[0-9a-f]+", "", v["schema_line"], count=1)
    assert parse_one(bare, is_function=c.is_function).id == int(v["crc32"], 16)


def test_vector_line_vector() -> None:
    (v,) = [v for v in LINE_VECTORS if v["name"] == "vector"]
    assert int(v["declared_id"], 16) == VECTOR_ID == crc32_id(v["schema_line"])
    assert Schema.parse(v["schema_line"]).constructors == Schema.parse("").constructors


def test_id_exceptions_of_the_vectors() -> None:
    names = {v["name"] for v in LINE_VECTORS if v["declared_id"] != v["crc32"]}
    listed = {parse_one(e["line"]).name for e in ID_DOC["exceptions"]}
    assert names == listed == set(LAYER_229_ID_EXCEPTIONS)
    for e in ID_DOC["exceptions"]:
        c = parse_one(e["line"])
        assert (c.id, c.computed_id) == (
            int(e["declared"], 16),
            int(e["crc32_of_normalized"], 16),
        )


def test_normalization_steps() -> None:
    # Each step of the rule on its own.
    assert normalized_line("a#12345678 x:int = A;") == "a x:int = A"
    assert (
        normalized_line("a flags:# b:flags.0?true x:int = A;") == "a flags:# x:int = A"
    )
    assert normalized_line("a flags2:# b:flags2.31?true = A") == "a flags2:# = A"
    assert normalized_line("a x:bytes y:f.1?bytes z:Vector<bytes> = A") == (
        "a x:string y:f.1?string z:Vector bytes = A"
    )
    assert normalized_line("v {X:Type} q:!X = X") == "v X:Type q:!X = X"
    assert normalized_line("  a   x:int\t=   A ;") == "a x:int = A"
    # A parameter merely named like a flag is not removed.
    assert normalized_line("a true:int = A") == "a true:int = A"


# --- the bundled layer 229 ----------------------------------------------------


def test_default_schema_layer() -> None:
    schema = default_schema()
    assert schema.layer == 229
    assert default_schema() is schema  # cached
    assert repr(schema) == "<Schema layer 229: 1698 constructors, 824 functions>"


def test_bundled_files_are_verbatim() -> None:
    if not SPEC_SCHEMA_DIR.is_dir():
        pytest.skip(f"{SPEC_SCHEMA_DIR} is not here (only in the development tree)")
    for name in SCHEMA_FILES:
        assert (DATA_DIR / name).read_bytes() == (SPEC_SCHEMA_DIR / name).read_bytes()


def _numbered_lines() -> list[tuple[str, int, str]]:
    out = []
    for name in SCHEMA_FILES:
        text = (DATA_DIR / name).read_text(encoding="utf-8")
        for number, line in enumerate(text.splitlines(), 1):
            line = line.strip()
            if line and not line.startswith(("//", "---")):
                out.append((name, number, line))
    return out


def test_bundled_counts() -> None:
    schema = default_schema()
    lines = _numbered_lines()
    # Every combinator line of the three files states its id.
    assert len(lines) == 2516
    assert all(re.match(r"[\w.]+#[0-9a-f]{1,8} ", line) for _, _, line in lines)
    from_files = [c for c in schema.combinators if c.source != "<core>"]
    assert len(from_files) == 2516
    assert {(c.source, c.line) for c in from_files} == {(f, n) for f, n, _ in lines}
    core = [c.name for c in schema.combinators if c.source == "<core>"]
    assert core == [
        "boolFalse",
        "boolTrue",
        "true",
        "gzip_packed",
        "future_salt",
        "future_salts",
    ]
    assert len(schema.constructors) == 1698
    assert len(schema.functions) == 824
    assert len(schema.constructors_by_id) == 1698
    assert len(schema.functions_by_id) == 824
    per_file = {f: sum(1 for c in from_files if c.source == f) for f in SCHEMA_FILES}
    assert per_file == {"main_api.tl": 2465, "sys_msgs.tl": 30, "auth_key.tl": 21}


def test_bundled_ids_follow_crc32_rule_except_three() -> None:
    schema = default_schema()
    broken = {
        c.name: (c.id, c.computed_id)
        for c in schema.combinators
        if c.id != c.computed_id
    }
    assert broken == LAYER_229_ID_EXCEPTIONS


def test_bundled_lines_normalize_like_their_model() -> None:
    # The CRC32 of each raw line equals computed_id, which is computed from
    # the parsed model: the model keeps every token the rule hashes.
    schema = default_schema()
    by_place = {(c.source, c.line): c for c in schema.combinators}
    for source, number, line in _numbered_lines():
        assert by_place[(source, number)].computed_id == crc32_id(line), line


def test_bundled_round_trip_through_text() -> None:
    schema = default_schema()
    for c in schema.combinators:
        again = Combinator.parse(str(c), is_function=c.is_function)
        assert again == c
        assert again.line == 1 and again.source is None
    # The whole schema written back as one text parses to the same schema.
    text = "\n".join(
        [str(c) for c in schema.combinators if not c.is_function]
        + ["---functions---"]
        + [str(c) for c in schema.combinators if c.is_function]
        + ["// LAYER 229"]
    )
    again_schema = Schema.parse(text)
    assert set(again_schema.combinators) == set(schema.combinators)
    assert dict(again_schema.types) == dict(schema.types)
    assert again_schema.layer == 229


def test_bundled_well_known_combinators() -> None:
    schema = default_schema()
    export = schema.functions["auth.exportLoginToken"]
    assert export.id == 0xB7E085FE
    assert str(export) == (
        "auth.exportLoginToken#b7e085fe api_id:int api_hash:string "
        "except_ids:Vector<long> = auth.LoginToken;"
    )
    assert schema.functions_by_id[0xDA9B0D0D].name == "invokeWithLayer"
    assert schema.constructors_by_id[0xF35C6D01].name == "rpc_result"
    assert schema.constructors["rpc_result"].params[1].type == TLType("Object")
    # A seven-digit id (#37c9330) is read as hex like any other.
    assert schema.constructors["inputMediaUploadedDocument"].id == 0x037C9330
    assert [c.name for c in schema.types["Bool"]] == ["boolFalse", "boolTrue"]
    assert [c.name for c in schema.types["auth.LoginToken"]] == [
        "auth.loginToken",
        "auth.loginTokenMigrateTo",
        "auth.loginTokenSuccess",
    ]
    assert schema.types["FutureSalts"] == (schema.constructors["future_salts"],)
    salts = schema.constructors["future_salts"].params[2].type
    assert (str(salts), salts.boxed, salts.arg.boxed) == (  # type: ignore[union-attr]
        "vector<future_salt>",
        False,
        False,
    )
    assert schema.functions["get_future_salts"].result == TLType("FutureSalts")
    flags2 = [c.name for c in schema.combinators if "flags2" in c.flag_words]
    assert len(flags2) == 6 and "user" in flags2 and "channel" in flags2


# --- Telethon 1.45 (layer 229) knows the same ids under the same names --------


def _telethon_class_name(c: Combinator) -> str:
    # telethon_generator/utils.py snake_to_camel_case, plus "Request" for
    # functions.
    name = re.sub(r"_([a-z])", lambda m: m.group(1).upper(), c.short_name)
    name = name[:1].upper() + name[1:].replace("_", "")
    return name + ("Request" if c.is_function else "")


def test_same_ids_and_names_as_telethon() -> None:
    alltlobjects = pytest.importorskip("telethon.tl.alltlobjects")
    tlrequest = pytest.importorskip("telethon.tl.tlobject").TLRequest
    assert alltlobjects.LAYER == 229
    tlobjects = alltlobjects.tlobjects
    schema = default_schema()
    ours = {c.id: c for c in schema.combinators}

    # Telethon's mtproto.tl keeps the TLS-hello blocks that our sys_msgs.tl
    # comments out (they describe fake-TLS proxy traffic, not TL messages).
    assert {tlobjects[i].__name__ for i in set(tlobjects) - set(ours)} == {
        "TlsClientHello",
        "TlsBlockString",
        "TlsBlockRandom",
        "TlsBlockZero",
        "TlsBlockDomain",
        "TlsBlockGrease",
        "TlsBlockPublicKey",
        "TlsBlockScope",
    }
    # Telethon parses Bool, true, gzip_packed and rpc_result by hand (its
    # core types), and has no msg_resend_ans_req or contest.saveDeveloperInfo.
    assert {ours[i].name for i in set(ours) - set(tlobjects)} == {
        "boolFalse",
        "boolTrue",
        "true",
        "gzip_packed",
        "rpc_result",
        "msg_resend_ans_req",
        "contest.saveDeveloperInfo",
    }

    for cid, cls in tlobjects.items():
        c = ours.get(cid)
        if c is None:
            continue
        assert cls.CONSTRUCTOR_ID == cid
        assert issubclass(cls, tlrequest) == c.is_function, c.name
        module = cls.__module__.split(".")  # telethon.tl.types.messages
        kind = module[2]
        if kind == "patched":
            # Telethon swaps in custom Message classes (types.Message...).
            assert c.name in {"message", "messageEmpty", "messageService"}
        else:
            assert kind == ("functions" if c.is_function else "types"), c.name
            assert (module[3] if len(module) > 3 else None) == c.namespace, c.name
        assert cls.__name__ == _telethon_class_name(c), c.name

    n_functions = sum(1 for cls in tlobjects.values() if issubclass(cls, tlrequest))
    assert (len(tlobjects) - n_functions, n_functions) == (1700, 823)


# --- comments and layer -------------------------------------------------------


def test_comments_are_ignored() -> None:
    schema = Schema.parse(
        "// a comment\n"
        "   // an indented comment\n"
        "a#00000001 x:int = A; // a trailing comment\n"
        "// b#00000002 = A;  // Parsed manually\n"
        "///////////////\n"
    )
    assert own(schema.constructors) == ["a"]
    assert schema.constructors["a"].line == 3
    assert schema.layer is None


def test_layer_comment() -> None:
    assert Schema.parse("a#00000001 = A;\n// LAYER 229\n").layer == 229
    assert Schema.parse("//LAYER 7").layer == 7
    # Only "// LAYER N" counts, not other comments naming a layer.
    assert Schema.parse("// the layer 5 notes\n// LAYERS 9").layer is None
    # A repeated, equal layer is fine; the layer argument overrides.
    assert Schema.parse("// LAYER 3\n// LAYER 3").layer == 3
    assert Schema.parse("// LAYER 3", layer=300).layer == 300
    assert Schema.parse("", layer=1).layer == 1


def test_layer_of_several_texts() -> None:
    assert Schema.parse("a#00000001 = A;", "// LAYER 12").layer == 12
    assert error_of("// LAYER 12", "\n// LAYER 13") == (
        "text 2 line 2: layer 13 conflicts with layer 12 (text 1 line 1)"
    )
    assert error_of("// LAYER 12\n\n// LAYER 13") == (
        "line 3: layer 13 conflicts with layer 12 (line 1)"
    )


# --- sections: ---types--- and ---functions--- --------------------------------


def test_sections() -> None:
    schema = Schema.parse(
        "a#00000001 = A;\n"
        "---functions---\n"
        "f#00000002 = A;\n"
        "---types---\n"
        "b#00000003 = A;\n"
        "---functions---\n"
        "g#00000004 x:A = Vector<A>;\n"
    )
    assert own(schema.constructors) == ["a", "b"]
    assert list(schema.functions) == ["f", "g"]
    assert schema.functions["g"].is_function
    assert not schema.constructors["a"].is_function
    assert [c.name for c in schema.types["A"]] == ["a", "b"]
    assert "Vector" not in schema.types
    # Functions share the id space with constructors but not the maps.
    assert 2 not in schema.constructors_by_id and schema.functions_by_id[2].name == "f"


def test_unknown_section() -> None:
    assert error_of("a#00000001 = A;\n---methods---") == (
        "line 2: unknown section '---methods---' "
        "(expected '---types---' or '---functions---')"
    )


# --- names, namespaces and ids ------------------------------------------------


def test_namespaces() -> None:
    schema = Schema.parse(
        "auth.loginToken#629f1980 expires:int token:bytes = auth.LoginToken;\n"
        "---functions---\n"
        "auth.exportLoginToken#b7e085fe api_id:int api_hash:string "
        "except_ids:Vector<long> = auth.LoginToken;\n"
    )
    c = schema.functions["auth.exportLoginToken"]
    assert (c.namespace, c.short_name) == ("auth", "exportLoginToken")
    assert c.result == TLType("auth.LoginToken")
    assert (c.result.namespace, c.result.boxed) == ("auth", True)
    t = schema.constructors["auth.loginToken"]
    assert (t.namespace, t.short_name) == ("auth", "loginToken")
    assert schema.types["auth.LoginToken"] == (t,)
    plain = Combinator.parse("pong#347773c5 msg_id:long ping_id:long = Pong;")
    assert (plain.namespace, plain.short_name) == (None, "pong")


def test_explicit_and_computed_ids() -> None:
    assert parse_one("a#1 = A;").id == 1
    assert parse_one("a#ABCDEF12 = A;").id == 0xABCDEF12
    assert parse_one("a#037c9330 = A;").id == parse_one("a#37c9330 = A;").id
    # Without #id: the CRC32 of the normalized line.
    msg = parse_one("message msg_id:long seqno:int bytes:int body:Object = Message;")
    assert msg.id == 0x5BB8E511 == msg.computed_id
    assert (
        str(msg)
        == "message#5bb8e511 msg_id:long seqno:int bytes:int body:Object = Message;"
    )
    auth = parse_one(
        "authorization flags:# current:flags.0?true official_app:flags.1?true "
        "password_pending:flags.2?true encrypted_requests_disabled:flags.3?true "
        "call_requests_disabled:flags.4?true unconfirmed:flags.5?true hash:long "
        "device_model:string platform:string system_version:string api_id:int "
        "app_name:string app_version:string date_created:int date_active:int "
        "ip:string country:string region:string = Authorization;"
    )
    assert auth.id == 0xAD01D61D


def test_crc32_id_matches_computed_id() -> None:
    line = "resPQ#05162463 nonce:int128 server_nonce:int128 pq:bytes server_public_key_fingerprints:Vector<long> = ResPQ;"
    assert crc32_id(line) == parse_one(line).computed_id == 0x05162463


# --- flags words, optional arguments, true flags, shared bits, flags2 -------


def test_flags_word_and_optional_arguments() -> None:
    c = parse_one(
        "inputMediaGeoLive#971fa843 flags:# stopped:flags.0?true "
        "geo_point:InputGeoPoint heading:flags.2?int period:flags.1?int "
        "proximity_notification_radius:flags.3?int = InputMedia;"
    )
    flags, stopped, geo, heading = c.params[:4]
    assert flags == Param("flags", TLType("#"))
    assert flags.is_flag_word and not flags.is_optional and flags.type.is_nat
    assert not flags.type.boxed
    assert stopped == Param("stopped", TLType("true"), Flag("flags", 0))
    assert stopped.is_true_flag and stopped.is_optional and stopped.type.is_true
    assert not geo.is_optional and geo.flag is None and not geo.is_true_flag
    assert heading.flag == Flag("flags", 2) and not heading.is_true_flag
    assert c.flag_words == ("flags",)
    assert str(heading) == "heading:flags.2?int"


def test_shared_bits() -> None:
    # auth.authorization: bit 1 is both a true flag and an int (MTPROTO.md 6.4).
    c = default_schema().constructors["auth.authorization"]
    by_name = {p.name: p for p in c.params}
    assert by_name["setup_password_required"].flag == Flag("flags", 1)
    assert by_name["setup_password_required"].is_true_flag
    assert by_name["otherwise_relogin_days"].flag == Flag("flags", 1)
    assert not by_name["otherwise_relogin_days"].is_true_flag
    assert by_name["otherwise_relogin_days"].type == TLType("int")


def test_flags2() -> None:
    c = parse_one(
        "x#00000001 flags:# a:flags.0?true flags2:# b:flags2.31?int "
        "c:flags.1?Vector<long> d:flags2.0?true = X;"
    )
    assert c.flag_words == ("flags", "flags2")
    assert [(p.name, p.flag) for p in c.params] == [
        ("flags", None),
        ("a", Flag("flags", 0)),
        ("flags2", None),
        ("b", Flag("flags2", 31)),
        ("c", Flag("flags", 1)),
        ("d", Flag("flags2", 0)),
    ]
    user = default_schema().constructors["user"]
    assert user.flag_words == ("flags", "flags2")
    assert any(p.flag is not None and p.flag.word == "flags2" for p in user.params)


def test_flag_errors() -> None:
    assert error_of("x#1 a:flags.0?int = X;") == (
        "line 1: 'a:flags.0?int' in x refers to 'flags', which is not an "
        "earlier '#' parameter"
    )
    # The word must come before its bits ...
    assert error_of("x#1 flags:# a:flags2.0?int flags2:# = X;") == (
        "line 1: 'a:flags2.0?int' in x refers to 'flags2', which is not an "
        "earlier '#' parameter"
    )
    # ... and be a '#' argument.
    assert error_of("x#1 flags:int a:flags.0?int = X;") == (
        "line 1: 'a:flags.0?int' in x refers to 'flags', which is not an "
        "earlier '#' parameter"
    )
    assert error_of("x#1 flags:# a:flags.32?int = X;") == (
        "line 1: flag bit 32 of 'a:flags.32?int' in x is out of range 0..31"
    )
    assert error_of("x#1 flags:# f:flags.0?# = X;") == (
        "line 1: malformed parameter 'f:flags.0?#' in x"
    )


# --- types: bare and boxed, Vector<T> and vector<T>, %T, int128/int256 -------


def test_builtin_types_are_bare() -> None:
    params = "a:int b:long c:double d:string e:bytes f:int128 g:int256"
    c = parse_one(f"p#00000001 {params} = P;")
    for p in c.params:
        assert p.type.is_builtin and not p.type.boxed and p.type.arg is None
    assert [f"{p.name}:{p.type}" for p in c.params] == params.split()
    nonce = default_schema().functions["req_pq_multi"].params[0]
    assert nonce == Param("nonce", TLType("int128"))
    new_nonce = default_schema().constructors["p_q_inner_data"].params[5]
    assert new_nonce == Param("new_nonce", TLType("int256"))


def test_boxed_vector() -> None:
    t = parse_one("x#00000001 ids:Vector<long> = X;").params[0].type
    assert t == TLType("Vector", TLType("long"))
    assert t.is_vector and t.boxed and not t.arg.boxed  # type: ignore[union-attr]
    nested = parse_one("x#00000001 v:Vector<Vector<User>> = X;").params[0].type
    assert str(nested) == "Vector<Vector<User>>"
    assert nested.arg.arg == TLType("User")  # type: ignore[union-attr]
    assert nested.arg.arg.boxed  # type: ignore[union-attr]


def test_bare_vector() -> None:
    schema = Schema.parse(
        "ipPort#d433ad73 ipv4:int port:int = IpPort;\n"
        "accessPointRule#4679b65f phone_prefix_rules:string dc_id:int "
        "ips:vector<IpPort> = AccessPointRule;\n"
    )
    t = schema.constructors["accessPointRule"].params[2].type
    assert t == TLType("vector", TLType("IpPort"))
    assert t.is_vector and not t.boxed and t.arg.boxed  # type: ignore[union-attr]
    # A bare vector of bare constructors.
    t = default_schema().constructors["future_salts"].params[2].type
    assert t == TLType("vector", TLType("future_salt"))


def test_percent_type_is_bare() -> None:
    schema = Schema.parse(
        "msg#00000001 x:int = Msg;\nbox#00000002 messages:vector<%Msg> m:%Msg = Box;\n"
    )
    vec, one = schema.constructors["box"].params
    assert one.type == TLType("Msg", percent=True)
    assert not one.type.boxed and str(one.type) == "%Msg"
    assert vec.type.arg == one.type
    # tdesktop's mtproto.tl writes msg_container that way (and so its line
    # does not match its #73f1f8dc by the CRC32 rule).
    assert (
        parse_one("msg_container messages:vector<%Message> = MessageContainer;").id
        == 0x29C1636D
    )


def test_type_errors() -> None:
    assert error_of("x#1 v:Vector = X;") == "line 1: malformed type 'Vector' in x"
    assert error_of("x#1 v:Vector<> = X;") == "line 1: malformed type 'Vector<>' in x"
    assert error_of("x#1 v:List<int> = X;") == "line 1: malformed type 'List<int>' in x"
    assert error_of("x#1 v:Vector<#> = X;") == "line 1: malformed type 'Vector<#>' in x"
    assert error_of("x#1 v:%int = X;") == "line 1: malformed type '%int' in x"
    assert error_of("x#1 v:in-t = X;") == "line 1: malformed type 'in-t' in x"
    assert error_of("x#1 v = X;") == "line 1: malformed parameter 'v' in x"


# --- generics: {X:Type} and !X -------------------------------------------------


def test_generics() -> None:
    schema = default_schema()
    layer = schema.functions["invokeWithLayer"]
    assert layer.generics == ("X",)
    assert layer.params == (
        Param("layer", TLType("int")),
        Param("query", TLType("X", generic=True, query=True)),
    )
    query = layer.params[1].type
    assert query.boxed and str(query) == "!X"
    assert layer.result == TLType("X", generic=True)
    assert str(layer) == "invokeWithLayer#da9b0d0d {X:Type} layer:int query:!X = X;"
    init = schema.functions["initConnection"]
    assert init.id == 0xC1CD5EA9 and init.generics == ("X",)
    assert [p.name for p in init.params][-1] == "query"
    assert init.params[-1].type.query
    assert [c.name for c in schema.combinators if c.generics] == [
        "invokeAfterMsg",
        "invokeAfterMsgs",
        "initConnection",
        "invokeWithLayer",
        "invokeWithoutUpdates",
        "invokeWithMessagesRange",
        "invokeWithTakeout",
        "invokeWithBusinessConnection",
        "invokeWithGooglePlayIntegrity",
        "invokeWithApnsSecret",
        "invokeWithReCaptcha",
    ]


def test_generic_vector_and_errors() -> None:
    c = parse_one("f {X:Type} q:!X = Vector<X>;", is_function=True)
    assert c.result == TLType("Vector", TLType("X", generic=True))
    # A query is a whole boxed call: it does not go into vectors.
    assert error_of("---functions---\nf#1 {X:Type} qs:Vector<!X> = X;") == (
        "line 2: malformed type 'Vector<!X>' in f"
    )
    assert error_of("---functions---\nf#1 q:!X = X;") == (
        "line 2: '!X' in f names no generic parameter {X:Type}"
    )
    assert error_of("---functions---\nf#1 {n:#} = X;") == (
        "line 2: unsupported generic parameter '{n:#}' in f (only {X:Type})"
    )
    assert error_of("---functions---\nf#1 {X} = X;") == (
        "line 2: malformed parameter '{X}' in f"
    )
    # A constructor builds a type, not a generic.
    assert error_of("c#1 {X:Type} q:!X = X;") == (
        "line 1: constructor c must build a boxed type name, not 'X'"
    )


# --- builtin lines: int ? = Int; int128 4*[ int ]; the vector line ------------


def test_builtin_lines_are_accepted() -> None:
    schema = Schema.parse(
        "int ? = Int;\n"
        "long ? = Long;\n"
        "double ? = Double;\n"
        "string ? = String;\n"
        "int32 ? = Int32;\n"
        "vector#1cb5c415 {t:Type} # [ t ] = Vector t;\n"
        "vector {t:Type} # [ t ] = Vector t;\n"
        "int128 4*[ int ] = Int128;\n"
        "int256 8*[ int ] = Int256;\n"
        "boolFalse#bc799737 = Bool;\n"
        "boolTrue#997275b5 = Bool;\n"
        "true#3fedd339 = True;\n"
        "error#c4b9f9bb code:int text:string = Error;\n"
        "null#56730bcc = Null;\n"
        "x#00000001 a:int32 b:Vector<int> c:Bool = X;\n"
    )
    assert "int32" in schema.builtins and "int" in schema.builtins
    assert (
        "vector" not in schema.constructors
        and VECTOR_ID not in schema.constructors_by_id
    )
    assert [c.name for c in schema.types["Bool"]] == ["boolFalse", "boolTrue"]
    assert schema.types["Null"][0].id == 0x56730BCC


def test_builtin_line_errors() -> None:
    assert error_of("vector#1cb5c416 {t:Type} # [ t ] = Vector t;") == (
        "line 1: vector must have id #1cb5c415, not #1cb5c416"
    )
    assert error_of("vector {t:Type} # [ u ] = Vector t;") == (
        "line 1: malformed line 'vector {t:Type} # [ u ] = Vector t;'"
    )
    assert (
        error_of("int ? x:int = Int;") == "line 1: malformed line 'int ? x:int = Int;'"
    )
    with pytest.raises(TLSchemaError) as info:
        Combinator.parse("int ? = Int;")
    assert (
        str(info.value)
        == "line 1: 'int ? = Int;' is a builtin declaration, not a combinator"
    )


# --- core combinators --------------------------------------------------------


def test_core_combinators_are_always_there() -> None:
    schema = Schema.parse(
        "x#00000001 ok:Bool f:flags.0?true = X;".replace("f:", "flags:# f:")
    )
    assert set(schema.constructors) == {
        "boolFalse",
        "boolTrue",
        "true",
        "gzip_packed",
        "future_salt",
        "future_salts",
        "x",
    }
    assert schema.constructors["gzip_packed"].params == (
        Param("packed_data", TLType("bytes")),
    )
    # Every core line follows the CRC32 rule.
    for c in Schema.parse("").combinators:
        assert c.id == c.computed_id, c.name
    assert "msg_container" not in CORE_TL.replace("// ", "")


def test_text_replaces_core_combinator() -> None:
    # A text's own definition wins over the core one with the same name or id.
    schema = Schema.parse(
        "gzip_packed#3072cfa1 packed_data:string = Object;\n"
        "future_salt#11111111 salt:long = FutureSalt;\n"
    )
    assert schema.constructors["gzip_packed"].params[0].type == TLType("string")
    assert schema.constructors["gzip_packed"].line == 1
    assert schema.constructors["future_salt"].id == 0x11111111
    assert 0x0949D9DC not in schema.constructors_by_id


# --- merging several texts and files -----------------------------------------


def test_merge_texts() -> None:
    texts = [(DATA_DIR / name).read_text(encoding="utf-8") for name in SCHEMA_FILES]
    merged = Schema.parse(*texts)
    assert merged.combinators == default_schema().combinators
    assert merged.layer == 229
    # Identical repetitions (the same file twice) are ignored.
    twice = Schema.parse(*texts, texts[1])
    assert twice.combinators == merged.combinators


def test_each_bundled_file_stands_alone() -> None:
    # Each file uses only its own types and the core ones ...
    for name in SCHEMA_FILES:
        Schema.from_file(DATA_DIR / name)
    # ... and a text that uses another text's types needs it.
    assert error_of("x#1 p:IpPort = X;") == "line 1: unknown type 'IpPort' in x"
    sys_msgs = (DATA_DIR / "sys_msgs.tl").read_text(encoding="utf-8")
    assert "x" in Schema.parse(sys_msgs, "x#1 p:IpPort = X;").constructors


def test_from_file(tmp_path: Path) -> None:
    schema = Schema.from_file(*(DATA_DIR / name for name in SCHEMA_FILES))
    assert schema.combinators == default_schema().combinators
    assert schema.constructors["resPQ"].source == "auth_key.tl"
    one = Schema.from_file(str(DATA_DIR / "auth_key.tl"))
    assert one.layer is None and "req_DH_params" in one.functions
    assert Schema.from_file(DATA_DIR / "main_api.tl", layer=1).layer == 1
    bad = tmp_path / "bad.tl"
    bad.write_text("a#1 = A;\n\nb#2 x:Foo = A;\n", encoding="utf-8")
    with pytest.raises(TLSchemaError) as info:
        Schema.from_file(bad)
    assert str(info.value) == "bad.tl line 3: unknown type 'Foo' in b"


# --- errors: malformed lines, duplicates, unknown types ----------------------


def test_error_type() -> None:
    with pytest.raises(TLSchemaError) as info:
        Schema.parse("nonsense")
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, MtcoreError)
    assert TLSchemaError.__module__ == "mtcore.exceptions"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a#1 = A", "line 1: missing ';' at the end of 'a#1 = A'"),
        ("\n\na#1 x:int;", "line 3: missing '= Type' in 'a#1 x:int;'"),
        ("a#1 = A = B;", "line 1: malformed line 'a#1 = A = B;'"),
        ("= A;", "line 1: malformed line '= A;'"),
        ("a#1 = ;", "line 1: malformed line 'a#1 = ;'"),
        (
            "a#xyz = A;",
            (
                "line 1: malformed name 'a#xyz' (expected name or name#id, the id "
                "in at most 8 hex digits)"
            ),
        ),
        (
            "a#123456789 = A;",
            (
                "line 1: malformed name 'a#123456789' (expected name or name#id, "
                "the id in at most 8 hex digits)"
            ),
        ),
        (
            "1a#1 = A;",
            (
                "line 1: malformed name '1a#1' (expected name or name#id, the id "
                "in at most 8 hex digits)"
            ),
        ),
        ("a#1 x:int x:long = A;", "line 1: duplicate parameter 'x' in a"),
        ("a#1 x: = A;", "line 1: malformed parameter 'x:' in a"),
        (
            "a#1 = Vector<int>;",
            "line 1: constructor a must build a boxed type name, not 'Vector<int>'",
        ),
        ("a#1 = aa;", "line 1: constructor a must build a boxed type name, not 'aa'"),
        ("a#1 = %A;", "line 1: constructor a must build a boxed type name, not '%A'"),
    ],
)
def test_malformed_lines(text: str, message: str) -> None:
    assert error_of(text) == message


def test_duplicate_ids() -> None:
    assert error_of("a#1 = A;\nb#1 = B;") == (
        "line 2: id #00000001 of b is already used by a (line 1)"
    )
    # The same name and id with a different definition.
    assert error_of("a#1 = A;\na#1 x:int = A;") == (
        "line 2: id #00000001 of a is already used by a different a (line 1)"
    )
    # Constructors and functions share the id space.
    assert error_of("a#1 = A;\n---functions---\nf#1 = A;") == (
        "line 3: id #00000001 of f is already used by a (line 1)"
    )
    # Across texts, with the text named.
    assert error_of("a#1 = A;", "b#1 = A;") == (
        "text 2 line 1: id #00000001 of b is already used by a (text 1 line 1)"
    )
    # The same definition twice is no error (comments and spacing aside).
    schema = Schema.parse("a#1 x:int = A;\n  a#00000001  x:int = A;  // again")
    assert schema.constructors["a"].line == 1


def test_duplicate_names() -> None:
    assert error_of("a#1 = A;\n\na#2 = A;") == (
        "line 3: a#00000002 is already defined as a#00000001 (line 1)"
    )
    assert error_of("a#1 = A;\n---functions---\na#2 = A;") == (
        "line 3: a#00000002 is already defined as a#00000001 (line 1)"
    )


def test_unknown_types() -> None:
    text = "\n".join(f"c{i}#{i:x} = C;" for i in range(1, 1234))
    assert (
        error_of(
            text + "\n---functions---\n"
            "messages.send#1ffff flags:# peer:C x:flags.0?Foo = C;"
        )
        == "line 1235: unknown type 'Foo' in messages.send"
    )
    assert error_of("a#1 x:Vector<Foo> = A;") == "line 1: unknown type 'Foo' in a"
    assert error_of("a#1 x:vector<foo> = A;") == "line 1: unknown type 'foo' in a"
    assert error_of("a#1 x:%Foo = A;") == "line 1: unknown type 'Foo' in a"
    # A function's result must be known too.
    assert error_of("---functions---\nf#1 = Foo;") == "line 2: unknown type 'Foo' in f"
    # Builtins, Object, generics and bare constructor names are known.
    Schema.parse(
        "a#1 o:Object b:a2 = A;\n"
        "a2#2 = A;\n"
        "---functions---\n"
        "f#3 {X:Type} q:!X = X;\n"
        "g#4 = Vector<long>;\n"
    )


def test_schema_built_in_code() -> None:
    a = Combinator("a", 1, (Param("x", TLType("B")),), TLType("A"))
    with pytest.raises(TLSchemaError) as info:
        Schema([a])
    assert str(info.value) == "unknown type 'B' in a"
    b = Combinator("b", 2, (), TLType("B"))
    schema = Schema([a, b], layer=5)
    assert schema.layer == 5 and schema.types["B"] == (b,)
    assert Schema(
        [Combinator("c", 1, (Param("x", TLType("int32")),), TLType("C"))],
        builtins=["int32"],
    ).builtins >= {"int32", "int"}


def test_bad_arguments() -> None:
    with pytest.raises(TypeError, match="^text must be a str, not 'bytes'$"):
        Schema.parse(b"a#1 = A;")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="^layer must be an int, not 'str'$"):
        Schema.parse("", layer="229")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^layer must be in 0\.\.2147483647, got -1$"):
        Schema.parse("", layer=-1)


# --- the data model is immutable ----------------------------------------------


def test_immutable() -> None:
    schema = default_schema()
    c = schema.functions["auth.exportLoginToken"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.id = 1  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.params[0].name = "x"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.result.name = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        schema.constructors["x"] = c  # type: ignore[index]
    with pytest.raises(TypeError):
        schema.types["Bool"] = ()  # type: ignore[index]
    with pytest.raises(AttributeError):
        schema.layer = 1  # type: ignore[misc]
    assert isinstance(c.params, tuple) and isinstance(schema.combinators, tuple)
    # Hashable and comparable by definition, not by place.
    assert hash(c) == hash(Combinator.parse(str(c), is_function=True))


def test_reprs() -> None:
    c = default_schema().constructors["auth.loginToken"]
    assert repr(c) == (
        "<Combinator constructor 'auth.loginToken#629f1980 expires:int token:bytes "
        "= auth.LoginToken;'>"
    )
    assert repr(c.params[1]) == "Param('token:bytes')"
    assert repr(TLType("Vector", TLType("long"))) == "TLType('Vector<long>')"
    assert repr(Flag("flags2", 3)) == "Flag('flags2', 3)"


def test_public_names() -> None:
    for name in (
        "Schema",
        "Combinator",
        "Param",
        "Flag",
        "TLType",
        "crc32_id",
        "default_schema",
    ):
        assert hasattr(mtcore.tl, name)


@pytest.mark.parametrize(
    "text, message",
    [
        ("// LAYER 2147483648\n", "line 1: layer 2147483648 is out of range 0..2147483647"),
        ("// LAYER " + "9" * 5000 + "\n", "line 1: layer 999999999999... (5000 digits) is out of range"),
        (
            "f flags:# a:flags." + "9" * 5000 + "?int = F;\n",
            "line 1: flag bit 999999999999... (5000 digits) of ",
        ),
    ],
)
def test_numbers_too_large_are_schema_errors(text: str, message: str) -> None:
    # Found by the fuzzer: these raised ArgumentValueError and ValueError.
    with pytest.raises(TLSchemaError) as info:
        Schema.parse(text)
    assert str(info.value).startswith(message)
