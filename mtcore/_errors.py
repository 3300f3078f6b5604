"""
The text of every input error, used by the compiled and the pure backend
alike so that both raise the same type with the same message.
"""

from __future__ import annotations

from mtcore.exceptions import (
    ArgumentTypeError,
    ArgumentValueError,
    AuthKeyIdMismatch,
    InvalidLength,
    MessageIdError,
    MessageKeyMismatch,
    MessageLengthError,
    SessionIdMismatch,
)


def not_buffer(name: str, obj: object) -> ArgumentTypeError:
    return ArgumentTypeError(
        f"{name} must be a bytes-like object, not {type(obj).__name__!r}"
    )


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


def out_size(expected: int, got: int) -> InvalidLength:
    return InvalidLength(f"out must be {expected} bytes, got {got}")


def bad_item(name: str, obj: object) -> ArgumentTypeError:
    return ArgumentTypeError(
        f"{name} must be a (data, key, iv) or (data, key, iv, out) tuple, "
        f"not {type(obj).__name__!r}"
    )


def not_sequence(name: str, obj: object) -> ArgumentTypeError:
    return ArgumentTypeError(
        f"{name} must be a list or tuple, not {type(obj).__name__!r}"
    )


def out_too_small(expected: int, got: int) -> InvalidLength:
    return InvalidLength(f"out must be at least {expected} bytes, got {got}")


def not_initialised(cls: str) -> ArgumentValueError:
    return ArgumentValueError(f"{cls} was not initialised")


def no_kernel(
    name: object, available: tuple[str, ...], kind: str = "AES"
) -> ArgumentValueError:
    return ArgumentValueError(
        f"{kind} kernel {name!r} is not available here; available: "
        + ", ".join(available)
    )


def not_int(name: str, obj: object) -> ArgumentTypeError:
    return ArgumentTypeError(f"{name} must be an int, not {type(obj).__name__!r}")


def out_of_range(name: str, lo: int, hi: int, got: int) -> ArgumentValueError:
    return ArgumentValueError(f"{name} must be in {lo}..{hi}, got {got}")


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
    return MessageKeyMismatch("msg_key does not match the decrypted message")


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
