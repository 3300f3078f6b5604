"""
TL serialization: encode auth.exportLoginToken and messages.sendMessage
(prebuilt, and built from plain values), decode a messages.messages of 100
messages and 20 users and a single message: mtcore's codec (over the
compiled Writer/Reader and over the pure twin's) against Telethon and
Pyrogram.  The contenders come from ``mtcore._bench`` (shared with
``python -m mtcore bench``); absent peers are skipped with a reason.
"""

from __future__ import annotations

from typing import Any

import pytest

from mtcore._bench.registry import OPERATIONS, contender_names, size_label


def cases(op_name: str) -> pytest.MarkDecorator:
    op = OPERATIONS[op_name]
    return pytest.mark.parametrize("size", op.sizes, ids=lambda n: size_label(n, ""))


def contenders(op_name: str) -> pytest.MarkDecorator:
    return pytest.mark.parametrize("contender", contender_names(op_name))


@cases("tl_encode_login_token")
@contenders("tl_encode_login_token")
def bench_encode_login_token(
    benchmark: Any, prepare: Any, contender: str, size: int
) -> None:
    benchmark(prepare("tl_encode_login_token", contender, size))


@cases("tl_build_login_token")
@contenders("tl_build_login_token")
def bench_build_login_token(
    benchmark: Any, prepare: Any, contender: str, size: int
) -> None:
    benchmark(prepare("tl_build_login_token", contender, size))


@cases("tl_encode_send_message")
@contenders("tl_encode_send_message")
def bench_encode_send_message(
    benchmark: Any, prepare: Any, contender: str, size: int
) -> None:
    benchmark(prepare("tl_encode_send_message", contender, size))


@cases("tl_build_send_message")
@contenders("tl_build_send_message")
def bench_build_send_message(
    benchmark: Any, prepare: Any, contender: str, size: int
) -> None:
    benchmark(prepare("tl_build_send_message", contender, size))


@cases("tl_decode_messages")
@contenders("tl_decode_messages")
def bench_decode_messages(
    benchmark: Any, prepare: Any, contender: str, size: int
) -> None:
    benchmark(prepare("tl_decode_messages", contender, size))


@cases("tl_decode_message")
@contenders("tl_decode_message")
def bench_decode_message(
    benchmark: Any, prepare: Any, contender: str, size: int
) -> None:
    benchmark(prepare("tl_decode_message", contender, size))


def bench_schema_parse(benchmark: Any) -> None:
    # Parsing the bundled layer (API + MTProto + key exchange) from text,
    # as Schema.from_file does for a newer .tl.
    from pathlib import Path

    import mtcore.tl

    data = Path(mtcore.tl.__file__).parent / "data"
    texts = [
        (data / name).read_text(encoding="utf-8")
        for name in ("main_api.tl", "sys_msgs.tl", "auth_key.tl")
    ]
    schema = benchmark(mtcore.tl.Schema.parse, *texts)
    assert schema.layer == mtcore.tl.default_schema().layer
