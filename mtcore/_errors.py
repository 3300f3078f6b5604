"""
The text of every input error, used by the compiled and the pure backend
alike so that both raise the same type with the same message.

Each error is a function of its arguments that returns the exception to
raise. Most are one-line entries: ``_error(Class, "text with {fields}")``
(the fields filled by the arguments in turn), ``_must_be("a kind")`` for an
argument of the wrong type, ``_schema_error(...)`` for the schema parser.
Errors whose text is computed are written out as functions.
"""

from __future__ import annotations

from string import Formatter
from typing import Callable, TypeVar

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


_T = TypeVar("_T")


def _error(
    make: Callable[[str], _T], template: str, order: str = ""
) -> Callable[..., _T]:
    # The error of a fixed text: error(*args) is make(template filled in), as
    # a def that returns make(f"...") would be. The args fill the template's
    # fields in the order the fields first appear in it, or in the order
    # `order` names them; format specs and !r work as in an f-string.
    names = order.split() or list(
        dict.fromkeys(f for _, f, _, _ in Formatter().parse(template) if f is not None)
    )

    def error(*args: object) -> _T:
        if len(args) != len(names):
            raise TypeError(f"takes {len(names)} arguments ({', '.join(names)})")
        return make(template.format_map(dict(zip(names, args))))

    return error


not_buffer = _must_be("a bytes-like object")
not_contiguous = _error(ArgumentValueError, "{name} must be a C-contiguous buffer")


def read_only(name: str, obj: object) -> ArgumentValueError:
    return ArgumentValueError(
        f"{name} must be a writable buffer, got a read-only "
        f"{type(obj).__name__!r}"
    )


bad_length = _error(InvalidLength, "{name} must be {expected} bytes, got {got}")
not_whole_blocks = _error(
    InvalidLength, "{name} length must be a multiple of 16, got {got}"
)
out_mismatch = _error(
    InvalidLength, "out must be {expected} bytes (the length of data), got {got}"
)
bad_item = _must_be("a (data, key, iv) or (data, key, iv, out) tuple")
not_sequence = _must_be("a list or tuple")
out_too_small = _error(
    InvalidLength, "out must be at least {expected} bytes, got {got}"
)
not_initialised = _error(ArgumentValueError, "{cls} was not initialised")
already_initialised = _error(ArgumentValueError, "{cls} is already initialised")


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


bad_padding = _error(
    InvalidLength,
    "padding must be 12..1024 bytes and make the total a multiple of 16; got "
    "{padding} for {plaintext} bytes of plaintext",
)
body_not_aligned = _error(
    InvalidLength, "body length must be a multiple of 4, got {got}"
)
key_id_mismatch = _error(
    AuthKeyIdMismatch, "the packet's auth_key_id is not this key's"
)
packet_length = _error(
    MessageLengthError,
    "packet must be 24 + a multiple of 16 bytes and at least 72, got {got}",
)
msg_key_mismatch = _error(
    MessageKeyMismatch,
    "msg_key does not match the decrypted message (the usual causes: another auth "
    "key, or the wrong from_client direction)",
)
data_length = _error(
    MessageLengthError,
    "message_data_length {length} does not fit {decrypted} decrypted bytes with "
    "12..1024 bytes of padding",
)
session_mismatch = _error(SessionIdMismatch, "session_id is not this session's")


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
not_utf8 = _error(
    ArgumentValueError,
    "{name} cannot be encoded as UTF-8: lone surrogate at index {index}",
)
tl_bytes_too_long = _error(
    InvalidLength, "{name} must be shorter than 16777216 bytes (2**24) in TL, got {got}"
)


def negative(name: str, got: int) -> ArgumentValueError:
    return ArgumentValueError(f"{name} must be >= 0, got {_int_text(got)}")


def tl_short(what: str, need: int, left: int, offset: int) -> TLDecodeError:
    return TLDecodeError(
        f"{what} needs {_int_text(need)} bytes, {left} left at offset {offset}"
    )


tl_bad_bool = _error(
    TLDecodeError,
    "read_bool: constructor 0x{cid:08x} at offset {offset} is neither boolTrue "
    "(0x997275b5) nor boolFalse (0xbc799737)",
)
tl_bad_vector = _error(
    TLDecodeError,
    "{what}: constructor 0x{cid:08x} at offset {offset} is not vector (0x1cb5c415)",
)
tl_negative_count = _error(
    TLDecodeError, "{what}: count {count} at offset {offset} is negative"
)


def tl_count_too_large(
    what: str, count: int, min_size: int, left: int, offset: int
) -> TLDecodeError:
    return TLDecodeError(
        f"{what}: count {count} at offset {offset} needs at least "
        f"{count * min_size} bytes, {left} left after it"
    )


tl_bad_length_byte = _error(
    TLDecodeError, "{what}: length byte 0xff at offset {offset} is not valid TL"
)


# --- TL schema parser (mtcore/tl/schema.py) ----------------------------------
# ``where`` is "main_api.tl line 12", "line 12", or "" for a combinator built
# in code rather than read from a text.


def _schema(where: str, message: str) -> TLSchemaError:
    return TLSchemaError(f"{where}: {message}" if where else message)


def _schema_error(template: str) -> Callable[..., TLSchemaError]:
    # The schema error of a fixed text: error(where, *args).
    text = _error(str, template)

    def error(where: str, *args: object) -> TLSchemaError:
        return _schema(where, text(*args))

    return error


schema_unknown_section = _schema_error(
    "unknown section {line!r} (expected '---types---' or '---functions---')"
)
schema_layer_conflict = _schema_error(
    "layer {layer} conflicts with layer {other} ({other_where})"
)
schema_missing_semicolon = _schema_error("missing ';' at the end of {line!r}")
schema_missing_result = _schema_error("missing '= Type' in {line!r}")
schema_malformed_line = _schema_error("malformed line {line!r}")
schema_malformed_name = _schema_error(
    "malformed name {token!r} (expected name or name#id, the id in at most 8 hex "
    "digits)",
)
schema_malformed_param = _schema_error("malformed parameter {token!r} in {comb}")
schema_malformed_type = _schema_error("malformed type {text!r} in {comb}")
schema_unsupported_generic = _schema_error(
    "unsupported generic parameter {token!r} in {comb} (only {{X:Type}})"
)
schema_not_generic = _schema_error(
    "{text!r} in {comb} names no generic parameter {{X:Type}}"
)
schema_duplicate_param = _schema_error("duplicate parameter {name!r} in {comb}")
schema_unknown_flag_word = _schema_error(
    "{param!r} in {comb} refers to {word!r}, which is not an earlier '#' parameter"
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


schema_bad_result = _schema_error(
    "constructor {comb} must build a boxed type name, not {text!r}"
)
schema_bad_vector_id = _schema_error("vector must have id #1cb5c415, not #{cid:08x}")
schema_not_combinator = _schema_error(
    "{line!r} is a builtin declaration, not a combinator"
)


def schema_duplicate_id(
    where: str, cid: int, name: str, other: str, other_where: str
) -> TLSchemaError:
    if name == other:
        other = f"a different {other}"
    return _schema(
        where, f"id #{cid:08x} of {name} is already used by {other} ({other_where})"
    )


schema_duplicate_name = _schema_error(
    "{name}#{cid:08x} is already defined as {name}#{other_id:08x} ({other_where})"
)
schema_unknown_type = _schema_error("unknown type {type_name!r} in {comb}")


# --- TL codec (mtcore/tl/codec.py) -------------------------------------------
# Decoding errors name the offset from the start of the input being read (a
# gzip_packed payload and a container message body are inputs of their own).


tl_unknown_constructor = _error(
    TLDecodeError, "unknown constructor 0x{cid:08x} at offset {offset}"
)
tl_wrong_type = _error(
    TLDecodeError,
    "constructor 0x{cid:08x} ({name}) at offset {offset} is not of type {expected}",
    order="cid name expected offset",
)
tl_too_deep = _error(
    TLLimitError, "objects nested deeper than {limit} levels at offset {offset}"
)
tl_gzip_bad = _error(TLDecodeError, "gzip_packed at offset {offset}: {reason}")


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


tl_gzip_nested = _error(
    TLLimitError, "gzip_packed at offset {offset} is nested too deeply"
)
tl_message_length = _error(
    TLDecodeError,
    "message at offset {offset}: body length {length} is negative, not a multiple of "
    "4 or more than the {left} bytes left",
    order="length offset left",
)
tl_trailing = _error(
    TLDecodeError, "{what} ends at offset {used} but the input is {total} bytes"
)
tl_missing_field = _error(
    ArgumentTypeError, "{comb}() missing required field {field!r}"
)
tl_unknown_field = _error(
    ArgumentTypeError, "{comb}() got an unexpected field {field!r}"
)


def tl_field_type(comb: str, field: str, expected: str, obj: object) -> ArgumentTypeError:
    return _must_be(expected, _tl_name)(f"{comb}.{field}", obj)


tl_field_value = _error(ArgumentValueError, "{comb}.{field}: {message}")


def tl_field_error(comb: str, field: str, exc: Exception) -> Exception:
    # A Writer error (or a nested object's) with the field path in front.
    return type(exc)(f"{comb}.{field}: {exc}")


tl_shared_flag = _error(
    ArgumentValueError,
    "{comb}.{field} must be set: another field set {flag}, which it shares",
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


empty = _error(InvalidLength, "{name} must not be empty, got 0 bytes")
not_int_iterable = _must_be("an iterable of ints")
api_hash_length = _error(InvalidLength, "api_hash must be 32 hex characters, got {got}")
api_hash_char = _error(
    ArgumentValueError,
    "api_hash must be 32 hex characters; {char!r} at index {index} is not a hex digit",
)
not_login_token = _must_be(
    "an auth.LoginToken (TL bytes, a decoded object, or another library's TL object)",
    _tl_name,
)
not_time = _must_be("a unix time (int or float) or an aware datetime")
not_number = _must_be("an int or a float")


def not_finite(name: str, value: float) -> ArgumentValueError:
    return ArgumentValueError(f"{name} must be a finite number, got {value!r}"[:120])


naive_datetime = _error(
    ArgumentValueError,
    "{name} must be an aware datetime (with tzinfo), got a naive one",
)
not_callable = _must_be("callable")
login_url = _error(LoginURLError, "not a tg://login?token=... URL: {message}")


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


flow_state = _error(LoginFlowError, "QRLoginFlow: {what} in state {state}")


def flow_unexpected(got: object, pending: str) -> LoginFlowError:
    name = _tl_name(got)
    return LoginFlowError(
        f"QRLoginFlow: expected an auth.LoginToken or an rpc_error in answer to "
        f"{pending}, got {name!r}"
    )


flow_empty_token = _error(
    LoginFlowError, "QRLoginFlow: the server sent {name} with an empty token"
)
not_update = _must_be("an Update or Updates TL object (or its bytes)", _tl_name)
flow_not_tl = _must_be("a TL object or its TL bytes")


def missing_extra(feature: str, package: str, extra: str) -> MissingExtra:
    return MissingExtra(
        f"{feature} needs the optional package {package!r} (mtcore's "
        f"{extra!r} extra), which is not installed: pip install {package}",
        name=package,
    )


at_least = _error(ArgumentValueError, "{name} must be >= {lo}, got {got!r}")
not_positive = _error(ArgumentValueError, "{name} must be > 0, got {got!r}")
empty_str = _error(ArgumentValueError, "{name} must not be empty")
text_file = _error(
    ArgumentTypeError, "{name} must be opened in binary mode to take {kind}"
)
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
pq_bytes_length = _error(InvalidLength, "pq must be 1..8 bytes (big-endian), got {got}")


# --- drop-in backends (mtcore/compat/) ---------------------------------------


# tgcrypto refuses empty input; the drop-in does too.
empty_data = _error(InvalidLength, "{name} must not be empty")


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


state_length = _error(
    InvalidLength, "state must be 1 byte (the keystream offset 0..15), got {got}"
)


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


frame_unaligned = _error(
    InvalidLength,
    "payload length must be a multiple of 4 for the {framing} framing, got {got}",
)
frame_too_long = _error(
    InvalidLength,
    "payload must be at most {limit} bytes (max_frame), got {got}",
    order="got limit",
)
no_quick_ack = _error(ArgumentValueError, "the {framing} framing has no quick acks")


def wrong_side(method: str, side: str) -> ArgumentValueError:
    flag = "server=True" if side == "server" else "server=False (the default)"
    return ArgumentValueError(
        f"{method} is for the {side} side of a connection (construct with {flag})"
    )


framing_attached = _error(
    ArgumentValueError,
    "this framing carries an Obfuscated stream: call the Obfuscated object",
)
framing_not_fresh = _error(
    ArgumentValueError,
    "framing must be a new client-side framing (server=False, nothing encoded, fed or"
    " started yet)",
)
framing_type = _must_be("an Abridged, Intermediate or PaddedIntermediate object")
full_not_obfuscated = _error(
    ArgumentValueError,
    "the full framing cannot be obfuscated (it has no protocol tag): use Abridged, "
    "Intermediate or PaddedIntermediate",
)

# The header is key material: the rule it breaks is named, not its bytes.
obfuscation_header = _error(
    ArgumentValueError,
    "header must not {rule} (a server would take it for another protocol)",
)
dd_needs_padding = _error(
    ArgumentValueError, "a dd MTProxy secret needs the PaddedIntermediate framing"
)
proxy_needs_dc = _error(
    ArgumentValueError,
    "dc_id is required with an MTProxy secret (the proxy connects to that DC)",
)
header_not_received = _error(
    ArgumentValueError,
    "{method}: the client's 64-byte obfuscation header has not arrived yet",
)
frame_length = _error(
    FrameLengthError, "frame length {length} is over max_frame ({limit})"
)
frame_length_unaligned = _error(
    FrameLengthError, "frame length {length} is not a multiple of 4"
)
frame_too_short = _error(
    FrameLengthError, "frame length {length}: a frame carries at least 4 bytes"
)
full_length_short = _error(
    FrameLengthError,
    "full frame length {length} is below 16 (length, seq_no, 4 payload bytes, CRC32)",
)
full_checksum = _error(
    FrameChecksumError, "full frame {seq_no}: CRC32 does not match its bytes"
)
full_seq_no = _error(FrameSeqNoError, "full frame seq_no {got}, expected {expected}")


def transport_prefix(framing: str, expected: bytes) -> TransportTagError:
    return TransportTagError(
        f"the connection does not start with the {framing} prefix {expected.hex()}"
    )


transport_unsupported = _error(
    TransportTagError,
    "the connection starts with an HTTP request or a TLS record, not an MTProto "
    "transport (abridged, intermediate, padded intermediate, full or obfuscated)",
)
obfuscation_tag = _error(
    TransportTagError,
    "the obfuscation header's protocol tag is none of efefefef, eeeeeeee, dddddddd "
    "(with MTProxy: most likely another secret)",
)
not_secret = _must_be(
    "a str (hex or base64url), a bytes-like object or a ProxySecret"
)
proxy_secret = _error(ProxySecretError, "not an MTProxy secret: {reason}")
proxy_fake_tls = _error(
    ProxySecretError,
    "fake-TLS (ee) MTProxy secrets are not supported by mtcore.transport; use the "
    "proxy's dd or plain secret",
)
padding_unpadded = _error(
    ArgumentValueError, "padding= is for the padded intermediate framing, not {framing}"
)


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


resend_limit = _error(
    ResendLimitError, "{name} was sent {sent} times without an answer (max_resends)"
)
cancelled = _error(ResendLimitError, "{name} was cancelled")
pending_limit = _error(
    PendingLimitError,
    "{limit} requests wait for their answers (max_pending): wait for some first",
)
not_request = _must_be("a TL function object or its TL bytes", _tl_name)
not_function = _error(
    ArgumentValueError, "{name} is a constructor: only functions are requests"
)
not_tl_object = _must_be("a TL object or its TL bytes", _tl_name)
layer_mismatch = _error(
    ArgumentValueError,
    "layer {layer} needs a schema of that layer (schema= has layer {schema_layer}): "
    "pass schema=mtcore.tl.Schema.from_file(...)",
)
unknown_request = _error(ArgumentValueError, "{what} is not waiting in this session")
request_length = _error(
    InvalidLength, "request must be a non-empty multiple of 4 bytes of TL, got {got}"
)


# --- Diffie-Hellman checks (mtcore/_dh.py) -----------------------------------
# Public DH values are named, never printed: the messages stay short and say
# which rule failed.


dh_prime_bits = _error(
    DHPrimeError, "{name} must be a 2048-bit prime, got a {bits}-bit number"
)
dh_prime_not_safe = _error(
    DHPrimeError,
    "{name} is not a safe prime (it and ({name} - 1) / 2 must both be prime)",
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


dh_value_trivial = _error(
    DHRangeError, "{name} must be greater than 1 and less than dh_prime - 1"
)
dh_value_margin = _error(
    DHRangeError,
    "{name} must be in [2^(2048-64), dh_prime - 2^(2048-64)] "
    "(core.telegram.org/mtproto/security_guidelines)",
)


# --- the key exchange (mtcore/handshake.py) -----------------------------------
# Nonces, keys and hashes are never quoted; public values (fingerprints,
# lengths, constructor names) may be.


hs_constructor = _error(
    TLDecodeError,
    "constructor 0x{cid:08x} at offset {offset} is not {expected}",
    order="cid expected offset",
)
hs_state = _error(HandshakeStateError, "{cls}: {what} in state {state}")
hs_nonce = _error(NonceMismatch, "{message}.{field} is not this exchange's {field}")
hs_nonce_hash = _error(
    NonceHashMismatch,
    "{message}.{field} does not match this exchange's new_nonce and auth key",
)
hs_encrypted_length = _error(
    AnswerHashMismatch, "{what} must be a non-empty multiple of 16 bytes, got {got}"
)
hs_answer_parse = _error(
    AnswerHashMismatch,
    "the decrypted {what} does not start with a SHA-1 and {name} (tampered with, or "
    "encrypted with another key)",
)
hs_answer_hash = _error(
    AnswerHashMismatch,
    "the SHA-1 at the start of the decrypted {what} does not match its data",
)
hs_answer_padding = _error(
    AnswerHashMismatch,
    "the decrypted {what} has {got} bytes after its data; 0..15 are allowed",
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


hs_rsa_pad = _error(
    RSAPadError,
    "req_DH_params.encrypted_data decrypts neither to RSA_PAD nor to a SHA-1 padded "
    "block",
)
hs_field = _error(FieldMismatch, "{message}.{field} {why}")
hs_failed = _error(
    HandshakeFailed, "the server answered {message}: start a new exchange"
)


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


hs_too_many_retries = _error(
    HandshakeFailed,
    "the server answered dh_gen_retry more than {limit} times: start a new exchange",
)
plain_too_short = _error(
    MessageLengthError, "an unencrypted message must be at least 20 bytes, got {got}"
)
plain_key_id = _error(
    AuthKeyIdMismatch, "an unencrypted message must have auth_key_id 0"
)
plain_length = _error(
    MessageLengthError,
    "message_data_length {length} does not fit the {left} bytes after the header (a "
    "multiple of 4, with at most 15 bytes of transport padding)",
)


def rng_output(size: int, obj: object) -> ArgumentValueError:
    got = f"{len(obj)} bytes" if isinstance(obj, bytes) else repr(type(obj).__name__)
    return ArgumentValueError(f"rng({size}) must return {size} bytes, got {got}")


rng_stuck = _error(
    ArgumentValueError,
    "rng gave {tries} {what} in a row that fail the range check; it is not random",
    order="what tries",
)


def rsa_key_type(name: str, obj: object, kind: str) -> ArgumentTypeError:
    return _must_be(f"an {kind} or its PEM text (str or bytes)")(name, obj)


rsa_pem = _error(ArgumentValueError, "not a PEM {kind}: {reason}")
rsa_key_bits = _error(
    ArgumentValueError,
    "the RSA modulus must be 2048 bits (RSA_PAD fills 256 bytes), got {bits}",
)
rsa_exponent = _error(
    ArgumentValueError,
    "the RSA public exponent must be odd, at least 3 and less than the modulus",
)
no_keys = _error(ArgumentValueError, "{name} must hold at least one key")
rsa_pad_data = _error(
    InvalidLength, "data must be at most 144 bytes for RSA_PAD, got {got}"
)
not_key_id = _must_be("an AuthKey or its 256 bytes")


def not_tl_request(name: str, expected: str, obj: object) -> ArgumentTypeError:
    return _must_be(f"{expected} (a TL object or its bytes)", _tl_name)(name, obj)


# --- SRP (mtcore/srp.py) -------------------------------------------------------
# Passwords, their hashes, the verifier and the exponents are never quoted.


srp_algo = _error(
    UnsupportedPasswordAlgorithm,
    "the password algorithm {name} is not supported (only "
    "passwordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow is): the app "
    "must be updated",
)


def srp_missing(name: str, field: str, obj: object) -> ArgumentTypeError:
    got = _tl_name(obj)
    return ArgumentTypeError(
        f"{name} must be an account.password (a TL object of any library, or its "
        f"bytes); {got!r} has no {field!r}"
    )


srp_password_type = _must_be("a str or bytes")
srp_b_range = _error(DHRangeError, "srp_B must be greater than 0 and less than p")
srp_verifier_range = _error(
    ArgumentValueError,
    "verifier must be g^x mod p of the password (greater than 1, less than p)",
)
srp_hash_invalid = _error(
    PasswordHashInvalid,
    "the SRP proof does not match the password (PASSWORD_HASH_INVALID)",
)
srp_id_invalid = _error(
    SRPIdInvalid,
    "srp_id {srp_id} was not issued by this session or was already used "
    "(SRP_ID_INVALID)",
)


# --- the asyncio client (mtcore/client/) ----------------------------------------


not_path = _must_be("a str or path-like object")
store_version = _error(
    ArgumentValueError,
    "the session store {path!r} has layout version {got}; this mtcore knows versions "
    "up to {known} (a newer mtcore wrote it)",
)
store_no_dc = _error(ArgumentValueError, "the session store has no DC {dc_id}")
client_not_function = _must_be("a TL function object (tl.functions...)")
dc_tuple = _must_be("a (dc_id, host, port) tuple")
password_type = _must_be("a str or a callable returning one")
client_closed = _error(ClientError, "the client is closed")
unknown_dc = _error(
    ClientError,
    "no address is known for DC {dc_id} (not in the session store nor in "
    "help.getConfig's dc_options)",
)
too_many_migrations = _error(
    ClientError, "{name} was sent to another DC {limit} times; giving up"
)


def connection_failed(dc_id: int, attempts: int, cause: BaseException) -> ConnectionFailed:
    what = type(cause).__name__
    text = str(cause)
    return ConnectionFailed(
        f"the connection to DC {dc_id} failed after {attempts} attempt"
        f"{'s' if attempts != 1 else ''}: {what}{': ' + text if text else ''}"
    )


transport_failure = _error(
    ConnectionFailed, "DC {dc_id} answered transport error {code} ({meaning})"
)
bind_failed = _error(
    ConnectionFailed,
    "DC {dc_id} refused auth.bindTempAuthKey three times (ENCRYPTED_MESSAGE_INVALID)",
)


# --- the test cluster (mtcore.testing) -----------------------------------------


testing_not_loopback = _error(
    ArgumentValueError,
    "host must be a loopback address (127.0.0.1 or ::1), got {host!r}: the test "
    "server never listens on a reachable interface",
)
testing_dcs = _error(
    ArgumentValueError,
    "dcs must be a count of DCs (1 or more) or distinct DC ids in 1..999, got {dcs!r}",
)
testing_unknown_dc = _error(
    ArgumentValueError, "the cluster has no DC {dc_id!r} (its DCs: {known})"
)
testing_not_function = _error(
    ArgumentValueError,
    "a handler is registered for a TL function (its class, as "
    "tl.functions.help.getConfig, or its name), not for {obj!r}",
)
testing_cluster_options = _error(
    ArgumentTypeError,
    "the options {names} are for the cluster a TestServer makes alone, not for a "
    "server given cluster=",
)
testing_user_type = _must_be("an Account of this cluster or its id")
testing_unknown_user = _error(
    ArgumentValueError, "the cluster has no account with id {user_id!r}"
)
testing_user_id = _error(
    ArgumentValueError, "user_id must be a positive int, got {user_id!r}"
)
testing_user_exists = _error(
    ArgumentValueError, "the cluster already has an account with id {user_id}"
)
