"""
The text of every input error, used by the compiled and the pure backend
alike so that both raise the same type with the same message.
"""

from __future__ import annotations

from typing import Callable

from mtcore.exceptions import (
    AnswerHashMismatch,
    ArgumentTypeError,
    ArgumentValueError,
    AuthKeyIdMismatch,
    BadMessageError,
    ClientError,
    ConnectionFailed,
    DHGeneratorError,
    DHPrimeError,
    DHRangeError,
    FactorizationError,
    FieldMismatch,
    FingerprintMismatch,
    FrameChecksumError,
    FrameLengthError,
    FrameSeqNoError,
    HandshakeFailed,
    HandshakeStateError,
    InvalidLength,
    LoginFlowError,
    LoginURLError,
    MessageIdError,
    MessageKeyMismatch,
    MessageLengthError,
    MissingExtra,
    NonceHashMismatch,
    NonceMismatch,
    PasswordHashInvalid,
    PendingLimitError,
    ProxySecretError,
    ResendLimitError,
    RSAPadError,
    SessionIdMismatch,
    SRPIdInvalid,
    TLDecodeError,
    TLLimitError,
    TLSchemaError,
    TransportTagError,
    UnsupportedPasswordAlgorithm,
)


def _type_name(obj: object) -> str:
    return type(obj).__name__


def _tl_name(obj: object) -> str:
    # A TL object (of any library) by its TL name, anything else by its type.
    return str(getattr(obj, "tl_name", None) or type(obj).__name__)


def _must_be(
    kind: str, name_of: Callable[[object], str] = _type_name
) -> Callable[[str, object], ArgumentTypeError]:
    # The error of an argument of the wrong type: error(name, obj) says
    # "name must be kind, not '<what obj is>'".
    def error(name: str, obj: object) -> ArgumentTypeError:
        return ArgumentTypeError(f"{name} must be {kind}, not {name_of(obj)!r}")

    return error


not_buffer = _must_be("a bytes-like object")


def not_contiguous(name: str) -> ArgumentValueError:
    return ArgumentValueError(f"{name} must be a C-contiguous buffer")


def read_only(name: str, obj: object) -> ArgumentValueError:
    return ArgumentValueError(
        f"{name} must be a writable buffer, got a read-only "
        f"{type(obj).__name__!r}"
    )


def bad_length(name: str, expected: int, got: int) -> InvalidLength:
    return InvalidLength(f"{name} must be {expected} bytes, got {got}")


def not_whole_blocks(name: str, got: int) -> InvalidLength:
    return InvalidLength(f"{name} length must be a multiple of 16, got {got}")


def out_mismatch(expected: int, got: int) -> InvalidLength:
    return InvalidLength(
        f"out must be {expected} bytes (the length of data), got {got}"
    )


bad_item = _must_be("a (data, key, iv) or (data, key, iv, out) tuple")
not_sequence = _must_be("a list or tuple")


def out_too_small(expected: int, got: int) -> InvalidLength:
    return InvalidLength(f"out must be at least {expected} bytes, got {got}")


def not_initialised(cls: str) -> ArgumentValueError:
    return ArgumentValueError(f"{cls} was not initialised")


def already_initialised(cls: str) -> ArgumentValueError:
    return ArgumentValueError(f"{cls} is already initialised")


def no_kernel(
    name: object, available: tuple[str, ...], kind: str = "AES"
) -> ArgumentValueError:
    return ArgumentValueError(
        f"{kind} kernel {name!r} is not available here; available: "
        + ", ".join(available)
    )


def not_one_of(name: str, choices: tuple[str, ...], got: object) -> ArgumentValueError:
    return ArgumentValueError(f"{name} must be one of {', '.join(choices)}; got {got!r}")


not_int = _must_be("an int")


def _int_text(v: int) -> str:
    # str() of an int beyond CPython's int_max_str_digits (4300) raises.
    bits = v.bit_length()
    return str(v) if bits <= 4096 else f"a {bits}-bit int"


def out_of_range(name: str, lo: int, hi: int, got: int) -> ArgumentValueError:
    return ArgumentValueError(f"{name} must be in {lo}..{hi}, got {_int_text(got)}")


def bad_padding(padding: int, plaintext: int) -> InvalidLength:
    return InvalidLength(
        f"padding must be 12..1024 bytes and make the total a multiple of 16; "
        f"got {padding} for {plaintext} bytes of plaintext"
    )


def body_not_aligned(got: int) -> InvalidLength:
    return InvalidLength(f"body length must be a multiple of 4, got {got}")


def key_id_mismatch() -> AuthKeyIdMismatch:
    return AuthKeyIdMismatch("the packet's auth_key_id is not this key's")


def packet_length(got: int) -> MessageLengthError:
    return MessageLengthError(
        f"packet must be 24 + a multiple of 16 bytes and at least 72, got {got}"
    )


def msg_key_mismatch() -> MessageKeyMismatch:
    return MessageKeyMismatch(
        "msg_key does not match the decrypted message (the usual causes: "
        "another auth key, or the wrong from_client direction)"
    )


def data_length(length: int, decrypted: int) -> MessageLengthError:
    return MessageLengthError(
        f"message_data_length {length} does not fit {decrypted} decrypted "
        "bytes with 12..1024 bytes of padding"
    )


def session_mismatch() -> SessionIdMismatch:
    return SessionIdMismatch("session_id is not this session's")


def msg_id_parity(msg_id: int, from_client: bool) -> MessageIdError:
    rule = "divisible by 4" if from_client else "odd"
    sender = "client" if from_client else "server"
    return MessageIdError(
        f"msg_id {msg_id} from the {sender} must be {rule}"
    )


def pack_msg_id(msg_id: int, from_client: bool) -> ArgumentValueError:
    rule = "divisible by 4" if from_client else "odd"
    sender = "client" if from_client else "server"
    return ArgumentValueError(
        f"msg_id of a message from the {sender} must be {rule}, got {msg_id}"
    )


not_long_id = _must_be("an int or 8 bytes (the wire form)")


# --- TL primitives (mtcore/_tlbuf.pyx, mtcore/_py/tlbuf.py) ----------------


not_float = _must_be("a float or an int")


def float_overflow(name: str, got: int) -> ArgumentValueError:
    return ArgumentValueError(
        f"{name} must fit a float, got an int of {got.bit_length()} bits"
    )


not_bool = _must_be("a bool")
not_str = _must_be("a str")


def not_utf8(name: str, index: int) -> ArgumentValueError:
    return ArgumentValueError(
        f"{name} cannot be encoded as UTF-8: lone surrogate at index {index}"
    )


def tl_bytes_too_long(name: str, got: int) -> InvalidLength:
    return InvalidLength(
        f"{name} must be shorter than 16777216 bytes (2**24) in TL, got {got}"
    )


def negative(name: str, got: int) -> ArgumentValueError:
    return ArgumentValueError(f"{name} must be >= 0, got {_int_text(got)}")


def tl_short(what: str, need: int, left: int, offset: int) -> TLDecodeError:
    return TLDecodeError(
        f"{what} needs {_int_text(need)} bytes, {left} left at offset {offset}"
    )


def tl_bad_bool(cid: int, offset: int) -> TLDecodeError:
    return TLDecodeError(
        f"read_bool: constructor 0x{cid:08x} at offset {offset} is neither "
        "boolTrue (0x997275b5) nor boolFalse (0xbc799737)"
    )


def tl_bad_vector(what: str, cid: int, offset: int) -> TLDecodeError:
    return TLDecodeError(
        f"{what}: constructor 0x{cid:08x} at offset {offset} is not vector (0x1cb5c415)"
    )


def tl_negative_count(what: str, count: int, offset: int) -> TLDecodeError:
    return TLDecodeError(f"{what}: count {count} at offset {offset} is negative")


def tl_count_too_large(
    what: str, count: int, min_size: int, left: int, offset: int
) -> TLDecodeError:
    return TLDecodeError(
        f"{what}: count {count} at offset {offset} needs at least "
        f"{count * min_size} bytes, {left} left after it"
    )


def tl_bad_length_byte(what: str, offset: int) -> TLDecodeError:
    return TLDecodeError(f"{what}: length byte 0xff at offset {offset} is not valid TL")


# --- TL schema parser (mtcore/tl/schema.py) ----------------------------------
# ``where`` is "main_api.tl line 12", "line 12", or "" for a combinator built
# in code rather than read from a text.


def _schema(where: str, message: str) -> TLSchemaError:
    return TLSchemaError(f"{where}: {message}" if where else message)


def schema_unknown_section(where: str, line: str) -> TLSchemaError:
    return _schema(
        where,
        f"unknown section {line!r} (expected '---types---' or '---functions---')",
    )


def schema_layer_conflict(
    where: str, layer: int, other: int, other_where: str
) -> TLSchemaError:
    return _schema(where, f"layer {layer} conflicts with layer {other} ({other_where})")


def schema_missing_semicolon(where: str, line: str) -> TLSchemaError:
    return _schema(where, f"missing ';' at the end of {line!r}")


def schema_missing_result(where: str, line: str) -> TLSchemaError:
    return _schema(where, f"missing '= Type' in {line!r}")


def schema_malformed_line(where: str, line: str) -> TLSchemaError:
    return _schema(where, f"malformed line {line!r}")


def schema_malformed_name(where: str, token: str) -> TLSchemaError:
    return _schema(
        where,
        f"malformed name {token!r} (expected name or name#id, the id in at "
        f"most 8 hex digits)",
    )


def schema_malformed_param(where: str, token: str, comb: str) -> TLSchemaError:
    return _schema(where, f"malformed parameter {token!r} in {comb}")


def schema_malformed_type(where: str, text: str, comb: str) -> TLSchemaError:
    return _schema(where, f"malformed type {text!r} in {comb}")


def schema_unsupported_generic(where: str, token: str, comb: str) -> TLSchemaError:
    return _schema(
        where, f"unsupported generic parameter {token!r} in {comb} (only {{X:Type}})"
    )


def schema_not_generic(where: str, text: str, comb: str) -> TLSchemaError:
    return _schema(where, f"{text!r} in {comb} names no generic parameter {{X:Type}}")


def schema_duplicate_param(where: str, name: str, comb: str) -> TLSchemaError:
    return _schema(where, f"duplicate parameter {name!r} in {comb}")


def schema_unknown_flag_word(
    where: str, param: str, comb: str, word: str
) -> TLSchemaError:
    return _schema(
        where,
        f"{param!r} in {comb} refers to {word!r}, which is not an earlier '#' "
        f"parameter",
    )


def schema_flag_bit_range(where: str, bit: str, token: str, comb: str) -> TLSchemaError:
    return _schema(
        where,
        f"flag bit {_digits(bit)} of {_short(token)!r} in {comb} is out of range 0..31",
    )


def schema_layer_range(where: str, digits: str) -> TLSchemaError:
    return _schema(where, f"layer {_digits(digits)} is out of range 0..2147483647")


def _digits(text: str) -> str:
    # A number as written, shortened when very long.
    return text if len(text) <= 20 else f"{text[:12]}... ({len(text)} digits)"


def _short(text: str) -> str:
    return text if len(text) <= 80 else text[:77] + "..."


def schema_bad_result(where: str, comb: str, text: str) -> TLSchemaError:
    return _schema(
        where, f"constructor {comb} must build a boxed type name, not {text!r}"
    )


def schema_bad_vector_id(where: str, cid: int) -> TLSchemaError:
    return _schema(where, f"vector must have id #1cb5c415, not #{cid:08x}")


def schema_not_combinator(where: str, line: str) -> TLSchemaError:
    return _schema(where, f"{line!r} is a builtin declaration, not a combinator")


def schema_duplicate_id(
    where: str, cid: int, name: str, other: str, other_where: str
) -> TLSchemaError:
    if name == other:
        other = f"a different {other}"
    return _schema(
        where, f"id #{cid:08x} of {name} is already used by {other} ({other_where})"
    )


def schema_duplicate_name(
    where: str, name: str, cid: int, other_id: int, other_where: str
) -> TLSchemaError:
    return _schema(
        where,
        f"{name}#{cid:08x} is already defined as {name}#{other_id:08x} "
        f"({other_where})",
    )


def schema_unknown_type(where: str, type_name: str, comb: str) -> TLSchemaError:
    return _schema(where, f"unknown type {type_name!r} in {comb}")


# --- TL codec (mtcore/tl/codec.py) -------------------------------------------
# Decoding errors name the offset from the start of the input being read (a
# gzip_packed payload and a container message body are inputs of their own).


def tl_unknown_constructor(cid: int, offset: int) -> TLDecodeError:
    return TLDecodeError(f"unknown constructor 0x{cid:08x} at offset {offset}")


def tl_wrong_type(cid: int, name: str, expected: str, offset: int) -> TLDecodeError:
    return TLDecodeError(
        f"constructor 0x{cid:08x} ({name}) at offset {offset} is not of type "
        f"{expected}"
    )


def tl_too_deep(limit: int, offset: int) -> TLLimitError:
    return TLLimitError(
        f"objects nested deeper than {limit} levels at offset {offset}"
    )


def tl_gzip_bad(offset: int, reason: str) -> TLDecodeError:
    return TLDecodeError(f"gzip_packed at offset {offset}: {reason}")


def tl_gzip_trailing(offset: int, extra: bytes) -> TLDecodeError:
    # extra: what zlib left after the end of the first gzip member
    if extra[:2] == b"\x1f\x8b":
        return tl_gzip_bad(offset, "a second gzip member follows the first")
    return tl_gzip_bad(offset, f"{len(extra)} bytes follow the end of the gzip stream")


def tl_unpacked_budget(offset: int, limit: int, left: int) -> TLLimitError:
    return TLLimitError(
        f"gzip_packed at offset {offset} unpacks to more than the {left} bytes "
        f"left of max_unpacked={limit} ({limit - left} unpacked before it in "
        f"this decode)"
    )


def tl_object_budget(limit: int, left: int, need: int, offset: int) -> TLLimitError:
    # left: what was left of the budget before the need more at offset
    return TLLimitError(
        f"the decode passes max_objects={limit} at offset {offset}: "
        f"{limit - left} objects and vector elements made so far, {need} more "
        f"needed"
    )


def tl_gzip_nested(offset: int) -> TLLimitError:
    return TLLimitError(f"gzip_packed at offset {offset} is nested too deeply")


def tl_message_length(length: int, offset: int, left: int) -> TLDecodeError:
    return TLDecodeError(
        f"message at offset {offset}: body length {length} is negative, not a "
        f"multiple of 4 or more than the {left} bytes left"
    )


def tl_trailing(what: str, used: int, total: int) -> TLDecodeError:
    return TLDecodeError(
        f"{what} ends at offset {used} but the input is {total} bytes"
    )


def tl_missing_field(comb: str, field: str) -> ArgumentTypeError:
    return ArgumentTypeError(f"{comb}() missing required field {field!r}")


def tl_unknown_field(comb: str, field: str) -> ArgumentTypeError:
    return ArgumentTypeError(f"{comb}() got an unexpected field {field!r}")


def tl_field_type(comb: str, field: str, expected: str, obj: object) -> ArgumentTypeError:
    return _must_be(expected, _tl_name)(f"{comb}.{field}", obj)


def tl_field_value(comb: str, field: str, message: str) -> ArgumentValueError:
    return ArgumentValueError(f"{comb}.{field}: {message}")


def tl_field_error(comb: str, field: str, exc: Exception) -> Exception:
    # A Writer error (or a nested object's) with the field path in front.
    return type(exc)(f"{comb}.{field}: {exc}")


def tl_shared_flag(comb: str, field: str, flag: str) -> ArgumentValueError:
    return ArgumentValueError(
        f"{comb}.{field} must be set: another field set {flag}, which it shares"
    )


tl_not_object = _must_be("a TL object")


def tl_unknown_name(kind: str, name: str, near: str | None = None) -> AttributeError:
    hint = f"; did you mean {near!r}?" if near else ""
    return AttributeError(f"the schema has no {kind} {name!r}{hint}")


def tl_positional(comb: str, fields: tuple[str, ...], got: int) -> ArgumentTypeError:
    shown = ", ".join(f"{f}=..." for f in fields[:4]) + (", ..." if len(fields) > 4 else "")
    return ArgumentTypeError(
        f"{comb}() takes its fields as keyword arguments ({shown or 'none'}), "
        f"got {got} positional"
    )


# --- QR login (mtcore/login.py, mtcore/qr.py) --------------------------------
# Token values are never echoed: a login token is a credential while it lives.


def empty(name: str) -> InvalidLength:
    return InvalidLength(f"{name} must not be empty, got 0 bytes")


not_int_iterable = _must_be("an iterable of ints")


def api_hash_length(got: int) -> InvalidLength:
    return InvalidLength(f"api_hash must be 32 hex characters, got {got}")


def api_hash_char(char: str, index: int) -> ArgumentValueError:
    return ArgumentValueError(
        f"api_hash must be 32 hex characters; {char!r} at index {index} is not "
        "a hex digit"
    )


not_login_token = _must_be(
    "an auth.LoginToken (TL bytes, a decoded object, or another library's TL object)",
    _tl_name,
)


not_time = _must_be("a unix time (int or float) or an aware datetime")
not_number = _must_be("an int or a float")


def not_finite(name: str, value: float) -> ArgumentValueError:
    return ArgumentValueError(f"{name} must be a finite number, got {value!r}"[:120])


def naive_datetime(name: str) -> ArgumentValueError:
    return ArgumentValueError(
        f"{name} must be an aware datetime (with tzinfo), got a naive one"
    )


not_callable = _must_be("callable")


def login_url(message: str) -> LoginURLError:
    return LoginURLError(f"not a tg://login?token=... URL: {message}")


def login_url_alphabet(char: str, index: int) -> LoginURLError:
    # The character is described, not quoted (it may be part of a token).
    if char in "+/":
        what = "'+' or '/' (standard base64, not base64url)"
    elif char == "=":
        what = "'=' before its end (padding goes last)"
    elif char.isspace():
        what = "white space"
    elif not char.isascii():
        what = "a non-ASCII character"
    else:
        what = "a character outside base64url"
    return login_url(
        f"the token has {what} at index {index} "
        "(base64url is A-Z, a-z, 0-9, '-', '_', then '=' padding)"
    )


def login_url_length(length: int) -> LoginURLError:
    return login_url(
        f"a token of {length} base64url characters cannot be decoded (length % 4 == 1)"
    )


def login_url_padding(length: int, pad: int) -> LoginURLError:
    return login_url(
        f"{pad} '=' after {length} base64url characters: padding must fill "
        "the last group of 4 exactly, or be left out"
    )


def login_url_bits() -> LoginURLError:
    return login_url(
        "the last token character has non-zero unused bits (not the canonical "
        "base64url of any token)"
    )


def flow_state(what: str, state: str) -> LoginFlowError:
    return LoginFlowError(f"QRLoginFlow: {what} in state {state}")


def flow_unexpected(got: object, pending: str) -> LoginFlowError:
    name = _tl_name(got)
    return LoginFlowError(
        f"QRLoginFlow: expected an auth.LoginToken or an rpc_error in answer to "
        f"{pending}, got {name!r}"
    )


def flow_empty_token(name: str) -> LoginFlowError:
    return LoginFlowError(f"QRLoginFlow: the server sent {name} with an empty token")


not_update = _must_be("an Update or Updates TL object (or its bytes)", _tl_name)
flow_not_tl = _must_be("a TL object or its TL bytes")


def missing_extra(feature: str, package: str, extra: str) -> MissingExtra:
    return MissingExtra(
        f"{feature} needs the optional package {package!r} (mtcore's "
        f"{extra!r} extra), which is not installed: pip install {package}",
        name=package,
    )


def at_least(name: str, lo: int, got: object) -> ArgumentValueError:
    return ArgumentValueError(f"{name} must be >= {lo}, got {got!r}")


def not_positive(name: str, got: object) -> ArgumentValueError:
    return ArgumentValueError(f"{name} must be > 0, got {got!r}")


def empty_str(name: str) -> ArgumentValueError:
    return ArgumentValueError(f"{name} must not be empty")


def text_file(name: str, kind: str) -> ArgumentTypeError:
    return ArgumentTypeError(f"{name} must be opened in binary mode to take {kind}")


not_file = _must_be("a path or a file object with write()")


# --- pq factorization (mtcore.auth) ------------------------------------------

# Why a pq is refused, by the code of mtc_factorize_pq (src_c/mtc.h), which
# the pure twin returns too.
PQ_REASONS = (
    "",
    "is less than 2",
    "is even",
    "is prime",
    "is a perfect square",
    "has more than two prime factors",
    "was not split within the work bound",
)


def pq_refused(pq: int, code: int) -> FactorizationError:
    return FactorizationError(
        f"pq must be a product of two distinct odd primes; {pq} {PQ_REASONS[code]}"
    )


def modulus_not_positive(got: int) -> ArgumentValueError:
    return ArgumentValueError(f"modulus must be >= 1, got {_int_text(got)}")


pq_type = _must_be("an int or a bytes-like object")


def pq_bytes_length(got: int) -> InvalidLength:
    return InvalidLength(f"pq must be 1..8 bytes (big-endian), got {got}")


# --- drop-in backends (mtcore/compat/) ---------------------------------------


def empty_data(name: str) -> InvalidLength:
    # tgcrypto refuses empty input; the drop-in does too.
    return InvalidLength(f"{name} must not be empty")


def immutable_state(name: str, obj: object) -> ArgumentTypeError:
    # One line a user can act on: what is wrong, why, and the fix.
    fix = (
        "a bytearray (bytearray(1) starts a stream)"
        if name == "state"
        else f"bytearray({name})"
    )
    return ArgumentTypeError(
        f"{name} must be a writable buffer, not a read-only "
        f"{type(obj).__name__!r}: the call updates it in place (tgcrypto "
        f"would write into an immutable, possibly shared, object); pass "
        f"{fix} instead"
    )


def state_length(got: int) -> InvalidLength:
    return InvalidLength(f"state must be 1 byte (the keystream offset 0..15), got {got}")


def unknown_alias(name: object, known: tuple[str, ...]) -> ArgumentValueError:
    return ArgumentValueError(
        f"mtcore.compat has no drop-in for {name!r}; it has: " + ", ".join(known)
    )


def alias_taken(name: str, module: object) -> RuntimeWarning:
    where = getattr(module, "__file__", None) or repr(module)
    return RuntimeWarning(
        f"{name} is already imported ({where}); mtcore.compat.install() leaves "
        f"it in place: call install() before anything imports {name}"
    )


# --- transports (mtcore/transport.py) ----------------------------------------
# Frame payloads, obfuscation headers and proxy secrets are never quoted.


def frame_unaligned(framing: str, got: int) -> InvalidLength:
    return InvalidLength(
        f"payload length must be a multiple of 4 for the {framing} framing, got {got}"
    )


def frame_too_long(got: int, limit: int) -> InvalidLength:
    return InvalidLength(f"payload must be at most {limit} bytes (max_frame), got {got}")


def no_quick_ack(framing: str) -> ArgumentValueError:
    return ArgumentValueError(f"the {framing} framing has no quick acks")


def wrong_side(method: str, side: str) -> ArgumentValueError:
    flag = "server=True" if side == "server" else "server=False (the default)"
    return ArgumentValueError(
        f"{method} is for the {side} side of a connection (construct with {flag})"
    )


def framing_attached() -> ArgumentValueError:
    return ArgumentValueError(
        "this framing carries an Obfuscated stream: call the Obfuscated object"
    )


def framing_not_fresh() -> ArgumentValueError:
    return ArgumentValueError(
        "framing must be a new client-side framing (server=False, nothing "
        "encoded, fed or started yet)"
    )


framing_type = _must_be("an Abridged, Intermediate or PaddedIntermediate object")


def full_not_obfuscated() -> ArgumentValueError:
    return ArgumentValueError(
        "the full framing cannot be obfuscated (it has no protocol tag): use "
        "Abridged, Intermediate or PaddedIntermediate"
    )


def obfuscation_header(rule: str) -> ArgumentValueError:
    # The header is key material: the rule it breaks is named, not its bytes.
    return ArgumentValueError(
        f"header must not {rule} (a server would take it for another protocol)"
    )


def dd_needs_padding() -> ArgumentValueError:
    return ArgumentValueError(
        "a dd MTProxy secret needs the PaddedIntermediate framing"
    )


def proxy_needs_dc() -> ArgumentValueError:
    return ArgumentValueError(
        "dc_id is required with an MTProxy secret (the proxy connects to that DC)"
    )


def header_not_received(method: str) -> ArgumentValueError:
    return ArgumentValueError(
        f"{method}: the client's 64-byte obfuscation header has not arrived yet"
    )


def frame_length(length: int, limit: int) -> FrameLengthError:
    return FrameLengthError(f"frame length {length} is over max_frame ({limit})")


def frame_length_unaligned(length: int) -> FrameLengthError:
    return FrameLengthError(f"frame length {length} is not a multiple of 4")


def frame_too_short(length: int) -> FrameLengthError:
    return FrameLengthError(f"frame length {length}: a frame carries at least 4 bytes")


def full_length_short(length: int) -> FrameLengthError:
    return FrameLengthError(
        f"full frame length {length} is below 16 (length, seq_no, 4 payload bytes, CRC32)"
    )


def full_checksum(seq_no: int) -> FrameChecksumError:
    return FrameChecksumError(f"full frame {seq_no}: CRC32 does not match its bytes")


def full_seq_no(got: int, expected: int) -> FrameSeqNoError:
    return FrameSeqNoError(f"full frame seq_no {got}, expected {expected}")


def transport_prefix(framing: str, expected: bytes) -> TransportTagError:
    return TransportTagError(
        f"the connection does not start with the {framing} prefix {expected.hex()}"
    )


def transport_unsupported() -> TransportTagError:
    return TransportTagError(
        "the connection starts with an HTTP request or a TLS record, not an "
        "MTProto transport (abridged, intermediate, padded intermediate, full "
        "or obfuscated)"
    )


def obfuscation_tag() -> TransportTagError:
    return TransportTagError(
        "the obfuscation header's protocol tag is none of efefefef, eeeeeeee, "
        "dddddddd (with MTProxy: most likely another secret)"
    )


not_secret = _must_be(
    "a str (hex or base64url), a bytes-like object or a ProxySecret"
)


def proxy_secret(reason: str) -> ProxySecretError:
    return ProxySecretError(f"not an MTProxy secret: {reason}")


def proxy_fake_tls() -> ProxySecretError:
    return ProxySecretError(
        "fake-TLS (ee) MTProxy secrets are not supported by mtcore.transport; "
        "use the proxy's dd or plain secret"
    )


def padding_unpadded(framing: str) -> ArgumentValueError:
    return ArgumentValueError(f"padding= is for the padded intermediate framing, not {framing}")


# --- sessions (mtcore/session.py) --------------------------------------------

# What the codes of bad_msg_notification mean
# (core.telegram.org/mtproto/service_messages_about_messages).
BAD_MSG_CODES = {
    16: "msg_id too low: the client's clock is behind",
    17: "msg_id too high: the client's clock is ahead",
    18: "the two low bits of msg_id are not 0",
    19: "a container's msg_id repeats an earlier message's",
    20: "the message is too old: the server forgot it",
    32: "msg_seqno too low",
    33: "msg_seqno too high",
    34: "an even msg_seqno was expected (not content-related)",
    35: "an odd msg_seqno was expected (content-related)",
    48: "bad server salt",
    64: "invalid container",
}


def bad_message(code: int, name: str) -> BadMessageError:
    meaning = BAD_MSG_CODES.get(code, "an unknown code")
    exc = BadMessageError(f"the server refused {name}: bad_msg_notification {code} ({meaning})")
    exc.code = code
    return exc


def resend_limit(name: str, sent: int) -> ResendLimitError:
    return ResendLimitError(f"{name} was sent {sent} times without an answer (max_resends)")


def cancelled(name: str) -> ResendLimitError:
    return ResendLimitError(f"{name} was cancelled")


def pending_limit(limit: int) -> PendingLimitError:
    return PendingLimitError(
        f"{limit} requests wait for their answers (max_pending): wait for some first"
    )


not_request = _must_be("a TL function object or its TL bytes", _tl_name)


def not_function(name: str) -> ArgumentValueError:
    return ArgumentValueError(f"{name} is a constructor: only functions are requests")


not_tl_object = _must_be("a TL object or its TL bytes", _tl_name)


def layer_mismatch(layer: int, schema_layer: object) -> ArgumentValueError:
    return ArgumentValueError(
        f"layer {layer} needs a schema of that layer (schema= has layer "
        f"{schema_layer}): pass schema=mtcore.tl.Schema.from_file(...)"
    )


def unknown_request(what: str) -> ArgumentValueError:
    return ArgumentValueError(f"{what} is not waiting in this session")


def request_length(got: int) -> InvalidLength:
    return InvalidLength(f"request must be a non-empty multiple of 4 bytes of TL, got {got}")


# --- Diffie-Hellman checks (mtcore/_dh.py) -----------------------------------
# Public DH values are named, never printed: the messages stay short and say
# which rule failed.


def dh_prime_bits(name: str, bits: int) -> DHPrimeError:
    return DHPrimeError(f"{name} must be a 2048-bit prime, got a {bits}-bit number")


def dh_prime_not_safe(name: str) -> DHPrimeError:
    return DHPrimeError(
        f"{name} is not a safe prime (it and ({name} - 1) / 2 must both be prime)"
    )


def dh_generator_range(g: int) -> DHGeneratorError:
    return DHGeneratorError(f"g must be in 2..7, got {_int_text(g)}")


def dh_generator_residue(
    g: int, name: str, modulus: int, residues: tuple[int, ...]
) -> DHGeneratorError:
    allowed = " or ".join(str(r) for r in residues)
    return DHGeneratorError(
        f"g = {g} needs {name} mod {modulus} to be {allowed} (else g does not "
        f"generate the subgroup of order ({name} - 1) / 2)"
    )


def dh_value_trivial(name: str) -> DHRangeError:
    return DHRangeError(f"{name} must be greater than 1 and less than dh_prime - 1")


def dh_value_margin(name: str) -> DHRangeError:
    return DHRangeError(
        f"{name} must be in [2^(2048-64), dh_prime - 2^(2048-64)] "
        "(core.telegram.org/mtproto/security_guidelines)"
    )


# --- the key exchange (mtcore/handshake.py) -----------------------------------
# Nonces, keys and hashes are never quoted; public values (fingerprints,
# lengths, constructor names) may be.


def hs_constructor(cid: int, expected: str, offset: int) -> TLDecodeError:
    return TLDecodeError(
        f"constructor 0x{cid:08x} at offset {offset} is not {expected}"
    )


def hs_state(cls: str, what: str, state: str) -> HandshakeStateError:
    return HandshakeStateError(f"{cls}: {what} in state {state}")


def hs_nonce(message: str, field: str) -> NonceMismatch:
    return NonceMismatch(f"{message}.{field} is not this exchange's {field}")


def hs_nonce_hash(message: str, field: str) -> NonceHashMismatch:
    return NonceHashMismatch(
        f"{message}.{field} does not match this exchange's new_nonce and auth key"
    )


def hs_encrypted_length(what: str, got: int) -> AnswerHashMismatch:
    return AnswerHashMismatch(
        f"{what} must be a non-empty multiple of 16 bytes, got {got}"
    )


def hs_answer_parse(what: str, name: str) -> AnswerHashMismatch:
    return AnswerHashMismatch(
        f"the decrypted {what} does not start with a SHA-1 and {name} "
        "(tampered with, or encrypted with another key)"
    )


def hs_answer_hash(what: str) -> AnswerHashMismatch:
    return AnswerHashMismatch(
        f"the SHA-1 at the start of the decrypted {what} does not match its data"
    )


def hs_answer_padding(what: str, got: int) -> AnswerHashMismatch:
    return AnswerHashMismatch(
        f"the decrypted {what} has {got} bytes after its data; 0..15 are allowed"
    )


def hs_no_key(fingerprints: list[int]) -> FingerprintMismatch:
    listed = ", ".join(f"{f & 0xFFFFFFFFFFFFFFFF:016x}" for f in fingerprints[:8])
    return FingerprintMismatch(
        f"none of the RSA keys given has a fingerprint resPQ lists "
        f"({len(fingerprints)}: {listed or 'none'})"
    )


def hs_unknown_fingerprint(fingerprint: int) -> FingerprintMismatch:
    return FingerprintMismatch(
        f"req_DH_params names the key {fingerprint & 0xFFFFFFFFFFFFFFFF:016x}, "
        "which this server does not have"
    )


def hs_rsa_pad() -> RSAPadError:
    return RSAPadError(
        "req_DH_params.encrypted_data decrypts neither to RSA_PAD nor to a "
        "SHA-1 padded block"
    )


def hs_field(message: str, field: str, why: str) -> FieldMismatch:
    return FieldMismatch(f"{message}.{field} {why}")


def hs_failed(message: str) -> HandshakeFailed:
    return HandshakeFailed(f"the server answered {message}: start a new exchange")


# What a 4-byte transport error means (core.telegram.org/mtproto/mtproto-transports).
_TRANSPORT_ERRORS = {
    -404: "no such auth key, or a malformed request",
    -429: "too many connections or requests (flood)",
    -444: "the DC id is of the other kind (test vs production)",
}


def hs_transport_error(code: int) -> HandshakeFailed:
    meaning = _TRANSPORT_ERRORS.get(code, "a transport error")
    return HandshakeFailed(
        f"the server answered transport error {code} ({meaning}): start a new "
        "exchange",
        code,
    )


def hs_too_many_retries(limit: int) -> HandshakeFailed:
    return HandshakeFailed(
        f"the server answered dh_gen_retry more than {limit} times: start a new "
        "exchange"
    )


def plain_too_short(got: int) -> MessageLengthError:
    return MessageLengthError(
        f"an unencrypted message must be at least 20 bytes, got {got}"
    )


def plain_key_id() -> AuthKeyIdMismatch:
    return AuthKeyIdMismatch("an unencrypted message must have auth_key_id 0")


def plain_length(length: int, left: int) -> MessageLengthError:
    return MessageLengthError(
        f"message_data_length {length} does not fit the {left} bytes after the "
        "header (a multiple of 4, with at most 15 bytes of transport padding)"
    )


def rng_output(size: int, obj: object) -> ArgumentValueError:
    got = f"{len(obj)} bytes" if isinstance(obj, bytes) else repr(type(obj).__name__)
    return ArgumentValueError(f"rng({size}) must return {size} bytes, got {got}")


def rng_stuck(what: str, tries: int) -> ArgumentValueError:
    return ArgumentValueError(
        f"rng gave {tries} {what} in a row that fail the range check; it is not "
        "random"
    )


def rsa_key_type(name: str, obj: object, kind: str) -> ArgumentTypeError:
    return _must_be(f"an {kind} or its PEM text (str or bytes)")(name, obj)


def rsa_pem(kind: str, reason: str) -> ArgumentValueError:
    return ArgumentValueError(f"not a PEM {kind}: {reason}")


def rsa_key_bits(bits: int) -> ArgumentValueError:
    return ArgumentValueError(
        f"the RSA modulus must be 2048 bits (RSA_PAD fills 256 bytes), got {bits}"
    )


def rsa_exponent() -> ArgumentValueError:
    return ArgumentValueError(
        "the RSA public exponent must be odd, at least 3 and less than the modulus"
    )


def no_keys(name: str) -> ArgumentValueError:
    return ArgumentValueError(f"{name} must hold at least one key")


def rsa_pad_data(got: int) -> InvalidLength:
    return InvalidLength(f"data must be at most 144 bytes for RSA_PAD, got {got}")


not_key_id = _must_be("an AuthKey or its 256 bytes")


def not_tl_request(name: str, expected: str, obj: object) -> ArgumentTypeError:
    return _must_be(f"{expected} (a TL object or its bytes)", _tl_name)(name, obj)


# --- SRP (mtcore/srp.py) -------------------------------------------------------
# Passwords, their hashes, the verifier and the exponents are never quoted.


def srp_algo(name: str) -> UnsupportedPasswordAlgorithm:
    return UnsupportedPasswordAlgorithm(
        f"the password algorithm {name} is not supported (only "
        "passwordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow "
        "is): the app must be updated"
    )


def srp_missing(name: str, field: str, obj: object) -> ArgumentTypeError:
    got = _tl_name(obj)
    return ArgumentTypeError(
        f"{name} must be an account.password (a TL object of any library, or its "
        f"bytes); {got!r} has no {field!r}"
    )


srp_password_type = _must_be("a str or bytes")


def srp_b_range() -> DHRangeError:
    return DHRangeError("srp_B must be greater than 0 and less than p")


def srp_verifier_range() -> ArgumentValueError:
    return ArgumentValueError(
        "verifier must be g^x mod p of the password (greater than 1, less than p)"
    )


def srp_hash_invalid() -> PasswordHashInvalid:
    return PasswordHashInvalid(
        "the SRP proof does not match the password (PASSWORD_HASH_INVALID)"
    )


def srp_id_invalid(srp_id: int) -> SRPIdInvalid:
    return SRPIdInvalid(
        f"srp_id {srp_id} was not issued by this session or was already used "
        "(SRP_ID_INVALID)"
    )


# --- the asyncio client (mtcore/client/) ----------------------------------------


not_path = _must_be("a str or path-like object")


def store_version(path: str, got: int, known: int) -> ArgumentValueError:
    return ArgumentValueError(
        f"the session store {path!r} has layout version {got}; this mtcore knows "
        f"versions up to {known} (a newer mtcore wrote it)"
    )


def store_no_dc(dc_id: int) -> ArgumentValueError:
    return ArgumentValueError(f"the session store has no DC {dc_id}")


client_not_function = _must_be("a TL function object (tl.functions...)")
dc_tuple = _must_be("a (dc_id, host, port) tuple")
password_type = _must_be("a str or a callable returning one")


def client_closed() -> ClientError:
    return ClientError("the client is closed")


def unknown_dc(dc_id: int) -> ClientError:
    return ClientError(
        f"no address is known for DC {dc_id} (not in the session store nor in "
        "help.getConfig's dc_options)"
    )


def too_many_migrations(name: str, limit: int) -> ClientError:
    return ClientError(f"{name} was sent to another DC {limit} times; giving up")


def connection_failed(dc_id: int, attempts: int, cause: BaseException) -> ConnectionFailed:
    what = type(cause).__name__
    text = str(cause)
    return ConnectionFailed(
        f"the connection to DC {dc_id} failed after {attempts} attempt"
        f"{'s' if attempts != 1 else ''}: {what}{': ' + text if text else ''}"
    )


def transport_failure(dc_id: int, code: int, meaning: str) -> ConnectionFailed:
    return ConnectionFailed(f"DC {dc_id} answered transport error {code} ({meaning})")


def bind_failed(dc_id: int) -> ConnectionFailed:
    return ConnectionFailed(
        f"DC {dc_id} refused auth.bindTempAuthKey three times "
        "(ENCRYPTED_MESSAGE_INVALID)"
    )


# --- the test cluster (mtcore.testing) -----------------------------------------


def testing_not_loopback(host: object) -> ArgumentValueError:
    return ArgumentValueError(
        f"host must be a loopback address (127.0.0.1 or ::1), got {host!r}: "
        "the test server never listens on a reachable interface"
    )


def testing_dcs(dcs: object) -> ArgumentValueError:
    return ArgumentValueError(
        f"dcs must be a count of DCs (1 or more) or distinct DC ids in 1..999, got {dcs!r}"
    )


def testing_unknown_dc(dc_id: object, known: list[int]) -> ArgumentValueError:
    return ArgumentValueError(f"the cluster has no DC {dc_id!r} (its DCs: {known})")


def testing_not_function(obj: object) -> ArgumentValueError:
    return ArgumentValueError(
        "a handler is registered for a TL function (its class, as "
        "tl.functions.help.getConfig, or its name), not for "
        f"{obj!r}"
    )


def testing_cluster_options(names: list[str]) -> ArgumentTypeError:
    return ArgumentTypeError(
        f"the options {names} are for the cluster a TestServer makes alone, "
        "not for a server given cluster="
    )


testing_user_type = _must_be("an Account of this cluster or its id")


def testing_unknown_user(user_id: object) -> ArgumentValueError:
    return ArgumentValueError(f"the cluster has no account with id {user_id!r}")


def testing_user_id(user_id: object) -> ArgumentValueError:
    return ArgumentValueError(f"user_id must be a positive int, got {user_id!r}")


def testing_user_exists(user_id: int) -> ArgumentValueError:
    return ArgumentValueError(f"the cluster already has an account with id {user_id}")
