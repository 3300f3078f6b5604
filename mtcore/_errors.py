"""
The text of every input error, used by the compiled and the pure backend
alike so that both raise the same type with the same message.
"""

from __future__ import annotations

from mtcore.exceptions import ArgumentTypeError, ArgumentValueError, InvalidLength


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


def out_too_small(expected: int, got: int) -> InvalidLength:
    return InvalidLength(f"out must be at least {expected} bytes, got {got}")


def not_initialised(cls: str) -> ArgumentValueError:
    return ArgumentValueError(f"{cls} was not initialised")


def no_kernel(name: object, available: tuple[str, ...]) -> ArgumentValueError:
    return ArgumentValueError(
        f"AES kernel {name!r} is not available here; available: "
        + ", ".join(available)
    )
